#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/drift.h"

using tribune::core::DriftCorrectionSettings;
using tribune::core::DriftCorrector;
using tribune::core::DriftEstimate;
using tribune::core::DriftEstimator;
using tribune::core::DriftEstimatorSettings;
using tribune::core::DriftState;
using tribune::core::SoundClock;

namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

// An audio interface whose clock really runs at `actualRate` delivers `bufferSamples` per
// buffer; each buffer is stamped on the program clock, starting at `startNs`, plus an
// optional jitter of up to ±jitterNs (deterministic seed) and an optional error that
// depends on the time since the start (a start-up transient).
struct Interface {
  explicit Interface(double rate, std::uint64_t samples = 480) : actualRate(rate), bufferSamples(samples) {}

  double actualRate;
  std::uint64_t bufferSamples;
  std::uint64_t startNs = 3 * kNsPerSecond;
  std::int64_t jitterNs = 0;
  std::function<double(double)> errorSeconds;  // timestamp error at t seconds, or none
  std::mt19937_64 generator{42};
  std::uint64_t delivered = 0;

  [[nodiscard]] double seconds() const { return static_cast<double>(delivered) / actualRate; }

  // Feeds buffers until `seconds` of program time have passed since the start; `eachSecond`
  // is called whenever a whole second of program time has passed (the supervisor's look).
  void feed(DriftEstimator& estimator, double until, const std::function<void()>& eachSecond = {}) {
    std::uniform_int_distribution<std::int64_t> jitter(-jitterNs, jitterNs);
    while (true) {
      const double at = seconds();
      if (at >= until) break;
      double stamped = at;
      if (errorSeconds) stamped += errorSeconds(at);
      auto pts = static_cast<std::int64_t>(startNs) + static_cast<std::int64_t>(stamped * 1e9);
      if (jitterNs > 0) pts += jitter(generator);
      estimator.add(static_cast<std::uint64_t>(pts), bufferSamples);
      delivered += bufferSamples;
      if (eachSecond && std::floor(seconds()) > std::floor(at)) eachSecond();
    }
  }
};

double truePpm(double rate) { return (rate / 48000.0 - 1.0) * 1e6; }

}  // namespace

// --- The estimator -----------------------------------------------------------------------

TEST_CASE("an interface exactly on the program clock drifts by about 0 ppm, surely", "[drift]") {
  DriftEstimator estimator;
  Interface exact(48000.0);
  exact.feed(estimator, 30);
  const auto estimate = estimator.estimate();
  REQUIRE(estimate);
  CHECK(estimate->ppm == Approx(0.0).margin(0.5));
  CHECK(estimate->standardErrorPpm < 1.0);
  CHECK(estimate->spanSeconds == Approx(25.0).margin(0.2));  // the first 5 s are not fitted
}

TEST_CASE("an interface 5 samples a second slow is about -104 ppm", "[drift]") {
  DriftEstimator estimator;
  Interface slow(47995.0, 1024);
  slow.feed(estimator, 60);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(-104.17).margin(1));
}

TEST_CASE("timestamp jitter of 5 ms averages out within 100 ppm after a minute, and says how sure it is", "[drift]") {
  for (const double rate : {48000.0, 47995.0, 48005.0, 48048.0}) {
    INFO(rate);
    DriftEstimator estimator;
    Interface jittery(rate);
    jittery.jitterNs = 5'000'000;
    jittery.feed(estimator, 60);
    const auto estimate = estimator.estimate();
    REQUIRE(estimate);
    CHECK(estimate->ppm == Approx(truePpm(rate)).margin(100));
    // Jitter shows in the standard error; the truth is within a few of them.
    CHECK(estimate->standardErrorPpm > 1.0);
    CHECK(std::abs(estimate->ppm - truePpm(rate)) < 5 * estimate->standardErrorPpm + 1);
  }
}

TEST_CASE("nothing is estimated before the settling time and the minimum span were seen", "[drift]") {
  DriftEstimator estimator;  // 5 s settling, 10 s fitted
  CHECK_FALSE(estimator.estimate());
  Interface fast(48048.0);
  fast.feed(estimator, 14.9);
  CHECK_FALSE(estimator.estimate());
  fast.feed(estimator, 15.2);
  REQUIRE(estimator.estimate());
  CHECK(*estimator.ppm() == Approx(1000).margin(5));
}

