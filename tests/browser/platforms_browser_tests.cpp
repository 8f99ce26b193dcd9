// The console's accounts panel (issue 20) in a real Chromium against a real `tribune run`
// whose YouTube is tests/support's fake platform server (the only fake: the real API cannot
// be reached from a test) and whose ingest is a real nginx-rtmp. The browser part is
// tests/browser/platforms_test.mjs; this side approves the code the page shows, as the
// technician's phone would, then checks that no token and no stream key reached the page,
// its websocket traffic or the log.
#include <catch2/catch.hpp>

#include <optional>
#include <set>

#include "browser_support.h"
#include "support/fake_platforms.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace tribune::testing::browser;
using namespace std::chrono_literals;

TEST_CASE("the accounts panel in Chromium: the code to type, the account linked, the live's public link, no secret",
          "[browser][platforms]") {
  requireBrowserPeers();

  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
  options.deviceInterval = 1s;
  FakePlatforms fake(options);

  TempDir dir("tribune-platforms-browser");
  const auto data = dir / "data";
  const std::uint16_t port = freeLoopbackPort();
  const auto config = runConfig(kSourceDir / "examples" / "agenda-demo.json", port, fakeYoutube(options, fake));
  writeTextFile(dir / "tribune.json", config.dump(2));
  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  startTribune(tribune, dir / "tribune.json", data, port);
  const auto token = tokenOf(data, "technician");
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/console/#token=" + token;

  const auto out = screenshotsDir();
  for (const char* stale : {"user-code.txt", "live-url.txt", "frames.txt", "page.html"}) {
    std::filesystem::remove(out / stale);
  }
  // The technician's phone: once the page shows a code, the code the platform waits for is
  // approved, and only if the page shows that one.
  std::string shownCode;
  std::optional<std::string> expectedCode;
  const auto node = runNode("platforms_test.mjs", {"--url", url, "--out", out.string()}, 100s, [&](Process&) {
    if (shownCode.empty() && std::filesystem::exists(out / "user-code.txt")) {
      shownCode = readTextFile(out / "user-code.txt");
      expectedCode = fake.pendingUserCode(Platform::youtube);
      if (expectedCode && *expectedCode == shownCode) fake.approve(Platform::youtube);
    }
  });
  INFO(describe(node, tribune));
  REQUIRE(expectedCode);
  CHECK(shownCode == *expectedCode);
  REQUIRE(node.status == 0);
  CHECK_THAT(readTextFile(out / "live-url.txt"), Catch::StartsWith("https://www.youtube.com/watch?v="));

  // Every token the fake received and every stream key nginx was published to.
  auto secrets = fake.secretsReceived();
  REQUIRE(waitUntil([&] { return !nginx.publishAttempts().empty(); }, 20s));
  for (const auto& publish : nginx.publishAttempts()) secrets.insert(publish.name);
  REQUIRE(secrets.size() >= 2);
  stopTribune(tribune);
  const auto frames = readTextFile(out / "frames.txt");
  const auto page = readTextFile(out / "page.html");
  const auto logText = readTextFile(tribune.log);
  REQUIRE_FALSE(frames.empty());
  for (const auto& secret : secrets) {
    INFO("secret " << secret.substr(0, 4) << "…");
    CHECK(frames.find(secret) == std::string::npos);
    CHECK(page.find(secret) == std::string::npos);
    CHECK(logText.find(secret) == std::string::npos);
  }
}
