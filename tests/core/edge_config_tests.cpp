#include <catch2/catch.hpp>

#include <string>

#include "config_test_helpers.h"
#include "core/edge_config.h"

using namespace tribune::core;
using namespace tribune::core::testing;

namespace {

const std::string kLinkSecret = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string kRedisPassword = "redis-acl-password";

SecretLookup edgeSecrets() {
  return lookupOf({{"LINK_SECRET", kLinkSecret}, {"REDIS_PASSWORD", kRedisPassword}},
                  {{"link", kLinkSecret}, {"redis", kRedisPassword}});
}

EdgeConfigResult parseEdge(const std::string& text, const SecretLookup& secrets = edgeSecrets()) {
  return parseEdgeConfig(nlohmann::ordered_json::parse(text), secrets);
}

// The smallest valid edge.json, then `members` (the last of a repeated member wins).
std::string minimal(const std::string& members = "") {
  return R"({"web": {"tls_offload": true}, "redis": {"url": "rediss://redis.internal:6380",
             "password_env": "REDIS_PASSWORD"}, "link_secret_env": "LINK_SECRET")" +
         (members.empty() ? "" : ", " + members) + "}";
}

std::string withRedis(const std::string& redisMembers) {
  return R"({"web": {"tls_offload": true}, "link_secret_env": "LINK_SECRET", "redis": {)" + redisMembers + "}}";
}

void requireEdgeProblem(const std::string& text, const std::string& path, const std::string& fragment,
                        const SecretLookup& secrets = edgeSecrets()) {
  const auto result = parseEdge(text, secrets);
  INFO(text);
  INFO(describe(result.problems));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].path == path);
  CHECK_THAT(result.problems[0].message, Catch::Contains(fragment));
}

}  // namespace

TEST_CASE("edge.json: the smallest file takes every default", "[edge_config]") {
  const auto result = parseEdge(minimal());
  REQUIRE(describe(result.problems).empty());
  const auto& c = result.config;
  CHECK_FALSE(c.name);
  CHECK_FALSE(c.secretsFile);
  CHECK(c.web.address == "0.0.0.0");
  CHECK(c.web.port == 8443);
  CHECK(c.web.tlsOffload);
  CHECK(c.trustedProxies.empty());
  CHECK(c.maxConnectionsPerAddress == 20);
  CHECK(c.limits.questionsPerAddress == RateLimit{30, std::chrono::hours{1}});
  CHECK(c.limits.upvotesPerAddress == RateLimit{60, std::chrono::minutes{1}});
  CHECK(c.limits.messagesPerConnection == RateLimit{10, std::chrono::seconds{1}});
  CHECK(c.redis.address == RedisAddress{true, "redis.internal", 6380});
  CHECK(c.redis.user == "tribune");
  CHECK(c.redis.password.reveal() == kRedisPassword);
  CHECK_FALSE(c.redis.caFile);
  CHECK(c.redis.keyPrefix == "tribune");
  CHECK(c.linkSecret.reveal() == kLinkSecret);
  CHECK(c.dataRetention == std::chrono::hours{48});
}

