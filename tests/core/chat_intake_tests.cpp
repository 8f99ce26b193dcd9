// Questions from the platforms (issue 21): what a message becomes (the filter, duplicates,
// the commune's own messages, the author's rate limit, screening of hostile text), the
// questions' origin on the board, and when the chat is read next (pacing under YouTube's
// budget, the server's hint, backoff, the quota's reset, the end) on an injected clock.
#include <catch2/catch.hpp>

#include <string>

#include "core/chat_intake.h"
#include "core/chat_poller.h"
#include "core/config.h"
#include "core/quota_budget.h"
#include "fakes.h"

using namespace tribune;
using namespace std::chrono_literals;
using core::ChatQuestionsFrom;
using core::ChatVerdict;
using core::PlatformId;

namespace {

core::WallTime utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

// An evening meeting in December: 19:00 in Paris is 18:00 UTC.
const core::WallTime kEvening = utc(2026, 12, 3, 18, 0);

core::ChatMessage message(std::string id, std::string text, std::string author = "Jean Dupont",
                          PlatformId platform = PlatformId::facebook) {
  core::ChatMessage m;
  m.platform = platform;
  m.id = std::move(id);
  m.authorName = std::move(author);
  m.authorId = "user-" + m.authorName;
  m.text = std::move(text);
  m.publishedAt = kEvening;
  return m;
}

core::ChatIntake intake(ChatQuestionsFrom rule = {}) {
  core::ChatSettings chat;
  chat.questionsFrom = std::move(rule);
  auto profanity = core::parseWordList("connard\n");
  return core::ChatIntake(core::QuestionSettings{}, chat, *profanity.list);
}

core::ApiAnswer answer(PlatformId platform, int status, const std::string& body) {
  return core::classifyAnswer(platform, status, body);
}

std::string googleError(int code, const std::string& reason) {
  return R"({"error":{"code":)" + std::to_string(code) + R"(,"message":"m","errors":[{"domain":"youtube","reason":")" +
         reason + R"("}]}})";
}

}  // namespace

// --- Which messages are questions ------------------------------------------------------

TEST_CASE("questions_from keeps every message, those with a question mark, or those with the hashtag",
          "[chat-intake]") {
  const ChatQuestionsFrom all{ChatQuestionsFrom::Kind::all, {}};
  const ChatQuestionsFrom mark{ChatQuestionsFrom::Kind::questionMark, {}};
  const ChatQuestionsFrom tag{ChatQuestionsFrom::Kind::hashtag, "#question"};
  CHECK(core::keptAsQuestion(all, "Bonsoir à tous"));
  CHECK_FALSE(core::keptAsQuestion(mark, "Bonsoir à tous"));
  CHECK(core::keptAsQuestion(mark, "Quand rouvre la piscine ?"));
  CHECK(core::keptAsQuestion(mark, "Et le parking？"));  // full-width, as some phones type it
  CHECK(core::keptAsQuestion(tag, "#question la piscine rouvre quand"));
  CHECK(core::keptAsQuestion(tag, "la piscine, #QUESTION."));
  CHECK_FALSE(core::keptAsQuestion(tag, "#questions mal écrit"));
  CHECK_FALSE(core::keptAsQuestion(tag, "pas de hashtag ?"));
  CHECK_FALSE(core::keptAsQuestion(tag, "abc#question collé"));
}

TEST_CASE("a platform message becomes a question with its origin, pseudonym and screening", "[chat-intake]") {
  auto chat = intake();
  core::QuestionBoard board;
  const auto decision =
      chat.admit(message("fb_1", "Pouvez-vous rappeler au 06 12 34 56 78 ?"), board, testing::at(10), 1234);
  REQUIRE(decision.verdict == ChatVerdict::question);
  REQUIRE(decision.question);
  CHECK(decision.question->origin == "facebook");
  CHECK(decision.question->originId == "fb_1");
  CHECK(decision.question->pseudonym == "Jean Dupont");
  CHECK(decision.question->text == "Pouvez-vous rappeler au [numéro masqué] ?");
  CHECK(decision.question->original == "Pouvez-vous rappeler au 06 12 34 56 78 ?");
  CHECK(decision.question->flags == std::vector<std::string>{"phone"});
  CHECK(decision.question->author.empty());  // nothing about the author but the name
  CHECK(decision.question->askedMs == 1234);
}

