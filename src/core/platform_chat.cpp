#include "core/platform_chat.h"

#include "core/text_screen.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

namespace tribune::core {
namespace {

using Json = nlohmann::json;
// The reply body keeps the documented order of its fields: easier to compare with a capture.
using OrderedJson = nlohmann::ordered_json;

// The answers read here are four levels deep; nothing recursive should walk a hostile tree.
constexpr int kMaxAnswerDepth = 32;
// One streamList response holds at most 2000 messages of at most a few hundred bytes each:
// an unfinished object longer than this is not one, and waiting for its end would only
// grow the buffer.
constexpr std::size_t kMaxStreamObjectBytes = std::size_t{16} * 1024 * 1024;
// The years a chat message can be dated (see parseChatTime).
constexpr int kFirstChatYear = 1970;
constexpr int kLastChatYear = 2200;
constexpr std::string_view kFacebookAnonymous = "Utilisateur Facebook";
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// ---------------------------------------------------------------------------------------
// JSON, read without exceptions: every accessor checks the type first.

// The body as a JSON value, or nothing when it is not JSON or nested too deep.
std::optional<Json> parsedJson(std::string_view body) {
  bool tooDeep = false;
  auto document = Json::parse(
      body.begin(), body.end(),
      [&tooDeep](int depth, Json::parse_event_t event, Json& /*parsed*/) {
        const bool opens = event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
        if (opens && depth >= kMaxAnswerDepth) tooDeep = true;
        return !tooDeep;
      },
      false);
  if (document.is_discarded() || tooDeep) return std::nullopt;
  return document;
}

const Json* member(const Json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(name);
  return found == object.end() || found->is_null() ? nullptr : &*found;
}

const Json* objectMember(const Json& object, const char* name) {
  const Json* value = member(object, name);
  return value != nullptr && value->is_object() ? value : nullptr;
}

std::optional<std::string> stringMember(const Json& object, const char* name) {
  const Json* value = member(object, name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

bool trueMember(const Json& object, const char* name) {
  const Json* value = member(object, name);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

// Letters, digits, '-' and '_': an id that can go into a request path as it is.
bool isIdCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}
bool pathSafe(std::string_view id) { return !id.empty() && std::all_of(id.begin(), id.end(), isIdCharacter); }

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool allDigits(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), isDigit); }

char lowered(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool sameIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lowered(x) == lowered(y); });
}
bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && sameIgnoringCase(text.substr(0, prefix.size()), prefix);
}

ChatParse failed(std::string error) { return {std::nullopt, std::move(error)}; }

