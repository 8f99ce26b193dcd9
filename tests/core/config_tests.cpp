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
    CHECK_THAT(result.problems[0].message, Catch::StartsWith("expected an object, got "));
  }
  CHECK(parse("[]").problems[0].message == "expected an object, got an array");
}

TEST_CASE("a value of the wrong type names the expected type", "[config]") {
  struct Case {
    std::string document;
    std::string path;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"source": 3})", "source", "expected a string, got an integer"},
      {R"({"pipelines_dir": true})", "pipelines_dir", "expected a string, got a boolean"},
      {R"({"agenda": ["a"]})", "agenda", "expected a string, got an array"},
      {R"({"data_dir": {}})", "data_dir", "expected a string, got an object"},
      {R"({"secrets_file": null})", "secrets_file", "expected a string, got null"},
      {R"({"log": "info"})", "log", "expected an object, got a string"},
      {R"({"log": {"level": 1}})", "log.level", "expected a string, got an integer"},
      {R"({"video": []})", "video", "expected an object, got an array"},
      {R"({"video": {"profile": 1080}})", "video.profile", "expected a string, got an integer"},
      {R"({"video": {"bitrate_kbps": "4500"}})", "video.bitrate_kbps", "expected an integer, got a string"},
      {R"({"video": {"preset": false}})", "video.preset", "expected a string, got a boolean"},
      {R"({"video": {"keyframe_interval_s": 2.5}})", "video.keyframe_interval_s",
       "expected an integer, got a decimal number"},
      {R"({"audio": 128})", "audio", "expected an object, got an integer"},
      {R"({"audio": {"bitrate_kbps": null}})", "audio.bitrate_kbps", "expected an integer, got null"},
      {R"({"recording": true})", "recording", "expected an object, got a boolean"},
      {R"({"recording": {"enabled": "yes"}})", "recording.enabled", "expected a boolean (true or false), got a string"},
      {R"({"recording": {"directory": 5}})", "recording.directory", "expected a string, got an integer"},
      {R"({"retry": []})", "retry", "expected an object, got an array"},
      {R"({"retry": {"initial_delay_ms": "500"}})", "retry.initial_delay_ms", "expected an integer, got a string"},
      {R"({"retry": {"max_delay_ms": 2.0}})", "retry.max_delay_ms", "expected an integer, got a decimal number"},
      {R"({"retry": {"max_key_refusals": true}})", "retry.max_key_refusals", "expected an integer, got a boolean"},
      {R"({"retry": {"connect_timeout_ms": {}}})", "retry.connect_timeout_ms", "expected an integer, got an object"},
      {R"({"retry": {"stall_timeout_ms": []}})", "retry.stall_timeout_ms", "expected an integer, got an array"},
      {R"({"branding": "Ville"})", "branding", "expected an object, got a string"},
      {R"({"branding": {"commune": 1}})", "branding.commune", "expected a string, got an integer"},
      {R"({"branding": {"logo": true}})", "branding.logo", "expected a string, got a boolean"},
      {R"({"branding": {"primary_color": 1985683}})", "branding.primary_color", "expected a string, got an integer"},
      {R"({"branding": {"accent_color": null}})", "branding.accent_color", "expected a string, got null"},
      {R"({"branding": {"text_color": [255, 255, 255]}})", "branding.text_color", "expected a string, got an array"},
      {R"({"branding": {"font": {}}})", "branding.font", "expected a string, got an object"},
      {R"({"graphics": []})", "graphics", "expected an object, got an array"},
      {R"({"graphics": {"templates_dir": 3}})", "graphics.templates_dir", "expected a string, got an integer"},
      {R"({"graphics": {"fade_ms": "300"}})", "graphics.fade_ms", "expected an integer, got a string"},
      {R"({"graphics": {"fade_ms": 0.5}})", "graphics.fade_ms", "expected an integer, got a decimal number"},
      {R"({"graphics": {"question_url": false}})", "graphics.question_url", "expected a string, got a boolean"},
      {R"({"graphics": {"show_clock": "true"}})", "graphics.show_clock",
       "expected a boolean (true or false), got a string"},
      {R"({"graphics": {"show_agenda_on_start": 1}})", "graphics.show_agenda_on_start",
       "expected a boolean (true or false), got an integer"},
      {R"({"destinations": {}})", "destinations", "expected an array, got an object"},
      {R"({"destinations": ["youtube"]})", "destinations[0]", "expected an object, got a string"},
      {withDestination(R"({"name": 1, "url": "rtmp://h/a/k"})"), "destinations[0].name",
       "expected a string, got an integer"},
      {withDestination(R"({"name": "a", "platform": 1, "key": "k"})"), "destinations[0].platform",
       "expected a string, got an integer"},
      {withDestination(R"({"name": "a", "url": 1})"), "destinations[0].url", "expected a string, got an integer"},
      {withDestination(R"({"name": "a", "platform": "youtube", "key": 1})"), "destinations[0].key",
       "expected a string, got an integer"},
      {withDestination(R"({"name": "a", "platform": "youtube", "key_env": 1})"), "destinations[0].key_env",
       "expected a string, got an integer"},
      {withDestination(R"({"name": "a", "platform": "youtube", "key_secret": []})"), "destinations[0].key_secret",
       "expected a string, got an array"},
      {withDestination(R"({"name": "a", "url": "rtmp://h/a/k", "enabled": 1})"), "destinations[0].enabled",
       "expected a boolean (true or false), got an integer"},
      {withDestination(R"({"name": "a", "url": "rtmp://h/a/k", "tls_verify": "no"})"), "destinations[0].tls_verify",
       "expected a boolean (true or false), got a string"},
  };
  for (const auto& c : cases) requireOnlyProblem(c.document, c.path, c.message);
}

TEST_CASE("an empty string is refused where a value is needed", "[config]") {
  for (const auto* key : {"source", "pipelines_dir", "agenda", "data_dir", "secrets_file"}) {
    requireSingleProblem(std::string(R"({")") + key + R"(": ""})", key, "must not be empty");
  }
  requireSingleProblem(R"({"recording": {"directory": ""}})", "recording.directory", "must not be empty");
  for (const auto* key : {"commune", "logo", "primary_color", "accent_color", "text_color", "font"}) {
    requireSingleProblem(std::string(R"({"branding": {")") + key + R"(": ""}})", std::string("branding.") + key,
                         "must not be empty");
  }
  for (const auto* key : {"templates_dir", "question_url"}) {
    requireSingleProblem(std::string(R"({"graphics": {")") + key + R"(": ""}})", std::string("graphics.") + key,
                         "must not be empty");
  }
  requireSingleProblem(withDestination(R"({"name": "", "url": "rtmp://h/a/k"})"), "destinations[0].name",
                       "must not be empty");
  requireSingleProblem(withDestination(R"({"name": "a", "url": ""})"), "destinations[0].url", "must not be empty");
  requireSingleProblem(withDestination(R"({"name": "a", "platform": "youtube", "key": ""})"), "destinations[0].key",
                       "must not be empty");
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
                       "18446744073709551615 is out of range (64..320)");
}

TEST_CASE("an unknown profile, x264 preset or log level lists the choices", "[config]") {
  requireSingleProblem(R"({"video": {"profile": "1080p60"}})", "video.profile",
                       R"(unknown profile "1080p60" (did you mean "1080p30"?); expected one of: 1080p30, 720p30)");
  requireSingleProblem(R"({"video": {"preset": "veryfst"}})", "video.preset",
                       R"(unknown x264 preset "veryfst" (did you mean "veryfast"?); expected one of: ultrafast, )");
  requireSingleProblem(R"({"log": {"level": "verbose"}})", "log.level",
                       R"(unknown log level "verbose"; expected one of: trace, debug, info, warn, error)");
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
                       "must be at least initial_delay_ms (3000)");
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
      {R"({"destinaton": []})", "destinaton", R"(unknown key "destinaton" (did you mean "destinations"?))"},
      {R"({"Source": "test"})", "Source", R"(unknown key "Source" (did you mean "source"?))"},
      {R"({"log": {"levle": "info"}})", "log.levle", R"(unknown key "levle" (did you mean "level"?))"},
      {R"({"video": {"keyframe_interval": 2}})", "video.keyframe_interval",
       R"(unknown key "keyframe_interval" (did you mean "keyframe_interval_s"?))"},
      {R"({"audio": {"bitrate_kpbs": 128}})", "audio.bitrate_kpbs",
       R"(unknown key "bitrate_kpbs" (did you mean "bitrate_kbps"?))"},
      {R"({"recording": {"enable": true}})", "recording.enable", R"(unknown key "enable" (did you mean "enabled"?))"},
      {R"({"retry": {"max_delay_s": 2}})", "retry.max_delay_s",
       R"(unknown key "max_delay_s" (did you mean "max_delay_ms"?))"},
      {R"({"branding": {"primary_colour": "#000000"}})", "branding.primary_colour",
       R"(unknown key "primary_colour" (did you mean "primary_color"?))"},
      {R"({"branding": {"comune": "X"}})", "branding.comune", R"(unknown key "comune" (did you mean "commune"?))"},
      {R"({"graphics": {"fade_s": 1}})", "graphics.fade_s", R"(unknown key "fade_s" (did you mean "fade_ms"?))"},
      {R"({"graphics": {"show_clok": true}})", "graphics.show_clok",
       R"(unknown key "show_clok" (did you mean "show_clock"?))"},
      {R"({"grafics": {}})", "grafics", R"(unknown key "grafics" (did you mean "graphics"?))"},
      {withDestination(R"({"name": "a", "url": "rtmp://h/a/k", "plateform": "x"})"), "destinations[0].plateform",
       R"(unknown key "plateform" (did you mean "platform"?))"},
  };
  for (const auto& c : cases) requireOnlyProblem(c.document, c.path, c.message);
}

TEST_CASE("an unknown key far from every known one lists the known keys", "[config]") {
  requireSingleProblem(R"({"audio": {"volume": 3}})", "audio.volume",
                       R"(unknown key "volume"; known keys: bitrate_kbps, drift_correction, loudness)");
  requireSingleProblem(R"({"colour": "red"})", "colour", "known keys: source, pipelines_dir, agenda, data_dir");
  requireSingleProblem(
      R"({"branding": {"couleur": "red"}})", "branding.couleur",
      R"(unknown key "couleur"; known keys: commune, logo, primary_color, accent_color, text_color, font)");
  requireSingleProblem(
      R"({"graphics": {"qr": true}})", "graphics.qr",
      R"(unknown key "qr"; known keys: templates_dir, fade_ms, question_url, show_clock, show_agenda_on_start)");
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
    requireSingleProblem(with("red"), path, R"(expected a colour like "#1f3a93" (#rrggbb in hexadecimal), got "red")");
    for (const auto* wrong :
         {"#fff", "1f3a93", "#1f3a9", "#1f3a930", "#1f3a9g", "# 1f3a9", "#1f3a93ff", "rgb(0,0,0)"}) {
      INFO(wrong);
      requireSingleProblem(with(wrong), path, R"(expected a colour like "#1f3a93")");
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
  requireSingleProblem(commune(eighty + "e"), "branding.commune", "must be at most 80 characters (got 81)");

  const auto font = [](const std::string& name) { return R"({"branding": {"font": ")" + name + R"("}})"; };
  CHECK(parse(font(std::string(64, 'a'))).ok());
  requireSingleProblem(font(std::string(65, 'a')), "branding.font", "must be at most 64 characters (got 65)");
}

TEST_CASE("a commune or font with a control character is refused", "[config]") {
  requireSingleProblem(R"({"branding": {"commune": "Ville\nde Démo"}})", "branding.commune",
                       "must not contain control characters");
  requireSingleProblem(R"({"branding": {"font": "Open\tSans"}})", "branding.font",
                       "must not contain control characters");
  requireSingleProblem(R"({"branding": {"commune": "A\u0007B"}})", "branding.commune",
                       "must not contain control characters");
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
    requireSingleProblem(with(url), "graphics.question_url", "must start with https:// or http://");
  }
  requireSingleProblem(with("https://"), "graphics.question_url", "needs a host after https://");
  requireSingleProblem(with("https://www.ville-demo.fr/mes questions"), "graphics.question_url",
                       "must not contain spaces");
  requireSingleProblem(with("https://www.ville-demo.fr/\\n"), "graphics.question_url",
                       "must not contain spaces or control characters");

  const std::string prefix = "https://www.ville-demo.fr/";
  CHECK(parse(with(prefix + std::string(200 - prefix.size(), 'q'))).ok());
  requireSingleProblem(with(prefix + std::string(201 - prefix.size(), 'q')), "graphics.question_url",
                       "must be at most 200 characters (got 201)");
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
  requireSingleProblem(R"({"source": "webcam"})", "source", "use test, file:PATH, v4l2:/dev/videoN");
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
      "the URL has a query string (?...) but the stream key is given separately: the query belongs "
      "to the key");
}

TEST_CASE("the key comes from the named environment variable", "[config]") {
  const auto result = parse(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "TRIBUNE_YT_KEY"})"),
                            lookupOf({{"TRIBUNE_YT_KEY", "env-key-123"}}));
  REQUIRE(result.ok());
  CHECK(result.config.destinations.at(0).url.key.reveal() == "env-key-123");
}

TEST_CASE("an unset or empty environment variable is named, and its value never shown", "[config]") {
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "TRIBUNE_YT_KEY"})"),
                       "destinations[0].key_env", "environment variable TRIBUNE_YT_KEY is not set");
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "TRIBUNE_YT_KEY"})"),
                       "destinations[0].key_env", "environment variable TRIBUNE_YT_KEY is empty",
                       lookupOf({{"TRIBUNE_YT_KEY", ""}}));
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "TRIBUNE_YT_KEY"})"),
                       "destinations[0].key_env", "the stream key contains a space",
                       lookupOf({{"TRIBUNE_YT_KEY", "with space"}}));
}

