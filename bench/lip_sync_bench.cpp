// Lip-sync benchmark (DESIGN.md §7 "sound": lip sync within −40/+60 ms everywhere; issue 27,
// part 2: the hour-long figure). `scripts/bench lipsync` runs it; never part of CI.
//
// Method. It starts its own nginx-rtmp on loopback (tests/support's NginxRtmp: the stream
// key "lipsync" is the one destination, recorded to FLV), makes the lip-sync clip
// (tests/support/lip_sync.h: a white flash on the picture and a 1 kHz beep on the sound at
// the same instant every second, 640x360 (--clip-size) 30 fps H.264 + AAC 48 kHz, --clip-s
// long) and plays it the way issue 27 did, `ffmpeg -re -stream_loop -1 -i clip.mp4 -c copy
// -f mpegts "srt://127.0.0.1:PORT?mode=listener"`, into the real `tribune run` (a separate process,
// config in a fresh folder under /tmp) with the source `srt://127.0.0.1:PORT?mode=caller`
// (SRT's default latency unless --srt-latency-ms), Tribune's default video settings unless
// --profile / --preset, and the recording on. Once the destination is live with both
// tracks up, it lets the meeting run --seconds (3600 by default), reading
// tribune_audio_drift_ppm from /metrics every 10 s, then stops tribune (SIGINT).
//
// What is measured, after the run, from what nginx recorded and from tribune's local
// recording (Matroska), each decoded by ffmpeg (support/lip_sync.h's readLipSync: every
// frame's and every sound frame's own PTS; the flash to its frame, the beep's onset to a
// fraction of a millisecond): for each flash, offset = beep − flash (positive: the sound is
// late). From 3 s after the first flash: min / median / max, how many are outside the
// bounds, the steps (the offset moving more than 5 ms from one flash to the next) and the
// drift between them (least-squares slope, ms of offset per second and per hour), and the
// offsets per window of the run (--windows, 12 by default), so a drift shows as a trend.
//
// --source card plays a capture card whose sound clock drifts instead (issue 27: "across an
// hour with an interface that drifts"): a preset of its own, marked `# tribune: capture`,
// decodes a clip as long as the run at its own pace and resamples its sound to
// 48 000 × (1 + --card-ppm / 10⁶) Hz (900 ppm by default, a cheap USB interface) declared as
// 48 000, so that each second of the sound's timestamps carries 43 samples too many: what
// the drift correction is for. No SRT, no loop, no restart: a card runs for the whole meeting.
// The tracks' timestamps are summed up too (the sound's PTS against its samples counted:
// a track stamped from something else than its samples drifts there).
//
// A benchmark reports; it does not test: the exit status is non-zero only when it cannot
// run (nginx, the sender or tribune does not start, tribune dies, nothing was recorded),
// never for a missed bar. How to read the numbers: docs/PERFORMANCE.md, "Lip sync".
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "summary.h"
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
using bench::fixed;
using bench::metric;
using bench::readFile;
using testing::LipSyncPair;
using testing::LipSyncReading;
using testing::NginxRtmp;
using testing::Process;
using testing::TempDir;

const std::string kKey = "lipsync";  // stream key and destination name
constexpr double kSoundAheadMs = -40;
constexpr double kSoundBehindMs = 60;
constexpr double kSettleS = 3;

enum class SourceKind { srt, card };

