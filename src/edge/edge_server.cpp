// `tribune edge`: see edge_server.h.
#include "edge/edge_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <array>
#include <sstream>

#include "core/forwarded.h"
#include "core/protocol.h"
#include "core/question_intake.h"
#include "edge/link_crypto.h"

namespace tribune::edge {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxViewerMessageBytes = 4 * 1024;             // as at the town hall (docs/QUESTIONS.md)
constexpr std::size_t kMaxHallMessageBytes = std::size_t{64} << 20;  // a whole snapshot of a long meeting
constexpr auto kLinkHeartbeat = 5s;
constexpr auto kLinkSilence = 15s;

std::shared_ptr<spdlog::logger> edgeLogger() {
  static auto log = [] {
    auto existing = spdlog::get("edge");
    return existing ? existing : spdlog::default_logger()->clone("edge");
  }();
  return log;
}

std::string jsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

web::WebSettings webSettings(const EdgeOptions& options) {
  const auto& config = options.config;
  web::WebSettings settings;
  settings.address = config.web.address;
  settings.port = options.webPortOverride.value_or(config.web.port);
  settings.root = options.shareDir / "web";
  if (config.web.tlsCertificate) settings.tlsCertificate = *config.web.tlsCertificate;
  if (config.web.tlsKey) settings.tlsKey = *config.web.tlsKey;
  settings.servedPrefixes = {"/seance/", "/viewer/", "/shared/"};
  settings.serveApi = false;
  settings.maxConnectionsPerAddress = config.maxConnectionsPerAddress;
  settings.maxMessageBytes = std::size_t{16} * 1024;
  const auto trusted = config.trustedProxies;
  settings.clientAddress = [trusted](const std::string& peer, const std::string& forwardedFor) {
    return core::clientAddress(peer, forwardedFor, trusted);
  };
  return settings;
}

BusSettings busSettings(const core::EdgeConfig& config) {
  BusSettings settings;
  settings.redis.host = config.redis.address.host;
  settings.redis.port = config.redis.address.port;
  settings.redis.tls = config.redis.address.tls;
  if (config.redis.caFile) settings.redis.caFile = *config.redis.caFile;
  settings.redis.user = config.redis.user;
  settings.redis.password = config.redis.password.reveal();
  settings.prefix = config.redis.keyPrefix;
  settings.edgeName = config.name.value_or("edge");
  settings.retention = config.dataRetention;
  return settings;
}

}  // namespace

EdgeServer::EdgeServer(EdgeOptions options)
    : options_(std::move(options)),
      questionsPerAddress_(options_.config.limits.questionsPerAddress),
      upvotesPerAddress_(options_.config.limits.upvotesPerAddress),
      messagesPerConnection_(options_.config.limits.messagesPerConnection) {
  web_ = std::make_unique<web::WebServer>(webSettings(options_), static_cast<web::WebListener&>(*this));
  web_->setHealth(503, R"({"status":"starting"})");
  bus_ = std::make_unique<RedisBus>(busSettings(options_.config), static_cast<BusListener&>(*this));
  edgeLogger()->info("edge {}: listening on {}:{}", name(), options_.config.web.address, web_->port());
}

EdgeServer::~EdgeServer() {
  bus_.reset();  // its threads post here
  web_.reset();
}

int EdgeServer::port() const { return web_->port(); }

void EdgeServer::requestStop() {
  boost::asio::post(io_, [this] {
    ticker_.cancel();
    io_.stop();
  });
}

int EdgeServer::run() {
  std::optional<boost::asio::signal_set> signals;
  if (options_.handleSignals) {
    signals.emplace(io_, SIGINT, SIGTERM);
    signals->async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) requestStop();
    });
  }
  tick();
  io_.run();
  return 0;
}

// ---- posted from the web thread ----

void EdgeServer::onOpen(web::ConnectionId connection, std::string peerAddress) {
  boost::asio::post(
      io_, [this, connection, address = std::move(peerAddress)] { connections_[connection].address = address; });
}

void EdgeServer::onMessage(web::ConnectionId connection, std::string text) {
  boost::asio::post(io_, [this, connection, text = std::move(text)] { handle(connection, text); });
}

void EdgeServer::onClose(web::ConnectionId connection) {
  boost::asio::post(io_, [this, connection] {
    const auto found = connections_.find(connection);
    if (found == connections_.end()) return;
    if (found->second.welcomed) {
      welcomed_.erase(connection);
      const auto range = byViewer_.equal_range(found->second.viewer);
      for (auto it = range.first; it != range.second; ++it) {
        if (it->second == connection) {
          byViewer_.erase(it);
          break;
        }
      }
    }
    connections_.erase(found);
    if (link_ == connection) {
      link_.reset();
      bus_->holdLink(false);
      edgeLogger()->warn("edge: town hall link closed");
    }
  });
}

