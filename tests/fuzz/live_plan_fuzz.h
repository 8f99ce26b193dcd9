#pragma once
// The platforms' answers and the live plans under libFuzzer (core/live_plan.h and
// core/platform_identity.h), reached
// from the one entry point in protocol_fuzz.cpp: an input whose first byte is one of the
// selectors below goes here, any other to the websocket protocol as before.
#include <cstdint>
#include <string_view>

namespace tribune::fuzz {

enum class LivePlanTarget : std::uint8_t {
  youTubeBroadcast = 0x01,  // the rest is a liveBroadcasts.insert answer
  youTubeStream = 0x02,     // a liveStreams.insert answer
  facebookLive = 0x03,      // a POST /{page-id}/live_videos answer
  peerTubeCreated = 0x04,   // a POST /api/v1/videos/live answer
  peerTubeLive = 0x05,      // a GET /api/v1/videos/live/{id} answer
  viewers = 0x06,           // an audience answer, read as each platform's
  plan = 0x07,              // a meeting, templates and items, NUL-separated (see the .cpp)
  youTubeChannel = 0x08,    // a channels.list answer (core/platform_identity.h)
  facebookPages = 0x09,     // a me/accounts answer, then NUL and the Page asked for
  peerTubeMe = 0x0a,        // a users/me answer, then NUL and the channel asked for
  peerTubeClient = 0x0b,    // an oauth-clients/local answer
};

// Whether `input` is for fuzzLivePlan (its first byte is a selector).
bool isLivePlanInput(std::string_view input);
// Parses or plans; aborts when an invariant breaks (an exception escaping is a finding too).
void fuzzLivePlan(std::string_view input);

}  // namespace tribune::fuzz
