// The HTTP side of FakePlatforms: a Boost.Beast HTTP/1.1 server on 127.0.0.1, scripted
// faults, and the record of requests. The platforms themselves (fake_platforms_state.h)
// never see a socket: the server hands each request to a RequestListener.
//
// Threading: the server's io_context runs on one thread that the server owns; sessions,
// timers and the acceptor are touched only there (stop() posts to it). The listener (the
// Impl) takes its mutex in every call from that thread and in every public method, and
// calls the chat page hook once it has released it. A streamList answer keeps its session
// on that thread too: a timer looks for new events every 20 ms.
#include "support/fake_platforms.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "support/fake_platforms_state.h"

namespace tribune::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string_view toString(Platform platform) {
  switch (platform) {
    case Platform::youtube: return "youtube";
    case Platform::facebook: return "facebook";
    case Platform::peertube: return "peertube";
  }
  return "unknown";
}

std::string RecordedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

namespace {

constexpr std::uint64_t kBodyLimit = std::uint64_t{16} * 1024 * 1024;
// How long stop() lets closed connections wind down before stopping the loop outright.
constexpr auto kStopGrace = std::chrono::seconds(2);
// What malformed() answers: JSON cut short.
constexpr std::string_view kMalformedBody = R"({"kind": "youtube#liveBroadcast", "id": "cut-sh)";

// What to do with one request: wait `delay` (hang), then send `reply`, or ask the platforms.
struct Plan {
  std::chrono::milliseconds delay{0};
  std::optional<fake::Reply> reply;
};

// What the server asks of its owner, on the server thread.
class RequestListener {
 public:
  virtual ~RequestListener() = default;
  // A request arrived (record it; decide the scripted faults).
  virtual Plan arrive(const RecordedRequest& request) = 0;
  // The platforms' answer to it, when no fault took it.
  virtual fake::Reply answer(const RecordedRequest& request) = 0;
  // A stream answer's next object, if something happened since the last one.
  virtual std::optional<fake::Reply> streamNext(fake::ChatStream& stream) = 0;
};

// How often an open stream answer looks for new events.
constexpr auto kStreamPoll = std::chrono::milliseconds(20);

std::string chunk(std::string_view data) {
  char size[24];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

RecordedRequest record(const http::request<http::string_body>& request) {
  RecordedRequest recorded;
  recorded.method = std::string(request.method_string());
  std::string_view target(request.target().data(), request.target().size());
  std::size_t question = target.find('?');
  recorded.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) recorded.query = std::string(target.substr(question + 1));
  recorded.body = request.body();
  for (const auto& field : request) {
    recorded.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return recorded;
}

// HTTP/1.1 on 127.0.0.1, one asynchronous session per connection, keep-alive.
class HttpServer {
 public:
  // Binds to 127.0.0.1 on a port the OS picks; start() serves.
  explicit HttpServer(RequestListener& listener) : listener_(listener) {
    tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
  }
  ~HttpServer() { stop(); }

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const { return port_; }

  void start() {
    accept();
    thread_ = std::thread([this] {
      while (true) {
        try {
          io_.run();
          break;
        } catch (const std::exception& error) {
          // A handler must not end the server; say so and go on.
          std::cerr << "fake platforms: " << error.what() << "\n";
        }
      }
      finished_.set_value();
    });
  }

  // Closes the acceptor and every connection (a hung one included) on the server thread,
  // lets their handlers run out, and joins. Prompt: nothing waits for a hang to end.
  void stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] { closeEverything(); });
    if (finished_.get_future().wait_for(kStopGrace) != std::future_status::ready) io_.stop();
    thread_.join();
  }

 private:
  class Session;

  void accept();
  void closeEverything();

  RequestListener& listener_;
  asio::io_context io_{1};
  tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::vector<std::weak_ptr<Session>> sessions_;  // server thread only
  bool stopping_ = false;                         // server thread only
  std::promise<void> finished_;
  std::thread thread_;
};

