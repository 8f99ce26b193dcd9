#include "core/text_screen.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <iterator>

// Everything here runs on every question a viewer sends, so each pass is linear in the text:
// one UTF-8 decoding loop per function, no regular expressions, no backtracking.

namespace tribune::core {
namespace {

// --- UTF-8 -------------------------------------------------------------------------------

struct CodePoint {
  char32_t value = 0;
  std::size_t length = 1;  // bytes consumed; 1 for an invalid byte, which is then skipped
  bool valid = false;
};

bool isContinuation(unsigned char byte) { return (byte & 0xC0U) == 0x80U; }

// Strict decoding (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
CodePoint decodeAt(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80U) return {lead, 1, true};
  std::size_t length = 0;
  char32_t value = 0;
  unsigned char low = 0x80U;  // allowed range of the second byte
  unsigned char high = 0xBFU;
  if (lead >= 0xC2U && lead <= 0xDFU) {
    length = 2;
    value = lead & 0x1FU;
  } else if (lead >= 0xE0U && lead <= 0xEFU) {
    length = 3;
    value = lead & 0x0FU;
    if (lead == 0xE0U) low = 0xA0U;   // overlong
    if (lead == 0xEDU) high = 0x9FU;  // surrogates
  } else if (lead >= 0xF0U && lead <= 0xF4U) {
    length = 4;
    value = lead & 0x07U;
    if (lead == 0xF0U) low = 0x90U;   // overlong
    if (lead == 0xF4U) high = 0x8FU;  // above U+10FFFF
  } else {
    return {};
  }
  if (at + length > text.size()) return {};
  if (byte(1) < low || byte(1) > high) return {};
  value = (value << 6U) | (byte(1) & 0x3FU);
  for (std::size_t i = 2; i < length; ++i) {
    if (!isContinuation(byte(i))) return {};
    value = (value << 6U) | (byte(i) & 0x3FU);
  }
  return {value, length, true};
}

bool isValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint cp = decodeAt(text, i);
    if (!cp.valid) return false;
    i += cp.length;
  }
  return true;
}

bool inRange(char32_t c, char32_t first, char32_t last) { return c >= first && c <= last; }

// --- Cleaning ------------------------------------------------------------------------------

bool isLineBreak(char32_t c) { return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }

// Tab, vertical tab, form feed and the Unicode space separators (no-break spaces included:
// French typography puts a narrow one before « ? » and « : »).
bool isBlank(char32_t c) {
  return c == '\t' || c == '\v' || c == '\f' || c == ' ' || c == 0xA0 || c == 0x1680 || inRange(c, 0x2000, 0x200A) ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// Control characters, and the invisible ones that only serve to disguise text: bidirectional
// overrides (which can make a question read differently from what it says), zero-width
// space, word joiner, byte order mark. The zero-width joiner stays: emoji sequences need it.
bool isRemoved(char32_t c) {
  return c < 0x20 || inRange(c, 0x7F, 0x9F) || c == 0x200B || inRange(c, 0x202A, 0x202E) || c == 0x2060 ||
         inRange(c, 0x2066, 0x2069) || c == 0xFEFF;
}

// --- Normalising for matching --------------------------------------------------------------

// U+00C0…U+00FF; an empty entry is a symbol (× and ÷).
// clang-format off
constexpr std::array<std::string_view, 64> kLatin1Fold = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
// clang-format on

// U+0100…U+017F (Latin Extended-A), one base letter each; 'J' stands for "ij", 'O' for "oe".
constexpr std::string_view kLatinExtendedAFold =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiJJjjkkkllllllllllnnnnnnnnnoooooo"
    "OOrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
static_assert(kLatinExtendedAFold.size() == 0x80);

// Cyrillic and Greek letters that look like Latin ones ("сon" with a Cyrillic с), sorted.
struct Confusable {
  char32_t from;
  char to;
};
constexpr std::array<Confusable, 48> kConfusables = {{
    {0x0391, 'a'}, {0x0392, 'b'}, {0x0395, 'e'}, {0x0396, 'z'}, {0x0397, 'h'}, {0x0399, 'i'}, {0x039A, 'k'},
    {0x039C, 'm'}, {0x039D, 'n'}, {0x039F, 'o'}, {0x03A1, 'p'}, {0x03A4, 't'}, {0x03A5, 'y'}, {0x03A7, 'x'},
    {0x03B1, 'a'}, {0x03B5, 'e'}, {0x03B9, 'i'}, {0x03BA, 'k'}, {0x03BD, 'v'}, {0x03BF, 'o'}, {0x03C1, 'p'},
    {0x03C4, 't'}, {0x03C5, 'u'}, {0x0405, 's'}, {0x0406, 'i'}, {0x0408, 'j'}, {0x0410, 'a'}, {0x0412, 'b'},
    {0x0415, 'e'}, {0x041A, 'k'}, {0x041C, 'm'}, {0x041D, 'h'}, {0x041E, 'o'}, {0x0420, 'p'}, {0x0421, 'c'},
    {0x0422, 't'}, {0x0425, 'x'}, {0x0430, 'a'}, {0x0435, 'e'}, {0x043E, 'o'}, {0x0440, 'p'}, {0x0441, 'c'},
    {0x0443, 'y'}, {0x0445, 'x'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x04BB, 'h'},
}};

// An ASCII character as matching reads it: a lower-case letter, a digit that does not stand
// for a letter, or 0 for a separator.
char matchingAscii(char c) {
  if (c >= 'a' && c <= 'z') return c;
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '@': return 'a';
    case '$': return 's';
    default: break;
  }
  if (c >= '0' && c <= '9') return c;
  return 0;
}

