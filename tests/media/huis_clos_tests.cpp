// Huis clos as the platform and the recording see it (CGCT L2121-18): the slate and
// silence on every public output, the recording paused, and back after the explicit end.
#include <catch2/catch.hpp>

#include <cmath>

#include "media_timeline.h"
#include "running_hub.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

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
  const auto sound = soundLetters(decodeSound(received.front().string()), 0.5);
  const auto picture = slateLetters(received.front().string(), 2);
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
  CHECK(slateLetters(recording, 2).find("HHH") == std::string::npos);
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
