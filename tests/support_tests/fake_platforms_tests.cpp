// The fake platforms stand in for YouTube, Facebook and PeerTube in every platform test: if
// they answered otherwise than the research file's shapes, Tribune would be tested against
// the wrong platform. What those tests lean on is pinned here, through real HTTP over
// loopback with a Boost.Beast client.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/fake_platforms.h"
#include "support_tests/fake_platforms_client.h"

using namespace std::chrono_literals;
using namespace tribune::testing;
using Json = nlohmann::json;
using namespace tribune::testing::fake_client;

// ---------------------------------------------------------------------------------------

TEST_CASE("The fake platforms listen on loopback and answer unknown paths in each platform's error shape",
          "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  CHECK(fake.baseUrl() == "http://127.0.0.1:" + std::to_string(fake.port()));
  CHECK(fake.youtubeApiUrl() == fake.baseUrl() + "/youtube/v3");
  CHECK(fake.googleOAuthUrl() == fake.baseUrl() + "/google");
  CHECK(fake.facebookGraphUrl() == fake.baseUrl() + "/facebook");
  CHECK(fake.peertubeUrl() == fake.baseUrl() + "/peertube");
  Client client(fake.port());

  Answer youtube = client.call("GET", "/youtube/v3/nothingHere");
  CHECK(youtube.status == 404);
  CHECK(googleReason(youtube) == "notFound");

  Answer facebook = client.call("GET", graph(fake, "/1/2/3/nothing"));
  CHECK(facebook.status == 400);
  CHECK(graphError(facebook)["code"] == 2500);

  Answer peertube = client.call("GET", "/peertube/api/v1/nothing/here");
  CHECK(peertube.status == 404);
  CHECK(peertube.header("Content-Type").rfind("application/problem+json", 0) == 0);
  CHECK(peertube.json()["status"] == 404);
}

TEST_CASE("A Google device code stays pending until approved and a poll sooner than the interval gets slow_down",
          "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());

  Answer code = askGoogleDeviceCode(client, fake);
  REQUIRE(code.status == 200);
  Json codeBody = code.json();
  CHECK(codeBody["verification_url"] == "https://www.google.com/device");  // Google's name, not RFC 8628's
  CHECK(codeBody["interval"] == 1);
  CHECK(codeBody["expires_in"] == 60);
  CHECK(fake.pendingUserCode(Platform::youtube) == codeBody["user_code"].get<std::string>());
  std::string deviceCode = codeBody["device_code"];

  Answer first = pollGoogle(client, fake, deviceCode);
  CHECK(first.status == 428);
  CHECK(first.json()["error"] == "authorization_pending");

  Answer tooSoon = pollGoogle(client, fake, deviceCode);
  CHECK(tooSoon.status == 403);
  CHECK(tooSoon.json()["error"] == "slow_down");

  std::this_thread::sleep_for(1050ms);
  CHECK(pollGoogle(client, fake, deviceCode).status == 428);

  fake.approve(Platform::youtube);
  CHECK_FALSE(fake.pendingUserCode(Platform::youtube));
  std::this_thread::sleep_for(1050ms);
  Answer tokens = pollGoogle(client, fake, deviceCode);
  REQUIRE(tokens.status == 200);
  Json tokenBody = tokens.json();
  CHECK(tokenBody["token_type"] == "Bearer");
  CHECK(tokenBody["expires_in"] == 3600);
  CHECK(tokenBody["scope"] == kYouTubeScope);
  CHECK_FALSE(tokenBody["refresh_token"].get<std::string>().empty());

  // The code is spent once the tokens are out.
  std::this_thread::sleep_for(1050ms);
  CHECK(pollGoogle(client, fake, deviceCode).json()["error"] == "invalid_grant");

  Answer channel =
      client.call("GET", "/youtube/v3/channels?part=snippet&mine=true", "", bearer(tokenBody["access_token"]));
  REQUIRE(channel.status == 200);
  CHECK(channel.json()["items"][0]["snippet"]["title"] == fake.options().youtubeChannelTitle);
}

TEST_CASE("A denied Google device code answers access_denied", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  Answer code = askGoogleDeviceCode(client, fake);
  fake.deny(Platform::youtube);
  Answer poll = pollGoogle(client, fake, code.json()["device_code"]);
  CHECK(poll.status == 403);
  CHECK(poll.json()["error"] == "access_denied");
  CHECK_THROWS_AS(fake.approve(Platform::youtube), std::logic_error);  // nothing left to approve
  CHECK_THROWS_AS(fake.approve(Platform::peertube), std::logic_error);
}

