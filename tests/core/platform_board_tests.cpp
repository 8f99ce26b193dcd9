#include <catch2/catch.hpp>

#include "core/command_table.h"
#include "core/live_plan.h"
#include "core/platform_board.h"
#include "core/platform_identity.h"
#include "core/youtube_chapters.h"
#include "fakes.h"

using namespace tribune::core;

namespace {

PlatformsSettings youtubeAndFacebook(bool autoCreate) {
  PlatformsSettings settings;
  settings.youtube = YouTubePlatformSettings{};
  settings.youtube->autoCreate = autoCreate;
  settings.facebook = FacebookPlatformSettings{};
  settings.facebook->autoCreate = autoCreate;
  return settings;
}

PlatformAccountStatus linkedAs(std::string name) {
  PlatformAccountStatus status;
  status.state = AccountState::linked;
  status.accountName = std::move(name);
  return status;
}

const WallTime kNoon = WallTime{std::chrono::seconds{1796644800}};

}  // namespace

TEST_CASE("the board refuses a platform that is not configured and orders the adapter for one that is",
          "[platforms][board]") {
  PlatformBoard board(youtubeAndFacebook(false), {});
  CHECK(board.configured(PlatformId::youtube));
  CHECK_FALSE(board.configured(PlatformId::peertube));
  REQUIRE(board.link("peertube"));
  CHECK_THAT(*board.link("peertube"), Catch::Contains("platforms.peertube"));
  CHECK_THAT(*board.link("dailymotion"), Catch::Contains("plateforme inconnue"));
  CHECK(board.takeOrders().empty());
  CHECK_FALSE(board.link("youtube"));
  CHECK_FALSE(board.unlink("facebook"));
  CHECK(board.takeOrders() == std::vector<PlatformOrder>{{PlatformId::youtube, PlatformAction::link},
                                                         {PlatformId::facebook, PlatformAction::unlink}});
}

TEST_CASE("a live is prepared only on a linked account", "[platforms][board]") {
  PlatformBoard board(youtubeAndFacebook(false), {});
  CHECK_THAT(*board.prepare(""), Catch::Contains("aucun compte relié"));
  CHECK_THAT(*board.prepare("youtube"), Catch::Contains("pas relié"));
  board.account(PlatformId::facebook, linkedAs("Ville de Démo"));
  CHECK_FALSE(board.prepare(""));
  CHECK(board.takeOrders() == std::vector<PlatformOrder>{{PlatformId::facebook, PlatformAction::prepare}});
}

TEST_CASE("broadcast.start prepares the auto_create lives, also for an account reported linked afterwards",
          "[platforms][board]") {
  PlatformBoard board(youtubeAndFacebook(true), {});
  board.account(PlatformId::youtube, linkedAs("Chaîne de la ville"));
  board.commandDone("broadcast.start");
  CHECK(board.takeOrders() == std::vector<PlatformOrder>{{PlatformId::youtube, PlatformAction::prepare}});
  // Facebook's kept account is reported after the start: its live is prepared then, once.
  board.account(PlatformId::facebook, linkedAs("Ville de Démo"));
  CHECK(board.takeOrders() == std::vector<PlatformOrder>{{PlatformId::facebook, PlatformAction::prepare}});
  board.account(PlatformId::facebook, linkedAs("Ville de Démo"));
  CHECK(board.takeOrders().empty());
  // Without auto_create, or once the broadcast stopped, nothing is prepared by itself.
  PlatformBoard manual(youtubeAndFacebook(false), {});
  manual.commandDone("broadcast.start");
  manual.account(PlatformId::youtube, linkedAs("Chaîne"));
  CHECK(manual.takeOrders().empty());
  PlatformBoard stopped(youtubeAndFacebook(true), {});
  stopped.commandDone("broadcast.start");
  stopped.commandDone("broadcast.stop");
  stopped.account(PlatformId::youtube, linkedAs("Chaîne"));
  CHECK(stopped.takeOrders().empty());
}

