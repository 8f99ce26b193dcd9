#include "media/graphics_worker.h"

#include <algorithm>

#include "graphics/template_renderer.h"
#include "media/graphics_compositor.h"

namespace tribune::media {

GraphicsWorker::GraphicsWorker(std::vector<std::filesystem::path> templateDirs, int width, int height,
                               GraphicsCompositor& compositor, MediaListener& listener)
    : dirs_(std::move(templateDirs)),
      width_(width),
      height_(height),
      compositor_(compositor),
      listener_(listener),
      thread_([this] { run(); }) {}

GraphicsWorker::~GraphicsWorker() {
  {
    std::lock_guard lock(mutex_);
    quitting_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void GraphicsWorker::submit(GraphicRequest request) {
  {
    std::lock_guard lock(mutex_);
    // A newer request for the layer makes an older, not yet rendered one pointless.
    std::erase_if(queue_, [&](const GraphicRequest& queued) { return queued.layer == request.layer; });
    queue_.push_back(std::move(request));
  }
  wake_.notify_all();
}

void GraphicsWorker::run() {
  graphics::TemplateRenderer renderer(dirs_, width_, height_);  // owned by this thread
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return quitting_ || !queue_.empty(); });
    if (quitting_) return;
    GraphicRequest request = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    if (!request.show) {
      compositor_.install(request.layer, nullptr, request.changeId);
    } else {
      auto result = renderer.render(request.templateName, request.values);
      if (result.image) {
        compositor_.install(request.layer, std::make_shared<const graphics::Image>(std::move(*result.image)),
                            request.changeId);
      } else {
        listener_.onGraphicsError(request.layer, request.changeId, *result.error);
      }
    }
    lock.lock();
  }
}

}  // namespace tribune::media
