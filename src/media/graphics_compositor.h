#pragma once
// Blends the on-air graphics into every frame through GstVideoOverlayComposition (the
// overlaycomposition element's "draw" signal). Each layer holds one pre-rendered image;
// the cost per frame is the blended area, never a re-render. Show and hide fade with the
// rectangle's global alpha.
//
// Threading: install() from the graphics worker, compose() from the streaming thread of
// the overlaycomposition element, timing() from anyone; all under mutex_, which is held
// only for bookkeeping (no rendering, no blocking call).
#include <gst/video/video.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "graphics/image.h"
#include "media/gst_ref.h"

namespace tribune::media {

using RectangleRef = MiniRef<GstVideoOverlayRectangle>;
using CompositionRef = MiniRef<GstVideoOverlayComposition>;

class GraphicsCompositor {
 public:
  static constexpr int kLayers = 4;  // core::Layer: bug, qr, lower third, slate (bottom to top)

  GraphicsCompositor(std::chrono::milliseconds fade, GstClockTime frameDuration);

  // A null or empty image hides the layer. `changeId` names the change for timing().
  void install(int layer, std::shared_ptr<const graphics::Image> image, std::uint64_t changeId);
  // The composition for the frame at `runningTime`; null when nothing is on air.
  GstVideoOverlayComposition* compose(GstClockTime runningTime);
  // Running time of the first frame that carried the change.
  [[nodiscard]] std::optional<GstClockTime> firstFrameOf(std::uint64_t changeId) const;
  [[nodiscard]] bool anythingOnAir() const;

 private:
  struct Slot {
    RectangleRef rectangle;  // what the layer shows or fades out
    bool target = false;     // fading towards visible or hidden
    double alpha = 0;        // alpha of the last composed frame
    double fadeFrom = 0;
    GstClockTime fadeStart = GST_CLOCK_TIME_NONE;
    std::optional<std::uint64_t> pending;  // change not yet on a frame
  };

  const GstClockTime fade_;
  const GstClockTime frameDuration_;
  mutable std::mutex mutex_;
  std::array<Slot, kLayers> slots_;
  std::map<std::uint64_t, GstClockTime> firstFrames_;  // bounded to the latest kKeptTimings
  static constexpr std::size_t kKeptTimings = 256;
};

}  // namespace tribune::media
