#pragma once
// One destination's connection state machine (DESIGN.md §4):
//   Idle → Connecting → Live → Retrying(attempt, next try) → Connecting … / Failed(reason)
// It decides; the media adapter acts. Inputs are what the adapter observed, with the time
// they were observed; outputs are actions for the adapter. Pure and deterministic.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/backoff.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/failure.h"

namespace tribune::core {

enum class DestinationPhase { Idle, Connecting, Live, Retrying, Failed };
std::string_view toString(DestinationPhase phase);  // "idle", "connecting", …

enum class DestinationAction {
  Connect,     // tear down any previous connection and open a fresh one
  GoLive,      // the server took the publish: open the media gate from the next key unit
  Disconnect,  // tear the connection down (end of stream when it was live)
};

struct DestinationStatus {
  DestinationPhase phase = DestinationPhase::Idle;
  TimePoint since{};                   // when the phase was entered
  int attempt = 0;                     // consecutive failed attempts since last live
  std::optional<TimePoint> nextTry;    // when Retrying
  std::optional<Failure> lastFailure;  // kept after recovery, for the console
  std::optional<TimePoint> liveSince;  // of the current connection
  // The first time it went live in this run of the program; never reset, not even by
  // stop(): a reconnect continues the same live on the platform (Facebook counts its 8 h
  // from there), and only a new run of the program starts a new one.
  std::optional<TimePoint> firstLiveSince;
  int reconnects = 0;           // times it came back live after losing the connection
  std::uint64_t bytesSent = 0;  // of the current connection
};

class DestinationMachine {
 public:
  using Actions = std::vector<DestinationAction>;

  DestinationMachine(const RetrySettings& retry, Random& random);

  Actions start(TimePoint now);
  Actions stop(TimePoint now);
  // The server accepted the publish (the adapter saw the connection established).
  Actions connected(TimePoint now);
  Actions failed(TimePoint now, Failure failure);
  // Byte counter of the current connection, polled by the hub.
  Actions progress(TimePoint now, std::uint64_t bytesSent);
  // Timers: retry due, connect timeout, stall.
  Actions tick(TimePoint now);
  // The technician's "réessayer maintenant": from Retrying or Failed, connect at once.
  Actions retryNow(TimePoint now);

  [[nodiscard]] const DestinationStatus& status() const { return status_; }

 private:
  void enter(DestinationPhase phase, TimePoint now);

  RetrySettings retry_;
  Random& random_;  // not owned; outlives the machine (owned by the hub)
  DestinationStatus status_;
  int refusals_ = 0;  // consecutive refusals that look permanent (key, certificate)
  bool everLive_ = false;
  TimePoint lastProgress_{};
};

}  // namespace tribune::core