// The envelope of an answer: an object with a list under `listName`, or why not.
struct Envelope {
  std::optional<Json> document;
  const Json* list = nullptr;
  std::string error;
};
Envelope envelope(std::string_view body, std::string_view platform, const char* listName) {
  Envelope result;
  const std::string prefix = "réponse de " + std::string(platform) + " illisible : ";
  result.document = parsedJson(body);
  if (!result.document) {
    result.error = prefix + "ce n'est pas du JSON (ou il est imbriqué trop profondément)";
  } else if (!result.document->is_object()) {
    result.error = prefix + "ce n'est pas un objet JSON";
  } else if (const auto found = result.document->find(listName); found == result.document->end()) {
    result.error = prefix + "« " + listName + " » manque";
  } else if (!found->is_array()) {
    result.error = prefix + "« " + listName + " » n'est pas une liste";
  } else {
    result.list = &*found;
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// Times: "2026-12-03T18:30:00" with an optional fraction, then "Z", "+0000" or "+01:00".

struct Reader {
  std::string_view text;
  std::size_t at = 0;

  [[nodiscard]] bool done() const { return at == text.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : text[at]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++at;
    return true;
  }
  // Exactly `count` digits, as a number.
  std::optional<int> digits(std::size_t count) {
    if (text.size() - at < count) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text[at + i];
      if (!isDigit(c)) return std::nullopt;
      value = value * 10 + (c - '0');
    }
    at += count;
    return value;
  }
};

// The offset east of UTC in minutes, or nothing.
std::optional<int> utcOffsetMinutes(Reader& reader) {
  if (reader.take('Z')) return 0;
  const char sign = reader.peek();
  if (sign != '+' && sign != '-') return std::nullopt;
  ++reader.at;
  const auto hours = reader.digits(2);
  reader.take(':');  // "+01:00" and "+0100" alike
  const auto minutes = reader.digits(2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  const int offset = *hours * 60 + *minutes;
  return sign == '-' ? -offset : offset;
}

// ---------------------------------------------------------------------------------------
// UTF-8.

void appendCodePoint(std::string& out, std::uint32_t code) {
  const bool valid = code != 0 && code <= 0x10FFFFU && (code < 0xD800U || code > 0xDFFFU);
  if (!valid) {
    out += kReplacementCharacter;
  } else if (code < 0x80U) {
    out += static_cast<char>(code);
  } else if (code < 0x800U) {
    out += static_cast<char>(0xC0U | (code >> 6U));
    out += static_cast<char>(0x80U | (code & 0x3FU));
  } else if (code < 0x10000U) {
    out += static_cast<char>(0xE0U | (code >> 12U));
    out += static_cast<char>(0x80U | ((code >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (code & 0x3FU));
  } else {
    out += static_cast<char>(0xF0U | (code >> 18U));
    out += static_cast<char>(0x80U | ((code >> 12U) & 0x3FU));
    out += static_cast<char>(0x80U | ((code >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (code & 0x3FU));
  }
}

// ---------------------------------------------------------------------------------------
// HTML as text.

bool isHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool isAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The tags after which the text goes on on a new line.
constexpr std::array kLineBreakingTags = {"br", "/p", "/div", "/li", "/blockquote"};
// The tags whose content is not text at all.
constexpr std::array kContentlessTags = {"script", "style"};

// Builds the text: blanks of the source collapse to one space, as a browser shows them;
// line breaks come from tags only.
class TextBuilder {
 public:
  void blank() { pendingSpace_ = true; }
  void lineBreak() {
    pendingSpace_ = false;
    while (!text_.empty() && text_.back() == ' ') text_.pop_back();
    // At most one blank line in a row, and none at the start.
    if (text_.empty() || text_.ends_with("\n\n")) return;
    text_ += '\n';
  }
  void append(std::string_view characters) {
    if (pendingSpace_ && !text_.empty() && text_.back() != '\n') text_ += ' ';
    pendingSpace_ = false;
    text_ += characters;
  }
  std::string finish() && {
    while (!text_.empty() && (text_.back() == '\n' || text_.back() == ' ')) text_.pop_back();
    return std::move(text_);
  }

 private:
  std::string text_;
  bool pendingSpace_ = false;
};

// "&amp;", "&#233;", "&#xE9;" at the start of `html`: how many bytes it takes and what it
// stands for, or 0 when it is not one of those: then the '&' is text, and any other named
// entity stays as written; "&nbsp;" is a space (PeerTube's markdown renderer writes it).
std::size_t decodeEntity(std::string_view html, std::string& out) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kNamed = {{
      {"&amp;", "&"},
      {"&nbsp;", " "},
      {"&lt;", "<"},
      {"&gt;", ">"},
      {"&quot;", "\""},
  }};
  for (const auto& [entity, character] : kNamed) {
    if (html.starts_with(entity)) {
      out += character;
      return entity.size();
    }
  }
  if (!html.starts_with("&#")) return 0;
  std::size_t at = 2;
  const bool hex = at < html.size() && (html[at] == 'x' || html[at] == 'X');
  if (hex) ++at;
  const std::size_t first = at;
  std::uint32_t code = 0;
  for (; at < html.size(); ++at) {
    const char c = html[at];
    std::uint32_t digit = 0;
    if (isDigit(c)) {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (hex && lowered(c) >= 'a' && lowered(c) <= 'f') {
      digit = static_cast<std::uint32_t>(lowered(c) - 'a' + 10);
    } else {
      break;
    }
    // Past U+10FFFF it is invalid whatever follows: stop growing (no overflow).
    code = std::min<std::uint32_t>(code * (hex ? 16U : 10U) + digit, 0x110000U);
  }
  if (at == first || at == html.size() || html[at] != ';') return 0;
  appendCodePoint(out, code);
  return at + 1;
}

// Where the tag that starts at `html[0]` ('<') ends (just past its '>'), quoted attribute
// values included, or npos.
std::size_t tagEnd(std::string_view html) {
  char quote = '\0';
  for (std::size_t at = 1; at < html.size(); ++at) {
    const char c = html[at];
    if (quote != '\0') {
      if (c == quote) quote = '\0';
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return at + 1;
    }
  }
  return std::string_view::npos;
}

// "br", "/p", "script": the tag's name in lower case, '/' kept for an end tag.
std::string tagName(std::string_view tag) {
  std::string name;
  std::size_t at = 1;
  if (at < tag.size() && tag[at] == '/') {
    name += '/';
    ++at;
  }
  for (; at < tag.size() && (isAsciiLetter(tag[at]) || isDigit(tag[at])); ++at) name += lowered(tag[at]);
  return name;
}

// Where the content of a <script> or <style> ends: just past its end tag, or the end.
std::size_t contentEnd(std::string_view html, std::string_view name) {
  for (std::size_t at = html.find("</"); at != std::string_view::npos; at = html.find("</", at + 2)) {
    const auto rest = html.substr(at + 2);
    if (!startsWithIgnoringCase(rest, name)) continue;
    const auto after = rest.substr(name.size());
    if (!after.empty() && !isHtmlSpace(after.front()) && after.front() != '>' && after.front() != '/') continue;
    const auto end = tagEnd(html.substr(at));
    return end == std::string_view::npos ? html.size() : at + end;
  }
  return html.size();
}

// ---------------------------------------------------------------------------------------
// Addresses.

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && isBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && isBlank(text.back())) text.remove_suffix(1);
  return text;
}

struct Address {
  std::string_view host;                   // as written (compare ignoring case), port included
  std::vector<std::string_view> segments;  // the path's, without empty ones at the end
  std::string_view query;                  // without '?'
};

// "https://www.youtube.com/watch?v=ID#t=3": an address, or nothing when there is no host.
// The scheme may be left out, as in "youtu.be/ID".
std::optional<Address> splitAddress(std::string_view text) {
  if (startsWithIgnoringCase(text, "https://")) {
    text.remove_prefix(8);
  } else if (startsWithIgnoringCase(text, "http://")) {
    text.remove_prefix(7);
  } else if (text.find("://") != std::string_view::npos) {
    return std::nullopt;
  }
  text = text.substr(0, text.find('#'));
  Address address;
  if (const auto question = text.find('?'); question != std::string_view::npos) {
    address.query = text.substr(question + 1);
    text = text.substr(0, question);
  }
  const auto slash = text.find('/');
  address.host = text.substr(0, slash);
  if (address.host.empty()) return std::nullopt;
  std::string_view path = slash == std::string_view::npos ? std::string_view() : text.substr(slash + 1);
  while (!path.empty()) {
    const auto end = path.find('/');
    address.segments.push_back(path.substr(0, end));
    path = end == std::string_view::npos ? std::string_view() : path.substr(end + 1);
  }
  // One trailing slash ("…/videos/123/") leaves an empty last segment; empty ones inside
  // ("a//b") are kept and then match nothing.
  while (!address.segments.empty() && address.segments.back().empty()) address.segments.pop_back();
  return address;
}

// The value of `name` in a query ("v=ID&t=10s"), or nothing.
std::optional<std::string_view> queryValue(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto end = query.find('&');
    const auto pair = query.substr(0, end);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) return pair.substr(equals + 1);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
  }
  return std::nullopt;
}

// "www.youtube.com", "m.youtube.com" and "youtube.com" are the same site.
bool isHost(std::string_view host, std::string_view site) {
  if (startsWithIgnoringCase(host, "www.")) {
    host.remove_prefix(4);
  } else if (startsWithIgnoringCase(host, "m.")) {
    host.remove_prefix(2);
  }
  return sameIgnoringCase(host, site);
}

bool isYouTubeId(std::string_view id) { return id.size() == 11 && pathSafe(id); }
// Facebook's ids are 15 to 17 digits today; the bound keeps any number that could be one.
bool isFacebookId(std::string_view id) { return id.size() <= 32 && allDigits(id); }
// A PeerTube short UUID (22 characters) or UUID (36).
bool isPeerTubeId(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](char c) { return isAsciiLetter(c) || isDigit(c) || c == '-'; });
}

