#include "core/recording_file.h"

namespace tribune::core {

nlohmann::json toJson(const RecordingFile& recording) {
  return {{"file", recording.file}, {"epoch_ms", recording.epochMs}, {"program_ns", recording.programNs}};
}

std::optional<RecordingFile> recordingFileFromJson(const nlohmann::json& value) {
  if (!value.is_object()) return std::nullopt;
  const auto file = value.find("file");
  const auto epoch = value.find("epoch_ms");
  const auto program = value.find("program_ns");
  if (file == value.end() || !file->is_string() || file->get<std::string>().empty()) return std::nullopt;
  for (const auto& number : {epoch, program}) {
    if (number == value.end() || !number->is_number_integer()) return std::nullopt;
    if (number->is_number_unsigned() ? number->get<std::uint64_t>() > INT64_MAX : number->get<std::int64_t>() < 0) {
      return std::nullopt;
    }
  }
  return RecordingFile{file->get<std::string>(), epoch->get<std::int64_t>(), program->get<std::int64_t>()};
}

}  // namespace tribune::core
