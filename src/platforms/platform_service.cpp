#include "platforms/platform_service.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "core/platform_chat.h"
#include "core/platform_identity.h"
#include "core/quota_budget.h"
#include "core/youtube_chapters.h"
#include "platforms/http_client.h"

namespace tribune::platforms {

namespace {

using Json = nlohmann::json;
using core::AccountState;
using core::AnswerKind;
using core::ApiAnswer;
using core::PlatformId;
using core::WallClock;
using core::WallTime;
using SteadyClock = std::chrono::steady_clock;

// How often a failed preparation is tried again, and how many times.
constexpr std::chrono::seconds kPrepareRetry{5};
constexpr int kPrepareAttempts = 6;

// How many message ids a chat's reader remembers (in memory, and the last kKeptSeen in its
// cursor file): Facebook's one-second overlap and YouTube's replays fall well within.
constexpr std::size_t kSeenMemory = 5000;
constexpr std::size_t kKeptSeen = 500;
// YouTube's streamList: the longest an answer may stay open (YouTube closes it after ~10 s,
// its RPC deadline is 30 s), and how many failures of the stream itself before the list is
// read instead.
constexpr std::chrono::seconds kStreamDeadline{45};
constexpr int kStreamFailuresBeforeList = 2;
// An unchanged chat record is written again this often (its time: the resume window below).
constexpr std::chrono::minutes kChatRewriteEvery{10};
// A chat read less than this long before a restart is read on after it.
constexpr std::chrono::seconds kChatResumeWithin{12 * 3600};
// Messages asked per call: YouTube's most (its default is 500), Graph's and PeerTube's most.
constexpr int kYouTubeChatPage = 2000;
constexpr int kFacebookCommentsPage = 100;
constexpr int kPeerTubeCommentsPage = 100;

class SystemRandom final : public core::Random {
 public:
  double uniform() override { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }

 private:
  std::mt19937_64 engine_{std::random_device{}()};
};

std::int64_t unixSeconds(WallTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}
WallTime fromUnix(std::int64_t seconds) { return WallTime{std::chrono::seconds{seconds}}; }

// A file of the data folder only its owner reads: written to a temporary file created
// 0600, flushed, renamed over the old one.
void writePrivateFile(const std::filesystem::path& file, const std::string& text) {
  const auto temporary = file.string() + ".tmp";
  const mode_t old = ::umask(077);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      ::umask(old);
      throw std::runtime_error("cannot write " + temporary);
    }
  }
  ::umask(old);
  std::filesystem::permissions(temporary, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  std::filesystem::rename(temporary, file);
}

Json readJsonFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Json::object();
  std::stringstream text;
  text << in.rdbuf();
  auto document = Json::parse(text.str(), nullptr, false);
  return document.is_object() ? document : Json::object();
}

// accounts.json and lives.json: one object per platform, shared by the workers.
class PrivateStore {
 public:
  explicit PrivateStore(std::filesystem::path file) : file_(std::move(file)) {}
  Json get(std::string_view platform) {
    std::lock_guard lock(mutex_);
    const auto document = readJsonFile(file_);
    const auto found = document.find(std::string(platform));
    return found != document.end() && found->is_object() ? *found : Json();
  }
  void put(std::string_view platform, const Json& value) {
    std::lock_guard lock(mutex_);
    auto document = readJsonFile(file_);
    if (value.is_null()) {
      document.erase(std::string(platform));
    } else {
      document[std::string(platform)] = value;
    }
    writePrivateFile(file_, document.dump(2) + "\n");
  }

 private:
  std::filesystem::path file_;
  std::mutex mutex_;
};

Json tokensToJson(const core::AccountTokens& tokens) {
  Json out{{"access_token", tokens.accessToken.reveal()},
           {"refresh_token", tokens.refreshToken.reveal()},
           {"account_name", tokens.accountName},
           {"account_id", tokens.accountId}};
  if (tokens.accessExpiry) out["access_expiry"] = unixSeconds(*tokens.accessExpiry);
  if (tokens.refreshExpiry) out["refresh_expiry"] = unixSeconds(*tokens.refreshExpiry);
  return out;
}

std::optional<core::AccountTokens> tokensFromJson(const Json& in) {
  if (!in.is_object() || !in.contains("access_token") || !in["access_token"].is_string()) return std::nullopt;
  core::AccountTokens tokens;
  tokens.accessToken = core::Secret(in["access_token"].get<std::string>());
  if (in.contains("refresh_token") && in["refresh_token"].is_string()) {
    tokens.refreshToken = core::Secret(in["refresh_token"].get<std::string>());
  }
  if (in.contains("account_name") && in["account_name"].is_string()) tokens.accountName = in["account_name"];
  if (in.contains("account_id") && in["account_id"].is_string()) tokens.accountId = in["account_id"];
  if (in.contains("access_expiry") && in["access_expiry"].is_number_integer()) {
    tokens.accessExpiry = fromUnix(in["access_expiry"].get<std::int64_t>());
  }
  if (in.contains("refresh_expiry") && in["refresh_expiry"].is_number_integer()) {
    tokens.refreshExpiry = fromUnix(in["refresh_expiry"].get<std::int64_t>());
  }
  return tokens;
}

