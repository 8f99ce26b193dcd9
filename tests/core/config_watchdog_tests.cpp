// The source watchdog's settings, the meeting's expected duration and the audio drift
// correction (docs/CONFIG.md: watchdog, recording, audio).
#include <catch2/catch.hpp>

#include "config_test_helpers.h"

using namespace tribune::core;
using namespace tribune::core::testing;
using namespace std::chrono_literals;

TEST_CASE("the watchdog, the expected duration and drift correction have their defaults", "[config][watchdog]") {
  const auto result = parse("{}");
  REQUIRE(result.ok());
  const auto& config = result.config;
  CHECK(config.watchdog.sourceTimeout == 500ms);
  CHECK(config.watchdog.sourceStartTimeout == 5000ms);
  CHECK(config.watchdog.restartMaxDelay == 10000ms);
  CHECK(config.watchdog.encoderStall == 2000ms);
  CHECK(config.recording.expectedDuration == 240min);
  CHECK(config.audio.driftCorrection);
}

TEST_CASE("the watchdog, the expected duration and drift correction are read from the document", "[config][watchdog]") {
  const auto result = parse(R"({
    "audio": {"bitrate_kbps": 192, "drift_correction": false},
    "recording": {"expected_duration_minutes": 90},
    "watchdog": {"source_timeout_ms": 800, "source_start_timeout_ms": 12000, "restart_max_delay_ms": 30000,
                 "encoder_stall_ms": 3000}
  })");
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  const auto& config = result.config;
  CHECK(config.audio.bitrateKbps == 192);
  CHECK_FALSE(config.audio.driftCorrection);
  CHECK(config.recording.expectedDuration == 90min);
  CHECK(config.recording.enabled);
  CHECK(config.watchdog.sourceTimeout == 800ms);
  CHECK(config.watchdog.sourceStartTimeout == 12000ms);
  CHECK(config.watchdog.restartMaxDelay == 30000ms);
  CHECK(config.watchdog.encoderStall == 3000ms);
}

TEST_CASE("a watchdog member given alone keeps the defaults of the others", "[config][watchdog]") {
  const auto result = parse(R"({"watchdog": {"encoder_stall_ms": 1000}})");
  REQUIRE(result.ok());
  CHECK(result.config.watchdog.encoderStall == 1000ms);
  CHECK(result.config.watchdog.sourceTimeout == 500ms);
  CHECK(result.config.watchdog.sourceStartTimeout == 5000ms);
  CHECK(result.config.watchdog.restartMaxDelay == 10000ms);
}

TEST_CASE("each watchdog or expected duration number outside its range is refused with its path",
          "[config][watchdog]") {
  const std::vector<IntRangeCase> cases = {
      {"watchdog", "source_timeout_ms", 100, 10000},        {"watchdog", "source_start_timeout_ms", 500, 60000},
      {"watchdog", "restart_max_delay_ms", 500, 300000},    {"watchdog", "encoder_stall_ms", 500, 30000},
      {"recording", "expected_duration_minutes", 10, 1440},
  };
  for (const auto& c : cases) checkIntRange(c);
}

TEST_CASE("watchdog, expected duration and drift correction values of the wrong type name the expected type",
          "[config][watchdog]") {
  struct Case {
    std::string document;
    std::string path;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"watchdog": []})", "watchdog", "attendu un objet, reçu un tableau"},
      {R"({"watchdog": 500})", "watchdog", "attendu un objet, reçu un nombre entier"},
      {R"({"watchdog": {"source_timeout_ms": "500"}})", "watchdog.source_timeout_ms",
       "attendu un nombre entier, reçu une chaîne"},
      {R"({"watchdog": {"source_start_timeout_ms": 5.5}})", "watchdog.source_start_timeout_ms",
       "attendu un nombre entier, reçu un nombre décimal"},
      {R"({"watchdog": {"restart_max_delay_ms": null}})", "watchdog.restart_max_delay_ms",
       "attendu un nombre entier, reçu null"},
      {R"({"watchdog": {"encoder_stall_ms": true}})", "watchdog.encoder_stall_ms",
       "attendu un nombre entier, reçu un booléen"},
      {R"({"recording": {"expected_duration_minutes": "4h"}})", "recording.expected_duration_minutes",
       "attendu un nombre entier, reçu une chaîne"},
      {R"({"audio": {"drift_correction": "yes"}})", "audio.drift_correction",
       "attendu un booléen (true ou false), reçu une chaîne"},
      {R"({"audio": {"drift_correction": 1}})", "audio.drift_correction",
       "attendu un booléen (true ou false), reçu un nombre entier"},
  };
  for (const auto& c : cases) requireOnlyProblem(c.document, c.path, c.message);
}

TEST_CASE("unknown watchdog keys are refused with a suggestion or the known keys", "[config][watchdog]") {
  requireSingleProblem(R"({"watchdog": {"source_timeout_s": 1}})", "watchdog.source_timeout_s",
                       R"(clé inconnue « source_timeout_s » (vouliez-vous dire « source_timeout_ms » ?))");
  requireSingleProblem(
      R"({"watchdog": {"slate": true}})", "watchdog.slate",
      R"(clé inconnue « slate » ; clés connues : source_timeout_ms, source_start_timeout_ms, restart_max_delay_ms, )"
      R"(encoder_stall_ms)");
  requireSingleProblem(R"({"watchdg": {}})", "watchdg",
                       R"(clé inconnue « watchdg » (vouliez-vous dire « watchdog » ?))");
  requireSingleProblem(R"({"audio": {"drift_corection": true}})", "audio.drift_corection",
                       R"(clé inconnue « drift_corection » (vouliez-vous dire « drift_correction » ?))");
  requireSingleProblem(
      R"({"recording": {"expected_duration_minute": 60}})", "recording.expected_duration_minute",
      R"(clé inconnue « expected_duration_minute » (vouliez-vous dire « expected_duration_minutes » ?))");
}

TEST_CASE("every watchdog problem is reported in document order", "[config][watchdog]") {
  const auto result =
      parse(R"({"watchdog": {"source_timeout_ms": 50, "encoder_stall_ms": "x", "restart_max_delay_ms": 1}})");
  REQUIRE(result.problems.size() == 3);
  CHECK(result.problems[0].path == "watchdog.source_timeout_ms");
  CHECK(result.problems[1].path == "watchdog.encoder_stall_ms");
  CHECK(result.problems[2].path == "watchdog.restart_max_delay_ms");
}
