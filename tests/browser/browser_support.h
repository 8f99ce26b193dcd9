#pragma once
// What the browser tests that run `tribune run` share: where things are, the peers they
// need, starting and stopping Tribune as a technician would, and the tokens it wrote. Each
// test target defines TRIBUNE_SOURCE_DIR and TRIBUNE_BINARY (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/fake_platforms.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace tribune::testing::browser {

using namespace std::chrono_literals;

inline const std::filesystem::path kSourceDir = TRIBUNE_SOURCE_DIR;
inline const std::filesystem::path kBrowserDir = kSourceDir / "tests" / "browser";
inline const std::string kTribune = TRIBUNE_BINARY;

// Nothing is skipped: a machine without the browser peers fails with what to do.
inline void requireBrowserPeers() {
  if (!std::filesystem::exists(kBrowserDir / "node_modules" / "playwright-core")) {
    FAIL("tests/browser/node_modules is missing: run ./scripts/setup --test (it runs npm ci in tests/browser)");
  }
  if (!std::filesystem::exists("/usr/bin/chromium")) FAIL("/usr/bin/chromium is missing: run ./scripts/setup --test");
  if (runCommand({"node", "--version"}, 10s).exit_code != 0) FAIL("node is missing: run ./scripts/setup --test");
}

struct RunningTribune {
  std::optional<Process> process;
  std::filesystem::path log;
};

// `command`: "run" (one meeting) or "serve" (the appliance in standby, issue 23).
inline void startTribune(RunningTribune& tribune, const std::filesystem::path& config,
                         const std::filesystem::path& data, std::uint16_t port, const std::string& command = "run") {
  ProcessOptions options;
  options.env["TRIBUNE_SHARE_DIR"] = kSourceDir.string();
  options.out = Redirect::appendTo(tribune.log);
  options.err = Redirect::appendTo(tribune.log);
  tribune.process.emplace(
      std::vector<std::string>{kTribune, command, "--config", config.string(), "--data-dir", data.string()},
      std::move(options));
  const bool up = waitUntil([&] { return loopbackPortAccepts(port) || !tribune.process->running(); }, 20s);
  INFO(readTextFile(tribune.log));
  REQUIRE(up);
  REQUIRE(tribune.process->running());
}

inline void stopTribune(RunningTribune& tribune) {
  if (!tribune.process || !tribune.process->running()) return;
  tribune.process->signal(SIGINT);
  auto status = tribune.process->waitFor(20s);
  INFO(readTextFile(tribune.log));
  REQUIRE(status);
  CHECK(*status == 0);
}

inline std::string tokenOf(const std::filesystem::path& data, const char* role) {
  const auto tokens = nlohmann::json::parse(readTextFile(data / "tokens.json"));
  return tokens.at(role).get<std::string>();
}

// A `tribune run` configuration: the agenda, the lightest video, the port; the platforms'
// section when one is given.
inline nlohmann::json runConfig(const std::filesystem::path& agenda, std::uint16_t port,
                                nlohmann::json platforms = nullptr) {
  nlohmann::json config{{"agenda", agenda.string()},
                        {"video", {{"profile", "720p30"}, {"preset", "ultrafast"}, {"bitrate_kbps", 1500}}},
                        {"web", {{"port", port}}}};
  if (!platforms.is_null()) config["platforms"] = std::move(platforms);
  return config;
}

// The platforms' section for YouTube played by tests/support's fake platform server.
inline nlohmann::json fakeYoutube(const FakePlatformsOptions& options, const FakePlatforms& fake) {
  return {{"youtube",
           {{"client_id", options.googleClientId},
            {"client_secret", options.googleClientSecret},
            {"oauth_url", fake.googleOAuthUrl()},
            {"api_url", fake.youtubeApiUrl()}}}};
}

// Where the pages' screenshots stay after the test, for a person to look at.
inline std::filesystem::path screenshotsDir() {
  const std::filesystem::path shots = TRIBUNE_BROWSER_SCREENSHOTS;
  std::filesystem::create_directories(shots);
  return shots;
}

// How a node script in tests/browser ended, and all it wrote.
struct NodeRun {
  std::string script;
  std::optional<ExitStatus> status;  // -9 when it had to be killed
  std::string output;                // its stdout, then its stderr
};

// Runs `node tests/browser/SCRIPT ARGS...` until it ends, killing it after `timeout`;
// `whileRunning` (the technician's phone, say) is called every 100 ms meanwhile.
inline NodeRun runNode(const std::string& script, const std::vector<std::string>& args,
                       std::chrono::milliseconds timeout, const std::function<void(Process&)>& whileRunning = {}) {
  ProcessOptions options;
  options.out = Redirect::capture();
  options.err = Redirect::capture();
  options.cwd = kBrowserDir;
  std::vector<std::string> argv{"node", (kBrowserDir / script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process node(std::move(argv), std::move(options));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (node.running() && std::chrono::steady_clock::now() < deadline) {
    if (whileRunning) whileRunning(node);
    std::this_thread::sleep_for(100ms);
  }
  if (node.running()) node.kill9();
  node.finishCapture();
  return {script, node.exitStatus(), node.capturedOut() + node.capturedErr()};
}

// A runNode's whileRunning: once the script prints READY_FOR_RESTART, Tribune goes away and
// comes back on the same port and data folder, as after a technician's Ctrl+C and `tribune
// run` again; `restarted` says it did.
inline std::function<void(Process&)> restartWhenAsked(RunningTribune& tribune, const std::filesystem::path& config,
                                                      const std::filesystem::path& data, std::uint16_t port,
                                                      bool& restarted) {
  return [&tribune, config, data, port, &restarted](Process& node) {
    if (restarted || node.capturedOut().find("READY_FOR_RESTART") == std::string::npos) return;
    stopTribune(tribune);
    std::this_thread::sleep_for(1500ms);  // long enough for the pages to notice
    startTribune(tribune, config, data, port);
    restarted = true;
  };
}

// What a failing check shows: the script's output, where the screenshots are, Tribune's log.
inline std::string describe(const NodeRun& run, const RunningTribune& tribune) {
  return "node " + run.script + ":\n" + run.output + "\nscreenshots: " + screenshotsDir().string() +
         "\ntribune log:\n" + readTextFile(tribune.log);
}

// The node script ended by itself with status 0.
inline void requireNodeSucceeded(const NodeRun& run, const RunningTribune& tribune) {
  INFO(describe(run, tribune));
  REQUIRE(run.status);
  REQUIRE(*run.status == 0);
}

}  // namespace tribune::testing::browser
