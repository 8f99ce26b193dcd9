// Websocket load client and driver of two benchmarks (DESIGN.md §7):
//
//   websockets  "10,000 viewer connections on one core, ≤ 20 KB each, an event to all of
//               them at p99 ≤ 100 ms"
//   questions   "≥ 2,000 questions/s accepted durably; none lost"
//
// Each run starts the real `tribune run` (a separate process: test source at 720p30,
// x264 ultrafast at 500 kb/s, a fresh data dir under /tmp, the web server on 127.0.0.1),
// drives it from this process over loopback websockets, reads its memory and CPU from
// /proc, stops it and removes its data dir. Several runs give a median and a spread; the
// end is a Markdown table.
//
// The load client: one process, `--threads` io_context threads (1 by default), each with
// its share of the connections, every connection always waiting to read. A connection is
// a small websocket client written for the purpose straight on an Asio socket (upgrade,
// masked frames out, frames in, ping → pong; class Conn): cheaper per message than
// Beast's stream, and it reads with recvmsg, which hands over the kernel's receive time
// of each socket buffer (SO_TIMESTAMPNS). Delays are measured to that time, so what the
// client's own thread does with other connections in the meantime does not count; the
// moment the client read it is reported beside it. Send and arrival times are both
// CLOCK_REALTIME (the kernel's timestamps are). One descriptor per connection: the client
// raises its soft RLIMIT_NOFILE to the hard limit, and the tribune it starts inherits it.
//
// websockets: a technician's console connection (or none, with --console rest: commands
// then go through POST /api/commands); N viewers open (at most --window being opened at
// once), each says hello with its own browser id and waits for its welcome; the server's
// VmRSS before and after gives the memory per connection; its threads' CPU
// (/proc/PID/task/*/schedstat) while holding them idle and per event says what they cost;
// then the technician sends --events `agenda.jump` commands (alternately to items 2 and
// 1), each producing one `item_changed` event to every viewer, and every viewer
// connection timestamps its arrival: the delay of an event is arrival − the moment the
// command was handed to the technician's socket, for every (connection, event).
//
// questions: a moderator connection and --viewers viewer connections, each with its own
// browser id. First a moderate load (--moderate questions at --rate per second, each from
// another viewer), then saturation (the other viewers all ask at once, --per-viewer
// questions each, the next one as soon as the previous one's result came back). A
// question counts when its `result` with status ok arrived (sent after the event log
// committed). The moderator's screen gets a `question` message per new question: its
// arrival − send time is the delay to the moderator. Afterwards the questions are counted
// back through GET /api/questions.json (moderator token), then tribune is killed with
// SIGKILL and the SQLite log (DATA/tribune.db) is read: every acknowledged question must
// be there.
//
// A benchmark reports; it does not test: the exit status is non-zero only when something
// cannot run, never for a missed bar. How to read the numbers: docs/PERFORMANCE.md.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
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
#include "ws_client.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
// The load client (Conn, LoadClient, openViewers…), the CPU readings and the figures'
// spread: ws_client.h, shared with the edge's bench.
using namespace tribune::bench;

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  std::string mode;  // websockets | questions
  fs::path tribune = TRIBUNE_BINARY;
  fs::path sourceDir = TRIBUNE_SOURCE_DIR;
  int runs = 3;
  int threads = 1;    // load client io threads
  int window = 200;   // connections being opened at once
  bool keep = false;  // keep the data dirs
  // websockets
  int connections = 10'000;
  int events = 10;
  int gapMs = 500;           // between events
  int holdS = 3;             // holding the viewers idle, to measure what that costs
  bool restConsole = false;  // the technician's commands over POST /api/commands, no console websocket
  // questions
  int viewers = 2'050;  // connections asking, each with its own browser id
  int moderate = 50;    // questions of the moderate phase (one per viewer)
  double rate = 10;     // questions per second in the moderate phase
  int perViewer = 1;    // questions of each other viewer in the saturation phase
  int watchers = 0;     // more viewers that only watch
  bool prescreen = true;
  int timeoutS = 120;  // per phase
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_ws_load: " << problem << "\n"
      << "usage: tribune_bench_ws_load websockets|questions [--runs R] [--threads T] [--window W] [--keep]\n"
      << "                             [--tribune PATH]\n"
      << "  websockets: [--connections N (10000)] [--events E (10)] [--gap-ms G (500)] [--hold-s S (3)]\n"
      << "              [--console ws|rest (ws: a technician's websocket, as when the console is open)]\n"
      << "  questions:  [--viewers C (2050)] [--moderate M (50)] [--rate Q/s (10)] [--per-viewer K (1)]\n"
      << "              [--watchers W (0)] [--no-prescreen] [--timeout-s S (120)]\n"
      << "Starts `tribune run` (Release, test source 720p30 ultrafast 500 kb/s) on 127.0.0.1 with a temporary\n"
      << "data dir, loads it from this process and prints a Markdown table (docs/PERFORMANCE.md).\n";
  std::exit(status);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) usage("which benchmark?");
  tribune::bench::OptionReader in(std::move(args), usage);
  while (in.next()) {
    const std::string& a = in.name();
    if (a == "--help" || a == "-h") usage("help", 0);
    if (a == "websockets" || a == "questions") {
      o.mode = a;
    } else if (a == "--runs") {
      o.runs = in.whole(1);
    } else if (a == "--threads") {
      o.threads = in.whole(1);
    } else if (a == "--window") {
      o.window = in.whole(1);
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--tribune") {
      o.tribune = in.value();
    } else if (a == "--connections") {
      o.connections = in.whole(1);
    } else if (a == "--events") {
      o.events = in.whole(1);
    } else if (a == "--gap-ms") {
      o.gapMs = in.whole(0);
    } else if (a == "--console") {
      const std::string v = in.value();
      if (v != "ws" && v != "rest") usage("--console: ws or rest");
      o.restConsole = v == "rest";
    } else if (a == "--hold-s") {
      o.holdS = in.whole(1);
    } else if (a == "--viewers") {
      o.viewers = in.whole(1);
    } else if (a == "--moderate") {
      o.moderate = in.whole(0);
    } else if (a == "--rate") {
      o.rate = in.whole(1);
    } else if (a == "--per-viewer") {
      o.perViewer = in.whole(1);
    } else if (a == "--watchers") {
      o.watchers = in.whole(0);
    } else if (a == "--no-prescreen") {
      o.prescreen = false;
    } else if (a == "--timeout-s") {
      o.timeoutS = in.whole(1);
    } else {
      usage("unknown argument " + a);
    }
  }
  if (o.mode.empty()) usage("which benchmark? websockets or questions");
  if (o.mode == "questions" && o.moderate > o.viewers) usage("--moderate is at most --viewers");
  return o;
}

// ---------------------------------------------------------------------------------------
// The tribune process

