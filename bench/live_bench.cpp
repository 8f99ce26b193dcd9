// Start and reconnect benchmarks (DESIGN.md §7 "start": `tribune run` to first media at the
// RTMP server ≤ 2 s; "destination back": publishing again ≤ 3 s after the server returns,
// first packet a keyframe, the other destination loses no frame). `scripts/bench start` and
// `scripts/bench reconnect` run it as `tribune_bench_live start|reconnect [options]`.
//
// Both are timed at the server, not in Tribune: nginx-rtmp (tests/support's NginxRtmp, on
// loopback) records every publish to an FLV file and writes each message as it arrives, so
// this driver follows that file as it grows (every 5 ms: it reads what was appended and
// parses the FLV tags: header, tag type 8 audio / 9 video, timestamp, the video frame type,
// the AVC/AAC packet type) and notes the wall time at which each tag first appeared. "First
// media" is the first tag that carries a picture or sound; the codec configuration tags
// (AVC sequence header, AAC AudioSpecificConfig) that nginx writes just before it are not
// media and are reported apart. The real `tribune run` runs as a separate process with a
// fresh data dir under /tmp, the test source, its web server on 127.0.0.1.
//
// start: one nginx, one destination. One warm-up run first, not reported: the first
// GStreamer program on a machine (or after an upgrade) builds GStreamer's registry cache
// (~/.cache/gstreamer-1.0), which a technician's second start never pays again. Then each of
// --runs runs: a fresh data dir and a fresh stream key; t0 just before spawning `tribune
// run`; the figure is the wall time from t0 to the first media tag in nginx's recording of
// that key; the first video keyframe is reported beside it. tribune gets SIGINT (a clean
// stop) between runs.
//
// reconnect: two nginx servers, A and B, and tribune with destination a → A and b → B (the
// recording off by default). Once both publish, after --warmup-s, each of --runs runs: A is
// SIGKILLed (the server dies mid-stream, connections reset), stays down --down-s plus
// (run − ½)/runs × --down-spread-s (so that the returns fall evenly over one cycle of
// Tribune's retry backoff, not always at the same phase of it), and is started again on the
// same ports; t_return is the moment its ports accept again. Measured:
//   - t_return → the first media tag of A's new recording: "publishing again";
//   - whether the first video frame is a keyframe. nginx's recorder skips video until a
//     keyframe (ngx_rtmp_record_node_av, "skipping until keyframe"), so the recording alone
//     cannot tell; a player (ffprobe) is started on A's stream right at t_return and waits
//     for the publish: when it saw the publish from its start (first video DTS ≈ 0: Tribune
//     restarts each connection's timestamps at its first key unit) its first packet is
//     exactly what Tribune sent first; when it joined later the run is "inconclusive";
//   - B, all along: from B's recording, over the window from 1 s before the kill to the end
//     of the run, video frames whose DTS gap exceeds 1.5 frame intervals, and the frames
//     missing in those gaps (the same for AAC frames); the longest pause between tags
//     arriving at B (wall time); whether B ever published again (a second recording, a
//     second on_publish call, tribune_destination_reconnects_total{destination="b"});
//   - from tribune's log (its HH:MM:SS.mmm lines about destination a): when it saw A go,
//     its attempts while A was down, its first attempt after t_return and when it went live
//     again. Tribune retries with a backoff (src/core/backoff.cpp: 0.5 s, 1 s, then 2 s at
//     most, ±20 %), independent of the server's return: the figure is the wait for the next
//     attempt (anywhere from 0 to ~2.4 s after t_return, the phase of the backoff when the
//     server returns), plus the connection, the hub's 100 ms tick that sees the publish
//     accepted (Hub::tick), and the forced key unit leaving the encoder.
//
// A benchmark reports; it does not test: the exit status is non-zero only when it cannot
// run (bad options, nginx or tribune does not start, tribune dies, nothing is ever
// published), never for a missed bar. Bars go to the summary through bench/summary.h.
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "summary.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "tribune_run.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using tribune::bench::commandLine;
using tribune::bench::fixed;
using tribune::bench::httpGet;
using tribune::bench::machineAndLoad;
using tribune::bench::prepareTribuneRun;
using tribune::bench::tail;
using tribune::bench::TribuneFiles;
using tribune::bench::tribuneRunOutput;
using tribune::bench::utcNow;
using tribune::testing::NginxRtmp;
using tribune::testing::Process;
using tribune::testing::ProcessOptions;
using tribune::testing::Redirect;
using tribune::testing::TempDir;

constexpr auto kPollStep = 5ms;
constexpr double kFrameMs = 1000.0 / 30.0;        // both profiles are 30 frames/s
constexpr double kAacFrameMs = 1024.0 / 48.0;     // 1024 samples at 48 kHz
constexpr double kGapFactor = 1.5;                // a gap: more than 1.5 frame intervals
constexpr double kPlayerStartToleranceS = 0.100;  // first DTS at most this: the publish's start

