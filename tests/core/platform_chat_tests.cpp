// What the viewers write on the platforms (core/platform_chat.h): YouTube's chat pages and
// stream, Facebook's and PeerTube's comments, read as untrusted text, and the addresses a
// technician pastes. Shapes: ../shared/research/platform-apis.md §1.3, §1.4, §2, §4.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/platform_chat.h"

using namespace tribune;
using namespace std::chrono_literals;
using namespace std::string_literals;
using Catch::Matchers::Contains;
using core::ChatPage;
using core::ChatParse;
using core::PlatformId;
using core::WallTime;
using Json = nlohmann::json;

namespace {

WallTime utc(int year, unsigned month, unsigned day, int hour, int minute, int second) {
  using namespace std::chrono;
  return WallTime{sys_days{std::chrono::year{year} / month / day} + hours{hour} + minutes{minute} + seconds{second}};
}

std::vector<std::string> idsOf(const ChatPage& page) {
  std::vector<std::string> ids;
  for (const auto& message : page.messages) ids.push_back(message.id);
  return ids;
}

// ---------------------------------------------------------------------------------------
// The answers as the platforms send them.

const std::string kYouTubePage = R"({
  "kind": "youtube#liveChatMessageListResponse", "etag": "Etag1",
  "nextPageToken": "GO2v7dLdpYkDIIi8jL_Z", "pollingIntervalMillis": 5084,
  "pageInfo": {"totalResults": 3, "resultsPerPage": 3},
  "items": [
    {"kind": "youtube#liveChatMessage", "etag": "e1", "id": "LCC.msg-1",
     "snippet": {"type": "textMessageEvent", "liveChatId": "Cg0KC2RRdzR3OVdnWGNR", "authorChannelId": "UCviewer",
                 "publishedAt": "2026-12-03T18:30:05.123456+00:00", "hasDisplayContent": true,
                 "displayMessage": "Quand la piscine rouvre-t-elle ?",
                 "textMessageDetails": {"messageText": "Quand la piscine rouvre-t-elle ?"}},
     "authorDetails": {"channelId": "UCviewer", "channelUrl": "http://www.youtube.com/channel/UCviewer",
                       "displayName": "Marie D.", "profileImageUrl": "https://yt3.ggpht.com/x", "isVerified": false,
                       "isChatOwner": false, "isChatSponsor": false, "isChatModerator": false}},
    {"kind": "youtube#liveChatMessage", "etag": "e2", "id": "LCC.super-1",
     "snippet": {"type": "superChatEvent", "publishedAt": "2026-12-03T18:30:06Z", "displayMessage": "5 € de Paul",
                 "superChatDetails": {"amountMicros": "5000000", "currency": "EUR", "userComment": "Merci"}},
     "authorDetails": {"channelId": "UCpaul", "displayName": "Paul", "isChatOwner": false}},
    {"kind": "youtube#liveChatMessage", "etag": "e3", "id": "LCC.msg-2",
     "snippet": {"type": "textMessageEvent", "publishedAt": "2026-12-03T18:31:00Z",
                 "displayMessage": "Et le budget des écoles ?",
                 "textMessageDetails": {"messageText": "Et le budget des écoles ?"}},
     "authorDetails": {"channelId": "UCjean", "displayName": "Jean", "isChatOwner": false}}
  ]})";

std::string youTubeText(const std::string& id, const std::string& text, const std::string& channel = "UCviewer",
                        bool owner = false) {
  return Json{{"id", id},
              {"snippet",
               {{"type", "textMessageEvent"},
                {"publishedAt", "2026-12-03T18:30:00Z"},
                {"displayMessage", text},
                {"textMessageDetails", {{"messageText", text}}}}},
              {"authorDetails", {{"channelId", channel}, {"displayName", "Viewer " + channel}, {"isChatOwner", owner}}}}
      .dump();
}

std::string youTubePage(const std::vector<std::string>& items, const std::string& extra = "",
                        const std::string& token = "NEXT") {
  std::string body = R"({"nextPageToken":")" + token + R"(","pollingIntervalMillis":2000)" + extra + R"(,"items":[)";
  for (std::size_t i = 0; i < items.size(); ++i) body += (i == 0 ? "" : ",") + items[i];
  return body + "]}";
}

const std::string kFacebookComments = R"({
  "data": [
    {"created_time": "2018-08-30T18:47:02+0000", "from": {"name": "Steph C.", "id": "552047181"},
     "message": "Bonjour, quand commence le point 3 ?", "id": "911004226_911009876"},
    {"created_time": "2018-08-30T18:48:10+0000", "message": "Un commentaire sans auteur", "id": "911004226_911009877"},
    {"created_time": "2018-08-30T18:49:00+0000", "from": {"name": "Ville de Démo", "id": "100200300"},
     "message": "Le point 3 commence à 19 h.", "id": "911004226_911009878"}
  ],
  "paging": {"cursors": {"before": "QVFIUkJF", "after": "QVFIUkFG"},
             "next": "https://graph.facebook.com/v25.0/911004226/comments?after=QVFIUkFG"}
})";

const std::string kPeerTubeThreads = R"({
  "total": 3, "totalNotDeletedComments": 2,
  "data": [
    {"id": 42, "threadId": 42, "url": "https://tube.example.org/videos/watch/uuid/comments/42",
     "text": "<p>Quand la piscine <strong>rouvre</strong>-t-elle ?<br>Merci &amp; bonne soirée</p>",
     "createdAt": "2026-12-03T18:30:00.123Z", "updatedAt": "2026-12-03T18:30:00.123Z", "deletedAt": null,
     "isDeleted": false, "heldForReview": false, "totalRepliesFromVideoAuthor": 0, "totalReplies": 0,
     "account": {"id": 7, "displayName": "Marie", "name": "marie", "host": "tube.example.org"}},
    {"id": 43, "threadId": 43, "text": "", "createdAt": "2026-12-03T18:31:00.000Z",
     "deletedAt": "2026-12-03T18:32:00.000Z", "isDeleted": true, "account": null},
    {"id": 44, "threadId": 44, "text": "<p>Le point 3 commence à 19 h.</p>", "createdAt": "2026-12-03T18:33:00.000Z",
     "isDeleted": false, "account": {"displayName": "Mairie de Démo", "name": "mairie", "host": "videos.demo.fr"}}
  ]
})";

// ---------------------------------------------------------------------------------------
// Hostile bodies: every value of a valid answer replaced by each wrong type, and each member
// removed in turn. The parser must answer each one, with a page or an error, never both.

void collectPaths(const Json& value, const Json::json_pointer& path, std::vector<Json::json_pointer>& paths) {
  if (!path.empty()) paths.push_back(path);
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) collectPaths(child, path / key, paths);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) collectPaths(value[i], path / i, paths);
  }
}

struct Mutations {
  int answered = 0;
  int errors = 0;
  int fewerMessages = 0;  // a page with fewer messages than the valid answer: items skipped
};

