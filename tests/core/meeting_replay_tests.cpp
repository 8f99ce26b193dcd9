#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/agenda_json.h"
#include "core/meeting.h"
#include "meeting_fakes.h"

using namespace tribune;
using core::Choice;
using core::Layer;
using core::Meeting;
using core::MeetingEvent;
using core::Vote;
using testing::at;

namespace {

// Through the log's format: JSON text and back, as the event store keeps it.
MeetingEvent throughText(const MeetingEvent& event) {
  auto read = core::meetingEventFromJson(nlohmann::json::parse(core::toJson(event).dump()));
  REQUIRE(read);
  return *read;
}

Meeting replayed(const std::vector<MeetingEvent>& events) {
  Meeting meeting;
  for (const auto& event : events) {
    const auto result = meeting.apply(throughText(event));
    INFO(event.type << " " << event.data.dump());
    REQUIRE(result.ok());
  }
  CHECK(meeting.takeEvents().empty());  // replaying records nothing
  return meeting;
}

// An evening: pré-séance, opening, items, speakers, votes of both kinds, a suspension, a
// huis clos with a vote, graphics by hand, closing, the public's questions, the end; with
// refused commands in between, which must leave no trace.
std::vector<std::function<core::MeetingResult(Meeting&, core::TimePoint)>> anEvening() {
  using M = Meeting;
  using T = core::TimePoint;
  return {
      [](M& m, T t) { return m.showOverlay(Layer::Slate, "starting", {}, t); },
      [](M& m, T t) {
        return m.showOverlay(Layer::Qr, "qr", {{"url", "https://demo.fr/q"}, {"caption", "Q"}}, t);
      },
      [](M& m, T t) { return m.suspend(t); },  // refused
      [](M& m, T t) { return m.nextItem(t); },
      [](M& m, T t) { return m.showSpeaker("cm-01", t); },
      [](M& m, T t) { return m.open(t); },
      [](M& m, T t) { return m.previousItem(t); },  // refused
      [](M& m, T t) { return m.showSpeaker("cm-01", t); },
      [](M& m, T t) {
        return m.recordVote(Vote::publicBallot("1", {{"cm-01", Choice::Pour},
                                                     {"cm-02", Choice::Pour},
                                                     {"cm-03", Choice::Pour},
                                                     {"cm-04", Choice::Pour},
                                                     {"cm-05", Choice::Pour}}),
                            t);
      },
      [](M& m, T t) { return m.nextItem(t); },
      [](M& m, T t) { return m.showSpeaker("cm-02", t); },
      [](M& m, T t) { return m.showSpeaker("cm-05", t); },
      [](M& m, T t) { return m.hideSpeaker(t); },
      [](M& m, T t) {
        return m.recordVote(Vote::publicBallot("2", {{"cm-01", Choice::Pour},
                                                     {"cm-02", Choice::Pour},
                                                     {"cm-05", Choice::Contre},
                                                     {"cm-04", Choice::Abstention}}),
                            t);
      },
      [](M& m, T t) {
        return m.recordVote(Vote::secretBallot("2", {3, 1, 1, 0}), t);
      },  // replaces
      [](M& m, T t) { return m.suspend(t); },
      [](M& m, T t) {
        core::NewQuestion q;
        q.text = "Et le parking de la gare ?";
        q.author = "viewer-browser-00000000000001";
        q.askedMs = 1'790'000'000'000;
        return m.askQuestion(q, t);
      },
      [](M& m, T t) {
        core::NewQuestion q;
        q.text = "Quand rouvre la piscine ?";
        q.author = "viewer-browser-00000000000002";
        q.askedMs = 1'790'000'000'000;
        return m.askQuestion(q, t);
      },
      [](M& m, T t) { return m.onQuestions([](core::QuestionBoard& b) { return b.approve(1, std::nullopt); }, t); },
      [](M& m, T t) { return m.onQuestions([](core::QuestionBoard& b) { return b.approve(2, std::nullopt); }, t); },
      [](M& m, T t) {
        return m.onQuestions([](core::QuestionBoard& b) { return b.move(2, core::QueueMove::Top); }, t);
      },
      [](M& m, T t) {
        return m.onQuestions([](core::QuestionBoard& b) { return b.upvote(1, "viewer-browser-00000000000002"); }, t);
      },
      [](M& m, T t) { return m.questionOnAir(2, t); },
      [](M& m, T t) { return m.nextItem(t); },
      [](M& m, T t) { return m.resume(t); },
      [](M& m, T t) { return m.enterHuisClos(t); },
      [](M& m, T t) { return m.hideOverlay(Layer::Slate, t); },  // refused
      [](M& m, T t) {
        return m.recordVote(Vote::secretBallot("6 bis", {2, 2, 1, 0}), t);
      },
      [](M& m, T t) { return m.resume(t); },  // refused: explicit exit only
      [](M& m, T t) { return m.leaveHuisClos(t); },
      [](M& m, T t) { return m.jumpTo("8", t); },
      [](M& m, T t) {
        return m.recordVote(Vote::secretBallot("8", {2, 0, 0, 0}), t);
      },  // refused
      [](M& m, T t) {
        return m.updateOverlay(Layer::LowerThird, {{"rapporteur", "M. Rousseau"}}, t);
      },
      [](M& m, T t) { return m.nextItem(t); },
      [](M& m, T t) { return m.nextItem(t); },  // refused: last item
      [](M& m, T t) {
        return m.showOverlay(Layer::LowerThird, "question",
                             {{"text", "Et le parking ?"}, {"pseudonym", ""}, {"quartier", "Centre"}}, t);
      },
      [](M& m, T t) { return m.close(t); },
      [](M& m, T t) { return m.questionOnAir(1, t); },  // refused: séance levée
      [](M& m, T t) { return m.startPublicQuestions(t); },
      [](M& m, T t) { return m.questionOnAir(1, t); },
      [](M& m, T t) { return m.questionAnswered(1, t); },
      [](M& m, T t) { return m.onQuestions([](core::QuestionBoard& b) { return b.setPrescreen(false); }, t); },
      [](M& m, T t) { return m.showSpeaker("cm-01", t); },
      [](M& m, T t) { return m.hideOverlay(Layer::Bug, t); },
      [](M& m, T t) { return m.end(t); },
      [](M& m, T t) { return m.end(t); },  // refused
  };
}

}  // namespace

