// The in-place blend of the on-air graphics into I420 frames (media/i420_blend.h,
// media/graphics_compositor.h), against a reference computed here in floating point:
// the image's straight colour through GStreamer's overlay matrix (video-blend.c: BT.709,
// limited range), premultiplied, composited "over" the frame, chroma alpha and colour
// averaged over each 2×2 block. Frames are plain memory with guard bytes around every row
// and plane, so that a write out of bounds is seen.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "media/graphics_compositor.h"
#include "media/i420_blend.h"

using namespace tribune;
using namespace tribune::media;

namespace {

constexpr std::uint8_t kGuard = 0xA5;
constexpr int kPad = 24;  // guard bytes after each row and around each plane

// A w×h I420 frame filled with a known pattern, every plane inside guard bytes.
class TestFrame {
 public:
  TestFrame(int width, int height) : width_(width), height_(height) {
    for (int p = 0; p < 3; ++p) {
      size_[p] = {p == 0 ? width : (width + 1) / 2, p == 0 ? height : (height + 1) / 2};
      stride_[p] = size_[p][0] + kPad;
      store_[p].assign(static_cast<std::size_t>(kPad + stride_[p] * size_[p][1] + kPad), kGuard);
      for (int y = 0; y < size_[p][1]; ++y) {
        for (int x = 0; x < size_[p][0]; ++x) at(p, x, y) = pattern(p, x, y);
      }
    }
  }

  static std::uint8_t pattern(int plane, int x, int y) {
    switch (plane) {
      case 0: return static_cast<std::uint8_t>(16 + (x * 3 + y * 5) % 220);
      case 1: return static_cast<std::uint8_t>(16 + (x * 7 + y * 2) % 225);
      default: return static_cast<std::uint8_t>(16 + (x + y * 11) % 225);
    }
  }

  [[nodiscard]] I420View view() {
    I420View v;
    for (int p = 0; p < 3; ++p) {
      v.data[p] = store_[p].data() + kPad;
      v.stride[p] = stride_[p];
    }
    v.width = width_;
    v.height = height_;
    return v;
  }

  std::uint8_t& at(int plane, int x, int y) {
    return store_[plane][static_cast<std::size_t>(kPad + y * stride_[plane] + x)];
  }
  [[nodiscard]] int planeWidth(int plane) const { return size_[plane][0]; }
  [[nodiscard]] int planeHeight(int plane) const { return size_[plane][1]; }
  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }

  // Guard bytes written over: before and after each plane, and after each row.
  [[nodiscard]] int damagedGuards() const {
    int damaged = 0;
    for (int p = 0; p < 3; ++p) {
      for (std::size_t i = 0; i < store_[p].size(); ++i) {
        const auto offset = static_cast<long>(i) - kPad;
        const bool inPicture =
            offset >= 0 && offset < static_cast<long>(stride_[p]) * size_[p][1] && offset % stride_[p] < size_[p][0];
        if (!inPicture && store_[p][i] != kGuard) ++damaged;
      }
    }
    return damaged;
  }

 private:
  int width_, height_;
  std::array<std::array<int, 2>, 3> size_{};
  std::array<int, 3> stride_{};
  std::array<std::vector<std::uint8_t>, 3> store_;
};

// A premultiplied BGRA image with opaque, half-transparent, transparent and in-between
// pixels of many colours. `alphas` picks the alpha layout.
enum class Alphas { Mixed, Opaque, Half };

std::shared_ptr<const graphics::Image> makeImage(int x, int y, int width, int height, Alphas alphas,
                                                 unsigned seed = 1) {
  auto image = std::make_shared<graphics::Image>();
  image->x = x;
  image->y = y;
  image->width = width;
  image->height = height;
  image->pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4);
  unsigned state = seed * 2654435761U + 12345U;
  auto next = [&state] {
    state = state * 1664525U + 1013904223U;
    return (state >> 16) & 0xFFU;
  };
  for (int py = 0; py < height; ++py) {
    for (int px = 0; px < width; ++px) {
      unsigned a = 255;
      if (alphas == Alphas::Half) a = 128;
      if (alphas == Alphas::Mixed) {
        // Bands of whole opaque, half and transparent areas, and a zone of anything.
        const int band = (px / 5 + py / 3) % 4;
        a = band == 0 ? 255U : band == 1 ? 128U : band == 2 ? 0U : next();
      }
      // Saturated primaries and white/black now and then, otherwise anything.
      const unsigned pick = next() % 8;
      unsigned r = next(), g = next(), b = next();
      if (pick == 0) {
        r = 255;
        g = b = 0;
      } else if (pick == 1) {
        r = g = 0;
        b = 255;
      } else if (pick == 2) {
        r = g = b = 255;
      } else if (pick == 3) {
        r = g = b = 0;
      }
      auto premultiply = [a](unsigned c) { return static_cast<std::uint8_t>((c * a + 127) / 255); };
      std::uint8_t* p = &image->pixels[(static_cast<std::size_t>(py) * static_cast<std::size_t>(width) + px) * 4];
      p[0] = premultiply(b);
      p[1] = premultiply(g);
      p[2] = premultiply(r);
      p[3] = static_cast<std::uint8_t>(a);
    }
  }
  return image;
}

