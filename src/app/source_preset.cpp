#include "app/source_preset.h"

#include <fstream>
#include <sstream>

#include "media/media_error.h"

namespace tribune::app {

SourcePreset loadSourcePreset(const core::Config& config, const std::filesystem::path& shareDir) {
  auto spec = core::parseSourceSpec(config.source);
  if (!spec.spec) throw media::MediaError("source: " + *spec.error);
  const std::filesystem::path dir =
      config.pipelinesDir ? std::filesystem::path(*config.pipelinesDir) : shareDir / "pipelines";
  const auto file = dir / (spec.spec->preset + ".pipeline");
  std::ifstream in(file);
  if (!in) throw media::MediaError("source preset " + file.string() + " cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  auto preset = core::readPresetFile(text.str());
  if (!preset.preset) throw media::MediaError(file.string() + ": " + *preset.error);
  auto expanded = core::expandPreset(preset.preset->body, spec.spec->params);
  if (!expanded.pipeline) throw media::MediaError(file.string() + ": " + *expanded.error);
  return {std::move(*expanded.pipeline), std::move(*preset.preset)};
}

}  // namespace tribune::app
