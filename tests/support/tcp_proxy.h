#pragma once
// A TCP relay on loopback that a test can cut, standing for a town hall's uplink: while cut,
// what is connected goes silent (nothing relayed, nothing closed: a dead uplink rarely says
// so) and new connections are refused; restore() relays again. Its own thread.
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tribune::testing
