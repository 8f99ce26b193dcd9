#include "app/tokens.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace tribune::app {
namespace {

constexpr const char* kFile = "tokens.json";

void save(const std::filesystem::path& file, const nlohmann::json& document) {
  std::filesystem::create_directories(file.parent_path());
  const auto temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + temporary + ": check the data folder's permissions");
    out << document.dump(2) << "\n";
  }
  ::chmod(temporary.c_str(), 0600);  // secrets: readable by Tribune's user only
  std::filesystem::rename(temporary, file);
}

}  // namespace

std::string randomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("the system's random generator failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 0x0f];
  }
  return token;
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;  // lengths are not secret: every token has 64 characters
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Tokens Tokens::rotate(const std::filesystem::path& dataDir) {
  const nlohmann::json document{{"technician", randomToken()}, {"moderator", randomToken()}, {"mayor", randomToken()}};
  save(dataDir / kFile, document);
  Tokens tokens;
  tokens.technician_ = core::Secret{document["technician"].get<std::string>()};
  tokens.moderator_ = core::Secret{document["moderator"].get<std::string>()};
  tokens.mayor_ = core::Secret{document["mayor"].get<std::string>()};
  return tokens;
}

Tokens Tokens::loadOrCreate(const std::filesystem::path& dataDir) {
  const auto file = dataDir / kFile;
  std::ifstream in(file);
  if (!in) return rotate(dataDir);
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.str());
  } catch (const std::exception&) {
    throw std::runtime_error(file.string() + " is damaged: delete it or run `tribune tokens --rotate`");
  }
  Tokens tokens;
  for (auto [key, target] : {std::pair{"technician", &tokens.technician_}, std::pair{"moderator", &tokens.moderator_},
                             std::pair{"mayor", &tokens.mayor_}}) {
    if (!document.is_object() || !document.contains(key) || !document[key].is_string() ||
        document[key].get<std::string>().size() < 32) {
      throw std::runtime_error(file.string() + " has no valid '" + key + "' token: run `tribune tokens --rotate`");
    }
    *target = core::Secret{document[key].get<std::string>()};
  }
  return tokens;
}

std::optional<core::Role> Tokens::roleOf(const std::optional<std::string>& token) const {
  if (!token || token->empty()) return core::Role::Viewer;
  // Every comparison runs, so the time taken does not tell which role matched.
  const bool technician = constantTimeEquals(*token, technician_.reveal());
  const bool moderator = constantTimeEquals(*token, moderator_.reveal());
  const bool mayor = constantTimeEquals(*token, mayor_.reveal());
  if (technician) return core::Role::Technician;
  if (moderator) return core::Role::Moderator;
  if (mayor) return core::Role::Mayor;
  return std::nullopt;
}

const core::Secret& Tokens::tokenOf(core::Role role) const {
  switch (role) {
    case core::Role::Technician: return technician_;
    case core::Role::Moderator: return moderator_;
    case core::Role::Mayor: return mayor_;
    case core::Role::Viewer: break;
  }
  static const core::Secret none;
  return none;
}

}  // namespace tribune::app
