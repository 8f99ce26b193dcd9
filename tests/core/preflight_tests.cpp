// The pre-flight check's decisions (issue 23, docs/PREFLIGHT.md): pure, exact figures.
#include <catch2/catch.hpp>

#include "core/preflight.h"

using namespace tribune::core;
using namespace std::chrono_literals;

namespace {

VideoSettings video(VideoProfile profile, int kbps) {
  VideoSettings settings;
  settings.profile = profile;
  settings.bitrateKbps = kbps;
  return settings;
}

}  // namespace

TEST_CASE("the uplink needs every destination's video and audio with 30 % headroom", "[preflight]") {
  CHECK(uplinkNeededKbps(1, 1000, 0) == 1300);
  CHECK(uplinkNeededKbps(1, 3000, 128) == 4067);   // 3128 × 1.3 = 4066.4
  CHECK(uplinkNeededKbps(2, 4500, 128) == 12033);  // 9256 × 1.3 = 12032.8
  CHECK(uplinkNeededKbps(0, 4500, 128) == 0);
}

TEST_CASE("the profile to choose is the largest whose streams fit the measured uplink", "[preflight]") {
  // 4000 / 1.3 = 3076 kb/s a destination, less 128 of audio: 2948, rounded down to 2900.
  CHECK(profileThatFits(4000, 1, 128) == ProfileChoice{VideoProfile::P720p30, 2900});
  // 12100 / 1.3 / 2 = 4653, less 128: 4525 → 1080p30 at 4500, its lowest.
  CHECK(profileThatFits(12100, 2, 128) == ProfileChoice{VideoProfile::P1080p30, 4500});
  CHECK(profileThatFits(20000, 1, 128) == ProfileChoice{VideoProfile::P1080p30, 15200});
  CHECK(profileThatFits(40000, 1, 128) == ProfileChoice{VideoProfile::P1080p30, 20000});  // the config's bound
  // 2000 / 1.3 = 1538, less 128: 1410 → 1400, below 720p30's 1500.
  CHECK_FALSE(profileThatFits(2000, 1, 128));
  CHECK(profileThatFits(2150, 1, 128) == ProfileChoice{VideoProfile::P720p30, 1500});
  CHECK_FALSE(profileThatFits(50000, 0, 128));
}

TEST_CASE("the test publish's ceiling and what reaching it means", "[preflight]") {
  CHECK(uplinkProbeCeilingKbps(2767) == 8000);
  CHECK(uplinkProbeCeilingKbps(6017) == 12034);
  CHECK(uplinkProbeCeilingKbps(30000) == 50000);
  CHECK(uplinkMeasured(3950, 8000).kind == UplinkMeasure::Kind::measured);
  CHECK(uplinkMeasured(7199, 8000).kind == UplinkMeasure::Kind::measured);
  CHECK(uplinkMeasured(7200, 8000).kind == UplinkMeasure::Kind::atLeast);
  CHECK(uplinkMeasured(7200, 8000).kbps == 7200);
}

TEST_CASE("an uplink that carries the destinations is green with the measured figure", "[preflight]") {
  const auto line = uplinkLine({UplinkMeasure::Kind::measured, 4000, ""}, 1, video(VideoProfile::P720p30, 2000), 128);
  CHECK(line.id == "uplink");
  CHECK(line.level == PreflightLevel::green);
  CHECK(line.text == "Débit montant mesuré : 4000 kb/s (il faut 2767 kb/s pour 1 destination(s) avec 30 % de marge).");
  CHECK(line.advice.empty());
  const auto faster = uplinkLine({UplinkMeasure::Kind::atLeast, 8000, ""}, 1, video(VideoProfile::P720p30, 2000), 128);
  CHECK(faster.level == PreflightLevel::green);
  CHECK(faster.text.starts_with("Débit montant mesuré : au moins 8000 kb/s"));
}

TEST_CASE("an uplink too slow is red and names the profile to choose", "[preflight]") {
  const auto line = uplinkLine({UplinkMeasure::Kind::measured, 4000, ""}, 1, video(VideoProfile::P1080p30, 4500), 128);
  CHECK(line.level == PreflightLevel::red);
  CHECK(line.text ==
        "Débit montant insuffisant : 4000 kb/s (il faut 6017 kb/s pour 1 destination(s) avec 30 % de marge).");
  CHECK(line.advice ==
        "Choisissez video.profile \"720p30\" et video.bitrate_kbps 2900, ou diffusez vers moins de destinations.");
  // Exactly the need: green; one kb/s less: red.
  CHECK(uplinkLine({UplinkMeasure::Kind::measured, 6017, ""}, 1, video(VideoProfile::P1080p30, 4500), 128).level ==
        PreflightLevel::green);
  CHECK(uplinkLine({UplinkMeasure::Kind::measured, 6016, ""}, 1, video(VideoProfile::P1080p30, 4500), 128).level ==
        PreflightLevel::red);
  const auto hopeless =
      uplinkLine({UplinkMeasure::Kind::measured, 2000, ""}, 2, video(VideoProfile::P720p30, 3000), 128);
  CHECK(hopeless.level == PreflightLevel::red);
  CHECK(hopeless.advice ==
        "Aucun profil ne tient : diffusez vers moins de destinations ou utilisez une autre connexion.");
}

