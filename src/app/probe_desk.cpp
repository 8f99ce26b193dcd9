#include "app/probe_desk.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <utility>

#include "app/source_preset.h"
#include "media/probe.h"
#include "media/source_look.h"

namespace tribune::app {
namespace {

// The peak reported for a source that gave no sound at all: far below core::kSilentPeakDbfs.
constexpr double kNoSoundDbfs = -120.0;

std::shared_ptr<spdlog::logger> deskLogger() {
  static auto log = [] {
    auto existing = spdlog::get("probe_desk");
    return existing ? existing : spdlog::default_logger()->clone("probe_desk");
  }();
  return log;
}

}  // namespace

ProbeDesk::ProbeDesk(ProbeDeskSettings settings, ProbeDeskListener& listener)
    : settings_(std::move(settings)), listener_(listener), thread_([this] { loop(); }) {}

ProbeDesk::~ProbeDesk() {
  {
    std::lock_guard lock(mutex_);
    quitting_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

DeskStart ProbeDesk::startPreflight(std::uint64_t job, core::Config config, PreflightInputs inputs, bool lookAtSource) {
  return start([this, job, config = std::move(config), inputs = std::move(inputs), lookAtSource]() mutable {
    preflight(job, config, std::move(inputs), lookAtSource);
  });
}

DeskStart ProbeDesk::startDestinationTest(std::uint64_t job, const core::Config& config, const std::string& name) {
  for (const auto& destination : config.destinations) {
    if (destination.name == name) {
      return start([this, job, config, destination] { testDestination(job, config, destination); });
    }
  }
  return DeskStart::Unknown;
}

DeskStart ProbeDesk::start(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    if (busy_ || quitting_) return DeskStart::Busy;
    busy_ = true;
    work_ = std::move(work);
  }
  wake_.notify_all();
  return DeskStart::Started;
}

void ProbeDesk::loop() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return quitting_ || work_; });
      if (quitting_) return;
      work = std::exchange(work_, nullptr);
    }
    try {
      work();
    } catch (const std::exception& e) {  // a job reports its own failures; this is a bug's last stop
      deskLogger()->error("vérification interrompue / check failed: {}", e.what());
      std::lock_guard lock(mutex_);
      busy_ = false;
    }
  }
}

void ProbeDesk::observeSource(const core::Config& config, PreflightInputs& inputs) {
  media::SourceLook look;
  try {
    look = media::lookAtSource({loadSourcePreset(config, settings_.shareDir).pipeline, settings_.sourceLook,
                                config.watchdog.sourceStartTimeout},
                               cancel_);
  } catch (const std::exception& e) {
    look.error = e.what();
  }
  deskLogger()->info("source observée / source looked at: {} image(s), {}, crête {} dBFS{}", look.pictures,
                     look.moving ? "mouvement" : "pas de mouvement",
                     look.peakDbfs ? std::to_string(*look.peakDbfs) : "—", look.error ? " — " + *look.error : "");
  inputs.source = core::SourceObservation{look.pictures > 0, look.moving};
  inputs.peakDbfs = look.peakDbfs.value_or(kNoSoundDbfs);
}

void ProbeDesk::preflight(std::uint64_t job, const core::Config& config, PreflightInputs inputs, bool lookAtSource) {
  if (lookAtSource) observeSource(config, inputs);
  if (cancel_) return;  // the station stops: nobody waits for the report any more
  auto report = runPreflight(config, settings_.dataDir, inputs);
  {
    std::lock_guard lock(mutex_);
    busy_ = false;
  }
  listener_.onPreflightDone(job, std::move(report));
}

void ProbeDesk::testDestination(std::uint64_t job, const core::Config& config,
                                const core::DestinationSettings& destination) {
  const auto result =
      media::probeDestination({destination.name, destination.url, destination.tlsVerify}, config.retry.connectTimeout);
  // The console's own words for a destination (core::destinationLines), for one line.
  const auto lines =
      core::destinationLines({{destination.name, destination.url.masked(), result.accepted, result.failure, false}});
  DestinationTest test{result.accepted, lines.front().text, lines.front().advice};
  deskLogger()->info("destination {} testée / tested: {}", destination.name, result.accepted ? "acceptée" : "refusée");
  {
    std::lock_guard lock(mutex_);
    busy_ = false;
  }
  listener_.onDestinationTested(job, std::move(test));
}

}  // namespace tribune::app