std::string text(const Json& in, const char* name) {
  const auto found = in.is_object() ? in.find(name) : in.end();
  return in.is_object() && found != in.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

std::string_view toString(LiveState state) {
  switch (state) {
    case LiveState::none: return "none";
    case LiveState::preparing: return "preparing";
    case LiveState::ready: return "ready";
    case LiveState::failed: return "failed";
    case LiveState::ended: return "ended";
  }
  return "none";
}

// ---------------------------------------------------------------------------------------
// One platform: its thread, its timed tasks, its account and its live. Everything below
// runs on the worker's thread but the public posting functions.
class PlatformService::Worker {
 public:
  Worker(PlatformId platform, const core::Config& config, std::shared_ptr<PrivateStore> accounts,
         std::shared_ptr<PrivateStore> lives, std::shared_ptr<PrivateStore> chats, PlatformListener& listener)
      : platform_(platform),
        config_(config.platforms),
        http_(HttpSettings{config.platforms.requestTimeout, std::chrono::seconds{10}, config.network.proxy}),
        accounts_(std::move(accounts)),
        lives_(std::move(lives)),
        listener_(listener),
        quota_(config.platforms.youtube ? config.platforms.youtube->quota : core::QuotaSettings{}),
        expectedDuration_(config.recording.expectedDuration),
        chats_(std::move(chats)),
        poller_(platform, config.platforms.chat) {
    thread_ = std::thread([this] { loop(); });
  }

  ~Worker() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    http_.cancel();
    wake_.notify_all();
    thread_.join();
  }

  void post(std::function<void()> task, std::chrono::milliseconds delay = std::chrono::milliseconds{0}) {
    {
      std::lock_guard lock(mutex_);
      tasks_.emplace(SteadyClock::now() + delay, std::move(task));
    }
    wake_.notify_all();
  }

  // --- tasks ---------------------------------------------------------------------------

  void start() {
    if (auto kept = tokensFromJson(accounts_->get(toString(platform_)))) {
      tokens_ = std::move(*kept);
      state_ = AccountState::linked;
    }
    const Json live = lives_->get(toString(platform_));
    if (live.is_object()) {
      live_ = live;
      liveView_.id = text(live, "id");
      liveView_.publicUrl = text(live, "public_url");
      liveView_.title = text(live, "title");
      // A live kept from an earlier run is reported once a meeting asks for it (prepare).
    }
    reportAccount();
    if (platform_ == PlatformId::youtube) reportQuota();
    // A chat being read when Tribune stopped (or was killed) is read on from its cursor,
    // unless its live ended or the reading is old (another meeting's).
    const Json chat = chats_->get(toString(platform_));
    if (!chat.is_object() || !live.is_object()) return;  // nothing was being read
    const auto readAt = chat.value("at", std::int64_t{0});
    if (state_ == AccountState::linked && !text(chat, "live").empty() && text(chat, "live") == text(live, "id") &&
        !live.value("ended", false) && unixSeconds(WallClock::now()) - readAt < kChatResumeWithin.count()) {
      startChat(text(chat, "live"));
    }
  }

  void link() {
    flow_.reset();
    ++linkGeneration_;
    switch (platform_) {
      case PlatformId::youtube:
      case PlatformId::facebook: startDeviceFlow(); break;
      case PlatformId::peertube: linkPeerTube(); break;
    }
  }

  void unlink() {
    flow_.reset();
    ++linkGeneration_;
    tokens_.reset();
    state_ = AccountState::notLinked;
    why_ = {};
    accounts_->put(toString(platform_), Json());
    reportAccount();
  }

  void prepare(const MeetingForLives& meeting, int attempt) {
    if (state_ != AccountState::linked || !tokens_) {
      return failLive("compte " + std::string(core::displayName(platform_)) + " non relié : reliez-le dans Comptes",
                      "the " + std::string(core::displayName(platform_)) + " account is not linked");
    }
    // The live prepared for this meeting already (a restart): reused, never duplicated.
    if (live_.is_object() && text(live_, "meeting") == meeting.key && !text(live_, "ingest_url").empty() &&
        !text(live_, "ingest_key").empty()) {
      liveView_ = LiveView{
          platform_, LiveState::ready, text(live_, "id"), text(live_, "public_url"), text(live_, "title"), {}, {}};
      listener_.onLive(liveView_, core::Ingest{text(live_, "ingest_url"), core::Secret(text(live_, "ingest_key"))});
      startChat(text(live_, "id"));
      return;
    }
    if (!live_.is_object() || text(live_, "meeting") != meeting.key) live_ = Json{{"meeting", meeting.key}};
    const auto plan = core::planLive(platform_, meeting.info, meeting.items, config_.templates, privacy(),
                                     meeting.questionsUrl, WallClock::now());
    live_["title"] = plan.title;
    liveView_ =
        LiveView{platform_, LiveState::preparing, text(live_, "id"), text(live_, "public_url"), plan.title, {}, {}};
    listener_.onLive(liveView_, std::nullopt);

    std::optional<ApiAnswer> failure;
    switch (platform_) {
      case PlatformId::youtube: failure = prepareYouTube(plan); break;
      case PlatformId::facebook: failure = prepareFacebook(plan); break;
      case PlatformId::peertube: failure = preparePeerTube(plan); break;
    }
    lives_->put(toString(platform_), live_);  // what was made so far: a retry goes on from there
    if (!failure) {
      liveView_.state = LiveState::ready;
      liveView_.id = text(live_, "id");
      liveView_.publicUrl = text(live_, "public_url");
      spdlog::info("platforms: {} live {} prepared ({})", core::toString(platform_), liveView_.id, liveView_.publicUrl);
      listener_.onLive(liveView_, core::Ingest{text(live_, "ingest_url"), core::Secret(text(live_, "ingest_key"))});
      startChat(text(live_, "id"));
      return;
    }
    const bool again = (failure->kind == AnswerKind::transient || failure->kind == AnswerKind::rateLimited ||
                        failure->kind == AnswerKind::unauthorized) &&
                       attempt + 1 < kPrepareAttempts && state_ == AccountState::linked;
    const auto advice = adviceOn(*failure);
    spdlog::warn("platforms: {} live not prepared: {} ({}){}", core::toString(platform_), failure->reason,
                 core::toString(failure->kind), again ? ", trying again" : "");
    if (again) {
      post([this, meeting, attempt] { prepare(meeting, attempt + 1); },
           std::chrono::duration_cast<std::chrono::milliseconds>(kPrepareRetry * (1 << attempt)));
    }
    failLive(advice.french, advice.english);
  }

  void end() {
    if (liveView_.state != LiveState::ready || !tokens_) return;
    if (platform_ == PlatformId::facebook) {
      const auto id = text(live_, "id");
      auto answer = call("live_videos.end", core::QuotaUse::control, [&] {
        return HttpRequest{"POST",
                           graph(id),
                           {},
                           formEncode({{"end_live_video", "true"}, {"access_token", token()}}),
                           "application/x-www-form-urlencoded"};
      });
      if (answer.kind != AnswerKind::ok) {
        const auto advice = adviceOn(answer);
        liveView_.error = "la fin du direct n'a pas pu être demandée à Facebook : " + advice.french;
        liveView_.errorEnglish = "Facebook did not take the end of the live: " + advice.english;
        listener_.onLive(liveView_, std::nullopt);
        return;
      }
    }
    // YouTube ends by itself (auto stop); a PeerTube live ends when its stream stops.
    liveView_.state = LiveState::ended;
    live_["ended"] = true;
    lives_->put(toString(platform_), live_);
    listener_.onLive(liveView_, std::nullopt);
    // YouTube's chat says when it ends; Facebook's and PeerTube's comments are read once
    // more, then no longer.
    if (platform_ != PlatformId::youtube && chatRunning_) {
      pollChat(chatGeneration_);
      stopChat();
    }
  }

  void writeChapters(const std::string& chapters) {
    const auto id = text(live_, "id");
    if (platform_ != PlatformId::youtube || id.empty() || !tokens_) return;
    auto answer = call("videos.list", core::QuotaUse::control, [&] {
      return HttpRequest{"GET", youtube("/videos?part=snippet&id=" + urlEncode(id)), {bearer()}, {}, {}};
    });
    std::string problem;
    if (answer.kind == AnswerKind::ok) {
      const auto update = core::youTubeChaptersUpdate(lastBody_, chapters);
      if (update.body) {
        answer = call("videos.update", core::QuotaUse::control, [&] {
          return HttpRequest{"PUT", youtube("/videos?part=snippet"), {bearer()}, *update.body, "application/json"};
        });
      } else {
        problem = update.error;
      }
    }
    if (problem.empty() && answer.kind == AnswerKind::ok) {
      spdlog::info("platforms: youtube: the chapters are in the description of {}", id);
      liveView_.chaptersWritten = true;
      listener_.onLive(liveView_, std::nullopt);
      return;
    }
    spdlog::warn("platforms: youtube: chapters not written: {}", problem.empty() ? answer.reason : problem);
  }

  // --- questions from the platforms (issue 21) ------------------------------------------

  // Reads `liveId`'s chat from now on (from its kept cursor when it is the same live).
  void startChat(const std::string& liveId) {
    if (!config_.chat.read || liveId.empty()) return;
    if (chatLive_ == liveId && chatRunning_) return;  // already reading it
    ++chatGeneration_;
    chatLive_ = liveId;
    liveChatId_.clear();
    cursor_ = Json::object();
    seen_.clear();
    seenOrder_.clear();
    pending_.clear();
    const Json kept = chats_->get(toString(platform_));
    if (text(kept, "live") == liveId) {
      // Only what this side writes, with the types it writes: a damaged file starts afresh.
      const auto found = kept.find("cursor");
      if (found != kept.end() && found->is_object()) {
        for (const char* name : {"page_token", "after"}) {
          if (found->contains(name) && (*found)[name].is_string()) cursor_[name] = (*found)[name];
        }
        for (const char* name : {"since", "newest", "start"}) {
          if (found->contains(name) && (*found)[name].is_number_integer()) cursor_[name] = (*found)[name];
        }
      }
      if (kept.contains("seen") && kept["seen"].is_array()) {
        for (const auto& id : kept["seen"]) {
          if (id.is_string()) remember(id.get<std::string>());
        }
      }
    }
    poller_.expectEndAt(WallClock::now() + expectedDuration_);
    chatRunning_ = true;
    spdlog::info("platforms: {}: reading the comments of {}", core::toString(platform_), liveId);
    post([this, generation = chatGeneration_] { pollChat(generation); });
  }

  void stopChat() {
    ++chatGeneration_;
    chatRunning_ = false;
    poller_.off();
    listener_.onChatStatus(platform_, poller_.status());
  }

  // The hub kept batch `sequence`: the cursor that followed it is written down.
  void chatKept(std::uint64_t sequence) {
    std::optional<Json> record;
    while (!pending_.empty() && pending_.front().first <= sequence) {
      record = std::move(pending_.front().second);
      pending_.pop_front();
    }
    if (record) keepChatRecord(std::move(*record));
  }

  void reply(const std::string& messageId, const std::string& message) {
    if (!tokens_ || chatLive_.empty()) return;
    ApiAnswer answer;
    switch (platform_) {
      case PlatformId::youtube:
        if (liveChatId_.empty()) return;
        answer = call("liveChatMessages.insert", core::QuotaUse::ordinary, [&] {
          return HttpRequest{"POST",
                             youtube("/liveChat/messages?part=snippet"),
                             {bearer()},
                             core::youTubeChatReplyBody(liveChatId_, message),
                             "application/json"};
        });
        break;
      case PlatformId::facebook:
        answer = call("comments.create", core::QuotaUse::ordinary, [&] {
          return HttpRequest{"POST",
                             graph(messageId + "/comments"),
                             {},
                             formEncode({{"message", message}, {"access_token", token()}}),
                             "application/x-www-form-urlencoded"};
        });
        break;
      case PlatformId::peertube:
        answer = call("comments.reply", core::QuotaUse::ordinary, [&] {
          return HttpRequest{"POST",
                             peertube("/videos/" + urlEncode(chatLive_) + "/comments/" + urlEncode(messageId)),
                             {bearer()},
                             Json{{"text", message}}.dump(),
                             "application/json"};
        });
        break;
    }
    if (answer.kind == AnswerKind::ok) {
      spdlog::info("platforms: {}: replied to message {}", core::toString(platform_), messageId);
    } else {
      spdlog::warn("platforms: {}: reply to message {} not posted: {} ({})", core::toString(platform_), messageId,
                   answer.reason, core::toString(answer.kind));
    }
  }

  void pollAudience() {
    if (liveView_.state != LiveState::ready || !tokens_) return;
    const auto id = text(live_, "id");
    std::string body;
    ApiAnswer answer;
    switch (platform_) {
      case PlatformId::youtube:
        answer = call("videos.list", core::QuotaUse::ordinary, [&] {
          return HttpRequest{
              "GET", youtube("/videos?part=liveStreamingDetails&id=" + urlEncode(id)), {bearer()}, {}, {}};
        });
        break;
      case PlatformId::facebook:
        answer = call("live_videos.get", core::QuotaUse::ordinary, [&] {
          return HttpRequest{"GET", graph(id) + "?fields=live_views&access_token=" + urlEncode(token()), {}, {}, {}};
        });
        break;
      case PlatformId::peertube:
        answer = call("videos.get", core::QuotaUse::ordinary, [&] {
          return HttpRequest{"GET", peertube("/videos/" + urlEncode(id)), {bearer()}, {}, {}};
        });
        break;
    }
    if (answer.kind != AnswerKind::ok) return;
    if (auto viewers = core::parseViewers(platform_, lastBody_)) listener_.onViewers(platform_, *viewers);
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (tasks_.empty()) {
        wake_.wait(lock);
        continue;
      }
      const auto due = tasks_.begin()->first;
      if (SteadyClock::now() < due) {
        wake_.wait_until(lock, due);
        continue;
      }
      auto task = std::move(tasks_.begin()->second);
      tasks_.erase(tasks_.begin());
      lock.unlock();
      try {
        task();
      } catch (const std::exception& e) {
        spdlog::error("platforms: {}: {}", core::toString(platform_), e.what());
      }
      lock.lock();
    }
  }

  // --- addresses -----------------------------------------------------------------------
  [[nodiscard]] std::string youtube(const std::string& path) const { return config_.youtube->apiUrl + path; }
  [[nodiscard]] std::string google(const std::string& path) const { return config_.youtube->oauthUrl + path; }
  [[nodiscard]] std::string graph(const std::string& path) const {
    return config_.facebook->graphUrl + "/" + config_.facebook->graphVersion + "/" + path;
  }
  [[nodiscard]] std::string peertube(const std::string& path) const {
    return config_.peertube->instanceUrl + "/api/v1" + path;
  }
  [[nodiscard]] std::string token() const { return tokens_ ? tokens_->accessToken.reveal() : std::string(); }
  [[nodiscard]] std::string bearer() const { return "Authorization: Bearer " + token(); }
  [[nodiscard]] core::LivePrivacy privacy() const {
    switch (platform_) {
      case PlatformId::youtube: return config_.youtube->privacy;
      case PlatformId::facebook: return config_.facebook->privacy;
      case PlatformId::peertube: return config_.peertube->privacy;
    }
    return core::LivePrivacy::isPublic;
  }

  // --- calls ---------------------------------------------------------------------------

  // Sends what `build` makes (again after a refresh on a 401), counts YouTube's units and
  // applies what the core says the answer means. The body of the last answer is lastBody_.
  // With `onChunk`, a 2xx answer's body goes there as it arrives (HttpClient::stream).
  ApiAnswer call(std::string_view method, core::QuotaUse use, const std::function<HttpRequest()>& build,
                 const std::function<bool(std::string_view)>* onChunk = nullptr) {
    if (tokens_ && core::needsRefresh(*tokens_, WallClock::now())) {
      if (auto problem = refresh()) return *problem;
    }
    ApiAnswer answer;
    bool refreshed = false;  // after a 401: the one refresh is spent
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (platform_ == PlatformId::youtube && !quota_.allows(method, use, WallClock::now())) {
        answer = ApiAnswer{AnswerKind::quotaExceeded, "budget", "Tribune's daily budget of units is spent"};
        reportQuota();
        return answer;
      }
      const auto response = onChunk != nullptr ? http_.stream(build(), *onChunk, kStreamDeadline) : http_.send(build());
      if (platform_ == PlatformId::youtube) quota_.spend(method, WallClock::now());
      lastBody_ = response.body;
      answer = core::classifyAnswer(platform_, response.status, response.body);
      if (response.status == 0) answer.message = redact(response.error);
      if (answer.kind == AnswerKind::unauthorized && attempt == 0 && tokens_ && !tokens_->refreshToken.empty()) {
        if (auto problem = refresh()) return *problem;
        refreshed = true;
        continue;  // one retry with the new token
      }
      break;
    }
    if (refreshed) answer = core::afterRenewal(std::move(answer));
    if (platform_ == PlatformId::youtube) {
      if (answer.kind == AnswerKind::quotaExceeded) quota_.exhausted(WallClock::now());
      reportQuota();
    }
    if (answer.kind == AnswerKind::revoked ||
        (answer.kind == AnswerKind::unauthorized && (!tokens_ || tokens_->refreshToken.empty()))) {
      toReconnect(answer);
    }
    return answer;
  }

  // A new access token from the refresh token; the problem when there is none.
  std::optional<ApiAnswer> refresh() {
    if (!tokens_ || tokens_->refreshToken.empty()) {
      ApiAnswer answer{AnswerKind::revoked, "no_refresh_token", ""};
      toReconnect(answer);
      return answer;
    }
    HttpRequest request;
    if (platform_ == PlatformId::youtube) {
      request = HttpRequest{"POST",
                            google("/token"),
                            {},
                            formEncode({{"client_id", config_.youtube->clientId},
                                        {"client_secret", config_.youtube->clientSecret.reveal()},
                                        {"grant_type", "refresh_token"},
                                        {"refresh_token", tokens_->refreshToken.reveal()}}),
                            "application/x-www-form-urlencoded"};
    } else if (platform_ == PlatformId::peertube) {
      const Json kept = accounts_->get(toString(platform_));
      request = HttpRequest{"POST",
                            peertube("/users/token"),
                            {},
                            formEncode({{"client_id", text(kept, "client_id")},
                                        {"client_secret", text(kept, "client_secret")},
                                        {"grant_type", "refresh_token"},
                                        {"refresh_token", tokens_->refreshToken.reveal()}}),
                            "application/x-www-form-urlencoded"};
    } else {
      ApiAnswer answer{AnswerKind::revoked, "page_token", ""};
      toReconnect(answer);
      return answer;
    }
    const auto response = http_.send(request);
    auto parsed = core::parseTokenAnswer(platform_, response.status, response.body, WallClock::now(), *tokens_);
    if (!parsed.tokens) {
      auto answer = parsed.error.value_or(ApiAnswer{AnswerKind::malformed, "token", ""});
      if (response.status == 0) answer.message = redact(response.error);
      if (answer.kind == AnswerKind::revoked || answer.kind == AnswerKind::refused ||
          answer.kind == AnswerKind::unauthorized) {
        toReconnect(answer);
      }
      return answer;
    }
    tokens_ = std::move(*parsed.tokens);
    keepTokens();
    return std::nullopt;
  }

  void keepTokens(const Json& extra = Json::object()) {
    Json record = tokensToJson(*tokens_);
    const Json kept = accounts_->get(toString(platform_));
    for (const char* name : {"client_id", "client_secret"}) {
      if (!text(kept, name).empty()) record[name] = text(kept, name);
    }
    for (auto it = extra.begin(); it != extra.end(); ++it) record[it.key()] = it.value();
    accounts_->put(toString(platform_), record);
  }

  // The technician's words for a failed call, with the time (a quota's reset hour).
  [[nodiscard]] core::AnswerAdvice adviceOn(const ApiAnswer& answer) const {
    return core::adviceFor(platform_, answer, WallClock::now());
  }

  void toReconnect(const ApiAnswer& answer) {
    state_ = AccountState::reconnect;
    const auto advice = adviceOn(answer);
    why_ = {advice.french, advice.english};
    spdlog::warn("platforms: {} account to be reconnected: {} ({})", core::toString(platform_), answer.reason,
                 core::toString(answer.kind));
    reportAccount();
  }

  // Secrets of this platform out of a text from a library.
  std::string redact(std::string message) const {
    if (tokens_) {
      message = core::redact(std::move(message), tokens_->accessToken);
      message = core::redact(std::move(message), tokens_->refreshToken);
    }
    return redactUrl(std::move(message));
  }

  // --- linking -------------------------------------------------------------------------

  void startDeviceFlow() {
    HttpRequest request;
    if (platform_ == PlatformId::youtube) {
      request = HttpRequest{"POST",
                            google("/device/code"),
                            {},
                            formEncode({{"client_id", config_.youtube->clientId}, {"scope", config_.youtube->scope}}),
                            "application/x-www-form-urlencoded"};
    } else {
      request = HttpRequest{"POST",
                            graph("device/login"),
                            {},
                            formEncode({{"access_token", appToken()}, {"scope", config_.facebook->scope}}),
                            "application/x-www-form-urlencoded"};
    }
    const auto response = http_.send(request);
    auto parsed = core::parseDeviceCodeAnswer(platform_, response.status, response.body);
    if (!parsed.code) {
      auto answer = parsed.error.value_or(ApiAnswer{AnswerKind::malformed, "device_code", ""});
      if (response.status == 0) answer.message = redact(response.error);
      return linkFailed(answer);
    }
    flow_.emplace(platform_, std::move(*parsed.code), WallClock::now());
    state_ = AccountState::linking;
    why_ = {};
    reportAccount();
    schedulePoll();
  }

  [[nodiscard]] std::string appToken() const {
    return config_.facebook->appId + "|" + config_.facebook->clientToken.reveal();
  }

  void schedulePoll() {
    const auto wait =
        std::max(std::chrono::milliseconds{0},
                 std::chrono::duration_cast<std::chrono::milliseconds>(flow_->nextPollAt() - WallClock::now()));
    post([this, generation = linkGeneration_] { pollDeviceFlow(generation); }, wait);
  }

  void pollDeviceFlow(std::uint64_t generation) {
    if (generation != linkGeneration_ || !flow_) return;  // cancelled or started again
    if (flow_->onTime(WallClock::now()) != core::DeviceFlowState::waiting) return finishDeviceFlow();
    HttpRequest request;
    if (platform_ == PlatformId::youtube) {
      request = HttpRequest{"POST",
                            google("/token"),
                            {},
                            formEncode({{"client_id", config_.youtube->clientId},
                                        {"client_secret", config_.youtube->clientSecret.reveal()},
                                        {"device_code", flow_->code().deviceCode.reveal()},
                                        {"grant_type", "urn:ietf:params:oauth:grant-type:device_code"}}),
                            "application/x-www-form-urlencoded"};
    } else {
      request = HttpRequest{"POST",
                            graph("device/login_status"),
                            {},
                            formEncode({{"access_token", appToken()}, {"code", flow_->code().deviceCode.reveal()}}),
                            "application/x-www-form-urlencoded"};
    }
    const auto response = http_.send(request);
    if (generation != linkGeneration_ || !flow_) return;
    if (flow_->onPollAnswer(response.status, response.body, WallClock::now()) == core::DeviceFlowState::waiting) {
      return schedulePoll();
    }
    finishDeviceFlow();
  }

  void finishDeviceFlow() {
    auto flow = std::move(*flow_);
    flow_.reset();
    if (flow.state() != core::DeviceFlowState::linked || !flow.tokens()) {
      return linkFailed(
          flow.failure().value_or(ApiAnswer{AnswerKind::refused, std::string(toString(flow.state())), ""}));
    }
    tokens_ = *flow.tokens();
    if (platform_ == PlatformId::youtube) {
      const auto answer = call("channels.list", core::QuotaUse::ordinary, [&] {
        return HttpRequest{"GET", youtube("/channels?part=snippet&mine=true"), {bearer()}, {}, {}};
      });
      if (answer.kind != AnswerKind::ok) return linkFailed(answer);
      auto identity = core::parseYouTubeChannel(lastBody_);
      if (!identity.identity) return linkFailed(ApiAnswer{AnswerKind::malformed, "channel", identity.error});
      tokens_->accountName = identity.identity->name;
      tokens_->accountId = identity.identity->id;
    } else {
      // Facebook: the user token for a long-lived one, then the Page's token, which is kept.
      const auto exchange =
          http_.send(HttpRequest{"GET",
                                 graph("oauth/access_token") +
                                     "?grant_type=fb_exchange_token&client_id=" + urlEncode(config_.facebook->appId) +
                                     "&client_secret=" + urlEncode(config_.facebook->appSecret.reveal()) +
                                     "&fb_exchange_token=" + urlEncode(token()),
                                 {},
                                 {},
                                 {}});
      auto longLived = core::parseTokenAnswer(platform_, exchange.status, exchange.body, WallClock::now(), *tokens_);
      if (!longLived.tokens) return linkFailed(longLived.error.value_or(ApiAnswer{AnswerKind::malformed, "token", ""}));
      tokens_ = std::move(*longLived.tokens);
      const auto pages = http_.send(HttpRequest{
          "GET", graph("me/accounts") + "?fields=id,name,access_token&access_token=" + urlEncode(token()), {}, {}, {}});
      const auto answer = core::classifyAnswer(platform_, pages.status, pages.body);
      if (answer.kind != AnswerKind::ok) return linkFailed(answer);
      auto page = core::parseFacebookPages(pages.body, config_.facebook->pageId);
      if (!page.identity) return linkFailed(ApiAnswer{AnswerKind::refused, "page", page.error});
      core::AccountTokens pageTokens;
      pageTokens.accessToken = page.identity->token;
      pageTokens.accountName = page.identity->name;
      pageTokens.accountId = page.identity->id;
      tokens_ = std::move(pageTokens);
    }
    linked();
  }

  void linkPeerTube() {
    state_ = AccountState::linking;
    why_ = {};
    reportAccount();
    const auto client = http_.send(HttpRequest{"GET", peertube("/oauth-clients/local"), {}, {}, {}});
    auto answer = core::classifyAnswer(platform_, client.status, client.body);
    if (answer.kind != AnswerKind::ok) return linkFailed(answer);
    const auto oauth = core::parsePeerTubeClient(client.body);
    if (!oauth) return linkFailed(ApiAnswer{AnswerKind::malformed, "oauth-clients/local", ""});
    const auto response = http_.send(HttpRequest{"POST",
                                                 peertube("/users/token"),
                                                 {},
                                                 formEncode({{"client_id", oauth->id},
                                                             {"client_secret", oauth->secret.reveal()},
                                                             {"grant_type", "password"},
                                                             {"username", config_.peertube->username},
                                                             {"password", config_.peertube->password.reveal()}}),
                                                 "application/x-www-form-urlencoded"});
    auto parsed = core::parseTokenAnswer(platform_, response.status, response.body, WallClock::now());
    if (!parsed.tokens) return linkFailed(parsed.error.value_or(ApiAnswer{AnswerKind::malformed, "token", ""}));
    tokens_ = std::move(*parsed.tokens);
    accounts_->put(toString(platform_), Json{{"client_id", oauth->id}, {"client_secret", oauth->secret.reveal()}});
    answer = call("users.me", core::QuotaUse::ordinary, [&] {
      return HttpRequest{"GET", peertube("/users/me"), {bearer()}, {}, {}};
    });
    if (answer.kind != AnswerKind::ok) return linkFailed(answer);
    auto identity = core::parsePeerTubeMe(lastBody_, config_.peertube->channel);
    if (!identity.identity) return linkFailed(ApiAnswer{AnswerKind::refused, "channel", identity.error});
    tokens_->accountName = identity.identity->name;
    tokens_->accountId = identity.identity->id;
    linked();
  }

  void linked() {
    state_ = AccountState::linked;
    why_ = {};
    keepTokens();
    spdlog::info("platforms: {} linked as {}", core::toString(platform_), tokens_->accountName);
    reportAccount();
  }

  void linkFailed(const ApiAnswer& answer) {
    tokens_.reset();
    state_ = AccountState::notLinked;
    const auto advice = adviceOn(answer);
    why_ = {answer.message.empty() || answer.kind != AnswerKind::refused ? advice.french
                                                                         : advice.french + " (" + answer.message + ")",
            advice.english};
    spdlog::warn("platforms: {} not linked: {} ({})", core::toString(platform_), answer.reason,
                 core::toString(answer.kind));
    reportAccount();
  }

  // --- lives ---------------------------------------------------------------------------

  std::optional<ApiAnswer> prepareYouTube(const core::LivePlan& plan) {
    if (text(live_, "id").empty()) {
      const auto answer = call("liveBroadcasts.insert", core::QuotaUse::ordinary, [&] {
        return HttpRequest{"POST",
                           youtube("/liveBroadcasts?part=snippet,status,contentDetails"),
                           {bearer()},
                           core::youTubeBroadcastBody(plan),
                           "application/json"};
      });
      if (answer.kind != AnswerKind::ok) return answer;
      auto parsed = core::parseYouTubeBroadcast(lastBody_);
      if (!parsed.live) return ApiAnswer{AnswerKind::malformed, "liveBroadcast", parsed.error};
      live_["id"] = parsed.live->id;
      live_["public_url"] = parsed.live->publicUrl;
    }
    if (text(live_, "stream_id").empty()) {
      const auto answer = call("liveStreams.insert", core::QuotaUse::ordinary, [&] {
        return HttpRequest{"POST",
                           youtube("/liveStreams?part=snippet,cdn,contentDetails,status"),
                           {bearer()},
                           core::youTubeStreamBody(plan),
                           "application/json"};
      });
      if (answer.kind != AnswerKind::ok) return answer;
      auto parsed = core::parseYouTubeStream(lastBody_);
      if (!parsed.live || !parsed.live->ingest) return ApiAnswer{AnswerKind::malformed, "liveStream", parsed.error};
      live_["stream_id"] = parsed.live->streamId;
      live_["ingest_url"] = parsed.live->ingest->url;
      live_["ingest_key"] = parsed.live->ingest->key.reveal();
    }
    if (!live_.value("bound", false)) {
      const auto answer = call("liveBroadcasts.bind", core::QuotaUse::ordinary, [&] {
        return HttpRequest{"POST",
                           youtube("/liveBroadcasts/bind?id=" + urlEncode(text(live_, "id")) +
                                   "&streamId=" + urlEncode(text(live_, "stream_id")) + "&part=id,contentDetails"),
                           {bearer()},
                           {},
                           "application/json"};
      });
      if (answer.kind != AnswerKind::ok) return answer;
      live_["bound"] = true;
    }
    return std::nullopt;
  }

  std::optional<ApiAnswer> prepareFacebook(const core::LivePlan& plan) {
    if (text(live_, "id").empty()) {
      auto form = core::facebookLiveForm(plan, WallClock::now());
      const auto answer = call("live_videos.create", core::QuotaUse::ordinary, [&] {
        auto fields = form;
        fields.emplace_back("access_token", token());
        return HttpRequest{"POST",
                           graph(tokens_->accountId + "/live_videos"),
                           {},
                           formEncode(fields),
                           "application/x-www-form-urlencoded"};
      });
      if (answer.kind != AnswerKind::ok) return answer;
      auto parsed = core::parseFacebookLive(lastBody_);
      if (!parsed.live || !parsed.live->ingest) return ApiAnswer{AnswerKind::malformed, "live_video", parsed.error};
      live_["id"] = parsed.live->id;
      live_["public_url"] = parsed.live->publicUrl;
      live_["ingest_url"] = parsed.live->ingest->url;
      live_["ingest_key"] = parsed.live->ingest->key.reveal();
    }
    if (text(live_, "public_url").empty()) {
      // The permalink: worth a call, not worth failing the live for.
      const auto answer = call("live_videos.get", core::QuotaUse::ordinary, [&] {
        return HttpRequest{
            "GET", graph(text(live_, "id")) + "?fields=permalink_url&access_token=" + urlEncode(token()), {}, {}, {}};
      });
      if (answer.kind == AnswerKind::ok) live_["public_url"] = core::parseFacebookPermalink(lastBody_);
    }
    return std::nullopt;
  }

  std::optional<ApiAnswer> preparePeerTube(const core::LivePlan& plan) {
    if (text(live_, "id").empty()) {
      const auto answer = call("videos.live.create", core::QuotaUse::ordinary, [&] {
        return HttpRequest{"POST",
                           peertube("/videos/live"),
                           {bearer()},
                           formEncode(core::peerTubeLiveForm(plan, tokens_->accountId)),
                           "application/x-www-form-urlencoded"};
      });
      if (answer.kind != AnswerKind::ok) return answer;
      auto parsed = core::parsePeerTubeCreated(lastBody_);
      if (!parsed.live) return ApiAnswer{AnswerKind::malformed, "video", parsed.error};
      live_["id"] = parsed.live->id;
      live_["public_url"] = config_.peertube->instanceUrl + "/w/" + parsed.live->id;
    }
    if (text(live_, "ingest_key").empty()) {
      const auto answer = call("videos.live.get", core::QuotaUse::ordinary, [&] {
        return HttpRequest{"GET", peertube("/videos/live/" + urlEncode(text(live_, "id"))), {bearer()}, {}, {}};
      });
      if (answer.kind != AnswerKind::ok) return answer;
      auto parsed = core::parsePeerTubeLive(lastBody_);
      if (!parsed.live || !parsed.live->ingest) return ApiAnswer{AnswerKind::malformed, "live", parsed.error};
      live_["ingest_url"] = parsed.live->ingest->url;
      live_["ingest_key"] = parsed.live->ingest->key.reveal();
    }
    return std::nullopt;
  }

  void failLive(std::string french, std::string english) {
    liveView_.state = LiveState::failed;
    liveView_.error = std::move(french);
    liveView_.errorEnglish = std::move(english);
    listener_.onLive(liveView_, std::nullopt);
  }

  // --- the chat's reader ------------------------------------------------------------------

  void remember(const std::string& id) {
    if (!seen_.insert(id).second) return;
    seenOrder_.push_back(id);
    if (seenOrder_.size() > kSeenMemory) {
      seen_.erase(seenOrder_.front());
      seenOrder_.pop_front();
    }
  }

  // One call to the chat, what it brought to the hub, and the next call scheduled.
  void pollChat(std::uint64_t generation) {
    if (generation != chatGeneration_ || !chatRunning_) return;
    const auto now = WallClock::now();
    if (!tokens_ || state_ != AccountState::linked) {
      chatFailed(ApiAnswer{AnswerKind::revoked, "not_linked", ""}, generation);
      return;
    }
    core::ChatParse parsed;
    ApiAnswer answer;
    switch (platform_) {
      case PlatformId::youtube: {
        if (liveChatId_.empty()) {
          answer = call("videos.list", core::QuotaUse::ordinary, [&] {
            return HttpRequest{
                "GET", youtube("/videos?part=liveStreamingDetails&id=" + urlEncode(chatLive_)), {bearer()}, {}, {}};
          });
          if (answer.kind != AnswerKind::ok) return chatFailed(answer, generation);
          if (auto id = core::parseYouTubeActiveChat(lastBody_)) {
            liveChatId_ = *id;
          } else {
            return chatFailed(ApiAnswer{AnswerKind::refused, "no_chat", ""}, generation);
          }
        }
        if (config_.chat.youtubeStream && streamFailures_ < kStreamFailuresBeforeList) {
          return streamChat(generation);
        }
        const auto pageToken = text(cursor_, "page_token");
        answer = call("liveChatMessages.list", core::QuotaUse::ordinary, [&] {
          return HttpRequest{"GET",
                             youtube("/liveChat/messages?liveChatId=" + urlEncode(liveChatId_) +
                                     "&part=id,snippet,authorDetails&maxResults=" + std::to_string(kYouTubeChatPage) +
                                     (pageToken.empty() ? std::string() : "&pageToken=" + urlEncode(pageToken))),
                             {bearer()},
                             {},
                             {}};
        });
        if (answer.kind == AnswerKind::ok) parsed = core::parseYouTubeChatPage(lastBody_, tokens_->accountId);
        break;
      }
      case PlatformId::facebook: {
        const auto after = text(cursor_, "after");
        const auto since = cursor_.value("since", std::int64_t{0});
        answer = call("comments.list", core::QuotaUse::ordinary, [&] {
          return HttpRequest{"GET",
                             graph(chatLive_ + "/comments") +
                                 "?fields=id,from%7Bname,id%7D,message,created_time&order=chronological"
                                 "&live_filter=no_filter&filter=stream&limit=" +
                                 std::to_string(kFacebookCommentsPage) +
                                 (since > 0 ? "&since=" + std::to_string(since) : std::string()) +
                                 (after.empty() ? std::string() : "&after=" + urlEncode(after)) +
                                 "&access_token=" + urlEncode(token()),
                             {},
                             {},
                             {}};
        });
        if (answer.kind == AnswerKind::ok) parsed = core::parseFacebookComments(lastBody_, tokens_->accountId);
        break;
      }
      case PlatformId::peertube: {
        const auto start = cursor_.value("start", 0);
        answer = call("comments.list", core::QuotaUse::ordinary, [&] {
          return HttpRequest{
              "GET",
              peertube("/videos/" + urlEncode(chatLive_) + "/comment-threads?start=" + std::to_string(start) +
                       "&count=" + std::to_string(kPeerTubeCommentsPage) + "&sort=-createdAt"),
              {bearer()},
              {},
              {}};
        });
        if (answer.kind == AnswerKind::ok) parsed = core::parsePeerTubeComments(lastBody_, config_.peertube->username);
        break;
      }
    }
    if (answer.kind != AnswerKind::ok) return chatFailed(answer, generation);
    if (!parsed.page) {
      spdlog::warn("platforms: {}: a chat page not understood: {}", core::toString(platform_), parsed.error);
      return chatFailed(ApiAnswer{AnswerKind::malformed, "chat_page", parsed.error}, generation);
    }
    auto& page = *parsed.page;
    takeChatPage(page);
    const int cost = quota_.cost("liveChatMessages.list");
    const int unitsLeft = quota_.remaining(WallClock::now()) - quota_.settings().reserveUnits;
    const auto wait = poller_.afterPage(page, unitsLeft, cost, now);
    listener_.onChatStatus(platform_, poller_.status());
    if (poller_.status().state == core::ChatState::ended) {
      chatRunning_ = false;
      spdlog::info("platforms: {}: the chat of {} has ended", core::toString(platform_), chatLive_);
      return;
    }
    post([this, generation] { pollChat(generation); }, wait);
  }

  // What a page brought goes to the hub (new messages, withdrawn ones); where the next call
  // starts is kept, and written down once the hub has kept the batch.
  void takeChatPage(core::ChatPage& page) {
    const auto now = WallClock::now();
    ChatBatch batch;
    batch.platform = platform_;
    bool allNew = !page.messages.empty();
    std::int64_t newest = cursor_.value("newest", std::int64_t{0});
    for (auto& message : page.messages) {
      newest = std::max(newest, unixSeconds(message.publishedAt));
      if (seen_.count(message.id) != 0) {
        allNew = false;
        continue;
      }
      remember(message.id);
      batch.messages.push_back(std::move(message));
    }
    for (auto& id : page.deletedIds) batch.deletedIds.push_back(std::move(id));

    // Where the next call starts.
    switch (platform_) {
      case PlatformId::youtube:
        if (!page.nextPageToken.empty()) cursor_["page_token"] = page.nextPageToken;
        break;
      case PlatformId::facebook:
        // Paging first; then from the newest comment's second again (the overlap: the
        // seen ids sort it out), since Graph counts `since` in whole seconds.
        cursor_["after"] = page.nextPageToken;
        cursor_["newest"] = newest;
        if (page.nextPageToken.empty() && newest > 0) cursor_["since"] = newest - 1;
        break;
      case PlatformId::peertube: {
        // Newest first: a page of only new threads may have more new ones behind it.
        const bool more = allNew && page.messages.size() == static_cast<std::size_t>(kPeerTubeCommentsPage);
        cursor_["start"] = more ? cursor_.value("start", 0) + kPeerTubeCommentsPage : 0;
        if (more) page.nextPageToken = std::to_string(cursor_["start"].get<int>());  // read it at once
        break;
      }
    }
    Json record{{"live", chatLive_}, {"cursor", cursor_}, {"at", unixSeconds(now)}};
    Json seen = Json::array();
    for (auto it = seenOrder_.size() > kKeptSeen ? seenOrder_.end() - kKeptSeen : seenOrder_.begin();
         it != seenOrder_.end(); ++it) {
      seen.push_back(*it);
    }
    record["seen"] = std::move(seen);
    if (batch.messages.empty() && batch.deletedIds.empty()) {
      if (pending_.empty()) {
        keepChatRecord(std::move(record));
      } else {
        pending_.back().second = std::move(record);  // written when the batch before it is kept
      }
    } else {
      batch.sequence = ++chatSequence_;
      pending_.emplace_back(batch.sequence, std::move(record));
      listener_.onChatMessages(batch);
    }
  }

  // YouTube's streamList: the answer stays open (~10 s at YouTube) and brings each page as
  // it comes, so a question arrives at once and a call costs 5 units per ~10 s instead of
  // per poll. When it fails twice for what it is (not found, not understood) while the
  // chat's list works, the list is read instead for the rest of the run.
  void streamChat(std::uint64_t generation) {
    const auto started = SteadyClock::now();
    const auto now = WallClock::now();
    std::string buffer;
    std::string problem;
    std::optional<core::ChatPage> last;
    const std::function<bool(std::string_view)> onChunk = [&](std::string_view chunk) {
      buffer.append(chunk);
      auto parsed = core::parseYouTubeChatStream(buffer, tokens_->accountId);
      buffer = std::move(parsed.rest);
      for (auto& page : parsed.pages) {
        last = page;  // its hint, its end: what comes next is decided on the last page
        takeChatPage(page);
      }
      if (!parsed.error.empty()) problem = parsed.error;
      return parsed.error.empty() && generation == chatGeneration_;
    };
    const auto pageToken = text(cursor_, "page_token");
    auto answer = call(
        "liveChatMessages.streamList", core::QuotaUse::ordinary,
        [&] {
          return HttpRequest{"GET",
                             youtube("/liveChat/messages/stream?liveChatId=" + urlEncode(liveChatId_) +
                                     "&part=id,snippet,authorDetails&maxResults=" + std::to_string(kYouTubeChatPage) +
                                     (pageToken.empty() ? std::string() : "&pageToken=" + urlEncode(pageToken))),
                             {bearer()},
                             {},
                             {}};
        },
        &onChunk);
    if (generation != chatGeneration_) return;
    // Cut short by our own deadline after pages came: the stream did its work.
    if (answer.kind == AnswerKind::transient && last && problem.empty() && answer.reason == "no answer") {
      answer = ApiAnswer{};
    }
    if (!problem.empty()) answer = ApiAnswer{AnswerKind::malformed, "stream", problem};
    if (answer.kind != AnswerKind::ok) {
      if (answer.kind == AnswerKind::malformed || answer.reason == "http 404" || answer.reason == "http 405" ||
          answer.reason == "http 501") {
        if (++streamFailures_ >= kStreamFailuresBeforeList) {
          spdlog::warn("platforms: youtube: the chat's stream does not work ({}): reading its list instead",
                       answer.reason);
        }
      }
      return chatFailed(answer, generation);
    }
    streamFailures_ = 0;
    core::ChatPage page = last.value_or(core::ChatPage{});
    page.messages.clear();
    const int cost = quota_.cost("liveChatMessages.streamList");
    const int unitsLeft = quota_.remaining(WallClock::now()) - quota_.settings().reserveUnits;
    const auto wait = poller_.afterPage(page, unitsLeft, cost, now);
    listener_.onChatStatus(platform_, poller_.status());
    if (poller_.status().state == core::ChatState::ended) {
      chatRunning_ = false;
      spdlog::info("platforms: youtube: the chat of {} has ended", chatLive_);
      return;
    }
    // The time the stream stayed open counts as waiting.
    const auto open = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
    post([this, generation] { pollChat(generation); }, std::max(wait - open, std::chrono::milliseconds{0}));
  }

  // Writes the chat's record, unless only its time changed and was written lately: a quiet
  // chat read every few seconds does not rewrite the file each time (an appliance's card).
  void keepChatRecord(Json record) {
    auto withoutTime = record;
    withoutTime.erase("at");
    const auto now = SteadyClock::now();
    if (withoutTime == chatWritten_ && now - chatWrittenAt_ < kChatRewriteEvery) return;
    chats_->put(toString(platform_), record);
    chatWritten_ = std::move(withoutTime);
    chatWrittenAt_ = now;
  }

  void chatFailed(const ApiAnswer& answer, std::uint64_t generation) {
    const auto wait = poller_.afterFailure(answer, WallClock::now(), random_);
    listener_.onChatStatus(platform_, poller_.status());
    if (!wait) {
      chatRunning_ = false;
      spdlog::warn("platforms: {}: reading the comments stopped: {} ({})", core::toString(platform_), answer.reason,
                   core::toString(answer.kind));
      return;
    }
    if (poller_.failures() <= 1) {
      spdlog::warn("platforms: {}: reading the comments: {} ({}), again in {} ms", core::toString(platform_),
                   answer.reason, core::toString(answer.kind), wait->count());
    }
    post([this, generation] { pollChat(generation); }, *wait);
  }

  // --- reports -------------------------------------------------------------------------

  void reportAccount() {
    AccountView view;
    view.platform = platform_;
    view.state = state_;
    if (tokens_) view.accountName = tokens_->accountName;
    if (flow_) {
      view.userCode = flow_->code().userCode;
      view.verificationUrl = flow_->code().verificationUrl;
      view.codeExpiresAt = flow_->expiresAt();
    }
    view.why = why_.first;
    view.whyEnglish = why_.second;
    listener_.onAccount(view);
  }

  void reportQuota() {
    const auto now = WallClock::now();
    listener_.onQuota(QuotaView{quota_.used(now), quota_.remaining(now), quota_.settings().dailyUnits,
                                quota_.isExhausted(now), quota_.nextReset(now)});
  }

  PlatformId platform_;
  const core::PlatformsSettings& config_;
  HttpClient http_;
  std::shared_ptr<PrivateStore> accounts_;
  std::shared_ptr<PrivateStore> lives_;
  PlatformListener& listener_;
  core::QuotaBudget quota_;

  AccountState state_ = AccountState::notLinked;
  std::optional<core::AccountTokens> tokens_;
  std::pair<std::string, std::string> why_;
  std::optional<core::DeviceFlow> flow_;
  std::uint64_t linkGeneration_ = 0;
  Json live_;  // the live being prepared or ready: id, stream_id, ingest, meeting
  LiveView liveView_{platform_, LiveState::none, {}, {}, {}, {}, {}};
  std::string lastBody_;

  // The chat's reader (issue 21).
  std::chrono::minutes expectedDuration_;
  std::shared_ptr<PrivateStore> chats_;
  core::ChatPoller poller_;
  SystemRandom random_;
  std::uint64_t chatGeneration_ = 0;
  bool chatRunning_ = false;
  std::string chatLive_;    // the video whose chat is read
  std::string liveChatId_;  // YouTube: its chat's id
  Json cursor_ = Json::object();
  std::set<std::string> seen_;
  std::deque<std::string> seenOrder_;
  std::uint64_t chatSequence_ = 0;
  std::deque<std::pair<std::uint64_t, Json>> pending_;  // batches sent, not yet kept: their cursor files
  Json chatWritten_;                                    // the record last written, without its time
  SteadyClock::time_point chatWrittenAt_{};
  int streamFailures_ = 0;  // YouTube's streamList not working, in a row

  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<SteadyClock::time_point, std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

