#pragma once
// Rate limits for what viewers send (questions, upvotes, messages), per key: a browser's
// id, an address, a connection. GCRA (a token bucket kept as one time per key): `count`
// actions at once, then one more each `window / count`. Memory is bounded: beyond
// `maxKeys`, keys whose bucket is full again are forgotten, then the oldest.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace tribune::core {

struct RateLimit {
  std::size_t count = 3;                      // a burst of this many…
  std::chrono::milliseconds window{300'000};  // …then the same again over this long
  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit, std::size_t maxKeys = 100'000);

  // One action of `key` at `now`: nothing when admitted (and counted), else how long to
  // wait before the next one would be. A refused action is not counted.
  std::optional<std::chrono::milliseconds> admit(std::string_view key, TimePoint now);
  // The same answer without counting anything.
  [[nodiscard]] std::optional<std::chrono::milliseconds> wouldWait(std::string_view key, TimePoint now) const;
  [[nodiscard]] std::size_t keys() const { return theoretical_.size(); }
  [[nodiscard]] const RateLimit& limit() const { return limit_; }

 private:
  void makeRoom(TimePoint now);
  RateLimit limit_;
  std::size_t maxKeys_;
  std::unordered_map<std::string, TimePoint> theoretical_;  // GCRA's theoretical arrival time
};

// "3 s", "45 s", "2 min", "2 min 30 s", "1 h 5 min": how long to wait, for a French message
// ("réessayez dans 2 min 30 s"). Rounded up to the second; at least "1 s".
std::string frenchDelay(std::chrono::milliseconds delay);

}  // namespace tribune::core
