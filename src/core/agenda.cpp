#include "core/agenda.h"
#include "core/config_reader.h"
#include "core/json_type.h"
#include "core/suggestion.h"
#include "core/text_screen.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <set>
#include <span>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

namespace tribune::core {

namespace {

using config_reader::childPath;
using config_reader::didYouMean;
using config_reader::indexPath;
using config_reader::joined;
using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------
// Kinds

struct KindName {
  ItemKind kind;
  std::string_view id;
  std::string_view label;
};

constexpr std::array<KindName, 3> kKindNames{{
    {ItemKind::Deliberation, "deliberation", "Délibération"},
    {ItemKind::Information, "information", "Information"},
    {ItemKind::QuestionDiverse, "question_diverse", "Question diverse"},
}};
constexpr std::array<std::string_view, 3> kKindIds{"deliberation", "information", "question_diverse"};

const KindName& kindName(ItemKind kind) {
  const auto found =
      std::find_if(kKindNames.begin(), kKindNames.end(), [kind](const KindName& name) { return name.kind == kind; });
  return found != kKindNames.end() ? *found : kKindNames.front();
}

// ---------------------------------------------------------------------------------------
// UTF-8. Agendas are typed in word processors and exported from town-hall software: a
// Windows-1252 file is the usual mistake, and must be named rather than shown as mojibake.

constexpr char32_t kMaxCodePoint = 0x10FFFF;
constexpr char32_t kReplacementCharacter = 0xFFFD;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// The code point at text[at], moving `at` past it; nothing for an ill-formed sequence
// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short), and then
// `at` moves past one byte only.
std::optional<char32_t> nextCodePoint(std::string_view text, std::size_t& at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  char32_t value = 0;
  char32_t smallest = 0;
  if (lead < 0x80) {
    ++at;
    return lead;
  }
  if ((lead & 0xE0U) == 0xC0U) {
    length = 2;
    value = lead & 0x1FU;
    smallest = 0x80;
  } else if ((lead & 0xF0U) == 0xE0U) {
    length = 3;
    value = lead & 0x0FU;
    smallest = 0x800;
  } else if ((lead & 0xF8U) == 0xF0U) {
    length = 4;
    value = lead & 0x07U;
    smallest = 0x10000;
  } else {
    ++at;
    return std::nullopt;
  }
  if (text.size() - at < length) {
    ++at;
    return std::nullopt;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xC0U) != 0x80U) {
      ++at;
      return std::nullopt;
    }
    value = (value << 6U) | (next & 0x3FU);
  }
  if (value < smallest || value > kMaxCodePoint || (value >= 0xD800 && value <= 0xDFFF)) {
    ++at;
    return std::nullopt;
  }
  at += length;
  return value;
}

// Where the first ill-formed sequence starts, if any.
std::optional<std::size_t> firstInvalidUtf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const auto start = at;
    if (!nextCodePoint(text, at)) return start;
  }
  return std::nullopt;
}

bool isValidUtf8(std::string_view text) { return !firstInvalidUtf8(text).has_value(); }

void appendUtf8(std::string& out, char32_t value) {
  const auto byte = [&out](char32_t bits) { out.push_back(static_cast<char>(bits)); };
  if (value < 0x80) {
    byte(value);
  } else if (value < 0x800) {
    byte(0xC0U | (value >> 6U));
    byte(0x80U | (value & 0x3FU));
  } else if (value < 0x10000) {
    byte(0xE0U | (value >> 12U));
    byte(0x80U | ((value >> 6U) & 0x3FU));
    byte(0x80U | (value & 0x3FU));
  } else {
    byte(0xF0U | (value >> 18U));
    byte(0x80U | ((value >> 12U) & 0x3FU));
    byte(0x80U | ((value >> 6U) & 0x3FU));
    byte(0x80U | (value & 0x3FU));
  }
}

// Messages travel as JSON to the console, which needs valid UTF-8.
std::string withValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    appendUtf8(out, nextCodePoint(text, at).value_or(kReplacementCharacter));
  }
  return out;
}

// C0 and C1 controls and DEL, except tab: a line break or a bell in a title would break
// the lower-third and the chapter list.
bool isRefusedControl(char32_t value) { return (value < 0x20 && value != U'\t') || (value >= 0x7F && value <= 0x9F); }

std::optional<char32_t> firstRefusedControl(std::string_view validText) {
  for (std::size_t at = 0; at < validText.size();) {
    const auto value = nextCodePoint(validText, at);
    if (value && isRefusedControl(*value)) return value;
  }
  return std::nullopt;
}

std::string codePointName(char32_t value) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string digits;
  for (int shift = value > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) {
    digits.push_back(kHex[(value >> static_cast<unsigned>(shift)) & 0xFU]);
  }
  return "U+" + digits;
}

// ---------------------------------------------------------------------------------------
// Small text helpers.

// Trimmed around titles and names, and accepted around separators: French typography puts
// a no-break space (or a narrow one) before ":" and around dashes.
constexpr std::array<std::string_view, 4> kSpaces{" ", "\t", "\u00A0", "\u202F"};

std::size_t leadingSpace(std::string_view text) {
  for (const auto space : kSpaces) {
    if (text.starts_with(space)) return space.size();
  }
  return 0;
}

std::size_t trailingSpace(std::string_view text) {
  for (const auto space : kSpaces) {
    if (text.ends_with(space)) return space.size();
  }
  return 0;
}

