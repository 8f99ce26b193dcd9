#pragma once
// The REST answers of the hub and the station: JSON text that never throws on a viewer's or
// a file's invalid UTF-8 (replaced), and the protocol's error documents.
#include <nlohmann/json.hpp>

#include <string>

#include "core/protocol.h"
#include "core/status.h"
#include "web/web_server.h"

namespace tribune::app {

inline std::string jsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline web::HttpResponse jsonResponse(int status, const nlohmann::json& body) {
  return {status, "application/json", jsonText(body), {}, {}};
}

inline web::HttpResponse errorResponse(core::StatusCode code, const std::string& message) {
  return {static_cast<int>(code), "application/json", core::error(code, message), {}, {}};
}

}  // namespace tribune::app
