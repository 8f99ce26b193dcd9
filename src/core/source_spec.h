#pragma once
// What `--source` (or "source" in the config) names, and how it maps to a preset in
// pipelines/: a gst-launch fragment with {{placeholders}} and two elements named
// `video` and `audio` whose source pads feed the program.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tribune::core {

struct SourceSpec {
  std::string preset;                         // file name without ".pipeline": test, file, v4l2, rtsp, srt, decklink
  std::map<std::string, std::string> params;  // placeholder values
};

struct SourceSpecResult {
  std::optional<SourceSpec> spec;
  std::optional<std::string> error;
};

// test | file:PATH | v4l2:/dev/videoN | rtsp://… | srt://… | decklink:N
SourceSpecResult parseSourceSpec(std::string_view text);

// Replaces {{name}} in a preset with gst-launch-quoted values. Fails naming the first
// placeholder that has no value.
struct PresetResult {
  std::optional<std::string> pipeline;
  std::optional<std::string> error;
};
PresetResult expandPreset(std::string_view preset, const std::map<std::string, std::string>& params);

}  // namespace tribune::core