std::string_view trimmed(std::string_view text) {
  for (auto n = leadingSpace(text); n != 0; n = leadingSpace(text)) text.remove_prefix(n);
  for (auto n = trailingSpace(text); n != 0; n = trailingSpace(text)) text.remove_suffix(n);
  return text;
}

std::string_view afterSpaces(std::string_view text) {
  for (auto n = leadingSpace(text); n != 0; n = leadingSpace(text)) text.remove_prefix(n);
  return text;
}

bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lowered(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(),
                                                    [](char a, char b) { return lowered(a) == lowered(b); });
}

bool equalNoCase(std::string_view a, std::string_view b) { return a.size() == b.size() && startsWithNoCase(a, b); }

// A word ends at the end of the text, at a space or at ASCII punctuation; an accented
// letter continues it.
bool wordEnds(std::string_view rest) {
  if (rest.empty() || leadingSpace(rest) != 0) return true;
  const auto byte = static_cast<unsigned char>(rest.front());
  return byte < 0x80 && !isAsciiLetter(rest.front()) && !isAsciiDigit(rest.front());
}

bool startsWithWord(std::string_view text, std::string_view word) {
  return startsWithNoCase(text, word) && wordEnds(text.substr(word.size()));
}

std::size_t leadingDigits(std::string_view text) {
  const auto end = std::find_if(text.begin(), text.end(), [](char c) { return !isAsciiDigit(c); });
  return static_cast<std::size_t>(end - text.begin());
}

bool allDigits(std::string_view text) { return !text.empty() && leadingDigits(text) == text.size(); }

