// The hub and its clients (consoles, tablets, viewers): the websocket protocol and the
// REST mirror (docs/PROTOCOL.md), status pushes, /metrics. The web server's thread only
// posts here (WebListener); everything below runs on the hub thread.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <sstream>

#include "app/api_response.h"
#include "app/hub.h"
#include "app/hub_internal.h"
#include "core/protocol.h"
#include "core/questions_export.h"
#include "graphics/qr_svg.h"

namespace tribune::app {
namespace {

constexpr std::size_t kMaxMessageBytes = 16 * 1024;
constexpr std::size_t kMaxViewerMessageBytes = 4 * 1024;  // docs/QUESTIONS.md, "Limits"
constexpr std::size_t kMaxResumeEvents = 5000;            // beyond, a fresh snapshot is cheaper

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
// (Question events go to nobody as such: publishQuestions sends views.)
bool viewerMaySee(const core::MeetingEvent& event, bool publicOutputsCut) {
  if (publicOutputsCut && event.type != "session_changed") return false;
  if (event.type == "vote_recorded" && event.data.is_object() && event.data.value("huis_clos", false)) return false;
  return event.type == "session_changed" || event.type == "item_changed" || event.type == "vote_recorded";
}

// Who sees a question differently from the public: its author and its supporters.
std::set<std::string> authorAndSupporters(const core::Question& question) {
  std::set<std::string> people(question.voters.begin(), question.voters.end());
  if (!question.author.empty()) people.insert(question.author);
  return people;
}

}  // namespace

web::WebSettings Hub::webSettings(const HubOptions& options) {
  web::WebSettings settings;
  settings.address = options.config.web.address;
  settings.port = options.webPortOverride.value_or(options.config.web.port);
  settings.root = options.shareDir / "web";
  if (options.config.web.tlsCertificate) settings.tlsCertificate = *options.config.web.tlsCertificate;
  if (options.config.web.tlsKey) settings.tlsKey = *options.config.web.tlsKey;
  settings.maxMessageBytes = kMaxMessageBytes;
  return settings;
}

void Hub::startWeb() {
  const auto settings = webSettings(options_);
  ownWeb_ = std::make_unique<web::WebServer>(settings, static_cast<web::WebListener&>(*this));
  web_ = ownWeb_.get();
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
    clients_[connection] = Client{std::nullopt, peer, {}};
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
  const bool viewer = !client->second.role || *client->second.role == core::Role::Viewer;
  if (viewer) {
    // The public's connections: smaller messages, and not too many of them.
    if (const auto wait = messageLimiter_.admit(std::to_string(connection), core::Clock::now())) {
      ++refusedMessages_;
      web_->send(connection, core::error(core::StatusCode::RateLimited,
                                         "Trop de messages : réessayez dans " + core::frenchDelay(*wait) + "."));
      return;
    }
  }
  auto parsed = core::parseClientMessage(text, viewer ? kMaxViewerMessageBytes : kMaxMessageBytes);
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
      if (*role == core::Role::Viewer) {
        client->second.viewer = message.hello.viewer ? *message.hello.viewer : randomToken();
      }
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
      const auto& viewerId = client->second.viewer;
      web_->send(connection,
                 core::welcome(*role, lastSeq_, resumable ? nlohmann::json(nullptr) : clientSnapshot(*role, viewerId),
                               viewerId, options_.sharedWeb != nullptr));
      if (resumable) {
        std::vector<std::uint64_t> questions;  // changed since: their current views follow
        // Whether the public was shut out at each missed event, not only now: what happened
        // during a huis clos that has ended since is not for viewers either.
        bool cut = meeting_.publicOutputsCut();
        for (const auto& stored : missed) {
          if (stored.type != "session_changed") continue;
          const auto data = nlohmann::json::parse(stored.data, nullptr, false);
          if (data.is_object()) cut = data.value("from", "") == "huis_clos";
          break;
        }
        for (const auto& stored : missed) {
          core::MeetingEvent event{stored.type, nlohmann::json::parse(stored.data, nullptr, false), core::Clock::now()};
          if (core::QuestionBoard::isQuestionEvent(event.type)) {
            if (event.data.is_object() && event.data.contains("id") && event.data["id"].is_number_unsigned()) {
              questions.push_back(event.data["id"].get<std::uint64_t>());
            }
            continue;
          }
          if (event.type == "session_changed" && event.data.is_object()) {
            cut = event.data.value("to", "") == "huis_clos";
            if (*role == core::Role::Viewer && !viewerMaySee(event, false)) continue;
          } else if (*role == core::Role::Viewer && !viewerMaySee(event, cut)) {
            continue;
          }
          web_->send(connection, core::event(stored.seq, core::toJson(event)));
        }
        std::sort(questions.begin(), questions.end());
        questions.erase(std::unique(questions.begin(), questions.end()), questions.end());
        if (!missed.empty()) {
          sendQuestionViews({connection}, questions, lastSeq_, true);
          web_->send(connection, queueMessage(*role, lastSeq_));
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
      const core::Caller caller{*client->second.role, client->second.viewer, client->second.peer, {}};
      command(caller, message.request(), [this, connection, id = message.id](core::DispatchResult result) {
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
    command(core::Caller{*role, {}, {}, {}}, parsed.message->request(), [respond, id](core::DispatchResult result) {
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
  if ((request.path == "/api/questions.csv" || request.path == "/api/questions.json") && request.method == "GET") {
    if (*role != core::Role::Technician && *role != core::Role::Moderator) {
      return respond(errorResponse(core::StatusCode::Forbidden, "Réservé au modérateur et au technicien."));
    }
    if (request.path == "/api/questions.csv") {
      return respond({200, "text/csv; charset=utf-8", core::questionsCsv(meeting_.questions())});
    }
    return respond(jsonResponse(200, core::questionsJson(meeting_.questions(), meeting_.id())));
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
    if (core::QuestionBoard::isQuestionEvent(events[i].type)) continue;
    const std::string text = core::event(seqs[i], core::toJson(events[i]));
    std::vector<web::ConnectionId> to;
    for (const auto& [connection, client] : clients_) {
      if (!client.role) continue;
      if (*client.role == core::Role::Viewer && !viewerMaySee(events[i], cut)) continue;
      to.push_back(connection);
    }
    if (!to.empty()) web_->broadcast(to, text);
  }
  if (edgeLinkUp_ != 0) {  // the public edges' viewers get the same, then the meeting's state
    bool changed = false;
    for (std::size_t i = 0; i < events.size() && i < seqs.size(); ++i) {
      if (core::QuestionBoard::isQuestionEvent(events[i].type) || !viewerMaySee(events[i], cut)) continue;
      edgePublish(seqs[i], "", nlohmann::json{{"type", "event"}, {"seq", seqs[i]}, {"event", core::toJson(events[i])}});
      changed = true;
    }
    if (changed && !seqs.empty()) edgeLink_->send(edgeLinkUp_, jsonText(edgeState(seqs.back())));
  }
  // After the events, so that messages arrive in seq order.
  publishQuestions(events, seqs);
}

// After question events are durable: each client gets the new view of each question it
// may see, or its removal, then the queue when it changed (docs/QUESTIONS.md, "Live
// updates"). Texts common to many clients are built once.
void Hub::publishQuestions(const std::vector<core::MeetingEvent>& events, const std::vector<std::uint64_t>& seqs) {
  std::vector<std::uint64_t> ids;
  bool any = false;
  for (std::size_t i = 0; i < events.size() && i < seqs.size(); ++i) {
    const auto& event = events[i];
    if (!core::QuestionBoard::isQuestionEvent(event.type)) continue;
    any = true;
    for (const char* key : {"id", "into"}) {
      if (!event.data.contains(key) || !event.data[key].is_number_unsigned()) continue;
      const auto id = event.data[key].get<std::uint64_t>();
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  if (!any) return;
  const auto seq = seqs.back();  // the views are as of the whole batch, sent after its events
  std::vector<web::ConnectionId> all;
  for (const auto& [connection, client] : clients_) {
    if (client.role) all.push_back(connection);
  }
  sendQuestionViews(all, ids, seq, false);
  // The queue goes out only when it changed; the staff's counters when they did.
  const auto& board = meeting_.questions();
  const bool queueChanged = board.queue() != sentQueue_;
  const auto counters = board.counters();
  const std::array<std::size_t, 5> staffState{counters.pending, counters.approved, counters.answered, counters.rejected,
                                              board.prescreen() ? 1U : 0U};
  const bool staffChanged = queueChanged || staffState != sentStaffState_;
  sentQueue_ = board.queue();
  sentStaffState_ = staffState;
  if (queueChanged && edgeLinkUp_ != 0) edgePublish(seq, "", queueJson(core::Role::Viewer, seq));
  if (!staffChanged) return;
  std::map<core::Role, std::vector<web::ConnectionId>> byRole;
  for (const auto connection : all) {
    const auto role = *clients_.at(connection).role;
    if (queueChanged || role == core::Role::Technician || role == core::Role::Moderator) {
      byRole[role].push_back(connection);
    }
  }
  for (const auto& [role, connections] : byRole) web_->broadcast(connections, queueMessage(role, seq));
}

void Hub::rememberQuestionsSent() {
  const auto& board = meeting_.questions();
  publicQuestions_.clear();
  for (const auto& [id, question] : board.all()) {
    if (board.view(id, core::Role::Mayor, "")) publicQuestions_.insert(id);
  }
  sentQueue_ = board.queue();
  sentStaffState_ = {};
}

// Live (`resuming` false): a question nobody outside the staff could see changes nothing for
// the other viewers and the mayor, so they get neither its view nor its removal; only its
// author and its supporters hear of it. A resuming client gets every view or removal.
void Hub::sendQuestionViews(const std::vector<web::ConnectionId>& to, const std::vector<std::uint64_t>& ids,
                            std::uint64_t seq, bool resuming) {
  const auto& board = meeting_.questions();
  for (const auto id : ids) {
    const auto* question = board.find(id);
    if (question == nullptr) continue;
    const bool isPublic = board.view(id, core::Role::Mayor, "").has_value();
    const bool wasPublic = publicQuestions_.count(id) != 0;
    if (!resuming && edgeLinkUp_ != 0) edgeQuestionViews(id, seq, isPublic, wasPublic);
    if (!resuming) {
      if (isPublic) {
        publicQuestions_.insert(id);
      } else {
        publicQuestions_.erase(id);
      }
    }
    const std::string removed = jsonText({{"type", "question_removed"}, {"seq", seq}, {"id", id}});
    std::map<core::Role, std::string> shared;  // the view of every client of a role but its author and voters
    std::map<core::Role, std::vector<web::ConnectionId>> sharedTo;
    for (const auto connection : to) {
      const auto& client = clients_.at(connection);
      const auto role = *client.role;
      const bool personal = role == core::Role::Viewer && !client.viewer.empty() &&
                            (question->author == client.viewer || question->voters.count(client.viewer) != 0);
      if (personal) {
        const auto view = board.view(id, role, client.viewer);
        web_->send(connection, view ? jsonText({{"type", "question"}, {"seq", seq}, {"question", *view}}) : removed);
        continue;
      }
      const bool staff = role == core::Role::Technician || role == core::Role::Moderator;
      if (!staff && !resuming && !isPublic && !wasPublic) continue;
      if (shared.count(role) == 0) {
        const auto view = board.view(id, role, "");
        shared[role] = view ? jsonText({{"type", "question"}, {"seq", seq}, {"question", *view}}) : removed;
      }
      sharedTo[role].push_back(connection);
    }
    for (const auto& [role, connections] : sharedTo) web_->broadcast(connections, shared[role]);
  }
}

std::string Hub::queueMessage(core::Role role, std::uint64_t seq) const { return jsonText(queueJson(role, seq)); }

nlohmann::json Hub::queueJson(core::Role role, std::uint64_t seq) const {
  const auto& board = meeting_.questions();
  nlohmann::json message{{"type", "questions_queue"}, {"seq", seq}, {"queue", board.queue()}};
  if (role == core::Role::Technician || role == core::Role::Moderator) {
    const auto counters = board.counters();
    message["counters"] = {{"pending", counters.pending},
                           {"approved", counters.approved},
                           {"answered", counters.answered},
                           {"rejected", counters.rejected}};
    message["prescreen"] = board.prescreen();
  }
  return message;
}

std::vector<web::ConnectionId> Hub::clientsWithRole(std::optional<core::Role> role) const {
  std::vector<web::ConnectionId> out;
  for (const auto& [connection, client] : clients_) {
    if (client.role && (!role || *client.role == *role)) out.push_back(connection);
  }
  return out;
}

// What a client sees on connecting: everything for the staff, the public part for viewers;
// of the questions, what the role may see (docs/QUESTIONS.md, "What the snapshot holds").
nlohmann::json Hub::clientSnapshot(core::Role role, const std::string& viewer) const {
  auto snapshot = meeting_.snapshot();
  const auto& board = meeting_.questions();
  const auto& settings = questionIntake_.settings();
  const nlohmann::json questionSettings{
      {"enabled", settings.enabled && meeting_.state() != core::SessionState::Terminee},
      {"max_length", settings.maxLength},
      {"max_pseudonym_length", settings.maxPseudonymLength},
      {"max_place_length", settings.maxPlaceLength},
      {"notice",
       {{"purpose", settings.notice.purpose},
        {"retention", settings.notice.retention},
        {"contact", settings.notice.contact}}}};
  if (role == core::Role::Viewer) {
    nlohmann::json publicPart = {
        {"id", snapshot["id"]}, {"agenda", snapshot["agenda"]}, {"session", snapshot["session"]}};
    if (!meeting_.publicOutputsCut()) {
      publicPart["current_item"] = snapshot["current_item"];
      // A vote recorded at huis clos stays behind closed doors (docs/PROTOCOL.md, "Votes").
      auto& votes = publicPart["votes"] = nlohmann::json::object();
      for (const auto& [item, vote] : snapshot["votes"].items()) {
        if (!vote.value("huis_clos", false)) votes[item] = vote;
      }
    }
    publicPart["questions"] = board.views(role, viewer);
    publicPart["questions_queue"] = board.queue();
    publicPart["questions_settings"] = questionSettings;
    publicPart["lives"] = publicLives();
    return publicPart;
  }
  snapshot["questions"] = board.views(role, "");
  snapshot["questions_settings"] = questionSettings;
  snapshot["questions_queue"] = board.queue();
  snapshot["lives"] = publicLives();
  if (role == core::Role::Mayor) return snapshot;
  const auto counters = board.counters();
  snapshot["questions_prescreen"] = board.prescreen();
  snapshot["questions_counters"] = {{"pending", counters.pending},
                                    {"approved", counters.approved},
                                    {"answered", counters.answered},
                                    {"rejected", counters.rejected}};
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
         {"dropped", d.droppedBuffers},
         {"live_left_s", d.liveLeftSeconds ? nlohmann::json(*d.liveLeftSeconds) : nlohmann::json(nullptr)},
         {"live_limit_s", d.liveLimitSeconds ? nlohmann::json(*d.liveLimitSeconds) : nlohmann::json(nullptr)}});
  }
  nlohmann::json layers = nlohmann::json::object();
  for (const auto& l : s.layers)
    layers[l.name] = {{"visible", l.visible}, {"template", l.templateName}, {"error", l.lastError}};
  return {{"type", "status"},
          {"broadcast", {{"running", s.running}, {"destinations", destinations}}},
          {"program", {{"frames", s.framesEncoded}, {"dropped", s.framesDropped}, {"cpu", s.cpuLoad}}},
          {"source", sourceJson()},
          {"recording",
           {{"path", s.recordingPath},
            {"bytes", s.recordingBytes},
            {"paused", recordingPaused_},
            {"state", s.recordingState},
            {"error", s.recordingError.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.recordingError)},
            {"error_detail",
             s.recordingErrorDetail.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.recordingErrorDetail)},
            {"files", s.recordingFiles},
            {"failures", s.recordingFailures},
            {"free_bytes", s.recordingFreeBytes ? nlohmann::json(*s.recordingFreeBytes) : nlohmann::json(nullptr)},
            {"needed_bytes", s.recordingNeededBytes},
            {"low_space", s.recordingLowSpace}}},
          {"export",
           {{"state", s.exportState},
            {"dir", s.exportDir.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.exportDir)},
            {"files", s.exportFiles},
            {"warnings", s.exportWarnings},
            {"error", s.exportError.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.exportError)}}},
          {"platforms", platformsJson()},
          {"edge", edgeJson()},
          {"layers", layers}};
}

// The public edge's link (issue 22), for the console: null without `edge` in the configuration.
nlohmann::json Hub::edgeJson() const {
  if (!edgeLink_) return nullptr;
  const auto link = edgeLink_->stats();
  return {{"up", link.up},           {"edge", link.edge},
          {"error", link.lastError}, {"connects", link.connects},
          {"refused", link.refused}, {"forwarded", edgeForwarded_}};
}

// The board's view, with a QR code of the address to sign in at while a device code is shown.
nlohmann::json Hub::platformsJson() const {
  auto platforms = platformBoard_.toJson();
  for (auto& platform : platforms) {
    auto& account = platform["account"];
    if (account.contains("verification_url")) {
      account["verification_qr_svg"] = graphics::qrCodeSvg(account["verification_url"].get<std::string>());
    }
  }
  return platforms;
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
  if (s.recordingState != "off") {
    m << "# HELP tribune_recording_ok 0 while the recording is stopped by a disk failure.\n"
      << "# TYPE tribune_recording_ok gauge\ntribune_recording_ok " << (s.recordingState == "failed" ? 0 : 1) << "\n"
      << "# HELP tribune_recording_failures_total Times the recording failed (disk full, unwritable).\n"
      << "# TYPE tribune_recording_failures_total counter\ntribune_recording_failures_total " << s.recordingFailures
      << "\n"
      << "# HELP tribune_recording_files Recording files of this run.\n"
      << "# TYPE tribune_recording_files gauge\ntribune_recording_files " << s.recordingFiles.size() << "\n";
    if (s.recordingFreeBytes) {
      m << "# HELP tribune_recording_free_bytes Free space in the recording folder.\n"
        << "# TYPE tribune_recording_free_bytes gauge\ntribune_recording_free_bytes " << *s.recordingFreeBytes << "\n";
    }
    m << "# HELP tribune_recording_needed_bytes Space the rest of the expected meeting needs.\n"
      << "# TYPE tribune_recording_needed_bytes gauge\ntribune_recording_needed_bytes " << s.recordingNeededBytes
      << "\n"
      << "# HELP tribune_recording_low_space 1 when the free space is less than what is needed.\n"
      << "# TYPE tribune_recording_low_space gauge\ntribune_recording_low_space " << (s.recordingLowSpace ? 1 : 0)
      << "\n";
  }
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
  const auto counters = meeting_.questions().counters();
  m << "# HELP tribune_questions Viewers' questions by status.\n# TYPE tribune_questions gauge\n"
    << "tribune_questions{status=\"pending\"} " << counters.pending << "\n"
    << "tribune_questions{status=\"approved\"} " << counters.approved << "\n"
    << "tribune_questions{status=\"answered\"} " << counters.answered << "\n"
    << "tribune_questions{status=\"rejected\"} " << counters.rejected << "\n";
  m << "# HELP tribune_viewer_messages_refused_total Viewers' messages over the per-connection limit.\n"
    << "# TYPE tribune_viewer_messages_refused_total counter\ntribune_viewer_messages_refused_total "
    << refusedMessages_ << "\n";
  if (edgeLink_) {
    const auto link = edgeLink_->stats();
    m << "# HELP tribune_edge_link_up 1 while the link to a public edge is up.\n# TYPE tribune_edge_link_up gauge\n"
      << "tribune_edge_link_up " << (link.up ? 1 : 0) << "\n"
      << "# HELP tribune_edge_link_failures_total Link attempts that failed or links that dropped.\n"
      << "# TYPE tribune_edge_link_failures_total counter\ntribune_edge_link_failures_total " << link.failures << "\n"
      << "# HELP tribune_edge_link_refused_total Edges that could not prove the paired secret.\n"
      << "# TYPE tribune_edge_link_refused_total counter\ntribune_edge_link_refused_total " << link.refused << "\n"
      << "# HELP tribune_edge_forwarded_total Viewers' questions and upvotes logged through an edge.\n"
      << "# TYPE tribune_edge_forwarded_total counter\ntribune_edge_forwarded_total " << edgeForwarded_ << "\n";
  }
  m << sourceMetrics();
  m << platformBoard_.metrics();
  if (store_) {
    const auto st = store_->stats();
    m << "# HELP tribune_events_total Events written to the log.\n# TYPE tribune_events_total counter\n"
      << "tribune_events_total " << st.events << "\n";
  }
  return m.str();
}

// ---- the public edge (issue 22; docs/EDGE.md, "What crosses the link") ----

void Hub::startEdgeLink() {
  edgeLink_ = std::make_unique<EdgeLink>(*options_.config.edge, meeting_.id(), static_cast<EdgeLinkListener&>(*this));
}

void Hub::onEdgeLinkUp(std::uint64_t link, std::string edge) {
  boost::asio::post(io_, [this, link, edge = std::move(edge)] {
    hubLogger()->info("edge {}: lien établi / link up", edge);
    edgeLinkUp_ = link;
    sendEdgeFull();
  });
}

void Hub::onEdgeLinkDown(std::uint64_t link, std::string reason) {
  boost::asio::post(io_, [this, link, reason = std::move(reason)] {
    if (edgeLinkUp_ != link) return;
    hubLogger()->warn("edge: lien perdu / link down: {}", reason);
    edgeLinkUp_ = 0;
  });
}

void Hub::onEdgeForward(EdgeForward forward) {
  boost::asio::post(io_, [this, forward = std::move(forward)] { takeEdgeForward(forward); });
}

// What an anonymous viewer sees but the questions: the edges' mirrors replace it whole.
nlohmann::json Hub::edgeState(std::uint64_t seq) const {
  auto snapshot = clientSnapshot(core::Role::Viewer, "");
  snapshot.erase("questions");
  snapshot.erase("questions_queue");
  return {{"type", "state"}, {"seq", seq}, {"snapshot", std::move(snapshot)}};
}

// Everything, on every new link: the anonymous viewer's snapshot, and the views its author
// and supporters see of each question where they differ from the public's.
void Hub::sendEdgeFull() {
  if (edgeLinkUp_ == 0) return;
  const auto& board = meeting_.questions();
  nlohmann::json personal = nlohmann::json::object();
  for (const auto& [id, question] : board.all()) {
    const auto publicView = board.view(id, core::Role::Viewer, "");
    for (const auto& viewer : authorAndSupporters(question)) {
      auto view = board.view(id, core::Role::Viewer, viewer);
      if (view && view != publicView) personal[viewer].push_back(std::move(*view));
    }
  }
  const nlohmann::json full{{"type", "full"},
                            {"seq", lastSeq_},
                            {"meeting", meeting_.id()},
                            {"snapshot", clientSnapshot(core::Role::Viewer, "")},
                            {"personal", std::move(personal)}};
  edgeLink_->send(edgeLinkUp_, jsonText(full));
}

void Hub::edgePublish(std::uint64_t seq, const std::string& to, const nlohmann::json& message) {
  if (edgeLinkUp_ == 0) return;
  nlohmann::json publish{{"type", "publish"}, {"seq", seq}, {"message", message}};
  if (!to.empty()) publish["to"] = to;
  edgeLink_->send(edgeLinkUp_, jsonText(publish));
}

// As sendQuestionViews decides for the local viewers: the public view when the public saw or
// sees the question; its author's and supporters' own views to each of them.
void Hub::edgeQuestionViews(std::uint64_t id, std::uint64_t seq, bool isPublic, bool wasPublic) {
  const auto& board = meeting_.questions();
  const auto* question = board.find(id);
  if (question == nullptr) return;
  const auto message = [&](const std::optional<nlohmann::json>& view) {
    return view ? nlohmann::json{{"type", "question"}, {"seq", seq}, {"question", *view}}
                : nlohmann::json{{"type", "question_removed"}, {"seq", seq}, {"id", id}};
  };
  if (isPublic || wasPublic) edgePublish(seq, "", message(board.view(id, core::Role::Viewer, "")));
  for (const auto& viewer : authorAndSupporters(*question)) {
    edgePublish(seq, viewer, message(board.view(id, core::Role::Viewer, viewer)));
  }
}

// A viewer's question or upvote from an edge. Once durable (or refused), the asker hears of
// it and the edge may acknowledge the stream entry; a failure of the log leaves it pending, to
// be forwarded again on the next link.
void Hub::takeEdgeForward(const EdgeForward& forward) {
  if (forward.link != edgeLinkUp_) return;  // from a link that has gone: it will come again
  const bool ask = forward.kind == "ask";
  const core::Caller caller{core::Role::Viewer, forward.viewer, "", ask ? forward.ticket : ""};
  const core::Request request{ask ? "question.ask" : "question.upvote", forward.params};
  command(caller, request, [this, forward](core::DispatchResult result) {
    if (result.code >= 500) {
      hubLogger()->error("edge: ticket {} not logged: {}", forward.ticket, result.message);
      return;
    }
    ++edgeForwarded_;
    nlohmann::json answer{{"code", result.code},
                          {"status", result.status},
                          {"message", result.message},
                          {"data", result.data.is_null() ? nlohmann::json::object() : result.data}};
    nlohmann::json logged = answer;
    logged["type"] = "question_logged";
    logged["ticket"] = forward.ticket;
    edgePublish(lastSeq_, forward.viewer, logged);
    if (forward.link == edgeLinkUp_) {
      edgeLink_->send(forward.link,
                      jsonText({{"type", "logged"}, {"ticket", forward.ticket}, {"result", std::move(answer)}}));
    }
  });
}

}  // namespace tribune::app
