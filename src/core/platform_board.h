#pragma once
// The platforms as the hub sees them (issue 20): each configured platform's account and
// live as last reported by the adapter (src/platforms), the YouTube quota, the audience,
// and the decisions: which orders a command gives the adapter (link, prepare, end), what
// happens at broadcast.start (lives prepared where auto_create is set) and at "terminée"
// (lives ended), and which destination a ready live feeds. Pure: the hub hands in what the
// adapter reported and carries out the orders.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/chat_poller.h"
#include "core/config.h"
#include "core/platform_account.h"
#include "core/publish_url.h"

namespace tribune::core {

enum class PlatformAction { link, unlink, prepare, end, pollAudience, watch };
std::string_view toString(PlatformAction action);

struct PlatformOrder {
  PlatformOrder(PlatformId p = PlatformId::youtube, PlatformAction a = PlatformAction::link, std::string live = {})
      : platform(p), action(a), liveId(std::move(live)) {}
  PlatformId platform = PlatformId::youtube;
  PlatformAction action = PlatformAction::link;
  std::string liveId;  // watch: the live made by hand whose chat is read
  friend bool operator==(const PlatformOrder&, const PlatformOrder&) = default;
};

struct PlatformAccountStatus {
  AccountState state = AccountState::notLinked;
  std::string accountName;
  std::string userCode;
  std::string verificationUrl;
  std::optional<WallTime> codeExpiresAt;
  std::string why;  // French
  std::string whyEnglish;
};

struct PlatformLiveStatus {
  std::string state = "none";  // none, preparing, ready, failed, ended
  std::string id;
  std::string publicUrl;
  std::string title;
  std::string error;  // French
  std::string errorEnglish;
  // The destination the live feeds, once ready; the pasted key's destination it replaced
  // or falls back on.
  std::string destination;
  bool chaptersWritten = false;
};

struct PlatformQuotaStatus {
  int used = 0;
  int remaining = 0;
  int daily = 0;
  bool exhausted = false;
  WallTime nextReset{};
};

// What a ready live does to the destinations: a destination of that platform from the
// configuration (the pasted key) gets the live's address instead; otherwise a new one,
// named after the platform, is added.
struct LiveDestination {
  std::string name;
  bool replace = false;  // true: an existing destination's URL is replaced
  PublishUrl url;
};

class PlatformBoard {
 public:
  // `destinations`: the configuration's, whose pasted keys are the fallback of a live that
  // could not be prepared.
  PlatformBoard(const PlatformsSettings& settings, const std::vector<DestinationSettings>& destinations);

  [[nodiscard]] bool configured(PlatformId platform) const;
  [[nodiscard]] bool any() const { return !platforms_.empty(); }

  // Commands (technician). A refusal is a French message naming what is wrong.
  std::optional<std::string> link(std::string_view platform);
  std::optional<std::string> unlink(std::string_view platform);
  // Every linked platform when `platform` is empty.
  std::optional<std::string> prepare(std::string_view platform);
  std::optional<std::string> end();
  // Reads the chat of a live made by hand (issue 21): `liveId` as core::liveIdFromAddress gives it.
  std::optional<std::string> watch(std::string_view platform, std::string liveId);
  // After a command succeeded: broadcast.start prepares the auto_create lives (and so does
  // an account linked while the broadcast runs), broadcast.stop stops that, session.end
  // ("terminée") ends the lives. The hub's own start at launch is a broadcast.start.
  void commandDone(std::string_view type);
  // From the hub's tick: the audience is read every `interval` while a live is ready.
  void tick(WallTime now);
  std::vector<PlatformOrder> takeOrders();

  // What the adapter reported.
  void account(PlatformId platform, PlatformAccountStatus status);
  void live(PlatformId platform, PlatformLiveStatus status);
  void quota(PlatformQuotaStatus status);
  void viewers(PlatformId platform, long long viewers, WallTime now);
  // The chat's reader: its state, and how many messages it brought and became questions.
  void chat(PlatformId platform, ChatStatus status);
  void chatCounts(PlatformId platform, std::uint64_t received, std::uint64_t questions);

  // Where a ready live's ingest goes (see LiveDestination); an error naming what is wrong
  // with the address the platform gave.
  struct LiveDestinationResult {
    std::optional<LiveDestination> destination;
    std::string error;
  };
  LiveDestinationResult destinationFor(PlatformId platform, const std::string& ingestUrl, const Secret& key,
                                       const std::vector<DestinationSettings>& existing);

  // The console's view (no token, no key), /metrics, and the meeting's audience record.
  [[nodiscard]] nlohmann::json toJson() const;
  [[nodiscard]] std::string metrics() const;
  [[nodiscard]] nlohmann::json audience() const;

 private:
  struct Entry {
    PlatformId id;
    bool autoCreate = false;
    PlatformAccountStatus account;
    PlatformLiveStatus live;
    std::optional<long long> viewers;
    // One figure a minute: minute since the first figure → viewers (the last of that minute).
    std::map<long long, long long> perMinute;
    long long peak = 0;
    bool pastedKey = false;  // a destination of the configuration for this platform
    std::optional<ChatStatus> chat;
    std::uint64_t chatReceived = 0;
    std::uint64_t chatQuestions = 0;
  };
  Entry* find(std::string_view platform);
  Entry* find(PlatformId platform);
  [[nodiscard]] const Entry* find(PlatformId platform) const;
  std::optional<std::string> unknown(std::string_view platform) const;

  std::vector<Entry> platforms_;
  std::chrono::seconds audienceInterval_;
  std::optional<PlatformQuotaStatus> quota_;
  std::optional<WallTime> audienceStart_;
  std::optional<WallTime> lastAudienceAt_;
  std::vector<PlatformOrder> orders_;
  bool broadcasting_ = false;
};

}  // namespace tribune::core
