#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/platform_account.h"

using namespace tribune;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using core::AnswerKind;
using core::DeviceFlowState;
using core::PlatformId;

namespace Catch {
template <>
struct StringMaker<core::AnswerKind> {
  static std::string convert(core::AnswerKind kind) { return std::string{core::toString(kind)}; }
};
template <>
struct StringMaker<core::DeviceFlowState> {
  static std::string convert(core::DeviceFlowState state) { return std::string{core::toString(state)}; }
};
}  // namespace Catch

namespace {

core::WallTime utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

const core::WallTime t0 = utc(2026, 12, 3, 17, 0);

// The bodies as the platforms send them (../shared/research/platform-apis.md).
const std::string kYouTubeQuota =
    R"({"error":{"code":403,"message":"The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.","errors":[{"message":"The request cannot be completed because you have exceeded your quota.","domain":"youtube.quota","reason":"quotaExceeded"}]}})";

std::string googleError(int code, const std::string& reason, const std::string& message = "Something happened.") {
  return R"({"error":{"code":)" + std::to_string(code) + R"(,"message":")" + message +
         R"(","errors":[{"domain":"youtube.liveChat","reason":")" + reason + R"(","message":")" + message + R"("}]}})";
}

std::string graphError(int code, std::optional<int> subcode = std::nullopt, const std::string& message = "Oops") {
  std::string body =
      R"({"error":{"message":")" + message + R"(","type":"OAuthException","code":)" + std::to_string(code);
  if (subcode) body += R"(,"error_subcode":)" + std::to_string(*subcode);
  return body + R"(,"fbtrace_id":"AbCdEf123"}})";
}

std::string oauthError(const std::string& error, const std::string& description = "") {
  if (description.empty()) return R"({"error":")" + error + R"("})";
  return R"({"error":")" + error + R"(","error_description":")" + description + R"("})";
}

std::string peerTubeProblem(int status, const std::string& code, const std::string& detail) {
  std::string body = R"({"type":"https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/)" + code +
                     R"(","title":"Problem","status":)" + std::to_string(status) + R"(,"detail":")" + detail +
                     R"(","error":")" + detail + R"(")";
  if (!code.empty()) body += R"(,"code":")" + code + R"(")";
  return body + "}";
}

}  // namespace

// --- Names ---------------------------------------------------------------------------------

TEST_CASE("platform ids read back from their names and nothing else does", "[platform_account]") {
  CHECK(core::toString(PlatformId::youtube) == "youtube");
  CHECK(core::toString(PlatformId::facebook) == "facebook");
  CHECK(core::toString(PlatformId::peertube) == "peertube");
  CHECK(core::displayName(PlatformId::youtube) == "YouTube");
  CHECK(core::displayName(PlatformId::facebook) == "Facebook");
  CHECK(core::displayName(PlatformId::peertube) == "PeerTube");
  for (PlatformId platform : core::kPlatformIds) CHECK(core::platformFromString(core::toString(platform)) == platform);
  CHECK_FALSE(core::platformFromString("YouTube").has_value());
  CHECK_FALSE(core::platformFromString("linkedin").has_value());
  CHECK_FALSE(core::platformFromString("").has_value());
  CHECK_FALSE(core::platformFromString("youtube ").has_value());
}

TEST_CASE("answer kinds and account and device flow states have stable snake case names", "[platform_account]") {
  CHECK(core::toString(AnswerKind::ok) == "ok");
  CHECK(core::toString(AnswerKind::unauthorized) == "unauthorized");
  CHECK(core::toString(AnswerKind::revoked) == "revoked");
  CHECK(core::toString(AnswerKind::quotaExceeded) == "quota_exceeded");
  CHECK(core::toString(AnswerKind::rateLimited) == "rate_limited");
  CHECK(core::toString(AnswerKind::transient) == "transient");
  CHECK(core::toString(AnswerKind::refused) == "refused");
  CHECK(core::toString(AnswerKind::malformed) == "malformed");
  CHECK(core::toString(core::AccountState::notLinked) == "not_linked");
  CHECK(core::toString(core::AccountState::linking) == "linking");
  CHECK(core::toString(core::AccountState::linked) == "linked");
  CHECK(core::toString(core::AccountState::reconnect) == "reconnect");
  CHECK(core::toString(DeviceFlowState::waiting) == "waiting");
  CHECK(core::toString(DeviceFlowState::linked) == "linked");
  CHECK(core::toString(DeviceFlowState::denied) == "denied");
  CHECK(core::toString(DeviceFlowState::expired) == "expired");
  CHECK(core::toString(DeviceFlowState::failed) == "failed");
}

// --- YouTube's answers -----------------------------------------------------------------------

TEST_CASE("a YouTube 403 quotaExceeded is a quota exhaustion with the platform's message", "[platform_account]") {
  const core::ApiAnswer answer = core::classifyAnswer(PlatformId::youtube, 403, kYouTubeQuota);
  CHECK(answer.kind == AnswerKind::quotaExceeded);
  CHECK(answer.reason == "quotaExceeded");
  CHECK(answer.message ==
        "The request cannot be completed because you have exceeded your <a "
        "href=\"/youtube/v3/getting-started#quota\">quota</a>.");
}

TEST_CASE("YouTube dailyLimitExceeded is a quota exhaustion too", "[platform_account]") {
  const auto answer = core::classifyAnswer(PlatformId::youtube, 403, googleError(403, "dailyLimitExceeded"));
  CHECK(answer.kind == AnswerKind::quotaExceeded);
  CHECK(answer.reason == "dailyLimitExceeded");
}

TEST_CASE("YouTube rate limit reasons ask Tribune to back off", "[platform_account]") {
  for (const char* reason : {"rateLimitExceeded", "userRateLimitExceeded"}) {
    CAPTURE(reason);
    const auto answer = core::classifyAnswer(PlatformId::youtube, 403, googleError(403, reason));
    CHECK(answer.kind == AnswerKind::rateLimited);
    CHECK(answer.reason == reason);
    CHECK(answer.message == "Something happened.");
  }
}

TEST_CASE("YouTube chat errors are refusals that keep their reason", "[platform_account]") {
  CHECK(core::classifyAnswer(PlatformId::youtube, 403, googleError(403, "liveChatEnded")).reason == "liveChatEnded");
  CHECK(core::classifyAnswer(PlatformId::youtube, 403, googleError(403, "liveChatEnded")).kind == AnswerKind::refused);
  CHECK(core::classifyAnswer(PlatformId::youtube, 403, googleError(403, "liveChatDisabled")).kind ==
        AnswerKind::refused);
  const auto notFound = core::classifyAnswer(PlatformId::youtube, 404, googleError(404, "liveChatNotFound"));
  CHECK(notFound.kind == AnswerKind::refused);
  CHECK(notFound.reason == "liveChatNotFound");
  const auto badPage = core::classifyAnswer(PlatformId::youtube, 400, googleError(400, "pageTokenInvalid"));
  CHECK(badPage.kind == AnswerKind::refused);
  CHECK(badPage.reason == "pageTokenInvalid");
}

TEST_CASE("a Google 401 authError asks for a refresh", "[platform_account]") {
  const auto answer = core::classifyAnswer(
      PlatformId::youtube, 401,
      R"({"error":{"code":401,"message":"Request had invalid authentication credentials.","errors":[{"message":"Invalid Credentials","domain":"global","reason":"authError","location":"Authorization","locationType":"header"}],"status":"UNAUTHENTICATED"}})");
  CHECK(answer.kind == AnswerKind::unauthorized);
  CHECK(answer.reason == "authError");
  CHECK(answer.message == "Request had invalid authentication credentials.");
}

TEST_CASE("a 401 again with a token renewed just before is a revoked grant, anything else stays",
          "[platform_account]") {
  const auto again = core::classifyAnswer(PlatformId::peertube, 401, R"({"code":"invalid_token"})");
  REQUIRE(again.kind == AnswerKind::unauthorized);
  const auto after = core::afterRenewal(again);
  CHECK(after.kind == AnswerKind::revoked);
  CHECK(after.reason == again.reason);
  CHECK(core::afterRenewal(core::classifyAnswer(PlatformId::youtube, 200, "{}")).kind == AnswerKind::ok);
  CHECK(core::afterRenewal(core::classifyAnswer(PlatformId::youtube, 503, "")).kind == AnswerKind::transient);
}