// Everything that makes the driver unable to measure (as opposed to a missed bar).
struct CannotRun : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  std::string benchmark;  // "start" or "reconnect"
  int runs = 5;
  double downS = 5;      // reconnect: how long A stays down, at least
  double spreadS = 2;    // reconnect: plus (i - 0.5) / runs of this in run i (the backoff's cycle)
  double warmupS = 5;    // reconnect: both publishing before the first kill
  double settleS = 3;    // reconnect: after A's first media again, before the next kill
  double timeoutS = 20;  // per run: the longest wait for the first media
  std::string profile = "720p30";
  int bitrateKbps = 0;  // 0: tribune's default for the profile
  std::string preset = "veryfast";
  std::optional<bool> recording;  // default: on for start, off for reconnect
  bool player = true;             // reconnect: the ffprobe player on A
  fs::path tribune = TRIBUNE_BINARY;
  bool keep = false;
  std::string command;  // as run
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_live: " << problem << "\n"
      << "usage: tribune_bench_live start     [--runs N (5)] [common options]\n"
      << "       tribune_bench_live reconnect [--runs N (5)] [--down-s S (5)] [--down-spread-s S (2)] [--warmup-s S "
         "(5)]\n"
      << "                                    [--settle-s S (3)] [--no-player] [common options]\n"
      << "common options: [--profile 720p30|1080p30 (720p30)] [--preset P (veryfast)] [--bitrate-kbps K (tribune's\n"
      << "                default)] [--recording on|off (start: on, reconnect: off)] [--timeout-s S (20)] [--keep]\n"
      << "                [--tribune PATH]\n"
      << "start: `tribune run` to the first media at nginx-rtmp (plus one warm-up run, not reported).\n"
      << "reconnect: destination a's server SIGKILLed and restarted each run: time from its return to media\n"
      << "flowing again, whether the first video packet is a keyframe, frames lost by destination b.\n"
      << "Prints Markdown tables; the bars go to $TRIBUNE_BENCH_SUMMARY (bench/summary.h).\n"
      << "--keep keeps tribune's data dirs and nginx's (TRIBUNE_KEEP_TEST_FILES=1).\n";
  std::exit(status);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  o.command = commandLine(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) usage("which benchmark? start or reconnect");
  if (args[0] == "--help" || args[0] == "-h") usage("help", 0);
  o.benchmark = args[0];
  if (o.benchmark != "start" && o.benchmark != "reconnect")
    usage("unknown benchmark '" + o.benchmark + "' (start or reconnect)");
  const bool reconnect = o.benchmark == "reconnect";
  tribune::bench::OptionReader in({args.begin() + 1, args.end()}, usage);
  while (in.next()) {
    const std::string& a = in.name();
    auto onlyFor = [&](bool allowed) {
      if (!allowed) usage(a + " is for the reconnect benchmark only");
    };
    if (a == "--help" || a == "-h") usage("help", 0);
    if (a == "--runs") {
      o.runs = in.whole(1, 1000);
    } else if (a == "--down-s") {
      onlyFor(reconnect);
      o.downS = in.number(0.1, 600);
    } else if (a == "--down-spread-s") {
      onlyFor(reconnect);
      o.spreadS = in.number(0, 600);
    } else if (a == "--warmup-s") {
      onlyFor(reconnect);
      o.warmupS = in.number(0, 600);
    } else if (a == "--settle-s") {
      onlyFor(reconnect);
      o.settleS = in.number(0.5, 600);
    } else if (a == "--no-player") {
      onlyFor(reconnect);
      o.player = false;
    } else if (a == "--timeout-s") {
      o.timeoutS = in.number(1, 600);
    } else if (a == "--profile") {
      o.profile = in.value();
      if (o.profile != "720p30" && o.profile != "1080p30") usage("--profile: 720p30 or 1080p30, got " + o.profile);
    } else if (a == "--preset") {
      o.preset = in.value();
    } else if (a == "--bitrate-kbps") {
      o.bitrateKbps = in.whole(500, 20000);
    } else if (a == "--recording") {
      const std::string v = in.value();
      if (v != "on" && v != "off") usage("--recording: on or off, got " + v);
      o.recording = v == "on";
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--tribune") {
      o.tribune = in.value();
    } else {
      usage("unknown argument " + a);
    }
  }
  if (!o.recording) o.recording = !reconnect;
  return o;
}

// ---------------------------------------------------------------------------------------
// Small helpers

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string machine() { return machineAndLoad() + ", " + utcNow(); }

// The figures of the runs: median and min–max.
struct Figures {
  std::vector<double> values;
  [[nodiscard]] double median() const { return values.empty() ? std::nan("") : tribune::bench::summaryMedian(values); }
  [[nodiscard]] std::string spread(int decimals) const { return tribune::bench::summarySpread(values, decimals); }
  [[nodiscard]] std::string text(int decimals, const std::string& unit) const {
    if (values.empty()) return "—";
    const std::string s = spread(decimals);
    return fixed(median(), decimals) + unit + (s.empty() ? "" : " (" + s + ")");
  }
};

// One value of a Prometheus text: `name` or `name{destination="x"}`; NaN when absent.
double metric(const std::optional<std::string>& text, const std::string& series) {
  return text ? tribune::bench::metric(*text, series).value_or(std::nan("")) : std::nan("");
}

std::string destinationSeries(const std::string& name, const std::string& destination) {
  return name + "{destination=\"" + destination + "\"}";
}

// ---------------------------------------------------------------------------------------
// An FLV file nginx is writing, read as it grows

struct FlvTag {
  int type = 0;                  // 8 audio, 9 video, 18 script data
  std::int64_t timestampMs = 0;  // the tag's timestamp (DTS for video)
  std::uint32_t size = 0;
  bool keyframe = false;       // video: frame type 1
  bool codecConfig = false;    // AVC sequence header / AAC AudioSpecificConfig: no picture, no sound
  Clock::time_point seenAt{};  // the poll that first found the tag complete

  [[nodiscard]] bool media() const { return (type == 8 || type == 9) && !codecConfig; }
  [[nodiscard]] bool videoFrame() const { return type == 9 && !codecConfig; }
  [[nodiscard]] bool audioFrame() const { return type == 8 && !codecConfig; }
  [[nodiscard]] std::string describe() const {
    switch (type) {
      case 8: return codecConfig ? "AAC config" : "audio";
      case 9: return codecConfig ? "AVC config" : (keyframe ? "video keyframe" : "video inter frame");
      case 18: return "script data";
      default: return "tag type " + std::to_string(type);
    }
  }
};

class FlvFollower {
 public:
  explicit FlvFollower(fs::path file) : file_(std::move(file)) {}

  // Reads what was appended since the last call and parses the tags now complete.
  void poll(Clock::time_point now) {
    if (!problem_.empty()) return;
    std::ifstream in(file_, std::ios::binary);
    if (!in) return;
    in.seekg(static_cast<std::streamoff>(offset_));
    if (!in) return;
    char chunk[1 << 16];
    while (true) {
      in.read(chunk, sizeof chunk);
      const auto n = in.gcount();
      if (n <= 0) break;
      pending_.append(chunk, static_cast<std::size_t>(n));
      offset_ += static_cast<std::uint64_t>(n);
    }
    parse(now);
  }

  [[nodiscard]] const std::vector<FlvTag>& tags() const { return tags_; }
  [[nodiscard]] const fs::path& file() const { return file_; }
  [[nodiscard]] const std::string& problem() const { return problem_; }

  [[nodiscard]] const FlvTag* first(const std::function<bool(const FlvTag&)>& condition) const {
    for (const auto& tag : tags_)
      if (condition(tag)) return &tag;
    return nullptr;
  }
  [[nodiscard]] std::optional<std::int64_t> lastVideoTimestamp() const {
    for (auto it = tags_.rbegin(); it != tags_.rend(); ++it)
      if (it->videoFrame()) return it->timestampMs;
    return std::nullopt;
  }
  // "AVC config, AAC config, AAC config, audio, video keyframe": the first `n` tags.
  [[nodiscard]] std::string firstTags(std::size_t n) const {
    std::string text;
    for (std::size_t i = 0; i < std::min(n, tags_.size()); ++i) text += (i ? ", " : "") + tags_[i].describe();
    return text;
  }