TEST_CASE("A Google device code past its lifetime answers expired_token", "[fake-platforms]") {
  FakePlatformsOptions options = testOptions();
  options.deviceCodeLifetime = 1s;
  FakePlatforms fake(options);
  Client client(fake.port());
  Answer code = askGoogleDeviceCode(client, fake);
  fake.approve(Platform::youtube);
  std::this_thread::sleep_for(1100ms);
  Answer poll = pollGoogle(client, fake, code.json()["device_code"]);
  CHECK(poll.status == 400);
  CHECK(poll.json()["error"] == "expired_token");
}

TEST_CASE("Google refuses an unknown client and a scope the device flow does not allow", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  Answer unknown = postForm(client, "/google/device/code", {{"client_id", "someone-else"}, {"scope", kYouTubeScope}});
  CHECK(unknown.status == 401);
  CHECK(unknown.json()["error"] == "invalid_client");

  Answer forceSsl = askGoogleDeviceCode(client, fake, "https://www.googleapis.com/auth/youtube.force-ssl");
  CHECK(forceSsl.status == 400);
  CHECK(forceSsl.json()["error"] == "invalid_scope");
}

TEST_CASE("Google wants the client secret on every token request", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  GoogleTokens tokens = linkYouTube(client, fake);
  Answer missing = postForm(client, "/google/token",
                            {{"client_id", fake.options().googleClientId},
                             {"grant_type", "refresh_token"},
                             {"refresh_token", tokens.refresh}});
  CHECK(missing.status == 400);
  CHECK(missing.json()["error"] == "invalid_request");
  Answer wrong = postForm(client, "/google/token",
                          {{"client_id", fake.options().googleClientId},
                           {"client_secret", "not-the-secret"},
                           {"grant_type", "refresh_token"},
                           {"refresh_token", tokens.refresh}});
  CHECK(wrong.status == 401);
  CHECK(wrong.json()["error"] == "invalid_client");
}

TEST_CASE("An expired YouTube access token is refused until the refresh token gives a new one", "[fake-platforms]") {
  FakePlatformsOptions options = testOptions();
  options.accessTokenLifetime = 1s;
  FakePlatforms fake(options);
  Client client(fake.port());
  GoogleTokens tokens = linkYouTube(client, fake);
  const std::string channels = "/youtube/v3/channels?part=snippet&mine=true";
  CHECK(client.call("GET", channels, "", bearer(tokens.access)).status == 200);

  std::this_thread::sleep_for(1100ms);
  Answer expired = client.call("GET", channels, "", bearer(tokens.access));
  CHECK(expired.status == 401);
  CHECK(googleReason(expired) == "authError");
  CHECK(expired.header("WWW-Authenticate").find("invalid_token") != std::string::npos);

  Answer refreshed = refreshGoogle(client, fake, tokens.refresh);
  REQUIRE(refreshed.status == 200);
  CHECK_FALSE(refreshed.json().contains("refresh_token"));  // Google sends none on refresh
  CHECK(refreshed.json()["expires_in"] == 1);
  CHECK(client.call("GET", channels, "", bearer(refreshed.json()["access_token"])).status == 200);
}

TEST_CASE("Revoking YouTube refuses its access tokens and its refresh token", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  GoogleTokens tokens = linkYouTube(client, fake);
  fake.revoke(Platform::youtube);

  Answer call = client.call("GET", "/youtube/v3/channels?part=id&mine=true", "", bearer(tokens.access));
  CHECK(call.status == 401);
  Answer refresh = refreshGoogle(client, fake, tokens.refresh);
  CHECK(refresh.status == 400);
  CHECK(refresh.json()["error"] == "invalid_grant");

  // Linking again works.
  GoogleTokens again = linkYouTube(client, fake);
  CHECK(client.call("GET", "/youtube/v3/channels?part=id&mine=true", "", bearer(again.access)).status == 200);
}

TEST_CASE("The Google revoke endpoint ends the whole grant", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  GoogleTokens tokens = linkYouTube(client, fake);
  Answer revoked = client.call("POST", "/google/revoke?token=" + urlEncode(tokens.access), "", kFormHeaders);
  CHECK(revoked.status == 200);
  CHECK(refreshGoogle(client, fake, tokens.refresh).json()["error"] == "invalid_grant");
  Answer again = client.call("POST", "/google/revoke?token=" + urlEncode(tokens.access), "", kFormHeaders);
  CHECK(again.status == 400);
  CHECK(again.json()["error"] == "invalid_token");
}

