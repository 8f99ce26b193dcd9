#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "core/schedule.h"

using namespace tribune::core;

namespace {

constexpr std::int64_t kMinute = 60'000;

// A town hall on UTC whose days are 1000 minutes apart from 2026-12-01: enough to order
// dates and times without a calendar (the app uses the real zone).
std::optional<std::int64_t> fakeLocal(const std::string& date, const std::string& time) {
  if (date.size() != 10 || time.size() != 5) return std::nullopt;
  const int day = std::stoi(date.substr(8, 2));
  const int hour = std::stoi(time.substr(0, 2));
  const int minute = std::stoi(time.substr(3, 2));
  if (hour == 2 && minute == 30) return std::nullopt;  // "skipped by the change to summer time"
  return ((day * 24LL + hour) * 60 + minute) * kMinute;
}

Agenda agendaAt(const std::string& date, const std::string& time, const std::string& title = "Conseil municipal") {
  Agenda agenda;
  agenda.meeting = {"Ville de Démo", title, date, time, "Salle du conseil"};
  agenda.items.push_back({"1", "Approbation du procès-verbal", "", ItemKind::Deliberation});
  return agenda;
}

std::int64_t at(const std::string& date, const std::string& time) { return *fakeLocal(date, time); }

}  // namespace

TEST_CASE("a planned meeting starts by itself at its time less the lead, not before", "[schedule]") {
  Schedule schedule;
  REQUIRE(addPlannedMeeting(schedule, 0, agendaAt("2026-12-08", "20:00")).ok());
  const auto lead = 15 * kMinute;
  CHECK(decideSchedule(schedule, at("2026-12-08", "19:44"), lead, fakeLocal).kind == ScheduleDecision::Kind::None);
  CHECK(decideSchedule(schedule, at("2026-12-08", "19:45"), lead, fakeLocal) ==
        ScheduleDecision{ScheduleDecision::Kind::Start, "p1"});
  // Late but not too late (the machine booted at 21:00): it still starts.
  CHECK(decideSchedule(schedule, at("2026-12-08", "21:00"), lead, fakeLocal).kind == ScheduleDecision::Kind::Start);
  // Three hours after its time it is missed: never started by itself.
  CHECK(decideSchedule(schedule, at("2026-12-08", "23:01"), lead, fakeLocal).kind == ScheduleDecision::Kind::None);
  CHECK(decideSchedule(schedule, at("2026-12-08", "19:59"), 0, fakeLocal).kind == ScheduleDecision::Kind::None);
}

TEST_CASE("the earliest due meeting starts first, and a running meeting is resumed before anything", "[schedule]") {
  Schedule schedule;
  REQUIRE(addPlannedMeeting(schedule, 0, agendaAt("2026-12-08", "20:30", "Commission")).ok());
  REQUIRE(addPlannedMeeting(schedule, 1, agendaAt("2026-12-08", "20:00")).ok());
  const auto now = at("2026-12-08", "20:10");
  CHECK(decideSchedule(schedule, now, 30 * kMinute, fakeLocal).id == "p2");
  REQUIRE(setPlanState(schedule, "p1", PlanState::Running, "seance-x").ok());
  CHECK(decideSchedule(schedule, now, 30 * kMinute, fakeLocal) ==
        ScheduleDecision{ScheduleDecision::Kind::Resume, "p1"});
  // One meeting runs at a time.
  const auto busy = setPlanState(schedule, "p2", PlanState::Running);
  CHECK(busy.code == "busy");
  CHECK(busy.status == 409);
  // Stopped, done and failed meetings never start by themselves.
  for (auto state : {PlanState::Stopped, PlanState::Done, PlanState::Failed}) {
    REQUIRE(setPlanState(schedule, "p1", state).ok());
    REQUIRE(setPlanState(schedule, "p2", state).ok());
    CHECK(decideSchedule(schedule, now, 30 * kMinute, fakeLocal).kind == ScheduleDecision::Kind::None);
  }
}

TEST_CASE("a meeting at a time the zone skips is never started by itself", "[schedule]") {
  Schedule schedule;
  REQUIRE(addPlannedMeeting(schedule, 0, agendaAt("2026-12-08", "02:30")).ok());
  CHECK(decideSchedule(schedule, at("2026-12-08", "02:31"), kMinute, fakeLocal).kind == ScheduleDecision::Kind::None);
  auto view = scheduleView(schedule, at("2026-12-08", "02:31"), kMinute, fakeLocal);
  CHECK(view["meetings"][0]["starts_at_ms"].is_null());
}

TEST_CASE("edits name the revision they saw: a second console's stale edit is refused", "[schedule]") {
  Schedule schedule;
  REQUIRE(addPlannedMeeting(schedule, 0, agendaAt("2026-12-08", "20:00")).ok());
  CHECK(schedule.revision == 1);
  // Both consoles saw revision 1; the first one's edit wins.
  REQUIRE(addPlannedMeeting(schedule, 1, agendaAt("2026-12-09", "20:00")).ok());
  const auto stale = addPlannedMeeting(schedule, 1, agendaAt("2026-12-10", "20:00"));
  CHECK(stale.status == 409);
  CHECK(stale.code == "conflict");
  CHECK(stale.message.find("autre console") != std::string::npos);
  CHECK(schedule.meetings.size() == 2);
  CHECK(removePlannedMeeting(schedule, 1, "p1").code == "conflict");
  CHECK(schedule.meetings.size() == 2);
}

