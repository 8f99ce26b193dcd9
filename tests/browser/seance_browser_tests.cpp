// The public meeting page (web/seance/, issue 22) in a real Chromium against a real
// `tribune run`, and the question page's acknowledgement through a public edge. The browser
// part is tests/browser/seance_test.mjs: the technician acts over REST and the page follows
// (state, item, vote, huis clos), the agenda's markup stays text, nothing from another
// origin loads before the citizen clicks a live's player, and the edge's messages
// (question_logged, edge_status) are played into the real server's websocket by the page's
// test harness. This side writes the hostile agenda, starts the peers, and approves the
// YouTube code on tests/support's fake platform server (the only fake: the real API cannot be
// reached from a test) so that a real live with a public address reaches the page.
#include <catch2/catch.hpp>

#include "browser_support.h"
#include "support/fake_platforms.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune::testing;
using namespace tribune::testing::browser;
using namespace std::chrono_literals;

namespace {

// An agenda whose texts are markup and script addresses: the page must show them as text.
// Twenty councillors, so that the votes' counts are plausible.
nlohmann::json hostileAgenda() {
  nlohmann::json councillors = nlohmann::json::array();
  for (int i = 1; i <= 20; ++i) {
    const auto id = std::string(i < 10 ? "cm-0" : "cm-") + std::to_string(i);
    councillors.push_back({{"id", id}, {"name", "Conseiller " + std::to_string(i)}, {"role", ""}, {"group", "Agir"}});
  }
  return {{"meeting",
           {{"commune", "<img src=x onerror=window.__pwned=1>Saint-Martin"},
            {"title", "\"><script>window.__pwned=2</script>Conseil municipal"},
            {"date", "2026-12-03"},
            {"time", "19:00"},
            {"place", "Salle du conseil"}}},
          {"items",
           {{{"number", "1"}, {"title", "Budget primitif 2027"}, {"rapporteur", "Mme Claire Martin, adjointe"}},
            {{"number", "2"},
             {"title", "<img src=x onerror=window.__pwned=3> Travaux de voirie"},
             {"rapporteur", "\"><script>window.__pwned=4</script>"}},
            {{"number", "3"},
             {"title", "javascript:window.__pwned=5"},
             {"rapporteur", "<a href=\"javascript:window.__pwned=6\">M. Lien</a>"}},
            {{"number", "4"},
             {"title", "Rapport annuel sur l'eau"},
             {"rapporteur", "M. Bernard Lefèvre, maire"},
             {"kind", "information"}}}},
          {"councillors", councillors}};
}

}  // namespace

TEST_CASE(
    "the public meeting page in Chromium: state, item and votes as the technician acts, nothing at huis clos, no "
    "third party before a click, the agenda's markup inert and the question page's two-step acknowledgement",
    "[browser][seance]") {
  requireBrowserPeers();

  NginxRtmp nginx;  // the live's ingest, so that no stream goes anywhere else
  nginx.start();
  FakePlatformsOptions options;
  options.ingestRtmpBase = nginx.rtmpApplicationUrl();
  options.deviceInterval = 1s;
  FakePlatforms fake(options);

  TempDir dir("tribune-seance-browser");
  const auto data = dir / "data";
  writeTextFile(dir / "agenda.json", hostileAgenda().dump(2));
  const std::uint16_t port = freeLoopbackPort();
  const auto config = runConfig(dir / "agenda.json", port, fakeYoutube(options, fake));
  writeTextFile(dir / "tribune.json", config.dump(2));
  RunningTribune tribune;
  tribune.log = dir / "tribune.log";
  startTribune(tribune, dir / "tribune.json", data, port);

  // The technician's phone: the page's test links the YouTube account over REST; the code
  // it waits on is approved here.
  bool approved = false;
  const auto node = runNode("seance_test.mjs",
                            {"--base", "http://127.0.0.1:" + std::to_string(port), "--technician",
                             tokenOf(data, "technician"), "--out", screenshotsDir().string()},
                            150s, [&](Process&) {
                              if (!approved && fake.pendingUserCode(Platform::youtube)) {
                                fake.approve(Platform::youtube);
                                approved = true;
                              }
                            });
  INFO(describe(node, tribune));
  CHECK(approved);
  REQUIRE(node.status);
  CHECK(*node.status == 0);
  stopTribune(tribune);
}