 private:
  [[nodiscard]] std::uint32_t byteAt(std::size_t i) const { return static_cast<unsigned char>(pending_[i]); }
  [[nodiscard]] std::uint32_t be(std::size_t i, int bytes) const {
    std::uint32_t v = 0;
    for (int k = 0; k < bytes; ++k) v = (v << 8) | byteAt(i + static_cast<std::size_t>(k));
    return v;
  }

  void parse(Clock::time_point now) {
    std::size_t pos = 0;
    if (!headerDone_) {
      if (pending_.size() < 9) return;
      if (pending_.compare(0, 3, "FLV") != 0) {
        problem_ = "not an FLV file";
        return;
      }
      const std::size_t headerSize = be(5, 4);
      if (pending_.size() < headerSize + 4) return;
      pos = headerSize + 4;  // the header, then PreviousTagSize0
      headerDone_ = true;
    }
    while (pending_.size() - pos >= 11) {
      FlvTag tag;
      tag.type = static_cast<int>(byteAt(pos) & 0x1f);
      tag.size = be(pos + 1, 3);
      tag.timestampMs = static_cast<std::int64_t>(be(pos + 4, 3) | (byteAt(pos + 7) << 24));
      if (pending_.size() - pos < 11 + std::size_t{tag.size} + 4) break;  // not all there yet
      const std::size_t data = pos + 11;
      if (tag.type == 9 && tag.size >= 2) {
        tag.keyframe = (byteAt(data) >> 4) == 1;
        tag.codecConfig = (byteAt(data) & 0x0f) == 7 && byteAt(data + 1) == 0;  // AVC, AVCPacketType 0
      } else if (tag.type == 8 && tag.size >= 2) {
        tag.codecConfig = (byteAt(data) >> 4) == 10 && byteAt(data + 1) == 0;  // AAC, AACPacketType 0
      }
      tag.seenAt = now;
      tags_.push_back(tag);
      pos = data + tag.size + 4;
    }
    pending_.erase(0, pos);
  }

  fs::path file_;
  std::uint64_t offset_ = 0;
  std::string pending_;  // read, not parsed yet
  bool headerDone_ = false;
  std::vector<FlvTag> tags_;
  std::string problem_;
};

// Gaps in one track's timestamps over [fromMs, toMs].
struct Gaps {
  long frames = 0;   // frames in the window
  long gaps = 0;     // consecutive frames further apart than kGapFactor intervals
  long missing = 0;  // frames that would have filled them
  double longestMs = 0;
  long keyframes = 0;                           // video only
  double shortestKeyIntervalMs = std::nan("");  // video only: between two keyframes
};

Gaps gapsOf(const std::vector<FlvTag>& tags, bool video, std::int64_t fromMs, std::int64_t toMs) {
  const double interval = video ? kFrameMs : kAacFrameMs;
  Gaps g;
  std::optional<std::int64_t> previous, previousKey;
  for (const auto& tag : tags) {
    if (!(video ? tag.videoFrame() : tag.audioFrame())) continue;
    if (tag.timestampMs < fromMs || tag.timestampMs > toMs) continue;
    ++g.frames;
    if (tag.keyframe) {
      ++g.keyframes;
      if (previousKey) {
        const auto step = static_cast<double>(tag.timestampMs - *previousKey);
        g.shortestKeyIntervalMs = std::isnan(g.shortestKeyIntervalMs) ? step : std::min(g.shortestKeyIntervalMs, step);
      }
      previousKey = tag.timestampMs;
    }
    if (previous) {
      const double step = static_cast<double>(tag.timestampMs - *previous);
      g.longestMs = std::max(g.longestMs, step);
      if (step > kGapFactor * interval) {
        ++g.gaps;
        g.missing += std::max(0L, std::lround(step / interval) - 1);
      }
    }
    previous = tag.timestampMs;
  }
  return g;
}

// The longest wait between two tags arriving (as this driver saw them) over [from, to].
double longestPauseMs(const std::vector<FlvTag>& tags, Clock::time_point from, Clock::time_point to) {
  double longest = 0;
  std::optional<Clock::time_point> previous;
  for (const auto& tag : tags) {
    if (tag.seenAt < from || tag.seenAt > to) continue;
    if (previous) longest = std::max(longest, seconds(tag.seenAt - *previous) * 1000.0);
    previous = tag.seenAt;
  }
  return longest;
}

// ---------------------------------------------------------------------------------------
// The tribune process

class Tribune {
 public:
  Tribune(const Options& o, const std::string& tag, const Json& destinations, bool recording)
      : dir_("tribune-bench-" + tag), port_(tribune::testing::freeLoopbackPort()) {
    Json video{{"profile", o.profile}, {"preset", o.preset}};
    if (o.bitrateKbps > 0) video["bitrate_kbps"] = o.bitrateKbps;
    const Json config{{"source", "test"},
                      {"video", video},
                      {"recording", {{"enabled", recording}}},
                      {"web", {{"address", "127.0.0.1"}, {"port", port_}}},
                      {"destinations", destinations}};
    argv_ = prepareTribuneRun(o.tribune, dir_.path(), config);
  }

  void start() {
    try {
      process_.emplace(argv_, tribuneRunOutput(dir_.path()));
    } catch (const std::exception& e) {
      throw CannotRun(std::string("cannot start tribune (") + argv_[0] + "): " + e.what());
    }
  }

  bool running() { return process_ && process_->running(); }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] fs::path logFile() const { return TribuneFiles{dir_.path()}.log(); }
  [[nodiscard]] std::string logTail(std::size_t bytes = 3000) const {
    return tail(tribune::testing::readTextFile(logFile()), bytes);
  }
  [[nodiscard]] std::string exitText() const {
    return process_ && process_->exitStatus() ? std::to_string(*process_->exitStatus()) : "?";
  }

  // SIGINT (a clean stop); SIGKILL after 20 s. Says how it went.
  std::string stop() {
    if (!process_) return "not started";
    if (!process_->running()) return "had exited (status " + exitText() + ")";
    const auto at = Clock::now();
    process_->signal(SIGINT);
    if (const auto status = process_->waitFor(20s))
      return "exit " + std::to_string(*status) + " after " + fixed(seconds(Clock::now() - at), 1) + " s";
    return "still running 20 s after SIGINT: killed (" + std::to_string(process_->kill9()) + ")";
  }

 private:
  TempDir dir_;
  int port_;
  std::vector<std::string> argv_;
  std::optional<Process> process_;
};