Mutations mutateEverywhere(const std::string& valid, const std::function<ChatParse(std::string_view)>& parse) {
  const Json document = Json::parse(valid);
  const auto expected = parse(valid);
  REQUIRE(expected.page);
  std::vector<Json::json_pointer> paths;
  collectPaths(document, Json::json_pointer(), paths);
  const std::vector<Json> wrongs = {nullptr,
                                    true,
                                    -1,
                                    18446744073709551615ULL,
                                    -1.5,
                                    1e300,
                                    "",
                                    "x",
                                    Json::array(),
                                    Json::object(),
                                    Json::array({1, "a"}),
                                    Json{{"a", 1}}};
  Mutations seen;
  const auto check = [&](const Json& mutated) {
    ChatParse parsed;
    const auto body = mutated.dump();
    CHECK_NOTHROW(parsed = parse(body));
    CHECK(parsed.page.has_value() == parsed.error.empty());
    ++seen.answered;
    if (!parsed.page) {
      ++seen.errors;
    } else if (parsed.page->messages.size() < expected.page->messages.size()) {
      ++seen.fewerMessages;
    }
  };
  for (const auto& path : paths) {
    for (const auto& wrong : wrongs) {
      Json mutated = document;
      mutated[path] = wrong;
      check(mutated);
    }
    Json removed = document;
    const auto parent = path.parent_pointer();
    auto& container = parent.empty() ? removed : removed[parent];
    if (container.is_object()) {
      container.erase(path.back());
    } else {
      container.erase(static_cast<std::size_t>(std::stoul(path.back())));
    }
    check(removed);
  }
  // Wrong types at the top level too.
  for (const auto& wrong : wrongs) check(wrong);
  return seen;
}

// ---------------------------------------------------------------------------------------
// The stream.

