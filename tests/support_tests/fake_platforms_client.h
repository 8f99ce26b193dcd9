#pragma once
// What the fake platforms' tests share: a blocking HTTP/1.1 client over loopback, and the
// calls that link an account on each platform.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "support/fake_platforms.h"

namespace tribune::testing::fake_client {

using Json = nlohmann::json;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Headers = std::vector<std::pair<std::string, std::string>>;
using SteadyClock = std::chrono::steady_clock;

inline constexpr const char* kIngestBase = "rtmp://127.0.0.1:19350/live";
inline constexpr const char* kYouTubeScope = "https://www.googleapis.com/auth/youtube";
inline constexpr const char* kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

struct Answer {
  bool ok = false;  // a whole response arrived
  std::string error;
  int status = 0;
  std::string body;
  Headers headers;

  [[nodiscard]] Json json() const { return Json::parse(body, nullptr, false); }
  [[nodiscard]] std::string header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (beast::iequals(key, name)) return value;
    }
    return {};
  }
};

// A blocking HTTP/1.1 client that keeps its connection alive between calls. Each call is
// bounded: the operations run until done or until the deadline closes the socket.
class Client {
 public:
  explicit Client(std::uint16_t port) : port_(port) {}

  Answer call(const std::string& method, const std::string& target, const std::string& body = {},
              const Headers& headers = {}, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
    for (const auto& [name, value] : headers) request.insert(name, value);
    if (!body.empty() || method == "POST" || method == "PUT") {
      request.body() = body;
      request.prepare_payload();
    }
    request.keep_alive(true);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{16} * 1024 * 1024);
    Answer answer;

    auto read = [&] {
      http::async_read(stream_, buffer_, parser, [&](beast::error_code error, std::size_t) {
        if (error) {
          answer.error = "read: " + error.message();
          return;
        }
        const auto& response = parser.get();
        answer.ok = true;
        answer.status = static_cast<int>(response.result_int());
        answer.body = response.body();
        for (const auto& field : response) {
          answer.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        if (!response.keep_alive()) connected_ = false;
      });
    };
    auto write = [&] {
      http::async_write(stream_, request, [&](beast::error_code error, std::size_t) {
        if (error) {
          answer.error = "write: " + error.message();
          return;
        }
        read();
      });
    };

    io_.restart();
    stream_.expires_after(timeout);
    if (connected_) {
      write();
    } else {
      stream_.async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port_), [&](beast::error_code error) {
        if (error) {
          answer.error = "connect: " + error.message();
          return;
        }
        connected_ = true;
        ++connections_;
        write();
      });
    }
    io_.run();
    if (!answer.ok || !connected_) {
      beast::error_code ignored;
      stream_.socket().close(ignored);
      buffer_.clear();
      connected_ = false;
    }
    return answer;
  }

  // How many TCP connections the calls so far needed.
  [[nodiscard]] int connections() const { return connections_; }

 private:
  std::uint16_t port_;
  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
  bool connected_ = false;
  int connections_ = 0;
};

inline std::string urlEncode(const std::string& text) {
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      char escape[4];
      std::snprintf(escape, sizeof escape, "%%%02X", c);
      encoded += escape;
    }
  }
  return encoded;
}

inline std::string form(const Headers& fields) {
  std::string text;
  for (const auto& [name, value] : fields) {
    if (!text.empty()) text += "&";
    text += urlEncode(name) + "=" + urlEncode(value);
  }
  return text;
}

