#pragma once
// ffprobe as the independent judge of what a peer received: tests assert on what a real
// demuxer sees in a recording (codec, profile, size, GOP, audio rate, duration), never on
// what Tribune believes it sent.
//
// All functions run `ffprobe -v error ...` and throw std::runtime_error carrying ffprobe's
// stderr when it fails. They accept a file path or a URL (rtmp://...) alike; a recording
// nginx is still writing is fine too (ffprobe reads a truncated FLV up to its last
// complete tag).
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tribune::testing {

// `ffprobe -show_streams -show_format` as JSON: {"streams": [...], "format": {...}}.
nlohmann::json probeStreams(const std::string& path_or_url);

struct Packet {
  double pts_time = 0;  // seconds; NaN when ffprobe reports N/A
  double dts_time = 0;  // seconds; NaN when ffprobe reports N/A
  bool keyframe = false;
  long long size = 0;  // bytes
};

// The packets of the first video ("v") or audio ("a") stream, in file order.
std::vector<Packet> probePackets(const std::string& path_or_url, const std::string& stream = "v");

// Presentation times (seconds) of the video keyframes: the GOP, as a viewer's player sees it.
std::vector<double> keyframeTimes(const std::string& path_or_url);

// The first stream of that codec_type in a probeStreams() answer; throws if there is none.
const nlohmann::json& videoStream(const nlohmann::json& probe);
const nlohmann::json& audioStream(const nlohmann::json& probe);

// format.duration, or (when the container does not say, as for a live FLV) the span of the
// packets' timestamps. Throws if neither is known.
double durationSeconds(const std::string& path_or_url);

struct ChapterInfo {
  double start = 0;   // seconds (start_time)
  double end = 0;     // seconds (end_time)
  std::string title;  // tags.title, "" when the chapter has none
};

// `ffprobe -show_chapters`: the container's chapters as a player lists them, in order.
std::vector<ChapterInfo> probeChapters(const std::string& path);

// How long a single ffprobe run may take before it is killed (a URL that never answers).
inline constexpr std::chrono::seconds kProbeTimeout{20};

}  // namespace tribune::testing
