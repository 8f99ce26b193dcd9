#pragma once
// Renders on-air templates on its own thread and installs the images in the compositor:
// a render takes milliseconds, which neither the hub nor a streaming thread may spend.
// Requests for the same layer coalesce (only the latest matters); failures go to the
// MediaListener.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "graphics/image.h"
#include "media/media_listener.h"

namespace tribune::media {

class GraphicsCompositor;
struct PlanarOverlay;

struct GraphicRequest {
  int layer = 0;
  bool show = false;      // false: hide
  bool installIt = true;  // false: render into the cache only
  std::string templateName;
  std::map<std::string, std::string> values;  // template and branding variables
  std::uint64_t changeId = 0;
  bool warmOnly = false;  // render and discard (warm()): nothing cached, installed or reported
};

class GraphicsWorker {
 public:
  GraphicsWorker(std::vector<std::filesystem::path> templateDirs, int width, int height, GraphicsCompositor& compositor,
                 MediaListener& listener);
  ~GraphicsWorker();
  GraphicsWorker(const GraphicsWorker&) = delete;
  GraphicsWorker& operator=(const GraphicsWorker&) = delete;

  void submit(GraphicRequest request);
  // Renders into the cache only; a later submit of the same template and values installs
  // the cached image without rendering.
  void prerender(std::string templateName, std::map<std::string, std::string> values);
  // Renders once and throws the image away. A template's first render pays for reading its
  // file and loading its fonts and glyphs (2 to 4 frames at 1080p, docs/PERFORMANCE.md),
  // which the first lower-third of a meeting must not wait for. A failure is only logged:
  // it will be reported when the template is really shown.
  void warm(std::string templateName, std::map<std::string, std::string> values);
  // Waits until nothing is queued or being rendered; false if `timeout` passed first.
  [[nodiscard]] bool waitIdle(std::chrono::milliseconds timeout);

 private:
  void run();

  std::vector<std::filesystem::path> dirs_;
  int width_;
  int height_;
  GraphicsCompositor& compositor_;  // the program's, outlives the worker
  MediaListener& listener_;         // the hub, outlives the worker
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  bool busy_ = false;  // a request taken off the queue is being handled
  std::deque<GraphicRequest> queue_;
  // Rendered images by template and values, owned by the worker thread (no lock needed).
  // Kept converted to planar YUV: a full-frame slate takes ~10 ms to convert at 1080p,
  // more than the frame a huis clos has to cut within.
  std::map<std::pair<std::string, std::map<std::string, std::string>>, std::shared_ptr<const PlanarOverlay>> cache_;
  bool quitting_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace tribune::media
