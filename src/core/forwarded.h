#pragma once
// Who a viewer is, network-wise, at the public edge (issue 22): IP addresses and ranges
// parsed from text, the client's address behind trusted reverse proxies (X-Forwarded-For),
// and the cap of websocket connections per address. Pure: the adapter hands in the peer's
// address and the header as text, as libwebsockets gives them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tribune::core {

// An IPv4 or IPv6 address. IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d), so that
// "1.2.3.4" and "::ffff:1.2.3.4" are one address: a dual-stack socket reports IPv4
// clients in the second form.
class IpAddress {
 public:
  // Strict textual forms only: dotted decimal with 4 parts and no leading zeros
  // ("010.0.0.1" is octal to some parsers); IPv6 with hex groups, at most one "::" and
  // an optional dotted IPv4 tail. No brackets, ports, zone ids (%eth0) or spaces.
  static std::optional<IpAddress> parse(std::string_view text);

  [[nodiscard]] bool isIpv4() const;      // IPv4, written either way
  [[nodiscard]] bool isLoopback() const;  // 127.0.0.0/8 or ::1
  // The one canonical text: dotted decimal for IPv4, RFC 5952 for IPv6 ("2001:db8::1"),
  // so that a rate limit keyed by it cannot be dodged by writing the address another way.
  [[nodiscard]] std::string toString() const;
  [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

// An address or a CIDR range: "10.0.0.0/8", "192.168.1.5" (a /32), "::1", "fd00::/8".
// Bits past the prefix are ignored ("192.168.1.5/24" is 192.168.1.0/24).
struct AddressRange {
  IpAddress base;
  int prefix = 128;  // in bits of the 128-bit form: an IPv4 /8 is 96 + 8

  static std::optional<AddressRange> parse(std::string_view text);
  // False for anything that is not an address (a malformed text is in no range).
  [[nodiscard]] bool contains(std::string_view address) const;
  [[nodiscard]] bool contains(const IpAddress& address) const;
};

// A host that is this machine: localhost (any case), 127.0.0.0/8, ::1 or ::ffff:127.x.x.x.
// "[::1]" is accepted too, as URLs write it.
bool isLoopbackHost(std::string_view host);

// The viewer's address. When `peer` (the TCP peer) is not in `trusted`, the peer: an
// X-Forwarded-For from anyone else is ignored, as anyone can write one. Else the list
// (comma-separated, joined by the adapter when the header came several times) is read
// from the right, the end the trusted proxies wrote, skipping trusted entries, and the
// first untrusted one is the client; when all are trusted, the leftmost. A malformed
// entry stops the walk at the last good hop, so that garbage never becomes an address.
// Addresses that parse are returned in their canonical form (IpAddress::toString).
std::string clientAddress(std::string_view peer, std::string_view xForwardedFor,
                          const std::vector<AddressRange>& trusted);

// At most `perAddress` websocket connections open at once per client address.
class ConnectionCap {
 public:
  explicit ConnectionCap(std::size_t perAddress) : perAddress_(perAddress) {}

  // Counts the connection and returns true, or returns false (and counts nothing) when
  // the address has its cap already.
  bool open(const std::string& address);
  // Harmless for an address with no connection: the count never goes below zero.
  void close(const std::string& address);
  [[nodiscard]] std::size_t count(const std::string& address) const;
  [[nodiscard]] std::size_t addresses() const { return open_.size(); }  // never holds zeros

 private:
  std::size_t perAddress_;
  std::unordered_map<std::string, std::size_t> open_;
};

}  // namespace tribune::core
