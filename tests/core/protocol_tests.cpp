#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/protocol.h"
#include "meeting_fakes.h"

using namespace tribune;
using core::MessageKind;
using core::StatusCode;
using nlohmann::json;

namespace {

constexpr std::size_t kMax = 4096;

core::ParseResult parse(std::string_view text) { return core::parseClientMessage(text, kMax); }

void requireError(std::string_view text, StatusCode status, const std::string& fragment = "") {
  INFO(text);
  const auto result = parse(text);
  CHECK_FALSE(result.ok());
  CHECK(result.status == status);
  CHECK_FALSE(result.error.empty());
  if (!fragment.empty()) CHECK_THAT(result.error, Catch::Contains(fragment));
}

}  // namespace

TEST_CASE("a command message gives its type, id and every other member as params", "[protocol]") {
  const auto result = parse(R"({"type": "agenda.jump", "id": 7, "number": "6 bis"})");
  REQUIRE(result.ok());
  const auto& message = *result.message;
  CHECK(message.kind == MessageKind::Command);
  CHECK(message.type == "agenda.jump");
  CHECK(message.id == 7);
  CHECK(message.params == json{{"number", "6 bis"}});
  CHECK(message.request().type == "agenda.jump");
  CHECK(result.id == 7);
}

TEST_CASE("the id is optional and may be a string", "[protocol]") {
  CHECK(parse(R"({"type": "session.open"})").message->id.is_null());
  CHECK(parse(R"({"type": "session.open", "id": "a-1"})").message->id == "a-1");
  CHECK(parse(R"({"type": "session.open", "id": -4})").message->id == -4);
  requireError(R"({"type": "session.open", "id": 1.5})", StatusCode::InvalidId);
  requireError(R"({"type": "session.open", "id": null})", StatusCode::InvalidId);
  requireError(R"({"type": "session.open", "id": {"a": 1}})", StatusCode::InvalidId);
  requireError(R"({"type": "session.open", "id": ")" + std::string(65, 'x') + R"("})", StatusCode::InvalidId);
  CHECK(parse(R"({"type": "session.open", "id": ")" + std::string(64, 'x') + R"("})").ok());
}

TEST_CASE("hello carries an optional token and the last sequence number seen", "[protocol]") {
  const auto result = parse(R"({"type": "hello", "token": "abc", "since": 1234})");
  REQUIRE(result.ok());
  CHECK(result.message->kind == MessageKind::Hello);
  CHECK(result.message->hello.token == "abc");
  CHECK(result.message->hello.since == 1234u);
  const auto bare = parse(R"({"type": "hello"})");
  REQUIRE(bare.ok());
  CHECK_FALSE(bare.message->hello.token);
  CHECK_FALSE(bare.message->hello.since);
  requireError(R"({"type": "hello", "since": -1})", StatusCode::InvalidParams, "since");
  requireError(R"({"type": "hello", "since": "12"})", StatusCode::InvalidParams, "since");
  requireError(R"({"type": "hello", "token": 12})", StatusCode::InvalidParams, "token");
  requireError(R"({"type": "hello", "token": ")" + std::string(129, 't') + R"("})", StatusCode::InvalidParams, "token");
  requireError(R"({"type": "hello", "role": "technician"})", StatusCode::InvalidParams, "token, since, viewer");
}

TEST_CASE("a viewer's hello may carry the browser id the server gave, a malformed one is ignored", "[protocol]") {
  const std::string id = "AbCdEfGhIjKlMnOpQrStUv_-09";
  const auto result = parse(R"({"type": "hello", "viewer": ")" + id + R"("})");
  REQUIRE(result.ok());
  CHECK(result.message->hello.viewer == id);
  for (const auto* bad : {R"("short")", R"("has spaces in it, twenty-two chars")", R"(12345678901234567890123)",
                          R"("<script>alert(1)</script>xxxxxxxxxxx")", R"(null)"}) {
    INFO(bad);
    const auto parsed = parse(std::string(R"({"type": "hello", "viewer": )") + bad + "}");
    REQUIRE(parsed.ok());
    CHECK_FALSE(parsed.message->hello.viewer);
  }
  CHECK_FALSE(parse(R"({"type": "hello", "viewer": ")" + std::string(65, 'a') + R"("})").message->hello.viewer);
  CHECK(parse(R"({"type": "hello", "viewer": ")" + std::string(64, 'a') + R"("})").message->hello.viewer);
  const auto welcome = nlohmann::json::parse(tribune::core::welcome(tribune::core::Role::Viewer, 3, nullptr, id));
  CHECK(welcome.at("viewer") == id);
  const auto staff = nlohmann::json::parse(tribune::core::welcome(tribune::core::Role::Mayor, 3, nullptr));
  CHECK_FALSE(staff.contains("viewer"));
}

TEST_CASE("ping takes no parameter", "[protocol]") {
  const auto result = parse(R"({"type": "ping", "id": 3})");
  REQUIRE(result.ok());
  CHECK(result.message->kind == MessageKind::Ping);
  requireError(R"({"type": "ping", "x": 1})", StatusCode::InvalidParams);
}

TEST_CASE("a message larger than the limit is refused before it is parsed", "[protocol]") {
  const std::string big = R"({"type": "ping", "pad": ")" + std::string(200, 'x') + R"("})";
  const auto result = core::parseClientMessage(big, 100);
  CHECK(result.status == StatusCode::TooLarge);
  CHECK(result.error == "Message trop long : " + std::to_string(big.size()) + " octets, 100 au plus.");
  CHECK(core::parseClientMessage(R"({"type":"ping"})", 15).ok());
  CHECK(core::parseClientMessage(R"({"type":"ping"})", 14).status == StatusCode::TooLarge);
}

