// Source-loss benchmark (DESIGN.md §7 "source loss": slate on air within 500 ms; no output
// ever disconnects). `scripts/bench source-loss` runs it.
//
// Method. It starts its own nginx-rtmp on loopback (tests/support's NginxRtmp: the stream
// key "source-loss" is the one destination, recorded to FLV), an SRT sender in listener mode
// (gst-launch-1.0: a moving SMPTE picture, x264, and a 1 kHz tone, AAC, in MPEG-TS, as
// tests/media/source_loss_tests.cpp's srtSender) and the real `tribune run` (a separate
// process, config written to a fresh folder under /tmp) with the source
// `srt://127.0.0.1:PORT?mode=caller&latency=40`, Tribune's default video settings (1080p30,
// x264 veryfast) and the recording on. The watchdog keeps Tribune's defaults (docs/CONFIG.md
// "watchdog": source_timeout_ms 500) unless --source-timeout-ms is given; the output says
// which. Once the destination is live and both tracks are up, the picture flows --warmup-s;
// then, --kills times in the same tribune run: the sender is SIGKILLed, stays away --down-s,
// is started again, Tribune is waited for until it reports both tracks up again (GET
// /metrics, tribune_source_up), and the picture flows --flow-s before the next kill.
//
// What is measured, from what nginx recorded (decoded by ffmpeg after the run, so in the
// stream's own time: no wall-clock mapping):
//   - the source's death as the stream shows it: where the tone stops and silence starts
//     (10 ms windows, tests/media/media_timeline.h's soundLetters; the sound decoded with
//     -copyts and gaps filled, so that a window's index is its time in the file);
//   - the slate: the first frame (every frame, its own PTS from showinfo) whose pixel at
//     (40, 40) has the slates' colour, the demo branding's primary #1f3a93 (as
//     media_timeline.h's slateLetters, but per frame rather than 10 a second): "opaque";
//     the slate fades in (graphics.fade_ms, 300 ms by default), so the frames before it
//     whose pixel moves steadily towards that colour are its fade, and the first of them is
//     where the slate goes on air (the same "first frame that shows it" as the latency
//     benchmark); the bar is judged there, the opaque frame is shown beside it;
//   - the picture's own end: the last frame where a strip across the test pattern still
//     moved before the slate; "slate after the picture stopped moving" is the frozen
//     picture a viewer sees before the slate (0 when the slate came over moving picture);
//   - slate delay = start of the slate − start of the silence (≤ 500 ms is the bar): what a
//     viewer gets between the last sound of the source and the slate. The source's last
//     sound sits in the program's timeline later than the kill by the sound's own path
//     (SRT latency, demuxer, queues), while the slate goes on the frame being composed when
//     the watchdog fires, so this can be shorter than the watchdog's timeout;
//   - picture back: the first frame of the source's picture after the slate. Its delay
//     after the sender's restart is an estimate: (picture back − silence start) in stream
//     time − (restart − kill) in wall time, which assumes the kill shows in the stream as
//     late as the picture's return does (both a few tens of ms of pipeline latency).
// From the side: the wall-clock time from the kill until tribune's /metrics says the
// picture is lost, and from the restart until it says both tracks are up again (polled
// every 20 ms).
// "No output ever disconnects": nginx's on_publish calls (publishAttempts) and recorded
// files for the key must be exactly one for the whole run, and
// tribune_destination_reconnects_total must not move; the largest gaps between packet
// timestamps in the recording are shown too.
//
// A benchmark reports; it does not test: the exit status is non-zero only when it cannot
// run (nginx, the sender or tribune does not start, tribune dies during the run, nothing
// was recorded), never for a missed bar. How to read the numbers: docs/PERFORMANCE.md.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "core/config.h"
#include "media_timeline.h"
#include "summary.h"
#include "support/ffprobe.h"
#include "support/lip_sync.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "tribune_run.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace tribune;
using bench::commandLine;
using bench::fixed;
using bench::httpGet;
using bench::metric;
using bench::readFile;
using tribune::testing::NginxRtmp;
using tribune::testing::Process;
using tribune::testing::ProcessOptions;
using tribune::testing::Redirect;
using tribune::testing::TempDir;

