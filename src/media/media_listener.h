#pragma once
// How the media engine tells its owner what happened. Called from GStreamer's streaming
// and bus threads: an implementation only copies the facts and posts them to the hub.
#include <cstdint>
#include <string>

#include "core/failure.h"
#include "core/source_track.h"
#include "media/loudness_figures.h"
#include "media/media_types.h"

namespace tribune::media {

class MediaListener {
 public:
  virtual ~MediaListener() = default;
  // An output's connection or pipeline failed. `generation` tells apart the successive
  // connections of one output, so that a late report of an old one is ignored.
  virtual void onOutputFailed(const std::string& output, std::uint64_t generation, core::Failure failure) = 0;
  // The program (source + encoders) failed; the detail is for the log.
  virtual void onProgramError(const std::string& detail) = 0;
  // The source's picture or sound stopped ("no_data", "error", "ended") or came back
  // (reason empty). The engine already fills the gap (frozen picture, silence); the owner
  // decides what goes on air (the "signal-lost" slate) and records it.
  virtual void onSourceChanged(core::SourceTrack track, bool up, const std::string& reason) = 0;
  // No encoded frame came out for the stall time while frames went in: the encode side
  // was rebuilt (the outputs stayed connected).
  virtual void onEncoderRebuilt(const std::string& detail) = 0;
  // A looping source reached its end and wants to be sought back to its start.
  virtual void onProgramSegmentDone() = 0;
  // Ten times a second, from the program's sound before any mute.
  virtual void onAudioLevels(AudioLevels levels) = 0;
  // Four times a second, the loudness of what goes out and what the automatic gain does
  // (a default that ignores them: listeners that have no use for them need not say so).
  virtual void onLoudness(LoudnessFigures /*figures*/) {}
  // A small JPEG of what is on air, a few times a second.
  virtual void onPreview(std::string jpeg) = 0;
  // A template could not be rendered; the layer keeps what it showed.
  virtual void onGraphicsError(int layer, std::uint64_t changeId, const std::string& message) = 0;
};

}  // namespace tribune::media
