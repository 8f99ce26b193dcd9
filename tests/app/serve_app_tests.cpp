// `tribune serve` (issue 23): the real binary in standby, a meeting planned through the
// schedule's REST API that starts by itself and publishes to a real nginx-rtmp behind the
// "début imminent" slate, its end giving the machine back to standby, and a restart during a
// meeting resuming it. The schedule's decisions to the minute are core/schedule's tests.
#include <catch2/catch.hpp>

#include <csignal>
#include <ctime>
#include <map>
#include <string>
#include <thread>

#include "running_serve.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"

using namespace tribune::testing;

namespace {

// The local date and time `minutes` from now, as the console would type them.
std::pair<std::string, std::string> localIn(int minutes) {
  const std::time_t when = std::time(nullptr) + minutes * 60;
  std::tm local{};
  localtime_r(&when, &local);
  char date[16];
  char time[8];
  std::strftime(date, sizeof date, "%Y-%m-%d", &local);
  std::strftime(time, sizeof time, "%H:%M", &local);
  return {date, time};
}

Json agendaIn(int minutes, const std::string& title) {
  const auto [date, time] = localIn(minutes);
  return {
      {"meeting",
       {{"commune", "Ville de Démo"}, {"title", title}, {"date", date}, {"time", time}, {"place", "Salle du conseil"}}},
      {"items",
       {{{"number", "1"}, {"title", "Approbation du procès-verbal"}},
        {{"number", "6 bis"}, {"title", "Subvention au comité des fêtes"}}}}};
}

// The technician's hello once a meeting serves: its welcome (a standby answer is skipped).
Json welcomeOfMeeting(int port, const std::string& token, std::chrono::seconds timeout) {
  Json welcome;
  const bool served = waitUntil(
      [&] {
        WsClient ws;
        try {
          welcome = hello(ws, port, token);
        } catch (const std::exception&) {
          return false;
        }
        return welcome["type"] == "welcome";
      },
      timeout);
  if (!served) throw std::runtime_error("no meeting served: last answer " + welcome.dump());
  return welcome;
}

}  // namespace

