// Lip sync end to end (issue 27, part 2): a clip with a white flash and a 1 kHz beep at the
// same instant every second (support/lip_sync.h) is played into Tribune, which publishes
// to a real nginx-rtmp, records locally and exports the replay; each flash's beep is found
// in what nginx, the recording and the replay hold, and the offset (sound − picture) must
// stay within broadcast practice, −40 ms (sound ahead) to +60 ms (sound behind), from 3 s
// after the source's picture first arrives (and again after a restart of the source).
// The `file:` source is the in-sync reference: the same clip, played by GStreamer locally.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "app/agenda_loader.h"
#include "running_hub.h"
#include "support/lip_sync.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

constexpr double kSoundAheadMs = -40;  // the most the sound may lead the picture
constexpr double kSoundBehindMs = 60;  // the most it may lag
constexpr double kSettleS = 3;         // after the picture's first flash (or its return)
constexpr double kRestartGapS = 2.5;   // flashes this far apart: the source was away

core::DispatchResult run(RunningHub& hub, const std::string& type) {
  return hub.hub().submit(core::Role::Technician, core::Request{type, nlohmann::json::object()}).get();
}

core::Config lipSyncConfig(const std::string& source, const std::string& rtmpUrl) {
  auto config = testConfig();
  config.source = source;
  config.destinations.push_back(testDestination("platform", rtmpUrl));
  return config;
}

// The SRT camera, Tribune calling it with SRT's own default latency.
std::string srtSource(int port) { return "srt://127.0.0.1:" + std::to_string(port) + "?mode=caller"; }

bool waitForSourceUp(RunningHub& hub, std::chrono::milliseconds timeout) {
  return waitUntil(
      [&] {
        const auto s = hub.hub().sourceStats();
        return s.videoUp && s.audioUp;
      },
      timeout, 20ms);
}

// Where the source's picture (re)starts: the first flash, and each flash after a gap.
std::vector<double> stretchStarts(const LipSyncReading& reading) {
  std::vector<double> starts;
  for (std::size_t i = 0; i < reading.flashes.size(); ++i) {
    if (i == 0 || reading.flashes[i] - reading.flashes[i - 1] > kRestartGapS) starts.push_back(reading.flashes[i]);
  }
  return starts;
}

// The pairs that the bounds apply to: from kSettleS after each stretch's start.
std::vector<LipSyncPair> settledPairs(const LipSyncReading& reading) {
  const auto starts = stretchStarts(reading);
  std::vector<LipSyncPair> settled;
  for (const auto& pair : reading.pairs) {
    double start = -1;
    for (const double s : starts) {
      if (s <= pair.pictureS) start = s;
    }
    if (start >= 0 && pair.pictureS >= start + kSettleS) settled.push_back(pair);
  }
  return settled;
}

// Reads `file` and checks every settled offset against the bounds; at least `atLeast`
// settled pairs (a flash without its beep, or none at all, is a failure too), in
// `stretches` stretches of the source's picture (0: any number).
void checkLipSync(const std::string& what, const std::string& file, std::size_t atLeast, std::size_t stretches = 1,
                  bool soundUnbroken = true) {
  const auto reading = readLipSync(file);
  const auto settled = settledPairs(reading);
  const auto spread = offsetSpread(settled);
  INFO(what << " (" << file << ")");
  INFO("offsets, sound − picture at each flash (file time): " << describePairs(reading.pairs));
  INFO("from " << kSettleS << " s after each start: " << spread.count << " pairs, " << spread.minMs << " to "
               << spread.maxMs << " ms, median " << spread.medianMs << " ms, drift " << offsetDriftMsPerS(settled)
               << " ms/s");
  INFO(describeTimelines(reading));
  if (stretches > 0) CHECK(stretchStarts(reading).size() == stretches);
  CHECK(settled.size() >= atLeast);
  // Every flash of a settled stretch has its beep.
  std::size_t unpaired = 0;
  for (const double flash : reading.flashes) {
    const bool paired = std::any_of(reading.pairs.begin(), reading.pairs.end(),
                                    [&](const LipSyncPair& p) { return p.pictureS == flash; });
    unpaired += paired ? 0 : 1;
  }
  CHECK(unpaired <= stretches);  // the last flash before a cut or the end may lose its beep
  CHECK(pairsOutside(settled, kSoundAheadMs, kSoundBehindMs).empty());
  // The sound is one unbroken run: its timestamps are where its samples counted put them
  // (a hole or an overlap there is a click, and a shift for a player that counts samples).
  // Before issue 27 an SRT source's sound had a hole of about 50 ms at the start.
  if (soundUnbroken) {
    CHECK(reading.audio.jumps == 0);
    CHECK(std::abs(reading.audio.endDriftMs) < 2);
  }
}

