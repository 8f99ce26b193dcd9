#pragma once
// What `--source` (or "source" in the config) names, and how it maps to a preset in
// pipelines/: a gst-launch fragment with {{placeholders}} and two elements named
// `video` and `audio` whose source pads feed the program.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/drift.h"

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

// A preset file's text. Lines whose first non-blank character is '#' are comments; a
// comment whose text starts with "tribune:" is a directive, one word, then anything as a
// note: "# tribune: loop" (a file: sought back to its start at its end), "# tribune:
// network" (a source not up yet at start is waited for and retried, not an error),
// "# tribune: capture" (the sound comes from a local sound card or capture card on its own
// clock, whose drift is corrected; without it the source stamps its own media and nothing
// is resampled: core/drift.h). Any other word there is an error naming the line, so a
// misspelt directive is never silently ignored.
struct PresetFile {
  std::string body;  // the gst-launch fragment: every line but the comments
  bool loop = false;
  bool network = false;
  SoundClock soundClock = SoundClock::Stamped;
};
struct PresetFileResult {
  std::optional<PresetFile> preset;
  std::optional<std::string> error;
};
PresetFileResult readPresetFile(std::string_view text);

}  // namespace tribune::core
