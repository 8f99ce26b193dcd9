#include <catch2/catch.hpp>

#include <cctype>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/edge_link.h"
#include "core/secret.h"

using namespace tribune::core;
using Json = nlohmann::json;

namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef-link";
const std::string kOtherSecret = "fedcba9876543210fedcba9876543210-link";
const std::string kHallNonce = "00112233445566778899aabbccddeeff";
const std::string kEdgeNonce = "ffeeddccbbaa99887766554433221100";
const std::string kViewer = "viewer-abcdefghijklmnop123";

// A stand-in for HMAC-SHA256: 64 lowercase hex characters that depend on the key and on
// every character of the message (FNV-1a, four seeds). Not a MAC; enough to tell keys and
// messages apart, which is what the handshake's logic relies on.
std::string fakeMac(const std::string& key, const std::string& message) {
  std::string out;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    std::uint64_t hash = 14695981039346656037ULL ^ seed;
    for (const char c : key + '\0' + message) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(hash >> shift) & 0xf];
  }
  return out;
}

HallHandshake hall(const std::string& secret = kSecret) {
  return HallHandshake(Secret(secret), fakeMac, "seance-2026-03-12T18-30-00");
}
EdgeHandshake edge(const std::string& secret = kSecret) { return EdgeHandshake(Secret(secret), fakeMac, "edge-1"); }

std::string text(const Json& value) { return value.dump(); }

// The edge's reply to a hello with kHallNonce, as the hall receives it.
std::string challenge(const std::string& secret = kSecret) {
  auto side = edge(secret);
  const auto step = side.onHello(text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kHallNonce}}), kEdgeNonce);
  REQUIRE(step.ok);
  return step.reply;
}

// An edge that has answered a hello with kHallNonce.
EdgeHandshake challengedEdge() {
  auto side = edge();
  REQUIRE(side.onHello(text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kHallNonce}}), kEdgeNonce).ok);
  return side;
}

// A hall that has sent its hello with kHallNonce.
HallHandshake helloedHall() {
  auto side = hall();
  REQUIRE(side.hello(kHallNonce).ok);
  return side;
}

void requireFailure(const HandshakeStep& step, const std::string& fragment) {
  INFO(step.failure);
  CHECK_FALSE(step.ok);
  CHECK(step.reply.empty());
  CHECK_THAT(step.failure, Catch::Contains(fragment));
}

}  // namespace

TEST_CASE("constantTimeEquals compares whole strings", "[edge_link][secret]") {
  CHECK(constantTimeEquals("", ""));
  CHECK(constantTimeEquals("abcdef", "abcdef"));
  CHECK_FALSE(constantTimeEquals("abcdef", "abcdeg"));
  CHECK_FALSE(constantTimeEquals("abcdef", "bbcdef"));
  CHECK_FALSE(constantTimeEquals("abcdef", "abcde"));
  CHECK_FALSE(constantTimeEquals("abc", "abcdef"));
  CHECK_FALSE(constantTimeEquals("", "a"));
  CHECK_FALSE(constantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
  CHECK_FALSE(constantTimeEquals("\x80", "\x00"));
}

TEST_CASE("the town hall and an edge holding the same secret complete the handshake", "[edge_link]") {
  auto town = hall();
  auto public_ = edge();

  const auto hello = town.hello(kHallNonce);
  REQUIRE(hello.ok);
  CHECK(Json::parse(hello.reply) == Json({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kHallNonce}}));

  const auto challenged = public_.onHello(hello.reply, kEdgeNonce);
  REQUIRE(challenged.ok);
  CHECK(Json::parse(challenged.reply) ==
        Json({{"type", "link_challenge"},
              {"edge", "edge-1"},
              {"nonce", kEdgeNonce},
              {"proof", fakeMac(kSecret, "tribune-edge|" + kHallNonce + "|" + kEdgeNonce)}}));

  const auto auth = town.onChallenge(challenged.reply);
  REQUIRE(auth.ok);
  CHECK(town.edge() == "edge-1");
  CHECK(Json::parse(auth.reply) ==
        Json({{"type", "link_auth"},
              {"meeting", "seance-2026-03-12T18-30-00"},
              {"proof", fakeMac(kSecret, "tribune-hall|" + kEdgeNonce + "|" + kHallNonce)}}));
  CHECK_FALSE(town.ready());

  const auto ready = public_.onAuth(auth.reply);
  REQUIRE(ready.ok);
  CHECK(public_.ready());
  CHECK(public_.meeting() == "seance-2026-03-12T18-30-00");
  CHECK(Json::parse(ready.reply) == Json({{"type", "link_ready"}}));

  const auto done = town.onReady(ready.reply);
  REQUIRE(done.ok);
  CHECK(done.reply.empty());
  CHECK(town.ready());
}

