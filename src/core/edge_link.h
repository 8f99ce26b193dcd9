#pragma once
// The link between the town hall's Tribune and a public edge (issue 22): the town hall
// connects out to the edge over a websocket, both ends prove they hold the paired secret,
// then the town hall publishes what viewers may see and the edge forwards what viewers
// send. Pure: the nonces come from the caller's random source and the MAC from the
// adapter (HMAC-SHA256 with OpenSSL); the adapters own the sockets.
//
// The handshake, JSON text messages in this order:
//   1. hall → edge  {"type":"link_hello","protocol":1,"nonce":H}
//   2. edge → hall  {"type":"link_challenge","edge":NAME,"nonce":E,"proof":mac(secret,"tribune-edge|"+H+"|"+E)}
//   3. hall → edge  {"type":"link_auth","meeting":ID,"proof":mac(secret,"tribune-hall|"+E+"|"+H)}
//   4. edge → hall  {"type":"link_ready"}
// H and E are 32 lowercase hex characters (128 random bits), fresh for each connection, so
// a recorded proof is worth nothing on the next one. The two proofs are over different
// strings, so one side's proof can never be replayed as the other's.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/secret.h"

namespace tribune::core {

inline constexpr int kLinkProtocol = 1;
inline constexpr std::size_t kLinkNonceLength = 32;
inline constexpr std::size_t kMinLinkSecretLength = 32;
inline constexpr std::size_t kMaxLinkNameLength = 64;
inline constexpr std::size_t kMaxHandshakeBytes = 4096;
inline constexpr std::size_t kMaxLinkJsonDepth = 32;
// Both ends send it every 5 s once the link is up; 15 s without any message drops the link
// (a cut uplink often closes nothing). Compared as text, never parsed.
inline constexpr std::string_view kLinkHeartbeat = R"({"type":"heartbeat"})";

// --- where the edge is -----------------------------------------------------------------

// wss://host[:port][/path]: host without brackets (an IPv6 literal is bracketed again by
// text()), lowercase.
struct EdgeAddress {
  bool tls = true;
  std::string host;
  int port = 443;  // 443 for wss, 80 for ws
  std::string path = "/ws";
  [[nodiscard]] std::string text() const;  // back to a URL
  friend bool operator==(const EdgeAddress&, const EdgeAddress&) = default;
};

struct EdgeAddressResult {
  std::optional<EdgeAddress> address;
  std::string error;  // when no address; never repeats the URL
};

// ws:// only towards this machine (tests, a tunnel ending here): the link carries the
// viewers' questions and the meeting's state, over the internet.
EdgeAddressResult parseEdgeUrl(std::string_view url);

// scheme://host[:port][/path] for the servers the edge and the town hall reach (the edge's
// websocket, Redis): the parts, checked, or an error in English for the config's messages.
struct ServerUrl {
  std::string scheme;  // as given, lowercase
  std::string host;    // lowercase; an IPv6 literal without its brackets
  std::optional<int> port;
  std::string path;  // "" or starting with '/'; no query or fragment
};
struct ServerUrlResult {
  std::optional<ServerUrl> url;
  std::string error;
};
ServerUrlResult parseServerUrl(std::string_view text);

// --- the handshake ---------------------------------------------------------------------

// The adapter's HMAC-SHA256 of `message` under `key`, as 64 lowercase hex characters.
using Mac = std::function<std::string(const std::string& key, const std::string& message)>;

// 32 lowercase hex characters.
bool isLinkNonce(std::string_view text);
// An edge's name or a meeting's id on the link: 1 to 64 of A-Z a-z 0-9 . _ -
bool isLinkName(std::string_view text);

// The strings each side proves it can MAC; exposed for the tests.
std::string edgeProofMessage(std::string_view hallNonce, std::string_view edgeNonce);
std::string hallProofMessage(std::string_view edgeNonce, std::string_view hallNonce);

// One step of a handshake: what to send next (may be empty), or why the link is refused
// (French, for the logs of both ends; never contains the secret or a proof).
struct HandshakeStep {
  bool ok = false;
  std::string reply;
  std::string failure;
};

// The town hall's side. Once a step has failed, every later one fails too: the adapter
// closes the connection and starts a new handshake on the next.
class HallHandshake {
 public:
  HallHandshake(Secret secret, Mac mac, std::string meeting);

