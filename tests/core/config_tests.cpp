#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config_test_helpers.h"
#include "core/config.h"
#include "core/source_spec.h"

using namespace tribune::core;
using namespace tribune::core::testing;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> pathsOf(const std::vector<ConfigProblem>& problems) {
  std::vector<std::string> paths;
  paths.reserve(problems.size());
  for (const auto& problem : problems) paths.push_back(problem.path);
  return paths;
}

// One destination with the given members, inside an otherwise valid document.
std::string withDestination(const std::string& members) { return R"({"destinations": [)" + members + "]}"; }

}  // namespace

// ---------------------------------------------------------------------------------------
// Defaults and values

TEST_CASE("an empty document is a valid configuration with every default", "[config]") {
  const auto result = parse("{}");
  REQUIRE(result.ok());
  const auto& config = result.config;
  CHECK(config.source == "test");
  CHECK_FALSE(config.pipelinesDir);
  CHECK_FALSE(config.agenda);
  CHECK_FALSE(config.dataDir);
  CHECK_FALSE(config.secretsFile);
  CHECK(config.logLevel == "info");
  CHECK(config.video.profile == VideoProfile::P1080p30);
  CHECK(config.video.bitrateKbps == 4500);
  CHECK(config.video.x264Preset == "veryfast");
  CHECK(config.video.keyframeIntervalSeconds == 2);
  CHECK(config.audio.bitrateKbps == 128);
  CHECK(config.recording.enabled);
  CHECK(config.recording.directory == "recordings");
  CHECK(config.retry.initialDelay == 500ms);
  CHECK(config.retry.maxDelay == 1500ms);
  CHECK(config.retry.maxKeyRefusals == 3);
  CHECK(config.retry.connectTimeout == 10000ms);
  CHECK(config.retry.stallTimeout == 5000ms);
  CHECK(config.branding.commune == "Ville de Démo");
  CHECK_FALSE(config.branding.logo);
  CHECK(config.branding.primaryColor == "#1f3a93");
  CHECK(config.branding.accentColor == "#e4002b");
  CHECK(config.branding.textColor == "#ffffff");
  CHECK(config.branding.font == "Open Sans");
  CHECK_FALSE(config.graphics.templatesDir);
  CHECK(config.graphics.fadeMs == 300);
  CHECK_FALSE(config.graphics.questionUrl);
  CHECK(config.graphics.showClock);
  CHECK(config.graphics.showAgendaOnStart);
  CHECK(config.destinations.empty());
}

TEST_CASE("every setting is read from the document", "[config]") {
  const auto result = parse(R"({
    "source": "v4l2:/dev/video2",
    "pipelines_dir": "p", "agenda": "a.json", "data_dir": "d", "secrets_file": "s.json",
    "log": {"level": "debug"},
    "video": {"profile": "720p30", "bitrate_kbps": 2500, "preset": "faster", "keyframe_interval_s": 1},
    "audio": {"bitrate_kbps": 160},
    "recording": {"enabled": false, "directory": "/srv/rec"},
    "retry": {"initial_delay_ms": 250, "max_delay_ms": 8000, "max_key_refusals": 5,
              "connect_timeout_ms": 3000, "stall_timeout_ms": 4000},
    "branding": {"commune": "Saint-Étienne-du-Rouvray", "logo": "logo.svg", "primary_color": "#003366",
                 "accent_color": "#FFCC00", "text_color": "#000000", "font": "Marianne"},
    "graphics": {"templates_dir": "mes-modeles", "fade_ms": 0, "question_url": "http://mairie.local/q",
                 "show_clock": false, "show_agenda_on_start": false},
    "destinations": [
      {"name": "local", "url": "rtmp://127.0.0.1:1935/live/k1", "enabled": false, "tls_verify": false}
    ]
  })");
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  const auto& config = result.config;
  CHECK(config.source == "v4l2:/dev/video2");
  CHECK(config.pipelinesDir == "p");
  CHECK(config.agenda == "a.json");
  CHECK(config.dataDir == "d");
  CHECK(config.secretsFile == "s.json");
  CHECK(config.logLevel == "debug");
  CHECK(config.video.profile == VideoProfile::P720p30);
  CHECK(config.video.width() == 1280);
  CHECK(config.video.bitrateKbps == 2500);
  CHECK(config.video.x264Preset == "faster");
  CHECK(config.video.keyframeIntervalSeconds == 1);
  CHECK(config.audio.bitrateKbps == 160);
  CHECK_FALSE(config.recording.enabled);
  CHECK(config.recording.directory == "/srv/rec");
  CHECK(config.retry.initialDelay == 250ms);
  CHECK(config.retry.maxDelay == 8000ms);
  CHECK(config.retry.maxKeyRefusals == 5);
  CHECK(config.retry.connectTimeout == 3000ms);
  CHECK(config.retry.stallTimeout == 4000ms);
  CHECK(config.branding.commune == "Saint-Étienne-du-Rouvray");
  CHECK(config.branding.logo == "logo.svg");
  CHECK(config.branding.primaryColor == "#003366");
  CHECK(config.branding.accentColor == "#ffcc00");  // colours are kept in lowercase
  CHECK(config.branding.textColor == "#000000");
  CHECK(config.branding.font == "Marianne");
  CHECK(config.graphics.templatesDir == "mes-modeles");
  CHECK(config.graphics.fadeMs == 0);
  CHECK(config.graphics.questionUrl == "http://mairie.local/q");
  CHECK_FALSE(config.graphics.showClock);
  CHECK_FALSE(config.graphics.showAgendaOnStart);
  REQUIRE(config.destinations.size() == 1);
  const auto& local = config.destinations[0];
  CHECK(local.name == "local");
  CHECK(local.platform.empty());
  CHECK(local.url.full() == "rtmp://127.0.0.1:1935/live/k1");
  CHECK_FALSE(local.enabled);
  CHECK_FALSE(local.tlsVerify);
}

TEST_CASE("the 720p30 profile defaults to 3000 kb/s and an explicit bitrate wins", "[config]") {
  CHECK(parse(R"({"video": {"profile": "720p30"}})").config.video.bitrateKbps == 3000);
  CHECK(parse(R"({"video": {"profile": "1080p30"}})").config.video.bitrateKbps == 4500);
  CHECK(parse(R"({"video": {"bitrate_kbps": 6000, "profile": "720p30"}})").config.video.bitrateKbps == 6000);
}

TEST_CASE("a plain nlohmann::json document is accepted too", "[config]") {
  const auto result = parseConfig(nlohmann::json::parse(R"({"source": "decklink:0"})"), lookupOf());
  REQUIRE(result.ok());
  CHECK(result.config.source == "decklink:0");
}

// ---------------------------------------------------------------------------------------
// Shape and types

TEST_CASE("a document that is not an object is reported at $", "[config]") {
  for (const auto* text : {"[]", "42", "\"tribune\"", "null", "true"}) {
    const auto result = parse(text);
    INFO(text);
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].path == "$");
    CHECK_THAT(result.problems[0].message, Catch::StartsWith("attendu un objet, reçu "));
  }
  CHECK(parse("[]").problems[0].message == "attendu un objet, reçu un tableau");
}

