#include "graphics/qr_svg.h"

#include <qrencode.h>

#include <memory>
#include <sstream>

namespace tribune::graphics {

std::string qrCodeSvg(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                       &QRcode_free);
  if (!code) return {};
  constexpr int kQuiet = 2;
  const int size = code->width + 2 * kQuiet;
  std::ostringstream svg;
  svg << R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 )" << size << ' ' << size
      << R"(" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d=")";
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      if ((code->data[y * code->width + x] & 1) != 0) svg << 'M' << x + kQuiet << ',' << y + kQuiet << "h1v1h-1z";
    }
  }
  svg << R"("/></svg>)";
  return svg.str();
}

}  // namespace tribune::graphics
