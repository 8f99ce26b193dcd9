// A PeerTube instance's REST API as Tribune uses it (../shared/research/platform-apis.md §4):
// the local OAuth client, password and refresh_token grants (a refresh rotates the pair:
// the old access and refresh tokens stop working, as PeerTube deletes their row), the
// user's channels, creating a live (multipart/form-data or x-www-form-urlencoded) and
// reading its ingest and its audience. Errors are RFC 7807 application/problem+json.
#include <algorithm>

#include "support/fake_platforms_state.h"

namespace tribune::testing::fake {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";
// PeerTube's short UUIDs are base58.
constexpr std::string_view kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::string_view privacyLabel(int privacy) {
  switch (privacy) {
    case 1: return "Public";
    case 2: return "Unlisted";
    case 3: return "Private";
    case 4: return "Internal";
    default: return "Unknown";
  }
}

std::string_view stateLabel(int state) {
  switch (state) {
    case 1: return "Published";
    case 4: return "Waiting for livestream";
    case 5: return "Livestream ended";
    default: return "Unknown";
  }
}

Reply invalidParam(const std::string& name, const std::string& value, const std::string& message) {
  return peertubeProblem(
      400, "", "Incorrect request parameters: " + name,
      {{"invalid-params", {{name, {{"value", value}, {"msg", message}, {"param", name}, {"location", "body"}}}}}});
}

std::optional<bool> parseBool(const std::optional<std::string>& text, bool fallback) {
  if (!text) return fallback;
  if (*text == "true" || *text == "1") return true;
  if (*text == "false" || *text == "0") return false;
  return std::nullopt;
}

std::optional<int> parseSmallInt(const std::optional<std::string>& text, int fallback, int low, int high) {
  if (!text) return fallback;
  if (text->size() != 1 || (*text)[0] < '0' || (*text)[0] > '9') return std::nullopt;
  int value = (*text)[0] - '0';
  if (value < low || value > high) return std::nullopt;
  return value;
}

}  // namespace

std::vector<PlatformsState::Route> PlatformsState::peertubeRoutes() const {
  auto route = [](const char* method, const char* path, Handler handler) {
    return Route{Platform::peertube, method, std::regex(std::string("/peertube/api/v1") + path), "", handler};
  };
  return {
      route("GET", "/oauth-clients/local", &PlatformsState::peertubeClient),
      route("POST", "/users/token", &PlatformsState::peertubeToken),
      route("GET", "/users/me", &PlatformsState::peertubeMe),
      route("POST", "/videos/live", &PlatformsState::peertubeCreateLive),
      route("GET", "/videos/live/([^/]+)", &PlatformsState::peertubeGetLive),
      route("GET", "/videos/([^/]+)", &PlatformsState::peertubeGetVideo),
  };
}

std::optional<Reply> PlatformsState::peertubeGate(const Call& call) {
  switch (checkToken(call.bearer(), {TokenKind::peertubeAccess})) {
    case TokenCheck::valid: return std::nullopt;
    case TokenCheck::expired: return peertubeProblem(401, "invalid_token", "Invalid token: access token has expired");
    case TokenCheck::unknown:
    case TokenCheck::revoked: break;
  }
  return peertubeProblem(401, "invalid_token", "Invalid token: access token is invalid");
}

PeerTubeLive* PlatformsState::peertubeFind(const std::string& id) {
  for (auto& [number, live] : peertubeLives_) {
    if (std::to_string(number) == id || live.uuid == id || live.shortUuid == id) return &live;
  }
  return nullptr;
}

// GET /oauth-clients/local → the instance's OAuth client.
Reply PlatformsState::peertubeClient(const Call& /*call*/, const std::smatch& /*match*/) {
  return jsonReply(200, {{"client_id", options_.peertubeClientId}, {"client_secret", options_.peertubeClientSecret}});
}

// POST /users/token (form): grant_type=password (username, password) or refresh_token.
Reply PlatformsState::peertubeToken(const Call& call, const std::smatch& /*match*/) {
  if (call.param("client_id") != options_.peertubeClientId ||
      call.param("client_secret") != options_.peertubeClientSecret) {
    return peertubeProblem(400, "invalid_client", "Invalid client: client is invalid");
  }
  std::string grantType = call.param("grant_type").value_or("");
  if (grantType == "password") {
    if (call.param("username") != options_.peertubeUsername || call.param("password") != options_.peertubePassword) {
      return peertubeProblem(400, "invalid_grant", "Invalid grant: user credentials are invalid");
    }
  } else if (grantType == "refresh_token") {
    std::string refresh = call.param("refresh_token").value_or("");
    switch (checkToken(refresh, {TokenKind::peertubeRefresh})) {
      case TokenCheck::valid: break;
      case TokenCheck::expired:
        return peertubeProblem(400, "invalid_grant", "Invalid grant: refresh token has expired");
      case TokenCheck::unknown:
      case TokenCheck::revoked: return peertubeProblem(400, "invalid_grant", "Invalid grant: refresh token is invalid");
    }
    revokeGrant(tokens_.at(refresh).grant);
  } else {
    return peertubeProblem(400, "unsupported_grant_type", "Unsupported grant type: grant_type is invalid");
  }
  std::string grant = newGrant();
  std::string access = newToken(Platform::peertube, TokenKind::peertubeAccess, grant, options_.accessTokenLifetime);
  std::string refresh =
      newToken(Platform::peertube, TokenKind::peertubeRefresh, grant, options_.peertubeRefreshLifetime);
  return jsonReply(200, {{"token_type", "Bearer"},
                         {"access_token", access},
                         {"refresh_token", refresh},
                         {"expires_in", options_.accessTokenLifetime.count()},
                         {"refresh_token_expires_in", options_.peertubeRefreshLifetime.count()}});
}