int digitsValue(std::string_view digits) {
  int value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

// 0 to 99 as two digits, "07".
std::string twoDigits(int value) {
  return {static_cast<char>('0' + value / 10 % 10), static_cast<char>('0' + value % 10)};
}

std::string lineName(std::size_t line) { return "ligne " + std::to_string(line); }

// ---------------------------------------------------------------------------------------
// Suggestions for typos ("titel" -> "title").

constexpr std::size_t kMaxShownLength = 40;

// ` "value"` when the value is short, valid and printable, else nothing: messages are read
// on one line of the console.
std::string shown(std::string_view value) {
  if (value.empty() || !isValidUtf8(value) || characterCount(value) > kMaxShownLength || firstRefusedControl(value) ||
      value.find('\t') != std::string_view::npos) {
    return "";
  }
  return " « " + std::string(value) + " »";
}

std::string unknownKind(std::string_view id) {
  auto near = closest(id, kKindIds);
  if (!near) {
    // "Délibération", "Question diverse": the label viewers read, typed for the id.
    const auto label = std::find_if(kKindNames.begin(), kKindNames.end(),
                                    [id](const KindName& name) { return equalNoCase(trimmed(id), name.label); });
    if (label != kKindNames.end()) near = label->id;
  }
  return "type inconnu" + shown(id) + (near ? didYouMean(*near) : "") +
         " ; types possibles : " + joined(kKindIds, ", ");
}

// ---------------------------------------------------------------------------------------
// Values shared by both formats: each check returns what is wrong, or nothing.

struct CheckedText {
  std::string text;
  std::optional<std::string> problem;
};

// Trims, then refuses ill-formed UTF-8, control characters other than tab, and text too
// long; empty text only where it means "none".
CheckedText checkText(std::string_view raw, std::size_t maxLength, bool mayBeEmpty) {
  if (!isValidUtf8(raw)) return {"", "texte non UTF-8 : enregistrez le fichier en UTF-8"};
  const auto text = trimmed(raw);
  if (text.empty() && !mayBeEmpty) return {"", "ne doit pas être vide"};
  if (const auto control = firstRefusedControl(text)) {
    return {"", "contient le caractère de contrôle " + codePointName(*control) +
                    ", interdit (seule la tabulation est permise)"};
  }
  if (const auto length = characterCount(text); length > maxLength) {
    return {"", "trop long : " + std::to_string(length) + " caractères, au plus " + std::to_string(maxLength)};
  }
  return {std::string(text), std::nullopt};
}

std::string withSubject(std::string_view subject, const std::string& problem) {
  return std::string(subject) + " " + problem;
}

std::optional<std::string> validDate(int year, int month, int day) {
  namespace chrono = std::chrono;
  const chrono::year_month_day date{chrono::year{year}, chrono::month{static_cast<unsigned>(month)},
                                    chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return twoDigits(year / 100) + twoDigits(year % 100) + "-" + twoDigits(month) + "-" + twoDigits(day);
}

// "03/12/2026", "3.12.2026" or "2026/12/03": the date the technician meant, written the
// way the file wants it.
std::optional<std::string> dateSuggestion(std::string_view text) {
  std::vector<std::string_view> groups;
  std::size_t at = 0;
  while (at < text.size() && groups.size() < 3) {
    const auto digits = leadingDigits(text.substr(at));
    if (digits == 0) return std::nullopt;
    groups.push_back(text.substr(at, digits));
    at += digits;
    if (at == text.size()) break;
    if (text[at] != '/' && text[at] != '.' && text[at] != '-') return std::nullopt;
    ++at;
  }
  if (groups.size() != 3 || at != text.size()) return std::nullopt;
  const auto shortGroup = [](std::string_view group) { return group.size() <= 2; };
  if (groups[2].size() == 4 && shortGroup(groups[0]) && shortGroup(groups[1])) {
    return validDate(digitsValue(groups[2]), digitsValue(groups[1]), digitsValue(groups[0]));
  }
  if (groups[0].size() == 4 && shortGroup(groups[1]) && shortGroup(groups[2])) {
    return validDate(digitsValue(groups[0]), digitsValue(groups[1]), digitsValue(groups[2]));
  }
  return std::nullopt;
}

bool hasDateShape(std::string_view text) {
  return text.size() == 10 && text[4] == '-' && text[7] == '-' && allDigits(text.substr(0, 4)) &&
         allDigits(text.substr(5, 2)) && allDigits(text.substr(8, 2));
}

std::optional<std::string> dateProblem(std::string_view text) {
  if (!hasDateShape(text)) {
    if (auto suggestion = dateSuggestion(text)) return "date attendue au format AAAA-MM-JJ" + didYouMean(*suggestion);
    return std::string("date attendue au format AAAA-MM-JJ, par exemple « 2026-12-03 »");
  }
  const int year = digitsValue(text.substr(0, 4));
  const int month = digitsValue(text.substr(5, 2));
  const int day = digitsValue(text.substr(8, 2));
  const std::string quoted = "« " + std::string(text) + " »";
  if (month < 1 || month > 12) return quoted + " n'est pas une date du calendrier : les mois vont de 01 à 12";
  if (!validDate(year, month, day)) {
    namespace chrono = std::chrono;
    const chrono::year_month_day_last last{chrono::year{year},
                                           chrono::month_day_last{chrono::month{static_cast<unsigned>(month)}}};
    return quoted + " n'est pas une date du calendrier : " + std::string(text.substr(0, 7)) + " a " +
           std::to_string(static_cast<unsigned>(last.day())) + " jours";
  }
  return std::nullopt;
}

constexpr int kHoursPerDay = 24;
constexpr int kMinutesPerHour = 60;

// "19h00", "19h", "7:30": the time the technician meant, written HH:MM.
std::optional<std::string> timeSuggestion(std::string_view text) {
  const auto hourDigits = leadingDigits(text);
  if (hourDigits == 0 || hourDigits > 2 || hourDigits == text.size()) return std::nullopt;
  const char separator = text[hourDigits];
  if (separator != ':' && separator != 'h' && separator != 'H' && separator != '.') return std::nullopt;
  const auto minutes = text.substr(hourDigits + 1);
  if (minutes.size() > 2 || (!minutes.empty() && !allDigits(minutes))) return std::nullopt;
  if (minutes.empty() && separator != 'h' && separator != 'H') return std::nullopt;
  const int hour = digitsValue(text.substr(0, hourDigits));
  const int minute = minutes.empty() ? 0 : digitsValue(minutes);
  if (hour >= kHoursPerDay || minute >= kMinutesPerHour || (minutes.size() == 1)) return std::nullopt;
  return twoDigits(hour) + ":" + twoDigits(minute);
}

std::optional<std::string> timeProblem(std::string_view text) {
  if (isClockTime(text)) return std::nullopt;
  if (auto suggestion = timeSuggestion(text))
    return "heure attendue au format HH:MM sur 24 heures" + didYouMean(*suggestion);
  return std::string("heure attendue au format HH:MM sur 24 heures, par exemple « 19:00 »");
}

// Numbers are compared the way a reader would: "12 bis", "12bis" and "12 BIS" are the
// same item.
std::string numberKey(std::string_view number) {
  std::string key;
  while (!number.empty()) {
    if (const auto space = leadingSpace(number); space != 0) {
      number.remove_prefix(space);
      continue;
    }
    key.push_back(lowered(number.front()));
    number.remove_prefix(1);
  }
  return key;
}

// The problems of a result, and the numbers already given, with where they were given.
class Problems {
 public:
  void add(std::string where, std::string message) { list_.push_back({std::move(where), std::move(message)}); }
  [[nodiscard]] std::size_t count() const { return list_.size(); }
  std::vector<AgendaProblem> take() { return std::move(list_); }

 private:
  std::vector<AgendaProblem> list_;
};

class NumberRegistry {
 public:
  // Where the number was first used, when it was.
  std::optional<std::string> claim(const std::string& number, const std::string& where) {
    const auto [previous, inserted] = seen_.try_emplace(numberKey(number), where);
    if (inserted) return std::nullopt;
    return previous->second;
  }

 private:
  std::unordered_map<std::string, std::string> seen_;
};

constexpr std::string_view kCommuneRequired = "obligatoire : le nom de la commune, par exemple « Ville de Démo »";
constexpr std::string_view kDateRequired =
    "obligatoire : la date de la séance au format AAAA-MM-JJ, par exemple « 2026-12-03 »";

// The meeting handed to parseAgendaText, checked by the JSON rules; an empty member is an
// absent one.
MeetingInfo checkedMeeting(const MeetingInfo& given, Problems& problems) {
  const auto read = [&problems](std::string_view value, std::string_view member) -> std::optional<std::string> {
    auto checked = checkText(value, kMaxAgendaNameLength, true);
    if (!checked.problem) return std::move(checked.text);
    problems.add(childPath("meeting", member), *checked.problem);
    return std::nullopt;
  };
  MeetingInfo meeting;
  if (auto commune = read(given.commune, "commune")) {
    if (commune->empty()) problems.add("meeting.commune", std::string(kCommuneRequired));
    meeting.commune = std::move(*commune);
  }
  if (auto title = read(given.title, "title")) {
    meeting.title = title->empty() ? std::string(kDefaultMeetingTitle) : std::move(*title);
  }
  if (auto date = read(given.date, "date")) {
    if (date->empty()) {
      problems.add("meeting.date", std::string(kDateRequired));
    } else if (auto problem = dateProblem(*date)) {
      problems.add("meeting.date", *problem);
    } else {
      meeting.date = std::move(*date);
    }
  }
  if (auto time = read(given.time, "time")) {
    if (auto problem = time->empty() ? std::nullopt : timeProblem(*time)) {
      problems.add("meeting.time", *problem);
    } else {
      meeting.time = std::move(*time);
    }
  }
  if (auto place = read(given.place, "place")) meeting.place = std::move(*place);
  return meeting;
}

// ---------------------------------------------------------------------------------------
// JSON

// The paths of members whose key appears twice in its object. nlohmann keeps the last
// value silently; a second "title" would hide the first from the technician reading it.
class DuplicateKeys {
 public:
  void observe(Json::parse_event_t event, const Json& parsed) {
    using Event = Json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start: {
        auto path = pathOfNextValue();
        frames_.push_back({event == Event::array_start, 0, {}, {}, std::move(path)});
        break;
      }
      case Event::key:
        if (!frames_.empty() && parsed.is_string()) {
          auto& top = frames_.back();
          top.key = parsed.get<std::string>();
          if (!top.keys.insert(top.key).second) paths_.insert(childPath(top.path, top.key));
        }
        break;
      case Event::object_end:
      case Event::array_end:
        if (!frames_.empty()) frames_.pop_back();
        valueDone();
        break;
      case Event::value: valueDone(); break;
    }
  }

  [[nodiscard]] bool contains(const std::string& path) const { return paths_.count(path) != 0; }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;  // the member being read, in an object
    std::set<std::string> keys;
    std::string path;
  };

  [[nodiscard]] std::string pathOfNextValue() const {
    if (frames_.empty()) return "";
    const auto& top = frames_.back();
    return top.array ? indexPath(top.path, top.index) : childPath(top.path, top.key);
  }

  void valueDone() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  std::vector<Frame> frames_;
  std::set<std::string> paths_;
};

