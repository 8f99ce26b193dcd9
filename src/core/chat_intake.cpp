#include "core/chat_intake.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/quota_budget.h"

namespace tribune::core {

namespace {

// One UTF-8 code point at `at` (valid UTF-8, as cleanViewerText leaves it): its value and length.
std::pair<char32_t, std::size_t> codePointAt(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  length = std::min(length, text.size() - at);
  char32_t value = length == 1 ? lead : lead & (0xFF >> (length + 1));
  for (std::size_t i = 1; i < length; ++i) value = (value << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3F);
  return {value, length};
}

// The first `limit` code points, then " …" when something was cut.
std::string cutTo(std::string_view text, std::size_t limit) {
  std::size_t at = 0;
  for (std::size_t count = 0; at < text.size() && count < limit; ++count) at += codePointAt(text, at).second;
  if (at >= text.size()) return std::string(text);
  return std::string(text.substr(0, at)) + " …";
}

// Lower-case ASCII letters; other bytes as they are (a hashtag's accents compare exactly).
std::string lowerAscii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool isTagCharacter(unsigned char c) { return c >= 0x80 || std::isalnum(c) != 0 || c == '_' || c == '-'; }

}  // namespace

bool keptAsQuestion(const ChatQuestionsFrom& rule, std::string_view text) {
  switch (rule.kind) {
    case ChatQuestionsFrom::Kind::all: return true;
    case ChatQuestionsFrom::Kind::questionMark:
      // "?" and the full-width "？" (U+FF1F) some phones type.
      return text.find('?') != std::string_view::npos || text.find("\xEF\xBC\x9F") != std::string_view::npos;
    case ChatQuestionsFrom::Kind::hashtag: {
      const auto tag = lowerAscii(rule.hashtag);
      const auto lower = lowerAscii(text);
      for (auto at = lower.find(tag); at != std::string::npos; at = lower.find(tag, at + 1)) {
        const auto end = at + tag.size();
        const bool startsWord = at == 0 || !isTagCharacter(static_cast<unsigned char>(lower[at - 1]));
        const bool endsWord = end == lower.size() || !isTagCharacter(static_cast<unsigned char>(lower[end]));
        if (startsWord && endsWord) return true;
      }
      return false;
    }
  }
  return false;
}

std::string_view toString(ChatVerdict verdict) {
  switch (verdict) {
    case ChatVerdict::question: return "question";
    case ChatVerdict::duplicate: return "duplicate";
    case ChatVerdict::owner: return "owner";
    case ChatVerdict::empty: return "empty";
    case ChatVerdict::notAQuestion: return "not_a_question";
    case ChatVerdict::rateLimited: return "rate_limited";
  }
  return "question";
}

std::string withoutBidiControls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const auto [value, length] = codePointAt(text, at);
    const bool control = (value >= 0x202A && value <= 0x202E) || (value >= 0x2066 && value <= 0x2069);
    if (!control) out.append(text.substr(at, length));
    at += length;
  }
  return out;
}

ChatIntake::ChatIntake(QuestionSettings questions, ChatSettings chat, WordList profanity)
    : questions_(std::move(questions)),
      chat_(std::move(chat)),
      profanity_(std::move(profanity)),
      perAuthor_(questions_.perBrowser) {}

ChatDecision ChatIntake::admit(const ChatMessage& message, const QuestionBoard& board, TimePoint now,
                               std::int64_t wallMs) {
  auto& counts = counts_[message.platform];
  ++counts.received;
  const auto verdict = [&counts](ChatVerdict v) {
    ++counts.verdicts[v];
    return ChatDecision{v, std::nullopt};
  };
  const auto origin = std::string(toString(message.platform));
  if (message.id.empty() || board.fromOrigin(origin, message.id)) return verdict(ChatVerdict::duplicate);
  if (message.fromOwner) return verdict(ChatVerdict::owner);
  const auto text = withoutBidiControls(cleanViewerText(message.text));
  if (text.empty()) return verdict(ChatVerdict::empty);
  if (!keptAsQuestion(chat_.questionsFrom, text)) return verdict(ChatVerdict::notAQuestion);
  // Per author, as per browser on the viewer page. Facebook hides most authors: those
  // cannot be told apart, and are not limited together.
  if (!message.authorId.empty() && perAuthor_.admit(origin + ":" + message.authorId, now)) {
    return verdict(ChatVerdict::rateLimited);
  }

  NewQuestion question;
  const auto shown = cutTo(text, static_cast<std::size_t>(questions_.maxLength));
  auto screened = screenViewerText(shown, profanity_);
  auto name = withoutBidiControls(cleanViewerText(message.authorName));
  std::replace(name.begin(), name.end(), '\n', ' ');
  name = cutTo(name, static_cast<std::size_t>(std::max(questions_.maxPseudonymLength, 1)));
  for (const auto& flag : screenViewerText(name, profanity_).flags) {
    if (std::find(screened.flags.begin(), screened.flags.end(), flag) == screened.flags.end()) {
      screened.flags.push_back(flag);
    }
  }
  // The moderator sees what was written when masking or the length limit changed it
  // (within the longest length a question may have).
  if (screened.text != text) question.original = cutTo(text, 2000);
  question.text = std::move(screened.text);
  question.flags = std::move(screened.flags);
  question.pseudonym = std::move(name);
  question.askedMs = wallMs;
  question.origin = origin;
  question.originId = message.id;
  ++counts.verdicts[ChatVerdict::question];
  return ChatDecision{ChatVerdict::question, std::move(question)};
}

std::string chatReplyText(std::string_view configured, WallTime answeredAt) {
  const auto paris = parisTimeOf(answeredAt);
  char time[16];
  std::snprintf(time, sizeof time, "%d h %02d", paris.hour, paris.minute);
  std::string out(configured);
  for (auto at = out.find("{heure}"); at != std::string::npos; at = out.find("{heure}", at)) {
    out.replace(at, 7, time);
    at += std::char_traits<char>::length(time);
  }
  return out;
}

std::string chatReply(PlatformId platform, std::string_view pseudonym, std::string_view configured,
                      WallTime answeredAt) {
  auto text = chatReplyText(configured, answeredAt);
  if (platform != PlatformId::youtube) return text;
  if (!pseudonym.empty()) text = "@" + std::string(pseudonym) + " " + text;
  constexpr std::size_t kYouTubeMessageLength = 200;
  if (characterCount(text) <= kYouTubeMessageLength) return text;
  auto cut = cutTo(text, kYouTubeMessageLength - 2);  // " …" makes it 200
  return cut;
}

}  // namespace tribune::core
