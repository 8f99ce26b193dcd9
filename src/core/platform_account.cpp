#include "core/platform_account.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/quota_budget.h"
#include "core/text_screen.h"

namespace tribune::core {

namespace {

using Json = nlohmann::json;
using std::chrono::seconds;

constexpr std::array<std::string_view, 3> kPlatformNames{"youtube", "facebook", "peertube"};
constexpr std::array<std::string_view, 3> kPlatformDisplayNames{"YouTube", "Facebook", "PeerTube"};

// Every answer comes from the network: nothing in it is trusted, nothing may throw.
constexpr int kMaxJsonDepth = 64;
constexpr std::size_t kMaxMessageBytes = 300;
constexpr std::size_t kMaxReasonBytes = 64;
constexpr std::size_t kMaxUserCodeBytes = 64;
constexpr std::size_t kMaxUrlBytes = 2048;
// Longer than any token lifetime seen (Facebook's long-lived user token: 60 days), short
// enough that adding it to a time point cannot overflow.
constexpr long long kMaxTokenLifetime = 10LL * 366 * 24 * 3600;
constexpr long long kMaxDeviceCodeLifetime = 24LL * 3600;
constexpr long long kMaxPollInterval = 3600;
constexpr seconds kSlowDownStep{5};  // RFC 8628 §3.5

// Facebook Graph codes (developers.facebook.com, "Handling errors").
constexpr std::array<long long, 5> kGraphRateLimitCodes{4, 17, 32, 341, 613};
constexpr std::array<long long, 2> kGraphTransientCodes{1, 2};
constexpr std::array<long long, 2> kGraphTokenCodes{190, 102};
// Subcodes of 190 after which only a new login helps: app removed, checkpointed, password
// changed, expired, unconfirmed user, invalid token, invalid session.
constexpr std::array<long long, 7> kGraphRevokedSubcodes{458, 459, 460, 463, 464, 467, 492};
// Facebook's device login (login_status answers).
constexpr long long kGraphDevicePending = 1349174;
constexpr long long kGraphDeviceSlowDown = 1349172;
constexpr long long kGraphDeviceExpired = 1349152;

template <class Container, class Value>
bool contains(const Container& container, const Value& value) {
  return std::find(container.begin(), container.end(), value) != container.end();
}

// --- Reading the body ------------------------------------------------------------------

bool isBlank(std::string_view body) {
  return std::all_of(body.begin(), body.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// The body as JSON; nothing when it is not JSON or nests deeper than kMaxJsonDepth (deeper
// containers are dropped while parsing, so nothing recursive ever walks a deep tree).
std::optional<Json> parseBody(std::string_view body) {
  bool tooDeep = false;
  Json document = Json::parse(
      body.begin(), body.end(),
      [&tooDeep](int depth, Json::parse_event_t event, Json&) {
        const bool opens = event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
        if (opens && depth >= kMaxJsonDepth) tooDeep = true;
        return !tooDeep;
      },
      /*allow_exceptions=*/false);
  if (tooDeep || document.is_discarded()) return std::nullopt;
  return document;
}

const Json* member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

const std::string* stringMember(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  return value != nullptr && value->is_string() ? &value->get_ref<const std::string&>() : nullptr;
}

std::optional<long long> integerOf(const Json& value) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(std::numeric_limits<long long>::max())) return std::nullopt;
    return static_cast<long long>(number);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

std::optional<long long> integerMember(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  return value == nullptr ? std::nullopt : integerOf(*value);
}

// A duration in seconds as the platforms write it: an integer, a decimal number (rounded
// down) or a string of digits ("3600"). Nothing when it is none of these.
std::optional<long long> secondsOf(const Json& value) {
  if (auto integer = integerOf(value)) return integer;
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (!std::isfinite(number) || std::fabs(number) > 1e15) return std::nullopt;
    return static_cast<long long>(std::floor(number));
  }
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    long long number = 0;
    const char* end = text.data() + text.size();
    const auto [stop, problem] = std::from_chars(text.data(), end, number);
    if (text.empty() || problem != std::errc{} || stop != end) return std::nullopt;
    return number;
  }
  return std::nullopt;
}

bool isCodeCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

// A platform's machine code ("quotaExceeded", "invalid_grant"), not free text.
bool isCode(std::string_view text) {
  return !text.empty() && text.size() <= kMaxReasonBytes && std::all_of(text.begin(), text.end(), isCodeCharacter);
}

// --- Cleaning the platform's words -------------------------------------------------------

bool isTokenCharacter(char c) { return isCodeCharacter(c) || c == '~' || c == '+' || c == '/' || c == '='; }

// Platforms sometimes echo the request in their message: a token in a query string, or a
// bare Google ("ya29.") or Facebook ("EAA") access token. Those are masked.
std::string maskTokens(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kSecretKeys{
      "access_token=",      "refresh_token=", "client_secret=", "device_code=",
      "fb_exchange_token=", "input_token=",   "password="};
  static constexpr std::array<std::string_view, 2> kTokenPrefixes{"ya29.", "EAA"};
  constexpr std::size_t kShortestBareToken = 20;
  const auto wordEnd = [text](std::size_t from) {
    while (from < text.size() && isTokenCharacter(text[from])) ++from;
    return from;
  };
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::string_view rest = text.substr(i);
    std::optional<std::size_t> maskFrom;
    for (std::string_view key : kSecretKeys) {
      if (rest.starts_with(key)) maskFrom = i + key.size();
    }
    if (!maskFrom && (i == 0 || !isTokenCharacter(text[i - 1]))) {
      for (std::string_view prefix : kTokenPrefixes) {
        if (rest.starts_with(prefix) && wordEnd(i) - i >= kShortestBareToken) maskFrom = i;
      }
    }
    if (!maskFrom) {
      out += text[i++];
      continue;
    }
    out.append(text.substr(i, *maskFrom - i));
    const std::size_t end = wordEnd(*maskFrom);
    if (end > *maskFrom) out.append(Secret::kMask);
    i = end;  // past a key at least, past a bare token of 20 characters at least
  }
  return out;
}

