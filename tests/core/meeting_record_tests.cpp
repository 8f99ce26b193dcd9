// The meeting's data for the minutes (core/meeting_record.h): the JSON record and the
// clerk's Markdown summary.
#include <catch2/catch.hpp>

#include "core/meeting.h"
#include "core/meeting_record.h"
#include "core/replay_plan.h"
#include "meeting_fakes.h"

using namespace tribune;

namespace {

constexpr std::int64_t kEpochMs = 1'800'000'000'000;

struct Recorded {
  core::Meeting meeting = testing::demoMeeting();
  std::vector<core::LoggedEvent> events;
  void take(double t) {
    for (auto& event : meeting.takeEvents()) {
      events.push_back({events.size() + 1, event.type, event.data, kEpochMs + static_cast<std::int64_t>(t * 1000),
                        static_cast<std::int64_t>(t * 1e9)});
    }
  }
};

// "HH:MM" of the program second, in a fixed UTC+1 for the test.
std::string wallClock(std::int64_t wallMs) {
  const auto s = (wallMs - kEpochMs) / 1000;
  char text[64];
  std::snprintf(text, sizeof text, "2026-12-03T19:%02lld:%02lld+01:00", static_cast<long long>(s / 60 % 60),
                static_cast<long long>(s % 60));
  return text;
}

Recorded votedMeeting() {
  Recorded r;
  r.take(0);
  REQUIRE(r.meeting.recordingStarted({"a.mkv", kEpochMs, 0}, testing::at(0)).ok());
  r.take(0);
  REQUIRE(r.meeting.open(testing::at(60)).ok());
  r.take(60);
  REQUIRE(r.meeting
              .recordVote(core::Vote::publicBallot("1", {{"cm-01", core::Choice::Pour},
                                                         {"cm-02", core::Choice::Pour},
                                                         {"cm-05", core::Choice::Contre}}),
                          testing::at(120))
              .ok());
  r.take(120);
  REQUIRE(
      r.meeting
          .askQuestion({"Et le *parking* ?", "", "Jeanne", "Centre", "browser-1", {}, 0, "site", ""}, testing::at(130))
          .ok());
  r.take(130);
  REQUIRE(r.meeting.nextItem(testing::at(180)).ok());
  r.take(180);
  REQUIRE(r.meeting.recordVote(core::Vote::secretBallot("2", {3, 1, 1, 0}), testing::at(240)).ok());
  r.take(240);
  REQUIRE(r.meeting.suspend(testing::at(300)).ok());
  r.take(300);
  REQUIRE(r.meeting.resume(testing::at(360)).ok());
  r.take(360);
  REQUIRE(r.meeting.close(testing::at(420)).ok());
  r.take(420);
  return r;
}

}  // namespace

TEST_CASE("meeting record: the session, the items with their decisions, names only for a public ballot") {
  const auto r = votedMeeting();
  const auto record = core::meetingRecord(r.meeting, r.events, {}, wallClock);
  CHECK(record.at("schema") == "tribune-meeting/1");
  const auto& session = record.at("session");
  CHECK(session.at("id") == "conseil-2026-12-03");
  CHECK(session.at("commune") == "Ville de Démo");
  CHECK(session.at("opened_at") == "2026-12-03T19:01:00+01:00");
  CHECK(session.at("closed_at") == "2026-12-03T19:07:00+01:00");
  CHECK(session.at("ended_at").is_null());
  CHECK(session.at("suspensions") ==
        nlohmann::json::parse(R"([{"from": "2026-12-03T19:05:00+01:00", "to": "2026-12-03T19:06:00+01:00"}])"));
  const auto& items = record.at("items");
  REQUIRE(items.size() == 5);
  const auto& first = items[0].at("decision");
  CHECK(first.at("ballot") == "public");
  CHECK(first.at("result") == "adopte");
  CHECK(first.at("counts") == nlohmann::json{{"pour", 2}, {"contre", 1}, {"abstention", 0}, {"npp", 0}});
  CHECK(first.at("votes") == nlohmann::json::parse(R"([
      {"person": "cm-01", "name": "M. Bernard Lefèvre", "choice": "pour"},
      {"person": "cm-02", "name": "Mme Claire Martin", "choice": "pour"},
      {"person": "cm-05", "name": "Mme Anne Dubois", "choice": "contre"}])"));
  const auto& second = items[1].at("decision");
  CHECK(second.at("ballot") == "secret");
  CHECK(second.at("votes").empty());
  CHECK(second.at("counts").at("pour") == 3);
  CHECK(items[2].at("decision").is_null());
  CHECK(record.at("replay").is_null());
  CHECK(record.at("persons").size() == 5);
  CHECK(record.at("questions") == nlohmann::json{{"total", 1}, {"pending", 1}});
}

