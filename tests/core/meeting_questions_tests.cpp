// The questions in the meeting: the on-air rule by session state, the graphic that follows
// the board, and the commands as a viewer sends them (screening, limits, refusals).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/command_table.h"
#include "fakes.h"
#include "meeting_fakes.h"

using namespace tribune;
using namespace std::chrono_literals;
using core::Layer;
using core::QuestionStatus;
using core::Role;
using core::SessionState;
using nlohmann::json;
using testing::at;
using testing::overlayChanges;
using testing::typesOf;

namespace {

constexpr const char* kAlice = "alice-browser-000000000001";

struct World {
  testing::ScriptedRandom random{0.5};
  core::Broadcast broadcast{core::RetrySettings{}, random};
  core::Meeting meeting = testing::demoMeeting();
  core::QuestionIntake intake;
  core::TimePoint now = at(10);

  explicit World(core::QuestionSettings settings = {}, core::WordList profanity = {})
      : intake(std::move(settings), std::move(profanity)) {
    meeting.takeEvents();
  }

  core::DispatchResult send(const std::string& type, json params, Role role = Role::Technician,
                            const std::string& viewer = kAlice, const std::string& address = "192.0.2.10") {
    const core::Caller caller{role, role == Role::Viewer ? viewer : "", address, {}};
    return core::dispatch({type, std::move(params)}, caller, {meeting, broadcast, intake, now, 1'790'000'000'000});
  }
  void sendOk(const std::string& type, json params = json::object(), Role role = Role::Technician) {
    const auto result = send(type, std::move(params), role);
    INFO(type << ": " << result.message);
    REQUIRE(result.ok());
  }
  std::uint64_t askApproved(const std::string& text) {
    const auto asked =
        send("question.ask", {{"text", text}, {"pseudonym", "Marie"}, {"place", "Quartier Nord"}}, Role::Viewer);
    INFO(asked.message);
    REQUIRE(asked.ok());
    const auto id = asked.data.at("question").get<std::uint64_t>();
    sendOk("question.approve", {{"question", id}}, Role::Moderator);
    return id;
  }
  [[nodiscard]] const core::LayerState& layer(Layer l) const { return meeting.overlays().state(l); }
};

}  // namespace

TEST_CASE("a question goes on air only while the public may be heard", "[questions][meeting]") {
  struct Case {
    SessionState state;
    std::function<void(World&)> reach;
    bool allowed;
  };
  const std::vector<Case> cases{
      {SessionState::PreSeance, [](World&) {}, true},
      {SessionState::Ouverte, [](World& w) { w.sendOk("session.open"); }, false},
      {SessionState::Suspension,
       [](World& w) {
         w.sendOk("session.open");
         w.sendOk("session.suspend");
       },
       true},
      {SessionState::HuisClos,
       [](World& w) {
         w.sendOk("session.open");
         w.sendOk("session.huis_clos");
       },
       false},
      {SessionState::Levee,
       [](World& w) {
         w.sendOk("session.open");
         w.sendOk("session.close");
       },
       false},
      {SessionState::QuestionsPublic,
       [](World& w) {
         w.sendOk("session.open");
         w.sendOk("session.close");
         w.sendOk("session.public_questions");
       },
       true},
  };
  for (const auto& c : cases) {
    INFO(core::toString(c.state));
    World world;
    const auto id = world.askApproved("Quand rouvre la piscine ?");
    c.reach(world);
    REQUIRE(world.meeting.state() == c.state);
    world.meeting.takeEvents();
    const auto result = world.send("question.on_air", {{"question", id}}, Role::Mayor);
    CHECK(result.ok() == c.allowed);
    if (c.allowed) {
      CHECK(world.meeting.questions().onAir() == id);
      CHECK(world.layer(Layer::LowerThird).visible);
      CHECK(world.layer(Layer::LowerThird).templateName == "question");
      CHECK(world.layer(Layer::LowerThird).values == core::OverlayValues{{"text", "Quand rouvre la piscine ?"},
                                                                         {"pseudonym", "Marie"},
                                                                         {"quartier", "Quartier Nord"},
                                                                         {"origine", ""}});
    } else {
      CHECK(result.status == "wrong_state");
      CHECK_THAT(result.message, Catch::StartsWith("Pendant les délibérations, le public ne peut pas être entendu"));
      CHECK_THAT(result.message, Catch::EndsWith("(état actuel : " + std::string(core::frenchLabel(c.state)) + ")."));
      CHECK(world.meeting.takeEvents().empty());
      CHECK(world.meeting.questions().find(id)->status == QuestionStatus::Approved);
    }
  }
}

