#pragma once
// A QR code as a small SVG document (libqrencode), for pages: the console shows the
// tablets' pairing links this way.
#include <string>

namespace tribune::graphics {

// An SVG whose modules are unit squares in a viewBox with a 2-module quiet zone; empty
// when the text does not fit a QR code.
std::string qrCodeSvg(const std::string& text);

}  // namespace tribune::graphics
