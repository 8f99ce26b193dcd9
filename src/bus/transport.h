#pragma once
// The byte stream under a RedisConnection: a non-blocking TCP socket, with TLS (OpenSSL,
// memory BIOs) on top when asked. Every wait is a poll() on the socket and on an eventfd
// that interrupt() writes to, so a blocked read ends as soon as another thread asks.
//
// Threading contract: one thread does the I/O; interrupt() may be called from any thread
// (it only writes to the eventfd). Not part of the public API (src/bus/redis.h is).
//
// OpenSSL writes to the socket never happen through OpenSSL's socket BIO: its write(2) would
// raise SIGPIPE on a connection the server reset. Memory BIOs hand the records to us and we
// send(MSG_NOSIGNAL) them.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bus/redis.h"

namespace tribune::bus::detail {

// nullopt: no deadline (wait until data or interrupt).
using Deadline = std::optional<std::chrono::steady_clock::time_point>;

Deadline deadlineAfter(std::optional<std::chrono::milliseconds> timeout);

class Transport {
 public:
  // TCP connect to every address of settings.host in turn, then the TLS handshake with
  // certificate and name checks. Throws RedisError naming host:port and the reason.
  Transport(const RedisSettings& settings, Deadline deadline);
  ~Transport();

  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  void sendAll(std::string_view data, Deadline deadline);
  // Blocks until some bytes arrive (returns how many, > 0); throws RedisError on end of
  // stream, error, deadline or interrupt.
  std::size_t receiveSome(char* buffer, std::size_t size, Deadline deadline);

  void interrupt() noexcept;
  // Closes the socket (not the eventfd: interrupt() stays safe). Later I/O throws.
  void close() noexcept;

 private:
  struct Tls;
  enum class Wait { readable, writable };

  void connectTcp(const RedisSettings& settings, Deadline deadline);
  void handshake(const RedisSettings& settings, Deadline deadline);
  // Waits for the socket; throws on deadline, interrupt or poll failure.
  void waitFor(Wait what, Deadline deadline, std::string_view doing);
  // `doing` completes the messages: "while waiting for a reply", "during the TLS handshake".
  void sendRaw(std::string_view data, Deadline deadline, std::string_view doing);
  std::size_t receiveRaw(char* buffer, std::size_t size, Deadline deadline, std::string_view doing);
  // Sends what OpenSSL queued in its output BIO.
  void flushTls(Deadline deadline, std::string_view doing);
  // Runs an OpenSSL call to completion: feeds it socket bytes while it wants to read.
  template <typename Operation>
  int runTls(Operation operation, Deadline deadline, std::string_view doing);

  [[noreturn]] void fail(std::string_view what) const;

  std::string peer_;  // "host:port", for messages
  int fd_ = -1;
  int wake_fd_ = -1;  // eventfd written by interrupt()
  std::unique_ptr<Tls> tls_;
};

}  // namespace tribune::bus::detail