// Message ids and page tokens of what a stream gave, in order.
std::vector<std::string> streamed(const std::vector<ChatPage>& pages) {
  std::vector<std::string> seen;
  for (const auto& page : pages) {
    seen.push_back("page " + page.nextPageToken);
    for (const auto& message : page.messages) seen.push_back(message.id + ": " + message.text);
  }
  return seen;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// YouTube's chat

TEST_CASE("a YouTube chat page gives its text messages in order with the next token and the polling interval",
          "[platform-chat]") {
  const auto parsed = core::parseYouTubeChatPage(kYouTubePage, "UCcommune");
  REQUIRE(parsed.page);
  CHECK(parsed.error.empty());
  const auto& page = *parsed.page;
  REQUIRE(page.messages.size() == 2);  // the Super Chat is not a question
  const auto& first = page.messages[0];
  CHECK(first.platform == PlatformId::youtube);
  CHECK(first.id == "LCC.msg-1");
  CHECK(first.authorName == "Marie D.");
  CHECK(first.authorId == "UCviewer");
  CHECK(first.text == "Quand la piscine rouvre-t-elle ?");
  CHECK(first.publishedAt == utc(2026, 12, 3, 18, 30, 5) + 123456us);
  CHECK_FALSE(first.fromOwner);
  CHECK(page.messages[1].id == "LCC.msg-2");
  CHECK(page.messages[1].text == "Et le budget des écoles ?");
  CHECK(page.nextPageToken == "GO2v7dLdpYkDIIi8jL_Z");
  REQUIRE(page.pollingInterval);
  CHECK(*page.pollingInterval == 5084ms);
  CHECK(page.deletedIds.empty());
  CHECK_FALSE(page.ended);
  CHECK(page.total == -1);
}

TEST_CASE("a YouTube message without textMessageDetails is read from its displayMessage", "[platform-chat]") {
  const auto item =
      R"({"id":"m1","snippet":{"type":"textMessageEvent","publishedAt":"2026-12-03T18:30:00Z","displayMessage":"Bonsoir"},)"
      R"("authorDetails":{"channelId":"UCa","displayName":"A"}})";
  const auto parsed = core::parseYouTubeChatPage(youTubePage({item}), "");
  REQUIRE(parsed.page);
  REQUIRE(parsed.page->messages.size() == 1);
  CHECK(parsed.page->messages[0].text == "Bonsoir");
}

TEST_CASE("a YouTube messageDeletedEvent lists the withdrawn message's id", "[platform-chat]") {
  const auto deleted =
      R"({"id":"d1","snippet":{"type":"messageDeletedEvent","publishedAt":"2026-12-03T18:32:00Z",)"
      R"("messageDeletedDetails":{"deletedMessageId":"LCC.msg-1"}},"authorDetails":{"channelId":"UCmod","displayName":"Mod"}})";
  const auto parsed = core::parseYouTubeChatPage(youTubePage({youTubeText("LCC.msg-2", "Et ensuite ?"), deleted}), "");
  REQUIRE(parsed.page);
  CHECK(parsed.page->deletedIds == std::vector<std::string>{"LCC.msg-1"});
  CHECK(idsOf(*parsed.page) == std::vector<std::string>{"LCC.msg-2"});
}

TEST_CASE("a YouTube chat ends with a chatEndedEvent or once offlineAt appears", "[platform-chat]") {
  const auto ended = R"({"id":"e1","snippet":{"type":"chatEndedEvent","publishedAt":"2026-12-03T21:00:00Z"},)"
                     R"("authorDetails":{"channelId":"UCcommune","displayName":"Commune"}})";
  SECTION("chatEndedEvent") {
    const auto parsed = core::parseYouTubeChatPage(youTubePage({youTubeText("m1", "Au revoir"), ended}), "");
    REQUIRE(parsed.page);
    CHECK(parsed.page->ended);
    CHECK(parsed.page->messages.size() == 1);
  }
  SECTION("offlineAt") {
    const auto parsed = core::parseYouTubeChatPage(youTubePage({}, R"(,"offlineAt":"2026-12-03T21:00:00Z")"), "");
    REQUIRE(parsed.page);
    CHECK(parsed.page->ended);
  }
  SECTION("neither") {
    const auto parsed = core::parseYouTubeChatPage(youTubePage({youTubeText("m1", "Encore là")}), "");
    REQUIRE(parsed.page);
    CHECK_FALSE(parsed.page->ended);
  }
}

TEST_CASE("the YouTube channel owner is known by isChatOwner or by the commune's channel id", "[platform-chat]") {
  const auto parsed = core::parseYouTubeChatPage(
      youTubePage({youTubeText("m1", "viewer", "UCviewer"), youTubeText("m2", "flagged owner", "UCother", true),
                   youTubeText("m3", "the commune's channel", "UCcommune")}),
      "UCcommune");
  REQUIRE(parsed.page);
  REQUIRE(parsed.page->messages.size() == 3);
  CHECK_FALSE(parsed.page->messages[0].fromOwner);
  CHECK(parsed.page->messages[1].fromOwner);
  CHECK(parsed.page->messages[2].fromOwner);

  // No owner channel configured: an empty channel id is nobody's.
  const auto unowned = core::parseYouTubeChatPage(youTubePage({youTubeText("m1", "viewer", "UCviewer")}), "");
  REQUIRE(unowned.page);
  CHECK_FALSE(unowned.page->messages[0].fromOwner);
}

TEST_CASE("YouTube items that are not a viewer's text or lack a field are skipped, not errors", "[platform-chat]") {
  const std::string author = R"("authorDetails":{"channelId":"UCa","displayName":"A"})";
  const std::string time = R"("publishedAt":"2026-12-03T18:30:00Z")";
  const auto item = GENERATE_COPY(
      std::string("42"), std::string("null"), std::string(R"("text")"), std::string("[]"),
      R"({"snippet":{"type":"textMessageEvent",)" + time + R"(,"displayMessage":"no id"},)" + author + "}",
      R"({"id":"","snippet":{"type":"textMessageEvent",)" + time + R"(,"displayMessage":"empty id"},)" + author + "}",
      R"({"id":7,"snippet":{"type":"textMessageEvent",)" + time + R"(,"displayMessage":"number id"},)" + author + "}",
      R"({"id":"m","snippet":{"type":"textMessageEvent",)" + time + "}," + author + "}",
      R"({"id":"m","snippet":{"type":"textMessageEvent",)" + time + R"(,"displayMessage":""},)" + author + "}",
      R"({"id":"m","snippet":{"type":"textMessageEvent",)" + time + R"(,"displayMessage":5},)" + author + "}",
      R"({"id":"m","snippet":{"type":"textMessageEvent",)" + time + R"(,"displayMessage":"no author"}})",
      R"({"id":"m","snippet":{"type":"textMessageEvent",)" + time +
          R"(,"displayMessage":"no channel"},"authorDetails":{"displayName":"A"}})",
      R"({"id":"m","snippet":{"type":"textMessageEvent",)" + time +
          R"(,"displayMessage":"no name"},"authorDetails":{"channelId":"UCa"}})",
      R"({"id":"m","snippet":{"type":"textMessageEvent","displayMessage":"no time"},)" + author + "}",
      R"({"id":"m","snippet":{"type":"textMessageEvent","publishedAt":"hier","displayMessage":"bad time"},)" + author +
          "}",
      R"({"id":"m","snippet":{"type":"superChatEvent",)" + time + R"(,"displayMessage":"5 €"},)" + author + "}",
      R"({"id":"m","snippet":{"type":"tombstone",)" + time + "}," + author + "}",
      R"({"id":"m","snippet":{"type":"pollEvent",)" + time + R"(,"displayMessage":"Sondage"},)" + author + "}",
      R"({"id":"m","snippet":{)" + time + R"(,"displayMessage":"no type"},)" + author + "}",
      R"({"id":"m","snippet":{"type":5,)" + time + R"(,"displayMessage":"number type"},)" + author + "}",
      R"({"id":"m","snippet":"textMessageEvent",)" + author + "}",
      R"({"id":"m","snippet":{"type":"messageDeletedEvent",)" + time + "}," + author + "}",
      R"({"id":"m","snippet":{"type":"messageDeletedEvent","messageDeletedDetails":{"deletedMessageId":7}},)" + author +
          "}");
  CAPTURE(item);
  const auto parsed = core::parseYouTubeChatPage(youTubePage({item, youTubeText("kept", "Bonsoir")}), "");
  REQUIRE(parsed.page);
  CHECK(idsOf(*parsed.page) == std::vector<std::string>{"kept"});
  CHECK(parsed.page->deletedIds.empty());
  CHECK_FALSE(parsed.page->ended);
}

TEST_CASE("a YouTube answer that is not an object with a list of items is an error naming what is wrong",
          "[platform-chat]") {
  const auto [body, named] = GENERATE(table<std::string, std::string>({
      {"", "pas du JSON"},
      {"<html>502 Bad Gateway</html>", "pas du JSON"},
      {R"({"items": [)", "pas du JSON"},
      {"null", "pas un objet"},
      {R"([{"items": []}])", "pas un objet"},
      {R"("items")", "pas un objet"},
      {"{}", "« items » manque"},
      {R"({"items": null})", "« items » n'est pas une liste"},
      {R"({"items": {}})", "« items » n'est pas une liste"},
      {R"({"items": "[]"})", "« items » n'est pas une liste"},
      {R"({"items": [], "nextPageToken": 5})", "« nextPageToken »"},
      {R"({"items": [], "pollingIntervalMillis": "5000"})", "« pollingIntervalMillis »"},
      {R"({"items": [], "pollingIntervalMillis": -1})", "« pollingIntervalMillis »"},
      {R"({"items": [], "pollingIntervalMillis": 1e300})", "« pollingIntervalMillis »"},
      {R"({"items": [], "pollingIntervalMillis": 18446744073709551615})", "« pollingIntervalMillis »"},
      {std::string(40, '[') + std::string(40, ']'), "JSON"},
      {R"({"items": [)" + std::string(100, '[') + std::string(100, ']') + "]}", "JSON"},
  }));
  CAPTURE(body);
  const auto parsed = core::parseYouTubeChatPage(body, "UCcommune");
  CHECK_FALSE(parsed.page);
  CHECK_THAT(parsed.error, Contains("réponse de YouTube illisible") && Contains(named));
}

TEST_CASE("a YouTube page with no token and no interval is still a page", "[platform-chat]") {
  const auto parsed = core::parseYouTubeChatPage(R"({"items": [], "pollingIntervalMillis": 1500.7})", "");
  REQUIRE(parsed.page);
  CHECK(parsed.page->nextPageToken.empty());
  REQUIRE(parsed.page->pollingInterval);
  CHECK(*parsed.page->pollingInterval == 1500ms);
  const auto bare = core::parseYouTubeChatPage(R"({"items": []})", "");
  REQUIRE(bare.page);
  CHECK_FALSE(bare.page->pollingInterval);
}

TEST_CASE("wrong types anywhere in a YouTube page give an error or a skip, never an exception", "[platform-chat]") {
  const auto seen =
      mutateEverywhere(kYouTubePage, [](std::string_view body) { return core::parseYouTubeChatPage(body, "UCx"); });
  CHECK(seen.answered > 500);
  CHECK(seen.errors > 0);
  CHECK(seen.fewerMessages > 0);
}

namespace {
// What a viewer wrote, however hostile, comes out as written: screening is the intake's.
const std::vector<std::string> kHostileTexts = {
    "<script>alert('x')</script><b>gras</b> &amp; &lt;",
    "bip\x01\x07 \x1b[31mrouge\x1b[0m\ttab\r\nligne",
    std::string(10 * 1024, 'a') + "…",
    "🏊\u200D♀️ 👍🏽 🇫🇷",
    "\u202Eevil\u202C \u200F\u061C مرحبا",
    std::string("nul\0au milieu", 13),
    "   blancs autour   ",
};
}  // namespace

TEST_CASE("hostile text passes through a YouTube page unchanged", "[platform-chat]") {
  const auto text = GENERATE_REF(from_range(kHostileTexts));
  const auto parsed = core::parseYouTubeChatPage(youTubePage({youTubeText("m1", text)}), "");
  REQUIRE(parsed.page);
  REQUIRE(parsed.page->messages.size() == 1);
  CHECK(parsed.page->messages[0].text == text);
}

// ---------------------------------------------------------------------------------------
// YouTube's stream

TEST_CASE("the YouTube stream reads pages one per line", "[platform-chat]") {
  const auto first = youTubePage({youTubeText("a1", "un"), youTubeText("a2", "deux")}, "", "T1");
  const auto second = youTubePage({youTubeText("b1", "trois")}, "", "T2");
  const auto stream = core::parseYouTubeChatStream(first + "\n" + second + "\r\n", "");
  CHECK(stream.error.empty());
  CHECK(stream.rest.empty());
  CHECK(streamed(stream.pages) == std::vector<std::string>{"page T1", "a1: un", "a2: deux", "page T2", "b1: trois"});
}

TEST_CASE("the YouTube stream reads pages concatenated, with or without blanks between", "[platform-chat]") {
  const auto first = youTubePage({youTubeText("a1", "un")}, "", "T1");
  const auto second = youTubePage({youTubeText("b1", "deux")}, "", "T2");
  const auto separator = GENERATE(as<std::string>{}, "", " ", "\n\n", "\t \r\n ");
  const auto stream = core::parseYouTubeChatStream("\n" + first + separator + second, "");
  CHECK(stream.error.empty());
  CHECK(stream.rest.empty());
  CHECK(streamed(stream.pages) == std::vector<std::string>{"page T1", "a1: un", "page T2", "b1: deux"});
}

TEST_CASE("the YouTube stream also reads a streamed JSON array of pages", "[platform-chat]") {
  const auto first = youTubePage({youTubeText("a1", "un")}, "", "T1");
  const auto second = youTubePage({youTubeText("b1", "deux")}, "", "T2");
  const auto stream = core::parseYouTubeChatStream("[" + first + "\n," + second + "\n]", "");
  CHECK(stream.error.empty());
  CHECK(streamed(stream.pages) == std::vector<std::string>{"page T1", "a1: un", "page T2", "b1: deux"});
}

TEST_CASE("an unfinished YouTube stream object is kept as the rest, and nothing else is", "[platform-chat]") {
  const auto first = youTubePage({youTubeText("a1", "un")}, "", "T1");
  const auto second = youTubePage({youTubeText("b1", "deux")}, "", "T2");
  const auto stream = core::parseYouTubeChatStream(first + "\n" + second.substr(0, 30), "");
  CHECK(stream.error.empty());
  CHECK(streamed(stream.pages) == std::vector<std::string>{"page T1", "a1: un"});
  CHECK(stream.rest == second.substr(0, 30));

  const auto blanks = core::parseYouTubeChatStream(first + "\n  \n", "");
  CHECK(blanks.rest.empty());
  CHECK(blanks.pages.size() == 1);

  const auto empty = core::parseYouTubeChatStream("", "");
  CHECK(empty.pages.empty());
  CHECK(empty.rest.empty());
  CHECK(empty.error.empty());
}

TEST_CASE("a YouTube stream cut at any byte gives the same pages once both halves have arrived", "[platform-chat]") {
  // Strings with braces, brackets, escaped quotes and backslashes: only a scanner that
  // knows JSON strings finds the ends of these objects.
  const auto first = youTubePage({youTubeText("a1", R"(un } { ] [ "guillemets" \ \" \\)")}, "", "T}1");
  const auto second = youTubePage({youTubeText("b1", "deux \\\"}\\")}, R"(,"etag":"\"{")", R"(T\"2)");
  const auto separator = GENERATE(as<std::string>{}, "\n", "");
  const auto input = first + separator + second;
  const std::vector<std::string> expected = {"page T}1",
                                             "a1: "
                                             R"(un } { ] [ "guillemets" \ \" \\)",
                                             "page T\"2", "b1: deux \\\"}\\"};
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    CAPTURE(cut);
    const auto before = core::parseYouTubeChatStream(std::string_view(input).substr(0, cut), "");
    REQUIRE(before.error.empty());
    const auto after = core::parseYouTubeChatStream(before.rest + input.substr(cut), "");
    REQUIRE(after.error.empty());
    CHECK(after.rest.empty());
    auto pages = before.pages;
    pages.insert(pages.end(), after.pages.begin(), after.pages.end());
    CHECK(streamed(pages) == expected);
  }
}

