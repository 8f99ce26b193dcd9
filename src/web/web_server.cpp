// WebServer: life cycle of the lws context and its thread, the public thread-safe calls,
// and the single lws callback (a trampoline that lets no exception through).
//
// Threading contract: see web_server_impl.h. In short: the constructor creates the libev
// loop and the lws context on the caller's thread and starts the web thread, which alone
// runs the loop (so lws and the listener); other threads only queue into the Outbox (whose
// wake calls lws_cancel_service) or set the health/metrics documents; the destructor stops
// the Outbox, wakes the loop, joins, and the web thread destroys the context on its way
// out.
//
// Lock order: documentsMutex_ and the Outbox's mutex are leaves (never nested).
#include <arpa/inet.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "web/web_server_impl.h"
#include "web/wire_text.h"

namespace tribune::web {
namespace {

// Idle websocket connections are pinged, and dropped when nothing came back.
constexpr std::uint16_t kPingAfterIdleSeconds = 30;
constexpr std::uint16_t kHangUpAfterIdleSeconds = 75;

bool isIpv4Literal(const std::string& address) {
  in_addr parsed{};
  return inet_pton(AF_INET, address.c_str(), &parsed) == 1;
}

// Callbacks about one connection: when they fail, closing that connection is the answer.
bool concernsOneConnection(lws_callback_reasons reason) {
  switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
    case LWS_CALLBACK_PROTOCOL_INIT:
    case LWS_CALLBACK_PROTOCOL_DESTROY:
    case LWS_CALLBACK_WSI_CREATE:
    case LWS_CALLBACK_WSI_DESTROY:
    case LWS_CALLBACK_CLOSED:
    case LWS_CALLBACK_CLOSED_HTTP: return false;
    default: return true;
  }
}

// How long the goodbye (close 1001) to websocket clients may delay the destructor.
constexpr ev_tstamp kGoodbyeSeconds = 0.5;

// lws 4.1's libev glue re-arms its one timer (the soonest of lws' timers: an API answer's
// deadline, a connection's timeout, the idle pings) with ev_timer_set, which does nothing
// to a timer already running: a deadline 200 ms away waited behind the next idle ping,
// 30 s later. lws also looks at its timers after every event it serves, so this tick
// wakes it (through its own cancel pipe) often enough that none is late by more than it.
constexpr ev_tstamp kLwsTimerTickSeconds = 0.05;

void onLwsTimerTick(struct ev_loop* /*loop*/, ev_timer* timer, int /*events*/) {
  lws_cancel_service(static_cast<lws_context*>(timer->data));
}

void onGoodbyeDeadline(struct ev_loop* loop, ev_timer* timer, int /*events*/) {
  *static_cast<bool*>(timer->data) = true;
  ev_break(loop, EVBREAK_ONE);
}

}  // namespace

