#pragma once
// What a commune's logo may be (issue 23, the console's settings): a PNG or an SVG, checked
// before it is kept. An SVG is a document that browsers run scripts in; Tribune draws it
// with librsvg (which runs none), but a logo is also a file an agent may open, so one that
// carries script, event handlers, external references or entity declarations is refused.
// Pure: the app decodes the image itself (graphics/) once these checks pass.
#include <optional>
#include <string>
#include <string_view>

namespace tribune::core {

enum class LogoKind { Png, Svg };

// The kind, from the file's first bytes (PNG's signature, or an XML/SVG text), or nothing.
std::optional<LogoKind> logoKind(std::string_view bytes);

// Why this SVG text is refused (French, for the console), or nothing.
std::optional<std::string> svgRefusal(std::string_view text);

}  // namespace tribune::core
