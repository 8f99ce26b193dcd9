#include "app/hub.h"

#include "app/hub_internal.h"

#include <sys/resource.h>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <ctime>
#include <fstream>
#include <sstream>

#include "app/branding.h"
#include "app/config_loader.h"
#include "app/replay.h"
#include "app/source_preset.h"
#include "core/platform.h"
#include "core/source_spec.h"
#include "graphics/template_renderer.h"
#include "media/gstreamer_library.h"
#include "media/media_error.h"

namespace tribune::app {
namespace {

constexpr auto kTickPeriod = std::chrono::milliseconds{100};
constexpr auto kShutdownGrace = std::chrono::milliseconds{3000};
constexpr auto kStatusPeriod = std::chrono::seconds{30};

std::shared_ptr<spdlog::logger> logger() { return hubLogger(); }

double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

media::ProgramSettings programSettings(const HubOptions& options) {
  const auto& config = options.config;
  const auto source = loadSourcePreset(config, options.shareDir);
  media::ProgramSettings settings;
  settings.sourcePipeline = source.pipeline;
  settings.loopSource = source.preset.loop;
  settings.sourceIsNetwork = source.preset.network;
  settings.video = config.video;
  settings.audio = config.audio;
  if (config.graphics.templatesDir) settings.templateDirs.emplace_back(*config.graphics.templatesDir);
  settings.templateDirs.push_back(options.shareDir / "overlays");
  settings.fade = std::chrono::milliseconds{config.graphics.fadeMs};
  settings.watchdog.timeout = config.watchdog.sourceTimeout;
  settings.watchdog.startTimeout = config.watchdog.sourceStartTimeout;
  settings.watchdog.restart.max = config.watchdog.restartMaxDelay;
  settings.encoderStall = config.watchdog.encoderStall;
  settings.driftCorrection = config.audio.driftCorrection;
  settings.soundClock = source.preset.soundClock;
  return settings;
}

// The commune's profanity list (docs/QUESTIONS.md): its own file, or the one shipped.
core::WordList loadProfanity(const HubOptions& options) {
  const std::filesystem::path file = options.config.questions.profanityFile
                                         ? std::filesystem::path(*options.config.questions.profanityFile)
                                         : options.shareDir / "moderation" / "profanity-fr.txt";
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw ConfigError(file.string(), {{"questions.profanity_file", "impossible de lire le fichier (existe-t-il ?)"}});
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = core::parseWordList(text.str());
  if (!parsed.list) throw ConfigError(file.string(), {{"questions.profanity_file", parsed.error}});
  return std::move(*parsed.list);
}

}  // namespace

Hub::Hub(HubOptions options)
    : options_(std::move(options)),
      broadcast_(options_.config.retry, random_),
      platformBoard_(options_.config.platforms, options_.config.destinations) {
  media::ensureGStreamer();
  engine_ = std::make_unique<media::MediaEngine>(programSettings(options_), static_cast<media::MediaListener&>(*this));
  prepareRecording();
  std::string logoWarning;
  branding_ = brandingValues(options_.config.branding, options_.shareDir, logoWarning);
  if (!logoWarning.empty()) logger()->warn("logo: {} — the templates are drawn without it", logoWarning);
  const auto now = core::Clock::now();
  for (const auto& destination : options_.config.destinations) {
    if (!destination.tlsVerify) {
      logger()->warn("destination {}: TLS certificate NOT verified (tls_verify=false) — for test servers only",
                     destination.name);
    }
    broadcast_.addDestination(destination, now);
  }
  questionIntake_ = core::QuestionIntake(options_.config.questions, loadProfanity(options_));
  chatIntake_.emplace(options_.config.questions, options_.config.platforms.chat, questionIntake_.profanity());
  messageLimiter_ = core::RateLimiter(options_.config.questions.messagesPerConnection);
  std::error_code ec;
  std::filesystem::create_directories(options_.dataDir, ec);
  store_ = std::make_unique<store::EventStore>(eventLogFile(options_.dataDir));
  purgeQuestions();
  tokens_ = Tokens::loadOrCreate(options_.dataDir);
  openMeeting();
  rememberQuestionsSent();
  if (platformBoard_.any()) {
    platformService_ = std::make_unique<platforms::PlatformService>(options_.config, options_.dataDir,
                                                                    static_cast<platforms::PlatformListener&>(*this));
  }
  if (options_.sharedWeb != nullptr) {
    web_ = options_.sharedWeb;
  } else if (options_.serveWeb) {
    startWeb();
  }
}

// The web server goes first (no client may reach a hub being torn down), then the engine,
// then the event log, which commits what is still queued.
Hub::~Hub() {
  platformService_.reset();  // its threads post to the hub: stopped first
  edgeLink_.reset();         // so does the edge link's
  ownWeb_.reset();
  web_ = nullptr;
  engine_.reset();
  joinExport();  // it reads the log
  store_.reset();
}

int Hub::run() {
  engine_->start();
  programStartedAt_ = core::Clock::now();
  if (!recordingPath_.empty()) startRecordingFile();
  prerenderSlates();
  renderAllLayers();
  warmTemplates();
  applyMediaState();
  broadcast_.start(core::Clock::now());
  execute();
  if (platformService_) {
    platformBoard_.commandDone("broadcast.start");  // the kept accounts prepare their lives once reported
    platformService_->start();
  }
  if (options_.config.edge) startEdgeLink();
  std::optional<boost::asio::signal_set> signals;
  if (options_.handleSignals) {
    signals.emplace(io_, SIGINT, SIGTERM);
    signals->async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      logger()->info("signal {} reçu : arrêt propre / stopping cleanly", signal);
      stopNow();
    });
  }
  if (options_.endWhenMeetingEnds) {
    boost::asio::post(io_, [this] {
      // Resumed after "terminée": the machine stopped before the export was done (else the
      // schedule would say "done"), so it is made again before the hub ends.
      if (meeting_.state() == core::SessionState::Terminee && !recordingDir_.empty() && !exporting_) {
        startExport();
        return;
      }
      endIfMeetingEnded();
    });
  }
  if (options_.stopAfter) {
    stopTimer_.expires_after(*options_.stopAfter);
    stopTimer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) stopNow();
    });
  }
  lastCpuSeconds_ = processCpuSeconds();
  lastCpuAt_ = core::Clock::now();
  lastStatusAt_ = lastCpuAt_;
  scheduleTick();
  looping_ = true;
  io_.run();
  looping_ = false;
  // Run what other threads posted while the loop was stopping (a snapshot waits on it).
  io_.restart();
  io_.poll();
  meetingEnded_ = meeting_.state() == core::SessionState::Terminee;
  return 0;
}