WebServer::Impl::Impl(WebSettings settings, WebListener& listener)
    : settings_(std::move(settings)),
      listener_(listener),
      mounts_(settings_.root, settings_.servedPrefixes, kProtocolName) {
  routeLwsLogging();
  if (settings_.tlsCertificate.has_value() != settings_.tlsKey.has_value()) {
    throw std::runtime_error("web: TLS needs both a certificate and a key");
  }
  if (settings_.tlsCertificate) {
    for (const std::filesystem::path& file : {*settings_.tlsCertificate, *settings_.tlsKey}) {
      std::error_code error;
      if (!std::filesystem::is_regular_file(file, error))
        throw std::runtime_error("web: TLS file not found: " + file.string());
    }
  }

  protocols_[0].name = kProtocolName;
  protocols_[0].callback = &Impl::trampoline;
  // protocols_[1] stays zeroed: the terminator.

  // epoll, and no signal handling of libev's own: the application owns its signals.
  loop_.reset(ev_loop_new(static_cast<unsigned>(EVBACKEND_EPOLL) | static_cast<unsigned>(EVFLAG_NOSIGMASK)));
  if (!loop_) throw std::runtime_error("web: cannot create the event loop (libev on epoll)");
  foreignLoops_[0] = loop_.get();

  lws_context_creation_info contextInfo;
  std::memset(&contextInfo, 0, sizeof contextInfo);
  // UTF-8 validation is read from the context options by the websocket parser.
  contextInfo.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_LIBEV;
  // A foreign loop: lws registers its descriptors and timers in ours, installs no signal
  // watcher, and leaves running the loop to run().
  contextInfo.foreign_loops = foreignLoops_.data();
  if (settings_.tlsCertificate) contextInfo.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  contextInfo.port = CONTEXT_PORT_NO_LISTEN;
  contextInfo.gid = -1;
  contextInfo.uid = -1;
  contextInfo.user = this;
  contextOwner_.reset(lws_create_context(&contextInfo));
  if (!contextOwner_) {
    throw std::runtime_error(
        "web: libwebsockets could not create its context (its libev plugin comes with the package "
        "libwebsockets-evlib-ev)");
  }
  context_ = contextOwner_.get();

  address_ = settings_.address;
  idlePolicy_.secs_since_valid_ping = kPingAfterIdleSeconds;
  idlePolicy_.secs_since_valid_hangup = kHangUpAfterIdleSeconds;

  lws_context_creation_info vhostInfo;
  std::memset(&vhostInfo, 0, sizeof vhostInfo);
  vhostInfo.vhost_name = "tribune";
  vhostInfo.port = settings_.port;
  vhostInfo.iface = address_.empty() ? nullptr : address_.c_str();
  vhostInfo.protocols = protocols_.data();
  vhostInfo.mounts = mounts_.first();
  vhostInfo.retry_and_idle_policy = &idlePolicy_;
  vhostInfo.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
  if (!address_.empty() && isIpv4Literal(address_)) vhostInfo.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  if (settings_.tlsCertificate) {
    certificate_ = settings_.tlsCertificate->string();
    key_ = settings_.tlsKey->string();
    vhostInfo.ssl_cert_filepath = certificate_.c_str();
    vhostInfo.ssl_private_key_filepath = key_.c_str();
    // lws enables TLS on a vhost only when its own options ask for it, not the context's.
    vhostInfo.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    // The websocket and the deferred REST answers are written for HTTP/1.1.
    vhostInfo.alpn = "http/1.1";
  }
  lws_vhost* vhost = lws_create_vhost(context_, &vhostInfo);
  if (vhost == nullptr) {
    throw std::runtime_error("web: cannot listen on " + (address_.empty() ? std::string("*") : address_) + ":" +
                             std::to_string(settings_.port) + " (port in use, or address not on this machine?)");
  }
  port_ = lws_get_vhost_listen_port(vhost);

  lws_context* context = context_;
  outbox_ = std::make_unique<Outbox>(settings_.maxQueuedMessages, [context] { lws_cancel_service(context); });
  thread_ = std::thread([this] { run(); });
  webLogger()->info("web: listening on {}:{}{}", address_.empty() ? "*" : address_, port_,
                    settings_.tlsCertificate ? " (TLS)" : "");
}

WebServer::Impl::~Impl() {
  stopping_ = true;
  outbox_->stop(/*wakeLoop=*/true);
  if (thread_.joinable()) thread_.join();
}

void WebServer::Impl::run() {
  ev_timer_init(&lwsTimerTick_, onLwsTimerTick, kLwsTimerTickSeconds, kLwsTimerTickSeconds);
  lwsTimerTick_.data = context_;
  ev_timer_start(loop_.get(), &lwsTimerTick_);
  // Until applyOutboxWork sees stopping_ and breaks it. ev_run also returns when nothing
  // is watched any more, which with the listening socket watched means lws gave up.
  while (!stopping_) {
    if (ev_run(loop_.get(), 0) == 0 && !stopping_) {
      webLogger()->error("web: the event loop has nothing left to watch; the web server stops");
      break;
    }
  }
  outbox_->stop(/*wakeLoop=*/false);  // from here on nobody calls lws_cancel_service
  closeEverything();
  ev_timer_stop(loop_.get(), &lwsTimerTick_);
  contextOwner_.reset();  // closes what is left; CLOSED callbacks still reach the listener
  context_ = nullptr;
}