std::optional<std::string> kept(std::string_view id, bool valid) {
  return valid ? std::optional<std::string>(std::string(id)) : std::nullopt;
}

std::optional<std::string> youTubeLive(const Address& address) {
  const auto& path = address.segments;
  if (isHost(address.host, "youtu.be")) return path.size() == 1 ? kept(path[0], isYouTubeId(path[0])) : std::nullopt;
  if (!isHost(address.host, "youtube.com")) return std::nullopt;
  if (path.size() == 1 && path[0] == "watch") {
    const auto id = queryValue(address.query, "v");
    return id ? kept(*id, isYouTubeId(*id)) : std::nullopt;
  }
  if (path.size() == 2 && path[0] == "live") return kept(path[1], isYouTubeId(path[1]));
  return std::nullopt;
}

std::optional<std::string> facebookLive(const Address& address) {
  if (!isHost(address.host, "facebook.com")) return std::nullopt;
  const auto& path = address.segments;
  // "/{page}/videos/{id}", also "/{page}/videos/{title}/{id}" as older links have it.
  const bool underVideos = path.size() >= 2 && std::find(path.begin(), path.end() - 1, "videos") != path.end() - 1;
  if (underVideos) return kept(path.back(), isFacebookId(path.back()));
  // "/watch/?v={id}" and "/watch/live/?v={id}", what the share button gives for a live.
  const bool watch =
      (path.size() == 1 && path[0] == "watch") || (path.size() == 2 && path[0] == "watch" && path[1] == "live");
  if (!watch) return std::nullopt;
  const auto id = queryValue(address.query, "v");
  return id ? kept(*id, isFacebookId(*id)) : std::nullopt;
}