TEST_CASE("a value of the wrong type names the expected type", "[config]") {
  struct Case {
    std::string document;
    std::string path;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"source": 3})", "source", "attendu une chaîne, reçu un nombre entier"},
      {R"({"pipelines_dir": true})", "pipelines_dir", "attendu une chaîne, reçu un booléen"},
      {R"({"agenda": ["a"]})", "agenda", "attendu une chaîne, reçu un tableau"},
      {R"({"data_dir": {}})", "data_dir", "attendu une chaîne, reçu un objet"},
      {R"({"secrets_file": null})", "secrets_file", "attendu une chaîne, reçu null"},
      {R"({"log": "info"})", "log", "attendu un objet, reçu une chaîne"},
      {R"({"log": {"level": 1}})", "log.level", "attendu une chaîne, reçu un nombre entier"},
      {R"({"video": []})", "video", "attendu un objet, reçu un tableau"},
      {R"({"video": {"profile": 1080}})", "video.profile", "attendu une chaîne, reçu un nombre entier"},
      {R"({"video": {"bitrate_kbps": "4500"}})", "video.bitrate_kbps", "attendu un nombre entier, reçu une chaîne"},
      {R"({"video": {"preset": false}})", "video.preset", "attendu une chaîne, reçu un booléen"},
      {R"({"video": {"keyframe_interval_s": 2.5}})", "video.keyframe_interval_s",
       "attendu un nombre entier, reçu un nombre décimal"},
      {R"({"audio": 128})", "audio", "attendu un objet, reçu un nombre entier"},
      {R"({"audio": {"bitrate_kbps": null}})", "audio.bitrate_kbps", "attendu un nombre entier, reçu null"},
      {R"({"recording": true})", "recording", "attendu un objet, reçu un booléen"},
      {R"({"recording": {"enabled": "yes"}})", "recording.enabled",
       "attendu un booléen (true ou false), reçu une chaîne"},
      {R"({"recording": {"directory": 5}})", "recording.directory", "attendu une chaîne, reçu un nombre entier"},
      {R"({"retry": []})", "retry", "attendu un objet, reçu un tableau"},
      {R"({"retry": {"initial_delay_ms": "500"}})", "retry.initial_delay_ms",
       "attendu un nombre entier, reçu une chaîne"},
      {R"({"retry": {"max_delay_ms": 2.0}})", "retry.max_delay_ms", "attendu un nombre entier, reçu un nombre décimal"},
      {R"({"retry": {"max_key_refusals": true}})", "retry.max_key_refusals",
       "attendu un nombre entier, reçu un booléen"},
      {R"({"retry": {"connect_timeout_ms": {}}})", "retry.connect_timeout_ms",
       "attendu un nombre entier, reçu un objet"},
      {R"({"retry": {"stall_timeout_ms": []}})", "retry.stall_timeout_ms", "attendu un nombre entier, reçu un tableau"},
      {R"({"branding": "Ville"})", "branding", "attendu un objet, reçu une chaîne"},
      {R"({"branding": {"commune": 1}})", "branding.commune", "attendu une chaîne, reçu un nombre entier"},
      {R"({"branding": {"logo": true}})", "branding.logo", "attendu une chaîne, reçu un booléen"},
      {R"({"branding": {"primary_color": 1985683}})", "branding.primary_color",
       "attendu une chaîne, reçu un nombre entier"},
      {R"({"branding": {"accent_color": null}})", "branding.accent_color", "attendu une chaîne, reçu null"},
      {R"({"branding": {"text_color": [255, 255, 255]}})", "branding.text_color",
       "attendu une chaîne, reçu un tableau"},
      {R"({"branding": {"font": {}}})", "branding.font", "attendu une chaîne, reçu un objet"},
      {R"({"graphics": []})", "graphics", "attendu un objet, reçu un tableau"},
      {R"({"graphics": {"templates_dir": 3}})", "graphics.templates_dir", "attendu une chaîne, reçu un nombre entier"},
      {R"({"graphics": {"fade_ms": "300"}})", "graphics.fade_ms", "attendu un nombre entier, reçu une chaîne"},
      {R"({"graphics": {"fade_ms": 0.5}})", "graphics.fade_ms", "attendu un nombre entier, reçu un nombre décimal"},
      {R"({"graphics": {"question_url": false}})", "graphics.question_url", "attendu une chaîne, reçu un booléen"},
      {R"({"graphics": {"show_clock": "true"}})", "graphics.show_clock",
       "attendu un booléen (true ou false), reçu une chaîne"},
      {R"({"graphics": {"show_agenda_on_start": 1}})", "graphics.show_agenda_on_start",
       "attendu un booléen (true ou false), reçu un nombre entier"},
      {R"({"destinations": {}})", "destinations", "attendu un tableau, reçu un objet"},
      {R"({"destinations": ["youtube"]})", "destinations[0]", "attendu un objet, reçu une chaîne"},
      {withDestination(R"({"name": 1, "url": "rtmp://h/a/k"})"), "destinations[0].name",
       "attendu une chaîne, reçu un nombre entier"},
      {withDestination(R"({"name": "a", "platform": 1, "key": "k"})"), "destinations[0].platform",
       "attendu une chaîne, reçu un nombre entier"},
      {withDestination(R"({"name": "a", "url": 1})"), "destinations[0].url",
       "attendu une chaîne, reçu un nombre entier"},
      {withDestination(R"({"name": "a", "platform": "youtube", "key": 1})"), "destinations[0].key",
       "attendu une chaîne, reçu un nombre entier"},
      {withDestination(R"({"name": "a", "platform": "youtube", "key_env": 1})"), "destinations[0].key_env",
       "attendu une chaîne, reçu un nombre entier"},
      {withDestination(R"({"name": "a", "platform": "youtube", "key_secret": []})"), "destinations[0].key_secret",
       "attendu une chaîne, reçu un tableau"},
      {withDestination(R"({"name": "a", "url": "rtmp://h/a/k", "enabled": 1})"), "destinations[0].enabled",
       "attendu un booléen (true ou false), reçu un nombre entier"},
      {withDestination(R"({"name": "a", "url": "rtmp://h/a/k", "tls_verify": "no"})"), "destinations[0].tls_verify",
       "attendu un booléen (true ou false), reçu une chaîne"},
  };
  for (const auto& c : cases) requireOnlyProblem(c.document, c.path, c.message);
}

TEST_CASE("an empty string is refused where a value is needed", "[config]") {
  for (const auto* key : {"source", "pipelines_dir", "agenda", "data_dir", "secrets_file"}) {
    requireSingleProblem(std::string(R"({")") + key + R"(": ""})", key, "ne doit pas être vide");
  }
  requireSingleProblem(R"({"recording": {"directory": ""}})", "recording.directory", "ne doit pas être vide");
  for (const auto* key : {"commune", "logo", "primary_color", "accent_color", "text_color", "font"}) {
    requireSingleProblem(std::string(R"({"branding": {")") + key + R"(": ""}})", std::string("branding.") + key,
                         "ne doit pas être vide");
  }
  for (const auto* key : {"templates_dir", "question_url"}) {
    requireSingleProblem(std::string(R"({"graphics": {")") + key + R"(": ""}})", std::string("graphics.") + key,
                         "ne doit pas être vide");
  }
  requireSingleProblem(withDestination(R"({"name": "", "url": "rtmp://h/a/k"})"), "destinations[0].name",
                       "ne doit pas être vide");
  requireSingleProblem(withDestination(R"({"name": "a", "url": ""})"), "destinations[0].url", "ne doit pas être vide");
  requireSingleProblem(withDestination(R"({"name": "a", "platform": "youtube", "key": ""})"), "destinations[0].key",
                       "ne doit pas être vide");
}

// ---------------------------------------------------------------------------------------
// Ranges and choices

TEST_CASE("each number outside its range is refused with the range", "[config]") {
  const std::vector<IntRangeCase> cases = {
      {"video", "bitrate_kbps", 500, 20000},
      {"video", "keyframe_interval_s", 1, 10},
      {"audio", "bitrate_kbps", 64, 320},
      {"retry", "initial_delay_ms", 100, 60000},
      // The max delay must also be above the initial one (1000 by default).
      {"retry", "max_delay_ms", 100, 300000, false},
      {"retry", "max_key_refusals", 1, 100},
      {"retry", "connect_timeout_ms", 1000, 120000},
      {"retry", "stall_timeout_ms", 1000, 120000},
      {"graphics", "fade_ms", 0, 2000},
  };
  for (const auto& c : cases) checkIntRange(c);
}

TEST_CASE("a huge unsigned number is out of range, not wrapped", "[config]") {
  requireSingleProblem(R"({"audio": {"bitrate_kbps": 18446744073709551615}})", "audio.bitrate_kbps",
                       "18446744073709551615 hors limites (de 64 à 320)");
}

TEST_CASE("an unknown profile, x264 preset or log level lists the choices", "[config]") {
  requireSingleProblem(
      R"({"video": {"profile": "1080p60"}})", "video.profile",
      R"(profil inconnu « 1080p60 » (vouliez-vous dire « 1080p30 » ?) ; valeurs possibles : 1080p30, 720p30)");
  requireSingleProblem(
      R"({"video": {"preset": "veryfst"}})", "video.preset",
      R"(préréglage x264 inconnu « veryfst » (vouliez-vous dire « veryfast » ?) ; valeurs possibles : ultrafast, )");
  requireSingleProblem(
      R"({"log": {"level": "verbose"}})", "log.level",
      R"(niveau de journal inconnu « verbose » ; valeurs possibles : trace, debug, info, warn, error)");
}

TEST_CASE("every x264 preset from ultrafast to placebo is accepted", "[config]") {
  for (const auto* preset :
       {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"}) {
    const auto result = parse(std::string(R"({"video": {"preset": ")") + preset + R"("}})");
    REQUIRE(result.ok());
    CHECK(result.config.video.x264Preset == preset);
  }
}

TEST_CASE("the retry ceiling must not be below the first delay", "[config]") {
  requireSingleProblem(R"({"retry": {"initial_delay_ms": 3000, "max_delay_ms": 1000}})", "retry.max_delay_ms",
                       "doit valoir au moins initial_delay_ms (3000)");
  const auto raised = parse(R"({"retry": {"initial_delay_ms": 5000}})");
  REQUIRE(raised.ok());
  CHECK(raised.config.retry.maxDelay == 5000ms);
  CHECK(parse(R"({"retry": {"initial_delay_ms": 1000, "max_delay_ms": 1000}})").ok());
}

// ---------------------------------------------------------------------------------------
// Unknown keys

TEST_CASE("an unknown key is an error at every level, with a suggestion for a typo", "[config]") {
  struct Case {
    std::string document;
    std::string path;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"destinaton": []})", "destinaton", R"(clé inconnue « destinaton » (vouliez-vous dire « destinations » ?))"},
      {R"({"Source": "test"})", "Source", R"(clé inconnue « Source » (vouliez-vous dire « source » ?))"},
      {R"({"log": {"levle": "info"}})", "log.levle", R"(clé inconnue « levle » (vouliez-vous dire « level » ?))"},
      {R"({"video": {"keyframe_interval": 2}})", "video.keyframe_interval",
       R"(clé inconnue « keyframe_interval » (vouliez-vous dire « keyframe_interval_s » ?))"},
      {R"({"audio": {"bitrate_kpbs": 128}})", "audio.bitrate_kpbs",
       R"(clé inconnue « bitrate_kpbs » (vouliez-vous dire « bitrate_kbps » ?))"},
      {R"({"recording": {"enable": true}})", "recording.enable",
       R"(clé inconnue « enable » (vouliez-vous dire « enabled » ?))"},
      {R"({"retry": {"max_delay_s": 2}})", "retry.max_delay_s",
       R"(clé inconnue « max_delay_s » (vouliez-vous dire « max_delay_ms » ?))"},
      {R"({"branding": {"primary_colour": "#000000"}})", "branding.primary_colour",
       R"(clé inconnue « primary_colour » (vouliez-vous dire « primary_color » ?))"},
      {R"({"branding": {"comune": "X"}})", "branding.comune",
       R"(clé inconnue « comune » (vouliez-vous dire « commune » ?))"},
      {R"({"graphics": {"fade_s": 1}})", "graphics.fade_s",
       R"(clé inconnue « fade_s » (vouliez-vous dire « fade_ms » ?))"},
      {R"({"graphics": {"show_clok": true}})", "graphics.show_clok",
       R"(clé inconnue « show_clok » (vouliez-vous dire « show_clock » ?))"},
      {R"({"grafics": {}})", "grafics", R"(clé inconnue « grafics » (vouliez-vous dire « graphics » ?))"},
      {withDestination(R"({"name": "a", "url": "rtmp://h/a/k", "plateform": "x"})"), "destinations[0].plateform",
       R"(clé inconnue « plateform » (vouliez-vous dire « platform » ?))"},
  };
  for (const auto& c : cases) requireOnlyProblem(c.document, c.path, c.message);
}

TEST_CASE("an unknown key far from every known one lists the known keys", "[config]") {
  requireSingleProblem(R"({"audio": {"volume": 3}})", "audio.volume",
                       R"(clé inconnue « volume » ; clés connues : bitrate_kbps, drift_correction, loudness)");
  requireSingleProblem(R"({"colour": "red"})", "colour", "clés connues : source, pipelines_dir, agenda, data_dir");
  requireSingleProblem(
      R"({"branding": {"couleur": "red"}})", "branding.couleur",
      R"(clé inconnue « couleur » ; clés connues : commune, logo, primary_color, accent_color, text_color, font)");
  requireSingleProblem(
      R"({"graphics": {"qr": true}})", "graphics.qr",
      R"(clé inconnue « qr » ; clés connues : templates_dir, fade_ms, question_url, show_clock, show_agenda_on_start)");
}

// ---------------------------------------------------------------------------------------
// Branding and graphics

TEST_CASE("a colour must be #rrggbb", "[config]") {
  for (const auto* key : {"primary_color", "accent_color", "text_color"}) {
    const auto path = std::string("branding.") + key;
    const auto with = [key](const std::string& colour) {
      return std::string(R"({"branding": {")") + key + R"(": ")" + colour + R"("}})";
    };
    INFO(path);
    requireSingleProblem(with("red"), path,
                         R"(attendu une couleur comme « #1f3a93 » (#rrggbb en hexadécimal), reçu « red »)");
    for (const auto* wrong :
         {"#fff", "1f3a93", "#1f3a9", "#1f3a930", "#1f3a9g", "# 1f3a9", "#1f3a93ff", "rgb(0,0,0)"}) {
      INFO(wrong);
      requireSingleProblem(with(wrong), path, R"(attendu une couleur comme « #1f3a93 »)");
    }
    for (const auto* right : {"#000000", "#ffffff", "#1F3A93", "#aBcDeF"}) {
      INFO(right);
      CHECK(parse(with(right)).ok());
    }
  }
}

TEST_CASE("the commune and the font have a length limit in characters, not bytes", "[config]") {
  const auto commune = [](const std::string& name) { return R"({"branding": {"commune": ")" + name + R"("}})"; };
  // 80 accented letters are 160 bytes but 80 characters.
  std::string eighty;
  for (int i = 0; i < 80; ++i) eighty += "é";
  const auto accepted = parse(commune(eighty));
  REQUIRE(accepted.ok());
  CHECK(accepted.config.branding.commune == eighty);
  requireSingleProblem(commune(eighty + "e"), "branding.commune", "au plus 80 caractères (ici 81)");

  const auto font = [](const std::string& name) { return R"({"branding": {"font": ")" + name + R"("}})"; };
  CHECK(parse(font(std::string(64, 'a'))).ok());
  requireSingleProblem(font(std::string(65, 'a')), "branding.font", "au plus 64 caractères (ici 65)");
}

TEST_CASE("a commune or font with a control character is refused", "[config]") {
  requireSingleProblem(R"({"branding": {"commune": "Ville\nde Démo"}})", "branding.commune",
                       "ne doit pas contenir de caractères de contrôle");
  requireSingleProblem(R"({"branding": {"font": "Open\tSans"}})", "branding.font",
                       "ne doit pas contenir de caractères de contrôle");
  requireSingleProblem(R"({"branding": {"commune": "A\u0007B"}})", "branding.commune",
                       "ne doit pas contenir de caractères de contrôle");
}

TEST_CASE("the question URL must be a web address of at most 200 characters", "[config]") {
  const auto with = [](const std::string& url) { return R"({"graphics": {"question_url": ")" + url + R"("}})"; };
  for (const auto* url : {"https://www.ville-demo.fr/questions", "http://192.168.1.20:8080/q", "https://x.fr"}) {
    const auto result = parse(with(url));
    INFO(url);
    REQUIRE(result.ok());
    CHECK(result.config.graphics.questionUrl == url);
  }
  for (const auto* url : {"www.ville-demo.fr/questions", "ftp://ville-demo.fr/q", "rtmp://h/a", "HTTPS://X.FR",
                          " https://www.ville-demo.fr"}) {
    INFO(url);
    requireSingleProblem(with(url), "graphics.question_url", "doit commencer par https:// ou http://");
  }
  requireSingleProblem(with("https://"), "graphics.question_url", "il manque le nom du serveur après https://");
  requireSingleProblem(with("https://www.ville-demo.fr/mes questions"), "graphics.question_url",
                       "ne doit contenir ni espace");
  requireSingleProblem(with("https://www.ville-demo.fr/\\n"), "graphics.question_url",
                       "ne doit contenir ni espace ni caractère de contrôle");

  const std::string prefix = "https://www.ville-demo.fr/";
  CHECK(parse(with(prefix + std::string(200 - prefix.size(), 'q'))).ok());
  requireSingleProblem(with(prefix + std::string(201 - prefix.size(), 'q')), "graphics.question_url",
                       "au plus 200 caractères (ici 201)");
}

TEST_CASE("branding and graphics problems are all reported with their paths", "[config]") {
  const auto result = parse(R"({
    "graphics": {"fade_ms": 5000, "question_url": "ville-demo.fr", "show_clock": "yes"},
    "branding": {"commune": "", "primary_color": "blue", "accent_colour": "#000000"}
  })");
  INFO(describe(result.problems));
  CHECK(pathsOf(result.problems) == std::vector<std::string>{"graphics.fade_ms", "graphics.question_url",
                                                             "graphics.show_clock", "branding.commune",
                                                             "branding.primary_color", "branding.accent_colour"});
}

// ---------------------------------------------------------------------------------------
// Source

TEST_CASE("every source form of --source is accepted", "[config]") {
  for (const auto* source : {"test", "file:/srv/video/conseil.mp4", "file:relative.mkv", "v4l2:/dev/video0",
                             "rtsp://camera.local:554/stream1", "srt://10.0.0.5:9000", "decklink:0", "decklink:12"}) {
    INFO(source);
    const auto result = parse(std::string(R"({"source": ")") + source + R"("})");
    REQUIRE(result.ok());
    CHECK(result.config.source == source);
  }
}

TEST_CASE("a malformed source is refused with the --source parser's message", "[config]") {
  for (const auto* source : {"camera", "test:smpte", "http://cam/stream", "file:", "v4l2:", "v4l2:video0", "rtsp://",
                             "srt://", "decklink:", "decklink:one"}) {
    const auto result = parse(std::string(R"({"source": ")") + source + R"("})");
    INFO(source);
    INFO(describe(result.problems));
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0].path == "source");
    CHECK(result.problems[0].message == parseSourceSpec(source).error.value_or("(accepted)"));
  }
  requireSingleProblem(R"({"source": "decklink:one"})", "source", "decklink:0");
  requireSingleProblem(R"({"source": "webcam"})", "source", "utilisez test, file:CHEMIN, v4l2:/dev/videoN");
}

TEST_CASE("a source error does not repeat a camera password", "[config]") {
  const auto result = parse(R"({"source": "rtps://admin:hunter2@camera/stream"})");
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].message.find("hunter2") == std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Destinations

TEST_CASE("a platform preset with a literal key uses the platform's ingest URL", "[config]") {
  const auto result = parse(withDestination(R"({"name": "yt", "platform": "youtube", "key": "abcd-efgh-ijkl"})"));
  REQUIRE(result.ok());
  const auto& destination = result.config.destinations.at(0);
  CHECK(destination.name == "yt");
  CHECK(destination.platform == "youtube");
  CHECK(destination.url.full() == "rtmps://a.rtmps.youtube.com:443/live2/abcd-efgh-ijkl");
  CHECK(destination.enabled);
  CHECK(destination.tlsVerify);
}

TEST_CASE("a platform's URL can be overridden, e.g. for YouTube's backup server", "[config]") {
  const auto backup = parse(withDestination(
      R"({"name": "yt-backup", "platform": "youtube", "url": "rtmps://b.rtmps.youtube.com/live2", "key": "k1"})"));
  REQUIRE(backup.ok());
  CHECK(backup.config.destinations.at(0).url.full() == "rtmps://b.rtmps.youtube.com:443/live2/k1");
}

TEST_CASE("a separate key is refused when the url carries a query string", "[config]") {
  requireSingleProblem(
      withDestination(
          R"({"name": "yt", "platform": "youtube", "url": "rtmps://b.rtmps.youtube.com/live2?x=1", "key": "k1"})"),
      "destinations[0].url",
      "l'URL a une requête (?…) alors que la clé de stream est donnée à part : la requête fait partie de la clé");
}

TEST_CASE("the key comes from the named environment variable", "[config]") {
  const auto result = parse(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "TRIBUNE_YT_KEY"})"),
                            lookupOf({{"TRIBUNE_YT_KEY", "env-key-123"}}));
  REQUIRE(result.ok());
  CHECK(result.config.destinations.at(0).url.key.reveal() == "env-key-123");
}

TEST_CASE("an unset or empty environment variable is named, and its value never shown", "[config]") {
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "TRIBUNE_YT_KEY"})"),
                       "destinations[0].key_env", "la variable d'environnement TRIBUNE_YT_KEY n'est pas définie");
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "TRIBUNE_YT_KEY"})"),
                       "destinations[0].key_env", "la variable d'environnement TRIBUNE_YT_KEY est vide",
                       lookupOf({{"TRIBUNE_YT_KEY", ""}}));
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "TRIBUNE_YT_KEY"})"),
                       "destinations[0].key_env", "la clé de stream contient une espace",
                       lookupOf({{"TRIBUNE_YT_KEY", "with space"}}));
}

