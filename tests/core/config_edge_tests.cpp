#include <catch2/catch.hpp>

#include "config_test_helpers.h"

using namespace tribune::core;
using namespace tribune::core::testing;

namespace {

const std::string kLinkSecret = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

SecretLookup linkSecrets() { return lookupOf({{"EDGE_SECRET", kLinkSecret}}, {{"edge", kLinkSecret}}); }

// An edge section with the link secret from the environment and `members` added.
std::string edgeWith(const std::string& members) {
  return R"({"edge": {"secret_env": "EDGE_SECRET")" + (members.empty() ? "" : ", " + members) + "}}";
}

}  // namespace

TEST_CASE("without an edge section there is no edge", "[config][edge]") {
  const auto result = parse("{}");
  REQUIRE(result.ok());
  CHECK_FALSE(result.config.edge);
}

TEST_CASE("edge: one URL, the link secret and the defaults", "[config][edge]") {
  const auto result = parse(edgeWith(R"("url": "wss://edge.ville-demo.fr")"), linkSecrets());
  REQUIRE(describe(result.problems).empty());
  REQUIRE(result.config.edge);
  const auto& edge = *result.config.edge;
  REQUIRE(edge.urls.size() == 1);
  CHECK(edge.urls[0] == EdgeAddress{true, "edge.ville-demo.fr", 443, "/ws"});
  CHECK_FALSE(edge.caFile);
  CHECK(edge.secret.reveal() == kLinkSecret);
  CHECK(edge.reconnectMin == std::chrono::seconds{1});
  CHECK(edge.reconnectMax == std::chrono::seconds{30});
}

TEST_CASE("edge: several URLs, a CA file, the secret from the secrets file, the reconnection", "[config][edge]") {
  const auto result = parse(R"({"edge": {"url": ["wss://a.ville-demo.fr:8443/link", "ws://127.0.0.1:9000"],
                                           "ca_file": "ca.pem", "secret_secret": "edge",
                                           "reconnect_min_s": 2, "reconnect_max_s": 2}})",
                            linkSecrets());
  REQUIRE(describe(result.problems).empty());
  const auto& edge = *result.config.edge;
  REQUIRE(edge.urls.size() == 2);
  CHECK(edge.urls[0] == EdgeAddress{true, "a.ville-demo.fr", 8443, "/link"});
  CHECK(edge.urls[1] == EdgeAddress{false, "127.0.0.1", 9000, "/ws"});
  CHECK(edge.caFile == "ca.pem");
  CHECK(edge.secret.reveal() == kLinkSecret);
  CHECK(edge.reconnectMin == std::chrono::seconds{2});
  CHECK(edge.reconnectMax == std::chrono::seconds{2});
}

