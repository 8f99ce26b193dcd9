// The replay's plan and chapters (core/replay_plan.h, docs/EXPORT.md): which parts of the
// recording make the replay, where each chapter starts, YouTube's and WebVTT's texts.
#include <catch2/catch.hpp>

#include "core/meeting.h"
#include "core/meeting_record.h"
#include "core/replay_plan.h"
#include "meeting_fakes.h"

using namespace tribune;
using core::FileScan;
using core::LoggedEvent;
using core::ReplayChapter;

namespace {

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kEpochMs = 1'800'000'000'000;

// A meeting driven by its commands, each at a program time in seconds, logged the way the
// hub logs: the wall clock and the program's running time of the run.
struct Log {
  core::Meeting meeting = testing::demoMeeting();
  std::vector<LoggedEvent> events;
  std::int64_t epochMs = kEpochMs;

  Log() { take(-1); }  // meeting_created: before the program runs
  void take(double programSeconds) {
    for (auto& event : meeting.takeEvents()) {
      const auto programNs = programSeconds < 0 ? -1 : static_cast<std::int64_t>(programSeconds * 1e9);
      const auto wallMs = epochMs + (programSeconds < 0 ? 0 : static_cast<std::int64_t>(programSeconds * 1000));
      events.push_back({events.size() + 1, event.type, event.data, wallMs, programNs});
    }
  }
  void run(double t, const std::function<core::MeetingResult(core::Meeting&)>& command) {
    REQUIRE(command(meeting).ok());
    take(t);
  }
  void recording(double t, const std::string& file, double programStart) {
    run(t, [&](core::Meeting& m) {
      return m.recordingStarted({file, epochMs, static_cast<std::int64_t>(programStart * kS)}, testing::at(t));
    });
  }
};

// Key frames every 2 s from `from` to `to` (file seconds), one span per pair.
FileScan scanOf(double from, double to, std::vector<std::pair<double, double>> spans) {
  FileScan scan;
  for (double t = from; t < to; t += 2) scan.keyFramesNs.push_back(static_cast<std::int64_t>(t * 1e9));
  for (auto [a, b] : spans)
    scan.spans.push_back({static_cast<std::int64_t>(a * 1e9), static_cast<std::int64_t>(b * 1e9)});
  return scan;
}

ReplayChapter ch(std::int64_t startNs, std::int64_t endNs, std::string title) {
  return {startNs, endNs, std::move(title), std::nullopt};
}

double sec(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

std::vector<std::pair<double, std::string>> chaptersOf(const core::ReplayPlan& plan) {
  std::vector<std::pair<double, std::string>> out;
  for (const auto& chapter : plan.chapters) out.emplace_back(sec(chapter.startNs), chapter.title);
  return out;
}

// The demo meeting: open at 10 s, item 2 at 100, a suspension 200-250, a huis clos 300-350,
// items "6 bis" at 400 and "8" at 404 (a four-second item), closed at 500, public questions
// at 520, ended at 580. One file, whose time 0 is the program's 1 s.
Log demoLog() {
  Log log;
  log.recording(1, "a.mkv", 1);
  log.run(10, [](core::Meeting& m) { return m.open(testing::at(10)); });
  log.run(100, [](core::Meeting& m) { return m.nextItem(testing::at(100)); });
  log.run(200, [](core::Meeting& m) { return m.suspend(testing::at(200)); });
  log.run(250, [](core::Meeting& m) { return m.resume(testing::at(250)); });
  log.run(300, [](core::Meeting& m) { return m.enterHuisClos(testing::at(300)); });
  log.run(350, [](core::Meeting& m) { return m.leaveHuisClos(testing::at(350)); });
  log.run(400, [](core::Meeting& m) { return m.nextItem(testing::at(400)); });
  log.run(404, [](core::Meeting& m) { return m.nextItem(testing::at(404)); });
  log.run(500, [](core::Meeting& m) { return m.close(testing::at(500)); });
  log.run(520, [](core::Meeting& m) { return m.startPublicQuestions(testing::at(520)); });
  log.run(580, [](core::Meeting& m) { return m.end(testing::at(580)); });
  return log;
}

const std::string kItem1 = "1. Approbation du procès-verbal de la séance du 15 octobre 2026";
const std::string kItem2 = "2. Décision modificative n°2 au budget principal 2026";
const std::string kItem6bis = "6 bis. Avenant n°1 à la convention de groupement de commandes";
const std::string kItem8 = "8. Information : rapport annuel sur le prix et la qualité du service public de l'eau";

}  // namespace

TEST_CASE("replay: from the opening to the end, without the huis clos, cut on key frames") {
  const auto log = demoLog();
  // Recorded all along (the council kept the huis clos): the plan still leaves it out.
  const auto plan = core::planReplay(log.events, log.meeting.agenda(), {{"a.mkv", scanOf(0, 700, {{0, 700}})}});
  CHECK(plan.warnings.empty());
  REQUIRE(plan.pieces.size() == 2);
  // Opening at program 10 = file 9: the key frame before it (8). The huis clos at program
  // 300 = file 299: the key frame before (298). Its end at 350 = file 349: the one after
  // (350). The end at 580 = file 579: the one after (580).
  CHECK(plan.pieces[0].file == "a.mkv");
  CHECK(sec(plan.pieces[0].fromNs) == 8);
  CHECK(sec(plan.pieces[0].toNs) == 298);
  CHECK(sec(plan.pieces[1].fromNs) == 350);
  CHECK(sec(plan.pieces[1].toNs) == 580);
  CHECK(sec(plan.pieces[1].replayStartNs) == 290);
  CHECK(sec(plan.durationNs) == 520);
}

TEST_CASE("replay: one chapter per item, the opening, the suspension, the closing and the public's questions") {
  const auto log = demoLog();
  const auto plan = core::planReplay(log.events, log.meeting.agenda(), {{"a.mkv", scanOf(0, 700, {{0, 700}})}});
  // Program time t is replay t - 9 in the first piece, t - 61 in the second.
  const std::vector<std::pair<double, std::string>> expected{
      {0, "Ouverture de la séance — " + kItem1},
      {91, kItem2},
      {191, "Suspension de séance"},
      {241, kItem2 + " (suite)"},
      {290, kItem2 + " (suite)"},  // after the huis clos, where the replay resumes
      {339, kItem6bis},
      {343, kItem8},
      {439, "Séance levée"},
      {459, "Questions du public"},
  };
  CHECK(chaptersOf(plan) == expected);
  CHECK(sec(plan.chapters.back().endNs) == 520);
  // Which item each chapter belongs to (the clips are cut from them).
  std::vector<std::optional<std::size_t>> items;
  for (const auto& chapter : plan.chapters) items.push_back(chapter.item);
  using I = std::optional<std::size_t>;
  CHECK(items == std::vector<I>{I{0}, I{1}, I{}, I{1}, I{1}, I{2}, I{3}, I{}, I{}});
  for (std::size_t i = 0; i + 1 < plan.chapters.size(); ++i) {
    CHECK(plan.chapters[i].endNs == plan.chapters[i + 1].startNs);
  }
}

TEST_CASE("replay: every event is placed in the replay, or not at all when it is not in it") {
  const auto log = demoLog();
  const auto plan = core::planReplay(log.events, log.meeting.agenda(), {{"a.mkv", scanOf(0, 700, {{0, 700}})}});
  REQUIRE(plan.eventReplayNs.size() == log.events.size());
  for (std::size_t i = 0; i < log.events.size(); ++i) {
    const auto& event = log.events[i];
    INFO(event.type << " at program " << event.programNs);
    const double program = static_cast<double>(event.programNs) / 1e9;
    if (event.programNs < 9 * kS || (program >= 299 && program < 351) || program >= 581) {
      CHECK_FALSE(plan.eventReplayNs[i].has_value());
    } else {
      REQUIRE(plan.eventReplayNs[i].has_value());
      CHECK(sec(*plan.eventReplayNs[i]) == (program < 300 ? program - 9 : program - 61));
    }
  }
}

TEST_CASE("replay: what was not recorded (a paused recording) is skipped") {
  const auto log = demoLog();
  // The recording paused at the huis clos: a gap in the file from 299.4 to 350.2 (file time),
  // its second span starting on a key frame (the recorder waits for one).
  auto scan = scanOf(0, 700, {{0, 299.4}, {350.2, 700}});
  scan.keyFramesNs.push_back(static_cast<std::int64_t>(350.2 * 1e9));
  std::sort(scan.keyFramesNs.begin(), scan.keyFramesNs.end());
  const auto plan = core::planReplay(log.events, log.meeting.agenda(), {{"a.mkv", scan}});
  REQUIRE(plan.pieces.size() == 2);
  CHECK(sec(plan.pieces[0].toNs) == 298);
  CHECK(sec(plan.pieces[1].fromNs) == Approx(350.2));
}

TEST_CASE("replay: a run resumed after a crash goes on in its own file on its own clock") {
  Log log;
  log.recording(1, "a.mkv", 1);
  log.run(10, [](core::Meeting& m) { return m.open(testing::at(10)); });
  log.run(60, [](core::Meeting& m) { return m.nextItem(testing::at(60)); });
  // Killed at 120 s of program; started again 300 s after the first run's epoch, where
  // the program clock starts at 0 again and a new file begins at its 0.5 s.
  log.epochMs = kEpochMs + 300'000;
  log.recording(0.5, "b.mkv", 0.5);
  log.run(40, [](core::Meeting& m) { return m.nextItem(testing::at(40)); });
  log.run(100, [](core::Meeting& m) { return m.close(testing::at(100)); });
  log.run(110, [](core::Meeting& m) { return m.end(testing::at(110)); });
  // a.mkv was cut by the crash at its 118.7 s (its last readable frame).
  const auto plan = core::planReplay(log.events, log.meeting.agenda(),
                                     {{"a.mkv", scanOf(0, 118, {{0, 118.7}})}, {"b.mkv", scanOf(0, 200, {{0, 200}})}});
  REQUIRE(plan.pieces.size() == 2);
  CHECK(sec(plan.pieces[0].fromNs) == 8);
  CHECK(sec(plan.pieces[0].toNs) == Approx(118.7));
  CHECK(plan.pieces[1].file == "b.mkv");
  CHECK(sec(plan.pieces[1].fromNs) == 0);
  CHECK(sec(plan.pieces[1].toNs) == 110);  // end at program 110 = file 109.5: the key frame after
  const double second = 118.7 - 8;         // where b.mkv starts in the replay
  const std::vector<std::pair<double, std::string>> expected{
      {0, "Ouverture de la séance — " + kItem1},
      {51, kItem2},
      {second + 39.5, kItem6bis},
      {second + 99.5, "Séance levée"},
  };
  REQUIRE(plan.chapters.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(sec(plan.chapters[i].startNs) == Approx(expected[i].first));
    CHECK(plan.chapters[i].title == expected[i].second);
  }
}

TEST_CASE("replay: a session never opened, or never recorded, has no video and says why") {
  Log log;
  log.recording(1, "a.mkv", 1);
  auto plan = core::planReplay(log.events, log.meeting.agenda(), {{"a.mkv", scanOf(0, 100, {{0, 100}})}});
  CHECK(plan.pieces.empty());
  CHECK(plan.chapters.empty());
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].find("jamais été ouverte") != std::string::npos);

  Log unrecorded;
  unrecorded.run(10, [](core::Meeting& m) { return m.open(testing::at(10)); });
  plan = core::planReplay(unrecorded.events, unrecorded.meeting.agenda(), {});
  CHECK(plan.pieces.empty());
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].find("Aucun enregistrement") != std::string::npos);

  // A file the log names but nobody could read: skipped, named.
  log.run(10, [](core::Meeting& m) { return m.open(testing::at(10)); });
  plan = core::planReplay(log.events, log.meeting.agenda(), {});
  REQUIRE_FALSE(plan.warnings.empty());
  CHECK(plan.warnings[0].find("a.mkv") != std::string::npos);
}