// Marks and invisible characters vanish without splitting the word: "e\u0301" is "é", and
// "con\u00ADnard" (soft hyphen) is "connard".
bool vanishesInMatching(char32_t c) {
  return inRange(c, 0x0300, 0x036F) || c == 0xAD || inRange(c, 0x200B, 0x200F) || c == 0x2060 ||
         inRange(c, 0xFE00, 0xFE0F) || c == 0xFEFF || inRange(c, 0xE0000, 0xE007F);
}

// Punctuation, symbols and emoji outside ASCII separate words; every other code point
// (letters of other scripts, CJK…) is kept as it is.
bool separatesWords(char32_t c) {
  return inRange(c, 0x80, 0xBF) || c == 0xD7 || c == 0xF7 || inRange(c, 0x02B0, 0x02FF) || isBlank(c) ||
         isLineBreak(c) || inRange(c, 0x2000, 0x2BFF) || inRange(c, 0x2E00, 0x2E7F) || inRange(c, 0x3000, 0x303F) ||
         inRange(c, 0xE000, 0xF8FF) || inRange(c, 0xFE10, 0xFE6F) || inRange(c, 0xFF00, 0xFF0F) ||
         inRange(c, 0xFFF0, 0xFFFF) || inRange(c, 0x1F000, 0x1FAFF);
}

// --- Profanity ----------------------------------------------------------------------------

// Whole-word matching: the normalised text is a list of words separated by single spaces,
// so the words i..j of the text, joined, are one substring of it. Each such run of up to as
// many words as the longest entry is looked up in the sorted entries: O(words × log entries).
bool containsEntry(std::string_view normalized, const std::vector<std::string>& sortedEntries) {
  std::size_t maxWords = 0;
  for (const std::string& entry : sortedEntries) {
    maxWords = std::max(maxWords, 1 + static_cast<std::size_t>(std::count(entry.begin(), entry.end(), ' ')));
  }
  std::vector<std::pair<std::size_t, std::size_t>> words;  // [begin, end)
  for (std::size_t begin = 0; begin < normalized.size();) {
    std::size_t end = normalized.find(' ', begin);
    if (end == std::string_view::npos) end = normalized.size();
    words.emplace_back(begin, end);
    begin = end + 1;
  }
  for (std::size_t first = 0; first < words.size(); ++first) {
    const std::size_t last = std::min(words.size(), first + maxWords);
    for (std::size_t past = first + 1; past <= last; ++past) {
      const std::string_view run = normalized.substr(words[first].first, words[past - 1].second - words[first].first);
      if (std::binary_search(sortedEntries.begin(), sortedEntries.end(), run, std::less<>{})) return true;
    }
  }
  return false;
}

// What parseWordList gives: sorted entries of lower-case ASCII letters and digits, words
// separated by one space. Checking it is one pass over the bytes, far cheaper than normalising.
bool isSortedAndNormalized(const std::vector<std::string>& entries) {
  const auto normalizedAscii = [](const std::string& entry) {
    if (entry.empty() || entry.front() == ' ' || entry.back() == ' ') return false;
    char previous = 0;
    for (const char c : entry) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == ' ' && previous != ' ');
      if (!ok) return false;
      previous = c;
    }
    return true;
  };
  return std::is_sorted(entries.begin(), entries.end()) && std::all_of(entries.begin(), entries.end(), normalizedAscii);
}

