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
#include "core/publish_url.h"

namespace tribune::media {

struct ProgramSettings {
  std::string sourcePipeline;  // expanded preset: elements named `video` and `audio`
  bool loopSource = false;     // the preset asked to be looped (files)
  core::VideoSettings video;
  core::AudioSettings audio;
  std::vector<std::filesystem::path> templateDirs;  // the commune's first, then overlays/
  std::chrono::milliseconds fade{300};
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
};

struct OutputStats {
  std::uint64_t bytesSent = 0;  // RTMP: bytes written on the connection; recording: file size
  FeedStats feed;
};

}  // namespace tribune::media
