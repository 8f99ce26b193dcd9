#pragma once
// What a platform message becomes (issue 21): a question in the same moderation queue as
// the viewer page's, screened by the same rules, or nothing. The decision is here, pure;
// the hub asks the board with what comes out. docs/PLATFORMS.md, "Questions from the
// platforms", has the rules in French and English.
//
//   message ─→ already a question (its id)? ──yes──→ duplicate
//            ─→ the commune's own?           ──yes──→ owner
//            ─→ empty once cleaned?          ──yes──→ empty
//            ─→ kept by questions_from?      ──no───→ not a question (not stored)
//            ─→ its author's rate limit?     ──over─→ rate limited (not stored)
//            ─→ a NewQuestion: cleaned, cut to the length limit, screened, origin set
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/config.h"
#include "core/platform_chat.h"
#include "core/questions.h"
#include "core/rate_limit.h"
#include "core/text_screen.h"

namespace tribune::core {

// platforms.questions_from: which messages are questions.
bool keptAsQuestion(const ChatQuestionsFrom& rule, std::string_view text);

enum class ChatVerdict { question, duplicate, owner, empty, notAQuestion, rateLimited };
std::string_view toString(ChatVerdict verdict);  // "question", "duplicate", "owner", …

struct ChatDecision {
  ChatVerdict verdict = ChatVerdict::notAQuestion;
  std::optional<NewQuestion> question;  // with verdict question only
};

// Per platform: what arrived and what became of it (the console's counters, /metrics).
struct ChatCounts {
  std::uint64_t received = 0;
  std::map<ChatVerdict, std::uint64_t> verdicts;
};

class ChatIntake {
 public:
  ChatIntake(QuestionSettings questions, ChatSettings chat, WordList profanity);

  // `board` answers whether the message is a question already (a page read twice, a
  // restart); `wallMs` is the question's time.
  ChatDecision admit(const ChatMessage& message, const QuestionBoard& board, TimePoint now, std::int64_t wallMs);

  [[nodiscard]] const ChatCounts& counts(PlatformId platform) { return counts_[platform]; }
  [[nodiscard]] const ChatSettings& settings() const { return chat_; }

 private:
  QuestionSettings questions_;
  ChatSettings chat_;
  WordList profanity_;
  RateLimiter perAuthor_;
  std::map<PlatformId, ChatCounts> counts_;
};

// Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) removed: a name or
// a question must not reorder what the pages and the graphic show around it.
std::string withoutBidiControls(std::string_view text);

// The reply posted under an answered question (platforms.reply_when_answered): the
// configured text with {heure} as "19 h 42", Paris time.
std::string chatReplyText(std::string_view configured, WallTime answeredAt);
// The whole reply on `platform` to `pseudonym`'s question: in YouTube's chat a reply is one
// more message, so it starts with "@pseudonym " and is cut to YouTube's 200 characters.
std::string chatReply(PlatformId platform, std::string_view pseudonym, std::string_view configured,
                      WallTime answeredAt);

}  // namespace tribune::core
