#include "app/station.h"

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include "app/api_response.h"
#include "app/atomic_file.h"
#include "app/convocation.h"
#include "app/export.h"
#include "core/agenda.h"
#include "core/agenda_json.h"
#include "core/preflight.h"
#include "core/protocol.h"
#include "core/roster_csv.h"
#include "core/status.h"

namespace tribune::app {

std::shared_ptr<spdlog::logger> stationLogger() {
  static auto log = [] {
    auto existing = spdlog::get("station");
    return existing ? existing : spdlog::default_logger()->clone("station");
  }();
  return log;
}

namespace {

using Json = nlohmann::json;

constexpr auto kTickPeriod = std::chrono::seconds(1);
constexpr std::size_t kMaxUploadBytes = std::size_t{20} * 1024 * 1024;
// A pre-flight with several destinations: each probe up to retry.connect_timeout_ms (10 s by
// default), the uplink's 8 s plus its connection, the source's look.
constexpr std::chrono::milliseconds kProbeDeskAnswerTimeout{180'000};

std::int64_t nowWallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The town hall's zone (the machine's): a date and time to the wall clock, none for a time
// the change to summer time skips.
std::optional<std::int64_t> localToMs(const std::string& date, const std::string& time) {
  if (!core::isCalendarDate(date) || !core::isClockTime(time)) return std::nullopt;
  std::tm local{};
  local.tm_year = std::stoi(date.substr(0, 4)) - 1900;
  local.tm_mon = std::stoi(date.substr(5, 2)) - 1;
  local.tm_mday = std::stoi(date.substr(8, 2));
  local.tm_hour = std::stoi(time.substr(0, 2));
  local.tm_min = std::stoi(time.substr(3, 2));
  local.tm_isdst = -1;
  const std::tm asked = local;
  const std::time_t seconds = std::mktime(&local);
  if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
  if (local.tm_hour != asked.tm_hour || local.tm_min != asked.tm_min || local.tm_mday != asked.tm_mday) {
    return std::nullopt;  // normalised: that local time does not exist
  }
  return static_cast<std::int64_t>(seconds) * 1000;
}

web::HttpResponse editResponse(const core::ScheduleEdit& edit) {
  Json problems = Json::array();
  for (const auto& problem : edit.problems)
    problems.push_back({{"where", problem.where}, {"message", problem.message}});
  return jsonResponse(edit.status, {{"type", "error"},
                                    {"status", edit.status},
                                    {"code", edit.code},
                                    {"message", edit.message},
                                    {"problems", std::move(problems)}});
}

core::ScheduleEdit badRequest(std::string code, std::string message) {
  core::ScheduleEdit edit;
  edit.status = 400;
  edit.code = std::move(code);
  edit.message = std::move(message);
  return edit;
}

core::Schedule loadSchedule(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return {};
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  const auto json = Json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) {
    throw std::runtime_error(file.string() + ": not JSON (its previous version is " + file.string() + ".prev)");
  }
  auto parsed = core::scheduleFromJson(json);
  if (!parsed.schedule) {
    throw std::runtime_error(file.string() + ": " + parsed.error + " (its previous version is " + file.string() +
                             ".prev)");
  }
  return std::move(*parsed.schedule);
}

// "/api/schedule/p3/start" → {"p3", "start"}.
std::optional<std::pair<std::string, std::string>> planAction(const std::string& path) {
  constexpr std::string_view kPrefix = "/api/schedule/";
  if (path.rfind(kPrefix, 0) != 0) return std::nullopt;
  const auto rest = path.substr(kPrefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  return std::make_pair(rest.substr(0, slash), rest.substr(slash + 1));
}

std::string contentTypeOf(const std::filesystem::path& file) {
  const auto extension = file.extension().string();
  if (extension == ".mp4") return "video/mp4";
  if (extension == ".vtt") return "text/vtt; charset=utf-8";
  if (extension == ".json") return "application/json";
  if (extension == ".csv") return "text/csv; charset=utf-8";
  if (extension == ".md") return "text/markdown; charset=utf-8";
  return "text/plain; charset=utf-8";
}

// The viewers' questions, exported beside the replay, hold personal data: past
// questions.retention_days they go, as they went from the event log (docs/QUESTIONS.md).
bool holdsQuestions(const std::filesystem::path& relative) {
  return relative.parent_path().empty() && relative.stem() == "questions";
}

}  // namespace

Station::Station(StationOptions options) : options_(std::move(options)) {
  auto& hub = options_.hub;
  std::filesystem::create_directories(hub.dataDir);
  scheduleFile_ = hub.dataDir / "schedule.json";
  schedule_ = loadSchedule(scheduleFile_);
  tokens_ = Tokens::loadOrCreate(hub.dataDir);
  settings_.emplace(options_.configFile, hub.dataDir);
  startedWith_ = hub.config;
  auto settings = Hub::webSettings(hub);
  // A convocation, uploaded for its review; a logo.
  settings.uploadPrefixes = {"/api/schedule/", "/api/settings/logo"};
  settings.maxUploadBytes = kMaxUploadBytes;
  // "Vérifier avant la séance" answers once its measures are done (the source's look, each
  // destination's probe, the uplink's 8 s): the backstop for an unanswered request waits for it.
  settings.apiAnswerTimeout = std::max(settings.apiAnswerTimeout, kProbeDeskAnswerTimeout);
  web_ = std::make_unique<web::WebServer>(settings, static_cast<web::WebListener&>(*this));
  probeDesk_ =
      std::make_unique<ProbeDesk>(ProbeDeskSettings{hub.dataDir, hub.shareDir}, static_cast<ProbeDeskListener&>(*this));
  setStandbyHealth();
  stationLogger()->info("en veille / standby: console web on port {}, {} planned meeting(s)", web_->port(),
                        schedule_.meetings.size());
}

Station::~Station() {
  if (hub_) {
    hub_->requestStop();
    if (hubThread_.joinable()) hubThread_.join();
    {
      std::lock_guard lock(routeMutex_);
      routedHub_ = nullptr;
    }
    hub_.reset();
  }
  web_.reset();
}

std::string Station::consoleAddress() const {
  const auto& web = options_.hub.config.web;
  const std::string host = web.address == "0.0.0.0" ? "127.0.0.1" : web.address;
  return std::string(web.tlsCertificate ? "https://" : "http://") + host + ":" + std::to_string(web_->port()) +
         "/console/";
}

std::int64_t Station::leadMs() const {
  return static_cast<std::int64_t>(options_.hub.config.session.startLeadMinutes) * 60'000;
}

int Station::run() {
  if (options_.handleSignals) {
    signals_.emplace(io_, SIGINT, SIGTERM);
    signals_->async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      stationLogger()->info("signal {} reçu : arrêt propre / stopping cleanly", signal);
      stopEverything();
    });
  }
  tick();  // a meeting interrupted by a restart resumes at once
  scheduleTick();
  io_.run();
  return 0;
}

