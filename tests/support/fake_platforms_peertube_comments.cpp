// PeerTube's comments on a video (../shared/research/platform-apis.md §4): the threads
// (public, no token) with start/count/sort, and a reply by the commune's account. A
// deleted comment stays in its place as PeerTube keeps it: isDeleted, text "", no account.
#include <algorithm>
#include <stdexcept>

#include "support/fake_platforms_state.h"

namespace tribune::testing::fake {
namespace {

constexpr int kDefaultCount = 10;
constexpr int kMaxCount = 100;
constexpr int kOwnerAccountId = 3;  // as GET /users/me gives it
constexpr std::string_view kOwnerDisplayName = "Mairie";

Reply invalidQuery(const std::string& name, const std::string& value, const std::string& message) {
  return peertubeProblem(
      400, "", "Incorrect request parameters: " + name,
      {{"invalid-params", {{name, {{"value", value}, {"msg", message}, {"param", name}, {"location", "query"}}}}}});
}

std::optional<int> parseCount(const std::optional<std::string>& text, int fallback, int high) {
  if (!text) return fallback;
  if (text->empty() || text->size() > 6 ||
      !std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int value = std::stoi(*text);
  if (value > high) return std::nullopt;
  return value;
}

}  // namespace

std::vector<PlatformsState::Route> PlatformsState::peertubeCommentRoutes() const {
  auto route = [](const char* method, const char* path, Handler handler) {
    return Route{Platform::peertube, method, std::regex(std::string("/peertube/api/v1") + path), "", handler};
  };
  return {
      route("GET", "/videos/([^/]+)/comment-threads", &PlatformsState::peertubeListThreads),
      route("POST", "/videos/([^/]+)/comments/([0-9]+)", &PlatformsState::peertubeReply),
  };
}

PeerTubeLive& PlatformsState::peertubeLiveOrThrow(const std::string& id) {
  PeerTubeLive* live = peertubeFind(id);
  if (live == nullptr) throw std::invalid_argument("no PeerTube live " + id);
  return *live;
}

PeerTubeComment& PlatformsState::peertubeAddComment(PeerTubeLive& live, FakeChatMessage message,
                                                    std::optional<int> inReplyTo) {
  const std::string localHost = baseUrl_.substr(baseUrl_.find("://") + 3);
  PeerTubeComment comment;
  comment.id = nextPeertubeComment_++;
  comment.inReplyTo = inReplyTo;
  comment.threadId = comment.id;
  if (inReplyTo) {
    for (const auto& other : live.comments) {
      if (other.id == *inReplyTo) comment.threadId = other.threadId;
    }
  }
  comment.text = std::move(message.text);
  comment.createdAt = isoUtcMillis(wallNow());
  comment.fromOwner = message.fromOwner;
  if (message.fromOwner) {
    comment.accountName = options_.peertubeUsername;
    comment.accountHost = localHost;
    comment.displayName = message.authorName.empty() ? std::string(kOwnerDisplayName) : message.authorName;
    comment.accountId = kOwnerAccountId;
  } else {
    std::string name =
        message.authorId.empty() ? "viewer_" + randomText(6, "abcdefghijklmnopqrstuvwxyz") : message.authorId;
    std::size_t at = name.find('@');
    comment.accountName = name.substr(0, at);
    comment.accountHost = at == std::string::npos ? localHost : name.substr(at + 1);
    comment.displayName = message.authorName.empty() ? comment.accountName : message.authorName;
    std::string key = comment.accountName + "@" + comment.accountHost;
    auto known = peertubeAccountIds_.find(key);
    if (known == peertubeAccountIds_.end()) {
      known = peertubeAccountIds_.emplace(key, static_cast<int>(100 + peertubeAccountIds_.size())).first;
    }
    comment.accountId = known->second;
  }
  live.comments.push_back(std::move(comment));
  return live.comments.back();
}

Json PlatformsState::peertubeCommentJson(const PeerTubeLive& live, const PeerTubeComment& comment) const {
  const bool deleted = !comment.deletedAt.empty();
  int replies = 0;
  int fromAuthor = 0;
  for (const auto& other : live.comments) {
    if (other.threadId != comment.id || other.id == comment.id || !other.deletedAt.empty()) continue;
    ++replies;
    if (other.fromOwner) ++fromAuthor;
  }
  Json account = nullptr;
  if (!deleted) {
    const bool local = baseUrl_.find(comment.accountHost) != std::string::npos;
    account = {{"id", comment.accountId},
               {"name", comment.accountName},
               {"displayName", comment.displayName},
               {"host", comment.accountHost},
               {"url", local ? baseUrl_ + "/peertube/accounts/" + comment.accountName
                             : "https://" + comment.accountHost + "/accounts/" + comment.accountName}};
  }
  return {{"id", comment.id},
          {"url", baseUrl_ + "/peertube/videos/watch/" + live.uuid + ";threadId=" + std::to_string(comment.threadId)},
          {"text", deleted ? std::string() : comment.text},
          {"threadId", comment.threadId},
          {"inReplyToCommentId", comment.inReplyTo ? Json(*comment.inReplyTo) : Json(nullptr)},
          {"videoId", live.id},
          {"createdAt", comment.createdAt},
          {"updatedAt", deleted ? comment.deletedAt : comment.createdAt},
          {"deletedAt", deleted ? Json(comment.deletedAt) : Json(nullptr)},
          {"isDeleted", deleted},
          {"totalRepliesFromVideoAuthor", fromAuthor},
          {"totalReplies", replies},
          {"account", account}};
}

// GET /videos/{id}/comment-threads?start=0&count=10&sort=-createdAt|createdAt (no token):
// the threads (comments that answer none), deleted ones included. total counts the
// threads; totalNotDeletedComments every comment not deleted, replies included.
Reply PlatformsState::peertubeListThreads(const Call& call, const std::smatch& match) {
  PeerTubeLive* live = peertubeFind(match[1]);
  if (live == nullptr) return peertubeProblem(404, "", "Video not found");
  auto start = parseCount(call.param("start"), 0, 1'000'000);
  if (!start) return invalidQuery("start", call.param("start").value_or(""), "Should have a number start");
  auto count = parseCount(call.param("count"), kDefaultCount, kMaxCount);
  if (!count) return invalidQuery("count", call.param("count").value_or(""), "Should have a number count (max 100)");
  std::string sort = call.param("sort").value_or("-createdAt");
  if (sort != "-createdAt" && sort != "createdAt")
    return invalidQuery("sort", sort, "Should have correct sortable column");

  std::vector<const PeerTubeComment*> threads;
  int notDeleted = 0;
  for (const auto& comment : live->comments) {
    if (comment.deletedAt.empty()) ++notDeleted;
    if (!comment.inReplyTo) threads.push_back(&comment);
  }
  if (sort == "-createdAt") std::reverse(threads.begin(), threads.end());
  Json data = Json::array();
  ChatPage page;
  page.platform = Platform::peertube;
  for (std::size_t at = static_cast<std::size_t>(*start);
       at < threads.size() && at < static_cast<std::size_t>(*start + *count); ++at) {
    data.push_back(peertubeCommentJson(*live, *threads[at]));
    if (threads[at]->deletedAt.empty()) page.messageIds.push_back(std::to_string(threads[at]->id));
  }
  Reply reply =
      jsonReply(200, {{"total", threads.size()}, {"totalNotDeletedComments", notDeleted}, {"data", std::move(data)}});
  reply.chatPage = std::move(page);
  return reply;
}

// POST /videos/{id}/comments/{commentId} {"text"} (Bearer) → {"comment": {…}}: the commune
// answers a comment.
Reply PlatformsState::peertubeReply(const Call& call, const std::smatch& match) {
  if (auto refused = peertubeGate(call)) return *refused;
  PeerTubeLive* live = peertubeFind(match[1]);
  if (live == nullptr) return peertubeProblem(404, "", "Video not found");
  const std::string commentId = match[2];
  if (std::none_of(live->comments.begin(), live->comments.end(),
                   [&](const PeerTubeComment& comment) { return std::to_string(comment.id) == commentId; })) {
    return peertubeProblem(404, "", "Video comment thread not found");
  }
  std::string text = call.param("text").value_or("");
  if (text.empty() || utf8Length(text) > 10000) {
    return peertubeProblem(400, "", "Incorrect request parameters: text",
                           {{"invalid-params",
                             {{"text",
                               {{"value", text},
                                {"msg", "Should have a valid comment text"},
                                {"param", "text"},
                                {"location", "body"}}}}}});
  }
  FakeChatMessage message;
  message.text = text;
  message.fromOwner = true;
  const PeerTubeComment& reply = peertubeAddComment(*live, std::move(message), std::stoi(commentId));
  chatReplies_.push_back({Platform::peertube, std::to_string(live->id), commentId, text});
  return jsonReply(200, {{"comment", peertubeCommentJson(*live, reply)}});
}

}  // namespace tribune::testing::fake
