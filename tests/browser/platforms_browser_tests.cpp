// The console's accounts panel (issue 20) in a real Chromium against a real `tribune run`
// whose YouTube is tests/support's fake platform server (the only fake: the real API cannot
// be reached from a test) and whose ingest is a real nginx-rtmp. The browser part is
// tests/browser/platforms_test.mjs; this side approves the code the page shows, as the
// technician's phone would, then checks that no token and no stream key reached the page,
// its websocket traffic or the log.
#include <catch2/catch.hpp>

#include <csignal>
#include <optional>
#include <set>
#include <thread>

#include "support/fake_platforms.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kSourceDir = TRIBUNE_SOURCE_DIR;
const std::filesystem::path kBrowserDir = kSourceDir / "tests" / "browser";
const std::string kTribune = TRIBUNE_BINARY;

}  // namespace

TEST_CASE("the accounts panel in Chromium: the code to type, the account linked, the live's public link, no secret",
          "[browser][platforms]") {
  if (!std::filesystem::exists(kBrowserDir / "node_modules" / "playwright-core")) {
    FAIL("tests/browser/node_modules is missing: run ./scripts/setup --test (it runs npm ci in tests/browser)");
  }
  if (!std::filesystem::exists("/usr/bin/chromium")) FAIL("/usr/bin/chromium is missing: run ./scripts/setup --test");

  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
  options.deviceInterval = 1s;
  FakePlatforms fake(options);

  TempDir dir("tribune-platforms-browser");
  const auto data = dir / "data";
  const std::uint16_t port = freeLoopbackPort();
  const nlohmann::json config{{"agenda", (kSourceDir / "examples" / "agenda-demo.json").string()},
                              {"video", {{"profile", "720p30"}, {"preset", "ultrafast"}, {"bitrate_kbps", 1500}}},
                              {"web", {{"port", port}}},
                              {"platforms",
                               {{"youtube",
                                 {{"client_id", options.googleClientId},
                                  {"client_secret", options.googleClientSecret},
                                  {"oauth_url", fake.googleOAuthUrl()},
                                  {"api_url", fake.youtubeApiUrl()}}}}}};
  writeTextFile(dir / "tribune.json", config.dump(2));
  const auto log = dir / "tribune.log";
  ProcessOptions tribuneOptions;
  tribuneOptions.env["TRIBUNE_SHARE_DIR"] = kSourceDir.string();
  tribuneOptions.out = Redirect::appendTo(log);
  tribuneOptions.err = Redirect::appendTo(log);
  Process tribune({kTribune, "run", "--config", (dir / "tribune.json").string(), "--data-dir", data.string()},
                  std::move(tribuneOptions));
  REQUIRE(waitUntil([&] { return loopbackPortAccepts(port) || !tribune.running(); }, 20s));
  REQUIRE(tribune.running());
  const auto token = nlohmann::json::parse(readTextFile(data / "tokens.json")).at("technician").get<std::string>();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/console/#token=" + token;

  const std::filesystem::path out = TRIBUNE_BROWSER_SCREENSHOTS;
  std::filesystem::create_directories(out);
  for (const char* stale : {"user-code.txt", "live-url.txt", "frames.txt", "page.html"}) {
    std::filesystem::remove(out / stale);
  }
  ProcessOptions nodeOptions;
  nodeOptions.out = Redirect::capture();
  nodeOptions.err = Redirect::capture();
  nodeOptions.cwd = kBrowserDir;
  Process node({"node", (kBrowserDir / "platforms_test.mjs").string(), "--url", url, "--out", out.string()},
               std::move(nodeOptions));
  // The technician's phone: once the page shows a code, the code the platform waits for is
  // approved, and only if the page shows that one.
  std::string shownCode;
  std::optional<std::string> expectedCode;
  const auto deadline = std::chrono::steady_clock::now() + 100s;
  while (node.running() && std::chrono::steady_clock::now() < deadline) {
    if (shownCode.empty() && std::filesystem::exists(out / "user-code.txt")) {
      shownCode = readTextFile(out / "user-code.txt");
      expectedCode = fake.pendingUserCode(Platform::youtube);
      if (expectedCode && *expectedCode == shownCode) fake.approve(Platform::youtube);
    }
    std::this_thread::sleep_for(100ms);
  }
  if (node.running()) node.kill9();
  node.finishCapture();
  INFO("node platforms_test.mjs:\n"
       << node.capturedOut() << node.capturedErr() << "\ntribune log:\n"
       << readTextFile(log));
  REQUIRE(expectedCode);
  CHECK(shownCode == *expectedCode);
  REQUIRE(node.exitStatus() == 0);
  CHECK_THAT(readTextFile(out / "live-url.txt"), Catch::StartsWith("https://www.youtube.com/watch?v="));

  // Every token the fake received and every stream key nginx was published to.
  auto secrets = fake.secretsReceived();
  REQUIRE(waitUntil([&] { return !nginx.publishAttempts().empty(); }, 20s));
  for (const auto& publish : nginx.publishAttempts()) secrets.insert(publish.name);
  REQUIRE(secrets.size() >= 2);
  tribune.signal(SIGINT);
  CHECK(tribune.waitFor(20s));
  const auto frames = readTextFile(out / "frames.txt");
  const auto page = readTextFile(out / "page.html");
  const auto logText = readTextFile(log);
  REQUIRE_FALSE(frames.empty());
  for (const auto& secret : secrets) {
    INFO("secret " << secret.substr(0, 4) << "…");
    CHECK(frames.find(secret) == std::string::npos);
    CHECK(page.find(secret) == std::string::npos);
    CHECK(logText.find(secret) == std::string::npos);
  }
}