TEST_CASE("Google's invalid_grant means the account must be reconnected", "[platform_account]") {
  const auto answer =
      core::classifyAnswer(PlatformId::youtube, 400, oauthError("invalid_grant", "Token has been expired or revoked."));
  CHECK(answer.kind == AnswerKind::revoked);
  CHECK(answer.reason == "invalid_grant");
  CHECK(answer.message == "Token has been expired or revoked.");
}

TEST_CASE("Google's invalid_client is a configuration refusal even with status 401", "[platform_account]") {
  const auto answer = core::classifyAnswer(PlatformId::youtube, 401, oauthError("invalid_client", "Unauthorized"));
  CHECK(answer.kind == AnswerKind::refused);
  CHECK(answer.reason == "invalid_client");
  CHECK(core::classifyAnswer(PlatformId::youtube, 400, oauthError("unauthorized_client")).kind == AnswerKind::refused);
}

TEST_CASE("Google's device code quota answer is a rate limit", "[platform_account]") {
  const auto answer = core::classifyAnswer(PlatformId::youtube, 403, R"({"error_code":"rate_limit_exceeded"})");
  CHECK(answer.kind == AnswerKind::rateLimited);
  CHECK(answer.reason == "rate_limit_exceeded");
  CHECK(answer.message.empty());
}

TEST_CASE("Google's device flow answers keep their OAuth codes", "[platform_account]") {
  const auto pending = core::classifyAnswer(PlatformId::youtube, 428, oauthError("authorization_pending"));
  CHECK(pending.reason == "authorization_pending");
  CHECK(pending.kind == AnswerKind::refused);
  const auto slowDown = core::classifyAnswer(PlatformId::youtube, 403, oauthError("slow_down"));
  CHECK(slowDown.kind == AnswerKind::rateLimited);
  CHECK(slowDown.reason == "slow_down");
  const auto denied = core::classifyAnswer(PlatformId::youtube, 403, oauthError("access_denied", "Forbidden"));
  CHECK(denied.kind == AnswerKind::refused);
  CHECK(denied.reason == "access_denied");
  CHECK(denied.message == "Forbidden");
}

TEST_CASE("a Google 503 backendError is transient", "[platform_account]") {
  const auto answer = core::classifyAnswer(PlatformId::youtube, 503, googleError(503, "backendError"));
  CHECK(answer.kind == AnswerKind::transient);
  CHECK(answer.reason == "backendError");
  // Even in a 400 the reason says to retry.
  CHECK(core::classifyAnswer(PlatformId::youtube, 400, googleError(400, "backendError")).kind == AnswerKind::transient);
}

TEST_CASE("a Google reason given only in details or status is read", "[platform_account]") {
  const auto details = core::classifyAnswer(
      PlatformId::youtube, 403,
      R"({"error":{"code":403,"message":"YouTube Data API v3 has not been used in project 123 before or it is disabled.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED"}]}})");
  CHECK(details.kind == AnswerKind::refused);
  CHECK(details.reason == "SERVICE_DISABLED");
  const auto status = core::classifyAnswer(PlatformId::youtube, 403,
                                           R"({"error":{"code":403,"message":"No.","status":"PERMISSION_DENIED"}})");
  CHECK(status.reason == "PERMISSION_DENIED");
  CHECK(status.message == "No.");
}

// --- Facebook's answers ----------------------------------------------------------------------

TEST_CASE("Graph rate limit codes ask Tribune to back off", "[platform_account]") {
  for (int code : {4, 17, 32, 341, 613, 80001}) {
    CAPTURE(code);
    const auto answer = core::classifyAnswer(PlatformId::facebook, 400, graphError(code, std::nullopt, "Slow down"));
    CHECK(answer.kind == AnswerKind::rateLimited);
    CHECK(answer.reason == std::to_string(code));
    CHECK(answer.message == "Slow down");
  }
}

TEST_CASE("Graph 190 with a subcode that says the grant is gone means reconnect", "[platform_account]") {
  for (int subcode : {458, 459, 460, 463, 464, 467, 492}) {
    CAPTURE(subcode);
    const auto answer = core::classifyAnswer(PlatformId::facebook, 400, graphError(190, subcode));
    CHECK(answer.kind == AnswerKind::revoked);
    CHECK(answer.reason == "190/" + std::to_string(subcode));
  }
}

TEST_CASE("Graph 190 without a revoking subcode asks for a refresh", "[platform_account]") {
  const auto bare =
      core::classifyAnswer(PlatformId::facebook, 400, graphError(190, std::nullopt, "Invalid OAuth access token."));
  CHECK(bare.kind == AnswerKind::unauthorized);
  CHECK(bare.reason == "190");
  CHECK(bare.message == "Invalid OAuth access token.");
  CHECK(core::classifyAnswer(PlatformId::facebook, 400, graphError(190, 461)).kind == AnswerKind::unauthorized);
  CHECK(core::classifyAnswer(PlatformId::facebook, 401, graphError(102)).kind == AnswerKind::unauthorized);
}

TEST_CASE("Graph permission errors and the policy block are refusals", "[platform_account]") {
  for (int code : {10, 200, 210, 299, 368}) {
    CAPTURE(code);
    // Whatever the status Facebook puts on them: a retry will not help.
    CHECK(core::classifyAnswer(PlatformId::facebook, 403, graphError(code)).kind == AnswerKind::refused);
    CHECK(core::classifyAnswer(PlatformId::facebook, 500, graphError(code)).kind == AnswerKind::refused);
  }
  CHECK(core::classifyAnswer(PlatformId::facebook, 400, graphError(200, 1363120)).reason == "200/1363120");
}

TEST_CASE("Graph codes 1 and 2 are transient whatever the status", "[platform_account]") {
  CHECK(core::classifyAnswer(PlatformId::facebook, 500, graphError(1)).kind == AnswerKind::transient);
  CHECK(core::classifyAnswer(PlatformId::facebook, 400, graphError(2)).kind == AnswerKind::transient);
}

TEST_CASE("a Graph error with another code goes by its HTTP status", "[platform_account]") {
  const auto invalid =
      core::classifyAnswer(PlatformId::facebook, 400, graphError(100, 33, "Unsupported post request."));
  CHECK(invalid.kind == AnswerKind::refused);
  CHECK(invalid.reason == "100/33");
  CHECK(core::classifyAnswer(PlatformId::facebook, 500, graphError(100)).kind == AnswerKind::transient);
  // No code at all: the type stands as the reason.
  const auto typeOnly =
      core::classifyAnswer(PlatformId::facebook, 400, R"({"error":{"message":"Bad","type":"GraphMethodException"}})");
  CHECK(typeOnly.kind == AnswerKind::refused);
  CHECK(typeOnly.reason == "GraphMethodException");
}

TEST_CASE("a Graph error in a 200 answer is still an error", "[platform_account]") {
  CHECK(core::classifyAnswer(PlatformId::facebook, 200, graphError(190, 460)).kind == AnswerKind::revoked);
  CHECK(core::classifyAnswer(PlatformId::facebook, 200, graphError(613)).kind == AnswerKind::rateLimited);
  CHECK(core::classifyAnswer(PlatformId::facebook, 200, graphError(100)).kind == AnswerKind::refused);
  CHECK(core::classifyAnswer(PlatformId::youtube, 200, kYouTubeQuota).kind == AnswerKind::quotaExceeded);
  // Only an error object counts: a resource that happens to have an "error" string is a resource.
  CHECK(core::classifyAnswer(PlatformId::peertube, 200, R"({"id":3,"error":"import failed"})").kind == AnswerKind::ok);
}

TEST_CASE("Facebook's device login answers keep their Graph subcodes", "[platform_account]") {
  const auto pending = core::classifyAnswer(
      PlatformId::facebook, 400,
      R"({"error":{"message":"This request requires the user to take a pending action","code":31,"error_subcode":1349174,"error_user_title":"Device Login Authorization Pending","error_user_msg":"User has not yet authorized your application. Continue polling."}})");
  CHECK(pending.reason == "31/1349174");
  CHECK(pending.message == "This request requires the user to take a pending action");
  const auto slowDown =
      core::classifyAnswer(PlatformId::facebook, 400, graphError(17, 1349172, "User request limit reached"));
  CHECK(slowDown.kind == AnswerKind::rateLimited);
  CHECK(slowDown.reason == "17/1349172");
}

