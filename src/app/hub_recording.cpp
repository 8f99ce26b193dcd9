// The recording and its disk (issue 6, "Stalls and resources"). A full or unwritable
// disk stops the recording, never the broadcast: the failed output is released (to the
// engine's reaper), the technicians see an alarm, and a probe every 2 s starts a new file
// once the folder takes writes again (the probe waits longer, doubling up to 60 s, while
// each new file fails again within 30 s: a fault the probe cannot see; the rule is
// core::recordingProbeDelay). The old file stays readable (Matroska written as a stream).
// Runs on the hub thread; the disk probes run on a short-lived thread each (std::async)
// so that a slow disk never stalls the hub.
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "app/hub.h"
#include "app/hub_internal.h"
#include "core/recording_space.h"
#include "media/media_error.h"

namespace tribune::app {
namespace {

constexpr auto kProbePeriodHealthy = std::chrono::seconds{5};
constexpr std::size_t kProbeBytes = std::size_t{64} * 1024;

constexpr const char* kDiskFailedFr =
    "Disque plein ou non inscriptible : l'enregistrement est arrêté, la diffusion continue";
constexpr const char* kDiskFailedEn = "Disk full or unwritable: recording stopped, streaming goes on";

std::string gigabytes(std::uint64_t bytes, const char* unit = "Go") {
  return fmt::format("{:.1f} {}", static_cast<double>(bytes) / 1e9, unit);
}

}  // namespace

void Hub::prepareRecording() {
  if (!options_.config.recording.enabled) return;
  std::filesystem::path dir = options_.config.recording.directory;
  if (dir.is_relative()) dir = options_.dataDir / dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw media::MediaError("the recording folder " + dir.string() + " cannot be created: " + ec.message());
  recordingDir_ = dir;
  recordingPath_ = newRecordingName();
}

std::filesystem::path Hub::newRecordingName() const {
  const std::string stem = "seance_" + localTime("%Y-%m-%d_%H-%M-%S");
  auto taken = [&](const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec) ||
           std::find(recordingFiles_.begin(), recordingFiles_.end(), path) != recordingFiles_.end();
  };
  auto path = recordingDir_ / (stem + ".mkv");
  for (int n = 2; taken(path); ++n) path = recordingDir_ / fmt::format("{}_{}.mkv", stem, n);
  return path;
}

void Hub::startRecordingFile() {
  // The first file keeps the name announced at start-up; later ones never overwrite.
  const auto path = recordingFiles_.empty() ? recordingPath_ : newRecordingName();
  try {
    recordingGeneration_ = engine_->startRecording({"recording", path.string()}, recordingPaused_);
  } catch (const std::exception& e) {
    if (!recordingFailed_) {
      recordingFailed_ = true;
      ++recordingFailures_;
      recordingErrorDetail_ = e.what();
      hubLogger()->error("{} / {} — {} [{}]", kDiskFailedFr, kDiskFailedEn, path.string(), e.what());
    }
    return;
  }
  const bool resumed = recordingFailed_;
  recordingFailed_ = false;
  recordingErrorDetail_.clear();
  recordingPath_ = path;
  recordingFiles_.push_back(path);
  recordingFileStartedAt_ = core::Clock::now();
  recordingAnnounced_ = false;
  if (resumed) {
    hubLogger()->info("enregistrement repris dans un nouveau fichier / recording resumed in a new file: {}{}",
                      path.string(), recordingPaused_ ? " (en pause : huis clos)" : "");
  } else {
    hubLogger()->info("enregistrement / recording: {}", path.string());
  }
}

void Hub::onRecordingFailed(std::uint64_t generation, const core::Failure& failure) {
  if (recordingFailed_ || generation != recordingGeneration_) return;  // an old file's late word
  recordingFailed_ = true;
  ++recordingFailures_;
  recordingErrorDetail_ = failure.detail;
  const auto now = core::Clock::now();
  recordingRetryDelay_ =
      core::recordingProbeDelay(recordingRetryDelay_, recordingFiles_.size() > 1,
                                std::chrono::duration_cast<std::chrono::seconds>(now - recordingFileStartedAt_));
  engine_->stopRecording();
  hubLogger()->error("{} / {} — {} [{}]", kDiskFailedFr, kDiskFailedEn, recordingPath_.string(), failure.detail);
  lastDiskCheckAt_ = now;  // the first probe in 2 s or more: let the disk settle
  pushStatus();            // the technicians see it now, not at the next push
}

Hub::DiskReading Hub::readDisk(const std::filesystem::path& dir, bool write) {
  DiskReading reading;
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) == 0) {
    reading.freeBytes = static_cast<std::uint64_t>(fs.f_bavail) * static_cast<std::uint64_t>(fs.f_frsize);
  } else {
    reading.error = std::strerror(errno);
  }
  if (!write) return reading;
  // Writing real bytes matters: a full disk still lets an empty file be created.
  const auto probe = dir / fmt::format(".tribune-probe-{}", ::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    reading.error = std::strerror(errno);
    return reading;
  }
  static const std::array<char, kProbeBytes> zeros{};
  std::size_t written = 0;
  while (written < zeros.size()) {
    const auto n = ::write(fd, zeros.data() + written, zeros.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      reading.error = std::strerror(errno);
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 && reading.error.empty()) reading.error = std::strerror(errno);
  ::unlink(probe.c_str());
  reading.writable = written == zeros.size() && reading.error.empty();
  return reading;
}

