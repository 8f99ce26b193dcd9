#include "core/questions_export.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace tribune::core {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kEndOfRow = "\r\n";
constexpr char kSeparator = ';';

constexpr std::array<std::string_view, 13> kColumns{"numero",         "statut",   "status", "texte", "texte_original",
                                                    "pseudonyme",     "lieu",     "votes",  "rang",  "signalements",
                                                    "regroupee_avec", "posee_le", "origine"};

// Spreadsheets read a cell starting with one of these as a formula (or, for tab and CR,
// skip them and read what follows as one): OWASP's "CSV injection".
bool startsLikeAFormula(std::string_view cell) {
  if (cell.empty()) return false;
  switch (cell.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r': return true;
    default: return false;
  }
}

// One cell: neutralised first (the quote is part of the text), then quoted when RFC 4180
// asks for it, here with ';' as the separator.
std::string cell(std::string_view text) {
  std::string value;
  if (startsLikeAFormula(text)) value += '\'';
  value += text;
  if (value.find_first_of(";\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

void appendRow(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += kSeparator;
    out += cell(cells[i]);
  }
  out += kEndOfRow;
}

std::string joined(const std::vector<std::string>& words, char separator) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) out += separator;
    out += word;
  }
  return out;
}

// What the written replies list: every question the moderators have seen, deleted ones
// excepted (their text is forgotten), in id order (the board keeps them so).
std::vector<const Question*> exported(const QuestionBoard& board) {
  std::vector<const Question*> questions;
  for (const auto& [id, question] : board.all()) {
    if (question.status != QuestionStatus::Deleted) questions.push_back(&question);
  }
  return questions;
}

// "2024-03-12T19:04:05Z": a wall clock in ms since 1970, to the second (truncated), in UTC.
std::string utcIso8601(std::int64_t wallMs) {
  using namespace std::chrono;
  const sys_time<milliseconds> when{milliseconds{wallMs}};
  const auto day = floor<days>(when);
  const year_month_day date{day};
  const hh_mm_ss time{floor<seconds>(when - day)};
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text.data();
}

}  // namespace

std::string questionsCsv(const QuestionBoard& board) {
  std::string out(kBom);
  appendRow(out, std::vector<std::string>(kColumns.begin(), kColumns.end()));
  for (const Question* question : exported(board)) {
    const auto rank = board.rankOf(question->id);
    appendRow(out, {
                       std::to_string(question->id),
                       std::string(frenchLabel(question->status)),
                       std::string(toString(question->status)),
                       question->text,
                       question->original,
                       question->pseudonym,
                       question->place,
                       std::to_string(question->voters.size()),
                       rank ? std::to_string(*rank + 1) : std::string(),
                       joined(question->flags, ','),
                       question->mergedInto ? std::to_string(*question->mergedInto) : std::string(),
                       utcIso8601(question->askedMs),
                       question->origin,
                   });
  }
  return out;
}

Json questionsJson(const QuestionBoard& board, std::string_view meetingId) {
  Json questions = Json::array();
  for (const Question* question : exported(board)) {
    const auto rank = board.rankOf(question->id);
    questions.push_back({
        {"id", question->id},
        {"status", toString(question->status)},
        {"status_label", frenchLabel(question->status)},
        {"text", question->text},
        {"original", question->original.empty() ? Json(nullptr) : Json(question->original)},
        {"pseudonym", question->pseudonym},
        {"place", question->place},
        {"votes", question->voters.size()},
        {"rank", rank ? Json(*rank) : Json(nullptr)},
        {"flags", question->flags},
        {"merged_into", question->mergedInto ? Json(*question->mergedInto) : Json(nullptr)},
        {"asked_at", utcIso8601(question->askedMs)},
        {"origin", question->origin},
    });
  }
  return {{"meeting", meetingId}, {"questions", std::move(questions)}};
}

}  // namespace tribune::core