// ---------------------------------------------------------------------------------------
// tribune's log: "HH:MM:SS.mmm LEVEL [name] destination a: …" (local time, src/app/commands.cpp)

struct LogEvent {
  Clock::time_point at;
  std::string text;  // after "destination NAME: "
};

// The lines about one destination, their times put on the steady clock through one pair of
// readings (steady, wall) taken together.
std::vector<LogEvent> destinationEvents(const fs::path& log, const std::string& name, Clock::time_point anchorSteady,
                                        std::chrono::system_clock::time_point anchorWall) {
  const std::time_t wall = std::chrono::system_clock::to_time_t(anchorWall);
  std::tm tm{};
  localtime_r(&wall, &tm);
  const double anchorFraction =
      seconds(anchorWall - std::chrono::system_clock::from_time_t(wall));  // the sub-second part
  const double anchorOfDay = tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec + anchorFraction;
  const std::string marker = "destination " + name + ": ";
  std::vector<LogEvent> events;
  std::istringstream in(tribune::testing::readTextFile(log));
  std::string line;
  while (std::getline(in, line)) {
    const auto found = line.find(marker);
    if (found == std::string::npos || line.size() < 12 || line[2] != ':' || line[5] != ':' || line[8] != '.') continue;
    int h = 0, m = 0, s = 0, ms = 0;
    if (std::sscanf(line.c_str(), "%2d:%2d:%2d.%3d", &h, &m, &s, &ms) != 4) continue;
    double delta = h * 3600.0 + m * 60.0 + s + ms / 1000.0 - anchorOfDay;
    if (delta > 43200) delta -= 86400;  // across midnight
    if (delta <= -43200) delta += 86400;
    events.push_back({anchorSteady + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delta)),
                      line.substr(found + marker.size())});
  }
  return events;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------------------------------
// start

struct StartRun {
  std::optional<double> firstMediaS;  // t0 → first media tag
  std::optional<double> keyframeS;    // t0 → first video keyframe
  std::optional<double> configS;      // t0 → first tag of any kind
  std::string firstTags;
  std::string stopped;
};

StartRun startOnce(const Options& o, NginxRtmp& nginx, const std::string& key) {
  Tribune tribune(o, key, Json::array({{{"name", "live"}, {"url", nginx.rtmpUrl(key)}}}), *o.recording);
  std::optional<FlvFollower> follower;
  StartRun run;
  const auto t0 = Clock::now();
  tribune.start();
  const auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeoutS));
  while (true) {
    const auto now = Clock::now();
    if (!follower) {
      const auto files = nginx.recordings(key);
      if (!files.empty()) follower.emplace(files.front());
    }
    if (follower) {
      follower->poll(now);
      const auto& tags = follower->tags();
      if (!run.configS && !tags.empty()) run.configS = seconds(tags.front().seenAt - t0);
      if (!run.firstMediaS)
        if (const auto* tag = follower->first([](const FlvTag& t) { return t.media(); }))
          run.firstMediaS = seconds(tag->seenAt - t0);
      if (!run.keyframeS)
        if (const auto* tag = follower->first([](const FlvTag& t) { return t.videoFrame() && t.keyframe; }))
          run.keyframeS = seconds(tag->seenAt - t0);
      if (run.firstMediaS && run.keyframeS) break;
      if (!follower->problem().empty()) throw CannotRun(follower->file().string() + ": " + follower->problem());
    }
    if (!tribune.running())
      throw CannotRun("tribune exited (status " + tribune.exitText() + ") before publishing; its log:\n" +
                      tribune.logTail());
    if (now >= deadline) break;
    std::this_thread::sleep_for(kPollStep);
  }
  if (follower) {
    // A little more of the file for the table's "first tags" (the figures are taken).
    const auto more = Clock::now() + 500ms;
    while (follower->tags().size() < 6 && Clock::now() < more) {
      std::this_thread::sleep_for(kPollStep);
      follower->poll(Clock::now());
    }
    run.firstTags = follower->firstTags(6);
  }
  run.stopped = tribune.stop();
  if (!run.firstMediaS) run.stopped += "; its log:\n" + tribune.logTail(1500);
  return run;
}

