// The viewers' side of the fake platforms (issue 21): YouTube's live chat, Facebook's and
// PeerTube's comments, as Tribune's pollers will read them into the question queue. What
// the pollers lean on (no gap and no duplicate from page to page, the announced interval,
// the quota, deletions and the end, since's overlap, rate limits) is pinned here, through
// real HTTP over loopback.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <mutex>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_platforms.h"
#include "support_tests/fake_platforms_client.h"

using namespace std::chrono_literals;
using namespace tribune::testing;
using namespace tribune::testing::fake_client;

namespace {

FakePlatformsOptions chatOptions() {
  FakePlatformsOptions options = testOptions();
  options.youtubeChatEnforceInterval = false;
  return options;
}

struct YouTubeLive {
  std::string token;
  std::string broadcastId;
  std::string liveChatId;
};

// A linked channel and one broadcast with auto start and stop, bound to its stream.
YouTubeLive youtubeLive(Client& client, FakePlatforms& fake) {
  YouTubeLive live;
  live.token = linkYouTube(client, fake).access;
  Answer broadcast = youtubeJson(client, "POST", "/youtube/v3/liveBroadcasts?part=snippet,status,contentDetails",
                                 kBroadcastBody, live.token);
  REQUIRE(broadcast.status == 200);
  live.broadcastId = broadcast.json()["id"];
  live.liveChatId = broadcast.json()["snippet"]["liveChatId"];
  Answer stream =
      youtubeJson(client, "POST", "/youtube/v3/liveStreams?part=snippet,cdn,contentDetails", kStreamBody, live.token);
  REQUIRE(stream.status == 200);
  std::string streamId = stream.json()["id"];
  REQUIRE(client
              .call("POST",
                    "/youtube/v3/liveBroadcasts/bind?id=" + live.broadcastId + "&streamId=" + streamId + "&part=id", "",
                    bearer(live.token))
              .status == 200);
  return live;
}

std::string chatTarget(const YouTubeLive& live, const std::string& extra = {}) {
  return "/youtube/v3/liveChat/messages?liveChatId=" + urlEncode(live.liveChatId) + "&part=id,snippet,authorDetails" +
         extra;
}

Answer listChat(Client& client, const YouTubeLive& live, const std::string& extra = {}) {
  return client.call("GET", chatTarget(live, extra), "", bearer(live.token));
}

std::vector<FakeChatMessage> viewers(int count, const std::string& prefix = "Question ") {
  std::vector<FakeChatMessage> messages;
  for (int i = 0; i < count; ++i) {
    messages.push_back({"Habitant " + std::to_string(i), "", prefix + std::to_string(i), false, false});
  }
  return messages;
}

std::vector<std::string> itemIds(const Json& items) {
  std::vector<std::string> ids;
  for (const auto& item : items) ids.push_back(item["id"]);
  return ids;
}

struct FacebookSetup {
  std::string pageToken;
  std::string userToken;
  std::string liveId;
};

FacebookSetup facebookLiveVideo(Client& client, FakePlatforms& fake) {
  FacebookSetup setup;
  setup.userToken = linkFacebook(client, fake);
  setup.pageToken = facebookPageToken(client, fake, setup.userToken);
  Answer created =
      postForm(client, graph(fake, "/" + fake.options().facebookPageId + "/live_videos"),
               {{"access_token", setup.pageToken}, {"status", "LIVE_NOW"}, {"title", "Conseil municipal"}});
  REQUIRE(created.status == 200);
  setup.liveId = created.json()["id"];
  return setup;
}

std::string commentsTarget(const FakePlatforms& fake, const FacebookSetup& setup, const std::string& extra) {
  return graph(fake, "/" + setup.liveId + "/comments?fields=id,from{name,id},message,created_time&access_token=") +
         urlEncode(setup.pageToken) + extra;
}

// The request target of a paging.next URL of this fake.
std::string targetOf(const FakePlatforms& fake, const std::string& url) {
  REQUIRE(url.rfind(fake.baseUrl(), 0) == 0);
  return url.substr(fake.baseUrl().size());
}

// Graph's "2026-12-03T18:30:00+0000" as Unix seconds.
long long graphUnix(const std::string& text) {
  std::tm utc{};
  REQUIRE(strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S+0000", &utc) != nullptr);
  return static_cast<long long>(timegm(&utc));
}

struct PeerTubeSetup {
  std::string access;
  std::string videoId;
};

PeerTubeSetup peertubeLive(Client& client, FakePlatforms& fake) {
  PeerTubeSetup setup;
  Answer tokens = peertubePassword(client, fake, fake.options().peertubePassword);
  REQUIRE(tokens.status == 200);
  setup.access = tokens.json()["access_token"];
  Answer created =
      postForm(client, "/peertube/api/v1/videos/live",
               {{"channelId", std::to_string(fake.options().peertubeChannelId)}, {"name", "Conseil municipal"}},
               bearer(setup.access));
  REQUIRE(created.status == 200);
  setup.videoId = std::to_string(created.json()["video"]["id"].get<int>());
  return setup;
}

Answer threads(Client& client, const PeerTubeSetup& setup, const std::string& query = {}) {
  return client.call("GET", "/peertube/api/v1/videos/" + setup.videoId + "/comment-threads" + query);
}

}  // namespace

// --- YouTube.

TEST_CASE("A YouTube chat read from token to token repeats and skips nothing, the first call giving the last 75",
          "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  YouTubeLive live = youtubeLive(client, fake);

  std::vector<std::string> older = fake.addChatMessages(Platform::youtube, live.broadcastId, viewers(100));
  REQUIRE(older.size() == 100);
  Answer first = listChat(client, live);
  REQUIRE(first.status == 200);
  Json body = first.json();
  CHECK(body["kind"] == "youtube#liveChatMessageListResponse");
  CHECK(body["pollingIntervalMillis"] == 2000);
  CHECK_FALSE(body.contains("offlineAt"));
  CHECK(itemIds(body["items"]) == std::vector<std::string>(older.begin() + 25, older.end()));
  CHECK(body["pageInfo"]["resultsPerPage"] == 75);

  Json item = body["items"][74];
  CHECK(item["kind"] == "youtube#liveChatMessage");
  CHECK(item["snippet"]["type"] == "textMessageEvent");
  CHECK(item["snippet"]["liveChatId"] == live.liveChatId);
  CHECK(item["snippet"]["displayMessage"] == "Question 99");
  CHECK(item["snippet"]["textMessageDetails"]["messageText"] == "Question 99");
  CHECK(item["snippet"]["hasDisplayContent"] == true);
  CHECK(std::regex_match(item["snippet"]["publishedAt"].get<std::string>(),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  CHECK(item["authorDetails"]["displayName"] == "Habitant 99");
  CHECK(item["authorDetails"]["channelId"] == item["snippet"]["authorChannelId"]);
  CHECK(item["authorDetails"]["channelId"].get<std::string>().rfind("UC", 0) == 0);
  CHECK(item["authorDetails"]["isChatOwner"] == false);
  CHECK(item["authorDetails"]["isChatModerator"] == false);

  // 450 more, read 200 at a time: 200, 200, 50, then an empty page that still carries a token.
  std::vector<std::string> newer = fake.addChatMessages(Platform::youtube, live.broadcastId, viewers(450, "Suite "));
  std::vector<std::string> read;
  std::string token = body["nextPageToken"];
  std::vector<std::size_t> sizes;
  for (int page = 0; page < 4; ++page) {
    Answer next = listChat(client, live, "&maxResults=200&pageToken=" + urlEncode(token));
    REQUIRE(next.status == 200);
    auto ids = itemIds(next.json()["items"]);
    sizes.push_back(ids.size());
    read.insert(read.end(), ids.begin(), ids.end());
    token = next.json()["nextPageToken"];
  }
  CHECK(sizes == std::vector<std::size_t>{200, 200, 50, 0});
  CHECK(read == newer);
  CHECK(std::set<std::string>(read.begin(), read.end()).size() == 450);

  // The default page is 500; maxResults outside 200..2000 and strange tokens are refused.
  Answer all = listChat(client, live, "&pageToken=" + urlEncode(first.json()["nextPageToken"].get<std::string>()));
  CHECK(all.json()["items"].size() == 450);
  Answer small = listChat(client, live, "&maxResults=100");
  CHECK(small.status == 400);
  Answer garbage = listChat(client, live, "&pageToken=not-a-token");
  CHECK(garbage.status == 400);
  CHECK(googleReason(garbage) == "pageTokenInvalid");
}

TEST_CASE("A YouTube chat list sooner than the announced interval gets rateLimitExceeded and still costs 5 units",
          "[fake-platforms][chat]") {
  FakePlatformsOptions options = testOptions();
  options.youtubeChatPollingInterval = 600ms;
  FakePlatforms fake(options);
  Client client(fake.port());
  YouTubeLive live = youtubeLive(client, fake);
  int before = fake.quotaUsed();

  Answer first = listChat(client, live);
  REQUIRE(first.status == 200);
  CHECK(first.json()["pollingIntervalMillis"] == 600);
  CHECK(fake.quotaUsed() == before + 5);
  std::string token = first.json()["nextPageToken"];

  Answer early = listChat(client, live, "&pageToken=" + urlEncode(token));
  CHECK(early.status == 403);
  CHECK(googleReason(early) == "rateLimitExceeded");
  CHECK(early.json()["error"]["errors"][0]["domain"] == "youtube.liveChat");
  CHECK(fake.quotaUsed() == before + 10);

  std::this_thread::sleep_for(650ms);
  Answer onTime = listChat(client, live, "&pageToken=" + urlEncode(token));
  CHECK(onTime.status == 200);
  CHECK(fake.quotaUsed() == before + 15);
  CHECK(fake.chatPagesServed(Platform::youtube) == 2);
}

TEST_CASE("A YouTube deletion and the chat's end are events, and past the end the chat answers liveChatEnded",
          "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  YouTubeLive live = youtubeLive(client, fake);

  std::string question =
      fake.addChatMessage(Platform::youtube, live.broadcastId, {"Habitante", "UCviewer", "Et le budget ?"});
  Answer first = listChat(client, live);
  REQUIRE(first.json()["items"].size() == 1);
  CHECK(first.json()["items"][0]["id"] == question);
  CHECK(first.json()["items"][0]["authorDetails"]["channelId"] == "UCviewer");
  std::string token = first.json()["nextPageToken"];

  fake.deleteChatMessage(Platform::youtube, live.broadcastId, question);
  CHECK_THROWS_AS(fake.deleteChatMessage(Platform::youtube, live.broadcastId, "LCC.nothing"), std::invalid_argument);
  Answer deleted = listChat(client, live, "&pageToken=" + urlEncode(token));
  REQUIRE(deleted.json()["items"].size() == 1);
  Json deletion = deleted.json()["items"][0];
  CHECK(deletion["snippet"]["type"] == "messageDeletedEvent");
  CHECK(deletion["snippet"]["messageDeletedDetails"]["deletedMessageId"] == question);
  CHECK(deletion["id"] != question);
  CHECK_FALSE(deleted.json().contains("offlineAt"));
  token = deleted.json()["nextPageToken"];

  fake.endChat(Platform::youtube, live.broadcastId);
  fake.endChat(Platform::youtube, live.broadcastId);  // twice is once
  Answer ended = listChat(client, live, "&pageToken=" + urlEncode(token));
  REQUIRE(ended.status == 200);
  REQUIRE(ended.json()["items"].size() == 1);
  CHECK(ended.json()["items"][0]["snippet"]["type"] == "chatEndedEvent");
  CHECK(ended.json().contains("offlineAt"));
  token = ended.json()["nextPageToken"];

  Answer after = listChat(client, live, "&pageToken=" + urlEncode(token));
  CHECK(after.status == 403);
  CHECK(googleReason(after) == "liveChatEnded");
  Json insert = {{"snippet",
                  {{"liveChatId", live.liveChatId},
                   {"type", "textMessageEvent"},
                   {"textMessageDetails", {{"messageText", "Merci"}}}}}};
  Answer late = youtubeJson(client, "POST", "/youtube/v3/liveChat/messages?part=snippet", insert, live.token);
  CHECK(late.status == 403);
  CHECK(googleReason(late) == "liveChatEnded");
  CHECK_THROWS_AS(fake.addChatMessage(Platform::youtube, live.broadcastId, {"Habitant", "", "Trop tard"}),
                  std::logic_error);
}

TEST_CASE("A completed YouTube broadcast's chat carries offlineAt", "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  YouTubeLive live = youtubeLive(client, fake);
  fake.setOnAir(Platform::youtube, live.broadcastId, true);
  REQUIRE(fake.youtubeBroadcastStatus(live.broadcastId) == "live");
  CHECK_FALSE(listChat(client, live).json().contains("offlineAt"));
  fake.setOnAir(Platform::youtube, live.broadcastId, false);
  REQUIRE(fake.youtubeBroadcastStatus(live.broadcastId) == "complete");
  Answer offline = listChat(client, live);
  REQUIRE(offline.status == 200);
  CHECK(std::regex_match(offline.json()["offlineAt"].get<std::string>(), std::regex(R"(\d{4}-.*Z)")));
}

TEST_CASE("Posting in a YouTube chat writes as the channel owner, costs 20 units and is recorded as a reply",
          "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  YouTubeLive live = youtubeLive(client, fake);
  const std::string target = "/youtube/v3/liveChat/messages?part=snippet,authorDetails";
  auto body = [&](const std::string& chatId, const std::string& text) {
    return Json{
        {"snippet",
         {{"liveChatId", chatId}, {"type", "textMessageEvent"}, {"textMessageDetails", {{"messageText", text}}}}}};
  };
  int before = fake.quotaUsed();

  Answer posted = youtubeJson(client, "POST", target, body(live.liveChatId, "Réponse du maire"), live.token);
  REQUIRE(posted.status == 200);
  CHECK(fake.quotaUsed() == before + 20);
  Json item = posted.json();
  CHECK(item["snippet"]["textMessageDetails"]["messageText"] == "Réponse du maire");
  CHECK(item["authorDetails"]["isChatOwner"] == true);
  CHECK(item["authorDetails"]["channelId"] == fake.options().youtubeChannelId);
  CHECK(item["authorDetails"]["displayName"] == fake.options().youtubeChannelTitle);

  Answer listed = listChat(client, live);
  REQUIRE(listed.json()["items"].size() == 1);
  CHECK(listed.json()["items"][0]["id"] == item["id"]);

  auto replies = fake.chatReplies();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].platform == Platform::youtube);
  CHECK(replies[0].liveId == live.broadcastId);
  CHECK(replies[0].inReplyTo == live.liveChatId);
  CHECK(replies[0].text == "Réponse du maire");

  Answer empty = youtubeJson(client, "POST", target, body(live.liveChatId, ""), live.token);
  CHECK(empty.status == 400);
  CHECK(googleReason(empty) == "messageTextInvalid");
  Answer unknown = youtubeJson(client, "POST", target, body("KicKGFVDnothing", "Bonjour"), live.token);
  CHECK(unknown.status == 404);
  CHECK(googleReason(unknown) == "liveChatNotFound");
  CHECK(fake.chatReplies().size() == 1);
}

TEST_CASE("Unknown chats and lives are refused in each platform's way", "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  YouTubeLive live = youtubeLive(client, fake);

  YouTubeLive nowhere = live;
  nowhere.liveChatId = "KicKGFVDnothingHere";
  Answer missing = listChat(client, nowhere);
  CHECK(missing.status == 404);
  CHECK(googleReason(missing) == "liveChatNotFound");
  CHECK(missing.json()["error"]["code"] == 404);
  CHECK(missing.json()["error"]["errors"][0]["domain"] == "youtube.liveChat");
  CHECK(client.call("GET", chatTarget(live)).status == 401);  // no token

  for (Platform platform : {Platform::youtube, Platform::facebook, Platform::peertube}) {
    CHECK_THROWS_AS(fake.addChatMessage(platform, "999", {"Quelqu'un", "", "Bonjour"}), std::invalid_argument);
    CHECK_THROWS_AS(fake.endChat(platform, "999"), std::invalid_argument);
  }

  FacebookSetup facebook = facebookLiveVideo(client, fake);
  facebook.liveId = "12345";
  Answer noLive = client.call("GET", commentsTarget(fake, facebook, ""));
  CHECK(noLive.status == 400);
  CHECK(graphError(noLive)["code"] == 100);

  Answer noVideo = client.call("GET", "/peertube/api/v1/videos/999/comment-threads");
  CHECK(noVideo.status == 404);
  CHECK(noVideo.header("Content-Type").rfind("application/problem+json", 0) == 0);
  CHECK(fake.chatPagesServed(Platform::facebook) == 0);
  CHECK(fake.chatPagesServed(Platform::peertube) == 0);
}

TEST_CASE("Every chat page served is counted and its messages' ids go to the hook", "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  YouTubeLive live = youtubeLive(client, fake);
  std::mutex mutex;
  std::vector<std::pair<Platform, std::vector<std::string>>> pages;
  fake.onChatPageServed(
      [&](Platform platform, std::chrono::steady_clock::time_point, const std::vector<std::string>& ids) {
        std::lock_guard lock(mutex);
        pages.emplace_back(platform, ids);
      });

  CHECK_FALSE(fake.lastChatPageServed(Platform::youtube).has_value());
  auto before = std::chrono::steady_clock::now();
  Answer empty = listChat(client, live);  // a page, but no message for the hook
  REQUIRE(empty.status == 200);
  CHECK(fake.chatPagesServed(Platform::youtube) == 1);
  REQUIRE(fake.lastChatPageServed(Platform::youtube).has_value());
  CHECK(*fake.lastChatPageServed(Platform::youtube) >= before);

  auto ids = fake.addChatMessages(Platform::youtube, live.broadcastId, viewers(3));
  Answer full = listChat(client, live, "&pageToken=" + urlEncode(empty.json()["nextPageToken"].get<std::string>()));
  REQUIRE(full.status == 200);
  CHECK(fake.chatPagesServed(Platform::youtube) == 2);
  CHECK(listChat(client, live, "&pageToken=bad").status == 400);  // refused: not a page
  CHECK(fake.chatPagesServed(Platform::youtube) == 2);
  CHECK(fake.chatPagesServed(Platform::facebook) == 0);

  std::lock_guard lock(mutex);
  REQUIRE(pages.size() == 1);
  CHECK(pages[0].first == Platform::youtube);
  CHECK(pages[0].second == ids);
}

TEST_CASE("A YouTube streamList sends one list response per line as events come, then closes",
          "[fake-platforms][chat]") {
  FakePlatformsOptions options = chatOptions();
  options.youtubeChatStreamSeconds = 1s;
  FakePlatforms fake(options);
  Client client(fake.port());
  YouTubeLive live = youtubeLive(client, fake);
  std::string early = fake.addChatMessage(Platform::youtube, live.broadcastId, {"Habitant", "", "Première"});
  int before = fake.quotaUsed();

  std::string late;
  std::thread writer([&] {
    std::this_thread::sleep_for(300ms);
    late = fake.addChatMessage(Platform::youtube, live.broadcastId, {"Habitante", "", "Seconde"});
  });
  auto start = std::chrono::steady_clock::now();
  Answer stream = client.call("GET",
                              "/youtube/v3/liveChat/messages/stream?liveChatId=" + urlEncode(live.liveChatId) +
                                  "&part=id,snippet,authorDetails",
                              "", bearer(live.token));
  auto took = std::chrono::steady_clock::now() - start;
  writer.join();
  REQUIRE(stream.status == 200);
  CHECK(took >= 900ms);
  CHECK(took < 3s);
  CHECK(fake.quotaUsed() == before + 5);

  std::vector<Json> lines;
  std::size_t at = 0;
  while (at < stream.body.size()) {
    std::size_t end = stream.body.find('\n', at);
    REQUIRE(end != std::string::npos);  // every object ends its line
    lines.push_back(Json::parse(stream.body.substr(at, end - at)));
    at = end + 1;
  }
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["kind"] == "youtube#liveChatMessageListResponse");
  CHECK(itemIds(lines[0]["items"]) == std::vector<std::string>{early});
  CHECK(itemIds(lines[1]["items"]) == std::vector<std::string>{late});
  CHECK(fake.chatPagesServed(Platform::youtube) == 2);