TEST_CASE("malformed JSON is refused with the position", "[protocol]") {
  requireError(R"({"type": "ping",})", StatusCode::MalformedJson, "JSON invalide à l'octet 17");
  requireError("", StatusCode::MalformedJson, "octet");
  requireError("{\"type\": \"p\xe9\"}", StatusCode::MalformedJson);  // not UTF-8
  requireError(R"({"type": "ping"} trailing)", StatusCode::MalformedJson);
  requireError(R"({"type": "agenda.jump", "number": 1e999})", StatusCode::MalformedJson);
}

TEST_CASE("deeply nested JSON is refused without walking it", "[protocol]") {
  const std::string deep =
      R"({"type": "overlay.show", "values": )" + std::string(3000, '[') + std::string(3000, ']') + "}";
  const auto result = core::parseClientMessage(deep, 1 << 20);
  CHECK(result.status == StatusCode::MalformedJson);
  CHECK(result.error == "JSON trop imbriqué : 16 niveaux au plus.");
  const std::string shallow = R"({"type": "overlay.show", "values": [[[]]]})";
  CHECK(parse(shallow).ok());
}

TEST_CASE("a message that is not an object is refused", "[protocol]") {
  for (const auto* text : {"[]", "\"ping\"", "42", "null", "true"}) requireError(text, StatusCode::NotAnObject);
}

TEST_CASE("the type must be a non-empty string of at most 64 characters", "[protocol]") {
  requireError(R"({"id": 1})", StatusCode::MissingType, "« type »");
  requireError(R"({"type": ""})", StatusCode::MissingType);
  requireError(R"({"type": 3})", StatusCode::MissingType);
  requireError(R"({"type": ")" + std::string(65, 'a') + R"("})", StatusCode::MissingType);
  CHECK(parse(R"({"id": 1})").id == 1);  // so that the error can name the message
}

TEST_CASE("an unknown message type is refused at parse time, with its id", "[protocol]") {
  const auto result = parse(R"({"type": "session.reopen", "id": "r1"})");
  CHECK(result.status == StatusCode::UnknownType);
  CHECK(result.id == "r1");
}

TEST_CASE("every command of the table parses as a command", "[protocol]") {
  for (const auto type : core::commandTypes()) {
    INFO(type);
    const auto result = parse(R"({"type": ")" + std::string(type) + R"("})");
    REQUIRE(result.ok());
    CHECK(result.message->kind == MessageKind::Command);
  }
}

TEST_CASE("the server's messages are JSON objects with a type", "[protocol]") {
  const auto welcome = json::parse(core::welcome(core::Role::Moderator, 42, json{{"id", "m"}}));
  CHECK(welcome ==
        json{{"type", "welcome"}, {"protocol", 1}, {"role", "moderator"}, {"seq", 42}, {"snapshot", {{"id", "m"}}}});
  CHECK(json::parse(core::welcome(core::Role::Viewer, 0, nullptr)).at("snapshot").is_null());
  // A meeting of tribune serve's schedule says so; tribune run's says nothing.
  CHECK(json::parse(core::welcome(core::Role::Technician, 1, nullptr, {}, true)).at("serve") == true);
  CHECK_FALSE(json::parse(core::welcome(core::Role::Technician, 1, nullptr)).contains("serve"));

  core::DispatchResult refused{409, "illegal_transition", "Impossible…", json::object()};
  CHECK(json::parse(core::result("a1", refused)) == json{{"type", "result"},
                                                         {"id", "a1"},
                                                         {"code", 409},
                                                         {"status", "illegal_transition"},
                                                         {"message", "Impossible…"},
                                                         {"data", json::object()}});
  CHECK_FALSE(json::parse(core::result(nullptr, core::DispatchResult{})).contains("id"));

  const core::MeetingEvent event{"speaker_changed", {{"councillor", "cm-01"}}, testing::at(2)};
  CHECK(json::parse(core::event(7, core::toJson(event))) ==
        json{{"type", "event"},
             {"seq", 7},
             {"event", {{"type", "speaker_changed"}, {"data", {{"councillor", "cm-01"}}}, {"at_ms", 2000}}}});

  CHECK(json::parse(core::error(StatusCode::TooLarge, "Message trop long.")) ==
        json{{"type", "error"}, {"code", 413}, {"status", "too_large"}, {"message", "Message trop long."}});
  CHECK(json::parse(core::error(StatusCode::MissingType, "x", 5)).at("id") == 5);
}

TEST_CASE("builders never throw on text that is not UTF-8", "[protocol]") {
  const auto text = core::error(StatusCode::InvalidParams, "bad \xff byte");
  CHECK_NOTHROW(json::parse(text));
}

TEST_CASE("a parsed command dispatches as the technician", "[protocol]") {
  testing::ScriptedRandom random;
  core::Broadcast broadcast{core::RetrySettings{}, random};
  auto meeting = testing::demoMeeting();
  const auto parsed = parse(R"({"type": "session.open", "id": 1})");
  REQUIRE(parsed.ok());
  const auto outcome =
      core::dispatch(parsed.message->request(), core::Role::Technician, meeting, broadcast, testing::at(1));
  CHECK(outcome.ok());
  CHECK(json::parse(core::result(parsed.message->id, outcome)).at("status") == "ok");
}