TEST_CASE("key_env must be a variable name, not the key pasted in its place", "[config]") {
  const auto result =
      parse(withDestination(R"({"name": "yt", "platform": "youtube", "key_env": "abcd-efgh-ijkl-mnop"})"));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].path == "destinations[0].key_env");
  CHECK_THAT(result.problems[0].message, Catch::StartsWith("must be the name of an environment variable"));
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
  requireSingleProblem(document, "destinations[0].key_secret", R"(no entry "facebook" in the secrets file)");
  requireSingleProblem(document, "destinations[0].key_secret", R"(the entry "facebook" in the secrets file is empty)",
                       lookupOf({}, {{"facebook", ""}}));
  requireSingleProblem(document, "destinations[0].key_secret", "set secrets_file", SecretLookup{});
}

TEST_CASE("two or three key sources are refused", "[config]") {
  const auto secrets = lookupOf({{"YT", "k-env"}}, {{"yt", "k-secret"}});
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube", "key": "k1", "key_env": "YT"})"),
                       "destinations[0]", "give at most one of key, key_env and key_secret (found key and key_env)",
                       secrets);
  requireSingleProblem(
      withDestination(R"({"name": "yt", "platform": "youtube", "key_secret": "yt", "key": "k1", "key_env": "YT"})"),
      "destinations[0]", "(found key_secret and key and key_env)", secrets);
}

