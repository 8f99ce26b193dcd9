// The websocket endpoint /ws (subprotocol "tribune", or none): open, reassembled text
// messages in, queued messages out, close — and the refusals (an address over its cap of
// connections: 429 before the upgrade; binary from a client: 1003; a message over the
// connection's limit: 1009; a client too slow to read: 1008).
//
// Threading contract: web thread only (every function here runs inside an lws callback).
// Outgoing messages come from other threads through the Outbox. They are written as soon
// as the web thread learns of them (writeQueued, from the wake-up's callback), while the
// socket takes them whole; what lws could not hand to the kernel it keeps and sends first
// (lws_partial_buffered), and the rest waits for SERVER_WRITEABLE. Writing at once spares
// each viewer of an event a round trip through the event loop: at 10,000 viewers that
// round trip (two epoll_ctl per viewer, or a poll() over every descriptor with lws' own
// loop) cost more than the writes themselves (docs/PERFORMANCE.md, "Websockets"). Over
// TLS, lws wants its writes in WRITEABLE only, so there every write waits for it. No lock
// is taken here other than the Outbox's own (a leaf, released before lws or the listener
// is called).
#include <cstring>
#include <string>
#include <vector>

#include "web/web_server_impl.h"
#include "web/wire_text.h"

namespace tribune::web {
namespace {

// The write buffer keeps its capacity between messages, up to this.
constexpr std::size_t kKeptWriteBufferBytes = std::size_t{256} * 1024;

void setCloseReason(lws* wsi, lws_close_status status, std::string reason) {
  lws_close_reason(wsi, status, reinterpret_cast<unsigned char*>(reason.data()), reason.size());
}

std::string peerOf(lws* wsi) {
  char peer[128] = {};
  const char* address = lws_get_peer_simple(wsi, peer, sizeof peer);
  return address != nullptr ? address : "";
}

// An HTTP answer written at once, as lws_return_http_status does (allowed while lws
// confirms an upgrade; it completes the transaction itself). False if it could not be written.
bool answerUpgradeNow(lws* wsi, const HttpResponse& response) {
  std::vector<unsigned char> buffer(LWS_PRE + 1024 + response.body.size());
  unsigned char* start = buffer.data() + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = buffer.data() + buffer.size();
  const std::string length = std::to_string(response.body.size());
  if (lws_add_http_header_status(wsi, static_cast<unsigned int>(response.status), &p, end) != 0 ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
                                   reinterpret_cast<const unsigned char*>(response.contentType.data()),
                                   static_cast<int>(response.contentType.size()), &p, end) != 0 ||
      lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
                                   reinterpret_cast<const unsigned char*>(length.data()),
                                   static_cast<int>(length.size()), &p, end) != 0 ||
      lws_finalize_http_header(wsi, &p, end) != 0) {
    return false;
  }
  std::memcpy(p, response.body.data(), response.body.size());
  p += response.body.size();
  const auto size = static_cast<std::size_t>(p - start);
  return lws_write(wsi, start, size, LWS_WRITE_HTTP) == static_cast<int>(size);
}

}  // namespace

int WebServer::Impl::confirmUpgrade(lws* wsi) {
  // The headers are still there, and nothing is open yet: the earliest point where the
  // client's address is known and a refusal can still be an HTTP status.
  releaseClientAddress(wsi);
  const std::string peer = peerOf(wsi);
  std::string address =
      settings_.clientAddress ? settings_.clientAddress(peer, copyHeader(wsi, WSI_TOKEN_X_FORWARDED_FOR)) : peer;
  if (settings_.maxConnectionsPerAddress > 0) {
    auto open = websocketsPerAddress_.find(address);
    if (open != websocketsPerAddress_.end() && open->second >= settings_.maxConnectionsPerAddress) {
      ++refusedOverCap_;
      webLogger()->info("web: websocket from {} refused: {} already open from that address", address,
                        settings_.maxConnectionsPerAddress);
      const HttpResponse refusal =
          jsonError(429, "too_many_connections",
                    "at most " + std::to_string(settings_.maxConnectionsPerAddress) + " connections per address");
      return answerUpgradeNow(wsi, refusal) ? 1 : -1;  // 1: answered, lws completes the transaction
    }
  }
  // Counted from here, so that upgrades racing each other cannot pass the cap together;
  // released by close or by WSI_DESTROY, whichever comes.
  ++websocketsPerAddress_[address];
  clientAddressOf_[wsi] = std::move(address);
  return 0;
}

void WebServer::Impl::releaseClientAddress(lws* wsi) {
  auto found = clientAddressOf_.find(wsi);
  if (found == clientAddressOf_.end()) return;
  auto counted = websocketsPerAddress_.find(found->second);
  if (counted != websocketsPerAddress_.end() && --counted->second == 0) websocketsPerAddress_.erase(counted);
  clientAddressOf_.erase(found);
}

int WebServer::Impl::acceptWebsocket(lws* wsi) {
  // lws picks the protocol by subprotocol name (or takes ours by default); the path is ours
  // to check. Nonzero refuses the upgrade.
  const std::string path = copyHeader(wsi, WSI_TOKEN_GET_URI);
  if (path == kWebsocketPath) return 0;
  webLogger()->debug("web: websocket upgrade refused on {}", path);
  return 1;
}

int WebServer::Impl::onWebsocketOpen(lws* wsi) {
  const ConnectionId id = nextConnection_++;
  connectionOf_[wsi] = id;
  WebsocketConnection& connection = connections_[id];
  connection.wsi = wsi;
  connection.maxMessageBytes = settings_.maxMessageBytes;
  outbox_->open(id);
  ++connectionsOpen_;

  // Resolved when the upgrade was confirmed (the headers are gone by now).
  auto resolved = clientAddressOf_.find(wsi);
  std::string peerAddress = resolved != clientAddressOf_.end() ? resolved->second : peerOf(wsi);
  webLogger()->debug("web: connection {} open from {}", id, peerAddress);
  listener_.onOpen(id, std::move(peerAddress));
  return 0;
}

