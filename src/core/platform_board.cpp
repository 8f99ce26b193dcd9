#include "core/platform_board.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace tribune::core {

namespace {

using Json = nlohmann::json;

std::int64_t unixSeconds(WallTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// Prometheus label values: the platform ids are fixed words, nothing to escape.
std::string label(PlatformId platform) { return "platform=\"" + std::string(toString(platform)) + "\""; }

}  // namespace

std::string_view toString(PlatformAction action) {
  switch (action) {
    case PlatformAction::link: return "link";
    case PlatformAction::unlink: return "unlink";
    case PlatformAction::prepare: return "prepare";
    case PlatformAction::end: return "end";
    case PlatformAction::pollAudience: return "poll_audience";
    case PlatformAction::watch: return "watch";
  }
  return "link";
}

PlatformBoard::PlatformBoard(const PlatformsSettings& settings, const std::vector<DestinationSettings>& destinations)
    : audienceInterval_(settings.audienceInterval) {
  auto add = [&](PlatformId id, bool autoCreate) {
    Entry entry{id, autoCreate, {}, {}, {}, {}, 0, false, {}, 0, 0};
    entry.pastedKey = std::any_of(destinations.begin(), destinations.end(),
                                  [&](const DestinationSettings& d) { return d.platform == toString(id); });
    platforms_.push_back(std::move(entry));
  };
  if (settings.youtube) add(PlatformId::youtube, settings.youtube->autoCreate);
  if (settings.facebook) add(PlatformId::facebook, settings.facebook->autoCreate);
  if (settings.peertube) add(PlatformId::peertube, settings.peertube->autoCreate);
}

bool PlatformBoard::configured(PlatformId platform) const { return find(platform) != nullptr; }

PlatformBoard::Entry* PlatformBoard::find(PlatformId platform) {
  const auto found =
      std::find_if(platforms_.begin(), platforms_.end(), [&](const Entry& e) { return e.id == platform; });
  return found == platforms_.end() ? nullptr : &*found;
}

const PlatformBoard::Entry* PlatformBoard::find(PlatformId platform) const {
  const auto found =
      std::find_if(platforms_.begin(), platforms_.end(), [&](const Entry& e) { return e.id == platform; });
  return found == platforms_.end() ? nullptr : &*found;
}

PlatformBoard::Entry* PlatformBoard::find(std::string_view platform) {
  const auto id = platformFromString(platform);
  return id ? find(*id) : nullptr;
}

std::optional<std::string> PlatformBoard::unknown(std::string_view platform) const {
  const auto id = platformFromString(platform);
  if (!id) return "plateforme inconnue : " + std::string(platform) + " (youtube, facebook ou peertube)";
  if (!configured(*id)) {
    return std::string(displayName(*id)) + " n'est pas configuré : ajoutez platforms." + std::string(platform) +
           " à la configuration (docs/PLATFORMS.md)";
  }
  return std::nullopt;
}

std::optional<std::string> PlatformBoard::link(std::string_view platform) {
  if (auto problem = unknown(platform)) return problem;
  orders_.push_back({*platformFromString(platform), PlatformAction::link});
  return std::nullopt;
}

std::optional<std::string> PlatformBoard::watch(std::string_view platform, std::string liveId) {
  if (auto problem = unknown(platform)) return problem;
  const auto* entry = find(platform);
  if (entry->account.state != AccountState::linked) {
    return "Le compte " + std::string(displayName(entry->id)) +
           " n'est pas relié : reliez-le dans Comptes pour lire les commentaires de ce direct.";
  }
  orders_.push_back({entry->id, PlatformAction::watch, std::move(liveId)});
  return std::nullopt;
}

void PlatformBoard::chat(PlatformId platform, ChatStatus status) {
  if (auto* entry = find(platform)) entry->chat = std::move(status);
}

void PlatformBoard::chatCounts(PlatformId platform, std::uint64_t received, std::uint64_t questions) {
  if (auto* entry = find(platform)) {
    entry->chatReceived = received;
    entry->chatQuestions = questions;
  }
}

std::optional<std::string> PlatformBoard::unlink(std::string_view platform) {
  if (auto problem = unknown(platform)) return problem;
  orders_.push_back({*platformFromString(platform), PlatformAction::unlink});
  return std::nullopt;
}

std::optional<std::string> PlatformBoard::prepare(std::string_view platform) {
  if (platform.empty()) {
    bool any = false;
    for (const auto& entry : platforms_) {
      if (entry.account.state != AccountState::linked) continue;
      orders_.push_back({entry.id, PlatformAction::prepare});
      any = true;
    }
    if (!any) return std::string("aucun compte relié : reliez YouTube, Facebook ou PeerTube dans Comptes");
    return std::nullopt;
  }
  if (auto problem = unknown(platform)) return problem;
  const Entry* entry = find(*platformFromString(platform));
  if (entry->account.state != AccountState::linked) {
    return "le compte " + std::string(displayName(entry->id)) + " n'est pas relié : reliez-le d'abord";
  }
  orders_.push_back({entry->id, PlatformAction::prepare});
  return std::nullopt;
}

std::optional<std::string> PlatformBoard::end() {
  for (const auto& entry : platforms_) {
    if (entry.live.state == "ready") orders_.push_back({entry.id, PlatformAction::end});
  }
  return std::nullopt;
}

void PlatformBoard::commandDone(std::string_view type) {
  if (type == "broadcast.start") {
    broadcasting_ = true;
    for (const auto& entry : platforms_) {
      const bool under = entry.live.state == "ready" || entry.live.state == "preparing";
      if (entry.autoCreate && entry.account.state == AccountState::linked && !under) {
        orders_.push_back({entry.id, PlatformAction::prepare});
      }
    }
  } else if (type == "broadcast.stop") {
    broadcasting_ = false;
  } else if (type == "session.end") {
    end();
  }
}

void PlatformBoard::tick(WallTime now) {
  const bool anyReady =
      std::any_of(platforms_.begin(), platforms_.end(), [](const Entry& e) { return e.live.state == "ready"; });
  if (!anyReady) return;
  if (lastAudienceAt_ && now - *lastAudienceAt_ < audienceInterval_) return;
  lastAudienceAt_ = now;
  for (const auto& entry : platforms_) {
    if (entry.live.state == "ready") orders_.push_back({entry.id, PlatformAction::pollAudience});
  }
}

std::vector<PlatformOrder> PlatformBoard::takeOrders() { return std::exchange(orders_, {}); }

void PlatformBoard::account(PlatformId platform, PlatformAccountStatus status) {
  Entry* entry = find(platform);
  if (entry == nullptr) return;
  const bool nowLinked = status.state == AccountState::linked && entry->account.state != AccountState::linked;
  entry->account = std::move(status);
  // Linked while the broadcast runs (at launch, the kept account is reported after the
  // start): the auto_create live is prepared then.
  if (nowLinked && broadcasting_ && entry->autoCreate && entry->live.state == "none") {
    orders_.push_back({entry->id, PlatformAction::prepare});
  }
}

void PlatformBoard::live(PlatformId platform, PlatformLiveStatus status) {
  Entry* entry = find(platform);
  if (entry == nullptr) return;
  if (status.destination.empty()) status.destination = entry->live.destination;
  if (status.state == "failed" && entry->pastedKey) {
    status.error += " — la clé de diffusion de la configuration est utilisée à la place";
    status.errorEnglish += " — the configuration's stream key is used instead";
  }
  entry->live = std::move(status);
}

void PlatformBoard::quota(PlatformQuotaStatus status) { quota_ = status; }

void PlatformBoard::viewers(PlatformId platform, long long viewers, WallTime now) {
  Entry* entry = find(platform);
  if (entry == nullptr || viewers < 0) return;
  if (!audienceStart_) audienceStart_ = now;
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(now - *audienceStart_).count();
  entry->viewers = viewers;
  entry->perMinute[minute] = viewers;
  entry->peak = std::max(entry->peak, viewers);
}

PlatformBoard::LiveDestinationResult PlatformBoard::destinationFor(PlatformId platform, const std::string& ingestUrl,
                                                                   const Secret& key,
                                                                   const std::vector<DestinationSettings>& existing) {
  auto parsed = parsePublishUrl(ingestUrl, key);
  if (!parsed.url) {
    return {std::nullopt, "adresse d'envoi donnée par " + std::string(displayName(platform)) +
                              " inutilisable : " + (parsed.error ? parsed.error->message : std::string("?"))};
  }
  const std::string id(toString(platform));
  // The configuration's destination of that platform (the pasted key), else one named after it.
  const auto same =
      std::find_if(existing.begin(), existing.end(), [&](const DestinationSettings& d) { return d.platform == id; });
  LiveDestination out;
  out.url = std::move(*parsed.url);
  if (same != existing.end()) {
    out.name = same->name;
    out.replace = true;
  } else {
    out.name = id;
    for (int n = 2; std::any_of(existing.begin(), existing.end(), [&](const auto& d) { return d.name == out.name; });
         ++n) {
      out.name = id + "-" + std::to_string(n);
    }
  }
  if (Entry* entry = find(platform)) entry->live.destination = out.name;
  return {std::move(out), {}};
}

Json PlatformBoard::toJson() const {
  Json platforms = Json::array();
  for (const auto& entry : platforms_) {
    Json account{{"state", std::string(toString(entry.account.state))},
                 {"name", entry.account.accountName},
                 {"why", entry.account.why},
                 {"why_en", entry.account.whyEnglish}};
    if (entry.account.state == AccountState::linking && !entry.account.userCode.empty()) {
      account["user_code"] = entry.account.userCode;
      account["verification_url"] = entry.account.verificationUrl;
      if (entry.account.codeExpiresAt) account["code_expires_at"] = unixSeconds(*entry.account.codeExpiresAt);
    }
    Json live{{"state", entry.live.state},
              {"id", entry.live.id},
              {"url", entry.live.publicUrl},
              {"title", entry.live.title},
              {"error", entry.live.error},
              {"error_en", entry.live.errorEnglish},
              {"destination", entry.live.destination},
              {"chapters_written", entry.live.chaptersWritten}};
    Json item{{"platform", std::string(toString(entry.id))},
              {"name", std::string(displayName(entry.id))},
              {"auto_create", entry.autoCreate},
              {"account", std::move(account)},
              {"live", std::move(live)},
              {"viewers", entry.viewers ? Json(*entry.viewers) : Json()},
              {"peak_viewers", entry.peak}};
    if (entry.chat) {
      item["chat"] = Json{{"state", std::string(toString(entry.chat->state))},
                          {"label", entry.chat->french},
                          {"label_en", entry.chat->english},
                          {"received", entry.chatReceived},
                          {"questions", entry.chatQuestions}};
    }
    if (entry.id == PlatformId::youtube && quota_) {
      item["quota"] = Json{{"used", quota_->used},
                           {"remaining", quota_->remaining},
                           {"daily", quota_->daily},
                           {"exhausted", quota_->exhausted},
                           {"next_reset", unixSeconds(quota_->nextReset)}};
    }
    platforms.push_back(std::move(item));
  }
  return platforms;
}

std::string PlatformBoard::metrics() const {
  if (platforms_.empty()) return {};
  std::ostringstream out;
  out << "# HELP tribune_platform_viewers Concurrent viewers of the live on each platform, as it last said.\n"
      << "# TYPE tribune_platform_viewers gauge\n";
  for (const auto& entry : platforms_) {
    if (entry.viewers) out << "tribune_platform_viewers{" << label(entry.id) << "} " << *entry.viewers << "\n";
  }
  out << "# HELP tribune_platform_account_linked 1 when the platform's account is linked and working.\n"
      << "# TYPE tribune_platform_account_linked gauge\n";
  for (const auto& entry : platforms_) {
    out << "tribune_platform_account_linked{" << label(entry.id) << "} "
        << (entry.account.state == AccountState::linked ? 1 : 0) << "\n";
  }
  out << "# HELP tribune_platform_chat_messages_total Messages read from the live's chat or comments.\n"
      << "# TYPE tribune_platform_chat_messages_total counter\n";
  for (const auto& entry : platforms_) {
    out << "tribune_platform_chat_messages_total{" << label(entry.id) << "} " << entry.chatReceived << "\n";
  }
  out << "# HELP tribune_platform_chat_questions_total Messages that became questions.\n"
      << "# TYPE tribune_platform_chat_questions_total counter\n";
  for (const auto& entry : platforms_) {
    out << "tribune_platform_chat_questions_total{" << label(entry.id) << "} " << entry.chatQuestions << "\n";
  }
  if (quota_) {
    out << "# HELP tribune_youtube_quota_remaining_units YouTube API units left today (Tribune's count).\n"
        << "# TYPE tribune_youtube_quota_remaining_units gauge\n"
        << "tribune_youtube_quota_remaining_units " << quota_->remaining << "\n";
  }
  return out.str();
}

Json PlatformBoard::audience() const {
  Json out = Json::object();
  for (const auto& entry : platforms_) {
    if (entry.perMinute.empty()) continue;
    Json series = Json::array();
    double sum = 0;
    for (const auto& [minute, viewers] : entry.perMinute) {
      series.push_back(Json{{"minute", minute}, {"viewers", viewers}});
      sum += static_cast<double>(viewers);
    }
    const double average = sum / static_cast<double>(entry.perMinute.size());
    out[std::string(toString(entry.id))] = Json{{"peak", entry.peak},
                                                {"average", std::round(average * 10) / 10},
                                                {"per_minute", std::move(series)},
                                                {"live_url", entry.live.publicUrl}};
  }
  return out;
}

}  // namespace tribune::core