TEST_CASE("replay: the meeting keeps its recording files, and refuses a wrong one") {
  auto meeting = testing::demoMeeting();
  REQUIRE(meeting.recordingStarted({"/var/rec/a.mkv", kEpochMs, 250'000'000}, testing::at(1)).ok());
  CHECK_FALSE(meeting.recordingStarted({"", kEpochMs, 0}, testing::at(1)).ok());
  CHECK(meeting.recordingStarted({"b.mkv", kEpochMs, -1}, testing::at(1)).code == "invalid_params");
  const auto events = meeting.takeEvents();
  REQUIRE(events.back().type == "recording_started");
  CHECK(events.back().data ==
        nlohmann::json{{"file", "/var/rec/a.mkv"}, {"epoch_ms", kEpochMs}, {"program_ns", 250'000'000}});
  // Replayed from the log, and refused when malformed.
  core::Meeting replayed;
  for (const auto& event : events) REQUIRE(replayed.apply(event).ok());
  REQUIRE(replayed.recordings().size() == 1);
  CHECK(replayed.recordings()[0].programNs == 250'000'000);
  for (const auto* bad : {R"({"file": "a.mkv", "epoch_ms": 1})", R"({"file": 3, "epoch_ms": 1, "program_ns": 0})",
                          R"({"file": "a.mkv", "epoch_ms": -5, "program_ns": 0})",
                          R"({"file": "a.mkv", "epoch_ms": 1, "program_ns": 1.5})"}) {
    INFO(bad);
    const auto applied = replayed.apply({"recording_started", nlohmann::json::parse(bad), testing::at(2)});
    CHECK(applied.error.find("recording_started: expected") != std::string::npos);
  }
  CHECK(replayed.recordings().size() == 1);
}

