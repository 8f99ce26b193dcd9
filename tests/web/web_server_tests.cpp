// WebServer against real clients on loopback (Boost.Beast HTTP and websocket).
#include "web/web_server.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "beast_clients.h"
#include "support/temp_dir.h"

namespace tribune::web {
namespace {

using namespace std::chrono_literals;
using testing::httpCall;
using testing::TempDir;
using testing::waitUntil;
using testing::WsClient;

constexpr std::size_t kLargeBody = std::size_t{100} * 1024;

// Records what the server reports, from the web thread; readable from the test thread.
// With echoThrough(server), every message comes back as "echo:<text>".
class RecordingListener final : public WebListener {
 public:
  struct Opened {
    ConnectionId id;
    std::string peer;
  };
  struct Message {
    ConnectionId id;
    std::string text;
  };

  void onOpen(ConnectionId connection, std::string peerAddress) override {
    std::lock_guard lock(mutex_);
    opened_.push_back({connection, std::move(peerAddress)});
  }
  void onMessage(ConnectionId connection, std::string text) override {
    if (text == "throw") throw std::runtime_error("the listener failed on purpose");
    if (WebServer* server = echo_.load(); server != nullptr) server->send(connection, "echo:" + text);
    std::lock_guard lock(mutex_);
    messages_.push_back({connection, std::move(text)});
  }
  void onClose(ConnectionId connection) override {
    std::lock_guard lock(mutex_);
    closed_.push_back(connection);
  }
  void onHttpRequest(HttpRequest request) override {
    if (request.path == "/api/throw") throw std::runtime_error("the listener failed on purpose");
    if (WebServer* server = answerer_.load(); server != nullptr) {
      // Answered at once, from the web thread itself: the body says what was asked.
      std::string body = request.method + " " + request.path;
      if (request.path == "/api/large") body = std::string(kLargeBody, 'z');
      server->respond(request.id, {200, "text/plain", std::move(body)});
    }
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }

  void echoThrough(WebServer* server) { echo_ = server; }
  void answerThrough(WebServer* server) { answerer_ = server; }

  std::vector<Opened> opened() const {
    std::lock_guard lock(mutex_);
    return opened_;
  }
  std::vector<Message> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::vector<ConnectionId> closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  bool waitForOpened(std::size_t count) const {
    return waitUntil([&] { return opened().size() >= count; }, 5s, 2ms);
  }
  bool waitForMessages(std::size_t count) const {
    return waitUntil([&] { return messages().size() >= count; }, 5s, 2ms);
  }
  bool waitForClosed(std::size_t count, std::chrono::milliseconds timeout = 5s) const {
    return waitUntil([&] { return closed().size() >= count; }, timeout, 2ms);
  }
  bool waitForRequests(std::size_t count) const {
    return waitUntil([&] { return requests().size() >= count; }, 5s, 2ms);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Opened> opened_;
  std::vector<Message> messages_;
  std::vector<ConnectionId> closed_;
  std::vector<HttpRequest> requests_;
  std::atomic<WebServer*> echo_{nullptr};
  std::atomic<WebServer*> answerer_{nullptr};
};

// A web root with one file of each kind, and a secret beside it that must stay out of reach.
struct Site {
  TempDir dir{"tribune-web"};
  std::filesystem::path root = dir / "web";

  Site() {
    std::filesystem::create_directories(root / "css");
    testing::writeTextFile(root / "index.html", "<!doctype html><title>Tribune</title>");
    testing::writeTextFile(root / "app.js", "console.log('tribune');");
    testing::writeTextFile(root / "css" / "style.css", "body { margin: 0; }");
    testing::writeTextFile(root / "logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
    testing::writeTextFile(root / "pixel.png", std::string("\x89PNG\r\n\x1a\n", 8));
    testing::writeTextFile(root / "data.json", R"({"ok":true})");
    testing::writeTextFile(dir / "secret.txt", "SECRET");
  }
};

WebSettings settingsFor(const Site& site) {
  WebSettings settings;
  settings.port = 0;
  settings.root = site.root;
  return settings;
}

struct Server {
  explicit Server(WebSettings settings = {}) : server(adjust(std::move(settings)), listener) {}

