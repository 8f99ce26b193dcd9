#pragma once
// `tribune check --probe`: connects to a destination and asks to publish, sends no
// media, and says whether the server took it.
#include <chrono>
#include <optional>

#include "core/failure.h"
#include "media/media_types.h"

namespace tribune::media {

struct ProbeResult {
  bool accepted = false;
  std::optional<core::Failure> failure;
};

ProbeResult probeDestination(const RtmpOutputSettings& settings, std::chrono::milliseconds timeout);

}  // namespace tribune::media
