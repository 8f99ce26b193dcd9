#include "core/command_table.h"

#include <algorithm>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <utility>

#include "core/platform_chat.h"
#include "core/text_screen.h"

namespace tribune::core {

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxKeyLength = 64;        // a template variable or a councillor id
constexpr std::size_t kMaxValues = 32;           // variables of one template
constexpr std::size_t kMaxShownTypeLength = 64;  // a command type quoted in a message
constexpr std::uint64_t kMaxCount = 100'000;     // votes of one kind, far above any council

// ---------------------------------------------------------------------------------------
// Text helpers

// The first `maxCharacters` characters, cut between two characters, with "…" when cut.
std::string shortened(std::string_view text, std::size_t maxCharacters) {
  std::size_t characters = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0U) == 0x80U) continue;
    if (characters++ == maxCharacters) return std::string(text.substr(0, at)) + "…";
  }
  return std::string(text);
}

std::string guillemets(std::string_view text) { return "« " + std::string(text) + " »"; }

// A whole number of zero or more, whether it came from text (unsigned) or from C++ (signed).
std::optional<std::uint64_t> wholeNumber(const Json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  return std::nullopt;
}

std::string joined(const std::vector<std::string_view>& words) {
  std::string out;
  for (const auto word : words) out += (out.empty() ? "" : ", ") + std::string(word);
  return out;
}

// ---------------------------------------------------------------------------------------
// Results

DispatchResult success(Json data = Json::object()) { return {200, "ok", "", std::move(data)}; }

DispatchResult refusal(StatusCode code, std::string message, Json data = Json::object()) {
  return {static_cast<int>(code), std::string(toString(code)), std::move(message), std::move(data)};
}

DispatchResult invalidParam(const std::string& param, std::string message) {
  return refusal(StatusCode::InvalidParams, std::move(message), {{"param", param}});
}

// ---------------------------------------------------------------------------------------
// Parameters

enum class ParamKind {
  Text,        // a string of at most kMaxParamLength characters
  ItemNumber,  // a string, or a positive integer kept as its digits
  Bool,
  Values,    // {"name": "text", …}: a template's variables
  Choices,   // {"councillor id": "pour" | "contre" | "abstention" | "npp", …}
  Counts,    // {"pour": n, "contre": n, "abstention": n, "npp": n}, each optional (0)
  Id,        // a positive integer (a question's number)
  LongText,  // a string of at most kMaxLongTextBytes bytes; its handler checks the characters
};

constexpr std::size_t kMaxLongTextBytes = std::size_t{8} * 2000;

struct ParamSpec {
  std::string_view name;
  ParamKind kind;
  bool required;
  std::vector<std::string_view> allowed;  // Text only: the accepted values, when limited
};

std::string_view kindDescription(ParamKind kind) {
  switch (kind) {
    case ParamKind::Text: return "une chaîne de caractères";
    case ParamKind::ItemNumber: return "une chaîne de caractères ou un entier positif";
    case ParamKind::Bool: return "un booléen (true ou false)";
    case ParamKind::Values: return "un objet dont chaque valeur est une chaîne de caractères";
    case ParamKind::Choices: return "un objet { identifiant du conseiller : choix }";
    case ParamKind::Counts: return "un objet { pour, contre, abstention, npp } d'entiers positifs";
    case ParamKind::Id: return "un entier positif";
    case ParamKind::LongText: return "une chaîne de caractères";
  }
  return "une valeur";
}

std::vector<std::string_view> choiceNames() {
  std::vector<std::string_view> names;
  names.reserve(kAllChoices.size());
  for (const auto choice : kAllChoices) names.push_back(toString(choice));
  return names;
}

// nullopt when the value is fine, else the refusal naming the parameter.
std::optional<DispatchResult> textProblem(const std::string& path, const Json& value) {
  if (!value.is_string())
    return invalidParam(path, "Le paramètre " + guillemets(path) + " doit être une chaîne de caractères.");
  if (const auto length = characterCount(value.get_ref<const std::string&>()); length > kMaxParamLength) {
    return invalidParam(path, "Le paramètre " + guillemets(path) + " est trop long : " + std::to_string(length) +
                                  " caractères, " + std::to_string(kMaxParamLength) + " au plus.");
  }
  return std::nullopt;
}

std::optional<DispatchResult> keyProblem(const std::string& path, const std::string& key) {
  if (key.empty() || characterCount(key) > kMaxKeyLength) {
    return invalidParam(path, "Le paramètre " + guillemets(path) + " a une clé vide ou de plus de " +
                                  std::to_string(kMaxKeyLength) + " caractères.");
  }
  return std::nullopt;
}

