// Graphics latency benchmark (DESIGN.md §7 "graphics latency": a command changes the output
// picture within 2 frames). `scripts/bench latency` runs it.
//
// Method. A Hub runs in this process, on its own thread, as tests/media/running_hub.h runs
// it (test source, the recording on, the web server on a free port, no destination), with
// Tribune's default video settings (1080p30, x264 veryfast, 4500 kb/s: the bar's case) and
// the configured default fade (300 ms) unless told otherwise. Once the program has encoded a
// second of frames, it sends --changes graphics commands through the Hub's own API
// (Hub::showOverlay / hideOverlay: what a console's command becomes on the hub thread), at
// random intervals (--min-gap-ms..--max-gap-ms, 100–400 ms by default, so that a command
// falls anywhere within a frame), picking at random among:
//   - the speaker lower-third with a new name each time (never in the render cache: a
//     render of the SVG template every time),
//   - the agenda lower-third with a new item number each time (a render too),
//   - hiding the lower-third (when one is on air),
//   - the QR card shown or hidden, in turn (shown at start since a question URL is set;
//     the same image every time, so after the first it comes from the render cache).
// A show over a visible lower-third replaces it at once; over a hidden one it fades in.
// --runs times (a fresh Hub each), the median and spread are over the runs.
//
// What "the first output frame" is here. Hub::graphicTiming(changeId) gives two times on
// the program's running-time clock (nanoseconds): requestedAt, read when the hub thread
// hands the command to the media engine (after the meeting accepted it, before the
// render), and firstFrame, the running time (PTS) of the first program frame whose
// graphics carried the change, as GraphicsCompositor recorded it in the graphics stage,
// i.e. in the composed program picture BEFORE the encoder. The figure is
// (firstFrame − requestedAt) / frame duration (33.3 ms), so it includes the graphics
// worker's render and conversion and the wait for the next frame, in stream time: "the
// frame stamped that many frames after the command shows it". A live source stamps a
// frame when it is captured, so a frame still on its way to the graphics stage when the
// change is installed can carry it (a figure near or under one frame). With a fade, the
// first frame carrying a change is the fade's first step (a show at 1/9 of full opacity
// with 300 ms): the picture changes on that frame, the change completes a fade later.
// Left out: the console's websocket round trip to the hub, the encoder's delay (x264's
// lookahead and frame threads), the muxer, the network, the platform and the player.
//
// A benchmark reports; it does not test: the exit status is non-zero only when it cannot
// run (the Hub does not start, a command is refused), never for a missed bar. How to read
// the numbers: docs/PERFORMANCE.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "app/hub.h"
#include "bench_support.h"
#include "core/config.h"
#include "core/overlays.h"
#include "summary.h"
#include "support/temp_dir.h"

