#pragma once
// The role tokens: one random secret per non-viewer role (technician, moderator, mayor),
// generated on first run, kept in DATA_DIR/tokens.json (mode 0600), rotated with
// `tribune tokens --rotate`. Compared in constant time. Never logged.
#include <filesystem>
#include <optional>
#include <string>

#include "core/role.h"
#include "core/secret.h"

namespace tribune::app {

class Tokens {
 public:
  // Loads DATA_DIR/tokens.json, creating it with fresh tokens when missing. Throws
  // std::runtime_error naming the file when it cannot be read or written.
  static Tokens loadOrCreate(const std::filesystem::path& dataDir);
  // Replaces every token (the old ones stop working) and saves.
  static Tokens rotate(const std::filesystem::path& dataDir);

  // The role a token grants: no token is a viewer; a token nobody issued is nothing
  // (refused, so that a mistyped token does not silently make a viewer of the mayor).
  [[nodiscard]] std::optional<core::Role> roleOf(const std::optional<std::string>& token) const;
  [[nodiscard]] const core::Secret& tokenOf(core::Role role) const;

 private:
  core::Secret technician_;
  core::Secret moderator_;
  core::Secret mayor_;
};

// 32 random bytes from OpenSSL's generator, as 64 hex characters.
std::string randomToken();
// Equality that takes the same time wherever the first difference is.
bool constantTimeEquals(const std::string& a, const std::string& b);

}  // namespace tribune::app