// ---- The reference, in floating point.

struct Premultiplied {
  double y = 0, u = 0, v = 0, a = 0;  // Y·a/255 etc.; a in 0..255
};

// The image's pixel at picture coordinates (fx, fy); transparent outside the image.
Premultiplied sample(const graphics::Image& image, int fx, int fy) {
  const int px = fx - image.x, py = fy - image.y;
  if (px < 0 || py < 0 || px >= image.width || py >= image.height) return {};
  const std::uint8_t* p =
      &image.pixels[(static_cast<std::size_t>(py) * static_cast<std::size_t>(image.width) + px) * 4];
  const double a = p[3];
  if (a == 0) return {};
  const double b = std::min(255.0, p[0] * 255.0 / a), g = std::min(255.0, p[1] * 255.0 / a),
               r = std::min(255.0, p[2] * 255.0 / a);
  const double y = 16 + (47 * r + 157 * g + 16 * b) / 256;
  const double u = 128 + (-26 * r - 87 * g + 112 * b) / 256;
  const double v = 128 + (112 * r - 102 * g - 10 * b) / 256;
  return {y * a / 255, u * a / 255, v * a / 255, a};
}

bool covers(const graphics::Image& image, int fx, int fy) {
  return fx >= image.x && fy >= image.y && fx < image.x + image.width && fy < image.y + image.height;
}

struct Expected {
  std::array<std::vector<double>, 3> planes;
  std::array<std::vector<bool>, 3> touched;  // covered by an image: may change
};

// `layers` bottom to top, each with its global alpha g (0..1).
Expected reference(TestFrame& frame,
                   const std::vector<std::pair<std::shared_ptr<const graphics::Image>, double>>& layers) {
  Expected e;
  for (int p = 0; p < 3; ++p) {
    const int w = frame.planeWidth(p), h = frame.planeHeight(p);
    e.planes[p].resize(static_cast<std::size_t>(w * h));
    e.touched[p].assign(static_cast<std::size_t>(w * h), false);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) e.planes[p][static_cast<std::size_t>(y * w + x)] = frame.at(p, x, y);
    }
  }
  for (const auto& [image, g] : layers) {
    for (int y = 0; y < frame.height(); ++y) {
      for (int x = 0; x < frame.width(); ++x) {
        if (!covers(*image, x, y)) continue;
        const auto s = sample(*image, x, y);
        const auto i = static_cast<std::size_t>(y * frame.width() + x);
        e.planes[0][i] = s.y * g + e.planes[0][i] * (1 - s.a * g / 255);
        e.touched[0][i] = true;
      }
    }
    const int cw = frame.planeWidth(1), ch = frame.planeHeight(1);
    for (int cy = 0; cy < ch; ++cy) {
      for (int cx = 0; cx < cw; ++cx) {
        Premultiplied mean;
        bool any = false;
        for (int d = 0; d < 4; ++d) {
          const int fx = 2 * cx + d % 2, fy = 2 * cy + d / 2;
          any = any || covers(*image, fx, fy);
          const auto s = sample(*image, fx, fy);
          mean.u += s.u / 4;
          mean.v += s.v / 4;
          mean.a += s.a / 4;
        }
        if (!any) continue;
        const auto i = static_cast<std::size_t>(cy * cw + cx);
        e.planes[1][i] = mean.u * g + e.planes[1][i] * (1 - mean.a * g / 255);
        e.planes[2][i] = mean.v * g + e.planes[2][i] * (1 - mean.a * g / 255);
        e.touched[1][i] = e.touched[2][i] = true;
      }
    }
  }
  return e;
}

struct Comparison {
  std::array<double, 3> worst{};  // largest |blended − reference| per plane
  int untouchedChanged = 0;       // samples no image covers that changed at all
  long touched = 0;
};

