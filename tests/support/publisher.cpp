#include "support/publisher.h"

#include <csignal>

namespace tribune::testing {

std::vector<std::string> publisherCommand(const std::string& url, const PublisherOptions& options) {
  constexpr int kAudioBufferMs = 20;
  const long long ms = options.duration.count();
  std::vector<std::string> video{"videotestsrc", "is-live=true"};
  std::vector<std::string> audio{"audiotestsrc", "is-live=true", "wave=sine",
                                 "samplesperbuffer=" + std::to_string(options.audio_rate * kAudioBufferMs / 1000)};
  if (ms > 0) {
    // Finite: both sources end after `duration`, and EOS ends the publish cleanly.
    video.push_back("num-buffers=" + std::to_string(ms * options.fps / 1000));
    audio.push_back("num-buffers=" + std::to_string(ms / kAudioBufferMs));
  }
  std::vector<std::string> argv{"gst-launch-1.0", "-e"};
  auto add = [&argv](const std::vector<std::string>& words) { argv.insert(argv.end(), words.begin(), words.end()); };
  add(video);
  add({"!",
       "video/x-raw,format=I420,width=" + std::to_string(options.width) + ",height=" + std::to_string(options.height) +
           ",framerate=" + std::to_string(options.fps) + "/1",
       "!", "x264enc", "tune=zerolatency", "speed-preset=ultrafast",
       "key-int-max=" + std::to_string(options.keyframe_interval_frames), "!", "h264parse", "!", "flvmux", "name=m",
       "streamable=true", "!", "rtmp2sink", "location=" + url});
  // "no-flags" is GTlsCertificateFlags' nick for 0 (gst-launch takes "0" as well).
  if (options.insecure_tls) argv.push_back("tls-validation-flags=no-flags");
  add(audio);
  add({"!", "audio/x-raw,rate=" + std::to_string(options.audio_rate) + ",channels=2", "!", "avenc_aac", "!", "aacparse",
       "!", "m."});
  return argv;
}

Process startPublisher(const std::string& url, const PublisherOptions& options) {
  ProcessOptions process_options;
  process_options.out = Redirect::capture();
  process_options.err = Redirect::capture();
  return Process(publisherCommand(url, options), std::move(process_options));
}

ExitStatus stopPublisher(Process& publisher, std::chrono::milliseconds timeout) {
  publisher.signal(SIGINT);
  if (auto status = publisher.waitFor(timeout)) return *status;
  return publisher.kill9();
}

}  // namespace tribune::testing
