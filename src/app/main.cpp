// tribune: command line entry point. Parsing only; the commands live in app/commands.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "app/commands.h"

int main(int argc, char** argv) {
  CLI::App cli{"Tribune — retransmission des conseils municipaux / council meetings live"};
  cli.set_version_flag("--version", std::string("tribune ") + TRIBUNE_VERSION);
  cli.require_subcommand(1);

  tribune::app::RunArguments run;
  std::string config;
  std::string dataDir;
  std::string source;
  int stopAfter = 0;
  auto* runCmd = cli.add_subcommand("run", "Capture, encode once, record and restream");
  runCmd->add_option("--config", config, "tribune.json")->check(CLI::ExistingFile);
  runCmd->add_option("--data-dir", dataDir, "where recordings and state go");
  runCmd->add_option("--source", source, "test | file:PATH | v4l2:/dev/videoN | rtsp://… | srt://… | decklink:N");
  runCmd->add_option("--destination", run.destinations,
                     "NAME=rtmp[s]://…/KEY or youtube=KEY, facebook=KEY, twitch=KEY");
  runCmd->add_option("--stop-after", stopAfter, "stop cleanly after this many seconds")->check(CLI::PositiveNumber);
  std::string logLevel;
  runCmd->add_option("--log-level", logLevel, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  tribune::app::RunArguments serve;
  std::string serveConfig;
  std::string serveDataDir;
  std::string serveSource;
  std::string serveLogLevel;
  auto* serveCmd = cli.add_subcommand(
      "serve", "The town hall's service: the console always up, each meeting started at its time (docs/INSTALL.md)");
  serveCmd->add_option("--config", serveConfig, "tribune.json")->check(CLI::ExistingFile);
  serveCmd->add_option("--data-dir", serveDataDir, "where recordings, the schedule and state go");
  serveCmd->add_option("--source", serveSource, "as for run");
  serveCmd->add_option("--destination", serve.destinations, "as for run");
  serveCmd->add_option("--log-level", serveLogLevel, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  std::string checkConfig;
  bool probe = false;
  auto* checkCmd = cli.add_subcommand("check", "Validate the configuration (and --probe the destinations)");
  checkCmd->add_option("--config", checkConfig, "tribune.json")->check(CLI::ExistingFile);
  checkCmd->add_flag("--probe", probe, "try to publish to each destination");
  bool preflight = false;
  bool preflightJson = false;
  auto* preflightFlag = checkCmd->add_flag("--preflight", preflight,
                                           "the check before a meeting: destinations, uplink, disk, clock "
                                           "(docs/PREFLIGHT.md)");
  checkCmd->add_flag("--json", preflightJson, "the --preflight report as JSON")->needs(preflightFlag);

  auto* devicesCmd = cli.add_subcommand("devices", "List capture devices");

  tribune::app::EdgeArguments edge;
  std::string edgeConfig;
  int edgePort = -1;
  std::string edgeLogLevel;
  auto* edgeCmd = cli.add_subcommand("edge", "Serve the public pages on the internet (docs/EDGE.md)");
  edgeCmd->add_option("--config", edgeConfig, "edge.json")->required()->check(CLI::ExistingFile);
  edgeCmd->add_option("--port", edgePort, "listen on this port instead of web.port (0: any free port)")
      ->check(CLI::Range(0, 65535));
  edgeCmd->add_option("--log-level", edgeLogLevel, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  auto* edgeSecretCmd =
      cli.add_subcommand("edge-secret", "Print a new random secret pairing the town hall with its edges");

  std::string tokensDataDir;
  bool rotate = false;
  auto* tokensCmd = cli.add_subcommand("tokens", "Show the technician's, moderator's and mayor's tokens");
  tokensCmd->add_option("--data-dir", tokensDataDir, "where tokens.json is");
  tokensCmd->add_flag("--rotate", rotate, "replace every token: the old links stop working");

  tribune::app::LogArguments purge;
  std::string purgeConfig;
  std::string purgeDataDir;
  bool dryRun = false;
  auto* purgeCmd = cli.add_subcommand("purge", "Delete the questions past questions.retention_days from the log");
  purgeCmd->add_option("--config", purgeConfig, "tribune.json")->check(CLI::ExistingFile);
  purgeCmd->add_option("--data-dir", purgeDataDir, "where the event log is");
  purgeCmd->add_flag("--dry-run", dryRun, "only count what would be deleted");

  tribune::app::LogArguments accounts;
  std::string accountsConfig;
  std::string accountsDataDir;
  std::string accountsAction;
  std::string accountsPlatform;
  auto* accountsCmd =
      cli.add_subcommand("accounts", "Link the commune's YouTube, Facebook or PeerTube account (docs/PLATFORMS.md)");
  accountsCmd->add_option("action", accountsAction, "link, unlink or status")
      ->required()
      ->check(CLI::IsMember({"link", "unlink", "status"}));
  accountsCmd->add_option("platform", accountsPlatform, "youtube, facebook or peertube")
      ->required()
      ->check(CLI::IsMember({"youtube", "facebook", "peertube"}));
  accountsCmd->add_option("--config", accountsConfig, "tribune.json")->check(CLI::ExistingFile);
  accountsCmd->add_option("--data-dir", accountsDataDir, "where accounts.json is kept");

  tribune::app::QuestionsArguments questions;
  std::string questionsConfig;
  std::string questionsDataDir;
  std::string meeting;
  std::string out;
  auto* questionsCmd = cli.add_subcommand("questions", "Export a meeting's questions for the written replies");
  questionsCmd->add_option("--config", questionsConfig, "tribune.json")->check(CLI::ExistingFile);
  questionsCmd->add_option("--data-dir", questionsDataDir, "where the event log is");
  questionsCmd->add_option("--meeting", meeting, "meeting id (default: the last one of the log)");
  questionsCmd->add_option("--format", questions.format, "csv (default) or json");
  questionsCmd->add_option("--out", out, "file to write (default: standard output)");

  tribune::app::ExportArguments exportArgs;
  std::string exportConfig;
  std::string exportDataDir;
  std::string exportMeeting;
  std::string exportOut;
  auto* exportCmd =
      cli.add_subcommand("export", "Write a meeting's replay (chaptered MP4), chapters, data and questions");
  exportCmd->add_option("--config", exportConfig, "tribune.json")->check(CLI::ExistingFile);
  exportCmd->add_option("--data-dir", exportDataDir, "where the event log is");
  exportCmd->add_option("--meeting", exportMeeting, "meeting id (default: the last one of the log)");
  exportCmd->add_option("--out", exportOut, "folder to write (default: DATA/exports/MEETING)");
  exportCmd->add_flag("--clips", exportArgs.clips, "also one MP4 per agenda item");

  CLI11_PARSE(cli, argc, argv);
  try {
    if (runCmd->parsed()) {
      if (!config.empty()) run.config = config;
      if (!dataDir.empty()) run.dataDir = dataDir;
      if (!source.empty()) run.source = source;
      if (stopAfter > 0) run.stopAfterSeconds = stopAfter;
      if (!logLevel.empty()) run.logLevel = logLevel;
      return tribune::app::runCommand(run);
    }
    if (serveCmd->parsed()) {
      if (!serveConfig.empty()) serve.config = serveConfig;
      if (!serveDataDir.empty()) serve.dataDir = serveDataDir;
      if (!serveSource.empty()) serve.source = serveSource;
      if (!serveLogLevel.empty()) serve.logLevel = serveLogLevel;
      return tribune::app::serveCommand(serve);
    }
    if (checkCmd->parsed()) {
      std::optional<std::filesystem::path> file;
      if (!checkConfig.empty()) file = checkConfig;
      return tribune::app::checkCommand(file, probe, {preflight, preflightJson});
    }
    if (devicesCmd->parsed()) return tribune::app::devicesCommand();
    if (edgeCmd->parsed()) {
      edge.config = edgeConfig;
      if (edgePort >= 0) edge.port = edgePort;
      if (!edgeLogLevel.empty()) edge.logLevel = edgeLogLevel;
      return tribune::app::edgeCommand(edge);
    }
    if (edgeSecretCmd->parsed()) return tribune::app::edgeSecretCommand();
    if (accountsCmd->parsed()) {
      if (!accountsConfig.empty()) accounts.config = accountsConfig;
      if (!accountsDataDir.empty()) accounts.dataDir = accountsDataDir;
      return tribune::app::accountsCommand(accounts, accountsAction, accountsPlatform);
    }
    if (purgeCmd->parsed()) {
      if (!purgeConfig.empty()) purge.config = purgeConfig;
      if (!purgeDataDir.empty()) purge.dataDir = purgeDataDir;
      return tribune::app::purgeCommand(purge, dryRun);
    }
    if (questionsCmd->parsed()) {
      if (!questionsConfig.empty()) questions.log.config = questionsConfig;
      if (!questionsDataDir.empty()) questions.log.dataDir = questionsDataDir;
      if (!meeting.empty()) questions.meeting = meeting;
      if (!out.empty()) questions.out = out;
      return tribune::app::questionsCommand(questions);
    }
    if (exportCmd->parsed()) {
      if (!exportConfig.empty()) exportArgs.log.config = exportConfig;
      if (!exportDataDir.empty()) exportArgs.log.dataDir = exportDataDir;
      if (!exportMeeting.empty()) exportArgs.meeting = exportMeeting;
      if (!exportOut.empty()) exportArgs.out = exportOut;
      return tribune::app::exportCommand(exportArgs);
    }
    if (tokensCmd->parsed()) {
      std::optional<std::filesystem::path> dir;
      if (!tokensDataDir.empty()) dir = tokensDataDir;
      return tribune::app::tokensCommand(dir, rotate);
    }
  } catch (const std::exception& error) {
    std::cerr << "tribune: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
