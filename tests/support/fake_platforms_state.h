#pragma once
// Internals of FakePlatforms (fake_platforms.h), not for tests to include: the platforms'
// state and handlers, with no socket in sight. Split by platform:
//   fake_platforms_state.cpp     requests parsed, tokens, device codes, routing
//   fake_platforms_google.cpp    Google OAuth and YouTube
//   fake_platforms_facebook.cpp  Facebook Graph
//   fake_platforms_peertube.cpp  PeerTube
// Threading: none here. FakePlatforms::Impl holds its mutex around every call.
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/fake_platforms.h"

namespace tribune::testing::fake {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;
using Params = std::map<std::string, std::string, std::less<>>;

// A request parsed once for the handlers.
struct Call {
  const RecordedRequest* raw = nullptr;
  Params query;              // decoded; a repeated name keeps its last value
  Params form;               // application/x-www-form-urlencoded or multipart/form-data fields
  std::optional<Json> json;  // an application/json body that parsed
  bool invalidJson = false;  // an application/json body that did not

  // A form field, else a JSON body's member (a non-string one as JSON text), else a query
  // parameter.
  [[nodiscard]] std::optional<std::string> param(std::string_view name) const;
  // The token of "Authorization: Bearer X" (or Graph's "OAuth X"), "" when none.
  [[nodiscard]] std::string bearer() const;
};
Call parseCall(const RecordedRequest& request);

struct Reply {
  int status = 200;
  std::string body;
  std::string contentType = "application/json; charset=UTF-8";
  std::vector<std::pair<std::string, std::string>> headers;
};
Reply jsonReply(int status, const Json& body, std::string contentType = "application/json; charset=UTF-8");

std::string percentDecode(std::string_view text, bool plusIsSpace);
Params parseUrlEncoded(std::string_view text);
// Text fields of a multipart/form-data body (files are kept as their bytes too).
Params parseMultipart(std::string_view body, std::string_view boundary);
// "2026-12-03T18:30:00Z"
std::string isoUtc(std::chrono::system_clock::time_point time);

// The platforms' error shapes.
// Google APIs: {"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}
Reply googleApiError(int status, std::string_view domain, std::string_view reason, std::string_view message);
// Google OAuth (RFC 6749 §5.2): {"error", "error_description"}
Reply oauthError(int status, std::string_view error, std::string_view description);
// Graph: {"error": {"message", "type", "code", "error_subcode"?, "fbtrace_id", + extra}}
Reply graphError(int status, int code, std::optional<int> subcode, std::string_view message, const Json& extra = {},
                 std::string_view type = "OAuthException");
// PeerTube (RFC 7807 application/problem+json): {"type", "title", "status", "detail", "code"?, "error"}
Reply peertubeProblem(int status, std::string_view code, std::string_view detail, const Json& extra = {});

enum class TokenKind { googleAccess, googleRefresh, facebookUser, facebookPage, peertubeAccess, peertubeRefresh };
struct Token {
  Platform platform = Platform::youtube;
  TokenKind kind = TokenKind::googleAccess;
  std::string grant;  // tokens from one authorisation share it (a refresh token and its access tokens)
  std::optional<Clock::time_point> expiry;
  bool revoked = false;
  bool longLived = false;  // Facebook: the user token came from fb_exchange_token
  std::string scope;
};
enum class TokenCheck { valid, unknown, expired, revoked };

struct DeviceCode {
  Platform platform = Platform::youtube;
  std::string code;
  std::string userCode;
  std::string scope;
  Clock::time_point expiry;
  std::optional<Clock::time_point> lastPoll;
  enum class Decision { none, approved, denied } decision = Decision::none;
  bool consumed = false;  // the tokens were handed out
};

struct YouTubeBroadcast {
  std::string id;
  std::string publishedAt;
  std::string scheduledStartTime;
  std::string scheduledEndTime;
  std::string privacyStatus;
  bool selfDeclaredMadeForKids = false;
  Json contentDetails;  // the defaults merged with what insert sent (no boundStreamId)
  std::string lifeCycleStatus = "created";
  std::string boundStreamId;
  std::string liveChatId;
  std::string actualStartTime;
  std::string actualEndTime;
  long long viewers = 0;
  Json videoSnippet;  // the writable part, exactly as last written
};

struct YouTubeStream {
  std::string id;
  std::string publishedAt;
  Json snippet;  // title, description as sent
  Json cdn;      // ingestionType, resolution, frameRate as sent
  bool isReusable = true;
  std::string key;
  std::string streamStatus = "ready";
};

struct FacebookLive {
  std::string id;
  std::string videoId;
  std::string pageId;
  std::string title;
  std::string description;
  std::string status;
  std::string key;
  std::string creationTime;
  long long viewers = 0;
};

struct PeerTubeLive {
  int id = 0;
  std::string uuid;
  std::string shortUuid;
  std::string name;
  std::string description;
  int privacy = 1;
  bool saveReplay = false;
  bool permanentLive = false;
  int latencyMode = 1;
  std::string key;
  int state = 4;  // 4 waiting for livestream, 1 published, 5 livestream ended
  long long viewers = 0;
  std::string publishedAt;
};

class PlatformsState {
 public:
  PlatformsState(FakePlatformsOptions options, std::string baseUrl);

