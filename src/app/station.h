#pragma once
// `tribune serve` (issue 23): the town hall's appliance. The station keeps the web server
// up all week (the console, the public pages) and the schedule of prepared meetings
// (DATA/schedule.json, core/schedule.h); capture and encoding run only while a meeting
// does. At a planned meeting's time less the lead (session.start_lead_minutes), or when the
// technician starts it by hand, the station builds a Hub for it, hands it the web server's
// connections, and runs it on a thread of its own; once the meeting is "terminée" and
// exported (or stopped by hand), the hub ends and the station is back in standby. A
// machine stopped during a meeting (reboot, service restart) resumes it when it comes back.
//
// Threads: the station's own io_context (the schedule, the REST API of the schedule, the
// standby websocket answers); the web server's thread, which only routes (to the running
// hub, or posts to the station); the hub's thread while a meeting runs.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/hub.h"
#include "app/probe_desk.h"
#include "app/settings_store.h"
#include "app/tokens.h"
#include "core/download_tickets.h"
#include "core/schedule.h"
#include "web/web_server.h"

namespace tribune::app {

struct StationOptions {
  HubOptions hub;  // what every meeting's hub starts from (agenda and meeting id set per meeting)
  bool handleSignals = true;
  // Where the console's settings apply (app/settings_store.h): tribune.json, none for the
  // embedded defaults; and --source, which outlives a reload of the settings.
  std::optional<std::filesystem::path> configFile;
  std::optional<std::string> sourceOverride;
};

class Station final : private web::WebListener, private ProbeDeskListener {
 public:
  // Loads DATA/schedule.json (throws std::runtime_error naming it when damaged) and listens.
  explicit Station(StationOptions options);
  ~Station() override;
  Station(const Station&) = delete;
  Station& operator=(const Station&) = delete;

  int run();           // until SIGINT/SIGTERM or requestStop(); a running meeting stays "running"
  void requestStop();  // thread-safe

  [[nodiscard]] int webPort() const { return web_->port(); }
  [[nodiscard]] std::string consoleAddress() const;  // without a token

 private:
  // --- web::WebListener (web thread): route to the running hub, or post to the station ---
  void onOpen(web::ConnectionId connection, std::string peerAddress) override;
  void onMessage(web::ConnectionId connection, std::string text) override;
  void onClose(web::ConnectionId connection) override;
  void onHttpRequest(web::HttpRequest request) override;

  // --- the station's thread ---
  void scheduleTick();
  void tick();
  void startMeeting(const std::string& planId);
  void hubEnded(const std::string& error);  // error: why run() threw, "" when it returned
  void stopEverything();
  void handleApi(const web::HttpRequest& request);
  // /api/settings… (station_settings.cpp): the console's settings page.
  void handleSettings(const web::HttpRequest& request);
  void handleStandbyMessage(web::ConnectionId connection, const std::string& text);
  void saveSchedule();
  void setStandbyHealth();
  // Every connection of `generation` is closed: its pages reconnect to whoever serves now.
  void closeGeneration(std::uint64_t generation, const std::string& reason);
  [[nodiscard]] nlohmann::json scheduleJson() const;
  // A started meeting's replay files (DATA/exports/LOG_ID, docs/EXPORT.md) by their path in
  // that folder, with their size; questions past their retention are deleted, not listed.
  std::map<std::string, std::uint64_t> exportFiles(const core::PlannedMeeting& plan);
  [[nodiscard]] std::int64_t leadMs() const;

  // --- "Vérifier avant la séance" (app/probe_desk.h): POST /api/preflight and
  // /api/destinations/NAME/test, answered once the desk reports (station.cpp, at its end) ---
  static bool isProbeDeskPath(const std::string& path);
  void handleProbeDeskApi(const web::HttpRequest& request);
  void onPreflightDone(std::uint64_t job, core::PreflightReport report) override;  // desk thread: posts
  void onDestinationTested(std::uint64_t job, DestinationTest test) override;      // desk thread: posts

  StationOptions options_;
  std::optional<SettingsStore> settings_;
  core::Config startedWith_;  // the configuration the web server started with (what needs a restart)
  std::filesystem::path scheduleFile_;
  core::Schedule schedule_;
  std::optional<Tokens> tokens_;
  core::DownloadTickets downloadTickets_;  // one-time links to a past meeting's files
  boost::asio::io_context io_;
  boost::asio::steady_timer ticker_{io_};
  std::optional<boost::asio::signal_set> signals_;

  // Who serves each connection: the generation it opened in (standby or a meeting).
  mutable std::mutex routeMutex_;
  Hub* routedHub_ = nullptr;                           // guarded: the running meeting's hub, none in standby
  std::uint64_t generation_ = 1;                       // guarded: +1 at each change between standby and a meeting
  std::map<web::ConnectionId, std::uint64_t> owners_;  // guarded

  std::unique_ptr<Hub> hub_;  // the running meeting (station thread)
  std::thread hubThread_;
  std::string runningPlan_;
  bool stopByHand_ = false;
  bool stopping_ = false;                                                  // the station itself stops (signal)
  std::map<web::ConnectionId, std::optional<core::Role>> standbyClients_;  // station thread

  std::unique_ptr<ProbeDesk> probeDesk_;  // its jobs' answers go through web_ (request id = job)
  std::unique_ptr<web::WebServer> web_;   // last member: destroyed first, nothing routes to a dying station
};

}  // namespace tribune::app
