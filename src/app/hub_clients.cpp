// The hub and its clients (consoles, tablets, viewers): the websocket protocol and the
// REST mirror (docs/PROTOCOL.md), status pushes, /metrics. The web server's thread only
// posts here (WebListener); everything below runs on the hub thread.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <sstream>

#include "app/hub.h"
#include "app/hub_internal.h"
#include "core/protocol.h"
#include "graphics/qr_svg.h"

namespace tribune::app {
namespace {

constexpr std::size_t kMaxMessageBytes = 16 * 1024;
constexpr std::size_t kMaxResumeEvents = 5000;  // beyond, a fresh snapshot is cheaper

// Where a tablet on the town hall's Wi-Fi reaches this machine.
std::string lanAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "127.0.0.1";
  std::string found = "127.0.0.1";
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
    if (std::string(text).rfind("127.", 0) != 0) {
      found = text;
      break;
    }
  }
  freeifaddrs(list);
  return found;
}

// Event types a viewer may receive; nothing while the session is closed to the public.
bool viewerMaySee(const core::MeetingEvent& event, bool publicOutputsCut) {
  if (publicOutputsCut && event.type != "session_changed") return false;
  return event.type == "session_changed" || event.type == "item_changed" || event.type == "vote_recorded";
}

std::string jsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

web::HttpResponse jsonResponse(int status, const nlohmann::json& body) {
  return {status, "application/json", jsonText(body)};
}

web::HttpResponse errorResponse(core::StatusCode code, const std::string& message) {
  return {static_cast<int>(code), "application/json", core::error(code, message)};
}

}  // namespace

void Hub::startWeb() {
  web::WebSettings settings;
  settings.address = options_.config.web.address;
  settings.port = options_.webPortOverride.value_or(options_.config.web.port);
  settings.root = options_.shareDir / "web";
  if (options_.config.web.tlsCertificate) settings.tlsCertificate = *options_.config.web.tlsCertificate;
  if (options_.config.web.tlsKey) settings.tlsKey = *options_.config.web.tlsKey;
  settings.maxMessageBytes = kMaxMessageBytes;
  web_ = std::make_unique<web::WebServer>(settings, static_cast<web::WebListener&>(*this));
  hubLogger()->info("console web / web console: listening on {}:{}", settings.address, web_->port());
}

int Hub::webPort() const { return web_ ? web_->port() : 0; }

std::string Hub::consoleUrl(core::Role role) const {
  const bool tls = options_.config.web.tlsCertificate.has_value();
  const std::string host =
      role == core::Role::Technician || options_.config.web.address == "127.0.0.1"
          ? "127.0.0.1"
          : (options_.config.web.address == "0.0.0.0" ? lanAddress() : options_.config.web.address);
  const char* page = role == core::Role::Technician  ? "console"
                     : role == core::Role::Mayor     ? "mayor"
                     : role == core::Role::Moderator ? "moderator"
                                                     : "viewer";
  std::string url =
      std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(webPort()) + "/" + page + "/";
  // In the fragment: a browser never sends it to a server, so no log anywhere holds it.
  if (role != core::Role::Viewer && tokens_) url += "#token=" + tokens_->tokenOf(role).reveal();
  return url;
}

// ---- web::WebListener: the web thread posts, nothing more ----

void Hub::onOpen(web::ConnectionId connection, std::string peerAddress) {
  boost::asio::post(io_, [this, connection, peer = std::move(peerAddress)] {
    clients_[connection] = Client{std::nullopt, peer};
  });
}

void Hub::onMessage(web::ConnectionId connection, std::string text) {
  boost::asio::post(io_, [this, connection, text = std::move(text)] { handleMessage(connection, text); });
}

void Hub::onClose(web::ConnectionId connection) {
  boost::asio::post(io_, [this, connection] { clients_.erase(connection); });
}

void Hub::onHttpRequest(web::HttpRequest request) {
  boost::asio::post(io_, [this, request = std::move(request)] { handleHttp(request); });
}