// At most `maxBytes` bytes of valid UTF-8, cut between two characters, "…" when cut.
std::string truncated(std::string text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  std::size_t cut = maxBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  text.resize(cut);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text + "…";
}

// The platform's message as it may be shown: one line of valid UTF-8 without control or
// bidirectional characters, tokens masked, at most kMaxMessageBytes.
std::string cleanMessage(std::string_view message) {
  std::string cleaned = cleanViewerText(maskTokens(message));
  std::string oneLine;
  oneLine.reserve(cleaned.size());
  for (char c : cleaned) {
    if (c != '\n') {
      oneLine += c;
    } else if (!oneLine.empty() && oneLine.back() != ' ') {
      oneLine += ' ';
    }
  }
  return truncated(std::move(oneLine), kMaxMessageBytes);
}

// --- What an error body says, in whichever dialect ----------------------------------------

struct ErrorDocument {
  std::string reason;                  // a code, or empty
  std::string message;                 // raw
  std::optional<long long> graphCode;  // Facebook
  std::optional<long long> graphSubcode;
  std::optional<long long> embeddedStatus;  // Google's error.code, a problem document's status
  bool errorObject = false;                 // {"error":{…}}: an error even in a 2xx
};

// RFC 7807 (PeerTube): {"type","title","status","detail","code"?}; PeerTube ≤ 3.2 also put
// the detail in "error", which is free text, not a code.
std::optional<ErrorDocument> readProblem(const Json& document) {
  const std::string* type = stringMember(document, "type");
  const std::string* title = stringMember(document, "title");
  const std::string* detail = stringMember(document, "detail");
  if (type == nullptr || (title == nullptr && detail == nullptr)) return std::nullopt;
  ErrorDocument error;
  if (const std::string* code = stringMember(document, "code"); code != nullptr && isCode(*code)) error.reason = *code;
  error.message = detail != nullptr ? *detail : *title;
  error.embeddedStatus = integerMember(document, "status");
  return error;
}

// Graph: {"error":{"message","type","code","error_subcode","fbtrace_id"}}.
ErrorDocument readGraphError(const Json& error) {
  ErrorDocument read;
  read.errorObject = true;
  read.graphCode = integerMember(error, "code");
  read.graphSubcode = integerMember(error, "error_subcode");
  if (read.graphCode) {
    read.reason = std::to_string(*read.graphCode);
    if (read.graphSubcode) read.reason += "/" + std::to_string(*read.graphSubcode);
  } else if (const std::string* type = stringMember(error, "type"); type != nullptr && isCode(*type)) {
    read.reason = *type;
  }
  if (const std::string* message = stringMember(error, "message")) read.message = *message;
  return read;
}

// Google: {"error":{"code":403,"message","errors":[{"domain","reason","message"}],"status"}};
// the newer APIs put the reason in details[].reason.
ErrorDocument readGoogleError(const Json& error) {
  ErrorDocument read;
  read.errorObject = true;
  read.embeddedStatus = integerMember(error, "code");
  for (const char* list : {"errors", "details"}) {
    const Json* items = member(error, list);
    if (items == nullptr || !items->is_array()) continue;
    for (const Json& item : *items) {
      const std::string* reason = stringMember(item, "reason");
      if (reason != nullptr && isCode(*reason)) {
        read.reason = *reason;
        if (const std::string* message = stringMember(item, "message")) read.message = *message;
        break;
      }
    }
    if (!read.reason.empty()) break;
  }
  if (const std::string* status = stringMember(error, "status"); read.reason.empty() && status && isCode(*status)) {
    read.reason = *status;
  }
  if (const std::string* message = stringMember(error, "message")) read.message = *message;
  return read;
}

std::optional<ErrorDocument> readErrorDocument(PlatformId platform, const Json& document) {
  if (!document.is_object()) return std::nullopt;
  if (auto problem = readProblem(document)) return problem;
  if (const Json* error = member(document, "error")) {
    if (error->is_object()) {
      const bool google = member(*error, "errors") != nullptr || member(*error, "details") != nullptr;
      return platform == PlatformId::facebook && !google ? readGraphError(*error) : readGoogleError(*error);
    }
    if (error->is_string()) {
      // OAuth 2.0 (RFC 6749 §5.2): {"error":"invalid_grant","error_description":…}.
      ErrorDocument read;
      const std::string& text = error->get_ref<const std::string&>();
      if (isCode(text)) read.reason = text;
      if (const std::string* description = stringMember(document, "error_description")) {
        read.message = *description;
      } else if (read.reason.empty()) {
        read.message = text;
      }
      return read;
    }
  }
  // Google's device code endpoint past its quota: {"error_code":"rate_limit_exceeded"}.
  if (const std::string* code = stringMember(document, "error_code"); code != nullptr && isCode(*code)) {
    ErrorDocument read;
    read.reason = *code;
    if (const std::string* description = stringMember(document, "error_description")) read.message = *description;
    return read;
  }
  return std::nullopt;
}

