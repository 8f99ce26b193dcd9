#pragma once
// The program: source preset → normalisation → one H.264 and one AAC encoder → appsinks
// feeding the Fanout. Encode once, whatever the number of outputs.
//
// Threading: constructed, started, stopped and sought from the engine's owner (the hub);
// appsink callbacks run on streaming threads and only touch the Fanout; bus messages are
// turned into MediaListener calls in a sync handler (never handled here).
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/config.h"
#include "media/encoded_fanout.h"
#include "media/graphics_compositor.h"
#include "media/graphics_stage.h"
#include "media/gst_ref.h"
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
  // Seeks a looping source back to its start without a flush: the running time goes on.
  void loopSource();

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

  ProgramSettings settings_;
  MediaListener& listener_;  // owned by the hub, outlives the program
  ElementRef pipeline_;
  ElementRef videoSink_;
  ElementRef videoRate_;
  ElementRef volume_;
  Fanout fanout_;
  GraphicsCompositor graphics_;
  std::unique_ptr<GraphicsStage> graphicsStage_;  // the probe that blends graphics_ into each frame
  std::atomic<bool> stopping_{false};
  std::atomic<bool> segmentSeekDone_{false};
};

}  // namespace tribune::media