TEST_CASE("during a suspension the question replaces the slate, which comes back once it is answered",
          "[questions][meeting]") {
  World world;
  world.sendOk("session.open");
  const auto id = world.askApproved("Et le parking de la gare ?");
  world.sendOk("session.suspend");
  REQUIRE(world.layer(Layer::Slate).templateName == "suspension");
  world.meeting.takeEvents();
  world.sendOk("question.on_air", {{"question", id}}, Role::Mayor);
  auto events = world.meeting.takeEvents();
  CHECK(typesOf(events) == std::vector<std::string>{"question_on_air", "overlay_shown", "overlay_hidden"});
  CHECK(overlayChanges(events) ==
        std::vector<std::string>{"overlay_shown lower_third question", "overlay_hidden slate suspension"});
  CHECK_FALSE(world.layer(Layer::Slate).visible);

  SECTION("answered: the graphic leaves and the suspension slate returns") {
    world.sendOk("question.answered", {{"question", id}}, Role::Mayor);
    events = world.meeting.takeEvents();
    CHECK(overlayChanges(events) ==
          std::vector<std::string>{"overlay_hidden lower_third question", "overlay_shown slate suspension"});
    CHECK(world.meeting.questions().find(id)->status == QuestionStatus::Answered);
  }
  SECTION("the session resumes: the question goes back to the top of the queue, off the picture") {
    world.askApproved("Une autre question");
    world.meeting.takeEvents();
    world.sendOk("session.resume");
    events = world.meeting.takeEvents();
    CHECK(typesOf(events).at(1) == "question_off_air");
    CHECK(world.meeting.questions().find(id)->status == QuestionStatus::Approved);
    CHECK(world.meeting.questions().queue().front() == id);
    CHECK(world.layer(Layer::LowerThird).templateName != "question");
    CHECK_FALSE(world.layer(Layer::Slate).visible);
  }
  SECTION("an edit of the question on air changes the graphic") {
    world.sendOk("question.edit", {{"question", id}, {"text", "Le parking de la gare sera-t-il agrandi ?"}},
                 Role::Moderator);
    CHECK(world.layer(Layer::LowerThird).values.at("text") == "Le parking de la gare sera-t-il agrandi ?");
  }
  SECTION("deleting the question on air takes it off the picture") {
    world.sendOk("question.delete", {{"question", id}}, Role::Moderator);
    CHECK_FALSE(world.layer(Layer::LowerThird).visible);
    CHECK(world.layer(Layer::Slate).templateName == "suspension");
    CHECK(world.layer(Layer::Slate).visible);
  }
  SECTION("another lower-third by hand takes the question off air") {
    world.sendOk("speaker.show", {{"councillor", "cm-01"}});
    CHECK(world.meeting.questions().find(id)->status == QuestionStatus::Approved);
    CHECK(world.layer(Layer::LowerThird).templateName == "speaker");
  }
  SECTION("hiding the lower-third by hand takes the question off air") {
    world.sendOk("overlay.hide", {{"layer", "lower_third"}});
    CHECK_FALSE(world.meeting.questions().onAir());
  }
}

TEST_CASE("question.ask screens the text: personal data masked, the original kept for the moderator",
          "[questions][dispatch]") {
  core::WordList profanity;
  profanity.entries = {"connard"};
  World world({}, profanity);
  const auto asked = world.send(
      "question.ask",
      {{"text", "  Appelez-moi au 06 12 34 56 78\t ou jean.dupont@example.fr  "}, {"pseudonym", "Jean"}, {"place", ""}},
      Role::Viewer);
  INFO(asked.message);
  REQUIRE(asked.ok());
  CHECK(asked.data == json{{"question", 1}, {"status", "pending"}});
  const auto* q = world.meeting.questions().find(1);
  CHECK(q->text == "Appelez-moi au [numéro masqué] ou [adresse e-mail masquée]");
  CHECK(q->original == "Appelez-moi au 06 12 34 56 78 ou jean.dupont@example.fr");
  CHECK(q->flags == std::vector<std::string>{"phone", "email"});
  CHECK(q->author == kAlice);
  CHECK(q->askedMs == 1'790'000'000'000);

  SECTION("a flagged question waits even with pre-screening off; a clean one goes straight in") {
    world.sendOk("questions.prescreen", {{"enabled", false}}, Role::Moderator);
    const auto rude =
        world.send("question.ask", {{"text", "Quel C0NNARD ce voisin"}}, Role::Viewer, "bob-browser-00000000000002");
    CHECK(rude.data.at("status") == "pending");
    CHECK(world.meeting.questions().find(2)->flags == std::vector<std::string>{"profanity"});
    const auto rudeName = world.send("question.ask", {{"text", "Bonjour"}, {"pseudonym", "connard"}}, Role::Viewer,
                                     "carol-browser-000000000003");
    CHECK(rudeName.data.at("status") == "pending");
    const auto clean =
        world.send("question.ask", {{"text", "Le marché ?"}}, Role::Viewer, "dave-browser-0000000000004");
    CHECK(clean.data.at("status") == "approved");
  }
  SECTION("markup is kept as text: escaping is the job of whoever shows it") {
    const auto xss = world.send("question.ask", {{"text", "<img src=x onerror=alert(1)></script>"}}, Role::Viewer);
    REQUIRE(xss.ok());
    CHECK(world.meeting.questions().find(2)->text == "<img src=x onerror=alert(1)></script>");
  }
}