bool containsProfanity(std::string_view normalized, const WordList& list) {
  if (list.entries.empty() || normalized.empty()) return false;
  if (isSortedAndNormalized(list.entries)) return containsEntry(normalized, list.entries);
  // A list built by hand, or with words of other scripts: normalise and sort a copy.
  std::vector<std::string> entries;
  entries.reserve(list.entries.size());
  for (const std::string& entry : list.entries) {
    std::string n = normalizeForMatching(entry);
    if (!n.empty()) entries.push_back(std::move(n));
  }
  std::sort(entries.begin(), entries.end());
  return containsEntry(normalized, entries);
}

// --- Personal data -------------------------------------------------------------------------

struct Span {
  std::size_t begin;
  std::size_t end;
};

bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiAlnum(char c) { return isAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isPhoneSeparator(char c) { return c == ' ' || c == '.' || c == '-'; }

// Exactly `want` digits from `at`, in groups split by one separator, the same one throughout
// ("06 12 34 56 78", "06.12.34.56.78", "0612345678"). Returns where they end, or nothing when
// there are fewer, or when a group runs past `want` (a longer number is not a phone number).
std::optional<std::size_t> phoneDigits(std::string_view text, std::size_t at, std::size_t want) {
  std::size_t digits = 0;
  char separator = 0;
  while (at < text.size() && isAsciiDigit(text[at])) {
    while (at < text.size() && isAsciiDigit(text[at])) {
      if (++digits > want) return std::nullopt;
      ++at;
    }
    if (digits == want) return at;
    if (at + 1 < text.size() && isPhoneSeparator(text[at]) && isAsciiDigit(text[at + 1]) &&
        (separator == 0 || separator == text[at])) {
      separator = text[at];
      ++at;
    }
  }
  return std::nullopt;
}

// Country codes of metropolitan France and of the overseas departments and collectivities
// that use a nine-digit subscriber number, like +33.
constexpr std::array<std::string_view, 7> kFrenchCountryCodes = {"33", "262", "269", "508", "590", "594", "596"};

// A French number starting at `at` (already at a word boundary): national 0X XX XX XX XX,
// or +33 / 0033 then nine digits, with "(0)" or a stray 0 tolerated after the country code.
std::optional<std::size_t> phoneAt(std::string_view text, std::size_t at) {
  std::size_t international = std::string_view::npos;
  if (text[at] == '+') {
    international = at + 1;
  } else if (text.substr(at, 2) == "00") {
    international = at + 2;
  }
  if (international != std::string_view::npos) {
    for (std::string_view code : kFrenchCountryCodes) {
      if (text.substr(international, code.size()) != code) continue;
      std::size_t i = international + code.size();
      if (i < text.size() && isPhoneSeparator(text[i])) ++i;
      if (text.substr(i, 3) == "(0)") {
        i += 3;
        if (i < text.size() && isPhoneSeparator(text[i])) ++i;
      }
      if (i >= text.size() || !isAsciiDigit(text[i])) return std::nullopt;
      if (auto end = phoneDigits(text, i, 9)) return end;
      if (text[i] == '0') return phoneDigits(text, i, 10);  // "+33 06 12 34 56 78"
      return std::nullopt;
    }
    return std::nullopt;
  }
  if (text[at] == '0' && at + 1 < text.size() && text[at + 1] >= '1' && text[at + 1] <= '9') {
    return phoneDigits(text, at, 10);
  }
  return std::nullopt;
}

// Phone numbers outside the e-mail addresses already found (which are sorted).
std::vector<Span> findPhones(std::string_view text, const std::vector<Span>& emails) {
  std::vector<Span> phones;
  auto email = emails.begin();
  for (std::size_t i = 0; i < text.size(); ++i) {
    while (email != emails.end() && email->end <= i) ++email;
    if (email != emails.end() && email->begin <= i) {
      i = email->end - 1;
      continue;
    }
    if (text[i] != '+' && !isAsciiDigit(text[i])) continue;
    if (i > 0 && (isAsciiAlnum(text[i - 1]) || text[i - 1] == '+')) continue;
    if (auto end = phoneAt(text, i)) {
      phones.push_back({i, *end});
      i = *end - 1;
    }
  }
  return phones;
}

bool isLetterBeyondAscii(char32_t c) { return c >= 0x80 && !separatesWords(c) && !vanishesInMatching(c); }
bool isLocalPartChar(char32_t c) {
  return (c < 0x80 &&
          (isAsciiAlnum(static_cast<char>(c)) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-')) ||
         isLetterBeyondAscii(c);
}
bool isDomainChar(char32_t c) {
  return (c < 0x80 && (isAsciiAlnum(static_cast<char>(c)) || c == '.' || c == '-')) || isLetterBeyondAscii(c);
}

// name.surname+tag@sub.domain.tld: at least two labels, none empty, none starting or ending
// with '-', a top-level domain of two letters or more.
bool isEmailDomain(std::string_view domain) {
  std::size_t labels = 0;
  std::string_view label;
  for (std::size_t begin = 0; begin <= domain.size();) {
    std::size_t end = domain.find('.', begin);
    if (end == std::string_view::npos) end = domain.size();
    label = domain.substr(begin, end - begin);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    ++labels;
    begin = end + 1;
  }
  return labels >= 2 && label.size() >= 2 && std::all_of(label.begin(), label.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

std::vector<Span> findEmails(std::string_view text) {
  std::vector<Span> emails;
  std::size_t localBegin = std::string_view::npos;  // start of the current run of local-part characters
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint cp = decodeAt(text, i);
    if (cp.value != '@' || localBegin == std::string_view::npos) {
      if (!isLocalPartChar(cp.value)) {
        localBegin = std::string_view::npos;
      } else if (localBegin == std::string_view::npos) {
        localBegin = i;
      }
      i += cp.length;
      continue;
    }
    const std::size_t at = i;
    std::size_t domainEnd = at + 1;
    while (domainEnd < text.size()) {
      const CodePoint d = decodeAt(text, domainEnd);
      if (!isDomainChar(d.value)) break;
      domainEnd += d.length;
    }
    // The sentence's full stop or a dash after the address is not part of it.
    while (domainEnd > at + 1 && (text[domainEnd - 1] == '.' || text[domainEnd - 1] == '-')) --domainEnd;
    while (localBegin < at && text[localBegin] == '.') ++localBegin;
    if (localBegin < at && isEmailDomain(text.substr(at + 1, domainEnd - at - 1))) {
      emails.push_back({localBegin, domainEnd});
      i = domainEnd;
    } else {
      i = at + 1;
    }
    localBegin = std::string_view::npos;
  }
  return emails;
}

}  // namespace

std::string normalizeForMatching(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pendingSpace = false;
  const auto emit = [&](std::string_view piece) {
    if (pendingSpace && !out.empty()) out += ' ';
    pendingSpace = false;
    out += piece;
  };
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint cp = decodeAt(text, i);
    i += cp.length;
    if (!cp.valid) continue;
    char32_t c = cp.value;
    if (inRange(c, 0xFF01, 0xFF5E)) c -= 0xFEE0;  // full-width forms: "ｃｏｎ" is "con"
    if (c < 0x80) {
      const char mapped = matchingAscii(static_cast<char>(c));
      if (mapped == 0) {
        pendingSpace = true;
      } else {
        emit(std::string_view{&mapped, 1});
      }
    } else if (inRange(c, 0xC0, 0xFF)) {
      const std::string_view folded = kLatin1Fold.at(c - 0xC0);
      if (folded.empty()) {
        pendingSpace = true;
      } else {
        emit(folded);
      }
    } else if (inRange(c, 0x100, 0x17F)) {
      const char folded = kLatinExtendedAFold.at(c - 0x100);
      emit(folded == 'J'   ? std::string_view{"ij"}
           : folded == 'O' ? std::string_view{"oe"}
                           : std::string_view{&folded, 1});
    } else if (vanishesInMatching(c)) {
      continue;
    } else if (separatesWords(c)) {
      pendingSpace = true;
    } else if (auto it = std::lower_bound(kConfusables.begin(), kConfusables.end(), c,
                                          [](const Confusable& entry, char32_t value) { return entry.from < value; });
               it != kConfusables.end() && it->from == c) {
      emit(std::string_view{&it->to, 1});
    } else {
      emit(text.substr(i - cp.length, cp.length));
    }
  }
  return out;
}

std::string cleanViewerText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pendingSpace = false;
  std::size_t pendingBreaks = 0;
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint cp = decodeAt(text, i);
    i += cp.length;
    if (!cp.valid) continue;
    const char32_t c = cp.value;
    if (c == '\r') {
      if (i < text.size() && text[i] == '\n') continue;  // CR LF is one line break
      ++pendingBreaks;
    } else if (isLineBreak(c)) {
      ++pendingBreaks;
    } else if (isBlank(c)) {
      pendingSpace = true;
    } else if (!isRemoved(c)) {
      // Blanks next to a line break are dropped with it; nothing pending is written at the
      // start or the end, which trims.
      if (!out.empty() && pendingBreaks > 0) {
        out.append(std::min<std::size_t>(pendingBreaks, 2), '\n');
      } else if (!out.empty() && pendingSpace) {
        out += ' ';
      }
      pendingBreaks = 0;
      pendingSpace = false;
      out.append(text.substr(i - cp.length, cp.length));
    }
  }
  return out;
}

