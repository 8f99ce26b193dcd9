#include "app/settings_store.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "app/atomic_file.h"
#include "app/commands.h"

namespace tribune::app {
namespace {

using Json = core::SettingsJson;

std::optional<std::string> readText(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

core::SettingsFile readSettings(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return {};
  const auto text = readText(file);
  if (!text) throw std::runtime_error(file.string() + ": cannot read the file");
  const auto json = Json::parse(*text, nullptr, false);
  auto parsed = json.is_discarded() ? core::SettingsFileResult{std::nullopt, "not JSON"} : core::settingsFromJson(json);
  if (!parsed.settings) {
    throw std::runtime_error(file.string() + ": " + parsed.error + " (its previous version is " + file.string() +
                             ".prev)");
  }
  return std::move(*parsed.settings);
}

SettingsSave invalid(std::vector<core::ConfigProblem> problems) {
  SettingsSave save;
  save.status = 422;
  save.body = {{"status", "invalid"},
               {"error", "Réglages refusés : corrigez les champs signalés. Rien n'a été enregistré."},
               {"problems", problemsJson(core::consoleProblems(std::move(problems)))}};
  return save;
}

SettingsSave badRequest(const std::string& error) {
  SettingsSave save;
  save.status = 400;
  save.body = {{"status", "bad_request"}, {"error", error}};
  return save;
}

// The console names a logo by the path its upload answered; any other file is refused, so
// that a request cannot point the renderer at an arbitrary file of the machine.
std::optional<std::string> logoProblem(const Json& patch, const Json& base, const std::filesystem::path& logoDir) {
  const auto branding = patch.find("branding");
  if (branding == patch.end() || !branding->is_object()) return std::nullopt;
  const auto logo = branding->find("logo");
  if (logo == branding->end() || !logo->is_string()) return std::nullopt;
  const auto value = logo->get<std::string>();
  if (base.contains("branding") && base["branding"].is_object() && base["branding"].value("logo", "") == value) {
    return std::nullopt;
  }
  const std::filesystem::path path(value);
  if (path.is_absolute() && path.lexically_normal().parent_path() == logoDir.lexically_normal() &&
      std::filesystem::is_regular_file(path)) {
    return std::nullopt;
  }
  return "Téléversez le logo depuis la console (bouton « Choisir un logo »).";
}

}  // namespace

SettingsStore::SettingsStore(std::optional<std::filesystem::path> configFile, std::filesystem::path dataDir)
    : configFile_(std::move(configFile)), dataDir_(std::move(dataDir)), file_(dataDir_ / "settings.json") {
  baseDir_ = configFile_ ? std::filesystem::absolute(*configFile_).parent_path() : std::filesystem::current_path();
  if (configFile_) {
    const auto text = readText(*configFile_);
    if (!text) throw ConfigError(configFile_->string(), {{"$", "impossible de lire le fichier (existe-t-il ?)"}});
    base_ = Json::parse(*text, nullptr, false);
    if (base_.is_discarded()) loadConfig(configFile_);  // throws with where the JSON breaks
  }
  current_ = readSettings(file_);
}

core::ConfigResult SettingsStore::validate(const Json& document, const std::map<std::string, std::string>& pending,
                                           std::vector<core::ConfigProblem>& reading) const {
  return validateDocument(document, baseDir_, pending, reading);
}

LoadedConfig SettingsStore::load() const {
  std::vector<core::ConfigProblem> problems;
  auto result = validate(core::effectiveDocument(base_, current_.patch), {}, problems);
  problems.insert(problems.end(), result.problems.begin(), result.problems.end());
  if (!problems.empty()) {
    std::string file = configFile_ ? configFile_->string() : std::string("(defaults)");
    if (!current_.patch.empty()) file += " + " + file_.string() + " (previous version: " + file_.string() + ".prev)";
    throw ConfigError(file, std::move(problems));
  }
  return {std::move(result.config), baseDir_};
}

core::ConfigResult SettingsStore::withBranding(const Json& branding) const {
  Json patch = current_.patch;
  patch.merge_patch(Json{{"branding", branding}});
  std::vector<core::ConfigProblem> problems;
  if (auto problem = logoProblem(Json{{"branding", branding}}, base_, logoDir())) {
    problems.push_back({"branding.logo", *problem});
  }
  auto result = validate(core::effectiveDocument(base_, patch), {}, problems);
  problems.insert(problems.end(), result.problems.begin(), result.problems.end());
  result.problems = core::consoleProblems(std::move(problems));
  return result;
}

std::filesystem::path SettingsStore::secretsFile(const Json& document) const {
  if (document.contains("secrets_file") && document["secrets_file"].is_string()) {
    return baseDir_ / document["secrets_file"].get<std::string>();
  }
  return dataDir_ / "secrets.json";
}

Json SettingsStore::values(const core::Config& config) const {
  return core::settingsValues(config, core::effectiveDocument(base_, current_.patch));
}

SettingsSave SettingsStore::save(const Json& body) {
  auto request = core::parseSettingsRequest(body);
  if (!request.request) return badRequest(request.error);
  const Json currentDocument = core::effectiveDocument(base_, current_.patch);
  const bool secretsNamed = currentDocument.contains("secrets_file");
  const auto secrets = secretsFile(currentDocument);
  auto edit = core::prepareSettingsEdit(current_, base_, *request.request,
                                        secretsNamed ? std::nullopt : std::optional<std::string>(secrets.string()));
  if (edit.conflict) {
    SettingsSave save;
    save.status = 409;
    save.body = {{"status", "conflict"},
                 {"error",
                  "Les réglages ont été modifiés entre-temps dans une autre console : rechargez-les, puis refaites "
                  "votre modification."},
                 {"revision", current_.revision}};
    return save;
  }
  if (auto problem = logoProblem(request.request->patch, base_, logoDir())) {
    edit.problems.push_back({"branding.logo", *problem});
  }
  if (!edit.problems.empty()) return invalid(std::move(edit.problems));
  const Json document = core::effectiveDocument(base_, edit.next.patch);
  std::vector<core::ConfigProblem> problems;
  auto result = validate(document, edit.secrets, problems);
  problems.insert(problems.end(), result.problems.begin(), result.problems.end());
  if (!problems.empty()) return invalid(std::move(problems));
  SettingsSave save;
  if (request.request->dryRun) {
    save.body = {{"status", "valid"}};
    return save;
  }
  // The keys first: a crash between the two writes leaves an unused entry, never a
  // setting that names a key not written.
  if (!edit.secrets.empty()) {
    const auto file = secretsFile(document);
    Json entries = Json::object();
    if (const auto text = readText(file)) {
      entries = Json::parse(*text, nullptr, false);
      if (!entries.is_object()) {
        return invalid({{"secrets_file", "Le fichier des secrets " + file.string() +
                                             " est abîmé : réparez-le ou retirez-le (rien n'a été enregistré)."}});
      }
    }
    for (const auto& [name, value] : edit.secrets) entries[name] = value;
    writeAtomically(file, entries.dump(2) + "\n", 0600);
  }
  std::filesystem::create_directories(dataDir_);
  writeAtomically(file_, core::settingsToJson(edit.next).dump(2) + "\n", 0600);
  current_ = std::move(edit.next);
  save.body = {{"status", "saved"}, {"revision", current_.revision}};
  save.config = LoadedConfig{std::move(result.config), baseDir_};
  return save;
}

core::SettingsJson problemsJson(const std::vector<core::ConfigProblem>& problems) {
  Json list = Json::array();
  for (const auto& problem : problems) list.push_back({{"path", problem.path}, {"message", problem.message}});
  return list;
}

LoadedConfig loadConfigWithSettings(const std::optional<std::filesystem::path>& file,
                                    const std::optional<std::filesystem::path>& dataDirFlag) {
  auto loaded = loadConfig(file);
  const auto dataDir = dataDirOf(dataDirFlag, loaded);
  std::error_code ec;
  if (!std::filesystem::exists(dataDir / "settings.json", ec)) return loaded;
  try {
    return SettingsStore(file, dataDir).load();
  } catch (const std::runtime_error& error) {
    if (dynamic_cast<const ConfigError*>(&error) != nullptr) throw;
    throw ConfigError((dataDir / "settings.json").string(), {{"$", error.what()}});
  }
}

}  // namespace tribune::app
