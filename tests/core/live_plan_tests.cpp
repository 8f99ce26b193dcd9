// The lives Tribune prepares on the platforms (core/live_plan.h): French dates, templates,
// platform limits, the request bodies, and the platforms' answers read as untrusted text.
#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "core/live_plan.h"
#include "core/text_screen.h"

using namespace tribune;
using namespace std::chrono_literals;
using namespace std::string_literals;
using core::LivePlan;
using core::LivePrivacy;
using core::PlatformId;
using core::WallTime;

namespace {

WallTime utc(int year, unsigned month, unsigned day, std::chrono::minutes time) {
  return WallTime{std::chrono::sys_days{std::chrono::year{year} / month / day} + time};
}

// U+1F3DB CLASSICAL BUILDING: four bytes in UTF-8.
constexpr std::string_view kColumns = "\U0001F3DB";

const WallTime kNow = utc(2026, 12, 1, 9h);  // a Tuesday morning, two days before the meeting

core::MeetingInfo villeurbanne() {
  return {"Villeurbanne", "Conseil municipal", "2026-12-03", "18:30", "Salle du conseil"};
}

std::vector<core::AgendaItem> twoItems() {
  return {{"1", "Budget primitif 2027", "", core::ItemKind::Deliberation},
          {"12 bis", "Subvention au club de rugby", "Mme Martin", core::ItemKind::Deliberation}};
}

LivePlan plan(PlatformId platform, const core::MeetingInfo& meeting = villeurbanne(),
              const std::vector<core::AgendaItem>& items = twoItems(), const core::LiveTemplates& templates = {},
              const std::string& questionsUrl = "https://tribune.example.fr/questions") {
  return core::planLive(platform, meeting, items, templates, LivePrivacy::isPublic, questionsUrl, kNow);
}

// Only the commune in the title or the description: to measure the platforms' limits.
LivePlan communeOnly(PlatformId platform, const std::string& commune) {
  core::LiveTemplates templates;
  templates.title = "{{commune}}";
  templates.description = "{{commune}}";
  auto meeting = villeurbanne();
  meeting.commune = commune;
  return plan(platform, meeting, {}, templates);
}

std::string repeated(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// nlohmann refuses to write ill-formed UTF-8: a cheap, independent check.
bool wellFormed(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

bool endsWith(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

std::string errorOf(const core::LiveAnswer& answer) {
  CHECK_FALSE(answer.live.has_value());
  return answer.error;
}

core::PreparedLive liveOf(const core::LiveAnswer& answer) {
  if (!answer.live) FAIL("unexpected error: " << answer.error);
  return *answer.live;
}

// Every parser on one body: none may throw or crash, whatever the body.
void parseEverywhere(std::string_view body) {
  CHECK_NOTHROW(core::parseYouTubeBroadcast(body));
  CHECK_NOTHROW(core::parseYouTubeStream(body));
  CHECK_NOTHROW(core::parseFacebookLive(body));
  CHECK_NOTHROW(core::parsePeerTubeCreated(body));
  CHECK_NOTHROW(core::parsePeerTubeLive(body));
  for (const auto platform : core::kPlatformIds) CHECK_NOTHROW(core::parseViewers(platform, body));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// French dates.

TEST_CASE("a French date names the weekday, the day, the month and the year", "[live_plan]") {
  CHECK(core::frenchDate("2026-12-03") == "jeudi 3 décembre 2026");
  CHECK(core::frenchDate("2026-08-15") == "samedi 15 août 2026");
  CHECK(core::frenchDate("2026-03-29") == "dimanche 29 mars 2026");
  CHECK(core::frenchDate("2026-10-25") == "dimanche 25 octobre 2026");
  CHECK(core::frenchDate("2026-06-18") == "jeudi 18 juin 2026");
  CHECK(core::frenchDate("2026-02-28") == "samedi 28 février 2026");
}

TEST_CASE("the first of the month is written 1er", "[live_plan]") {
  CHECK(core::frenchDate("2026-12-01") == "mardi 1er décembre 2026");
  CHECK(core::frenchDate("2027-01-01") == "vendredi 1er janvier 2027");
  CHECK(core::frenchDate("2026-03-01") == "dimanche 1er mars 2026");
  CHECK(core::frenchDate("2026-05-01") == "vendredi 1er mai 2026");
}

TEST_CASE("the 29th of February exists in leap years only", "[live_plan]") {
  CHECK(core::frenchDate("2024-02-29") == "jeudi 29 février 2024");
  CHECK(core::frenchDate("2028-02-29") == "mardi 29 février 2028");
  CHECK(core::frenchDate("2000-02-29") == "mardi 29 février 2000");
  CHECK(core::frenchDate("2026-02-29").empty());
  CHECK(core::frenchDate("2100-02-29").empty());
  CHECK(core::frenchDate("1900-02-29").empty());
}

TEST_CASE("a French date is empty for anything that is not a real YYYY-MM-DD date", "[live_plan]") {
  for (const auto* text : {"", "2026-13-01", "2026-00-10", "2026-04-31", "2026-12-00", "2026-12-3", "03/12/2026",
                           "2026-12-03T18:30", " 2026-12-03", "2026-12-03 ", "2O26-12-03", "jeudi"}) {
    INFO(text);
    CHECK(core::frenchDate(text).empty());
  }
  CHECK(core::frenchDate("2026-12-03\0"s).empty());
}

// ---------------------------------------------------------------------------------------
// Plans.

TEST_CASE("the default templates give the title and description of a meeting", "[live_plan]") {
  const auto youtube = plan(PlatformId::youtube);
  CHECK(youtube.platform == PlatformId::youtube);
  CHECK(youtube.title == "Conseil municipal du jeudi 3 décembre 2026 — Villeurbanne");
  CHECK(youtube.description ==
        "Conseil municipal de Villeurbanne, jeudi 3 décembre 2026.\n"
        "Heure : 18 h 30\n"
        "Lieu : Salle du conseil\n"
        "\n"
        "Ordre du jour :\n"
        "1. Budget primitif 2027\n"
        "12 bis. Subvention au club de rugby\n"
        "\n"
        "Posez vos questions : https://tribune.example.fr/questions");
  CHECK(youtube.privacy == LivePrivacy::isPublic);
}

TEST_CASE("a time on the hour is written without minutes, others with two digits", "[live_plan]") {
  core::LiveTemplates templates;
  templates.description = "{{time}}";
  auto meeting = villeurbanne();
  const auto timeOf = [&](const char* time) {
    meeting.time = time;
    return plan(PlatformId::peertube, meeting, {}, templates).description;
  };
  CHECK(timeOf("18:30") == "18 h 30");
  CHECK(timeOf("18:00") == "18 h");
  CHECK(timeOf("09:05") == "9 h 05");
  CHECK(timeOf("00:00") == "0 h");
  CHECK(timeOf("23:59") == "23 h 59");
  CHECK(timeOf("") == "");
  CHECK(timeOf("25:00") == "");
  CHECK(timeOf("18h30") == "");
}

TEST_CASE("a line whose every variable is empty is left out, and no blank line is doubled", "[live_plan]") {
  auto meeting = villeurbanne();
  meeting.time.clear();
  meeting.place.clear();
  const auto facebook = plan(PlatformId::facebook, meeting, twoItems(), {}, "");
  CHECK(facebook.description ==
        "Conseil municipal de Villeurbanne, jeudi 3 décembre 2026.\n"
        "\n"
        "Ordre du jour :\n"
        "1. Budget primitif 2027\n"
        "12 bis. Subvention au club de rugby");

  core::LiveTemplates templates;
  templates.description = "\n\nSéance de {{commune}}\n\n{{place}}\n\n\n{{questions_url}}\n\nFin\n\n";
  CHECK(plan(PlatformId::youtube, meeting, {}, templates, "").description == "Séance de Villeurbanne\n\nFin");
}

TEST_CASE("a line with one variable filled and another empty is kept", "[live_plan]") {
  core::LiveTemplates templates;
  templates.description = "{{place}} à {{time}}\n{{place}}{{questions_url}}";
  auto meeting = villeurbanne();
  meeting.place.clear();
  CHECK(plan(PlatformId::youtube, meeting, {}, templates, "").description == "à 18 h 30");
}

TEST_CASE("an empty agenda leaves its heading but not its line", "[live_plan]") {
  const auto youtube = plan(PlatformId::youtube, villeurbanne(), {}, {}, "");
  CHECK(youtube.description ==
        "Conseil municipal de Villeurbanne, jeudi 3 décembre 2026.\n"
        "Heure : 18 h 30\n"
        "Lieu : Salle du conseil\n"
        "\n"
        "Ordre du jour :");
}

TEST_CASE("the agenda uses the convocation's own numbers and keeps items on one line each", "[live_plan]") {
  core::LiveTemplates templates;
  templates.description = "{{agenda}}";
  const std::vector<core::AgendaItem> items = {
      {"1", "Procès-verbal de la séance du 5 novembre", "", core::ItemKind::Deliberation},
      {"12 bis", "Tarifs\nde la piscine", "", core::ItemKind::Deliberation},
      {"QD1", "Question de l'opposition", "", core::ItemKind::QuestionDiverse},
      {"", "Informations du maire", "", core::ItemKind::Information},
  };
  CHECK(plan(PlatformId::youtube, villeurbanne(), items, templates).description ==
        "1. Procès-verbal de la séance du 5 novembre\n"
        "12 bis. Tarifs de la piscine\n"
        "QD1. Question de l'opposition\n"
        "Informations du maire");
}

TEST_CASE("a misspelt variable stays as written and values are not expanded again", "[live_plan]") {
  core::LiveTemplates templates;
  templates.title = "{{ commune }} {{lieu}} {{commune";
  templates.description = "{{place}}";
  auto meeting = villeurbanne();
  meeting.place = "Salle {{commune}}";
  const auto youtube = plan(PlatformId::peertube, meeting, {}, templates);
  CHECK(youtube.title == "Villeurbanne {{lieu}} {{commune");
  CHECK(youtube.description == "Salle {{commune}}");
}

TEST_CASE("a meeting without a title is a Conseil municipal", "[live_plan]") {
  auto meeting = villeurbanne();
  meeting.title.clear();
  CHECK(plan(PlatformId::youtube, meeting).title == "Conseil municipal du jeudi 3 décembre 2026 — Villeurbanne");
  meeting.title = "Conseil communautaire";
  CHECK(plan(PlatformId::youtube, meeting).title == "Conseil communautaire du jeudi 3 décembre 2026 — Villeurbanne");
}

TEST_CASE("line breaks, tabs and control characters do not reach a title", "[live_plan]") {
  auto meeting = villeurbanne();
  meeting.commune = "Ville\n\turbanne\r\0\x7f"s;
  core::LiveTemplates templates;
  templates.title = "{{commune}}\n{{place}}";
  CHECK(plan(PlatformId::youtube, meeting, {}, templates).title == "Ville urbanne Salle du conseil");
}

TEST_CASE("ill-formed UTF-8 and NUL bytes never reach a plan", "[live_plan]") {
  auto meeting = villeurbanne();
  meeting.commune = "Saint-\xC3\0tienne \xFF\xFE \xED\xA0\x80 \xC0\xAF \xF4\x90\x80\x80"s;
  meeting.place = "Mairie\0annexe"s;
  const auto peertube = plan(PlatformId::peertube, meeting);
  CHECK(wellFormed(peertube.title));
  CHECK(wellFormed(peertube.description));
  CHECK(peertube.title.find('\0') == std::string::npos);
  CHECK(peertube.description.find('\0') == std::string::npos);
  CHECK(peertube.description.find("Lieu : Mairieannexe") != std::string::npos);
  CHECK(peertube.title == "Conseil municipal du jeudi 3 décembre 2026 — Saint-�tienne �� ��� �� ����");
}

TEST_CASE("YouTube gets angle quotation marks instead of '<' and '>'", "[live_plan]") {
  auto meeting = villeurbanne();
  meeting.commune = "<script>alert(1)</script>";
  const auto youtube = plan(PlatformId::youtube, meeting);
  CHECK(youtube.title == "Conseil municipal du jeudi 3 décembre 2026 — ‹script›alert(1)‹/script›");
  CHECK(youtube.description.find_first_of("<>") == std::string::npos);
  CHECK(youtube.description.find("‹script›") != std::string::npos);
  // The others take them as they are.
  CHECK(plan(PlatformId::facebook, meeting).title.find("<script>") != std::string::npos);
  CHECK(plan(PlatformId::peertube, meeting).description.find("<script>") != std::string::npos);
}

TEST_CASE("titles are cut to each platform's character limit, between two characters", "[live_plan]") {
  const auto accents = repeated("é", 300);
  SECTION("YouTube: 100") { CHECK(communeOnly(PlatformId::youtube, accents).title == repeated("é", 99) + "…"); }
  SECTION("Facebook: 254") { CHECK(communeOnly(PlatformId::facebook, accents).title == repeated("é", 253) + "…"); }
  SECTION("PeerTube: 120") { CHECK(communeOnly(PlatformId::peertube, accents).title == repeated("é", 119) + "…"); }
  SECTION("four-byte characters count as one") {
    const auto title = communeOnly(PlatformId::youtube, "a" + repeated(kColumns, 150)).title;
    CHECK(title == "a" + repeated(kColumns, 98) + "…");
    CHECK(core::characterCount(title) == 100);
  }
  SECTION("a title at the limit is not touched") {
    CHECK(communeOnly(PlatformId::youtube, repeated("é", 100)).title == repeated("é", 100));
    CHECK(communeOnly(PlatformId::youtube, repeated("é", 101)).title == repeated("é", 99) + "…");
  }
  SECTION("the blank before the cut goes") {
    CHECK(communeOnly(PlatformId::youtube, repeated("abcd ", 40)).title == repeated("abcd ", 19) + "abcd…");
  }
}

TEST_CASE("a YouTube description is cut to 5000 bytes without splitting a character", "[live_plan]") {
  SECTION("two-byte characters: the cut falls inside one, which goes") {
    const auto description = communeOnly(PlatformId::youtube, repeated("é", 2600)).description;
    CHECK(description == repeated("é", 2498) + "…");
    CHECK(description.size() == 4999);
  }
  SECTION("the cut falls between two characters") {
    const auto description = communeOnly(PlatformId::youtube, "a" + repeated("é", 2600)).description;
    CHECK(description == "a" + repeated("é", 2498) + "…");
    CHECK(description.size() == 5000);
  }
  SECTION("four-byte characters") {
    const auto description = communeOnly(PlatformId::youtube, "ab" + repeated(kColumns, 1300)).description;
    CHECK(description == "ab" + repeated(kColumns, 1248) + "…");
    CHECK(wellFormed(description));
  }
  SECTION("a long agenda is cut at the limit") {
    std::vector<core::AgendaItem> items;
    for (int i = 1; i <= 200; ++i) {
      items.push_back({std::to_string(i), "Délibération sur l'équipement numéro " + std::to_string(i), "",
                       core::ItemKind::Deliberation});
    }
    const auto youtube = plan(PlatformId::youtube, villeurbanne(), items);
    CHECK(youtube.description.size() <= 5000);
    CHECK(youtube.description.size() > 4900);
    CHECK(endsWith(youtube.description, "…"));
    CHECK(wellFormed(youtube.description));
    // Facebook has no such limit.
    CHECK(plan(PlatformId::facebook, villeurbanne(), items).description.size() > 9000);
  }
  SECTION("a description within the limit is not touched") {
    CHECK(communeOnly(PlatformId::youtube, repeated("é", 2500)).description == repeated("é", 2500));
  }
}

TEST_CASE("a PeerTube description is cut to 10,000 characters", "[live_plan]") {
  const auto description = communeOnly(PlatformId::peertube, repeated("é", 10001)).description;
  CHECK(description == repeated("é", 9999) + "…");
  CHECK(communeOnly(PlatformId::peertube, repeated("é", 10000)).description == repeated("é", 10000));
}

TEST_CASE("the live is scheduled at the meeting's Paris time", "[live_plan]") {
  // Winter: UTC+1.
  CHECK(plan(PlatformId::youtube).scheduledStart == utc(2026, 12, 3, 17h + 30min));
  // Summer: UTC+2.
  auto june = villeurbanne();
  june.date = "2027-06-17";
  june.time = "20:00";
  CHECK(plan(PlatformId::facebook, june).scheduledStart == utc(2027, 6, 17, 18h));
}

TEST_CASE("a meeting without a date or time, or already begun, is scheduled now", "[live_plan]") {
  auto meeting = villeurbanne();
  meeting.time.clear();
  CHECK(plan(PlatformId::youtube, meeting).scheduledStart == kNow);
  meeting = villeurbanne();
  meeting.date.clear();
  CHECK(plan(PlatformId::youtube, meeting).scheduledStart == kNow);
  meeting.date = "2026-02-30";
  CHECK(plan(PlatformId::youtube, meeting).scheduledStart == kNow);
  meeting = villeurbanne();
  meeting.date = "2026-11-30";
  CHECK(plan(PlatformId::youtube, meeting).scheduledStart == kNow);
  // Years a clock counting nanoseconds cannot hold (it ends in 2262): now, not an overflow.
  meeting.date = "1013-12-03";
  CHECK(plan(PlatformId::youtube, meeting).scheduledStart == kNow);
  meeting.date = "9999-12-31";
  CHECK(plan(PlatformId::youtube, meeting).scheduledStart == kNow);
  meeting.date = "2200-12-31";
  CHECK(plan(PlatformId::youtube, meeting).scheduledStart == utc(2200, 12, 31, 17h + 30min));
  // Started ten minutes ago: now.
  const auto started = utc(2026, 12, 3, 17h + 40min);
  CHECK(
      core::planLive(PlatformId::peertube, villeurbanne(), {}, {}, LivePrivacy::isPublic, "", started).scheduledStart ==
      started);
}

TEST_CASE("live privacy has stable names", "[live_plan]") {
  CHECK(core::toString(LivePrivacy::isPublic) == "public");
  CHECK(core::toString(LivePrivacy::unlisted) == "unlisted");
  CHECK(core::toString(LivePrivacy::isPrivate) == "private");
  for (const auto privacy : {LivePrivacy::isPublic, LivePrivacy::unlisted, LivePrivacy::isPrivate}) {
    CHECK(core::livePrivacyFromString(core::toString(privacy)) == privacy);
  }
  CHECK_FALSE(core::livePrivacyFromString("Public").has_value());
  CHECK_FALSE(core::livePrivacyFromString("").has_value());
  CHECK(core::planLive(PlatformId::youtube, villeurbanne(), {}, {}, LivePrivacy::unlisted, "", kNow).privacy ==
        LivePrivacy::unlisted);
}

// ---------------------------------------------------------------------------------------
// Requests.

TEST_CASE("the YouTube broadcast body is the documented insert body", "[live_plan]") {
  LivePlan broadcast;
  broadcast.title = "Conseil municipal 12/03";
  broadcast.description = "…";
  broadcast.scheduledStart = utc(2026, 3, 12, 18h + 30min);
  CHECK(
      core::youTubeBroadcastBody(broadcast) ==
      R"({"snippet":{"title":"Conseil municipal 12/03","description":"…","scheduledStartTime":"2026-03-12T18:30:00Z"},)"
      R"("status":{"privacyStatus":"public","selfDeclaredMadeForKids":false},)"
      R"("contentDetails":{"latencyPreference":"normal","enableAutoStart":true,"enableAutoStop":true,)"
      R"("enableDvr":true,"monitorStream":{"enableMonitorStream":false}}})");
  broadcast.privacy = LivePrivacy::unlisted;
  CHECK(nlohmann::json::parse(core::youTubeBroadcastBody(broadcast))["status"]["privacyStatus"] == "unlisted");
  broadcast.privacy = LivePrivacy::isPrivate;
  CHECK(nlohmann::json::parse(core::youTubeBroadcastBody(broadcast))["status"]["privacyStatus"] == "private");
}

TEST_CASE("the YouTube body of a plan carries its title, description and schedule", "[live_plan]") {
  const auto body = nlohmann::json::parse(core::youTubeBroadcastBody(plan(PlatformId::youtube)));
  CHECK(body["snippet"]["title"] == "Conseil municipal du jeudi 3 décembre 2026 — Villeurbanne");
  CHECK(body["snippet"]["description"].get<std::string>().rfind("Conseil municipal de Villeurbanne", 0) == 0);
  CHECK(body["snippet"]["scheduledStartTime"] == "2026-12-03T17:30:00Z");
}

TEST_CASE("the YouTube stream body asks for rtmp at variable resolution, not reusable", "[live_plan]") {
  LivePlan stream;
  stream.title = "Conseil \"municipal\"";
  CHECK(core::youTubeStreamBody(stream) ==
        R"({"snippet":{"title":"Conseil \"municipal\""},)"
        R"("cdn":{"ingestionType":"rtmp","resolution":"variable","frameRate":"variable"},)"
        R"("contentDetails":{"isReusable":false}})");
}

TEST_CASE("a body built from ill-formed text is still JSON", "[live_plan]") {
  LivePlan broken;
  broken.title = "Conseil \xFF\0"s;
  broken.description = "\xC3";
  const auto body = core::youTubeBroadcastBody(broken);
  REQUIRE(nlohmann::json::accept(body));
  CHECK(nlohmann::json::parse(body)["snippet"]["title"] == "Conseil \xEF\xBF\xBD\0"s);
  CHECK(nlohmann::json::accept(core::youTubeStreamBody(broken)));
}

TEST_CASE("Facebook goes live now unless the start is 10 minutes to 7 days away", "[live_plan]") {
  LivePlan live;
  live.platform = PlatformId::facebook;
  live.title = "Conseil municipal";
  live.description = "Ordre du jour";
  using Form = std::vector<std::pair<std::string, std::string>>;

  live.scheduledStart = kNow;
  CHECK(core::facebookLiveForm(live, kNow) == Form{{"title", "Conseil municipal"},
                                                   {"description", "Ordre du jour"},
                                                   {"status", "LIVE_NOW"},
                                                   {"privacy", R"({"value":"EVERYONE"})"}});

  live.scheduledStart = utc(2026, 12, 3, 17h + 30min);
  CHECK(core::facebookLiveForm(live, kNow) == Form{{"title", "Conseil municipal"},
                                                   {"description", "Ordre du jour"},
                                                   {"status", "SCHEDULED_UNPUBLISHED"},
                                                   {"event_params", R"({"start_time":1796319000})"},
                                                   {"privacy", R"({"value":"EVERYONE"})"}});

  const auto statusAt = [&](std::chrono::seconds ahead) {
    live.scheduledStart = kNow + ahead;
    return core::facebookLiveForm(live, kNow).at(2).second;
  };
  CHECK(statusAt(10min) == "LIVE_NOW");
  CHECK(statusAt(10min + 1s) == "SCHEDULED_UNPUBLISHED");
  CHECK(statusAt(std::chrono::hours(24 * 7) - 1s) == "SCHEDULED_UNPUBLISHED");
  CHECK(statusAt(std::chrono::hours(24 * 7)) == "LIVE_NOW");
  CHECK(statusAt(-1h) == "LIVE_NOW");
}

TEST_CASE("Facebook has no unlisted: whatever is not public is SELF", "[live_plan]") {
  LivePlan live;
  live.scheduledStart = kNow;
  const auto privacyOf = [&](LivePrivacy privacy) {
    live.privacy = privacy;
    return core::facebookLiveForm(live, kNow).back();
  };
  CHECK(privacyOf(LivePrivacy::isPublic) == std::pair<std::string, std::string>{"privacy", R"({"value":"EVERYONE"})"});
  CHECK(privacyOf(LivePrivacy::unlisted) == std::pair<std::string, std::string>{"privacy", R"({"value":"SELF"})"});
  CHECK(privacyOf(LivePrivacy::isPrivate) == std::pair<std::string, std::string>{"privacy", R"({"value":"SELF"})"});
}

TEST_CASE("the PeerTube form names the channel, privacy 1 to 3, a saved replay, not permanent", "[live_plan]") {
  using Form = std::vector<std::pair<std::string, std::string>>;
  LivePlan live;
  live.platform = PlatformId::peertube;
  live.title = "Conseil municipal";
  live.description = "Ordre du jour";
  CHECK(core::peerTubeLiveForm(live, "7") == Form{{"channelId", "7"},
                                                  {"name", "Conseil municipal"},
                                                  {"description", "Ordre du jour"},
                                                  {"privacy", "1"},
                                                  {"saveReplay", "true"},
                                                  {"permanentLive", "false"}});
  live.privacy = LivePrivacy::unlisted;
  CHECK(core::peerTubeLiveForm(live, "7").at(3).second == "2");
  live.privacy = LivePrivacy::isPrivate;
  CHECK(core::peerTubeLiveForm(live, "7").at(3).second == "3");
}

// ---------------------------------------------------------------------------------------
// Answers.

TEST_CASE("a YouTube broadcast answer gives its id and watch page", "[live_plan]") {
  const auto live = liveOf(core::parseYouTubeBroadcast(
      R"({"kind":"youtube#liveBroadcast","id":"Ab3_x-9YzQk","snippet":{"title":"Conseil","liveChatId":"KicKGFVD"},)"
      R"("status":{"lifeCycleStatus":"created"}})"));
  CHECK(live.id == "Ab3_x-9YzQk");
  CHECK(live.publicUrl == "https://www.youtube.com/watch?v=Ab3_x-9YzQk");
  CHECK(live.streamId.empty());
  CHECK_FALSE(live.ingest.has_value());
}

TEST_CASE("an answer that is not a JSON object is refused", "[live_plan]") {
  CHECK(errorOf(core::parseYouTubeBroadcast("")) == "$: not JSON");
  CHECK(errorOf(core::parseYouTubeBroadcast("<html>502 Bad Gateway</html>")) == "$: not JSON");
  CHECK(errorOf(core::parseYouTubeBroadcast(R"({"id":"abc")")) == "$: not JSON");
  CHECK(errorOf(core::parseYouTubeBroadcast("{\"id\":\"a\0\"}"s)) == "$: not JSON");
  CHECK(errorOf(core::parseYouTubeBroadcast(R"([{"id":"abc"}])")) == "$: expected an object, got an array");
  CHECK(errorOf(core::parseYouTubeStream("42")) == "$: expected an object, got an integer");
  CHECK(errorOf(core::parseFacebookLive(R"("id")")) == "$: expected an object, got a string");
  CHECK(errorOf(core::parsePeerTubeCreated("null")) == "$: expected an object, got null");
  CHECK(errorOf(core::parsePeerTubeLive("true")) == "$: expected an object, got a boolean");
}

TEST_CASE("a missing, empty or wrongly typed id is named", "[live_plan]") {
  CHECK(errorOf(core::parseYouTubeBroadcast("{}")) == "id: missing");
  CHECK(errorOf(core::parseYouTubeBroadcast(R"({"id":42})")) == "id: expected a string, got an integer");
  CHECK(errorOf(core::parseYouTubeBroadcast(R"({"id":null})")) == "id: expected a string, got null");
  CHECK(errorOf(core::parseYouTubeBroadcast(R"({"id":["x"]})")) == "id: expected a string, got an array");
  CHECK(errorOf(core::parseYouTubeBroadcast(R"({"id":""})")) == "id: empty");
  CHECK(errorOf(core::parseFacebookLive(R"({"id":10214937378883406})")) == "id: expected a string, got an integer");
}

TEST_CASE("an id that would not stay inside a request path is refused", "[live_plan]") {
  const std::string notAnId = "id: not an identifier (at most 128 letters, digits, '-' and '_')";
  for (const auto* body : {R"({"id":"../../channels"})", R"({"id":"abc?part=id"})", R"({"id":"a b"})",
                           R"({"id":"a\u0000b"})", R"({"id":"é"})", R"({"id":"abc/def"})"}) {
    INFO(body);
    CHECK(errorOf(core::parseYouTubeBroadcast(body)) == notAnId);
  }
  CHECK(errorOf(core::parseYouTubeBroadcast(R"({"id":")" + std::string(129, 'a') + R"("})")) == notAnId);
  CHECK(liveOf(core::parseYouTubeBroadcast(R"({"id":")" + std::string(128, 'a') + R"("})")).id.size() == 128);
}

TEST_CASE("a YouTube stream answer gives the stream's id and its RTMPS ingest", "[live_plan]") {
  const auto live = liveOf(core::parseYouTubeStream(R"({
    "kind": "youtube#liveStream", "id": "SzXtKpQd4PwNo1",
    "snippet": {"title": "Conseil municipal"},
    "cdn": {"ingestionType": "rtmp", "resolution": "variable", "frameRate": "variable",
      "ingestionInfo": {
        "streamName": "abcd-efgh-ijkl-mnop-qrst",
        "ingestionAddress": "rtmp://a.rtmp.youtube.com/live2",
        "backupIngestionAddress": "rtmp://b.rtmp.youtube.com/live2?backup=1",
        "rtmpsIngestionAddress": "rtmps://a.rtmps.youtube.com/live2",
        "rtmpsBackupIngestionAddress": "rtmps://b.rtmps.youtube.com/live2?backup=1"}}})"));
  CHECK(live.id.empty());
  CHECK(live.streamId == "SzXtKpQd4PwNo1");
  REQUIRE(live.ingest.has_value());
  CHECK(live.ingest->url == "rtmps://a.rtmps.youtube.com/live2");
  CHECK(live.ingest->key.reveal() == "abcd-efgh-ijkl-mnop-qrst");
  CHECK(live.publicUrl.empty());
}

TEST_CASE("a YouTube stream without RTMPS falls back to RTMP", "[live_plan]") {
  for (const auto* rtmps : {"", R"("rtmpsIngestionAddress": null,)", R"("rtmpsIngestionAddress": "",)"}) {
    INFO(rtmps);
    const auto live = liveOf(
        core::parseYouTubeStream(std::string(R"({"id":"s1","cdn":{"ingestionInfo":{)") + rtmps +
                                 R"("streamName":"key-1","ingestionAddress":"rtmp://a.rtmp.youtube.com/live2/"}}})"));
    REQUIRE(live.ingest.has_value());
    CHECK(live.ingest->url == "rtmp://a.rtmp.youtube.com/live2");
    CHECK(live.ingest->key.reveal() == "key-1");
  }
}

TEST_CASE("each missing or wrongly typed field of a stream answer is named by its path", "[live_plan]") {
  const auto errorFor = [](const std::string& body) { return errorOf(core::parseYouTubeStream(body)); };
  CHECK(errorFor(R"({"cdn":{}})") == "id: missing");
  CHECK(errorFor(R"({"id":"s1"})") == "cdn: missing");
  CHECK(errorFor(R"({"id":"s1","cdn":[]})") == "cdn: expected an object, got an array");
  CHECK(errorFor(R"({"id":"s1","cdn":{}})") == "cdn.ingestionInfo: missing");
  CHECK(errorFor(R"({"id":"s1","cdn":{"ingestionInfo":"rtmp://x"}})") ==
        "cdn.ingestionInfo: expected an object, got a string");
  CHECK(errorFor(R"({"id":"s1","cdn":{"ingestionInfo":{"ingestionAddress":"rtmp://a/live2"}}})") ==
        "cdn.ingestionInfo.streamName: missing");
  CHECK(errorFor(R"({"id":"s1","cdn":{"ingestionInfo":{"streamName":7,"ingestionAddress":"rtmp://a/live2"}}})") ==
        "cdn.ingestionInfo.streamName: expected a string, got an integer");
  CHECK(errorFor(R"({"id":"s1","cdn":{"ingestionInfo":{"streamName":"k"}}})") ==
        "cdn.ingestionInfo.ingestionAddress: missing");
  CHECK(errorFor(R"({"id":"s1","cdn":{"ingestionInfo":{"streamName":"k","ingestionAddress":1.5}}})") ==
        "cdn.ingestionInfo.ingestionAddress: expected a string, got a decimal number");
  CHECK(errorFor(R"({"id":"s1","cdn":{"ingestionInfo":{"streamName":"k","rtmpsIngestionAddress":{},)"
                 R"("ingestionAddress":"rtmp://a/live2"}}})") ==
        "cdn.ingestionInfo.rtmpsIngestionAddress: expected a string, got an object");
}

TEST_CASE("an ingest that a destination could not use is refused without showing the key", "[live_plan]") {
  const auto errorFor = [](const std::string& address, const std::string& key) {
    const auto error = errorOf(core::parseYouTubeStream(R"({"id":"s1","cdn":{"ingestionInfo":{"streamName":")" + key +
                                                        R"(","rtmpsIngestionAddress":")" + address + R"("}}})"));
    CHECK(error.find("SECRET") == std::string::npos);
    return error;
  };
  CHECK(errorFor("https://a.rtmps.youtube.com/live2", "SECRET") ==
        "cdn.ingestionInfo.rtmpsIngestionAddress: l'URL doit commencer par rtmp:// ou rtmps://, pas https://");
  CHECK(errorFor("rtmps:", "SECRET") ==
        "cdn.ingestionInfo.rtmpsIngestionAddress: l'URL doit commencer par rtmp:// ou rtmps://");
  CHECK(errorFor("rtmps://a.rtmps.youtube.com", "SECRET") ==
        "cdn.ingestionInfo.rtmpsIngestionAddress: pas de chemin d'application : attendu "
        "rtmp[s]://serveur[:port]/app/clé");
  CHECK(errorFor("rtmps://a.rtmps.youtube.com/live2", "SECRET/../x") ==
        "cdn.ingestionInfo.rtmpsIngestionAddress: la clé de stream ne doit pas contenir « / »");
  CHECK(errorFor("rtmps://a.rtmps.youtube.com/live2", "SECRET key") ==
        "cdn.ingestionInfo.rtmpsIngestionAddress: la clé de stream contient une espace ou un caractère de contrôle");
  CHECK(errorFor("file:///etc/passwd", "SECRET") ==
        "cdn.ingestionInfo.rtmpsIngestionAddress: l'URL doit commencer par rtmp:// ou rtmps://, pas file://");
}

TEST_CASE("a Facebook answer splits the secure stream URL into server and key", "[live_plan]") {
  const auto live = liveOf(core::parseFacebookLive(R"({
    "id": "10214937378883406",
    "stream_url": "rtmp://rtmp-api.facebook.com:80/rtmp/10214937378883406?ds=1&a=ATh1XWB",
    "secure_stream_url": "rtmps://live-api-s.facebook.com:443/rtmp/10214937378883406?ds=1&s_bl=1&a=ATh1XWB",
    "stream_secondary_urls": [], "secure_stream_secondary_urls": []})"));
  CHECK(live.id == "10214937378883406");
  REQUIRE(live.ingest.has_value());
  CHECK(live.ingest->url == "rtmps://live-api-s.facebook.com:443/rtmp");
  CHECK(live.ingest->key.reveal() == "10214937378883406?ds=1&s_bl=1&a=ATh1XWB");
  CHECK(live.publicUrl.empty());
  CHECK(live.streamId.empty());
}

TEST_CASE("a Facebook answer without a secure URL uses the plain one", "[live_plan]") {
  for (const auto* secure : {"", R"("secure_stream_url": null,)", R"("secure_stream_url": "",)"}) {
    INFO(secure);
    const auto live = liveOf(core::parseFacebookLive(std::string(R"({"id":"123_456",)") + secure +
                                                     R"("stream_url":"rtmp://rtmp-api.facebook.com:80/rtmp/FB-1-0"})"));
    REQUIRE(live.ingest.has_value());
    CHECK(live.ingest->url == "rtmp://rtmp-api.facebook.com:80/rtmp");
    CHECK(live.ingest->key.reveal() == "FB-1-0");
  }
}

TEST_CASE("a Facebook key keeps its query, slashes in it included", "[live_plan]") {
  const auto live = liveOf(core::parseFacebookLive(
      R"({"id":"1","secure_stream_url":" rtmps://live-api-s.facebook.com:443/rtmp/FB-1-0-Ab?s_bl=1&s_sc=2/x&s_sw=0 "})"));
  REQUIRE(live.ingest.has_value());
  CHECK(live.ingest->url == "rtmps://live-api-s.facebook.com:443/rtmp");
  CHECK(live.ingest->key.reveal() == "FB-1-0-Ab?s_bl=1&s_sc=2/x&s_sw=0");
}

TEST_CASE("a Facebook stream URL without a key or a path is refused", "[live_plan]") {
  const auto errorFor = [](const std::string& url) {
    return errorOf(core::parseFacebookLive(R"({"id":"1","secure_stream_url":")" + url + R"("})"));
  };
  CHECK(errorFor("FB-1-0-SECRET") == "secure_stream_url: l'URL doit commencer par rtmp:// ou rtmps://");
  CHECK(errorFor("rtmps://live-api-s.facebook.com") ==
        "secure_stream_url: pas de chemin d'application : attendu rtmp[s]://serveur[:port]/app/clé");
  CHECK(errorFor("rtmps://live-api-s.facebook.com/rtmp/") ==
        "secure_stream_url: pas de clé de stream : l'URL s'arrête à l'application");
  CHECK(errorFor("rtmps://live-api-s.facebook.com:443/rtmp") ==
        "secure_stream_url: pas de clé de stream : l'URL s'arrête à l'application");
  CHECK(errorFor("rtmps://live-api-s.facebook.com/?SECRET") ==
        "secure_stream_url: pas de chemin d'application : attendu rtmp[s]://serveur[:port]/app/clé");
  CHECK(errorOf(core::parseFacebookLive(R"({"id":"1"})")) == "secure_stream_url: missing (and stream_url too)");
  CHECK(errorOf(core::parseFacebookLive(R"({"id":"1","secure_stream_url":null,"stream_url":null})")) ==
        "secure_stream_url: missing (and stream_url too)");
  CHECK(errorOf(core::parseFacebookLive(R"({"id":"1","secure_stream_url":["rtmps://a/b/c"]})")) ==
        "secure_stream_url: expected a string, got an array");
  CHECK(errorOf(core::parseFacebookLive(R"({"id":"1","stream_url":5})")) ==
        "stream_url: expected a string, got an integer");
  CHECK(errorOf(core::parseFacebookLive(R"({"id":"1","stream_url":"rtmp://a/rtmp/SECRET key"})")) ==
        "stream_url: l'URL contient une espace ou un caractère de contrôle");
}

TEST_CASE("a Facebook permalink becomes the public link", "[live_plan]") {
  const auto linkOf = [](const std::string& permalink) {
    return liveOf(core::parseFacebookLive(R"({"id":"1","secure_stream_url":"rtmps://h/rtmp/k","permalink_url":)" +
                                          permalink + "}"))
        .publicUrl;
  };
  CHECK(linkOf(R"("/villeurbanne/videos/10214937378883406/")") ==
        "https://www.facebook.com/villeurbanne/videos/10214937378883406/");
  CHECK(linkOf(R"("https://www.facebook.com/watch/live/?v=1")") == "https://www.facebook.com/watch/live/?v=1");
  CHECK(linkOf("null").empty());
  CHECK(linkOf(R"("")").empty());
  // Not a link a viewer should be sent to: not shown.
  CHECK(linkOf(R"js("javascript:alert(1)")js").empty());
  CHECK(linkOf(R"("//evil.example/videos/1")").empty());
  CHECK(linkOf(R"("http://www.facebook.com/videos/1")").empty());
  CHECK(linkOf(R"("/videos/1 onclick=x")").empty());
  CHECK(errorOf(core::parseFacebookLive(R"({"id":"1","secure_stream_url":"rtmps://h/rtmp/k","permalink_url":12})")) ==
        "permalink_url: expected a string, got an integer");
}

TEST_CASE("a PeerTube creation answer gives the video's uuid", "[live_plan]") {
  const auto live = liveOf(core::parsePeerTubeCreated(
      R"({"video":{"id":42,"uuid":"9c9de5e8-0a1e-484a-b099-e80766180a6d","shortUUID":"kLv4XzVnQbXy"}})"));
  CHECK(live.id == "9c9de5e8-0a1e-484a-b099-e80766180a6d");
  CHECK_FALSE(live.ingest.has_value());
  CHECK(live.publicUrl.empty());
  CHECK(liveOf(core::parsePeerTubeCreated(R"({"video":{"uuid":"abc-1"}})")).id == "abc-1");
}

TEST_CASE("a PeerTube creation answer names its missing or wrongly typed fields", "[live_plan]") {
  CHECK(errorOf(core::parsePeerTubeCreated("{}")) == "video: missing");
  CHECK(errorOf(core::parsePeerTubeCreated(R"({"video":null})")) == "video: expected an object, got null");
  CHECK(errorOf(core::parsePeerTubeCreated(R"({"video":{"id":42}})")) == "video.uuid: missing");
  CHECK(errorOf(core::parsePeerTubeCreated(R"({"video":{"id":"42","uuid":"u"}})")) ==
        "video.id: expected an integer, got a string");
  CHECK(errorOf(core::parsePeerTubeCreated(R"({"video":{"id":42,"uuid":42}})")) ==
        "video.uuid: expected a string, got an integer");
  CHECK(errorOf(core::parsePeerTubeCreated(R"({"video":{"id":42,"uuid":"../42"}})")) ==
        "video.uuid: not an identifier (at most 128 letters, digits, '-' and '_')");
}

TEST_CASE("a PeerTube live answer gives the RTMPS ingest when the instance offers one", "[live_plan]") {
  const auto live = liveOf(core::parsePeerTubeLive(
      R"({"rtmpUrl":"rtmp://video.example.fr:1935/live","rtmpsUrl":"rtmps://video.example.fr:1936/live",)"
      R"("streamKey":"f1a2b3c4-d5e6-7890-abcd-ef0123456789","saveReplay":true,"permanentLive":false,"latencyMode":1})"));
  REQUIRE(live.ingest.has_value());
  CHECK(live.ingest->url == "rtmps://video.example.fr:1936/live");
  CHECK(live.ingest->key.reveal() == "f1a2b3c4-d5e6-7890-abcd-ef0123456789");
  CHECK(live.id.empty());

  const auto plain = liveOf(
      core::parsePeerTubeLive(R"({"rtmpUrl":"rtmp://video.example.fr:1935/live","rtmpsUrl":null,"streamKey":"k"})"));
  REQUIRE(plain.ingest.has_value());
  CHECK(plain.ingest->url == "rtmp://video.example.fr:1935/live");
}

TEST_CASE("a PeerTube live answer names its missing or wrongly typed fields", "[live_plan]") {
  CHECK(errorOf(core::parsePeerTubeLive(R"({"streamKey":"k"})")) == "rtmpUrl: missing (and rtmpsUrl too)");
  CHECK(errorOf(core::parsePeerTubeLive(R"({"rtmpUrl":null,"rtmpsUrl":null,"streamKey":"k"})")) ==
        "rtmpUrl: missing (and rtmpsUrl too)");
  CHECK(errorOf(core::parsePeerTubeLive(R"({"rtmpUrl":"rtmp://v/live"})")) == "streamKey: missing");
  CHECK(errorOf(core::parsePeerTubeLive(R"({"rtmpUrl":"rtmp://v/live","streamKey":""})")) == "streamKey: empty");
  CHECK(errorOf(core::parsePeerTubeLive(R"({"rtmpUrl":"rtmp://v/live","streamKey":123})")) ==
        "streamKey: expected a string, got an integer");
  CHECK(errorOf(core::parsePeerTubeLive(R"({"rtmpsUrl":true,"rtmpUrl":"rtmp://v/live","streamKey":"k"})")) ==
        "rtmpsUrl: expected a string, got a boolean");
  CHECK(errorOf(core::parsePeerTubeLive(R"({"rtmpUrl":"rtmp://v/live?x=1","streamKey":"k"})")) ==
        "rtmpUrl: l'URL a une requête (?…) alors que la clé de stream est donnée à part : la requête fait partie de "
        "la clé");
}

TEST_CASE("the audience is read where each platform writes it", "[live_plan]") {
  CHECK(core::parseViewers(PlatformId::youtube,
                           R"({"items":[{"id":"b1","liveStreamingDetails":{"actualStartTime":"2026-12-03T17:31:02Z",)"
                           R"("concurrentViewers":"42","activeLiveChatId":"x"}}]})") == 42);
  CHECK(core::parseViewers(PlatformId::youtube, R"({"items":[{"liveStreamingDetails":{"concurrentViewers":"0"}}]})") ==
        0);
  CHECK(core::parseViewers(PlatformId::facebook, R"({"live_views":17,"id":"10214937378883406"})") == 17);
  CHECK(core::parseViewers(PlatformId::peertube, R"({"id":42,"uuid":"u","viewers":3,"views":250})") == 3);
}

TEST_CASE("no audience figure when the answer has none or a wrong one", "[live_plan]") {
  const auto youtube = [](const std::string& viewers) {
    return core::parseViewers(PlatformId::youtube,
                              R"({"items":[{"liveStreamingDetails":{"concurrentViewers":)" + viewers + "}}]}");
  };
  CHECK_FALSE(core::parseViewers(PlatformId::youtube, R"({"items":[{"liveStreamingDetails":{}}]})"));
  CHECK_FALSE(core::parseViewers(PlatformId::youtube, R"({"items":[{}]})"));
  CHECK_FALSE(core::parseViewers(PlatformId::youtube, R"({"items":[]})"));
  CHECK_FALSE(core::parseViewers(PlatformId::youtube, R"({"items":{}})"));
  CHECK_FALSE(core::parseViewers(PlatformId::youtube, R"({"items":[42]})"));
  CHECK_FALSE(core::parseViewers(PlatformId::youtube, R"({})"));
  CHECK_FALSE(youtube("42"));  // a number where YouTube writes a string
  CHECK_FALSE(youtube(R"("")"));
  CHECK_FALSE(youtube(R"("-3")"));
  CHECK_FALSE(youtube(R"("+3")"));
  CHECK_FALSE(youtube(R"(" 3")"));
  CHECK_FALSE(youtube(R"("4a")"));
  CHECK_FALSE(youtube(R"("99999999999999999999")"));
  CHECK(youtube(R"("9223372036854775807")") == 9223372036854775807LL);
  CHECK_FALSE(youtube("null"));

  CHECK_FALSE(core::parseViewers(PlatformId::facebook, R"({"id":"1"})"));
  CHECK_FALSE(core::parseViewers(PlatformId::facebook, R"({"live_views":"17"})"));
  CHECK_FALSE(core::parseViewers(PlatformId::facebook, R"({"live_views":-1})"));
  CHECK_FALSE(core::parseViewers(PlatformId::facebook, R"({"live_views":1.5})"));
  CHECK_FALSE(core::parseViewers(PlatformId::facebook, R"({"live_views":18446744073709551615})"));
  CHECK_FALSE(core::parseViewers(PlatformId::peertube, R"({"viewers":null})"));
  CHECK_FALSE(core::parseViewers(PlatformId::peertube, R"([{"viewers":3}])"));
  for (const auto platform : core::kPlatformIds) {
    CHECK_FALSE(core::parseViewers(platform, ""));
    CHECK_FALSE(core::parseViewers(platform, "not json"));
    CHECK_FALSE(core::parseViewers(platform, "{\"viewers\":3\0}"s));
  }
}

TEST_CASE("hostile answers never throw, whatever parser reads them", "[live_plan]") {
  const std::string huge(64 * 1024, 'A');
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  const std::string deepObject = repeated(R"({"a":)", 5000) + "1" + std::string(5000, '}');
  for (const auto& body :
       {std::string(""), "\0\0\0"s, "{\"id\":\"\0\"}"s, std::string("[]"), std::string("{}"), std::string("1e999999"),
        std::string("-"), std::string("\xEF\xBB\xBF{}"), std::string("{\"id\":\"\xFF\xFE\"}"),
        std::string(R"({"id":"\ud800"})"), R"({"id":")" + huge + R"("})", R"({"secure_stream_url":")" + huge + R"("})",
        deep, deepObject, std::string(R"({"video":[],"cdn":1,"items":"x","live_views":{},"viewers":[]})"),
        std::string(R"({"id":"a","id":"b"})")}) {
    INFO(body.substr(0, 40));
    parseEverywhere(body);
  }
  CHECK(errorOf(core::parseYouTubeBroadcast(deep)) == "$: nested deeper than 32 levels");
  CHECK(errorOf(core::parseYouTubeBroadcast(deepObject)) == "$: nested deeper than 32 levels");
  CHECK(errorOf(core::parseYouTubeBroadcast(R"({"id":")" + huge + R"("})")) ==
        "id: not an identifier (at most 128 letters, digits, '-' and '_')");
}