// --- Classifying -------------------------------------------------------------------------

struct ReasonKind {
  std::string_view reason;
  AnswerKind kind;
};
// Reasons whose meaning differs from what their HTTP status alone would say (Google's
// reasons, OAuth 2.0's codes). Any reason not listed goes by the status.
constexpr std::array<ReasonKind, 17> kReasonKinds{{
    {"quotaExceeded", AnswerKind::quotaExceeded},
    {"dailyLimitExceeded", AnswerKind::quotaExceeded},
    {"rateLimitExceeded", AnswerKind::rateLimited},
    {"userRateLimitExceeded", AnswerKind::rateLimited},
    {"rate_limit_exceeded", AnswerKind::rateLimited},
    {"RATE_LIMIT_EXCEEDED", AnswerKind::rateLimited},
    {"slow_down", AnswerKind::rateLimited},
    {"invalid_grant", AnswerKind::revoked},
    {"invalid_token", AnswerKind::unauthorized},
    // A wrong client id or secret is a configuration mistake: refreshing will not help.
    {"invalid_client", AnswerKind::refused},
    {"unauthorized_client", AnswerKind::refused},
    {"youtubeSignupRequired", AnswerKind::refused},
    {"backendError", AnswerKind::transient},
    {"internalError", AnswerKind::transient},
    {"server_error", AnswerKind::transient},
    {"temporarily_unavailable", AnswerKind::transient},
    {"SERVICE_UNAVAILABLE", AnswerKind::transient},
}};

std::optional<AnswerKind> graphKind(long long code, std::optional<long long> subcode) {
  if (contains(kGraphTokenCodes, code)) {
    return subcode && contains(kGraphRevokedSubcodes, *subcode) ? AnswerKind::revoked : AnswerKind::unauthorized;
  }
  if (contains(kGraphRateLimitCodes, code) || (code >= 80000 && code <= 80014)) return AnswerKind::rateLimited;
  if (contains(kGraphTransientCodes, code)) return AnswerKind::transient;
  if (code == 10 || (code >= 200 && code <= 299) || code == 368) return AnswerKind::refused;
  return std::nullopt;
}

std::optional<AnswerKind> documentKind(const ErrorDocument& error) {
  if (error.graphCode) {
    if (auto kind = graphKind(*error.graphCode, error.graphSubcode)) return kind;
  }
  for (const ReasonKind& entry : kReasonKinds) {
    if (entry.reason == error.reason) return entry.kind;
  }
  return std::nullopt;
}

AnswerKind statusKind(int status) {
  if (status == 401) return AnswerKind::unauthorized;
  if (status == 429) return AnswerKind::rateLimited;
  if (status == 408) return AnswerKind::transient;
  if (status >= 400 && status <= 499) return AnswerKind::refused;
  return AnswerKind::transient;  // no answer, 5xx, and what no API should send (1xx, 3xx)
}

std::string statusReason(int status) { return status <= 0 ? "no answer" : "http " + std::to_string(status); }

bool isSuccess(int status) { return status >= 200 && status <= 299; }

// What the device flow needs beyond the public answer: Graph's subcode.
struct Classified {
  ApiAnswer answer;
  std::optional<long long> graphSubcode;
};

Classified classify(PlatformId platform, int httpStatus, std::string_view body) {
  const bool blank = isBlank(body);
  const std::optional<Json> document = blank ? std::nullopt : parseBody(body);
  std::optional<ErrorDocument> error;
  if (document) error = readErrorDocument(platform, *document);

  int status = httpStatus;
  if (isSuccess(httpStatus)) {
    if (blank) return {{AnswerKind::ok, "", ""}, std::nullopt};
    if (!document) return {{AnswerKind::malformed, "not json", ""}, std::nullopt};
    if (!error || !error->errorObject) return {{AnswerKind::ok, "", ""}, std::nullopt};
    // An error document in a 2xx: read it with the status it carries, or as a refusal.
    const long long embedded = error->embeddedStatus.value_or(0);
    status = embedded >= 400 && embedded <= 599 ? static_cast<int>(embedded) : 400;
  }

  Classified result;
  result.answer.kind = statusKind(status);
  result.answer.reason = statusReason(status);
  if (error) {
    if (auto kind = documentKind(*error)) result.answer.kind = *kind;
    if (!error->reason.empty()) result.answer.reason = error->reason;
    result.answer.message = cleanMessage(error->message);
    result.graphSubcode = error->graphSubcode;
  }
  return result;
}

ApiAnswer malformed(std::string reason) { return {AnswerKind::malformed, std::move(reason), ""}; }

// --- Token and device code answers ---------------------------------------------------------

enum class Presence { absent, valid, invalid };

