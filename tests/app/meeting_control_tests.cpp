// Meeting control through the real `tribune` binary: websocket and REST clients on
// loopback, the event log in the data folder, kill -9 and restart.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <thread>

#include "running_tribune.h"

using namespace tribune::testing;
using namespace std::chrono_literals;
using Json = nlohmann::json;

TEST_CASE("a meeting run from the console survives kill -9 in the same state", "[meeting][faults]") {
  TempDir data;
  RunningTribune tribune(data.path());
  {
    WsClient ws;
    auto welcome = hello(ws, tribune.port(), tribune.token("technician"));
    REQUIRE(welcome["type"] == "welcome");
    CHECK(welcome["role"] == "technician");
    CHECK(welcome["snapshot"]["session"]["state"] == "pre_seance");
    auto opened = command(ws, 1, {{"type", "session.open"}});
    INFO(opened.dump());
    REQUIRE(opened["status"] == "ok");
    CHECK(opened["data"]["seq"].get<std::uint64_t>() > welcome["seq"].get<std::uint64_t>());
    REQUIRE(command(ws, 2, {{"type", "agenda.next"}})["status"] == "ok");
    REQUIRE(command(ws, 3, {{"type", "session.huis_clos"}})["status"] == "ok");
  }
  tribune.kill9();  // right after the acknowledgement
  tribune.start();
  WsClient ws;
  auto welcome = hello(ws, tribune.port(), tribune.token("technician"));
  const auto& snapshot = welcome["snapshot"];
  INFO(snapshot.dump());
  CHECK(snapshot["session"]["state"] == "huis_clos");
  CHECK(snapshot["current_item"]["number"] == "2");
  CHECK(snapshot["overlays"]["slate"]["visible"] == true);
  CHECK(snapshot["overlays"]["slate"]["template"] == "huis-clos");
  // Leaving huis clos takes an explicit command, even after a restart.
  REQUIRE(command(ws, 4, {{"type", "session.leave_huis_clos"}})["status"] == "ok");
}

TEST_CASE("roles and malformed messages are refused with stable codes, and the connection survives", "[meeting][web]") {
  TempDir data;
  RunningTribune tribune(data.path());

  WsClient early;
  REQUIRE(early.connect(tribune.port()));
  early.send(R"({"type":"session.open","id":1})");
  auto refused = resultOf(early, 1);
  CHECK(refused["status"] == "hello_required");

  WsClient viewer;
  auto welcome = hello(viewer, tribune.port(), std::nullopt);
  CHECK(welcome["role"] == "viewer");
  CHECK_FALSE(welcome["snapshot"].contains("overlays"));
  auto forbidden = command(viewer, 7, {{"type", "session.open"}});
  CHECK(forbidden["code"] == 403);
  CHECK(forbidden["status"] == "forbidden");
  CHECK_FALSE(forbidden["message"].get<std::string>().empty());

  WsClient stranger;
  auto invalid = hello(stranger, tribune.port(), std::string(64, 'f'));
  CHECK(invalid["status"] == "invalid_token");

  WsClient technician;
  hello(technician, tribune.port(), tribune.token("technician"));
  technician.send("{not json");
  CHECK(nextMessage(technician)["status"] == "malformed_json");
  technician.send(R"({"type":"session.fly","id":9})");
  CHECK(nextMessage(technician)["status"] == "unknown_type");
  auto invalidParams = command(technician, 10, {{"type", "agenda.jump"}, {"numero", "2"}});
  CHECK(invalidParams["status"] == "invalid_params");
  auto illegal = command(technician, 11, {{"type", "session.suspend"}});
  CHECK(illegal["status"] == "illegal_transition");
  technician.send(R"({"type":"ping","id":12})");
  auto pong = nextMessage(technician);
  CHECK(pong["type"] == "result");
  CHECK(pong["id"] == 12);
  CHECK(pong["status"] == "ok");

  // The mayor and the moderator cannot run the session.
  for (const char* role : {"mayor", "moderator"}) {
    WsClient staff;
    hello(staff, tribune.port(), tribune.token(role));
    CHECK(command(staff, 1, {{"type", "session.open"}})["status"] == "forbidden");
  }
}

