#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/meeting.h"
#include "core/meeting_event.h"
#include "meeting_fakes.h"

using namespace tribune;
using core::Layer;
using core::LayerState;
using core::Meeting;
using core::MeetingEvent;
using core::SourceTrack;
using core::StatusCode;
using testing::at;
using testing::demoMeeting;
using testing::overlayChanges;
using testing::typesOf;

namespace {

using Strings = std::vector<std::string>;

const LayerState& slateOf(const Meeting& meeting) { return meeting.overlays().state(Layer::Slate); }

bool shows(const Meeting& meeting, Layer layer, const std::string& templateName) {
  const auto& state = meeting.overlays().state(layer);
  return state.visible && state.templateName == templateName;
}

nlohmann::json otherLayers(const Meeting& meeting) {
  const auto overlays = meeting.snapshot().at("overlays");
  return {overlays.at("bug"), overlays.at("qr"), overlays.at("lower_third")};
}

std::string describe(const std::optional<LayerState>& held) {
  if (!held) return "none";
  return std::string(held->visible ? "shown " : "hidden ") + held->templateName;
}

Meeting replayed(const std::vector<MeetingEvent>& events) {
  Meeting meeting;
  for (const auto& event : events) {
    // Through the log's format: JSON text and back, as the event store keeps it.
    auto read = core::meetingEventFromJson(nlohmann::json::parse(core::toJson(event).dump()));
    REQUIRE(read);
    const auto result = meeting.apply(*read);
    INFO(event.type << " " << event.data.dump());
    REQUIRE(result.ok());
  }
  CHECK(meeting.takeEvents().empty());
  return meeting;
}

// An open session with the bug, the agenda lower-third and a QR code on air.
Meeting openMeeting() {
  auto meeting = demoMeeting();
  REQUIRE(meeting.showOverlay(Layer::Qr, "qr", {{"url", "https://demo.fr/q"}, {"caption", "Q"}}, at(1)).ok());
  REQUIRE(meeting.open(at(2)).ok());
  REQUIRE(shows(meeting, Layer::Bug, "bug"));
  REQUIRE(shows(meeting, Layer::LowerThird, "agenda"));
  REQUIRE_FALSE(slateOf(meeting).visible);
  meeting.takeEvents();
  return meeting;
}

void askAndApprove(Meeting& meeting, core::TimePoint now) {
  core::NewQuestion question;
  question.text = "Quand rouvre la piscine ?";
  question.author = "viewer-browser-00000000000001";
  question.askedMs = 1'790'000'000'000;
  REQUIRE(meeting.askQuestion(question, now).ok());
  REQUIRE(meeting.onQuestions([](core::QuestionBoard& b) { return b.approve(1, std::nullopt); }, now).ok());
}

}  // namespace

TEST_CASE("a video loss in an open session puts signal-lost on air and its return hides it", "[meeting][source]") {
  auto meeting = openMeeting();
  const auto others = otherLayers(meeting);
  CHECK(meeting.sourceUp(SourceTrack::Video));
  CHECK(meeting.sourceUp(SourceTrack::Audio));
  CHECK(meeting.snapshot().at("source") == nlohmann::json{{"video", "up"}, {"audio", "up"}});

  REQUIRE(meeting.sourceLost(SourceTrack::Video, "no_data", at(10)).ok());
  CHECK_FALSE(meeting.sourceUp(SourceTrack::Video));
  CHECK(meeting.sourceUp(SourceTrack::Audio));
  CHECK(shows(meeting, Layer::Slate, "signal-lost"));
  CHECK(slateOf(meeting).values.empty());
  CHECK(otherLayers(meeting) == others);
  CHECK(meeting.snapshot().at("source") == nlohmann::json{{"video", "lost"}, {"audio", "up"}});
  auto events = meeting.takeEvents();
  CHECK(typesOf(events) == Strings{"source_lost", "overlay_shown", "slate_held"});
  CHECK(events[0].data == nlohmann::json{{"track", "video"}, {"reason", "no_data"}});
  CHECK(events[0].at == at(10));
  CHECK(overlayChanges(events) == Strings{"overlay_shown slate signal-lost"});
  CHECK(events[2].data == nlohmann::json{{"visible", false}, {"template", ""}, {"values", nlohmann::json::object()}});
  CHECK(describe(meeting.slateBehindSignalLost()) == "hidden ");

  REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
  CHECK(meeting.sourceUp(SourceTrack::Video));
  CHECK_FALSE(slateOf(meeting).visible);
  CHECK(otherLayers(meeting) == others);
  CHECK_FALSE(meeting.slateBehindSignalLost());
  events = meeting.takeEvents();
  CHECK(typesOf(events) == Strings{"source_restored", "overlay_hidden"});
  CHECK(events[0].data == nlohmann::json{{"track", "video"}});
  CHECK(overlayChanges(events) == Strings{"overlay_hidden slate signal-lost"});
}