void WebServer::Impl::closeEverything() {
  if (connections_.empty()) return;
  for (auto& [id, connection] : connections_) {
    if (connection.closing) continue;
    connection.closing = true;
    static constexpr char kReason[] = "server stopping";
    lws_close_reason(connection.wsi, LWS_CLOSE_STATUS_GOINGAWAY,
                     reinterpret_cast<unsigned char*>(const_cast<char*>(kReason)), sizeof kReason - 1);
    lws_callback_on_writable(connection.wsi);
  }
  goodbyeDeadlinePassed_ = false;
  ev_timer_init(&goodbyeDeadline_, onGoodbyeDeadline, kGoodbyeSeconds, 0.);
  goodbyeDeadline_.data = &goodbyeDeadlinePassed_;
  ev_timer_start(loop_.get(), &goodbyeDeadline_);
  while (!connections_.empty() && !goodbyeDeadlinePassed_) {
    if (ev_run(loop_.get(), EVRUN_ONCE) == 0) break;
  }
  ev_timer_stop(loop_.get(), &goodbyeDeadline_);
}

int WebServer::Impl::trampoline(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
  auto* self = wsi != nullptr ? static_cast<Impl*>(lws_context_user(lws_get_context(wsi))) : nullptr;
  if (self == nullptr) return lws_callback_http_dummy(wsi, reason, user, in, len);
  try {
    return self->handle(wsi, reason, user, in, len);
  } catch (const std::exception& error) {
    try {
      webLogger()->error("web: callback {} failed: {}", static_cast<int>(reason), error.what());
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may unwind into lws
    }
  } catch (...) {
    try {
      webLogger()->error("web: callback {} failed with an unknown exception", static_cast<int>(reason));
    } catch (...) {  // NOLINT(bugprone-empty-catch)
    }
  }
  return concernsOneConnection(reason) ? -1 : 0;
}

