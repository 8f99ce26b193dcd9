#pragma once
// A Hub running on its own thread for in-process tests against real peers.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "app/commands.h"
#include "app/hub.h"
#include "support/ffprobe.h"
#include "support/temp_dir.h"

namespace tribune::testing {

// 720p keeps two cores free enough for nginx and ffprobe beside the encoder.
inline core::Config testConfig() {
  core::Config config;
  config.source = "test";
  config.video.profile = core::VideoProfile::P720p30;
  config.video.bitrateKbps = 2000;
  config.video.x264Preset = "ultrafast";
  return config;
}

inline core::DestinationSettings testDestination(const std::string& name, const std::string& url,
                                                 bool tlsVerify = true) {
  auto parsed = core::parsePublishUrl(url);
  if (!parsed.url) throw std::runtime_error("bad test URL: " + parsed.error->message);
  core::DestinationSettings d;
  d.name = name;
  d.url = *parsed.url;
  d.tlsVerify = tlsVerify;
  return d;
}

class RunningHub {
 public:
  // Recordings go to `dataDir`, which outlives the hub so that tests can probe them.
  RunningHub(core::Config config, const std::filesystem::path& dataDir,
             std::optional<core::Agenda> agenda = std::nullopt) {
    static bool logging = [] {
      app::setUpLogging("info");
      return true;
    }();
    (void)logging;
    app::HubOptions options;
    options.config = std::move(config);
    options.agenda = std::move(agenda);
    options.dataDir = dataDir;
    options.shareDir = TRIBUNE_SOURCE_DIR;
    options.webPortOverride = 0;  // any free port: tests run side by side
    hub_.emplace(std::move(options));
    thread_ = std::thread([this] { hub_->run(); });
  }
  ~RunningHub() { stop(); }
  RunningHub(const RunningHub&) = delete;
  RunningHub& operator=(const RunningHub&) = delete;

  app::Hub& hub() { return *hub_; }
  app::DestinationView destination(const std::string& name) {
    for (auto& d : hub_->snapshot().destinations) {
      if (d.name == name) return d;
    }
    throw std::runtime_error("no destination " + name);
  }
  bool waitForPhase(const std::string& name, const std::string& phase, std::chrono::milliseconds timeout) {
    return waitUntil([&] { return destination(name).phase == phase; }, timeout, std::chrono::milliseconds(20));
  }
  void stop() {
    if (!thread_.joinable()) return;
    hub_->requestStop();
    thread_.join();
  }

 private:
  std::optional<app::Hub> hub_;
  std::thread thread_;
};

// Largest gap between consecutive timestamps (seconds), DTS when known.
inline double largestGap(const std::vector<Packet>& packets) {
  double gap = 0;
  for (std::size_t i = 1; i < packets.size(); ++i) {
    const double a = std::isnan(packets[i - 1].dts_time) ? packets[i - 1].pts_time : packets[i - 1].dts_time;
    const double b = std::isnan(packets[i].dts_time) ? packets[i].pts_time : packets[i].dts_time;
    gap = std::max(gap, b - a);
  }
  return gap;
}

}  // namespace tribune::testing
