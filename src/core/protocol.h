#pragma once
// The websocket protocol's text messages (docs/PROTOCOL.md): parsing what a client sends,
// which is untrusted and fuzzed (tests/fuzz/protocol_fuzz.cpp), and building what the
// server sends. Pure functions: the web layer owns the connections, the hub the meeting.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/command_table.h"
#include "core/role.h"
#include "core/status.h"

namespace tribune::core {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kMaxTypeLength = 64;
inline constexpr std::size_t kMaxIdLength = 64;
inline constexpr std::size_t kMaxTokenLength = 128;
inline constexpr std::size_t kMaxJsonDepth = 16;

enum class MessageKind { Hello, Ping, Command };

struct Hello {
  std::optional<std::string> token;    // gives the role; none: viewer
  std::optional<std::uint64_t> since;  // the last event seq the client has seen
  std::optional<std::string> viewer;   // a viewer's browser id, when well formed (isValidViewerId)
};

struct ClientMessage {
  MessageKind kind = MessageKind::Command;
  std::string type;       // "hello", "ping" or a command type of the table
  nlohmann::json id;      // null, an integer or a string: echoed in the result
  nlohmann::json params;  // every member but "type" and "id", as an object
  Hello hello;            // kind == Hello only
  [[nodiscard]] Request request() const { return {type, params}; }
};

struct ParseResult {
  std::optional<ClientMessage> message;  // when ok
  StatusCode status = StatusCode::Ok;    // else one of too_large, malformed_json,
                                         // not_an_object, missing_type, invalid_id,
                                         // unknown_type, invalid_params
  std::string error;                     // French, for the client
  nlohmann::json id;                     // the message's id when it could be read, else null
  [[nodiscard]] bool ok() const { return message.has_value(); }
};

// Never throws, whatever the text.
ParseResult parseClientMessage(std::string_view text, std::size_t maxBytes);

// Server to client, as JSON text ready to send (invalid UTF-8 replaced, never thrown).
// {"type":"welcome","protocol":1,"role":…,"seq":…,"snapshot":…|null,"viewer"?:…,"serve"?:true};
// the viewer's browser id only for a viewer (docs/QUESTIONS.md); "serve" when the meeting is
// one of `tribune serve`'s schedule (the console then offers "Arrêter la séance").
std::string welcome(Role role, std::uint64_t seq, const nlohmann::json& snapshot, std::string_view viewer = {},
                    bool serve = false);
// {"type":"result","id":…,"code":…,"status":…,"message":…,"data":…}; id omitted when null.
std::string result(const nlohmann::json& id, const DispatchResult& outcome);
// {"type":"event","seq":…,"event":{"type","data","at_ms"}}
std::string event(std::uint64_t seq, const nlohmann::json& meetingEvent);
// {"type":"error","code":…,"status":…,"message":…,"id":…}; id omitted when null.
std::string error(StatusCode code, std::string_view message, const nlohmann::json& id = nullptr);

}  // namespace tribune::core