TEST_CASE("question.ask refuses what it cannot take, each with a French reason", "[questions][dispatch]") {
  core::QuestionSettings settings;
  settings.maxLength = 20;
  settings.maxPseudonymLength = 5;
  World world(settings);
  const auto empty = world.send("question.ask", {{"text", " \n\t "}}, Role::Viewer);
  CHECK(empty.status == "invalid_params");
  CHECK(empty.data.at("param") == "text");
  CHECK(empty.message == "La question est vide.");
  const auto tooLong = world.send("question.ask", {{"text", std::string(21, 'e')}}, Role::Viewer);
  CHECK(tooLong.message == "La question est trop longue : 21 caractères, 20 au plus.");
  const auto accented = world.send("question.ask", {{"text", "éééééééééééééééééééé"}}, Role::Viewer);
  CHECK(accented.ok());  // 20 characters, 40 bytes
  const auto pseudonym = world.send("question.ask", {{"text", "ok"}, {"pseudonym", "Marie-Claire"}}, Role::Viewer);
  CHECK(pseudonym.data.at("param") == "pseudonym");
  const auto noId = world.send("question.ask", {{"text", "ok"}}, Role::Viewer, "");
  CHECK(noId.status == "invalid_params");
  CHECK(noId.data.at("param") == "viewer");
  const auto unknown = world.send("question.ask", {{"text", "ok"}, {"email", "a@b.fr"}}, Role::Viewer);
  CHECK(unknown.data.at("param") == "email");
  CHECK(world.meeting.questions().all().size() == 1);

  core::QuestionSettings closed;
  closed.enabled = false;
  World off(closed);
  const auto refused = off.send("question.ask", {{"text", "Bonjour"}}, Role::Viewer);
  CHECK(refused.code == 426);
  CHECK(refused.status == "questions_closed");

  World ended;
  ended.sendOk("session.open");
  ended.sendOk("session.close");
  ended.sendOk("session.end");
  CHECK(ended.send("question.ask", {{"text", "Bonjour"}}, Role::Viewer).status == "questions_closed");
}

TEST_CASE("rate limits per browser and per address, a refusal says how long to wait", "[questions][dispatch][limits]") {
  core::QuestionSettings settings;
  settings.perBrowser = {2, 60s};
  settings.perAddress = {3, 60s};
  settings.votesPerAddress = {2, 60s};
  World world(settings);
  CHECK(world.send("question.ask", {{"text", "Un"}}, Role::Viewer).ok());
  CHECK(world.send("question.ask", {{"text", "Deux"}}, Role::Viewer).ok());
  const auto third = world.send("question.ask", {{"text", "Trois"}}, Role::Viewer);
  CHECK(third.code == 429);
  CHECK(third.status == "rate_limited");
  CHECK(third.message == "Vous avez déjà envoyé plusieurs questions : réessayez dans 30 s.");
  CHECK(third.data.at("retry_after_s") == 30);
  // Another browser from the same address: one more, then the address's limit.
  CHECK(world.send("question.ask", {{"text", "Quatre"}}, Role::Viewer, "bob-browser-00000000000002").ok());
  CHECK(world.send("question.ask", {{"text", "Cinq"}}, Role::Viewer, "carol-browser-000000000003").status ==
        "rate_limited");
  // From elsewhere it goes through; time refills the bucket.
  CHECK(world.send("question.ask", {{"text", "Six"}}, Role::Viewer, "carol-browser-000000000003", "198.51.100.7").ok());
  world.now += 30s;
  CHECK(world.send("question.ask", {{"text", "Sept"}}, Role::Viewer).ok());
  CHECK(world.meeting.questions().all().size() == 5);

  // Votes: one per question, and a few per address.
  for (std::uint64_t id = 1; id <= 3; ++id) world.sendOk("question.approve", {{"question", id}}, Role::Moderator);
  CHECK(world.send("question.upvote", {{"question", 1}}, Role::Viewer, "bob-browser-00000000000002").ok());
  const auto again = world.send("question.upvote", {{"question", 1}}, Role::Viewer, "bob-browser-00000000000002");
  CHECK(again.status == "already_voted");
  CHECK(again.code == 431);
  CHECK(world.send("question.upvote", {{"question", 2}}, Role::Viewer, "bob-browser-00000000000002").ok());
  const auto flood = world.send("question.upvote", {{"question", 3}}, Role::Viewer, "bob-browser-00000000000002");
  CHECK(flood.status == "rate_limited");
  CHECK(world.send("question.upvote", {{"question", 5}}, Role::Viewer, "x-browser-000000000000099", "203.0.113.1")
            .status == "question_status");
  CHECK(world.send("question.upvote", {{"question", 42}}, Role::Viewer).status == "unknown_question");
}

