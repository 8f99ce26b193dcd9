#pragma once
// Small pure helpers for what goes over the wire: reading a bearer token, the JSON body of
// the errors the web layer answers by itself, and cutting a close reason to size.
// Threading contract: pure functions, any thread.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "web/web_server.h"

namespace tribune::web {

// "Bearer abc" → "abc" (scheme case-insensitive, spaces trimmed); anything else → nullopt.
std::optional<std::string> parseBearerToken(std::string_view authorization);

// {"error":{"code":"payload_too_large","message":"…"}} with the given status.
HttpResponse jsonError(int status, std::string_view code, std::string_view message);

// At most maxBytes of text, never cutting a UTF-8 sequence in two (a websocket close
// reason must be valid UTF-8 and fit in 123 bytes).
std::string truncateUtf8(std::string_view text, std::size_t maxBytes);

}  // namespace tribune::web