namespace {

using namespace tribune;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using bench::commandLine;
using bench::percentile;

constexpr double kFrameNs = 1e9 / core::VideoSettings::kFramesPerSecond;
const std::string kQuestionUrl = "https://www.ville-demo.fr/questions";

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  int changes = 300;  // per run
  int runs = 3;
  std::string profile = "1080p30";
  std::optional<std::string> preset;  // none: Tribune's default
  std::optional<int> fadeMs;          // none: Tribune's default
  int minGapMs = 100;
  int maxGapMs = 400;
  std::optional<unsigned> seed;
  std::string logLevel = "warn";
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_latency: " << problem << "\n"
      << "usage: tribune_bench_latency [--changes N (300, per run)] [--runs R (3)] [--profile 1080p30|720p30]\n"
      << "                             [--preset P (Tribune's default, veryfast)] [--fade-ms F (Tribune's default,\n"
      << "                             300)] [--min-gap-ms A (100)] [--max-gap-ms B (400)] [--seed S]\n"
      << "                             [--log-level trace|debug|info|warn|error (warn)]\n"
      << "Runs a Hub in this process (test source), sends graphics commands at random intervals and reports\n"
      << "the frames between each command and the first program frame carrying it (GraphicsCompositor's\n"
      << "record, before the encoder): p50, p99 and max, overall and per kind (docs/PERFORMANCE.md).\n";
  std::exit(status);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  bench::OptionReader in(argc, argv, usage);
  while (in.next()) {
    const std::string& a = in.name();
    if (a == "--help" || a == "-h") usage("help", 0);
    if (a == "--changes") {
      o.changes = in.whole(1, 1000000);
    } else if (a == "--runs") {
      o.runs = in.whole(1, 1000);
    } else if (a == "--profile") {
      o.profile = in.value();
      if (o.profile != "1080p30" && o.profile != "720p30") usage("--profile: 1080p30 or 720p30, not " + o.profile);
    } else if (a == "--preset") {
      o.preset = in.value();
      if (!bench::isX264Preset(*o.preset)) usage("--preset: an x264 preset (ultrafast … placebo), not " + *o.preset);
    } else if (a == "--fade-ms") {
      o.fadeMs = in.whole(0, 2000);  // docs/CONFIG.md: graphics.fade_ms, 0..2000
    } else if (a == "--min-gap-ms") {
      o.minGapMs = in.whole(1, 60000);
    } else if (a == "--max-gap-ms") {
      o.maxGapMs = in.whole(1, 60000);
    } else if (a == "--seed") {
      o.seed = static_cast<unsigned>(in.whole(0, 2147483647));
    } else if (a == "--log-level") {
      o.logLevel = in.value();
      static const std::vector<std::string> kLevels{"trace", "debug", "info", "warn", "error"};
      if (std::find(kLevels.begin(), kLevels.end(), o.logLevel) == kLevels.end())
        usage("--log-level: trace, debug, info, warn or error, not " + o.logLevel);
    } else {
      usage("unknown argument " + a);
    }
  }
  if (o.minGapMs > o.maxGapMs) usage("--min-gap-ms must not exceed --max-gap-ms");
  return o;
}

// ---------------------------------------------------------------------------------------
// Small helpers

// A change that never reached a frame is +∞: "none".
std::string fixed(double value, int decimals) { return std::isinf(value) ? "none" : bench::fixed(value, decimals); }

// ---------------------------------------------------------------------------------------
// The Hub on its own thread (tests/media/running_hub.h's RunningHub, with our log level).

class HubThread {
 public:
  HubThread(core::Config config, const std::filesystem::path& dataDir) {
    app::HubOptions options;
    options.config = std::move(config);
    options.dataDir = dataDir;
    options.shareDir = TRIBUNE_SOURCE_DIR;
    options.webPortOverride = 0;  // any free port
    hub_.emplace(std::move(options));
    thread_ = std::thread([this] { hub_->run(); });
  }
  ~HubThread() {
    hub_->requestStop();
    thread_.join();
  }
  HubThread(const HubThread&) = delete;
  HubThread& operator=(const HubThread&) = delete;
  app::Hub& operator*() { return *hub_; }
  app::Hub* operator->() { return &*hub_; }

 private:
  std::optional<app::Hub> hub_;
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------
// The changes

enum class Kind { Speaker, Agenda, HideLowerThird, QrOn, QrOff };
constexpr int kKinds = 5;

const char* kindName(Kind kind) {
  switch (kind) {
    case Kind::Speaker: return "speaker lower-third, new name (render)";
    case Kind::Agenda: return "agenda lower-third, new item (render)";
    case Kind::HideLowerThird: return "lower-third hidden";
    case Kind::QrOn: return "QR card shown (cached image)";
    case Kind::QrOff: return "QR card hidden";
  }
  return "?";
}

struct Change {
  Kind kind = Kind::Speaker;
  double ns = std::numeric_limits<double>::infinity();  // +∞: no frame carried it within the timeout
};

struct RunResult {
  std::vector<Change> changes;
  std::uint64_t framesEncoded = 0;  // during the changes
  std::uint64_t framesDropped = 0;
  double seconds = 0;
  std::vector<std::string> layerErrors;
};

class LatencyBench {
 public:
  explicit LatencyBench(Options options) : o_(std::move(options)), random_(o_.seed.value_or(std::random_device{}())) {}