int WebServer::Impl::onWebsocketReceive(lws* wsi, const char* data, std::size_t len) {
  auto id = connectionOf_.find(wsi);
  if (id == connectionOf_.end()) return -1;
  WebsocketConnection& connection = connections_.at(id->second);
  if (connection.closing) return 0;

  if (lws_frame_is_binary(wsi) != 0) {
    webLogger()->info("web: connection {} sent a binary message: closed", id->second);
    return refuse(wsi, connection, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "text messages only");
  }
  if (connection.incoming.size() + len > connection.maxMessageBytes) {
    ++refusedOversized_;
    webLogger()->info("web: connection {} sent a message over {} bytes: closed", id->second,
                      connection.maxMessageBytes);
    return refuse(wsi, connection, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too large");
  }
  // lws hands a message over in pieces (frames, and parts of frames): gather them.
  connection.incoming.append(data, len);
  if (lws_is_final_fragment(wsi) == 0) return 0;

  ++messagesIn_;
  std::string text;
  text.swap(connection.incoming);
  listener_.onMessage(id->second, std::move(text));
  return 0;
}

int WebServer::Impl::refuse(lws* wsi, WebsocketConnection& connection, lws_close_status status, const char* reason) {
  connection.closing = true;
  std::string().swap(connection.incoming);
  setCloseReason(wsi, status, reason);
  return -1;  // lws sends the close frame with that status, then closes
}

int WebServer::Impl::onWebsocketWriteable(lws* wsi) {
  auto id = connectionOf_.find(wsi);
  if (id == connectionOf_.end()) return -1;
  WebsocketConnection& connection = connections_.at(id->second);
  if (connection.closing) return -1;  // its close reason is set: lws says goodbye
  // Closing: the close reason is set and -1 lets lws say goodbye, as above.
  return writeQueued(wsi, id->second, connection) == Written::Done ? 0 : -1;
}

bool WebServer::Impl::mustWaitForWriteable(lws* wsi) const {
  // Over TLS lws takes one write per WRITEABLE; behind a write lws had to buffer, nothing.
  return settings_.tlsCertificate.has_value() || lws_partial_buffered(wsi) != 0;
}

void WebServer::Impl::writeSoon(ConnectionId id, WebsocketConnection& connection) {
  if (connection.closing) return;
  if (mustWaitForWriteable(connection.wsi)) {
    lws_callback_on_writable(connection.wsi);
    return;
  }
  switch (writeQueued(connection.wsi, id, connection)) {
    case Written::Done: break;
    case Written::Closing: lws_callback_on_writable(connection.wsi); break;  // WRITEABLE lets lws close
    case Written::Failed:
      connection.closing = true;
      lws_set_timeout(connection.wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
      break;
  }
}

WebServer::Impl::Written WebServer::Impl::writeQueued(lws* wsi, ConnectionId id, WebsocketConnection& connection) {
  while (true) {
    Outbox::Next next = outbox_->next(id);
    if (next.closeReason) {
      connection.closing = true;
      setCloseReason(wsi, LWS_CLOSE_STATUS_NORMAL, std::move(*next.closeReason));
      return Written::Closing;
    }
    if (!next.message) return Written::Done;

    const std::string& bytes = *next.message->bytes;
    if (writeBuffer_.capacity() > kKeptWriteBufferBytes && bytes.size() <= kKeptWriteBufferBytes) {
      std::vector<unsigned char>().swap(writeBuffer_);
    }
    writeBuffer_.resize(LWS_PRE + bytes.size());
    std::memcpy(writeBuffer_.data() + LWS_PRE, bytes.data(), bytes.size());
    const int written = lws_write(wsi, writeBuffer_.data() + LWS_PRE, bytes.size(),
                                  next.message->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
    // lws keeps whatever the socket did not take and sends it before the next WRITEABLE.
    if (written < static_cast<int>(bytes.size())) {
      webLogger()->info("web: connection {}: write failed, closing", id);
      return Written::Failed;
    }
    ++messagesOut_;
    if (!next.more) return Written::Done;
    // On while the kernel takes it all.
    if (mustWaitForWriteable(wsi)) {
      lws_callback_on_writable(wsi);
      return Written::Done;
    }
  }
}

void WebServer::Impl::dropSlow(ConnectionId id, WebsocketConnection& connection) {
  if (connection.closing) return;
  connection.closing = true;
  webLogger()->warn("web: connection {} too slow (over {} messages waiting): dropped", id, settings_.maxQueuedMessages);
  if (lws_send_pipe_choked(connection.wsi) != 0) {
    // Its socket is full: a close frame could not get through either. Cut it now.
    lws_set_timeout(connection.wsi, PENDING_TIMEOUT_LAGGING, LWS_TO_KILL_ASYNC);
    return;
  }
  setCloseReason(connection.wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow");
  lws_callback_on_writable(connection.wsi);  // WRITEABLE sees `closing` and lets lws close
}

void WebServer::Impl::onWebsocketClosed(lws* wsi) {
  releaseClientAddress(wsi);
  auto found = connectionOf_.find(wsi);
  if (found == connectionOf_.end()) return;
  const ConnectionId id = found->second;
  connectionOf_.erase(found);
  connections_.erase(id);
  outbox_->forget(id);
  --connectionsOpen_;
  webLogger()->debug("web: connection {} closed", id);
  listener_.onClose(id);
}

}  // namespace tribune::web