TEST_CASE("a meeting needs a time, ids are never reused, a running one cannot be removed", "[schedule]") {
  Schedule schedule;
  const auto noTime = addPlannedMeeting(schedule, 0, agendaAt("2026-12-08", ""));
  CHECK(noTime.code == "invalid_agenda");
  REQUIRE(noTime.problems.size() == 1);
  CHECK(noTime.problems[0].where == "meeting.time");
  CHECK(schedule.revision == 0);
  CHECK(schedule.meetings.empty());

  REQUIRE(addPlannedMeeting(schedule, 0, agendaAt("2026-12-08", "20:00")).id == "p1");
  REQUIRE(removePlannedMeeting(schedule, 1, "p1").ok());
  CHECK(addPlannedMeeting(schedule, 2, agendaAt("2026-12-08", "20:00")).id == "p2");
  CHECK(removePlannedMeeting(schedule, 3, "p9").code == "not_found");
  REQUIRE(setPlanState(schedule, "p2", PlanState::Running, "seance-2026-12-08T20-00-p2").ok());
  const auto running = removePlannedMeeting(schedule, schedule.revision, "p2");
  CHECK(running.code == "running");
  CHECK(schedule.meetings.size() == 1);
}

TEST_CASE("the schedule's file form reads back what it wrote, and names what is wrong in a damaged one", "[schedule]") {
  Schedule schedule;
  REQUIRE(addPlannedMeeting(schedule, 0, agendaAt("2026-12-08", "20:00")).ok());
  REQUIRE(addPlannedMeeting(schedule, 1, agendaAt("2026-12-15", "18:30", "Commission des finances")).ok());
  REQUIRE(setPlanState(schedule, "p1", PlanState::Failed, "", "La caméra ne répond pas.").ok());
  auto back = scheduleFromJson(nlohmann::json::parse(scheduleToJson(schedule).dump()));
  INFO(back.error);
  REQUIRE(back.schedule);
  CHECK(*back.schedule == schedule);

  auto json = scheduleToJson(schedule);
  json["meetings"][1]["state"] = "sleeping";
  CHECK(scheduleFromJson(json).error == "meetings[1].state: état inconnu « sleeping »");
  json = scheduleToJson(schedule);
  json.erase("revision");
  CHECK(scheduleFromJson(json).error == "revision: attendu un nombre entier positif ou nul");
  json = scheduleToJson(schedule);
  json["meetings"][0]["agenda"]["items"] = 3;
  CHECK(scheduleFromJson(json).error.rfind("meetings[0].agenda", 0) == 0);
  CHECK(scheduleFromJson(nlohmann::json::array()).error == "$: attendu un objet");
}

TEST_CASE("the console's view says when each meeting starts by itself and which ones were missed", "[schedule]") {
  Schedule schedule;
  REQUIRE(addPlannedMeeting(schedule, 0, agendaAt("2026-12-08", "20:00")).ok());
  REQUIRE(addPlannedMeeting(schedule, 1, agendaAt("2026-12-20", "20:00")).ok());
  const auto view = scheduleView(schedule, at("2026-12-09", "09:00"), 15 * kMinute, fakeLocal);
  CHECK(view["revision"] == 2);
  REQUIRE(view["meetings"].size() == 2);
  CHECK(view["meetings"][0]["missed"] == true);
  CHECK(view["meetings"][1]["missed"] == false);
  CHECK(view["meetings"][1]["starts_at_ms"] == at("2026-12-20", "20:00"));
  CHECK(view["meetings"][1]["auto_start_at_ms"] == at("2026-12-20", "19:45"));
  CHECK(view["meetings"][1]["items"] == 1);
  CHECK(plannedLogId(*findPlanned(schedule, "p2")) == "seance-2026-12-20T20-00-p2");
}

TEST_CASE("a planned meeting's agenda is replaced before it starts, never after", "[schedule]") {
  Schedule schedule;
  REQUIRE(addPlannedMeeting(schedule, 0, agendaAt("2026-12-08", "20:00")).ok());
  auto edited = agendaAt("2026-12-08", "20:30");
  edited.items.push_back({"6 bis", "Voirie", "Mme Claire Martin", ItemKind::Deliberation});
  edited.councillors.push_back({"cm-01", "Mme Claire Martin", "Adjointe", ""});
  CHECK(replacePlannedAgenda(schedule, 0, "p1", edited).code == "conflict");
  REQUIRE(replacePlannedAgenda(schedule, 1, "p1", edited).ok());
  CHECK(schedule.meetings[0].agenda == edited);
  CHECK(schedule.revision == 2);
  CHECK(replacePlannedAgenda(schedule, 2, "p7", edited).code == "not_found");
  CHECK(replacePlannedAgenda(schedule, 2, "p1", agendaAt("2026-12-08", "")).code == "invalid_agenda");
  REQUIRE(setPlanState(schedule, "p1", PlanState::Running, "seance-x").ok());
  const auto started = replacePlannedAgenda(schedule, schedule.revision, "p1", agendaAt("2026-12-09", "20:00"));
  CHECK(started.code == "started");
  CHECK(schedule.meetings[0].agenda == edited);
}