TEST_CASE("an edge without the secret is refused by the town hall", "[edge_link]") {
  auto town = helloedHall();
  requireFailure(town.onChallenge(challenge(kOtherSecret)), "preuve de l'edge refusée");
  CHECK(town.edge().empty());
  CHECK_FALSE(town.ready());
}

TEST_CASE("a town hall without the secret is refused by the edge", "[edge_link]") {
  auto town = hall(kOtherSecret);
  REQUIRE(town.hello(kHallNonce).ok);
  auto public_ = edge();
  const auto challengeStep =
      public_.onHello(text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kHallNonce}}), kEdgeNonce);
  REQUIRE(challengeStep.ok);
  // The town hall refuses the edge's proof first; an attacker would send its own guess.
  requireFailure(town.onChallenge(challengeStep.reply), "preuve de l'edge refusée");
  const auto guess = fakeMac(kOtherSecret, "tribune-hall|" + kEdgeNonce + "|" + kHallNonce);
  requireFailure(public_.onAuth(text({{"type", "link_auth"}, {"meeting", "seance-1"}, {"proof", guess}})),
                 "preuve de la mairie refusée");
  CHECK_FALSE(public_.ready());
  CHECK(public_.meeting().empty());
}

TEST_CASE("the edge's proof cannot be replayed as the town hall's", "[edge_link]") {
  // A client posing as the town hall gets the edge's proof for its hello and sends it back.
  auto public_ = edge();
  const auto step = public_.onHello(text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kHallNonce}}), kEdgeNonce);
  REQUIRE(step.ok);
  const auto edgeProof = Json::parse(step.reply).at("proof").get<std::string>();
  requireFailure(public_.onAuth(text({{"type", "link_auth"}, {"meeting", "seance-1"}, {"proof", edgeProof}})),
                 "preuve de la mairie refusée");

  // The same with nonces chosen so that, without the direction in the proof, the strings
  // would be equal: a proof recorded as "H1|E1" from an edge, offered for "E2|H2" = "H1|E1".
  auto second = edge();
  REQUIRE(second.onHello(text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kEdgeNonce}}), kHallNonce).ok);
  const auto recorded = fakeMac(kSecret, edgeProofMessage(kHallNonce, kEdgeNonce));
  requireFailure(second.onAuth(text({{"type", "link_auth"}, {"meeting", "seance-1"}, {"proof", recorded}})),
                 "preuve de la mairie refusée");
}

TEST_CASE("the town hall's proof cannot be replayed as an edge's", "[edge_link]") {
  // A fake edge recorded a town hall's link_auth proof, "tribune-hall|E1|H1"; in a later
  // connection the town hall's nonce is E1 and the fake edge offers H1 with that proof.
  const auto recorded = fakeMac(kSecret, hallProofMessage(kEdgeNonce, kHallNonce));
  auto town = hall();
  REQUIRE(town.hello(kEdgeNonce).ok);
  requireFailure(town.onChallenge(text(
                     {{"type", "link_challenge"}, {"edge", "edge-1"}, {"nonce", kHallNonce}, {"proof", recorded}})),
                 "preuve de l'edge refusée");
  CHECK(edgeProofMessage(kHallNonce, kEdgeNonce) != hallProofMessage(kHallNonce, kEdgeNonce));
}

