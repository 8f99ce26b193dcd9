#include <catch2/catch.hpp>

#include "config_test_helpers.h"

using namespace tribune::core;
using namespace tribune::core::testing;

TEST_CASE("audio.loudness defaults to -16 LUFS, -1 dBTP, on", "[config]") {
  const auto result = parse("{}");
  REQUIRE(result.problems.empty());
  const auto& loudness = result.config.audio.loudness;
  CHECK(loudness.enabled);
  CHECK(loudness.targetLufs == -16.0);
  CHECK(loudness.truePeakDbtp == -1.0);
  CHECK(loudness.maxGainDb == 20.0);
  CHECK(loudness.gateLufs == -50.0);
}

TEST_CASE("audio.loudness takes broadcast practice's target and its other keys", "[config]") {
  const auto result = parse(
      R"({"audio": {"loudness": {"enabled": false, "target_lufs": -23, "true_peak_dbtp": -2.5, "max_gain_db": 12,
                                 "gate_lufs": -55}}})");
  REQUIRE(describe(result.problems).empty());
  const auto& loudness = result.config.audio.loudness;
  CHECK_FALSE(loudness.enabled);
  CHECK(loudness.targetLufs == -23.0);
  CHECK(loudness.truePeakDbtp == -2.5);
  CHECK(loudness.maxGainDb == 12.0);
  CHECK(loudness.gateLufs == -55.0);
}

TEST_CASE("audio.loudness: each wrong value is reported at its path", "[config]") {
  requireSingleProblem(R"({"audio": {"loudness": {"target_lufs": -5}}})", "audio.loudness.target_lufs",
                       "-5 hors limites (de -31 à -10)");
  requireSingleProblem(R"({"audio": {"loudness": {"target_lufs": "-16"}}})", "audio.loudness.target_lufs",
                       "attendu un nombre");
  requireSingleProblem(R"({"audio": {"loudness": {"true_peak_dbtp": 0.5}}})", "audio.loudness.true_peak_dbtp",
                       "0.5 hors limites (de -9 à 0)");
  requireSingleProblem(R"({"audio": {"loudness": {"max_gain_db": 40}}})", "audio.loudness.max_gain_db",
                       "hors limites (de 0 à 30)");
  requireSingleProblem(R"({"audio": {"loudness": {"enabled": "yes"}}})", "audio.loudness.enabled",
                       "attendu un booléen");
  requireSingleProblem(R"({"audio": {"loudness": {"target": -16}}})", "audio.loudness.target",
                       R"(clé inconnue « target »)");
  requireSingleProblem(R"({"audio": {"loudness": true}})", "audio.loudness", "attendu un objet");
  requireSingleProblem(R"({"audio": {"loudness": {"target_lufs": -31, "gate_lufs": -35}}})", "audio.loudness.gate_lufs",
                       "au moins 10 LU sous target_lufs (-31)");
}
