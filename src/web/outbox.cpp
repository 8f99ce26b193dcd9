// Threading contract and lock order: see outbox.h (one leaf mutex; wake runs under it).
#include "web/outbox.h"

namespace tribune::web {

Outbox::Outbox(std::size_t maxQueuedMessages, std::function<void()> wake)
    : maxQueuedMessages_(maxQueuedMessages == 0 ? 1 : maxQueuedMessages), wake_(std::move(wake)) {}

void Outbox::open(ConnectionId connection) {
  std::lock_guard lock(mutex_);
  queues_.try_emplace(connection);
}

void Outbox::forget(ConnectionId connection) {
  std::lock_guard lock(mutex_);
  queues_.erase(connection);
  // A stale id left in attention_ is skipped by takeWork.
}

void Outbox::expectResponse(RequestId request) {
  std::lock_guard lock(mutex_);
  awaitedRequests_.insert(request);
}

void Outbox::forgetRequest(RequestId request) {
  std::lock_guard lock(mutex_);
  awaitedRequests_.erase(request);
}

Outbox::Work Outbox::takeWork() {
  std::lock_guard lock(mutex_);
  wakePending_ = false;
  Work work;
  for (ConnectionId connection : attention_) {
    auto found = queues_.find(connection);
    if (found == queues_.end() || !found->second.needsAttention) continue;
    found->second.needsAttention = false;
    (found->second.dropped ? work.slow : work.writable).push_back(connection);
  }
  attention_.clear();
  work.responses.swap(responses_);
  work.messageLimits.swap(messageLimits_);
  return work;
}

Outbox::Next Outbox::next(ConnectionId connection) {
  std::lock_guard lock(mutex_);
  Next next;
  auto found = queues_.find(connection);
  if (found == queues_.end() || found->second.dropped) return next;
  Queue& queue = found->second;
  if (!queue.messages.empty()) {
    next.message = std::move(queue.messages.front());
    queue.messages.pop_front();
    next.more = !queue.messages.empty() || queue.closeReason.has_value();
  } else if (queue.closeReason) {
    next.closeReason = std::move(queue.closeReason);
    queue.closeReason.reset();
    queue.dropped = true;  // nothing more goes out on it
  }
  return next;
}

Outbox::Pushed Outbox::push(ConnectionId connection, Message message) {
  std::lock_guard lock(mutex_);
  return pushLocked(connection, std::move(message));
}

std::size_t Outbox::pushToMany(const std::vector<ConnectionId>& connections, const Message& message) {
  std::lock_guard lock(mutex_);
  std::size_t overflowed = 0;
  for (ConnectionId connection : connections) {
    if (pushLocked(connection, message) == Pushed::Overflow) ++overflowed;
  }
  return overflowed;
}

void Outbox::requestClose(ConnectionId connection, std::string reason) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  auto found = queues_.find(connection);
  if (found == queues_.end() || found->second.dropped || found->second.closeReason) return;
  found->second.closeReason = std::move(reason);
  attendLocked(connection, found->second);
}

void Outbox::setMessageLimit(ConnectionId connection, std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (stopped_ || queues_.count(connection) == 0) return;
  messageLimits_.emplace_back(connection, bytes);
  wakeLocked();
}

bool Outbox::respond(RequestId request, HttpResponse response) {
  std::lock_guard lock(mutex_);
  if (stopped_ || awaitedRequests_.erase(request) == 0) return false;
  responses_.emplace_back(request, std::move(response));
  wakeLocked();
  return true;
}

void Outbox::stop(bool wakeLoop) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  stopped_ = true;
  for (auto& [connection, queue] : queues_) queue.messages.clear();
  responses_.clear();
  messageLimits_.clear();
  awaitedRequests_.clear();
  if (wakeLoop && wake_) wake_();
}

std::size_t Outbox::queuedMessages(ConnectionId connection) const {
  std::lock_guard lock(mutex_);
  auto found = queues_.find(connection);
  return found == queues_.end() ? 0 : found->second.messages.size();
}

Outbox::Pushed Outbox::pushLocked(ConnectionId connection, Message message) {
  if (stopped_) return Pushed::Closing;
  auto found = queues_.find(connection);
  if (found == queues_.end()) return Pushed::UnknownConnection;
  Queue& queue = found->second;
  if (queue.dropped || queue.closeReason) return Pushed::Closing;
  if (queue.messages.size() >= maxQueuedMessages_) {
    queue.dropped = true;
    std::deque<Message>().swap(queue.messages);  // give the memory back now
    attendLocked(connection, queue);
    return Pushed::Overflow;
  }
  queue.messages.push_back(std::move(message));
  attendLocked(connection, queue);
  return Pushed::Queued;
}

void Outbox::attendLocked(ConnectionId connection, Queue& queue) {
  if (!queue.needsAttention) {
    queue.needsAttention = true;
    attention_.push_back(connection);
  }
  wakeLocked();
}

void Outbox::wakeLocked() {
  // One wake per batch: the web thread clears wakePending_ in takeWork before reading the
  // queues, so a push that lands after that wakes it again and nothing is missed.
  if (wakePending_ || stopped_) return;
  wakePending_ = true;
  if (wake_) wake_();
}

}  // namespace tribune::web
