#include <catch2/catch.hpp>

#include "core/broadcast.h"
#include "fakes.h"

using namespace tribune;
using testing::at;
using Action = core::DestinationAction;
using Phase = core::DestinationPhase;

namespace {

core::DestinationSettings destination(const std::string& name, bool enabled = true) {
  core::DestinationSettings d;
  d.name = name;
  d.url = *core::parsePublishUrl("rtmp://127.0.0.1/live/" + name + "-key").url;
  d.enabled = enabled;
  return d;
}

struct Fixture {
  testing::ScriptedRandom random{0.5};
  core::Broadcast broadcast{core::RetrySettings{}, random};
};

}  // namespace

TEST_CASE("starting the broadcast connects every enabled destination and no disabled one", "[broadcast]") {
  Fixture f;
  f.broadcast.addDestination(destination("youtube"), at(0));
  f.broadcast.addDestination(destination("site", false), at(0));
  f.broadcast.addDestination(destination("facebook"), at(0));
  CHECK(f.broadcast.takeOrders().empty());
  f.broadcast.start(at(1));
  CHECK(f.broadcast.takeOrders() ==
        std::vector<core::MediaOrder>{{"youtube", Action::Connect}, {"facebook", Action::Connect}});
  auto changes = f.broadcast.takeChanges();
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].from == Phase::Idle);
  CHECK(changes[0].to == Phase::Connecting);
}

TEST_CASE("one destination's failure leaves the others live", "[broadcast]") {
  Fixture f;
  f.broadcast.addDestination(destination("a"), at(0));
  f.broadcast.addDestination(destination("b"), at(0));
  f.broadcast.start(at(0));
  f.broadcast.connected("a", at(1));
  f.broadcast.connected("b", at(1));
  f.broadcast.takeOrders();
  f.broadcast.takeChanges();
  f.broadcast.failed("a", {core::FailureKind::ConnectionLost, "Connection error"}, at(2));
  CHECK(f.broadcast.takeOrders() == std::vector<core::MediaOrder>{{"a", Action::Disconnect}});
  CHECK(f.broadcast.find("a")->machine.status().phase == Phase::Retrying);
  CHECK(f.broadcast.find("b")->machine.status().phase == Phase::Live);
  auto changes = f.broadcast.takeChanges();
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].failure);
  CHECK(changes[0].failure->kind == core::FailureKind::ConnectionLost);
}

TEST_CASE("a destination added while running connects at once", "[broadcast]") {
  Fixture f;
  f.broadcast.start(at(0));
  CHECK(f.broadcast.addDestination(destination("late"), at(1)).ok());
  CHECK(f.broadcast.takeOrders() == std::vector<core::MediaOrder>{{"late", Action::Connect}});
}

TEST_CASE("two destinations cannot share a name", "[broadcast]") {
  Fixture f;
  f.broadcast.addDestination(destination("a"), at(0));
  auto result = f.broadcast.addDestination(destination("a"), at(0));
  CHECK(result.status == core::CommandStatus::DuplicateDestination);
  CHECK(f.broadcast.destinations().size() == 1);
}

TEST_CASE("disabling a live destination disconnects it, and enabling reconnects it", "[broadcast]") {
  Fixture f;
  f.broadcast.addDestination(destination("a"), at(0));
  f.broadcast.start(at(0));
  f.broadcast.connected("a", at(1));
  f.broadcast.takeOrders();
  CHECK(f.broadcast.setEnabled("a", false, at(2)).ok());
  CHECK(f.broadcast.takeOrders() == std::vector<core::MediaOrder>{{"a", Action::Disconnect}});
  CHECK(f.broadcast.setEnabled("a", true, at(3)).ok());
  CHECK(f.broadcast.takeOrders() == std::vector<core::MediaOrder>{{"a", Action::Connect}});
}

TEST_CASE("commands naming an unknown destination are refused with a stable code", "[broadcast]") {
  Fixture f;
  CHECK(f.broadcast.setEnabled("nope", true, at(0)).status == core::CommandStatus::UnknownDestination);
  CHECK(f.broadcast.retryNow("nope", at(0)).status == core::CommandStatus::UnknownDestination);
  CHECK(core::toString(core::CommandStatus::UnknownDestination) == "unknown_destination");
}

TEST_CASE("retry now is refused for a disabled destination or a stopped broadcast", "[broadcast]") {
  Fixture f;
  f.broadcast.addDestination(destination("off", false), at(0));
  f.broadcast.addDestination(destination("on"), at(0));
  CHECK(f.broadcast.retryNow("off", at(0)).status == core::CommandStatus::DestinationDisabled);
  CHECK(f.broadcast.retryNow("on", at(0)).status == core::CommandStatus::NotRunning);
}

TEST_CASE("stopping the broadcast disconnects every connected destination", "[broadcast]") {
  Fixture f;
  f.broadcast.addDestination(destination("a"), at(0));
  f.broadcast.addDestination(destination("b"), at(0));
  f.broadcast.start(at(0));
  f.broadcast.connected("a", at(1));
  f.broadcast.takeOrders();
  f.broadcast.stop(at(2));
  CHECK(f.broadcast.takeOrders() ==
        std::vector<core::MediaOrder>{{"a", Action::Disconnect}, {"b", Action::Disconnect}});
  CHECK_FALSE(f.broadcast.running());
}

TEST_CASE("the broadcast's timers drive retries of every destination", "[broadcast]") {
  Fixture f;
  f.broadcast.addDestination(destination("a"), at(0));
  f.broadcast.start(at(0));
  f.broadcast.failed("a", {core::FailureKind::Unreachable, ""}, at(1));
  f.broadcast.takeOrders();
  f.broadcast.tick(at(1.4));
  CHECK(f.broadcast.takeOrders().empty());
  f.broadcast.tick(at(1.5));
  CHECK(f.broadcast.takeOrders() == std::vector<core::MediaOrder>{{"a", Action::Connect}});
}