TEST_CASE("key_env must be a variable name, not the key pasted in its place", "[config]") {
  const auto result =
      parse(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "abcd-efgh-ijkl-mnop"})"));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].path == "destinations[0].key_env");
  CHECK_THAT(result.problems[0].message, Catch::StartsWith("doit être le nom d'une variable d'environnement"));
  CHECK(result.problems[0].message.find("abcd-efgh") == std::string::npos);
}

TEST_CASE("the key comes from the named entry of the secrets file", "[config]") {
  const auto result = parse(withDestination(R"({"name": "fb", "platform": "facebook", "key_secret": "facebook"})"),
                            lookupOf({}, {{"facebook", "FB-42-0-Abc?s_bl=1"}}));
  REQUIRE(result.ok());
  CHECK(result.config.destinations.at(0).url.full() == "rtmps://live-api-s.facebook.com:443/rtmp/FB-42-0-Abc?s_bl=1");
}

TEST_CASE("a missing or empty secrets-file entry is refused", "[config]") {
  const auto document = withDestination(R"({"name": "fb", "platform": "facebook", "key_secret": "facebook"})");
  requireSingleProblem(document, "destinations[0].key_secret",
                       R"(pas d'entrée « facebook » dans le fichier de secrets)");
  requireSingleProblem(document, "destinations[0].key_secret",
                       R"(l'entrée « facebook » du fichier de secrets est vide)", lookupOf({}, {{"facebook", ""}}));
  requireSingleProblem(document, "destinations[0].key_secret", "indiquez secrets_file", SecretLookup{});
}

