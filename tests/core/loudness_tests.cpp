#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <vector>

#include "core/loudness.h"

using tribune::core::GainController;
using tribune::core::LoudnessMode;
using tribune::core::LoudnessReading;
using tribune::core::LoudnessSettings;
using tribune::core::TruePeakLimiter;

namespace {

constexpr double kBlock = 0.02;  // s: the media stage's block
constexpr int kRate = 48000;

// Feeds `seconds` of a programme whose block level and momentary loudness are `lufs`.
double feed(GainController& gain, double lufs, double seconds) {
  double db = gain.gainDb();
  for (double t = 0; t < seconds; t += kBlock) db = gain.update(LoudnessReading{lufs, lufs}, kBlock);
  return db;
}

// The true peak of one channel, by 16× oversampling with a long windowed sinc: an
// estimate independent of the limiter's own (4×, 12 taps).
double truePeak(const std::vector<float>& samples, std::size_t channels, std::size_t channel) {
  constexpr int kOver = 16;
  constexpr int kHalf = 32;
  const std::size_t frames = samples.size() / channels;
  double peak = 0;
  for (std::size_t m = kHalf; m + kHalf < frames; ++m) {
    for (int k = 0; k < kOver; ++k) {
      double value = 0;
      for (int j = -kHalf + 1; j <= kHalf; ++j) {
        const double t = static_cast<double>(k) / kOver - j;
        const double sinc = std::abs(t) < 1e-12 ? 1.0 : std::sin(std::numbers::pi * t) / (std::numbers::pi * t);
        const double window = 0.5 * (1 + std::cos(std::numbers::pi * t / kHalf));
        value += sinc * window * samples[(m + static_cast<std::size_t>(j)) * channels + channel];
      }
      peak = std::max(peak, std::abs(value));
    }
  }
  return 20 * std::log10(peak);
}

// Stereo, both channels the same function of the frame index.
std::vector<float> stereo(std::size_t frames, const std::function<double(std::size_t)>& f) {
  std::vector<float> out(frames * 2);
  for (std::size_t i = 0; i < frames; ++i) out[2 * i] = out[2 * i + 1] = static_cast<float>(f(i));
  return out;
}

// Runs the signal through the limiter in 20 ms blocks at a fixed gain.
void limit(TruePeakLimiter& limiter, std::vector<float>& samples, double gainDb) {
  const std::size_t block = 960;
  for (std::size_t at = 0; at < samples.size() / 2; at += block) {
    const std::size_t frames = std::min(block, samples.size() / 2 - at);
    limiter.process(samples.data() + at * 2, frames, gainDb, gainDb);
  }
}

}  // namespace

TEST_CASE("loudness: a quiet speaker is brought to the target, slowly") {
  GainController gain{LoudnessSettings{}};
  const double after5s = feed(gain, -35, 5);
  CHECK(after5s > 5);
  CHECK(after5s <= 5 * GainController::kRiseDbPerSecond + 0.05);  // no faster than the slow rise
  feed(gain, -35, 25);
  CHECK(gain.gainDb() == Approx(19).margin(0.05));
  REQUIRE(gain.speechLufs());
  CHECK(*gain.speechLufs() == Approx(-35).margin(0.01));
}

TEST_CASE("loudness: another target is followed (broadcast practice, -23 LUFS)") {
  LoudnessSettings settings;
  settings.targetLufs = -23;
  GainController gain{settings};
  CHECK(feed(gain, -35, 30) == Approx(12).margin(0.05));
}

TEST_CASE("loudness: the gain never goes beyond its maximum") {
  LoudnessSettings settings;
  settings.gateLufs = -60;
  GainController gain{settings};
  CHECK(feed(gain, -45, 60) == Approx(20).margin(0.01));
  settings.maxGainDb = 6;
  GainController lower{settings};
  CHECK(feed(lower, -45, 60) == Approx(6).margin(0.01));
}

TEST_CASE("loudness: a loud speaker is brought down, faster than a soft one is raised") {
  GainController gain{LoudnessSettings{}};
  const double after2s = feed(gain, -6, 2);
  CHECK(after2s < -2 * GainController::kFallDbPerSecond + 0.1);
  CHECK(feed(gain, -6, 10) == Approx(-10).margin(0.05));
}

TEST_CASE("loudness: silence does not move the gain (no pumping), and the room keeps its own level") {
  GainController gain{LoudnessSettings{}};
  feed(gain, -35, 30);
  REQUIRE(gain.gainDb() == Approx(19).margin(0.05));
  // A speaker stops: the gate holds for a moment (a pause between two words)…
  CHECK(feed(gain, -200, 0.5) == Approx(19).margin(0.05));
  CHECK(gain.gateOpen());
  // …then the room noise (or digital silence) goes back to its own level, never raised.
  CHECK(feed(gain, -200, 5) == Approx(0).margin(0.01));
  CHECK_FALSE(gain.gateOpen());
  CHECK(feed(gain, -58, 60) == Approx(0).margin(0.01));  // room noise, under the gate, for a minute
  // The programme gain was held the whole time: the next speaker is at once where it was.
  CHECK(gain.programmeGainDb() == Approx(19).margin(0.05));
  CHECK(feed(gain, -35, 0.1) == Approx(19).margin(0.05));
}

TEST_CASE("loudness: room noise alone never gets any gain") {
  GainController gain{LoudnessSettings{}};
  CHECK(feed(gain, -55, 120) == 0.0);
  CHECK_FALSE(gain.speechLufs());
}

