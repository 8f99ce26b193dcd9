// The fake platforms' plumbing (fake_platforms_state.h): requests parsed, the platforms' error
// shapes, tokens, device codes, routing, and the state the test reads and sets.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "support/fake_platforms_state.h"

namespace tribune::testing::fake {
namespace {

std::string lowerCase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// The value of `name` in a header such as `multipart/form-data; boundary="x"`, unquoted.
std::string headerParameter(std::string_view header, std::string_view name) {
  std::string lower = lowerCase(header);
  std::string key = std::string(name) + "=";
  for (std::size_t at = lower.find(key); at != std::string::npos; at = lower.find(key, at + 1)) {
    if (at != 0 && lower[at - 1] != ';' && lower[at - 1] != ' ') continue;
    std::string_view value = header.substr(at + key.size());
    if (!value.empty() && value.front() == '"') {
      value.remove_prefix(1);
      return std::string(value.substr(0, value.find('"')));
    }
    return std::string(trim(value.substr(0, value.find(';'))));
  }
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Requests and answers.

std::string percentDecode(std::string_view text, bool plusIsSpace) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int high = hexValue(text[i + 1]);
      int low = hexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        decoded.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    decoded.push_back(plusIsSpace && c == '+' ? ' ' : c);
  }
  return decoded;
}

Params parseUrlEncoded(std::string_view text) {
  Params params;
  while (!text.empty()) {
    std::size_t end = text.find('&');
    std::string_view pair = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (pair.empty()) continue;
    std::size_t equals = pair.find('=');
    std::string name = percentDecode(pair.substr(0, equals), true);
    std::string value = equals == std::string_view::npos ? std::string() : percentDecode(pair.substr(equals + 1), true);
    params[name] = value;
  }
  return params;
}

Params parseMultipart(std::string_view body, std::string_view boundary) {
  Params fields;
  if (boundary.empty()) return fields;
  const std::string delimiter = "--" + std::string(boundary);
  std::size_t at = body.find(delimiter);
  while (at != std::string_view::npos) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") break;  // the closing delimiter
    if (body.substr(at, 2) == "\r\n") at += 2;
    std::size_t headersEnd = body.find("\r\n\r\n", at);
    if (headersEnd == std::string_view::npos) break;
    std::string_view headers = body.substr(at, headersEnd - at);
    std::size_t contentStart = headersEnd + 4;
    std::size_t next = body.find("\r\n" + delimiter, contentStart);
    if (next == std::string_view::npos) break;
    std::string_view content = body.substr(contentStart, next - contentStart);
    std::string name;
    std::size_t lineStart = 0;
    while (lineStart < headers.size()) {
      std::size_t lineEnd = headers.find("\r\n", lineStart);
      std::string_view line =
          headers.substr(lineStart, lineEnd == std::string_view::npos ? std::string_view::npos : lineEnd - lineStart);
      if (lowerCase(line.substr(0, 20)) == "content-disposition:") name = headerParameter(line, "name");
      if (lineEnd == std::string_view::npos) break;
      lineStart = lineEnd + 2;
    }
    if (!name.empty()) fields[name] = std::string(content);
    at = next + 2;
  }
  return fields;
}

std::string isoUtc(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string isoUtcMillis(std::chrono::system_clock::time_point time) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  std::string seconds = isoUtc(time);
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(millis < 0 ? millis + 1000 : millis));
  return seconds.substr(0, seconds.size() - 1) + fraction + "Z";
}

std::string graphTime(std::chrono::system_clock::time_point time) {
  std::string iso = isoUtc(time);
  return iso.substr(0, iso.size() - 1) + "+0000";
}

std::string escapeRegex(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (std::string_view(R"(\^$.|?*+()[]{})").find(c) != std::string_view::npos) escaped.push_back('\\');
    escaped.push_back(c);
  }
  return escaped;
}

std::string percentEncode(std::string_view text) {
  static constexpr std::string_view kHexDigits = "0123456789ABCDEF";
  std::string encoded;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(c);
    } else {
      encoded.push_back('%');
      encoded.push_back(kHexDigits[byte >> 4]);
      encoded.push_back(kHexDigits[byte & 0x0F]);
    }
  }
  return encoded;
}

