// The public edge (issue 22; docs/EDGE.md), end to end: a real redis-server with TLS and an
// ACL user, real `tribune edge` processes, the town hall's real `tribune run` connecting out
// to them, and viewers' websockets on the edges.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <thread>

#include "edge_app_support.h"
#include "support/tcp_proxy.h"

using namespace tribune::testing;

namespace {

// A viewer on an edge: the welcome comes once the edge has the town hall's snapshot. Over
// plain websockets (an edge behind a TLS proxy) or WSS trusting `certificate`.
template <class Client>
struct BasicEdgeViewer {
  template <class... Args>
  explicit BasicEdgeViewer(Args&&... args) : ws(std::forward<Args>(args)...) {}
  Client ws;
  Json next(std::chrono::milliseconds timeout) {
    const auto received = ws.receive(timeout);
    if (!received.ok) throw std::runtime_error("no message: " + received.error);
    return Json::parse(received.text);
  }
  std::string viewer;
  std::uint64_t seq = 0;
  Json welcome;
  std::vector<Json> seen;  // every message read after the welcome

  Json hello(int port, std::optional<std::string> id = {}, std::optional<std::uint64_t> since = {}) {
    if (!ws.connect(port)) throw std::runtime_error("cannot connect to the edge: " + ws.lastError());
    Json hello{{"type", "hello"}};
    if (id) hello["viewer"] = *id;
    if (since) hello["since"] = *since;
    ws.send(hello.dump());
    while (true) {
      auto message = next(20s);
      if (message["type"] == "edge_status") continue;
      welcome = message;
      break;
    }
    if (welcome["type"] != "welcome") throw std::runtime_error("no welcome: " + welcome.dump());
    viewer = welcome.value("viewer", "");
    seq = welcome.value("seq", std::uint64_t{0});
    return welcome;
  }
  // The next message accepted by `match`, keeping the seq up to date.
  Json waitFor(const std::function<bool(const Json&)>& match, std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto message =
          next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (message.contains("seq") && message["seq"].is_number_unsigned()) {
        seq = std::max(seq, message["seq"].template get<std::uint64_t>());
      }
      seen.push_back(message);
      if (match(message)) return message;
    }
    throw std::runtime_error("not seen in time");
  }
  // Asks; the edge's answer is "reçue" with a ticket.
  std::string ask(int id, const std::string& text) {
    ws.send(Json{{"type", "question.ask"}, {"id", id}, {"text", text}}.dump());
    const auto result = waitFor([&](const Json& m) { return m["type"] == "result" && m.value("id", -1) == id; });
    if (result["status"] != "ok") throw std::runtime_error("not received: " + result.dump());
    CHECK(result["data"]["received"] == true);
    return result["data"]["ticket"].template get<std::string>();
  }
  // "transmise": the town hall logged it; the question's id.
  std::uint64_t logged(const std::string& ticket) {
    const auto message =
        waitFor([&](const Json& m) { return m["type"] == "question_logged" && m["ticket"] == ticket; });
    if (message["status"] != "ok") throw std::runtime_error("refused: " + message.dump());
    return message["data"]["question"].template get<std::uint64_t>();
  }
};
using EdgeViewer = BasicEdgeViewer<WsClient>;
using SecureEdgeViewer = BasicEdgeViewer<WssClient>;

// Throw-away certificate for 127.0.0.1, its own CA.
std::filesystem::path certificateFor(const std::filesystem::path& dir) {
  const auto result = runCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                                  "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                                  (dir / "edge-key.pem").string(), "-out", (dir / "edge-cert.pem").string()},
                                 30s);
  if (result.exit_code != 0) throw std::runtime_error("openssl: " + result.err);
  return dir / "edge-cert.pem";
}

Json staffSnapshot(int port, const std::string& token) {
  const auto reply = httpCall(port, {"GET", "/api/snapshot", "", {{"Authorization", "Bearer " + token}}});
  return Json::parse(reply.body);
}

