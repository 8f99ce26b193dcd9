#pragma once
// Reads tribune.json, its secrets file and the environment, and hands them to the core's
// pure validation. The only place that turns files into a core::Config.
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/config.h"

namespace tribune::app {

// Every problem of a configuration; what() lists them one per line with their paths.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::vector<core::ConfigProblem> problems);
  [[nodiscard]] const std::vector<core::ConfigProblem>& problems() const { return problems_; }
  [[nodiscard]] const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<core::ConfigProblem> problems_;
};

struct LoadedConfig {
  core::Config config;
  std::filesystem::path baseDir;  // relative paths in the file are relative to it
};

// The configuration's relative paths (branding.logo, graphics.templates_dir,
// questions.profanity_file, pipelines_dir) made absolute from the file's folder.
void makePathsAbsolute(core::Config& config, const std::filesystem::path& baseDir);

// No file: the embedded defaults (test source, no destination). Throws ConfigError.
LoadedConfig loadConfig(const std::optional<std::filesystem::path>& file);

// The environment and the entries of `secretsFile` (a JSON object of strings; none when it is
// not given), for the *_env and *_secret members of tribune.json and edge.json. A file that
// cannot be read or is not an object of strings is reported in `problems` at "secrets_file",
// never echoed (it is full of keys).
core::SecretLookup secretLookup(const std::optional<std::filesystem::path>& secretsFile,
                                std::vector<core::ConfigProblem>& problems);

// Validates a document already read (used by loadConfig and by tests).
core::ConfigResult validateDocument(const std::string& text, const std::filesystem::path& baseDir,
                                    std::vector<core::ConfigProblem>& readingProblems);

// The same for a parsed document, with entries of the secrets file about to be written
// (the console's settings check keys before they are saved).
core::ConfigResult validateDocument(const nlohmann::ordered_json& document, const std::filesystem::path& baseDir,
                                    const std::map<std::string, std::string>& pendingSecrets,
                                    std::vector<core::ConfigProblem>& readingProblems);

}  // namespace tribune::app