namespace {
std::string_view googleStatus(int status) {
  switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    default: return "UNKNOWN";
  }
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    default: return "Error";
  }
}
}  // namespace

Reply googleApiError(int status, std::string_view domain, std::string_view reason, std::string_view message) {
  Json item = {{"message", message}, {"domain", domain}, {"reason", reason}};
  Json error = {
      {"code", status}, {"message", message}, {"errors", Json::array({item})}, {"status", googleStatus(status)}};
  return jsonReply(status, {{"error", error}});
}

Reply oauthError(int status, std::string_view error, std::string_view description) {
  return jsonReply(status, {{"error", error}, {"error_description", description}});
}

Reply graphError(int status, int code, std::optional<int> subcode, std::string_view message, const Json& extra,
                 std::string_view type) {
  Json error = {{"message", message}, {"type", type}, {"code", code}};
  if (subcode) error["error_subcode"] = *subcode;
  if (extra.is_object()) error.update(extra);
  error["fbtrace_id"] = "AfakeTribuneTrace";
  return jsonReply(status, {{"error", error}});
}

Reply peertubeProblem(int status, std::string_view code, std::string_view detail, const Json& extra) {
  Json problem = {{"type", "https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/" +
                               std::string(code.empty() ? std::string_view("error") : code)},
                  {"title", reasonPhrase(status)},
                  {"status", status},
                  {"detail", detail},
                  {"error", detail}};
  if (!code.empty()) problem["code"] = code;
  if (extra.is_object()) problem.update(extra);
  return jsonReply(status, problem, "application/problem+json; charset=utf-8");
}

std::optional<std::string> Call::param(std::string_view name) const {
  if (auto found = form.find(name); found != form.end()) return found->second;
  if (json && json->is_object()) {
    if (auto found = json->find(std::string(name)); found != json->end()) {
      return found->is_string() ? found->get<std::string>() : found->dump();
    }
  }
  if (auto found = query.find(name); found != query.end()) return found->second;
  return std::nullopt;
}

std::string Call::bearer() const {
  std::string authorization = raw->header("Authorization");
  std::string_view value = trim(authorization);
  std::size_t space = value.find(' ');
  if (space == std::string_view::npos) return {};
  std::string scheme = lowerCase(value.substr(0, space));
  if (scheme != "bearer" && scheme != "oauth") return {};
  return std::string(trim(value.substr(space + 1)));
}

Call parseCall(const RecordedRequest& request) {
  Call call;
  call.raw = &request;
  call.query = parseUrlEncoded(request.query);
  std::string contentType = request.header("Content-Type");
  std::string type = lowerCase(trim(std::string_view(contentType).substr(0, contentType.find(';'))));
  if (type == "application/x-www-form-urlencoded") {
    call.form = parseUrlEncoded(request.body);
  } else if (type == "multipart/form-data") {
    call.form = parseMultipart(request.body, headerParameter(contentType, "boundary"));
  } else if (type == "application/json" && !request.body.empty()) {
    Json parsed = Json::parse(request.body, nullptr, false);
    if (parsed.is_discarded()) {
      call.invalidJson = true;
    } else {
      call.json = std::move(parsed);
    }
  }
  return call;
}

Reply jsonReply(int status, const Json& body, std::string contentType) {
  Reply reply;
  reply.status = status;
  reply.body = body.dump();
  reply.contentType = std::move(contentType);
  return reply;
}