TEST_CASE("meeting record: the timeline keeps the meeting's events, never a question's text nor the graphics") {
  const auto r = votedMeeting();
  const auto record = core::meetingRecord(r.meeting, r.events, {}, wallClock);
  std::vector<std::string> types;
  for (const auto& entry : record.at("timeline")) types.push_back(entry.at("type"));
  CHECK(types == std::vector<std::string>{"meeting_created", "recording_started", "session_changed", "item_changed",
                                          "vote_recorded", "item_changed", "vote_recorded", "session_changed",
                                          "session_changed", "session_changed"});
  CHECK(record.dump().find("parking") == std::string::npos);
  CHECK(record.dump().find("browser-1") == std::string::npos);
  const auto& opened = record.at("timeline")[2];
  CHECK(opened.at("program_s") == 60.0);
  CHECK(opened.at("at") == "2026-12-03T19:01:00+01:00");
  CHECK(opened.at("data") == nlohmann::json{{"from", "pre_seance"}, {"to", "seance_ouverte"}});
  CHECK(record.at("timeline")[0].at("data") == nlohmann::json::object());  // the agenda is in "items"
}

TEST_CASE("meeting record: with a replay, its chapters and where each item starts in it") {
  const auto r = votedMeeting();
  core::FileScan scan;
  for (std::int64_t t = 0; t < 500; t += 2) scan.keyFramesNs.push_back(t * 1'000'000'000);
  scan.spans.push_back({0, 500'000'000'000});
  const auto plan = core::planReplay(r.events, r.meeting.agenda(), {{"a.mkv", scan}});
  const auto record = core::meetingRecord(r.meeting, r.events, plan, wallClock);
  const auto& replay = record.at("replay");
  CHECK(replay.at("duration_s") == 440.0);  // 60 -> 500 (no end: the whole file)
  CHECK(replay.at("chapters")[0].at("start_s") == 0.0);
  CHECK(record.at("items")[0].at("replay_start_s") == 0.0);
  CHECK(record.at("items")[1].at("replay_start_s") == 120.0);
  CHECK(record.at("items")[2].at("replay_start_s").is_null());
}

TEST_CASE("meeting record: the clerk's summary names the voters and escapes the agenda's text") {
  auto r = votedMeeting();
  const auto record = core::meetingRecord(r.meeting, r.events, {}, wallClock);
  const auto summary = core::meetingSummary(record);
  CHECK(summary.rfind("# Conseil municipal — Ville de Démo\n", 0) == 0);
  CHECK(summary.find("- Ouverture de la séance : 19h01\n") != std::string::npos);
  CHECK(summary.find("- Suspension : de 19h05 à 19h06\n") != std::string::npos);
  CHECK(summary.find("- Vote public : **Adopté** — pour 2, contre 1, abstention 0, ne prend pas part 0\n") !=
        std::string::npos);
  CHECK(summary.find("  - Pour : M. Bernard Lefèvre, Mme Claire Martin\n") != std::string::npos);
  CHECK(summary.find("  - Contre : Mme Anne Dubois\n") != std::string::npos);
  CHECK(summary.find("- Vote à bulletin secret : **Adopté** — pour 3, contre 1") != std::string::npos);
  CHECK(summary.find("- Reçues : 1\n") != std::string::npos);

  auto hostile = record;
  hostile["items"][0]["title"] = "Budget *urgent* <script>x</script> [lien](http://x)";
  const auto escaped = core::meetingSummary(hostile);
  CHECK(escaped.find("### 1. Budget \\*urgent\\* \\<script\\>x\\</script\\> \\[lien\\](http://x)\n") !=
        std::string::npos);
}