TEST_CASE("two or three key sources are refused", "[config]") {
  const auto secrets = lookupOf({{"YT", "k-env"}}, {{"yt", "k-secret"}});
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube", "key": "k1", "key_env": "YT"})"),
                       "destinations[0]", "donnez un seul de key, key_env et key_secret (trouvés : key et key_env)",
                       secrets);
  requireSingleProblem(
      withDestination(R"({"name": "yt", "platform": "youtube", "key_secret": "yt", "key": "k1", "key_env": "YT"})"),
      "destinations[0]", "(trouvés : key_secret et key et key_env)", secrets);
}

TEST_CASE("a destination without a name is refused", "[config]") {
  requireSingleProblem(withDestination(R"({"url": "rtmp://h/a/k"})"), "destinations[0].name",
                       "obligatoire : un nom unique");
}

TEST_CASE("a destination name outside [a-z0-9_-] or longer than 32 is refused", "[config]") {
  for (const auto* name : {"YouTube", "-yt", "_yt", "mairie tv", "é", "a.b", "abcdefghijklmnopqrstuvwxyz0123456"}) {
    requireSingleProblem(withDestination(std::string(R"({"name": ")") + name + R"(", "url": "rtmp://h/a/k"})"),
                         "destinations[0].name", "1 à 32 caractères parmi a-z, 0-9, « _ » et « - »");
  }
  for (const auto* name : {"a", "0", "yt_main", "fb-2", "abcdefghijklmnopqrstuvwxyz012345"}) {
    CHECK(isValidDestinationName(name));
  }
}

TEST_CASE("a duplicate destination name points at the first one", "[config]") {
  const auto result = parse(R"({"destinations": [
      {"name": "yt", "platform": "youtube", "key": "k1"},
      {"name": "fb", "platform": "facebook", "key": "k2"},
      {"name": "yt", "url": "rtmp://h/a/k3"}]})");
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0] == ConfigProblem{"destinations[2].name", R"(nom « yt » déjà utilisé par destinations[0])"});
}

