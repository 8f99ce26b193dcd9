#pragma once
// The configured source as a GStreamer fragment: its preset file (pipelines/NAME.pipeline,
// or the configuration's pipelines_dir) read and expanded with the source's parameters.
// The programme (the hub) and the pre-flight's look at the source (the probe desk) open
// the same thing.
#include <filesystem>
#include <string>

#include "core/config.h"
#include "core/source_spec.h"

namespace tribune::app {

struct SourcePreset {
  std::string pipeline;     // expanded: two elements named video and audio
  core::PresetFile preset;  // its directives (loop, network, the sound's clock)
};

// Throws media::MediaError naming the preset file and what is wrong.
SourcePreset loadSourcePreset(const core::Config& config, const std::filesystem::path& shareDir);

}  // namespace tribune::app
