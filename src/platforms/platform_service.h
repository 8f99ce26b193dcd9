#pragma once
// The platforms' accounts and lives (issue 20): a component the hub owns, with one worker
// thread per configured platform, so that a platform that hangs delays nothing but itself
// and never the picture. It links accounts (device flow, password grant), keeps their
// tokens (DATA/accounts.json, mode 0600), prepares a meeting's live on each linked platform
// and hands its ingest to the hub, ends the lives, and reads the audience. What each answer
// means is decided by the core (core/platform_account.h, core/quota_budget.h,
// core/live_plan.h); this side only talks HTTP. Results go up through PlatformListener,
// from the workers' threads: the hub posts them to its own thread.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/agenda.h"
#include "core/chat_poller.h"
#include "core/config.h"
#include "core/live_plan.h"
#include "core/platform_account.h"
#include "core/platform_chat.h"

namespace tribune::platforms {

struct AccountView {
  core::PlatformId platform = core::PlatformId::youtube;
  core::AccountState state = core::AccountState::notLinked;
  std::string accountName;  // as whom, once linked
  // While linking: what the technician types on a phone, and where.
  std::string userCode;
  std::string verificationUrl;
  std::optional<core::WallTime> codeExpiresAt;
  // Why it is not linked or must be reconnected (French, then English); empty when all is well.
  std::string why;
  std::string whyEnglish;
};

enum class LiveState { none, preparing, ready, failed, ended };
std::string_view toString(LiveState state);  // "none", "preparing", "ready", "failed", "ended"

struct LiveView {
  core::PlatformId platform = core::PlatformId::youtube;
  LiveState state = LiveState::none;
  std::string id;
  std::string publicUrl;
  std::string title;
  std::string error;  // French, when failed
  std::string errorEnglish;
  bool chaptersWritten = false;  // YouTube: the replay's chapters are in the description
};

struct QuotaView {
  int used = 0;
  int remaining = 0;
  int daily = 0;
  bool exhausted = false;
  core::WallTime nextReset{};
};

// What a live's chat or comments brought since the last batch (issue 21): messages not
// seen before, and YouTube's withdrawn ones. Once the hub has kept what it takes from them
// (its event log committed), it says so with chatKept(platform, sequence), and only then
// is the batch's cursor written down: a kill -9 in between reads them again after the
// restart, and the questions' origin ids make the second reading change nothing.
struct ChatBatch {
  core::PlatformId platform = core::PlatformId::youtube;
  std::uint64_t sequence = 0;
  std::vector<core::ChatMessage> messages;
  std::vector<std::string> deletedIds;
};

class PlatformListener {
 public:
  virtual ~PlatformListener() = default;
  virtual void onAccount(const AccountView& account) = 0;
  // A live's state; `ingest` once ready (the key: for the destination only, never shown).
  virtual void onLive(const LiveView& live, const std::optional<core::Ingest>& ingest) = 0;
  virtual void onViewers(core::PlatformId platform, long long viewers) = 0;
  virtual void onQuota(const QuotaView& quota) = 0;
  // The chat's reader: its state for the console (French, English).
  virtual void onChatStatus(core::PlatformId platform, const core::ChatStatus& status) = 0;
  virtual void onChatMessages(const ChatBatch& batch) = 0;
};

// What the lives are made from.
struct MeetingForLives {
  std::string key;  // the meeting's identity: a live prepared for the same key is reused
  core::MeetingInfo info;
  std::vector<core::AgendaItem> items;
  std::string questionsUrl;
};

class PlatformService {
 public:
  PlatformService(const core::Config& config, std::filesystem::path dataDir, PlatformListener& listener);
  ~PlatformService();  // cancels the calls under way and joins the workers
  PlatformService(const PlatformService&) = delete;
  PlatformService& operator=(const PlatformService&) = delete;

  [[nodiscard]] bool configured(core::PlatformId platform) const;
  [[nodiscard]] std::vector<core::PlatformId> platforms() const;

  // Thread-safe; each returns at once, the work is done on the platform's worker.
  void start();  // reads the kept accounts and lives and reports them
  void link(core::PlatformId platform);
  void unlink(core::PlatformId platform);
  void prepare(const MeetingForLives& meeting);  // every linked platform
  void prepare(core::PlatformId platform, const MeetingForLives& meeting);
  void endLives();
  void pollAudience();  // each ready live's viewers, once
  // The replay's chapters ("00:00 Titre" lines) into the YouTube video's description.
  void writeChapters(std::string chapters);

  // --- Questions from the platforms (issue 21) ---------------------------------------
  // A ready live's chat is read from then on (platforms.read_comments); this one reads
  // the chat of a live made by hand instead (the video's id, core::liveIdFromAddress).
  void watch(core::PlatformId platform, std::string liveId);
  // The hub kept batch `sequence` (and every one before it): its cursor may be written.
  void chatKept(core::PlatformId platform, std::uint64_t sequence);
  // Posts `text` in reply to message `messageId` (YouTube: in the live's chat).
  void reply(core::PlatformId platform, std::string messageId, std::string text);

 private:
  class Worker;
  std::map<core::PlatformId, std::unique_ptr<Worker>> workers_;
};

}  // namespace tribune::platforms