TEST_CASE("a nonce sent back as the other side's is refused", "[edge_link]") {
  auto town = helloedHall();
  requireFailure(town.onChallenge(text({{"type", "link_challenge"},
                                        {"edge", "edge-1"},
                                        {"nonce", kHallNonce},
                                        {"proof", fakeMac(kSecret, edgeProofMessage(kHallNonce, kHallNonce))}})),
                 "identique");
  auto public_ = edge();
  requireFailure(public_.onHello(text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kEdgeNonce}}), kEdgeNonce),
                 "identique");
}

TEST_CASE("the edge refuses a hello of another protocol version", "[edge_link]") {
  for (const Json& version : {Json(2), Json(0), Json(-1), Json(99999999999ULL)}) {
    INFO(version.dump());
    auto public_ = edge();
    requireFailure(
        public_.onHello(text({{"type", "link_hello"}, {"protocol", version}, {"nonce", kHallNonce}}), kEdgeNonce),
        "version du protocole du lien non prise en charge : " + version.dump());
  }
  for (const Json& notANumber : {Json("1"), Json(1.0), Json(nullptr), Json::array({1})}) {
    INFO(notANumber.dump());
    auto public_ = edge();
    requireFailure(
        public_.onHello(text({{"type", "link_hello"}, {"protocol", notANumber}, {"nonce", kHallNonce}}), kEdgeNonce),
        "« protocol » doit être un entier");
  }
}

TEST_CASE("nonces must be 32 lowercase hex characters", "[edge_link]") {
  CHECK(isLinkNonce(kHallNonce));
  for (const std::string bad : {"", "0011", "00112233445566778899AABBCCDDEEFF", "00112233445566778899aabbccddeefg",
                                "00112233445566778899aabbccddeeff0", " 0112233445566778899aabbccddeeff"}) {
    INFO(bad);
    CHECK_FALSE(isLinkNonce(bad));
    auto public_ = edge();
    requireFailure(public_.onHello(text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", bad}}), kEdgeNonce),
                   "« nonce » de la mairie invalide");
    auto town = helloedHall();
    requireFailure(town.onChallenge(text({{"type", "link_challenge"},
                                          {"edge", "edge-1"},
                                          {"nonce", bad},
                                          {"proof", fakeMac(kSecret, edgeProofMessage(kHallNonce, bad))}})),
                   "« nonce » de l'edge invalide");
  }
  requireFailure(hall().hello("not-hex"), "nonce de la mairie invalide");
  requireFailure(edge().onHello(text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kHallNonce}}), "XYZ"),
                 "nonce de l'edge invalide");
}

