#pragma once
// The meeting's agenda ("ordre du jour"): what the lower-third shows at each "point
// suivant" and what the replay's chapters are named after. Two formats, both described in
// docs/AGENDA.md: a JSON file, and plain text with one item per line (an agenda pasted from
// the convocation). Parsing is pure: the app reads the file and hands the text in.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/councillor.h"

namespace tribune::core {

enum class ItemKind { Deliberation, Information, QuestionDiverse };

// The kind's id in files and on the wire: "deliberation", "information", "question_diverse".
std::string_view toString(ItemKind kind);
// What viewers read: "Délibération", "Information", "Question diverse".
std::string_view frenchLabel(ItemKind kind);
// The kind with that id (exactly as toString writes it), or nothing.
std::optional<ItemKind> itemKindFromString(std::string_view id);

// Limits of both formats. Lengths count characters (Unicode code points), not bytes, so
// that an accented title is not penalised.
inline constexpr std::size_t kMaxAgendaItems = 200;
inline constexpr std::size_t kMaxItemTitleLength = 300;
inline constexpr std::size_t kMaxAgendaNameLength = 200;  // commune, meeting title, place, rapporteur
inline constexpr std::size_t kMaxItemNumberLength = 16;
inline constexpr std::size_t kMaxCouncillors = 200;  // the Conseil de Paris has 163 members
inline constexpr std::string_view kDefaultMeetingTitle = "Conseil municipal";

struct AgendaItem {
  std::string number;      // as the convocation writes it: "1", "12 bis", "QD1"
  std::string title;       // verbatim, trimmed
  std::string rapporteur;  // empty when none
  ItemKind kind = ItemKind::Deliberation;
  friend bool operator==(const AgendaItem&, const AgendaItem&) = default;
};

// Which meeting this is: what the slates and the replay's title say. (Not to be confused
// with core::Meeting, the meeting as it runs, in core/meeting.h.)
struct MeetingInfo {
  std::string commune;
  std::string title;  // kDefaultMeetingTitle when not given
  std::string date;   // YYYY-MM-DD, a real calendar date
  std::string time;   // HH:MM on the 24-hour clock; empty when not given
  std::string place;  // empty when not given
  friend bool operator==(const MeetingInfo&, const MeetingInfo&) = default;
};

struct Agenda {
  MeetingInfo meeting;
  std::vector<AgendaItem> items;        // in the order of the document, numbers unique
  std::vector<Councillor> councillors;  // the council's members, ids unique; JSON only
  friend bool operator==(const Agenda&, const Agenda&) = default;
};

// One problem and where it is: a JSON path ("items[3].title", counted from 0), "line 7"
// (text, counted from 1), "line 3, column 14" (JSON that does not parse) or "$" (the
// document as a whole).
struct AgendaProblem {
  std::string where;
  std::string message;
  friend bool operator==(const AgendaProblem&, const AgendaProblem&) = default;
};

struct AgendaResult {
  Agenda agenda;                        // meaningful only when problems is empty
  std::vector<AgendaProblem> problems;  // every problem, in document order
  [[nodiscard]] bool ok() const { return problems.empty(); }
};

// {"meeting": {...}, "items": [{...}, ...], "councillors": [{...}, ...]}: see docs/AGENDA.md
// for the schema.
AgendaResult parseAgendaJson(std::string_view text);

// One item per line, "12 bis - Titre — Rapporteur"; the meeting comes from elsewhere (the
// configuration, the console) and is checked by the same rules as in JSON, its problems
// reported at "meeting.commune", "meeting.date"...
AgendaResult parseAgendaText(std::string_view text, const MeetingInfo& meeting);

// Whether two item numbers name the same item, the way a reader compares them: ignoring
// case and spaces ("12 bis", "12bis" and "12 BIS" are the same item).
bool sameItemNumber(std::string_view a, std::string_view b);

// "cm-01": 1 to 32 lowercase ASCII letters, digits and hyphens.
bool isCouncillorId(std::string_view id);

// "2026-12-03": exactly YYYY-MM-DD and a day that exists (2024-02-29 does, 2026-02-29 not).
bool isCalendarDate(std::string_view text);
// "19:00": exactly HH:MM, 00:00 to 23:59.
bool isClockTime(std::string_view text);

}  // namespace tribune::core
