// Encode-once benchmark (DESIGN.md §7 "encode once": CPU with 4 destinations ≤ 1.10 × CPU
// with 1; "against the usual alternative": CPU per second of output ≤ 1.0 × an `ffmpeg`
// one-liner doing the same job). `scripts/bench encode` runs it.
//
// It starts its own nginx-rtmp on loopback (tests/support's NginxRtmp, playing the
// platforms) and runs, one after the other, these variants for each profile of --profiles
// and each count N of --destinations (1, 2 and 4):
//
//   - tribune ×N: the real `tribune run` (a separate process: test source, the profile's
//     default bitrate, x264 --preset, keyframe every 2 s, AAC 128 kb/s, the recording OFF
//     because the one-liner does not record, N destinations on nginx). Once it listens, a
//     technician's `session.open` (POST /api/commands) puts the bug and the agenda's first
//     item's lower-third on air, as in a meeting;
//   - ffmpeg ×N: one `ffmpeg` command doing the same job (printed at the end, exactly as
//     run): lavfi SMPTE bars scrolling 2 px a frame with the clock and the running time
//     drawn in the middle (what Tribune's test source, pipelines/test.pipeline, shows),
//     drawtext for the bug and for a two-line lower-third with boxes, libx264 with the
//     same preset, bitrate, VBV (1 s), closed 2 s GOP without scene-cut, High profile and
//     8x8 transform as Tribune's x264enc (src/media/program.cpp), AAC (FFmpeg's encoder,
//     which gst-libav's avenc_aac also is) 128 kb/s 48 kHz stereo, then the tee muxer to
//     N FLV outputs on nginx. `-re` paces it in real time, like a live source.
//
// With --source file, both sides take the same input instead: an H.264 + AAC clip made
// once per profile at the start (the test picture above, bars, noise and scroll, without
// the clock, encoded by x264 at CRF 18; a 1 kHz tone), looped and played at its own pace
// (Tribune: `source: "file:…"`, pipelines/file.pipeline; ffmpeg: `-re -stream_loop -1`).
// Both decode it with libavcodec (gst-libav's avdec_h264 is FFmpeg's decoder), as they
// would an IP camera's stream, so the test sources' own costs (GStreamer's videotestsrc
// and its Cairo clock against lavfi's bars and drawtext) are out of the comparison.
//
// For each variant: start the process; wait until every destination publishes (tribune:
// tribune_destination_live on /metrics; both: nginx's recording of each stream key has
// data); warm up --warmup-s; then measure over about --seconds. The window opens and closes
// on a fresh frame count (tribune: the moment GET /metrics shows a new
// tribune_frames_encoded_total, which Tribune refreshes once a second; ffmpeg: a new
// `-progress` block, every 0.1 s), and the CPU time of the process and its descendants
// (utime + stime from /proc/PID/stat, plus reaped children's) is read at those moments.
//
//   CPU seconds per second of program = ΔCPU / (Δframes / 30)
//
// so a side that falls behind real time is charged per frame it produced, not per wall
// second. Then the process is stopped (SIGINT) and each destination's recording is checked
// with ffprobe (H.264 at the profile's size and AAC at 48 kHz, as long as the window): a
// variant that did not publish to every destination is not reported.
//
// On a 2-core machine absolute CPU times drift with the machine's other load, so every
// figure with a bar is a ratio of two variants of the same round: each round (--rounds)
// runs every variant once, tribune and ffmpeg alternating, in an order rotated from round
// to round; the ratios are taken within a round and the median over rounds is reported
// with its spread. nginx's own CPU (the platforms) is not counted on either side.
//
// A benchmark reports; it does not test: the exit status is non-zero only when it cannot
// run (no ffmpeg, nginx does not start, a figure has no valid round), never for a missed
// bar. How to read the numbers: docs/PERFORMANCE.md, "Encode once".
#include <dirent.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "summary.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "tribune_run.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using tribune::bench::cpus;
using tribune::bench::fixed;
using tribune::bench::httpGet;
using tribune::bench::httpPost;
using tribune::bench::Listening;
using tribune::bench::machineLoad;
using tribune::bench::metric;
using tribune::bench::ProcStat;
using tribune::bench::readFile;
using tribune::bench::readProcStat;
using tribune::bench::startTribuneRun;
using tribune::bench::summaryMedian;
using tribune::bench::summaryNumber;
using tribune::bench::tail;
using tribune::bench::TribuneFiles;
using tribune::bench::utcNow;
using tribune::bench::waitUntilListening;
using tribune::testing::NginxRtmp;
using tribune::testing::Process;
using tribune::testing::ProcessOptions;
using tribune::testing::Redirect;
using tribune::testing::TempDir;

constexpr int kFps = 30;           // core::VideoSettings::kFramesPerSecond
constexpr int kKeyframeS = 2;      // video.keyframe_interval_s default, what the platforms ask
constexpr int kAudioKbps = 128;    // audio.bitrate_kbps default
constexpr int kAudioRate = 48000;  // core::AudioSettings::kSampleRate (stereo)
const char* const kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";  // fonts-dejavu-core

// What the one-liner draws: the texts Tribune's graphics show after session.open with
// examples/agenda-demo.json (bug, first item's lower-third) and the default branding.
const char* const kCommune = "Ville de Démo";
const char* const kItemLine = "Point n° 1 — Approbation du procès-verbal de la séance du 15 octobre 2026";
const char* const kRapporteur = "M. Bernard Lefèvre, maire";
const char* const kPrimary = "0x1f3a93";  // branding.primary_color default

struct Profile {
  std::string name;
  int width = 0;
  int height = 0;
  int videoKbps = 0;  // video.bitrate_kbps default for the profile (docs/CONFIG.md)
};

