#include "core/schedule.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/agenda_json.h"

namespace tribune::core {

namespace {

using Json = nlohmann::json;

constexpr std::array<std::pair<PlanState, std::string_view>, 5> kStates{{
    {PlanState::Planned, "planned"},
    {PlanState::Running, "running"},
    {PlanState::Stopped, "stopped"},
    {PlanState::Done, "done"},
    {PlanState::Failed, "failed"},
}};

ScheduleEdit refused(int status, std::string code, std::string message) {
  ScheduleEdit edit;
  edit.status = status;
  edit.code = std::move(code);
  edit.message = std::move(message);
  return edit;
}

ScheduleEdit conflict() {
  return refused(409, "conflict",
                 "La liste des séances a été modifiée entre-temps (depuis une autre console) : rechargez-la et "
                 "recommencez.");
}

ScheduleEdit notFound(const std::string& id) {
  return refused(404, "not_found", "Aucune séance « " + id + " » dans la liste.");
}

PlannedMeeting* findMutable(Schedule& schedule, const std::string& id) {
  auto found = std::find_if(schedule.meetings.begin(), schedule.meetings.end(),
                            [&](const PlannedMeeting& meeting) { return meeting.id == id; });
  return found == schedule.meetings.end() ? nullptr : &*found;
}

std::optional<std::int64_t> startOf(const PlannedMeeting& meeting, const LocalTimeToMs& toMs) {
  if (meeting.agenda.meeting.time.empty()) return std::nullopt;
  return toMs(meeting.agenda.meeting.date, meeting.agenda.meeting.time);
}

}  // namespace

std::string_view toString(PlanState state) {
  for (const auto& [value, name] : kStates) {
    if (value == state) return name;
  }
  return "planned";
}

std::optional<PlanState> planStateFromString(std::string_view text) {
  for (const auto& [value, name] : kStates) {
    if (name == text) return value;
  }
  return std::nullopt;
}

Json scheduleToJson(const Schedule& schedule) {
  Json meetings = Json::array();
  for (const auto& meeting : schedule.meetings) {
    meetings.push_back({{"id", meeting.id},
                        {"agenda", agendaToJson(meeting.agenda)},
                        {"state", std::string(toString(meeting.state))},
                        {"log_id", meeting.logId},
                        {"error", meeting.error}});
  }
  return {{"revision", schedule.revision}, {"next_id", schedule.nextId}, {"meetings", std::move(meetings)}};
}

ScheduleFromJson scheduleFromJson(const Json& value) {
  ScheduleFromJson out;
  if (!value.is_object()) {
    out.error = "$: attendu un objet";
    return out;
  }
  Schedule schedule;
  const auto number = [&](const char* key, std::uint64_t& target) {
    const auto found = value.find(key);
    if (found == value.end() || !found->is_number_unsigned()) {
      out.error = std::string(key) + ": attendu un nombre entier positif ou nul";
      return false;
    }
    target = found->get<std::uint64_t>();
    return true;
  };
  if (!number("revision", schedule.revision) || !number("next_id", schedule.nextId)) return out;
  const auto meetings = value.find("meetings");
  if (meetings == value.end() || !meetings->is_array()) {
    out.error = "meetings: attendu un tableau";
    return out;
  }
  for (std::size_t i = 0; i < meetings->size(); ++i) {
    const auto& entry = (*meetings)[i];
    const std::string at = "meetings[" + std::to_string(i) + "]";
    if (!entry.is_object()) {
      out.error = at + ": attendu un objet";
      return out;
    }
    PlannedMeeting meeting;
    for (const auto* key : {"id", "state", "log_id", "error"}) {
      const auto found = entry.find(key);
      if (found == entry.end() || !found->is_string()) {
        out.error = at + "." + key + ": attendu une chaîne";
        return out;
      }
    }
    meeting.id = entry["id"].get<std::string>();
    auto state = planStateFromString(entry["state"].get<std::string>());
    if (!state) {
      out.error = at + ".state: état inconnu « " + entry["state"].get<std::string>() + " »";
      return out;
    }
    meeting.state = *state;
    meeting.logId = entry["log_id"].get<std::string>();
    meeting.error = entry["error"].get<std::string>();
    auto agenda = agendaFromJson(entry.value("agenda", Json()));
    if (!agenda.agenda) {
      out.error = at + "." + agenda.error;
      return out;
    }
    meeting.agenda = std::move(*agenda.agenda);
    schedule.meetings.push_back(std::move(meeting));
  }
  out.schedule = std::move(schedule);
  return out;
}

ScheduleDecision decideSchedule(const Schedule& schedule, std::int64_t nowMs, std::int64_t leadMs,
                                const LocalTimeToMs& toMs) {
  for (const auto& meeting : schedule.meetings) {
    if (meeting.state == PlanState::Running) return {ScheduleDecision::Kind::Resume, meeting.id};
  }
  const PlannedMeeting* first = nullptr;
  std::int64_t firstStart = 0;
  for (const auto& meeting : schedule.meetings) {
    if (meeting.state != PlanState::Planned) continue;
    const auto start = startOf(meeting, toMs);
    if (!start || nowMs < *start - leadMs || nowMs > *start + kMissedAfterMs) continue;
    if (first == nullptr || *start < firstStart) {
      first = &meeting;
      firstStart = *start;
    }
  }
  if (first == nullptr) return {};
  return {ScheduleDecision::Kind::Start, first->id};
}

ScheduleEdit addPlannedMeeting(Schedule& schedule, std::uint64_t revision, Agenda agenda) {
  if (revision != schedule.revision) return conflict();
  if (schedule.meetings.size() >= kMaxPlannedMeetings) {
    return refused(
        400, "too_many",
        "La liste compte déjà " + std::to_string(kMaxPlannedMeetings) + " séances : supprimez-en d'anciennes.");
  }
  if (agenda.meeting.time.empty()) {
    auto edit = refused(400, "invalid_agenda",
                        "Indiquez l'heure de la séance (HH:MM) : elle démarre d'elle-même avant cette heure.");
    edit.problems.push_back({"meeting.time", "l'heure de la séance est obligatoire (HH:MM)"});
    return edit;
  }
  PlannedMeeting meeting;
  meeting.id = "p" + std::to_string(schedule.nextId++);
  meeting.agenda = std::move(agenda);
  ScheduleEdit edit;
  edit.id = meeting.id;
  schedule.meetings.push_back(std::move(meeting));
  ++schedule.revision;
  return edit;
}

ScheduleEdit replacePlannedAgenda(Schedule& schedule, std::uint64_t revision, const std::string& id, Agenda agenda) {
  if (revision != schedule.revision) return conflict();
  auto* meeting = findMutable(schedule, id);
  if (meeting == nullptr) return notFound(id);
  if (meeting->state != PlanState::Planned) {
    return refused(409, "started",
                   "Cette séance a déjà commencé : son ordre du jour se modifie depuis la console de la séance.");
  }
  if (agenda.meeting.time.empty()) {
    auto edit = refused(400, "invalid_agenda", "Indiquez l'heure de la séance (HH:MM).");
    edit.problems.push_back({"meeting.time", "l'heure de la séance est obligatoire (HH:MM)"});
    return edit;
  }
  meeting->agenda = std::move(agenda);
  ++schedule.revision;
  ScheduleEdit edit;
  edit.id = id;
  return edit;
}

ScheduleEdit removePlannedMeeting(Schedule& schedule, std::uint64_t revision, const std::string& id) {
  if (revision != schedule.revision) return conflict();
  auto* meeting = findMutable(schedule, id);
  if (meeting == nullptr) return notFound(id);
  if (meeting->state == PlanState::Running) {
    return refused(409, "running", "Cette séance est en cours : arrêtez-la avant de la supprimer.");
  }
  std::erase_if(schedule.meetings, [&](const PlannedMeeting& m) { return m.id == id; });
  ++schedule.revision;
  ScheduleEdit edit;
  edit.id = id;
  return edit;
}

ScheduleEdit setPlanState(Schedule& schedule, const std::string& id, PlanState state, std::string logId,
                          std::string error) {
  auto* meeting = findMutable(schedule, id);
  if (meeting == nullptr) return notFound(id);
  if (state == PlanState::Running) {
    for (const auto& other : schedule.meetings) {
      if (other.state == PlanState::Running && other.id != id) {
        return refused(409, "busy", "Une autre séance est en cours : arrêtez-la d'abord.");
      }
    }
  }
  meeting->state = state;
  if (!logId.empty()) meeting->logId = std::move(logId);
  meeting->error = std::move(error);
  ++schedule.revision;
  ScheduleEdit edit;
  edit.id = id;
  return edit;
}

const PlannedMeeting* findPlanned(const Schedule& schedule, const std::string& id) {
  auto found = std::find_if(schedule.meetings.begin(), schedule.meetings.end(),
                            [&](const PlannedMeeting& meeting) { return meeting.id == id; });
  return found == schedule.meetings.end() ? nullptr : &*found;
}

std::string plannedLogId(const PlannedMeeting& meeting) {
  std::string time = meeting.agenda.meeting.time;
  std::replace(time.begin(), time.end(), ':', '-');
  return "seance-" + meeting.agenda.meeting.date + "T" + time + "-" + meeting.id;
}

Json scheduleView(const Schedule& schedule, std::int64_t nowMs, std::int64_t leadMs, const LocalTimeToMs& toMs) {
  Json meetings = Json::array();
  for (const auto& meeting : schedule.meetings) {
    const auto& info = meeting.agenda.meeting;
    const auto start = startOf(meeting, toMs);
    Json view{{"id", meeting.id},
              {"title", info.title},
              {"commune", info.commune},
              {"date", info.date},
              {"time", info.time},
              {"place", info.place},
              {"items", meeting.agenda.items.size()},
              {"state", std::string(toString(meeting.state))},
              {"log_id", meeting.logId},
              {"error", meeting.error},
              {"missed", meeting.state == PlanState::Planned && start && nowMs > *start + kMissedAfterMs}};
    view["starts_at_ms"] = start ? Json(*start) : Json();
    view["auto_start_at_ms"] = start ? Json(*start - leadMs) : Json();
    meetings.push_back(std::move(view));
  }
  return {{"revision", schedule.revision}, {"meetings", std::move(meetings)}};
}

}  // namespace tribune::core
