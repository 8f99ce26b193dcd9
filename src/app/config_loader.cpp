#include "app/config_loader.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace tribune::app {
namespace {

std::string joinProblems(const std::string& file, const std::vector<core::ConfigProblem>& problems) {
  std::string text = file + ": " + std::to_string(problems.size()) + " problème(s)";
  for (const auto& p : problems) text += "\n  " + p.path + ": " + p.message;
  return text;
}

std::optional<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// nlohmann reports a byte offset; a technician wants a line and a column.
std::string locate(const std::string& text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "ligne " + std::to_string(line) + ", colonne " + std::to_string(column);
}

}  // namespace

ConfigError::ConfigError(std::string file, std::vector<core::ConfigProblem> problems)
    : std::runtime_error(joinProblems(file, problems)), file_(std::move(file)), problems_(std::move(problems)) {}

core::SecretLookup secretLookup(const std::optional<std::filesystem::path>& secretsFile,
                                std::vector<core::ConfigProblem>& problems) {
  std::map<std::string, std::string> secrets;
  if (secretsFile) {
    const auto& path = *secretsFile;
    if (auto content = readFile(path)) {
      try {
        auto parsed = nlohmann::json::parse(*content);
        if (!parsed.is_object()) throw std::invalid_argument("not an object");
        for (const auto& [name, value] : parsed.items()) {
          if (!value.is_string()) {
            problems.push_back(
                {"secrets_file", "l'entrée « " + name + " » de " + path.string() + " n'est pas une chaîne"});
          } else {
            secrets[name] = value.get<std::string>();
          }
        }
      } catch (const std::exception&) {
        // Never echo the file: it is full of keys.
        problems.push_back({"secrets_file", path.string() + " n'est pas un objet JSON de chaînes"});
      }
    } else {
      problems.push_back({"secrets_file", "impossible de lire " + path.string()});
    }
  }
  core::SecretLookup lookup;
  lookup.environment = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  lookup.secretsFile = [secrets = std::move(secrets)](const std::string& name) -> std::optional<std::string> {
    auto it = secrets.find(name);
    if (it == secrets.end()) return std::nullopt;
    return it->second;
  };
  return lookup;
}

core::ConfigResult validateDocument(const std::string& text, const std::filesystem::path& baseDir,
                                    std::vector<core::ConfigProblem>& readingProblems) {
  // ordered_json keeps the document's key order, so problems come out in reading order.
  nlohmann::ordered_json document;
  try {
    document = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    readingProblems.push_back({"$", "JSON invalide à la " + locate(text, e.byte == 0 ? 0 : e.byte - 1)});
    return {};
  }
  return validateDocument(document, baseDir, {}, readingProblems);
}

core::ConfigResult validateDocument(const nlohmann::ordered_json& document, const std::filesystem::path& baseDir,
                                    const std::map<std::string, std::string>& pendingSecrets,
                                    std::vector<core::ConfigProblem>& readingProblems) {
  // The secrets file is read before validation so that key_secret can be checked.
  std::optional<std::filesystem::path> secretsFile;
  if (document.is_object() && document.contains("secrets_file") && document["secrets_file"].is_string()) {
    secretsFile = baseDir / document["secrets_file"].get<std::string>();
  }
  // A secrets file the console is about to create need not exist yet.
  std::error_code ec;
  if (secretsFile && !pendingSecrets.empty() && !std::filesystem::exists(*secretsFile, ec)) secretsFile.reset();
  auto lookup = secretLookup(secretsFile, readingProblems);
  if (!pendingSecrets.empty()) {
    lookup.secretsFile = [pendingSecrets, fromFile = std::move(lookup.secretsFile)](
                             const std::string& name) -> std::optional<std::string> {
      if (auto it = pendingSecrets.find(name); it != pendingSecrets.end()) return it->second;
      return fromFile(name);
    };
  }
  return core::parseConfig(document, lookup);
}

LoadedConfig loadConfig(const std::optional<std::filesystem::path>& file) {
  if (!file) return {core::Config{}, std::filesystem::current_path()};
  auto text = readFile(*file);
  if (!text) throw ConfigError(file->string(), {{"$", "impossible de lire le fichier (existe-t-il ?)"}});
  const auto baseDir = std::filesystem::absolute(*file).parent_path();
  std::vector<core::ConfigProblem> problems;
  auto result = validateDocument(*text, baseDir, problems);
  problems.insert(problems.end(), result.problems.begin(), result.problems.end());
  if (!problems.empty()) throw ConfigError(file->string(), std::move(problems));
  return {std::move(result.config), baseDir};
}

void makePathsAbsolute(core::Config& config, const std::filesystem::path& baseDir) {
  for (auto* path :
       {&config.graphics.templatesDir, &config.branding.logo, &config.questions.profanityFile, &config.pipelinesDir}) {
    if (*path) *path = (baseDir / **path).string();
  }
}

}  // namespace tribune::app