int WebServer::Impl::handle(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
  switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: applyOutboxWork(); return 0;

    case LWS_CALLBACK_HTTP: return onHttpRequest(wsi);
    case LWS_CALLBACK_HTTP_BODY: return onHttpBody(wsi, static_cast<const char*>(in), len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION: return onHttpBodyComplete(wsi);
    case LWS_CALLBACK_HTTP_WRITEABLE:
      if (exchangeOf(wsi) != nullptr) return onHttpWriteable(wsi);
      break;
    case LWS_CALLBACK_TIMER: return onHttpTimer(wsi);
    case LWS_CALLBACK_ADD_HEADERS: return addStaticFileHeaders(wsi, static_cast<lws_process_html_args*>(in));
    case LWS_CALLBACK_CLOSED_HTTP: forgetExchange(wsi); break;

    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: return confirmUpgrade(wsi);
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: return acceptWebsocket(wsi);
    case LWS_CALLBACK_ESTABLISHED: return onWebsocketOpen(wsi);
    case LWS_CALLBACK_RECEIVE: return onWebsocketReceive(wsi, static_cast<const char*>(in), len);
    case LWS_CALLBACK_SERVER_WRITEABLE: return onWebsocketWriteable(wsi);
    case LWS_CALLBACK_CLOSED: onWebsocketClosed(wsi); return 0;

    case LWS_CALLBACK_WSI_DESTROY: forgetWsi(wsi); break;
    default: break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

void WebServer::Impl::applyOutboxWork() {
  if (stopping_) {
    ev_break(loop_.get(), EVBREAK_ALL);  // run() says goodbye and destroys the context
    return;
  }
  Outbox::Work work = outbox_->takeWork();
  // Before the writes: a peer answered after setMessageLimit must find the limit in place.
  for (const auto& [id, bytes] : work.messageLimits) {
    auto found = connections_.find(id);
    if (found != connections_.end()) found->second.maxMessageBytes = bytes;
  }
  for (ConnectionId id : work.writable) {
    auto found = connections_.find(id);
    if (found != connections_.end()) writeSoon(id, found->second);
  }
  for (ConnectionId id : work.slow) {
    auto found = connections_.find(id);
    if (found != connections_.end()) dropSlow(id, found->second);
  }
  for (auto& [id, response] : work.responses) {
    auto found = exchanges_.find(id);
    if (found == exchanges_.end()) continue;  // the client left: the answer is dropped
    answer(found->second, std::move(response));
  }
}

void WebServer::Impl::forgetWsi(lws* wsi) {
  // Normally CLOSED / CLOSED_HTTP did this already; WSI_DESTROY is lws' last word on a
  // wsi, so after it the pointer may be reused and must not stay in our maps.
  forgetExchange(wsi);
  onWebsocketClosed(wsi);
  releaseClientAddress(wsi);  // an upgrade that never opened
}

// ---- public API ----

WebServer::WebServer(WebSettings settings, WebListener& listener)
    : impl_(std::make_unique<Impl>(std::move(settings), listener)) {}

WebServer::~WebServer() = default;

int WebServer::port() const { return impl_->port_; }

void WebServer::send(ConnectionId connection, std::string text) {
  Outbox::Message message{std::make_shared<const std::string>(std::move(text)), false};
  if (impl_->outbox_->push(connection, std::move(message)) == Outbox::Pushed::Overflow) ++impl_->droppedSlowClients_;
}

void WebServer::broadcast(const std::vector<ConnectionId>& connections, std::string text) {
  const Outbox::Message message{std::make_shared<const std::string>(std::move(text)), false};
  impl_->droppedSlowClients_ += impl_->outbox_->pushToMany(connections, message);
}

void WebServer::sendBinary(ConnectionId connection, std::string bytes) {
  Outbox::Message message{std::make_shared<const std::string>(std::move(bytes)), true};
  if (impl_->outbox_->push(connection, std::move(message)) == Outbox::Pushed::Overflow) ++impl_->droppedSlowClients_;
}

void WebServer::close(ConnectionId connection, std::string reason) {
  // A close frame carries at most 123 bytes of reason.
  if (reason.size() > 123) reason = truncateUtf8(reason, 123);
  impl_->outbox_->requestClose(connection, std::move(reason));
}

void WebServer::setMessageLimit(ConnectionId connection, std::size_t bytes) {
  impl_->outbox_->setMessageLimit(connection, bytes);
}

void WebServer::respond(RequestId request, HttpResponse response) {
  impl_->outbox_->respond(request, std::move(response));
}

void WebServer::setMetrics(std::string prometheusText) {
  std::lock_guard lock(impl_->documentsMutex_);
  impl_->metrics_ = std::move(prometheusText);
}

void WebServer::setHealth(int status, std::string body) {
  std::lock_guard lock(impl_->documentsMutex_);
  impl_->healthStatus_ = status;
  impl_->healthBody_ = std::move(body);
}

WebStats WebServer::stats() const {
  WebStats stats;
  stats.connections = impl_->connectionsOpen_.load();
  stats.messagesIn = impl_->messagesIn_.load();
  stats.messagesOut = impl_->messagesOut_.load();
  stats.droppedSlowClients = impl_->droppedSlowClients_.load();
  stats.refusedOversized = impl_->refusedOversized_.load();
  stats.refusedOverCap = impl_->refusedOverCap_.load();
  return stats;
}

}  // namespace tribune::web
