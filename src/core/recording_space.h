#pragma once
// Whether the recording's disk holds the rest of the meeting (issue 6, "Stalls and
// resources"): the hub measures the free space, this decides what it means. Pure.
#include <chrono>
#include <cstdint>

namespace tribune::core {

struct RecordingSpace {
  std::uint64_t freeBytes = 0;
  std::uint64_t neededBytes = 0;  // for what is left of the expected meeting
  bool low = false;               // free < needed: the console warns
};

// Bytes the recording still needs: (video + audio bitrate) / 8 × the time left of the
// expected meeting, which is never negative (a meeting running late needs nothing more
// by this estimate; the disk-full alarm covers it).
std::uint64_t recordingBytesNeeded(int videoKbps, int audioKbps, std::chrono::minutes expectedDuration,
                                   std::chrono::seconds elapsed);

RecordingSpace recordingSpace(std::uint64_t freeBytes, int videoKbps, int audioKbps,
                              std::chrono::minutes expectedDuration, std::chrono::seconds elapsed);

// Room enough to start a new file after the disk was full: a minute of recording, and
// never less than 16 MiB, so that a disk with a few blocks freed does not fail again at once.
std::uint64_t recordingBytesToResume(int videoKbps, int audioKbps);

// The wait before the next write probe after the recording failed. A file that failed
// within 30 s of being started to resume the recording (not the meeting's first file)
// failed again on a fault the probe cannot see (it writes 64 KiB, the file much more),
// so the wait doubles from the last one, up to 60 s; any other failure waits
// kRecordingProbeFirst.
inline constexpr std::chrono::seconds kRecordingProbeFirst{2};
std::chrono::seconds recordingProbeDelay(std::chrono::seconds previous, bool resumedFile,
                                         std::chrono::seconds fileLasted);

}  // namespace tribune::core