std::optional<Profile> profileNamed(const std::string& name) {
  if (name == "720p30") return Profile{name, 1280, 720, 3000};
  if (name == "1080p30") return Profile{name, 1920, 1080, 4500};
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  int rounds = 3;
  double seconds = 15;
  double warmupS = 5;
  std::vector<Profile> profiles{*profileNamed("720p30"), *profileNamed("1080p30")};
  std::vector<int> destinations{1, 2, 4};
  std::string preset = "veryfast";  // video.preset default
  fs::path tribune = TRIBUNE_BINARY;
  std::string ffmpeg = "ffmpeg";
  fs::path sourceDir = TRIBUNE_SOURCE_DIR;
  bool fileSource = false;  // --source file: both sides play the same H.264 clip
  bool keep = false;
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_encode: " << problem << "\n"
      << "usage: tribune_bench_encode [--rounds R (3)] [--seconds S (15)] [--warmup-s S (5)]\n"
      << "                            [--profiles 720p30,1080p30] [--destinations 1,2,4]\n"
      << "                            [--preset P (veryfast)] [--source test|file] [--tribune PATH]\n"
      << "                            [--ffmpeg PATH] [--keep]\n"
      << "Starts nginx-rtmp on loopback, then for each profile and each number of destinations runs\n"
      << "`tribune run` and an equivalent ffmpeg one-liner (drawtext + libx264 + tee), R rounds in a rotated\n"
      << "order, and prints their CPU seconds per second of program and the ratios DESIGN.md §7 bars:\n"
      << "4 destinations / 1 (≤ 1.10) and Tribune / ffmpeg (≤ 1.0). --destinations must include 1.\n"
      << "--source test (default): each side's own test picture; --source file: both play the same\n"
      << "H.264 + AAC clip, made at the start, looped.\n"
      << "--keep keeps the data dirs, nginx's dir and the recordings (TRIBUNE_KEEP_TEST_FILES=1).\n";
  std::exit(status);
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) items.push_back(item);
  return items;
}

Options parseOptions(int argc, char** argv) {
  Options o;
  tribune::bench::OptionReader in(argc, argv, usage);
  while (in.next()) {
    const std::string& a = in.name();
    if (a == "--help" || a == "-h") usage("help", 0);
    if (a == "--rounds") {
      o.rounds = in.whole(1, 100);
    } else if (a == "--seconds") {
      o.seconds = in.number(3, 3600);
    } else if (a == "--warmup-s") {
      o.warmupS = in.number(0, 600);
    } else if (a == "--profiles") {
      o.profiles.clear();
      for (const auto& name : splitList(in.value())) {
        const auto profile = profileNamed(name);
        if (!profile) usage("--profiles: unknown profile \"" + name + "\"; expected 720p30 and/or 1080p30");
        if (std::none_of(o.profiles.begin(), o.profiles.end(), [&](const Profile& p) { return p.name == name; }))
          o.profiles.push_back(*profile);
      }
      if (o.profiles.empty()) usage("--profiles: give at least one of 720p30, 1080p30");
    } else if (a == "--destinations") {
      o.destinations.clear();
      for (const auto& count : splitList(in.value())) {
        const int n = in.whole(count, 1, 8);
        if (std::find(o.destinations.begin(), o.destinations.end(), n) == o.destinations.end())
          o.destinations.push_back(n);
      }
      std::sort(o.destinations.begin(), o.destinations.end());
      if (o.destinations.empty() || o.destinations.front() != 1)
        usage("--destinations: the list must include 1 (every ratio is against 1 destination)");
    } else if (a == "--preset") {
      o.preset = in.value();
      if (!tribune::bench::isX264Preset(o.preset)) usage("--preset: unknown x264 preset \"" + o.preset + "\"");
    } else if (a == "--source") {
      const std::string source = in.value();
      if (source != "test" && source != "file") usage("--source: test or file, not \"" + source + "\"");
      o.fileSource = source == "file";
    } else if (a == "--tribune") {
      o.tribune = in.value();
    } else if (a == "--ffmpeg") {
      o.ffmpeg = in.value();
    } else if (a == "--keep") {
      o.keep = true;
    } else {
      usage("unknown argument " + a);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------
// Small helpers

double secondsBetween(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// A POSIX shell word: as is when it is plain, else in single quotes.
std::string shellWord(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("-_./:=+,@%").find(c) != std::string::npos;
  });
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string shellLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) line += (line.empty() ? "" : " ") + shellWord(word);
  return line;
}

std::string machine() {
  utsname uts{};
  uname(&uts);
  return cpus() + ", Linux " + uts.release;
}

// The first line a command prints, or "" when it cannot run.
std::string firstLineOf(const std::vector<std::string>& argv) {
  try {
    ProcessOptions options;
    options.own_process_group = false;
    const auto result = tribune::testing::runCommand(argv, 10s, std::move(options));
    const std::string& text = result.out.empty() ? result.err : result.out;
    return result.exit_code == 0 ? text.substr(0, text.find('\n')) : std::string();
  } catch (const std::exception&) {
    return {};
  }
}

// ---------------------------------------------------------------------------------------
// CPU time of a process and of its descendants, from /proc

// The root first (its figure is the one that matters most for the timing), then any
// descendant still running: neither tribune nor ffmpeg should fork, but if one did its
// encode would be counted.
std::optional<double> treeCpuSeconds(pid_t root) {
  const auto rootStat = readProcStat(root);
  if (!rootStat) return std::nullopt;
  double total = rootStat->ownS + rootStat->childrenS;
  std::map<pid_t, ProcStat> all;
  if (DIR* proc = opendir("/proc")) {
    while (const dirent* entry = readdir(proc)) {
      const std::string name = entry->d_name;
      if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
      const auto pid = static_cast<pid_t>(std::stol(name));
      if (pid == root) continue;
      if (auto s = readProcStat(pid)) all[pid] = *s;
    }
    closedir(proc);
  }
  for (const auto& [pid, s] : all) {
    pid_t up = s.ppid;
    for (int depth = 0; depth < 64 && up > 1 && up != root; ++depth) {
      const auto it = all.find(up);
      up = it == all.end() ? 0 : it->second.ppid;
    }
    if (up == root) total += s.ownS;
  }
  return total;
}

// ---------------------------------------------------------------------------------------
// Variants and what one run of a variant measured

enum class Side { tribune, ffmpeg };

std::string sideName(Side side) { return side == Side::tribune ? "tribune" : "ffmpeg"; }

struct Variant {
  Side side = Side::tribune;
  Profile profile;
  int destinations = 1;
  [[nodiscard]] std::string label() const {
    return sideName(side) + " " + profile.name + " ×" + std::to_string(destinations);
  }
};

struct Run {
  bool ok = false;
  std::string why;  // when not ok
  double cpuS = 0;
  double programS = 0;  // Δframes / 30
  double wallS = 0;
  double dropped = 0;           // frames the side reports it dropped in the window
  std::vector<double> kbps;     // per destination: what nginx recorded, bits / duration
  std::vector<long> publishes;  // per destination: nginx's on_publish calls
  std::vector<std::string> notes;
  [[nodiscard]] double cpuPerS() const { return cpuS / programS; }
  [[nodiscard]] double fps() const { return programS * kFps / wallS; }
};

// A run that cannot be reported: the reason goes in the table.
struct RunFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A frame counter as the side publishes it: `version` changes each time the side writes a
// new figure (so that the window can open and close right after one).
struct Reading {
  double version = 0;
  double frames = 0;
  double dropped = 0;
};

struct Edge {
  Reading reading;
  double cpuS = 0;
  Clock::time_point at;
};

// Waits for the side's next fresh figure and reads the CPU right then.
Edge nextEdge(const std::function<std::optional<Reading>()>& read, pid_t pid, std::chrono::milliseconds poll,
              std::chrono::milliseconds timeout, const std::function<bool()>& alive) {
  std::optional<Reading> before = read();
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::this_thread::sleep_for(poll);
    if (!alive()) throw RunFailed("the process exited during the measurement");
    const auto now = read();
    if (now && before && now->version != before->version) {
      const auto at = Clock::now();
      const auto cpu = treeCpuSeconds(pid);
      if (!cpu) throw RunFailed("the process exited during the measurement");
      return Edge{*now, *cpu, at};
    }
    if (!before) before = now;
  }
  throw RunFailed("its frame count did not move for " + std::to_string(timeout.count()) + " ms");
}

