#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/meeting.h"
#include "meeting_fakes.h"

using namespace tribune;
using core::Layer;
using core::Meeting;
using core::SessionCommand;
using core::SessionState;
using core::StatusCode;
using testing::at;
using testing::demoMeeting;
using testing::overlayChanges;
using testing::typesOf;

namespace {

using S = SessionState;
using C = SessionCommand;

core::MeetingResult run(Meeting& meeting, C command, core::TimePoint now) {
  static const std::map<C, core::MeetingResult (Meeting::*)(core::TimePoint)> kMethods{
      {C::Open, &Meeting::open},
      {C::Suspend, &Meeting::suspend},
      {C::Resume, &Meeting::resume},
      {C::EnterHuisClos, &Meeting::enterHuisClos},
      {C::LeaveHuisClos, &Meeting::leaveHuisClos},
      {C::Close, &Meeting::close},
      {C::StartPublicQuestions, &Meeting::startPublicQuestions},
      {C::End, &Meeting::end},
  };
  return (meeting.*kMethods.at(command))(now);
}

// How to reach each state from a new meeting.
const std::map<S, std::vector<C>> kPathTo{
    {S::PreSeance, {}},
    {S::Ouverte, {C::Open}},
    {S::Suspension, {C::Open, C::Suspend}},
    {S::HuisClos, {C::Open, C::EnterHuisClos}},
    {S::Levee, {C::Open, C::Close}},
    {S::QuestionsPublic, {C::Open, C::Close, C::StartPublicQuestions}},
    {S::Terminee, {C::Open, C::Close, C::End}},
};

Meeting meetingIn(S state) {
  auto meeting = demoMeeting();
  for (const auto command : kPathTo.at(state)) REQUIRE(run(meeting, command, at(1)).ok());
  REQUIRE(meeting.state() == state);
  meeting.takeEvents();
  return meeting;
}

}  // namespace

TEST_CASE("a new meeting is in pré-séance with nothing on air and says it was created", "[meeting][session]") {
  auto meeting = demoMeeting();
  CHECK(meeting.id() == "conseil-2026-12-03");
  CHECK(meeting.state() == S::PreSeance);
  CHECK_FALSE(meeting.currentIndex());
  CHECK(meeting.currentItem() == nullptr);
  CHECK(meeting.votes().empty());
  CHECK_FALSE(meeting.speaker());
  for (const auto layer : {Layer::Bug, Layer::Qr, Layer::LowerThird, Layer::Slate}) {
    CHECK_FALSE(meeting.overlays().state(layer).visible);
  }
  const auto events = meeting.takeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "meeting_created");
  CHECK(events[0].data.at("id") == "conseil-2026-12-03");
  CHECK(events[0].data.at("agenda").at("items").size() == 5);
  CHECK(events[0].at == at(0));
}

TEST_CASE("every session command in every state: legal ones change state, the others are refused with no event",
          "[meeting][session]") {
  for (const auto state : core::kAllSessionStates) {
    for (const auto command : core::kAllSessionCommands) {
      INFO(core::toString(state) << " + " << core::toString(command));
      auto meeting = meetingIn(state);
      const auto before = meeting.snapshot();
      const auto result = run(meeting, command, at(100));
      const auto expected = core::transition(state, command);
      if (expected.to) {
        CHECK(result.ok());
        CHECK(result.code == "ok");
        CHECK(meeting.state() == *expected.to);
        const auto events = meeting.takeEvents();
        REQUIRE_FALSE(events.empty());
        CHECK(events[0].type == "session_changed");
        CHECK(events[0].data == nlohmann::json{{"from", core::toString(state)}, {"to", core::toString(*expected.to)}});
        CHECK(events[0].at == at(100));
      } else {
        CHECK(result.status == StatusCode::IllegalTransition);
        CHECK(result.code == "illegal_transition");
        CHECK(result.message == expected.refusal);
        CHECK(meeting.state() == state);
        CHECK(meeting.takeEvents().empty());
        CHECK(meeting.snapshot() == before);
      }
    }
  }
}

TEST_CASE("graphics follow the session: each command puts its slate or lower-third on air", "[meeting][graphics]") {
  struct Case {
    S from;
    C command;
    std::vector<std::string> changes;
  };
  const std::vector<Case> cases{
      {S::PreSeance, C::Open, {"overlay_shown bug bug", "overlay_shown lower_third agenda"}},
      {S::Ouverte, C::Suspend, {"overlay_shown slate suspension"}},
      {S::Suspension, C::Resume, {"overlay_hidden slate suspension"}},
      {S::Ouverte, C::EnterHuisClos, {"overlay_shown slate huis-clos"}},
      {S::HuisClos, C::LeaveHuisClos, {"overlay_hidden slate huis-clos"}},
      {S::Ouverte, C::Close, {"overlay_hidden lower_third agenda"}},
      {S::Levee, C::StartPublicQuestions, {}},
      {S::Levee, C::End, {"overlay_shown slate ended"}},
      {S::QuestionsPublic, C::End, {"overlay_shown slate ended"}},
  };
  for (const auto& c : cases) {
    INFO(core::toString(c.from) << " + " << core::toString(c.command));
    auto meeting = meetingIn(c.from);
    REQUIRE(run(meeting, c.command, at(5)).ok());
    CHECK(overlayChanges(meeting.takeEvents()) == c.changes);
  }
}

