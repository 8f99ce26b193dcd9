#include <catch2/catch.hpp>

#include "core/destination.h"
#include "fakes.h"

using namespace tribune;
using namespace std::chrono_literals;
using testing::at;
using Phase = core::DestinationPhase;
using Action = core::DestinationAction;
using Actions = core::DestinationMachine::Actions;

namespace {

core::RetrySettings retrySettings() {
  core::RetrySettings r;
  r.initialDelay = 500ms;
  r.maxDelay = 2000ms;
  r.maxKeyRefusals = 3;
  r.connectTimeout = 10000ms;
  r.stallTimeout = 5000ms;
  return r;
}

core::Failure lost() { return {core::FailureKind::ConnectionLost, "Connection error"}; }
core::Failure unreachable() { return {core::FailureKind::Unreachable, "Could not connect"}; }

struct Fixture {
  testing::ScriptedRandom random{0.5};
  core::DestinationMachine machine{retrySettings(), random};
  void goLive(double t) {
    machine.start(at(t));
    machine.connected(at(t + 0.2));
  }
};

}  // namespace

TEST_CASE("a destination starts idle and connects when started", "[destination]") {
  Fixture f;
  CHECK(f.machine.status().phase == Phase::Idle);
  CHECK(f.machine.start(at(0)) == Actions{Action::Connect});
  CHECK(f.machine.status().phase == Phase::Connecting);
}

TEST_CASE("a connected destination goes live and asks for media from a key unit", "[destination]") {
  Fixture f;
  f.machine.start(at(0));
  CHECK(f.machine.connected(at(0.3)) == Actions{Action::GoLive});
  CHECK(f.machine.status().phase == Phase::Live);
  CHECK(f.machine.status().liveSince == at(0.3));
}

TEST_CASE("a lost connection retries after the backoff, then reconnects", "[destination]") {
  Fixture f;
  f.goLive(0);
  CHECK(f.machine.failed(at(10), lost()) == Actions{Action::Disconnect});
  const auto& s = f.machine.status();
  CHECK(s.phase == Phase::Retrying);
  CHECK(s.attempt == 1);
  REQUIRE(s.nextTry);
  CHECK(*s.nextTry == at(10.5));
  CHECK(s.lastFailure->kind == core::FailureKind::ConnectionLost);
  CHECK(f.machine.tick(at(10.4)).empty());
  CHECK(f.machine.tick(at(10.5)) == Actions{Action::Connect});
  CHECK(f.machine.status().phase == Phase::Connecting);
  f.machine.connected(at(10.7));
  CHECK(f.machine.status().reconnects == 1);
  CHECK(f.machine.status().attempt == 0);
}

TEST_CASE("retry delays grow exponentially and stay capped while the server is away", "[destination]") {
  Fixture f;
  f.machine.start(at(0));
  double t = 0;
  std::vector<double> delays;
  for (int i = 0; i < 5; ++i) {
    f.machine.failed(at(t), unreachable());
    const double next = std::chrono::duration<double>(*f.machine.status().nextTry - at(t)).count();
    delays.push_back(next);
    t += next;
    REQUIRE(f.machine.tick(at(t)) == Actions{Action::Connect});
  }
  CHECK(delays == std::vector<double>{0.5, 1.0, 2.0, 2.0, 2.0});
  CHECK(f.machine.status().attempt == 5);
}

TEST_CASE("with the default settings no wait between attempts is longer than 1.8 s", "[destination]") {
  // A server that returns just after a failed attempt waits for the next one, then about
  // 0.9 s go from the connection to the first keyframe at the server (docs/PERFORMANCE.md,
  // reconnect): the longest wait must leave that within the 3 s of issue 2 and DESIGN.md §7.
  for (const double draw : {0.0, 0.5, 0.999}) {
    testing::ScriptedRandom random{draw};
    core::DestinationMachine machine{core::RetrySettings{}, random};
    auto now = at(0);
    machine.start(now);
    double longest = 0;
    for (int i = 0; i < 12; ++i) {
      machine.failed(now, unreachable());
      const auto next = *machine.status().nextTry;
      longest = std::max(longest, std::chrono::duration<double>(next - now).count());
      now = next;
      REQUIRE(machine.tick(now) == Actions{Action::Connect});
    }
    INFO("random draw " << draw);
    CHECK(longest <= 1.8);
    CHECK(longest + 0.9 <= 3.0);
  }
}

