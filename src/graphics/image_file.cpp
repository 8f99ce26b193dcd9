#include "graphics/image_file.h"

#include <cairo.h>
#include <librsvg/rsvg.h>

#include <cstring>
#include <memory>

namespace tribune::graphics {
namespace {

cairo_status_t appendTo(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct Reader {
  std::string_view bytes;
  std::size_t at = 0;
};

cairo_status_t readFrom(void* closure, unsigned char* data, unsigned int length) {
  auto& reader = *static_cast<Reader*>(closure);
  if (reader.bytes.size() - reader.at < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, reader.bytes.data() + reader.at, length);
  reader.at += length;
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string encodePng(const Image& image) {
  std::string out;
  if (image.width == 0 || image.height == 0) return out;
  std::vector<std::uint8_t> pixels = image.pixels;  // cairo wants a mutable buffer
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create_for_data(pixels.data(), CAIRO_FORMAT_ARGB32, image.width, image.height,
                                          image.width * 4),
      &cairo_surface_destroy);
  cairo_surface_write_to_png_stream(surface.get(), &appendTo, &out);
  return out;
}

std::string encodePngFrame(int width, int height, const std::vector<Image>& overlays) {
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> frame(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), &cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(frame.get()), &cairo_destroy);
  // A council chamber's dim grey, so that white and dark graphics both show.
  cairo_set_source_rgb(cr.get(), 0.35, 0.37, 0.40);
  cairo_paint(cr.get());
  for (const auto& overlay : overlays) {
    if (overlay.width == 0 || overlay.height == 0) continue;
    std::vector<std::uint8_t> pixels = overlay.pixels;
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> image(
        cairo_image_surface_create_for_data(pixels.data(), CAIRO_FORMAT_ARGB32, overlay.width, overlay.height,
                                            overlay.width * 4),
        &cairo_surface_destroy);
    cairo_set_source_surface(cr.get(), image.get(), overlay.x, overlay.y);
    cairo_paint(cr.get());
  }
  cairo_surface_flush(frame.get());
  std::string out;
  cairo_surface_write_to_png_stream(frame.get(), &appendTo, &out);
  return out;
}

std::optional<std::string> undecodableImage(std::string_view bytes, core::LogoKind kind) {
  if (kind == core::LogoKind::Png) {
    Reader reader{bytes};
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
        cairo_image_surface_create_from_png_stream(&readFrom, &reader), &cairo_surface_destroy);
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      return "Ce fichier PNG est illisible (abîmé ou incomplet).";
    }
    if (cairo_image_surface_get_width(surface.get()) == 0 || cairo_image_surface_get_height(surface.get()) == 0) {
      return "Cette image PNG est vide.";
    }
    return std::nullopt;
  }
  GError* error = nullptr;
  RsvgHandle* handle = rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(bytes.data()), bytes.size(), &error);
  if (handle == nullptr) {
    if (error != nullptr) g_error_free(error);
    return "Ce fichier SVG est illisible (XML incorrect ou incomplet).";
  }
  gdouble width = 0;
  gdouble height = 0;
  const gboolean sized = rsvg_handle_get_intrinsic_size_in_pixels(handle, &width, &height);
  RsvgRectangle ink{};
  RsvgRectangle logical{};
  const gboolean measured = rsvg_handle_get_geometry_for_element(handle, nullptr, &ink, &logical, nullptr);
  g_object_unref(handle);
  if ((sized == FALSE || width <= 0 || height <= 0) && (measured == FALSE || ink.width <= 0 || ink.height <= 0)) {
    return "Ce fichier SVG ne dessine rien (pas de taille ni de forme).";
  }
  return std::nullopt;
}

}  // namespace tribune::graphics
