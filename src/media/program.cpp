#include "media/program.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "media/media_error.h"
#include "media/media_log.h"

namespace tribune::media {
namespace {

// The level element's message: one peak and one RMS value per channel, in dBFS.
AudioLevels readLevels(const GstStructure* s) {
  AudioLevels levels;
  auto read = [&](const char* field, std::vector<double>& out) {
    const GValue* list = gst_structure_get_value(s, field);
    if (list == nullptr) return;
    // GStreamer 1.22's level element still posts the deprecated GValueArray.
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    const bool valueArray = G_VALUE_HOLDS(list, g_value_array_get_type());
    if (valueArray) {
      const auto* array = static_cast<const GValueArray*>(g_value_get_boxed(list));
      for (guint i = 0; array != nullptr && i < array->n_values; ++i) {
        out.push_back(g_value_get_double(g_value_array_get_nth(const_cast<GValueArray*>(array), i)));
      }
    }
    G_GNUC_END_IGNORE_DEPRECATIONS
    if (!valueArray && GST_VALUE_HOLDS_ARRAY(list)) {
      for (guint i = 0; i < gst_value_array_get_size(list); ++i) {
        out.push_back(g_value_get_double(gst_value_array_get_value(list, i)));
      }
    }
  };
  read("peak", levels.peakDb);
  read("rms", levels.rmsDb);
  return levels;
}

std::string messageDetail(GstMessage* message) {
  GErrorHolder error;
  GCharHolder debug;
  gst_message_parse_error(message, &error.error, &debug.text);
  std::string detail = error.error != nullptr ? error.error->message : "unknown error";
  if (debug.text != nullptr) detail += std::string(" (") + debug.text + ")";
  return detail;
}

}  // namespace

std::string Program::describe(const ProgramSettings& s) {
  std::ostringstream d;
  const int gop = s.video.keyframeIntervalSeconds * core::VideoSettings::kFramesPerSecond;
  // Live inputs, bounded: if the encoder falls behind, the oldest raw frames go first
  // (a stall is then seen by the source feed and the encode side rebuilt).
  d << "appsrc name=program_video_in is-live=true format=time do-timestamp=false block=false"
    << " max-buffers=8 max-bytes=0 max-time=0 leaky-type=downstream"
    << " caps=video/x-raw,format=I420,width=" << s.video.width() << ",height=" << s.video.height()
    << ",pixel-aspect-ratio=1/1,framerate=" << core::VideoSettings::kFramesPerSecond
    << "/1"
    // Graphics are blended in place by GraphicsStage, a probe on this identity's source pad,
    // before videorate, which keeps a reference to the last frame (a frame it holds is not
    // writable, and blending would copy it whole).
    << " ! identity name=program_graphics silent=true"
    // skip-to-first: a rebuilt encode side starts mid-timeline, and without it videorate
    // would fill from the segment's start (zero) with copies of the first frame.
    << " ! videorate name=program_rate skip-to-first=true ! video/x-raw,framerate="
    << core::VideoSettings::kFramesPerSecond << "/1"
    << " ! tee name=program_tee"
    // The console's preview: what is on air, small, a few times a second. Its queue leaks
    // so that the preview can never hold the encoder back.
    << " program_tee. ! queue leaky=downstream max-size-buffers=1 max-size-time=0 max-size-bytes=0"
    << " ! videorate drop-only=true max-rate=" << kPreviewFramesPerSecond
    << " ! videoscale ! video/x-raw,width=" << kPreviewWidth
    << ",height=" << kPreviewWidth * s.video.height() / s.video.width()
    << " ! jpegenc quality=70 ! appsink name=program_preview sync=false async=false max-buffers=1 drop=true"
    << " program_tee. ! queue max-size-buffers=3 max-size-time=0 max-size-bytes=0"
    // Open in normal running; simulateStall() closes it (a wedged encoder, for the tests).
    << " ! valve name=program_valve drop=false"
    // Closed GOP of a fixed length (no scene-cut key frames), CBR, as platforms ask.
    << " ! x264enc name=program_encoder speed-preset=" << s.video.x264Preset << " bitrate="
    << s.video.bitrateKbps
    // The 8x8 transform is High-only: with it every preset (even ultrafast, which would
    // otherwise signal Constrained Baseline) produces the High profile platforms ask for.
    << " pass=cbr vbv-buf-capacity=1000 dct8x8=true key-int-max=" << gop
    << " option-string=\"scenecut=0:open-gop=0:min-keyint=" << gop << "\""
    << " ! video/x-h264,profile=high ! h264parse config-interval=-1"
    << " ! video/x-h264,stream-format=avc,alignment=au"
    << " ! appsink name=program_video sync=false async=false emit-signals=false\n"
    << "appsrc name=program_audio_in is-live=true format=time do-timestamp=false block=false"
    << " max-buffers=50 max-bytes=0 max-time=0 leaky-type=downstream"
    << " caps=audio/x-raw,format=S16LE,layout=interleaved,rate=" << core::AudioSettings::kSampleRate << ",channels="
    << core::AudioSettings::kChannels
    // The source feed may declare another rate to correct the interface's clock drift:
    // resampling to 48 kHz puts the sound back on the program clock.
    << " ! audioresample ! audioconvert ! audio/x-raw,rate=" << core::AudioSettings::kSampleRate << ",channels="
    << core::AudioSettings::kChannels
    // Meters see the microphones even while the public outputs are muted (huis clos).
    << " ! level name=program_level interval=" << kLevelInterval
    << " post-messages=true"
    // The loudness stage (LoudnessStage, a probe on this identity's source pad): gain towards
    // the target and true-peak limiter, in place, on interleaved floats. After the meters
    // (they show the microphones as they come), before the mute (huis clos stays absolute:
    // nothing the stage does can be heard through it).
    << " ! audioconvert ! audio/x-raw,format=F32LE,layout=interleaved"
    << " ! identity name=program_loudness silent=true"
    << " ! volume name=program_volume"
    << " ! queue max-size-time=1000000000 max-size-buffers=0 max-size-bytes=0"
    << " ! audioconvert ! avenc_aac bitrate=" << s.audio.bitrateKbps * 1000
    << " ! aacparse ! audio/mpeg,mpegversion=4,stream-format=raw"
    << " ! appsink name=program_audio sync=false async=false emit-signals=false\n";
  return d.str();
}

Program::Program(ProgramSettings settings, MediaListener& listener)
    : settings_(std::move(settings)),
      listener_(listener),
      graphics_(settings_.fade, GST_SECOND / core::VideoSettings::kFramesPerSecond),
      loudness_(std::make_unique<LoudnessStage>(settings_.audio.loudness, core::AudioSettings::kSampleRate,
                                                core::AudioSettings::kChannels, &listener_)) {
  build();
}

void Program::build() {
  GErrorHolder error;
  const std::string description = describe(settings_);
  auto element = gst_parse_launch(description.c_str(), &error.error);
  if (element != nullptr) g_object_ref_sink(element);
  auto pipeline = ElementRef::adopt(element);
  if (error.error != nullptr || !pipeline) {
    throw MediaError(std::string("the encode pipeline could not be built: ") +
                     (error.error ? error.error->message : "unknown error") +
                     ". Check that the GStreamer plug-ins of scripts/setup are installed.");
  }
  auto bin = GST_BIN(pipeline.get());
  auto videoSink = ElementRef::adopt(gst_bin_get_by_name(bin, "program_video"));
  auto audioSink = ElementRef::adopt(gst_bin_get_by_name(bin, "program_audio"));
  auto videoIn = ElementRef::adopt(gst_bin_get_by_name(bin, "program_video_in"));
  auto audioIn = ElementRef::adopt(gst_bin_get_by_name(bin, "program_audio_in"));
  if (!videoSink || !audioSink || !videoIn || !audioIn) throw MediaError("the program pipeline has no encoder outputs");

  GstAppSinkCallbacks videoCallbacks{};
  videoCallbacks.new_sample = &Program::onVideoSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(videoSink.get()), &videoCallbacks, this, nullptr);
  GstAppSinkCallbacks audioCallbacks{};
  audioCallbacks.new_sample = &Program::onAudioSample;
  gst_app_sink_set_callbacks(GST_APP_SINK(audioSink.get()), &audioCallbacks, this, nullptr);
  if (auto preview = ElementRef::adopt(gst_bin_get_by_name(bin, "program_preview"))) {
    GstAppSinkCallbacks previewCallbacks{};
    previewCallbacks.new_sample = &Program::onPreviewSample;
    gst_app_sink_set_callbacks(GST_APP_SINK(preview.get()), &previewCallbacks, this, nullptr);
  }
  auto graphicsElement = ElementRef::adopt(gst_bin_get_by_name(bin, "program_graphics"));
  auto graphicsPad =
      graphicsElement ? PadRef::adopt(gst_element_get_static_pad(graphicsElement.get(), "src")) : PadRef{};
  if (!graphicsPad) throw MediaError("the program pipeline has no graphics stage");
  auto loudnessElement = ElementRef::adopt(gst_bin_get_by_name(bin, "program_loudness"));
  auto loudnessPad =
      loudnessElement ? PadRef::adopt(gst_element_get_static_pad(loudnessElement.get(), "src")) : PadRef{};
  if (!loudnessPad) throw MediaError("the program pipeline has no loudness stage");

