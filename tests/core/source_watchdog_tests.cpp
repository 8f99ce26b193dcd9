#include <catch2/catch.hpp>

#include "core/source_watchdog.h"
#include "fakes.h"

using namespace tribune;
using namespace std::chrono_literals;
using core::SourceChange;
using core::SourceTrack;
using testing::at;
using Changes = std::vector<SourceChange>;

namespace {

constexpr auto kVideo = SourceTrack::Video;
constexpr auto kAudio = SourceTrack::Audio;

SourceChange lost(SourceTrack track, std::string reason = "no_data") { return {track, false, std::move(reason)}; }
SourceChange restored(SourceTrack track) { return {track, true, ""}; }

// 500 ms timeout, 5 s start timeout, restarts after 0.5 s, 1 s, 2 s … up to 10 s; the
// random source returns 0.5, which means no jitter.
struct Fixture {
  testing::ScriptedRandom random{0.5};
  core::SourceWatchdog watchdog{core::SourceWatchdogSettings{}, random};

  void both(double t) {
    watchdog.delivered(kVideo, at(t));
    watchdog.delivered(kAudio, at(t));
  }
  // Both tracks deliver every 20 ms from `from` to `to`, with a tick after each.
  void flowing(double from, double to) {
    for (double t = from; t <= to + 1e-9; t += 0.02) {
      both(t);
      watchdog.tick(at(t));
    }
  }
};

}  // namespace

TEST_CASE("nothing is reported before the source is started", "[watchdog]") {
  Fixture f;
  f.watchdog.delivered(kVideo, at(1));
  f.watchdog.failed("boom", false, at(2));
  for (double t : {0.0, 10.0, 100.0, 1000.0}) {
    const auto decision = f.watchdog.tick(at(t));
    CHECK(decision.changes.empty());
    CHECK_FALSE(decision.restart);
  }
  CHECK(f.watchdog.up(kVideo));
  CHECK(f.watchdog.up(kAudio));
  CHECK(f.watchdog.restarts() == 0);
  CHECK(f.watchdog.attempt() == 0);
  CHECK_FALSE(f.watchdog.nextRestart());
}

TEST_CASE("a started source has its start timeout to deliver the first buffer", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(10));
  CHECK(f.watchdog.tick(at(10)).changes.empty());
  CHECK(f.watchdog.tick(at(14.999)).changes.empty());
  CHECK(f.watchdog.up(kVideo));
  CHECK(f.watchdog.up(kAudio));
  const auto decision = f.watchdog.tick(at(15));
  CHECK(decision.changes == Changes{lost(kVideo), lost(kAudio)});
  CHECK_FALSE(decision.restart);
  CHECK_FALSE(f.watchdog.up(kVideo));
  CHECK_FALSE(f.watchdog.up(kAudio));
}

TEST_CASE("a slow first buffer within the start timeout is no loss", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.watchdog.tick(at(2));
  f.both(4.9);
  CHECK(f.watchdog.tick(at(4.9)).changes.empty());
  CHECK(f.watchdog.tick(at(5.2)).changes.empty());  // 300 ms after the first buffer
  CHECK(f.watchdog.up(kVideo));
  CHECK(f.watchdog.up(kAudio));
}

TEST_CASE("a track is lost strictly after the timeout: 499 ms no, 500 ms no, 501 ms yes", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.both(1);
  f.watchdog.tick(at(1));
  CHECK(f.watchdog.tick(at(1.499)).changes.empty());
  CHECK(f.watchdog.tick(at(1) + 500ms).changes.empty());
  CHECK(f.watchdog.tick(at(1.501)).changes == Changes{lost(kVideo), lost(kAudio)});
}