Comparison compare(TestFrame& frame, const Expected& e) {
  Comparison c;
  for (int p = 0; p < 3; ++p) {
    const int w = frame.planeWidth(p), h = frame.planeHeight(p);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const auto i = static_cast<std::size_t>(y * w + x);
        const double got = frame.at(p, x, y);
        if (e.touched[p][i]) {
          c.worst[p] = std::max(c.worst[p], std::abs(got - e.planes[p][i]));
          ++c.touched;
        } else if (got != TestFrame::pattern(p, x, y)) {
          ++c.untouchedChanged;
        }
      }
    }
  }
  return c;
}

void checkAgainstReference(TestFrame& frame, const Expected& expected) {
  const auto c = compare(frame, expected);
  INFO("worst differences Y " << c.worst[0] << ", U " << c.worst[1] << ", V " << c.worst[2] << " over " << c.touched
                              << " samples");
  CHECK(c.touched > 0);
  CHECK(c.worst[0] <= 2.0);
  CHECK(c.worst[1] <= 2.0);
  CHECK(c.worst[2] <= 2.0);
  CHECK(c.untouchedChanged == 0);
  CHECK(frame.damagedGuards() == 0);
}

void blendOne(TestFrame& frame, const std::shared_ptr<const graphics::Image>& image, GlobalAlpha alpha = 255) {
  auto overlay = PlanarOverlay::fromImage(*image);
  REQUIRE(overlay);
  blendI420(frame.view(), *overlay, alpha);
}

constexpr std::uint64_t kMs = 1'000'000;  // ns

}  // namespace

TEST_CASE("an image is converted once into even-aligned premultiplied I420 planes", "[media][graphics][blend]") {
  auto image = makeImage(101, 37, 63, 29, Alphas::Mixed);
  auto overlay = PlanarOverlay::fromImage(*image);
  REQUIRE(overlay);
  CHECK(overlay->x == 100);
  CHECK(overlay->y == 36);
  CHECK(overlay->width == 64);   // 100..163 holds 101..163
  CHECK(overlay->height == 30);  // 36..65 holds 37..65
  CHECK(overlay->luma.size() == 64U * 30U);
  CHECK(overlay->cb.size() == 32U * 15U);
  // The added column and row are transparent; every value is premultiplied (≤ its alpha).
  for (int y = 0; y < overlay->height; ++y) CHECK(overlay->lumaAlpha[static_cast<std::size_t>(y * 64)] == 0);
  for (int x = 0; x < overlay->width; ++x) CHECK(overlay->lumaAlpha[static_cast<std::size_t>(x)] == 0);
  for (std::size_t i = 0; i < overlay->luma.size(); ++i) REQUIRE(overlay->luma[i] <= overlay->lumaAlpha[i]);
  for (std::size_t i = 0; i < overlay->cb.size(); ++i) {
    REQUIRE(overlay->cb[i] <= overlay->chromaAlpha[i]);
    REQUIRE(overlay->cr[i] <= overlay->chromaAlpha[i]);
  }

  CHECK_FALSE(PlanarOverlay::fromImage(graphics::Image{}));
}

TEST_CASE("opaque, half-transparent and transparent pixels blend like the reference, at odd positions and sizes",
          "[media][graphics][blend]") {
  TestFrame frame(320, 240);
  const auto [x, y, w, h] = GENERATE(std::array{101, 37, 63, 29}, std::array{100, 36, 64, 30}, std::array{0, 0, 1, 1},
                                     std::array{7, 8, 2, 3}, std::array{31, 33, 5, 1});
  const auto alphas = GENERATE(Alphas::Mixed, Alphas::Opaque, Alphas::Half);
  INFO("image at " << x << "," << y << ", " << w << "x" << h << ", alphas " << static_cast<int>(alphas));
  auto image = makeImage(x, y, w, h, alphas, static_cast<unsigned>(x + w));
  const auto expected = reference(frame, {{image, 1.0}});
  blendOne(frame, image);
  checkAgainstReference(frame, expected);
}

