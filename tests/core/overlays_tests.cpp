#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "core/overlays.h"
#include "fakes.h"

using namespace tribune;
using core::Layer;
using core::OverlayStatus;
using core::OverlayValues;
using testing::at;
using Kind = core::OverlayEvent::Kind;

namespace {

constexpr std::array<Layer, core::kLayerCount> kAllLayers{Layer::Bug, Layer::Qr, Layer::LowerThird, Layer::Slate};

// A value the enum cannot name, as a malformed caller could pass.
constexpr auto kBadLayer = static_cast<Layer>(7);

const OverlayValues kAgenda{{"number", "3"}, {"title", "Budget primitif 2026"}, {"rapporteur", "M. Martin"}};

void checkSameState(const core::Overlays& a, const core::Overlays& b) {
  for (const auto layer : kAllLayers) {
    INFO(core::toString(layer));
    CHECK(a.state(layer).visible == b.state(layer).visible);
    CHECK(a.state(layer).templateName == b.state(layer).templateName);
    CHECK(a.state(layer).values == b.state(layer).values);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Layers and their templates

TEST_CASE("layers stack bug, qr, lower-third, slate from bottom to top", "[overlays]") {
  CHECK(static_cast<int>(Layer::Bug) == 0);
  CHECK(static_cast<int>(Layer::Qr) == 1);
  CHECK(static_cast<int>(Layer::LowerThird) == 2);
  CHECK(static_cast<int>(Layer::Slate) == 3);
  CHECK(core::kLayerCount == 4);
}

TEST_CASE("layer names round-trip and unknown names are refused", "[overlays]") {
  CHECK(core::toString(Layer::Bug) == "bug");
  CHECK(core::toString(Layer::Qr) == "qr");
  CHECK(core::toString(Layer::LowerThird) == "lower_third");
  CHECK(core::toString(Layer::Slate) == "slate");
  for (const auto layer : kAllLayers) CHECK(core::layerFromString(core::toString(layer)) == layer);
  for (const auto* name : {"", "Bug", "lower-third", "lowerthird", "slates", "unknown"}) {
    INFO(name);
    CHECK_FALSE(core::layerFromString(name));
  }
}

TEST_CASE("each layer allows exactly its own templates", "[overlays]") {
  CHECK(core::templatesOf(Layer::Bug) == std::vector<std::string>{"bug"});
  CHECK(core::templatesOf(Layer::Qr) == std::vector<std::string>{"qr"});
  CHECK(core::templatesOf(Layer::LowerThird) == std::vector<std::string>{"agenda", "speaker", "vote", "question"});
  CHECK(core::templatesOf(Layer::Slate) ==
        std::vector<std::string>{"starting", "suspension", "huis-clos", "signal-lost", "ended"});
  for (const auto layer : kAllLayers) {
    for (const auto other : kAllLayers) {
      for (const auto& name : core::templatesOf(other)) {
        INFO(core::toString(layer) << " / " << name);
        CHECK(core::templateAllowedOn(layer, name) == (layer == other));
      }
    }
  }
  CHECK_FALSE(core::templateAllowedOn(Layer::LowerThird, ""));
  CHECK_FALSE(core::templateAllowedOn(Layer::LowerThird, "Agenda"));
  CHECK_FALSE(core::templateAllowedOn(Layer::Slate, "huis_clos"));
  CHECK(core::templatesOf(kBadLayer).empty());
}

TEST_CASE("statuses and event kinds have stable codes and names", "[overlays]") {
  CHECK(static_cast<int>(OverlayStatus::Ok) == 0);
  CHECK(static_cast<int>(OverlayStatus::UnknownLayer) == 404);
  CHECK(static_cast<int>(OverlayStatus::TemplateNotAllowed) == 422);
  CHECK(static_cast<int>(OverlayStatus::NothingShown) == 409);
  CHECK(core::toString(OverlayStatus::Ok) == "ok");
  CHECK(core::toString(OverlayStatus::UnknownLayer) == "unknown_layer");
  CHECK(core::toString(OverlayStatus::TemplateNotAllowed) == "template_not_allowed");
  CHECK(core::toString(OverlayStatus::NothingShown) == "nothing_shown");
  CHECK(core::toString(Kind::Shown) == "shown");
  CHECK(core::toString(Kind::Updated) == "updated");
  CHECK(core::toString(Kind::Hidden) == "hidden");
}

// ---------------------------------------------------------------------------------------
// show

TEST_CASE("nothing is shown at first", "[overlays]") {
  core::Overlays overlays;
  for (const auto layer : kAllLayers) {
    CHECK_FALSE(overlays.state(layer).visible);
    CHECK(overlays.state(layer).templateName.empty());
    CHECK(overlays.state(layer).values.empty());
  }
  CHECK(overlays.takeEvents().empty());
}

TEST_CASE("show puts a template with its values on a layer and says so with the time", "[overlays]") {
  core::Overlays overlays;
  const auto result = overlays.show(Layer::LowerThird, "agenda", kAgenda, at(12.5));
  CHECK(result.ok());
  CHECK(result.status == OverlayStatus::Ok);
  const auto& state = overlays.state(Layer::LowerThird);
  CHECK(state.visible);
  CHECK(state.templateName == "agenda");
  CHECK(state.values == kAgenda);
  const auto events = overlays.takeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == Kind::Shown);
  CHECK(events[0].layer == Layer::LowerThird);
  CHECK(events[0].templateName == "agenda");
  CHECK(events[0].values == kAgenda);
  CHECK(events[0].at == at(12.5));
  CHECK(overlays.takeEvents().empty());
}

TEST_CASE("show replaces what the layer showed, values included", "[overlays]") {
  core::Overlays overlays;
  REQUIRE(overlays.show(Layer::LowerThird, "agenda", kAgenda, at(1)).ok());
  const OverlayValues speaker{{"name", "Mme Durand"}, {"role", "Adjointe aux finances"}};
  REQUIRE(overlays.show(Layer::LowerThird, "speaker", speaker, at(2)).ok());
  const auto& state = overlays.state(Layer::LowerThird);
  CHECK(state.templateName == "speaker");
  CHECK(state.values == speaker);  // nothing left of the agenda's values
  const auto events = overlays.takeEvents();
  REQUIRE(events.size() == 2);
  CHECK(events[1].kind == Kind::Shown);
  CHECK(events[1].values == speaker);
  CHECK(events[1].at == at(2));
}

TEST_CASE("layers are independent: a slate leaves the lower-third as it was", "[overlays]") {
  core::Overlays overlays;
  REQUIRE(overlays.show(Layer::LowerThird, "agenda", kAgenda, at(1)).ok());
  REQUIRE(overlays.show(Layer::Slate, "huis-clos", {{"commune", "Ville de Démo"}}, at(2)).ok());
  REQUIRE(overlays.show(Layer::Bug, "bug", {}, at(3)).ok());
  CHECK(overlays.state(Layer::LowerThird).visible);
  CHECK(overlays.state(Layer::LowerThird).templateName == "agenda");
  CHECK(overlays.state(Layer::Slate).templateName == "huis-clos");
  CHECK(overlays.state(Layer::Bug).visible);
  CHECK_FALSE(overlays.state(Layer::Qr).visible);
  REQUIRE(overlays.hide(Layer::Slate, at(4)).ok());
  CHECK(overlays.state(Layer::LowerThird).visible);
}

TEST_CASE("show refuses a template of another layer and names the allowed ones", "[overlays]") {
  core::Overlays overlays;
  const auto result = overlays.show(Layer::Bug, "vote", {}, at(1));
  CHECK(result.status == OverlayStatus::TemplateNotAllowed);
  CHECK_FALSE(result.ok());
  CHECK(result.comment == "template 'vote' is not allowed on the bug layer; allowed: bug");
  const auto slate = overlays.show(Layer::Slate, "agenda", {}, at(1));
  CHECK(slate.status == OverlayStatus::TemplateNotAllowed);
  CHECK(slate.comment ==
        "template 'agenda' is not allowed on the slate layer; allowed: starting, suspension, huis-clos, signal-lost, "
        "ended");
  const auto lower = overlays.show(Layer::LowerThird, "nonexistent", {}, at(1));
  CHECK_THAT(lower.comment, Catch::EndsWith("allowed: agenda, speaker, vote, question"));
  CHECK_FALSE(overlays.state(Layer::Bug).visible);
  CHECK(overlays.takeEvents().empty());
}

TEST_CASE("a refused show leaves the layer's current template on air", "[overlays]") {
  core::Overlays overlays;
  REQUIRE(overlays.show(Layer::LowerThird, "agenda", kAgenda, at(1)).ok());
  overlays.takeEvents();
  CHECK(overlays.show(Layer::LowerThird, "ended", {}, at(2)).status == OverlayStatus::TemplateNotAllowed);
  CHECK(overlays.state(Layer::LowerThird).templateName == "agenda");
  CHECK(overlays.state(Layer::LowerThird).values == kAgenda);
  CHECK(overlays.takeEvents().empty());
}

TEST_CASE("every command refuses a layer the enum does not name", "[overlays]") {
  core::Overlays overlays;
  const auto shown = overlays.show(kBadLayer, "bug", {}, at(1));
  CHECK(shown.status == OverlayStatus::UnknownLayer);
  CHECK_THAT(shown.comment, Catch::Contains("known layers: bug, qr, lower_third, slate"));
  CHECK(overlays.update(kBadLayer, {{"a", "b"}}, at(1)).status == OverlayStatus::UnknownLayer);
  CHECK(overlays.hide(kBadLayer, at(1)).status == OverlayStatus::UnknownLayer);
  CHECK(overlays.takeEvents().empty());
  CHECK_FALSE(overlays.state(kBadLayer).visible);
  CHECK(core::toString(kBadLayer) == "unknown");
  // Replaying a corrupt event changes nothing.
  overlays.apply({Kind::Shown, kBadLayer, "bug", {}, at(1)});
  for (const auto layer : kAllLayers) CHECK_FALSE(overlays.state(layer).visible);
}

// ---------------------------------------------------------------------------------------
// update

TEST_CASE("update merges values into the visible layer and carries the full values", "[overlays]") {
  core::Overlays overlays;
  REQUIRE(overlays.show(Layer::LowerThird, "vote", {{"title", "Budget"}, {"pour", "0"}, {"contre", "0"}}, at(1)).ok());
  overlays.takeEvents();
  const auto result = overlays.update(Layer::LowerThird, {{"pour", "19"}, {"abstention", "2"}}, at(5));
  CHECK(result.ok());
  const OverlayValues merged{{"title", "Budget"}, {"pour", "19"}, {"contre", "0"}, {"abstention", "2"}};
  CHECK(overlays.state(Layer::LowerThird).values == merged);
  CHECK(overlays.state(Layer::LowerThird).templateName == "vote");
  CHECK(overlays.state(Layer::LowerThird).visible);
  const auto events = overlays.takeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == Kind::Updated);
  CHECK(events[0].layer == Layer::LowerThird);
  CHECK(events[0].templateName == "vote");
  CHECK(events[0].values == merged);
  CHECK(events[0].at == at(5));
}

TEST_CASE("an update that changes nothing is ok and produces no event", "[overlays]") {
  core::Overlays overlays;
  REQUIRE(overlays.show(Layer::Qr, "qr", {{"url", "https://www.ville-demo.fr/questions"}}, at(1)).ok());
  overlays.takeEvents();
  CHECK(overlays.update(Layer::Qr, {}, at(2)).ok());
  CHECK(overlays.update(Layer::Qr, {{"url", "https://www.ville-demo.fr/questions"}}, at(3)).ok());
  CHECK(overlays.takeEvents().empty());
}

TEST_CASE("update of a layer that shows nothing is refused", "[overlays]") {
  core::Overlays overlays;
  const auto never = overlays.update(Layer::LowerThird, {{"title", "x"}}, at(1));
  CHECK(never.status == OverlayStatus::NothingShown);
  CHECK(never.comment == "nothing is shown on the lower_third layer");
  REQUIRE(overlays.show(Layer::LowerThird, "agenda", kAgenda, at(2)).ok());
  REQUIRE(overlays.hide(Layer::LowerThird, at(3)).ok());
  overlays.takeEvents();
  CHECK(overlays.update(Layer::LowerThird, {{"title", "x"}}, at(4)).status == OverlayStatus::NothingShown);
  CHECK(overlays.state(Layer::LowerThird).values == kAgenda);  // the hidden values are untouched
  CHECK(overlays.takeEvents().empty());
}

// ---------------------------------------------------------------------------------------
// hide

TEST_CASE("hide takes the layer off air and keeps its template and values", "[overlays]") {
  core::Overlays overlays;
  REQUIRE(overlays.show(Layer::LowerThird, "agenda", kAgenda, at(1)).ok());
  overlays.takeEvents();
  CHECK(overlays.hide(Layer::LowerThird, at(7)).ok());
  const auto& state = overlays.state(Layer::LowerThird);
  CHECK_FALSE(state.visible);
  CHECK(state.templateName == "agenda");
  CHECK(state.values == kAgenda);
  const auto events = overlays.takeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == Kind::Hidden);
  CHECK(events[0].layer == Layer::LowerThird);
  CHECK(events[0].templateName == "agenda");
  CHECK(events[0].values == kAgenda);
  CHECK(events[0].at == at(7));
}