  RunResult run(int index) {
    core::Config config;  // Tribune's defaults, but for what the benchmark sets
    config.source = "test";
    config.video.profile = o_.profile == "720p30" ? core::VideoProfile::P720p30 : core::VideoProfile::P1080p30;
    if (config.video.profile == core::VideoProfile::P720p30) config.video.bitrateKbps = 3000;  // its default
    if (o_.preset) config.video.x264Preset = *o_.preset;
    if (o_.fadeMs) config.graphics.fadeMs = *o_.fadeMs;
    config.graphics.questionUrl = kQuestionUrl;  // the QR card is on air from the start
    tribune::testing::TempDir data("tribune-bench-latency");
    HubThread hub(config, data.path());
    if (!tribune::testing::waitUntil([&] { return hub->snapshot().framesEncoded > 30; }, 30s, 50ms))
      throw std::runtime_error("the program encoded no second of frames within 30 s");
    std::this_thread::sleep_for(1s);  // the start's own graphics (bug, QR card) are on air

    RunResult result;
    const auto before = hub->snapshot();
    const auto started = Clock::now();
    bool lowerThird = false;
    bool qr = true;
    std::uniform_int_distribution<int> gap(o_.minGapMs, o_.maxGapMs);
    std::cerr << "run " << index + 1 << "/" << o_.runs << ": " << o_.changes << " changes" << std::flush;
    for (int i = 0; i < o_.changes; ++i) {
      std::vector<Kind> allowed{Kind::Speaker, Kind::Agenda, qr ? Kind::QrOff : Kind::QrOn};
      if (lowerThird) allowed.push_back(Kind::HideLowerThird);
      const Kind kind = allowed[std::uniform_int_distribution<std::size_t>(0, allowed.size() - 1)(random_)];
      const auto sentAt = Clock::now();
      app::OverlayCommandResult command;
      switch (kind) {
        case Kind::Speaker:
          command = hub->showOverlay(core::Layer::LowerThird, "speaker",
                                     {{"name", "Orateur n° " + std::to_string(++names_)}, {"role", "Conseiller"}});
          lowerThird = true;
          break;
        case Kind::Agenda:
          command = hub->showOverlay(core::Layer::LowerThird, "agenda",
                                     {{"number", std::to_string(++items_)},
                                      {"title", "Approbation du compte de gestion 2025 du budget annexe de l'eau"},
                                      {"rapporteur", "Mme Claire Martin, adjointe aux finances"}});
          lowerThird = true;
          break;
        case Kind::HideLowerThird:
          command = hub->hideOverlay(core::Layer::LowerThird);
          lowerThird = false;
          break;
        case Kind::QrOn:
          command =
              hub->showOverlay(core::Layer::Qr, "qr", {{"url", kQuestionUrl}, {"caption", "Posez vos questions"}});
          qr = true;
          break;
        case Kind::QrOff:
          command = hub->hideOverlay(core::Layer::Qr);
          qr = false;
          break;
      }
      if (!command.result.ok() || command.changeId == 0)
        throw std::runtime_error(std::string("the hub refused a command (") + kindName(kind) +
                                 "): " + command.result.code + " " + command.result.message);
      Change change;
      change.kind = kind;
      // Two seconds is 60 frames: far past any bar; the change counts as never carried.
      tribune::testing::waitUntil(
          [&] {
            const auto timing = hub->graphicTiming(command.changeId);
            if (!timing || !timing->firstFrame) return false;
            change.ns = static_cast<double>(*timing->firstFrame) - static_cast<double>(timing->requestedAt);
            return true;
          },
          2s, 2ms);
      result.changes.push_back(change);
      std::this_thread::sleep_until(std::max(Clock::now(), sentAt + std::chrono::milliseconds(gap(random_))));
      if ((i + 1) % 50 == 0) std::cerr << " " << i + 1 << std::flush;
    }
    const auto after = hub->snapshot();
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    result.framesEncoded = after.framesEncoded - before.framesEncoded;
    result.framesDropped = after.framesDropped - before.framesDropped;
    for (const auto& layer : after.layers)
      if (!layer.lastError.empty()) result.layerErrors.push_back(layer.name + ": " + layer.lastError);
    std::cerr << "\n";
    return result;
  }

