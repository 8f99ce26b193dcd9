#pragma once
// The commands that come from outside (the websocket protocol, the REST mirror): one table
// from a command type to the roles allowed to send it, its parameters and its handler
// (command_table.cpp, each handler with its documentation; docs/PROTOCOL.md, "Commands").
//
// dispatch() checks, in this order: the type is known (404 unknown_type), the role may send
// it (403 forbidden), the parameters are valid (422 invalid_params, naming the parameter);
// then the handler asks the Meeting or the Broadcast, whose refusal comes back with its own
// stable status. Messages are French, for the console.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/broadcast.h"
#include "core/clock.h"
#include "core/meeting.h"
#include "core/platform_board.h"
#include "core/question_intake.h"
#include "core/role.h"
#include "core/status.h"

namespace tribune::core {

// Strings in parameters: at most this many characters (Unicode code points).
inline constexpr std::size_t kMaxParamLength = 500;

struct Request {
  std::string type;       // "session.open", "agenda.jump"…
  nlohmann::json params;  // an object (null means no parameter)
};

struct DispatchResult {
  int code = static_cast<int>(StatusCode::Ok);     // core/status.h
  std::string status = "ok";                       // the code's stable name
  std::string message;                             // French; empty when ok
  nlohmann::json data = nlohmann::json::object();  // for invalid_params: {"param": "…"}
  [[nodiscard]] bool ok() const { return code == static_cast<int>(StatusCode::Ok); }
};

// Who sends a command.
struct Caller {
  Role role = Role::Viewer;
  std::string viewer;   // a viewer's browser id (docs/QUESTIONS.md, "hello"); empty otherwise
  std::string address;  // the peer's address: for rate limits only, never stored; empty through a public
                        // edge, which applies the per-address limits itself (issue 22)
  std::string ticket;   // through a public edge: the question's ticket (its Redis stream id), so that a
                        // question forwarded again after a lost acknowledgement is logged once
};

// Everything a command may act on or read, besides the request.
struct DispatchTarget {
  Meeting& meeting;
  Broadcast& broadcast;
  QuestionIntake& questions;
  TimePoint now;
  std::int64_t wallMs = 0;             // wall clock (ms since 1970), written into a question
  PlatformBoard* platforms = nullptr;  // none: the platforms' commands are refused
};

DispatchResult dispatch(const Request& request, const Caller& caller, DispatchTarget target);
// The same for a caller known by its role only, with the default question settings.
DispatchResult dispatch(const Request& request, Role role, Meeting& meeting, Broadcast& broadcast, TimePoint now);

// The table, read-only, for the protocol parser, the documentation and the tests.
[[nodiscard]] bool isCommandType(std::string_view type);
[[nodiscard]] std::vector<std::string_view> commandTypes();           // in the table's order
[[nodiscard]] std::vector<Role> rolesAllowed(std::string_view type);  // empty when unknown
[[nodiscard]] std::vector<std::string_view> commandParams(std::string_view type);

}  // namespace tribune::core
