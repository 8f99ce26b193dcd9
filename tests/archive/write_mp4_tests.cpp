// writeMp4, judged by ffprobe and by the MP4's own boxes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "archive/archive.h"
#include "support/ffprobe.h"
#include "support/temp_dir.h"
#include "test_recordings.h"

namespace {

using namespace tribune::archive;
using namespace tribune::testing;

constexpr double kFrame = 1.0 / 30;

double seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

// The replay of a meeting with a huis clos: the span before it, then the span after it.
ReplaySpec huisClosReplay() {
  RecordingScan scan = scanRecording(huisClosRecording());
  REQUIRE(scan.spans.size() == 2);
  ReplaySpec spec;
  for (const Span& span : scan.spans) spec.pieces.push_back({huisClosRecording(), span.startNs, span.endNs});
  spec.chapters = {{0, 1'500'000'000, "Ouverture de la séance"},
                   {1'500'000'000, 4'000'000'000, "1. Approbation du procès-verbal"},
                   {4'000'000'000, 10'000'000'000, "2. Budget primitif"}};
  spec.metadata = {{"title", "Conseil municipal du 12 mars — séance publique"},
                   {"date", "2024-03-12"},
                   {"artist", "Ville de Saint-Étienne"},
                   {"comment", "Huis clos de 21 h 10 à 21 h 16"}};
  return spec;
}

// Largest step between consecutive PTS (sorted) of a stream's packets.
double largestStep(const std::vector<Packet>& packets) {
  std::vector<double> times;
  times.reserve(packets.size());
  for (const Packet& p : packets) times.push_back(p.pts_time);
  std::sort(times.begin(), times.end());
  double largest = 0;
  for (std::size_t i = 1; i < times.size(); ++i) largest = std::max(largest, times[i] - times[i - 1]);
  return largest;
}

std::string field(const nlohmann::json& stream, const char* key) {
  return stream.contains(key) ? stream[key].dump() : "(none)";
}

}  // namespace

TEST_CASE("a replay of the spans around a huis clos plays them back to back with exact chapters") {
  TempDir dir("tribune-archive-test");
  ReplaySpec spec = huisClosReplay();
  auto out = dir / "replay.mp4";
  std::int64_t expectedNs = 0;
  for (const Piece& piece : spec.pieces) expectedNs += piece.toNs - piece.fromNs;

  std::int64_t durationNs = writeMp4(spec, out);

  CHECK(durationNs == expectedNs);
  CHECK(seconds(expectedNs) == Approx(10.0).margin(kFrame));
  CHECK(durationSeconds(out.string()) == Approx(seconds(expectedNs)).margin(0.03));

  SECTION("no gap: the pieces follow each other from 0") {
    auto video = probePackets(out.string(), "v");
    auto audio = probePackets(out.string(), "a");
    REQUIRE_FALSE(video.empty());
    REQUIRE_FALSE(audio.empty());
    double firstVideo = video.front().pts_time;
    for (const Packet& p : video) firstVideo = std::min(firstVideo, p.pts_time);
    CHECK(firstVideo == Approx(0.0).margin(1e-3));
    CHECK(audio.front().pts_time == Approx(0.0).margin(0.03));
    CHECK(largestStep(video) < kFrame + 0.002);
    CHECK(largestStep(audio) < 0.03);
    for (std::size_t i = 1; i < video.size(); ++i) REQUIRE(video[i].dts_time > video[i - 1].dts_time);
  }

  SECTION("ffprobe lists the chapters with their accents, to the millisecond") {
    auto chapters = probeChapters(out.string());
    REQUIRE(chapters.size() == spec.chapters.size());
    for (std::size_t i = 0; i < chapters.size(); ++i) {
      INFO("chapter " << i);
      CHECK(chapters[i].title == spec.chapters[i].title);
      CHECK(chapters[i].start == Approx(seconds(spec.chapters[i].startNs)).margin(5e-4));
      CHECK(chapters[i].end == Approx(seconds(spec.chapters[i].endNs)).margin(5e-4));
    }
  }

  SECTION("the streams keep the recording's codec parameters") {
    auto in = probeStreams(huisClosRecording().string());
    auto replay = probeStreams(out.string());
    for (const char* key : {"codec_name", "profile", "width", "height", "pix_fmt", "level"}) {
      INFO(key);
      CHECK(field(videoStream(replay), key) == field(videoStream(in), key));
    }
    for (const char* key : {"codec_name", "profile", "sample_rate", "channels"}) {
      INFO(key);
      CHECK(field(audioStream(replay), key) == field(audioStream(in), key));
    }
    CHECK(videoStream(replay)["profile"] == "High");
    CHECK(replay["format"]["tags"]["title"] == "Conseil municipal du 12 mars — séance publique");
    CHECK(replay["format"]["tags"]["artist"] == "Ville de Saint-Étienne");
  }

  SECTION("faststart: the index comes before the media data") {
    auto boxes = topLevelBoxes(out);
    auto moov = std::find(boxes.begin(), boxes.end(), "moov");
    auto mdat = std::find(boxes.begin(), boxes.end(), "mdat");
    REQUIRE(moov != boxes.end());
    REQUIRE(mdat != boxes.end());
    CHECK(moov < mdat);
    CHECK(boxes.front() == "ftyp");
  }

  SECTION("stream copy: the same packets, byte for byte in size, in the same order") {
    std::vector<long long> videoIn;
    std::vector<long long> audioIn;
    for (const Piece& piece : spec.pieces) {
      // ffprobe prints times rounded to the microsecond; the bounds are whole milliseconds.
      double from = seconds(piece.fromNs) - 1e-7;
      double to = seconds(piece.toNs) - 1e-7;
      auto v = packetSizes(huisClosRecording(), "v", from, to);
      auto a = packetSizes(huisClosRecording(), "a", from, to);
      videoIn.insert(videoIn.end(), v.begin(), v.end());
      audioIn.insert(audioIn.end(), a.begin(), a.end());
    }
    auto videoOut = packetSizes(out, "v", -1e9, 1e9);
    auto audioOut = packetSizes(out, "a", -1e9, 1e9);
    CHECK(videoOut.size() == 300);  // 4 s + 6 s at 30 fps
    CHECK(videoOut == videoIn);
    CHECK(audioOut == audioIn);
  }
}

TEST_CASE("the same replay spec written twice gives byte-identical files") {
  TempDir dir("tribune-archive-test");
  ReplaySpec spec = huisClosReplay();
  writeMp4(spec, dir / "first.mp4");
  writeMp4(spec, dir / "second.mp4");
  std::string first = readBytes(dir / "first.mp4");
  CHECK(first.size() > 10'000);
  CHECK(first == readBytes(dir / "second.mp4"));
}

TEST_CASE("a replay can start in the middle of a recording at a key frame") {
  TempDir dir("tribune-archive-test");
  const auto& file = gstreamerRecording();
  RecordingScan scan = scanRecording(file);
  REQUIRE(scan.keyFramesNs.size() == 3);
  ReplaySpec spec;
  // The last GOP, then the first one: pieces need not follow the file's order.
  spec.pieces = {{file, scan.keyFramesNs[2], scan.endNs}, {file, scan.keyFramesNs[0], scan.keyFramesNs[1]}};
  auto out = dir / "replay.mp4";
  std::int64_t durationNs = writeMp4(spec, out);
  CHECK(seconds(durationNs) == Approx(4.0).margin(kFrame));
  CHECK(durationSeconds(out.string()) == Approx(4.0).margin(0.03));
  CHECK(keyframeTimes(out.string()) == std::vector<double>{0.0, 2.0});
  auto expected = packetSizes(file, "v", 4.0 - 1e-7, 10.0);
  auto first = packetSizes(file, "v", -1.0, 2.0 - 1e-7);
  expected.insert(expected.end(), first.begin(), first.end());
  CHECK(packetSizes(out, "v", -1e9, 1e9) == expected);
  CHECK(probeChapters(out.string()).empty());
}
