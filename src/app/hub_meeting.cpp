// The hub and the meeting: commands run against the core's Meeting, their events take
// effect at once (graphics, mute, recording pause: a huis clos cannot wait for a disk) and
// are acknowledged once the event log has them. Runs on the hub thread only.
#include <boost/asio/post.hpp>

#include <set>

#include "app/hub.h"
#include "app/hub_internal.h"
#include "app/replay.h"

namespace tribune::app {
namespace {

// An agenda with no item, for a commune that starts without one.
core::Agenda emptyAgenda(const std::string& commune) {
  core::Agenda agenda;
  agenda.meeting.commune = commune;
  agenda.meeting.title = std::string(core::kDefaultMeetingTitle);
  agenda.meeting.date = localTime("%Y-%m-%d");
  return agenda;
}

}  // namespace

void Hub::openMeeting() {
  const auto now = core::Clock::now();
  // A planned meeting (`tribune serve`) resumes only itself, even ended (the machine stopped
  // between "terminée" and standby); `tribune run` resumes the last meeting unless it ended.
  const auto& planned = options_.meetingId;
  if (auto last = store_->lastMeeting(); last && (!planned || *last == *planned)) {
    std::vector<std::string> warnings;
    auto replayed = replayMeeting(*store_, *last, &warnings);
    for (const auto& warning : warnings) hubLogger()->warn("journal: {}", warning);
    if (!replayed.id().empty() && (planned || replayed.state() != core::SessionState::Terminee)) {
      meeting_ = std::move(replayed);
      lastSeq_ = store_->lastSeq();
      hubLogger()->info("séance reprise / meeting resumed: {} (état {}, {} questions)", meeting_.id(),
                        core::toString(meeting_.state()), meeting_.questions().all().size());
      return;
    }
  }
  auto agenda = options_.agenda.value_or(emptyAgenda(options_.config.branding.commune));
  meeting_ = core::Meeting(planned.value_or("seance-" + localTime("%Y-%m-%dT%H-%M-%S")), std::move(agenda), now);
  // Pré-séance: the bug, the question page's QR code and the first item, so that the
  // picture is dressed from the first second.
  const auto& graphics = options_.config.graphics;
  meeting_.showOverlay(core::Layer::Bug, "bug", {}, now);
  if (graphics.questionUrl) {
    meeting_.showOverlay(core::Layer::Qr, "qr", {{"url", *graphics.questionUrl}, {"caption", "Posez vos questions"}},
                         now);
  }
  if (graphics.showAgendaOnStart && !meeting_.agenda().items.empty()) {
    const auto& item = meeting_.agenda().items.front();
    meeting_.showOverlay(core::Layer::LowerThird, "agenda",
                         {{"number", item.number}, {"title", item.title}, {"rapporteur", item.rapporteur}}, now);
  }
  // A meeting that started by itself waits for the technician behind the "début imminent"
  // slate (the technician takes it down when the session opens).
  if (planned) meeting_.showOverlay(core::Layer::Slate, "starting", {}, now);
  if (!options_.config.questions.prescreen) {
    meeting_.onQuestions([](core::QuestionBoard& board) { return board.setPrescreen(false); }, now);
  }
  // Durable before anything is served: wait for the log here (the loop is not turning).
  std::vector<store::NewEvent> rows;
  for (const auto& event : meeting_.takeEvents()) {
    rows.push_back({meeting_.id(), event.type, event.data.dump(), wallMs(), -1});
  }
  std::promise<store::AppendResult> written;
  auto done = written.get_future();
  store_->append(std::move(rows), [&written](store::AppendResult result) { written.set_value(std::move(result)); });
  auto result = done.get();
  if (result.error) throw store::StoreError("the event log refused the new meeting: " + *result.error);
  lastSeq_ = result.seqs.empty() ? store_->lastSeq() : result.seqs.back();
  hubLogger()->info("nouvelle séance / new meeting: {}", meeting_.id());
}

void Hub::command(const core::Caller& caller, const core::Request& request,
                  std::function<void(core::DispatchResult)> done) {
  core::DispatchResult outcome;
  try {
    outcome = core::dispatch(
        request, caller,
        core::DispatchTarget{meeting_, broadcast_, questionIntake_, core::Clock::now(), wallMs(), &platformBoard_});
  } catch (const std::exception& e) {
    // The one place where a bug becomes a wire error.
    hubLogger()->error("command {}: {}", request.type, e.what());
    outcome = {static_cast<int>(core::StatusCode::InternalError), "internal_error",
               "Erreur interne de Tribune : la commande n'a pas été exécutée.", nlohmann::json::object()};
  }
  execute();                 // destination orders
  carryOutPlatformOrders();  // accounts and lives
  auto events = meeting_.takeEvents();
  if (!outcome.ok() || events.empty()) {
    done(std::move(outcome));
    return;
  }
  // Replies on the platforms follow a moderator's or the mayor's action only, once durable.
  const bool mayReply =
      caller.role == core::Role::Moderator || caller.role == core::Role::Mayor || caller.role == core::Role::Technician;
  std::vector<core::MeetingEvent> replies;
  for (const auto& event : events) {
    if (mayReply && (event.type == "question_answered" || event.type == "question_written_reply")) {
      replies.push_back(event);
    }
  }
  commit(std::move(events), [this, outcome, replies = std::move(replies),
                             done = std::move(done)](std::vector<std::uint64_t> seqs) mutable {
    if (seqs.empty()) {
      outcome = {static_cast<int>(core::StatusCode::InternalError), "internal_error",
                 "Le journal de la séance n'a pas pu enregistrer la commande.", nlohmann::json::object()};
    } else {
      outcome.data["seq"] = seqs.back();
      replyOnPlatforms(replies);
    }
    done(std::move(outcome));
  });
}

void Hub::commit(std::vector<core::MeetingEvent> events, std::function<void(std::vector<std::uint64_t>)> done) {
  recordLoudness(events);
  recordAudience(events);
  // 1. Effects now.
  std::set<core::Layer> layers;
  for (const auto& event : events) {
    if (event.type.rfind("overlay_", 0) != 0) continue;
    if (auto layer = core::layerFromString(event.data.value("layer", ""))) layers.insert(*layer);
  }
  for (auto layer : layers) renderLayer(layer, nextChangeId_++);
  applyMediaState();
  // 2. Then the log; the acknowledgement and the clients' events follow its commit.
  const std::int64_t programNs = engine_ ? static_cast<std::int64_t>(engine_->programTime()) : -1;
  std::vector<store::NewEvent> rows;
  for (const auto& event : events) rows.push_back({meeting_.id(), event.type, event.data.dump(), wallMs(), programNs});
  store_->append(
      std::move(rows), [this, events = std::move(events), done = std::move(done)](store::AppendResult result) mutable {
        boost::asio::post(io_, [this, events = std::move(events), result = std::move(result), done = std::move(done)] {
          if (result.error) {
            hubLogger()->error("journal de séance / event log: {}", *result.error);
            done({});
            return;
          }
          lastSeq_ = std::max(lastSeq_, result.seqs.back());
          publish(events, result.seqs);
          exportAfter(events);
          done(result.seqs);
          if (options_.endWhenMeetingEnds) boost::asio::post(io_, [this] { endIfMeetingEnded(); });
        });
      });
}

void Hub::applyMediaState() {
  if (!engine_) return;
  const bool cut = meeting_.publicOutputsCut();
  if (cut != publicCut_) {
    engine_->setMuted(cut);
    publicCut_ = cut;
    hubLogger()->info(cut ? "huis clos : son coupé sur toutes les sorties / sound cut on every output"
                          : "fin du huis clos : son rétabli / sound restored");
  }
  const bool paused = meeting_.recordingPaused(options_.config.session.recordDuringHuisClos);
  if (paused != recordingPaused_) {
    engine_->setRecordingPaused(paused);
    recordingPaused_ = paused;
    hubLogger()->info(paused ? "enregistrement en pause (huis clos) / recording paused"
                             : "enregistrement repris / recording resumed");
  }
  applyLoudnessMode();
}

// Branding, then the clock, then the layer's own values (which win). Slates get no clock:
// they are pre-rendered once (prerenderSlates) and must match the cache exactly.
std::map<std::string, std::string> Hub::layerValues(core::Layer layer, const core::OverlayValues& own) const {
  auto values = branding_;
  values["time"] = layer == core::Layer::Slate ? "" : clock_;
  // Where a question was asked (issue 21): empty unless the question says so, also for
  // graphics shown before questions had an origin (a resumed log, overlay.show).
  values["origine"] = "";
  for (const auto& [key, value] : own) values[key] = value;
  return values;
}

void Hub::renderLayer(core::Layer layer, std::uint64_t changeId) {
  const auto index = static_cast<std::size_t>(layer);
  layerErrors_.at(index).clear();
  lastLayerChange_.at(index) = changeId;
  const auto& state = meeting_.overlays().state(layer);
  hubLogger()->info("graphisme / graphics: {} {} {}", core::toString(layer), state.visible ? "on" : "off",
                    state.templateName);
  if (!state.visible) {
    engine_->hideGraphic(static_cast<int>(layer), changeId);
    return;
  }
  engine_->showGraphic(static_cast<int>(layer), state.templateName, layerValues(layer, state.values), changeId);
}

void Hub::renderAllLayers() {
  clock_ = options_.config.graphics.showClock ? localTime("%H:%M") : "";
  for (int i = 0; i < core::kLayerCount; ++i) {
    const auto layer = static_cast<core::Layer>(i);
    if (meeting_.overlays().state(layer).visible) renderLayer(layer, nextChangeId_++);
  }
}

// Huis clos must cover the picture within a frame: no render may stand in the way.
void Hub::prerenderSlates() {
  for (const auto& name : core::templatesOf(core::Layer::Slate)) {
    engine_->prerenderGraphic(name, layerValues(core::Layer::Slate, {}));
  }
}

// The other templates are rendered on demand, each with new values; their first render
// also reads the file and loads fonts and glyphs. Warm each once, after what is on air at
// start, with French text of the usual shapes (accents, digits, capitals), so that the
// first speaker or item of the meeting appears as fast as the next ones.
void Hub::warmTemplates() {
  const core::OverlayValues sample{
      {"number", "12"},
      {"title", "Approbation du procès-verbal de la séance précédente — budget « Écoles » 2026"},
      {"rapporteur", "Mme Élise Durand-Noël, adjointe aux finances"},
      {"name", "M. Jean-François Lefèvre"},
      {"role", "Conseiller municipal délégué à la voirie"},
      {"pour", "21"},
      {"contre", "3"},
      {"abstention", "1"},
      {"npp", "0"},
      {"result", "Adopté à la majorité"},
      {"pseudonym", "Hélène du quartier"},
      {"quartier", "Centre-ville"},
      {"origine", "Facebook"},
      {"text", "Où en sont les travaux de l'école ? Quand la rue sera-t-elle rouverte à la circulation ?"},
      {"url", "https://www.ville.fr/questions"},
      {"caption", "Posez vos questions"},
  };
  for (const auto layer : {core::Layer::Bug, core::Layer::Qr, core::Layer::LowerThird}) {
    for (const auto& name : core::templatesOf(layer)) engine_->warmGraphic(name, layerValues(layer, sample));
  }
}

// The clock is presentation, not meeting state: the bug is redrawn each minute without
// an event in the log.
void Hub::refreshClock() {
  if (!options_.config.graphics.showClock) return;
  const std::string now = localTime("%H:%M");
  if (now == clock_) return;
  clock_ = now;
  if (meeting_.overlays().state(core::Layer::Bug).visible) renderLayer(core::Layer::Bug, nextChangeId_++);
}

OverlayCommandResult Hub::overlayCommand(core::MeetingResult result) {
  auto events = meeting_.takeEvents();
  if (!result.ok() || events.empty()) return {std::move(result), 0};
  std::optional<core::Layer> layer = core::layerFromString(events.back().data.value("layer", ""));
  commit(std::move(events), [](std::vector<std::uint64_t>) {});
  const std::uint64_t changeId = layer ? lastLayerChange_.at(static_cast<std::size_t>(*layer)) : 0;
  return {std::move(result), changeId};
}

OverlayCommandResult Hub::showOverlay(core::Layer layer, const std::string& templateName, core::OverlayValues values) {
  return onHub(
      [&] { return overlayCommand(meeting_.showOverlay(layer, templateName, std::move(values), core::Clock::now())); });
}

OverlayCommandResult Hub::updateOverlay(core::Layer layer, const core::OverlayValues& values) {
  return onHub([&] { return overlayCommand(meeting_.updateOverlay(layer, values, core::Clock::now())); });
}

OverlayCommandResult Hub::hideOverlay(core::Layer layer) {
  return onHub([&] { return overlayCommand(meeting_.hideOverlay(layer, core::Clock::now())); });
}

std::optional<media::GraphicTiming> Hub::graphicTiming(std::uint64_t changeId) {
  return onHub([&] { return engine_->graphicTiming(changeId); });
}

std::future<core::DispatchResult> Hub::submit(core::Role role, core::Request request) {
  auto promise = std::make_shared<std::promise<core::DispatchResult>>();
  auto future = promise->get_future();
  boost::asio::post(io_, [this, role, request = std::move(request), promise] {
    command(core::Caller{role, {}, {}, {}}, request,
            [promise](core::DispatchResult result) { promise->set_value(std::move(result)); });
  });
  return future;
}

media::AudioLevels Hub::audioLevels() {
  return onHub([&] { return levels_; });
}

nlohmann::json Hub::meetingSnapshot() {
  return onHub([&] { return meeting_.snapshot(); });
}

}  // namespace tribune::app