// --- PeerTube's answers ----------------------------------------------------------------------

TEST_CASE("a PeerTube problem document with invalid_token asks for a refresh", "[platform_account]") {
  const auto answer =
      core::classifyAnswer(PlatformId::peertube, 401, peerTubeProblem(401, "invalid_token", "Token is invalid."));
  CHECK(answer.kind == AnswerKind::unauthorized);
  CHECK(answer.reason == "invalid_token");
  CHECK(answer.message == "Token is invalid.");
}

TEST_CASE("PeerTube's invalid_grant means the account must be reconnected", "[platform_account]") {
  const auto old = core::classifyAnswer(PlatformId::peertube, 400, R"({"error":"invalid_grant"})");
  CHECK(old.kind == AnswerKind::revoked);
  CHECK(old.reason == "invalid_grant");
  const auto problem = core::classifyAnswer(
      PlatformId::peertube, 400, peerTubeProblem(400, "invalid_grant", "Invalid grant: user credentials are invalid"));
  CHECK(problem.kind == AnswerKind::revoked);
  CHECK(problem.reason == "invalid_grant");
  CHECK(problem.message == "Invalid grant: user credentials are invalid");
}

TEST_CASE("PeerTube's free text error field is a message and not a reason", "[platform_account]") {
  const auto answer = core::classifyAnswer(PlatformId::peertube, 403,
                                           R"({"error":"Cannot get this video regarding follow constraints."})");
  CHECK(answer.kind == AnswerKind::refused);
  CHECK(answer.reason == "http 403");
  CHECK(answer.message == "Cannot get this video regarding follow constraints.");
}

TEST_CASE("a PeerTube problem document without a code goes by its status", "[platform_account]") {
  const auto forbidden =
      core::classifyAnswer(PlatformId::peertube, 403, peerTubeProblem(403, "", "You cannot create a live."));
  CHECK(forbidden.kind == AnswerKind::refused);
  CHECK(forbidden.reason == "http 403");
  CHECK(forbidden.message == "You cannot create a live.");
  const auto tooMany = core::classifyAnswer(PlatformId::peertube, 429, peerTubeProblem(429, "", "Too many requests"));
  CHECK(tooMany.kind == AnswerKind::rateLimited);
  const auto liveOff =
      core::classifyAnswer(PlatformId::peertube, 403, peerTubeProblem(403, "live_not_enabled", "Live is not enabled"));
  CHECK(liveOff.reason == "live_not_enabled");
}

// --- The status alone ------------------------------------------------------------------------

TEST_CASE("the HTTP status decides when the body says nothing", "[platform_account]") {
  struct Case {
    int status;
    const char* body;
    AnswerKind kind;
    const char* reason;
  };
  const std::vector<Case> cases{
      {0, "", AnswerKind::transient, "no answer"},
      {-1, "", AnswerKind::transient, "no answer"},
      {401, "<html>Unauthorized</html>", AnswerKind::unauthorized, "http 401"},
      {429, "", AnswerKind::rateLimited, "http 429"},
      {408, "", AnswerKind::transient, "http 408"},
      {500, "Internal Server Error", AnswerKind::transient, "http 500"},
      {502, "<html>Bad Gateway</html>", AnswerKind::transient, "http 502"},
      {503, "", AnswerKind::transient, "http 503"},
      {504, "{}", AnswerKind::transient, "http 504"},
      {400, "{}", AnswerKind::refused, "http 400"},
      {403, "Forbidden", AnswerKind::refused, "http 403"},
      {404, "", AnswerKind::refused, "http 404"},
      {302, "", AnswerKind::transient, "http 302"},
  };
  for (PlatformId platform : core::kPlatformIds) {
    for (const Case& c : cases) {
      CAPTURE(core::toString(platform), c.status, c.body);
      const auto answer = core::classifyAnswer(platform, c.status, c.body);
      CHECK(answer.kind == c.kind);
      CHECK(answer.reason == c.reason);
      CHECK(answer.message.empty());
    }
  }
}

TEST_CASE("a 2xx answer is ok when it is JSON or empty and malformed otherwise", "[platform_account]") {
  for (PlatformId platform : core::kPlatformIds) {
    CAPTURE(core::toString(platform));
    CHECK(core::classifyAnswer(platform, 200, R"({"items":[]})").kind == AnswerKind::ok);
    CHECK(core::classifyAnswer(platform, 200, "[]").kind == AnswerKind::ok);
    CHECK(core::classifyAnswer(platform, 200, R"({"success":true})").kind == AnswerKind::ok);
    CHECK(core::classifyAnswer(platform, 204, "").kind == AnswerKind::ok);
    CHECK(core::classifyAnswer(platform, 200, " \r\n").kind == AnswerKind::ok);
    const auto portal = core::classifyAnswer(platform, 200, "<html><body>Portail Wi-Fi de la mairie</body></html>");
    CHECK(portal.kind == AnswerKind::malformed);
    CHECK(portal.reason == "not json");
    CHECK(core::classifyAnswer(platform, 200, R"({"items":[)").kind == AnswerKind::malformed);
    CHECK(core::classifyAnswer(platform, 201, "{} trailing").kind == AnswerKind::malformed);
  }
}

// --- Hostile bodies ------------------------------------------------------------------------

TEST_CASE("hostile error bodies never throw and fall back on the status", "[platform_account]") {
  const std::vector<std::string> bodies{
      std::string{"\xff\xfe\0garbage", 10},
      R"({"error":[1,2,3]})",
      R"({"error":null})",
      R"({"error":{"errors":"quotaExceeded"}})",
      R"({"error":{"errors":[null,5,"quotaExceeded",{"reason":7},{"reason":["quotaExceeded"]}]}})",
      R"({"error":{"code":"190","error_subcode":{"a":1},"message":42}})",
      R"({"error":{"code":1e400}})",
      R"({"error":{"code":123456789012345678901234567890,"error_subcode":-1}})",
      R"({"error":{"code":18446744073709551615}})",
      R"({"error":{"code":-9223372036854775808}})",
      R"({"error":{"code":3.5}})",
      R"({"type":5,"title":{},"detail":[],"status":"403"})",
      R"({"error_code":["rate_limit_exceeded"]})",
      R"("just a string")",
      "12",
      "null",
      "true",
      R"({"error":{"message":"\ud800"}})",
      std::string(100000, '['),
      std::string(50000, '[') + std::string(50000, ']'),
      R"({"error":)" + std::string(10000, '{') + "}",
  };
  for (PlatformId platform : core::kPlatformIds) {
    for (const std::string& body : bodies) {
      CAPTURE(core::toString(platform), body.substr(0, 80));
      core::ApiAnswer answer;
      REQUIRE_NOTHROW(answer = core::classifyAnswer(platform, 403, body));
      CHECK(answer.kind == AnswerKind::refused);
      REQUIRE_NOTHROW(answer = core::classifyAnswer(platform, 503, body));
      CHECK(answer.kind == AnswerKind::transient);
    }
  }
  // A Graph code too large for an integer is no code at all.
  CHECK(core::classifyAnswer(PlatformId::facebook, 403, R"({"error":{"code":18446744073709551615}})").reason ==
        "http 403");
}

TEST_CASE("a JSON body nested deeper than 64 levels is not JSON", "[platform_account]") {
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  const std::string shallow = std::string(64, '[') + std::string(64, ']');
  CHECK(core::classifyAnswer(PlatformId::youtube, 200, deep).kind == AnswerKind::malformed);
  CHECK(core::classifyAnswer(PlatformId::youtube, 200, shallow).kind == AnswerKind::ok);
}