TEST_CASE("a video loss during a suspension brings the suspension slate back on its return", "[meeting][source]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.suspend(at(5)).ok());
  meeting.takeEvents();
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "error", at(10)).ok());
  CHECK(shows(meeting, Layer::Slate, "signal-lost"));
  CHECK(describe(meeting.slateBehindSignalLost()) == "shown suspension");
  meeting.takeEvents();
  REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
  CHECK(shows(meeting, Layer::Slate, "suspension"));
  CHECK(overlayChanges(meeting.takeEvents()) == Strings{"overlay_shown slate suspension"});
}

TEST_CASE("a suspension during a video loss keeps signal-lost on air and shows after the return", "[meeting][source]") {
  auto meeting = openMeeting();
  const auto others = otherLayers(meeting);
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "no_data", at(10)).ok());
  meeting.takeEvents();

  REQUIRE(meeting.suspend(at(11)).ok());
  CHECK(shows(meeting, Layer::Slate, "signal-lost"));
  CHECK(describe(meeting.slateBehindSignalLost()) == "shown suspension");
  auto events = meeting.takeEvents();
  CHECK(typesOf(events) == Strings{"session_changed", "slate_held"});
  CHECK(events[1].data ==
        nlohmann::json{{"visible", true}, {"template", "suspension"}, {"values", nlohmann::json::object()}});

  SECTION("the video comes back first: the suspension slate") {
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
    CHECK(shows(meeting, Layer::Slate, "suspension"));
    CHECK(otherLayers(meeting) == others);
  }
  SECTION("the session resumes first: no slate once the video is back") {
    REQUIRE(meeting.resume(at(12)).ok());
    CHECK(shows(meeting, Layer::Slate, "signal-lost"));
    CHECK(describe(meeting.slateBehindSignalLost()) == "hidden suspension");
    CHECK(overlayChanges(meeting.takeEvents()).empty());
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
    CHECK_FALSE(slateOf(meeting).visible);
    CHECK(overlayChanges(meeting.takeEvents()) == Strings{"overlay_hidden slate signal-lost"});
  }
}

TEST_CASE("the end of the broadcast during a video loss shows the ended slate on the return", "[meeting][source]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.close(at(3)).ok());
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "ended", at(10)).ok());
  REQUIRE(meeting.end(at(11)).ok());
  CHECK(shows(meeting, Layer::Slate, "signal-lost"));
  REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
  CHECK(shows(meeting, Layer::Slate, "ended"));
}

TEST_CASE("the opening during a video loss hides the waiting slate held behind signal-lost", "[meeting][source]") {
  auto meeting = demoMeeting();
  REQUIRE(meeting.showOverlay(Layer::Slate, "starting", {{"title", "Bientôt"}}, at(1)).ok());
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "no_data", at(2)).ok());
  CHECK(describe(meeting.slateBehindSignalLost()) == "shown starting");
  REQUIRE(meeting.slateBehindSignalLost()->values == core::OverlayValues{{"title", "Bientôt"}});
  meeting.takeEvents();
  REQUIRE(meeting.open(at(3)).ok());
  CHECK(shows(meeting, Layer::Slate, "signal-lost"));
  CHECK(shows(meeting, Layer::Bug, "bug"));  // the other layers follow the session as usual
  CHECK(shows(meeting, Layer::LowerThird, "agenda"));
  CHECK(overlayChanges(meeting.takeEvents()) == Strings{"overlay_shown bug bug", "overlay_shown lower_third agenda"});
  REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(4)).ok());
  CHECK_FALSE(slateOf(meeting).visible);

  SECTION("and a waiting slate comes back with its values when nothing happened") {
    auto waiting = demoMeeting();
    REQUIRE(waiting.showOverlay(Layer::Slate, "starting", {{"title", "Bientôt"}}, at(1)).ok());
    REQUIRE(waiting.sourceLost(SourceTrack::Video, "no_data", at(2)).ok());
    REQUIRE(waiting.sourceRestored(SourceTrack::Video, at(4)).ok());
    CHECK(shows(waiting, Layer::Slate, "starting"));
    CHECK(slateOf(waiting).values == core::OverlayValues{{"title", "Bientôt"}});
  }
}

