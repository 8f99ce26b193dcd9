#include "media/source_feed.h"

#include <gst/app/gstappsink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <vector>

#include "media/media_error.h"
#include "media/media_log.h"
#include "media/program.h"

namespace tribune::media {
namespace {

class SystemRandom final : public core::Random {
 public:
  double uniform() override { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }

 private:
  std::mt19937_64 engine_{std::random_device{}()};
};

constexpr GstClockTime kFramePeriod = GST_SECOND / core::VideoSettings::kFramesPerSecond;
// A frame missing for this long is replaced (the last picture, frozen): a destination's
// muxer waits for both tracks, so a gap in one stops the other too.
constexpr GstClockTime kVideoGap = 250 * GST_MSECOND;
// Sound missing for this long is replaced by silence, up to kAudioLead (or the source's
// usual lateness, if more) behind now, so that a late but live source's sound still finds
// its place.
constexpr GstClockTime kAudioGap = 100 * GST_MSECOND;
constexpr GstClockTime kAudioLead = 60 * GST_MSECOND;
// The margin over the source's lateness, and the most the filler waits for a late sound:
// a source whose sound comes later than this has its late head cut instead.
constexpr GstClockTime kLatenessMargin = 40 * GST_MSECOND;
constexpr GstClockTime kAudioMaxLead = 1500 * GST_MSECOND;
// The lateness held is released by this fraction of the time since the previous buffer.
constexpr GstClockTime kLatenessReleasePerSecond = 10 * GST_MSECOND;
constexpr GstClockTime kSilenceChunk = 10 * GST_MSECOND;
// A buffer this near to where the sound already pushed ends is put exactly there (rounding);
// farther, its head is cut or the gap is filled with silence (source_feed.h), so the sound
// is never more than this away from where its own timestamps put it. (A card measured
// but not yet corrected, 500 ppm off, loses or gains 2 ms every 4 s.)
constexpr GstClockTime kAudioSlack = 2 * GST_MSECOND;
// Raw frames waiting for the conversion before the oldest goes (describe()).
constexpr int kVideoQueueFrames = 4;
// A private copy of the picture every this many frames, for the frozen filler.
constexpr std::uint64_t kFreezeEvery = 10;
constexpr int kBytesPerFrame = 2 * core::AudioSettings::kChannels;  // S16LE interleaved

std::string errorText(GstMessage* message, bool warning) {
  GErrorHolder error;
  GCharHolder debug;
  if (warning) {
    gst_message_parse_warning(message, &error.error, &debug.text);
  } else {
    gst_message_parse_error(message, &error.error, &debug.text);
  }
  std::string text = error.error != nullptr ? error.error->message : "unknown error";
  if (debug.text != nullptr) {
    const std::string detail = debug.text;
    const auto newline = detail.rfind('\n');
    text += " — " + (newline == std::string::npos ? detail : detail.substr(newline + 1));
  }
  return text;
}

std::int64_t signedTime(GstClockTime t) { return static_cast<std::int64_t>(t); }

core::DriftCorrectionSettings correctionSettings(bool enabled) {
  core::DriftCorrectionSettings settings;
  settings.enabled = enabled;
  return settings;
}

}  // namespace

struct SourceFeed::Bridge {
  SourceFeed* feed = nullptr;
  std::uint64_t generation = 0;
  std::atomic<bool> detached{false};
};

std::string SourceFeed::describe(const SourceFeedSettings& s) {
  std::ostringstream d;
  d << s.pipeline
    << "\n"
    // A live picture is never queued behind a slow conversion: when the machine is short of
    // CPU, the oldest frames waiting here go (leaky), so the picture stays at most a few
    // frames late rather than building a backlog of seconds (issue 27: the preset's own
    // queue, a second long, filled on a starved machine and lip sync never came back).
    << " video. ! queue name=source_video_queue leaky=downstream max-size-buffers=" << kVideoQueueFrames
    << " max-size-bytes=0 max-size-time=0"
    // Normalise whatever the source gives; the rate is the program's videorate's job.
    << " ! videoconvert name=source_video_convert ! videoscale add-borders=true"
    << " ! video/x-raw,format=I420,width=" << s.width << ",height=" << s.height << ",pixel-aspect-ratio=1/1"
    << " ! appsink name=source_video sync=false async=false enable-last-sample=false max-buffers=8 drop=true\n"
    << " audio. ! audioconvert ! audioresample"
    << " ! audio/x-raw,format=S16LE,layout=interleaved,rate=" << core::AudioSettings::kSampleRate
    << ",channels=" << core::AudioSettings::kChannels
    << " ! appsink name=source_audio sync=false async=false enable-last-sample=false max-buffers=50 drop=true\n";
  return d.str();
}

SourceFeed::SourceFeed(SourceFeedSettings settings, Program& program, MediaListener& listener,
                       std::function<void(ElementRef)> dispose)
    : settings_(std::move(settings)),
      program_(program),
      listener_(listener),
      dispose_(std::move(dispose)),
      random_(std::make_unique<SystemRandom>()),
      watchdog_(settings_.watchdog, *random_),
      corrector_(settings_.soundClock, correctionSettings(settings_.driftCorrection)) {
  // A preset that does not even parse is a set-up error, told at once.
  GErrorHolder error;
  const std::string description = describe(settings_);
  GstElement* element = gst_parse_launch(description.c_str(), &error.error);
  if (element != nullptr) g_object_ref_sink(element);
  auto probe = ElementRef::adopt(element);
  if (error.error != nullptr || !probe) {
    throw MediaError(std::string("the source pipeline could not be built: ") +
                     (error.error ? error.error->message : "unknown error") +
                     ". Check the preset in pipelines/ and that its plug-ins are installed.");
  }
}

SourceFeed::~SourceFeed() { stop(); }

void SourceFeed::start() {
  std::string error;
  ElementRef failed;
  bool fatal = false;
  {
    std::lock_guard lock(mutex_);
    const GstClockTime now = program_.runningTime();
    lastVideoAt_ = now;
    lastAudioAt_ = now;
    outputMovedAt_ = core::Clock::now();
    if (!launch(error)) {
      if (settings_.mustStart) {
        // A local device that is not there when the technician starts Tribune: say so
        // now (with GStreamer's own words), rather than go on air with the slate.
        if (auto failure = takeFailure()) error += " (" + failure->first + ")";
        quitting_ = true;
        fatal = true;
        failed = detach();
      } else {
        setFailure(error, false);
      }
    }
    watchdog_.started(core::Clock::now());
  }
  if (fatal) {
    if (failed) gst_element_set_state(failed.get(), GST_STATE_NULL);
    throw MediaError(error);
  }
  if (!error.empty()) logger()->error("source : {}", error);
  if (settings_.loop) {
    // A segment seek makes the source post SEGMENT_DONE instead of EOS at its end, so it
    // can be sought back without flushing.
    ElementRef pipeline;
    {
      std::lock_guard lock(mutex_);
      pipeline = pipeline_;
    }
    if (pipeline) {
      gst_element_get_state(pipeline.get(), nullptr, nullptr, 5 * GST_SECOND);
      if (!gst_element_seek(pipeline.get(), 1.0, GST_FORMAT_TIME,
                            static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_SEGMENT), GST_SEEK_TYPE_SET,
                            0, GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE)) {
        logger()->warn("the file source cannot be looped (seek refused); it will end");
      }
    }
  }
  supervisor_ = std::thread([this] { supervise(); });
}

void SourceFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    if (quitting_) return;
    quitting_ = true;
  }
  wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  // At the end the source is stopped here, outside mutex_: stopping joins its streaming
  // threads, which may be waiting for mutex_ in video() or audio().
  ElementRef pipeline;
  {
    std::lock_guard lock(mutex_);
    pipeline = detach();
  }
  if (pipeline) gst_element_set_state(pipeline.get(), GST_STATE_NULL);
}

void SourceFeed::setFailure(std::string detail, bool ended) {
  {
    std::lock_guard lock(failureMutex_);
    if (failure_) return;
    failure_ = std::pair{std::move(detail), ended};
    failurePending_ = true;
  }
  wake_.notify_all();
}

std::optional<std::pair<std::string, bool>> SourceFeed::takeFailure() {
  std::lock_guard lock(failureMutex_);
  failurePending_ = false;
  return std::exchange(failure_, std::nullopt);
}

void SourceFeed::loopSource() {
  std::lock_guard lock(mutex_);
  if (!pipeline_ || quitting_) return;
  gst_element_seek(pipeline_.get(), 1.0, GST_FORMAT_TIME, GST_SEEK_FLAG_SEGMENT, GST_SEEK_TYPE_SET, 0,
                   GST_SEEK_TYPE_NONE, GST_CLOCK_TIME_NONE);
}