std::optional<DispatchResult> checkParam(const ParamSpec& spec, const Json& value) {
  const std::string name(spec.name);
  const auto wrongType = [&] {
    return invalidParam(
        name, "Le paramètre " + guillemets(name) + " doit être " + std::string(kindDescription(spec.kind)) + ".");
  };
  switch (spec.kind) {
    case ParamKind::Text: {
      if (!value.is_string()) return wrongType();
      if (auto problem = textProblem(name, value)) return problem;
      if (!spec.allowed.empty() && std::find(spec.allowed.begin(), spec.allowed.end(),
                                             value.get_ref<const std::string&>()) == spec.allowed.end()) {
        return invalidParam(name, "Le paramètre " + guillemets(name) + " vaut " +
                                      guillemets(shortened(value.get_ref<const std::string&>(), kMaxKeyLength)) +
                                      " ; valeurs possibles : " + joined(spec.allowed) + ".");
      }
      return std::nullopt;
    }
    case ParamKind::ItemNumber:
      if (const auto number = wholeNumber(value); number && *number > 0) return std::nullopt;
      if (!value.is_string()) return wrongType();
      return textProblem(name, value);
    case ParamKind::Bool:
      if (!value.is_boolean()) return wrongType();
      return std::nullopt;
    case ParamKind::Id:
      if (const auto number = wholeNumber(value); number && *number > 0) return std::nullopt;
      return wrongType();
    case ParamKind::LongText:
      if (!value.is_string()) return wrongType();
      if (value.get_ref<const std::string&>().size() > kMaxLongTextBytes) {
        return invalidParam(name, "Le paramètre " + guillemets(name) + " est beaucoup trop long.");
      }
      return std::nullopt;
    case ParamKind::Values:
      if (!value.is_object()) return wrongType();
      if (value.size() > kMaxValues) {
        return invalidParam(name, "Le paramètre " + guillemets(name) + " a trop de valeurs : " +
                                      std::to_string(value.size()) + ", " + std::to_string(kMaxValues) + " au plus.");
      }
      for (const auto& [key, member] : value.items()) {
        if (auto problem = keyProblem(name, key)) return problem;
        if (auto problem = textProblem(name + "." + key, member)) return problem;
      }
      return std::nullopt;
    case ParamKind::Choices:
      if (!value.is_object()) return wrongType();
      if (value.size() > kMaxCouncillors) {
        return invalidParam(name, "Le paramètre " + guillemets(name) +
                                      " nomme trop de conseillers : " + std::to_string(value.size()) + ", " +
                                      std::to_string(kMaxCouncillors) + " au plus.");
      }
      for (const auto& [key, member] : value.items()) {
        if (auto problem = keyProblem(name, key)) return problem;
        if (!member.is_string() || !choiceFromString(member.get_ref<const std::string&>())) {
          const auto path = name + "." + key;
          return invalidParam(
              path, "Le paramètre " + guillemets(path) + " doit être l'un des choix : " + joined(choiceNames()) + ".");
        }
      }
      return std::nullopt;
    case ParamKind::Counts: {
      if (!value.is_object()) return wrongType();
      const auto names = choiceNames();
      for (const auto& [key, member] : value.items()) {
        const auto path = name + "." + key;
        if (std::find(names.begin(), names.end(), key) == names.end()) {
          return invalidParam(path, "Décompte inconnu " + guillemets(shortened(key, kMaxKeyLength)) + " dans " +
                                        guillemets(name) + " ; décomptes possibles : " + joined(names) + ".");
        }
        if (const auto count = wholeNumber(member); !count || *count > kMaxCount) {
          return invalidParam(path, "Le paramètre " + guillemets(path) + " doit être un entier entre 0 et " +
                                        std::to_string(kMaxCount) + ".");
        }
      }
      return std::nullopt;
    }
  }
  return wrongType();
}

// Checks the whole request's parameters against the specs: unknown keys, missing ones,
// types, lengths.
std::optional<DispatchResult> paramsProblem(std::string_view type, const std::vector<ParamSpec>& specs,
                                            const Json& params) {
  if (params.is_null()) {
    const auto required = std::find_if(specs.begin(), specs.end(), [](const ParamSpec& spec) { return spec.required; });
    if (required == specs.end()) return std::nullopt;
    return invalidParam(std::string(required->name), "Paramètre " + guillemets(required->name) + " manquant.");
  }
  if (!params.is_object()) return invalidParam("", "Les paramètres doivent former un objet JSON.");
  for (auto member = params.begin(); member != params.end(); ++member) {
    const auto& key = member.key();
    const auto& value = member.value();
    const auto spec =
        std::find_if(specs.begin(), specs.end(), [&key](const ParamSpec& candidate) { return candidate.name == key; });
    if (spec == specs.end()) {
      std::vector<std::string_view> names;
      names.reserve(specs.size());
      for (const auto& candidate : specs) names.push_back(candidate.name);
      const auto shownKey = shortened(key, kMaxKeyLength);
      return invalidParam(
          shownKey,
          "Paramètre inconnu " + guillemets(shownKey) + " pour " + guillemets(shortened(type, kMaxShownTypeLength)) +
              (names.empty() ? " : elle n'en prend aucun." : " ; paramètres possibles : " + joined(names) + "."));
    }
    if (auto problem = checkParam(*spec, value)) return problem;
  }
  for (const auto& spec : specs) {
    if (spec.required && !params.contains(spec.name)) {
      return invalidParam(std::string(spec.name), "Paramètre " + guillemets(spec.name) + " manquant.");
    }
  }
  return std::nullopt;
}

// Typed access to parameters that passed paramsProblem().
class Params {
 public:
  explicit Params(const Json& params) : params_(params) {}