  static WebSettings adjust(WebSettings settings) {
    settings.port = 0;
    return settings;
  }

  RecordingListener listener;
  WebServer server;
};

}  // namespace

// ---- static files ----

TEST_CASE("static files are served with their MIME type, index.html at /, and 404 when missing", "[web]") {
  Site site;
  Server fixture(settingsFor(site));
  const int port = fixture.server.port();
  REQUIRE(port > 0);

  struct Expected {
    const char* target;
    const char* type;
  };
  const Expected files[] = {
      {"/index.html", "text/html"},   {"/app.js", "text/javascript"}, {"/css/style.css", "text/css"},
      {"/logo.svg", "image/svg+xml"}, {"/pixel.png", "image/png"},    {"/data.json", "application/json"},
  };
  for (const auto& file : files) {
    INFO(file.target);
    const auto reply = httpCall(port, {"GET", file.target, {}, {}});
    REQUIRE(reply.ok);
    CHECK(reply.status == 200);
    CHECK(reply.header("content-type").rfind(file.type, 0) == 0);
    CHECK(reply.header("cache-control") == "no-store");
    CHECK(reply.header("x-content-type-options") == "nosniff");
  }

  const auto index = httpCall(port, {"GET", "/", {}, {}});
  REQUIRE(index.ok);
  CHECK(index.status == 200);
  CHECK(index.body == "<!doctype html><title>Tribune</title>");
  CHECK(index.header("content-type").rfind("text/html", 0) == 0);

  const auto missing = httpCall(port, {"GET", "/nothing-here.html", {}, {}});
  REQUIRE(missing.ok);
  CHECK(missing.status == 404);
}

TEST_CASE("paths that climb out of the web root are refused", "[web]") {
  Site site;
  Server fixture(settingsFor(site));
  const int port = fixture.server.port();

  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/css/../../secret.txt",
                             "/..%2fsecret.txt", "/css/%2e%2e/%2e%2e/secret.txt", "//../secret.txt"}) {
    INFO(target);
    const auto reply = httpCall(port, {"GET", target, {}, {}});
    if (reply.ok) {
      CHECK(reply.status != 200);
      CHECK(reply.body.find("SECRET") == std::string::npos);
    }
  }
  // The server is still fine afterwards.
  CHECK(httpCall(port, {"GET", "/", {}, {}}).status == 200);
}

// ---- /healthz and /metrics ----

TEST_CASE("healthz and metrics serve the last values set", "[web]") {
  Server fixture;
  const int port = fixture.server.port();

  auto health = httpCall(port, {"GET", "/healthz", {}, {}});
  REQUIRE(health.ok);
  CHECK(health.status == 200);
  CHECK(health.body == "ok");

  fixture.server.setHealth(503, "source lost");
  fixture.server.setMetrics("tribune_viewers 12\n");
  health = httpCall(port, {"GET", "/healthz", {}, {}});
  CHECK(health.status == 503);
  CHECK(health.body == "source lost");
  auto metrics = httpCall(port, {"GET", "/metrics", {}, {}});
  REQUIRE(metrics.ok);
  CHECK(metrics.status == 200);
  CHECK(metrics.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(metrics.body == "tribune_viewers 12\n");

  fixture.server.setHealth(200, "ok again");
  fixture.server.setMetrics("tribune_viewers 13\n");
  CHECK(httpCall(port, {"GET", "/healthz", {}, {}}).body == "ok again");
  CHECK(httpCall(port, {"GET", "/metrics", {}, {}}).body == "tribune_viewers 13\n");
}

// ---- /api ----

TEST_CASE("an API request reaches the listener with all its fields and the answer comes from another thread", "[web]") {
  Server fixture;
  const int port = fixture.server.port();

  testing::HttpReply reply;
  std::thread client([&] {
    reply = httpCall(port, {"POST",
                            "/api/commands?meeting=42&dry=1",
                            R"({"type":"open"})",
                            {{"Authorization", "Bearer s3cr3t-token"}, {"Content-Type", "application/json"}}});
  });
  REQUIRE(fixture.listener.waitForRequests(1));
  const HttpRequest request = fixture.listener.requests().front();
  CHECK(request.id != 0);
  CHECK(request.method == "POST");
  CHECK(request.path == "/api/commands");
  CHECK(request.query == "meeting=42&dry=1");
  REQUIRE(request.bearerToken.has_value());
  CHECK(*request.bearerToken == "s3cr3t-token");
  CHECK(request.body == R"({"type":"open"})");

  std::thread hub([&] { fixture.server.respond(request.id, {201, "application/json", R"({"accepted":true})"}); });
  hub.join();
  client.join();
  REQUIRE(reply.ok);
  CHECK(reply.status == 201);
  CHECK(reply.header("content-type") == "application/json");
  CHECK(reply.body == R"({"accepted":true})");

  // A GET without a token, answered as well; a second answer to the same id is ignored.
  std::thread getter([&] { reply = httpCall(port, {"GET", "/api/state", {}, {}}); });
  REQUIRE(fixture.listener.waitForRequests(2));
  const HttpRequest get = fixture.listener.requests().back();
  CHECK(get.method == "GET");
  CHECK(get.path == "/api/state");
  CHECK_FALSE(get.bearerToken.has_value());
  CHECK(get.body.empty());
  CHECK(get.id != request.id);
  fixture.server.respond(get.id, {200, "text/plain", "state"});
  fixture.server.respond(get.id, {500, "text/plain", "twice"});
  getter.join();
  CHECK(reply.status == 200);
  CHECK(reply.body == "state");
}

TEST_CASE("a POST with an empty body reaches the listener once", "[web]") {
  Server fixture;
  fixture.listener.answerThrough(&fixture.server);
  const int port = fixture.server.port();
  // lws ends such a request twice (its headers, then a body completion): one answer, one call.
  const auto empty = httpCall(port, {"POST", "/api/preflight", "", {}});
  REQUIRE(empty.ok);
  CHECK(empty.status == 200);
  CHECK(empty.body == "POST /api/preflight");
  // A second request, on another connection, comes after whatever the first one caused.
  const auto next = httpCall(port, {"GET", "/api/state", "", {}});
  CHECK(next.body == "GET /api/state");
  const auto requests = fixture.listener.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].path == "/api/preflight");
  CHECK(requests[1].path == "/api/state");
}

