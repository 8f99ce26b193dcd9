#pragma once
// The platforms' accounts (issue 20): which platform, how an account is linked (OAuth 2.0
// device flow for YouTube and Facebook, password grant for PeerTube), the tokens kept, the
// account's state as the console shows it, and what to do with each answer a platform
// gives. Pure: the adapter (src/platforms) talks HTTP and hands the status and body in;
// time comes in as arguments. Facts: ../shared/research/platform-apis.md.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/secret.h"

namespace tribune::core {

using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

enum class PlatformId { youtube, facebook, peertube };
inline constexpr PlatformId kPlatformIds[] = {PlatformId::youtube, PlatformId::facebook, PlatformId::peertube};

std::string_view toString(PlatformId platform);     // "youtube", "facebook", "peertube"
std::string_view displayName(PlatformId platform);  // "YouTube", "Facebook", "PeerTube"
std::optional<PlatformId> platformFromString(std::string_view id);

// ---------------------------------------------------------------------------------------
// What a platform's answer means for the caller. The adapter passes the HTTP status (0
// when no answer came: connection refused, timeout, TLS) and the body; the core decides.
enum class AnswerKind {
  ok,             // 2xx with a body that parses as JSON (or an empty body where none is due)
  unauthorized,   // 401, or Graph error 190 (or 102) without a subcode that says revoked: refresh once, retry once
  revoked,        // the grant is gone (invalid_grant, Graph 190 with 458/459/460/463/464/467/492, deauthorised):
                  // the account is "to be reconnected"
  quotaExceeded,  // YouTube 403 quotaExceeded / dailyLimitExceeded: no more calls until the reset
  rateLimited,    // YouTube rateLimitExceeded / userRateLimitExceeded, Graph 4/17/32/341/613/80000–80014,
                  // HTTP 429, OAuth slow_down: back off
  transient,      // 5xx, status 0 (network), 408, any other non-2xx status, Graph 1/2: back off and retry
  refused,        // any other 4xx (Graph 10, 200–299, 368, invalid_client…): this call will not succeed as
                  // made (permissions, eligibility, bad input)
  malformed,      // 2xx whose body is not the JSON expected
};
// A 2xx whose body is an error document ({"error":{…}}) is read as that error. The reason and
// message are cleaned (control and bidirectional characters removed, at most 300 bytes,
// anything that looks like a token masked) since both come from the network.
std::string_view toString(AnswerKind kind);

struct ApiAnswer {
  AnswerKind kind = AnswerKind::ok;
  std::string reason;   // the platform's code: "quotaExceeded", "invalid_grant", "190/460", "http 503", …
  std::string message;  // the platform's own message (English, untrusted: shown as text only), may be empty
};
ApiAnswer classifyAnswer(PlatformId platform, int httpStatus, std::string_view body);
// The answer to a call retried with a token renewed just before it: unauthorized again means
// the grant is gone (renewing once more would not help, nor would retrying): revoked, and the
// account is to be reconnected. Any other answer is as it is.
ApiAnswer afterRenewal(ApiAnswer answer);

// The technician's words for a failed call (French, then English), with what to do. Given
// `now`, a quota advice says the exact Paris hour of the reset (8 h for a few weeks in March
// and October–November, 9 h otherwise); without it, 9 h.
struct AnswerAdvice {
  std::string french;
  std::string english;
};
AnswerAdvice adviceFor(PlatformId platform, const ApiAnswer& answer, std::optional<WallTime> now = std::nullopt);

// ---------------------------------------------------------------------------------------
// Tokens and the account's state.
struct AccountTokens {
  Secret accessToken;
  Secret refreshToken;                    // YouTube and PeerTube; empty for a Facebook Page token
  std::optional<WallTime> accessExpiry;   // none: the token does not expire (Facebook Page token)
  std::optional<WallTime> refreshExpiry;  // PeerTube: 2 weeks; none when unknown
  std::string accountName;                // as whom: the channel's title, the Page's name, the PeerTube user
  std::string accountId;                  // channel id, Page id, PeerTube channel id
};

// Refresh the access token this long before it expires.
inline constexpr std::chrono::seconds kRefreshAhead{120};
// Whether the access token must be refreshed before a call at `now`.
bool needsRefresh(const AccountTokens& tokens, WallTime now);

// A token answer (Google's and PeerTube's token endpoint, Facebook's long-lived exchange):
// {"access_token", "expires_in", "refresh_token"?, "refresh_token_expires_in"?}. A refresh
// answer without a refresh_token keeps the old one (Google sends none on refresh), and the
// account's name and id always come from `previous`. expires_in is a number or a string of
// digits; absent, the expiry is unknown (none); Facebook's 0 means "does not expire". An
// error answer comes back as classifyAnswer says; a 2xx without a usable field is malformed
// with the field named in the reason ("missing access_token").
struct TokenAnswer {
  std::optional<AccountTokens> tokens;
  std::optional<ApiAnswer> error;  // when tokens is empty
};
TokenAnswer parseTokenAnswer(PlatformId platform, int httpStatus, std::string_view body, WallTime now,
                             const AccountTokens& previous = {});

enum class AccountState {
  notLinked,  // never linked, or unlinked by the technician
  linking,    // a device flow is under way (code shown)
  linked,     // tokens that worked last time
  reconnect,  // "à reconnecter": revoked, expired, refused; why is in AccountStatus::why
};
std::string_view toString(AccountState state);  // "not_linked", "linking", "linked", "reconnect"

// ---------------------------------------------------------------------------------------
// The OAuth 2.0 device flow (RFC 8628; Google's and Facebook's dialects).
struct DeviceCode {
  Secret deviceCode;            // Google's device_code, Facebook's code: never shown
  std::string userCode;         // "GQVQ-JKEC": shown
  std::string verificationUrl;  // Google's verification_url, Facebook's verification_uri
  std::chrono::seconds expiresIn{1800};
  std::chrono::seconds interval{5};
};
struct DeviceCodeAnswer {
  std::optional<DeviceCode> code;
  std::optional<ApiAnswer> error;
};
DeviceCodeAnswer parseDeviceCodeAnswer(PlatformId platform, int httpStatus, std::string_view body);

enum class DeviceFlowState { waiting, linked, denied, expired, failed };
std::string_view toString(DeviceFlowState state);

// One device flow: when to poll next and what each poll's answer means. Google: 428
// authorization_pending, 403 slow_down (+5 s), 403 access_denied, 400 expired_token /
// invalid_grant; Facebook: error_subcode 1349174 pending, 1349172 slow down, 1349152
// expired; success: a token answer. The flow expires at expiresIn whatever is answered.
// An HTTP 429 slows down like slow_down; no answer, 408 and 5xx keep waiting; any other
// error fails the flow. A token that arrives after expiresAt still links (the user did
// approve). Once the state has left `waiting`, nothing changes it.
class DeviceFlow {
 public:
  DeviceFlow(PlatformId platform, DeviceCode code, WallTime now);