// Through a public edge (issue 22): the edge limits per address (the town hall sees none), and
// a question forwarded again after a lost acknowledgement is the same question, also after a
// replay of the log.
TEST_CASE("a question through a public edge: no address limit, its ticket logged once", "[questions][dispatch][edge]") {
  core::QuestionSettings settings;
  settings.perBrowser = {2, 60s};
  settings.perAddress = {1, 60s};
  settings.votesPerAddress = {1, 60s};
  World world(settings);
  auto viaEdge = [&](const std::string& type, json params, const std::string& viewer, const std::string& ticket) {
    const core::Caller caller{Role::Viewer, viewer, "", ticket};
    return core::dispatch({type, std::move(params)}, caller,
                          {world.meeting, world.broadcast, world.intake, world.now, 1'790'000'000'000});
  };
  const auto first = viaEdge("question.ask", {{"text", "Un"}}, kAlice, "1790000000000-0");
  REQUIRE(first.ok());
  CHECK_FALSE(first.data.contains("duplicate"));
  const auto id = first.data.at("question").get<std::uint64_t>();
  // The same ticket again: the same question, no new event, not counted against the browser.
  const auto again = viaEdge("question.ask", {{"text", "Un"}}, kAlice, "1790000000000-0");
  REQUIRE(again.ok());
  CHECK(again.data.at("question") == id);
  CHECK(again.data.at("duplicate") == true);
  CHECK(world.meeting.questions().all().size() == 1);
  // Other browsers behind the edge share no address bucket (perAddress is 1).
  CHECK(viaEdge("question.ask", {{"text", "Deux"}}, "bob-browser-00000000000002", "1790000000001-0").ok());
  CHECK(viaEdge("question.ask", {{"text", "Trois"}}, "carol-browser-000000000003", "1790000000002-0").ok());
  // The per-browser limit stays the town hall's: alice's second question passes, her third waits.
  CHECK(viaEdge("question.ask", {{"text", "Quatre"}}, kAlice, "1790000000003-0").ok());
  CHECK(viaEdge("question.ask", {{"text", "Cinq"}}, kAlice, "1790000000004-0").status == "rate_limited");
  // Votes from many browsers behind one edge are not limited as one address.
  world.sendOk("question.approve", {{"question", id}}, Role::Moderator);
  CHECK(viaEdge("question.upvote", {{"question", id}}, "bob-browser-00000000000002", "1790000000005-0").ok());
  CHECK(viaEdge("question.upvote", {{"question", id}}, "carol-browser-000000000003", "1790000000006-0").ok());

  // The ticket is in the event, so a replay knows it: the forwarded-again question stays one.
  const auto events = world.meeting.takeEvents();
  const auto asked =
      std::find_if(events.begin(), events.end(), [](const auto& e) { return e.type == "question_asked"; });
  REQUIRE(asked != events.end());
  CHECK(asked->data.at("origin_id") == "1790000000000-0");
  CHECK_FALSE(asked->data.contains("origin"));  // still a question of the viewer page
  core::QuestionBoard replica;
  for (const auto& event : events) {
    if (core::QuestionBoard::isQuestionEvent(event.type)) REQUIRE_FALSE(replica.apply({event.type, event.data}));
  }
  CHECK(replica.fromOrigin("site", "1790000000000-0") == id);
  CHECK(replica.all().size() == world.meeting.questions().all().size());
  CHECK(replica.view(id, Role::Moderator, "")->at("origin") == "site");
}
