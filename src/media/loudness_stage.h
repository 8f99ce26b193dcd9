#pragma once
// The programme's loudness stage (issue 27): a probe on a pad carrying the programme's sound
// as interleaved F32LE stereo at 48 kHz (in Program, the source pad of `identity
// name=program_loudness`, after the meters and before the huis-clos mute). It measures the
// sound coming in (libebur128), asks the core's GainController for the gain, applies it
// through the core's TruePeakLimiter, in place, measures what goes out, and reports the
// figures to the MediaListener four times a second. This file and its .cpp are the only
// ones that see libebur128.
//
// Threading: constructed and destroyed by the Program's owner; attach()/detach() from the
// thread that builds or rebuilds the pipeline; the probe runs on the audio streaming
// thread, under mutex_ (a rebuilt pipeline's probe and the old one's may overlap for a
// moment while the old pipeline stops); setMode()/setMuted() from any thread (atomics, read
// at the next block). The listener is called on the streaming thread, under mutex_: it
// only posts.
#include <gst/gst.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>

#include "core/loudness.h"
#include "media/gst_ref.h"
#include "media/loudness_figures.h"
#include "media/media_listener.h"

namespace tribune::media {

class LoudnessStage {
 public:
  static constexpr std::size_t kBlockFrames = 960;      // 20 ms: one gain decision
  static constexpr std::size_t kReportFrames = 12'000;  // 250 ms between reports
  LoudnessStage(const core::LoudnessSettings& settings, int sampleRate, int channels, MediaListener* listener);
  ~LoudnessStage();
  LoudnessStage(const LoudnessStage&) = delete;
  LoudnessStage& operator=(const LoudnessStage&) = delete;

  // Puts the probe on `pad` (removing it from the previous one).
  void attach(GstPad* pad);
  void detach();
  void setMode(core::LoudnessMode mode) { mode_.store(mode, std::memory_order_relaxed); }
  void setMuted(bool muted) { muted_.store(muted, std::memory_order_relaxed); }

  // What the probe does to each buffer: interleaved float frames, in place (the bench and
  // the tests call it directly).
  void process(float* interleaved, std::size_t frames);
  // The figures as last reported (or as they would be now, before the first report).
  [[nodiscard]] LoudnessFigures figures();
  // The sound's delay through the limiter's look-ahead, in frames.
  [[nodiscard]] std::size_t latencyFrames() const { return limiter_.latencyFrames(); }

 private:
  struct Meters;  // the libebur128 states (loudness_stage.cpp)
  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  void processBlock(float* interleaved, std::size_t frames);
  LoudnessFigures report();  // under mutex_

  core::LoudnessSettings settings_;
  int sampleRate_;
  int channels_;
  MediaListener* listener_;  // owned by the hub, outlives the stage; may be null (bench)
  std::atomic<core::LoudnessMode> mode_;
  std::atomic<bool> muted_{false};

  std::mutex mutex_;  // the processing state below
  std::unique_ptr<Meters> meters_;
  core::GainController gain_;
  core::TruePeakLimiter limiter_;
  double gainDb_ = 0;  // applied at the end of the last block
  std::size_t sinceReport_ = 0;
  double intervalTruePeak_ = 0;  // linear, over the interval
  double intervalLimiterDb_ = 0;
  LoudnessFigures last_;

  std::mutex padMutex_;  // pad_ and probe_
  PadRef pad_;
  gulong probe_ = 0;
};

}  // namespace tribune::media