  // The link_hello to send first. `nonce`: 32 random lowercase hex characters.
  HandshakeStep hello(std::string nonce);
  // Checks the edge's proof; the reply is the link_auth to send.
  HandshakeStep onChallenge(std::string_view text);
  // The link is up after this one succeeds.
  HandshakeStep onReady(std::string_view text);

  [[nodiscard]] bool ready() const { return stage_ == Stage::ready; }
  [[nodiscard]] const std::string& edge() const { return edge_; }  // the edge's name, once challenged

 private:
  enum class Stage { start, helloSent, authSent, ready, failed };
  HandshakeStep fail(std::string reason);
  Secret secret_;
  Mac mac_;
  std::string meeting_;
  std::string nonce_;
  std::string edge_;
  Stage stage_ = Stage::start;
};

// The edge's side.
class EdgeHandshake {
 public:
  EdgeHandshake(Secret secret, Mac mac, std::string name);

  // The reply is the link_challenge. `nonce`: 32 random lowercase hex characters.
  HandshakeStep onHello(std::string_view text, std::string nonce);
  // Checks the town hall's proof; the reply is link_ready and meeting() is then known.
  HandshakeStep onAuth(std::string_view text);

  [[nodiscard]] bool ready() const { return stage_ == Stage::ready; }
  [[nodiscard]] const std::string& meeting() const { return meeting_; }

 private:
  enum class Stage { start, challenged, ready, failed };
  HandshakeStep fail(std::string reason);
  Secret secret_;
  Mac mac_;
  std::string name_;
  std::string hallNonce_;
  std::string nonce_;
  std::string meeting_;
  Stage stage_ = Stage::start;
};

// --- after the handshake ---------------------------------------------------------------

enum class ForwardKind { ask, upvote };

// hall → edge: a message for every viewer, or for one (`to`: a viewer's browser id).
struct LinkPublish {
  std::uint64_t seq = 0;
  std::optional<std::string> to;
  nlohmann::json message;  // an object: what the viewers receive
};
// hall → edge: everything an edge needs to serve viewers, sent first and on a resync.
struct LinkFull {
  std::uint64_t seq = 0;
  std::string meeting;
  nlohmann::json snapshot;  // an object
  nlohmann::json personal;  // {"<viewer id>": [views]}
};
// hall → edge: the viewers' snapshot changed.
struct LinkState {
  std::uint64_t seq = 0;
  nlohmann::json snapshot;  // an object
};
// hall → edge: the forwarded message `ticket` is in the town hall's log; its result.
struct LinkLogged {
  std::string ticket;
  nlohmann::json result;  // an object
};
// edge → hall: a viewer's question or upvote, read from the Redis stream entry `ticket`.
struct LinkForward {
  std::string ticket;
  ForwardKind kind = ForwardKind::ask;
  std::string viewer;
  nlohmann::json params;  // an object
};

using LinkMessage = std::variant<LinkPublish, LinkFull, LinkState, LinkLogged, LinkForward>;

// Whether the town hall sends it (publish, full, state, logged) rather than the edge.
bool isFromHall(const LinkMessage& message);

struct LinkParseResult {
  std::optional<LinkMessage> message;
  std::string member;  // the member at fault ("seq", "personal.<id>"), or "" for the whole message
  std::string error;   // French, names the member
  [[nodiscard]] bool ok() const { return message.has_value(); }
};

// Never throws, whatever the text. Unknown types and unknown members are refused: both
// ends run the same version of Tribune (link_hello's protocol says which).
LinkParseResult parseLinkMessage(std::string_view text, std::size_t maxBytes);

// A Redis stream entry's id, "1700000000000-0": digits, '-', digits.
bool isStreamTicket(std::string_view text);

// The messages as JSON text (invalid UTF-8 replaced, never thrown).
std::string linkPublish(std::uint64_t seq, const nlohmann::json& message, std::optional<std::string_view> to = {});
std::string linkFull(std::uint64_t seq, std::string_view meeting, const nlohmann::json& snapshot,
                     const nlohmann::json& personal);
std::string linkState(std::uint64_t seq, const nlohmann::json& snapshot);
std::string linkLogged(std::string_view ticket, const nlohmann::json& result);
std::string linkForward(std::string_view ticket, ForwardKind kind, std::string_view viewer,
                        const nlohmann::json& params);

}  // namespace tribune::core