TEST_CASE("replaying all the events of a long session into a fresh meeting gives the same state after every step",
          "[meeting][replay]") {
  auto live = testing::demoMeeting();
  std::vector<MeetingEvent> log = live.takeEvents();
  int refused = 0;
  double seconds = 1;
  for (const auto& step : anEvening()) {
    const auto result = step(live, at(seconds));
    seconds += 37.5;
    if (!result.ok()) ++refused;
    for (auto& event : live.takeEvents()) log.push_back(std::move(event));
    CHECK(replayed(log).snapshot() == live.snapshot());
  }
  CHECK(refused == 8);
  CHECK(log.size() > 50);
  const auto final = replayed(log);
  CHECK(final.state() == core::SessionState::Terminee);
  CHECK(final.votes().size() == 3);
  CHECK(final.votes().at("6 bis").huisClos);
  CHECK(final.votes().at("2").ballot == core::Ballot::Secret);
}

TEST_CASE("the snapshot holds the whole meeting", "[meeting][replay]") {
  auto meeting = testing::demoMeeting();
  REQUIRE(meeting.open(at(1)).ok());
  REQUIRE(meeting.showSpeaker("cm-02", at(2)).ok());
  const auto snapshot = meeting.snapshot();
  CHECK(snapshot.at("id") == "conseil-2026-12-03");
  CHECK(snapshot.at("agenda").at("councillors").size() == 5);
  CHECK(snapshot.at("session") == nlohmann::json{{"state", "seance_ouverte"},
                                                 {"label", "Séance ouverte"},
                                                 {"public_may_be_heard", false},
                                                 {"public_outputs_cut", false}});
  CHECK(snapshot.at("current_item").at("number") == "1");
  CHECK(snapshot.at("current_item").at("kind") == "deliberation");
  CHECK(snapshot.at("votes") == nlohmann::json::object());
  CHECK(snapshot.at("speaker").at("name") == "Mme Claire Martin");
  CHECK(snapshot.at("overlays").at("lower_third").at("template") == "speaker");
  CHECK(snapshot.at("overlays").at("bug").at("visible") == true);
  CHECK(snapshot.at("overlays").size() == 4);
}

TEST_CASE("the agenda in events is written in the agenda file's schema", "[meeting][replay]") {
  const auto agenda = testing::demoAgenda();
  const auto json = core::agendaToJson(agenda);
  const auto parsed = core::parseAgendaJson(json.dump());
  INFO(json.dump(2));
  REQUIRE(parsed.ok());
  CHECK(parsed.agenda == agenda);
  const auto back = core::agendaFromJson(json);
  REQUIRE(back.agenda);
  CHECK(*back.agenda == agenda);
  CHECK(core::agendaFromJson(nlohmann::json{{"items", {{{"title", 3}}}}}).error ==
        "agenda.items[0].title: attendu une chaîne");
  CHECK_FALSE(core::agendaFromJson(nlohmann::json{{"items", {{{"kind", "vote"}}}}}).agenda);
}