TEST_CASE("A YouTube broadcast bound to its stream goes live when ingest starts at an address under the ingest base",
          "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  std::string token = linkYouTube(client, fake).access;

  Answer broadcast = youtubeJson(client, "POST", "/youtube/v3/liveBroadcasts?part=snippet,status,contentDetails",
                                 kBroadcastBody, token);
  REQUIRE(broadcast.status == 200);
  Json broadcastBody = broadcast.json();
  std::string broadcastId = broadcastBody["id"];
  CHECK(broadcastBody["kind"] == "youtube#liveBroadcast");
  CHECK(broadcastBody["snippet"]["title"] == kBroadcastBody["snippet"]["title"]);
  CHECK_FALSE(broadcastBody["snippet"]["liveChatId"].get<std::string>().empty());
  CHECK(broadcastBody["status"]["lifeCycleStatus"] == "created");
  CHECK(broadcastBody["contentDetails"]["enableAutoStart"] == true);
  CHECK(broadcastBody["contentDetails"]["enableEmbed"] == true);  // a default kept

  Answer stream =
      youtubeJson(client, "POST", "/youtube/v3/liveStreams?part=snippet,cdn,contentDetails,status", kStreamBody, token);
  REQUIRE(stream.status == 200);
  Json ingestion = stream.json()["cdn"]["ingestionInfo"];
  std::string streamId = stream.json()["id"];
  CHECK(ingestion["ingestionAddress"] == kIngestBase);
  CHECK(ingestion["rtmpsIngestionAddress"] == kIngestBase);
  CHECK(ingestion["backupIngestionAddress"] == kIngestBase);
  CHECK_FALSE(ingestion["streamName"].get<std::string>().empty());
  CHECK(stream.json()["status"]["streamStatus"] == "ready");

  Answer bound = client.call(
      "POST",
      "/youtube/v3/liveBroadcasts/bind?id=" + broadcastId + "&streamId=" + streamId + "&part=id,contentDetails,status",
      "", bearer(token));
  REQUIRE(bound.status == 200);
  CHECK(bound.json()["contentDetails"]["boundStreamId"] == streamId);
  CHECK(fake.youtubeBroadcastStatus(broadcastId) == "ready");

  // Going live by hand before ingest is refused as YouTube does.
  Answer early = client.call(
      "POST", "/youtube/v3/liveBroadcasts/transition?id=" + broadcastId + "&broadcastStatus=live&part=status", "",
      bearer(token));
  CHECK(early.status == 403);
  CHECK(googleReason(early) == "errorStreamInactive");

  fake.setOnAir(Platform::youtube, broadcastId, true);
  CHECK(fake.youtubeBroadcastStatus(broadcastId) == "live");
  Answer streamStatus = client.call("GET", "/youtube/v3/liveStreams?part=status&id=" + streamId, "", bearer(token));
  CHECK(streamStatus.json()["items"][0]["status"]["streamStatus"] == "active");

  fake.setViewers(Platform::youtube, broadcastId, 42);
  Answer video =
      client.call("GET", "/youtube/v3/videos?part=snippet,liveStreamingDetails&id=" + broadcastId, "", bearer(token));
  REQUIRE(video.status == 200);
  Json details = video.json()["items"][0]["liveStreamingDetails"];
  CHECK(details["concurrentViewers"] == "42");  // a string, as YouTube sends it
  CHECK(video.json()["items"][0]["snippet"]["liveBroadcastContent"] == "live");

  fake.setOnAir(Platform::youtube, broadcastId, false);
  CHECK(fake.youtubeBroadcastStatus(broadcastId) == "complete");
  Answer after =
      client.call("GET", "/youtube/v3/videos?part=liveStreamingDetails&id=" + broadcastId, "", bearer(token));
  CHECK_FALSE(after.json()["items"][0]["liveStreamingDetails"].contains("concurrentViewers"));
  CHECK(fake.liveCount(Platform::youtube) == 1);
}

TEST_CASE("A YouTube broadcast without auto start goes live and completes by transition", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  std::string token = linkYouTube(client, fake).access;
  Json body = kBroadcastBody;
  body["contentDetails"]["enableAutoStart"] = false;
  body["contentDetails"]["enableAutoStop"] = false;
  std::string broadcastId = youtubeJson(client, "POST", "/youtube/v3/liveBroadcasts?part=id", body, token).json()["id"];
  std::string streamId =
      youtubeJson(client, "POST", "/youtube/v3/liveStreams?part=id", kStreamBody, token).json()["id"];
  client.call("POST", "/youtube/v3/liveBroadcasts/bind?part=id&id=" + broadcastId + "&streamId=" + streamId, "",
              bearer(token));
  fake.setOnAir(Platform::youtube, streamId, true);
  CHECK(fake.youtubeBroadcastStatus(broadcastId) == "ready");  // no auto start

  auto transition = [&](const std::string& status) {
    return client.call(
        "POST", "/youtube/v3/liveBroadcasts/transition?part=status&id=" + broadcastId + "&broadcastStatus=" + status,
        "", bearer(token));
  };
  Answer live = transition("live");
  REQUIRE(live.status == 200);
  CHECK(live.json()["status"]["lifeCycleStatus"] == "live");
  Answer redundant = transition("live");
  CHECK(redundant.status == 403);
  CHECK(googleReason(redundant) == "redundantTransition");
  CHECK(transition("complete").status == 200);
  CHECK(fake.youtubeBroadcastStatus(broadcastId) == "complete");
}

