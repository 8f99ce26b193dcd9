#include "core/recording_space.h"

#include <algorithm>

namespace tribune::core {

namespace {

std::uint64_t bytesPerSecond(int videoKbps, int audioKbps) {
  const auto kbps =
      static_cast<std::uint64_t>(std::max(videoKbps, 0)) + static_cast<std::uint64_t>(std::max(audioKbps, 0));
  return kbps * 1000 / 8;
}

}  // namespace

std::uint64_t recordingBytesNeeded(int videoKbps, int audioKbps, std::chrono::minutes expectedDuration,
                                   std::chrono::seconds elapsed) {
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(expectedDuration) - elapsed;
  if (left.count() <= 0) return 0;
  return bytesPerSecond(videoKbps, audioKbps) * static_cast<std::uint64_t>(left.count());
}

RecordingSpace recordingSpace(std::uint64_t freeBytes, int videoKbps, int audioKbps,
                              std::chrono::minutes expectedDuration, std::chrono::seconds elapsed) {
  RecordingSpace space;
  space.freeBytes = freeBytes;
  space.neededBytes = recordingBytesNeeded(videoKbps, audioKbps, expectedDuration, elapsed);
  space.low = freeBytes < space.neededBytes;
  return space;
}

std::uint64_t recordingBytesToResume(int videoKbps, int audioKbps) {
  constexpr std::uint64_t kFloor = 16ULL * 1024 * 1024;
  return std::max(kFloor, bytesPerSecond(videoKbps, audioKbps) * 60);
}

std::chrono::seconds recordingProbeDelay(std::chrono::seconds previous, bool resumedFile,
                                         std::chrono::seconds fileLasted) {
  constexpr std::chrono::seconds kMax{60};
  constexpr std::chrono::seconds kFailsSoon{30};
  if (!resumedFile || fileLasted >= kFailsSoon) return kRecordingProbeFirst;
  return std::clamp(previous * 2, kRecordingProbeFirst, kMax);
}

}  // namespace tribune::core
