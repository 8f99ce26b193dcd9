#pragma once
// What the viewers write on the platforms (issue 21): YouTube's live chat, Facebook's
// comments under a live video, PeerTube's comment threads, read as pages of messages.
// Pure parsers of untrusted text: a missing or wrongly typed field is an error naming it
// (French), never an exception; an item that is not a viewer's message (a Super Chat, a
// poll, a tombstone) is skipped, not an error. The text comes out as the viewer wrote it
// (PeerTube's HTML turned into plain text), not yet screened: screening and the question
// rules are the chat intake's (core/chat_intake.h).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/platform_account.h"

namespace tribune::core {

// One message read from a platform.
struct ChatMessage {
  PlatformId platform = PlatformId::youtube;
  std::string id;          // the platform's message id: duplicates, withdrawal and reply go by it
  std::string authorName;  // display name; "Utilisateur Facebook" when Facebook gives no author
  std::string authorId;    // channel id, Facebook user id (may be empty), PeerTube "name@host"
  std::string text;        // as written (PeerTube: its HTML as plain text), not screened
  WallTime publishedAt{};
  bool fromOwner = false;  // the channel owner, the Page, the commune's own PeerTube account
};

// One answer of a platform's chat, in the platform's order.
struct ChatPage {
  std::vector<ChatMessage> messages;
  std::vector<std::string> deletedIds;  // YouTube messageDeletedEvent: the withdrawn messages' ids
  // YouTube: nextPageToken. Facebook: paging.cursors.after when paging.next is present
  // (there is a further page now), else empty. PeerTube: empty from the parser; its reader
  // sets the next offset when a page of only new threads may have more behind it.
  std::string nextPageToken;
  std::optional<std::chrono::milliseconds> pollingInterval;  // YouTube's pollingIntervalMillis
  bool ended = false;                                        // YouTube: a chatEndedEvent, or offlineAt present
  std::int64_t total = -1;                                   // PeerTube: "total" (threads); -1 elsewhere
};

struct ChatParse {
  std::optional<ChatPage> page;
  std::string error;  // when page is empty: French, naming what is wrong
};

// liveChatMessages.list: {"nextPageToken", "pollingIntervalMillis", "offlineAt"?, "items":
// [{"id", "snippet": {"type", "publishedAt", "displayMessage" | "textMessageDetails":
// {"messageText"}, "messageDeletedDetails": {"deletedMessageId"}}, "authorDetails":
// {"channelId", "displayName", "isChatOwner"}}]}. Keeps textMessageEvent items;
// messageDeletedEvent → deletedIds; chatEndedEvent → ended. An author whose channelId is
// `ownerChannelId`, or isChatOwner, is the owner.
ChatParse parseYouTubeChatPage(std::string_view body, std::string_view ownerChannelId);

// liveChatMessages.streamList over HTTP: ListResponse objects one after another, on lines
// of their own (NDJSON) or concatenated, the last one possibly cut short by the end of what
// has arrived so far. `rest` is that unfinished tail (to be prefixed to the next bytes).
struct ChatStreamParse {
  std::vector<ChatPage> pages;
  std::string rest;
  std::string error;  // a complete object that is not a valid page; pages before it are kept
};
ChatStreamParse parseYouTubeChatStream(std::string_view bytes, std::string_view ownerChannelId);

// GET /{live-video-id}/comments?fields=id,from{name,id},message,created_time: {"data":
// [{"id", "message", "created_time": "2018-08-30T18:47:02+0000", "from"?: {"name", "id"}}],
// "paging": {"cursors": {"before", "after"}, "next"?}}. A comment without "from" is from
// "Utilisateur Facebook"; one whose from.id is `pageId` is the owner's.
ChatParse parseFacebookComments(std::string_view body, std::string_view pageId);

// GET /api/v1/videos/{id}/comment-threads: {"total", "data": [{"id" (number), "text" (HTML),
// "createdAt", "isDeleted"?, "heldForReview"?, "account": {"displayName", "name", "host"}}]}.
// Deleted threads, and those held for the instance's review, are skipped; an account "name@host" equal to
// `ownerAccount` (or its name, when ownerAccount has no host) is the owner.
ChatParse parsePeerTubeComments(std::string_view body, std::string_view ownerAccount);

// PeerTube's comment HTML as plain text: tags dropped (<br> and </p> become line breaks),
// entities (&amp; &lt; &gt; &quot; &nbsp; &#39; &#NNN; &#xHH;) decoded, runs of blank lines folded.
std::string htmlToText(std::string_view html);

// "2018-08-30T18:47:02+0000", "2026-12-03T18:30:00Z", "2026-12-03T18:30:00.123Z",
// "2026-12-03T19:30:00+01:00": the instant, or nothing when it is not such a time.
std::optional<WallTime> parseChatTime(std::string_view text);

// videos.list?part=liveStreamingDetails&id=…: items[0].liveStreamingDetails.activeLiveChatId
// (empty once the live is over: nothing), for a live Tribune did not create.
std::optional<std::string> parseYouTubeActiveChat(std::string_view body);

// The live a technician pasted (an address or an id) for a platform: the video's id, or
// nothing. YouTube: https://www.youtube.com/watch?v=ID, https://youtu.be/ID,
// https://www.youtube.com/live/ID, or ID (11 characters of A-Z a-z 0-9 _ -). Facebook:
// https://www.facebook.com/…/videos/DIGITS[/], or DIGITS. PeerTube: https://host/w/ID,
// https://host/videos/watch/UUID, or the id alone (A-Z a-z 0-9 -).
std::optional<std::string> liveIdFromAddress(PlatformId platform, std::string_view pasted);

// The reply Tribune posts when a moderator marks a platform question answered (config
// platforms.reply_when_answered): YouTube's liveChatMessages.insert body
// {"snippet": {"liveChatId", "type": "textMessageEvent", "textMessageDetails":
// {"messageText"}}}; Facebook and PeerTube take the text as a form field / JSON "text".
std::string youTubeChatReplyBody(std::string_view liveChatId, std::string_view text);

}  // namespace tribune::core
