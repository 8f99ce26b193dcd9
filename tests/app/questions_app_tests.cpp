// The viewers' questions through the real `tribune` binary: websocket clients for the
// viewer, the moderator and the mayor, the REST export, limits, and kill -9 right after a
// question was acknowledged.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "running_tribune.h"

using namespace tribune::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

// Every message up to the answer to a ping (ids from 9000), which marks "everything sent so
// far has arrived".
std::vector<Json> drain(WsClient& ws, int pingId) {
  ws.send(Json{{"type", "ping"}, {"id", pingId}}.dump());
  std::vector<Json> seen;
  while (true) {
    auto message = nextMessage(ws);
    if (message["type"] == "result" && message.value("id", -1) == pingId) return seen;
    seen.push_back(std::move(message));
  }
}

// A command's result, and the messages that came before it.
Json commandSeeing(WsClient& ws, int id, Json message, std::vector<Json>& seen) {
  message["id"] = id;
  ws.send(message.dump());
  while (true) {
    auto received = nextMessage(ws);
    if (received["type"] == "result" && received.value("id", -1) == id) return received;
    seen.push_back(std::move(received));
  }
}

std::vector<Json> ofType(const std::vector<Json>& messages, const std::string& type) {
  std::vector<Json> out;
  for (const auto& m : messages) {
    if (m["type"] == type) out.push_back(m);
  }
  return out;
}

}  // namespace

TEST_CASE("a question acknowledged survives kill -9, and its browser still sees its status", "[questions][faults]") {
  TempDir data;
  RunningTribune tribune(data.path());
  std::string viewerId;
  std::uint64_t id = 0;
  {
    WsClient viewer;
    auto welcome = helloViewer(viewer, tribune.port());
    REQUIRE(welcome["role"] == "viewer");
    viewerId = welcome.at("viewer").get<std::string>();
    CHECK(viewerId.size() >= 22);
    CHECK(welcome["snapshot"]["questions_settings"]["max_length"] == 500);
    CHECK(welcome["snapshot"]["questions_settings"]["notice"]["purpose"].get<std::string>().size() > 10);
    auto asked = command(viewer, 1,
                         {{"type", "question.ask"},
                          {"text", "Quand la piscine rouvrira-t-elle ? Écrivez-moi : marie@example.fr"},
                          {"pseudonym", "Marie"},
                          {"place", "Quartier de la Gare"}});
    INFO(asked.dump());
    REQUIRE(asked["status"] == "ok");
    id = asked["data"]["question"].get<std::uint64_t>();
    CHECK(asked["data"]["status"] == "pending");
  }
  tribune.kill9();  // right after the acknowledgement
  tribune.start();

  WsClient moderator;
  auto staff = hello(moderator, tribune.port(), tribune.token("moderator"));
  const auto& questions = staff["snapshot"]["questions"];
  REQUIRE(questions.size() == 1);
  CHECK(questions[0]["id"] == id);
  CHECK(questions[0]["text"] == "Quand la piscine rouvrira-t-elle ? Écrivez-moi : [adresse e-mail masquée]");
  CHECK(questions[0]["original"] == "Quand la piscine rouvrira-t-elle ? Écrivez-moi : marie@example.fr");
  CHECK(questions[0]["flags"] == Json::array({"email"}));
  CHECK(staff["snapshot"]["questions_counters"]["pending"] == 1);

  WsClient again;
  auto mine = helloViewer(again, tribune.port(), viewerId);
  CHECK(mine["viewer"] == viewerId);
  REQUIRE(mine["snapshot"]["questions"].size() == 1);
  CHECK(mine["snapshot"]["questions"][0]["mine"] == true);
  CHECK(mine["snapshot"]["questions"][0]["status_label"] == "en attente");
  CHECK_FALSE(mine["snapshot"]["questions"][0].contains("original"));
  WsClient stranger;
  CHECK(helloViewer(stranger, tribune.port())["snapshot"]["questions"].empty());
  // The address never reaches the log; the browser id neither.
  CHECK(tribune.log().find(viewerId) == std::string::npos);
}

