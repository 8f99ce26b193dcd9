#include "media/gstreamer_library.h"

#include <gst/gst.h>

#include <mutex>

#include "media/gst_ref.h"
#include "media/media_error.h"

namespace tribune::media {
namespace {

// Element → Debian package, so the error says what to install.
struct Needed {
  const char* element;
  const char* package;
};
constexpr Needed kNeeded[] = {
    {"videotestsrc", "gstreamer1.0-plugins-base"},
    {"audiotestsrc", "gstreamer1.0-plugins-base"},
    {"videoconvert", "gstreamer1.0-plugins-base"},
    {"videoscale", "gstreamer1.0-plugins-base"},
    {"videorate", "gstreamer1.0-plugins-base"},
    {"audioconvert", "gstreamer1.0-plugins-base"},
    {"audioresample", "gstreamer1.0-plugins-base"},
    {"appsrc", "gstreamer1.0-plugins-base"},
    {"appsink", "gstreamer1.0-plugins-base"},
    {"clockoverlay", "gstreamer1.0-x"},
    {"x264enc", "gstreamer1.0-plugins-ugly"},
    {"avenc_aac", "gstreamer1.0-libav"},
    {"h264parse", "gstreamer1.0-plugins-bad"},
    {"aacparse", "gstreamer1.0-plugins-good"},
    {"flvmux", "gstreamer1.0-plugins-good"},
    {"matroskamux", "gstreamer1.0-plugins-good"},
    {"rtmp2sink", "gstreamer1.0-plugins-bad"},
    {"filesink", "gstreamer1.0 (core)"},
    {"overlaycomposition", "gstreamer1.0-plugins-base"},
    {"jpegenc", "gstreamer1.0-plugins-good"},
    {"level", "gstreamer1.0-plugins-good"},
    {"volume", "gstreamer1.0-plugins-base"},
};

}  // namespace

std::vector<std::string> missingElements() {
  std::vector<std::string> missing;
  for (const auto& needed : kNeeded) {
    auto factory = ObjectRef<GstElementFactory>::adopt(gst_element_factory_find(needed.element));
    if (!factory) missing.push_back(std::string(needed.element) + " (" + needed.package + ")");
  }
  return missing;
}

void ensureGStreamer() {
  static std::once_flag once;
  std::call_once(once, [] {
    GErrorHolder error;
    if (!gst_init_check(nullptr, nullptr, &error.error)) {
      throw MediaError(std::string("GStreamer could not start: ") +
                       (error.error ? error.error->message : "unknown error"));
    }
  });
  if (auto missing = missingElements(); !missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw MediaError("GStreamer elements missing: " + list + ". Run ./scripts/setup to install them.");
  }
}

}  // namespace tribune::media
