#include "media/devices.h"

#include <gst/gst.h>

#include "media/gst_ref.h"
#include "media/gstreamer_library.h"

namespace tribune::media {

std::vector<CaptureDevice> listCaptureDevices() {
  ensureGStreamer();
  auto monitor = ObjectRef<GstDeviceMonitor>::adopt(gst_device_monitor_new());
  gst_device_monitor_add_filter(monitor.get(), "Video/Source", nullptr);
  gst_device_monitor_add_filter(monitor.get(), "Audio/Source", nullptr);
  std::vector<CaptureDevice> devices;
  if (!gst_device_monitor_start(monitor.get())) return devices;
  GList* list = gst_device_monitor_get_devices(monitor.get());
  for (GList* item = list; item != nullptr; item = item->next) {
    auto device = ObjectRef<GstDevice>::adopt(GST_DEVICE(item->data));  // the list owns one ref each
    CaptureDevice out;
    GCharHolder name;
    name.text = gst_device_get_display_name(device.get());
    GCharHolder deviceClass;
    deviceClass.text = gst_device_get_device_class(device.get());
    out.name = name.text != nullptr ? name.text : "";
    out.deviceClass = deviceClass.text != nullptr ? deviceClass.text : "";
    out.kind = out.deviceClass.find("Video") != std::string::npos ? "vidéo" : "son";
    if (GstStructure* props = gst_device_get_properties(device.get())) {
      if (const gchar* path = gst_structure_get_string(props, "device.path");
          path != nullptr && out.kind == "vidéo" && g_str_has_prefix(path, "/dev/video")) {
        out.sourceSpec = std::string("v4l2:") + path;
      }
      gst_structure_free(props);
    }
    devices.push_back(std::move(out));
  }
  g_list_free(list);
  gst_device_monitor_stop(monitor.get());
  return devices;
}

}  // namespace tribune::media
