#pragma once
// The platforms Tribune creates its lives on, faked for tests (issue 20): Google's OAuth 2.0
// and YouTube's Data API, Facebook's Graph API, PeerTube's REST API, each answering with
// the documented shapes (../shared/research/platform-apis.md) from a real HTTP/1.1 server
// on 127.0.0.1. Tribune's HTTP adapter is pointed at it through its configurable base
// URLs, so tests go through real sockets and never reach a real platform. The fake itself
// calls nothing: it only answers.
//
//   BASE/google/device/code, /token, /revoke       Google OAuth (device flow, refresh, revoke)
//   BASE/youtube/v3/liveBroadcasts[/bind|/transition], liveStreams, videos, channels
//   BASE/facebook/VERSION/device/login[_status], oauth/access_token, me, me/accounts,
//                        {page-id}/live_videos, {live-id}
//   BASE/peertube/api/v1/oauth-clients/local, users/token, users/me, videos/live[/{id}], videos/{id}
// and the viewers' side of a live (issue 21):
//   BASE/youtube/v3/liveChat/messages[/stream]     list (GET), insert (POST), streamList (GET)
//   BASE/facebook/VERSION/{live-id}/comments       list; POST {comment-id}/comments replies
//   BASE/peertube/api/v1/videos/{id}/comment-threads, POST videos/{id}/comments/{comment-id}
//
// What the test controls: the device flows (approve(), deny(); polls are pending until
// then), revoke(), scripted faults (fail(), hang(), malformed()), YouTube's quota
// (setQuotaUsed()), what the platforms see of the stream (setOnAir(), setViewers()), what
// the viewers write (addChatMessage(), deleteChatMessage(), endChat()). What the test reads:
// every request as received, the lives' state (youtubeVideo(), facebookLive(),
// liveCount()), the replies Tribune posted (chatReplies()) and the chat pages it was
// served (chatPagesServed(), onChatPageServed()).
//
// Where the fake is stricter or simpler than the platforms, the comment on the option or
// the method says so. Ingest addresses are all under options.ingestRtmpBase (plain RTMP,
// the tests' nginx-rtmp), even where the platform would hand out RTMPS.
//
// Threading: one thread owned by the object runs the server (Boost.Asio, asynchronous:
// many connections at once, keep-alive, a hung answer holds up no one else). Every public
// method may be called from any thread; one mutex guards the platforms' state (the chat
// page hook runs on the server thread with it released). The destructor closes every
// connection, hung ones and open streamList answers included, and joins the thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tribune::testing {

enum class Platform { youtube, facebook, peertube };
std::string_view toString(Platform platform);  // "youtube", "facebook", "peertube"

struct FakePlatformsOptions {
  // Where the platforms tell Tribune to publish: YouTube's ingestionAddress and
  // rtmpsIngestionAddress (and the backups), Facebook's stream_url and secure_stream_url,
  // PeerTube's rtmpUrl and rtmpsUrl. Keys are appended as "/KEY" (YouTube, Facebook) or
  // given apart (PeerTube's streamKey, YouTube's streamName). No trailing '/'.
  std::string ingestRtmpBase = "rtmp://127.0.0.1:1935/live";

  // Google access tokens, Facebook short-lived user tokens, PeerTube access tokens.
  std::chrono::seconds accessTokenLifetime{3600};
  // Facebook's long-lived user token (fb_exchange_token): ~60 days.
  std::chrono::seconds facebookLongLivedLifetime{5183944};
  // PeerTube's refresh token: 2 weeks.
  std::chrono::seconds peertubeRefreshLifetime{14 * 24 * 3600};
  // Device flows (Google and Facebook): the interval announced and enforced (a poll sooner
  // than this after the previous poll gets slow_down; the fake does not add 5 s after a
  // slow_down as Google asks clients to), and how long a code lives.
  std::chrono::seconds deviceInterval{5};
  std::chrono::seconds deviceCodeLifetime{1800};

