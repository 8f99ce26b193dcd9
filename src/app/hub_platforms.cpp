// The hub and the platforms (issue 20): glue only. The platforms' adapter
// (platforms::PlatformService, its own threads) reports through PlatformListener, posted
// here to the hub thread; the core's PlatformBoard decides what it means and which orders
// follow; the hub carries them out and turns a ready live into a destination.
#include <boost/asio/post.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "app/hub.h"
#include "app/hub_internal.h"
#include "core/session.h"

namespace tribune::app {

namespace {

// The meeting the lives are made from: the agenda's meeting (the commune from the branding
// when the agenda has none), its items, and the question page's address.
platforms::MeetingForLives meetingForLives(const HubOptions& options, const std::string& meetingId) {
  platforms::MeetingForLives out;
  out.key = meetingId;
  if (options.agenda) {
    out.info = options.agenda->meeting;
    out.items = options.agenda->items;
  }
  if (out.info.commune.empty()) out.info.commune = options.config.branding.commune;
  if (out.info.title.empty()) out.info.title = std::string(core::kDefaultMeetingTitle);
  out.questionsUrl = options.config.graphics.questionUrl.value_or("");
  return out;
}

}  // namespace

std::string youTubeChaptersOf(const ExportResult& result) {
  for (const auto& file : result.files) {
    if (file.filename() != "chapitres-youtube.txt") continue;
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  return {};
}

void Hub::writeChaptersToPlatforms(const std::string& chapters) {
  const auto& youtube = options_.config.platforms.youtube;
  if (!platformService_ || !youtube || !youtube->chaptersInDescription || chapters.empty()) return;
  platformService_->writeChapters(chapters);
}

void Hub::recordAudience(std::vector<core::MeetingEvent>& events) {
  if (!closesSession(events)) return;
  const auto audience = platformBoard_.audience();
  if (audience.empty()) return;
  if (!meeting_.audienceMeasured(audience, core::Clock::now()).ok()) return;
  for (auto& event : meeting_.takeEvents()) events.push_back(std::move(event));
}

void Hub::carryOutPlatformOrders() {
  for (const auto& order : platformBoard_.takeOrders()) {
    if (!platformService_) continue;
    hubLogger()->info("plateformes : {} {}", core::toString(order.platform), core::toString(order.action));
    switch (order.action) {
      case core::PlatformAction::link: platformService_->link(order.platform); break;
      case core::PlatformAction::unlink: platformService_->unlink(order.platform); break;
      case core::PlatformAction::prepare:
        platformService_->prepare(order.platform, meetingForLives(options_, meeting_.id()));
        break;
      case core::PlatformAction::end: platformService_->endLives(); break;
      case core::PlatformAction::pollAudience: platformService_->pollAudience(); break;
      case core::PlatformAction::watch: platformService_->watch(order.platform, order.liveId); break;
    }
  }
}

void Hub::onAccount(const platforms::AccountView& account) {
  boost::asio::post(io_, [this, account] {
    platformBoard_.account(
        account.platform,
        core::PlatformAccountStatus{account.state, account.accountName, account.userCode, account.verificationUrl,
                                    account.codeExpiresAt, account.why, account.whyEnglish});
    if (account.state == core::AccountState::reconnect) {
      hubLogger()->warn("compte {} à reconnecter / to be reconnected: {}", core::displayName(account.platform),
                        account.why);
    }
    carryOutPlatformOrders();
    pushStatus();
    publishLives();
  });
}

void Hub::onLive(const platforms::LiveView& live, const std::optional<core::Ingest>& ingest) {
  boost::asio::post(io_, [this, live, ingest] {
    platformBoard_.live(live.platform, core::PlatformLiveStatus{std::string(platforms::toString(live.state)),
                                                                live.id,
                                                                live.publicUrl,
                                                                live.title,
                                                                live.error,
                                                                live.errorEnglish,
                                                                {},
                                                                live.chaptersWritten});
    if (ingest) feedLive(live.platform, *ingest);
    if (live.state == platforms::LiveState::failed) {
      hubLogger()->warn("direct {} non préparé / live not prepared: {}", core::displayName(live.platform), live.error);
    }
    execute();
    pushStatus();
    publishLives();
  });
}

nlohmann::json Hub::publicLives() const {
  nlohmann::json lives = nlohmann::json::array();
  for (const auto& platform : platformBoard_.toJson()) {
    const auto& live = platform["live"];
    if (live.value("state", "") != "ready") continue;
    const auto url = live.value("url", "");
    // The board only holds the platforms' own addresses; anything but http(s) never reaches
    // a page, which checks again before it builds a player from one.
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) continue;
    lives.push_back({{"platform", platform["platform"]}, {"url", url}});
  }
  return lives;
}

// Unsequenced, like the status: the lives are not the meeting's events, and a viewer that
// reconnects finds them in its snapshot.
void Hub::publishLives() {
  auto lives = publicLives();
  if (lives == sentLives_) return;
  sentLives_ = std::move(lives);
  if (!web_) return;
  const nlohmann::json message{{"type", "lives"}, {"lives", sentLives_}};
  edgePublish(lastSeq_, "", message);  // the edges' mirrors keep it for their viewers' snapshots
  const auto viewers = clientsWithRole(core::Role::Viewer);
  if (viewers.empty()) return;
  web_->broadcast(viewers, message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Hub::onViewers(core::PlatformId platform, long long viewers) {
  boost::asio::post(io_, [this, platform, viewers] {
    platformBoard_.viewers(platform, viewers, std::chrono::system_clock::now());
    pushStatus();
  });
}

void Hub::onQuota(const platforms::QuotaView& quota) {
  boost::asio::post(io_, [this, quota] {
    platformBoard_.quota(
        core::PlatformQuotaStatus{quota.used, quota.remaining, quota.daily, quota.exhausted, quota.nextReset});
  });
}

void Hub::onChatStatus(core::PlatformId platform, const core::ChatStatus& status) {
  boost::asio::post(io_, [this, platform, status] {
    platformBoard_.chat(platform, status);
    pushStatus();
  });
}

void Hub::onChatMessages(const platforms::ChatBatch& batch) {
  boost::asio::post(io_, [this, batch] { takeChatBatch(batch); });
}

void Hub::takeChatBatch(const platforms::ChatBatch& batch) {
  const auto now = core::Clock::now();
  const auto origin = std::string(core::toString(batch.platform));
  // Withdrawn on the platform: a question still waiting for the moderator goes; one the
  // moderator already took stays (the moderator decided).
  for (const auto& id : batch.deletedIds) {
    const auto question = meeting_.questions().fromOrigin(origin, id);
    const auto* found = question ? meeting_.questions().find(*question) : nullptr;
    if (found == nullptr || found->status != core::QuestionStatus::Pending) continue;
    if (meeting_.onQuestions([&](core::QuestionBoard& board) { return board.remove(*question); }, now).ok()) {
      hubLogger()->info("question {} retirée : son message {} a été supprimé / withdrawn: its {} message was deleted",
                        *question, core::displayName(batch.platform), core::displayName(batch.platform));
    }
  }
  std::size_t closed = 0;
  if (options_.config.questions.enabled) {
    for (const auto& message : batch.messages) {
      auto decision = chatIntake_->admit(message, meeting_.questions(), now, wallMs());
      if (!decision.question) continue;
      if (!meeting_.askQuestion(std::move(*decision.question), now).ok()) ++closed;
    }
  }
  if (closed > 0) {
    hubLogger()->info("{} message(s) {} non retenu(s) : questions closes / not kept: questions are closed", closed,
                      core::displayName(batch.platform));
  }
  const auto& counts = chatIntake_->counts(batch.platform);
  const auto kept =
      counts.verdicts.count(core::ChatVerdict::question) != 0 ? counts.verdicts.at(core::ChatVerdict::question) : 0;
  platformBoard_.chatCounts(batch.platform, counts.received, kept);
  auto events = meeting_.takeEvents();
  if (events.empty()) {
    if (platformService_) platformService_->chatKept(batch.platform, batch.sequence);
    pushStatus();
    return;
  }
  commit(std::move(events),
         [this, platform = batch.platform, sequence = batch.sequence](const std::vector<std::uint64_t>& seqs) {
           // Not written down: the cursor stays behind, the messages are read again.
           if (!seqs.empty() && platformService_) platformService_->chatKept(platform, sequence);
         });
  pushStatus();
}

void Hub::replyOnPlatforms(const std::vector<core::MeetingEvent>& events) {
  const auto& chat = options_.config.platforms.chat;
  if (!platformService_ || !chat.replyWhenAnswered) return;
  for (const auto& event : events) {
    const auto id = event.data.value("id", std::uint64_t{0});
    const auto* question = meeting_.questions().find(id);
    if (question == nullptr || question->origin == "site" || question->originId.empty()) continue;
    const auto platform = core::platformFromString(question->origin);
    if (!platform || !platformService_->configured(*platform)) continue;
    const auto& configured = event.type == "question_answered" ? chat.replyText : chat.writtenReplyText;
    platformService_->reply(
        *platform, question->originId,
        core::chatReply(*platform, question->pseudonym, configured, std::chrono::system_clock::now()));
  }
}

void Hub::feedLive(core::PlatformId platform, const core::Ingest& ingest) {
  std::vector<core::DestinationSettings> existing;
  for (const auto& destination : broadcast_.destinations()) existing.push_back(destination.settings);
  auto decided = platformBoard_.destinationFor(platform, ingest.url, ingest.key, existing);
  if (!decided.destination) {
    hubLogger()->warn("{}", decided.error);
    return;
  }
  const auto now = core::Clock::now();
  auto& d = *decided.destination;
  if (d.replace) {
    const core::Destination* current = broadcast_.find(d.name);
    if (current != nullptr && current->settings.url.full() == d.url.full()) return;  // the same live again
    hubLogger()->info(
        "destination {}: le direct préparé remplace la clé collée / the prepared live replaces the "
        "pasted key ({})",
        d.name, d.url.masked());
    broadcast_.setUrl(d.name, std::move(d.url), now);
  } else {
    hubLogger()->info("destination {}: direct préparé par l'API / live prepared by the API ({})", d.name,
                      d.url.masked());
    core::DestinationSettings settings;
    settings.name = d.name;
    settings.platform = std::string(core::toString(platform));
    settings.url = std::move(d.url);
    broadcast_.addDestination(std::move(settings), now);
  }
}

}  // namespace tribune::app
