// Google's OAuth 2.0 endpoints (device flow, refresh, revoke) and the YouTube Data API v3
// calls Tribune makes, as ../shared/research/platform-apis.md §1 describes them. Reasons
// in error bodies follow Google's reference where it names them (quotaExceeded,
// invalidVideoMetadata, redundantTransition, errorStreamInactive, liveBroadcastNotFound…).
#include <algorithm>
#include <array>

#include "support/fake_platforms_state.h"

namespace tribune::testing::fake {
namespace {

constexpr std::string_view kDeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code";
constexpr std::string_view kVerificationUrl = "https://www.google.com/device";
// Clocks and the network make a poll sent exactly one interval after the previous one
// arrive a little early now and then; that is not polling too fast.
constexpr auto kPollSlack = std::chrono::milliseconds(100);
constexpr std::string_view kIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The only scopes Google allows in the device flow (research §1.1): asking for others,
// youtube.force-ssl included, gets invalid_scope.
bool deviceFlowAllows(std::string_view scope) {
  static constexpr std::array<std::string_view, 9> kAllowed = {
      "email",
      "openid",
      "profile",
      "https://www.googleapis.com/auth/userinfo.email",
      "https://www.googleapis.com/auth/userinfo.profile",
      "https://www.googleapis.com/auth/drive.appdata",
      "https://www.googleapis.com/auth/drive.file",
      "https://www.googleapis.com/auth/youtube",
      "https://www.googleapis.com/auth/youtube.readonly",
  };
  return std::find(kAllowed.begin(), kAllowed.end(), scope) != kAllowed.end();
}

bool hasAngleBrackets(std::string_view text) { return text.find_first_of("<>") != std::string_view::npos; }

std::string stringField(const Json& object, const char* name) {
  if (!object.is_object()) return {};
  auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

Reply missingParameter(std::string_view name) {
  return googleApiError(400, "global", "required", "Required parameter: " + std::string(name));
}

// The `part` parameter every YouTube call needs.
std::optional<Reply> requireParts(const Call& call, std::vector<std::string>& parts) {
  parts = splitList(call.param("part").value_or(""));
  if (parts.empty()) return missingParameter("part");
  return std::nullopt;
}

// A JSON object body (Content-Type application/json).
std::optional<Reply> requireJsonObject(const Call& call, Json& body) {
  if (call.invalidJson) return googleApiError(400, "global", "parseError", "Parse Error");
  if (!call.json || !call.json->is_object()) {
    return googleApiError(400, "global", "required",
                          "The request body must be a JSON object (Content-Type: application/json)");
  }
  body = *call.json;
  return std::nullopt;
}

bool isIsoTime(const std::string& text) {
  static const std::regex kIso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))");
  return std::regex_match(text, kIso);
}

Json listResponse(std::string_view kind, std::string etag, Json items) {
  auto count = items.size();
  return {{"kind", kind},
          {"etag", std::move(etag)},
          {"pageInfo", {{"totalResults", count}, {"resultsPerPage", count}}},
          {"items", std::move(items)}};
}

}  // namespace

std::vector<PlatformsState::Route> PlatformsState::googleRoutes() const {
  auto route = [](const char* method, const char* path, const char* quotaMethod, Handler handler) {
    return Route{Platform::youtube, method, std::regex(path), quotaMethod, handler};
  };
  return {
      route("POST", "/google/device/code", "", &PlatformsState::googleDeviceCode),
      route("POST", "/google/token", "", &PlatformsState::googleToken),
      route("POST", "/google/revoke", "", &PlatformsState::googleRevoke),
      route("POST", "/youtube/v3/liveBroadcasts", "liveBroadcasts.insert", &PlatformsState::youtubeInsertBroadcast),
      route("GET", "/youtube/v3/liveBroadcasts", "liveBroadcasts.list", &PlatformsState::youtubeListBroadcasts),
      route("POST", "/youtube/v3/liveBroadcasts/bind", "liveBroadcasts.bind", &PlatformsState::youtubeBind),
      route("POST", "/youtube/v3/liveBroadcasts/transition", "liveBroadcasts.transition",
            &PlatformsState::youtubeTransition),
      route("POST", "/youtube/v3/liveStreams", "liveStreams.insert", &PlatformsState::youtubeInsertStream),
      route("GET", "/youtube/v3/liveStreams", "liveStreams.list", &PlatformsState::youtubeListStreams),
      route("GET", "/youtube/v3/videos", "videos.list", &PlatformsState::youtubeListVideos),
      route("PUT", "/youtube/v3/videos", "videos.update", &PlatformsState::youtubeUpdateVideo),
      route("GET", "/youtube/v3/channels", "channels.list", &PlatformsState::youtubeListChannels),
  };
}

