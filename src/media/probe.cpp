#include "media/probe.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "media/gstreamer_library.h"
#include "media/output.h"

namespace tribune::media {
namespace {

class ProbeListener final : public MediaListener {
 public:
  void onOutputFailed(const std::string&, std::uint64_t, core::Failure reported) override {
    std::lock_guard lock(mutex);
    if (!failure) failure = std::move(reported);
  }
  void onProgramError(const std::string&) override {}
  void onProgramSegmentDone() override {}
  void onGraphicsError(int, std::uint64_t, const std::string&) override {}
  void onAudioLevels(AudioLevels) override {}
  void onPreview(std::string) override {}
  void onSourceChanged(core::SourceTrack, bool, const std::string&) override {}
  void onEncoderRebuilt(const std::string&) override {}
  std::mutex mutex;
  std::optional<core::Failure> failure;
};

}  // namespace

ProbeResult probeDestination(const RtmpOutputSettings& settings, std::chrono::milliseconds timeout) {
  ensureGStreamer();
  Fanout fanout;  // nothing is pushed: the probe only publishes
  ProbeListener listener;
  auto output = Output::rtmp(settings, 1, fanout, listener, 1024 * 1024);
  output->start();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ProbeResult result;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(listener.mutex);
      if (listener.failure) {
        result.failure = listener.failure;
        // Closed before the publish was accepted: the server said no.
        if (result.failure->kind == core::FailureKind::ConnectionLost)
          result.failure->kind = core::FailureKind::KeyRefused;
        return result;
      }
    }
    if (output->stats().bytesSent > 0) {
      result.accepted = true;
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  result.failure = core::Failure{core::FailureKind::ConnectTimeout, "no answer within the probe timeout"};
  return result;
}

}  // namespace tribune::media
