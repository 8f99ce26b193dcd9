#pragma once
// The console's settings (issue 23, docs/SETTINGS.md). The technician edits part of
// tribune.json from the console; the service cannot write /etc/tribune, so the edits are
// kept in DATA/settings.json as a JSON merge patch (RFC 7386) over the file, with a revision
// that every edit must name (two consoles never overwrite each other). The effective
// configuration is the file with the patch applied, validated by the same code as
// `tribune check`. Stream keys typed in the console go to the secrets file, never into the
// patch, and are never sent back (the console sees "****").
//
// Pure: the app reads and writes the files and validates the result.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"

namespace tribune::core {

using SettingsJson = nlohmann::ordered_json;

// The sections the console edits; any other member of a patch is refused.
inline constexpr std::string_view kEditableSections[] = {"destinations", "branding", "video",
                                                         "questions",    "web",      "graphics"};

// What a stream key field holds when a key is set: the console sends it back to keep it.
inline constexpr std::string_view kKeptKey = "****";

// The name of a destination's entry in the secrets file when its key was typed in the console.
std::string consoleSecretName(std::string_view destination);

struct SettingsFile {
  std::uint64_t revision = 0;                   // +1 at every saved edit
  SettingsJson patch = SettingsJson::object();  // merge patch over tribune.json
};

struct SettingsFileResult {
  std::optional<SettingsFile> settings;
  std::string error;  // English, for the service's log: the file is written by Tribune only
};
SettingsFileResult settingsFromJson(const SettingsJson& json);
SettingsJson settingsToJson(const SettingsFile& settings);

// The configuration file with the patch applied.
SettingsJson effectiveDocument(const SettingsJson& base, const SettingsJson& patch);

// An edit from the console: {"revision", "patch", "dry_run"}.
struct SettingsEditRequest {
  std::uint64_t revision = 0;
  SettingsJson patch;
  bool dryRun = false;
};
struct SettingsRequestResult {
  std::optional<SettingsEditRequest> request;
  std::string error;  // French, for a 400
};
SettingsRequestResult parseSettingsRequest(const SettingsJson& body);

// An edit turned into what to store. `problems` (paths as the console's fields, messages in
// French) mean nothing may be saved; `conflict` that another console saved first.
struct SettingsEdit {
  bool conflict = false;
  std::vector<ConfigProblem> problems;
  SettingsFile next;                           // the settings to write
  std::map<std::string, std::string> secrets;  // entries of the secrets file to set
};

// `current`: the settings now; `base`: tribune.json as read; `secretsFileMissing`: the
// configuration names no secrets file (the app then gives one in the data folder and sets
// `secretsFile` here, which the edit writes into the patch when a key is typed).
SettingsEdit prepareSettingsEdit(const SettingsFile& current, const SettingsJson& base,
                                 const SettingsEditRequest& request,
                                 const std::optional<std::string>& secretsFileToSet);

// Problems of the validated effective document, with the paths the console shows them at
// (a console-made key_secret is the destination's key field).
std::vector<ConfigProblem> consoleProblems(std::vector<ConfigProblem> problems);

// What the console shows: the editable sections with their effective values (defaults
// included), each destination's key as "****" or "" and its URL without a key.
SettingsJson settingsValues(const Config& config, const SettingsJson& effective);

// The sections whose effective value differs from `running` and that only a restart of the
// service applies (the web server's address and port).
std::vector<std::string> sectionsNeedingRestart(const Config& saved, const Config& running);

}  // namespace tribune::core