TEST_CASE("opening makes the first item current and shows its lower-third with number, title, rapporteur",
          "[meeting][graphics]") {
  auto meeting = demoMeeting();
  meeting.takeEvents();
  REQUIRE(meeting.open(at(10)).ok());
  const auto events = meeting.takeEvents();
  CHECK(typesOf(events) ==
        std::vector<std::string>{"session_changed", "overlay_shown", "item_changed", "overlay_shown"});
  CHECK(events[2].data == nlohmann::json{{"index", 0}, {"number", "1"}});
  REQUIRE(meeting.currentIndex() == 0u);
  const auto& lowerThird = meeting.overlays().state(Layer::LowerThird);
  CHECK(lowerThird.visible);
  CHECK(lowerThird.templateName == "agenda");
  CHECK(lowerThird.values ==
        core::OverlayValues{{"number", "1"},
                            {"title", "Approbation du procès-verbal de la séance du 15 octobre 2026"},
                            {"rapporteur", "M. Bernard Lefèvre, maire"}});
  CHECK(meeting.overlays().state(Layer::Bug).visible);
}

TEST_CASE("opening keeps the item chosen in pré-séance and takes the waiting slate off", "[meeting][graphics]") {
  auto meeting = demoMeeting();
  REQUIRE(meeting.showOverlay(Layer::Slate, "starting", {}, at(1)).ok());
  REQUIRE(meeting.jumpTo("2", at(2)).ok());
  REQUIRE(meeting.showOverlay(Layer::Bug, "bug", {}, at(3)).ok());
  meeting.takeEvents();
  REQUIRE(meeting.open(at(10)).ok());
  const auto events = meeting.takeEvents();
  CHECK(testing::firstOfType(events, "item_changed") == nullptr);
  CHECK(overlayChanges(events) ==
        std::vector<std::string>{"overlay_hidden slate starting", "overlay_shown lower_third agenda"});
  CHECK(meeting.overlays().state(Layer::LowerThird).values.at("number") == "2");
}

TEST_CASE("an item changed during a suspension is on the lower-third when the session resumes", "[meeting][graphics]") {
  auto meeting = meetingIn(S::Suspension);
  REQUIRE(meeting.nextItem(at(20)).ok());
  CHECK(overlayChanges(meeting.takeEvents()).empty());  // nothing changes under the slate
  REQUIRE(meeting.resume(at(30)).ok());
  CHECK(overlayChanges(meeting.takeEvents()) ==
        std::vector<std::string>{"overlay_hidden slate suspension", "overlay_updated lower_third agenda"});
  CHECK(meeting.overlays().state(Layer::LowerThird).values.at("number") == "2");
}

TEST_CASE("huis clos cuts every public output and pauses the recording unless asked to keep it",
          "[meeting][huis-clos]") {
  for (const auto state : core::kAllSessionStates) {
    INFO(core::toString(state));
    const auto meeting = meetingIn(state);
    const bool huisClos = state == S::HuisClos;
    CHECK(meeting.publicOutputsCut() == huisClos);
    CHECK(meeting.recordingPaused(false) == huisClos);
    CHECK_FALSE(meeting.recordingPaused(true));
    CHECK(meeting.snapshot().at("session").at("public_outputs_cut") == huisClos);
  }
}

TEST_CASE("at huis clos the huis-clos slate stays on air whatever is asked by hand", "[meeting][huis-clos]") {
  auto meeting = meetingIn(S::HuisClos);
  const auto hide = meeting.hideOverlay(Layer::Slate, at(1));
  CHECK(hide.status == StatusCode::WrongState);
  CHECK_THAT(hide.message, Catch::Contains("huis clos"));
  CHECK(meeting.showOverlay(Layer::Slate, "ended", {}, at(2)).status == StatusCode::WrongState);
  CHECK(meeting.takeEvents().empty());
  CHECK(meeting.overlays().state(Layer::Slate).visible);
  CHECK(meeting.overlays().state(Layer::Slate).templateName == "huis-clos");
  REQUIRE(meeting.leaveHuisClos(at(3)).ok());
  CHECK_FALSE(meeting.publicOutputsCut());
  CHECK_FALSE(meeting.overlays().state(Layer::Slate).visible);
}

TEST_CASE("the end slate closes the broadcast after the public's questions", "[meeting][graphics]") {
  auto meeting = meetingIn(S::QuestionsPublic);
  CHECK(core::publicMayBeHeard(meeting.state()));
  REQUIRE(meeting.end(at(1)).ok());
  CHECK(meeting.overlays().state(Layer::Slate).templateName == "ended");
  CHECK_FALSE(core::publicMayBeHeard(meeting.state()));
}