void Hub::requestStop() {
  boost::asio::post(io_, [this] { stopNow(); });
}

void Hub::stopNow() {
  if (stopped_) return;
  stopped_ = true;
  ticker_.cancel();
  stopTimer_.cancel();
  // End of stream to every output (destinations unpublish, the recording is finalised).
  engine_->shutdown(kShutdownGrace);
  broadcast_.stop(core::Clock::now());
  broadcast_.takeOrders();  // the engine has closed everything already
  for (const auto& change : broadcast_.takeChanges()) logChange(change);
  looping_ = false;
  io_.stop();
}

void Hub::scheduleTick() {
  ticker_.expires_after(kTickPeriod);
  ticker_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    tick();
    scheduleTick();
  });
}

// Questions older than the retention period leave the event log (docs/QUESTIONS.md).
void Hub::purgeQuestions() {
  constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
  const auto cutoff = wallMs() - options_.config.questions.retentionDays * kDayMs;
  const auto deleted = store_->purgeQuestions(cutoff);
  lastPurgeAt_ = core::Clock::now();
  if (deleted > 0) {
    logger()->info("questions de plus de {} jours effacées / questions past retention purged: {} événements",
                   options_.config.questions.retentionDays, deleted);
  }
}

void Hub::tick() {
  const auto now = core::Clock::now();
  if (now - lastPurgeAt_ > std::chrono::hours(24)) purgeQuestions();
  for (const auto& destination : broadcast_.destinations()) {
    const auto& name = destination.settings.name;
    const auto phase = destination.machine.status().phase;
    if (phase != core::DestinationPhase::Connecting && phase != core::DestinationPhase::Live) continue;
    auto stats = engine_->outputStats(name);
    if (!stats) continue;
    // rtmp2sink counts bytes only once the server took the publish.
    if (phase == core::DestinationPhase::Connecting && stats->bytesSent > 0) broadcast_.connected(name, now);
    broadcast_.progress(name, stats->bytesSent, now);
    auto& rate = rates_[name];
    const double seconds = std::chrono::duration<double>(now - rate.at).count();
    if (seconds >= 1.0) {
      rate.kbps =
          stats->bytesSent >= rate.bytes ? static_cast<double>(stats->bytesSent - rate.bytes) * 8 / 1000 / seconds : 0;
      rate.bytes = stats->bytesSent;
      rate.at = now;
    }
  }
  broadcast_.tick(now);
  execute();
  platformBoard_.tick(std::chrono::system_clock::now());
  carryOutPlatformOrders();
  watchRecordingDisk(now);
  announceRecording();
  refreshClock();
  if (now - lastPushAt_ >= std::chrono::seconds{1}) {
    lastPushAt_ = now;
    pushStatus();
  }
  if (now - lastStatusAt_ >= kStatusPeriod) {
    lastStatusAt_ = now;
    logStatus();
  }
  const double cpuSeconds = std::chrono::duration<double>(now - lastCpuAt_).count();
  if (cpuSeconds >= 1.0) {
    const double cpu = processCpuSeconds();
    cpuLoad_ = (cpu - lastCpuSeconds_) / cpuSeconds;
    lastCpuSeconds_ = cpu;
    lastCpuAt_ = now;
  }
}