class Tribune {
 public:
  Tribune(const Options& options, const Json& extraConfig) {
    char pattern[] = "/tmp/tribune-bench-XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    keep_ = options.keep;
    port_ = freeLoopbackPort();
    Json config{{"web", {{"address", "127.0.0.1"}, {"port", port_}}},
                {"agenda", (options.sourceDir / "examples" / "agenda-demo.json").string()},
                {"video", {{"profile", "720p30"}, {"bitrate_kbps", 500}, {"preset", "ultrafast"}}}};
    config.update(extraConfig);
    std::ofstream(dir_ / "tribune.json") << config.dump(2);

    const std::string binary = options.tribune.string();
    const std::string configFile = (dir_ / "tribune.json").string();
    const std::string outFile = (dir_ / "out.txt").string();
    const std::string logFile = (dir_ / "log.txt").string();
    const std::string dataDir = dir_.string();
    std::vector<std::string> args{binary, "run", "--config", configFile, "--data-dir", dataDir};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start " + binary + ": " + std::strerror(spawned));

    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!portAccepts(port_)) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("tribune exited before listening:\n" + readFile(dir_ / "log.txt"));
      }
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("tribune did not listen within 30 s:\n" + readFile(dir_ / "log.txt"));
      std::this_thread::sleep_for(100ms);
    }
  }
  ~Tribune() {
    if (pid_ > 0) stop(SIGKILL, 5s);
    if (!keep_) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    } else {
      std::cout << "  (data dir kept: " << dir_.string() << ")\n";
    }
  }
  Tribune(const Tribune&) = delete;
  Tribune& operator=(const Tribune&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const fs::path& dir() const { return dir_; }
  [[nodiscard]] std::string token(const std::string& role) const {
    return Json::parse(readFile(dir_ / "tokens.json")).at(role).get<std::string>();
  }

  [[nodiscard]] long rssKb() const {
    std::istringstream in(readFile("/proc/" + std::to_string(pid_) + "/status"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
  }
  [[nodiscard]] std::string descriptorLimit() const {
    std::istringstream in(readFile("/proc/" + std::to_string(pid_) + "/limits"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Max open files", 0) == 0) {
        std::istringstream fields(line.substr(14));
        std::string soft;
        fields >> soft;
        return soft;
      }
    }
    return "?";
  }
  [[nodiscard]] std::size_t openDescriptors() const {
    return static_cast<std::size_t>(tribune::bench::openDescriptors(pid_).value_or(0));
  }
  [[nodiscard]] std::string log() const { return readFile(dir_ / "log.txt"); }

  // Returns true when it ended within the timeout (then killed otherwise).
  bool stop(int signal, std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return true;
    kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(20ms);
    }
    pid_ = -1;
    return true;
  }

 private:
  fs::path dir_;
  bool keep_ = false;
  int port_ = 0;
  pid_t pid_ = -1;
};

// ---------------------------------------------------------------------------------------
// websockets

struct WsRun {
  int asked = 0;
  int welcomed = 0;
  int held = 0;  // still open after the events
  std::map<std::string, int> failures;
  std::string consoleEnded;  // why the technician's connection ended, if it did
  double openSeconds = 0;
  long rssBeforeKb = 0, rssAfterKb = 0, rssAfterEventsKb = 0;
  double bytesPerConnection = 0;
  std::size_t serverDescriptors = 0;
  std::string serverDescriptorLimit;
  double serverCoreIdle = 0;     // before any viewer (whole process)
  double serverCoreHolding = 0;  // holding every viewer, nothing happening
  double ownCoreIdle = 0;        // the same, Tribune's own threads only
  double ownCoreHolding = 0;
  double serverCpuMsPerEvent = 0;    // Tribune's own threads, over holding
  double busiestMsPerEvent = 0;      // the busiest of them (the web thread)
  double busiestWaitMsPerEvent = 0;  // and how long it waited for a CPU
  double leaveSeconds = 0;           // every viewer closes at once: until the server's descriptors are back
  double leaveBusiestSeconds = 0;    // CPU of its busiest thread meanwhile
  std::vector<double> delaysMs;      // every (connection, event): kernel receive time − send
  std::vector<double> readDelaysMs;  // the same with the client's read time
  std::vector<double> eventP50, eventP99, eventMax, eventFirst, commitMs;
  long long deliveries = 0, missing = 0;
  double clientCpuUsPerMessage = 0;
};

class WsBench final : public ConnHandler {
 public:
  std::atomic<int> welcomed{0};
  std::atomic<int> failedBeforeWelcome{0};
  std::atomic<int> endedAfterWelcome{0};
  std::atomic<long long> messages{0};
  std::atomic<long long> withoutKernelTime{0};
  Failures failures;

  WsBench(const Options& options, int viewers) : options_(options) {
    arrivals_ = std::make_unique<std::atomic<std::int64_t>[]>(static_cast<std::size_t>(viewers) * options.events);
    reads_ = std::make_unique<std::atomic<std::int64_t>[]>(static_cast<std::size_t>(viewers) * options.events);
    received_ = std::make_unique<std::atomic<int>[]>(static_cast<std::size_t>(options.events));
    seen_.assign(static_cast<std::size_t>(viewers), 0);
  }

  void setTechnician(const Conn& technician) { technician_ = &technician; }

  void onWelcome(Conn& conn, std::string_view text, Arrival) override {
    if (&conn == technician_) {
      std::lock_guard lock(mutex_);
      technicianWelcome_ = std::string(text);
      technicianWelcomed_ = true;
      return;
    }
    ++welcomed;
  }
  void onText(Conn& conn, std::string_view text, Arrival at) override {
    if (&conn == technician_) {
      if (text.find("\"type\":\"result\"") != std::string_view::npos) {
        const Json message = Json::parse(text);
        std::lock_guard lock(mutex_);
        results_[message.value("id", 0)] = {at.best(), message.value("status", "")};
      }
      return;
    }
    messages.fetch_add(1, std::memory_order_relaxed);
    if (text.find("\"item_changed\"") == std::string_view::npos) return;
    const std::size_t i = conn.index() - 1;  // 0 is the technician
    const int k = seen_[i]++;
    if (k >= options_.events) return;
    arrivals_[i * options_.events + k].store(at.best(), std::memory_order_relaxed);
    reads_[i * options_.events + k].store(at.read, std::memory_order_relaxed);
    if (at.kernel == 0) withoutKernelTime.fetch_add(1, std::memory_order_relaxed);
    received_[k].fetch_add(1, std::memory_order_release);
  }
  void onEnd(Conn& conn, const char* stage, const error_code& error, const std::string& reason) override {
    if (&conn == technician_) {
      std::cout << "  the technician's connection ended: " << stage << ": " << error.message() << " " << reason << "\n";
      std::lock_guard lock(mutex_);
      technicianEnded_ = std::string(stage) + ": " + error.message() + (reason.empty() ? "" : " (" + reason + ")");
      return;
    }
    failures.add(stage, error, reason);
    if (conn.welcomed())
      ++endedAfterWelcome;
    else
      ++failedBeforeWelcome;
  }

  std::string technicianEnded() {
    std::lock_guard lock(mutex_);
    return technicianEnded_;
  }
  bool technicianWelcomed() {
    std::lock_guard lock(mutex_);
    return technicianWelcomed_;
  }
  std::string technicianWelcome() {
    std::lock_guard lock(mutex_);
    return technicianWelcome_;
  }
  void setResult(int id, std::int64_t ns, std::string status) {
    std::lock_guard lock(mutex_);
    results_[id] = {ns, std::move(status)};
  }
  std::optional<std::pair<std::int64_t, std::string>> result(int id) {
    std::lock_guard lock(mutex_);
    auto found = results_.find(id);
    if (found == results_.end()) return std::nullopt;
    return found->second;
  }
  int received(int k) const { return received_[k].load(std::memory_order_acquire); }
  std::int64_t arrival(std::size_t viewer, int k) const {
    return arrivals_[viewer * options_.events + k].load(std::memory_order_relaxed);
  }
  std::int64_t readAt(std::size_t viewer, int k) const {
    return reads_[viewer * options_.events + k].load(std::memory_order_relaxed);
  }

 private:
  const Options& options_;
  const Conn* technician_ = nullptr;
  std::unique_ptr<std::atomic<std::int64_t>[]> arrivals_;  // kernel receive times
  std::unique_ptr<std::atomic<std::int64_t>[]> reads_;     // when the client read them
  std::unique_ptr<std::atomic<int>[]> received_;
  std::vector<int> seen_;  // per viewer, on its io thread
  std::mutex mutex_;
  bool technicianWelcomed_ = false;
  std::string technicianWelcome_;
  std::string technicianEnded_;
  std::map<int, std::pair<std::int64_t, std::string>> results_;
};

WsRun runWebsockets(const Options& options, int runNumber) {
  WsRun out;
  out.asked = options.connections;
  Tribune server(options, Json::object());
  std::cout << "  run " << runNumber << ": tribune pid " << server.pid() << ", port " << server.port() << "\n"
            << std::flush;
  out.serverDescriptorLimit = server.descriptorLimit();
  WsBench bench(options, options.connections);
  LoadClient client(options.threads);

  Conn& technician = client.add(bench);
  bench.setTechnician(technician);
  for (int i = 0; i < options.connections; ++i) client.add(bench);
  const std::string technicianToken = server.token("technician");
  std::vector<std::string> numbers;
  if (options.restConsole) {
    numbers = agendaNumbers(Json::parse(httpCall(server.port(), http::verb::get, "/api/snapshot", technicianToken)));
  } else {
    technician.start(server.port(), Json{{"type", "hello"}, {"token", technicianToken}}.dump());
    if (!waitFor([&] { return bench.technicianWelcomed(); }, 10s))
      throw std::runtime_error("the technician got no welcome:\n" + server.log());
    numbers = agendaNumbers(Json::parse(bench.technicianWelcome()).at("snapshot"));
  }
  if (numbers.size() < 2) throw std::runtime_error("the demo agenda has fewer than 2 items");

  // The program is running; let it settle, then take the baseline.
  std::this_thread::sleep_for(2s);
  const CpuSample idle0 = sampleCpu(server.pid());
  std::this_thread::sleep_for(3s);
  const CpuUse idle = cpuBetween(idle0, sampleCpu(server.pid()));
  out.serverCoreIdle = idle.processShare();
  out.ownCoreIdle = idle.ownShare();
  out.rssBeforeKb = server.rssKb();

  const auto openStart = nowNs();
  openViewers(client, server.port(), 1, client.size(), options.window, bench, std::chrono::seconds(options.timeoutS));
  out.openSeconds = static_cast<double>(nowNs() - openStart) / 1e9;
  out.welcomed = bench.welcomed.load();
  std::this_thread::sleep_for(2s);
  out.rssAfterKb = server.rssKb();
  out.serverDescriptors = server.openDescriptors();
  const int heldBeforeEvents = out.welcomed - bench.endedAfterWelcome.load();
  if (heldBeforeEvents > 0)
    out.bytesPerConnection = static_cast<double>(out.rssAfterKb - out.rssBeforeKb) * 1024.0 / heldBeforeEvents;
  const CpuSample holding0 = sampleCpu(server.pid());
  std::this_thread::sleep_for(std::chrono::seconds(options.holdS));
  const CpuUse holding = cpuBetween(holding0, sampleCpu(server.pid()));
  out.serverCoreHolding = holding.processShare();
  out.ownCoreHolding = holding.ownShare();
  std::cout << "  run " << runNumber << ": " << withCommas(out.welcomed) << " of " << withCommas(out.asked)
            << " viewers welcomed in " << fixed(out.openSeconds, 1) << " s; RSS " << out.rssBeforeKb / 1024 << " → "
            << out.rssAfterKb / 1024 << " MiB (" << fixed(out.bytesPerConnection / 1000, 1)
            << " KB per connection); server fds " << out.serverDescriptors << " (limit " << out.serverDescriptorLimit
            << "); Tribune's own threads " << fixed(out.ownCoreIdle * 100, 0) << " % of a core before, "
            << fixed(out.ownCoreHolding * 100, 0) << " % holding them idle (the whole process "
            << fixed(out.serverCoreIdle * 100, 0) << " → " << fixed(out.serverCoreHolding * 100, 0) << " %)\n"
            << std::flush;

  // The events.
  const double clientCpu0 = client.ioCpuSeconds();
  const long long messages0 = bench.messages.load();
  std::vector<std::int64_t> sentAt(static_cast<std::size_t>(options.events), 0);
  std::vector<double> ownPerEvent, busiestPerEvent, busiestWaitPerEvent;
  for (int k = 0; k < options.events; ++k) {
    const std::string number = numbers[k % 2 == 0 ? 1 : 0];
    const std::string command = Json{{"type", "agenda.jump"}, {"id", k + 1}, {"number", number}}.dump();
    const CpuSample before = sampleCpu(server.pid());
    sentAt[k] = realNs();
    if (options.restConsole) {
      const Json answer = Json::parse(
          httpCall(server.port(), http::verb::post, "/api/commands", technicianToken, command), nullptr, false);
      bench.setResult(k + 1, realNs(), answer.is_discarded() ? "?" : answer.value("status", "?"));
    } else {
      technician.post(command);
    }
    waitFor([&] { return bench.received(k) >= out.welcomed - bench.endedAfterWelcome.load(); }, 10s);
    waitFor([&] { return bench.result(k + 1).has_value(); }, 10s);
    const CpuUse use = cpuBetween(before, sampleCpu(server.pid()));
    // What the event cost Tribune's own threads, over what holding the viewers costs anyway.
    ownPerEvent.push_back((use.own - out.ownCoreHolding * use.seconds) * 1000.0);
    busiestPerEvent.push_back(use.busiest * 1000.0);
    busiestWaitPerEvent.push_back(use.busiestWait * 1000.0);
    std::this_thread::sleep_for(std::chrono::milliseconds(options.gapMs));
  }
  out.serverCpuMsPerEvent = spreadOf(ownPerEvent).median;
  if (out.serverCpuMsPerEvent < 0) out.serverCpuMsPerEvent = std::nan("");  // holding alone saturated it
  out.busiestMsPerEvent = spreadOf(busiestPerEvent).median;
  out.busiestWaitMsPerEvent = spreadOf(busiestWaitPerEvent).median;
  const long long messagesDuring = bench.messages.load() - messages0;
  if (messagesDuring > 0)
    out.clientCpuUsPerMessage = (client.ioCpuSeconds() - clientCpu0) * 1e6 / static_cast<double>(messagesDuring);
  out.rssAfterEventsKb = server.rssKb();
  out.held = out.welcomed - bench.endedAfterWelcome.load();
  out.failures = bench.failures.counts();
  out.consoleEnded = bench.technicianEnded();

  for (int k = 0; k < options.events; ++k) {
    std::vector<double> delays;
    for (std::size_t i = 0; i < static_cast<std::size_t>(options.connections); ++i) {
      const std::int64_t at = bench.arrival(i, k);
      if (at == 0) continue;
      delays.push_back(msOf(at - sentAt[k]));
      out.readDelaysMs.push_back(msOf(bench.readAt(i, k) - sentAt[k]));
    }
    out.deliveries += static_cast<long long>(delays.size());
    out.delaysMs.insert(out.delaysMs.end(), delays.begin(), delays.end());
    out.eventP50.push_back(percentile(delays, 0.50));
    out.eventP99.push_back(percentile(delays, 0.99));
    out.eventMax.push_back(percentile(delays, 1.0));
    out.eventFirst.push_back(delays.empty() ? std::nan("") : *std::min_element(delays.begin(), delays.end()));
    const auto result = bench.result(k + 1);
    out.commitMs.push_back(result ? msOf(result->first - sentAt[k]) : std::nan(""));
    if (result && result->second != "ok") std::cout << "  event " << k + 1 << ": result " << result->second << "\n";
  }
  out.missing = static_cast<long long>(out.welcomed) * options.events - out.deliveries;
  if (bench.withoutKernelTime.load() > 0)
    std::cout << "  " << bench.withoutKernelTime.load() << " arrivals had no kernel time: their read time stands in\n";
  std::cout << "  run " << runNumber << ": " << options.events << " events, delay p50 "
            << fixed(percentile(out.delaysMs, 0.5), 1) << " ms, p99 " << fixed(percentile(out.delaysMs, 0.99), 1)
            << " ms, max " << fixed(percentile(out.delaysMs, 1.0), 1) << " ms; per event p99: ";
  for (double p : out.eventP99) std::cout << fixed(p, 0) << " ";
  std::cout << "ms; technician's result " << fixed(spreadOf(out.commitMs).median, 1) << " ms; " << out.missing
            << " deliveries missing; Tribune's threads " << fixed(out.serverCpuMsPerEvent, 1)
            << " ms CPU per event (the busiest " << fixed(out.busiestMsPerEvent, 1) << " ms, and it waited "
            << fixed(out.busiestWaitMsPerEvent, 1) << " ms for a CPU); read by the client p50 "
            << fixed(percentile(out.readDelaysMs, 0.5), 1) << " ms p99 " << fixed(percentile(out.readDelaysMs, 0.99), 1)
            << " ms; client " << fixed(out.clientCpuUsPerMessage, 2) << " µs CPU per message\n"
            << std::flush;

  // All viewers leave at once (the client closes its sockets): how long the server takes
  // to let go of them.
  const std::size_t descriptorsBefore = server.openDescriptors();
  const CpuSample leave0 = sampleCpu(server.pid());
  client.shutdown();
  waitFor([&] { return server.openDescriptors() < descriptorsBefore - static_cast<std::size_t>(out.held) + 10; }, 60s);
  const CpuUse leave = cpuBetween(leave0, sampleCpu(server.pid()));
  out.leaveSeconds = leave.seconds;
  out.leaveBusiestSeconds = leave.busiest;
  std::cout << "  run " << runNumber << ": the server let go of the " << withCommas(out.held) << " connections in "
            << fixed(out.leaveSeconds, 1) << " s (its busiest thread on a CPU " << fixed(out.leaveBusiestSeconds, 1)
            << " s)\n"
            << std::flush;
  server.stop(SIGTERM, 15s);
  return out;
}

void reportWebsockets(const Options& options, const std::vector<WsRun>& runs, rlim_t clientLimit) {
  auto collect = [&](auto member) {
    std::vector<double> values;
    values.reserve(runs.size());
    for (const auto& run : runs) values.push_back(member(run));
    return spreadOf(values);
  };
  const Spread held = collect([](const WsRun& r) { return static_cast<double>(r.held); });
  const Spread perConnection = collect([](const WsRun& r) { return r.bytesPerConnection / 1000.0; });
  const Spread p50 = collect([](const WsRun& r) { return percentile(r.delaysMs, 0.50); });
  const Spread p99 = collect([](const WsRun& r) { return percentile(r.delaysMs, 0.99); });
  const Spread max = collect([](const WsRun& r) { return percentile(r.delaysMs, 1.0); });
  const Spread readP50 = collect([](const WsRun& r) { return percentile(r.readDelaysMs, 0.50); });
  const Spread readP99 = collect([](const WsRun& r) { return percentile(r.readDelaysMs, 0.99); });
  const Spread first = collect([](const WsRun& r) { return spreadOf(r.eventFirst).median; });
  const Spread commit = collect([](const WsRun& r) { return spreadOf(r.commitMs).median; });
  const Spread eventP99Worst = collect([](const WsRun& r) { return spreadOf(r.eventP99).max; });
  const Spread cpuEvent = collect([](const WsRun& r) { return r.serverCpuMsPerEvent; });
  const Spread busiestEvent = collect([](const WsRun& r) { return r.busiestMsPerEvent; });
  const Spread busiestWait = collect([](const WsRun& r) { return r.busiestWaitMsPerEvent; });
  const Spread idle = collect([](const WsRun& r) { return r.serverCoreIdle * 100; });
  const Spread holding = collect([](const WsRun& r) { return r.serverCoreHolding * 100; });
  const Spread ownIdle = collect([](const WsRun& r) { return r.ownCoreIdle * 100; });
  const Spread ownHolding = collect([](const WsRun& r) { return r.ownCoreHolding * 100; });
  const Spread open = collect([](const WsRun& r) { return r.openSeconds; });
  const Spread clientUs = collect([](const WsRun& r) { return r.clientCpuUsPerMessage; });
  const Spread leave = collect([](const WsRun& r) { return r.leaveSeconds; });
  const Spread leaveCpu = collect([](const WsRun& r) { return r.leaveBusiestSeconds; });
  long long missing = 0;
  for (const auto& r : runs) missing += r.missing;

  const bool allHeld = held.min >= options.connections;
  const bool heldBar = held.median >= 10'000;
  const bool memoryBar = perConnection.median <= 20.0;
  const bool p99Bar = p99.median <= 100.0;
  auto holds = [](bool yes) { return yes ? "**yes**" : "**no**"; };
  tribune::bench::summaryRow(
      {"websockets", "viewer connections held at once", fixed(held.median, 0), spreadText(held, 0), "10,000", heldBar});
  tribune::bench::summaryRow({"websockets", "server memory per connection", fixed(perConnection.median, 1) + " KB",
                              spreadText(perConnection, 1, " KB"), "≤ 20 KB", memoryBar});
  tribune::bench::summaryRow({"websockets", "an event to every viewer, p99", fixed(p99.median, 1) + " ms",
                              spreadText(p99, 1, " ms"), "≤ 100 ms", p99Bar});

  std::cout << "\n### websockets: " << withCommas(options.connections) << " viewers asked, " << options.events
            << " events a run (agenda.jump → item_changed to every viewer), "
            << (options.restConsole ? "commands over POST /api/commands, no console open"
                                    : "commands from the technician's console websocket")
            << ", " << runs.size() << " run" << (runs.size() > 1 ? "s" : "") << "\n\n"
            << "| figure | median (min–max) over runs | bar | holds |\n|---|---|---|---|\n"
            << "| viewer connections held at once (hello → welcome, still open after the events) | " << showCount(held)
            << " of " << withCommas(options.connections) << " | 10,000 | " << holds(heldBar) << " |\n"
            << "| server memory per connection (ΔVmRSS ÷ connections) | " << show(perConnection, 1, " KB")
            << " | ≤ 20 KB | " << holds(memoryBar) << " |\n"
            << "| an event to every viewer, p50 of the (connection, event) delays | " << show(p50, 1, " ms")
            << " | | |\n"
            << "| an event to every viewer, **p99** | " << show(p99, 1, " ms") << " | ≤ 100 ms | " << holds(p99Bar)
            << " |\n"
            << "| an event to every viewer, max | " << show(max, 1, " ms") << " | | |\n"
            << "| the worst event's p99 | " << show(eventP99Worst, 1, " ms") << " | | |\n"
            << "| the first viewer reached (median over the events) | " << show(first, 1, " ms") << " | | |\n"
            << "| the technician's result (sent after the event is in the log, like the event) | "
            << show(commit, 1, " ms") << " | | |\n"
            << "| the same delays as read by the client, p50 / p99 | " << show(readP50, 1, " ms") << " / "
            << show(readP99, 1, " ms") << " | | |\n"
            << "| CPU of Tribune's own threads per event (over holding them idle) | " << show(cpuEvent, 1, " ms")
            << " | | |\n"
            << "| the busiest thread (the web server's) from command to last delivery: on a CPU / waiting for one | "
            << show(busiestEvent, 1, " ms") << " / " << show(busiestWait, 1, " ms") << " | | |\n"
            << "| CPU, % of a core, before → holding the viewers idle: Tribune's own threads | "
            << show(ownIdle, 0, " %") << " → " << show(ownHolding, 0, " %") << " | one core | |\n"
            << "| the same, the whole process (with the test source and x264) | " << show(idle, 0, " %") << " → "
            << show(holding, 0, " %") << " | | |\n"
            << "| time to open the viewers (" << options.window << " at once) | " << show(open, 1, " s") << " | | |\n"
            << "| every viewer leaves at once: until the server has closed them, and its busiest thread's CPU | "
            << show(leave, 1, " s") << ", " << show(leaveCpu, 1, " s") << " | | |\n"
            << "| load client CPU per message received | " << show(clientUs, 2, " µs") << " | | |\n";
  if (missing > 0)
    std::cout << "\n" << missing << " deliveries missing over all runs (connections dropped, or later than 10 s).\n";
  for (std::size_t r = 0; r < runs.size(); ++r) {
    if (!runs[r].consoleEnded.empty())
      std::cout << "\nRun " << r + 1
                << ": the server ended the technician's console connection: " << runs[r].consoleEnded << ".\n";
  }

  std::cout << "\nWhat limited the count: ";
  std::map<std::string, int> failures;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.failures) failures[k] += v;
  if (allHeld && failures.empty()) {
    std::cout << "nothing failed; the count is the target asked (--connections " << options.connections
              << "). Descriptors allow more: client limit " << clientLimit << ", server limit "
              << runs.front().serverDescriptorLimit << " (one per connection on each side).\n";
  } else {
    std::cout << "failures (all runs):\n";
    for (const auto& [k, v] : failures) {
      const bool clientFds = k.find("Too many open files") != std::string::npos && k.rfind("connect", 0) == 0;
      std::cout << "- " << k << ": " << v << (clientFds ? " — the client's descriptor limit" : " — the server") << "\n";
    }
    std::cout << "(client descriptor limit " << clientLimit << ", server " << runs.front().serverDescriptorLimit
              << ")\n";
  }
  std::cout << "Delays: from the command handed to " << (options.restConsole ? "the POST" : "the technician's socket")
            << " to the kernel's receive time of the viewer's socket buffer (SO_TIMESTAMPNS), so the client's own "
               "speed does not count; \"read by the client\" adds its queueing. The load client: one process, "
            << options.threads << " io thread" << (options.threads > 1 ? "s" : "")
            << " (plus a control thread that mostly sleeps), one descriptor per connection, on the same "
            << std::thread::hardware_concurrency() << " CPUs as the server (" << fixed(clientUs.median, 2)
            << " µs of CPU per message: about " << fixed(clientUs.median * options.connections / 1000.0, 0)
            << " ms to read one event on " << withCommas(options.connections) << " connections).\n";
}