TEST_CASE("loudness: a cough far under the speech does not count as speech (relative gate)") {
  GainController gain{LoudnessSettings{}};
  feed(gain, -30, 30);
  const auto before = *gain.speechLufs();
  feed(gain, -45, 10);  // above the absolute gate, 15 LU under the speech
  CHECK(*gain.speechLufs() == Approx(before).margin(0.001));
}

TEST_CASE("loudness: frozen keeps the gain whatever the programme does, off takes it back to 0 dB") {
  GainController gain{LoudnessSettings{}};
  feed(gain, -35, 30);
  gain.setMode(LoudnessMode::Frozen);
  CHECK(feed(gain, -20, 20) == Approx(19).margin(0.05));
  gain.setMode(LoudnessMode::Off);
  CHECK(feed(gain, -20, 0.5) == Approx(9).margin(0.1));  // a glide, not a click
  CHECK(feed(gain, -20, 2) == 0.0);
  gain.setMode(LoudnessMode::Auto);
  CHECK(feed(gain, -20, 30) == Approx(4).margin(0.05));
}

TEST_CASE("loudness: disabled in the configuration, the gain starts off") {
  LoudnessSettings settings;
  settings.enabled = false;
  GainController gain{settings};
  CHECK(gain.mode() == LoudnessMode::Off);
  CHECK(feed(gain, -35, 30) == 0.0);
}

TEST_CASE("loudness: the modes' names") {
  for (const auto mode : {LoudnessMode::Auto, LoudnessMode::Frozen, LoudnessMode::Off}) {
    CHECK(tribune::core::loudnessModeFromString(tribune::core::toString(mode)) == mode);
  }
  CHECK_FALSE(tribune::core::loudnessModeFromString("on"));
}

TEST_CASE("loudness: under the ceiling the limiter only delays the sound") {
  TruePeakLimiter limiter(2, kRate, -1.0);
  auto in = stereo(kRate, [](std::size_t i) { return 0.1 * std::sin(2 * std::numbers::pi * 440 * i / kRate); });
  auto out = in;
  limit(limiter, out, 0.0);
  const std::size_t latency = limiter.latencyFrames();
  CHECK(latency < kRate / 200);  // a few milliseconds
  for (std::size_t i = 0; i < latency * 2; ++i) CHECK(out[i] == 0.0F);
  for (std::size_t i = latency; i < in.size() / 2; i += 97) CHECK(out[2 * i] == Approx(in[2 * (i - latency)]));
  CHECK(limiter.lastReductionDb() == 0.0);
}

TEST_CASE("loudness: a loud burst comes out under the true-peak ceiling") {
  TruePeakLimiter limiter(2, kRate, -1.0);
  // Speech-like level, then a burst 10 dB over full scale (a shout, a dropped microphone).
  auto out = stereo(kRate, [](std::size_t i) {
    const double amplitude = i > kRate / 4 && i < kRate / 2 ? 3.0 : 0.2;
    return amplitude * std::sin(2 * std::numbers::pi * 997 * i / kRate);
  });
  limit(limiter, out, 0.0);
  CHECK(truePeak(out, 2, 0) <= -1.0);
  CHECK(truePeak(out, 2, 1) <= -1.0);
  CHECK(truePeak(out, 2, 0) > -2.0);  // limited, not silenced
  // The gain came back after the burst: the quiet part after it is untouched.
  const std::size_t late = kRate - 200;
  const auto expected = 0.2 * std::sin(2 * std::numbers::pi * 997 * (late - limiter.latencyFrames()) / kRate);
  CHECK(out[2 * late] == Approx(expected).margin(0.002));
}

TEST_CASE("loudness: the peaks between samples are limited too (true peak, not sample peak)") {
  TruePeakLimiter limiter(2, kRate, -1.0);
  // A quarter of the sample rate at 45°: every sample is at 0.707 (−3 dBFS), the wave at
  // 1.0 (0 dBTP). A sample-peak limiter would let it through.
  auto out = stereo(kRate / 2, [](std::size_t i) {
    return std::sin(std::numbers::pi / 2 * static_cast<double>(i) + std::numbers::pi / 4);
  });
  REQUIRE(truePeak(out, 2, 0) > -0.1);
  limit(limiter, out, 0.0);
  CHECK(truePeak(out, 2, 0) <= -1.0);
  CHECK(limiter.lastReductionDb() < -1.0);
}

TEST_CASE("loudness: the gain given to the limiter ramps across the block, without a step") {
  TruePeakLimiter limiter(2, kRate, -1.0, 0.003);
  auto out = stereo(4800, [](std::size_t) { return 0.01; });
  limiter.process(out.data(), 4800, 0.0, 6.0);
  const std::size_t latency = limiter.latencyFrames();
  float biggestStep = 0;
  for (std::size_t i = latency + 1; i < 4800; ++i)
    biggestStep = std::max(biggestStep, std::abs(out[2 * i] - out[2 * i - 2]));
  CHECK(biggestStep < 0.0001F);
  // Linear in amplitude across the block, from 0 dB to +6 dB.
  const double reached = 1.0 + (tribune::core::dbToGain(6.0) - 1.0) * static_cast<double>(4800 - latency) / 4800;
  CHECK(out[2 * 4799] == Approx(0.01 * reached).epsilon(0.001));
}