  std::lock_guard lock(mutex_);
  pipeline_ = std::move(pipeline);
  videoIn_ = std::move(videoIn);
  audioIn_ = std::move(audioIn);
  videoSink_ = std::move(videoSink);
  videoRate_ = ElementRef::adopt(gst_bin_get_by_name(bin, "program_rate"));
  volume_ = ElementRef::adopt(gst_bin_get_by_name(bin, "program_volume"));
  valve_ = ElementRef::adopt(gst_bin_get_by_name(bin, "program_valve"));
  if (volume_) g_object_set(volume_.get(), "mute", muted_ ? TRUE : FALSE, nullptr);
  audioRate_ = core::AudioSettings::kSampleRate;
  // Streaming thread, once per frame: blends what the compositor says is on air, in place.
  graphicsStage_ = std::make_unique<GraphicsStage>(graphics_, graphicsPad.get());
  // Streaming thread, once per sound buffer: the gain and the limiter, in place.
  loudness_->attach(loudnessPad.get());
  auto bus = BusRef::adopt(gst_element_get_bus(pipeline_.get()));
  gst_bus_set_sync_handler(bus.get(), &Program::onBusMessage, this, nullptr);
}

ObjectRef<GstClock> Program::clock() const {
  std::lock_guard lock(mutex_);
  return ObjectRef<GstClock>::adopt(pipeline_ ? gst_element_get_clock(pipeline_.get()) : nullptr);
}