void Station::requestStop() {
  boost::asio::post(io_, [this] { stopEverything(); });
}

void Station::stopEverything() {
  stopping_ = true;
  ticker_.cancel();
  if (signals_) signals_->cancel();
  if (hub_) {
    hub_->requestStop();  // its end posts hubEnded(), which stops the loop
    return;
  }
  io_.stop();
}

void Station::scheduleTick() {
  ticker_.expires_after(kTickPeriod);
  ticker_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    tick();
    scheduleTick();
  });
}

void Station::tick() {
  if (hub_ || stopping_) return;
  const auto decision = core::decideSchedule(schedule_, nowWallMs(), leadMs(), localToMs);
  if (decision.kind == core::ScheduleDecision::Kind::None) return;
  stationLogger()->info("{} de la séance / meeting {}: {}",
                        decision.kind == core::ScheduleDecision::Kind::Resume ? "reprise" : "démarrage automatique",
                        decision.kind == core::ScheduleDecision::Kind::Resume ? "resumed" : "starts by itself",
                        decision.id);
  startMeeting(decision.id);
}

void Station::startMeeting(const std::string& planId) {
  const auto* plan = core::findPlanned(schedule_, planId);
  if (plan == nullptr) return;
  const std::string logId = plan->logId.empty() ? core::plannedLogId(*plan) : plan->logId;
  if (plan->state != core::PlanState::Running) {
    if (auto edit = core::setPlanState(schedule_, planId, core::PlanState::Running, logId); !edit.ok()) return;
    saveSchedule();
  }
  HubOptions options = options_.hub;
  options.agenda = plan->agenda;
  options.meetingId = logId;
  options.endWhenMeetingEnds = true;
  options.sharedWeb = web_.get();
  options.handleSignals = false;
  options.stopAfter.reset();
  try {
    hub_ = std::make_unique<Hub>(std::move(options));
  } catch (const std::exception& e) {
    stationLogger()->error("la séance {} ne peut pas démarrer / cannot start: {}", planId, e.what());
    core::setPlanState(schedule_, planId, core::PlanState::Failed, {},
                       std::string("La séance n'a pas pu démarrer : ") + e.what());
    saveSchedule();
    return;
  }
  runningPlan_ = planId;
  stopByHand_ = false;
  std::uint64_t standby = 0;
  {
    std::lock_guard lock(routeMutex_);
    routedHub_ = hub_.get();
    standby = generation_++;
  }
  closeGeneration(standby, "séance démarrée / meeting started");
  standbyClients_.clear();
  hubThread_ = std::thread([this, hub = hub_.get()] {
    std::string error;
    try {
      hub->run();
    } catch (const std::exception& e) {  // the source or the encoder could not start
      error = e.what();
    }
    boost::asio::post(io_, [this, error = std::move(error)] { hubEnded(error); });
  });
}

