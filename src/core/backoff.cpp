#include "core/backoff.h"

#include <algorithm>
#include <cmath>

namespace tribune::core {

std::chrono::milliseconds backoffDelay(const BackoffPolicy& policy, int attempt, Random& random) {
  const double base = static_cast<double>(policy.initial.count());
  const double cap = static_cast<double>(policy.max.count());
  const int doublings = std::clamp(attempt - 1, 0, 30);
  const double nominal = std::min(cap, base * std::pow(2.0, doublings));
  const double spread = (random.uniform() * 2.0 - 1.0) * policy.jitter;  // in [-jitter, +jitter)
  const double delay = std::max(0.0, nominal * (1.0 + spread));
  return std::chrono::milliseconds{static_cast<long long>(std::llround(delay))};
}

}  // namespace tribune::core
