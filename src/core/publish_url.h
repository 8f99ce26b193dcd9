#pragma once
// An RTMP/RTMPS publish URL whose last path segment (and query) is the stream key.
// Parsing is strict: a technician gets told exactly what is wrong with what they pasted.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/secret.h"

namespace tribune::core {

struct PublishUrl {
  bool tls = false;  // rtmps
  std::string host;
  std::uint16_t port = 0;  // explicit or the scheme's default (1935 / 443)
  std::string app;         // path between host and key, e.g. "live2" or "rtmp"
  Secret key;              // stream key (may carry a query string, kept verbatim)

  // The complete URL to hand to the RTMP client. Contains the key: never log it.
  [[nodiscard]] std::string full() const;
  // The same with the key replaced by Secret::kMask: safe for logs, errors and answers.
  [[nodiscard]] std::string masked() const;
};

struct PublishUrlError {
  std::string message;  // English, names what is wrong, never contains the key
  // The URL stops at the application: the caller may say where else a key can come from.
  bool missingKey = false;
};

// Parses "rtmp[s]://host[:port]/app.../key". When `key` is given the URL has no key and
// the key is appended as the last segment.
struct PublishUrlResult {
  std::optional<PublishUrl> url;
  std::optional<PublishUrlError> error;
};
PublishUrlResult parsePublishUrl(std::string_view url, const std::optional<Secret>& key = std::nullopt);

// Why a stream key given on its own cannot be appended to a URL (empty, whitespace, '/',
// '#'), or nothing. Lets a caller report a bad key at the place the key came from.
std::optional<PublishUrlError> checkStreamKey(const Secret& key);

}  // namespace tribune::core