  // YouTube's daily quota. A call is refused with 403 quotaExceeded when its cost would
  // take the day's use past dailyUnits. Every call made with a valid token costs its
  // units, whatever its answer; calls refused for their token or for quota cost nothing,
  // nor do scripted faults.
  int youtubeDailyUnits = 10000;
  std::map<std::string, int, std::less<>> youtubeCosts = {
      {"liveBroadcasts.list", 1},
      {"liveBroadcasts.insert", 50},
      {"liveBroadcasts.bind", 50},
      {"liveBroadcasts.transition", 50},
      {"liveStreams.list", 1},
      {"liveStreams.insert", 50},
      {"videos.list", 1},
      {"videos.update", 50},
      {"channels.list", 1},
      {"liveChatMessages.list", 5},
      {"liveChatMessages.insert", 20},
      {"liveChatMessages.streamList", 5},
  };

  // YouTube's live chat: a list of events (messages, deletions, the end) per broadcast; a
  // page token is an opaque position in it, and a call without one gets the last 75 events
  // at most. A broadcast that completes does not end its chat by itself: offlineAt appears,
  // and endChat() adds the chatEndedEvent. streamList answers chunked, one ListResponse
  // object per line, each new event sent within 20 ms, and closes when its time is up or
  // once it has sent the chatEndedEvent. The interval announced as pollingIntervalMillis;
  // with youtubeChatEnforceInterval, a list call for a chat sooner than that after the
  // previous list call answered 200 for the same chat (100 ms of slack) gets 403
  // rateLimitExceeded, and costs its units as on YouTube (streamList is not held to it).
  // youtubeChatDefaultPage: maxResults when not given (YouTube: 500; 200..2000 accepted).
  // streamList closes its answer after youtubeChatStreamSeconds (YouTube: about 10 s).
  std::chrono::milliseconds youtubeChatPollingInterval{2000};
  bool youtubeChatEnforceInterval = true;
  int youtubeChatDefaultPage = 500;
  std::chrono::seconds youtubeChatStreamSeconds{10};
  // Facebook's comments: live_filter's two values answer the same (the fake has no
  // low-quality comment); an empty page has no "paging", as on Graph. The calls allowed per
  // minute (sliding, all live videos together), past which Graph's error 613 answers; 0: no
  // limit. Only calls answered 200 count.
  int facebookCommentsPerMinuteLimit = 0;

  std::string facebookGraphVersion = "v25.0";
  // The HTTP status of a Graph token error (code 190). Facebook's documentation: "the API
  // will return an HTTP 400 status code, a code and a subcode" (access-tokens/debugging-
  // and-error-handling); set 401 to test a client against the other reading.
  int facebookTokenErrorStatus = 400;

  // The credentials the fake accepts; anything else is refused as the platform would.
  std::string googleClientId = "tribune-test.apps.googleusercontent.com";
  std::string googleClientSecret = "tribune-test-secret";
  std::string facebookAppId = "1029384756";
  std::string facebookClientToken = "tribune-test-client-token";
  std::string facebookAppSecret = "tribune-test-app-secret";
  std::string peertubeClientId = "tribune-test-peertube-client";
  std::string peertubeClientSecret = "tribune-test-peertube-secret";
  std::string peertubeUsername = "mairie";
  std::string peertubePassword = "conseil-municipal";

  // Who the accounts are.
  std::string youtubeChannelId = "UCtribuneTestChannel00001";
  std::string youtubeChannelTitle = "Mairie de Saint-Martin-des-Tests";
  std::string facebookUserName = "Camille Technicienne";
  std::string facebookPageId = "104857600123456";
  std::string facebookPageName = "Mairie de Saint-Martin-des-Tests";
  int peertubeChannelId = 7;
  std::string peertubeChannelName = "conseil_municipal";
  std::string peertubeChannelDisplayName = "Conseil municipal de Saint-Martin-des-Tests";
};

// A viewer's message, as addChatMessage() puts it on a platform.
struct FakeChatMessage {
  std::string authorName;  // the display name
  // YouTube channel id / Facebook user id / PeerTube account name ("name" or "name@host");
  // generated when empty.
  std::string authorId;
  std::string text;         // as the platform stores it (PeerTube: HTML)
  bool fromOwner = false;   // the channel owner / the Page / the commune's PeerTube account
  bool hideAuthor = false;  // Facebook: no "from" at all (what Graph does without a Page token)
};

// A reply Tribune posted. inReplyTo: YouTube's liveChatId (its chat has no threads),
// Facebook's comment id, PeerTube's comment id. liveId: YouTube's broadcast id, Facebook's
// live video id, PeerTube's video id (the number).
struct ChatReply {
  Platform platform = Platform::youtube;
  std::string liveId;
  std::string inReplyTo;
  std::string text;
};