void Hub::watchRecordingDisk(core::TimePoint now) {
  if (recordingDir_.empty() || stopped_) return;
  if (diskCheck_.valid()) {
    if (diskCheck_.wait_for(std::chrono::seconds{0}) != std::future_status::ready) return;
    takeDiskReading(diskCheck_.get(), now);
  }
  if (now - lastDiskCheckAt_ < (recordingFailed_ ? recordingRetryDelay_ : kProbePeriodHealthy)) return;
  lastDiskCheckAt_ = now;
  diskCheckWantsWrite_ = recordingFailed_;
  try {
    diskCheck_ = std::async(std::launch::async,
                            [dir = recordingDir_, write = diskCheckWantsWrite_] { return readDisk(dir, write); });
  } catch (const std::system_error& e) {
    hubLogger()->debug("recording disk probe not started: {}", e.what());
  }
}

void Hub::takeDiskReading(const DiskReading& reading, core::TimePoint now) {
  if (reading.freeBytes) recordingFreeBytes_ = reading.freeBytes;
  const auto& video = options_.config.video;
  const auto& audio = options_.config.audio;
  if (recordingFreeBytes_) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - programStartedAt_);
    const auto space = core::recordingSpace(*recordingFreeBytes_, video.bitrateKbps, audio.bitrateKbps,
                                            options_.config.recording.expectedDuration, elapsed);
    if (space.low != recordingLowSpace_) {
      recordingLowSpace_ = space.low;
      if (space.low) {
        hubLogger()->warn(
            "place disque : {} libres, il faut ~{} pour la fin de la séance / disk space: {} free, ~{} needed",
            gigabytes(space.freeBytes), gigabytes(space.neededBytes), gigabytes(space.freeBytes, "GB"),
            gigabytes(space.neededBytes, "GB"));
      } else {
        hubLogger()->info("place disque suffisante / enough disk space: {} libres", gigabytes(space.freeBytes));
      }
    }
  }
  if (!recordingFailed_ || !diskCheckWantsWrite_) return;
  const auto room = core::recordingBytesToResume(video.bitrateKbps, audio.bitrateKbps);
  if (!reading.writable || !reading.freeBytes || *reading.freeBytes < room) {
    hubLogger()->debug("recording folder still unusable: {} free, {}", reading.freeBytes.value_or(0), reading.error);
    return;
  }
  startRecordingFile();
  if (!recordingFailed_) pushStatus();
}

void Hub::fillRecordingSnapshot(HubSnapshot& s, core::TimePoint now) const {
  s.recordingPath = recordingPath_.string();
  for (const auto& file : recordingFiles_) s.recordingFiles.push_back(file.string());
  s.recordingFailures = recordingFailures_;
  if (recordingDir_.empty()) {
    s.recordingState = "off";
    return;
  }
  if (auto recording = engine_->outputStats("recording")) {
    s.recordingBytes = recording->bytesSent;
  } else if (!recordingFiles_.empty()) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(recordingPath_, ec);
    if (!ec) s.recordingBytes = size;
  }
  if (recordingFailed_) {
    s.recordingState = "failed";
    s.recordingError = std::string(kDiskFailedFr) + " / " + kDiskFailedEn;
    s.recordingErrorDetail = recordingErrorDetail_;
  } else {
    s.recordingState = recordingPaused_ ? "paused" : "recording";
  }
  s.recordingFreeBytes = recordingFreeBytes_;
  const auto elapsed = programStartedAt_ == core::TimePoint{}
                           ? std::chrono::seconds{0}
                           : std::chrono::duration_cast<std::chrono::seconds>(now - programStartedAt_);
  const auto space =
      core::recordingSpace(recordingFreeBytes_.value_or(0), options_.config.video.bitrateKbps,
                           options_.config.audio.bitrateKbps, options_.config.recording.expectedDuration, elapsed);
  s.recordingNeededBytes = space.neededBytes;
  s.recordingLowSpace = recordingFreeBytes_.has_value() && space.low;
}

void Hub::announceRecording() {
  if (recordingAnnounced_ || recordingFailed_ || recordingFiles_.empty() || stopped_) return;
  const auto stats = engine_->outputStats("recording");
  if (!stats || !stats->feed.startRunningTime) return;
  recordingAnnounced_ = true;
  if (!programEpochMs_) {
    programEpochMs_ = wallMs() - static_cast<std::int64_t>(engine_->programTime() / 1'000'000);
  }
  std::error_code ec;
  auto file = std::filesystem::absolute(recordingPath_, ec);
  if (ec) file = recordingPath_;
  const core::RecordingFile recording{file.string(), *programEpochMs_,
                                      std::max<std::int64_t>(0, *stats->feed.startRunningTime)};
  const auto result = meeting_.recordingStarted(recording, core::Clock::now());
  if (!result.ok()) {
    hubLogger()->error("recording_started refused: {}", result.message);
    return;
  }
  commit(meeting_.takeEvents(), [](const std::vector<std::uint64_t>&) {});
}

std::filesystem::path Hub::recordingPath() {
  return onHub([this] { return recordingPath_; });
}

std::vector<std::filesystem::path> Hub::recordingFiles() {
  return onHub([this] { return recordingFiles_; });
}

}  // namespace tribune::app
