#include "tribune_run.h"

#include <fstream>
#include <thread>

#include "support/temp_dir.h"

namespace tribune::bench {

namespace fs = std::filesystem;
using testing::Process;
using testing::ProcessOptions;
using testing::Redirect;

std::vector<std::string> prepareTribuneRun(const fs::path& binary, const fs::path& dir, const nlohmann::json& config) {
  const TribuneFiles files{dir};
  std::ofstream(files.config()) << config.dump(2);
  fs::create_directories(files.dataDir());
  return {binary.string(), "run", "--config", files.config().string(), "--data-dir", files.dataDir().string()};
}

ProcessOptions tribuneRunOutput(const fs::path& dir) {
  const TribuneFiles files{dir};
  ProcessOptions options;
  options.out = Redirect::toFile(files.out());
  options.err = Redirect::toFile(files.log());
  return options;
}

Process startTribuneRun(const fs::path& binary, const fs::path& dir, const nlohmann::json& config) {
  return Process(prepareTribuneRun(binary, dir, config), tribuneRunOutput(dir));
}

Listening waitUntilListening(Process& tribune, int port, std::chrono::milliseconds timeout, const fs::path& written) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!testing::loopbackPortAccepts(static_cast<std::uint16_t>(port)) ||
         (!written.empty() && !fs::exists(written))) {
    if (!tribune.running()) return Listening::exited;
    if (std::chrono::steady_clock::now() > deadline) return Listening::timedOut;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Listening::yes;
}

}  // namespace tribune::bench
