// The questions' board alone: the lifecycle, every transition and refusal, the queue, the
// votes, what each role sees, and the replay of its events.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/questions.h"

using namespace tribune;
using core::QuestionBoard;
using core::QuestionStatus;
using core::Role;
using core::StatusCode;
using nlohmann::json;

namespace {

constexpr const char* kAlice = "alice-browser-000000000001";
constexpr const char* kBob = "bob-browser-00000000000002";

core::NewQuestion question(const std::string& text, const std::string& author = kAlice,
                           std::vector<std::string> flags = {}) {
  core::NewQuestion q;
  q.text = text;
  q.pseudonym = "Marie";
  q.place = "Quartier Nord";
  q.author = author;
  q.flags = std::move(flags);
  q.askedMs = 1'790'000'000'000;
  return q;
}

// Replays every event the board recorded into a fresh board; both must agree.
void checkReplay(QuestionBoard& board, QuestionBoard& replica) {
  for (const auto& event : board.takeEvents()) {
    INFO(event.type << " " << event.data.dump());
    REQUIRE_FALSE(replica.apply(event));
  }
  for (const auto role : core::kAllRoles) CHECK(replica.views(role, kAlice) == board.views(role, kAlice));
  CHECK(replica.queue() == board.queue());
  CHECK(replica.prescreen() == board.prescreen());
}

QuestionStatus statusOf(const QuestionBoard& board, std::uint64_t id) { return board.find(id)->status; }

}  // namespace

TEST_CASE("statuses have stable names and the viewer's French labels", "[questions]") {
  const std::vector<std::tuple<QuestionStatus, std::string, std::string>> names{
      {QuestionStatus::Pending, "pending", "en attente"},
      {QuestionStatus::Approved, "approved", "retenue"},
      {QuestionStatus::OnAir, "on_air", "à l'antenne"},
      {QuestionStatus::Answered, "answered", "répondue"},
      {QuestionStatus::WrittenReply, "written_reply", "réponse écrite à venir"},
      {QuestionStatus::Rejected, "rejected", "non retenue"},
      {QuestionStatus::Merged, "merged", "regroupée avec une question semblable"},
      {QuestionStatus::Deleted, "deleted", "non retenue"},
  };
  for (const auto& [status, name, label] : names) {
    CHECK(core::toString(status) == name);
    CHECK(core::questionStatusFromString(name) == status);
    CHECK(core::frenchLabel(status) == label);
  }
  CHECK_FALSE(core::questionStatusFromString("maybe"));
}

TEST_CASE("a question waits for the moderator while pre-screening is on, and goes straight in when off",
          "[questions]") {
  QuestionBoard board;
  CHECK(board.prescreen());
  REQUIRE(board.ask(question("Quand rouvre la piscine ?")).ok());
  CHECK(statusOf(board, 1) == QuestionStatus::Pending);
  CHECK(board.queue().empty());
  board.setPrescreen(false);
  REQUIRE(board.ask(question("Et le marché du dimanche ?")).ok());
  CHECK(statusOf(board, 2) == QuestionStatus::Approved);
  CHECK(board.queue() == std::vector<std::uint64_t>{2});
  SECTION("a flagged question still waits with pre-screening off") {
    REQUIRE(board.ask(question("Appelez-moi au [numéro masqué]", kAlice, {"phone"})).ok());
    CHECK(statusOf(board, 3) == QuestionStatus::Pending);
    CHECK(board.queue() == std::vector<std::uint64_t>{2});
  }
  QuestionBoard replica;
  checkReplay(board, replica);
}