TEST_CASE("edge: an unencrypted link to another host is refused in French", "[config][edge]") {
  requireSingleProblem(edgeWith(R"("url": "ws://edge.ville-demo.fr")"), "edge.url",
                       "le lien vers l'edge doit être chiffré", linkSecrets());
  requireSingleProblem(edgeWith(R"("url": ["wss://a.ville-demo.fr", "ws://b.ville-demo.fr"])"), "edge.url[1]",
                       "le lien vers l'edge doit être chiffré", linkSecrets());
}

TEST_CASE("edge: each wrong URL is reported at its path", "[config][edge]") {
  const auto secrets = linkSecrets();
  requireSingleProblem(edgeWith(""), "edge.url", "obligatoire", secrets);
  requireSingleProblem(edgeWith(R"("url": [])"), "edge.url", "ne doit pas être vide", secrets);
  requireSingleProblem(edgeWith(R"("url": 443)"), "edge.url", "attendu une chaîne", secrets);
  requireSingleProblem(edgeWith(R"("url": ["wss://a.fr", 5])"), "edge.url[1]", "attendu une chaîne", secrets);
  requireSingleProblem(edgeWith(R"("url": "https://edge.ville-demo.fr")"), "edge.url", "doit commencer par wss://",
                       secrets);
  requireSingleProblem(edgeWith(R"("url": "wss://edge.ville-demo.fr:99999")"), "edge.url", "port", secrets);
  requireSingleProblem(edgeWith(R"("url": ["wss://a.fr", "wss://a.fr/ws"])"), "edge.url[1]", "deux fois", secrets);
}

TEST_CASE("edge: the link secret comes from the environment or the secrets file, never inline", "[config][edge]") {
  requireSingleProblem(R"({"edge": {"url": "wss://a.fr"}})", "edge", "obligatoire : secret_env ou secret_secret");
  requireSingleProblem(R"({"edge": {"url": "wss://a.fr", "secret": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"}})",
                       "edge.secret", "secret_env");
  requireSingleProblem(R"({"edge": {"url": "wss://a.fr", "secret_env": "EDGE_SECRET", "secret_secret": "edge"}})",
                       "edge", "donnez un seul de secret_env et secret_secret", linkSecrets());
  requireSingleProblem(R"({"edge": {"url": "wss://a.fr", "secret_env": "NOT_SET"}})", "edge.secret_env",
                       "la variable d'environnement NOT_SET n'est pas définie");
  requireSingleProblem(R"({"edge": {"url": "wss://a.fr", "secret_secret": "missing"}})", "edge.secret_secret",
                       "pas d'entrée « missing » dans le fichier de secrets", lookupOf({}, {}));
  requireSingleProblem(R"({"edge": {"url": "wss://a.fr", "secret_env": "SHORT"}})", "edge.secret_env",
                       "32 caractères au moins", lookupOf({{"SHORT", std::string(31, 'x')}}));
  CHECK(parse(R"({"edge": {"url": "wss://a.fr", "secret_env": "JUST"}})", lookupOf({{"JUST", std::string(32, 'x')}}))
            .ok());
}

TEST_CASE("edge: no message repeats the link secret", "[config][edge]") {
  // Pasted as a key's name too: an unknown key is named in its message unless scrubbed.
  const std::string inline_ = "inline-secret-0123456789abcdef";
  const auto result =
      parse(R"({"edge": {"url": "wss://a.fr", "secret": ")" + inline_ + R"(", ")" + inline_ + R"(": 1}})");
  REQUIRE(result.problems.size() == 2);
  CHECK(describe(result.problems).find(inline_) == std::string::npos);

  const std::string shortSecret = "short-secret-value";
  const auto tooShort = parse(R"({"edge": {"url": "wss://a.fr", "secret_env": "S", ")" + shortSecret + R"(": 1}})",
                              lookupOf({{"S", shortSecret}}));
  REQUIRE(tooShort.problems.size() == 2);
  CHECK(describe(tooShort.problems).find(shortSecret) == std::string::npos);
}

TEST_CASE("edge: the reconnection delays are positive and in order", "[config][edge]") {
  const auto secrets = linkSecrets();
  requireSingleProblem(edgeWith(R"("url": "wss://a.fr", "reconnect_min_s": 0)"), "edge.reconnect_min_s",
                       "0 hors limites (de 1 à 3600)", secrets);
  requireSingleProblem(edgeWith(R"("url": "wss://a.fr", "reconnect_max_s": -3)"), "edge.reconnect_max_s",
                       "-3 hors limites (de 1 à 3600)", secrets);
  requireSingleProblem(edgeWith(R"("url": "wss://a.fr", "reconnect_min_s": 1.5)"), "edge.reconnect_min_s",
                       "attendu un nombre entier", secrets);
  requireSingleProblem(edgeWith(R"("url": "wss://a.fr", "reconnect_min_s": 10, "reconnect_max_s": 5)"),
                       "edge.reconnect_max_s", "doit valoir au moins reconnect_min_s (10)", secrets);
  // Only the first delay given, longer than the default ceiling: the ceiling follows it.
  const auto raised = parse(edgeWith(R"("url": "wss://a.fr", "reconnect_min_s": 60)"), secrets);
  REQUIRE(raised.ok());
  CHECK(raised.config.edge->reconnectMax == std::chrono::seconds{60});
  CHECK(parse(edgeWith(R"("url": "wss://a.fr", "reconnect_min_s": 5, "reconnect_max_s": 3600)"), secrets).ok());
}

TEST_CASE("edge: unknown keys and a section that is no object are refused", "[config][edge]") {
  requireSingleProblem(edgeWith(R"("url": "wss://a.fr", "urls": ["wss://b.fr"])"), "edge.urls",
                       "clé inconnue « urls » (vouliez-vous dire « url » ?)", linkSecrets());
  requireSingleProblem(edgeWith(R"("url": "wss://a.fr", "tls_offload": true)"), "edge.tls_offload", "clé inconnue",
                       linkSecrets());
  requireSingleProblem(R"({"edge": "wss://a.fr"})", "edge", "attendu un objet, reçu une chaîne");
  requireSingleProblem(R"({"edges": {}})", "edges", "vouliez-vous dire « edge »");
}
