#include "core/session.h"

#include <algorithm>

namespace tribune::core {

namespace {

struct StateName {
  SessionState state;
  std::string_view id;
  std::string_view label;
  bool publicMayBeHeard;
};

constexpr std::array<StateName, kAllSessionStates.size()> kStates{{
    {SessionState::PreSeance, "pre_seance", "Pré-séance", true},
    {SessionState::Ouverte, "seance_ouverte", "Séance ouverte", false},
    {SessionState::Suspension, "suspension", "Suspension de séance", true},
    {SessionState::HuisClos, "huis_clos", "Huis clos", false},
    {SessionState::Levee, "seance_levee", "Séance levée", false},
    {SessionState::QuestionsPublic, "questions_public", "Questions du public", true},
    {SessionState::Terminee, "terminee", "Terminée", false},
}};

const StateName& stateName(SessionState state) {
  const auto found =
      std::find_if(kStates.begin(), kStates.end(), [state](const StateName& name) { return name.state == state; });
  return found != kStates.end() ? *found : kStates.front();
}

// What a command does, and the French for its refusal: "Impossible de <action> : <reason>
// (état actuel : <state>)." `already` replaces the reason when the session is already where
// the command leads.
struct CommandInfo {
  SessionCommand command;
  std::string_view id;
  std::string_view action;
  std::string_view reason;
  SessionState already;
  std::string_view alreadyReason;
};

constexpr std::array<CommandInfo, kAllSessionCommands.size()> kCommands{{
    {SessionCommand::Open, "open", "d'ouvrir la séance", "elle ne s'ouvre qu'une fois, depuis la pré-séance",
     SessionState::Ouverte, "elle est déjà ouverte"},
    {SessionCommand::Suspend, "suspend", "de suspendre la séance", "elle n'est pas ouverte", SessionState::Suspension,
     "elle est déjà suspendue"},
    {SessionCommand::Resume, "resume", "de reprendre la séance", "elle n'est pas suspendue", SessionState::Ouverte,
     "elle est déjà ouverte"},
    {SessionCommand::EnterHuisClos, "huis_clos", "de passer à huis clos", "la séance n'est pas ouverte",
     SessionState::HuisClos, "la séance est déjà à huis clos"},
    {SessionCommand::LeaveHuisClos, "leave_huis_clos", "de sortir du huis clos", "la séance n'est pas à huis clos",
     SessionState::Ouverte, "la séance n'est pas à huis clos"},
    {SessionCommand::Close, "close", "de lever la séance", "elle n'est pas ouverte", SessionState::Levee,
     "elle est déjà levée"},
    {SessionCommand::StartPublicQuestions, "public_questions", "d'ouvrir les questions du public",
     "elles viennent après la levée de la séance", SessionState::QuestionsPublic, "elles sont déjà ouvertes"},
    {SessionCommand::End, "end", "de terminer la retransmission", "la séance n'est pas levée", SessionState::Terminee,
     "elle est déjà terminée"},
}};

const CommandInfo& commandInfo(SessionCommand command) {
  const auto found = std::find_if(kCommands.begin(), kCommands.end(),
                                  [command](const CommandInfo& info) { return info.command == command; });
  return found != kCommands.end() ? *found : kCommands.front();
}

// The legal transitions, and only them.
struct Edge {
  SessionCommand command;
  SessionState from;
  SessionState to;
};

constexpr std::array<Edge, 9> kEdges{{
    {SessionCommand::Open, SessionState::PreSeance, SessionState::Ouverte},
    {SessionCommand::Suspend, SessionState::Ouverte, SessionState::Suspension},
    {SessionCommand::Resume, SessionState::Suspension, SessionState::Ouverte},
    {SessionCommand::EnterHuisClos, SessionState::Ouverte, SessionState::HuisClos},
    // Explicit only: "reprendre" does not end a huis clos, so that nobody puts the closed
    // session back on air by reflex.
    {SessionCommand::LeaveHuisClos, SessionState::HuisClos, SessionState::Ouverte},
    {SessionCommand::Close, SessionState::Ouverte, SessionState::Levee},
    {SessionCommand::StartPublicQuestions, SessionState::Levee, SessionState::QuestionsPublic},
    {SessionCommand::End, SessionState::Levee, SessionState::Terminee},
    {SessionCommand::End, SessionState::QuestionsPublic, SessionState::Terminee},
}};

// Refusals where the next step is not obvious: what to do first.
struct Hint {
  SessionCommand command;
  SessionState from;
  std::string_view text;
};

constexpr std::array<Hint, 6> kHints{{
    {SessionCommand::Resume, SessionState::HuisClos, "la séance est à huis clos ; utilisez « Sortir du huis clos »"},
    {SessionCommand::Close, SessionState::Suspension, "elle est suspendue ; reprenez-la d'abord"},
    {SessionCommand::Close, SessionState::HuisClos, "elle est à huis clos ; sortez d'abord du huis clos"},
    {SessionCommand::Suspend, SessionState::HuisClos, "elle est à huis clos ; sortez d'abord du huis clos"},
    {SessionCommand::End, SessionState::Ouverte, "la séance est encore ouverte ; levez-la d'abord"},
    {SessionCommand::StartPublicQuestions, SessionState::Ouverte,
     "la séance est encore ouverte ; levez-la d'abord (pendant une suspension, les questions passent sans changer "
     "d'état)"},
}};

std::string_view reasonFor(SessionCommand command, SessionState from) {
  const auto hint =
      std::find_if(kHints.begin(), kHints.end(), [&](const Hint& h) { return h.command == command && h.from == from; });
  if (hint != kHints.end()) return hint->text;
  const auto& info = commandInfo(command);
  if (from == SessionState::Terminee) return "la retransmission est terminée";
  return from == info.already ? info.alreadyReason : info.reason;
}

}  // namespace

std::string_view toString(SessionState state) { return stateName(state).id; }

std::optional<SessionState> sessionStateFromString(std::string_view name) {
  const auto found =
      std::find_if(kStates.begin(), kStates.end(), [name](const StateName& entry) { return entry.id == name; });
  if (found == kStates.end()) return std::nullopt;
  return found->state;
}

std::string_view frenchLabel(SessionState state) { return stateName(state).label; }

bool publicMayBeHeard(SessionState state) { return stateName(state).publicMayBeHeard; }

std::string_view toString(SessionCommand command) { return commandInfo(command).id; }

Transition transition(SessionState from, SessionCommand command) {
  const auto edge =
      std::find_if(kEdges.begin(), kEdges.end(), [&](const Edge& e) { return e.command == command && e.from == from; });
  if (edge != kEdges.end()) return {edge->to, {}};
  return {std::nullopt, "Impossible " + std::string(commandInfo(command).action) + " : " +
                            std::string(reasonFor(command, from)) +
                            " (état actuel : " + std::string(frenchLabel(from)) + ")."};
}

bool isLegalTransition(SessionState from, SessionState to) {
  return std::any_of(kEdges.begin(), kEdges.end(), [&](const Edge& e) { return e.from == from && e.to == to; });
}

}  // namespace tribune::core
