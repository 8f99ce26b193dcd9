// `tribune export` (issue 7, docs/EXPORT.md) on what a real tribune left behind: a meeting
// cut by SIGKILL, its records checked against the documented schema, and the refusals.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <future>
#include <thread>

#include "app/replay.h"
#include "running_tribune.h"
#include "store/event_store.h"
#include "support/ffprobe.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

std::string fileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A real JSON Schema validator (python3-jsonschema, Debian's), not ours.
CommandResult validate(const std::filesystem::path& document) {
  const std::string script =
      "import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "jsonschema.Draft202012Validator.check_schema(schema)\n"
      "jsonschema.validate(json.load(open(sys.argv[2])), schema, cls=jsonschema.Draft202012Validator)\n";
  return runCommand({"/usr/bin/python3", "-c", script, std::string(TRIBUNE_SOURCE_DIR) + "/docs/meeting.schema.json",
                     document.string()},
                    60s);
}

// A meeting opened, an item voted on with names, then tribune killed with SIGKILL.
// `next` is when item 2 began, `ran` when tribune died, both in seconds after the opening.
std::string killedMeeting(const std::filesystem::path& dataDir, double& next, double& ran) {
  RunningTribune tribune(dataDir);
  WsClient ws;
  auto welcome = hello(ws, tribune.port(), tribune.token("technician"));
  REQUIRE(welcome["type"] == "welcome");
  const auto id = welcome["snapshot"]["id"].get<std::string>();
  // Recording for a moment before the opening (pré-séance: not in the replay).
  std::this_thread::sleep_for(2s);
  const auto opened = std::chrono::steady_clock::now();
  REQUIRE(command(ws, 1, {{"type", "session.open"}})["status"] == "ok");
  std::this_thread::sleep_for(3s);
  auto voted = command(ws, 2,
                       {{"type", "vote.record"},
                        {"item", "1"},
                        {"ballot", "public"},
                        {"choices", {{"cm-01", "pour"}, {"cm-02", "pour"}, {"cm-03", "contre"}}}});
  INFO(voted.dump());
  REQUIRE(voted["status"] == "ok");
  const auto asked = std::chrono::steady_clock::now();
  REQUIRE(command(ws, 3, {{"type", "agenda.next"}})["status"] == "ok");
  // The item began between the command and its answer.
  next = std::chrono::duration<double>(asked - opened).count();
  std::this_thread::sleep_for(4s);
  tribune.kill9();
  ran = std::chrono::duration<double>(std::chrono::steady_clock::now() - opened).count();
  return id;
}

}  // namespace

TEST_CASE("tribune export writes the replay of a meeting whose tribune was killed with SIGKILL", "[cli][export]") {
  TempDir data;
  double next = 0;
  double ran = 0;
  const auto id = killedMeeting(data.path(), next, ran);
  const auto out = data / "replay";
  const auto result = runCommand({kTribune, "export", "--data-dir", data.path().string(), "--out", out.string()}, 120s);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("Séance " + id + " exportée") != std::string::npos);
  const auto replay = (out / "seance.mp4").string();
  // Up to the last readable frame: all but about the last second.
  INFO("ran " << ran << " s after the opening");
  CHECK(durationSeconds(replay) > ran - 2.5);
  CHECK(durationSeconds(replay) < ran + 2.5);
  const auto chapters = probeChapters(replay);
  REQUIRE(chapters.size() == 2);
  CHECK(chapters[0].title ==
        "Ouverture de la séance — 1. Approbation du procès-verbal de la séance du 15 octobre 2026");
  CHECK(chapters[1].title.rfind("2. ", 0) == 0);
  // The replay starts on the key frame at or before the opening (docs/EXPORT.md), so item 2
  // opens its chapter at `next` plus up to one GOP of pré-séance, to the frame.
  const auto keyframes = keyframeTimes(replay);
  double gop = 0;
  for (std::size_t i = 1; i < keyframes.size(); ++i) gop = std::max(gop, keyframes[i] - keyframes[i - 1]);
  INFO("item 2 began " << next << " s after the opening; GOP " << gop << " s");
  CHECK(chapters[1].start >= next - 0.5);
  CHECK(chapters[1].start <= next + gop + 0.5);

  // The record: valid against the documented schema, and read back.
  const auto validated = validate(out / "seance.json");
  INFO(validated.out << validated.err);
  CHECK(validated.exit_code == 0);
  const auto record = nlohmann::json::parse(fileText(out / "seance.json"));
  CHECK(record["session"]["id"] == id);
  CHECK(record["session"]["state"] == "seance_ouverte");
  const auto& decision = record["items"][0]["decision"];
  CHECK(decision["result"] == "adopte");
  CHECK(decision["votes"][0]["name"] == "M. Bernard Lefèvre");
  CHECK(record["replay"]["chapters"].size() == 2);
  const auto summary = fileText(out / "seance.md");
  CHECK(summary.find("  - Contre : M. Karim Benali\n") != std::string::npos);
  CHECK(fileText(out / "chapitres.vtt").rfind("WEBVTT\n", 0) == 0);
  // Two chapters: YouTube shows none, and the export says so.
  CHECK(result.err.find("YouTube") != std::string::npos);
}

