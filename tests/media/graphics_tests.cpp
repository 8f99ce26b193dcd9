// On-air graphics as they reach a platform: frames decoded from what nginx-rtmp recorded.
#include <catch2/catch.hpp>

#include <algorithm>

#include "running_hub.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kWidth = 1280;
constexpr int kHeight = 720;

struct Rgb {
  int r, g, b;
};

// Every frame of a recording at `fps`, as 1280x720 RGB24.
std::vector<std::vector<std::uint8_t>> decodeFrames(const std::string& file, int fps) {
  TempDir dir;
  const auto raw = dir / "frames.rgb";
  auto result = runCommand({"ffmpeg", "-v", "error", "-y", "-i", file, "-vf", "fps=" + std::to_string(fps), "-f",
                            "rawvideo", "-pix_fmt", "rgb24", raw.string()},
                           120s);
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg: " + result.err);
  const std::string bytes = readTextFile(raw);
  const std::size_t frameSize = static_cast<std::size_t>(kWidth) * kHeight * 3;
  std::vector<std::vector<std::uint8_t>> frames;
  for (std::size_t at = 0; at + frameSize <= bytes.size(); at += frameSize) {
    frames.emplace_back(bytes.begin() + static_cast<long>(at), bytes.begin() + static_cast<long>(at + frameSize));
  }
  return frames;
}

Rgb pixel(const std::vector<std::uint8_t>& frame, int x, int y) {
  const auto* p = &frame[(static_cast<std::size_t>(y) * kWidth + x) * 3];
  return {p[0], p[1], p[2]};
}

bool near(Rgb a, Rgb b, int tolerance = 40) {
  return std::abs(a.r - b.r) <= tolerance && std::abs(a.g - b.g) <= tolerance && std::abs(a.b - b.b) <= tolerance;
}

constexpr Rgb kOrange{0xff, 0x88, 0x00};  // the test's primary colour: nowhere in the SMPTE bars

// The agenda panel's right margin (x 1792–1824, y 828–1026 at 1080p) holds no text.
bool lowerThirdShown(const std::vector<std::uint8_t>& frame) {
  int hits = 0;
  for (int y = 560; y <= 676; y += 8) hits += near(pixel(frame, 1205, y), kOrange) ? 1 : 0;
  return hits >= 12;
}

// Orange pixels outside the lower-third area (x 64–1216, y 517–684 at 720p).
int orangeElsewhere(const std::vector<std::uint8_t>& frame) {
  int count = 0;
  for (int y = 0; y < kHeight; y += 6) {
    for (int x = 0; x < kWidth; x += 6) {
      const bool inside = x >= 60 && x <= 1220 && y >= 512 && y <= 688;
      if (!inside && near(pixel(frame, x, y), kOrange)) ++count;
    }
  }
  return count;
}

core::Config graphicsConfig() {
  auto config = testConfig();
  config.branding.primaryColor = "#ff8800";
  return config;
}

}  // namespace

TEST_CASE("the agenda lower-third reaches the platform in its place, and hiding it removes it", "[media][graphics]") {
  NginxRtmp server;
  server.start();
  TempDir data;
  auto config = graphicsConfig();
  config.destinations.push_back(testDestination("platform", server.rtmpUrl("graphics-key")));
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("platform", "live", 5s));
    REQUIRE(hub.hub().hideOverlay(core::Layer::Bug).result.ok());  // the bug wears the primary colour too
    std::this_thread::sleep_for(1500ms);
    auto shown = hub.hub().showOverlay(core::Layer::LowerThird, "agenda",
                                       {{"number", "3"},
                                        {"title", "Approbation du compte de gestion 2025 du budget annexe de l'eau"},
                                        {"rapporteur", "Mme Claire Martin, adjointe aux finances"}});
    REQUIRE(shown.result.ok());
    std::this_thread::sleep_for(2500ms);
    REQUIRE(hub.hub().hideOverlay(core::Layer::LowerThird).result.ok());
    std::this_thread::sleep_for(2000ms);
    const auto layers = hub.hub().snapshot().layers;
    CHECK(std::none_of(layers.begin(), layers.end(), [](const app::LayerView& l) { return !l.lastError.empty(); }));
  }
  REQUIRE(server.waitForRecordingsClosed("graphics-key", 5s));
  const auto files = server.recordings("graphics-key");
  REQUIRE(files.size() == 1);
  const auto frames = decodeFrames(files.front().string(), 5);
  REQUIRE(frames.size() > 20);
  std::string timeline;  // one letter per frame: L lower-third on air, . not
  int elsewhere = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    timeline += lowerThirdShown(frames[i]) ? 'L' : '.';
    if (i >= 5) elsewhere += orangeElsewhere(frames[i]);  // the first second still fades the bug out
  }
  INFO(timeline);
  CHECK(timeline.front() == '.');
  CHECK(timeline.back() == '.');
  CHECK(timeline.find("LLLLLLLLLL") != std::string::npos);  // 2 s or more on air
  const auto first = timeline.find('L');
  const auto last = timeline.rfind('L');
  CHECK(timeline.substr(first, last - first + 1).find('.') == std::string::npos);  // on air without a flicker
  CHECK(elsewhere == 0);
}

