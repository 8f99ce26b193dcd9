#pragma once
// Decides when a source's track is lost or restored, and when to restart the source.
//
// Threading: not thread-safe. The media side owns one per source and calls it from one
// thread (a ~20 ms timer, with the arrivals of buffers handed over to that thread).
//
// Rules:
// - Before the first started() nothing is ever reported; both tracks count as up.
// - After started(t), a track that has not delivered yet is lost ("no_data") at
//   t + startTimeout; once it has delivered, it is lost when now − its last buffer >
//   timeout (strictly greater: a buffer exactly `timeout` ago still counts).
// - failed(): at the next tick every track still up is lost with reason "error" (or
//   "ended" for the end of the stream), and a restart is scheduled. The failed pipeline's
//   buffers are ignored until the next started().
// - A restart is scheduled when the source failed or when EVERY track is lost. It is due at
//   (the tick that declared the last track lost, or the failure) + backoffDelay(restart,
//   attempt), attempt counting from 1; tick() returns restart=true exactly once when now >=
//   that time, and the caller then calls started(now). A restarted source gets its whole
//   startTimeout again; if no track delivers within it (or it fails again), the next
//   restart is scheduled with attempt + 1, so the delays grow up to the policy's max.
// - ONE track lost while the other still delivers is reported, but does NOT restart the
//   source: the pipeline is alive and only its input is silent (a microphone muted at the
//   desk, a camera unplugged from a capture card that keeps sending its sound). Restarting
//   would cut the track that still flows and bring the silent one back no sooner.
// - A delivered() on a lost track restores it at the next tick (up=true, in the order of
//   delivery). Any restored track cancels a restart scheduled for "every track lost" (the
//   pipeline is alive again). When every track is up again the attempt counter goes back
//   to 0; a partial recovery keeps it, so a source that keeps half-recovering and dying
//   still waits longer each time.
// - Each change is reported once: a lost track is not reported lost again on later ticks,
//   even across restarts, until it has been restored.
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/backoff.h"
#include "core/clock.h"
#include "core/source_track.h"

namespace tribune::core {

struct SourceWatchdogSettings {
  std::chrono::milliseconds timeout{500};        // no buffer for this long: the track is lost
  std::chrono::milliseconds startTimeout{5000};  // after a (re)start, time allowed for the first buffer
  BackoffPolicy restart{std::chrono::milliseconds(500), std::chrono::milliseconds(10000), 0.2};
};

struct SourceChange {
  SourceTrack track = SourceTrack::Video;
  bool up = false;
  std::string reason;  // when lost: "no_data", "error" or "ended"; empty when restored
  friend bool operator==(const SourceChange&, const SourceChange&) = default;
};

struct WatchdogDecision {
  std::vector<SourceChange> changes;  // in the order they happened
  bool restart = false;               // tear the source down and start it again now (then call started())
};

class SourceWatchdog {
 public:
  SourceWatchdog(SourceWatchdogSettings settings, Random& random);

  void started(TimePoint now);                       // the source pipeline was (re)started
  void delivered(SourceTrack track, TimePoint now);  // a buffer of this track arrived
  // The source pipeline errored (ended=false) or reached its end (ended=true).
  void failed(std::string detail, bool ended, TimePoint now);
  WatchdogDecision tick(TimePoint now);

  [[nodiscard]] bool up(SourceTrack track) const;
  [[nodiscard]] int restarts() const { return restarts_; }  // restarts asked in all
  [[nodiscard]] int attempt() const { return attempt_; }    // consecutive restarts without recovery (0 when healthy)
  [[nodiscard]] std::optional<TimePoint> nextRestart() const { return restartAt_; }
  [[nodiscard]] const std::string& lastError() const { return lastError_; }  // detail of the last failed(), for the log

 private:
  struct Track {
    bool up = true;               // as last reported
    bool delivered = false;       // since the last started()
    TimePoint lastBuffer{};       // when delivered
    bool restorePending = false;  // delivered while lost: reported up at the next tick
  };
  struct Failure {
    bool ended = false;
    TimePoint at{};
  };

  Track& track(SourceTrack which) { return tracks_.at(static_cast<std::size_t>(which)); }
  [[nodiscard]] const Track& track(SourceTrack which) const { return tracks_.at(static_cast<std::size_t>(which)); }
  // The moment this run of the source stops counting on the track's data.
  [[nodiscard]] TimePoint silentFrom(const Track& track) const;
  [[nodiscard]] bool silent(const Track& track, TimePoint now) const;
  void scheduleRestart(TimePoint from);

  SourceWatchdogSettings settings_;
  Random& random_;  // not owned; outlives the watchdog
  std::array<Track, kSourceTrackCount> tracks_{};
  std::vector<SourceTrack> restoreOrder_;  // tracks with restorePending, in the order of delivery
  bool running_ = false;                   // started() was called and no restart is awaited since
  TimePoint startedAt_{};
  std::optional<Failure> pendingFailure_;  // failed() since the last tick
  bool runFailed_ = false;                 // this run of the pipeline failed: its buffers no longer count
  std::optional<TimePoint> restartAt_;
  int restarts_ = 0;
  int attempt_ = 0;
  std::string lastError_;
};

}  // namespace tribune::core