const std::string kKey = "source-loss";  // stream key and destination name

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  int kills = 5;
  double warmupS = 4;
  double downS = 3;
  double flowS = 4;
  double backTimeoutS = 30;
  std::optional<int> sourceTimeoutMs;  // none: Tribune's default
  std::string profile = "1080p30";
  std::optional<std::string> preset;  // none: Tribune's default
  fs::path tribune = TRIBUNE_BINARY;
  bool keep = false;
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_source_loss: " << problem << "\n"
      << "usage: tribune_bench_source_loss [--kills K (5)] [--source-timeout-ms T (Tribune's default, 500)]\n"
      << "                                 [--warmup-s S (4)] [--down-s S (3)] [--flow-s S (4)] [--back-timeout-s S "
         "(30)]\n"
      << "                                 [--profile 1080p30|720p30] [--preset P (Tribune's default, veryfast)]\n"
      << "                                 [--keep] [--tribune PATH]\n"
      << "Starts nginx-rtmp, an SRT sender (gst-launch-1.0) and `tribune run` fed by it on loopback, kills and\n"
      << "restarts the sender K times in one run, then reads nginx's recording: the slate's delay after the\n"
      << "source's death (stream time), the picture's return, and the publishes (docs/PERFORMANCE.md).\n"
      << "--keep keeps tribune's data dir and nginx's (TRIBUNE_KEEP_TEST_FILES=1).\n";
  std::exit(status);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  bench::OptionReader in(argc, argv, usage);
  while (in.next()) {
    const std::string& a = in.name();
    if (a == "--help" || a == "-h") usage("help", 0);
    if (a == "--kills") {
      o.kills = in.whole(1, 1000);
    } else if (a == "--source-timeout-ms") {
      o.sourceTimeoutMs = in.whole(100, 10000);  // docs/CONFIG.md: watchdog.source_timeout_ms, 100..10000
    } else if (a == "--warmup-s") {
      o.warmupS = in.number(1, 3600);
    } else if (a == "--down-s") {
      o.downS = in.number(0.5, 600);
    } else if (a == "--flow-s") {
      o.flowS = in.number(1, 3600);
    } else if (a == "--back-timeout-s") {
      o.backTimeoutS = in.number(1, 3600);
    } else if (a == "--profile") {
      o.profile = in.value();
      if (o.profile != "1080p30" && o.profile != "720p30") usage("--profile: 1080p30 or 720p30, not " + o.profile);
    } else if (a == "--preset") {
      o.preset = in.value();
      if (!bench::isX264Preset(*o.preset)) usage("--preset: an x264 preset (ultrafast … placebo), not " + *o.preset);
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--tribune") {
      o.tribune = in.value();
    } else {
      usage("unknown argument " + a);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------
// Small helpers

double median(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
  return values.empty() ? std::nan("") : bench::summaryMedian(values);
}

// "median (min–max)" of the known values.
std::string medianAndRange(std::vector<double> values, int decimals) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
  if (values.empty()) return "—";
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return fixed(bench::summaryMedian(values), decimals) + " (" + fixed(*lo, decimals) + "–" + fixed(*hi, decimals) + ")";
}

// The encoder at the other end of the SRT link, listening: MPEG-TS with a moving test
// picture (H.264) and a 1 kHz tone (AAC). source_loss_tests.cpp's srtSender.
std::unique_ptr<Process> srtSender(int port, const fs::path& log) {
  std::vector<std::string> argv{"gst-launch-1.0",
                                "-q",
                                "mpegtsmux",
                                "name=mux",
                                "alignment=7",
                                "!",
                                "srtsink",
                                "uri=srt://127.0.0.1:" + std::to_string(port) + "?mode=listener",
                                "latency=40",
                                "wait-for-connection=false",
                                "videotestsrc",
                                "is-live=true",
                                "pattern=smpte",
                                "horizontal-speed=4",
                                "!",
                                "video/x-raw,width=640,height=360,framerate=30/1",
                                "!",
                                "x264enc",
                                "tune=zerolatency",
                                "speed-preset=ultrafast",
                                "key-int-max=15",
                                "!",
                                "h264parse",
                                "!",
                                "mux.",
                                "audiotestsrc",
                                "is-live=true",
                                "wave=sine",
                                "freq=1000",
                                "volume=0.3",
                                "!",
                                "audioconvert",
                                "!",
                                "avenc_aac",
                                "!",
                                "aacparse",
                                "!",
                                "mux."};
  ProcessOptions options;
  options.out = Redirect::appendTo(log);
  options.err = Redirect::appendTo(log);
  return std::make_unique<Process>(argv, options);
}

// ---------------------------------------------------------------------------------------
// The recording, in stream time

struct Frame {
  double t = 0;  // PTS in the file (s)
  bool slate = false;
  double distance = 0;  // of the pixel's colour from the slates' (RGB, Euclidean)
  double motion = 0;    // mean difference of the strip from the previous frame (0..255)
};

// Every decoded frame of the file with its PTS, and whether the pixel at (40, 40) has the
// slates' colour (media_timeline.h's slateLetters test, one frame at a time).
std::vector<Frame> decodeFrames(const std::string& file) {
  TempDir dir("tribune-bench-frames");
  const auto raw = dir / "pixels.rgb";
  const auto strip = dir / "strip.gray";
  // One decode, two outputs: the slate's pixel, and a strip across the test pattern's bars
  // (5/9 down: clear of the bug, the QR card and the lower-thirds) to see it move.
  auto result = testing::runCommand(
      {"ffmpeg",
       "-hide_banner",
       "-nostats",
       "-y",
       "-copyts",
       "-i",
       file,
       "-filter_complex",
       "[0:v]showinfo,split[a][b];[a]crop=2:2:40:40,format=rgb24[pixel];[b]crop=iw:2:0:ih*5/9,format=gray[strip]",
       "-map",
       "[pixel]",
       "-fps_mode",
       "passthrough",
       "-f",
       "rawvideo",
       raw.string(),
       "-map",
       "[strip]",
       "-fps_mode",
       "passthrough",
       "-f",
       "rawvideo",
       strip.string()},
      std::chrono::seconds(300));
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg (frames): " + result.err.substr(0, 2000));
  std::vector<double> times;
  std::istringstream lines(result.err);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("Parsed_showinfo") == std::string::npos || line.find("] n:") == std::string::npos) continue;
    const auto at = line.find("pts_time:");
    if (at == std::string::npos) continue;
    times.push_back(std::stod(line.substr(at + 9)));
  }
  const std::string bytes = testing::readTextFile(raw);
  const std::size_t count = bytes.size() / 12;
  if (count != times.size())
    throw std::runtime_error("ffmpeg decoded " + std::to_string(count) + " frames but showed " +
                             std::to_string(times.size()) + " timestamps");
  const std::string rows = testing::readTextFile(strip);
  if (count == 0 || rows.size() % count != 0) throw std::runtime_error("ffmpeg: the strip does not match the frames");
  const std::size_t width = rows.size() / count;
  std::vector<Frame> frames(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) {
      double sum = 0;
      for (std::size_t x = 0; x < width; ++x) {
        sum += std::abs(static_cast<int>(static_cast<std::uint8_t>(rows[i * width + x])) -
                        static_cast<int>(static_cast<std::uint8_t>(rows[(i - 1) * width + x])));
      }
      frames[i].motion = sum / static_cast<double>(width);
    }
    const int r = static_cast<std::uint8_t>(bytes[i * 12]);
    const int g = static_cast<std::uint8_t>(bytes[i * 12 + 1]);
    const int b = static_cast<std::uint8_t>(bytes[i * 12 + 2]);
    frames[i].t = times[i];
    frames[i].slate = std::abs(r - 0x1f) < 40 && std::abs(g - 0x3a) < 40 && std::abs(b - 0x93) < 40;
    frames[i].distance = std::hypot(r - 0x1f, g - 0x3a, b - 0x93);
  }
  return frames;
}

