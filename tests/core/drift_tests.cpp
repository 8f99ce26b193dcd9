#include <catch2/catch.hpp>

#include <cstdint>
#include <random>

#include "core/drift.h"

using tribune::core::DriftEstimator;

namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

// An audio interface whose clock really runs at `actualRate` delivers `bufferSamples` per
// buffer; each buffer is stamped on the program clock, starting at `startNs`, plus an
// optional jitter of up to ±jitterNs (deterministic seed).
struct Interface {
  double actualRate;
  std::uint64_t bufferSamples = 480;
  std::uint64_t startNs = 3 * kNsPerSecond;
  std::int64_t jitterNs = 0;
  std::mt19937_64 generator{42};
  std::uint64_t delivered = 0;

  // Feeds buffers until `seconds` of program time have passed since the start.
  void feed(DriftEstimator& estimator, double seconds) {
    std::uniform_int_distribution<std::int64_t> jitter(-jitterNs, jitterNs);
    while (true) {
      const double at = static_cast<double>(delivered) / actualRate;
      if (at >= seconds) break;
      auto pts = static_cast<std::int64_t>(startNs) + static_cast<std::int64_t>(at * 1e9);
      if (jitterNs > 0) pts += jitter(generator);
      estimator.add(static_cast<std::uint64_t>(pts), bufferSamples);
      delivered += bufferSamples;
    }
  }
};

}  // namespace

TEST_CASE("an interface exactly on the program clock drifts by about 0 ppm", "[drift]") {
  DriftEstimator estimator;
  Interface exact{48000.0};
  exact.feed(estimator, 30);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(0.0).margin(0.5));
  CHECK(estimator.correctedRate() == 48000);
}

TEST_CASE("an interface running 1 % fast is measured at 10000 ppm and declared at 48480 Hz", "[drift]") {
  DriftEstimator estimator;
  Interface fast{48480.0};
  fast.feed(estimator, 30);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(10000.0).margin(50));
  CHECK(estimator.correctedRate() == 48480);
}

TEST_CASE("an interface 5 samples a second slow is about -104 ppm and declared at 47995 Hz", "[drift]") {
  DriftEstimator estimator;
  Interface slow{47995.0, 1024};
  slow.feed(estimator, 60);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(-104.17).margin(1));
  CHECK(estimator.correctedRate() == 47995);
}

TEST_CASE("timestamp jitter of 5 ms averages out within 100 ppm after a minute", "[drift]") {
  for (const double rate : {48000.0, 47995.0, 48005.0, 48480.0}) {
    INFO(rate);
    DriftEstimator estimator;
    Interface jittery{rate};
    jittery.jitterNs = 5'000'000;
    jittery.feed(estimator, 60);
    REQUIRE(estimator.ppm());
    const double truth = (rate / 48000.0 - 1.0) * 1e6;
    CHECK(*estimator.ppm() == Approx(truth).margin(100));
  }
}

TEST_CASE("nothing is estimated before the minimum of audio was seen", "[drift]") {
  DriftEstimator estimator(48000, std::chrono::seconds(120), std::chrono::seconds(5));
  CHECK_FALSE(estimator.ppm());
  CHECK(estimator.correctedRate() == 48000);
  Interface fast{48480.0};
  fast.feed(estimator, 4.9);
  CHECK_FALSE(estimator.ppm());
  CHECK(estimator.correctedRate() == 48000);
  fast.feed(estimator, 5.1);
  CHECK(estimator.ppm());
  CHECK(estimator.correctedRate() == 48480);
}

TEST_CASE("a drift within the deadband keeps the nominal rate", "[drift]") {
  DriftEstimator estimator;
  Interface nearlyExact{48000.3};  // about 6 ppm
  nearlyExact.feed(estimator, 60);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(6.25).margin(1));
  CHECK(estimator.correctedRate() == 48000);
  CHECK(estimator.correctedRate(5.0) == 48000);  // 48000.3 rounds to the nominal rate anyway
  CHECK(estimator.correctedRate(0.0) == 48000);
}

TEST_CASE("the corrected rate is clamped to 5 % of the nominal rate", "[drift]") {
  DriftEstimator fastEstimator;
  Interface wayFast{60000.0};
  wayFast.feed(fastEstimator, 10);
  REQUIRE(fastEstimator.ppm());
  CHECK(*fastEstimator.ppm() == Approx(250000.0).margin(100));
  CHECK(fastEstimator.correctedRate() == 50400);

  DriftEstimator slowEstimator;
  Interface waySlow{40000.0};
  waySlow.feed(slowEstimator, 10);
  CHECK(slowEstimator.correctedRate() == 45600);
}

TEST_CASE("reset forgets everything measured", "[drift]") {
  DriftEstimator estimator;
  Interface fast{48480.0};
  fast.feed(estimator, 30);
  REQUIRE(estimator.ppm());
  estimator.reset();
  CHECK_FALSE(estimator.ppm());
  CHECK(estimator.pointCount() == 0);
  CHECK(estimator.correctedRate() == 48000);
  // The restarted source runs exactly; nothing of the old 1 % remains.
  Interface exact{48000.0};
  exact.startNs = 100 * kNsPerSecond;
  exact.feed(estimator, 30);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(0.0).margin(0.5));
}

TEST_CASE("a jump of the timestamps restarts the estimate instead of bending it", "[drift]") {
  DriftEstimator estimator;
  Interface exact{48000.0};
  exact.feed(estimator, 30);
  // The same interface, its timestamps now 10 s later (a source restarted without reset()).
  exact.startNs += 10 * kNsPerSecond;
  exact.feed(estimator, 33);
  CHECK_FALSE(estimator.ppm());  // 3 s since the jump: under the minimum
  exact.feed(estimator, 40);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(0.0).margin(0.5));
  // And backwards.
  exact.startNs -= 20 * kNsPerSecond;
  exact.feed(estimator, 50);
  REQUIRE(estimator.ppm());
  CHECK(*estimator.ppm() == Approx(0.0).margin(0.5));
}

TEST_CASE("memory stays bounded over ten hours of buffers", "[drift]") {
  DriftEstimator estimator;
  Interface slow{47995.0, 1024};
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
  CHECK(estimator.correctedRate() == 47995);
}
