// The harness proves itself against a real publisher before other tests trust it: if
// these fail, a failing media/app test says nothing about Tribune.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/publisher.h"

using namespace std::chrono_literals;
using namespace tribune::testing;

namespace {

// Runs a finite publish to its end; on failure shows what both sides said.
void publishToEnd(NginxRtmp& nginx, const std::string& url, PublisherOptions options = {}) {
  Process publisher = startPublisher(url, options);
  auto status = publisher.waitFor(options.duration + 10s);
  publisher.finishCapture();
  INFO("publisher stderr: " << publisher.capturedErr() << "\nstdout: " << publisher.capturedOut()
                            << "\nnginx: " << nginx.errorLog());
  REQUIRE(status.has_value());
  REQUIRE(*status == 0);
}

void requireH264AndAac(const std::string& recording) {
  auto probe = probeStreams(recording);
  INFO(probe.dump(2));
  CHECK(videoStream(probe)["codec_name"] == "h264");
  CHECK(videoStream(probe)["width"] == 320);
  CHECK(audioStream(probe)["codec_name"] == "aac");
}

}  // namespace

TEST_CASE("nginx-rtmp records an RTMP publish as FLV with H.264 and AAC", "[nginx]") {
  NginxRtmp nginx;
  nginx.start();
  REQUIRE(nginx.running());

  publishToEnd(nginx, nginx.rtmpUrl("council"), {.duration = 3s});

  REQUIRE(nginx.waitForRecordingsClosed("council", 5s));
  auto files = nginx.recordings("council");
  REQUIRE(files.size() == 1);
  requireH264AndAac(files[0].string());
  // The whole publish is there (nginx writes every frame as it comes).
  CHECK(durationSeconds(files[0].string()) == Approx(3.0).margin(0.5));
  auto keyframes = keyframeTimes(files[0].string());
  REQUIRE(keyframes.size() >= 2);
  CHECK(keyframes[1] - keyframes[0] == Approx(2.0).margin(0.1));  // key-int-max=60 at 30 fps
  REQUIRE(nginx.publishAttempts().size() == 1);
  CHECK(nginx.publishAttempts()[0].name == "council");
  CHECK(nginx.publishAttempts()[0].http_status == 200);
}

TEST_CASE("nginx terminates RTMPS with its throw-away certificate and records the stream", "[nginx]") {
  NginxRtmp nginx;
  nginx.start();

  SECTION("a client that validates certificates refuses the self-signed one") {
    Process strict = startPublisher(nginx.rtmpsUrl("strict"), {.duration = 1s});
    auto status = strict.waitFor(10s);
    strict.finishCapture();
    INFO(strict.capturedErr());
    REQUIRE(status.has_value());
    CHECK(*status != 0);
    CHECK(strict.capturedErr().find("TLS") != std::string::npos);
    CHECK(nginx.recordings("strict").empty());
  }

  SECTION("a client told not to validate publishes through TLS") {
    publishToEnd(nginx, nginx.rtmpsUrl("secure"), {.duration = 2s, .insecure_tls = true});
    REQUIRE(nginx.waitForRecordingsClosed("secure", 5s));
    auto files = nginx.recordings("secure");
    REQUIRE(files.size() == 1);
    requireH264AndAac(files[0].string());
    // It really came through the TLS front: nginx-rtmp saw the rtmps tcUrl.
    CHECK(nginx.errorLog().find("tc_url='rtmps://127.0.0.1:" + std::to_string(nginx.rtmpsPort())) != std::string::npos);
  }
}

TEST_CASE("on_publish refuses publish names starting with 'refused'", "[nginx]") {
  NginxRtmp nginx;
  nginx.start();

  Process publisher = startPublisher(nginx.rtmpUrl("refused-town"), {.duration = 2s});
  auto status = publisher.waitFor(10s);
  publisher.finishCapture();
  INFO("publisher: " << publisher.capturedErr() << "\nnginx: " << nginx.errorLog());
  REQUIRE(status.has_value());
  CHECK(*status != 0);
  CHECK(publisher.capturedErr().find("publish") != std::string::npos);
  CHECK(nginx.recordings("refused-town").empty());
  REQUIRE(nginx.publishAttempts().size() == 1);
  CHECK(nginx.publishAttempts()[0].name == "refused-town");
  CHECK(nginx.publishAttempts()[0].http_status == 403);
  // The server is still fine for everyone else.
  CHECK(nginx.running());
}

