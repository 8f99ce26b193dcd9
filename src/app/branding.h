#pragma once
// The commune's look as the on-air templates see it (docs/GRAPHICS.md), and the console's
// preview of it: the bug and the "speaker" lower-third drawn by the same renderer as the
// programme.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/config.h"

namespace tribune::app {

// The variables every template gets besides its own. A logo that cannot be read is
// replaced by the shipped blank one and `warning` says why.
std::map<std::string, std::string> brandingValues(const core::BrandingSettings& branding,
                                                  const std::filesystem::path& shareDir, std::string& warning);

struct Preview {
  std::string png;    // empty on error
  std::string error;  // English, the template and what is wrong
};

// The programme's picture with the bug (logo, commune, time) and the "speaker" lower-third
// for a sample councillor, at the programme's size, as PNG. Takes a few milliseconds.
Preview lowerThirdPreview(const core::Config& config, const std::filesystem::path& shareDir);

}  // namespace tribune::app
