#include "core/broadcast.h"

#include <algorithm>
#include <utility>

namespace tribune::core {

std::string_view toString(CommandStatus status) {
  switch (status) {
    case CommandStatus::Ok: return "ok";
    case CommandStatus::UnknownDestination: return "unknown_destination";
    case CommandStatus::DuplicateDestination: return "duplicate_destination";
    case CommandStatus::DestinationDisabled: return "destination_disabled";
    case CommandStatus::NotRunning: return "not_running";
  }
  return "unknown";
}

Broadcast::Broadcast(RetrySettings retry, Random& random) : retry_(retry), random_(random) {}

const Destination* Broadcast::find(std::string_view name) const {
  auto it = std::find_if(destinations_.begin(), destinations_.end(),
                         [&](const Destination& d) { return d.settings.name == name; });
  return it == destinations_.end() ? nullptr : &*it;
}

Destination* Broadcast::findMutable(std::string_view name) { return const_cast<Destination*>(find(name)); }

// Runs one machine step and records its orders and, when the phase moved, the change.
template <typename Step>
void Broadcast::apply(Destination& destination, Step&& step) {
  const DestinationPhase before = destination.machine.status().phase;
  const int attemptBefore = destination.machine.status().attempt;
  for (DestinationAction action : step(destination.machine)) {
    orders_.push_back({destination.settings.name, action});
  }
  const auto& after = destination.machine.status();
  const bool failedNow = after.attempt > attemptBefore;
  if (after.phase != before || failedNow) {
    changes_.push_back({destination.settings.name, before, after.phase, failedNow ? after.lastFailure : std::nullopt});
  }
}

CommandResult Broadcast::addDestination(DestinationSettings settings, TimePoint now) {
  if (find(settings.name) != nullptr) {
    return {CommandStatus::DuplicateDestination, "a destination named '" + settings.name + "' exists already"};
  }
  destinations_.push_back(Destination{std::move(settings), DestinationMachine{retry_, random_}});
  auto& added = destinations_.back();
  if (running_ && added.settings.enabled) apply(added, [&](auto& m) { return m.start(now); });
  return {};
}

CommandResult Broadcast::setUrl(std::string_view name, PublishUrl url, TimePoint now) {
  Destination* destination = findMutable(name);
  if (destination == nullptr) {
    return {CommandStatus::UnknownDestination, "no destination named '" + std::string(name) + "'"};
  }
  destination->settings.url = std::move(url);
  if (running_ && destination->settings.enabled) {
    apply(*destination, [&](auto& m) { return m.stop(now); });
    apply(*destination, [&](auto& m) { return m.start(now); });
  }
  return {};
}

CommandResult Broadcast::start(TimePoint now) {
  running_ = true;
  for (auto& destination : destinations_) {
    if (destination.settings.enabled) apply(destination, [&](auto& m) { return m.start(now); });
  }
  return {};
}

CommandResult Broadcast::stop(TimePoint now) {
  running_ = false;
  for (auto& destination : destinations_) apply(destination, [&](auto& m) { return m.stop(now); });
  return {};
}

CommandResult Broadcast::setEnabled(std::string_view name, bool enabled, TimePoint now) {
  Destination* destination = findMutable(name);
  if (destination == nullptr)
    return {CommandStatus::UnknownDestination, "no destination named '" + std::string(name) + "'"};
  destination->settings.enabled = enabled;
  if (!enabled) {
    apply(*destination, [&](auto& m) { return m.stop(now); });
  } else if (running_) {
    apply(*destination, [&](auto& m) { return m.start(now); });
  }
  return {};
}

CommandResult Broadcast::retryNow(std::string_view name, TimePoint now) {
  Destination* destination = findMutable(name);
  if (destination == nullptr)
    return {CommandStatus::UnknownDestination, "no destination named '" + std::string(name) + "'"};
  if (!destination->settings.enabled) return {CommandStatus::DestinationDisabled, "the destination is disabled"};
  if (!running_) return {CommandStatus::NotRunning, "the broadcast is stopped"};
  apply(*destination, [&](auto& m) { return m.retryNow(now); });
  return {};
}

void Broadcast::connected(std::string_view name, TimePoint now) {
  if (Destination* d = findMutable(name)) apply(*d, [&](auto& m) { return m.connected(now); });
}

void Broadcast::failed(std::string_view name, Failure failure, TimePoint now) {
  if (Destination* d = findMutable(name)) apply(*d, [&](auto& m) { return m.failed(now, std::move(failure)); });
}

void Broadcast::progress(std::string_view name, std::uint64_t bytesSent, TimePoint now) {
  if (Destination* d = findMutable(name)) apply(*d, [&](auto& m) { return m.progress(now, bytesSent); });
}

void Broadcast::tick(TimePoint now) {
  for (auto& destination : destinations_) apply(destination, [&](auto& m) { return m.tick(now); });
}

std::vector<MediaOrder> Broadcast::takeOrders() { return std::exchange(orders_, {}); }
std::vector<PhaseChange> Broadcast::takeChanges() { return std::exchange(changes_, {}); }

}  // namespace tribune::core
