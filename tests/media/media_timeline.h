#pragma once
// What a recording shows and sounds like over time, decoded by ffmpeg: one letter per
// step of picture or sound, so that a test can say "tone, then silence, then tone" and
// measure where each stretch starts.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace tribune::testing {

// The file's sound as mono 48 kHz samples.
inline std::vector<std::int16_t> decodeSound(const std::string& file) {
  TempDir dir;
  const auto raw = dir / "sound.s16";
  auto result = runCommand(
      {"ffmpeg", "-v", "error", "-y", "-i", file, "-vn", "-ac", "1", "-ar", "48000", "-f", "s16le", raw.string()},
      std::chrono::seconds(60));
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg: " + result.err);
  const std::string bytes = readTextFile(raw);
  std::vector<std::int16_t> samples(bytes.size() / 2);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    samples[i] = static_cast<std::int16_t>(static_cast<std::uint8_t>(bytes[i * 2]) |
                                           (static_cast<std::uint8_t>(bytes[i * 2 + 1]) << 8));
  }
  return samples;
}

// One letter per `step` seconds of sound: 'T' a tone, 's' silence, '?' in between.
inline std::string soundLetters(const std::vector<std::int16_t>& samples, double step) {
  const auto window = static_cast<std::size_t>(48000 * step);
  std::string letters;
  for (std::size_t at = 0; at + window <= samples.size(); at += window) {
    double sum = 0;
    for (std::size_t i = 0; i < window; ++i) sum += static_cast<double>(samples[at + i]) * samples[at + i];
    const double rms = std::sqrt(sum / static_cast<double>(window)) / 32768.0;
    letters += rms > 0.02 ? 'T' : (rms < 0.001 ? 's' : '?');
  }
  return letters;
}

// The tone's frequency between two times (s), from its upward zero crossings.
inline double toneFrequency(const std::vector<std::int16_t>& samples, double from, double to) {
  const auto begin = static_cast<std::size_t>(from * 48000);
  const auto end = std::min(samples.size(), static_cast<std::size_t>(to * 48000));
  std::size_t first = 0;
  std::size_t last = 0;
  int crossings = 0;
  for (std::size_t i = begin + 1; i < end; ++i) {
    if (samples[i - 1] < 0 && samples[i] >= 0) {
      if (crossings == 0) first = i;
      last = i;
      ++crossings;
    }
  }
  if (crossings < 2) return 0;
  return (crossings - 1) * 48000.0 / static_cast<double>(last - first);
}

// One letter per frame at `fps`: 'H' when the pixel at (40, 40) has the slates' colour
// (the demo branding's primary, #1f3a93), '.' when not.
inline std::string slateLetters(const std::string& file, int fps) {
  TempDir dir;
  const auto raw = dir / "frames.rgb";
  auto result =
      runCommand({"ffmpeg", "-v", "error", "-y", "-i", file, "-vf", "fps=" + std::to_string(fps) + ",crop=2:2:40:40",
                  "-f", "rawvideo", "-pix_fmt", "rgb24", raw.string()},
                 std::chrono::seconds(60));
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg: " + result.err);
  const std::string bytes = readTextFile(raw);
  std::string letters;
  for (std::size_t at = 0; at + 12 <= bytes.size(); at += 12) {
    const int r = static_cast<std::uint8_t>(bytes[at]);
    const int g = static_cast<std::uint8_t>(bytes[at + 1]);
    const int b = static_cast<std::uint8_t>(bytes[at + 2]);
    letters += std::abs(r - 0x1f) < 40 && std::abs(g - 0x3a) < 40 && std::abs(b - 0x93) < 40 ? 'H' : '.';
  }
  return letters;
}

}  // namespace tribune::testing
