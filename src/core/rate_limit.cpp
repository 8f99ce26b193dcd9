#include "core/rate_limit.h"

#include <algorithm>
#include <vector>

// GCRA keeps one time per key, the "theoretical arrival time" (TAT): when the key's bucket
// is full again. An action at `now` moves it to max(TAT, now) + interval, where interval is
// window / count; it is admitted when that lands no further than `window` after `now`.
// A key whose TAT has passed is exactly a key never seen, which is why those are the first
// to be forgotten when the map is full: forgetting them changes no answer.

namespace tribune::core {
namespace {

// A count of zero admits nothing; a window of zero (or less) limits nothing.
Duration interval(const RateLimit& limit) {
  return std::chrono::duration_cast<Duration>(limit.window) / static_cast<Duration::rep>(limit.count);
}

std::chrono::milliseconds roundedUp(Duration wait) {
  return std::max(std::chrono::milliseconds{1}, std::chrono::ceil<std::chrono::milliseconds>(wait));
}

}  // namespace

RateLimiter::RateLimiter(RateLimit limit, std::size_t maxKeys)
    : limit_(limit), maxKeys_(std::max<std::size_t>(1, maxKeys)) {}

std::optional<std::chrono::milliseconds> RateLimiter::wouldWait(std::string_view key, TimePoint now) const {
  if (limit_.window <= std::chrono::milliseconds::zero()) return std::nullopt;
  if (limit_.count == 0) return limit_.window;
  const auto found = theoretical_.find(std::string{key});
  const TimePoint tat = found == theoretical_.end() ? now : std::max(found->second, now);
  const Duration over = (tat + interval(limit_)) - (now + limit_.window);
  if (over <= Duration::zero()) return std::nullopt;
  return roundedUp(over);
}

std::optional<std::chrono::milliseconds> RateLimiter::admit(std::string_view key, TimePoint now) {
  if (limit_.window <= std::chrono::milliseconds::zero()) return std::nullopt;
  if (limit_.count == 0) return limit_.window;
  std::string owned{key};
  auto found = theoretical_.find(owned);
  const TimePoint tat = found == theoretical_.end() ? now : std::max(found->second, now);
  const TimePoint next = tat + interval(limit_);
  const Duration over = next - (now + limit_.window);
  if (over > Duration::zero()) return roundedUp(over);  // refused: not counted
  if (found != theoretical_.end()) {
    found->second = next;
  } else {
    makeRoom(now);
    theoretical_.emplace(std::move(owned), next);
  }
  return std::nullopt;
}

// Called before a new key is added. Frees at least a sixteenth of the room at once, so that
// a flood of new keys (one per address of a botnet) costs a few passes over the map every
// maxKeys / 16 insertions rather than one per insertion.
void RateLimiter::makeRoom(TimePoint now) {
  if (theoretical_.size() < maxKeys_) return;
  const std::size_t target = maxKeys_ - std::max<std::size_t>(1, maxKeys_ / 16);
  std::vector<TimePoint> times;
  times.reserve(theoretical_.size());
  for (auto it = theoretical_.begin(); it != theoretical_.end();) {
    if (it->second <= now) {
      it = theoretical_.erase(it);  // full again: forgetting it changes no answer
    } else {
      times.push_back(it->second);
      ++it;
    }
  }
  if (theoretical_.size() <= target) return;
  // Still too many: forget the keys whose buckets will be full soonest (the oldest
  // activity), which lets the fewest actions through early.
  const std::size_t excess = theoretical_.size() - target;
  const auto nth = times.begin() + static_cast<std::ptrdiff_t>(excess - 1);
  std::nth_element(times.begin(), nth, times.end());
  const TimePoint cutoff = *nth;
  // Everything before nth is <= cutoff and everything after it >= cutoff: of the keys at
  // exactly the cutoff, only as many go as are needed.
  auto tiesToForget = excess - static_cast<std::size_t>(
                                   std::count_if(times.begin(), nth, [cutoff](TimePoint t) { return t < cutoff; }));
  for (auto it = theoretical_.begin(); it != theoretical_.end();) {
    if (it->second < cutoff || (it->second == cutoff && tiesToForget > 0)) {
      if (it->second == cutoff) --tiesToForget;
      it = theoretical_.erase(it);
    } else {
      ++it;
    }
  }
}

std::string frenchDelay(std::chrono::milliseconds delay) {
  const auto seconds = std::max<std::chrono::seconds::rep>(1, std::chrono::ceil<std::chrono::seconds>(delay).count());
  const auto hours = seconds / 3600;
  const auto minutes = seconds % 3600 / 60;
  const auto rest = seconds % 60;
  std::string text;
  const auto part = [&text](long long value, const char* unit) {
    if (value == 0) return;
    if (!text.empty()) text += ' ';
    text += std::to_string(value);
    text += ' ';
    text += unit;
  };
  part(hours, "h");
  part(minutes, "min");
  part(rest, "s");
  return text;
}

}  // namespace tribune::core
