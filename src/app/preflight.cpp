#include "app/preflight.h"

#include <sys/timex.h>

#include <system_error>

#include "media/probe.h"
#include "media/uplink_probe.h"

namespace tribune::app {
namespace {

// The free bytes where the recording goes, or at its nearest existing parent (the folder
// is created at the first recording).
std::uint64_t freeBytesFor(std::filesystem::path directory) {
  std::error_code error;
  while (!directory.empty() && !std::filesystem::exists(directory, error)) {
    if (directory == directory.parent_path()) break;
    directory = directory.parent_path();
  }
  const auto space = std::filesystem::space(directory, error);
  return error ? 0 : space.available;
}

}  // namespace

std::optional<bool> clockSynchronised() {
  timex state{};
  const int result = ::adjtimex(&state);  // modes 0: reads only
  if (result < 0) return std::nullopt;
  return result != TIME_ERROR && (state.status & STA_UNSYNC) == 0;
}

core::PreflightReport runPreflight(const core::Config& config, const std::filesystem::path& dataDir,
                                   const PreflightInputs& inputs) {
  core::PreflightReport report;
  report.lines.push_back(core::sourceLine(inputs.source));
  report.lines.push_back(core::soundLine(inputs.peakDbfs));

  std::vector<core::DestinationProbe> probes;
  for (const auto& destination : config.destinations) {
    if (!destination.enabled) continue;
    core::DestinationProbe probe{destination.name, destination.url.masked(), false, std::nullopt};
    if (inputs.broadcasting) {
      probe.skipped = true;  // a second publish with the key would disturb the live
    } else {
      auto result = media::probeDestination({destination.name, destination.url, destination.tlsVerify},
                                            config.retry.connectTimeout);
      probe.accepted = result.accepted;
      probe.failure = result.failure;
    }
    probes.push_back(std::move(probe));
  }
  for (auto& line : core::destinationLines(probes)) report.lines.push_back(std::move(line));

  const int destinations = static_cast<int>(probes.size());
  core::UplinkMeasure measure;
  if (inputs.broadcasting) {
    measure.kind = core::UplinkMeasure::Kind::duringBroadcast;
  } else if (config.preflight.testUrl) {
    const int needed = core::uplinkNeededKbps(destinations, config.video.bitrateKbps, config.audio.bitrateKbps);
    const int ceiling = core::uplinkProbeCeilingKbps(needed);
    const auto result = media::measureUplink(*config.preflight.testUrl, ceiling, config.retry.connectTimeout);
    if (result.ackedKbps) {
      measure = core::uplinkMeasured(*result.ackedKbps, ceiling);
      report.uplinkKbps = *result.ackedKbps;
    } else {
      measure.kind = core::UplinkMeasure::Kind::failed;
      measure.detail = result.error.value_or("");
    }
  }
  report.lines.push_back(core::uplinkLine(measure, destinations, config.video, config.audio.bitrateKbps));
  if (measure.kind == core::UplinkMeasure::Kind::failed && !measure.detail.empty()) {
    report.lines.back().text += " [" + measure.detail + "]";
  }

  const std::filesystem::path recordings = dataDir / config.recording.directory;
  if (auto disk = core::diskLine(freeBytesFor(recordings), config)) report.lines.push_back(std::move(*disk));
  report.lines.push_back(core::clockLine(clockSynchronised()));
  return report;
}

void printPreflight(std::ostream& out, const core::PreflightReport& report) {
  out << "Vérification avant la séance :\n";
  for (const auto& line : report.lines) {
    switch (line.level) {
      case core::PreflightLevel::green: out << "  ✔ VERT    "; break;
      case core::PreflightLevel::orange: out << "  ! ORANGE  "; break;
      case core::PreflightLevel::red: out << "  ✘ ROUGE   "; break;
    }
    out << line.text << "\n";
    if (!line.advice.empty()) out << "            → " << line.advice << "\n";
  }
  switch (report.overall()) {
    case core::PreflightLevel::green: out << "Tout est prêt pour la séance.\n"; break;
    case core::PreflightLevel::orange: out << "La séance peut avoir lieu ; voyez les points en orange.\n"; break;
    case core::PreflightLevel::red: out << "À corriger avant la séance : les points en rouge.\n"; break;
  }
}

int preflightExitCode(const core::PreflightReport& report) {
  return report.overall() == core::PreflightLevel::red ? 1 : 0;
}

}  // namespace tribune::app