// ---------------------------------------------------------------------------------------
// OAuth.

// POST /google/device/code (client_id, scope) → device_code, user_code, verification_url…
Reply PlatformsState::googleDeviceCode(const Call& call, const std::smatch& /*match*/) {
  if (call.param("client_id") != options_.googleClientId) {
    return oauthError(401, "invalid_client", "The OAuth client was not found.");
  }
  std::string scope = call.param("scope").value_or("");
  auto scopes = splitList(scope, ' ');
  if (scopes.empty()) return oauthError(400, "invalid_request", "Missing required parameter: scope");
  for (const auto& item : scopes) {
    if (!deviceFlowAllows(item)) return oauthError(400, "invalid_scope", "Invalid device flow scope: " + item);
  }
  const DeviceCode& code = newDeviceCode(Platform::youtube, scope, 8);
  return jsonReply(200, {{"device_code", code.code},
                         {"user_code", code.userCode},
                         {"verification_url", kVerificationUrl},
                         {"expires_in", options_.deviceCodeLifetime.count()},
                         {"interval", options_.deviceInterval.count()}});
}

// POST /google/token: grant_type device_code (a poll) or refresh_token. client_secret is
// required for both (Google's device clients have one).
Reply PlatformsState::googleToken(const Call& call, const std::smatch& /*match*/) {
  if (call.param("client_id") != options_.googleClientId) {
    return oauthError(401, "invalid_client", "The OAuth client was not found.");
  }
  auto secret = call.param("client_secret");
  if (!secret) return oauthError(400, "invalid_request", "client_secret is missing.");
  if (*secret != options_.googleClientSecret) return oauthError(401, "invalid_client", "Unauthorized");
  std::string grantType = call.param("grant_type").value_or("");

  if (grantType == kDeviceGrantType) {
    std::string deviceCode = call.param("device_code").value_or("");
    auto found = std::find_if(deviceCodes_.begin(), deviceCodes_.end(), [&](const DeviceCode& code) {
      return code.platform == Platform::youtube && code.code == deviceCode;
    });
    if (found == deviceCodes_.end() || found->consumed) return oauthError(400, "invalid_grant", "Malformed auth code.");
    DeviceCode& code = *found;
    if (now_ >= code.expiry) return oauthError(400, "expired_token", "Expired");
    bool tooSoon = code.lastPoll && now_ - *code.lastPoll + kPollSlack < options_.deviceInterval;
    code.lastPoll = now_;
    if (tooSoon) return oauthError(403, "slow_down", "Forbidden");
    switch (code.decision) {
      case DeviceCode::Decision::none: return oauthError(428, "authorization_pending", "Precondition Required");
      case DeviceCode::Decision::denied: return oauthError(403, "access_denied", "Forbidden");
      case DeviceCode::Decision::approved: break;
    }
    code.consumed = true;
    std::string grant = newGrant();
    std::string scope = code.scope;
    std::string refresh = newToken(Platform::youtube, TokenKind::googleRefresh, grant, std::nullopt, scope);
    std::string access =
        newToken(Platform::youtube, TokenKind::googleAccess, grant, options_.accessTokenLifetime, scope);
    return jsonReply(200, {{"access_token", access},
                           {"expires_in", options_.accessTokenLifetime.count()},
                           {"refresh_token", refresh},
                           {"scope", scope},
                           {"token_type", "Bearer"}});
  }

  if (grantType == "refresh_token") {
    std::string refresh = call.param("refresh_token").value_or("");
    if (checkToken(refresh, {TokenKind::googleRefresh}) != TokenCheck::valid) {
      return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
    }
    std::string grant = tokens_.at(refresh).grant;
    std::string scope = tokens_.at(refresh).scope;
    std::string access =
        newToken(Platform::youtube, TokenKind::googleAccess, grant, options_.accessTokenLifetime, scope);
    // No refresh_token in a refresh answer: the client keeps its own.
    return jsonReply(200, {{"access_token", access},
                           {"expires_in", options_.accessTokenLifetime.count()},
                           {"scope", scope},
                           {"token_type", "Bearer"}});
  }

  return oauthError(400, "unsupported_grant_type", "Invalid grant_type: " + grantType);
}

