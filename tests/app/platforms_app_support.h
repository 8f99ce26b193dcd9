#pragma once
// What the platforms' app tests share (issues 20 and 21): the technician over the REST API,
// the configuration sections pointing at tests/support's FakePlatforms, and linking.
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "running_tribune.h"
#include "support/fake_platforms.h"

namespace tribune::testing {

using namespace std::chrono_literals;

class Technician {
 public:
  explicit Technician(const RunningTribune& tribune) : port_(tribune.port()), token_(tribune.token("technician")) {}

  Json send(Json command) {
    command["id"] = ++id_;
    const auto reply =
        httpCall(port_, {"POST", "/api/commands", command.dump(), {{"Authorization", "Bearer " + token_}}}, 10s);
    if (!reply.ok) throw std::runtime_error("no answer to " + command.dump() + ": " + reply.error);
    answers_ += reply.body;
    return Json::parse(reply.body);
  }
  Json status() {
    const auto reply = httpCall(port_, {"GET", "/api/snapshot", "", {{"Authorization", "Bearer " + token_}}}, 10s);
    if (!reply.ok) throw std::runtime_error("no snapshot: " + reply.error);
    answers_ += reply.body;
    return Json::parse(reply.body).at("status");
  }
  Json platform(const std::string& id) {
    const auto st = status();  // kept: a range over a temporary's member would dangle
    for (const auto& p : st.at("platforms")) {
      if (p.at("platform") == id) return p;
    }
    throw std::runtime_error("no platform " + id + " in the status");
  }
  // Waits until `pred` holds on the platform's entry; the last entry seen otherwise.
  Json waitFor(const std::string& id, const std::function<bool(const Json&)>& pred, std::chrono::seconds timeout) {
    Json last;
    waitUntil(
        [&] {
          last = platform(id);
          return pred(last);
        },
        timeout, 200ms);
    return last;
  }
  [[nodiscard]] const std::string& answers() const { return answers_; }

 private:
  int port_;
  std::string token_;
  int id_ = 0;
  std::string answers_;  // every answer body, to search for secrets
};

inline Json youtubeSection(const FakePlatforms& fake) {
  const auto& o = fake.options();
  return {{"client_id", o.googleClientId},
          {"client_secret", o.googleClientSecret},
          {"oauth_url", fake.googleOAuthUrl()},
          {"api_url", fake.youtubeApiUrl()}};
}

inline Json facebookSection(const FakePlatforms& fake) {
  const auto& o = fake.options();
  return {{"app_id", o.facebookAppId},
          {"client_token", o.facebookClientToken},
          {"app_secret", o.facebookAppSecret},
          {"graph_url", fake.facebookGraphUrl()},
          {"graph_version", o.facebookGraphVersion}};
}

inline Json peertubeSection(const FakePlatforms& fake) {
  const auto& o = fake.options();
  return {{"instance_url", fake.peertubeUrl()}, {"username", o.peertubeUsername}, {"password", o.peertubePassword}};
}

// {"platforms": sections + the tests' short intervals}.
inline Json platformsOf(Json sections, int requestTimeoutS = 5) {
  sections["audience_interval_s"] = 10;
  sections["request_timeout_s"] = requestTimeoutS;
  return {{"platforms", std::move(sections)}};
}

inline void linkByDeviceFlow(Technician& technician, FakePlatforms& fake, Platform platform) {
  const std::string id(toString(platform));
  REQUIRE(technician.send({{"type", "account.link"}, {"platform", id}}).at("status") == "ok");
  REQUIRE(waitUntil([&] { return fake.pendingUserCode(platform).has_value(); }, 15s, 100ms));
  fake.approve(platform);
  const auto linked = technician.waitFor(
      id, [](const Json& p) { return p["account"]["state"] == "linked"; }, 15s);
  INFO(linked.dump());
  REQUIRE(linked["account"]["state"] == "linked");
}

// PeerTube: the instance, the user and the password are the configuration's.
inline Json linkPeerTube(Technician& technician) {
  REQUIRE(technician.send({{"type", "account.link"}, {"platform", "peertube"}}).at("status") == "ok");
  const auto linked = technician.waitFor(
      "peertube", [](const Json& p) { return p["account"]["state"] == "linked"; }, 15s);
  INFO(linked.dump());
  REQUIRE(linked["account"]["state"] == "linked");
  return linked;
}

inline Json waitForLive(Technician& technician, const std::string& id, const std::string& state,
                        std::chrono::seconds timeout = 20s) {
  return technician.waitFor(
      id, [&](const Json& p) { return p["live"]["state"] == state; }, timeout);
}

}  // namespace tribune::testing
