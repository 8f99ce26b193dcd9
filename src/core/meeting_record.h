#pragma once
// The meeting's data for the minutes (issue 7): a JSON record with a documented schema
// (docs/meeting.schema.json, explained in docs/EXPORT.md) and a Markdown summary the clerk
// starts the procès-verbal from. Pure; the summary is written from the record, so the two
// never disagree. Reproducible: nothing in them depends on when the export ran.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/meeting.h"
#include "core/replay_plan.h"

namespace tribune::core {

inline constexpr const char* kMeetingRecordSchema = "tribune-meeting/1";

// Wall clock (ms since the Unix epoch) -> ISO 8601 with the commune's UTC offset
// ("2026-12-04T20:03:00+01:00"). The app passes the machine's local time.
using WallClockText = std::function<std::string(std::int64_t wallMs)>;

// `meeting` is the log replayed (app::replayMeeting), `events` the same log as stored,
// `plan` the replay planned from it (its chapters and event times; an empty plan when there
// is no video). Question events are not in the timeline: their text and authors go only to
// the questions export, which has its own retention (GDPR).
nlohmann::json meetingRecord(const Meeting& meeting, const std::vector<LoggedEvent>& events, const ReplayPlan& plan,
                             const WallClockText& wallClock);

// Markdown, in French: the meeting, the times of opening, suspensions, huis clos and
// closing, each item with its decision (the names of a public ballot), the chapters of the
// replay and the questions' counts. Every text from the agenda is escaped for Markdown.
std::string meetingSummary(const nlohmann::json& record);

}  // namespace tribune::core