TEST_CASE("each role sees what it may: the mayor and other viewers never see a pending question",
          "[questions][roles]") {
  TempDir data;
  RunningTribune tribune(data.path());
  WsClient moderator, mayor, asker, other;
  hello(moderator, tribune.port(), tribune.token("moderator"));
  hello(mayor, tribune.port(), tribune.token("mayor"));
  const auto askerId = helloViewer(asker, tribune.port())["viewer"].get<std::string>();
  helloViewer(other, tribune.port());

  std::vector<Json> askerSeen;
  auto asked = commandSeeing(
      asker, 1, {{"type", "question.ask"}, {"text", "<img src=x onerror=alert(1)> Et le marché ?"}}, askerSeen);
  REQUIRE(asked["status"] == "ok");
  // The asker's own view comes before the acknowledgement.
  REQUIRE(ofType(askerSeen, "question").size() == 1);
  CHECK(ofType(askerSeen, "question")[0]["question"]["mine"] == true);
  CHECK(ofType(askerSeen, "question")[0]["question"]["status_label"] == "en attente");
  const auto id = asked["data"]["question"].get<std::uint64_t>();

  auto seen = drain(moderator, 9001);
  auto views = ofType(seen, "question");
  REQUIRE(views.size() == 1);
  CHECK(views[0]["question"]["status"] == "pending");
  CHECK(views[0]["question"]["text"] == "<img src=x onerror=alert(1)> Et le marché ?");
  CHECK(ofType(seen, "questions_queue").at(0)["counters"]["pending"] == 1);
  // A pending question is nothing to the mayor and the other viewers: not a view, not a
  // removal, not a queue (10,000 viewers must not hear of every question asked).
  CHECK(drain(mayor, 9002).empty());
  CHECK(drain(other, 9003).empty());

  // Only the moderator (or the technician) approves; the mayor and viewers are refused.
  CHECK(command(asker, 2, {{"type", "question.approve"}, {"question", id}})["status"] == "forbidden");
  CHECK(command(mayor, 3, {{"type", "question.approve"}, {"question", id}})["status"] == "forbidden");
  CHECK(command(other, 4, {{"type", "question.on_air"}, {"question", id}})["status"] == "forbidden");
  REQUIRE(command(moderator, 5, {{"type", "question.approve"}, {"question", id}})["status"] == "ok");

  auto mayorViews = ofType(drain(mayor, 9005), "question");
  REQUIRE(mayorViews.size() == 1);
  CHECK(mayorViews[0]["question"]["status"] == "approved");
  CHECK(mayorViews[0]["question"]["rank"] == 0);
  CHECK_FALSE(mayorViews[0]["question"].contains("original"));
  auto otherSeen = drain(other, 9006);
  REQUIRE(ofType(otherSeen, "question").size() == 1);
  CHECK(ofType(otherSeen, "question")[0]["question"]["mine"] == false);
  CHECK(ofType(otherSeen, "questions_queue").at(0)["queue"] == Json::array({id}));
  CHECK_FALSE(ofType(otherSeen, "questions_queue").at(0).contains("counters"));

  // During a deliberation the mayor cannot put it on air.
  WsClient technician;
  hello(technician, tribune.port(), tribune.token("technician"));
  REQUIRE(command(technician, 6, {{"type", "session.open"}})["status"] == "ok");
  auto refused = command(mayor, 7, {{"type", "question.on_air"}, {"question", id}});
  CHECK(refused["status"] == "wrong_state");
  REQUIRE(command(technician, 8, {{"type", "session.suspend"}})["status"] == "ok");
  REQUIRE(command(mayor, 9, {{"type", "question.on_air"}, {"question", id}})["status"] == "ok");
  auto onAir = ofType(drain(asker, 9007), "question");
  REQUIRE_FALSE(onAir.empty());
  CHECK(onAir.back()["question"]["status_label"] == "à l'antenne");

  // A viewer who comes back with `since` gets the questions that changed meanwhile.
  WsClient late;
  auto first = helloViewer(late, tribune.port(), askerId);
  const auto since = first["seq"].get<std::uint64_t>();
  late.close();
  REQUIRE(command(mayor, 10, {{"type", "question.answered"}, {"question", id}})["status"] == "ok");
  WsClient resumed;
  auto welcome = helloViewer(resumed, tribune.port(), askerId, since);
  CHECK(welcome["snapshot"].is_null());
  auto resumedViews = ofType(drain(resumed, 9008), "question");
  REQUIRE(resumedViews.size() == 1);
  CHECK(resumedViews[0]["question"]["status"] == "answered");
  CHECK(resumedViews[0]["question"]["mine"] == true);
}

