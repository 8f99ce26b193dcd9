// The town hall's link to a public edge: see edge_link.h.
#include "app/edge_link.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "app/hub_internal.h"
#include "core/backoff.h"
#include "edge/link_crypto.h"

namespace tribune::app {
namespace {

using Clock = std::chrono::steady_clock;

class LinkRandom final : public core::Random {
 public:
  double uniform() override {
    std::uint32_t value = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value) != 1) return 0.5;
    return static_cast<double>(value) / 4294967296.0;
  }
};

web::LinkTarget targetOf(const core::EdgeAddress& address, const core::EdgeLinkSettings& settings) {
  web::LinkTarget target;
  target.tls = address.tls;
  target.host = address.host;
  target.port = address.port;
  target.path = address.path;
  if (settings.caFile) target.caFile = *settings.caFile;
  return target;
}

}  // namespace

EdgeLink::EdgeLink(core::EdgeLinkSettings settings, std::string meetingId, EdgeLinkListener& listener)
    : settings_(std::move(settings)), meetingId_(std::move(meetingId)), listener_(listener) {
  client_ = std::make_unique<web::LinkClient>(static_cast<web::LinkClientListener&>(*this));
  thread_ = std::thread([this] { run(); });
}

EdgeLink::~EdgeLink() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  client_.reset();  // closes the connection; no callback reaches the state below afterwards
}

void EdgeLink::send(std::uint64_t link, std::string text) {
  {
    const std::lock_guard lock(mutex_);
    if (link == 0 || link != upAttempt_) return;
  }
  client_->send(link, std::move(text));
}

void EdgeLink::drop(std::uint64_t link, const std::string& reason) {
  hubLogger()->warn("edge: link dropped: {}", reason);
  client_->disconnect(link);
}

EdgeLinkStats EdgeLink::stats() const {
  const std::lock_guard lock(mutex_);
  return stats_;
}

void EdgeLink::onLinkOpen(std::uint64_t attempt) {
  {
    const std::lock_guard lock(mutex_);
    inbox_.emplace_back(Opened{attempt});
  }
  wake_.notify_all();
}

void EdgeLink::onLinkMessage(std::uint64_t attempt, std::string text) {
  {
    const std::lock_guard lock(mutex_);
    inbox_.emplace_back(Received{attempt, std::move(text)});
  }
  wake_.notify_all();
}

void EdgeLink::onLinkClosed(std::uint64_t attempt, std::string reason) {
  {
    const std::lock_guard lock(mutex_);
    inbox_.emplace_back(Closed{attempt, std::move(reason)});
  }
  wake_.notify_all();
}

void EdgeLink::run() {
  std::unique_lock lock(mutex_);
  connectAt_ = Clock::now();
  while (!stopping_) {
    while (!inbox_.empty() && !stopping_) {
      auto happening = std::move(inbox_.front());
      inbox_.pop_front();
      lock.unlock();
      handle(happening, Clock::now());
      lock.lock();
    }
    if (stopping_) break;
    lock.unlock();
    const auto now = Clock::now();
    if (state_ == State::Idle && now >= connectAt_) connectNext(now);
    if (state_ == State::Up && now >= heartbeatAt_) {
      client_->send(attempt_, std::string(core::kLinkHeartbeat));
      heartbeatAt_ = now + kHeartbeat;
    }
    if (state_ != State::Idle && now - heardAt_ >= kSilence) {
      client_->disconnect(attempt_);
      fail(state_ == State::Up ? "l'edge ne répond plus depuis 15 s / the edge has been silent for 15 s"
                               : "pas de réponse de l'edge / no answer from the edge",
           now, false);
    }
    lock.lock();
    if (!inbox_.empty() || stopping_) continue;
    auto wakeAt = now + std::chrono::seconds(1);
    if (state_ == State::Idle) wakeAt = std::min(wakeAt, connectAt_);
    wake_.wait_until(lock, wakeAt);
  }
}

void EdgeLink::connectNext(Clock::time_point now) {
  const auto& address = settings_.urls.at(next_ % settings_.urls.size());
  next_ = (next_ + 1) % settings_.urls.size();
  state_ = State::Connecting;
  heardAt_ = now;
  handshake_.reset();
  hubLogger()->info("edge: connexion à / connecting to {}:{}", address.host, address.port);
  try {
    attempt_ = client_->connect(targetOf(address, settings_));
  } catch (const std::invalid_argument& e) {  // e.g. the CA file has gone
    fail(e.what(), now, false);
  }
}