TEST_CASE("edge.json: every key is read", "[edge_config]") {
  const auto result = parseEdge(R"({
    "name": "vps-1.ville-demo",
    "secrets_file": "/etc/tribune/edge-secrets.json",
    "web": {"address": "::", "port": 443, "tls_certificate": "/etc/ssl/edge.pem", "tls_key": "/etc/ssl/edge.key"},
    "trusted_proxies": ["10.0.0.0/8", "192.168.1.5", "fd00::/8"],
    "max_connections_per_address": 50,
    "limits": {"questions_per_address_per_hour": 12, "upvotes_per_address_per_minute": 5,
               "messages_per_connection_per_second": 3},
    "redis": {"url": "rediss://[2001:db8::5]", "user": "tribune-edge", "password_secret": "redis",
              "ca_file": "/etc/tribune/redis-ca.pem", "key_prefix": "ville_demo-1"},
    "link_secret_secret": "link",
    "data_retention_hours": 24
  })");
  REQUIRE(describe(result.problems).empty());
  const auto& c = result.config;
  CHECK(c.name == "vps-1.ville-demo");
  CHECK(c.secretsFile == "/etc/tribune/edge-secrets.json");
  CHECK(c.web.address == "::");
  CHECK(c.web.port == 443);
  CHECK(c.web.tlsCertificate == "/etc/ssl/edge.pem");
  CHECK(c.web.tlsKey == "/etc/ssl/edge.key");
  CHECK_FALSE(c.web.tlsOffload);
  REQUIRE(c.trustedProxies.size() == 3);
  CHECK(c.trustedProxies[0].contains("10.9.8.7"));
  CHECK(c.trustedProxies[1].contains("192.168.1.5"));
  CHECK_FALSE(c.trustedProxies[1].contains("192.168.1.6"));
  CHECK(c.trustedProxies[2].contains("fd00::1"));
  CHECK(c.maxConnectionsPerAddress == 50);
  CHECK(c.limits.questionsPerAddress == RateLimit{12, std::chrono::hours{1}});
  CHECK(c.limits.upvotesPerAddress == RateLimit{5, std::chrono::minutes{1}});
  CHECK(c.limits.messagesPerConnection == RateLimit{3, std::chrono::seconds{1}});
  CHECK(c.redis.address == RedisAddress{true, "2001:db8::5", 6379});
  CHECK(c.redis.user == "tribune-edge");
  CHECK(c.redis.password.reveal() == kRedisPassword);
  CHECK(c.redis.caFile == "/etc/tribune/redis-ca.pem");
  CHECK(c.redis.keyPrefix == "ville_demo-1");
  CHECK(c.linkSecret.reveal() == kLinkSecret);
  CHECK(c.dataRetention == std::chrono::hours{24});
}

TEST_CASE("edge.json: a public edge without TLS must say a reverse proxy does it", "[edge_config]") {
  const std::string redisAndSecret = R"("redis": {"url": "rediss://r.internal", "password_env": "REDIS_PASSWORD"},
                                        "link_secret_env": "LINK_SECRET")";
  requireEdgeProblem("{" + redisAndSecret + "}", "web", "un edge est public et doit être servi en HTTPS");
  requireEdgeProblem(R"({"web": {"port": 8443}, )" + redisAndSecret + "}", "web", "tls_offload");
  requireEdgeProblem(R"({"web": {"tls_offload": false}, )" + redisAndSecret + "}", "web",
                     "un edge est public et doit être servi en HTTPS");
  requireEdgeProblem(R"({"web": {"tls_certificate": "c.pem"}, )" + redisAndSecret + "}", "web",
                     "tls_certificate et tls_key vont ensemble");
  requireEdgeProblem(R"({"web": {"tls_key": "k.pem", "tls_offload": true}, )" + redisAndSecret + "}", "web",
                     "tls_certificate et tls_key vont ensemble");
  requireEdgeProblem(
      R"({"web": {"tls_certificate": "c.pem", "tls_key": "k.pem", "tls_offload": true}, )" + redisAndSecret + "}",
      "web.tls_offload", "pas les deux");
  CHECK(parseEdge(R"({"web": {"tls_certificate": "c.pem", "tls_key": "k.pem"}, )" + redisAndSecret + "}").ok());
  // A wrong value among them is reported alone, not as a missing certificate as well.
  requireEdgeProblem(R"({"web": {"tls_offload": 1}, )" + redisAndSecret + "}", "web.tls_offload", "attendu un booléen");
  requireEdgeProblem(R"({"web": {"tls_certificate": "", "tls_key": "k.pem"}, )" + redisAndSecret + "}",
                     "web.tls_certificate", "ne doit pas être vide");
}