// "line 3, column 14": the faulty character counted in characters, as an editor shows it.
// `byte` is nlohmann's 1-based index of the last byte read.
std::string textPosition(std::string_view text, std::size_t byte) {
  const auto offset = std::min(byte == 0 ? 0 : byte - 1, text.size());
  const auto before = text.substr(0, offset);
  const auto lineStart = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  const auto line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  auto column = characterCount(before.substr(lineStart)) + 1;
  if (line == 1 && text.starts_with(kByteOrderMark) && column > 1) --column;
  return lineName(line) + ", colonne " + std::to_string(column);
}

// nlohmann's detail is English ("syntax error while parsing object - unexpected '}';
// expected string literal"): said again in French from its parts, the rest left out.
std::string frenchParseDetail(std::string_view detail) {
  if (detail.find("unexpected end of input") != std::string_view::npos) {
    return " : le texte s'arrête trop tôt (accolade ou crochet non fermé ?)";
  }
  // 'x' right after `marker`, or nothing.
  const auto quotedAfter = [detail](std::string_view marker) -> std::string {
    const auto at = detail.find(marker);
    if (at == std::string_view::npos) return "";
    const auto rest = detail.substr(at + marker.size());
    const auto end = rest.find('\'');
    return end == std::string_view::npos ? "" : shown(withValidUtf8(rest.substr(0, end)));
  };
  std::string french;
  if (auto read = quotedAfter("last read: '"); !read.empty()) {
    french = " près de" + read;
  } else if (auto token = quotedAfter("unexpected '"); !token.empty()) {
    french = " :" + token + " inattendu ici";
  } else if (detail.find("unexpected") != std::string_view::npos) {
    french = " : valeur inattendue ici";
  }
  if (auto expected = quotedAfter("; expected '"); !expected.empty()) french += " (attendu" + expected + ")";
  return french;
}

AgendaProblem invalidJson(std::string_view text, const Json::parse_error& error) {
  // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: DETAIL";
  // the position is recomputed in characters, the detail said in French.
  const std::string_view what = error.what();
  const auto at = what.find(": ", what.find("parse error"));
  const auto detail = at == std::string_view::npos ? what : what.substr(at + 2);
  auto byte = error.byte;
  if (detail.find("UTF-8") != std::string_view::npos) {
    // nlohmann stops at the byte that broke the sequence; the editor shows the character
    // that started it.
    if (const auto bad = firstInvalidUtf8(text)) byte = *bad + 1;
    return {textPosition(text, byte), "JSON invalide : texte non UTF-8 (enregistrez le fichier en UTF-8)"};
  }
  return {textPosition(text, byte), "JSON invalide" + frenchParseDetail(detail)};
}

class JsonAgendaParser {
 public:
  explicit JsonAgendaParser(const DuplicateKeys& duplicates) : duplicates_(duplicates) {}

  AgendaResult parse(const Json& document) {
    AgendaResult result;
    parseRoot(document, result.agenda);
    result.problems = problems_.take();
    return result;
  }

 private:
  template <class Target>
  struct Field {
    std::string_view name;
    void (*apply)(JsonAgendaParser& parser, const Json& value, const std::string& path, Target& target);
  };

  using P = JsonAgendaParser;
  using S = const std::string&;

  struct RootDraft {
    Agenda& agenda;
    bool meetingGiven = false;
    bool itemsGiven = false;
  };

  struct MeetingDraft {
    MeetingInfo meeting;
    bool communeGiven = false;
    bool dateGiven = false;
  };

  struct ItemDraft {
    std::string path;  // "items[2]"
    AgendaItem item;
    bool numberGiven = false;
    bool titleGiven = false;
  };