TEST_CASE("malformed handshake messages are refused with their reason", "[edge_link]") {
  const auto hello = [](const std::string& message) { return edge().onHello(message, kEdgeNonce); };
  requireFailure(hello("not json"), "JSON invalide à l'octet");
  requireFailure(hello("[1,2]"), "objet JSON");
  requireFailure(hello(R"({"protocol":1,"nonce":")" + kHallNonce + R"("})"), "membre « type » manquant");
  requireFailure(hello(R"({"type":7,"protocol":1,"nonce":")" + kHallNonce + R"("})"), "membre « type » manquant");
  requireFailure(hello(R"({"type":"link_hello","protocol":1})"), "membre « nonce » manquant dans « link_hello »");
  requireFailure(hello(R"({"type":"link_hello","nonce":")" + kHallNonce + R"("})"), "membre « protocol » manquant");
  requireFailure(hello(R"({"type":"link_hello","protocol":1,"nonce":")" + kHallNonce + R"(","x":1})"),
                 "membre inconnu « x » dans « link_hello »");
  requireFailure(hello(R"({"type":"link_hello","protocol":1,"nonce":5})"), "« nonce » de la mairie invalide");
  requireFailure(hello(std::string(kMaxHandshakeBytes + 1, ' ')), "message trop long");
  requireFailure(hello(std::string(100, '[') + std::string(100, ']')), "JSON trop imbriqué");

  const auto onChallenge = [](const Json& message) { return helloedHall().onChallenge(text(message)); };
  const auto proof = fakeMac(kSecret, edgeProofMessage(kHallNonce, kEdgeNonce));
  requireFailure(
      onChallenge({{"type", "link_challenge"}, {"edge", "bad name!"}, {"nonce", kEdgeNonce}, {"proof", proof}}),
      "« edge » invalide");
  requireFailure(onChallenge({{"type", "link_challenge"}, {"edge", ""}, {"nonce", kEdgeNonce}, {"proof", proof}}),
                 "« edge » invalide");
  requireFailure(onChallenge({{"type", "link_challenge"}, {"edge", "edge-1"}, {"nonce", kEdgeNonce}, {"proof", 1}}),
                 "« proof » doit être une chaîne");
  requireFailure(onChallenge({{"type", "link_challenge"}, {"edge", "edge-1"}, {"nonce", kEdgeNonce}}),
                 "membre « proof » manquant");
  // A proof of the right length but in capitals is another proof.
  auto upper = proof;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  requireFailure(onChallenge({{"type", "link_challenge"}, {"edge", "edge-1"}, {"nonce", kEdgeNonce}, {"proof", upper}}),
                 "preuve de l'edge refusée");

  const auto onAuth = [](const Json& message) { return challengedEdge().onAuth(text(message)); };
  const auto hallProof = fakeMac(kSecret, hallProofMessage(kEdgeNonce, kHallNonce));
  requireFailure(onAuth({{"type", "link_auth"}, {"meeting", "séance"}, {"proof", hallProof}}), "« meeting » invalide");
  requireFailure(onAuth({{"type", "link_auth"}, {"meeting", std::string(65, 'a')}, {"proof", hallProof}}),
                 "« meeting » invalide");
  requireFailure(onAuth({{"type", "link_auth"}, {"meeting", "seance-1"}, {"proof", ""}}),
                 "preuve de la mairie refusée");
  requireFailure(onAuth({{"type", "link_auth"}, {"meeting", "seance-1"}}), "membre « proof » manquant");
  CHECK(onAuth({{"type", "link_auth"}, {"meeting", "seance-1"}, {"proof", hallProof}}).ok);

  requireFailure(helloedHall().onChallenge("{"), "JSON invalide");
  auto town = hall();
  REQUIRE(town.hello(kHallNonce).ok);
  REQUIRE(town.onChallenge(challenge()).ok);
  requireFailure(town.onReady(R"({"type":"link_ready","extra":true})"), "membre inconnu « extra »");
}

TEST_CASE("a handshake message out of order fails the handshake", "[edge_link]") {
  const auto hello = text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kHallNonce}});
  const auto auth = text({{"type", "link_auth"},
                          {"meeting", "seance-1"},
                          {"proof", fakeMac(kSecret, hallProofMessage(kEdgeNonce, kHallNonce))}});

  // The edge: link_auth first, or instead of the hello, or the hello twice.
  requireFailure(edge().onAuth(auth), "link_auth reçu avant link_hello");
  requireFailure(edge().onHello(auth, kEdgeNonce), "« link_auth » reçu, « link_hello » attendu");
  auto twice = challengedEdge();
  requireFailure(twice.onHello(hello, kEdgeNonce), "link_hello reçu une seconde fois");
  requireFailure(twice.onAuth(auth), "déjà échoué");  // a failed handshake stays failed
  auto done = challengedEdge();
  REQUIRE(done.onAuth(auth).ok);
  requireFailure(done.onAuth(auth), "link_auth reçu une seconde fois");
  auto swapped = challengedEdge();
  requireFailure(swapped.onAuth(R"({"type":"link_ready"})"), "« link_ready » reçu, « link_auth » attendu");

  // The town hall: a challenge before its hello, link_ready before the challenge, twice.
  requireFailure(hall().onChallenge(challenge()), "link_challenge reçu avant l'envoi de link_hello");
  requireFailure(helloedHall().onReady(R"({"type":"link_ready"})"), "link_ready reçu avant link_challenge");
  requireFailure(helloedHall().onChallenge(R"({"type":"link_ready"})"),
                 "« link_ready » reçu, « link_challenge » attendu");
  auto town = helloedHall();
  requireFailure(town.hello(kHallNonce), "link_hello déjà envoyé");
  requireFailure(town.onChallenge(challenge()), "déjà échoué");
  auto ready = helloedHall();
  REQUIRE(ready.onChallenge(challenge()).ok);
  requireFailure(ready.onChallenge(challenge()), "link_challenge reçu une seconde fois");
  auto readyTwice = helloedHall();
  REQUIRE(readyTwice.onChallenge(challenge()).ok);
  REQUIRE(readyTwice.onReady(R"({"type":"link_ready"})").ok);
  requireFailure(readyTwice.onReady(R"({"type":"link_ready"})"), "link_ready reçu une seconde fois");
}