std::optional<std::string> peerTubeLive(const Address& address) {
  const auto& path = address.segments;
  if (path.size() == 2 && path[0] == "w") return kept(path[1], isPeerTubeId(path[1]));
  if (path.size() == 3 && path[0] == "videos" && path[1] == "watch") return kept(path[2], isPeerTubeId(path[2]));
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// YouTube's items.

// A millisecond count that fits: an integer, or a finite decimal number, not negative.
std::optional<std::chrono::milliseconds> millisecondsOf(const Json& value) {
  // Ten years: anything longer is not an interval to wait.
  constexpr double kLongest = 10.0 * 365 * 24 * 3600 * 1000;
  if (value.is_number_unsigned()) {
    const auto count = value.get<std::uint64_t>();
    if (count > static_cast<std::uint64_t>(kLongest)) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(count));
  }
  if (value.is_number_integer()) return std::nullopt;  // signed: negative
  if (!value.is_number_float()) return std::nullopt;
  const double count = value.get<double>();
  if (!(count >= 0.0 && count <= kLongest)) return std::nullopt;  // NaN fails too
  return std::chrono::milliseconds(static_cast<std::int64_t>(count));
}

std::optional<ChatMessage> youTubeMessage(const Json& item, const Json& snippet, std::string_view ownerChannelId) {
  const auto id = stringMember(item, "id");
  const Json* author = objectMember(item, "authorDetails");
  const Json* details = objectMember(snippet, "textMessageDetails");
  auto text = details != nullptr ? stringMember(*details, "messageText") : std::nullopt;
  if (!text) text = stringMember(snippet, "displayMessage");
  const auto published = stringMember(snippet, "publishedAt");
  const auto when = published ? parseChatTime(*published) : std::nullopt;
  if (!id || id->empty() || author == nullptr || !text || text->empty() || !when) return std::nullopt;
  const auto channelId = stringMember(*author, "channelId");
  const auto name = stringMember(*author, "displayName");
  if (!channelId || channelId->empty() || !name) return std::nullopt;
  ChatMessage message;
  message.platform = PlatformId::youtube;
  message.id = *id;
  message.authorName = *name;
  message.authorId = *channelId;
  message.text = std::move(*text);
  message.publishedAt = *when;
  message.fromOwner = trueMember(*author, "isChatOwner") || (!ownerChannelId.empty() && *channelId == ownerChannelId);
  return message;
}

