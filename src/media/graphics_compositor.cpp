#include "media/graphics_compositor.h"

#include <algorithm>
#include <cmath>

namespace tribune::media {

GraphicsCompositor::GraphicsCompositor(std::chrono::milliseconds fade, std::uint64_t frameDuration)
    : fade_(static_cast<std::uint64_t>(std::chrono::nanoseconds(fade).count())), frameDuration_(frameDuration) {}

void GraphicsCompositor::install(int layer, std::shared_ptr<const graphics::Image> image, std::uint64_t changeId) {
  // A few ms for a lower third, on the installing thread (the graphics worker).
  install(layer, image ? std::shared_ptr<const PlanarOverlay>(PlanarOverlay::fromImage(*image)) : nullptr, changeId);
}

void GraphicsCompositor::install(int layer, std::shared_ptr<const PlanarOverlay> overlay, std::uint64_t changeId) {
  std::lock_guard lock(mutex_);
  Slot& slot = slots_.at(static_cast<std::size_t>(layer));
  slot.pending = changeId;
  if (overlay) {
    // Already visible: the new content replaces the old at once (the next agenda item);
    // otherwise it fades in from wherever the layer's alpha is.
    slot.overlay = std::move(overlay);
    slot.target = true;
  } else {
    slot.target = false;
  }
  slot.fadeFrom = slot.alpha;
  slot.fadeStart.reset();  // starts with the next frame
}

GraphicsCompositor::OnAir GraphicsCompositor::onAir(std::uint64_t runningTime) {
  OnAir frame;
  std::lock_guard lock(mutex_);
  for (auto& slot : slots_) {
    if (slot.pending) {
      // The change starts one frame back, so that its first frame already shows it.
      slot.fadeStart = runningTime >= frameDuration_ ? runningTime - frameDuration_ : 0;
      if (firstFrames_.size() >= kKeptTimings) firstFrames_.erase(firstFrames_.begin());
      firstFrames_[*slot.pending] = runningTime;
      slot.pending.reset();
    }
    if (!slot.overlay) continue;
    const double to = slot.target ? 1.0 : 0.0;
    double alpha = to;
    if (fade_ > 0 && slot.fadeStart && runningTime >= *slot.fadeStart) {
      const double progress =
          std::min(1.0, static_cast<double>(runningTime - *slot.fadeStart) / static_cast<double>(fade_));
      alpha = slot.fadeFrom + (to - slot.fadeFrom) * progress;
    }
    slot.alpha = alpha;
    if (alpha <= 0.0) {
      if (!slot.target) slot.overlay.reset();  // faded out
      continue;
    }
    // Quantised once per frame; 255 (at rest) takes the fast path.
    const auto global = static_cast<GlobalAlpha>(std::lround(std::min(alpha, 1.0) * 255.0));
    if (global == 0) continue;
    frame.layers.at(static_cast<std::size_t>(frame.count++)) = {slot.overlay, global};
  }
  return frame;
}

void GraphicsCompositor::blend(const I420View& frame, const OnAir& onAir) {
  for (int i = 0; i < onAir.count; ++i) {  // bottom to top
    const auto& layer = onAir.layers.at(static_cast<std::size_t>(i));
    blendI420(frame, *layer.overlay, layer.alpha);
  }
}

std::optional<std::uint64_t> GraphicsCompositor::firstFrameOf(std::uint64_t changeId) const {
  std::lock_guard lock(mutex_);
  auto it = firstFrames_.find(changeId);
  if (it == firstFrames_.end()) return std::nullopt;
  return it->second;
}

bool GraphicsCompositor::anythingOnAir() const {
  std::lock_guard lock(mutex_);
  return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return static_cast<bool>(s.overlay); });
}

}  // namespace tribune::media