// POST /google/revoke?token=… (or in the form): the whole grant goes, refresh token and
// access tokens alike.
Reply PlatformsState::googleRevoke(const Call& call, const std::smatch& /*match*/) {
  std::string token = call.param("token").value_or("");
  auto found = tokens_.find(token);
  if (found == tokens_.end() || found->second.platform != Platform::youtube || found->second.revoked) {
    return oauthError(400, "invalid_token", "Token expired or revoked");
  }
  revokeGrant(found->second.grant);
  return jsonReply(200, Json::object());
}

// ---------------------------------------------------------------------------------------
// YouTube: every call needs a valid access token, then costs its units.

std::optional<Reply> PlatformsState::youtubeGate(const Call& call, const std::string& quotaMethod) {
  std::string token = call.bearer();
  if (token.empty()) token = call.query.count("access_token") ? call.query.at("access_token") : std::string();
  if (token.empty()) {
    Reply reply = googleApiError(401, "global", "required", "Login Required.");
    reply.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="https://accounts.google.com/")");
    return reply;
  }
  if (checkToken(token, {TokenKind::googleAccess}) != TokenCheck::valid) {
    Reply reply = googleApiError(401, "global", "authError", "Invalid Credentials");
    reply.headers.emplace_back("WWW-Authenticate",
                               R"(Bearer realm="https://accounts.google.com/", error="invalid_token")");
    return reply;
  }
  auto cost = options_.youtubeCosts.find(quotaMethod);
  int units = cost == options_.youtubeCosts.end() ? 1 : cost->second;
  if (quotaUsed_ + units > options_.youtubeDailyUnits) {
    return googleApiError(403, "youtube.quota", "quotaExceeded",
                          "The request cannot be completed because you have exceeded your "
                          "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.");
  }
  quotaUsed_ += units;
  return std::nullopt;
}

Json PlatformsState::youtubeBroadcastResource(const YouTubeBroadcast& broadcast,
                                              const std::vector<std::string>& parts) const {
  Json resource = {{"kind", "youtube#liveBroadcast"}, {"etag", "fake-etag-" + broadcast.id}, {"id", broadcast.id}};
  if (contains(parts, "snippet")) {
    Json snippet = {{"publishedAt", broadcast.publishedAt},
                    {"channelId", options_.youtubeChannelId},
                    {"title", stringField(broadcast.videoSnippet, "title")},
                    {"description", stringField(broadcast.videoSnippet, "description")},
                    {"scheduledStartTime", broadcast.scheduledStartTime},
                    {"isDefaultBroadcast", false},
                    {"liveChatId", broadcast.liveChatId}};
    if (!broadcast.scheduledEndTime.empty()) snippet["scheduledEndTime"] = broadcast.scheduledEndTime;
    if (!broadcast.actualStartTime.empty()) snippet["actualStartTime"] = broadcast.actualStartTime;
    if (!broadcast.actualEndTime.empty()) snippet["actualEndTime"] = broadcast.actualEndTime;
    resource["snippet"] = std::move(snippet);
  }
  if (contains(parts, "status")) {
    std::string recording = broadcast.lifeCycleStatus == "live"       ? "recording"
                            : broadcast.lifeCycleStatus == "complete" ? "recorded"
                                                                      : "notRecording";
    resource["status"] = {{"lifeCycleStatus", broadcast.lifeCycleStatus},
                          {"privacyStatus", broadcast.privacyStatus},
                          {"recordingStatus", recording},
                          {"madeForKids", broadcast.selfDeclaredMadeForKids},
                          {"selfDeclaredMadeForKids", broadcast.selfDeclaredMadeForKids}};
  }
  if (contains(parts, "contentDetails")) {
    Json details = broadcast.contentDetails;
    if (!broadcast.boundStreamId.empty()) details["boundStreamId"] = broadcast.boundStreamId;
    resource["contentDetails"] = std::move(details);
  }
  return resource;
}

