#pragma once
// The two tracks a source delivers. Audio and video are watched separately: a dead
// microphone with a live picture is a warning and silence, not a slate (issue 6).
#include <string_view>

namespace tribune::core {

enum class SourceTrack { Video = 0, Audio = 1 };
inline constexpr int kSourceTrackCount = 2;

inline std::string_view toString(SourceTrack track) { return track == SourceTrack::Video ? "video" : "audio"; }

}  // namespace tribune::core