TEST_CASE("an opaque pixel shows the image's colour, a transparent one leaves the frame as it was",
          "[media][graphics][blend]") {
  TestFrame frame(64, 64);
  auto image = std::make_shared<graphics::Image>();
  image->x = 10;
  image->y = 10;
  image->width = 4;
  image->height = 2;
  // Row 0: opaque orange #ff8800 ×2, transparent ×2; row 1: the same.
  for (int py = 0; py < 2; ++py) {
    for (int px = 0; px < 4; ++px) {
      const bool opaque = px < 2;
      image->pixels.insert(image->pixels.end(),
                           {static_cast<std::uint8_t>(opaque ? 0x00 : 0), static_cast<std::uint8_t>(opaque ? 0x88 : 0),
                            static_cast<std::uint8_t>(opaque ? 0xff : 0), static_cast<std::uint8_t>(opaque ? 255 : 0)});
    }
  }
  blendOne(frame, image);
  // GStreamer's matrix: Y = 16 + (47·255 + 157·136) / 256 = 146.2, U = 128 + (−26·255 − 87·136) / 256
  // = 55.9, V = 128 + (112·255 − 102·136) / 256 = 185.4.
  CHECK(frame.at(0, 10, 10) == 146);
  CHECK(frame.at(0, 11, 11) == 146);
  CHECK(frame.at(1, 5, 5) == 56);
  CHECK(frame.at(2, 5, 5) == 185);
  CHECK(frame.at(0, 12, 10) == TestFrame::pattern(0, 12, 10));
  CHECK(frame.at(0, 13, 11) == TestFrame::pattern(0, 13, 11));
  CHECK(frame.at(1, 6, 5) == TestFrame::pattern(1, 6, 5));
  CHECK(frame.at(2, 6, 5) == TestFrame::pattern(2, 6, 5));
  CHECK(frame.damagedGuards() == 0);
}

TEST_CASE("an image is clipped at the frame's edges and never written out of bounds", "[media][graphics][blend]") {
  SECTION("over the right and bottom edges") {
    TestFrame frame(320, 240);
    auto image = makeImage(291, 221, 41, 23, Alphas::Mixed);
    const auto expected = reference(frame, {{image, 1.0}});
    blendOne(frame, image);
    checkAgainstReference(frame, expected);
  }
  SECTION("over the left and top edges (negative position)") {
    TestFrame frame(320, 240);
    auto image = makeImage(-7, -5, 40, 30, Alphas::Mixed);
    const auto expected = reference(frame, {{image, 1.0}});
    blendOne(frame, image);
    checkAgainstReference(frame, expected);
  }
  SECTION("larger than the frame on every side") {
    TestFrame frame(320, 240);
    auto image = makeImage(-3, -1, 330, 250, Alphas::Mixed);
    const auto expected = reference(frame, {{image, 1.0}});
    blendOne(frame, image);
    checkAgainstReference(frame, expected);
  }
  SECTION("larger than a frame of odd size") {
    TestFrame frame(321, 241);
    auto image = makeImage(-1, -2, 400, 300, Alphas::Opaque);
    const auto expected = reference(frame, {{image, 1.0}});
    blendOne(frame, image);
    checkAgainstReference(frame, expected);
  }
  SECTION("entirely outside") {
    TestFrame frame(320, 240);
    for (auto image : {makeImage(320, 0, 10, 10, Alphas::Opaque), makeImage(0, 240, 10, 10, Alphas::Opaque),
                       makeImage(-10, -10, 10, 10, Alphas::Opaque), makeImage(-11, 5, 10, 10, Alphas::Opaque)}) {
      blendOne(frame, image);
    }
    const auto expected = reference(frame, {});
    CHECK(compare(frame, expected).untouchedChanged == 0);
    CHECK(frame.damagedGuards() == 0);
  }
}

TEST_CASE("a global alpha scales the image during a fade", "[media][graphics][blend]") {
  TestFrame frame(320, 240);
  const int alpha = GENERATE(1, 51, 102, 128, 153, 204, 254);
  INFO("global alpha " << alpha << "/255");
  auto image = makeImage(33, 17, 151, 99, Alphas::Mixed);
  const auto expected = reference(frame, {{image, alpha / 255.0}});
  blendOne(frame, image, static_cast<GlobalAlpha>(alpha));
  checkAgainstReference(frame, expected);

  TestFrame untouched(320, 240);
  blendOne(untouched, image, 0);
  CHECK(compare(untouched, reference(untouched, {})).untouchedChanged == 0);
}

