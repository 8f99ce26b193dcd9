// The `tribune` executable as a technician runs it.
#include <catch2/catch.hpp>

#include <csignal>
#include <future>
#include <thread>

#include "app/replay.h"
#include "core/meeting.h"
#include "store/event_store.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

const std::string kTribune = TRIBUNE_BINARY;

std::filesystem::path onlyRecording(const std::filesystem::path& dataDir) {
  std::vector<std::filesystem::path> files;
  const auto dir = dataDir / "recordings";
  if (std::filesystem::exists(dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  }
  if (files.size() != 1) throw std::runtime_error("expected one recording in " + dir.string());
  return files.front();
}

std::uint64_t recordingSize(const std::filesystem::path& dataDir) {
  try {
    return std::filesystem::file_size(onlyRecording(dataDir));
  } catch (const std::exception&) {
    return 0;
  }
}

// Program time of the last video packet of a recording.
double lastVideoTime(const std::filesystem::path& file) {
  const auto packets = probePackets(file.string(), "v");
  return packets.empty() ? 0 : packets.back().pts_time;
}

}  // namespace

TEST_CASE("tribune --version names the program and its version", "[cli]") {
  auto result = runCommand({kTribune, "--version"}, 10s);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("tribune 0.") != std::string::npos);
}

TEST_CASE("tribune check reports every mistake of a configuration with its path", "[cli][config]") {
  TempDir dir;
  writeTextFile(dir / "tribune.json", R"({
    "source": "camera",
    "video": {"profile": "4k", "bitrate_kbps": "lots"},
    "destinatons": [],
    "destinations": [
      {"name": "youtube", "platform": "youtube", "key_env": "TRIBUNE_TEST_UNSET_VARIABLE"},
      {"name": "fb", "platform": "facebook", "url": "rtmp://live-api-s.facebook.com/rtmp", "key": "SECRET-FB-KEY"}
    ]
  })");
  auto result = runCommand({kTribune, "check", "--config", (dir / "tribune.json").string()}, 20s);
  INFO(result.err);
  CHECK(result.exit_code == 2);
  for (const char* path :
       {"source", "video.profile", "video.bitrate_kbps", "destinatons", "destinations[0].key_env", "destinations[1]"}) {
    CHECK(result.err.find(std::string("  ") + path) != std::string::npos);
  }
  CHECK(result.err.find("vouliez-vous dire") != std::string::npos);
  CHECK(result.err.find("SECRET-FB-KEY") == std::string::npos);
  CHECK(result.out.find("SECRET-FB-KEY") == std::string::npos);
}

TEST_CASE("tribune check names a file that is not JSON by line and column", "[cli][config]") {
  TempDir dir;
  writeTextFile(dir / "tribune.json", "{\n  \"source\": \"test\",\n  oops\n}\n");
  auto result = runCommand({kTribune, "check", "--config", (dir / "tribune.json").string()}, 20s);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("ligne 3") != std::string::npos);
}

TEST_CASE("tribune check accepts the example configuration", "[cli][config]") {
  // The example points at /etc/tribune/secrets.json; give it one of its own.
  TempDir dir;
  auto example =
      nlohmann::ordered_json::parse(readTextFile(std::string(TRIBUNE_SOURCE_DIR) + "/examples/tribune.json"));
  example["secrets_file"] = (dir / "secrets.json").string();
  for (const char* key : {"agenda", "pipelines_dir"}) {
    if (example.contains(key))
      example[key] = std::string(TRIBUNE_SOURCE_DIR) + "/examples/" + example[key].get<std::string>();
  }
  writeTextFile(dir / "secrets.json", R"({"facebook": "FB-1234-5678"})");
  writeTextFile(dir / "tribune.json", example.dump(2));
  auto result = runCommand({kTribune, "check", "--config", (dir / "tribune.json").string()}, 20s,
                           ProcessOptions{{{"TRIBUNE_YOUTUBE_KEY", "abcd-efgh"}}, {}, {}, {}, true, true});
  INFO(result.err);
  CHECK(result.exit_code == 0);
}