TEST_CASE("limits: questions per browser, messages per connection, message size, each refusal is explained",
          "[questions][limits]") {
  TempDir data;
  RunningTribune tribune(data.path(), {{"questions",
                                        {{"per_browser", {{"count", 2}, {"seconds", 600}}},
                                         {"messages_per_connection", {{"count", 12}, {"seconds", 60}}}}}});
  WsClient viewer;
  helloViewer(viewer, tribune.port());
  CHECK(command(viewer, 1, {{"type", "question.ask"}, {"text", "Une"}})["status"] == "ok");
  CHECK(command(viewer, 2, {{"type", "question.ask"}, {"text", "Deux"}})["status"] == "ok");
  auto third = command(viewer, 3, {{"type", "question.ask"}, {"text", "Trois"}});
  CHECK(third["code"] == 429);
  CHECK(third["status"] == "rate_limited");
  CHECK_THAT(third["message"].get<std::string>(), Catch::StartsWith("Vous avez déjà envoyé plusieurs questions"));
  CHECK(third["data"]["retry_after_s"].get<int>() == 300);

  auto malformed = command(viewer, 4, {{"type", "question.ask"}, {"text", 12}});
  CHECK(malformed["status"] == "invalid_params");
  CHECK(command(viewer, 5, {{"type", "question.upvote"}, {"question", "1"}})["status"] == "invalid_params");
  CHECK(command(viewer, 6, {{"type", "question.upvote"}, {"question", 99}})["status"] == "unknown_question");
  viewer.send(Json{{"type", "question.ask"}, {"id", 7}, {"text", std::string(5000, 'x')}}.dump());
  CHECK(nextMessage(viewer)["status"] == "too_large");

  // The hello and seven messages so far; beyond twelve the connection is told to slow down.
  int limited = 0;
  for (int i = 0; i < 10; ++i) viewer.send(Json{{"type", "ping"}, {"id", 100 + i}}.dump());
  for (int i = 0; i < 10; ++i) {
    auto message = nextMessage(viewer);
    if (message["status"] == "rate_limited") ++limited;
  }
  CHECK(limited == 6);

  // Staff connections are not held to the viewers' limits.
  WsClient technician;
  hello(technician, tribune.port(), tribune.token("technician"));
  for (int i = 0; i < 20; ++i) CHECK(command(technician, 200 + i, {{"type", "ping"}})["status"] == "ok");
  auto big = command(technician, 300, {{"type", "question.edit"}, {"question", 1}, {"text", std::string(5000, 'x')}});
  CHECK(big["status"] == "invalid_params");  // too long a question, but the message itself was read
  CHECK(big["data"]["param"] == "text");
}

TEST_CASE("the questions' export: CSV and JSON for the moderator and the technician only", "[questions][export]") {
  TempDir data;
  RunningTribune tribune(data.path());
  WsClient viewer;
  helloViewer(viewer, tribune.port());
  REQUIRE(command(viewer, 1, {{"type", "question.ask"}, {"text", "=HYPERLINK(\"http://x\") ; \"cité\""}})["status"] ==
          "ok");
  const auto get = [&](const std::string& target, const std::optional<std::string>& token) {
    HttpCall call{"GET", target, "", {}};
    if (token) call.headers.emplace_back("Authorization", "Bearer " + *token);
    return httpCall(tribune.port(), call);
  };
  const auto csv = get("/api/questions.csv", tribune.token("moderator"));
  REQUIRE(csv.status == 200);
  CHECK(csv.header("content-type") == "text/csv; charset=utf-8");
  CHECK(csv.body.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK(csv.body.find("\"'=HYPERLINK(\"\"http://x\"\") ; \"\"cité\"\"\"") != std::string::npos);
  const auto json = get("/api/questions.json", tribune.token("technician"));
  REQUIRE(json.status == 200);
  const auto parsed = Json::parse(json.body);
  REQUIRE(parsed["questions"].size() == 1);
  CHECK(parsed["questions"][0]["text"] == "=HYPERLINK(\"http://x\") ; \"cité\"");
  CHECK(get("/api/questions.csv", tribune.token("mayor")).status == 403);
  CHECK(get("/api/questions.json", std::nullopt).status == 403);
}