TEST_CASE("edge.json: each wrong value of the top level and of web is reported at its path", "[edge_config]") {
  requireEdgeProblem(minimal(R"("name": "edge 1")"), "name", "1 à 64 caractères");
  requireEdgeProblem(minimal(R"("name": ")" + std::string(65, 'e') + R"(")"), "name", "1 à 64 caractères");
  requireEdgeProblem(minimal(R"("name": "")"), "name", "ne doit pas être vide");
  requireEdgeProblem(minimal(R"("max_connections_per_address": 0)"), "max_connections_per_address",
                     "0 hors limites (de 1 à 10000)");
  requireEdgeProblem(minimal(R"("max_connections_per_address": 10001)"), "max_connections_per_address",
                     "10001 hors limites (de 1 à 10000)");
  requireEdgeProblem(minimal(R"("max_connections_per_address": "20")"), "max_connections_per_address",
                     "attendu un nombre entier, reçu une chaîne");
  requireEdgeProblem(minimal(R"("data_retention_hours": 0)"), "data_retention_hours", "hors limites (de 1 à 2160)");
  requireEdgeProblem(minimal(R"("data_retention_hours": 99999999999)"), "data_retention_hours", "hors limites");
  requireEdgeProblem(
      R"({"web": {"tls_offload": "yes"}, "redis": {"url": "rediss://r", "password_env": "REDIS_PASSWORD"},
                        "link_secret_env": "LINK_SECRET"})",
      "web.tls_offload", "attendu un booléen");
  requireEdgeProblem(R"({"web": {"tls_offload": true, "address": "edge.ville-demo.fr"},
                        "redis": {"url": "rediss://r", "password_env": "REDIS_PASSWORD"},
                        "link_secret_env": "LINK_SECRET"})",
                     "web.address", "attendu une adresse IP");
  requireEdgeProblem(R"({"web": {"tls_offload": true, "port": 70000},
                        "redis": {"url": "rediss://r", "password_env": "REDIS_PASSWORD"},
                        "link_secret_env": "LINK_SECRET"})",
                     "web.port", "70000 hors limites (de 1 à 65535)");
  requireEdgeProblem(minimal(R"("limits": {"questions_per_address_per_hour": 0})"),
                     "limits.questions_per_address_per_hour", "hors limites (de 1 à 10000)");
  requireEdgeProblem(minimal(R"("limits": {"upvotes_per_address_per_minute": -1})"),
                     "limits.upvotes_per_address_per_minute", "hors limites");
  requireEdgeProblem(minimal(R"("limits": {"messages_per_connection_per_second": 1001})"),
                     "limits.messages_per_connection_per_second", "hors limites (de 1 à 1000)");
  requireEdgeProblem(minimal(R"("limits": {"questions_per_address_per_minute": 5})"),
                     "limits.questions_per_address_per_minute", "clés connues : questions_per_address_per_hour");
  requireEdgeProblem(minimal(R"("limits": {"questions_per_adress_per_hour": 5})"),
                     "limits.questions_per_adress_per_hour", "vouliez-vous dire « questions_per_address_per_hour »");
  requireEdgeProblem(minimal(R"("limits": [])"), "limits", "attendu un objet, reçu un tableau");
}

TEST_CASE("edge.json: unknown keys are refused", "[edge_config]") {
  requireEdgeProblem(minimal(R"("trusted_proxys": [])"), "trusted_proxys", "vouliez-vous dire « trusted_proxies »");
  requireEdgeProblem(minimal(R"("questions": {})"), "questions", "clé inconnue « questions » ; clés connues :");
  requireEdgeProblem(R"({"web": {"tls_offload": true, "adress": "0.0.0.0"},
                        "redis": {"url": "rediss://r", "password_env": "REDIS_PASSWORD"},
                        "link_secret_env": "LINK_SECRET"})",
                     "web.adress", "vouliez-vous dire « address »");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_env": "REDIS_PASSWORD", "db": 1)"), "redis.db",
                     "clé inconnue");
  const auto notAnObject = parseEdge("[]");
  REQUIRE(notAnObject.problems.size() == 1);
  CHECK(notAnObject.problems[0] == ConfigProblem{"$", "attendu un objet, reçu un tableau"});
}

