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

#include "core/quota_budget.h"
#include "platforms_app_support.h"
#include "running_tribune.h"
#include "support/fake_platforms.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"

using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

// The configuration of both platforms, pointed at the fake.
Json platformsConfig(const FakePlatforms& fake, Json youtubeExtra = Json::object()) {
  Json youtube = youtubeSection(fake);
  youtube["chapters_in_description"] = true;
  youtube.update(youtubeExtra);
  return platformsOf({{"youtube", youtube}, {"facebook", facebookSection(fake)}});
}

// Every destination in the status, once there are `count` of them and all are live.
bool destinationsLive(Technician& technician, std::size_t count, std::chrono::seconds timeout = 30s) {
  return waitUntil(
      [&] {
        const auto destinations = technician.status()["broadcast"]["destinations"];
        return destinations.size() == count && std::all_of(destinations.begin(), destinations.end(),
                                                           [](const Json& d) { return d["phase"] == "live"; });
      },
      timeout, 250ms);
}

// Requests to `path` that asked for a new access token with a refresh token.
std::size_t refreshesAt(const FakePlatforms& fake, std::string_view path) {
  const auto requests = fake.requests();
  return static_cast<std::size_t>(std::count_if(requests.begin(), requests.end(), [&](const RecordedRequest& r) {
    return r.path == path && r.body.find("grant_type=refresh_token") != std::string::npos;
  }));
}

// Requests whose path starts with `prefix`.
std::size_t requestsUnder(const FakePlatforms& fake, std::string_view prefix) {
  std::size_t n = 0;
  for (const auto& [path, count] : fake.requestCounts()) {
    if (path.rfind(prefix, 0) == 0) n += count;
  }
  return n;
}

// The stream key the fake PeerTube instance gave for live `id`, asked as its owner would.
std::string peertubeStreamKey(const FakePlatforms& fake, const std::string& id) {
  const auto& o = fake.options();
  const std::string form = "client_id=" + o.peertubeClientId + "&client_secret=" + o.peertubeClientSecret +
                           "&grant_type=password&username=" + o.peertubeUsername + "&password=" + o.peertubePassword;
  const auto token =
      httpCall(fake.port(),
               {"POST", "/peertube/api/v1/users/token", form, {{"Content-Type", "application/x-www-form-urlencoded"}}});
  if (token.status != 200) throw std::runtime_error("no PeerTube token: " + token.body);
  const auto access = Json::parse(token.body).at("access_token").get<std::string>();
  const auto live =
      httpCall(fake.port(), {"GET", "/peertube/api/v1/videos/live/" + id, "", {{"Authorization", "Bearer " + access}}});
  if (live.status != 200) throw std::runtime_error("no PeerTube live " + id + ": " + live.body);
  return Json::parse(live.body).at("streamKey").get<std::string>();
}

const std::string kPeerTubeInvalidToken =
    R"({"type":"https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/invalid_token",)"
    R"("title":"Unauthorized","status":401,"detail":"Invalid token: access token is invalid",)"
    R"("code":"invalid_token"})";

}  // namespace

