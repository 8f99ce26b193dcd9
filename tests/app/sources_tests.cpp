// Sources as a technician names them on the command line.
#include <catch2/catch.hpp>

#include <thread>

#include "support/ffprobe.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

const std::string kTribune = TRIBUNE_BINARY;

std::filesystem::path recordingIn(const std::filesystem::path& dataDir) {
  for (const auto& entry : std::filesystem::directory_iterator(dataDir / "recordings")) return entry.path();
  throw std::runtime_error("no recording");
}

}  // namespace

TEST_CASE("a file source is looped so the program never runs dry", "[cli][source]") {
  TempDir dir;
  const auto clip = (dir / "essai.mp4").string();
  auto made = runCommand({"ffmpeg",
                          "-v",
                          "error",
                          "-f",
                          "lavfi",
                          "-i",
                          "testsrc=size=320x240:rate=25",
                          "-f",
                          "lavfi",
                          "-i",
                          "sine=frequency=440:sample_rate=44100",
                          "-t",
                          "2",
                          "-c:v",
                          "libx264",
                          "-pix_fmt",
                          "yuv420p",
                          "-c:a",
                          "aac",
                          clip},
                         60s);
  REQUIRE(made.exit_code == 0);
  auto result = runCommand(
      {kTribune, "run", "--data-dir", (dir / "data").string(), "--source", "file:" + clip, "--stop-after", "7"}, 60s);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto file = recordingIn(dir / "data").string();
  const auto video = probePackets(file, "v");
  REQUIRE_FALSE(video.empty());
  // A 2-second clip, played three times over at its own pace, normalised to 30 fps.
  CHECK(video.back().pts_time > 5.0);
  CHECK(video.back().pts_time < 8.0);
  const auto probe = probeStreams(file);
  CHECK(videoStream(probe)["r_frame_rate"] == "30/1");
  CHECK(audioStream(probe)["sample_rate"] == "48000");
}

TEST_CASE("an unknown source is refused before anything starts", "[cli][source]") {
  TempDir dir;
  auto result = runCommand({kTribune, "run", "--data-dir", (dir / "data").string(), "--source", "webcam"}, 20s);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("--source: source inconnue « webcam »") != std::string::npos);
}

TEST_CASE("a capture device that is not there is a clear start-up error", "[cli][source]") {
  TempDir dir;
  auto result =
      runCommand({kTribune, "run", "--data-dir", (dir / "data").string(), "--source", "v4l2:/dev/video99"}, 20s);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("capture device") != std::string::npos);
}

TEST_CASE("tribune devices lists capture devices or says there are none", "[cli][source]") {
  auto result = runCommand({kTribune, "devices"}, 30s);
  CHECK(result.exit_code == 0);
  CHECK_FALSE(result.out.empty());
}