  // The last token goes on where the stream stopped; the end closes a stream at once.
  std::string token = lines[1]["nextPageToken"];
  CHECK(listChat(client, live, "&pageToken=" + urlEncode(token)).json()["items"].empty());
  std::thread ender([&] {
    std::this_thread::sleep_for(200ms);
    fake.endChat(Platform::youtube, live.broadcastId);
  });
  start = std::chrono::steady_clock::now();
  Answer closing = client.call("GET",
                               "/youtube/v3/liveChat/messages/stream?liveChatId=" + urlEncode(live.liveChatId) +
                                   "&part=snippet&pageToken=" + urlEncode(token),
                               "", bearer(live.token));
  took = std::chrono::steady_clock::now() - start;
  ender.join();
  REQUIRE(closing.status == 200);
  CHECK(closing.body.find("chatEndedEvent") != std::string::npos);
  CHECK(took < 900ms);
}

// --- Facebook.

TEST_CASE("Facebook comments page by cursor, since keeps its whole second, and a hidden author has no from",
          "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  FacebookSetup setup = facebookLiveVideo(client, fake);
  auto messages = viewers(30);
  messages[7].hideAuthor = true;
  auto ids = fake.addChatMessages(Platform::facebook, setup.liveId, messages);
  CHECK(ids[0].rfind(setup.liveId + "_", 0) == 0);

  std::vector<std::string> read;
  std::vector<bool> hadNext;
  std::string target = commentsTarget(fake, setup, "&limit=12&order=chronological&filter=toplevel");
  Json hidden;
  while (true) {
    Answer page = client.call("GET", target);
    REQUIRE(page.status == 200);
    Json body = page.json();
    for (const auto& comment : body["data"]) {
      read.push_back(comment["id"]);
      if (comment["id"] == ids[7]) hidden = comment;
    }
    bool next = body["paging"].contains("next");
    hadNext.push_back(next);
    CHECK(body["paging"]["cursors"]["after"].is_string());
    if (!next) break;
    target = targetOf(fake, body["paging"]["next"]);
  }
  CHECK(hadNext == std::vector<bool>{true, true, false});
  CHECK(read == ids);
  CHECK_FALSE(hidden.contains("from"));
  CHECK(hidden["message"] == "Question 7");

  Json first = client.call("GET", commentsTarget(fake, setup, "&limit=1")).json()["data"][0];
  CHECK(first["from"]["name"] == "Habitant 0");
  CHECK(first["from"]["id"].is_string());
  CHECK(std::regex_match(first["created_time"].get<std::string>(),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000)")));
  long long second = graphUnix(first["created_time"]);
  Answer overlap = client.call("GET", commentsTarget(fake, setup, "&limit=100&since=" + std::to_string(second)));
  CHECK(overlap.json()["data"][0]["id"] == ids[0]);  // the same second is read again
  Answer later = client.call("GET", commentsTarget(fake, setup, "&limit=100&since=" + std::to_string(second + 1)));
  Json laterData = later.json()["data"];
  for (const auto& comment : laterData) CHECK(comment["id"] != ids[0]);

  Answer reversed = client.call("GET", commentsTarget(fake, setup, "&order=reverse_chronological&limit=2"));
  CHECK(itemIds(reversed.json()["data"]) == std::vector<std::string>{ids[29], ids[28]});
  Answer defaults = client.call("GET", commentsTarget(fake, setup, ""));
  CHECK(defaults.json()["data"].size() == 25);
  fake.addChatMessages(Platform::facebook, setup.liveId, viewers(100));
  CHECK(client.call("GET", commentsTarget(fake, setup, "&limit=500")).json()["data"].size() == 100);
  CHECK(graphError(client.call("GET", commentsTarget(fake, setup, "&live_filter=stream")))["code"] == 100);

  // A deleted comment is gone; a user token is not enough; a bad token is code 190.
  fake.deleteChatMessage(Platform::facebook, setup.liveId, ids[0]);
  CHECK(client.call("GET", commentsTarget(fake, setup, "&limit=1")).json()["data"][0]["id"] == ids[1]);
  Answer asUser =
      client.call("GET", graph(fake, "/" + setup.liveId + "/comments?access_token=") + urlEncode(setup.userToken));
  CHECK(asUser.status == 403);
  CHECK(graphError(asUser)["code"] == 200);
  Answer badToken = client.call("GET", graph(fake, "/" + setup.liveId + "/comments?access_token=nobody"));
  CHECK(graphError(badToken)["code"] == 190);
}

TEST_CASE("Facebook answers 613 once the comments calls pass the rate limit", "[fake-platforms][chat]") {
  FakePlatformsOptions options = chatOptions();
  options.facebookCommentsPerMinuteLimit = 3;
  FakePlatforms fake(options);
  Client client(fake.port());
  FacebookSetup setup = facebookLiveVideo(client, fake);
  for (int call = 0; call < 3; ++call) CHECK(client.call("GET", commentsTarget(fake, setup, "")).status == 200);
  Answer limited = client.call("GET", commentsTarget(fake, setup, ""));
  CHECK(limited.status == 400);
  CHECK(graphError(limited)["code"] == 613);
  CHECK(graphError(limited)["message"].get<std::string>().find("Calls to this api have exceeded the rate limit") !=
        std::string::npos);
  CHECK(fake.chatPagesServed(Platform::facebook) == 3);
}

TEST_CASE("The Page's reply to a Facebook comment is recorded and joins the stream, not the top level",
          "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  FacebookSetup setup = facebookLiveVideo(client, fake);
  std::string comment = fake.addChatMessage(Platform::facebook, setup.liveId, {"Habitant", "", "Et la piscine ?"});

  Answer reply = postForm(client, graph(fake, "/" + comment + "/comments"),
                          {{"access_token", setup.pageToken}, {"message", "Réouverture en mai."}});
  REQUIRE(reply.status == 200);
  std::string replyId = reply.json()["id"];
  CHECK(replyId.rfind(setup.liveId + "_", 0) == 0);
  auto replies = fake.chatReplies();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].platform == Platform::facebook);
  CHECK(replies[0].liveId == setup.liveId);
  CHECK(replies[0].inReplyTo == comment);
  CHECK(replies[0].text == "Réouverture en mai.");

  CHECK(client.call("GET", commentsTarget(fake, setup, "")).json()["data"].size() == 1);
  Json stream = client.call("GET", commentsTarget(fake, setup, "&filter=stream")).json()["data"];
  REQUIRE(stream.size() == 2);
  CHECK(stream[1]["id"] == replyId);
  CHECK(stream[1]["from"]["id"] == fake.options().facebookPageId);

  Answer unknown = postForm(client, graph(fake, "/" + setup.liveId + "_999/comments"),
                            {{"access_token", setup.pageToken}, {"message", "Bonjour"}});
  CHECK(unknown.status == 400);
  CHECK(graphError(unknown)["code"] == 100);
  Answer empty = postForm(client, graph(fake, "/" + comment + "/comments"), {{"access_token", setup.pageToken}});
  CHECK(graphError(empty)["code"] == 100);
  CHECK(fake.chatReplies().size() == 1);
}

