#pragma once
// The program's graphics stage: a probe on a pad carrying raw I420 frames (in Program, the
// source pad of `identity name=program_graphics`, before videorate) that blends the
// GraphicsCompositor's layers into each frame, in place, at the frame's running time.
//
// Threading: constructed and destroyed from the owner's thread (the probe is removed by
// the destructor); the probe runs on the streaming thread. The caps and segment it needs
// arrive as events serialised with the buffers, on that same thread.
#include <gst/gst.h>
#include <gst/video/video.h>

#include <atomic>
#include <cstdint>

#include "media/graphics_compositor.h"
#include "media/gst_ref.h"

namespace tribune::media {

class GraphicsStage {
 public:
  // `compositor` outlives the stage.
  GraphicsStage(GraphicsCompositor& compositor, GstPad* pad);
  ~GraphicsStage();
  GraphicsStage(const GraphicsStage&) = delete;
  GraphicsStage& operator=(const GraphicsStage&) = delete;

  // Frames with graphics blended into them.
  [[nodiscard]] std::uint64_t framesBlended() const { return blended_.load(std::memory_order_relaxed); }
  // Of those, frames that were shared and had to be copied before writing (expected 0).
  [[nodiscard]] std::uint64_t framesCopied() const { return copied_.load(std::memory_order_relaxed); }

  // A mapped I420 (or YV12) frame as the blend sees it.
  static I420View view(GstVideoFrame& frame);

 private:
  static GstPadProbeReturn onProbe(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  void setCaps(GstCaps* caps);
  void setSegment(const GstSegment* segment);
  GstPadProbeReturn onBuffer(GstPadProbeInfo* info);

  GraphicsCompositor& compositor_;
  PadRef pad_;
  gulong probe_ = 0;
  // Streaming thread only (and the constructor, before the probe exists).
  GstVideoInfo info_{};
  bool haveInfo_ = false;
  GstSegment segment_{};
  bool haveSegment_ = false;
  std::atomic<std::uint64_t> blended_{0};
  std::atomic<std::uint64_t> copied_{0};
};

}  // namespace tribune::media