TEST_CASE("audio lost while the video flows is reported without a restart", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.flowing(0, 1);
  std::vector<core::WatchdogDecision> decisions;
  for (double t = 1.02; t <= 60; t += 0.02) {
    f.watchdog.delivered(kVideo, at(t));  // a muted microphone: the picture keeps coming
    decisions.push_back(f.watchdog.tick(at(t)));
  }
  Changes changes;
  for (const auto& decision : decisions) {
    changes.insert(changes.end(), decision.changes.begin(), decision.changes.end());
    CHECK_FALSE(decision.restart);
  }
  CHECK(changes == Changes{lost(kAudio)});
  CHECK(f.watchdog.up(kVideo));
  CHECK_FALSE(f.watchdog.up(kAudio));
  CHECK_FALSE(f.watchdog.nextRestart());
  CHECK(f.watchdog.restarts() == 0);
  CHECK(f.watchdog.attempt() == 0);
}

TEST_CASE("both tracks lost restart the source after the backoff delay", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.flowing(0, 1);  // last buffers at 1 s
  const auto loss = f.watchdog.tick(at(1.52));
  CHECK(loss.changes == Changes{lost(kVideo), lost(kAudio)});
  CHECK_FALSE(loss.restart);
  CHECK(f.watchdog.attempt() == 1);
  REQUIRE(f.watchdog.nextRestart());
  CHECK(*f.watchdog.nextRestart() == at(1.52) + 500ms);

  CHECK_FALSE(f.watchdog.tick(at(2.0)).restart);
  const auto due = f.watchdog.tick(at(2.04));
  CHECK(due.restart);
  CHECK(due.changes.empty());
  CHECK(f.watchdog.restarts() == 1);
  CHECK_FALSE(f.watchdog.nextRestart());
  // Exactly once, even if the caller is slow to restart.
  CHECK_FALSE(f.watchdog.tick(at(2.06)).restart);
  CHECK_FALSE(f.watchdog.tick(at(30)).restart);
  CHECK(f.watchdog.restarts() == 1);
}

TEST_CASE("the restart delay carries the backoff's jitter", "[watchdog]") {
  Fixture f;
  f.random.queue(0.0);  // -20 %
  f.watchdog.started(at(0));
  f.watchdog.tick(at(5));
  REQUIRE(f.watchdog.nextRestart());
  CHECK(*f.watchdog.nextRestart() == at(5) + 400ms);
}

TEST_CASE("a failure loses every track at the next tick and restarts the source", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.flowing(0, 1);
  f.watchdog.failed("Internal data stream error.", false, at(1.01));
  CHECK(f.watchdog.lastError() == "Internal data stream error.");
  f.watchdog.delivered(kVideo, at(1.015));  // a straggler of the failed pipeline does not count
  const auto decision = f.watchdog.tick(at(1.02));
  CHECK(decision.changes == Changes{lost(kVideo, "error"), lost(kAudio, "error")});
  CHECK_FALSE(decision.restart);
  CHECK(f.watchdog.attempt() == 1);
  REQUIRE(f.watchdog.nextRestart());
  CHECK(*f.watchdog.nextRestart() == at(1.01) + 500ms);
  CHECK(f.watchdog.tick(at(1.2)).changes.empty());
  CHECK(f.watchdog.tick(at(1.52)).restart);
  CHECK(f.watchdog.restarts() == 1);
}

TEST_CASE("the end of the stream is reported as ended, and only the tracks still up", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.watchdog.delivered(kVideo, at(0.1));
  f.watchdog.delivered(kAudio, at(0.1));
  for (double t = 0.12; t <= 2; t += 0.02) {
    f.watchdog.delivered(kVideo, at(t));
    f.watchdog.tick(at(t));
  }
  CHECK_FALSE(f.watchdog.up(kAudio));
  f.watchdog.failed("end of file", true, at(2.01));
  f.watchdog.failed("second report of the same end", false, at(2.015));
  const auto decision = f.watchdog.tick(at(2.02));
  CHECK(decision.changes == Changes{lost(kVideo, "ended")});
  CHECK(f.watchdog.attempt() == 1);
  CHECK(f.watchdog.lastError() == "second report of the same end");
  REQUIRE(f.watchdog.nextRestart());
  CHECK(*f.watchdog.nextRestart() == at(2.01) + 500ms);
}