// --- PeerTube.

TEST_CASE("PeerTube comment threads page by start and count and keep a deleted one as isDeleted",
          "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  PeerTubeSetup setup = peertubeLive(client, fake);
  auto messages = viewers(25);
  messages[3] = {"Alice", "alice@video.example", "<p>Et les <strong>travaux</strong> ?</p>", false, false};
  auto ids = fake.addChatMessages(Platform::peertube, setup.videoId, messages);

  Answer newest = threads(client, setup);  // no token needed
  REQUIRE(newest.status == 200);
  CHECK(newest.json()["total"] == 25);
  CHECK(newest.json()["totalNotDeletedComments"] == 25);
  REQUIRE(newest.json()["data"].size() == 10);  // count defaults to 10
  CHECK(std::to_string(newest.json()["data"][0]["id"].get<int>()) == ids[24]);

  std::vector<std::string> read;
  for (int start = 0; start < 30; start += 10) {
    Answer page = threads(client, setup, "?start=" + std::to_string(start) + "&count=10&sort=createdAt");
    REQUIRE(page.status == 200);
    Json data = page.json()["data"];
    for (const auto& comment : data) read.push_back(std::to_string(comment["id"].get<int>()));
  }
  CHECK(read == ids);

  Json alice = threads(client, setup, "?start=3&count=1&sort=createdAt").json()["data"][0];
  CHECK(alice["text"] == "<p>Et les <strong>travaux</strong> ?</p>");
  CHECK(alice["account"]["name"] == "alice");
  CHECK(alice["account"]["host"] == "video.example");
  CHECK(alice["account"]["displayName"] == "Alice");
  CHECK(alice["threadId"] == alice["id"]);
  CHECK(alice["inReplyToCommentId"].is_null());
  CHECK(alice["isDeleted"] == false);
  CHECK(alice["deletedAt"].is_null());
  CHECK(alice["videoId"] == std::stoi(setup.videoId));
  CHECK(std::regex_match(alice["createdAt"].get<std::string>(), std::regex(R"(\d{4}-.*T.*\.\d{3}Z)")));

  fake.deleteChatMessage(Platform::peertube, setup.videoId, ids[3]);
  Answer after = threads(client, setup, "?start=3&count=1&sort=createdAt");
  Json deleted = after.json()["data"][0];
  CHECK(deleted["isDeleted"] == true);
  CHECK(deleted["text"] == "");
  CHECK(deleted["account"].is_null());
  CHECK(deleted["deletedAt"].is_string());
  CHECK(after.json()["total"] == 25);
  CHECK(after.json()["totalNotDeletedComments"] == 24);

  Answer tooMany = threads(client, setup, "?count=101");
  CHECK(tooMany.status == 400);
  CHECK(tooMany.header("Content-Type").rfind("application/problem+json", 0) == 0);
  CHECK(threads(client, setup, "?count=100").json()["data"].size() == 25);
}

