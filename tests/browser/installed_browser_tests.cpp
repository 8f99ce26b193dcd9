// Issue 23 end to end, on the installed layout: the Debian package that scripts/test built
// (scripts/package) extracted into a scratch root, its /usr/bin/tribune serving its own
// /usr/share/tribune, started as its unit starts it (`serve --config … --data-dir …`), and a
// technician in a real Chromium (tests/browser/installed_test.mjs): a destination set on
// the settings page with its key (found afterwards nowhere in the pages, their websocket
// traffic or the logs), a meeting created from a PDF convocation the test writes itself,
// corrected on the review screen, its roster edited, planned a minute ahead; it starts by
// itself and publishes to a real nginx-rtmp behind the "début imminent" slate, is opened,
// closed and ended, and the machine is back in standby.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <ctime>

#include "browser_support.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/pdf_writer.h"

using namespace tribune::testing;
using namespace tribune::testing::browser;
using namespace std::chrono_literals;

namespace {

constexpr const char* kStreamKey = "mairie-e2e-Kx81-q7Zt";

// The package scripts/test made from this build; refused when older than the binary, so
// that the test never judges a package of other code.
std::filesystem::path builtPackage() {
  std::optional<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(kSourceDir)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("tribune_", 0) == 0 && name.size() > 10 && name.substr(name.size() - 10) == "_amd64.deb") {
      found = entry.path();
    }
  }
  if (!found) FAIL("no tribune_*_amd64.deb in " << kSourceDir << ": run scripts/package --build-dir build/test");
  if (std::filesystem::last_write_time(*found) < std::filesystem::last_write_time(kTribune)) {
    FAIL(*found << " is older than " << kTribune << ": run scripts/package --build-dir build/test");
  }
  return *found;
}

// The mayor's convocation: a numbered agenda with a "6 bis", a question diverse, and a
// title the technician corrects on the review screen ("Budjet").
std::string convocation() {
  return writePdf({{{60, "MAIRIE DE VIREUX-MOLHAIN"},
                    {380, "Le 30 novembre 2026"},
                    {},
                    {60, "Mesdames, Messieurs les conseillers municipaux,"},
                    {60, "J'ai l'honneur de vous convier à la séance du conseil municipal,"},
                    {60, "salle du conseil, avec l'ordre du jour suivant :"},
                    {},
                    {60, "1. Approbation du procès-verbal de la séance précédente"},
                    {60, "2. Budjet primitif 2027"},
                    {60, "6 bis. Subvention au comité des fêtes"},
                    {60, "7. Questions diverses : éclairage du stade"},
                    {},
                    {60, "Le maire, Bernard Lefèvre"}}});
}

}  // namespace

TEST_CASE(
    "the installed package in Chromium: a key set in the settings and found nowhere else, a meeting from a PDF "
    "convocation reviewed and its roster edited, started by itself a minute later at nginx-rtmp behind the "
    "starting slate, opened, closed, back to standby",
    "[browser][serve][package][rtmp]") {
  requireBrowserPeers();
  const auto deb = builtPackage();

  TempDir dir("tribune-installed-browser");
  const auto root = dir / "root";
  REQUIRE(runCommand({"dpkg-deb", "-x", deb.string(), root.string()}, 60s).exit_code == 0);
  const auto data = dir / "data";
  std::filesystem::create_directories(data);
  const auto pdf = dir / "convocation.pdf";
  writeTextFile(pdf, convocation());

  NginxRtmp server;
  server.start();

  // The packaged configuration, with the scratch root's folders for /var/lib/tribune and a
  // light profile for the test machine.
  auto config = nlohmann::json::parse(readTextFile(root / "etc" / "tribune" / "tribune.json"));
  const std::uint16_t port = freeLoopbackPort();
  config["data_dir"] = data.string();
  config["secrets_file"] = (data / "secrets.json").string();
  config["web"]["port"] = port;
  config["video"] = {{"profile", "720p30"}, {"preset", "ultrafast"}, {"bitrate_kbps", 1500}};
  config["session"] = {{"start_lead_minutes", 0}};
  // What the package's postinst creates: an empty secrets file only the service reads.
  writeTextFile(data / "secrets.json", "{}\n");
  std::filesystem::permissions(data / "secrets.json",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto configFile = dir / "tribune.json";
  writeTextFile(configFile, config.dump(2));

  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  ProcessOptions options;
  options.out = Redirect::appendTo(tribune.log);
  options.err = Redirect::appendTo(tribune.log);
  // Nothing points the installed binary at the source tree.
  tribune.process.emplace(std::vector<std::string>{"env", "-u", "TRIBUNE_SHARE_DIR", "-u", "TRIBUNE_DATA_DIR",
                                                   (root / "usr" / "bin" / "tribune").string(), "serve", "--config",
                                                   configFile.string(), "--data-dir", data.string()},
                          std::move(options));
  const bool up = waitUntil([&] { return loopbackPortAccepts(port) || !tribune.process->running(); }, 20s);
  INFO(readTextFile(tribune.log));
  REQUIRE(up);
  REQUIRE(tribune.process->running());

  const auto node = runNode(
      "installed_test.mjs",
      {"--base", "http://127.0.0.1:" + std::to_string(port), "--technician", tokenOf(data, "technician"), "--pdf",
       pdf.string(), "--server", server.rtmpApplicationUrl(), "--key", kStreamKey, "--out", screenshotsDir().string()},
      420s);
  requireNodeSucceeded(node, tribune);

  // The program reached nginx under the key typed in the settings (judged by ffprobe).
  // (The settings page's "Tester" left an empty recording of its own: the largest is the meeting's.)
  auto recordings = server.recordings(kStreamKey);
  REQUIRE_FALSE(recordings.empty());
  std::sort(recordings.begin(), recordings.end(),
            [](const auto& a, const auto& b) { return std::filesystem::file_size(a) > std::filesystem::file_size(b); });
  const auto probe = probeStreams(recordings.front().string());
  CHECK(videoStream(probe)["codec_name"] == "h264");

  // The meeting is over and exported; the key is only in the secrets file (0600).
  const auto schedule = nlohmann::json::parse(readTextFile(data / "schedule.json"));
  INFO(schedule.dump(2));
  REQUIRE(schedule["meetings"].size() == 1);
  CHECK(schedule["meetings"][0]["state"] == "done");
  // The correction of the review screen was saved with the agenda.
  const auto& items = schedule["meetings"][0]["agenda"]["items"];
  REQUIRE(items.size() == 4);
  CHECK(items[1]["title"] == "Budget primitif 2027");
  CHECK(items[1]["rapporteur"] == "Mme Claire Martin");
  CHECK(items[2]["number"] == "6 bis");
  CHECK(items[3]["kind"] == "question_diverse");
  const auto& councillors = schedule["meetings"][0]["agenda"]["councillors"];
  REQUIRE(councillors.size() == 1);
  CHECK(councillors[0]["name"] == "Mme Claire Martin");
  CHECK(councillors[0]["group"] == "Majorité");
  CHECK(readTextFile(data / "secrets.json").find(kStreamKey) != std::string::npos);
  struct stat info {};
  REQUIRE(::stat((data / "secrets.json").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(readTextFile(data / "settings.json").find(kStreamKey) == std::string::npos);
  CHECK(readTextFile(tribune.log).find(kStreamKey) == std::string::npos);
  CHECK(node.output.find(kStreamKey) == std::string::npos);

  tribune.process->signal(SIGTERM);
  const auto status = tribune.process->waitFor(30s);
  INFO(readTextFile(tribune.log));
  REQUIRE(status);
  CHECK(*status == 0);
}
