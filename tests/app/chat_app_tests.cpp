// Questions from where the viewers are (issue 21), with the real `tribune run` and
// tests/support's FakePlatforms playing YouTube's live chat and Facebook's comments (the
// only fake: the real APIs cannot be reached from a test). Messages reach the moderator's
// queue with their origin, a deleted YouTube message withdraws its pending question, an
// answered Facebook question gets its reply, and a kill -9 in the middle of the reading
// neither loses nor doubles a question.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "platforms_app_support.h"
#include "running_tribune.h"
#include "support/fake_platforms.h"

using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

// Fast reading for tests: YouTube's hint of 1 s honoured (a ten-minute meeting with no
// margin leaves the budget room for it), Facebook every second.
FakePlatformsOptions chatOptions() {
  FakePlatformsOptions options;
  options.deviceInterval = 1s;
  options.youtubeChatPollingInterval = 1000ms;
  return options;
}

Json chatConfig(const FakePlatforms& fake, Json extra = Json::object()) {
  auto config = platformsOf({{"youtube", youtubeSection(fake)},
                             {"facebook", facebookSection(fake)},
                             {"youtube_chat_min_interval_s", 1},
                             {"facebook_comments_interval_s", 1},
                             {"chat_budget_margin_minutes", 0}});
  config["platforms"].update(extra);
  config["recording"] = {{"expected_duration_minutes", 10}};
  return config;
}

// The moderator's questions (every one but deleted ones), as its snapshot has them.
Json moderatorQuestions(const RunningTribune& tribune) {
  WsClient moderator;
  auto staff = hello(moderator, tribune.port(), tribune.token("moderator"));
  return staff["snapshot"]["questions"];
}

// Waits until the moderator sees `count` questions; the last list seen.
Json waitForQuestions(const RunningTribune& tribune, std::size_t count, std::chrono::seconds timeout = 20s) {
  Json last = Json::array();
  waitUntil(
      [&] {
        last = moderatorQuestions(tribune);
        return last.size() >= count;
      },
      timeout, 250ms);
  return last;
}

const Json* byText(const Json& questions, const std::string& text) {
  for (const auto& q : questions) {
    if (q["text"] == text) return &q;
  }
  return nullptr;
}

struct Lives {
  std::string youtube;
  std::string facebook;
};

Lives linkAndPrepare(Technician& technician, FakePlatforms& fake) {
  linkByDeviceFlow(technician, fake, Platform::youtube);
  linkByDeviceFlow(technician, fake, Platform::facebook);
  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  Lives lives;
  lives.youtube = waitForLive(technician, "youtube", "ready")["live"]["id"].get<std::string>();
  lives.facebook = waitForLive(technician, "facebook", "ready")["live"]["id"].get<std::string>();
  return lives;
}

}  // namespace

