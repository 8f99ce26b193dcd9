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
inline constexpr std::string_view kDefaultMeetingTitle = "Conseil municipal";

struct AgendaItem {
  std::string number;      // as the convocation writes it: "1", "12 bis", "QD1"
  std::string title;       // verbatim, trimmed
  std::string rapporteur;  // empty when none
  ItemKind kind = ItemKind::Deliberation;
  friend bool operator==(const AgendaItem&, const AgendaItem&) = default;
};

struct Meeting {
  std::string commune;
  std::string title;  // kDefaultMeetingTitle when not given
  std::string date;   // YYYY-MM-DD, a real calendar date
  std::string time;   // HH:MM on the 24-hour clock; empty when not given
  std::string place;  // empty when not given
  friend bool operator==(const Meeting&, const Meeting&) = default;
};

struct Agenda {
  Meeting meeting;
  std::vector<AgendaItem> items;  // in the order of the document, numbers unique
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

// {"meeting": {...}, "items": [{...}, ...]}: see docs/AGENDA.md for the schema.
AgendaResult parseAgendaJson(std::string_view text);

// One item per line, "12 bis - Titre — Rapporteur"; the meeting comes from elsewhere (the
// configuration, the console) and is checked by the same rules as in JSON, its problems
// reported at "meeting.commune", "meeting.date"...
AgendaResult parseAgendaText(std::string_view text, const Meeting& meeting);

// "2026-12-03": exactly YYYY-MM-DD and a day that exists (2024-02-29 does, 2026-02-29 not).
bool isCalendarDate(std::string_view text);
// "19:00": exactly HH:MM, 00:00 to 23:59.
bool isClockTime(std::string_view text);

}  // namespace tribune::core