SourceStats SourceFeed::stats() const {
  std::lock_guard lock(mutex_);
  SourceStats s = stats_;
  s.restarts = watchdog_.restarts();
  s.lastError = watchdog_.lastError();
  if (const auto estimate = drift_.estimate()) {
    s.driftPpm = estimate->ppm;
    s.driftStandardErrorPpm = estimate->standardErrorPpm;
  }
  s.driftState = corrector_.state();
  s.audioRate = audioRate_;
  return s;
}

bool SourceFeed::launch(std::string& error) {
  GErrorHolder parseError;
  const std::string description = describe(settings_);
  GstElement* element = gst_parse_launch(description.c_str(), &parseError.error);
  if (element != nullptr) g_object_ref_sink(element);
  auto pipeline = ElementRef::adopt(element);
  if (parseError.error != nullptr || !pipeline) {
    error = std::string("the source pipeline could not be built: ") +
            (parseError.error ? parseError.error->message : "unknown error");
    return false;
  }
  ++generation_;
  placement_.reset();
  drift_.reset();
  corrector_.sourceRestarted();
  auto bridge = std::make_shared<Bridge>();
  bridge->feed = this;
  bridge->generation = generation_;
  auto bin = GST_BIN(pipeline.get());
  for (auto [name, callback] :
       {std::pair{"source_video", &SourceFeed::onVideoSample}, std::pair{"source_audio", &SourceFeed::onAudioSample}}) {
    auto sink = ElementRef::adopt(gst_bin_get_by_name(bin, name));
    if (!sink) {
      error = "the source pipeline has no video or no audio branch";
      return false;
    }
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = callback;
    gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, new std::shared_ptr<Bridge>(bridge),
                               [](gpointer p) { delete static_cast<std::shared_ptr<Bridge>*>(p); });
  }
  auto bus = BusRef::adopt(gst_element_get_bus(pipeline.get()));
  gst_bus_set_sync_handler(bus.get(), &SourceFeed::onBusMessage, new std::shared_ptr<Bridge>(bridge),
                           [](gpointer p) { delete static_cast<std::shared_ptr<Bridge>*>(p); });
  // The program's clock, and a running time that starts now: a file or a paced source
  // restarted mid-meeting plays at its own pace from here (with the program's base time
  // it would be late and rush), and the first buffer fixes the offset to program time.
  if (auto clock = program_.clock()) {
    gst_pipeline_use_clock(GST_PIPELINE(pipeline.get()), clock.get());
    gst_element_set_start_time(pipeline.get(), GST_CLOCK_TIME_NONE);
    gst_element_set_base_time(pipeline.get(), gst_clock_get_time(clock.get()));
  }
  pipeline_ = pipeline;
  bridge_ = bridge;
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    error = "the source could not start: is the capture device connected and free?";
    return false;
  }
  return true;
}

void SourceFeed::simulateSlowPicture(std::chrono::milliseconds perFrame, std::chrono::milliseconds duration) {
  std::lock_guard lock(mutex_);
  if (!pipeline_) return;
  auto convert = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline_.get()), "source_video_convert"));
  if (!convert) return;
  auto pad = PadRef::adopt(gst_element_get_static_pad(convert.get(), "sink"));
  struct Slow {
    std::chrono::milliseconds perFrame;
    std::chrono::steady_clock::time_point until;
  };
  gst_pad_add_probe(
      pad.get(), GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo*, gpointer data) {
        const auto* slow = static_cast<const Slow*>(data);
        if (std::chrono::steady_clock::now() >= slow->until) return GST_PAD_PROBE_REMOVE;
        std::this_thread::sleep_for(slow->perFrame);
        return GST_PAD_PROBE_OK;
      },
      new Slow{perFrame, std::chrono::steady_clock::now() + duration},
      [](gpointer data) { delete static_cast<Slow*>(data); });
}

