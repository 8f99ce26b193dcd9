#pragma once
// A stand-in publisher for tests of the ingest side: gst-launch-1.0 pushing a test pattern
// (H.264) and a tone (AAC) in FLV over RTMP/RTMPS, the way an encoder would. It is a
// separate process so that a test can kill it, and so that it shares no GStreamer state
// with the code under test.
#include <chrono>
#include <string>
#include <vector>

#include "support/process.h"

namespace tribune::testing {

struct PublisherOptions {
  // Media time to send, then end cleanly (EOS, deleteStream, exit 0). Zero: until stopped
  // (stopPublisher, or kill9 for an abrupt end).
  std::chrono::milliseconds duration{3000};
  // rtmp2sink validates certificates unless told not to; the harness's is self-signed.
  bool insecure_tls = false;
  int width = 320;
  int height = 240;
  int fps = 30;
  int keyframe_interval_frames = 60;
  int audio_rate = 48000;
};

// The gst-launch-1.0 command line (for logs, or to run it some other way).
std::vector<std::string> publisherCommand(const std::string& url, const PublisherOptions& options = {});

// Starts publishing to `url`; stdout and stderr are captured (Process::capturedErr()
// holds GStreamer's ERROR lines when the server refuses).
Process startPublisher(const std::string& url, const PublisherOptions& options = {});

// SIGINT: with -e, gst-launch sends EOS through the pipeline first, so the server sees a
// clean end of publish. Returns the exit status, or SIGKILLs after `timeout`.
ExitStatus stopPublisher(Process& publisher, std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace tribune::testing
