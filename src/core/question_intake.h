#pragma once
// What the questions' commands need besides the meeting: the settings, the commune's
// profanity list and the rate limits (docs/QUESTIONS.md, "Limits"). The hub owns one; it
// is not meeting state (limits restart empty after a restart, which only forgives).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/config.h"
#include "core/rate_limit.h"
#include "core/text_screen.h"

namespace tribune::core {

class QuestionIntake {
 public:
  QuestionIntake() : QuestionIntake(QuestionSettings{}, WordList{}) {}
  QuestionIntake(QuestionSettings settings, WordList profanity);

  [[nodiscard]] const QuestionSettings& settings() const { return settings_; }
  [[nodiscard]] const WordList& profanity() const { return profanity_; }

  // A question from this browser and address: nothing when admitted (and counted against
  // both limits), else how long to wait. Neither limit is charged when either refuses.
  std::optional<std::chrono::milliseconds> admitQuestion(std::string_view viewer, std::string_view address,
                                                         TimePoint now);
  std::optional<std::chrono::milliseconds> admitVote(std::string_view address, TimePoint now);

 private:
  QuestionSettings settings_;
  WordList profanity_;
  RateLimiter perBrowser_;
  RateLimiter perAddress_;
  RateLimiter votesPerAddress_;
};

// What a viewer's browser id looks like (docs/QUESTIONS.md, "hello"): 22 to 64 characters
// of A-Z a-z 0-9 _ -.
bool isValidViewerId(std::string_view id);

}  // namespace tribune::core
