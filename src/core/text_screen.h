#pragma once
// What arrives from a viewer is screened before anyone sees it (issue 5, DESIGN.md §1):
// the text is cleaned (control characters, runs of blanks), personal data is masked (phone
// numbers, e-mail addresses: the original is kept for the moderator only), and words of the
// commune's profanity list raise a flag. A flagged question always waits for a moderator,
// even with pre-screening off. Pure functions; French examples in the tests.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tribune::core {

// The profanity list: one word or phrase per line, '#' starts a comment, blank lines are
// skipped; matching ignores case, accents and the usual letter-for-digit tricks ("c0nn4rd"),
// and is done on whole words ("con" does not flag "content" or "conseil").
struct WordList {
  std::vector<std::string> entries;  // normalised (normalizeForMatching)
};
struct WordListResult {
  std::optional<WordList> list;
  std::string error;  // French, names the line: "ligne 12 : …"
};
// Refuses lines longer than 100 bytes, invalid UTF-8, more than 10,000 entries.
WordListResult parseWordList(std::string_view fileText);

// Lower case, accents folded (é→e, œ→oe, ç→c…), digits and symbols read as letters where
// they usually stand for one (0→o, 1→i, 3→e, 4→a, 5→s, 7→t, @→a, $→s), anything else
// that is not a letter or digit becomes a space, runs of spaces collapse.
std::string normalizeForMatching(std::string_view text);

// Removes control characters (keeps line feeds, at most two in a row), turns tabs and other
// blanks into spaces, collapses runs of spaces, trims; invalid UTF-8 sequences are dropped.
std::string cleanViewerText(std::string_view text);

// The length of the well-formed UTF-8 sequence at the start of `text` (no overlong forms,
// no surrogates, nothing past U+10FFFF), or 0 (also for an empty text).
std::size_t utf8SequenceLength(std::string_view text);

// Characters (Unicode code points) of valid UTF-8.
std::size_t characterCount(std::string_view text);

inline constexpr std::string_view kMaskedPhone = "[numéro masqué]";
inline constexpr std::string_view kMaskedEmail = "[adresse e-mail masquée]";

struct Screened {
  std::string text;                // cleaned, personal data masked
  std::vector<std::string> flags;  // in this order, each once: "profanity", "phone", "email"
  [[nodiscard]] bool flagged() const { return !flags.empty(); }
};
// French phone numbers in their usual spellings (06 12 34 56 78, 06.12.34.56.78,
// 0612345678, +33 6 12 34 56 78, +33 (0)6…, 0033…) and e-mail addresses are masked.
// Profanity is flagged, not masked: the moderator decides.
Screened screenViewerText(std::string_view text, const WordList& profanity);

}  // namespace tribune::core