void EdgeServer::onHttpRequest(web::HttpRequest request) {
  web_->respond(request.id, {404, "application/json", R"({"status":"not_found"})"});
}

// ---- what arrives ----

void EdgeServer::handle(web::ConnectionId id, const std::string& text) {
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  auto& connection = found->second;
  if (connection.kind == Kind::Hall) return handleHall(id, text);
  if (connection.kind == Kind::Unknown && text.find("\"link_hello\"") != std::string::npos) {
    connection.kind = Kind::HallHandshake;
    connection.handshake.emplace(options_.config.linkSecret, hmacSha256Hex, name());
    const auto step = connection.handshake->onHello(text, randomHex(16));
    if (!step.ok) return refuseLink(id, connection, step.failure);
    web_->send(id, step.reply);
    return;
  }
  if (connection.kind == Kind::HallHandshake) {
    const auto step = connection.handshake->onAuth(text);
    if (!step.ok) return refuseLink(id, connection, step.failure);
    web_->send(id, step.reply);
    const auto meeting = connection.handshake->meeting();
    if (link_ && *link_ != id) web_->close(*link_, "replaced by a new link");
    connection.kind = Kind::Hall;
    connection.handshake.reset();
    link_ = id;
    linkHeardAt_ = SteadyClock::now();
    linkHeartbeatAt_ = linkHeardAt_ + kLinkHeartbeat;
    web_->setMessageLimit(id, kMaxHallMessageBytes);
    bus_->holdLink(true);
    edgeLogger()->info("edge: town hall link up (meeting {})", meeting);
    if (!townHallReachable_) onTownHall(true);
    return;
  }
  connection.kind = Kind::Viewer;
  handleViewer(id, connection, text);
}

void EdgeServer::handleViewer(web::ConnectionId id, Connection& connection, const std::string& text) {
  if (const auto wait = messagesPerConnection_.admit(std::to_string(id), core::Clock::now())) {
    web_->send(id, core::error(core::StatusCode::RateLimited,
                               "Trop de messages : réessayez dans " + core::frenchDelay(*wait) + "."));
    return;
  }
  auto parsed = core::parseClientMessage(text, kMaxViewerMessageBytes);
  if (!parsed.ok()) {
    web_->send(id, core::error(parsed.status, parsed.error, parsed.id));
    return;
  }
  const auto& message = *parsed.message;
  switch (message.kind) {
    case core::MessageKind::Hello: {
      if (message.hello.token) {
        // Never a staff connection here, whatever the token: the staff work at the town hall.
        ++staffRefused_;
        web_->send(id, core::error(core::StatusCode::Forbidden,
                                   "Ce serveur public n'accepte que le public : la console, le modérateur et le maire "
                                   "se connectent à la mairie. / This public server only takes viewers.",
                                   message.id));
        return;
      }
      if (!connection.viewer.empty()) return;  // one hello per connection
      connection.viewer =
          message.hello.viewer && core::isValidViewerId(*message.hello.viewer) ? *message.hello.viewer : randomHex(32);
      connection.since = message.hello.since;
      if (mirror_.ready()) {
        welcome(id, connection);
      } else {
        web_->send(id, edgeStatus());  // the welcome follows the first snapshot
      }
      return;
    }
    case core::MessageKind::Ping: web_->send(id, core::result(message.id, core::DispatchResult{})); return;
    case core::MessageKind::Command: break;
  }
  if (connection.viewer.empty()) {
    web_->send(id, core::error(core::StatusCode::HelloRequired, "Présentez-vous d'abord (message hello).", message.id));
    return;
  }
  const auto request = message.request();
  const bool ask = request.type == "question.ask";
  if (!ask && request.type != "question.upvote") {
    ++staffRefused_;
    web_->send(id,
               core::error(core::StatusCode::Forbidden,
                           "Sur ce serveur public, seules les questions et les soutiens sont possibles.", message.id));
    return;
  }
  auto& limiter = ask ? questionsPerAddress_ : upvotesPerAddress_;
  if (const auto wait = limiter.admit(connection.address, core::Clock::now())) {
    ++questionsRefused_;
    core::DispatchResult limited{static_cast<int>(core::StatusCode::RateLimited),
                                 "rate_limited",
                                 (ask ? std::string("Trop de questions envoyées depuis votre connexion")
                                      : std::string("Trop de soutiens envoyés depuis votre connexion")) +
                                     " : réessayez dans " + core::frenchDelay(*wait) + ".",
                                 {{"retry_after_s", (wait->count() + 999) / 1000}}};
    web_->send(id, core::result(message.id, limited));
    return;
  }
  const auto params = request.params.is_object() ? request.params : nlohmann::json::object();
  bus_->add(
      ask ? "ask" : "upvote", connection.viewer, jsonText(params),
      [this, id, requestId = message.id](std::optional<std::string> ticket, std::string error) {
        boost::asio::post(io_, [this, id, requestId, ticket = std::move(ticket), error = std::move(error)] {
          if (connections_.count(id) == 0) return;
          if (!ticket) {
            ++questionsRefused_;
            edgeLogger()->warn("edge: a viewer's message not kept: {}", error);
            web_->send(id, core::result(requestId, core::DispatchResult{
                                                       static_cast<int>(core::StatusCode::Unavailable), "unavailable",
                                                       "Le serveur public ne peut pas garder votre message pour "
                                                       "l'instant : renvoyez-le dans un moment.",
                                                       nlohmann::json::object()}));
            return;
          }
          ++questionsReceived_;
          web_->send(id, core::result(requestId,
                                      core::DispatchResult{200, "ok", "", {{"ticket", *ticket}, {"received", true}}}));
        });
      });
}

