#pragma once
// Deterministic stand-ins for the core's injected clock and randomness.
#include <deque>

#include "core/clock.h"

namespace tribune::testing {

// Returns the queued values in order, then `fallback`.
class ScriptedRandom final : public core::Random {
 public:
  explicit ScriptedRandom(double fallback = 0.5) : fallback_(fallback) {}
  void queue(double value) { values_.push_back(value); }
  double uniform() override {
    if (values_.empty()) return fallback_;
    double v = values_.front();
    values_.pop_front();
    return v;
  }

 private:
  std::deque<double> values_;
  double fallback_;
};

inline core::TimePoint at(double seconds) {
  return core::TimePoint{} + std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace tribune::testing