  [[nodiscard]] bool has(const char* name) const { return params_.is_object() && params_.contains(name); }
  [[nodiscard]] std::string text(const char* name) const {
    return has(name) ? params_.at(name).get<std::string>() : std::string();
  }
  [[nodiscard]] std::string itemNumber(const char* name) const {
    const auto& value = params_.at(name);
    return value.is_string() ? value.get<std::string>() : std::to_string(wholeNumber(value).value_or(0));
  }
  [[nodiscard]] bool boolean(const char* name) const { return params_.at(name).get<bool>(); }
  [[nodiscard]] std::uint64_t id(const char* name) const { return wholeNumber(params_.at(name)).value_or(0); }
  [[nodiscard]] OverlayValues values(const char* name) const {
    OverlayValues values;
    if (!has(name)) return values;
    for (const auto& [key, value] : params_.at(name).items()) values.emplace(key, value.get<std::string>());
    return values;
  }
  [[nodiscard]] Choices choices(const char* name) const {
    Choices choices;
    for (const auto& [key, value] : params_.at(name).items()) {
      choices.emplace(key, choiceFromString(value.get_ref<const std::string&>()).value_or(Choice::Pour));
    }
    return choices;
  }
  [[nodiscard]] VoteCounts counts(const char* name) const {
    const auto& value = params_.at(name);
    const auto count = [&value](const char* key) {
      return value.contains(key) ? static_cast<std::uint32_t>(wholeNumber(value.at(key)).value_or(0)) : 0U;
    };
    return {count("pour"), count("contre"), count("abstention"), count("npp")};
  }

 private:
  const Json& params_;
};

// ---------------------------------------------------------------------------------------
// Handlers. Each one's comment is its reference; docs/PROTOCOL.md has the same in a table.

struct Context {
  Meeting& meeting;
  Broadcast& broadcast;
  QuestionIntake& questions;
  const Caller& caller;
  TimePoint now;
  std::int64_t wallMs;
  PlatformBoard* platforms;
};

using Handler = DispatchResult (*)(const Params& params, Context& context);

DispatchResult fromMeeting(const MeetingResult& result, Json data = Json::object()) {
  if (!result.ok()) return refusal(result.status, result.message);
  return success(std::move(data));
}

Json sessionData(const Meeting& meeting) { return {{"state", std::string(toString(meeting.state()))}}; }

Json itemData(const Meeting& meeting) {
  const auto* item = meeting.currentItem();
  if (item == nullptr) return Json::object();
  return {{"index", *meeting.currentIndex()}, {"number", item->number}};
}

template <MeetingResult (Meeting::*Command)(TimePoint)>
DispatchResult sessionHandler(const Params& /*params*/, Context& c) {
  const auto result = (c.meeting.*Command)(c.now);
  return fromMeeting(result, sessionData(c.meeting));
}

template <MeetingResult (Meeting::*Command)(TimePoint)>
DispatchResult agendaHandler(const Params& /*params*/, Context& c) {
  const auto result = (c.meeting.*Command)(c.now);
  return fromMeeting(result, itemData(c.meeting));
}

// agenda.jump {number}: makes the item with that number current ("12bis" finds "12 bis")
// and, while the session is open, shows its lower-third. Events: item_changed, overlay_shown.
// Refusals: unknown_item, wrong_state (after the session is closed).
DispatchResult agendaJump(const Params& p, Context& c) {
  const auto result = c.meeting.jumpTo(p.itemNumber("number"), c.now);
  return fromMeeting(result, itemData(c.meeting));
}

// vote.record {item, ballot: "public", choices: {id: choice}} or {item, ballot: "secret",
// counts: {pour, contre, abstention, npp}}: records the vote on the current item (a
// délibération), shows the vote lower-third except at huis clos, and replaces an earlier
// record of the same item. Events: vote_recorded, overlay_shown. Refusals: wrong_state,
// unknown_item, not_the_current_item, not_a_deliberation, unknown_councillor, invalid_vote.
DispatchResult voteRecord(const Params& p, Context& c) {
  const bool isPublic = p.text("ballot") == "public";
  const char* needed = isPublic ? "choices" : "counts";
  const char* unwanted = isPublic ? "counts" : "choices";
  if (p.has(unwanted)) {
    return invalidParam(unwanted, std::string("Le paramètre « ") + unwanted + " » ne va pas avec un scrutin " +
                                      (isPublic ? "public : donnez « choices »." : "secret : donnez « counts »."));
  }
  if (!p.has(needed)) {
    return invalidParam(needed,
                        std::string("Paramètre « ") + needed + " » manquant : un scrutin " +
                            (isPublic ? "public donne le choix de chaque conseiller." : "secret donne les décomptes."));
  }
  const auto item = p.itemNumber("item");
  const auto vote =
      isPublic ? Vote::publicBallot(item, p.choices("choices")) : Vote::secretBallot(item, p.counts("counts"));
  const auto result = c.meeting.recordVote(vote, c.now);
  if (!result.ok()) return fromMeeting(result);
  const auto* current = c.meeting.currentItem();
  const auto recorded = current != nullptr ? c.meeting.votes().find(current->number) : c.meeting.votes().end();
  if (recorded == c.meeting.votes().end()) return success();
  return success({{"item", recorded->second.item}, {"result", std::string(toString(recorded->second.result))}});
}

// speaker.show {councillor}: names the councillor on the speaker lower-third ("role –
// group"). Events: overlay_shown, speaker_changed. Refusals: unknown_councillor,
// wrong_state (huis clos).
DispatchResult speakerShow(const Params& p, Context& c) {
  return fromMeeting(c.meeting.showSpeaker(p.text("councillor"), c.now));
}

// speaker.hide: takes the speaker lower-third off air. Events: overlay_hidden,
// speaker_changed. Refusals: nothing_shown.
DispatchResult speakerHide(const Params& /*params*/, Context& c) { return fromMeeting(c.meeting.hideSpeaker(c.now)); }

