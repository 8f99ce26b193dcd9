#pragma once
// Time and chance come in through these so that the core stays deterministic in tests.
#include <chrono>
#include <cstdint>

namespace tribune::core {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// A source of uniform numbers in [0, 1), injected so backoff jitter is reproducible.
class Random {
 public:
  virtual ~Random() = default;
  virtual double uniform() = 0;
};

}  // namespace tribune::core
