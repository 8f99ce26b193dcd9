// The console's "Vérifier avant la séance" under `tribune serve` (issue 23, docs/PREFLIGHT.md)
// in a real Chromium: tests/browser/preflight_test.mjs clicks the button on the standby
// screen, sees the busy state, then the report's coloured lines: the test source moving
// and its tone (green), a destination nobody listens for (red, with its advice). The
// destination's port is a free loopback port left closed: nothing leaves the machine.
#include <catch2/catch.hpp>

#include "browser_support.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace tribune::testing::browser;
using namespace std::chrono_literals;

TEST_CASE("the console's pre-flight in Chromium: one click, a busy state, then green and red lines with their advice",
          "[browser][serve][preflight]") {
  requireBrowserPeers();

  TempDir dir("tribune-preflight-browser");
  const auto data = dir / "data";
  std::filesystem::create_directories(data);
  const std::uint16_t port = freeLoopbackPort();
  const std::uint16_t closed = freeLoopbackPort();  // nobody listens there
  const nlohmann::json config{
      {"web", {{"port", port}}},
      {"video", {{"profile", "720p30"}, {"preset", "ultrafast"}, {"bitrate_kbps", 1500}}},
      {"recording", {{"expected_duration_minutes", 10}}},
      {"destinations", {{{"name", "ferme"}, {"url", "rtmp://127.0.0.1:" + std::to_string(closed) + "/live/KEY"}}}}};
  writeTextFile(dir / "tribune.json", config.dump(2));

  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  startTribune(tribune, dir / "tribune.json", data, port, "serve");

  const auto node = runNode("preflight_test.mjs",
                            {"--base", "http://127.0.0.1:" + std::to_string(port), "--technician",
                             tokenOf(data, "technician"), "--out", screenshotsDir().string()},
                            120s);
  requireNodeSucceeded(node, tribune);

  tribune.process->signal(SIGTERM);
  const auto status = tribune.process->waitFor(30s);
  INFO(readTextFile(tribune.log));
  REQUIRE(status);
  CHECK(*status == 0);
}