TEST_CASE("network failures never give up: the live must come back by itself", "[destination]") {
  Fixture f;
  f.machine.start(at(0));
  double t = 0;
  for (int i = 0; i < 200; ++i) {
    f.machine.failed(at(t), unreachable());
    REQUIRE(f.machine.status().phase == Phase::Retrying);
    t += 3;
    f.machine.tick(at(t));
  }
}

TEST_CASE("a connection closed before the publish was accepted counts as a refused key", "[destination]") {
  Fixture f;
  f.machine.start(at(0));
  f.machine.failed(at(1), lost());
  CHECK(f.machine.status().lastFailure->kind == core::FailureKind::KeyRefused);
}

TEST_CASE("a key refused again and again ends in Failed until the technician retries", "[destination]") {
  Fixture f;
  f.machine.start(at(0));
  core::Failure refused{core::FailureKind::KeyRefused, "publish refused"};
  f.machine.failed(at(1), refused);
  CHECK(f.machine.status().phase == Phase::Retrying);
  f.machine.tick(at(5));
  f.machine.failed(at(6), refused);
  CHECK(f.machine.status().phase == Phase::Retrying);
  f.machine.tick(at(10));
  CHECK(f.machine.failed(at(11), refused) == Actions{Action::Disconnect});
  CHECK(f.machine.status().phase == Phase::Failed);
  CHECK(f.machine.tick(at(100)).empty());
  CHECK(f.machine.retryNow(at(101)) == Actions{Action::Connect});
  CHECK(f.machine.status().phase == Phase::Connecting);
}

TEST_CASE("a network failure between key refusals resets the refusal count", "[destination]") {
  Fixture f;
  f.machine.start(at(0));
  core::Failure refused{core::FailureKind::KeyRefused, ""};
  for (double t : {1.0, 20.0}) {
    f.machine.failed(at(t), refused);
    f.machine.tick(at(t + 5));
  }
  f.machine.failed(at(30), unreachable());
  f.machine.tick(at(35));
  f.machine.failed(at(40), refused);
  CHECK(f.machine.status().phase == Phase::Retrying);
}

TEST_CASE("retry now skips the wait of a retrying destination", "[destination]") {
  Fixture f;
  f.goLive(0);
  f.machine.failed(at(5), lost());
  CHECK(f.machine.retryNow(at(5.1)) == Actions{Action::Connect});
  CHECK(f.machine.status().phase == Phase::Connecting);
}

TEST_CASE("retry now is refused while live, connecting or idle", "[destination]") {
  Fixture f;
  CHECK(f.machine.retryNow(at(0)).empty());
  f.machine.start(at(0));
  CHECK(f.machine.retryNow(at(0.1)).empty());
  f.machine.connected(at(0.2));
  CHECK(f.machine.retryNow(at(0.3)).empty());
  CHECK(f.machine.status().phase == Phase::Live);
}

TEST_CASE("a connection that never answers times out and retries", "[destination]") {
  Fixture f;
  f.machine.start(at(0));
  CHECK(f.machine.tick(at(9.9)).empty());
  CHECK(f.machine.tick(at(10)) == Actions{Action::Disconnect});
  CHECK(f.machine.status().phase == Phase::Retrying);
  CHECK(f.machine.status().lastFailure->kind == core::FailureKind::ConnectTimeout);
}

TEST_CASE("a live destination that stops sending bytes is declared stalled", "[destination]") {
  Fixture f;
  f.goLive(0);
  f.machine.progress(at(1), 1000);
  f.machine.progress(at(3), 5000);
  CHECK(f.machine.tick(at(7.9)).empty());  // 4.9 s since the last progress
  f.machine.progress(at(8), 5000);         // no new byte
  CHECK(f.machine.tick(at(8.1)) == Actions{Action::Disconnect});
  CHECK(f.machine.status().lastFailure->kind == core::FailureKind::Stalled);
}