TEST_CASE("restarts that deliver nothing wait longer each time, up to the maximum", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  double now = 0;
  std::vector<core::Duration> waits;
  std::vector<int> attempts;
  for (int restart = 0; restart < 8; ++restart) {
    // Tick every 20 ms until the restart is asked; remember when it was scheduled.
    std::optional<core::TimePoint> scheduledAt;
    while (true) {
      now += 0.02;
      const bool hadSchedule = f.watchdog.nextRestart().has_value();
      const auto decision = f.watchdog.tick(at(now));
      if (!hadSchedule && f.watchdog.nextRestart()) {
        scheduledAt = at(now);
        waits.push_back(*f.watchdog.nextRestart() - at(now));
        attempts.push_back(f.watchdog.attempt());
      }
      if (decision.restart) break;
    }
    REQUIRE(scheduledAt);
    f.watchdog.started(at(now));
  }
  CHECK(waits == std::vector<core::Duration>{500ms, 1000ms, 2000ms, 4000ms, 8000ms, 10000ms, 10000ms, 10000ms});
  CHECK(attempts == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(f.watchdog.restarts() == 8);
}

TEST_CASE("a restarted source gets its whole start timeout again", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.flowing(0, 1);
  f.watchdog.tick(at(1.52));  // both lost, restart at 2.02
  REQUIRE(f.watchdog.tick(at(2.03)).restart);
  f.watchdog.started(at(2.5));  // the caller took a while to restart it
  CHECK(f.watchdog.tick(at(7.48)).changes.empty());
  CHECK_FALSE(f.watchdog.nextRestart());
  f.watchdog.tick(at(7.5));  // start timeout over: next restart scheduled
  REQUIRE(f.watchdog.nextRestart());
  CHECK(*f.watchdog.nextRestart() == at(7.5) + 1000ms);
  CHECK(f.watchdog.attempt() == 2);
}

TEST_CASE("a restarted source that delivers late but within its start timeout recovers", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.flowing(0, 1);
  f.watchdog.tick(at(1.52));
  REQUIRE(f.watchdog.tick(at(2.03)).restart);
  f.watchdog.started(at(2.03));
  f.watchdog.tick(at(4));
  f.both(6.9);  // 4.87 s after the restart, more than the 500 ms timeout but within the start timeout
  const auto decision = f.watchdog.tick(at(6.9));
  CHECK(decision.changes == Changes{restored(kVideo), restored(kAudio)});
  CHECK(f.watchdog.attempt() == 0);
}

TEST_CASE("a recovered source resets the attempt counter and the delays", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.watchdog.tick(at(5));  // nothing ever came: restart at 5.5
  REQUIRE(f.watchdog.tick(at(5.5)).restart);
  f.watchdog.started(at(5.5));
  f.watchdog.tick(at(10.5));  // again nothing: restart at 11.5
  REQUIRE(f.watchdog.tick(at(11.5)).restart);
  CHECK(f.watchdog.attempt() == 2);
  f.watchdog.started(at(11.5));
  f.flowing(12, 20);
  CHECK(f.watchdog.up(kVideo));
  CHECK(f.watchdog.up(kAudio));
  CHECK(f.watchdog.attempt() == 0);
  CHECK(f.watchdog.restarts() == 2);
  // The next outage starts over from the first delay.
  f.watchdog.tick(at(20.6));
  REQUIRE(f.watchdog.nextRestart());
  CHECK(*f.watchdog.nextRestart() == at(20.6) + 500ms);
  CHECK(f.watchdog.attempt() == 1);
}

TEST_CASE("lost tracks are restored at the next tick in the order of delivery", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.flowing(0, 1);
  f.watchdog.tick(at(1.6));  // both lost, restart scheduled at 2.1
  f.watchdog.delivered(kAudio, at(1.61));
  f.watchdog.delivered(kVideo, at(1.615));
  f.watchdog.delivered(kAudio, at(1.618));
  CHECK_FALSE(f.watchdog.up(kAudio));  // only at the tick
  const auto decision = f.watchdog.tick(at(1.62));
  CHECK(decision.changes == Changes{restored(kAudio), restored(kVideo)});
  CHECK_FALSE(decision.restart);
  CHECK(f.watchdog.up(kVideo));
  CHECK(f.watchdog.up(kAudio));
  CHECK(f.watchdog.attempt() == 0);
  CHECK_FALSE(f.watchdog.nextRestart());
  CHECK_FALSE(f.watchdog.tick(at(2.1)).restart);
}

TEST_CASE("one track back cancels the restart but keeps the attempt count", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.flowing(0, 1);
  f.watchdog.tick(at(1.6));
  REQUIRE(f.watchdog.nextRestart());
  f.watchdog.delivered(kVideo, at(1.7));
  CHECK(f.watchdog.tick(at(1.7)).changes == Changes{restored(kVideo)});
  CHECK_FALSE(f.watchdog.nextRestart());
  CHECK(f.watchdog.attempt() == 1);
  CHECK_FALSE(f.watchdog.up(kAudio));
  // The picture goes again: every track is lost, and the delay has grown.
  CHECK(f.watchdog.tick(at(2.3)).changes == Changes{lost(kVideo)});
  REQUIRE(f.watchdog.nextRestart());
  CHECK(*f.watchdog.nextRestart() == at(2.3) + 1000ms);
  CHECK(f.watchdog.attempt() == 2);
}

TEST_CASE("a lost track is reported once, not on every tick", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.flowing(0, 1);
  Changes changes;
  for (double t = 1.02; t <= 30; t += 0.02) {
    f.watchdog.delivered(kVideo, at(t));
    const auto decision = f.watchdog.tick(at(t));
    changes.insert(changes.end(), decision.changes.begin(), decision.changes.end());
  }
  CHECK(changes == Changes{lost(kAudio)});
  // Nor again across restarts of a source that stays dead.
  changes.clear();
  double now = 30;
  int restarts = 0;
  while (restarts < 3) {
    now += 0.02;
    const auto decision = f.watchdog.tick(at(now));
    changes.insert(changes.end(), decision.changes.begin(), decision.changes.end());
    if (decision.restart) {
      ++restarts;
      f.watchdog.started(at(now));
    }
  }
  CHECK(changes == Changes{lost(kVideo)});
}

TEST_CASE("a restore is reported once however many buffers arrive before the tick", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.watchdog.tick(at(5));
  for (double t = 5.01; t < 5.02; t += 0.001) f.watchdog.delivered(kVideo, at(t));
  CHECK(f.watchdog.tick(at(5.02)).changes == Changes{restored(kVideo)});
  f.watchdog.delivered(kVideo, at(5.03));
  CHECK(f.watchdog.tick(at(5.04)).changes.empty());
}

TEST_CASE("started() after a restart resets each track's timer", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.flowing(0, 1);
  f.watchdog.failed("camera unplugged", false, at(1.01));
  f.watchdog.tick(at(1.02));
  REQUIRE(f.watchdog.tick(at(1.52)).restart);
  f.watchdog.started(at(1.52));
  // Video comes back at once, audio only after four seconds: the audio's old last
  // buffer (1 s) does not count against the new run.
  f.watchdog.delivered(kVideo, at(1.6));
  CHECK(f.watchdog.tick(at(1.6)).changes == Changes{restored(kVideo)});
  for (double t = 1.62; t < 5.5; t += 0.02) {
    f.watchdog.delivered(kVideo, at(t));
    CHECK(f.watchdog.tick(at(t)).changes.empty());
  }
  f.watchdog.delivered(kAudio, at(5.5));
  CHECK(f.watchdog.tick(at(5.5)).changes == Changes{restored(kAudio)});
  CHECK(f.watchdog.attempt() == 0);
}

TEST_CASE("a track lost while the other one has been silent since the start is reported in order", "[watchdog]") {
  Fixture f;
  f.watchdog.started(at(0));
  f.watchdog.delivered(kAudio, at(4.0));
  f.watchdog.tick(at(4.0));
  // Audio's last buffer was at 4 s (silent from 4.5 s), video never came (silent from 5 s):
  // a late tick reports them in the order they went silent.
  CHECK(f.watchdog.tick(at(6)).changes == Changes{lost(kAudio), lost(kVideo)});
}
