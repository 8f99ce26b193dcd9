#pragma once
// A real redis-server (Debian's /usr/bin/redis-server, 7.0, built with TLS) for tests, in a
// TempDir of its own: config, certificates, log and AOF there, never the system service.
//
//   TLS only by default: `port 0`, `tls-port N` on 127.0.0.1, a throw-away CA (caFile()) and
//   a server certificate signed by it whose only name is IP:127.0.0.1, `tls-auth-clients no`
//   (the server does not ask for a client certificate).
//   AOF on, `appendfsync always`: a write acknowledged before killHard() is there after
//   restart(). No RDB snapshots.
//   ACL: the default user is off; user `tribune` (password()) may touch keys `~tribune:*`,
//   no pub/sub channel, commands `+@all -@dangerous -@admin` (the streams, strings, keys'
//   expiry and XGROUP stay allowed: tests/bus/redis_tests.cpp checks them). User `admin`
//   (adminSettings()) may do anything: for a test to watch the server (INFO, CLIENT LIST),
//   never for the code under test.
//
// Ready means the log says "Ready to accept connections" (after the AOF is loaded: before
// that Redis answers -LOADING).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "bus/redis.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace tribune::testing {

struct RunningRedisOptions {
  bool tls = true;  // false: a plain TCP port (benches); settings() then has tls off, no caFile
};

class RunningRedis {
 public:
  static constexpr const char* kUser = "tribune";

  // Makes the directory, certificates and config, starts redis-server and waits until it
  // is ready. Throws std::runtime_error with the log if it does not come up within 10 s.
  explicit RunningRedis(RunningRedisOptions options = {});
  ~RunningRedis();  // stops the server; the directory goes with it (see TempDir)

  RunningRedis(const RunningRedis&) = delete;
  RunningRedis& operator=(const RunningRedis&) = delete;

  // Ready to use: 127.0.0.1, port(), tls and caFile() (unless plain), user tribune and its password.
  bus::RedisSettings settings() const;
  // The same, as user admin (all keys, all commands).
  bus::RedisSettings adminSettings() const;
  std::uint16_t port() const { return port_; }
  std::filesystem::path caFile() const { return dir_ / "ca.pem"; }
  const std::string& password() const { return password_; }
  bool tls() const { return options_.tls; }

  // SIGKILL: connections reset, nothing more written. restart() brings it back.
  void killHard();
  // Graceful stop (SIGTERM, then SIGKILL after 5 s). Does nothing if not running.
  void stop();
  // stop() if running, then start again: same port, same directory, so the AOF is read back.
  void restart();
  bool running();

  // Another self-signed CA, unrelated to the server's: "wrong CA" tests. Its certificate's path.
  std::filesystem::path makeUnrelatedCa(std::string_view name);

  // Everything redis-server logged, across restarts.
  std::string log() const;
  const std::filesystem::path& directory() const { return dir_.path(); }

 private:
  void makeCertificates();
  void writeConfig() const;
  // One attempt; false when redis-server exited (its port taken: the log says so).
  bool launch();

  TempDir dir_;  // first member: outlives the server that writes into it
  RunningRedisOptions options_;
  std::string password_;
  std::string admin_password_;
  std::uint16_t port_ = 0;
  std::optional<Process> server_;
};

}  // namespace tribune::testing
