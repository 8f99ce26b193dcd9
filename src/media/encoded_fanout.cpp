#include "media/encoded_fanout.h"

#include <algorithm>

namespace tribune::media {

OutputFeed::OutputFeed(GstAppSrc* video, GstAppSrc* audio, std::uint64_t maxQueuedBytes)
    : video_(ObjectRef<GstAppSrc>::ref(video)),
      audio_(ObjectRef<GstAppSrc>::ref(audio)),
      maxQueuedBytes_(maxQueuedBytes) {}

void OutputFeed::openGate() {
  std::lock_guard lock(mutex_);
  gateOpen_ = true;
}

namespace {

std::int64_t signedRunningTime(const GstSegment* segment, GstClockTime time) {
  if (segment == nullptr || !GST_CLOCK_TIME_IS_VALID(time)) return INT64_MIN;
  guint64 running = 0;
  const int sign = gst_segment_to_running_time_full(segment, GST_FORMAT_TIME, time, &running);
  if (sign == 0) return INT64_MIN;
  return sign > 0 ? static_cast<std::int64_t>(running) : -static_cast<std::int64_t>(running);
}

}  // namespace

bool OutputFeed::admit(Track track, GstBuffer* buffer, const Times& times, GstAppSrc* src) {
  if (!gateOpen_ || ended_ || times.pts == kNoTime) {
    ++stats_.droppedGating;
    return false;
  }
  if (track == Track::Video) {
    const bool keyUnit = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
    if (needKeyUnit_ && !keyUnit) {
      ++stats_.droppedGating;
      return false;
    }
    if (base_ == kNoTime) {
      // DTS precedes PTS with B-frames: start the timeline at the earlier so that
      // neither goes negative.
      base_ = times.dts == kNoTime ? times.pts : std::min(times.dts, times.pts);
    }
  } else if (base_ == kNoTime || times.pts < base_) {
    ++stats_.droppedGating;  // sound starts with the first picture
    return false;
  }
  if (gst_app_src_get_current_level_bytes(src) + gst_buffer_get_size(buffer) > maxQueuedBytes_) {
    ++stats_.droppedFull;
    needKeyUnit_ = true;
    return false;
  }
  if (track == Track::Video) needKeyUnit_ = false;
  return true;
}

void OutputFeed::closeGate() {
  std::lock_guard lock(mutex_);
  gateOpen_ = false;
  needKeyUnit_ = true;
}

void OutputFeed::push(Track track, GstSample* sample) {
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstAppSrc* src = track == Track::Video ? video_.get() : audio_.get();
  if (buffer == nullptr) return;
  const GstSegment* segment = gst_sample_get_segment(sample);
  const Times times{signedRunningTime(segment, GST_BUFFER_PTS(buffer)),
                    signedRunningTime(segment, GST_BUFFER_DTS(buffer))};
  // Pushing under the lock keeps each appsrc in time order when the waiting sound goes out
  // (gst_app_src_push_buffer never blocks here: block=false).
  std::lock_guard lock(mutex_);
  // Kept even before the gate opens: the first key unit may be older than the opening.
  if (track == Track::Audio && !ended_ && base_ == kNoTime && times.pts != kNoTime) {
    waitingSound_.push_back({SampleRef::ref(sample), times});
    while (times.pts - waitingSound_.front().times.pts > kSoundWait) waitingSound_.pop_front();
    return;
  }
  const bool first = base_ == kNoTime;
  if (!admit(track, buffer, times, src)) return;
  ++(track == Track::Video ? stats_.pushedVideo : stats_.pushedAudio);
  send(src, buffer, gst_sample_get_caps(sample), times);
  if (first && base_ != kNoTime) sendWaitingSound();
}

void OutputFeed::send(GstAppSrc* src, GstBuffer* buffer, GstCaps* caps, const Times& times) {
  // A shallow copy: new metadata (timestamps), same memory. The appsrc's segment starts
  // at zero, so these are the output's running times.
  GstBuffer* out = gst_buffer_copy(buffer);
  GST_BUFFER_PTS(out) = static_cast<GstClockTime>(times.pts - base_);
  GST_BUFFER_DTS(out) = times.dts == kNoTime ? GST_CLOCK_TIME_NONE
                                             : static_cast<GstClockTime>(std::max<std::int64_t>(0, times.dts - base_));
  if (caps != nullptr) {
    auto current = CapsRef::adopt(gst_app_src_get_caps(src));
    if (!current || !gst_caps_is_equal(current.get(), caps)) gst_app_src_set_caps(src, caps);
  }
  gst_app_src_push_buffer(src, out);  // takes the buffer
}

void OutputFeed::sendWaitingSound() {
  auto waiting = std::move(waitingSound_);
  waitingSound_.clear();
  for (auto& sound : waiting) {
    GstBuffer* buffer = gst_sample_get_buffer(sound.sample.get());
    if (buffer == nullptr || !admit(Track::Audio, buffer, sound.times, audio_.get())) continue;
    ++stats_.pushedAudio;
    send(audio_.get(), buffer, gst_sample_get_caps(sound.sample.get()), sound.times);
  }
}

void OutputFeed::endOfStream() {
  {
    std::lock_guard lock(mutex_);
    if (ended_) return;
    ended_ = true;
  }
  gst_app_src_end_of_stream(video_.get());
  gst_app_src_end_of_stream(audio_.get());
}

FeedStats OutputFeed::stats() const {
  std::lock_guard lock(mutex_);
  auto stats = stats_;
  if (base_ != kNoTime) stats.startRunningTime = base_;
  return stats;
}

void Fanout::add(std::shared_ptr<OutputFeed> feed) {
  std::lock_guard lock(mutex_);
  feeds_.push_back(std::move(feed));
}

void Fanout::remove(const std::shared_ptr<OutputFeed>& feed) {
  std::lock_guard lock(mutex_);
  std::erase(feeds_, feed);
}

CapsRef Fanout::caps(Track track) const {
  std::lock_guard lock(mutex_);
  return track == Track::Video ? videoCaps_ : audioCaps_;
}

void Fanout::push(Track track, GstSample* sample) {
  std::vector<std::shared_ptr<OutputFeed>> feeds;
  {
    std::lock_guard lock(mutex_);
    CapsRef& known = track == Track::Video ? videoCaps_ : audioCaps_;
    GstCaps* caps = gst_sample_get_caps(sample);
    if (caps != nullptr && (!known || !gst_caps_is_equal(known.get(), caps))) known = CapsRef::ref(caps);
    feeds = feeds_;  // push outside the lock: a feed removed meanwhile just gets one more buffer
  }
  if (track == Track::Video) ++videoFrames_;
  for (const auto& feed : feeds) feed->push(track, sample);
}

}  // namespace tribune::media
