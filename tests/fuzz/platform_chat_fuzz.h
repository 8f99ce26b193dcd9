#pragma once
// What the viewers write on the platforms under libFuzzer (core/platform_chat.h), reached
// from the one entry point in protocol_fuzz.cpp: an input whose first byte is one of the
// selectors below comes here (live_plan_fuzz.h has 0x01 to 0x0b).
#include <cstdint>
#include <string_view>

namespace tribune::fuzz {

enum class PlatformChatTarget : std::uint8_t {
  youTubeChatPage = 0x0c,    // a liveChatMessages.list answer, then NUL and the owner's channel id
  youTubeChatStream = 0x0d,  // a byte saying where to cut, then streamList bytes
  facebookComments = 0x0e,   // a /comments answer, then NUL and the Page id
  peerTubeComments = 0x0f,   // a comment-threads answer, then NUL and the owner's account
  htmlToText = 0x10,         // a PeerTube comment's HTML
  chatTime = 0x11,           // a time as the platforms write them
  liveAddress = 0x12,        // an address or id a technician pasted, read for each platform
  youTubeActiveChat = 0x13,  // a videos.list answer
  youTubeReply = 0x14,       // a reply's text, then NUL and the chat id
};

// Whether `input` is for fuzzPlatformChat (its first byte is a selector).
bool isPlatformChatInput(std::string_view input);
// Parses; aborts when an invariant breaks (an exception escaping is a finding too).
void fuzzPlatformChat(std::string_view input);

}  // namespace tribune::fuzz