TEST_CASE("YouTube and Facebook are linked by their device flows and their lives made by API are published",
          "[app][platforms][rtmp]") {
  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
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
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
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

TEST_CASE("a PeerTube account linked by password gets its live made by API, published where the instance said, ended",
          "[app][platforms][rtmp][peertube]") {
  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
  // Shorter than the 120 s ahead of expiry at which Tribune renews a token: each call
  // renews it first, so the refresh grant is used (and PeerTube's rotation followed).
  options.accessTokenLifetime = 100s;
  FakePlatforms fake(options);
  TempDir data;
  RunningTribune tribune(data.path(), platformsOf({{"peertube", peertubeSection(fake)}}));
  Technician technician(tribune);

  CHECK(technician.platform("peertube").at("account").at("state") == "not_linked");
  const auto linked = linkPeerTube(technician);
  CHECK(linked["account"]["name"] == options.peertubeUsername + " (" + options.peertubeChannelDisplayName + ")");

  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  const auto ready = waitForLive(technician, "peertube", "ready");
  INFO(ready.dump() << "\n" << tribune.log());
  REQUIRE(ready["live"]["state"] == "ready");
  CHECK_THAT(ready["live"]["title"].get<std::string>(), Catch::Contains("Conseil municipal"));
  const auto id = ready["live"]["id"].get<std::string>();
  CHECK(ready["live"]["url"] == fake.peertubeUrl() + "/w/" + id);
  CHECK(ready["live"]["destination"] == "peertube");
  CHECK(fake.liveCount(Platform::peertube) == 1);
  REQUIRE(destinationsLive(technician, 1));

  // nginx received the publish under the key the instance handed out for this live, and
  // what it recorded is the programme.
  const auto key = peertubeStreamKey(fake, id);
  const auto publishes = nginx.publishAttempts();
  REQUIRE_FALSE(publishes.empty());
  for (const auto& publish : publishes) CHECK(publish.name == key);
  REQUIRE(waitUntil(
      [&] {
        const auto files = nginx.recordings(key);
        return !files.empty() && std::filesystem::file_size(files.back()) > 100000;
      },
      20s, 250ms));
  const auto probe = probeStreams(nginx.recordings(key).back().string());
  CHECK(videoStream(probe)["codec_name"] == "h264");
  CHECK(audioStream(probe)["codec_name"] == "aac");

  // The tokens were renewed with the refresh grant, and calls went on with the new ones.
  CHECK(refreshesAt(fake, "/peertube/api/v1/users/token") >= 1);

  // "Terminée": the live is over on Tribune's side (PeerTube ends it with the stream).
  for (const char* step : {"session.open", "session.close", "session.end"}) {
    const auto answer = technician.send({{"type", step}});
    INFO(step << ": " << answer.dump());
    REQUIRE(answer.at("status") == "ok");
  }
  CHECK(waitForLive(technician, "peertube", "ended", 15s)["live"]["state"] == "ended");

  // No password, token or key in the log, the answers, the status or the kept accounts.
  auto secrets = fake.secretsReceived();
  secrets.insert(options.peertubePassword);
  secrets.insert(key);
  const auto log = tribune.log();
  const auto answers = technician.answers() + technician.status().dump();
  const auto accounts = readTextFile(data.path() / "accounts.json");
  for (const auto& secret : secrets) {
    INFO("secret " << secret.substr(0, 4) << "…");
    CHECK(log.find(secret) == std::string::npos);
    CHECK(answers.find(secret) == std::string::npos);
  }
  CHECK(accounts.find(options.peertubePassword) == std::string::npos);
}

TEST_CASE("YouTube's quota used up stops every YouTube call until the reset, says when, and PeerTube carries on",
          "[app][platforms][rtmp][quota]") {
  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
  options.deviceInterval = 1s;
  FakePlatforms fake(options);
  TempDir data;
  RunningTribune tribune(data.path(),
                         platformsOf({{"youtube", youtubeSection(fake)}, {"peertube", peertubeSection(fake)}}));
  Technician technician(tribune);
  linkByDeviceFlow(technician, fake, Platform::youtube);
  linkPeerTube(technician);

  // Other installs with the same Cloud project used the day's units: Google refuses.
  fake.setQuotaUsed(options.youtubeDailyUnits);
  const auto beforeRefusal = requestsUnder(fake, "/youtube/v3/");
  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  const auto refused = waitForLive(technician, "youtube", "failed");
  INFO(refused.dump() << "\n" << tribune.log());
  REQUIRE(refused["live"]["state"] == "failed");
  const auto youtubeCalls = requestsUnder(fake, "/youtube/v3/");
  CHECK(youtubeCalls == beforeRefusal + 1);  // the one refused liveBroadcasts.insert

  // The console says so, in French and English, with the reset time (Paris).
  REQUIRE(waitUntil([&] { return technician.platform("youtube")["quota"]["exhausted"] == true; }, 10s, 200ms));
  const auto shown = technician.platform("youtube");
  const auto nextReset = shown["quota"]["next_reset"].get<std::int64_t>();
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(nextReset > now);
  CHECK(nextReset <= now + 25 * 3600);
  const int hour = tribune::core::parisTimeOf(tribune::core::WallTime{std::chrono::seconds{nextReset}}).hour;
  CHECK_THAT(shown["live"]["error"].get<std::string>(),
             Catch::Contains("Quota YouTube du jour épuisé") &&
                 Catch::Contains("reprise à " + std::to_string(hour) + " h (heure de Paris)"));
  CHECK_THAT(shown["live"]["error_en"].get<std::string>(),
             Catch::Contains("daily quota is used up") && Catch::Contains(std::to_string(hour) + ":00"));

  // PeerTube is untouched: its live is ready and published.
  CHECK(waitForLive(technician, "peertube", "ready")["live"]["state"] == "ready");
  CHECK(destinationsLive(technician, 1));

  // The technician tries again; the audience readings come round: no call reaches YouTube.
  REQUIRE(technician.send({{"type", "lives.prepare"}, {"platform", "youtube"}}).at("status") == "ok");
  std::this_thread::sleep_for(3s);
  CHECK(technician.platform("youtube")["live"]["state"] == "failed");
  CHECK(requestsUnder(fake, "/youtube/v3/") == youtubeCalls);
}

TEST_CASE("a 401 gets one token refresh and one retry, and a 401 again after it asks to reconnect, without a loop",
          "[app][platforms][peertube]") {
  FakePlatforms fake;
  TempDir data;
  RunningTribune tribune(data.path(), platformsOf({{"peertube", peertubeSection(fake)}}));
  Technician technician(tribune);
  linkPeerTube(technician);
  const std::string tokens = "/peertube/api/v1/users/token";
  const std::string create = "/peertube/api/v1/videos/live";
  REQUIRE(refreshesAt(fake, tokens) == 0);

  // The token is refused twice: once before the refresh, once after.
  fake.fail("POST " + create, 401, kPeerTubeInvalidToken, 2);
  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  const auto refused = technician.waitFor(
      "peertube", [](const Json& p) { return p["account"]["state"] == "reconnect" && p["live"]["state"] == "failed"; },
      15s);
  INFO(refused.dump() << "\n" << tribune.log());
  CHECK(refused["account"]["state"] == "reconnect");
  CHECK_THAT(refused["account"]["why"].get<std::string>(), Catch::Contains("PeerTube"));
  CHECK(refused["live"]["state"] == "failed");
  CHECK(refreshesAt(fake, tokens) == 1);
  CHECK(fake.requestCount(create) == 2);
  // Past the adapter's 5 s before a retry: nothing more was tried.
  std::this_thread::sleep_for(6s);
  CHECK(refreshesAt(fake, tokens) == 1);
  CHECK(fake.requestCount(create) == 2);
  CHECK(technician.platform("peertube")["account"]["state"] == "reconnect");

  // Reconnected; one 401 now: one refresh, one retry, and the live is made.
  fake.clearFaults();
  linkPeerTube(technician);
  fake.fail("POST " + create, 401, kPeerTubeInvalidToken, 1);
  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  const auto ready = waitForLive(technician, "peertube", "ready", 15s);
  INFO(ready.dump() << "\n" << tribune.log());
  CHECK(ready["live"]["state"] == "ready");
  CHECK(ready["account"]["state"] == "linked");
  CHECK(refreshesAt(fake, tokens) == 2);
  CHECK(fake.requestCount(create) == 4);
  CHECK(fake.liveCount(Platform::peertube) == 1);
}

TEST_CASE("a pasted stream key publishes until the account is linked, then the prepared live takes its place",
          "[app][platforms][rtmp]") {
  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
  options.deviceInterval = 1s;
  FakePlatforms fake(options);
  TempDir data;
  const std::string pasted = "cle-collee-youtube";
  auto config = platformsOf({{"youtube", youtubeSection(fake)}});
  config["destinations"] = Json::array(
      {{{"name", "chaine"}, {"platform", "youtube"}, {"url", nginx.rtmpApplicationUrl()}, {"key", pasted}}});
  RunningTribune tribune(data.path(), config);
  Technician technician(tribune);

  // Not linked: the pasted key publishes as before.
  REQUIRE(destinationsLive(technician, 1));
  CHECK(nginx.publishAttempts().back().name == pasted);

  // Linked, but the live cannot be made: the pasted key stays, and the console says so.
  linkByDeviceFlow(technician, fake, Platform::youtube);
  fake.fail("POST /youtube/v3/liveBroadcasts", 403,
            R"({"error":{"code":403,"message":"The user is not enabled for live streaming.","errors":[{"message":)"
            R"("The user is not enabled for live streaming.","domain":"youtube.liveBroadcast","reason":)"
            R"("liveStreamingNotEnabled"}],"status":"PERMISSION_DENIED"}})");
  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  const auto failed = waitForLive(technician, "youtube", "failed");
  INFO(failed.dump());
  CHECK_THAT(failed["live"]["error"].get<std::string>(),
             Catch::Contains("la clé de diffusion de la configuration est utilisée à la place"));
  const auto publishesBefore = nginx.publishAttempts().size();
  CHECK(destinationsLive(technician, 1, 5s));
  CHECK(nginx.publishAttempts().size() == publishesBefore);

  // Made this time: the same destination now publishes the live; no second one.
  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  const auto ready = waitForLive(technician, "youtube", "ready");
  INFO(ready.dump() << "\n" << tribune.log());
  REQUIRE(ready["live"]["state"] == "ready");
  CHECK(ready["live"]["destination"] == "chaine");
  REQUIRE(waitUntil([&] { return nginx.publishAttempts().back().name != pasted; }, 20s, 250ms));
  const auto live = nginx.publishAttempts().back().name;
  CHECK(nginx.waitForRecordingsClosed(pasted, 15s));
  REQUIRE(destinationsLive(technician, 1));
  const auto destinations = technician.status()["broadcast"]["destinations"];
  CHECK(destinations[0]["name"] == "chaine");
  std::this_thread::sleep_for(2s);
  for (const auto& publish : nginx.publishAttempts()) CHECK((publish.name == pasted || publish.name == live));
  CHECK(fake.liveCount(Platform::youtube) == 1);
}

TEST_CASE("a live prepared for a meeting is reused after a stop and after a kill -9, never made twice",
          "[app][platforms][rtmp]") {
  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
  FakePlatforms fake(options);
  TempDir data;
  auto section = peertubeSection(fake);
  section["auto_create"] = true;
  RunningTribune tribune(data.path(), platformsOf({{"peertube", section}}));
  std::string id;
  {
    Technician technician(tribune);
    linkPeerTube(technician);
    // auto_create: the broadcast runs, the live is made as soon as the account is linked.
    const auto ready = waitForLive(technician, "peertube", "ready");
    REQUIRE(ready["live"]["state"] == "ready");
    id = ready["live"]["id"].get<std::string>();
    REQUIRE(destinationsLive(technician, 1));
  }
  const auto key = peertubeStreamKey(fake, id);
  REQUIRE(nginx.publishAttempts().back().name == key);
  const auto created = fake.requestCount("/peertube/api/v1/videos/live");
  REQUIRE(created == 1);

  for (const bool kill : {false, true}) {
    INFO((kill ? "kill -9" : "stop"));
    if (kill) {
      tribune.kill9();
    } else {
      REQUIRE(tribune.stop() == 0);
    }
    const auto publishes = nginx.publishAttempts().size();
    tribune.start();
    Technician technician(tribune);
    const auto ready = waitForLive(technician, "peertube", "ready");
    INFO(ready.dump() << "\n" << tribune.log());
    CHECK(ready["live"]["id"] == id);
    REQUIRE(destinationsLive(technician, 1));
    REQUIRE(waitUntil([&] { return nginx.publishAttempts().size() > publishes; }, 10s, 200ms));
    CHECK(nginx.publishAttempts().back().name == key);
    CHECK(fake.liveCount(Platform::peertube) == 1);
    CHECK(fake.requestCount("/peertube/api/v1/videos/live") == created);
  }
}

TEST_CASE("tribune accounts tells a platform's state, links by device flow, unlinks, and names a wrong platform",
          "[app][platforms][cli]") {
  FakePlatformsOptions options;
  options.deviceInterval = 1s;
  FakePlatforms fake(options);
  TempDir data;
  const auto config = data.path() / "tribune.json";
  writeTextFile(config, platformsOf({{"youtube", youtubeSection(fake)}}).dump());
  auto accounts = [&](const std::string& action, const std::string& platform) {
    return std::vector<std::string>{kTribune,   "accounts",      action,       platform,
                                    "--config", config.string(), "--data-dir", data.path().string()};
  };

  auto status = runCommand(accounts("status", "youtube"), 20s);
  INFO(status.out << status.err);
  CHECK(status.exit_code == 1);
  CHECK_THAT(status.out, Catch::Contains("YouTube : non relié / not linked"));

  const auto wrong = runCommand(accounts("status", "tiktok"), 20s);
  CHECK(wrong.exit_code != 0);
  CHECK_THAT(wrong.err + wrong.out, Catch::Contains("tiktok"));
  const auto absent = runCommand(accounts("status", "facebook"), 20s);
  CHECK(absent.exit_code == 2);
  CHECK_THAT(absent.err, Catch::Contains("Facebook n'est pas configuré") && Catch::Contains("platforms.facebook"));

  // Linking: the code is printed; the technician signs in on a phone (the test approves).
  Process link(accounts("link", "youtube"),
               ProcessOptions{{}, Redirect::capture(), Redirect::capture(), {}, true, true});
  REQUIRE(waitUntil([&] { return fake.pendingUserCode(Platform::youtube).has_value(); }, 15s, 100ms));
  const auto code = *fake.pendingUserCode(Platform::youtube);
  REQUIRE(waitUntil([&] { return link.capturedOut().find(code) != std::string::npos; }, 10s, 100ms));
  fake.approve(Platform::youtube);
  const auto linked = link.waitFor(20s);
  link.finishCapture();
  INFO(link.capturedOut() << link.capturedErr());
  REQUIRE(linked);
  CHECK(*linked == 0);
  CHECK_THAT(link.capturedOut(), Catch::Contains("linked as " + options.youtubeChannelTitle));
  for (const auto& secret : fake.secretsReceived()) {
    CHECK(link.capturedOut().find(secret) == std::string::npos);
    CHECK(link.capturedErr().find(secret) == std::string::npos);
  }

  status = runCommand(accounts("status", "youtube"), 20s);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("relié en tant que / linked as " + options.youtubeChannelTitle));

  const auto unlink = runCommand(accounts("unlink", "youtube"), 20s);
  CHECK(unlink.exit_code == 0);
  CHECK_THAT(unlink.out, Catch::Contains("non relié / not linked"));
  status = runCommand(accounts("status", "youtube"), 20s);
  CHECK(status.exit_code == 1);
  CHECK_FALSE(Json::parse(readTextFile(data.path() / "accounts.json")).contains("youtube"));
}

