#pragma once
// The programme's loudness as the console shows it (issue 27): plain numbers, free of
// GStreamer and libebur128 types.
#include <optional>

#include "core/loudness.h"

namespace tribune::media {

struct LoudnessFigures {
  // Of what goes out (after the gain and the limiter), BS.1770; none over silence.
  std::optional<double> momentaryLufs;    // 400 ms
  std::optional<double> shortTermLufs;    // 3 s
  std::optional<double> integratedLufs;   // since Tribune started (gated, as BS.1770)
  std::optional<double> truePeakDbtp;     // highest over the last report's interval
  std::optional<double> maxTruePeakDbtp;  // highest since the start
  double gainDb = 0;                      // the automatic gain applied now
  double limiterDb = 0;                   // the limiter's deepest reduction over the interval (0 or less)
  bool gateOpen = false;                  // someone speaks (the gain may move)
  core::LoudnessMode mode = core::LoudnessMode::Auto;
  double targetLufs = -16;
  double ceilingDbtp = -1;
  bool muted = false;  // huis clos: nothing goes out, nothing is measured, the gain holds
};

}  // namespace tribune::media
