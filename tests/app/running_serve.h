#pragma once
// The real `tribune serve` for the app tests (issue 23): a configuration on loopback, the
// schedule's REST API with a role's token, SIGTERM as a service manager stops it.
#include <csignal>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "running_tribune.h"

namespace tribune::testing {

class RunningServe {
 public:
  RunningServe(const std::filesystem::path& dataDir, const Json& extra) : dataDir_(dataDir), port_(freeLoopbackPort()) {
    Json config{{"web", {{"port", port_}}},
                {"video", {{"profile", "720p30"}, {"bitrate_kbps", 1500}, {"preset", "ultrafast"}}}};
    config.update(extra);
    writeTextFile(dataDir_ / "tribune.json", config.dump());
    start();
  }
  void start() {
    stopped_ = false;
    process_.emplace(
        std::vector<std::string>{kTribune, "serve", "--config", (dataDir_ / "tribune.json").string(), "--data-dir",
                                 dataDir_.string()},
        ProcessOptions{
            {}, Redirect::appendTo(dataDir_ / "out.txt"), Redirect::appendTo(dataDir_ / "log.txt"), {}, true, true});
    if (!waitUntil([&] { return loopbackPortAccepts(static_cast<std::uint16_t>(port_)); }, 20s)) {
      throw std::runtime_error("tribune serve did not listen: " + log());
    }
  }
  // Started again after stop(), listening on `port` (the settings changed it).
  void restart(int port) {
    port_ = port;
    start();
  }
  ~RunningServe() {
    if (!stopped_) stop();
  }
  RunningServe(const RunningServe&) = delete;
  RunningServe& operator=(const RunningServe&) = delete;
  std::optional<ExitStatus> stop() {
    stopped_ = true;
    process_->signal(SIGTERM);
    return process_->waitFor(30s);
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string log() const { return readTextFile(dataDir_ / "log.txt"); }
  [[nodiscard]] std::string token(const std::string& role) const {
    return Json::parse(readTextFile(dataDir_ / "tokens.json"))[role].get<std::string>();
  }
  HttpReply api(const std::string& method, const std::string& target, const Json& body = nullptr,
                const std::string& role = "technician") const {
    HttpCall call{method,
                  target,
                  body.is_null() ? std::string() : (body.is_string() ? body.get<std::string>() : body.dump()),
                  {}};
    if (!role.empty()) call.headers.emplace_back("Authorization", "Bearer " + token(role));
    if (!body.is_null()) call.headers.emplace_back("Content-Type", "application/json");
    return httpCall(port_, call, 10s);
  }
  // The file's bytes to the review, as the console's "Nouvelle séance" sends them.
  HttpReply preview(const std::string& query, const std::string& bytes, const std::string& role = "technician") const {
    HttpCall call{"POST", "/api/schedule/preview?" + query, bytes, {{"Content-Type", "application/octet-stream"}}};
    call.headers.emplace_back("Authorization", "Bearer " + token(role));
    return httpCall(port_, call, 60s);
  }
  Json schedule() const {
    auto reply = api("GET", "/api/schedule");
    if (reply.status != 200)
      throw std::runtime_error("GET /api/schedule: " + std::to_string(reply.status) + reply.body);
    return Json::parse(reply.body);
  }

 private:
  std::filesystem::path dataDir_;
  int port_;
  std::optional<Process> process_;
  bool stopped_ = false;
};

}  // namespace tribune::testing