ElementRef SourceFeed::detach() {
  if (bridge_) bridge_->detached = true;
  bridge_.reset();
  if (!pipeline_) return {};
  auto bus = BusRef::adopt(gst_element_get_bus(pipeline_.get()));
  gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
  return std::move(pipeline_);
}

namespace {

// The sample's buffer with our own reference, and its running time; the sample itself is
// dropped at once, so that the buffer is usually ours alone (graphics blend in place).
std::optional<std::pair<BufferRef, GstClockTime>> takeBuffer(GstAppSink* sink) {
  auto sample = SampleRef::adopt(gst_app_sink_pull_sample(sink));
  GstBuffer* buffer = sample ? gst_sample_get_buffer(sample.get()) : nullptr;
  const GstSegment* segment = sample ? gst_sample_get_segment(sample.get()) : nullptr;
  if (buffer == nullptr || segment == nullptr || !GST_BUFFER_PTS_IS_VALID(buffer)) return std::nullopt;
  const GstClockTime runningTime = gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  if (!GST_CLOCK_TIME_IS_VALID(runningTime)) return std::nullopt;
  return std::pair{BufferRef::adopt(gst_buffer_ref(buffer)), runningTime};
}

}  // namespace

GstFlowReturn SourceFeed::onVideoSample(GstAppSink* sink, gpointer data) {
  auto* bridge = static_cast<std::shared_ptr<Bridge>*>(data)->get();
  auto taken = takeBuffer(sink);
  if (taken && !bridge->detached) bridge->feed->video(bridge->generation, std::move(taken->first), taken->second);
  return GST_FLOW_OK;
}

GstFlowReturn SourceFeed::onAudioSample(GstAppSink* sink, gpointer data) {
  auto* bridge = static_cast<std::shared_ptr<Bridge>*>(data)->get();
  auto taken = takeBuffer(sink);
  if (taken && !bridge->detached) bridge->feed->audio(bridge->generation, std::move(taken->first), taken->second);
  return GST_FLOW_OK;
}

GstBusSyncReply SourceFeed::onBusMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* bridge = static_cast<std::shared_ptr<Bridge>*>(data)->get();
  if (bridge->detached) {
    gst_message_unref(message);  // dropped: ours to release (GstBusSyncHandler)
    return GST_BUS_DROP;
  }
  try {
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_ERROR: bridge->feed->failed(bridge->generation, errorText(message, false), false); break;
      case GST_MESSAGE_EOS: bridge->feed->failed(bridge->generation, "the source ended", true); break;
      case GST_MESSAGE_SEGMENT_DONE: bridge->feed->segmentDone(bridge->generation); break;
      case GST_MESSAGE_WARNING: logger()->warn("source : {}", errorText(message, true)); break;
      default: break;
    }
  } catch (...) {
    // Never unwind through GStreamer.
  }
  gst_message_unref(message);  // dropped: ours to release (GstBusSyncHandler)
  return GST_BUS_DROP;
}

void SourceFeed::failed(std::uint64_t generation, std::string detail, bool ended) {
  // Never mutex_: an error can be posted from inside launch()'s state change, which runs
  // with mutex_ held.
  if (generation != generation_.load()) return;
  setFailure(std::move(detail), ended);
}

void SourceFeed::segmentDone(std::uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    if (generation != generation_) return;
  }
  listener_.onProgramSegmentDone();
}

std::int64_t SourceFeed::programTime(core::SourceTrack track, GstClockTime runningTime, GstClockTime now) {
  // One offset for both tracks, moved only when a track's own timeline changed
  // (core/source_placement.h): a track that is merely late keeps its place.
  const auto placed = placement_.place(track, signedTime(runningTime), signedTime(now));
  if (placed.change == core::PlacementChange::Rebased) {
    logger()->warn("source : horodatages {} replacés de {:+} ms ({}) / the source's {} timestamps rebased",
                   core::toString(track), placed.movedNs / 1'000'000, core::toString(placed.reason),
                   core::toString(track));
    ++stats_.rebases;
    if (track == core::SourceTrack::Audio) drift_.reset();
  }
  return placed.programTime;
}

