// The technician's console (web/console/) in a real Chromium against a real `tribune run`
// publishing to a real nginx-rtmp. The browser part is tests/browser/console_test.mjs
// (playwright-core driving Debian's /usr/bin/chromium); this side starts the peers, restarts
// Tribune when the page asks for it, and then judges what nginx recorded: during the huis
// clos the picture is the slate and the sound is silent, with tone before and after.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <optional>
#include <sstream>
#include <thread>

#include "browser_support.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace tribune::testing::browser;
using namespace std::chrono_literals;

namespace {

constexpr const char* kKey = "console-key";

// The slate's background, branding.primary_color's default (#1f3a93).
constexpr int kSlateRgb[3] = {0x1f, 0x3a, 0x93};
constexpr int kSlateTolerance = 40;
constexpr double kVideoSampleRate = 10;  // pictures per second looked at
constexpr double kAudioWindowSeconds = 0.5;

double startTime(const nlohmann::json& stream) {
  const auto value = stream.value("start_time", std::string("0"));
  try {
    return std::stod(value);
  } catch (const std::exception&) {
    return 0;
  }
}

// The colour of the pixel at (40, 40), kVideoSampleRate times a second.
struct Pixel {
  int r, g, b;
};

std::vector<Pixel> cornerPixels(const std::string& file) {
  auto result =
      runCommand({"ffmpeg", "-v", "error", "-nostdin", "-i", file, "-map", "0:v:0", "-vf",
                  "fps=" + std::to_string(static_cast<int>(kVideoSampleRate)) + ",crop=2:2:40:40,format=rgb24", "-f",
                  "rawvideo", "-"},
                 60s);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::vector<Pixel> pixels;
  constexpr std::size_t kFrameBytes = 2 * 2 * 3;
  for (std::size_t at = 0; at + kFrameBytes <= result.out.size(); at += kFrameBytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(result.out.data() + at);
    pixels.push_back({p[0], p[1], p[2]});
  }
  return pixels;
}

bool isSlate(const Pixel& p) {
  return std::abs(p.r - kSlateRgb[0]) <= kSlateTolerance && std::abs(p.g - kSlateRgb[1]) <= kSlateTolerance &&
         std::abs(p.b - kSlateRgb[2]) <= kSlateTolerance;
}

// RMS in dBFS of each kAudioWindowSeconds of the sound, mixed to mono.
std::vector<double> audioWindowsDb(const std::string& file) {
  auto result = runCommand({"ffmpeg", "-v", "error", "-nostdin", "-i", file, "-map", "0:a:0", "-ac", "1", "-ar",
                            "48000", "-f", "s16le", "-acodec", "pcm_s16le", "-"},
                           60s);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const std::size_t samples = result.out.size() / 2;
  const auto window = static_cast<std::size_t>(48000 * kAudioWindowSeconds);
  std::vector<double> out;
  for (std::size_t start = 0; start + window <= samples; start += window) {
    double sum = 0;
    for (std::size_t i = start; i < start + window; ++i) {
      std::int16_t s = 0;
      std::memcpy(&s, result.out.data() + 2 * i, 2);
      sum += static_cast<double>(s) * s;
    }
    const double rms = std::sqrt(sum / static_cast<double>(window)) / 32768.0;
    out.push_back(rms > 0 ? 20 * std::log10(rms) : -120.0);
  }
  return out;
}

std::string describeWindows(const std::vector<double>& db, double audioStart) {
  std::ostringstream text;
  for (std::size_t i = 0; i < db.size(); ++i) {
    text << (audioStart + static_cast<double>(i) * kAudioWindowSeconds) << "s:" << static_cast<int>(db[i]) << "dB ";
  }
  return text.str();
}

}  // namespace

