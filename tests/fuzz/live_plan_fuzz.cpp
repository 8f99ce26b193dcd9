// libFuzzer for the platforms' answers and the live plans (core/live_plan.h). An answer is
// untrusted text from the network: whatever it holds, a parser says either what the live
// is, with ids and ingests a caller can use as they are, or what is wrong, and nothing
// escapes. A plan is built from a meeting anyone could have typed: whatever it holds, its
// texts are well-formed UTF-8 within the platform's limits and the request bodies are JSON.
#include "live_plan_fuzz.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/live_plan.h"
#include "core/platform_identity.h"
#include "core/publish_url.h"
#include "core/text_screen.h"

namespace tribune::fuzz {
namespace {

using core::LiveAnswer;
using core::PlatformId;

constexpr std::size_t kMaxItems = 300;

void require(bool condition) {
  if (!condition) std::abort();
}

bool isPathSafe(const std::string& id) {
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Either a live or an error, never both or neither; a live's ids go into paths as they
// are, and its ingest is one a destination accepts.
void checkAnswer(const LiveAnswer& answer) {
  require(answer.live.has_value() == answer.error.empty());
  if (!answer.live) return;
  const auto& live = *answer.live;
  require(isPathSafe(live.id) && isPathSafe(live.streamId));
  if (live.ingest) {
    require(!live.ingest->url.empty() && live.ingest->url.back() != '/');
    require(!live.ingest->key.empty());
    const auto reread = core::parsePublishUrl(live.ingest->url, live.ingest->key);
    // A Facebook key may carry a query with '/', which a key given apart may not: then the
    // whole URL must read back with that key.
    const auto whole = core::parsePublishUrl(live.ingest->url + "/" + live.ingest->key.reveal());
    require(reread.url.has_value() || (whole.url.has_value() && whole.url->key == live.ingest->key));
  }
  require(live.publicUrl.empty() || live.publicUrl.rfind("https://", 0) == 0);
}

// The texts of a plan are what any platform can be sent.
bool wellFormed(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

bool hasControl(const std::string& text, bool lineFeedsAllowed) {
  return std::any_of(text.begin(), text.end(), [lineFeedsAllowed](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20U && !(lineFeedsAllowed && c == '\n')) || byte == 0x7FU;
  });
}

void checkPlan(const core::LivePlan& plan, core::LivePrivacy privacy, core::WallTime now) {
  require(wellFormed(plan.title) && wellFormed(plan.description));
  require(!hasControl(plan.title, false) && !hasControl(plan.description, true));
  require(plan.description.find("\n\n\n") == std::string::npos);
  require(plan.description.empty() || (plan.description.front() != '\n' && plan.description.back() != '\n'));
  require(plan.scheduledStart >= now && plan.privacy == privacy);
  const auto titleCharacters = core::characterCount(plan.title);
  switch (plan.platform) {
    case PlatformId::youtube:
      require(titleCharacters <= 100 && plan.description.size() <= 5000);
      require(plan.title.find_first_of("<>") == std::string::npos);
      require(plan.description.find_first_of("<>") == std::string::npos);
      require(nlohmann::json::accept(core::youTubeBroadcastBody(plan)));
      require(nlohmann::json::accept(core::youTubeStreamBody(plan)));
      break;
    case PlatformId::facebook: {
      require(titleCharacters <= 254);
      const auto form = core::facebookLiveForm(plan, now);
      require(std::all_of(form.begin(), form.end(), [](const auto& field) {
        return (field.first != "event_params" && field.first != "privacy") || nlohmann::json::accept(field.second);
      }));
      break;
    }
    case PlatformId::peertube:
      require(titleCharacters <= 120 && core::characterCount(plan.description) <= 10000);
      require(core::peerTubeLiveForm(plan, "1").size() == 6);
      break;
  }
}

std::vector<std::string_view> fieldsOf(std::string_view text) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto end = text.find('\0');
    fields.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return fields;
    text.remove_prefix(end + 1);
  }
}

// Fields, NUL-separated: commune, title, date, time, place, questions URL, title template,
// description template (the defaults when absent), then item numbers and titles in pairs.
void fuzzPlan(std::string_view text) {
  const auto fields = fieldsOf(text);
  const auto field = [&fields](std::size_t at) { return at < fields.size() ? std::string(fields[at]) : std::string(); };
  const core::MeetingInfo meeting{field(0), field(1), field(2), field(3), field(4)};
  const auto questionsUrl = field(5);
  core::LiveTemplates templates;
  if (fields.size() > 6) templates.title = field(6);
  if (fields.size() > 7) templates.description = field(7);
  std::vector<core::AgendaItem> items;
  for (std::size_t at = 8; at < fields.size() && items.size() < kMaxItems; at += 2) {
    items.push_back({field(at), field(at + 1), "", core::ItemKind::Deliberation});
  }

  const auto date = core::frenchDate(meeting.date);
  require(date.empty() != core::isCalendarDate(meeting.date));
  const core::WallTime now{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours{9}};
  const auto privacy = static_cast<core::LivePrivacy>(text.size() % 3);
  for (const auto platform : core::kPlatformIds) {
    checkPlan(core::planLive(platform, meeting, items, templates, privacy, questionsUrl, now), privacy, now);
  }
}

// Who an account is: an identity or an error naming what is wrong, never both or neither;
// the id goes into paths as it is, and only a Facebook Page comes with a token.
void checkIdentity(const core::IdentityAnswer& answer, bool withToken) {
  require(answer.identity.has_value() == answer.error.empty());
  require(wellFormed(answer.error));
  if (!answer.identity) return;
  require(!answer.identity->id.empty() && isPathSafe(answer.identity->id));
  require(wellFormed(answer.identity->name));
  require(answer.identity->token.empty() != withToken);
}

// The answer, and what was asked for after a NUL (a Page id, a channel name). What is
// asked for comes from the configuration, which the JSON parser has read as UTF-8: a choice
// that is not is none.
std::pair<std::string_view, std::string_view> answerAndChoice(std::string_view body) {
  const auto nul = body.find('\0');
  if (nul == std::string_view::npos) return {body, {}};
  const auto choice = body.substr(nul + 1);
  return {body.substr(0, nul), wellFormed(std::string(choice)) ? choice : std::string_view()};
}

}  // namespace