TEST_CASE("a client that reconnects resumes from its last sequence number", "[meeting][web]") {
  TempDir data;
  RunningTribune tribune(data.path());
  std::uint64_t seen = 0;
  {
    WsClient first;
    seen = hello(first, tribune.port(), tribune.token("technician"))["seq"].get<std::uint64_t>();
  }
  {
    WsClient other;
    hello(other, tribune.port(), tribune.token("technician"));
    REQUIRE(command(other, 1, {{"type", "session.open"}})["status"] == "ok");
  }
  WsClient again;
  auto welcome = hello(again, tribune.port(), tribune.token("technician"), seen);
  CHECK(welcome["snapshot"].is_null());
  CHECK(welcome["seq"].get<std::uint64_t>() > seen);
  bool sawOpening = false;
  for (int i = 0; i < 20 && !sawOpening; ++i) {
    auto message = nextMessage(again);
    REQUIRE(message["type"] == "event");
    CHECK(message["seq"].get<std::uint64_t>() > seen);
    sawOpening = message["event"]["type"] == "session_changed" && message["event"]["data"]["to"] == "seance_ouverte";
  }
  CHECK(sawOpening);
}

TEST_CASE("the REST API mirrors the commands, and /metrics and /healthz answer", "[meeting][web]") {
  TempDir data;
  RunningTribune tribune(data.path());
  const std::string bearer = "Bearer " + tribune.token("technician");
  auto opened = httpCall(tribune.port(), {"POST",
                                          "/api/commands",
                                          R"({"type":"session.open","id":"a"})",
                                          {{"Authorization", bearer}, {"Content-Type", "application/json"}}});
  INFO(opened.body);
  CHECK(opened.status == 200);
  CHECK(Json::parse(opened.body)["status"] == "ok");
  auto anonymous = httpCall(tribune.port(), {"POST", "/api/commands", R"({"type":"agenda.next"})", {}});
  CHECK(anonymous.status == 403);
  auto wrongToken = httpCall(tribune.port(), {"GET", "/api/snapshot", "", {{"Authorization", "Bearer nope"}}});
  CHECK(wrongToken.status == 401);
  auto snapshot = httpCall(tribune.port(), {"GET", "/api/snapshot", "", {{"Authorization", bearer}}});
  CHECK(Json::parse(snapshot.body)["session"]["state"] == "seance_ouverte");
  REQUIRE(waitUntil(
      [&] {
        return httpCall(tribune.port(), {"GET", "/metrics", "", {}})
                   .body.find("tribune_session_state{state=\"seance_ouverte\"} 1") != std::string::npos;
      },
      5s));
  CHECK(httpCall(tribune.port(), {"GET", "/healthz", "", {}}).status == 200);
  // The first preview comes a few frames after the start (503 "no_preview_yet" until then),
  // later on a machine busy with other tests.
  HttpReply preview;
  CHECK(waitUntil(
      [&] {
        preview = httpCall(tribune.port(), {"GET", "/api/preview.jpg", "", {{"Authorization", bearer}}});
        return preview.status != 503;
      },
      10s));
  CHECK(preview.status == 200);
  CHECK(preview.header("content-type") == "image/jpeg");
  CHECK(preview.body.substr(0, 2) == "\xFF\xD8");
  auto pairing = httpCall(tribune.port(), {"GET", "/api/pairing", "", {{"Authorization", bearer}}});
  auto links = Json::parse(pairing.body);
  CHECK(links["mayor"]["url"].get<std::string>().find("/mayor/#token=") != std::string::npos);
  CHECK(links["mayor"]["qr_svg"].get<std::string>().rfind("<svg", 0) == 0);
  // Tokens never reach the log.
  const auto log = readTextFile(data / "log.txt");
  CHECK(log.find(tribune.token("technician")) == std::string::npos);
  CHECK(log.find(tribune.token("mayor")) == std::string::npos);
}
