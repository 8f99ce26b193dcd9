// The `tribune` executable as a technician runs it.
#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

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
  CHECK(result.err.find("did you mean") != std::string::npos);
  CHECK(result.err.find("SECRET-FB-KEY") == std::string::npos);
  CHECK(result.out.find("SECRET-FB-KEY") == std::string::npos);
}

TEST_CASE("tribune check names a file that is not JSON by line and column", "[cli][config]") {
  TempDir dir;
  writeTextFile(dir / "tribune.json", "{\n  \"source\": \"test\",\n  oops\n}\n");
  auto result = runCommand({kTribune, "check", "--config", (dir / "tribune.json").string()}, 20s);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("line 3") != std::string::npos);
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
