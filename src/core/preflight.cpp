#include "core/preflight.h"

#include <algorithm>
#include <cmath>

#include "core/recording_space.h"

namespace tribune::core {
namespace {

PreflightLine line(std::string id, PreflightLevel level, std::string text, std::string advice = {}) {
  return {std::move(id), level, std::move(text), std::move(advice)};
}

std::string kbps(int value) { return std::to_string(value) + " kb/s"; }

// "12,5 Go": one decimal, French comma.
std::string gigabytes(std::uint64_t bytes) {
  constexpr double kGigabyte = 1e9;
  const auto tenths = static_cast<long long>(std::floor(static_cast<double>(bytes) / kGigabyte * 10));
  return std::to_string(tenths / 10) + "," + std::to_string(tenths % 10) + " Go";
}

constexpr int kMaxVideoKbps = 20000;  // the config's bound for video.bitrate_kbps
constexpr int kBitrateStep = 100;

}  // namespace

std::string_view preflightLevelName(PreflightLevel level) {
  switch (level) {
    case PreflightLevel::green: return "green";
    case PreflightLevel::orange: return "orange";
    case PreflightLevel::red: return "red";
  }
  return "red";
}

std::string_view profileName(VideoProfile profile) { return profile == VideoProfile::P1080p30 ? "1080p30" : "720p30"; }

PreflightLevel PreflightReport::overall() const {
  auto worst = PreflightLevel::green;
  for (const auto& l : lines) worst = std::max(worst, l.level);
  return worst;
}

nlohmann::json preflightJson(const PreflightReport& report) {
  auto lines = nlohmann::json::array();
  for (const auto& l : report.lines) {
    lines.push_back({{"id", l.id}, {"level", preflightLevelName(l.level)}, {"text", l.text}, {"advice", l.advice}});
  }
  nlohmann::json out = {{"level", preflightLevelName(report.overall())}, {"lines", std::move(lines)}};
  if (report.uplinkKbps) out["uplink_kbps"] = *report.uplinkKbps;
  return out;
}

PreflightLine sourceLine(const std::optional<SourceObservation>& observed) {
  if (!observed) {
    return line("source", PreflightLevel::orange, "Source non vérifiée.",
                "Regardez l'aperçu de la console : l'image doit bouger.");
  }
  if (!observed->present) {
    return line("source", PreflightLevel::red, "Aucune image de la source.",
                "Vérifiez que la caméra est allumée et son câble branché, puis relancez la vérification.");
  }
  if (!observed->moving) {
    return line("source", PreflightLevel::red, "L'image de la source est figée.",
                "Débranchez et rebranchez la caméra (ou la carte d'acquisition), puis relancez la vérification.");
  }
  return line("source", PreflightLevel::green, "La source envoie une image qui bouge.");
}

PreflightLine soundLine(const std::optional<double>& peakDbfs) {
  if (!peakDbfs) {
    return line("sound", PreflightLevel::orange, "Son non vérifié.",
                "Parlez dans le micro et regardez le vumètre de la console.");
  }
  if (*peakDbfs < kSilentPeakDbfs) {
    return line("sound", PreflightLevel::red, "Aucun son : le micro semble muet.",
                "Vérifiez que le micro est allumé, non coupé sur la table de mixage, et son câble branché.");
  }
  if (*peakDbfs >= kClippingPeakDbfs) {
    return line("sound", PreflightLevel::orange, "Le son sature (trop fort).",
                "Baissez le gain du micro ou la sortie de la table de mixage.");
  }
  return line("sound", PreflightLevel::green, "Le niveau du son est correct.");
}

std::vector<PreflightLine> destinationLines(const std::vector<DestinationProbe>& probes) {
  std::vector<PreflightLine> lines;
  if (probes.empty()) {
    lines.push_back(line("destinations", PreflightLevel::orange,
                         "Aucune destination : la séance sera seulement enregistrée.",
                         "Ajoutez ou activez une destination si la séance doit être diffusée."));
    return lines;
  }
  for (const auto& probe : probes) {
    const auto id = "destination:" + probe.name;
    if (probe.skipped) {
      lines.push_back(line(id, PreflightLevel::orange, probe.name + " non vérifiée pendant une diffusion.",
                           "Voyez son état sur la console."));
      continue;
    }
    if (probe.accepted) {
      lines.push_back(line(id, PreflightLevel::green, probe.name + " (" + probe.maskedUrl + ") accepte la diffusion."));
      continue;
    }
    const auto& text = describe(probe.failure ? probe.failure->kind : FailureKind::Internal);
    lines.push_back(line(id, PreflightLevel::red,
                         probe.name + " (" + probe.maskedUrl + ") : " + std::string(text.reasonFr) + ".",
                         std::string(text.adviceFr)));
  }
  return lines;
}

int uplinkNeededKbps(int destinations, int videoKbps, int audioKbps) {
  const double total = static_cast<double>(std::max(destinations, 0)) * (videoKbps + audioKbps) * kUplinkHeadroom;
  // The tiny epsilon keeps 1000 × 1.3 at 1300 rather than 1301 (1.3 is not exact in binary).
  constexpr double kEpsilon = 1e-6;
  return static_cast<int>(std::ceil(total - kEpsilon));
}

std::optional<ProfileChoice> profileThatFits(int measuredKbps, int destinations, int audioKbps) {
  if (destinations <= 0) return std::nullopt;
  const double perDestination = static_cast<double>(measuredKbps) / kUplinkHeadroom / destinations;
  int video = static_cast<int>(std::floor(perDestination)) - audioKbps;
  video = std::min(video / kBitrateStep * kBitrateStep, kMaxVideoKbps);
  if (video >= kMinVideoKbps1080p) return ProfileChoice{VideoProfile::P1080p30, video};
  if (video >= kMinVideoKbps720p) return ProfileChoice{VideoProfile::P720p30, video};
  return std::nullopt;
}

int uplinkProbeCeilingKbps(int neededKbps) {
  constexpr int kFloor = 8000;
  constexpr int kCeiling = 50000;
  return std::clamp(2 * neededKbps, kFloor, kCeiling);
}

UplinkMeasure uplinkMeasured(int ackedKbps, int ceilingKbps) {
  constexpr double kHeldBack = 0.9;
  UplinkMeasure measure;
  measure.kbps = ackedKbps;
  measure.kind = ackedKbps < kHeldBack * ceilingKbps ? UplinkMeasure::Kind::measured : UplinkMeasure::Kind::atLeast;
  return measure;
}

PreflightLine uplinkLine(const UplinkMeasure& measure, int destinations, const VideoSettings& video, int audioKbps) {
  const int needed = uplinkNeededKbps(destinations, video.bitrateKbps, audioKbps);
  const std::string neededText =
      "il faut " + kbps(needed) + " pour " + std::to_string(destinations) + " destination(s) avec 30 % de marge";
  switch (measure.kind) {
    case UplinkMeasure::Kind::notConfigured:
      return line("uplink", PreflightLevel::orange, "Débit montant non mesuré (" + neededText + ").",
                  "Indiquez un serveur de test dans preflight.test_url (jamais la clé d'une plateforme : la mesure "
                  "démarrerait le direct).");
    case UplinkMeasure::Kind::duringBroadcast:
      return line("uplink", PreflightLevel::orange, "Mesure du débit impossible pendant une diffusion.",
                  "Refaites la vérification avant la prochaine séance, hors diffusion.");
    case UplinkMeasure::Kind::failed:
      return line("uplink", PreflightLevel::orange,
                  "Débit montant non mesuré : le serveur de test n'a pas pris la publication de test.",
                  "Vérifiez preflight.test_url et la connexion Internet.");
    case UplinkMeasure::Kind::measured:
    case UplinkMeasure::Kind::atLeast: break;
  }
  const std::string measuredText =
      (measure.kind == UplinkMeasure::Kind::atLeast ? "au moins " : "") + kbps(measure.kbps);
  if (destinations == 0 || measure.kbps >= needed) {
    return line("uplink", PreflightLevel::green, "Débit montant mesuré : " + measuredText + " (" + neededText + ").");
  }
  const auto fits = profileThatFits(measure.kbps, destinations, audioKbps);
  std::string advice;
  if (fits) {
    advice = "Choisissez video.profile \"" + std::string(profileName(fits->profile)) + "\" et video.bitrate_kbps " +
             std::to_string(fits->videoKbps) + ", ou diffusez vers moins de destinations.";
  } else {
    advice = "Aucun profil ne tient : diffusez vers moins de destinations ou utilisez une autre connexion.";
  }
  return line("uplink", PreflightLevel::red, "Débit montant insuffisant : " + measuredText + " (" + neededText + ").",
              advice);
}

std::optional<PreflightLine> diskLine(std::uint64_t freeBytes, const Config& config) {
  if (!config.recording.enabled) return std::nullopt;
  const auto needed = recordingBytesNeeded(config.video.bitrateKbps, config.audio.bitrateKbps,
                                           config.recording.expectedDuration, std::chrono::seconds{0});
  // "4 h", "2 h 30 min", "45 min"
  const auto minutes = config.recording.expectedDuration.count();
  const auto hours = minutes < 60 ? std::to_string(minutes) + " min"
                                  : std::to_string(minutes / 60) + " h" +
                                        (minutes % 60 == 0 ? "" : " " + std::to_string(minutes % 60) + " min");
  const auto figures = gigabytes(freeBytes) + " libres, " + gigabytes(needed) + " pour " + hours + " d'enregistrement";
  if (freeBytes < needed) {
    return line("disk", PreflightLevel::red, "Disque trop petit pour la séance : " + figures + ".",
                "Libérez de la place (exportez puis effacez les anciennes séances) ou baissez video.bitrate_kbps.");
  }
  return line("disk", PreflightLevel::green, "Place sur le disque : " + figures + ".");
}

PreflightLine clockLine(std::optional<bool> synchronised) {
  if (!synchronised) {
    return line("clock", PreflightLevel::orange, "Synchronisation de l'horloge inconnue.",
                "Vérifiez l'heure de l'ordinateur (timedatectl).");
  }
  if (!*synchronised) {
    return line("clock", PreflightLevel::orange,
                "L'horloge n'est pas synchronisée : les séances planifiées peuvent démarrer à la mauvaise heure.",
                "Activez la synchronisation (sudo timedatectl set-ntp true) et vérifiez l'accès à Internet.");
  }
  return line("clock", PreflightLevel::green, "L'horloge est synchronisée.");
}

}  // namespace tribune::core
