// On-air graphics benchmark (DESIGN.md §7 "graphics": all graphics on at 1080p30, at most
// 1 ms of CPU per frame over the bare program). One process alternates, round after round
// (the order rotates each round, so no variant always runs first or last):
//   bare                videotestsrc ! I420 ! fakesink
//   tribune             … ! identity ! …  with Program's graphics stage on it: GraphicsStage's
//                       probe blending GraphicsCompositor's layers (bug + agenda + QR code)
//   overlaycomposition  … ! overlaycomposition ! …  GStreamer's blend of the same images (what
//                       Tribune did before: the reference)
//   rsvgoverlay         … ! videoconvert ! rsvgoverlay ! videoconvert ! I420 ! …  (one SVG, same look)
//   textoverlay         … ! textoverlay × 3 ! …  (a comparable text-only look)
// (plus the opt-in what-if "ayuv", further down)
// and measures the process CPU time (getrusage: user + sys) and the wall time from PLAYING
// to EOS. It also times one render of the agenda template: that plus one frame is the
// latency floor of a graphics command.
//
// A benchmark reports; it does not test: the exit status is non-zero only when something
// cannot run, never for a missed bar. How to read the numbers: docs/PERFORMANCE.md.
#include <gst/gst.h>
#include <gst/video/video.h>
#include <qrencode.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/overlays.h"
#include "core/svg_template.h"
#include "graphics/template_renderer.h"
#include "media/graphics_compositor.h"
#include "media/graphics_stage.h"
#include "media/gst_ref.h"
#include "summary.h"

using namespace tribune;

namespace {

using bench::summaryMedian;

const std::filesystem::path kOverlays = std::filesystem::path(TRIBUNE_SOURCE_DIR) / "overlays";

// The longest title docs/GRAPHICS.md promises to fit (about 200 characters, French).
const std::string kLongTitle =
    "Approbation du compte de gestion 2025 du budget annexe de l'eau et de l'assainissement, affectation du "
    "résultat de fonctionnement et reprise anticipée des restes à réaliser de la section d'investissement « eau »";
const std::string kCommune = "Ville de Démo";
const std::string kNumber = "12 bis";
const std::string kRapporteur = "Mme Claire Martin, adjointe aux finances";
const std::string kUrl = "https://www.ville-demo.fr/questions";
const std::string kCaption = "Posez vos questions au maire";
constexpr int kFps = 30;

struct Options {
  int rounds = 7;
  int frames = 300;
  int width = 1920;
  int height = 1080;
  int renders = 30;  // timed renders of the agenda template per output size; 0: none
  std::vector<std::string> variants = {"bare", "tribune", "overlaycomposition", "rsvgoverlay", "textoverlay"};
  std::optional<std::filesystem::path> snapshots;  // one PNG per variant, to compare the looks
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_graphics: " << problem << "\n"
      << "usage: tribune_bench_graphics [--rounds R] [--frames N] [--width W --height H] [--renders K]\n"
      << "                              [--variants bare,tribune,overlaycomposition,rsvgoverlay,textoverlay]\n"
      << "                              [--snapshots DIR]\n"
      << "what-if variant, not in the default list: ayuv (the images as AYUV rectangles for GStreamer's\n"
      << "blend); see docs/PERFORMANCE.md.\n";
  std::exit(status);
}

Options parseOptions(int argc, char** argv) {
  Options options;
  auto number = [&](int& i, const std::string& flag, int minimum) {
    if (i + 1 >= argc) usage(flag + " needs a value");
    try {
      const int value = std::stoi(argv[++i]);
      if (value < minimum) usage(flag + " must be at least " + std::to_string(minimum));
      return value;
    } catch (const std::logic_error&) {
      usage(flag + " needs a number");
    }
  };
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--rounds") {
      options.rounds = number(i, flag, 1);
    } else if (flag == "--frames") {
      options.frames = number(i, flag, 2);  // the first frame prerolls, outside the timing
    } else if (flag == "--width") {
      options.width = number(i, flag, 16);
    } else if (flag == "--height") {
      options.height = number(i, flag, 16);
    } else if (flag == "--renders") {
      options.renders = number(i, flag, 0);
    } else if (flag == "--variants") {
      if (i + 1 >= argc) usage(flag + " needs a value");
      options.variants.clear();
      std::istringstream list(argv[++i]);
      for (std::string name; std::getline(list, name, ',');) {
        if (name != "bare" && name != "tribune" && name != "overlaycomposition" && name != "rsvgoverlay" &&
            name != "textoverlay" && name != "ayuv") {
          usage("unknown variant '" + name + "'");
        }
        options.variants.push_back(name);
      }
      if (options.variants.empty()) usage(flag + " needs at least one variant");
    } else if (flag == "--snapshots") {
      if (i + 1 >= argc) usage(flag + " needs a folder");
      options.snapshots = argv[++i];
    } else if (flag == "--help" || flag == "-h") {
      usage("measures the CPU cost of the on-air graphics per frame", 0);
    } else {
      usage("unknown option " + flag);
    }
  }
  if (options.width % 2 != 0 || options.height % 2 != 0) usage("I420 needs an even width and height");
  return options;
}

