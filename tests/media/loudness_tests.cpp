// The programme's loudness as the platform receives it (issue 27, part 3): a quiet room
// brought to the target, a loud burst held under the true-peak ceiling, the room noise
// between speakers left at its own level. Measured on what nginx-rtmp recorded, by
// ffmpeg's own EBU R 128 meter (not Tribune's).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <regex>

#include "running_hub.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

// The clip's sound, by the second: speech-like noise bursts (three syllables a second, in a
// voice's band) at -35 LUFS until 36 s, a loud 1 kHz tone (-6 dBFS, a shout into the
// microphone) until 40 s, then the room's noise at about -62 LUFS, far under the gate.
constexpr double kLoudAt = 36;
constexpr double kRoomAt = 40;
constexpr double kClipSeconds = 56;

std::string channel(int seed) {
  const auto noise = [](int n) { return "(2*random(" + std::to_string(n) + ")-1)"; };
  return "if(lt(t,36),0.0474*" + noise(seed) + "*gt(sin(2*PI*3*t)+0.2,0),if(lt(t,40),0.5*sin(2*PI*1000*t),0.0016*" +
         noise(seed + 1) + "))";
}

void makeClip(const std::filesystem::path& clip) {
  const std::string seconds = std::to_string(kClipSeconds);
  const std::vector<std::string> command{"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                                         "testsrc=size=640x360:rate=30:duration=" + seconds, "-f", "lavfi", "-i",
                                         "aevalsrc='" + channel(0) + "|" + channel(2) + "':s=48000:d=" + seconds,
                                         // A voice's band: white noise would put a third of its energy above 16 kHz,
                                         // where the AAC encoder cuts, and come out 1.5 LU softer than it went in.
                                         "-af", "highpass=f=120,lowpass=f=5000", "-c:v", "libx264", "-preset",
                                         "ultrafast", "-g", "30", "-c:a", "pcm_s16le", clip.string()};
  const auto result = runCommand(command, 60s);
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg: " + result.err);
}

struct R128 {
  double integrated = NAN;  // LUFS
  double truePeak = NAN;    // dBTP
};

// ffmpeg's EBU R 128 summary of `duration` seconds from `from`.
R128 measure(const std::filesystem::path& file, double from, double duration) {
  const auto result =
      runCommand({"ffmpeg", "-hide_banner", "-nostats", "-ss", std::to_string(from), "-t", std::to_string(duration),
                  "-i", file.string(), "-vn", "-af", "ebur128=peak=true", "-f", "null", "-"},
                 60s);
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg: " + result.err);
  R128 r;
  std::smatch m;
  const std::string& text = result.err;
  const auto summary = text.rfind("Summary:");
  const std::string tail = summary == std::string::npos ? text : text.substr(summary);
  if (std::regex_search(tail, m, std::regex(R"(I:\s+(-?[0-9.]+|-inf) LUFS)"))) r.integrated = std::stod(m[1]);
  if (std::regex_search(tail, m, std::regex(R"(Peak:\s+(-?[0-9.]+|-inf) dBFS)"))) r.truePeak = std::stod(m[1]);
  return r;
}

// Where the loud tone starts in what nginx received (s): the first 100 ms louder than
// anything the speech can be after the gain.
double loudStart(const std::filesystem::path& file) {
  TempDir dir;
  const auto raw = dir / "sound.f32";
  const auto result = runCommand({"ffmpeg", "-v", "error", "-y", "-i", file.string(), "-vn", "-ac", "1", "-ar", "48000",
                                  "-f", "f32le", raw.string()},
                                 60s);
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg: " + result.err);
  const std::string bytes = readTextFile(raw);
  std::vector<float> samples(bytes.size() / sizeof(float));
  std::memcpy(samples.data(), bytes.data(), samples.size() * sizeof(float));
  constexpr std::size_t kWindow = 4800;
  for (std::size_t at = 0; at + kWindow <= samples.size(); at += kWindow) {
    double sum = 0;
    for (std::size_t i = at; i < at + kWindow; ++i) sum += static_cast<double>(samples[i]) * samples[i];
    if (std::sqrt(sum / kWindow) > 0.4) return static_cast<double>(at) / 48000.0;
  }
  return NAN;
}