std::vector<std::string> splitList(std::string_view text, char separator) {
  std::vector<std::string> items;
  while (true) {
    std::size_t end = text.find(separator);
    std::string_view item = trim(text.substr(0, end));
    if (!item.empty()) items.emplace_back(item);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return items;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::size_t utf8Length(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// ---------------------------------------------------------------------------------------
// Routing.

PlatformsState::PlatformsState(FakePlatformsOptions options, std::string baseUrl)
    : options_(std::move(options)), baseUrl_(std::move(baseUrl)), random_(std::random_device{}()) {
  for (auto routes : {youtubeChatRoutes(), googleRoutes(), facebookCommentRoutes(), facebookRoutes(),
                      peertubeCommentRoutes(), peertubeRoutes()}) {
    routes_.insert(routes_.end(), routes.begin(), routes.end());
  }
}

Reply PlatformsState::handle(const RecordedRequest& request, Clock::time_point now) {
  now_ = now;
  Call call = parseCall(request);
  std::smatch match;
  for (const auto& route : routes_) {
    if (route.method != request.method || !std::regex_match(request.path, match, route.path)) continue;
    try {
      if (!route.quotaMethod.empty()) {
        if (auto refused = youtubeGate(call, route.quotaMethod)) return *refused;
      }
      return (this->*route.handler)(call, match);
    } catch (const Json::exception& error) {
      // A body of the wrong shape (a string where an object is due, say): the platform's 400.
      return badRequest(route.platform, error.what());
    }
  }
  return notFound(request.path);
}

Reply PlatformsState::notFound(std::string_view path) const {
  if (path.rfind("/youtube/", 0) == 0) return googleApiError(404, "global", "notFound", "Not Found");
  if (path.rfind("/google/", 0) == 0) return oauthError(404, "invalid_request", "Not Found");
  if (path.rfind("/facebook/", 0) == 0) {
    return graphError(400, 2500, std::nullopt, "Unknown path components: " + std::string(path));
  }
  if (path.rfind("/peertube/", 0) == 0) return peertubeProblem(404, "", "Not Found");
  return jsonReply(404, {{"error", "the fake platforms have nothing at " + std::string(path)}});
}

Reply PlatformsState::badRequest(Platform platform, const std::string& message) const {
  switch (platform) {
    case Platform::youtube: return googleApiError(400, "global", "badRequest", message);
    case Platform::facebook: return graphError(400, 100, std::nullopt, "(#100) " + message);
    case Platform::peertube: return peertubeProblem(400, "", message);
  }
  return jsonReply(400, {{"error", message}});
}

// ---------------------------------------------------------------------------------------
// Tokens and device codes.

std::string PlatformsState::randomText(std::size_t length, std::string_view alphabet) {
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string text;
  text.reserve(length);
  for (std::size_t i = 0; i < length; ++i) text.push_back(alphabet[pick(random_)]);
  return text;
}

std::chrono::system_clock::time_point PlatformsState::wallNow() const { return std::chrono::system_clock::now(); }

std::string PlatformsState::newGrant() { return "grant-" + std::to_string(++serial_); }

std::string PlatformsState::newToken(Platform platform, TokenKind kind, const std::string& grant,
                                     std::optional<std::chrono::seconds> lifetime, std::string scope) {
  std::string_view prefix;
  switch (kind) {
    case TokenKind::googleAccess: prefix = "ya29.fake"; break;
    case TokenKind::googleRefresh: prefix = "1//fake"; break;
    case TokenKind::facebookUser: prefix = "EAAfakeUser"; break;
    case TokenKind::facebookPage: prefix = "EAAfakePage"; break;
    case TokenKind::peertubeAccess: prefix = "ptAccess"; break;
    case TokenKind::peertubeRefresh: prefix = "ptRefresh"; break;
  }
  std::string token = std::string(prefix) + std::to_string(++serial_) + "x" + randomText(24);
  Token record;
  record.platform = platform;
  record.kind = kind;
  record.grant = grant;
  if (lifetime) record.expiry = now_ + *lifetime;
  record.scope = std::move(scope);
  tokens_[token] = std::move(record);
  return token;
}

TokenCheck PlatformsState::checkToken(const std::string& token, std::initializer_list<TokenKind> kinds) const {
  auto found = tokens_.find(token);
  if (found == tokens_.end()) return TokenCheck::unknown;
  const Token& record = found->second;
  if (std::find(kinds.begin(), kinds.end(), record.kind) == kinds.end()) return TokenCheck::unknown;
  if (record.revoked) return TokenCheck::revoked;
  if (record.expiry && now_ >= *record.expiry) return TokenCheck::expired;
  return TokenCheck::valid;
}

void PlatformsState::revokeGrant(const std::string& grant) {
  for (auto& [token, record] : tokens_) {
    if (record.grant == grant) record.revoked = true;
  }
}

void PlatformsState::revoke(Platform platform) {
  for (auto& [token, record] : tokens_) {
    if (record.platform == platform) record.revoked = true;
  }
}

DeviceCode& PlatformsState::newDeviceCode(Platform platform, std::string scope, std::size_t userCodeLength) {
  DeviceCode code;
  code.platform = platform;
  code.code = (platform == Platform::youtube ? "4/" : "") + randomText(43);
  std::string user = randomText(userCodeLength, "BCDFGHJKLMNPQRSTVWXZ");
  if (platform == Platform::youtube) user.insert(userCodeLength / 2, "-");  // "GQVQ-JKEC"
  code.userCode = user;
  code.scope = std::move(scope);
  code.expiry = now_ + options_.deviceCodeLifetime;
  deviceCodes_.push_back(std::move(code));
  return deviceCodes_.back();
}

DeviceCode* PlatformsState::newestUndecided(Platform platform) {
  for (auto code = deviceCodes_.rbegin(); code != deviceCodes_.rend(); ++code) {
    if (code->platform == platform && code->decision == DeviceCode::Decision::none && !code->consumed) return &*code;
  }
  return nullptr;
}

const DeviceCode* PlatformsState::newestUndecided(Platform platform) const {
  return const_cast<PlatformsState*>(this)->newestUndecided(platform);
}

namespace {
DeviceCode& undecidedOrThrow(DeviceCode* code, Platform platform) {
  if (platform == Platform::peertube) throw std::logic_error("PeerTube has no device flow (password grant)");
  if (code == nullptr) {
    throw std::logic_error("no " + std::string(toString(platform)) + " device code is waiting for a decision");
  }
  return *code;
}
}  // namespace

void PlatformsState::approve(Platform platform) {
  undecidedOrThrow(newestUndecided(platform), platform).decision = DeviceCode::Decision::approved;
}

void PlatformsState::deny(Platform platform) {
  undecidedOrThrow(newestUndecided(platform), platform).decision = DeviceCode::Decision::denied;
}

std::optional<std::string> PlatformsState::pendingUserCode(Platform platform) const {
  const DeviceCode* code = newestUndecided(platform);
  if (code == nullptr) return std::nullopt;
  return code->userCode;
}

// ---------------------------------------------------------------------------------------
// The lives, for the test.

void PlatformsState::setOnAir(Platform platform, const std::string& id, bool onAir) {
  now_ = Clock::now();
  switch (platform) {
    case Platform::youtube: {
      if (auto stream = streams_.find(id); stream != streams_.end()) {
        youtubeStreamOnAir(stream->second, onAir);
        return;
      }
      auto broadcast = broadcasts_.find(id);
      if (broadcast == broadcasts_.end()) throw std::invalid_argument("no YouTube broadcast or stream " + id);
      auto stream = streams_.find(broadcast->second.boundStreamId);
      if (stream == streams_.end()) throw std::invalid_argument("YouTube broadcast " + id + " has no stream bound");
      youtubeStreamOnAir(stream->second, onAir);
      return;
    }
    case Platform::facebook: {
      auto live = facebookLives_.find(id);
      if (live == facebookLives_.end()) throw std::invalid_argument("no Facebook live video " + id);
      if (live->second.status != "VOD") live->second.status = onAir ? "LIVE" : "LIVE_STOPPED";
      return;
    }
    case Platform::peertube: {
      PeerTubeLive* live = peertubeFind(id);
      if (live == nullptr) throw std::invalid_argument("no PeerTube live " + id);
      live->state = onAir ? 1 : (live->permanentLive ? 4 : 5);
      return;
    }
  }
}

void PlatformsState::setViewers(Platform platform, const std::string& id, long long viewers) {
  switch (platform) {
    case Platform::youtube: {
      auto broadcast = broadcasts_.find(id);
      if (broadcast == broadcasts_.end()) throw std::invalid_argument("no YouTube broadcast " + id);
      broadcast->second.viewers = viewers;
      return;
    }
    case Platform::facebook: {
      auto live = facebookLives_.find(id);
      if (live == facebookLives_.end()) throw std::invalid_argument("no Facebook live video " + id);
      live->second.viewers = viewers;
      return;
    }
    case Platform::peertube: {
      PeerTubeLive* live = peertubeFind(id);
      if (live == nullptr) throw std::invalid_argument("no PeerTube live " + id);
      live->viewers = viewers;
      return;
    }
  }
}

void PlatformsState::setYoutubeVideoSnippet(const std::string& id, Json snippet) {
  auto broadcast = broadcasts_.find(id);
  if (broadcast == broadcasts_.end()) throw std::invalid_argument("no YouTube video " + id);
  broadcast->second.videoSnippet = std::move(snippet);
}

std::optional<Json> PlatformsState::youtubeVideo(const std::string& id) const {
  auto broadcast = broadcasts_.find(id);
  if (broadcast == broadcasts_.end()) return std::nullopt;
  return broadcast->second.videoSnippet;
}

std::optional<std::string> PlatformsState::youtubeBroadcastStatus(const std::string& id) const {
  auto broadcast = broadcasts_.find(id);
  if (broadcast == broadcasts_.end()) return std::nullopt;
  return broadcast->second.lifeCycleStatus;
}

std::optional<std::string> PlatformsState::facebookLive(const std::string& id) const {
  auto live = facebookLives_.find(id);
  if (live == facebookLives_.end()) return std::nullopt;
  return live->second.status;
}

int PlatformsState::liveCount(Platform platform) const {
  switch (platform) {
    case Platform::youtube: return static_cast<int>(broadcasts_.size());
    case Platform::facebook: return static_cast<int>(facebookLives_.size());
    case Platform::peertube: return static_cast<int>(peertubeLives_.size());
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// The viewers, for the test.

std::vector<std::string> PlatformsState::addChatMessages(Platform platform, const std::string& liveId,
                                                         std::vector<FakeChatMessage> messages) {
  now_ = Clock::now();
  std::vector<std::string> ids;
  ids.reserve(messages.size());
  switch (platform) {
    case Platform::youtube: {
      YouTubeBroadcast& broadcast = youtubeBroadcastOrThrow(liveId);
      if (broadcast.chat.ended) throw std::logic_error("the chat of YouTube broadcast " + liveId + " has ended");
      for (auto& message : messages) ids.push_back(youtubeAddChat(broadcast, std::move(message)));
      break;
    }
    case Platform::facebook: {
      FacebookLive& live = facebookLiveOrThrow(liveId);
      if (live.chatEnded) throw std::logic_error("the comments of Facebook live video " + liveId + " have ended");
      for (auto& message : messages) ids.push_back(facebookAddComment(live, std::move(message)));
      break;
    }
    case Platform::peertube: {
      PeerTubeLive& live = peertubeLiveOrThrow(liveId);
      if (live.chatEnded) throw std::logic_error("the comments of PeerTube live " + liveId + " have ended");
      for (auto& message : messages) ids.push_back(std::to_string(peertubeAddComment(live, std::move(message)).id));
      break;
    }
  }
  return ids;
}

void PlatformsState::deleteChatMessage(Platform platform, const std::string& liveId, const std::string& messageId) {
  now_ = Clock::now();
  switch (platform) {
    case Platform::youtube: youtubeDeleteChat(youtubeBroadcastOrThrow(liveId), messageId); return;
    case Platform::facebook: {
      FacebookLive& live = facebookLiveOrThrow(liveId);
      auto found = std::find_if(live.comments.begin(), live.comments.end(),
                                [&](const FacebookComment& comment) { return comment.id == messageId; });
      if (found == live.comments.end()) throw std::invalid_argument("no Facebook comment " + messageId);
      found->deleted = true;
      return;
    }
    case Platform::peertube: {
      PeerTubeLive& live = peertubeLiveOrThrow(liveId);
      auto found = std::find_if(live.comments.begin(), live.comments.end(), [&](const PeerTubeComment& comment) {
        return std::to_string(comment.id) == messageId;
      });
      if (found == live.comments.end()) throw std::invalid_argument("no PeerTube comment " + messageId);
      if (found->deletedAt.empty()) found->deletedAt = isoUtcMillis(wallNow());
      return;
    }
  }
}

void PlatformsState::endChat(Platform platform, const std::string& liveId) {
  now_ = Clock::now();
  switch (platform) {
    case Platform::youtube: youtubeEndChat(youtubeBroadcastOrThrow(liveId)); return;
    case Platform::facebook: facebookLiveOrThrow(liveId).chatEnded = true; return;
    case Platform::peertube: peertubeLiveOrThrow(liveId).chatEnded = true; return;
  }
}

}  // namespace tribune::testing::fake