// One value of a /metrics page, or -1 when it is not there.
double metricOf(int port, const std::string& name) {
  const auto body = httpCall(port, {"GET", "/metrics", "", {}}).body;
  const auto at = body.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(body.substr(at + name.size() + 2));
}

std::vector<std::string> questionTexts(const Json& snapshot) {
  std::vector<std::string> texts;
  for (const auto& q : snapshot["questions"]) texts.push_back(q["text"].get<std::string>());
  return texts;
}

}  // namespace

TEST_CASE("questions asked on either edge reach the moderator and the asker hears of them on the other edge",
          "[app][edge]") {
  TempDir dir;
  RunningRedis redis;
  const auto cert = certificateFor(dir.path());
  RunningEdge edgeA(dir.path() / "edge-a", redis, "edge-a",
                    {{"web",
                      {{"tls_offload", nullptr},
                       {"tls_certificate", cert.string()},
                       {"tls_key", (dir.path() / "edge-key.pem").string()}}}});
  RunningEdge edgeB(dir.path() / "edge-b", redis, "edge-b");
  const auto hallDir = dir.path() / "hall";
  std::filesystem::create_directories(hallDir);
  writeTextFile(hallDir / "secrets.json", Json{{"edge_secret", kLinkSecret}}.dump());
  auto section = edgeSection({"wss://127.0.0.1:" + std::to_string(edgeA.port()) + "/ws", edgeB.url()});
  section["edge"]["ca_file"] = cert.string();
  RunningTribune hall(hallDir, section);
  // Edge A speaks only TLS: the town hall's log says which edge took the link.
  const bool linked = waitUntil([&] { return hall.log().find("edge edge-a: lien établi") != std::string::npos; }, 20s);
  INFO("town hall: " << hall.log() << "\nedge A: " << edgeA.log());
  REQUIRE(linked);
  CHECK(edgeB.metric("tribune_edge_link_here") == 0);
  // The technician sees which edge holds the link.
  REQUIRE(waitUntil([&] { return metricOf(hall.port(), "tribune_edge_link_up") == 1; }, 10s));
  WsClient console;
  const auto consoleWelcome = hello(console, hall.port(), hall.token("technician"));
  REQUIRE(consoleWelcome["snapshot"]["status"]["edge"]["up"] == true);
  CHECK(consoleWelcome["snapshot"]["status"]["edge"]["edge"] == "edge-a");
  REQUIRE(waitUntil([&] { return edgeB.health().value("town_hall", "") == "connected"; }, 10s));

  // A viewer on each edge: the meeting as the town hall has it.
  EdgeViewer onB;
  const auto welcome = onB.hello(edgeB.port());
  CHECK(welcome["role"] == "viewer");
  CHECK(welcome["snapshot"]["id"] == staffSnapshot(hall.port(), hall.token("technician"))["id"]);
  CHECK(welcome["snapshot"]["agenda"]["items"].size() > 2);
  SecureEdgeViewer onA(cert);
  onA.hello(edgeA.port());

  const auto ticketB = onB.ask(1, "Quand rouvre la piscine ?");
  const auto idB = onB.logged(ticketB);
  const auto ticketA = onA.ask(1, "Où en est le plan vélo ?");
  const auto idA = onA.logged(ticketA);
  CHECK(idA != idB);
  const auto moderator = hall.token("moderator");
  auto texts = questionTexts(staffSnapshot(hall.port(), moderator));
  CHECK(std::count(texts.begin(), texts.end(), "Quand rouvre la piscine ?") == 1);
  CHECK(std::count(texts.begin(), texts.end(), "Où en est le plan vélo ?") == 1);

  // The asker leaves edge B; the moderator approves; the asker comes back on edge A, from
  // where it was, and hears of it.
  const auto since = onB.seq;
  const auto viewerB = onB.viewer;
  onB.ws.close();
  WsClient staff;
  REQUIRE(hello(staff, hall.port(), moderator)["type"] == "welcome");
  REQUIRE(command(staff, 2, {{"type", "question.approve"}, {"question", idB}})["status"] == "ok");
  SecureEdgeViewer back(cert);
  back.hello(edgeA.port(), viewerB, since);
  CHECK(back.viewer == viewerB);
  const auto view = back.waitFor([&](const Json& m) {
    return m["type"] == "question" && m["question"]["id"] == idB && m["question"]["status"] == "approved";
  });
  CHECK(view["question"]["text"] == "Quand rouvre la piscine ?");
  // The other viewer, still on edge A, sees the approved question too, and a session change.
  onA.waitFor([&](const Json& m) { return m["type"] == "question" && m["question"]["id"] == idB; });
  WsClient technician;
  REQUIRE(hello(technician, hall.port(), hall.token("technician"))["type"] == "welcome");
  REQUIRE(command(technician, 3, {{"type", "session.open"}})["status"] == "ok");
  // The town hall's real technician token opens nothing on an edge.
  WsClient intruder;
  REQUIRE(intruder.connect(edgeB.port()));
  intruder.send(Json{{"type", "hello"}, {"id", 1}, {"token", hall.token("technician")}}.dump());
  CHECK(nextMessage(intruder)["status"] == "forbidden");
  intruder.send(Json{{"type", "session.suspend"}, {"id", 2}}.dump());
  CHECK(resultOf(intruder, 2)["status"] == "hello_required");
  CHECK(edgeB.log().find(hall.token("technician")) == std::string::npos);
  onA.waitFor([](const Json& m) { return m["type"] == "event" && m["event"]["type"] == "session_changed"; });
  back.waitFor([](const Json& m) { return m["type"] == "event" && m["event"]["type"] == "session_changed"; });
}

