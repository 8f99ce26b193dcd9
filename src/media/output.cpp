#include "media/output.h"

#include <gst/app/gstappsrc.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "core/secret.h"
#include "media/media_error.h"

namespace tribune::media {

struct Output::BusBridge {
  std::string name;
  std::uint64_t generation = 0;
  MediaListener* listener = nullptr;  // the hub's, outlives every output
  std::string secret;                 // stripped from every message before it leaves
  std::atomic<bool> detached{false};
  std::mutex mutex;
  std::condition_variable eosCondition;
  bool eos = false;
};

namespace {

bool contains(const std::string& text, const char* needle) { return text.find(needle) != std::string::npos; }

// rtmp2sink reports what happened through the error's code and text; this is the one
// place that turns them into the reasons a technician reads.
core::FailureKind classify(const GError* error, const std::string& detail, bool isRtmp) {
  if (!isRtmp || error == nullptr || error->domain != GST_RESOURCE_ERROR) return core::FailureKind::Internal;
  switch (error->code) {
    case GST_RESOURCE_ERROR_NOT_AUTHORIZED: return core::FailureKind::KeyRefused;
    case GST_RESOURCE_ERROR_OPEN_READ: return core::FailureKind::Unreachable;
    case GST_RESOURCE_ERROR_WRITE: return core::FailureKind::ConnectionLost;
    default: break;
  }
  if (contains(detail, "TLS") || contains(detail, "certificate")) return core::FailureKind::TlsRejected;
  if (contains(detail, "timed out") || contains(detail, "Timeout")) return core::FailureKind::ConnectTimeout;
  if (contains(detail, "resolv") || contains(detail, "Name or service") || contains(detail, "unreachable") ||
      contains(detail, "refused")) {
    return core::FailureKind::Unreachable;
  }
  return core::FailureKind::ConnectionLost;  // closed during connect/publish: a refusal
}

GstBusSyncReply onBusMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* bridge = static_cast<Output::BusBridge*>(data);
  try {
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_ERROR: {
        if (bridge->detached) break;
        GErrorHolder error;
        GCharHolder debug;
        gst_message_parse_error(message, &error.error, &debug.text);
        std::string detail = error.error != nullptr ? error.error->message : "unknown error";
        if (debug.text != nullptr) {
          // GStreamer's debug text is "file(line): function (): /element/path:\nreason";
          // only the reason helps a technician.
          const std::string text = debug.text;
          const auto newline = text.rfind('\n');
          if (newline != std::string::npos) detail += " — " + text.substr(newline + 1);
        }
        detail = core::redact(std::move(detail), core::Secret{bridge->secret});
        const bool isRtmp = !bridge->secret.empty() || bridge->name != "recording";
        bridge->listener->onOutputFailed(bridge->name, bridge->generation,
                                         core::Failure{classify(error.error, detail, isRtmp), detail});
        break;
      }
      case GST_MESSAGE_EOS: {
        std::lock_guard lock(bridge->mutex);
        bridge->eos = true;
        bridge->eosCondition.notify_all();
        break;
      }
      default: break;
    }
  } catch (...) {
    // Never unwind through GStreamer.
  }
  gst_message_unref(message);  // dropped: ours to release (GstBusSyncHandler)
  return GST_BUS_DROP;
}

ElementRef parsePipeline(const std::string& description) {
  GErrorHolder error;
  GstElement* element = gst_parse_launch(description.c_str(), &error.error);
  if (element != nullptr) g_object_ref_sink(element);
  auto pipeline = ElementRef::adopt(element);
  if (error.error != nullptr || !pipeline) {
    throw MediaError(std::string("output pipeline: ") + (error.error ? error.error->message : "unknown error"));
  }
  return pipeline;
}

// Non-live appsrcs: the fanout pushes in real time already, and the muxer then waits for
// both tracks and interleaves them by timestamp. Sinks do not sync to a clock.
// The appsrcs link straight to the muxer: their own queues, bounded by OutputFeed to
// maxQueuedBytes, are the only buffering. A queue element after them would drain them at
// once, so a slow destination grew it without limit while the bound never saw a byte; it
// also cost two more threads, woken for every buffer (issue 8's encode-once figures).
constexpr const char* kSources =
    "appsrc name=video format=time is-live=false block=false max-bytes=0 "
    "appsrc name=audio format=time is-live=false block=false max-bytes=0 ";

}  // namespace