std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::map<std::string, std::string> values(const std::string& logo, std::map<std::string, std::string> own) {
  std::map<std::string, std::string> all = {{"commune", kCommune},
                                            {"color_primary", "#1f3a93"},
                                            {"color_accent", "#e4002b"},
                                            {"color_text", "#ffffff"},
                                            {"font", "Open Sans"},
                                            {"time", "19:42"},
                                            {"logo", logo}};
  for (auto& [key, value] : own) all[key] = value;
  return all;
}

struct Look {
  std::map<std::string, std::string> bug, agenda, qr;
};

Look theLook() {
  std::string error;
  auto logo = graphics::imageDataUri(kOverlays / "no-logo.png", error);
  if (!logo) throw std::runtime_error(error);
  return {values(*logo, {}), values(*logo, {{"number", kNumber}, {"title", kLongTitle}, {"rapporteur", kRapporteur}}),
          values(*logo, {{"url", kUrl}, {"caption", kCaption}})};
}

std::string fixed(double value, int decimals = 2) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// ---------------------------------------------------------------------------------------
// The rsvgoverlay reference: the three templates filled, their fitted text boxes turned into
// plain <text> (wrapped and shrunk with an estimate of Open Sans's advance instead of Pango),
// the QR code as a path of modules, nested in one document.

// Characters of a filled (XML-escaped, UTF-8) text: an entity or a code point counts one.
std::size_t characters(const std::string& text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      const auto end = text.find(';', i);
      if (end != std::string::npos) i = end;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
      continue;
    }
    ++count;
  }
  return count;
}

std::vector<std::string> wrap(const std::string& text, double maxCharacters) {
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string line;
  for (std::string word; words >> word;) {
    const std::string candidate = line.empty() ? word : line + " " + word;
    if (!line.empty() && static_cast<double>(characters(candidate)) > maxCharacters) {
      lines.push_back(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::map<std::string, std::string> attributesOf(const std::string& tag) {
  static const std::regex kAttribute(R"(([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*"([^"]*)\")");
  std::map<std::string, std::string> attributes;
  for (auto a = std::sregex_iterator(tag.begin(), tag.end(), kAttribute); a != std::sregex_iterator(); ++a) {
    attributes[(*a)[1].str()] = (*a)[2].str();
  }
  return attributes;
}

double attributeNumber(const std::map<std::string, std::string>& a, const std::string& key, double fallback) {
  auto it = a.find(key);
  return it == a.end() ? fallback : std::stod(it->second);
}

std::string attributeText(const std::map<std::string, std::string>& a, const std::string& key, std::string fallback) {
  auto it = a.find(key);
  return it == a.end() || it->second.empty() ? fallback : it->second;
}

std::string fittedTextAsSvg(const std::map<std::string, std::string>& a, const std::string& font) {
  const std::string text = attributeText(a, "data-text", "");
  if (text.empty()) return "";
  const double x = attributeNumber(a, "x", 0), y = attributeNumber(a, "y", 0);
  const double width = attributeNumber(a, "width", 0), height = attributeNumber(a, "height", 0);
  const double largest = attributeNumber(a, "data-font-size", 40), smallest = attributeNumber(a, "data-min-size", 24);
  const auto maxLines = static_cast<std::size_t>(attributeNumber(a, "data-max-lines", 1));
  const bool bold = attributeText(a, "data-font-weight", "normal") == "bold";
  const bool center = attributeText(a, "data-align", "left") == "center";
  const double advance = bold ? 0.54 : 0.5;  // Open Sans, average em per character of French text
  double size = largest;
  std::vector<std::string> lines = wrap(text, width / (size * advance));
  while (lines.size() > maxLines && size > smallest) {
    size = std::max(smallest, size - 1);
    lines = wrap(text, width / (size * advance));
  }
  if (lines.size() > maxLines) {
    lines.resize(maxLines);
    lines.back() += "…";
  }
  const double lineHeight = 1.362 * size;  // Open Sans: ascent 1.069 em + descent 0.293 em
  const double top = y + (height - lineHeight * static_cast<double>(lines.size())) / 2;
  std::ostringstream svg;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    svg << "<text x=\"" << fixed(center ? x + width / 2 : x, 1) << "\" y=\""
        << fixed(top + lineHeight * static_cast<double>(i) + 1.069 * size, 1) << "\" font-family=\""
        << attributeText(a, "data-font", font) << ", sans-serif\" font-size=\"" << fixed(size, 1) << "\" font-weight=\""
        << (bold ? "bold" : "normal") << "\" fill=\"" << attributeText(a, "data-color", "#ffffff")
        << "\" text-anchor=\"" << (center ? "middle" : "start") << "\">" << lines[i] << "</text>";
  }
  return svg.str();
}

std::string unescapeXml(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : entities) {
    for (auto at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1)) {
      text.replace(at, std::char_traits<char>::length(entity), plain);
    }
  }
  return text;
}

// The modules as one path, on whole pixels, sized and placed as Tribune draws them.
std::string qrCodeAsSvg(const std::string& rectTag, const std::map<std::string, std::string>& a) {
  const std::string url = unescapeXml(attributeText(a, "data-url", ""));
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString(url.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                       &QRcode_free);
  if (!code) throw std::runtime_error("the QR code cannot hold " + url);
  const double x = attributeNumber(a, "x", 0), y = attributeNumber(a, "y", 0);
  const double size = std::min(attributeNumber(a, "width", 0), attributeNumber(a, "height", 0));
  const int modules = code->width;
  const int module = static_cast<int>(std::floor(size / (modules + 4)));
  const int x0 = static_cast<int>(std::round(x + (size - module * modules) / 2.0));
  const int y0 = static_cast<int>(std::round(y + (size - module * modules) / 2.0));
  std::ostringstream path;
  for (int row = 0; row < modules; ++row) {
    for (int column = 0; column < modules; ++column) {
      if ((code->data[row * modules + column] & 1) != 0) {
        path << "M" << x0 + column * module << " " << y0 + row * module << "h" << module << "v" << module << "h-"
             << module << "z";
      }
    }
  }
  return rectTag + "<path shape-rendering=\"crispEdges\" fill=\"" + attributeText(a, "data-color", "#000000") +
         "\" d=\"" + path.str() + "\"/>";
}

std::string plainSvg(const std::string& name, const std::map<std::string, std::string>& vars) {
  auto filled = core::fillTemplate(name, readFile(kOverlays / (name + ".svg")), vars);
  if (!filled.svg) throw std::runtime_error(*filled.error);
  std::string svg = filled.svg->substr(filled.svg->find("<svg"));  // no XML declaration when nested
  static const std::regex kRect(R"(<rect\b[^>]*>)");
  std::string out;
  std::size_t last = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), kRect); it != std::sregex_iterator(); ++it) {
    const std::string tag = it->str();
    const auto a = attributesOf(tag);
    const std::string id = attributeText(a, "id", "");
    out += svg.substr(last, static_cast<std::size_t>(it->position()) - last);
    if (id.rfind("fit-", 0) == 0) {
      out += fittedTextAsSvg(a, vars.at("font"));
    } else if (id == "qr-code") {
      out += qrCodeAsSvg(tag, a);
    } else {
      out += tag;
    }
    last = static_cast<std::size_t>(it->position()) + tag.size();
  }
  return out + svg.substr(last);
}