// ---------------------------------------------------------------------------------------
// Tribune's test picture, as ffmpeg makes it (for the one-liner and for --source file's clip)

// Inputs 0 (SMPTE bars), 1 (a noise patch) and 2 (a 1 kHz tone); each `-re` when paced.
std::vector<std::string> testPictureInputs(const Profile& p, bool paced) {
  const std::string fps = std::to_string(kFps);
  const std::vector<std::vector<std::string>> inputs{
      {"-f", "lavfi", "-i",
       "smptebars=size=" + std::to_string(p.width) + "x" + std::to_string(p.height) + ":rate=" + fps},
      {"-f", "rawvideo", "-pix_fmt", "gray", "-video_size",
       std::to_string(p.width / 4) + "x" + std::to_string(p.height / 4), "-framerate", fps, "-i", "/dev/urandom"},
      {"-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=" + std::to_string(kAudioRate)}};
  std::vector<std::string> argv;
  for (const auto& input : inputs) {
    if (paced) argv.emplace_back("-re");
    argv.insert(argv.end(), input.begin(), input.end());
  }
  return argv;
}

// Tribune's test source (videotestsrc pattern=smpte) has a patch of random grey noise in
// the bottom right quarter of the bottom row, renewed every frame: the hardest part of the
// picture to encode, which alone fills the bitrate. The same patch here, from /dev/urandom;
// then the picture moves 2 pixels a frame (horizontal-speed=2). Without the clock.
std::string testPictureFilter(const Profile& p) {
  return "[0:v][1:v]overlay=x=" + std::to_string(p.width * 3 / 4) + ":y=" + std::to_string(p.height * 3 / 4) +
         ",scroll=horizontal=" + summaryNumber(2.0 / p.width, 7);
}

// ---------------------------------------------------------------------------------------
// The benchmark

class EncodeBench {
 public:
  explicit EncodeBench(Options options) : o_(std::move(options)) {}
  int run();

 private:
  Run runVariant(const Variant& v, int round);
  void runTribune(const Variant& v, const std::vector<std::string>& keys, Run& result);
  void runFfmpeg(const Variant& v, const std::vector<std::string>& keys, Run& result);
  void makeClips();
  [[nodiscard]] std::string sourceText() const;
  std::vector<std::string> ffmpegCommand(const Profile& p, const std::vector<std::string>& urls) const;
  void measure(const std::function<std::optional<Reading>()>& read, Process& process, std::chrono::milliseconds poll,
               std::chrono::milliseconds timeout, Run& result);
  void waitForMedia(const std::vector<std::string>& keys, Process& process, const std::function<bool()>& extra,
                    const std::string& what);
  void checkReceived(const Variant& v, const std::vector<std::string>& keys, Run& result);
  std::uintmax_t recordedBytes(const std::string& key) const;
  int report();

  Options o_;
  std::unique_ptr<NginxRtmp> nginx_;
  std::unique_ptr<TempDir> clipDir_;                          // --source file
  std::map<std::string, fs::path> clips_;                     // by profile name
  std::map<std::string, std::vector<Run>> runs_;              // by variant label, one per round
  std::map<std::string, std::vector<std::string>> commands_;  // the ffmpeg command, by profile
  std::string startedUtc_;
  std::string loadBefore_;
  std::string ffmpegVersion_;
};