Layer layerParam(const Params& p) { return layerFromString(p.text("layer")).value_or(Layer::Bug); }

// overlay.show {layer, template, values?}: shows a template by hand. Events: overlay_shown
// (and speaker_changed when it replaces the speaker). Refusals: template_not_allowed,
// wrong_state (changing the slate at huis clos).
DispatchResult overlayShow(const Params& p, Context& c) {
  return fromMeeting(c.meeting.showOverlay(layerParam(p), p.text("template"), p.values("values"), c.now));
}

// overlay.update {layer, values}: changes some values of what the layer shows. Events:
// overlay_updated (none when nothing changes). Refusals: nothing_shown.
DispatchResult overlayUpdate(const Params& p, Context& c) {
  return fromMeeting(c.meeting.updateOverlay(layerParam(p), p.values("values"), c.now));
}

// overlay.hide {layer}. Events: overlay_hidden. Refusals: nothing_shown, wrong_state (the
// huis-clos slate stays).
DispatchResult overlayHide(const Params& p, Context& c) {
  return fromMeeting(c.meeting.hideOverlay(layerParam(p), c.now));
}

std::string destinationNames(const Broadcast& broadcast) {
  std::string names;
  for (const auto& destination : broadcast.destinations()) {
    names += (names.empty() ? "" : ", ") + destination.settings.name;
  }
  return names.empty() ? "aucune n'est configurée" : "destinations : " + names;
}

DispatchResult fromBroadcast(const CommandResult& result, const Broadcast& broadcast, std::string_view name) {
  switch (result.status) {
    case CommandStatus::Ok: return success();
    case CommandStatus::UnknownDestination:
      return refusal(StatusCode::UnknownDestination,
                     "Aucune destination ne s'appelle " + guillemets(name) + " (" + destinationNames(broadcast) + ").");
    case CommandStatus::DestinationDisabled:
      return refusal(StatusCode::DestinationDisabled,
                     "La destination " + guillemets(name) + " est désactivée : activez-la d'abord.");
    case CommandStatus::NotRunning:
      return refusal(StatusCode::NotRunning, "La diffusion est arrêtée : démarrez-la d'abord.");
    case CommandStatus::DuplicateDestination: break;
  }
  return refusal(StatusCode::InternalError, "La diffusion a répondu de façon inattendue.");
}

// broadcast.start: sends the program to every enabled destination. No meeting event (the
// destinations report their phases separately). Never refused.
DispatchResult broadcastStart(const Params& /*params*/, Context& c) {
  const auto result = c.broadcast.start(c.now);
  if (!result.ok()) return fromBroadcast(result, c.broadcast, "");
  return success({{"running", c.broadcast.running()}});
}

// account.link {platform}, account.unlink {platform}, lives.prepare {platform?}, lives.end:
// orders to the platforms' adapter (core/platform_board.h); refused (platform_refused) when
// the platform is not configured or, to prepare a live, not linked.
DispatchResult platformCommand(Context& c, const std::function<std::optional<std::string>(PlatformBoard&)>& order) {
  if (c.platforms == nullptr || !c.platforms->any()) {
    return refusal(StatusCode::PlatformRefused,
                   "Aucune plateforme n'est configurée : ajoutez la section platforms (docs/PLATFORMS.md).");
  }
  if (auto problem = order(*c.platforms)) return refusal(StatusCode::PlatformRefused, *problem);
  return success();
}

DispatchResult accountLink(const Params& p, Context& c) {
  return platformCommand(c, [&](PlatformBoard& b) { return b.link(p.text("platform")); });
}
DispatchResult accountUnlink(const Params& p, Context& c) {
  return platformCommand(c, [&](PlatformBoard& b) { return b.unlink(p.text("platform")); });
}
DispatchResult livesPrepare(const Params& p, Context& c) {
  const std::string platform = p.has("platform") ? p.text("platform") : std::string();
  return platformCommand(c, [&](PlatformBoard& b) { return b.prepare(platform); });
}
// platform.watch {platform, address}: reads the chat or comments of a live made by hand
// (issue 21), from its address or id. Refusals: invalid_params (not such an address),
// platform_refused (not configured, account not linked).
DispatchResult platformWatch(const Params& p, Context& c) {
  const auto platform = platformFromString(p.text("platform"));
  const auto address = p.text("address");
  const auto liveId = platform ? liveIdFromAddress(*platform, address) : std::nullopt;
  if (platform && !liveId) {
    return invalidParam("address", "Adresse de direct " + std::string(displayName(*platform)) +
                                       " non reconnue : collez l'adresse de la vidéo (" +
                                       (*platform == PlatformId::youtube    ? "https://www.youtube.com/watch?v=…"
                                        : *platform == PlatformId::facebook ? "https://www.facebook.com/…/videos/…"
                                                                            : "https://instance/w/…") +
                                       ") ou son identifiant.");
  }
  return platformCommand(c, [&](PlatformBoard& b) { return b.watch(p.text("platform"), liveId.value_or("")); });
}

DispatchResult livesEnd(const Params& /*params*/, Context& c) {
  return platformCommand(c, [](PlatformBoard& b) { return b.end(); });
}

// broadcast.stop: stops every destination; the recording goes on. Never refused.
DispatchResult broadcastStop(const Params& /*params*/, Context& c) {
  const auto result = c.broadcast.stop(c.now);
  if (!result.ok()) return fromBroadcast(result, c.broadcast, "");
  return success({{"running", c.broadcast.running()}});
}