// A lifetime in seconds within [minimum, maximum].
Presence readLifetime(const Json& document, std::string_view key, long long minimum, long long maximum,
                      long long& out) {
  const Json* value = member(document, key);
  if (value == nullptr || value->is_null()) return Presence::absent;
  const std::optional<long long> number = secondsOf(*value);
  if (!number || *number < minimum || *number > maximum) return Presence::invalid;
  out = *number;
  return Presence::valid;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

bool isPrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7F; });
}

// A page the technician is sent to: an http(s) address, printable, no spaces.
bool isWebAddress(std::string_view text) {
  const bool web = text.starts_with("https://") || text.starts_with("http://");
  return web && text.size() <= kMaxUrlBytes && isPrintableAscii(text) && text.find("://") + 3 < text.size();
}

}  // namespace

// --- Names -------------------------------------------------------------------------------

std::string_view toString(PlatformId platform) { return kPlatformNames.at(static_cast<std::size_t>(platform)); }

std::string_view displayName(PlatformId platform) {
  return kPlatformDisplayNames.at(static_cast<std::size_t>(platform));
}

std::optional<PlatformId> platformFromString(std::string_view id) {
  for (PlatformId platform : kPlatformIds) {
    if (toString(platform) == id) return platform;
  }
  return std::nullopt;
}

std::string_view toString(AnswerKind kind) {
  static constexpr std::array<std::string_view, 8> kNames{"ok",           "unauthorized", "revoked", "quota_exceeded",
                                                          "rate_limited", "transient",    "refused", "malformed"};
  return kNames.at(static_cast<std::size_t>(kind));
}

std::string_view toString(AccountState state) {
  static constexpr std::array<std::string_view, 4> kNames{"not_linked", "linking", "linked", "reconnect"};
  return kNames.at(static_cast<std::size_t>(state));
}

std::string_view toString(DeviceFlowState state) {
  static constexpr std::array<std::string_view, 5> kNames{"waiting", "linked", "denied", "expired", "failed"};
  return kNames.at(static_cast<std::size_t>(state));
}

// --- Answers -----------------------------------------------------------------------------

ApiAnswer afterRenewal(ApiAnswer answer) {
  if (answer.kind == AnswerKind::unauthorized) answer.kind = AnswerKind::revoked;
  return answer;
}

ApiAnswer classifyAnswer(PlatformId platform, int httpStatus, std::string_view body) {
  return classify(platform, httpStatus, body).answer;
}

bool needsRefresh(const AccountTokens& tokens, WallTime now) {
  if (tokens.accessToken.empty()) return true;
  if (!tokens.accessExpiry) return false;
  return now + kRefreshAhead >= *tokens.accessExpiry;
}

TokenAnswer parseTokenAnswer(PlatformId platform, int httpStatus, std::string_view body, WallTime now,
                             const AccountTokens& previous) {
  const ApiAnswer answer = classifyAnswer(platform, httpStatus, body);
  if (answer.kind != AnswerKind::ok) return {std::nullopt, answer};
  const std::optional<Json> document = isBlank(body) ? std::nullopt : parseBody(body);
  if (!document) return {std::nullopt, malformed("empty answer")};
  if (!document->is_object()) return {std::nullopt, malformed("not an object")};

  const Json* access = member(*document, "access_token");
  if (access == nullptr) return {std::nullopt, malformed("missing access_token")};
  if (!access->is_string() || access->get_ref<const std::string&>().empty()) {
    return {std::nullopt, malformed("access_token: not a non-empty string")};
  }
  if (const Json* type = member(*document, "token_type"); type != nullptr) {
    // Tribune only sends "Authorization: Bearer"; any other kind of token would not work.
    if (!type->is_string() || !equalsIgnoringCase(type->get_ref<const std::string&>(), "bearer")) {
      return {std::nullopt, malformed("token_type: not bearer")};
    }
  }

  AccountTokens tokens;
  tokens.accessToken = Secret{access->get<std::string>()};
  tokens.accountName = previous.accountName;
  tokens.accountId = previous.accountId;

  long long expiresIn = 0;
  // Facebook writes 0 for a token that does not expire; elsewhere a token must live a while.
  const long long minimum = platform == PlatformId::facebook ? 0 : 1;
  switch (readLifetime(*document, "expires_in", minimum, kMaxTokenLifetime, expiresIn)) {
    case Presence::invalid: return {std::nullopt, malformed("expires_in: not a number of seconds in range")};
    case Presence::valid:
      if (expiresIn > 0) tokens.accessExpiry = now + seconds{expiresIn};
      break;
    case Presence::absent: break;  // unknown: refreshed when a call answers 401
  }

  const Json* refresh = member(*document, "refresh_token");
  if (refresh != nullptr && !refresh->is_null() && !refresh->is_string()) {
    return {std::nullopt, malformed("refresh_token: not a string")};
  }
  const bool newRefresh = refresh != nullptr && refresh->is_string() && !refresh->get_ref<const std::string&>().empty();
  long long refreshExpiresIn = 0;
  const Presence refreshLifetime =
      readLifetime(*document, "refresh_token_expires_in", 1, kMaxTokenLifetime, refreshExpiresIn);
  if (refreshLifetime == Presence::invalid) {
    return {std::nullopt, malformed("refresh_token_expires_in: not a number of seconds in range")};
  }
  if (newRefresh) {
    tokens.refreshToken = Secret{refresh->get<std::string>()};
    if (refreshLifetime == Presence::valid) tokens.refreshExpiry = now + seconds{refreshExpiresIn};
  } else {
    // Google sends no refresh token on refresh: the one we have stays good.
    tokens.refreshToken = previous.refreshToken;
    tokens.refreshExpiry = previous.refreshExpiry;
  }
  return {std::move(tokens), std::nullopt};
}

