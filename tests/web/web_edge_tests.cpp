// The WebServer settings the public edge uses: who a client is (clientAddress), a cap of
// websockets per address, only some directories of the web root served, no /api, and a
// larger message limit for one connection. Real server, Boost.Beast clients on loopback.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "beast_clients.h"
#include "recording_web_listener.h"
#include "support/temp_dir.h"
#include "web/web_server.h"

namespace tribune::web {
namespace {

using namespace std::chrono_literals;
using testing::httpCall;
using testing::RecordingWebListener;
using testing::TempDir;
using testing::waitUntil;
using testing::WsClient;

struct Server {
  explicit Server(WebSettings settings) : server(withFreePort(std::move(settings)), listener) {}

  static WebSettings withFreePort(WebSettings settings) {
    settings.port = 0;
    return settings;
  }

  RecordingWebListener listener;
  WebServer server;
};

// Connects, and waits until the server has reported the connection open: its id.
ConnectionId connectAndWait(Server& fixture, WsClient& client) {
  const std::size_t before = fixture.listener.opened().size();
  const bool connected = client.connect(fixture.server.port());
  INFO("connect: " << client.lastError());
  REQUIRE(connected);
  REQUIRE(fixture.listener.waitForOpened(before + 1));
  return fixture.listener.opened().back().id;
}

// ---- clientAddress ----

TEST_CASE("the clientAddress hook gets the peer and X-Forwarded-For, and its answer reaches onOpen", "[web][edge]") {
  struct Call {
    std::string peer;
    std::string forwardedFor;
  };
  auto calls = std::make_shared<std::vector<Call>>();
  auto callsMutex = std::make_shared<std::mutex>();
  WebSettings settings;
  settings.clientAddress = [calls, callsMutex](const std::string& peer, const std::string& forwardedFor) {
    std::lock_guard lock(*callsMutex);
    calls->push_back({peer, forwardedFor});
    return forwardedFor.empty() ? "direct:" + peer : "forwarded:" + forwardedFor.substr(0, forwardedFor.find(','));
  };
  Server fixture(settings);

  WsClient proxied;
  proxied.setUpgradeHeaders({{"X-Forwarded-For", "203.0.113.7, 10.0.0.1"}});
  connectAndWait(fixture, proxied);
  WsClient direct;
  connectAndWait(fixture, direct);

  const auto opened = fixture.listener.opened();
  REQUIRE(opened.size() == 2);
  CHECK(opened[0].peer == "forwarded:203.0.113.7");
  CHECK(opened[1].peer == "direct:127.0.0.1");
  std::lock_guard lock(*callsMutex);
  REQUIRE(calls->size() == 2);
  CHECK((*calls)[0].peer == "127.0.0.1");
  CHECK((*calls)[0].forwardedFor == "203.0.113.7, 10.0.0.1");
  CHECK((*calls)[1].peer == "127.0.0.1");
  CHECK((*calls)[1].forwardedFor.empty());
}

TEST_CASE("without a clientAddress hook, onOpen gets the TCP peer whatever X-Forwarded-For says", "[web][edge]") {
  Server fixture(WebSettings{});
  WsClient client;
  client.setUpgradeHeaders({{"X-Forwarded-For", "203.0.113.7"}});
  connectAndWait(fixture, client);
  CHECK(fixture.listener.opened().front().peer == "127.0.0.1");
}

// ---- maxConnectionsPerAddress ----

TEST_CASE("the cap refuses the connection over it from one address with 429 and admits it again after a close",
          "[web][edge]") {
  WebSettings settings;
  settings.maxConnectionsPerAddress = 2;
  Server fixture(settings);

  // Upgrades refused for another reason (the path) leave nothing counted behind.
  for (int i = 0; i < 3; ++i) {
    WsClient elsewhere;
    CHECK_FALSE(elsewhere.connect(fixture.server.port(), "/other"));
  }
  CHECK(fixture.server.stats().refusedOverCap == 0);

  WsClient first, second;
  const ConnectionId firstId = connectAndWait(fixture, first);
  const ConnectionId secondId = connectAndWait(fixture, second);

  WsClient third;
  CHECK_FALSE(third.connect(fixture.server.port()));
  CHECK(third.upgradeStatus() == 429);
  CHECK(fixture.server.stats().refusedOverCap == 1);
  CHECK(fixture.server.stats().connections == 2);
  CHECK(fixture.listener.opened().size() == 2);

  // However a connection ends, its place is given back: the client's close…
  REQUIRE(first.close());
  REQUIRE(fixture.listener.waitForClosed(1));
  WsClient fourth;
  const ConnectionId fourthId = connectAndWait(fixture, fourth);
  WsClient refused;
  CHECK_FALSE(refused.connect(fixture.server.port()));
  CHECK(refused.upgradeStatus() == 429);

  // … the server's close…
  fixture.server.close(secondId, "bye");
  REQUIRE(fixture.listener.waitForClosed(2));
  WsClient fifth;
  connectAndWait(fixture, fifth);

  // … and a client that vanishes without a close frame.
  boost::system::error_code ignored;
  fourth.socket().close(ignored);
  REQUIRE(fixture.listener.waitForClosed(3));
  CHECK(fixture.listener.closed().back() == fourthId);
  WsClient sixth;
  connectAndWait(fixture, sixth);

  CHECK(fixture.server.stats().refusedOverCap == 2);
  CHECK(fixture.server.stats().connections == 2);
  CHECK(firstId != secondId);
}

TEST_CASE("the cap counts the address clientAddress resolves, not the TCP peer", "[web][edge]") {
  WebSettings settings;
  settings.maxConnectionsPerAddress = 1;
  settings.clientAddress = [](const std::string& peer, const std::string& forwardedFor) {
    return forwardedFor.empty() ? peer : forwardedFor;
  };
  Server fixture(settings);

  WsClient alice, bob, aliceAgain;
  alice.setUpgradeHeaders({{"X-Forwarded-For", "203.0.113.7"}});
  bob.setUpgradeHeaders({{"X-Forwarded-For", "198.51.100.9"}});
  aliceAgain.setUpgradeHeaders({{"X-Forwarded-For", "203.0.113.7"}});
  connectAndWait(fixture, alice);
  connectAndWait(fixture, bob);  // same TCP peer, another client
  CHECK_FALSE(aliceAgain.connect(fixture.server.port()));
  CHECK(aliceAgain.upgradeStatus() == 429);
  CHECK(fixture.server.stats().refusedOverCap == 1);
}

TEST_CASE("without a cap, many connections from one address are all admitted", "[web][edge]") {
  Server fixture(WebSettings{});
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<WsClient>());
    connectAndWait(fixture, *clients.back());
  }
  CHECK(fixture.server.stats().refusedOverCap == 0);
}