TEST_CASE("the platform's message is cleaned before anyone shows it", "[platform_account]") {
  const auto control = core::classifyAnswer(PlatformId::youtube, 400,
                                            oauthError("invalid_request", "Bad\\u0007 \\u202Erequest\\n\\tnow"));
  CHECK(control.message == "Bad request now");

  const std::string longText(1000, 'x');
  const auto longAnswer = core::classifyAnswer(PlatformId::youtube, 400, oauthError("invalid_request", longText));
  CHECK(longAnswer.message.size() <= 300 + std::string{"…"}.size());
  CHECK_THAT(longAnswer.message, EndsWith("…"));

  // Cut between two characters, never inside one: byte 300 is the second half of an "é".
  std::string accents = "x";
  for (int i = 0; i < 200; ++i) accents += "é";
  const auto accented = core::classifyAnswer(PlatformId::peertube, 400, oauthError("invalid_request", accents));
  CHECK(accented.message == std::string(accents, 0, 299) + "…");

  const auto echoed = core::classifyAnswer(
      PlatformId::facebook, 400,
      graphError(
          100, std::nullopt,
          "Bad URL /me?access_token=EAABsbCS1iHgBAKZCZBs0secret&fields=id and token ya29.a0AfH6SMBx7-secret-token"
          " and EAABsbCS1iHgBAKZCZBs0ZAbcdefghij"));
  CHECK(echoed.message == "Bad URL /me?access_token=****&fields=id and token **** and ****");

  // A short word that merely starts like a token stays.
  CHECK(core::classifyAnswer(PlatformId::facebook, 400, graphError(100, std::nullopt, "EAA is fine")).message ==
        "EAA is fine");
}

TEST_CASE("a reason that is not a code is not passed on", "[platform_account]") {
  const auto answer = core::classifyAnswer(PlatformId::youtube, 403, googleError(403, "<script>alert(1)</script>"));
  CHECK(answer.kind == AnswerKind::refused);
  CHECK(answer.reason == "http 403");
  const auto longReason = core::classifyAnswer(PlatformId::youtube, 400, oauthError(std::string(65, 'a')));
  CHECK(longReason.reason == "http 400");
}

// --- Advice ----------------------------------------------------------------------------------

TEST_CASE("the quota advice names the reset hour in Paris", "[platform_account][advice]") {
  const core::ApiAnswer quota = core::classifyAnswer(PlatformId::youtube, 403, kYouTubeQuota);
  CHECK_THAT(core::adviceFor(PlatformId::youtube, quota).french,
             StartsWith("Quota YouTube du jour épuisé : reprise à 9 h (heure de Paris)."));
  CHECK_THAT(core::adviceFor(PlatformId::youtube, quota).english, Contains("9:00 (Paris time)"));
  // An evening meeting in December and in July: 9 h.
  CHECK_THAT(core::adviceFor(PlatformId::youtube, quota, utc(2026, 12, 3, 19, 0)).french, Contains("reprise à 9 h"));
  CHECK_THAT(core::adviceFor(PlatformId::youtube, quota, utc(2026, 7, 15, 19, 0)).french, Contains("reprise à 9 h"));
  // The weeks when the US has changed its clocks and Europe has not: 8 h.
  CHECK_THAT(core::adviceFor(PlatformId::youtube, quota, utc(2026, 3, 16, 19, 0)).french, Contains("reprise à 8 h"));
  CHECK_THAT(core::adviceFor(PlatformId::youtube, quota, utc(2026, 3, 16, 19, 0)).english, Contains("8:00"));
  CHECK_THAT(core::adviceFor(PlatformId::youtube, quota, utc(2026, 10, 28, 19, 0)).french, Contains("reprise à 8 h"));
}

TEST_CASE("every answer kind gets French and English advice naming the platform", "[platform_account][advice]") {
  const AnswerKind kinds[] = {
      AnswerKind::ok,          AnswerKind::unauthorized, AnswerKind::revoked, AnswerKind::quotaExceeded,
      AnswerKind::rateLimited, AnswerKind::transient,    AnswerKind::refused, AnswerKind::malformed};
  for (PlatformId platform : core::kPlatformIds) {
    for (AnswerKind kind : kinds) {
      CAPTURE(core::toString(platform), core::toString(kind));
      const auto advice = core::adviceFor(platform, {kind, "some_reason", ""});
      CHECK_THAT(advice.french, Contains(std::string{core::displayName(platform)}));
      CHECK_THAT(advice.english, Contains(std::string{core::displayName(platform)}));
      CHECK_THAT(advice.french, EndsWith("."));
      CHECK_THAT(advice.english, EndsWith("."));
      CHECK_THAT(advice.french, !Contains("{p}"));
      CHECK(advice.french != advice.english);
    }
  }
  CHECK(core::adviceFor(PlatformId::facebook, {AnswerKind::transient, "no answer", ""}).french ==
        "Pas de réponse de Facebook : vérifiez la connexion Internet ; Tribune réessaie tout seul.");
  CHECK(core::adviceFor(PlatformId::peertube, {AnswerKind::transient, "http 503", ""}).french ==
        "PeerTube a un problème passager (http 503) : Tribune réessaie tout seul.");
  CHECK(
      core::adviceFor(PlatformId::youtube, {AnswerKind::revoked, "something", ""}).french ==
      "Le compte YouTube n'est plus lié à Tribune (autorisation retirée ou expirée) : reconnectez-le dans la console.");
  CHECK(core::adviceFor(PlatformId::youtube, {AnswerKind::malformed, "missing access_token", ""}).english ==
        "Unexpected answer from YouTube (missing access_token): a proxy or a Wi-Fi portal may be answering in its "
        "place; check the Internet connection.");
}

TEST_CASE("known reasons get advice that says what to do", "[platform_account][advice]") {
  const auto youtubeGone = core::adviceFor(PlatformId::youtube, {AnswerKind::revoked, "invalid_grant", ""});
  CHECK_THAT(youtubeGone.french, Contains("reconnectez-le"));
  CHECK_THAT(youtubeGone.french, Contains("« Test »"));
  CHECK_THAT(core::adviceFor(PlatformId::youtube, {AnswerKind::refused, "liveStreamingNotEnabled", ""}).french,
             Contains("YouTube Studio"));
  CHECK_THAT(core::adviceFor(PlatformId::youtube, {AnswerKind::refused, "SERVICE_DISABLED", ""}).french,
             Contains("Google Cloud"));
  CHECK_THAT(core::adviceFor(PlatformId::youtube, {AnswerKind::refused, "invalid_client", ""}).french,
             Contains("TV et appareils à entrée limitée"));
  CHECK_THAT(core::adviceFor(PlatformId::facebook, {AnswerKind::refused, "invalid_client", ""}).french,
             StartsWith("Facebook ne reconnaît pas l'application Tribune"));
  CHECK_THAT(core::adviceFor(PlatformId::youtube, {AnswerKind::refused, "liveChatEnded", ""}).french,
             Contains("tchat YouTube de ce direct est terminé"));
  CHECK_THAT(core::adviceFor(PlatformId::facebook, {AnswerKind::revoked, "190/460", ""}).french,
             Contains("mot de passe"));
  CHECK_THAT(core::adviceFor(PlatformId::facebook, {AnswerKind::revoked, "190/467", ""}).french,
             StartsWith("Le compte Facebook n'est plus lié à Tribune"));
  // Every permission code from 200 to 299 is a missing permission.
  CHECK_THAT(core::adviceFor(PlatformId::facebook, {AnswerKind::refused, "230/12", ""}).french,
             Contains("autorisations nécessaires"));
  CHECK_THAT(core::adviceFor(PlatformId::facebook, {AnswerKind::refused, "10", ""}).french,
             Contains("autorisations nécessaires"));
  CHECK_THAT(core::adviceFor(PlatformId::facebook, {AnswerKind::refused, "200/1363120", ""}).french,
             Contains("100 abonnés"));
  CHECK_THAT(core::adviceFor(PlatformId::facebook, {AnswerKind::refused, "368", ""}).french,
             Contains("temporairement"));
  CHECK_THAT(core::adviceFor(PlatformId::peertube, {AnswerKind::revoked, "invalid_grant", ""}).french,
             Contains("mot de passe"));
  CHECK(core::adviceFor(PlatformId::peertube, {AnswerKind::refused, "access_denied", ""}).french ==
        "La liaison a été refusée sur la page de PeerTube : recommencez-la si c'était une erreur.");
  CHECK_THAT(core::adviceFor(PlatformId::facebook, {AnswerKind::refused, "expired_token", ""}).english,
             Contains("linking code expired"));
  // A reason known on one platform means nothing on another.
  CHECK_THAT(core::adviceFor(PlatformId::peertube, {AnswerKind::refused, "liveStreamingNotEnabled", ""}).french,
             StartsWith("PeerTube refuse cette demande (liveStreamingNotEnabled)"));
}

