#include "core/protocol.h"

#include <algorithm>
#include <utility>

#include "core/text_screen.h"

namespace tribune::core {

namespace {

using Json = nlohmann::json;

ParseResult failure(StatusCode status, std::string message, Json id = nullptr) {
  return {std::nullopt, status, std::move(message), std::move(id)};
}

std::string dumped(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

// The id when it is one the protocol accepts: an integer, or a string of at most
// kMaxIdLength characters.
std::optional<Json> readId(const Json& value) {
  if (value.is_number_integer()) return value;
  if (value.is_string() && characterCount(value.get_ref<const std::string&>()) <= kMaxIdLength) return value;
  return std::nullopt;
}

// hello {token?, since?}: checked here, as it comes before any role is known.
std::optional<std::string> helloProblem(const Json& params, Hello& hello) {
  for (const auto& [key, value] : params.items()) {
    if (key == "token") {
      if (!value.is_string() || characterCount(value.get_ref<const std::string&>()) > kMaxTokenLength) {
        return "Le paramètre « token » doit être une chaîne de " + std::to_string(kMaxTokenLength) +
               " caractères au plus.";
      }
      hello.token = value.get<std::string>();
    } else if (key == "since") {
      if (!value.is_number_unsigned()) return "Le paramètre « since » doit être un entier positif ou nul.";
      hello.since = value.get<std::uint64_t>();
    } else if (key == "viewer") {
      // A malformed id is not an error: the server gives a new one (docs/QUESTIONS.md).
      if (value.is_string() && isValidViewerId(value.get_ref<const std::string&>())) {
        hello.viewer = value.get<std::string>();
      }
    } else {
      return "Paramètre inconnu pour « hello » ; paramètres possibles : token, since, viewer.";
    }
  }
  return std::nullopt;
}

}  // namespace

ParseResult parseClientMessage(std::string_view text, std::size_t maxBytes) {
  if (text.size() > maxBytes) {
    return failure(StatusCode::TooLarge, "Message trop long : " + std::to_string(text.size()) + " octets, " +
                                             std::to_string(maxBytes) + " au plus.");
  }
  bool tooDeep = false;
  Json document;
  try {
    // Containers nested deeper than kMaxJsonDepth are dropped as they are read (and the
    // message refused), so that nothing recursive ever walks a deep tree.
    document = Json::parse(text.begin(), text.end(), [&tooDeep](int depth, Json::parse_event_t event, Json&) {
      const bool opens = event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
      if (opens && depth >= static_cast<int>(kMaxJsonDepth)) tooDeep = true;
      return !tooDeep;
    });
  } catch (const Json::parse_error& problem) {
    return failure(StatusCode::MalformedJson,
                   "JSON invalide à l'octet " + std::to_string(problem.byte) + " du message.");
  } catch (const Json::exception&) {
    return failure(StatusCode::MalformedJson, "JSON invalide : un nombre est hors limites.");
  }
  if (tooDeep) {
    return failure(StatusCode::MalformedJson,
                   "JSON trop imbriqué : " + std::to_string(kMaxJsonDepth) + " niveaux au plus.");
  }
  if (!document.is_object()) return failure(StatusCode::NotAnObject, "Le message doit être un objet JSON {…}.");

  Json id = nullptr;
  if (const auto found = document.find("id"); found != document.end()) {
    auto read = readId(*found);
    if (!read) {
      return failure(StatusCode::InvalidId, "L'« id » doit être un entier ou une chaîne de " +
                                                std::to_string(kMaxIdLength) + " caractères au plus.");
    }
    id = std::move(*read);
  }
  const auto type = document.find("type");
  if (type == document.end() || !type->is_string() || type->get_ref<const std::string&>().empty() ||
      characterCount(type->get_ref<const std::string&>()) > kMaxTypeLength) {
    return failure(
        StatusCode::MissingType,
        "Le message doit avoir un « type » : une chaîne de 1 à " + std::to_string(kMaxTypeLength) + " caractères.", id);
  }

  ClientMessage message;
  message.type = type->get<std::string>();
  message.id = id;
  message.params = Json::object();
  for (auto& [key, value] : document.items()) {
    if (key != "type" && key != "id") message.params[key] = std::move(value);
  }
  if (message.type == "hello") {
    message.kind = MessageKind::Hello;
    if (auto problem = helloProblem(message.params, message.hello)) {
      return failure(StatusCode::InvalidParams, *problem, id);
    }
  } else if (message.type == "ping") {
    message.kind = MessageKind::Ping;
    if (!message.params.empty()) return failure(StatusCode::InvalidParams, "« ping » ne prend aucun paramètre.", id);
  } else if (isCommandType(message.type)) {
    message.kind = MessageKind::Command;
  } else {
    return failure(StatusCode::UnknownType, "Type de message inconnu ; voir docs/PROTOCOL.md.", id);
  }
  return {std::move(message), StatusCode::Ok, {}, std::move(id)};
}

std::string welcome(Role role, std::uint64_t seq, const Json& snapshot, std::string_view viewer, bool serve) {
  Json out{{"type", "welcome"},
           {"protocol", kProtocolVersion},
           {"role", std::string(toString(role))},
           {"seq", seq},
           {"snapshot", snapshot}};
  if (!viewer.empty()) out["viewer"] = std::string(viewer);
  if (serve) out["serve"] = true;
  return dumped(out);
}

std::string result(const Json& id, const DispatchResult& outcome) {
  Json out{{"type", "result"},
           {"code", outcome.code},
           {"status", outcome.status},
           {"message", outcome.message},
           {"data", outcome.data}};
  if (!id.is_null()) out["id"] = id;
  return dumped(out);
}

std::string event(std::uint64_t seq, const Json& meetingEvent) {
  return dumped({{"type", "event"}, {"seq", seq}, {"event", meetingEvent}});
}

std::string error(StatusCode code, std::string_view message, const Json& id) {
  Json out{{"type", "error"},
           {"code", static_cast<int>(code)},
           {"status", std::string(toString(code))},
           {"message", std::string(message)}};
  if (!id.is_null()) out["id"] = id;
  return dumped(out);
}

}  // namespace tribune::core