 private:
  Options o_;
  std::mt19937 random_;
  long names_ = 0;
  long items_ = 0;
};

// ---------------------------------------------------------------------------------------
// The report

struct Figures {
  double p50 = std::nan(""), p99 = std::nan(""), max = std::nan("");
  std::size_t n = 0, missing = 0;
};

Figures figuresOf(const std::vector<double>& ns) {
  Figures f;
  f.n = ns.size();
  f.missing = static_cast<std::size_t>(std::count_if(ns.begin(), ns.end(), [](double v) { return std::isinf(v); }));
  f.p50 = percentile(ns, 0.50);
  f.p99 = percentile(ns, 0.99);
  f.max = percentile(ns, 1.0);
  return f;
}

std::string framesAndMs(double ns) {
  if (std::isinf(ns)) return "not within 2 s";
  return fixed(ns / kFrameNs, 2) + " (" + fixed(ns / 1e6, 1) + " ms)";
}

void report(const Options& o, const std::vector<RunResult>& runs, const std::string& command, unsigned seed,
            const std::string& started) {
  const core::Config defaults;
  const int fade = o.fadeMs.value_or(defaults.graphics.fadeMs);
  const std::string preset = o.preset.value_or(defaults.video.x264Preset);
  std::vector<double> all;
  std::map<Kind, std::vector<double>> byKind;
  std::vector<double> p50s, p99s;
  for (const auto& run : runs) {
    std::vector<double> ns;
    for (const auto& change : run.changes) {
      ns.push_back(change.ns);
      byKind[change.kind].push_back(change.ns);
    }
    all.insert(all.end(), ns.begin(), ns.end());
    p50s.push_back(percentile(ns, 0.50) / kFrameNs);
    p99s.push_back(percentile(ns, 0.99) / kFrameNs);
  }
  const std::string setting =
      o.profile + ", x264 " + preset + ", fade " + std::to_string(fade) + " ms" + (o.fadeMs ? "" : " (default)");
  std::cout << "\n### Graphics latency, " << setting << ": " << runs.size() << " run" << (runs.size() == 1 ? "" : "s")
            << " × " << o.changes << " changes (" << started << ")\n\n"
            << "Machine: " << bench::machineAndLoad() << ". Command: `" << command << "` (seed " << seed << ", gaps "
            << o.minGapMs << "–" << o.maxGapMs << " ms).\n"
            << "Frames from the command (hub → media engine) to the first program frame carrying it "
               "(GraphicsCompositor, before the encoder), in stream time; 1 frame = "
            << fixed(kFrameNs / 1e6, 1) << " ms. Encoder, network and player delays are not included.\n\n";

  std::cout << "| run | changes | p50, frames (ms) | p99, frames (ms) | max, frames (ms) | not carried within 2 s | "
               "frames encoded / dropped meanwhile |\n|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::vector<double> ns;
    for (const auto& change : runs[i].changes) ns.push_back(change.ns);
    const auto f = figuresOf(ns);
    std::cout << "| " << i + 1 << " | " << f.n << " | " << framesAndMs(f.p50) << " | " << framesAndMs(f.p99) << " | "
              << framesAndMs(f.max) << " | " << f.missing << " | " << runs[i].framesEncoded << " / "
              << runs[i].framesDropped << " (" << fixed(static_cast<double>(runs[i].framesEncoded) / runs[i].seconds, 1)
              << " fps) |\n";
  }
  const auto overall = figuresOf(all);
  std::cout << "| **all** | " << overall.n << " | " << framesAndMs(overall.p50) << " | " << framesAndMs(overall.p99)
            << " | " << framesAndMs(overall.max) << " | " << overall.missing << " | |\n\n";