TEST_CASE("a question on air during a suspension and a video loss changes the held slate only", "[meeting][source]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.suspend(at(3)).ok());
  askAndApprove(meeting, at(4));
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "no_data", at(5)).ok());
  meeting.takeEvents();

  REQUIRE(meeting.questionOnAir(1, at(6)).ok());
  CHECK(shows(meeting, Layer::LowerThird, "question"));
  CHECK(shows(meeting, Layer::Slate, "signal-lost"));
  CHECK(describe(meeting.slateBehindSignalLost()) == "hidden suspension");
  CHECK(overlayChanges(meeting.takeEvents()) == Strings{"overlay_shown lower_third question"});

  SECTION("the question leaves the air: the suspension slate is held again") {
    REQUIRE(meeting.questionOffAir(1, at(7)).ok());
    CHECK(describe(meeting.slateBehindSignalLost()) == "shown suspension");
    CHECK(shows(meeting, Layer::Slate, "signal-lost"));
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(8)).ok());
    CHECK(shows(meeting, Layer::Slate, "suspension"));
  }
  SECTION("the video comes back while the question is read: no slate over it") {
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(8)).ok());
    CHECK_FALSE(slateOf(meeting).visible);
    CHECK(shows(meeting, Layer::LowerThird, "question"));
  }
}

TEST_CASE("huis clos during a video loss shows its slate, and leaving it while the video is lost shows signal-lost",
          "[meeting][source]") {
  auto meeting = openMeeting();
  const auto others = otherLayers(meeting);
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "no_data", at(10)).ok());
  meeting.takeEvents();

  REQUIRE(meeting.enterHuisClos(at(11)).ok());
  CHECK(meeting.publicOutputsCut());
  CHECK(shows(meeting, Layer::Slate, "huis-clos"));
  CHECK_FALSE(meeting.slateBehindSignalLost());
  CHECK(overlayChanges(meeting.takeEvents()) == Strings{"overlay_shown slate huis-clos"});

  REQUIRE(meeting.leaveHuisClos(at(12)).ok());
  CHECK_FALSE(meeting.publicOutputsCut());
  CHECK(shows(meeting, Layer::Slate, "signal-lost"));
  CHECK(describe(meeting.slateBehindSignalLost()) == "hidden huis-clos");
  const auto events = meeting.takeEvents();
  CHECK(typesOf(events) == Strings{"session_changed", "overlay_shown", "slate_held"});
  CHECK(overlayChanges(events) == Strings{"overlay_shown slate signal-lost"});  // never without a slate

  REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
  CHECK_FALSE(slateOf(meeting).visible);
  CHECK(otherLayers(meeting) == others);
}

TEST_CASE("a video loss at huis clos leaves the huis-clos slate on air", "[meeting][source]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.enterHuisClos(at(5)).ok());
  meeting.takeEvents();
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "error", at(10)).ok());
  CHECK(shows(meeting, Layer::Slate, "huis-clos"));
  CHECK_FALSE(meeting.slateBehindSignalLost());
  CHECK(typesOf(meeting.takeEvents()) == Strings{"source_lost"});

  SECTION("the video back at huis clos changes nothing on the picture") {
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
    CHECK(shows(meeting, Layer::Slate, "huis-clos"));
    CHECK(typesOf(meeting.takeEvents()) == Strings{"source_restored"});
    REQUIRE(meeting.leaveHuisClos(at(21)).ok());
    CHECK_FALSE(slateOf(meeting).visible);
  }
  SECTION("leaving huis clos with the video still lost shows signal-lost") {
    REQUIRE(meeting.leaveHuisClos(at(12)).ok());
    CHECK(shows(meeting, Layer::Slate, "signal-lost"));
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
    CHECK_FALSE(slateOf(meeting).visible);
  }
}

