// A recording cut by a crash (the recorder SIGKILLed): read up to its last readable frame.
#include <catch2/catch.hpp>

#include "archive/archive.h"
#include "support/ffprobe.h"
#include "support/temp_dir.h"
#include "test_recordings.h"

namespace {

using namespace tribune::archive;
using namespace tribune::testing;

constexpr double kFrame = 1.0 / 30;

double seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

// A copy of the matroskamux recording with its last 30 % cut off: the cut falls in the
// middle of a cluster, as when the recorder dies.
std::filesystem::path truncatedCopy(const TempDir& dir) {
  auto file = dir / "crashed.mkv";
  std::filesystem::copy_file(gstreamerRecording(), file);
  auto size = std::filesystem::file_size(file);
  std::filesystem::resize_file(file, size * 7 / 10);
  return file;
}

}  // namespace

TEST_CASE("a recording cut mid-cluster scans up to its last readable frame as a clean end of file") {
  TempDir dir("tribune-archive-test");
  auto file = truncatedCopy(dir);
  RecordingScan whole = scanRecording(gstreamerRecording());
  RecordingScan scan = scanRecording(file);

  // libavformat's Matroska demuxer reports the cut as AVERROR_EOF, not as an error.
  CHECK_FALSE(scan.truncated);
  CHECK(scan.truncatedReason.empty());
  auto video = probePackets(file.string(), "v");
  REQUIRE_FALSE(video.empty());
  double lastEnd = 0;
  for (const Packet& p : video) lastEnd = std::max(lastEnd, p.pts_time + kFrame);
  CHECK(seconds(scan.endNs) == Approx(lastEnd).margin(2e-3));
  CHECK(scan.endNs < whole.endNs - 1'000'000'000);
  CHECK(scan.endNs > 2'000'000'000);
  REQUIRE(scan.spans.size() == 1);
  CHECK(scan.spans[0].endNs == scan.endNs);
}

TEST_CASE("a piece of a cut recording is written up to its last readable frame without error") {
  TempDir dir("tribune-archive-test");
  auto file = truncatedCopy(dir);
  RecordingScan whole = scanRecording(gstreamerRecording());
  RecordingScan scan = scanRecording(file);
  auto out = dir / "replay.mp4";

  // Asked for the whole recording (as planned before the crash was known).
  std::int64_t durationNs = writeMp4({{{file, 0, whole.endNs}}, {}, {{"title", "Séance interrompue"}}}, out);

  CHECK(durationNs == scan.endNs);
  CHECK(durationSeconds(out.string()) == Approx(seconds(scan.endNs)).margin(0.03));
  CHECK(packetSizes(out, "v", -1e9, 1e9) == packetSizes(file, "v", -1e9, 1e9));
}