  struct CouncillorDraft {
    std::string path;  // "councillors[2]"
    Councillor councillor;
    bool idGiven = false;
    bool nameGiven = false;
  };

  void problem(const std::string& path, std::string message) {
    problems_.add(path.empty() ? "$" : path, std::move(message));
  }

  template <class Target, std::size_t N>
  bool readObject(const Json& value, const std::string& path, const std::array<Field<Target>, N>& fields,
                  Target& target) {
    if (!value.is_object()) {
      problem(path, "attendu un objet, reçu " + typeInFrench(value));
      return false;
    }
    std::array<std::string_view, N> names;
    std::transform(fields.begin(), fields.end(), names.begin(), [](const Field<Target>& field) { return field.name; });
    for (auto member = value.begin(); member != value.end(); ++member) {
      const auto& key = member.key();
      const auto memberPath = childPath(path, key);
      if (duplicates_.contains(memberPath)) {
        problem(memberPath, "la clé" + shown(key) + " apparaît plusieurs fois dans cet objet : n'en gardez qu'une");
      }
      const auto field = std::find_if(fields.begin(), fields.end(),
                                      [&key](const Field<Target>& candidate) { return candidate.name == key; });
      if (field != fields.end()) {
        field->apply(*this, member.value(), memberPath, target);
      } else if (auto near = closest(key, names)) {
        problem(memberPath, "clé inconnue" + shown(key) + didYouMean(*near));
      } else {
        problem(memberPath, "clé inconnue" + shown(key) + " ; clés connues : " + joined(names, ", "));
      }
    }
    return true;
  }

  std::optional<std::string> readText(const Json& value, const std::string& path, std::size_t maxLength,
                                      bool mayBeEmpty) {
    if (!value.is_string()) {
      problem(path, "attendu une chaîne, reçu " + typeInFrench(value));
      return std::nullopt;
    }
    auto checked = checkText(value.get_ref<const std::string&>(), maxLength, mayBeEmpty);
    if (checked.problem) {
      problem(path, *checked.problem);
      return std::nullopt;
    }
    return std::move(checked.text);
  }

  void parseRoot(const Json& document, Agenda& agenda) {
    static constexpr std::array<Field<RootDraft>, 3> kFields{{
        {"meeting",
         [](P& p, const Json& v, S at, RootDraft& d) {
           d.meetingGiven = true;
           p.parseMeeting(v, at, d.agenda.meeting);
         }},
        {"items",
         [](P& p, const Json& v, S at, RootDraft& d) {
           d.itemsGiven = true;
           p.parseItems(v, at, d.agenda.items);
         }},
        {"councillors",
         [](P& p, const Json& v, S at, RootDraft& d) { p.parseCouncillors(v, at, d.agenda.councillors); }},
    }};
    RootDraft draft{agenda};
    if (!readObject(document, "", kFields, draft)) return;
    if (!draft.meetingGiven) {
      problem("meeting", R"(obligatoire : la séance, par exemple {"commune": "Ville de Démo", "date": "2026-12-03"})");
    }
    if (!draft.itemsGiven) problem("items", "obligatoire : la liste des points de l'ordre du jour");
  }

  void parseMeeting(const Json& value, const std::string& path, MeetingInfo& meeting) {
    static constexpr std::array<Field<MeetingDraft>, 5> kFields{{
        {"commune",
         [](P& p, const Json& v, S at, MeetingDraft& d) {
           d.communeGiven = true;
           if (auto text = p.readText(v, at, kMaxAgendaNameLength, false)) d.meeting.commune = std::move(*text);
         }},
        {"title",
         [](P& p, const Json& v, S at, MeetingDraft& d) {
           if (auto text = p.readText(v, at, kMaxAgendaNameLength, false)) d.meeting.title = std::move(*text);
         }},
        {"date",
         [](P& p, const Json& v, S at, MeetingDraft& d) {
           d.dateGiven = true;
           auto text = p.readText(v, at, kMaxAgendaNameLength, false);
           if (!text) return;
           if (auto error = dateProblem(*text)) return p.problem(at, *error);
           d.meeting.date = std::move(*text);
         }},
        {"time",
         [](P& p, const Json& v, S at, MeetingDraft& d) {
           auto text = p.readText(v, at, kMaxAgendaNameLength, true);
           if (!text || text->empty()) return;
           if (auto error = timeProblem(*text)) return p.problem(at, *error);
           d.meeting.time = std::move(*text);
         }},
        {"place",
         [](P& p, const Json& v, S at, MeetingDraft& d) {
           if (auto text = p.readText(v, at, kMaxAgendaNameLength, true)) d.meeting.place = std::move(*text);
         }},
    }};
    MeetingDraft draft;
    if (!readObject(value, path, kFields, draft)) return;
    if (!draft.communeGiven) problem(childPath(path, "commune"), std::string(kCommuneRequired));
    if (!draft.dateGiven) problem(childPath(path, "date"), std::string(kDateRequired));
    if (draft.meeting.title.empty()) draft.meeting.title = kDefaultMeetingTitle;
    meeting = std::move(draft.meeting);
  }

  void parseItems(const Json& value, const std::string& path, std::vector<AgendaItem>& items) {
    if (!value.is_array()) return problem(path, "attendu un tableau, reçu " + typeInFrench(value));
    if (value.empty()) return problem(path, "doit contenir au moins un point");
    if (value.size() > kMaxAgendaItems) {
      problem(path,
              "trop de points : " + std::to_string(value.size()) + ", au plus " + std::to_string(kMaxAgendaItems));
    }
    for (std::size_t index = 0; index < value.size(); ++index) {
      if (auto item = parseItem(value[index], indexPath(path, index), index + 1)) items.push_back(std::move(*item));
    }
  }

