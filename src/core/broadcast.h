#pragma once
// The broadcast as the hub sees it: on or off, and the destinations with their desired
// state (enabled) and connection state machines. Commands are validated here and answer
// with a stable code; what the media adapter must do comes out as orders, and what
// changed comes out as notices (logged now, appended to the event log later).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/destination.h"

namespace tribune::core {

enum class CommandStatus {
  Ok = 0,
  UnknownDestination = 404,
  DuplicateDestination = 409,
  DestinationDisabled = 412,
  NotRunning = 425,
};
std::string_view toString(CommandStatus status);

struct CommandResult {
  CommandStatus status = CommandStatus::Ok;
  std::string comment;  // for humans; never contains a secret
  [[nodiscard]] bool ok() const { return status == CommandStatus::Ok; }
};

struct Destination {
  DestinationSettings settings;
  DestinationMachine machine;
};

struct MediaOrder {
  std::string destination;
  DestinationAction action;
  friend bool operator==(const MediaOrder&, const MediaOrder&) = default;
};

struct PhaseChange {
  std::string destination;
  DestinationPhase from;
  DestinationPhase to;
  std::optional<Failure> failure;  // when the change was caused by one
};

class Broadcast {
 public:
  Broadcast(RetrySettings retry, Random& random);
  Broadcast(const Broadcast&) = delete;
  Broadcast& operator=(const Broadcast&) = delete;

  CommandResult addDestination(DestinationSettings settings, TimePoint now);
  CommandResult start(TimePoint now);
  CommandResult stop(TimePoint now);
  CommandResult setEnabled(std::string_view name, bool enabled, TimePoint now);
  CommandResult retryNow(std::string_view name, TimePoint now);
  // A new address for a destination (a live prepared by API): it reconnects there when it
  // was connected. Refusals: unknown_destination.
  CommandResult setUrl(std::string_view name, PublishUrl url, TimePoint now);

  // What the media adapter observed, posted to the hub.
  void connected(std::string_view name, TimePoint now);
  void failed(std::string_view name, Failure failure, TimePoint now);
  void progress(std::string_view name, std::uint64_t bytesSent, TimePoint now);
  void tick(TimePoint now);

  std::vector<MediaOrder> takeOrders();
  std::vector<PhaseChange> takeChanges();

  [[nodiscard]] bool running() const { return running_; }
  [[nodiscard]] const std::vector<Destination>& destinations() const { return destinations_; }
  [[nodiscard]] const Destination* find(std::string_view name) const;

 private:
  Destination* findMutable(std::string_view name);
  template <typename Step>
  void apply(Destination& destination, Step&& step);

  RetrySettings retry_;
  Random& random_;  // owned by the hub, outlives the broadcast
  bool running_ = false;
  std::vector<Destination> destinations_;  // in configuration order, for the console
  std::vector<MediaOrder> orders_;
  std::vector<PhaseChange> changes_;
};

}  // namespace tribune::core