TEST_CASE("the compositor fades a layer in and out over the configured time, from the change's first frame",
          "[media][graphics][blend]") {
  // 100 ms fades at 25 fps: 0.4 (102/255) on the change's first frame, 0.8, then 1.
  GraphicsCompositor compositor(std::chrono::milliseconds(100), 40 * kMs);
  auto image = makeImage(41, 21, 120, 61, Alphas::Mixed);
  compositor.install(2, image, 7);
  CHECK(compositor.anythingOnAir());
  CHECK_FALSE(compositor.firstFrameOf(7));

  const std::uint64_t t0 = 1000 * kMs;
  for (const auto& [t, g] : {std::pair{t0, 0.4}, std::pair{t0 + 40 * kMs, 0.8}, std::pair{t0 + 80 * kMs, 1.0}}) {
    INFO("frame at " << t / kMs << " ms, global alpha " << g);
    TestFrame frame(320, 240);
    const auto expected = reference(frame, {{image, g}});
    const auto onAir = compositor.onAir(t);
    REQUIRE(onAir.count == 1);
    CHECK(onAir.layers[0].alpha == static_cast<GlobalAlpha>(std::lround(g * 255)));
    GraphicsCompositor::blend(frame.view(), onAir);
    checkAgainstReference(frame, expected);
  }
  CHECK(compositor.firstFrameOf(7) == t0);

  compositor.install(2, std::shared_ptr<const graphics::Image>{}, 8);  // hide: fades out from 1
  const std::uint64_t t1 = t0 + 120 * kMs;
  {
    TestFrame frame(320, 240);
    const auto expected = reference(frame, {{image, 0.6}});
    compositor.blend(frame.view(), t1);
    checkAgainstReference(frame, expected);
  }
  CHECK(compositor.firstFrameOf(8) == t1);
  CHECK(compositor.onAir(t1 + 40 * kMs).layers[0].alpha == 51);  // 0.2
  CHECK(compositor.onAir(t1 + 80 * kMs).empty());
  CHECK_FALSE(compositor.anythingOnAir());
  TestFrame frame(320, 240);
  compositor.blend(frame.view(), t1 + 120 * kMs);
  CHECK(compare(frame, reference(frame, {})).untouchedChanged == 0);
}

TEST_CASE("layers are blended bottom to top, a new image replacing the old one at once", "[media][graphics][blend]") {
  GraphicsCompositor compositor(std::chrono::milliseconds(0), 40 * kMs);
  auto bug = makeImage(10, 10, 100, 50, Alphas::Opaque, 1);
  auto lowerThird = makeImage(60, 30, 200, 100, Alphas::Mixed, 2);
  auto slate = makeImage(150, 100, 100, 100, Alphas::Half, 3);
  compositor.install(3, slate, 1);  // installed in any order, blended in layer order
  compositor.install(0, bug, 2);
  compositor.install(2, lowerThird, 3);
  TestFrame frame(320, 240);
  // Where layers overlap, the reference composites in floating point; the product rounds
  // after each layer, so allow a little more there.
  const auto expected = reference(frame, {{bug, 1.0}, {lowerThird, 1.0}, {slate, 1.0}});
  compositor.blend(frame.view(), 5000 * kMs);
  const auto c = compare(frame, expected);
  INFO("worst differences Y " << c.worst[0] << ", U " << c.worst[1] << ", V " << c.worst[2]);
  CHECK(c.worst[0] <= 3.0);
  CHECK(c.worst[1] <= 3.0);
  CHECK(c.worst[2] <= 3.0);
  CHECK(c.untouchedChanged == 0);

  auto next = makeImage(60, 30, 200, 100, Alphas::Opaque, 4);  // the next agenda item
  compositor.install(2, next, 4);
  TestFrame after(320, 240);
  const auto expectedAfter = reference(after, {{bug, 1.0}, {next, 1.0}, {slate, 1.0}});
  compositor.blend(after.view(), 5040 * kMs);
  const auto c2 = compare(after, expectedAfter);
  CHECK(c2.worst[0] <= 3.0);
  CHECK(c2.worst[1] <= 3.0);
  CHECK(c2.worst[2] <= 3.0);
  CHECK(compositor.firstFrameOf(4) == 5040 * kMs);
}

TEST_CASE("the on-air graphics blend into 720p and 1080p frames like the reference", "[media][graphics][blend]") {
  const auto [width, height] = GENERATE(std::pair{1280, 720}, std::pair{1920, 1080});
  INFO(width << "x" << height);
  const double scale = height / 1080.0;
  auto at = [scale](int v) { return static_cast<int>(std::lround(v * scale)); };
  // Where the templates put them: the bug top left, the QR card top right, the lower third.
  auto bug = makeImage(at(95), at(53), at(421), at(121), Alphas::Mixed, 1);
  auto qr = makeImage(at(1559), at(53), at(301), at(363), Alphas::Opaque, 2);
  auto lowerThird = makeImage(at(97), at(811), at(1727), at(215), Alphas::Mixed, 3);
  GraphicsCompositor compositor(std::chrono::milliseconds(0), 33 * kMs);
  compositor.install(0, bug, 1);
  compositor.install(1, qr, 2);
  compositor.install(2, lowerThird, 3);
  TestFrame frame(width, height);
  const auto expected = reference(frame, {{bug, 1.0}, {qr, 1.0}, {lowerThird, 1.0}});
  compositor.blend(frame.view(), 0);
  checkAgainstReference(frame, expected);
}