  std::optional<AgendaItem> parseItem(const Json& value, const std::string& path, std::size_t position) {
    static constexpr std::array<Field<ItemDraft>, 4> kFields{{
        {"number", [](P& p, const Json& v, S at, ItemDraft& d) { p.readNumber(v, at, d); }},
        {"title",
         [](P& p, const Json& v, S at, ItemDraft& d) {
           d.titleGiven = true;
           if (auto text = p.readText(v, at, kMaxItemTitleLength, false)) d.item.title = std::move(*text);
         }},
        {"rapporteur",
         [](P& p, const Json& v, S at, ItemDraft& d) {
           if (auto text = p.readText(v, at, kMaxAgendaNameLength, true)) d.item.rapporteur = std::move(*text);
         }},
        {"kind",
         [](P& p, const Json& v, S at, ItemDraft& d) {
           if (!v.is_string()) return p.problem(at, "attendu une chaîne, reçu " + typeInFrench(v));
           const auto& id = v.get_ref<const std::string&>();
           if (auto kind = itemKindFromString(id)) {
             d.item.kind = *kind;
           } else {
             p.problem(at, unknownKind(id));
           }
         }},
    }};
    const auto before = problems_.count();
    ItemDraft draft{path, {}, false, false};
    if (!readObject(value, path, kFields, draft)) return std::nullopt;
    if (!draft.titleGiven) problem(childPath(path, "title"), "obligatoire : le titre du point");
    if (!draft.numberGiven) {
      // Numbered by its position, which may still clash with a number given elsewhere.
      draft.item.number = std::to_string(position);
      if (auto previous = numbers_.claim(draft.item.number, path)) {
        problem(path, "numéro « " + draft.item.number + " » (sa position, faute de numéro propre) déjà utilisé par " +
                          *previous);
      }
    }
    if (problems_.count() != before) return std::nullopt;
    return std::move(draft.item);
  }

  void parseCouncillors(const Json& value, const std::string& path, std::vector<Councillor>& councillors) {
    if (!value.is_array()) return problem(path, "attendu un tableau, reçu " + typeInFrench(value));
    if (value.size() > kMaxCouncillors) {
      problem(path, "trop d'élus : " + std::to_string(value.size()) + ", au plus " + std::to_string(kMaxCouncillors));
    }
    for (std::size_t index = 0; index < value.size(); ++index) {
      if (auto councillor = parseCouncillor(value[index], indexPath(path, index))) {
        councillors.push_back(std::move(*councillor));
      }
    }
  }

  std::optional<Councillor> parseCouncillor(const Json& value, const std::string& path) {
    static constexpr std::array<Field<CouncillorDraft>, 4> kFields{{
        {"id", [](P& p, const Json& v, S at, CouncillorDraft& d) { p.readCouncillorId(v, at, d); }},
        {"name",
         [](P& p, const Json& v, S at, CouncillorDraft& d) {
           d.nameGiven = true;
           if (auto text = p.readText(v, at, kMaxAgendaNameLength, false)) d.councillor.name = std::move(*text);
         }},
        {"role",
         [](P& p, const Json& v, S at, CouncillorDraft& d) {
           if (auto text = p.readText(v, at, kMaxAgendaNameLength, true)) d.councillor.role = std::move(*text);
         }},
        {"group",
         [](P& p, const Json& v, S at, CouncillorDraft& d) {
           if (auto text = p.readText(v, at, kMaxAgendaNameLength, true)) d.councillor.group = std::move(*text);
         }},
    }};
    const auto before = problems_.count();
    CouncillorDraft draft{path, {}, false, false};
    if (!readObject(value, path, kFields, draft)) return std::nullopt;
    if (!draft.idGiven) problem(childPath(path, "id"), "obligatoire : l'identifiant de l'élu, par exemple « cm-01 »");
    if (!draft.nameGiven)
      problem(childPath(path, "name"), "obligatoire : le nom de l'élu, par exemple « Mme Claire Martin »");
    if (problems_.count() != before) return std::nullopt;
    return std::move(draft.councillor);
  }

  void readCouncillorId(const Json& value, const std::string& path, CouncillorDraft& draft) {
    draft.idGiven = true;
    if (!value.is_string()) return problem(path, "attendu une chaîne, reçu " + typeInFrench(value));
    const auto& id = value.get_ref<const std::string&>();
    if (!isCouncillorId(id)) {
      return problem(path, "identifiant invalide" + shown(id) +
                               " : 1 à 32 minuscules (a-z), chiffres et tirets, par exemple « cm-01 »");
    }
    if (const auto [previous, inserted] = councillorIds_.try_emplace(id, draft.path); !inserted) {
      return problem(path, "identifiant « " + id + " » déjà utilisé par " + previous->second);
    }
    draft.councillor.id = id;
  }