// ---- servedPrefixes and serveApi ----

// The real web root's layout: public pages and staff pages side by side.
struct Site {
  TempDir dir{"tribune-edge"};
  std::filesystem::path root = dir / "web";

  Site() {
    for (const char* page : {"viewer", "seance", "shared", "console", "moderator", "mayor"}) {
      std::filesystem::create_directories(root / page);
      testing::writeTextFile(root / page / "index.html", std::string("<title>") + page + "</title>");
    }
    testing::writeTextFile(root / "viewer" / "app.js", "viewer();");
    testing::writeTextFile(root / "shared" / "tribune.css", "body{}");
    testing::writeTextFile(root / "console" / "app.js", "STAFF");
    testing::writeTextFile(root / "index.html", "<title>home</title>");
  }
};

WebSettings edgeSettings(const Site& site) {
  WebSettings settings;
  settings.root = site.root;
  settings.servedPrefixes = {"/viewer/", "/seance/", "/shared/"};
  settings.serveApi = false;
  return settings;
}

TEST_CASE("with served prefixes only those directories are served, the staff pages are not found", "[web][edge]") {
  Site site;
  Server fixture(edgeSettings(site));
  const int port = fixture.server.port();

  struct Served {
    const char* target;
    const char* body;
  };
  for (const Served& file : {Served{"/viewer/", "<title>viewer</title>"}, Served{"/viewer/app.js", "viewer();"},
                             Served{"/seance/", "<title>seance</title>"}, Served{"/shared/tribune.css", "body{}"}}) {
    INFO(file.target);
    const auto reply = httpCall(port, {"GET", file.target, {}, {}});
    REQUIRE(reply.ok);
    CHECK(reply.status == 200);
    CHECK(reply.body == file.body);
    CHECK(reply.header("cache-control") == "no-store");
  }

  for (const char* target : {"/console/", "/console/index.html", "/console/app.js", "/moderator/",
                             "/moderator/index.html", "/mayor/", "/index.html", "/%63onsole/app.js",
                             "/viewer/../console/app.js", "/viewer/%2e%2e/console/app.js", "/viewers/", "/nothing"}) {
    INFO(target);
    const auto reply = httpCall(port, {"GET", target, {}, {}});
    REQUIRE(reply.ok);
    CHECK(reply.status == 404);
    CHECK(reply.body.find("STAFF") == std::string::npos);
    CHECK(reply.body.find("<title>") == std::string::npos);
  }
}