// The sound as mono 48 kHz from file time 0: timestamps kept (-copyts), the start and any
// gap over 10 ms filled with silence, so that sample i is at i / 48000 s in the file.
std::vector<std::int16_t> decodeSoundFromZero(const std::string& file) {
  TempDir dir("tribune-bench-sound");
  const auto raw = dir / "sound.s16";
  auto result = testing::runCommand(
      {"ffmpeg", "-v", "error", "-y", "-copyts", "-i", file, "-vn", "-af",
       "aresample=async=1:min_hard_comp=0.01:first_pts=0", "-ac", "1", "-ar", "48000", "-f", "s16le", raw.string()},
      std::chrono::seconds(300));
  if (result.exit_code != 0) throw std::runtime_error("ffmpeg (sound): " + result.err.substr(0, 2000));
  const std::string bytes = testing::readTextFile(raw);
  std::vector<std::int16_t> samples(bytes.size() / 2);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    samples[i] = static_cast<std::int16_t>(static_cast<std::uint8_t>(bytes[i * 2]) |
                                           (static_cast<std::uint8_t>(bytes[i * 2 + 1]) << 8));
  }
  return samples;
}

// Largest gap between consecutive timestamps (s), DTS when known (running_hub.h's).
double largestGap(const std::vector<testing::Packet>& packets) {
  double gap = 0;
  for (std::size_t i = 1; i < packets.size(); ++i) {
    const double a = std::isnan(packets[i - 1].dts_time) ? packets[i - 1].pts_time : packets[i - 1].dts_time;
    const double b = std::isnan(packets[i].dts_time) ? packets[i].pts_time : packets[i].dts_time;
    gap = std::max(gap, b - a);
  }
  return gap;
}