std::uintmax_t EncodeBench::recordedBytes(const std::string& key) const {
  std::uintmax_t bytes = 0;
  for (const auto& file : nginx_->recordings(key)) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (!ec) bytes += size;
  }
  return bytes;
}

// Every destination publishing and nginx writing its media (and `extra`, the side's own
// view, holding), within 30 s.
void EncodeBench::waitForMedia(const std::vector<std::string>& keys, Process& process,
                               const std::function<bool()>& extra, const std::string& what) {
  const auto deadline = Clock::now() + 30s;
  while (true) {
    if (!process.running()) throw RunFailed("exited before every destination published");
    bool all = extra();
    for (const auto& key : keys) all = all && recordedBytes(key) > 0;
    if (all) return;
    if (Clock::now() > deadline) {
      std::string missing;
      for (const auto& key : keys)
        if (recordedBytes(key) == 0) missing += (missing.empty() ? "" : ", ") + key;
      throw RunFailed("not every destination published within 30 s (" + what +
                      (missing.empty() ? std::string() : "; nothing recorded for " + missing) + ")");
    }
    std::this_thread::sleep_for(100ms);
  }
}

// Opens and closes the window on fresh figures about --seconds apart.
void EncodeBench::measure(const std::function<std::optional<Reading>()>& read, Process& process,
                          std::chrono::milliseconds poll, std::chrono::milliseconds timeout, Run& result) {
  auto alive = [&] { return process.running(); };
  std::this_thread::sleep_for(std::chrono::duration<double>(o_.warmupS));
  const Edge a = nextEdge(read, process.pid(), poll, timeout, alive);
  const auto closeAt = a.at + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.seconds));
  while (Clock::now() + 2 * poll < closeAt) {
    if (!alive()) throw RunFailed("the process exited during the measurement");
    std::this_thread::sleep_for(std::min<Clock::duration>(closeAt - Clock::now() - 2 * poll, 200ms));
  }
  const Edge b = nextEdge(read, process.pid(), poll, timeout, alive);
  result.cpuS = b.cpuS - a.cpuS;
  result.programS = (b.reading.frames - a.reading.frames) / kFps;
  result.wallS = secondsBetween(a.at, b.at);
  result.dropped = b.reading.dropped - a.reading.dropped;
  if (!(result.programS > 0)) throw RunFailed("no frame was produced during the measurement");
}

void EncodeBench::runTribune(const Variant& v, const std::vector<std::string>& keys, Run& result) {
  TempDir dir("tribune-encode");
  const int port = tribune::testing::freeLoopbackPort();
  Json destinations = Json::array();
  for (std::size_t i = 0; i < keys.size(); ++i)
    destinations.push_back({{"name", "d" + std::to_string(i + 1)}, {"url", nginx_->rtmpUrl(keys[i])}});
  const Json config{{"source", o_.fileSource ? "file:" + clips_.at(v.profile.name).string() : std::string("test")},
                    {"agenda", (o_.sourceDir / "examples" / "agenda-demo.json").string()},
                    {"video",
                     {{"profile", v.profile.name},
                      {"bitrate_kbps", v.profile.videoKbps},
                      {"preset", o_.preset},
                      {"keyframe_interval_s", kKeyframeS}}},
                    {"audio", {{"bitrate_kbps", kAudioKbps}}},
                    // The one-liner does not record: neither does Tribune here.
                    {"recording", {{"enabled", false}}},
                    {"web", {{"address", "127.0.0.1"}, {"port", port}}},
                    {"destinations", destinations}};
  const TribuneFiles files{dir.path()};
  const fs::path dataDir = files.dataDir();
  const fs::path logFile = files.log();
  Process process = startTribuneRun(o_.tribune, files.dir, config);
  auto fail = [&](const std::string& why) {
    std::cerr << "    tribune: " << why << "; the end of its log:\n" << tail(readFile(logFile), 2000) << "\n";
    throw RunFailed("tribune: " + why);
  };
  try {
    switch (waitUntilListening(process, port, 30s, dataDir / "tokens.json")) {
      case Listening::yes: break;
      case Listening::exited: throw RunFailed("exited before listening");
      case Listening::timedOut: throw RunFailed("did not listen within 30 s");
    }
    // The technician opens the session: the bug and the first item's lower-third go on air
    // (before that, the program is the "starting" slate, not a meeting's picture).
    const std::string token = Json::parse(readFile(dataDir / "tokens.json")).at("technician").get<std::string>();
    const auto answer = httpPost(port, "/api/commands", token, Json{{"type", "session.open"}, {"id", 1}}.dump(), 5s);
    const Json answered = answer ? Json::parse(answer->body, nullptr, false) : Json();
    if (!answer || answer->status != 200 || !answered.is_object() || answered.value("status", "") != "ok")
      throw RunFailed("session.open was refused: " + (answer ? answer->body : std::string("no answer")));

    auto metrics = [&] { return httpGet(port, "/metrics", 5s); };
    auto everyDestinationLive = [&] {
      const auto text = metrics();
      if (!text) return false;
      for (std::size_t i = 0; i < keys.size(); ++i)
        if (metric(*text, "tribune_destination_live{destination=\"d" + std::to_string(i + 1) + "\"}") != 1.0)
          return false;
      return true;
    };
    waitForMedia(keys, process, everyDestinationLive, "tribune_destination_live");

    auto read = [&]() -> std::optional<Reading> {
      const auto text = metrics();
      if (!text) return std::nullopt;
      const auto frames = metric(*text, "tribune_frames_encoded_total");
      if (!frames) return std::nullopt;
      // Tribune refreshes /metrics once a second: a new frame count is a new figure.
      return Reading{*frames, *frames, metric(*text, "tribune_frames_dropped_total").value_or(0)};
    };
    measure(read, process, 25ms, 3000ms, result);
    if (!everyDestinationLive()) result.notes.push_back("a destination was not live at the end of the window");
  } catch (const std::exception& e) {
    fail(e.what());
  }
  process.signal(SIGINT);
  const auto status = process.waitFor(20s);
  if (!status) {
    process.kill9();
    result.notes.push_back("still running 20 s after SIGINT: killed");
  } else if (*status != 0) {
    result.notes.push_back("exit status " + std::to_string(*status) + " after SIGINT");
  }
}