TEST_CASE("YouTube refuses a broadcast without a title or a start time", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  std::string token = linkYouTube(client, fake).access;
  const std::string insert = "/youtube/v3/liveBroadcasts?part=snippet,status";

  Json untitled = kBroadcastBody;
  untitled["snippet"].erase("title");
  Answer noTitle = youtubeJson(client, "POST", insert, untitled, token);
  CHECK(noTitle.status == 400);
  CHECK(googleReason(noTitle) == "invalidTitle");

  Json unscheduled = kBroadcastBody;
  unscheduled["snippet"].erase("scheduledStartTime");
  Answer noStart = youtubeJson(client, "POST", insert, unscheduled, token);
  CHECK(noStart.status == 400);
  CHECK(googleReason(noStart) == "scheduledStartTimeRequired");
  CHECK(fake.liveCount(Platform::youtube) == 0);
}

TEST_CASE("A YouTube video update keeps exactly the snippet sent and refuses one without title or category",
          "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  std::string token = linkYouTube(client, fake).access;
  std::string id =
      youtubeJson(client, "POST", "/youtube/v3/liveBroadcasts?part=id", kBroadcastBody, token).json()["id"];
  CHECK(fake.youtubeVideo(id) ==
        Json({{"title", kBroadcastBody["snippet"]["title"]}, {"description", "Ordre du jour"}, {"categoryId", "22"}}));

  fake.setYoutubeVideoSnippet(id, {{"title", "Conseil"}, {"categoryId", "25"}, {"tags", {"conseil", "mairie"}}});
  Answer read = client.call("GET", "/youtube/v3/videos?part=snippet&id=" + id, "", bearer(token));
  Json snippet = read.json()["items"][0]["snippet"];
  CHECK(snippet["tags"] == Json({"conseil", "mairie"}));
  CHECK(snippet["channelId"] == fake.options().youtubeChannelId);  // read-only fields added

  Json chapters = {{"title", "Conseil"},
                   {"categoryId", "25"},
                   {"description", "00:00 Ouverture\n04:10 Budget primitif 2027\n31:00 Questions"}};
  Answer updated =
      youtubeJson(client, "PUT", "/youtube/v3/videos?part=snippet", {{"id", id}, {"snippet", chapters}}, token);
  REQUIRE(updated.status == 200);
  CHECK(fake.youtubeVideo(id) == chapters);  // the tags are gone: nothing left out survives
  CHECK(updated.json()["snippet"]["description"] == chapters["description"]);

  Json noCategory = chapters;
  noCategory.erase("categoryId");
  Answer refused =
      youtubeJson(client, "PUT", "/youtube/v3/videos?part=snippet", {{"id", id}, {"snippet", noCategory}}, token);
  CHECK(refused.status == 400);
  CHECK(googleReason(refused) == "invalidVideoMetadata");
  Json noTitle = chapters;
  noTitle.erase("title");
  CHECK(
      youtubeJson(client, "PUT", "/youtube/v3/videos?part=snippet", {{"id", id}, {"snippet", noTitle}}, token).status ==
      400);
  CHECK(fake.youtubeVideo(id) == chapters);
}

TEST_CASE("YouTube counts the units of every call and refuses calls once the day's units are spent",
          "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  std::string token = linkYouTube(client, fake).access;
  const std::string channels = "/youtube/v3/channels?part=id&mine=true";

  CHECK(client.call("GET", channels, "", bearer(token)).status == 200);
  CHECK(fake.quotaUsed() == 1);
  // A failed call costs its units too.
  Answer missing = client.call("POST", "/youtube/v3/liveBroadcasts/bind?part=id&id=nope", "", bearer(token));
  CHECK(missing.status == 404);
  CHECK(googleReason(missing) == "liveBroadcastNotFound");
  CHECK(fake.quotaUsed() == 51);
  // A call refused for its token costs nothing.
  CHECK(client.call("GET", channels, "", bearer("not-a-token")).status == 401);
  CHECK(fake.quotaUsed() == 51);

  fake.setQuotaUsed(9999);
  CHECK(client.call("GET", channels, "", bearer(token)).status == 200);
  Answer spent = client.call("GET", channels, "", bearer(token));
  CHECK(spent.status == 403);
  CHECK(googleReason(spent) == "quotaExceeded");
  CHECK(spent.json()["error"]["errors"][0]["domain"] == "youtube.quota");
  CHECK(youtubeJson(client, "POST", "/youtube/v3/liveBroadcasts?part=id", kBroadcastBody, token).status == 403);
  CHECK(fake.quotaUsed() == 10000);
}