TEST_CASE("terminée ends the ready lives and the audience is read at its interval while one is ready",
          "[platforms][board]") {
  auto settings = youtubeAndFacebook(false);
  settings.audienceInterval = std::chrono::seconds{60};
  PlatformBoard board(settings, {});
  board.tick(kNoon);
  CHECK(board.takeOrders().empty());  // no live: no call
  PlatformLiveStatus ready;
  ready.state = "ready";
  board.live(PlatformId::facebook, ready);
  board.tick(kNoon);
  CHECK(board.takeOrders() == std::vector<PlatformOrder>{{PlatformId::facebook, PlatformAction::pollAudience}});
  board.tick(kNoon + std::chrono::seconds{59});
  CHECK(board.takeOrders().empty());
  board.tick(kNoon + std::chrono::seconds{60});
  CHECK(board.takeOrders().size() == 1);
  board.commandDone("session.end");
  CHECK(board.takeOrders() == std::vector<PlatformOrder>{{PlatformId::facebook, PlatformAction::end}});
}

TEST_CASE("a ready live replaces the pasted key's destination of its platform or adds one named after it",
          "[platforms][board]") {
  DestinationSettings pasted;
  pasted.name = "fb-page";
  pasted.platform = "facebook";
  DestinationSettings other;
  other.name = "youtube";
  other.platform = "";  // a custom server that happens to be named youtube
  PlatformBoard board(youtubeAndFacebook(false), {pasted, other});
  auto facebook =
      board.destinationFor(PlatformId::facebook, "rtmps://127.0.0.1:443/rtmp", Secret("FB-1-key"), {pasted, other});
  REQUIRE(facebook.destination);
  CHECK(facebook.destination->replace);
  CHECK(facebook.destination->name == "fb-page");
  CHECK(facebook.destination->url.full() == "rtmps://127.0.0.1:443/rtmp/FB-1-key");
  auto youtube =
      board.destinationFor(PlatformId::youtube, "rtmp://127.0.0.1:1935/live2", Secret("abcd-efgh"), {pasted, other});
  REQUIRE(youtube.destination);
  CHECK_FALSE(youtube.destination->replace);
  CHECK(youtube.destination->name == "youtube-2");
  auto broken = board.destinationFor(PlatformId::youtube, "https://example.org/x", Secret("k"), {});
  CHECK_FALSE(broken.destination);
  CHECK_THAT(broken.error, Catch::Contains("YouTube"));
  // A failed live says that the pasted key carries on, where there is one.
  PlatformLiveStatus failed;
  failed.state = "failed";
  failed.error = "quota";
  board.live(PlatformId::facebook, failed);
  board.live(PlatformId::youtube, failed);
  const auto json = board.toJson();
  CHECK_THAT(json[1]["live"]["error"].get<std::string>(), Catch::Contains("clé de diffusion de la configuration"));
  CHECK(json[0]["live"]["error"] == "quota");
}

TEST_CASE("the console's view shows the code while linking and never a token", "[platforms][board]") {
  PlatformBoard board(youtubeAndFacebook(false), {});
  PlatformAccountStatus linking;
  linking.state = AccountState::linking;
  linking.userCode = "GQVQ-JKEC";
  linking.verificationUrl = "https://www.google.com/device";
  linking.codeExpiresAt = kNoon;
  board.account(PlatformId::youtube, linking);
  const auto json = board.toJson();
  REQUIRE(json.size() == 2);
  CHECK(json[0]["platform"] == "youtube");
  CHECK(json[0]["account"]["state"] == "linking");
  CHECK(json[0]["account"]["user_code"] == "GQVQ-JKEC");
  CHECK(json[0]["account"]["verification_url"] == "https://www.google.com/device");
  board.account(PlatformId::youtube, linkedAs("Chaîne"));
  CHECK_FALSE(board.toJson()[0]["account"].contains("user_code"));
}