// ---- the protocol ----

void Hub::handleMessage(web::ConnectionId connection, const std::string& text) {
  auto client = clients_.find(connection);
  if (client == clients_.end() || !web_) return;
  auto parsed = core::parseClientMessage(text, kMaxMessageBytes);
  if (!parsed.ok()) {
    web_->send(connection, core::error(parsed.status, parsed.error, parsed.id));
    return;
  }
  const auto& message = *parsed.message;
  switch (message.kind) {
    case core::MessageKind::Hello: {
      auto role = tokens_->roleOf(message.hello.token);
      if (!role) {
        web_->send(connection,
                   core::error(core::StatusCode::InvalidToken,
                               "Jeton inconnu : rouvrez le lien ou le QR code donné par la console.", message.id));
        return;
      }
      client->second.role = role;
      const auto since = message.hello.since;
      // Resume from a sequence number when the client knew this meeting and the gap is small.
      std::vector<store::StoredEvent> missed;
      bool resumable = false;
      if (since && *since <= lastSeq_) {
        missed = store_->readSince(*since, kMaxResumeEvents + 1);
        resumable =
            missed.size() <= kMaxResumeEvents &&
            std::all_of(missed.begin(), missed.end(), [&](const auto& e) { return e.meeting == meeting_.id(); }) &&
            (missed.empty() || *since + 1 >= missed.front().seq);
      }
      web_->send(connection,
                 core::welcome(*role, lastSeq_, resumable ? nlohmann::json(nullptr) : clientSnapshot(*role)));
      if (resumable) {
        for (const auto& stored : missed) {
          core::MeetingEvent event{stored.type, nlohmann::json::parse(stored.data, nullptr, false), core::Clock::now()};
          if (*role == core::Role::Viewer && !viewerMaySee(event, meeting_.publicOutputsCut())) continue;
          web_->send(connection, core::event(stored.seq, core::toJson(event)));
        }
      }
      if (*role == core::Role::Technician) web_->send(connection, jsonText(statusJson()));
      return;
    }
    case core::MessageKind::Ping:  // docs/PROTOCOL.md: a result with status ok
      web_->send(connection, core::result(message.id, core::DispatchResult{}));
      return;
    case core::MessageKind::Command: {
      if (!client->second.role) {
        web_->send(connection,
                   core::error(core::StatusCode::HelloRequired, "Présentez-vous d'abord (message hello).", message.id));
        return;
      }
      command(*client->second.role, message.request(),
              [this, connection, id = message.id](core::DispatchResult result) {
                if (web_ && clients_.count(connection) != 0) web_->send(connection, core::result(id, result));
              });
      return;
    }
  }
}

void Hub::handleHttp(const web::HttpRequest& request) {
  auto respond = [this, id = request.id](web::HttpResponse response) {
    if (web_) web_->respond(id, std::move(response));
  };
  const auto role = tokens_->roleOf(request.bearerToken);
  if (!role) return respond(errorResponse(core::StatusCode::InvalidToken, "Jeton inconnu."));
  if (request.path == "/api/commands") {
    if (request.method != "POST") return respond(jsonResponse(405, {{"status", "method_not_allowed"}}));
    auto parsed = core::parseClientMessage(request.body, kMaxMessageBytes);
    if (!parsed.ok()) return respond(errorResponse(parsed.status, parsed.error));
    if (parsed.message->kind != core::MessageKind::Command) {
      return respond(errorResponse(core::StatusCode::UnknownType, "Seules les commandes passent par /api/commands."));
    }
    const auto id = parsed.message->id;
    command(*role, parsed.message->request(), [respond, id](core::DispatchResult result) {
      respond({result.code, "application/json", core::result(id, result)});
    });
    return;
  }
  if (request.path == "/api/snapshot" && request.method == "GET")
    return respond(jsonResponse(200, clientSnapshot(*role)));
  if (request.path == "/api/preview.jpg" && request.method == "GET") {
    if (*role != core::Role::Technician)
      return respond(errorResponse(core::StatusCode::Forbidden, "Réservé au technicien."));
    if (preview_.empty()) return respond(jsonResponse(503, {{"status", "no_preview_yet"}}));
    return respond({200, "image/jpeg", preview_});
  }
  if (request.path == "/api/pairing" && request.method == "GET") {
    if (*role != core::Role::Technician)
      return respond(errorResponse(core::StatusCode::Forbidden, "Réservé au technicien."));
    nlohmann::json pairing = nlohmann::json::object();
    for (auto other : {core::Role::Mayor, core::Role::Moderator}) {
      const auto url = consoleUrl(other);
      pairing[std::string(core::toString(other))] = {{"url", url}, {"qr_svg", graphics::qrCodeSvg(url)}};
    }
    return respond(jsonResponse(200, pairing));
  }
  respond(errorResponse(core::StatusCode::UnknownType, "Pas de telle ressource : " + request.path));
}