std::string referenceSvg(const Look& look) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1920\" height=\"1080\" viewBox=\"0 0 1920 1080\">\n" +
         plainSvg("bug", look.bug) + "\n" + plainSvg("qr", look.qr) + "\n" + plainSvg("agenda", look.agenda) +
         "\n</svg>\n";
}

// ---------------------------------------------------------------------------------------
// Pipelines.

struct Run {
  double cpuMs = 0;
  double wallMs = 0;
  int frames = 0;  // timed frames
};

double cpuMsNow() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

std::string busError(GstBus* bus) {
  media::MiniRef<GstMessage> message = media::MiniRef<GstMessage>::adopt(gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR));
  if (!message) return "no error message";
  media::GErrorHolder error;
  media::GCharHolder debug;
  gst_message_parse_error(message.get(), &error.error, &debug.text);
  return std::string(error.error != nullptr ? error.error->message : "unknown error") +
         (debug.text != nullptr ? std::string(" (") + debug.text + ")" : "");
}

// Prerolls (the first frame, its negotiation and allocations are not timed), then times
// PLAYING → EOS: frames 2..N.
Run runPipeline(const std::string& name, const std::string& description, const std::function<void(GstBin*)>& prepare,
                int frames) {
  media::GErrorHolder error;
  GstElement* element = gst_parse_launch(description.c_str(), &error.error);
  if (element != nullptr) g_object_ref_sink(element);
  auto pipeline = media::ElementRef::adopt(element);
  if (!pipeline || error.error != nullptr) {
    throw std::runtime_error(name + ": the pipeline cannot be built: " +
                             (error.error != nullptr ? error.error->message : "unknown error") + "\n  " + description);
  }
  if (prepare) prepare(GST_BIN(pipeline.get()));
  auto bus = media::BusRef::adopt(gst_element_get_bus(pipeline.get()));
  auto fail = [&](const std::string& what) {
    const std::string detail = busError(bus.get());
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    throw std::runtime_error(name + ": " + what + ": " + detail);
  };
  gst_element_set_state(pipeline.get(), GST_STATE_PAUSED);
  if (gst_element_get_state(pipeline.get(), nullptr, nullptr, 60 * GST_SECOND) != GST_STATE_CHANGE_SUCCESS) {
    fail("did not preroll");
  }
  const double cpuStart = cpuMsNow();
  const auto wallStart = std::chrono::steady_clock::now();
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) fail("did not play");
  auto message = media::MiniRef<GstMessage>::adopt(gst_bus_timed_pop_filtered(
      bus.get(), 600 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR)));
  const double cpuEnd = cpuMsNow();
  const auto wallEnd = std::chrono::steady_clock::now();
  if (!message) fail("no end of stream within 10 minutes");
  if (GST_MESSAGE_TYPE(message.get()) == GST_MESSAGE_ERROR) {
    gst_bus_post(bus.get(), gst_message_ref(message.get()));  // for busError
    fail("failed while playing");
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  return {cpuEnd - cpuStart, std::chrono::duration<double, std::milli>(wallEnd - wallStart).count(), frames - 1};
}