TEST_CASE("a destination without a name is refused", "[config]") {
  requireSingleProblem(withDestination(R"({"url": "rtmp://h/a/k"})"), "destinations[0].name",
                       "required: a unique name");
}

TEST_CASE("a destination name outside [a-z0-9_-] or longer than 32 is refused", "[config]") {
  for (const auto* name : {"YouTube", "-yt", "_yt", "mairie tv", "é", "a.b", "abcdefghijklmnopqrstuvwxyz0123456"}) {
    requireSingleProblem(withDestination(std::string(R"({"name": ")") + name + R"(", "url": "rtmp://h/a/k"})"),
                         "destinations[0].name", "must be 1 to 32 characters among a-z, 0-9, '_' and '-'");
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
  CHECK(result.problems[0] ==
        ConfigProblem{"destinations[2].name", R"(duplicate name "yt": already used by destinations[0])"});
}

TEST_CASE("an unknown platform lists the known ones", "[config]") {
  requireSingleProblem(withDestination(R"({"name": "a", "platform": "youtub", "key": "k"})"),
                       "destinations[0].platform",
                       R"(unknown platform "youtub" (did you mean "youtube"?); known platforms: youtube, facebook, )"
                       "linkedin, peertube, twitch, x");
  requireSingleProblem(withDestination(R"({"name": "a", "platform": "instagram", "key": "k"})"),
                       "destinations[0].platform", "known platforms: youtube, facebook");
}

TEST_CASE("a platform without a default URL needs the url of the live", "[config]") {
  for (const auto* platform : {"linkedin", "peertube", "x"}) {
    requireSingleProblem(
        withDestination(std::string(R"({"name": "a", "platform": ")") + platform + R"(", "key": "k"})"),
        "destinations[0].url", "has no default ingest URL (each live has its own)");
  }
  const auto result = parse(withDestination(
      R"({"name": "li", "platform": "linkedin", "url": "rtmps://1.pbc.ingest.linkedin.com:1936/live/li-key"})"));
  REQUIRE(result.ok());
  CHECK(result.config.destinations.at(0).url.port == 1936);
}

TEST_CASE("a destination without a platform needs a url", "[config]") {
  requireSingleProblem(withDestination(R"({"name": "a", "key": "k"})"), "destinations[0].url",
                       "required for a destination without a platform");
}

TEST_CASE("a platform with a default URL but no key source asks for a key", "[config]") {
  requireSingleProblem(withDestination(R"({"name": "yt", "platform": "youtube"})"), "destinations[0]",
                       "no stream key: give key, key_env or key_secret");
}

TEST_CASE("a URL without a key and no key source says where a key can come from", "[config]") {
  requireSingleProblem(withDestination(R"({"name": "a", "url": "rtmp://h/live"})"), "destinations[0].url",
                       "no stream key: the URL ends at the application (add the key to the URL, or give key, "
                       "key_env or key_secret)");
}

TEST_CASE("a malformed destination URL is reported at its url", "[config]") {
  struct Case {
    std::string url;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"http://h/a/k", "scheme must be rtmp:// or rtmps://, not http://"},
      {"rtmp://h:70000/a/k", "port 70000 is out of range (1..65535)"},
      {"rtmp:///a/k", "host is missing"},
      {"rtmp://h", "no application path"},
      {"rtmp://h/a//k", "the path has an empty segment (//)"},
      {"rtmp://h/a/k k", "the URL contains a space"},
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
      "destinations[0].url", "Facebook accepts only RTMPS: the URL must start with rtmps://");
  CHECK(parse(withDestination(R"({"name": "fb", "platform": "facebook", "key": "k"})")).ok());
}

TEST_CASE("a keyframe interval above what a platform accepts is refused at its platform", "[config]") {
  requireSingleProblem(R"({"video": {"keyframe_interval_s": 5},
                           "destinations": [{"name": "yt", "platform": "youtube", "key": "k"}]})",
                       "destinations[0].platform",
                       "YouTube accepts a keyframe at most every 4 s, but video.keyframe_interval_s is 5");
  requireSingleProblem(R"({"video": {"keyframe_interval_s": 4},
                           "destinations": [{"name": "x", "platform": "x", "url": "rtmps://x.example/live/k"}]})",
                       "destinations[0].platform", "X accepts a keyframe at most every 3 s");
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
                       "destinations[0].platform", "video.keyframe_interval_s is 6");
}

TEST_CASE("a wrong keyframe interval is reported once, not against every platform", "[config]") {
  requireSingleProblem(R"({"video": {"keyframe_interval_s": 60},
                           "destinations": [{"name": "yt", "platform": "youtube", "key": "k"}]})",
                       "video.keyframe_interval_s", "60 is out of range (1..10)");
}

