#pragma once
// The real `tribune` binary for the app tests, and websocket helpers to talk to it: a
// config on loopback with the demo agenda, kill -9 and restart, hello and commands.
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "beast_clients.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace tribune::testing {

using namespace std::chrono_literals;

using Json = nlohmann::json;

inline const std::string kTribune = TRIBUNE_BINARY;

class RunningTribune {
 public:
  // `extra` is merged into the configuration (e.g. {"questions": {…}}).
  explicit RunningTribune(const std::filesystem::path& dataDir, const Json& extra = Json::object())
      : dataDir_(dataDir), port_(freeLoopbackPort()) {
    Json config{{"web", {{"port", port_}}},
                {"agenda", std::string(TRIBUNE_SOURCE_DIR) + "/examples/agenda-demo.json"},
                {"video", {{"profile", "720p30"}, {"bitrate_kbps", 1500}, {"preset", "ultrafast"}}}};
    config.update(extra);
    writeTextFile(dataDir_ / "tribune.json", config.dump());
    start();
  }
  void start() {
    process_.emplace(
        std::vector<std::string>{kTribune, "run", "--config", (dataDir_ / "tribune.json").string(), "--data-dir",
                                 dataDir_.string()},
        // stdout has the console's address (with its token, for the technician);
        // stderr is the log, which must never hold a token.
        ProcessOptions{
            {}, Redirect::appendTo(dataDir_ / "out.txt"), Redirect::appendTo(dataDir_ / "log.txt"), {}, true, true});
    if (!waitUntil([&] { return loopbackPortAccepts(static_cast<std::uint16_t>(port_)); }, 20s)) {
      throw std::runtime_error("tribune did not listen: " + readTextFile(dataDir_ / "log.txt"));
    }
  }
  void kill9() { process_->kill9(); }
  // SIGTERM, as a service manager stops it; its exit status, none if still running after `timeout`.
  std::optional<ExitStatus> stop(std::chrono::milliseconds timeout = 20s) {
    process_->signal(SIGTERM);
    return process_->waitFor(timeout);
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string log() const { return readTextFile(dataDir_ / "log.txt"); }
  [[nodiscard]] std::string token(const std::string& role) const {
    return Json::parse(readTextFile(dataDir_ / "tokens.json"))[role].get<std::string>();
  }

 private:
  std::filesystem::path dataDir_;
  int port_;
  std::optional<Process> process_;
};

// Next message that is not a status push, a meter reading or a preview picture.
inline Json nextMessage(WsClient& ws, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto received =
        ws.receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!received.ok) throw std::runtime_error("no message: " + received.error);
    if (received.binary) continue;
    auto message = Json::parse(received.text);
    const auto type = message.value("type", "");
    if (type == "status" || type == "levels") continue;
    return message;
  }
  throw std::runtime_error("no message in time");
}

// The result of request `id`, skipping events.
inline Json resultOf(WsClient& ws, int id) {
  while (true) {
    auto message = nextMessage(ws);
    if ((message["type"] == "result" || message["type"] == "error") && message.value("id", -1) == id) return message;
  }
}

inline Json hello(WsClient& ws, int port, const std::optional<std::string>& token,
                  std::optional<std::uint64_t> since = {}) {
  if (!ws.connect(port)) throw std::runtime_error("cannot connect");
  Json message{{"type", "hello"}};
  if (token) message["token"] = *token;
  if (since) message["since"] = *since;
  ws.send(message.dump());
  return nextMessage(ws);
}

// A viewer's hello, with the browser id an earlier welcome gave.
inline Json helloViewer(WsClient& ws, int port, const std::optional<std::string>& viewer = {},
                        std::optional<std::uint64_t> since = {}) {
  if (!ws.connect(port)) throw std::runtime_error("cannot connect");
  Json message{{"type", "hello"}};
  if (viewer) message["viewer"] = *viewer;
  if (since) message["since"] = *since;
  ws.send(message.dump());
  return nextMessage(ws);
}

inline Json command(WsClient& ws, int id, Json message) {
  message["id"] = id;
  ws.send(message.dump());
  return resultOf(ws, id);
}

}  // namespace tribune::testing