DeviceCodeAnswer parseDeviceCodeAnswer(PlatformId platform, int httpStatus, std::string_view body) {
  const ApiAnswer answer = classifyAnswer(platform, httpStatus, body);
  if (answer.kind != AnswerKind::ok) return {std::nullopt, answer};
  const std::optional<Json> document = isBlank(body) ? std::nullopt : parseBody(body);
  if (!document) return {std::nullopt, malformed("empty answer")};
  if (!document->is_object()) return {std::nullopt, malformed("not an object")};

  // Google: device_code and verification_url; Facebook and RFC 8628: code and verification_uri.
  const std::string* deviceCode = stringMember(*document, "device_code");
  if (deviceCode == nullptr) deviceCode = stringMember(*document, "code");
  if (deviceCode == nullptr || deviceCode->empty()) return {std::nullopt, malformed("missing device_code")};

  const std::string* userCode = stringMember(*document, "user_code");
  if (userCode == nullptr) return {std::nullopt, malformed("missing user_code")};
  if (userCode->empty() || userCode->size() > kMaxUserCodeBytes || !isPrintableAscii(*userCode)) {
    return {std::nullopt, malformed("user_code: not a short printable code")};
  }

  const std::string* url = stringMember(*document, "verification_url");
  if (url == nullptr) url = stringMember(*document, "verification_uri");
  if (url == nullptr) return {std::nullopt, malformed("missing verification_url")};
  if (!isWebAddress(*url)) return {std::nullopt, malformed("verification_url: not an http(s) address")};

  DeviceCode code;
  code.deviceCode = Secret{*deviceCode};
  code.userCode = *userCode;
  code.verificationUrl = *url;
  long long value = 0;
  switch (readLifetime(*document, "expires_in", 1, kMaxDeviceCodeLifetime, value)) {
    case Presence::invalid: return {std::nullopt, malformed("expires_in: not a number of seconds in range")};
    case Presence::valid: code.expiresIn = seconds{value}; break;
    case Presence::absent: break;
  }
  switch (readLifetime(*document, "interval", 1, kMaxPollInterval, value)) {
    case Presence::invalid: return {std::nullopt, malformed("interval: not a number of seconds in range")};
    case Presence::valid: code.interval = seconds{value}; break;
    case Presence::absent: break;  // RFC 8628: 5 s
  }
  return {std::move(code), std::nullopt};
}

// --- Advice ------------------------------------------------------------------------------

