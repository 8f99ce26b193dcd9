#include "core/convocation.h"

#include <algorithm>
#include <array>
#include <optional>

namespace tribune::core {
namespace {

bool isAsciiSpace(char c) { return c == ' ' || c == '\t'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lowerAscii(text[i]) != lowerAscii(prefix[i])) return false;
  }
  return true;
}

bool containsNoCase(std::string_view text, std::string_view needle) {
  for (std::size_t at = 0; at + needle.size() <= text.size(); ++at) {
    if (startsWithNoCase(text.substr(at), needle)) return true;
  }
  return false;
}

// Runs of spaces and tabs (pdftotext -layout pads columns with them) become one space;
// the ends are trimmed. No-break spaces are left to the text reader, which trims them.
std::string collapsed(std::string_view line) {
  std::string out;
  bool space = false;
  for (const char c : line) {
    if (isAsciiSpace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::size_t indentOf(std::string_view line) {
  std::size_t n = 0;
  for (const char c : line) {
    if (c == ' ') {
      ++n;
    } else if (c == '\t') {
      n += 8;
    } else {
      break;
    }
  }
  return n;
}

constexpr std::array<std::string_view, 9> kLatinSuffixes{"bis",     "ter",    "quater", "quinquies", "sexies",
                                                         "septies", "octies", "nonies", "decies"};
// As the text reader's (docs/AGENDA.md); "--" before "-".
constexpr std::array<std::string_view, 7> kSeparators{"\u2014", "\u2013", "--", "-", ".", ")", ":"};

// Where the title starts when `line` (collapsed) opens a numbered item: a number of one to
// three digits (a year or a postcode is not an item number), maybe "bis"… or one letter,
// or "QD" and digits; then a separator and a space or the end of the line.
std::optional<std::size_t> itemTitleStart(std::string_view line) {
  std::size_t at = 0;
  if (startsWithNoCase(line, "QD")) {
    at = 2;
    if (at < line.size() && line[at] == ' ') ++at;
  }
  std::size_t digits = 0;
  while (at + digits < line.size() && isDigit(line[at + digits])) ++digits;
  if (digits == 0 || digits > 3) return std::nullopt;
  at += digits;
  const auto wordEndsAt = [&](std::size_t end) { return end >= line.size() || !isAsciiLetter(line[end]); };
  bool suffixed = false;
  const std::size_t spaced = (at < line.size() && line[at] == ' ') ? at + 1 : at;
  for (const auto suffix : kLatinSuffixes) {
    if (startsWithNoCase(line.substr(spaced), suffix) && wordEndsAt(spaced + suffix.size())) {
      at = spaced + suffix.size();
      suffixed = true;
      break;
    }
  }
  if (!suffixed && at < line.size() && isAsciiLetter(line[at]) && wordEndsAt(at + 1)) ++at;
  if (at < line.size() && line[at] == ' ') ++at;
  for (const auto separator : kSeparators) {
    if (!line.substr(at).starts_with(separator)) continue;
    const auto end = at + separator.size();
    if (end == line.size()) return end;
    if (line[end] == ' ') return end + 1;
    return std::nullopt;
  }
  return std::nullopt;
}

// "Page 1/2", "Page 1 sur 2", "page 3", "1/2", "- 2 -", "— 2 —", "2": a page's number.
bool isPageMarker(std::string_view line) {
  std::string_view rest = line;
  if (startsWithNoCase(rest, "page ")) rest = rest.substr(5);
  const auto stripDashes = [](std::string_view s) {
    for (const auto dash : {std::string_view("\u2014"), std::string_view("\u2013"), std::string_view("-")}) {
      if (s.starts_with(dash) && s.ends_with(dash) && s.size() > 2 * dash.size()) {
        s = s.substr(dash.size(), s.size() - 2 * dash.size());
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        return s;
      }
    }
    return s;
  };
  rest = stripDashes(rest);
  if (rest.empty() || !isDigit(rest.front())) return false;
  std::size_t at = 0;
  while (at < rest.size() && isDigit(rest[at])) ++at;
  if (at == rest.size()) return true;
  auto tail = rest.substr(at);
  while (!tail.empty() && tail.front() == ' ') tail.remove_prefix(1);
  if (tail.starts_with("/")) {
    tail.remove_prefix(1);
  } else if (startsWithNoCase(tail, "sur ")) {
    tail.remove_prefix(4);
  } else {
    return false;
  }
  while (!tail.empty() && tail.front() == ' ') tail.remove_prefix(1);
  return !tail.empty() && std::all_of(tail.begin(), tail.end(), isDigit);
}

// "Questions diverses", "Question diverse :" heading a letter's last part.
bool isQuestionsHeading(std::string_view line) {
  return startsWithNoCase(line, "questions diverses") || startsWithNoCase(line, "question diverse");
}

// "- Question de Mme Dubois…", "• …", "* …", "– …": the text after the bullet, or nothing.
std::optional<std::string_view> bulletText(std::string_view line) {
  for (const auto bullet :
       {std::string_view("\u2022"), std::string_view("\u25CF"), std::string_view("\u25AA"), std::string_view("\u2013"),
        std::string_view("\u2014"), std::string_view("-"), std::string_view("*"), std::string_view("\u00B7")}) {
    if (line.starts_with(bullet) && line.size() > bullet.size() + 1 && line[bullet.size()] == ' ') {
      return line.substr(bullet.size() + 1);
    }
  }
  return std::nullopt;
}

// A small letter, ASCII or Latin-1's accented ones (é, à, ç… encoded C3 A0 to C3 BF).
bool startsLowercase(std::string_view line) {
  if (line.empty()) return false;
  const auto c = static_cast<unsigned char>(line[0]);
  if (c >= 'a' && c <= 'z') return true;
  if (c == 0xC3 && line.size() > 1) {
    const auto next = static_cast<unsigned char>(line[1]);
    return next >= 0xA0 && next <= 0xBF && next != 0xB7;
  }
  return false;
}

// "Rapporteur : Mme Claire Martin", "Rapporteure : …", "Rapporteur(e) : …": the name.
std::optional<std::string_view> rapporteurLine(std::string_view line) {
  if (!startsWithNoCase(line, "rapporteur")) return std::nullopt;
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon > 16) return std::nullopt;
  auto name = line.substr(colon + 1);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  if (name.empty()) return std::nullopt;
  return name;
}

// How much further in than its title's start a wrapped line may begin.
constexpr std::size_t kWrapSlack = 6;

// The column (in characters, a tab as 8) where the title starts in the raw line, given
// where it starts in the collapsed one.
std::size_t titleColumnOf(std::string_view raw, std::size_t collapsedAt) {
  std::size_t column = 0;
  std::size_t k = 0;  // characters of the collapsed line passed
  std::size_t j = 0;
  bool started = false;
  const auto pass = [&] {
    column += raw[j] == '\t' ? 8 : ((static_cast<unsigned char>(raw[j]) & 0xC0) == 0x80 ? 0 : 1);
    ++j;
  };
  while (j < raw.size() && k < collapsedAt) {
    if (isAsciiSpace(raw[j])) {
      while (j < raw.size() && isAsciiSpace(raw[j])) pass();
      if (started) ++k;
      continue;
    }
    started = true;
    pass();
    ++k;
  }
  while (j < raw.size() && isAsciiSpace(raw[j])) pass();
  return column;
}

struct SourceLine {
  std::string_view raw;  // without its line end or form feed
  std::size_t number;    // from 1
  bool pageStart;        // a form feed opened it (pdftotext marks each new page so)
};

std::vector<SourceLine> splitLines(std::string_view document) {
  if (document.starts_with("\xEF\xBB\xBF")) document.remove_prefix(3);
  std::vector<SourceLine> lines;
  std::size_t number = 1;
  while (!document.empty() || lines.empty()) {
    const auto end = document.find_first_of("\r\n");
    auto raw = document.substr(0, end);
    bool pageStart = false;
    while (!raw.empty() && raw.front() == '\f') {
      raw.remove_prefix(1);
      pageStart = true;
    }
    while (!raw.empty() && raw.back() == '\f') raw.remove_suffix(1);
    lines.push_back({raw, number++, pageStart});
    if (end == std::string_view::npos) break;
    const auto skip = (document[end] == '\r' && end + 1 < document.size() && document[end + 1] == '\n') ? 2 : 1;
    document.remove_prefix(end + skip);
  }
  return lines;
}

struct Item {
  std::string line;  // "6 bis - Avenant n°1 … — M. Morel"
  std::size_t documentLine = 0;
  std::size_t indent = 0;       // the column of its number
  std::size_t titleColumn = 0;  // the column its title starts at
  bool awaitingTitle = false;   // "1." alone on its line: the title is on the next one
  bool hasRapporteur = false;
};

void flush(std::optional<Item>& item, std::vector<Item>& items) {
  if (item) items.push_back(std::move(*item));
  item.reset();
}

}  // namespace

ConvocationAgenda agendaFromConvocation(std::string_view document, const MeetingInfo& meeting) {
  const auto lines = splitLines(document);
  // The agenda follows the line announcing it; a document without one is read whole.
  std::size_t first = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (containsNoCase(lines[i].raw, "ordre du jour")) {
      first = i + 1;
      break;
    }
  }

  std::vector<Item> items;
  std::optional<Item> open;                     // the item whose title may go on
  bool blankSinceItem = false;                  // a blank line ends a title, except after a number alone
  std::optional<std::size_t> questionsHeading;  // "Questions diverses" alone: its document line
  std::vector<Item> questions;                  // the bulleted questions under it
  const auto closeQuestions = [&] {
    if (!questionsHeading) return;
    flush(open, items);
    if (questions.empty()) {
      items.push_back({"QD1 - Questions diverses", *questionsHeading, 0, 0, false, false});
    } else {
      for (auto& question : questions) items.push_back(std::move(question));
    }
    questions.clear();
    questionsHeading.reset();
  };

  for (std::size_t i = first; i < lines.size(); ++i) {
    const auto& source = lines[i];
    const auto line = collapsed(source.raw);
    if (source.pageStart) blankSinceItem = true;  // a title does not wrap onto the next page
    if (line.empty()) {
      if (open && !open->awaitingTitle) blankSinceItem = true;
      continue;
    }
    if (isPageMarker(line)) {
      blankSinceItem = true;
      continue;
    }
    if (const auto titleAt = itemTitleStart(line)) {
      flush(open, questionsHeading ? questions : items);
      closeQuestions();
      open =
          Item{line, source.number, indentOf(source.raw), titleColumnOf(source.raw, *titleAt), *titleAt == line.size(),
               false};
      if (open->awaitingTitle) {
        while (!open->line.empty() && open->line.back() == ' ') open->line.pop_back();
      }
      blankSinceItem = false;
      continue;
    }
    if (open && open->awaitingTitle) {
      open->line += ' ' + line;
      open->awaitingTitle = false;
      continue;
    }
    if (questionsHeading) {
      if (const auto text = bulletText(line)) {
        flush(open, questions);
        const auto indent = indentOf(source.raw);
        open = Item{"QD" + std::to_string(questions.size() + 1) + " - " + std::string(*text),
                    source.number,
                    indent,
                    indent + 2,
                    false,
                    false};
        blankSinceItem = false;
        continue;
      }
    }
    if (isQuestionsHeading(line)) {
      flush(open, items);
      closeQuestions();
      questionsHeading = source.number;
      blankSinceItem = false;
      continue;
    }
    if (open && !blankSinceItem) {
      if (const auto name = rapporteurLine(line); name && !open->hasRapporteur) {
        open->line += " \u2014 " + std::string(*name);
        open->hasRapporteur = true;
        continue;
      }
      // A wrapped line lines up under the title (or a little further in); one far to the
      // right is something else: a signature, a date, a footer.
      const auto indent = indentOf(source.raw);
      if (startsLowercase(line) || (indent > open->indent && indent <= open->titleColumn + kWrapSlack)) {
        // A word cut at its hyphen ("inter-" / "communal") joins without a space.
        const bool cutWord = open->line.size() > 1 && open->line.back() == '-' &&
                             isAsciiLetter(open->line[open->line.size() - 2]) && startsLowercase(line);
        open->line += cutWord ? line : ' ' + line;
        continue;
      }
    }
    // Prose: "Mesdames, Messieurs", a date, the signature… It ends the open item.
    flush(open, questionsHeading ? questions : items);
    blankSinceItem = true;
  }
  flush(open, questionsHeading ? questions : items);
  closeQuestions();

  ConvocationAgenda out;
  if (items.empty()) {
    out.result.problems.push_back({"$", std::string(kNoAgendaInDocument)});
    return out;
  }
  for (const auto& item : items) {
    out.text += item.line;
    out.text += '\n';
    out.documentLines.push_back(item.documentLine);
  }
  out.result = parseAgendaText(out.text, meeting);
  return out;
}

}  // namespace tribune::core
