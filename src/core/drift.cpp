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
constexpr double kPpm = 1e6;
constexpr double kNsPerSecond = 1e9;

}  // namespace

DriftEstimator::DriftEstimator(DriftEstimatorSettings settings) : settings_(settings) {
  settings_.nominalRate = std::max(1, settings_.nominalRate);
  settings_.window = std::max(settings_.window, settings_.minimum);
}

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
    lastPtsNs_ = 0;
    lastSamples_ = samples;
    totalSamples_ = samples;
    return;
  }
  const auto relative = static_cast<std::int64_t>(ptsNs - *originNs_);  // wraps to negative when earlier
  const auto expected = lastPtsNs_ + static_cast<std::int64_t>(static_cast<double>(lastSamples_) * kNsPerSecond /
                                                               static_cast<double>(settings_.nominalRate));
  if (std::llabs(relative - expected) > kJump.count()) {
    reset();
    add(ptsNs, samples);
    return;
  }
  // The settling time is not fitted at all: its points would weigh on the line for the
  // whole window after it.
  const bool settled = relative >= std::chrono::duration_cast<nanoseconds>(settings_.settle).count();
  if (settled && (points_.empty() || relative - points_.back().ptsNs >= kPointSpacing.count())) {
    points_.push_back({relative, totalSamples_});
    while (points_.size() > 2 && points_.back().ptsNs - points_.front().ptsNs >
                                     std::chrono::duration_cast<nanoseconds>(settings_.window).count()) {
      points_.pop_front();
    }
  }
  lastPtsNs_ = relative;
  lastSamples_ = samples;
  totalSamples_ += samples;
}

std::optional<DriftEstimate> DriftEstimator::estimate() const {
  if (points_.size() < 3) return std::nullopt;
  const double span = static_cast<double>(points_.back().ptsNs - points_.front().ptsNs) / kNsPerSecond;
  if (span < static_cast<double>(settings_.minimum.count())) return std::nullopt;
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
  // The slope's standard error from the residuals around the line.
  double residuals = 0;
  for (const auto& point : points_) {
    const double t = static_cast<double>(point.ptsNs - origin.ptsNs) / kNsPerSecond - meanT;
    const double s = static_cast<double>(point.samples - origin.samples) - meanS;
    const double r = s - rate * t;
    residuals += r * r;
  }
  const double standardError = std::sqrt(residuals / (count - 2) / sxx);
  const double nominal = static_cast<double>(settings_.nominalRate);
  return DriftEstimate{(rate / nominal - 1.0) * kPpm, standardError / nominal * kPpm, span};
}

std::optional<double> DriftEstimator::ppm() const {
  if (auto e = estimate()) return e->ppm;
  return std::nullopt;
}

std::size_t DriftEstimator::maxPointCount() const {
  return static_cast<std::size_t>(std::chrono::duration_cast<nanoseconds>(settings_.window) / kPointSpacing) + 2;
}

std::string_view toString(DriftState state) {
  switch (state) {
    case DriftState::Off: return "off";
    case DriftState::Measuring: return "measuring";
    case DriftState::Uncertain: return "uncertain";
    case DriftState::Implausible: return "implausible";
    case DriftState::Correcting: return "correcting";
  }
  return "off";
}

DriftCorrector::DriftCorrector(SoundClock clock, DriftCorrectionSettings settings, int nominalRate)
    : settings_(settings),
      nominalRate_(nominalRate),
      rate_(nominalRate),
      state_(settings.enabled && clock == SoundClock::Capture ? DriftState::Measuring : DriftState::Off) {}

void DriftCorrector::sourceRestarted() { recent_.clear(); }

DriftDecision DriftCorrector::look(const std::optional<DriftEstimate>& estimate) {
  if (state_ == DriftState::Off) return {rate_, state_};
  if (!estimate) {
    recent_.clear();
    state_ = DriftState::Measuring;
    return {rate_, state_};
  }
  if (std::abs(estimate->ppm) > settings_.plausiblePpm) {
    recent_.clear();
    state_ = DriftState::Implausible;
    return {rate_, state_};
  }
  if (estimate->standardErrorPpm > settings_.maxStandardErrorPpm) {
    recent_.clear();
    state_ = DriftState::Uncertain;
    return {rate_, state_};
  }
  recent_.push_back(estimate->ppm);
  while (recent_.size() > static_cast<std::size_t>(std::max(1, settings_.stableLooks))) recent_.pop_front();
  const auto [low, high] = std::minmax_element(recent_.begin(), recent_.end());
  if (recent_.size() < static_cast<std::size_t>(std::max(1, settings_.stableLooks)) ||
      *high - *low > settings_.stableWithinPpm) {
    state_ = DriftState::Uncertain;
    return {rate_, state_};
  }
  state_ = DriftState::Correcting;
  const double nominal = static_cast<double>(nominalRate_);
  const double ppm = std::abs(estimate->ppm) <= settings_.deadbandPpm ? 0.0 : estimate->ppm;
  const auto target = static_cast<int>(std::lround(nominal * (1.0 + ppm / kPpm)));
  const int step = std::max(1, settings_.maxStepHz);
  rate_ += std::clamp(target - rate_, -step, step);
  return {rate_, state_};
}

}  // namespace tribune::core