int runStart(const Options& o) {
  NginxRtmp nginx;
  try {
    nginx.start();
  } catch (const std::exception& e) {
    throw CannotRun(std::string("nginx-rtmp did not start: ") + e.what());
  }
  std::cout << "  nginx-rtmp on 127.0.0.1:" << nginx.rtmpPort() << "; warm-up run (not reported)…\n" << std::flush;
  const StartRun warmup = startOnce(o, nginx, "start-warmup");
  std::cout << "  warm-up: first media after " << (warmup.firstMediaS ? fixed(*warmup.firstMediaS, 3) + " s" : "—")
            << "; tribune " << warmup.stopped << "\n"
            << std::flush;
  if (!warmup.firstMediaS)
    throw CannotRun("tribune published nothing within " + fixed(o.timeoutS, 0) + " s in the warm-up run");

  std::vector<StartRun> runs;
  for (int i = 1; i <= o.runs; ++i) {
    runs.push_back(startOnce(o, nginx, "start-" + std::to_string(i)));
    const auto& r = runs.back();
    std::cout << "  run " << i << ": first media " << (r.firstMediaS ? fixed(*r.firstMediaS, 3) + " s" : "none")
              << ", first keyframe " << (r.keyframeS ? fixed(*r.keyframeS, 3) + " s" : "none") << "; tribune "
              << r.stopped << "\n"
              << std::flush;
  }

  Figures media, keyframe;
  int missing = 0;
  for (const auto& r : runs) {
    if (r.firstMediaS) media.values.push_back(*r.firstMediaS);
    if (r.keyframeS) keyframe.values.push_back(*r.keyframeS);
    if (!r.firstMediaS) ++missing;
  }
  const bool holds = missing == 0 && !media.values.empty() && media.median() <= 2.0;

  std::cout
      << "\n### start: `tribune run` to the first media at the RTMP server, " << runs.size() << " run"
      << (runs.size() == 1 ? "" : "s") << " (after 1 warm-up run, not reported)\n\n"
      << "Machine: " << machine() << ".  \nCommand: `" << o.command << "`.  \n"
      << "tribune: test source, " << o.profile << ", x264 " << o.preset << ", one destination (nginx-rtmp on "
      << "loopback), recording " << (*o.recording ? "on" : "off") << ", a fresh data dir each run. t0: just "
      << "before spawning `tribune run`; times are when this driver (polling every 5 ms) found the tag "
      << "complete in nginx's recording.\n\n"
      << "| run | first tag (codec config) | first media | first video keyframe | first tags in nginx's recording "
         "| stop (SIGINT) |\n|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    auto s = [](const std::optional<double>& v) { return v ? fixed(*v, 3) + " s" : std::string("none"); };
    std::string stopped = r.stopped.substr(0, r.stopped.find('\n'));
    std::cout << "| " << i + 1 << " | " << s(r.configS) << " | " << s(r.firstMediaS) << " | " << s(r.keyframeS) << " | "
              << r.firstTags << " | " << stopped << " |\n";
  }
  std::cout << "\n| figure | median (min–max) | bar | holds |\n|---|---|---|---|\n"
            << "| `tribune run` → first media at the RTMP server | " << media.text(3, " s")
            << (missing ? " (" + std::to_string(missing) + " run(s) without media)" : "") << " | ≤ 2 s | **"
            << (holds ? "yes" : "no") << "** |\n"
            << "| `tribune run` → first video keyframe at the server | " << keyframe.text(3, " s") << " | | |\n\n";
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (!runs[i].firstMediaS) std::cout << "Run " << i + 1 << " published nothing: tribune " << runs[i].stopped << "\n";

  tribune::bench::summaryRow({"start", "`tribune run` → first media at the RTMP server (s)", fixed(media.median(), 3),
                              media.spread(3), "≤ 2 s", holds});
  tribune::bench::summaryRow({"start", "`tribune run` → first video keyframe at the server (s)",
                              fixed(keyframe.median(), 3), keyframe.spread(3), "", std::nullopt});
  if (media.values.empty()) throw CannotRun("no run published anything");
  return 0;
}

// ---------------------------------------------------------------------------------------
// reconnect

struct ReconnectRun {
  double downS = 0;                   // A down this long
  double launchMs = 0;                // NginxRtmp::start() until its ports accept
  std::optional<double> backS;        // t_return → first media tag in A's new recording
  std::optional<double> configS;      // t_return → the first tag (codec config)
  std::optional<double> keyframeS;    // t_return → first video keyframe there
  std::string firstTags;              // A's new recording, its first tags
  std::optional<bool> firstVideoKey;  // the first video frame of the recording a keyframe
  // The player on A's stream.
  std::string player;             // what it saw, or why it says nothing
  std::optional<bool> playerKey;  // conclusive only
  // tribune's log about a.
  std::optional<double> lossSeenS;  // kill → "live → retrying"
  int attemptsWhileDown = 0;
  std::optional<double> attemptS;  // t_return → the first "connexion à" after it
  std::optional<double> liveS;     // t_return → "connecting → live"
  std::set<std::string> reasons;   // why the attempts while down failed
  bool failedState = false;        // "→ failed" seen
  // B.
  Gaps video, audio;
  double pauseMs = 0;
  double bReconnects = 0, aReconnects = 0, framesDropped = 0;
  bool bRepublished = false;
};

class ReconnectBench {
 public:
  explicit ReconnectBench(const Options& o) : o_(o) {}
  int run();

 private:
  void pollAll(Clock::time_point now);
  // Polls every 5 ms until `done` holds (true) or `until` passes (false).
  bool pollUntil(Clock::time_point until, const std::function<bool()>& done);
  ReconnectRun once(int index);
  void readPlayer(ReconnectRun& r, Process& player, Clock::time_point deadline);
  void readLog(ReconnectRun& r, Clock::time_point killedAt, Clock::time_point back, Clock::time_point end);
  void report(const std::vector<ReconnectRun>& runs);

  const Options& o_;
  std::unique_ptr<NginxRtmp> a_, b_;
  std::unique_ptr<Tribune> tribune_;
  std::unique_ptr<FlvFollower> bFile_;
  std::unique_ptr<FlvFollower> aFile_;  // the current run's new recording
  std::set<fs::path> aKnown_;           // A's recordings before the current run's return
  bool awaitingA_ = false;              // looking for A's new recording
  std::size_t bFiles_ = 1;
  Clock::time_point lastListing_{};
  Clock::time_point anchorSteady_{};
  std::chrono::system_clock::time_point anchorWall_{};
  double baselinePauseMs_ = std::nan("");  // the longest pause at B over the warm-up, nothing disrupted
};

void ReconnectBench::pollAll(Clock::time_point now) {
  if (bFile_) bFile_->poll(now);
  if (aFile_) {
    aFile_->poll(now);
  } else if (awaitingA_ && a_->running()) {
    for (const auto& file : a_->recordings("a"))
      if (aKnown_.count(file) == 0) {
        aFile_ = std::make_unique<FlvFollower>(file);
        aFile_->poll(now);
        break;
      }
  }
  if (now - lastListing_ >= 200ms) {  // B publishing again shows as a new recording
    lastListing_ = now;
    const auto files = b_->recordings("b");
    if (files.size() > bFiles_) {
      bFiles_ = files.size();
      std::cout << "  B got a new recording (tribune published to b again): " << files.back().filename().string()
                << "\n";
      bFile_ = std::make_unique<FlvFollower>(files.back());
      bFile_->poll(now);
    }
  }
}

bool ReconnectBench::pollUntil(Clock::time_point until, const std::function<bool()>& done) {
  while (true) {
    const auto now = Clock::now();
    pollAll(now);
    if (done && done()) return true;
    if (!tribune_->running())
      throw CannotRun("tribune exited (status " + tribune_->exitText() + "); its log:\n" + tribune_->logTail());
    if (now >= until) return false;
    std::this_thread::sleep_for(kPollStep);
  }
}

