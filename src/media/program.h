#pragma once
// The program, the encode side: raw picture and sound handed in by the SourceFeed (two
// live appsrcs) → graphics → one H.264 and one AAC encoder → appsinks feeding the Fanout.
// Encode once, whatever the number of outputs. The source runs in its own pipeline
// (source_feed.h), so that its death never touches the encoders (DESIGN.md §4).
//
// Threading: constructed, started, stopped and rebuilt from the engine's owner or the
// source feed's supervisor; pushVideo/pushAudio from any thread (they lock); appsink
// callbacks run on streaming threads and only touch the Fanout; bus messages are turned
// into MediaListener calls in a sync handler (never handled here).
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/config.h"
#include "media/encoded_fanout.h"
#include "media/graphics_compositor.h"
#include "media/graphics_stage.h"
#include "media/gst_ref.h"
#include "media/loudness_stage.h"
#include "media/media_listener.h"
#include "media/media_types.h"

namespace tribune::media {

inline constexpr int kPreviewWidth = 480;
inline constexpr int kPreviewFramesPerSecond = 3;
inline constexpr std::uint64_t kLevelInterval = 100'000'000;  // ns: ten meter updates a second

class Program {
 public:
  Program(ProgramSettings settings, MediaListener& listener);
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  void start();  // throws MediaError when the pipeline cannot play
  void stop();
  // Asks the encoder for a key unit now (a destination just went live).
  void requestKeyUnit();
  // Huis clos: no sound leaves (the meters still see the microphones).
  void setMuted(bool muted);
  // The automatic gain towards the loudness target: auto, frozen or off (any thread).
  void setLoudnessMode(core::LoudnessMode mode);
  // Hands one raw frame (I420 at the program's size, the buffer's PTS in the program's
  // running time) to the encode side; takes ownership. Non-blocking: a full input drops
  // the oldest frame.
  void pushVideo(GstBuffer* buffer);
  // Hands interleaved S16LE stereo sound declared at `rate` (48 kHz, or the rate that
  // corrects the interface's drift: it is resampled to 48 kHz); takes ownership.
  void pushAudio(GstBuffer* buffer, int rate);
  // A stall: builds a new encode pipeline on the same clock and base time (the running
  // time goes on, the Fanout and the outputs stay), and hands the old one to `dispose`
  // (which must not block the caller: a stalled pipeline can take long to stop).
  void rebuild(const std::function<void(ElementRef)>& dispose);
  // Test hook: the encoder's input drops every frame, as a wedged encoder would.
  void simulateStall();
  // The pipeline clock and base time that the source's pipeline must share (valid once
  // started).
  [[nodiscard]] ObjectRef<GstClock> clock() const;
  [[nodiscard]] GstClockTime baseTime() const;

  [[nodiscard]] Fanout& fanout() { return fanout_; }
  [[nodiscard]] GraphicsCompositor& graphics() { return graphics_; }
  // Frames blended with graphics, and of those the ones that had to be copied first (0).
  [[nodiscard]] const GraphicsStage& graphicsStage() const { return *graphicsStage_; }
  // The pipeline's running time now (what a frame captured now is stamped with).
  [[nodiscard]] GstClockTime runningTime() const;
  [[nodiscard]] ProgramStats stats() const;
  // The description given to gst_parse_launch, for `--dry-run`-style diagnostics.
  [[nodiscard]] static std::string describe(const ProgramSettings& settings);

 private:
  static GstBusSyncReply onBusMessage(GstBus* bus, GstMessage* message, gpointer self);
  static GstFlowReturn onVideoSample(GstAppSink* sink, gpointer self);
  static GstFlowReturn onAudioSample(GstAppSink* sink, gpointer self);
  static GstFlowReturn onPreviewSample(GstAppSink* sink, gpointer self);
  // Builds the pipeline and its hooks (constructor and rebuild); throws MediaError.
  void build();
  void detachBus();

  ProgramSettings settings_;
  MediaListener& listener_;  // owned by the hub, outlives the program
  Fanout fanout_;
  GraphicsCompositor graphics_;
  // What build() creates. mutex_ guards the references while rebuild() swaps them, so
  // that a push never meets a half-built pipeline.
  mutable std::mutex mutex_;
  ElementRef pipeline_;
  ElementRef videoIn_;
  ElementRef audioIn_;
  ElementRef videoSink_;
  ElementRef videoRate_;
  ElementRef volume_;
  ElementRef valve_;
  std::unique_ptr<GraphicsStage> graphicsStage_;  // the probe that blends graphics_ into each frame
  // The gain and limiter of the sound, kept across rebuilds (its gain and integrated
  // loudness go on); attached to each pipeline's program_loudness by build().
  std::unique_ptr<LoudnessStage> loudness_;
  int audioRate_ = 0;  // the rate the audio input is declared at
  bool muted_ = false;
  bool started_ = false;
  std::atomic<bool> stopping_{false};
};

}  // namespace tribune::media