TEST_CASE("with served prefixes / redirects to the first, and healthz, metrics and /ws still work", "[web][edge]") {
  Site site;
  Server fixture(edgeSettings(site));
  const int port = fixture.server.port();

  const auto home = httpCall(port, {"GET", "/", {}, {}});
  REQUIRE(home.ok);
  CHECK(home.status == 302);
  CHECK(home.header("location") == "/viewer/");
  const auto head = httpCall(port, {"HEAD", "/", {}, {}});
  CHECK(head.status == 302);
  CHECK(head.header("location") == "/viewer/");

  fixture.server.setMetrics("tribune_edge_viewers 3\n");
  CHECK(httpCall(port, {"GET", "/healthz", {}, {}}).body == "ok");
  CHECK(httpCall(port, {"GET", "/metrics", {}, {}}).body == "tribune_edge_viewers 3\n");

  WsClient client;
  connectAndWait(fixture, client);
}

TEST_CASE("serveApi false answers /api/ with 404 and the listener never hears of it", "[web][edge]") {
  Site site;
  Server edge(edgeSettings(site));
  for (const auto& call : {testing::HttpCall{"GET", "/api/state", {}, {}},
                           testing::HttpCall{"POST", "/api/commands", R"({"type":"open"})", {}},
                           testing::HttpCall{"GET", "/api", {}, {}}}) {
    INFO(call.method << " " << call.target);
    const auto reply = httpCall(edge.server.port(), call);
    REQUIRE(reply.ok);
    CHECK(reply.status == 404);
  }
  CHECK(edge.listener.requests().empty());

  // The same prefixes with the API on: the switch is serveApi, not the prefixes.
  WebSettings withApi = edgeSettings(site);
  withApi.serveApi = true;
  Server town(withApi);
  const int port = town.server.port();
  std::thread client([port] { httpCall(port, {"GET", "/api/state", {}, {}}, 2s); });
  CHECK(waitUntil([&] { return town.listener.requests().size() == 1; }, 5s, 2ms));
  if (!town.listener.requests().empty())
    town.server.respond(town.listener.requests().front().id, {200, "text/plain", "x"});
  client.join();
}

TEST_CASE("served prefixes that are not plain directories of the root are refused at start-up", "[web][edge]") {
  Site site;
  RecordingWebListener listener;
  for (const char* prefix :
       {"viewer/", "/viewer", "/", "/../", "/viewer/../console/", "/a//b/", "/vie wer/", "/missing/"}) {
    INFO(prefix);
    WebSettings settings = edgeSettings(site);
    settings.port = 0;
    settings.servedPrefixes = {"/viewer/", prefix};
    CHECK_THROWS_WITH(WebServer(settings, listener), Catch::Contains(prefix));
  }
  WebSettings noRoot;
  noRoot.port = 0;
  noRoot.servedPrefixes = {"/viewer/"};
  CHECK_THROWS_WITH(WebServer(noRoot, listener), Catch::Contains("web root"));
}

// ---- setMessageLimit ----

TEST_CASE("setMessageLimit lets one connection send 1 MB while another is refused at the default", "[web][edge]") {
  WebSettings settings;  // maxMessageBytes: 16 KiB
  Server fixture(settings);
  WsClient link, viewer;
  const ConnectionId linkId = connectAndWait(fixture, link);
  const ConnectionId viewerId = connectAndWait(fixture, viewer);

  // The edge raises the limit, then tells the town hall to go ahead.
  fixture.server.setMessageLimit(linkId, std::size_t{2} << 20);
  fixture.server.send(linkId, "go");
  REQUIRE(link.receive().text == "go");

  std::string snapshot(std::size_t{1} << 20, 's');
  snapshot.front() = '{';
  snapshot.back() = '}';
  REQUIRE(link.send(snapshot));
  REQUIRE(fixture.listener.waitForMessages(1));
  CHECK(fixture.listener.messages().front().id == linkId);
  CHECK(fixture.listener.messages().front().text == snapshot);

  // The server closes (1009) after the first 16 KiB: the rest of the write may fail.
  viewer.send(snapshot);
  CHECK(waitUntil([&] { return fixture.server.stats().refusedOversized == 1; }, 5s, 2ms));
  REQUIRE(fixture.listener.waitForClosed(1));
  CHECK(fixture.listener.closed().front() == viewerId);

  // The raised limit is still a limit.
  link.send(std::string((std::size_t{2} << 20) + 1, 'x'));
  CHECK(waitUntil([&] { return fixture.server.stats().refusedOversized == 2; }, 5s, 2ms));
  REQUIRE(fixture.listener.waitForClosed(2));
  CHECK(fixture.listener.closed().back() == linkId);
  CHECK(fixture.listener.messages().size() == 1);

  fixture.server.setMessageLimit(987654, 1);  // an unknown connection: ignored
}

}  // namespace
}  // namespace tribune::web