void Station::hubEnded(const std::string& error) {
  if (hubThread_.joinable()) hubThread_.join();
  std::uint64_t meeting = 0;
  {
    std::lock_guard lock(routeMutex_);
    routedHub_ = nullptr;
    meeting = generation_++;
  }
  const bool ended = hub_->meetingEnded();
  hub_.reset();
  closeGeneration(meeting, ended ? "séance terminée / meeting over" : "séance arrêtée / meeting stopped");
  // A meeting interrupted by the station's own stop stays "running": it resumes at the next start.
  if (!error.empty()) {
    stationLogger()->error("la séance {} s'est arrêtée sur une erreur / stopped on an error: {}", runningPlan_, error);
    core::setPlanState(schedule_, runningPlan_, core::PlanState::Failed, {},
                       "La séance s'est arrêtée sur une erreur : " + error);
  } else if (ended) {
    core::setPlanState(schedule_, runningPlan_, core::PlanState::Done);
  } else if (!stopping_) {
    core::setPlanState(schedule_, runningPlan_, core::PlanState::Stopped);
  }
  saveSchedule();
  stationLogger()->info("séance {} {} : en veille / standby", runningPlan_,
                        ended ? "terminée / over" : (stopping_ ? "interrompue / interrupted" : "arrêtée / stopped"));
  runningPlan_.clear();
  setStandbyHealth();
  if (stopping_) io_.stop();
}

void Station::closeGeneration(std::uint64_t generation, const std::string& reason) {
  std::vector<web::ConnectionId> closing;
  {
    std::lock_guard lock(routeMutex_);
    for (const auto& [connection, owner] : owners_) {
      if (owner == generation) closing.push_back(connection);
    }
  }
  for (auto connection : closing) web_->close(connection, reason);
}

void Station::saveSchedule() {
  try {
    writeAtomically(scheduleFile_, core::scheduleToJson(schedule_).dump(2));
  } catch (const std::exception& e) {
    stationLogger()->error("liste des séances non enregistrée / schedule not saved: {}", e.what());
  }
}

void Station::setStandbyHealth() {
  web_->setHealth(200, R"({"status":"standby"})");
  web_->setMetrics(
      "# HELP tribune_standby 1 while no meeting runs (tribune serve)\n# TYPE tribune_standby gauge\n"
      "tribune_standby 1\n");
}

std::map<std::string, std::uint64_t> Station::exportFiles(const core::PlannedMeeting& plan) {
  std::map<std::string, std::uint64_t> files;
  const auto dir = defaultExportDir(options_.hub.dataDir, plan.logId);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return files;
  const auto retention = std::chrono::hours(24) * options_.hub.config.questions.retentionDays;
  const auto now = std::filesystem::file_time_type::clock::now();
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto relative = std::filesystem::relative(it->path(), dir, ec);
    if (ec) continue;
    if (holdsQuestions(relative) && now - it->last_write_time(ec) > retention) {
      std::filesystem::remove(it->path(), ec);
      stationLogger()->info("questions effacées (durée de conservation) / questions removed (retention): {}",
                            it->path().string());
      continue;
    }
    files[relative.generic_string()] = it->file_size(ec);
  }
  return files;
}