TEST_CASE("the audience keeps a figure a minute with its peak and average, and /metrics shows the last",
          "[platforms][board]") {
  PlatformBoard board(youtubeAndFacebook(false), {});
  board.viewers(PlatformId::youtube, 10, kNoon);
  board.viewers(PlatformId::youtube, 30, kNoon + std::chrono::seconds{30});  // same minute: the last counts
  board.viewers(PlatformId::youtube, 50, kNoon + std::chrono::seconds{61});
  board.viewers(PlatformId::youtube, -1, kNoon + std::chrono::seconds{62});  // nonsense: ignored
  const auto audience = board.audience();
  REQUIRE(audience.contains("youtube"));
  CHECK_FALSE(audience.contains("facebook"));
  CHECK(audience["youtube"]["peak"] == 50);
  CHECK(audience["youtube"]["average"] == 40.0);
  CHECK(audience["youtube"]["per_minute"] == nlohmann::json::parse(R"([{"minute":0,"viewers":30},
                                                                      {"minute":1,"viewers":50}])"));
  const auto metrics = board.metrics();
  CHECK_THAT(metrics, Catch::Contains("tribune_platform_viewers{platform=\"youtube\"} 50\n"));
  CHECK_THAT(metrics, Catch::Contains("tribune_platform_account_linked{platform=\"facebook\"} 0\n"));
}

TEST_CASE("the platforms' commands are the technician's and refused without platforms", "[platforms][dispatch]") {
  tribune::testing::ScriptedRandom random;
  Broadcast broadcast{RetrySettings{}, random};
  Meeting meeting("m", Agenda{}, tribune::testing::at(0));
  QuestionIntake questions;
  PlatformBoard board(youtubeAndFacebook(false), {});
  auto send = [&](Role role, std::string type, nlohmann::json params, PlatformBoard* platforms) {
    return dispatch({std::move(type), std::move(params)}, Caller{role, {}, {}, {}},
                    DispatchTarget{meeting, broadcast, questions, tribune::testing::at(1), 0, platforms});
  };
  CHECK(send(Role::Moderator, "account.link", {{"platform", "youtube"}}, &board).status == "forbidden");
  CHECK(send(Role::Technician, "account.link", {{"platform", "tiktok"}}, &board).status == "invalid_params");
  const auto none = send(Role::Technician, "account.link", {{"platform", "youtube"}}, nullptr);
  CHECK(none.status == "platform_refused");
  CHECK_THAT(none.message, Catch::Contains("docs/PLATFORMS.md"));
  CHECK(send(Role::Technician, "account.link", {{"platform", "peertube"}}, &board).status == "platform_refused");
  CHECK(send(Role::Technician, "account.link", {{"platform", "youtube"}}, &board).ok());
  CHECK(send(Role::Technician, "lives.prepare", nlohmann::json::object(), &board).status == "platform_refused");
  CHECK(board.takeOrders() == std::vector<PlatformOrder>{{PlatformId::youtube, PlatformAction::link}});
}

TEST_CASE("platform.watch reads a hand-made live's chat: the technician's, a recognised address, a linked account",
          "[platforms][dispatch][chat-intake]") {
  tribune::testing::ScriptedRandom random;
  Broadcast broadcast{RetrySettings{}, random};
  Meeting meeting("m", Agenda{}, tribune::testing::at(0));
  QuestionIntake questions;
  PlatformBoard board(youtubeAndFacebook(false), {});
  auto send = [&](Role role, nlohmann::json params) {
    return dispatch({"platform.watch", std::move(params)}, Caller{role, {}, {}, {}},
                    DispatchTarget{meeting, broadcast, questions, tribune::testing::at(1), 0, &board});
  };
  const nlohmann::json watch{{"platform", "youtube"}, {"address", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}};
  CHECK(send(Role::Moderator, watch).status == "forbidden");
  const auto notLinked = send(Role::Technician, watch);
  CHECK(notLinked.status == "platform_refused");
  CHECK_THAT(notLinked.message, Catch::Contains("reliez-le dans Comptes"));
  board.account(PlatformId::youtube, linkedAs("Ville de Démo"));
  const auto wrong = send(Role::Technician, {{"platform", "youtube"}, {"address", "https://example.org/video"}});
  CHECK(wrong.status == "invalid_params");
  CHECK_THAT(wrong.message, Catch::Contains("Adresse de direct YouTube non reconnue"));
  CHECK(send(Role::Technician, {{"platform", "peertube"}, {"address", "abc"}}).status == "platform_refused");
  CHECK(board.takeOrders().empty());
  REQUIRE(send(Role::Technician, watch).ok());
  CHECK(board.takeOrders() == std::vector<PlatformOrder>{{PlatformId::youtube, PlatformAction::watch, "dQw4w9WgXcQ"}});
}

