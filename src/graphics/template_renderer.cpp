#include "graphics/template_renderer.h"

#include <cairo.h>
#include <librsvg/rsvg.h>
#include <qrencode.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

#include "core/svg_template.h"
#include "graphics/text_fit.h"

namespace tribune::graphics {
namespace {

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct HandleDeleter {
  void operator()(RsvgHandle* h) const { g_object_unref(h); }
};
struct QrDeleter {
  void operator()(QRcode* q) const { QRcode_free(q); }
};
struct ErrorHolder {
  GError* error = nullptr;
  ErrorHolder() = default;
  ErrorHolder(const ErrorHolder&) = delete;
  ErrorHolder& operator=(const ErrorHolder&) = delete;
  ~ErrorHolder() { g_clear_error(&error); }
  [[nodiscard]] std::string message() const { return error != nullptr ? error->message : "unknown error"; }
};

std::string unescapeXml(const std::string& text) {
  static const std::pair<const char*, const char*> kEntities[] = {{"&lt;", "<"},   {"&gt;", ">"},  {"&quot;", "\""},
                                                                  {"&apos;", "'"}, {"&#39;", "'"}, {"&amp;", "&"}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '&') {
      for (const auto& [entity, plain] : kEntities) {
        if (text.compare(i, std::char_traits<char>::length(entity), entity) == 0) {
          out += plain;
          i += std::char_traits<char>::length(entity);
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

// The special boxes of a template: <rect id="fit-…" data-…> and <rect id="qr-code" …>.
// Values were escaped by fillTemplate, so an attribute value never holds a raw quote.
struct SpecialBox {
  std::string id;
  std::map<std::string, std::string> attributes;
};

std::vector<SpecialBox> findSpecialBoxes(const std::string& svg) {
  static const std::regex kRect(R"(<rect\b[^>]*>)");
  static const std::regex kAttribute(R"(([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*"([^"]*)\")");
  std::vector<SpecialBox> boxes;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), kRect); it != std::sregex_iterator(); ++it) {
    SpecialBox box;
    const std::string tag = it->str();
    for (auto a = std::sregex_iterator(tag.begin(), tag.end(), kAttribute); a != std::sregex_iterator(); ++a) {
      box.attributes[(*a)[1].str()] = unescapeXml((*a)[2].str());
    }
    auto id = box.attributes.find("id");
    if (id == box.attributes.end()) continue;
    if (id->second.rfind("fit-", 0) == 0 || id->second == "qr-code") {
      box.id = id->second;
      boxes.push_back(std::move(box));
    }
  }
  return boxes;
}

bool parseColor(const std::string& text, double& r, double& g, double& b) {
  if (text.size() != 7 || text[0] != '#') return false;
  unsigned value = 0;
  std::istringstream in(text.substr(1));
  if (!(in >> std::hex >> value)) return false;
  r = ((value >> 16) & 0xff) / 255.0;
  g = ((value >> 8) & 0xff) / 255.0;
  b = (value & 0xff) / 255.0;
  return true;
}

double number(const std::map<std::string, std::string>& attributes, const char* key, double fallback) {
  auto it = attributes.find(key);
  if (it == attributes.end()) return fallback;
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    return fallback;
  }
}

std::string attribute(const std::map<std::string, std::string>& attributes, const char* key, std::string fallback) {
  auto it = attributes.find(key);
  return it == attributes.end() || it->second.empty() ? fallback : it->second;
}

// Modules on whole device pixels: a QR code that is scaled after rendering blurs.
std::optional<std::string> drawQrCode(cairo_t* cr, const Box& box, const std::string& url, const std::string& color) {
  std::unique_ptr<QRcode, QrDeleter> code(QRcode_encodeString(url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!code) return "the QR code cannot hold this URL";
  constexpr int kQuietModules = 2;
  const int modules = code->width;
  const int module =
      static_cast<int>(std::floor(std::min(box.width, box.height) / static_cast<double>(modules + 2 * kQuietModules)));
  if (module < 1) return "the qr-code box is too small for this URL";
  const double x0 = std::round(box.x + (box.width - module * modules) / 2.0);
  const double y0 = std::round(box.y + (box.height - module * modules) / 2.0);
  double r = 0, g = 0, b = 0;
  parseColor(color, r, g, b);
  cairo_save(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  cairo_set_source_rgb(cr, r, g, b);
  for (int y = 0; y < modules; ++y) {
    for (int x = 0; x < modules; ++x) {
      if ((code->data[y * modules + x] & 1) != 0) cairo_rectangle(cr, x0 + x * module, y0 + y * module, module, module);
    }
  }
  cairo_fill(cr);
  cairo_restore(cr);
  return std::nullopt;
}

Image cropToVisible(cairo_surface_t* surface) {
  cairo_surface_flush(surface);
  const int width = cairo_image_surface_get_width(surface);
  const int height = cairo_image_surface_get_height(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  int left = width, right = -1, top = height, bottom = -1;
  for (int y = 0; y < height; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
    for (int x = 0; x < width; ++x) {
      if ((row[x] >> 24) != 0) {
        left = std::min(left, x);
        right = std::max(right, x);
        top = std::min(top, y);
        bottom = std::max(bottom, y);
      }
    }
  }
  Image image;
  if (right < 0) return image;  // nothing visible
  image.x = left;
  image.y = top;
  image.width = right - left + 1;
  image.height = bottom - top + 1;
  image.pixels.resize(static_cast<std::size_t>(image.width) * image.height * 4);
  for (int y = 0; y < image.height; ++y) {
    std::copy_n(data + (top + y) * stride + left * 4, image.width * 4, image.pixels.data() + y * image.width * 4);
  }
  return image;
}

bool validTemplateName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

}  // namespace

TemplateRenderer::TemplateRenderer(std::vector<std::filesystem::path> templateDirs, int outputWidth, int outputHeight)
    : dirs_(std::move(templateDirs)), width_(outputWidth), height_(outputHeight) {}

std::optional<std::filesystem::path> TemplateRenderer::find(const std::string& name) const {
  if (!validTemplateName(name)) return std::nullopt;
  for (const auto& dir : dirs_) {
    auto file = dir / (name + ".svg");
    std::error_code ec;
    if (std::filesystem::is_regular_file(file, ec)) return file;
  }
  return std::nullopt;
}

RenderResult TemplateRenderer::render(const std::string& name, const std::map<std::string, std::string>& values) {
  auto cached = cache_.find(name);
  if (cached == cache_.end()) {
    auto file = find(name);
    if (!file) return {std::nullopt, "unknown template '" + name + "': no " + name + ".svg in the template folders"};
    std::ifstream in(*file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    cached = cache_.emplace(name, text.str()).first;
  }
  auto filled = core::fillTemplate(name, cached->second, values);
  if (!filled.svg) return {std::nullopt, *filled.error};
  const std::string& svg = *filled.svg;

  ErrorHolder error;
  std::unique_ptr<RsvgHandle, HandleDeleter> handle(
      rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &error.error));
  if (!handle) return {std::nullopt, "template '" + name + "' is not valid SVG: " + error.message()};
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width_, height_));
  std::unique_ptr<cairo_t, CairoDeleter> cr(cairo_create(surface.get()));
  const RsvgRectangle viewport{0, 0, static_cast<double>(width_), static_cast<double>(height_)};
  if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &error.error)) {
    return {std::nullopt, "template '" + name + "' cannot be drawn: " + error.message()};
  }

  const double scale = static_cast<double>(width_) / kDesignWidth;
  const std::string defaultFont = values.count("font") != 0 ? values.at("font") : "Open Sans";
  for (const auto& special : findSpecialBoxes(svg)) {
    RsvgRectangle ink{};
    RsvgRectangle logical{};
    const std::string selector = "#" + special.id;
    // Asked in the design's own 1920x1080 space and scaled here: librsvg 2.54 answers in
    // document units whatever the viewport.
    const RsvgRectangle design{0, 0, kDesignWidth, kDesignHeight};
    if (!rsvg_handle_get_geometry_for_layer(handle.get(), selector.c_str(), &design, &ink, &logical, &error.error)) {
      return {std::nullopt, "template '" + name + "': box " + special.id + ": " + error.message()};
    }
    const double sx = static_cast<double>(width_) / kDesignWidth;
    const double sy = static_cast<double>(height_) / kDesignHeight;
    const Box box{logical.x * sx, logical.y * sy, logical.width * sx, logical.height * sy};
    const auto& a = special.attributes;
    if (special.id == "qr-code") {
      if (auto problem =
              drawQrCode(cr.get(), box, attribute(a, "data-url", ""), attribute(a, "data-color", "#000000"))) {
        return {std::nullopt, "template '" + name + "': " + *problem};
      }
      continue;
    }
    TextStyle style;
    style.font = attribute(a, "data-font", defaultFont);
    style.fontSize = number(a, "data-font-size", 40) * scale;
    style.minSize = number(a, "data-min-size", 24) * scale;
    style.maxLines = static_cast<int>(number(a, "data-max-lines", 1));
    style.bold = attribute(a, "data-font-weight", "normal") == "bold";
    style.center = attribute(a, "data-align", "left") == "center";
    if (!parseColor(attribute(a, "data-color", "#ffffff"), style.red, style.green, style.blue)) {
      return {std::nullopt, "template '" + name + "': box " + special.id + ": data-color must look like #rrggbb"};
    }
    drawFittedText(cr.get(), box, attribute(a, "data-text", ""), style);
  }
  return {cropToVisible(surface.get()), std::nullopt};
}

std::optional<std::string> imageDataUri(const std::filesystem::path& file, std::string& error) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const char* mime = extension == ".png"                           ? "image/png"
                     : extension == ".svg"                         ? "image/svg+xml"
                     : extension == ".jpg" || extension == ".jpeg" ? "image/jpeg"
                                                                   : nullptr;
  if (mime == nullptr) {
    error = file.string() + ": the logo must be a .png, .jpg or .svg file";
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = file.string() + ": cannot read the logo";
    return std::nullopt;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string content = bytes.str();
  gchar* encoded = g_base64_encode(reinterpret_cast<const guchar*>(content.data()), content.size());
  std::string uri = std::string("data:") + mime + ";base64," + encoded;
  g_free(encoded);
  return uri;
}

}  // namespace tribune::graphics