TEST_CASE("the start-up transient is not fitted: buffers rushed in the first seconds do not read as drift", "[drift]") {
  // The first 4 s arrive stamped 30 % fast (a jitter buffer or an SRT window emptying),
  // then the interface is exact: the fit starts after the settling time and sees 0 ppm.
  DriftEstimator estimator;
  Interface rushed(48000.0);
  rushed.errorSeconds = [](double t) { return t < 4.0 ? -0.3 * t : -1.2; };
  rushed.feed(estimator, 30);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(0.0).margin(0.5));
}

TEST_CASE("reset forgets everything measured", "[drift]") {
  DriftEstimator estimator;
  Interface fast(48048.0);
  fast.feed(estimator, 30);
  REQUIRE(estimator.ppm());
  estimator.reset();
  CHECK_FALSE(estimator.estimate());
  CHECK(estimator.pointCount() == 0);
  // The restarted source runs exactly; nothing of the old 1000 ppm remains.
  Interface exact(48000.0);
  exact.startNs = 100 * kNsPerSecond;
  exact.feed(estimator, 30);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(0.0).margin(0.5));
}

TEST_CASE("a jump of the timestamps restarts the estimate instead of bending it", "[drift]") {
  DriftEstimator estimator;
  Interface exact(48000.0);
  exact.feed(estimator, 30);
  // The same interface, its timestamps now 10 s later (a source restarted without reset()).
  exact.startNs += 10 * kNsPerSecond;
  exact.feed(estimator, 40);
  CHECK_FALSE(estimator.estimate());  // 10 s since the jump: settling + under the minimum
  exact.feed(estimator, 50);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(0.0).margin(0.5));
  // And backwards.
  exact.startNs -= 20 * kNsPerSecond;
  exact.feed(estimator, 70);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(0.0).margin(0.5));
}

TEST_CASE("memory stays bounded over ten hours of buffers", "[drift]") {
  DriftEstimator estimator;
  Interface slow(47995.0, 1024);
  std::size_t most = 0;
  for (int hour = 1; hour <= 10; ++hour) {
    slow.feed(estimator, hour * 3600.0);
    most = std::max(most, estimator.pointCount());
  }
  CHECK(estimator.maxPointCount() == 1202);
  CHECK(most <= estimator.maxPointCount());
  CHECK(estimator.pointCount() >= 1100);  // the whole two-minute window is still used
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(-104.17).margin(1));
}

// --- The corrector -----------------------------------------------------------------------

namespace {

DriftEstimate sure(double ppm) { return DriftEstimate{ppm, 0.5, 30}; }

// Looks once a second while an interface plays, and records the rates declared.
struct Run {
  DriftEstimator estimator;
  DriftCorrector corrector;
  std::vector<int> rates;
  std::vector<DriftState> states;

  explicit Run(SoundClock clock, DriftCorrectionSettings settings = {}) : corrector(clock, settings) {}

  void play(Interface& interface, double until) {
    interface.feed(estimator, until, [&] {
      const auto decision = corrector.look(estimator.estimate());
      rates.push_back(decision.rate);
      states.push_back(decision.state);
    });
  }
  [[nodiscard]] int largestStep() const {
    int most = 0;
    for (std::size_t i = 1; i < rates.size(); ++i) most = std::max(most, std::abs(rates[i] - rates[i - 1]));
    return most;
  }
  [[nodiscard]] int farthestFromNominal() const {
    int most = 0;
    for (int rate : rates) most = std::max(most, std::abs(rate - 48000));
    return most;
  }
};

}  // namespace

TEST_CASE("a source that stamps its own media is never resampled, whatever is measured", "[drift]") {
  DriftCorrector corrector(SoundClock::Stamped);
  CHECK(corrector.state() == DriftState::Off);
  for (int i = 0; i < 20; ++i) {
    const auto decision = corrector.look(sure(300));
    CHECK(decision.rate == 48000);
    CHECK(decision.state == DriftState::Off);
  }
}

TEST_CASE("drift correction switched off in the configuration never resamples a capture card", "[drift]") {
  DriftCorrectionSettings settings;
  settings.enabled = false;
  DriftCorrector corrector(SoundClock::Capture, settings);
  for (int i = 0; i < 20; ++i) CHECK(corrector.look(sure(300)).rate == 48000);
  CHECK(corrector.state() == DriftState::Off);
}

TEST_CASE("an implausible estimate is not applied and the rate is held", "[drift]") {
  DriftCorrector corrector(SoundClock::Capture);
  for (int i = 0; i < 30; ++i) {
    const auto decision = corrector.look(sure(45000));  // a semitone: no crystal is that wrong
    CHECK(decision.rate == 48000);
    CHECK(decision.state == DriftState::Implausible);
  }
  for (int i = 0; i < 30; ++i) corrector.look(sure(-1500));
  CHECK(corrector.rate() == 48000);
}