TEST_CASE("duplicates, the commune's own messages, empty ones and others are not questions", "[chat-intake]") {
  auto chat = intake();
  core::QuestionBoard board;
  auto first = chat.admit(message("yt_1", "Et la cantine ?", "Marie", PlatformId::youtube), board, testing::at(1), 1);
  REQUIRE(first.question);
  REQUIRE(board.ask(*first.question).ok());
  board.takeEvents();
  // The same message again (a page read twice, a restart): the board knows it.
  CHECK(
      chat.admit(message("yt_1", "Et la cantine ?", "Marie", PlatformId::youtube), board, testing::at(2), 2).verdict ==
      ChatVerdict::duplicate);
  // The same id on another platform is another message.
  CHECK(chat.admit(message("yt_1", "Et la cantine ?", "Marie"), board, testing::at(2), 2).verdict ==
        ChatVerdict::question);
  auto own = message("yt_2", "Bienvenue, posez vos questions ?", "Mairie", PlatformId::youtube);
  own.fromOwner = true;
  CHECK(chat.admit(own, board, testing::at(3), 3).verdict == ChatVerdict::owner);
  CHECK(chat.admit(message("yt_3", " \t\x01 ", "Marie", PlatformId::youtube), board, testing::at(3), 3).verdict ==
        ChatVerdict::empty);
  CHECK(chat.admit(message("yt_4", "Bonsoir", "Marie", PlatformId::youtube), board, testing::at(3), 3).verdict ==
        ChatVerdict::notAQuestion);
  CHECK(chat.admit(message("", "Sans id ?", "Marie", PlatformId::youtube), board, testing::at(3), 3).verdict ==
        ChatVerdict::duplicate);
  const auto& counts = chat.counts(PlatformId::youtube);
  CHECK(counts.received == 6);
  CHECK(counts.verdicts.at(ChatVerdict::question) == 1);
  CHECK(counts.verdicts.at(ChatVerdict::duplicate) == 2);
  CHECK(counts.verdicts.at(ChatVerdict::owner) == 1);
  CHECK(counts.verdicts.at(ChatVerdict::notAQuestion) == 1);
}

TEST_CASE("one author's questions are limited as one browser's, anonymous Facebook authors are not lumped",
          "[chat-intake]") {
  auto chat = intake();  // per browser: 3 in 5 minutes
  core::QuestionBoard board;
  for (int i = 0; i < 3; ++i) {
    CHECK(chat.admit(message("m" + std::to_string(i), "Question ?"), board, testing::at(i), i).verdict ==
          ChatVerdict::question);
  }
  CHECK(chat.admit(message("m3", "Question ?"), board, testing::at(4), 4).verdict == ChatVerdict::rateLimited);
  CHECK(chat.admit(message("m4", "Question ?", "Paul"), board, testing::at(4), 4).verdict == ChatVerdict::question);
  CHECK(chat.admit(message("m5", "Question ?"), board, testing::at(4 + 301), 5).verdict == ChatVerdict::question);
  for (int i = 0; i < 6; ++i) {
    auto hidden = message("h" + std::to_string(i), "Anonyme ?", "Utilisateur Facebook");
    hidden.authorId.clear();
    CHECK(chat.admit(hidden, board, testing::at(400), 6).verdict == ChatVerdict::question);
  }
}

