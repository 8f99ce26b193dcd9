#include "core/meeting.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "core/agenda_json.h"

namespace tribune::core {

namespace {

using Json = nlohmann::json;

// audience_measured's platforms: {"youtube": {"peak": n, "average": x, "per_minute": [...]}, …}.
bool isAudience(const nlohmann::json& platforms) {
  if (!platforms.is_object()) return false;
  for (const auto& [name, figures] : platforms.items()) {
    if (!figures.is_object() || !figures.contains("peak") || !figures["peak"].is_number() ||
        !figures.contains("average") || !figures["average"].is_number() || !figures.contains("per_minute") ||
        !figures["per_minute"].is_array()) {
      return false;
    }
  }
  return true;
}

constexpr std::size_t kNumbersListedInMessages = 12;
constexpr std::array<Layer, kLayerCount> kAllLayers{Layer::Bug, Layer::Qr, Layer::LowerThird, Layer::Slate};

// « 12 bis »: French quotes around a name in a message.
std::string guillemets(std::string_view text) { return "« " + std::string(text) + " »"; }

std::string stateSuffix(SessionState state) { return " (état actuel : " + std::string(frenchLabel(state)) + ")."; }

// "une délibération", "une information", "une question diverse".
std::string kindWithArticle(ItemKind kind) {
  std::string label(frenchLabel(kind));
  if (!label.empty() && label[0] >= 'A' && label[0] <= 'Z') label[0] = static_cast<char>(label[0] - 'A' + 'a');
  return "une " + label;
}

std::string itemNumbers(const std::vector<AgendaItem>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < kNumbersListedInMessages; ++i) {
    if (!out.empty()) out += ", ";
    out += items[i].number;
  }
  if (items.size() > kNumbersListedInMessages) out += "…";
  return out;
}

Json valuesToJson(const OverlayValues& values) {
  Json out = Json::object();
  for (const auto& [name, value] : values) out[name] = value;
  return out;
}

// The source: why a track was lost (what the media side reports), and the slate that says so.
constexpr std::array<std::string_view, 3> kSourceLossReasons{"no_data", "error", "ended"};
constexpr std::string_view kSignalLost = "signal-lost";

bool isSourceLossReason(std::string_view reason) {
  return std::find(kSourceLossReasons.begin(), kSourceLossReasons.end(), reason) != kSourceLossReasons.end();
}

bool isKnownTrack(SourceTrack track) {
  const auto index = static_cast<int>(track);
  return index >= 0 && index < kSourceTrackCount;
}

std::size_t trackIndex(SourceTrack track) { return static_cast<std::size_t>(track); }

bool showsSignalLost(const LayerState& slate) { return slate.visible && slate.templateName == kSignalLost; }

bool sameLayerState(const LayerState& a, const LayerState& b) {
  return a.visible == b.visible && a.templateName == b.templateName && a.values == b.values;
}

Json layerStateToJson(const LayerState& state) {
  return {{"visible", state.visible}, {"template", state.templateName}, {"values", valuesToJson(state.values)}};
}

OverlayValues agendaValues(const AgendaItem& item) {
  return {{"number", item.number}, {"title", item.title}, {"rapporteur", item.rapporteur}};
}

std::string speakerRole(const Councillor& councillor) {
  if (councillor.group.empty()) return councillor.role;
  if (councillor.role.empty()) return councillor.group;
  return councillor.role + " – " + councillor.group;
}

MeetingResult overlayRefusal(const OverlayResult& result, Layer layer, const std::string& templateName) {
  const auto layerName = guillemets(toString(layer));
  switch (result.status) {
    case OverlayStatus::Ok: return MeetingResult::success();
    case OverlayStatus::UnknownLayer:
      return MeetingResult::refusal(StatusCode::UnknownLayer,
                                    "Calque inconnu ; les calques sont : bug, qr, lower_third, slate.");
    case OverlayStatus::TemplateNotAllowed: {
      std::string allowed;
      for (const auto& name : templatesOf(layer)) allowed += (allowed.empty() ? "" : ", ") + name;
      return MeetingResult::refusal(StatusCode::TemplateNotAllowed, "Le modèle " + guillemets(templateName) +
                                                                        " n'est pas permis sur le calque " + layerName +
                                                                        " ; modèles permis : " + allowed + ".");
    }
    case OverlayStatus::NothingShown:
      return MeetingResult::refusal(StatusCode::NothingShown, "Rien n'est affiché sur le calque " + layerName + ".");
  }
  return MeetingResult::refusal(StatusCode::InternalError, "Résultat inattendu des graphismes.");
}

// Reading event data: each returns nothing when the member is missing or of another type.
std::optional<std::string> stringMember(const Json& data, const char* key) {
  const auto found = data.find(key);
  if (found == data.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

std::optional<SessionState> stateMember(const Json& data, const char* key) {
  const auto found = data.find(key);
  if (found == data.end() || !found->is_string()) return std::nullopt;
  return sessionStateFromString(found->get_ref<const std::string&>());
}

std::optional<Layer> layerMember(const Json& data, const char* key) {
  const auto found = data.find(key);
  if (found == data.end() || !found->is_string()) return std::nullopt;
  return layerFromString(found->get_ref<const std::string&>());
}

std::optional<SourceTrack> trackMember(const Json& data, const char* key) {
  const auto found = data.find(key);
  if (found == data.end() || !found->is_string()) return std::nullopt;
  for (const auto track : {SourceTrack::Video, SourceTrack::Audio}) {
    if (toString(track) == found->get_ref<const std::string&>()) return track;
  }
  return std::nullopt;
}

std::optional<OverlayValues> valuesMember(const Json& data, const char* key) {
  const auto found = data.find(key);
  if (found == data.end() || !found->is_object()) return std::nullopt;
  OverlayValues values;
  for (const auto& [name, value] : found->items()) {
    if (!value.is_string()) return std::nullopt;
    values.emplace(name, value.get<std::string>());
  }
  return values;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Replaying events: one applier per type, each checking its data completely before it
// changes anything.

struct Meeting::Appliers {
  using Applier = ApplyResult (*)(Meeting& meeting, const Json& data);
  struct Entry {
    std::string_view type;
    Applier apply;
  };

  static ApplyResult meetingCreated(Meeting& m, const Json& data) {
    auto id = stringMember(data, "id");
    if (!id) return {"meeting_created: expected a string \"id\""};
    const auto agenda = data.find("agenda");
    if (agenda == data.end()) return {"meeting_created: expected an \"agenda\""};
    auto read = agendaFromJson(*agenda);
    if (!read.agenda) return {"meeting_created: " + read.error};
    m.id_ = std::move(*id);
    m.agenda_ = std::move(*read.agenda);
    m.state_ = SessionState::PreSeance;
    m.current_.reset();
    m.votes_.clear();
    m.speaker_.reset();
    for (const auto layer : kAllLayers) m.overlays_.apply({OverlayEvent::Kind::Hidden, layer, {}, {}, TimePoint{}});
    m.sourceLost_ = {};
    m.heldSlate_.reset();
    m.recordings_.clear();
    return {};
  }

  static ApplyResult recordingStarted(Meeting& m, const Json& data) {
    auto recording = recordingFileFromJson(data);
    if (!recording) {
      return {
          "recording_started: expected a non-empty string \"file\" and integers \"epoch_ms\" and \"program_ns\" "
          "(not negative)"};
    }
    m.recordings_.push_back(std::move(*recording));
    return {};
  }

  static ApplyResult loudnessMode(Meeting& m, const Json& data) {
    const auto mode = data.find("mode");
    const auto parsed =
        mode != data.end() && mode->is_string() ? loudnessModeFromString(mode->get<std::string>()) : std::nullopt;
    if (!parsed) return {"loudness_mode: expected \"mode\", one of auto, frozen, off"};
    m.loudnessMode_ = *parsed;
    return {};
  }

  static ApplyResult loudnessMeasured(Meeting& m, const Json& data) {
    const auto integrated = data.find("integrated_lufs");
    const auto peak = data.find("true_peak_dbtp");
    if (integrated == data.end() || !integrated->is_number() || peak == data.end() || !peak->is_number()) {
      return {"loudness_measured: expected numbers \"integrated_lufs\" and \"true_peak_dbtp\""};
    }
    m.loudness_ = LoudnessMeasure{integrated->get<double>(), peak->get<double>()};
    return {};
  }

  static ApplyResult audienceMeasured(Meeting& m, const Json& data) {
    const auto platforms = data.find("platforms");
    if (platforms == data.end() || !isAudience(*platforms)) {
      return {"audience_measured: expected \"platforms\", an object of {peak, average, per_minute}"};
    }
    m.audience_ = *platforms;
    return {};
  }

  static ApplyResult agendaLoaded(Meeting& m, const Json& data) {
    if (m.state_ != SessionState::PreSeance) {
      return {"agenda_loaded: the session is " + std::string(toString(m.state_)) + ", not pre_seance"};
    }
    const auto agenda = data.find("agenda");
    if (agenda == data.end()) return {"agenda_loaded: expected an \"agenda\""};
    auto read = agendaFromJson(*agenda);
    if (!read.agenda) return {"agenda_loaded: " + read.error};
    m.agenda_ = std::move(*read.agenda);
    m.current_.reset();
    m.votes_.clear();
    m.speaker_.reset();
    return {};
  }

  static ApplyResult sessionChanged(Meeting& m, const Json& data) {
    const auto from = stateMember(data, "from");
    const auto to = stateMember(data, "to");
    if (!from || !to) return {"session_changed: expected known states in \"from\" and \"to\""};
    if (*from != m.state_) {
      return {"session_changed: from " + std::string(toString(*from)) + " but the session is " +
              std::string(toString(m.state_))};
    }
    if (!isLegalTransition(*from, *to)) {
      return {"session_changed: no transition from " + std::string(toString(*from)) + " to " +
              std::string(toString(*to))};
    }
    m.state_ = *to;
    return {};
  }

  static ApplyResult itemChanged(Meeting& m, const Json& data) {
    const auto index = data.find("index");
    const auto number = stringMember(data, "number");
    if (index == data.end() || !index->is_number_integer() || index->get<std::int64_t>() < 0 || !number) {
      return {"item_changed: expected an unsigned \"index\" and a string \"number\""};
    }
    const auto at = index->get<std::uint64_t>();
    if (at >= m.agenda_.items.size() || m.agenda_.items[at].number != *number) {
      return {"item_changed: no item " + *number + " at index " + std::to_string(at)};
    }
    m.current_ = static_cast<std::size_t>(at);
    return {};
  }

  static ApplyResult voteRecorded(Meeting& m, const Json& data) {
    auto read = voteFromJson(data);
    if (!read.vote) return {"vote_recorded: " + read.error};
    const auto& items = m.agenda_.items;
    if (std::none_of(items.begin(), items.end(),
                     [&](const AgendaItem& item) { return item.number == read.vote->item; })) {
      return {"vote_recorded: no item " + read.vote->item + " in the agenda"};
    }
    for (const auto& [councillor, choice] : read.vote->choices) {
      if (m.findCouncillor(councillor) == nullptr) return {"vote_recorded: unknown councillor " + councillor};
    }
    auto item = read.vote->item;
    m.votes_.insert_or_assign(std::move(item), std::move(*read.vote));
    return {};
  }

  static ApplyResult speakerChanged(Meeting& m, const Json& data) {
    const auto councillor = data.find("councillor");
    if (councillor == data.end() || !(councillor->is_null() || councillor->is_string())) {
      return {"speaker_changed: expected \"councillor\", a string or null"};
    }
    if (councillor->is_null()) {
      m.speaker_.reset();
      return {};
    }
    auto id = councillor->get<std::string>();
    if (m.findCouncillor(id) == nullptr) return {"speaker_changed: unknown councillor " + id};
    m.speaker_ = std::move(id);
    return {};
  }

  static ApplyResult overlay(Meeting& m, const Json& data, OverlayEvent::Kind kind) {
    const auto layer = layerMember(data, "layer");
    auto templateName = stringMember(data, "template");
    auto values = valuesMember(data, "values");
    if (!layer || !templateName || !values) {
      return {"overlay event: expected a known \"layer\", a string \"template\" and string \"values\""};
    }
    if (!templateAllowedOn(*layer, *templateName)) {
      return {"overlay event: template " + *templateName + " is not allowed on the " + std::string(toString(*layer)) +
              " layer"};
    }
    // A slate other than "signal-lost" (huis clos, or the technician's hand) ends the hold:
    // nothing is covered any more, and the video's return leaves the slate alone.
    if (*layer == Layer::Slate && (kind == OverlayEvent::Kind::Hidden || *templateName != kSignalLost)) {
      m.heldSlate_.reset();
    }
    m.overlays_.apply({kind, *layer, std::move(*templateName), std::move(*values), TimePoint{}});
    return {};
  }
  static ApplyResult overlayShown(Meeting& m, const Json& data) { return overlay(m, data, OverlayEvent::Kind::Shown); }
  static ApplyResult overlayUpdated(Meeting& m, const Json& data) {
    return overlay(m, data, OverlayEvent::Kind::Updated);
  }
  static ApplyResult overlayHidden(Meeting& m, const Json& data) {
    return overlay(m, data, OverlayEvent::Kind::Hidden);
  }

  static ApplyResult sourceLost(Meeting& m, const Json& data) {
    const auto track = trackMember(data, "track");
    const auto reason = stringMember(data, "reason");
    if (!track || !reason || !isSourceLossReason(*reason)) {
      return {"source_lost: expected \"track\" (video or audio) and \"reason\" (no_data, error or ended)"};
    }
    if (m.sourceLost_.at(trackIndex(*track))) {
      return {"source_lost: the " + std::string(toString(*track)) + " is already lost"};
    }
    m.sourceLost_.at(trackIndex(*track)) = true;
    return {};
  }

  static ApplyResult sourceRestored(Meeting& m, const Json& data) {
    const auto track = trackMember(data, "track");
    if (!track) return {"source_restored: expected \"track\" (video or audio)"};
    if (!m.sourceLost_.at(trackIndex(*track))) {
      return {"source_restored: the " + std::string(toString(*track)) + " is not lost"};
    }
    m.sourceLost_.at(trackIndex(*track)) = false;
    if (*track == SourceTrack::Video) m.heldSlate_.reset();
    return {};
  }

  static ApplyResult slateHeld(Meeting& m, const Json& data) {
    const auto visible = data.find("visible");
    auto templateName = stringMember(data, "template");
    auto values = valuesMember(data, "values");
    if (visible == data.end() || !visible->is_boolean() || !templateName || !values) {
      return {"slate_held: expected a boolean \"visible\", a string \"template\" and string \"values\""};
    }
    if ((visible->get<bool>() || !templateName->empty()) && !templateAllowedOn(Layer::Slate, *templateName)) {
      return {"slate_held: template " + *templateName + " is not allowed on the slate layer"};
    }
    if (!m.sourceLost_.at(trackIndex(SourceTrack::Video))) return {"slate_held: the video is not lost"};
    if (!showsSignalLost(m.overlays_.state(Layer::Slate))) return {"slate_held: the signal-lost slate is not on air"};
    m.heldSlate_ = LayerState{visible->get<bool>(), std::move(*templateName), std::move(*values)};
    return {};
  }

  static constexpr std::array<Entry, 16> kTable{{
      {"meeting_created", &meetingCreated},
      {"agenda_loaded", &agendaLoaded},
      {"session_changed", &sessionChanged},
      {"item_changed", &itemChanged},
      {"vote_recorded", &voteRecorded},
      {"speaker_changed", &speakerChanged},
      {"overlay_shown", &overlayShown},
      {"overlay_updated", &overlayUpdated},
      {"overlay_hidden", &overlayHidden},
      {"source_lost", &sourceLost},
      {"source_restored", &sourceRestored},
      {"slate_held", &slateHeld},
      {"recording_started", &recordingStarted},
      {"loudness_mode", &loudnessMode},
      {"loudness_measured", &loudnessMeasured},
      {"audience_measured", &audienceMeasured},
  }};
};

ApplyResult Meeting::apply(const MeetingEvent& event) {
  if (QuestionBoard::isQuestionEvent(event.type)) {
    try {
      return {questions_.apply({event.type, event.data}).value_or("")};
    } catch (const Json::exception& error) {
      return {event.type + ": " + error.what()};
    }
  }
  const auto& table = Appliers::kTable;
  const auto entry = std::find_if(table.begin(), table.end(),
                                  [&](const Appliers::Entry& candidate) { return candidate.type == event.type; });
  if (entry == table.end()) {
    std::string known;
    for (const auto& candidate : table) known += (known.empty() ? "" : ", ") + std::string(candidate.type);
    return {"unknown event type \"" + event.type + "\"; known types: " + known};
  }
  if (!event.data.is_object()) return {event.type + ": expected an object as data"};
  try {
    return entry->apply(*this, event.data);
  } catch (const Json::exception& error) {
    // Appliers check types before reading; this is the net under a check forgotten.
    return {event.type + ": " + error.what()};
  }
}

void Meeting::record(std::string type, Json data, TimePoint now) {
  MeetingEvent event{std::move(type), std::move(data), now};
  // Commands only build events they have checked, so an event that does not apply is a bug:
  // loud (dispatch() turns it into an internal_error), and kept out of the log, which stays
  // the exact story of the state.
  if (auto applied = apply(event); !applied.ok()) throw std::logic_error("meeting event not applied: " + applied.error);
  events_.push_back(std::move(event));
}

std::vector<MeetingEvent> Meeting::takeEvents() { return std::exchange(events_, {}); }

// ---------------------------------------------------------------------------------------
// Construction and state

Meeting::Meeting(std::string id, const Agenda& agenda, TimePoint now) {
  record("meeting_created", {{"id", std::move(id)}, {"agenda", agendaToJson(agenda)}}, now);
}

const AgendaItem* Meeting::currentItem() const {
  if (!current_ || *current_ >= agenda_.items.size()) return nullptr;
  return &agenda_.items[*current_];
}

const Councillor* Meeting::findCouncillor(std::string_view id) const {
  const auto found = std::find_if(agenda_.councillors.begin(), agenda_.councillors.end(),
                                  [id](const Councillor& councillor) { return councillor.id == id; });
  return found == agenda_.councillors.end() ? nullptr : &*found;
}

std::optional<std::size_t> Meeting::indexOf(std::string_view number) const {
  const auto& items = agenda_.items;
  const auto found =
      std::find_if(items.begin(), items.end(), [number](const AgendaItem& item) { return item.number == number; });
  if (found != items.end()) return static_cast<std::size_t>(found - items.begin());
  const auto near = std::find_if(items.begin(), items.end(),
                                 [number](const AgendaItem& item) { return sameItemNumber(item.number, number); });
  if (near != items.end()) return static_cast<std::size_t>(near - items.begin());
  return std::nullopt;
}

bool Meeting::publicOutputsCut() const { return state_ == SessionState::HuisClos; }

bool Meeting::recordingPaused(bool recordDuringHuisClos) const {
  return state_ == SessionState::HuisClos && !recordDuringHuisClos;
}

Json Meeting::snapshot() const {
  Json currentItemJson = nullptr;
  if (const auto* item = currentItem()) {
    currentItemJson = {{"index", *current_},
                       {"number", item->number},
                       {"title", item->title},
                       {"rapporteur", item->rapporteur},
                       {"kind", std::string(toString(item->kind))}};
  }
  Json votes = Json::object();
  for (const auto& [item, vote] : votes_) votes[item] = toJson(vote);
  Json speaker = nullptr;
  if (speaker_) {
    if (const auto* councillor = findCouncillor(*speaker_)) {
      speaker = {
          {"id", councillor->id}, {"name", councillor->name}, {"role", councillor->role}, {"group", councillor->group}};
    }
  }
  Json overlays = Json::object();
  for (const auto layer : kAllLayers) {
    const auto& state = overlays_.state(layer);
    overlays[std::string(toString(layer))] = {
        {"visible", state.visible}, {"template", state.templateName}, {"values", valuesToJson(state.values)}};
  }
  return {{"id", id_},
          {"agenda", agendaToJson(agenda_)},
          {"session",
           {{"state", std::string(toString(state_))},
            {"label", std::string(frenchLabel(state_))},
            {"public_may_be_heard", publicMayBeHeard(state_)},
            {"public_outputs_cut", publicOutputsCut()}}},
          {"current_item", std::move(currentItemJson)},
          {"votes", std::move(votes)},
          {"speaker", std::move(speaker)},
          {"overlays", std::move(overlays)},
          {"source",
           {{"video", sourceUp(SourceTrack::Video) ? "up" : "lost"},
            {"audio", sourceUp(SourceTrack::Audio) ? "up" : "lost"}}},
          {"questions",
           {{"items", questions_.views(Role::Technician, "")},
            {"queue", questions_.queue()},
            {"prescreen", questions_.prescreen()}}},
          {"loudness",
           {{"mode", loudnessMode_ ? Json(std::string(toString(*loudnessMode_))) : Json(nullptr)},
            {"integrated_lufs", loudness_ ? Json(loudness_->integratedLufs) : Json(nullptr)},
            {"true_peak_dbtp", loudness_ ? Json(loudness_->truePeakDbtp) : Json(nullptr)}}}};
}

// ---------------------------------------------------------------------------------------
// Graphics: validated by the Overlays rules on a copy, then recorded as meeting events so
// that they reach the state the same way as in a replay.

void Meeting::recordOverlayEvents(Overlays& scratch) {
  for (auto& event : scratch.takeEvents()) {
    record("overlay_" + std::string(toString(event.kind)),
           {{"layer", std::string(toString(event.layer))},
            {"template", event.templateName},
            {"values", valuesToJson(event.values)}},
           event.at);
  }
}

// A copy of the overlays as they are, made layer by layer (the Overlays API has no
// snapshot, and the scratch is reused rather than copied).
Overlays& Meeting::scratchOverlays() {
  for (const auto layer : kAllLayers) {
    const auto& state = overlays_.state(layer);
    scratch_.apply({state.visible ? OverlayEvent::Kind::Shown : OverlayEvent::Kind::Hidden, layer, state.templateName,
                    state.values, TimePoint{}});
  }
  scratch_.takeEvents();
  return scratch_;
}

OverlayResult Meeting::putOnAir(Layer layer, const std::string& templateName, OverlayValues values, TimePoint now) {
  if (layer == Layer::LowerThird && templateName != "question" && templateAllowedOn(layer, templateName)) {
    questionLeavesAir(now);
  }
  auto& scratch = scratchOverlays();
  auto result = scratch.show(layer, templateName, std::move(values), now);
  if (result.ok()) recordOverlayEvents(scratch);
  return result;
}

OverlayResult Meeting::changeOnAir(Layer layer, const OverlayValues& values, TimePoint now) {
  auto& scratch = scratchOverlays();
  auto result = scratch.update(layer, values, now);
  if (result.ok()) recordOverlayEvents(scratch);
  return result;
}

OverlayResult Meeting::takeOffAir(Layer layer, TimePoint now) {
  auto& scratch = scratchOverlays();
  auto result = scratch.hide(layer, now);
  if (result.ok()) recordOverlayEvents(scratch);
  return result;
}

void Meeting::setSlate(const std::optional<std::string>& templateName, TimePoint now) {
  // Huis clos always wins: its slate goes on the picture, over "signal-lost".
  if (!heldSlate_ || state_ == SessionState::HuisClos) {
    if (templateName) {
      putOnAir(Layer::Slate, *templateName, {}, now);
    } else if (overlays_.state(Layer::Slate).visible) {
      takeOffAir(Layer::Slate, now);
    }
    return;
  }
  auto wanted = *heldSlate_;
  if (templateName) {
    wanted = {true, *templateName, {}};
  } else {
    wanted.visible = false;
  }
  if (!sameLayerState(wanted, *heldSlate_)) record("slate_held", layerStateToJson(wanted), now);
}

LayerState Meeting::wantedSlate() const { return heldSlate_ ? *heldSlate_ : overlays_.state(Layer::Slate); }

void Meeting::coverWithSignalLost(const LayerState& behind, TimePoint now) {
  if (!showsSignalLost(overlays_.state(Layer::Slate))) putOnAir(Layer::Slate, std::string(kSignalLost), {}, now);
  record("slate_held", layerStateToJson(behind), now);
}

void Meeting::clearSpeaker(TimePoint now) {
  if (speaker_) record("speaker_changed", {{"councillor", nullptr}}, now);
}

void Meeting::showCurrentItem(TimePoint now) {
  const auto* item = currentItem();
  if (item == nullptr || state_ != SessionState::Ouverte) return;
  auto values = agendaValues(*item);
  const auto& lowerThird = overlays_.state(Layer::LowerThird);
  if (lowerThird.visible && lowerThird.templateName == "agenda" && lowerThird.values == values) return;
  clearSpeaker(now);
  putOnAir(Layer::LowerThird, "agenda", std::move(values), now);
}

void Meeting::refreshAgendaLowerThird(TimePoint now) {
  const auto* item = currentItem();
  const auto& lowerThird = overlays_.state(Layer::LowerThird);
  if (item == nullptr || !lowerThird.visible || lowerThird.templateName != "agenda") return;
  changeOnAir(Layer::LowerThird, agendaValues(*item), now);
}

// ---------------------------------------------------------------------------------------
// The session

MeetingResult Meeting::sessionCommand(SessionCommand command, TimePoint now) {
  const auto next = transition(state_, command);
  if (!next.to) return MeetingResult::refusal(StatusCode::IllegalTransition, next.refusal);
  record("session_changed", {{"from", std::string(toString(state_))}, {"to", std::string(toString(*next.to))}}, now);
  followSession(command, now);
  return MeetingResult::success();
}

void Meeting::followSession(SessionCommand command, TimePoint now) {
  const auto hideSlate = [this, now] { setSlate(std::nullopt, now); };
  const bool questionTakenOff = !publicMayBeHeard(state_) && questions_.onAir();
  if (questionTakenOff) {
    questionLeavesAir(now);
    followQuestions(now);
  }
  switch (command) {
    case SessionCommand::Open:
      if (!overlays_.state(Layer::Bug).visible) putOnAir(Layer::Bug, "bug", {}, now);
      hideSlate();
      if (!current_ && !agenda_.items.empty()) {
        record("item_changed", {{"index", 0}, {"number", agenda_.items.front().number}}, now);
      }
      showCurrentItem(now);
      break;
    case SessionCommand::Suspend: setSlate("suspension", now); break;
    case SessionCommand::EnterHuisClos: setSlate("huis-clos", now); break;
    case SessionCommand::Resume:
      hideSlate();
      refreshAgendaLowerThird(now);
      break;
    case SessionCommand::LeaveHuisClos:
      if (sourceUp(SourceTrack::Video)) {
        hideSlate();
      } else {
        // Still no picture: "signal-lost" replaces the huis-clos slate, with what leaving
        // would have shown (no slate) behind it.
        auto behind = overlays_.state(Layer::Slate);
        behind.visible = false;
        coverWithSignalLost(behind, now);
      }
      refreshAgendaLowerThird(now);
      break;
    case SessionCommand::Close:
      if (overlays_.state(Layer::LowerThird).visible) takeOffAir(Layer::LowerThird, now);
      clearSpeaker(now);
      break;
    case SessionCommand::StartPublicQuestions: break;
    case SessionCommand::End: setSlate("ended", now); break;
  }
  // Back to deliberation after a question: the picture says again what is being discussed.
  if (questionTakenOff) showCurrentItem(now);
}

MeetingResult Meeting::open(TimePoint now) { return sessionCommand(SessionCommand::Open, now); }
MeetingResult Meeting::suspend(TimePoint now) { return sessionCommand(SessionCommand::Suspend, now); }
MeetingResult Meeting::resume(TimePoint now) { return sessionCommand(SessionCommand::Resume, now); }
MeetingResult Meeting::enterHuisClos(TimePoint now) { return sessionCommand(SessionCommand::EnterHuisClos, now); }
MeetingResult Meeting::leaveHuisClos(TimePoint now) { return sessionCommand(SessionCommand::LeaveHuisClos, now); }
MeetingResult Meeting::close(TimePoint now) { return sessionCommand(SessionCommand::Close, now); }
MeetingResult Meeting::startPublicQuestions(TimePoint now) {
  return sessionCommand(SessionCommand::StartPublicQuestions, now);
}
MeetingResult Meeting::end(TimePoint now) { return sessionCommand(SessionCommand::End, now); }

// ---------------------------------------------------------------------------------------
// The agenda

namespace {

// Items are debated until the session is closed; afterwards the current item stays the
// last one debated (the replay's last chapter).
std::optional<MeetingResult> navigationRefusal(SessionState state) {
  if (state != SessionState::Levee && state != SessionState::QuestionsPublic && state != SessionState::Terminee) {
    return std::nullopt;
  }
  const std::string reason = state == SessionState::Terminee ? "la retransmission est terminée" : "la séance est levée";
  return MeetingResult::refusal(StatusCode::WrongState,
                                "Impossible de changer de point : " + reason + stateSuffix(state));
}

MeetingResult emptyAgenda() {
  return MeetingResult::refusal(StatusCode::EndOfAgenda,
                                "L'ordre du jour est vide : chargez un ordre du jour avant d'ouvrir la séance.");
}

}  // namespace

MeetingResult Meeting::moveTo(std::size_t index, TimePoint now) {
  record("item_changed", {{"index", index}, {"number", agenda_.items[index].number}}, now);
  showCurrentItem(now);
  return MeetingResult::success();
}

MeetingResult Meeting::nextItem(TimePoint now) {
  if (auto refusal = navigationRefusal(state_)) return *refusal;
  if (agenda_.items.empty()) return emptyAgenda();
  if (!current_) return moveTo(0, now);
  if (*current_ + 1 >= agenda_.items.size()) {
    return MeetingResult::refusal(StatusCode::EndOfAgenda, "Impossible de passer au point suivant : le point " +
                                                               currentItem()->number +
                                                               " est le dernier de l'ordre du jour.");
  }
  return moveTo(*current_ + 1, now);
}

MeetingResult Meeting::previousItem(TimePoint now) {
  if (auto refusal = navigationRefusal(state_)) return *refusal;
  if (agenda_.items.empty()) return emptyAgenda();
  if (!current_) {
    return MeetingResult::refusal(StatusCode::EndOfAgenda,
                                  "Impossible de revenir au point précédent : aucun point n'est en cours.");
  }
  if (*current_ == 0) {
    return MeetingResult::refusal(StatusCode::EndOfAgenda, "Impossible de revenir au point précédent : le point " +
                                                               currentItem()->number +
                                                               " est le premier de l'ordre du jour.");
  }
  return moveTo(*current_ - 1, now);
}

MeetingResult Meeting::jumpTo(std::string_view number, TimePoint now) {
  if (auto refusal = navigationRefusal(state_)) return *refusal;
  const auto index = indexOf(number);
  if (!index) {
    return MeetingResult::refusal(StatusCode::UnknownItem, "Le point " + guillemets(number) +
                                                               " n'existe pas dans l'ordre du jour (points : " +
                                                               itemNumbers(agenda_.items) + ").");
  }
  if (index == current_) {
    showCurrentItem(now);
    return MeetingResult::success();
  }
  return moveTo(*index, now);
}

MeetingResult Meeting::loadAgenda(const Agenda& agenda, TimePoint now) {
  if (state_ != SessionState::PreSeance) {
    return MeetingResult::refusal(
        StatusCode::WrongState,
        "Impossible de changer l'ordre du jour : la séance a déjà été ouverte" + stateSuffix(state_));
  }
  if (overlays_.state(Layer::LowerThird).visible) takeOffAir(Layer::LowerThird, now);
  clearSpeaker(now);
  record("agenda_loaded", {{"agenda", agendaToJson(agenda)}}, now);
  return MeetingResult::success();
}

// ---------------------------------------------------------------------------------------
// Votes

MeetingResult Meeting::recordVote(const Vote& vote, TimePoint now) {
  if (state_ != SessionState::Ouverte && state_ != SessionState::HuisClos) {
    return MeetingResult::refusal(
        StatusCode::WrongState, "Impossible d'enregistrer le vote : la séance n'est pas ouverte" + stateSuffix(state_));
  }
  const auto index = indexOf(vote.item);
  if (!index) {
    return MeetingResult::refusal(StatusCode::UnknownItem, "Le point " + guillemets(vote.item) +
                                                               " n'existe pas dans l'ordre du jour (points : " +
                                                               itemNumbers(agenda_.items) + ").");
  }
  const auto& item = agenda_.items[*index];
  if (current_ != index) {
    const std::string current =
        current_ ? "le point en cours est le " + currentItem()->number : "aucun point n'est en cours";
    return MeetingResult::refusal(StatusCode::NotTheCurrentItem, "Impossible d'enregistrer le vote sur le point " +
                                                                     item.number + " : " + current +
                                                                     ". Passez d'abord à ce point.");
  }
  if (item.kind != ItemKind::Deliberation) {
    return MeetingResult::refusal(
        StatusCode::NotADeliberation,
        "Le point " + item.number + " est " + kindWithArticle(item.kind) + " : seules les délibérations sont votées.");
  }
  Vote recorded;
  if (vote.ballot == Ballot::Public) {
    if (vote.choices.empty()) {
      return MeetingResult::refusal(
          StatusCode::InvalidVote, "Aucun vote n'est indiqué : un scrutin public donne le choix de chaque conseiller.");
    }
    for (const auto& [councillor, choice] : vote.choices) {
      if (findCouncillor(councillor) == nullptr) {
        return MeetingResult::refusal(
            StatusCode::UnknownCouncillor,
            "Le conseiller " + guillemets(councillor) + " n'est pas dans la liste des conseillers" +
                (agenda_.councillors.empty() ? " : l'ordre du jour n'en contient aucune (clé « councillors »)." : "."));
      }
    }
    recorded = Vote::publicBallot(item.number, vote.choices);
  } else {
    if (vote.counts.total() == 0) {
      return MeetingResult::refusal(StatusCode::InvalidVote, "Aucune voix n'est indiquée pour ce scrutin secret.");
    }
    if (!agenda_.councillors.empty() && vote.counts.total() > agenda_.councillors.size()) {
      return MeetingResult::refusal(StatusCode::InvalidVote, "Plus de voix (" + std::to_string(vote.counts.total()) +
                                                                 ") que de conseillers (" +
                                                                 std::to_string(agenda_.councillors.size()) + ").");
    }
    recorded = Vote::secretBallot(item.number, vote.counts);
  }
  recorded.huisClos = state_ == SessionState::HuisClos;
  record("vote_recorded", toJson(recorded), now);
  if (!recorded.huisClos) {
    clearSpeaker(now);
    putOnAir(Layer::LowerThird, "vote",
             {{"title", item.title},
              {"pour", std::to_string(recorded.counts.pour)},
              {"contre", std::to_string(recorded.counts.contre)},
              {"abstention", std::to_string(recorded.counts.abstention)},
              {"npp", std::to_string(recorded.counts.npp)},
              {"result", std::string(frenchLabel(recorded.result))}},
             now);
  }
  return MeetingResult::success();
}

// ---------------------------------------------------------------------------------------
// The speaker

MeetingResult Meeting::showSpeaker(std::string_view councillorId, TimePoint now) {
  if (state_ == SessionState::HuisClos) {
    return MeetingResult::refusal(
        StatusCode::WrongState,
        "Impossible d'afficher l'intervenant : la séance est à huis clos, rien n'est diffusé" + stateSuffix(state_));
  }
  const auto* councillor = findCouncillor(councillorId);
  if (councillor == nullptr) {
    return MeetingResult::refusal(StatusCode::UnknownCouncillor, "Le conseiller " + guillemets(councillorId) +
                                                                     " n'est pas dans la liste des conseillers.");
  }
  putOnAir(Layer::LowerThird, "speaker", {{"name", councillor->name}, {"role", speakerRole(*councillor)}}, now);
  if (speaker_ != councillor->id) record("speaker_changed", {{"councillor", councillor->id}}, now);
  return MeetingResult::success();
}

MeetingResult Meeting::hideSpeaker(TimePoint now) {
  if (!speaker_) return MeetingResult::refusal(StatusCode::NothingShown, "Aucun intervenant n'est affiché.");
  const auto& lowerThird = overlays_.state(Layer::LowerThird);
  if (lowerThird.visible && lowerThird.templateName == "speaker") takeOffAir(Layer::LowerThird, now);
  clearSpeaker(now);
  return MeetingResult::success();
}

// ---------------------------------------------------------------------------------------
// Graphics by hand

namespace {

MeetingResult huisClosSlateStays(SessionState state) {
  return MeetingResult::refusal(
      StatusCode::WrongState,
      "Impossible de changer le carton : la séance est à huis clos et le carton « huis-clos » "
      "reste à l'antenne jusqu'à la sortie du huis clos" +
          stateSuffix(state));
}

}  // namespace

MeetingResult Meeting::showOverlay(Layer layer, const std::string& templateName, OverlayValues values, TimePoint now) {
  if (state_ == SessionState::HuisClos && layer == Layer::Slate && templateName != "huis-clos") {
    return huisClosSlateStays(state_);
  }
  const auto result = putOnAir(layer, templateName, std::move(values), now);
  if (!result.ok()) return overlayRefusal(result, layer, templateName);
  // A lower-third shown by hand is not about the current speaker, even with their template.
  if (layer == Layer::LowerThird) clearSpeaker(now);
  return MeetingResult::success();
}

MeetingResult Meeting::updateOverlay(Layer layer, const OverlayValues& values, TimePoint now) {
  const auto result = changeOnAir(layer, values, now);
  if (!result.ok()) return overlayRefusal(result, layer, overlays_.state(layer).templateName);
  return MeetingResult::success();
}

MeetingResult Meeting::hideOverlay(Layer layer, TimePoint now) {
  if (state_ == SessionState::HuisClos && layer == Layer::Slate) return huisClosSlateStays(state_);
  const bool questionShown =
      layer == Layer::LowerThird && overlays_.state(layer).visible && overlays_.state(layer).templateName == "question";
  const auto result = takeOffAir(layer, now);
  if (!result.ok()) return overlayRefusal(result, layer, overlays_.state(layer).templateName);
  if (layer == Layer::LowerThird) clearSpeaker(now);
  if (questionShown) questionLeavesAir(now);
  return MeetingResult::success();
}

// ---------------------------------------------------------------------------------------
// The source

namespace {

MeetingResult unknownTrack() {
  return MeetingResult::refusal(StatusCode::InvalidParams, "Piste de la source inconnue : « video » ou « audio ».");
}

}  // namespace

bool Meeting::sourceUp(SourceTrack track) const { return !isKnownTrack(track) || !sourceLost_.at(trackIndex(track)); }

MeetingResult Meeting::sourceLost(SourceTrack track, const std::string& reason, TimePoint now) {
  if (!isKnownTrack(track)) return unknownTrack();
  if (!isSourceLossReason(reason)) {
    return MeetingResult::refusal(
        StatusCode::InvalidParams,
        "Cause de perte de la source inconnue " + guillemets(reason) + " : « no_data », « error » ou « ended ».");
  }
  if (!sourceUp(track)) return MeetingResult::success();
  // What the picture shows now is what the session wants once the video is back.
  const auto before = overlays_.state(Layer::Slate);
  record("source_lost", {{"track", std::string(toString(track))}, {"reason", reason}}, now);
  if (track == SourceTrack::Video && state_ != SessionState::HuisClos) coverWithSignalLost(before, now);
  return MeetingResult::success();
}

MeetingResult Meeting::sourceRestored(SourceTrack track, TimePoint now) {
  if (!isKnownTrack(track)) return unknownTrack();
  if (sourceUp(track)) return MeetingResult::success();
  // The hold ends with the loss; what it held goes back on air if "signal-lost" is still there.
  const auto held = track == SourceTrack::Video ? heldSlate_ : std::nullopt;
  record("source_restored", {{"track", std::string(toString(track))}}, now);
  if (held && showsSignalLost(overlays_.state(Layer::Slate))) {
    if (held->visible) {
      putOnAir(Layer::Slate, held->templateName, held->values, now);
    } else {
      takeOffAir(Layer::Slate, now);
    }
  }
  return MeetingResult::success();
}

// ---------------------------------------------------------------------------------------
// The recording

MeetingResult Meeting::recordingStarted(const RecordingFile& recording, TimePoint now) {
  if (!isValid(recording)) {
    return MeetingResult::refusal(StatusCode::InvalidParams,
                                  "Fichier d'enregistrement invalide : nom vide ou temps négatif.");
  }
  record("recording_started", toJson(recording), now);
  return MeetingResult::success();
}

// ---------------------------------------------------------------------------------------
// Viewers' questions

namespace {

OverlayValues questionValues(const Question& question) {
  // "origine": where it was asked, named on the graphic ("Facebook"); empty for the viewer page.
  return {{"text", question.text},
          {"pseudonym", question.pseudonym},
          {"quartier", question.place},
          {"origine", question.origin == "site" ? std::string() : std::string(originLabel(question.origin))}};
}

MeetingResult fromBoard(const QuestionResult& result) {
  if (result.ok()) return MeetingResult::success();
  return MeetingResult::refusal(result.status, result.message);
}

}  // namespace

void Meeting::collectQuestionEvents(TimePoint now) {
  for (auto& event : questions_.takeEvents()) events_.push_back({std::move(event.type), std::move(event.data), now});
}

void Meeting::questionLeavesAir(TimePoint now) {
  if (const auto id = questions_.onAir()) {
    questions_.takeOffAir(*id);
    collectQuestionEvents(now);
  }
}

void Meeting::followQuestions(TimePoint now) {
  const auto onAir = questions_.onAir();
  const auto& lowerThird = overlays_.state(Layer::LowerThird);
  const bool showing = lowerThird.visible && lowerThird.templateName == "question";
  if (!onAir) {
    if (!showing) return;
    takeOffAir(Layer::LowerThird, now);
    // A suspension is dressed with its slate whenever no question is read.
    if (state_ == SessionState::Suspension && !wantedSlate().visible) setSlate("suspension", now);
    return;
  }
  auto values = questionValues(*questions_.find(*onAir));
  if (!showing || lowerThird.values != values) {
    clearSpeaker(now);
    putOnAir(Layer::LowerThird, "question", std::move(values), now);
  }
  // The question must be seen: a suspension's or a waiting slate would cover it.
  const auto slate = wantedSlate();
  if (slate.visible && (slate.templateName == "suspension" || slate.templateName == "starting")) {
    setSlate(std::nullopt, now);
  }
}

MeetingResult Meeting::askQuestion(NewQuestion question, TimePoint now) {
  if (state_ == SessionState::Terminee) {
    return MeetingResult::refusal(StatusCode::QuestionsClosed,
                                  "La séance est terminée : les questions sont closes. Merci de votre participation.");
  }
  const auto result = questions_.ask(std::move(question));
  collectQuestionEvents(now);
  return fromBoard(result);
}

MeetingResult Meeting::onQuestions(const std::function<QuestionResult(QuestionBoard&)>& command, TimePoint now) {
  const auto result = command(questions_);
  collectQuestionEvents(now);
  if (result.ok()) followQuestions(now);
  return fromBoard(result);
}

MeetingResult Meeting::questionOnAir(std::uint64_t id, TimePoint now) {
  if (!publicMayBeHeard(state_)) {
    return MeetingResult::refusal(
        StatusCode::WrongState,
        "Pendant les délibérations, le public ne peut pas être entendu : une question passe à l'antenne avant la "
        "séance, pendant une suspension ou pendant les questions du public" +
            stateSuffix(state_));
  }
  return onQuestions([id](QuestionBoard& board) { return board.putOnAir(id); }, now);
}

MeetingResult Meeting::questionOffAir(std::uint64_t id, TimePoint now) {
  return onQuestions([id](QuestionBoard& board) { return board.takeOffAir(id); }, now);
}

MeetingResult Meeting::questionAnswered(std::uint64_t id, TimePoint now) {
  return onQuestions([id](QuestionBoard& board) { return board.answered(id); }, now);
}

// ---------------------------------------------------------------------------------------
// The sound's loudness

MeetingResult Meeting::setLoudnessMode(LoudnessMode mode, TimePoint now) {
  if (loudnessMode_ != mode) record("loudness_mode", {{"mode", std::string(toString(mode))}}, now);
  return MeetingResult::success();
}

MeetingResult Meeting::audienceMeasured(const nlohmann::json& audience, TimePoint now) {
  if (!isAudience(audience) || audience.empty()) {
    return MeetingResult::refusal(StatusCode::InvalidParams, "Chiffres d'audience invalides.");
  }
  record("audience_measured", {{"platforms", audience}}, now);
  return MeetingResult::success();
}

MeetingResult Meeting::loudnessMeasured(LoudnessMeasure measure, TimePoint now) {
  if (!std::isfinite(measure.integratedLufs) || !std::isfinite(measure.truePeakDbtp)) {
    return MeetingResult::refusal(StatusCode::InvalidParams, "Mesure de sonie invalide (silence seulement ?).");
  }
  record("loudness_measured", {{"integrated_lufs", measure.integratedLufs}, {"true_peak_dbtp", measure.truePeakDbtp}},
         now);
  return MeetingResult::success();
}

}  // namespace tribune::core
