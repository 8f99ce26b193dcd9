// Huis clos as the platform and the recording see it (CGCT L2121-18): the slate and
// silence on every public output, the recording paused, and back after the explicit end.
#include <catch2/catch.hpp>

#include <cmath>

#include "running_hub.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

// One letter per half second of the file's sound: 'T' the test tone, 's' silence.
std::string soundTimeline(const std::string& file) {
  TempDir dir;
  const auto raw = dir / "sound.s16";
  auto result = runCommand(
      {"ffmpeg", "-v", "error", "-y", "-i", file, "-vn", "-ac", "1", "-ar", "48000", "-f", "s16le", raw.string()}, 60s);
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg: " + result.err);
  const std::string bytes = readTextFile(raw);
  const std::size_t window = 24000;  // samples
  std::string timeline;
  for (std::size_t at = 0; (at + window) * 2 <= bytes.size(); at += window) {
    double sum = 0;
    for (std::size_t i = 0; i < window; ++i) {
      const auto sample = static_cast<std::int16_t>(static_cast<std::uint8_t>(bytes[(at + i) * 2]) |
                                                    (static_cast<std::uint8_t>(bytes[(at + i) * 2 + 1]) << 8));
      sum += static_cast<double>(sample) * sample;
    }
    const double rms = std::sqrt(sum / window) / 32768.0;
    timeline += rms > 0.02 ? 'T' : (rms < 0.001 ? 's' : '?');
  }
  return timeline;
}

// One letter per half second of picture: 'H' the slate's colour at (40, 40), '.' not.
std::string pictureTimeline(const std::string& file) {
  TempDir dir;
  const auto raw = dir / "frames.rgb";
  auto result = runCommand({"ffmpeg", "-v", "error", "-y", "-i", file, "-vf", "fps=2,crop=2:2:40:40", "-f", "rawvideo",
                            "-pix_fmt", "rgb24", raw.string()},
                           60s);
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg: " + result.err);
  const std::string bytes = readTextFile(raw);
  std::string timeline;
  for (std::size_t at = 0; at + 12 <= bytes.size(); at += 12) {
    const int r = static_cast<std::uint8_t>(bytes[at]);
    const int g = static_cast<std::uint8_t>(bytes[at + 1]);
    const int b = static_cast<std::uint8_t>(bytes[at + 2]);
    timeline += std::abs(r - 0x1f) < 40 && std::abs(g - 0x3a) < 40 && std::abs(b - 0x93) < 40 ? 'H' : '.';
  }
  return timeline;
}

core::DispatchResult run(RunningHub& hub, const std::string& type) {
  return hub.hub().submit(core::Role::Technician, core::Request{type, nlohmann::json::object()}).get();
}

}  // namespace

TEST_CASE("huis clos cuts the platform to the slate and silence, and pauses the recording", "[media][huis-clos]") {
  NginxRtmp server;
  server.start();
  TempDir data;
  auto config = testConfig();
  config.destinations.push_back(testDestination("platform", server.rtmpUrl("huis-clos-key")));
  std::string recording;
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("platform", "live", 5s));
    recording = hub.hub().recordingPath().string();
    REQUIRE(run(hub, "session.open").ok());
    std::this_thread::sleep_for(2500ms);
    REQUIRE(run(hub, "session.huis_clos").ok());
    std::this_thread::sleep_for(4s);
    REQUIRE(run(hub, "session.leave_huis_clos").ok());
    std::this_thread::sleep_for(2500ms);
  }
  REQUIRE(server.waitForRecordingsClosed("huis-clos-key", 5s));
  const auto received = server.recordings("huis-clos-key");
  REQUIRE(received.size() == 1);  // the publish never stopped
  const auto sound = soundTimeline(received.front().string());
  const auto picture = pictureTimeline(received.front().string());
  INFO("sound   " << sound);
  INFO("picture " << picture);
  // Tone, then at least three seconds of silence with the slate, then the tone again.
  CHECK(sound.find("TTT") == 0);
  CHECK(sound.find("ssssss") != std::string::npos);
  CHECK(sound.rfind("TTT") > sound.find("ssssss"));
  CHECK(picture.find("HHHHHH") != std::string::npos);
  CHECK(picture.front() == '.');
  CHECK(picture.back() == '.');
  // The slate and the silence cover the same stretch, within a second.
  CHECK(std::abs(static_cast<int>(picture.find("HHH")) - static_cast<int>(sound.find("sss"))) <= 2);

  // The local recording has a hole where the session was closed: nothing of it is kept.
  const auto video = probePackets(recording, "v");
  REQUIRE_FALSE(video.empty());
  CHECK(largestGap(video) > 3.0);
  CHECK(pictureTimeline(recording).find("HHH") == std::string::npos);
}

TEST_CASE("the sound meters read the programme's peak and RMS per channel, even under huis clos", "[media][levels]") {
  TempDir data;
  RunningHub hub(testConfig(), data.path());
  REQUIRE(waitUntil([&] { return hub.hub().snapshot().framesEncoded > 30; }, 10s));
  REQUIRE(run(hub, "session.open").ok());
  REQUIRE(run(hub, "session.huis_clos").ok());
  std::this_thread::sleep_for(500ms);
  const auto levels = hub.hub().audioLevels();
  REQUIRE(levels.peakDb.size() == 2);
  REQUIRE(levels.rmsDb.size() == 2);
  // The test tone is a sine at 0.1 of full scale: peak -20 dBFS, RMS -23 dBFS.
  CHECK(levels.peakDb[0] == Approx(-20.0).margin(1.5));
  CHECK(levels.rmsDb[0] == Approx(-23.0).margin(1.5));
}