TEST_CASE("the meeting record's schema refuses what the documentation forbids", "[cli][export]") {
  // The validator is real: a record with a wrong member fails it.
  TempDir dir;
  auto wrong = nlohmann::json::parse(R"({"schema": "tribune-meeting/1", "session": {}, "persons": [], "items": [],
                                         "timeline": [], "replay": null, "questions": {"total": 0}})");
  std::ofstream(dir / "wrong.json") << wrong.dump();
  const auto result = validate(dir / "wrong.json");
  CHECK(result.exit_code != 0);
  CHECK(result.err.find("'id' is a required property") != std::string::npos);
}

TEST_CASE("tribune export refuses an unknown meeting, an empty log and a folder it cannot write", "[cli][export]") {
  TempDir data;
  auto result = runCommand({kTribune, "export", "--data-dir", data.path().string()}, 20s);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("Aucune séance dans le journal") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tribune::app::eventLogFile(data.path())));

  // A log with one meeting (no recording: its records only, and a warning).
  {
    tribune::core::Meeting meeting("seance-2026-01-15", tribune::core::Agenda{}, tribune::core::Clock::now());
    std::vector<tribune::store::NewEvent> rows;
    for (const auto& event : meeting.takeEvents()) {
      rows.push_back({"seance-2026-01-15", event.type, event.data.dump(), 1'768'500'000'000, -1});
    }
    tribune::store::EventStore store(tribune::app::eventLogFile(data.path()));
    std::promise<void> written;
    store.append(std::move(rows), [&](const tribune::store::AppendResult&) { written.set_value(); });
    written.get_future().wait();
  }
  result = runCommand({kTribune, "export", "--data-dir", data.path().string(), "--meeting", "seance-1999"}, 20s);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("meetings in the log: seance-2026-01-15") != std::string::npos);

  std::ofstream(data / "a-file") << "not a folder";
  result =
      runCommand({kTribune, "export", "--data-dir", data.path().string(), "--out", (data / "a-file").string()}, 20s);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("Export impossible") != std::string::npos);
  CHECK(result.err.find("a-file") != std::string::npos);

  result = runCommand({kTribune, "export", "--data-dir", data.path().string()}, 20s);
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.find("jamais été ouverte") != std::string::npos);
  const auto out = data / "exports" / "seance-2026-01-15";
  CHECK(std::filesystem::exists(out / "seance.json"));
  CHECK(std::filesystem::exists(out / "seance.md"));
  CHECK_FALSE(std::filesystem::exists(out / "seance.mp4"));
  CHECK_FALSE(std::filesystem::exists(out / "questions.csv"));  // nobody asked
}
