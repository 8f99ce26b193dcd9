#pragma once
// How fast an audio interface's own clock runs against the program clock.
//
// A sound card or capture card samples at "48000 Hz" by its own crystal, which is off by
// a few to a hundred ppm: over a three-hour meeting, 100 ppm is a second of lip-sync
// error. Its buffers carry timestamps on the program clock and a number of samples: the
// slope of (timestamp, samples delivered so far), fitted by least squares over a sliding
// window, is the true sample rate; timestamp jitter averages out over the window.
//
// A discontinuity (the source restarted, a buffer lost) would bend the line: the media side
// calls reset() when it restarts the source, and add() resets by itself when a timestamp
// lands more than a second away (back or forth) from where the samples delivered since the
// previous buffer say it should be.
//
// Threading: not thread-safe; one owner (the media side's audio thread) per source.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace tribune::core {

class DriftEstimator {
 public:
  explicit DriftEstimator(int nominalRate = 48000, std::chrono::seconds window = std::chrono::seconds(120),
                          std::chrono::seconds minimum = std::chrono::seconds(5));

  void reset();
  void add(std::uint64_t ptsNs, std::uint64_t samples);  // one buffer
  // Samples delivered per second of program time / nominal − 1, in ppm; nothing until
  // `minimum` of audio was seen since the last reset.
  [[nodiscard]] std::optional<double> ppm() const;
  // The rate to declare the audio at so that resampling it to the nominal rate puts it back
  // on the program clock: nominal × (1 + ppm/1e6), rounded; nominal when unknown or within
  // ±`deadbandPpm` (no resampler for an inaudible, unmeasurable difference); clamped to ±5 %.
  [[nodiscard]] int correctedRate(double deadbandPpm = 10.0) const;

  [[nodiscard]] int nominalRate() const { return nominalRate_; }
  // Points kept for the fit: at most one per 100 ms of the window, plus the newest.
  [[nodiscard]] std::size_t pointCount() const { return points_.size(); }
  [[nodiscard]] std::size_t maxPointCount() const;

 private:
  struct Point {
    std::int64_t ptsNs;     // since the first buffer after the last reset
    std::uint64_t samples;  // delivered before this buffer
  };

  int nominalRate_;
  std::chrono::nanoseconds window_;
  std::chrono::nanoseconds minimum_;
  std::deque<Point> points_;
  std::optional<std::uint64_t> originNs_;  // pts of the first buffer since the last reset
  std::int64_t lastPtsNs_ = 0;             // of the previous buffer, relative to the origin
  std::uint64_t lastSamples_ = 0;          // samples of the previous buffer
  std::uint64_t totalSamples_ = 0;         // delivered since the last reset, before the next buffer
};

}  // namespace tribune::core