constexpr double kSoundStep = 0.010;       // s per letter of sound
constexpr std::size_t kSilenceRun = 20;    // 200 ms of silence: the source is gone
constexpr std::size_t kToneRun = 20;       // 200 ms of tone: the sound is back
constexpr std::size_t kFirstToneRun = 50;  // 500 ms: the source had started
constexpr std::size_t kSlateRun = 3;       // frames
constexpr std::size_t kPictureRun = 5;     // frames

// One loss as the stream shows it (file times, s; NaN when not found).
struct Loss {
  std::string file;
  double silence = std::nan("");
  double slate = std::nan("");        // the first frame of the slate: its fade's first step
  double slateOpaque = std::nan("");  // the first frame where the pixel has the slates' colour
  double frozen = std::nan("");       // the first still frame before the slate (= slate when none)
  double pictureBack = std::nan("");
  double toneBack = std::nan("");
};

// The first index at or after `from` where `count` frames in a row have slate == `slate`.
std::size_t findFrames(const std::vector<Frame>& frames, std::size_t from, bool slate, std::size_t count) {
  for (std::size_t i = from; i + count <= frames.size(); ++i) {
    bool all = true;
    for (std::size_t k = 0; k < count && all; ++k) all = frames[i + k].slate == slate;
    if (all) return i;
  }
  return std::string::npos;
}

struct FileReading {
  std::vector<Loss> losses;
  std::string sound;  // one letter per 10 ms, for a post-mortem
  std::string picture;
  double videoGap = 0;
  double audioGap = 0;
};

FileReading readRecording(const fs::path& path) {
  const std::string file = path.string();
  FileReading reading;
  const auto frames = decodeFrames(file);
  reading.sound = testing::soundLetters(decodeSoundFromZero(file), kSoundStep);
  for (const auto& frame : frames) reading.picture += frame.slate ? 'H' : '.';
  reading.videoGap = largestGap(testing::probePackets(file, "v"));
  reading.audioGap = largestGap(testing::probePackets(file, "a"));
  const std::string& sound = reading.sound;
  std::size_t pos = sound.find(std::string(kFirstToneRun, 'T'));
  while (pos != std::string::npos) {
    const std::size_t silence = sound.find(std::string(kSilenceRun, 's'), pos);
    if (silence == std::string::npos) break;
    Loss loss;
    loss.file = path.filename().string();
    loss.silence = static_cast<double>(silence) * kSoundStep;
    // The slate may come a little before the silence (the sound's path is the longer one):
    // 500 ms of margin, far less than a loss and the flow after it.
    std::size_t from = 0;
    while (from < frames.size() && frames[from].t < loss.silence - 0.5) ++from;
    const std::size_t slate = findFrames(frames, from, true, kSlateRun);
    if (slate != std::string::npos) {
      loss.slateOpaque = frames[slate].t;
      // The slate fades in (graphics.fade_ms): walking back from the first frame with its
      // colour, while each frame was clearly farther from it than the next, finds the first
      // frame that showed it. Under the pixel, the picture (a bar of the test pattern, or
      // the frozen last frame) does not change over a fade's few frames.
      std::size_t start = slate;
      while (start > from && frames[start - 1].distance > frames[start].distance + 4.0) --start;
      loss.slate = frames[start].t;
      // The source's picture moves (a few grey levels a frame on the strip); the frames
      // repeated once it is gone do not. Where it last moved before the slate:
      constexpr double kMoving = 0.5;
      std::size_t still = start;
      while (still > from && frames[still - 1].motion < kMoving) --still;
      loss.frozen = frames[still].t;
      const std::size_t back = findFrames(frames, slate, false, kPictureRun);
      if (back != std::string::npos) loss.pictureBack = frames[back].t;
    }
    const std::size_t tone = sound.find(std::string(kToneRun, 'T'), silence);
    if (tone != std::string::npos) loss.toneBack = static_cast<double>(tone) * kSoundStep;
    reading.losses.push_back(loss);
    pos = tone;
  }
  return reading;
}