class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer& server)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server) {}

  void start() { read(); }

  void close() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void read() {
    if (closed_) return;
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) { self->onRead(error); });
  }

  void onRead(beast::error_code error) {
    if (error || closed_) {  // the client left (end_of_stream), a bad request, or stop()
      close();
      return;
    }
    request_ = parser_->release();
    recorded_ = record(request_);
    Plan plan = server_.listener_.arrive(recorded_);
    if (plan.delay > std::chrono::milliseconds::zero()) {
      timer_.expires_after(plan.delay);
      timer_.async_wait(
          [self = shared_from_this(), reply = std::move(plan.reply)](beast::error_code waitError) mutable {
            if (waitError || self->closed_) return;
            self->respond(reply ? std::move(*reply) : self->server_.listener_.answer(self->recorded_));
          });
      return;
    }
    respond(plan.reply ? std::move(*plan.reply) : server_.listener_.answer(recorded_));
  }

  void respond(fake::Reply reply) {
    if (reply.stream) {
      startStream(std::move(reply));
      return;
    }
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(reply.status));
    response_.set(http::field::server, "tribune-fake-platforms");
    response_.set(http::field::content_type, reply.contentType);
    for (const auto& [name, value] : reply.headers) response_.insert(name, value);
    response_.body() = std::move(reply.body);
    response_.keep_alive(request_.keep_alive());
    response_.prepare_payload();
    http::async_write(socket_, response_,
                      [self = shared_from_this()](beast::error_code error, std::size_t) { self->onWritten(error); });
  }

  void onWritten(beast::error_code error) {
    if (error || !response_.keep_alive()) {
      close();
      return;
    }
    read();
  }

  // A stream answer (YouTube's streamList): chunked, one object per chunk as events come,
  // then the last chunk and the connection closes.
  void startStream(fake::Reply reply) {
    stream_ = std::move(*reply.stream);
    std::string head = "HTTP/1.1 200 OK\r\nServer: tribune-fake-platforms\r\nContent-Type: " + reply.contentType +
                       "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    writeRaw(head + chunk(reply.body), [](Session& self) { self.pollStream(); });
  }

  void pollStream() {
    if (closed_) return;
    auto now = fake::Clock::now();
    if (stream_->finished || now >= stream_->closeAt) {
      writeRaw("0\r\n\r\n", [](Session& self) { self.close(); });
      return;
    }
    if (auto next = server_.listener_.streamNext(*stream_)) {
      writeRaw(chunk(next->body), [](Session& self) { self.pollStream(); });
      return;
    }
    timer_.expires_after(std::min<fake::Clock::duration>(kStreamPoll, stream_->closeAt - now));
    timer_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (!error) self->pollStream();
    });
  }

  void writeRaw(std::string bytes, void (*then)(Session&)) {
    outgoing_ = std::move(bytes);
    asio::async_write(socket_, asio::buffer(outgoing_),
                      [self = shared_from_this(), then](beast::error_code error, std::size_t) {
                        if (error || self->closed_) {
                          self->close();
                          return;
                        }
                        then(*self);
                      });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  HttpServer& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  RecordedRequest recorded_;
  http::response<http::string_body> response_;
  std::optional<fake::ChatStream> stream_;
  std::string outgoing_;
  bool closed_ = false;
};

void HttpServer::accept() {
  acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
    if (stopping_ || error == asio::error::operation_aborted) return;
    if (!error) {
      auto session = std::make_shared<Session>(std::move(socket), *this);
      sessions_.erase(
          std::remove_if(sessions_.begin(), sessions_.end(), [](const auto& weak) { return weak.expired(); }),
          sessions_.end());
      sessions_.push_back(session);
      session->start();
    }
    accept();
  });
}

void HttpServer::closeEverything() {
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  for (const auto& weak : sessions_) {
    if (auto session = weak.lock()) session->close();
  }
  sessions_.clear();
}

// One scripted fault.
struct FaultRule {
  enum class Kind { fail, hang, malformed };
  Kind kind = Kind::fail;
  std::string method;  // "" for any
  std::string prefix;
  std::optional<std::regex> pattern;  // instead of method and prefix
  int status = 200;
  std::string body;
  std::chrono::milliseconds duration{0};
  int remaining = 1;  // FakePlatforms::kAlways (negative): never spent