// POST /youtube/v3/liveBroadcasts?part=snippet,status,contentDetails
Reply PlatformsState::youtubeInsertBroadcast(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts;
  Json body;
  if (auto refused = requireParts(call, parts)) return *refused;
  if (auto refused = requireJsonObject(call, body)) return *refused;
  Json snippet = body.value("snippet", Json::object());
  Json status = body.value("status", Json::object());
  Json details = body.value("contentDetails", Json::object());

  std::string title = stringField(snippet, "title");
  std::string description = stringField(snippet, "description");
  if (title.empty() || utf8Length(title) > 100 || hasAngleBrackets(title)) {
    return googleApiError(400, "youtube.liveBroadcast", "invalidTitle",
                          "The value for snippet.title is missing, longer than 100 characters or has '<' or '>'.");
  }
  if (description.size() > 5000 || hasAngleBrackets(description)) {
    return googleApiError(400, "youtube.liveBroadcast", "invalidDescription",
                          "snippet.description is longer than 5000 bytes or has '<' or '>'.");
  }
  std::string start = stringField(snippet, "scheduledStartTime");
  if (start.empty()) {
    return googleApiError(400, "youtube.liveBroadcast", "scheduledStartTimeRequired",
                          "snippet.scheduledStartTime is required.");
  }
  if (!isIsoTime(start)) {
    return googleApiError(400, "youtube.liveBroadcast", "invalidScheduledStartTime",
                          "snippet.scheduledStartTime is not an ISO 8601 time.");
  }
  std::string privacy = stringField(status, "privacyStatus");
  if (privacy != "public" && privacy != "unlisted" && privacy != "private") {
    return googleApiError(400, "youtube.liveBroadcast", "invalidPrivacyStatus",
                          "status.privacyStatus must be public, unlisted or private.");
  }

  YouTubeBroadcast broadcast;
  broadcast.id = randomText(11, kIdAlphabet);
  broadcast.publishedAt = isoUtc(wallNow());
  broadcast.scheduledStartTime = start;
  broadcast.scheduledEndTime = stringField(snippet, "scheduledEndTime");
  broadcast.privacyStatus = privacy;
  broadcast.selfDeclaredMadeForKids = status.value("selfDeclaredMadeForKids", false);
  // YouTube's defaults (liveBroadcasts/insert), then what was sent.
  broadcast.contentDetails = {{"enableAutoStart", false},
                              {"enableAutoStop", false},
                              {"enableClosedCaptions", false},
                              {"enableContentEncryption", false},
                              {"enableDvr", true},
                              {"enableEmbed", true},
                              {"recordFromStart", true},
                              {"startWithSlate", false},
                              {"latencyPreference", "normal"},
                              {"projection", "rectangular"},
                              {"closedCaptionsType", "closedCaptionsDisabled"},
                              {"monitorStream", {{"enableMonitorStream", true}, {"broadcastStreamDelayMs", 0}}}};
  if (details.is_object()) broadcast.contentDetails.merge_patch(details);
  broadcast.contentDetails.erase("boundStreamId");
  broadcast.liveChatId = "KicKGFVD" + randomText(32);
  broadcast.videoSnippet = {{"title", title}, {"description", description}, {"categoryId", "22"}};
  auto& stored = broadcasts_[broadcast.id] = std::move(broadcast);
  return jsonReply(200, youtubeBroadcastResource(stored, parts));
}

