#pragma once
// The archive: reads a Matroska recording (matroskamux streamable=true, H.264 + AAC) and
// writes the replay MP4 from pieces of recordings by stream copy (FFmpeg's libavformat).
//
// Threading: every call opens, owns and closes its own files and libav contexts; calls
// may run on any thread, several at once. They block for as long as the file I/O takes
// (a whole recording is read by scanRecording), so keep them off event-loop threads.
//
// Times are int64 nanoseconds. "File time" is the recording's own timestamps (starting
// at 0, with a gap where a huis clos paused the recording); "replay time" is the MP4's.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tribune::archive {

// Whatever prevents a scan or an export; the message names the file and what is wrong.
class ArchiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Span {
  std::int64_t startNs = 0;  // [start, end) in the file's time
  std::int64_t endNs = 0;
};

struct StreamInfo {
  std::string kind;   // "video" or "audio"
  std::string codec;  // libavcodec's name: "h264", "aac"
  int width = 0, height = 0, sampleRate = 0, channels = 0;
};

struct RecordingScan {
  std::vector<StreamInfo> streams;
  std::vector<std::int64_t> keyFramesNs;  // PTS of every video key frame, ascending, file time
  // The recorded spans: the video's packets split where consecutive PTS (sorted) are more
  // than `gap` apart; a span ends at its last frame's PTS + that frame's duration.
  std::vector<Span> spans;
  std::int64_t endNs = 0;  // end of the last readable video frame (PTS + duration)
  // Reading stopped on an error before a clean end of file. A Matroska file cut in the
  // middle of a cluster (a SIGKILLed recorder) is NOT reported so: libavformat's Matroska
  // demuxer treats the cut as the end of the file (AVERROR_EOF) and hands out every
  // complete frame before it. This flag catches I/O errors and damaged data.
  bool truncated = false;
  std::string truncatedReason;  // libav's text for that error, empty otherwise
};

// Reads the whole recording (read-only). Throws ArchiveError when the file is missing, is
// not a media file or has no video stream.
RecordingScan scanRecording(const std::filesystem::path& file, std::chrono::nanoseconds gap = std::chrono::seconds{1});

struct Piece {
  std::filesystem::path file;
  // File time. fromNs is a key frame's PTS (picked from keyFramesNs); toNs a key frame's
  // PTS, the end of a span or the file's endNs.
  std::int64_t fromNs = 0;
  std::int64_t toNs = 0;
};

struct Chapter {
  std::int64_t startNs = 0;  // replay time
  std::int64_t endNs = 0;
  std::string title;  // UTF-8
};

struct ReplaySpec {
  // Played one after the other: piece k starts in the replay at the sum of the lengths
  // (toNs - fromNs) of the pieces before it.
  std::vector<Piece> pieces;
  std::vector<Chapter> chapters;  // ascending, not overlapping; written as MP4 chapters
  // Container metadata: "title", "date", "artist", "comment", ...
  std::vector<std::pair<std::string, std::string>> metadata;
};

// Writes the replay MP4 to `out` and returns its duration in ns.
//
// - Stream copy, never re-encoding. Video packets are taken by PTS in [fromNs, toNs),
//   audio packets likewise, then shifted so the pieces follow each other.
// - Decode timestamps are rebuilt from the PTS, one closed GOP at a time (Matroska stores
//   none, and libavformat's guess is wrong across a huis clos gap): DTS stays strictly
//   increasing across pieces.
// - B-frames: the first frame's DTS is a few frames below 0 while its PTS is 0. We keep
//   those negative DTS and let the MP4 muxer write an edit list, so presentation starts at
//   exactly 0 and the chapters are not shifted (no constant offset).
// - movflags +faststart ('moov' before 'mdat'); bit-exact: the same spec gives the same
//   bytes (no creation time, no libavformat version string).
// - Written to a temporary file in out's folder, renamed to `out` at the end: a failed
//   export leaves nothing under that name (an existing `out` stays as it was).
// - A piece from a truncated recording is copied up to its last readable packet. The
//   returned duration is the sum of the pieces' lengths, except that a piece whose file
//   ends before its toNs counts up to the end of its last frame.
// - Throws ArchiveError when a file cannot be read, when the pieces' codec parameters
//   (codec, picture size, sample rate, channels, H.264 parameter sets) differ (naming
//   both files), when the spec is empty or inconsistent, or when `out` cannot be written.
// Input files are only ever opened read-only.
std::int64_t writeMp4(const ReplaySpec& spec, const std::filesystem::path& out);

}  // namespace tribune::archive
