#include "media/graphics_worker.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "graphics/template_renderer.h"
#include "media/graphics_compositor.h"
#include "media/i420_blend.h"

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
    std::erase_if(queue_,
                  [&](const GraphicRequest& queued) { return queued.installIt && queued.layer == request.layer; });
    // Ahead of warm-ups still queued: they only save time for later changes.
    auto firstWarm = std::find_if(queue_.begin(), queue_.end(), [](const GraphicRequest& q) { return q.warmOnly; });
    queue_.insert(firstWarm, std::move(request));
  }
  wake_.notify_all();
}

void GraphicsWorker::prerender(std::string templateName, std::map<std::string, std::string> values) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({-1, true, false, std::move(templateName), std::move(values), 0});
  }
  wake_.notify_all();
}

void GraphicsWorker::warm(std::string templateName, std::map<std::string, std::string> values) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({-1, true, false, std::move(templateName), std::move(values), 0, true});
  }
  wake_.notify_all();
}

bool GraphicsWorker::waitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [&] { return queue_.empty() && !busy_; });
}

void GraphicsWorker::run() {
  graphics::TemplateRenderer renderer(dirs_, width_, height_);  // owned by this thread
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return quitting_ || !queue_.empty(); });
    if (quitting_) return;
    GraphicRequest request = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    if (request.warmOnly) {
      if (auto result = renderer.render(request.templateName, request.values); result.error) {
        spdlog::debug("graphics: warming {} failed: {}", request.templateName, *result.error);
      }
    } else if (!request.show) {
      compositor_.install(request.layer, std::shared_ptr<const PlanarOverlay>{}, request.changeId);
    } else {
      auto key = std::make_pair(request.templateName, request.values);
      auto cached = cache_.find(key);
      std::shared_ptr<const PlanarOverlay> overlay;
      if (cached != cache_.end()) {
        overlay = cached->second;
      } else if (auto result = renderer.render(request.templateName, request.values); result.image) {
        const bool fullFrame = result.image->width * result.image->height >= width_ * height_ / 2;
        overlay = PlanarOverlay::fromImage(*result.image);
        // Full-frame slates are what must appear at once; keep them (a few MB each).
        constexpr std::size_t kCached = 8;
        if (!request.installIt || fullFrame) {
          if (cache_.size() >= kCached) cache_.erase(cache_.begin());
          cache_.emplace(std::move(key), overlay);
        }
      } else {
        listener_.onGraphicsError(request.layer, request.changeId, *result.error);
      }
      if (overlay && request.installIt) compositor_.install(request.layer, overlay, request.changeId);
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace tribune::media
