#include "core/source_watchdog.h"

#include <algorithm>
#include <utility>

namespace tribune::core {

namespace {

constexpr std::array<SourceTrack, kSourceTrackCount> kTracks{SourceTrack::Video, SourceTrack::Audio};

}  // namespace

SourceWatchdog::SourceWatchdog(SourceWatchdogSettings settings, Random& random)
    : settings_(settings), random_(random) {}

void SourceWatchdog::started(TimePoint now) {
  running_ = true;
  startedAt_ = now;
  runFailed_ = false;
  pendingFailure_.reset();
  // Whoever restarted the source, a restart still scheduled is moot now.
  restartAt_.reset();
  for (auto& track : tracks_) {
    track.delivered = false;
    track.restorePending = false;
  }
  restoreOrder_.clear();
}

void SourceWatchdog::delivered(SourceTrack which, TimePoint now) {
  // Buffers of a pipeline that failed or is being torn down say nothing about the next one.
  if (!running_ || runFailed_) return;
  auto& track = this->track(which);
  track.delivered = true;
  track.lastBuffer = now;
  if (!track.up && !track.restorePending) {
    track.restorePending = true;
    restoreOrder_.push_back(which);
  }
}

void SourceWatchdog::failed(std::string detail, bool ended, TimePoint now) {
  lastError_ = std::move(detail);
  // A second report of the same failure (an error, then the end of stream) counts once.
  if (!running_ || runFailed_) return;
  runFailed_ = true;
  pendingFailure_ = Failure{ended, now};
  for (auto& track : tracks_) track.restorePending = false;
  restoreOrder_.clear();
}

TimePoint SourceWatchdog::silentFrom(const Track& track) const {
  return track.delivered ? track.lastBuffer + settings_.timeout : startedAt_ + settings_.startTimeout;
}

bool SourceWatchdog::silent(const Track& track, TimePoint now) const {
  // Strictly more than `timeout` since the last buffer; the start grace ends at its deadline.
  return track.delivered ? now - track.lastBuffer > settings_.timeout : now >= startedAt_ + settings_.startTimeout;
}

void SourceWatchdog::scheduleRestart(TimePoint from) {
  ++attempt_;
  restartAt_ = from + backoffDelay(settings_.restart, attempt_, random_);
}

WatchdogDecision SourceWatchdog::tick(TimePoint now) {
  WatchdogDecision decision;
  if (!running_) return decision;
  auto& changes = decision.changes;

  if (!restoreOrder_.empty()) {
    for (const auto which : restoreOrder_) {
      auto& track = this->track(which);
      track.up = true;
      track.restorePending = false;
      changes.push_back({which, true, ""});
    }
    restoreOrder_.clear();
    // The pipeline is alive: a restart for "every track lost" no longer applies.
    restartAt_.reset();
    if (std::all_of(tracks_.begin(), tracks_.end(), [](const Track& track) { return track.up; })) attempt_ = 0;
  }

  if (pendingFailure_) {
    const std::string reason = pendingFailure_->ended ? "ended" : "error";
    for (const auto which : kTracks) {
      auto& track = this->track(which);
      if (!track.up) continue;
      track.up = false;
      changes.push_back({which, false, reason});
    }
    if (!restartAt_) scheduleRestart(pendingFailure_->at);
    pendingFailure_.reset();
  }

  if (!runFailed_) {
    std::vector<SourceTrack> timedOut;
    for (const auto which : kTracks) {
      if (track(which).up && silent(track(which), now)) timedOut.push_back(which);
    }
    // In the order they went silent; video first on a tie.
    std::stable_sort(timedOut.begin(), timedOut.end(),
                     [this](SourceTrack a, SourceTrack b) { return silentFrom(track(a)) < silentFrom(track(b)); });
    for (const auto which : timedOut) {
      track(which).up = false;
      changes.push_back({which, false, "no_data"});
    }
    // Every track lost, and this run of the source had its chance for each of them (a
    // restarted source gets its whole start timeout before the next restart).
    const bool allLost = std::all_of(tracks_.begin(), tracks_.end(),
                                     [this, now](const Track& track) { return !track.up && silent(track, now); });
    if (allLost && !restartAt_) scheduleRestart(now);
  }

  if (restartAt_ && now >= *restartAt_) {
    decision.restart = true;
    ++restarts_;
    restartAt_.reset();
    running_ = false;  // until the caller's started()
  }
  return decision;
}

bool SourceWatchdog::up(SourceTrack which) const { return track(which).up; }

}  // namespace tribune::core
