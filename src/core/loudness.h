#pragma once
// The programme's loudness, decided (issue 27, part 3): a slow automatic gain towards a
// target in LUFS, gated so that it never pumps on silence nor raises the room noise between
// speakers, and a look-ahead true-peak limiter so that nothing clips. Pure computation on
// numbers and float samples: the measures (BS.1770 loudness, by libebur128) come from the
// media side (media/loudness_stage.h), which feeds them here and applies what comes out.
//
// Not thread-safe: one owner (the audio streaming thread) calls update()/process().
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace tribune::core {

// What the technician chose: the gain follows the programme (auto), stays where it is
// (frozen), or goes back to 0 dB (off). The limiter guards the true peak in every mode.
enum class LoudnessMode { Auto, Frozen, Off };
std::string_view toString(LoudnessMode mode);
std::optional<LoudnessMode> loudnessModeFromString(std::string_view text);

// tribune.json, audio.loudness (docs/CONFIG.md).
struct LoudnessSettings {
  bool enabled = true;         // the mode at start: auto, or off
  double targetLufs = -16.0;   // online platforms; broadcast practice is -23 (EBU R 128)
  double truePeakDbtp = -1.0;  // the limiter's ceiling
  double maxGainDb = 20.0;     // the most the gain may raise a soft room
  double gateLufs = -50.0;     // below this the programme is the room, not a speaker
};

// The programme before the gain, measured over the last block (a few tens of ms).
struct LoudnessReading {
  double blockLufs = -200.0;      // the block's own level (fast: opens the gate)
  double momentaryLufs = -200.0;  // BS.1770 momentary (400 ms): what the gain follows
};

// The automatic gain. Its programme gain moves only while someone speaks (the block's
// level and the momentary loudness above the gate, and the momentary loudness within 10 LU
// of the speech measured so far, the relative gate of BS.1770), towards target − speech
// loudness, at most 1.5 dB/s up (slow: no audible pumping) and 4 dB/s down (a loud speaker
// is brought down sooner; the limiter holds the peaks meanwhile). Between speakers (the gate
// closed for 0.8 s) the applied gain glides down to at most 0 dB, so the room noise stays at
// its own level; it comes back within a tenth of a second when someone speaks again.
class GainController {
 public:
  static constexpr double kMinGainDb = -20.0;
  static constexpr double kRiseDbPerSecond = 1.5;
  static constexpr double kFallDbPerSecond = 4.0;
  static constexpr double kGateHoldSeconds = 0.8;
  static constexpr double kGateCloseDbPerSecond = 6.0;
  static constexpr double kGateOpenDbPerSecond = 200.0;
  static constexpr double kOffDbPerSecond = 20.0;     // towards 0 dB when switched off
  static constexpr double kSpeechTimeConstant = 4.0;  // s, of the speech loudness estimate
  static constexpr double kRelativeGateLu = 10.0;

  explicit GainController(const LoudnessSettings& settings);

  void setMode(LoudnessMode mode) { mode_ = mode; }
  [[nodiscard]] LoudnessMode mode() const { return mode_; }
  // One block of `seconds` of programme; returns the gain to apply at its end, in dB.
  double update(const LoudnessReading& reading, double seconds);
  [[nodiscard]] double gainDb() const { return appliedDb_; }
  [[nodiscard]] double programmeGainDb() const { return programmeDb_; }
  [[nodiscard]] bool gateOpen() const { return gateOpen_; }
  // The speech's loudness before the gain (none before anyone spoke).
  [[nodiscard]] std::optional<double> speechLufs() const;

 private:
  LoudnessSettings settings_;
  LoudnessMode mode_;
  double programmeDb_ = 0.0;
  double appliedDb_ = 0.0;
  bool gateOpen_ = false;
  double sinceAboveGate_ = 1e9;        // seconds since the block's level was above the gate
  std::optional<double> speechPower_;  // mean square (linear) of the gated momentary loudness
};

// A look-ahead true-peak limiter on interleaved float samples. Each sample's need (the
// ceiling over the larger of the sample and the peaks between it and the next one, found by
// 4× oversampling, as BS.1770's true peak) is held over the look-ahead window, released
// with a time constant, and smoothed by a moving average over the same window: the gain is
// down in time for the peak (the sound is delayed by latencyFrames()) and never steps. The
// output's true peak stays under the ceiling; a quarter of a dB is kept for the
// interpolation's own error.
class TruePeakLimiter {
 public:
  static constexpr int kOversampling = 4;
  static constexpr int kHalfTaps = 6;  // the interpolation reads 6 samples on each side
  static constexpr std::size_t kTaps = std::size_t{2} * kHalfTaps;
  static constexpr double kMarginDb = 0.25;

  TruePeakLimiter(int channels, int sampleRate, double ceilingDbtp, double lookaheadSeconds = 0.003,
                  double releaseSeconds = 0.08);

  // Multiplies the block by a gain ramping from `fromDb` to `toDb`, limits it, and writes
  // the limited sound `latencyFrames()` frames later (the first output is silence).
  void process(float* interleaved, std::size_t frames, double fromDb, double toDb);
  [[nodiscard]] std::size_t latencyFrames() const { return window_ - 1 + static_cast<std::size_t>(kHalfTaps); }
  // The deepest reduction of the last process() call, in dB (0 or negative).
  [[nodiscard]] double lastReductionDb() const { return lastReductionDb_; }
  [[nodiscard]] double ceilingDbtp() const { return ceilingDbtp_; }

 private:
  [[nodiscard]] float peakAround(std::size_t newest) const;  // |sample| and the peaks after it

  int channels_;
  double ceilingDbtp_;
  float ceiling_;  // linear, with the margin
  std::size_t window_;
  double release_;                                // per-frame coefficient towards 1
  std::vector<std::array<float, kTaps>> phases_;  // kOversampling - 1 interpolators
  // Per channel, the last 2·kHalfTaps input frames (gained), a ring.
  std::vector<float> history_;
  std::size_t historyAt_ = 0;
  // The delay line: frames waiting for their gain, a ring of latencyFrames() frames.
  std::vector<float> delay_;
  std::size_t delayAt_ = 0;
  // The sliding minimum of the needs over the window: a monotonic queue (ring).
  std::vector<std::pair<std::uint64_t, float>> minQueue_;
  std::size_t minHead_ = 0;
  std::size_t minSize_ = 0;
  std::uint64_t frameIndex_ = 0;
  float released_ = 1.0F;
  // The moving average of the released gain over the window.
  std::vector<float> averageRing_;
  std::size_t averageAt_ = 0;
  double averageSum_ = 0.0;
  double lastReductionDb_ = 0.0;
};

// dB ↔ linear amplitude.
double dbToGain(double db);
double gainToDb(double gain);

}  // namespace tribune::core