std::string nginxRecording(NginxRtmp& server, const std::string& key) {
  REQUIRE(server.waitForRecordingsClosed(key, 10s));
  const auto files = server.recordings(key);
  REQUIRE(files.size() == 1);  // one publish from start to end
  return files.front().string();
}

// Closes the session and waits for the replay the hub exports at "séance levée".
std::string exportReplay(RunningHub& hub) {
  REQUIRE(run(hub, "session.close").ok());
  REQUIRE(waitUntil([&] { return hub.hub().snapshot().exportState == "done"; }, 60s, 100ms));
  for (const auto& file : hub.hub().snapshot().exportFiles) {
    if (std::filesystem::path(file).filename() == "seance.mp4") return file;
  }
  FAIL("the export wrote no seance.mp4");
  return {};
}

// The SRT camera on loopback: the lip-sync clip (`seconds` long, looped by the
// sender), a real nginx-rtmp as the platform, and the sender's port for Tribune to call.
struct SrtCamera {
  explicit SrtCamera(int seconds) {
    makeLipSyncClip(clip, seconds);
    server.start();
    sender = std::make_unique<Process>(lipSyncSrtSender(clip, port, dir / "sender.txt"));
  }
  ~SrtCamera() {
    if (sender) sender->kill9();
  }
  SrtCamera(const SrtCamera&) = delete;
  SrtCamera& operator=(const SrtCamera&) = delete;

  void restart() { sender = std::make_unique<Process>(lipSyncSrtSender(clip, port, dir / "sender.txt")); }
  [[nodiscard]] core::Config config(const std::string& key) {
    return lipSyncConfig(srtSource(port), server.rtmpUrl(key));
  }

  TempDir dir;
  std::filesystem::path clip = dir / "clip.mp4";
  NginxRtmp server;
  int port = freeUdpLoopbackPort();
  std::unique_ptr<Process> sender;
};

core::Agenda demoAgenda() {
  return app::loadAgenda(std::string(TRIBUNE_SOURCE_DIR) + "/examples/agenda-demo.json", "");
}

}  // namespace

TEST_CASE("a file source keeps sound and picture together at the platform, in the recording and in the replay",
          "[media][lip-sync]") {
  TempDir dir;
  const auto clip = dir / "clip.mp4";
  makeLipSyncClip(clip, 30);  // longer than the run: no loop
  NginxRtmp server;
  server.start();
  TempDir data;
  std::string recording;
  std::string replay;
  {
    RunningHub hub(lipSyncConfig("file:" + clip.string(), server.rtmpUrl("lips-file")), data.path(), demoAgenda());
    REQUIRE(hub.waitForPhase("platform", "live", 10s));
    REQUIRE(run(hub, "session.open").ok());
    std::this_thread::sleep_for(16s);
    replay = exportReplay(hub);
    recording = hub.hub().recordingPath().string();
  }
  checkLipSync("what nginx received", nginxRecording(server, "lips-file"), 10);
  checkLipSync("the local recording", recording, 10);
  checkLipSync("the replay", replay, 8);
}