TEST_CASE(
    "YouTube chat and Facebook comments reach the moderator's queue with their origin, a deleted message "
    "withdraws its question, an answered one gets its reply",
    "[app][platforms][chat]") {
  FakePlatforms fake(chatOptions());
  TempDir data;
  RunningTribune tribune(data.path(), chatConfig(fake, {{"reply_when_answered", true}}));
  Technician technician(tribune);
  const auto lives = linkAndPrepare(technician, fake);

  const auto piscine = fake.addChatMessage(Platform::youtube, lives.youtube,
                                           {"Marie Curie", "", "Quand rouvre la piscine ?", false, false});
  fake.addChatMessage(Platform::youtube, lives.youtube, {"Paul", "", "Bonsoir à tous", false, false});
  fake.addChatMessage(Platform::youtube, lives.youtube,
                      {"Mairie", "", "Posez vos questions ?", true, false});  // the channel's own
  const auto cantine =
      fake.addChatMessage(Platform::youtube, lives.youtube, {"Léa", "", "Et la cantine, finalement ?", false, false});
  const auto parking = fake.addChatMessage(Platform::facebook, lives.facebook,
                                           {"Jean Dupont", "", "Et le parking de la gare ?", false, false});
  fake.addChatMessage(Platform::facebook, lives.facebook,
                      {"", "", "Qui paie les travaux ?", false, true});  // Graph gave no author
  fake.addChatMessage(Platform::facebook, lives.facebook,
                      {"Mairie", "", "Merci de suivre le conseil ?", true, false});  // the Page's own

  auto questions = waitForQuestions(tribune, 4);
  INFO(questions.dump(1) << "\n" << tribune.log());
  REQUIRE(questions.size() == 4);
  const auto* q1 = byText(questions, "Quand rouvre la piscine ?");
  const auto* q2 = byText(questions, "Et la cantine, finalement ?");
  const auto* q3 = byText(questions, "Et le parking de la gare ?");
  const auto* q4 = byText(questions, "Qui paie les travaux ?");
  REQUIRE(q1);
  REQUIRE(q2);
  REQUIRE(q3);
  REQUIRE(q4);
  CHECK((*q1)["origin"] == "youtube");
  CHECK((*q1)["pseudonym"] == "Marie Curie");
  CHECK((*q1)["status"] == "pending");
  CHECK((*q3)["origin"] == "facebook");
  CHECK((*q3)["pseudonym"] == "Jean Dupont");
  CHECK((*q4)["pseudonym"] == "Utilisateur Facebook");
  const auto cantineQuestion = (*q2)["id"];  // the list is read again below: keep ids, not pointers
  const auto parkingQuestion = (*q3)["id"];

  // The console says both readers are at work, and counts.
  const auto youtube = technician.waitFor(
      "youtube", [](const Json& p) { return p.contains("chat") && p["chat"]["received"] >= 3; }, 10s);
  CHECK(youtube["chat"]["state"] == "live");
  CHECK(youtube["chat"]["label"] == "lecture du chat en direct de YouTube en cours");
  CHECK(youtube["chat"]["questions"] == 2);

  // Marie deletes her message on YouTube: her pending question goes. Léa's, approved
  // first, stays when she deletes hers (the moderator decided).
  WsClient moderator;
  hello(moderator, tribune.port(), tribune.token("moderator"));
  REQUIRE(command(moderator, 1, {{"type", "question.approve"}, {"question", cantineQuestion}})["status"] == "ok");
  fake.deleteChatMessage(Platform::youtube, lives.youtube, piscine);
  fake.deleteChatMessage(Platform::youtube, lives.youtube, cantine);
  REQUIRE(waitUntil([&] { return moderatorQuestions(tribune).size() == 3; }, 15s, 250ms));
  questions = moderatorQuestions(tribune);
  CHECK_FALSE(byText(questions, "Quand rouvre la piscine ?"));
  REQUIRE(byText(questions, "Et la cantine, finalement ?"));
  CHECK((*byText(questions, "Et la cantine, finalement ?"))["status"] == "approved");

  // Jean's question approved, then answered by the mayor: Tribune replies under his comment.
  CHECK(fake.chatReplies().empty());
  REQUIRE(command(moderator, 2, {{"type", "question.approve"}, {"question", parkingQuestion}})["status"] == "ok");
  WsClient mayor;
  hello(mayor, tribune.port(), tribune.token("mayor"));
  REQUIRE(command(mayor, 1, {{"type", "question.answered"}, {"question", parkingQuestion}})["status"] == "ok");
  REQUIRE(waitUntil([&] { return !fake.chatReplies().empty(); }, 10s, 100ms));
  const auto replies = fake.chatReplies();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].platform == Platform::facebook);
  CHECK(replies[0].inReplyTo == parking);
  CHECK_THAT(replies[0].text, Catch::StartsWith("Votre question a été posée en séance à "));
  std::this_thread::sleep_for(1500ms);
  CHECK(fake.chatReplies().size() == 1);  // once, and nothing on its own

  // YouTube's chat was read through its stream (the default), not polled.
  CHECK(fake.requestCount("/youtube/v3/liveChat/messages/stream") >= 1);
  CHECK(fake.requestCount("/youtube/v3/liveChat/messages") == 0);

  // No token in the log or the answers.
  const auto log = tribune.log();
  for (const auto& secret : fake.secretsReceived()) {
    INFO("secret " << secret.substr(0, 4) << "…");
    CHECK(log.find(secret) == std::string::npos);
    CHECK(technician.answers().find(secret) == std::string::npos);
  }
}