// Carries out the core's orders and logs what changed, until the core has nothing more
// to say (a failed connect produces new orders).
void Hub::execute() {
  while (true) {
    auto changes = broadcast_.takeChanges();
    auto orders = broadcast_.takeOrders();
    if (changes.empty() && orders.empty()) return;
    for (const auto& change : changes) logChange(change);
    for (const auto& order : orders) carryOut(order);
  }
}

void Hub::logChange(const core::PhaseChange& change) {
  if (change.failure) {
    const auto& text = core::describe(change.failure->kind);
    logger()->warn("destination {}: {} → {} — {} ({}) [{}]", change.destination, core::toString(change.from),
                   core::toString(change.to), text.reasonFr, text.reasonEn, change.failure->detail);
  } else {
    logger()->info("destination {}: {} → {}", change.destination, core::toString(change.from),
                   core::toString(change.to));
  }
}

void Hub::carryOut(const core::MediaOrder& order) {
  const core::Destination* destination = broadcast_.find(order.destination);
  if (destination == nullptr) return;
  switch (order.action) {
    case core::DestinationAction::Connect:
      logger()->info("destination {}: connexion à {}", order.destination, destination->settings.url.masked());
      try {
        generations_[order.destination] = engine_->connect(media::RtmpOutputSettings{
            destination->settings.name, destination->settings.url, destination->settings.tlsVerify});
        rates_[order.destination] = Rate{0, core::Clock::now(), 0};
      } catch (const std::exception& e) {
        broadcast_.failed(order.destination, core::Failure{core::FailureKind::Internal, e.what()}, core::Clock::now());
      }
      break;
    case core::DestinationAction::GoLive: engine_->goLive(order.destination); break;
    case core::DestinationAction::Disconnect:
      engine_->disconnect(order.destination);
      generations_.erase(order.destination);
      break;
  }
}

// A line every half minute so that a technician watching the terminal sees that all is
// well (or not) without a console.
void Hub::logStatus() const {
  const auto snapshot = makeSnapshot();
  std::string line = fmt::format("programme : {} images, {} perdues, CPU {:.0f} %", snapshot.framesEncoded,
                                 snapshot.framesDropped, snapshot.cpuLoad * 100);
  if (!snapshot.recordingPath.empty())
    line += fmt::format(" ; enregistrement {:.1f} Mo", static_cast<double>(snapshot.recordingBytes) / 1e6);
  for (const auto& d : snapshot.destinations) {
    line += fmt::format(" ; {} : {}", d.name, d.phase);
    if (d.phase == "live") line += fmt::format(" {:.1f} Mb/s", d.bitrateKbps / 1000);
    if (!d.failureReason.empty() && d.phase != "live") line += " (" + d.failureReason + ")";
  }
  logger()->info("{}", line);
}

void Hub::onOutputFailed(const std::string& output, std::uint64_t generation, core::Failure failure) {
  boost::asio::post(io_, [this, output, generation, failure = std::move(failure)]() mutable {
    if (stopped_) return;
    if (output == "recording") {
      onRecordingFailed(generation, failure);
      return;
    }
    auto current = generations_.find(output);
    if (current == generations_.end() || current->second != generation) return;  // an old connection
    broadcast_.failed(output, std::move(failure), core::Clock::now());
    execute();
  });
}

