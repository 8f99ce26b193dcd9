#pragma once
// Exponential backoff with jitter: the delay doubles from `initial` up to `max`, then each
// delay is spread by ±jitter so that many destinations (or many towns behind one
// platform) do not retry in lockstep.
#include <chrono>

#include "core/clock.h"

namespace tribune::core {

struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{2000};
  double jitter = 0.2;  // fraction of the delay, both ways
};

// attempt counts from 1 (the first retry).
std::chrono::milliseconds backoffDelay(const BackoffPolicy& policy, int attempt, Random& random);

}  // namespace tribune::core
