// "Vérifier avant la séance" under a real `tribune serve` (issue 23, docs/PREFLIGHT.md,
// app/probe_desk.h): POST /api/preflight in standby looks at the test source (a moving
// pattern, a 1 kHz tone at -20 dBFS) and probes each destination at a real nginx-rtmp; a
// second request meanwhile is refused; POST /api/destinations/NAME/test probes one; during
// a meeting nothing is published beside the live. One serve for the whole file.
#include <catch2/catch.hpp>

#include <future>

#include "running_serve.h"
#include "support/nginx_rtmp.h"

using namespace tribune::testing;

namespace {

Json lineOf(const Json& report, const std::string& id) {
  for (const auto& line : report["lines"]) {
    if (line["id"] == id) return line;
  }
  FAIL("no line " << id << " in " << report.dump(2));
  return {};
}

Json agendaToday() {
  return {{"meeting",
           {{"commune", "Ville de Démo"},
            {"title", "Conseil municipal"},
            {"date", "2030-01-15"},
            {"time", "18:30"},
            {"place", "Salle du conseil"}}},
          {"items", {{{"number", "1"}, {"title", "Approbation du procès-verbal"}}}}};
}

// A POST the desk answers once it has measured: longer than RunningServe::api's 10 s (the
// serve's first GStreamer start, the source's 3 s look, each destination's probe).
HttpReply measure(const RunningServe& serve, const std::string& target) {
  HttpCall call{"POST", target, "", {{"Authorization", "Bearer " + serve.token("technician")}}};
  return httpCall(serve.port(), call, 60s);
}

}  // namespace