TEST_CASE("the console drives a meeting in Chromium: huis clos cuts picture and sound, the page survives a restart",
          "[browser][rtmp]") {
  requireBrowserPeers();

  NginxRtmp server;
  server.start();
  TempDir dir("tribune-browser");
  const auto data = dir / "data";
  const std::uint16_t port = freeLoopbackPort();
  // The demo agenda, with markup in an item's title and a councillor's name: the page must
  // show it as text, never run it.
  auto agenda = nlohmann::json::parse(readTextFile(kSourceDir / "examples" / "agenda-demo.json"));
  agenda["items"][3]["title"] =
      agenda["items"][3]["title"].get<std::string>() + R"( <img src="x" onerror="window.__tribuneXss=1">)";
  agenda["councillors"][14]["name"] = R"(M. Olivier <b onmouseover="window.__tribuneXss=1">Renaud</b>)";
  writeTextFile(dir / "agenda.json", agenda.dump(2));
  const nlohmann::json config{
      {"agenda", (dir / "agenda.json").string()},
      {"video", {{"profile", "720p30"}, {"preset", "ultrafast"}, {"bitrate_kbps", 1500}}},
      {"web", {{"port", port}}},
      {"destinations", {{{"name", "nginx"}, {"url", server.rtmpUrl(kKey)}}}},
  };
  writeTextFile(dir / "tribune.json", config.dump(2));

  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  startTribune(tribune, dir / "tribune.json", data, port);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/console/#token=" + tokenOf(data, "technician");

  // The page says when it is ready for Tribune to go away; Tribune comes back.
  bool restarted = false;
  const auto node = runNode("console_test.mjs", {"--url", url, "--out", screenshotsDir().string(), "--restart"}, 150s,
                            restartWhenAsked(tribune, dir / "tribune.json", data, port, restarted));
  {
    requireNodeSucceeded(node, tribune);
    CHECK(restarted);
  }
  stopTribune(tribune);
  REQUIRE(server.waitForRecordingsClosed(kKey, 10s));

  // What the platform received: the first publish holds the huis clos, the second one is
  // the restarted Tribune.
  const auto recordings = server.recordings(kKey);
  INFO(server.errorLog());
  REQUIRE(recordings.size() >= 2);
  const std::string first = recordings.front().string();
  const auto probe = probeStreams(first);
  const double videoStart = startTime(videoStream(probe));
  const double audioStart = startTime(audioStream(probe));

  // The picture: the longest run of slate-coloured pixels at (40, 40) is the huis clos.
  const auto pixels = cornerPixels(first);
  std::size_t bestStart = 0;
  std::size_t bestLength = 0;
  for (std::size_t i = 0; i < pixels.size();) {
    if (!isSlate(pixels[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < pixels.size() && isSlate(pixels[j])) ++j;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const double slateFrom = videoStart + static_cast<double>(bestStart) / kVideoSampleRate;
  const double slateTo = videoStart + static_cast<double>(bestStart + bestLength) / kVideoSampleRate;
  INFO("slate from " << slateFrom << " s to " << slateTo << " s of " << pixels.size() / kVideoSampleRate << " s");
  CHECK(bestLength / kVideoSampleRate >= 3.5);  // the page held the huis clos for about 4 s
  CHECK(bestLength / kVideoSampleRate <= 10.0);
  // Bars before and after, not the slate (and not a black picture).
  REQUIRE(bestStart >= static_cast<std::size_t>(2 * kVideoSampleRate));
  REQUIRE(bestStart + bestLength + static_cast<std::size_t>(kVideoSampleRate) <= pixels.size());
  const Pixel before = pixels[bestStart - static_cast<std::size_t>(kVideoSampleRate)];
  const Pixel after = pixels[bestStart + bestLength + static_cast<std::size_t>(kVideoSampleRate / 2)];
  for (const auto& p : {before, after}) {
    INFO("pixel (" << p.r << ", " << p.g << ", " << p.b << ")");
    CHECK_FALSE(isSlate(p));
    CHECK(std::max({p.r, p.g, p.b}) > 100);  // a bar of the test pattern
  }

  // The sound: silent inside the huis clos, the 1 kHz tone (-20 dBFS) before and after.
  const auto windows = audioWindowsDb(first);
  INFO("audio windows: " << describeWindows(windows, audioStart));
  int silentInside = 0;
  int loudInside = 0;
  int toneBefore = 0;
  int toneAfter = 0;
  int quietOutside = 0;
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const double from = audioStart + static_cast<double>(i) * kAudioWindowSeconds;
    const double to = from + kAudioWindowSeconds;
    if (from >= slateFrom + 0.5 && to <= slateTo - 0.5) {
      (windows[i] < -60 ? silentInside : loudInside) += 1;
    } else if (to <= slateFrom - 0.5 || from >= slateTo + 0.5) {
      const bool tone = windows[i] > -35;
      // Not the encoder's first frames nor the last second before the stop.
      const double end = audioStart + static_cast<double>(windows.size()) * kAudioWindowSeconds;
      if (!tone && from > audioStart + 1.0 && to < end - 1.0) ++quietOutside;
      if (tone && to <= slateFrom) ++toneBefore;
      if (tone && from >= slateTo) ++toneAfter;
    }
  }
  CHECK(silentInside >= 4);
  CHECK(loudInside == 0);
  CHECK(toneBefore >= 2);
  CHECK(toneAfter >= 2);
  CHECK(quietOutside == 0);
}