Clock::time_point after(Clock::time_point t, double s) {
  return t + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

int ReconnectBench::run() {
  a_ = std::make_unique<NginxRtmp>();
  b_ = std::make_unique<NginxRtmp>();
  try {
    a_->start();
    b_->start();
  } catch (const std::exception& e) {
    throw CannotRun(std::string("nginx-rtmp did not start: ") + e.what());
  }
  std::cout << "  nginx-rtmp A on 127.0.0.1:" << a_->rtmpPort() << ", B on 127.0.0.1:" << b_->rtmpPort() << "\n";
  tribune_ = std::make_unique<Tribune>(
      o_, "reconnect",
      Json::array({{{"name", "a"}, {"url", a_->rtmpUrl("a")}}, {{"name", "b"}, {"url", b_->rtmpUrl("b")}}}),
      *o_.recording);
  const auto t0 = Clock::now();
  tribune_->start();
  anchorSteady_ = Clock::now();
  anchorWall_ = std::chrono::system_clock::now();

  // Both publishing: the first media in both recordings.
  std::unique_ptr<FlvFollower> aFirst;
  const bool both = pollUntil(after(t0, o_.timeoutS + 10), [&] {
    const auto now = Clock::now();
    if (!aFirst)
      if (const auto files = a_->recordings("a"); !files.empty()) aFirst = std::make_unique<FlvFollower>(files.front());
    if (!bFile_)
      if (const auto files = b_->recordings("b"); !files.empty()) bFile_ = std::make_unique<FlvFollower>(files.front());
    if (aFirst) aFirst->poll(now);
    auto hasMedia = [](const std::unique_ptr<FlvFollower>& f) {
      return f && f->first([](const FlvTag& t) { return t.media(); }) != nullptr;
    };
    return hasMedia(aFirst) && hasMedia(bFile_);
  });
  if (!both)
    throw CannotRun("tribune did not publish to both servers within " + fixed(o_.timeoutS + 10, 0) + " s; its log:\n" +
                    tribune_->logTail());
  std::cout << "  tribune publishing to both after " << fixed(seconds(Clock::now() - t0), 2) << " s; warm-up "
            << fixed(o_.warmupS, 0) << " s\n"
            << std::flush;
  const auto warmupFrom = Clock::now();
  pollUntil(after(warmupFrom, o_.warmupS), nullptr);
  baselinePauseMs_ = longestPauseMs(bFile_->tags(), warmupFrom, Clock::now());

  std::vector<ReconnectRun> runs;
  for (int i = 1; i <= o_.runs; ++i) {
    runs.push_back(once(i));
    const auto& r = runs.back();
    std::cout << "  run " << i << ": media at A again " << (r.backS ? fixed(*r.backS, 3) + " s" : "never")
              << " after its return (tribune's first attempt after it +"
              << (r.attemptS ? fixed(*r.attemptS, 2) + " s" : "?")
              << "); first video keyframe: " << (r.firstVideoKey ? (*r.firstVideoKey ? "yes" : "NO") : "—")
              << ", player: " << r.player << "; B: " << r.video.missing << " frames missing, longest pause "
              << fixed(r.pauseMs, 0) << " ms\n"
              << std::flush;
  }
  const auto publishesOfB = [&] {
    long n = 0;
    for (const auto& attempt : b_->publishAttempts())
      if (attempt.name == "b") ++n;
    return n;
  }();
  const std::string stopped = tribune_->stop();
  report(runs);
  std::cout << "\nnginx B saw " << publishesOfB << " publish" << (publishesOfB == 1 ? "" : "es")
            << " of b in all; tribune " << stopped << ".\n";
  bool any = false;
  for (const auto& r : runs) any = any || r.backS.has_value();
  if (!any) throw CannotRun("tribune never published to A again; its log:\n" + tribune_->logTail());
  return 0;
}

ReconnectRun ReconnectBench::once(int index) {
  ReconnectRun r;
  // Tribune's retries follow their own schedule: spreading the returns evenly over one backoff
  // cycle samples every phase of it instead of always the same one.
  r.downS = o_.downS + o_.spreadS * (index - 0.5) / o_.runs;
  const auto before = httpGet(tribune_->port(), "/metrics", 5s);
  const auto bAtKill = bFile_->lastVideoTimestamp().value_or(0);

  aFile_.reset();
  aKnown_.clear();
  awaitingA_ = false;
  const auto killedAt = Clock::now();
  a_->kill9();
  pollUntil(after(killedAt, r.downS), nullptr);
  for (const auto& file : a_->recordings("a")) aKnown_.insert(file);
  awaitingA_ = true;

  const auto launch = Clock::now();
  try {
    a_->start();
  } catch (const std::exception& e) {
    throw CannotRun(std::string("nginx A did not come back: ") + e.what());
  }
  const auto back = Clock::now();
  r.launchMs = seconds(back - launch) * 1000.0;
  std::optional<Process> player;
  if (o_.player) {
    ProcessOptions options;
    options.out = Redirect::capture();
    options.err = Redirect::capture();
    try {
      // Reads A's stream from the publish's start: the first five video packets, then exits.
      player.emplace(std::vector<std::string>{"ffprobe", "-v", "error", "-rw_timeout", "30000000", "-select_streams",
                                              "v", "-show_entries", "packet=dts_time,flags", "-of", "csv=p=0",
                                              "-read_intervals", "%+#5", a_->playUrl("a")},
                     std::move(options));
    } catch (const std::exception& e) {
      r.player = std::string("ffprobe could not start: ") + e.what();
    }
  }

  pollUntil(after(back, o_.timeoutS), [&] {
    return aFile_ && aFile_->first([](const FlvTag& t) { return t.media(); }) != nullptr &&
           aFile_->first([](const FlvTag& t) { return t.videoFrame(); }) != nullptr;
  });
  if (aFile_) {
    if (!aFile_->tags().empty()) r.configS = seconds(aFile_->tags().front().seenAt - back);
    if (const auto* tag = aFile_->first([](const FlvTag& t) { return t.media(); }))
      r.backS = seconds(tag->seenAt - back);
    if (const auto* tag = aFile_->first([](const FlvTag& t) { return t.videoFrame(); })) {
      r.firstVideoKey = tag->keyframe;
      if (tag->keyframe) r.keyframeS = seconds(tag->seenAt - back);
    }
  }
  const auto settled = after(r.backS ? after(back, *r.backS) : Clock::now(), o_.settleS);
  pollUntil(settled, nullptr);
  if (aFile_) r.firstTags = aFile_->firstTags(6);
  const auto end = Clock::now();
  if (player) readPlayer(r, *player, after(end, 10));

  const auto afterRun = httpGet(tribune_->port(), "/metrics", 5s);
  r.bReconnects = metric(afterRun, destinationSeries("tribune_destination_reconnects_total", "b")) -
                  metric(before, destinationSeries("tribune_destination_reconnects_total", "b"));
  r.aReconnects = metric(afterRun, destinationSeries("tribune_destination_reconnects_total", "a")) -
                  metric(before, destinationSeries("tribune_destination_reconnects_total", "a"));
  r.framesDropped = metric(afterRun, "tribune_frames_dropped_total") - metric(before, "tribune_frames_dropped_total");
  const auto bAtEnd = bFile_->lastVideoTimestamp().value_or(0);
  r.video = gapsOf(bFile_->tags(), true, bAtKill - 1000, bAtEnd);
  r.audio = gapsOf(bFile_->tags(), false, bAtKill - 1000, bAtEnd);
  r.pauseMs = longestPauseMs(bFile_->tags(), killedAt - 1s, end);
  r.bRepublished = bFiles_ > 1;
  readLog(r, killedAt, back, end);
  return r;
}

void ReconnectBench::readPlayer(ReconnectRun& r, Process& player, Clock::time_point deadline) {
  const auto left = std::max(Clock::duration::zero(), deadline - Clock::now());
  if (!player.waitFor(std::chrono::duration_cast<std::chrono::milliseconds>(left))) {
    player.kill9();
    player.finishCapture();
    r.player = "no packet within the run (ffprobe killed)";
    return;
  }
  player.finishCapture();
  std::istringstream in(player.capturedOut());
  std::string line;
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    if (comma == std::string::npos) continue;
    double dts = std::nan("");
    try {
      dts = std::stod(line.substr(0, comma));
    } catch (const std::exception&) {
    }
    const bool key = line.find('K', comma) != std::string::npos;
    if (std::isnan(dts) || dts > kPlayerStartToleranceS) {
      r.player = "inconclusive: joined after the publish began (first DTS " + line.substr(0, comma) + " s)";
      return;
    }
    r.playerKey = key;
    r.player = key ? "keyframe first"
                   : "NOT a keyframe first (DTS " + line.substr(0, comma) + " s, flags " + line.substr(comma + 1) + ")";
    return;
  }
  const std::string err = player.capturedErr();
  r.player =
      "no packet (ffprobe: " +
      (err.empty() ? "exit " + std::to_string(player.exitStatus().value_or(-1)) : err.substr(0, err.find('\n'))) + ")";
}

