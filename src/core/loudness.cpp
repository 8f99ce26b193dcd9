#include "core/loudness.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tribune::core {
namespace {

// BS.1770: loudness = −0.691 + 10·log10(mean square, K-weighted, summed over channels).
constexpr double kLoudnessOffset = -0.691;

double lufsToPower(double lufs) { return std::pow(10.0, (lufs - kLoudnessOffset) / 10.0); }
double powerToLufs(double power) { return kLoudnessOffset + 10.0 * std::log10(power); }

// Moves `value` towards `target` by at most `step`.
double towards(double value, double target, double step) {
  if (value < target) return std::min(target, value + step);
  return std::max(target, value - step);
}

}  // namespace

std::string_view toString(LoudnessMode mode) {
  switch (mode) {
    case LoudnessMode::Auto: return "auto";
    case LoudnessMode::Frozen: return "frozen";
    case LoudnessMode::Off: return "off";
  }
  return "off";
}

std::optional<LoudnessMode> loudnessModeFromString(std::string_view text) {
  for (const auto mode : {LoudnessMode::Auto, LoudnessMode::Frozen, LoudnessMode::Off}) {
    if (toString(mode) == text) return mode;
  }
  return std::nullopt;
}

double dbToGain(double db) { return std::pow(10.0, db / 20.0); }
double gainToDb(double gain) { return 20.0 * std::log10(gain); }

// ---------------------------------------------------------------------------------------
// GainController

GainController::GainController(const LoudnessSettings& settings)
    : settings_(settings), mode_(settings.enabled ? LoudnessMode::Auto : LoudnessMode::Off) {}

std::optional<double> GainController::speechLufs() const {
  if (!speechPower_) return std::nullopt;
  return powerToLufs(*speechPower_);
}

double GainController::update(const LoudnessReading& reading, double seconds) {
  seconds = std::max(seconds, 0.0);
  sinceAboveGate_ = reading.blockLufs >= settings_.gateLufs ? 0.0 : sinceAboveGate_ + seconds;
  gateOpen_ = sinceAboveGate_ < kGateHoldSeconds;

  if (mode_ == LoudnessMode::Off) {
    programmeDb_ = towards(programmeDb_, 0.0, kOffDbPerSecond * seconds);
    appliedDb_ = towards(appliedDb_, 0.0, kOffDbPerSecond * seconds);
    return appliedDb_;
  }
  if (mode_ == LoudnessMode::Auto && gateOpen_ && reading.momentaryLufs >= settings_.gateLufs) {
    const auto speech = speechLufs();
    if (!speech || reading.momentaryLufs >= *speech - kRelativeGateLu) {
      const double power = lufsToPower(reading.momentaryLufs);
      if (!speechPower_) {
        speechPower_ = power;
      } else {
        *speechPower_ += (power - *speechPower_) * (1.0 - std::exp(-seconds / kSpeechTimeConstant));
      }
    }
    if (const auto measured = speechLufs()) {
      const double wanted = std::clamp(settings_.targetLufs - *measured, kMinGainDb, settings_.maxGainDb);
      const double rate = wanted > programmeDb_ ? kRiseDbPerSecond : kFallDbPerSecond;
      programmeDb_ = towards(programmeDb_, wanted, rate * seconds);
    }
  }
  // Between speakers the room keeps its own level: never more than 0 dB while the gate is
  // closed. Frozen keeps the programme gain, and this gate too.
  const double target = gateOpen_ ? programmeDb_ : std::min(programmeDb_, 0.0);
  const double rate = target > appliedDb_ && gateOpen_ ? kGateOpenDbPerSecond : kGateCloseDbPerSecond;
  appliedDb_ = towards(appliedDb_, target, rate * seconds);
  return appliedDb_;
}

// ---------------------------------------------------------------------------------------
// TruePeakLimiter

