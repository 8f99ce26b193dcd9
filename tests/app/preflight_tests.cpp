// `tribune check --preflight` (issue 23, docs/PREFLIGHT.md): the uplink measured through a
// TCP proxy that stands for a town hall's line at a known rate, in front of a real
// nginx-rtmp, and the report's advice for a budget that fits and one that does not.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/preflight.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/tcp_proxy.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

const std::string kTribune = TRIBUNE_BINARY;

// 4000 kb/s: far below what loopback and this process do even on a loaded machine, so
// the proxy's limit is the bottleneck; high enough that 720p30 fits it.
constexpr int kLinkKbps = 4000;

nlohmann::json lineOf(const nlohmann::json& report, const std::string& id) {
  for (const auto& line : report["lines"]) {
    if (line["id"] == id) return line;
  }
  FAIL("no line " << id << " in " << report.dump(2));
  return {};
}

std::string configWith(const std::string& video, const std::string& destinationUrl, const std::string& testUrl,
                       const TempDir& dir) {
  return R"({"data_dir": ")" + (dir / "data").string() + R"(", "video": )" + video +
         R"(, "recording": {"expected_duration_minutes": 10}, "destinations": [{"name": "ingest", "url": ")" +
         destinationUrl + R"("}], "preflight": {"test_url": ")" + testUrl + R"("}})";
}

}  // namespace

TEST_CASE("check --preflight measures the uplink and says when the destinations fit it", "[cli][preflight][rtmp]") {
  NginxRtmp server;
  server.start();
  TcpProxy link(server.rtmpPort());
  link.limitUpload(kLinkKbps * 1000 / 8);
  const auto testUrl = "rtmp://127.0.0.1:" + std::to_string(link.port()) + "/live/uplink-SECRET";
  TempDir dir;

  SECTION("one 720p30 stream at 2000 kb/s fits: green, with the measured figure") {
    writeTextFile(dir / "tribune.json", configWith(R"({"profile": "720p30", "bitrate_kbps": 2000})",
                                                   server.rtmpUrl("dest-key"), testUrl, dir));
    auto result =
        runCommand({kTribune, "check", "--preflight", "--json", "--config", (dir / "tribune.json").string()}, 90s);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);  // oranges (source, sound not observed; maybe the clock) are warnings
    const auto report = nlohmann::json::parse(result.out);
    const int measured = report["uplink_kbps"].get<int>();
    CHECK(measured >= kLinkKbps * 8 / 10);
    CHECK(measured <= kLinkKbps * 12 / 10);
    const auto uplink = lineOf(report, "uplink");
    CHECK(uplink["level"] == "green");
    CHECK(uplink["text"] == "Débit montant mesuré : " + std::to_string(measured) +
                                " kb/s (il faut 2767 kb/s pour 1 destination(s) avec 30 % de marge).");
    CHECK(lineOf(report, "destination:ingest")["level"] == "green");
    CHECK(lineOf(report, "disk")["level"] == "green");
    CHECK(result.out.find("SECRET") == std::string::npos);
    CHECK(result.err.find("SECRET") == std::string::npos);
    // The test publish went through the proxy to nginx, under the test URL's name.
    bool published = false;
    for (const auto& attempt : server.publishAttempts()) published = published || attempt.name == "uplink-SECRET";
    CHECK(published);
    CHECK(link.connections() == 1);
  }

  SECTION("one 1080p30 stream at 4500 kb/s does not: red, with the profile to choose") {
    writeTextFile(dir / "tribune.json", configWith(R"({"profile": "1080p30", "bitrate_kbps": 4500})",
                                                   server.rtmpUrl("dest-key"), testUrl, dir));
    auto result =
        runCommand({kTribune, "check", "--preflight", "--json", "--config", (dir / "tribune.json").string()}, 90s);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    const auto report = nlohmann::json::parse(result.out);
    CHECK(report["level"] == "red");
    const int measured = report["uplink_kbps"].get<int>();
    CHECK(measured >= kLinkKbps * 8 / 10);
    CHECK(measured <= kLinkKbps * 12 / 10);
    const auto uplink = lineOf(report, "uplink");
    CHECK(uplink["level"] == "red");
    CHECK(uplink["text"] == "Débit montant insuffisant : " + std::to_string(measured) +
                                " kb/s (il faut 6017 kb/s pour 1 destination(s) avec 30 % de marge).");
    const auto fits = tribune::core::profileThatFits(measured, 1, 128);
    REQUIRE(fits);
    CHECK(fits->profile == tribune::core::VideoProfile::P720p30);
    CHECK(uplink["advice"] == "Choisissez video.profile \"720p30\" et video.bitrate_kbps " +
                                  std::to_string(fits->videoKbps) + ", ou diffusez vers moins de destinations.");
  }
}

TEST_CASE("check --preflight prints one French line a check and says how to measure the uplink", "[cli][preflight]") {
  TempDir dir;
  writeTextFile(dir / "tribune.json", R"({"data_dir": ")" + (dir / "data").string() +
                                          R"(", "recording": {"expected_duration_minutes": 10}})");
  auto result = runCommand({kTribune, "check", "--preflight", "--config", (dir / "tribune.json").string()}, 30s);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("Vérification avant la séance :") != std::string::npos);
  CHECK(result.out.find("! ORANGE  Aucune destination : la séance sera seulement enregistrée.") != std::string::npos);
  CHECK(result.out.find("! ORANGE  Débit montant non mesuré (il faut 0 kb/s pour 0 destination(s)") !=
        std::string::npos);
  CHECK(result.out.find("→ Indiquez un serveur de test dans preflight.test_url") != std::string::npos);
  CHECK(result.out.find("✔ VERT    Place sur le disque") != std::string::npos);
}

TEST_CASE("check --preflight says when the test server refuses the test publish", "[cli][preflight][rtmp]") {
  NginxRtmp server;
  server.start();
  TempDir dir;
  // nginx's on_publish refuses names starting with "refused".
  writeTextFile(dir / "tribune.json", R"({"data_dir": ")" + (dir / "data").string() +
                                          R"(", "recording": {"enabled": false}, "preflight": {"test_url": ")" +
                                          server.rtmpUrl("refused-TEST-SECRET") + R"("}})");
  auto result =
      runCommand({kTribune, "check", "--preflight", "--json", "--config", (dir / "tribune.json").string()}, 60s);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  const auto report = nlohmann::json::parse(result.out);
  const auto uplink = lineOf(report, "uplink");
  CHECK(uplink["level"] == "orange");
  CHECK(uplink["text"].get<std::string>().starts_with(
      "Débit montant non mesuré : le serveur de test n'a pas pris la publication de test. ["));
  CHECK_FALSE(report.contains("uplink_kbps"));
  CHECK(result.out.find("TEST-SECRET") == std::string::npos);
}

TEST_CASE("check --json without --preflight is refused", "[cli][preflight]") {
  auto result = runCommand({kTribune, "check", "--json"}, 10s);
  CHECK(result.exit_code != 0);
  CHECK(result.err.find("--preflight") != std::string::npos);
}