TEST_CASE("edge.json: trusted proxies are addresses or CIDR ranges", "[edge_config]") {
  requireEdgeProblem(minimal(R"("trusted_proxies": ["10.0.0.0/8", "10.0.0.0/33"])"), "trusted_proxies[1]",
                     "attendu une adresse IP ou une plage CIDR comme « 10.0.0.0/8 »");
  requireEdgeProblem(minimal(R"("trusted_proxies": ["proxy.internal"])"), "trusted_proxies[0]",
                     "reçu « proxy.internal »");
  requireEdgeProblem(minimal(R"("trusted_proxies": [8])"), "trusted_proxies[0]", "attendu une chaîne");
  requireEdgeProblem(minimal(R"("trusted_proxies": "10.0.0.0/8")"), "trusted_proxies", "attendu un tableau");
}

TEST_CASE("edge.json: the Redis address is checked and TLS is required off this host", "[edge_config]") {
  const auto local = parseEdge(withRedis(R"("url": "redis://127.0.0.1", "password_env": "REDIS_PASSWORD")"));
  REQUIRE(describe(local.problems).empty());
  CHECK(local.config.redis.address == RedisAddress{false, "127.0.0.1", 6379});

  requireEdgeProblem(withRedis(R"("url": "redis://redis.internal:6379", "password_env": "REDIS_PASSWORD")"),
                     "redis.url", "utilisez rediss://");
  const auto allowed = parseEdge(
      withRedis(R"("url": "redis://10.0.0.5:6379", "allow_plaintext": true, "password_env": "REDIS_PASSWORD")"));
  REQUIRE(describe(allowed.problems).empty());
  CHECK(allowed.config.redis.address == RedisAddress{false, "10.0.0.5", 6379});
  requireEdgeProblem(
      withRedis(R"("url": "redis://10.0.0.5", "allow_plaintext": false, "password_env": "REDIS_PASSWORD")"),
      "redis.url", "allow_plaintext");

  requireEdgeProblem(withRedis(R"("url": "http://r:6379", "password_env": "REDIS_PASSWORD")"), "redis.url",
                     "doit commencer par rediss:// (TLS) ou redis://");
  requireEdgeProblem(withRedis(R"("url": "rediss://r:6379/0", "password_env": "REDIS_PASSWORD")"), "redis.url",
                     "numéro de base");
  requireEdgeProblem(withRedis(R"("url": "rediss://:secret@r:6379", "password_env": "REDIS_PASSWORD")"), "redis.url",
                     "ni utilisateur ni mot de passe");
  requireEdgeProblem(withRedis(R"("url": "rediss://r:0", "password_env": "REDIS_PASSWORD")"), "redis.url", "port");
  requireEdgeProblem(withRedis(R"("password_env": "REDIS_PASSWORD")"), "redis.url", "obligatoire");
  requireEdgeProblem(withRedis(R"("url": "redis://127.0.0.1", "ca_file": "ca.pem", "password_env": "REDIS_PASSWORD")"),
                     "redis.ca_file", "ne sert qu'avec rediss://");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_env": "REDIS_PASSWORD", "key_prefix": "Tribune")"),
                     "redis.key_prefix", "a-z, 0-9");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_env": "REDIS_PASSWORD", "key_prefix": ")" +
                               std::string(33, 'a') + R"(")"),
                     "redis.key_prefix", "1 à 32");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_env": "REDIS_PASSWORD", "user": "a b")"), "redis.user",
                     "1 à 64");
  requireEdgeProblem(R"({"web": {"tls_offload": true}, "link_secret_env": "LINK_SECRET"})", "redis", "obligatoire");
  requireEdgeProblem(minimal(R"("redis": "rediss://r")"), "redis", "attendu un objet");
}

TEST_CASE("edge.json: the Redis password comes from the environment or the secrets file", "[edge_config]") {
  requireEdgeProblem(withRedis(R"("url": "rediss://r")"), "redis.password_env",
                     "obligatoire : password_env ou password_secret");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password": "hunter22")"), "redis.password",
                     "un secret ne s'écrit pas dans ce fichier");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_env": "REDIS_PASSWORD", "password_secret": "redis")"),
                     "redis", "donnez un seul de password_env et password_secret");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_env": "UNSET")"), "redis.password_env",
                     "la variable d'environnement UNSET n'est pas définie");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_env": "1BAD")"), "redis.password_env",
                     "nom d'une variable d'environnement");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_secret": "nope")"), "redis.password_secret",
                     "pas d'entrée « nope » dans le fichier de secrets");
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_secret": "redis")"), "redis.password_secret",
                     "pas de fichier de secrets", SecretLookup{edgeSecrets().environment, nullptr});
  requireEdgeProblem(withRedis(R"("url": "rediss://r", "password_env": "EMPTY")"), "redis.password_env", "est vide",
                     lookupOf({{"LINK_SECRET", kLinkSecret}, {"EMPTY", ""}}));
}