// destination.retry {name}: reconnects a destination now instead of waiting for its next
// attempt. Refusals: unknown_destination, destination_disabled, not_running.
DispatchResult destinationRetry(const Params& p, Context& c) {
  const auto name = p.text("name");
  return fromBroadcast(c.broadcast.retryNow(name, c.now), c.broadcast, name);
}

// destination.enable {name, enabled}: enables (connects, when the broadcast runs) or
// disables (disconnects) a destination. Refusals: unknown_destination.
DispatchResult destinationEnable(const Params& p, Context& c) {
  const auto name = p.text("name");
  return fromBroadcast(c.broadcast.setEnabled(name, p.boolean("enabled"), c.now), c.broadcast, name);
}

// destination.add {platform, key} | {name, url}: adds a destination for this run, from a
// platform preset and its stream key, or a server URL that holds the key. It is not
// written to tribune.json and its key never enters the event log (add it to the
// configuration to keep it). Connects at once when the broadcast runs. Refusals:
// invalid_params (neither form, a bad URL or key: the message never repeats the key),
// duplicate_destination.
DispatchResult destinationAdd(const Params& p, Context& c) {
  std::string argument;
  if (p.has("url")) {
    if (!p.has("name")) return invalidParam("name", "Donnez un nom à la destination (name).");
    argument = p.text("name") + "=" + p.text("url");
  } else if (p.has("platform") && p.has("key")) {
    argument = p.text("platform") + "=" + p.text("key");
  } else {
    return invalidParam("platform",
                        "Choisissez une plateforme et sa clé de stream, ou donnez un nom et une adresse rtmp(s)://.");
  }
  auto parsed = parseDestinationArgument(argument);
  if (!parsed.destination) return invalidParam(p.has("url") ? "url" : "key", *parsed.error);
  const auto name = parsed.destination->name;
  const auto result = c.broadcast.addDestination(std::move(*parsed.destination), c.now);
  if (result.status == CommandStatus::DuplicateDestination) {
    return refusal(StatusCode::DuplicateDestination, "Une destination s'appelle déjà " + guillemets(name) + ".");
  }
  return fromBroadcast(result, c.broadcast, name);
}

// ---------------------------------------------------------------------------------------
// Viewers' questions (docs/QUESTIONS.md)

DispatchResult rateLimited(std::chrono::milliseconds wait, std::string_view what) {
  const auto seconds = (wait.count() + 999) / 1000;
  return refusal(StatusCode::RateLimited, std::string(what) + " : réessayez dans " + frenchDelay(wait) + ".",
                 {{"retry_after_s", seconds}});
}

// A viewer's short text (pseudonym, place): one line, cleaned, at most `limit` characters.
std::optional<DispatchResult> shortViewerText(const Params& p, const char* name, int limit, std::string& out) {
  auto text = cleanViewerText(p.text(name));
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (const auto length = characterCount(text); length > static_cast<std::size_t>(limit)) {
    return invalidParam(name, "Le paramètre " + guillemets(name) + " est trop long : " + std::to_string(length) +
                                  " caractères, " + std::to_string(limit) + " au plus.");
  }
  out = std::move(text);
  return std::nullopt;
}

// question.ask {text, pseudonym?, place?}: a viewer's question, screened (personal data
// masked, profanity flagged: core/text_screen.h), pending for the moderator (or approved
// at once when pre-screening is off and nothing is flagged). Acknowledged once durable.
// Events: question_asked. Refusals: invalid_params (empty, too long, no browser id),
// rate_limited, questions_closed.
DispatchResult questionAsk(const Params& p, Context& c) {
  const auto& settings = c.questions.settings();
  if (!settings.enabled) {
    return refusal(StatusCode::QuestionsClosed, "Les questions du public ne sont pas ouvertes pour cette séance.");
  }
  if (c.caller.viewer.empty()) {
    return invalidParam("viewer", "Présentez-vous d'abord avec un identifiant de navigateur (message hello).");
  }
  if (!c.caller.ticket.empty()) {  // forwarded again by a public edge: already logged, same answer
    if (const auto id = c.meeting.questions().fromOrigin("site", c.caller.ticket)) {
      const auto* asked = c.meeting.questions().find(*id);
      return success({{"question", *id}, {"status", std::string(toString(asked->status))}, {"duplicate", true}});
    }
  }
  const auto text = cleanViewerText(p.text("text"));
  const auto length = characterCount(text);
  if (length == 0) return invalidParam("text", "La question est vide.");
  if (length > static_cast<std::size_t>(settings.maxLength)) {
    return invalidParam("text", "La question est trop longue : " + std::to_string(length) + " caractères, " +
                                    std::to_string(settings.maxLength) + " au plus.");
  }
  NewQuestion question;
  if (auto problem = shortViewerText(p, "pseudonym", settings.maxPseudonymLength, question.pseudonym)) return *problem;
  if (auto problem = shortViewerText(p, "place", settings.maxPlaceLength, question.place)) return *problem;
  if (const auto wait = c.questions.admitQuestion(c.caller.viewer, c.caller.address, c.now)) {
    return rateLimited(*wait, "Vous avez déjà envoyé plusieurs questions");
  }
  auto screened = screenViewerText(text, c.questions.profanity());
  const auto nameScreen = screenViewerText(question.pseudonym + " " + question.place, c.questions.profanity());
  for (const auto& flag : nameScreen.flags) {
    if (std::find(screened.flags.begin(), screened.flags.end(), flag) == screened.flags.end()) {
      screened.flags.push_back(flag);
    }
  }
  if (screened.text != text) question.original = text;
  question.text = std::move(screened.text);
  question.flags = std::move(screened.flags);
  question.author = c.caller.viewer;
  question.originId = c.caller.ticket;
  question.askedMs = c.wallMs;
  const auto result = c.meeting.askQuestion(std::move(question), c.now);
  if (!result.ok()) return fromMeeting(result);
  const auto& asked = c.meeting.questions().all().rbegin()->second;
  return success({{"question", asked.id}, {"status", std::string(toString(asked.status))}});
}