TEST_CASE("a handshake refuses to start without a usable secret or name", "[edge_link]") {
  requireFailure(hall("too-short").hello(kHallNonce), "secret du lien absent ou trop court");
  requireFailure(HallHandshake(Secret(kSecret), nullptr, "seance-1").hello(kHallNonce), "secret du lien");
  requireFailure(HallHandshake(Secret(kSecret), fakeMac, "séance 1").hello(kHallNonce),
                 "identifiant de séance invalide");
  const auto hello = text({{"type", "link_hello"}, {"protocol", 1}, {"nonce", kHallNonce}});
  requireFailure(edge("").onHello(hello, kEdgeNonce), "secret du lien absent ou trop court");
  requireFailure(EdgeHandshake(Secret(kSecret), fakeMac, "edge 1").onHello(hello, kEdgeNonce),
                 "nom de l'edge invalide");
}

TEST_CASE("no failure repeats the secret", "[edge_link]") {
  auto town = helloedHall();
  const auto step = town.onChallenge(challenge(kOtherSecret));
  CHECK(step.failure.find(kSecret) == std::string::npos);
  CHECK(step.failure.find(kOtherSecret) == std::string::npos);
}

TEST_CASE("edge names and meeting ids on the link", "[edge_link]") {
  CHECK(isLinkName("edge-1"));
  CHECK(isLinkName("vps.ville-demo.fr"));
  CHECK(isLinkName("seance-2026-03-12T18-30-00"));
  CHECK(isLinkName(std::string(64, 'a')));
  CHECK_FALSE(isLinkName(""));
  CHECK_FALSE(isLinkName(std::string(65, 'a')));
  CHECK_FALSE(isLinkName("edge 1"));
  CHECK_FALSE(isLinkName("edge:1"));
  CHECK_FALSE(isLinkName("édge"));
}

// --- the edge's address -----------------------------------------------------------------

TEST_CASE("an edge URL is parsed with its defaults", "[edge_link][url]") {
  auto plain = parseEdgeUrl("wss://edge.ville-demo.fr");
  REQUIRE(plain.address);
  CHECK(*plain.address == EdgeAddress{true, "edge.ville-demo.fr", 443, "/ws"});
  CHECK(plain.address->text() == "wss://edge.ville-demo.fr/ws");

  auto full = parseEdgeUrl("WSS://Edge.Ville-Demo.fr:8443/tribune/link");
  REQUIRE(full.address);
  CHECK(*full.address == EdgeAddress{true, "edge.ville-demo.fr", 8443, "/tribune/link"});
  CHECK(full.address->text() == "wss://edge.ville-demo.fr:8443/tribune/link");

  auto v6 = parseEdgeUrl("wss://[2001:db8::1]:9443");
  REQUIRE(v6.address);
  CHECK(*v6.address == EdgeAddress{true, "2001:db8::1", 9443, "/ws"});
  CHECK(v6.address->text() == "wss://[2001:db8::1]:9443/ws");

  auto local = parseEdgeUrl("ws://127.0.0.1:8081/ws");
  REQUIRE(local.address);
  CHECK(*local.address == EdgeAddress{false, "127.0.0.1", 8081, "/ws"});
  CHECK(parseEdgeUrl("ws://localhost").address->port == 80);
  CHECK(parseEdgeUrl("ws://[::1]:9000").address);
  CHECK(parseEdgeUrl("wss://203.0.113.7").address);
}