TEST_CASE("keyframeIntervalProblem checks a command-line destination against the video", "[config]") {
  const auto youtube = parseDestinationArgument("youtube=k").destination.value();
  VideoSettings video;
  CHECK_FALSE(keyframeIntervalProblem(youtube, video).has_value());
  video.keyframeIntervalSeconds = 8;
  CHECK(keyframeIntervalProblem(youtube, video).value_or("").find("YouTube accepts a keyframe at most every 4 s") == 0);
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
  CHECK(facebook.error == "Facebook accepts only RTMPS: the URL must start with rtmps://");
}

TEST_CASE("PLATFORM=KEY for a platform without a default URL says to pass NAME=URL", "[config]") {
  const auto result = parseDestinationArgument("linkedin=secret-key-1");
  CHECK_FALSE(result.destination.has_value());
  REQUIRE(result.error.has_value());
  CHECK(*result.error ==
        "LinkedIn has no default ingest URL (each live has its own): pass linkedin=rtmps://HOST/APP/KEY with the URL "
        "from the platform");
}

TEST_CASE("a malformed --destination argument is refused", "[config]") {
  struct Case {
    std::string argument;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"youtube", "no '=' in the destination: expected PLATFORM=KEY (e.g. youtube=KEY) or NAME=rtmp[s]://HOST/APP/KEY"},
      {"=abc", "the name before '=' is empty"},
      {"youtube=", "nothing after '=': give the stream key or the full URL"},
      {"My Server=rtmp://h/a/k", "the name before '=' must be 1 to 32 characters"},
      {"youtub=abc", R"(unknown platform "youtub" (did you mean "youtube"?))"},
      {"local=rtmp://h:70000/a/k", "port 70000 is out of range (1..65535)"},
      {"local=rtmp://h/live", "no stream key: the URL ends at the application"},
      {"local=http://h/a/k", "scheme must be rtmp:// or rtmps://"},
      {"youtube=abc def", "the stream key contains a space or a control character"},
  };
  for (const auto& c : cases) {
    INFO(c.argument);
    const auto result = parseDestinationArgument(c.argument);
    CHECK_FALSE(result.destination.has_value());
    REQUIRE(result.error.has_value());
    CHECK_THAT(*result.error, Catch::Contains(c.message));
  }
  CHECK_THAT(*parseDestinationArgument("mytube=abc").error,
             Catch::Contains("for another server pass mytube=rtmp[s]://HOST/APP/KEY"));
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
    requireSingleProblem(std::string(R"({"web": {"address": ")") + bad + R"("}})", "web.address", "IP address");
  }
}

