#pragma once
// Internals of FakePlatforms (fake_platforms.h), not for tests to include: the platforms'
// state and handlers, with no socket in sight. Split by platform:
//   fake_platforms_state.cpp     requests parsed, tokens, device codes, routing
//   fake_platforms_google.cpp    Google OAuth and YouTube
//   fake_platforms_facebook.cpp  Facebook Graph
//   fake_platforms_peertube.cpp  PeerTube
//   fake_platforms_youtube_chat.cpp, fake_platforms_facebook_comments.cpp,
//   fake_platforms_peertube_comments.cpp   the viewers' side (issue 21)
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

// A chat page an answer carries (for FakePlatforms' counters and its hook).
struct ChatPage {
  Platform platform = Platform::youtube;
  std::vector<std::string> messageIds;  // the viewers' messages in it
};

// YouTube's streamList: the answer goes on after its first object.
struct ChatStream {
  std::string liveChatId;
  std::size_t position = 0;  // in the chat's events, after what the first object carried
  std::vector<std::string> parts;
  Clock::time_point closeAt;
  bool finished = false;  // the chatEndedEvent went out: nothing can follow
};

struct Reply {
  int status = 200;
  std::string body;
  std::string contentType = "application/json; charset=UTF-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<ChatPage> chatPage;
  std::optional<ChatStream> stream;  // body: the first NDJSON line
};
Reply jsonReply(int status, const Json& body, std::string contentType = "application/json; charset=UTF-8");

std::string percentDecode(std::string_view text, bool plusIsSpace);
Params parseUrlEncoded(std::string_view text);
// Text fields of a multipart/form-data body (files are kept as their bytes too).
Params parseMultipart(std::string_view body, std::string_view boundary);
// "2026-12-03T18:30:00Z"
std::string isoUtc(std::chrono::system_clock::time_point time);
// "2026-12-03T18:30:00.123Z"
std::string isoUtcMillis(std::chrono::system_clock::time_point time);
// Graph's "2026-12-03T18:30:00+0000"
std::string graphTime(std::chrono::system_clock::time_point time);
// `text` matched literally in a std::regex.
std::string escapeRegex(std::string_view text);
// RFC 3986 unreserved characters kept, the rest %XX.
std::string percentEncode(std::string_view text);

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

// One event of a YouTube chat, in the order they happened.
struct YouTubeChatEvent {
  std::string type;  // textMessageEvent, messageDeletedEvent, chatEndedEvent
  std::string id;
  std::string publishedAt;
  std::string authorName;
  std::string authorId;
  bool fromOwner = false;
  std::string text;
  std::string deletedId;  // messageDeletedEvent
};

struct YouTubeChat {
  std::vector<YouTubeChatEvent> events;
  bool ended = false;
  std::string endedAt;
  std::optional<Clock::time_point> lastList;  // the last list answered 200
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
  YouTubeChat chat;
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

struct FacebookComment {
  long long serial = 0;  // the n of "<live-id>_<n>", in the order they were made
  std::string id;
  long long createdUnix = 0;
  std::string createdTime;
  std::string authorName;
  std::string authorId;
  bool hideAuthor = false;
  std::string message;
  std::string parentId;  // a reply's comment
  bool deleted = false;
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
  std::vector<FacebookComment> comments;  // oldest first
  bool chatEnded = false;
};

struct PeerTubeComment {
  int id = 0;
  int threadId = 0;
  std::optional<int> inReplyTo;
  std::string text;
  std::string createdAt;
  std::string accountName;
  std::string accountHost;
  std::string displayName;
  int accountId = 0;
  bool fromOwner = false;
  std::string deletedAt;  // "" while not deleted
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
  std::vector<PeerTubeComment> comments;  // oldest first
  bool chatEnded = false;
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

  // The viewers (FakePlatforms' methods of the same names).
  std::vector<std::string> addChatMessages(Platform platform, const std::string& liveId,
                                           std::vector<FakeChatMessage> messages);
  void deleteChatMessage(Platform platform, const std::string& liveId, const std::string& messageId);
  void endChat(Platform platform, const std::string& liveId);
  const std::vector<ChatReply>& chatReplies() const { return chatReplies_; }
  // streamList: the next object of a stream answer at `now`, nullopt when there is nothing
  // new (or the chat is gone). Advances stream.position.
  std::optional<Reply> youtubeStreamNext(ChatStream& stream, Clock::time_point now);

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

  // --- YouTube's live chat (fake_platforms_youtube_chat.cpp).
  std::vector<Route> youtubeChatRoutes() const;
  Reply youtubeListChat(const Call& call, const std::smatch& match);
  Reply youtubeStreamChat(const Call& call, const std::smatch& match);
  Reply youtubeInsertChat(const Call& call, const std::smatch& match);
  // The page list and streamList answer (or their refusal); `stream` makes it the first
  // object of a stream answer.
  Reply youtubeChatPage(const Call& call, bool stream);
  YouTubeBroadcast* youtubeFindChat(const std::string& liveChatId);
  YouTubeBroadcast& youtubeBroadcastOrThrow(const std::string& id);
  Json youtubeChatItem(const YouTubeBroadcast& broadcast, const YouTubeChatEvent& event,
                       const std::vector<std::string>& parts) const;
  Json youtubeChatListResponse(const YouTubeBroadcast& broadcast, std::size_t from, std::size_t to,
                               const std::vector<std::string>& parts, ChatPage& page) const;
  YouTubeChatEvent& youtubeAddChatEvent(YouTubeBroadcast& broadcast, YouTubeChatEvent event);
  std::string youtubeChatToken(const YouTubeBroadcast& broadcast, std::size_t position) const;
  std::string youtubeAddChat(YouTubeBroadcast& broadcast, FakeChatMessage message);
  void youtubeDeleteChat(YouTubeBroadcast& broadcast, const std::string& messageId);
  void youtubeEndChat(YouTubeBroadcast& broadcast);

  // --- Facebook's comments (fake_platforms_facebook_comments.cpp).
  std::vector<Route> facebookCommentRoutes() const;
  Reply facebookListComments(const Call& call, const std::smatch& match);
  Reply facebookReply(const Call& call, const std::smatch& match);
  FacebookLive& facebookLiveOrThrow(const std::string& id);
  std::string facebookAddComment(FacebookLive& live, FakeChatMessage message, std::string parentId = {});

  // --- PeerTube's comments (fake_platforms_peertube_comments.cpp).
  std::vector<Route> peertubeCommentRoutes() const;
  Reply peertubeListThreads(const Call& call, const std::smatch& match);
  Reply peertubeReply(const Call& call, const std::smatch& match);
  PeerTubeLive& peertubeLiveOrThrow(const std::string& id);
  PeerTubeComment& peertubeAddComment(PeerTubeLive& live, FakeChatMessage message, std::optional<int> inReplyTo = {});
  Json peertubeCommentJson(const PeerTubeLive& live, const PeerTubeComment& comment) const;

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

  std::vector<ChatReply> chatReplies_;
  long long nextFacebookComment_ = 1;
  int nextPeertubeComment_ = 1201;
  std::map<std::string, int, std::less<>> peertubeAccountIds_;  // "name@host" → account id
  std::vector<Clock::time_point> facebookCommentCalls_;         // answered 200, within the last minute
};

// "snippet,status" → {"snippet", "status"} (trimmed, empty items dropped).
std::vector<std::string> splitList(std::string_view text, char separator = ',');
bool contains(const std::vector<std::string>& list, std::string_view item);
// Characters, not bytes (titles are French): the platforms' length limits count these.
std::size_t utf8Length(std::string_view text);

}  // namespace tribune::testing::fake
