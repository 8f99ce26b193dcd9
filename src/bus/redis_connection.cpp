// RedisConnection: hiredis encodes the commands and parses the replies; detail::Transport
// moves the bytes. Threading contract in redis.h: one I/O thread, interrupt() from any.
#include <hiredis/hiredis.h>

#include <atomic>
#include <memory>

#include "bus/redis.h"
#include "bus/transport.h"

namespace tribune::bus {
namespace {

struct ReaderDeleter {
  void operator()(redisReader* reader) const { redisReaderFree(reader); }
};
using ReaderPtr = std::unique_ptr<redisReader, ReaderDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

RedisReply convert(const redisReply& raw) {
  RedisReply reply;
  switch (raw.type) {
    case REDIS_REPLY_NIL: reply.kind = RedisReply::Kind::Nil; break;
    case REDIS_REPLY_INTEGER:
      reply.kind = RedisReply::Kind::Integer;
      reply.integer = raw.integer;
      break;
    case REDIS_REPLY_STRING: reply.kind = RedisReply::Kind::String; break;
    case REDIS_REPLY_STATUS: reply.kind = RedisReply::Kind::Status; break;
    case REDIS_REPLY_ERROR: reply.kind = RedisReply::Kind::Error; break;
    case REDIS_REPLY_ARRAY:
      reply.kind = RedisReply::Kind::Array;
      reply.elements.reserve(raw.elements);
      for (std::size_t i = 0; i < raw.elements; ++i) reply.elements.push_back(convert(*raw.element[i]));
      break;
    default: throw RedisError("Redis sent a reply of unknown type " + std::to_string(raw.type));
  }
  if (raw.type == REDIS_REPLY_STRING || raw.type == REDIS_REPLY_STATUS || raw.type == REDIS_REPLY_ERROR) {
    reply.text.assign(raw.str, raw.len);
  }
  return reply;
}

// RESP encoding of one command (binary-safe arguments).
std::string encode(const std::vector<std::string>& argv) {
  if (argv.empty()) throw RedisError("a Redis command needs at least its name");
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
  pointers.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const std::string& argument : argv) {
    pointers.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  char* formatted = nullptr;
  const int length = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), pointers.data(), lengths.data());
  if (length < 0 || formatted == nullptr) throw RedisError("cannot encode the Redis command " + argv.front());
  std::string encoded(formatted, static_cast<std::size_t>(length));
  redisFreeCommand(formatted);
  return encoded;
}

}  // namespace

struct RedisConnection::Impl {
  RedisSettings settings;
  std::unique_ptr<detail::Transport> transport;  // from construction to destruction: interrupt() uses it
  ReaderPtr reader{redisReaderCreate()};
  std::atomic<bool> alive{false};
  std::string closedBecause;  // I/O thread only

  // Every message that leaves the connection goes through here.
  std::string redact(std::string text) const {
    const std::string& secret = settings.password;
    if (secret.empty()) return text;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
    return text;
  }

  RedisReply readReply(const detail::Deadline& deadline) {
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
        throw RedisError("Redis at " + settings.host + ":" + std::to_string(settings.port) +
                         " sent a malformed reply: " + std::string(reader->errstr));
      }
      if (raw != nullptr) {
        std::unique_ptr<redisReply, ReplyDeleter> owned(static_cast<redisReply*>(raw));
        return convert(*owned);
      }
      char buffer[16384];
      const std::size_t received = transport->receiveSome(buffer, sizeof buffer, deadline);
      if (redisReaderFeed(reader.get(), buffer, received) != REDIS_OK) {
        throw RedisError("cannot buffer Redis's reply: " + std::string(reader->errstr));
      }
    }
  }

  // Sends `payload` (already encoded) and reads `count` replies. Any failure closes the
  // connection for good: a late reply would otherwise answer the next command.
  std::vector<RedisReply> exchange(const std::string& payload, std::size_t count, const detail::Deadline& deadline) {
    if (!alive.load()) {
      throw RedisError(redact("the Redis connection is closed (" + closedBecause + ")"));
    }
    try {
      transport->sendAll(payload, deadline);
      std::vector<RedisReply> replies;
      replies.reserve(count);
      while (replies.size() < count) replies.push_back(readReply(deadline));
      return replies;
    } catch (const RedisError& error) {
      closedBecause = redact(error.what());
      alive.store(false);
      transport->close();
      throw RedisError(closedBecause);
    }
  }
};

RedisConnection::RedisConnection(RedisSettings settings) : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  impl.settings = std::move(settings);
  const RedisSettings& s = impl.settings;
  if (s.host.empty()) throw RedisError("Redis settings: the host is empty");
  if (s.port < 1 || s.port > 65535) {
    throw RedisError("Redis settings: the port must be within 1..65535, not " + std::to_string(s.port));
  }
  if (s.caFile && !s.tls) throw RedisError("Redis settings: a CA file is given but TLS is off");
  if (!impl.reader) throw RedisError("cannot create hiredis's reply reader");

  try {
    impl.transport = std::make_unique<detail::Transport>(s, detail::deadlineAfter(s.connectTimeout));
  } catch (const RedisError& error) {
    throw RedisError(impl.redact(error.what()));
  }
  impl.alive.store(true);

  if (s.user.empty() && s.password.empty()) return;
  std::vector<std::string> auth = {"AUTH"};
  if (!s.user.empty()) auth.push_back(s.user);
  auth.push_back(s.password);
  RedisReply reply = command(auth);
  if (!reply.isOk()) {
    const std::string user = s.user.empty() ? "default" : s.user;
    throw RedisError(impl.redact("Redis at " + s.host + ":" + std::to_string(s.port) + " refused AUTH for user '" +
                                 user + "': " + reply.describe()));
  }
}

RedisConnection::~RedisConnection() = default;

RedisReply RedisConnection::command(const std::vector<std::string>& argv,
                                    std::optional<std::chrono::milliseconds> timeout) {
  const std::string payload = encode(argv);
  return std::move(
      impl_->exchange(payload, 1, detail::deadlineAfter(timeout.value_or(impl_->settings.ioTimeout))).front());
}

std::vector<RedisReply> RedisConnection::pipeline(const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) return {};
  std::string payload;
  for (const auto& argv : commands) payload += encode(argv);
  return impl_->exchange(payload, commands.size(), detail::deadlineAfter(impl_->settings.ioTimeout));
}

void RedisConnection::interrupt() { impl_->transport->interrupt(); }

bool RedisConnection::alive() const { return impl_->alive.load(); }

const RedisSettings& RedisConnection::settings() const { return impl_->settings; }

}  // namespace tribune::bus