TEST_CASE("a YouTube stream object that is not a page is an error, and the pages before it are kept",
          "[platform-chat]") {
  const auto first = youTubePage({youTubeText("a1", "un")}, "", "T1");
  const auto third = youTubePage({youTubeText("c1", "trois")}, "", "T3");
  SECTION("an object without items") {
    const auto stream = core::parseYouTubeChatStream(first + "\n{\"error\":{\"code\":403}}\n" + third, "");
    CHECK_THAT(stream.error, Contains("« items » manque"));
    CHECK(streamed(stream.pages) == std::vector<std::string>{"page T1", "a1: un"});
  }
  SECTION("an object that is not JSON") {
    const auto stream = core::parseYouTubeChatStream(first + "{\"items\":[}]}" + third, "");
    CHECK_THAT(stream.error, Contains("pas du JSON"));
    CHECK(stream.pages.size() == 1);
  }
  SECTION("something that is not an object") {
    const auto stream = core::parseYouTubeChatStream(first + "\nHTTP/1.1 500\n" + third, "");
    CHECK_THAT(stream.error, Contains("flux de YouTube illisible"));
    CHECK(stream.pages.size() == 1);
    CHECK(stream.rest.empty());
  }
}

TEST_CASE("the YouTube stream reads a long run of pages in one pass", "[platform-chat]") {
  // Thousands of small objects and one long string: a scanner that went back to the start,
  // or parsed at each byte, would take minutes here.
  std::string input;
  for (int i = 0; i < 5000; ++i) input += youTubePage({youTubeText("m" + std::to_string(i), "x")}) + "\n";
  input += youTubePage({youTubeText("long", std::string(2'000'000, '{'))});
  const auto started = std::chrono::steady_clock::now();
  const auto stream = core::parseYouTubeChatStream(input, "");
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(stream.error.empty());
  CHECK(stream.pages.size() == 5001);
  CHECK(stream.pages.back().messages.at(0).text.size() == 2'000'000);
  CHECK(took < 20s);
}

// ---------------------------------------------------------------------------------------
// Facebook's comments

TEST_CASE("Facebook comments give their authors, texts, times and the cursor of the next page", "[platform-chat]") {
  const auto parsed = core::parseFacebookComments(kFacebookComments, "100200300");
  REQUIRE(parsed.page);
  const auto& page = *parsed.page;
  REQUIRE(page.messages.size() == 3);
  const auto& first = page.messages[0];
  CHECK(first.platform == PlatformId::facebook);
  CHECK(first.id == "911004226_911009876");
  CHECK(first.authorName == "Steph C.");
  CHECK(first.authorId == "552047181");
  CHECK(first.text == "Bonjour, quand commence le point 3 ?");
  CHECK(first.publishedAt == utc(2018, 8, 30, 18, 47, 2));
  CHECK_FALSE(first.fromOwner);
  CHECK(page.nextPageToken == "QVFIUkFG");
  CHECK_FALSE(page.pollingInterval);
  CHECK(page.total == -1);
  CHECK_FALSE(page.ended);
}

TEST_CASE("a Facebook comment without from is from Utilisateur Facebook with no id", "[platform-chat]") {
  const auto parsed = core::parseFacebookComments(kFacebookComments, "100200300");
  REQUIRE(parsed.page);
  const auto& anonymous = parsed.page->messages.at(1);
  CHECK(anonymous.authorName == "Utilisateur Facebook");
  CHECK(anonymous.authorId.empty());
  CHECK(anonymous.text == "Un commentaire sans auteur");
  CHECK_FALSE(anonymous.fromOwner);

  const auto nameless = core::parseFacebookComments(
      R"({"data":[{"id":"1_2","message":"m","created_time":"2018-08-30T18:47:02+0000","from":{"id":"55"}},)"
      R"({"id":"1_3","message":"m","created_time":"2018-08-30T18:47:02+0000","from":null}]})",
      "");
  REQUIRE(nameless.page);
  REQUIRE(nameless.page->messages.size() == 2);
  CHECK(nameless.page->messages[0].authorName == "Utilisateur Facebook");
  CHECK(nameless.page->messages[0].authorId == "55");
  CHECK(nameless.page->messages[1].authorName == "Utilisateur Facebook");
}

