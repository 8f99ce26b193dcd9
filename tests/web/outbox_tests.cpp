// The Outbox and the wire helpers, without any socket.
#include "web/outbox.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "web/wire_text.h"

namespace tribune::web {
namespace {

Outbox::Message text(std::string value) { return {std::make_shared<const std::string>(std::move(value)), false}; }

struct CountingOutbox {
  explicit CountingOutbox(std::size_t limit) : outbox(limit, [this] { ++wakes; }) {}
  std::atomic<int> wakes{0};
  Outbox outbox;
};

}  // namespace

TEST_CASE("the outbox queues per connection and wakes the loop once per batch", "[web][outbox]") {
  CountingOutbox box(8);
  box.outbox.open(1);
  box.outbox.open(2);

  CHECK(box.outbox.push(1, text("a")) == Outbox::Pushed::Queued);
  CHECK(box.outbox.push(1, text("b")) == Outbox::Pushed::Queued);
  CHECK(box.outbox.pushToMany({1, 2, 3}, text("c")) == 0);
  CHECK(box.wakes == 1);  // until the web thread takes the work, one wake is enough
  CHECK(box.outbox.push(3, text("x")) == Outbox::Pushed::UnknownConnection);

  auto work = box.outbox.takeWork();
  CHECK(work.writable == std::vector<ConnectionId>{1, 2});
  CHECK(work.slow.empty());

  auto next = box.outbox.next(1);
  REQUIRE(next.message);
  CHECK(*next.message->bytes == "a");
  CHECK(next.more);
  CHECK(*box.outbox.next(1).message->bytes == "b");
  next = box.outbox.next(1);
  CHECK(*next.message->bytes == "c");
  CHECK_FALSE(next.more);
  CHECK_FALSE(box.outbox.next(1).message);

  CHECK(box.outbox.push(2, text("d")) == Outbox::Pushed::Queued);
  CHECK(box.wakes == 2);  // the batch was taken: the next push wakes again
}

TEST_CASE("a broadcast shares one payload between connections", "[web][outbox]") {
  CountingOutbox box(8);
  box.outbox.open(1);
  box.outbox.open(2);
  box.outbox.pushToMany({1, 2}, text("shared"));
  CHECK(box.outbox.next(1).message->bytes.get() == box.outbox.next(2).message->bytes.get());
}

TEST_CASE("a queue that would exceed its bound drops its connection and frees it at once", "[web][outbox]") {
  CountingOutbox box(3);
  box.outbox.open(1);
  box.outbox.open(2);
  for (int i = 0; i < 3; ++i) CHECK(box.outbox.push(1, text("m")) == Outbox::Pushed::Queued);
  CHECK(box.outbox.pushToMany({1, 2}, text("overflow")) == 1);
  CHECK(box.outbox.queuedMessages(1) == 0);
  CHECK(box.outbox.push(1, text("later")) == Outbox::Pushed::Closing);  // counted once only
  CHECK(box.outbox.queuedMessages(2) == 1);

  const auto work = box.outbox.takeWork();
  CHECK(work.slow == std::vector<ConnectionId>{1});
  CHECK(work.writable == std::vector<ConnectionId>{2});
  CHECK_FALSE(box.outbox.next(1).message);
}

TEST_CASE("a close is sent once the queue before it is drained, and nothing after it", "[web][outbox]") {
  CountingOutbox box(8);
  box.outbox.open(1);
  box.outbox.push(1, text("bye"));
  box.outbox.requestClose(1, "séance levée");
  CHECK(box.outbox.push(1, text("too late")) == Outbox::Pushed::Closing);

  auto next = box.outbox.next(1);
  REQUIRE(next.message);
  CHECK(next.more);
  next = box.outbox.next(1);
  CHECK_FALSE(next.message);
  REQUIRE(next.closeReason);
  CHECK(*next.closeReason == "séance levée");
  CHECK_FALSE(box.outbox.next(1).closeReason);
}

TEST_CASE("a response is accepted once, and only for a request still waiting", "[web][outbox]") {
  CountingOutbox box(8);
  box.outbox.expectResponse(7);
  CHECK(box.outbox.respond(7, {200, "application/json", "{}"}));
  CHECK_FALSE(box.outbox.respond(7, {500, "application/json", "{}"}));
  CHECK_FALSE(box.outbox.respond(8, {200, "application/json", "{}"}));
  box.outbox.expectResponse(9);
  box.outbox.forgetRequest(9);  // the client left
  CHECK_FALSE(box.outbox.respond(9, {200, "application/json", "{}"}));

  const auto work = box.outbox.takeWork();
  REQUIRE(work.responses.size() == 1);
  CHECK(work.responses[0].first == 7);
}

TEST_CASE("after stop nothing is queued and the loop is woken one last time", "[web][outbox]") {
  CountingOutbox box(8);
  box.outbox.open(1);
  box.outbox.push(1, text("queued"));
  box.outbox.takeWork();
  const int before = box.wakes;
  box.outbox.stop(/*wakeLoop=*/true);
  CHECK(box.wakes == before + 1);
  box.outbox.stop(/*wakeLoop=*/true);
  CHECK(box.wakes == before + 1);
  CHECK(box.outbox.push(1, text("after")) == Outbox::Pushed::Closing);
  CHECK_FALSE(box.outbox.next(1).message);
  CHECK(box.wakes == before + 1);
}

TEST_CASE("producers on many threads never exceed the bound", "[web][outbox]") {
  CountingOutbox box(64);
  box.outbox.open(1);
  std::vector<std::thread> producers;
  producers.reserve(4);
  std::atomic<int> overflows{0};
  std::atomic<bool> overBound{false};  // Catch's CHECK is not for other threads
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (box.outbox.push(1, text("m")) == Outbox::Pushed::Overflow) ++overflows;
        if (box.outbox.queuedMessages(1) > 64) overBound = true;
      }
    });
  }
  for (auto& producer : producers) producer.join();
  CHECK(overflows == 1);
  CHECK_FALSE(overBound);
}

TEST_CASE("bearer tokens are read from the Authorization header", "[web][wire]") {
  CHECK(parseBearerToken("Bearer abc.def") == std::optional<std::string>("abc.def"));
  CHECK(parseBearerToken("  bearer   xyz  ") == std::optional<std::string>("xyz"));
  CHECK_FALSE(parseBearerToken("Basic dXNlcjpwYXNz").has_value());
  CHECK_FALSE(parseBearerToken("Bearer").has_value());
  CHECK_FALSE(parseBearerToken("Bearer   ").has_value());
  CHECK_FALSE(parseBearerToken("Bearerabc").has_value());
  CHECK_FALSE(parseBearerToken("").has_value());
}

TEST_CASE("error bodies are JSON and close reasons fit without breaking UTF-8", "[web][wire]") {
  const HttpResponse error = jsonError(413, "payload_too_large", "trop \"long\"\n");
  CHECK(error.status == 413);
  CHECK(error.contentType == "application/json");
  CHECK(error.body == R"({"error":{"code":"payload_too_large","message":"trop \"long\"\n"}})");

  CHECK(truncateUtf8("séance", 123) == "séance");
  CHECK(truncateUtf8("séance", 2) == "s");  // "é" is two bytes: not cut in half
  CHECK(truncateUtf8("séance", 3) == "sé");
  CHECK(truncateUtf8(std::string(200, 'a'), 123).size() == 123);
}

}  // namespace tribune::web