TEST_CASE("Facebook and PeerTube answering garbage, late or not at all while a live is prepared",
          "[app][platforms][rtmp]") {
  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
  options.deviceInterval = 1s;
  FakePlatforms fake(options);
  TempDir data;
  auto sections = Json{{"facebook", facebookSection(fake)}, {"peertube", peertubeSection(fake)}};
  RunningTribune tribune(data.path(), platformsOf(sections, 2));
  std::string facebookLive;
  {
    Technician technician(tribune);
    linkByDeviceFlow(technician, fake, Platform::facebook);
    linkPeerTube(technician);

    // Facebook answers JSON cut short; PeerTube takes longer than request_timeout_s (2 s)
    // to give the ingest of the live it made.
    fake.malformed("POST /facebook/" + options.facebookGraphVersion + "/" + options.facebookPageId + "/live_videos");
    fake.hang("GET /peertube/api/v1/videos/live/", 6s);
    REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
    const auto garbage = waitForLive(technician, "facebook", "failed");
    INFO(garbage.dump() << "\n" << tribune.log());
    CHECK_THAT(garbage["live"]["error"].get<std::string>(), Catch::Contains("Réponse inattendue de Facebook"));
    CHECK_THAT(garbage["live"]["error_en"].get<std::string>(), Catch::Contains("Unexpected answer from Facebook"));
    const auto slow = waitForLive(technician, "peertube", "failed");
    INFO(slow.dump());
    CHECK_THAT(slow["live"]["error"].get<std::string>(), Catch::Contains("Pas de réponse de PeerTube"));
    CHECK_THAT(slow["live"]["error_en"].get<std::string>(), Catch::Contains("No answer from PeerTube"));
    CHECK(technician.platform("facebook")["live"]["state"] == "failed");  // each its own
    // PeerTube is tried again on its own, from the live it made: nothing lost, no second live.
    CHECK(waitForLive(technician, "peertube", "ready", 20s)["live"]["state"] == "ready");
    CHECK(fake.liveCount(Platform::peertube) == 1);
    CHECK(destinationsLive(technician, 1));
    // The technician tries Facebook again: JSON this time, but not a live video's (no ingest).
    fake.fail("POST /facebook/" + options.facebookGraphVersion + "/" + options.facebookPageId + "/live_videos", 200,
              R"({"id":"1234567890123","status":"UNPUBLISHED"})");
    REQUIRE(technician.send({{"type", "lives.prepare"}, {"platform", "facebook"}}).at("status") == "ok");
    const auto shape = technician.waitFor(
        "facebook",
        [](const Json& p) {
          return p["live"]["state"] == "failed" &&
                 p["live"]["error"].get<std::string>().find("(live_video)") != std::string::npos;
        },
        15s);
    INFO(shape.dump());
    CHECK_THAT(shape["live"]["error"].get<std::string>(),
               Catch::Contains("Réponse inattendue de Facebook (live_video)"));
    CHECK(fake.liveCount(Platform::facebook) == 0);
    CHECK(technician.platform("peertube")["live"]["state"] == "ready");
    // And once more: the live is made.
    REQUIRE(technician.send({{"type", "lives.prepare"}, {"platform", "facebook"}}).at("status") == "ok");
    const auto ready = waitForLive(technician, "facebook", "ready");
    REQUIRE(ready["live"]["state"] == "ready");
    facebookLive = ready["live"]["id"].get<std::string>();
    CHECK(fake.liveCount(Platform::facebook) == 1);
    CHECK(destinationsLive(technician, 2));
  }

  // PeerTube's instance is down (connection refused) when a live is to be made: its live is
  // named as failed; Facebook's, kept from before, goes on.
  REQUIRE(tribune.stop() == 0);
  auto kept = Json::parse(readTextFile(data.path() / "lives.json"));
  kept.erase("peertube");
  writeTextFile(data.path() / "lives.json", kept.dump());
  sections["peertube"]["instance_url"] = "http://127.0.0.1:" + std::to_string(freeLoopbackPort()) + "/peertube";
  auto config = Json::parse(readTextFile(data.path() / "tribune.json"));
  config["platforms"]["peertube"] = sections["peertube"];
  writeTextFile(data.path() / "tribune.json", config.dump());
  tribune.start();
  Technician technician(tribune);
  for (const char* id : {"facebook", "peertube"}) {  // the kept accounts, once read
    technician.waitFor(
        id, [](const Json& p) { return p["account"]["state"] == "linked"; }, 10s);
  }
  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  const auto down = waitForLive(technician, "peertube", "failed");
  INFO(down.dump() << "\n" << tribune.log());
  CHECK_THAT(down["live"]["error"].get<std::string>(), Catch::Contains("Pas de réponse de PeerTube"));
  const auto facebook = waitForLive(technician, "facebook", "ready");
  CHECK(facebook["live"]["id"] == facebookLive);
  CHECK(destinationsLive(technician, 1));
  CHECK(fake.liveCount(Platform::facebook) == 1);
}

TEST_CASE("the platforms' API calls go through network.proxy", "[app][platforms]") {
  // The fake stands as the proxy: a proxied request arrives with the absolute address as
  // its target, for a host that does not even resolve.
  FakePlatforms fake;
  TempDir data;
  auto section = peertubeSection(fake);
  section["instance_url"] = "http://peertube.invalid/peertube";
  auto config = platformsOf({{"peertube", section}});
  config["network"] = {{"proxy", fake.baseUrl()}};
  RunningTribune tribune(data.path(), config);
  Technician technician(tribune);
  REQUIRE(technician.send({{"type", "account.link"}, {"platform", "peertube"}}).at("status") == "ok");
  const auto proxied = fake.waitForRequests("http://peertube.invalid/peertube/api/v1/oauth-clients/local", 1, 10s);
  INFO(tribune.log());
  CHECK(proxied);
  const auto requests = fake.requests();
  REQUIRE_FALSE(requests.empty());
  CHECK(requests.front().header("Host") == "peertube.invalid");
}