  // One request that no scripted fault took: the platform's answer at `now`.
  Reply handle(const RecordedRequest& request, Clock::time_point now);

  const FakePlatformsOptions& options() const { return options_; }

  void approve(Platform platform);
  void deny(Platform platform);
  std::optional<std::string> pendingUserCode(Platform platform) const;
  void revoke(Platform platform);
  void setQuotaUsed(int units) { quotaUsed_ = units; }
  int quotaUsed() const { return quotaUsed_; }
  void setOnAir(Platform platform, const std::string& id, bool onAir);
  void setViewers(Platform platform, const std::string& id, long long viewers);
  void setYoutubeVideoSnippet(const std::string& id, Json snippet);
  std::optional<Json> youtubeVideo(const std::string& id) const;
  std::optional<std::string> youtubeBroadcastStatus(const std::string& id) const;
  std::optional<std::string> facebookLive(const std::string& id) const;
  int liveCount(Platform platform) const;

 private:
  using Handler = Reply (PlatformsState::*)(const Call&, const std::smatch&);
  struct Route {
    Platform platform;
    std::string method;
    std::regex path;
    std::string quotaMethod;  // YouTube: the cost table's key; "" elsewhere
    Handler handler;
  };

  std::vector<Route> googleRoutes() const;
  std::vector<Route> facebookRoutes() const;
  std::vector<Route> peertubeRoutes() const;
  Reply notFound(std::string_view path) const;
  Reply badRequest(Platform platform, const std::string& message) const;

  // --- Tokens and device codes (fake_platforms_state.cpp).
  std::string newToken(Platform platform, TokenKind kind, const std::string& grant,
                       std::optional<std::chrono::seconds> lifetime, std::string scope = {});
  std::string newGrant();
  TokenCheck checkToken(const std::string& token, std::initializer_list<TokenKind> kinds) const;
  void revokeGrant(const std::string& grant);
  DeviceCode& newDeviceCode(Platform platform, std::string scope, std::size_t userCodeLength);
  DeviceCode* newestUndecided(Platform platform);
  const DeviceCode* newestUndecided(Platform platform) const;
  // Random text from an alphabet (ids, keys, tokens).
  std::string randomText(std::size_t length, std::string_view alphabet = kAlphanumeric);
  std::string randomDigits(std::size_t length) { return randomText(length, "0123456789"); }
  std::chrono::system_clock::time_point wallNow() const;

