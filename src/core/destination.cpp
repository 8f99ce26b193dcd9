#include "core/destination.h"

#include <array>

namespace tribune::core {

std::string_view toString(DestinationPhase phase) {
  static constexpr std::array<std::string_view, 5> kNames{"idle", "connecting", "live", "retrying", "failed"};
  return kNames.at(static_cast<std::size_t>(phase));
}

DestinationMachine::DestinationMachine(const RetrySettings& retry, Random& random) : retry_(retry), random_(random) {}

void DestinationMachine::enter(DestinationPhase phase, TimePoint now) {
  status_.phase = phase;
  status_.since = now;
  if (phase != DestinationPhase::Retrying) status_.nextTry.reset();
  if (phase != DestinationPhase::Live) status_.liveSince.reset();
}

DestinationMachine::Actions DestinationMachine::start(TimePoint now) {
  if (status_.phase != DestinationPhase::Idle) return {};
  status_.attempt = 0;
  refusals_ = 0;
  status_.bytesSent = 0;
  enter(DestinationPhase::Connecting, now);
  return {DestinationAction::Connect};
}

DestinationMachine::Actions DestinationMachine::stop(TimePoint now) {
  if (status_.phase == DestinationPhase::Idle) return {};
  const bool hadConnection = status_.phase == DestinationPhase::Connecting || status_.phase == DestinationPhase::Live;
  enter(DestinationPhase::Idle, now);
  if (hadConnection) return {DestinationAction::Disconnect};
  return {};
}

DestinationMachine::Actions DestinationMachine::connected(TimePoint now) {
  if (status_.phase != DestinationPhase::Connecting) return {};  // stale report
  if (everLive_) ++status_.reconnects;
  everLive_ = true;
  status_.attempt = 0;
  refusals_ = 0;
  lastProgress_ = now;
  enter(DestinationPhase::Live, now);
  status_.liveSince = now;
  if (!status_.firstLiveSince) status_.firstLiveSince = now;
  return {DestinationAction::GoLive};
}

DestinationMachine::Actions DestinationMachine::failed(TimePoint now, Failure failure) {
  const auto phase = status_.phase;
  if (phase != DestinationPhase::Connecting && phase != DestinationPhase::Live) return {};  // stale
  // A connection that closes before the publish was accepted is the server saying no.
  if (phase == DestinationPhase::Connecting && failure.kind == FailureKind::ConnectionLost) {
    failure.kind = FailureKind::KeyRefused;
  }
  const bool looksPermanent = failure.kind == FailureKind::KeyRefused || failure.kind == FailureKind::TlsRejected;
  refusals_ = looksPermanent ? refusals_ + 1 : 0;
  status_.lastFailure = std::move(failure);
  ++status_.attempt;
  if (looksPermanent && refusals_ >= retry_.maxKeyRefusals) {
    enter(DestinationPhase::Failed, now);
    return {DestinationAction::Disconnect};
  }
  enter(DestinationPhase::Retrying, now);
  const BackoffPolicy policy{retry_.initialDelay, retry_.maxDelay, 0.2};
  status_.nextTry = now + backoffDelay(policy, status_.attempt, random_);
  return {DestinationAction::Disconnect};
}

DestinationMachine::Actions DestinationMachine::progress(TimePoint now, std::uint64_t bytesSent) {
  if (status_.phase != DestinationPhase::Live) return {};
  if (bytesSent > status_.bytesSent) lastProgress_ = now;
  status_.bytesSent = bytesSent;
  return {};
}

DestinationMachine::Actions DestinationMachine::tick(TimePoint now) {
  switch (status_.phase) {
    case DestinationPhase::Retrying:
      if (status_.nextTry && now >= *status_.nextTry) {
        status_.bytesSent = 0;
        enter(DestinationPhase::Connecting, now);
        return {DestinationAction::Connect};
      }
      return {};
    case DestinationPhase::Connecting:
      if (now - status_.since >= retry_.connectTimeout) {
        return failed(now,
                      Failure{FailureKind::ConnectTimeout, "no publish acknowledgement within the connect timeout"});
      }
      return {};
    case DestinationPhase::Live:
      if (now - lastProgress_ >= retry_.stallTimeout) {
        return failed(now, Failure{FailureKind::Stalled, "no byte sent within the stall timeout"});
      }
      return {};
    case DestinationPhase::Idle:
    case DestinationPhase::Failed: return {};
  }
  return {};
}

DestinationMachine::Actions DestinationMachine::retryNow(TimePoint now) {
  if (status_.phase != DestinationPhase::Retrying && status_.phase != DestinationPhase::Failed) return {};
  refusals_ = 0;
  status_.bytesSent = 0;
  enter(DestinationPhase::Connecting, now);
  return {DestinationAction::Connect};
}

}  // namespace tribune::core
