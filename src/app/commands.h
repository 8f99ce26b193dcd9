#pragma once
// The sub-commands of the `tribune` executable. Each returns the process exit code:
// 0 success, 1 failure at run time, 2 invalid configuration or arguments.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app/config_loader.h"
#include "core/edge_config.h"

namespace tribune::app {

struct EdgeArguments {
  std::filesystem::path config;
  std::optional<int> port;  // overrides web.port (0: any free port, for tests)
  std::optional<std::string> logLevel;
};
struct EdgeLoaded {
  core::EdgeConfig config;
  std::filesystem::path baseDir;
};
// `tribune edge`: the public server (docs/EDGE.md). 2 on a configuration problem.
int edgeCommand(const EdgeArguments& arguments);
// edge.json checked and its paths made absolute, or nothing once its problems are printed.
std::optional<EdgeLoaded> loadEdgeConfig(const std::filesystem::path& file);
// `tribune edge-secret`: a new random link secret to pair a town hall with its edges.
int edgeSecretCommand();
std::filesystem::path shareDir();
void setUpLogging(const std::string& level);

struct RunArguments {
  std::optional<std::filesystem::path> config;
  std::optional<std::filesystem::path> dataDir;
  std::optional<std::string> source;
  std::vector<std::string> destinations;  // NAME=URL or platform=KEY
  std::optional<int> stopAfterSeconds;
  std::optional<std::string> logLevel;
};

int runCommand(const RunArguments& arguments);
// `tribune serve` (app/station.h): the console always up, meetings started by the schedule.
int serveCommand(const RunArguments& arguments);

// The data folder and the configuration, as `run` finds them.
struct LogArguments {
  std::optional<std::filesystem::path> config;
  std::optional<std::filesystem::path> dataDir;
};

// --data-dir, else the configuration's data_dir (relative to its file), else the default.
std::filesystem::path dataDirOf(const std::optional<std::filesystem::path>& flag, const LoadedConfig& loaded);
// The configuration, or nothing once its problems are printed (exit code 2).
std::optional<LoadedConfig> loadOrReport(const std::optional<std::filesystem::path>& file);

// `tribune accounts link|unlink|status PLATFORM` (docs/PLATFORMS.md): 0 when linked (link,
// status) or unlinked, 1 when not, 2 on a usage or configuration problem.
int accountsCommand(const LogArguments& arguments, const std::string& action, const std::string& platform);

// Deletes from the event log the questions older than questions.retention_days (and
// everything about them); --dry-run only counts them (docs/QUESTIONS.md).
int purgeCommand(const LogArguments& arguments, bool dryRun);

struct QuestionsArguments {
  LogArguments log;
  std::optional<std::string> meeting;        // default: the last meeting of the log
  std::string format = "csv";                // csv or json
  std::optional<std::filesystem::path> out;  // default: standard output
};
// Writes a meeting's questions, for the written replies (core/questions_export.h).
int questionsCommand(const QuestionsArguments& arguments);
struct ExportArguments {
  LogArguments log;
  std::optional<std::string> meeting;        // default: the last meeting of the log
  std::optional<std::filesystem::path> out;  // default: DATA/exports/MEETING
  bool clips = false;                        // also one MP4 per agenda item
};
// Writes a meeting's replay and records (app/export.h, docs/EXPORT.md).
int exportCommand(const ExportArguments& arguments);
struct PreflightFlags {
  bool run = false;   // --preflight: the report of app/preflight.h; exit 1 when a line is red
  bool json = false;  // --json: the report as JSON on stdout, the rest on stderr
};
int checkCommand(const std::optional<std::filesystem::path>& config, bool probe, PreflightFlags preflight = {});
int devicesCommand();
// Prints the role tokens (creating them if needed); --rotate replaces them all.
int tokensCommand(const std::optional<std::filesystem::path>& dataDir, bool rotate);

// Sets up the named loggers ("hub", "media", …) on stderr at the given level.
void setUpLogging(const std::string& level);
// The folder with pipelines/ and examples/: $TRIBUNE_SHARE_DIR, else the installed
// PREFIX/share/tribune beside the binary, else the source tree (app/share_dir.h).
std::filesystem::path shareDir();

}  // namespace tribune::app