  [[nodiscard]] PlatformId platform() const { return platform_; }
  [[nodiscard]] const DeviceCode& code() const { return code_; }
  [[nodiscard]] DeviceFlowState state() const { return state_; }
  [[nodiscard]] WallTime expiresAt() const { return expiresAt_; }
  // When the next poll may be sent (never earlier than the server's interval after the last).
  [[nodiscard]] WallTime nextPollAt() const { return nextPollAt_; }
  // The tokens once linked (Facebook: the user token, to be exchanged for the Page's).
  [[nodiscard]] const std::optional<AccountTokens>& tokens() const { return tokens_; }
  // Why it failed (denied, expired, refused), for the console.
  [[nodiscard]] const std::optional<ApiAnswer>& failure() const { return failure_; }

  // A poll's answer at `now` (status 0: no answer; retried at the interval).
  DeviceFlowState onPollAnswer(int httpStatus, std::string_view body, WallTime now);
  // Time passes without an answer: past expiresAt the flow is expired.
  DeviceFlowState onTime(WallTime now);

 private:
  PlatformId platform_;
  DeviceCode code_;
  DeviceFlowState state_ = DeviceFlowState::waiting;
  WallTime expiresAt_;
  WallTime nextPollAt_;
  std::chrono::seconds interval_;
  std::optional<AccountTokens> tokens_;
  std::optional<ApiAnswer> failure_;
};

}  // namespace tribune::core
