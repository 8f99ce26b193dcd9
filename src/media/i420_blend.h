#pragma once
// The on-air graphics' blend into I420 frames, without GStreamer's per-pixel work.
//
// An image is converted once, when it is installed, into a PlanarOverlay: premultiplied
// Y', U', V' planes and their alpha (luma alpha per pixel, chroma alpha the 2×2 average),
// with the colours of GStreamer's own overlay blend (BT.709, limited range: the matrix of
// video-blend.c). Per frame, each sample is blended in place as
//   d = s' + d × (255 − a) / 255
// with the division by 255 done exactly as (t + (t >> 8)) >> 8, t = d × (255 − a) + 128:
// one multiply per sample, no division, a loop the compiler vectorises (16-bit lanes).
// During a fade the overlay's s' and a are scaled by the layer's global alpha on the fly.
//
// GStreamer-free: the frame is three plane pointers and strides (GraphicsCompositor maps
// the GstVideoFrame). Overlays are immutable once built and shared between threads.
#include <cstdint>
#include <memory>
#include <vector>

#include "graphics/image.h"

namespace tribune::media {

// One image as premultiplied planar 4:2:0. Its rectangle is the image's, widened to even
// coordinates and sizes (the added border is transparent), so that every chroma sample it
// covers is whole.
struct PlanarOverlay {
  int x = 0;                                  // even; may be negative (the part outside the frame is clipped per frame)
  int y = 0;                                  // even
  int width = 0;                              // even
  int height = 0;                             // even
  std::vector<std::uint8_t> luma, lumaAlpha;  // width × height, stride width
  std::vector<std::uint8_t> cb, cr, chromaAlpha;  // (width / 2) × (height / 2), stride width / 2

  [[nodiscard]] int chromaWidth() const { return width / 2; }
  [[nodiscard]] int chromaHeight() const { return height / 2; }

  // Null for an empty image. Components above alpha (not premultiplied) are taken as alpha.
  static std::shared_ptr<const PlanarOverlay> fromImage(const graphics::Image& image);
};

// A writable I420 picture: planes 0 (Y), 1 (U), 2 (V).
struct I420View {
  std::uint8_t* data[3] = {nullptr, nullptr, nullptr};
  int stride[3] = {0, 0, 0};
  int width = 0;  // luma; chroma is (width + 1) / 2 × (height + 1) / 2
  int height = 0;
};

// 255: the overlay as it is (the fast path); 0: nothing.
using GlobalAlpha = std::uint8_t;

// Blends `overlay` over `frame` in place, clipped to the frame.
void blendI420(const I420View& frame, const PlanarOverlay& overlay, GlobalAlpha globalAlpha = 255);

}  // namespace tribune::media