// A link that fails, or an attempt that does: the next edge, after a growing wait; at once
// when a link that held a while drops (another edge is likely up).
void EdgeLink::fail(const std::string& reason, Clock::time_point now, bool refusedProof) {
  const bool wasUp = state_ == State::Up;
  const std::uint64_t attempt = attempt_;
  if (wasUp && now - upAt_ > std::chrono::seconds(30)) failuresInRow_ = 0;
  ++failuresInRow_;
  state_ = State::Idle;
  handshake_.reset();
  {
    const std::lock_guard lock(mutex_);
    upAttempt_ = 0;
    stats_.up = false;
    stats_.edge.clear();
    stats_.lastError = reason;
    ++stats_.failures;
    if (refusedProof) ++stats_.refused;
  }
  static LinkRandom random;
  const core::BackoffPolicy policy{std::chrono::duration_cast<std::chrono::milliseconds>(settings_.reconnectMin),
                                   std::chrono::duration_cast<std::chrono::milliseconds>(settings_.reconnectMax), 0.2};
  const auto delay =
      failuresInRow_ <= 1 && wasUp ? std::chrono::milliseconds(0) : core::backoffDelay(policy, failuresInRow_, random);
  connectAt_ = now + delay;
  hubLogger()->warn("edge: {} (nouvel essai dans {} ms / retrying in {} ms)", reason, delay.count(), delay.count());
  if (wasUp) listener_.onEdgeLinkDown(attempt, reason);
}

void EdgeLink::handle(const Happening& happening, Clock::time_point now) {
  if (const auto* opened = std::get_if<Opened>(&happening)) {
    if (opened->attempt != attempt_ || state_ != State::Connecting) return;
    state_ = State::Handshaking;
    heardAt_ = now;
    challenged_ = false;
    handshake_.emplace(settings_.secret, edge::hmacSha256Hex, meetingId_);
    const auto step = handshake_->hello(edge::randomHex(16));
    if (!step.ok) {
      client_->disconnect(attempt_);
      fail(step.failure, now, false);
      return;
    }
    client_->send(attempt_, step.reply);
    return;
  }
  if (const auto* closed = std::get_if<Closed>(&happening)) {
    if (closed->attempt != attempt_ || state_ == State::Idle) return;
    fail(closed->reason, now, false);
    return;
  }
  const auto& received = std::get<Received>(happening);
  if (received.attempt != attempt_ || state_ == State::Idle || state_ == State::Connecting) return;
  heardAt_ = now;
  if (state_ == State::Handshaking) {
    const auto step = challenged_ ? handshake_->onReady(received.text) : handshake_->onChallenge(received.text);
    if (!step.ok) {
      client_->disconnect(attempt_);
      fail("edge refusé / edge refused: " + step.failure, now, true);
      return;
    }
    if (!challenged_) {
      challenged_ = true;
      client_->send(attempt_, step.reply);
      return;
    }
    state_ = State::Up;
    edgeName_ = handshake_->edge();
    upAt_ = now;
    heartbeatAt_ = now + kHeartbeat;
    {
      const std::lock_guard lock(mutex_);
      upAttempt_ = attempt_;
      stats_.up = true;
      stats_.edge = edgeName_;
      stats_.lastError.clear();
      ++stats_.connects;
    }
    listener_.onEdgeLinkUp(attempt_, edgeName_);
    return;
  }
  if (received.text == core::kLinkHeartbeat) return;
  auto parsed = core::parseLinkMessage(received.text, std::size_t{64} * 1024);
  const auto* forward = parsed.ok() ? std::get_if<core::LinkForward>(&*parsed.message) : nullptr;
  if (forward == nullptr) {
    hubLogger()->warn("edge {}: message refused: {}", edgeName_, parsed.ok() ? "not an edge's" : parsed.error);
    return;
  }
  listener_.onEdgeForward({attempt_, forward->ticket, forward->kind == core::ForwardKind::ask ? "ask" : "upvote",
                           forward->viewer, forward->params});
}

}  // namespace tribune::app
