// scanRecording: one pass over every packet of a recording (read-only).
#include <algorithm>
#include <limits>

#include "archive/archive.h"
#include "archive/input_file.h"
#include "archive/libav_library.h"

namespace tribune::archive {
namespace {

struct VideoFrame {
  std::int64_t ptsNs = 0;
  std::int64_t durationNs = 0;
};

// Splits the frames (sorted by PTS) where consecutive PTS are more than `gapNs` apart.
std::vector<Span> splitIntoSpans(const std::vector<VideoFrame>& frames, std::int64_t gapNs) {
  std::vector<Span> spans;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const VideoFrame& frame = frames[i];
    std::int64_t end = frame.ptsNs + frame.durationNs;
    if (i == 0 || frame.ptsNs - frames[i - 1].ptsNs > gapNs) {
      spans.push_back({frame.ptsNs, end});
    } else {
      spans.back().endNs = std::max(spans.back().endNs, end);
    }
  }
  return spans;
}

// Matroska blocks usually carry no duration: the track's default duration, the nominal
// frame rate, then the smallest step between frames stand in.
void fillMissingDurations(std::vector<VideoFrame>& frames, std::int64_t nominalFrameNs) {
  std::int64_t fallback = nominalFrameNs;
  if (fallback <= 0) {
    fallback = std::numeric_limits<std::int64_t>::max();
    for (std::size_t i = 1; i < frames.size(); ++i) {
      std::int64_t step = frames[i].ptsNs - frames[i - 1].ptsNs;
      if (step > 0) fallback = std::min(fallback, step);
    }
    if (fallback == std::numeric_limits<std::int64_t>::max()) fallback = 0;
  }
  for (VideoFrame& frame : frames) {
    if (frame.durationNs <= 0) frame.durationNs = fallback;
  }
}

}  // namespace

RecordingScan scanRecording(const std::filesystem::path& file, std::chrono::nanoseconds gap) {
  InputFile input(file);
  RecordingScan scan;
  scan.streams = input.describe();

  std::vector<VideoFrame> frames;
  PacketPtr packet(av_packet_alloc());
  if (!packet) throw ArchiveError(input.describeError("out of memory while scanning"));
  int ret = 0;
  while ((ret = av_read_frame(input.context(), packet.get())) >= 0) {
    std::int64_t ptsNs = 0;
    if (packet->stream_index == input.video()->index && InputFile::packetTimeNs(*packet, input.video(), ptsNs)) {
      frames.push_back({ptsNs, InputFile::toNs(packet->duration, input.video())});
      if (packet->flags & AV_PKT_FLAG_KEY) scan.keyFramesNs.push_back(ptsNs);
    }
    av_packet_unref(packet.get());
  }
  // A Matroska file cut mid-cluster ends with AVERROR_EOF too (see archive.h); an I/O
  // error may also surface only on the AVIOContext.
  if (ret == AVERROR_EOF && input.context()->pb != nullptr && input.context()->pb->error < 0) {
    ret = input.context()->pb->error;
  }
  if (ret != AVERROR_EOF) {
    scan.truncated = true;
    scan.truncatedReason = libavErrorText(ret);
  }

  std::sort(frames.begin(), frames.end(), [](const VideoFrame& a, const VideoFrame& b) { return a.ptsNs < b.ptsNs; });
  std::sort(scan.keyFramesNs.begin(), scan.keyFramesNs.end());
  fillMissingDurations(frames, input.nominalFrameNs());
  scan.spans = splitIntoSpans(frames, gap.count());
  for (const Span& span : scan.spans) scan.endNs = std::max(scan.endNs, span.endNs);
  return scan;
}

}  // namespace tribune::archive