  bool matches(const RecordedRequest& request) const {
    if (remaining == 0) return false;
    std::string target = request.query.empty() ? request.path : request.path + "?" + request.query;
    if (pattern) return std::regex_search(request.method + " " + target, *pattern);
    if (!method.empty() && method != request.method) return false;
    return target.rfind(prefix, 0) == 0;
  }
  void spend() {
    if (remaining > 0) --remaining;
  }
};

// "PUT /youtube/v3/videos" → a method and a prefix; "/youtube/v3" → a prefix alone.
FaultRule prefixRule(FaultRule::Kind kind, const std::string& text, int times) {
  FaultRule rule;
  rule.kind = kind;
  rule.remaining = times;
  std::size_t space = text.find(' ');
  bool ledByMethod = space != std::string::npos && space > 0 &&
                     std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(space),
                                 [](unsigned char c) { return std::isupper(c) != 0; });
  rule.method = ledByMethod ? text.substr(0, space) : std::string();
  rule.prefix = ledByMethod ? text.substr(space + 1) : text;
  return rule;
}

FaultRule patternRule(FaultRule::Kind kind, const std::regex& pattern, int times) {
  FaultRule rule;
  rule.kind = kind;
  rule.remaining = times;
  rule.pattern = pattern;
  return rule;
}

}  // namespace

struct FakePlatforms::Impl final : RequestListener {
  explicit Impl(FakePlatformsOptions options) {
    server = std::make_unique<HttpServer>(*this);
    baseUrl = "http://127.0.0.1:" + std::to_string(server->port());
    state.emplace(std::move(options), baseUrl);
    server->start();
  }
  ~Impl() override { server->stop(); }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Plan arrive(const RecordedRequest& request) override {
    std::lock_guard lock(mutex);
    requests.push_back(request);
    ++counts[request.path];
    Plan plan;
    for (auto& rule : faults) {
      if (rule.kind == FaultRule::Kind::hang && rule.matches(request)) {
        plan.delay = rule.duration;
        rule.spend();
        break;
      }
    }
    for (auto& rule : faults) {
      if (rule.kind == FaultRule::Kind::hang || !rule.matches(request)) continue;
      fake::Reply reply;
      if (rule.kind == FaultRule::Kind::fail) {
        reply.status = rule.status;
        reply.body = rule.body;
      } else {
        reply.body = std::string(kMalformedBody);
      }
      plan.reply = std::move(reply);
      rule.spend();
      break;
    }
    arrived.notify_all();
    return plan;
  }

  fake::Reply answer(const RecordedRequest& request) override {
    fake::Reply reply;
    ChatPageHook hook;
    auto now = fake::Clock::now();
    {
      std::lock_guard lock(mutex);
      try {
        reply = state->handle(request, now);
      } catch (const std::exception& error) {
        return fake::jsonReply(500, {{"error", std::string("fake platforms: ") + error.what()}});
      }
      if (reply.status == 200 && reply.chatPage) hook = served(*reply.chatPage, now);
    }
    callHook(hook, reply, now);
    return reply;
  }

  std::optional<fake::Reply> streamNext(fake::ChatStream& stream) override {
    std::optional<fake::Reply> reply;
    ChatPageHook hook;
    auto now = fake::Clock::now();
    {
      std::lock_guard lock(mutex);
      try {
        reply = state->youtubeStreamNext(stream, now);
      } catch (const std::exception& error) {
        std::cerr << "fake platforms: " << error.what() << "\n";
        return std::nullopt;
      }
      if (reply && reply->chatPage) hook = served(*reply->chatPage, now);
    }
    if (reply) callHook(hook, *reply, now);
    return reply;
  }

  // Counts a chat page (mutex held); the hook to call once the mutex is released, if any.
  ChatPageHook served(const fake::ChatPage& page, fake::Clock::time_point now) {
    auto& stats = chatPages[page.platform];
    ++stats.count;
    stats.last = now;
    return page.messageIds.empty() ? ChatPageHook() : chatPageHook;
  }

