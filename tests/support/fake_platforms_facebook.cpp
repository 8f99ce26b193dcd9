// Facebook's Graph API as Tribune uses it (../shared/research/platform-apis.md §2): device
// login, the long-lived user token, the Page token from me/accounts, live videos on the
// Page. Tokens come as access_token (query or form) or "Authorization: Bearer|OAuth".
// Device-flow errors as Facebook sends them: code 31/1349174 pending, 17/1349172 polling
// too fast, 463/1349152 expired.
#include <algorithm>

#include "support/fake_platforms_state.h"

namespace tribune::testing::fake {
namespace {

constexpr std::string_view kVerificationUri = "https://www.facebook.com/device";
constexpr auto kPollSlack = std::chrono::milliseconds(100);
constexpr std::string_view kUserId = "100000987654321";
constexpr auto kMaxScheduleAhead = std::chrono::hours(24 * 7);

Reply noSuchObject(std::string_view verb, const std::string& id) {
  return graphError(400, 100, 33,
                    "Unsupported " + std::string(verb) + " request. Object with ID '" + id +
                        "' does not exist, cannot be loaded due to missing permissions, or does not support this "
                        "operation.",
                    {}, "GraphMethodException");
}

Reply needsPageToken() {
  return graphError(403, 200, std::nullopt,
                    "(#200) Requires pages_manage_posts permission and a Page access token to manage the Page's live "
                    "videos.");
}

std::optional<long long> parseUnixTime(const Json& value) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::stoll(text);
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<PlatformsState::Route> PlatformsState::facebookRoutes() const {
  std::string prefix = "/facebook/" + escapeRegex(options_.facebookGraphVersion);
  auto route = [&](const char* method, const std::string& path, Handler handler) {
    return Route{Platform::facebook, method, std::regex(prefix + path), "", handler};
  };
  return {
      route("POST", "/device/login", &PlatformsState::facebookDeviceLogin),
      route("POST", "/device/login_status", &PlatformsState::facebookDeviceStatus),
      route("GET", "/oauth/access_token", &PlatformsState::facebookExchange),
      route("POST", "/oauth/access_token", &PlatformsState::facebookExchange),
      route("GET", "/me", &PlatformsState::facebookMe),
      route("GET", "/me/accounts", &PlatformsState::facebookAccounts),
      route("POST", "/([0-9]+)/live_videos", &PlatformsState::facebookCreateLive),
      route("GET", "/([0-9]+)/live_videos", &PlatformsState::facebookListLives),
      route("GET", "/([0-9]+)", &PlatformsState::facebookGetNode),
      route("POST", "/([0-9]+)", &PlatformsState::facebookPostNode),
  };
}

// The caller's token (user or Page, as `kinds` allows), or Graph's code 190 error.
std::optional<Reply> PlatformsState::facebookGate(const Call& call, std::initializer_list<TokenKind> kinds,
                                                  std::string* token) {
  *token = call.param("access_token").value_or(call.bearer());
  if (token->empty()) {
    return graphError(400, 2500, std::nullopt,
                      "An active access token must be used to query information about the current user.");
  }
  std::string message;
  std::optional<int> subcode;
  switch (checkToken(*token, kinds)) {
    case TokenCheck::valid: return std::nullopt;
    case TokenCheck::unknown: message = "Invalid OAuth access token - Cannot parse access token"; break;
    case TokenCheck::expired:
      message = "Error validating access token: Session has expired.";
      subcode = 463;
      break;
    case TokenCheck::revoked:
      message =
          "Error validating access token: The session has been invalidated because the user changed their password "
          "or Facebook has changed the session for security reasons.";
      subcode = 460;
      break;
  }
  Reply reply = graphError(options_.facebookTokenErrorStatus, 190, subcode, message);
  reply.headers.emplace_back("WWW-Authenticate", R"(OAuth "Facebook Platform" "invalid_token" ")" + message + "\"");
  return reply;
}

// POST /device/login (access_token=APPID|CLIENT_TOKEN, scope) → code, user_code, verification_uri…
Reply PlatformsState::facebookDeviceLogin(const Call& call, const std::smatch& /*match*/) {
  if (call.param("access_token") != options_.facebookAppId + "|" + options_.facebookClientToken) {
    return graphError(options_.facebookTokenErrorStatus, 190, std::nullopt, "Invalid OAuth access token signature.");
  }
  const DeviceCode& code = newDeviceCode(Platform::facebook, call.param("scope").value_or(""), 8);
  return jsonReply(200, {{"code", code.code},
                         {"user_code", code.userCode},
                         {"verification_uri", kVerificationUri},
                         {"expires_in", options_.deviceCodeLifetime.count()},
                         {"interval", options_.deviceInterval.count()}});
}

// POST /device/login_status (access_token=APPID|CLIENT_TOKEN, code): a poll. Facebook has
// no answer for a refusal: a denied code stays pending until it expires.
Reply PlatformsState::facebookDeviceStatus(const Call& call, const std::smatch& /*match*/) {
  if (call.param("access_token") != options_.facebookAppId + "|" + options_.facebookClientToken) {
    return graphError(options_.facebookTokenErrorStatus, 190, std::nullopt, "Invalid OAuth access token signature.");
  }
  auto codeParam = call.param("code");
  if (!codeParam) return graphError(400, 100, std::nullopt, "(#100) The parameter code is required");
  auto found = std::find_if(deviceCodes_.begin(), deviceCodes_.end(), [&](const DeviceCode& code) {
    return code.platform == Platform::facebook && code.code == *codeParam;
  });
  if (found == deviceCodes_.end() || found->consumed) {
    return graphError(400, 100, std::nullopt, "(#100) Invalid code");
  }
  DeviceCode& code = *found;
  if (now_ >= code.expiry) {
    return graphError(400, 463, 1349152, "The session has expired",
                      {{"error_user_title", "Activation Code Expired"},
                       {"error_user_msg",
                        "The code you entered has expired. Please go back to your device for a new code and try "
                        "again."}});
  }
  bool tooSoon = code.lastPoll && now_ - *code.lastPoll + kPollSlack < options_.deviceInterval;
  code.lastPoll = now_;
  if (tooSoon) {
    return graphError(400, 17, 1349172, "User request limit reached",
                      {{"error_user_title", "OAuth Device Excessive Polling"},
                       {"error_user_msg",
                        "Your device is polling too frequently. Space your requests with a minimum "
                        "interval of " +
                            std::to_string(options_.deviceInterval.count()) + " seconds."}});
  }
  if (code.decision != DeviceCode::Decision::approved) {
    return graphError(400, 31, 1349174, "This request requires the user to take a pending action",
                      {{"error_user_title", "Device Login Authorization Pending"},
                       {"error_user_msg", "User has not yet authorized your application. Continue polling."}});
  }
  code.consumed = true;
  std::string user = newToken(Platform::facebook, TokenKind::facebookUser, newGrant(), options_.accessTokenLifetime);
  auto dataAccessExpiry = std::chrono::system_clock::to_time_t(wallNow() + std::chrono::hours(24 * 90));
  return jsonReply(200, {{"access_token", user},
                         {"data_access_expiration_time", static_cast<long long>(dataAccessExpiry)},
                         {"expires_in", options_.accessTokenLifetime.count()}});
}

// GET /oauth/access_token?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token
Reply PlatformsState::facebookExchange(const Call& call, const std::smatch& /*match*/) {
  std::string grantType = call.param("grant_type").value_or("");
  if (grantType != "fb_exchange_token") {
    return graphError(400, 100, std::nullopt, "Invalid grant_type: '" + grantType + "'");
  }
  if (call.param("client_id") != options_.facebookAppId) {
    return graphError(400, 101, std::nullopt, "Error validating application. Invalid application ID.");
  }
  if (call.param("client_secret") != options_.facebookAppSecret) {
    return graphError(400, 1, std::nullopt, "Error validating client secret.");
  }
  Call asToken = call;
  asToken.form.clear();
  asToken.json.reset();
  asToken.query = {{"access_token", call.param("fb_exchange_token").value_or("")}};
  std::string shortLived;
  if (auto refused = facebookGate(asToken, {TokenKind::facebookUser}, &shortLived)) return *refused;
  std::string grant = tokens_.at(shortLived).grant;
  std::string longLived =
      newToken(Platform::facebook, TokenKind::facebookUser, grant, options_.facebookLongLivedLifetime);
  tokens_.at(longLived).longLived = true;
  return jsonReply(200, {{"access_token", longLived},
                         {"token_type", "bearer"},
                         {"expires_in", options_.facebookLongLivedLifetime.count()}});
}

// GET /me: the user, or the Page for a Page token.
Reply PlatformsState::facebookMe(const Call& call, const std::smatch& /*match*/) {
  std::string token;
  if (auto refused = facebookGate(call, {TokenKind::facebookUser, TokenKind::facebookPage}, &token)) return *refused;
  if (tokens_.at(token).kind == TokenKind::facebookPage) {
    return jsonReply(200, {{"name", options_.facebookPageName}, {"id", options_.facebookPageId}});
  }
  return jsonReply(200, {{"name", options_.facebookUserName}, {"id", kUserId}});
}

// GET /me/accounts (user token) → the Page with its Page token. A Page token from a
// long-lived user token does not expire; from a short-lived one it expires with it.
Reply PlatformsState::facebookAccounts(const Call& call, const std::smatch& /*match*/) {
  std::string user;
  if (auto refused = facebookGate(call, {TokenKind::facebookUser, TokenKind::facebookPage}, &user)) return *refused;
  if (tokens_.at(user).kind == TokenKind::facebookPage) {
    return graphError(400, 100, std::nullopt,
                      "(#100) Tried accessing nonexisting field (accounts) on node type (Page)");
  }
  auto known = facebookPageTokens_.find(user);
  if (known == facebookPageTokens_.end() || tokens_.at(known->second).revoked) {
    const Token userToken = tokens_.at(user);
    std::string page = newToken(Platform::facebook, TokenKind::facebookPage, userToken.grant, std::nullopt);
    if (!userToken.longLived) tokens_.at(page).expiry = userToken.expiry;
    known = facebookPageTokens_.insert_or_assign(user, page).first;
  }
  Json page = {{"access_token", known->second},
               {"category", "Government Organization"},
               {"category_list", Json::array({{{"id", "2235"}, {"name", "Government Organization"}}})},
               {"name", options_.facebookPageName},
               {"id", options_.facebookPageId},
               {"tasks", Json::array({"ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"})}};
  return jsonReply(200, {{"data", Json::array({page})},
                         {"paging", {{"cursors", {{"before", "QVFIUfakeBefore"}, {"after", "QVFIUfakeAfter"}}}}}});
}

// POST /{page-id}/live_videos (Page token): status LIVE_NOW | UNPUBLISHED |
// SCHEDULED_UNPUBLISHED (with event_params {"start_time": unix}, at most 7 days ahead),
// title ≤ 254 characters, description. planned_start_time is refused (deprecated).
Reply PlatformsState::facebookCreateLive(const Call& call, const std::smatch& match) {
  std::string token;
  if (auto refused = facebookGate(call, {TokenKind::facebookUser, TokenKind::facebookPage}, &token)) return *refused;
  std::string pageId = match[1];
  if (pageId != options_.facebookPageId) return noSuchObject("post", pageId);
  if (tokens_.at(token).kind != TokenKind::facebookPage) return needsPageToken();
  if (call.param("planned_start_time")) {
    return graphError(400, 100, std::nullopt,
                      "(#100) The parameter planned_start_time is deprecated; use "
                      "status=SCHEDULED_UNPUBLISHED with event_params.");
  }
  std::string status = call.param("status").value_or("UNPUBLISHED");
  if (status != "LIVE_NOW" && status != "UNPUBLISHED" && status != "SCHEDULED_UNPUBLISHED") {
    return graphError(
        400, 100, std::nullopt,
        "(#100) status must be one of the following values: UNPUBLISHED, LIVE_NOW, SCHEDULED_UNPUBLISHED");
  }
  std::string title = call.param("title").value_or("");
  if (utf8Length(title) > 254) return graphError(400, 100, std::nullopt, "(#100) title is longer than 254 characters");
  if (status == "SCHEDULED_UNPUBLISHED") {
    Json params = Json::parse(call.param("event_params").value_or(""), nullptr, false);
    auto start = params.is_object() && params.contains("start_time") ? parseUnixTime(params["start_time"])
                                                                     : std::optional<long long>();
    if (!start) {
      return graphError(400, 100, std::nullopt,
                        "(#100) A scheduled live video needs event_params with a start_time (Unix seconds).");
    }
    auto latest = std::chrono::system_clock::to_time_t(wallNow() + kMaxScheduleAhead);
    if (*start > latest) {
      return graphError(400, 100, std::nullopt, "(#100) The start time must be no more than 7 days ahead.");
    }
  }

  FacebookLive live;
  live.id = "1" + randomDigits(16);
  live.videoId = "1" + randomDigits(15);
  live.pageId = pageId;
  live.title = title;
  live.description = call.param("description").value_or("");
  // The fake takes LIVE_NOW as live at once; the real live waits for ingest.
  live.status = status == "LIVE_NOW" ? "LIVE" : status;
  live.key = "FB-" + live.videoId + "-0-" + randomText(40);
  live.creationTime = graphTime(wallNow());
  const std::string url = options_.ingestRtmpBase + "/" + live.key;
  Json answer = {{"id", live.id},
                 {"stream_url", url},
                 {"secure_stream_url", url},
                 {"stream_secondary_urls", Json::array()},
                 {"secure_stream_secondary_urls", Json::array()}};
  facebookLives_[live.id] = std::move(live);
  return jsonReply(200, answer);
}

Json PlatformsState::facebookLiveFields(const FacebookLive& live, const std::vector<std::string>& fields) const {
  Json node = Json::object();
  const std::string url = options_.ingestRtmpBase + "/" + live.key;
  for (const auto& field : fields) {
    if (field == "id") {
      node["id"] = live.id;
    } else if (field == "title") {
      node["title"] = live.title;
    } else if (field == "description") {
      node["description"] = live.description;
    } else if (field == "status") {
      node["status"] = live.status;
    } else if (field == "permalink_url") {
      // Relative, as Graph gives it for live videos.
      node["permalink_url"] = "/" + live.pageId + "/videos/" + live.videoId + "/";
    } else if (field == "live_views") {
      if (live.status == "LIVE") node["live_views"] = live.viewers;  // absent when not on air
    } else if (field == "stream_url" || field == "secure_stream_url") {
      node[field] = url;
    } else if (field == "creation_time") {
      node["creation_time"] = live.creationTime;
    } else if (field == "video") {
      node["video"] = {{"id", live.videoId}};
    } else {
      throw std::invalid_argument(field);
    }
  }
  node["id"] = live.id;
  return node;
}

// GET /{page-id}/live_videos[?broadcast_status=["LIVE"]][&fields=…]
Reply PlatformsState::facebookListLives(const Call& call, const std::smatch& match) {
  std::string token;
  if (auto refused = facebookGate(call, {TokenKind::facebookUser, TokenKind::facebookPage}, &token)) return *refused;
  std::string pageId = match[1];
  if (pageId != options_.facebookPageId) return noSuchObject("get", pageId);
  auto fields = splitList(call.param("fields").value_or("id,status,title"));
  std::string filterText = call.param("broadcast_status").value_or("");
  Json filter = Json::parse(filterText, nullptr, false);
  std::vector<std::string> statuses;
  if (filter.is_array()) {
    for (const auto& item : filter) {
      if (item.is_string()) statuses.push_back(item.get<std::string>());
    }
  } else if (!filterText.empty()) {
    statuses = splitList(filterText);
  }
  Json data = Json::array();
  try {
    for (const auto& [id, live] : facebookLives_) {
      if (live.pageId == pageId && (statuses.empty() || contains(statuses, live.status))) {
        data.push_back(facebookLiveFields(live, fields));
      }
    }
  } catch (const std::invalid_argument& unknown) {
    return graphError(
        400, 100, std::nullopt,
        "(#100) Tried accessing nonexisting field (" + std::string(unknown.what()) + ") on node type (LiveVideo)");
  }
  return jsonReply(200, {{"data", data}, {"paging", Json::object()}});
}

// GET /{id}?fields=…: the Page, or a live video (permalink_url, live_views, status…).
Reply PlatformsState::facebookGetNode(const Call& call, const std::smatch& match) {
  std::string token;
  if (auto refused = facebookGate(call, {TokenKind::facebookUser, TokenKind::facebookPage}, &token)) return *refused;
  std::string id = match[1];
  if (id == options_.facebookPageId) {
    return jsonReply(200, {{"name", options_.facebookPageName}, {"id", options_.facebookPageId}});
  }
  auto live = facebookLives_.find(id);
  if (live == facebookLives_.end()) return noSuchObject("get", id);
  try {
    return jsonReply(200,
                     facebookLiveFields(live->second, splitList(call.param("fields").value_or("id,status,title"))));
  } catch (const std::invalid_argument& unknown) {
    return graphError(
        400, 100, std::nullopt,
        "(#100) Tried accessing nonexisting field (" + std::string(unknown.what()) + ") on node type (LiveVideo)");
  }
}

// POST /{live-id} (Page token): end_live_video=true ends it (status VOD); title and
// description change it. → {"success": true}
Reply PlatformsState::facebookPostNode(const Call& call, const std::smatch& match) {
  std::string token;
  if (auto refused = facebookGate(call, {TokenKind::facebookUser, TokenKind::facebookPage}, &token)) return *refused;
  std::string id = match[1];
  auto found = facebookLives_.find(id);
  if (found == facebookLives_.end()) return noSuchObject("post", id);
  if (tokens_.at(token).kind != TokenKind::facebookPage) return needsPageToken();
  FacebookLive& live = found->second;
  if (auto title = call.param("title")) live.title = *title;
  if (auto description = call.param("description")) live.description = *description;
  if (call.param("end_live_video") == "true") live.status = "VOD";
  return jsonReply(200, {{"success", true}});
}

}  // namespace tribune::testing::fake
