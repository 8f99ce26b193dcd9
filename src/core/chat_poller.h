#pragma once
// When to read a live's chat or comments next, and what the console says about it (issue
// 21). The platform worker asks, calls, and tells the answer; everything it decides is here,
// on time given as arguments, so that a four-hour meeting can be played in a test.
//
// YouTube: never sooner than the server's pollingIntervalMillis, nor than the configured
// minimum, nor than the budget allows: the units left once the reserve is kept, spread over
// what is left of the meeting (its expected length and a margin past it). Facebook and
// PeerTube: the configured interval (no quota). Failures back off exponentially (5xx,
// network, rateLimitExceeded, Graph's 613); an answer that needs the technician
// (reconnect the account) or the quota's reset pauses; the chat's end stops.
#include <chrono>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/platform_account.h"
#include "core/platform_chat.h"

namespace tribune::core {

enum class ChatState {
  off,        // no live to read, or reading is off
  waiting,    // the live's chat is not open yet (not found, disabled, no active chat)
  live,       // reading
  retrying,   // a failure: trying again after a delay
  quota,      // YouTube's quota is spent: until the reset
  reconnect,  // the account must be reconnected
  ended,      // the chat is over
};
std::string_view toString(ChatState state);  // "off", "waiting", "live", …

struct ChatStatus {
  ChatState state = ChatState::off;
  std::string french;  // what the console shows
  std::string english;
};

class ChatPoller {
 public:
  ChatPoller(PlatformId platform, ChatSettings settings);

  // The meeting's expected end (its start and recording.expected_duration_minutes): the
  // budget is spread until then and the margin past it.
  void expectEndAt(WallTime end) { expectedEnd_ = end; }

  // A page was read at `now`; `unitsLeft` are YouTube's units left for ordinary calls
  // (the reserve already taken out). The wait before the next call.
  std::chrono::milliseconds afterPage(const ChatPage& page, int unitsLeft, int costPerCall, WallTime now);
  // A call failed (or was not made: the budget). The wait before the next call; nothing
  // when reading stops (ended, or the technician must act: reconnect).
  std::optional<std::chrono::milliseconds> afterFailure(const ApiAnswer& answer, WallTime now, Random& random);
  // The live is not reading (none prepared, reading off).
  void off();

  [[nodiscard]] const ChatStatus& status() const { return status_; }
  [[nodiscard]] int failures() const { return failures_; }

  // YouTube: the least wait between two list calls that keeps `unitsLeft` enough until
  // `until` (at least the margin from `now`).
  static std::chrono::milliseconds budgetFloor(int unitsLeft, int costPerCall, WallTime now, WallTime until);

 private:
  void set(ChatState state, std::string french, std::string english);

  PlatformId platform_;
  ChatSettings settings_;
  std::optional<WallTime> expectedEnd_;
  int failures_ = 0;
  ChatStatus status_;
};

}  // namespace tribune::core