TEST_CASE("an audio loss and return are recorded without touching the picture", "[meeting][source]") {
  auto meeting = openMeeting();
  const auto overlays = meeting.snapshot().at("overlays");
  REQUIRE(meeting.sourceLost(SourceTrack::Audio, "no_data", at(10)).ok());
  CHECK_FALSE(meeting.sourceUp(SourceTrack::Audio));
  CHECK(meeting.sourceUp(SourceTrack::Video));
  CHECK(meeting.snapshot().at("source") == nlohmann::json{{"video", "up"}, {"audio", "lost"}});
  auto events = meeting.takeEvents();
  CHECK(typesOf(events) == Strings{"source_lost"});
  CHECK(events[0].data == nlohmann::json{{"track", "audio"}, {"reason", "no_data"}});
  REQUIRE(meeting.sourceRestored(SourceTrack::Audio, at(20)).ok());
  events = meeting.takeEvents();
  CHECK(typesOf(events) == Strings{"source_restored"});
  CHECK(events[0].data == nlohmann::json{{"track", "audio"}});
  CHECK(meeting.snapshot().at("overlays") == overlays);
  CHECK(meeting.snapshot().at("source") == nlohmann::json{{"video", "up"}, {"audio", "up"}});
}

TEST_CASE("a repeated loss or return changes nothing and records nothing", "[meeting][source]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(1)).ok());
  REQUIRE(meeting.sourceRestored(SourceTrack::Audio, at(1)).ok());
  CHECK(meeting.takeEvents().empty());
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "no_data", at(2)).ok());
  REQUIRE(meeting.sourceLost(SourceTrack::Audio, "no_data", at(2)).ok());
  meeting.takeEvents();
  const auto before = meeting.snapshot();
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "error", at(3)).ok());
  REQUIRE(meeting.sourceLost(SourceTrack::Audio, "ended", at(3)).ok());
  CHECK(meeting.takeEvents().empty());
  CHECK(meeting.snapshot() == before);
  REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(4)).ok());
  REQUIRE(meeting.sourceRestored(SourceTrack::Audio, at(4)).ok());
  meeting.takeEvents();
  REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(5)).ok());
  REQUIRE(meeting.sourceRestored(SourceTrack::Audio, at(5)).ok());
  CHECK(meeting.takeEvents().empty());
}

TEST_CASE("a loss in every session state is recorded", "[meeting][source]") {
  auto meeting = demoMeeting();
  const std::vector<std::function<core::MeetingResult(Meeting&)>> path{
      [](Meeting& m) { return m.open(at(1)); },
      [](Meeting& m) { return m.suspend(at(1)); },
      [](Meeting& m) { return m.resume(at(1)); },
      [](Meeting& m) { return m.enterHuisClos(at(1)); },
      [](Meeting& m) { return m.leaveHuisClos(at(1)); },
      [](Meeting& m) { return m.close(at(1)); },
      [](Meeting& m) { return m.startPublicQuestions(at(1)); },
      [](Meeting& m) { return m.end(at(1)); },
  };
  for (std::size_t step = 0; step <= path.size(); ++step) {
    INFO("state " << toString(meeting.state()));
    meeting.takeEvents();
    REQUIRE(meeting.sourceLost(SourceTrack::Audio, "no_data", at(2)).ok());
    REQUIRE(meeting.sourceLost(SourceTrack::Video, "no_data", at(2)).ok());
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(3)).ok());
    REQUIRE(meeting.sourceRestored(SourceTrack::Audio, at(3)).ok());
    const auto types = typesOf(meeting.takeEvents());
    CHECK(std::count(types.begin(), types.end(), "source_lost") == 2);
    CHECK(std::count(types.begin(), types.end(), "source_restored") == 2);
    if (step < path.size()) REQUIRE(path[step](meeting).ok());
  }
  CHECK(meeting.state() == core::SessionState::Terminee);
  CHECK(shows(meeting, Layer::Slate, "ended"));
}