// GET /youtube/v3/liveBroadcasts?part=…&(id=…|mine=true)[&broadcastStatus=all|active|completed|upcoming]
Reply PlatformsState::youtubeListBroadcasts(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts;
  if (auto refused = requireParts(call, parts)) return *refused;
  auto ids = splitList(call.param("id").value_or(""));
  std::string filter = call.param("broadcastStatus").value_or("all");
  Json items = Json::array();
  for (const auto& [id, broadcast] : broadcasts_) {
    if (!ids.empty() && !contains(ids, id)) continue;
    const std::string& state = broadcast.lifeCycleStatus;
    bool wanted = filter == "all" || (filter == "active" && (state == "live" || state == "testing")) ||
                  (filter == "completed" && state == "complete") ||
                  (filter == "upcoming" && (state == "created" || state == "ready"));
    if (wanted) items.push_back(youtubeBroadcastResource(broadcast, parts));
  }
  return jsonReply(200, listResponse("youtube#liveBroadcastListResponse", "fake-etag-list", std::move(items)));
}

// POST /youtube/v3/liveBroadcasts/bind?id=B[&streamId=S]&part=… (no streamId: unbind)
Reply PlatformsState::youtubeBind(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts;
  if (auto refused = requireParts(call, parts)) return *refused;
  auto id = call.param("id");
  if (!id) return missingParameter("id");
  auto broadcast = broadcasts_.find(*id);
  if (broadcast == broadcasts_.end()) {
    return googleApiError(404, "youtube.liveBroadcast", "liveBroadcastNotFound", "Broadcast not found");
  }
  YouTubeBroadcast& target = broadcast->second;
  if (target.lifeCycleStatus == "live" || target.lifeCycleStatus == "complete") {
    return googleApiError(403, "youtube.liveBroadcast", "liveBroadcastBindingNotAllowed",
                          "The broadcast's stream cannot be changed once it is live or complete.");
  }
  auto streamId = call.param("streamId");
  if (streamId) {
    if (!streams_.count(*streamId)) {
      return googleApiError(404, "youtube.liveBroadcast", "liveStreamNotFound", "Stream not found");
    }
    target.boundStreamId = *streamId;
    if (target.lifeCycleStatus == "created") target.lifeCycleStatus = "ready";
  } else {
    target.boundStreamId.clear();
    if (target.lifeCycleStatus == "ready") target.lifeCycleStatus = "created";
  }
  return jsonReply(200, youtubeBroadcastResource(target, parts));
}

// POST /youtube/v3/liveBroadcasts/transition?id=B&broadcastStatus=testing|live|complete&part=…
Reply PlatformsState::youtubeTransition(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts;
  if (auto refused = requireParts(call, parts)) return *refused;
  auto id = call.param("id");
  if (!id) return missingParameter("id");
  auto wanted = call.param("broadcastStatus");
  if (!wanted) return missingParameter("broadcastStatus");
  auto found = broadcasts_.find(*id);
  if (found == broadcasts_.end()) {
    return googleApiError(404, "youtube.liveBroadcast", "liveBroadcastNotFound", "Broadcast not found");
  }
  YouTubeBroadcast& broadcast = found->second;
  const std::string current = broadcast.lifeCycleStatus;
  auto invalid = [](const std::string& why) {
    return googleApiError(403, "youtube.liveBroadcast", "invalidTransition", why);
  };
  if (*wanted != "testing" && *wanted != "live" && *wanted != "complete") {
    return googleApiError(400, "youtube.liveBroadcast", "invalidParameter",
                          "broadcastStatus must be testing, live or complete");
  }
  if (*wanted == current) {
    return googleApiError(403, "youtube.liveBroadcast", "redundantTransition", "Redundant transition");
  }
  auto stream = streams_.find(broadcast.boundStreamId);
  bool streamActive = stream != streams_.end() && stream->second.streamStatus == "active";
  bool monitor = broadcast.contentDetails.value(Json::json_pointer("/monitorStream/enableMonitorStream"), true);
  auto inactive = [] {
    return googleApiError(403, "youtube.liveBroadcast", "errorStreamInactive", "Stream is inactive");
  };

  if (*wanted == "testing") {
    if (current != "ready") return invalid("Only a ready broadcast (stream bound) can go to testing.");
    if (!monitor) return invalid("Testing needs contentDetails.monitorStream.enableMonitorStream.");
    if (!streamActive) return inactive();
  } else if (*wanted == "live") {
    if (current != "ready" && current != "testing") return invalid("Only a ready or testing broadcast can go live.");
    if (current == "ready" && monitor) return invalid("With the monitor stream on, go to testing first.");
    if (!streamActive) return inactive();
    broadcast.actualStartTime = isoUtc(wallNow());
  } else {
    if (current != "live" && current != "testing") return invalid("Only a live or testing broadcast can complete.");
    broadcast.actualEndTime = isoUtc(wallNow());
  }
  broadcast.lifeCycleStatus = *wanted;
  return jsonReply(200, youtubeBroadcastResource(broadcast, parts));
}

