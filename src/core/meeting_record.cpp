#include "core/meeting_record.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "core/platform_account.h"
#include "core/session.h"
#include "core/vote.h"

namespace tribune::core {
namespace {

using Json = nlohmann::json;

// The events of the timeline, and whether their data goes with them (meeting_created and
// agenda_loaded carry the whole agenda, already in "items" and "persons").
struct TimelineType {
  const char* type;
  bool withData;
};
constexpr std::array<TimelineType, 9> kTimelineTypes{{
    {"meeting_created", false},
    {"agenda_loaded", false},
    {"session_changed", true},
    {"item_changed", true},
    {"vote_recorded", true},
    {"speaker_changed", true},
    {"source_lost", true},
    {"source_restored", true},
    {"recording_started", true},
}};

Json seconds(std::optional<std::int64_t> ns) {
  if (!ns) return nullptr;
  return std::round(static_cast<double>(*ns) / 1e6) / 1e3;  // ms precision
}

Json decisionOf(const Meeting& meeting, const AgendaItem& item) {
  const auto found = meeting.votes().find(item.number);
  if (found == meeting.votes().end()) return nullptr;
  const auto& vote = found->second;
  Json votes = Json::array();
  for (const auto& [id, choice] : vote.choices) {
    const auto* councillor = meeting.findCouncillor(id);
    votes.push_back({{"person", id}, {"name", councillor ? councillor->name : id}, {"choice", toString(choice)}});
  }
  return {{"ballot", toString(vote.ballot)},
          {"result", toString(vote.result)},
          {"result_label", frenchLabel(vote.result)},
          {"huis_clos", vote.huisClos},
          {"counts",
           {{"pour", vote.counts.pour},
            {"contre", vote.counts.contre},
            {"abstention", vote.counts.abstention},
            {"npp", vote.counts.npp}}},
          {"votes", votes}};
}

}  // namespace

Json meetingRecord(const Meeting& meeting, const std::vector<LoggedEvent>& events, const ReplayPlan& plan,
                   const WallClockText& wallClock) {
  const auto& info = meeting.agenda().meeting;
  const std::string open(toString(SessionState::Ouverte));
  Json openedAt = nullptr;
  Json closedAt = nullptr;
  Json endedAt = nullptr;
  Json suspensions = Json::array();
  Json huisClos = Json::array();
  Json timeline = Json::array();
  std::vector<std::optional<std::int64_t>> itemStarts(meeting.agenda().items.size());
  std::optional<std::size_t> current;
  auto noteItemStart = [&](std::size_t index, std::optional<std::int64_t> at) {
    if (index >= itemStarts.size() || !at) return;
    if (!itemStarts[index] || *at < *itemStarts[index]) itemStarts[index] = at;
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& event = events[i];
    const auto replayAt = i < plan.eventReplayNs.size() ? plan.eventReplayNs[i] : std::nullopt;
    if (event.type == "item_changed") {
      current = event.data.value("index", std::size_t{0});
      noteItemStart(*current, replayAt);
    } else if (event.type == "session_changed") {
      const auto from = event.data.value("from", std::string{});
      const auto to = event.data.value("to", std::string{});
      const auto at = wallClock(event.wallMs);
      if (to == open && from == toString(SessionState::PreSeance) && openedAt.is_null()) {
        openedAt = at;
        if (current) noteItemStart(*current, replayAt);
      }
      if (to == toString(SessionState::Levee) && closedAt.is_null()) closedAt = at;
      if (to == toString(SessionState::Terminee) && endedAt.is_null()) endedAt = at;
      if (to == toString(SessionState::Suspension)) suspensions.push_back({{"from", at}, {"to", nullptr}});
      if (from == toString(SessionState::Suspension) && !suspensions.empty()) suspensions.back()["to"] = at;
      if (to == toString(SessionState::HuisClos)) huisClos.push_back({{"from", at}, {"to", nullptr}});
      if (from == toString(SessionState::HuisClos) && !huisClos.empty()) huisClos.back()["to"] = at;
    }
    const auto type = std::find_if(kTimelineTypes.begin(), kTimelineTypes.end(),
                                   [&](const TimelineType& t) { return event.type == t.type; });
    if (type == kTimelineTypes.end()) continue;
    timeline.push_back({{"seq", event.seq},
                        {"type", event.type},
                        {"at", wallClock(event.wallMs)},
                        {"program_s", seconds(event.programNs < 0 ? std::nullopt : std::optional{event.programNs})},
                        {"replay_s", seconds(replayAt)},
                        {"data", type->withData ? event.data : Json::object()}});
  }

  Json persons = Json::array();
  for (const auto& councillor : meeting.agenda().councillors) {
    persons.push_back(
        {{"id", councillor.id}, {"name", councillor.name}, {"role", councillor.role}, {"group", councillor.group}});
  }
  Json items = Json::array();
  for (std::size_t i = 0; i < meeting.agenda().items.size(); ++i) {
    const auto& item = meeting.agenda().items[i];
    items.push_back({{"index", i},
                     {"number", item.number},
                     {"title", item.title},
                     {"rapporteur", item.rapporteur},
                     {"kind", toString(item.kind)},
                     {"kind_label", frenchLabel(item.kind)},
                     {"replay_start_s", seconds(itemStarts[i])},
                     {"decision", decisionOf(meeting, item)}});
  }
  Json replay = nullptr;
  if (!plan.pieces.empty()) {
    Json chapters = Json::array();
    for (const auto& chapter : plan.chapters) {
      chapters.push_back(
          {{"start_s", seconds(chapter.startNs)}, {"end_s", seconds(chapter.endNs)}, {"title", chapter.title}});
    }
    Json pieces = Json::array();
    for (const auto& piece : plan.pieces) {
      pieces.push_back({{"file", piece.file},
                        {"from_s", seconds(piece.fromNs)},
                        {"to_s", seconds(piece.toNs)},
                        {"replay_start_s", seconds(piece.replayStartNs)}});
    }
    replay = {{"duration_s", seconds(plan.durationNs)}, {"chapters", chapters}, {"pieces", pieces}};
  }
  Json questions = {{"total", 0}};
  for (const auto& [id, question] : meeting.questions().all()) {
    if (question.status == QuestionStatus::Deleted) continue;
    questions["total"] = questions["total"].get<int>() + 1;
    const std::string status(toString(question.status));
    questions[status] = questions.value(status, 0) + 1;
  }
  return {{"schema", kMeetingRecordSchema},
          {"session",
           {{"id", meeting.id()},
            {"commune", info.commune},
            {"title", info.title},
            {"date", info.date},
            {"time", info.time},
            {"place", info.place},
            {"state", toString(meeting.state())},
            {"state_label", frenchLabel(meeting.state())},
            {"opened_at", openedAt},
            {"closed_at", closedAt},
            {"ended_at", endedAt},
            {"suspensions", suspensions},
            {"huis_clos", huisClos}}},
          {"persons", persons},
          {"items", items},
          {"timeline", timeline},
          {"replay", replay},
          {"questions", questions}};
}

namespace {

// Markdown's special characters, escaped: agenda texts come from a file anyone may have
// typed, and the summary is read rendered.
std::string md(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*_[]<>|~").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// "2026-12-04T20:03:00+01:00" -> "20h03"
std::string hourText(const Json& at) {
  if (!at.is_string()) return "—";
  auto text = at.get<std::string>();
  if (text.size() < 16) return text;
  return text.substr(11, 2) + "h" + text.substr(14, 2);
}

std::string clock(double seconds) {
  const auto total = static_cast<long long>(seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  return text;
}

const char* choiceLabel(const std::string& choice) {
  if (choice == "pour") return "Pour";
  if (choice == "contre") return "Contre";
  if (choice == "abstention") return "Abstention";
  return "Ne prend pas part";
}

}  // namespace

std::string meetingSummary(const Json& record) {
  const auto& session = record.at("session");
  std::string out = "# " + md(session.value("title", "")) + " — " + md(session.value("commune", "")) + "\n\n";
  out += "- Date : " + md(session.value("date", "")) + "\n";
  if (!session.value("place", "").empty()) out += "- Lieu : " + md(session.value("place", "")) + "\n";
  out += "- Ouverture de la séance : " + hourText(session.at("opened_at")) + "\n";
  for (const auto& suspension : session.at("suspensions")) {
    out += "- Suspension : de " + hourText(suspension.at("from")) + " à " + hourText(suspension.at("to")) + "\n";
  }
  for (const auto& closed : session.at("huis_clos")) {
    out += "- Huis clos : de " + hourText(closed.at("from")) + " à " + hourText(closed.at("to")) + "\n";
  }
  out += "- Séance levée : " + hourText(session.at("closed_at")) + "\n\n";

  out += "## Ordre du jour et décisions\n";
  for (const auto& item : record.at("items")) {
    out += "\n### " + md(item.value("number", "")) + ". " + md(item.value("title", "")) + "\n\n";
    out += "- " + md(item.value("kind_label", ""));
    if (!item.value("rapporteur", "").empty()) out += " — rapporteur : " + md(item.value("rapporteur", ""));
    out += "\n";
    if (item.at("replay_start_s").is_number()) {
      out += "- Dans la vidéo : " + clock(item.at("replay_start_s").get<double>()) + "\n";
    }
    const auto& decision = item.at("decision");
    if (decision.is_null()) continue;
    const auto& counts = decision.at("counts");
    out += "- Vote " + std::string(decision.value("ballot", "") == "secret" ? "à bulletin secret" : "public") +
           (decision.value("huis_clos", false) ? " (à huis clos)" : "") + " : **" +
           md(decision.value("result_label", "")) + "** — pour " + std::to_string(counts.value("pour", 0)) +
           ", contre " + std::to_string(counts.value("contre", 0)) + ", abstention " +
           std::to_string(counts.value("abstention", 0)) + ", ne prend pas part " +
           std::to_string(counts.value("npp", 0)) + "\n";
    for (const char* choice : {"pour", "contre", "abstention", "npp"}) {
      std::string names;
      for (const auto& vote : decision.at("votes")) {
        if (vote.value("choice", "") != choice) continue;
        names += (names.empty() ? "" : ", ") + md(vote.value("name", ""));
      }
      if (!names.empty()) out += "  - " + std::string(choiceLabel(choice)) + " : " + names + "\n";
    }
  }
  if (record.at("replay").is_object()) {
    out += "\n## Chapitres de la vidéo\n\n";
    for (const auto& chapter : record.at("replay").at("chapters")) {
      out += "- " + clock(chapter.at("start_s").get<double>()) + " " + md(chapter.value("title", "")) + "\n";
    }
  }
  if (record.contains("audience") && record.at("audience").is_object() && !record.at("audience").empty()) {
    out += "\n## Audience des directs\n\n";
    for (const auto& [platform, figures] : record.at("audience").items()) {
      const auto name = platformFromString(platform);
      const auto minutes = figures.contains("per_minute") && figures["per_minute"].is_array()
                               ? figures["per_minute"].size()
                               : std::size_t{0};
      out += "- " + (name ? std::string(displayName(*name)) : md(platform)) + " : pic de " +
             std::to_string(figures.value("peak", 0LL)) + " spectateurs, " +
             std::to_string(std::llround(figures.value("average", 0.0))) + " en moyenne sur " +
             std::to_string(minutes) + " minute" + (minutes > 1 ? "s" : "") + "\n";
    }
  }
  const auto& questions = record.at("questions");
  if (questions.value("total", 0) > 0) {
    out += "\n## Questions du public\n\n- Reçues : " + std::to_string(questions.value("total", 0)) +
           "\n- Répondues en séance : " + std::to_string(questions.value("answered", 0)) +
           "\n- Réponse écrite demandée : " + std::to_string(questions.value("written_reply", 0)) + "\n";
  }
  return out;
}

}  // namespace tribune::core
