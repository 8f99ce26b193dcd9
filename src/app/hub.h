#pragma once
// The hub: one Boost.Asio io_context thread that owns the core state (the Broadcast) and
// the media engine, and decides. Other threads never touch that state: GStreamer's
// threads post what they saw (MediaListener → asio::post), and public methods marked
// thread-safe post too.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/edge_link.h"
#include "app/export.h"
#include "app/tokens.h"
#include "core/agenda.h"
#include "core/broadcast.h"
#include "core/chat_intake.h"
#include "core/command_table.h"
#include "core/config.h"
#include "core/meeting.h"
#include "core/overlays.h"
#include "core/platform_board.h"
#include "core/question_intake.h"
#include "core/rate_limit.h"
#include "core/recording_space.h"
#include "media/engine.h"
#include "platforms/platform_service.h"
#include "store/event_store.h"
#include "web/web_server.h"

namespace tribune::app {

struct HubOptions {
  core::Config config;
  std::filesystem::path dataDir;
  std::filesystem::path shareDir;  // holds pipelines/ unless the config says otherwise
  std::optional<core::Agenda> agenda;
  std::optional<std::chrono::seconds> stopAfter;
  bool serveWeb = true;                // tests of the media alone may do without
  std::optional<int> webPortOverride;  // tests: 0 picks a free port
  bool handleSignals = false;          // SIGINT/SIGTERM stop cleanly (the executable)
  // `tribune serve` (issue 23, app/station.h): the station's web server, which outlives the
  // meeting (the station routes its connections here while the meeting runs); the planned
  // meeting's id in the event log; and whether the hub ends once the meeting is "terminée"
  // and exported, giving the machine back to standby.
  web::WebServer* sharedWeb = nullptr;
  std::optional<std::string> meetingId;
  bool endWhenMeetingEnds = false;
};

struct DestinationView {
  std::string name;
  std::string platform;
  std::string url;  // masked
  bool enabled = true;
  std::string phase;  // idle / connecting / live / retrying / failed
  int attempt = 0;
  int reconnects = 0;
  std::optional<double> nextTryInSeconds;
  std::string failureCode;    // last failure, "" if none
  std::string failureReason;  // French
  std::string failureAdvice;  // French: what to do
  std::string failureDetail;  // technical, redacted
  std::uint64_t bytesSent = 0;
  double bitrateKbps = 0;
  double uptimeSeconds = 0;
  std::uint64_t droppedBuffers = 0;
  // Seconds before the platform ends this live (Facebook: 8 h); none when the platform
  // has no limit or the destination never went live.
  std::optional<double> liveLeftSeconds;
  std::optional<double> liveLimitSeconds;  // the platform's limit (Facebook: 8 h), none when it has none
};

struct LayerView {
  std::string name;  // bug, qr, lower_third, slate
  bool visible = false;
  std::string templateName;
  std::string lastError;  // the last render failure of this layer, "" if none
};

struct HubSnapshot {
  bool running = false;
  std::uint64_t framesEncoded = 0;
  std::uint64_t framesDropped = 0;
  double cpuLoad = 0;         // process CPU seconds per second
  std::string recordingPath;  // the current (last) file
  std::uint64_t recordingBytes = 0;
  std::string recordingState;               // recording / paused / failed / off
  std::string recordingError;               // French / English, "" unless failed
  std::string recordingErrorDetail;         // technical, "" unless failed
  std::vector<std::string> recordingFiles;  // of this run, oldest first
  std::uint64_t recordingFailures = 0;
  std::optional<std::uint64_t> recordingFreeBytes;  // once measured
  std::uint64_t recordingNeededBytes = 0;           // for the rest of the expected meeting
  bool recordingLowSpace = false;
  // The replay export (issue 7): idle, running, done or failed; its folder, what it wrote,
  // its warnings and error (French).
  std::string exportState = "idle";
  std::string exportDir;
  std::vector<std::string> exportFiles;
  std::vector<std::string> exportWarnings;
  std::string exportError;
  std::vector<DestinationView> destinations;
  std::vector<LayerView> layers;
};

struct OverlayCommandResult {
  core::MeetingResult result;
  std::uint64_t changeId = 0;  // for graphicTiming(), 0 when refused
};

// Uniform numbers for backoff jitter from a real generator.
class SystemRandom final : public core::Random {
 public:
  double uniform() override { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }

