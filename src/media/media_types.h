#pragma once
// Plain settings and statistics of the media engine, free of GStreamer types, so that
// the rest of Tribune can use the engine without including GStreamer (STYLE.md habit 2).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/drift.h"
#include "core/publish_url.h"
#include "core/source_watchdog.h"

namespace tribune::media {

struct ProgramSettings {
  std::string sourcePipeline;    // expanded preset: elements named `video` and `audio`
  bool loopSource = false;       // the preset asked to be looped (files)
  bool sourceIsNetwork = false;  // "# tribune: network": not there at start is retried, not an error
  core::VideoSettings video;
  core::AudioSettings audio;
  std::vector<std::filesystem::path> templateDirs;  // the commune's first, then overlays/
  std::chrono::milliseconds fade{300};
  core::SourceWatchdogSettings watchdog;         // when the source is lost, restarted
  std::chrono::milliseconds encoderStall{2000};  // no encoded frame for this long: rebuild
  bool driftCorrection = true;                   // resample the sound to the program clock
  // "# tribune: capture": a local sound card whose clock drift is corrected (core/drift.h).
  core::SoundClock soundClock = core::SoundClock::Stamped;
};

// When a graphics change was asked for and when it first reached a frame, both in the
// program's running time (nanoseconds).
struct GraphicTiming {
  std::uint64_t requestedAt = 0;
  std::optional<std::uint64_t> firstFrame;
};

struct ProgramStats {
  std::uint64_t framesEncoded = 0;
  std::uint64_t framesDropped = 0;  // by videorate, to hold 30 fps
  std::uint64_t framesDuplicated = 0;
};

// The source as the supervisor sees it (source_feed.h).
struct SourceStats {
  bool videoUp = true;
  bool audioUp = true;
  std::string videoReason;  // why the track is down: "no_data", "error", "ended"
  std::string audioReason;
  std::string lastError;                        // the source's last error, for the log and the console
  int restarts = 0;                             // source pipelines started again
  int stalls = 0;                               // encode sides rebuilt
  std::optional<double> driftPpm;               // the sound interface's clock against the program's
  std::optional<double> driftStandardErrorPpm;  // how sure driftPpm is
  core::DriftState driftState = core::DriftState::Off;
  int audioRate = 48000;           // the rate the sound is declared at (48000 ± the drift)
  std::uint64_t fillerFrames = 0;  // frames put in while the source gave none
  std::uint64_t fillerAudioBuffers = 0;
  std::uint64_t droppedLate = 0;          // source buffers older than what the program already had
  std::uint64_t trimmedAudioBuffers = 0;  // sound buffers whose head was already covered
  double videoLateMs = 0;                 // how late the source's latest frame reached the program
  int rebases = 0;                        // a track placed again on the program's timeline (core/source_placement.h)
};

struct AudioLevels {
  std::vector<double> peakDb;  // per channel, dBFS
  std::vector<double> rmsDb;
};

struct RtmpOutputSettings {
  std::string name;
  core::PublishUrl url;  // carries the key: never logged, only masked()
  bool tlsVerify = true;
};

struct RecordingOutputSettings {
  std::string name = "recording";
  std::string path;  // the .mkv file to write
};

struct FeedStats {
  std::uint64_t pushedVideo = 0;
  std::uint64_t pushedAudio = 0;
  std::uint64_t droppedFull = 0;    // did not fit in the bounded queue
  std::uint64_t droppedGating = 0;  // waiting for the gate or for a key unit
  // The program's running time (ns) of the output's time 0: its first key unit. -1 until
  // it is sent (nothing before). A recording file's frames are at this program time plus
  // their timestamp. May be slightly negative at the program's start (B-frames: DTS < PTS).
  std::optional<std::int64_t> startRunningTime;
};

struct OutputStats {
  std::uint64_t bytesSent = 0;  // RTMP: bytes written on the connection; recording: file size
  FeedStats feed;
};

}  // namespace tribune::media