TEST_CASE("tribune check --probe says which destinations take the publish", "[cli][rtmp]") {
  NginxRtmp server;
  server.start();
  TempDir dir;
  writeTextFile(dir / "tribune.json", R"({"destinations": [
      {"name": "ok", "url": ")" + server.rtmpUrl("probe-key") +
                                          R"("},
      {"name": "bad", "url": ")" + server.rtmpUrl("refused-PROBE-SECRET") +
                                          R"("},
      {"name": "tls", "url": ")" + server.rtmpsUrl("probe-tls") +
                                          R"(", "tls_verify": false}
    ]})");
  auto result = runCommand({kTribune, "check", "--probe", "--config", (dir / "tribune.json").string()}, 60s);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("ok (rtmp://127.0.0.1:" + std::to_string(server.rtmpPort()) + "/live/****): OK") !=
        std::string::npos);
  CHECK(result.out.find("tls (rtmps://127.0.0.1:" + std::to_string(server.rtmpsPort()) + "/live/****): OK") !=
        std::string::npos);
  CHECK(result.out.find("bad (rtmp://127.0.0.1:" + std::to_string(server.rtmpPort()) +
                        "/live/****): clé de stream refusée") != std::string::npos);
  CHECK(result.out.find("PROBE-SECRET") == std::string::npos);
  CHECK(result.err.find("PROBE-SECRET") == std::string::npos);
}

TEST_CASE("tribune run refuses a malformed --destination without echoing the key", "[cli]") {
  TempDir data;
  auto result = runCommand({kTribune, "run", "--data-dir", data.path().string(), "--destination",
                            "site=http://example.invalid/live/HIDDEN-KEY"},
                           20s);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("--destination") != std::string::npos);
  CHECK(result.err.find("HIDDEN-KEY") == std::string::npos);
}

TEST_CASE("tribune run refuses a source preset with a misspelt directive, naming the file and the line", "[cli]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "pipelines");
  writeTextFile(dir / "pipelines" / "test.pipeline",
                "# A test picture.\n# tribune: netwrok\nvideotestsrc is-live=true ! queue name=video\n"
                "audiotestsrc is-live=true ! queue name=audio\n");
  writeTextFile(dir / "tribune.json", R"({"source": "test", "pipelines_dir": "pipelines"})");
  auto result = runCommand(
      {kTribune, "run", "--config", (dir / "tribune.json").string(), "--data-dir", (dir / "data").string()}, 30s);
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("test.pipeline: ligne 2: directive inconnue « # tribune: netwrok »") != std::string::npos);
}

TEST_CASE("SIGINT stops tribune cleanly: the destination is unpublished and the recording is complete", "[cli][rtmp]") {
  NginxRtmp server;
  server.start();
  TempDir data;
  Process tribune(
      {kTribune, "run", "--data-dir", data.path().string(), "--destination",
       "local=" + server.rtmpUrl("sigint-SECRET-KEY")},
      ProcessOptions{{}, Redirect::toFile(data / "out.txt"), Redirect::toFile(data / "err.txt"), {}, true, true});
  REQUIRE(waitUntil(
      [&] { return !server.recordings("sigint-SECRET-KEY").empty() && recordingSize(data.path()) > 500000; }, 15s));
  std::this_thread::sleep_for(3s);
  tribune.signal(SIGINT);
  auto status = tribune.waitFor(10s);
  REQUIRE(status);
  CHECK(*status == 0);
  CHECK(server.waitForRecordingsClosed("sigint-SECRET-KEY", 5s));
  const auto output = readTextFile(data / "out.txt") + readTextFile(data / "err.txt");
  INFO(output);
  CHECK(output.find("Enregistrement / recording: ") != std::string::npos);
  CHECK(output.find("Ctrl+C") != std::string::npos);
  CHECK(output.find("live") != std::string::npos);
  CHECK(output.find("SECRET-KEY") == std::string::npos);
  CHECK(lastVideoTime(onlyRecording(data.path())) > 3.0);
}

TEST_CASE("the recording of a tribune killed with SIGKILL is playable up to its last seconds", "[cli][faults]") {
  TempDir data;
  Process tribune({kTribune, "run", "--data-dir", data.path().string()},
                  ProcessOptions{{}, Redirect::discard(), Redirect::discard(), {}, true, true});
  REQUIRE(waitUntil([&] { return recordingSize(data.path()) > 0; }, 10s));
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(6s);
  tribune.kill9();
  const double ran = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto file = onlyRecording(data.path());
  const auto probe = probeStreams(file.string());
  CHECK(videoStream(probe)["codec_name"] == "h264");
  CHECK(audioStream(probe)["codec_name"] == "aac");
  // Everything but what was still in the muxer's and the encoder's hands: about a second.
  INFO("ran " << ran << " s, last frame at " << lastVideoTime(file));
  CHECK(lastVideoTime(file) > ran - 2.0);
}

// ---------------------------------------------------------------------------------------
// tribune purge and tribune questions, on event logs prepared here

namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void appendAll(tribune::store::EventStore& store, std::vector<tribune::store::NewEvent> events) {
  std::promise<tribune::store::AppendResult> written;
  auto done = written.get_future();
  store.append(std::move(events), [&written](tribune::store::AppendResult result) { written.set_value(result); });
  REQUIRE(done.wait_for(20s) == std::future_status::ready);
  REQUIRE_FALSE(done.get().error);
}

// A meeting run through the core's own commands, its events written to the log as the hub
// writes them: three questions, the second approved, the third deleted.
void writeMeeting(const std::filesystem::path& dataDir, const std::string& id, const std::string& firstQuestion) {
  using namespace tribune::core;
  const auto now = Clock::now();
  Meeting meeting(id, Agenda{}, now);
  for (const auto& text : {firstQuestion, std::string("=1+1 ; la piscine ?"), std::string("EFFACEE")}) {
    NewQuestion question;
    question.text = text;
    question.pseudonym = "Marie";
    question.author = "browser-0000000000000000000001";
    question.askedMs = nowMs();
    REQUIRE(meeting.askQuestion(question, now).ok());
  }
  REQUIRE(meeting.onQuestions([](QuestionBoard& board) { return board.approve(2, std::nullopt); }, now).ok());
  REQUIRE(meeting.onQuestions([](QuestionBoard& board) { return board.remove(3); }, now).ok());
  std::vector<tribune::store::NewEvent> rows;
  for (const auto& event : meeting.takeEvents()) rows.push_back({id, event.type, event.data.dump(), nowMs(), -1});
  tribune::store::EventStore store(tribune::app::eventLogFile(dataDir));
  appendAll(store, std::move(rows));
}

}  // namespace

TEST_CASE("tribune purge deletes the questions past the configured retention, --dry-run only counts them",
          "[cli][questions]") {
  TempDir dir;
  const auto data = dir / "data";
  std::filesystem::create_directories(data);
  writeTextFile(dir / "tribune.json", R"({"questions": {"retention_days": 30}})");
  const auto log = tribune::app::eventLogFile(data);
  const auto old = nowMs() - 60 * kDayMs;
  const auto recent = nowMs() - 10 * kDayMs;
  {
    tribune::store::EventStore store(log);
    appendAll(store, {{"seance-a", "session_opened", "{}", old, -1},
                      {"seance-a", "question_asked", R"({"id":1,"text":"ANCIENNE-QUESTION"})", old, -1},
                      {"seance-a", "question_approved", R"({"id":1})", old + 1000, -1},
                      {"seance-a", "questions_prescreen", R"({"enabled":false})", old + 2000, -1},
                      {"seance-b", "question_asked", R"({"id":1,"text":"RECENTE"})", recent, -1}});
  }
  const std::vector<std::string> purge{kTribune,     "purge",      "--config", (dir / "tribune.json").string(),
                                       "--data-dir", data.string()};
  auto dryRunArgs = purge;
  dryRunArgs.push_back("--dry-run");
  const auto dryRun = runCommand(dryRunArgs, 20s);
  INFO(dryRun.out << dryRun.err);
  CHECK(dryRun.exit_code == 0);
  CHECK(dryRun.out.find("(conservation : 30 jours) : 2 événement(s) à effacer") != std::string::npos);
  CHECK(dryRun.out.find("(retention: 30 days): 2 event(s) would be deleted") != std::string::npos);
  CHECK(tribune::store::EventStore(log).readSince(0, 100).size() == 5);

  const auto purged = runCommand(purge, 20s);
  INFO(purged.out << purged.err);
  CHECK(purged.exit_code == 0);
  CHECK(purged.out.find("2 événement(s) effacé(s) / ") != std::string::npos);
  CHECK(purged.out.find("2 event(s) deleted") != std::string::npos);
  {
    tribune::store::EventStore store(log);
    const auto left = store.readSince(0, 100);
    REQUIRE(left.size() == 3);
    for (const auto& event : left) CHECK(event.data.find("ANCIENNE") == std::string::npos);
  }
  CHECK(readTextFile(log).find("ANCIENNE-QUESTION") == std::string::npos);

  // With the default retention (90 days), the 10-day-old question stays.
  const auto defaults = runCommand({kTribune, "purge", "--data-dir", data.string()}, 20s);
  CHECK(defaults.exit_code == 0);
  CHECK(defaults.out.find("(conservation : 90 jours) : 0 événement(s) effacé(s)") != std::string::npos);
}

