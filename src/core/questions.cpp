#include "core/questions.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

namespace tribune::core {

namespace {

using Json = nlohmann::json;

struct StatusName {
  QuestionStatus status;
  std::string_view name;
  std::string_view label;
};

constexpr std::array<StatusName, 8> kStatuses{{
    {QuestionStatus::Pending, "pending", "en attente"},
    {QuestionStatus::Approved, "approved", "retenue"},
    {QuestionStatus::OnAir, "on_air", "à l'antenne"},
    {QuestionStatus::Answered, "answered", "répondue"},
    {QuestionStatus::WrittenReply, "written_reply", "réponse écrite à venir"},
    {QuestionStatus::Rejected, "rejected", "non retenue"},
    {QuestionStatus::Merged, "merged", "regroupée avec une question semblable"},
    {QuestionStatus::Deleted, "deleted", "non retenue"},
}};

const StatusName& entryOf(QuestionStatus status) {
  return *std::find_if(kStatuses.begin(), kStatuses.end(),
                       [status](const StatusName& entry) { return entry.status == status; });
}

QuestionResult refused(StatusCode status, std::string message) { return {status, std::move(message)}; }

QuestionResult unknown(std::uint64_t id) {
  return refused(StatusCode::UnknownQuestion, "Aucune question n° " + std::to_string(id) + ".");
}

// "La question n° 3 est non retenue : impossible de la mettre à l'antenne."
QuestionResult wrongStatus(const Question& question, std::string_view action) {
  return refused(StatusCode::QuestionStatus, "La question n° " + std::to_string(question.id) + " est " +
                                                 std::string(frenchLabel(question.status)) + " : impossible de " +
                                                 std::string(action) + ".");
}

bool isOneOf(QuestionStatus status, std::initializer_list<QuestionStatus> statuses) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

bool isPublic(QuestionStatus status) {
  return isOneOf(status, {QuestionStatus::Approved, QuestionStatus::OnAir, QuestionStatus::Answered});
}

std::optional<std::uint64_t> idMember(const Json& data, const char* key) {
  const auto found = data.find(key);
  if (found == data.end() || !found->is_number_unsigned()) return std::nullopt;
  return found->get<std::uint64_t>();
}

std::optional<std::string> textMember(const Json& data, const char* key) {
  const auto found = data.find(key);
  if (found == data.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

}  // namespace

std::string_view toString(QuestionStatus status) { return entryOf(status).name; }

std::optional<QuestionStatus> questionStatusFromString(std::string_view name) {
  for (const auto& entry : kStatuses) {
    if (entry.name == name) return entry.status;
  }
  return std::nullopt;
}

std::string_view frenchLabel(QuestionStatus status) { return entryOf(status).label; }

bool isQuestionOrigin(std::string_view origin) {
  return std::find(std::begin(kQuestionOrigins), std::end(kQuestionOrigins), origin) != std::end(kQuestionOrigins);
}

std::string_view originLabel(std::string_view origin) {
  if (origin == "youtube") return "YouTube";
  if (origin == "facebook") return "Facebook";
  if (origin == "peertube") return "PeerTube";
  return "site";
}

std::optional<QueueMove> queueMoveFromString(std::string_view name) {
  if (name == "up") return QueueMove::Up;
  if (name == "down") return QueueMove::Down;
  if (name == "top") return QueueMove::Top;
  return std::nullopt;
}

// ---- commands --------------------------------------------------------------------------

QuestionResult QuestionBoard::ask(NewQuestion question) {
  Json flags = Json::array();
  for (const auto& flag : question.flags) flags.push_back(flag);
  // A platform's question names its message; the viewer page's may name the public edge's
  // ticket (issue 22), so that a question forwarded twice is logged once.
  if (!isQuestionOrigin(question.origin) || (question.origin != "site" && question.originId.empty())) {
    return refused(StatusCode::InvalidParams, "Origine de question inconnue.");
  }
  if (!question.originId.empty() && fromOrigin(question.origin, question.originId)) {
    return refused(StatusCode::InvalidParams,
                   "Ce message de " + std::string(originLabel(question.origin)) + " est déjà une question.");
  }
  const bool straightIn = !prescreen_ && question.flags.empty();
  Json data{{"id", nextId_},
            {"text", std::move(question.text)},
            {"original", std::move(question.original)},
            {"pseudonym", std::move(question.pseudonym)},
            {"place", std::move(question.place)},
            {"author", std::move(question.author)},
            {"flags", std::move(flags)},
            {"status", straightIn ? "approved" : "pending"},
            {"asked_ms", question.askedMs}};
  if (question.origin != "site") {  // the viewer page's questions keep the events they always had
    data["origin"] = std::move(question.origin);
    data["origin_id"] = std::move(question.originId);
  } else if (!question.originId.empty()) {
    data["origin_id"] = std::move(question.originId);  // the edge's ticket
  }
  record("question_asked", std::move(data));
  return {};
}

QuestionResult QuestionBoard::approve(std::uint64_t id, const std::optional<std::string>& text) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  if (!isOneOf(question->status, {QuestionStatus::Pending, QuestionStatus::Rejected})) {
    return wrongStatus(*question, "la retenir");
  }
  Json data{{"id", id}};
  if (text && *text != question->text) data["text"] = *text;
  record("question_approved", std::move(data));
  return {};
}

QuestionResult QuestionBoard::edit(std::uint64_t id, const std::string& text) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  if (!isOneOf(question->status, {QuestionStatus::Pending, QuestionStatus::Approved, QuestionStatus::OnAir})) {
    return wrongStatus(*question, "la modifier");
  }
  if (text == question->text) return {};
  record("question_edited", {{"id", id}, {"text", text}});
  return {};
}

QuestionResult QuestionBoard::reject(std::uint64_t id) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  if (!isOneOf(question->status, {QuestionStatus::Pending, QuestionStatus::Approved})) {
    return wrongStatus(*question, "l'écarter");
  }
  record("question_rejected", {{"id", id}});
  return {};
}