 private:
  std::mt19937_64 engine_{std::random_device{}()};
};

class Hub final : private media::MediaListener,
                  private web::WebListener,
                  private platforms::PlatformListener,
                  private EdgeLinkListener {
 public:
  explicit Hub(HubOptions options);  // throws ConfigError / MediaError / StoreError on a bad set-up
  ~Hub() override;
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Starts the program, the recording and the destinations, then runs the hub loop on
  // the calling thread until stop. Returns the process exit code.
  int run();
  // Thread-safe.
  void requestStop();
  HubSnapshot snapshot();
  core::CommandResult retryNow(const std::string& destination);
  core::CommandResult setEnabled(const std::string& destination, bool enabled);
  OverlayCommandResult showOverlay(core::Layer layer, const std::string& templateName, core::OverlayValues values);
  OverlayCommandResult updateOverlay(core::Layer layer, const core::OverlayValues& values);
  OverlayCommandResult hideOverlay(core::Layer layer);
  std::optional<media::GraphicTiming> graphicTiming(std::uint64_t changeId);
  // A command as a client would send it; the future is fulfilled once its events are
  // durable (or at once when refused or when it changed nothing).
  std::future<core::DispatchResult> submit(core::Role role, core::Request request);
  nlohmann::json meetingSnapshot();
  media::AudioLevels audioLevels();
  // The last loudness report (none before the first, a quarter of a second in).
  std::optional<media::LoudnessFigures> loudness();
  media::SourceStats sourceStats();
  // Test hook: wedges the encoder's input, as a stalled encoder would (issue 6).
  void simulateEncoderStall();
  // Test hook: the source's picture converted slowly for a while, as on a starved machine.
  void simulateSlowPicture(std::chrono::milliseconds perFrame, std::chrono::milliseconds duration);

  // The web server's port (0 when there is none), and the consoles' addresses.
  [[nodiscard]] int webPort() const;
  [[nodiscard]] std::string consoleUrl(core::Role role) const;
  // The web server's settings from the configuration (the station's server uses them too).
  static web::WebSettings webSettings(const HubOptions& options);
  // The station's web server hands this meeting's connections and requests here.
  web::WebListener& webListener() { return *this; }
  // After run(): whether the meeting reached "terminée" (else it was stopped before its end).
  [[nodiscard]] bool meetingEnded() const { return meetingEnded_; }

 private:
  // --- media::MediaListener (GStreamer threads: post only) ---
  void onOutputFailed(const std::string& output, std::uint64_t generation, core::Failure failure) override;
  void onProgramError(const std::string& detail) override;
  void onProgramSegmentDone() override;
  void onGraphicsError(int layer, std::uint64_t changeId, const std::string& message) override;
  void onAudioLevels(media::AudioLevels levels) override;
  void onPreview(std::string jpeg) override;
  void onLoudness(media::LoudnessFigures figures) override;
  void onSourceChanged(core::SourceTrack track, bool up, const std::string& reason) override;
  void onEncoderRebuilt(const std::string& detail) override;
  // --- web::WebListener (web thread: post only) ---
  void onOpen(web::ConnectionId connection, std::string peerAddress) override;
  void onMessage(web::ConnectionId connection, std::string text) override;
  void onClose(web::ConnectionId connection) override;
  void onHttpRequest(web::HttpRequest request) override;
  // --- platforms::PlatformListener (the platforms' workers: post only; hub_platforms.cpp) ---
  void onAccount(const platforms::AccountView& account) override;
  void onLive(const platforms::LiveView& live, const std::optional<core::Ingest>& ingest) override;
  void onViewers(core::PlatformId platform, long long viewers) override;
  void onQuota(const platforms::QuotaView& quota) override;
  void onChatStatus(core::PlatformId platform, const core::ChatStatus& status) override;
  void onChatMessages(const platforms::ChatBatch& batch) override;
  // Questions from the platforms (issue 21): the batch's messages through the chat intake
  // into the board, its withdrawn messages' pending questions deleted, then the log.
  void takeChatBatch(const platforms::ChatBatch& batch);
  // After a moderator's or the mayor's answered / written reply on a platform question
  // (platforms.reply_when_answered): the reply posted under it.
  void replyOnPlatforms(const std::vector<core::MeetingEvent>& events);
  // After an export, with platforms.youtube.chapters_in_description: its chapters into the
  // YouTube video's description.
  void writeChaptersToPlatforms(const std::string& chapters);
  // As the session closes: the lives' audience so far into the log (seance.json).
  void recordAudience(std::vector<core::MeetingEvent>& events);
  // The board's orders to the platforms' adapter (after a command, a report, a tick).
  void carryOutPlatformOrders();
  // A ready live's ingest becomes a destination (or the pasted key's destination's address).
  void feedLive(core::PlatformId platform, const core::Ingest& ingest);
  // The lives the public may watch (the meeting page's players, issue 22):
  // [{"platform", "url"}] of each platform whose live is ready with an http(s) public address.
  [[nodiscard]] nlohmann::json publicLives() const;
  // After a platform's report: {"type": "lives"} to the viewers when that list changed.
  void publishLives();
  nlohmann::json sentLives_ = nlohmann::json::array();  // the list the viewers have

  template <typename F>
  auto onHub(F&& f) -> decltype(f());  // runs f on the hub thread and waits for its result
  void scheduleTick();
  void tick();
  void execute();
  void logChange(const core::PhaseChange& change);
  void carryOut(const core::MediaOrder& order);
  void logStatus() const;
  void stopNow();
  HubSnapshot makeSnapshot() const;

  // --- the meeting (hub_meeting.cpp) ---
  void openMeeting();
  // Runs a command; `done` gets the result once its events are durable.
  void command(const core::Caller& caller, const core::Request& request,
               std::function<void(core::DispatchResult)> done);
  // Side effects of new events (graphics, mute, recording pause), then the log, then `done`.
  void commit(std::vector<core::MeetingEvent> events, std::function<void(std::vector<std::uint64_t>)> done);
  void applyMediaState();
  void renderLayer(core::Layer layer, std::uint64_t changeId);
  void renderAllLayers();
  [[nodiscard]] std::map<std::string, std::string> layerValues(core::Layer layer, const core::OverlayValues& own) const;
  void prerenderSlates();
  void warmTemplates();
  void refreshClock();
  OverlayCommandResult overlayCommand(core::MeetingResult result);

  // --- the source (hub_source.cpp) ---
  // The source's status for the console ("source" of the status message).
  [[nodiscard]] nlohmann::json sourceJson() const;
  [[nodiscard]] std::string sourceMetrics() const;

  // --- the clients (hub_clients.cpp) ---
  struct Client {
    std::optional<core::Role> role;  // set by hello
    std::string peer;
    std::string viewer;  // a viewer's browser id (docs/QUESTIONS.md), set by hello
  };
  void startWeb();
  void handleMessage(web::ConnectionId connection, const std::string& text);
  void handleHttp(const web::HttpRequest& request);
  void publish(const std::vector<core::MeetingEvent>& events, const std::vector<std::uint64_t>& seqs);
  // The viewers' questions go out as per-role views, never as raw events.
  void publishQuestions(const std::vector<core::MeetingEvent>& events, const std::vector<std::uint64_t>& seqs);
  void sendQuestionViews(const std::vector<web::ConnectionId>& to, const std::vector<std::uint64_t>& ids,
                         std::uint64_t seq, bool resuming);
  void rememberQuestionsSent();  // what the clients know of the questions, after openMeeting()
  [[nodiscard]] std::string queueMessage(core::Role role, std::uint64_t seq) const;
  [[nodiscard]] nlohmann::json queueJson(core::Role role, std::uint64_t seq) const;
  [[nodiscard]] nlohmann::json clientSnapshot(core::Role role, const std::string& viewer = {}) const;
  void purgeQuestions();
  [[nodiscard]] nlohmann::json statusJson() const;
  [[nodiscard]] nlohmann::json platformsJson() const;
  [[nodiscard]] std::string metricsText() const;
  void pushStatus();
  [[nodiscard]] std::vector<web::ConnectionId> clientsWithRole(std::optional<core::Role> role) const;

  // The public edge (issue 22; docs/EDGE.md): what viewers may see goes out on the link, the
  // viewers' questions and upvotes come back on it.
  void onEdgeLinkUp(std::uint64_t link, std::string edge) override;
  void onEdgeLinkDown(std::uint64_t link, std::string reason) override;
  void onEdgeForward(EdgeForward forward) override;
  void startEdgeLink();
  void sendEdgeFull();
  void edgePublish(std::uint64_t seq, const std::string& to, const nlohmann::json& message);
  void edgeQuestionViews(std::uint64_t id, std::uint64_t seq, bool isPublic, bool wasPublic);
  void takeEdgeForward(const EdgeForward& forward);
  [[nodiscard]] nlohmann::json edgeState(std::uint64_t seq) const;
  [[nodiscard]] nlohmann::json edgeJson() const;
  std::unique_ptr<EdgeLink> edgeLink_;  // none without `edge` in the configuration
  std::uint64_t edgeLinkUp_ = 0;        // the link up (hub thread), 0 when none
  std::uint64_t edgeForwarded_ = 0;     // viewers' messages logged through an edge

  HubOptions options_;
  boost::asio::io_context io_;
  boost::asio::steady_timer ticker_{io_};
  boost::asio::steady_timer stopTimer_{io_};
  SystemRandom random_;
  core::Broadcast broadcast_;
  core::Meeting meeting_;
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<media::MediaEngine> engine_;
  std::unique_ptr<web::WebServer> ownWeb_;  // after the engine: stopped first
  web::WebServer* web_ = nullptr;           // ownWeb_, or the station's (HubOptions::sharedWeb)
  // `tribune serve`: once "terminée" and its export done, the hub stops (endWhenMeetingEnds).
  void endIfMeetingEnded();
  bool meetingEnded_ = false;
  std::optional<Tokens> tokens_;
  // The platforms (issue 20): the board decides, the service talks to them on its threads.
  core::PlatformBoard platformBoard_;
  std::unique_ptr<platforms::PlatformService> platformService_;  // none when no platform is configured
  bool stopped_ = false;
  std::atomic<bool> looping_{false};

  struct Rate {  // bitrate from successive byte counts
    std::uint64_t bytes = 0;
    core::TimePoint at{};
    double kbps = 0;
  };
  std::map<std::string, Rate> rates_;
  std::map<std::string, std::uint64_t> generations_;  // current connection per destination
  double cpuLoad_ = 0;
  double lastCpuSeconds_ = 0;
  core::TimePoint lastCpuAt_{};
  core::TimePoint lastStatusAt_{};
  core::TimePoint lastPushAt_{};

  std::map<std::string, std::string> branding_;  // variables every template gets
  std::string clock_;                            // "HH:MM" on the bug
  std::uint64_t nextChangeId_ = 1;
  std::array<std::string, core::kLayerCount> layerErrors_;
  std::array<std::uint64_t, core::kLayerCount> lastLayerChange_{};  // for graphicTiming of commands
  media::AudioLevels levels_;                                       // latest meter reading
  std::string preview_;                                             // latest preview JPEG
  bool publicCut_ = false;
  bool recordingPaused_ = false;

  // --- The sound's loudness (hub_loudness.cpp) ---
  [[nodiscard]] core::LoudnessMode loudnessMode() const;  // the technician's choice, else the configuration's
  void applyLoudnessMode();                               // from applyMediaState()
  // As the session closes: the integrated loudness so far into the log (seance.json).
  void recordLoudness(std::vector<core::MeetingEvent>& events);
  [[nodiscard]] static nlohmann::json loudnessJson(const media::LoudnessFigures& figures);
  std::optional<media::LoudnessFigures> loudness_;  // the latest report
  std::optional<core::LoudnessMode> appliedLoudnessMode_;

  core::QuestionIntake questionIntake_;
  std::optional<core::ChatIntake> chatIntake_;           // questions from the platforms' chats
  std::set<std::uint64_t> publicQuestions_;              // questions the mayor and every viewer have seen
  std::vector<std::uint64_t> sentQueue_;                 // the queue the clients have
  std::array<std::size_t, 5> sentStaffState_{};          // the counters and pre-screening the staff have
  core::RateLimiter messageLimiter_{core::RateLimit{}};  // viewers' messages, per connection
  std::uint64_t refusedMessages_ = 0;                    // viewers' messages over the limits
  core::TimePoint lastPurgeAt_{};

  std::uint64_t lastSeq_ = 0;  // of the last durable event
  std::map<web::ConnectionId, Client> clients_;

  // --- The recording (hub_recording.cpp) ---
  // A failed disk (full, unwritable) stops the recording, never the broadcast: the hub
  // raises the alarm, probes the folder every 2 s off its thread, and starts a new file
  // when the disk is back. The free space is measured every few seconds against what the
  // rest of the expected meeting needs.
 public:
  // Thread-safe. The current (last) file, empty when the recording is off.
  [[nodiscard]] std::filesystem::path recordingPath();
  // Thread-safe. Every file of this run, oldest first (the replay joins them).
  [[nodiscard]] std::vector<std::filesystem::path> recordingFiles();

 private:
  struct DiskReading {  // from a probe thread
    std::optional<std::uint64_t> freeBytes;
    bool writable = false;  // a small file could be written and removed (when asked)
    std::string error;
  };
  void prepareRecording();    // the folder and the first file's name (constructor)
  void startRecordingFile();  // a new file; paused under huis clos
  void onRecordingFailed(std::uint64_t generation, const core::Failure& failure);
  void watchRecordingDisk(core::TimePoint now);  // from tick()
  void takeDiskReading(const DiskReading& reading, core::TimePoint now);
  [[nodiscard]] std::filesystem::path newRecordingName() const;
  // Runs on a probe thread: statvfs, and when `write`, a small file written and removed.
  static DiskReading readDisk(const std::filesystem::path& dir, bool write);
  void fillRecordingSnapshot(HubSnapshot& s, core::TimePoint now) const;
  // Once the current file's first key frame is known, the meeting records where the file
  // starts on the program's clock (recording_started): the replay is placed with it.
  void announceRecording();  // from tick()

  // --- The replay export (hub_export.cpp, app/export.h) ---
  // At "séance levée" and "terminée" the meeting is exported into DATA/exports/MEETING on a
  // thread of its own, at a low priority (the broadcast goes on); one at a time, a request
  // during an export runs once it is done. The destructor waits for it.
  void exportAfter(const std::vector<core::MeetingEvent>& events);
  void startExport();
  void joinExport();

  std::filesystem::path recordingDir_;
  std::filesystem::path recordingPath_;  // the current (last) file
  std::vector<std::filesystem::path> recordingFiles_;
  std::uint64_t recordingGeneration_ = 0;  // of the current file's output
  bool recordingFailed_ = false;
  std::string recordingErrorDetail_;
  std::uint64_t recordingFailures_ = 0;
  core::TimePoint recordingFileStartedAt_{};
  // Between write probes while the recording is failed: doubles while new files keep
  // failing soon after they start (a fault that is not the disk), back to 2 s otherwise.
  std::chrono::seconds recordingRetryDelay_{core::kRecordingProbeFirst};
  core::TimePoint programStartedAt_{};
  core::TimePoint lastDiskCheckAt_{};
  std::future<DiskReading> diskCheck_;  // at most one probe in flight
  bool diskCheckWantsWrite_ = false;
  std::optional<std::uint64_t> recordingFreeBytes_;
  bool recordingLowSpace_ = false;
  bool recordingAnnounced_ = false;             // the current file's recording_started is logged
  std::optional<std::int64_t> programEpochMs_;  // wall clock at this run's program time 0

  std::thread exportThread_;
  bool exporting_ = false;    // hub thread: an export runs
  bool exportAgain_ = false;  // asked for while one ran
  std::string exportState_ = "idle";
  std::filesystem::path exportDir_;
  std::vector<std::string> exportFiles_;
  std::vector<std::string> exportWarnings_;
  std::string exportError_;
};

}  // namespace tribune::app