namespace {

// What to tell the technician about one reason; "{p}" stands for the platform's name.
struct ReasonAdvice {
  std::optional<PlatformId> platform;  // none: any platform
  std::string_view reason;             // Graph: "code/subcode" or "code" ("200" for 200–299)
  std::string_view french;
  std::string_view english;
};

constexpr std::string_view kBadClientFr =
    "{p} ne reconnaît pas l'application Tribune (identifiant client refusé) : vérifiez l'identifiant et le secret "
    "client dans la configuration.";
constexpr std::string_view kBadClientEn =
    "{p} does not recognise the Tribune application (client id refused): check the client id and secret in the "
    "configuration.";
constexpr std::string_view kFacebookPermissionsFr =
    "La Page Facebook n'a pas donné à Tribune les autorisations nécessaires (publier des vidéos, lire les "
    "commentaires) : reconnectez le compte en les acceptant toutes.";
constexpr std::string_view kFacebookPermissionsEn =
    "The Facebook Page did not give Tribune the permissions it needs (publishing videos, reading comments): "
    "reconnect the account and accept them all.";
constexpr std::string_view kFacebookEligibilityFr =
    "Facebook refuse le direct : la Page doit avoir au moins 100 abonnés et le compte au moins 60 jours.";
constexpr std::string_view kFacebookEligibilityEn =
    "Facebook refuses the live: the Page needs at least 100 followers and the account must be at least 60 days "
    "old.";
constexpr std::string_view kYouTubeScopeFr =
    "Le compte YouTube n'a pas donné à Tribune les droits nécessaires : reconnectez-le en acceptant toutes les "
    "autorisations demandées.";
constexpr std::string_view kYouTubeScopeEn =
    "The YouTube account did not give Tribune the rights it needs: reconnect it and accept every permission asked "
    "for.";
constexpr std::string_view kYouTubeApiOffFr =
    "L'API YouTube Data v3 n'est pas activée dans le projet Google Cloud de Tribune : activez-la dans la console "
    "Google Cloud.";
constexpr std::string_view kYouTubeApiOffEn =
    "The YouTube Data API v3 is not enabled in Tribune's Google Cloud project: enable it in the Google Cloud "
    "console.";
constexpr std::string_view kNoChannelFr =
    "Ce compte Google n'a pas de chaîne YouTube : créez la chaîne de la commune, puis reconnectez le compte.";
constexpr std::string_view kNoChannelEn =
    "This Google account has no YouTube channel: create the town's channel, then reconnect the account.";
constexpr std::string_view kPeerTubeLivesFullFr =
    "L'instance PeerTube a atteint son nombre maximal de directs : terminez un direct en cours ou voyez avec son "
    "administrateur.";
constexpr std::string_view kPeerTubeLivesFullEn =
    "The PeerTube instance has reached its maximum number of lives: end a running live or ask its administrator.";

constexpr ReasonAdvice kReasonAdvice[] = {
    {PlatformId::youtube, "invalid_grant",
     "Le compte YouTube n'est plus lié à Tribune (autorisation retirée ou expirée) : reconnectez-le dans la "
     "console. Si cela arrive chaque semaine, l'application Google est restée en mode « Test » : publiez-la "
     "« En production » dans la console Google Cloud.",
     "The YouTube account is no longer linked to Tribune (authorisation withdrawn or expired): reconnect it in the "
     "console. If this happens every week, the Google application was left in \"Testing\": publish it \"In "
     "production\" in the Google Cloud console."},
    {PlatformId::youtube, "invalid_client",
     "Google ne reconnaît pas l'application Tribune (identifiant client refusé) : vérifiez l'identifiant et le "
     "secret client dans la configuration, et que le client est du type « TV et appareils à entrée limitée ».",
     "Google does not recognise the Tribune application (client id refused): check the client id and secret in "
     "the configuration, and that the client is of the \"TVs and Limited Input devices\" type."},
    {PlatformId::youtube, "admin_policy_enforced",
     "Un administrateur du compte Google bloque cette autorisation : demandez-lui d'autoriser l'application "
     "Tribune.",
     "An administrator of the Google account blocks this authorisation: ask them to allow the Tribune "
     "application."},
    {PlatformId::youtube, "liveStreamingNotEnabled",
     "La diffusion en direct n'est pas activée sur cette chaîne YouTube : activez-la dans YouTube Studio "
     "(l'activation peut prendre 24 h).",
     "Live streaming is not enabled on this YouTube channel: enable it in YouTube Studio (this can take 24 "
     "hours)."},
    {PlatformId::youtube, "accessNotConfigured", kYouTubeApiOffFr, kYouTubeApiOffEn},
    {PlatformId::youtube, "SERVICE_DISABLED", kYouTubeApiOffFr, kYouTubeApiOffEn},
    {PlatformId::youtube, "insufficientPermissions", kYouTubeScopeFr, kYouTubeScopeEn},
    {PlatformId::youtube, "ACCESS_TOKEN_SCOPE_INSUFFICIENT", kYouTubeScopeFr, kYouTubeScopeEn},
    {PlatformId::youtube, "youtubeSignupRequired", kNoChannelFr, kNoChannelEn},
    {PlatformId::youtube, "NoLinkedYouTubeAccount", kNoChannelFr, kNoChannelEn},
    {PlatformId::youtube, "liveChatEnded",
     "Le tchat YouTube de ce direct est terminé : les questions n'arrivent plus de YouTube.",
     "This live's YouTube chat has ended: questions no longer come from YouTube."},
    {PlatformId::youtube, "liveChatDisabled",
     "Le tchat est désactivé sur ce direct YouTube : activez-le dans YouTube Studio pour recevoir les questions.",
     "Chat is disabled on this YouTube live: enable it in YouTube Studio to receive questions."},
    {PlatformId::youtube, "liveChatNotFound",
     "Tchat YouTube introuvable : le direct a peut-être été supprimé ou n'a pas encore commencé.",
     "YouTube chat not found: the live may have been deleted or may not have started yet."},
    {PlatformId::facebook, "190/458",
     "Le compte Facebook n'est plus lié : l'application Tribune a été retirée de ses paramètres. Reconnectez le "
     "compte dans la console.",
     "The Facebook account is no longer linked: the Tribune application was removed from its settings. Reconnect "
     "the account in the console."},
    {PlatformId::facebook, "190/459",
     "Facebook demande une vérification du compte : connectez-vous sur facebook.com pour la faire, puis "
     "reconnectez le compte dans la console.",
     "Facebook asks for the account to be checked: log in on facebook.com to do it, then reconnect the account in "
     "the console."},
    {PlatformId::facebook, "190/460",
     "Le compte Facebook n'est plus lié : son mot de passe a changé. Reconnectez le compte dans la console.",
     "The Facebook account is no longer linked: its password changed. Reconnect the account in the console."},
    {PlatformId::facebook, "190/463",
     "La connexion au compte Facebook a expiré : reconnectez le compte dans la console.",
     "The Facebook account's login has expired: reconnect the account in the console."},
    {PlatformId::facebook, "190/464",
     "Le compte Facebook n'est pas confirmé : confirmez-le sur facebook.com, puis reconnectez-le dans la console.",
     "The Facebook account is not confirmed: confirm it on facebook.com, then reconnect it in the console."},
    // Subcodes from a secondary source (research notes §2): not confirmed by Facebook's docs.
    {PlatformId::facebook, "200/1363120", kFacebookEligibilityFr, kFacebookEligibilityEn},
    {PlatformId::facebook, "200/1363144", kFacebookEligibilityFr, kFacebookEligibilityEn},
    {PlatformId::facebook, "10", kFacebookPermissionsFr, kFacebookPermissionsEn},
    {PlatformId::facebook, "200", kFacebookPermissionsFr, kFacebookPermissionsEn},
    {PlatformId::facebook, "368",
     "Facebook bloque temporairement cette action (règles de la plateforme) : réessayez dans quelques heures.",
     "Facebook temporarily blocks this action (platform rules): try again in a few hours."},
    {PlatformId::peertube, "invalid_grant",
     "PeerTube refuse le nom d'utilisateur ou le mot de passe, ou la session a expiré : reconnectez le compte dans "
     "la console.",
     "PeerTube refuses the user name or password, or the session has expired: reconnect the account in the "
     "console."},
    {PlatformId::peertube, "live_not_enabled",
     "Les directs ne sont pas activés sur cette instance PeerTube : demandez-le à son administrateur.",
     "Lives are not enabled on this PeerTube instance: ask its administrator."},
    {PlatformId::peertube, "max_instance_lives_limit_reached", kPeerTubeLivesFullFr, kPeerTubeLivesFullEn},
    {PlatformId::peertube, "max_user_lives_limit_reached", kPeerTubeLivesFullFr, kPeerTubeLivesFullEn},
    {std::nullopt, "invalid_client", kBadClientFr, kBadClientEn},
    {std::nullopt, "unauthorized_client", kBadClientFr, kBadClientEn},
    {std::nullopt, "access_denied",
     "La liaison a été refusée sur la page de {p} : recommencez-la si c'était une erreur.",
     "Linking was declined on {p}'s page: start again if that was a mistake."},
    {std::nullopt, "expired_token",
     "Le code de liaison a expiré avant d'être saisi : recommencez la liaison et saisissez le nouveau code sans "
     "tarder.",
     "The linking code expired before it was entered: start again and enter the new code without delay."},
};

std::string filled(std::string_view text, std::string_view platform) {
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 3) == "{p}") {
      out.append(platform);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Graph's code alone ("200/1363120" → "200"), with 200–299 all read as "200".
std::string graphCodeKey(std::string_view reason) {
  int code = 0;
  const auto [stop, problem] = std::from_chars(reason.data(), reason.data() + reason.size(), code);
  if (problem != std::errc{} || stop == reason.data()) return {};
  if (code >= 200 && code <= 299) code = 200;
  return std::to_string(code);
}

const ReasonAdvice* findReasonAdvice(PlatformId platform, std::string_view reason) {
  std::vector<std::string> keys{std::string{reason}};
  if (platform == PlatformId::facebook) keys.push_back(graphCodeKey(reason));
  for (const std::string& key : keys) {
    for (const ReasonAdvice& entry : kReasonAdvice) {
      if (entry.platform == platform && entry.reason == key) return &entry;
    }
  }
  for (const ReasonAdvice& entry : kReasonAdvice) {
    if (!entry.platform && entry.reason == reason) return &entry;
  }
  return nullptr;
}

// The reason as it may be shown in parentheses: a code or our own short words, else nothing.
std::string shownReason(std::string_view reason) {
  const bool shown =
      !reason.empty() && reason.size() <= kMaxReasonBytes && std::all_of(reason.begin(), reason.end(), [](char c) {
        return isCodeCharacter(c) || c == ' ' || c == '/' || c == ':' || c == '(' || c == ')';
      });
  return shown ? " (" + std::string{reason} + ")" : "";
}

AnswerAdvice kindAdvice(PlatformId platform, const ApiAnswer& answer, std::optional<WallTime> now) {
  const std::string reason = shownReason(answer.reason);
  switch (answer.kind) {
    case AnswerKind::ok: return {"{p} a répondu normalement.", "{p} answered normally."};
    case AnswerKind::unauthorized:
      return {
          "{p} n'a pas accepté l'autorisation du compte : Tribune la renouvelle et réessaie ; si cela se répète, "
          "reconnectez le compte dans la console.",
          "{p} did not accept the account's authorisation: Tribune renews it and tries again; if this happens "
          "again, reconnect the account in the console."};
    case AnswerKind::revoked:
      return {
          "Le compte {p} n'est plus lié à Tribune (autorisation retirée ou expirée) : reconnectez-le dans la "
          "console.",
          "The {p} account is no longer linked to Tribune (authorisation withdrawn or expired): reconnect it in "
          "the console."};
    case AnswerKind::quotaExceeded: {
      if (platform != PlatformId::youtube) {
        return {"Quota {p} atteint : Tribune attend avant de réessayer.",
                "{p}'s quota is reached: Tribune waits before trying again."};
      }
      const int hour = now ? parisTimeOf(nextPacificMidnight(*now)).hour : 9;
      return {"Quota YouTube du jour épuisé : reprise à " + std::to_string(hour) +
                  " h (heure de Paris). La diffusion elle-même continue.",
              "YouTube's daily quota is used up: calls resume at " + std::to_string(hour) +
                  ":00 (Paris time). The stream itself goes on."};
    }
    case AnswerKind::rateLimited:
      return {"{p} demande de ralentir : Tribune espace ses appels et réessaie tout seul.",
              "{p} asks Tribune to slow down: it spaces its calls and tries again on its own."};
    case AnswerKind::transient:
      if (answer.reason == "no answer") {
        return {"Pas de réponse de {p} : vérifiez la connexion Internet ; Tribune réessaie tout seul.",
                "No answer from {p}: check the Internet connection; Tribune tries again on its own."};
      }
      return {"{p} a un problème passager" + reason + " : Tribune réessaie tout seul.",
              "{p} has a passing problem" + reason + ": Tribune tries again on its own."};
    case AnswerKind::refused:
      // The platform's message is added by adviceFor, once "{p}" is replaced.
      return {"{p} refuse cette demande" + reason + " : vérifiez les réglages du compte et du direct sur {p}.",
              "{p} refused this request" + reason + ": check the account's and the live's settings on {p}."};
    case AnswerKind::malformed:
      return {"Réponse inattendue de {p}" + reason +
                  " : un proxy ou un portail Wi-Fi répond peut-être à sa place ; vérifiez la connexion Internet.",
              "Unexpected answer from {p}" + reason +
                  ": a proxy or a Wi-Fi portal may be answering in its place; check the Internet connection."};
  }
  return {"{p} : réponse inconnue.", "{p}: unknown answer."};
}

}  // namespace

