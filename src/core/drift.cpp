#include "core/drift.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace tribune::core {

namespace {

using std::chrono::nanoseconds;

// One point per this much program time: enough for the fit, bounded memory (1201 points
// for two minutes).
constexpr nanoseconds kPointSpacing = std::chrono::milliseconds(100);
// A timestamp this far from where the samples delivered say it should be is a
// discontinuity, not jitter.
constexpr nanoseconds kJump = std::chrono::seconds(1);
constexpr double kMaxCorrection = 0.05;  // ±5 %: beyond, the timestamps are wrong, not the clock
constexpr double kPpm = 1e6;
constexpr double kNsPerSecond = 1e9;

}  // namespace

DriftEstimator::DriftEstimator(int nominalRate, std::chrono::seconds window, std::chrono::seconds minimum)
    : nominalRate_(std::max(1, nominalRate)), window_(std::max(window, minimum)), minimum_(minimum) {}

void DriftEstimator::reset() {
  points_.clear();
  originNs_.reset();
  lastPtsNs_ = 0;
  lastSamples_ = 0;
  totalSamples_ = 0;
}

void DriftEstimator::add(std::uint64_t ptsNs, std::uint64_t samples) {
  if (!originNs_) {
    originNs_ = ptsNs;
    points_.push_back({0, 0});
    lastPtsNs_ = 0;
    lastSamples_ = samples;
    totalSamples_ = samples;
    return;
  }
  const auto relative = static_cast<std::int64_t>(ptsNs - *originNs_);  // wraps to negative when earlier
  const auto expected = lastPtsNs_ + static_cast<std::int64_t>(static_cast<double>(lastSamples_) * kNsPerSecond /
                                                               static_cast<double>(nominalRate_));
  if (std::llabs(relative - expected) > kJump.count()) {
    reset();
    add(ptsNs, samples);
    return;
  }
  if (relative - points_.back().ptsNs >= kPointSpacing.count()) {
    points_.push_back({relative, totalSamples_});
    while (points_.size() > 2 && points_.back().ptsNs - points_.front().ptsNs > window_.count()) points_.pop_front();
  }
  lastPtsNs_ = relative;
  lastSamples_ = samples;
  totalSamples_ += samples;
}

std::optional<double> DriftEstimator::ppm() const {
  if (points_.size() < 2 || lastPtsNs_ < minimum_.count()) return std::nullopt;
  // Least squares on values relative to the oldest point, centred, in seconds and samples.
  const auto& origin = points_.front();
  double meanT = 0;
  double meanS = 0;
  for (const auto& point : points_) {
    meanT += static_cast<double>(point.ptsNs - origin.ptsNs) / kNsPerSecond;
    meanS += static_cast<double>(point.samples - origin.samples);
  }
  const auto count = static_cast<double>(points_.size());
  meanT /= count;
  meanS /= count;
  double sxy = 0;
  double sxx = 0;
  for (const auto& point : points_) {
    const double t = static_cast<double>(point.ptsNs - origin.ptsNs) / kNsPerSecond - meanT;
    const double s = static_cast<double>(point.samples - origin.samples) - meanS;
    sxy += t * s;
    sxx += t * t;
  }
  if (sxx <= 0) return std::nullopt;
  const double rate = sxy / sxx;
  return (rate / static_cast<double>(nominalRate_) - 1.0) * kPpm;
}

int DriftEstimator::correctedRate(double deadbandPpm) const {
  const auto drift = ppm();
  if (!drift || std::abs(*drift) <= deadbandPpm) return nominalRate_;
  const double nominal = static_cast<double>(nominalRate_);
  const double rate =
      std::clamp(nominal * (1.0 + *drift / kPpm), nominal * (1.0 - kMaxCorrection), nominal * (1.0 + kMaxCorrection));
  return static_cast<int>(std::lround(rate));
}

std::size_t DriftEstimator::maxPointCount() const { return static_cast<std::size_t>(window_ / kPointSpacing) + 2; }

}  // namespace tribune::core