TEST_CASE("a web port out of range is refused", "[config][web]") {
  requireSingleProblem(R"({"web": {"port": 0}})", "web.port", "");
  requireSingleProblem(R"({"web": {"port": 70000}})", "web.port", "");
  requireSingleProblem(R"({"web": {"port": "8080"}})", "web.port", "");
}

TEST_CASE("a TLS certificate without its key is refused", "[config][web]") {
  requireSingleProblem(R"({"web": {"tls_certificate": "cert.pem"}})", "web", "both or neither");
  requireSingleProblem(R"({"web": {"tls_key": "key.pem"}})", "web", "both or neither");
}

TEST_CASE("unknown keys of web and session are refused with a suggestion", "[config][web]") {
  requireSingleProblem(R"({"web": {"prot": 80}})", "web.prot", "did you mean");
  requireSingleProblem(R"({"session": {"record_during_huisclos": true}})", "session.record_during_huisclos",
                       "did you mean");
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
    const auto range = " is out of range (" + std::to_string(c.min) + ".." + std::to_string(c.max) + ")";
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
      {R"({"questions": true})", "questions", "expected an object, got a boolean"},
      {R"({"questions": {"enabled": "yes"}})", "questions.enabled", "expected a boolean (true or false), got a string"},
      {R"({"questions": {"prescreen": 1}})", "questions.prescreen",
       "expected a boolean (true or false), got an integer"},
      {R"({"questions": {"max_length": "500"}})", "questions.max_length", "expected an integer, got a string"},
      {R"({"questions": {"max_place_length": 6.5}})", "questions.max_place_length",
       "expected an integer, got a decimal number"},
      {R"({"questions": {"per_browser": 3}})", "questions.per_browser", "expected an object, got an integer"},
      {R"({"questions": {"per_address": {"count": "10"}}})", "questions.per_address.count",
       "expected an integer, got a string"},
      {R"({"questions": {"votes_per_address": {"seconds": null}}})", "questions.votes_per_address.seconds",
       "expected an integer, got null"},
      {R"({"questions": {"retention_days": "90"}})", "questions.retention_days", "expected an integer, got a string"},
      {R"({"questions": {"profanity_file": ""}})", "questions.profanity_file", "must not be empty"},
      {R"({"questions": {"notice": "RGPD"}})", "questions.notice", "expected an object, got a string"},
      {R"({"questions": {"notice": {"purpose": 1}}})", "questions.notice.purpose", "expected a string, got an integer"},
      {R"({"questions": {"notice": {"contact": ""}}})", "questions.notice.contact", "must not be empty"},
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
    requireSingleProblem(with(longest + "e"), path, "must be at most 1000 characters (got 1001)");
    requireSingleProblem(with("Ligne 1\\nLigne 2"), path, "must not contain control characters");
    requireSingleProblem(with(""), path, "must not be empty");
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
      {R"({"question": {}})", "question", R"(unknown key "question" (did you mean "questions"?))"},
      {R"({"questions": {"max_lenght": 500}})", "questions.max_lenght",
       R"(unknown key "max_lenght" (did you mean "max_length"?))"},
      {R"({"questions": {"pre_screen": true}})", "questions.pre_screen",
       R"(unknown key "pre_screen" (did you mean "prescreen"?))"},
      {R"({"questions": {"retention_day": 90}})", "questions.retention_day",
       R"(unknown key "retention_day" (did you mean "retention_days"?))"},
      {R"({"questions": {"per_browser": {"cout": 3}}})", "questions.per_browser.cout",
       R"(unknown key "cout" (did you mean "count"?))"},
      {R"({"questions": {"per_address": {"minutes": 5}}})", "questions.per_address.minutes",
       R"(unknown key "minutes"; known keys: count, seconds)"},
      {R"({"questions": {"notice": {"contacts": "x"}}})", "questions.notice.contacts",
       R"(unknown key "contacts" (did you mean "contact"?))"},
      {R"({"questions": {"notice": {"dpo": "x"}}})", "questions.notice.dpo",
       R"(unknown key "dpo"; known keys: purpose, retention, contact)"},
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
  requireOnlyProblem(R"({"preflight": {"test_url": "rtmps://test.mairie.local/live/essai"}})", "preflight.test_url",
                     "the uplink is measured over plain rtmp:// only; give the test server's rtmp:// URL");
  requireOnlyProblem(R"({"preflight": {"test_url": "http://test.mairie.local/live/essai"}})", "preflight.test_url",
                     "scheme must be rtmp:// or rtmps://, not http://");
  requireOnlyProblem(R"({"preflight": {"test_url": 12}})", "preflight.test_url", "expected a string, got an integer");
  requireOnlyProblem(R"({"preflight": {"test_uri": "rtmp://h/live/k"}})", "preflight.test_uri",
                     R"(unknown key "test_uri" (did you mean "test_url"?))");
}
