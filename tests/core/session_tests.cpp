#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>

#include "core/session.h"

using namespace tribune;
using core::SessionCommand;
using core::SessionState;

namespace {

using S = SessionState;
using C = SessionCommand;

// The whole legal table; every other pair is refused.
const std::map<std::pair<S, C>, S> kLegal{
    {{S::PreSeance, C::Open}, S::Ouverte},
    {{S::Ouverte, C::Suspend}, S::Suspension},
    {{S::Suspension, C::Resume}, S::Ouverte},
    {{S::Ouverte, C::EnterHuisClos}, S::HuisClos},
    {{S::HuisClos, C::LeaveHuisClos}, S::Ouverte},
    {{S::Ouverte, C::Close}, S::Levee},
    {{S::Levee, C::StartPublicQuestions}, S::QuestionsPublic},
    {{S::Levee, C::End}, S::Terminee},
    {{S::QuestionsPublic, C::End}, S::Terminee},
};

}  // namespace

TEST_CASE("states have stable ids and French labels", "[session]") {
  const std::vector<std::tuple<S, std::string, std::string>> names{
      {S::PreSeance, "pre_seance", "Pré-séance"},
      {S::Ouverte, "seance_ouverte", "Séance ouverte"},
      {S::Suspension, "suspension", "Suspension de séance"},
      {S::HuisClos, "huis_clos", "Huis clos"},
      {S::Levee, "seance_levee", "Séance levée"},
      {S::QuestionsPublic, "questions_public", "Questions du public"},
      {S::Terminee, "terminee", "Terminée"},
  };
  REQUIRE(names.size() == core::kAllSessionStates.size());
  for (const auto& [state, id, label] : names) {
    CHECK(core::toString(state) == id);
    CHECK(core::frenchLabel(state) == label);
    CHECK(core::sessionStateFromString(id) == state);
  }
  CHECK_FALSE(core::sessionStateFromString("ouverte"));
  CHECK_FALSE(core::sessionStateFromString(""));
}

TEST_CASE("commands have stable ids", "[session]") {
  const std::vector<std::pair<C, std::string>> names{
      {C::Open, "open"},
      {C::Suspend, "suspend"},
      {C::Resume, "resume"},
      {C::EnterHuisClos, "huis_clos"},
      {C::LeaveHuisClos, "leave_huis_clos"},
      {C::Close, "close"},
      {C::StartPublicQuestions, "public_questions"},
      {C::End, "end"},
  };
  REQUIRE(names.size() == core::kAllSessionCommands.size());
  for (const auto& [command, id] : names) CHECK(core::toString(command) == id);
}

TEST_CASE("the public may be heard only outside deliberation", "[session]") {
  for (const auto state : core::kAllSessionStates) {
    INFO(core::toString(state));
    const bool expected = state == S::PreSeance || state == S::Suspension || state == S::QuestionsPublic;
    CHECK(core::publicMayBeHeard(state) == expected);
  }
}

TEST_CASE("every state and command pair follows the table: legal ones move, others are refused in French",
          "[session]") {
  for (const auto state : core::kAllSessionStates) {
    for (const auto command : core::kAllSessionCommands) {
      INFO(core::toString(state) << " + " << core::toString(command));
      const auto result = core::transition(state, command);
      const auto legal = kLegal.find({state, command});
      if (legal != kLegal.end()) {
        REQUIRE(result.to);
        CHECK(*result.to == legal->second);
        CHECK(result.refusal.empty());
        CHECK(core::isLegalTransition(state, legal->second));
      } else {
        CHECK_FALSE(result.to);
        CHECK_THAT(result.refusal, Catch::StartsWith("Impossible d"));
        CHECK_THAT(result.refusal, Catch::EndsWith(" (état actuel : " + std::string(core::frenchLabel(state)) + ")."));
      }
    }
  }
}

TEST_CASE("isLegalTransition knows exactly the table's pairs", "[session]") {
  for (const auto from : core::kAllSessionStates) {
    for (const auto to : core::kAllSessionStates) {
      INFO(core::toString(from) << " -> " << core::toString(to));
      const bool expected = std::any_of(kLegal.begin(), kLegal.end(), [&](const auto& entry) {
        return entry.first.first == from && entry.second == to;
      });
      CHECK(core::isLegalTransition(from, to) == expected);
    }
  }
}

TEST_CASE("a refusal says why, in the words of the chamber", "[session]") {
  CHECK(core::transition(S::PreSeance, C::Suspend).refusal ==
        "Impossible de suspendre la séance : elle n'est pas ouverte (état actuel : Pré-séance).");
  CHECK(core::transition(S::Suspension, C::Suspend).refusal ==
        "Impossible de suspendre la séance : elle est déjà suspendue (état actuel : Suspension de séance).");
  CHECK(core::transition(S::Ouverte, C::Open).refusal ==
        "Impossible d'ouvrir la séance : elle est déjà ouverte (état actuel : Séance ouverte).");
  CHECK(core::transition(S::Levee, C::Open).refusal ==
        "Impossible d'ouvrir la séance : elle ne s'ouvre qu'une fois, depuis la pré-séance (état actuel : Séance "
        "levée).");
  CHECK(core::transition(S::Terminee, C::Resume).refusal ==
        "Impossible de reprendre la séance : la retransmission est terminée (état actuel : Terminée).");
}

TEST_CASE("huis clos is left only explicitly: resume says how", "[session]") {
  const auto result = core::transition(S::HuisClos, C::Resume);
  CHECK_FALSE(result.to);
  CHECK_THAT(result.refusal, Catch::Contains("Sortir du huis clos"));
  CHECK(core::transition(S::HuisClos, C::Close).refusal ==
        "Impossible de lever la séance : elle est à huis clos ; sortez d'abord du huis clos (état actuel : Huis "
        "clos).");
}

TEST_CASE("closing a suspended session asks to resume it first", "[session]") {
  CHECK_THAT(core::transition(S::Suspension, C::Close).refusal, Catch::Contains("reprenez-la d'abord"));
  CHECK_THAT(core::transition(S::Ouverte, C::End).refusal, Catch::Contains("levez-la d'abord"));
}