// One request as it arrived.
struct RecordedRequest {
  std::string method;
  std::string path;   // the target before '?', not decoded
  std::string query;  // after '?', not decoded ("" when none)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, in order

  // The first header of that name (case-insensitive), "" when absent.
  [[nodiscard]] std::string header(std::string_view name) const;
};

class FakePlatforms {
 public:
  // For fail(), hang() and malformed(): every matching request, not only the next ones.
  static constexpr int kAlways = -1;

  // Listens on 127.0.0.1, a port chosen by the OS, and starts serving.
  explicit FakePlatforms(FakePlatformsOptions options = {});
  ~FakePlatforms();

  FakePlatforms(const FakePlatforms&) = delete;
  FakePlatforms& operator=(const FakePlatforms&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string baseUrl() const;           // http://127.0.0.1:PORT
  [[nodiscard]] std::string googleOAuthUrl() const;    // BASE/google (in place of https://oauth2.googleapis.com)
  [[nodiscard]] std::string youtubeApiUrl() const;     // BASE/youtube/v3
  [[nodiscard]] std::string facebookGraphUrl() const;  // BASE/facebook (the version follows: /v25.0/...)
  [[nodiscard]] std::string peertubeUrl() const;       // BASE/peertube (the instance: /api/v1/... follows)
  [[nodiscard]] const FakePlatformsOptions& options() const;

  // --- Device flows (YouTube through Google, Facebook). They act on the newest code of the
  // platform that is neither approved nor denied; std::logic_error when there is none, or
  // for PeerTube (password grant, no device flow).
  // The person entered the code and agreed: the next poll gets the tokens.
  void approve(Platform platform);
  // The person refused. Google answers the next polls 403 access_denied. Facebook documents
  // no answer for a refusal: its polls stay pending until the code expires.
  void deny(Platform platform);
  // The user code of that newest code, if any (what Tribune should be showing).
  [[nodiscard]] std::optional<std::string> pendingUserCode(Platform platform) const;

  // --- Accounts. Every token of the platform stops working: calls get the platform's
  // 401 (Graph: code 190 subcode 460), refreshes get invalid_grant. Tokens issued
  // afterwards (a new device flow, a new password grant) work.
  void revoke(Platform platform);

  // --- Scripted faults, tried on every request before the platforms see it, in the order
  // they were added. A rule matches by prefix of the target as received ("path?query"),
  // optionally led by a method ("PUT /youtube/v3/videos"), or by std::regex_search over
  // "METHOD path?query". `times` requests are affected, then the rule is spent (kAlways:
  // never spent). A request may be hung and then failed. A faulted request is recorded
  // like any other, reaches no platform and costs no quota.
  // Answer `status` with `body` (Content-Type application/json) instead of the platform.
  void fail(const std::string& prefix, int status, std::string body, int times = 1);
  void fail(const std::regex& pattern, int status, std::string body, int times = 1);
  // Accept the request, then answer nothing for `duration`; afterwards answer normally (the
  // platform as it is then). Other connections are served meanwhile.
  void hang(const std::string& prefix, std::chrono::milliseconds duration, int times = 1);
  void hang(const std::regex& pattern, std::chrono::milliseconds duration, int times = 1);
  // Answer 200 with a JSON body cut short.
  void malformed(const std::string& prefix, int times = 1);
  void malformed(const std::regex& pattern, int times = 1);
  // Forget every rule, spent or not.
  void clearFaults();

  // --- YouTube's quota.
  void setQuotaUsed(int units);
  [[nodiscard]] int quotaUsed() const;

  // --- The lives as the platforms see them.
  // Ingest started (true) or stopped (false) on a live, since the fake cannot see
  // nginx-rtmp. YouTube: `id` is a broadcast (its bound stream) or a stream; the stream
  // becomes active or inactive, and a bound broadcast with enableAutoStart goes live (with
  // enableAutoStop: complete when ingest stops). Facebook: LIVE / LIVE_STOPPED. PeerTube:
  // state 1 "Published" / 5 "Livestream ended". std::invalid_argument for an unknown id.
  void setOnAir(Platform platform, const std::string& id, bool onAir);
  // The audience: YouTube's concurrentViewers (while live), Facebook's live_views (while
  // LIVE), PeerTube's viewers. std::invalid_argument for an unknown id.
  void setViewers(Platform platform, const std::string& id, long long viewers);
  // Replaces a YouTube video's snippet as videos.update would (to seed tags, say, and
  // check that Tribune's read-modify-write keeps them).
  void setYoutubeVideoSnippet(const std::string& id, nlohmann::json snippet);

  // --- Observability.
  [[nodiscard]] std::vector<RecordedRequest> requests() const;
  // Every token and secret Tribune sent: bearer tokens, and the values (8 characters or
  // more) of token-like query and form fields: for tests that look for them where they must
  // never be (logs, pages, answers).
  [[nodiscard]] std::set<std::string> secretsReceived() const;
  // How many requests had exactly this path (no query), whatever their answer.
  [[nodiscard]] std::size_t requestCount(std::string_view path) const;
  [[nodiscard]] std::map<std::string, std::size_t> requestCounts() const;
  // Waits until `count` requests to `path` have arrived; false on timeout.
  bool waitForRequests(std::string_view path, std::size_t count, std::chrono::milliseconds timeout) const;
  // A YouTube video's writable snippet as last written (exactly the object videos.update
  // received), or as made by liveBroadcasts.insert: {title, description, categoryId "22"}.
  [[nodiscard]] std::optional<nlohmann::json> youtubeVideo(const std::string& id) const;
  // A broadcast's status.lifeCycleStatus ("created", "ready", "testing", "live", "complete").
  [[nodiscard]] std::optional<std::string> youtubeBroadcastStatus(const std::string& id) const;
  // A Facebook live video's status (UNPUBLISHED, SCHEDULED_UNPUBLISHED, LIVE, LIVE_STOPPED, VOD).
  [[nodiscard]] std::optional<std::string> facebookLive(const std::string& id) const;
  // How many lives were created on the platform (broadcasts, live videos, PeerTube lives).
  [[nodiscard]] int liveCount(Platform platform) const;

  // --- The viewers (issue 21). `liveId`: YouTube's broadcast id, Facebook's live video id,
  // PeerTube's video id, uuid or shortUUID; std::invalid_argument for an unknown one.
  // Published and created times are the wall clock's at the call.
  // A viewer writes: the id the platform gave the message (YouTube's item id, Facebook's
  // "<live-id>_<n>", PeerTube's integer as text). std::logic_error once endChat() was called.
  std::string addChatMessage(Platform platform, const std::string& liveId, FakeChatMessage message);
  // Many at once, under one lock (load tests); the ids in order.
  std::vector<std::string> addChatMessages(Platform platform, const std::string& liveId,
                                           std::vector<FakeChatMessage> messages);
  // A moderator removed it. YouTube: a messageDeletedEvent joins the chat (the message
  // stays in the events already there, as on YouTube). Facebook: the comment disappears
  // from /comments. PeerTube: the thread stays, isDeleted, text "", account null.
  // std::invalid_argument for an unknown message.
  void deleteChatMessage(Platform platform, const std::string& liveId, const std::string& messageId);
  // The chat is over. YouTube: a chatEndedEvent joins the chat, offlineAt appears, and once
  // read the next list answers 403 liveChatEnded, as does insert. Facebook and PeerTube
  // (which have no such event): no more viewers' messages; lists go on answering. Twice is
  // once.
  void endChat(Platform platform, const std::string& liveId);
  // Every reply Tribune posted, oldest first.
  [[nodiscard]] std::vector<ChatReply> chatReplies() const;
  // How many chat pages the platform served (list calls answered 200, and each object a
  // streamList answer carried), and when the last one was answered (nullopt: none yet).
  [[nodiscard]] std::size_t chatPagesServed(Platform platform) const;
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> lastChatPageServed(Platform platform) const;
  // For load measurement: called on the server thread, outside the state lock, just before
  // a chat page carrying messages is written, with the time it was answered and the ids
  // of those messages (YouTube: its textMessageEvent items; PeerTube: the threads not
  // deleted). Keep it short: the server waits for it. It may call this object. Replaces any
  // earlier hook; {} removes it.
  using ChatPageHook =
      std::function<void(Platform, std::chrono::steady_clock::time_point, const std::vector<std::string>& messageIds)>;
  void onChatPageServed(ChatPageHook hook);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tribune::testing
