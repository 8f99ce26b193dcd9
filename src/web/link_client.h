#pragma once
// LinkClient: the town hall's one outbound websocket, to a public edge (ws[s]://host:port/ws,
// subprotocol "tribune", like the browser pages). Text messages only, each delivered whole.
//
// Threading rule: the client runs its own thread, which alone touches libwebsockets and
// calls the listener. connect / send / disconnect may be called from any thread, the
// listener's callbacks included: they queue under a mutex and wake that thread.
//
// Attempts: each connect() is an attempt with its own id. The listener hears onLinkOpen
// once it is open, onLinkMessage for each message, and exactly one onLinkClosed when it
// ends, whatever the cause (a failed connect or TLS verification, the connect timeout,
// the server closing or vanishing, disconnect(), a later connect(), the send queue
// overflowing) — except an attempt still running when the LinkClient is destroyed: the
// destructor calls no one.
//
// Backpressure: what send() queues is bounded in bytes (maxQueuedBytes); the message that
// would exceed it closes the link instead (the reason says so), and the caller reconnects.
// Incoming messages over maxMessageBytes close the link as well (1009).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace tribune::web {

struct LinkTarget {
  bool tls = true;  // wss: the server's certificate is verified, and its name against host
  std::string host;
  int port = 443;
  std::string path = "/ws";
  std::optional<std::filesystem::path> caFile;       // the only CA trusted; unset: the system's CAs
  std::chrono::milliseconds connectTimeout{10'000};  // until open (TCP, TLS and the upgrade)
};

class LinkClientListener {
 public:
  virtual ~LinkClientListener() = default;
  // On the client's thread; copy and post, never block.
  virtual void onLinkOpen(std::uint64_t attempt) = 0;
  virtual void onLinkMessage(std::uint64_t attempt, std::string text) = 0;
  virtual void onLinkClosed(std::uint64_t attempt, std::string reason) = 0;  // also for a failed connect
};

class LinkClient {
 public:
  // Starts the client's thread.
  explicit LinkClient(LinkClientListener& listener, std::size_t maxMessageBytes = std::size_t{8} << 20,
                      std::size_t maxQueuedBytes = std::size_t{32} << 20);
  ~LinkClient();  // closes any connection (without telling the listener), joins
  LinkClient(const LinkClient&) = delete;
  LinkClient& operator=(const LinkClient&) = delete;

  // Thread-safe. Ends the current attempt first (its onLinkClosed comes before anything of
  // the new one). Throws std::invalid_argument, naming the field, for a target that cannot
  // be right (no host, a port outside 1-65535, a path not starting with '/', a CA file
  // that does not exist).
  std::uint64_t connect(LinkTarget target);
  // Thread-safe; ignored unless that attempt is open.
  void send(std::uint64_t attempt, std::string text);
  // Thread-safe; closes that attempt (normal close) if it is the current one.
  void disconnect(std::uint64_t attempt);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tribune::web