// ---------------------------------------------------------------------------------------
// The run

struct KillRecord {
  double downS = 0;                 // restart − kill, wall clock
  double sawLossMs = std::nan("");  // kill → /metrics says the picture is lost
  double sawBackMs = std::nan("");  // restart → /metrics says both tracks are up
};

class SourceLossBench {
 public:
  explicit SourceLossBench(Options options) : o_(std::move(options)) {}
  int run(const std::string& command);

 private:
  void startTribune();
  std::optional<std::string> metrics() { return httpGet(webPort_, "/metrics", 2s); }
  // Polls /metrics every 20 ms until `done` holds on it or `timeout` passes; the time it
  // held (ms after `since`), or NaN.
  double pollUntil(const std::function<bool(const std::string&)>& done, Clock::time_point since,
                   std::chrono::milliseconds timeout);
  void requireTribune(const std::string& when) {
    if (tribune_->running()) return;
    throw std::runtime_error("tribune exited " + when + " (status " +
                             std::to_string(tribune_->exitStatus().value_or(-1)) + "); the end of its log:\n" +
                             bench::tail(readFile(data_->path() / "log.txt"), 4000));
  }
  static bool up(const std::string& text, const char* track) {
    return metric(text, std::string("tribune_source_up{track=\"") + track + "\"}").value_or(0) == 1.0;
  }

  Options o_;
  std::unique_ptr<NginxRtmp> nginx_;
  std::unique_ptr<TempDir> data_;
  std::unique_ptr<Process> sender_;
  std::unique_ptr<Process> tribune_;
  int srtPort_ = 0;
  int webPort_ = 0;
};

double SourceLossBench::pollUntil(const std::function<bool(const std::string&)>& done, Clock::time_point since,
                                  std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (auto text = metrics(); text && done(*text))
      return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
    requireTribune("during the run");
    std::this_thread::sleep_for(20ms);
  }
  return std::nan("");
}

void SourceLossBench::startTribune() {
  webPort_ = testing::freeLoopbackPort();
  Json video{{"profile", o_.profile}};
  if (o_.preset) video["preset"] = *o_.preset;
  Json config{{"source", "srt://127.0.0.1:" + std::to_string(srtPort_) + "?mode=caller&latency=40"},
              {"video", video},
              {"web", {{"address", "127.0.0.1"}, {"port", webPort_}}},
              {"destinations", Json::array({{{"name", kKey}, {"url", nginx_->rtmpUrl(kKey)}}})}};
  if (o_.sourceTimeoutMs) config["watchdog"] = {{"source_timeout_ms", *o_.sourceTimeoutMs}};
  tribune_ = std::make_unique<Process>(bench::startTribuneRun(o_.tribune, data_->path(), config));
  switch (bench::waitUntilListening(*tribune_, webPort_, 30s)) {
    case bench::Listening::yes: break;
    case bench::Listening::exited: requireTribune("before listening"); break;
    case bench::Listening::timedOut:
      throw std::runtime_error("tribune did not listen within 30 s:\n" + readFile(data_->path() / "log.txt"));
  }
}

