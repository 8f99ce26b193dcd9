// LinkClient: an lws client context per attempt, serviced by lws' own poll loop on the
// client's thread.
//
// Threading contract: thread_ (run()) alone creates, services and destroys the lws
// contexts, so it alone runs the lws callbacks and calls the listener. Other threads only
// touch what mutex_ guards (commands, the outgoing queue, the id of the open attempt, the
// context to wake) and wake thread_: lws_cancel_service on the current context, or the
// condition variable when there is none. mutex_ is a leaf: held for nothing but those
// fields and lws_cancel_service (a write to lws' pipe), never while calling the listener
// or servicing lws.
//
// Why a context per attempt: each attempt may trust another CA file, which lws takes per
// vhost at creation; and destroying the context is a sure way to end everything of an
// attempt (its socket, its timers) between two services. A reconnection every few seconds
// at worst costs nothing that matters here. Why lws' own loop: one connection, so poll()
// over a handful of descriptors is as good as epoll, and there is no loop of ours to lend.
#include "web/link_client.h"

#include <libwebsockets.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "web/lws_support.h"

namespace tribune::web {
namespace {

constexpr const char* kProtocolName = "tribune";
// One lws_write per WRITEABLE, a frame of at most this much: a large message (a snapshot)
// goes out in continuation frames, never as one buffer lws would have to keep.
constexpr std::size_t kFrameBytes = std::size_t{64} * 1024;
// A link that went silent (a half-open TCP connection behind a NAT) is found out.
constexpr std::uint16_t kPingAfterIdleSeconds = 30;
constexpr std::uint16_t kHangUpAfterIdleSeconds = 75;
// The cancel pipe, the connection, DNS: a few descriptors are all a context needs.
constexpr unsigned int kDescriptorsPerContext = 16;

// The connect timeout: an lws timer (sul) in the attempt's context. The sul must come first
// (lws hands back its address).
struct ConnectDeadline {
  lws_sorted_usec_list_t sul{};
  lws_context* context = nullptr;
  bool passed = false;
};
static_assert(std::is_standard_layout_v<ConnectDeadline>);

void onConnectDeadline(lws_sorted_usec_list_t* sul) {
  auto* deadline = reinterpret_cast<ConnectDeadline*>(sul);
  deadline->passed = true;
  lws_cancel_service(deadline->context);  // so that lws_service returns and run() sees it
}

std::string describe(const LinkTarget& target) {
  return std::string(target.tls ? "wss://" : "ws://") + target.host + ":" + std::to_string(target.port) + target.path;
}

void validate(const LinkTarget& target) {
  if (target.host.empty()) throw std::invalid_argument("link: the edge's host is empty");
  if (std::any_of(target.host.begin(), target.host.end(),
                  [](unsigned char c) { return c <= ' ' || c == '/' || c == '?' || c == '#' || c >= 0x7f; })) {
    throw std::invalid_argument("link: the edge's host \"" + target.host + "\" is not a host name or address");
  }
  if (target.port < 1 || target.port > 65535) {
    throw std::invalid_argument("link: the edge's port " + std::to_string(target.port) + " is not in 1-65535");
  }
  if (target.path.empty() || target.path.front() != '/') {
    throw std::invalid_argument("link: the edge's path \"" + target.path + "\" must start with '/'");
  }
  if (target.caFile) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(*target.caFile, error)) {
      throw std::invalid_argument("link: CA file not found: " + target.caFile->string());
    }
  }
  if (target.connectTimeout.count() <= 0) throw std::invalid_argument("link: the connect timeout must be positive");
}

}  // namespace

struct LinkClient::Impl {
  Impl(LinkClientListener& listener, std::size_t maxMessageBytes, std::size_t maxQueuedBytes);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Any thread.
  std::uint64_t connect(LinkTarget target);
  void send(std::uint64_t attempt, std::string text);
  void disconnect(std::uint64_t attempt);
  void wakeLocked();

