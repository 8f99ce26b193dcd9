// YouTube's live chat (../shared/research/platform-apis.md §1.3, §1.4): liveChatMessages.list,
// streamList and insert on each broadcast's liveChatId. A chat is a list of events
// (messages, deletions, the end); a page token is an opaque position in that list, so
// reading from token to token never skips nor repeats an event.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "support/fake_platforms_state.h"

namespace tribune::testing::fake {
namespace {

// As for the device flows: a poll sent exactly one interval after the previous one may
// arrive a little early.
constexpr auto kPollSlack = std::chrono::milliseconds(100);
// Without a page token, YouTube gives only the recent messages ("at most ~75").
constexpr std::size_t kFirstPageLimit = 75;
constexpr int kMinPage = 200;
constexpr int kMaxPage = 2000;
constexpr std::size_t kMaxMessageLength = 200;
constexpr std::string_view kIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kDomain = "youtube.liveChat";

Reply chatNotFound() {
  return googleApiError(404, kDomain, "liveChatNotFound",
                        "The live chat that you are trying to retrieve cannot be found.");
}

Reply chatEnded() { return googleApiError(403, kDomain, "liveChatEnded", "The live chat is no longer live."); }

std::optional<int> parseInt(const std::string& text) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoi(text);
}

std::string hex(std::size_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "%zx", value);
  return text;
}

}  // namespace

std::vector<PlatformsState::Route> PlatformsState::youtubeChatRoutes() const {
  auto route = [](const char* method, const char* path, const char* quotaMethod, Handler handler) {
    return Route{Platform::youtube, method, std::regex(path), quotaMethod, handler};
  };
  return {
      route("GET", "/youtube/v3/liveChat/messages", "liveChatMessages.list", &PlatformsState::youtubeListChat),
      route("GET", "/youtube/v3/liveChat/messages/stream", "liveChatMessages.streamList",
            &PlatformsState::youtubeStreamChat),
      route("POST", "/youtube/v3/liveChat/messages", "liveChatMessages.insert", &PlatformsState::youtubeInsertChat),
  };
}

YouTubeBroadcast* PlatformsState::youtubeFindChat(const std::string& liveChatId) {
  for (auto& [id, broadcast] : broadcasts_) {
    if (broadcast.liveChatId == liveChatId) return &broadcast;
  }
  return nullptr;
}

YouTubeBroadcast& PlatformsState::youtubeBroadcastOrThrow(const std::string& id) {
  auto found = broadcasts_.find(id);
  if (found == broadcasts_.end()) throw std::invalid_argument("no YouTube broadcast " + id);
  return found->second;
}

// Opaque to the client; bound to its chat so that another chat's token is refused.
std::string PlatformsState::youtubeChatToken(const YouTubeBroadcast& broadcast, std::size_t position) const {
  std::size_t check = std::hash<std::string>{}(broadcast.liveChatId + ":" + std::to_string(position)) & 0xFFFFFFFFU;
  return "GhcKFQoTC" + hex(position) + "Q" + hex(check);
}

YouTubeChatEvent& PlatformsState::youtubeAddChatEvent(YouTubeBroadcast& broadcast, YouTubeChatEvent event) {
  event.id = "LCC." + randomText(38, kIdAlphabet);
  event.publishedAt = isoUtcMillis(wallNow());
  if (event.fromOwner) {
    if (event.authorId.empty()) event.authorId = options_.youtubeChannelId;
    if (event.authorName.empty()) event.authorName = options_.youtubeChannelTitle;
  }
  if (event.authorId.empty()) event.authorId = "UC" + randomText(22, kIdAlphabet);
  broadcast.chat.events.push_back(std::move(event));
  return broadcast.chat.events.back();
}

std::string PlatformsState::youtubeAddChat(YouTubeBroadcast& broadcast, FakeChatMessage message) {
  YouTubeChatEvent event;
  event.type = "textMessageEvent";
  event.authorName = std::move(message.authorName);
  event.authorId = std::move(message.authorId);
  event.fromOwner = message.fromOwner;
  event.text = std::move(message.text);
  return youtubeAddChatEvent(broadcast, std::move(event)).id;
}

// The channel owner (who moderates) deletes it.
void PlatformsState::youtubeDeleteChat(YouTubeBroadcast& broadcast, const std::string& messageId) {
  const auto& events = broadcast.chat.events;
  if (std::none_of(events.begin(), events.end(), [&](const YouTubeChatEvent& event) {
        return event.type == "textMessageEvent" && event.id == messageId;
      })) {
    throw std::invalid_argument("no YouTube chat message " + messageId);
  }
  YouTubeChatEvent event;
  event.type = "messageDeletedEvent";
  event.fromOwner = true;
  event.deletedId = messageId;
  youtubeAddChatEvent(broadcast, std::move(event));
}

