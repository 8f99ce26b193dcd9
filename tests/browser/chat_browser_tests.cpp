// Questions from a platform's comments (issue 21) in a real Chromium, end to end: a real
// `tribune run` whose only platform is Facebook, played by tests/support's FakePlatforms
// (the only fake: the real API cannot be reached from a test), publishing the live to a real
// nginx-rtmp. This side links the account over REST, prepares the live, and writes the
// viewers' comments on the fake: a plain question and hostile ones (markup in the text and
// the author's name, HTML entities, a javascript: link). The browser part is
// tests/browser/chat_test.mjs: the moderator approves, the technician suspends the session,
// the mayor puts the hostile question then the plain one on air; the markup stays inert on
// every page. Then this side judges what nginx recorded: while a question is on air, the
// graphic's tab names its origin ("via Facebook" on white), which it does not before; and
// the graphics never failed to render the hostile text.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <thread>

#include "browser_support.h"
#include "picture_lines.h"
#include "support/fake_platforms.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace tribune::testing::browser;
using namespace tribune::testing::picture;
using namespace std::chrono_literals;

namespace {

// overlays/question.svg: "via {{origine}}" is a second part of the question's tab, x 436..668,
// y 764..808, filled with {{color_text}} (white by default). A line through it above the
// glyphs ("via" and the name start below y 776): white only while a question with an origin
// is on air.
constexpr int kOriginY = 768;
constexpr int kOriginFromX = 440;
constexpr int kOriginToX = 664;
// Light: near white in every channel. The white box reads 238..250 once faded in; the test
// pattern's brightest bar in that row (75 % grey, 191) must not pass for it.
constexpr int kLightTolerance = 30;
constexpr double kLightShare = 0.8;

bool isLight(const Pixel& p) {
  return p.r >= 255 - kLightTolerance && p.g >= 255 - kLightTolerance && p.b >= 255 - kLightTolerance;
}

// The technician's command over the REST mirror of the protocol: its answer.
nlohmann::json technicianCommand(std::uint16_t port, const std::string& token, nlohmann::json command) {
  static int id = 0;
  command["id"] = "chat-" + std::to_string(++id);
  const auto reply = runCommand(
      {"curl", "-s", "-m", "10", "-H", "Authorization: Bearer " + token, "-H", "Content-Type: application/json", "-d",
       command.dump(), "http://127.0.0.1:" + std::to_string(port) + "/api/commands"},
      15s);
  INFO(command.dump() << ": " << reply.err);
  REQUIRE(reply.exit_code == 0);
  return nlohmann::json::parse(reply.out, nullptr, false);
}

// The platform's entry in the technician's status (an empty object while there is none).
nlohmann::json platformStatus(std::uint16_t port, const std::string& token, const std::string& id) {
  const auto reply = runCommand({"curl", "-s", "-m", "5", "-H", "Authorization: Bearer " + token,
                                 "http://127.0.0.1:" + std::to_string(port) + "/api/snapshot"},
                                10s);
  const auto snapshot = nlohmann::json::parse(reply.out, nullptr, false);
  if (snapshot.is_discarded() || !snapshot.contains("status")) return nlohmann::json::object();
  for (const auto& p : snapshot["status"].value("platforms", nlohmann::json::array())) {
    if (p.value("platform", "") == id) return p;
  }
  return nlohmann::json::object();
}

}  // namespace