TEST_CASE("every transition the lifecycle allows, and the refusal of every other one", "[questions]") {
  using S = QuestionStatus;
  // From each status, which commands succeed.
  struct Attempt {
    std::string name;
    std::function<core::QuestionResult(QuestionBoard&, std::uint64_t)> run;
    std::vector<S> allowedFrom;
    S to;
  };
  const std::vector<Attempt> attempts{
      {"approve",
       [](QuestionBoard& b, std::uint64_t id) { return b.approve(id, std::nullopt); },
       {S::Pending, S::Rejected},
       S::Approved},
      {"reject",
       [](QuestionBoard& b, std::uint64_t id) { return b.reject(id); },
       {S::Pending, S::Approved},
       S::Rejected},
      {"restore", [](QuestionBoard& b, std::uint64_t id) { return b.restore(id); }, {S::Rejected}, S::Pending},
      {"written_reply",
       [](QuestionBoard& b, std::uint64_t id) { return b.writtenReply(id); },
       {S::Pending, S::Approved},
       S::WrittenReply},
      {"on_air", [](QuestionBoard& b, std::uint64_t id) { return b.putOnAir(id); }, {S::Approved}, S::OnAir},
      {"off_air", [](QuestionBoard& b, std::uint64_t id) { return b.takeOffAir(id); }, {S::OnAir}, S::Approved},
      {"answered",
       [](QuestionBoard& b, std::uint64_t id) { return b.answered(id); },
       {S::Approved, S::OnAir},
       S::Answered},
      {"delete",
       [](QuestionBoard& b, std::uint64_t id) { return b.remove(id); },
       {S::Pending, S::Approved, S::OnAir, S::Answered, S::WrittenReply, S::Rejected, S::Merged},
       S::Deleted},
  };
  // How to bring question 2 to each status (question 1 is a merge target).
  const std::vector<std::pair<S, std::function<void(QuestionBoard&)>>> setups{
      {S::Pending, [](QuestionBoard&) {}},
      {S::Approved, [](QuestionBoard& b) { b.approve(2, std::nullopt); }},
      {S::OnAir,
       [](QuestionBoard& b) {
         b.approve(2, std::nullopt);
         b.putOnAir(2);
       }},
      {S::Answered,
       [](QuestionBoard& b) {
         b.approve(2, std::nullopt);
         b.answered(2);
       }},
      {S::WrittenReply, [](QuestionBoard& b) { b.writtenReply(2); }},
      {S::Rejected, [](QuestionBoard& b) { b.reject(2); }},
      {S::Merged, [](QuestionBoard& b) { b.merge(2, 1); }},
      {S::Deleted, [](QuestionBoard& b) { b.remove(2); }},
  };
  for (const auto& attempt : attempts) {
    for (const auto& [from, setup] : setups) {
      INFO(attempt.name << " from " << core::toString(from));
      QuestionBoard board;
      board.ask(question("Cible"));
      board.ask(question("Question"));
      setup(board);
      REQUIRE(statusOf(board, 2) == from);
      board.takeEvents();
      const bool allowed =
          std::find(attempt.allowedFrom.begin(), attempt.allowedFrom.end(), from) != attempt.allowedFrom.end();
      const auto result = attempt.run(board, 2);
      CHECK(result.ok() == allowed);
      if (allowed) {
        CHECK(statusOf(board, 2) == attempt.to);
        CHECK(board.takeEvents().size() == 1);
      } else {
        CHECK(statusOf(board, 2) == from);
        CHECK(board.takeEvents().empty());
        if (from == S::Deleted) {
          CHECK(result.status == StatusCode::UnknownQuestion);
        } else {
          CHECK(result.status == StatusCode::QuestionStatus);
          CHECK_THAT(result.message, Catch::StartsWith("La question n° 2 est " + std::string(core::frenchLabel(from)) +
                                                       " : impossible de "));
        }
      }
    }
  }
}

TEST_CASE("an unknown question is refused by every command", "[questions]") {
  QuestionBoard board;
  CHECK(board.approve(7, std::nullopt).status == StatusCode::UnknownQuestion);
  CHECK(board.approve(7, std::nullopt).message == "Aucune question n° 7.");
  CHECK(board.reject(7).status == StatusCode::UnknownQuestion);
  CHECK(board.upvote(7, kBob).status == StatusCode::UnknownQuestion);
  CHECK(board.move(7, core::QueueMove::Top).status == StatusCode::UnknownQuestion);
  board.ask(question("Une"));
  CHECK(board.merge(1, 7).status == StatusCode::UnknownQuestion);
  CHECK(board.merge(1, 1).status == StatusCode::QuestionStatus);
  CHECK(board.takeEvents().size() == 1);
}

