#include "media/source_look.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "media/gst_ref.h"
#include "media/gstreamer_library.h"

namespace tribune::media {
namespace {

using MessageRef = MiniRef<GstMessage>;

constexpr int kLookWidth = 64;
constexpr int kLookHeight = 36;
constexpr auto kPullWait = std::chrono::milliseconds{20};
constexpr double kFullScale = 32768.0;

// The mean absolute difference of two grey pictures of the same size, in grey levels.
double meanDifference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  if (a.size() != b.size() || a.empty()) return 0;
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += static_cast<std::uint64_t>(std::abs(int{a[i]} - int{b[i]}));
  return static_cast<double>(sum) / static_cast<double>(a.size());
}

std::vector<std::uint8_t> pictureOf(GstSample* sample) {
  std::vector<std::uint8_t> grey;
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstMapInfo map{};
  if (buffer == nullptr || !gst_buffer_map(buffer, &map, GST_MAP_READ)) return grey;
  // GRAY8 rows are padded to 4 bytes; 64 is a multiple of 4, so the picture is contiguous.
  const std::size_t size = std::min<std::size_t>(map.size, std::size_t{kLookWidth} * kLookHeight);
  grey.assign(map.data, map.data + size);
  gst_buffer_unmap(buffer, &map);
  return grey;
}

// The loudest S16LE sample of a buffer, 0 to 32768.
int loudestSample(GstSample* sample) {
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstMapInfo map{};
  if (buffer == nullptr || !gst_buffer_map(buffer, &map, GST_MAP_READ)) return 0;
  int loudest = 0;
  const std::size_t count = map.size / 2;
  for (std::size_t i = 0; i < count; ++i) {
    const auto low = static_cast<unsigned>(map.data[2 * i]);
    const auto high = static_cast<unsigned>(map.data[2 * i + 1]);
    const auto value = static_cast<std::int16_t>(static_cast<std::uint16_t>(low | (high << 8)));
    loudest = std::max(loudest, std::abs(int{value}));
  }
  gst_buffer_unmap(buffer, &map);
  return loudest;
}

std::optional<std::string> firstError(GstBus* bus) {
  auto message = MessageRef::adopt(gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR));
  if (!message) return std::nullopt;
  GErrorHolder error;
  GCharHolder debug;
  gst_message_parse_error(message.get(), &error.error, &debug.text);
  return std::string(GST_OBJECT_NAME(GST_MESSAGE_SRC(message.get()))) + ": " +
         (error.error != nullptr ? error.error->message : "error");
}

}  // namespace

std::string describeSourceLook(const std::string& pipeline) {
  std::ostringstream d;
  d << pipeline << "\n"
    << " video. ! queue leaky=downstream max-size-buffers=4 max-size-bytes=0 max-size-time=0"
    << " ! videoconvert ! videoscale ! video/x-raw,format=GRAY8,width=" << kLookWidth << ",height=" << kLookHeight
    << ",pixel-aspect-ratio=1/1"
    << " ! appsink name=look_video sync=false async=false enable-last-sample=false max-buffers=4 drop=true\n"
    << " audio. ! audioconvert ! audio/x-raw,format=S16LE,layout=interleaved"
    << " ! appsink name=look_audio sync=false async=false enable-last-sample=false max-buffers=200 drop=true\n";
  return d.str();
}

SourceLook lookAtSource(const SourceLookSettings& settings, const std::atomic<bool>& cancel) {
  ensureGStreamer();
  SourceLook look;
  GErrorHolder parseError;
  GstElement* element = gst_parse_launch(describeSourceLook(settings.pipeline).c_str(), &parseError.error);
  if (element != nullptr) g_object_ref_sink(element);
  auto pipeline = ElementRef::adopt(element);
  if (parseError.error != nullptr || !pipeline) {
    look.error = std::string("source pipeline: ") + (parseError.error ? parseError.error->message : "unknown error");
    return look;
  }
  auto bin = GST_BIN(pipeline.get());
  auto videoSink = ElementRef::adopt(gst_bin_get_by_name(bin, "look_video"));
  auto audioSink = ElementRef::adopt(gst_bin_get_by_name(bin, "look_audio"));
  auto bus = BusRef::adopt(gst_element_get_bus(pipeline.get()));

  std::vector<std::uint8_t> first;
  std::optional<int> loudest;
  const auto started = std::chrono::steady_clock::now();
  auto deadline = started + settings.startTimeout;
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE) {
    while (!cancel && std::chrono::steady_clock::now() < deadline) {
      if (auto error = firstError(bus.get())) {
        look.error = std::move(error);
        break;
      }
      auto picture = SampleRef::adopt(gst_app_sink_try_pull_sample(
          GST_APP_SINK(videoSink.get()),
          static_cast<GstClockTime>(std::chrono::duration_cast<std::chrono::nanoseconds>(kPullWait).count())));
      if (picture) {
        auto grey = pictureOf(picture.get());
        if (look.pictures++ == 0) {
          first = std::move(grey);
          deadline = std::chrono::steady_clock::now() + settings.duration;
        } else if (!look.moving && meanDifference(first, grey) >= kPictureChangeLevels) {
          look.moving = true;
        }
      }
      while (auto sound = SampleRef::adopt(gst_app_sink_try_pull_sample(GST_APP_SINK(audioSink.get()), 0))) {
        loudest = std::max(loudest.value_or(0), loudestSample(sound.get()));
      }
      if (gst_app_sink_is_eos(GST_APP_SINK(videoSink.get())) && gst_app_sink_is_eos(GST_APP_SINK(audioSink.get()))) {
        break;
      }
    }
  } else if (auto error = firstError(bus.get())) {
    look.error = std::move(error);
  } else {
    look.error = "the source pipeline could not start";
  }
  gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  if (loudest) look.peakDbfs = 20.0 * std::log10(std::max(1, *loudest) / kFullScale);
  return look;
}

}  // namespace tribune::media
