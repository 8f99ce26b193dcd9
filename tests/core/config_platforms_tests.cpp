#include <catch2/catch.hpp>

#include "config_test_helpers.h"

using namespace tribune::core;
using namespace tribune::core::testing;

TEST_CASE("without a platforms section no platform is used and no proxy is set", "[config][platforms]") {
  const auto result = parse("{}");
  REQUIRE(result.problems.empty());
  CHECK_FALSE(result.config.platforms.youtube);
  CHECK_FALSE(result.config.platforms.facebook);
  CHECK_FALSE(result.config.platforms.peertube);
  CHECK(result.config.platforms.audienceInterval == std::chrono::seconds{60});
  CHECK_FALSE(result.config.network.proxy);
}

TEST_CASE("platforms: each platform's keys are read and its base addresses are configurable", "[config][platforms]") {
  const auto result = parse(
      R"({
    "platforms": {
      "youtube": {"client_id": "123.apps.googleusercontent.com", "client_secret_env": "YT_SECRET",
                  "oauth_url": "http://127.0.0.1:9/google/", "api_url": "http://127.0.0.1:9/youtube/v3",
                  "auto_create": true, "privacy": "unlisted", "chapters_in_description": true,
                  "quota": {"daily_units": 20000, "reserve_units": 800, "costs": {"liveBroadcasts.insert": 55}}},
      "facebook": {"app_id": "4242", "client_token_secret": "fb_client", "app_secret": "s3cr3t-app",
                   "graph_url": "http://127.0.0.1:9/facebook", "graph_version": "v26.0", "page_id": "1000"},
      "peertube": {"instance_url": "https://videos.example.fr", "username": "mairie", "password_env": "PT_PASSWORD",
                   "channel": "conseil", "privacy": "private"},
      "title_template": "{{title}} — {{date}}",
      "audience_interval_s": 30
    },
    "network": {"proxy": "http://proxy.mairie.local:3128"}
  })",
      lookupOf({{"YT_SECRET", "yt-secret-value"}, {"PT_PASSWORD", "pt-password"}}, {{"fb_client", "fb-client-token"}}));
  REQUIRE(describe(result.problems).empty());
  const auto& p = result.config.platforms;
  REQUIRE(p.youtube);
  CHECK(p.youtube->clientId == "123.apps.googleusercontent.com");
  CHECK(p.youtube->clientSecret.reveal() == "yt-secret-value");
  CHECK(p.youtube->oauthUrl == "http://127.0.0.1:9/google");  // the trailing slash is dropped
  CHECK(p.youtube->apiUrl == "http://127.0.0.1:9/youtube/v3");
  CHECK(p.youtube->autoCreate);
  CHECK(p.youtube->privacy == LivePrivacy::unlisted);
  CHECK(p.youtube->chaptersInDescription);
  CHECK(p.youtube->quota.dailyUnits == 20000);
  CHECK(p.youtube->quota.reserveUnits == 800);
  CHECK(p.youtube->quota.costs.at("liveBroadcasts.insert") == 55);
  CHECK(p.youtube->quota.costs.at("videos.update") == 50);  // the defaults stay for the others
  REQUIRE(p.facebook);
  CHECK(p.facebook->appId == "4242");
  CHECK(p.facebook->clientToken.reveal() == "fb-client-token");
  CHECK(p.facebook->appSecret.reveal() == "s3cr3t-app");
  CHECK(p.facebook->graphVersion == "v26.0");
  CHECK(p.facebook->pageId == "1000");
  CHECK_FALSE(p.facebook->autoCreate);
  REQUIRE(p.peertube);
  CHECK(p.peertube->instanceUrl == "https://videos.example.fr");
  CHECK(p.peertube->password.reveal() == "pt-password");
  CHECK(p.peertube->channel == "conseil");
  CHECK(p.peertube->privacy == LivePrivacy::isPrivate);
  CHECK(p.templates.title == "{{title}} — {{date}}");
  CHECK(p.audienceInterval == std::chrono::seconds{30});
  CHECK(result.config.network.proxy == "http://proxy.mairie.local:3128");
}

TEST_CASE("platforms: each wrong value is reported at its path", "[config][platforms]") {
  requireSingleProblem(R"({"platforms": {"youtube": {"client_secret": "abcd"}}})", "platforms.youtube.client_id",
                       "obligatoire");
  requireSingleProblem(R"({"platforms": {"youtube": {"client_id": "x"}}})", "platforms.youtube", "client_secret");
  requireSingleProblem(R"({"platforms": {"youtube": {"client_id": "x", "client_secret": "abcd",
                          "client_secret_env": "Y"}}})",
                       "platforms.youtube", "un seul de client_secret", lookupOf({{"Y", "from-the-env"}}));
  requireSingleProblem(R"({"platforms": {"youtube": {"client_id": "x", "client_secret": "abcd",
                          "api_url": "ftp://example.org"}}})",
                       "platforms.youtube.api_url", "https://");
  requireSingleProblem(R"({"platforms": {"youtube": {"client_id": "x", "client_secret": "abcd",
                          "api_url": "https://example.org/v3?key=1"}}})",
                       "platforms.youtube.api_url", "sans espace, ni requête");
  requireSingleProblem(
      R"({"platforms": {"youtube": {"client_id": "x", "client_secret": "abcd", "privacy": "secret"}}})",
      "platforms.youtube.privacy", "secret");
  requireSingleProblem(R"({"platforms": {"youtube": {"client_id": "x", "client_secret": "abcd",
                          "quota": {"daily_units": 1000, "reserve_units": 1000}}}})",
                       "platforms.youtube.quota.reserve_units", "inférieur à daily_units");
  requireSingleProblem(R"({"platforms": {"youtube": {"client_id": "x", "client_secret": "abcd",
                          "quota": {"costs": {"videos.update": "fifty"}}}}})",
                       "platforms.youtube.quota.costs.videos.update", "attendu un nombre entier");
  requireSingleProblem(R"({"platforms": {"facebook": {"app_id": "1", "client_token": "tok1", "app_secret": "sec1",
                          "graph_version": "25"}}})",
                       "platforms.facebook.graph_version", "v25.0");
  requireSingleProblem(R"({"platforms": {"facebook": {"app_id": "1", "client_token": "tok1", "app_secret": "sec1",
                          "page_id": "ma-page"}}})",
                       "platforms.facebook.page_id", "identifiant numérique");
  requireSingleProblem(R"({"platforms": {"peertube": {"username": "u", "password": "pass"}}})",
                       "platforms.peertube.instance_url", "obligatoire");
  requireSingleProblem(R"({"platforms": {"tiktok": {}}})", "platforms.tiktok", "clé inconnue");
  requireSingleProblem(R"({"platforms": {"audience_interval_s": 5}})", "platforms.audience_interval_s", "hors limites");
  requireSingleProblem(R"({"network": {"proxy": "proxy.mairie.local:3128"}})", "network.proxy", "adresse de proxy");
}

TEST_CASE("platforms: a secret given in the wrong place never shows in a message", "[config][platforms]") {
  const auto result = parse(R"({"platforms": {"youtube": {"client_id": "x", "client_secret": "GOCSPX-topsecret",
                                 "privacy": "GOCSPX-topsecret"}}})");
  REQUIRE_FALSE(result.problems.empty());
  CHECK(describe(result.problems).find("GOCSPX-topsecret") == std::string::npos);
}