TEST_CASE("an edge serves only public things and accepts only viewers", "[app][edge][security]") {
  TempDir dir;
  RunningRedis redis;
  RunningEdge edge(dir.path() / "edge", redis, "edge-solo", {{"max_connections_per_address", 3}});
  // The pages: the public ones only.
  CHECK(httpCall(edge.port(), {"GET", "/viewer/", "", {}}).status == 200);
  CHECK(httpCall(edge.port(), {"GET", "/seance/", "", {}}).status == 200);
  for (const char* target :
       {"/console/", "/moderator/", "/mayor/", "/console/console.js", "/api/snapshot", "/api/questions.csv"}) {
    INFO(target);
    CHECK(httpCall(edge.port(), {"GET", target, "", {{"Authorization", "Bearer x"}}}).status == 404);
  }
  // A staff token, even a real town hall's, is refused; so are staff commands.
  WsClient staff;
  REQUIRE(staff.connect(edge.port()));
  staff.send(Json{{"type", "hello"}, {"id", 1}, {"token", std::string(64, 'a')}}.dump());
  const auto refused = nextMessage(staff);
  CHECK(refused["status"] == "forbidden");
  WsClient viewer;
  REQUIRE(viewer.connect(edge.port()));
  viewer.send(Json{{"type", "hello"}}.dump());
  CHECK(nextMessage(viewer)["type"] == "edge_status");  // no town hall yet: no welcome either
  for (const char* type : {"session.open", "question.approve", "broadcast.stop", "destination.add"}) {
    INFO(type);
    viewer.send(Json{{"type", type}, {"id", 7}}.dump());
    CHECK(resultOf(viewer, 7)["status"] == "forbidden");
  }
  REQUIRE(waitUntil([&] { return edge.metric("tribune_edge_staff_refused_total") == 5; }, 5s));
  // The per-address cap: three websockets from here, not a fourth (two are open already).
  const auto fresh = [&] {
    auto client = std::make_unique<WsClient>();
    return client->connect(edge.port()) ? std::move(client) : nullptr;
  };
  auto third = fresh();
  REQUIRE(third);
  CHECK_FALSE(fresh());
  third->close();
  std::unique_ptr<WsClient> fourth;
  REQUIRE(waitUntil([&] { return (fourth = fresh()) != nullptr; }, 5s));
  REQUIRE(waitUntil([&] { return edge.metric("tribune_edge_refused_over_cap_total") >= 1; }, 5s));
  CHECK_FALSE(fresh());  // three again
  // X-Forwarded-For from a peer that is not a trusted proxy changes nothing: still capped.
  WsClient spoofing;
  spoofing.setUpgradeHeaders({{"X-Forwarded-For", "203.0.113.9"}});
  CHECK_FALSE(spoofing.connect(edge.port()));
  CHECK(spoofing.upgradeStatus() == 429);

  // A town hall that cannot prove the secret is refused: a forged handshake.
  viewer.close();
  std::unique_ptr<WsClient> forgerClient;
  REQUIRE(waitUntil([&] { return (forgerClient = fresh()) != nullptr; }, 5s));
  auto& forger = *forgerClient;
  forger.send(Json{{"type", "link_hello"}, {"protocol", 1}, {"nonce", std::string(32, '1')}}.dump());
  const auto challenge = nextMessage(forger);
  REQUIRE(challenge["type"] == "link_challenge");
  forger.send(Json{{"type", "link_auth"}, {"meeting", "m"}, {"proof", std::string(64, '0')}}.dump());
  const auto answer = forger.receive(5s);
  CHECK((!answer.ok || Json::parse(answer.text)["status"] == "forbidden"));
  REQUIRE(waitUntil([&] { return edge.metric("tribune_edge_links_refused_total") == 1; }, 5s));
  CHECK(edge.metric("tribune_edge_link_here") == 0);
}

