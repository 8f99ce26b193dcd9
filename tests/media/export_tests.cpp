// The replay export (issue 7, app/export.h) of a meeting run against a real RTMP server:
// what ffprobe and ffmpeg find in the MP4 the export wrote from the real recording.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "app/agenda_loader.h"
#include "app/export.h"
#include "app/replay.h"
#include "media_timeline.h"
#include "running_hub.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

core::DispatchResult run(RunningHub& hub, const std::string& type) {
  return hub.hub().submit(core::Role::Technician, core::Request{type, nlohmann::json::object()}).get();
}

std::string fileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The longest stretch of one letter.
std::size_t longestRun(const std::string& letters, char letter) {
  std::size_t best = 0;
  std::size_t current = 0;
  for (char c : letters) {
    current = c == letter ? current + 1 : 0;
    best = std::max(best, current);
  }
  return best;
}

// This meeting's chapters last 4 to 5 s (a test must be short): YouTube would show none,
// and the export says so. Any other warning (a recording missing, unreadable) is a failure.
bool onlyShortChapterWarnings(const std::vector<std::string>& warnings) {
  return std::all_of(warnings.begin(), warnings.end(), [](const std::string& warning) {
    return warning.find("fewer than three chapters") != std::string::npos;
  });
}

}  // namespace