  // The client's thread.
  struct Command {
    enum class Kind { Connect, Disconnect };
    Kind kind;
    std::uint64_t attempt;
    LinkTarget target;
  };
  void run();
  void start(std::uint64_t id, LinkTarget target);
  void close(lws_close_status status, std::string reason);  // the current attempt, politely if open
  void dropOutgoing(std::uint64_t attempt);                 // nothing more is sent on it
  void finish();                                            // ends the current attempt, tells the listener
  static int trampoline(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  int handle(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  int onEstablished(lws* wsi);
  int onReceive(lws* wsi, const char* data, std::size_t len);
  int onWriteable(lws* wsi);
  int refuse(lws* wsi, lws_close_status status, std::string reason);

  LinkClientListener& listener_;
  const std::size_t maxMessageBytes_;
  const std::size_t maxQueuedBytes_;
  std::array<lws_protocols, 2> protocols_{};  // [1] zeroed: the terminator
  lws_retry_bo_t idlePolicy_{};

  std::mutex mutex_;                // leaf; guards the fields down to thread_-only ones
  std::condition_variable wakeUp_;  // when there is no context to wake
  std::deque<Command> commands_;
  lws_context* wakeable_ = nullptr;  // the current attempt's context
  std::uint64_t nextAttempt_ = 1;
  std::uint64_t openAttempt_ = 0;  // the attempt send() queues for; 0: none
  std::deque<std::string> outgoing_;
  std::size_t outgoingBytes_ = 0;
  bool outgoingAdded_ = false;           // run() asks lws for WRITEABLE
  std::uint64_t overflowedAttempt_ = 0;  // run() closes it; send() ignores it meanwhile
  bool stopping_ = false;

  // The client's thread only.
  struct Attempt {
    std::uint64_t id = 0;
    LinkTarget target;
    std::string caFile;        // what lws is given: alive as long as the context
    ConnectDeadline deadline;  // outlives the context (declared before it)
    LwsContextPtr context;
    lws* wsi = nullptr;  // once open, until closed
    bool open = false;
    bool closing = false;              // a close frame is on its way: write nothing more
    std::optional<std::string> ended;  // why it is over (the first reason wins)
    std::string certificateProblem;    // why OpenSSL refused the edge's certificate
    std::string peerClose;             // the server's close frame: "1001 server stopping"
    std::string incoming;              // fragments of the message being received
    std::size_t sentOfFront = 0;       // bytes of outgoing_.front() already written
  };
  std::unique_ptr<Attempt> current_;
  std::vector<unsigned char> writeBuffer_;
  std::thread thread_;  // last: started once everything above exists
};

LinkClient::Impl::Impl(LinkClientListener& listener, std::size_t maxMessageBytes, std::size_t maxQueuedBytes)
    : listener_(listener), maxMessageBytes_(maxMessageBytes), maxQueuedBytes_(maxQueuedBytes) {
  routeLwsLogging();
  protocols_[0].name = kProtocolName;
  protocols_[0].callback = &Impl::trampoline;
  idlePolicy_.secs_since_valid_ping = kPingAfterIdleSeconds;
  idlePolicy_.secs_since_valid_hangup = kHangUpAfterIdleSeconds;
  thread_ = std::thread([this] { run(); });
}

LinkClient::Impl::~Impl() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wakeLocked();
  }
  if (thread_.joinable()) thread_.join();
}

void LinkClient::Impl::wakeLocked() {
  if (wakeable_ != nullptr) {
    lws_cancel_service(wakeable_);
  } else {
    wakeUp_.notify_one();
  }
}

std::uint64_t LinkClient::Impl::connect(LinkTarget target) {
  validate(target);
  std::lock_guard lock(mutex_);
  const std::uint64_t id = nextAttempt_++;
  commands_.push_back({Command::Kind::Connect, id, std::move(target)});
  wakeLocked();
  return id;
}

void LinkClient::Impl::send(std::uint64_t attempt, std::string text) {
  std::lock_guard lock(mutex_);
  if (attempt == 0 || attempt != openAttempt_ || overflowedAttempt_ == attempt) return;
  if (outgoingBytes_ + text.size() > maxQueuedBytes_) {
    overflowedAttempt_ = attempt;  // run() closes it and frees the queue (it alone takes from it)
  } else {
    outgoingBytes_ += text.size();
    outgoing_.push_back(std::move(text));
    outgoingAdded_ = true;
  }
  wakeLocked();
}

void LinkClient::Impl::disconnect(std::uint64_t attempt) {
  std::lock_guard lock(mutex_);
  commands_.push_back({Command::Kind::Disconnect, attempt, {}});
  wakeLocked();
}