void EdgeServer::welcome(web::ConnectionId id, Connection& connection) {
  const auto answer = mirror_.welcome(connection.viewer, connection.since);
  if (!answer) return;  // no snapshot yet: the first `full` welcomes everyone waiting
  web_->send(id, core::welcome(core::Role::Viewer, answer->seq, answer->snapshot, connection.viewer));
  for (const auto& text : answer->missed) web_->send(id, *text);
  web_->send(id, edgeStatus());
  if (!connection.welcomed) {
    connection.welcomed = true;
    welcomed_.insert(id);
    byViewer_.emplace(connection.viewer, id);
  }
}

void EdgeServer::handleHall(web::ConnectionId id, const std::string& text) {
  if (link_ != id) return;
  linkHeardAt_ = SteadyClock::now();
  if (text == core::kLinkHeartbeat) return;
  auto parsed = core::parseLinkMessage(text, kMaxHallMessageBytes);
  if (!parsed.ok() || !core::isFromHall(*parsed.message)) {
    ++hallMessagesRefused_;
    edgeLogger()->warn("edge: town hall message refused: {}", parsed.ok() ? "not the town hall's" : parsed.error);
    return;
  }
  if (const auto* logged = std::get_if<core::LinkLogged>(&*parsed.message)) {
    bus_->acknowledge(logged->ticket);  // after the messages before it: the asker hears of it first
  } else {
    bus_->publish(text, std::holds_alternative<core::LinkFull>(*parsed.message));
  }
}

void EdgeServer::refuseLink(web::ConnectionId id, Connection& connection, const std::string& reason) {
  ++linksRefused_;
  connection.handshake.reset();
  edgeLogger()->warn("edge: town hall link refused from {}: {}", connection.address, reason);
  web_->send(id, core::error(core::StatusCode::Forbidden, "Lien refusé / link refused"));
  web_->close(id, "link refused");
}

std::string EdgeServer::name() const { return options_.config.name.value_or("edge"); }

// ---- posted from the bus ----

void EdgeServer::onHallMessages(std::vector<std::string> texts) {
  boost::asio::post(io_, [this, texts = std::move(texts)] {
    for (const auto& text : texts) takeHallMessage(text);
  });
}

void EdgeServer::takeHallMessage(const std::string& text) {
  const auto message = nlohmann::json::parse(text, nullptr, false);
  const bool full = message.is_object() && message.value("type", "") == "full";
  const auto seqBefore = mirror_.ready() ? std::optional(mirror_.seq()) : std::nullopt;
  const auto meetingBefore = mirror_.ready() ? mirror_.meeting() : std::string();
  auto applied = mirror_.apply(message);
  if (!applied.ok()) {
    ++hallMessagesRefused_;
    edgeLogger()->warn("edge: message of the town hall refused: {}", applied.error);
    return;
  }
  ++hallMessagesApplied_;
  if (full) {
    // Viewers already here missed what happened while the town hall was away, or this is
    // another meeting: each gets its snapshot again. The others wait no longer.
    const bool gap = !seqBefore || *seqBefore != mirror_.seq() || meetingBefore != mirror_.meeting();
    for (auto& [id, connection] : connections_) {
      if (connection.kind != Kind::Viewer || connection.viewer.empty()) continue;
      if (connection.welcomed && !gap) continue;
      if (connection.welcomed) connection.since.reset();
      welcome(id, connection);
    }
    return;
  }
  if (!applied.outgoing) return;
  const auto& out = *applied.outgoing;
  if (out.to.empty()) {
    web_->broadcast(std::vector<web::ConnectionId>(welcomed_.begin(), welcomed_.end()), *out.text);
    return;
  }
  const auto range = byViewer_.equal_range(out.to);
  for (auto it = range.first; it != range.second; ++it) web_->send(it->second, *out.text);
}