TEST_CASE("the technician's hand commands act on the real slate during a video loss", "[meeting][source]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.suspend(at(3)).ok());
  REQUIRE(meeting.sourceLost(SourceTrack::Video, "no_data", at(10)).ok());
  meeting.takeEvents();

  SECTION("a slate shown by hand replaces signal-lost and stays after the return") {
    REQUIRE(meeting.showOverlay(Layer::Slate, "starting", {}, at(11)).ok());
    CHECK(shows(meeting, Layer::Slate, "starting"));
    CHECK_FALSE(meeting.slateBehindSignalLost());
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
    CHECK(shows(meeting, Layer::Slate, "starting"));
    CHECK(typesOf(meeting.takeEvents()) == Strings{"overlay_shown", "source_restored"});
  }
  SECTION("signal-lost hidden by hand stays hidden after the return") {
    REQUIRE(meeting.hideOverlay(Layer::Slate, at(11)).ok());
    CHECK_FALSE(slateOf(meeting).visible);
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
    CHECK_FALSE(slateOf(meeting).visible);
  }
  SECTION("once the technician took the slate, the session's changes go on the picture again") {
    REQUIRE(meeting.hideOverlay(Layer::Slate, at(11)).ok());
    REQUIRE(meeting.resume(at(12)).ok());
    REQUIRE(meeting.suspend(at(13)).ok());
    CHECK(shows(meeting, Layer::Slate, "suspension"));
  }
  SECTION("values updated by hand on signal-lost keep the held slate") {
    REQUIRE(meeting.updateOverlay(Layer::Slate, {{"detail", "Caméra débranchée"}}, at(11)).ok());
    CHECK(shows(meeting, Layer::Slate, "signal-lost"));
    CHECK(describe(meeting.slateBehindSignalLost()) == "shown suspension");
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
    CHECK(shows(meeting, Layer::Slate, "suspension"));
  }
  SECTION("the other layers by hand are untouched by the loss and its return") {
    REQUIRE(meeting.hideOverlay(Layer::Qr, at(11)).ok());
    REQUIRE(meeting.showSpeaker("cm-02", at(12)).ok());
    const auto others = otherLayers(meeting);
    REQUIRE(meeting.sourceRestored(SourceTrack::Video, at(20)).ok());
    CHECK(otherLayers(meeting) == others);
    CHECK(shows(meeting, Layer::Slate, "suspension"));
  }
}

TEST_CASE("a source command with an unknown reason or track is refused and records nothing", "[meeting][source]") {
  auto meeting = openMeeting();
  auto result = meeting.sourceLost(SourceTrack::Video, "tired", at(1));
  CHECK(result.status == StatusCode::InvalidParams);
  CHECK_THAT(result.message, Catch::Contains("tired"));
  CHECK(meeting.sourceLost(SourceTrack::Audio, "", at(1)).status == StatusCode::InvalidParams);
  CHECK(meeting.sourceLost(static_cast<SourceTrack>(7), "error", at(1)).status == StatusCode::InvalidParams);
  CHECK(meeting.sourceRestored(static_cast<SourceTrack>(7), at(1)).status == StatusCode::InvalidParams);
  CHECK(meeting.sourceUp(SourceTrack::Video));
  CHECK(meeting.takeEvents().empty());
}

