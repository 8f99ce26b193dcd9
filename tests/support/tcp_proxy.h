#pragma once
// A TCP relay on loopback that a test can cut, standing for a town hall's uplink: while cut,
// what is connected goes silent (nothing relayed, nothing closed: a dead uplink rarely says
// so) and new connections are refused; restore() relays again. Its own thread.
//
// limitUpload() makes it a slow uplink: what the client sends goes on at that rate (a token
// bucket of 4 KiB), each connection on its own, and the sockets it accepts from then on
// get a small receive buffer, so that, like a real link's queue, the relay does not take
// megabytes ahead of the rate (loopback's buffers would otherwise swallow seconds of it).
#include <cstdint>
#include <memory>

namespace tribune::testing {

class TcpProxy {
 public:
  explicit TcpProxy(std::uint16_t targetPort);  // listens on a free loopback port at once
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  void cut();                                       // thread-safe
  void restore();                                   // thread-safe: the silent connections are closed, new ones relayed
  [[nodiscard]] std::uint64_t connections() const;  // accepted and relayed so far
  // Client-to-server bytes at most this many a second; 0: unlimited. Thread-safe; applies
  // to connections accepted afterwards.
  void limitUpload(std::uint64_t bytesPerSecond);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tribune::testing