void EdgeServer::onForward(std::vector<BusEntry> entries) {
  boost::asio::post(io_, [this, entries = std::move(entries)] {
    if (!link_) return;  // forwarded again to the next link
    for (const auto& entry : entries) {
      auto params = nlohmann::json::parse(entry.params, nullptr, false);
      if (!params.is_object()) params = nlohmann::json::object();
      web_->send(*link_, jsonText({{"type", "forward"},
                                   {"ticket", entry.ticket},
                                   {"kind", entry.kind},
                                   {"viewer", entry.viewer},
                                   {"params", std::move(params)}}));
    }
  });
}

void EdgeServer::onBusHealth(bool up, std::string error) {
  boost::asio::post(io_, [this, up, error = std::move(error)] {
    busUp_ = up;
    busError_ = error;
    refreshHealth();
  });
}

void EdgeServer::onTownHall(bool reachable) {
  boost::asio::post(io_, [this, reachable] {
    if (townHallReachable_ == reachable) return;
    townHallReachable_ = reachable;
    web_->broadcast(std::vector<web::ConnectionId>(welcomed_.begin(), welcomed_.end()), edgeStatus());
  });
}

// ---- time ----

void EdgeServer::tick() {
  const auto now = SteadyClock::now();
  if (link_) {
    if (now - linkHeardAt_ > kLinkSilence) {
      dropLink("the town hall has been silent for 15 s");
    } else if (now >= linkHeartbeatAt_) {
      web_->send(*link_, std::string(core::kLinkHeartbeat));
      linkHeartbeatAt_ = now + kLinkHeartbeat;
    }
  }
  web_->setMetrics(metrics());
  refreshHealth();
  ticker_.expires_after(1s);
  ticker_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

void EdgeServer::dropLink(const std::string& reason) {
  if (!link_) return;
  edgeLogger()->warn("edge: town hall link dropped: {}", reason);
  web_->close(*link_, reason);
  link_.reset();
  bus_->holdLink(false);
}

void EdgeServer::refreshHealth() {
  const nlohmann::json health{
      {"status", busUp_ ? "ok" : "redis_unreachable"},
      {"edge", name()},
      {"town_hall", townHallReachable_ ? "connected" : "unreachable"},
      {"link_here", link_.has_value()},
      {"meeting", mirror_.ready() ? nlohmann::json(mirror_.meeting()) : nlohmann::json(nullptr)}};
  web_->setHealth(busUp_ ? 200 : 503, jsonText(health));
}

std::string EdgeServer::edgeStatus() const {
  return jsonText({{"type", "edge_status"}, {"town_hall", townHallReachable_ ? "connected" : "unreachable"}});
}

std::string EdgeServer::metrics() const {
  const auto w = web_->stats();
  const auto b = bus_->stats();
  std::ostringstream m;
  const auto gauge = [&m](const char* name, const char* help, const char* type, auto value) {
    m << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n' << name << ' ' << value << '\n';
  };
  gauge("tribune_edge_connections", "Open websocket connections.", "gauge", w.connections);
  gauge("tribune_edge_viewers", "Viewers welcomed.", "gauge", welcomed_.size());
  gauge("tribune_edge_refused_over_cap_total", "Connections refused over the per-address cap.", "counter",
        w.refusedOverCap);
  gauge("tribune_edge_slow_clients_dropped_total", "Viewers dropped for not keeping up.", "counter",
        w.droppedSlowClients);
  gauge("tribune_edge_town_hall_reachable", "1 when an edge holds the town hall's link.", "gauge",
        townHallReachable_ ? 1 : 0);
  gauge("tribune_edge_link_here", "1 when this edge holds the town hall's link.", "gauge", link_ ? 1 : 0);
  gauge("tribune_edge_redis_up", "1 when Redis answers.", "gauge", busUp_ ? 1 : 0);
  gauge("tribune_edge_questions_received_total", "Questions and upvotes kept in Redis.", "counter", questionsReceived_);
  gauge("tribune_edge_questions_refused_total", "Questions and upvotes refused (limits, Redis down).", "counter",
        questionsRefused_);
  gauge("tribune_edge_staff_refused_total", "Staff tokens and commands refused.", "counter", staffRefused_);
  gauge("tribune_edge_links_refused_total", "Town hall links that could not prove the secret.", "counter",
        linksRefused_);
  gauge("tribune_edge_forwarded_total", "Entries forwarded to the town hall.", "counter", b.forwarded);
  gauge("tribune_edge_acknowledged_total", "Entries the town hall logged.", "counter", b.acknowledged);
  gauge("tribune_edge_claimed_total", "Pending entries claimed from other edges.", "counter", b.claimed);
  gauge("tribune_edge_hall_messages_total", "Town hall messages applied.", "counter", hallMessagesApplied_);
  gauge("tribune_edge_seq", "The town hall's last sequence number seen.", "gauge", mirror_.ready() ? mirror_.seq() : 0);
  return m.str();
}

}  // namespace tribune::edge