  void readNumber(const Json& value, const std::string& path, ItemDraft& draft) {
    draft.numberGiven = true;
    std::optional<std::string> number;
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > 0) {
      number = std::to_string(value.get<std::uint64_t>());
      if (number->size() > kMaxItemNumberLength) {
        return problem(path, "trop long : " + std::to_string(number->size()) + " caractères, au plus " +
                                 std::to_string(kMaxItemNumberLength));
      }
    } else if (value.is_number_integer()) {
      return problem(path, "attendu un nombre entier positif (1, 2, …) ou une chaîne comme « 12 bis », reçu " +
                               std::to_string(value.get<std::int64_t>()));
    } else if (value.is_string()) {
      number = readText(value, path, kMaxItemNumberLength, false);
      if (!number) return;
    } else {
      return problem(path, "attendu une chaîne ou un nombre entier positif, reçu " + typeInFrench(value));
    }
    if (auto previous = numbers_.claim(*number, draft.path)) {
      return problem(path, "numéro « " + *number + " » déjà utilisé par " + *previous);
    }
    draft.item.number = std::move(*number);
  }

  const DuplicateKeys& duplicates_;
  Problems problems_;
  NumberRegistry numbers_;
  std::unordered_map<std::string, std::string> councillorIds_;  // id -> where it was first given
};

// ---------------------------------------------------------------------------------------
// Plain text

// Latin ordinal suffixes of an item inserted late: "12 bis", "12 ter"...
constexpr std::array<std::string_view, 9> kLatinSuffixes{"bis",     "ter",    "quater", "quinquies", "sexies",
                                                         "septies", "octies", "nonies", "decies"};
// What may follow a leading number; "--" before "-" so that the longer one is taken.
constexpr std::array<std::string_view, 7> kNumberSeparators{"\u2014", "\u2013", "--", "-", ".", ")", ":"};
// What separates the rapporteur from the title. Not a lone "-": titles are full of them.
constexpr std::array<std::string_view, 3> kRapporteurDashes{"\u2014", "\u2013", "--"};

struct LeadingNumber {
  std::string_view number;  // "12 bis", "QD1"
  std::string_view rest;    // trimmed
  bool questionDiverse = false;
};

// After the digits: " bis", "bis" or a single letter ("5a"); else where the digits end.
std::size_t afterNumberSuffix(std::string_view line, std::size_t at) {
  const auto rest = line.substr(at);
  const auto spaced = afterSpaces(rest);
  for (const auto suffix : kLatinSuffixes) {
    if (startsWithWord(spaced, suffix)) return line.size() - spaced.size() + suffix.size();
  }
  if (!rest.empty() && isAsciiLetter(rest.front()) && wordEnds(rest.substr(1))) return at + 1;
  return at;
}

// "1. ", "1) ", "12 bis - ", "QD1. ", "3 — ": a number, then a separator, then a space or
// the end of the line. Without the separator the digits belong to the title ("14 juillet").
std::optional<LeadingNumber> leadingNumber(std::string_view line) {
  std::size_t at = 0;
  bool questionDiverse = false;
  if (startsWithNoCase(line, "QD")) {
    questionDiverse = true;
    at = 2;
    if (at < line.size() && line[at] == ' ') ++at;
  }
  const auto digits = leadingDigits(line.substr(at));
  if (digits == 0) return std::nullopt;
  const auto numberEnd = afterNumberSuffix(line, at + digits);
  const auto afterNumber = afterSpaces(line.substr(numberEnd));
  const auto separator = std::find_if(kNumberSeparators.begin(), kNumberSeparators.end(),
                                      [afterNumber](std::string_view s) { return afterNumber.starts_with(s); });
  if (separator == kNumberSeparators.end()) return std::nullopt;
  const auto rest = afterNumber.substr(separator->size());
  if (!rest.empty() && leadingSpace(rest) == 0) return std::nullopt;
  return LeadingNumber{line.substr(0, numberEnd), trimmed(rest), questionDiverse};
}

struct TitleAndRapporteur {
  std::string_view title;
  std::string_view rapporteur;
};

// The last dash with a space (or the start or end of the text) on each side separates the
// rapporteur; a title with dashes of its own keeps them.
TitleAndRapporteur splitRapporteur(std::string_view text) {
  const auto separates = [text](std::size_t at, std::size_t length) {
    const auto after = text.substr(at + length);
    return (at == 0 || trailingSpace(text.substr(0, at)) != 0) && (after.empty() || leadingSpace(after) != 0);
  };
  std::optional<std::size_t> splitAt;
  std::size_t dashLength = 0;
  for (const auto dash : kRapporteurDashes) {
    for (auto at = text.rfind(dash); at != std::string_view::npos; at = text.rfind(dash, at - 1)) {
      if (separates(at, dash.size())) {
        if (!splitAt || at > *splitAt) {
          splitAt = at;
          dashLength = dash.size();
        }
        break;
      }
      if (at == 0) break;
    }
  }
  if (!splitAt) return {text, {}};
  return {trimmed(text.substr(0, *splitAt)), trimmed(text.substr(*splitAt + dashLength))};
}

ItemKind kindOfTitle(std::string_view title, bool questionDiverseNumber) {
  if (questionDiverseNumber) return ItemKind::QuestionDiverse;
  for (const auto word : {"questions diverses", "question diverse"}) {
    if (startsWithWord(title, word)) return ItemKind::QuestionDiverse;
  }
  for (const auto word : {"informations", "information"}) {
    if (startsWithWord(title, word)) return ItemKind::Information;
  }
  for (const std::string_view word : {"infos", "info"}) {
    if (startsWithNoCase(title, word) && afterSpaces(title.substr(word.size())).starts_with(':')) {
      return ItemKind::Information;
    }
  }
  return ItemKind::Deliberation;
}

