#include "core/live_plan.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/json_type.h"
#include "core/publish_url.h"
#include "core/quota_budget.h"
#include "core/text_screen.h"

namespace tribune::core {
namespace {

using Json = nlohmann::json;
// The YouTube bodies keep the documented order of their fields: easier to compare with the
// reference (and with what OBS sends) when reading a capture.
using OrderedJson = nlohmann::ordered_json;

constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();
constexpr std::string_view kEllipsis = "…";
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// What each platform accepts in a title and a description. Characters are Unicode code
// points. YouTube: 100 characters, description 5000 bytes, no '<' '>' in either (its API
// refuses them); Facebook: title 254 characters; PeerTube: name 120 characters, description
// 10,000 (its server's CONSTRAINTS_FIELDS.VIDEOS).
struct TextLimits {
  std::size_t titleCharacters = kUnlimited;
  std::size_t descriptionCharacters = kUnlimited;
  std::size_t descriptionBytes = kUnlimited;
  bool noAngleBrackets = false;
};

constexpr TextLimits limitsFor(PlatformId platform) {
  switch (platform) {
    case PlatformId::youtube: return {100, kUnlimited, 5000, true};
    case PlatformId::facebook: return {254, kUnlimited, kUnlimited, false};
    case PlatformId::peertube: return {120, 10000, kUnlimited, false};
  }
  return {};
}

// Facebook schedules a live only between these two distances from now; outside them the
// live is created to start when the stream does.
constexpr auto kFacebookScheduleMin = std::chrono::minutes(10);
constexpr auto kFacebookScheduleMax = std::chrono::hours(24 * 7);

// The years a meeting's date is scheduled in (see meetingStart).
constexpr int kFirstScheduledYear = 1970;
constexpr int kLastScheduledYear = 2200;

// Nesting deeper than this in an answer is refused as it is read: the answers we read are
// three levels deep, and nothing recursive should ever walk a hostile tree.
constexpr int kMaxAnswerDepth = 32;
// Identifiers end up in request paths (/liveBroadcasts/bind?id=…, /{live-video-id},
// /videos/live/{uuid}): only characters that need no escaping there are taken.
constexpr std::size_t kMaxIdBytes = 128;

// ---------------------------------------------------------------------------------------
// UTF-8 text.

bool continuesCharacter(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// Well-formed UTF-8 (each broken sequence becomes U+FFFD) without control characters:
// tabs become spaces, carriage returns go, line feeds stay only when `keepLineFeeds` (else
// they become spaces), the other C0 and C1 controls and DEL go.
std::string cleanText(std::string_view text, bool keepLineFeeds) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const auto length = utf8SequenceLength(text);
    if (length == 0) {
      out += kReplacementCharacter;
      text.remove_prefix(1);
      continue;
    }
    const auto first = static_cast<unsigned char>(text.front());
    const bool c1Control = length == 2 && first == 0xC2U && static_cast<unsigned char>(text[1]) < 0xA0U;
    if (text.front() == '\n') {
      out += keepLineFeeds ? '\n' : ' ';
    } else if (text.front() == '\t') {
      out += ' ';
    } else if (!(first < 0x20U || first == 0x7FU || c1Control)) {
      out.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
  return out;
}

bool isBlank(char c) { return c == ' ' || c == '\n'; }

// `text` (well-formed UTF-8) within both limits; when it is cut, it is cut between two
// characters, the blanks before the cut go and "…" ends it (counted in the limits).
std::string truncated(std::string text, std::size_t maxCharacters, std::size_t maxBytes) {
  if (characterCount(text) <= maxCharacters && text.size() <= maxBytes) return text;
  if (maxCharacters == 0 || maxBytes < kEllipsis.size()) return {};
  const std::size_t characterBudget = maxCharacters - 1;
  const std::size_t byteBudget = maxBytes - kEllipsis.size();
  std::size_t kept = 0;  // bytes
  std::size_t characters = 0;
  while (kept < text.size() && characters < characterBudget) {
    std::size_t next = kept + 1;
    while (next < text.size() && continuesCharacter(text[next])) ++next;
    if (next > byteBudget) break;
    kept = next;
    ++characters;
  }
  text.resize(kept);
  while (!text.empty() && isBlank(text.back())) text.pop_back();
  text += kEllipsis;
  return text;
}

std::string_view trimmedSpaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// One line: runs of spaces collapse, no blank at either end.
std::string collapsedSpaces(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Lines without spaces at either end (what an empty variable leaves: " à 18 h 30"), no
// blank line at the start or the end, never two blank lines in a row.
std::string tidyLines(std::string_view text) {
  std::string out;
  std::size_t blankRun = 0;
  while (true) {
    const auto end = text.find('\n');
    const auto line = trimmedSpaces(text.substr(0, end));
    if (line.empty()) {
      ++blankRun;
    } else {
      if (!out.empty()) out += blankRun > 0 ? "\n\n" : "\n";
      out.append(line);
      blankRun = 0;
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Templates.

struct Variable {
  std::string_view name;
  std::string value;
};

const Variable* findVariable(const std::vector<Variable>& variables, std::string_view name) {
  const auto found =
      std::find_if(variables.begin(), variables.end(), [name](const Variable& v) { return v.name == name; });
  return found == variables.end() ? nullptr : &*found;
}

// One line of a template with its variables replaced, or nothing when the line has
// variables and all of them are empty. An unknown {{name}} is left as written, so that a
// misspelt variable shows in the preview instead of silently vanishing. Values are not
// scanned again: a "{{" in a title stays as it is.
std::optional<std::string> filledLine(std::string_view line, const std::vector<Variable>& variables) {
  std::string out;
  bool hasVariable = false;
  bool hasValue = false;
  while (!line.empty()) {
    const auto open = line.find("{{");
    const auto close = open == std::string_view::npos ? open : line.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(line);
      break;
    }
    out.append(line.substr(0, open));
    const auto* variable = findVariable(variables, trimmedSpaces(line.substr(open + 2, close - open - 2)));
    if (variable == nullptr) {
      out.append(line.substr(open, close + 2 - open));
    } else {
      hasVariable = true;
      hasValue = hasValue || !variable->value.empty();
      out += variable->value;
    }
    line.remove_prefix(close + 2);
  }
  if (hasVariable && !hasValue) return std::nullopt;
  return out;
}

std::string filled(std::string_view text, const std::vector<Variable>& variables) {
  std::string out;
  bool first = true;
  while (true) {
    const auto end = text.find('\n');
    if (auto line = filledLine(text.substr(0, end), variables)) {
      if (!first) out += '\n';
      out += *line;
      first = false;
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

// A single-line value: whatever blanks or line breaks it carries become single spaces.
std::string oneLine(std::string_view text) { return collapsedSpaces(cleanText(text, false)); }

// "18 h 30", "9 h 05", "18 h"; empty for anything that is not HH:MM.
std::string frenchTime(std::string_view time) {
  if (!isClockTime(time)) return {};
  const int hour = (time[0] - '0') * 10 + (time[1] - '0');
  auto text = std::to_string(hour) + " h";
  if (time.substr(3) != "00") text += " " + std::string(time.substr(3));
  return text;
}

// "1. Budget primitif 2027", one item a line, with the convocation's own numbers.
std::string agendaList(const std::vector<AgendaItem>& items) {
  std::string out;
  for (const auto& item : items) {
    const auto number = oneLine(item.number);
    const auto title = oneLine(item.title);
    if (number.empty() && title.empty()) continue;
    if (!out.empty()) out += '\n';
    out += number.empty() ? title : title.empty() ? number : number + ". " + title;
  }
  return out;
}

struct CivilDate {
  int year = 0;
  int month = 0;
  int day = 0;
};

int digitsValue(std::string_view digits) {
  int value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

std::optional<CivilDate> civilDate(std::string_view isoDate) {
  if (!isCalendarDate(isoDate)) return std::nullopt;
  return CivilDate{digitsValue(isoDate.substr(0, 4)), digitsValue(isoDate.substr(5, 2)),
                   digitsValue(isoDate.substr(8, 2))};
}

// The meeting's start as an instant, or nothing when its date or time is missing, or its
// year is one no meeting of ours has: WallTime counts nanoseconds in 64 bits, which end in
// 2262, and a date before 1970 is in the past anyway.
std::optional<WallTime> meetingStart(const MeetingInfo& meeting) {
  const auto date = civilDate(meeting.date);
  if (!date || !isClockTime(meeting.time)) return std::nullopt;
  if (date->year < kFirstScheduledYear || date->year > kLastScheduledYear) return std::nullopt;
  return parisTimeToUtc(date->year, date->month, date->day, digitsValue(std::string_view(meeting.time).substr(0, 2)),
                        digitsValue(std::string_view(meeting.time).substr(3, 2)));
}

// JSON text for a body: invalid UTF-8 (a LivePlan built by hand) is replaced, never thrown.
template <class J>
std::string dumped(const J& value) {
  return value.dump(-1, ' ', false, J::error_handler_t::replace);
}

std::int64_t unixSeconds(WallTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// ---------------------------------------------------------------------------------------
// Answers.

LiveAnswer failed(std::string error) { return {std::nullopt, std::move(error)}; }

// The body as a JSON object, or why not. Never throws: allow_exceptions is off, and a tree
// nested too deep is cut as it is read.
std::optional<Json> parsedObject(std::string_view body, std::string& error) {
  bool tooDeep = false;
  auto document = Json::parse(
      body.begin(), body.end(),
      [&tooDeep](int depth, Json::parse_event_t event, Json& /*parsed*/) {
        const bool opens = event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
        if (opens && depth >= kMaxAnswerDepth) tooDeep = true;
        return !tooDeep;
      },
      false);
  if (document.is_discarded()) {
    error = "$: not JSON";
  } else if (tooDeep) {
    error = "$: nested deeper than " + std::to_string(kMaxAnswerDepth) + " levels";
  } else if (!document.is_object()) {
    error = "$: expected an object, got " + typeOf(document);
  } else {
    return document;
  }
  return std::nullopt;
}

// Reads the fields of one object of an answer, naming each by its path from the root
// ("cdn.ingestionInfo.streamName") in the first error met. Values are never echoed in
// errors: a stream key may sit in any of them.
class FieldReader {
 public:
  FieldReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  [[nodiscard]] std::string pathOf(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  // A member that must be there and be an object.
  std::optional<FieldReader> object(std::string_view key, std::string& error) const {
    const auto* value = member(key);
    if (value == nullptr) {
      error = pathOf(key) + ": missing";
    } else if (!value->is_object()) {
      error = pathOf(key) + ": expected an object, got " + typeOf(*value);
    } else {
      return FieldReader(*value, pathOf(key));
    }
    return std::nullopt;
  }

  // A member that must be a non-empty string.
  std::optional<std::string> string(std::string_view key, std::string& error) const {
    const auto* value = member(key);
    if (value == nullptr) {
      error = pathOf(key) + ": missing";
    } else if (!value->is_string()) {
      error = pathOf(key) + ": expected a string, got " + typeOf(*value);
    } else if (value->get_ref<const std::string&>().empty()) {
      error = pathOf(key) + ": empty";
    } else {
      return value->get<std::string>();
    }
    return std::nullopt;
  }

  // A string member that may be absent, null or empty (nothing then, no error); any other
  // type is an error.
  std::optional<std::string> optionalString(std::string_view key, std::string& error) const {
    const auto* value = member(key);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_string()) {
      error = pathOf(key) + ": expected a string, got " + typeOf(*value);
      return std::nullopt;
    }
    const auto& text = value->get_ref<const std::string&>();
    if (text.empty()) return std::nullopt;
    return text;
  }

  // An identifier that goes into request paths: 1 to kMaxIdBytes letters, digits, '-', '_'.
  std::optional<std::string> identifier(std::string_view key, std::string& error) const {
    auto value = string(key, error);
    if (!value) return std::nullopt;
    const bool safe =
        value->size() <= kMaxIdBytes && std::all_of(value->begin(), value->end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        });
    if (safe) return value;
    error =
        pathOf(key) + ": not an identifier (at most " + std::to_string(kMaxIdBytes) + " letters, digits, '-' and '_')";
    return std::nullopt;
  }

  [[nodiscard]] const Json* member(std::string_view key) const {
    const auto found = object_.find(key);
    return found == object_.end() ? nullptr : &*found;
  }

 private:
  const Json& object_;
  std::string path_;
};

bool isSpaceOrControl(char c) { return static_cast<unsigned char>(c) <= 0x20U || c == 0x7F; }

// The URL without the blanks a server may leave around it (parsePublishUrl ignores them
// too, so that what is kept is what was checked).
std::string trimmedUrl(std::string_view url) {
  while (!url.empty() && isSpaceOrControl(url.front())) url.remove_prefix(1);
  while (!url.empty() && isSpaceOrControl(url.back())) url.remove_suffix(1);
  return std::string(url);
}

// An ingest given as a server URL and a key apart (YouTube, PeerTube), checked the way a
// destination will read it; the URL is kept as the platform wrote it, less a final '/'.
std::optional<Ingest> ingestOf(std::string_view givenUrl, std::string key, const std::string& urlPath,
                               std::string& error) {
  auto url = trimmedUrl(givenUrl);
  if (!url.empty() && url.back() == '/') url.pop_back();
  const auto checked = parsePublishUrl(url, Secret(key));
  if (checked.error) {
    error = urlPath + ": " + checked.error->message;
    return std::nullopt;
  }
  return Ingest{std::move(url), Secret(std::move(key))};
}

// An ingest given as one URL whose last path segment, with the query, is the key
// (Facebook's "rtmps://live-api-s.facebook.com:443/rtmp/FB-…?s_bl=1&…").
std::optional<Ingest> splitIngest(std::string_view givenUrl, const std::string& urlPath, std::string& error) {
  const auto url = trimmedUrl(givenUrl);
  const auto checked = parsePublishUrl(url);
  if (checked.error) {
    error = urlPath + ": " + checked.error->message;
    return std::nullopt;
  }
  // The key is the URL's tail, verbatim: the server URL is what comes before "/" + key.
  auto key = checked.url->key.reveal();
  return Ingest{url.substr(0, url.size() - key.size() - 1), Secret(std::move(key))};
}

// A number of viewers: a non-negative integer, or (YouTube) a string of digits.
std::optional<long long> viewerCount(const Json* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) {
    const auto count = value->get<std::uint64_t>();
    if (count > static_cast<std::uint64_t>(std::numeric_limits<long long>::max())) return std::nullopt;
    return static_cast<long long>(count);
  }
  if (value->is_number_integer()) {
    const auto count = value->get<std::int64_t>();
    return count < 0 ? std::nullopt : std::optional<long long>(count);
  }
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    long long count = 0;
    const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (problem != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return count;
  }
  return std::nullopt;
}

const Json* memberOf(const Json* object, std::string_view key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  const auto found = object->find(key);
  return found == object->end() ? nullptr : &*found;
}

}  // namespace

std::string_view toString(LivePrivacy privacy) {
  switch (privacy) {
    case LivePrivacy::isPublic: return "public";
    case LivePrivacy::unlisted: return "unlisted";
    case LivePrivacy::isPrivate: return "private";
  }
  return "private";
}

std::optional<LivePrivacy> livePrivacyFromString(std::string_view text) {
  for (const auto privacy : {LivePrivacy::isPublic, LivePrivacy::unlisted, LivePrivacy::isPrivate}) {
    if (text == toString(privacy)) return privacy;
  }
  return std::nullopt;
}

// YouTube refuses '<' and '>' in titles and descriptions: the single angle quotation marks
// look the same to a reader.
std::string withoutAngleBrackets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '<') {
      out += "‹";
    } else if (c == '>') {
      out += "›";
    } else {
      out += c;
    }
  }
  return out;
}

std::string frenchDate(std::string_view isoDate) {
  static constexpr std::array<std::string_view, 7> kWeekdays = {"dimanche", "lundi",    "mardi", "mercredi",
                                                                "jeudi",    "vendredi", "samedi"};
  static constexpr std::array<std::string_view, 12> kMonths = {"janvier",   "février", "mars",     "avril",
                                                               "mai",       "juin",    "juillet",  "août",
                                                               "septembre", "octobre", "novembre", "décembre"};
  const auto date = civilDate(isoDate);
  if (!date) return {};
  namespace chrono = std::chrono;
  const chrono::year_month_day civil{chrono::year{date->year}, chrono::month{static_cast<unsigned>(date->month)},
                                     chrono::day{static_cast<unsigned>(date->day)}};
  if (!civil.ok()) return {};
  const chrono::weekday weekday{chrono::sys_days{civil}};
  return std::string(kWeekdays.at(weekday.c_encoding())) + " " +
         (date->day == 1 ? std::string("1er") : std::to_string(date->day)) + " " +
         std::string(kMonths.at(static_cast<std::size_t>(date->month - 1))) + " " + std::to_string(date->year);
}

LivePlan planLive(PlatformId platform, const MeetingInfo& meeting, const std::vector<AgendaItem>& items,
                  const LiveTemplates& templates, LivePrivacy privacy, const std::string& questionsUrl, WallTime now) {
  const auto meetingTitle = oneLine(meeting.title);
  const std::vector<Variable> variables = {
      {"commune", oneLine(meeting.commune)},
      {"title", meetingTitle.empty() ? std::string(kDefaultMeetingTitle) : meetingTitle},
      {"date", frenchDate(meeting.date)},
      {"time", frenchTime(meeting.time)},
      {"place", oneLine(meeting.place)},
      {"agenda", agendaList(items)},
      {"questions_url", oneLine(questionsUrl)},
  };
  const auto limits = limitsFor(platform);

  auto title = oneLine(filled(templates.title, variables));
  auto description = tidyLines(cleanText(filled(templates.description, variables), true));
  if (limits.noAngleBrackets) {
    title = withoutAngleBrackets(title);
    description = withoutAngleBrackets(description);
  }

  LivePlan plan;
  plan.platform = platform;
  plan.title = truncated(std::move(title), limits.titleCharacters, kUnlimited);
  plan.description = truncated(std::move(description), limits.descriptionCharacters, limits.descriptionBytes);
  plan.scheduledStart = std::max(meetingStart(meeting).value_or(now), now);
  plan.privacy = privacy;
  return plan;
}

std::string youTubeBroadcastBody(const LivePlan& plan) {
  OrderedJson body;
  body["snippet"]["title"] = plan.title;
  body["snippet"]["description"] = plan.description;
  body["snippet"]["scheduledStartTime"] = isoUtc(plan.scheduledStart);
  body["status"]["privacyStatus"] = std::string(toString(plan.privacy));
  body["status"]["selfDeclaredMadeForKids"] = false;
  auto& details = body["contentDetails"];
  details["latencyPreference"] = "normal";
  details["enableAutoStart"] = true;
  details["enableAutoStop"] = true;
  details["enableDvr"] = true;
  details["monitorStream"]["enableMonitorStream"] = false;
  return dumped(body);
}

std::string youTubeStreamBody(const LivePlan& plan) {
  OrderedJson body;
  body["snippet"]["title"] = plan.title;
  body["cdn"]["ingestionType"] = "rtmp";
  body["cdn"]["resolution"] = "variable";
  body["cdn"]["frameRate"] = "variable";
  body["contentDetails"]["isReusable"] = false;
  return dumped(body);
}

std::vector<std::pair<std::string, std::string>> facebookLiveForm(const LivePlan& plan, WallTime now) {
  std::vector<std::pair<std::string, std::string>> form = {
      {"title", plan.title},
      {"description", plan.description},
  };
  const auto ahead = plan.scheduledStart - now;
  if (ahead > kFacebookScheduleMin && ahead < kFacebookScheduleMax) {
    form.emplace_back("status", "SCHEDULED_UNPUBLISHED");
    form.emplace_back("event_params", dumped(Json{{"start_time", unixSeconds(plan.scheduledStart)}}));
  } else {
    form.emplace_back("status", "LIVE_NOW");
  }
  // Facebook has no "unlisted": a live that is not public is seen by its author only
  // (SELF). On a Page, Facebook may refuse SELF or ignore it; the answer says which.
  const auto* audience = plan.privacy == LivePrivacy::isPublic ? "EVERYONE" : "SELF";
  form.emplace_back("privacy", dumped(Json{{"value", audience}}));
  return form;
}

std::vector<std::pair<std::string, std::string>> peerTubeLiveForm(const LivePlan& plan, const std::string& channelId) {
  const auto privacy = [&plan] {
    switch (plan.privacy) {
      case LivePrivacy::isPublic: return "1";
      case LivePrivacy::unlisted: return "2";
      case LivePrivacy::isPrivate: return "3";
    }
    return "3";
  }();
  return {
      {"channelId", channelId}, {"name", plan.title},   {"description", plan.description},
      {"privacy", privacy},     {"saveReplay", "true"}, {"permanentLive", "false"},
  };
}

LiveAnswer parseYouTubeBroadcast(std::string_view body) {
  std::string error;
  const auto document = parsedObject(body, error);
  if (!document) return failed(error);
  const FieldReader root(*document, "");
  auto id = root.identifier("id", error);
  if (!id) return failed(error);
  PreparedLive live;
  live.publicUrl = "https://www.youtube.com/watch?v=" + *id;
  live.id = std::move(*id);
  return {std::move(live), {}};
}

LiveAnswer parseYouTubeStream(std::string_view body) {
  std::string error;
  const auto document = parsedObject(body, error);
  if (!document) return failed(error);
  const FieldReader root(*document, "");
  auto id = root.identifier("id", error);
  if (!id) return failed(error);
  const auto cdn = root.object("cdn", error);
  if (!cdn) return failed(error);
  const auto info = cdn->object("ingestionInfo", error);
  if (!info) return failed(error);
  auto key = info->string("streamName", error);
  if (!key) return failed(error);
  // RTMPS where YouTube offers it (the key does not cross the network in clear).
  const auto rtmps = info->optionalString("rtmpsIngestionAddress", error);
  if (!error.empty()) return failed(error);
  const auto url = rtmps ? rtmps : info->string("ingestionAddress", error);
  if (!url) return failed(error);
  auto ingest =
      ingestOf(*url, std::move(*key), info->pathOf(rtmps ? "rtmpsIngestionAddress" : "ingestionAddress"), error);
  if (!ingest) return failed(error);
  PreparedLive live;
  live.streamId = std::move(*id);
  live.ingest = std::move(ingest);
  return {std::move(live), {}};
}

namespace {

// Graph gives the permalink as a path ("/commune/videos/123/"). One that is neither a path
// nor an https:// address is not shown (the live itself is fine: failing the answer would
// lose its key).
std::string facebookPublicUrl(const std::optional<std::string>& permalink) {
  if (!permalink || permalink->empty() || std::any_of(permalink->begin(), permalink->end(), isSpaceOrControl)) {
    return {};
  }
  if (permalink->front() == '/' && permalink->rfind("//", 0) != 0) return "https://www.facebook.com" + *permalink;
  if (permalink->rfind("https://", 0) == 0) return *permalink;
  return {};
}

}  // namespace

std::string parseFacebookPermalink(std::string_view body) {
  std::string error;
  const auto document = parsedObject(body, error);
  if (!document) return {};
  const auto permalink = FieldReader(*document, "").optionalString("permalink_url", error);
  return error.empty() ? facebookPublicUrl(permalink) : std::string();
}

LiveAnswer parseFacebookLive(std::string_view body) {
  std::string error;
  const auto document = parsedObject(body, error);
  if (!document) return failed(error);
  const FieldReader root(*document, "");
  auto id = root.identifier("id", error);
  if (!id) return failed(error);
  const auto secure = root.optionalString("secure_stream_url", error);
  if (!error.empty()) return failed(error);
  const auto url = secure ? secure : root.optionalString("stream_url", error);
  if (!error.empty()) return failed(error);
  if (!url) return failed("secure_stream_url: missing (and stream_url too)");
  auto ingest = splitIngest(*url, secure ? "secure_stream_url" : "stream_url", error);
  if (!ingest) return failed(error);
  auto permalink = root.optionalString("permalink_url", error);
  if (!error.empty()) return failed(error);

  PreparedLive live;
  live.id = std::move(*id);
  live.ingest = std::move(ingest);
  live.publicUrl = facebookPublicUrl(permalink);
  return {std::move(live), {}};
}

LiveAnswer parsePeerTubeCreated(std::string_view body) {
  std::string error;
  const auto document = parsedObject(body, error);
  if (!document) return failed(error);
  const auto video = FieldReader(*document, "").object("video", error);
  if (!video) return failed(error);
  // The numeric id is not kept (the uuid names the video everywhere), but an answer whose
  // id is not a number is not the answer we expect.
  if (const auto* numeric = video->member("id"); numeric != nullptr && !numeric->is_number_integer()) {
    return failed("video.id: expected an integer, got " + typeOf(*numeric));
  }
  auto uuid = video->identifier("uuid", error);
  if (!uuid) return failed(error);
  PreparedLive live;
  live.id = std::move(*uuid);
  return {std::move(live), {}};
}

LiveAnswer parsePeerTubeLive(std::string_view body) {
  std::string error;
  const auto document = parsedObject(body, error);
  if (!document) return failed(error);
  const FieldReader root(*document, "");
  // PeerTube sends null for the protocol the instance does not offer.
  const auto rtmps = root.optionalString("rtmpsUrl", error);
  if (!error.empty()) return failed(error);
  const auto url = rtmps ? rtmps : root.optionalString("rtmpUrl", error);
  if (!error.empty()) return failed(error);
  if (!url) return failed("rtmpUrl: missing (and rtmpsUrl too)");
  auto key = root.string("streamKey", error);
  if (!key) return failed(error);
  auto ingest = ingestOf(*url, std::move(*key), rtmps ? "rtmpsUrl" : "rtmpUrl", error);
  if (!ingest) return failed(error);
  PreparedLive live;
  live.ingest = std::move(ingest);
  return {std::move(live), {}};
}

std::optional<long long> parseViewers(PlatformId platform, std::string_view body) {
  std::string error;
  const auto document = parsedObject(body, error);
  if (!document) return std::nullopt;
  switch (platform) {
    case PlatformId::youtube: {
      const auto* items = memberOf(&*document, "items");
      if (items == nullptr || !items->is_array() || items->empty()) return std::nullopt;
      const auto* details = memberOf(&items->front(), "liveStreamingDetails");
      const auto* viewers = memberOf(details, "concurrentViewers");
      // YouTube writes the figure as a string (int64 in its discovery document).
      if (viewers == nullptr || !viewers->is_string()) return std::nullopt;
      return viewerCount(viewers);
    }
    case PlatformId::facebook: {
      const auto* views = memberOf(&*document, "live_views");
      return views != nullptr && views->is_number() ? viewerCount(views) : std::nullopt;
    }
    case PlatformId::peertube: {
      const auto* viewers = memberOf(&*document, "viewers");
      return viewers != nullptr && viewers->is_number() ? viewerCount(viewers) : std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace tribune::core