TEST_CASE(
    "tribune serve waits in standby, starts a planned meeting by itself behind the starting slate, and goes "
    "back to standby once it is over",
    "[serve][rtmp]") {
  NginxRtmp server;
  server.start();
  TempDir data;
  RunningServe tribune(data.path(), {{"session", {{"start_lead_minutes", 1}}},
                                     {"destinations", {{{"name", "local"}, {"url", server.rtmpUrl("serve-KEY")}}}}});
  // Standby: the console is up, nothing is captured or published.
  auto health = httpCall(tribune.port(), {"GET", "/healthz", "", {}});
  CHECK(health.status == 200);
  CHECK(health.body.find("standby") != std::string::npos);
  {
    WsClient ws;
    auto standby = hello(ws, tribune.port(), tribune.token("technician"));
    REQUIRE(standby["type"] == "standby");
    CHECK(standby["schedule"]["meetings"].empty());
  }
  CHECK(tribune.api("GET", "/api/snapshot").status == 434);
  std::this_thread::sleep_for(2s);
  CHECK(server.publishAttempts().empty());
  CHECK_FALSE(std::filesystem::exists(data / "recordings"));

  // A meeting an hour away waits; one a minute away is due now (the lead is a minute).
  const auto revision = tribune.schedule()["revision"].get<std::uint64_t>();
  auto later = tribune.api("POST", "/api/schedule", {{"revision", revision}, {"agenda", agendaIn(60, "Commission")}});
  REQUIRE(later.status == 200);
  std::this_thread::sleep_for(2s);
  CHECK(tribune.schedule()["meetings"][0]["state"] == "planned");
  CHECK(server.publishAttempts().empty());
  auto soon =
      tribune.api("POST", "/api/schedule", {{"revision", revision + 1}, {"agenda", agendaIn(1, "Conseil municipal")}});
  INFO(soon.body);
  REQUIRE(soon.status == 200);
  const auto planId = Json::parse(soon.body)["id"].get<std::string>();

  auto welcome = welcomeOfMeeting(tribune.port(), tribune.token("technician"), 30s);
  const auto snapshot = welcome["snapshot"];
  CHECK(snapshot["session"]["state"] == "pre_seance");
  CHECK(snapshot["overlays"]["slate"]["visible"] == true);
  CHECK(snapshot["overlays"]["slate"]["template"] == "starting");
  CHECK(snapshot["agenda"]["items"][1]["number"] == "6 bis");
  const auto meetingId = snapshot["id"].get<std::string>();
  CHECK(meetingId.find(planId) != std::string::npos);
  auto schedule = tribune.schedule();
  CHECK(schedule["standby"] == false);
  CHECK(schedule["running"] == planId);
  // The program reaches the destination (judged by ffprobe at nginx).
  REQUIRE(waitUntil([&] { return !server.recordings("serve-KEY").empty(); }, 30s));
  const auto probe = probeStreams(server.playUrl("serve-KEY"));
  CHECK(videoStream(probe)["codec_name"] == "h264");
  CHECK(audioStream(probe)["codec_name"] == "aac");

  // The meeting runs its course; "terminée" and the export end it.
  WsClient technician;
  REQUIRE(hello(technician, tribune.port(), tribune.token("technician"))["type"] == "welcome");
  int id = 1;
  for (const char* step : {"session.open", "session.close", "session.end"}) {
    INFO(step);
    CHECK(command(technician, id++, {{"type", step}})["status"] == "ok");
    // A few seconds of open session: the replay (from the opening to the closing) has a picture.
    if (std::string(step) == "session.open") std::this_thread::sleep_for(4s);
  }
  REQUIRE(waitUntil([&] { return tribune.schedule()["standby"] == true; }, 60s));
  schedule = tribune.schedule();
  CHECK(schedule["meetings"][1]["state"] == "done");
  CHECK(schedule["meetings"][1]["log_id"] == meetingId);
  CHECK(schedule["meetings"][0]["state"] == "planned");
  CHECK(server.waitForRecordingsClosed("serve-KEY", 10s));
  CHECK(std::filesystem::exists(data / "exports" / meetingId));
  {
    WsClient ws;
    CHECK(hello(ws, tribune.port(), tribune.token("technician"))["type"] == "standby");
  }
  CHECK(httpCall(tribune.port(), {"GET", "/healthz", "", {}}).body.find("standby") != std::string::npos);
  // A finished meeting never starts again.
  CHECK(tribune.api("POST", "/api/schedule/" + planId + "/start").status == 409);

  // Its replay's files are downloaded from the console; questions past their retention go.
  const auto exportDir = data / "exports" / meetingId;
  writeTextFile(exportDir / "questions.csv", "id;texte\n1;ancienne question\n");
  const auto longAgo = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * 91);
  std::filesystem::last_write_time(exportDir / "questions.csv", longAgo);
  writeTextFile(exportDir / "questions.json", "[]");
  auto listing = tribune.api("GET", "/api/schedule/" + planId + "/files");
  REQUIRE(listing.status == 200);
  std::map<std::string, std::uint64_t> files;
  const auto listed = Json::parse(listing.body);
  for (const auto& file : listed["files"]) {
    files[file["name"].get<std::string>()] = file["bytes"].get<std::uint64_t>();
  }
  INFO(listing.body);
  CHECK(files.count("seance.md") == 1);
  CHECK(files.count("chapitres.vtt") == 1);
  CHECK(files.count("chapitres-youtube.txt") == 1);
  CHECK(files.count("questions.json") == 1);
  CHECK(files.count("questions.csv") == 0);
  CHECK_FALSE(std::filesystem::exists(exportDir / "questions.csv"));
  auto summary = tribune.api("GET", "/api/schedule/" + planId + "/files/seance.md");
  CHECK(summary.status == 200);
  CHECK(summary.header("content-disposition") == "attachment; filename=\"seance.md\"");
  CHECK(summary.body == readTextFile(exportDir / "seance.md"));
  REQUIRE(files.count("seance.mp4") == 1);
  auto replay = tribune.api("GET", "/api/schedule/" + planId + "/files/seance.mp4");
  REQUIRE(replay.status == 200);
  CHECK(replay.body.size() == files["seance.mp4"]);
  writeTextFile(data / "downloaded.mp4", replay.body);
  CHECK(videoStream(probeStreams((data / "downloaded.mp4").string()))["codec_name"] == "h264");
  // Only the listing's files: no path of the request's own reaches the disk.
  for (const char* sneaky : {"files/../../tokens.json", "files/..%2F..%2Ftokens.json", "files/questions.csv"}) {
    INFO(sneaky);
    auto reply = tribune.api("GET", "/api/schedule/" + planId + "/" + sneaky);
    CHECK(reply.status != 200);
    CHECK(reply.body.find(tribune.token("technician")) == std::string::npos);
  }
  CHECK(tribune.api("GET", "/api/schedule/" + planId + "/files", nullptr, "moderator").status == 403);
  CHECK(tribune.log().find("serve-KEY") == std::string::npos);
  REQUIRE(tribune.stop());

  // Stopped after "terminée" but before its export was done (the schedule still says
  // "running"): at the next start the meeting is resumed, exported again, and ended.
  auto file = Json::parse(readTextFile(data / "schedule.json"));
  file["meetings"][1]["state"] = "running";
  writeTextFile(data / "schedule.json", file.dump());
  std::filesystem::remove_all(exportDir);
  tribune.start();
  REQUIRE(waitUntil([&] { return tribune.schedule()["meetings"][1]["state"] == "done"; }, 60s));
  CHECK(std::filesystem::exists(exportDir / "seance.md"));
  CHECK(std::filesystem::exists(exportDir / "seance.mp4"));
  REQUIRE(tribune.stop());
}

