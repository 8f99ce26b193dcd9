#include "platforms/http_client.h"

#include <curl/curl.h>

#include <array>
#include <mutex>
#include <string_view>

namespace tribune::platforms {

namespace {

// curl_global_init once per process, before any thread uses curl.
void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  std::string* body;
  bool tooLong = false;
  CURL* curl = nullptr;
  const std::function<bool(std::string_view)>* onChunk = nullptr;  // streaming: 2xx bodies go there
  bool stopped = false;
};

size_t writeBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * count;
  if (sink->onChunk != nullptr) {
    long status = 0;
    curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
      if ((*sink->onChunk)(std::string_view(data, bytes))) return bytes;
      sink->stopped = true;
      return 0;  // curl stops with CURLE_WRITE_ERROR
    }
  }
  if (sink->body->size() + bytes > kMaxBody) {
    sink->tooLong = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  sink->body->append(data, bytes);
  return bytes;
}

int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(user)->load() ? 1 : 0;  // non-zero aborts the transfer
}

constexpr std::array<std::string_view, 9> kSecretParameters{"access_token",  "client_secret", "fb_exchange_token",
                                                            "refresh_token", "code",          "device_code",
                                                            "password",      "input_token",   "token"};

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(HttpSettings settings) : settings_(std::move(settings)), handle_(std::make_unique<Handle>()) {
  globalInit();
  handle_->curl = curl_easy_init();
}

HttpClient::~HttpClient() = default;

void HttpClient::cancel() { cancelled_ = true; }

HttpResponse HttpClient::send(const HttpRequest& request) { return perform(request, nullptr, settings_.timeout); }

HttpResponse HttpClient::stream(const HttpRequest& request, const std::function<bool(std::string_view)>& onChunk,
                                std::chrono::seconds timeout) {
  return perform(request, &onChunk, timeout);
}

HttpResponse HttpClient::perform(const HttpRequest& request, const std::function<bool(std::string_view)>* onChunk,
                                 std::chrono::seconds timeout) {
  HttpResponse response;
  if (cancelled_) {
    response.error = "cancelled";
    return response;
  }
  CURL* curl = handle_->curl;
  if (curl == nullptr) {
    response.error = "libcurl could not be initialised";
    return response;
  }
  curl_easy_reset(curl);
  Sink sink{&response.body, false, curl, onChunk, false};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count() * 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connectTimeout.count() * 1000));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &writeBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &cancelled_);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "Tribune/0.1 (+https://github.com/tribune)");
  if (settings_.proxy) curl_easy_setopt(curl, CURLOPT_PROXY, settings_.proxy->c_str());

  struct curl_slist* headers = nullptr;
  for (const auto& header : request.headers) headers = curl_slist_append(headers, header.c_str());
  if (!request.contentType.empty()) {
    headers = curl_slist_append(headers, ("Content-Type: " + request.contentType).c_str());
  }
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  if (request.method == "POST" || request.method == "PUT" || !request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (request.method != "GET" && request.method != "POST") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    response.status = 0;
    response.error = sink.tooLong        ? "the answer is longer than " + std::to_string(kMaxBody) + " bytes"
                     : sink.stopped      ? "stopped"
                     : cancelled_.load() ? "cancelled"
                                         : curl_easy_strerror(code);
    response.body.clear();
    return response;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

std::string urlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

std::string formEncode(const FormFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += urlEncode(name) + "=" + urlEncode(value);
  }
  return out;
}

std::string redactUrl(std::string url) {
  const auto query = url.find('?');
  if (query == std::string::npos) return url;
  std::size_t at = query + 1;
  while (at < url.size()) {
    const auto end = std::min(url.find('&', at), url.size());
    const auto equals = url.find('=', at);
    if (equals != std::string::npos && equals < end) {
      const std::string_view name(url.data() + at, equals - at);
      for (const auto secret : kSecretParameters) {
        if (name == secret) {
          url.replace(equals + 1, end - equals - 1, "****");
          break;
        }
      }
    }
    at = url.find('&', at);
    if (at == std::string::npos) break;
    ++at;
  }
  return url;
}

}  // namespace tribune::platforms