TEST_CASE("the queue: approving appends, moves go up, down and to the top, on air comes back first", "[questions]") {
  QuestionBoard board;
  for (int i = 0; i < 4; ++i) board.ask(question(std::string("Q").append(std::to_string(i + 1))));
  for (std::uint64_t id : {3, 1, 4, 2}) board.approve(id, std::nullopt);
  CHECK(board.queue() == std::vector<std::uint64_t>{3, 1, 4, 2});
  CHECK(board.move(4, core::QueueMove::Up).ok());
  CHECK(board.queue() == std::vector<std::uint64_t>{3, 4, 1, 2});
  CHECK(board.move(3, core::QueueMove::Down).ok());
  CHECK(board.queue() == std::vector<std::uint64_t>{4, 3, 1, 2});
  CHECK(board.move(2, core::QueueMove::Top).ok());
  CHECK(board.queue() == std::vector<std::uint64_t>{2, 4, 3, 1});
  board.takeEvents();
  CHECK(board.move(2, core::QueueMove::Up).ok());  // already first: nothing happens
  CHECK(board.move(1, core::QueueMove::Down).ok());
  CHECK(board.takeEvents().empty());
  CHECK(board.rankOf(3) == 2U);

  CHECK(board.putOnAir(3).ok());
  CHECK(board.onAir() == 3U);
  CHECK(board.putOnAir(1).ok());  // 3 goes back to the top
  CHECK(board.onAir() == 1U);
  CHECK(statusOf(board, 3) == QuestionStatus::Approved);
  CHECK(board.queue().front() == 3);
  CHECK(board.answered(1).ok());
  CHECK(board.queue() == std::vector<std::uint64_t>{3, 2, 4});
  CHECK_FALSE(board.onAir());
  const auto counters = board.counters();
  CHECK(counters.approved == 3);
  CHECK(counters.answered == 1);
  CHECK(counters.pending == 0);

  QuestionBoard pending;
  pending.ask(question("Pas encore retenue"));
  CHECK(pending.move(1, core::QueueMove::Top).status == StatusCode::QuestionStatus);
}

TEST_CASE("one vote per browser per public question, a merge brings its voters along", "[questions]") {
  QuestionBoard board;
  board.ask(question("La piscine ?"));
  board.ask(question("Quand rouvre la piscine ?", kBob));
  CHECK(board.upvote(1, kBob).status == StatusCode::QuestionStatus);  // pending: not public yet
  board.approve(1, std::nullopt);
  board.approve(2, std::nullopt);
  CHECK(board.upvote(1, kBob).ok());
  const auto again = board.upvote(1, kBob);
  CHECK(again.status == StatusCode::AlreadyVoted);
  CHECK(again.message == "Vous soutenez déjà la question n° 1.");
  CHECK(board.upvote(2, kAlice).ok());
  CHECK(board.upvote(2, "carol-browser-000000000003").ok());
  CHECK(board.merge(2, 1).ok());
  CHECK(board.find(1)->voters.size() == 3);
  CHECK(board.find(2)->mergedInto == 1U);
  CHECK(board.queue() == std::vector<std::uint64_t>{1});
  board.answered(1);
  CHECK(board.upvote(1, "dave-browser-0000000000004").ok());  // answered questions may still be supported
  QuestionBoard replica;
  checkReplay(board, replica);
}

TEST_CASE("editing keeps the original for the moderator, deleting forgets the text", "[questions]") {
  QuestionBoard board;
  auto asked = question("Pourquoi la rue Jean Jaurès n'est pas éclairée ? [numéro masqué]");
  asked.original = "Pourquoi la rue Jean Jaurès n'est pas éclairée ? 06 12 34 56 78";
  asked.flags = {"phone"};
  board.ask(asked);
  CHECK(board.approve(1, std::string("Pourquoi la rue Jean Jaurès n'est-elle pas éclairée ?")).ok());
  const auto* q = board.find(1);
  CHECK(q->text == "Pourquoi la rue Jean Jaurès n'est-elle pas éclairée ?");
  CHECK(q->original == "Pourquoi la rue Jean Jaurès n'est pas éclairée ? 06 12 34 56 78");
  CHECK(board.edit(1, "Éclairage de la rue Jean Jaurès").ok());
  CHECK(board.find(1)->original == "Pourquoi la rue Jean Jaurès n'est pas éclairée ? 06 12 34 56 78");
  board.takeEvents();
  CHECK(board.edit(1, "Éclairage de la rue Jean Jaurès").ok());  // unchanged: no event
  CHECK(board.takeEvents().empty());
  CHECK(board.remove(1).ok());
  CHECK(board.find(1)->text.empty());
  CHECK(board.find(1)->original.empty());
  CHECK(board.remove(1).status == StatusCode::UnknownQuestion);
}