// The one-liner. Sizes follow the 1080p geometry of overlays/bug.svg and agenda.svg, scaled.
std::vector<std::string> EncodeBench::ffmpegCommand(const Profile& p, const std::vector<std::string>& urls) const {
  const double s = p.height / 1080.0;
  auto px = [&](double at1080) { return std::to_string(static_cast<int>(std::lround(at1080 * s))); };
  auto text = [&](const std::string& what, const std::string& size, const std::string& box, const std::string& x,
                  const std::string& y) {
    return std::string("drawtext=fontfile=") + kFont + ":text='" + what + "':fontsize=" + size +
           ":fontcolor=white:box=1:boxcolor=" + box + ":boxborderw=" + px(12) + ":x=" + x + ":y=" + y;
  };
  // The bug, top left, and the lower-third, two lines on the primary colour.
  const std::string graphics =
      text(std::string(kCommune) + "  EN DIRECT  %{localtime\\:%R}", px(30), kPrimary, px(120), px(74)) + "," +
      text(kItemLine, px(40), kPrimary, px(136), px(860)) + "," + text(kRapporteur, px(28), kPrimary, px(136), px(968));
  const std::string testGraph = testPictureFilter(p) +
                                // The test source's clock and running time in the middle, on a shaded background.
                                "," + text("%{localtime\\:%T}", px(142), "black@0.5", "(w-tw)/2", "(h-th)/2") + "," +
                                text("%{pts\\:hms}", px(78), "black@0.5", "(w-tw)/2", "(h-th)/2+" + px(150)) + "," +
                                graphics + ",format=yuv420p[v]";
  const std::string gop = std::to_string(kKeyframeS * kFps);
  const std::string kbps = std::to_string(p.videoKbps) + "k";
  std::string tee;
  for (const auto& url : urls) tee += (tee.empty() ? "" : "|") + std::string("[f=flv]") + url;

  std::vector<std::string> argv{o_.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats",
                                // The frame count, ten times a second, on stdout.
                                "-progress", "pipe:1", "-stats_period", "0.1"};
  auto add = [&](std::initializer_list<std::string> words) { argv.insert(argv.end(), words); };
  if (o_.fileSource) {
    // The clip, looped, at its own pace; the graphics on it.
    add({"-re", "-stream_loop", "-1", "-i", clips_.at(p.name).string()});
    add({"-filter_complex", "[0:v]" + graphics + ",format=yuv420p[v]", "-map", "[v]", "-map", "0:a"});
  } else {
    // Inputs, each paced in real time: bars, noise, a 1 kHz tone.
    const auto inputs = testPictureInputs(p, /*paced=*/true);
    argv.insert(argv.end(), inputs.begin(), inputs.end());
    add({"-filter_complex", testGraph, "-map", "[v]", "-map", "2:a"});
  }
  // Tribune's x264enc: speed-preset, bitrate, pass=cbr (maxrate = bitrate, VBV of
  // vbv-buf-capacity=1000 ms), dct8x8, key-int-max and option-string
  // scenecut=0:open-gop=0:min-keyint, High profile from the caps; its input has a fixed
  // frame rate (b_vfr_input off: force-cfr).
  add({"-c:v",
       "libx264",
       "-preset",
       o_.preset,
       "-profile:v",
       "high",
       "-b:v",
       kbps,
       "-maxrate",
       kbps,
       "-bufsize",
       kbps,
       "-g",
       gop,
       "-keyint_min",
       gop,
       "-sc_threshold",
       "0",
       "-x264-params",
       "open-gop=0:8x8dct=1:force-cfr=1"});
  add({"-c:a", "aac", "-b:a", std::to_string(kAudioKbps) + "k", "-ar", std::to_string(kAudioRate), "-ac", "2"});
  // The tee muxer cannot tell the encoders that FLV wants the headers out of band.
  add({"-flags", "+global_header", "-f", "tee", tee});
  return argv;
}

// ffmpeg's -progress output: blocks of "key=value" lines ("frame=N", "drop_frames=D"...),
// each ended by "progress=continue" (or "=end"); the block count is the figure's version.
std::optional<Reading> lastProgress(const std::string& text) {
  std::optional<Reading> last;
  double blocks = 0, frames = -1, dropped = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = line.substr(0, equals);
    try {
      if (key == "frame") frames = std::stod(line.substr(equals + 1));
      if (key == "drop_frames") dropped = std::stod(line.substr(equals + 1));
    } catch (const std::exception&) {
      continue;  // "N/A"
    }
    if (key == "progress") {
      ++blocks;
      if (frames >= 0) last = Reading{blocks, frames, dropped};
    }
  }
  return last;
}