class TextAgendaParser {
 public:
  AgendaResult parse(std::string_view text, const MeetingInfo& meeting) {
    AgendaResult result;
    result.agenda.meeting = checkedMeeting(meeting, problems_);
    if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());
    std::size_t lineNumber = 0;
    for (std::size_t at = 0; at <= text.size();) {
      // "\n", "\r\n" and a lone "\r" all end a line: the file may come from any editor.
      auto end = text.find_first_of("\r\n", at);
      if (end == std::string_view::npos) end = text.size();
      parseLine(text.substr(at, end - at), ++lineNumber, result.agenda.items);
      if (end == text.size()) break;
      at = end + (text.substr(end).starts_with("\r\n") ? 2 : 1);
    }
    if (position_ == 0) problems_.add("$", "aucun point à l'ordre du jour : écrivez un point par ligne");
    result.problems = problems_.take();
    return result;
  }

 private:
  void parseLine(std::string_view raw, std::size_t lineNumber, std::vector<AgendaItem>& items) {
    const auto line = trimmed(raw);
    if (line.empty() || line.front() == '#') return;
    const auto where = lineName(lineNumber);
    const auto before = problems_.count();
    ++position_;
    if (position_ == kMaxAgendaItems + 1) {
      problems_.add(where, "trop de points : un ordre du jour en compte au plus " + std::to_string(kMaxAgendaItems));
    }
    if (!isValidUtf8(line)) {
      return problems_.add(where,
                           "texte non UTF-8 : enregistrez le fichier en UTF-8 (pas en Windows-1252 ni en Latin-1)");
    }
    if (const auto control = firstRefusedControl(line)) {
      return problems_.add(where, "contient le caractère de contrôle " + codePointName(*control) +
                                      ", interdit (seule la tabulation est permise)");
    }

    const auto numbered = leadingNumber(line);
    const auto [titleText, rapporteurText] = splitRapporteur(numbered ? numbered->rest : line);
    AgendaItem item;
    item.kind = kindOfTitle(titleText, numbered && numbered->questionDiverse);
    if (titleText.empty()) {
      problems_.add(where, numbered ? "pas de titre après le numéro" : "pas de titre avant le rapporteur");
    } else if (auto title = checkText(titleText, kMaxItemTitleLength, false); title.problem) {
      problems_.add(where, withSubject("titre", *title.problem));
    } else {
      item.title = std::move(title.text);
    }
    if (auto rapporteur = checkText(rapporteurText, kMaxAgendaNameLength, true); rapporteur.problem) {
      problems_.add(where, withSubject("rapporteur", *rapporteur.problem));
    } else {
      item.rapporteur = std::move(rapporteur.text);
    }
    claimNumber(numbered ? std::string(numbered->number) : std::to_string(position_), numbered.has_value(), where,
                item);
    if (problems_.count() == before) items.push_back(std::move(item));
  }

  void claimNumber(std::string number, bool written, const std::string& where, AgendaItem& item) {
    if (const auto length = characterCount(number); length > kMaxItemNumberLength) {
      return problems_.add(where, "numéro trop long : " + std::to_string(length) + " caractères, au plus " +
                                      std::to_string(kMaxItemNumberLength));
    }
    if (auto previous = numbers_.claim(number, where)) {
      return problems_.add(where, "numéro « " + number + " »" +
                                      (written ? "" : " (sa position, la ligne n'ayant pas de numéro)") +
                                      " déjà utilisé à la " + *previous);
    }
    item.number = std::move(number);
  }

  Problems problems_;
  NumberRegistry numbers_;
  std::size_t position_ = 0;  // items seen so far, the number of an item without one
};

}  // namespace

std::string_view toString(ItemKind kind) { return kindName(kind).id; }

std::string_view frenchLabel(ItemKind kind) { return kindName(kind).label; }

std::optional<ItemKind> itemKindFromString(std::string_view id) {
  const auto found =
      std::find_if(kKindNames.begin(), kKindNames.end(), [id](const KindName& name) { return name.id == id; });
  if (found == kKindNames.end()) return std::nullopt;
  return found->kind;
}

AgendaResult parseAgendaJson(std::string_view text) {
  const auto body = text.starts_with(kByteOrderMark) ? text.substr(kByteOrderMark.size()) : text;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    AgendaResult result;
    result.problems.push_back(
        {"$", R"(l'ordre du jour est vide : attendu un objet JSON {"meeting": …, "items": […]})"});
    return result;
  }
  DuplicateKeys duplicates;
  Json document;
  try {
    document =
        Json::parse(text.begin(), text.end(), [&duplicates](int /*depth*/, Json::parse_event_t event, Json& parsed) {
          duplicates.observe(event, parsed);
          return true;
        });
  } catch (const Json::parse_error& error) {
    AgendaResult result;
    result.problems.push_back(invalidJson(text, error));
    return result;
  }
  return JsonAgendaParser(duplicates).parse(document);
}

AgendaResult parseAgendaText(std::string_view text, const MeetingInfo& meeting) {
  return TextAgendaParser().parse(text, meeting);
}

bool sameItemNumber(std::string_view a, std::string_view b) { return numberKey(a) == numberKey(b); }

bool isCouncillorId(std::string_view id) {
  constexpr std::size_t kMaxCouncillorIdLength = 32;
  return !id.empty() && id.size() <= kMaxCouncillorIdLength && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || isAsciiDigit(c) || c == '-';
  });
}

bool isCalendarDate(std::string_view text) { return hasDateShape(text) && !dateProblem(text); }

bool isClockTime(std::string_view text) {
  if (text.size() != 5 || text[2] != ':' || !allDigits(text.substr(0, 2)) || !allDigits(text.substr(3, 2))) {
    return false;
  }
  return digitsValue(text.substr(0, 2)) < kHoursPerDay && digitsValue(text.substr(3, 2)) < kMinutesPerHour;
}

}  // namespace tribune::core
