#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/vote.h"

using namespace tribune;
using core::Choice;
using core::VoteCounts;
using core::VoteResult;

TEST_CASE("choices, ballots and results have stable ids and French labels", "[vote]") {
  CHECK(core::toString(Choice::Pour) == "pour");
  CHECK(core::toString(Choice::Contre) == "contre");
  CHECK(core::toString(Choice::Abstention) == "abstention");
  CHECK(core::toString(Choice::NePrendPasPart) == "npp");
  for (const auto choice : core::kAllChoices) CHECK(core::choiceFromString(core::toString(choice)) == choice);
  CHECK_FALSE(core::choiceFromString("Pour"));
  CHECK_FALSE(core::choiceFromString("oui"));
  CHECK(core::toString(core::Ballot::Public) == "public");
  CHECK(core::toString(core::Ballot::Secret) == "secret");
  CHECK(core::ballotFromString("secret") == core::Ballot::Secret);
  CHECK_FALSE(core::ballotFromString("à main levée"));
  CHECK(core::frenchLabel(VoteResult::Unanimite) == "Adopté à l'unanimité");
  CHECK(core::frenchLabel(VoteResult::Adopte) == "Adopté");
  CHECK(core::frenchLabel(VoteResult::Rejete) == "Rejeté");
  for (const auto result : {VoteResult::Unanimite, VoteResult::Adopte, VoteResult::Rejete}) {
    CHECK(core::voteResultFromString(core::toString(result)) == result);
  }
}

TEST_CASE("the result rule: unanimity, majority of votes cast, rejection on a tie", "[vote]") {
  struct Case {
    VoteCounts counts;
    VoteResult expected;
    const char* why;
  };
  const std::vector<Case> cases{
      {{29, 0, 0, 0}, VoteResult::Unanimite, "all for"},
      {{1, 0, 0, 0}, VoteResult::Unanimite, "one for, nobody else"},
      {{25, 0, 0, 4}, VoteResult::Unanimite, "not taking part does not break unanimity"},
      {{25, 0, 4, 0}, VoteResult::Adopte, "an abstention breaks unanimity but not the majority"},
      {{20, 9, 0, 0}, VoteResult::Adopte, "majority"},
      {{3, 2, 20, 0}, VoteResult::Adopte, "abstentions are not votes cast"},
      {{10, 10, 0, 0}, VoteResult::Rejete, "a tie is rejected"},
      {{9, 20, 0, 0}, VoteResult::Rejete, "minority"},
      {{0, 0, 29, 0}, VoteResult::Rejete, "all abstain"},
      {{0, 0, 0, 0}, VoteResult::Rejete, "nothing"},
      {{0, 1, 0, 0}, VoteResult::Rejete, "one against"},
  };
  for (const auto& c : cases) {
    INFO(c.why);
    CHECK(core::resultOf(c.counts) == c.expected);
  }
}

TEST_CASE("a public ballot counts its named choices", "[vote]") {
  const auto vote = core::Vote::publicBallot("2", {{"cm-01", Choice::Pour},
                                                   {"cm-02", Choice::Pour},
                                                   {"cm-03", Choice::Contre},
                                                   {"cm-04", Choice::Abstention},
                                                   {"cm-05", Choice::NePrendPasPart}});
  CHECK(vote.ballot == core::Ballot::Public);
  CHECK(vote.counts == VoteCounts{2, 1, 1, 1});
  CHECK(vote.counts.total() == 5);
  CHECK(vote.result == VoteResult::Adopte);
}

TEST_CASE("a secret ballot keeps its counts and no names", "[vote]") {
  const auto vote = core::Vote::secretBallot("2", {10, 12, 3, 0});
  CHECK(vote.ballot == core::Ballot::Secret);
  CHECK(vote.choices.empty());
  CHECK(vote.result == VoteResult::Rejete);
}

TEST_CASE("a vote round-trips through JSON", "[vote]") {
  auto publicVote = core::Vote::publicBallot("6 bis", {{"cm-01", Choice::Pour}, {"cm-05", Choice::Contre}});
  auto secretVote = core::Vote::secretBallot("2", {10, 2, 3, 1});
  secretVote.huisClos = true;
  for (const auto& vote : {publicVote, secretVote}) {
    const auto json = core::toJson(vote);
    const auto back = core::voteFromJson(nlohmann::json::parse(json.dump()));
    INFO(json.dump());
    REQUIRE(back.vote);
    CHECK(*back.vote == vote);
  }
  const auto json = core::toJson(publicVote);
  CHECK(json.at("choices") == nlohmann::json{{"cm-01", "pour"}, {"cm-05", "contre"}});
  CHECK(json.at("counts") == nlohmann::json{{"pour", 1}, {"contre", 1}, {"abstention", 0}, {"npp", 0}});
  CHECK(json.at("result") == "rejete");
  CHECK_FALSE(core::toJson(secretVote).contains("choices"));
}

TEST_CASE("a stored vote keeps the result decided then, and a damaged one is refused", "[vote]") {
  auto json = core::toJson(core::Vote::secretBallot("2", {10, 2, 0, 0}));
  json["result"] = "rejete";  // as if the rule had been different when it was recorded
  REQUIRE(core::voteFromJson(json).vote);
  CHECK(core::voteFromJson(json).vote->result == VoteResult::Rejete);

  const auto damaged = [](const char* key, nlohmann::json value) {
    auto copy = core::toJson(core::Vote::publicBallot("2", {{"cm-01", Choice::Pour}}));
    copy[key] = std::move(value);
    return core::voteFromJson(copy);
  };
  CHECK_FALSE(damaged("item", 2).vote);
  CHECK_FALSE(damaged("ballot", "main levée").vote);
  CHECK_FALSE(damaged("result", "adopted").vote);
  CHECK_FALSE(damaged("choices", {{"cm-01", "oui"}}).vote);
  CHECK_FALSE(damaged("counts", {{"pour", 2}, {"contre", 0}, {"abstention", 0}, {"npp", 0}}).vote);
  CHECK_FALSE(damaged("counts", {{"pour", -1}, {"contre", 0}, {"abstention", 0}, {"npp", 0}}).vote);
  CHECK_FALSE(damaged("huis_clos", "non").vote);
  CHECK_FALSE(core::voteFromJson(nlohmann::json::array()).vote);
  CHECK_THAT(damaged("result", "adopted").error, Catch::Contains("vote.result"));
}
