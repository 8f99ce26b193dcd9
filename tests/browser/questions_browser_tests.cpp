// The viewers' questions (web/viewer/, web/moderator/, web/mayor/) in a real Chromium against
// a real `tribune run` publishing to a real nginx-rtmp. The browser part is
// tests/browser/questions_test.mjs (playwright-core driving Debian's /usr/bin/chromium): two
// phones ask, the moderator screens, the technician suspends the session over REST, the mayor
// puts questions on air, and at the end Tribune restarts under the pages' feet. This side
// starts the peers, gives the page the tokens, restarts Tribune when the page asks for it,
// and then judges what nginx recorded: the question's lower-third is in the picture while a
// question is on air (twice: a plain question, then one made of markup), not before nor after.
//
// The second case (tests/browser/origins_test.mjs) shows questions from the platforms (issue
// 21) on the moderator's page, the mayor's tablet and the console: Tribune resumes a meeting
// whose event log this side wrote them into, as the chat pollers would have.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <thread>

#include "browser_support.h"
#include "picture_lines.h"
#include "support/fake_platforms.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace tribune::testing::browser;
using namespace tribune::testing::picture;
using namespace std::chrono_literals;

namespace {

constexpr const char* kKey = "questions-key";

// The share of light pixels in the question's text box, in picture n° `index` of the same
// sampling as lineAt: white text was drawn on the blue panel. A pixel is light when it is
// brighter than halfway between the panel's blue and white: the encoder's quantiser blurs the
// strokes more or less from one keyframe to the next (at QP 45 only 0.4 % of the box stays
// above 190 in all three channels where 1.3 % is drawn), and the halfway line is the one such
// blur moves least.
double lightShareOfTextBox(const std::string& file, std::size_t index) {
  const int x = scaled(136);
  const int y = scaled(818);
  const int w = scaled(1792) - x;
  const int h = scaled(968) - y;
  auto result = runCommand({"ffmpeg", "-v", "error", "-nostdin", "-i", file, "-map", "0:v:0", "-vf",
                            "fps=" + std::to_string(static_cast<int>(kVideoSampleRate)) + ",select=eq(n\\," +
                                std::to_string(index) + "),crop=" + std::to_string(w) + ":" + std::to_string(h) + ":" +
                                std::to_string(x) + ":" + std::to_string(y) + ",format=rgb24",
                            "-frames:v", "1", "-f", "rawvideo", "-"},
                           90s);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const std::size_t bytes = static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3;
  REQUIRE(result.out.size() == bytes);
  std::size_t light = 0;
  for (std::size_t at = 0; at < bytes; at += 3) {
    const auto* p = reinterpret_cast<const unsigned char*>(result.out.data() + at);
    static const int halfway = (lumaOf(kPrimaryRgb[0], kPrimaryRgb[1], kPrimaryRgb[2]) + 255) / 2;
    if (lumaOf(p[0], p[1], p[2]) > halfway) ++light;
  }
  return static_cast<double>(light) / static_cast<double>(bytes / 3);
}

// A string as an SQL literal.
std::string sqlText(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Appends question_asked events to the last meeting of a stopped Tribune's log, as the hub
// records them (src/core/questions.cpp, QuestionBoard::ask), with the sqlite3 shell.
void appendQuestions(const std::filesystem::path& data, const std::vector<nlohmann::json>& questions) {
  const auto db = (data / "tribune.db").string();
  auto meeting = runCommand({"sqlite3", db, "SELECT meeting FROM events ORDER BY seq DESC LIMIT 1;"}, 10s);
  INFO(meeting.err);
  REQUIRE(meeting.exit_code == 0);
  while (!meeting.out.empty() && (meeting.out.back() == '\n' || meeting.out.back() == '\r')) meeting.out.pop_back();
  REQUIRE_FALSE(meeting.out.empty());
  const auto nowMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::string sql = "BEGIN;";
  for (const auto& question : questions) {
    sql += "INSERT INTO events(meeting, type, data, wall_ms, program_ns) VALUES(" + sqlText(meeting.out) +
           ", 'question_asked', " + sqlText(question.dump()) + ", " + std::to_string(nowMs) + ", -1);";
  }
  sql += "COMMIT;";
  auto inserted = runCommand({"sqlite3", db, sql}, 10s);
  INFO(inserted.err);
  REQUIRE(inserted.exit_code == 0);
}

}  // namespace

TEST_CASE(
    "questions from viewers in Chromium: asked on a phone, moderated, put on air by the mayor, seen in the picture",
    "[browser][rtmp][questions]") {
  requireBrowserPeers();

  NginxRtmp server;
  server.start();
  TempDir dir("tribune-questions-browser");
  const auto data = dir / "data";
  const std::uint16_t port = freeLoopbackPort();
  const nlohmann::json config{
      {"agenda", (kSourceDir / "examples" / "agenda-demo.json").string()},
      {"video", {{"profile", "720p30"}, {"preset", "ultrafast"}, {"bitrate_kbps", 1500}}},
      {"web", {{"port", port}}},
      {"destinations", {{{"name", "nginx"}, {"url", server.rtmpUrl(kKey)}}}},
  };
  writeTextFile(dir / "tribune.json", config.dump(2));

  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  startTribune(tribune, dir / "tribune.json", data, port);

  // At the end the pages ask for Tribune to go away and come back.
  bool restarted = false;
  const auto node = runNode(
      "questions_test.mjs",
      {"--base", "http://127.0.0.1:" + std::to_string(port), "--technician", tokenOf(data, "technician"), "--moderator",
       tokenOf(data, "moderator"), "--mayor", tokenOf(data, "mayor"), "--out", screenshotsDir().string(), "--restart"},
      200s, restartWhenAsked(tribune, dir / "tribune.json", data, port, restarted));
  {
    requireNodeSucceeded(node, tribune);
    CHECK(restarted);
  }
  stopTribune(tribune);
  REQUIRE(server.waitForRecordingsClosed(kKey, 10s));

  // The first publish holds the questions on air; the second one is the restarted Tribune.
  const auto recordings = server.recordings(kKey);
  INFO(server.errorLog());
  REQUIRE(recordings.size() >= 2);
  const std::string file = recordings.front().string();

  // A picture shows a question when the panel's line is blue and the upper picture's is not
  // (a slate is blue everywhere).
  const auto panel = lineAt(file, kPanelY);
  const auto upper = lineAt(file, kUpperY);
  const std::size_t frames = std::min(panel.size(), upper.size());
  REQUIRE(frames > static_cast<std::size_t>(10 * kVideoSampleRate));
  auto isPanel = [&](std::size_t i) { return blueShare(panel[i], kPanelFromX, kPanelToX) >= kBlueShare; };
  auto isSlate = [&](std::size_t i) { return blueShare(upper[i], kUpperFromX, kUpperToX) >= kBlueShare; };
  auto isQuestion = [&](std::size_t i) { return isPanel(i) && !isSlate(i); };
  auto describeFrame = [&](std::size_t i) {
    std::ostringstream text;
    text << "blue: panel " << blueShare(panel[i], kPanelFromX, kPanelToX) * 100 << " %, upper "
         << blueShare(upper[i], kUpperFromX, kUpperToX) * 100 << " %";
    return text.str();
  };

  // The question on the picture: runs of question pictures, joined across a fade's few
  // in-between pictures (the slate going while the panel comes), a second long at least.
  constexpr std::size_t kFadeFrames = 3;
  const auto runs = runsWhere(frames, isQuestion, kFadeFrames, 1.0);
  std::ostringstream found;
  for (const auto& run : runs) {
    found << "[" << static_cast<double>(run.start) / kVideoSampleRate << " s, "
          << static_cast<double>(run.length) / kVideoSampleRate << " s] ";
  }
  // One character a picture: Q a question, S a slate, P the panel's points blue under a slate,
  // . the picture.
  std::string timeline;
  for (std::size_t i = 0; i < frames; ++i)
    timeline += isQuestion(i) ? 'Q' : isSlate(i) ? (isPanel(i) ? 'P' : 'S') : '.';
  INFO("question on the picture (from, for): " << found.str() << "of " << static_cast<double>(frames) / kVideoSampleRate
                                               << " s recorded\n"
                                               << timeline);
  // The plain question (on air ~5 s), then the markup one (~4 s, until the session resumed).
  REQUIRE(runs.size() == 2);
  CHECK(static_cast<double>(runs[0].length) / kVideoSampleRate >= 3.5);
  CHECK(static_cast<double>(runs[1].length) / kVideoSampleRate >= 2.5);
  for (const auto& run : runs) CHECK(static_cast<double>(run.length) / kVideoSampleRate <= 30.0);

  // Before the first question the panel's place showed the picture (pré-séance, the session
  // open with the agenda's lower-third, which leaves it free).
  bool panelFreeBefore = false;
  for (std::size_t i = 0; i < runs[0].start; ++i) {
    if (!isPanel(i) && !isSlate(i)) panelFreeBefore = true;
  }
  CHECK(panelFreeBefore);
  // The second before and the second after each question: no question (the suspension's
  // slate, or the picture with the agenda after the resumption), a fade's picture aside.
  const auto second = static_cast<std::size_t>(kVideoSampleRate);
  auto questionsIn = [&](std::size_t from, std::size_t to) {
    std::size_t n = 0;
    for (std::size_t i = from; i < to; ++i) n += isQuestion(i) ? 1 : 0;
    return n;
  };
  for (const auto& run : runs) {
    REQUIRE(run.start >= second);
    REQUIRE(run.start + run.length + second <= frames);
    INFO("before: " << describeFrame(run.start - 1) << "; after: " << describeFrame(run.start + run.length));
    CHECK(questionsIn(run.start - second, run.start) <= 2);
    CHECK(questionsIn(run.start + run.length, run.start + run.length + second) <= 2);
  }
  // The first question answered during the suspension: its slate came back.
  bool slateBetween = false;
  for (std::size_t i = runs[0].start + runs[0].length; i < runs[1].start; ++i) {
    if (isSlate(i)) slateBetween = true;
  }
  CHECK(slateBetween);
  // After the resumption: the picture again, with neither slate nor question.
  bool pictureAfter = false;
  for (std::size_t i = runs[1].start + runs[1].length; i < frames; ++i) {
    if (!isSlate(i) && !isPanel(i)) pictureAfter = true;
  }
  CHECK(pictureAfter);

  // The text was drawn, the markup question's included (escaped by the SVG templating).
  for (const auto& run : runs) {
    const double share = lightShareOfTextBox(file, run.start + run.length / 2);
    INFO("light pixels in the text box: " << share * 100 << " %");
    CHECK(share > 0.004);
    CHECK(share < 0.5);
  }
}

TEST_CASE(
    "questions from the platforms in Chromium: origin badges and filter, \"Jean D. · Facebook\", the console's form",
    "[browser][questions][origin]") {
  requireBrowserPeers();
  if (runCommand({"sqlite3", "-version"}, 10s).exit_code != 0) FAIL("sqlite3 is missing: run ./scripts/setup --test");

  // A YouTube account to configure (the console's platforms panel shows only configured
  // platforms); nothing is linked, nothing is published.
  FakePlatformsOptions options;
  FakePlatforms fake(options);
  TempDir dir("tribune-origins-browser");
  const auto data = dir / "data";
  const std::uint16_t port = freeLoopbackPort();
  const auto config = runConfig(kSourceDir / "examples" / "agenda-demo.json", port, fakeYoutube(options, fake));
  writeTextFile(dir / "tribune.json", config.dump(2));
  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  startTribune(tribune, dir / "tribune.json", data, port);
  // Its port opens before its loop turns and hears Ctrl+C: an answer from the loop first.
  const auto snapshotAnswered = [&] {
    return runCommand({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2", "-H",
                       "Authorization: Bearer " + tokenOf(data, "technician"),
                       "http://127.0.0.1:" + std::to_string(port) + "/api/snapshot"},
                      5s)
               .out == "200";
  };
  REQUIRE(waitUntil(snapshotAnswered, 20s));
  stopTribune(tribune);

  const auto asked = [](std::uint64_t id, const char* origin, const char* originId, const char* pseudonym,
                        const char* place, const std::string& text, const char* status) {
    nlohmann::json question{{"id", id},
                            {"text", text},
                            {"original", ""},
                            {"pseudonym", pseudonym},
                            {"place", place},
                            {"author", ""},
                            {"flags", nlohmann::json::array()},
                            {"status", status},
                            {"asked_ms", 1765000000000 + static_cast<std::int64_t>(id) * 60000}};
    if (std::string(origin) != "site") {
      question["origin"] = origin;
      question["origin_id"] = originId;
    }
    return question;
  };
  // The markup as a platform would bring it (origins_test.mjs checks it stays text).
  appendQuestions(
      data,
      {asked(1, "facebook", "fb-1", "Jean D.", "", "Quand finiront les travaux de la rue Pasteur ?", "approved"),
       asked(2, "youtube", "yt-2", "<img src=x onerror=window.__pwned=1>", "",
             "</script><script>window.__pwned=1</script> Et le marché du dimanche ?", "pending"),
       asked(3, "site", "", "Marie", "Centre", "La piscine rouvrira-t-elle cet été ?", "pending"),
       asked(4, "facebook", "fb-4", "Utilisateur Facebook", "", "Pourquoi la séance est-elle si tard ?", "pending")});
  startTribune(tribune, dir / "tribune.json", data, port);

  const auto node = runNode(
      "origins_test.mjs",
      {"--base", "http://127.0.0.1:" + std::to_string(port), "--technician", tokenOf(data, "technician"), "--moderator",
       tokenOf(data, "moderator"), "--mayor", tokenOf(data, "mayor"), "--out", screenshotsDir().string()},
      60s);
  INFO(describe(node, tribune));
  CHECK(readTextFile(tribune.log).find("séance reprise") != std::string::npos);
  REQUIRE(node.status);
  CHECK(*node.status == 0);
  stopTribune(tribune);
}
