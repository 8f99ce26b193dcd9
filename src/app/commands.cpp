#include "app/commands.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <variant>

#include "app/agenda_loader.h"
#include "app/config_loader.h"
#include "app/export.h"
#include "app/hub.h"
#include "app/preflight.h"
#include "app/replay.h"
#include "app/settings_store.h"
#include "app/station.h"
#include "app/tokens.h"
#include "core/failure.h"
#include "core/questions_export.h"
#include "core/source_spec.h"
#include "media/devices.h"
#include "media/media_error.h"
#include "media/probe.h"
#include "store/event_store.h"

namespace tribune::app {
namespace {

std::filesystem::path defaultDataDir() {
  if (const char* dir = std::getenv("TRIBUNE_DATA_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "tribune";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".local/share/tribune";
  }
  return std::filesystem::current_path() / "data";
}

// The agenda of the config, or the demo agenda when Tribune runs on its defaults.
std::optional<std::filesystem::path> agendaFile(const std::optional<std::filesystem::path>& config,
                                                const LoadedConfig& loaded) {
  if (loaded.config.agenda) return loaded.baseDir / *loaded.config.agenda;
  if (!config) return shareDir() / "examples" / "agenda-demo.json";
  return std::nullopt;
}

void printAgendaProblems(const AgendaError& error) {
  std::cerr << "Ordre du jour invalide / invalid agenda: " << error.file() << "\n";
  for (const auto& problem : error.problems()) std::cerr << "  " << problem.where << ": " << problem.message << "\n";
}

void printProblems(const ConfigError& error) {
  std::cerr << "Configuration invalide / invalid configuration: " << error.file() << "\n";
  for (const auto& problem : error.problems()) std::cerr << "  " << problem.path << ": " << problem.message << "\n";
}

// The event log of a data folder, when there is one: the commands that read or purge it
// never create one.
std::unique_ptr<store::EventStore> openExistingLog(const std::filesystem::path& dataDir) {
  const auto file = eventLogFile(dataDir);
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return nullptr;
  return std::make_unique<store::EventStore>(file);
}

std::int64_t nowWallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2025-03-01T10:00:00Z"
std::string utcText(std::int64_t wallMs) {
  constexpr std::int64_t kMsPerSecond = 1000;
  const std::time_t seconds = wallMs / kMsPerSecond;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text.data();
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

}  // namespace

// --data-dir, else the configuration's data_dir (relative to its file), else the default.
std::filesystem::path dataDirOf(const std::optional<std::filesystem::path>& flag, const LoadedConfig& loaded) {
  const auto dir = flag ? *flag : loaded.config.dataDir ? loaded.baseDir / *loaded.config.dataDir : defaultDataDir();
  return std::filesystem::absolute(dir).lexically_normal();
}

// The configuration, or nothing once its problems are printed (exit code 2).
std::optional<LoadedConfig> loadOrReport(const std::optional<std::filesystem::path>& file) {
  try {
    return loadConfig(file);
  } catch (const ConfigError& error) {
    printProblems(error);
    return std::nullopt;
  }
}

void setUpLogging(const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("tribune", sink);
  logger->set_level(spdlog::level::from_str(level));
  logger->set_pattern("%H:%M:%S.%e %^%-5l%$ [%n] %v");
  spdlog::set_default_logger(logger);
  for (const char* name : {"hub", "media"}) {
    if (!spdlog::get(name)) spdlog::register_logger(logger->clone(name));
  }
}

// What `run` and `serve` build their hub from: the configuration with the command line's
// overrides, its paths made absolute, the agenda. 0, or the exit code once the problem is
// printed.
int prepareHubOptions(const RunArguments& arguments, HubOptions& options) {
  LoadedConfig loaded;
  try {
    loaded = loadConfigWithSettings(arguments.config, arguments.dataDir);
  } catch (const ConfigError& error) {
    printProblems(error);
    return 2;
  }
  auto& config = loaded.config;
  setUpLogging(arguments.logLevel.value_or(config.logLevel));
  if (arguments.source) {
    if (auto spec = core::parseSourceSpec(*arguments.source); !spec.spec) {
      std::cerr << "--source: " << *spec.error << "\n";
      return 2;
    }
    config.source = *arguments.source;
  }
  for (const auto& argument : arguments.destinations) {
    auto parsed = core::parseDestinationArgument(argument);
    if (!parsed.destination) {
      std::cerr << "--destination: " << *parsed.error << "\n";
      return 2;
    }
    for (const auto& existing : config.destinations) {
      if (existing.name == parsed.destination->name) {
        std::cerr << "--destination: a destination named '" << existing.name << "' exists already\n";
        return 2;
      }
    }
    config.destinations.push_back(*parsed.destination);
  }
  if (auto file = agendaFile(arguments.config, loaded)) {
    try {
      options.agenda = loadAgenda(*file, config.branding.commune);
    } catch (const AgendaError& error) {
      printAgendaProblems(error);
      return 2;
    }
  }
  makePathsAbsolute(config, loaded.baseDir);
  options.dataDir = dataDirOf(arguments.dataDir, loaded);
  options.shareDir = shareDir();
  if (arguments.stopAfterSeconds) options.stopAfter = std::chrono::seconds{*arguments.stopAfterSeconds};
  options.handleSignals = true;
  options.config = std::move(config);
  return 0;
}

int runCommand(const RunArguments& arguments) {
  HubOptions options;
  if (const int code = prepareHubOptions(arguments, options); code != 0) return code;
  try {
    const std::string source = options.config.source;
    std::optional<core::Agenda> agenda = options.agenda;
    Hub hub(std::move(options));
    const auto snapshot = hub.snapshot();
    std::cout << "Tribune " << TRIBUNE_VERSION << " — source / source: " << source << "\n";
    if (snapshot.destinations.empty()) {
      std::cout << "Aucune destination : enregistrement seul / no destination: recording only "
                   "(--destination youtube=CLÉ)\n";
    }
    for (const auto& d : snapshot.destinations) {
      std::cout << "Destination " << d.name << " : " << d.url << (d.enabled ? "" : " (désactivée / disabled)") << "\n";
    }
    if (agenda) {
      std::cout << "Ordre du jour / agenda: " << agenda->meeting.title << ", " << agenda->meeting.commune << ", "
                << agenda->meeting.date << " — " << agenda->items.size() << " point(s)\n";
      for (const auto& item : agenda->items) std::cout << "  " << item.number << ". " << item.title << "\n";
    }
    if (!hub.recordingPath().empty())
      std::cout << "Enregistrement / recording: " << hub.recordingPath().string() << "\n";
    if (hub.webPort() != 0) {
      // The technician's address carries its token (in the fragment, never sent to a
      // server): printed here for the person at the keyboard, never logged.
      std::cout << "Console du technicien / technician's console: " << hub.consoleUrl(core::Role::Technician) << "\n";
    }
    std::cout << "Ctrl+C pour arrêter proprement / Ctrl+C to stop cleanly" << std::endl;
    return hub.run();
  } catch (const media::MediaError& error) {
    spdlog::error("{}", error.what());
    return 1;
  }
}

int serveCommand(const RunArguments& arguments) {
  StationOptions options;
  if (const int code = prepareHubOptions(arguments, options.hub); code != 0) return code;
  options.configFile = arguments.config;
  options.sourceOverride = arguments.source;
  options.hub.agenda.reset();  // each meeting brings its own (the schedule)
  try {
    Station station(std::move(options));
    std::cout << "Tribune " << TRIBUNE_VERSION << " en veille / standby — console : " << station.consoleAddress()
              << " (jeton / token: tribune tokens)" << std::endl;
    return station.run();
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    std::cerr << error.what() << "\n";
    return 1;
  }
}

int checkCommand(const std::optional<std::filesystem::path>& config, bool probe, PreflightFlags preflight) {
  std::ostream& out = preflight.json ? std::cerr : std::cout;  // stdout: the JSON alone
  LoadedConfig loaded;
  try {
    loaded = loadConfigWithSettings(config, std::nullopt);
  } catch (const ConfigError& error) {
    printProblems(error);
    return 2;
  }
  if (auto file = agendaFile(config, loaded)) {
    try {
      auto agenda = loadAgenda(*file, loaded.config.branding.commune);
      out << "Ordre du jour valide / valid agenda: " << file->string() << " (" << agenda.items.size() << " point(s))\n";
    } catch (const AgendaError& error) {
      printAgendaProblems(error);
      return 2;
    }
  }
  out << "Configuration valide / valid configuration: "
      << (config ? config->string() : std::string("(valeurs par défaut / defaults)")) << "\n";
  if (preflight.run) {
    const auto report = runPreflight(loaded.config, dataDirOf(std::nullopt, loaded), {});
    if (preflight.json) {
      std::cout << core::preflightJson(report).dump(2) << "\n";
    } else {
      printPreflight(std::cout, report);
    }
    return preflightExitCode(report);
  }
  if (!probe) return 0;
  int failures = 0;
  for (const auto& destination : loaded.config.destinations) {
    if (!destination.enabled) {
      std::cout << "  " << destination.name << ": désactivée / disabled\n";
      continue;
    }
    auto result = media::probeDestination({destination.name, destination.url, destination.tlsVerify},
                                          loaded.config.retry.connectTimeout);
    if (result.accepted) {
      std::cout << "  " << destination.name << " (" << destination.url.masked()
                << "): OK, publication acceptée / publish accepted\n";
    } else {
      ++failures;
      const auto& text = core::describe(result.failure->kind);
      std::cout << "  " << destination.name << " (" << destination.url.masked() << "): " << text.reasonFr << " / "
                << text.reasonEn << " — " << text.adviceFr << " [" << result.failure->detail << "]\n";
    }
  }
  return failures == 0 ? 0 : 1;
}

int purgeCommand(const LogArguments& arguments, bool dryRun) {
  const auto loaded = loadOrReport(arguments.config);
  if (!loaded) return 2;
  const auto dataDir = dataDirOf(arguments.dataDir, *loaded);
  const int days = loaded->config.questions.retentionDays;
  constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
  const std::int64_t cutoff = nowWallMs() - days * kDayMs;
  try {
    const auto log = openExistingLog(dataDir);
    if (!log) {
      std::cout << "Pas de journal des séances dans " << dataDir.string() << " : rien à effacer / no event log in "
                << dataDir.string() << ": nothing to purge\n";
      return 0;
    }
    const auto before = utcText(cutoff);
    if (dryRun) {
      const auto count = log->countQuestionsToPurge(cutoff);
      std::cout << "Questions posées avant le " << before << " (conservation : " << days << " jours) : " << count
                << " événement(s) à effacer (simulation : rien n'est effacé) / questions "
                << "asked before " << before << " (retention: " << days << " days): " << count
                << " event(s) would be deleted (dry run: nothing deleted)\n";
      return 0;
    }
    const auto count = log->purgeQuestions(cutoff);
    std::cout << "Questions posées avant le " << before << " (conservation : " << days << " jours) : " << count
              << " événement(s) effacé(s) / questions asked before " << before << " (retention: " << days
              << " days): " << count << " event(s) deleted\n";
    return 0;
  } catch (const store::StoreError& error) {
    std::cerr << "Journal des séances inutilisable / unusable event log: " << error.what() << "\n";
    return 1;
  }
}

// The meeting a command works on: the one asked for, or the last of the log. When there is
// none, says why on stderr and gives the exit code (2: unknown id, 1: empty log).
std::variant<std::string, int> chooseMeeting(const store::EventStore* log, const std::optional<std::string>& asked,
                                             const std::filesystem::path& dataDir) {
  const auto meetings = log ? log->meetings() : std::vector<std::string>{};
  const auto known = meetings.empty() ? std::string("le journal n'en contient aucune / the log holds none")
                                      : "séances du journal / meetings in the log: " + joined(meetings);
  if (asked && std::find(meetings.begin(), meetings.end(), *asked) == meetings.end()) {
    std::cerr << "Séance inconnue « " << *asked << " » / unknown meeting \"" << *asked << "\" — " << known << "\n";
    return 2;
  }
  if (meetings.empty()) {
    std::cerr << "Aucune séance dans le journal de " << dataDir.string() << " / no meeting in the event log of "
              << dataDir.string() << "\n";
    return 1;
  }
  return asked.value_or(meetings.back());
}

// The prologue of the commands that read one meeting of the log: the configuration, the
// data folder, the log, the meeting asked for (or the last one); then `use(log, dataDir,
// meetingId)`. A log that cannot be read is exit code 1, with what is wrong.
template <typename Use>
int onMeeting(const LogArguments& arguments, const std::optional<std::string>& meeting, Use use) {
  const auto loaded = loadOrReport(arguments.config);
  if (!loaded) return 2;
  const auto dataDir = dataDirOf(arguments.dataDir, *loaded);
  try {
    const auto log = openExistingLog(dataDir);
    const auto chosen = chooseMeeting(log.get(), meeting, dataDir);
    if (std::holds_alternative<int>(chosen)) return std::get<int>(chosen);
    return use(*log, dataDir, std::get<std::string>(chosen));
  } catch (const store::StoreError& error) {
    std::cerr << "Journal des séances inutilisable / unusable event log: " << error.what() << "\n";
    return 1;
  }
}

int questionsCommand(const QuestionsArguments& arguments) {
  if (arguments.format != "csv" && arguments.format != "json") {
    std::cerr << "--format : format « " << arguments.format << " » inconnu, choisir csv ou json / unknown format \""
              << arguments.format << "\": choose csv or json\n";
    return 2;
  }
  return onMeeting(
      arguments.log, arguments.meeting,
      [&](const store::EventStore& log, const std::filesystem::path&, const std::string& meetingId) {
        std::vector<std::string> warnings;
        const auto meeting = replayMeeting(log, meetingId, &warnings);
        for (const auto& warning : warnings) std::cerr << "Attention / warning: " << warning << "\n";

        const auto& board = meeting.questions();
        const std::string text =
            arguments.format == "csv"
                ? core::questionsCsv(board)
                : core::questionsJson(board, meetingId).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                      "\n";
        const auto count = std::count_if(board.all().begin(), board.all().end(), [](const auto& entry) {
          return entry.second.status != core::QuestionStatus::Deleted;
        });
        if (arguments.out) {
          std::ofstream file(*arguments.out, std::ios::binary | std::ios::trunc);
          file.write(text.data(), static_cast<std::streamsize>(text.size()));
          file.close();
          if (!file) {
            std::cerr << "Impossible d'écrire / cannot write " << arguments.out->string() << "\n";
            return 1;
          }
        } else {
          std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
          std::cout.flush();
        }
        const auto file = arguments.out ? arguments.out->string() : std::string();
        std::cerr << count << " question(s) de la séance " << meetingId << " exportée(s)"
                  << (file.empty() ? "" : " vers " + file) << " / " << count << " question(s) of meeting " << meetingId
                  << " exported" << (file.empty() ? "" : " to " + file) << "\n";
        return 0;
      });
}

int exportCommand(const ExportArguments& arguments) {
  return onMeeting(
      arguments.log, arguments.meeting,
      [&](const store::EventStore& log, const std::filesystem::path& dataDir, const std::string& meetingId) {
        const auto out = arguments.out.value_or(defaultExportDir(dataDir, meetingId));
        try {
          const auto result = exportMeeting(log, meetingId, {out, arguments.clips});
          for (const auto& warning : result.warnings) std::cerr << "Attention / warning: " << warning << "\n";
          std::cout << "Séance " << meetingId << " exportée dans / meeting exported to " << out.string() << "\n";
          for (const auto& file : result.files) std::cout << "  " << file.filename().string() << "\n";
          return 0;
        } catch (const ExportError& error) {
          std::cerr << "Export impossible / export failed: " << error.what() << "\n";
          return 1;
        }
      });
}

int tokensCommand(const std::optional<std::filesystem::path>& dataDir, bool rotateThem) {
  const auto dir = dataDir ? *dataDir : defaultDataDir();
  try {
    const auto tokens = rotateThem ? Tokens::rotate(dir) : Tokens::loadOrCreate(dir);
    if (rotateThem)
      std::cout << "Nouveaux jetons : les anciens liens ne marchent plus / new tokens: old links stop working\n";
    std::cout << "Jetons / tokens: " << (dir / "tokens.json").string() << "\n";
    for (auto role : {core::Role::Technician, core::Role::Moderator, core::Role::Mayor}) {
      std::cout << "  " << core::toString(role) << ": " << tokens.tokenOf(role).reveal() << "\n";
    }
    return 0;
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
}

int devicesCommand() {
  try {
    auto devices = media::listCaptureDevices();
    if (devices.empty()) {
      std::cout << "Aucun périphérique de capture trouvé / no capture device found\n";
      return 0;
    }
    for (const auto& device : devices) {
      std::cout << device.kind << "\t" << device.name;
      if (!device.sourceSpec.empty()) std::cout << "\t--source " << device.sourceSpec;
      std::cout << "\n";
    }
    return 0;
  } catch (const media::MediaError& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
}

}  // namespace tribune::app
