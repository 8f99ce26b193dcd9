#pragma once
// Renders an on-air template (overlays/NAME.svg, docs/GRAPHICS.md) for the output size:
// fills its {{variables}}, draws it with librsvg, draws fitted text boxes with Pango and
// the QR code with libqrencode, and crops the result to its visible pixels.
//
// Threading: one renderer per thread (it caches template files); rendering takes a few
// milliseconds and must never run on a streaming thread or the hub.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graphics/image.h"

namespace tribune::graphics {

struct RenderResult {
  std::optional<Image> image;        // empty image (0×0) when nothing is visible
  std::optional<std::string> error;  // names the template and what is wrong
};

class TemplateRenderer {
 public:
  // `templateDirs`: searched in order (the commune's folder first, then overlays/).
  TemplateRenderer(std::vector<std::filesystem::path> templateDirs, int outputWidth, int outputHeight);

  RenderResult render(const std::string& name, const std::map<std::string, std::string>& values);

  // The file a template name resolves to, or nullopt.
  [[nodiscard]] std::optional<std::filesystem::path> find(const std::string& name) const;

  static constexpr int kDesignWidth = 1920;  // templates are drawn for 1080p
  static constexpr int kDesignHeight = 1080;

 private:
  std::vector<std::filesystem::path> dirs_;
  int width_;
  int height_;
  std::map<std::string, std::string> cache_;  // template name → file text
};

// "data:image/png;base64,…" for a logo file, so that templates can embed it whatever its
// folder (librsvg only loads files next to the SVG). nullopt with `error` set on failure.
std::optional<std::string> imageDataUri(const std::filesystem::path& file, std::string& error);

}  // namespace tribune::graphics
