// The platforms' accounts and lives (issue 20) with the real `tribune run`, a real
// nginx-rtmp as the platforms' ingest, and tests/support's FakePlatforms answering as
// Google's OAuth, YouTube's Data API and Facebook's Graph API do (the only fake here: the
// real APIs cannot be reached from a test). The technician links both accounts through
// their device flows over the REST API, prepares the lives, and nginx receives both
// publishes where the "platforms" said; "terminée" ends the Facebook live, the chapters
// land in the YouTube video's description and the audience in seance.json. No token and
// no stream key ever shows in the log, the answers or the status.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>
#include <tuple>

#include "running_tribune.h"
#include "support/fake_platforms.h"
#include "support/nginx_rtmp.h"

using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

// The configuration of both platforms, pointed at the fake.
Json platformsConfig(const FakePlatforms& fake, Json youtubeExtra = Json::object()) {
  const auto& o = fake.options();
  Json youtube{{"client_id", o.googleClientId},
               {"client_secret", o.googleClientSecret},
               {"oauth_url", fake.googleOAuthUrl()},
               {"api_url", fake.youtubeApiUrl()},
               {"chapters_in_description", true}};
  youtube.update(youtubeExtra);
  return {{"platforms",
           {{"youtube", youtube},
            {"facebook",
             {{"app_id", o.facebookAppId},
              {"client_token", o.facebookClientToken},
              {"app_secret", o.facebookAppSecret},
              {"graph_url", fake.facebookGraphUrl()},
              {"graph_version", o.facebookGraphVersion}}},
            {"audience_interval_s", 10},
            {"request_timeout_s", 5}}}};
}

class Technician {
 public:
  explicit Technician(const RunningTribune& tribune) : port_(tribune.port()), token_(tribune.token("technician")) {}

  Json send(Json command) {
    command["id"] = ++id_;
    const auto reply =
        httpCall(port_, {"POST", "/api/commands", command.dump(), {{"Authorization", "Bearer " + token_}}}, 10s);
    if (!reply.ok) throw std::runtime_error("no answer to " + command.dump() + ": " + reply.error);
    answers_ += reply.body;
    return Json::parse(reply.body);
  }
  Json status() {
    const auto reply = httpCall(port_, {"GET", "/api/snapshot", "", {{"Authorization", "Bearer " + token_}}}, 10s);
    if (!reply.ok) throw std::runtime_error("no snapshot: " + reply.error);
    answers_ += reply.body;
    return Json::parse(reply.body).at("status");
  }
  Json platform(const std::string& id) {
    const auto st = status();  // kept: a range over a temporary's member would dangle
    for (const auto& p : st.at("platforms")) {
      if (p.at("platform") == id) return p;
    }
    throw std::runtime_error("no platform " + id + " in the status");
  }
  // Waits until `pred` holds on the platform's entry; the last entry seen otherwise.
  Json waitFor(const std::string& id, const std::function<bool(const Json&)>& pred, std::chrono::seconds timeout) {
    Json last;
    waitUntil(
        [&] {
          last = platform(id);
          return pred(last);
        },
        timeout, 200ms);
    return last;
  }
  [[nodiscard]] const std::string& answers() const { return answers_; }

 private:
  int port_;
  std::string token_;
  int id_ = 0;
  std::string answers_;  // every answer body, to search for secrets
};

}  // namespace