TEST_CASE("an unknown event type is a clear error, never a crash, and changes nothing", "[meeting][replay]") {
  auto meeting = testing::demoMeeting();
  const auto before = meeting.snapshot();
  const auto result = meeting.apply({"petition_submitted", {{"text", "?"}}, at(1)});
  CHECK_FALSE(result.ok());
  CHECK_THAT(result.error,
             Catch::StartsWith("unknown event type \"petition_submitted\"; known types: meeting_created"));
  const auto question = meeting.apply({"question_submitted", {{"id", 1}}, at(1)});
  CHECK_THAT(question.error, Catch::StartsWith("unknown event type \"question_submitted\"; known question types: "
                                               "question_asked, question_approved"));
  CHECK(meeting.snapshot() == before);
}

TEST_CASE("a damaged event is refused with its type and changes nothing", "[meeting][replay]") {
  struct Case {
    std::string type;
    nlohmann::json data;
  };
  const std::vector<Case> cases{
      {"meeting_created", {{"id", 3}, {"agenda", nlohmann::json::object()}}},
      {"meeting_created", {{"id", "x"}}},
      {"meeting_created", {{"id", "x"}, {"agenda", {{"items", "none"}}}}},
      {"agenda_loaded", {{"agenda", nlohmann::json::array()}}},
      {"session_changed", {{"from", "pre_seance"}, {"to", "terminee"}}},        // no such transition
      {"session_changed", {{"from", "seance_ouverte"}, {"to", "suspension"}}},  // not the current state
      {"session_changed", {{"from", "pre_seance"}, {"to", "open"}}},
      {"session_changed", {{"from", 0}, {"to", 1}}},
      {"item_changed", {{"index", 9}, {"number", "9"}}},
      {"item_changed", {{"index", 1}, {"number", "1"}}},  // number does not match
      {"item_changed", {{"index", -1}, {"number", "1"}}},
      {"item_changed", {{"index", "0"}, {"number", "1"}}},
      {"vote_recorded", {{"item", "1"}}},
      {"vote_recorded", core::toJson(Vote::secretBallot("99", {1, 0, 0, 0}))},
      {"vote_recorded", core::toJson(Vote::publicBallot("1", {{"cm-99", Choice::Pour}}))},
      {"speaker_changed", {{"councillor", "cm-99"}}},
      {"speaker_changed", {{"councillor", 1}}},
      {"speaker_changed", nlohmann::json::object()},
      {"overlay_shown", {{"layer", "slate"}, {"template", "vote"}, {"values", nlohmann::json::object()}}},
      {"overlay_shown", {{"layer", "sky"}, {"template", "bug"}, {"values", nlohmann::json::object()}}},
      {"overlay_updated", {{"layer", "bug"}, {"template", "bug"}, {"values", {{"a", 1}}}}},
      {"overlay_hidden", {{"layer", "bug"}, {"template", "bug"}}},
      {"overlay_shown", nlohmann::json::array()},
      {"session_changed", "open"},
  };
  for (const auto& c : cases) {
    INFO(c.type << " " << c.data.dump());
    auto meeting = testing::demoMeeting();
    const auto before = meeting.snapshot();
    const auto result = meeting.apply({c.type, c.data, at(1)});
    CHECK_FALSE(result.ok());
    CHECK_THAT(result.error, Catch::StartsWith(c.type) || Catch::StartsWith("overlay event"));
    CHECK(meeting.snapshot() == before);
  }
}

TEST_CASE("the agenda cannot be replaced by a replayed event once the session is open", "[meeting][replay]") {
  auto meeting = testing::demoMeeting();
  REQUIRE(meeting.open(at(1)).ok());
  const auto result = meeting.apply({"agenda_loaded", {{"agenda", core::agendaToJson(testing::demoAgenda())}}, at(2)});
  CHECK_FALSE(result.ok());
  CHECK_THAT(result.error, Catch::Contains("not pre_seance"));
}

TEST_CASE("events keep their time through the log's JSON, to the millisecond", "[meeting][replay]") {
  const MeetingEvent event{"speaker_changed", {{"councillor", nullptr}}, at(3723.456)};
  const auto json = core::toJson(event);
  CHECK(json.at("at_ms") == 3723456);
  const auto back = core::meetingEventFromJson(json);
  REQUIRE(back);
  CHECK(back->type == event.type);
  CHECK(back->data == event.data);
  CHECK(back->at == event.at);
  CHECK_FALSE(core::meetingEventFromJson(nlohmann::json{{"type", "x"}}));
  CHECK_FALSE(core::meetingEventFromJson(nlohmann::json{{"type", "x"}, {"data", {}}, {"at_ms", "now"}}));
  CHECK_FALSE(core::meetingEventFromJson(
      nlohmann::json{{"type", "x"}, {"data", nlohmann::json::object()}, {"at_ms", INT64_MAX}}));
  CHECK_FALSE(core::meetingEventFromJson(nlohmann::json::array()));
}