PlatformService::PlatformService(const core::Config& config, std::filesystem::path dataDir,
                                 PlatformListener& listener) {
  auto accounts = std::make_shared<PrivateStore>(dataDir / "accounts.json");
  auto lives = std::make_shared<PrivateStore>(dataDir / "lives.json");
  auto chats = std::make_shared<PrivateStore>(dataDir / "chats.json");
  const auto& p = config.platforms;
  for (const auto platform : core::kPlatformIds) {
    const bool used = (platform == PlatformId::youtube && p.youtube) ||
                      (platform == PlatformId::facebook && p.facebook) ||
                      (platform == PlatformId::peertube && p.peertube);
    if (used) workers_[platform] = std::make_unique<Worker>(platform, config, accounts, lives, chats, listener);
  }
}

PlatformService::~PlatformService() = default;

bool PlatformService::configured(PlatformId platform) const { return workers_.contains(platform); }

std::vector<PlatformId> PlatformService::platforms() const {
  std::vector<PlatformId> out;
  for (const auto& [platform, worker] : workers_) out.push_back(platform);
  return out;
}

void PlatformService::start() {
  for (auto& [platform, worker] : workers_) worker->post([w = worker.get()] { w->start(); });
}

void PlatformService::link(PlatformId platform) {
  if (auto found = workers_.find(platform); found != workers_.end()) {
    found->second->post([w = found->second.get()] { w->link(); });
  }
}

