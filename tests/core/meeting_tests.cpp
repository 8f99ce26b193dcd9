#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/meeting.h"
#include "meeting_fakes.h"

using namespace tribune;
using core::Choice;
using core::Layer;
using core::Meeting;
using core::StatusCode;
using core::Vote;
using testing::at;
using testing::demoMeeting;
using testing::overlayChanges;
using testing::typesOf;

namespace {

Meeting openMeeting() {
  auto meeting = demoMeeting();
  REQUIRE(meeting.open(at(1)).ok());
  meeting.takeEvents();
  return meeting;
}

void requireRefusedQuietly(Meeting& meeting, const core::MeetingResult& result, StatusCode status) {
  INFO(result.message);
  CHECK(result.status == status);
  CHECK(result.code == core::toString(status));
  CHECK_FALSE(result.message.empty());
  CHECK(meeting.takeEvents().empty());
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Agenda navigation

TEST_CASE("next walks the agenda item by item and the lower-third follows", "[meeting][agenda]") {
  auto meeting = openMeeting();
  for (const auto* number : {"2", "6 bis", "8", "QD1"}) {
    INFO(number);
    REQUIRE(meeting.nextItem(at(2)).ok());
    const auto events = meeting.takeEvents();
    CHECK(typesOf(events) == std::vector<std::string>{"item_changed", "overlay_shown"});
    CHECK(events[0].data.at("number") == number);
    CHECK(meeting.currentItem()->number == number);
    CHECK(meeting.overlays().state(Layer::LowerThird).values.at("number") == number);
  }
}

TEST_CASE("next on the last item is refused with a French message", "[meeting][agenda]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.jumpTo("QD1", at(2)).ok());
  meeting.takeEvents();
  const auto result = meeting.nextItem(at(3));
  requireRefusedQuietly(meeting, result, StatusCode::EndOfAgenda);
  CHECK(result.message == "Impossible de passer au point suivant : le point QD1 est le dernier de l'ordre du jour.");
  CHECK(meeting.currentItem()->number == "QD1");
}

TEST_CASE("previous on the first item, or with no item yet, is refused", "[meeting][agenda]") {
  auto fresh = demoMeeting();
  fresh.takeEvents();
  const auto none = fresh.previousItem(at(1));
  requireRefusedQuietly(fresh, none, StatusCode::EndOfAgenda);
  CHECK(none.message == "Impossible de revenir au point précédent : aucun point n'est en cours.");

  auto meeting = openMeeting();
  const auto first = meeting.previousItem(at(2));
  requireRefusedQuietly(meeting, first, StatusCode::EndOfAgenda);
  CHECK(first.message == "Impossible de revenir au point précédent : le point 1 est le premier de l'ordre du jour.");
  REQUIRE(meeting.nextItem(at(3)).ok());
  REQUIRE(meeting.previousItem(at(4)).ok());
  CHECK(meeting.currentItem()->number == "1");
}

TEST_CASE("jump finds an item by its number the way a reader writes it", "[meeting][agenda]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.jumpTo("6BIS", at(2)).ok());
  CHECK(meeting.currentIndex() == 2u);
  const auto events = meeting.takeEvents();
  CHECK(events[0].data == nlohmann::json{{"index", 2}, {"number", "6 bis"}});
}

TEST_CASE("jump to an unknown number is refused and lists the agenda's numbers", "[meeting][agenda]") {
  auto meeting = openMeeting();
  const auto result = meeting.jumpTo("99", at(2));
  requireRefusedQuietly(meeting, result, StatusCode::UnknownItem);
  CHECK(result.message == "Le point « 99 » n'existe pas dans l'ordre du jour (points : 1, 2, 6 bis, 8, QD1).");
  CHECK(meeting.currentItem()->number == "1");
}

TEST_CASE("jump to the current item brings its lower-third back", "[meeting][agenda]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.showSpeaker("cm-02", at(2)).ok());
  meeting.takeEvents();
  REQUIRE(meeting.jumpTo("1", at(3)).ok());
  const auto events = meeting.takeEvents();
  CHECK(testing::firstOfType(events, "item_changed") == nullptr);
  CHECK(overlayChanges(events) == std::vector<std::string>{"overlay_shown lower_third agenda"});
  // Already on air: nothing to do.
  REQUIRE(meeting.jumpTo("1", at(4)).ok());
  CHECK(meeting.takeEvents().empty());
}

TEST_CASE("in pré-séance the technician can choose the item without putting it on air", "[meeting][agenda]") {
  auto meeting = demoMeeting();
  meeting.takeEvents();
  REQUIRE(meeting.nextItem(at(1)).ok());
  CHECK(typesOf(meeting.takeEvents()) == std::vector<std::string>{"item_changed"});
  CHECK(meeting.currentItem()->number == "1");
  CHECK_FALSE(meeting.overlays().state(Layer::LowerThird).visible);
}

TEST_CASE("items do not change once the session is closed", "[meeting][agenda]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.close(at(2)).ok());
  meeting.takeEvents();
  for (const auto& result : {meeting.nextItem(at(3)), meeting.previousItem(at(3)), meeting.jumpTo("2", at(3))}) {
    requireRefusedQuietly(meeting, result, StatusCode::WrongState);
    CHECK_THAT(result.message, Catch::StartsWith("Impossible de changer de point : la séance est levée"));
  }
  REQUIRE(meeting.end(at(4)).ok());
  meeting.takeEvents();
  CHECK_THAT(meeting.nextItem(at(5)).message, Catch::Contains("la retransmission est terminée"));
}

TEST_CASE("an empty agenda opens with the bug only and cannot be walked", "[meeting][agenda]") {
  auto agenda = testing::demoAgenda();
  agenda.items.clear();
  Meeting meeting("vide", agenda, at(0));
  meeting.takeEvents();
  REQUIRE(meeting.open(at(1)).ok());
  CHECK(overlayChanges(meeting.takeEvents()) == std::vector<std::string>{"overlay_shown bug bug"});
  const auto result = meeting.nextItem(at(2));
  requireRefusedQuietly(meeting, result, StatusCode::EndOfAgenda);
  CHECK_THAT(result.message, Catch::Contains("vide"));
}

TEST_CASE("the agenda can be replaced in pré-séance only", "[meeting][agenda]") {
  auto meeting = demoMeeting();
  REQUIRE(meeting.nextItem(at(1)).ok());
  REQUIRE(meeting.showSpeaker("cm-01", at(2)).ok());
  meeting.takeEvents();
  auto other = testing::demoAgenda();
  other.items.resize(2);
  other.items[1].title = "Budget primitif 2027";
  REQUIRE(meeting.loadAgenda(other, at(3)).ok());
  CHECK(typesOf(meeting.takeEvents()) ==
        std::vector<std::string>{"overlay_hidden", "speaker_changed", "agenda_loaded"});
  CHECK(meeting.agenda() == other);
  CHECK_FALSE(meeting.currentIndex());
  CHECK_FALSE(meeting.speaker());

  REQUIRE(meeting.open(at(4)).ok());
  meeting.takeEvents();
  const auto late = meeting.loadAgenda(testing::demoAgenda(), at(5));
  requireRefusedQuietly(meeting, late, StatusCode::WrongState);
  CHECK_THAT(late.message, Catch::Contains("la séance a déjà été ouverte"));
  CHECK(meeting.agenda() == other);
}

// ---------------------------------------------------------------------------------------
// Votes

TEST_CASE("a public vote is recorded with each councillor's choice and shown with its result", "[meeting][vote]") {
  auto meeting = openMeeting();
  const auto vote = Vote::publicBallot(
      "1",
      {{"cm-01", Choice::Pour}, {"cm-02", Choice::Pour}, {"cm-05", Choice::Contre}, {"cm-04", Choice::NePrendPasPart}});
  REQUIRE(meeting.recordVote(vote, at(2)).ok());
  const auto events = meeting.takeEvents();
  CHECK(typesOf(events) == std::vector<std::string>{"vote_recorded", "overlay_shown"});
  CHECK(events[0].data.at("ballot") == "public");
  CHECK(events[0].data.at("choices") ==
        nlohmann::json{{"cm-01", "pour"}, {"cm-02", "pour"}, {"cm-04", "npp"}, {"cm-05", "contre"}});
  CHECK(events[0].data.at("result") == "adopte");
  CHECK(events[0].data.at("huis_clos") == false);
  const auto& lowerThird = meeting.overlays().state(Layer::LowerThird);
  CHECK(lowerThird.templateName == "vote");
  CHECK(lowerThird.values == core::OverlayValues{{"title", meeting.currentItem()->title},
                                                 {"pour", "2"},
                                                 {"contre", "1"},
                                                 {"abstention", "0"},
                                                 {"npp", "1"},
                                                 {"result", "Adopté"}});
  REQUIRE(meeting.votes().count("1") == 1);
  CHECK(meeting.votes().at("1").choices == vote.choices);
}

TEST_CASE("a vote with every councillor for is shown as adopted unanimously", "[meeting][vote]") {
  auto meeting = openMeeting();
  core::Choices choices;
  for (const auto& councillor : meeting.agenda().councillors) choices[councillor.id] = Choice::Pour;
  REQUIRE(meeting.recordVote(Vote::publicBallot("1", choices), at(2)).ok());
  CHECK(meeting.overlays().state(Layer::LowerThird).values.at("result") == "Adopté à l'unanimité");
  CHECK(meeting.votes().at("1").result == core::VoteResult::Unanimite);
}

TEST_CASE("a secret ballot is recorded with its counts only", "[meeting][vote]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.recordVote(Vote::secretBallot("1", {1, 2, 1, 0}), at(2)).ok());
  const auto events = meeting.takeEvents();
  CHECK(events[0].data.at("ballot") == "secret");
  CHECK_FALSE(events[0].data.contains("choices"));
  CHECK(events[0].data.at("counts") == nlohmann::json{{"pour", 1}, {"contre", 2}, {"abstention", 1}, {"npp", 0}});
  CHECK(meeting.overlays().state(Layer::LowerThird).values.at("result") == "Rejeté");
}

TEST_CASE("a vote naming an unknown councillor is refused", "[meeting][vote]") {
  auto meeting = openMeeting();
  const auto result =
      meeting.recordVote(Vote::publicBallot("1", {{"cm-01", Choice::Pour}, {"cm-99", Choice::Contre}}), at(2));
  requireRefusedQuietly(meeting, result, StatusCode::UnknownCouncillor);
  CHECK(result.message == "Le conseiller « cm-99 » n'est pas dans la liste des conseillers.");
  CHECK(meeting.votes().empty());
}

TEST_CASE("a public vote needs the agenda's list of councillors", "[meeting][vote]") {
  auto agenda = testing::demoAgenda();
  agenda.councillors.clear();
  Meeting meeting("sans-conseillers", agenda, at(0));
  REQUIRE(meeting.open(at(1)).ok());
  meeting.takeEvents();
  const auto result = meeting.recordVote(Vote::publicBallot("1", {{"cm-01", Choice::Pour}}), at(2));
  requireRefusedQuietly(meeting, result, StatusCode::UnknownCouncillor);
  CHECK_THAT(result.message, Catch::Contains("councillors"));
  CHECK(meeting.recordVote(Vote::secretBallot("1", {20, 3, 0, 0}), at(3)).ok());
}

TEST_CASE("only a délibération is voted on", "[meeting][vote]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.jumpTo("8", at(2)).ok());
  meeting.takeEvents();
  const auto information = meeting.recordVote(Vote::secretBallot("8", {3, 0, 0, 0}), at(3));
  requireRefusedQuietly(meeting, information, StatusCode::NotADeliberation);
  CHECK(information.message == "Le point 8 est une information : seules les délibérations sont votées.");
  REQUIRE(meeting.nextItem(at(4)).ok());
  meeting.takeEvents();
  const auto question = meeting.recordVote(Vote::secretBallot("QD1", {3, 0, 0, 0}), at(5));
  requireRefusedQuietly(meeting, question, StatusCode::NotADeliberation);
  CHECK_THAT(question.message, Catch::Contains("une question diverse"));
}

TEST_CASE("a vote is on the current item only", "[meeting][vote]") {
  auto meeting = openMeeting();
  const auto other = meeting.recordVote(Vote::secretBallot("2", {3, 0, 0, 0}), at(2));
  requireRefusedQuietly(meeting, other, StatusCode::NotTheCurrentItem);
  CHECK(other.message ==
        "Impossible d'enregistrer le vote sur le point 2 : le point en cours est le 1. Passez d'abord à ce point.");
  const auto unknown = meeting.recordVote(Vote::secretBallot("42", {3, 0, 0, 0}), at(3));
  requireRefusedQuietly(meeting, unknown, StatusCode::UnknownItem);
  REQUIRE(meeting.jumpTo("6 bis", at(4)).ok());
  meeting.takeEvents();
  REQUIRE(meeting.recordVote(Vote::secretBallot("6bis", {3, 0, 0, 0}), at(5)).ok());
  CHECK(meeting.votes().count("6 bis") == 1);
  CHECK(meeting.votes().at("6 bis").item == "6 bis");
}

TEST_CASE("votes are recorded only while the session sits", "[meeting][vote]") {
  struct Case {
    std::vector<core::MeetingResult (Meeting::*)(core::TimePoint)> path;
    bool allowed;
  };
  const std::vector<Case> cases{
      {{}, false},
      {{&Meeting::open}, true},
      {{&Meeting::open, &Meeting::suspend}, false},
      {{&Meeting::open, &Meeting::enterHuisClos}, true},
      {{&Meeting::open, &Meeting::close}, false},
      {{&Meeting::open, &Meeting::close, &Meeting::startPublicQuestions}, false},
      {{&Meeting::open, &Meeting::close, &Meeting::end}, false},
  };
  for (const auto& c : cases) {
    auto meeting = demoMeeting();
    REQUIRE(meeting.nextItem(at(0)).ok());
    for (const auto step : c.path) REQUIRE((meeting.*step)(at(1)).ok());
    meeting.takeEvents();
    INFO(core::toString(meeting.state()));
    const auto result = meeting.recordVote(Vote::secretBallot("1", {3, 0, 0, 0}), at(2));
    if (c.allowed) {
      CHECK(result.ok());
    } else {
      requireRefusedQuietly(meeting, result, StatusCode::WrongState);
      CHECK_THAT(result.message, Catch::StartsWith("Impossible d'enregistrer le vote : la séance n'est pas ouverte"));
    }
  }
}

TEST_CASE("a vote at huis clos is recorded but not shown", "[meeting][vote][huis-clos]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.enterHuisClos(at(2)).ok());
  meeting.takeEvents();
  REQUIRE(meeting.recordVote(Vote::publicBallot("1", {{"cm-01", Choice::Pour}}), at(3)).ok());
  const auto events = meeting.takeEvents();
  CHECK(typesOf(events) == std::vector<std::string>{"vote_recorded"});
  CHECK(events[0].data.at("huis_clos") == true);
  CHECK(meeting.votes().at("1").huisClos);
  CHECK(meeting.overlays().state(Layer::LowerThird).templateName == "agenda");
}

TEST_CASE("recording a vote again replaces the previous record", "[meeting][vote]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.recordVote(Vote::secretBallot("1", {1, 3, 0, 0}), at(2)).ok());
  REQUIRE(meeting.recordVote(Vote::publicBallot("1", {{"cm-01", Choice::Pour}}), at(3)).ok());
  const auto events = meeting.takeEvents();
  CHECK(typesOf(events) ==
        std::vector<std::string>{"vote_recorded", "overlay_shown", "vote_recorded", "overlay_shown"});
  REQUIRE(meeting.votes().size() == 1);
  CHECK(meeting.votes().at("1").ballot == core::Ballot::Public);
  CHECK(meeting.overlays().state(Layer::LowerThird).values.at("result") == "Adopté à l'unanimité");
}

TEST_CASE("an empty or impossible vote is refused", "[meeting][vote]") {
  auto meeting = openMeeting();
  requireRefusedQuietly(meeting, meeting.recordVote(Vote::publicBallot("1", {}), at(2)), StatusCode::InvalidVote);
  requireRefusedQuietly(meeting, meeting.recordVote(Vote::secretBallot("1", {0, 0, 0, 0}), at(2)),
                        StatusCode::InvalidVote);
  const auto tooMany = meeting.recordVote(Vote::secretBallot("1", {4, 2, 0, 0}), at(2));
  requireRefusedQuietly(meeting, tooMany, StatusCode::InvalidVote);
  CHECK(tooMany.message == "Plus de voix (6) que de conseillers (5).");
}

TEST_CASE("the vote's result is the rule's, whatever the caller computed", "[meeting][vote]") {
  auto meeting = openMeeting();
  auto vote = Vote::secretBallot("1", {1, 3, 0, 0});
  vote.result = core::VoteResult::Unanimite;
  vote.huisClos = true;
  REQUIRE(meeting.recordVote(vote, at(2)).ok());
  CHECK(meeting.votes().at("1").result == core::VoteResult::Rejete);
  CHECK_FALSE(meeting.votes().at("1").huisClos);
}

// ---------------------------------------------------------------------------------------
// The speaker

TEST_CASE("showing a speaker names them with role and group on the lower-third", "[meeting][speaker]") {
  auto meeting = openMeeting();
  struct Case {
    const char* id;
    const char* name;
    const char* role;
  };
  for (const auto& c :
       {Case{"cm-02", "Mme Claire Martin", "Adjointe aux finances – Agir pour Démo"},
        Case{"cm-03", "M. Karim Benali", "Adjoint aux sports"}, Case{"cm-04", "Mme Nadia Haddad", "Agir pour Démo"}}) {
    INFO(c.id);
    REQUIRE(meeting.showSpeaker(c.id, at(2)).ok());
    const auto events = meeting.takeEvents();
    REQUIRE(testing::firstOfType(events, "speaker_changed") != nullptr);
    CHECK(testing::firstOfType(events, "speaker_changed")->data == nlohmann::json{{"councillor", c.id}});
    const auto& lowerThird = meeting.overlays().state(Layer::LowerThird);
    CHECK(lowerThird.templateName == "speaker");
    CHECK(lowerThird.values == core::OverlayValues{{"name", c.name}, {"role", c.role}});
    CHECK(meeting.speaker() == c.id);
  }
}

TEST_CASE("an unknown speaker is refused, and none is shown at huis clos", "[meeting][speaker]") {
  auto meeting = openMeeting();
  const auto unknown = meeting.showSpeaker("cm-42", at(2));
  requireRefusedQuietly(meeting, unknown, StatusCode::UnknownCouncillor);
  CHECK(unknown.message == "Le conseiller « cm-42 » n'est pas dans la liste des conseillers.");
  REQUIRE(meeting.enterHuisClos(at(3)).ok());
  meeting.takeEvents();
  requireRefusedQuietly(meeting, meeting.showSpeaker("cm-01", at(4)), StatusCode::WrongState);
}

TEST_CASE("hiding the speaker takes the lower-third off, and with no speaker it is refused", "[meeting][speaker]") {
  auto meeting = openMeeting();
  requireRefusedQuietly(meeting, meeting.hideSpeaker(at(2)), StatusCode::NothingShown);
  REQUIRE(meeting.showSpeaker("cm-01", at(3)).ok());
  meeting.takeEvents();
  REQUIRE(meeting.hideSpeaker(at(4)).ok());
  CHECK(typesOf(meeting.takeEvents()) == std::vector<std::string>{"overlay_hidden", "speaker_changed"});
  CHECK_FALSE(meeting.speaker());
  CHECK_FALSE(meeting.overlays().state(Layer::LowerThird).visible);
}

TEST_CASE("the next item, a vote or a lower-third by hand replace the speaker", "[meeting][speaker]") {
  auto meeting = openMeeting();
  REQUIRE(meeting.showSpeaker("cm-01", at(2)).ok());
  REQUIRE(meeting.nextItem(at(3)).ok());
  CHECK_FALSE(meeting.speaker());

  REQUIRE(meeting.showSpeaker("cm-01", at(4)).ok());
  REQUIRE(meeting.recordVote(Vote::secretBallot("2", {3, 0, 0, 0}), at(5)).ok());
  CHECK_FALSE(meeting.speaker());

  REQUIRE(meeting.showSpeaker("cm-01", at(6)).ok());
  REQUIRE(meeting.showOverlay(Layer::LowerThird, "speaker", {{"name", "Invité"}, {"role", ""}}, at(7)).ok());
  CHECK_FALSE(meeting.speaker());

  REQUIRE(meeting.showSpeaker("cm-01", at(8)).ok());
  REQUIRE(meeting.close(at(9)).ok());
  CHECK_FALSE(meeting.speaker());
}

TEST_CASE("the technician may name a speaker before the session opens", "[meeting][speaker]") {
  auto meeting = demoMeeting();
  CHECK(meeting.showSpeaker("cm-01", at(1)).ok());
  CHECK(meeting.overlays().state(Layer::LowerThird).templateName == "speaker");
}

// ---------------------------------------------------------------------------------------
// Graphics by hand

TEST_CASE("graphics by hand follow the overlay rules, with French refusals", "[meeting][graphics]") {
  auto meeting = demoMeeting();
  meeting.takeEvents();
  REQUIRE(meeting.showOverlay(Layer::Slate, "starting", {}, at(1)).ok());
  CHECK(overlayChanges(meeting.takeEvents()) == std::vector<std::string>{"overlay_shown slate starting"});

  const auto notAllowed = meeting.showOverlay(Layer::Bug, "vote", {}, at(2));
  requireRefusedQuietly(meeting, notAllowed, StatusCode::TemplateNotAllowed);
  CHECK(notAllowed.message == "Le modèle « vote » n'est pas permis sur le calque « bug » ; modèles permis : bug.");

  const auto nothing = meeting.hideOverlay(Layer::Qr, at(3));
  requireRefusedQuietly(meeting, nothing, StatusCode::NothingShown);
  CHECK(nothing.message == "Rien n'est affiché sur le calque « qr ».");
  requireRefusedQuietly(meeting, meeting.updateOverlay(Layer::Qr, {{"url", "x"}}, at(3)), StatusCode::NothingShown);
  requireRefusedQuietly(meeting, meeting.showOverlay(static_cast<Layer>(9), "bug", {}, at(3)),
                        StatusCode::UnknownLayer);

  REQUIRE(meeting.showOverlay(Layer::Qr, "qr", {{"url", "https://demo.fr/q"}, {"caption", "Questions"}}, at(4)).ok());
  REQUIRE(meeting.updateOverlay(Layer::Qr, {{"caption", "Posez vos questions"}}, at(5)).ok());
  CHECK(meeting.overlays().state(Layer::Qr).values ==
        core::OverlayValues{{"url", "https://demo.fr/q"}, {"caption", "Posez vos questions"}});
  REQUIRE(meeting.hideOverlay(Layer::Qr, at(6)).ok());
  CHECK(overlayChanges(meeting.takeEvents()) ==
        std::vector<std::string>{"overlay_shown qr qr", "overlay_updated qr qr", "overlay_hidden qr qr"});
}