// question.upvote {question}: one vote per browser per question (approved, on air or answered).
// Events: question_upvoted. Refusals: unknown_question, question_status, already_voted,
// rate_limited.
DispatchResult questionUpvote(const Params& p, Context& c) {
  if (c.caller.viewer.empty()) {
    return invalidParam("viewer", "Présentez-vous d'abord avec un identifiant de navigateur (message hello).");
  }
  const auto id = p.id("question");
  const auto* question = c.meeting.questions().find(id);
  if (question != nullptr && question->voters.count(c.caller.viewer) == 0) {
    if (const auto wait = c.questions.admitVote(c.caller.address, c.now)) {
      return rateLimited(*wait, "Trop de soutiens envoyés depuis votre connexion");
    }
  }
  const auto& viewer = c.caller.viewer;
  const auto result = c.meeting.onQuestions([&](QuestionBoard& board) { return board.upvote(id, viewer); }, c.now);
  if (!result.ok()) return fromMeeting(result);
  return success({{"question", id}, {"votes", c.meeting.questions().find(id)->voters.size()}});
}

// The moderator's text for question.approve / question.edit: cleaned, 1..max_length.
std::optional<DispatchResult> moderatorText(const Params& p, const Context& c, std::string& out) {
  out = cleanViewerText(p.text("text"));
  const auto length = characterCount(out);
  if (length == 0) return invalidParam("text", "Le texte de la question est vide.");
  if (length > static_cast<std::size_t>(c.questions.settings().maxLength)) {
    return invalidParam("text", "Le texte est trop long : " + std::to_string(length) + " caractères, " +
                                    std::to_string(c.questions.settings().maxLength) + " au plus.");
  }
  return std::nullopt;
}

// question.approve {question, text?}: pending or rejected → approved, at the end of the queue,
// with the moderator's text when given. Events: question_approved. Refusals:
// unknown_question, question_status, invalid_params.
DispatchResult questionApprove(const Params& p, Context& c) {
  std::optional<std::string> text;
  if (p.has("text")) {
    text.emplace();
    if (auto problem = moderatorText(p, c, *text)) return *problem;
  }
  const auto id = p.id("question");
  return fromMeeting(c.meeting.onQuestions([&](QuestionBoard& board) { return board.approve(id, text); }, c.now));
}

// question.edit {question, text}: changes the shown text (the original stays for the moderator);
// the graphic follows when the question is on air. Events: question_edited, overlay_shown.
DispatchResult questionEdit(const Params& p, Context& c) {
  std::string text;
  if (auto problem = moderatorText(p, c, text)) return *problem;
  const auto id = p.id("question");
  return fromMeeting(c.meeting.onQuestions([&](QuestionBoard& board) { return board.edit(id, text); }, c.now));
}

// question.reject / restore / delete / written_reply {question}: see core/questions.h for the
// statuses each accepts. Events: question_rejected, question_restored, question_deleted,
// question_written_reply (and overlay_hidden when the deleted one was on air).
template <QuestionResult (QuestionBoard::*Command)(std::uint64_t)>
DispatchResult questionHandler(const Params& p, Context& c) {
  const auto id = p.id("question");
  return fromMeeting(c.meeting.onQuestions([id](QuestionBoard& board) { return (board.*Command)(id); }, c.now));
}

// question.move {question, to: up|down|top}: the approved queue's order. Events: question_moved
// (none when it is already there).
DispatchResult questionMove(const Params& p, Context& c) {
  const auto id = p.id("question");
  const auto to = queueMoveFromString(p.text("to")).value_or(QueueMove::Top);
  return fromMeeting(c.meeting.onQuestions([&](QuestionBoard& board) { return board.move(id, to); }, c.now));
}

// question.merge {question, into}: a duplicate joins another question (its votes too). Events:
// question_merged.
DispatchResult questionMerge(const Params& p, Context& c) {
  const auto id = p.id("question");
  const auto into = p.id("into");
  return fromMeeting(c.meeting.onQuestions([&](QuestionBoard& board) { return board.merge(id, into); }, c.now));
}

// question.on_air {question}: shows the question on the picture, only while the public may be
// heard. Events: question_on_air, overlay_shown (overlay_hidden of a suspension slate).
// Refusals: wrong_state (deliberation), unknown_question, question_status.
DispatchResult questionOnAir(const Params& p, Context& c) {
  return fromMeeting(c.meeting.questionOnAir(p.id("question"), c.now));
}

// question.off_air {question}: back to the top of the queue; the graphic leaves the picture.
DispatchResult questionOffAir(const Params& p, Context& c) {
  return fromMeeting(c.meeting.questionOffAir(p.id("question"), c.now));
}

