#pragma once
// Capture devices the machine has (GstDeviceMonitor), for `tribune devices`.
#include <string>
#include <vector>

namespace tribune::media {

struct CaptureDevice {
  std::string kind;         // "vidéo" / "son"
  std::string name;         // as the driver names it
  std::string sourceSpec;   // what to pass to --source when Tribune can name it (v4l2:/dev/video0)
  std::string deviceClass;  // GStreamer's class, e.g. Video/Source
};

std::vector<CaptureDevice> listCaptureDevices();

}  // namespace tribune::media
