// HTTPS and WSS: the town hall's Wi-Fi is not a network to trust. A throw-away
// certificate made with the openssl CLI; curl as the client.
#include <catch2/catch.hpp>

#include "support/process.h"
#include "support/temp_dir.h"
#include "web/web_server.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

class SilentListener final : public web::WebListener {
 public:
  void onOpen(web::ConnectionId, std::string) override {}
  void onMessage(web::ConnectionId, std::string) override {}
  void onClose(web::ConnectionId) override {}
  void onHttpRequest(web::HttpRequest) override {}
};

}  // namespace

TEST_CASE("with a certificate the web server speaks HTTPS, and plain HTTP gets nothing", "[web][tls]") {
  TempDir dir;
  REQUIRE(runCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                      "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", (dir / "key.pem").string(),
                      "-out", (dir / "cert.pem").string()},
                     60s)
              .exit_code == 0);
  writeTextFile(dir / "index.html", "<!doctype html><title>t</title>bonjour");
  web::WebSettings settings;
  settings.port = 0;
  settings.root = dir.path();
  settings.tlsCertificate = dir / "cert.pem";
  settings.tlsKey = dir / "key.pem";
  SilentListener listener;
  web::WebServer server(settings, listener);
  const std::string port = std::to_string(server.port());

  auto https = runCommand({"curl", "-s", "--max-time", "10", "--cacert", (dir / "cert.pem").string(),
                           "https://127.0.0.1:" + port + "/healthz"},
                          20s);
  INFO(https.err);
  CHECK(https.exit_code == 0);
  CHECK(https.out == "ok");
  auto page = runCommand(
      {"curl", "-s", "--max-time", "10", "--cacert", (dir / "cert.pem").string(), "https://127.0.0.1:" + port + "/"},
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
