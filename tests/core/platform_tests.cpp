#include <catch2/catch.hpp>

#include <set>

#include "core/platform.h"
#include "core/publish_url.h"

using namespace tribune::core;
using namespace std::chrono_literals;

TEST_CASE("platform presets cover youtube, facebook, linkedin, peertube, twitch and x", "[platform]") {
  std::set<std::string> ids;
  for (const auto& preset : platformPresets()) ids.insert(preset.id);
  CHECK(ids == std::set<std::string>{"youtube", "facebook", "linkedin", "peertube", "twitch", "x"});
  CHECK(platformPresets().size() == ids.size());
}

TEST_CASE("findPlatform finds a preset by its id and nothing else", "[platform]") {
  const auto* youtube = findPlatform("youtube");
  REQUIRE(youtube != nullptr);
  CHECK(youtube->displayName == "YouTube");
  CHECK(findPlatform("YouTube") == nullptr);
  CHECK(findPlatform("") == nullptr);
  CHECK(findPlatform("instagram") == nullptr);
}

TEST_CASE("youtube publishes over rtmps to live2 with a keyframe at most every 4 s", "[platform]") {
  const auto* preset = findPlatform("youtube");
  REQUIRE(preset != nullptr);
  CHECK(preset->defaultUrl == "rtmps://a.rtmps.youtube.com:443/live2");
  CHECK_FALSE(preset->rtmpsOnly);
  CHECK(preset->maxKeyframeInterval == 4s);
}

TEST_CASE("youtube keeps no replay of a live beyond 12 hours", "[platform]") {
  const auto* preset = findPlatform("youtube");
  REQUIRE(preset != nullptr);
  REQUIRE(preset->maxLiveDuration.has_value());
  CHECK(*preset->maxLiveDuration == 12h);
}

TEST_CASE("facebook accepts only rtmps and cuts a live after 8 hours", "[platform]") {
  const auto* preset = findPlatform("facebook");
  REQUIRE(preset != nullptr);
  CHECK(preset->displayName == "Facebook");
  CHECK(preset->defaultUrl == "rtmps://live-api-s.facebook.com:443/rtmp");
  CHECK(preset->rtmpsOnly);
  REQUIRE(preset->maxLiveDuration.has_value());
  CHECK(*preset->maxLiveDuration == 8h);
}

TEST_CASE("linkedin, peertube and x have no default URL because each live has its own", "[platform]") {
  for (const auto* id : {"linkedin", "peertube", "x"}) {
    const auto* preset = findPlatform(id);
    REQUIRE(preset != nullptr);
    CHECK(preset->defaultUrl.empty());
  }
}

TEST_CASE("x wants a keyframe at most every 3 s and twitch publishes to its app ingest", "[platform]") {
  CHECK(findPlatform("x")->displayName == "X");
  CHECK(findPlatform("x")->maxKeyframeInterval == 3s);
  CHECK(findPlatform("twitch")->defaultUrl == "rtmps://live.twitch.tv:443/app");
  CHECK(findPlatform("twitch")->maxKeyframeInterval <= 4s);
}

TEST_CASE("every preset's default URL parses once a key is given", "[platform]") {
  for (const auto& preset : platformPresets()) {
    if (preset.defaultUrl.empty()) continue;
    INFO(preset.id);
    const auto parsed = parsePublishUrl(preset.defaultUrl, Secret("abcd-1234"));
    REQUIRE(parsed.url.has_value());
    CHECK(parsed.url->tls);
    CHECK(parsed.url->port == 443);
    CHECK(parsed.url->full() == preset.defaultUrl + "/abcd-1234");
  }
}

TEST_CASE("every preset accepts the default 2 s keyframe interval", "[platform]") {
  for (const auto& preset : platformPresets()) {
    INFO(preset.id);
    CHECK(preset.maxKeyframeInterval >= 2s);
    CHECK_FALSE(preset.displayName.empty());
  }
}

TEST_CASE("only youtube and facebook limit the length of a live", "[platform]") {
  for (const auto* id : {"linkedin", "peertube", "twitch", "x"}) {
    INFO(id);
    CHECK_FALSE(findPlatform(id)->maxLiveDuration.has_value());
  }
}

TEST_CASE("liveTimeLeft counts down to the platform's limit and stops at zero", "[platform]") {
  const auto& facebook = *findPlatform("facebook");
  CHECK(liveTimeLeft(facebook, 0s) == std::optional<std::chrono::seconds>(8h));
  CHECK(liveTimeLeft(facebook, 7h + 30min) == std::optional<std::chrono::seconds>(30min));
  CHECK(liveTimeLeft(facebook, 8h - 1s) == std::optional<std::chrono::seconds>(1s));
  CHECK(liveTimeLeft(facebook, 8h) == std::optional<std::chrono::seconds>(0s));
  CHECK(liveTimeLeft(facebook, 9h) == std::optional<std::chrono::seconds>(0s));
  CHECK(liveTimeLeft(*findPlatform("youtube"), 2h) == std::optional<std::chrono::seconds>(10h));
}

TEST_CASE("liveTimeLeft is nothing for a platform without a limit", "[platform]") {
  CHECK_FALSE(liveTimeLeft(*findPlatform("twitch"), 0s));
  CHECK_FALSE(liveTimeLeft(*findPlatform("peertube"), 100h));
  CHECK_FALSE(liveTimeLeft(PlatformPreset{}, 1h));  // a custom server
}

TEST_CASE("the live limit warning comes half an hour ahead", "[platform]") {
  CHECK(kLiveLimitWarning == 30min);
  const auto& facebook = *findPlatform("facebook");
  CHECK(*liveTimeLeft(facebook, 7h + 29min) > kLiveLimitWarning);
  CHECK(*liveTimeLeft(facebook, 7h + 30min) <= kLiveLimitWarning);
}
