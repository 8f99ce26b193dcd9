// The loudness chain's CPU cost (issue 27, docs/PERFORMANCE.md "loudness"): the program's
// LoudnessStage (two libebur128 meters, one with true peak; the core's gain controller and
// 4×-oversampled look-ahead limiter) run on a minute of speech-like stereo sound at 48 kHz,
// in 10 ms buffers as the program's audio arrives, on this thread; then the core's part
// alone (controller and limiter, no meter). CPU time of the thread per second of
// programme, best of five runs:
// `cmake --build BUILD --target tribune_bench_loudness && BUILD/bench/tribune_bench_loudness`.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "bench_support.h"
#include "core/loudness.h"
#include "media/loudness_stage.h"

namespace {

constexpr int kRate = 48000;
constexpr int kChannels = 2;
constexpr int kSeconds = 60;
constexpr std::size_t kBufferFrames = 480;  // 10 ms

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Noise bursts, three a second, about -35 LUFS: a distant speaker.
std::vector<float> speech() {
  std::vector<float> samples(static_cast<std::size_t>(kRate) * kSeconds * kChannels);
  std::mt19937 random(7);
  std::uniform_real_distribution<float> noise(-0.02F, 0.02F);
  for (std::size_t i = 0; i < samples.size() / kChannels; ++i) {
    const double t = static_cast<double>(i) / kRate;
    const bool on = std::sin(2 * M_PI * 3 * t) + 0.2 > 0;
    for (int c = 0; c < kChannels; ++c)
      samples[i * kChannels + static_cast<std::size_t>(c)] = on ? noise(random) : 0.0F;
  }
  return samples;
}

// Best of five: CPU seconds per programme second.
double best(const std::vector<float>& source, const std::function<void(std::vector<float>&)>& run) {
  double bestCost = 1e9;
  for (int round = 0; round < 5; ++round) {
    auto samples = source;
    const double before = threadCpuSeconds();
    run(samples);
    bestCost = std::min(bestCost, (threadCpuSeconds() - before) / kSeconds);
  }
  return bestCost;
}

}  // namespace

int main() {
  const auto source = speech();
  const tribune::core::LoudnessSettings settings;
  const double stage = best(source, [&](std::vector<float>& samples) {
    tribune::media::LoudnessStage loudness(settings, kRate, kChannels, nullptr);
    for (std::size_t at = 0; at < samples.size(); at += kBufferFrames * kChannels) {
      loudness.process(samples.data() + at, kBufferFrames);
    }
  });
  const double core = best(source, [&](std::vector<float>& samples) {
    tribune::core::GainController gain(settings);
    tribune::core::TruePeakLimiter limiter(kChannels, kRate, settings.truePeakDbtp);
    double db = 0;
    for (std::size_t at = 0; at < samples.size(); at += kBufferFrames * kChannels) {
      const double next = gain.update({-35, -35}, static_cast<double>(kBufferFrames) / kRate);
      limiter.process(samples.data() + at, kBufferFrames, db, next);
      db = next;
    }
  });
  std::printf("loudness chain, %d s of 48 kHz stereo in 10 ms buffers, best of 5 (%s)\n", kSeconds,
              tribune::bench::utcNow().c_str());
  std::printf("  whole stage (meters in and out, gain, limiter): %s ms CPU per programme second (%s %% of a core)\n",
              tribune::bench::fixed(stage * 1000, 2).c_str(), tribune::bench::fixed(stage * 100, 2).c_str());
  std::printf("  core only (gain controller and limiter):        %s ms CPU per programme second\n",
              tribune::bench::fixed(core * 1000, 2).c_str());
  return 0;
}