void LinkClient::Impl::run() {
  while (true) {
    std::deque<Command> commands;
    bool wantWrite = false;
    std::uint64_t overflowed = 0;
    {
      std::unique_lock lock(mutex_);
      wakeUp_.wait(lock, [this] { return stopping_ || !commands_.empty() || current_ != nullptr; });
      if (stopping_) break;
      commands.swap(commands_);
      wantWrite = std::exchange(outgoingAdded_, false);
      overflowed = overflowedAttempt_;
    }
    for (Command& command : commands) {
      if (command.kind == Command::Kind::Connect) {
        if (current_) {
          current_->ended = current_->ended.value_or("replaced by a new connection");
          finish();
        }
        start(command.attempt, std::move(command.target));
        if (current_ && current_->ended) finish();  // could not even start
      } else if (current_ && current_->id == command.attempt) {
        close(LWS_CLOSE_STATUS_NORMAL, "disconnected");
        if (current_ && current_->ended && !current_->closing) finish();
      }
    }
    if (!current_) continue;

    if (overflowed != 0 && overflowed == current_->id) {
      close(LWS_CLOSE_STATUS_POLICY_VIOLATION,
            "send queue full (over " + std::to_string(maxQueuedBytes_) + " bytes waiting)");
    }
    if (wantWrite && current_->open && !current_->ended && current_->wsi != nullptr) {
      lws_callback_on_writable(current_->wsi);
    }
    if (!current_->open && !current_->ended && current_->deadline.passed) {
      current_->ended = "no connection to " + describe(current_->target) + " within " +
                        std::to_string(current_->target.connectTimeout.count()) + " ms";
    }
    // A polite close waits for the server's answer (lws bounds that wait); anything else
    // that ended is ended now.
    if (current_->ended && (!current_->closing || current_->wsi == nullptr)) {
      finish();
      continue;
    }
    lws_service(current_->context.get(), 0);  // one poll round; lws_cancel_service ends it
    if (current_->ended && (!current_->closing || current_->wsi == nullptr)) finish();
  }

  // Stopping: end the current attempt without telling anyone.
  if (current_) {
    {
      std::lock_guard lock(mutex_);
      wakeable_ = nullptr;
    }
    lws_sul_cancel(&current_->deadline.sul);
    current_->context.reset();
    current_.reset();
  }
}

void LinkClient::Impl::start(std::uint64_t id, LinkTarget target) {
  current_ = std::make_unique<Attempt>();
  Attempt& attempt = *current_;
  attempt.id = id;
  attempt.target = std::move(target);
  const LinkTarget& where = attempt.target;
  webLogger()->info("link {}: connecting to {}", id, describe(where));

  lws_context_creation_info contextInfo;
  std::memset(&contextInfo, 0, sizeof contextInfo);
  contextInfo.port = CONTEXT_PORT_NO_LISTEN;
  contextInfo.protocols = protocols_.data();
  contextInfo.gid = -1;
  contextInfo.uid = -1;
  contextInfo.user = this;
  contextInfo.fd_limit_per_thread = kDescriptorsPerContext;
  contextInfo.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
  if (where.tls) {
    contextInfo.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (where.caFile) {
      // Trusted alone: the system's CAs are not added to it.
      attempt.caFile = where.caFile->string();
      contextInfo.client_ssl_ca_filepath = attempt.caFile.c_str();
      contextInfo.options |= LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    }
  }
  attempt.context.reset(lws_create_context(&contextInfo));
  if (!attempt.context) {
    attempt.ended = "libwebsockets could not create a client context (TLS set-up?)";
    return;
  }
  attempt.deadline.context = attempt.context.get();
  {
    std::lock_guard lock(mutex_);
    wakeable_ = attempt.context.get();
  }
  lws_sul_schedule(attempt.context.get(), 0, &attempt.deadline.sul, onConnectDeadline,
                   std::chrono::duration_cast<std::chrono::microseconds>(where.connectTimeout).count());

  lws_client_connect_info connectInfo;
  std::memset(&connectInfo, 0, sizeof connectInfo);
  connectInfo.context = attempt.context.get();
  connectInfo.address = where.host.c_str();
  connectInfo.port = where.port;
  connectInfo.path = where.path.c_str();
  connectInfo.host = where.host.c_str();
  connectInfo.protocol = kProtocolName;  // Sec-WebSocket-Protocol
  connectInfo.local_protocol_name = kProtocolName;
  // Verifies the chain and the host name (an IP address against the certificate's IP names).
  connectInfo.ssl_connection = where.tls ? LCCSCF_USE_SSL : 0;
  connectInfo.alpn = "http/1.1";
  connectInfo.retry_and_idle_policy = &idlePolicy_;
  // lws may already report an error from inside this call (CLIENT_CONNECTION_ERROR), which
  // handle() records in current_->ended.
  if (lws_client_connect_via_info(&connectInfo) == nullptr && !attempt.ended) {
    attempt.ended = "cannot start connecting to " + describe(where);
  }
}

