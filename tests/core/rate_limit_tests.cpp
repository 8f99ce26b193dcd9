#include <catch2/catch.hpp>

#include <string>

#include "core/rate_limit.h"

using namespace tribune;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {
const core::TimePoint t0{};
}  // namespace

TEST_CASE("a burst of count actions is admitted, then the next is told how long to wait", "[rate_limit]") {
  core::RateLimiter limiter{{3, 300s}};
  CHECK_FALSE(limiter.admit("navigateur-1", t0).has_value());
  CHECK_FALSE(limiter.admit("navigateur-1", t0 + 1s).has_value());
  CHECK_FALSE(limiter.admit("navigateur-1", t0 + 2s).has_value());
  // One action comes back every window / count = 100 s, counted from the first.
  CHECK(limiter.admit("navigateur-1", t0 + 2s) == milliseconds{98'000});
  CHECK(limiter.admit("navigateur-1", t0 + 50s) == milliseconds{50'000});
}

TEST_CASE("one action comes back each window divided by count", "[rate_limit]") {
  core::RateLimiter limiter{{3, 300s}};
  for (int i = 0; i < 3; ++i) REQUIRE_FALSE(limiter.admit("k", t0).has_value());
  CHECK(limiter.admit("k", t0 + 99'999ms) == milliseconds{1});
  CHECK_FALSE(limiter.admit("k", t0 + 100s).has_value());
  CHECK(limiter.admit("k", t0 + 100s) == milliseconds{100'000});
  CHECK_FALSE(limiter.admit("k", t0 + 200s).has_value());
  CHECK(limiter.admit("k", t0 + 200s) == milliseconds{100'000});
  // After a whole window of rest the bucket is full again: a new burst of three.
  CHECK_FALSE(limiter.admit("k", t0 + 500s).has_value());
  CHECK_FALSE(limiter.admit("k", t0 + 500s).has_value());
  CHECK_FALSE(limiter.admit("k", t0 + 500s).has_value());
  CHECK(limiter.admit("k", t0 + 500s) == milliseconds{100'000});
}

TEST_CASE("the wait is rounded up to the millisecond, so waiting that long is enough", "[rate_limit]") {
  core::RateLimiter limiter{{3, 1000ms}};  // one every 333.33… ms
  for (int i = 0; i < 3; ++i) REQUIRE_FALSE(limiter.admit("k", t0).has_value());
  const auto wait = limiter.admit("k", t0);
  REQUIRE(wait.has_value());
  CHECK(*wait == milliseconds{334});
  CHECK(limiter.admit("k", t0 + 333ms) == milliseconds{1});
  CHECK_FALSE(limiter.admit("k", t0 + *wait).has_value());
}

TEST_CASE("a refused action is not counted", "[rate_limit]") {
  core::RateLimiter limiter{{2, 60s}};
  CHECK_FALSE(limiter.admit("k", t0).has_value());
  CHECK_FALSE(limiter.admit("k", t0).has_value());
  for (int second = 0; second < 30; ++second) {
    CHECK(limiter.admit("k", t0 + std::chrono::seconds{second}).has_value());
  }
  // Thirty refusals later, the next action is still due 30 s after the burst.
  CHECK(limiter.admit("k", t0 + 29s) == milliseconds{1000});
  CHECK_FALSE(limiter.admit("k", t0 + 30s).has_value());
}

TEST_CASE("keys are limited independently", "[rate_limit]") {
  core::RateLimiter limiter{{1, 10s}};
  CHECK_FALSE(limiter.admit("192.0.2.1", t0).has_value());
  CHECK(limiter.admit("192.0.2.1", t0).has_value());
  CHECK_FALSE(limiter.admit("192.0.2.2", t0).has_value());
  CHECK_FALSE(limiter.admit("", t0).has_value());
  CHECK(limiter.admit("192.0.2.2", t0 + 1s) == milliseconds{9000});
  CHECK(limiter.keys() == 3);
}

TEST_CASE("wouldWait answers like admit without counting", "[rate_limit]") {
  core::RateLimiter limiter{{3, 300s}};
  for (int i = 0; i < 10; ++i) CHECK_FALSE(limiter.wouldWait("k", t0).has_value());
  CHECK(limiter.keys() == 0);
  for (int i = 0; i < 3; ++i) REQUIRE_FALSE(limiter.admit("k", t0).has_value());
  CHECK(limiter.wouldWait("k", t0 + 40s) == milliseconds{60'000});
  CHECK(limiter.wouldWait("k", t0 + 40s) == milliseconds{60'000});
  CHECK(limiter.admit("k", t0 + 40s) == milliseconds{60'000});
  CHECK_FALSE(limiter.wouldWait("k", t0 + 100s).has_value());
  CHECK_FALSE(limiter.wouldWait("k", t0 + 100s).has_value());
  CHECK_FALSE(limiter.admit("k", t0 + 100s).has_value());
  CHECK(limiter.wouldWait("k", t0 + 100s) == milliseconds{100'000});
  CHECK(limiter.limit() == core::RateLimit{3, 300s});
}

TEST_CASE("a count of zero admits nothing and a window of zero limits nothing", "[rate_limit]") {
  core::RateLimiter closed{{0, 60s}};
  CHECK(closed.admit("k", t0) == milliseconds{60'000});
  CHECK(closed.wouldWait("k", t0) == milliseconds{60'000});
  CHECK(closed.keys() == 0);
  core::RateLimiter open{{3, 0ms}};
  for (int i = 0; i < 100; ++i) CHECK_FALSE(open.admit("k", t0).has_value());
  CHECK(open.keys() == 0);
}

TEST_CASE("full buckets are forgotten first, then the ones that will be full soonest", "[rate_limit]") {
  core::RateLimiter limiter{{1, 60s}, 3};
  REQUIRE_FALSE(limiter.admit("a", t0).has_value());        // full again at 60 s
  REQUIRE_FALSE(limiter.admit("b", t0 + 30s).has_value());  // at 90 s
  REQUIRE_FALSE(limiter.admit("c", t0 + 61s).has_value());  // at 121 s
  CHECK(limiter.keys() == 3);
  REQUIRE_FALSE(limiter.admit("d", t0 + 62s).has_value());  // "a" is full: forgotten
  CHECK(limiter.keys() == 3);
  CHECK(limiter.wouldWait("b", t0 + 62s) == milliseconds{28'000});
  CHECK(limiter.wouldWait("c", t0 + 62s) == milliseconds{59'000});
  CHECK(limiter.wouldWait("d", t0 + 62s) == milliseconds{60'000});
  // None is full now: "b", whose bucket fills first, goes.
  REQUIRE_FALSE(limiter.admit("e", t0 + 63s).has_value());
  CHECK(limiter.keys() == 3);
  CHECK_FALSE(limiter.wouldWait("b", t0 + 63s).has_value());
  CHECK(limiter.wouldWait("c", t0 + 63s) == milliseconds{58'000});
  CHECK(limiter.wouldWait("d", t0 + 63s) == milliseconds{59'000});
  CHECK(limiter.wouldWait("e", t0 + 63s) == milliseconds{60'000});
}

TEST_CASE("when every key acted at the same moment only as many as needed are forgotten", "[rate_limit]") {
  core::RateLimiter limiter{{1, 60s}, 32};
  for (int i = 0; i < 32; ++i) REQUIRE_FALSE(limiter.admit(std::string("k").append(std::to_string(i)), t0).has_value());
  CHECK(limiter.keys() == 32);
  REQUIRE_FALSE(limiter.admit("new", t0 + 1s).has_value());
  CHECK(limiter.keys() == 31);  // 32 - 32 / 16 = 30 kept, then the new one
  int remembered = 0;
  for (int i = 0; i < 32; ++i) {
    if (limiter.wouldWait(std::string("k").append(std::to_string(i)), t0 + 1s) == std::nullopt) continue;
    ++remembered;
  }
  CHECK(remembered == 30);
}

TEST_CASE("memory stays within maxKeys under a million distinct keys", "[rate_limit]") {
  constexpr std::size_t kMaxKeys = 10'000;
  core::RateLimiter limiter{{3, 300s}, kMaxKeys};
  std::size_t mostKeys = 0;
  std::size_t refused = 0;
  std::string key;
  for (int i = 0; i < 1'000'000; ++i) {
    key = "ip" + std::to_string(i);  // short: no allocation beyond the map's own
    if (limiter.admit(key, t0 + milliseconds{i}).has_value()) ++refused;
    mostKeys = std::max(mostKeys, limiter.keys());
  }
  CHECK(mostKeys <= kMaxKeys);
  CHECK(mostKeys >= kMaxKeys - kMaxKeys / 16);
  CHECK(refused == 0);
  // The most recent keys are still remembered and limited.
  const auto now = t0 + milliseconds{1'000'000};
  CHECK_FALSE(limiter.admit("ip999999", now).has_value());
  CHECK_FALSE(limiter.admit("ip999999", now).has_value());
  CHECK(limiter.admit("ip999999", now).has_value());
}

TEST_CASE("frenchDelay says the wait in French, rounded up to the second", "[rate_limit]") {
  CHECK(core::frenchDelay(0ms) == "1 s");
  CHECK(core::frenchDelay(-5s) == "1 s");
  CHECK(core::frenchDelay(1ms) == "1 s");
  CHECK(core::frenchDelay(1000ms) == "1 s");
  CHECK(core::frenchDelay(1001ms) == "2 s");
  CHECK(core::frenchDelay(3s) == "3 s");
  CHECK(core::frenchDelay(45s) == "45 s");
  CHECK(core::frenchDelay(44'001ms) == "45 s");
  CHECK(core::frenchDelay(59'500ms) == "1 min");
  CHECK(core::frenchDelay(120s) == "2 min");
  CHECK(core::frenchDelay(150s) == "2 min 30 s");
  CHECK(core::frenchDelay(149'001ms) == "2 min 30 s");
  CHECK(core::frenchDelay(240s) == "4 min");
  CHECK(core::frenchDelay(3600s) == "1 h");
  CHECK(core::frenchDelay(3900s) == "1 h 5 min");
  CHECK(core::frenchDelay(3901s) == "1 h 5 min 1 s");
  CHECK(core::frenchDelay(3601s) == "1 h 1 s");
  CHECK(core::frenchDelay(26h) == "26 h");
}