Json PlatformsState::youtubeStreamResource(const YouTubeStream& stream, const std::vector<std::string>& parts) const {
  Json resource = {{"kind", "youtube#liveStream"}, {"etag", "fake-etag-" + stream.id}, {"id", stream.id}};
  if (contains(parts, "snippet")) {
    resource["snippet"] = {{"publishedAt", stream.publishedAt},
                           {"channelId", options_.youtubeChannelId},
                           {"title", stringField(stream.snippet, "title")},
                           {"description", stringField(stream.snippet, "description")},
                           {"isDefaultStream", false}};
  }
  if (contains(parts, "cdn")) {
    const std::string& base = options_.ingestRtmpBase;
    resource["cdn"] = {{"ingestionType", stringField(stream.cdn, "ingestionType")},
                       {"resolution", stringField(stream.cdn, "resolution")},
                       {"frameRate", stringField(stream.cdn, "frameRate")},
                       {"ingestionInfo",
                        {{"streamName", stream.key},
                         {"ingestionAddress", base},
                         {"backupIngestionAddress", base},
                         {"rtmpsIngestionAddress", base},
                         {"rtmpsBackupIngestionAddress", base}}}};
  }
  if (contains(parts, "status")) {
    resource["status"] = {{"streamStatus", stream.streamStatus},
                          {"healthStatus", {{"status", stream.streamStatus == "active" ? "good" : "noData"}}}};
  }
  if (contains(parts, "contentDetails")) resource["contentDetails"] = {{"isReusable", stream.isReusable}};
  return resource;
}

// POST /youtube/v3/liveStreams?part=snippet,cdn,contentDetails[,status]
Reply PlatformsState::youtubeInsertStream(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts;
  Json body;
  if (auto refused = requireParts(call, parts)) return *refused;
  if (auto refused = requireJsonObject(call, body)) return *refused;
  Json snippet = body.value("snippet", Json::object());
  Json cdn = body.value("cdn", Json::object());
  Json details = body.value("contentDetails", Json::object());
  auto refuse = [](const char* reason, const char* message) {
    return googleApiError(400, "youtube.liveStream", reason, message);
  };
  std::string title = stringField(snippet, "title");
  if (title.empty() || utf8Length(title) > 128 || hasAngleBrackets(title)) {
    return refuse("invalidTitle", "snippet.title is missing or invalid.");
  }
  std::string type = stringField(cdn, "ingestionType");
  if (type != "rtmp" && type != "dash" && type != "hls" && type != "webrtc") {
    return refuse("invalidIngestionType", "cdn.ingestionType must be rtmp, dash, hls or webrtc.");
  }
  static const std::vector<std::string> kResolutions = {"240p",  "360p",  "480p",  "720p",
                                                        "1080p", "1440p", "2160p", "variable"};
  std::string resolution = stringField(cdn, "resolution");
  if (resolution.empty()) return refuse("resolutionRequired", "cdn.resolution is required.");
  if (!contains(kResolutions, resolution)) return refuse("invalidResolution", "cdn.resolution is invalid.");
  std::string frameRate = stringField(cdn, "frameRate");
  if (frameRate.empty()) return refuse("frameRateRequired", "cdn.frameRate is required.");
  if (frameRate != "30fps" && frameRate != "60fps" && frameRate != "variable") {
    return refuse("invalidFrameRate", "cdn.frameRate is invalid.");
  }

  YouTubeStream stream;
  stream.id = randomText(34, kIdAlphabet);
  stream.publishedAt = isoUtc(wallNow());
  stream.snippet = snippet;
  stream.cdn = cdn;
  stream.isReusable = details.value("isReusable", true);
  constexpr std::string_view kKeyAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  stream.key = randomText(4, kKeyAlphabet) + "-" + randomText(4, kKeyAlphabet) + "-" + randomText(4, kKeyAlphabet) +
               "-" + randomText(4, kKeyAlphabet) + "-" + randomText(4, kKeyAlphabet);
  auto& stored = streams_[stream.id] = std::move(stream);
  return jsonReply(200, youtubeStreamResource(stored, parts));
}