// question.answered {question}: answered; the graphic leaves the picture if it was on air.
DispatchResult questionAnswered(const Params& p, Context& c) {
  return fromMeeting(c.meeting.questionAnswered(p.id("question"), c.now));
}

// questions.prescreen {enabled}: whether new questions wait for the moderator. Events:
// questions_prescreen (none when unchanged).
DispatchResult questionsPrescreen(const Params& p, Context& c) {
  const bool enabled = p.boolean("enabled");
  return fromMeeting(
      c.meeting.onQuestions([enabled](QuestionBoard& board) { return board.setPrescreen(enabled); }, c.now));
}

// ---------------------------------------------------------------------------------------
// The sound

// loudness.mode {mode: auto|frozen|off}: the automatic gain towards the loudness target
// follows the programme (auto), stays where it is (frozen) or goes back to 0 dB (off); the
// true-peak limiter stays in every mode. Events: loudness_mode (none when unchanged).
DispatchResult loudnessMode(const Params& p, Context& c) {
  const auto mode = loudnessModeFromString(p.text("mode")).value_or(LoudnessMode::Auto);
  return fromMeeting(c.meeting.setLoudnessMode(mode, c.now), {{"mode", std::string(toString(mode))}});
}

// ---------------------------------------------------------------------------------------
// The table. To let another role send a command, add it to the command's line.

struct Command {
  std::string_view type;
  std::vector<Role> roles;
  std::vector<ParamSpec> params;
  Handler handler;
};

const std::vector<Command>& table() {
  using R = Role;
  using K = ParamKind;
  static const std::vector<std::string_view> layers{"bug", "qr", "lower_third", "slate"};
  static const std::vector<std::string_view> kPlatformNames{"youtube", "facebook", "peertube"};
  static const std::vector<Command> kCommands{
      // session.*: the transitions of core/session.h, with the graphics that follow them
      // (core/meeting.h). Events: session_changed, then overlay_* (and item_changed on the
      // first opening). Refusal: illegal_transition.
      {"session.open", {R::Technician}, {}, &sessionHandler<&Meeting::open>},
      {"session.suspend", {R::Technician}, {}, &sessionHandler<&Meeting::suspend>},
      {"session.resume", {R::Technician}, {}, &sessionHandler<&Meeting::resume>},
      {"session.huis_clos", {R::Technician}, {}, &sessionHandler<&Meeting::enterHuisClos>},
      {"session.leave_huis_clos", {R::Technician}, {}, &sessionHandler<&Meeting::leaveHuisClos>},
      {"session.close", {R::Technician}, {}, &sessionHandler<&Meeting::close>},
      {"session.public_questions", {R::Technician}, {}, &sessionHandler<&Meeting::startPublicQuestions>},
      {"session.end", {R::Technician}, {}, &sessionHandler<&Meeting::end>},
      // agenda.next / agenda.previous: the item after / before the current one. Events:
      // item_changed, overlay_shown. Refusals: end_of_agenda, wrong_state.
      {"agenda.next", {R::Technician}, {}, &agendaHandler<&Meeting::nextItem>},
      {"agenda.previous", {R::Technician}, {}, &agendaHandler<&Meeting::previousItem>},
      {"agenda.jump", {R::Technician}, {{"number", K::ItemNumber, true, {}}}, &agendaJump},
      {"vote.record",
       {R::Technician},
       {{"item", K::ItemNumber, true, {}},
        {"ballot", K::Text, true, {"public", "secret"}},
        {"choices", K::Choices, false, {}},
        {"counts", K::Counts, false, {}}},
       &voteRecord},
      {"speaker.show", {R::Technician}, {{"councillor", K::Text, true, {}}}, &speakerShow},
      {"speaker.hide", {R::Technician}, {}, &speakerHide},
      {"overlay.show",
       {R::Technician},
       {{"layer", K::Text, true, layers}, {"template", K::Text, true, {}}, {"values", K::Values, false, {}}},
       &overlayShow},
      {"overlay.update",
       {R::Technician},
       {{"layer", K::Text, true, layers}, {"values", K::Values, true, {}}},
       &overlayUpdate},
      {"overlay.hide", {R::Technician}, {{"layer", K::Text, true, layers}}, &overlayHide},
      {"broadcast.start", {R::Technician}, {}, &broadcastStart},
      {"broadcast.stop", {R::Technician}, {}, &broadcastStop},
      {"destination.retry", {R::Technician}, {{"name", K::Text, true, {}}}, &destinationRetry},
      {"destination.enable",
       {R::Technician},
       {{"name", K::Text, true, {}}, {"enabled", K::Bool, true, {}}},
       &destinationEnable},
      {"destination.add",
       {R::Technician},
       {{"name", K::Text, false, {}},
        {"platform", K::Text, false, {}},
        {"key", K::Text, false, {}},
        {"url", K::Text, false, {}}},
       &destinationAdd},
      {"question.ask",
       {R::Viewer},
       {{"text", K::LongText, true, {}}, {"pseudonym", K::Text, false, {}}, {"place", K::Text, false, {}}},
       &questionAsk},
      {"question.upvote", {R::Viewer}, {{"question", K::Id, true, {}}}, &questionUpvote},
      {"question.approve",
       {R::Moderator, R::Technician},
       {{"question", K::Id, true, {}}, {"text", K::LongText, false, {}}},
       &questionApprove},
      {"question.edit",
       {R::Moderator, R::Technician},
       {{"question", K::Id, true, {}}, {"text", K::LongText, true, {}}},
       &questionEdit},
      {"question.reject",
       {R::Moderator, R::Technician},
       {{"question", K::Id, true, {}}},
       &questionHandler<&QuestionBoard::reject>},
      {"question.restore",
       {R::Moderator, R::Technician},
       {{"question", K::Id, true, {}}},
       &questionHandler<&QuestionBoard::restore>},
      {"question.delete",
       {R::Moderator, R::Technician},
       {{"question", K::Id, true, {}}},
       &questionHandler<&QuestionBoard::remove>},
      {"question.written_reply",
       {R::Moderator, R::Technician},
       {{"question", K::Id, true, {}}},
       &questionHandler<&QuestionBoard::writtenReply>},
      {"question.move",
       {R::Moderator, R::Technician},
       {{"question", K::Id, true, {}}, {"to", K::Text, true, {"up", "down", "top"}}},
       &questionMove},
      {"question.merge",
       {R::Moderator, R::Technician},
       {{"question", K::Id, true, {}}, {"into", K::Id, true, {}}},
       &questionMerge},
      {"question.on_air", {R::Mayor, R::Moderator, R::Technician}, {{"question", K::Id, true, {}}}, &questionOnAir},
      {"question.off_air", {R::Mayor, R::Moderator, R::Technician}, {{"question", K::Id, true, {}}}, &questionOffAir},
      {"question.answered",
       {R::Mayor, R::Moderator, R::Technician},
       {{"question", K::Id, true, {}}},
       &questionAnswered},
      {"questions.prescreen", {R::Moderator, R::Technician}, {{"enabled", K::Bool, true, {}}}, &questionsPrescreen},
      {"loudness.mode", {R::Technician}, {{"mode", K::Text, true, {"auto", "frozen", "off"}}}, &loudnessMode},
      {"account.link", {R::Technician}, {{"platform", K::Text, true, kPlatformNames}}, &accountLink},
      {"account.unlink", {R::Technician}, {{"platform", K::Text, true, kPlatformNames}}, &accountUnlink},
      {"lives.prepare", {R::Technician}, {{"platform", K::Text, false, kPlatformNames}}, &livesPrepare},
      {"lives.end", {R::Technician}, {}, &livesEnd},
      {"platform.watch",
       {R::Technician},
       {{"platform", K::Text, true, kPlatformNames}, {"address", K::Text, true, {}}},
       &platformWatch},
  };
  return kCommands;
}