void EncodeBench::runFfmpeg(const Variant& v, const std::vector<std::string>& keys, Run& result) {
  std::vector<std::string> urls;
  for (const auto& key : keys) urls.push_back(nginx_->rtmpUrl(key));
  const auto argv = ffmpegCommand(v.profile, urls);
  if (v.destinations == o_.destinations.back()) commands_[v.profile.name] = argv;
  TempDir dir("tribune-encode-ffmpeg");
  const fs::path logFile = dir.path() / "stderr.txt";
  ProcessOptions options;
  options.out = Redirect::capture();
  options.err = Redirect::toFile(logFile);
  Process process(argv, std::move(options));
  auto fail = [&](const std::string& why) {
    std::cerr << "    ffmpeg: " << why << "; its stderr:\n" << tail(readFile(logFile), 2000) << "\n";
    throw RunFailed("ffmpeg: " + why);
  };
  try {
    auto read = [&] { return lastProgress(process.capturedOut()); };
    waitForMedia(
        keys, process, [&] { return read().has_value(); }, "ffmpeg -progress");
    measure(read, process, 10ms, 3000ms, result);
  } catch (const std::exception& e) {
    fail(e.what());
  }
  process.signal(SIGINT);  // ffmpeg finishes its outputs and exits (status 255 for a signal)
  if (!process.waitFor(10s)) {
    process.kill9();
    result.notes.push_back("ffmpeg still running 10 s after SIGINT: killed");
  }
}

// What nginx recorded for each stream key: H.264 at the profile's size and AAC at 48 kHz,
// at least as long as the window. Otherwise the run is not reported.
void EncodeBench::checkReceived(const Variant& v, const std::vector<std::string>& keys, Run& result) {
  const auto attempts = nginx_->publishAttempts();
  for (const auto& key : keys) {
    if (!nginx_->waitForRecordingsClosed(key, 10s)) result.notes.push_back(key + ": recording still open after 10 s");
    const auto files = nginx_->recordings(key);
    const auto bytes = recordedBytes(key);
    if (files.empty() || bytes == 0) throw RunFailed("nginx received nothing for " + key);
    long publishes = 0;
    for (const auto& attempt : attempts)
      if (attempt.name == key) ++publishes;
    result.publishes.push_back(publishes);
    if (publishes > 1) result.notes.push_back(key + ": " + std::to_string(publishes) + " publishes (it reconnected)");
    // The longest session is the one measured.
    fs::path file = files.front();
    for (const auto& f : files) {
      std::error_code ec;
      if (fs::file_size(f, ec) > fs::file_size(file, ec)) file = f;
    }
    try {
      const Json probe = tribune::testing::probeStreams(file.string());
      const Json& video = tribune::testing::videoStream(probe);
      const Json& audio = tribune::testing::audioStream(probe);
      if (video.value("codec_name", "") != "h264" || video.value("width", 0) != v.profile.width ||
          video.value("height", 0) != v.profile.height)
        throw RunFailed(key + ": the video nginx received is " + video.value("codec_name", "?") + " " +
                        std::to_string(video.value("width", 0)) + "×" + std::to_string(video.value("height", 0)));
      if (audio.value("codec_name", "") != "aac" || audio.value("sample_rate", "") != std::to_string(kAudioRate))
        throw RunFailed(key + ": the audio nginx received is " + audio.value("codec_name", "?") + " at " +
                        audio.value("sample_rate", "?") + " Hz");
      const double duration = tribune::testing::durationSeconds(file.string());
      if (duration < result.wallS)
        throw RunFailed(key + ": nginx recorded " + fixed(duration, 1) + " s, less than the " + fixed(result.wallS, 1) +
                        " s measured");
      std::error_code ec;
      result.kbps.push_back(static_cast<double>(fs::file_size(file, ec)) * 8 / 1000 / duration);
    } catch (const RunFailed&) {
      throw;
    } catch (const std::exception& e) {
      throw RunFailed(key + ": ffprobe cannot read what nginx recorded: " + e.what());
    }
  }
}