TEST_CASE("what each role sees of a question", "[questions][roles]") {
  QuestionBoard board;
  auto flagged = question("Le maire est un [mot] ! 06 …", kAlice, {"profanity"});
  flagged.original = "original text";
  board.ask(flagged);                            // 1: pending, Alice's
  board.ask(question("Et la piscine ?", kBob));  // 2: approved, Bob's
  board.approve(2, std::nullopt);
  board.upvote(2, kAlice);
  board.ask(question("Hors sujet", kAlice));  // 3: rejected, Alice's
  board.reject(3);
  board.ask(question("Spam", kAlice));  // 4: deleted, Alice's
  board.remove(4);

  // Staff: everything but deleted ones, with the original and the flags.
  const auto staff = board.views(Role::Moderator, "");
  REQUIRE(staff.size() == 3);
  CHECK(staff[0].at("original") == "original text");
  CHECK(staff[0].at("flags") == json::array({"profanity"}));
  CHECK(staff[0].at("rank").is_null());
  CHECK(staff[1].at("rank") == 0);
  CHECK(staff[1].at("asked_ms") == 1'790'000'000'000);
  CHECK_FALSE(staff[0].contains("author"));
  CHECK(board.views(Role::Technician, "") == staff);

  // The mayor: public questions only, no original, no flags.
  const auto mayor = board.views(Role::Mayor, "");
  REQUIRE(mayor.size() == 1);
  CHECK(mayor[0].at("id") == 2);
  CHECK(mayor[0].at("votes") == 1);
  CHECK_FALSE(mayor[0].contains("original"));
  CHECK_FALSE(mayor[0].contains("flags"));

  // Alice: Bob's approved question, and her own whatever their status; never an original.
  const auto alice = board.views(Role::Viewer, kAlice);
  REQUIRE(alice.size() == 4);
  CHECK(alice[0].at("status_label") == "en attente");
  CHECK(alice[0].at("mine") == true);
  CHECK_FALSE(alice[0].contains("original"));
  CHECK_FALSE(alice[0].contains("flags"));
  CHECK(alice[1].at("mine") == false);
  CHECK(alice[1].at("voted") == true);
  CHECK_FALSE(alice[1].contains("author"));
  CHECK(alice[2].at("status_label") == "non retenue");
  CHECK(alice[3] == json{{"id", 4}, {"status", "deleted"}, {"status_label", "non retenue"}, {"mine", true}});

  // Another viewer: only the public question.
  const auto carol = board.views(Role::Viewer, "carol-browser-000000000003");
  REQUIRE(carol.size() == 1);
  CHECK(carol[0].at("voted") == false);
  CHECK(board.views(Role::Viewer, "").size() == 1);  // no id: nothing is "mine"
  CHECK_FALSE(board.view(1, Role::Viewer, kBob));
  CHECK_FALSE(board.view(1, Role::Mayor, ""));
}

TEST_CASE("the board's events replay into the same board, and wrong events are refused and change nothing",
          "[questions][replay]") {
  QuestionBoard board;
  board.ask(question("Une"));
  board.ask(question("Deux", kBob));
  board.ask(question("Trois"));
  board.approve(1, std::string("Une, reformulée"));
  board.approve(2, std::nullopt);
  board.approve(3, std::nullopt);
  board.move(3, core::QueueMove::Top);
  board.upvote(2, kAlice);
  board.putOnAir(2);
  board.edit(2, "Deux, reformulée");
  board.takeOffAir(2);
  board.putOnAir(1);
  board.answered(1);
  board.setPrescreen(false);
  board.ask(question("Quatre"));
  board.writtenReply(4);
  QuestionBoard replica;
  checkReplay(board, replica);

  const auto before = replica.views(Role::Technician, "");
  const std::vector<core::QuestionEvent> wrong{
      {"question_approved", {{"id", 99}}},
      {"question_asked", {{"id", 1}, {"text", "x"}, {"status", "pending"}, {"asked_ms", 0}, {"flags", json::array()}}},
      {"question_asked", {{"id", 9}, {"text", "x"}, {"status", "on_air"}, {"asked_ms", 0}, {"flags", json::array()}}},
      {"question_on_air", {{"id", 4}}},
      {"question_moved", {{"id", 3}, {"to", 10}}},
      {"question_upvoted", {{"id", 2}, {"voter", kAlice}}},
      {"question_merged", {{"id", 3}, {"into", 3}}},
      {"questions_prescreen", {{"enabled", "yes"}}},
      {"question_edited", {{"id", "2"}, {"text", "x"}}},
      {"question_shouted", {{"id", 2}}},
      {"question_rejected", json::array()},
  };
  for (const auto& event : wrong) {
    INFO(event.type << " " << event.data.dump());
    const auto error = replica.apply(event);
    REQUIRE(error);
    CHECK_FALSE(error->empty());
    CHECK(replica.views(Role::Technician, "") == before);
  }
}