TEST_CASE("stop() then restart() serves the same port and records a new session", "[nginx]") {
  NginxRtmp nginx;
  nginx.start();
  const auto port = nginx.rtmpPort();
  const std::string url = nginx.rtmpUrl("session");

  publishToEnd(nginx, url, {.duration = 1500ms});
  nginx.stop();
  CHECK_FALSE(nginx.running());
  CHECK_FALSE(loopbackPortAccepts(port));

  nginx.restart();
  REQUIRE(nginx.running());
  CHECK(nginx.rtmpPort() == port);
  CHECK(nginx.rtmpUrl("session") == url);
  publishToEnd(nginx, url, {.duration = 1500ms});

  REQUIRE(nginx.waitForRecordingsClosed("session", 5s));
  auto files = nginx.recordings("session");
  REQUIRE(files.size() == 2);  // one per publish session, oldest first
  CHECK(files[0] < files[1]);
  for (const auto& file : files) requireH264AndAac(file.string());
}

TEST_CASE("a recording is readable while the publish goes on, and stop() closes it", "[nginx]") {
  NginxRtmp nginx;
  nginx.start();
  Process publisher = startPublisher(nginx.rtmpUrl("live"), {.duration = 0ms});

  // Probing the growing file finds both streams and a growing duration.
  bool readable = waitUntil(
      [&] {
        auto files = nginx.recordings("live");
        if (files.empty()) return false;
        try {
          return durationSeconds(files.back().string()) >= 1.0;
        } catch (const std::exception&) {
          return false;  // still empty, or no complete tag yet
        }
      },
      10s, 100ms);
  INFO("publisher: " << publisher.capturedErr() << "\nnginx: " << nginx.errorLog());
  REQUIRE(readable);
  REQUIRE(publisher.running());
  auto files = nginx.recordings("live");
  REQUIRE(files.size() == 1);
  CHECK_FALSE(nginx.waitForRecordingsClosed("live", 0ms));  // still being written
  requireH264AndAac(files[0].string());

  // stop() with the publisher still connected: SIGQUIT alone would never end nginx.
  auto before = std::chrono::steady_clock::now();
  nginx.stop();
  CHECK(std::chrono::steady_clock::now() - before < 2500ms);
  CHECK(publisher.waitFor(10s).has_value());  // the publisher notices the server went away
  requireH264AndAac(files[0].string());
}

TEST_CASE("kill9() drops a live publish at once and start() brings nginx back on its ports", "[nginx]") {
  NginxRtmp nginx;
  nginx.start();
  const auto port = nginx.rtmpPort();
  Process publisher = startPublisher(nginx.rtmpUrl("fault"), {.duration = 0ms});
  REQUIRE(waitUntil(
      [&] {
        auto files = nginx.recordings("fault");
        return !files.empty() && std::filesystem::file_size(files.back()) > 0;
      },
      10s));

  nginx.kill9();
  CHECK_FALSE(nginx.running());
  // The worker dies with the master; the kernel closes its listening socket a moment
  // after the SIGKILL, not at once.
  CHECK(waitUntil([&] { return !loopbackPortAccepts(port); }, 5s));
  auto status = publisher.waitFor(10s);
  REQUIRE(status.has_value());
  CHECK(*status != 0);  // the publisher saw the connection go

  nginx.start();
  CHECK(nginx.rtmpPort() == port);
  CHECK(loopbackPortAccepts(port));
  // What was written before the crash is a readable recording.
  auto files = nginx.recordings("fault");
  REQUIRE(files.size() == 1);
  CHECK(probeStreams(files[0].string())["streams"].size() == 2);
}