GstClockTime Program::baseTime() const {
  std::lock_guard lock(mutex_);
  return pipeline_ ? gst_element_get_base_time(pipeline_.get()) : 0;
}

GstClockTime Program::runningTime() const {
  auto clock = this->clock();
  if (!clock) return 0;
  const GstClockTime now = gst_clock_get_time(clock.get());
  const GstClockTime base = baseTime();
  return now > base ? now - base : 0;
}

void Program::detachBus() {
  if (!pipeline_) return;
  auto bus = BusRef::adopt(gst_element_get_bus(pipeline_.get()));
  gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
}

Program::~Program() {
  stop();
  std::lock_guard lock(mutex_);
  graphicsStage_.reset();
  loudness_->detach();
  detachBus();
}

void Program::start() {
  ElementRef pipeline;
  {
    std::lock_guard lock(mutex_);
    pipeline = pipeline_;
    started_ = true;
  }
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    throw MediaError("the encoders could not start: are the GStreamer plug-ins of scripts/setup installed?");
  }
}

void Program::stop() {
  if (stopping_.exchange(true)) return;
  ElementRef pipeline;
  {
    std::lock_guard lock(mutex_);
    pipeline = pipeline_;
  }
  if (pipeline) gst_element_set_state(pipeline.get(), GST_STATE_NULL);
}

void Program::rebuild(const std::function<void(ElementRef)>& dispose) {
  if (stopping_) return;
  auto clock = this->clock();
  const GstClockTime base = baseTime();
  ElementRef old;
  std::unique_ptr<GraphicsStage> oldStage;
  {
    std::lock_guard lock(mutex_);
    old = std::move(pipeline_);
    oldStage = std::move(graphicsStage_);
    loudness_->detach();  // attached again to the new pipeline by build()
    auto bus = BusRef::adopt(gst_element_get_bus(old.get()));
    gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
    for (auto* sink : {"program_video", "program_audio", "program_preview"}) {
      auto element = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(old.get()), sink));
      if (!element) continue;
      GstAppSinkCallbacks none{};
      gst_app_sink_set_callbacks(GST_APP_SINK(element.get()), &none, nullptr, nullptr);
    }
  }
  oldStage.reset();
  dispose(std::move(old));
  build();
  ElementRef pipeline;
  {
    std::lock_guard lock(mutex_);
    pipeline = pipeline_;
  }
  // The same clock and base time: the new encoders stamp on the same running time, so the
  // outputs see one continuous timeline.
  if (clock) gst_pipeline_use_clock(GST_PIPELINE(pipeline.get()), clock.get());
  gst_element_set_start_time(pipeline.get(), GST_CLOCK_TIME_NONE);
  gst_element_set_base_time(pipeline.get(), base);
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    listener_.onProgramError("the rebuilt encode pipeline could not start");
  }
}

void Program::simulateStall() {
  std::lock_guard lock(mutex_);
  if (valve_) g_object_set(valve_.get(), "drop", TRUE, nullptr);
}

