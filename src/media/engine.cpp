#include "media/engine.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "media/graphics_worker.h"
#include "media/output.h"
#include "media/program.h"
#include "media/source_feed.h"

namespace tribune::media {

// Sets released pipelines to NULL on its own thread.
class PipelineReaper {
 public:
  PipelineReaper();
  ~PipelineReaper();  // finishes every pending teardown
  PipelineReaper(const PipelineReaper&) = delete;
  PipelineReaper& operator=(const PipelineReaper&) = delete;
  void dispose(ElementRef pipeline);

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<ElementRef> pending_;
  bool quitting_ = false;
  std::thread thread_;
};

PipelineReaper::PipelineReaper() : thread_([this] { run(); }) {}

PipelineReaper::~PipelineReaper() {
  {
    std::lock_guard lock(mutex_);
    quitting_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PipelineReaper::dispose(ElementRef pipeline) {
  if (!pipeline) return;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(pipeline));
  }
  wake_.notify_all();
}

void PipelineReaper::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return quitting_ || !pending_.empty(); });
    if (pending_.empty()) return;  // quitting with nothing left
    ElementRef pipeline = std::move(pending_.front());
    pending_.pop_front();
    lock.unlock();
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    pipeline.reset();
    lock.lock();
  }
}

MediaEngine::MediaEngine(ProgramSettings settings, MediaListener& listener)
    : settings_(settings),
      listener_(listener),
      reaper_(std::make_unique<PipelineReaper>()),
      program_(std::make_unique<Program>(std::move(settings), listener)),
      source_(std::make_unique<SourceFeed>(
          SourceFeedSettings{settings_.sourcePipeline, settings_.loopSource, settings_.video.width(),
                             settings_.video.height(), settings_.watchdog, settings_.encoderStall,
                             settings_.driftCorrection, !settings_.sourceIsNetwork, settings_.soundClock},
          *program_, listener,
          [reaper = reaper_.get()](ElementRef pipeline) { reaper->dispose(std::move(pipeline)); })),
      graphicsWorker_(std::make_unique<GraphicsWorker>(settings_.templateDirs, settings_.video.width(),
                                                       settings_.video.height(), program_->graphics(), listener)) {}

void MediaEngine::rememberRequest(std::uint64_t changeId) {
  constexpr std::size_t kKept = 256;  // as many as the compositor keeps timings for
  if (graphicRequests_.size() >= kKept) graphicRequests_.erase(graphicRequests_.begin());
  graphicRequests_[changeId] = program_->runningTime();
}

void MediaEngine::showGraphic(int layer, const std::string& templateName, std::map<std::string, std::string> values,
                              std::uint64_t changeId) {
  rememberRequest(changeId);
  graphicsWorker_->submit({layer, true, true, templateName, std::move(values), changeId});
}

void MediaEngine::hideGraphic(int layer, std::uint64_t changeId) {
  rememberRequest(changeId);
  graphicsWorker_->submit({layer, false, true, {}, {}, changeId});
}

void MediaEngine::setMuted(bool muted) { program_->setMuted(muted); }

void MediaEngine::setLoudnessMode(core::LoudnessMode mode) { program_->setLoudnessMode(mode); }

void MediaEngine::setRecordingPaused(bool paused) {
  auto it = outputs_.find("recording");
  if (it == outputs_.end()) return;
  if (paused) {
    it->second->closeGate();
  } else {
    it->second->openGate();
    program_->requestKeyUnit();
  }
}

void MediaEngine::prerenderGraphic(const std::string& templateName, std::map<std::string, std::string> values) {
  graphicsWorker_->prerender(templateName, std::move(values));
}

void MediaEngine::warmGraphic(const std::string& templateName, std::map<std::string, std::string> values) {
  graphicsWorker_->warm(templateName, std::move(values));
}

