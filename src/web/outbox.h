#pragma once
// Outbox: everything other threads hand to the web thread — websocket messages, close
// requests and REST answers — in bounded queues, plus the decision to wake the lws loop.
//
// Threading contract: push / pushToMany / requestClose / setMessageLimit / respond / stop
// may be called from any thread. open / forget / expectResponse / forgetRequest / takeWork /
// next are for the web thread only. Every member takes mutex_ (the only lock here, a leaf:
// nothing else is locked while it is held). The wake function runs with mutex_ held, so it must neither
// block nor call back into the Outbox; lws_cancel_service() qualifies (it writes to the
// loop's event fd and takes no lws lock in this single-service-thread build).
//
// Policy (backpressure): a connection holds at most maxQueuedMessages messages not yet
// given to lws. The message that would exceed it drops the connection instead: its queue
// is freed at once, later messages to it are discarded, and the web thread is told to
// close it. Memory never grows with a client that cannot keep up.
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "web/web_server.h"

namespace tribune::web {

class Outbox {
 public:
  // One payload may be shared by every connection a broadcast reaches.
  struct Message {
    std::shared_ptr<const std::string> bytes;
    bool binary = false;
  };

  enum class Pushed {
    Queued,             // the web thread will write it
    UnknownConnection,  // never opened, or already closed: dropped
    Closing,            // the connection is being closed or was dropped: dropped
    Overflow,           // this message overflowed the queue: the connection is now dropped
  };

  // What the web thread must do after a wake-up.
  struct Work {
    std::vector<ConnectionId> writable;  // something to write, or a close to send
    std::vector<ConnectionId> slow;      // overflowed: close them now
    std::vector<std::pair<RequestId, HttpResponse>> responses;
    std::vector<std::pair<ConnectionId, std::size_t>> messageLimits;  // apply before writing
  };

  // What SERVER_WRITEABLE should do for one connection.
  struct Next {
    std::optional<Message> message;          // write this, then ask for WRITEABLE if `more`
    std::optional<std::string> closeReason;  // queue drained and a close was requested
    bool more = false;
  };

  Outbox(std::size_t maxQueuedMessages, std::function<void()> wake);

  // Web thread.
  void open(ConnectionId connection);
  void forget(ConnectionId connection);
  void expectResponse(RequestId request);
  void forgetRequest(RequestId request);
  Work takeWork();
  Next next(ConnectionId connection);

  // Any thread.
  Pushed push(ConnectionId connection, Message message);
  // Returns how many connections overflowed (and are now dropped).
  std::size_t pushToMany(const std::vector<ConnectionId>& connections, const Message& message);
  void requestClose(ConnectionId connection, std::string reason);
  // A new incoming size limit for an open connection (ignored for an unknown one).
  void setMessageLimit(ConnectionId connection, std::size_t bytes);
  // False when nobody waits for this request any more (answered, timed out, client gone).
  bool respond(RequestId request, HttpResponse response);
  // After stop() nothing is queued and wake is never called again (the loop is going away);
  // with wakeLoop, wake is called one last time, under the lock, so the loop notices.
  // Once stop() has returned, no thread is inside wake: the loop may be destroyed.
  void stop(bool wakeLoop);

  [[nodiscard]] std::size_t queuedMessages(ConnectionId connection) const;

 private:
  struct Queue {
    std::deque<Message> messages;
    std::optional<std::string> closeReason;
    bool dropped = false;  // overflowed; waiting for the web thread to close it
    bool needsAttention = false;
  };

  Pushed pushLocked(ConnectionId connection, Message message);
  void attendLocked(ConnectionId connection, Queue& queue);
  void wakeLocked();

  const std::size_t maxQueuedMessages_;
  const std::function<void()> wake_;

  mutable std::mutex mutex_;  // leaf lock; guards everything below
  std::unordered_map<ConnectionId, Queue> queues_;
  std::vector<ConnectionId> attention_;  // at most one entry per open connection
  std::unordered_set<RequestId> awaitedRequests_;
  std::vector<std::pair<RequestId, HttpResponse>> responses_;  // at most one per awaited request
  std::vector<std::pair<ConnectionId, std::size_t>> messageLimits_;
  bool wakePending_ = false;
  bool stopped_ = false;
};

}  // namespace tribune::web
