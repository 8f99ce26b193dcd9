#pragma once
// A rendered overlay: premultiplied ARGB32 in native byte order (B, G, R, A in memory on
// little-endian machines, which is what both cairo and GstVideoOverlayRectangle's "RGB"
// overlay format mean), placed at (x, y) in the output picture.
#include <cstdint>
#include <vector>

namespace tribune::graphics {

struct Image {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // width * height * 4, stride = width * 4

  [[nodiscard]] std::uint8_t alphaAt(int px, int py) const { return pixels[(py * width + px) * 4 + 3]; }
};

}  // namespace tribune::graphics
