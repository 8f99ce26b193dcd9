#pragma once
// One output of the program, in a small pipeline of its own: two appsrcs (fed by the
// Fanout) → muxer → sink. An RTMP destination (flvmux → rtmp2sink) or the recording
// (Matroska, written as a stream so that a killed process leaves a readable file).
// Its failures stay inside it: the program, the recording and the other outputs never
// see them.
//
// Threading: created, started and destroyed by the engine's owner (the hub). Bus
// messages arrive on GStreamer threads and go to the MediaListener through a small
// shared block that outlives the pipeline's sync handler; destruction detaches it first.
#include <gst/gst.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/publish_url.h"
#include "media/encoded_fanout.h"
#include "media/gst_ref.h"
#include "media/media_listener.h"
#include "media/media_types.h"

namespace tribune::media {

class Output {
 public:
  struct BusBridge;  // shared with the bus sync handler

  static std::unique_ptr<Output> rtmp(const RtmpOutputSettings& settings, std::uint64_t generation, Fanout& fanout,
                                      MediaListener& listener, std::uint64_t maxQueuedBytes);
  static std::unique_ptr<Output> recording(const RecordingOutputSettings& settings, std::uint64_t generation,
                                           Fanout& fanout, MediaListener& listener, std::uint64_t maxQueuedBytes);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void start();
  void openGate();
  void closeGate();
  [[nodiscard]] OutputStats stats() const;
  [[nodiscard]] std::uint64_t generation() const { return generation_; }
  // Sends end of stream and waits until the sink has written it (RTMP: FCUnpublish and
  // deleteStream sent; recording: muxer flushed), at most `timeout`.
  bool finish(std::chrono::milliseconds timeout);
  // Detaches from the fanout and the listener and gives the pipeline away for teardown.
  ElementRef release();

 private:
  Output(std::string name, std::uint64_t generation, ElementRef pipeline, Fanout& fanout, MediaListener& listener,
         std::uint64_t maxQueuedBytes, std::string secretForRedaction, std::string recordingPath);

  std::string name_;
  std::uint64_t generation_;
  ElementRef pipeline_;
  ElementRef sink_;
  Fanout& fanout_;  // the program's, outlives outputs
  std::shared_ptr<OutputFeed> feed_;
  std::shared_ptr<BusBridge> bridge_;
  std::string recordingPath_;  // empty for RTMP
};

}  // namespace tribune::media