TEST_CASE("A Facebook device login stays pending until approved and a poll sooner than the interval gets 1349172",
          "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  Answer wrongApp = postForm(client, graph(fake, "/device/login"), {{"access_token", "1|wrong"}});
  CHECK(graphError(wrongApp)["code"] == 190);

  Answer login = postForm(client, graph(fake, "/device/login"),
                          {{"access_token", appToken(fake)}, {"scope", "pages_manage_posts,pages_read_engagement"}});
  REQUIRE(login.status == 200);
  Json loginBody = login.json();
  CHECK(loginBody["verification_uri"] == "https://www.facebook.com/device");
  CHECK(loginBody["interval"] == 1);
  CHECK(fake.pendingUserCode(Platform::facebook) == loginBody["user_code"].get<std::string>());
  auto poll = [&] {
    return postForm(client, graph(fake, "/device/login_status"),
                    {{"access_token", appToken(fake)}, {"code", loginBody["code"]}});
  };

  Answer pending = poll();
  CHECK(pending.status == 400);
  CHECK(graphError(pending)["error_subcode"] == 1349174);
  CHECK(graphError(pending)["code"] == 31);
  Answer tooSoon = poll();
  CHECK(graphError(tooSoon)["error_subcode"] == 1349172);

  fake.approve(Platform::facebook);
  std::this_thread::sleep_for(1050ms);
  Answer linked = poll();
  REQUIRE(linked.status == 200);
  CHECK_FALSE(linked.json()["access_token"].get<std::string>().empty());
  CHECK(linked.json()["expires_in"] == 3600);
}

TEST_CASE("A denied Facebook device login stays pending until it expires with subcode 1349152", "[fake-platforms]") {
  FakePlatformsOptions options = testOptions();
  options.deviceCodeLifetime = 1s;
  FakePlatforms fake(options);
  Client client(fake.port());
  Answer login = postForm(client, graph(fake, "/device/login"), {{"access_token", appToken(fake)}});
  auto poll = [&] {
    return postForm(client, graph(fake, "/device/login_status"),
                    {{"access_token", appToken(fake)}, {"code", login.json()["code"]}});
  };
  fake.deny(Platform::facebook);
  CHECK(graphError(poll())["error_subcode"] == 1349174);  // Facebook says nothing of a refusal
  std::this_thread::sleep_for(1100ms);
  Answer expired = poll();
  CHECK(expired.status == 400);
  CHECK(graphError(expired)["error_subcode"] == 1349152);
}

TEST_CASE("A Facebook Page token creates a live video under the ingest base and ending it leaves a VOD",
          "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  std::string user = linkFacebook(client, fake);

  Answer wrongSecret =
      client.call("GET", graph(fake, "/oauth/access_token?") + form({{"grant_type", "fb_exchange_token"},
                                                                     {"client_id", fake.options().facebookAppId},
                                                                     {"client_secret", "nope"},
                                                                     {"fb_exchange_token", user}}));
  CHECK(graphError(wrongSecret)["code"] == 1);

  Answer accounts = client.call("GET", graph(fake, "/me/accounts?access_token=") + urlEncode(user));
  REQUIRE(accounts.status == 200);
  Json page = accounts.json()["data"][0];
  CHECK(page["id"] == fake.options().facebookPageId);
  CHECK(page["name"] == fake.options().facebookPageName);
  std::string pageToken = page["access_token"];
  const std::string liveVideos = graph(fake, "/" + fake.options().facebookPageId + "/live_videos");

  Answer asUser = postForm(client, liveVideos, {{"access_token", user}, {"status", "LIVE_NOW"}});
  CHECK(asUser.status == 403);
  CHECK(graphError(asUser)["code"] == 200);
  Answer planned = postForm(client, liveVideos, {{"access_token", pageToken}, {"planned_start_time", "1796000000"}});
  CHECK(graphError(planned)["code"] == 100);

  Answer created = postForm(client, liveVideos,
                            {{"access_token", pageToken},
                             {"status", "LIVE_NOW"},
                             {"title", "Conseil municipal du 3 décembre 2026"},
                             {"description", "Ordre du jour"}});
  REQUIRE(created.status == 200);
  Json live = created.json();
  std::string id = live["id"];
  std::string url = live["stream_url"];
  CHECK(url.rfind(std::string(kIngestBase) + "/FB-", 0) == 0);
  CHECK(live["secure_stream_url"] == url);
  CHECK(fake.facebookLive(id) == "LIVE");
  CHECK(fake.liveCount(Platform::facebook) == 1);

  fake.setViewers(Platform::facebook, id, 17);
  Answer read =
      client.call("GET", graph(fake, "/" + id + "?fields=permalink_url,live_views,status"), "", bearer(pageToken));
  REQUIRE(read.status == 200);
  CHECK(read.json()["live_views"] == 17);
  CHECK(read.json()["status"] == "LIVE");
  CHECK(read.json()["permalink_url"].get<std::string>().rfind("/" + fake.options().facebookPageId + "/videos/", 0) ==
        0);

  Answer ended = postForm(client, graph(fake, "/" + id), {{"access_token", pageToken}, {"end_live_video", "true"}});
  REQUIRE(ended.status == 200);
  CHECK(ended.json() == Json({{"success", true}}));
  CHECK(fake.facebookLive(id) == "VOD");
  Answer after =
      client.call("GET", graph(fake, "/" + id + "?fields=live_views,status&access_token=") + urlEncode(pageToken));
  CHECK(after.json()["status"] == "VOD");
  CHECK_FALSE(after.json().contains("live_views"));
}

