#pragma once
// The link's two cryptographic needs, from OpenSSL, for both ends (the town hall's
// app/edge_link.cpp and the edge's edge_server.cpp): the handshake's MAC and its nonces.
#include <cstddef>
#include <string>

namespace tribune::edge {

// HMAC-SHA256 of `message` under `key`, 64 lowercase hex characters (core::Mac).
std::string hmacSha256Hex(const std::string& key, const std::string& message);
// `bytes` bytes from the system's generator, as lowercase hex; throws if it fails.
std::string randomHex(std::size_t bytes);

}  // namespace tribune::edge