  std::cout
      << "| kind of change | n | p50, frames (ms) | p99, frames (ms) | max, frames (ms) |\n|---|---|---|---|---|\n";
  for (int k = 0; k < kKinds; ++k) {
    const auto kind = static_cast<Kind>(k);
    if (byKind.count(kind) == 0) continue;
    const auto f = figuresOf(byKind[kind]);
    std::cout << "| " << kindName(kind) << " | " << f.n << " | " << framesAndMs(f.p50) << " | " << framesAndMs(f.p99)
              << " | " << framesAndMs(f.max) << " |\n";
  }

  // How the changes spread over whole frames.
  std::size_t upTo1 = 0, upTo2 = 0, upTo3 = 0, beyond = 0;
  for (double ns : all) {
    const double frames = ns / kFrameNs;
    if (frames <= 1.0) {
      ++upTo1;
    } else if (frames <= 2.0) {
      ++upTo2;
    } else if (frames <= 3.0) {
      ++upTo3;
    } else {
      ++beyond;
    }
  }
  auto share = [&](std::size_t n) {
    return std::to_string(n) + " (" + fixed(100.0 * static_cast<double>(n) / static_cast<double>(all.size()), 1) +
           " %)";
  };
  std::cout << "\n| ≤ 1 frame | 1–2 frames | 2–3 frames | > 3 frames or never |\n|---|---|---|---|\n| " << share(upTo1)
            << " | " << share(upTo2) << " | " << share(upTo3) << " | " << share(beyond) << " |\n";
  // The slow ones, by their place in their run: a cold first render stands out.
  std::string slow;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    for (std::size_t c = 0; c < runs[i].changes.size(); ++c) {
      const Change& change = runs[i].changes[c];
      if (change.ns / kFrameNs <= 2.0) continue;
      slow += std::string(slow.empty() ? "" : "; ") + "run " + std::to_string(i + 1) + " change " +
              std::to_string(c + 1) + " (" + kindName(change.kind) + "): " + framesAndMs(change.ns);
    }
  }
  if (!slow.empty()) std::cout << "\nOver 2 frames: " << slow << ".\n";
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (const auto& error : runs[i].layerErrors) std::cout << "\nRun " << i + 1 << ", a layer's last error: " << error;

  const double p50 = bench::summaryMedian(p50s);
  const double p99 = bench::summaryMedian(p99s);
  std::cout << "\n**Bar (DESIGN.md §7): a command changes the output picture within 2 frames. p50 " << fixed(p50, 2)
            << ", p99 " << fixed(p99, 2) << " frames (median of the runs): "
            << (p99 <= 2.0   ? "holds"
                : p50 <= 2.0 ? "holds at p50, NOT at p99"
                             : "DOES NOT HOLD")
            << " (as far as the program picture; the encoder's delay comes on top).**\n";
  const std::string what = "frames from a command to the first program frame carrying it, ";
  const std::string where = " (" + setting + ", before the encoder)";
  bench::summaryRow({"latency", what + "p50" + where, fixed(p50, 2), bench::summarySpread(p50s, 2), "≤ 2 frames",
                     std::isnan(p50) ? std::nullopt : std::optional<bool>(p50 <= 2.0)});
  bench::summaryRow({"latency", what + "p99" + where, fixed(p99, 2), bench::summarySpread(p99s, 2), "≤ 2 frames",
                     std::isnan(p99) ? std::nullopt : std::optional<bool>(p99 <= 2.0)});
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  try {
    app::setUpLogging(options.logLevel);
    const unsigned seed = options.seed.value_or(std::random_device{}());
    Options seeded = options;
    seeded.seed = seed;
    const std::string started = bench::utcNow();
    LatencyBench bench(seeded);
    std::vector<RunResult> runs;
    for (int i = 0; i < options.runs; ++i) runs.push_back(bench.run(i));
    report(options, runs, commandLine(argc, argv), seed, started);
    std::cout << std::flush;
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_latency: cannot run: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