// ---------------------------------------------------------------------------------------
// questions

struct QRun {
  int viewers = 0;
  int moderateSent = 0, moderateOk = 0;
  int burstSent = 0, burstOk = 0;
  int refused = 0, noResult = 0;
  std::map<std::string, int> refusals;
  std::map<std::string, int> failures;
  double burstSeconds = 0;
  double questionsPerSecond = 0;
  double loggedPerSecond = 0;  // the burst's question_asked events over their wall_ms span in the log
  double moderateRateAchieved = 0;
  std::vector<double> moderateAckMs, moderateModMs, burstAckMs, burstModMs;
  int moderatorMissing = 0;
  bool moderatorDropped = false;
  long long foundApi = -1, foundLog = -1, ackedNotFound = 0;
  double serverCoreBurst = 0;      // whole process, share of a core
  double ownCoreBurst = 0;         // Tribune's own threads
  double busiestCoreBurst = 0;     // the busiest of them
  double busiestWaitBurst = 0;     // share of the time it waited for a CPU
  double clientCoreBurst = 0;      // the load client's io threads
  double messagesPerQuestion = 0;  // what the viewers received per question of the burst
  double clientCpuUsPerMessage = 0;
};

class QBench final : public ConnHandler {
 public:
  std::atomic<int> welcomed{0};
  std::atomic<int> failedBeforeWelcome{0};
  std::atomic<int> endedAfterWelcome{0};
  std::atomic<int> settledQuestions{0};  // ok, refused or connection ended
  std::atomic<int> moderatorSeen{0};
  std::atomic<long long> messages{0};
  std::atomic<bool> moderatorEnded{false};
  Failures failures;