struct Options {
  SourceKind source = SourceKind::srt;
  int cardPpm = 900;
  double seconds = 3600;
  std::optional<int> clipS;  // none: 60 s looped for SRT, the run and a minute for a card
  int clipWidth = 640;
  int clipHeight = 360;
  int windows = 12;
  std::optional<int> srtLatencyMs;  // none: SRT's default (120 ms)
  std::optional<std::string> profile;
  std::optional<std::string> preset;
  bool recording = true;
  fs::path tribune = TRIBUNE_BINARY;
  bool keep = false;
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_lip_sync: " << problem << "\n"
      << "usage: tribune_bench_lip_sync [--source srt|card (srt)] [--card-ppm PPM (900)]\n"
      << "                              [--seconds S (3600)] [--clip-s S] [--clip-size WxH (640x360)]\n"
      << "                              [--windows N (12)]\n"
      << "                              [--srt-latency-ms MS (SRT's default)] [--profile 1080p30|720p30]\n"
      << "                              [--preset P] [--no-recording] [--keep] [--tribune PATH]\n"
      << "Plays a clip with a flash and a beep every second (ffmpeg, MPEG-TS over SRT; or, with --source card, a\n"
      << "capture card whose sound clock runs PPM fast) into `tribune run`, which publishes to its own nginx-rtmp,\n"
      << "for S seconds; then reads the offset of each beep from its flash in what nginx and the local recording\n"
      << "hold (docs/PERFORMANCE.md, \"Lip sync\"). --clip-s: 60 (looped) for SRT, S + 60 for a card.\n"
      << "--keep keeps tribune's data dir and nginx's (TRIBUNE_KEEP_TEST_FILES=1).\n";
  std::exit(status);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  bench::OptionReader in(argc, argv, usage);
  while (in.next()) {
    const std::string& a = in.name();
    if (a == "--help" || a == "-h") usage("help", 0);
    if (a == "--source") {
      const std::string kind = in.value();
      if (kind == "srt") {
        o.source = SourceKind::srt;
      } else if (kind == "card") {
        o.source = SourceKind::card;
      } else {
        usage("--source: srt or card, not " + kind);
      }
    } else if (a == "--card-ppm") {
      o.cardPpm = in.whole(-5000, 5000);
    } else if (a == "--seconds") {
      o.seconds = in.number(10, 24 * 3600);
    } else if (a == "--clip-s") {
      o.clipS = in.whole(4, 24 * 3600 + 600);
    } else if (a == "--clip-size") {
      const std::string size = in.value();
      const auto x = size.find('x');
      if (x == std::string::npos) usage("--clip-size: WIDTHxHEIGHT, e.g. 1280x720, not " + size);
      o.clipWidth = in.whole(size.substr(0, x), 16, 3840);
      o.clipHeight = in.whole(size.substr(x + 1), 16, 2160);
    } else if (a == "--windows") {
      o.windows = in.whole(1, 1000);
    } else if (a == "--srt-latency-ms") {
      o.srtLatencyMs = in.whole(20, 8000);
    } else if (a == "--profile") {
      o.profile = in.value();
      if (*o.profile != "1080p30" && *o.profile != "720p30") usage("--profile: 1080p30 or 720p30, not " + *o.profile);
    } else if (a == "--preset") {
      o.preset = in.value();
      if (!bench::isX264Preset(*o.preset)) usage("--preset: an x264 preset (ultrafast … placebo), not " + *o.preset);
    } else if (a == "--no-recording") {
      o.recording = false;
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--tribune") {
      o.tribune = in.value();
    } else {
      usage("unknown argument " + a);
    }
  }
  if (o.source == SourceKind::card && o.clipS && *o.clipS < o.seconds + 40) {
    usage("--clip-s: a card's clip is not looped, it must last the run and 40 s more (" + fixed(o.seconds + 40, 0) +
          " s)");
  }
  if (o.source == SourceKind::card && o.srtLatencyMs) usage("--srt-latency-ms: only with --source srt");
  return o;
}

std::string signedMs(double ms, int decimals = 0) {
  if (std::isnan(ms)) return "—";
  return (ms >= 0 ? "+" : "") + fixed(ms, decimals);
}

// The pairs from kSettleS after the first flash.
std::vector<LipSyncPair> settled(const LipSyncReading& reading) {
  if (reading.flashes.empty()) return {};
  return reading.pairsFrom(reading.flashes.front() + kSettleS);
}

constexpr double kStepMs = 5;  // an offset moving more than this from one flash to the next: a step

// A slow drift and sudden steps are told apart: the offsets are cut where they move more
// than kStepMs from one flash to the next, and the drift is the slope within the pieces
// (least squares on each piece of 5 flashes or more, weighted by its length).
struct Steps {
  double driftMsPerS = 0;
  std::vector<std::pair<double, double>> steps;  // (picture time s, ms)
};