TEST_CASE("an unknown platform lists the known ones", "[config]") {
  requireSingleProblem(
      withDestination(R"({"name": "a", "platform": "youtub", "key": "k"})"), "destinations[0].platform",
      R"(plateforme inconnue « youtub » (vouliez-vous dire « youtube » ?) ; plateformes connues : youtube, facebook, )"
      "linkedin, peertube, twitch, x");
  requireSingleProblem(withDestination(R"({"name": "a", "platform": "instagram", "key": "k"})"),
                       "destinations[0].platform", "plateformes connues : youtube, facebook");
}

TEST_CASE("a platform without a default URL needs the url of the live", "[config]") {
  for (const auto* platform : {"linkedin", "peertube", "x"}) {
    requireSingleProblem(
        withDestination(std::string(R"({"name": "a", "platform": ")") + platform + R"(", "key": "k"})"),
        "destinations[0].url", "n'a pas d'URL d'envoi par défaut (chaque direct a la sienne)");
  }
  const auto result = parse(withDestination(
      R"({"name": "li", "platform": "linkedin", "url": "rtmps://1.pbc.ingest.linkedin.com:1936/live/li-key"})"));
  REQUIRE(result.ok());
  CHECK(result.config.destinations.at(0).url.port == 1936);
}

TEST_CASE("a destination without a platform needs a url", "[config]") {
  requireSingleProblem(withDestination(R"({"name": "a", "key": "k"})"), "destinations[0].url",
                       "obligatoire pour une destination sans plateforme");
}

TEST_CASE("a platform with a default URL but no key source asks for a key", "[config]") {
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube"})"), "destinations[0]",
                       "pas de clé de stream : donnez key, key_env ou key_secret");
}

TEST_CASE("a URL without a key and no key source says where a key can come from", "[config]") {
  requireSingleProblem(withDestination(R"({"name": "a", "url": "rtmp://h/live"})"), "destinations[0].url",
                       "pas de clé de stream : l'URL s'arrête à l'application (ajoutez la clé à l'URL, ou donnez key, "
                       "key_env ou key_secret)");
}

TEST_CASE("a malformed destination URL is reported at its url", "[config]") {
  struct Case {
    std::string url;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"http://h/a/k", "l'URL doit commencer par rtmp:// ou rtmps://, pas http://"},
      {"rtmp://h:70000/a/k", "port 70000 hors limites (de 1 à 65535)"},
      {"rtmp:///a/k", "il manque le serveur"},
      {"rtmp://h", "pas de chemin d'application"},
      {"rtmp://h/a//k", "le chemin a un segment vide (//)"},
      {"rtmp://h/a/k k", "l'URL contient une espace"},
  };
  for (const auto& c : cases) {
    requireSingleProblem(withDestination(R"({"name": "a", "url": ")" + c.url + R"("})"), "destinations[0].url",
                         c.message);
  }
}

TEST_CASE("facebook over plain rtmp is refused", "[config]") {
  requireSingleProblem(
      withDestination(
          R"({"name": "fb", "platform": "facebook", "url": "rtmp://live-api-s.facebook.com:80/rtmp", "key": "k"})"),
      "destinations[0].url", "Facebook n'accepte que RTMPS : l'URL doit commencer par rtmps://");
  CHECK(parse(withDestination(R"({"name": "fb", "platform": "facebook", "key": "k"})")).ok());
}

TEST_CASE("a keyframe interval above what a platform accepts is refused at its platform", "[config]") {
  requireSingleProblem(R"({"video": {"keyframe_interval_s": 5},
                           "destinations": [{"name": "yt", "platform": "youtube", "key": "k"}]})",
                       "destinations[0].platform",
                       "YouTube veut une image clé au moins toutes les 4 s, or video.keyframe_interval_s vaut 5");
  requireSingleProblem(R"({"video": {"keyframe_interval_s": 4},
                           "destinations": [{"name": "x", "platform": "x", "url": "rtmps://x.example/live/k"}]})",
                       "destinations[0].platform", "X veut une image clé au moins toutes les 3 s");
  CHECK(parse(R"({"video": {"keyframe_interval_s": 3},
                  "destinations": [{"name": "x", "platform": "x", "url": "rtmps://x.example/live/k"}]})")
            .ok());
  // A custom server has no such limit.
  CHECK(parse(R"({"video": {"keyframe_interval_s": 10},
                  "destinations": [{"name": "c", "url": "rtmp://h/live/k"}]})")
            .ok());
}

TEST_CASE("the keyframe check holds when video comes after the destinations", "[config]") {
  requireSingleProblem(R"({"destinations": [{"name": "yt", "platform": "youtube", "key": "k"}],
                           "video": {"keyframe_interval_s": 6}})",
                       "destinations[0].platform", "video.keyframe_interval_s vaut 6");
}

TEST_CASE("a wrong keyframe interval is reported once, not against every platform", "[config]") {
  requireSingleProblem(R"({"video": {"keyframe_interval_s": 60},
                           "destinations": [{"name": "yt", "platform": "youtube", "key": "k"}]})",
                       "video.keyframe_interval_s", "60 hors limites (de 1 à 10)");
}

TEST_CASE("keyframeIntervalProblem checks a command-line destination against the video", "[config]") {
  const auto youtube = parseDestinationArgument("youtube=k").destination.value();
  VideoSettings video;
  CHECK_FALSE(keyframeIntervalProblem(youtube, video).has_value());
  video.keyframeIntervalSeconds = 8;
  CHECK(
      keyframeIntervalProblem(youtube, video).value_or("").find("YouTube veut une image clé au moins toutes les 4 s") ==
      0);
  const auto custom = parseDestinationArgument("local=rtmp://h/live/k").destination.value();
  CHECK_FALSE(keyframeIntervalProblem(custom, video).has_value());
}

// ---------------------------------------------------------------------------------------
// All problems, in order, and no key in any of them

TEST_CASE("a configuration with several mistakes reports all of them in document order", "[config]") {
  const auto result = parse(R"({
    "source": "webcam",
    "destinaton": [],
    "video": {"profile": "4k", "bitrate_kbps": 100000, "keyframe_interval_s": 2},
    "audio": {"bitrate_kbps": "128"},
    "retry": {"initial_delay_ms": 9000, "max_delay_ms": 1000},
    "destinations": [
      {"name": "yt", "platform": "youtube", "key_env": "MISSING_VAR"},
      {"name": "yt", "platform": "facebook", "url": "rtmp://live-api-s.facebook.com/rtmp", "key_secret": "fb"},
      {"name": "li", "platform": "linkedin", "key": "k", "key_env": "X"},
      {"platform": "youtube", "key": "k", "enabled": "yes"}
    ],
    "log": {"level": "loud"}
  })",
                            lookupOf({{"X", "x-key"}}, {{"fb", "fb-key"}}));
  const std::vector<std::string> expected = {
      "source",
      "destinaton",
      "video.profile",
      "video.bitrate_kbps",
      "audio.bitrate_kbps",
      "retry.max_delay_ms",
      "destinations[0].key_env",
      "destinations[1].name",
      "destinations[1].url",
      "destinations[2]",
      "destinations[3].enabled",
      "destinations[3].name",
      "log.level",
  };
  INFO(describe(result.problems));
  CHECK(pathsOf(result.problems) == expected);
  CHECK_FALSE(result.ok());
}

TEST_CASE("a plain json document still reports every problem", "[config]") {
  const auto result = parseConfig(
      nlohmann::json::parse(R"({"video": {"profile": "4k"}, "audio": {"bitrate_kbps": 1}, "source": ""})"), lookupOf());
  CHECK(pathsOf(result.problems) == std::vector<std::string>{"audio.bitrate_kbps", "source", "video.profile"});
}