  QBench(const Options& options, int questions, int viewers) : options_(options) {
    const auto n = static_cast<std::size_t>(questions);
    sentNs_ = std::make_unique<std::atomic<std::int64_t>[]>(n);
    ackNs_ = std::make_unique<std::atomic<std::int64_t>[]>(n);
    modNs_ = std::make_unique<std::atomic<std::int64_t>[]>(n);
    status_ = std::make_unique<std::atomic<int>[]>(n);
    plan_.resize(static_cast<std::size_t>(viewers));
    questions_ = questions;
  }

  // Viewer `v` asks questions [first, first + count), one after the other.
  void plan(std::size_t viewer, int first, int count) { plan_[viewer] = {first, count, 0, -1}; }
  void setModerator(const Conn& moderator) { moderator_ = &moderator; }
  void setClient(LoadClient& client) { client_ = &client; }

  // Starts viewer `v`'s questions (from the control thread).
  void ask(std::size_t viewer) {
    Conn& conn = client_->at(viewer + 1);  // 0 is the moderator
    conn.onItsThread([this, &conn] { askNext(conn); });
  }

  void onWelcome(Conn& conn, std::string_view, Arrival) override {
    if (&conn == moderator_) {
      moderatorWelcomed_ = true;
      return;
    }
    ++welcomed;
  }
  void onText(Conn& conn, std::string_view text, Arrival at) override {
    const std::int64_t ns = at.best();
    if (&conn == moderator_) {
      if (text.find("\"type\":\"question\"") == std::string_view::npos) return;
      const auto marker = text.find("Q#");
      if (marker == std::string_view::npos) return;
      const int q = std::atoi(std::string(text.substr(marker + 2, 7)).c_str());
      if (q < 0 || q >= questions_) return;
      std::int64_t expected = 0;
      if (modNs_[q].compare_exchange_strong(expected, ns)) moderatorSeen.fetch_add(1, std::memory_order_release);
      return;
    }
    messages.fetch_add(1, std::memory_order_relaxed);
    if (text.find("\"type\":\"result\"") == std::string_view::npos &&
        text.find("\"type\":\"error\"") == std::string_view::npos)
      return;
    const Json message = Json::parse(text, nullptr, false);
    if (message.is_discarded()) return;
    const int q = message.value("id", -1);
    if (q < 0 || q >= questions_) {
      std::lock_guard lock(mutex_);
      ++refusals_["(no id) " + message.value("status", "") + ": " + message.value("message", "")];
      return;
    }
    const std::string status = message.value("status", "");
    ackNs_[q].store(ns, std::memory_order_relaxed);
    if (status == "ok") {
      status_[q].store(1, std::memory_order_relaxed);
    } else {
      status_[q].store(2, std::memory_order_relaxed);
      std::lock_guard lock(mutex_);
      ++refusals_[status + ": " + message.value("message", "")];
    }
    settledQuestions.fetch_add(1, std::memory_order_release);
    Plan& p = plan_[conn.index() - 1];
    p.pending = -1;
    askNext(conn);
  }
  void onEnd(Conn& conn, const char* stage, const error_code& error, const std::string& reason) override {
    if (&conn == moderator_) {
      moderatorEnded = true;
      std::cout << "  the moderator's connection ended: " << stage << ": " << error.message() << " " << reason << "\n";
      return;
    }
    failures.add(stage, error, reason);
    if (conn.welcomed())
      ++endedAfterWelcome;
    else
      ++failedBeforeWelcome;
    // Its questions not yet answered will never be.
    Plan& p = plan_[conn.index() - 1];
    const int unanswered = p.count - p.next + (p.pending >= 0 ? 1 : 0);
    for (int i = 0; i < unanswered; ++i) settledQuestions.fetch_add(1, std::memory_order_release);
    p.next = p.count;
    p.pending = -1;
  }