TEST_CASE("an unforeseen refusal quotes the platform's message as text", "[platform_account][advice]") {
  const auto answer =
      core::classifyAnswer(PlatformId::youtube, 400, googleError(400, "invalidDescription", "Description too long."));
  const auto advice = core::adviceFor(PlatformId::youtube, answer);
  CHECK(advice.french ==
        "YouTube refuse cette demande (invalidDescription) : vérifiez les réglages du compte et du direct sur YouTube. "
        "Message de YouTube : « Description too long. ».");
  CHECK(advice.english ==
        "YouTube refused this request (invalidDescription): check the account's and the live's settings on YouTube. "
        "YouTube's message: \"Description too long.\".");
  // The message is not a template.
  CHECK_THAT(core::adviceFor(PlatformId::youtube, {AnswerKind::refused, "x", "see {p}"}).french,
             Contains("« see {p} »"));
}

TEST_CASE("advice never repeats a token or a reason that is not a code", "[platform_account][advice]") {
  const core::ApiAnswer echoed{AnswerKind::refused, "http 400",
                               "bad request ?access_token=ya29.TOPSECRET1234567890&refresh_token=1//0gSECRET"};
  for (PlatformId platform : core::kPlatformIds) {
    const auto advice = core::adviceFor(platform, echoed);
    CHECK_THAT(advice.french, !Contains("SECRET"));
    CHECK_THAT(advice.english, !Contains("SECRET"));
    CHECK_THAT(advice.french, Contains("access_token=****"));
  }
  const auto hostile = core::adviceFor(PlatformId::youtube, {AnswerKind::transient, "<b>x</b>", "\u202Eevil\x01"});
  CHECK(hostile.french == "YouTube a un problème passager : Tribune réessaie tout seul.");
  const auto refused = core::adviceFor(PlatformId::youtube, {AnswerKind::refused, "", "\u202Eevil\x01 text"});
  CHECK_THAT(refused.french, EndsWith("« evil text »."));
}

// --- Tokens ----------------------------------------------------------------------------------

TEST_CASE("an access token is refreshed two minutes before it expires", "[platform_account][tokens]") {
  core::AccountTokens tokens;
  tokens.accessToken = core::Secret{"ya29.token"};
  tokens.accessExpiry = t0 + 1h;
  CHECK_FALSE(core::needsRefresh(tokens, t0));
  CHECK_FALSE(core::needsRefresh(tokens, t0 + 1h - 121s));
  CHECK(core::needsRefresh(tokens, t0 + 1h - 120s));
  CHECK(core::needsRefresh(tokens, t0 + 1h));
  CHECK(core::needsRefresh(tokens, t0 + 2h));
  tokens.accessExpiry.reset();  // a Facebook Page token
  CHECK_FALSE(core::needsRefresh(tokens, t0 + 10000h));
  tokens.accessToken = core::Secret{};
  CHECK(core::needsRefresh(tokens, t0));
}

TEST_CASE("a Google device flow token answer gives both tokens and the expiry", "[platform_account][tokens]") {
  const auto answer = core::parseTokenAnswer(
      PlatformId::youtube, 200,
      R"({"access_token":"ya29.a0Af","expires_in":3920,"refresh_token":"1//0gRefresh","scope":"https://www.googleapis.com/auth/youtube","token_type":"Bearer"})",
      t0);
  REQUIRE(answer.tokens);
  CHECK_FALSE(answer.error);
  CHECK(answer.tokens->accessToken.reveal() == "ya29.a0Af");
  CHECK(answer.tokens->refreshToken.reveal() == "1//0gRefresh");
  CHECK(answer.tokens->accessExpiry == t0 + 3920s);
  CHECK_FALSE(answer.tokens->refreshExpiry);
  CHECK(answer.tokens->accountName.empty());
}

TEST_CASE("a Google refresh answer keeps the refresh token and the account we had", "[platform_account][tokens]") {
  core::AccountTokens previous;
  previous.accessToken = core::Secret{"ya29.old"};
  previous.refreshToken = core::Secret{"1//0gRefresh"};
  previous.refreshExpiry = t0 + 24h;
  previous.accountName = "Mairie de Saint-Martin";
  previous.accountId = "UC123";
  const auto answer = core::parseTokenAnswer(PlatformId::youtube, 200,
                                             R"({"access_token":"ya29.new","expires_in":3599,"token_type":"Bearer"})",
                                             t0 + 1h, previous);
  REQUIRE(answer.tokens);
  CHECK(answer.tokens->accessToken.reveal() == "ya29.new");
  CHECK(answer.tokens->refreshToken.reveal() == "1//0gRefresh");
  CHECK(answer.tokens->refreshExpiry == t0 + 24h);
  CHECK(answer.tokens->accessExpiry == t0 + 1h + 3599s);
  CHECK(answer.tokens->accountName == "Mairie de Saint-Martin");
  CHECK(answer.tokens->accountId == "UC123");
  // An empty or null refresh_token is no new one either.
  for (const char* body :
       {R"({"access_token":"a","refresh_token":""})", R"({"access_token":"a","refresh_token":null})"}) {
    const auto kept = core::parseTokenAnswer(PlatformId::youtube, 200, body, t0, previous);
    REQUIRE(kept.tokens);
    CHECK(kept.tokens->refreshToken.reveal() == "1//0gRefresh");
  }
}

TEST_CASE("a PeerTube token answer gives the refresh token's two weeks", "[platform_account][tokens]") {
  core::AccountTokens previous;
  previous.refreshToken = core::Secret{"old-refresh"};
  previous.refreshExpiry = t0 + 1h;
  previous.accountName = "mairie";
  const auto answer = core::parseTokenAnswer(
      PlatformId::peertube, 200,
      R"({"token_type":"Bearer","access_token":"90286a0bdf0f7315d9d3fe8dabf9e1d2be9c97d0","refresh_token":"2e0d675df9fc96d2e4ec8a3ebbbf45eca9137bb7","expires_in":86399,"refresh_token_expires_in":1209599})",
      t0, previous);
  REQUIRE(answer.tokens);
  CHECK(answer.tokens->accessToken.reveal() == "90286a0bdf0f7315d9d3fe8dabf9e1d2be9c97d0");
  CHECK(answer.tokens->refreshToken.reveal() == "2e0d675df9fc96d2e4ec8a3ebbbf45eca9137bb7");
  CHECK(answer.tokens->accessExpiry == t0 + 86399s);
  CHECK(answer.tokens->refreshExpiry == t0 + 1209599s);
  CHECK(answer.tokens->accountName == "mairie");
}

TEST_CASE("a Facebook long-lived exchange answer has no refresh token and lasts about 60 days",
          "[platform_account][tokens]") {
  const auto answer = core::parseTokenAnswer(
      PlatformId::facebook, 200, R"({"access_token":"EAABlongLived","token_type":"bearer","expires_in":5183944})", t0);
  REQUIRE(answer.tokens);
  CHECK(answer.tokens->accessToken.reveal() == "EAABlongLived");
  CHECK(answer.tokens->refreshToken.empty());
  CHECK(answer.tokens->accessExpiry == t0 + 5183944s);
  // No expires_in, or 0: a token that does not expire.
  const auto forever = core::parseTokenAnswer(PlatformId::facebook, 200, R"({"access_token":"EAABpage"})", t0);
  REQUIRE(forever.tokens);
  CHECK_FALSE(forever.tokens->accessExpiry);
  const auto zero =
      core::parseTokenAnswer(PlatformId::facebook, 200, R"({"access_token":"EAABpage","expires_in":0})", t0);
  REQUIRE(zero.tokens);
  CHECK_FALSE(zero.tokens->accessExpiry);
}

TEST_CASE("expires_in may be a number or a string of digits", "[platform_account][tokens]") {
  const auto text = core::parseTokenAnswer(PlatformId::youtube, 200, R"({"access_token":"a","expires_in":"3600"})", t0);
  REQUIRE(text.tokens);
  CHECK(text.tokens->accessExpiry == t0 + 3600s);
  const auto decimal =
      core::parseTokenAnswer(PlatformId::youtube, 200, R"({"access_token":"a","expires_in":3599.9})", t0);
  REQUIRE(decimal.tokens);
  CHECK(decimal.tokens->accessExpiry == t0 + 3599s);
}

