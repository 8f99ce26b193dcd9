#pragma once
// What is on air graphically, as the core decides it. The media side only renders what
// this model says. Layers stack bottom to top: bug, QR code, lower-third, slate (a slate
// covers the whole picture). Each layer shows at most one template at a time.
//
// Commands (show / update / hide) are validated and produce OverlayEvents; events are
// what changed, with the time, and are applied to the state (and later appended to the
// event log, where the replay's chapters are read from).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace tribune::core {

enum class Layer { Bug = 0, Qr = 1, LowerThird = 2, Slate = 3 };
inline constexpr int kLayerCount = 4;
std::string_view toString(Layer layer);  // "bug", "qr", "lower_third", "slate"
std::optional<Layer> layerFromString(std::string_view name);

// Which templates a layer may show (overlays/NAME.svg).
//   bug: bug · qr: qr · lower_third: agenda, speaker, vote, question
//   slate: starting, suspension, huis-clos, signal-lost, ended
bool templateAllowedOn(Layer layer, std::string_view templateName);
const std::vector<std::string>& templatesOf(Layer layer);

using OverlayValues = std::map<std::string, std::string>;

struct LayerState {
  bool visible = false;
  std::string templateName;  // empty when nothing was ever shown
  OverlayValues values;      // the template's variables (not the branding ones)
};

enum class OverlayStatus {
  Ok = 0,
  UnknownLayer = 404,
  TemplateNotAllowed = 422,  // e.g. "vote" on the bug layer
  NothingShown = 409,        // update or hide of a layer that shows nothing
};
std::string_view toString(OverlayStatus status);

struct OverlayResult {
  OverlayStatus status = OverlayStatus::Ok;
  std::string comment;
  [[nodiscard]] bool ok() const { return status == OverlayStatus::Ok; }
};

struct OverlayEvent {
  enum class Kind { Shown, Updated, Hidden };
  Kind kind;
  Layer layer;
  std::string templateName;
  OverlayValues values;  // complete values after the change
  TimePoint at;
};
std::string_view toString(OverlayEvent::Kind kind);  // "shown", "updated", "hidden"

class Overlays {
 public:
  // Shows `templateName` with `values` on `layer`, replacing what was there.
  OverlayResult show(Layer layer, const std::string& templateName, OverlayValues values, TimePoint now);
  // Merges `values` into the visible layer's values. An update that changes no value is
  // Ok and produces no event (nothing to render again).
  OverlayResult update(Layer layer, const OverlayValues& values, TimePoint now);
  OverlayResult hide(Layer layer, TimePoint now);

  // Replays an event (recovery from the event log; also used by the commands). It only
  // changes the state: it records no event.
  void apply(const OverlayEvent& event);

  [[nodiscard]] const LayerState& state(Layer layer) const;
  // Events since the last call, oldest first.
  std::vector<OverlayEvent> takeEvents();

 private:
  void record(OverlayEvent event);  // applies the event, then queues it for takeEvents()

  LayerState layers_[kLayerCount];
  std::vector<OverlayEvent> events_;
};

}  // namespace tribune::core