void Hub::onAudioLevels(media::AudioLevels levels) {
  boost::asio::post(io_, [this, levels = std::move(levels)]() mutable {
    levels_ = std::move(levels);
    if (!web_) return;
    const auto technicians = clientsWithRole(core::Role::Technician);
    if (technicians.empty()) return;
    const nlohmann::json message{{"type", "levels"}, {"peak_db", levels_.peakDb}, {"rms_db", levels_.rmsDb}};
    web_->broadcast(technicians, message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
}

void Hub::onPreview(std::string jpeg) {
  boost::asio::post(io_, [this, jpeg = std::move(jpeg)]() mutable {
    preview_ = std::move(jpeg);
    if (!web_) return;
    for (auto connection : clientsWithRole(core::Role::Technician)) web_->sendBinary(connection, preview_);
  });
}

void Hub::onGraphicsError(int layer, std::uint64_t, const std::string& message) {
  boost::asio::post(io_, [this, layer, message] {
    logger()->error("graphisme / graphics: {}", message);
    layerErrors_.at(static_cast<std::size_t>(layer)) = message;
  });
}

void Hub::onProgramError(const std::string& detail) {
  boost::asio::post(io_, [detail] { logger()->error("programme / program: {}", detail); });
}

void Hub::onProgramSegmentDone() {
  boost::asio::post(io_, [this] {
    if (!stopped_) engine_->loopSource();
  });
}

HubSnapshot Hub::makeSnapshot() const {
  HubSnapshot s;
  const auto now = core::Clock::now();
  s.running = broadcast_.running() && !stopped_;
  const auto program = engine_->programStats();
  s.framesEncoded = program.framesEncoded;
  s.framesDropped = program.framesDropped;
  s.cpuLoad = cpuLoad_;
  fillRecordingSnapshot(s, now);
  s.exportState = exportState_;
  s.exportDir = exportDir_.string();
  s.exportFiles = exportFiles_;
  s.exportWarnings = exportWarnings_;
  s.exportError = exportError_;
  for (const auto& destination : broadcast_.destinations()) {
    const auto& status = destination.machine.status();
    DestinationView view;
    view.name = destination.settings.name;
    view.platform = destination.settings.platform;
    view.url = destination.settings.url.masked();
    view.enabled = destination.settings.enabled;
    view.phase = std::string(core::toString(status.phase));
    view.attempt = status.attempt;
    view.reconnects = status.reconnects;
    if (status.nextTry) view.nextTryInSeconds = std::chrono::duration<double>(*status.nextTry - now).count();
    if (status.lastFailure) {
      const auto& text = core::describe(status.lastFailure->kind);
      view.failureCode = std::string(text.code);
      view.failureReason = std::string(text.reasonFr);
      view.failureAdvice = std::string(text.adviceFr);
      view.failureDetail = status.lastFailure->detail;
    }
    view.bytesSent = status.bytesSent;
    if (auto rate = rates_.find(view.name); rate != rates_.end()) view.bitrateKbps = rate->second.kbps;
    if (status.liveSince) view.uptimeSeconds = std::chrono::duration<double>(now - *status.liveSince).count();
    if (auto stats = engine_->outputStats(view.name)) view.droppedBuffers = stats->feed.droppedFull;
    if (const auto* preset = core::findPlatform(destination.settings.platform); preset && preset->maxLiveDuration) {
      view.liveLimitSeconds = std::chrono::duration<double>(*preset->maxLiveDuration).count();
      if (status.firstLiveSince) {
        const auto liveFor = std::chrono::duration_cast<std::chrono::seconds>(now - *status.firstLiveSince);
        if (auto left = core::liveTimeLeft(*preset, liveFor)) view.liveLeftSeconds = static_cast<double>(left->count());
      }
    }
    s.destinations.push_back(std::move(view));
  }
  for (int i = 0; i < core::kLayerCount; ++i) {
    const auto layer = static_cast<core::Layer>(i);
    const auto& state = meeting_.overlays().state(layer);
    s.layers.push_back({std::string(core::toString(layer)), state.visible, state.templateName,
                        layerErrors_.at(static_cast<std::size_t>(i))});
  }
  return s;
}

HubSnapshot Hub::snapshot() {
  return onHub([this] { return makeSnapshot(); });
}

core::CommandResult Hub::retryNow(const std::string& destination) {
  return onHub([&] {
    auto result = broadcast_.retryNow(destination, core::Clock::now());
    execute();
    return result;
  });
}

core::CommandResult Hub::setEnabled(const std::string& destination, bool enabled) {
  return onHub([&] {
    auto result = broadcast_.setEnabled(destination, enabled, core::Clock::now());
    execute();
    return result;
  });
}

}  // namespace tribune::app
