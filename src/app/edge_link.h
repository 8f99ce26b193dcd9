#pragma once
// The town hall's link to a public edge (issue 22, docs/EDGE.md): an outbound websocket, so
// that nothing on the internet ever connects in to the town hall.
//
// A component the hub owns, on its own thread: it connects to the configured edges in turn
// (web::LinkClient), proves the paired secret and checks the edge's proof (core/edge_link.h:
// both ends verify, nonces from both sides, so nothing can be replayed), keeps the link alive
// with a heartbeat every 5 s, and drops a link silent for 15 s (a cut uplink often closes
// nothing). It reports through EdgeLinkListener, which the hub implements by posting; the hub
// decides what goes on the link (docs/EDGE.md, "What crosses the link").
//
// Threading contract: the listener is called on the link's thread, never with a lock held;
// send() and stats() are thread-safe. Destroy the link before what its listener posts to.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/edge_link.h"
#include "web/link_client.h"

namespace tribune::app {

// A viewer's question or upvote, received by an edge and forwarded on the link.
struct EdgeForward {
  std::uint64_t link = 0;
  std::string ticket;  // the edge's Redis stream id: the question's identity from now on
  std::string kind;    // "ask" or "upvote"
  std::string viewer;  // the browser id
  nlohmann::json params;
};

class EdgeLinkListener {
 public:
  virtual ~EdgeLinkListener() = default;
  virtual void onEdgeLinkUp(std::uint64_t link, std::string edge) = 0;
  virtual void onEdgeLinkDown(std::uint64_t link, std::string reason) = 0;
  virtual void onEdgeForward(EdgeForward forward) = 0;
};

struct EdgeLinkStats {
  bool up = false;
  std::string edge;  // the name of the edge holding the link, "" when down
  std::string lastError;
  std::uint64_t connects = 0;  // links that came up
  std::uint64_t failures = 0;  // attempts that failed or links that dropped
  std::uint64_t refused = 0;   // edges that could not prove the secret
};

class EdgeLink final : private web::LinkClientListener {
 public:
  EdgeLink(core::EdgeLinkSettings settings, std::string meetingId, EdgeLinkListener& listener);
  ~EdgeLink() override;
  EdgeLink(const EdgeLink&) = delete;
  EdgeLink& operator=(const EdgeLink&) = delete;

  // Thread-safe. Sent only while that link is the one up; dropped otherwise (the next link
  // starts with a whole snapshot).
  void send(std::uint64_t link, std::string text);
  void drop(std::uint64_t link, const std::string& reason);  // e.g. the edge sent garbage
  [[nodiscard]] EdgeLinkStats stats() const;

  static constexpr std::chrono::seconds kHeartbeat{5};
  static constexpr std::chrono::seconds kSilence{15};

 private:
  void onLinkOpen(std::uint64_t attempt) override;
  void onLinkMessage(std::uint64_t attempt, std::string text) override;
  void onLinkClosed(std::uint64_t attempt, std::string reason) override;

  struct Opened {
    std::uint64_t attempt;
  };
  struct Received {
    std::uint64_t attempt;
    std::string text;
  };
  struct Closed {
    std::uint64_t attempt;
    std::string reason;
  };
  using Happening = std::variant<Opened, Received, Closed>;

  void run();
  void handle(const Happening& happening, std::chrono::steady_clock::time_point now);
  void connectNext(std::chrono::steady_clock::time_point now);
  void fail(const std::string& reason, std::chrono::steady_clock::time_point now, bool refusedProof);

  enum class State { Idle, Connecting, Handshaking, Up };

  core::EdgeLinkSettings settings_;
  std::string meetingId_;
  EdgeLinkListener& listener_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Happening> inbox_;
  bool stopping_ = false;
  EdgeLinkStats stats_;
  std::uint64_t upAttempt_ = 0;  // under mutex_: the attempt whose link is up, 0 when none

  // The link's thread only.
  State state_ = State::Idle;
  std::uint64_t attempt_ = 0;
  std::size_t next_ = 0;  // the next edge address to try
  int failuresInRow_ = 0;
  std::optional<core::HallHandshake> handshake_;
  bool challenged_ = false;  // the edge's challenge answered: its link_ready comes next
  std::string edgeName_;
  std::chrono::steady_clock::time_point connectAt_{};
  std::chrono::steady_clock::time_point heardAt_{};
  std::chrono::steady_clock::time_point heartbeatAt_{};
  std::chrono::steady_clock::time_point upAt_{};

  std::unique_ptr<web::LinkClient> client_;  // after the state it calls back into
  std::thread thread_;
};

}  // namespace tribune::app