media::ElementRef byName(GstBin* bin, const char* name) {
  auto element = media::ElementRef::adopt(gst_bin_get_by_name(bin, name));
  if (!element) throw std::runtime_error(std::string("no element named ") + name);
  return element;
}

std::string markup(const std::string& text) {
  media::GCharHolder escaped;
  escaped.text = g_markup_escape_text(text.c_str(), -1);
  return escaped.text;
}

// The same information as plain text: commune and EN DIRECT top left, the agenda item at the
// bottom on a shaded background, the question caption and address top right. Font sizes
// (points at textoverlay's resolution) were chosen to match the templates' pixels at 1080p
// and scale with the output height, like the templates.
void prepareTextOverlays(GstBin* bin, double scale) {
  auto font = [scale](double points) { return "Open Sans " + fixed(points * scale, 1); };
  auto pad = [scale](int pixels) { return static_cast<int>(std::lround(pixels * scale)); };
  enum { kLeft = 0, kCenter = 1, kRight = 2 };  // halignment, line-alignment
  enum { kBottom = 1, kTop = 2 };               // valignment
  constexpr int kWrapWordChar = 2;              // wrap-mode
  const std::string bug = "<b>" + markup(kCommune) + "</b>\n<b>EN DIRECT</b>  19:42";
  g_object_set(byName(bin, "bug").get(), "text", bug.c_str(), "font-desc", font(21).c_str(), "auto-resize", FALSE,
               "halignment", kLeft, "valignment", kTop, "line-alignment", kLeft, "xpad", pad(96), "ypad", pad(54),
               nullptr);
  const std::string lower = "<b>Point n° " + markup(kNumber) + "</b>\n<span size=\"larger\"><b>" + markup(kLongTitle) +
                            "</b></span>\n" + markup(kRapporteur);
  g_object_set(byName(bin, "lower").get(), "text", lower.c_str(), "font-desc", font(22).c_str(), "auto-resize", FALSE,
               "halignment", kLeft, "valignment", kBottom, "line-alignment", kLeft, "xpad", pad(96), "ypad", pad(54),
               "wrap-mode", kWrapWordChar, "shaded-background", TRUE, nullptr);
  const std::string qr = "<b>" + markup(kCaption) + "</b>\n" + markup(kUrl);
  g_object_set(byName(bin, "qr").get(), "text", qr.c_str(), "font-desc", font(18).c_str(), "auto-resize", FALSE,
               "halignment", kRight, "valignment", kTop, "line-alignment", kCenter, "xpad", pad(96), "ypad", pad(54),
               nullptr);
}

// ---------------------------------------------------------------------------------------
// GStreamer's blend of the same images (not Tribune's code path any more).

using RectangleRef = media::MiniRef<GstVideoOverlayRectangle>;
using CompositionRef = media::MiniRef<GstVideoOverlayComposition>;

// "overlaycomposition": the images as GStreamer overlay rectangles, premultiplied ARGB, the
// buffer wrapping the image's pixels (no copy), as Tribune's GraphicsCompositor made them
// before it blended by itself. The draw signal hands over the same composition each frame.
CompositionRef argbComposition(const std::vector<std::shared_ptr<const graphics::Image>>& images) {
  CompositionRef composition;
  for (const auto& image : images) {
    auto* keeper = new std::shared_ptr<const graphics::Image>(image);
    auto buffer = media::BufferRef::adopt(gst_buffer_new_wrapped_full(
        GST_MEMORY_FLAG_READONLY, const_cast<std::uint8_t*>(image->pixels.data()), image->pixels.size(), 0,
        image->pixels.size(), keeper,
        [](gpointer p) { delete static_cast<std::shared_ptr<const graphics::Image>*>(p); }));
    gst_buffer_add_video_meta(buffer.get(), GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB,
                              static_cast<guint>(image->width), static_cast<guint>(image->height));
    auto rectangle = RectangleRef::adopt(gst_video_overlay_rectangle_new_raw(
        buffer.get(), image->x, image->y, static_cast<guint>(image->width), static_cast<guint>(image->height),
        GST_VIDEO_OVERLAY_FORMAT_FLAG_PREMULTIPLIED_ALPHA));
    if (!composition) {
      composition = CompositionRef::adopt(gst_video_overlay_composition_new(rectangle.get()));
    } else {
      gst_video_overlay_composition_add_rectangle(composition.get(), rectangle.get());
    }
  }
  return composition;
}

// Streaming thread, once per frame.
GstVideoOverlayComposition* onDrawComposition(GstElement*, GstSample*, gpointer data) {
  return gst_video_overlay_composition_ref(static_cast<GstVideoOverlayComposition*>(data));
}