AnswerAdvice adviceFor(PlatformId platform, const ApiAnswer& answer, std::optional<WallTime> now) {
  const std::string_view name = displayName(platform);
  if (answer.kind != AnswerKind::ok) {
    if (const ReasonAdvice* entry = findReasonAdvice(platform, answer.reason)) {
      return {filled(entry->french, name), filled(entry->english, name)};
    }
  }
  const AnswerAdvice generic = kindAdvice(platform, answer, now);
  AnswerAdvice advice{filled(generic.french, name), filled(generic.english, name)};
  // Only a refusal nobody foresaw quotes the platform: its words are all there is to go on.
  // They go in after "{p}" is replaced, so a "{p}" in them stays as it is.
  if (answer.kind == AnswerKind::refused) {
    if (const std::string message = cleanMessage(answer.message); !message.empty()) {
      advice.french += " Message de " + std::string{name} + " : « " + message + " ».";
      advice.english += " " + std::string{name} + "'s message: \"" + message + "\".";
    }
  }
  return advice;
}

// --- The device flow -----------------------------------------------------------------------

namespace {

enum class PollOutcome { success, pending, slowDown, denied, expired, failed };

PollOutcome pollOutcome(const Classified& poll) {
  const ApiAnswer& answer = poll.answer;
  if (answer.kind == AnswerKind::ok) return PollOutcome::success;
  if (answer.reason == "authorization_pending" || poll.graphSubcode == kGraphDevicePending) {
    return PollOutcome::pending;
  }
  if (answer.reason == "slow_down" || poll.graphSubcode == kGraphDeviceSlowDown) return PollOutcome::slowDown;
  if (answer.reason == "access_denied") return PollOutcome::denied;
  if (answer.reason == "expired_token" || answer.reason == "invalid_grant" ||
      poll.graphSubcode == kGraphDeviceExpired) {
    return PollOutcome::expired;
  }
  if (answer.kind == AnswerKind::rateLimited) return PollOutcome::slowDown;
  if (answer.kind == AnswerKind::transient) return PollOutcome::pending;  // no answer, 5xx: poll again
  return PollOutcome::failed;
}

ApiAnswer expiredByTime() { return {AnswerKind::refused, "expired_token", ""}; }

}  // namespace

