#pragma once
// What the browser tests that run `tribune run` share: where things are, the peers they
// need, starting and stopping Tribune as a technician would, and the tokens it wrote. Each
// test target defines TRIBUNE_SOURCE_DIR and TRIBUNE_BINARY (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

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

inline void startTribune(RunningTribune& tribune, const std::filesystem::path& config,
                         const std::filesystem::path& data, std::uint16_t port) {
  ProcessOptions options;
  options.env["TRIBUNE_SHARE_DIR"] = kSourceDir.string();
  options.out = Redirect::appendTo(tribune.log);
  options.err = Redirect::appendTo(tribune.log);
  tribune.process.emplace(
      std::vector<std::string>{kTribune, "run", "--config", config.string(), "--data-dir", data.string()},
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

}  // namespace tribune::testing::browser
