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
// Sound missing for this long is replaced by silence, up to kAudioLead behind now, so
// that a late but live source's sound still finds its place.
constexpr GstClockTime kAudioGap = 100 * GST_MSECOND;
constexpr GstClockTime kAudioLead = 60 * GST_MSECOND;
constexpr GstClockTime kSilenceChunk = 10 * GST_MSECOND;
// Sound that starts this much before what the program already has is dropped (less is
// left to the encoder, which tolerates small overlaps).
constexpr GstClockTime kAudioOverlap = 20 * GST_MSECOND;
// A source more than this away from the program's time is rebased.
constexpr std::int64_t kRebaseBeyond = 2 * static_cast<std::int64_t>(GST_SECOND);
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
    // Normalise whatever the source gives; the rate is the program's videorate's job.
    << " video. ! videoconvert ! videoscale add-borders=true"
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
      drift_(core::AudioSettings::kSampleRate) {
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
  s.driftPpm = drift_.ppm();
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
  for (auto& offset : offset_) offset.reset();
  drift_.reset();
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
  const std::int64_t rt = signedTime(runningTime);
  const std::int64_t current = signedTime(now);
  auto& offset = offset_[static_cast<int>(track)];
  if (!offset_[0] && !offset_[1]) {
    // The first buffer of this pipeline, audio or video, is put at now; the other track
    // follows with the same offset, so their sync is the source's.
    offset_[0] = offset_[1] = current - rt;
  } else if (std::llabs(rt + *offset - current) > kRebaseBeyond) {
    // Only this track: one branch of a source can restart alone (an SRT picture whose
    // sender came back while the sound is local), and the other must not jump with it.
    logger()->warn("source : horodatages {} décalés de {} ms, recalés / the source's {} timestamps jumped, rebased",
                   core::toString(track), (rt + *offset - current) / 1'000'000, core::toString(track));
    offset = current - rt;
    if (track == core::SourceTrack::Audio) drift_.reset();
  }
  return rt + *offset;
}

void SourceFeed::video(std::uint64_t generation, BufferRef buffer, GstClockTime runningTime) {
  std::lock_guard lock(mutex_);
  if (generation != generation_ || quitting_) return;
  arrived_[static_cast<int>(core::SourceTrack::Video)] = core::Clock::now();
  const GstClockTime now = program_.runningTime();
  const std::int64_t pts = programTime(core::SourceTrack::Video, runningTime, now);
  lastVideoAt_ = now;  // the source delivers: the filler stops, even if this frame comes too late
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
  const auto duration = static_cast<GstClockTime>(gst_util_uint64_scale(samples, GST_SECOND, audioRate_));
  lastAudioAt_ = now;  // the source delivers: the silence stops, even if this buffer comes too late
  if (pts < 0 || (audioEnd_ && pts + signedTime(kAudioOverlap) < signedTime(*audioEnd_))) {
    ++stats_.droppedLate;
    return;
  }
  GstBuffer* out = gst_buffer_make_writable(buffer.release());
  GST_BUFFER_PTS(out) = static_cast<GstClockTime>(pts);
  GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(out) = duration;
  audioEnd_ = std::max(audioEnd_.value_or(0), static_cast<GstClockTime>(pts) + duration);
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

void SourceFeed::fillAudio(GstClockTime now) {
  if (now < lastAudioAt_ + kAudioGap || now < kAudioLead) return;
  const GstClockTime until = now - kAudioLead;
  // Nothing pushed yet: the silence starts where the feed did, with the picture.
  GstClockTime start = audioEnd_.value_or(lastAudioAt_);
  if (until > start + GST_SECOND) start = until;
  const auto samples = static_cast<gsize>(gst_util_uint64_scale(kSilenceChunk, audioRate_, GST_SECOND));
  const auto duration = static_cast<GstClockTime>(gst_util_uint64_scale(samples, GST_SECOND, audioRate_));
  while (start + duration <= until) {
    GstBuffer* silence = gst_buffer_new_allocate(nullptr, samples * kBytesPerFrame, nullptr);
    gst_buffer_memset(silence, 0, 0, samples * kBytesPerFrame);
    GST_BUFFER_PTS(silence) = start;
    GST_BUFFER_DURATION(silence) = duration;
    start += duration;
    audioEnd_ = start;
    ++stats_.fillerAudioBuffers;
    program_.pushAudio(silence, audioRate_);
  }
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

      if (settings_.driftCorrection && now - lastDriftLook >= std::chrono::seconds(1)) {
        lastDriftLook = now;
        const int rate = drift_.correctedRate();
        if (rate != audioRate_) {
          logger()->info("son : dérive de l'horloge de l'interface {:+.0f} ppm, corrigée / audio clock drift corrected",
                         drift_.ppm().value_or(0.0));
          audioRate_ = rate;
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
