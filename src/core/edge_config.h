#pragma once
// The public edge's configuration (edge.json, `tribune edge --config edge.json`, issue 22):
// where it listens, whom it trusts for X-Forwarded-For, its per-address limits, its Redis
// and the link's secret. Checked like tribune.json (docs/CONFIG.md): every problem with
// its JSON path, unknown keys refused, secrets only from the environment or the secrets
// file. Pure: the app reads the files and the environment.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/forwarded.h"
#include "core/rate_limit.h"
#include "core/secret.h"

namespace tribune::core {

// Where the public pages are served. A public edge is HTTPS: with the host's certificate
// files, or behind a reverse proxy doing TLS, which must be said (tls_offload).
struct EdgeWebSettings {
  std::string address = "0.0.0.0";
  int port = 8443;
  std::optional<std::string> tlsCertificate;  // both or neither; relative to the config file
  std::optional<std::string> tlsKey;
  bool tlsOffload = false;
};

struct RedisAddress {
  bool tls = true;  // rediss://
  std::string host;
  int port = 6379;
  friend bool operator==(const RedisAddress&, const RedisAddress&) = default;
};

struct EdgeRedisSettings {
  RedisAddress address;
  std::string user = "tribune";       // the ACL user limited to Tribune's keys
  Secret password;                    // from password_env or password_secret
  std::optional<std::string> caFile;  // rediss:// only; none: the system's CAs
  std::string keyPrefix = "tribune";  // [a-z0-9_-]{1,32}: keys are "<prefix>:…"
};

// Per address (after X-Forwarded-For) and per connection, at the edge: they never reach
// Redis or the town hall.
struct EdgeLimits {
  RateLimit questionsPerAddress{30, std::chrono::hours{1}};
  RateLimit upvotesPerAddress{60, std::chrono::minutes{1}};
  RateLimit messagesPerConnection{10, std::chrono::seconds{1}};
};

struct EdgeConfig {
  std::optional<std::string> name;         // the edge's id on the link and in Redis; none: the app uses the host name
  std::optional<std::string> secretsFile;  // where link_secret_secret and password_secret are looked up
  EdgeWebSettings web;
  std::vector<AddressRange> trustedProxies;  // peers whose X-Forwarded-For is believed
  std::size_t maxConnectionsPerAddress = 20;
  EdgeLimits limits;
  EdgeRedisSettings redis;
  Secret linkSecret;                     // paired with the town hall's edge secret; 32 characters at least
  std::chrono::hours dataRetention{48};  // questions stay this long in Redis after the meeting
};

struct EdgeConfigResult {
  EdgeConfig config;                    // meaningful only when problems is empty
  std::vector<ConfigProblem> problems;  // every problem, in document order, then the cross-checks
  [[nodiscard]] bool ok() const { return problems.empty(); }
};

EdgeConfigResult parseEdgeConfig(const nlohmann::json& document, const SecretLookup& secrets);
EdgeConfigResult parseEdgeConfig(const nlohmann::ordered_json& document, const SecretLookup& secrets);

}  // namespace tribune::core