// --source file: one clip per profile, 20 s (so that both sides loop it during a run), of
// the bars, noise and scroll of the test picture and a 1 kHz tone, as a camera would send
// it: H.264 High (x264 CRF 18, a key frame a second) and AAC-LC 48 kHz stereo in MP4.
void EncodeBench::makeClips() {
  clipDir_ = std::make_unique<TempDir>("tribune-encode-clips");
  for (const auto& p : o_.profiles) {
    const fs::path clip = clipDir_->path() / ("clip-" + p.name + ".mp4");
    const std::string fps = std::to_string(kFps);
    std::vector<std::string> argv{o_.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error"};
    const auto inputs = testPictureInputs(p, /*paced=*/false);
    argv.insert(argv.end(), inputs.begin(), inputs.end());
    for (const std::string& word : std::initializer_list<std::string>{"-filter_complex",
                                                                      testPictureFilter(p) + ",format=yuv420p[v]",
                                                                      "-map",
                                                                      "[v]",
                                                                      "-map",
                                                                      "2:a",
                                                                      "-t",
                                                                      "20",
                                                                      "-c:v",
                                                                      "libx264",
                                                                      "-preset",
                                                                      "veryfast",
                                                                      "-crf",
                                                                      "18",
                                                                      "-profile:v",
                                                                      "high",
                                                                      "-g",
                                                                      fps,
                                                                      "-c:a",
                                                                      "aac",
                                                                      "-b:a",
                                                                      "128k",
                                                                      "-ar",
                                                                      std::to_string(kAudioRate),
                                                                      "-ac",
                                                                      "2",
                                                                      clip.string()})
      argv.push_back(word);
    std::cout << "  making the " << p.name << " clip both sides will play…" << std::flush;
    const auto result = tribune::testing::runCommand(argv, 300s);
    if (result.exit_code != 0 || !fs::exists(clip))
      throw std::runtime_error("ffmpeg could not make the clip " + clip.string() + ": " + tail(result.err, 2000));
    std::error_code ec;
    std::cout << " " << fixed(static_cast<double>(fs::file_size(clip, ec)) * 8 / 20 / 1e6, 1) << " Mb/s\n";
    clips_[p.name] = clip;
  }
}

std::string EncodeBench::sourceText() const {
  return o_.fileSource ? "the same H.264 + AAC clip on both sides (`--source file`)"
                       : "each side's own test picture (`--source test`)";
}

Run EncodeBench::runVariant(const Variant& v, int round) {
  Run result;
  std::vector<std::string> keys;
  for (int i = 1; i <= v.destinations; ++i)
    keys.push_back("r" + std::to_string(round + 1) + "-" + sideName(v.side) + "-" + v.profile.name + "-n" +
                   std::to_string(v.destinations) + "-d" + std::to_string(i));
  try {
    if (v.side == Side::tribune)
      runTribune(v, keys, result);
    else
      runFfmpeg(v, keys, result);
    checkReceived(v, keys, result);
    result.ok = true;
  } catch (const RunFailed& e) {
    result.why = e.what();
  }
  if (!o_.keep) {
    for (const auto& key : keys) {
      for (const auto& file : nginx_->recordings(key)) {
        std::error_code ec;
        fs::remove(file, ec);
      }
    }
  }
  return result;
}

int EncodeBench::run() {
  startedUtc_ = utcNow();
  loadBefore_ = machineLoad();
  if (o_.keep) setenv("TRIBUNE_KEEP_TEST_FILES", "1", 1);
  if (!fs::exists(o_.tribune)) throw std::runtime_error("no tribune binary at " + o_.tribune.string());
  if (!fs::exists(kFont)) throw std::runtime_error(std::string("no font at ") + kFont + " (fonts-dejavu-core)");
  ffmpegVersion_ = firstLineOf({o_.ffmpeg, "-hide_banner", "-version"});
  if (ffmpegVersion_.empty()) throw std::runtime_error("cannot run `" + o_.ffmpeg + " -version`");

  if (o_.fileSource) makeClips();
  nginx_ = std::make_unique<NginxRtmp>();
  nginx_->start();  // throws with nginx's error log when it does not come up
  std::cout << "  nginx-rtmp on 127.0.0.1:" << nginx_->rtmpPort() << "; " << o_.rounds << " round"
            << (o_.rounds > 1 ? "s" : "") << ", a window of " << fixed(o_.seconds, 0) << " s after "
            << fixed(o_.warmupS, 0) << " s of warm-up per run\n";

  // Per profile and count, tribune then ffmpeg: the two sides alternate.
  std::vector<Variant> variants;
  for (const auto& profile : o_.profiles)
    for (int n : o_.destinations)
      for (Side side : {Side::tribune, Side::ffmpeg}) variants.push_back({side, profile, n});

  for (int round = 0; round < o_.rounds; ++round) {
    // Rotated by a share of the list each round, so that no variant always runs first
    // (cold caches) or always right after the same neighbour.
    std::vector<Variant> order = variants;
    const auto shift = (static_cast<std::size_t>(round) * variants.size()) / static_cast<std::size_t>(o_.rounds);
    std::rotate(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shift % order.size()), order.end());
    for (const auto& v : order) {
      if (!nginx_->running()) throw std::runtime_error("nginx exited:\n" + tail(nginx_->errorLog(), 3000));
      std::cout << "  round " << round + 1 << "/" << o_.rounds << "  " << std::left << std::setw(20) << v.label()
                << std::right << std::flush;
      Run result = runVariant(v, round);
      if (result.ok) {
        double kbps = 0;
        for (double k : result.kbps) kbps += k / static_cast<double>(result.kbps.size());
        std::cout << fixed(result.cpuPerS(), 3) << " CPU s/s (" << fixed(result.cpuS, 2) << " s CPU over "
                  << fixed(result.programS, 2) << " s of program, " << fixed(result.fps(), 1) << " fps, "
                  << fixed(result.dropped, 0) << " dropped), nginx received " << fixed(kbps, 0)
                  << " kb/s per destination";
        for (const auto& note : result.notes) std::cout << "; " << note;
        std::cout << "\n";
      } else {
        std::cout << "NOT REPORTED: " << result.why << "\n";
      }
      runs_[v.label()].push_back(std::move(result));
    }
  }
  return report();
}

// ---------------------------------------------------------------------------------------
// The report

struct Figure {
  std::vector<double> values;  // one per round where both sides of the ratio ran
  [[nodiscard]] double median() const { return values.empty() ? std::nan("") : summaryMedian(values); }
  [[nodiscard]] std::string spread(int decimals) const {
    if (values.size() < 2) return "";
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return fixed(*lo, decimals) + "–" + fixed(*hi, decimals);
  }
  [[nodiscard]] std::string text(int decimals) const {
    if (values.empty()) return "—";
    const std::string range = spread(decimals);
    return fixed(median(), decimals) + (range.empty() ? "" : " (" + range + ")");
  }
};