void SourceFeed::video(std::uint64_t generation, BufferRef buffer, GstClockTime runningTime) {
  std::lock_guard lock(mutex_);
  if (generation != generation_ || quitting_) return;
  arrived_[static_cast<int>(core::SourceTrack::Video)] = core::Clock::now();
  const GstClockTime now = program_.runningTime();
  const std::int64_t pts = programTime(core::SourceTrack::Video, runningTime, now);
  lastVideoAt_ = now;  // the source delivers: the filler stops, even if this frame comes too late
  stats_.videoLateMs = static_cast<double>(signedTime(now) - pts) / 1e6;
  if (pts < 0 || (lastVideoPts_ && pts <= signedTime(*lastVideoPts_))) {
    ++stats_.droppedLate;
    return;
  }
  if (realFrames_++ % kFreezeEvery == 0 || !freezeFrame_) {
    freezeFrame_ = BufferRef::adopt(gst_buffer_copy_deep(buffer.get()));
  }
  GstBuffer* out = gst_buffer_make_writable(buffer.release());
  GST_BUFFER_PTS(out) = static_cast<GstClockTime>(pts);
  GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(out) = kFramePeriod;
  lastVideoPts_ = static_cast<GstClockTime>(pts);
  ++framesIn_;
  program_.pushVideo(out);
}

void SourceFeed::audio(std::uint64_t generation, BufferRef buffer, GstClockTime runningTime) {
  const std::uint64_t samples = gst_buffer_get_size(buffer.get()) / kBytesPerFrame;
  if (samples == 0) return;

  std::lock_guard lock(mutex_);
  if (generation != generation_ || quitting_) return;
  arrived_[static_cast<int>(core::SourceTrack::Audio)] = core::Clock::now();
  const GstClockTime now = program_.runningTime();
  const std::int64_t pts = programTime(core::SourceTrack::Audio, runningTime, now);
  // The interface's own clock, as its sample count tells it (before any rebase).
  drift_.add(runningTime, samples);
  const auto rate = static_cast<std::uint64_t>(audioRate_);
  const std::int64_t end = pts + static_cast<std::int64_t>(gst_util_uint64_scale(samples, GST_SECOND, rate));
  // How late this sound came: held at its peak, released slowly.
  const GstClockTime release =
      gst_util_uint64_scale(now - std::min(now, lastAudioAt_), kLatenessReleasePerSecond, GST_SECOND);
  audioLateness_ = audioLateness_ > release ? audioLateness_ - release : 0;
  if (signedTime(now) > end)
    audioLateness_ = std::max(audioLateness_, static_cast<GstClockTime>(signedTime(now) - end));
  lastAudioAt_ = now;  // the source delivers: the silence stops, even if this buffer comes too late
  if (end <= 0 || (audioEnd_ && end <= signedTime(*audioEnd_))) {
    ++stats_.droppedLate;  // all of it is where the program already has sound
    return;
  }
  std::uint64_t skip = 0;
  if (audioEnd_) {
    const std::int64_t offset = pts - signedTime(*audioEnd_);
    if (offset < -signedTime(kAudioSlack)) {
      // Starts before what was already pushed (silence put in while it was late): its head
      // goes, so that the rest keeps its place.
      skip = gst_util_uint64_scale(static_cast<std::uint64_t>(-offset), rate, GST_SECOND);
      ++stats_.trimmedAudioBuffers;
    } else if (offset > signedTime(kAudioSlack)) {
      // Starts after a hole: silence up to its place.
      pushSilence(gst_util_uint64_scale(static_cast<std::uint64_t>(offset), rate, GST_SECOND));
    }
  }
  if (skip >= samples) {
    ++stats_.droppedLate;
    return;
  }
  GstBuffer* out = gst_buffer_make_writable(buffer.release());
  if (skip > 0) gst_buffer_resize(out, static_cast<gssize>(skip * kBytesPerFrame), -1);
  const std::uint64_t kept = samples - skip;
  // Where the sound already pushed ends (within the slack, this buffer's own place).
  const GstClockTime start = audioEnd_ ? *audioEnd_ : static_cast<GstClockTime>(std::max<std::int64_t>(0, pts));
  const auto duration = static_cast<GstClockTime>(gst_util_uint64_scale(kept, GST_SECOND, rate));
  GST_BUFFER_PTS(out) = start;
  GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(out) = duration;
  audioEnd_ = start + duration;
  program_.pushAudio(out, audioRate_);
}