TEST_CASE("hostile text from a platform is cleaned, cut and flagged, and stays text", "[chat-intake]") {
  auto chat = intake({ChatQuestionsFrom::Kind::all, {}});
  core::QuestionBoard board;
  SECTION("HTML stays as written: the pages and the graphic escape it") {
    const auto d =
        chat.admit(message("a", "<script>alert(1)</script><img src=x onerror=alert(2)>"), board, testing::at(1), 1);
    REQUIRE(d.question);
    CHECK(d.question->text == "<script>alert(1)</script><img src=x onerror=alert(2)>");
  }
  SECTION("control characters go, emoji stay") {
    const auto d = chat.admit(message("b", "A\x07\x1b[31mB \xF0\x9F\x98\x80 ?"), board, testing::at(1), 1);
    REQUIRE(d.question);
    CHECK(d.question->text == "A[31mB \xF0\x9F\x98\x80 ?");
  }
  SECTION("right-to-left overrides are removed from the text and the name") {
    auto m = message("c", "abc\u202Efed ?", "Jean\u202E tnaliv");
    const auto d = chat.admit(m, board, testing::at(1), 1);
    REQUIRE(d.question);
    CHECK(d.question->text == "abcfed ?");
    CHECK(d.question->pseudonym == "Jean tnaliv");
  }
  SECTION("a 10 kB message is cut to the length limit, the moderator sees more") {
    std::string long_;
    for (int i = 0; i < 1000; ++i) long_ += "é123456789";
    const auto d = chat.admit(message("d", long_), board, testing::at(1), 1);
    REQUIRE(d.question);
    CHECK(core::characterCount(d.question->text) == 500 + 2);  // " …"
    CHECK(d.question->text.substr(d.question->text.size() - 4) == " \xE2\x80\xA6");
    CHECK(core::characterCount(d.question->original) == 2000 + 2);
  }
  SECTION("a profane name flags the question") {
    const auto d = chat.admit(message("e", "Bonsoir", "Le connard"), board, testing::at(1), 1);
    REQUIRE(d.question);
    CHECK(d.question->flags == std::vector<std::string>{"profanity"});
  }
}

// --- The board keeps the origin ----------------------------------------------------------

TEST_CASE("a platform question keeps its origin through the events, once per message", "[chat-intake]") {
  core::QuestionBoard board;
  core::NewQuestion q;
  q.text = "Et la piscine ?";
  q.pseudonym = "Marie";
  q.origin = "youtube";
  q.originId = "LCC.abc";
  REQUIRE(board.ask(q).ok());
  CHECK_FALSE(board.ask(q).ok());  // the same message twice
  core::NewQuestion site;
  site.text = "Du site ?";
  REQUIRE(board.ask(site).ok());
  const auto events = board.takeEvents();
  REQUIRE(events.size() == 2);
  CHECK(events[0].data.at("origin") == "youtube");
  CHECK(events[0].data.at("origin_id") == "LCC.abc");
  CHECK_FALSE(events[1].data.contains("origin"));  // the viewer page's events are as they were

  core::QuestionBoard replica;
  for (const auto& event : events) REQUIRE_FALSE(replica.apply(event));
  CHECK(replica.fromOrigin("youtube", "LCC.abc") == 1U);
  CHECK_FALSE(replica.fromOrigin("facebook", "LCC.abc"));
  const auto view = replica.view(1, core::Role::Moderator, "");
  REQUIRE(view);
  CHECK(view->at("origin") == "youtube");
  CHECK(replica.view(2, core::Role::Moderator, "")->at("origin") == "site");

  auto again = events[0];
  again.data["id"] = 3;
  CHECK(replica.apply(again));  // a second question of the same message is refused
  auto wrong = events[0];
  wrong.data["id"] = 4;
  wrong.data["origin"] = "tiktok";
  CHECK(replica.apply(wrong));
  wrong.data["origin"] = "facebook";
  wrong.data.erase("origin_id");
  CHECK(replica.apply(wrong));
}

// --- When to read next ---------------------------------------------------------------------