TEST_CASE("an SRT camera keeps sound and picture together at the platform, in the recording and in the replay",
          "[media][lip-sync]") {
  // The camera: a one-second clip looped by the sender, so that every flash comes
  // after a loop, where the sound's timestamps and its sample count part (each loop's
  // sound is a few ms longer than its picture). Issue 27 saw the sound fall 10 ms behind
  // every second there; this machine did not show that before the fix (a sawtooth within
  // the bounds), so this case guards the bounds and the unbroken sound of checkLipSync.
  SrtCamera camera(1);
  TempDir data;
  std::string recording;
  std::string replay;
  {
    RunningHub hub(camera.config("lips-srt"), data.path(), demoAgenda());
    REQUIRE(hub.waitForPhase("platform", "live", 10s));
    REQUIRE(waitForSourceUp(hub, 10s));
    REQUIRE(run(hub, "session.open").ok());
    std::this_thread::sleep_for(20s);
    replay = exportReplay(hub);
    recording = hub.hub().recordingPath().string();
  }
  checkLipSync("what nginx received", nginxRecording(camera.server, "lips-srt"), 14);
  checkLipSync("the local recording", recording, 14);
  checkLipSync("the replay", replay, 12);
}

TEST_CASE("an SRT camera killed and restarted keeps sound and picture together at the platform", "[media][lip-sync]") {
  SrtCamera camera(40);
  TempDir data;
  auto config = camera.config("lips-restart");
  config.recording.enabled = false;
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("platform", "live", 10s));
    REQUIRE(waitForSourceUp(hub, 10s));
    std::this_thread::sleep_for(8s);
    camera.sender->kill9();
    REQUIRE(waitUntil([&] { return !hub.hub().sourceStats().videoUp; }, 5s, 20ms));
    std::this_thread::sleep_for(3s);
    camera.restart();
    REQUIRE(waitForSourceUp(hub, 20s));
    std::this_thread::sleep_for(12s);
    CHECK(hub.destination("platform").reconnects == 0);
  }
  // Two stretches of the camera's picture, each settled 3 s after it starts.
  checkLipSync("what nginx received", nginxRecording(camera.server, "lips-restart"), 12, 2);
}

TEST_CASE("an SRT camera keeps sound and picture together at the platform across a stalled encoder's rebuild",
          "[media][lip-sync]") {
  SrtCamera camera(40);
  TempDir data;
  auto config = camera.config("lips-stall");
  config.recording.enabled = false;
  config.watchdog.encoderStall = 1000ms;
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("platform", "live", 10s));
    REQUIRE(waitForSourceUp(hub, 10s));
    std::this_thread::sleep_for(6s);
    hub.hub().simulateEncoderStall();
    REQUIRE(waitUntil([&] { return hub.hub().sourceStats().stalls == 1; }, 5s, 20ms));
    std::this_thread::sleep_for(10s);
    CHECK(hub.destination("platform").reconnects == 0);
  }
  // The stall is a hole of about a second in the picture; the bounds hold on both sides.
  // The rebuilt AAC encoder starts its sound one frame (21 ms) apart: a jump, not a drift.
  checkLipSync("what nginx received", nginxRecording(camera.server, "lips-stall"), 10, 0, false);
}

TEST_CASE("an SRT camera keeps sound and picture together at the platform after the destination reconnects",
          "[media][lip-sync]") {
  SrtCamera camera(40);
  TempDir data;
  auto config = camera.config("lips-reconnect");
  config.recording.enabled = false;
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("platform", "live", 10s));
    REQUIRE(waitForSourceUp(hub, 10s));
    std::this_thread::sleep_for(6s);
    camera.server.kill9();
    std::this_thread::sleep_for(2s);
    camera.server.start();
    REQUIRE(waitUntil([&] { return hub.destination("platform").reconnects >= 1; }, 15s, 50ms));
    REQUIRE(hub.waitForPhase("platform", "live", 15s));
    std::this_thread::sleep_for(10s);
  }
  REQUIRE(camera.server.waitForRecordingsClosed("lips-reconnect", 10s));
  const auto files = camera.server.recordings("lips-reconnect");
  REQUIRE(files.size() == 2);  // before the kill, and the publish after it
  checkLipSync("what nginx received after the reconnect", files.back().string(), 6);
}

