#pragma once
// Ingest presets of the platforms (DESIGN.md §3): where to publish and what they accept.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tribune::core {

struct PlatformPreset {
  std::string id;           // "youtube", "facebook", "linkedin", "peertube", "twitch", "x"
  std::string displayName;  // "YouTube"
  std::string defaultUrl;   // server URL without the key; empty when each live has its own
  bool rtmpsOnly = false;   // Facebook refuses plain RTMP
  std::chrono::seconds maxKeyframeInterval{4};
  std::optional<std::chrono::hours> maxLiveDuration;  // Facebook: 8 h per live; YouTube: 12 h archived
};

const std::vector<PlatformPreset>& platformPresets();
const PlatformPreset* findPlatform(std::string_view id);

// How long before the platform's limit the console warns that the live will end.
inline constexpr std::chrono::minutes kLiveLimitWarning{30};

// Time left before the platform ends a live that has lasted `liveFor` (0 once past it, never
// negative); nothing when the platform sets no limit.
std::optional<std::chrono::seconds> liveTimeLeft(const PlatformPreset& platform, std::chrono::seconds liveFor);

}  // namespace tribune::core