  // On the viewer's io thread: its next question, if any and none is pending.
  void askNext(Conn& conn) {
    Plan& p = plan_[conn.index() - 1];
    if (p.pending >= 0 || p.next >= p.count) return;
    const int q = p.first + p.next++;
    p.pending = q;
    char text[512];
    std::snprintf(
        text, sizeof text,
        R"({"type":"question.ask","id":%d,"text":"Question de test Q#%07d : que prévoit la commune pour les pistes cyclables du quartier ?","pseudonym":"Banc d'essai"})",
        q, q);
    sentNs_[q].store(realNs(), std::memory_order_relaxed);
    conn.send(text);
  }

  [[nodiscard]] bool moderatorWelcomed() const { return moderatorWelcomed_.load(); }
  [[nodiscard]] std::int64_t sent(int q) const { return sentNs_[q].load(std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t acked(int q) const { return ackNs_[q].load(std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t moderator(int q) const { return modNs_[q].load(std::memory_order_relaxed); }
  [[nodiscard]] int status(int q) const { return status_[q].load(std::memory_order_relaxed); }
  std::map<std::string, int> refusals() {
    std::lock_guard lock(mutex_);
    return refusals_;
  }

 private:
  struct Plan {
    int first = 0;
    int count = 0;
    int next = 0;
    int pending = -1;
  };
  const Options& options_;
  const Conn* moderator_ = nullptr;
  LoadClient* client_ = nullptr;
  std::atomic<bool> moderatorWelcomed_{false};
  int questions_ = 0;
  std::unique_ptr<std::atomic<std::int64_t>[]> sentNs_, ackNs_, modNs_;
  std::unique_ptr<std::atomic<int>[]> status_;
  std::vector<Plan> plan_;  // per viewer, on its io thread
  std::mutex mutex_;
  std::map<std::string, int> refusals_;
};

// Question number → wall_ms of its question_asked event in the log.
std::map<int, std::int64_t> questionsInLog(const fs::path& file) {
  std::map<int, std::int64_t> found;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string problem = db != nullptr ? sqlite3_errmsg(db) : "?";
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + file.string() + ": " + problem);
  }
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT data, wall_ms FROM events WHERE type = 'question_asked'", -1, &statement, nullptr);
  while (sqlite3_step(statement) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    const Json data = Json::parse(text, nullptr, false);
    if (data.is_discarded()) continue;
    std::string original = data.value("original", "");  // "" when masking changed nothing
    if (original.empty()) original = data.value("text", "");
    const auto marker = original.find("Q#");
    if (marker != std::string::npos)
      found[std::atoi(original.substr(marker + 2, 7).c_str())] = sqlite3_column_int64(statement, 1);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return found;
}

QRun runQuestions(const Options& options, int runNumber) {
  QRun out;
  const int askers = options.viewers;
  const int burstViewers = askers - options.moderate;
  const int questions = options.moderate + burstViewers * options.perViewer;
  const int connections = askers + options.watchers;
  out.viewers = connections;

  const Json limit{{"count", 10'000}, {"seconds", 1}};
  Tribune server(options, Json{{"questions",
                                {{"prescreen", options.prescreen},
                                 {"per_browser", limit},
                                 {"per_address", limit},
                                 {"messages_per_connection", limit}}}});
  std::cout << "  run " << runNumber << ": tribune pid " << server.pid() << ", port " << server.port() << "\n"
            << std::flush;
  QBench bench(options, questions, connections);
  LoadClient client(options.threads);

  Conn& moderator = client.add(bench);
  bench.setModerator(moderator);
  bench.setClient(client);
  for (int i = 0; i < connections; ++i) client.add(bench);
  for (int v = 0; v < options.moderate; ++v) bench.plan(static_cast<std::size_t>(v), v, 1);
  for (int v = 0; v < burstViewers; ++v)
    bench.plan(static_cast<std::size_t>(options.moderate) + static_cast<std::size_t>(v),
               options.moderate + v * options.perViewer, options.perViewer);

  moderator.start(server.port(), Json{{"type", "hello"}, {"token", server.token("moderator")}}.dump());
  if (!waitFor([&] { return bench.moderatorWelcomed(); }, 10s))
    throw std::runtime_error("the moderator got no welcome:\n" + server.log());
  openViewers(client, server.port(), 1, client.size(), options.window, bench, std::chrono::seconds(options.timeoutS));
  std::cout << "  run " << runNumber << ": " << withCommas(bench.welcomed.load()) << " of " << withCommas(connections)
            << " viewers welcomed\n"
            << std::flush;
  std::this_thread::sleep_for(1s);

  // Moderate load: one question every 1/rate s, each from another viewer (open loop).
  const auto start = std::chrono::steady_clock::now();
  for (int v = 0; v < options.moderate; ++v) {
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<long long>(v * 1e9 / options.rate)));
    bench.ask(static_cast<std::size_t>(v));
  }
  waitFor([&] { return bench.settledQuestions.load() >= options.moderate; }, std::chrono::seconds(options.timeoutS));
  out.moderateRateAchieved =
      options.moderate / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::this_thread::sleep_for(1s);

  // Saturation: every other viewer asks at once; each asks its next as soon as answered.
  const double clientCpu0 = client.ioCpuSeconds();
  const long long messages0 = bench.messages.load();
  const CpuSample burst0 = sampleCpu(server.pid());
  for (int v = 0; v < burstViewers; ++v)
    bench.ask(static_cast<std::size_t>(options.moderate) + static_cast<std::size_t>(v));
  const auto burstTimeout = std::chrono::seconds(options.timeoutS);
  const auto burstStart = std::chrono::steady_clock::now();
  auto lastReport = burstStart;
  while (bench.settledQuestions.load() < questions) {
    if (std::chrono::steady_clock::now() - burstStart > burstTimeout) {
      std::cout << "  (saturation: deadline passed with " << bench.settledQuestions.load() - options.moderate << " of "
                << questions - options.moderate << " settled)\n";
      break;
    }
    if (std::chrono::steady_clock::now() - lastReport > 5s) {
      lastReport = std::chrono::steady_clock::now();
      std::cout << "  … " << withCommas(bench.settledQuestions.load() - options.moderate) << " of "
                << withCommas(questions - options.moderate) << " answered\n"
                << std::flush;
    }
    std::this_thread::sleep_for(1ms);
  }
  const CpuUse burstUse = cpuBetween(burst0, sampleCpu(server.pid()));
  out.serverCoreBurst = burstUse.processShare();
  out.ownCoreBurst = burstUse.ownShare();
  out.busiestCoreBurst = burstUse.busiestShare();
  out.busiestWaitBurst = burstUse.seconds > 0 ? burstUse.busiestWait / burstUse.seconds : 0;
  const long long messagesDuring = bench.messages.load() - messages0;
  if (messagesDuring > 0)
    out.clientCpuUsPerMessage = (client.ioCpuSeconds() - clientCpu0) * 1e6 / static_cast<double>(messagesDuring);
  if (burstUse.seconds > 0) out.clientCoreBurst = (client.ioCpuSeconds() - clientCpu0) / burstUse.seconds;
  out.messagesPerQuestion = static_cast<double>(messagesDuring) / std::max(1, questions - options.moderate);
  // The moderator's screen may lag behind the results.
  waitFor([&] { return bench.moderatorSeen.load() >= questions || bench.moderatorEnded.load(); }, 10s);
  std::this_thread::sleep_for(500ms);
  out.moderatorDropped = bench.moderatorEnded.load();

  // Tally.
  std::int64_t firstBurstSend = 0, lastBurstAck = 0;
  for (int q = 0; q < questions; ++q) {
    const bool moderate = q < options.moderate;
    const std::int64_t sent = bench.sent(q);
    if (sent == 0) continue;
    (moderate ? out.moderateSent : out.burstSent)++;
    const int status = bench.status(q);
    if (status == 1) {
      (moderate ? out.moderateOk : out.burstOk)++;
      (moderate ? out.moderateAckMs : out.burstAckMs).push_back(msOf(bench.acked(q) - sent));
      if (!moderate) {
        if (firstBurstSend == 0 || sent < firstBurstSend) firstBurstSend = sent;
        lastBurstAck = std::max(lastBurstAck, bench.acked(q));
      }
      if (bench.moderator(q) != 0)
        (moderate ? out.moderateModMs : out.burstModMs).push_back(msOf(bench.moderator(q) - sent));
      else
        ++out.moderatorMissing;
    } else if (status == 2) {
      ++out.refused;
    } else {
      ++out.noResult;
    }
  }
  if (out.burstOk > 0 && lastBurstAck > firstBurstSend) {
    out.burstSeconds = static_cast<double>(lastBurstAck - firstBurstSend) / 1e9;
    out.questionsPerSecond = out.burstOk / out.burstSeconds;
  }
  out.refusals = bench.refusals();
  out.failures = bench.failures.counts();

  // Count them back: the server's export, then the log file after a kill -9.
  try {
    const Json exported =
        Json::parse(httpCall(server.port(), http::verb::get, "/api/questions.json", server.token("moderator")));
    const Json& list = exported.is_array() ? exported : exported.value("questions", Json::array());
    long long n = 0;
    for (const auto& question : list) {
      std::string text = question.value("original", Json(nullptr)).is_string() ? question.value("original", "") : "";
      if (text.empty()) text = question.value("text", "");
      if (text.find("Q#") != std::string::npos) ++n;
    }
    out.foundApi = n;
  } catch (const std::exception& e) {
    std::cout << "  GET /api/questions.json failed: " << e.what() << "\n";
  }
  client.shutdown();
  server.stop(SIGKILL, 5s);
  const auto inLog = questionsInLog(server.dir() / "tribune.db");
  out.foundLog = static_cast<long long>(inLog.size());
  std::int64_t firstLogged = 0, lastLogged = 0;
  int loggedBurst = 0;
  for (int q = 0; q < questions; ++q) {
    if (bench.status(q) == 1 && inLog.count(q) == 0) ++out.ackedNotFound;
    const auto logged = inLog.find(q);
    if (q >= options.moderate && logged != inLog.end()) {
      ++loggedBurst;
      firstLogged = firstLogged == 0 ? logged->second : std::min(firstLogged, logged->second);
      lastLogged = std::max(lastLogged, logged->second);
    }
  }
  if (loggedBurst > 1 && lastLogged > firstLogged)
    out.loggedPerSecond = loggedBurst * 1000.0 / static_cast<double>(lastLogged - firstLogged);

  std::cout << "  run " << runNumber << ": moderate " << out.moderateOk << "/" << out.moderateSent << " ok at "
            << fixed(out.moderateRateAchieved, 0) << "/s, to the moderator p50 "
            << fixed(percentile(out.moderateModMs, 0.5), 1) << " ms p99 "
            << fixed(percentile(out.moderateModMs, 0.99), 1) << " ms; saturation " << withCommas(out.burstOk) << "/"
            << withCommas(out.burstSent) << " ok in " << fixed(out.burstSeconds, 2)
            << " s = " << fixed(out.questionsPerSecond, 0) << " questions/s (written to the log at "
            << fixed(out.loggedPerSecond, 0) << "/s), to the moderator p50 "
            << fixed(percentile(out.burstModMs, 0.5), 0) << " ms p99 " << fixed(percentile(out.burstModMs, 0.99), 0)
            << " ms; refused " << out.refused << ", no result " << out.noResult << "; found by the API " << out.foundApi
            << ", in the log after kill -9 " << out.foundLog << ", acknowledged but not found " << out.ackedNotFound
            << "; during the saturation the server used " << fixed(out.serverCoreBurst * 100, 0)
            << " % of a core, Tribune's own threads " << fixed(out.ownCoreBurst * 100, 0) << " %, the busiest of them "
            << fixed(out.busiestCoreBurst * 100, 0) << " % (and it waited for a CPU "
            << fixed(out.busiestWaitBurst * 100, 0) << " % of the time)\n"
            << std::flush;
  for (const auto& [k, v] : out.refusals) std::cout << "    refused: " << k << ": " << v << "\n";
  for (const auto& [k, v] : out.failures) std::cout << "    connection ended: " << k << ": " << v << "\n";
  return out;
}

}  // namespace

namespace {

void reportQuestions(const Options& options, const std::vector<QRun>& runs, rlim_t clientLimit) {
  auto collect = [&](auto member) {
    std::vector<double> values;
    values.reserve(runs.size());
    for (const auto& run : runs) values.push_back(member(run));
    return spreadOf(values);
  };
  const Spread rate = collect([](const QRun& r) { return r.questionsPerSecond; });
  const Spread burstSeconds = collect([](const QRun& r) { return r.burstSeconds; });
  const Spread logged = collect([](const QRun& r) { return r.loggedPerSecond; });
  const Spread modP50 = collect([](const QRun& r) { return percentile(r.moderateModMs, 0.5); });
  const Spread modP99 = collect([](const QRun& r) { return percentile(r.moderateModMs, 0.99); });
  const Spread ackP50 = collect([](const QRun& r) { return percentile(r.moderateAckMs, 0.5); });
  const Spread ackP99 = collect([](const QRun& r) { return percentile(r.moderateAckMs, 0.99); });
  const Spread satModP50 = collect([](const QRun& r) { return percentile(r.burstModMs, 0.5); });
  const Spread satModP99 = collect([](const QRun& r) { return percentile(r.burstModMs, 0.99); });
  const Spread satAckP50 = collect([](const QRun& r) { return percentile(r.burstAckMs, 0.5); });
  const Spread satAckP99 = collect([](const QRun& r) { return percentile(r.burstAckMs, 0.99); });
  const Spread achieved = collect([](const QRun& r) { return r.moderateRateAchieved; });
  const Spread cpu = collect([](const QRun& r) { return r.serverCoreBurst * 100; });
  const Spread ownCpu = collect([](const QRun& r) { return r.ownCoreBurst * 100; });
  const Spread busiestCpu = collect([](const QRun& r) { return r.busiestCoreBurst * 100; });
  const Spread busiestWaitQ = collect([](const QRun& r) { return r.busiestWaitBurst * 100; });
  const Spread clientUs = collect([](const QRun& r) { return r.clientCpuUsPerMessage; });
  long long sent = 0, ok = 0, refused = 0, noResult = 0, api = 0, log = 0, notFound = 0, modMissing = 0;
  bool apiKnown = true;
  for (const auto& r : runs) {
    sent += r.moderateSent + r.burstSent;
    ok += r.moderateOk + r.burstOk;
    refused += r.refused;
    noResult += r.noResult;
    if (r.foundApi < 0) apiKnown = false;
    api += r.foundApi;
    log += r.foundLog;
    notFound += r.ackedNotFound;
    modMissing += r.moderatorMissing;
  }
  const int burstViewers = options.viewers - options.moderate;
  const bool rateBar = rate.median >= 2000;
  const bool noneLost = notFound == 0 && noResult == 0 && refused == 0;
  auto holds = [](bool yes) { return yes ? "**yes**" : "**no**"; };
  const std::string viewersText = withCommas(options.viewers) + " browsers";
  tribune::bench::summaryRow({"questions", "questions/s accepted durably at saturation, " + viewersText,
                              fixed(rate.median, 0), spreadText(rate, 0), "≥ 2,000/s", rateBar});
  tribune::bench::summaryRow({"questions",
                              "questions lost (acknowledged but not in the log, refused, no result), " + viewersText,
                              std::to_string(notFound + refused + noResult), "", "none lost", noneLost});

  std::cout << "\n### questions: " << withCommas(options.viewers + options.watchers) << " viewer connections ("
            << withCommas(options.viewers) << " asking, each its own browser id"
            << (options.watchers > 0 ? ", " + withCommas(options.watchers) + " watching" : std::string()) << "), "
            << runs.size() << " run" << (runs.size() > 1 ? "s" : "") << ", pre-screening "
            << (options.prescreen ? "on" : "off") << "\n\n"
            << "| figure | median (min–max) over runs | bar | holds |\n|---|---|---|---|\n"
            << "| **questions/s accepted durably** at saturation (" << withCommas(burstViewers) << " viewers × "
            << options.perViewer << ", all at once; result ok ÷ first send → last result) | " << show(rate, 0)
            << " | ≥ 2,000 | " << holds(rateBar) << " |\n"
            << "| the saturation burst took (first send → last result) | " << show(burstSeconds, 2, " s") << " | | |\n"
            << "| the burst's questions written to the log, per second (their wall_ms in the log, results or not) | "
            << show(logged, 0) << " | | |\n"
            << "| sent / acknowledged ok / found by GET /api/questions.json / in the log after kill -9 (all runs) | "
            << withCommas(sent) << " / " << withCommas(ok) << " / " << (apiKnown ? withCommas(api) : "?") << " / "
            << withCommas(log) << " | none lost | " << holds(noneLost) << " |\n"
            << "| acknowledged but not in the log; refused; no result | " << notFound << "; " << refused << "; "
            << noResult << " | 0 | |\n"
            << "| moderate load (" << options.moderate << " questions at " << fixed(options.rate, 0) << "/s, achieved "
            << show(achieved, 0, "/s") << "): to the moderator's screen p50 | " << show(modP50, 1, " ms") << " | | |\n"
            << "| moderate load: to the moderator's screen p99 | " << show(modP99, 1, " ms") << " | | |\n"
            << "| moderate load: result (durable) p50 / p99 | " << show(ackP50, 1, " ms") << " / "
            << show(ackP99, 1, " ms") << " | | |\n"
            << "| saturation: to the moderator's screen p50 | " << show(satModP50, 0, " ms") << " | | |\n"
            << "| saturation: to the moderator's screen p99 | " << show(satModP99, 0, " ms") << " | | |\n"
            << "| saturation: result (durable) p50 / p99 | " << show(satAckP50, 0, " ms") << " / "
            << show(satAckP99, 0, " ms") << " | | |\n"
            << "| during the saturation, % of a core: the process / Tribune's own threads / the busiest thread | "
            << show(cpu, 0, " %") << " / " << show(ownCpu, 0, " %") << " / " << show(busiestCpu, 0, " %") << " | | |\n"
            << "| the busiest thread waiting for a CPU, % of the time | " << show(busiestWaitQ, 0, " %") << " | | |\n"
            << "| load client CPU per message received | " << show(clientUs, 2, " µs") << " | | |\n";
  if (modMissing > 0) std::cout << "\n" << modMissing << " acknowledged questions never reached the moderator.\n";
  const Spread perQuestion = collect([](const QRun& r) { return r.messagesPerQuestion; });
  const Spread clientCore = collect([](const QRun& r) { return r.clientCoreBurst * 100; });
  std::map<std::string, int> failures;
  bool moderatorDropped = false;
  for (const auto& r : runs) {
    for (const auto& [k, v] : r.failures) failures[k] += v;
    moderatorDropped = moderatorDropped || r.moderatorDropped;
  }
  std::cout << "\nWhat limited the rate: the viewers received " << show(perQuestion, 0)
            << " messages per question of the burst, summed over every viewer connection (the asker's own view and "
               "result included); ";
  if (!failures.empty()) {
    std::cout << "connections ended by the server:";
    for (const auto& [k, v] : failures) std::cout << " " << k << " × " << v << ";";
    std::cout << (moderatorDropped ? " the moderator's too;" : "")
              << " a result never came to a dropped connection even when its question was stored. ";
  }
  std::cout << "Tribune's busiest thread (the web server's) was on a CPU " << show(busiestCpu, 0, " %")
            << " of the time and waited for one " << show(busiestWaitQ, 0, " %")
            << "; the load client's io thread used " << show(clientCore, 0, " %") << " of a core.\n";
  std::cout << "\nRate limits raised for the bench (all viewers share 127.0.0.1): per_browser, per_address and "
               "messages_per_connection at 10,000 per second each. The load client: one process, "
            << options.threads << " io thread" << (options.threads > 1 ? "s" : "")
            << ", one descriptor per connection (limit " << clientLimit << "), on the same "
            << std::thread::hardware_concurrency() << " CPUs as the server.\n";
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  const Options options = parseOptions(argc, argv);
  const rlim_t limit = raiseDescriptorLimit();
  if (!fs::exists(options.tribune)) {
    std::cerr << "tribune_bench_ws_load: no tribune binary at " << options.tribune << " (build the target tribune)\n";
    return 1;
  }
  std::cout << "tribune: " << options.tribune.string() << "; descriptor limit " << limit << " (client and server)"
            << "; load " << machineLoad() << "\n";
  try {
    if (options.mode == "websockets") {
      if (static_cast<rlim_t>(options.connections) + 64 > limit)
        std::cout << "  note: " << options.connections << " connections need about as many descriptors; the limit is "
                  << limit << ": the client will run out first\n";
      std::vector<WsRun> runs;
      for (int r = 1; r <= options.runs; ++r) runs.push_back(runWebsockets(options, r));
      reportWebsockets(options, runs, limit);
    } else {
      std::vector<QRun> runs;
      for (int r = 1; r <= options.runs; ++r) runs.push_back(runQuestions(options, r));
      reportQuestions(options, runs, limit);
    }
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_ws_load: " << e.what() << "\n";
    return 1;
  }
  std::cout << "load afterwards " << machineLoad() << "\n";
  return 0;
}
