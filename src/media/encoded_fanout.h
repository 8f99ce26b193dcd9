#pragma once
// Encode once, send many: the program's encoded video and audio go out of two appsinks
// and are handed to every output's appsrc by reference (no copy of the media).
//
// Threading: push() runs on the two appsink streaming threads (video and audio); add()
// and remove() on the hub or engine thread. Lock order: Fanout::mutex_ before
// OutputFeed::mutex_; neither is held while calling into GStreamer except the appsrc's
// push and caps calls, which never block here (appsrc block=false).
//
// Backpressure: each feed is bounded (maxQueuedBytes in its appsrc). A buffer that does
// not fit is dropped and counted, and the feed then waits for the next key unit, so a
// slow destination loses whole GOPs but never receives an undecodable picture and never
// slows the encoder, the recording or the others.
//
// The encoded picture comes out later than the sound (x264's look-ahead): until a feed
// sends its first key unit, it keeps the last seconds of sound (gate open or not), and
// sends what is at or after that key unit's time with it, so both tracks start together.
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "media/gst_ref.h"
#include "media/media_types.h"

namespace tribune::media {

enum class Track { Video, Audio };

class OutputFeed {
 public:
  OutputFeed(GstAppSrc* video, GstAppSrc* audio, std::uint64_t maxQueuedBytes);

  // Media flows only once the gate is open (the destination is live), starting with a
  // key unit; timestamps restart from zero at that key unit.
  void openGate();
  // Stops media (the recording during huis clos); openGate() resumes from the next key
  // unit on the same timeline, so the paused time is a gap, not a shift.
  void closeGate();
  void push(Track track, GstSample* sample);
  void endOfStream();
  [[nodiscard]] FeedStats stats() const;

 private:
  // Timestamps are compared and rebased in running time: x264enc shifts its segment (1000 h
  // of "min pts" so that DTS never goes negative), the audio encoder does not.
  struct Times {
    std::int64_t pts;  // signed running time, ns; INT64_MIN when absent
    std::int64_t dts;
  };
  bool admit(Track track, GstBuffer* buffer, const Times& times, GstAppSrc* src);
  // Under mutex_: pushes `buffer` (shallow copy, rebased on base_) into `src`.
  void send(GstAppSrc* src, GstBuffer* buffer, GstCaps* caps, const Times& times);
  // Under mutex_, once base_ is known: the waiting sound at or after it goes out.
  void sendWaitingSound();

  struct WaitingSound {
    SampleRef sample;
    Times times;
  };

  ObjectRef<GstAppSrc> video_;
  ObjectRef<GstAppSrc> audio_;
  const std::uint64_t maxQueuedBytes_;
  mutable std::mutex mutex_;
  bool gateOpen_ = false;
  bool needKeyUnit_ = true;
  bool ended_ = false;
  std::int64_t base_ = kNoTime;  // running time of the first key unit sent
  static constexpr std::int64_t kNoTime = INT64_MIN;
  std::deque<WaitingSound> waitingSound_;  // before the first key unit, the last kSoundWait
  static constexpr std::int64_t kSoundWait = 3'000'000'000;
  FeedStats stats_;
};

class Fanout {
 public:
  void add(std::shared_ptr<OutputFeed> feed);
  void remove(const std::shared_ptr<OutputFeed>& feed);
  void push(Track track, GstSample* sample);
  // Caps of the latest sample of each track, for new outputs' appsrcs (null until the
  // first sample).
  [[nodiscard]] CapsRef caps(Track track) const;
  [[nodiscard]] std::uint64_t videoFrames() const { return videoFrames_.load(); }

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<OutputFeed>> feeds_;
  CapsRef videoCaps_;
  CapsRef audioCaps_;
  std::atomic<std::uint64_t> videoFrames_{0};
};

}  // namespace tribune::media