void PlatformService::unlink(PlatformId platform) {
  if (auto found = workers_.find(platform); found != workers_.end()) {
    found->second->post([w = found->second.get()] { w->unlink(); });
  }
}

void PlatformService::prepare(const MeetingForLives& meeting) {
  for (auto& [platform, worker] : workers_) prepare(platform, meeting);
}

void PlatformService::prepare(PlatformId platform, const MeetingForLives& meeting) {
  if (auto found = workers_.find(platform); found != workers_.end()) {
    found->second->post([w = found->second.get(), meeting] { w->prepare(meeting, 0); });
  }
}

void PlatformService::endLives() {
  for (auto& [platform, worker] : workers_) worker->post([w = worker.get()] { w->end(); });
}

void PlatformService::writeChapters(std::string chapters) {
  if (auto found = workers_.find(PlatformId::youtube); found != workers_.end()) {
    found->second->post([w = found->second.get(), chapters = std::move(chapters)] { w->writeChapters(chapters); });
  }
}

void PlatformService::watch(PlatformId platform, std::string liveId) {
  const auto found = workers_.find(platform);
  if (found == workers_.end()) return;
  auto* worker = found->second.get();
  worker->post([worker, liveId = std::move(liveId)] { worker->startChat(liveId); });
}

void PlatformService::chatKept(PlatformId platform, std::uint64_t sequence) {
  const auto found = workers_.find(platform);
  if (found == workers_.end()) return;
  auto* worker = found->second.get();
  worker->post([worker, sequence] { worker->chatKept(sequence); });
}

void PlatformService::reply(PlatformId platform, std::string messageId, std::string text) {
  const auto found = workers_.find(platform);
  if (found == workers_.end()) return;
  auto* worker = found->second.get();
  worker->post([worker, messageId = std::move(messageId), text = std::move(text)] { worker->reply(messageId, text); });
}

void PlatformService::pollAudience() {
  for (auto& [platform, worker] : workers_) worker->post([w = worker.get()] { w->pollAudience(); });
}

}  // namespace tribune::platforms