bool isLivePlanInput(std::string_view input) {
  if (input.empty()) return false;
  const auto first = static_cast<std::uint8_t>(input.front());
  return first >= static_cast<std::uint8_t>(LivePlanTarget::youTubeBroadcast) &&
         first <= static_cast<std::uint8_t>(LivePlanTarget::peerTubeClient);
}

void fuzzLivePlan(std::string_view input) {
  const auto target = static_cast<LivePlanTarget>(input.front());
  const auto body = input.substr(1);
  switch (target) {
    case LivePlanTarget::youTubeBroadcast: {
      const auto answer = core::parseYouTubeBroadcast(body);
      checkAnswer(answer);
      require(!answer.live || answer.live->publicUrl == "https://www.youtube.com/watch?v=" + answer.live->id);
      break;
    }
    case LivePlanTarget::youTubeStream: checkAnswer(core::parseYouTubeStream(body)); break;
    case LivePlanTarget::facebookLive: checkAnswer(core::parseFacebookLive(body)); break;
    case LivePlanTarget::peerTubeCreated: checkAnswer(core::parsePeerTubeCreated(body)); break;
    case LivePlanTarget::peerTubeLive: checkAnswer(core::parsePeerTubeLive(body)); break;
    case LivePlanTarget::viewers:
      for (const auto platform : core::kPlatformIds) {
        const auto viewers = core::parseViewers(platform, body);
        require(!viewers || *viewers >= 0);
      }
      break;
    case LivePlanTarget::plan: fuzzPlan(body); break;
    case LivePlanTarget::youTubeChannel: checkIdentity(core::parseYouTubeChannel(body), false); break;
    case LivePlanTarget::facebookPages: {
      const auto [answer, page] = answerAndChoice(body);
      const auto identity = core::parseFacebookPages(answer, page);
      checkIdentity(identity, true);
      require(page.empty() || !identity.identity || identity.identity->id == page);
      break;
    }
    case LivePlanTarget::peerTubeMe: {
      const auto [answer, channel] = answerAndChoice(body);
      checkIdentity(core::parsePeerTubeMe(answer, channel), false);
      break;
    }
    case LivePlanTarget::peerTubeClient: {
      const auto client = core::parsePeerTubeClient(body);
      require(!client || (!client->id.empty() && !client->secret.empty()));
      break;
    }
  }
}

}  // namespace tribune::fuzz
