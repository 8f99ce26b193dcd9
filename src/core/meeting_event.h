#pragma once
// What changed in a meeting. Commands produce events, events change the state (and nothing
// else does), so the event log replayed into a fresh meeting rebuilds it exactly.
// The types and their data are listed in docs/PROTOCOL.md ("Events").
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace tribune::core {

struct MeetingEvent {
  std::string type;     // "session_changed", "item_changed", …
  nlohmann::json data;  // an object; its members depend on the type
  TimePoint at;
};

// {"type", "data", "at_ms"}: at_ms counts milliseconds on the core's clock, which only
// orders events (the hub and the log add wall-clock time).
nlohmann::json toJson(const MeetingEvent& event);
// The inverse, for events read back from the log; nothing when the shape is wrong.
std::optional<MeetingEvent> meetingEventFromJson(const nlohmann::json& value);

}  // namespace tribune::core