TEST_CASE("damaged source events are refused by apply and change nothing", "[meeting][source][replay]") {
  struct Case {
    std::string type;
    nlohmann::json data;
    std::string error;
  };
  auto meeting = openMeeting();
  REQUIRE(meeting.sourceLost(SourceTrack::Audio, "no_data", at(3)).ok());
  meeting.takeEvents();
  const auto visible = [](bool shown) {
    return nlohmann::json{{"visible", shown}, {"template", "suspension"}, {"values", nlohmann::json::object()}};
  };
  const std::vector<Case> cases{
      {"source_lost", {{"track", "picture"}, {"reason", "no_data"}}, "source_lost: expected"},
      {"source_lost", {{"track", 0}, {"reason", "no_data"}}, "source_lost: expected"},
      {"source_lost", {{"track", "video"}}, "source_lost: expected"},
      {"source_lost", {{"track", "video"}, {"reason", "tired"}}, "source_lost: expected"},
      {"source_lost", {{"track", "audio"}, {"reason", "error"}}, "source_lost: the audio is already lost"},
      {"source_restored", {{"track", "VIDEO"}}, "source_restored: expected"},
      {"source_restored", nlohmann::json::object(), "source_restored: expected"},
      {"source_restored", {{"track", "video"}}, "source_restored: the video is not lost"},
      {"slate_held", visible(true), "slate_held: the video is not lost"},
      {"slate_held", {{"visible", "yes"}, {"template", "suspension"}, {"values", {}}}, "slate_held: expected"},
      {"slate_held",
       {{"visible", true}, {"template", "vote"}, {"values", nlohmann::json::object()}},
       "slate_held: template vote is not allowed"},
      {"slate_held", {{"visible", true}, {"template", "suspension"}, {"values", {{"a", 1}}}}, "slate_held: expected"},
      {"source_lost", nlohmann::json::array(), "source_lost: expected an object"},
  };
  const auto before = meeting.snapshot();
  for (const auto& c : cases) {
    INFO(c.type << " " << c.data.dump());
    const auto result = meeting.apply({c.type, c.data, at(4)});
    CHECK_FALSE(result.ok());
    CHECK_THAT(result.error, Catch::StartsWith(c.error));
    CHECK(meeting.snapshot() == before);
    CHECK_FALSE(meeting.slateBehindSignalLost());
  }

  // A held slate needs signal-lost on the picture.
  REQUIRE(meeting.apply({"source_lost", {{"track", "video"}, {"reason", "no_data"}}, at(5)}).ok());
  const auto result = meeting.apply({"slate_held", visible(true), at(5)});
  CHECK(result.error == "slate_held: the signal-lost slate is not on air");
  CHECK_FALSE(meeting.slateBehindSignalLost());
}

TEST_CASE("a meeting rebuilt from the log in the middle of a video loss restores the same slate",
          "[meeting][source][replay]") {
  auto live = demoMeeting();
  REQUIRE(live.open(at(2)).ok());
  REQUIRE(live.suspend(at(3)).ok());
  REQUIRE(live.sourceLost(SourceTrack::Video, "no_data", at(4)).ok());
  REQUIRE(live.resume(at(5)).ok());
  REQUIRE(live.suspend(at(6)).ok());
  const auto log = live.takeEvents();

  auto recovered = replayed(log);  // the program restarted here
  CHECK(recovered.snapshot() == live.snapshot());
  CHECK(describe(recovered.slateBehindSignalLost()) == "shown suspension");
  REQUIRE(live.sourceRestored(SourceTrack::Video, at(7)).ok());
  REQUIRE(recovered.sourceRestored(SourceTrack::Video, at(7)).ok());
  const auto liveEvents = live.takeEvents();
  const auto recoveredEvents = recovered.takeEvents();
  REQUIRE(typesOf(recoveredEvents) == typesOf(liveEvents));
  for (std::size_t i = 0; i < liveEvents.size(); ++i) CHECK(recoveredEvents[i].data == liveEvents[i].data);
  CHECK(overlayChanges(recoveredEvents) == Strings{"overlay_shown slate suspension"});
  CHECK(recovered.snapshot() == live.snapshot());
}