TEST_CASE("a kill -9 while comments are being read loses none and doubles none after the restart",
          "[app][platforms][chat][faults]") {
  FakePlatforms fake(chatOptions());
  TempDir data;
  // YouTube polled: its page token is the cursor that must survive the kill.
  RunningTribune tribune(data.path(), chatConfig(fake, {{"questions_from", "all"}, {"youtube_chat_mode", "list"}}));
  Lives lives;
  {
    Technician technician(tribune);
    lives = linkAndPrepare(technician, fake);
  }
  // The viewers write on both platforms, all along: before, during and after the kill.
  std::atomic<bool> writing{true};
  std::atomic<int> written{0};
  std::thread viewers([&] {
    for (int i = 0; writing; ++i) {
      const auto platform = i % 2 == 0 ? Platform::youtube : Platform::facebook;
      const auto& live = i % 2 == 0 ? lives.youtube : lives.facebook;
      // Every author once: the per-author limit is not what is tested here.
      fake.addChatMessage(platform, live,
                          {"Habitant " + std::to_string(i), "author-" + std::to_string(i),
                           "Message numéro " + std::to_string(i), false, false});
      ++written;
      std::this_thread::sleep_for(40ms);
    }
  });
  REQUIRE(waitForQuestions(tribune, 10).size() >= 10);  // reading is under way
  tribune.kill9();
  std::this_thread::sleep_for(1s);
  tribune.start();
  std::this_thread::sleep_for(2s);
  writing = false;
  viewers.join();
  const auto total = static_cast<std::size_t>(written.load());
  CHECK(fake.requestCount("/youtube/v3/liveChat/messages") > 0);

  const auto questions = waitForQuestions(tribune, total, 30s);
  INFO("written " << total << "\n" << tribune.log());
  std::map<std::string, int> seen;
  for (const auto& q : questions) ++seen[q["text"].get<std::string>()];
  CHECK(questions.size() == total);
  for (std::size_t i = 0; i < total; ++i) {
    const auto text = "Message numéro " + std::to_string(i);
    INFO(text);
    CHECK(seen[text] == 1);
  }
}

TEST_CASE("PeerTube comments become questions as text, the commune's own are not, a written reply is posted",
          "[app][platforms][chat][peertube]") {
  FakePlatforms fake(chatOptions());
  TempDir data;
  auto config = platformsOf({{"peertube", peertubeSection(fake)},
                             {"peertube_comments_interval_s", 1},
                             {"reply_when_answered", true},
                             {"written_reply_text", "Réponse écrite à venir, merci !"}});
  RunningTribune tribune(data.path(), config);
  Technician technician(tribune);
  linkPeerTube(technician);
  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  const auto live = waitForLive(technician, "peertube", "ready")["live"]["id"].get<std::string>();

  const auto asked = fake.addChatMessage(
      Platform::peertube, live,
      {"Élise", "elise", "<p>La <strong>médiathèque</strong> &amp; ses horaires ?</p>", false, false});
  fake.addChatMessage(Platform::peertube, live,
                      {"Mairie", fake.options().peertubeUsername, "<p>Bienvenue, des questions ?</p>", true, false});
  const auto questions = waitForQuestions(tribune, 1);
  INFO(questions.dump(1) << "\n" << tribune.log());
  REQUIRE(questions.size() == 1);
  CHECK(questions[0]["text"] == "La médiathèque & ses horaires ?");
  CHECK(questions[0]["origin"] == "peertube");
  CHECK(questions[0]["pseudonym"] == "Élise");
  std::this_thread::sleep_for(2s);
  CHECK(moderatorQuestions(tribune).size() == 1);  // the commune's own message never comes

  WsClient moderator;
  hello(moderator, tribune.port(), tribune.token("moderator"));
  REQUIRE(command(moderator, 1, {{"type", "question.written_reply"}, {"question", questions[0]["id"]}})["status"] ==
          "ok");
  REQUIRE(waitUntil([&] { return !fake.chatReplies().empty(); }, 10s, 100ms));
  const auto replies = fake.chatReplies();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].platform == Platform::peertube);
  CHECK(replies[0].inReplyTo == asked);
  CHECK(replies[0].text == "Réponse écrite à venir, merci !");
}

TEST_CASE("a YouTube chat stream that does not work is replaced by the polled list, and the questions come",
          "[app][platforms][chat]") {
  FakePlatforms fake(chatOptions());
  fake.fail("/youtube/v3/liveChat/messages/stream", 404, "Not Found", FakePlatforms::kAlways);
  TempDir data;
  RunningTribune tribune(data.path(), platformsOf({{"youtube", youtubeSection(fake)},
                                                   {"youtube_chat_min_interval_s", 1},
                                                   {"chat_budget_margin_minutes", 0}}));
  Technician technician(tribune);
  linkByDeviceFlow(technician, fake, Platform::youtube);
  REQUIRE(technician.send({{"type", "lives.prepare"}}).at("status") == "ok");
  const auto live = waitForLive(technician, "youtube", "ready")["live"]["id"].get<std::string>();
  fake.addChatMessage(Platform::youtube, live, {"Marie", "", "Et le marché de Noël ?", false, false});
  const auto questions = waitForQuestions(tribune, 1, 30s);
  INFO(tribune.log());
  REQUIRE(questions.size() == 1);
  CHECK(questions[0]["origin"] == "youtube");
  CHECK(fake.requestCount("/youtube/v3/liveChat/messages/stream") == 2);  // twice, then the list
  CHECK(fake.requestCount("/youtube/v3/liveChat/messages") >= 1);
  CHECK_THAT(tribune.log(), Catch::Contains("reading its list instead"));
}