TEST_CASE("behind a trusted proxy the per-address cap counts the forwarded addresses", "[app][edge][security]") {
  TempDir dir;
  RunningRedis redis;
  RunningEdge edge(dir.path() / "edge", redis, "edge-proxied",
                   {{"max_connections_per_address", 1}, {"trusted_proxies", Json::array({"127.0.0.1"})}});
  const auto from = [&](const std::string& address) {
    auto client = std::make_unique<WsClient>();
    client->setUpgradeHeaders({{"X-Forwarded-For", address}});
    return client->connect(edge.port()) ? std::move(client) : nullptr;
  };
  auto first = from("198.51.100.1");
  REQUIRE(first);
  auto second = from("198.51.100.2");  // another citizen behind the same proxy
  REQUIRE(second);
  CHECK_FALSE(from("198.51.100.1"));  // the first one's second websocket
  // The rightmost untrusted hop counts: a client cannot pick its address by prepending one.
  CHECK_FALSE(from("192.0.2.77, 198.51.100.2"));
}

TEST_CASE("the town hall refuses an edge that cannot prove the paired secret", "[app][edge][security]") {
  TempDir dir;
  RunningRedis redis;
  RunningEdge edge(dir.path() / "edge", redis, "edge-other", Json::object(), std::string(64, 'b'));
  const auto hallDir = dir.path() / "hall";
  std::filesystem::create_directories(hallDir);
  writeTextFile(hallDir / "secrets.json", Json{{"edge_secret", kLinkSecret}}.dump());
  RunningTribune hall(hallDir, edgeSection({edge.url()}));
  REQUIRE(waitUntil([&] { return hall.log().find("edge refused") != std::string::npos; }, 20s));
  REQUIRE(waitUntil([&] { return metricOf(hall.port(), "tribune_edge_link_refused_total") >= 1; }, 10s));
  CHECK(metricOf(hall.port(), "tribune_edge_link_up") == 0);
  CHECK(edge.metric("tribune_edge_link_here") == 0);
  CHECK(hall.log().find(kLinkSecret) == std::string::npos);
  CHECK(edge.log().find(std::string(64, 'b')) == std::string::npos);
}

