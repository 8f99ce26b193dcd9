// scanRecording against ffprobe's reading of the same files.
#include <catch2/catch.hpp>

#include "archive/archive.h"
#include "support/ffprobe.h"
#include "test_recordings.h"

namespace {

using tribune::archive::scanRecording;
using tribune::testing::huisClosRecording;

constexpr double kFrame = 1.0 / 30;

double seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

}  // namespace

TEST_CASE("a scan finds a key frame every 2 s and splits the spans at a huis clos gap") {
  auto scan = scanRecording(huisClosRecording());

  // The same key frames as ffprobe, to the millisecond (Matroska's tick).
  std::vector<double> expected = tribune::testing::keyframeTimes(huisClosRecording().string());
  REQUIRE(scan.keyFramesNs.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(seconds(scan.keyFramesNs[i]) == Approx(expected[i]).margin(5e-4));
  // 0.021 2.021 | 10.021 12.021 14.021: every 2 s within a span.
  REQUIRE(scan.keyFramesNs.size() == 5);
  CHECK(seconds(scan.keyFramesNs[1] - scan.keyFramesNs[0]) == Approx(2.0).margin(1e-3));
  CHECK(seconds(scan.keyFramesNs[2] - scan.keyFramesNs[1]) == Approx(8.0).margin(1e-3));
  CHECK(seconds(scan.keyFramesNs[3] - scan.keyFramesNs[2]) == Approx(2.0).margin(1e-3));
  CHECK(seconds(scan.keyFramesNs[4] - scan.keyFramesNs[3]) == Approx(2.0).margin(1e-3));

  REQUIRE(scan.spans.size() == 2);
  CHECK(seconds(scan.spans[0].startNs) == Approx(expected[0]).margin(1e-3));
  CHECK(seconds(scan.spans[0].endNs) == Approx(expected[0] + 4.0).margin(kFrame));
  CHECK(seconds(scan.spans[1].startNs) == Approx(expected[2]).margin(1e-3));
  CHECK(seconds(scan.spans[1].startNs) == Approx(expected[0] + 10.0).margin(kFrame));
  CHECK(seconds(scan.spans[1].endNs) == Approx(expected[0] + 16.0).margin(kFrame));
  CHECK(scan.endNs == scan.spans[1].endNs);
  CHECK_FALSE(scan.truncated);
  CHECK(scan.truncatedReason.empty());
}

TEST_CASE("a scan with a gap threshold larger than the hole sees one span") {
  auto scan = scanRecording(huisClosRecording(), std::chrono::seconds{7});
  REQUIRE(scan.spans.size() == 1);
  CHECK(seconds(scan.spans[0].endNs - scan.spans[0].startNs) == Approx(16.0).margin(kFrame));
}

TEST_CASE("a scan describes the video and audio streams") {
  auto scan = scanRecording(tribune::testing::gstreamerRecording());
  REQUIRE(scan.streams.size() == 2);
  CHECK(scan.streams[0].kind == "video");
  CHECK(scan.streams[0].codec == "h264");
  CHECK(scan.streams[0].width == 320);
  CHECK(scan.streams[0].height == 240);
  CHECK(scan.streams[1].kind == "audio");
  CHECK(scan.streams[1].codec == "aac");
  CHECK(scan.streams[1].sampleRate == 48000);
  CHECK(scan.streams[1].channels == 2);
  // matroskamux starts at 0, GOPs of 60 frames at 30 fps.
  CHECK(scan.keyFramesNs == std::vector<std::int64_t>{0, 2'000'000'000, 4'000'000'000});
  REQUIRE(scan.spans.size() == 1);
  CHECK(scan.spans[0].startNs == 0);
  CHECK(seconds(scan.endNs) == Approx(6.0).margin(kFrame));
}
