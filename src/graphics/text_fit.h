#pragma once
// Fitting a French title into a box, measured with Pango: wrap to at most maxLines, then
// shrink from fontSize down to minSize, then ellipsize the last line. Never overflows.
#include <cairo.h>

#include <string>

namespace tribune::graphics {

struct Box {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
};

struct TextStyle {
  std::string font = "Open Sans";
  double fontSize = 44;  // in output pixels
  double minSize = 28;
  int maxLines = 2;
  bool bold = false;
  bool center = false;
  double red = 1, green = 1, blue = 1;
};

struct FitOutcome {
  double fontSize = 0;  // the size used
  int lines = 0;
  bool ellipsized = false;
};

FitOutcome drawFittedText(cairo_t* cr, const Box& box, const std::string& text, const TextStyle& style);

}  // namespace tribune::graphics