TEST_CASE("an unencrypted link to another host is refused in French", "[edge_link][url]") {
  for (const char* url : {"ws://edge.ville-demo.fr", "ws://203.0.113.7:8080/ws", "ws://[2001:db8::1]", "ws://0.0.0.0",
                          "ws://localhost.ville-demo.fr"}) {
    INFO(url);
    const auto parsed = parseEdgeUrl(url);
    CHECK_FALSE(parsed.address);
    CHECK_THAT(parsed.error, Catch::Contains("le lien vers l'edge doit être chiffré"));
  }
}

TEST_CASE("a malformed edge URL is refused with what is wrong", "[edge_link][url]") {
  const auto error = [](const char* url) {
    const auto parsed = parseEdgeUrl(url);
    CHECK_FALSE(parsed.address);
    return parsed.error;
  };
  CHECK_THAT(error("https://edge.ville-demo.fr"), Catch::Contains("wss://"));
  CHECK_THAT(error("edge.ville-demo.fr"), Catch::Contains("schéma://serveur"));
  CHECK_THAT(error("wss://"), Catch::Contains("il manque le serveur"));
  CHECK_THAT(error("wss://:443/ws"), Catch::Contains("il manque le serveur"));
  CHECK_THAT(error("wss://edge.ville-demo.fr:0"), Catch::Contains("port"));
  CHECK_THAT(error("wss://edge.ville-demo.fr:65536"), Catch::Contains("port"));
  CHECK_THAT(error("wss://edge.ville-demo.fr:"), Catch::Contains("port"));
  CHECK_THAT(error("wss://edge.ville-demo.fr:44a"), Catch::Contains("port"));
  CHECK_THAT(error("wss://user:pass@edge.ville-demo.fr"), Catch::Contains("ni utilisateur ni mot de passe"));
  CHECK_THAT(error("wss://edge.ville-demo.fr/ws?token=1"), Catch::Contains("requête"));
  CHECK_THAT(error("wss://edge.ville-demo.fr/w s"), Catch::Contains("espace"));
  CHECK_THAT(error("wss://edge_1.ville-demo.fr"), Catch::Contains("nom de machine"));
  CHECK_THAT(error("wss://-edge.fr"), Catch::Contains("nom de machine"));
  CHECK_THAT(error("wss://999.1.1.1"), Catch::Contains("nom de machine"));
  CHECK_THAT(error("wss://2001:db8::1"), Catch::Contains("crochets"));
  CHECK_THAT(error("wss://[2001:db8::1"), Catch::Contains("crochets"));
  CHECK_THAT(error("wss://[edge]"), Catch::Contains("IPv6"));
  CHECK_THAT(error("wss://[::1]x"), Catch::Contains(":port"));
}

// --- the messages after the handshake -----------------------------------------------------

