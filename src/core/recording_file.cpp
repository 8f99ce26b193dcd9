#include "core/recording_file.h"

namespace tribune::core {

bool isValid(const RecordingFile& recording) {
  return !recording.file.empty() && recording.epochMs >= 0 && recording.programNs >= 0;
}

nlohmann::json toJson(const RecordingFile& recording) {
  return {{"file", recording.file}, {"epoch_ms", recording.epochMs}, {"program_ns", recording.programNs}};
}

std::optional<RecordingFile> recordingFileFromJson(const nlohmann::json& value) {
  if (!value.is_object()) return std::nullopt;
  const auto file = value.find("file");
  const auto epoch = value.find("epoch_ms");
  const auto program = value.find("program_ns");
  if (file == value.end() || !file->is_string()) return std::nullopt;
  for (const auto& number : {epoch, program}) {
    if (number == value.end() || !number->is_number_integer()) return std::nullopt;
    if (number->is_number_unsigned() && number->get<std::uint64_t>() > INT64_MAX) return std::nullopt;
  }
  RecordingFile recording{file->get<std::string>(), epoch->get<std::int64_t>(), program->get<std::int64_t>()};
  if (!isValid(recording)) return std::nullopt;
  return recording;
}

}  // namespace tribune::core