Json Station::scheduleJson() const {
  auto view = core::scheduleView(schedule_, nowWallMs(), leadMs(), localToMs);
  view["standby"] = hub_ == nullptr;
  view["running"] = runningPlan_.empty() ? Json() : Json(runningPlan_);
  view["start_lead_minutes"] = options_.hub.config.session.startLeadMinutes;
  return view;
}

// ---- web::WebListener: the web thread routes, nothing more ----

void Station::onOpen(web::ConnectionId connection, std::string peerAddress) {
  std::lock_guard lock(routeMutex_);
  owners_[connection] = generation_;
  if (routedHub_ != nullptr) {
    routedHub_->webListener().onOpen(connection, std::move(peerAddress));
    return;
  }
  boost::asio::post(io_, [this, connection] { standbyClients_[connection] = std::nullopt; });
}

void Station::onMessage(web::ConnectionId connection, std::string text) {
  std::lock_guard lock(routeMutex_);
  const auto owner = owners_.find(connection);
  if (owner == owners_.end() || owner->second != generation_) return;  // being closed
  if (routedHub_ != nullptr) {
    routedHub_->webListener().onMessage(connection, std::move(text));
    return;
  }
  boost::asio::post(io_, [this, connection, text = std::move(text)] { handleStandbyMessage(connection, text); });
}

void Station::onClose(web::ConnectionId connection) {
  std::lock_guard lock(routeMutex_);
  const auto owner = owners_.find(connection);
  if (owner == owners_.end()) return;
  const bool current = owner->second == generation_;
  owners_.erase(owner);
  if (!current) return;
  if (routedHub_ != nullptr) {
    routedHub_->webListener().onClose(connection);
    return;
  }
  boost::asio::post(io_, [this, connection] { standbyClients_.erase(connection); });
}

void Station::onHttpRequest(web::HttpRequest request) {
  std::lock_guard lock(routeMutex_);
  if (request.path == "/api/schedule" || request.path.rfind("/api/schedule/", 0) == 0 ||
      request.path == "/api/settings" || request.path.rfind("/api/settings/", 0) == 0 ||
      isProbeDeskPath(request.path) || routedHub_ == nullptr) {
    boost::asio::post(io_, [this, request = std::move(request)] { handleApi(request); });
    return;
  }
  routedHub_->webListener().onHttpRequest(std::move(request));
}

// ---- the station's thread ----

void Station::handleStandbyMessage(web::ConnectionId connection, const std::string& text) {
  const auto found = standbyClients_.find(connection);
  if (found == standbyClients_.end()) return;
  const auto message = Json::parse(text, nullptr, false);
  if (!message.is_object() || message.value("type", "") != "hello") {
    web_->send(connection, core::error(core::StatusCode::Unavailable,
                                       "Aucune séance en cours : Tribune est en veille. / No meeting is running."));
    return;
  }
  std::optional<std::string> token;
  if (const auto t = message.find("token"); t != message.end() && t->is_string()) token = t->get<std::string>();
  const auto role = tokens_->roleOf(token);
  if (!role) {
    web_->send(connection, core::error(core::StatusCode::InvalidToken, "Jeton inconnu."));
    web_->close(connection, "invalid token");
    return;
  }
  found->second = role;
  Json standby{{"type", "standby"}, {"role", std::string(core::toString(*role))}};
  const auto view = scheduleJson();
  // The next meeting the public may know of; the whole schedule to the technician.
  Json next;
  for (const auto& meeting : view["meetings"]) {
    if (meeting["state"] != "planned" || meeting["missed"] == true || meeting["starts_at_ms"].is_null()) continue;
    if (next.is_null() || meeting["starts_at_ms"] < next["starts_at_ms"]) next = meeting;
  }
  if (!next.is_null()) {
    standby["next"] = {{"title", next["title"]},
                       {"date", next["date"]},
                       {"time", next["time"]},
                       {"place", next["place"]},
                       {"starts_at_ms", next["starts_at_ms"]}};
  } else {
    standby["next"] = nullptr;
  }
  if (*role == core::Role::Technician) standby["schedule"] = view;
  web_->send(connection, standby.dump());
}