QuestionResult QuestionBoard::restore(std::uint64_t id) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  if (question->status != QuestionStatus::Rejected) return wrongStatus(*question, "la rétablir");
  record("question_restored", {{"id", id}});
  return {};
}

QuestionResult QuestionBoard::remove(std::uint64_t id) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  record("question_deleted", {{"id", id}});
  return {};
}

QuestionResult QuestionBoard::writtenReply(std::uint64_t id) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  if (!isOneOf(question->status, {QuestionStatus::Pending, QuestionStatus::Approved})) {
    return wrongStatus(*question, "lui promettre une réponse écrite");
  }
  record("question_written_reply", {{"id", id}});
  return {};
}

QuestionResult QuestionBoard::move(std::uint64_t id, QueueMove move) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  const auto rank = rankOf(id);
  if (!rank) return wrongStatus(*question, "la déplacer dans la file");
  std::size_t to = *rank;
  switch (move) {
    case QueueMove::Up: to = *rank == 0 ? 0 : *rank - 1; break;
    case QueueMove::Down: to = std::min(*rank + 1, queue_.size() - 1); break;
    case QueueMove::Top: to = 0; break;
  }
  if (to == *rank) return {};
  record("question_moved", {{"id", id}, {"to", to}});
  return {};
}

QuestionResult QuestionBoard::merge(std::uint64_t id, std::uint64_t into) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  const auto* target = findLive(into);
  if (target == nullptr) return unknown(into);
  if (id == into) {
    return refused(StatusCode::QuestionStatus, "Une question ne peut pas être regroupée avec elle-même.");
  }
  if (!isOneOf(question->status, {QuestionStatus::Pending, QuestionStatus::Approved})) {
    return wrongStatus(*question, "la regrouper");
  }
  if (!isOneOf(target->status, {QuestionStatus::Pending, QuestionStatus::Approved, QuestionStatus::OnAir})) {
    return wrongStatus(*target, "lui en joindre une autre");
  }
  record("question_merged", {{"id", id}, {"into", into}});
  return {};
}

QuestionResult QuestionBoard::putOnAir(std::uint64_t id) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  if (question->status != QuestionStatus::Approved) return wrongStatus(*question, "la mettre à l'antenne");
  record("question_on_air", {{"id", id}});
  return {};
}

QuestionResult QuestionBoard::takeOffAir(std::uint64_t id) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  if (question->status != QuestionStatus::OnAir) return wrongStatus(*question, "la retirer de l'antenne");
  record("question_off_air", {{"id", id}});
  return {};
}

QuestionResult QuestionBoard::answered(std::uint64_t id) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  if (!isOneOf(question->status, {QuestionStatus::Approved, QuestionStatus::OnAir})) {
    return wrongStatus(*question, "la marquer répondue");
  }
  record("question_answered", {{"id", id}});
  return {};
}