void Hub::publish(const std::vector<core::MeetingEvent>& events, const std::vector<std::uint64_t>& seqs) {
  if (!web_) return;
  const bool cut = meeting_.publicOutputsCut();
  for (std::size_t i = 0; i < events.size() && i < seqs.size(); ++i) {
    const std::string text = core::event(seqs[i], core::toJson(events[i]));
    std::vector<web::ConnectionId> to;
    for (const auto& [connection, client] : clients_) {
      if (!client.role) continue;
      if (*client.role == core::Role::Viewer && !viewerMaySee(events[i], cut)) continue;
      to.push_back(connection);
    }
    if (!to.empty()) web_->broadcast(to, text);
  }
}

std::vector<web::ConnectionId> Hub::clientsWithRole(std::optional<core::Role> role) const {
  std::vector<web::ConnectionId> out;
  for (const auto& [connection, client] : clients_) {
    if (client.role && (!role || *client.role == *role)) out.push_back(connection);
  }
  return out;
}

// What a client sees on connecting: everything for the staff, the public part for viewers.
nlohmann::json Hub::clientSnapshot(core::Role role) const {
  auto snapshot = meeting_.snapshot();
  if (role == core::Role::Viewer) {
    nlohmann::json publicPart = {
        {"id", snapshot["id"]}, {"agenda", snapshot["agenda"]}, {"session", snapshot["session"]}};
    if (!meeting_.publicOutputsCut()) {
      publicPart["current_item"] = snapshot["current_item"];
      publicPart["votes"] = snapshot["votes"];
    }
    return publicPart;
  }
  if (role == core::Role::Technician) snapshot["status"] = statusJson();
  return snapshot;
}

nlohmann::json Hub::statusJson() const {
  const auto s = makeSnapshot();
  nlohmann::json destinations = nlohmann::json::array();
  for (const auto& d : s.destinations) {
    nlohmann::json failure = nullptr;
    if (!d.failureCode.empty()) {
      failure = {{"code", d.failureCode},
                 {"reason", d.failureReason},
                 {"advice", d.failureAdvice},
                 {"detail", d.failureDetail}};
    }
    destinations.push_back(
        {{"name", d.name},
         {"platform", d.platform},
         {"url", d.url},
         {"enabled", d.enabled},
         {"phase", d.phase},
         {"attempt", d.attempt},
         {"reconnects", d.reconnects},
         {"next_try_s", d.nextTryInSeconds ? nlohmann::json(*d.nextTryInSeconds) : nlohmann::json(nullptr)},
         {"last_failure", failure},
         {"bytes_sent", d.bytesSent},
         {"bitrate_kbps", d.bitrateKbps},
         {"uptime_s", d.uptimeSeconds},
         {"dropped", d.droppedBuffers}});
  }
  nlohmann::json layers = nlohmann::json::object();
  for (const auto& l : s.layers)
    layers[l.name] = {{"visible", l.visible}, {"template", l.templateName}, {"error", l.lastError}};
  return {{"type", "status"},
          {"broadcast", {{"running", s.running}, {"destinations", destinations}}},
          {"program", {{"frames", s.framesEncoded}, {"dropped", s.framesDropped}, {"cpu", s.cpuLoad}}},
          {"recording", {{"path", s.recordingPath}, {"bytes", s.recordingBytes}, {"paused", recordingPaused_}}},
          {"layers", layers}};
}

