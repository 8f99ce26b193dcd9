#pragma once
// From a meeting to the lives Tribune prepares on the platforms (issue 20): the title, the
// description and the schedule, the request each platform wants, and what its answer
// means (the ingest address and key, the live's id and public link, the audience). Pure:
// the adapter sends what is built here and hands the answers back. Shapes:
// ../shared/research/platform-apis.md §1.2, §2, §4.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/agenda.h"
#include "core/platform_account.h"
#include "core/secret.h"

namespace tribune::core {

// The configuration's templates (French), with {{commune}}, {{title}} ("Conseil municipal"),
// {{date}} ("jeudi 3 décembre 2026"), {{time}} ("18 h 30", empty when none), {{place}},
// {{agenda}} (the items as a numbered list, one a line: "1. Budget primitif 2027"),
// {{questions_url}} (the question page's address, empty when none). A line whose every
// variable is empty is left out (no "Questions : " without an address), and so is a second
// blank line in a row; lines lose the spaces at their ends; a misspelt {{name}} stays as
// written. The time and the place have a line each since either may be missing ("… à , ."
// otherwise).
struct LiveTemplates {
  std::string title = "{{title}} du {{date}} — {{commune}}";
  std::string description =
      "{{title}} de {{commune}}, {{date}}.\nHeure : {{time}}\nLieu : {{place}}\n\nOrdre du jour :\n{{agenda}}\n\n"
      "Posez vos questions : {{questions_url}}";
};

enum class LivePrivacy { isPublic, unlisted, isPrivate };
std::string_view toString(LivePrivacy privacy);  // "public", "unlisted", "private"
std::optional<LivePrivacy> livePrivacyFromString(std::string_view text);

struct LivePlan {
  PlatformId platform = PlatformId::youtube;
  // Within the platform's limits, cut between two characters and ended by "…" when too long.
  std::string title;        // YouTube 100 characters (no '<' '>'), Facebook 254, PeerTube 120
  std::string description;  // YouTube 5000 bytes (no '<' '>'), PeerTube 10,000 characters
  WallTime scheduledStart{};
  LivePrivacy privacy = LivePrivacy::isPublic;
};

// YouTube refuses '<' and '>' in titles and descriptions: the text with the single angle
// quotation marks ‹ › instead, which look the same to a reader.
std::string withoutAngleBrackets(std::string_view text);

// "jeudi 3 décembre 2026" from "2026-12-03"; empty when the date is not a real one.
std::string frenchDate(std::string_view isoDate);
// The plan for one platform. `now` is used when the meeting has no date or time (then the
// live is scheduled now), and as the floor (a schedule in the past is moved to now).
LivePlan planLive(PlatformId platform, const MeetingInfo& meeting, const std::vector<AgendaItem>& items,
                  const LiveTemplates& templates, LivePrivacy privacy, const std::string& questionsUrl, WallTime now);

// ---------------------------------------------------------------------------------------
// Requests (bodies as the platforms document them).
// YouTube liveBroadcasts.insert (part=snippet,status,contentDetails): auto start and stop on,
// DVR on, monitor stream off, made for kids false.
std::string youTubeBroadcastBody(const LivePlan& plan);
// YouTube liveStreams.insert (part=snippet,cdn,contentDetails): rtmp, variable, not reusable.
std::string youTubeStreamBody(const LivePlan& plan);
// Facebook POST /{page-id}/live_videos form fields (name, value): title, description, status
// (LIVE_NOW, or SCHEDULED_UNPUBLISHED with event_params when the start is more than 10
// minutes away and less than 7 days), privacy as {"value": "EVERYONE"}, or "SELF" when not
// public (Facebook has no "unlisted").
std::vector<std::pair<std::string, std::string>> facebookLiveForm(const LivePlan& plan, WallTime now);
// PeerTube POST /api/v1/videos/live form fields: channelId, name, description, privacy (1
// public, 2 unlisted, 3 private), saveReplay true, permanentLive false.
std::vector<std::pair<std::string, std::string>> peerTubeLiveForm(const LivePlan& plan, const std::string& channelId);

// ---------------------------------------------------------------------------------------
// Answers. Every parser takes untrusted text: a missing or wrongly typed field is an error
// naming it, never an exception. Ids go into request paths, so only letters, digits, '-'
// and '_' are taken; ingest URLs and keys must read as a destination's (parsePublishUrl).
struct Ingest {
  std::string url;  // rtmps://…/app (no key); RTMPS preferred where offered
  Secret key;
};
struct PreparedLive {
  std::string id;        // broadcast id, live video id, video uuid
  std::string streamId;  // YouTube's liveStream id (to bind); empty elsewhere
  std::optional<Ingest> ingest;
  // https://www.youtube.com/watch?v=…, Facebook's permalink (when the answer has one);
  // empty for PeerTube, whose video page is on the instance only the adapter knows.
  std::string publicUrl;
};
struct LiveAnswer {
  std::optional<PreparedLive> live;
  std::string error;  // when live is empty: which field was wrong ("cdn.ingestionInfo.streamName: missing")
};
LiveAnswer parseYouTubeBroadcast(std::string_view body);  // id → publicUrl
LiveAnswer parseYouTubeStream(std::string_view body);     // id → streamId, cdn.ingestionInfo → ingest
LiveAnswer parseFacebookLive(std::string_view body);      // id, secure_stream_url (split at the key), permalink_url
// GET /{live-id}?fields=permalink_url: the live's public page, "" when the answer has none.
std::string parseFacebookPermalink(std::string_view body);
LiveAnswer parsePeerTubeCreated(std::string_view body);  // {"video": {"id", "uuid"}}
LiveAnswer parsePeerTubeLive(std::string_view body);     // rtmpsUrl or rtmpUrl, streamKey

// Concurrent viewers: YouTube videos.list?part=liveStreamingDetails (items[0].liveStreamingDetails.
// concurrentViewers, a string), Facebook GET /{id}?fields=live_views, PeerTube GET /videos/{id}
// (viewers). Nothing when the answer has no figure (the live is not on air).
std::optional<long long> parseViewers(PlatformId platform, std::string_view body);

}  // namespace tribune::core