  static void callHook(const ChatPageHook& hook, const fake::Reply& reply, fake::Clock::time_point now) {
    if (!hook || !reply.chatPage) return;
    try {
      hook(reply.chatPage->platform, now, reply.chatPage->messageIds);
    } catch (const std::exception& error) {
      // The server thread must go on.
      std::cerr << "fake platforms: the chat page hook threw: " << error.what() << "\n";
    }
  }

  void addFault(FaultRule rule) {
    std::lock_guard lock(mutex);
    faults.push_back(std::move(rule));
  }

  mutable std::mutex mutex;  // guards everything below but the server
  mutable std::condition_variable arrived;
  std::optional<fake::PlatformsState> state;  // made once the port is known
  std::vector<RecordedRequest> requests;
  std::map<std::string, std::size_t> counts;
  std::vector<FaultRule> faults;
  struct ChatPages {
    std::size_t count = 0;
    std::optional<fake::Clock::time_point> last;
  };
  std::map<Platform, ChatPages> chatPages;
  ChatPageHook chatPageHook;
  std::string baseUrl;                 // set before the server starts, constant afterwards
  std::unique_ptr<HttpServer> server;  // last: stopped (in ~Impl) before the rest goes
};

FakePlatforms::FakePlatforms(FakePlatformsOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
FakePlatforms::~FakePlatforms() = default;

std::uint16_t FakePlatforms::port() const { return impl_->server->port(); }
std::string FakePlatforms::baseUrl() const { return impl_->baseUrl; }
std::string FakePlatforms::googleOAuthUrl() const { return impl_->baseUrl + "/google"; }
std::string FakePlatforms::youtubeApiUrl() const { return impl_->baseUrl + "/youtube/v3"; }
std::string FakePlatforms::facebookGraphUrl() const { return impl_->baseUrl + "/facebook"; }
std::string FakePlatforms::peertubeUrl() const { return impl_->baseUrl + "/peertube"; }
const FakePlatformsOptions& FakePlatforms::options() const { return impl_->state->options(); }

void FakePlatforms::approve(Platform platform) {
  std::lock_guard lock(impl_->mutex);
  impl_->state->approve(platform);
}

void FakePlatforms::deny(Platform platform) {
  std::lock_guard lock(impl_->mutex);
  impl_->state->deny(platform);
}

std::optional<std::string> FakePlatforms::pendingUserCode(Platform platform) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state->pendingUserCode(platform);
}

void FakePlatforms::revoke(Platform platform) {
  std::lock_guard lock(impl_->mutex);
  impl_->state->revoke(platform);
}

void FakePlatforms::fail(const std::string& prefix, int status, std::string body, int times) {
  FaultRule rule = prefixRule(FaultRule::Kind::fail, prefix, times);
  rule.status = status;
  rule.body = std::move(body);
  impl_->addFault(std::move(rule));
}

void FakePlatforms::fail(const std::regex& pattern, int status, std::string body, int times) {
  FaultRule rule = patternRule(FaultRule::Kind::fail, pattern, times);
  rule.status = status;
  rule.body = std::move(body);
  impl_->addFault(std::move(rule));
}

void FakePlatforms::hang(const std::string& prefix, std::chrono::milliseconds duration, int times) {
  FaultRule rule = prefixRule(FaultRule::Kind::hang, prefix, times);
  rule.duration = duration;
  impl_->addFault(std::move(rule));
}

void FakePlatforms::hang(const std::regex& pattern, std::chrono::milliseconds duration, int times) {
  FaultRule rule = patternRule(FaultRule::Kind::hang, pattern, times);
  rule.duration = duration;
  impl_->addFault(std::move(rule));
}

void FakePlatforms::malformed(const std::string& prefix, int times) {
  impl_->addFault(prefixRule(FaultRule::Kind::malformed, prefix, times));
}

void FakePlatforms::malformed(const std::regex& pattern, int times) {
  impl_->addFault(patternRule(FaultRule::Kind::malformed, pattern, times));
}

void FakePlatforms::clearFaults() {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.clear();
}

void FakePlatforms::setQuotaUsed(int units) {
  std::lock_guard lock(impl_->mutex);
  impl_->state->setQuotaUsed(units);
}

int FakePlatforms::quotaUsed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state->quotaUsed();
}