void readYouTubeItem(const Json& item, std::string_view ownerChannelId, ChatPage& page) {
  const Json* snippet = objectMember(item, "snippet");
  const auto type = snippet != nullptr ? stringMember(*snippet, "type") : std::nullopt;
  if (!type) return;
  if (*type == "textMessageEvent") {
    if (auto message = youTubeMessage(item, *snippet, ownerChannelId)) page.messages.push_back(std::move(*message));
  } else if (*type == "messageDeletedEvent") {
    const Json* details = objectMember(*snippet, "messageDeletedDetails");
    auto deleted = details != nullptr ? stringMember(*details, "deletedMessageId") : std::nullopt;
    if (deleted && !deleted->empty()) page.deletedIds.push_back(std::move(*deleted));
  } else if (*type == "chatEndedEvent") {
    page.ended = true;
  }
}

// ---------------------------------------------------------------------------------------
// Facebook's and PeerTube's items.

std::optional<ChatMessage> facebookComment(const Json& comment, std::string_view pageId) {
  const auto id = stringMember(comment, "id");
  auto text = stringMember(comment, "message");
  const auto created = stringMember(comment, "created_time");
  const auto when = created ? parseChatTime(*created) : std::nullopt;
  if (!id || !pathSafe(*id) || !text || text->empty() || !when) return std::nullopt;
  ChatMessage message;
  message.platform = PlatformId::facebook;
  message.id = *id;
  message.authorName = kFacebookAnonymous;
  message.text = std::move(*text);
  message.publishedAt = *when;
  if (const Json* from = member(comment, "from")) {
    if (!from->is_object()) return std::nullopt;
    if (auto name = stringMember(*from, "name"); name && !name->empty()) message.authorName = std::move(*name);
    if (auto authorId = stringMember(*from, "id"); authorId && pathSafe(*authorId)) {
      message.authorId = std::move(*authorId);
    }
  }
  message.fromOwner = !pageId.empty() && message.authorId == pageId;
  return message;
}

// "name@host" is the owner when it is `ownerAccount` (the host's case aside), or when the
// owner is given by name alone and the names are the same.
bool isPeerTubeOwner(std::string_view name, std::string_view host, std::string_view ownerAccount) {
  const auto at = ownerAccount.find('@');
  if (at == std::string_view::npos) return !ownerAccount.empty() && name == ownerAccount;
  return name == ownerAccount.substr(0, at) && sameIgnoringCase(host, ownerAccount.substr(at + 1));
}

std::optional<std::string> peerTubeId(const Json& comment) {
  const Json* id = member(comment, "id");
  if (id == nullptr) return std::nullopt;
  if (id->is_number_unsigned()) return std::to_string(id->get<std::uint64_t>());
  if (id->is_string() && pathSafe(id->get_ref<const std::string&>())) return id->get<std::string>();
  return std::nullopt;
}