TEST_CASE("each link message built is parsed back to the same values", "[edge_link][messages]") {
  const Json hello = {{"type", "event"}, {"seq", 4}};
  auto publish = parseLinkMessage(linkPublish(42, hello, kViewer), 1 << 16);
  REQUIRE(publish.ok());
  const auto& p = std::get<LinkPublish>(*publish.message);
  CHECK(p.seq == 42);
  CHECK(p.to == kViewer);
  CHECK(p.message == hello);
  CHECK(isFromHall(*publish.message));

  auto toAll = parseLinkMessage(linkPublish(43, hello), 1 << 16);
  REQUIRE(toAll.ok());
  CHECK_FALSE(std::get<LinkPublish>(*toAll.message).to);

  const Json snapshot = {{"state", "seance"}, {"agenda", Json::array({{{"number", 1}}})}};
  const Json personal = {{kViewer, Json::array({{{"id", 3}, {"status", "approved"}}})}};
  auto full = parseLinkMessage(linkFull(7, "seance-1", snapshot, personal), 1 << 16);
  REQUIRE(full.ok());
  const auto& f = std::get<LinkFull>(*full.message);
  CHECK(f.seq == 7);
  CHECK(f.meeting == "seance-1");
  CHECK(f.snapshot == snapshot);
  CHECK(f.personal == personal);

  auto state = parseLinkMessage(linkState(8, snapshot), 1 << 16);
  REQUIRE(state.ok());
  CHECK(std::get<LinkState>(*state.message).seq == 8);
  CHECK(std::get<LinkState>(*state.message).snapshot == snapshot);

  auto logged = parseLinkMessage(linkLogged("1700000000000-3", {{"code", 0}}), 1 << 16);
  REQUIRE(logged.ok());
  CHECK(std::get<LinkLogged>(*logged.message).ticket == "1700000000000-3");
  CHECK(std::get<LinkLogged>(*logged.message).result == Json({{"code", 0}}));

  auto forward =
      parseLinkMessage(linkForward("1700000000000-0", ForwardKind::upvote, kViewer, {{"question", 3}}), 1 << 16);
  REQUIRE(forward.ok());
  const auto& w = std::get<LinkForward>(*forward.message);
  CHECK(w.ticket == "1700000000000-0");
  CHECK(w.kind == ForwardKind::upvote);
  CHECK(w.viewer == kViewer);
  CHECK(w.params == Json({{"question", 3}}));
  CHECK_FALSE(isFromHall(*forward.message));
  auto ask = parseLinkMessage(linkForward("1-0", ForwardKind::ask, kViewer, {{"text", "Pourquoi ?"}}), 1 << 16);
  REQUIRE(ask.ok());
  CHECK(std::get<LinkForward>(*ask.message).kind == ForwardKind::ask);
}

TEST_CASE("stream tickets are digits, a dash and digits", "[edge_link][messages]") {
  CHECK(isStreamTicket("1700000000000-0"));
  CHECK(isStreamTicket("0-1"));
  for (const char* bad :
       {"", "-", "1-", "-1", "1", "1-2-3", "a-1", "1-b", " 1-1", "1-1 ", "+1-1", "123456789012345678901-0"}) {
    INFO(bad);
    CHECK_FALSE(isStreamTicket(bad));
  }
}

namespace {

void requireRefused(const std::string& message, const std::string& member, const std::string& fragment) {
  const auto parsed = parseLinkMessage(message, 1 << 16);
  INFO(message);
  INFO(parsed.error);
  CHECK_FALSE(parsed.ok());
  CHECK(parsed.member == member);
  CHECK_THAT(parsed.error, Catch::Contains(fragment));
}

}  // namespace

