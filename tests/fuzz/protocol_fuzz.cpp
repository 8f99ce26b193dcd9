// libFuzzer target for the websocket protocol: what any browser may send. Each line of the
// input is one client message, parsed, and when it parses, dispatched as the technician on
// a meeting and a broadcast fresh for each input (so that a sequence of lines can reach
// every state). Nothing may crash or throw, and replaying the events the commands produced
// must rebuild the same meeting.
//
// The one libFuzzer entry point also drives the platforms' answer parsers and the live
// plans: an input whose first byte is 0x01 to 0x0b goes to live_plan_fuzz.cpp instead, one
// from 0x0c to 0x14 to platform_chat_fuzz.cpp (a client message that starts with a control
// character is not JSON anyway).
//
//   CC=clang CXX=clang++ cmake -S . -B build/h-fuzz -G Ninja -DTRIBUNE_CORE_ONLY=ON -DTRIBUNE_FUZZ=ON
//   cmake --build build/h-fuzz --target tribune_protocol_fuzz
//   build/h-fuzz/tests/tribune_protocol_fuzz -dict=tests/fuzz/protocol.dict tests/fuzz/corpus -max_total_time=60
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "../core/meeting_fakes.h"
#include "core/command_table.h"
#include "core/protocol.h"
#include "core/publish_url.h"
#include "live_plan_fuzz.h"
#include "platform_chat_fuzz.h"

namespace {

using namespace tribune;

constexpr std::size_t kMaxMessageBytes = std::size_t{64} * 1024;

core::Broadcast& freshBroadcast(testing::ScriptedRandom& random, std::optional<core::Broadcast>& slot) {
  slot.emplace(core::RetrySettings{}, random);
  core::DestinationSettings youtube;
  youtube.name = "youtube";
  youtube.url = *core::parsePublishUrl("rtmp://127.0.0.1/live/key").url;
  slot->addDestination(youtube, testing::at(0));
  return *slot;
}

// Viewers' commands are sent as a viewer (with a browser id), the others as the technician.
core::Caller callerFor(std::string_view type) {
  const auto roles = core::rolesAllowed(type);
  if (std::find(roles.begin(), roles.end(), core::Role::Technician) != roles.end() || roles.empty()) {
    return {core::Role::Technician, "", ""};
  }
  return {core::Role::Viewer, "fuzz-viewer-browser-000001", "192.0.2.1"};
}

void handle(std::string_view line, core::Meeting& meeting, core::Broadcast& broadcast, core::QuestionIntake& intake,
            double& seconds) {
  const auto parsed = core::parseClientMessage(line, kMaxMessageBytes);
  if (!parsed.ok()) {
    (void)core::error(parsed.status, parsed.error, parsed.id);
    return;
  }
  const auto& message = *parsed.message;
  switch (message.kind) {
    case core::MessageKind::Hello:
      (void)core::welcome(core::Role::Technician, message.hello.since.value_or(0), meeting.snapshot());
      break;
    case core::MessageKind::Ping: (void)core::result(message.id, core::DispatchResult{}); break;
    case core::MessageKind::Command: {
      seconds += 1;
      const auto outcome = core::dispatch(message.request(), callerFor(message.type),
                                          {meeting, broadcast, intake, testing::at(seconds), 1'790'000'000'000});
      // A bug shows as internal_error: make it a finding.
      if (outcome.code == static_cast<int>(core::StatusCode::InternalError)) std::abort();
      (void)core::result(message.id, outcome);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (fuzz::isLivePlanInput(input)) {
    fuzz::fuzzLivePlan(input);
    return 0;
  }
  if (fuzz::isPlatformChatInput(input)) {
    fuzz::fuzzPlatformChat(input);
    return 0;
  }
  testing::ScriptedRandom random;
  std::optional<core::Broadcast> slot;
  auto& broadcast = freshBroadcast(random, slot);
  auto meeting = testing::demoMeeting();
  double seconds = 0;
  core::QuestionSettings settings;
  settings.perBrowser = {1000, std::chrono::seconds(1)};
  core::QuestionIntake intake(settings, *core::parseWordList("connard\nmerde\n").list);

  // The whole input as one message (the usual case), then each line as a message.
  handle(input, meeting, broadcast, intake, seconds);
  for (std::size_t start = 0; start < input.size();) {
    auto end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    handle(input.substr(start, end - start), meeting, broadcast, intake, seconds);
    start = end + 1;
  }

  core::Meeting replayed;
  for (const auto& event : meeting.takeEvents()) {
    if (!replayed.apply(event).ok()) std::abort();
  }
  if (replayed.snapshot() != meeting.snapshot()) std::abort();
  return 0;
}