std::optional<ChatMessage> peerTubeComment(const Json& comment, std::string_view ownerAccount) {
  // Deleted, or held for the instance's moderation (not public: not a viewer's question yet).
  if (trueMember(comment, "isDeleted") || trueMember(comment, "heldForReview")) return std::nullopt;
  const auto id = peerTubeId(comment);
  const auto html = stringMember(comment, "text");
  const auto created = stringMember(comment, "createdAt");
  const auto when = created ? parseChatTime(*created) : std::nullopt;
  const Json* account = objectMember(comment, "account");
  if (!id || !html || !when || account == nullptr) return std::nullopt;
  const auto name = stringMember(*account, "name");
  const auto host = stringMember(*account, "host");
  if (!name || name->empty() || !host || host->empty()) return std::nullopt;
  auto text = htmlToText(*html);
  if (text.empty()) return std::nullopt;
  ChatMessage message;
  message.platform = PlatformId::peertube;
  message.id = *id;
  const auto displayName = stringMember(*account, "displayName");
  message.authorName = displayName && !displayName->empty() ? *displayName : *name;
  message.authorId = *name + "@" + *host;
  message.text = std::move(text);
  message.publishedAt = *when;
  message.fromOwner = isPeerTubeOwner(*name, *host, ownerAccount);
  return message;
}

}  // namespace

// ---------------------------------------------------------------------------------------

ChatParse parseYouTubeChatPage(std::string_view body, std::string_view ownerChannelId) {
  const auto answer = envelope(body, "YouTube", "items");
  if (answer.list == nullptr) return failed(answer.error);
  const Json& document = *answer.document;
  ChatPage page;
  if (const Json* token = member(document, "nextPageToken")) {
    if (!token->is_string()) return failed("réponse de YouTube illisible : « nextPageToken » n'est pas un texte");
    page.nextPageToken = token->get<std::string>();
  }
  if (const Json* interval = member(document, "pollingIntervalMillis")) {
    page.pollingInterval = millisecondsOf(*interval);
    if (!page.pollingInterval) {
      return failed("réponse de YouTube illisible : « pollingIntervalMillis » n'est pas une durée en millisecondes");
    }
  }
  page.ended = member(document, "offlineAt") != nullptr;
  for (const Json& item : *answer.list) readYouTubeItem(item, ownerChannelId, page);
  return {std::move(page), {}};
}

ChatStreamParse parseYouTubeChatStream(std::string_view bytes, std::string_view ownerChannelId) {
  ChatStreamParse result;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const char c = bytes[at];
    // Between two objects: blanks (NDJSON's line feeds among them), and the brackets and
    // commas of a streamed JSON array, the framing Google's REST gateways give other
    // server-streaming methods: should streamList come that way, it reads the same.
    if (isBlank(c) || c == ',' || c == '[' || c == ']') {
      ++at;
      continue;
    }
    if (c != '{') {
      result.error = "flux de YouTube illisible : un caractère inattendu entre deux réponses";
      return result;
    }
    // One object: its end is where the braces and brackets outside strings balance.
    const std::size_t start = at;
    std::size_t depth = 0;
    bool inString = false;
    bool escaped = false;
    std::size_t end = std::string_view::npos;
    for (; at < bytes.size(); ++at) {
      const char d = bytes[at];
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (d == '\\') {
          escaped = true;
        } else if (d == '"') {
          inString = false;
        }
      } else if (d == '"') {
        inString = true;
      } else if (d == '{' || d == '[') {
        ++depth;
      } else if ((d == '}' || d == ']') && --depth == 0) {
        end = at + 1;
        break;
      }
    }
    if (end == std::string_view::npos) {
      if (bytes.size() - start > kMaxStreamObjectBytes) {
        result.error = "flux de YouTube illisible : une réponse de plus de 16 Mio";
      } else {
        result.rest = std::string(bytes.substr(start));
      }
      return result;
    }
    auto page = parseYouTubeChatPage(bytes.substr(start, end - start), ownerChannelId);
    if (!page.page) {
      result.error = std::move(page.error);
      return result;
    }
    result.pages.push_back(std::move(*page.page));
    at = end;
  }
  return result;
}