namespace {

// Each text once among the questions, and in the order given (ids increase).
void requireLoggedOnceInOrder(const Json& snapshot, const std::vector<std::string>& texts) {
  std::map<std::string, std::vector<std::uint64_t>> ids;
  for (const auto& q : snapshot["questions"]) ids[q["text"].get<std::string>()].push_back(q["id"].get<std::uint64_t>());
  std::uint64_t previous = 0;
  for (const auto& text : texts) {
    INFO(text);
    REQUIRE(ids[text].size() == 1);
    CHECK(ids[text].front() > previous);
    previous = ids[text].front();
  }
  for (const auto& [text, list] : ids) {
    INFO(text);
    CHECK(list.size() == 1);  // nothing twice, received or not
  }
}

}  // namespace

TEST_CASE(
    "kill -9 of the edge holding the link mid-burst then the town hall uplink cut for a minute: every "
    "question received is logged once and in order",
    "[app][edge][faults]") {
  TempDir dir;
  RunningRedis redis;
  std::optional<RunningEdge> edgeA;
  edgeA.emplace(dir.path() / "edge-a", redis, "edge-a");
  RunningEdge edgeB(dir.path() / "edge-b", redis, "edge-b");
  TcpProxy uplinkA(static_cast<std::uint16_t>(edgeA->port()));
  TcpProxy uplinkB(static_cast<std::uint16_t>(edgeB.port()));
  const auto hallDir = dir.path() / "hall";
  std::filesystem::create_directories(hallDir);
  writeTextFile(hallDir / "secrets.json", Json{{"edge_secret", kLinkSecret}}.dump());
  RunningTribune hall(hallDir, edgeSection({"ws://127.0.0.1:" + std::to_string(uplinkA.port()) + "/ws",
                                            "ws://127.0.0.1:" + std::to_string(uplinkB.port()) + "/ws"}));
  REQUIRE(waitUntil([&] { return edgeA->metric("tribune_edge_link_here") == 1; }, 20s));

  // 1. A burst on both edges; edge A, which holds the link, is killed in the middle of it.
  std::vector<std::unique_ptr<EdgeViewer>> viewers;
  for (int i = 0; i < 6; ++i) {
    viewers.push_back(std::make_unique<EdgeViewer>());
    viewers.back()->hello(i % 2 == 0 ? edgeA->port() : edgeB.port());
  }
  std::vector<std::string> received;  // in the order the edges took them, per viewer
  std::map<int, std::vector<std::string>> perViewer;
  int id = 10;
  for (int round = 0; round < 4; ++round) {
    if (round == 2) edgeA->kill9();
    for (std::size_t v = 0; v < viewers.size(); ++v) {
      auto& viewer = *viewers[v];
      const std::string text = "Question " + std::to_string(round) + " du spectateur " + std::to_string(v) + " ?";
      try {
        viewer.ask(++id, text);
      } catch (const std::exception&) {
        // Its edge died: the page reconnects to the other one, from where it was, and sends again.
        const auto viewerId = viewer.viewer;
        const auto since = viewer.seq;
        viewers[v] = std::make_unique<EdgeViewer>();
        viewers[v]->hello(edgeB.port(), viewerId, since);
        viewers[v]->ask(++id, text);
      }
      perViewer[static_cast<int>(v)].push_back(text);
      received.push_back(text);
    }
  }
  REQUIRE(waitUntil([&] { return edgeB.metric("tribune_edge_link_here") == 1; }, 30s));
  const auto moderator = hall.token("moderator");
  REQUIRE(waitUntil([&] { return staffSnapshot(hall.port(), moderator)["questions"].size() >= received.size(); }, 30s));
  const auto afterKill = staffSnapshot(hall.port(), moderator);
  for (const auto& [v, texts] : perViewer) requireLoggedOnceInOrder(afterKill, texts);

  // 2. The town hall's uplink goes silent for a minute: the edge keeps taking questions and
  // says the meeting room is unreachable; when it comes back, everything arrives once, in order.
  uplinkB.cut();
  uplinkA.cut();
  auto& watcher = *viewers[1];
  watcher.waitFor([](const Json& m) { return m["type"] == "edge_status" && m["town_hall"] == "unreachable"; }, 40s);
  std::vector<std::string> duringCut;
  for (int n = 0; n < 12; ++n) {
    const std::string text = "Pendant la coupure, question " + std::to_string(n) + " ?";
    viewers[static_cast<std::size_t>(n) % viewers.size()]->ask(++id, text);
    duringCut.push_back(text);
  }
  std::this_thread::sleep_for(60s - 20s);  // the rest of the minute (the detection took ~20 s)
  CHECK(staffSnapshot(hall.port(), moderator)["questions"].size() == afterKill["questions"].size());
  uplinkA.restore();
  uplinkB.restore();
  watcher.waitFor([](const Json& m) { return m["type"] == "edge_status" && m["town_hall"] == "connected"; }, 40s);
  REQUIRE(waitUntil(
      [&] { return staffSnapshot(hall.port(), moderator)["questions"].size() == received.size() + duringCut.size(); },
      30s));
  auto all = received;
  const auto final = staffSnapshot(hall.port(), moderator);
  requireLoggedOnceInOrder(final, duringCut);
  for (const auto& [v, texts] : perViewer) requireLoggedOnceInOrder(final, texts);
}