QuestionResult QuestionBoard::upvote(std::uint64_t id, const std::string& voter) {
  const auto* question = findLive(id);
  if (question == nullptr) return unknown(id);
  if (!isPublic(question->status)) return wrongStatus(*question, "la soutenir");
  if (question->voters.count(voter) != 0) {
    return refused(StatusCode::AlreadyVoted, "Vous soutenez déjà la question n° " + std::to_string(id) + ".");
  }
  record("question_upvoted", {{"id", id}, {"voter", voter}});
  return {};
}

QuestionResult QuestionBoard::setPrescreen(bool on) {
  if (on != prescreen_) record("questions_prescreen", {{"enabled", on}});
  return {};
}

// ---- events ----------------------------------------------------------------------------

void QuestionBoard::record(std::string type, nlohmann::json data) {
  QuestionEvent event{std::move(type), std::move(data)};
  // Commands check everything apply() checks: an error here is a bug in this file.
  if (auto error = apply(event)) throw std::logic_error("question event refused by its own board: " + *error);
  events_.push_back(std::move(event));
}

std::vector<QuestionEvent> QuestionBoard::takeEvents() { return std::exchange(events_, {}); }

bool QuestionBoard::isQuestionEvent(std::string_view type) {
  return type.rfind("question_", 0) == 0 || type.rfind("questions_", 0) == 0;
}