void PlatformsState::youtubeEndChat(YouTubeBroadcast& broadcast) {
  if (broadcast.chat.ended) return;
  YouTubeChatEvent event;
  event.type = "chatEndedEvent";
  event.fromOwner = true;
  broadcast.chat.endedAt = youtubeAddChatEvent(broadcast, std::move(event)).publishedAt;
  broadcast.chat.ended = true;
}

Json PlatformsState::youtubeChatItem(const YouTubeBroadcast& broadcast, const YouTubeChatEvent& event,
                                     const std::vector<std::string>& parts) const {
  Json item = {{"kind", "youtube#liveChatMessage"}, {"etag", "fake-etag-" + event.id}, {"id", event.id}};
  if (contains(parts, "snippet")) {
    Json snippet = {{"type", event.type},
                    {"liveChatId", broadcast.liveChatId},
                    {"authorChannelId", event.authorId},
                    {"publishedAt", event.publishedAt},
                    {"hasDisplayContent", event.type == "textMessageEvent"}};
    if (event.type == "textMessageEvent") {
      snippet["displayMessage"] = event.text;
      snippet["textMessageDetails"] = {{"messageText", event.text}};
    } else if (event.type == "messageDeletedEvent") {
      snippet["messageDeletedDetails"] = {{"deletedMessageId", event.deletedId}};
    }
    item["snippet"] = std::move(snippet);
  }
  if (contains(parts, "authorDetails")) {
    item["authorDetails"] = {{"channelId", event.authorId},
                             {"channelUrl", "http://www.youtube.com/channel/" + event.authorId},
                             {"displayName", event.authorName},
                             {"profileImageUrl", "https://yt3.ggpht.com/fake/" + event.authorId + "/s88-c-k-nd"},
                             {"isVerified", false},
                             {"isChatOwner", event.fromOwner},
                             {"isChatSponsor", false},
                             {"isChatModerator", false}};
  }
  return item;
}

Json PlatformsState::youtubeChatListResponse(const YouTubeBroadcast& broadcast, std::size_t from, std::size_t to,
                                             const std::vector<std::string>& parts, ChatPage& page) const {
  const auto& events = broadcast.chat.events;
  Json items = Json::array();
  page.platform = Platform::youtube;
  for (std::size_t at = from; at < to; ++at) {
    items.push_back(youtubeChatItem(broadcast, events[at], parts));
    if (events[at].type == "textMessageEvent") page.messageIds.push_back(events[at].id);
  }
  Json response = {{"kind", "youtube#liveChatMessageListResponse"},
                   {"etag", "fake-etag-chat-" + std::to_string(to)},
                   {"nextPageToken", youtubeChatToken(broadcast, to)},
                   {"pollingIntervalMillis", options_.youtubeChatPollingInterval.count()},
                   {"pageInfo", {{"totalResults", events.size() - from}, {"resultsPerPage", to - from}}},
                   {"items", std::move(items)}};
  if (broadcast.lifeCycleStatus == "complete" && !broadcast.actualEndTime.empty()) {
    response["offlineAt"] = broadcast.actualEndTime;
  } else if (broadcast.chat.ended) {
    response["offlineAt"] = broadcast.chat.endedAt;
  }
  return response;
}

// GET /youtube/v3/liveChat/messages?liveChatId=…&part=…[&pageToken=…][&maxResults=200..2000]
Reply PlatformsState::youtubeListChat(const Call& call, const std::smatch& /*match*/) {
  return youtubeChatPage(call, false);
}

// GET /youtube/v3/liveChat/messages/stream: the same first page, then what happens, one
// ListResponse per line, until youtubeChatStreamSeconds or the end of the chat. The
// interval is not enforced: the stream is how a client avoids polling.
Reply PlatformsState::youtubeStreamChat(const Call& call, const std::smatch& /*match*/) {
  return youtubeChatPage(call, true);
}

