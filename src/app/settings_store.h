#pragma once
// The console's settings on disk (core/settings.h, docs/SETTINGS.md): DATA/settings.json,
// a merge patch over tribune.json, and the secrets file the keys typed in the console go
// to. `tribune run`, `serve` and `check` all read the configuration through it, so the
// three agree on what is in effect.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "app/config_loader.h"
#include "core/settings.h"

namespace tribune::app {

struct SettingsSave {
  int status = 200;                    // 200, 409 (another console saved first) or 422 (problems)
  core::SettingsJson body;             // the answer to the console
  std::optional<LoadedConfig> config;  // the new effective configuration, when saved
};

class SettingsStore {
 public:
  // Reads tribune.json (none: the embedded defaults) and DATA/settings.json (none: no
  // edit yet). Throws std::runtime_error naming a damaged settings file and its .prev.
  SettingsStore(std::optional<std::filesystem::path> configFile, std::filesystem::path dataDir);

  // The effective configuration. Throws ConfigError, naming the settings file when the
  // patch is what makes it invalid.
  [[nodiscard]] LoadedConfig load() const;

  // The effective configuration with some branding values of the console (its preview),
  // or the problems in the console's paths.
  [[nodiscard]] core::ConfigResult withBranding(const core::SettingsJson& branding) const;

  // An edit from the console (the body of POST /api/settings): validated by the same
  // code as `tribune check`, then the secrets and the settings written atomically.
  SettingsSave save(const core::SettingsJson& body);

  [[nodiscard]] std::uint64_t revision() const { return current_.revision; }
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }
  // Where uploaded logos are kept: DATA/branding.
  [[nodiscard]] std::filesystem::path logoDir() const { return dataDir_ / "branding"; }
  // The effective document's values as the console shows them.
  [[nodiscard]] core::SettingsJson values(const core::Config& config) const;

 private:
  [[nodiscard]] core::ConfigResult validate(const core::SettingsJson& document,
                                            const std::map<std::string, std::string>& pending,
                                            std::vector<core::ConfigProblem>& reading) const;
  [[nodiscard]] std::filesystem::path secretsFile(const core::SettingsJson& document) const;

  std::optional<std::filesystem::path> configFile_;
  std::filesystem::path baseDir_;
  std::filesystem::path dataDir_;
  std::filesystem::path file_;
  core::SettingsJson base_ = core::SettingsJson::object();
  core::SettingsFile current_;
};

// [{"path", "message"}…]: the problems as the console's answers carry them.
core::SettingsJson problemsJson(const std::vector<core::ConfigProblem>& problems);

// `loadConfig` with the console's settings of the data folder the file names (or
// `dataDirFlag`): what `run`, `serve` and `check` start from. Throws ConfigError.
LoadedConfig loadConfigWithSettings(const std::optional<std::filesystem::path>& file,
                                    const std::optional<std::filesystem::path>& dataDirFlag);

}  // namespace tribune::app
