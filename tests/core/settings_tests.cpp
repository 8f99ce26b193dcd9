#include <catch2/catch.hpp>

#include <string>

#include "core/logo_check.h"
#include "core/settings.h"

using namespace tribune::core;

namespace {

using J = SettingsJson;

SettingsEditRequest request(std::uint64_t revision, J patch) { return {revision, std::move(patch), false}; }

// parseConfig over the effective document, with the secrets the edit is about to write.
ConfigResult validated(const J& base, const SettingsEdit& edit) {
  SecretLookup lookup;
  lookup.environment = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  lookup.secretsFile = [&edit](const std::string& name) -> std::optional<std::string> {
    if (auto it = edit.secrets.find(name); it != edit.secrets.end()) return it->second;
    if (name == "file-key") return "FROM-FILE";
    return std::nullopt;
  };
  return parseConfig(effectiveDocument(base, edit.next.patch), lookup);
}

}  // namespace

TEST_CASE("a console edit is a merge patch over the file: other keys of a section keep the file's value",
          "[settings]") {
  const J base =
      J::parse(R"({"branding": {"commune": "Vireux", "font": "DejaVu Sans"}, "video": {"profile": "720p30"}})");
  auto edit = prepareSettingsEdit({}, base, request(0, J{{"branding", {{"primary_color", "#112233"}}}}), std::nullopt);
  REQUIRE_FALSE(edit.conflict);
  REQUIRE(edit.problems.empty());
  CHECK(edit.next.revision == 1);
  const auto config = validated(base, edit);
  REQUIRE(config.ok());
  CHECK(config.config.branding.primaryColor == "#112233");
  CHECK(config.config.branding.commune == "Vireux");
  CHECK(config.config.branding.font == "DejaVu Sans");
  CHECK(config.config.video.profile == VideoProfile::P720p30);

  // A second edit of the same section keeps the first one's keys; null gives the file's back.
  auto second = prepareSettingsEdit(
      edit.next, base, request(1, J{{"branding", {{"font", "Open Sans"}, {"commune", nullptr}}}}), std::nullopt);
  const auto after = validated(base, second);
  REQUIRE(after.ok());
  CHECK(after.config.branding.primaryColor == "#112233");
  CHECK(after.config.branding.font == "Open Sans");
  CHECK(after.config.branding.commune == "Vireux");
}

TEST_CASE("an edit naming an old revision is a conflict and changes nothing", "[settings]") {
  SettingsFile current{3, J{{"branding", {{"font", "Open Sans"}}}}};
  const auto edit =
      prepareSettingsEdit(current, J::object(), request(2, J{{"branding", {{"font", "X"}}}}), std::nullopt);
  CHECK(edit.conflict);
  CHECK(edit.secrets.empty());
}

TEST_CASE("a key typed in the console goes to the secrets file, never into the settings", "[settings]") {
  const J base = J::object();
  const J destinations = J::parse(R"([{"name": "yt", "platform": "youtube", "url": "", "key": "abcd-1234-efgh"}])");
  auto edit = prepareSettingsEdit({}, base, request(0, J{{"destinations", destinations}}),
                                  std::string("/var/lib/tribune/secrets.json"));
  REQUIRE(edit.problems.empty());
  REQUIRE(edit.secrets.size() == 1);
  CHECK(edit.secrets.at(consoleSecretName("yt")) == "abcd-1234-efgh");
  CHECK(edit.next.patch.dump().find("abcd-1234-efgh") == std::string::npos);
  CHECK(edit.next.patch["secrets_file"] == "/var/lib/tribune/secrets.json");
  CHECK_FALSE(edit.next.patch["destinations"][0].contains("url"));  // "" = the platform's ingest
  const auto config = validated(base, edit);
  REQUIRE(config.ok());
  CHECK(config.config.destinations.at(0).url.key.reveal() == "abcd-1234-efgh");

  // What the console is shown: "****", and the address without the key.
  const auto values = settingsValues(config.config, effectiveDocument(base, edit.next.patch));
  CHECK(values["destinations"][0]["key"] == "****");
  CHECK(values.dump().find("abcd-1234-efgh") == std::string::npos);
}

TEST_CASE("the kept-key mark keeps a destination's key, by its previous name when renamed", "[settings]") {
  const J base = J::parse(R"({"secrets_file": "s.json", "destinations": [
      {"name": "fb", "platform": "facebook", "key_secret": "file-key"},
      {"name": "own", "url": "rtmp://127.0.0.1/live/INLINE-KEY"}]})");
  const J destinations = J::parse(R"([
      {"name": "facebook", "previous_name": "fb", "platform": "facebook", "key": "****"},
      {"name": "own", "url": "rtmp://127.0.0.1:1935/live", "key": "****"}])");
  auto edit = prepareSettingsEdit({}, base, request(0, J{{"destinations", destinations}}), std::nullopt);
  REQUIRE(edit.problems.empty());
  const auto& list = edit.next.patch["destinations"];
  CHECK(list[0]["key_secret"] == "file-key");
  // The key that was at the end of the file's URL moves to the secrets file.
  CHECK(list[1]["key_secret"] == consoleSecretName("own"));
  CHECK(edit.secrets.at(consoleSecretName("own")) == "INLINE-KEY");
  CHECK_FALSE(edit.next.patch.contains("secrets_file"));  // the file names its own
  const auto config = validated(base, edit);
  REQUIRE(config.ok());
  CHECK(config.config.destinations[0].url.key.reveal() == "FROM-FILE");
  CHECK(config.config.destinations[1].url.full() == "rtmp://127.0.0.1:1935/live/INLINE-KEY");
}