TEST_CASE("Facebook answers error 190 with subcode 460 once revoked and 463 once expired", "[fake-platforms]") {
  FakePlatformsOptions options = testOptions();
  options.accessTokenLifetime = 1s;
  FakePlatforms fake(options);
  Client client(fake.port());

  Answer unknown = client.call("GET", graph(fake, "/me?access_token=nobody"));
  CHECK(unknown.status == 400);  // Graph's documented status for token errors
  CHECK(graphError(unknown)["code"] == 190);
  CHECK_FALSE(graphError(unknown).contains("error_subcode"));

  // A short-lived user token (1 s here) expires; the long-lived one does not.
  Answer login = postForm(client, graph(fake, "/device/login"), {{"access_token", appToken(fake)}});
  fake.approve(Platform::facebook);
  std::string shortLived = postForm(client, graph(fake, "/device/login_status"),
                                    {{"access_token", appToken(fake)}, {"code", login.json()["code"]}})
                               .json()["access_token"];
  std::string longLived = linkFacebook(client, fake);
  std::string pageToken = facebookPageToken(client, fake, longLived);
  std::this_thread::sleep_for(1100ms);
  Answer expired = client.call("GET", graph(fake, "/me?access_token=") + urlEncode(shortLived));
  CHECK(graphError(expired)["code"] == 190);
  CHECK(graphError(expired)["error_subcode"] == 463);
  CHECK(client.call("GET", graph(fake, "/me?access_token=") + urlEncode(longLived)).status == 200);
  CHECK(client.call("GET", graph(fake, "/me"), "", bearer(pageToken)).json()["id"] == fake.options().facebookPageId);

  fake.revoke(Platform::facebook);
  for (const auto& token : {longLived, pageToken}) {
    Answer revoked = client.call("GET", graph(fake, "/me?access_token=") + urlEncode(token));
    CHECK(graphError(revoked)["code"] == 190);
    CHECK(graphError(revoked)["error_subcode"] == 460);
  }
}

