#include "core/chat_poller.h"

#include <algorithm>

#include "core/backoff.h"
#include "core/quota_budget.h"

namespace tribune::core {

namespace {

using std::chrono::milliseconds;

// After a failure: 2 s, 4 s, … up to a minute (Social Stream's bounds, issue 21).
constexpr BackoffPolicy kFailureBackoff{milliseconds{2000}, milliseconds{60000}, 0.2};
// A chat that is not open yet (the live not started, the chat disabled for now).
constexpr milliseconds kWaitingRetry{30000};

std::string what(PlatformId platform) {
  return platform == PlatformId::youtube
             ? "le chat en direct de YouTube"
             : "les commentaires " + std::string(platform == PlatformId::facebook ? "de Facebook" : "de PeerTube");
}

// The same after "de": "du chat en direct de YouTube", "des commentaires de Facebook".
std::string ofWhat(PlatformId platform) {
  const auto subject = what(platform);
  return subject.rfind("le ", 0) == 0 ? "du " + subject.substr(3) : "des " + subject.substr(4);
}

std::string whatEnglish(PlatformId platform) {
  return platform == PlatformId::youtube ? "YouTube's live chat" : std::string(displayName(platform)) + "'s comments";
}

}  // namespace

std::string_view toString(ChatState state) {
  switch (state) {
    case ChatState::off: return "off";
    case ChatState::waiting: return "waiting";
    case ChatState::live: return "live";
    case ChatState::retrying: return "retrying";
    case ChatState::quota: return "quota";
    case ChatState::reconnect: return "reconnect";
    case ChatState::ended: return "ended";
  }
  return "off";
}

ChatPoller::ChatPoller(PlatformId platform, ChatSettings settings)
    : platform_(platform), settings_(std::move(settings)) {
  off();
}

void ChatPoller::set(ChatState state, std::string french, std::string english) {
  status_ = ChatStatus{state, std::move(french), std::move(english)};
}

void ChatPoller::off() {
  failures_ = 0;
  set(ChatState::off, "pas de lecture " + ofWhat(platform_) + " (aucun direct)",
      "not reading " + whatEnglish(platform_) + " (no live)");
}

milliseconds ChatPoller::budgetFloor(int unitsLeft, int costPerCall, WallTime now, WallTime until) {
  const auto left = std::max(std::chrono::duration_cast<milliseconds>(until - now), milliseconds{0});
  const int calls = costPerCall > 0 ? unitsLeft / costPerCall : 1 << 30;
  if (calls <= 0) return left;  // nothing left for this meeting: the budget refuses the call anyway
  return milliseconds{(left.count() + calls - 1) / calls};
}

std::chrono::milliseconds ChatPoller::afterPage(const ChatPage& page, int unitsLeft, int costPerCall, WallTime now) {
  failures_ = 0;
  if (page.ended) {
    set(ChatState::ended, what(platform_) + " est terminé", whatEnglish(platform_) + " has ended");
    return milliseconds{0};
  }
  set(ChatState::live, "lecture " + ofWhat(platform_) + " en cours", "reading " + whatEnglish(platform_));
  switch (platform_) {
    case PlatformId::youtube: {
      const auto until = std::max(expectedEnd_.value_or(now), now) + settings_.budgetMargin;
      return std::max({page.pollingInterval.value_or(milliseconds{0}),
                       std::chrono::duration_cast<milliseconds>(settings_.youtubeMinInterval),
                       budgetFloor(unitsLeft, costPerCall, now, until)});
    }
    case PlatformId::facebook:
    case PlatformId::peertube:
      // A further page is there now: read it at once.
      if (!page.nextPageToken.empty()) return milliseconds{0};
      return std::chrono::duration_cast<milliseconds>(platform_ == PlatformId::facebook ? settings_.facebookInterval
                                                                                        : settings_.peertubeInterval);
  }
  return milliseconds{5000};
}

std::optional<std::chrono::milliseconds> ChatPoller::afterFailure(const ApiAnswer& answer, WallTime now,
                                                                  Random& random) {
  const auto advice = adviceFor(platform_, answer, now);
  if (answer.reason == "liveChatEnded") {
    set(ChatState::ended, what(platform_) + " est terminé", whatEnglish(platform_) + " has ended");
    return std::nullopt;
  }
  if (answer.reason == "liveChatNotFound" || answer.reason == "liveChatDisabled" || answer.reason == "no_chat") {
    failures_ = 0;
    set(ChatState::waiting, "en attente de l'ouverture " + ofWhat(platform_),
        "waiting for " + whatEnglish(platform_) + " to open");
    return kWaitingRetry;
  }
  switch (answer.kind) {
    case AnswerKind::quotaExceeded: {
      const auto reset = nextPacificMidnight(now);
      set(ChatState::quota, "en pause : " + advice.french, "paused: " + advice.english);
      // A little after the reset, so that the first call falls in the new day.
      return std::chrono::duration_cast<milliseconds>(reset - now) + milliseconds{5000};
    }
    case AnswerKind::revoked:
    case AnswerKind::unauthorized:
      set(ChatState::reconnect,
          "arrêtée : reconnectez le compte " + std::string(displayName(platform_)) + " dans Comptes",
          "stopped: reconnect the " + std::string(displayName(platform_)) + " account in Accounts");
      return std::nullopt;
    case AnswerKind::ok:
    case AnswerKind::rateLimited:
    case AnswerKind::transient:
    case AnswerKind::refused:
    case AnswerKind::malformed: break;
  }
  ++failures_;
  const auto wait = backoffDelay(kFailureBackoff, failures_, random);
  set(ChatState::retrying, "nouvel essai de lecture " + ofWhat(platform_) + " : " + advice.french,
      "trying " + whatEnglish(platform_) + " again: " + advice.english);
  return wait;
}

}  // namespace tribune::core