TEST_CASE("hostile expires_in values are refused and name the field", "[platform_account][tokens]") {
  const std::vector<std::string> values{"-5",        R"("-5")",    "0",      R"("")",
                                        R"("36oo")", R"(" 3600")", "1e300",  "99999999999999999999",
                                        "true",      "{}",         "[3600]", R"("9999999999999999999999")",
                                        "400000000"};
  for (const std::string& value : values) {
    CAPTURE(value);
    const auto answer =
        core::parseTokenAnswer(PlatformId::youtube, 200, R"({"access_token":"a","expires_in":)" + value + "}", t0);
    CHECK_FALSE(answer.tokens);
    REQUIRE(answer.error);
    CHECK(answer.error->kind == AnswerKind::malformed);
    CHECK_THAT(answer.error->reason, StartsWith("expires_in"));
  }
  const auto refreshLife = core::parseTokenAnswer(
      PlatformId::peertube, 200, R"({"access_token":"a","refresh_token":"r","refresh_token_expires_in":-1})", t0);
  REQUIRE(refreshLife.error);
  CHECK_THAT(refreshLife.error->reason, StartsWith("refresh_token_expires_in"));
  // Facebook's 0 is "never"; below 0 is nonsense there too.
  CHECK(core::parseTokenAnswer(PlatformId::facebook, 200, R"({"access_token":"a","expires_in":-1})", t0).error);
}

TEST_CASE("a token answer without a usable access_token is malformed and names the field",
          "[platform_account][tokens]") {
  const auto missing =
      core::parseTokenAnswer(PlatformId::youtube, 200, R"({"expires_in":3600,"token_type":"Bearer"})", t0);
  CHECK_FALSE(missing.tokens);
  REQUIRE(missing.error);
  CHECK(missing.error->kind == AnswerKind::malformed);
  CHECK(missing.error->reason == "missing access_token");
  for (const char* body : {R"({"access_token":42})", R"({"access_token":""})", R"({"access_token":null})",
                           R"({"access_token":["a"]})", R"({"access_token":{"value":"a"}})"}) {
    CAPTURE(body);
    const auto answer = core::parseTokenAnswer(PlatformId::facebook, 200, body, t0);
    CHECK_FALSE(answer.tokens);
    REQUIRE(answer.error);
    CHECK(answer.error->kind == AnswerKind::malformed);
    CHECK_THAT(answer.error->reason, StartsWith("access_token"));
  }
}

TEST_CASE("a token answer with a wrong refresh_token or token_type is malformed", "[platform_account][tokens]") {
  const auto refresh =
      core::parseTokenAnswer(PlatformId::youtube, 200, R"({"access_token":"a","refresh_token":5})", t0);
  REQUIRE(refresh.error);
  CHECK(refresh.error->reason == "refresh_token: not a string");
  const auto mac = core::parseTokenAnswer(PlatformId::youtube, 200, R"({"access_token":"a","token_type":"mac"})", t0);
  REQUIRE(mac.error);
  CHECK(mac.error->reason == "token_type: not bearer");
  CHECK(core::parseTokenAnswer(PlatformId::youtube, 200, R"({"access_token":"a","token_type":7})", t0).error);
  CHECK(core::parseTokenAnswer(PlatformId::youtube, 200, R"({"access_token":"a","token_type":"BEARER"})", t0).tokens);
}

TEST_CASE("a 2xx token answer that is not an object is malformed", "[platform_account][tokens]") {
  const auto empty = core::parseTokenAnswer(PlatformId::youtube, 200, "", t0);
  REQUIRE(empty.error);
  CHECK(empty.error->kind == AnswerKind::malformed);
  CHECK(empty.error->reason == "empty answer");
  for (const char* body : {"[]", R"("access_token")", "null", "3600"}) {
    CAPTURE(body);
    const auto answer = core::parseTokenAnswer(PlatformId::peertube, 200, body, t0);
    REQUIRE(answer.error);
    CHECK(answer.error->reason == "not an object");
  }
  const auto html = core::parseTokenAnswer(PlatformId::peertube, 200, "<html>login</html>", t0);
  REQUIRE(html.error);
  CHECK(html.error->reason == "not json");
}

TEST_CASE("a token endpoint error comes back classified", "[platform_account][tokens]") {
  const auto revoked = core::parseTokenAnswer(PlatformId::youtube, 400,
                                              oauthError("invalid_grant", "Token has been expired or revoked."), t0);
  CHECK_FALSE(revoked.tokens);
  REQUIRE(revoked.error);
  CHECK(revoked.error->kind == AnswerKind::revoked);
  CHECK(revoked.error->message == "Token has been expired or revoked.");
  const auto graph = core::parseTokenAnswer(PlatformId::facebook, 400, graphError(190, 463), t0);
  REQUIRE(graph.error);
  CHECK(graph.error->kind == AnswerKind::revoked);
  const auto down = core::parseTokenAnswer(PlatformId::peertube, 0, "", t0);
  REQUIRE(down.error);
  CHECK(down.error->kind == AnswerKind::transient);
}

// --- Device codes ----------------------------------------------------------------------------

TEST_CASE("a Google device code answer is read", "[platform_account][device]") {
  const auto answer = core::parseDeviceCodeAnswer(
      PlatformId::youtube, 200,
      R"({"device_code":"4/4-GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":5})");
  REQUIRE(answer.code);
  CHECK_FALSE(answer.error);
  CHECK(answer.code->deviceCode.reveal() == "4/4-GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8");
  CHECK(answer.code->userCode == "GQVQ-JKEC");
  CHECK(answer.code->verificationUrl == "https://www.google.com/device");
  CHECK(answer.code->expiresIn == 1800s);
  CHECK(answer.code->interval == 5s);
}