void Station::handleApi(const web::HttpRequest& request) {
  auto respond = [this, id = request.id](web::HttpResponse response) { web_->respond(id, std::move(response)); };
  if (request.path == "/api/settings" || request.path.rfind("/api/settings/", 0) == 0) {
    return handleSettings(request);
  }
  if (request.path != "/api/schedule" && request.path.rfind("/api/schedule/", 0) != 0 &&
      !isProbeDeskPath(request.path)) {
    // In standby (or between a meeting's end and standby) the meeting's API has nobody to answer.
    return respond(errorResponse(core::StatusCode::Unavailable,
                                 "Aucune séance en cours : Tribune est en veille. / No meeting is running."));
  }
  // One-time download tickets (core/download_tickets.h): POST /api/schedule/ID/files/NAME/ticket
  // with the technician's token answers a URL with ?ticket=…, which opens that one file, once,
  // within a minute, without the token: the browser saves a replay's MP4 as it comes.
  bool byTicket = false;
  if (const auto files = planAction(request.path); files && files->second.rfind("files/", 0) == 0) {
    constexpr std::string_view kFiles = "files/";
    constexpr std::string_view kTicket = "/ticket";
    const auto& verb = files->second;
    if (request.method == "POST" && verb.size() > kFiles.size() + kTicket.size() && verb.ends_with(kTicket)) {
      const auto asking = tokens_->roleOf(request.bearerToken);
      if (!asking) return respond(errorResponse(core::StatusCode::InvalidToken, "Jeton inconnu."));
      if (*asking != core::Role::Technician) {
        return respond(errorResponse(core::StatusCode::Forbidden, "Réservé au technicien."));
      }
      const auto name = verb.substr(kFiles.size(), verb.size() - kFiles.size() - kTicket.size());
      const auto* plan = core::findPlanned(schedule_, files->first);
      if (plan == nullptr || plan->logId.empty() || !exportFiles(*plan).contains(name)) {
        return respond(jsonResponse(404, {{"status", "not_found"}, {"message", "Aucun fichier « " + name + " »."}}));
      }
      auto ticket = randomToken();
      const auto url = request.path.substr(0, request.path.size() - kTicket.size()) + "?ticket=" + ticket;
      downloadTickets_.issue(std::move(ticket), files->first + "/" + name, nowWallMs());
      return respond(jsonResponse(200, {{"url", url}, {"expires_in_s", core::DownloadTickets::kLifetimeMs / 1000}}));
    }
    std::optional<std::string_view> ticket;
    for (std::string_view rest = request.query; !rest.empty();) {
      const auto amp = rest.find('&');
      if (const auto pair = rest.substr(0, amp); pair.rfind("ticket=", 0) == 0) ticket = pair.substr(7);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
    if (request.method == "GET" && ticket) {
      if (!downloadTickets_.redeem(*ticket, files->first + "/" + verb.substr(kFiles.size()), nowWallMs())) {
        return respond(
            jsonResponse(403, {{"status", "forbidden"},
                               {"code", "ticket_refused"},
                               {"message",
                                "Ce lien de téléchargement a expiré ou a déjà servi : cliquez de nouveau sur "
                                "le fichier dans la console."}}));
      }
      byTicket = true;  // that one file, as the technician would get it
    }
  }
  const auto role = byTicket ? std::optional{core::Role::Technician} : tokens_->roleOf(request.bearerToken);
  if (!role) return respond(errorResponse(core::StatusCode::InvalidToken, "Jeton inconnu."));
  if (*role != core::Role::Technician) {
    return respond(errorResponse(core::StatusCode::Forbidden, "Réservé au technicien."));
  }
  if (isProbeDeskPath(request.path)) return handleProbeDeskApi(request);
  if (request.path == "/api/schedule") {
    if (request.method == "GET") return respond(jsonResponse(200, scheduleJson()));
    if (request.method != "POST") return respond(jsonResponse(405, {{"status", "method_not_allowed"}}));
    // A new meeting: {"revision", "agenda": {agenda file's JSON}} or {"revision", "meeting":
    // {title, date, time, place}, "agenda_text": "1 - Titre — Rapporteur\n…"}.
    const auto body = Json::parse(request.body, nullptr, false);
    if (!body.is_object())
      return respond(editResponse(badRequest("invalid_json", "Le corps n'est pas un objet JSON.")));
    const auto revision = body.find("revision");
    if (revision == body.end() || !revision->is_number_unsigned()) {
      return respond(editResponse(
          badRequest("invalid_revision", "« revision » manque : la liste des séances que la console a lue.")));
    }
    core::AgendaResult parsed;
    if (const auto agenda = body.find("agenda"); agenda != body.end()) {
      parsed = core::parseAgendaJson(agenda->dump());
    } else if (const auto text = body.find("agenda_text"); text != body.end() && text->is_string()) {
      const auto meeting = body.value("meeting", Json::object());
      if (!meeting.is_object())
        return respond(editResponse(badRequest("invalid_meeting", "« meeting » doit être un objet.")));
      core::MeetingInfo info;
      info.commune = options_.hub.config.branding.commune;
      for (auto [key, field] :
           {std::pair{"title", &info.title}, std::pair{"date", &info.date}, std::pair{"time", &info.time},
            std::pair{"place", &info.place}, std::pair{"commune", &info.commune}}) {
        if (const auto value = meeting.find(key); value != meeting.end()) {
          if (!value->is_string()) {
            return respond(
                editResponse(badRequest("invalid_meeting", std::string("meeting.") + key + " doit être du texte.")));
          }
          *field = value->get<std::string>();
        }
      }
      if (info.title.empty()) info.title = std::string(core::kDefaultMeetingTitle);
      parsed = core::parseAgendaText(text->get<std::string>(), info);
    } else {
      return respond(
          editResponse(badRequest("invalid_agenda", "Il manque l'ordre du jour (« agenda » ou « agenda_text »).")));
    }
    if (!parsed.ok()) {
      auto edit = badRequest("invalid_agenda", "L'ordre du jour n'est pas valable : " + parsed.problems.front().where +
                                                   " : " + parsed.problems.front().message);
      edit.problems = parsed.problems;
      return respond(editResponse(edit));
    }
    // "dry_run": the agenda as understood, for the console's review screen; nothing saved.
    if (body.value("dry_run", false)) {
      if (parsed.agenda.meeting.time.empty()) {
        // The same refusal as the save's, so that the review screen shows it first.
        core::Schedule scratch;
        return respond(editResponse(core::addPlannedMeeting(scratch, 0, parsed.agenda)));
      }
      return respond(jsonResponse(200, {{"agenda", core::agendaToJson(parsed.agenda)}, {"problems", Json::array()}}));
    }
    auto edit = core::addPlannedMeeting(schedule_, revision->get<std::uint64_t>(), std::move(parsed.agenda));
    if (!edit.ok()) return respond(editResponse(edit));
    saveSchedule();
    stationLogger()->info("séance ajoutée / meeting added: {}", edit.id);
    return respond(jsonResponse(200, {{"id", edit.id}, {"revision", schedule_.revision}}));
  }
  if (const auto agendaOf = planAction(request.path);
      agendaOf && agendaOf->second == "agenda" && request.method == "GET") {
    // A meeting's saved agenda and councillors, for the console's editor (saved with POST).
    const auto* plan = core::findPlanned(schedule_, agendaOf->first);
    if (plan == nullptr) {
      return respond(jsonResponse(
          404, {{"status", "not_found"}, {"message", "Aucune séance « " + agendaOf->first + " » dans la liste."}}));
    }
    return respond(jsonResponse(200, {{"id", plan->id},
                                      {"revision", schedule_.revision},
                                      {"state", std::string(core::toString(plan->state))},
                                      {"agenda", core::agendaToJson(plan->agenda)}}));
  }
  const auto fileAction = planAction(request.path);
  const bool reading = fileAction && (fileAction->second == "files" || fileAction->second.rfind("files/", 0) == 0);
  if (request.method != (reading ? "GET" : "POST")) {
    return respond(jsonResponse(405, {{"status", "method_not_allowed"}}));
  }
  if (request.path == "/api/schedule/roster") {
    // A roster from a spreadsheet (CSV): the councillors understood, for the console to put
    // into a meeting's agenda (saved with /ID/agenda); nothing saved here.
    auto roster = core::parseRosterCsv(request.body);
    if (!roster.ok()) {
      auto edit =
          badRequest("invalid_roster", "La liste des élus n'est pas valable : " + roster.problems.front().where +
                                           " : " + roster.problems.front().message);
      edit.problems = roster.problems;
      return respond(editResponse(edit));
    }
    Json councillors = Json::array();
    for (const auto& c : roster.councillors) {
      councillors.push_back({{"id", c.id}, {"name", c.name}, {"role", c.role}, {"group", c.group}});
    }
    return respond(jsonResponse(200, {{"councillors", std::move(councillors)}}));
  }
  if (request.path == "/api/schedule/preview") {
    // The uploaded convocation read for the review screen; nothing saved. Its text
    // extraction blocks this thread (the schedule's, not a running meeting's) for what
    // pdftotext takes, usually well under a second, and 20 s at worst (then killed).
    return respond(previewConvocation(request, options_.hub.config.branding.commune));
  }
  if (request.path == "/api/schedule/stop") {
    if (!hub_) return respond(editResponse(badRequest("standby", "Aucune séance en cours.")));
    stopByHand_ = true;
    hub_->requestStop();
    return respond(jsonResponse(200, {{"stopping", runningPlan_}}));
  }
  const auto action = planAction(request.path);
  if (!action) return respond(jsonResponse(404, {{"status", "not_found"}}));
  const auto& [planId, verb] = *action;
  if (verb == "delete") {
    const auto body = Json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("revision") || !body["revision"].is_number_unsigned()) {
      return respond(editResponse(
          badRequest("invalid_revision", "« revision » manque : la liste des séances que la console a lue.")));
    }
    auto edit = core::removePlannedMeeting(schedule_, body["revision"].get<std::uint64_t>(), planId);
    if (!edit.ok()) return respond(editResponse(edit));
    saveSchedule();
    return respond(jsonResponse(200, {{"id", planId}, {"revision", schedule_.revision}}));
  }
  if (verb == "files" || verb.rfind("files/", 0) == 0) {
    const auto* plan = core::findPlanned(schedule_, planId);
    if (plan == nullptr || plan->logId.empty()) {
      return respond(jsonResponse(404, {{"status", "not_found"}, {"message", "Cette séance n'a pas de fichiers."}}));
    }
    const auto files = exportFiles(*plan);
    if (verb == "files") {
      Json list = Json::array();
      for (const auto& [name, bytes] : files) list.push_back({{"name", name}, {"bytes", bytes}});
      return respond(jsonResponse(200, {{"id", planId}, {"files", std::move(list)}}));
    }
    const auto name = verb.substr(std::string_view("files/").size());
    if (files.find(name) == files.end()) {  // only a file of the listing: no path from the request
      return respond(jsonResponse(404, {{"status", "not_found"}, {"message", "Aucun fichier « " + name + " »."}}));
    }
    web::HttpResponse file{200, contentTypeOf(name), {}, {}, {}};
    file.file = defaultExportDir(options_.hub.dataDir, plan->logId) / name;
    file.downloadName = std::filesystem::path(name).filename().string();
    return respond(std::move(file));
  }
  if (verb == "agenda") {
    // The agenda edited in the console before the meeting starts: {"revision", "agenda"}.
    const auto body = Json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("revision") || !body["revision"].is_number_unsigned()) {
      return respond(editResponse(
          badRequest("invalid_revision", "« revision » manque : la liste des séances que la console a lue.")));
    }
    if (!body.contains("agenda")) {
      return respond(editResponse(badRequest("invalid_agenda", "Il manque l'ordre du jour (« agenda »).")));
    }
    auto parsed = core::parseAgendaJson(body["agenda"].dump());
    if (!parsed.ok()) {
      auto edit = badRequest("invalid_agenda", "L'ordre du jour n'est pas valable : " + parsed.problems.front().where +
                                                   " : " + parsed.problems.front().message);
      edit.problems = parsed.problems;
      return respond(editResponse(edit));
    }
    auto edit =
        core::replacePlannedAgenda(schedule_, body["revision"].get<std::uint64_t>(), planId, std::move(parsed.agenda));
    if (!edit.ok()) return respond(editResponse(edit));
    saveSchedule();
    return respond(jsonResponse(200, {{"id", planId}, {"revision", schedule_.revision}}));
  }
  if (verb == "start") {
    const auto* plan = core::findPlanned(schedule_, planId);
    if (plan == nullptr) {
      core::ScheduleEdit edit;
      edit.status = 404;
      edit.code = "not_found";
      edit.message = "Aucune séance « " + planId + " » dans la liste.";
      return respond(editResponse(edit));
    }
    if (hub_) {
      core::ScheduleEdit edit;
      edit.status = 409;
      edit.code = "busy";
      edit.message = "Une séance est déjà en cours : arrêtez-la d'abord.";
      return respond(editResponse(edit));
    }
    if (plan->state == core::PlanState::Done) {
      core::ScheduleEdit edit;
      edit.status = 409;
      edit.code = "done";
      edit.message = "Cette séance est terminée : elle ne peut pas reprendre.";
      return respond(editResponse(edit));
    }
    startMeeting(planId);
    if (!hub_) {
      const auto* failed = core::findPlanned(schedule_, planId);
      return respond(editResponse(badRequest("failed", failed != nullptr ? failed->error : "échec")));
    }
    return respond(jsonResponse(200, {{"running", planId}}));
  }
  return respond(jsonResponse(404, {{"status", "not_found"}}));
}