TEST_CASE("YouTube's chat is read no sooner than the server's hint, the minimum and the budget", "[chat-poller]") {
  core::ChatSettings settings;  // minimum 2 s, margin 60 min
  core::ChatPoller poller(PlatformId::youtube, settings);
  poller.expectEndAt(kEvening + 3h);
  core::ChatPage page;
  page.pollingInterval = 10000ms;
  // Plenty of units: the hint decides.
  CHECK(poller.afterPage(page, 1'000'000, 5, kEvening) == 10000ms);
  CHECK(poller.status().state == core::ChatState::live);
  page.pollingInterval = 500ms;
  CHECK(poller.afterPage(page, 1'000'000, 5, kEvening) == 2000ms);  // the minimum
  // 9,500 units over 4 h (3 h and the margin): 1,900 calls, one every 7.58 s.
  CHECK(poller.afterPage(page, 9500, 5, kEvening) == 7579ms);
  // Later in the meeting, with fewer units: spread over what is left.
  CHECK(poller.afterPage(page, 1000, 5, kEvening + 3h) == 18000ms);
  // Past the expected end, the margin is still counted from now.
  CHECK(poller.afterPage(page, 1000, 5, kEvening + 5h) == 18000ms);
}

TEST_CASE("a four-hour meeting read at the server's hint never exceeds YouTube's budget", "[chat-poller]") {
  core::QuotaSettings quotaSettings;  // 10,000 units, reserve 500
  core::QuotaBudget quota(quotaSettings);
  quota.spend("liveBroadcasts.insert", kEvening);  // the live's preparation: ~200 units
  quota.spend("liveStreams.insert", kEvening);
  quota.spend("liveBroadcasts.bind", kEvening);
  quota.spend("liveBroadcasts.transition", kEvening);
  core::ChatSettings settings;
  core::ChatPoller poller(PlatformId::youtube, settings);
  poller.expectEndAt(kEvening + 3h);  // recording.expected_duration_minutes: 180; it lasts 4 h
  core::ChatPage page;
  page.pollingInterval = 1200ms;  // what YouTube announces (research, PR #95)
  const int cost = quota.cost("liveChatMessages.list");
  auto now = kEvening;
  int calls = 0;
  std::chrono::milliseconds longest{0};         // within the expected three hours
  std::chrono::milliseconds longestOverrun{0};  // in the hour past them
  while (now < kEvening + 4h) {
    REQUIRE(quota.allows("liveChatMessages.list", core::QuotaUse::ordinary, now));
    quota.spend("liveChatMessages.list", now);
    ++calls;
    const auto wait = poller.afterPage(page, quota.remaining(now) - quotaSettings.reserveUnits, cost, now);
    (now < kEvening + 3h ? longest : longestOverrun) = std::max(now < kEvening + 3h ? longest : longestOverrun, wait);
    now += wait;
  }
  CHECK_FALSE(quota.isExhausted(now));
  CHECK(quota.remaining(now) >= quotaSettings.reserveUnits);  // ending the live and the chapters still fit
  CHECK(calls > 1500);                                        // and the chat was read all along
  CHECK(longest < 8s);
  // Past the expected length, the margin is spread afresh: slower, never stopped.
  CHECK(longestOverrun < 30s);
  // Reading at the hint alone would have spent the day in under an hour.
  CHECK(3600 * 1000 / 1200 * cost > quotaSettings.dailyUnits / 2);
}