TEST_CASE("replaying a long evening with source losses gives the same state and held slate after every step",
          "[meeting][source][replay]") {
  using M = Meeting;
  using T = core::TimePoint;
  const std::vector<std::function<core::MeetingResult(M&, T)>> steps{
      [](M& m, T t) {
        return m.showOverlay(Layer::Slate, "starting", {{"title", "Bientôt"}}, t);
      },
      [](M& m, T t) { return m.sourceLost(SourceTrack::Audio, "no_data", t); },
      [](M& m, T t) { return m.sourceLost(SourceTrack::Video, "no_data", t); },
      [](M& m, T t) { return m.sourceLost(SourceTrack::Video, "error", t); },  // repeat
      [](M& m, T t) { return m.open(t); },
      [](M& m, T t) { return m.sourceRestored(SourceTrack::Audio, t); },
      [](M& m, T t) { return m.showSpeaker("cm-01", t); },
      [](M& m, T t) { return m.sourceRestored(SourceTrack::Video, t); },
      [](M& m, T t) { return m.suspend(t); },
      [](M& m, T t) { return m.sourceLost(SourceTrack::Video, "error", t); },
      [](M& m, T t) {
        core::NewQuestion q;
        q.text = "Et le parking de la gare ?";
        q.author = "viewer-browser-00000000000001";
        q.askedMs = 1'790'000'000'000;
        return m.askQuestion(q, t);
      },
      [](M& m, T t) { return m.onQuestions([](core::QuestionBoard& b) { return b.approve(1, std::nullopt); }, t); },
      [](M& m, T t) { return m.questionOnAir(1, t); },
      [](M& m, T t) { return m.questionOffAir(1, t); },
      [](M& m, T t) { return m.resume(t); },
      [](M& m, T t) { return m.nextItem(t); },
      [](M& m, T t) { return m.enterHuisClos(t); },
      [](M& m, T t) { return m.hideOverlay(Layer::Slate, t); },  // refused at huis clos
      [](M& m, T t) { return m.leaveHuisClos(t); },
      [](M& m, T t) { return m.suspend(t); },
      [](M& m, T t) { return m.sourceRestored(SourceTrack::Video, t); },
      [](M& m, T t) { return m.resume(t); },
      [](M& m, T t) { return m.enterHuisClos(t); },
      [](M& m, T t) { return m.sourceLost(SourceTrack::Video, "ended", t); },
      [](M& m, T t) { return m.leaveHuisClos(t); },
      [](M& m, T t) { return m.showOverlay(Layer::Slate, "starting", {}, t); },
      [](M& m, T t) { return m.sourceRestored(SourceTrack::Video, t); },
      [](M& m, T t) { return m.hideOverlay(Layer::Slate, t); },
      [](M& m, T t) { return m.sourceLost(SourceTrack::Video, "no_data", t); },
      [](M& m, T t) {
        return m.updateOverlay(Layer::Slate, {{"detail", "Caméra"}}, t);
      },
      [](M& m, T t) { return m.close(t); },
      [](M& m, T t) { return m.sourceLost(SourceTrack::Audio, "error", t); },
      [](M& m, T t) { return m.end(t); },
      [](M& m, T t) { return m.sourceRestored(SourceTrack::Video, t); },
      [](M& m, T t) { return m.sourceLost(SourceTrack::Video, "sleepy", t); },  // refused
  };
  auto live = demoMeeting();
  std::vector<MeetingEvent> log = live.takeEvents();
  int refused = 0;
  double seconds = 1;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    INFO("step " << i);
    const auto result = steps[i](live, at(seconds));
    seconds += 11.5;
    if (!result.ok()) ++refused;
    for (auto& event : live.takeEvents()) log.push_back(std::move(event));
    const auto copy = replayed(log);
    CHECK(copy.snapshot() == live.snapshot());
    CHECK(describe(copy.slateBehindSignalLost()) == describe(live.slateBehindSignalLost()));
    if (copy.slateBehindSignalLost() && live.slateBehindSignalLost()) {
      CHECK(copy.slateBehindSignalLost()->values == live.slateBehindSignalLost()->values);
    }
  }
  CHECK(refused == 2);
  const auto types = typesOf(log);
  CHECK(std::count(types.begin(), types.end(), "source_lost") == 6);
  CHECK(std::count(types.begin(), types.end(), "source_restored") == 5);
  CHECK(live.state() == core::SessionState::Terminee);
  CHECK(shows(live, Layer::Slate, "ended"));
  CHECK(live.snapshot().at("source") == nlohmann::json{{"video", "up"}, {"audio", "lost"}});
}