// ---- "Vérifier avant la séance": the probe desk's REST (docs/PREFLIGHT.md) ----

bool Station::isProbeDeskPath(const std::string& path) {
  return path == "/api/preflight" || path.rfind("/api/destinations/", 0) == 0;
}

void Station::handleProbeDeskApi(const web::HttpRequest& request) {
  auto respond = [this, id = request.id](web::HttpResponse response) { web_->respond(id, std::move(response)); };
  auto refusal = [](int status, std::string code, std::string message) {
    return jsonResponse(
        status, {{"type", "error"}, {"status", status}, {"code", std::move(code)}, {"message", std::move(message)}});
  };
  if (request.method != "POST") return respond(jsonResponse(405, {{"status", "method_not_allowed"}}));
  const auto busy = [&] { return respond(refusal(409, "busy", "Une vérification est déjà en cours.")); };
  if (request.path == "/api/preflight") {
    // During a meeting the program holds the source and the destinations are live: the
    // hub's observations stand in for the source's look, and nothing is published beside.
    PreflightInputs inputs;
    inputs.broadcasting = hub_ != nullptr;
    if (hub_) {
      const auto source = hub_->sourceStats();
      // Whether a live picture moves is not known from here: only a lost one is (red).
      if (!source.videoUp) inputs.source = core::SourceObservation{false, false};
      double peak = -std::numeric_limits<double>::infinity();
      for (const double channel : hub_->audioLevels().peakDb) peak = std::max(peak, channel);
      // A pause between speakers is no fault: only a lost sound track, or sound heard, is reported.
      if (!source.audioUp) {
        inputs.peakDbfs = -std::numeric_limits<double>::infinity();
      } else if (peak >= core::kSilentPeakDbfs) {
        inputs.peakDbfs = peak;
      }
    }
    if (probeDesk_->startPreflight(request.id, options_.hub.config, std::move(inputs), hub_ == nullptr) ==
        DeskStart::Busy)
      return busy();
    return;  // answered by onPreflightDone
  }
  // /api/destinations/NAME/test
  constexpr std::string_view kPrefix = "/api/destinations/";
  constexpr std::string_view kSuffix = "/test";
  const auto rest = request.path.substr(kPrefix.size());
  if (rest.size() <= kSuffix.size() || !rest.ends_with(kSuffix)) {
    return respond(jsonResponse(404, {{"status", "not_found"}}));
  }
  const auto name = rest.substr(0, rest.size() - kSuffix.size());
  if (hub_) {
    return respond(refusal(409, "broadcasting",
                           "Test impossible pendant une séance : une seconde publication avec la même clé "
                           "dérangerait la diffusion. Voyez l'état de la destination sur la console."));
  }
  switch (probeDesk_->startDestinationTest(request.id, options_.hub.config, name)) {
    case DeskStart::Started: return;  // answered by onDestinationTested
    case DeskStart::Busy: return busy();
    case DeskStart::Unknown:
      return respond(refusal(404, "not_found", "Aucune destination « " + name + " » dans la configuration."));
  }
}

void Station::onPreflightDone(std::uint64_t job, core::PreflightReport report) {
  boost::asio::post(io_, [this, job, report = std::move(report)] {
    web_->respond(job, jsonResponse(200, core::preflightJson(report)));
  });
}

void Station::onDestinationTested(std::uint64_t job, DestinationTest test) {
  boost::asio::post(io_, [this, job, test = std::move(test)] {
    web_->respond(job, jsonResponse(200, {{"accepted", test.accepted}, {"text", test.text}, {"advice", test.advice}}));
  });
}

}  // namespace tribune::app