TEST_CASE("late reports about a connection already given up are ignored", "[destination]") {
  Fixture f;
  CHECK(f.machine.connected(at(0)).empty());
  CHECK(f.machine.failed(at(0), lost()).empty());
  f.goLive(1);
  f.machine.failed(at(2), lost());
  CHECK(f.machine.failed(at(2.1), lost()).empty());  // second error of the same connection
  CHECK(f.machine.connected(at(2.2)).empty());
  CHECK(f.machine.status().attempt == 1);
}

TEST_CASE("stopping disconnects a live or connecting destination and is idempotent", "[destination]") {
  Fixture f;
  f.goLive(0);
  CHECK(f.machine.stop(at(1)) == Actions{Action::Disconnect});
  CHECK(f.machine.status().phase == Phase::Idle);
  CHECK(f.machine.stop(at(2)).empty());
  f.machine.start(at(3));
  f.machine.failed(at(4), unreachable());
  CHECK(f.machine.stop(at(5)).empty());  // retrying has no connection to close
  CHECK(f.machine.status().phase == Phase::Idle);
  CHECK_FALSE(f.machine.status().nextTry);
}

TEST_CASE("every phase has a stable name", "[destination]") {
  CHECK(core::toString(Phase::Idle) == "idle");
  CHECK(core::toString(Phase::Connecting) == "connecting");
  CHECK(core::toString(Phase::Live) == "live");
  CHECK(core::toString(Phase::Retrying) == "retrying");
  CHECK(core::toString(Phase::Failed) == "failed");
}

TEST_CASE("every failure kind has a French reason and advice", "[destination]") {
  for (auto kind : {core::FailureKind::Unreachable, core::FailureKind::KeyRefused, core::FailureKind::TlsRejected,
                    core::FailureKind::ConnectionLost, core::FailureKind::Stalled, core::FailureKind::ConnectTimeout,
                    core::FailureKind::Internal}) {
    const auto& text = core::describe(kind);
    CHECK_FALSE(text.code.empty());
    CHECK_FALSE(text.reasonFr.empty());
    CHECK_FALSE(text.adviceFr.empty());
    CHECK_FALSE(text.reasonEn.empty());
  }
  CHECK(core::describe(core::FailureKind::KeyRefused).reasonFr == "clé de stream refusée");
  CHECK(core::describe(core::FailureKind::Unreachable).reasonFr == "serveur injoignable");
  CHECK(core::describe(core::FailureKind::ConnectionLost).reasonFr == "connexion perdue");
}

TEST_CASE("the first live is remembered across reconnects while liveSince follows the connection", "[destination]") {
  Fixture f;
  CHECK_FALSE(f.machine.status().firstLiveSince);
  f.goLive(0);
  CHECK(f.machine.status().firstLiveSince == at(0.2));
  CHECK(f.machine.status().liveSince == at(0.2));

  f.machine.failed(at(3600), lost());
  CHECK_FALSE(f.machine.status().liveSince);
  CHECK(f.machine.status().firstLiveSince == at(0.2));
  f.machine.tick(at(3601));  // retry due
  f.machine.connected(at(3601.5));
  CHECK(f.machine.status().reconnects == 1);
  CHECK(f.machine.status().liveSince == at(3601.5));
  CHECK(f.machine.status().firstLiveSince == at(0.2));
}

TEST_CASE("the first live is kept through a stop, a failure and a retry now", "[destination]") {
  Fixture f;
  f.machine.start(at(0));
  f.machine.failed(at(1), unreachable());
  CHECK_FALSE(f.machine.status().firstLiveSince);  // never live yet
  f.machine.retryNow(at(2));
  f.machine.connected(at(2.5));
  CHECK(f.machine.status().firstLiveSince == at(2.5));
  f.machine.stop(at(10));
  CHECK(f.machine.status().firstLiveSince == at(2.5));
  f.machine.start(at(20));
  f.machine.connected(at(20.5));
  CHECK(f.machine.status().liveSince == at(20.5));
  CHECK(f.machine.status().firstLiveSince == at(2.5));
}