void Hub::pushStatus() {
  if (!web_) return;
  const auto technicians = clientsWithRole(core::Role::Technician);
  if (!technicians.empty()) web_->broadcast(technicians, jsonText(statusJson()));
  web_->setMetrics(metricsText());
}

std::string Hub::metricsText() const {
  const auto s = makeSnapshot();
  std::ostringstream m;
  m << "# HELP tribune_destination_live 1 when the destination publishes.\n# TYPE tribune_destination_live gauge\n";
  for (const auto& d : s.destinations)
    m << "tribune_destination_live{destination=\"" << d.name << "\"} " << (d.phase == "live" ? 1 : 0) << "\n";
  m << "# HELP tribune_destination_bitrate_kbps Bitrate sent.\n# TYPE tribune_destination_bitrate_kbps gauge\n";
  for (const auto& d : s.destinations)
    m << "tribune_destination_bitrate_kbps{destination=\"" << d.name << "\"} " << d.bitrateKbps << "\n";
  m << "# HELP tribune_destination_reconnects_total Times it came back live.\n# TYPE "
       "tribune_destination_reconnects_total counter\n";
  for (const auto& d : s.destinations)
    m << "tribune_destination_reconnects_total{destination=\"" << d.name << "\"} " << d.reconnects << "\n";
  m << "# HELP tribune_frames_encoded_total Frames encoded.\n# TYPE tribune_frames_encoded_total counter\n"
    << "tribune_frames_encoded_total " << s.framesEncoded << "\n";
  m << "# HELP tribune_frames_dropped_total Frames dropped to hold 30 fps.\n# TYPE tribune_frames_dropped_total "
       "counter\n"
    << "tribune_frames_dropped_total " << s.framesDropped << "\n";
  m << "# HELP tribune_cpu_load Process CPU seconds per second.\n# TYPE tribune_cpu_load gauge\n"
    << "tribune_cpu_load " << s.cpuLoad << "\n";
  m << "# HELP tribune_recording_bytes Size of the recording.\n# TYPE tribune_recording_bytes gauge\n"
    << "tribune_recording_bytes " << s.recordingBytes << "\n";
  m << "# HELP tribune_session_state The session's state.\n# TYPE tribune_session_state gauge\n";
  for (auto state : {core::SessionState::PreSeance, core::SessionState::Ouverte, core::SessionState::Suspension,
                     core::SessionState::HuisClos, core::SessionState::Levee, core::SessionState::QuestionsPublic,
                     core::SessionState::Terminee}) {
    m << "tribune_session_state{state=\"" << core::toString(state) << "\"} " << (meeting_.state() == state ? 1 : 0)
      << "\n";
  }
  if (web_) {
    const auto w = web_->stats();
    m << "# HELP tribune_connections Open websocket connections.\n# TYPE tribune_connections gauge\n"
      << "tribune_connections " << w.connections << "\n"
      << "# HELP tribune_slow_clients_dropped_total Clients dropped for not keeping up.\n"
      << "# TYPE tribune_slow_clients_dropped_total counter\ntribune_slow_clients_dropped_total "
      << w.droppedSlowClients << "\n";
  }
  if (store_) {
    const auto st = store_->stats();
    m << "# HELP tribune_events_total Events written to the log.\n# TYPE tribune_events_total counter\n"
      << "tribune_events_total " << st.events << "\n";
  }
  return m.str();
}

}  // namespace tribune::app
