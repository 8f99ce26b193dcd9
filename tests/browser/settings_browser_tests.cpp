// The technician's settings page under `tribune serve` (issue 23, web/console/settings.html)
// in a real Chromium: tests/browser/settings_test.mjs reaches it from the console's
// "Réglages" link, changes a colour and compares the lower-third previews' PNG bytes, gets an
// invalid colour and a logo that is not an image refused next to their fields, adds a
// destination with a stream key that never comes back to the page, saves from two pages with
// the same revision (the second gets the conflict), and changes the port (a restart). Here:
// what the settings file holds afterwards, and that the key is in neither it nor the log.
#include <catch2/catch.hpp>

#include "browser_support.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace tribune::testing::browser;
using namespace std::chrono_literals;

TEST_CASE(
    "the settings page in Chromium: the preview follows a colour, problems beside their fields, a stream key never "
    "sent back, a second console's stale save refused",
    "[browser][serve]") {
  requireBrowserPeers();

  TempDir dir("tribune-settings-browser");
  const auto data = dir / "data";
  std::filesystem::create_directories(data);
  const std::uint16_t port = freeLoopbackPort();
  const nlohmann::json config{{"web", {{"port", port}}},
                              {"video", {{"profile", "720p30"}, {"preset", "ultrafast"}, {"bitrate_kbps", 1500}}}};
  writeTextFile(dir / "tribune.json", config.dump(2));
  const std::string streamKey = "cle-tres-secrete-4f7a9b2c81d0";

  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  startTribune(tribune, dir / "tribune.json", data, port, "serve");

  const auto node = runNode("settings_test.mjs",
                            {"--base", "http://127.0.0.1:" + std::to_string(port), "--technician",
                             tokenOf(data, "technician"), "--key", streamKey, "--out", screenshotsDir().string()},
                            180s);
  requireNodeSucceeded(node, tribune);

  // The page's saves, as a merge patch over tribune.json (docs/SETTINGS.md): the destination
  // naming its key in the secrets file, the port waiting for a restart.
  const auto settingsText = readTextFile(data / "settings.json");
  INFO(settingsText);
  const auto patch = nlohmann::json::parse(settingsText).at("patch");
  CHECK(patch["web"]["port"] != port);
  REQUIRE(patch["destinations"].is_array());
  REQUIRE(patch["destinations"].size() == 1);
  CHECK(patch["destinations"][0]["name"] == "essai-direct");
  CHECK(patch["destinations"][0]["key_secret"] == "destination-essai-direct");
  CHECK(settingsText.find(streamKey) == std::string::npos);
  // The key typed in the page is the one kept, through the save that sent "****".
  const auto secrets = nlohmann::json::parse(readTextFile(data / "secrets.json"));
  CHECK(secrets["destination-essai-direct"] == streamKey);

  tribune.process->signal(SIGTERM);
  const auto status = tribune.process->waitFor(30s);
  const auto log = readTextFile(tribune.log);
  INFO(log);
  REQUIRE(status);
  CHECK(*status == 0);
  CHECK(log.find(streamKey) == std::string::npos);
}
