#pragma once
// A recording opened read-only with libavformat: its video stream (required) and audio
// stream (optional), timestamps in ns. Internal to src/archive; one thread at a time.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "archive/archive.h"
#include "archive/libav_ptr.h"

namespace tribune::archive {

class InputFile {
 public:
  // Throws ArchiveError naming the file when it is missing, not a media file, or has no
  // video stream.
  explicit InputFile(std::filesystem::path file);

  const std::filesystem::path& path() const { return path_; }
  AVFormatContext* context() const { return context_.get(); }
  AVStream* video() const { return video_; }
  AVStream* audio() const { return audio_; }  // nullptr when the file has none

  // A stream timestamp (or duration) in ns, and back (rounded to the nearest tick).
  static std::int64_t toNs(std::int64_t ts, const AVStream* stream);
  static std::int64_t fromNs(std::int64_t ns, const AVStream* stream);

  // The packet's PTS in ns (its DTS when it has no PTS); false when it has neither.
  static bool packetTimeNs(const AVPacket& packet, const AVStream* stream, std::int64_t& ns);

  // How long one video frame lasts when a packet does not say: the nominal frame rate's
  // period, 0 when unknown.
  std::int64_t nominalFrameNs() const;

  // The streams as a technician would describe them.
  std::vector<StreamInfo> describe() const;

  // Why this file's streams cannot follow `other`'s in one MP4 ("" when they can).
  std::string incompatibilityWith(const InputFile& other) const;

  // Puts the reading position at a video key frame at or before `ns` (file time). Returns
  // false when the demuxer cannot seek; the position is then unknown.
  bool seekToKeyFrameBefore(std::int64_t ns);

  // "file.mkv: " prefixed messages for ArchiveError.
  std::string describeError(const std::string& what) const;

 private:
  std::filesystem::path path_;
  InputContextPtr context_;
  AVStream* video_ = nullptr;  // owned by context_
  AVStream* audio_ = nullptr;  // owned by context_
};

}  // namespace tribune::archive
