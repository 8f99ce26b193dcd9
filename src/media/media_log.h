#pragma once
// The media engine's logger ("media"), shared by its files.
#include <spdlog/spdlog.h>

#include <memory>

namespace tribune::media {

inline std::shared_ptr<spdlog::logger> logger() {
  static auto log = [] {
    auto existing = spdlog::get("media");
    return existing ? existing : spdlog::default_logger()->clone("media");
  }();
  return log;
}

}  // namespace tribune::media
