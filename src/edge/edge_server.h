#pragma once
// `tribune edge` (issue 22; docs/EDGE.md): the public server. It serves the viewer page and
// the meeting page to citizens on the internet, holds their websockets, and accepts only the
// viewer role: no staff page, command or token ever works here. The town hall connects out to
// it (the link); the edges share one Redis (edge/redis_bus.h).
//
// Threading rule, as the hub's: one Asio thread owns the state below (the mirror of what viewers
// see, the viewers, the link); the web server's and the bus's threads only post to it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "core/edge_config.h"
#include "core/edge_link.h"
#include "core/rate_limit.h"
#include "core/viewer_mirror.h"
#include "edge/redis_bus.h"
#include "web/web_server.h"

namespace tribune::edge {

struct EdgeOptions {
  core::EdgeConfig config;
  std::filesystem::path shareDir;      // holds web/
  std::optional<int> webPortOverride;  // tests: 0 picks a free port
  bool handleSignals = false;
};

class EdgeServer final : private web::WebListener, private BusListener {
 public:
  explicit EdgeServer(EdgeOptions options);  // throws std::runtime_error when it cannot listen
  ~EdgeServer() override;
  EdgeServer(const EdgeServer&) = delete;
  EdgeServer& operator=(const EdgeServer&) = delete;

  int run();  // until requestStop() or a signal; returns the exit code
  void requestStop();
  [[nodiscard]] int port() const;

 private:
  // web::WebListener (web thread: post)
  void onOpen(web::ConnectionId connection, std::string peerAddress) override;
  void onMessage(web::ConnectionId connection, std::string text) override;
  void onClose(web::ConnectionId connection) override;
  void onHttpRequest(web::HttpRequest request) override;
  // BusListener (bus threads: post)
  void onHallMessages(std::vector<std::string> texts) override;
  void onForward(std::vector<BusEntry> entries) override;
  void onBusHealth(bool up, std::string error) override;
  void onTownHall(bool reachable) override;

  enum class Kind { Unknown, Viewer, HallHandshake, Hall };
  struct Connection {
    Kind kind = Kind::Unknown;
    std::string address;
    std::string viewer;     // after hello
    bool welcomed = false;  // a viewer waiting for the first snapshot is not yet
    std::optional<std::uint64_t> since;
    std::optional<core::EdgeHandshake> handshake;
  };
  void handle(web::ConnectionId id, const std::string& text);
  void handleViewer(web::ConnectionId id, Connection& connection, const std::string& text);
  void handleHall(web::ConnectionId id, const std::string& text);
  void welcome(web::ConnectionId id, Connection& connection);
  void takeHallMessage(const std::string& text);
  void dropLink(const std::string& reason);
  void refuseLink(web::ConnectionId id, Connection& connection, const std::string& reason);
  [[nodiscard]] std::string name() const;
  void tick();
  void refreshHealth();
  [[nodiscard]] std::string edgeStatus() const;
  [[nodiscard]] std::string metrics() const;

  EdgeOptions options_;
  boost::asio::io_context io_;
  boost::asio::steady_timer ticker_{io_};
  std::unique_ptr<web::WebServer> web_;
  std::unique_ptr<RedisBus> bus_;

  core::ViewerMirror mirror_;
  std::unordered_map<web::ConnectionId, Connection> connections_;
  std::multimap<std::string, web::ConnectionId> byViewer_;  // welcomed viewers by browser id
  std::set<web::ConnectionId> welcomed_;
  core::RateLimiter questionsPerAddress_;
  core::RateLimiter upvotesPerAddress_;
  core::RateLimiter messagesPerConnection_;

  std::optional<web::ConnectionId> link_;  // the town hall's authenticated link
  std::chrono::steady_clock::time_point linkHeardAt_{};
  std::chrono::steady_clock::time_point linkHeartbeatAt_{};
  bool townHallReachable_ = false;
  bool busUp_ = false;
  std::string busError_;

  std::uint64_t questionsReceived_ = 0;
  std::uint64_t questionsRefused_ = 0;
  std::uint64_t linksRefused_ = 0;
  std::uint64_t staffRefused_ = 0;
  std::uint64_t hallMessagesApplied_ = 0;
  std::uint64_t hallMessagesRefused_ = 0;
};

}  // namespace tribune::edge