void LinkClient::Impl::dropOutgoing(std::uint64_t attempt) {
  // The client's thread alone takes from outgoing_, so no write is half-way through it here.
  std::lock_guard lock(mutex_);
  if (openAttempt_ == attempt) openAttempt_ = 0;
  if (overflowedAttempt_ == attempt) overflowedAttempt_ = 0;
  std::deque<std::string>().swap(outgoing_);
  outgoingBytes_ = 0;
  outgoingAdded_ = false;
}

void LinkClient::Impl::close(lws_close_status status, std::string reason) {
  Attempt& attempt = *current_;
  if (attempt.ended) return;
  dropOutgoing(attempt.id);
  attempt.ended = reason;
  if (!attempt.open || attempt.wsi == nullptr) return;  // still connecting: finish() drops it
  attempt.closing = true;
  if (reason.size() > 123) reason.resize(123);  // what a close frame carries (ASCII here)
  lws_close_reason(attempt.wsi, status, reinterpret_cast<unsigned char*>(reason.data()), reason.size());
  lws_callback_on_writable(attempt.wsi);  // WRITEABLE sees `closing` and lets lws say goodbye
}

void LinkClient::Impl::finish() {
  std::unique_ptr<Attempt> attempt = std::move(current_);
  dropOutgoing(attempt->id);
  {
    std::lock_guard lock(mutex_);
    wakeable_ = nullptr;
  }
  if (attempt->context) {
    lws_sul_cancel(&attempt->deadline.sul);
    attempt->context.reset();  // closes the socket if still open; its callbacks find no current_
  }
  const std::string reason = attempt->ended.value_or("closed");
  webLogger()->info("link {}: closed: {}", attempt->id, reason);
  try {
    listener_.onLinkClosed(attempt->id, reason);
  } catch (const std::exception& error) {
    webLogger()->error("link {}: the listener failed on close: {}", attempt->id, error.what());
  }
}

int LinkClient::Impl::trampoline(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
  auto* self = wsi != nullptr ? static_cast<Impl*>(lws_context_user(lws_get_context(wsi))) : nullptr;
  if (self == nullptr) return lws_callback_http_dummy(wsi, reason, user, in, len);
  try {
    return self->handle(wsi, reason, user, in, len);
  } catch (const std::exception& error) {
    try {
      webLogger()->error("link: callback {} failed: {}", static_cast<int>(reason), error.what());
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may unwind into lws
    }
  } catch (...) {
    try {
      webLogger()->error("link: callback {} failed with an unknown exception", static_cast<int>(reason));
    } catch (...) {  // NOLINT(bugprone-empty-catch)
    }
  }
  if (self->current_ && !self->current_->ended) self->current_->ended = "internal error";
  return -1;
}

