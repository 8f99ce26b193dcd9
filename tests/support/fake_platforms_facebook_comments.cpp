// Facebook's comments on a live video (../shared/research/platform-apis.md §2, "Read
// comments (polling)" and "Reply"): GET /{live-id}/comments with order, live_filter,
// filter, since, limit and cursors; POST /{comment-id}/comments for the Page's reply.
// Both need a Page token. The fake has no low-quality comments to filter: both live_filter
// values answer the same.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>

#include "support/fake_platforms_state.h"

namespace tribune::testing::fake {
namespace {

constexpr int kDefaultLimit = 25;
constexpr int kMaxLimit = 100;
constexpr auto kRateWindow = std::chrono::minutes(1);
constexpr std::string_view kCursorPrefix = "QVFIUm";

Reply needsPageTokenForComments() {
  return graphError(403, 200, std::nullopt,
                    "(#200) Requires pages_read_engagement permission and a Page access token to read and answer "
                    "the comments of the Page's live videos.");
}

Reply invalidParameter(const std::string& message) { return graphError(400, 100, std::nullopt, "(#100) " + message); }

Reply noSuchComment(std::string_view verb, const std::string& id) {
  return graphError(400, 100, 33,
                    "Unsupported " + std::string(verb) + " request. Object with ID '" + id +
                        "' does not exist, cannot be loaded due to missing permissions, or does not support this "
                        "operation.",
                    {}, "GraphMethodException");
}

bool allDigits(const std::string& text) {
  return !text.empty() && text.size() <= 15 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string cursor(long long serial) {
  char text[32];
  std::snprintf(text, sizeof text, "%llx", serial);
  return std::string(kCursorPrefix) + text;
}

std::optional<long long> parseCursor(const std::string& text) {
  if (text.rfind(kCursorPrefix, 0) != 0 || text.size() == kCursorPrefix.size() || text.size() > 24) return std::nullopt;
  std::string digits = text.substr(kCursorPrefix.size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  return std::stoll(digits, nullptr, 16);
}

// "id,from{name,id},message" → {"id", "from{name,id}", "message"}.
std::vector<std::string> splitFields(std::string_view text) {
  std::vector<std::string> fields;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '{') ++depth;
    if (c == '}') --depth;
    if (c == ',' && depth == 0) {
      if (!current.empty()) fields.push_back(current);
      current.clear();
    } else if (c != ' ') {
      current.push_back(c);
    }
  }
  if (!current.empty()) fields.push_back(current);
  return fields;
}

}  // namespace

std::vector<PlatformsState::Route> PlatformsState::facebookCommentRoutes() const {
  std::string prefix = "/facebook/" + escapeRegex(options_.facebookGraphVersion);
  auto route = [&](const char* method, const std::string& path, Handler handler) {
    return Route{Platform::facebook, method, std::regex(prefix + path), "", handler};
  };
  return {
      route("GET", "/([0-9]+)/comments", &PlatformsState::facebookListComments),
      route("POST", "/([0-9]+_[0-9]+)/comments", &PlatformsState::facebookReply),
  };
}

FacebookLive& PlatformsState::facebookLiveOrThrow(const std::string& id) {
  auto found = facebookLives_.find(id);
  if (found == facebookLives_.end()) throw std::invalid_argument("no Facebook live video " + id);
  return found->second;
}

std::string PlatformsState::facebookAddComment(FacebookLive& live, FakeChatMessage message, std::string parentId) {
  FacebookComment comment;
  comment.serial = nextFacebookComment_++;
  comment.id = live.id + "_" + std::to_string(comment.serial);
  auto now = wallNow();
  comment.createdUnix = static_cast<long long>(std::chrono::system_clock::to_time_t(now));
  comment.createdTime = graphTime(now);
  if (message.fromOwner) {
    if (message.authorName.empty()) message.authorName = options_.facebookPageName;
    if (message.authorId.empty()) message.authorId = options_.facebookPageId;
  }
  if (message.authorId.empty()) message.authorId = "1" + randomDigits(15);
  comment.authorName = std::move(message.authorName);
  comment.authorId = std::move(message.authorId);
  comment.hideAuthor = message.hideAuthor;
  comment.message = std::move(message.text);
  comment.parentId = std::move(parentId);
  live.comments.push_back(std::move(comment));
  return live.comments.back().id;
}

// GET /{live-id}/comments?fields=…&order=…&live_filter=…&filter=…&since=…&limit=…&after=…
// (Page token). since keeps the comments created at that second or later; next is there
// only while comments remain after this page. An empty page has no paging, as on Graph.
Reply PlatformsState::facebookListComments(const Call& call, const std::smatch& match) {
  std::string token;
  if (auto refused = facebookGate(call, {TokenKind::facebookUser, TokenKind::facebookPage}, &token)) return *refused;
  std::string liveId = match[1];
  auto found = facebookLives_.find(liveId);
  if (found == facebookLives_.end()) return noSuchComment("get", liveId);
  if (tokens_.at(token).kind != TokenKind::facebookPage) return needsPageTokenForComments();
  const FacebookLive& live = found->second;

  // Fields: id always; from{name,id} may narrow the author's.
  bool wantCreated = false;
  bool wantMessage = false;
  bool wantParent = false;
  std::optional<std::vector<std::string>> fromFields;
  for (const auto& field : splitFields(call.param("fields").value_or("created_time,from,message,id"))) {
    std::string name = field.substr(0, field.find('{'));
    if (name == "id") {
      continue;
    } else if (name == "created_time") {
      wantCreated = true;
    } else if (name == "message") {
      wantMessage = true;
    } else if (name == "parent") {
      wantParent = true;
    } else if (name == "from") {
      std::vector<std::string> sub = {"name", "id"};
      if (field.size() > name.size() + 1 && field.back() == '}') {
        sub = splitList(field.substr(name.size() + 1, field.size() - name.size() - 2));
      }
      for (const auto& item : sub) {
        if (item != "name" && item != "id") {
          return invalidParameter("Tried accessing nonexisting field (" + item + ") on node type (User)");
        }
      }
      fromFields = sub;
    } else {
      return invalidParameter("Tried accessing nonexisting field (" + name + ") on node type (Comment)");
    }
  }
  std::string order = call.param("order").value_or("chronological");
  if (order != "chronological" && order != "reverse_chronological") {
    return invalidParameter("order must be one of the following values: chronological, reverse_chronological");
  }
  std::string liveFilter = call.param("live_filter").value_or("filter_low_quality");
  if (liveFilter != "filter_low_quality" && liveFilter != "no_filter") {
    return invalidParameter("live_filter must be one of the following values: filter_low_quality, no_filter");
  }
  std::string filter = call.param("filter").value_or("toplevel");
  if (filter != "stream" && filter != "toplevel") {
    return invalidParameter("filter must be one of the following values: stream, toplevel");
  }
  long long since = 0;
  if (auto text = call.param("since")) {
    if (!allDigits(*text)) return invalidParameter("since must be a Unix time in seconds");
    since = std::stoll(*text);
  }
  int limit = kDefaultLimit;
  if (auto text = call.param("limit")) {
    if (!allDigits(*text) || std::stoll(*text) == 0) return invalidParameter("limit must be a positive integer");
    limit = static_cast<int>(std::min<long long>(std::stoll(*text), kMaxLimit));
  }
  std::optional<long long> after;
  if (auto text = call.param("after")) {
    after = parseCursor(*text);
    if (!after) return invalidParameter("The after cursor is not valid");
  }

  // Past the rate limit (calls answered in the last minute, every live together): 613.
  std::erase_if(facebookCommentCalls_, [&](Clock::time_point at) { return now_ - at >= kRateWindow; });
  if (options_.facebookCommentsPerMinuteLimit > 0 &&
      static_cast<int>(facebookCommentCalls_.size()) >= options_.facebookCommentsPerMinuteLimit) {
    return graphError(400, 613, std::nullopt, "(#613) Calls to this api have exceeded the rate limit.");
  }

  const bool chronological = order == "chronological";
  std::vector<const FacebookComment*> selected;
  for (const auto& comment : live.comments) {
    if (comment.deleted || comment.createdUnix < since) continue;
    if (filter == "toplevel" && !comment.parentId.empty()) continue;
    if (after && (chronological ? comment.serial <= *after : comment.serial >= *after)) continue;
    selected.push_back(&comment);
  }
  if (!chronological) std::reverse(selected.begin(), selected.end());
  const bool more = selected.size() > static_cast<std::size_t>(limit);
  if (more) selected.resize(static_cast<std::size_t>(limit));

  Json data = Json::array();
  ChatPage page;
  page.platform = Platform::facebook;
  for (const FacebookComment* comment : selected) {
    Json item = Json::object();
    if (wantCreated) item["created_time"] = comment->createdTime;
    if (fromFields && !comment->hideAuthor) {
      Json from = Json::object();
      if (contains(*fromFields, "name")) from["name"] = comment->authorName;
      if (contains(*fromFields, "id")) from["id"] = comment->authorId;
      item["from"] = std::move(from);
    }
    if (wantMessage) item["message"] = comment->message;
    if (wantParent && !comment->parentId.empty()) item["parent"] = {{"id", comment->parentId}};
    item["id"] = comment->id;
    data.push_back(std::move(item));
    page.messageIds.push_back(comment->id);
  }
  Json answer = {{"data", std::move(data)}};
  if (!selected.empty()) {
    Json paging = {
        {"cursors", {{"before", cursor(selected.front()->serial)}, {"after", cursor(selected.back()->serial)}}}};
    if (more) {
      std::string next = baseUrl_ + "/facebook/" + options_.facebookGraphVersion + "/" + liveId + "/comments?";
      for (const auto& [name, value] : call.query) {
        if (name != "after") next += percentEncode(name) + "=" + percentEncode(value) + "&";
      }
      paging["next"] = next + "after=" + cursor(selected.back()->serial);
    }
    answer["paging"] = std::move(paging);
  }
  facebookCommentCalls_.push_back(now_);
  Reply reply = jsonReply(200, answer);
  reply.chatPage = std::move(page);
  return reply;
}

// POST /{comment-id}/comments (message; Page token) → {"id"}: the Page answers a comment.
// The reply is one of the live's comments (filter=stream shows it, from the Page).
Reply PlatformsState::facebookReply(const Call& call, const std::smatch& match) {
  std::string token;
  if (auto refused = facebookGate(call, {TokenKind::facebookUser, TokenKind::facebookPage}, &token)) return *refused;
  std::string commentId = match[1];
  std::string liveId = commentId.substr(0, commentId.find('_'));
  auto live = facebookLives_.find(liveId);
  if (live == facebookLives_.end()) return noSuchComment("post", commentId);
  auto& comments = live->second.comments;
  auto comment = std::find_if(comments.begin(), comments.end(),
                              [&](const FacebookComment& item) { return item.id == commentId && !item.deleted; });
  if (comment == comments.end()) return noSuchComment("post", commentId);
  if (tokens_.at(token).kind != TokenKind::facebookPage) return needsPageTokenForComments();
  std::string message = call.param("message").value_or("");
  if (message.empty()) return invalidParameter("Missing message or attachment");
  FakeChatMessage reply;
  reply.text = message;
  reply.fromOwner = true;
  std::string id = facebookAddComment(live->second, std::move(reply), commentId);
  chatReplies_.push_back({Platform::facebook, liveId, commentId, message});
  return jsonReply(200, {{"id", id}});
}

}  // namespace tribune::testing::fake
