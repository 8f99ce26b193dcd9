#include "core/meeting_event.h"

#include <chrono>
#include <cstdint>

namespace tribune::core {

nlohmann::json toJson(const MeetingEvent& event) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(event.at.time_since_epoch()).count();
  return {{"type", event.type}, {"data", event.data}, {"at_ms", static_cast<std::int64_t>(ms)}};
}

std::optional<MeetingEvent> meetingEventFromJson(const nlohmann::json& value) {
  if (!value.is_object()) return std::nullopt;
  const auto type = value.find("type");
  const auto data = value.find("data");
  const auto at = value.find("at_ms");
  if (type == value.end() || !type->is_string() || data == value.end() || !data->is_object()) return std::nullopt;
  MeetingEvent event{type->get<std::string>(), *data, TimePoint{}};
  if (at != value.end()) {
    // About 285 years either way: beyond, nanoseconds would overflow.
    constexpr std::int64_t kLimitMs = 9'000'000'000'000;
    if (!at->is_number_integer()) return std::nullopt;
    const auto ms = at->get<std::int64_t>();
    if (ms > kLimitMs || ms < -kLimitMs) return std::nullopt;
    event.at = TimePoint{std::chrono::duration_cast<Duration>(std::chrono::milliseconds(ms))};
  }
  return event;
}

}  // namespace tribune::core