void SourceFeed::fillVideo(GstClockTime now) {
  if (now < lastVideoAt_ + kVideoGap) return;
  GstClockTime next = lastVideoPts_ ? *lastVideoPts_ + kFramePeriod : lastVideoAt_;
  if (now > next + GST_SECOND) next = now;  // a long hole (a stopped clock): start again from now
  const gsize size = static_cast<gsize>(settings_.width) * settings_.height * 3 / 2;
  for (; next <= now; next += kFramePeriod) {
    GstBuffer* frame = nullptr;
    if (freezeFrame_) {
      frame = gst_buffer_copy_deep(freezeFrame_.get());
    } else {
      // Nothing seen yet: black (Y 16, U and V 128).
      frame = gst_buffer_new_allocate(nullptr, size, nullptr);
      GstMapInfo map;
      if (gst_buffer_map(frame, &map, GST_MAP_WRITE)) {
        const gsize luma = static_cast<gsize>(settings_.width) * settings_.height;
        std::memset(map.data, 16, luma);
        std::memset(map.data + luma, 128, size - luma);
        gst_buffer_unmap(frame, &map);
      }
    }
    GST_BUFFER_PTS(frame) = next;
    GST_BUFFER_DTS(frame) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DURATION(frame) = kFramePeriod;
    lastVideoPts_ = next;
    ++stats_.fillerFrames;
    ++framesIn_;
    program_.pushVideo(frame);
  }
}

void SourceFeed::pushSilence(std::uint64_t samples) {
  const GstClockTime start = audioEnd_.value_or(0);
  const auto bytes = static_cast<gsize>(samples * kBytesPerFrame);
  GstBuffer* silence = gst_buffer_new_allocate(nullptr, bytes, nullptr);
  gst_buffer_memset(silence, 0, 0, bytes);
  const auto duration =
      static_cast<GstClockTime>(gst_util_uint64_scale(samples, GST_SECOND, static_cast<std::uint64_t>(audioRate_)));
  GST_BUFFER_PTS(silence) = start;
  GST_BUFFER_DURATION(silence) = duration;
  audioEnd_ = start + duration;
  ++stats_.fillerAudioBuffers;
  program_.pushAudio(silence, audioRate_);
}

void SourceFeed::fillAudio(GstClockTime now) {
  // Behind the clock by how late the source's sound comes, so the filler never takes the
  // place of sound that is on its way.
  const GstClockTime lead = std::min(kAudioMaxLead, std::max(kAudioLead, audioLateness_ + kLatenessMargin));
  if (now < lastAudioAt_ + kAudioGap || now < lead) return;
  const GstClockTime until = now - lead;
  if (!audioEnd_) {
    // Nothing pushed yet: the silence starts where the feed did, with the picture.
    audioEnd_ = lastAudioAt_;
  } else if (until > *audioEnd_ + GST_SECOND) {
    audioEnd_ = until;  // a long hole (a stopped clock): start again from there
  }
  const auto samples = static_cast<std::uint64_t>(gst_util_uint64_scale(kSilenceChunk, audioRate_, GST_SECOND));
  const auto duration = static_cast<GstClockTime>(gst_util_uint64_scale(samples, GST_SECOND, audioRate_));
  while (*audioEnd_ + duration <= until) pushSilence(samples);
}