DeviceFlow::DeviceFlow(PlatformId platform, DeviceCode code, WallTime now)
    : platform_(platform),
      code_(std::move(code)),
      expiresAt_(now + code_.expiresIn),
      interval_(code_.interval >= seconds{1} ? code_.interval : seconds{5}) {
  nextPollAt_ = now + interval_;
}

DeviceFlowState DeviceFlow::onPollAnswer(int httpStatus, std::string_view body, WallTime now) {
  if (state_ != DeviceFlowState::waiting) return state_;
  const Classified poll = classify(platform_, httpStatus, body);
  switch (pollOutcome(poll)) {
    case PollOutcome::success: {
      // A token is a token, even one that comes just after the code's expiry.
      TokenAnswer token = parseTokenAnswer(platform_, httpStatus, body, now);
      if (token.tokens) {
        tokens_ = std::move(token.tokens);
        state_ = DeviceFlowState::linked;
      } else {
        failure_ = std::move(token.error);
        state_ = DeviceFlowState::failed;
      }
      return state_;
    }
    case PollOutcome::pending: break;
    case PollOutcome::slowDown: interval_ += kSlowDownStep; break;
    case PollOutcome::denied:
      failure_ = poll.answer;
      state_ = DeviceFlowState::denied;
      return state_;
    case PollOutcome::expired:
      // Google says invalid_grant for a code no longer valid: in this flow, that is expiry.
      failure_ = ApiAnswer{AnswerKind::refused, "expired_token", poll.answer.message};
      state_ = DeviceFlowState::expired;
      return state_;
    case PollOutcome::failed:
      failure_ = poll.answer;
      state_ = DeviceFlowState::failed;
      return state_;
  }
  nextPollAt_ = now + interval_;
  return onTime(now);
}

DeviceFlowState DeviceFlow::onTime(WallTime now) {
  if (state_ == DeviceFlowState::waiting && now >= expiresAt_) {
    failure_ = expiredByTime();
    state_ = DeviceFlowState::expired;
  }
  return state_;
}

}  // namespace tribune::core
