#pragma once
// A small blocking Redis client for the bus among public edges (Redis 7, RESP2).
//
// hiredis (Debian 12: 0.14.1, built without TLS) only encodes commands and parses replies;
// the socket is ours: plain TCP, or TLS over OpenSSL verifying the server's certificate
// against a CA file (or the system's store) and the host name or IP address.
//
// Threading contract: a RedisConnection is used by one thread at a time (command(),
// pipeline(), the destructor); interrupt() and alive() may be called from any thread while
// that thread is blocked in a call, but not concurrently with the destructor.
//
// The password never appears in an exception text: every message the connection builds is
// scrubbed of it before it is thrown.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tribune::bus {

struct RedisSettings {
  std::string host = "127.0.0.1";
  int port = 6379;
  bool tls = false;
  std::optional<std::filesystem::path> caFile;     // tls: verify against this CA (else the system's store)
  std::string user;                                // ACL user; empty: AUTH with the password only (if any)
  std::string password;                            // never in any message, log or exception text
  std::chrono::milliseconds connectTimeout{3000};  // TCP connect and TLS handshake
  std::chrono::milliseconds ioTimeout{5000};       // per command (AUTH included) unless the call gives another
};

// A command()'s timeout that never expires: for XREAD/XREADGROUP BLOCK 0, ended by
// interrupt(). For BLOCK n, give n plus some margin instead.
inline constexpr std::chrono::milliseconds kNoTimeout = std::chrono::milliseconds::max();

struct RedisReply {
  enum class Kind { Nil, Integer, String, Status, Error, Array };
  Kind kind = Kind::Nil;
  long long integer = 0;             // Integer
  std::string text;                  // String (binary-safe), Status, Error
  std::vector<RedisReply> elements;  // Array

  bool isNil() const { return kind == Kind::Nil; }
  bool isError() const { return kind == Kind::Error; }
  bool isArray() const { return kind == Kind::Array; }
  bool isInteger() const { return kind == Kind::Integer; }
  bool isString() const { return kind == Kind::String; }
  // The +OK status of SET, XGROUP CREATE, AUTH…
  bool isOk() const { return kind == Kind::Status && text == "OK"; }
  // An error reply whose code (its first word) is `code`: "NOPERM", "BUSYGROUP", "NOGROUP"…
  bool isErrorCode(std::string_view code) const;

  // For messages: "error 'NOPERM …'", "array of 3", "string 'abc'" (text cut at 80 bytes).
  std::string describe() const;
};

std::string_view kindName(RedisReply::Kind kind);

// I/O failure, timeout, interrupt, refused AUTH, TLS failure, malformed reply.
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RedisConnection {
 public:
  // Connects (connectTimeout), does the TLS handshake if settings.tls, then AUTH (ioTimeout)
  // if a password or user is given. Throws RedisError on any failure, and on settings that
  // cannot work (empty host, port out of range, caFile without tls).
  explicit RedisConnection(RedisSettings settings);
  ~RedisConnection();

  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // One command; an error reply is returned as Kind::Error (not thrown). Throws RedisError
  // on I/O failure, timeout or interrupt, after which the connection is closed and every
  // later call throws. `timeout` replaces settings.ioTimeout for this call (kNoTimeout: none).
  RedisReply command(const std::vector<std::string>& argv,
                     std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // The commands in one write, then their replies in order (settings.ioTimeout for all).
  std::vector<RedisReply> pipeline(const std::vector<std::vector<std::string>>& commands);

  // From any thread: makes a call blocked in command() (XREAD BLOCK 0) throw RedisError
  // promptly, or the next call throw if none is blocked. Final: the connection is dead
  // afterwards. For stopping threads.
  void interrupt();
  // False once an I/O failure, timeout or interrupt has closed the connection.
  bool alive() const;

  const RedisSettings& settings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Stream replies, parsed. Field names and values are binary-safe.
struct StreamEntry {
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;  // in the entry's order
  // The first field named `name`, or nullptr.
  const std::string* field(std::string_view name) const;
};

// XRANGE / XREVRANGE: an array of [id, [field, value, …]]. An entry whose fields are nil
// (XREADGROUP's pending history for a deleted entry) has no fields.
std::vector<StreamEntry> streamEntries(const RedisReply& reply);
// XREAD / XREADGROUP: nil (nothing before the BLOCK timeout) or an array of
// [stream, entries]; the entries of `stream` (none if it is not in the reply).
std::vector<StreamEntry> streamRead(const RedisReply& reply, std::string_view stream);

struct AutoClaim {
  std::string nextId;  // the cursor for the next XAUTOCLAIM; "0-0" once the scan is complete
  std::vector<StreamEntry> entries;
  std::vector<std::string> deletedIds;  // Redis 7: pending ids whose entry was deleted (dropped from the PEL)
};
// XAUTOCLAIM: [next id, entries] (Redis 6.2) or [next id, entries, deleted ids] (Redis 7).
AutoClaim autoClaim(const RedisReply& reply);

// Compares stream ids "ms-seq" (or "ms", seq 0) numerically: <0, 0, >0. Throws RedisError
// naming the id that is not one.
int compareStreamIds(std::string_view a, std::string_view b);

}  // namespace tribune::bus
