// Destinations against a real nginx-rtmp (RTMPS through nginx's stream TLS), checked
// with ffprobe on what the server recorded.
#include <catch2/catch.hpp>

#include <cmath>

#include "running_hub.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

void checkPlatformProfile(const std::string& file) {
  INFO(file);
  const auto probe = probeStreams(file);
  const auto& video = videoStream(probe);
  CHECK(video["codec_name"] == "h264");
  CHECK(video["profile"] == "High");
  CHECK(video["width"] == 1280);
  CHECK(video["height"] == 720);
  CHECK(video["r_frame_rate"] == "30/1");
  const auto& audio = audioStream(probe);
  CHECK(audio["codec_name"] == "aac");
  CHECK(audio["profile"] == "LC");
  CHECK(audio["sample_rate"] == "48000");
  CHECK(audio["channels"] == 2);

  // A key frame every 2 s: the encoder may be asked for an extra one when another
  // destination goes live, never for a longer gap.
  const auto keys = keyframeTimes(file);
  REQUIRE(keys.size() >= 3);
  CHECK(keys.front() < 0.2);  // the stream starts with a key frame
  int regular = 0;
  for (std::size_t i = 1; i < keys.size(); ++i) {
    const double interval = keys[i] - keys[i - 1];
    CHECK(interval <= 2.05);
    if (std::abs(interval - 2.0) < 0.05) ++regular;
  }
  CHECK(regular >= 2);
}

}  // namespace

TEST_CASE("an RTMP and an RTMPS destination both receive the platforms' profile", "[media][rtmp]") {
  NginxRtmp server;
  server.start();
  TempDir data;
  auto config = testConfig();
  config.destinations.push_back(testDestination("plain", server.rtmpUrl("plain-key")));
  config.destinations.push_back(testDestination("secure", server.rtmpsUrl("secure-key"), /*tlsVerify=*/false));
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("plain", "live", 5s));
    REQUIRE(hub.waitForPhase("secure", "live", 5s));
    std::this_thread::sleep_for(6500ms);
    CHECK(hub.destination("plain").bytesSent > 0);
    CHECK(hub.destination("secure").url.find("secure-key") == std::string::npos);
  }
  REQUIRE(server.waitForRecordingsClosed("plain-key", 5s));
  REQUIRE(server.waitForRecordingsClosed("secure-key", 5s));
  for (const char* key : {"plain-key", "secure-key"}) {
    auto files = server.recordings(key);
    REQUIRE(files.size() == 1);
    checkPlatformProfile(files.front().string());
    CHECK(durationSeconds(files.front().string()) > 5.0);
  }
}

TEST_CASE("a destination whose server stops retries, comes back live with a key frame, and disturbs nobody",
          "[media][rtmp][faults]") {
  NginxRtmp steady;
  NginxRtmp flaky;
  steady.start();
  flaky.start();
  TempDir data;
  auto config = testConfig();
  config.destinations.push_back(testDestination("steady", steady.rtmpUrl("steady-key")));
  config.destinations.push_back(testDestination("flaky", flaky.rtmpUrl("flaky-key")));
  std::string recordingPath;
  double backAfter = 0;
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("steady", "live", 5s));
    REQUIRE(hub.waitForPhase("flaky", "live", 5s));
    recordingPath = hub.hub().recordingPath().string();
    std::this_thread::sleep_for(3s);

    flaky.stop();
    REQUIRE(hub.waitForPhase("flaky", "retrying", 5s));
    const auto down = hub.destination("flaky");
    CHECK(down.failureCode == "connection_lost");
    CHECK(down.failureReason == "connexion perdue");
    std::this_thread::sleep_for(3s);  // a few failed attempts while it is away
    CHECK(hub.destination("steady").phase == "live");

    flaky.restart();
    const auto returned = std::chrono::steady_clock::now();
    REQUIRE(hub.waitForPhase("flaky", "live", 10s));
    backAfter = std::chrono::duration<double>(std::chrono::steady_clock::now() - returned).count();
    CHECK(hub.destination("flaky").reconnects == 1);
    CHECK(hub.destination("steady").reconnects == 0);
    std::this_thread::sleep_for(3s);
  }
  INFO("live again " << backAfter << " s after the server returned");
  CHECK(backAfter <= 3.0);

  REQUIRE(steady.waitForRecordingsClosed("steady-key", 5s));
  REQUIRE(flaky.waitForRecordingsClosed("flaky-key", 5s));
  // The steady destination kept one publish from start to end, without a gap.
  const auto steadyFiles = steady.recordings("steady-key");
  REQUIRE(steadyFiles.size() == 1);
  CHECK(largestGap(probePackets(steadyFiles.front().string(), "v")) < 0.2);
  CHECK(durationSeconds(steadyFiles.front().string()) > 9.0);
  // So did the recording.
  CHECK(largestGap(probePackets(recordingPath, "v")) < 0.2);
  CHECK(largestGap(probePackets(recordingPath, "a")) < 0.2);
  // The flaky one published twice; the second publish starts with a key frame.
  const auto flakyFiles = flaky.recordings("flaky-key");
  REQUIRE(flakyFiles.size() == 2);
  const auto second = probePackets(flakyFiles.back().string(), "v");
  REQUIRE_FALSE(second.empty());
  CHECK(second.front().keyframe);
}

