#pragma once
// Lip sync measured from the outside (issue 27, part 2): a test clip with a white flash on
// the picture and a 1 kHz beep on the sound at the same instant every second, a sender
// that plays it as MPEG-TS over SRT the way the issue did, and an analyser that reads any
// media file (nginx-rtmp's FLV, Tribune's Matroska recording, the replay MP4) with ffmpeg
// and says, for each flash, how late the beep that goes with it is.
//
// What the analyser trusts: the file's own timestamps, as a player would. Each video
// frame's PTS comes from ffmpeg's showinfo (frames passed through, never re-timed); each
// decoded sound frame's PTS from ashowinfo, and a beep's onset is placed inside its frame
// by its sample index. A beep's onset is where its short-term energy (one period of 1 kHz,
// 48 samples) crosses half the beep's steady level, interpolated between samples; a flash
// is the first frame whose mean luma (the picture's centre, clear of the graphics)
// crosses half-way from the background to white. The picture is measured to its frame
// (33 ms at 30 fps: a flash is on the first output frame after its instant), the sound
// to a fraction of a millisecond.
//
// Pairing: the flashes and beeps repeat every second, so an offset beyond ±500 ms cannot
// be told from one of the other sign. Each flash is paired with the beep nearest to where
// the previous pair's offset predicts it, so a slow drift is followed past half a second;
// a jump of more than half a second at once is read modulo one second.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/process.h"

namespace tribune::testing {

// The clip's rhythm: one flash and one beep a second, at this phase within each second.
inline constexpr double kLipSyncPhaseS = 0.5;
inline constexpr double kLipSyncBeepS = 0.1;

struct LipSyncClipOptions {
  int width = 640;
  int height = 360;
  int fps = 30;
  // Where the beep sits after its flash, in ms (±400): the known offset that the
  // analyser's own tests read back. Positive: sound late.
  double soundOffsetMs = 0;
};

// Writes an MP4 of `seconds` seconds: H.264 (yuv420p, a key frame every second) on a grey
// picture with two white frames at each second's kLipSyncPhaseS, and AAC-LC 48 kHz stereo
// silence with a 1 kHz beep of kLipSyncBeepS at the same instant (plus soundOffsetMs).
// Made by ffmpeg's lavfi; throws with ffmpeg's stderr when it fails.
void makeLipSyncClip(const std::filesystem::path& path, int seconds, const LipSyncClipOptions& options = {});

// Remuxes `clip` to `out` with its sound's timestamps moved by `ms` (ffmpeg -itsoffset,
// stream copy): the same samples, later (or earlier) in the container's timeline.
void shiftSoundTimestamps(const std::filesystem::path& clip, const std::filesystem::path& out, double ms);

// The SRT camera: `ffmpeg -re -stream_loop -1 -i CLIP -c copy -f mpegts
// "srt://127.0.0.1:PORT?mode=listener"` (the clip played in real time, looped, as MPEG-TS;
// Tribune calls it). Its output and log go to `log` when given, else nowhere.
Process lipSyncSrtSender(const std::filesystem::path& clip, int port,
                         const std::optional<std::filesystem::path>& log = std::nullopt);

// A UDP port on 127.0.0.1 that was free a moment ago (SRT runs over UDP).
int freeUdpLoopbackPort();

struct LipSyncPair {
  double pictureS = 0;  // the flash's first frame, file time (s)
  double soundS = 0;    // the beep's onset, file time (s)
  [[nodiscard]] double offsetMs() const { return (soundS - pictureS) * 1000; }  // positive: sound late
};

// What the timestamps of one track look like (a post-mortem of a drift: sound stamped
// faster or slower than its samples, holes, overlaps).
struct TrackTimeline {
  double firstS = 0;  // first frame's PTS, file time (s)
  double lastS = 0;   // last frame's PTS
  std::size_t frames = 0;
  // Sound only: PTS minus where the samples counted from the first frame would put it
  // (ms): at the end, and its extremes. A track stamped from its samples stays near 0.
  double endDriftMs = 0;
  double minDriftMs = 0;
  double maxDriftMs = 0;
  // Jumps between consecutive frames away from the expected step (> 5 ms), and the
  // largest one (ms, signed: negative is an overlap).
  std::size_t jumps = 0;
  double largestJumpMs = 0;
  double largestJumpAtS = 0;  // the PTS of the frame after it
};

struct LipSyncReading {
  std::vector<double> flashes;  // file times (s)
  std::vector<double> beeps;    // file times (s)
  std::vector<LipSyncPair> pairs;
  TrackTimeline video;
  TrackTimeline audio;

  // The pairs whose flash is at or after `fromS` (file time).
  [[nodiscard]] std::vector<LipSyncPair> pairsFrom(double fromS) const;
};

// Decodes `file` with ffmpeg (times are the file's, from its start: ffmpeg subtracts the
// container's start time from both tracks alike) and finds every flash and beep. Throws
// with ffmpeg's stderr when it cannot decode.
LipSyncReading readLipSync(const std::string& file);

// "3.50 s +12 ms, 4.50 s +15 ms, …" for a test's INFO or a post-mortem.
std::string describePairs(const std::vector<LipSyncPair>& pairs);
// One line on the tracks' timestamps: first PTS, sound stamped vs counted, jumps.
std::string describeTimelines(const LipSyncReading& reading);

struct OffsetSpread {
  std::size_t count = 0;
  double minMs = 0;
  double medianMs = 0;
  double maxMs = 0;
};
OffsetSpread offsetSpread(const std::vector<LipSyncPair>& pairs);

// The pairs outside [minMs, maxMs].
std::vector<LipSyncPair> pairsOutside(const std::vector<LipSyncPair>& pairs, double minMs, double maxMs);

// Least-squares slope of the offset against the picture's time, in ms of offset per
// second: the drift (0 for fewer than two pairs).
double offsetDriftMsPerS(const std::vector<LipSyncPair>& pairs);

}  // namespace tribune::testing