Steps stepsAndDrift(const std::vector<LipSyncPair>& pairs) {
  Steps out;
  std::vector<std::vector<LipSyncPair>> pieces(1);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0 && std::abs(pairs[i].offsetMs() - pairs[i - 1].offsetMs()) > kStepMs) {
      out.steps.emplace_back(pairs[i].pictureS, pairs[i].offsetMs() - pairs[i - 1].offsetMs());
      pieces.emplace_back();
    }
    pieces.back().push_back(pairs[i]);
  }
  double weighted = 0;
  double weight = 0;
  for (const auto& piece : pieces) {
    if (piece.size() < 5) continue;
    const double span = piece.back().pictureS - piece.front().pictureS;
    weighted += testing::offsetDriftMsPerS(piece) * span;
    weight += span;
  }
  out.driftMsPerS = weight > 0 ? weighted / weight : 0;
  return out;
}

struct Figures {
  std::string where;
  testing::OffsetSpread spread;
  std::size_t outside = 0;
  double driftMsPerS = 0;  // within the pieces between steps
  std::size_t steps = 0;
  std::size_t unpaired = 0;
};

// One output's table: per window of the run, then the whole of it.
Figures report(const std::string& where, const LipSyncReading& reading, int windows) {
  Figures f;
  f.where = where;
  const auto pairs = settled(reading);
  f.spread = testing::offsetSpread(pairs);
  f.outside = testing::pairsOutside(pairs, kSoundAheadMs, kSoundBehindMs).size();
  const Steps steps = stepsAndDrift(pairs);
  f.driftMsPerS = steps.driftMsPerS;
  f.steps = steps.steps.size();
  f.unpaired = reading.flashes.size() - reading.pairs.size();
  std::cout << "\n#### " << where << "\n\n"
            << "| from (file s) | to | flashes paired | offset min, ms | median | max | outside −40/+60 |\n"
            << "|---|---|---|---|---|---|---|\n";
  if (!pairs.empty()) {
    const double first = pairs.front().pictureS;
    const double span = std::max(1.0, pairs.back().pictureS - first + 1e-6);
    for (int w = 0; w < windows; ++w) {
      const double from = first + span * w / windows;
      const double to = first + span * (w + 1) / windows;
      std::vector<LipSyncPair> in;
      for (const auto& p : pairs) {
        if (p.pictureS >= from && (p.pictureS < to || (w == windows - 1 && p.pictureS <= to))) in.push_back(p);
      }
      const auto s = testing::offsetSpread(in);
      std::cout << "| " << fixed(from, 0) << " | " << fixed(to, 0) << " | " << s.count << " | "
                << (s.count ? signedMs(s.minMs) : "—") << " | " << (s.count ? signedMs(s.medianMs) : "—") << " | "
                << (s.count ? signedMs(s.maxMs) : "—") << " | "
                << testing::pairsOutside(in, kSoundAheadMs, kSoundBehindMs).size() << " |\n";
    }
  }
  std::cout << "| **all, from " << fixed(kSettleS, 0) << " s after the first flash** | | " << f.spread.count << " | "
            << signedMs(f.spread.minMs, 1) << " | " << signedMs(f.spread.medianMs, 1) << " | "
            << signedMs(f.spread.maxMs, 1) << " | " << f.outside << " |\n\n"
            << "Drift of the offset between steps: " << signedMs(f.driftMsPerS, 3) << " ms/s ("
            << signedMs(f.driftMsPerS * 3600, 0) << " ms an hour); over the whole run, steps included: "
            << signedMs(testing::offsetDriftMsPerS(pairs) * 3600, 0) << " ms an hour. Steps of more than "
            << fixed(kStepMs, 0) << " ms from one flash to the next: " << steps.steps.size();
  for (std::size_t i = 0; i < steps.steps.size() && i < 20; ++i) {
    std::cout << (i == 0 ? " (" : ", ") << fixed(steps.steps[i].first, 1) << " s " << signedMs(steps.steps[i].second, 1)
              << " ms" << (i + 1 == std::min<std::size_t>(steps.steps.size(), 20) ? ")" : "");
  }
  std::cout << ". Flashes without their beep: " << f.unpaired << " of " << reading.flashes.size()
            << ".\n\nTimestamps: " << testing::describeTimelines(reading) << ".\n";
  if (!reading.pairs.empty()) {
    // The first seconds, where a start-up transient shows.
    std::vector<LipSyncPair> start;
    for (const auto& p : reading.pairs) {
      if (p.pictureS < reading.pairs.front().pictureS + 10) start.push_back(p);
    }
    std::cout << "\nThe first 10 s: " << testing::describePairs(start) << ".\n";
  }
  return f;
}