TEST_CASE("failures back off, the quota pauses until the reset, a revoked account and the end stop", "[chat-poller]") {
  testing::ScriptedRandom random(0.5);  // no jitter
  core::ChatPoller youtube(PlatformId::youtube, core::ChatSettings{});
  CHECK(youtube.afterFailure(answer(PlatformId::youtube, 503, "{}"), kEvening, random) == 2000ms);
  CHECK(youtube.status().state == core::ChatState::retrying);
  CHECK(youtube.afterFailure(answer(PlatformId::youtube, 403, googleError(403, "rateLimitExceeded")), kEvening,
                             random) == 4000ms);
  CHECK(youtube.afterFailure(answer(PlatformId::youtube, 0, ""), kEvening, random) == 8000ms);
  for (int i = 0; i < 10; ++i) (void)youtube.afterFailure(answer(PlatformId::youtube, 500, "{}"), kEvening, random);
  CHECK(youtube.afterFailure(answer(PlatformId::youtube, 500, "{}"), kEvening, random) == 60000ms);
  // A page resets the backoff.
  (void)youtube.afterPage(core::ChatPage{}, 100000, 5, kEvening);
  CHECK(youtube.afterFailure(answer(PlatformId::youtube, 500, "{}"), kEvening, random) == 2000ms);

  // quotaExceeded: until the reset at midnight Pacific (09:00 in Paris), a French message.
  const auto wait =
      youtube.afterFailure(answer(PlatformId::youtube, 403, googleError(403, "quotaExceeded")), kEvening, random);
  REQUIRE(wait);
  CHECK(kEvening + *wait == core::nextPacificMidnight(kEvening) + 5s);
  CHECK(youtube.status().state == core::ChatState::quota);
  CHECK(youtube.status().french.find("9 h") != std::string::npos);

  // The chat is not open yet: wait, calmly.
  CHECK(youtube.afterFailure(answer(PlatformId::youtube, 404, googleError(404, "liveChatNotFound")), kEvening,
                             random) == 30000ms);
  CHECK(youtube.status().state == core::ChatState::waiting);
  CHECK(youtube.status().french == "en attente de l'ouverture du chat en direct de YouTube");

  CHECK_FALSE(
      youtube.afterFailure(answer(PlatformId::youtube, 403, googleError(403, "liveChatEnded")), kEvening, random));
  CHECK(youtube.status().state == core::ChatState::ended);
  CHECK_FALSE(youtube.afterFailure(core::ApiAnswer{core::AnswerKind::revoked, "invalid_grant", ""}, kEvening, random));
  CHECK(youtube.status().state == core::ChatState::reconnect);
  CHECK(youtube.status().french == "arrêtée : reconnectez le compte YouTube dans Comptes");

  core::ChatPoller facebook(PlatformId::facebook, core::ChatSettings{});
  const auto graph613 = answer(
      PlatformId::facebook, 400,
      R"({"error":{"message":"Calls to this api have exceeded the rate limit.","type":"OAuthException","code":613}})");
  CHECK(graph613.kind == core::AnswerKind::rateLimited);
  CHECK(facebook.afterFailure(graph613, kEvening, random) == 2000ms);
  CHECK(facebook.afterFailure(graph613, kEvening, random) == 4000ms);
  CHECK(facebook.status().french.rfind("nouvel essai de lecture des commentaires de Facebook", 0) == 0);
}

TEST_CASE("Facebook is read every few seconds and at once while pages remain, the end stops YouTube", "[chat-poller]") {
  core::ChatSettings settings;
  settings.facebookInterval = 3s;
  core::ChatPoller facebook(PlatformId::facebook, settings);
  core::ChatPage page;
  CHECK(facebook.afterPage(page, 0, 0, kEvening) == 3000ms);
  page.nextPageToken = "after-cursor";
  CHECK(facebook.afterPage(page, 0, 0, kEvening) == 0ms);
  CHECK(facebook.status().french == "lecture des commentaires de Facebook en cours");
  core::ChatPoller peertube(PlatformId::peertube, settings);
  CHECK(peertube.afterPage(core::ChatPage{}, 0, 0, kEvening) == 5000ms);
  core::ChatPage more;
  more.nextPageToken = "100";  // the reader's next offset: new threads may follow
  CHECK(peertube.afterPage(more, 0, 0, kEvening) == 0ms);

  core::ChatPoller youtube(PlatformId::youtube, settings);
  core::ChatPage ended;
  ended.ended = true;
  (void)youtube.afterPage(ended, 10000, 5, kEvening);
  CHECK(youtube.status().state == core::ChatState::ended);
}

