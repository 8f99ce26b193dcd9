#include "core/overlays.h"

#include <algorithm>
#include <array>
#include <utility>

namespace tribune::core {

namespace {

struct LayerInfo {
  Layer layer;
  std::string_view name;
};

constexpr std::array<LayerInfo, kLayerCount> kLayers{{
    {Layer::Bug, "bug"},
    {Layer::Qr, "qr"},
    {Layer::LowerThird, "lower_third"},
    {Layer::Slate, "slate"},
}};

bool isKnown(Layer layer) {
  const auto index = static_cast<int>(layer);
  return index >= 0 && index < kLayerCount;
}

std::size_t indexOf(Layer layer) { return static_cast<std::size_t>(layer); }

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    if (!out.empty()) out += ", ";
    out += word;
  }
  return out;
}

OverlayResult unknownLayer(Layer layer) {
  return {OverlayStatus::UnknownLayer,
          "unknown layer " + std::to_string(static_cast<int>(layer)) + "; known layers: bug, qr, lower_third, slate"};
}

OverlayResult nothingShown(Layer layer) {
  return {OverlayStatus::NothingShown, "nothing is shown on the " + std::string(toString(layer)) + " layer"};
}

}  // namespace

std::string_view toString(Layer layer) {
  if (!isKnown(layer)) return "unknown";
  return kLayers[indexOf(layer)].name;
}

std::optional<Layer> layerFromString(std::string_view name) {
  const auto found =
      std::find_if(kLayers.begin(), kLayers.end(), [name](const LayerInfo& info) { return info.name == name; });
  if (found == kLayers.end()) return std::nullopt;
  return found->layer;
}

const std::vector<std::string>& templatesOf(Layer layer) {
  static const std::array<std::vector<std::string>, kLayerCount> kTemplates{{
      {"bug"},
      {"qr"},
      {"agenda", "speaker", "vote", "question"},
      {"starting", "suspension", "huis-clos", "signal-lost", "ended"},
  }};
  static const std::vector<std::string> kNone;
  return isKnown(layer) ? kTemplates[indexOf(layer)] : kNone;
}

bool templateAllowedOn(Layer layer, std::string_view templateName) {
  const auto& allowed = templatesOf(layer);
  return std::find(allowed.begin(), allowed.end(), templateName) != allowed.end();
}

std::string_view toString(OverlayStatus status) {
  switch (status) {
    case OverlayStatus::Ok: return "ok";
    case OverlayStatus::UnknownLayer: return "unknown_layer";
    case OverlayStatus::TemplateNotAllowed: return "template_not_allowed";
    case OverlayStatus::NothingShown: return "nothing_shown";
  }
  return "unknown";
}

std::string_view toString(OverlayEvent::Kind kind) {
  switch (kind) {
    case OverlayEvent::Kind::Shown: return "shown";
    case OverlayEvent::Kind::Updated: return "updated";
    case OverlayEvent::Kind::Hidden: return "hidden";
  }
  return "unknown";
}

OverlayResult Overlays::show(Layer layer, const std::string& templateName, OverlayValues values, TimePoint now) {
  if (!isKnown(layer)) return unknownLayer(layer);
  if (!templateAllowedOn(layer, templateName)) {
    return {OverlayStatus::TemplateNotAllowed, "template '" + templateName + "' is not allowed on the " +
                                                   std::string(toString(layer)) +
                                                   " layer; allowed: " + joined(templatesOf(layer))};
  }
  record({OverlayEvent::Kind::Shown, layer, templateName, std::move(values), now});
  return {};
}

OverlayResult Overlays::update(Layer layer, const OverlayValues& values, TimePoint now) {
  if (!isKnown(layer)) return unknownLayer(layer);
  const auto& current = layers_[indexOf(layer)];
  if (!current.visible) return nothingShown(layer);
  auto merged = current.values;
  for (const auto& [name, value] : values) merged.insert_or_assign(name, value);
  // Each event means a new rendering; an update that changes nothing is not one.
  if (merged == current.values) return {};
  record({OverlayEvent::Kind::Updated, layer, current.templateName, std::move(merged), now});
  return {};
}

OverlayResult Overlays::hide(Layer layer, TimePoint now) {
  if (!isKnown(layer)) return unknownLayer(layer);
  const auto& current = layers_[indexOf(layer)];
  if (!current.visible) return nothingShown(layer);
  record({OverlayEvent::Kind::Hidden, layer, current.templateName, current.values, now});
  return {};
}

void Overlays::apply(const OverlayEvent& event) {
  if (!isKnown(event.layer)) return;
  auto& state = layers_[indexOf(event.layer)];
  // Every kind carries the complete state after the change, so a replayed log needs no
  // earlier event to be exact; a hidden layer keeps its template and values.
  state.visible = event.kind != OverlayEvent::Kind::Hidden;
  state.templateName = event.templateName;
  state.values = event.values;
}

const LayerState& Overlays::state(Layer layer) const {
  static const LayerState kNothing;
  return isKnown(layer) ? layers_[indexOf(layer)] : kNothing;
}

std::vector<OverlayEvent> Overlays::takeEvents() { return std::exchange(events_, {}); }

void Overlays::record(OverlayEvent event) {
  apply(event);
  events_.push_back(std::move(event));
}

}  // namespace tribune::core
