#include "graphics/text_fit.h"

#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace tribune::graphics {
namespace {

struct LayoutDeleter {
  void operator()(PangoLayout* p) const { g_object_unref(p); }
};
struct FontDeleter {
  void operator()(PangoFontDescription* p) const { pango_font_description_free(p); }
};

// Lays the text out at `size`; with `lineLimit` > 0 the layout stops there and
// ellipsizes. Returns the logical extents.
PangoRectangle layOut(PangoLayout* layout, PangoFontDescription* font, double size, int lineLimit) {
  pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
  pango_layout_set_font_description(layout, font);
  if (lineLimit > 0) {
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_height(layout, -lineLimit);
  } else {
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_NONE);
    pango_layout_set_height(layout, -1);
  }
  PangoRectangle ink;
  PangoRectangle logical;
  pango_layout_get_pixel_extents(layout, &ink, &logical);
  return logical;
}

}  // namespace

FitOutcome drawFittedText(cairo_t* cr, const Box& box, const std::string& text, const TextStyle& style) {
  FitOutcome outcome;
  if (text.empty() || box.width < 1 || box.height < 1) return outcome;
  std::unique_ptr<PangoLayout, LayoutDeleter> layout(pango_cairo_create_layout(cr));
  std::unique_ptr<PangoFontDescription, FontDeleter> font(pango_font_description_from_string(style.font.c_str()));
  pango_font_description_set_weight(font.get(), style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_width(layout.get(), static_cast<int>(box.width * PANGO_SCALE));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(layout.get(), style.center ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
  pango_layout_set_text(layout.get(), text.c_str(), -1);

  const int maxLines = std::max(1, style.maxLines);
  const double minSize = std::min(style.minSize, style.fontSize);
  const double step = std::max(1.0, std::round(style.fontSize * 0.04));
  PangoRectangle extents{};
  bool fitted = false;
  // 1. wrap, 2. shrink: the largest size at which the whole text fits.
  for (double size = style.fontSize; size >= minSize - 0.01; size -= step) {
    extents = layOut(layout.get(), font.get(), size, 0);
    if (pango_layout_get_line_count(layout.get()) <= maxLines && extents.height <= box.height) {
      outcome.fontSize = size;
      fitted = true;
      break;
    }
  }
  // 3. ellipsize at the smallest size, with as many lines as the box holds.
  if (!fitted) {
    outcome.fontSize = minSize;
    int lines = maxLines;
    while (true) {
      extents = layOut(layout.get(), font.get(), minSize, lines);
      if (extents.height <= box.height || lines == 1) break;
      --lines;
    }
  }
  outcome.lines = pango_layout_get_line_count(layout.get());
  outcome.ellipsized = pango_layout_is_ellipsized(layout.get()) != 0;

  cairo_save(cr);
  // Whatever the font does (accents above capitals, a tall glyph), nothing leaves the box.
  cairo_rectangle(cr, box.x, box.y, box.width, box.height);
  cairo_clip(cr);
  cairo_set_source_rgb(cr, style.red, style.green, style.blue);
  cairo_move_to(cr, box.x, box.y + (box.height - extents.height) / 2.0 - extents.y);
  pango_cairo_show_layout(cr, layout.get());
  cairo_restore(cr);
  return outcome;
}

}  // namespace tribune::graphics