  static constexpr std::string_view kAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  // --- Google OAuth and YouTube (fake_platforms_google.cpp).
  Reply googleDeviceCode(const Call& call, const std::smatch& match);
  Reply googleToken(const Call& call, const std::smatch& match);
  Reply googleRevoke(const Call& call, const std::smatch& match);
  Reply youtubeInsertBroadcast(const Call& call, const std::smatch& match);
  Reply youtubeListBroadcasts(const Call& call, const std::smatch& match);
  Reply youtubeBind(const Call& call, const std::smatch& match);
  Reply youtubeTransition(const Call& call, const std::smatch& match);
  Reply youtubeInsertStream(const Call& call, const std::smatch& match);
  Reply youtubeListStreams(const Call& call, const std::smatch& match);
  Reply youtubeListVideos(const Call& call, const std::smatch& match);
  Reply youtubeUpdateVideo(const Call& call, const std::smatch& match);
  Reply youtubeListChannels(const Call& call, const std::smatch& match);
  // Token and quota checks every YouTube call goes through; nullopt: go on.
  std::optional<Reply> youtubeGate(const Call& call, const std::string& quotaMethod);
  Json youtubeBroadcastResource(const YouTubeBroadcast& broadcast, const std::vector<std::string>& parts) const;
  Json youtubeStreamResource(const YouTubeStream& stream, const std::vector<std::string>& parts) const;
  Json youtubeVideoResource(const YouTubeBroadcast& broadcast, const std::vector<std::string>& parts) const;
  void youtubeStreamOnAir(YouTubeStream& stream, bool onAir);

  // --- Facebook Graph (fake_platforms_facebook.cpp).
  Reply facebookDeviceLogin(const Call& call, const std::smatch& match);
  Reply facebookDeviceStatus(const Call& call, const std::smatch& match);
  Reply facebookExchange(const Call& call, const std::smatch& match);
  Reply facebookMe(const Call& call, const std::smatch& match);
  Reply facebookAccounts(const Call& call, const std::smatch& match);
  Reply facebookCreateLive(const Call& call, const std::smatch& match);
  Reply facebookListLives(const Call& call, const std::smatch& match);
  Reply facebookGetNode(const Call& call, const std::smatch& match);
  Reply facebookPostNode(const Call& call, const std::smatch& match);
  // The caller's token must be one of `kinds`; nullopt: go on.
  std::optional<Reply> facebookGate(const Call& call, std::initializer_list<TokenKind> kinds, std::string* token);
  Json facebookLiveFields(const FacebookLive& live, const std::vector<std::string>& fields) const;

  // --- PeerTube (fake_platforms_peertube.cpp).
  Reply peertubeClient(const Call& call, const std::smatch& match);
  Reply peertubeToken(const Call& call, const std::smatch& match);
  Reply peertubeMe(const Call& call, const std::smatch& match);
  Reply peertubeCreateLive(const Call& call, const std::smatch& match);
  Reply peertubeGetLive(const Call& call, const std::smatch& match);
  Reply peertubeGetVideo(const Call& call, const std::smatch& match);
  std::optional<Reply> peertubeGate(const Call& call);
  PeerTubeLive* peertubeFind(const std::string& id);

  FakePlatformsOptions options_;
  std::string baseUrl_;
  std::vector<Route> routes_;
  std::mt19937_64 random_;
  Clock::time_point now_{};  // of the request being handled
  int serial_ = 0;           // makes every token unique whatever the random draw

  std::map<std::string, Token, std::less<>> tokens_;
  std::vector<DeviceCode> deviceCodes_;                                 // oldest first
  std::map<std::string, std::string, std::less<>> facebookPageTokens_;  // user token → its Page token
  int quotaUsed_ = 0;

  std::map<std::string, YouTubeBroadcast, std::less<>> broadcasts_;
  std::map<std::string, YouTubeStream, std::less<>> streams_;
  std::map<std::string, FacebookLive, std::less<>> facebookLives_;
  std::map<int, PeerTubeLive> peertubeLives_;
  int nextPeertubeId_ = 41;
};

// "snippet,status" → {"snippet", "status"} (trimmed, empty items dropped).
std::vector<std::string> splitList(std::string_view text, char separator = ',');
bool contains(const std::vector<std::string>& list, std::string_view item);
// Characters, not bytes (titles are French): the platforms' length limits count these.
std::size_t utf8Length(std::string_view text);

}  // namespace tribune::testing::fake
