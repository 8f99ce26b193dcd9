#pragma once
// How fast a sound card's own clock runs against the program clock, and what rate to
// declare the sound at so that it stays on the program clock without bending its pitch.
//
// A sound card or capture card samples at "48000 Hz" by its own crystal, which is off by
// a few to a few hundred ppm: over a three-hour meeting, 100 ppm is a second of lip-sync
// error. Its buffers carry timestamps on the program clock and a number of samples: the
// slope of (timestamp, samples delivered so far), fitted by least squares over a sliding
// window, is the true sample rate; timestamp jitter averages out over the window.
//
// What is NOT drift (issue 27): the first seconds of a source. Buffering, an SRT latency
// window, a jitter buffer filling or a demuxer's clock-skew estimate settling make the
// timestamps of the first seconds run fast or slow by percents, and a fit over them reads a
// "drift" of +45,000 ppm — a semitone. So the estimator ignores `settle` after each reset,
// reports how sure it is (the slope's standard error), and the corrector applies only an
// estimate that is plausible for a crystal (≤ `plausiblePpm`), sure and stable over
// several looks, moving the declared rate a few hertz per look (a pitch change of a
// fraction of a cent per second, which no listener hears).
//
// And a source that stamps its own media (a network camera, a file, a test source) has no
// capture clock of ours to correct: its sound and its picture carry the sender's
// timestamps together, so resampling the sound alone would pull it away from the picture.
// Correction applies to `SoundClock::Capture` sources only (the preset says so).
//
// A discontinuity (the source restarted, a buffer lost) would bend the line: the media side
// calls reset() when it restarts the source, and add() resets by itself when a timestamp
// lands more than a second away (back or forth) from where the samples delivered since the
// previous buffer say it should be.
//
// Threading: not thread-safe; one owner (the media side's supervisor) per source.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>

namespace tribune::core {

// Where a source's sound gets its pace.
enum class SoundClock {
  Capture,  // a local sound card or capture card, on its own crystal: its drift is corrected
  Stamped,  // the source stamps its own media (network, file, test): nothing to correct
};

struct DriftEstimate {
  double ppm = 0;               // samples per second of program time / nominal − 1
  double standardErrorPpm = 0;  // of the fitted slope: how sure the estimate is
  double spanSeconds = 0;       // program time the fit covers
};

struct DriftEstimatorSettings {
  int nominalRate = 48000;
  std::chrono::seconds window{120};  // the newest this much is fitted
  std::chrono::seconds settle{5};    // after a reset, ignored: the start-up transient
  std::chrono::seconds minimum{10};  // fitted span needed before any estimate
};

class DriftEstimator {
 public:
  explicit DriftEstimator(DriftEstimatorSettings settings = {});

  void reset();
  void add(std::uint64_t ptsNs, std::uint64_t samples);  // one buffer
  // Nothing until `settle` + `minimum` of sound since the last reset.
  [[nodiscard]] std::optional<DriftEstimate> estimate() const;
  [[nodiscard]] std::optional<double> ppm() const;

  [[nodiscard]] int nominalRate() const { return settings_.nominalRate; }
  // Points kept for the fit: at most one per 100 ms of the window, plus the newest.
  [[nodiscard]] std::size_t pointCount() const { return points_.size(); }
  [[nodiscard]] std::size_t maxPointCount() const;

 private:
  struct Point {
    std::int64_t ptsNs;     // since the first buffer after the last reset
    std::uint64_t samples;  // delivered before this buffer
  };

  DriftEstimatorSettings settings_;
  std::deque<Point> points_;
  std::optional<std::uint64_t> originNs_;  // pts of the first buffer since the last reset
  std::int64_t lastPtsNs_ = 0;             // of the previous buffer, relative to the origin
  std::uint64_t lastSamples_ = 0;          // samples of the previous buffer
  std::uint64_t totalSamples_ = 0;         // delivered since the last reset, before the next buffer
};

struct DriftCorrectionSettings {
  bool enabled = true;             // audio.drift_correction
  double plausiblePpm = 1000;      // beyond, the timestamps are wrong, not the crystal
  double maxStandardErrorPpm = 5;  // a less sure estimate waits for more sound
  int stableLooks = 5;             // consecutive looks that must agree…
  double stableWithinPpm = 10;     // …within this spread
  double deadbandPpm = 10;         // nearer than this to nominal: no correction
  int maxStepHz = 5;               // the declared rate moves by at most this per look (~100 ppm)
};

// What the corrector is doing, for the console, /metrics and the log.
enum class DriftState {
  Off,          // disabled, or a source that stamps its own media
  Measuring,    // no estimate yet (settling, or not enough sound)
  Uncertain,    // an estimate, not yet sure or stable enough to act on
  Implausible,  // an estimate no crystal has: timestamps, not drift; the rate is held
  Correcting,   // the declared rate follows the estimate
};
std::string_view toString(DriftState state);

struct DriftDecision {
  int rate = 48000;  // to declare the sound at (the program resamples it to nominal)
  DriftState state = DriftState::Measuring;
};

// The rule: once a second, the newest estimate in, the rate to declare out.
class DriftCorrector {
 public:
  DriftCorrector(SoundClock clock, DriftCorrectionSettings settings = {}, int nominalRate = 48000);

  DriftDecision look(const std::optional<DriftEstimate>& estimate);
  // The source restarted: the same card keeps its crystal, so the declared rate is kept
  // while the estimator measures again; only the stability record is forgotten.
  void sourceRestarted();

  [[nodiscard]] int rate() const { return rate_; }
  [[nodiscard]] DriftState state() const { return state_; }

 private:
  DriftCorrectionSettings settings_;
  int nominalRate_;
  int rate_;
  DriftState state_;
  std::deque<double> recent_;  // the last looks' estimates, while they were sure
};

}  // namespace tribune::core