TEST_CASE("a stream key never appears in a problem message or path", "[config]") {
  const std::string literal = "LiTeRaL-KeY-0001";
  const std::string fromEnv = "EnV-KeY-0002";
  const std::string fromFile = "FiLe-KeY-0003";
  const std::string inUrl = "UrL-KeY-0004";
  const auto secrets = lookupOf({{"YT_KEY", fromEnv + " "}}, {{"fb", fromFile + "/x"}});
  const auto result = parse(R"({
    "video": {"profile": ")" + literal +
                                R"(", "keyframe_interval_s": 5},
    ")" + inUrl + R"(": 1,
    "destinations": [
      {"name": "a", "platform": "youtube", "key": ")" +
                                literal + R"("},
      {"name": "b", "platform": "youtube", "key_env": "YT_KEY"},
      {"name": "c", "platform": "facebook", "key_secret": "fb"},
      {"name": "d", "platform": "facebook", "url": "rtmp://live-api-s.facebook.com/rtmp/)" +
                                inUrl + R"("},
      {"name": "e", "platform": ")" +
                                inUrl + R"(", "url": "rtmp://h:99999/live/)" + literal + R"("},
      {"name": "f", "url": "rtmp://h/live/)" +
                                literal + R"( x"},
      {"name": "g", "platform": "youtube", "key": ")" +
                                literal + R"( with space"},
      {"name": "h", "platform": "youtube", "key_env": ")" +
                                literal + R"("},
      {"name": "i", "platform": "youtube", "key": ")" +
                                literal + R"(", "key_secret": "fb"}
    ]
  })",
                            secrets);
  INFO(describe(result.problems));
  REQUIRE(result.problems.size() >= 10);
  for (const auto& problem : result.problems) {
    for (const auto& key : {literal, fromEnv, fromFile, inUrl}) {
      CHECK(problem.message.find(key) == std::string::npos);
      CHECK(problem.path.find(key) == std::string::npos);
    }
  }
}

// ---------------------------------------------------------------------------------------
// The shipped example

TEST_CASE("examples/tribune.json is a valid configuration", "[config]") {
  std::ifstream file(TRIBUNE_SOURCE_DIR "/examples/tribune.json");
  REQUIRE(file.good());
  const auto document = nlohmann::ordered_json::parse(file, nullptr, true, /*ignore_comments=*/false);
  const auto result = parseConfig(document, lookupOf({{"TRIBUNE_YOUTUBE_KEY", "abcd-efgh-ijkl-mnop-qrst"}},
                                                     {{"facebook", "FB-1234567890-0-AbCdEf"}}));
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  const auto& destinations = result.config.destinations;
  REQUIRE(destinations.size() == 3);
  CHECK(destinations[0].platform == "youtube");
  CHECK(destinations[0].url.key.reveal() == "abcd-efgh-ijkl-mnop-qrst");
  CHECK(destinations[1].platform == "facebook");
  CHECK(destinations[1].url.tls);
  CHECK(destinations[1].url.key.reveal() == "FB-1234567890-0-AbCdEf");
  CHECK(destinations[2].platform.empty());
  CHECK_FALSE(destinations[2].enabled);
  CHECK(result.config.branding.commune == "Ville de Démo");
  CHECK(result.config.graphics.questionUrl == "https://www.ville-demo.fr/questions");
  CHECK(result.config.questions.retentionDays == 90);
  CHECK(result.config.questions.notice.retention == "Elles sont effacées 90 jours après la séance.");
  CHECK_THAT(result.config.questions.notice.contact, Catch::Contains("dpo@ville-demo.fr"));
}

// ---------------------------------------------------------------------------------------
// --destination NAME=...

TEST_CASE("PLATFORM=KEY publishes to the platform's ingest URL under the platform's name", "[config]") {
  const auto result = parseDestinationArgument("youtube=abcd-efgh-ijkl");
  REQUIRE(result.destination.has_value());
  CHECK_FALSE(result.error.has_value());
  CHECK(result.destination->name == "youtube");
  CHECK(result.destination->platform == "youtube");
  CHECK(result.destination->url.full() == "rtmps://a.rtmps.youtube.com:443/live2/abcd-efgh-ijkl");
  CHECK(result.destination->enabled);
  CHECK(result.destination->tlsVerify);

  const auto facebook = parseDestinationArgument("facebook=FB-1-0-Ab?s_bl=1");
  REQUIRE(facebook.destination.has_value());
  CHECK(facebook.destination->url.full() == "rtmps://live-api-s.facebook.com:443/rtmp/FB-1-0-Ab?s_bl=1");
}

TEST_CASE("NAME=URL publishes to a custom server", "[config]") {
  const auto result = parseDestinationArgument("mairie=rtmp://127.0.0.1:1935/live/conseil");
  REQUIRE(result.destination.has_value());
  CHECK(result.destination->name == "mairie");
  CHECK(result.destination->platform.empty());
  CHECK(result.destination->url.full() == "rtmp://127.0.0.1:1935/live/conseil");
}

TEST_CASE("PLATFORM=URL keeps the platform's rules, e.g. linkedin's own ingest URL", "[config]") {
  const auto linkedin = parseDestinationArgument("linkedin=rtmps://1.pbc.ingest.linkedin.com:1936/live/k");
  REQUIRE(linkedin.destination.has_value());
  CHECK(linkedin.destination->platform == "linkedin");
  const auto facebook = parseDestinationArgument("facebook=rtmp://live-api-s.facebook.com/rtmp/k");
  CHECK_FALSE(facebook.destination.has_value());
  CHECK(facebook.error == "Facebook n'accepte que RTMPS : l'URL doit commencer par rtmps://");
}

TEST_CASE("PLATFORM=KEY for a platform without a default URL says to pass NAME=URL", "[config]") {
  const auto result = parseDestinationArgument("linkedin=secret-key-1");
  CHECK_FALSE(result.destination.has_value());
  REQUIRE(result.error.has_value());
  CHECK(*result.error ==
        "LinkedIn n'a pas d'URL d'envoi par défaut (chaque direct a la sienne) : passez "
        "linkedin=rtmps://SERVEUR/APP/CLÉ avec l'URL donnée par la plateforme");
}

TEST_CASE("a malformed --destination argument is refused", "[config]") {
  struct Case {
    std::string argument;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"youtube",
       "pas de « = » dans la destination : attendu PLATEFORME=CLÉ (par exemple youtube=CLÉ) ou "
       "NOM=rtmp[s]://SERVEUR/APP/CLÉ"},
      {"=abc", "le nom avant « = » est vide"},
      {"youtube=", "rien après « = » : donnez la clé de stream ou l'URL complète"},
      {"My Server=rtmp://h/a/k", "le nom avant « = » : 1 à 32 caractères"},
      {"youtub=abc", R"(plateforme inconnue « youtub » (vouliez-vous dire « youtube » ?))"},
      {"local=rtmp://h:70000/a/k", "port 70000 hors limites (de 1 à 65535)"},
      {"local=rtmp://h/live", "pas de clé de stream : l'URL s'arrête à l'application"},
      {"local=http://h/a/k", "l'URL doit commencer par rtmp:// ou rtmps://"},
      {"youtube=abc def", "la clé de stream contient une espace ou un caractère de contrôle"},
  };
  for (const auto& c : cases) {
    INFO(c.argument);
    const auto result = parseDestinationArgument(c.argument);
    CHECK_FALSE(result.destination.has_value());
    REQUIRE(result.error.has_value());
    CHECK_THAT(*result.error, Catch::Contains(c.message));
  }
  CHECK_THAT(*parseDestinationArgument("mytube=abc").error,
             Catch::Contains("pour un autre serveur, passez mytube=rtmp[s]://SERVEUR/APP/CLÉ"));
}

TEST_CASE("a --destination error never contains the key", "[config]") {
  const std::string key = "ArGuMeNt-KeY-77";
  for (const auto& argument :
       {"linkedin=" + key, "youtube=" + key + " x", "youtube=" + key + "/x", "local=rtmp://h:0/live/" + key,
        "rtmp://h/live/" + key, "rtmp://h/live/" + key + "=x", "local=rtmps://h/live//" + key, "mytube=" + key}) {
    INFO(argument);
    const auto result = parseDestinationArgument(argument);
    REQUIRE(result.error.has_value());
    CHECK(result.error->find(key) == std::string::npos);
  }
}