TEST_CASE(
    "the console's pre-flight under tribune serve: the source and its sound seen in standby, each destination probed, "
    "one check at a time, a destination tested alone, and nothing published beside a meeting",
    "[serve][preflight][rtmp]") {
  NginxRtmp server;
  server.start();
  TempDir dir("tribune-probe-desk");
  // nginx's on_publish refuses names starting with "refused".
  RunningServe serve(dir.path(), Json{{"recording", {{"expected_duration_minutes", 10}}},
                                      {"destinations",
                                       {{{"name", "mairie"}, {"url", server.rtmpUrl("good-SECRET")}},
                                        {{"name", "refusee"}, {"url", server.rtmpUrl("refused-SECRET")}}}}});

  // Two checks asked together: one runs, the other is refused (whichever came second).
  auto first = std::async(std::launch::async, [&] { return measure(serve, "/api/preflight"); });
  auto second = std::async(std::launch::async, [&] { return measure(serve, "/api/preflight"); });
  const auto a = first.get();
  const auto b = second.get();
  INFO(a.status << " " << a.body << "\n" << b.status << " " << b.body << "\n" << serve.log());
  REQUIRE(((a.status == 200 && b.status == 409) || (a.status == 409 && b.status == 200)));
  const auto& done = a.status == 200 ? a : b;
  const auto& refused = a.status == 200 ? b : a;
  CHECK(Json::parse(refused.body)["message"] == "Une vérification est déjà en cours.");

  const auto report = Json::parse(done.body);
  CHECK(lineOf(report, "source")["level"] == "green");
  CHECK(lineOf(report, "source")["text"] == "La source envoie une image qui bouge.");
  CHECK(lineOf(report, "sound")["level"] == "green");
  CHECK(lineOf(report, "destination:mairie")["level"] == "green");
  const auto refusee = lineOf(report, "destination:refusee");
  CHECK(refusee["level"] == "red");
  CHECK_FALSE(refusee["advice"].get<std::string>().empty());
  CHECK(lineOf(report, "uplink")["level"] == "orange");  // no preflight.test_url
  CHECK(lineOf(report, "disk")["level"] == "green");
  CHECK(report["level"] == "red");
  CHECK(done.body.find("SECRET") == std::string::npos);
  CHECK(serve.log().find("SECRET") == std::string::npos);

  // One destination alone, as `check --probe`.
  auto good = measure(serve, "/api/destinations/mairie/test");
  INFO(good.body);
  REQUIRE(good.status == 200);
  const auto goodJson = Json::parse(good.body);
  CHECK(goodJson["accepted"] == true);
  CHECK(goodJson["text"].get<std::string>().find("accepte la diffusion") != std::string::npos);
  CHECK(goodJson["advice"] == "");
  auto bad = measure(serve, "/api/destinations/refusee/test");
  REQUIRE(bad.status == 200);
  const auto badJson = Json::parse(bad.body);
  CHECK(badJson["accepted"] == false);
  CHECK(badJson["text"].get<std::string>().rfind("refusee (", 0) == 0);
  CHECK_FALSE(badJson["advice"].get<std::string>().empty());
  CHECK(good.body.find("SECRET") == std::string::npos);
  CHECK(bad.body.find("SECRET") == std::string::npos);

  // What is refused, with its reason.
  auto unknown = serve.api("POST", "/api/destinations/inconnue/test");
  CHECK(unknown.status == 404);
  CHECK(Json::parse(unknown.body)["message"] == "Aucune destination « inconnue » dans la configuration.");
  CHECK(serve.api("POST", "/api/destinations/mairie").status == 404);
  // A destination added on the settings page is tested without a restart.
  const auto revision = Json::parse(serve.api("GET", "/api/settings").body)["revision"];
  REQUIRE(serve
              .api("POST", "/api/settings",
                   {{"revision", revision},
                    {"patch",
                     {{"destinations",
                       {{{"name", "mairie"}, {"url", server.rtmpUrl("good-SECRET")}, {"key", ""}},
                        {{"name", "refusee"}, {"url", server.rtmpUrl("refused-SECRET")}, {"key", ""}},
                        {{"name", "ajoutee"}, {"url", server.rtmpApplicationUrl()}, {"key", "added-SECRET"}}}}}}})
              .status == 200);
  auto addedTest = measure(serve, "/api/destinations/ajoutee/test");
  INFO(addedTest.body);
  REQUIRE(addedTest.status == 200);
  CHECK(Json::parse(addedTest.body)["accepted"] == true);
  CHECK(addedTest.body.find("SECRET") == std::string::npos);
  CHECK(serve.api("GET", "/api/preflight").status == 405);
  CHECK(serve.api("POST", "/api/preflight", nullptr, "moderator").status == 403);
  CHECK(serve.api("POST", "/api/preflight", nullptr, "").status == 403);  // no token: a viewer
  CHECK(httpCall(serve.port(), {"POST", "/api/preflight", "", {{"Authorization", "Bearer inconnu"}}}, 10s).status ==
        401);

  // During a meeting: the hub's observations, no test publish beside the live.
  auto added =
      serve.api("POST", "/api/schedule", {{"revision", serve.schedule()["revision"]}, {"agenda", agendaToday()}});
  REQUIRE(added.status == 200);
  const auto id = Json::parse(added.body)["id"].get<std::string>();
  REQUIRE(serve.api("POST", "/api/schedule/" + id + "/start").status == 200);
  REQUIRE(waitUntil([&] { return serve.api("GET", "/api/snapshot").status == 200; }, 30s));
  auto during = measure(serve, "/api/preflight");
  INFO(during.body);
  REQUIRE(during.status == 200);
  const auto live = Json::parse(during.body);
  CHECK(lineOf(live, "uplink")["text"] == "Mesure du débit impossible pendant une diffusion.");
  // Skipped, not probed: the hub's own publish is on (a second with the same key would disturb it).
  CHECK(lineOf(live, "destination:mairie")["text"] == "mairie non vérifiée pendant une diffusion.");
  CHECK(lineOf(live, "source")["level"] != "red");  // the test pattern is up; its motion is not known here
  auto testDuring = serve.api("POST", "/api/destinations/mairie/test");
  CHECK(testDuring.status == 409);
  CHECK(serve.api("POST", "/api/schedule/stop").status == 200);
}