core::DispatchResult send(RunningHub& hub, const std::string& type, nlohmann::json params = nlohmann::json::object()) {
  return hub.hub().submit(core::Role::Technician, core::Request{type, std::move(params)}).get();
}

}  // namespace

TEST_CASE("a quiet room reaches the loudness target, a loud burst is limited, the room noise is not raised",
          "[media][loudness]") {
  TempDir work;
  const auto clip = work / "quiet-room.mkv";
  makeClip(clip);
  const auto roomIn = measure(clip, kRoomAt + 2, kClipSeconds - kRoomAt - 4);
  REQUIRE(measure(clip, 0, kLoudAt).integrated == Approx(-35).margin(0.7));
  REQUIRE(roomIn.integrated < -58);

  NginxRtmp server;
  server.start();
  TempDir data;
  auto config = testConfig();
  config.source = "file:" + clip.string();
  config.destinations.push_back(testDestination("platform", server.rtmpUrl("loudness")));
  std::optional<media::LoudnessFigures> figures;
  nlohmann::json meeting;
  {
    RunningHub hub(config, data.path());
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(hub.waitForPhase("platform", "live", 5s));
    REQUIRE(send(hub, "session.open").ok());
    // To the end of the room's noise, short of the clip's loop.
    std::this_thread::sleep_until(started + std::chrono::milliseconds(static_cast<int>((kClipSeconds - 1.5) * 1000)));
    figures = hub.hub().loudness();
    REQUIRE(send(hub, "session.close").ok());
    meeting = hub.hub().meetingSnapshot();
    REQUIRE(send(hub, "loudness.mode", {{"mode", "frozen"}}).ok());
    std::this_thread::sleep_for(600ms);
    const auto frozen = hub.hub().loudness();
    REQUIRE(frozen);
    CHECK(frozen->mode == core::LoudnessMode::Frozen);
  }
  REQUIRE(server.waitForRecordingsClosed("loudness", 5s));
  const auto received = server.recordings("loudness");
  REQUIRE(received.size() == 1);
  const auto& file = received.front();

  const double loud = loudStart(file);
  REQUIRE(std::isfinite(loud));
  const auto speech = measure(file, loud - 10, 9);            // the gain has settled
  const auto burst = measure(file, loud, kRoomAt - kLoudAt);  // the shout
  const auto room = measure(file, loud + 4 + 6, 6);           // the room, after the gate's glide
  const auto whole = measure(file, 0, 600);
  INFO("loud tone at " << loud << " s; speech " << speech.integrated << " LUFS, burst " << burst.integrated
                       << " LUFS, room " << room.integrated << " LUFS (in: " << roomIn.integrated << "), true peak "
                       << whole.truePeak << " dBTP");
  CHECK(speech.integrated == Approx(-16).margin(1.0));
  CHECK(whole.truePeak <= -1.0);
  CHECK(burst.truePeak <= -1.0);
  CHECK(burst.integrated < 0);  // +19 dB on a -6 dBFS tone would be +13 LUFS: limited
  CHECK(room.integrated <= roomIn.integrated + 1.0);
  CHECK(room.integrated >= roomIn.integrated - 3.0);  // left as it is, not gated to silence

  // What the console was told, and what the replay gets.
  REQUIRE(figures);
  CHECK(figures->mode == core::LoudnessMode::Auto);
  CHECK(figures->targetLufs == -16.0);
  REQUIRE(figures->integratedLufs);
  REQUIRE(figures->maxTruePeakDbtp);
  CHECK(*figures->maxTruePeakDbtp <= -1.0);
  CHECK(meeting["loudness"]["integrated_lufs"].is_number());
  // The replay's record, exported as the session closed.
  const auto record = readTextFile(data / "exports" / meeting["id"].get<std::string>() / "seance.json");
  REQUIRE_FALSE(record.empty());
  const auto seance = nlohmann::json::parse(record);
  REQUIRE(seance["loudness"]["integrated_lufs"].is_number());
  CHECK(seance["loudness"]["integrated_lufs"].get<double>() == Approx(*figures->integratedLufs).margin(1.0));
  CHECK(seance["loudness"]["true_peak_dbtp"].get<double>() <= -1.0);
}
