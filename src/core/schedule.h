#pragma once
// The town hall's schedule (issue 23, `tribune serve`): the meetings the technician has
// prepared, each with its date, time and agenda, and what became of them. It decides when
// a meeting starts by itself (its time less the lead) and keeps edits from two consoles
// from overwriting each other (a revision every edit must name). Pure: the app keeps the
// file, the clock and the time zone.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/agenda.h"

namespace tribune::core {

// planned: waits for its time; running: its meeting is on (also after a reboot, until it
// ends); stopped: stopped by hand before the end (started again by hand); done: ended
// ("terminée"); failed: could not start (its error says why).
enum class PlanState { Planned, Running, Stopped, Done, Failed };
std::string_view toString(PlanState state);
std::optional<PlanState> planStateFromString(std::string_view text);

struct PlannedMeeting {
  std::string id;  // "p1", "p2"… given by the schedule, never reused
  Agenda agenda;   // its meeting (title, date, time, place), items and councillors
  PlanState state = PlanState::Planned;
  std::string logId;  // the meeting's id in the event log once started
  std::string error;  // French, when failed
  friend bool operator==(const PlannedMeeting&, const PlannedMeeting&) = default;
};

struct Schedule {
  std::uint64_t revision = 0;  // +1 at every edit
  std::uint64_t nextId = 1;
  std::vector<PlannedMeeting> meetings;  // in the order they were added
  friend bool operator==(const Schedule&, const Schedule&) = default;
};

inline constexpr std::size_t kMaxPlannedMeetings = 500;
// A planned meeting whose time passed longer ago than this does not start by itself (the
// machine was off): the console shows it missed, the technician may start it by hand.
inline constexpr std::int64_t kMissedAfterMs = 3LL * 3600 * 1000;

nlohmann::json scheduleToJson(const Schedule& schedule);
struct ScheduleFromJson {
  std::optional<Schedule> schedule;
  std::string error;  // what is wrong, with its JSON path, when there is none
};
ScheduleFromJson scheduleFromJson(const nlohmann::json& value);

// The wall-clock time (ms since the epoch) of a date and time in the town hall's zone, or
// none when that moment does not exist (a time skipped by the change to summer time).
using LocalTimeToMs = std::function<std::optional<std::int64_t>(const std::string& date, const std::string& time)>;

// What the scheduler does now: resume the running meeting (the machine restarted during
// it), start a planned one whose time less the lead has come, or nothing.
struct ScheduleDecision {
  enum class Kind { None, Resume, Start } kind = Kind::None;
  std::string id;
  friend bool operator==(const ScheduleDecision&, const ScheduleDecision&) = default;
};
ScheduleDecision decideSchedule(const Schedule& schedule, std::int64_t nowMs, std::int64_t leadMs,
                                const LocalTimeToMs& toMs);

// An edit's outcome: refused with a status code, a stable code and a French message, or done
// (the revision moved on).
struct ScheduleEdit {
  int status = 200;
  std::string code;     // "" when done
  std::string message;  // French
  std::string id;       // the meeting edited or added
  std::vector<AgendaProblem> problems;
  [[nodiscard]] bool ok() const { return code.empty(); }
};

// Adds a meeting; its agenda must give a date and a time. `revision` must be the schedule's
// (else 409 conflict: another console changed it first).
ScheduleEdit addPlannedMeeting(Schedule& schedule, std::uint64_t revision, Agenda agenda);
// Replaces a planned meeting's agenda (the console's editor: items, their order, numbers and
// kinds, the roster) before it starts; a meeting that started keeps the agenda of its log.
ScheduleEdit replacePlannedAgenda(Schedule& schedule, std::uint64_t revision, const std::string& id, Agenda agenda);
// Removes a meeting that is not running.
ScheduleEdit removePlannedMeeting(Schedule& schedule, std::uint64_t revision, const std::string& id);
// The scheduler's own moves (no revision from a console): a meeting starts, stops, ends, fails.
ScheduleEdit setPlanState(Schedule& schedule, const std::string& id, PlanState state, std::string logId = {},
                          std::string error = {});

[[nodiscard]] const PlannedMeeting* findPlanned(const Schedule& schedule, const std::string& id);
// The event log's id of a planned meeting: "seance-2026-12-08T20-00-p3".
std::string plannedLogId(const PlannedMeeting& meeting);

// What the console shows of each meeting: its fields, its start and automatic start (ISO
// local time as given), and "missed" for a planned meeting too late to start by itself.
nlohmann::json scheduleView(const Schedule& schedule, std::int64_t nowMs, std::int64_t leadMs,
                            const LocalTimeToMs& toMs);

}  // namespace tribune::core