TEST_CASE("tribune serve resumes a meeting interrupted by a restart, and refuses bad schedule edits with their reason",
          "[serve]") {
  TempDir data;
  std::optional<RunningServe> tribune(std::in_place, data.path(), Json::object());
  auto schedule = tribune->schedule();
  const auto revision = schedule["revision"].get<std::uint64_t>();

  // Refused edits, each with its reason, and nothing saved.
  CHECK(tribune->api("GET", "/api/schedule", nullptr, "").status == 403);  // no token: a viewer
  CHECK(tribune->api("GET", "/api/schedule", nullptr, "moderator").status == 403);
  CHECK(httpCall(tribune->port(), {"GET", "/api/schedule", "", {{"Authorization", "Bearer not-a-token"}}}).status ==
        401);
  auto noTime = agendaIn(30, "Conseil municipal");
  noTime["meeting"].erase("time");
  auto reply = tribune->api("POST", "/api/schedule", {{"revision", revision}, {"agenda", noTime}});
  CHECK(reply.status == 400);
  CHECK(Json::parse(reply.body)["problems"][0]["where"] == "meeting.time");
  auto badDate = agendaIn(30, "Conseil municipal");
  badDate["meeting"]["date"] = "2026-02-30";
  reply = tribune->api("POST", "/api/schedule", {{"revision", revision}, {"agenda", badDate}});
  CHECK(reply.status == 400);
  CHECK(Json::parse(reply.body)["problems"][0]["where"] == "meeting.date");
  reply = tribune->api("POST", "/api/schedule",
                       {{"revision", revision},
                        {"meeting", {{"date", "2026-12-08"}, {"time", "20:00"}}},
                        {"agenda_text", "1 - Budget\n1 - Budget encore\n"}});
  CHECK(reply.status == 400);
  CHECK(Json::parse(reply.body)["problems"][0]["where"] == "ligne 2");
  CHECK(tribune->api("POST", "/api/schedule", {{"agenda", agendaIn(30, "x")}}).status == 400);
  // A dry run (the console's review screen) says what was understood and saves nothing.
  reply = tribune->api("POST", "/api/schedule",
                       {{"revision", revision},
                        {"dry_run", true},
                        {"meeting", {{"date", "2026-12-08"}, {"time", "20:00"}}},
                        {"agenda_text", "1 - Budget — Mme Martin\n6 bis - Voirie\n"}});
  REQUIRE(reply.status == 200);
  CHECK(Json::parse(reply.body)["agenda"]["items"][1]["number"] == "6 bis");
  CHECK(Json::parse(reply.body)["agenda"]["items"][0]["rapporteur"] == "Mme Martin");
  reply = tribune->api("POST", "/api/schedule", {{"revision", revision}, {"dry_run", true}, {"agenda", noTime}});
  CHECK(Json::parse(reply.body)["problems"][0]["where"] == "meeting.time");
  // A body over the upload limit is refused before it reaches the schedule.
  CHECK(tribune->api("POST", "/api/schedule/preview", std::string(21 * 1024 * 1024, 'x')).status == 413);
  CHECK(tribune->schedule()["meetings"].empty());
  // Two consoles saw the same revision: the second one's edit is refused.
  REQUIRE(tribune->api("POST", "/api/schedule", {{"revision", revision}, {"agenda", agendaIn(120, "A")}}).status ==
          200);
  reply = tribune->api("POST", "/api/schedule", {{"revision", revision}, {"agenda", agendaIn(120, "B")}});
  CHECK(reply.status == 409);
  CHECK(Json::parse(reply.body)["code"] == "conflict");
  CHECK(tribune->schedule()["meetings"].size() == 1);

  // The roster from a spreadsheet, then the agenda edited before the meeting: saved.
  reply =
      tribune->api("POST", "/api/schedule/roster", std::string("Nom;Fonction;Groupe\nMme Claire Martin;Adjointe;A\n"));
  REQUIRE(reply.status == 200);
  const auto councillors = Json::parse(reply.body)["councillors"];
  CHECK(councillors[0]["id"] == "cm-01");
  reply = tribune->api("POST", "/api/schedule/roster", std::string("Prénom;Nom\nClaire;Martin\n"));
  CHECK(reply.status == 400);
  CHECK(Json::parse(reply.body)["problems"][0]["where"] == "ligne 1");
  auto edited = agendaIn(120, "A");
  edited["councillors"] = councillors;
  edited["items"][1]["rapporteur"] = "Mme Claire Martin";
  const auto firstId = tribune->schedule()["meetings"][0]["id"].get<std::string>();
  const auto current = tribune->schedule()["revision"].get<std::uint64_t>();
  REQUIRE(tribune->api("POST", "/api/schedule/" + firstId + "/agenda", {{"revision", current}, {"agenda", edited}})
              .status == 200);
  CHECK(tribune->api("POST", "/api/schedule/" + firstId + "/agenda", {{"revision", current}, {"agenda", edited}})
            .status == 409);
  // A service restart in standby keeps the schedule as it was.
  REQUIRE(tribune->stop());
  tribune.reset();
  tribune.emplace(data.path(), Json::object());
  {
    WsClient ws;
    auto standby = hello(ws, tribune->port(), tribune->token("technician"));
    REQUIRE(standby["type"] == "standby");
    CHECK(standby["schedule"]["meetings"].size() == 1);
    CHECK(standby["next"]["title"] == "A");
  }
  CHECK(Json::parse(readTextFile(data / "schedule.json"))["meetings"][0]["agenda"]["councillors"][0]["name"] ==
        "Mme Claire Martin");

  // Started by hand, the session opened, then the service restarts.
  const auto planId = tribune->schedule()["meetings"][0]["id"].get<std::string>();
  REQUIRE(tribune->api("POST", "/api/schedule/" + planId + "/start").status == 200);
  auto welcome = welcomeOfMeeting(tribune->port(), tribune->token("technician"), 30s);
  const auto meetingId = welcome["snapshot"]["id"].get<std::string>();
  {
    WsClient technician;
    REQUIRE(hello(technician, tribune->port(), tribune->token("technician"))["type"] == "welcome");
    REQUIRE(command(technician, 1, {{"type", "session.open"}})["status"] == "ok");
  }
  auto stopped = tribune->stop();
  REQUIRE(stopped);
  CHECK(*stopped == 0);
  CHECK(Json::parse(readTextFile(data / "schedule.json"))["meetings"][0]["state"] == "running");
  tribune.reset();
  tribune.emplace(data.path(), Json::object());
  welcome = welcomeOfMeeting(tribune->port(), tribune->token("technician"), 30s);
  CHECK(welcome["snapshot"]["id"] == meetingId);
  CHECK(welcome["snapshot"]["session"]["state"] == "seance_ouverte");
  // Stopped by hand: back to standby, the meeting kept as it was for a start by hand.
  REQUIRE(tribune->api("POST", "/api/schedule/stop").status == 200);
  REQUIRE(waitUntil([&] { return tribune->schedule()["standby"] == true; }, 30s));
  CHECK(tribune->schedule()["meetings"][0]["state"] == "stopped");
  CHECK(tribune->api("POST", "/api/schedule/" + planId + "/delete", {{"revision", 0}}).status == 409);
  CHECK(tribune->api("POST", "/api/schedule/nope/start").status == 404);
  REQUIRE(tribune->stop());
}

TEST_CASE("a meeting whose source cannot start fails with its reason, and the station stays up in standby", "[serve]") {
  TempDir data;
  RunningServe tribune(data.path(), {{"source", "file:" + (data / "absent.mp4").string()}});
  const auto revision = tribune.schedule()["revision"].get<std::uint64_t>();
  auto added = tribune.api("POST", "/api/schedule", {{"revision", revision}, {"agenda", agendaIn(1, "Conseil")}});
  REQUIRE(added.status == 200);
  REQUIRE(waitUntil([&] { return tribune.schedule()["meetings"][0]["state"] == "failed"; }, 30s));
  const auto meeting = tribune.schedule()["meetings"][0];
  INFO(meeting.dump());
  CHECK(meeting["error"].get<std::string>().find("absent.mp4") != std::string::npos);
  CHECK(tribune.schedule()["standby"] == true);
  WsClient ws;
  CHECK(hello(ws, tribune.port(), tribune.token("technician"))["type"] == "standby");
  // Failed meetings never start again by themselves.
  std::this_thread::sleep_for(2s);
  CHECK(tribune.schedule()["meetings"][0]["state"] == "failed");
  REQUIRE(tribune.stop());
}