TEST_CASE("what was hidden can be shown again from the kept state", "[overlays]") {
  core::Overlays overlays;
  REQUIRE(overlays.show(Layer::LowerThird, "agenda", kAgenda, at(1)).ok());
  REQUIRE(overlays.hide(Layer::LowerThird, at(2)).ok());
  const auto kept = overlays.state(Layer::LowerThird);
  REQUIRE(overlays.show(Layer::LowerThird, kept.templateName, kept.values, at(3)).ok());
  CHECK(overlays.state(Layer::LowerThird).visible);
  CHECK(overlays.state(Layer::LowerThird).values == kAgenda);
}

TEST_CASE("hide of a layer that shows nothing is refused", "[overlays]") {
  core::Overlays overlays;
  const auto never = overlays.hide(Layer::Slate, at(1));
  CHECK(never.status == OverlayStatus::NothingShown);
  CHECK(never.comment == "nothing is shown on the slate layer");
  REQUIRE(overlays.show(Layer::Slate, "suspension", {}, at(2)).ok());
  REQUIRE(overlays.hide(Layer::Slate, at(3)).ok());
  overlays.takeEvents();
  CHECK(overlays.hide(Layer::Slate, at(4)).status == OverlayStatus::NothingShown);
  CHECK(overlays.takeEvents().empty());
}

