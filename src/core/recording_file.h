#pragma once
// A recording file as the meeting's log knows it (event recording_started): where it is and
// where its time zero lies on the program's clock. The replay export (core/replay_plan.h)
// puts every event on the picture with it.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tribune::core {

struct RecordingFile {
  std::string file;            // the path the recorder wrote, as given to it
  std::int64_t epochMs = 0;    // wall clock (ms since the Unix epoch) when this run's program time was 0
  std::int64_t programNs = 0;  // the program time of the file's time 0 (its first key frame)
  friend bool operator==(const RecordingFile&, const RecordingFile&) = default;
};

// A file name, and times that are not negative.
bool isValid(const RecordingFile& recording);

// {"file", "epoch_ms", "program_ns"}: the data of a recording_started event.
nlohmann::json toJson(const RecordingFile& recording);
// The inverse; nothing when a member is missing or of the wrong type, or the result is not
// isValid.
std::optional<RecordingFile> recordingFileFromJson(const nlohmann::json& value);

}  // namespace tribune::core