TEST_CASE("A PeerTube password grant creates a live whose ingest is under the ingest base", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  Answer local = client.call("GET", "/peertube/api/v1/oauth-clients/local");
  REQUIRE(local.status == 200);
  CHECK(local.json()["client_id"] == fake.options().peertubeClientId);

  Answer wrong = peertubePassword(client, fake, "not-the-password");
  CHECK(wrong.status == 400);
  CHECK(wrong.json()["code"] == "invalid_grant");
  Answer tokens = peertubePassword(client, fake, fake.options().peertubePassword);
  REQUIRE(tokens.status == 200);
  CHECK(tokens.json()["token_type"] == "Bearer");
  CHECK(tokens.json()["refresh_token_expires_in"] == 14 * 24 * 3600);
  std::string access = tokens.json()["access_token"];

  Answer me = client.call("GET", "/peertube/api/v1/users/me", "", bearer(access));
  REQUIRE(me.status == 200);
  Json channel = me.json()["videoChannels"][0];
  CHECK(channel["id"] == fake.options().peertubeChannelId);
  CHECK(channel["displayName"] == fake.options().peertubeChannelDisplayName);

  Headers multipartHeaders = bearer(access);
  multipartHeaders.emplace_back("Content-Type", "multipart/form-data; boundary=tribune-boundary");
  Answer created = client.call("POST", "/peertube/api/v1/videos/live",
                               multipart("tribune-boundary", {{"channelId", std::to_string(channel["id"].get<int>())},
                                                              {"name", "Conseil municipal du 3 décembre 2026"},
                                                              {"privacy", "1"},
                                                              {"saveReplay", "true"},
                                                              {"permanentLive", "false"}}),
                               multipartHeaders);
  REQUIRE(created.status == 200);
  Json video = created.json()["video"];
  std::string id = std::to_string(video["id"].get<int>());
  CHECK_FALSE(video["uuid"].get<std::string>().empty());
  CHECK_FALSE(video["shortUUID"].get<std::string>().empty());

  Answer live = client.call("GET", "/peertube/api/v1/videos/live/" + id, "", bearer(access));
  REQUIRE(live.status == 200);
  CHECK(live.json()["rtmpUrl"] == kIngestBase);
  CHECK(live.json()["rtmpsUrl"] == kIngestBase);
  CHECK(live.json()["saveReplay"] == true);
  CHECK_FALSE(live.json()["streamKey"].get<std::string>().empty());

  fake.setViewers(Platform::peertube, id, 5);
  Answer watched = client.call("GET", "/peertube/api/v1/videos/" + video["uuid"].get<std::string>());
  REQUIRE(watched.status == 200);
  CHECK(watched.json()["viewers"] == 5);
  CHECK(watched.json()["state"]["id"] == 4);  // waiting for the stream
  fake.setOnAir(Platform::peertube, id, true);
  CHECK(client.call("GET", "/peertube/api/v1/videos/" + id).json()["state"]["id"] == 1);

  // The form encoding works too; a short name is refused with PeerTube's invalid-params.
  Answer urlEncoded =
      postForm(client, "/peertube/api/v1/videos/live",
               {{"channelId", std::to_string(fake.options().peertubeChannelId)}, {"name", "Séance"}}, bearer(access));
  CHECK(urlEncoded.status == 200);
  Answer shortName =
      postForm(client, "/peertube/api/v1/videos/live",
               {{"channelId", std::to_string(fake.options().peertubeChannelId)}, {"name", "Se"}}, bearer(access));
  CHECK(shortName.status == 400);
  CHECK(shortName.json()["invalid-params"].contains("name"));
  CHECK(fake.liveCount(Platform::peertube) == 2);
}

TEST_CASE("A PeerTube refresh gives a new pair and retires the old one", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  Json first = peertubePassword(client, fake, fake.options().peertubePassword).json();
  auto refresh = [&](const std::string& token) {
    return postForm(client, "/peertube/api/v1/users/token",
                    {{"client_id", fake.options().peertubeClientId},
                     {"client_secret", fake.options().peertubeClientSecret},
                     {"grant_type", "refresh_token"},
                     {"refresh_token", token}});
  };
  Answer second = refresh(first["refresh_token"]);
  REQUIRE(second.status == 200);
  CHECK(second.json()["refresh_token"] != first["refresh_token"]);

  Answer oldAccess = client.call("GET", "/peertube/api/v1/users/me", "", bearer(first["access_token"]));
  CHECK(oldAccess.status == 401);
  CHECK(oldAccess.json()["code"] == "invalid_token");
  CHECK(refresh(first["refresh_token"]).json()["code"] == "invalid_grant");
  CHECK(client.call("GET", "/peertube/api/v1/users/me", "", bearer(second.json()["access_token"])).status == 200);

  fake.revoke(Platform::peertube);
  CHECK(client.call("GET", "/peertube/api/v1/users/me", "", bearer(second.json()["access_token"])).status == 401);
  CHECK(refresh(second.json()["refresh_token"]).status == 400);
}

TEST_CASE("A scripted failure answers in place of the platform for as many requests as asked", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  std::string token = linkYouTube(client, fake).access;
  const std::string channels = "/youtube/v3/channels?part=id&mine=true";
  const std::string quotaBody =
      R"({"error":{"code":403,"errors":[{"domain":"youtube.quota","reason":"quotaExceeded"}]}})";

  fake.fail("/youtube/v3/channels", 401, R"({"error":{"code":401}})");
  Answer once = client.call("GET", channels, "", bearer(token));
  CHECK(once.status == 401);
  CHECK(once.body == R"({"error":{"code":401}})");
  CHECK(client.call("GET", channels, "", bearer(token)).status == 200);

  fake.fail(std::regex(R"(^GET /youtube/v3/channels\?.*mine=true)"), 500, "{}", 2);
  CHECK(client.call("GET", channels, "", bearer(token)).status == 500);
  CHECK(client.call("GET", channels, "", bearer(token)).status == 500);
  CHECK(client.call("GET", channels, "", bearer(token)).status == 200);

  // A method-led prefix leaves the other methods alone.
  fake.fail("PUT /youtube/v3/videos", 403, quotaBody, FakePlatforms::kAlways);
  CHECK(client.call("GET", "/youtube/v3/videos?part=id&id=x", "", bearer(token)).status == 200);
  Answer put = youtubeJson(client, "PUT", "/youtube/v3/videos?part=snippet", {{"id", "x"}}, token);
  CHECK(put.status == 403);
  CHECK(googleReason(put) == "quotaExceeded");
  CHECK(youtubeJson(client, "PUT", "/youtube/v3/videos?part=snippet", {{"id", "x"}}, token).status == 403);
  fake.clearFaults();
  CHECK(youtubeJson(client, "PUT", "/youtube/v3/videos?part=snippet", {{"id", "x"}}, token).status == 404);

  // Scripted answers reach no platform: only the real calls cost units (2 channels.list, 1 videos.list, 1 update).
  CHECK(fake.quotaUsed() == 2 + 1 + 50);
}