std::optional<GraphicTiming> MediaEngine::graphicTiming(std::uint64_t changeId) const {
  auto it = graphicRequests_.find(changeId);
  if (it == graphicRequests_.end()) return std::nullopt;
  GraphicTiming timing;
  timing.requestedAt = it->second;
  if (auto first = program_->graphics().firstFrameOf(changeId)) timing.firstFrame = *first;
  return timing;
}

MediaEngine::~MediaEngine() {
  graphicsWorker_.reset();  // no render may land in a program being torn down
  for (auto& [name, output] : outputs_) reaper_->dispose(output->release());
  outputs_.clear();
  source_.reset();
  program_->stop();
}

ProgramStats MediaEngine::programStats() const { return program_->stats(); }
std::uint64_t MediaEngine::programTime() const { return program_->runningTime(); }
void MediaEngine::loopSource() { source_->loopSource(); }
SourceStats MediaEngine::sourceStats() const { return source_->stats(); }
void MediaEngine::simulateEncoderStall() { program_->simulateStall(); }
void MediaEngine::simulateSlowPicture(std::chrono::milliseconds perFrame, std::chrono::milliseconds duration) {
  source_->simulateSlowPicture(perFrame, duration);
}

// Three seconds of program at its nominal bitrate: enough to ride out a hiccup, small
// enough that a stalled destination holds little memory.
std::uint64_t MediaEngine::maxQueuedBytes() const {
  const std::uint64_t bitsPerSecond =
      static_cast<std::uint64_t>(settings_.video.bitrateKbps + settings_.audio.bitrateKbps) * 1000;
  return bitsPerSecond / 8 * 3 + 512 * 1024;
}

void MediaEngine::start() {
  program_->start();
  source_->start();
}

std::uint64_t MediaEngine::connect(const RtmpOutputSettings& settings) {
  disconnect(settings.name);
  const std::uint64_t generation = nextGeneration_++;
  auto output = Output::rtmp(settings, generation, program_->fanout(), listener_, maxQueuedBytes());
  output->start();
  outputs_[settings.name] = std::move(output);
  return generation;
}

void MediaEngine::goLive(const std::string& name) {
  auto it = outputs_.find(name);
  if (it == outputs_.end()) return;
  it->second->openGate();
  program_->requestKeyUnit();
}

void MediaEngine::disconnect(const std::string& name) {
  auto it = outputs_.find(name);
  if (it == outputs_.end()) return;
  reaper_->dispose(it->second->release());
  outputs_.erase(it);
}

std::uint64_t MediaEngine::startRecording(const RecordingOutputSettings& settings, bool paused) {
  stopRecording(settings.name);
  const std::uint64_t generation = nextGeneration_++;
  auto output = Output::recording(settings, generation, program_->fanout(), listener_, maxQueuedBytes() * 4);
  output->start();
  if (!paused) output->openGate();
  outputs_[settings.name] = std::move(output);
  if (!paused) program_->requestKeyUnit();
  return generation;
}

void MediaEngine::stopRecording(const std::string& name) {
  auto it = outputs_.find(name);
  if (it == outputs_.end()) return;
  reaper_->dispose(it->second->release());
  outputs_.erase(it);
}

std::optional<OutputStats> MediaEngine::outputStats(const std::string& name) const {
  auto it = outputs_.find(name);
  if (it == outputs_.end()) return std::nullopt;
  return it->second->stats();
}

void MediaEngine::shutdown(std::chrono::milliseconds grace) {
  // All outputs get their end of stream at once, then are waited on together.
  std::vector<std::unique_ptr<Output>> closing;
  for (auto& [name, output] : outputs_) closing.push_back(std::move(output));
  outputs_.clear();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  std::vector<std::thread> waiters;
  for (auto& output : closing) {
    waiters.emplace_back([&output, deadline] {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      output->finish(std::max(left, std::chrono::milliseconds{0}));
    });
  }
  for (auto& waiter : waiters) waiter.join();
  for (auto& output : closing) reaper_->dispose(output->release());
  source_->stop();
  program_->stop();
}

}  // namespace tribune::media