int EncodeBench::report() {
  auto runsOf = [&](Side side, const Profile& p, int n) -> const std::vector<Run>& {
    return runs_[Variant{side, p, n}.label()];
  };
  auto cpuFigure = [&](Side side, const Profile& p, int n) {
    Figure f;
    for (const auto& r : runsOf(side, p, n))
      if (r.ok) f.values.push_back(r.cpuPerS());
    return f;
  };
  // Within each round: a / b.
  auto ratio = [&](const std::vector<Run>& a, const std::vector<Run>& b) {
    Figure f;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
      if (a[i].ok && b[i].ok) f.values.push_back(a[i].cpuPerS() / b[i].cpuPerS());
    return f;
  };

  std::cout << "\n### Encode once, and against an ffmpeg one-liner (" << startedUtc_ << ")\n\n"
            << "Machine: " << machine() << "; load " << loadBefore_ << " before, " << machineLoad() << " after. "
            << ffmpegVersion_ << "; " << firstLineOf({"gst-inspect-1.0", "--version"}) << " (gst-inspect); "
            << firstLineOf({o_.tribune.string(), "--version"}) << ".\n\n"
            << o_.rounds << " round" << (o_.rounds > 1 ? "s" : "") << ", each variant once per round in a rotated "
            << "order; per run a " << fixed(o_.seconds, 0) << " s window after " << fixed(o_.warmupS, 0)
            << " s of warm-up. CPU s/s = CPU seconds of the process (and descendants) ÷ seconds of program "
            << "produced (frames ÷ 30): median (min–max) over rounds. Both sides: x264 `" << o_.preset
            << "`, CBR with a 1 s VBV, closed GOP of " << kKeyframeS * kFps << " frames without scene-cut, High "
            << "profile, AAC-LC " << kAudioKbps << " kb/s 48 kHz stereo, bug and lower-third on the picture; "
            << "input: " << sourceText() << "; "
            << "Tribune's recording is off (the one-liner does not record). nginx's CPU is not counted.\n";

  bool everyBarMeasured = true;
  std::vector<tribune::bench::SummaryRow> bars;
  for (const auto& p : o_.profiles) {
    std::cout
        << "\n#### " << p.name << " (" << p.width << "×" << p.height << ", " << p.videoKbps << " kb/s video)\n\n"
        << "| destinations | Tribune CPU s/s | ffmpeg CPU s/s | Tribune / ffmpeg | Tribune N / 1 | ffmpeg N / 1 |\n"
        << "|---|---|---|---|---|---|\n";
    for (int n : o_.destinations) {
      const auto& t = runsOf(Side::tribune, p, n);
      const auto& f = runsOf(Side::ffmpeg, p, n);
      std::cout << "| " << n << " | " << cpuFigure(Side::tribune, p, n).text(3) << " | "
                << cpuFigure(Side::ffmpeg, p, n).text(3) << " | " << ratio(t, f).text(3) << " | "
                << (n == 1 ? std::string("1") : ratio(t, runsOf(Side::tribune, p, 1)).text(3)) << " | "
                << (n == 1 ? std::string("1") : ratio(f, runsOf(Side::ffmpeg, p, 1)).text(3)) << " |\n";
    }
    std::cout
        << "\n| run | output fps | dropped frames | nginx received, kb/s per destination | not reported / notes |\n"
        << "|---|---|---|---|---|\n";
    for (int n : o_.destinations) {
      for (Side side : {Side::tribune, Side::ffmpeg}) {
        const auto& rs = runsOf(side, p, n);
        Figure fps, dropped, kbps;
        std::string notes;
        for (std::size_t i = 0; i < rs.size(); ++i) {
          const auto& r = rs[i];
          const std::string round = "round " + std::to_string(i + 1) + ": ";
          if (!r.ok) {
            notes += (notes.empty() ? "" : "; ") + round + r.why;
            continue;
          }
          fps.values.push_back(r.fps());
          dropped.values.push_back(r.dropped);
          kbps.values.insert(kbps.values.end(), r.kbps.begin(), r.kbps.end());
          for (const auto& note : r.notes) notes += (notes.empty() ? "" : "; ") + round + note;
        }
        std::cout << "| " << Variant{side, p, n}.label() << " | " << fps.text(1) << " | " << dropped.text(0) << " | "
                  << kbps.text(0) << " | " << (notes.empty() ? "" : notes) << " |\n";
      }
    }
    // The bars: encode once (Tribune 4 / 1) and against the one-liner (Tribune / ffmpeg).
    const int most = o_.destinations.back();
    if (most > 1) {
      const Figure f = ratio(runsOf(Side::tribune, p, most), runsOf(Side::tribune, p, 1));
      bars.push_back({"encode",
                      "CPU " + std::to_string(most) + " destinations / 1 destination, " + p.name +
                          (o_.fileSource ? ", same H.264 file as input" : ""),
                      fixed(f.median(), 3), f.spread(3), most == 4 ? "≤ 1.10" : "",
                      f.values.empty() || most != 4 ? std::optional<bool>() : std::optional<bool>(f.median() <= 1.10)});
      if (f.values.empty()) everyBarMeasured = false;
    }
    for (int n : o_.destinations) {
      const Figure f = ratio(runsOf(Side::tribune, p, n), runsOf(Side::ffmpeg, p, n));
      bars.push_back({"encode",
                      "CPU Tribune / ffmpeg one-liner, " + std::to_string(n) + " destination" + (n > 1 ? "s" : "") +
                          ", " + p.name + (o_.fileSource ? ", same H.264 file as input" : ""),
                      fixed(f.median(), 3), f.spread(3), "≤ 1.0",
                      f.values.empty() ? std::optional<bool>() : std::optional<bool>(f.median() <= 1.0)});
      if (f.values.empty()) everyBarMeasured = false;
    }
  }

  std::cout << "\n| figure (ratio within a round) | median | min–max | bar | holds |\n|---|---|---|---|---|\n";
  for (const auto& row : bars) {
    std::cout << "| " << row.figure << " | " << row.median << " | " << row.spread << " | " << row.bar << " | "
              << (row.holds ? (*row.holds ? "**yes**" : "**no**") : "—") << " |\n";
    tribune::bench::summaryRow(row);
  }

  std::cout << "\nThe ffmpeg one-liner, exactly as run (" << o_.destinations.back() << " destinations; with N, the "
            << "tee list has the first N outputs; the ports and stream keys are this run's):\n";
  for (const auto& p : o_.profiles) {
    const auto it = commands_.find(p.name);
    if (it != commands_.end()) std::cout << "\n" << p.name << ":\n\n    " << shellLine(it->second) << "\n";
  }
  if (!everyBarMeasured) {
    std::cerr << "tribune_bench_encode: some figures have no round where both of their runs published (see the "
                 "tables)\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    EncodeBench bench(options);
    return bench.run();
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_encode: cannot run: " << e.what() << "\n";
    return 1;
  }
}