TEST_CASE("A malformed answer is a 200 whose body is not JSON", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  fake.malformed("/peertube/api/v1/oauth-clients");
  Answer broken = client.call("GET", "/peertube/api/v1/oauth-clients/local");
  CHECK(broken.status == 200);
  CHECK(broken.json().is_discarded());
  CHECK_FALSE(client.call("GET", "/peertube/api/v1/oauth-clients/local").json().is_discarded());
}

TEST_CASE("A hung request holds up no other client", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  const std::string path = "/peertube/api/v1/oauth-clients/local";
  fake.hang(path, 1500ms);

  Answer hungAnswer;
  SteadyClock::duration hungFor{};
  std::thread hung([&] {
    Client client(fake.port());
    auto start = SteadyClock::now();
    hungAnswer = client.call("GET", path);
    hungFor = SteadyClock::now() - start;
  });
  REQUIRE(fake.waitForRequests(path, 1, 2s));

  Client other(fake.port());
  auto start = SteadyClock::now();
  Answer quick = other.call("GET", path);
  auto quickFor = SteadyClock::now() - start;
  hung.join();

  CHECK(quick.status == 200);
  CHECK(quickFor < 500ms);
  CHECK(hungAnswer.status == 200);  // answered normally once the hang is over
  CHECK(hungFor >= 1400ms);
}

TEST_CASE("Destroying the fake platforms with a request hung returns promptly", "[fake-platforms]") {
  auto fake = std::make_unique<FakePlatforms>(testOptions());
  const std::string path = "/peertube/api/v1/oauth-clients/local";
  fake->hang(path, 30s);
  std::uint16_t port = fake->port();
  Answer hungAnswer;
  std::atomic<bool> returned{false};
  std::thread hung([&] {
    Client client(port);
    hungAnswer = client.call("GET", path, "", {}, 10s);
    returned = true;
  });
  REQUIRE(fake->waitForRequests(path, 1, 2s));
  // And a kept-alive connection that sits idle.
  Client idle(port);
  REQUIRE(idle.call("GET", "/peertube/api/v1/users/me").status == 401);

  auto start = SteadyClock::now();
  fake.reset();
  CHECK(SteadyClock::now() - start < 1s);
  hung.join();
  CHECK(returned);
  CHECK_FALSE(hungAnswer.ok);  // the connection was closed under it
}

TEST_CASE("One kept-alive connection carries many requests and several clients are served at once",
          "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  const std::string path = "/peertube/api/v1/oauth-clients/local";
  Client single(fake.port());
  for (int i = 0; i < 5; ++i) CHECK(single.call("GET", path).status == 200);
  CHECK(single.connections() == 1);

  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  clients.reserve(4);
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      Client client(fake.port());
      for (int i = 0; i < 10; ++i) {
        if (client.call("GET", path).status == 200) ++answered;
      }
    });
  }
  for (auto& thread : clients) thread.join();
  CHECK(answered == 40);
  CHECK(fake.requestCount(path) == 45);
}

TEST_CASE("Every request is recorded as it was received", "[fake-platforms]") {
  FakePlatforms fake(testOptions());
  Client client(fake.port());
  client.call("POST", "/google/device/code?trace=1", "client_id=x&scope=y",
              {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Tribune-Test", "Valeur exacte"}});
  auto requests = fake.requests();
  REQUIRE(requests.size() == 1);
  const RecordedRequest& request = requests[0];
  CHECK(request.method == "POST");
  CHECK(request.path == "/google/device/code");
  CHECK(request.query == "trace=1");
  CHECK(request.body == "client_id=x&scope=y");
  CHECK(request.header("x-tribune-test") == "Valeur exacte");
  bool nameAsSent = false;
  for (const auto& [name, value] : request.headers) nameAsSent = nameAsSent || name == "X-Tribune-Test";
  CHECK(nameAsSent);
  CHECK(fake.requestCounts() == std::map<std::string, std::size_t>{{"/google/device/code", 1}});
}