TEST_CASE("kill -9 of the town hall while it takes the edge questions: none lost and none twice",
          "[app][edge][faults]") {
  TempDir dir;
  RunningRedis redis;
  RunningEdge edge(dir.path() / "edge", redis, "edge-1");
  const auto hallDir = dir.path() / "hall";
  std::filesystem::create_directories(hallDir);
  writeTextFile(hallDir / "secrets.json", Json{{"edge_secret", kLinkSecret}}.dump());
  RunningTribune hall(hallDir, edgeSection({edge.url()}));
  REQUIRE(waitUntil([&] { return edge.metric("tribune_edge_link_here") == 1; }, 20s));
  std::vector<std::unique_ptr<EdgeViewer>> viewers;
  for (int i = 0; i < 10; ++i) {
    viewers.push_back(std::make_unique<EdgeViewer>());
    viewers.back()->hello(edge.port());
  }
  // Sent without waiting: the edge takes them all while the town hall logs them one by one.
  std::vector<std::string> texts;
  int id = 100;
  for (int round = 0; round < 4; ++round) {
    for (std::size_t v = 0; v < viewers.size(); ++v) {
      const std::string text = "Rafale " + std::to_string(round) + "-" + std::to_string(v) + " ?";
      viewers[v]->ws.send(Json{{"type", "question.ask"}, {"id", ++id}, {"text", text}}.dump());
      texts.push_back(text);
    }
  }
  const auto moderator = hall.token("moderator");
  REQUIRE(waitUntil([&] { return staffSnapshot(hall.port(), moderator)["questions"].size() >= 5; }, 20s));
  hall.kill9();
  hall.start();
  REQUIRE(waitUntil([&] { return staffSnapshot(hall.port(), moderator)["questions"].size() >= texts.size(); }, 40s));
  std::this_thread::sleep_for(2s);  // anything forwarded twice would be logged by now
  const auto snapshot = staffSnapshot(hall.port(), moderator);
  CHECK(snapshot["questions"].size() == texts.size());
  std::map<std::string, int> counts;
  for (const auto& q : snapshot["questions"]) ++counts[q["text"].get<std::string>()];
  for (const auto& text : texts) {
    INFO(text);
    CHECK(counts[text] == 1);
  }
  // Every asker was told "reçue" for each of its questions, and "transmise" once the town
  // hall was back (twice for some: a question logged again is answered again, as the same).
  for (auto& viewer : viewers) {
    std::set<std::string> received;
    std::set<std::string> logged;
    viewer->waitFor(
        [&](const Json& m) {
          if (m["type"] == "result") {
            CHECK(m["status"] == "ok");
            received.insert(m["data"]["ticket"].get<std::string>());
          }
          if (m["type"] == "question_logged") {
            CHECK(m["status"] == "ok");
            logged.insert(m["ticket"].get<std::string>());
          }
          return received.size() == 4 && logged == received;
        },
        20s);
  }
}