TEST_CASE("the web server listens on this machine only by default", "[config][web]") {
  auto result = parse("{}");
  REQUIRE(result.ok());
  CHECK(result.config.web.address == "127.0.0.1");
  CHECK(result.config.web.port == 8080);
  CHECK_FALSE(result.config.web.tlsCertificate);
  CHECK_FALSE(result.config.session.recordDuringHuisClos);
}

TEST_CASE("web and session settings are read from the document", "[config][web]") {
  auto result = parse(R"({"web": {"address": "0.0.0.0", "port": 8443, "tls_certificate": "cert.pem",
                                   "tls_key": "key.pem"},
                          "session": {"record_during_huis_clos": true}})");
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  CHECK(result.config.web.address == "0.0.0.0");
  CHECK(result.config.web.port == 8443);
  CHECK(*result.config.web.tlsCertificate == "cert.pem");
  CHECK(*result.config.web.tlsKey == "key.pem");
  CHECK(result.config.session.recordDuringHuisClos);
  CHECK(parse(R"({"web": {"address": "::1"}})").ok());
}

TEST_CASE("a planned meeting starts by itself 15 minutes early unless the session says otherwise", "[config][serve]") {
  CHECK(parse("{}").config.session.startLeadMinutes == 15);
  auto result = parse(R"({"session": {"start_lead_minutes": 5}})");
  REQUIRE(result.ok());
  CHECK(result.config.session.startLeadMinutes == 5);
  CHECK(parse(R"({"session": {"start_lead_minutes": 0}})").ok());
  requireSingleProblem(R"({"session": {"start_lead_minutes": 241}})", "session.start_lead_minutes", "240");
  requireSingleProblem(R"({"session": {"start_lead_minutes": -1}})", "session.start_lead_minutes", "0");
  requireSingleProblem(R"({"session": {"start_lead_minutes": "15"}})", "session.start_lead_minutes", "");
}

TEST_CASE("a web address must be an IP address", "[config][web]") {
  for (const char* bad : {"localhost", "mairie.local", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3"}) {
    INFO(bad);
    requireSingleProblem(std::string(R"({"web": {"address": ")") + bad + R"("}})", "web.address", "adresse IP");
  }
}

TEST_CASE("a web port out of range is refused", "[config][web]") {
  requireSingleProblem(R"({"web": {"port": 0}})", "web.port", "");
  requireSingleProblem(R"({"web": {"port": 70000}})", "web.port", "");
  requireSingleProblem(R"({"web": {"port": "8080"}})", "web.port", "");
}

TEST_CASE("a TLS certificate without its key is refused", "[config][web]") {
  requireSingleProblem(R"({"web": {"tls_certificate": "cert.pem"}})", "web", "les deux ou aucun");
  requireSingleProblem(R"({"web": {"tls_key": "key.pem"}})", "web", "les deux ou aucun");
}

TEST_CASE("unknown keys of web and session are refused with a suggestion", "[config][web]") {
  requireSingleProblem(R"({"web": {"prot": 80}})", "web.prot", "vouliez-vous dire");
  requireSingleProblem(R"({"session": {"record_during_huisclos": true}})", "session.record_during_huisclos",
                       "vouliez-vous dire");
}

// ---------------------------------------------------------------------------------------
// Viewers' questions

TEST_CASE("questions are open, pre-screened and kept 90 days by default", "[config][questions]") {
  const auto result = parse("{}");
  REQUIRE(result.ok());
  const auto& questions = result.config.questions;
  CHECK(questions.enabled);
  CHECK(questions.prescreen);
  CHECK(questions.maxLength == 500);
  CHECK(questions.maxPseudonymLength == 40);
  CHECK(questions.maxPlaceLength == 60);
  CHECK(questions.perBrowser == RateLimit{3, 300s});
  CHECK(questions.perAddress == RateLimit{10, 300s});
  CHECK(questions.votesPerAddress == RateLimit{60, 60s});
  CHECK(questions.messagesPerConnection == RateLimit{20, 10s});
  CHECK(questions.retentionDays == 90);
  CHECK_FALSE(questions.profanityFile);
  CHECK(questions.notice.purpose ==
        "Vos questions servent à préparer les réponses des élus pendant la séance ou par écrit.");
  CHECK(questions.notice.retention == "Elles sont effacées 90 jours après la séance.");
  CHECK(questions.notice.contact == "Pour toute demande sur vos données, adressez-vous à la mairie.");
  // An empty section is the same as none.
  const auto empty = parse(R"({"questions": {}})");
  REQUIRE(empty.ok());
  CHECK(empty.config.questions.notice.retention == questions.notice.retention);
  CHECK(empty.config.questions.perBrowser == questions.perBrowser);
}

TEST_CASE("every questions setting is read from the document", "[config][questions]") {
  const auto result = parse(R"({"questions": {
    "enabled": false, "prescreen": false, "max_length": 280, "max_pseudonym_length": 0, "max_place_length": 100,
    "per_browser": {"count": 5, "seconds": 600},
    "per_address": {"count": 200, "seconds": 3600},
    "votes_per_address": {"count": 30, "seconds": 120},
    "messages_per_connection": {"count": 40, "seconds": 20},
    "retention_days": 30,
    "profanity_file": "moderation/gros-mots.txt",
    "notice": {"purpose": "Préparer la séance.", "retention": "Effacées après un mois.",
               "contact": "dpo@ville-demo.fr"}
  }})");
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  const auto& questions = result.config.questions;
  CHECK_FALSE(questions.enabled);
  CHECK_FALSE(questions.prescreen);
  CHECK(questions.maxLength == 280);
  CHECK(questions.maxPseudonymLength == 0);
  CHECK(questions.maxPlaceLength == 100);
  CHECK(questions.perBrowser == RateLimit{5, 600s});
  CHECK(questions.perAddress == RateLimit{200, 3600s});
  CHECK(questions.votesPerAddress == RateLimit{30, 120s});
  CHECK(questions.messagesPerConnection == RateLimit{40, 20s});
  CHECK(questions.retentionDays == 30);
  CHECK(questions.profanityFile == "moderation/gros-mots.txt");
  CHECK(questions.notice.purpose == "Préparer la séance.");
  CHECK(questions.notice.retention == "Effacées après un mois.");
  CHECK(questions.notice.contact == "dpo@ville-demo.fr");
}

TEST_CASE("a rate limit given in part keeps the default of its other member", "[config][questions]") {
  const auto result = parse(R"({"questions": {"per_browser": {"count": 1}, "per_address": {"seconds": 60}}})");
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  CHECK(result.config.questions.perBrowser == RateLimit{1, 300s});
  CHECK(result.config.questions.perAddress == RateLimit{10, 60s});
}

TEST_CASE("the default retention notice follows retention_days", "[config][questions]") {
  CHECK(parse(R"({"questions": {"retention_days": 30}})").config.questions.notice.retention ==
        "Elles sont effacées 30 jours après la séance.");
  CHECK(parse(R"({"questions": {"retention_days": 1}})").config.questions.notice.retention ==
        "Elles sont effacées 1 jour après la séance.");
  // A notice without its own retention text still follows the days.
  CHECK(parse(R"({"questions": {"retention_days": 365, "notice": {"contact": "La mairie."}}})")
            .config.questions.notice.retention == "Elles sont effacées 365 jours après la séance.");
  // The commune's own text wins, wherever it sits in the section.
  CHECK(parse(R"({"questions": {"notice": {"retention": "Un an."}, "retention_days": 365}})")
            .config.questions.notice.retention == "Un an.");
}

