#include "core/platform.h"

#include <algorithm>

namespace tribune::core {

namespace {

using std::chrono::hours;
using std::chrono::seconds;

std::vector<PlatformPreset> makePresets() {
  // Sources: each platform's "encoder settings" page (DESIGN.md §3). A preset without a
  // default URL is one where every live event gets its own ingest server, so the
  // technician must paste it.
  return {
      // YouTube lets a live run on, but a live longer than 12 hours is not kept as a video
      // on the channel (only its last 12 hours, at best): past 12 h the meeting's replay on
      // YouTube is lost, so it counts as the limit of one live.
      {.id = "youtube",
       .displayName = "YouTube",
       .defaultUrl = "rtmps://a.rtmps.youtube.com:443/live2",
       .rtmpsOnly = false,
       .maxKeyframeInterval = seconds{4},
       .maxLiveDuration = hours{12}},
      {.id = "facebook",
       .displayName = "Facebook",
       .defaultUrl = "rtmps://live-api-s.facebook.com:443/rtmp",
       .rtmpsOnly = true,  // Facebook closed its plain RTMP ingest in 2019
       .maxKeyframeInterval = seconds{4},
       .maxLiveDuration = hours{8}},
      {.id = "linkedin",
       .displayName = "LinkedIn",
       .defaultUrl = "",
       .rtmpsOnly = false,
       .maxKeyframeInterval = seconds{4},
       .maxLiveDuration = std::nullopt},
      {.id = "peertube",
       .displayName = "PeerTube",
       .defaultUrl = "",  // one server per instance
       .rtmpsOnly = false,
       .maxKeyframeInterval = seconds{4},
       .maxLiveDuration = std::nullopt},
      // Twitch recommends a keyframe every 2 s and tolerates up to 4 s.
      {.id = "twitch",
       .displayName = "Twitch",
       .defaultUrl = "rtmps://live.twitch.tv:443/app",
       .rtmpsOnly = false,
       .maxKeyframeInterval = seconds{4},
       .maxLiveDuration = std::nullopt},
      {.id = "x",
       .displayName = "X",
       .defaultUrl = "",
       .rtmpsOnly = false,
       .maxKeyframeInterval = seconds{3},
       .maxLiveDuration = std::nullopt},
  };
}

}  // namespace

const std::vector<PlatformPreset>& platformPresets() {
  static const std::vector<PlatformPreset> presets = makePresets();
  return presets;
}

const PlatformPreset* findPlatform(std::string_view id) {
  const auto& presets = platformPresets();
  auto found =
      std::find_if(presets.begin(), presets.end(), [id](const PlatformPreset& preset) { return preset.id == id; });
  return found == presets.end() ? nullptr : &*found;
}

std::optional<std::chrono::seconds> liveTimeLeft(const PlatformPreset& platform, std::chrono::seconds liveFor) {
  if (!platform.maxLiveDuration) return std::nullopt;
  const seconds limit = *platform.maxLiveDuration;
  return std::max(seconds{0}, limit - liveFor);
}

}  // namespace tribune::core