TEST_CASE("the QR code in the picture the platform receives decodes to the question URL", "[media][graphics][qr]") {
  NginxRtmp server;
  server.start();
  TempDir data;
  auto config = testConfig();
  const std::string url = "https://www.ville-demo.fr/questions";
  config.graphics.questionUrl = url;
  config.destinations.push_back(testDestination("platform", server.rtmpUrl("qr-key")));
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("platform", "live", 5s));
    std::this_thread::sleep_for(3s);
  }
  REQUIRE(server.waitForRecordingsClosed("qr-key", 5s));
  const auto file = server.recordings("qr-key").front();
  const auto png = (data / "frame.png").string();
  REQUIRE(runCommand({"ffmpeg", "-v", "error", "-y", "-sseof", "-1", "-i", file.string(), "-frames:v", "1", png}, 60s)
              .exit_code == 0);
  auto decoded = runCommand({"zbarimg", "--raw", "-q", png}, 30s);
  INFO(decoded.err);
  CHECK(decoded.out == url + "\n");
}

TEST_CASE("a graphics command reaches the output picture within two frames", "[media][graphics][latency]") {
  TempDir data;
  auto config = graphicsConfig();
  config.graphics.fadeMs = 0;
  RunningHub hub(config, data.path());
  REQUIRE(waitUntil([&] { return hub.hub().snapshot().framesEncoded > 30; }, 10s));
  constexpr double kFrame = 1e9 / 30;
  std::vector<double> frames;
  for (int i = 0; i < 20; ++i) {
    auto result = (i % 2 == 0)
                      ? hub.hub().showOverlay(core::Layer::LowerThird, "speaker",
                                              {{"name", "Orateur " + std::to_string(i)}, {"role", "Conseiller"}})
                      : hub.hub().hideOverlay(core::Layer::LowerThird);
    REQUIRE(result.result.ok());
    REQUIRE(waitUntil([&] { return hub.hub().graphicTiming(result.changeId)->firstFrame.has_value(); }, 2s));
    const auto timing = *hub.hub().graphicTiming(result.changeId);
    frames.push_back((static_cast<double>(*timing.firstFrame) - static_cast<double>(timing.requestedAt)) / kFrame);
    std::this_thread::sleep_for(150ms);
  }
  std::sort(frames.begin(), frames.end());
  const double median = frames[frames.size() / 2];
  INFO("frames between command and first frame carrying it, sorted: " << Catch::Detail::stringify(frames));
  CHECK(median <= 2.0);
  // A loaded two-core machine may be late once in a while; never by a second.
  CHECK(frames.back() <= 30.0);
}

TEST_CASE("the pre-rendered huis-clos slate covers the picture within one frame of the command",
          "[media][graphics][latency][huis-clos]") {
  TempDir data;
  auto config = testConfig();
  config.video.profile = core::VideoProfile::P1080p30;  // the full-frame conversion is the slow part
  config.graphics.fadeMs = 0;
  RunningHub hub(config, data.path());
  REQUIRE(waitUntil([&] { return hub.hub().snapshot().framesEncoded > 60; }, 15s));  // slates pre-rendered by now
  constexpr double kFrame = 1e9 / 30;
  std::vector<double> frames;
  for (int i = 0; i < 6; ++i) {
    auto shown = hub.hub().showOverlay(core::Layer::Slate, "huis-clos", {});
    REQUIRE(shown.result.ok());
    REQUIRE(waitUntil([&] { return hub.hub().graphicTiming(shown.changeId)->firstFrame.has_value(); }, 2s));
    const auto timing = *hub.hub().graphicTiming(shown.changeId);
    frames.push_back((static_cast<double>(*timing.firstFrame) - static_cast<double>(timing.requestedAt)) / kFrame);
    REQUIRE(hub.hub().hideOverlay(core::Layer::Slate).result.ok());
    std::this_thread::sleep_for(300ms);
  }
  std::sort(frames.begin(), frames.end());
  INFO("frames between the command and the first frame under the slate: " << Catch::Detail::stringify(frames));
  CHECK(frames[frames.size() / 2] <= 1.0);
}
