#include "core/source_placement.h"

namespace tribune::core {

Placement SourcePlacement::place(SourceTrack track, std::int64_t runningTime, std::int64_t now) {
  Track& t = tracks_[static_cast<int>(track)];
  if (!tracks_[0].offset && !tracks_[1].offset) {
    // The first buffer of this pipeline, audio or video, is put at now; the other track
    // follows with the same offset, so their sync is the source's.
    tracks_[0].offset = tracks_[1].offset = now - runningTime;
  }
  if (!t.offset) t.offset = tracks_[static_cast<int>(track) ^ 1].offset;

  Placement placement;
  const std::int64_t at = runningTime + *t.offset;
  const std::int64_t off = at - now;  // > 0: ahead of now; < 0: late
  std::optional<RebaseReason> reason;
  if (off > settings_.farNs) {
    reason = RebaseReason::Ahead;
  } else if (t.lastRt && t.lastNow) {
    const std::int64_t stepRt = runningTime - *t.lastRt;
    const std::int64_t stepNow = now - *t.lastNow;
    if (stepRt < -settings_.backNs || stepRt > stepNow + settings_.farNs) {
      reason = RebaseReason::Jump;
    } else if (off < -settings_.farNs && stepNow > settings_.holeNs) {
      reason = RebaseReason::BackAfterHole;
    }
  } else if (off < -settings_.farNs) {
    // A track's first buffer, far behind the other's placement: nothing to keep.
    reason = RebaseReason::BackAfterHole;
  }
  if (!reason && off < -settings_.farNs) {
    // Late, but continuous: a backlog that is draining keeps its place, one that never
    // does is a lagging timeline.
    if (!t.lateSince) t.lateSince = now;
    if (now - *t.lateSince > settings_.lateForNs) reason = RebaseReason::LateForLong;
  } else if (off >= -settings_.farNs) {
    t.lateSince.reset();
  }

  if (reason) {
    placement.change = PlacementChange::Rebased;
    placement.reason = *reason;
    placement.movedNs = -off;
    t.offset = now - runningTime;
    t.lateSince.reset();
  }
  placement.programTime = runningTime + *t.offset;
  t.lastRt = runningTime;
  t.lastNow = now;
  return placement;
}

void SourcePlacement::reset() { tracks_ = {}; }

const char* toString(RebaseReason reason) {
  switch (reason) {
    case RebaseReason::Jump: return "jump";
    case RebaseReason::BackAfterHole: return "back_after_hole";
    case RebaseReason::Ahead: return "ahead";
    case RebaseReason::LateForLong: return "late_for_long";
  }
  return "jump";
}

}  // namespace tribune::core
