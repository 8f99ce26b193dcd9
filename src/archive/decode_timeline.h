#pragma once
// Rebuilds decode timestamps (DTS) for H.264 with B-frames from presentation timestamps,
// one closed GOP at a time. Matroska stores no DTS and libavformat's guess (a reorder
// buffer over the previous PTS) goes wrong across a huis clos gap and across pieces of a
// replay, while an MP4 needs DTS strictly increasing and never above the PTS.
//
// Pure arithmetic on integer ticks of the output stream; no libav.
#include <cstdint>
#include <optional>
#include <vector>

namespace tribune::archive {

class DecodeTimeline {
 public:
  // `pts` holds one GOP's PTS in decode order. Returns its DTS: the GOP's PTS sorted and
  // lowered by the largest reordering seen so far (so each DTS <= its PTS), kept above
  // every DTS returned before. std::nullopt when no such DTS exist (PTS that go
  // backwards across GOPs, duplicates).
  std::optional<std::vector<std::int64_t>> assign(const std::vector<std::int64_t>& pts);

 private:
  std::int64_t reorderDelay_ = 0;  // ticks; only grows, so DTS never step back
  std::optional<std::int64_t> lastDts_;
};

}  // namespace tribune::archive