void SourceFeed::supervise() {
  constexpr auto kTick = std::chrono::milliseconds(10);
  auto lastDriftLook = core::Clock::now();
  std::uint64_t framesInAtMove = 0;
  while (true) {
    std::vector<core::SourceChange> changes;
    bool restart = false;
    bool stalled = false;
    std::string failureDetail;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kTick, [&] { return quitting_ || failurePending_.load(); });
      if (quitting_) return;
      const auto now = core::Clock::now();
      for (int i = 0; i < core::kSourceTrackCount; ++i) {
        if (arrived_[i]) watchdog_.delivered(static_cast<core::SourceTrack>(i), *arrived_[i]);
        arrived_[i].reset();
      }
      if (auto failure = takeFailure()) {
        failureDetail = failure->first;
        watchdog_.failed(failure->first, failure->second, now);
      }
      auto decision = watchdog_.tick(now);
      changes = std::move(decision.changes);
      restart = decision.restart;
      for (const auto& change : changes) {
        if (change.track == core::SourceTrack::Video) {
          stats_.videoUp = change.up;
          stats_.videoReason = change.reason;
        } else {
          stats_.audioUp = change.up;
          stats_.audioReason = change.reason;
        }
      }

      const GstClockTime programNow = program_.runningTime();
      fillVideo(programNow);
      fillAudio(programNow);

      // The encoders: frames go in, none come out.
      const std::uint64_t framesOut = program_.fanout().videoFrames();
      if (framesOut != lastFramesOut_) {
        lastFramesOut_ = framesOut;
        outputMovedAt_ = now;
        framesInAtMove = framesIn_;
      } else if (framesIn_ > framesInAtMove + 10 && now - outputMovedAt_ > settings_.encoderStall) {
        stalled = true;
        ++stats_.stalls;
        outputMovedAt_ = now;  // the new encoders get their time
        framesInAtMove = framesIn_;
      }

      if (now - lastDriftLook >= std::chrono::seconds(1)) {
        lastDriftLook = now;
        const auto estimate = drift_.estimate();
        const auto before = corrector_.state();
        const auto drift = corrector_.look(estimate);
        if (drift.state != before && drift.state == core::DriftState::Implausible) {
          logger()->warn(
              "son : dérive mesurée {:+.0f} ppm, invraisemblable pour une horloge : non corrigée / measured drift "
              "implausible for a clock (timestamps, not drift): not corrected",
              estimate ? estimate->ppm : 0.0);
        }
        if (drift.rate != audioRate_) {
          // Once when it starts, then when it arrives (a step under the most per look).
          if (drift.state != before || std::abs(drift.rate - audioRate_) < 5) {
            logger()->info(
                "son : dérive de l'horloge de l'interface {:+.1f} ppm (± {:.1f}), son déclaré à {} Hz / audio "
                "clock drift corrected",
                estimate ? estimate->ppm : 0.0, estimate ? estimate->standardErrorPpm : 0.0, drift.rate);
          }
          audioRate_ = drift.rate;
        }
      }
    }

    if (!failureDetail.empty()) logger()->warn("source : {}", failureDetail);
    for (const auto& change : changes) {
      try {
        listener_.onSourceChanged(change.track, change.up, change.reason);
      } catch (...) {
        // The listener only posts; never let it stop the supervisor.
      }
    }
    if (stalled) {
      logger()->error("encodeur bloqué depuis {} ms : reconstruit / encoder stalled: rebuilt",
                      settings_.encoderStall.count());
      try {
        program_.rebuild(dispose_);
        listener_.onEncoderRebuilt("no encoded frame for " + std::to_string(settings_.encoderStall.count()) + " ms");
      } catch (const std::exception& e) {
        listener_.onProgramError(std::string("the encode side could not be rebuilt: ") + e.what());
      }
    }
    if (restart) {
      std::string error;
      std::unique_lock lock(mutex_);
      if (quitting_) return;
      logger()->info("source : redémarrage (essai {}) / restarting the source (attempt {})", watchdog_.attempt(),
                     watchdog_.attempt());
      // Tearing a source down can wait on the network (an SRT or RTSP peer): the reaper does it.
      if (auto old = detach()) dispose_(std::move(old));
      if (!launch(error)) setFailure(error, false);
      watchdog_.started(core::Clock::now());
    }
  }
}

}  // namespace tribune::media