// GET /youtube/v3/liveStreams?part=…&(id=…|mine=true)
Reply PlatformsState::youtubeListStreams(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts;
  if (auto refused = requireParts(call, parts)) return *refused;
  auto ids = splitList(call.param("id").value_or(""));
  Json items = Json::array();
  for (const auto& [id, stream] : streams_) {
    if (ids.empty() || contains(ids, id)) items.push_back(youtubeStreamResource(stream, parts));
  }
  return jsonReply(200, listResponse("youtube#liveStreamListResponse", "fake-etag-list", std::move(items)));
}

void PlatformsState::youtubeStreamOnAir(YouTubeStream& stream, bool onAir) {
  stream.streamStatus = onAir ? "active" : "inactive";
  for (auto& [id, broadcast] : broadcasts_) {
    if (broadcast.boundStreamId != stream.id) continue;
    std::string& state = broadcast.lifeCycleStatus;
    if (onAir && broadcast.contentDetails.value("enableAutoStart", false) && (state == "ready" || state == "testing")) {
      state = "live";
      broadcast.actualStartTime = isoUtc(wallNow());
    } else if (!onAir && broadcast.contentDetails.value("enableAutoStop", false) && state == "live") {
      state = "complete";
      broadcast.actualEndTime = isoUtc(wallNow());
    }
  }
}

Json PlatformsState::youtubeVideoResource(const YouTubeBroadcast& broadcast,
                                          const std::vector<std::string>& parts) const {
  Json resource = {{"kind", "youtube#video"}, {"etag", "fake-etag-video-" + broadcast.id}, {"id", broadcast.id}};
  const std::string& state = broadcast.lifeCycleStatus;
  if (contains(parts, "snippet")) {
    // What was written, with the read-only fields YouTube adds.
    Json snippet = broadcast.videoSnippet.is_object() ? broadcast.videoSnippet : Json::object();
    snippet["publishedAt"] = broadcast.publishedAt;
    snippet["channelId"] = options_.youtubeChannelId;
    snippet["channelTitle"] = options_.youtubeChannelTitle;
    snippet["liveBroadcastContent"] = state == "live" ? "live" : state == "complete" ? "none" : "upcoming";
    resource["snippet"] = std::move(snippet);
  }
  if (contains(parts, "liveStreamingDetails")) {
    Json details = {{"scheduledStartTime", broadcast.scheduledStartTime}};
    if (!broadcast.actualStartTime.empty()) details["actualStartTime"] = broadcast.actualStartTime;
    if (!broadcast.actualEndTime.empty()) details["actualEndTime"] = broadcast.actualEndTime;
    // A string, as YouTube sends it, and only while live.
    if (state == "live") details["concurrentViewers"] = std::to_string(broadcast.viewers);
    if (state != "complete") details["activeLiveChatId"] = broadcast.liveChatId;
    resource["liveStreamingDetails"] = std::move(details);
  }
  if (contains(parts, "status")) {
    resource["status"] = {{"uploadStatus", state == "complete" ? "processed" : "uploaded"},
                          {"privacyStatus", broadcast.privacyStatus},
                          {"license", "youtube"},
                          {"embeddable", true},
                          {"publicStatsViewable", true},
                          {"madeForKids", broadcast.selfDeclaredMadeForKids},
                          {"selfDeclaredMadeForKids", broadcast.selfDeclaredMadeForKids}};
  }
  return resource;
}

