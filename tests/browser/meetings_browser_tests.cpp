// The console's meetings under `tribune serve` (issue 23, docs/SCHEDULE.md) in a real
// Chromium: tests/browser/meetings_test.mjs drives the standby screen, "Nouvelle séance" and
// its review, a second console's stale delete, the start by hand behind the "début imminent"
// slate and "Arrêter la séance", the agenda's editor (the roster from a CSV, rapporteurs from
// it, items moved, a planned meeting's agenda edited, a conflict) and a stopped meeting's
// file downloaded through a one-time ticket, against the real binary in standby with an
// empty data folder. The source is the default test pattern: nothing leaves the machine.
#include <catch2/catch.hpp>

#include "browser_support.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace tribune::testing::browser;
using namespace std::chrono_literals;

TEST_CASE(
    "the console in standby in Chromium: a meeting prepared from pasted text and corrected on the review screen, "
    "a stale second console refused, its agenda and roster edited, started by hand behind the starting slate, stopped "
    "back to standby, and a file of the stopped meeting downloaded through a one-time ticket",
    "[browser][serve]") {
  requireBrowserPeers();

  TempDir dir("tribune-meetings-browser");
  const auto data = dir / "data";
  std::filesystem::create_directories(data);
  const std::uint16_t port = freeLoopbackPort();
  const nlohmann::json config{{"web", {{"port", port}}},
                              {"video", {{"profile", "720p30"}, {"preset", "ultrafast"}, {"bitrate_kbps", 1500}}}};
  writeTextFile(dir / "tribune.json", config.dump(2));

  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  startTribune(tribune, dir / "tribune.json", data, port, "serve");

  const auto node = runNode("meetings_test.mjs",
                            {"--base", "http://127.0.0.1:" + std::to_string(port), "--technician",
                             tokenOf(data, "technician"), "--data", data.string(), "--out", screenshotsDir().string()},
                            300s);
  requireNodeSucceeded(node, tribune);

  // Four meetings (the script's, two added as if by another console, the second console's
  // saved after its conflict); the one stopped by hand stays, "stopped", for a start later.
  const auto schedule = nlohmann::json::parse(readTextFile(data / "schedule.json"));
  INFO(schedule.dump(2));
  REQUIRE(schedule["meetings"].size() == 4);
  CHECK(schedule["meetings"][0]["state"] == "stopped");

  tribune.process->signal(SIGTERM);
  const auto status = tribune.process->waitFor(30s);
  INFO(readTextFile(tribune.log));
  REQUIRE(status);
  CHECK(*status == 0);
}