Output::Output(std::string name, std::uint64_t generation, ElementRef pipeline, Fanout& fanout, MediaListener& listener,
               std::uint64_t maxQueuedBytes, std::string secretForRedaction, std::string recordingPath)
    : name_(std::move(name)),
      generation_(generation),
      pipeline_(std::move(pipeline)),
      fanout_(fanout),
      recordingPath_(std::move(recordingPath)) {
  auto bin = GST_BIN(pipeline_.get());
  sink_ = ElementRef::adopt(gst_bin_get_by_name(bin, "sink"));
  auto video = ElementRef::adopt(gst_bin_get_by_name(bin, "video"));
  auto audio = ElementRef::adopt(gst_bin_get_by_name(bin, "audio"));
  for (auto [src, track] : {std::pair{&video, Track::Video}, std::pair{&audio, Track::Audio}}) {
    if (auto caps = fanout_.caps(track)) gst_app_src_set_caps(GST_APP_SRC(src->get()), caps.get());
  }
  feed_ = std::make_shared<OutputFeed>(GST_APP_SRC(video.get()), GST_APP_SRC(audio.get()), maxQueuedBytes);

  bridge_ = std::make_shared<BusBridge>();
  bridge_->name = name_;
  bridge_->generation = generation_;
  bridge_->listener = &listener;
  bridge_->secret = std::move(secretForRedaction);
  auto bus = BusRef::adopt(gst_element_get_bus(pipeline_.get()));
  // The bus keeps its own reference to the bridge (a heap shared_ptr, unwrapped in the
  // trampoline) until the handler is removed, so a message in flight never sees it freed.
  gst_bus_set_sync_handler(
      bus.get(),
      [](GstBus* b, GstMessage* m, gpointer p) {
        return onBusMessage(b, m, static_cast<std::shared_ptr<BusBridge>*>(p)->get());
      },
      new std::shared_ptr<BusBridge>(bridge_), [](gpointer p) { delete static_cast<std::shared_ptr<BusBridge>*>(p); });
  fanout_.add(feed_);
}

std::unique_ptr<Output> Output::rtmp(const RtmpOutputSettings& settings, std::uint64_t generation, Fanout& fanout,
                                     MediaListener& listener, std::uint64_t maxQueuedBytes) {
  auto pipeline = parsePipeline(std::string(kSources) +
                                "flvmux name=mux streamable=true ! rtmp2sink name=sink sync=false async=false "
                                "video. ! mux.video audio. ! mux.audio");
  auto sink = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
  // Set programmatically, never through a launch string that a debug log could show.
  g_object_set(sink.get(), "location", settings.url.full().c_str(), nullptr);
  if (!settings.tlsVerify) {
    g_object_set(sink.get(), "tls-validation-flags", 0, nullptr);
  }
  return std::unique_ptr<Output>(new Output(settings.name, generation, std::move(pipeline), fanout, listener,
                                            maxQueuedBytes, settings.url.key.reveal(), {}));
}

std::unique_ptr<Output> Output::recording(const RecordingOutputSettings& settings, std::uint64_t generation,
                                          Fanout& fanout, MediaListener& listener, std::uint64_t maxQueuedBytes) {
  auto pipeline = parsePipeline(std::string(kSources) +
                                "matroskamux name=mux streamable=true ! filesink name=sink sync=false async=false "
                                "video. ! mux.video_0 audio. ! mux.audio_0");
  auto sink = ElementRef::adopt(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
  g_object_set(sink.get(), "location", settings.path.c_str(), nullptr);
  return std::unique_ptr<Output>(
      new Output(settings.name, generation, std::move(pipeline), fanout, listener, maxQueuedBytes, {}, settings.path));
}

Output::~Output() {
  if (pipeline_) {
    ElementRef pipeline = release();
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  }
}

void Output::start() {
  if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    throw MediaError("output '" + name_ + "' could not start");
  }
}

void Output::openGate() { feed_->openGate(); }
void Output::closeGate() { feed_->closeGate(); }

OutputStats Output::stats() const {
  OutputStats s;
  s.feed = feed_->stats();
  if (!recordingPath_.empty()) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(recordingPath_, ec);
    s.bytesSent = ec ? 0 : size;
  } else if (sink_) {
    GstStructure* stats = nullptr;
    g_object_get(sink_.get(), "stats", &stats, nullptr);
    if (stats != nullptr) {
      guint64 bytes = 0;
      gst_structure_get_uint64(stats, "out-bytes-total", &bytes);
      gst_structure_free(stats);
      s.bytesSent = bytes;
    }
  }
  return s;
}

bool Output::finish(std::chrono::milliseconds timeout) {
  feed_->endOfStream();
  std::unique_lock lock(bridge_->mutex);
  return bridge_->eosCondition.wait_for(lock, timeout, [&] { return bridge_->eos; });
}

ElementRef Output::release() {
  fanout_.remove(feed_);
  bridge_->detached = true;
  if (pipeline_) {
    auto bus = BusRef::adopt(gst_element_get_bus(pipeline_.get()));
    gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
  }
  sink_.reset();
  return std::move(pipeline_);
}

}  // namespace tribune::media
