#pragma once
// One HTTP call at a time over libcurl (TLS, timeouts, proxies), for the platforms' APIs.
// Blocking: each platform's worker thread owns its client. Nothing here decides what an
// answer means (core/platform_account.h does); nothing here logs a URL or a body unredacted.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tribune::platforms {

using FormFields = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT
  std::string url;             // may carry tokens in its query (Graph): redactUrl() before showing it
  std::vector<std::string> headers;
  std::string body;
  std::string contentType;  // "application/json", "application/x-www-form-urlencoded"; empty without a body
};

struct HttpResponse {
  int status = 0;     // 0: no answer (refused, timeout, TLS, cancelled)
  std::string body;   // at most kMaxBody bytes; longer answers are cut and status set to 0
  std::string error;  // curl's reason when status is 0, redacted
};

struct HttpSettings {
  std::chrono::seconds timeout{20};
  std::chrono::seconds connectTimeout{10};
  std::optional<std::string> proxy;  // none: libcurl's environment variables
};

inline constexpr std::size_t kMaxBody = 4 * 1024 * 1024;

class HttpClient {
 public:
  explicit HttpClient(HttpSettings settings);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse send(const HttpRequest& request);
  // A long answer read as it arrives (YouTube's streamList): while the status is 2xx each
  // piece of the body goes to `onChunk` (not into the response's body) as soon as it
  // arrives; `onChunk` returning false stops the transfer (status 0, error "stopped").
  // Another status's body is kept as usual, for its error. At most `timeout` in all.
  HttpResponse stream(const HttpRequest& request, const std::function<bool(std::string_view)>& onChunk,
                      std::chrono::seconds timeout);
  // Thread-safe: the call under way (and every later one) gives up at once.
  void cancel();

 private:
  struct Handle;
  HttpResponse perform(const HttpRequest& request, const std::function<bool(std::string_view)>* onChunk,
                       std::chrono::seconds timeout);

  HttpSettings settings_;
  std::unique_ptr<Handle> handle_;
  std::atomic<bool> cancelled_{false};
};

// application/x-www-form-urlencoded.
std::string formEncode(const FormFields& fields);
std::string urlEncode(const std::string& text);
// The URL with the values of token-like query parameters (access_token, client_secret,
// fb_exchange_token, refresh_token, code, device_code, password, input_token) replaced by ****.
std::string redactUrl(std::string url);

}  // namespace tribune::platforms
