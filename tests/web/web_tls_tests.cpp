// HTTPS and WSS: the town hall's Wi-Fi is not a network to trust. A throw-away
// certificate made with the openssl CLI; curl and a Boost.Beast WSS client as the clients.
//
// Over TLS the server writes only in lws' WRITEABLE callback, one message each, so these
// tests drive the path that plain websockets take only behind a partially buffered write.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "beast_clients.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "web/web_server.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

struct Certificate {
  std::filesystem::path certificate;
  std::filesystem::path key;
};

// A self-signed certificate for 127.0.0.1 and its key, in dir, named after `name`.
Certificate makeCertificate(const TempDir& dir, const std::string& name) {
  Certificate made{dir / (name + ".pem"), dir / (name + "-key.pem")};
  REQUIRE(runCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                      "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", made.key.string(), "-out",
                      made.certificate.string()},
                     60s)
              .exit_code == 0);
  return made;
}

web::WebSettings tlsSettings(const TempDir& dir, const Certificate& certificate) {
  web::WebSettings settings;
  settings.port = 0;
  settings.root = dir.path();
  settings.tlsCertificate = certificate.certificate;
  settings.tlsKey = certificate.key;
  return settings;
}

class SilentListener final : public web::WebListener {
 public:
  void onOpen(web::ConnectionId, std::string) override {}
  void onMessage(web::ConnectionId, std::string) override {}
  void onClose(web::ConnectionId) override {}
  void onHttpRequest(web::HttpRequest) override {}
};

// Remembers, from the web thread, the websocket connections and what they said.
class HearingListener final : public web::WebListener {
 public:
  struct Heard {
    web::ConnectionId connection;
    std::string text;
  };

  void onOpen(web::ConnectionId connection, std::string) override {
    std::lock_guard lock(mutex_);
    opened_.push_back(connection);
  }
  void onMessage(web::ConnectionId connection, std::string text) override {
    std::lock_guard lock(mutex_);
    heard_.push_back({connection, std::move(text)});
  }
  void onClose(web::ConnectionId connection) override {
    std::lock_guard lock(mutex_);
    closed_.push_back(connection);
  }
  void onHttpRequest(web::HttpRequest) override {}

  std::vector<web::ConnectionId> opened() const {
    std::lock_guard lock(mutex_);
    return opened_;
  }
  std::vector<Heard> heard() const {
    std::lock_guard lock(mutex_);
    return heard_;
  }
  std::vector<web::ConnectionId> closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<web::ConnectionId> opened_;
  std::vector<Heard> heard_;
  std::vector<web::ConnectionId> closed_;
};

// A WSS server on a free port, with its throw-away certificate.
struct WssServer {
  TempDir dir{"tribune-wss"};
  Certificate certificate = makeCertificate(dir, "server");
  HearingListener listener;
  web::WebServer server{tlsSettings(dir, certificate), listener};

  // A client that trusts this server's certificate, connected; the id the server gave it.
  web::ConnectionId connect(WssClient& client) {
    const std::size_t before = listener.opened().size();
    const bool connected = client.connect(server.port());
    INFO("WSS connect: " << client.lastError());
    REQUIRE(connected);
    REQUIRE(waitUntil([&] { return listener.opened().size() > before; }, 5s, 2ms));
    return listener.opened().back();
  }
};

}  // namespace

TEST_CASE("with a certificate the web server speaks HTTPS, and plain HTTP gets nothing", "[web][tls]") {
  TempDir dir;
  const Certificate certificate = makeCertificate(dir, "cert");
  writeTextFile(dir / "index.html", "<!doctype html><title>t</title>bonjour");
  SilentListener listener;
  web::WebServer server(tlsSettings(dir, certificate), listener);
  const std::string port = std::to_string(server.port());

  auto https = runCommand({"curl", "-s", "--max-time", "10", "--cacert", certificate.certificate.string(),
                           "https://127.0.0.1:" + port + "/healthz"},
                          20s);
  INFO(https.err);
  CHECK(https.exit_code == 0);
  CHECK(https.out == "ok");
  auto page = runCommand({"curl", "-s", "--max-time", "10", "--cacert", certificate.certificate.string(),
                          "https://127.0.0.1:" + port + "/"},
                         20s);
  CHECK(page.out.find("bonjour") != std::string::npos);
  auto plain = runCommand({"curl", "-s", "--max-time", "5", "http://127.0.0.1:" + port + "/healthz"}, 20s);
  CHECK(plain.out != "ok");
}