TEST_CASE("the chat reader's state and counts are in the console's view and /metrics", "[platforms][board]") {
  PlatformBoard board(youtubeAndFacebook(false), {});
  CHECK_FALSE(board.toJson()[0].contains("chat"));
  board.chat(PlatformId::facebook, ChatStatus{ChatState::live, "lecture des commentaires de Facebook en cours",
                                              "reading Facebook's comments"});
  board.chatCounts(PlatformId::facebook, 12, 4);
  const auto json = board.toJson();
  REQUIRE(json[1]["platform"] == "facebook");
  CHECK(json[1]["chat"] == nlohmann::json{{"state", "live"},
                                          {"label", "lecture des commentaires de Facebook en cours"},
                                          {"label_en", "reading Facebook's comments"},
                                          {"received", 12},
                                          {"questions", 4}});
  CHECK_THAT(board.metrics(), Catch::Contains("tribune_platform_chat_messages_total{platform=\"facebook\"} 12"));
  CHECK_THAT(board.metrics(), Catch::Contains("tribune_platform_chat_questions_total{platform=\"facebook\"} 4"));
}

TEST_CASE("who an account is comes from the platforms' answers and a wrong answer names what is missing",
          "[platforms][identity]") {
  auto channel = parseYouTubeChannel(R"({"items": [{"id": "UC123", "snippet": {"title": "Ville de Démo"}}]})");
  REQUIRE(channel.identity);
  CHECK(channel.identity->id == "UC123");
  CHECK(channel.identity->name == "Ville de Démo");
  CHECK_THAT(parseYouTubeChannel(R"({"items": []})").error, Catch::Contains("pas de chaîne"));
  CHECK_THAT(parseYouTubeChannel(R"({"items": [{"id": true}]})").error, Catch::Contains("items[0].id"));
  CHECK_FALSE(parseYouTubeChannel("<html>").identity);
  // An id goes into API paths as it is: one that could leave its segment is no id.
  CHECK_THAT(parseYouTubeChannel(R"({"items": [{"id": "../me", "snippet": {"title": "x"}}]})").error,
             Catch::Contains("items[0].id"));

  const std::string pages = R"({"data": [{"id": "1000", "name": "Ville de Démo", "access_token": "PAGE-TOKEN-1"},
                                         {"id": "2000", "name": "Médiathèque", "access_token": "PAGE-TOKEN-2"}]})";
  auto chosen = parseFacebookPages(pages, "2000");
  REQUIRE(chosen.identity);
  CHECK(chosen.identity->name == "Médiathèque");
  CHECK(chosen.identity->token.reveal() == "PAGE-TOKEN-2");
  auto ambiguous = parseFacebookPages(pages, "");
  CHECK_FALSE(ambiguous.identity);
  CHECK_THAT(ambiguous.error, Catch::Contains("page_id"));
  CHECK_THAT(ambiguous.error, Catch::Contains("Médiathèque (2000)"));
  CHECK(ambiguous.error.find("PAGE-TOKEN") == std::string::npos);
  CHECK_THAT(parseFacebookPages(pages, "3000").error, Catch::Contains("3000"));
  CHECK_THAT(parseFacebookPages(R"({"data": []})", "").error, Catch::Contains("aucune Page"));
  CHECK_FALSE(parseFacebookPages(R"({"data": [{"id": "1000/live_videos?x=", "name": "V", "access_token": "T"}]})", "")
                  .identity);

  auto me = parsePeerTubeMe(R"({"username": "mairie", "videoChannels": [{"id": 7, "name": "mairie_channel",
                                  "displayName": "Mairie"}, {"id": 9, "name": "conseil", "displayName": "Conseil"}]})",
                            "conseil");
  REQUIRE(me.identity);
  CHECK(me.identity->id == "9");
  CHECK(me.identity->name == "mairie (Conseil)");
  CHECK_THAT(parsePeerTubeMe(R"({"username": "mairie", "videoChannels": []})", "").error,
             Catch::Contains("pas de chaîne"));
  auto client = parsePeerTubeClient(R"({"client_id": "abc", "client_secret": "def"})");
  REQUIRE(client);
  CHECK(client->secret.reveal() == "def");
  CHECK_FALSE(parsePeerTubeClient(R"({"client_id": 1})"));
}

