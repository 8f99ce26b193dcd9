#include <catch2/catch.hpp>

#include "core/source_spec.h"

using namespace tribune;

TEST_CASE("each source form maps to its preset and parameters", "[source]") {
  auto check = [](const char* text, const char* preset, const char* key, const char* value) {
    auto r = core::parseSourceSpec(text);
    INFO(text);
    REQUIRE(r.spec);
    CHECK(r.spec->preset == preset);
    if (key != nullptr) CHECK(r.spec->params.at(key) == value);
  };
  check("test", "test", nullptr, nullptr);
  check("file:/tmp/essai.mp4", "file", "path", "/tmp/essai.mp4");
  check("v4l2:/dev/video2", "v4l2", "device", "/dev/video2");
  check("rtsp://192.0.2.10:554/stream1", "rtsp", "uri", "rtsp://192.0.2.10:554/stream1");
  check("srt://127.0.0.1:9000?mode=caller", "srt", "uri", "srt://127.0.0.1:9000?mode=caller");
  check("decklink:1", "decklink", "device_number", "1");
}

TEST_CASE("malformed sources are refused with a message naming the expected form", "[source]") {
  for (const char* bad : {"", "camera", "file:", "v4l2:video0", "v4l2:/dev/videoX", "decklink:", "decklink:a",
                          "ndi:foo", "rtsp://", "srt://"}) {
    INFO(bad);
    auto r = core::parseSourceSpec(bad);
    CHECK_FALSE(r.spec);
    REQUIRE(r.error);
    CHECK_FALSE(r.error->empty());
  }
  CHECK(core::parseSourceSpec("v4l2:video0").error->find("v4l2:/dev/video0") != std::string::npos);
  CHECK(*core::parseSourceSpec("camera").error ==
        "source inconnue « camera » : utilisez test, file:CHEMIN, v4l2:/dev/videoN, rtsp://…, srt://… ou decklink:N");
  CHECK(*core::parseSourceSpec("rtsp://").error == "l'adresse rtsp:// n'a pas de serveur");
}

TEST_CASE("preset placeholders are replaced by quoted values", "[source]") {
  auto r = core::expandPreset("filesrc location={{path}} ! queue name=video", {{"path", "/tmp/a \"b\".mp4"}});
  REQUIRE(r.pipeline);
  CHECK(*r.pipeline == "filesrc location=\"/tmp/a \\\"b\\\".mp4\" ! queue name=video");
}

TEST_CASE("a value cannot break out of its quotes to add elements", "[source]") {
  auto r = core::expandPreset("filesrc location={{path}}", {{"path", "x\" ! fakesink name=\"y"}});
  REQUIRE(r.pipeline);
  CHECK(*r.pipeline == "filesrc location=\"x\\\" ! fakesink name=\\\"y\"");
}

TEST_CASE("a placeholder without a value is an error naming it", "[source]") {
  auto r = core::expandPreset("v4l2src device={{device}}", {});
  CHECK_FALSE(r.pipeline);
  CHECK(*r.error == "le préréglage utilise {{device}} mais la source ne donne pas device");
  CHECK(core::expandPreset("v4l2src device={{device", {{"device", "x"}}).error);
}

TEST_CASE("a preset file's directives are read and its comments left out of the pipeline", "[source]") {
  auto r = core::readPresetFile(
      "# A media file.\n"
      "# tribune: loop\n"
      "  #tribune:network (a sender not up yet is waited for)\n"
      "# Tribune's own comment: tribune: nothing here\n"
      "filesrc location={{path}} ! decodebin name=decode\n"
      "decode. ! queue name=video");
  REQUIRE(r.preset);
  CHECK(r.preset->loop);
  CHECK(r.preset->network);
  CHECK(r.preset->body == "filesrc location={{path}} ! decodebin name=decode\ndecode. ! queue name=video\n");

  auto plain = core::readPresetFile("videotestsrc ! queue name=video\n# just a comment\n");
  REQUIRE(plain.preset);
  CHECK_FALSE(plain.preset->loop);
  CHECK_FALSE(plain.preset->network);
}

TEST_CASE("a misspelt or empty preset directive is an error naming its line", "[source]") {
  auto check = [](const char* text, const char* expected) {
    INFO(text);
    auto r = core::readPresetFile(text);
    CHECK_FALSE(r.preset);
    REQUIRE(r.error);
    CHECK(*r.error == expected);
  };
  check(
      "# A camera.\n# tribune: netwrok (typo)\nsrtsrc ! queue name=video\n",
      R"msg(ligne 2: directive inconnue « # tribune: netwrok (typo) » (connues : « # tribune: loop », « # tribune: network », « # tribune: capture »))msg");
  check(
      "# tribune: loops\n",
      R"msg(ligne 1: directive inconnue « # tribune: loops » (connues : « # tribune: loop », « # tribune: network », « # tribune: capture »))msg");
  check(
      "x\ny\n  # tribune:   \r\n",
      R"msg(ligne 3: directive inconnue « # tribune: » (connues : « # tribune: loop », « # tribune: network », « # tribune: capture »))msg");
}

TEST_CASE("a preset's sound is a capture card's only when it says so", "[source]") {
  using tribune::core::SoundClock;
  const auto card = tribune::core::readPresetFile("# tribune: capture (a USB card)\nalsasrc ! queue name=audio\n");
  REQUIRE(card.preset);
  CHECK(card.preset->soundClock == SoundClock::Capture);
  const auto camera = tribune::core::readPresetFile("# tribune: network\nsrtsrc ! queue name=audio\n");
  REQUIRE(camera.preset);
  CHECK(camera.preset->soundClock == SoundClock::Stamped);
}