// What-if "ayuv" (opt-in with --variants): the rectangles converted once to AYUV with
// straight alpha, so that gst_video_blend skips its per-pixel un-premultiply (three integer
// divisions) and RGB → YUV matrix; everything else is GStreamer's blend as in
// "overlaycomposition".
CompositionRef ayuvComposition(const std::vector<std::shared_ptr<const graphics::Image>>& images) {
  CompositionRef composition;
  for (const auto& image : images) {
    auto buffer = media::BufferRef::adopt(gst_buffer_new_allocate(nullptr, image->pixels.size(), nullptr));
    GstMapInfo map;
    if (!gst_buffer_map(buffer.get(), &map, GST_MAP_WRITE)) throw std::runtime_error("cannot map a buffer");
    const std::uint8_t* in = image->pixels.data();
    for (std::size_t i = 0; i < image->pixels.size(); i += 4) {
      int b = in[i], g = in[i + 1], r = in[i + 2];
      const int a = in[i + 3];
      if (a != 0) {  // premultiplied → straight, as GStreamer's matrix_prea_rgb_to_yuv does
        r = (r * 255 + a / 2) / a;
        g = (g * 255 + a / 2) / a;
        b = (b * 255 + a / 2) / a;
      }
      map.data[i] = static_cast<std::uint8_t>(a);
      map.data[i + 1] = static_cast<std::uint8_t>(std::clamp((47 * r + 157 * g + 16 * b + 4096) >> 8, 0, 255));
      map.data[i + 2] = static_cast<std::uint8_t>(std::clamp((-26 * r - 87 * g + 112 * b + 32768) >> 8, 0, 255));
      map.data[i + 3] = static_cast<std::uint8_t>(std::clamp((112 * r - 102 * g - 10 * b + 32768) >> 8, 0, 255));
    }
    gst_buffer_unmap(buffer.get(), &map);
    gst_buffer_add_video_meta(buffer.get(), GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_YUV,
                              static_cast<guint>(image->width), static_cast<guint>(image->height));
    auto rectangle = RectangleRef::adopt(
        gst_video_overlay_rectangle_new_raw(buffer.get(), image->x, image->y, static_cast<guint>(image->width),
                                            static_cast<guint>(image->height), GST_VIDEO_OVERLAY_FORMAT_FLAG_NONE));
    if (!composition) {
      composition = CompositionRef::adopt(gst_video_overlay_composition_new(rectangle.get()));
    } else {
      gst_video_overlay_composition_add_rectangle(composition.get(), rectangle.get());
    }
  }
  return composition;
}

struct Variant {
  std::string name;
  std::string middle;  // between the source's caps and the sink
  std::function<void(GstBin*)> prepare;
};

class Bench {
 public:
  explicit Bench(Options options)
      : options_(std::move(options)),
        look_(theLook()),
        compositor_(std::chrono::milliseconds(0), GST_SECOND / kFps),  // no fade: steady state from frame 1
        svg_(referenceSvg(look_)) {
    graphics::TemplateRenderer renderer({kOverlays}, options_.width, options_.height);
    const std::pair<core::Layer, std::pair<const char*, const std::map<std::string, std::string>*>> layers[] = {
        {core::Layer::Bug, {"bug", &look_.bug}},
        {core::Layer::Qr, {"qr", &look_.qr}},
        {core::Layer::LowerThird, {"agenda", &look_.agenda}}};
    std::uint64_t change = 0;
    for (const auto& [layer, what] : layers) {
      auto result = renderer.render(what.first, *what.second);
      if (!result.image) throw std::runtime_error(*result.error);
      blendedPixels_ += static_cast<long>(result.image->width) * result.image->height;
      images_.push_back(std::make_shared<const graphics::Image>(std::move(*result.image)));
      compositor_.install(static_cast<int>(layer), images_.back(), ++change);
    }
    argb_ = argbComposition(images_);
    ayuv_ = ayuvComposition(images_);
  }

  [[nodiscard]] std::string source(int frames) const {
    return "videotestsrc num-buffers=" + std::to_string(frames) +
           " pattern=smpte ! video/x-raw,format=I420,width=" + std::to_string(options_.width) +
           ",height=" + std::to_string(options_.height) + ",framerate=" + std::to_string(kFps) + "/1";
  }

  [[nodiscard]] Variant variant(const std::string& name) {
    if (name == "tribune") {
      // Exactly Program's graphics stage: the same element, the same probe, the compositor.
      return {name, " ! identity name=graphics silent=true", [this](GstBin* bin) {
                auto pad = media::PadRef::adopt(gst_element_get_static_pad(byName(bin, "graphics").get(), "src"));
                retireStage();
                stage_ = std::make_unique<media::GraphicsStage>(compositor_, pad.get());
              }};
    }
    if (name == "overlaycomposition") {
      return {name, " ! overlaycomposition name=graphics", [this](GstBin* bin) {
                g_signal_connect(byName(bin, "graphics").get(), "draw", G_CALLBACK(&onDrawComposition), argb_.get());
              }};
    }
    if (name == "ayuv") {
      return {name, " ! overlaycomposition name=graphics", [this](GstBin* bin) {
                g_signal_connect(byName(bin, "graphics").get(), "draw", G_CALLBACK(&onDrawComposition), ayuv_.get());
              }};
    }
    if (name == "rsvgoverlay") {
      return {name, " ! videoconvert ! rsvgoverlay name=svg fit-to-frame=true ! videoconvert ! video/x-raw,format=I420",
              [this](GstBin* bin) { g_object_set(byName(bin, "svg").get(), "data", svg_.c_str(), nullptr); }};
    }
    if (name == "textoverlay") {
      const double scale = options_.height / 1080.0;
      return {name, " ! textoverlay name=bug ! textoverlay name=lower ! textoverlay name=qr",
              [scale](GstBin* bin) { prepareTextOverlays(bin, scale); }};
    }
    return {name, "", nullptr};
  }