TEST_CASE("a meeting's replay has a chapter per item, no huis clos, and the recording's streams copied",
          "[media][export]") {
  NginxRtmp server;
  server.start();
  TempDir data;
  auto config = testConfig();
  config.destinations.push_back(testDestination("platform", server.rtmpUrl("export-key")));
  // The council keeps a recording of its closed session: the replay must still leave it out.
  config.session.recordDuringHuisClos = true;
  const auto agenda = app::loadAgenda(std::string(TRIBUNE_SOURCE_DIR) + "/examples/agenda-demo.json", "");
  std::string meetingId;
  std::map<std::string, double> at;  // seconds after the opening
  {
    RunningHub hub(config, data.path(), agenda);
    REQUIRE(hub.waitForPhase("platform", "live", 10s));
    std::this_thread::sleep_for(1500ms);  // some pré-séance, left out of the replay
    const auto opened = Clock::now();
    auto step = [&](const std::string& name, const std::string& command, std::chrono::milliseconds then) {
      REQUIRE(run(hub, command).ok());
      at[name] = std::chrono::duration<double>(Clock::now() - opened).count();
      std::this_thread::sleep_for(then);
    };
    step("open", "session.open", 5s);
    step("item2", "agenda.next", 5s);
    step("item3", "agenda.next", 4s);
    step("suspend", "session.suspend", 4s);
    step("resume", "session.resume", 4s);
    step("huis_clos", "session.huis_clos", 5s);
    step("leave", "session.leave_huis_clos", 4s);
    step("close", "session.close", 4s);
    step("end", "session.end", 3s);
    // The hub exported by itself at the closing and at the end.
    REQUIRE(waitUntil([&] { return hub.hub().snapshot().exportState == "done"; }, 60s));
    const auto snapshot = hub.hub().snapshot();
    CHECK(onlyShortChapterWarnings(snapshot.exportWarnings));
    REQUIRE_FALSE(snapshot.exportFiles.empty());
    CHECK(std::filesystem::exists(snapshot.exportFiles.front()));
    meetingId = std::filesystem::path(snapshot.exportDir).filename().string();
  }
  // Again, on demand, from the finished recording (what `tribune export` does).
  store::EventStore log(app::eventLogFile(data.path()));
  const auto out = data / "export";
  const auto result = app::exportMeeting(log, meetingId, {out, true});
  INFO("warnings: " << nlohmann::json(result.warnings).dump());
  CHECK(onlyShortChapterWarnings(result.warnings));
  const auto replay = (out / "seance.mp4").string();
  std::vector<std::string> replayWarnings;
  const auto recordings = app::replayMeeting(log, meetingId, &replayWarnings).recordings();
  REQUIRE(recordings.size() == 1);
  const auto recording = recordings.front().file;

  // The replay starts on the key frame at or before the opening: the opening is this far in.
  const auto record = nlohmann::json::parse(fileBytes(out / "seance.json"));
  double openedAt = -1;
  for (const auto& event : record.at("timeline")) {
    if (event.at("type") == "session_changed" && event.at("data").at("to") == "seance_ouverte") {
      openedAt = event.at("replay_s").get<double>();
      break;
    }
  }
  CHECK(openedAt >= 0);
  CHECK(openedAt <= 2.1);  // one GOP

  // The chapters: titles, and times within 2 s of the commands (the huis clos taken out).
  const double closed = at["leave"] - at["huis_clos"];
  const std::string item1 = "1. " + agenda.items[0].title;
  const std::string item2 = "2. " + agenda.items[1].title;
  const std::string item3 = "3. " + agenda.items[2].title;
  const std::vector<std::pair<double, std::string>> expected{
      {0, "Ouverture de la séance — " + item1},
      {at["item2"], item2},
      {at["item3"], item3},
      {at["suspend"], "Suspension de séance"},
      {at["resume"], item3 + " (suite)"},
      {at["huis_clos"], item3 + " (suite)"},
      {at["close"] - closed, "Séance levée"},
  };
  // The huis clos is cut outwards on key frames (docs/EXPORT.md): from the key frame at or
  // before it to the first one after it, so up to two GOPs more than it lasted are taken out
  // and the chapters after it come that much earlier.
  const auto keyframes = keyframeTimes(recording);
  REQUIRE(keyframes.size() >= 2);
  double gop = 0;
  for (std::size_t i = 1; i < keyframes.size(); ++i) gop = std::max(gop, keyframes[i] - keyframes[i - 1]);
  INFO("GOP " << gop << " s");
  const auto chapters = probeChapters(replay);
  REQUIRE(chapters.size() == expected.size());
  const std::size_t afterCut = expected.size() - 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("chapter " << i << " at " << chapters[i].start << " s: " << chapters[i].title);
    CHECK(chapters[i].title == expected[i].second);
    const double want = i == 0 ? 0 : expected[i].first + openedAt;
    if (i < afterCut) {
      CHECK(std::abs(chapters[i].start - want) <= 2.0);
    } else {
      CHECK(chapters[i].start <= want + 2.0);
      CHECK(chapters[i].start >= want - 2 * gop - 2.0);
    }
  }
  // Whatever the cut took, the last chapter lies where it should from the replay's end,
  // which is the first key frame at or after "terminée".
  const double duration = durationSeconds(replay);
  const double closeToEnd = duration - chapters[afterCut].start;
  INFO("from \"séance levée\" to the end: " << closeToEnd << " s");
  CHECK(closeToEnd >= at["end"] - at["close"] - 1.0);
  CHECK(closeToEnd <= at["end"] - at["close"] + gop + 1.0);
  CHECK(duration <= at["end"] - closed + openedAt + gop + 1.0);
  CHECK(duration >= at["end"] - closed + openedAt - 2 * gop - 1.0);

  // Stream copy: the recording's codec parameters, unchanged.
  const auto source = probeStreams(recording);
  const auto copy = probeStreams(replay);
  for (const char* key : {"codec_name", "profile", "width", "height", "pix_fmt"}) {
    CHECK(videoStream(copy)[key] == videoStream(source)[key]);
  }
  for (const char* key : {"codec_name", "profile", "sample_rate", "channels"}) {
    CHECK(audioStream(copy)[key] == audioStream(source)[key]);
  }
  CHECK(copy["format"]["tags"]["title"].get<std::string>().find(agenda.meeting.commune) != std::string::npos);

  // No huis clos: the recording has its silence (the outputs were cut) and the replay none;
  // the slate colour in the replay is the suspension's only.
  const auto recordedSound = soundLetters(decodeSound(recording), 0.5);
  const auto replaySound = soundLetters(decodeSound(replay), 0.5);
  INFO("recording " << recordedSound);
  INFO("replay    " << replaySound);
  CHECK(longestRun(recordedSound, 's') >= 6);
  CHECK(longestRun(replaySound, 's') <= 2);
  const auto recordedSlates = slateLetters(recording, 2);
  const auto replaySlates = slateLetters(replay, 2);
  const auto count = [](const std::string& letters) { return std::count(letters.begin(), letters.end(), 'H'); };
  CHECK(count(recordedSlates) >= count(replaySlates) + 2 * static_cast<long>(closed) - 3);
  CHECK(std::abs(static_cast<double>(count(replaySlates)) / 2 - (at["resume"] - at["suspend"])) <= 1.5);

  // The other files, and one clip per item that was discussed.
  for (const char* name : {"chapitres-youtube.txt", "chapitres.vtt", "seance.json", "seance.md"}) {
    CHECK(std::filesystem::exists(out / name));
  }
  CHECK(fileBytes(out / "chapitres-youtube.txt").rfind("00:00 Ouverture de la séance — 1. ", 0) == 0);
  for (const char* clip : {"point-1.mp4", "point-2.mp4", "point-3.mp4"}) {
    INFO(clip);
    REQUIRE(std::filesystem::exists(out / "points" / clip));
  }
  CHECK_FALSE(std::filesystem::exists(out / "points" / "point-4.mp4"));
  const double item3Length =
      (at["suspend"] - at["item3"]) + (at["huis_clos"] - at["resume"]) + (at["close"] - at["leave"]);
  CHECK(std::abs(durationSeconds((out / "points" / "point-3.mp4").string()) - item3Length) <= 4.0);

  // Twice the same export: the same bytes; the recording untouched.
  const auto recordingBefore = fileBytes(recording);
  const auto again = data / "export-again";
  app::exportMeeting(log, meetingId, {again, true});
  for (const auto& file : result.files) {
    INFO(file.string());
    CHECK(fileBytes(file) == fileBytes(again / std::filesystem::relative(file, out)));
  }
  CHECK(fileBytes(recording) == recordingBefore);
}
