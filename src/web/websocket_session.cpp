// The websocket endpoint /ws (subprotocol "tribune", or none): open, reassembled text
// messages in, queued messages out, close — and the refusals (binary from a client: 1003;
// a message over maxMessageBytes: 1009; a client too slow to read: 1008).
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

#include "web/web_server_impl.h"

namespace tribune::web {
namespace {

// The write buffer keeps its capacity between messages, up to this.
constexpr std::size_t kKeptWriteBufferBytes = std::size_t{256} * 1024;

void setCloseReason(lws* wsi, lws_close_status status, std::string reason) {
  lws_close_reason(wsi, status, reinterpret_cast<unsigned char*>(reason.data()), reason.size());
}

}  // namespace

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
  connections_[id].wsi = wsi;
  outbox_->open(id);
  ++connectionsOpen_;

  char peer[128] = {};
  const char* address = lws_get_peer_simple(wsi, peer, sizeof peer);
  std::string peerAddress = address != nullptr ? address : "";
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
  if (connection.incoming.size() + len > settings_.maxMessageBytes) {
    ++refusedOversized_;
    webLogger()->info("web: connection {} sent a message over {} bytes: closed", id->second, settings_.maxMessageBytes);
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