ChatParse parseFacebookComments(std::string_view body, std::string_view pageId) {
  constexpr std::string_view kPrefix = "réponse de Facebook illisible : ";
  const auto answer = envelope(body, "Facebook", "data");
  if (answer.list == nullptr) return failed(answer.error);
  ChatPage page;
  if (const Json* paging = member(*answer.document, "paging")) {
    if (!paging->is_object()) return failed(std::string(kPrefix) + "« paging » n'est pas un objet");
    if (member(*paging, "next") != nullptr) {
      const Json* cursors = objectMember(*paging, "cursors");
      auto after = cursors != nullptr ? stringMember(*cursors, "after") : std::nullopt;
      if (!after || after->empty()) return failed(std::string(kPrefix) + "« paging.cursors.after » manque");
      page.nextPageToken = std::move(*after);
    }
  }
  for (const Json& comment : *answer.list) {
    if (auto message = facebookComment(comment, pageId)) page.messages.push_back(std::move(*message));
  }
  return {std::move(page), {}};
}

ChatParse parsePeerTubeComments(std::string_view body, std::string_view ownerAccount) {
  constexpr std::string_view kPrefix = "réponse de PeerTube illisible : ";
  const auto answer = envelope(body, "PeerTube", "data");
  if (answer.list == nullptr) return failed(answer.error);
  ChatPage page;
  const Json* total = member(*answer.document, "total");
  if (total == nullptr) return failed(std::string(kPrefix) + "« total » manque");
  if (!total->is_number_unsigned() || total->get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max()) {
    return failed(std::string(kPrefix) + "« total » n'est pas un nombre entier positif");
  }
  page.total = static_cast<std::int64_t>(total->get<std::uint64_t>());
  for (const Json& comment : *answer.list) {
    if (auto message = peerTubeComment(comment, ownerAccount)) page.messages.push_back(std::move(*message));
  }
  return {std::move(page), {}};
}

std::string htmlToText(std::string_view html) {
  TextBuilder text;
  std::size_t at = 0;
  while (at < html.size()) {
    const auto rest = html.substr(at);
    const char c = rest.front();
    if (c == '<' && rest.starts_with("<!--")) {
      const auto close = rest.find("-->", 4);
      at = close == std::string_view::npos ? html.size() : at + close + 3;
    } else if (c == '<' && rest.size() > 1 && (isAsciiLetter(rest[1]) || rest[1] == '/' || rest[1] == '!')) {
      const auto end = tagEnd(rest);
      if (end == std::string_view::npos) break;  // a tag cut short: what follows is inside it
      const auto name = tagName(rest.substr(0, end));
      at += end;
      if (std::find(kLineBreakingTags.begin(), kLineBreakingTags.end(), name) != kLineBreakingTags.end()) {
        text.lineBreak();
      } else if (std::find(kContentlessTags.begin(), kContentlessTags.end(), name) != kContentlessTags.end() &&
                 !rest.substr(0, end).ends_with("/>")) {
        at += contentEnd(html.substr(at), name);
      }
    } else if (c == '&') {
      std::string decoded;
      const auto used = decodeEntity(rest, decoded);
      text.append(used == 0 ? std::string_view("&") : std::string_view(decoded));
      at += used == 0 ? 1 : used;
    } else if (isHtmlSpace(c)) {
      text.blank();
      ++at;
    } else {
      const auto length = utf8SequenceLength(rest);
      text.append(length == 0 ? kReplacementCharacter : rest.substr(0, length));
      at += length == 0 ? 1 : length;
    }
  }
  return std::move(text).finish();
}

