#pragma once
// The pre-flight check ("Vérifier avant la séance", issue 23, docs/PREFLIGHT.md): one
// report in plain French, one line per check, each green, orange or red with what to do.
// The app measures (source, sound, destinations, uplink, disk, clock); this decides what
// the figures mean. Pure.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/failure.h"

namespace tribune::core {

enum class PreflightLevel { green, orange, red };

// "green", "orange", "red": the JSON's words.
std::string_view preflightLevelName(PreflightLevel level);

struct PreflightLine {
  std::string id;  // stable: "source", "sound", "destination:NAME", "uplink", "disk", "clock"
  PreflightLevel level = PreflightLevel::green;
  std::string text;    // French: what was found
  std::string advice;  // French: what to do; empty when green
  friend bool operator==(const PreflightLine&, const PreflightLine&) = default;
};

struct PreflightReport {
  std::vector<PreflightLine> lines;
  std::optional<int> uplinkKbps;  // the measured uplink, when it was measured
  // The worst line's level; green for an empty report.
  [[nodiscard]] PreflightLevel overall() const;
};

// {"level": "orange", "lines": [{"id", "level", "text", "advice"}], "uplink_kbps": 4000}
// (uplink_kbps only when measured): for the console.
nlohmann::json preflightJson(const PreflightReport& report);

// --- the source and its sound ------------------------------------------------------------

struct SourceObservation {
  bool present = false;  // the source delivered pictures
  bool moving = false;   // and they changed (a frozen capture card repeats the last one)
};
// Nothing: not observed (the command line does not open the source).
PreflightLine sourceLine(const std::optional<SourceObservation>& observed);

// Below this peak the microphone counts as silent: a room's noise on an open microphone
// is around -60 to -45 dBFS, a speaking voice -30 to -10; -50 leaves a muted or unplugged
// microphone no way to pass.
inline constexpr double kSilentPeakDbfs = -50.0;
// At or above this peak the sound clips (a sample at full scale, or within 0.5 dB of it).
inline constexpr double kClippingPeakDbfs = -0.5;
// The loudest sample peak over the observation, dBFS; nothing: not observed.
PreflightLine soundLine(const std::optional<double>& peakDbfs);

// --- the destinations --------------------------------------------------------------------

struct DestinationProbe {
  std::string name;
  std::string maskedUrl;  // never the key
  bool accepted = false;
  std::optional<Failure> failure;  // when not accepted
  // Not probed: a meeting is live (a second publish with the same key would disturb it).
  bool skipped = false;
};
// One line per enabled destination, or one orange line when there is none.
std::vector<PreflightLine> destinationLines(const std::vector<DestinationProbe>& probes);

// --- the uplink --------------------------------------------------------------------------

// The uplink must carry every destination's stream with this margin. 1.3 (30 %): x264's
// rate control overshoots its target by 10-20 % on a busy picture over a second or two
// (the video buffer is one second), RTMP and TCP/IP add a few per cent, and a town hall's
// line is shared (the office's mail, the Wi-Fi): YouTube's own advice is to keep a
// connection 1.2-1.5 times the stream's bitrate.
inline constexpr double kUplinkHeadroom = 1.3;

// kb/s the uplink needs: every enabled destination's video + audio × kUplinkHeadroom,
// rounded up.
int uplinkNeededKbps(int destinations, int videoKbps, int audioKbps);

// The lowest video bitrate each profile is offered at: below it the picture of a council
// room (faces, papers) breaks into blocks. 1080p30 at its default, 4500 kb/s (YouTube's
// lower bound for 1080p30); 720p30 at half its default.
inline constexpr int kMinVideoKbps1080p = 4500;
inline constexpr int kMinVideoKbps720p = 1500;

struct ProfileChoice {
  VideoProfile profile = VideoProfile::P720p30;
  int videoKbps = 0;  // a multiple of 100
  friend bool operator==(const ProfileChoice&, const ProfileChoice&) = default;
};
// The largest profile and video bitrate whose streams fit `measuredKbps` with the headroom
// (the bitrate rounded down to 100 kb/s, never above the profile's 20000 kb/s bound), or
// nothing when even 720p30 at kMinVideoKbps720p does not.
std::optional<ProfileChoice> profileThatFits(int measuredKbps, int destinations, int audioKbps);

struct UplinkMeasure {
  enum class Kind {
    measured,         // the link's rate: the test publish was held back at kbps
    atLeast,          // the test publish reached its ceiling (kbps) unhindered: the link is faster
    notConfigured,    // no preflight.test_url
    duringBroadcast,  // a meeting is live: no test publish beside it
    failed,           // the test server could not be reached or refused the publish
  };
  Kind kind = Kind::notConfigured;
  int kbps = 0;
  std::string detail;  // with failed: why (English, technical, no key)
};
// The test publish's ceiling: twice what is needed, at least 8000 kb/s (so that the
// profile to choose is known even when the budget is small), at most 50000 kb/s (a town
// hall's fibre need not be flooded to learn that it fits).
int uplinkProbeCeilingKbps(int neededKbps);
// What the test publish found: below 90 % of its ceiling the link held it back, so the
// rate is the link's; otherwise the link is at least that fast.
UplinkMeasure uplinkMeasured(int ackedKbps, int ceilingKbps);

PreflightLine uplinkLine(const UplinkMeasure& measure, int destinations, const VideoSettings& video, int audioKbps);

// --- the disk and the clock --------------------------------------------------------------

// The recording's disk against the expected meeting (core/recording_space.h's estimate);
// nothing when the recording is off.
std::optional<PreflightLine> diskLine(std::uint64_t freeBytes, const Config& config);

// Whether the system clock is synchronised (NTP); nothing: unknown.
PreflightLine clockLine(std::optional<bool> synchronised);

// "1080p30", "720p30": the config's words.
std::string_view profileName(VideoProfile profile);

}  // namespace tribune::core