TEST_CASE(
    "Facebook comments in Chromium: approved, put on air by the mayor during a suspension, the graphic names its "
    "origin in what nginx received, hostile markup inert everywhere",
    "[browser][rtmp][chat]") {
  requireBrowserPeers();

  NginxRtmp nginx;
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
  options.deviceInterval = 1s;
  FakePlatforms fake(options);

  TempDir dir("tribune-chat-browser");
  const auto data = dir / "data";
  const std::uint16_t port = freeLoopbackPort();
  const nlohmann::json config{{"agenda", (kSourceDir / "examples" / "agenda-demo.json").string()},
                              {"video", {{"profile", "720p30"}, {"preset", "ultrafast"}, {"bitrate_kbps", 1500}}},
                              {"web", {{"port", port}}},
                              {"platforms",
                               {{"facebook",
                                 {{"app_id", options.facebookAppId},
                                  {"client_token", options.facebookClientToken},
                                  {"app_secret", options.facebookAppSecret},
                                  {"graph_url", fake.facebookGraphUrl()},
                                  {"graph_version", options.facebookGraphVersion}}},
                                {"facebook_comments_interval_s", 1},
                                {"request_timeout_s", 5}}}};
  writeTextFile(dir / "tribune.json", config.dump(2));
  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  startTribune(tribune, dir / "tribune.json", data, port);
  const auto technician = tokenOf(data, "technician");

  // The account linked by the device flow (the technician's phone approves the code), the
  // live prepared and published to nginx.
  {
    INFO(readTextFile(tribune.log));
    // Its port opens before its loop turns: the first command may need a second try.
    REQUIRE(waitUntil(
        [&] {
          return technicianCommand(port, technician, {{"type", "account.link"}, {"platform", "facebook"}})
                     .value("status", "") == "ok";
        },
        10s, 250ms));
    REQUIRE(waitUntil([&] { return fake.pendingUserCode(Platform::facebook).has_value(); }, 15s, 100ms));
    fake.approve(Platform::facebook);
    REQUIRE(waitUntil(
        [&] {
          const auto p = platformStatus(port, technician, "facebook");
          return p.contains("account") && p["account"].value("state", "") == "linked";
        },
        15s, 200ms));
    REQUIRE(technicianCommand(port, technician, {{"type", "lives.prepare"}}).value("status", "") == "ok");
  }
  std::string liveId;
  {
    nlohmann::json last;
    const bool ready = waitUntil(
        [&] {
          last = platformStatus(port, technician, "facebook");
          return last.contains("live") && last["live"].value("state", "") == "ready";
        },
        20s, 200ms);
    INFO(last.dump() << "\n" << readTextFile(tribune.log));
    REQUIRE(ready);
    liveId = last["live"]["id"].get<std::string>();
  }
  {
    const bool published = waitUntil(
        [&] {
          const auto attempts = nginx.publishAttempts();
          return std::any_of(attempts.begin(), attempts.end(),
                             [](const PublishAttempt& a) { return a.http_status == 200; });
        },
        20s, 200ms);
    INFO(nginx.errorLog() << "\n" << readTextFile(tribune.log));
    REQUIRE(published);
  }
  const auto key = nginx.publishAttempts().front().name;

  // The viewers write under the live: a plain question, and markup (every one with a "?",
  // so that each becomes a question).
  fake.addChatMessage(Platform::facebook, liveId,
                      {"Jean Dupont", "fb-user-jean", "Et le parking de la gare ?", false, false});
  fake.addChatMessage(Platform::facebook, liveId,
                      {"\"><svg onload=window.__xss=3>", "fb-user-svg",
                       "<img src=x onerror=\"window.__xss=1\">Quand ? <script>window.__xss=2</script>", false, false});
  fake.addChatMessage(
      Platform::facebook, liveId,
      {"javascript:window.__xss=4", "fb-user-link",
       "&lt;b&gt;Gras&lt;/b&gt; <a href=\"javascript:window.__xss=5\">javascript:window.__xss=6</a> et la voirie ?",
       false, false});

  const auto node =
      runNode("chat_test.mjs",
              {"--base", "http://127.0.0.1:" + std::to_string(port), "--technician", technician, "--moderator",
               tokenOf(data, "moderator"), "--mayor", tokenOf(data, "mayor"), "--out", screenshotsDir().string()},
              90s);
  requireNodeSucceeded(node, tribune);
  stopTribune(tribune);
  REQUIRE(nginx.waitForRecordingsClosed(key, 15s));

  // The graphics rendered every question, the markup one included (librsvg never refused
  // what the templating made of it).
  // (The hub logs each graphic's change at info level, a failure at error level.)
  {
    const auto log = readTextFile(tribune.log);
    INFO(log);
    std::istringstream lines(log);
    std::size_t questionsShown = 0;
    std::size_t failures = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.find("graphisme / graphics:") == std::string::npos) continue;
      if (line.find("lower_third on question") != std::string::npos) ++questionsShown;
      if (line.find(" error ") != std::string::npos) ++failures;
    }
    CHECK(questionsShown == 2);
    CHECK(failures == 0);
  }

  const auto recordings = nginx.recordings(key);
  INFO(nginx.errorLog());
  REQUIRE(recordings.size() == 1);
  const std::string file = recordings.front().string();
  const auto panel = lineAt(file, kPanelY);
  const auto upper = lineAt(file, kUpperY);
  const auto origin = lineAt(file, kOriginY);
  const std::size_t frames = std::min({panel.size(), upper.size(), origin.size()});
  REQUIRE(frames > static_cast<std::size_t>(10 * kVideoSampleRate));
  auto isPanel = [&](std::size_t i) { return blueShare(panel[i], kPanelFromX, kPanelToX) >= kBlueShare; };
  auto isSlate = [&](std::size_t i) { return blueShare(upper[i], kUpperFromX, kUpperToX) >= kBlueShare; };
  auto isQuestion = [&](std::size_t i) { return isPanel(i) && !isSlate(i); };
  auto isOrigin = [&](std::size_t i) { return shareOf(origin[i], kOriginFromX, kOriginToX, isLight) >= kLightShare; };

  constexpr std::size_t kFadeFrames = 3;
  const auto runs = runsWhere(frames, isQuestion, kFadeFrames, 1.0);
  // One character a picture: O a question with its origin, Q one without, S a slate, o the
  // origin's place light without a question, . the picture.
  std::string timeline;
  for (std::size_t i = 0; i < frames; ++i) {
    timeline += isQuestion(i) ? (isOrigin(i) ? 'O' : 'Q') : isOrigin(i) ? 'o' : isSlate(i) ? 'S' : '.';
  }
  std::ostringstream found;
  for (const auto& run : runs) {
    found << "[" << static_cast<double>(run.start) / kVideoSampleRate << " s, "
          << static_cast<double>(run.length) / kVideoSampleRate << " s] ";
  }
  INFO("question on the picture (from, for): " << found.str() << "of " << static_cast<double>(frames) / kVideoSampleRate
                                               << " s recorded\n"
                                               << timeline);
  // The hostile question, then the plain one, each on air ~6 s.
  REQUIRE(runs.size() == 2);
  for (const auto& run : runs) {
    CHECK(static_cast<double>(run.length) / kVideoSampleRate >= 4.0);
    CHECK(static_cast<double>(run.length) / kVideoSampleRate <= 30.0);
  }
  // While each question is on air (a fade's pictures aside at both ends), its origin is named.
  for (const auto& run : runs) {
    REQUIRE(run.length > 2 * kFadeFrames);
    std::size_t named = 0;
    for (std::size_t i = run.start + kFadeFrames; i < run.start + run.length - kFadeFrames; ++i) {
      named += isOrigin(i) ? 1 : 0;
    }
    const auto looked = run.length - 2 * kFadeFrames;
    INFO("origin named in " << named << " of " << looked << " pictures of the question");
    CHECK(static_cast<double>(named) >= 0.9 * static_cast<double>(looked));
  }
  // The control: before the first question went on air (pré-séance, the session, its
  // suspension's slate), the origin's place was never white.
  REQUIRE(runs[0].start > static_cast<std::size_t>(2 * kVideoSampleRate));
  std::size_t before = 0;
  for (std::size_t i = 0; i + kFadeFrames < runs[0].start; ++i) before += isOrigin(i) ? 1 : 0;
  CHECK(before == 0);
}