TEST_CASE("the chapters go into the YouTube description with the snippet kept whole", "[platforms][chapters]") {
  const std::string video = R"({"items": [{"id": "b-1", "snippet": {
      "title": "Conseil municipal", "categoryId": "25", "tags": ["conseil", "mairie"],
      "description": "Séance publique.\n\nChapitres :\n00:00 ancien", "channelId": "UC1",
      "publishedAt": "2026-12-03T18:00:00Z", "thumbnails": {}}}]})";
  const auto update = youTubeChaptersUpdate(video, "00:00 Ouverture\n04:10 1. Budget <primitif>\n");
  REQUIRE(update.body);
  const auto body = nlohmann::json::parse(*update.body);
  CHECK(body["id"] == "b-1");
  CHECK(body["snippet"]["title"] == "Conseil municipal");
  CHECK(body["snippet"]["categoryId"] == "25");
  CHECK(body["snippet"]["tags"] == nlohmann::json::array({"conseil", "mairie"}));
  CHECK_FALSE(body["snippet"].contains("channelId"));
  CHECK_FALSE(body["snippet"].contains("publishedAt"));
  CHECK(body["snippet"]["description"] ==
        "Séance publique.\n\nChapitres :\n00:00 Ouverture\n04:10 1. Budget ‹primitif›\n");  // the old block replaced
  CHECK_THAT(youTubeChaptersUpdate(R"({"items": []})", "00:00 x").error, Catch::Contains("not found"));
  CHECK_THAT(youTubeChaptersUpdate(R"({"items": [{"id": "b", "snippet": {"title": "t"}}]})", "00:00 x").error,
             Catch::Contains("categoryId"));
  CHECK_FALSE(youTubeChaptersUpdate("garbage", "00:00 x").body);
}

TEST_CASE("a long description stays within YouTube's 5000 bytes and whole characters", "[platforms][chapters]") {
  std::string longText;
  while (longText.size() < 6000) longText += "é";
  const nlohmann::json video = {
      {"items", {{{"id", "b"}, {"snippet", {{"title", "t"}, {"categoryId", "25"}, {"description", longText}}}}}}};
  std::string chapters;
  for (int i = 0; i < 400; ++i)
    chapters += "00:" + std::to_string(10 + i % 50) + " Point numéro " + std::to_string(i) + "\n";
  const auto update = youTubeChaptersUpdate(video.dump(), chapters);
  REQUIRE(update.body);
  const auto description = nlohmann::json::parse(*update.body)["snippet"]["description"].get<std::string>();
  CHECK(description.size() <= 5000);
  CHECK_THAT(description, Catch::Contains("Chapitres :\n00:10 Point numéro 0\n"));
  CHECK(description.back() == '\n');  // cut at a line
}

TEST_CASE("a Facebook live's permalink becomes its public page and anything else is not shown",
          "[platforms][live_plan]") {
  CHECK(parseFacebookPermalink(R"({"permalink_url": "/104857600123456/videos/42/", "id": "42"})") ==
        "https://www.facebook.com/104857600123456/videos/42/");
  CHECK(parseFacebookPermalink(R"({"permalink_url": "https://www.facebook.com/ville/videos/42/"})") ==
        "https://www.facebook.com/ville/videos/42/");
  CHECK(parseFacebookPermalink(R"j({"permalink_url": "javascript:alert(1)"})j").empty());
  CHECK(parseFacebookPermalink(R"({"permalink_url": "//evil.example/x"})").empty());
  CHECK(parseFacebookPermalink(R"({"permalink_url": 42})").empty());
  CHECK(parseFacebookPermalink("not json").empty());
}