TruePeakLimiter::TruePeakLimiter(int channels, int sampleRate, double ceilingDbtp, double lookaheadSeconds,
                                 double releaseSeconds)
    : channels_(std::max(channels, 1)),
      ceilingDbtp_(ceilingDbtp),
      ceiling_(static_cast<float>(dbToGain(ceilingDbtp - kMarginDb))),
      window_(std::max<std::size_t>(2, static_cast<std::size_t>(std::lround(lookaheadSeconds * sampleRate)))),
      release_(1.0 - std::exp(-1.0 / (releaseSeconds * sampleRate))) {
  // Windowed-sinc interpolators for the points k/4 between a sample and the next, reading
  // the kHalfTaps samples before and after.
  for (int k = 1; k < kOversampling; ++k) {
    std::array<float, kTaps> taps{};
    double sum = 0.0;
    std::array<double, kTaps> raw{};
    for (int j = 0; j < 2 * kHalfTaps; ++j) {
      // Tap j reads sample m + j − kHalfTaps + 1; the point is at m + k/4.
      const double t = static_cast<double>(k) / kOversampling - static_cast<double>(j - kHalfTaps + 1);
      const double sinc = std::abs(t) < 1e-9 ? 1.0 : std::sin(std::numbers::pi * t) / (std::numbers::pi * t);
      const double window = 0.5 * (1.0 + std::cos(std::numbers::pi * t / kHalfTaps));
      raw.at(static_cast<std::size_t>(j)) = sinc * window;
      sum += sinc * window;
    }
    for (std::size_t j = 0; j < taps.size(); ++j) taps.at(j) = static_cast<float>(raw.at(j) / sum);
    phases_.push_back(taps);
  }
  const auto channelCount = static_cast<std::size_t>(channels_);
  history_.assign(kTaps * channelCount, 0.0F);
  delay_.assign(latencyFrames() * channelCount, 0.0F);
  minQueue_.assign(window_ + 1, {0, 1.0F});
  averageRing_.assign(window_, 1.0F);
  averageSum_ = static_cast<double>(window_);
}

float TruePeakLimiter::peakAround(std::size_t newest) const {
  // The ring holds 2·kHalfTaps frames; the oldest is the one after `newest`.
  constexpr std::size_t kLength = kTaps;
  const auto channels = static_cast<std::size_t>(channels_);
  float peak = 0.0F;
  for (std::size_t c = 0; c < channels; ++c) {
    auto at = [&](std::size_t j) { return history_[((newest + 1 + j) % kLength) * channels + c]; };
    peak = std::max(peak, std::abs(at(kHalfTaps - 1)));  // the sample m itself
    for (const auto& taps : phases_) {
      float value = 0.0F;
      for (std::size_t j = 0; j < kLength; ++j) value += taps[j] * at(j);
      peak = std::max(peak, std::abs(value));
    }
  }
  return peak;
}

void TruePeakLimiter::process(float* interleaved, std::size_t frames, double fromDb, double toDb) {
  const auto channels = static_cast<std::size_t>(channels_);
  const double from = dbToGain(fromDb);
  const double to = dbToGain(toDb);
  const std::size_t latency = latencyFrames();
  float deepest = 1.0F;
  for (std::size_t i = 0; i < frames; ++i) {
    float* frame = interleaved + i * channels;
    const auto gain = static_cast<float>(from + (to - from) * static_cast<double>(i + 1) / static_cast<double>(frames));
    // 1. The gained input enters the detector's history and the delay line.
    const std::size_t newest = historyAt_;
    historyAt_ = (historyAt_ + 1) % kTaps;
    float* delayed = &delay_[delayAt_ * channels];
    for (std::size_t c = 0; c < channels; ++c) {
      const float x = frame[c] * gain;
      history_[newest * channels + c] = x;
      frame[c] = delayed[c];  // the frame `latency` frames old leaves…
      delayed[c] = x;         // …and this one takes its place
    }
    delayAt_ = (delayAt_ + 1) % latency;
    // 2. The need of the frame kHalfTaps back, held over the window (sliding minimum).
    const float peak = peakAround(newest);
    const float need = peak > ceiling_ ? ceiling_ / peak : 1.0F;
    const std::size_t capacity = minQueue_.size();
    while (minSize_ > 0 && minQueue_[(minHead_ + minSize_ - 1) % capacity].second >= need) --minSize_;
    minQueue_[(minHead_ + minSize_) % capacity] = {frameIndex_, need};
    ++minSize_;
    while (minQueue_[minHead_].first + window_ <= frameIndex_) {
      minHead_ = (minHead_ + 1) % capacity;
      --minSize_;
    }
    ++frameIndex_;
    const float held = minQueue_[minHead_].second;
    // 3. Down at once, back up with the release; then averaged over the window, so that the
    // gain is down, as a ramp, when the peak leaves the delay line.
    released_ = std::min(held, released_ + (1.0F - released_) * static_cast<float>(release_));
    averageSum_ += static_cast<double>(released_) - static_cast<double>(averageRing_[averageAt_]);
    averageRing_[averageAt_] = released_;
    averageAt_ = (averageAt_ + 1) % window_;
    const auto smoothed = static_cast<float>(std::min(1.0, averageSum_ / static_cast<double>(window_)));
    deepest = std::min(deepest, smoothed);
    for (std::size_t c = 0; c < channels; ++c) frame[c] *= smoothed;
  }
  lastReductionDb_ = gainToDb(deepest);
}

}  // namespace tribune::core
