#pragma once
// Reading what nginx recorded, one line of the picture at a time (the browser tests that put
// a question on air: questions_browser_tests.cpp, chat_browser_tests.cpp). Pictures are
// sampled kVideoSampleRate times a second with ffmpeg; places are given in the graphics'
// 1920×1080 units and scaled to the 720p picture the tests encode.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "support/process.h"

namespace tribune::testing::picture {

using namespace std::chrono_literals;

// branding.primary_color by default (#1f3a93): the question panel and the slates.
constexpr int kPrimaryRgb[3] = {0x1f, 0x3a, 0x93};
constexpr int kColourTolerance = 40;
constexpr double kScale = 1280.0 / 1920.0;
constexpr double kVideoSampleRate = 10;  // pictures per second looked at

// overlays/question.svg: the panel is x 96..1824, y 808..1026, its text box x 136..1792,
// y 818..968. A line of the panel between its top and its text box, from right of its tab
// (x 96..436) to its right edge, above the agenda's panel (overlays/agenda.svg: y 828..1026):
// blue only under the question (or a slate).
constexpr int kPanelY = 813;
constexpr int kPanelFromX = 460;
constexpr int kPanelToX = 1810;
// A line of the upper picture that no lower-third reaches and no slate's text crosses (the
// suspension slate's logo plate, x 876..1044, is a tenth of it): blue only under a slate.
constexpr int kUpperY = 300;
constexpr int kUpperFromX = 0;
constexpr int kUpperToX = 1920;
// The test pattern moves and the encoder works hard at 1500 kb/s: a line counts as blue when
// most of its pixels are.
constexpr double kBlueShare = 0.8;

struct Pixel {
  int r, g, b;
};

inline int scaled(int units) { return static_cast<int>(std::lround(units * kScale)); }

// One line of the picture at y (1920×1080 units; two rows of the 720p picture, averaged),
// kVideoSampleRate times a second from the first picture: for each picture, its pixels.
inline std::vector<std::vector<Pixel>> lineAt(const std::string& file, int y) {
  constexpr int kWidth = 1280;
  const std::string crop = "crop=" + std::to_string(kWidth) + ":2:0:" + std::to_string(scaled(y));
  auto result = runCommand({"ffmpeg", "-v", "error", "-nostdin", "-i", file, "-map", "0:v:0", "-vf",
                            "fps=" + std::to_string(static_cast<int>(kVideoSampleRate)) + "," + crop + ",format=rgb24",
                            "-f", "rawvideo", "-"},
                           90s);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::vector<std::vector<Pixel>> lines;
  constexpr std::size_t kRowBytes = kWidth * 3;
  for (std::size_t at = 0; at + 2 * kRowBytes <= result.out.size(); at += 2 * kRowBytes) {
    const auto* top = reinterpret_cast<const unsigned char*>(result.out.data() + at);
    const auto* bottom = top + kRowBytes;
    std::vector<Pixel> line;
    line.reserve(kWidth);
    for (std::size_t x = 0; x < kWidth; ++x) {
      line.push_back({(top[3 * x] + bottom[3 * x]) / 2, (top[3 * x + 1] + bottom[3 * x + 1]) / 2,
                      (top[3 * x + 2] + bottom[3 * x + 2]) / 2});
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

// BT.601 luma of an RGB pixel, 0..255.
inline int lumaOf(int r, int g, int b) { return (299 * r + 587 * g + 114 * b) / 1000; }

inline bool isPrimary(const Pixel& p) {
  return std::abs(p.r - kPrimaryRgb[0]) <= kColourTolerance && std::abs(p.g - kPrimaryRgb[1]) <= kColourTolerance &&
         std::abs(p.b - kPrimaryRgb[2]) <= kColourTolerance;
}

// The share of a line's pixels from x0 to x1 (1920×1080 units) that `matches`.
inline double shareOf(const std::vector<Pixel>& line, int x0, int x1,
                      const std::function<bool(const Pixel&)>& matches) {
  const auto from = static_cast<std::size_t>(scaled(x0));
  const auto to = std::min(line.size(), static_cast<std::size_t>(scaled(x1)));
  if (to <= from) return 0;
  const auto count =
      std::count_if(line.begin() + static_cast<std::ptrdiff_t>(from), line.begin() + static_cast<std::ptrdiff_t>(to),
                    [&](const Pixel& p) { return matches(p); });
  return static_cast<double>(count) / static_cast<double>(to - from);
}

// The share of a line's pixels from x0 to x1 (1920×1080 units) in the primary colour.
inline double blueShare(const std::vector<Pixel>& line, int x0, int x1) { return shareOf(line, x0, x1, isPrimary); }

// A run of pictures: from picture n° start, `length` pictures.
struct Run {
  std::size_t start = 0;
  std::size_t length = 0;
};

// The runs of pictures where `holds`, joined across gaps of up to `gapFrames` pictures (a
// fade's few in-between pictures), `minSeconds` long at least.
inline std::vector<Run> runsWhere(std::size_t frames, const std::function<bool(std::size_t)>& holds,
                                  std::size_t gapFrames, double minSeconds) {
  std::vector<Run> pieces;
  for (std::size_t i = 0; i < frames;) {
    if (!holds(i)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < frames && holds(j)) ++j;
    if (!pieces.empty() && i - (pieces.back().start + pieces.back().length) <= gapFrames) {
      pieces.back().length = j - pieces.back().start;
    } else {
      pieces.push_back({i, j - i});
    }
    i = j;
  }
  std::vector<Run> runs;
  for (const auto& piece : pieces) {
    if (static_cast<double>(piece.length) / kVideoSampleRate >= minSeconds) runs.push_back(piece);
  }
  return runs;
}

}  // namespace tribune::testing::picture