TEST_CASE("replay: YouTube's chapters start at 00:00 and merge one shorter than 10 s into the one before") {
  const std::vector<ReplayChapter> chapters{
      ch(0, 91 * kS, "Ouverture de la séance"), ch(91 * kS, 339 * kS, "2. Budget"),
      ch(339 * kS, 343 * kS, "6 bis. Avenant"),  // four seconds
      ch(343 * kS, 439 * kS, "8. Eau"),         ch(439 * kS, 520 * kS, "Séance levée"),
  };
  const auto youtube = core::youtubeChapters(chapters);
  CHECK(youtube.text ==
        "00:00 Ouverture de la séance\n"
        "01:31 2. Budget · 6 bis. Avenant\n"
        "05:43 8. Eau\n"
        "07:19 Séance levée\n");
  CHECK(youtube.merged == 1);
  CHECK(youtube.shown);
}

TEST_CASE("replay: YouTube's chapters merge a short first one forward, and say when YouTube will show none") {
  auto youtube =
      core::youtubeChapters({ch(0, 3 * kS, "Avant"), ch(3 * kS, 40 * kS, "1. A"), ch(40 * kS, 80 * kS, "2. B")});
  CHECK(youtube.text == "00:00 Avant · 1. A\n00:40 2. B\n");
  CHECK_FALSE(youtube.shown);  // two chapters: YouTube asks for three
  // An hour or more: hours in every line.
  youtube = core::youtubeChapters(
      {ch(0, 600 * kS, "A"), ch(600 * kS, 3700 * kS, "B"), ch(3700 * kS, 3800 * kS, "C\nwith a line break")});
  CHECK(youtube.text == "0:00:00 A\n0:10:00 B\n1:01:40 C with a line break\n");
  CHECK(youtube.shown);
}

TEST_CASE("replay: WebVTT chapters, with the cue text escaped") {
  const auto vtt =
      core::webVttChapters({ch(0, 91'500'000'000, "Ouverture <b>&</b>"), ch(91'500'000'000, 3'700 * kS, "2. --> B")});
  CHECK(vtt ==
        "WEBVTT\n"
        "\nchapitre-1\n00:00:00.000 --> 00:01:31.500\nOuverture &lt;b&gt;&amp;&lt;/b&gt;\n"
        "\nchapitre-2\n00:01:31.500 --> 01:01:40.000\n2. --&gt; B\n");
}
