// The console's settings (issue 23): the real `tribune serve`, /api/settings with the
// technician's token, the secrets file and DATA/settings.json on disk, a restart of the
// service, and the bad input a console may send, each refused in French with nothing saved.
// How a patch is merged and keys are kept is core/settings's tests; the page is the
// browser test's.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <string>

#include "running_serve.h"

using namespace tribune::testing;

namespace {

constexpr const char* kKey = "live-key-7Hq2-ZZ91-settings";

HttpReply upload(const RunningServe& tribune, const std::string& target, const std::string& bytes) {
  HttpCall call{"POST", target, bytes, {{"Content-Type", "application/octet-stream"}}};
  call.headers.emplace_back("Authorization", "Bearer " + tribune.token("technician"));
  return httpCall(tribune.port(), call, 60s);
}

Json settings(const RunningServe& tribune) {
  const auto reply = tribune.api("GET", "/api/settings");
  REQUIRE(reply.status == 200);
  return Json::parse(reply.body);
}

const char* kLogo =
    R"svg(<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><circle cx="100" cy="100" r="90" fill="#2a6"/></svg>)svg";

}  // namespace

TEST_CASE(
    "settings from the console: validated as tribune check does, keys kept out of every answer, kept "
    "across a restart",
    "[settings][serve]") {
  TempDir data;
  RunningServe tribune(data.path(), Json{{"branding", {{"commune", "Vireux-Molhain"}}}});
  auto now = settings(tribune);
  CHECK(now["revision"] == 0);
  CHECK(now["values"]["branding"]["commune"] == "Vireux-Molhain");
  CHECK(now["values"]["video"]["profile"] == "720p30");
  CHECK(now["values"]["destinations"].empty());

  // A wrong colour: the check's problem at its path, nothing written.
  auto wrong = tribune.api("POST", "/api/settings",
                           Json{{"revision", 0}, {"patch", {{"branding", {{"primary_color", "bleu"}}}}}});
  CHECK(wrong.status == 422);
  const auto problems = Json::parse(wrong.body)["problems"];
  REQUIRE(problems.size() == 1);
  CHECK(problems[0]["path"] == "branding.primary_color");
  CHECK_FALSE(std::filesystem::exists(data.path() / "settings.json"));

  // Another role, an unknown section, a body that is not JSON.
  CHECK(tribune.api("GET", "/api/settings", nullptr, "moderator").status == 403);
  CHECK(tribune.api("POST", "/api/settings", Json{{"revision", 0}, {"patch", {{"data_dir", "/"}}}}).status == 400);
  CHECK(tribune.api("POST", "/api/settings", std::string("{not json")).status == 400);

  // A destination with its key, and a colour.
  const Json destinations =
      Json::array({{{"name", "youtube"}, {"platform", "youtube"}, {"url", ""}, {"enabled", false}, {"key", kKey}}});
  auto saved = tribune.api(
      "POST", "/api/settings",
      Json{{"revision", 0}, {"patch", {{"branding", {{"primary_color", "#112233"}}}, {"destinations", destinations}}}});
  REQUIRE(saved.status == 200);
  CHECK(Json::parse(saved.body)["revision"] == 1);
  CHECK(Json::parse(saved.body)["applies"] == "now");
  now = settings(tribune);
  CHECK(now["values"]["branding"]["primary_color"] == "#112233");
  CHECK(now["values"]["destinations"][0]["key"] == "****");
  CHECK(saved.body.find(kKey) == std::string::npos);
  CHECK(now.dump().find(kKey) == std::string::npos);
  CHECK(readTextFile(data.path() / "settings.json").find(kKey) == std::string::npos);
  const auto secrets = data.path() / "secrets.json";
  CHECK(Json::parse(readTextFile(secrets))["destination-youtube"] == kKey);
  struct stat info {};
  REQUIRE(::stat(secrets.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  // Two consoles saving from the same revision: the second is told, nothing overwritten.
  const Json first{{"revision", 1}, {"patch", {{"branding", {{"font", "DejaVu Sans"}}}}}};
  const Json second{{"revision", 1}, {"patch", {{"branding", {{"font", "Liberation Serif"}}}}}};
  CHECK(tribune.api("POST", "/api/settings", first).status == 200);
  const auto conflict = tribune.api("POST", "/api/settings", second);
  CHECK(conflict.status == 409);
  CHECK(Json::parse(conflict.body)["error"].get<std::string>().find("autre console") != std::string::npos);
  CHECK(settings(tribune)["values"]["branding"]["font"] == "DejaVu Sans");

  // A dry run validates only.
  auto dry = tribune.api("POST", "/api/settings",
                         Json{{"revision", 2}, {"patch", {{"video", {{"bitrate_kbps", 2500}}}}}, {"dry_run", true}});
  CHECK(dry.status == 200);
  CHECK(settings(tribune)["revision"] == 2);

  // The web port is saved but needs a restart, which applies it.
  const int newPort = freeLoopbackPort();
  auto web = tribune.api("POST", "/api/settings", Json{{"revision", 2}, {"patch", {{"web", {{"port", newPort}}}}}});
  REQUIRE(web.status == 200);
  CHECK(Json::parse(web.body)["restart_needed"] == Json::array({"web"}));

  // The key is in no log line, and `tribune check` reads the same settings.
  tribune.stop();
  CHECK(tribune.log().find(kKey) == std::string::npos);
  CHECK(readTextFile(data.path() / "out.txt").find(kKey) == std::string::npos);

  // Restarted on the new port (the test's client follows it), everything kept.
  tribune.restart(newPort);
  now = settings(tribune);
  CHECK(now["revision"] == 3);
  CHECK(now["restart_needed"].empty());
  CHECK(now["values"]["web"]["port"] == newPort);
  CHECK(now["values"]["branding"]["font"] == "DejaVu Sans");
  CHECK(now["values"]["destinations"][0]["name"] == "youtube");
  CHECK(now["values"]["destinations"][0]["key"] == "****");

  // Kept without typing it again, and removed with its destination.
  auto kept = tribune.api("POST", "/api/settings",
                          Json{{"revision", 3},
                               {"patch",
                                {{"destinations", Json::array({{{"name", "yt"},
                                                                {"previous_name", "youtube"},
                                                                {"platform", "youtube"},
                                                                {"enabled", false},
                                                                {"key", "****"}}})}}}});
  REQUIRE(kept.status == 200);
  CHECK(settings(tribune)["values"]["destinations"][0]["name"] == "yt");
  CHECK(settings(tribune)["values"]["destinations"][0]["key"] == "****");
}

TEST_CASE("the logo: an image is kept and drawn in the preview, anything else is refused in French",
          "[settings][serve]") {
  TempDir data;
  RunningServe tribune(data.path(), Json::object());
  const auto refusal = [&](const std::string& bytes) {
    const auto reply = upload(tribune, "/api/settings/logo?name=logo.svg", bytes);
    CHECK(reply.status == 422);
    return Json::parse(reply.body)["error"].get<std::string>();
  };
  CHECK(refusal("Bonjour, ceci est un texte.").find("n'est pas une image") != std::string::npos);
  CHECK(refusal("\x89PNG\r\n\x1a\n-broken-").find("illisible") != std::string::npos);
  CHECK(refusal(R"svg(<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>)svg").find("script") !=
        std::string::npos);
  CHECK(refusal(R"svg(<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>)svg").find("onload") !=
        std::string::npos);
  CHECK(refusal("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect").find("illisible") != std::string::npos);
  CHECK(upload(tribune, "/api/settings/logo?name=big.svg", std::string(50u << 20, ' ')).status == 413);
  CHECK_FALSE(std::filesystem::exists(data.path() / "branding" / "logo-1.svg"));

  // The preview without a logo, then with one, then with a colour the check refuses.
  const auto preview = [&](const Json& branding) {
    return tribune.api("POST", "/api/settings/preview", Json{{"branding", branding}});
  };
  const auto plain = preview(Json::object());
  REQUIRE(plain.status == 200);
  CHECK(plain.body.rfind("\x89PNG", 0) == 0);
  const auto red = preview(Json{{"primary_color", "#cc0000"}});
  REQUIRE(red.status == 200);
  CHECK(red.body != plain.body);
  const auto badColour = preview(Json{{"primary_color", "rouge"}});
  CHECK(badColour.status == 422);
  CHECK(Json::parse(badColour.body)["problems"][0]["path"] == "branding.primary_color");

  const auto uploaded = upload(tribune, "/api/settings/logo?name=logo.svg", kLogo);
  REQUIRE(uploaded.status == 200);
  const auto logo = Json::parse(uploaded.body)["logo"].get<std::string>();
  CHECK(std::filesystem::exists(logo));
  const auto withLogo = preview(Json{{"logo", logo}});
  REQUIRE(withLogo.status == 200);
  CHECK(withLogo.body != plain.body);

  // A path the upload did not give is refused: no file of the machine through the renderer.
  auto elsewhere = tribune.api("POST", "/api/settings",
                               Json{{"revision", 0}, {"patch", {{"branding", {{"logo", "/etc/hostname"}}}}}});
  CHECK(elsewhere.status == 422);
  CHECK(Json::parse(elsewhere.body)["problems"][0]["path"] == "branding.logo");
  auto saved = tribune.api("POST", "/api/settings", Json{{"revision", 0}, {"patch", {{"branding", {{"logo", logo}}}}}});
  REQUIRE(saved.status == 200);
  CHECK(settings(tribune)["values"]["branding"]["logo"] == "logo-1.svg");
}
