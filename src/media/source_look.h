#pragma once
// A short look at the source for the pre-flight check (docs/PREFLIGHT.md, "Vérifier avant
// la séance" in standby): the configured source preset opened on its own for a few
// seconds, its picture reduced to 64×36 grey and its sound to S16LE, and two figures
// kept: whether the pictures changed, and the loudest sample.
//
//   PRESET … video. ! videoconvert ! videoscale ! video/x-raw,format=GRAY8,width=64,height=36 ! appsink
//            audio. ! audioconvert ! audio/x-raw,format=S16LE ! appsink
//
// Only in standby: during a meeting the program holds the source (a capture device opens
// once), and the pre-flight uses the hub's own observations instead.
//
// Threading: lookAtSource blocks the calling thread (about `duration` once the first
// picture came, `startTimeout` at most before); the pipeline is its own and is torn down
// before it returns.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tribune::media {

// Two 64×36 grey pictures whose mean absolute difference is at or above this many grey
// levels (of 255) differ: a capture card that froze repeats the same bytes (0), while a
// live camera's noise alone, on an empty room, moves a downscaled picture by a fraction
// of a level per pixel (kept as "moving": the camera is alive), and the test pattern's
// bars and clock by several.
inline constexpr double kPictureChangeLevels = 0.1;

struct SourceLookSettings {
  std::string pipeline;                          // the expanded preset: elements named `video` and `audio`
  std::chrono::milliseconds duration{3000};      // watched once the first picture came
  std::chrono::milliseconds startTimeout{8000};  // for the first picture (a network source connects)
};

struct SourceLook {
  std::uint64_t pictures = 0;        // pictures seen
  bool moving = false;               // one of them differed from the first
  std::optional<double> peakDbfs;    // the loudest sample; nothing: no sound came
  std::optional<std::string> error;  // the pipeline's first error (English, technical)
};

// `cancel` set from another thread ends the look early (what was seen is returned).
SourceLook lookAtSource(const SourceLookSettings& settings, const std::atomic<bool>& cancel);

// The description given to gst_parse_launch.
std::string describeSourceLook(const std::string& pipeline);

}  // namespace tribune::media