  struct Frame {
    std::array<std::vector<std::uint8_t>, 3> planes, bare;  // I420 planes with and without graphics
  };

  Frame captureFrame(const std::string& name) {
    Frame frame;
    auto capture = [&](const std::string& variantName, std::array<std::vector<std::uint8_t>, 3>& into) {
      const Variant v = variant(variantName);
      runPipeline(
          variantName, source(1) + v.middle + " ! fakesink name=sink sync=false",
          [&](GstBin* bin) {
            if (v.prepare) v.prepare(bin);
            auto pad = media::PadRef::adopt(gst_element_get_static_pad(byName(bin, "sink").get(), "sink"));
            gst_pad_add_probe(
                pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
                [](GstPad* sinkPad, GstPadProbeInfo* info, gpointer data) {
                  auto& planes = *static_cast<std::array<std::vector<std::uint8_t>, 3>*>(data);
                  auto caps = media::CapsRef::adopt(gst_pad_get_current_caps(sinkPad));
                  GstVideoInfo videoInfo;
                  GstVideoFrame mapped;
                  if (!caps || !gst_video_info_from_caps(&videoInfo, caps.get()) ||
                      !gst_video_frame_map(&mapped, &videoInfo, GST_PAD_PROBE_INFO_BUFFER(info), GST_MAP_READ)) {
                    return GST_PAD_PROBE_OK;
                  }
                  for (int c = 0; c < 3; ++c) {
                    const int w = GST_VIDEO_FRAME_COMP_WIDTH(&mapped, c), h = GST_VIDEO_FRAME_COMP_HEIGHT(&mapped, c);
                    const auto* d = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_COMP_DATA(&mapped, c));
                    planes[c].clear();
                    for (int row = 0; row < h; ++row) {
                      const auto* line = d + static_cast<std::ptrdiff_t>(row) * GST_VIDEO_FRAME_COMP_STRIDE(&mapped, c);
                      planes[c].insert(planes[c].end(), line, line + w);
                    }
                  }
                  gst_video_frame_unmap(&mapped);
                  return GST_PAD_PROBE_OK;
                },
                &into, nullptr);
          },
          1);
    };
    capture(name, frame.planes);
    capture("bare", frame.bare);
    return frame;
  }

  void snapshots(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    for (const auto& name : options_.variants) {
      const Variant v = variant(name);
      const auto file = dir / (name + ".png");
      runPipeline(name, source(1) + v.middle + " ! videoconvert ! pngenc ! filesink location=\"" + file.string() + "\"",
                  v.prepare, 1);
      std::cerr << "snapshot: " << file.string() << "\n";
    }
    std::ofstream(dir / "rsvgoverlay.svg") << svg_;
  }

  struct Row {
    std::vector<double> cpu, wall, overBare, ratio;  // per round, per frame
  };

  // One frame of each of `a` and `b` (the source's first), compared sample by sample.
  void printComparison(const std::string& a, const std::string& b) {
    const Frame x = captureFrame(a), y = captureFrame(b);
    std::cout << "\n### " << a << " against " << b << ": one " << options_.width << "x" << options_.height
              << " frame, |difference| per sample (of 255)\n\n"
              << "| plane | mean, where the graphics are | max | samples differing by more than 2 | of those, on an "
                 "edge (the 2×2 block's luma spans more than 16) |\n"
              << "|---|---|---|---|---|\n";
    const char* names[] = {"Y", "U", "V"};
    for (int p = 0; p < 3; ++p) {
      const auto& u = x.planes[p];
      const auto& v = y.planes[p];
      if (u.size() != v.size() || u.empty()) throw std::runtime_error("the frames to compare differ in size");
      long differing = 0, onEdges = 0, covered = 0, sum = 0;
      int worst = 0;
      const auto chromaWidth = static_cast<std::size_t>((options_.width + 1) / 2);
      const auto width = static_cast<std::size_t>(options_.width);
      for (std::size_t i = 0; i < u.size(); ++i) {
        const int d = std::abs(int{u[i]} - int{v[i]});
        const bool graphics = x.bare[p][i] != u[i] || y.bare[p][i] != v[i];
        covered += graphics ? 1 : 0;
        sum += graphics ? d : 0;
        worst = std::max(worst, d);
        if (d <= 2) continue;
        ++differing;
        // Where a chroma sample stands for luma samples of different looks, a 2×2 average
        // (Tribune) and the top-left sample (GStreamer's I420 pack) part ways.
        const std::size_t top =
            p == 0 ? i - i % 2 - (i / width % 2) * width : (i / chromaWidth) * 2 * width + (i % chromaWidth) * 2;
        const std::size_t block[] = {top, top + 1, top + width, top + width + 1};
        int lo = 255, hi = 0;
        for (const std::size_t at : block) {
          if (at >= x.planes[0].size()) continue;
          lo = std::min<int>(lo, x.planes[0][at]);
          hi = std::max<int>(hi, x.planes[0][at]);
        }
        onEdges += hi - lo > 16 ? 1 : 0;
      }
      std::cout << "| " << names[p] << " | " << fixed(covered > 0 ? static_cast<double>(sum) / covered : 0.0, 3)
                << " | " << worst << " | " << differing << " of " << u.size() << " ("
                << fixed(100.0 * static_cast<double>(differing) / static_cast<double>(u.size()), 3) << " %) | "
                << onEdges << " |\n";
    }
  }

  void printStageCounts() {
    retireStage();
    std::cout << "\nTribune's graphics stage: " << framesBlended_ << " frames blended, " << framesCopied_
              << " of them copied because they were not writable.\n";
  }

  std::map<std::string, Row> measure() {
    std::map<std::string, Row> rows;
    const auto& names = options_.variants;
    for (int round = 0; round < options_.rounds; ++round) {
      std::map<std::string, Run> runs;
      std::cerr << "round " << round + 1 << "/" << options_.rounds << ":";
      for (std::size_t k = 0; k < names.size(); ++k) {
        const auto& name = names[(k + static_cast<std::size_t>(round)) % names.size()];  // rotating order
        const Variant v = variant(name);
        runs[name] = runPipeline(name, source(options_.frames) + v.middle + " ! fakesink sync=false", v.prepare,
                                 options_.frames);
        std::cerr << " " << name << " " << fixed(runs[name].cpuMs / runs[name].frames) << " ms/frame" << std::flush;
      }
      std::cerr << "\n";
      for (const auto& [name, run] : runs) {
        Row& row = rows[name];
        row.cpu.push_back(run.cpuMs / run.frames);
        row.wall.push_back(run.wallMs / run.frames);
        if (runs.count("bare") != 0) {
          const double bare = runs["bare"].cpuMs / runs["bare"].frames;
          row.overBare.push_back(row.cpu.back() - bare);
          row.ratio.push_back(row.cpu.back() / bare);
        }
      }
    }
    return rows;
  }

  void printTable(const std::map<std::string, Row>& rows) const {
    std::cout << "\n### On-air graphics, " << options_.width << "x" << options_.height << " I420 " << kFps
              << " fps: CPU per frame (" << options_.rounds << " rounds of " << options_.frames << " frames)\n\n"
              << "| variant | CPU ms/frame, median (min–max) | over bare, ms/frame | × bare | % of a core at " << kFps
              << " fps, over bare | wall ms/frame |\n"
              << "|---|---|---|---|---|---|\n";
    for (const auto& name : options_.variants) {
      const Row& row = rows.at(name);
      const auto [lo, hi] = std::minmax_element(row.cpu.begin(), row.cpu.end());
      const bool bare = name == "bare" || row.overBare.empty();
      const char* note = name == "ayuv" ? " (what-if)" : name == "overlaycomposition" ? " (GStreamer's blend)" : "";
      std::cout << "| " << name << note << " | " << fixed(summaryMedian(row.cpu)) << " (" << fixed(*lo) << "–"
                << fixed(*hi) << ") | " << (bare ? "—" : fixed(summaryMedian(row.overBare))) << " | "
                << (bare ? "—" : fixed(summaryMedian(row.ratio)) + " ×") << " | "
                << (bare ? "—" : fixed(summaryMedian(row.overBare) * kFps / 10.0, 1) + " %") << " | "
                << fixed(summaryMedian(row.wall)) << " |\n";
    }
    std::cout << "\nBlended by Tribune: " << blendedPixels_ << " pixels per frame ("
              << fixed(100.0 * static_cast<double>(blendedPixels_) / (options_.width * options_.height), 1)
              << " % of the picture) in 3 rectangles. \"over bare\" and \"× bare\" are medians of the differences "
                 "and ratios within each round.\n";
    if (rows.count("tribune") != 0 && !rows.at("tribune").overBare.empty()) {
      const double over = summaryMedian(rows.at("tribune").overBare);
      std::cout << "Bar (DESIGN.md §7): all graphics on at 1080p30, ≤ 1.00 ms/frame over bare. Tribune: " << fixed(over)
                << " ms/frame over bare at " << options_.width << "x" << options_.height;
      const bool judged = options_.width == 1920 && options_.height == 1080;
      if (judged) {
        std::cout << ": " << (over <= 1.0 ? "holds" : "DOES NOT HOLD") << ".\n";
      } else {
        std::cout << " (the bar is judged at 1920x1080).\n";
      }
      const auto size = std::to_string(options_.width) + "x" + std::to_string(options_.height);
      bench::summaryRow({"graphics", "CPU over the bare program, all graphics on, " + size + " (ms/frame)", fixed(over),
                         bench::summarySpread(rows.at("tribune").overBare, 2), "≤ 1 ms/frame at 1080p30",
                         judged ? std::optional<bool>(over <= 1.0) : std::nullopt});
      for (const char* reference : {"rsvgoverlay", "textoverlay"}) {
        if (rows.count(reference) == 0 || rows.at(reference).overBare.empty()) continue;
        bench::summaryRow({"graphics", std::string("reference: ") + reference + ", " + size + " (ms/frame over bare)",
                           fixed(summaryMedian(rows.at(reference).overBare)),
                           bench::summarySpread(rows.at(reference).overBare, 2), "", std::nullopt});
      }
    }
  }

  void printRenders() const {
    if (options_.renders == 0) return;
    std::cout << "\n### One graphics change: TemplateRenderer::render of the agenda template ("
              << characters(kLongTitle) << "-character title), then its conversion when installed, " << options_.renders
              << " times each\n\n"
              << "| output | render ms, median (min–max) | convert ms (install), median (min–max) | + one frame ("
              << fixed(1000.0 / kFps, 1) << " ms): latency floor, ms | convert a full-frame opaque slate, ms |\n"
              << "|---|---|---|---|---|\n";
    auto timed = [this](const std::function<void()>& what) {
      std::vector<double> times;
      for (int i = 0; i < options_.renders; ++i) {
        const auto start = std::chrono::steady_clock::now();
        what();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      }
      return times;
    };
    auto cell = [](const std::vector<double>& times) {
      const auto [lo, hi] = std::minmax_element(times.begin(), times.end());
      return fixed(summaryMedian(times), 1) + " (" + fixed(*lo, 1) + "–" + fixed(*hi, 1) + ")";
    };
    for (const auto& [width, height] : {std::pair{1920, 1080}, std::pair{1280, 720}}) {
      graphics::TemplateRenderer renderer({kOverlays}, width, height);
      auto warm = renderer.render("agenda", look_.agenda);
      if (!warm.image) throw std::runtime_error(*warm.error);
      const auto renders = timed([&] {
        if (auto result = renderer.render("agenda", look_.agenda); !result.image) {
          throw std::runtime_error(*result.error);
        }
      });
      const graphics::Image& agenda = *warm.image;
      const auto conversions = timed([&] { (void)media::PlanarOverlay::fromImage(agenda); });
      graphics::Image slate{0, 0, width, height, {}};  // the worst case: every pixel opaque
      slate.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4);
      for (std::size_t i = 0; i < slate.pixels.size(); i += 4) {
        slate.pixels[i] = static_cast<std::uint8_t>(i % 251);
        slate.pixels[i + 1] = 0x3a;
        slate.pixels[i + 2] = 0x1f;
        slate.pixels[i + 3] = 255;
      }
      const auto slates = timed([&] { (void)media::PlanarOverlay::fromImage(slate); });
      std::cout << "| " << width << "x" << height << " | " << cell(renders) << " | " << cell(conversions) << " | "
                << fixed(summaryMedian(renders) + summaryMedian(conversions) + 1000.0 / kFps, 1) << " | "
                << cell(slates) << " |\n";
    }
    std::cout << "\nBar (DESIGN.md §7): a command changes the output picture within 2 frames ("
              << fixed(2000.0 / kFps, 1)
              << " ms); the render and the conversion run on the graphics worker, off the streaming thread.\n";
  }

 private:
  Options options_;
  Look look_;
  media::GraphicsCompositor compositor_;
  std::string svg_;
  long blendedPixels_ = 0;
  std::vector<std::shared_ptr<const graphics::Image>> images_;
  std::unique_ptr<media::GraphicsStage> stage_;         // "tribune": the stage of the latest run
  std::uint64_t framesBlended_ = 0, framesCopied_ = 0;  // by the stages of the earlier runs

  void retireStage() {
    if (!stage_) return;
    framesBlended_ += stage_->framesBlended();
    framesCopied_ += stage_->framesCopied();
    stage_.reset();
  }
  CompositionRef argb_;  // "overlaycomposition"
  CompositionRef ayuv_;  // what-if "ayuv"
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  try {
    media::GErrorHolder error;
    if (!gst_init_check(nullptr, nullptr, &error.error)) {
      throw std::runtime_error(std::string("GStreamer could not start: ") +
                               (error.error != nullptr ? error.error->message : "unknown error"));
    }
    for (const char* element : {"videotestsrc", "fakesink", "overlaycomposition", "videoconvert", "rsvgoverlay",
                                "textoverlay", "identity", "pngenc", "filesink"}) {
      auto factory = media::ObjectRef<GstElementFactory>::adopt(gst_element_factory_find(element));
      if (!factory) {
        throw std::runtime_error(std::string("GStreamer element ") + element +
                                 " missing (rsvgoverlay: gstreamer1.0-plugins-bad; textoverlay, overlaycomposition, "
                                 "pngenc: gstreamer1.0-plugins-base/-good). Run ./scripts/setup.");
      }
    }
    Bench bench(options);
    if (options.snapshots) bench.snapshots(*options.snapshots);
    const auto rows = bench.measure();
    bench.printTable(rows);
    if (std::count(options.variants.begin(), options.variants.end(), "tribune") != 0) {
      bench.printStageCounts();
      bench.printComparison("tribune", "overlaycomposition");
    }
    bench.printRenders();
    std::cout << std::flush;
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_graphics: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