TEST_CASE("the reply names the Paris hour", "[chat-intake]") {
  CHECK(core::chatReplyText("Votre question a été posée en séance à {heure}, merci !", kEvening + 42min) ==
        "Votre question a été posée en séance à 19 h 42, merci !");
  CHECK(core::chatReplyText("{heure} et {heure}", utc(2026, 7, 1, 7, 5)) == "9 h 05 et 9 h 05");
  CHECK(core::chatReplyText("Merci", kEvening) == "Merci");
  // YouTube: one more chat message, naming whom it answers, within 200 characters.
  CHECK(core::chatReply(PlatformId::youtube, "Marie", "Merci à {heure}", kEvening) == "@Marie Merci à 19 h 00");
  CHECK(core::chatReply(PlatformId::facebook, "Marie", "Merci à {heure}", kEvening) == "Merci à 19 h 00");
  const auto longReply = core::chatReply(PlatformId::youtube, std::string(150, 'n'), std::string(190, 'm'), kEvening);
  CHECK(core::characterCount(longReply) == 200);
  CHECK(longReply.substr(longReply.size() - 4) == " \xE2\x80\xA6");
}

// --- The configuration -----------------------------------------------------------------------

TEST_CASE("platforms' question settings are read, and a wrong one is named", "[chat-intake][config]") {
  const core::SecretLookup none{[](const std::string&) { return std::nullopt; },
                                [](const std::string&) { return std::nullopt; }};
  auto parsed = core::parseConfig(nlohmann::json{{"platforms",
                                                  {{"questions_from", "#Conseil"},
                                                   {"reply_when_answered", true},
                                                   {"reply_text", "Posée à {heure}."},
                                                   {"facebook_comments_interval_s", 5},
                                                   {"chat_budget_margin_minutes", 30}}}},
                                  none);
  REQUIRE(parsed.ok());
  const auto& chat = parsed.config.platforms.chat;
  CHECK(chat.questionsFrom.kind == ChatQuestionsFrom::Kind::hashtag);
  CHECK(chat.questionsFrom.hashtag == "#Conseil");
  CHECK(chat.replyWhenAnswered);
  CHECK(chat.replyText == "Posée à {heure}.");
  CHECK(chat.facebookInterval == 5s);
  CHECK(chat.budgetMargin == 30min);
  CHECK(core::parseConfig(nlohmann::json::object(), none).config.platforms.chat.questionsFrom.kind ==
        ChatQuestionsFrom::Kind::questionMark);
  for (const auto& bad : {nlohmann::json("question"), nlohmann::json("#"), nlohmann::json("#a b"), nlohmann::json(3)}) {
    INFO(bad.dump());
    auto wrong = core::parseConfig(nlohmann::json{{"platforms", {{"questions_from", bad}}}}, none);
    REQUIRE(wrong.problems.size() == 1);
    CHECK(wrong.problems[0].path == "platforms.questions_from");
  }
  CHECK(core::parseConfig(nlohmann::json::object(), none).config.platforms.chat.youtubeStream);
  CHECK_FALSE(core::parseConfig(nlohmann::json{{"platforms", {{"youtube_chat_mode", "list"}}}}, none)
                  .config.platforms.chat.youtubeStream);
  auto mode = core::parseConfig(nlohmann::json{{"platforms", {{"youtube_chat_mode", "poll"}}}}, none);
  REQUIRE(mode.problems.size() == 1);
  CHECK(mode.problems[0].path == "platforms.youtube_chat_mode");
  auto empty = core::parseConfig(nlohmann::json{{"platforms", {{"reply_text", ""}}}}, none);
  REQUIRE(empty.problems.size() == 1);
  CHECK(empty.problems[0].path == "platforms.reply_text");
}
