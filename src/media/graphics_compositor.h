#pragma once
// Blends the on-air graphics into every frame of the program, in place. Each layer holds
// one pre-rendered image, converted once when it is installed into a PlanarOverlay
// (premultiplied I420 planes, i420_blend.h); per frame the visible layers are blended bottom
// to top with one multiply per sample: the cost is the blended area, never a render or a
// colour conversion. Show and hide fade with the layer's global alpha. GraphicsStage
// (graphics_stage.h) calls it for each frame of the stream. Not GstVideoOverlayComposition's
// blend, which converted the images again on every frame with six integer divisions per
// pixel: docs/PERFORMANCE.md.
//
// GStreamer-free: times are running times in nanoseconds (GstClockTime's unit).
//
// Threading: install() from the graphics worker, onAir() and blend() from the streaming
// thread, firstFrameOf() and anythingOnAir() from anyone. mutex_ guards the bookkeeping
// only: install() converts the image before taking it, and a frame copies the shared_ptrs
// of its overlays (immutable) under it and blends outside it, so an install never waits
// for a blend.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "graphics/image.h"
#include "media/i420_blend.h"

namespace tribune::media {

class GraphicsCompositor {
 public:
  static constexpr int kLayers = 4;  // core::Layer: bug, qr, lower third, slate (bottom to top)

  // What one frame shows: the visible layers, bottom to top, with their global alpha.
  struct OnAir {
    struct Layer {
      std::shared_ptr<const PlanarOverlay> overlay;
      GlobalAlpha alpha = 255;
    };
    std::array<Layer, kLayers> layers;
    int count = 0;
    [[nodiscard]] bool empty() const { return count == 0; }
  };

  // `frameDuration` in nanoseconds.
  GraphicsCompositor(std::chrono::milliseconds fade, std::uint64_t frameDuration);

  // A null or empty image hides the layer. `changeId` names the change for firstFrameOf().
  // The image is converted here, on the caller's thread, before the lock is taken.
  void install(int layer, std::shared_ptr<const graphics::Image> image, std::uint64_t changeId);
  // The same with an image converted beforehand (a cached slate: no conversion delay).
  void install(int layer, std::shared_ptr<const PlanarOverlay> overlay, std::uint64_t changeId);

  // The frame at `runningTime` (ns): advances the fades and records the first frame of each
  // change. Short, under the lock; the blend is the caller's, outside it.
  [[nodiscard]] OnAir onAir(std::uint64_t runningTime);
  // Blends `onAir` into a writable I420 frame, in place (no lock).
  static void blend(const I420View& frame, const OnAir& onAir);
  // Both: the graphics of the frame at `runningTime` blended into it.
  void blend(const I420View& frame, std::uint64_t runningTime) { blend(frame, onAir(runningTime)); }

  // Running time of the first frame that carried the change.
  [[nodiscard]] std::optional<std::uint64_t> firstFrameOf(std::uint64_t changeId) const;
  [[nodiscard]] bool anythingOnAir() const;

 private:
  struct Slot {
    std::shared_ptr<const PlanarOverlay> overlay;  // what the layer shows or fades out
    bool target = false;                           // fading towards visible or hidden
    double alpha = 0;                              // alpha of the last frame
    double fadeFrom = 0;
    std::optional<std::uint64_t> fadeStart;  // none: starts with the next frame
    std::optional<std::uint64_t> pending;    // change not yet on a frame
  };

  const std::uint64_t fade_;
  const std::uint64_t frameDuration_;
  mutable std::mutex mutex_;
  std::array<Slot, kLayers> slots_;
  std::map<std::uint64_t, std::uint64_t> firstFrames_;  // bounded to the latest kKeptTimings
  static constexpr std::size_t kKeptTimings = 256;
};

}  // namespace tribune::media
