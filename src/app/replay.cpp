#include "app/replay.h"

#include <utility>

namespace tribune::app {

std::filesystem::path eventLogFile(const std::filesystem::path& dataDir) { return dataDir / "tribune.db"; }

core::Meeting replayMeeting(const store::EventStore& store, const std::string& meetingId,
                            std::vector<std::string>* warnings) {
  core::Meeting meeting;
  // The core's clock only orders events; a replay gives them all the same instant.
  const auto now = core::Clock::now();
  for (const auto& stored : store.readMeeting(meetingId)) {
    auto data = nlohmann::json::parse(stored.data, nullptr, false);
    const auto applied = data.is_discarded() ? core::ApplyResult{"not JSON"}
                                             : meeting.apply(core::MeetingEvent{stored.type, std::move(data), now});
    if (!applied.ok() && warnings != nullptr) {
      warnings->push_back("event " + std::to_string(stored.seq) + " (" + stored.type + ") skipped: " + applied.error);
    }
  }
  return meeting;
}

}  // namespace tribune::app