// GET /users/me → the user and its videoChannels [{id, name, displayName}].
Reply PlatformsState::peertubeMe(const Call& call, const std::smatch& /*match*/) {
  if (auto refused = peertubeGate(call)) return *refused;
  Json channel = {{"id", options_.peertubeChannelId},
                  {"name", options_.peertubeChannelName},
                  {"displayName", options_.peertubeChannelDisplayName},
                  {"description", ""}};
  return jsonReply(200, {{"id", 1},
                         {"username", options_.peertubeUsername},
                         {"email", options_.peertubeUsername + "@example.org"},
                         {"role", {{"id", 2}, {"label", "User"}}},
                         {"account", {{"id", 3}, {"name", options_.peertubeUsername}, {"displayName", "Mairie"}}},
                         {"videoChannels", Json::array({channel})}});
}

// POST /videos/live: channelId and name required; privacy 1..4, saveReplay, permanentLive,
// latencyMode 1..3, description optional. → {"video": {"id", "uuid", "shortUUID"}}
Reply PlatformsState::peertubeCreateLive(const Call& call, const std::smatch& /*match*/) {
  if (auto refused = peertubeGate(call)) return *refused;
  std::string channel = call.param("channelId").value_or("");
  if (channel.empty()) return invalidParam("channelId", channel, "Should have correct video channel id");
  if (channel != std::to_string(options_.peertubeChannelId)) {
    return peertubeProblem(403, "", "Cannot manage this video channel");
  }
  std::string name = call.param("name").value_or("");
  if (utf8Length(name) < 3 || utf8Length(name) > 120) return invalidParam("name", name, "Should have a valid name");
  auto privacy = parseSmallInt(call.param("privacy"), 1, 1, 4);
  if (!privacy) return invalidParam("privacy", call.param("privacy").value_or(""), "Should have correct video privacy");
  auto saveReplay = parseBool(call.param("saveReplay"), false);
  if (!saveReplay) return invalidParam("saveReplay", call.param("saveReplay").value_or(""), "Should have a boolean");
  auto permanentLive = parseBool(call.param("permanentLive"), false);
  if (!permanentLive) {
    return invalidParam("permanentLive", call.param("permanentLive").value_or(""), "Should have a boolean");
  }
  auto latencyMode = parseSmallInt(call.param("latencyMode"), 1, 1, 3);
  if (!latencyMode) {
    return invalidParam("latencyMode", call.param("latencyMode").value_or(""), "Should have a valid latency mode");
  }
  std::string description = call.param("description").value_or("");
  if (utf8Length(description) > 10000) return invalidParam("description", "", "Should have a valid description");

  PeerTubeLive live;
  live.id = nextPeertubeId_++;
  auto uuid = [this] {
    return randomText(8, kHex) + "-" + randomText(4, kHex) + "-4" + randomText(3, kHex) + "-a" + randomText(3, kHex) +
           "-" + randomText(12, kHex);
  };
  live.uuid = uuid();
  live.shortUuid = randomText(22, kBase58);
  live.name = name;
  live.description = description;
  live.privacy = *privacy;
  live.saveReplay = *saveReplay;
  live.permanentLive = *permanentLive;
  live.latencyMode = *latencyMode;
  live.key = uuid();
  live.publishedAt = isoUtc(wallNow());
  Json answer = {{"video", {{"id", live.id}, {"uuid", live.uuid}, {"shortUUID", live.shortUuid}}}};
  peertubeLives_[live.id] = std::move(live);
  return jsonReply(200, answer);
}

// GET /videos/live/{id|uuid|shortUUID} (owner) → rtmpUrl, rtmpsUrl, streamKey…
Reply PlatformsState::peertubeGetLive(const Call& call, const std::smatch& match) {
  if (auto refused = peertubeGate(call)) return *refused;
  PeerTubeLive* live = peertubeFind(match[1]);
  if (live == nullptr) return peertubeProblem(404, "", "Video not found");
  return jsonReply(200, {{"rtmpUrl", options_.ingestRtmpBase},
                         {"rtmpsUrl", options_.ingestRtmpBase},
                         {"streamKey", live->key},
                         {"saveReplay", live->saveReplay},
                         {"permanentLive", live->permanentLive},
                         {"latencyMode", live->latencyMode},
                         {"replaySettings", {{"privacy", live->privacy}}}});
}

// GET /videos/{id|uuid|shortUUID} → the video: state, viewers… (no token needed)
Reply PlatformsState::peertubeGetVideo(const Call& /*call*/, const std::smatch& match) {
  PeerTubeLive* live = peertubeFind(match[1]);
  if (live == nullptr) return peertubeProblem(404, "", "Video not found");
  Json channel = {{"id", options_.peertubeChannelId},
                  {"name", options_.peertubeChannelName},
                  {"displayName", options_.peertubeChannelDisplayName}};
  return jsonReply(200, {{"id", live->id},
                         {"uuid", live->uuid},
                         {"shortUUID", live->shortUuid},
                         {"name", live->name},
                         {"description", live->description},
                         {"isLive", true},
                         {"privacy", {{"id", live->privacy}, {"label", privacyLabel(live->privacy)}}},
                         {"state", {{"id", live->state}, {"label", stateLabel(live->state)}}},
                         {"viewers", live->viewers},
                         {"publishedAt", live->publishedAt},
                         {"url", baseUrl_ + "/peertube/videos/watch/" + live->uuid},
                         {"channel", channel}});
}

}  // namespace tribune::testing::fake
