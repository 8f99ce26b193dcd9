#pragma once
// The sub-commands of the `tribune` executable. Each returns the process exit code:
// 0 success, 1 failure at run time, 2 invalid configuration or arguments.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tribune::app {

struct RunArguments {
  std::optional<std::filesystem::path> config;
  std::optional<std::filesystem::path> dataDir;
  std::optional<std::string> source;
  std::vector<std::string> destinations;  // NAME=URL or platform=KEY
  std::optional<int> stopAfterSeconds;
  std::optional<std::string> logLevel;
};

int runCommand(const RunArguments& arguments);
int checkCommand(const std::optional<std::filesystem::path>& config, bool probe);
int devicesCommand();
// Prints the role tokens (creating them if needed); --rotate replaces them all.
int tokensCommand(const std::optional<std::filesystem::path>& dataDir, bool rotate);

// Sets up the named loggers ("hub", "media", …) on stderr at the given level.
void setUpLogging(const std::string& level);
// The folder with pipelines/ and examples/: $TRIBUNE_SHARE_DIR or the source tree.
std::filesystem::path shareDir();

}  // namespace tribune::app
