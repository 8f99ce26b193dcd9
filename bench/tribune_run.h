#pragma once
// The real `tribune run` as the benchmark drivers start it: a separate process, in a folder
// of its own holding its config (tribune.json), its data dir (data/), its standard output
// (out.txt) and its log (log.txt, its standard error). On tests/support's Process.
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.h"

namespace tribune::bench {

// The files of a `tribune run` in `dir`.
struct TribuneFiles {
  std::filesystem::path dir;
  [[nodiscard]] std::filesystem::path config() const { return dir / "tribune.json"; }
  [[nodiscard]] std::filesystem::path dataDir() const { return dir / "data"; }
  [[nodiscard]] std::filesystem::path out() const { return dir / "out.txt"; }
  [[nodiscard]] std::filesystem::path log() const { return dir / "log.txt"; }
};

// Writes `config` to dir/tribune.json and creates dir/data; the command line that runs
// `binary` on them.
std::vector<std::string> prepareTribuneRun(const std::filesystem::path& binary, const std::filesystem::path& dir,
                                           const nlohmann::json& config);

// Standard output to dir/out.txt, standard error (the log) to dir/log.txt.
testing::ProcessOptions tribuneRunOutput(const std::filesystem::path& dir);

// Both of the above, and the process started. Throws when it cannot be started at all.
testing::Process startTribuneRun(const std::filesystem::path& binary, const std::filesystem::path& dir,
                                 const nlohmann::json& config);

enum class Listening { yes, exited, timedOut };

// Polls every 100 ms, for at most `timeout`, until tribune's web server accepts on `port`
// and, when `written` is not empty, that file exists (tokens.json: the console links'
// secrets, written at start).
Listening waitUntilListening(testing::Process& tribune, int port, std::chrono::milliseconds timeout,
                             const std::filesystem::path& written = {});

}  // namespace tribune::bench