std::optional<std::string> QuestionBoard::apply(const QuestionEvent& event) {
  static constexpr std::array<std::string_view, 14> kTypes{
      "question_asked",   "question_approved",      "question_edited",  "question_rejected",  "question_restored",
      "question_deleted", "question_written_reply", "question_moved",   "question_merged",    "question_on_air",
      "question_off_air", "question_answered",      "question_upvoted", "questions_prescreen"};
  if (std::find(kTypes.begin(), kTypes.end(), event.type) == kTypes.end()) {
    std::string known;
    for (const auto type : kTypes) known += (known.empty() ? "" : ", ") + std::string(type);
    return "unknown event type \"" + event.type + "\"; known question types: " + known;
  }
  const auto& data = event.data;
  if (!data.is_object()) return event.type + ": expected an object";
  if (event.type == "questions_prescreen") {
    const auto found = data.find("enabled");
    if (found == data.end() || !found->is_boolean()) return std::string("questions_prescreen: expected \"enabled\"");
    prescreen_ = found->get<bool>();
    return std::nullopt;
  }
  const auto id = idMember(data, "id");
  if (!id) return event.type + ": expected an unsigned \"id\"";
  if (event.type == "question_asked") {
    if (questions_.count(*id) != 0) return "question_asked: question " + std::to_string(*id) + " exists already";
    Question question;
    question.id = *id;
    auto text = textMember(data, "text");
    auto status = questionStatusFromString(textMember(data, "status").value_or(""));
    const auto asked = data.find("asked_ms");
    const auto flags = data.find("flags");
    if (!text || !status || (*status != QuestionStatus::Pending && *status != QuestionStatus::Approved) ||
        asked == data.end() || !asked->is_number_integer() || flags == data.end() || !flags->is_array()) {
      return std::string("question_asked: expected text, status pending|approved, asked_ms, flags");
    }
    question.text = std::move(*text);
    question.original = textMember(data, "original").value_or("");
    question.pseudonym = textMember(data, "pseudonym").value_or("");
    question.place = textMember(data, "place").value_or("");
    question.author = textMember(data, "author").value_or("");
    for (const auto& flag : *flags) {
      if (flag.is_string()) question.flags.push_back(flag.get<std::string>());
    }
    question.origin = textMember(data, "origin").value_or("site");
    question.originId = textMember(data, "origin_id").value_or("");
    if (!isQuestionOrigin(question.origin) || (question.origin != "site" && question.originId.empty())) {
      return std::string(
          "question_asked: origin must be site, youtube, facebook or peertube, with an origin_id "
          "for a platform");
    }
    if (!question.originId.empty()) {
      if (fromOrigin(question.origin, question.originId)) {
        return "question_asked: " + question.origin + " message " + question.originId + " is a question already";
      }
      byOrigin_.emplace(std::make_pair(question.origin, question.originId), *id);
    }
    question.status = *status;
    question.askedMs = asked->get<std::int64_t>();
    if (question.status == QuestionStatus::Approved) queue_.push_back(*id);
    nextId_ = std::max(nextId_, *id + 1);
    questions_.emplace(*id, std::move(question));
    return std::nullopt;
  }
  auto* question = findMutable(*id);
  if (question == nullptr) return event.type + ": no question " + std::to_string(*id);
  const auto expect = [&](std::initializer_list<QuestionStatus> statuses) -> std::optional<std::string> {
    if (isOneOf(question->status, statuses)) return std::nullopt;
    return event.type + ": question " + std::to_string(*id) + " is " + std::string(toString(question->status));
  };
  const auto setText = [&](std::string text) {
    if (question->original.empty()) question->original = question->text;
    question->text = std::move(text);
    if (question->original == question->text) question->original.clear();
  };
  if (event.type == "question_approved") {
    if (auto wrong = expect({QuestionStatus::Pending, QuestionStatus::Rejected})) return wrong;
    if (auto text = textMember(data, "text")) setText(std::move(*text));
    question->status = QuestionStatus::Approved;
    queue_.push_back(*id);
  } else if (event.type == "question_edited") {
    if (auto wrong = expect({QuestionStatus::Pending, QuestionStatus::Approved, QuestionStatus::OnAir})) return wrong;
    auto text = textMember(data, "text");
    if (!text) return std::string("question_edited: expected \"text\"");
    setText(std::move(*text));
  } else if (event.type == "question_rejected") {
    if (auto wrong = expect({QuestionStatus::Pending, QuestionStatus::Approved})) return wrong;
    question->status = QuestionStatus::Rejected;
    dropFromQueue(*id);
  } else if (event.type == "question_restored") {
    if (auto wrong = expect({QuestionStatus::Rejected})) return wrong;
    question->status = QuestionStatus::Pending;
  } else if (event.type == "question_deleted") {
    if (question->status == QuestionStatus::Deleted) return "question_deleted: question " + std::to_string(*id);
    question->status = QuestionStatus::Deleted;
    question->text.clear();
    question->original.clear();
    question->pseudonym.clear();
    question->place.clear();
    question->flags.clear();
    dropFromQueue(*id);
  } else if (event.type == "question_written_reply") {
    if (auto wrong = expect({QuestionStatus::Pending, QuestionStatus::Approved})) return wrong;
    question->status = QuestionStatus::WrittenReply;
    dropFromQueue(*id);
  } else if (event.type == "question_moved") {
    const auto to = idMember(data, "to");
    const auto rank = rankOf(*id);
    if (!to || !rank || *to >= queue_.size()) return "question_moved: question " + std::to_string(*id);
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(*rank));
    queue_.insert(queue_.begin() + static_cast<std::ptrdiff_t>(*to), *id);
  } else if (event.type == "question_merged") {
    const auto into = idMember(data, "into");
    auto* target = into ? findMutable(*into) : nullptr;
    if (target == nullptr || target == question) return std::string("question_merged: expected a known \"into\"");
    if (auto wrong = expect({QuestionStatus::Pending, QuestionStatus::Approved})) return wrong;
    if (!isOneOf(target->status, {QuestionStatus::Pending, QuestionStatus::Approved, QuestionStatus::OnAir})) {
      return "question_merged: question " + std::to_string(*into) + " is " + std::string(toString(target->status));
    }
    question->status = QuestionStatus::Merged;
    question->mergedInto = *into;
    target->voters.insert(question->voters.begin(), question->voters.end());
    dropFromQueue(*id);
  } else if (event.type == "question_on_air") {
    if (auto wrong = expect({QuestionStatus::Approved})) return wrong;
    if (const auto previous = onAir()) {
      findMutable(*previous)->status = QuestionStatus::Approved;
      dropFromQueue(*previous);
      queue_.insert(queue_.begin(), *previous);
    }
    question->status = QuestionStatus::OnAir;
  } else if (event.type == "question_off_air") {
    if (auto wrong = expect({QuestionStatus::OnAir})) return wrong;
    question->status = QuestionStatus::Approved;
    dropFromQueue(*id);
    queue_.insert(queue_.begin(), *id);
  } else if (event.type == "question_answered") {
    if (auto wrong = expect({QuestionStatus::Approved, QuestionStatus::OnAir})) return wrong;
    question->status = QuestionStatus::Answered;
    dropFromQueue(*id);
  } else if (event.type == "question_upvoted") {
    auto voter = textMember(data, "voter");
    if (!voter) return std::string("question_upvoted: expected \"voter\"");
    if (!isPublic(question->status)) return "question_upvoted: question " + std::to_string(*id) + " is not public";
    if (!question->voters.insert(std::move(*voter)).second) return std::string("question_upvoted: voted already");
  }
  return std::nullopt;
}