TEST_CASE("YouTube and Facebook are linked by their device flows and their lives made by API are published",
          "[app][platforms][rtmp]") {
  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  const auto base = nginx.rtmpUrl("x");
  options.ingestRtmpBase = base.substr(0, base.size() - 2);  // rtmp://127.0.0.1:PORT/live
  options.deviceInterval = 1s;
  FakePlatforms fake(options);
  TempDir data;
  RunningTribune tribune(data.path(), platformsConfig(fake));
  Technician technician(tribune);

  // Nothing linked yet: the panel shows both platforms, and no live can be prepared.
  CHECK(technician.platform("youtube").at("account").at("state") == "not_linked");
  CHECK(technician.send({{"type", "lives.prepare"}}).at("status") == "platform_refused");
  CHECK(technician.send({{"type", "account.link"}, {"platform", "peertube"}}).at("status") == "platform_refused");

  for (const auto& [id, platform, who] : {std::tuple{"youtube", Platform::youtube, options.youtubeChannelTitle},
                                          std::tuple{"facebook", Platform::facebook, options.facebookPageName}}) {
    INFO(id);
    REQUIRE(technician.send({{"type", "account.link"}, {"platform", id}}).at("status") == "ok");
    const auto linking = technician.waitFor(
        id, [](const Json& p) { return p["account"].value("user_code", "") != ""; }, 15s);
    INFO(linking.dump());
    // The code on the console is the one the platform waits for, with its address and QR code.
    REQUIRE(fake.pendingUserCode(platform));
    CHECK(linking["account"]["user_code"] == *fake.pendingUserCode(platform));
    CHECK_THAT(linking["account"]["verification_url"].get<std::string>(), Catch::StartsWith("http"));
    CHECK_THAT(linking["account"]["verification_qr_svg"].get<std::string>(), Catch::Contains("<svg"));
    fake.approve(platform);
    const auto linked = technician.waitFor(
        id, [](const Json& p) { return p["account"]["state"] == "linked"; }, 15s);
    INFO(linked.dump() << "\n" << tribune.log());
    CHECK(linked["account"]["state"] == "linked");
    CHECK(linked["account"]["name"] == who);
  }
  // The tokens are kept for the next run, readable by Tribune's user only.
  const auto accounts = data.path() / "accounts.json";
  REQUIRE(std::filesystem::exists(accounts));
  CHECK((std::filesystem::status(accounts).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  for (const char* id : {"youtube", "facebook"}) {
    const auto ready = technician.waitFor(
        id, [](const Json& p) { return p["live"]["state"] == "ready"; }, 20s);
    INFO(ready.dump() << "\n" << tribune.log());
    REQUIRE(ready["live"]["state"] == "ready");
    CHECK_THAT(ready["live"]["title"].get<std::string>(), Catch::Contains("Conseil municipal"));
    CHECK_THAT(ready["live"]["url"].get<std::string>(), Catch::StartsWith("https://"));
    CHECK(ready["live"]["destination"] == id);
  }
  CHECK(fake.liveCount(Platform::youtube) == 1);
  CHECK(fake.liveCount(Platform::facebook) == 1);
  // Each ready live became a destination that went live at the address the platform gave.
  REQUIRE(waitUntil(
      [&] {
        const auto destinations = technician.status()["broadcast"]["destinations"];
        return destinations.size() == 2 && std::all_of(destinations.begin(), destinations.end(),
                                                       [](const Json& d) { return d["phase"] == "live"; });
      },
      30s, 250ms));
  const auto publishes = nginx.publishAttempts();
  REQUIRE(publishes.size() >= 2);

  // The audience, read at its interval while the lives are on.
  const auto youtubeLive = technician.platform("youtube")["live"]["id"].get<std::string>();
  const auto facebookLive = technician.platform("facebook")["live"]["id"].get<std::string>();
  fake.setOnAir(Platform::youtube, youtubeLive, true);
  fake.setOnAir(Platform::facebook, facebookLive, true);
  fake.setViewers(Platform::youtube, youtubeLive, 42);
  fake.setViewers(Platform::facebook, facebookLive, 17);
  const auto watched = technician.waitFor(
      "youtube", [](const Json& p) { return p["viewers"] == 42; }, 25s);
  CHECK(watched["viewers"] == 42);
  CHECK(technician.waitFor(
            "facebook", [](const Json& p) { return p["viewers"] == 17; }, 25s)["viewers"] == 17);
  const auto metrics =
      httpCall(tribune.port(), {"GET", "/metrics", "", {{"Authorization", "Bearer " + tribune.token("technician")}}});
  CHECK_THAT(metrics.body, Catch::Contains("tribune_platform_viewers{platform=\"youtube\"} 42"));

  // The meeting: open, close, "terminée". The Facebook live is ended by its API, the
  // chapters go into the YouTube video's description, the audience into seance.json.
  for (const char* step : {"session.open", "agenda.next", "session.close", "session.end"}) {
    const auto answer = technician.send({{"type", step}});
    INFO(step << ": " << answer.dump());
    REQUIRE(answer.at("status") == "ok");
    std::this_thread::sleep_for(1500ms);
  }
  CHECK(waitUntil([&] { return fake.facebookLive(facebookLive) == "VOD"; }, 15s, 200ms));
  CHECK(technician.waitFor(
            "facebook", [](const Json& p) { return p["live"]["state"] == "ended"; }, 15s)["live"]["state"] == "ended");
  const bool chapters = waitUntil(
      [&] {
        const auto video = fake.youtubeVideo(youtubeLive);
        return video && video->value("description", "").find("Chapitres :") != std::string::npos;
      },
      90s, 500ms);
  INFO(tribune.log());
  CHECK(chapters);
  if (const auto video = fake.youtubeVideo(youtubeLive)) {
    CHECK(video->value("categoryId", "") == "22");  // kept from the video as read
    CHECK_THAT(video->value("title", ""), Catch::Contains("Conseil municipal"));
  }
  std::filesystem::path seance;
  REQUIRE(waitUntil(
      [&] {
        if (!std::filesystem::exists(data.path() / "exports")) return false;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(data.path() / "exports")) {
          if (entry.path().filename() == "seance.json") seance = entry.path();
        }
        return !seance.empty() && Json::parse(readTextFile(seance)).contains("audience");
      },
      90s, 500ms));
  const auto record = Json::parse(readTextFile(seance));
  CHECK(record["audience"]["youtube"]["peak"] == 42);
  CHECK(record["audience"]["facebook"]["peak"] == 17);
  CHECK_FALSE(record["audience"]["youtube"]["per_minute"].empty());

  // No token and no stream key in the log, the answers or the status.
  auto secrets = fake.secretsReceived();
  for (const auto& publish : publishes) secrets.insert(publish.name);
  REQUIRE(secrets.size() >= 4);
  const auto log = tribune.log();
  const auto answers = technician.answers();
  for (const auto& secret : secrets) {
    INFO("secret " << secret.substr(0, 4) << "…");
    CHECK(log.find(secret) == std::string::npos);
    CHECK(answers.find(secret) == std::string::npos);
  }
}

TEST_CASE(
    "a platform that hangs or fails while live does not touch the picture and a revoked account asks to be "
    "reconnected",
    "[app][platforms][rtmp]") {
  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  const auto base = nginx.rtmpUrl("x");
  options.ingestRtmpBase = base.substr(0, base.size() - 2);
  options.deviceInterval = 1s;
  FakePlatforms fake(options);
  TempDir data;
  RunningTribune tribune(data.path(), platformsConfig(fake, {{"auto_create", true}}));
  Technician technician(tribune);
  REQUIRE(technician.send({{"type", "account.link"}, {"platform", "youtube"}}).at("status") == "ok");
  REQUIRE(waitUntil([&] { return fake.pendingUserCode(Platform::youtube).has_value(); }, 15s, 100ms));
  fake.approve(Platform::youtube);
  // auto_create: the broadcast runs, so the live is prepared as soon as the account is linked.
  const auto ready = technician.waitFor(
      "youtube", [](const Json& p) { return p["live"]["state"] == "ready"; }, 30s);
  INFO(ready.dump() << "\n" << tribune.log());
  REQUIRE(ready["live"]["state"] == "ready");
  const auto live = ready["live"]["id"].get<std::string>();
  REQUIRE(waitUntil(
      [&] {
        const auto d = technician.status()["broadcast"]["destinations"];
        return d.size() == 1 && d[0]["phase"] == "live";
      },
      30s, 250ms));
  fake.setOnAir(Platform::youtube, live, true);

  // The API hangs on every audience reading for 12 s (past request_timeout_s), then
  // answers 500: the readings fail; the destination and the program go on.
  const auto framesBefore = technician.status()["program"]["frames"].get<std::uint64_t>();
  fake.hang("/youtube/v3/videos", 12s, 2);
  fake.fail("/youtube/v3/videos", 500, R"({"error":{"code":500,"message":"backend error"}})", FakePlatforms::kAlways);
  const auto troubleStarted = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - troubleStarted < 25s) {
    const auto st = technician.status();  // the hub answers at once throughout
    CHECK(st["broadcast"]["destinations"][0]["phase"] == "live");
    std::this_thread::sleep_for(1s);
  }
  const auto framesAfter = technician.status()["program"]["frames"].get<std::uint64_t>();
  // 25 s at 30 frames a second: had the hang reached the hub or the encoder, its 12 s would
  // have cost 360 frames; a tenth is left for a loaded machine's own drops.
  CHECK(framesAfter - framesBefore >= 25 * 30 * 9 / 10);
  CHECK(technician.status()["broadcast"]["destinations"][0]["reconnects"] == 0);
  fake.clearFaults();

  // The account is revoked on Google's side: the next call gets 401, the refresh
  // invalid_grant, and the console says to reconnect; the broadcast carries on.
  fake.revoke(Platform::youtube);
  const auto revoked = technician.waitFor(
      "youtube", [](const Json& p) { return p["account"]["state"] == "reconnect"; }, 40s);
  INFO(revoked.dump() << "\n" << tribune.log());
  CHECK(revoked["account"]["state"] == "reconnect");
  CHECK_FALSE(revoked["account"]["why"].get<std::string>().empty());
  CHECK(technician.status()["broadcast"]["destinations"][0]["phase"] == "live");
  CHECK_THAT(tribune.log(), Catch::Contains("à reconnecter"));
}