TEST_CASE("a Facebook comment from the Page is the owner's, and an anonymous one never is", "[platform-chat]") {
  const auto parsed = core::parseFacebookComments(kFacebookComments, "100200300");
  REQUIRE(parsed.page);
  CHECK(parsed.page->messages.at(2).fromOwner);
  CHECK(parsed.page->messages.at(2).authorName == "Ville de Démo");
  // With no Page configured, the anonymous comment's empty id must not match it.
  const auto noPage = core::parseFacebookComments(kFacebookComments, "");
  REQUIRE(noPage.page);
  for (const auto& message : noPage.page->messages) CHECK_FALSE(message.fromOwner);
}

TEST_CASE("Facebook gives a next page token only when paging.next is there", "[platform-chat]") {
  const auto [paging, token] = GENERATE(table<std::string, std::string>({
      {R"(,"paging":{"cursors":{"before":"B","after":"A"},"next":"https://graph.facebook.com/x?after=A"})", "A"},
      {R"(,"paging":{"cursors":{"before":"B","after":"A"}})", ""},
      {R"(,"paging":{"cursors":{"before":"B","after":"A"},"previous":"https://graph.facebook.com/x"})", ""},
      {"", ""},
  }));
  CAPTURE(paging);
  const auto parsed = core::parseFacebookComments(R"({"data":[])" + paging + "}", "");
  REQUIRE(parsed.page);
  CHECK(parsed.page->nextPageToken == token);
}

TEST_CASE("a Facebook answer that is not an object with a list of comments is an error naming what is wrong",
          "[platform-chat]") {
  const auto [body, named] = GENERATE(table<std::string, std::string>({
      {"", "pas du JSON"},
      {"[]", "pas un objet"},
      {R"({"paging":{}})", "« data » manque"},
      {R"({"data":{"id":"1"}})", "« data » n'est pas une liste"},
      {R"({"data":[],"paging":[]})", "« paging »"},
      {R"({"data":[],"paging":{"next":"https://graph.facebook.com/x"}})", "« paging.cursors.after »"},
      {R"({"data":[],"paging":{"next":"x","cursors":{"after":5}}})", "« paging.cursors.after »"},
  }));
  CAPTURE(body);
  const auto parsed = core::parseFacebookComments(body, "");
  CHECK_FALSE(parsed.page);
  CHECK_THAT(parsed.error, Contains("réponse de Facebook illisible") && Contains(named));
}

TEST_CASE("Facebook comments that lack a field or carry a strange one are skipped", "[platform-chat]") {
  const std::string time = R"("created_time":"2018-08-30T18:47:02+0000")";
  const auto comment =
      GENERATE_COPY(std::string("7"), R"({"message":"no id",)" + time + "}", R"({"id":"1_9","message":"no time"})",
                    R"({"id":"1_9","message":"no T in the time","created_time":"2018-08-30 18:47:02+0000"})",
                    R"({"id":"1_9",)" + time + "}", R"({"id":"1_9","message":"",)" + time + "}",
                    R"({"id":"1_9","message":["x"],)" + time + "}", R"({"id":191,"message":"number id",)" + time + "}",
                    R"({"id":"1_9/../../me","message":"path in id",)" + time + "}",
                    R"({"id":"1_9","message":"from is text","from":"Paul",)" + time + "}");
  CAPTURE(comment);
  const auto parsed =
      core::parseFacebookComments(R"({"data":[)" + comment + R"(,{"id":"1_2","message":"gardé",)" + time + "}]}", "");
  REQUIRE(parsed.page);
  CHECK(idsOf(*parsed.page) == std::vector<std::string>{"1_2"});
}

TEST_CASE("wrong types anywhere in Facebook comments give an error or a skip, never an exception", "[platform-chat]") {
  const auto seen = mutateEverywhere(
      kFacebookComments, [](std::string_view body) { return core::parseFacebookComments(body, "100200300"); });
  CHECK(seen.answered > 250);
  CHECK(seen.errors > 0);
  CHECK(seen.fewerMessages > 0);
}

TEST_CASE("hostile text passes through Facebook comments unchanged", "[platform-chat]") {
  const auto text = GENERATE_REF(from_range(kHostileTexts));
  const Json body = {
      {"data",
       {{{"id", "1_2"}, {"message", text}, {"created_time", "2018-08-30T18:47:02+0000"}, {"from", {{"name", text}}}}}}};
  const auto parsed = core::parseFacebookComments(body.dump(), "");
  REQUIRE(parsed.page);
  REQUIRE(parsed.page->messages.size() == 1);
  CHECK(parsed.page->messages[0].text == text);
  CHECK(parsed.page->messages[0].authorName == text);
}

// ---------------------------------------------------------------------------------------
// PeerTube's comment threads

TEST_CASE("PeerTube threads give their comments as text, with name@host authors and the total", "[platform-chat]") {
  const auto parsed = core::parsePeerTubeComments(kPeerTubeThreads, "mairie@videos.demo.fr");
  REQUIRE(parsed.page);
  const auto& page = *parsed.page;
  CHECK(page.total == 3);
  REQUIRE(page.messages.size() == 2);  // the deleted thread is skipped
  const auto& first = page.messages[0];
  CHECK(first.platform == PlatformId::peertube);
  CHECK(first.id == "42");
  CHECK(first.authorName == "Marie");
  CHECK(first.authorId == "marie@tube.example.org");
  CHECK(first.text == "Quand la piscine rouvre-t-elle ?\nMerci & bonne soirée");
  CHECK(first.publishedAt == utc(2026, 12, 3, 18, 30, 0) + 123ms);
  CHECK_FALSE(first.fromOwner);
  CHECK(page.messages[1].id == "44");
  CHECK(page.messages[1].authorId == "mairie@videos.demo.fr");
  CHECK(page.messages[1].fromOwner);
  CHECK(page.nextPageToken.empty());
  CHECK_FALSE(page.ended);
}

TEST_CASE("a PeerTube comment held for the instance's review is not read", "[platform-chat]") {
  auto threads = nlohmann::json::parse(kPeerTubeThreads);
  for (auto& thread : threads["data"]) thread["heldForReview"] = true;
  const auto parsed = core::parsePeerTubeComments(threads.dump(), "mairie@videos.demo.fr");
  REQUIRE(parsed.page);
  CHECK(parsed.page->messages.empty());
}

TEST_CASE("the commune's PeerTube account is known by name@host or by its name alone", "[platform-chat]") {
  const auto [owner, marie, mairie] = GENERATE(table<std::string, bool, bool>({
      {"mairie@videos.demo.fr", false, true},
      {"mairie@VIDEOS.DEMO.FR", false, true},
      {"mairie", false, true},
      {"marie@tube.example.org", true, false},
      {"mairie@tube.example.org", false, false},
      {"Mairie@videos.demo.fr", false, false},
      {"", false, false},
      {"@videos.demo.fr", false, false},
  }));
  CAPTURE(owner);
  const auto parsed = core::parsePeerTubeComments(kPeerTubeThreads, owner);
  REQUIRE(parsed.page);
  REQUIRE(parsed.page->messages.size() == 2);
  CHECK(parsed.page->messages[0].fromOwner == marie);
  CHECK(parsed.page->messages[1].fromOwner == mairie);
}

TEST_CASE("a PeerTube author without a display name is shown by account name", "[platform-chat]") {
  const auto parsed = core::parsePeerTubeComments(
      R"({"total":1,"data":[{"id":1,"text":"<p>a</p>","createdAt":"2026-12-03T18:30:00.000Z",)"
      R"("account":{"name":"paul","host":"tube.example.org"}}]})",
      "");
  REQUIRE(parsed.page);
  REQUIRE(parsed.page->messages.size() == 1);
  CHECK(parsed.page->messages[0].authorName == "paul");
}

TEST_CASE("PeerTube threads that are deleted or lack a field are skipped", "[platform-chat]") {
  const std::string rest = R"("createdAt":"2026-12-03T18:30:00.000Z","account":{"name":"a","host":"h"})";
  const auto thread = GENERATE_COPY(
      R"({"id":1,"text":"<p>supprimé</p>","isDeleted":true,)" + rest + "}", R"({"text":"<p>no id</p>",)" + rest + "}",
      R"({"id":-1,"text":"<p>negative id</p>",)" + rest + "}", R"({"id":1.5,"text":"<p>decimal id</p>",)" + rest + "}",
      R"({"id":1,)" + rest + "}", R"({"id":1,"text":"<p></p><br>",)" + rest + "}",
      R"({"id":1,"text":{"html":"x"},)" + rest + "}",
      R"({"id":1,"text":"<p>no time</p>","account":{"name":"a","host":"h"}})",
      R"({"id":1,"text":"<p>no account</p>","createdAt":"2026-12-03T18:30:00.000Z"})",
      R"({"id":1,"text":"<p>null account</p>","createdAt":"2026-12-03T18:30:00.000Z","account":null})",
      R"({"id":1,"text":"<p>no host</p>","createdAt":"2026-12-03T18:30:00.000Z","account":{"name":"a"}})",
      R"({"id":1,"text":"<p>empty name</p>","createdAt":"2026-12-03T18:30:00.000Z","account":{"name":"","host":"h"}})",
      std::string("[]"));
  CAPTURE(thread);
  const auto parsed = core::parsePeerTubeComments(
      R"({"total":2,"data":[)" + thread + R"(,{"id":9,"text":"<p>gardé</p>",)" + rest + "}]}", "");
  REQUIRE(parsed.page);
  CHECK(idsOf(*parsed.page) == std::vector<std::string>{"9"});
}

TEST_CASE("a PeerTube answer that is not an object with a total and a list of threads is an error naming it",
          "[platform-chat]") {
  const auto [body, named] = GENERATE(table<std::string, std::string>({
      {"", "pas du JSON"},
      {R"({"type":"about:blank","status":404)", "pas du JSON"},
      {"42", "pas un objet"},
      {R"({"total":0})", "« data » manque"},
      {R"({"total":0,"data":"none"})", "« data » n'est pas une liste"},
      {R"({"data":[]})", "« total » manque"},
      {R"({"total":"3","data":[]})", "« total »"},
      {R"({"total":-3,"data":[]})", "« total »"},
      {R"({"total":3.5,"data":[]})", "« total »"},
      {R"({"total":18446744073709551615,"data":[]})", "« total »"},
  }));
  CAPTURE(body);
  const auto parsed = core::parsePeerTubeComments(body, "");
  CHECK_FALSE(parsed.page);
  CHECK_THAT(parsed.error, Contains("réponse de PeerTube illisible") && Contains(named));
}

TEST_CASE("wrong types anywhere in PeerTube threads give an error or a skip, never an exception", "[platform-chat]") {
  const auto seen = mutateEverywhere(kPeerTubeThreads,
                                     [](std::string_view body) { return core::parsePeerTubeComments(body, "mairie"); });
  CHECK(seen.answered > 500);
  CHECK(seen.errors > 0);
  CHECK(seen.fewerMessages > 0);
}

TEST_CASE("PeerTube's HTML becomes text, and what it hides stays hidden", "[platform-chat]") {
  const auto [html, text] = GENERATE(table<std::string, std::string>({
      {"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"},
      {"<p>a<script>alert(1)</script>b</p>", "ab"},
      {"<p>\u202Eevil 🏊\u200D♀️</p>", "\u202Eevil 🏊\u200D♀️"},
      {"<p>" + std::string(10 * 1024, 'a') + "</p>", std::string(10 * 1024, 'a')},
  }));
  const Json body = {{"total", 1},
                     {"data",
                      {{{"id", 5},
                        {"text", html},
                        {"createdAt", "2026-12-03T18:30:00.000Z"},
                        {"account", {{"name", "a"}, {"host", "h"}}}}}}};
  const auto parsed = core::parsePeerTubeComments(body.dump(), "");
  REQUIRE(parsed.page);
  REQUIRE(parsed.page->messages.size() == 1);
  CHECK(parsed.page->messages[0].text == text);
}

// ---------------------------------------------------------------------------------------
// HTML as text

TEST_CASE("htmlToText drops tags, breaks lines at br and paragraph ends, and folds blank lines", "[platform-chat]") {
  const auto [html, text] = GENERATE(table<std::string, std::string>({
      {"<p>Bonjour</p>", "Bonjour"},
      {"<p>Ligne 1<br>Ligne 2</p>", "Ligne 1\nLigne 2"},
      {"<p>Ligne 1<br/>\nLigne 2</p>\n", "Ligne 1\nLigne 2"},
      {"<p>Ligne 1<BR />Ligne 2</p>", "Ligne 1\nLigne 2"},
      {"<p>un</p><p>deux</p>", "un\ndeux"},
      {"<p>un</p>\n<p>deux</p>", "un\ndeux"},
      {"<p>un</p><p></p><p></p><p></p><p>deux</p>", "un\n\ndeux"},
      {"un<br><br>deux", "un\n\ndeux"},
      {"un<br><br><br><br><br>deux", "un\n\ndeux"},
      {"<br><br>un<br><br>", "un"},
      {"<p>a <strong>gras</strong> et <em>italique</em></p>", "a gras et italique"},
      {"<p>un   deux\n\ttrois</p>", "un deux trois"},
      {"<p>  un  <br>  deux  </p>", "un\ndeux"},
      {"<a href=\"https://x.fr/?a>b\" title='c>d'>lien</a>", "lien"},
      {"<ul><li>un</li><li>deux</li></ul>", "un\ndeux"},
      {"<!-- <p>caché</p> -->visible", "visible"},
      {"<!-- jamais fermé", ""},
      {"a < b et c > d", "a < b et c > d"},
      {"a <b", "a"},
      {"", ""},
  }));
  CAPTURE(html);
  CHECK(core::htmlToText(html) == text);
}

TEST_CASE("htmlToText drops the content of script and style", "[platform-chat]") {
  const auto [html, text] = GENERATE(table<std::string, std::string>({
      {"<script>alert('<p>x</p>')</script>ok", "ok"},
      {"<style>p { color: red }</style>ok", "ok"},
      {"<SCRIPT type=\"x\">a</SCRIPT >ok", "ok"},
      {"<script>a</scripts>b</script>ok", "ok"},
      {"<script>jamais fermé", ""},
      {"avant<script/>après", "avantaprès"},
      {"<p>un</p><style>x</style><p>deux</p>", "un\ndeux"},
      {"<scripted>texte</scripted>", "texte"},
  }));
  CAPTURE(html);
  CHECK(core::htmlToText(html) == text);
}

TEST_CASE("htmlToText decodes the listed entities and leaves unknown ones as written", "[platform-chat]") {
  const auto [html, text] = GENERATE(table<std::string, std::string>({
      {"&amp; &lt; &gt; &quot; &#39;", "& < > \" '"},
      {"&amp;lt;", "&lt;"},
      {"&#233;t&#xE9; &#XE9; &#x1F600;", "été é 😀"},
      {"&#0065;&#x00041;", "AA"},
      {"&copy;&eacute;&apos;", "&copy;&eacute;&apos;"},
      {"a&nbsp;b", "a b"},
      {"&#; &#x; &#65 &#x41 &#6a; & seul", "&#; &#x; &#65 &#x41 &#6a; & seul"},
      {"&#0;", "\uFFFD"},
      {"&#xD800;&#xDFFF;", "\uFFFD\uFFFD"},
      {"&#x110000;", "\uFFFD"},
      {"&#99999999999999999999999;", "\uFFFD"},
      {"&#x10FFFF;", "\U0010FFFF"},
      {"&lt;br&gt;", "<br>"},
  }));
  CAPTURE(html);
  CHECK(core::htmlToText(html) == text);
}

TEST_CASE("htmlToText gives valid UTF-8 whatever bytes it is given", "[platform-chat]") {
  CHECK(core::htmlToText("a\xFF"
                         "b") == "a\uFFFDb");
  CHECK(core::htmlToText("\xC3") == "\uFFFD");
  CHECK(core::htmlToText("\xED\xA0\x80") == "\uFFFD\uFFFD\uFFFD");  // an encoded surrogate
  CHECK(core::htmlToText("\xC0\xAF") == "\uFFFD\uFFFD");            // an overlong '/'
  CHECK(core::htmlToText("é\xF0\x9F\x98\x80") == "é😀");
}

// ---------------------------------------------------------------------------------------
// Times

TEST_CASE("parseChatTime reads the platforms' times", "[platform-chat]") {
  const auto [text, expected] = GENERATE(table<std::string, WallTime>({
      {"2018-08-30T18:47:02+0000", utc(2018, 8, 30, 18, 47, 2)},
      {"2026-12-03T18:30:00Z", utc(2026, 12, 3, 18, 30, 0)},
      {"2026-12-03T18:30:00.123Z", utc(2026, 12, 3, 18, 30, 0) + 123ms},
      {"2026-12-03T18:30:00.123456+00:00", utc(2026, 12, 3, 18, 30, 0) + 123456us},
      {"2026-12-03T18:30:00.5Z", utc(2026, 12, 3, 18, 30, 0) + 500ms},
      {"2026-12-03T19:30:00+01:00", utc(2026, 12, 3, 18, 30, 0)},
      {"2026-12-03T19:30:00+0100", utc(2026, 12, 3, 18, 30, 0)},
      {"2026-12-03T13:00:00-05:30", utc(2026, 12, 3, 18, 30, 0)},
      {"2026-12-04T00:30:00+06:00", utc(2026, 12, 3, 18, 30, 0)},
      {"2024-02-29T23:59:59Z", utc(2024, 2, 29, 23, 59, 59)},
      {"1970-01-01T00:00:00Z", utc(1970, 1, 1, 0, 0, 0)},
      {"2200-12-31T23:59:59.999999999Z", utc(2200, 12, 31, 23, 59, 59) + 999999999ns},
  }));
  CAPTURE(text);
  const auto parsed = core::parseChatTime(text);
  REQUIRE(parsed);
  CHECK(*parsed == expected);
}

TEST_CASE("parseChatTime refuses anything that is not such a time", "[platform-chat]") {
  const auto text =
      GENERATE(as<std::string>{}, "", "hier", "2026-12-03", "2026-12-03T18:30:00", "2026-13-03T18:30:00Z",
               "2026-00-03T18:30:00Z", "2026-02-30T18:30:00Z", "2025-02-29T18:30:00Z", "2026-12-00T18:30:00Z",
               "2026-12-03T24:00:00Z", "2026-12-03T18:60:00Z", "2026-12-03T18:30:60Z", "2026-12-03 18:30:00Z",
               "2026-12-03t18:30:00z", "2026-12-03T18:30:00Zjunk", "2026-12-03T18:30:00Z ", " 2026-12-03T18:30:00Z",
               "2026-12-03T18:30:00+01", "2026-12-03T18:30:00+2400", "2026-12-03T18:30:00+01:60",
               "2026-12-03T18:30:00+01:0", "2026-12-03T18:30:00.Z", "2026-12-03T18:30:00.1234567890Z",
               "2026-12-03T18:30:00.12a3Z", "26-12-03T18:30:00Z", "2026-1-3T18:30:00Z", "+2026-12-03T18:30:00Z",
               "2026-12-03T18:30Z", "２０２６-12-03T18:30:00Z", "1969-12-31T23:59:59Z", "2201-01-01T00:00:00Z",
               "2426-12-03T18:30:00Z", "9999-12-31T23:59:59Z", std::string("2026-12-03T18:30:00Z\0", 21));
  CAPTURE(text);
  CHECK_FALSE(core::parseChatTime(text));
}

// ---------------------------------------------------------------------------------------
// Addresses pasted by the technician

TEST_CASE("liveIdFromAddress finds the live in the addresses a technician pastes", "[platform-chat]") {
  const auto [platform, pasted, id] = GENERATE(table<PlatformId, std::string, std::string>({
      {PlatformId::youtube, "dQw4w9WgXcQ", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "  dQw4w9WgXcQ\n", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "Ab-_0123456", "Ab-_0123456"},
      {PlatformId::youtube, "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "http://youtube.com/watch?v=dQw4w9WgXcQ&t=10s", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://www.youtube.com/watch/?v=dQw4w9WgXcQ#chat", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://youtu.be/dQw4w9WgXcQ", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://youtu.be/dQw4w9WgXcQ?si=Xy12_ab", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://www.youtube.com/live/dQw4w9WgXcQ?feature=share", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://www.youtube.com/live/dQw4w9WgXcQ/", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"},
      {PlatformId::youtube, "HTTPS://WWW.YouTube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"},
      {PlatformId::facebook, "1234567890123456", "1234567890123456"},
      {PlatformId::facebook, " https://www.facebook.com/VilleDeDemo/videos/1234567890123456/ ", "1234567890123456"},
      {PlatformId::facebook, "https://m.facebook.com/VilleDeDemo/videos/1234567890123456", "1234567890123456"},
      {PlatformId::facebook, "https://facebook.com/VilleDeDemo/videos/conseil-municipal/1234567890123456/",
       "1234567890123456"},
      {PlatformId::facebook, "https://www.facebook.com/watch/live/?v=1234567890123456&ref=watch_permalink",
       "1234567890123456"},
      {PlatformId::facebook, "facebook.com/watch/?v=1234567890123456", "1234567890123456"},
      {PlatformId::peertube, "https://tube.example.org/w/kkGMgK9ZtnKfYAgnEtQxbv", "kkGMgK9ZtnKfYAgnEtQxbv"},
      {PlatformId::peertube, "https://tube.example.org/w/kkGMgK9ZtnKfYAgnEtQxbv/?start=10s", "kkGMgK9ZtnKfYAgnEtQxbv"},
      {PlatformId::peertube, "http://tube.example.org:9000/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d",
       "9c9de5e8-0a1e-484a-b099-e80766180a6d"},
      {PlatformId::peertube, "\tkkGMgK9ZtnKfYAgnEtQxbv ", "kkGMgK9ZtnKfYAgnEtQxbv"},
      {PlatformId::peertube, "9c9de5e8-0a1e-484a-b099-e80766180a6d", "9c9de5e8-0a1e-484a-b099-e80766180a6d"},
  }));
  CAPTURE(pasted);
  const auto found = core::liveIdFromAddress(platform, pasted);
  REQUIRE(found);
  CHECK(*found == id);
}

TEST_CASE("liveIdFromAddress refuses what is not a live's address or id", "[platform-chat]") {
  const auto [platform, pasted] = GENERATE(table<PlatformId, std::string>({
      {PlatformId::youtube, ""},
      {PlatformId::youtube, "   "},
      {PlatformId::youtube, "dQw4w9WgXc"},
      {PlatformId::youtube, "dQw4w9WgXcQQ"},
      {PlatformId::youtube, "dQw4w9WgX.Q"},
      {PlatformId::youtube, "dQw4w 9WgXcQ"},
      {PlatformId::youtube, "https://www.youtube.com/watch?v=dQw4w9WgXcQ<script>"},
      {PlatformId::youtube, "https://www.youtube.com/watch?v=dQw4w9WgXc%51"},
      {PlatformId::youtube, "https://www.youtube.com/watch?v=dQw4w9WgXcQ/"},
      {PlatformId::youtube, "https://www.youtube.com/watch?list=dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://www.youtube.com/channel/UCdQw4w9WgXcQ"},
      {PlatformId::youtube, "https://www.youtube.com/live/dQw4w9WgXcQ/chat"},
      {PlatformId::youtube, "https://evil.example/watch?v=dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ"},
      {PlatformId::youtube, "ftp://youtube.com/watch?v=dQw4w9WgXcQ"},
      {PlatformId::youtube, "javascript://youtube.com/watch?v=dQw4w9WgXcQ"},
      {PlatformId::youtube, "https://youtu.be/"},
      {PlatformId::youtube, "1234567890123456"},
      {PlatformId::facebook, "12345abc"},
      {PlatformId::facebook, "-1234"},
      {PlatformId::facebook, std::string(40, '1')},
      {PlatformId::facebook, "https://www.facebook.com/VilleDeDemo/videos/"},
      {PlatformId::facebook, "https://www.facebook.com/VilleDeDemo/posts/1234567890"},
      {PlatformId::facebook, "https://www.facebook.com/videos/123;rm -rf"},
      {PlatformId::facebook, "https://www.facebook.com/watch/?v=12a"},
      {PlatformId::facebook, "https://fb.watch/abcDEF/"},
      {PlatformId::facebook, "https://evil.example/VilleDeDemo/videos/1234567890"},
      {PlatformId::facebook, "dQw4w9WgXcQ"},
      {PlatformId::peertube, "https://tube.example.org/w/p/kkGMgK9ZtnKfYAgnEtQxbv"},
      {PlatformId::peertube, "https://tube.example.org/c/commune/videos"},
      {PlatformId::peertube, "https://tube.example.org/w/ab%2Fcd"},
      {PlatformId::peertube, "https://tube.example.org/w/kkGM_gK9"},
      {PlatformId::peertube, "https://tube.example.org/"},
      {PlatformId::peertube, "https:///w/kkGMgK9ZtnKfYAgnEtQxbv"},
      {PlatformId::peertube, "kkGM_gK9"},
      {PlatformId::peertube, "../../api/v1/users"},
      {PlatformId::peertube, std::string(65, 'a')},
  }));
  CAPTURE(pasted);
  CHECK_FALSE(core::liveIdFromAddress(platform, pasted));
}

// ---------------------------------------------------------------------------------------
// The active chat of a live, and the reply

TEST_CASE("the active chat of a YouTube live is read from videos.list while the live lasts", "[platform-chat]") {
  CHECK(core::parseYouTubeActiveChat(
            R"({"items":[{"id":"dQw4w9WgXcQ","liveStreamingDetails":{"actualStartTime":"2026-12-03T18:30:00Z",)"
            R"("activeLiveChatId":"Cg0KC2RRdzR3OVdnWGNR"}}]})") == "Cg0KC2RRdzR3OVdnWGNR");
  CHECK_FALSE(
      core::parseYouTubeActiveChat(R"({"items":[{"liveStreamingDetails":{"actualEndTime":"2026-12-03T21:00:00Z"}}]})"));
  CHECK_FALSE(core::parseYouTubeActiveChat(R"({"items":[{"liveStreamingDetails":{"activeLiveChatId":""}}]})"));
  CHECK_FALSE(core::parseYouTubeActiveChat(R"({"items":[{"liveStreamingDetails":{"activeLiveChatId":"a b"}}]})"));
  CHECK_FALSE(core::parseYouTubeActiveChat(R"({"items":[{"liveStreamingDetails":{"activeLiveChatId":7}}]})"));
  CHECK_FALSE(core::parseYouTubeActiveChat(R"({"items":[{"liveStreamingDetails":[]}]})"));
  CHECK_FALSE(core::parseYouTubeActiveChat(R"({"items":[]})"));
  CHECK_FALSE(core::parseYouTubeActiveChat(R"({"items":{}})"));
  CHECK_FALSE(core::parseYouTubeActiveChat("[]"));
  CHECK_FALSE(core::parseYouTubeActiveChat("not json"));
}

TEST_CASE("the YouTube reply body carries the chat id and the text, escaped as JSON", "[platform-chat]") {
  const std::string text = "Réponse : \"oui\" </script>\n\\ \x01 🏊\u202E";
  const auto body = core::youTubeChatReplyBody("Cg0KC2RRdzR3OVdnWGNR", text);
  const auto parsed = Json::parse(body);
  CHECK(parsed == Json{{"snippet",
                        {{"liveChatId", "Cg0KC2RRdzR3OVdnWGNR"},
                         {"type", "textMessageEvent"},
                         {"textMessageDetails", {{"messageText", text}}}}}});
  CHECK(body.find('\n') == std::string::npos);
  CHECK(body.rfind(R"({"snippet":{"liveChatId":)", 0) == 0);
}

TEST_CASE("a YouTube reply built from invalid UTF-8 is still JSON", "[platform-chat]") {
  std::string body;
  CHECK_NOTHROW(body = core::youTubeChatReplyBody("chat\xFF", "texte \xC3("));
  CHECK(Json::accept(body));
}