TEST_CASE("an API body over maxMessageBytes is refused with 413 and never reaches the listener", "[web]") {
  WebSettings settings;
  settings.maxMessageBytes = 1024;
  Server fixture(settings);
  const int port = fixture.server.port();

  const auto reply = httpCall(port, {"POST", "/api/commands", std::string(1025, 'x'), {}});
  REQUIRE(reply.ok);
  CHECK(reply.status == 413);
  CHECK(reply.header("content-type") == "application/json");
  CHECK(reply.body.find("payload_too_large") != std::string::npos);
  CHECK(fixture.listener.requests().empty());
  CHECK(fixture.server.stats().refusedOversized == 1);

  // Exactly the limit is fine.
  std::thread client([&] { httpCall(port, {"POST", "/api/commands", std::string(1024, 'y'), {}}); });
  REQUIRE(fixture.listener.waitForRequests(1));
  CHECK(fixture.listener.requests().front().body.size() == 1024);
  fixture.server.respond(fixture.listener.requests().front().id, {204, "application/json", ""});
  client.join();
}

TEST_CASE("an upload path takes bodies up to maxUploadBytes, the rest of the API keeps maxMessageBytes", "[web]") {
  WebSettings settings;
  settings.maxMessageBytes = 1024;
  settings.uploadPrefixes = {"/api/schedule/"};
  settings.maxUploadBytes = 64 * 1024;
  Server fixture(settings);
  const int port = fixture.server.port();

  CHECK(httpCall(port, {"POST", "/api/commands", std::string(2048, 'x'), {}}).status == 413);
  CHECK(httpCall(port, {"POST", "/api/schedule/upload", std::string(64 * 1024 + 1, 'x'), {}}).status == 413);
  CHECK(httpCall(port, {"POST", "/api/schedulex", std::string(2048, 'x'), {}}).status == 413);
  CHECK(fixture.listener.requests().empty());
  std::thread client([&] { httpCall(port, {"POST", "/api/schedule/upload", std::string(64 * 1024, 'y'), {}}); });
  REQUIRE(fixture.listener.waitForRequests(1));
  CHECK(fixture.listener.requests().front().body.size() == 64 * 1024);
  fixture.server.respond(fixture.listener.requests().front().id, {204, "application/json", ""});
  client.join();
}