std::optional<WallTime> parseChatTime(std::string_view text) {
  using namespace std::chrono;
  Reader reader{text};
  const auto year = reader.digits(4);
  if (!year || !reader.take('-')) return std::nullopt;
  const auto month = reader.digits(2);
  if (!month || !reader.take('-')) return std::nullopt;
  const auto day = reader.digits(2);
  if (!day || !reader.take('T')) return std::nullopt;
  const auto hour = reader.digits(2);
  if (!hour || !reader.take(':')) return std::nullopt;
  const auto minute = reader.digits(2);
  if (!minute || !reader.take(':')) return std::nullopt;
  const auto second = reader.digits(2);
  if (!second) return std::nullopt;
  nanoseconds fraction{0};
  if (reader.take('.')) {
    // Up to nanoseconds; YouTube writes microseconds, PeerTube milliseconds.
    std::int64_t scale = 100'000'000;
    std::size_t count = 0;
    for (; isDigit(reader.peek()); ++reader.at, ++count) {
      if (count < 9) fraction += nanoseconds((reader.peek() - '0') * scale);
      scale /= 10;
    }
    if (count == 0 || count > 9) return std::nullopt;
  }
  const auto offset = utcOffsetMinutes(reader);
  if (!offset || !reader.done()) return std::nullopt;
  const year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                            std::chrono::day{static_cast<unsigned>(*day)}};
  // WallTime counts nanoseconds in 64 bits: 1677 to 2262. A chat is neither before the
  // epoch nor centuries ahead.
  if (*year < kFirstChatYear || *year > kLastChatYear) return std::nullopt;
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  const auto local = sys_days{date} + hours{*hour} + minutes{*minute} + seconds{*second};
  return time_point_cast<WallClock::duration>(local + fraction - minutes{*offset});
}

std::optional<std::string> parseYouTubeActiveChat(std::string_view body) {
  const auto document = parsedJson(body);
  const Json* items = document ? member(*document, "items") : nullptr;
  if (items == nullptr || !items->is_array() || items->empty()) return std::nullopt;
  const Json* details = objectMember(items->front(), "liveStreamingDetails");
  auto chat = details != nullptr ? stringMember(*details, "activeLiveChatId") : std::nullopt;
  // The id goes into a query string: printable ASCII without blanks, or it is not one.
  const bool usable =
      chat && !chat->empty() && std::all_of(chat->begin(), chat->end(), [](char c) { return c > ' ' && c < '\x7F'; });
  return usable ? chat : std::nullopt;
}

std::optional<std::string> liveIdFromAddress(PlatformId platform, std::string_view pasted) {
  const auto text = trimmed(pasted);
  switch (platform) {
    case PlatformId::youtube:
      if (isYouTubeId(text)) return std::string(text);
      break;
    case PlatformId::facebook:
      if (isFacebookId(text)) return std::string(text);
      break;
    case PlatformId::peertube:
      if (isPeerTubeId(text)) return std::string(text);
      break;
  }
  const auto address = splitAddress(text);
  if (!address) return std::nullopt;
  switch (platform) {
    case PlatformId::youtube: return youTubeLive(*address);
    case PlatformId::facebook: return facebookLive(*address);
    case PlatformId::peertube: return peerTubeLive(*address);
  }
  return std::nullopt;
}

std::string youTubeChatReplyBody(std::string_view liveChatId, std::string_view text) {
  OrderedJson snippet;
  snippet["liveChatId"] = std::string(liveChatId);
  snippet["type"] = "textMessageEvent";
  snippet["textMessageDetails"]["messageText"] = std::string(text);
  OrderedJson body;
  body["snippet"] = std::move(snippet);
  // Invalid UTF-8 (a text built by hand) is replaced, never thrown.
  return body.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace tribune::core