TEST_CASE("A PeerTube reply needs a token, answers in its thread and is recorded", "[fake-platforms][chat]") {
  FakePlatforms fake(chatOptions());
  Client client(fake.port());
  PeerTubeSetup setup = peertubeLive(client, fake);
  std::string comment = fake.addChatMessage(Platform::peertube, setup.videoId, {"Habitant", "", "<p>Horaires ?</p>"});
  const std::string target = "/peertube/api/v1/videos/" + setup.videoId + "/comments/" + comment;
  Json text = {{"text", "Dès 18 h."}};

  Answer anonymous = client.call("POST", target, text.dump(), {{"Content-Type", "application/json"}});
  CHECK(anonymous.status == 401);
  Answer reply = client.call("POST", target, text.dump(), bearer(setup.access, true));
  REQUIRE(reply.status == 200);
  Json posted = reply.json()["comment"];
  CHECK(std::to_string(posted["inReplyToCommentId"].get<int>()) == comment);
  CHECK(std::to_string(posted["threadId"].get<int>()) == comment);
  CHECK(posted["account"]["name"] == fake.options().peertubeUsername);

  Json thread = threads(client, setup).json();
  CHECK(thread["total"] == 1);  // a reply is no thread
  CHECK(thread["data"][0]["totalReplies"] == 1);
  CHECK(thread["data"][0]["totalRepliesFromVideoAuthor"] == 1);
  auto replies = fake.chatReplies();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].platform == Platform::peertube);
  CHECK(replies[0].inReplyTo == comment);
  CHECK(replies[0].text == "Dès 18 h.");

  Answer unknown = client.call("POST", "/peertube/api/v1/videos/" + setup.videoId + "/comments/99999", text.dump(),
                               bearer(setup.access, true));
  CHECK(unknown.status == 404);
  Answer empty = client.call("POST", target, Json{{"text", ""}}.dump(), bearer(setup.access, true));
  CHECK(empty.status == 400);
  CHECK(fake.chatReplies().size() == 1);
}
