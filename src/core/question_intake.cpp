#include "core/question_intake.h"

#include <algorithm>
#include <utility>

namespace tribune::core {

QuestionIntake::QuestionIntake(QuestionSettings settings, WordList profanity)
    : settings_(std::move(settings)),
      profanity_(std::move(profanity)),
      perBrowser_(settings_.perBrowser),
      perAddress_(settings_.perAddress),
      votesPerAddress_(settings_.votesPerAddress) {}

std::optional<std::chrono::milliseconds> QuestionIntake::admitQuestion(std::string_view viewer,
                                                                       std::string_view address, TimePoint now) {
  // No address: the question came through a public edge, which limits per address itself.
  const auto browserWait = perBrowser_.wouldWait(viewer, now);
  const auto addressWait = address.empty() ? std::nullopt : perAddress_.wouldWait(address, now);
  if (browserWait || addressWait) {
    return std::max(browserWait.value_or(std::chrono::milliseconds(0)),
                    addressWait.value_or(std::chrono::milliseconds(0)));
  }
  perBrowser_.admit(viewer, now);
  if (!address.empty()) perAddress_.admit(address, now);
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> QuestionIntake::admitVote(std::string_view address, TimePoint now) {
  if (address.empty()) return std::nullopt;  // through a public edge: limited there
  return votesPerAddress_.admit(address, now);
}

bool isValidViewerId(std::string_view id) {
  if (id.size() < 22 || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace tribune::core
