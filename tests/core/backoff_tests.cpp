#include <catch2/catch.hpp>

#include "core/backoff.h"
#include "fakes.h"

using namespace tribune;
using namespace std::chrono_literals;

TEST_CASE("backoff doubles from the initial delay up to the cap", "[backoff]") {
  testing::ScriptedRandom noJitter{0.5};  // 0.5 maps to no spread
  const core::BackoffPolicy policy{500ms, 2000ms, 0.2};
  CHECK(core::backoffDelay(policy, 1, noJitter) == 500ms);
  CHECK(core::backoffDelay(policy, 2, noJitter) == 1000ms);
  CHECK(core::backoffDelay(policy, 3, noJitter) == 2000ms);
  CHECK(core::backoffDelay(policy, 4, noJitter) == 2000ms);
  CHECK(core::backoffDelay(policy, 1000, noJitter) == 2000ms);
}

TEST_CASE("backoff jitter spreads the delay by at most the jitter fraction both ways", "[backoff]") {
  testing::ScriptedRandom random;
  random.queue(0.0);
  random.queue(0.999999);
  const core::BackoffPolicy policy{1000ms, 10000ms, 0.2};
  CHECK(core::backoffDelay(policy, 1, random) == 800ms);
  CHECK(core::backoffDelay(policy, 1, random) == 1200ms);
}

TEST_CASE("the first retry comes within two seconds with the default policy", "[backoff]") {
  testing::ScriptedRandom worst{0.999999};
  CHECK(core::backoffDelay(core::BackoffPolicy{}, 1, worst) <= 2000ms);
}