void ReconnectBench::readLog(ReconnectRun& r, Clock::time_point killedAt, Clock::time_point back,
                             Clock::time_point end) {
  for (const auto& e : destinationEvents(tribune_->logFile(), "a", anchorSteady_, anchorWall_)) {
    // The log has millisecond times: a line may read up to 1 ms before what it follows.
    if (e.at < killedAt - 5ms || e.at > end) continue;
    if (!r.lossSeenS && contains(e.text, "live → retrying")) r.lossSeenS = seconds(e.at - killedAt);
    if (contains(e.text, "→ failed")) r.failedState = true;
    if (contains(e.text, "connexion à")) {
      if (e.at < back)
        ++r.attemptsWhileDown;
      else if (!r.attemptS)
        r.attemptS = seconds(e.at - back);
    }
    if (e.at < back && contains(e.text, "connecting → retrying")) {
      // "connecting → retrying — raison (reason) [detail]": the reason in English.
      const auto open = e.text.find(" (");
      const auto close = e.text.find(") [", open == std::string::npos ? 0 : open);
      if (open != std::string::npos && close != std::string::npos)
        r.reasons.insert(e.text.substr(open + 2, close - open - 2));
    }
    if (!r.liveS && e.at >= back && contains(e.text, "connecting → live")) r.liveS = seconds(e.at - back);
  }
}