void Program::pushVideo(GstBuffer* buffer) {
  std::lock_guard lock(mutex_);
  if (!videoIn_ || stopping_) {
    gst_buffer_unref(buffer);
    return;
  }
  gst_app_src_push_buffer(GST_APP_SRC(videoIn_.get()), buffer);
}

void Program::pushAudio(GstBuffer* buffer, int rate) {
  std::lock_guard lock(mutex_);
  if (!audioIn_ || stopping_) {
    gst_buffer_unref(buffer);
    return;
  }
  if (rate != audioRate_) {
    auto caps = CapsRef::adopt(gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout",
                                                   G_TYPE_STRING, "interleaved", "rate", G_TYPE_INT, rate, "channels",
                                                   G_TYPE_INT, core::AudioSettings::kChannels, nullptr));
    gst_app_src_set_caps(GST_APP_SRC(audioIn_.get()), caps.get());
    audioRate_ = rate;
  }
  gst_app_src_push_buffer(GST_APP_SRC(audioIn_.get()), buffer);
}

void Program::requestKeyUnit() {
  std::lock_guard lock(mutex_);
  if (!videoSink_) return;
  // An upstream event travels from the appsink back to x264enc.
  gst_element_send_event(videoSink_.get(), gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
}

ProgramStats Program::stats() const {
  ProgramStats s;
  s.framesEncoded = fanout_.videoFrames();
  std::lock_guard lock(mutex_);
  if (videoRate_) {
    guint64 dropped = 0;
    guint64 duplicated = 0;
    g_object_get(videoRate_.get(), "drop", &dropped, "duplicate", &duplicated, nullptr);
    s.framesDropped = dropped;
    s.framesDuplicated = duplicated;
  }
  return s;
}

GstFlowReturn Program::onVideoSample(GstAppSink* sink, gpointer self) {
  auto sample = SampleRef::adopt(gst_app_sink_pull_sample(sink));
  if (sample) static_cast<Program*>(self)->fanout_.push(Track::Video, sample.get());
  return GST_FLOW_OK;
}

void Program::setLoudnessMode(core::LoudnessMode mode) { loudness_->setMode(mode); }

void Program::setMuted(bool muted) {
  loudness_->setMuted(muted);
  std::lock_guard lock(mutex_);
  muted_ = muted;
  if (volume_) g_object_set(volume_.get(), "mute", muted ? TRUE : FALSE, nullptr);
}

GstFlowReturn Program::onPreviewSample(GstAppSink* sink, gpointer data) {
  auto sample = SampleRef::adopt(gst_app_sink_pull_sample(sink));
  GstBuffer* buffer = sample ? gst_sample_get_buffer(sample.get()) : nullptr;
  if (buffer == nullptr) return GST_FLOW_OK;
  GstMapInfo map;
  if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    std::string jpeg(reinterpret_cast<const char*>(map.data), map.size);
    gst_buffer_unmap(buffer, &map);
    try {
      static_cast<Program*>(data)->listener_.onPreview(std::move(jpeg));
    } catch (...) {
      // Never unwind through GStreamer.
    }
  }
  return GST_FLOW_OK;
}

GstFlowReturn Program::onAudioSample(GstAppSink* sink, gpointer self) {
  auto sample = SampleRef::adopt(gst_app_sink_pull_sample(sink));
  if (sample) static_cast<Program*>(self)->fanout_.push(Track::Audio, sample.get());
  return GST_FLOW_OK;
}

// Runs on whichever thread posted the message: copy the facts and hand them on.
GstBusSyncReply Program::onBusMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<Program*>(data);
  try {
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_ERROR:
        if (!self->stopping_) self->listener_.onProgramError(messageDetail(message));
        break;
      case GST_MESSAGE_ELEMENT: {
        const GstStructure* s = gst_message_get_structure(message);
        if (s != nullptr && gst_structure_has_name(s, "level")) self->listener_.onAudioLevels(readLevels(s));
        break;
      }
      case GST_MESSAGE_EOS:
        if (!self->stopping_) self->listener_.onProgramError("the encode pipeline ended");
        break;
      case GST_MESSAGE_WARNING: {
        GErrorHolder error;
        GCharHolder debug;
        gst_message_parse_warning(message, &error.error, &debug.text);
        logger()->warn("program: {}", error.error ? error.error->message : "warning");
        break;
      }
      default: break;
    }
  } catch (...) {
    // Never unwind through GStreamer.
  }
  // A sync handler that drops a message owns it (GstBusSyncHandler): without this unref
  // every message leaked, ten level messages a second among them (the soak's growth).
  gst_message_unref(message);
  return GST_BUS_DROP;
}

}  // namespace tribune::media