// GET /youtube/v3/videos?part=snippet,liveStreamingDetails,status&id=…
Reply PlatformsState::youtubeListVideos(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts;
  if (auto refused = requireParts(call, parts)) return *refused;
  auto ids = splitList(call.param("id").value_or(""));
  if (ids.empty()) return missingParameter("id");
  Json items = Json::array();
  for (const auto& id : ids) {
    if (auto found = broadcasts_.find(id); found != broadcasts_.end()) {
      items.push_back(youtubeVideoResource(found->second, parts));
    }
  }
  return jsonReply(200, listResponse("youtube#videoListResponse", "fake-etag-list", std::move(items)));
}

// PUT /youtube/v3/videos?part=snippet {"id", "snippet": {...}}: the snippet sent replaces
// the stored one entirely (what is left out is gone), and must carry title and categoryId.
Reply PlatformsState::youtubeUpdateVideo(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts;
  Json body;
  if (auto refused = requireParts(call, parts)) return *refused;
  if (auto refused = requireJsonObject(call, body)) return *refused;
  std::string id = stringField(body, "id");
  if (id.empty()) return googleApiError(400, "youtube.video", "required", "The video's id is required.");
  auto found = broadcasts_.find(id);
  if (found == broadcasts_.end()) {
    return googleApiError(404, "youtube.video", "videoNotFound",
                          "The video that you are trying to update cannot be found.");
  }
  if (contains(parts, "snippet")) {
    auto snippet = body.find("snippet");
    if (snippet == body.end() || !snippet->is_object() || stringField(*snippet, "title").empty() ||
        stringField(*snippet, "categoryId").empty()) {
      return googleApiError(400, "youtube.video", "invalidVideoMetadata", "The request metadata is invalid.");
    }
    std::string title = stringField(*snippet, "title");
    if (utf8Length(title) > 100 || hasAngleBrackets(title)) {
      return googleApiError(400, "youtube.video", "invalidTitle",
                            "The request metadata specifies an invalid video title.");
    }
    std::string description = stringField(*snippet, "description");
    if (description.size() > 5000 || hasAngleBrackets(description)) {
      return googleApiError(400, "youtube.video", "invalidDescription",
                            "The request metadata specifies an invalid video description.");
    }
    found->second.videoSnippet = *snippet;
  }
  return jsonReply(200, youtubeVideoResource(found->second, parts));
}

// GET /youtube/v3/channels?part=snippet&mine=true → the channel's title.
Reply PlatformsState::youtubeListChannels(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts;
  if (auto refused = requireParts(call, parts)) return *refused;
  bool mine = call.param("mine") == "true";
  auto ids = splitList(call.param("id").value_or(""));
  Json items = Json::array();
  if (mine || contains(ids, options_.youtubeChannelId)) {
    Json channel = {{"kind", "youtube#channel"}, {"etag", "fake-etag-channel"}, {"id", options_.youtubeChannelId}};
    if (contains(parts, "snippet")) {
      channel["snippet"] = {{"title", options_.youtubeChannelTitle},
                            {"description", ""},
                            {"customUrl", "@mairie-tests"},
                            {"publishedAt", "2015-03-02T09:00:00Z"}};
    }
    items.push_back(std::move(channel));
  }
  return jsonReply(200, listResponse("youtube#channelListResponse", "fake-etag-list", std::move(items)));
}

}  // namespace tribune::testing::fake