// ---- state -----------------------------------------------------------------------------

const Question* QuestionBoard::find(std::uint64_t id) const {
  const auto found = questions_.find(id);
  return found == questions_.end() ? nullptr : &found->second;
}

const Question* QuestionBoard::findLive(std::uint64_t id) const {
  const auto* question = find(id);
  return question == nullptr || question->status == QuestionStatus::Deleted ? nullptr : question;
}

Question* QuestionBoard::findMutable(std::uint64_t id) {
  const auto found = questions_.find(id);
  return found == questions_.end() ? nullptr : &found->second;
}

void QuestionBoard::dropFromQueue(std::uint64_t id) {
  queue_.erase(std::remove(queue_.begin(), queue_.end(), id), queue_.end());
}

std::optional<std::uint64_t> QuestionBoard::onAir() const {
  for (const auto id : queue_) {
    if (questions_.at(id).status == QuestionStatus::OnAir) return id;
  }
  return std::nullopt;
}

std::optional<std::size_t> QuestionBoard::rankOf(std::uint64_t id) const {
  const auto found = std::find(queue_.begin(), queue_.end(), id);
  if (found == queue_.end()) return std::nullopt;
  return static_cast<std::size_t>(found - queue_.begin());
}

QuestionBoard::Counters QuestionBoard::counters() const {
  Counters counters;
  for (const auto& [id, question] : questions_) {
    switch (question.status) {
      case QuestionStatus::Pending: ++counters.pending; break;
      case QuestionStatus::Approved:
      case QuestionStatus::OnAir: ++counters.approved; break;
      case QuestionStatus::Answered: ++counters.answered; break;
      case QuestionStatus::Rejected: ++counters.rejected; break;
      default: break;
    }
  }
  return counters;
}

std::optional<nlohmann::json> QuestionBoard::view(std::uint64_t id, Role role, std::string_view viewer) const {
  const auto* question = find(id);
  if (question == nullptr) return std::nullopt;
  const bool mine = role == Role::Viewer && !viewer.empty() && question->author == viewer;
  const bool staff = role == Role::Technician || role == Role::Moderator;
  if (staff && question->status == QuestionStatus::Deleted) return std::nullopt;
  if (role == Role::Mayor && !isPublic(question->status)) return std::nullopt;
  if (role == Role::Viewer && !isPublic(question->status) && !mine) return std::nullopt;

  Json out{{"id", id},
           {"status", std::string(toString(question->status))},
           {"status_label", std::string(frenchLabel(question->status))}};
  if (question->status == QuestionStatus::Deleted) {  // its author's, without the text
    out["mine"] = true;
    return out;
  }
  out["text"] = question->text;
  out["pseudonym"] = question->pseudonym;
  out["origin"] = question->origin;
  out["place"] = question->place;
  out["votes"] = question->voters.size();
  if (role == Role::Viewer) {
    out["mine"] = mine;
    out["voted"] = !viewer.empty() && question->voters.count(std::string(viewer)) != 0;
    return out;
  }
  const auto rank = rankOf(id);
  out["rank"] = rank ? Json(*rank) : Json(nullptr);
  if (!staff) return out;
  out["original"] = question->original.empty() ? Json(nullptr) : Json(question->original);
  out["flags"] = question->flags;
  out["merged_into"] = question->mergedInto ? Json(*question->mergedInto) : Json(nullptr);
  out["asked_ms"] = question->askedMs;
  return out;
}

std::optional<std::uint64_t> QuestionBoard::fromOrigin(std::string_view origin, std::string_view originId) const {
  const auto found = byOrigin_.find(std::make_pair(std::string(origin), std::string(originId)));
  if (found == byOrigin_.end()) return std::nullopt;
  return found->second;
}

nlohmann::json QuestionBoard::views(Role role, std::string_view viewer) const {
  Json out = Json::array();
  for (const auto& [id, question] : questions_) {
    if (auto shown = view(id, role, viewer)) out.push_back(std::move(*shown));
  }
  return out;
}

}  // namespace tribune::core