int LinkClient::Impl::handle(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
  // Every wsi of a context belongs to the attempt that created it; during finish() and the
  // stop, current_ is already gone and lws' last words are not wanted.
  Attempt* attempt = current_.get();
  switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED: return attempt != nullptr ? onEstablished(wsi) : -1;
    case LWS_CALLBACK_CLIENT_RECEIVE:
      return attempt != nullptr ? onReceive(wsi, static_cast<const char*>(in), len) : -1;
    case LWS_CALLBACK_CLIENT_WRITEABLE: return attempt != nullptr ? onWriteable(wsi) : -1;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      if (attempt != nullptr && !attempt->ended) {
        // lws' words: "tls: … certificate verify failed", "HS: ws upgrade response not 101"…
        const char* why = static_cast<const char*>(in);
        // lws' words for a refused certificate are OpenSSL's error queue, which says nothing.
        attempt->ended = "cannot connect to " + describe(attempt->target) + ": " +
                         (!attempt->certificateProblem.empty()
                              ? "the edge's certificate is refused (" + attempt->certificateProblem + ")"
                          : why != nullptr ? std::string(why)
                                           : std::string("unknown error"));
      }
      return 0;
    case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
      // user: the X509_STORE_CTX; len: OpenSSL's verdict. Only noted: lws refuses on its own.
      if (attempt != nullptr && len == 0 && user != nullptr && attempt->certificateProblem.empty()) {
        attempt->certificateProblem =
            X509_verify_cert_error_string(X509_STORE_CTX_get_error(static_cast<X509_STORE_CTX*>(user)));
      }
      return 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
      if (attempt != nullptr && in != nullptr && len >= 2) {
        const auto* payload = static_cast<const unsigned char*>(in);
        attempt->peerClose = std::to_string((payload[0] << 8) | payload[1]);
        if (len > 2) attempt->peerClose += " " + std::string(reinterpret_cast<const char*>(payload + 2), len - 2);
      }
      return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
      if (attempt != nullptr) {
        if (!attempt->ended) {
          attempt->ended = attempt->peerClose.empty() ? std::string("connection lost")
                                                      : "closed by the server (" + attempt->peerClose + ")";
        }
        attempt->wsi = nullptr;
      }
      return 0;
    case LWS_CALLBACK_WSI_DESTROY:
      if (attempt != nullptr && attempt->wsi == wsi) attempt->wsi = nullptr;
      break;
    default: break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

int LinkClient::Impl::onEstablished(lws* wsi) {
  Attempt& attempt = *current_;
  attempt.open = true;
  attempt.wsi = wsi;
  lws_sul_cancel(&attempt.deadline.sul);
  {
    std::lock_guard lock(mutex_);
    openAttempt_ = attempt.id;
  }
  webLogger()->info("link {}: open to {}", attempt.id, describe(attempt.target));
  listener_.onLinkOpen(attempt.id);
  return 0;
}

int LinkClient::Impl::refuse(lws* wsi, lws_close_status status, std::string reason) {
  Attempt& attempt = *current_;
  std::string().swap(attempt.incoming);
  dropOutgoing(attempt.id);
  std::string frameReason = reason.substr(0, 123);  // what a close frame carries (ASCII here)
  lws_close_reason(wsi, status, reinterpret_cast<unsigned char*>(frameReason.data()), frameReason.size());
  attempt.ended = std::move(reason);
  return -1;  // lws sends the close frame with that status, then closes
}

int LinkClient::Impl::onReceive(lws* wsi, const char* data, std::size_t len) {
  Attempt& attempt = *current_;
  if (attempt.ended) return 0;
  if (lws_frame_is_binary(wsi) != 0) {
    webLogger()->warn("link {}: the server sent a binary message: closed", attempt.id);
    return refuse(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "the server sent a binary message (text only)");
  }
  if (attempt.incoming.size() + len > maxMessageBytes_) {
    webLogger()->warn("link {}: the server sent a message over {} bytes: closed", attempt.id, maxMessageBytes_);
    return refuse(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
                  "the server sent a message over " + std::to_string(maxMessageBytes_) + " bytes");
  }
  attempt.incoming.append(data, len);
  if (lws_is_final_fragment(wsi) == 0) return 0;
  std::string text;
  text.swap(attempt.incoming);
  listener_.onLinkMessage(attempt.id, std::move(text));
  return 0;
}

int LinkClient::Impl::onWriteable(lws* wsi) {
  Attempt& attempt = *current_;
  if (attempt.closing) return -1;  // its close reason is set: lws says goodbye
  if (attempt.ended) return 0;

  bool first = false;
  bool last = false;
  std::size_t chunk = 0;
  {
    std::lock_guard lock(mutex_);
    if (outgoing_.empty()) return 0;
    const std::string& front = outgoing_.front();
    chunk = std::min(kFrameBytes, front.size() - attempt.sentOfFront);
    first = attempt.sentOfFront == 0;
    last = attempt.sentOfFront + chunk == front.size();
    writeBuffer_.resize(LWS_PRE + chunk);
    std::memcpy(writeBuffer_.data() + LWS_PRE, front.data() + attempt.sentOfFront, chunk);
  }
  const int flags = lws_write_ws_flags(LWS_WRITE_TEXT, first ? 1 : 0, last ? 1 : 0);
  const int written = lws_write(wsi, writeBuffer_.data() + LWS_PRE, chunk, static_cast<lws_write_protocol>(flags));
  if (written < static_cast<int>(chunk)) {
    attempt.ended = "write failed";
    return -1;
  }
  bool more = !last;
  {
    std::lock_guard lock(mutex_);
    if (last) {
      outgoingBytes_ -= outgoing_.front().size();
      outgoing_.pop_front();
      attempt.sentOfFront = 0;
      more = !outgoing_.empty();
    } else {
      attempt.sentOfFront += chunk;
    }
  }
  if (more) lws_callback_on_writable(wsi);
  return 0;
}

// ---- public API ----

LinkClient::LinkClient(LinkClientListener& listener, std::size_t maxMessageBytes, std::size_t maxQueuedBytes)
    : impl_(std::make_unique<Impl>(listener, maxMessageBytes, maxQueuedBytes)) {}

LinkClient::~LinkClient() = default;

std::uint64_t LinkClient::connect(LinkTarget target) { return impl_->connect(std::move(target)); }

void LinkClient::send(std::uint64_t attempt, std::string text) { impl_->send(attempt, std::move(text)); }

void LinkClient::disconnect(std::uint64_t attempt) { impl_->disconnect(attempt); }

}  // namespace tribune::web