TEST_CASE("a Facebook device login answer is read", "[platform_account][device]") {
  const auto answer = core::parseDeviceCodeAnswer(
      PlatformId::facebook, 200,
      R"({"code":"92a2b2e351f2b0b3503b2de251132f47","user_code":"A1NWZ9","verification_uri":"https://www.facebook.com/device","expires_in":420,"interval":5})");
  REQUIRE(answer.code);
  CHECK(answer.code->deviceCode.reveal() == "92a2b2e351f2b0b3503b2de251132f47");
  CHECK(answer.code->userCode == "A1NWZ9");
  CHECK(answer.code->verificationUrl == "https://www.facebook.com/device");
  CHECK(answer.code->expiresIn == 420s);
  CHECK(answer.code->interval == 5s);
}

TEST_CASE("either verification field name is accepted on both platforms", "[platform_account][device]") {
  for (PlatformId platform : {PlatformId::youtube, PlatformId::facebook}) {
    CAPTURE(core::toString(platform));
    const auto uri = core::parseDeviceCodeAnswer(
        platform, 200, R"({"device_code":"d","user_code":"U","verification_uri":"https://example.org/device"})");
    REQUIRE(uri.code);
    CHECK(uri.code->verificationUrl == "https://example.org/device");
    const auto url = core::parseDeviceCodeAnswer(
        platform, 200, R"({"code":"d","user_code":"U","verification_url":"http://127.0.0.1:8080/device"})");
    REQUIRE(url.code);
    CHECK(url.code->verificationUrl == "http://127.0.0.1:8080/device");
    CHECK(url.code->deviceCode.reveal() == "d");
  }
}

TEST_CASE("absent expires_in and interval take the defaults and strings of digits are read",
          "[platform_account][device]") {
  const auto defaults = core::parseDeviceCodeAnswer(
      PlatformId::youtube, 200, R"({"device_code":"d","user_code":"U","verification_url":"https://g.co/device"})");
  REQUIRE(defaults.code);
  CHECK(defaults.code->expiresIn == 1800s);
  CHECK(defaults.code->interval == 5s);
  const auto strings = core::parseDeviceCodeAnswer(
      PlatformId::youtube, 200,
      R"({"device_code":"d","user_code":"U","verification_url":"https://g.co/device","expires_in":"600","interval":"7"})");
  REQUIRE(strings.code);
  CHECK(strings.code->expiresIn == 600s);
  CHECK(strings.code->interval == 7s);
}

TEST_CASE("a device code answer with missing or wrong fields is malformed", "[platform_account][device]") {
  struct Case {
    const char* body;
    const char* reason;
  };
  const std::vector<Case> cases{
      {R"({"user_code":"U","verification_url":"https://g.co/device"})", "missing device_code"},
      {R"({"device_code":"","user_code":"U","verification_url":"https://g.co/device"})", "missing device_code"},
      {R"({"device_code":7,"user_code":"U","verification_url":"https://g.co/device"})", "missing device_code"},
      {R"({"device_code":"d","verification_url":"https://g.co/device"})", "missing user_code"},
      {R"({"device_code":"d","user_code":["U"],"verification_url":"https://g.co/device"})", "missing user_code"},
      {R"({"device_code":"d","user_code":"GQVQ JKEC","verification_url":"https://g.co/device"})",
       "user_code: not a short printable code"},
      {R"({"device_code":"d","user_code":"GQVQ\nJKEC","verification_url":"https://g.co/device"})",
       "user_code: not a short printable code"},
      {R"({"device_code":"d","user_code":"","verification_url":"https://g.co/device"})",
       "user_code: not a short printable code"},
      {R"({"device_code":"d","user_code":"U"})", "missing verification_url"},
      {R"json({"device_code":"d","user_code":"U","verification_url":"javascript:alert(1)"})json",
       "verification_url: not an http(s) address"},
      {R"({"device_code":"d","user_code":"U","verification_url":"https://"})",
       "verification_url: not an http(s) address"},
      {R"({"device_code":"d","user_code":"U","verification_url":"https://g.co/a b"})",
       "verification_url: not an http(s) address"},
      {R"({"device_code":"d","user_code":"U","verification_url":"https://g.co/device","expires_in":-1})",
       "expires_in: not a number of seconds in range"},
      {R"({"device_code":"d","user_code":"U","verification_url":"https://g.co/device","expires_in":1e12})",
       "expires_in: not a number of seconds in range"},
      {R"({"device_code":"d","user_code":"U","verification_url":"https://g.co/device","interval":0})",
       "interval: not a number of seconds in range"},
      {R"({"device_code":"d","user_code":"U","verification_url":"https://g.co/device","interval":"soon"})",
       "interval: not a number of seconds in range"},
      {R"([1,2])", "not an object"},
      {"", "empty answer"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.body);
    const auto answer = core::parseDeviceCodeAnswer(PlatformId::youtube, 200, c.body);
    CHECK_FALSE(answer.code);
    REQUIRE(answer.error);
    CHECK(answer.error->kind == AnswerKind::malformed);
    CHECK(answer.error->reason == c.reason);
  }
  const std::string longCode =
      R"({"device_code":"d","user_code":")" + std::string(65, 'A') + R"(","verification_url":"https://g.co/device"})";
  CHECK(core::parseDeviceCodeAnswer(PlatformId::youtube, 200, longCode).error);
}

TEST_CASE("device code request errors come back classified", "[platform_account][device]") {
  const auto quota = core::parseDeviceCodeAnswer(PlatformId::youtube, 403, R"({"error_code":"rate_limit_exceeded"})");
  REQUIRE(quota.error);
  CHECK(quota.error->kind == AnswerKind::rateLimited);
  const auto client = core::parseDeviceCodeAnswer(PlatformId::youtube, 401,
                                                  oauthError("invalid_client", "The OAuth client was not found."));
  REQUIRE(client.error);
  CHECK(client.error->kind == AnswerKind::refused);
  CHECK(client.error->reason == "invalid_client");
  const auto graph =
      core::parseDeviceCodeAnswer(PlatformId::facebook, 400, graphError(100, std::nullopt, "Invalid scope"));
  REQUIRE(graph.error);
  CHECK(graph.error->reason == "100");
}

// --- The device flow -------------------------------------------------------------------------

namespace {

core::DeviceCode googleCode() {
  core::DeviceCode code;
  code.deviceCode = core::Secret{"4/4-GMM"};
  code.userCode = "GQVQ-JKEC";
  code.verificationUrl = "https://www.google.com/device";
  code.expiresIn = 1800s;
  code.interval = 5s;
  return code;
}

core::DeviceCode facebookCode() {
  core::DeviceCode code;
  code.deviceCode = core::Secret{"92a2b2e3"};
  code.userCode = "A1NWZ9";
  code.verificationUrl = "https://www.facebook.com/device";
  code.expiresIn = 420s;
  code.interval = 5s;
  return code;
}

const std::string kGoogleTokens =
    R"({"access_token":"ya29.a0Af","expires_in":3920,"refresh_token":"1//0gRefresh","scope":"https://www.googleapis.com/auth/youtube","token_type":"Bearer"})";

}  // namespace

TEST_CASE("a Google device flow goes from pending through slow_down to linked", "[platform_account][device_flow]") {
  core::DeviceFlow flow{PlatformId::youtube, googleCode(), t0};
  CHECK(flow.state() == DeviceFlowState::waiting);
  CHECK(flow.platform() == PlatformId::youtube);
  CHECK(flow.code().userCode == "GQVQ-JKEC");
  CHECK(flow.expiresAt() == t0 + 1800s);
  CHECK(flow.nextPollAt() == t0 + 5s);

  CHECK(flow.onPollAnswer(428, oauthError("authorization_pending", "Precondition Required"), t0 + 5s) ==
        DeviceFlowState::waiting);
  CHECK(flow.nextPollAt() == t0 + 10s);
  CHECK(flow.onPollAnswer(403, oauthError("slow_down", "Forbidden"), t0 + 10s) == DeviceFlowState::waiting);
  CHECK(flow.nextPollAt() == t0 + 20s);  // the interval is now 10 s
  CHECK(flow.onPollAnswer(403, oauthError("slow_down"), t0 + 20s) == DeviceFlowState::waiting);
  CHECK(flow.nextPollAt() == t0 + 35s);  // and now 15 s
  CHECK(flow.onPollAnswer(428, oauthError("authorization_pending"), t0 + 35s) == DeviceFlowState::waiting);
  CHECK(flow.nextPollAt() == t0 + 50s);
  CHECK_FALSE(flow.tokens());
  CHECK_FALSE(flow.failure());

  CHECK(flow.onPollAnswer(200, kGoogleTokens, t0 + 50s) == DeviceFlowState::linked);
  REQUIRE(flow.tokens());
  CHECK(flow.tokens()->accessToken.reveal() == "ya29.a0Af");
  CHECK(flow.tokens()->refreshToken.reveal() == "1//0gRefresh");
  CHECK(flow.tokens()->accessExpiry == t0 + 50s + 3920s);
  CHECK_FALSE(flow.failure());
}

TEST_CASE("a Facebook device flow reads Graph's pending and slow down and succeeds",
          "[platform_account][device_flow]") {
  core::DeviceFlow flow{PlatformId::facebook, facebookCode(), t0};
  CHECK(flow.expiresAt() == t0 + 420s);
  CHECK(flow.onPollAnswer(400, graphError(31, 1349174, "This request requires the user to take a pending action"),
                          t0 + 5s) == DeviceFlowState::waiting);
  CHECK(flow.nextPollAt() == t0 + 10s);
  CHECK(flow.onPollAnswer(400, graphError(17, 1349172, "User request limit reached"), t0 + 10s) ==
        DeviceFlowState::waiting);
  CHECK(flow.nextPollAt() == t0 + 20s);
  CHECK(flow.onPollAnswer(200, R"({"access_token":"EAABuser","expires_in":5183999})", t0 + 20s) ==
        DeviceFlowState::linked);
  REQUIRE(flow.tokens());
  CHECK(flow.tokens()->accessToken.reveal() == "EAABuser");
  CHECK(flow.tokens()->refreshToken.empty());
  CHECK(flow.tokens()->accessExpiry == t0 + 20s + 5183999s);
}

TEST_CASE("a denied device flow stays denied", "[platform_account][device_flow]") {
  core::DeviceFlow flow{PlatformId::youtube, googleCode(), t0};
  CHECK(flow.onPollAnswer(403, oauthError("access_denied", "Forbidden"), t0 + 5s) == DeviceFlowState::denied);
  REQUIRE(flow.failure());
  CHECK(flow.failure()->reason == "access_denied");
  CHECK(flow.failure()->kind == AnswerKind::refused);
  // Nothing afterwards changes it, not even a token.
  CHECK(flow.onPollAnswer(200, kGoogleTokens, t0 + 10s) == DeviceFlowState::denied);
  CHECK_FALSE(flow.tokens());
  CHECK(flow.onTime(t0 + 2000s) == DeviceFlowState::denied);
  CHECK(flow.failure()->reason == "access_denied");
}

TEST_CASE("a device flow expires when the platform says so", "[platform_account][device_flow]") {
  SECTION("Google expired_token") {
    core::DeviceFlow flow{PlatformId::youtube, googleCode(), t0};
    CHECK(flow.onPollAnswer(400, oauthError("expired_token"), t0 + 5s) == DeviceFlowState::expired);
    REQUIRE(flow.failure());
    CHECK(flow.failure()->reason == "expired_token");
  }
  SECTION("Google invalid_grant") {
    core::DeviceFlow flow{PlatformId::youtube, googleCode(), t0};
    CHECK(flow.onPollAnswer(400, oauthError("invalid_grant", "Malformed auth code."), t0 + 5s) ==
          DeviceFlowState::expired);
    REQUIRE(flow.failure());
    CHECK(flow.failure()->reason == "expired_token");
    CHECK(flow.failure()->message == "Malformed auth code.");
  }
  SECTION("Facebook subcode 1349152") {
    core::DeviceFlow flow{PlatformId::facebook, facebookCode(), t0};
    CHECK(flow.onPollAnswer(400, graphError(463, 1349152, "The session has expired"), t0 + 5s) ==
          DeviceFlowState::expired);
    REQUIRE(flow.failure());
    CHECK(flow.failure()->reason == "expired_token");
  }
}

TEST_CASE("a device flow expires by time even while the platform says pending", "[platform_account][device_flow]") {
  core::DeviceFlow flow{PlatformId::youtube, googleCode(), t0};
  CHECK(flow.onTime(t0 + 1799s) == DeviceFlowState::waiting);
  CHECK(flow.onPollAnswer(428, oauthError("authorization_pending"), t0 + 1799s) == DeviceFlowState::waiting);
  CHECK(flow.onTime(t0 + 1800s) == DeviceFlowState::expired);
  REQUIRE(flow.failure());
  CHECK(flow.failure()->reason == "expired_token");

  core::DeviceFlow late{PlatformId::youtube, googleCode(), t0};
  CHECK(late.onPollAnswer(428, oauthError("authorization_pending"), t0 + 1800s) == DeviceFlowState::expired);
  core::DeviceFlow lost{PlatformId::youtube, googleCode(), t0};
  CHECK(lost.onPollAnswer(0, "", t0 + 1801s) == DeviceFlowState::expired);
}

TEST_CASE("a network error or a 5xx keeps the device flow waiting", "[platform_account][device_flow]") {
  core::DeviceFlow flow{PlatformId::youtube, googleCode(), t0};
  CHECK(flow.onPollAnswer(0, "", t0 + 5s) == DeviceFlowState::waiting);
  CHECK(flow.nextPollAt() == t0 + 10s);
  CHECK(flow.onPollAnswer(503, "<html>Service Unavailable</html>", t0 + 10s) == DeviceFlowState::waiting);
  CHECK(flow.nextPollAt() == t0 + 15s);
  CHECK(flow.onPollAnswer(408, "", t0 + 15s) == DeviceFlowState::waiting);
  CHECK_FALSE(flow.failure());
  CHECK(flow.onPollAnswer(200, kGoogleTokens, t0 + 20s) == DeviceFlowState::linked);
}

TEST_CASE("a 429 slows the device flow down like slow_down", "[platform_account][device_flow]") {
  core::DeviceFlow flow{PlatformId::youtube, googleCode(), t0};
  CHECK(flow.onPollAnswer(429, "", t0 + 5s) == DeviceFlowState::waiting);
  CHECK(flow.nextPollAt() == t0 + 15s);
}

TEST_CASE("a poll answered before nextPollAt is still processed", "[platform_account][device_flow]") {
  core::DeviceFlow pending{PlatformId::youtube, googleCode(), t0};
  CHECK(pending.onPollAnswer(428, oauthError("authorization_pending"), t0 + 1s) == DeviceFlowState::waiting);
  CHECK(pending.nextPollAt() == t0 + 6s);
  core::DeviceFlow early{PlatformId::youtube, googleCode(), t0};
  CHECK(early.onPollAnswer(200, kGoogleTokens, t0 + 1s) == DeviceFlowState::linked);
}

TEST_CASE("once linked or expired a device flow ignores further answers", "[platform_account][device_flow]") {
  core::DeviceFlow linked{PlatformId::youtube, googleCode(), t0};
  REQUIRE(linked.onPollAnswer(200, kGoogleTokens, t0 + 5s) == DeviceFlowState::linked);
  const core::WallTime nextPoll = linked.nextPollAt();
  CHECK(linked.onPollAnswer(403, oauthError("access_denied"), t0 + 10s) == DeviceFlowState::linked);
  CHECK(linked.onPollAnswer(200, R"({"access_token":"other"})", t0 + 15s) == DeviceFlowState::linked);
  CHECK(linked.onTime(t0 + 5000s) == DeviceFlowState::linked);
  CHECK(linked.tokens()->accessToken.reveal() == "ya29.a0Af");
  CHECK_FALSE(linked.failure());
  CHECK(linked.nextPollAt() == nextPoll);

  core::DeviceFlow expired{PlatformId::youtube, googleCode(), t0};
  REQUIRE(expired.onTime(t0 + 1800s) == DeviceFlowState::expired);
  CHECK(expired.onPollAnswer(200, kGoogleTokens, t0 + 1801s) == DeviceFlowState::expired);
  CHECK_FALSE(expired.tokens());
}

TEST_CASE("a token that arrives just after the code's expiry still links", "[platform_account][device_flow]") {
  core::DeviceFlow flow{PlatformId::youtube, googleCode(), t0};
  CHECK(flow.onPollAnswer(200, kGoogleTokens, t0 + 1801s) == DeviceFlowState::linked);
}

TEST_CASE("a device flow fails on an unforeseen refusal or a malformed token", "[platform_account][device_flow]") {
  core::DeviceFlow client{PlatformId::youtube, googleCode(), t0};
  CHECK(client.onPollAnswer(401, oauthError("invalid_client", "Unauthorized"), t0 + 5s) == DeviceFlowState::failed);
  REQUIRE(client.failure());
  CHECK(client.failure()->reason == "invalid_client");

  core::DeviceFlow empty{PlatformId::youtube, googleCode(), t0};
  CHECK(empty.onPollAnswer(200, "{}", t0 + 5s) == DeviceFlowState::failed);
  REQUIRE(empty.failure());
  CHECK(empty.failure()->kind == AnswerKind::malformed);
  CHECK(empty.failure()->reason == "missing access_token");

  core::DeviceFlow portal{PlatformId::facebook, facebookCode(), t0};
  CHECK(portal.onPollAnswer(200, "<html>Wi-Fi</html>", t0 + 5s) == DeviceFlowState::failed);
  CHECK(portal.failure()->reason == "not json");

  core::DeviceFlow graph{PlatformId::facebook, facebookCode(), t0};
  CHECK(graph.onPollAnswer(400, graphError(100, std::nullopt, "Invalid code"), t0 + 5s) == DeviceFlowState::failed);
  CHECK(graph.failure()->reason == "100");
}

TEST_CASE("a device code with no interval polls every five seconds", "[platform_account][device_flow]") {
  core::DeviceCode code = googleCode();
  code.interval = 0s;
  core::DeviceFlow flow{PlatformId::youtube, code, t0};
  CHECK(flow.nextPollAt() == t0 + 5s);
}

TEST_CASE("hostile poll answers never throw and never link", "[platform_account][device_flow]") {
  const std::vector<std::string> bodies{std::string(100000, '['), R"({"access_token":{"a":[[[[]]]]}})",
                                        R"({"access_token":"a","expires_in":-3600})", "\xc3\x28", R"({"error":7})"};
  for (const std::string& body : bodies) {
    CAPTURE(body.substr(0, 40));
    core::DeviceFlow flow{PlatformId::youtube, googleCode(), t0};
    DeviceFlowState state = DeviceFlowState::waiting;
    REQUIRE_NOTHROW(state = flow.onPollAnswer(200, body, t0 + 5s));
    CHECK(state == DeviceFlowState::failed);
    CHECK_FALSE(flow.tokens());
    REQUIRE(flow.failure());
    CHECK(flow.failure()->kind == AnswerKind::malformed);
  }
  // The same garbage with an error status is a refusal, not a link.
  core::DeviceFlow refused{PlatformId::facebook, facebookCode(), t0};
  CHECK(refused.onPollAnswer(400, std::string(100000, '{'), t0 + 5s) == DeviceFlowState::failed);
  CHECK(refused.failure()->reason == "http 400");
}