TEST_CASE("an unsure or unstable estimate is not applied", "[drift]") {
  DriftCorrector corrector(SoundClock::Capture);
  for (int i = 0; i < 10; ++i) {
    CHECK(corrector.look(DriftEstimate{200, 40, 30}).state == DriftState::Uncertain);  // ±40 ppm
  }
  CHECK(corrector.rate() == 48000);
  // Sure each time, but wandering by 30 ppm from look to look.
  for (int i = 0; i < 10; ++i) corrector.look(sure(i % 2 == 0 ? 200 : 230));
  CHECK(corrector.state() == DriftState::Uncertain);
  CHECK(corrector.rate() == 48000);
  CHECK(corrector.look(std::nullopt).state == DriftState::Measuring);
}

TEST_CASE("a sure and stable estimate moves the rate a few hertz a look, up to the target", "[drift]") {
  DriftCorrector corrector(SoundClock::Capture);
  std::vector<int> rates;
  for (int i = 0; i < 20; ++i) rates.push_back(corrector.look(sure(500)).rate);  // 48024 Hz
  // Five looks to be sure it is stable, then 5 Hz a look.
  CHECK(rates[3] == 48000);
  CHECK(rates[4] == 48005);
  CHECK(rates[5] == 48010);
  CHECK(rates.back() == 48024);
  CHECK(corrector.state() == DriftState::Correcting);
  // Within the deadband: once that is stable too, back to the nominal rate, as gently.
  for (int i = 0; i < 4; ++i) CHECK(corrector.look(sure(5)).rate == 48024);
  CHECK(corrector.look(sure(5)).rate == 48019);
  for (int i = 0; i < 10; ++i) corrector.look(sure(5));
  CHECK(corrector.rate() == 48000);
}

TEST_CASE("a restarted source keeps the card's correction while it is measured again", "[drift]") {
  DriftCorrector corrector(SoundClock::Capture);
  for (int i = 0; i < 20; ++i) corrector.look(sure(-104));
  CHECK(corrector.rate() == 47995);
  corrector.sourceRestarted();
  for (int i = 0; i < 15; ++i) CHECK(corrector.look(std::nullopt).rate == 47995);
  for (int i = 0; i < 4; ++i) CHECK(corrector.look(sure(-104)).state == DriftState::Uncertain);
  CHECK(corrector.look(sure(-104)).rate == 47995);
}

// --- The estimator and the corrector together, as the supervisor runs them ---------------

TEST_CASE("a USB interface 80 ppm fast over an hour is corrected within a minute and held, in 1 Hz steps", "[drift]") {
  Run run(SoundClock::Capture);
  Interface usb(48003.84, 480);
  usb.jitterNs = 2'000'000;  // the capture thread's wake-ups
  run.play(usb, 3600);
  REQUIRE(run.rates.size() >= 3599);
  // Sure enough to act within the first minute; 48003.84 Hz is declared as 48004.
  const auto firstCorrected = std::find(run.rates.begin(), run.rates.end(), 48004);
  REQUIRE(firstCorrected != run.rates.end());
  CHECK(firstCorrected - run.rates.begin() < 60);
  // From then on it is held: never a step back to 48000, never a jump.
  CHECK(std::all_of(firstCorrected, run.rates.end(), [](int rate) { return std::abs(rate - 48004) <= 1; }));
  CHECK(run.largestStep() <= 5);
  REQUIRE(run.estimator.ppm());
  CHECK(*run.estimator.ppm() == Approx(80.0).margin(3));
}

TEST_CASE("a start-up transient of percents decaying over a minute never bends the pitch", "[drift]") {
  // The timestamps of a misdeclared network source whose demuxer's skew estimate settles:
  // 1.5 s behind at the start, closing with a 20 s time constant (+75,000 ppm at first).
  // Even treated as a capture card (a stamped source is never corrected at all), nothing
  // audible is applied: within 5 Hz (104 ppm, 0.05 Hz on a 440 Hz tone, a tenth of the
  // issue's ±0.5 Hz), where the old rule declared +101,854 ppm.
  Run run(SoundClock::Capture);
  Interface settling(48000.0, 1024);
  settling.errorSeconds = [](double t) { return -1.5 * std::exp(-t / 20.0); };
  run.play(settling, 300);
  INFO("farthest " << run.farthestFromNominal() << " Hz");
  CHECK(run.farthestFromNominal() <= 5);
  CHECK(run.largestStep() <= 5);
}

// --- Recorded traces ----------------------------------------------------------------------
// What a real source's sound branch delivered (bench/sound_trace.cpp: one line a buffer,
// "arrival_ns,running_time_ns,samples"), replayed through the estimator and the corrector
// once a second of running time, as the supervisor runs them.