Reply PlatformsState::youtubeChatPage(const Call& call, bool stream) {
  std::vector<std::string> parts = splitList(call.param("part").value_or(""));
  if (parts.empty()) return googleApiError(400, "global", "required", "Required parameter: part");
  auto chatId = call.param("liveChatId");
  if (!chatId || chatId->empty()) return googleApiError(400, "global", "required", "Required parameter: liveChatId");
  YouTubeBroadcast* broadcast = youtubeFindChat(*chatId);
  if (broadcast == nullptr) return chatNotFound();
  YouTubeChat& chat = broadcast->chat;

  int pageSize = options_.youtubeChatDefaultPage;
  if (auto text = call.param("maxResults")) {
    auto value = parseInt(*text);
    if (!value || *value < kMinPage || *value > kMaxPage) {
      return googleApiError(400, "youtube.parameter", "invalidValue",
                            "Invalid value '" + *text + "'. Values must be within the range: [200, 2000]");
    }
    pageSize = *value;
  }
  if (!stream && options_.youtubeChatEnforceInterval && chat.lastList &&
      now_ - *chat.lastList + kPollSlack < options_.youtubeChatPollingInterval) {
    return googleApiError(403, kDomain, "rateLimitExceeded",
                          "The request was sent too soon after the previous one. This error occurs when API requests "
                          "to retrieve messages are being sent more frequently than YouTube's refresh rates.");
  }

  const std::size_t size = chat.events.size();
  std::size_t from = size > kFirstPageLimit ? size - kFirstPageLimit : 0;
  if (auto token = call.param("pageToken"); token && !token->empty()) {
    static const std::regex kToken("GhcKFQoTC([0-9a-f]{1,15})Q[0-9a-f]+");
    std::smatch parsed;
    std::optional<std::size_t> position;
    if (std::regex_match(*token, parsed, kToken)) {
      std::size_t candidate = std::stoull(parsed[1].str(), nullptr, 16);
      if (candidate <= size && youtubeChatToken(*broadcast, candidate) == *token) position = candidate;
    }
    if (!position) return googleApiError(400, kDomain, "pageTokenInvalid", "The page token is not valid.");
    from = *position;
  }
  if (chat.ended && from >= size) return chatEnded();

  std::size_t to = std::min(size, from + static_cast<std::size_t>(pageSize));
  Reply reply;
  ChatPage page;
  reply.body = youtubeChatListResponse(*broadcast, from, to, parts, page).dump();
  reply.chatPage = std::move(page);
  if (stream) {
    reply.body += "\n";
    reply.stream = ChatStream{*chatId, to, parts, now_ + options_.youtubeChatStreamSeconds, chat.ended && to == size};
  } else {
    chat.lastList = now_;
  }
  return reply;
}

std::optional<Reply> PlatformsState::youtubeStreamNext(ChatStream& stream, Clock::time_point now) {
  now_ = now;
  YouTubeBroadcast* broadcast = youtubeFindChat(stream.liveChatId);
  if (broadcast == nullptr || stream.position >= broadcast->chat.events.size()) return std::nullopt;
  const std::size_t size = broadcast->chat.events.size();
  Reply reply;
  ChatPage page;
  reply.body = youtubeChatListResponse(*broadcast, stream.position, size, stream.parts, page).dump() + "\n";
  reply.chatPage = std::move(page);
  stream.position = size;
  stream.finished = broadcast->chat.ended;
  return reply;
}

// POST /youtube/v3/liveChat/messages?part=snippet
// {"snippet": {"liveChatId", "type": "textMessageEvent", "textMessageDetails": {"messageText"}}}
// The channel owner writes in the chat: the message joins it, and the reply is recorded.
Reply PlatformsState::youtubeInsertChat(const Call& call, const std::smatch& /*match*/) {
  std::vector<std::string> parts = splitList(call.param("part").value_or(""));
  if (parts.empty()) return googleApiError(400, "global", "required", "Required parameter: part");
  if (call.invalidJson) return googleApiError(400, "global", "parseError", "Parse Error");
  if (!call.json || !call.json->is_object()) {
    return googleApiError(400, "global", "required",
                          "The request body must be a JSON object (Content-Type: application/json)");
  }
  const Json snippet = call.json->value("snippet", Json::object());
  std::string chatId = snippet.value("liveChatId", std::string());
  if (chatId.empty()) return googleApiError(400, kDomain, "liveChatIdRequired", "snippet.liveChatId is required.");
  if (snippet.value("type", std::string()) != "textMessageEvent") {
    return googleApiError(400, kDomain, "invalidValue", "snippet.type must be textMessageEvent.");
  }
  auto details = snippet.find("textMessageDetails");
  if (details == snippet.end() || !details->is_object() || !details->contains("messageText")) {
    return googleApiError(400, kDomain, "messageTextRequired", "snippet.textMessageDetails.messageText is required.");
  }
  std::string text = details->value("messageText", std::string());
  YouTubeBroadcast* broadcast = youtubeFindChat(chatId);
  if (broadcast == nullptr) return chatNotFound();
  if (broadcast->chat.ended) return chatEnded();
  if (text.empty() || utf8Length(text) > kMaxMessageLength) {
    return googleApiError(400, kDomain, "messageTextInvalid", "The message text is empty or too long.");
  }
  FakeChatMessage message;
  message.text = text;
  message.fromOwner = true;
  youtubeAddChat(*broadcast, std::move(message));
  chatReplies_.push_back({Platform::youtube, broadcast->id, chatId, text});
  return jsonReply(200, youtubeChatItem(*broadcast, broadcast->chat.events.back(), parts));
}

}  // namespace tribune::testing::fake