std::size_t utf8SequenceLength(std::string_view text) {
  if (text.empty()) return 0;
  const auto byte = [&text](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const auto lead = byte(0);
  if (lead < 0x80U) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80U;
  unsigned char high = 0xBFU;
  if (lead >= 0xC2U && lead <= 0xDFU) {
    length = 2;
  } else if (lead >= 0xE0U && lead <= 0xEFU) {
    length = 3;
    if (lead == 0xE0U) low = 0xA0U;
    if (lead == 0xEDU) high = 0x9FU;
  } else if (lead >= 0xF0U && lead <= 0xF4U) {
    length = 4;
    if (lead == 0xF0U) low = 0x90U;
    if (lead == 0xF4U) high = 0x8FU;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t at = 2; at < length; ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0U) != 0x80U) return 0;
  }
  return length;
}

std::size_t characterCount(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint cp = decodeAt(text, i);
    i += cp.length;
    if (cp.valid) ++count;  // an invalid byte is not a character
  }
  return count;
}

WordListResult parseWordList(std::string_view fileText) {
  constexpr std::size_t kMaxLineBytes = 100;
  constexpr std::size_t kMaxEntries = 10'000;
  if (fileText.substr(0, 3) == "\xEF\xBB\xBF") fileText.remove_prefix(3);  // Notepad's byte order mark
  WordList list;
  std::size_t lineNumber = 0;
  for (std::size_t begin = 0; begin < fileText.size();) {
    std::size_t end = fileText.find('\n', begin);
    if (end == std::string_view::npos) end = fileText.size();
    std::string_view line = fileText.substr(begin, end - begin);
    begin = end + 1;
    ++lineNumber;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto where = [&] { return "ligne " + std::to_string(lineNumber) + " : "; };
    if (line.size() > kMaxLineBytes) {
      return {std::nullopt, where() + "trop longue (" + std::to_string(line.size()) + " octets, " +
                                std::to_string(kMaxLineBytes) + " au plus)"};
    }
    if (!isValidUtf8(line)) {
      return {std::nullopt, where() + "caractères illisibles : enregistrez le fichier en UTF-8"};
    }
    std::string entry = normalizeForMatching(line.substr(0, line.find('#')));
    if (entry.empty()) continue;
    if (list.entries.size() == kMaxEntries) {
      return {std::nullopt, where() + "plus de 10 000 mots ou expressions, la limite"};
    }
    list.entries.push_back(std::move(entry));
  }
  // Sorted and unique: screening looks entries up by binary search.
  std::sort(list.entries.begin(), list.entries.end());
  list.entries.erase(std::unique(list.entries.begin(), list.entries.end()), list.entries.end());
  return {std::move(list), {}};
}

Screened screenViewerText(std::string_view text, const WordList& profanity) {
  Screened result;
  const std::string cleaned = cleanViewerText(text);
  const std::vector<Span> emails = findEmails(cleaned);
  const std::vector<Span> phones = findPhones(cleaned, emails);
  if (containsProfanity(normalizeForMatching(cleaned), profanity)) result.flags.emplace_back("profanity");
  if (!phones.empty()) result.flags.emplace_back("phone");
  if (!emails.empty()) result.flags.emplace_back("email");

  result.text.reserve(cleaned.size());
  std::size_t copied = 0;
  auto phone = phones.begin();
  auto email = emails.begin();
  while (phone != phones.end() || email != emails.end()) {
    const bool phoneFirst = email == emails.end() || (phone != phones.end() && phone->begin < email->begin);
    const Span span = phoneFirst ? *phone++ : *email++;
    result.text.append(cleaned, copied, span.begin - copied);
    result.text.append(phoneFirst ? kMaskedPhone : kMaskedEmail);
    copied = span.end;
  }
  result.text.append(cleaned, copied);
  return result;
}

}  // namespace tribune::core
