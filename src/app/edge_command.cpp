// `tribune edge --config edge.json` (issue 22; docs/EDGE.md) and `tribune edge-secret`.
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "app/config_loader.h"
#include "app/tokens.h"
#include "core/edge_config.h"
#include "edge/edge_server.h"

namespace tribune::app {
namespace {

std::optional<std::string> readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int report(const std::string& file, const std::vector<core::ConfigProblem>& problems) {
  std::cerr << "Configuration invalide / invalid configuration: " << file << "\n";
  for (const auto& problem : problems) std::cerr << "  " << problem.path << ": " << problem.message << "\n";
  return 2;
}

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "edge";
  std::string out;
  for (const char c : std::string(name)) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '-');
  }
  return out.empty() ? "edge" : out.substr(0, 64);
}

}  // namespace

std::optional<EdgeLoaded> loadEdgeConfig(const std::filesystem::path& file) {
  const auto text = readText(file);
  if (!text) {
    report(file.string(), {{"$", "impossible de lire le fichier (existe-t-il ?)"}});
    return std::nullopt;
  }
  const auto baseDir = std::filesystem::absolute(file).parent_path();
  nlohmann::ordered_json document;
  try {
    document = nlohmann::ordered_json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    report(file.string(), {{"$", std::string("not valid JSON: ") + e.what()}});
    return std::nullopt;
  }
  std::vector<core::ConfigProblem> problems;
  std::optional<std::filesystem::path> secretsFile;
  if (document.is_object() && document.contains("secrets_file") && document["secrets_file"].is_string()) {
    secretsFile = baseDir / document["secrets_file"].get<std::string>();
  }
  const auto lookup = secretLookup(secretsFile, problems);
  auto result = core::parseEdgeConfig(document, lookup);
  problems.insert(problems.end(), result.problems.begin(), result.problems.end());
  if (!problems.empty()) {
    report(file.string(), problems);
    return std::nullopt;
  }
  auto& config = result.config;
  if (!config.name) config.name = hostName();
  const auto relative = [&](std::optional<std::string>& path) {
    if (path) path = (baseDir / *path).string();
  };
  relative(config.web.tlsCertificate);
  relative(config.web.tlsKey);
  relative(config.redis.caFile);
  return EdgeLoaded{std::move(config), baseDir};
}

int edgeCommand(const EdgeArguments& arguments) {
  auto loaded = loadEdgeConfig(arguments.config);
  if (!loaded) return 2;
  setUpLogging(arguments.logLevel.value_or("info"));
  for (const char* name : {"edge", "bus", "web"}) {
    if (!spdlog::get(name)) spdlog::register_logger(spdlog::default_logger()->clone(name));
  }
  edge::EdgeOptions options;
  options.config = std::move(loaded->config);
  options.shareDir = shareDir();
  options.webPortOverride = arguments.port;
  options.handleSignals = true;
  try {
    edge::EdgeServer server(std::move(options));
    std::cout << "Tribune edge " << TRIBUNE_VERSION << " — port " << server.port() << std::endl;
    return server.run();
  } catch (const std::exception& e) {
    std::cerr << "tribune edge: " << e.what() << "\n";
    return 1;
  }
}

int edgeSecretCommand() {
  // 64 hex characters from the system's generator: put the same value in the town hall's
  // secrets file (edge.secret_secret's key) and in every edge's (link_secret_secret's key).
  std::cout << randomToken() << "\n";
  return 0;
}

}  // namespace tribune::app