TEST_CASE("an uplink not measured is orange and says why", "[preflight]") {
  const auto v = video(VideoProfile::P1080p30, 4500);
  const auto none = uplinkLine({UplinkMeasure::Kind::notConfigured, 0, ""}, 1, v, 128);
  CHECK(none.level == PreflightLevel::orange);
  CHECK(none.advice.find("preflight.test_url") != std::string::npos);
  const auto live = uplinkLine({UplinkMeasure::Kind::duringBroadcast, 0, ""}, 1, v, 128);
  CHECK(live.level == PreflightLevel::orange);
  CHECK(live.text == "Mesure du débit impossible pendant une diffusion.");
  CHECK(uplinkLine({UplinkMeasure::Kind::failed, 0, "refused"}, 1, v, 128).level == PreflightLevel::orange);
}

TEST_CASE("the source must be there and moving", "[preflight]") {
  CHECK(sourceLine(SourceObservation{true, true}).level == PreflightLevel::green);
  CHECK(sourceLine(SourceObservation{true, false}).text == "L'image de la source est figée.");
  CHECK(sourceLine(SourceObservation{true, false}).level == PreflightLevel::red);
  CHECK(sourceLine(SourceObservation{false, false}).level == PreflightLevel::red);
  CHECK(sourceLine(std::nullopt).level == PreflightLevel::orange);
}

TEST_CASE("the sound is red when silent and orange when it clips", "[preflight]") {
  CHECK(soundLine(-50.1).level == PreflightLevel::red);
  CHECK(soundLine(-50.0).level == PreflightLevel::green);
  CHECK(soundLine(-12.0).level == PreflightLevel::green);
  CHECK(soundLine(-0.6).level == PreflightLevel::green);
  CHECK(soundLine(-0.5).level == PreflightLevel::orange);
  CHECK(soundLine(0.0).text == "Le son sature (trop fort).");
  CHECK(soundLine(std::nullopt).level == PreflightLevel::orange);
}

TEST_CASE("each enabled destination is a line, red with the failure's advice", "[preflight]") {
  const auto lines = destinationLines(
      {{"yt", "rtmp://a.rtmp.youtube.com/live2/****", true, std::nullopt},
       {"fb", "rtmps://live-api-s.facebook.com:443/rtmp/****", false, Failure{FailureKind::KeyRefused, "closed"}}});
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].id == "destination:yt");
  CHECK(lines[0].level == PreflightLevel::green);
  CHECK(lines[0].text == "yt (rtmp://a.rtmp.youtube.com/live2/****) accepte la diffusion.");
  CHECK(lines[1].level == PreflightLevel::red);
  CHECK(lines[1].text == "fb (rtmps://live-api-s.facebook.com:443/rtmp/****) : " +
                             std::string(describe(FailureKind::KeyRefused).reasonFr) + ".");
  CHECK(lines[1].advice == describe(FailureKind::KeyRefused).adviceFr);
  const auto skipped = destinationLines({{"yt", "rtmp://x/live2/****", false, std::nullopt, true}});
  CHECK(skipped[0].level == PreflightLevel::orange);
  CHECK(skipped[0].text == "yt non vérifiée pendant une diffusion.");
  const auto none = destinationLines({});
  REQUIRE(none.size() == 1);
  CHECK(none[0].level == PreflightLevel::orange);
}

TEST_CASE("the disk must hold the expected meeting's recording", "[preflight]") {
  Config config;  // 4500 + 128 kb/s for 240 min: 578,500 B/s × 14,400 s
  const std::uint64_t needed = 578500ULL * 14400;
  const auto short_of = diskLine(needed - 1, config);
  REQUIRE(short_of);
  CHECK(short_of->level == PreflightLevel::red);
  CHECK(short_of->text == "Disque trop petit pour la séance : 8,3 Go libres, 8,3 Go pour 4 h d'enregistrement.");
  const auto fits = diskLine(100'000'000'000ULL, config);
  CHECK(fits->level == PreflightLevel::green);
  CHECK(fits->text == "Place sur le disque : 100,0 Go libres, 8,3 Go pour 4 h d'enregistrement.");
  CHECK(diskLine(needed, config)->level == PreflightLevel::green);
  config.recording.expectedDuration = 150min;
  CHECK(diskLine(100'000'000'000ULL, config)->text.ends_with("pour 2 h 30 min d'enregistrement."));
  config.recording.expectedDuration = 45min;
  CHECK(diskLine(100'000'000'000ULL, config)->text.ends_with("pour 45 min d'enregistrement."));
  config.recording.enabled = false;
  CHECK_FALSE(diskLine(0, config));
}

TEST_CASE("the clock is orange unless it is known synchronised", "[preflight]") {
  CHECK(clockLine(true).level == PreflightLevel::green);
  CHECK(clockLine(false).level == PreflightLevel::orange);
  CHECK(clockLine(std::nullopt).level == PreflightLevel::orange);
}

TEST_CASE("the report's level is its worst line's, and its JSON carries every line", "[preflight]") {
  PreflightReport report;
  CHECK(report.overall() == PreflightLevel::green);
  report.lines.push_back(clockLine(true));
  report.lines.push_back(soundLine(std::nullopt));
  CHECK(report.overall() == PreflightLevel::orange);
  report.lines.push_back(sourceLine(SourceObservation{false, false}));
  CHECK(report.overall() == PreflightLevel::red);
  const auto json = preflightJson(report);
  CHECK(json["level"] == "red");
  REQUIRE(json["lines"].size() == 3);
  CHECK(json["lines"][0]["id"] == "clock");
  CHECK(json["lines"][0]["level"] == "green");
  CHECK(json["lines"][1]["level"] == "orange");
  CHECK(json["lines"][2]["text"] == "Aucune image de la source.");
  CHECK(json["lines"][2]["advice"] != "");
  CHECK_FALSE(json.contains("uplink_kbps"));
  report.uplinkKbps = 3987;
  CHECK(preflightJson(report)["uplink_kbps"] == 3987);
}
