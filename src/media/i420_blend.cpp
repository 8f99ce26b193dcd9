#include "media/i420_blend.h"

#include <algorithm>
#include <cstddef>

namespace tribune::media {
namespace {

// GStreamer's video-blend.c matrix (BT.709, limited range), on 8-bit RGB scaled by 256:
//   Y = 16 + (47 R + 157 G + 16 B) / 256, U = 128 + (−26 R − 87 G + 112 B) / 256,
//   V = 128 + (112 R − 102 G − 10 B) / 256.
// On premultiplied r = R·a/255 the premultiplied Y' = Y·a/255 is
//   (255 (47 r + 157 g + 16 b) + 4096 a) / 65280, and likewise U', V' with 32768 a; these
// numerators are never negative when r, g, b ≤ a.
constexpr int kScale = 256 * 255;

int lumaNumerator(int r, int g, int b, int a) { return 255 * (47 * r + 157 * g + 16 * b) + 4096 * a; }
int cbNumerator(int r, int g, int b, int a) { return 255 * (-26 * r - 87 * g + 112 * b) + 32768 * a; }
int crNumerator(int r, int g, int b, int a) { return 255 * (112 * r - 102 * g - 10 * b) + 32768 * a; }

std::uint8_t roundedShare(int numerator, int denominator, int ceiling) {
  return static_cast<std::uint8_t>(std::min((numerator + denominator / 2) / denominator, ceiling));
}

// x × g / 255, rounded, without a division (exact for x, g ≤ 255).
inline unsigned scale255(unsigned x, unsigned g) {
  const unsigned t = x * g + 128;
  return (t + (t >> 8)) >> 8;
}

// The fast path. `n` is a parameter, not a member read in the loop: `d` may alias anything,
// and a bound the compiler had to reload after each store would keep the loop scalar.
void blendRow(std::uint8_t* d, const std::uint8_t* s, const std::uint8_t* a, int n) {
  for (int i = 0; i < n; ++i) {
    const auto t = static_cast<std::uint16_t>(d[i] * (255 - a[i]) + 128);
    d[i] = static_cast<std::uint8_t>(s[i] + ((t + (t >> 8)) >> 8));  // exact rounding of / 255
  }
}

// During a fade: s' and a scaled by the global alpha g first (s'·g ≤ a·g: no overflow).
void blendRowFaded(std::uint8_t* d, const std::uint8_t* s, const std::uint8_t* a, int n, unsigned g) {
  for (int i = 0; i < n; ++i) {
    const auto sa = static_cast<std::uint16_t>(scale255(a[i], g));
    const auto ss = static_cast<std::uint16_t>(scale255(s[i], g));
    const auto t = static_cast<std::uint16_t>(d[i] * (255 - sa) + 128);
    d[i] = static_cast<std::uint8_t>(ss + ((t + (t >> 8)) >> 8));
  }
}

// One plane of the overlay (at x, y, w × h in that plane's samples) over one plane of the
// frame (planeWidth × planeHeight), clipped.
void blendPlane(std::uint8_t* plane, int stride, int planeWidth, int planeHeight, int x, int y, int w, int h,
                const std::uint8_t* value, const std::uint8_t* alpha, GlobalAlpha g) {
  const int x0 = std::max(0, x), x1 = std::min(planeWidth, x + w);
  const int y0 = std::max(0, y), y1 = std::min(planeHeight, y + h);
  if (x0 >= x1 || y0 >= y1) return;
  const int n = x1 - x0;
  for (int row = y0; row < y1; ++row) {
    std::uint8_t* d = plane + static_cast<std::ptrdiff_t>(row) * stride + x0;
    const std::size_t at =
        static_cast<std::size_t>(row - y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x0 - x);
    if (g == 255) {
      blendRow(d, value + at, alpha + at, n);
    } else {
      blendRowFaded(d, value + at, alpha + at, n, g);
    }
  }
}

}  // namespace

std::shared_ptr<const PlanarOverlay> PlanarOverlay::fromImage(const graphics::Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() < static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 4) {
    return nullptr;
  }
  auto overlay = std::make_shared<PlanarOverlay>();
  PlanarOverlay& o = *overlay;
  // Widened to even edges (x & ~1 rounds down, negative numbers too).
  o.x = image.x & ~1;
  o.y = image.y & ~1;
  o.width = ((image.x + image.width + 1) & ~1) - o.x;
  o.height = ((image.y + image.height + 1) & ~1) - o.y;
  const int left = image.x - o.x;  // 0 or 1 transparent column before the image
  const int top = image.y - o.y;
  const auto lumaSize = static_cast<std::size_t>(o.width) * static_cast<std::size_t>(o.height);
  const auto chromaSize = lumaSize / 4;
  o.luma.assign(lumaSize, 0);
  o.lumaAlpha.assign(lumaSize, 0);
  o.cb.assign(chromaSize, 0);
  o.cr.assign(chromaSize, 0);
  o.chromaAlpha.assign(chromaSize, 0);