inline std::string multipart(const std::string& boundary, const Headers& fields) {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

inline const Headers kFormHeaders = {{"Content-Type", "application/x-www-form-urlencoded"}};

inline Headers bearer(const std::string& token, bool json = false) {
  Headers headers = {{"Authorization", "Bearer " + token}};
  if (json) headers.emplace_back("Content-Type", "application/json");
  return headers;
}

inline Answer postForm(Client& client, const std::string& target, const Headers& fields, Headers headers = {}) {
  headers.insert(headers.end(), kFormHeaders.begin(), kFormHeaders.end());
  return client.call("POST", target, form(fields), headers);
}

inline FakePlatformsOptions testOptions() {
  FakePlatformsOptions options;
  options.ingestRtmpBase = kIngestBase;
  options.deviceInterval = std::chrono::seconds(1);
  options.deviceCodeLifetime = std::chrono::seconds(60);
  return options;
}

// --- Google.

inline Answer askGoogleDeviceCode(Client& client, const FakePlatforms& fake, const std::string& scope = kYouTubeScope) {
  return postForm(client, "/google/device/code", {{"client_id", fake.options().googleClientId}, {"scope", scope}});
}

inline Answer pollGoogle(Client& client, const FakePlatforms& fake, const std::string& deviceCode) {
  return postForm(client, "/google/token",
                  {{"client_id", fake.options().googleClientId},
                   {"client_secret", fake.options().googleClientSecret},
                   {"device_code", deviceCode},
                   {"grant_type", kDeviceGrant}});
}

inline Answer refreshGoogle(Client& client, const FakePlatforms& fake, const std::string& refreshToken) {
  return postForm(client, "/google/token",
                  {{"client_id", fake.options().googleClientId},
                   {"client_secret", fake.options().googleClientSecret},
                   {"grant_type", "refresh_token"},
                   {"refresh_token", refreshToken}});
}

struct GoogleTokens {
  std::string access;
  std::string refresh;
};

// The whole device flow, approved before the first poll.
inline GoogleTokens linkYouTube(Client& client, FakePlatforms& fake) {
  Answer code = askGoogleDeviceCode(client, fake);
  REQUIRE(code.status == 200);
  fake.approve(Platform::youtube);
  Answer tokens = pollGoogle(client, fake, code.json()["device_code"]);
  REQUIRE(tokens.status == 200);
  return {tokens.json()["access_token"], tokens.json()["refresh_token"]};
}

inline std::string googleReason(const Answer& answer) {
  Json body = answer.json();
  return body.value("/error/errors/0/reason"_json_pointer, std::string());
}

inline Answer youtubeJson(Client& client, const std::string& method, const std::string& target, const Json& body,
                          const std::string& token) {
  return client.call(method, target, body.dump(), bearer(token, true));
}

inline const Json kBroadcastBody = Json::parse(R"({
  "snippet": {"title": "Conseil municipal du jeudi 3 décembre 2026", "description": "Ordre du jour",
              "scheduledStartTime": "2026-12-03T17:30:00Z"},
  "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": false},
  "contentDetails": {"latencyPreference": "normal", "enableAutoStart": true, "enableAutoStop": true,
                     "enableDvr": true, "monitorStream": {"enableMonitorStream": false}}})");

inline const Json kStreamBody = Json::parse(R"({
  "snippet": {"title": "Tribune"},
  "cdn": {"ingestionType": "rtmp", "resolution": "variable", "frameRate": "variable"},
  "contentDetails": {"isReusable": false}})");

// --- Facebook.

inline std::string graph(const FakePlatforms& fake, const std::string& path) {
  return "/facebook/" + fake.options().facebookGraphVersion + path;
}

inline std::string appToken(const FakePlatforms& fake) {
  return fake.options().facebookAppId + "|" + fake.options().facebookClientToken;
}

inline Json graphError(const Answer& answer) { return answer.json().value("error", Json::object()); }

// Device login approved before the first poll, then the long-lived exchange: the user token.
inline std::string linkFacebook(Client& client, FakePlatforms& fake) {
  Answer login = postForm(client, graph(fake, "/device/login"), {{"access_token", appToken(fake)}});
  REQUIRE(login.status == 200);
  fake.approve(Platform::facebook);
  Answer status = postForm(client, graph(fake, "/device/login_status"),
                           {{"access_token", appToken(fake)}, {"code", login.json()["code"]}});
  REQUIRE(status.status == 200);
  std::string shortLived = status.json()["access_token"];
  Answer exchanged = client.call(
      "GET", graph(fake, "/oauth/access_token?") + form({{"grant_type", "fb_exchange_token"},
                                                         {"client_id", fake.options().facebookAppId},
                                                         {"client_secret", fake.options().facebookAppSecret},
                                                         {"fb_exchange_token", shortLived}}));
  REQUIRE(exchanged.status == 200);
  return exchanged.json()["access_token"];
}

inline std::string facebookPageToken(Client& client, FakePlatforms& fake, const std::string& userToken) {
  Answer accounts = client.call("GET", graph(fake, "/me/accounts?access_token=") + urlEncode(userToken));
  REQUIRE(accounts.status == 200);
  return accounts.json()["data"][0]["access_token"];
}

// --- PeerTube.

inline Answer peertubePassword(Client& client, const FakePlatforms& fake, const std::string& password) {
  return postForm(client, "/peertube/api/v1/users/token",
                  {{"client_id", fake.options().peertubeClientId},
                   {"client_secret", fake.options().peertubeClientSecret},
                   {"grant_type", "password"},
                   {"username", fake.options().peertubeUsername},
                   {"password", password}});
}

}  // namespace tribune::testing::fake_client