void ReconnectBench::report(const std::vector<ReconnectRun>& runs) {
  Figures back, keyframe, attempt, live, lossSeen, missingPerRun, pauses;
  long missingTotal = 0, gapsTotal = 0, audioMissing = 0;
  int noMedia = 0, recordingKey = 0, recordingVideo = 0, playerConclusive = 0, playerKey = 0, failedStates = 0;
  double bReconnects = 0, aReconnects = 0, dropped = 0;
  bool republished = false;
  std::set<std::string> reasons;
  for (const auto& r : runs) {
    if (r.backS)
      back.values.push_back(*r.backS);
    else
      ++noMedia;
    if (r.keyframeS) keyframe.values.push_back(*r.keyframeS);
    if (r.attemptS) attempt.values.push_back(*r.attemptS);
    if (r.liveS) live.values.push_back(*r.liveS);
    if (r.lossSeenS) lossSeen.values.push_back(*r.lossSeenS * 1000.0);
    missingPerRun.values.push_back(static_cast<double>(r.video.missing));
    pauses.values.push_back(r.pauseMs);
    missingTotal += r.video.missing;
    gapsTotal += r.video.gaps;
    audioMissing += r.audio.missing;
    if (r.firstVideoKey) {
      ++recordingVideo;
      if (*r.firstVideoKey) ++recordingKey;
    }
    if (r.playerKey) {
      ++playerConclusive;
      if (*r.playerKey) ++playerKey;
    }
    if (r.failedState) ++failedStates;
    if (!std::isnan(r.bReconnects)) bReconnects += r.bReconnects;
    if (!std::isnan(r.aReconnects)) aReconnects += r.aReconnects;
    if (!std::isnan(r.framesDropped)) dropped += r.framesDropped;
    republished = republished || r.bRepublished;
    reasons.insert(r.reasons.begin(), r.reasons.end());
  }
  const int n = static_cast<int>(runs.size());
  const bool backHolds = noMedia == 0 && !back.values.empty() && back.median() <= 3.0;
  const bool keyHolds = recordingVideo == n && recordingKey == n && playerKey == playerConclusive;
  const bool bHolds = missingTotal == 0 && bReconnects == 0 && !republished;

  auto s = [](const std::optional<double>& v, int decimals = 3) {
    return v ? fixed(*v, decimals) + " s" : std::string("—");
  };
  std::cout
      << "\n### reconnect: destination a's server killed and restarted, " << n << " run" << (n == 1 ? "" : "s")
      << "\n\n"
      << "Machine: " << machine() << ".  \nCommand: `" << o_.command << "`.  \n"
      << "tribune: test source, " << o_.profile << ", x264 " << o_.preset << ", destinations a → nginx A and "
      << "b → nginx B (loopback), recording " << (*o_.recording ? "on" : "off") << ". Each run: A SIGKILLed, "
      << "down " << fixed(o_.downS, 1) << " s + (run − ½)/runs × " << fixed(o_.spreadS, 1)
      << " s (returns spread over the backoff's cycle), started again on the same ports (t_return: its ports accept), "
      << "the run ends " << fixed(o_.settleS, 1) << " s after A's first media. Times from t_return unless "
      << "said otherwise.\n\n"
      << "| run | A down | A launch | tribune saw A go (after the kill) | attempts while down | first attempt after "
         "t_return | live (hub) | first tag | **first media** | first video keyframe | first tags of A's new "
         "recording | player on A | B: video gaps / frames missing | B: audio frames missing | B: longest "
         "pause | B: keyframes in window (shortest interval) | frames dropped (program) |\n"
      << "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    std::cout << "| " << i + 1 << " | " << fixed(r.downS, 2) << " s | " << fixed(r.launchMs, 0) << " ms | "
              << (r.lossSeenS ? fixed(*r.lossSeenS * 1000, 0) + " ms" : "—") << " | " << r.attemptsWhileDown << " | "
              << s(r.attemptS, 2) << " | " << s(r.liveS, 2) << " | " << s(r.configS) << " | **" << s(r.backS) << "** | "
              << s(r.keyframeS) << " | " << r.firstTags << " | " << r.player << " | " << r.video.gaps << " / "
              << r.video.missing << " (of " << r.video.frames << " frames) | " << r.audio.missing << " | "
              << fixed(r.pauseMs, 0) << " ms | " << r.video.keyframes << " ("
              << fixed(r.video.shortestKeyIntervalMs / 1000.0, 2) << " s) | " << fixed(r.framesDropped, 0) << " |\n";
  }
  std::cout << "\n| figure | median (min–max) | bar | holds |\n|---|---|---|---|\n"
            << "| server back → first media at it again | " << back.text(3, " s")
            << (noMedia ? " (" + std::to_string(noMedia) + " run(s) with none)" : "")
            << " | ≤ 3 s after the server returns | **" << (backHolds ? "yes" : "no") << "** |\n"
            << "| of which: t_return → tribune's first attempt after it (backoff) | " << attempt.text(2, " s")
            << " | | |\n"
            << "| of which: t_return → live in tribune (publish accepted, seen by the 100 ms tick) | "
            << live.text(2, " s") << " | | |\n"
            << "| first video frame a keyframe: A's recording / the player (from the publish's start) | "
            << recordingKey << " of " << recordingVideo << " / " << playerKey << " of " << playerConclusive
            << " conclusive (of " << n << " runs) | first packet a keyframe | **" << (keyHolds ? "yes" : "no")
            << "** |\n"
            << "| frames lost by the other destination (b), per run | " << missingPerRun.text(0, "") << "; total "
            << missingTotal << " in " << gapsTotal << " gap(s); audio frames missing " << audioMissing
            << "; b's reconnects " << fixed(bReconnects, 0) << (republished ? ", b published again" : "")
            << " | no frame lost | **" << (bHolds ? "yes" : "no") << "** |\n"
            << "| b: longest pause between tags arriving at B | " << pauses.text(0, " ms") << " (over the warm-up, "
            << "nothing disrupted: " << fixed(baselinePauseMs_, 0) << " ms) | | |\n"
            << "| tribune saw A go, after the kill | " << lossSeen.text(0, " ms") << " | | |\n"
            << "| a's reconnects counted by tribune (tribune_destination_reconnects_total), all runs | "
            << fixed(aReconnects, 0) << " of " << n << " | | |\n\n";
  std::cout << "Notes. nginx's recorder skips video until a keyframe, so A's recording starts with one whatever "
               "Tribune sends; the player's first packet is the independent check (conclusive only when it "
               "connected before Tribune's publish: first DTS ≤ "
            << fixed(kPlayerStartToleranceS * 1000, 0)
            << " ms). The first media tag at A is whichever of audio and video nginx received first after the "
               "codec configuration tags. Tribune retries a lost destination after 0.5 s, 1 s, then every 2 s "
               "(±20 %, src/core/backoff.cpp, retry.* in docs/CONFIG.md): the server's return falls anywhere in "
               "that cycle, so \"first attempt after t_return\" is spread from ~0 to ~2.4 s and dominates the "
               "figure; the rest is the connection, the hub's 100 ms tick that sees it accepted, and the key unit "
               "forced for it (every output gets that keyframe: the \"keyframes in window\" of B).";
  if (!reasons.empty()) {
    std::cout << " Attempts while A was down failed with:";
    bool first = true;
    for (const auto& reason : reasons) {
      std::cout << (first ? " " : "; ") << reason;
      first = false;
    }
    std::cout << ".";
  }
  if (failedStates > 0)
    std::cout << " **In " << failedStates << " run(s) destination a went to \"failed\" (it stops retrying).**";
  std::cout << " Frames dropped by the program over all runs: " << fixed(dropped, 0) << ".\n";

  tribune::bench::summaryRow({"reconnect", "server back → media at it again (s)", fixed(back.median(), 3),
                              back.spread(3), "≤ 3 s after the server returns", backHolds});
  tribune::bench::summaryRow({"reconnect", "first video packet a keyframe (recording / player, conclusive runs)",
                              std::to_string(recordingKey) + "/" + std::to_string(recordingVideo) + " / " +
                                  std::to_string(playerKey) + "/" + std::to_string(playerConclusive),
                              "", "first packet a keyframe", keyHolds});
  tribune::bench::summaryRow({"reconnect", "frames lost by the other destination, per run",
                              fixed(missingPerRun.median(), 0), missingPerRun.spread(0),
                              "the other destination loses no frame", bHolds});
}

int runReconnect(const Options& o) {
  ReconnectBench bench(o);
  return bench.run();
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  if (options.keep) setenv("TRIBUNE_KEEP_TEST_FILES", "1", 1);
  if (!fs::exists(options.tribune)) {
    std::cerr << "tribune_bench_live: cannot run: no tribune binary at " << options.tribune.string() << "\n";
    return 1;
  }
  std::cout << "tribune_bench_live " << options.benchmark << ": " << options.runs << " run"
            << (options.runs == 1 ? "" : "s") << "\n"
            << std::flush;
  try {
    return options.benchmark == "start" ? runStart(options) : runReconnect(options);
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_live: cannot run: " << e.what() << "\n";
    return 1;
  }
}