TEST_CASE("a refused stream key fails with a clear reason and leaves the other destination alone",
          "[media][rtmp][faults]") {
  NginxRtmp server;
  server.start();
  TempDir data;
  auto config = testConfig();
  config.retry.maxKeyRefusals = 2;
  config.destinations.push_back(testDestination("good", server.rtmpUrl("good-key")));
  config.destinations.push_back(testDestination("wrong", server.rtmpUrl("refused-SECRET-1234")));
  RunningHub hub(config, data.path());
  REQUIRE(hub.waitForPhase("good", "live", 5s));
  REQUIRE(hub.waitForPhase("wrong", "failed", 10s));
  const auto wrong = hub.destination("wrong");
  CHECK(wrong.failureCode == "key_refused");
  CHECK(wrong.failureReason == "clé de stream refusée");
  CHECK(wrong.failureDetail.find("SECRET") == std::string::npos);
  CHECK(wrong.url.find("SECRET") == std::string::npos);
  const auto good = hub.destination("good");
  CHECK(good.phase == "live");
  CHECK(good.reconnects == 0);
  CHECK(good.attempt == 0);

  // "Réessayer maintenant" tries again at once (and is refused again).
  CHECK(hub.hub().retryNow("wrong").ok());
  CHECK(hub.destination("wrong").phase == "connecting");
  REQUIRE(hub.waitForPhase("wrong", "retrying", 5s));
  CHECK(hub.hub().retryNow("nope").status == core::CommandStatus::UnknownDestination);
}

TEST_CASE("a server that is not there makes the destination retry, not fail", "[media][rtmp][faults]") {
  TempDir data;
  auto config = testConfig();
  config.destinations.push_back(
      testDestination("absent", "rtmp://127.0.0.1:" + std::to_string(freeLoopbackPort()) + "/live/k"));
  RunningHub hub(config, data.path());
  REQUIRE(hub.waitForPhase("absent", "retrying", 5s));
  CHECK(hub.destination("absent").failureCode == "unreachable");
  CHECK(hub.destination("absent").failureReason == "serveur injoignable");
  REQUIRE(waitUntil([&] { return hub.destination("absent").attempt >= 3; }, 10s));
  CHECK(hub.destination("absent").phase != "failed");
  CHECK(hub.hub().snapshot().framesEncoded > 0);
}

TEST_CASE("a destination whose server freezes is declared stalled and slows nobody else", "[media][rtmp][faults]") {
  NginxRtmp steady;
  NginxRtmp frozen;
  steady.start();
  frozen.start();
  TempDir data;
  auto config = testConfig();
  config.video.bitrateKbps = 6000;  // fills the frozen socket's buffers sooner
  config.retry.stallTimeout = 2000ms;
  config.retry.connectTimeout = 3000ms;
  config.destinations.push_back(testDestination("steady", steady.rtmpUrl("steady-key")));
  config.destinations.push_back(testDestination("frozen", frozen.rtmpUrl("frozen-key")));
  std::string recordingPath;
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("steady", "live", 5s));
    REQUIRE(hub.waitForPhase("frozen", "live", 5s));
    recordingPath = hub.hub().recordingPath().string();
    std::this_thread::sleep_for(2s);
    frozen.freeze();
    // Kernel buffers take a moment to fill; then no byte leaves and the core gives up.
    REQUIRE(waitUntil([&] { return hub.destination("frozen").phase != "live"; }, 40s, 100ms));
    const auto stalled = hub.destination("frozen");
    CHECK(stalled.failureCode == "stalled");
    CHECK(stalled.failureReason == "connexion bloquée");
    // While frozen the server answers no handshake: attempts time out and retry.
    REQUIRE(waitUntil([&] { return hub.destination("frozen").failureCode == "connect_timeout"; }, 15s, 100ms));
    CHECK(hub.destination("steady").phase == "live");
    CHECK(hub.destination("steady").reconnects == 0);
    frozen.thaw();
    REQUIRE(hub.waitForPhase("frozen", "live", 15s));
    std::this_thread::sleep_for(1s);
  }
  REQUIRE(steady.waitForRecordingsClosed("steady-key", 5s));
  const auto steadyFiles = steady.recordings("steady-key");
  REQUIRE(steadyFiles.size() == 1);
  CHECK(largestGap(probePackets(steadyFiles.front().string(), "v")) < 0.2);
  CHECK(largestGap(probePackets(recordingPath, "v")) < 0.2);
}

// A weak uplink: bytes leave too slowly (here not at all) but the connection is not yet
// declared stalled. The destination's queue is bounded (three seconds of program): what
// does not fit is dropped by whole GOPs and counted, never held without limit.
TEST_CASE("a destination that cannot keep up drops whole GOPs instead of queueing without limit",
          "[media][rtmp][faults]") {
  NginxRtmp steady;
  NginxRtmp slow;
  steady.start();
  slow.start();
  TempDir data;
  auto config = testConfig();
  config.video.bitrateKbps = 6000;      // fills the socket's buffers and the queue sooner
  config.retry.stallTimeout = 60000ms;  // never declared stalled within this test
  config.destinations.push_back(testDestination("steady", steady.rtmpUrl("steady-key")));
  config.destinations.push_back(testDestination("slow", slow.rtmpUrl("slow-key")));
  RunningHub hub(config, data.path());
  REQUIRE(hub.waitForPhase("steady", "live", 5s));
  REQUIRE(hub.waitForPhase("slow", "live", 5s));
  std::this_thread::sleep_for(1s);
  CHECK(hub.destination("slow").droppedBuffers == 0);
  slow.freeze();
  // Kernel buffers (a few MB on loopback) then the 3 s queue fill: then buffers are dropped.
  REQUIRE(waitUntil([&] { return hub.destination("slow").droppedBuffers > 0; }, 40s, 100ms));
  CHECK(hub.destination("slow").phase == "live");
  CHECK(hub.destination("steady").droppedBuffers == 0);
  CHECK(hub.destination("steady").reconnects == 0);
  slow.thaw();
}