const Command* findCommand(std::string_view type) {
  const auto& commands = table();
  const auto found =
      std::find_if(commands.begin(), commands.end(), [type](const Command& command) { return command.type == type; });
  return found == commands.end() ? nullptr : &*found;
}

std::string rolesText(const std::vector<Role>& roles) {
  std::string out;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (i > 0) out += i + 1 == roles.size() ? " ou " : ", ";
    out += frenchLabel(roles[i]);
  }
  return out;
}

}  // namespace

DispatchResult dispatch(const Request& request, Role role, Meeting& meeting, Broadcast& broadcast, TimePoint now) {
  QuestionIntake questions;
  return dispatch(request, Caller{role, {}, {}, {}}, DispatchTarget{meeting, broadcast, questions, now, 0});
}

DispatchResult dispatch(const Request& request, const Caller& caller, DispatchTarget target) {
  const auto role = caller.role;
  const auto* command = findCommand(request.type);
  const auto shownType = guillemets(shortened(request.type, kMaxShownTypeLength));
  if (command == nullptr) {
    return refusal(StatusCode::UnknownType, "Commande inconnue " + shownType + " ; voir docs/PROTOCOL.md.");
  }
  if (std::find(command->roles.begin(), command->roles.end(), role) == command->roles.end()) {
    return refusal(StatusCode::Forbidden, "La commande " + shownType + " est réservée au rôle " +
                                              rolesText(command->roles) +
                                              " (votre rôle : " + std::string(frenchLabel(role)) + ").");
  }
  if (auto problem = paramsProblem(request.type, command->params, request.params)) return *problem;
  Context context{target.meeting, target.broadcast, target.questions, caller,
                  target.now,     target.wallMs,    target.platforms};
  try {
    auto result = command->handler(Params(request.params), context);
    if (result.ok() && target.platforms != nullptr) target.platforms->commandDone(request.type);
    return result;
  } catch (const std::exception&) {
    // Parameters were checked, so this is a bug; the client gets a result, not a hang-up.
    return refusal(StatusCode::InternalError,
                   "Erreur interne : la commande " + shownType + " n'a pas abouti. Signalez-le avec le journal.");
  }
}

bool isCommandType(std::string_view type) { return findCommand(type) != nullptr; }

std::vector<std::string_view> commandTypes() {
  std::vector<std::string_view> types;
  for (const auto& command : table()) types.push_back(command.type);
  return types;
}

std::vector<Role> rolesAllowed(std::string_view type) {
  const auto* command = findCommand(type);
  return command != nullptr ? command->roles : std::vector<Role>{};
}

std::vector<std::string_view> commandParams(std::string_view type) {
  std::vector<std::string_view> names;
  if (const auto* command = findCommand(type)) {
    for (const auto& spec : command->params) names.push_back(spec.name);
  }
  return names;
}

}  // namespace tribune::core