TEST_CASE("a sound card whose clock runs 900 ppm fast keeps sound and picture together, corrected or not yet",
          "[media][lip-sync][drift]") {
  // A capture card's sound: the clip's sound resampled to 48 043 Hz and declared as
  // 48 000, 48 043 samples for each second of its timestamps (+900 ppm). Had
  // those samples been pushed as they come, the sound would fall 0.9 ms a second behind
  // the picture until the drift was corrected; its own timestamps keep it in place
  // meanwhile (cut by 2 ms every couple of seconds), and the correction then follows.
  TempDir dir;
  const auto clip = dir / "clip.mp4";
  makeLipSyncClip(clip, 50);  // longer than the run: no loop
  const auto presets = dir / "pipelines";
  std::filesystem::create_directories(presets);
  std::ofstream(presets / "file.pipeline")
      << "# tribune: capture\n"
         "filesrc location={{path}} ! decodebin name=decode\n"
         "decode. ! identity sync=true ! queue name=video\n"
         "decode. ! identity sync=true ! audioconvert ! audioresample"
         " ! audio/x-raw,rate=48043,layout=interleaved ! capssetter caps=audio/x-raw,rate=48000"
         " ! queue name=audio\n";
  NginxRtmp server;
  server.start();
  TempDir data;
  auto config = lipSyncConfig("file:" + clip.string(), server.rtmpUrl("lips-drift"));
  config.pipelinesDir = presets.string();
  std::string recording;
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("platform", "live", 10s));
    REQUIRE(waitUntil([&] { return hub.hub().sourceStats().audioRate == 48043; }, 40s, 100ms));
    CHECK(hub.hub().sourceStats().driftPpm.value_or(0) == Approx(900).margin(30));
    std::this_thread::sleep_for(8s);
    recording = hub.hub().recordingPath().string();
  }
  for (const auto& file : {nginxRecording(server, "lips-drift"), recording}) {
    checkLipSync(file, file, 25);
    const auto settled = settledPairs(readLipSync(file));
    const double drift = offsetDriftMsPerS(settled);
    INFO(file << ": the offset drifts by " << drift << " ms/s");
    CHECK(std::abs(drift) < 0.2);  // 0.9 ms/s had the samples been pushed as they came
  }
}

TEST_CASE("a picture converted slowly, as on a machine starved of CPU, keeps its sound at the platform",
          "[media][lip-sync][starved]") {
  // Issue 27's hour on a starved machine: the source's picture could not be converted as
  // fast as it came, a second of it queued up, it was taken for a jump of its timestamps
  // and moved, and sound and picture stayed a second apart for the rest of the meeting.
  // Here the conversion takes 70 ms a frame (half the CPU it needs) for 6 s: frames are
  // dropped while it is slow, and each one that goes out is still where its sound is.
  TempDir dir;
  const auto clip = dir / "clip.mp4";
  makeLipSyncClip(clip, 40);  // longer than the run: no loop
  NginxRtmp server;
  server.start();
  TempDir data;
  auto config = lipSyncConfig("file:" + clip.string(), server.rtmpUrl("lips-starved"));
  config.recording.enabled = false;
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("platform", "live", 10s));
    std::this_thread::sleep_for(4s);
    hub.hub().simulateSlowPicture(70ms, 6s);
    // While it is slow, what goes on air is a live picture at a lower rate, not a picture
    // falling further and further behind (the frames waiting for the conversion go).
    double lateMs = 0;
    for (auto until = std::chrono::steady_clock::now() + 6s; std::chrono::steady_clock::now() < until;) {
      lateMs = std::max(lateMs, hub.hub().sourceStats().videoLateMs);
      std::this_thread::sleep_for(100ms);
    }
    INFO("the picture reached the program up to " << lateMs << " ms late");
    CHECK(lateMs > 100);  // it was slow
    CHECK(lateMs < 600);  // 4 frames of 70 ms waiting, the one converted, and some slack
    std::this_thread::sleep_for(8s);
    const auto stats = hub.hub().sourceStats();
    CHECK(stats.rebases == 0);
    CHECK(hub.destination("platform").reconnects == 0);
  }
  // Flashes lost with the frames dropped may split the run in stretches (0: any number);
  // every flash that is there has its beep where it belongs, before, during and after.
  checkLipSync("what nginx received", nginxRecording(server, "lips-starved"), 14, 0);
}