TEST_CASE("the kept-key mark for a destination that never had a key asks for it at its key field", "[settings]") {
  const J destinations = J::parse(R"([{"name": "new", "platform": "youtube", "key": "****"}])");
  const auto edit = prepareSettingsEdit({}, J::object(), request(0, J{{"destinations", destinations}}), std::nullopt);
  REQUIRE(edit.problems.size() == 1);
  CHECK(edit.problems[0].path == "destinations[0].key");
}

TEST_CASE("a console-made key's problem is shown at the destination's key field", "[settings]") {
  const auto problems = consoleProblems({{"destinations[2].key_secret", "x"}, {"branding.font", "y"}});
  CHECK(problems[0].path == "destinations[2].key");
  CHECK(problems[1].path == "branding.font");
}

TEST_CASE("a settings request names its revision and only the console's sections", "[settings]") {
  CHECK_FALSE(parseSettingsRequest(J::parse(R"({"patch": {}})")).request);
  CHECK_FALSE(parseSettingsRequest(J::parse(R"({"revision": -1, "patch": {}})")).request);
  const auto outside = parseSettingsRequest(J::parse(R"({"revision": 0, "patch": {"data_dir": "/tmp"}})"));
  REQUIRE_FALSE(outside.request);
  CHECK(outside.error.find("data_dir") != std::string::npos);
  CHECK_FALSE(parseSettingsRequest(J::parse(R"({"revision": 0, "patch": {}, "dry_run": "yes"})")).request);
  CHECK_FALSE(parseSettingsRequest(J::parse(R"({"revision": 0, "patch": {}, "extra": 1})")).request);
  const auto ok = parseSettingsRequest(J::parse(R"({"revision": 4, "patch": {"video": {}}, "dry_run": true})"));
  REQUIRE(ok.request);
  CHECK(ok.request->revision == 4);
  CHECK(ok.request->dryRun);
}

TEST_CASE("the settings file round-trips, and a damaged one says what is wrong", "[settings]") {
  const SettingsFile file{7, J{{"web", {{"port", 8081}}}}};
  const auto back = settingsFromJson(settingsToJson(file));
  REQUIRE(back.settings);
  CHECK(back.settings->revision == 7);
  CHECK(back.settings->patch == file.patch);
  CHECK_FALSE(settingsFromJson(J::parse(R"({"revision": 1})")).settings);
  CHECK_FALSE(settingsFromJson(J::parse("[1]")).settings);
}

TEST_CASE("only the web server's address or port needs a restart", "[settings]") {
  Config running;
  Config saved = running;
  saved.branding.font = "Other";
  CHECK(sectionsNeedingRestart(saved, running).empty());
  saved.web.port = 9090;
  CHECK(sectionsNeedingRestart(saved, running) == std::vector<std::string>{"web"});
}

TEST_CASE("a logo is recognised as PNG or SVG by its first bytes", "[settings][logo]") {
  CHECK(logoKind(std::string("\x89PNG\r\n\x1a\n....", 12)) == LogoKind::Png);
  CHECK(logoKind("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>") == LogoKind::Svg);
  CHECK_FALSE(logoKind("GIF89a...."));
  CHECK_FALSE(logoKind("<html><body>not a logo</body></html>"));
  CHECK_FALSE(logoKind(""));
}

TEST_CASE("an SVG logo with script, handlers, outside references or entities is refused", "[settings][logo]") {
  const std::string clean =
      R"svg(<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">)svg"
      R"svg(<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="10" height="10"/>)svg"
      R"svg(<use xlink:href="#g"/><image href="data:image/png;base64,AAAA"/><text>Mairie d'Onzain</text></svg>)svg";
  CHECK_FALSE(svgRefusal(clean));
  const char* refused[] = {
      R"svg(<svg><script>alert(1)</script></svg>)svg",
      R"svg(<svg><SVG:Script>alert(1)</SVG:Script></svg>)svg",
      R"svg(<svg onload="alert(1)"/>)svg",
      R"svg(<svg><rect ONCLICK = 'x()'/></svg>)svg",
      R"svg(<svg><a href="javascript:alert(1)"><rect/></a></svg>)svg",
      R"svg(<svg><image xlink:href="http://example.org/x.png"/></svg>)svg",
      R"svg(<svg><use href="file:///etc/passwd#x"/></svg>)svg",
      R"svg(<svg><foreignObject><div>x</div></foreignObject></svg>)svg",
      R"svg(<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>)svg",
      R"svg(<svg><style>@import url(http://example.org/x.css);</style></svg>)svg",
  };
  for (const char* svg : refused) {
    INFO(svg);
    const auto refusal = svgRefusal(svg);
    REQUIRE(refusal);
    CHECK(refusal->rfind("Ce SVG", 0) == 0);
  }
}