void FakePlatforms::setOnAir(Platform platform, const std::string& id, bool onAir) {
  std::lock_guard lock(impl_->mutex);
  impl_->state->setOnAir(platform, id, onAir);
}

void FakePlatforms::setViewers(Platform platform, const std::string& id, long long viewers) {
  std::lock_guard lock(impl_->mutex);
  impl_->state->setViewers(platform, id, viewers);
}

void FakePlatforms::setYoutubeVideoSnippet(const std::string& id, nlohmann::json snippet) {
  std::lock_guard lock(impl_->mutex);
  impl_->state->setYoutubeVideoSnippet(id, std::move(snippet));
}

std::set<std::string> FakePlatforms::secretsReceived() const {
  static const std::regex field(
      R"((?:^|[&?])(?:access_token|refresh_token|fb_exchange_token|client_secret|device_code|code|password)=([^&]+))");
  std::set<std::string> secrets;
  for (const auto& request : requests()) {
    const auto bearer = request.header("Authorization");
    if (bearer.rfind("Bearer ", 0) == 0) secrets.insert(bearer.substr(7));
    for (const auto* text : {&request.query, &request.body}) {
      for (auto it = std::sregex_iterator(text->begin(), text->end(), field); it != std::sregex_iterator(); ++it) {
        if ((*it)[1].length() >= 8) secrets.insert((*it)[1].str());
      }
    }
  }
  return secrets;
}

std::vector<RecordedRequest> FakePlatforms::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::size_t FakePlatforms::requestCount(std::string_view path) const {
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->counts.find(std::string(path));
  return found == impl_->counts.end() ? 0 : found->second;
}

std::map<std::string, std::size_t> FakePlatforms::requestCounts() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->counts;
}

bool FakePlatforms::waitForRequests(std::string_view path, std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  std::string key(path);
  return impl_->arrived.wait_for(lock, timeout, [&] {
    auto found = impl_->counts.find(key);
    return found != impl_->counts.end() && found->second >= count;
  });
}

std::optional<nlohmann::json> FakePlatforms::youtubeVideo(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state->youtubeVideo(id);
}

std::optional<std::string> FakePlatforms::youtubeBroadcastStatus(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state->youtubeBroadcastStatus(id);
}

std::optional<std::string> FakePlatforms::facebookLive(const std::string& id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state->facebookLive(id);
}

int FakePlatforms::liveCount(Platform platform) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state->liveCount(platform);
}

std::string FakePlatforms::addChatMessage(Platform platform, const std::string& liveId, FakeChatMessage message) {
  std::vector<FakeChatMessage> one;
  one.push_back(std::move(message));
  return addChatMessages(platform, liveId, std::move(one)).front();
}

std::vector<std::string> FakePlatforms::addChatMessages(Platform platform, const std::string& liveId,
                                                        std::vector<FakeChatMessage> messages) {
  std::lock_guard lock(impl_->mutex);
  return impl_->state->addChatMessages(platform, liveId, std::move(messages));
}

void FakePlatforms::deleteChatMessage(Platform platform, const std::string& liveId, const std::string& messageId) {
  std::lock_guard lock(impl_->mutex);
  impl_->state->deleteChatMessage(platform, liveId, messageId);
}

void FakePlatforms::endChat(Platform platform, const std::string& liveId) {
  std::lock_guard lock(impl_->mutex);
  impl_->state->endChat(platform, liveId);
}

std::vector<ChatReply> FakePlatforms::chatReplies() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state->chatReplies();
}

std::size_t FakePlatforms::chatPagesServed(Platform platform) const {
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->chatPages.find(platform);
  return found == impl_->chatPages.end() ? 0 : found->second.count;
}

std::optional<std::chrono::steady_clock::time_point> FakePlatforms::lastChatPageServed(Platform platform) const {
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->chatPages.find(platform);
  return found == impl_->chatPages.end() ? std::nullopt : found->second.last;
}

void FakePlatforms::onChatPageServed(ChatPageHook hook) {
  std::lock_guard lock(impl_->mutex);
  impl_->chatPageHook = std::move(hook);
}

}  // namespace tribune::testing