TEST_CASE("tribune purge without an event log deletes nothing and creates no log", "[cli][questions]") {
  TempDir data;
  const auto result = runCommand({kTribune, "purge", "--data-dir", data.path().string()}, 20s);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("rien à effacer / no event log") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tribune::app::eventLogFile(data.path())));
}

TEST_CASE("tribune purge refuses an invalid configuration with its path", "[cli][questions]") {
  TempDir dir;
  writeTextFile(dir / "tribune.json", R"({"questions": {"retention_days": 0}})");
  const auto result = runCommand(
      {kTribune, "purge", "--config", (dir / "tribune.json").string(), "--data-dir", dir.path().string()}, 20s);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("questions.retention_days: 0 hors limites (de 1 à 3650)") != std::string::npos);
}

TEST_CASE("tribune questions with no meeting in the log says so, and creates no log", "[cli][questions]") {
  TempDir data;
  auto result = runCommand({kTribune, "questions", "--data-dir", data.path().string()}, 20s);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("Aucune séance dans le journal") != std::string::npos);
  CHECK(result.out.empty());
  CHECK_FALSE(std::filesystem::exists(tribune::app::eventLogFile(data.path())));

  { tribune::store::EventStore empty(tribune::app::eventLogFile(data.path())); }
  result = runCommand({kTribune, "questions", "--data-dir", data.path().string()}, 20s);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("no meeting in the event log") != std::string::npos);
}

TEST_CASE("tribune questions refuses an unknown meeting, naming the meetings of the log", "[cli][questions]") {
  TempDir data;
  writeMeeting(data.path(), "seance-2026-01-15", "Première ?");
  const auto result =
      runCommand({kTribune, "questions", "--data-dir", data.path().string(), "--meeting", "seance-1999"}, 20s);
  INFO(result.err);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("« seance-1999 »") != std::string::npos);
  CHECK(result.err.find("meetings in the log: seance-2026-01-15") != std::string::npos);
  CHECK(result.out.empty());
}

TEST_CASE("tribune questions refuses a format other than csv or json", "[cli][questions]") {
  TempDir data;
  const auto result = runCommand({kTribune, "questions", "--data-dir", data.path().string(), "--format", "xlsx"}, 20s);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("« xlsx » inconnu, choisir csv ou json") != std::string::npos);
  CHECK(result.err.find("unknown format \"xlsx\"") != std::string::npos);
}

TEST_CASE("tribune questions exports the last meeting, or the one named, as CSV or JSON", "[cli][questions]") {
  TempDir dir;
  const auto data = dir / "data";
  std::filesystem::create_directories(data);
  writeMeeting(data, "seance-2026-01-15", "Question de janvier ?");
  writeMeeting(data, "seance-2026-02-12", "Question de février ?");

  // The last meeting, as CSV on the standard output.
  const auto csv = runCommand({kTribune, "questions", "--data-dir", data.string()}, 20s);
  INFO(csv.err);
  CHECK(csv.exit_code == 0);
  CHECK(csv.out.rfind("\xEF\xBB\xBFnumero;statut;status;texte;", 0) == 0);
  CHECK(csv.out.find("\r\n1;en attente;pending;Question de février ?;") != std::string::npos);
  CHECK(csv.out.find("\r\n2;retenue;approved;\"'=1+1 ; la piscine ?\";") != std::string::npos);
  CHECK(csv.out.find("janvier") == std::string::npos);
  CHECK(csv.out.find("EFFACEE") == std::string::npos);
  CHECK(csv.err.find("2 question(s) de la séance seance-2026-02-12 exportée(s)") != std::string::npos);

  // The one named, as JSON in a file.
  const auto file = dir / "janvier.json";
  const auto json = runCommand({kTribune, "questions", "--data-dir", data.string(), "--meeting", "seance-2026-01-15",
                                "--format", "json", "--out", file.string()},
                               20s);
  INFO(json.err);
  CHECK(json.exit_code == 0);
  CHECK(json.out.empty());
  const auto exported = nlohmann::json::parse(readTextFile(file));
  CHECK(exported.at("meeting") == "seance-2026-01-15");
  REQUIRE(exported.at("questions").size() == 2);
  CHECK(exported.at("questions")[0].at("text") == "Question de janvier ?");
  CHECK(exported.at("questions")[0].at("status") == "pending");
  CHECK(exported.at("questions")[1].at("text") == "=1+1 ; la piscine ?");
  CHECK(exported.at("questions")[1].at("rank") == 0);

  // Reproducible: the same export twice gives the same bytes.
  const auto again = runCommand({kTribune, "questions", "--data-dir", data.string()}, 20s);
  CHECK(again.out == csv.out);
}
