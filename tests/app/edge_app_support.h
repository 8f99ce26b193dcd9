#pragma once
// The public edge for the app tests (issue 22): a real `tribune edge` process on loopback,
// with its edge.json and secrets file, beside a real redis-server (support/running_redis.h)
// and the town hall's real `tribune run`.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "running_tribune.h"
#include "support/running_redis.h"

namespace tribune::testing {

// Test-only: the secret pairing the town hall with its edges (64 hex characters).
inline const std::string kLinkSecret = "5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de5f1c0de0";

class RunningEdge {
 public:
  // `tls`: serve wss with `certificate`/`key`; otherwise plain, as behind a TLS reverse proxy.
  RunningEdge(const std::filesystem::path& dir, const RunningRedis& redis, const std::string& name,
              const Json& extra = Json::object(), std::string linkSecret = kLinkSecret)
      : dir_(dir), port_(freeLoopbackPort()) {
    std::filesystem::create_directories(dir_);
    Json secrets{{"redis_password", redis.settings().password}, {"link_secret", linkSecret}};
    writeTextFile(dir_ / "edge-secrets.json", secrets.dump());
    Json config{{"name", name},
                {"secrets_file", "edge-secrets.json"},
                {"web", {{"address", "127.0.0.1"}, {"port", port_}, {"tls_offload", true}}},
                {"redis",
                 {{"url", "rediss://127.0.0.1:" + std::to_string(redis.port())},
                  {"user", redis.settings().user},
                  {"password_secret", "redis_password"},
                  {"ca_file", redis.caFile().string()}}},
                {"link_secret_secret", "link_secret"},
                // Every test viewer is 127.0.0.1: one address for all of them.
                {"limits", {{"questions_per_address_per_hour", 1000}}}};
    config.merge_patch(extra);
    writeTextFile(dir_ / "edge.json", config.dump());
    start();
  }
  void start() {
    process_.emplace(
        std::vector<std::string>{kTribune, "edge", "--config", (dir_ / "edge.json").string()},
        ProcessOptions{{}, Redirect::appendTo(dir_ / "out.txt"), Redirect::appendTo(dir_ / "log.txt"), {}, true, true});
    if (!waitUntil([&] { return loopbackPortAccepts(static_cast<std::uint16_t>(port_)); }, 20s)) {
      throw std::runtime_error("tribune edge did not listen: " + readTextFile(dir_ / "log.txt"));
    }
  }
  void kill9() { process_->kill9(); }
  std::optional<ExitStatus> stop(std::chrono::milliseconds timeout = 20s) {
    process_->signal(SIGTERM);
    return process_->waitFor(timeout);
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/ws"; }
  [[nodiscard]] std::string log() const { return readTextFile(dir_ / "log.txt"); }
  [[nodiscard]] Json health() const {
    const auto reply = httpCall(port_, {"GET", "/healthz", "", {}});
    return Json::parse(reply.body, nullptr, false);
  }
  // One Prometheus value of /metrics, or -1.
  [[nodiscard]] double metric(const std::string& name) const {
    const auto body = httpCall(port_, {"GET", "/metrics", "", {}}).body;
    const auto at = body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(body.substr(at + name.size() + 2));
  }

 private:
  std::filesystem::path dir_;
  int port_;
  std::optional<Process> process_;
};

// The town hall's `edge` section towards these addresses (ws:// on loopback).
// The bursts send several questions per browser: the town hall's per-browser limit is raised.
inline Json edgeSection(const std::vector<std::string>& urls, const std::string& secretKey = "edge_secret") {
  return Json{{"edge", {{"url", urls}, {"secret_secret", secretKey}, {"reconnect_min_s", 1}, {"reconnect_max_s", 2}}},
              {"secrets_file", "secrets.json"},
              {"questions", {{"per_browser", {{"count", 20}, {"seconds", 300}}}}}};
}

}  // namespace tribune::testing