TEST_CASE("a missing certificate file is a clear start-up error", "[web][tls]") {
  TempDir dir;
  web::WebSettings settings;
  settings.port = 0;
  settings.root = dir.path();
  settings.tlsCertificate = dir / "absent.pem";
  settings.tlsKey = dir / "absent-key.pem";
  SilentListener listener;
  CHECK_THROWS_WITH(web::WebServer(settings, listener), Catch::Contains("absent.pem"));
}

// The close is found in WRITEABLE after the last message; lws sends it only if that
// callback says so (commit 6e23dfe). Otherwise it waited for the 75 s idle hang-up.
TEST_CASE("over WSS, messages sent back to back arrive in order and the server's close follows at once", "[web][tls]") {
  WssServer fixture;
  WssClient client(fixture.certificate.certificate);
  const web::ConnectionId id = fixture.connect(client);

  constexpr int kMessages = 20;  // each waits for its own WRITEABLE over TLS
  for (int i = 0; i < kMessages; ++i) fixture.server.send(id, "motion " + std::to_string(i));
  fixture.server.close(id, "séance levée");

  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kMessages; ++i) {
    const auto received = client.receive(5s);
    INFO("message " << i << ": " << received.error);
    REQUIRE(received.ok);
    CHECK(received.text == "motion " + std::to_string(i));
  }
  const auto goodbye = client.receive(5s);
  INFO(goodbye.error);
  CHECK_FALSE(goodbye.ok);
  CHECK(goodbye.closeCode == 1000);
  CHECK(goodbye.closeReason == "séance levée");
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK(waitUntil([&] { return fixture.listener.closed() == std::vector<web::ConnectionId>{id}; }, 5s, 2ms));
  CHECK(fixture.server.stats().connections == 0);
  CHECK(fixture.server.stats().messagesOut == kMessages);
}

TEST_CASE("over WSS, a client's messages reach the listener whole, and its close is reported", "[web][tls]") {
  WssServer fixture;
  WssClient client(fixture.certificate.certificate);
  const web::ConnectionId id = fixture.connect(client);

  REQUIRE(client.send(R"({"type":"hello"})"));
  REQUIRE(client.sendFragmented({R"({"type":)", R"("frag)", R"(mented"})"}));
  const std::string large(12000, 'L');  // more than one read: it comes in pieces
  REQUIRE(client.send(large));
  REQUIRE(waitUntil([&] { return fixture.listener.heard().size() >= 3; }, 5s, 2ms));
  const auto heard = fixture.listener.heard();
  REQUIRE(heard.size() == 3);
  CHECK(heard[0].connection == id);
  CHECK(heard[0].text == R"({"type":"hello"})");
  CHECK(heard[1].text == R"({"type":"fragmented"})");
  CHECK(heard[2].text == large);
  CHECK(fixture.server.stats().messagesIn == 3);

  REQUIRE(client.close());
  CHECK(waitUntil([&] { return fixture.listener.closed() == std::vector<web::ConnectionId>{id}; }, 5s, 2ms));
}

TEST_CASE("a WSS client that does not trust the server's certificate does not get through", "[web][tls]") {
  WssServer fixture;
  const Certificate stranger = makeCertificate(fixture.dir, "stranger");
  WssClient client(stranger.certificate);
  CHECK_FALSE(client.connect(fixture.server.port()));
  INFO(client.lastError());
  CHECK(client.lastError().rfind("TLS: ", 0) == 0);
  CHECK(fixture.listener.opened().empty());

  // The same server with the certificate trusted: the refusal was the client's verification.
  WssClient trusting(fixture.certificate.certificate);
  CHECK(trusting.connect(fixture.server.port()));
}