TEST_CASE("edge.json: the link secret is required, long, and never inline", "[edge_config]") {
  const std::string noSecret =
      R"({"web": {"tls_offload": true}, "redis": {"url": "rediss://r", "password_env": "REDIS_PASSWORD"})";
  requireEdgeProblem(noSecret + "}", "link_secret_env", "obligatoire : link_secret_env ou link_secret_secret");
  requireEdgeProblem(noSecret + R"(, "link_secret": ")" + kLinkSecret + R"("})", "link_secret",
                     "donnez link_secret_env");
  requireEdgeProblem(noSecret + R"(, "link_secret_env": "SHORT"})", "link_secret_env", "32 caractères au moins",
                     lookupOf({{"SHORT", std::string(31, 's')}, {"REDIS_PASSWORD", kRedisPassword}}));
  requireEdgeProblem(noSecret + R"(, "link_secret_env": "LINK_SECRET", "link_secret_secret": "link"})", "$",
                     "donnez un seul de link_secret_env et link_secret_secret");
  CHECK(parseEdge(noSecret + R"(, "link_secret_secret": "link"})").ok());
}

TEST_CASE("edge.json: no message repeats a secret", "[edge_config]") {
  // Pasted where a name was expected, or as a key: scrubbed from every message.
  const std::string pasted = "pasted-link-secret-0123456789abcdef";
  const auto result = parseEdge(minimal(R"("link_secret": ")" + pasted + R"(", ")" + pasted + R"(": 1)"));
  REQUIRE(result.problems.size() >= 2);
  CHECK(describe(result.problems).find(pasted) == std::string::npos);

  const auto redis =
      parseEdge(withRedis(R"("url": "rediss://r", "password_env": "REDIS_PASSWORD", ")" + kRedisPassword + R"(": 1)"));
  REQUIRE(redis.problems.size() == 1);
  CHECK(describe(redis.problems).find(kRedisPassword) == std::string::npos);
}

TEST_CASE("edge.json: every problem is reported, in the file's order", "[edge_config]") {
  const auto result = parseEdge(R"({"name": "a b", "web": {"port": 0}, "max_connections_per_address": 0,
                                    "redis": {"url": "redis://r"}})",
                                lookupOf());
  std::vector<std::string> paths;
  for (const auto& problem : result.problems) paths.push_back(problem.path);
  CHECK(paths == std::vector<std::string>{"name", "web.port", "max_connections_per_address", "redis.password_env",
                                          "redis.url", "link_secret_env", "web"});
}
