// The hub and the source (issue 6): a lost picture puts the "signal-lost" slate on air
// (the meeting decides, core/meeting.h), a lost sound is a warning (the engine already
// puts silence in its place), and both go into the meeting's timeline. Encoder rebuilds
// are logged and counted. Runs on the hub thread; the listener methods only post.
#include <boost/asio/post.hpp>

#include <sstream>

#include "app/hub.h"
#include "app/hub_internal.h"

namespace tribune::app {

void Hub::onSourceChanged(core::SourceTrack track, bool up, const std::string& reason) {
  boost::asio::post(io_, [this, track, up, reason] {
    if (stopped_) return;
    const auto now = core::Clock::now();
    const bool video = track == core::SourceTrack::Video;
    if (up) {
      hubLogger()->info(video ? "source : image rétablie / picture back" : "source : son rétabli / sound back");
      meeting_.sourceRestored(track, now);
    } else {
      if (video) {
        hubLogger()->warn("source : image perdue ({}) : écran « problème technique » / picture lost: slate on air",
                          reason);
      } else {
        hubLogger()->warn("source : plus de son ({}) : silence à l'antenne / no sound: silence on air", reason);
      }
      meeting_.sourceLost(track, reason, now);
    }
    auto events = meeting_.takeEvents();
    if (!events.empty()) commit(std::move(events), [](std::vector<std::uint64_t>) {});
    pushStatus();
  });
}

void Hub::onEncoderRebuilt(const std::string& detail) {
  boost::asio::post(io_, [detail] {
    hubLogger()->error("encodeur bloqué, reconstruit sans couper les destinations / encoder stalled, rebuilt: {}",
                       detail);
  });
}

media::SourceStats Hub::sourceStats() {
  return onHub([this] { return engine_ ? engine_->sourceStats() : media::SourceStats{}; });
}

void Hub::simulateEncoderStall() {
  onHub([this] {
    if (engine_) engine_->simulateEncoderStall();
    return 0;
  });
}

void Hub::simulateSlowPicture(std::chrono::milliseconds perFrame, std::chrono::milliseconds duration) {
  onHub([this, perFrame, duration] {
    if (engine_) engine_->simulateSlowPicture(perFrame, duration);
    return 0;
  });
}

nlohmann::json Hub::sourceJson() const {
  if (!engine_) return nullptr;
  const auto s = engine_->sourceStats();
  auto track = [](bool up, const std::string& reason) { return nlohmann::json{{"up", up}, {"reason", reason}}; };
  return {{"video", track(s.videoUp, s.videoReason)},
          {"audio", track(s.audioUp, s.audioReason)},
          {"restarts", s.restarts},
          {"stalls", s.stalls},
          {"error", s.lastError},
          {"drift_ppm", s.driftPpm ? nlohmann::json(*s.driftPpm) : nlohmann::json(nullptr)},
          {"drift_standard_error_ppm",
           s.driftStandardErrorPpm ? nlohmann::json(*s.driftStandardErrorPpm) : nlohmann::json(nullptr)},
          {"drift_correction", std::string(core::toString(s.driftState))},
          {"audio_rate", s.audioRate},
          {"filler_frames", s.fillerFrames}};
}

std::string Hub::sourceMetrics() const {
  if (!engine_) return {};
  const auto s = engine_->sourceStats();
  std::ostringstream m;
  m << "# HELP tribune_source_up 1 while the source delivers this track.\n# TYPE tribune_source_up gauge\n"
    << "tribune_source_up{track=\"video\"} " << (s.videoUp ? 1 : 0) << "\n"
    << "tribune_source_up{track=\"audio\"} " << (s.audioUp ? 1 : 0) << "\n"
    << "# HELP tribune_source_restarts_total Source pipelines started again.\n"
    << "# TYPE tribune_source_restarts_total counter\ntribune_source_restarts_total " << s.restarts << "\n"
    << "# HELP tribune_encoder_stalls_total Encode sides rebuilt after a stall.\n"
    << "# TYPE tribune_encoder_stalls_total counter\ntribune_encoder_stalls_total " << s.stalls << "\n"
    << "# HELP tribune_source_rebases_total A source track placed again on the program's timeline (its "
       "timestamps jumped).\n"
    << "# TYPE tribune_source_rebases_total counter\ntribune_source_rebases_total " << s.rebases << "\n"
    << "# HELP tribune_source_video_late_ms How late the source's latest frame reached the program.\n"
    << "# TYPE tribune_source_video_late_ms gauge\ntribune_source_video_late_ms " << s.videoLateMs << "\n"
    << "# HELP tribune_source_filler_frames_total Frames put on air while the source gave none.\n"
    << "# TYPE tribune_source_filler_frames_total counter\ntribune_source_filler_frames_total " << s.fillerFrames
    << "\n";
  m << "# HELP tribune_audio_rate_hz The rate the source's sound is declared at (48000 unless its drift is "
       "corrected).\n"
    << "# TYPE tribune_audio_rate_hz gauge\ntribune_audio_rate_hz " << s.audioRate << "\n"
    << "# HELP tribune_audio_trimmed_buffers_total Sound buffers whose head came after silence had taken its "
       "place.\n"
    << "# TYPE tribune_audio_trimmed_buffers_total counter\ntribune_audio_trimmed_buffers_total "
    << s.trimmedAudioBuffers << "\n";
  if (s.driftPpm) {
    m << "# HELP tribune_audio_drift_ppm The sound interface's clock against the program's.\n"
      << "# TYPE tribune_audio_drift_ppm gauge\ntribune_audio_drift_ppm " << *s.driftPpm << "\n"
      << "# HELP tribune_audio_drift_standard_error_ppm How sure tribune_audio_drift_ppm is.\n"
      << "# TYPE tribune_audio_drift_standard_error_ppm gauge\ntribune_audio_drift_standard_error_ppm "
      << s.driftStandardErrorPpm.value_or(0.0) << "\n";
  }
  return m.str();
}

}  // namespace tribune::app