class LipSyncBench {
 public:
  explicit LipSyncBench(Options options) : o_(std::move(options)) {}
  int run(const std::string& command);

 private:
  std::optional<std::string> metrics() { return bench::httpGet(webPort_, "/metrics", 2s); }
  void requireTribune(const std::string& when) {
    if (tribune_->running()) return;
    throw std::runtime_error("tribune exited " + when + " (status " +
                             std::to_string(tribune_->exitStatus().value_or(-1)) + "); the end of its log:\n" +
                             bench::tail(readFile(data_->path() / "log.txt"), 4000));
  }

  Options o_;
  std::unique_ptr<NginxRtmp> nginx_;
  std::unique_ptr<TempDir> data_;
  std::unique_ptr<Process> sender_;
  std::unique_ptr<Process> tribune_;
  int webPort_ = 0;
};

int LipSyncBench::run(const std::string& command) {
  const std::string started = bench::utcNow();
  if (o_.keep) setenv("TRIBUNE_KEEP_TEST_FILES", "1", 1);
  const bool card = o_.source == SourceKind::card;
  const int clipS = o_.clipS.value_or(card ? static_cast<int>(std::ceil(o_.seconds)) + 60 : 60);
  const int cardRate = static_cast<int>(std::lround(48000.0 * (1.0 + o_.cardPpm / 1e6)));
  std::cerr << "lipsync: " << fixed(o_.seconds, 0) << " s, "
            << (card ? "a capture card at " + std::to_string(cardRate) + " Hz declared 48000" : std::string("SRT"))
            << "; making the " << clipS << " s clip\n";
  nginx_ = std::make_unique<NginxRtmp>();
  nginx_->start();
  data_ = std::make_unique<TempDir>("tribune-bench-lipsync");
  const fs::path clip = data_->path() / "clip.mp4";
  testing::LipSyncClipOptions clipOptions;
  clipOptions.width = o_.clipWidth;
  clipOptions.height = o_.clipHeight;
  testing::makeLipSyncClip(clip, clipS, clipOptions);
  const fs::path senderLog = data_->path() / "sender.txt";
  std::string source;
  fs::path presets;
  int port = 0;
  if (card) {
    // The card: the clip at its own pace, its sound resampled to cardRate and declared 48000.
    presets = data_->path() / "pipelines";
    fs::create_directories(presets);
    testing::writeTextFile(presets / "file.pipeline",
                           "# tribune: capture\n"
                           "filesrc location={{path}} ! decodebin name=decode\n"
                           "decode. ! identity sync=true ! queue name=video\n"
                           "decode. ! identity sync=true ! audioconvert ! audioresample ! audio/x-raw,rate=" +
                               std::to_string(cardRate) +
                               ",layout=interleaved ! capssetter caps=audio/x-raw,rate=48000 ! queue name=audio\n");
    source = "file:" + clip.string();
  } else {
    port = testing::freeUdpLoopbackPort();
    sender_ = std::make_unique<Process>(testing::lipSyncSrtSender(clip, port, senderLog));
    source = "srt://127.0.0.1:" + std::to_string(port) + "?mode=caller";
    if (o_.srtLatencyMs) source += "&latency=" + std::to_string(*o_.srtLatencyMs);
  }

  webPort_ = testing::freeLoopbackPort();
  Json video = Json::object();
  if (o_.profile) video["profile"] = *o_.profile;
  if (o_.preset) video["preset"] = *o_.preset;
  Json config{{"source", source},
              {"video", video},
              {"recording", {{"enabled", o_.recording}}},
              {"web", {{"address", "127.0.0.1"}, {"port", webPort_}}},
              {"destinations", Json::array({{{"name", kKey}, {"url", nginx_->rtmpUrl(kKey)}}})}};
  if (card) config["pipelines_dir"] = presets.string();
  tribune_ = std::make_unique<Process>(bench::startTribuneRun(o_.tribune, data_->path(), config));
  switch (bench::waitUntilListening(*tribune_, webPort_, 30s)) {
    case bench::Listening::yes: break;
    case bench::Listening::exited: requireTribune("before listening"); break;
    case bench::Listening::timedOut:
      throw std::runtime_error("tribune did not listen within 30 s:\n" + readFile(data_->path() / "log.txt"));
  }
  std::cerr << "  nginx-rtmp on 127.0.0.1:" << nginx_->rtmpPort()
            << (card ? std::string(", a drifting card") : ", SRT sender on udp 127.0.0.1:" + std::to_string(port))
            << ", tribune pid " << tribune_->pid() << " (data " << data_->path().string() << ")\n";

  const auto deadline = Clock::now() + 30s;
  bool live = false;
  while (!live && Clock::now() < deadline) {
    requireTribune("while starting");
    if (const auto m = metrics()) {
      live = metric(*m, "tribune_destination_live{destination=\"" + kKey + "\"}").value_or(0) == 1.0 &&
             metric(*m, "tribune_source_up{track=\"video\"}").value_or(0) == 1.0 &&
             metric(*m, "tribune_source_up{track=\"audio\"}").value_or(0) == 1.0;
    }
    if (!live) std::this_thread::sleep_for(100ms);
  }
  if (!live) {
    throw std::runtime_error("not live with both tracks up within 30 s; tribune's log:\n" +
                             bench::tail(readFile(data_->path() / "log.txt"), 4000));
  }

  // The run, with the drift estimator's figure and the sound's declared rate every 10 s.
  struct DriftSample {
    double atS;
    std::optional<double> ppm;
    std::optional<double> rateHz;
  };
  std::vector<DriftSample> drift;
  const auto liveAt = Clock::now();
  const auto end = liveAt + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.seconds));
  auto nextSample = liveAt;
  auto nextProgress = liveAt + 60s;
  while (Clock::now() < end) {
    requireTribune("during the run");
    if (sender_ && !sender_->running())
      throw std::runtime_error("the SRT sender exited:\n" + bench::tail(readFile(senderLog), 4000));
    if (Clock::now() >= nextSample) {
      const auto m = metrics();
      drift.push_back({std::chrono::duration<double>(Clock::now() - liveAt).count(),
                       m ? metric(*m, "tribune_audio_drift_ppm") : std::nullopt,
                       m ? metric(*m, "tribune_audio_rate_hz") : std::nullopt});
      nextSample += 10s;
    }
    if (Clock::now() >= nextProgress) {
      std::cerr << "  " << fixed(std::chrono::duration<double>(Clock::now() - liveAt).count(), 0) << " s of "
                << fixed(o_.seconds, 0) << "\n";
      nextProgress += 60s;
    }
    std::this_thread::sleep_for(200ms);
  }
  const auto last = metrics();
  const double reconnects =
      last ? metric(*last, "tribune_destination_reconnects_total{destination=\"" + kKey + "\"}").value_or(-1) : -1;
  tribune_->signal(SIGINT);
  std::string stopped;
  if (const auto status = tribune_->waitFor(30s)) {
    stopped = "exit status " + std::to_string(*status) + " after SIGINT";
  } else {
    stopped = "still running 30 s after SIGINT: killed (" + std::to_string(tribune_->kill9()) + ")";
  }
  if (sender_) sender_->kill9();
  if (!nginx_->waitForRecordingsClosed(kKey, 10s)) std::cerr << "  warning: nginx still writes the recording\n";
  const auto files = nginx_->recordings(kKey);
  if (files.empty()) throw std::runtime_error("nginx recorded nothing under " + kKey);

  std::cerr << "  decoding what nginx recorded\n";
  std::vector<std::pair<std::string, LipSyncReading>> readings;
  readings.emplace_back("what nginx received (" + files.front().filename().string() + ")",
                        testing::readLipSync(files.front().string()));
  if (o_.recording) {
    std::vector<fs::path> mkvs;
    const auto dir = data_->path() / "data" / "recordings";
    if (fs::exists(dir)) {
      for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.path().extension() == ".mkv") mkvs.push_back(entry.path());
      }
    }
    std::sort(mkvs.begin(), mkvs.end());
    if (!mkvs.empty()) {
      std::cerr << "  decoding the local recording\n";
      readings.emplace_back("the local recording (" + mkvs.front().filename().string() + ")",
                            testing::readLipSync(mkvs.front().string()));
    }
  }

  const std::string profile = (o_.profile ? *o_.profile : std::string("default profile")) +
                              (o_.preset ? ", x264 " + *o_.preset : std::string());
  const std::string what = card ? "a capture card " + signedMs(o_.cardPpm) + " ppm" : std::string("an SRT camera");
  std::cout << "\n### Lip sync, " << what << " for " << fixed(o_.seconds, 0) << " s (" << started << ")\n\n"
            << "Machine: " << bench::machineAndLoad() << ". Command: `" << command << "`.\n";
  if (card) {
    std::cout << "Source: the lip-sync clip (" << o_.clipWidth << "x" << o_.clipHeight << ", " << clipS
              << " s, not looped) decoded at its own pace by a `# tribune: capture` preset whose sound is resampled to "
              << cardRate << " Hz and declared 48000 (" << signedMs(o_.cardPpm) << " ppm); " << profile << ".";
  } else {
    std::cout << "Source: the lip-sync clip (" << o_.clipWidth << "x" << o_.clipHeight << ", " << clipS
              << " s, looped) by `ffmpeg -re -stream_loop -1 … -c copy -f mpegts srt://…?mode=listener`; SRT latency "
              << (o_.srtLatencyMs ? std::to_string(*o_.srtLatencyMs) + " ms" : "SRT's default") << ", " << profile
              << ".";
  }
  std::cout << " Offset = beep − flash (positive: sound late), from " << fixed(kSettleS, 0)
            << " s after the first flash; bounds −40/+60 ms.\n";
  std::vector<Figures> figures;
  for (const auto& [where, reading] : readings) figures.push_back(report(where, reading, o_.windows));

  // The drift estimator's figure over the run (about 12 columns), after the fact.
  std::string times = "| after live, s |";
  std::string line = "|---|";
  std::string ppms = "| tribune_audio_drift_ppm |";
  std::string rates = "| tribune_audio_rate_hz |";
  const std::size_t every = std::max<std::size_t>(1, drift.size() / 12);
  for (std::size_t i = 0; i < drift.size(); i += every) {
    times += " " + fixed(drift[i].atS, 0) + " |";
    line += "---|";
    ppms += " " + (drift[i].ppm ? fixed(*drift[i].ppm, 0) : std::string("—")) + " |";
    rates += " " + (drift[i].rateHz ? fixed(*drift[i].rateHz, 1) : std::string("—")) + " |";
  }
  std::cout << "\n"
            << times << "\n"
            << line << "\n"
            << ppms << "\n"
            << rates << "\n\n"
            << "Destination reconnects: " << fixed(reconnects, 0) << "; publishes recorded: " << files.size()
            << "; tribune: " << stopped << ".\n";

  for (const auto& f : figures) {
    const bool holds = f.spread.count > 0 && f.outside == 0;
    std::cout << "\n**Bar (DESIGN.md §7, lip sync within −40/+60 ms), " << f.where << ": " << f.spread.count
              << " flashes, " << signedMs(f.spread.minMs, 0) << " to " << signedMs(f.spread.maxMs, 0) << " ms (median "
              << signedMs(f.spread.medianMs, 0) << "), " << f.outside << " outside, drift "
              << signedMs(f.driftMsPerS * 3600, 0) << " ms an hour: " << (holds ? "holds" : "DOES NOT HOLD") << ".**\n";
    bench::summaryRow({"lipsync",
                       "offset sound − picture, ms, " + f.where + " (" + (card ? "drifting card" : "SRT camera") +
                           ", " + fixed(o_.seconds, 0) + " s; drift " + signedMs(f.driftMsPerS * 3600, 0) + " ms/h, " +
                           std::to_string(f.steps) + " steps)",
                       signedMs(f.spread.medianMs, 0),
                       f.spread.count ? signedMs(f.spread.minMs, 0) + "–" + signedMs(f.spread.maxMs, 0) : "",
                       "−40 to +60 ms", f.spread.count ? std::optional<bool>(holds) : std::nullopt});
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    LipSyncBench bench(options);
    return bench.run(bench::commandLine(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_lip_sync: cannot run: " << e.what() << "\n";
    return 1;
  }
}
