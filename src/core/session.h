#pragma once
// The session's state machine, as the CGCT has it (DESIGN.md §2):
//
//   pré-séance → séance ouverte ⇄ suspension
//                séance ouverte → huis clos → séance ouverte
//                séance ouverte → séance levée → questions du public → terminée
//                                 séance levée → terminée
//
// The state decides what may be broadcast (nothing at huis clos) and when the public may
// be heard (never during deliberations). Transitions are one table (session.cpp); any
// other pair of state and command is refused with a French sentence saying why.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace tribune::core {

enum class SessionState { PreSeance, Ouverte, Suspension, HuisClos, Levee, QuestionsPublic, Terminee };
inline constexpr std::array<SessionState, 7> kAllSessionStates{
    SessionState::PreSeance, SessionState::Ouverte,         SessionState::Suspension, SessionState::HuisClos,
    SessionState::Levee,     SessionState::QuestionsPublic, SessionState::Terminee};

// "pre_seance", "seance_ouverte", "suspension", "huis_clos", "seance_levee",
// "questions_public", "terminee": in events, snapshots and on the wire.
std::string_view toString(SessionState state);
std::optional<SessionState> sessionStateFromString(std::string_view name);
// "Pré-séance", "Séance ouverte", "Suspension de séance", "Huis clos", "Séance levée",
// "Questions du public", "Terminée".
std::string_view frenchLabel(SessionState state);

// Outside deliberation: before the opening, during a suspension, and in the questions time
// after the session is closed. Only then may a viewer's question go on air.
bool publicMayBeHeard(SessionState state);

enum class SessionCommand { Open, Suspend, Resume, EnterHuisClos, LeaveHuisClos, Close, StartPublicQuestions, End };
inline constexpr std::array<SessionCommand, 8> kAllSessionCommands{SessionCommand::Open,
                                                                   SessionCommand::Suspend,
                                                                   SessionCommand::Resume,
                                                                   SessionCommand::EnterHuisClos,
                                                                   SessionCommand::LeaveHuisClos,
                                                                   SessionCommand::Close,
                                                                   SessionCommand::StartPublicQuestions,
                                                                   SessionCommand::End};

// "open", "suspend", "resume", "huis_clos", "leave_huis_clos", "close", "public_questions", "end".
std::string_view toString(SessionCommand command);

struct Transition {
  std::optional<SessionState> to;  // nothing when refused
  std::string refusal;             // French, when refused: "Impossible de … : … (état actuel : …)."
};
Transition transition(SessionState from, SessionCommand command);

// Whether some command leads from `from` to `to` (checks a replayed event).
bool isLegalTransition(SessionState from, SessionState to);

}  // namespace tribune::core