namespace {

struct TraceBuffer {
  std::uint64_t arrivalNs;
  std::uint64_t runningTimeNs;
  std::uint64_t samples;
};

std::vector<TraceBuffer> readTrace(const std::string& name) {
  std::ifstream in(std::string(TRIBUNE_SOURCE_DIR) + "/tests/core/drift_traces/" + name);
  REQUIRE(in);
  std::vector<TraceBuffer> trace;
  std::string line;
  while (std::getline(in, line)) {
    TraceBuffer buffer{};
    if (std::sscanf(line.c_str(), "%lu,%lu,%lu", &buffer.arrivalNs, &buffer.runningTimeNs, &buffer.samples) == 3) {
      trace.push_back(buffer);
    }
  }
  return trace;
}

struct Replayed {
  std::vector<int> rates;
  std::optional<DriftEstimate> last;
};

Replayed replay(const std::vector<TraceBuffer>& trace, SoundClock clock, DriftEstimatorSettings settings = {}) {
  DriftEstimator estimator(settings);
  DriftCorrector corrector(clock);
  Replayed out;
  std::uint64_t nextLook = trace.front().runningTimeNs + kNsPerSecond;
  for (const auto& buffer : trace) {
    estimator.add(buffer.runningTimeNs, buffer.samples);
    if (buffer.runningTimeNs >= nextLook) {
      nextLook += kNsPerSecond;
      out.rates.push_back(corrector.look(estimator.estimate()).rate);
    }
  }
  out.last = estimator.estimate();
  return out;
}

}  // namespace

TEST_CASE("recorded SRT and RTSP starts read as no drift, and nothing is resampled", "[drift][trace]") {
  // gst-launch: 720p H.264 + 440 Hz AAC (44.1 kHz) in MPEG-TS, 40 s; its first 1.1 s of
  // sound arrive in one burst. ffmpeg: `-re -stream_loop -1 -i clip -c copy -f mpegts`, the
  // sound in bursts up to 267 ms apart. Both stamp their own media: nothing is corrected,
  // and even read as a capture card the rate moves by at most one hertz.
  // RTSP (bench/rtsp_camera.py, gst-rtsp-server: 720p H.264 + 440 Hz AAC over RTP): the
  // jitter buffer's first second runs 3.2 % fast.
  for (const char* name : {"srt_gst_start.csv", "srt_ffmpeg_start.csv", "rtsp_start.csv"}) {
    INFO(name);
    const auto trace = readTrace(name);
    REQUIRE(trace.size() > 1500);
    const auto stamped = replay(trace, SoundClock::Stamped);
    CHECK(std::all_of(stamped.rates.begin(), stamped.rates.end(), [](int rate) { return rate == 48000; }));
    const auto misread = replay(trace, SoundClock::Capture);
    REQUIRE(misread.last);
    INFO("estimate " << misread.last->ppm << " ± " << misread.last->standardErrorPpm << " ppm");
    CHECK(std::abs(misread.last->ppm) < 20);
    CHECK(
        std::all_of(misread.rates.begin(), misread.rates.end(), [](int rate) { return std::abs(rate - 48000) <= 1; }));
  }
}

TEST_CASE("an RTSP camera's first second is a transient of percents, which the settling time leaves out",
          "[drift][trace]") {
  const auto trace = readTrace("rtsp_start.csv");
  REQUIRE(trace.size() > 1500);
  // Fitted from the first buffer with 5 s as the minimum, as the rule did before issue 27,
  // the first estimate reads thousands of ppm (3,650): applied, a pitch bend of 1.6 Hz on
  // a 440 Hz tone, three times the bound.
  std::vector<TraceBuffer> firstSeconds;
  for (const auto& buffer : trace) {
    if (buffer.runningTimeNs - trace.front().runningTimeNs <= 5'200'000'000) firstSeconds.push_back(buffer);
  }
  DriftEstimatorSettings fromTheFirstBuffer;
  fromTheFirstBuffer.settle = std::chrono::seconds(0);
  fromTheFirstBuffer.minimum = std::chrono::seconds(5);
  const auto naive = replay(firstSeconds, SoundClock::Capture, fromTheFirstBuffer);
  REQUIRE(naive.last);
  CHECK(naive.last->ppm > 3000);
  // With the settling time left out, the trace reads as no drift.
  DriftEstimatorSettings settled;
  const auto careful = replay(trace, SoundClock::Capture, settled);
  REQUIRE(careful.last);
  CHECK(std::abs(careful.last->ppm) < 20);
}