int SourceLossBench::run(const std::string& command) {
  const std::string started = bench::utcNow();
  if (o_.keep) setenv("TRIBUNE_KEEP_TEST_FILES", "1", 1);
  const core::WatchdogSettings defaults;
  const int timeoutMs = o_.sourceTimeoutMs.value_or(static_cast<int>(defaults.sourceTimeout.count()));
  const std::string watchdog = "watchdog.source_timeout_ms " + std::to_string(timeoutMs) +
                               (o_.sourceTimeoutMs ? " (--source-timeout-ms)" : " (Tribune's default)");
  const std::string preset = o_.preset.value_or(core::VideoSettings{}.x264Preset);
  std::cerr << "source-loss: " << o_.kills << " kills, " << watchdog << "\n";

  nginx_ = std::make_unique<NginxRtmp>();
  nginx_->start();  // throws with nginx's error log when it does not come up
  data_ = std::make_unique<TempDir>("tribune-bench-source-loss");
  const fs::path senderLog = data_->path() / "sender.txt";
  srtPort_ = testing::freeUdpLoopbackPort();
  sender_ = srtSender(srtPort_, senderLog);
  startTribune();
  std::cerr << "  nginx-rtmp on 127.0.0.1:" << nginx_->rtmpPort() << ", SRT sender on udp 127.0.0.1:" << srtPort_
            << ", tribune pid " << tribune_->pid() << " (data " << data_->path().string() << ")\n";

  // Live and both tracks up, then the picture flows.
  const auto startedAt = Clock::now();
  const double liveMs = pollUntil(
      [](const std::string& m) {
        return metric(m, "tribune_destination_live{destination=\"" + kKey + "\"}").value_or(0) == 1.0 &&
               up(m, "video") && up(m, "audio");
      },
      startedAt, 30s);
  if (std::isnan(liveMs)) {
    throw std::runtime_error("the destination was not live with both tracks up within 30 s; sender " +
                             std::string(sender_->running() ? "running" : "exited") + "; tribune's log:\n" +
                             readFile(data_->path() / "log.txt"));
  }
  const auto first = metrics();
  const double reconnectsBefore =
      first ? metric(*first, "tribune_destination_reconnects_total{destination=\"" + kKey + "\"}").value_or(0) : 0;
  std::this_thread::sleep_for(std::chrono::duration<double>(o_.warmupS));

  std::vector<KillRecord> kills;
  std::string interrupted;
  for (int k = 0; k < o_.kills; ++k) {
    requireTribune("during the run");
    if (!sender_->running()) throw std::runtime_error("the SRT sender exited by itself:\n" + readFile(senderLog));
    KillRecord record;
    const auto killAt = Clock::now();
    sender_->kill9();
    const auto restartAt =
        killAt + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.downS));
    record.sawLossMs = pollUntil([](const std::string& m) { return !up(m, "video"); }, killAt,
                                 std::chrono::duration_cast<std::chrono::milliseconds>(restartAt - Clock::now()));
    std::this_thread::sleep_until(restartAt);
    const auto restartedAt = Clock::now();
    sender_ = srtSender(srtPort_, senderLog);
    record.downS = std::chrono::duration<double>(restartedAt - killAt).count();
    record.sawBackMs = pollUntil([](const std::string& m) { return up(m, "video") && up(m, "audio"); }, restartedAt,
                                 std::chrono::milliseconds(static_cast<long>(o_.backTimeoutS * 1000)));
    kills.push_back(record);
    std::cerr << "  kill " << k + 1 << "/" << o_.kills << ": lost seen after " << fixed(record.sawLossMs, 0)
              << " ms, back seen " << fixed(record.sawBackMs, 0) << " ms after the restart\n";
    if (std::isnan(record.sawBackMs)) {
      interrupted = "the source was not back " + fixed(o_.backTimeoutS, 0) + " s after restart " +
                    std::to_string(k + 1) + ": no more kills";
      break;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.flowS));
  }
  requireTribune("during the run");

  // The run's counters, before tribune stops publishing.
  const auto last = metrics();
  const double reconnectsAfter =
      last ? metric(*last, "tribune_destination_reconnects_total{destination=\"" + kKey + "\"}").value_or(-1) : -1;
  const double restarts = last ? metric(*last, "tribune_source_restarts_total").value_or(-1) : -1;
  const double filler = last ? metric(*last, "tribune_source_filler_frames_total").value_or(-1) : -1;
  const double encoded = last ? metric(*last, "tribune_frames_encoded_total").value_or(-1) : -1;
  const double dropped = last ? metric(*last, "tribune_frames_dropped_total").value_or(-1) : -1;
  long publishes = 0;
  for (const auto& attempt : nginx_->publishAttempts())
    if (attempt.name == kKey) ++publishes;

  tribune_->signal(SIGINT);
  std::string stopped;
  if (const auto status = tribune_->waitFor(20s)) {
    stopped = "exit status " + std::to_string(*status) + " after SIGINT";
  } else {
    stopped = "still running 20 s after SIGINT: killed (" + std::to_string(tribune_->kill9()) + ")";
  }
  sender_->kill9();
  if (!nginx_->waitForRecordingsClosed(kKey, 10s)) std::cerr << "  warning: nginx still writes the recording\n";
  const auto files = nginx_->recordings(kKey);
  if (files.empty()) throw std::runtime_error("nginx recorded nothing under " + kKey);

  std::cerr << "  decoding what nginx recorded (" << files.size() << " file" << (files.size() == 1 ? "" : "s") << ")\n";
  std::vector<Loss> losses;
  std::vector<FileReading> readings;
  for (const auto& file : files) {
    readings.push_back(readRecording(file));
    losses.insert(losses.end(), readings.back().losses.begin(), readings.back().losses.end());
  }

  // --- The report
  const std::string setting = o_.profile + ", x264 " + preset + ", " + watchdog;
  std::cout << "\n### Source loss, " << setting << ": " << kills.size() << " kill" << (kills.size() == 1 ? "" : "s")
            << " in one run (" << started << ")\n\n"
            << "Machine: " << bench::machineAndLoad() << ". Command: `" << command << "`.\n"
            << "SRT sender (gst-launch, listener) SIGKILLed, away " << fixed(o_.downS, 1)
            << " s, restarted; times from nginx's recording, in stream time, except the last two columns "
               "(wall clock, tribune's /metrics polled every 20 ms).\n\n"
            << "| kill | silence from (file s) | slate after the silence, ms | slate opaque after the silence, ms | "
               "slate after the picture stopped moving, ms | picture back after the restart, ms "
               "(estimate) | slate on air, s | tone back − picture back, ms | loss seen by tribune after the kill, "
               "ms | both tracks up after the restart, ms |\n|---|---|---|---|---|---|---|---|---|---|\n";
  std::vector<double> delays, opaque, frozen, backs, sawLoss, sawBack;
  const std::size_t rows = std::max(kills.size(), losses.size());
  for (std::size_t i = 0; i < rows; ++i) {
    const Loss loss = i < losses.size() ? losses[i] : Loss{};
    const KillRecord record = i < kills.size() ? kills[i] : KillRecord{0, std::nan(""), std::nan("")};
    const double delay = (loss.slate - loss.silence) * 1000;
    const double back = i < kills.size() ? ((loss.pictureBack - loss.silence) - record.downS) * 1000 : std::nan("");
    if (i < kills.size()) {
      delays.push_back(delay);
      opaque.push_back((loss.slateOpaque - loss.silence) * 1000);
      frozen.push_back((loss.slate - loss.frozen) * 1000);
      backs.push_back(back);
      sawLoss.push_back(record.sawLossMs);
      sawBack.push_back(record.sawBackMs);
    }
    std::cout << "| " << (i < kills.size() ? std::to_string(i + 1) : "(no kill)") << " | " << fixed(loss.silence, 2)
              << " | " << fixed(delay, 0) << " | " << fixed((loss.slateOpaque - loss.silence) * 1000, 0) << " | "
              << fixed((loss.slate - loss.frozen) * 1000, 0) << " | " << fixed(back, 0) << " | "
              << fixed(loss.pictureBack - loss.slate, 2) << " | " << fixed((loss.toneBack - loss.pictureBack) * 1000, 0)
              << " | " << fixed(record.sawLossMs, 0) << " | " << fixed(record.sawBackMs, 0) << " |\n";
  }
  std::cout << "| **median (min–max)** | | " << medianAndRange(delays, 0) << " | " << medianAndRange(opaque, 0) << " | "
            << medianAndRange(frozen, 0) << " | " << medianAndRange(backs, 0) << " | | | " << medianAndRange(sawLoss, 0)
            << " | " << medianAndRange(sawBack, 0) << " |\n\n";
  if (losses.size() != kills.size()) {
    std::cout << "**Warning: " << losses.size() << " losses found in the recording for " << kills.size()
              << " kills; rows are matched in order.**\n\n";
  }

  double videoGap = 0, audioGap = 0;
  for (const auto& r : readings) {
    videoGap = std::max(videoGap, r.videoGap);
    audioGap = std::max(audioGap, r.audioGap);
  }
  const bool oneReconnectFree = reconnectsAfter == reconnectsBefore;
  const bool unbroken = publishes == 1 && files.size() == 1 && oneReconnectFree;
  std::cout << "| the output over the whole run | |\n|---|---|\n"
            << "| publishes nginx accepted (on_publish) / files it recorded | " << publishes << " / " << files.size()
            << " |\n"
            << "| tribune_destination_reconnects_total, before → after the kills | " << fixed(reconnectsBefore, 0)
            << " → " << fixed(reconnectsAfter, 0) << " |\n"
            << "| largest gap between timestamps in the recording, video / audio | " << fixed(videoGap * 1000, 0)
            << " / " << fixed(audioGap * 1000, 0) << " ms |\n"
            << "| source restarts / filler frames (tribune_source_*) | " << fixed(restarts, 0) << " / "
            << fixed(filler, 0) << " |\n"
            << "| frames encoded / dropped | " << fixed(encoded, 0) << " / " << fixed(dropped, 0) << " |\n"
            << "| live with both tracks after start | " << fixed(liveMs / 1000, 1) << " s |\n"
            << "| tribune | " << stopped << " |\n";
  if (!interrupted.empty()) std::cout << "\n**The kills stopped early: " << interrupted << ".**\n";

  std::vector<double> known = delays;
  known.erase(std::remove_if(known.begin(), known.end(), [](double v) { return std::isnan(v); }), known.end());
  const bool allFound = !known.empty() && known.size() == kills.size();
  const double worst = known.empty() ? std::nan("") : *std::max_element(known.begin(), known.end());
  // The stream-time delay starts where the source's last sound was timestamped, not at its
  // death, and the program runs behind the source: it can even come out negative. What
  // tribune saw by the wall clock is a lower bound of the slate's delay after the death, so
  // the bar needs both (docs/PERFORMANCE.md, "Start, reconnect and source loss").
  std::vector<double> seen = sawLoss;
  seen.erase(std::remove_if(seen.begin(), seen.end(), [](double v) { return std::isnan(v); }), seen.end());
  const double worstSeen = seen.empty() ? std::nan("") : *std::max_element(seen.begin(), seen.end());
  const bool seenHolds = seen.size() == kills.size() && !seen.empty() && worstSeen <= 500.0;
  const bool slateHolds = allFound && worst <= 500.0 && seenHolds;
  std::cout << "\n**Bars (DESIGN.md §7): slate on air within 500 ms of the death: median " << fixed(median(delays), 0)
            << " ms, worst " << fixed(worst, 0) << " ms in stream time; the loss seen by tribune "
            << fixed(median(sawLoss), 0) << " ms after the kill by the wall clock, worst " << fixed(worstSeen, 0)
            << " ms" << (allFound ? "" : " (a loss without a slate found in the recording)") << ": "
            << (slateHolds ? "holds" : "DOES NOT HOLD") << " (" << watchdog
            << "). No output ever disconnects: " << publishes << " publish" << (publishes == 1 ? "" : "es") << ", "
            << files.size() << " file" << (files.size() == 1 ? "" : "s") << ", reconnects +"
            << fixed(reconnectsAfter - reconnectsBefore, 0) << ": " << (unbroken ? "holds" : "DOES NOT HOLD")
            << ".**\n";
  if (!slateHolds || !unbroken || losses.size() != kills.size()) {
    std::cout << "\nPicture, one letter per frame (H slate, . not):\n";
    for (std::size_t i = 0; i < readings.size(); ++i) std::cout << "  " << readings[i].picture << "\n";
  }

  bench::summaryRow({"source-loss",
                     "slate on air (first frame of its fade) after the silence in the recording (stream time), ms (" +
                         setting + "; bar for every kill)",
                     fixed(median(delays), 0), bench::summarySpread(known, 0), "≤ 500 ms",
                     known.empty() ? std::nullopt : std::optional<bool>(allFound && worst <= 500.0)});
  bench::summaryRow({"source-loss",
                     "the loss seen by tribune after the kill, wall clock, ms (a lower bound of the slate's delay "
                     "after the death; bar for every kill)",
                     fixed(median(sawLoss), 0), bench::summarySpread(seen, 0), "≤ 500 ms",
                     seen.empty() ? std::nullopt : std::optional<bool>(seenHolds)});
  bench::summaryRow({"source-loss",
                     "publishes for the whole run (" + std::to_string(kills.size()) + " kills; reconnects +" +
                         fixed(reconnectsAfter - reconnectsBefore, 0) + ")",
                     std::to_string(publishes), "", "no output ever disconnects", unbroken});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    SourceLossBench bench(options);
    return bench.run(commandLine(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_source_loss: cannot run: " << e.what() << "\n";
    return 1;
  }
}
