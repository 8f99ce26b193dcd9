#include "media/graphics_compositor.h"

#include <algorithm>

namespace tribune::media {
namespace {

RectangleRef toRectangle(const std::shared_ptr<const graphics::Image>& image) {
  // The buffer wraps the image's pixels and keeps the image alive: no copy.
  auto* keeper = new std::shared_ptr<const graphics::Image>(image);
  GstBuffer* buffer = gst_buffer_new_wrapped_full(
      GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(image->pixels.data()), image->pixels.size(), 0,
      image->pixels.size(), keeper, [](gpointer p) { delete static_cast<std::shared_ptr<const graphics::Image>*>(p); });
  gst_buffer_add_video_meta(buffer, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB,
                            static_cast<guint>(image->width), static_cast<guint>(image->height));
  auto rectangle = RectangleRef::adopt(gst_video_overlay_rectangle_new_raw(
      buffer, image->x, image->y, static_cast<guint>(image->width), static_cast<guint>(image->height),
      GST_VIDEO_OVERLAY_FORMAT_FLAG_PREMULTIPLIED_ALPHA));
  gst_buffer_unref(buffer);  // the rectangle holds its own reference
  return rectangle;
}

}  // namespace

GraphicsCompositor::GraphicsCompositor(std::chrono::milliseconds fade, GstClockTime frameDuration)
    : fade_(static_cast<GstClockTime>(fade.count()) * GST_MSECOND), frameDuration_(frameDuration) {}

void GraphicsCompositor::install(int layer, std::shared_ptr<const graphics::Image> image, std::uint64_t changeId) {
  const bool show = image && image->width > 0 && image->height > 0;
  RectangleRef rectangle = show ? toRectangle(image) : RectangleRef{};
  std::lock_guard lock(mutex_);
  Slot& slot = slots_.at(static_cast<std::size_t>(layer));
  slot.pending = changeId;
  if (show) {
    // Already visible: the new content replaces the old at once (the next agenda item);
    // otherwise it fades in from wherever the layer's alpha is.
    slot.rectangle = std::move(rectangle);
    slot.target = true;
  } else {
    slot.target = false;
  }
  slot.fadeFrom = slot.alpha;
  slot.fadeStart = GST_CLOCK_TIME_NONE;  // starts with the next frame
}

GstVideoOverlayComposition* GraphicsCompositor::compose(GstClockTime runningTime) {
  std::lock_guard lock(mutex_);
  GstVideoOverlayComposition* composition = nullptr;
  for (auto& slot : slots_) {
    if (slot.pending) {
      // The change starts one frame back, so that its first frame already shows it.
      slot.fadeStart = runningTime >= frameDuration_ ? runningTime - frameDuration_ : 0;
      if (firstFrames_.size() >= kKeptTimings) firstFrames_.erase(firstFrames_.begin());
      firstFrames_[*slot.pending] = runningTime;
      slot.pending.reset();
    }
    if (!slot.rectangle) continue;
    const double to = slot.target ? 1.0 : 0.0;
    double alpha = to;
    if (fade_ > 0 && GST_CLOCK_TIME_IS_VALID(slot.fadeStart) && runningTime >= slot.fadeStart) {
      const double progress =
          std::min(1.0, static_cast<double>(runningTime - slot.fadeStart) / static_cast<double>(fade_));
      alpha = slot.fadeFrom + (to - slot.fadeFrom) * progress;
    }
    slot.alpha = alpha;
    if (alpha <= 0.0) {
      if (!slot.target) slot.rectangle.reset();  // faded out
      continue;
    }
    if (gst_video_overlay_rectangle_get_global_alpha(slot.rectangle.get()) != static_cast<gfloat>(alpha)) {
      gst_video_overlay_rectangle_set_global_alpha(slot.rectangle.get(), static_cast<gfloat>(alpha));
    }
    if (composition == nullptr) {
      composition = gst_video_overlay_composition_new(slot.rectangle.get());
    } else {
      gst_video_overlay_composition_add_rectangle(composition, slot.rectangle.get());
    }
  }
  return composition;
}

std::optional<GstClockTime> GraphicsCompositor::firstFrameOf(std::uint64_t changeId) const {
  std::lock_guard lock(mutex_);
  auto it = firstFrames_.find(changeId);
  if (it == firstFrames_.end()) return std::nullopt;
  return it->second;
}

bool GraphicsCompositor::anythingOnAir() const {
  std::lock_guard lock(mutex_);
  return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return static_cast<bool>(s.rectangle); });
}

}  // namespace tribune::media