TEST_CASE("each questions number outside its range is refused with its path and range", "[config][questions]") {
  struct Case {
    std::string member;  // JSON members inside "questions", with a %d for the value
    std::string path;
    int min;
    int max;
  };
  const std::vector<Case> cases = {
      {R"("max_length": %d)", "questions.max_length", 20, 2000},
      {R"("max_pseudonym_length": %d)", "questions.max_pseudonym_length", 0, 100},
      {R"("max_place_length": %d)", "questions.max_place_length", 0, 100},
      {R"("retention_days": %d)", "questions.retention_days", 1, 3650},
  };
  std::vector<Case> all = cases;
  for (const auto* limit : {"per_browser", "per_address", "votes_per_address", "messages_per_connection"}) {
    all.push_back(
        {std::string(R"(")") + limit + R"(": {"count": %d})", std::string("questions.") + limit + ".count", 1, 10000});
    all.push_back({std::string(R"(")") + limit + R"(": {"seconds": %d})",
                   std::string("questions.") + limit + ".seconds", 1, 86400});
  }
  for (const auto& c : all) {
    const auto at = [&c](long long value) {
      auto member = c.member;
      member.replace(member.find("%d"), 2, std::to_string(value));
      return R"({"questions": {)" + member + "}}";
    };
    const auto range = " hors limites (de " + std::to_string(c.min) + " à " + std::to_string(c.max) + ")";
    INFO(c.path);
    requireSingleProblem(at(c.min - 1), c.path, std::to_string(c.min - 1) + range);
    requireSingleProblem(at(c.max + 1), c.path, std::to_string(c.max + 1) + range);
    requireSingleProblem(at(99999999999LL), c.path, "99999999999" + range);
    CHECK(parse(at(c.min)).ok());
    CHECK(parse(at(c.max)).ok());
  }
}

TEST_CASE("questions values of the wrong type name the expected type", "[config][questions]") {
  struct Case {
    std::string document;
    std::string path;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"questions": true})", "questions", "attendu un objet, reçu un booléen"},
      {R"({"questions": {"enabled": "yes"}})", "questions.enabled",
       "attendu un booléen (true ou false), reçu une chaîne"},
      {R"({"questions": {"prescreen": 1}})", "questions.prescreen",
       "attendu un booléen (true ou false), reçu un nombre entier"},
      {R"({"questions": {"max_length": "500"}})", "questions.max_length", "attendu un nombre entier, reçu une chaîne"},
      {R"({"questions": {"max_place_length": 6.5}})", "questions.max_place_length",
       "attendu un nombre entier, reçu un nombre décimal"},
      {R"({"questions": {"per_browser": 3}})", "questions.per_browser", "attendu un objet, reçu un nombre entier"},
      {R"({"questions": {"per_address": {"count": "10"}}})", "questions.per_address.count",
       "attendu un nombre entier, reçu une chaîne"},
      {R"({"questions": {"votes_per_address": {"seconds": null}}})", "questions.votes_per_address.seconds",
       "attendu un nombre entier, reçu null"},
      {R"({"questions": {"retention_days": "90"}})", "questions.retention_days",
       "attendu un nombre entier, reçu une chaîne"},
      {R"({"questions": {"profanity_file": ""}})", "questions.profanity_file", "ne doit pas être vide"},
      {R"({"questions": {"notice": "RGPD"}})", "questions.notice", "attendu un objet, reçu une chaîne"},
      {R"({"questions": {"notice": {"purpose": 1}}})", "questions.notice.purpose",
       "attendu une chaîne, reçu un nombre entier"},
      {R"({"questions": {"notice": {"contact": ""}}})", "questions.notice.contact", "ne doit pas être vide"},
  };
  for (const auto& c : cases) requireOnlyProblem(c.document, c.path, c.message);
}

TEST_CASE("a notice text is at most 1000 characters, not bytes, and has no control character", "[config][questions]") {
  for (const auto* key : {"purpose", "retention", "contact"}) {
    const auto path = std::string("questions.notice.") + key;
    const auto with = [key](const std::string& text) {
      return std::string(R"({"questions": {"notice": {")") + key + R"(": ")" + text + R"("}}})";
    };
    INFO(path);
    std::string longest;
    for (int i = 0; i < 1000; ++i) longest += "é";  // 1000 characters, 2000 bytes
    const auto accepted = parse(with(longest));
    INFO(describe(accepted.problems));
    CHECK(accepted.ok());
    requireSingleProblem(with(longest + "e"), path, "au plus 1000 caractères (ici 1001)");
    requireSingleProblem(with("Ligne 1\\nLigne 2"), path, "ne doit pas contenir de caractères de contrôle");
    requireSingleProblem(with(""), path, "ne doit pas être vide");
  }
  // A wrong retention text is reported, not replaced with the default.
  const auto wrong = parse(R"({"questions": {"notice": {"retention": ""}}})");
  REQUIRE(wrong.problems.size() == 1);
  CHECK(wrong.problems[0].path == "questions.notice.retention");
}

TEST_CASE("unknown keys of questions are refused with a suggestion or the known keys", "[config][questions]") {
  struct Case {
    std::string document;
    std::string path;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"question": {}})", "question", R"(clé inconnue « question » (vouliez-vous dire « questions » ?))"},
      {R"({"questions": {"max_lenght": 500}})", "questions.max_lenght",
       R"(clé inconnue « max_lenght » (vouliez-vous dire « max_length » ?))"},
      {R"({"questions": {"pre_screen": true}})", "questions.pre_screen",
       R"(clé inconnue « pre_screen » (vouliez-vous dire « prescreen » ?))"},
      {R"({"questions": {"retention_day": 90}})", "questions.retention_day",
       R"(clé inconnue « retention_day » (vouliez-vous dire « retention_days » ?))"},
      {R"({"questions": {"per_browser": {"cout": 3}}})", "questions.per_browser.cout",
       R"(clé inconnue « cout » (vouliez-vous dire « count » ?))"},
      {R"({"questions": {"per_address": {"minutes": 5}}})", "questions.per_address.minutes",
       R"(clé inconnue « minutes » ; clés connues : count, seconds)"},
      {R"({"questions": {"notice": {"contacts": "x"}}})", "questions.notice.contacts",
       R"(clé inconnue « contacts » (vouliez-vous dire « contact » ?))"},
      {R"({"questions": {"notice": {"dpo": "x"}}})", "questions.notice.dpo",
       R"(clé inconnue « dpo » ; clés connues : purpose, retention, contact)"},
  };
  for (const auto& c : cases) requireOnlyProblem(c.document, c.path, c.message);
}

TEST_CASE("every problem of the questions section is reported in document order", "[config][questions]") {
  const auto result = parse(R"({"questions": {
    "max_length": 5, "per_browser": {"count": 0, "seconds": 0}, "notice": {"purpose": ""}, "retention_days": 0
  }})");
  CHECK(pathsOf(result.problems) == std::vector<std::string>{"questions.max_length", "questions.per_browser.count",
                                                             "questions.per_browser.seconds",
                                                             "questions.notice.purpose", "questions.retention_days"});
}

TEST_CASE("preflight.test_url is the rtmp:// server the uplink is measured against", "[config][preflight]") {
  const auto none = parse("{}");
  REQUIRE(none.ok());
  CHECK_FALSE(none.config.preflight.testUrl);
  const auto given = parse(R"({"preflight": {"test_url": "rtmp://test.mairie.local:1936/live/essai"}})");
  REQUIRE(given.ok());
  REQUIRE(given.config.preflight.testUrl);
  CHECK(given.config.preflight.testUrl->host == "test.mairie.local");
  CHECK(given.config.preflight.testUrl->port == 1936);
  CHECK(given.config.preflight.testUrl->key.reveal() == "essai");
}

TEST_CASE("a wrong preflight section is reported at its path", "[config][preflight]") {
  requireOnlyProblem(
      R"({"preflight": {"test_url": "rtmps://test.mairie.local/live/essai"}})", "preflight.test_url",
      "le débit montant se mesure en rtmp:// simple seulement : donnez l'URL rtmp:// du serveur de test");
  requireOnlyProblem(R"({"preflight": {"test_url": "http://test.mairie.local/live/essai"}})", "preflight.test_url",
                     "l'URL doit commencer par rtmp:// ou rtmps://, pas http://");
  requireOnlyProblem(R"({"preflight": {"test_url": 12}})", "preflight.test_url",
                     "attendu une chaîne, reçu un nombre entier");
  requireOnlyProblem(R"({"preflight": {"test_uri": "rtmp://h/live/k"}})", "preflight.test_uri",
                     R"(clé inconnue « test_uri » (vouliez-vous dire « test_url » ?))");
}
