// Threading contract: see wire_text.h (pure).
#include "web/wire_text.h"

#include <cctype>
#include <cstdio>

namespace tribune::web {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

std::optional<std::string> parseBearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  std::string_view text = trim(authorization);
  if (text.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != kScheme[i]) return std::nullopt;
  }
  if (text[kScheme.size()] != ' ' && text[kScheme.size()] != '\t') return std::nullopt;
  std::string_view token = trim(text.substr(kScheme.size()));
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

HttpResponse jsonError(int status, std::string_view code, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.contentType = "application/json";
  response.body = R"({"error":{"code":)";
  appendJsonString(response.body, code);
  response.body += R"(,"message":)";
  appendJsonString(response.body, message);
  response.body += "}}";
  return response;
}

std::string truncateUtf8(std::string_view text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return std::string(text);
  std::size_t end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so the cut lands on a sequence start.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return std::string(text.substr(0, end));
}

}  // namespace tribune::web