TEST_CASE("a bad link message is refused naming the member at fault", "[edge_link][messages]") {
  const std::string viewer = "\"" + kViewer + "\"";
  requireRefused("nope", "", "JSON invalide");
  requireRefused("[]", "", "objet JSON");
  requireRefused(R"({"seq":1})", "type", "membre « type » manquant");
  requireRefused(R"({"type":"link_hello"})", "type", "type de message du lien inconnu « link_hello »");
  requireRefused(R"({"type":"publish","seq":1,"message":{},"extra":1})", "extra",
                 "membre inconnu « extra » dans « publish »");

  requireRefused(R"({"type":"publish","message":{}})", "seq", "membre « seq » manquant (message « publish »)");
  requireRefused(R"({"type":"publish","seq":-1,"message":{}})", "seq", "« seq » doit être un entier positif");
  requireRefused(R"({"type":"publish","seq":"1","message":{}})", "seq", "« seq » doit être un entier positif");
  requireRefused(R"({"type":"publish","seq":1.5,"message":{}})", "seq", "« seq » doit être un entier positif");
  requireRefused(R"({"type":"publish","seq":1})", "message", "membre « message » manquant");
  requireRefused(R"({"type":"publish","seq":1,"message":[]})", "message", "« message » doit être un objet JSON");
  requireRefused(R"({"type":"publish","seq":1,"to":"short","message":{}})", "to", "identifiant de navigateur");
  requireRefused(R"({"type":"publish","seq":1,"to":null,"message":{}})", "to", "identifiant de navigateur");

  requireRefused(R"({"type":"full","seq":1,"snapshot":{},"personal":{}})", "meeting", "membre « meeting » manquant");
  requireRefused(R"({"type":"full","seq":1,"meeting":"a b","snapshot":{},"personal":{}})", "meeting",
                 "identifiant de la séance");
  requireRefused(R"({"type":"full","seq":1,"meeting":"s","snapshot":"x","personal":{}})", "snapshot", "objet JSON");
  requireRefused(R"({"type":"full","seq":1,"meeting":"s","snapshot":{},"personal":[]})", "personal", "objet JSON");
  requireRefused(R"({"type":"full","seq":1,"meeting":"s","snapshot":{},"personal":{"bad":[]}})", "personal.bad",
                 "chaque clé de « personal »");
  requireRefused(R"({"type":"full","seq":1,"meeting":"s","snapshot":{},"personal":{)" + viewer + R"(:{}}})",
                 "personal." + kViewer, "doit être un tableau JSON");

  requireRefused(R"({"type":"state","seq":1})", "snapshot", "membre « snapshot » manquant");

  requireRefused(R"({"type":"logged","ticket":"abc","result":{}})", "ticket", "flux Redis");
  requireRefused(R"({"type":"logged","ticket":17,"result":{}})", "ticket", "flux Redis");
  requireRefused(R"({"type":"logged","ticket":"1-0"})", "result", "membre « result » manquant");

  const auto forward = [&viewer](const std::string& members) { return R"({"type":"forward",)" + members + "}"; };
  requireRefused(forward(R"("ticket":"1-0","kind":"vote","viewer":)" + viewer + R"(,"params":{})"), "kind",
                 "« ask » ou « upvote »");
  requireRefused(forward(R"("ticket":"1-0","viewer":)" + viewer + R"(,"params":{})"), "kind",
                 "membre « kind » manquant");
  requireRefused(forward(R"("ticket":"1-0","kind":"ask","viewer":"tooshort","params":{})"), "viewer",
                 "identifiant de navigateur");
  requireRefused(forward(R"("ticket":"1-0","kind":"ask","params":{})"), "viewer", "membre « viewer » manquant");
  requireRefused(forward(R"("ticket":"1_0","kind":"ask","viewer":)" + viewer + R"(,"params":{})"), "ticket",
                 "flux Redis");
  requireRefused(forward(R"("ticket":"1-0","kind":"ask","viewer":)" + viewer + R"(,"params":"x")"), "params",
                 "objet JSON");
  // The first fault is the one reported.
  requireRefused(forward(R"("ticket":"x","kind":"x","viewer":"x","params":1)"), "ticket", "flux Redis");
}

TEST_CASE("a link message too long or too deep is refused before it is read", "[edge_link][messages]") {
  const auto message = linkState(1, {{"text", std::string(200, 'a')}});
  CHECK(parseLinkMessage(message, message.size()).ok());
  const auto tooLong = parseLinkMessage(message, message.size() - 1);
  CHECK_FALSE(tooLong.ok());
  CHECK_THAT(tooLong.error, Catch::Contains("message trop long"));

  std::string deep = R"({"type":"state","seq":1,"snapshot":)";
  for (int i = 0; i < 40; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 40; ++i) deep += "}";
  deep += "}";
  const auto tooDeep = parseLinkMessage(deep, 1 << 16);
  CHECK_FALSE(tooDeep.ok());
  CHECK_THAT(tooDeep.error, Catch::Contains("JSON trop imbriqué"));
}

TEST_CASE("building a link message never throws on invalid UTF-8", "[edge_link][messages]") {
  const auto message = linkPublish(1, {{"text", std::string("caf\xC3", 4)}});
  CHECK(parseLinkMessage(message, 1 << 16).ok());
}