  const int cw = o.chromaWidth();
  std::vector<int> sumA(static_cast<std::size_t>(cw)), sumU(sumA.size()), sumV(sumA.size());
  for (int cy = 0; cy < o.chromaHeight(); ++cy) {
    std::fill(sumA.begin(), sumA.end(), 0);
    std::fill(sumU.begin(), sumU.end(), 0);
    std::fill(sumV.begin(), sumV.end(), 0);
    for (int oy = 2 * cy; oy < 2 * cy + 2; ++oy) {
      const int py = oy - top;  // row in the image
      if (py < 0 || py >= image.height) continue;
      const std::uint8_t* in = &image.pixels[static_cast<std::size_t>(py) * static_cast<std::size_t>(image.width) * 4];
      std::uint8_t* luma = &o.luma[static_cast<std::size_t>(oy) * static_cast<std::size_t>(o.width) + left];
      std::uint8_t* lumaAlpha = &o.lumaAlpha[static_cast<std::size_t>(oy) * static_cast<std::size_t>(o.width) + left];
      for (int px = 0; px < image.width; ++px, in += 4) {
        const int a = in[3];
        if (a == 0) continue;  // transparent: zeros already
        const int b = std::min<int>(in[0], a), g = std::min<int>(in[1], a), r = std::min<int>(in[2], a);
        luma[px] = roundedShare(lumaNumerator(r, g, b, a), kScale, a);
        lumaAlpha[px] = static_cast<std::uint8_t>(a);
        const auto cell = static_cast<std::size_t>((px + left) / 2);
        sumA[cell] += a;
        sumU[cell] += cbNumerator(r, g, b, a);
        sumV[cell] += crNumerator(r, g, b, a);
      }
    }
    const auto row = static_cast<std::size_t>(cy) * static_cast<std::size_t>(cw);
    for (std::size_t c = 0; c < sumA.size(); ++c) {
      const int alpha = (sumA[c] + 2) / 4;  // the 2×2 average: how much of the sample it covers
      o.chromaAlpha[row + c] = static_cast<std::uint8_t>(alpha);
      o.cb[row + c] = roundedShare(sumU[c], 4 * kScale, alpha);
      o.cr[row + c] = roundedShare(sumV[c], 4 * kScale, alpha);
    }
  }
  return overlay;
}

void blendI420(const I420View& frame, const PlanarOverlay& o, GlobalAlpha globalAlpha) {
  if (globalAlpha == 0 || o.width <= 0 || o.height <= 0) return;
  blendPlane(frame.data[0], frame.stride[0], frame.width, frame.height, o.x, o.y, o.width, o.height, o.luma.data(),
             o.lumaAlpha.data(), globalAlpha);
  const int chromaWidth = (frame.width + 1) / 2, chromaHeight = (frame.height + 1) / 2;
  for (int plane = 1; plane <= 2; ++plane) {
    blendPlane(frame.data[plane], frame.stride[plane], chromaWidth, chromaHeight, o.x / 2, o.y / 2, o.chromaWidth(),
               o.chromaHeight(), plane == 1 ? o.cb.data() : o.cr.data(), o.chromaAlpha.data(), globalAlpha);
  }
}

}  // namespace tribune::media