TEST_CASE("a file answer is sent whole from the disk as an attachment, a missing one is a 404", "[web]") {
  Server fixture;
  const int port = fixture.server.port();
  TempDir dir;
  std::string content;
  for (int i = 0; i < 300'000; ++i) content += static_cast<char>('a' + i % 26);  // many chunks
  testing::writeTextFile(dir / "seance.mp4", content);

  std::thread client([&] {
    const auto reply = httpCall(port, {"GET", "/api/file", "", {}});
    CHECK(reply.status == 200);
    CHECK(reply.header("content-type") == "video/mp4");
    CHECK(reply.header("content-disposition") == "attachment; filename=\"seance.mp4\"");
    CHECK(reply.body == content);
    const auto missing = httpCall(port, {"GET", "/api/missing", "", {}});
    CHECK(missing.status == 404);
  });
  REQUIRE(fixture.listener.waitForRequests(1));
  HttpResponse response{200, "video/mp4", "", {}, {}};
  response.file = dir / "seance.mp4";
  response.downloadName = "seance.mp4";
  fixture.server.respond(fixture.listener.requests()[0].id, response);
  REQUIRE(fixture.listener.waitForRequests(2));
  HttpResponse gone{200, "video/mp4", "", {}, {}};
  gone.file = dir / "absent.mp4";
  fixture.server.respond(fixture.listener.requests()[1].id, gone);
  client.join();
}

TEST_CASE("an answer to a client that already left is dropped without harm", "[web]") {
  Server fixture;
  const int port = fixture.server.port();

  testing::httpSendAndLeave(port, {"POST", "/api/commands", "{}", {}});
  testing::httpSendAndLeave(port, {"GET", "/api/state", {}, {}});
  REQUIRE(fixture.listener.waitForRequests(2));
  const auto requests = fixture.listener.requests();
  fixture.server.respond(requests[0].id, {200, "application/json", "{}"});  // maybe before lws saw the close
  std::this_thread::sleep_for(50ms);
  fixture.server.respond(requests[1].id, {200, "application/json", "{}"});  // surely after
  fixture.server.respond(987654, {200, "application/json", "{}"});          // never existed

  CHECK(httpCall(port, {"GET", "/healthz", {}, {}}).status == 200);
}

TEST_CASE("the API refuses other methods and unknown paths outside it are not found", "[web]") {
  Server fixture;
  const int port = fixture.server.port();
  CHECK(httpCall(port, {"DELETE", "/api/commands", {}, {}}).status == 405);
  CHECK(httpCall(port, {"POST", "/healthz", "x", {}}).status == 405);
  CHECK(httpCall(port, {"GET", "/healthz/extra", {}, {}}).status == 404);
  const auto head =
      testing::httpCallsOnOneConnection(port, {{"HEAD", "/healthz", {}, {}}, {"GET", "/healthz", {}, {}}});
  REQUIRE(head.size() == 2);
  CHECK(head[0].status == 200);
  CHECK(head[0].header("content-length") == "2");
  CHECK(head[0].body.empty());
  CHECK(head[1].body == "ok");
  for (const auto& r : fixture.listener.requests()) UNSCOPED_INFO(r.method + " " + r.path);
  CHECK(fixture.listener.requests().empty());
}

TEST_CASE("requests on one kept-alive connection are answered in turn, small and large", "[web]") {
  Site site;
  Server fixture(settingsFor(site));
  fixture.listener.answerThrough(&fixture.server);
  const int port = fixture.server.port();

  const auto replies = testing::httpCallsOnOneConnection(port, {{"GET", "/api/state", {}, {}},
                                                                {"POST", "/api/large", "{}", {}},
                                                                {"GET", "/healthz", {}, {}},
                                                                {"GET", "/app.js", {}, {}},
                                                                {"POST", "/api/commands", R"({"n":1})", {}}});
  REQUIRE(replies.size() == 5);
  for (const auto& reply : replies) {
    INFO(reply.error);
    REQUIRE(reply.ok);
    CHECK(reply.status == 200);
  }
  CHECK(replies[0].body == "GET /api/state");
  CHECK(replies[1].body == std::string(kLargeBody, 'z'));
  CHECK(replies[2].body == "ok");
  CHECK(replies[3].body == "console.log('tribune');");
  CHECK(replies[4].body == "POST /api/commands");
  CHECK(fixture.listener.requests().back().body == R"({"n":1})");
}

TEST_CASE("an API request left unanswered gets a 504 after apiAnswerTimeout", "[web]") {
  WebSettings settings;
  settings.apiAnswerTimeout = 200ms;
  Server fixture(settings);

  const auto started = std::chrono::steady_clock::now();
  const auto reply = httpCall(fixture.server.port(), {"GET", "/api/slow", {}, {}});
  REQUIRE(reply.ok);
  CHECK(reply.status == 504);
  CHECK(std::chrono::steady_clock::now() - started >= 200ms);
  // The hub answering later changes nothing.
  fixture.server.respond(fixture.listener.requests().front().id, {200, "text/plain", "late"});
  CHECK(httpCall(fixture.server.port(), {"GET", "/healthz", {}, {}}).status == 200);
}

TEST_CASE("a listener that throws costs one request a 500, or one websocket its connection", "[web]") {
  Server fixture;
  const int port = fixture.server.port();
  fixture.listener.echoThrough(&fixture.server);

  const auto reply = httpCall(port, {"POST", "/api/throw", "{}", {}});
  REQUIRE(reply.ok);
  CHECK(reply.status == 500);

  WsClient failing, other;
  REQUIRE(failing.connect(port));
  REQUIRE(other.connect(port));
  REQUIRE(fixture.listener.waitForOpened(2));
  REQUIRE(failing.send("throw"));
  CHECK_FALSE(failing.receive().ok);
  REQUIRE(fixture.listener.waitForClosed(1));
  REQUIRE(other.send("still here"));
  CHECK(other.receive().text == "echo:still here");
}

// ---- websocket ----

TEST_CASE("a websocket client is opened, heard, answered and closed by the server", "[web]") {
  Server fixture;
  const int port = fixture.server.port();

  WsClient client;
  REQUIRE(client.connect(port));
  REQUIRE(fixture.listener.waitForOpened(1));
  const auto opened = fixture.listener.opened().front();
  CHECK(opened.peer == "127.0.0.1");
  CHECK(fixture.server.stats().connections == 1);

  REQUIRE(client.send(R"({"type":"hello"})"));
  REQUIRE(client.sendFragmented({R"({"type":)", R"("frag)", R"(mented"})"}));
  const std::string large(12000, 'L');  // larger than what lws reads at once
  REQUIRE(client.send(large));
  REQUIRE(fixture.listener.waitForMessages(3));
  const auto messages = fixture.listener.messages();
  CHECK(messages[0].id == opened.id);
  CHECK(messages[0].text == R"({"type":"hello"})");
  CHECK(messages[1].text == R"({"type":"fragmented"})");
  CHECK(messages[2].text == large);
  CHECK(fixture.server.stats().messagesIn == 3);

  fixture.server.send(opened.id, R"({"type":"welcome"})");
  fixture.server.sendBinary(opened.id, std::string("\xff\xd8\xff\xe0", 4));
  auto received = client.receive();
  REQUIRE(received.ok);
  CHECK_FALSE(received.binary);
  CHECK(received.text == R"({"type":"welcome"})");
  received = client.receive();
  REQUIRE(received.ok);
  CHECK(received.binary);
  CHECK(received.text == std::string("\xff\xd8\xff\xe0", 4));

  // Queued messages go out before the close.
  fixture.server.send(opened.id, "last words");
  fixture.server.close(opened.id, "séance levée");
  received = client.receive();
  REQUIRE(received.ok);
  CHECK(received.text == "last words");
  received = client.receive();
  CHECK_FALSE(received.ok);
  CHECK(received.closeCode == 1000);
  CHECK(received.closeReason == "séance levée");
  REQUIRE(fixture.listener.waitForClosed(1));
  CHECK(fixture.listener.closed().front() == opened.id);
  CHECK(fixture.server.stats().connections == 0);
  CHECK(waitUntil([&] { return fixture.server.stats().messagesOut == 3; }, 1s, 1ms));

  // Sending to a closed connection is a no-op.
  fixture.server.send(opened.id, "too late");
}

TEST_CASE("a client closing its websocket is reported once, and without a subprotocol it is accepted too", "[web]") {
  Server fixture;
  const int port = fixture.server.port();
  fixture.listener.echoThrough(&fixture.server);

  WsClient client;
  REQUIRE(client.connect(port, "/ws", std::nullopt));
  REQUIRE(fixture.listener.waitForOpened(1));
  REQUIRE(client.send("ping"));
  const auto echo = client.receive();
  REQUIRE(echo.ok);
  CHECK(echo.text == "echo:ping");

  REQUIRE(client.close());
  REQUIRE(fixture.listener.waitForClosed(1));
  std::this_thread::sleep_for(20ms);
  CHECK(fixture.listener.closed().size() == 1);
  CHECK(fixture.server.stats().connections == 0);
}

TEST_CASE("websocket upgrades are only accepted on /ws, with our subprotocol or none", "[web]") {
  Server fixture;
  WsClient elsewhere;
  CHECK_FALSE(elsewhere.connect(fixture.server.port(), "/other"));
  WsClient otherProtocol;
  CHECK_FALSE(otherProtocol.connect(fixture.server.port(), "/ws", std::string("chat")));
  CHECK(fixture.listener.opened().empty());
}

TEST_CASE("a broadcast reaches every client it names", "[web]") {
  Server fixture;
  const int port = fixture.server.port();

  WsClient first, second, third, left;
  for (WsClient* client : {&first, &second, &third, &left}) REQUIRE(client->connect(port));
  REQUIRE(fixture.listener.waitForOpened(4));
  std::vector<ConnectionId> ids;
  for (const auto& opened : fixture.listener.opened()) ids.push_back(opened.id);
  ids.pop_back();  // `left` is not part of it

  fixture.server.broadcast(ids, R"({"type":"vote","open":true})");
  for (WsClient* client : {&first, &second, &third}) {
    const auto received = client->receive();
    REQUIRE(received.ok);
    CHECK(received.text == R"({"type":"vote","open":true})");
  }
  const auto nothing = left.receive(100ms);
  CHECK_FALSE(nothing.ok);
}

TEST_CASE("a websocket message over maxMessageBytes closes that connection with 1009, the others go on", "[web]") {
  WebSettings settings;
  settings.maxMessageBytes = 4096;
  Server fixture(settings);
  const int port = fixture.server.port();
  fixture.listener.echoThrough(&fixture.server);

  WsClient bad, good;
  REQUIRE(bad.connect(port));
  REQUIRE(good.connect(port));
  REQUIRE(fixture.listener.waitForOpened(2));

  REQUIRE(bad.send(std::string(4097, 'x')));
  const auto refused = bad.receive();
  CHECK_FALSE(refused.ok);
  CHECK(refused.closeCode == 1009);
  REQUIRE(fixture.listener.waitForClosed(1));
  CHECK(fixture.server.stats().refusedOversized == 1);
  CHECK(fixture.listener.messages().empty());

  // The same size in fragments is refused the same way; exactly the limit is fine.
  WsClient fragmented;
  REQUIRE(fragmented.connect(port));
  REQUIRE(fragmented.sendFragmented({std::string(3000, 'a'), std::string(1097, 'b')}));
  CHECK(fragmented.receive().closeCode == 1009);
  CHECK(fixture.server.stats().refusedOversized == 2);

  REQUIRE(good.send(std::string(4096, 'y')));
  const auto echo = good.receive();
  REQUIRE(echo.ok);
  CHECK(echo.text == "echo:" + std::string(4096, 'y'));
}

TEST_CASE("a binary message from a client closes its connection with 1003", "[web]") {
  Server fixture;
  WsClient client;
  REQUIRE(client.connect(fixture.server.port()));
  REQUIRE(fixture.listener.waitForOpened(1));
  REQUIRE(client.sendBinary("\x01\x02"));
  const auto refused = client.receive();
  CHECK_FALSE(refused.ok);
  INFO(refused.error);
  CHECK(refused.closeCode == 1003);
  REQUIRE(fixture.listener.waitForClosed(1));
  CHECK(fixture.listener.messages().empty());
}

TEST_CASE("a text message that is not UTF-8 closes the connection with 1007", "[web]") {
  Server fixture;
  WsClient client;
  REQUIRE(client.connect(fixture.server.port()));
  REQUIRE(fixture.listener.waitForOpened(1));
  REQUIRE(client.send(std::string("caf\xe9", 4)));  // a sequence cut short
  const auto refused = client.receive();
  CHECK_FALSE(refused.ok);
  CHECK(refused.closeCode == 1007);

  WsClient other;
  REQUIRE(other.connect(fixture.server.port()));
  REQUIRE(other.send("a\xff b"));  // a byte that never appears in UTF-8
  CHECK(other.receive().closeCode == 1007);
  CHECK(fixture.listener.messages().empty());
}

TEST_CASE("a client that never reads is dropped while another one receives everything", "[web]") {
  WebSettings settings;
  settings.maxQueuedMessages = 16;
  Server fixture(settings);
  const int port = fixture.server.port();

  WsClient slow, fast;
  REQUIRE(slow.connect(port));
  REQUIRE(fast.connect(port));
  REQUIRE(fixture.listener.waitForOpened(2));
  const ConnectionId slowId = fixture.listener.opened()[0].id;
  const ConnectionId fastId = fixture.listener.opened()[1].id;

  // The fast client reads on its own thread; the hub sends in rounds it can keep up with.
  std::atomic<int> fastReceived{0};
  std::atomic<bool> fastFailed{false};
  constexpr std::size_t kMessageBytes = std::size_t{64} * 1024;
  constexpr int kRounds = 40;
  constexpr int kPerRound = 8;
  std::thread reader([&] {
    for (int i = 0; i < kRounds * kPerRound; ++i) {
      const auto received = fast.receive(5s);
      if (!received.ok || received.text.size() != kMessageBytes ||
          received.text[0] != static_cast<char>('a' + i % 26)) {
        fastFailed = true;
        return;
      }
      ++fastReceived;
    }
  });
  for (int round = 0; round < kRounds && !fastFailed; ++round) {
    for (int i = 0; i < kPerRound; ++i) {
      const std::string message(kMessageBytes, static_cast<char>('a' + (round * kPerRound + i) % 26));
      fixture.server.broadcast({slowId, fastId}, message);
    }
    const int expected = (round + 1) * kPerRound;
    REQUIRE(waitUntil([&] { return fastReceived >= expected || fastFailed; }, 5s, 1ms));
  }
  reader.join();
  CHECK_FALSE(fastFailed);
  CHECK(fastReceived == kRounds * kPerRound);
  CHECK(fixture.server.stats().droppedSlowClients == 1);
  REQUIRE(fixture.listener.waitForClosed(1, 8s));
  CHECK(fixture.listener.closed().front() == slowId);
  CHECK(fixture.server.stats().connections == 1);
}

TEST_CASE("a client that reads late gets every message whole and in order once its socket was full", "[web]") {
  // 16 MiB while the client does not read: more than loopback's socket buffers take, so
  // lws keeps the rest of a write (lws_partial_buffered) and every later message must wait
  // for WRITEABLE behind it instead of being written at once.
  WebSettings settings;
  settings.maxQueuedMessages = 1024;
  Server fixture(settings);
  WsClient client;
  REQUIRE(client.connect(fixture.server.port()));
  REQUIRE(fixture.listener.waitForOpened(1));
  const ConnectionId id = fixture.listener.opened()[0].id;

  constexpr std::size_t kMessageBytes = std::size_t{64} * 1024;
  constexpr int kMessages = 256;
  auto message = [&](int i) {
    std::string text = std::to_string(i) + ":";
    text.resize(kMessageBytes, static_cast<char>('a' + i % 26));
    return text;
  };
  for (int i = 0; i < kMessages; ++i) fixture.server.broadcast({id}, message(i));
  std::this_thread::sleep_for(300ms);  // the web thread writes until the socket is full

  int inOrder = 0;
  for (int i = 0; i < kMessages; ++i) {
    const auto received = client.receive(5s);
    INFO("message " << i << ": " << received.error);
    REQUIRE(received.ok);
    if (received.text != message(i)) break;
    ++inOrder;
  }
  CHECK(inOrder == kMessages);
  // Still open and still served at once.
  fixture.server.broadcast({id}, "after");
  CHECK(client.receive(2s).text == "after");
  CHECK(fixture.server.stats().droppedSlowClients == 0);
  CHECK(fixture.server.stats().connections == 1);
}

TEST_CASE("200 websocket clients connected at once each receive a broadcast", "[web]") {
  Server fixture;
  const int port = fixture.server.port();
  constexpr std::size_t kClients = 200;

  boost::asio::io_context io;
  std::vector<std::unique_ptr<WsClient>> clients;
  std::size_t connected = 0;
  std::size_t failed = 0;
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<WsClient>(io));
    clients.back()->startConnect(port, [&](bool ok) { ++(ok ? connected : failed); });
  }
  io.run_for(10s);
  REQUIRE(connected == kClients);
  REQUIRE(fixture.listener.waitForOpened(kClients));
  CHECK(fixture.server.stats().connections == kClients);

  std::vector<ConnectionId> ids;
  for (const auto& opened : fixture.listener.opened()) ids.push_back(opened.id);
  fixture.server.broadcast(ids, R"({"type":"agenda","item":3})");

  std::size_t received = 0;
  for (auto& client : clients) {
    client->startReceive([&](const WsClient::Received& message) {
      if (message.ok && message.text == R"({"type":"agenda","item":3})") ++received;
    });
  }
  io.restart();
  io.run_for(10s);
  CHECK(received == kClients);
  // lws counts a message out once lws_write returned, which may be after the client has it.
  CHECK(waitUntil([&] { return fixture.server.stats().messagesOut == kClients; }, 1s, 1ms));
}

