#include "app/branding.h"

#include "graphics/image_file.h"
#include "graphics/template_renderer.h"

namespace tribune::app {

std::map<std::string, std::string> brandingValues(const core::BrandingSettings& branding,
                                                  const std::filesystem::path& shareDir, std::string& warning) {
  std::map<std::string, std::string> values{{"commune", branding.commune},
                                            {"color_primary", branding.primaryColor},
                                            {"color_accent", branding.accentColor},
                                            {"color_text", branding.textColor},
                                            {"font", branding.font}};
  std::string error;
  std::optional<std::string> logo;
  if (branding.logo) {
    logo = graphics::imageDataUri(*branding.logo, error);
    if (!logo) warning = error;
  }
  if (!logo) logo = graphics::imageDataUri(shareDir / "overlays" / "no-logo.png", error);
  values["logo"] = logo.value_or("");
  return values;
}

Preview lowerThirdPreview(const core::Config& config, const std::filesystem::path& shareDir) {
  std::vector<std::filesystem::path> dirs;
  if (config.graphics.templatesDir) dirs.emplace_back(*config.graphics.templatesDir);
  dirs.push_back(shareDir / "overlays");
  graphics::TemplateRenderer renderer(std::move(dirs), config.video.width(), config.video.height());
  std::string warning;
  auto values = brandingValues(config.branding, shareDir, warning);
  if (!warning.empty()) return {"", warning};
  values["time"] = "20:30";
  auto bug = renderer.render("bug", values);
  if (!bug.image) return {"", bug.error.value_or("the bug could not be drawn")};
  values["name"] = "Marie Dupont";
  values["role"] = "Maire – Ensemble pour " + config.branding.commune;
  auto speaker = renderer.render("speaker", values);
  if (!speaker.image) return {"", speaker.error.value_or("the lower-third could not be drawn")};
  return {graphics::encodePngFrame(config.video.width(), config.video.height(), {*bug.image, *speaker.image}), ""};
}

}  // namespace tribune::app
