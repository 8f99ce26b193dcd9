#pragma once
// Where a source's buffers go on the program's timeline (issue 27: lip sync after a
// starved machine). A source stamps its media with its own running time; the program
// places them by one offset, set by the first buffer of the source and shared by both
// tracks, so that their sync is the source's own.
//
// A track is placed again ("rebased": its offset moved so that this buffer lands at now)
// only when its own timestamps tell that its timeline changed:
// - they jump: back in time, or forward by more than the time that passed since the
//   track's previous buffer (a sender restarted, a new stream on the same link);
// - the track comes back after a hole in its arrivals and lands far from now (a branch
//   whose sender died and came back with timestamps that went on from where they were);
// - it lands far ahead of now (nothing sensible to wait for);
// - it has stayed far behind now for a long time while arriving without a break (a source
//   whose timeline lags for good and would never catch up).
// A track that is merely late, its buffers arriving one after the other with continuous
// timestamps (a backlog after the machine starved for CPU), keeps its place: late frames
// are dropped or caught up, and the sync with the other track is never lost. Before this
// rule, lateness beyond 2 s was taken for a jump and the picture moved by seconds for good.
//
// Times are signed nanoseconds: the source's running time and the program's (now).
// Pure: no clock of its own, no I/O.
#include <array>
#include <cstdint>
#include <optional>

#include "core/source_track.h"

namespace tribune::core {

struct SourcePlacementSettings {
  // Further than this from now, a track's placement is in question.
  std::int64_t farNs = 2'000'000'000;
  // A gap in a track's arrivals of more than this is a hole (the track was away).
  std::int64_t holeNs = 1'000'000'000;
  // Timestamps this far back in time from the track's previous buffer are a jump.
  std::int64_t backNs = 500'000'000;
  // A track late beyond farNs for this long, arriving without a break, is rebased.
  std::int64_t lateForNs = 5'000'000'000;
};

enum class PlacementChange {
  None,
  Rebased,  // this track's offset was moved (reason below)
};

enum class RebaseReason { Jump, BackAfterHole, Ahead, LateForLong };

struct Placement {
  std::int64_t programTime = 0;  // where the buffer goes (may be < now: late, or < 0)
  PlacementChange change = PlacementChange::None;
  RebaseReason reason = RebaseReason::Jump;
  std::int64_t movedNs = 0;  // how far this track's timeline moved (rebased only)
};

class SourcePlacement {
 public:
  explicit SourcePlacement(SourcePlacementSettings settings = {}) : settings_(settings) {}

  // Places the buffer of `track` stamped `runningTime` (the source's), arriving at `now`.
  Placement place(SourceTrack track, std::int64_t runningTime, std::int64_t now);
  // A new source pipeline: the next buffer places both tracks again.
  void reset();

  [[nodiscard]] std::optional<std::int64_t> offset(SourceTrack track) const {
    return tracks_[static_cast<int>(track)].offset;
  }

 private:
  struct Track {
    std::optional<std::int64_t> offset;   // program time − source running time
    std::optional<std::int64_t> lastRt;   // the previous buffer's running time
    std::optional<std::int64_t> lastNow;  // and when it arrived
    std::optional<std::int64_t> lateSince;
  };

  SourcePlacementSettings settings_;
  std::array<Track, kSourceTrackCount> tracks_;
};

const char* toString(RebaseReason reason);

}  // namespace tribune::core
