#include "archive/decode_timeline.h"

#include <algorithm>

namespace tribune::archive {

std::optional<std::vector<std::int64_t>> DecodeTimeline::assign(const std::vector<std::int64_t>& pts) {
  std::vector<std::int64_t> sorted = pts;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t j = 0; j < pts.size(); ++j) reorderDelay_ = std::max(reorderDelay_, sorted[j] - pts[j]);

  std::vector<std::int64_t> dts(pts.size());
  for (std::size_t j = 0; j < pts.size(); ++j) {
    std::int64_t value = sorted[j] - reorderDelay_;
    if (lastDts_ && value <= *lastDts_) value = *lastDts_ + 1;
    if (value > pts[j]) return std::nullopt;
    dts[j] = value;
    lastDts_ = value;
  }
  return dts;
}

}  // namespace tribune::archive