// ---- life cycle ----

TEST_CASE("port 0 takes a free port, and a port already taken is an error", "[web]") {
  Server first;
  CHECK(first.server.port() > 0);
  CHECK(httpCall(first.server.port(), {"GET", "/healthz", {}, {}}).status == 200);

  RecordingListener listener;
  WebSettings settings;
  settings.port = first.server.port();
  CHECK_THROWS_AS(WebServer(settings, listener), std::runtime_error);
}

TEST_CASE("TLS settings must name a certificate and a key that exist", "[web]") {
  TempDir dir;
  testing::writeTextFile(dir / "cert.pem", "not really a certificate");
  RecordingListener listener;
  WebSettings settings;
  settings.port = 0;
  settings.tlsCertificate = dir / "cert.pem";
  CHECK_THROWS_AS(WebServer(settings, listener), std::runtime_error);  // no key
  settings.tlsKey = dir / "missing.key";
  CHECK_THROWS_WITH(WebServer(settings, listener), Catch::Contains("missing.key"));
}

TEST_CASE("stopping the server says goodbye to its websocket clients", "[web]") {
  RecordingListener listener;
  WebSettings settings;
  settings.port = 0;
  auto server = std::make_unique<WebServer>(settings, listener);
  WsClient client;
  REQUIRE(client.connect(server->port()));
  REQUIRE(listener.waitForOpened(1));
  const ConnectionId id = listener.opened().front().id;

  const auto started = std::chrono::steady_clock::now();
  std::thread stopper([&] { server.reset(); });
  const auto goodbye = client.receive();
  stopper.join();
  CHECK_FALSE(goodbye.ok);
  CHECK(goodbye.closeCode == 1001);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  CHECK(listener.closed() == std::vector<ConnectionId>{id});
}

}  // namespace tribune::web
