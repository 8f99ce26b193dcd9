// The hub and the programme's loudness (issue 27): the technician's mode goes down to the
// media engine, the figures come up from it and go to the technicians' consoles, and the
// integrated loudness is logged as the session closes, for the replay. Hub thread only,
// except onLoudness (a GStreamer thread: it posts).
#include <boost/asio/post.hpp>

#include <algorithm>

#include "app/hub.h"
#include "app/hub_internal.h"
#include "core/session.h"

namespace tribune::app {
namespace {

nlohmann::json optionalNumber(const std::optional<double>& value) {
  if (!value) return nullptr;
  return std::round(*value * 10) / 10;  // a tenth of a LU or dB is what the console shows
}

}  // namespace

std::optional<media::LoudnessFigures> Hub::loudness() {
  return onHub([&] { return loudness_; });
}

core::LoudnessMode Hub::loudnessMode() const {
  return meeting_.loudnessMode().value_or(options_.config.audio.loudness.enabled ? core::LoudnessMode::Auto
                                                                                 : core::LoudnessMode::Off);
}

void Hub::applyLoudnessMode() {
  const auto mode = loudnessMode();
  if (appliedLoudnessMode_ == mode) return;
  engine_->setLoudnessMode(mode);
  if (appliedLoudnessMode_) {
    hubLogger()->info("gain automatique / automatic gain: {}", core::toString(mode));
  }
  appliedLoudnessMode_ = mode;
}

bool closesSession(const std::vector<core::MeetingEvent>& events) {
  return std::any_of(events.begin(), events.end(), [](const core::MeetingEvent& event) {
    if (event.type != "session_changed") return false;
    const auto to = event.data.value("to", std::string{});
    return to == core::toString(core::SessionState::Levee) || to == core::toString(core::SessionState::Terminee);
  });
}

void Hub::recordLoudness(std::vector<core::MeetingEvent>& events) {
  if (!closesSession(events) || !loudness_ || !loudness_->integratedLufs || !loudness_->maxTruePeakDbtp) return;
  const auto result = meeting_.loudnessMeasured(
      {std::round(*loudness_->integratedLufs * 10) / 10, std::round(*loudness_->maxTruePeakDbtp * 10) / 10},
      core::Clock::now());
  if (!result.ok()) return;
  for (auto& event : meeting_.takeEvents()) events.push_back(std::move(event));
}

nlohmann::json Hub::loudnessJson(const media::LoudnessFigures& f) {
  return {{"momentary_lufs", optionalNumber(f.momentaryLufs)},
          {"short_term_lufs", optionalNumber(f.shortTermLufs)},
          {"integrated_lufs", optionalNumber(f.integratedLufs)},
          {"true_peak_dbtp", optionalNumber(f.truePeakDbtp)},
          {"max_true_peak_dbtp", optionalNumber(f.maxTruePeakDbtp)},
          {"gain_db", optionalNumber(f.gainDb)},
          {"limiter_db", optionalNumber(f.limiterDb)},
          {"gate_open", f.gateOpen},
          {"mode", std::string(core::toString(f.mode))},
          {"target_lufs", f.targetLufs},
          {"ceiling_dbtp", f.ceilingDbtp},
          {"muted", f.muted}};
}

void Hub::onLoudness(media::LoudnessFigures figures) {
  boost::asio::post(io_, [this, figures] {
    loudness_ = figures;
    if (!web_) return;
    const auto technicians = clientsWithRole(core::Role::Technician);
    if (technicians.empty()) return;
    auto message = loudnessJson(figures);
    message["type"] = "loudness";
    web_->broadcast(technicians, message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
}

}  // namespace tribune::app
