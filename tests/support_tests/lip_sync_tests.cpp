// The lip-sync analyser (support/lip_sync.h) reads back offsets it is given: clips made
// with the beep a known time after or before the flash, or with the sound's timestamps
// moved in the container, in each container Tribune's outputs use. Within ±5 ms: the
// picture is read to its frame's PTS, the sound to a sample.
#include <catch2/catch.hpp>

#include <cmath>

#include "support/lip_sync.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;

namespace {

constexpr int kSeconds = 6;

// Every flash of the clip paired, each within 5 ms of `expectedMs`.
void checkReads(const LipSyncReading& reading, double expectedMs) {
  INFO(describePairs(reading.pairs));
  INFO(describeTimelines(reading));
  CHECK(reading.flashes.size() == kSeconds);
  CHECK(reading.beeps.size() == kSeconds);
  REQUIRE(reading.pairs.size() == kSeconds);
  for (const auto& pair : reading.pairs) CHECK(pair.offsetMs() == Approx(expectedMs).margin(5));
}

void remux(const std::filesystem::path& from, const std::filesystem::path& to) {
  const auto result = runCommand({"ffmpeg", "-v", "error", "-y", "-i", from.string(), "-c", "copy", to.string()},
                                 std::chrono::seconds(60));
  REQUIRE(result.exit_code == 0);
}

}  // namespace

TEST_CASE("the lip-sync analyser reads a clip in sync as 0 ms", "[lip-sync]") {
  TempDir dir;
  const auto clip = dir / "clip.mp4";
  makeLipSyncClip(clip, kSeconds);
  const auto reading = readLipSync(clip.string());
  checkReads(reading, 0);
  CHECK(std::abs(offsetDriftMsPerS(reading.pairs)) < 1);
  // The flashes are at each second's phase, on the frames' own PTS.
  for (std::size_t i = 0; i < reading.flashes.size(); ++i) {
    CHECK(reading.flashes[i] == Approx(static_cast<double>(i) + kLipSyncPhaseS).margin(0.001));
  }
}

TEST_CASE("the lip-sync analyser reads a beep 80 ms late and one 40 ms early", "[lip-sync]") {
  TempDir dir;
  for (const double offset : {80.0, -40.0}) {
    INFO("beep " << offset << " ms after the flash");
    const auto clip = dir / "clip.mp4";
    makeLipSyncClip(clip, kSeconds, {640, 360, 30, offset});
    checkReads(readLipSync(clip.string()), offset);
  }
}

TEST_CASE("the lip-sync analyser follows the container's timestamps, not the count of samples", "[lip-sync]") {
  TempDir dir;
  const auto clip = dir / "clip.mp4";
  makeLipSyncClip(clip, kSeconds);
  for (const double offset : {80.0, -40.0}) {
    INFO("sound's timestamps moved by " << offset << " ms (-itsoffset)");
    const auto shifted = dir / "shifted.mkv";
    shiftSoundTimestamps(clip, shifted, offset);
    const auto reading = readLipSync(shifted.string());
    INFO(describePairs(reading.pairs));
    INFO(describeTimelines(reading));
    // A flash whose beep moved out of the file (the last one, 80 ms late) goes unpaired.
    REQUIRE(reading.pairs.size() >= kSeconds - 1);
    for (const auto& pair : reading.pairs) CHECK(pair.offsetMs() == Approx(offset).margin(5));
  }
}

TEST_CASE("the lip-sync analyser reads FLV and Matroska as the platform and the recording have them", "[lip-sync]") {
  TempDir dir;
  const auto clip = dir / "clip.mp4";
  makeLipSyncClip(clip, kSeconds, {640, 360, 30, 25});
  for (const char* name : {"clip.flv", "clip.mkv"}) {
    INFO(name);
    remux(clip, dir / name);
    checkReads(readLipSync((dir / name).string()), 25);
  }
}