// ---------------------------------------------------------------------------------------
// Replay

TEST_CASE("apply sets a layer to exactly what each kind of event says", "[overlays]") {
  core::Overlays overlays;
  overlays.apply({Kind::Shown, Layer::Slate, "starting", {{"time", "20:00"}}, at(1)});
  CHECK(overlays.state(Layer::Slate).visible);
  CHECK(overlays.state(Layer::Slate).templateName == "starting");
  overlays.apply({Kind::Updated, Layer::Slate, "starting", {{"time", "20:15"}}, at(2)});
  CHECK(overlays.state(Layer::Slate).values == OverlayValues{{"time", "20:15"}});
  overlays.apply({Kind::Hidden, Layer::Slate, "starting", {{"time", "20:15"}}, at(3)});
  CHECK_FALSE(overlays.state(Layer::Slate).visible);
  CHECK(overlays.state(Layer::Slate).templateName == "starting");
  // Applying records nothing: a replay must not append the log to itself.
  CHECK(overlays.takeEvents().empty());
}

TEST_CASE("replaying the events of a session gives the same state on every layer", "[overlays]") {
  core::Overlays live;
  std::vector<core::OverlayEvent> log;
  const auto keep = [&live, &log] {
    auto events = live.takeEvents();
    log.insert(log.end(), events.begin(), events.end());
  };
  const auto checkReplay = [&live, &log] {
    core::Overlays fresh;
    for (const auto& event : log) fresh.apply(event);
    checkSameState(live, fresh);
  };

  REQUIRE(live.show(Layer::Slate, "starting", {{"time", "20:00"}}, at(0)).ok());
  REQUIRE(live.show(Layer::Bug, "bug", {{"clock", "19:58"}}, at(1)).ok());
  REQUIRE(live.update(Layer::Bug, {{"clock", "20:00"}}, at(120)).ok());
  REQUIRE(live.hide(Layer::Slate, at(121)).ok());
  REQUIRE(live.show(Layer::LowerThird, "agenda", kAgenda, at(122)).ok());
  REQUIRE(live.show(Layer::Qr, "qr", {{"url", "https://www.ville-demo.fr/questions"}}, at(123)).ok());
  keep();
  checkReplay();

  REQUIRE(live.update(Layer::LowerThird, {{"title", "Budget primitif 2026 (suite)"}}, at(300)).ok());
  REQUIRE(live.show(Layer::LowerThird, "vote", {{"pour", "19"}, {"contre", "4"}}, at(400)).ok());
  REQUIRE(live.show(Layer::Slate, "huis-clos", {}, at(500)).ok());
  CHECK(live.update(Layer::Qr, {}, at(501)).ok());  // no change, no event
  CHECK(live.hide(Layer::Qr, at(502)).ok());
  CHECK(live.hide(Layer::Qr, at(503)).status == OverlayStatus::NothingShown);
  CHECK(live.show(Layer::Qr, "vote", {}, at(504)).status == OverlayStatus::TemplateNotAllowed);
  REQUIRE(live.hide(Layer::Slate, at(600)).ok());
  REQUIRE(live.hide(Layer::LowerThird, at(601)).ok());
  REQUIRE(live.show(Layer::Slate, "ended", {}, at(700)).ok());
  keep();
  checkReplay();

  // The log's times are the commands' times, in order.
  REQUIRE(log.size() == 13);
  CHECK(log.front().at == at(0));
  CHECK(log.back().at == at(700));
  CHECK(std::is_sorted(log.begin(), log.end(), [](const auto& a, const auto& b) { return a.at < b.at; }));
}
