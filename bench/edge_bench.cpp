// The public edge under load (issue 22, "Measure"; docs/EDGE.md; docs/PERFORMANCE.md,
// "Public edge"): `scripts/bench edge`.
//
// Each run starts, on loopback: a real redis-server (TLS, an ACL user, AOF with
// `appendfsync always`, as docs/EDGE.md installs it; tests/support's RunningRedis), two
// `tribune edge` processes sharing it, and the town hall's `tribune run` (test source at
// 720p30, x264 ultrafast at 500 kb/s) whose `edge` section lists both edges: it links to
// the first that answers. Then:
//
//   viewers   --viewers (20,000) viewers, half on each edge, each with its own browser id,
//             say hello and wait for their welcome. One process cannot hold them all (the
//             descriptors' hard limit is per process, one per socket on each side), so this
//             driver starts itself twice more as viewer processes (`viewers` mode, one per
//             edge, talking to the driver over two pipes on fds 3 and 4), each with its
//             share on one Asio thread (ws_client.h's Conn and LoadClient, as ws_load's).
//             Each viewer process spreads its viewers over --addresses source addresses
//             (127.0.20+G.x): the edge counts connections and questions per address, as it
//             would for citizens. The edges' VmRSS before and after gives the memory per
//             connection.
//   events    the technician's console websocket at the town hall sends --events
//             `agenda.jump`, as ws_load's websockets bench does; each makes one
//             `item_changed` that crosses the link once, goes into Redis (PREFIX:out) and out
//             of both edges to every viewer. Every viewer timestamps its arrival with the
//             kernel's receive time (SO_TIMESTAMPNS); the delay is that minus the moment
//             the command was handed to the technician's socket (both CLOCK_REALTIME, one
//             machine). The bytes the town hall sent on the link per event come from the
//             link's socket (`ss -ti`, bytes_acked), less what the idle link carries.
//   questions every viewer asks --per-viewer questions at once (the next as soon as the
//             previous one's result came back). One counts as accepted durably when its
//             result {received: true, ticket} arrives (the edge answers once Redis has the
//             entry in its AOF); as "transmise" when the town hall's `question_logged`
//             arrives back. Afterwards the town hall's GET /api/questions.json (moderator)
//             must hold every acknowledged question, once.
//
// CPU: each process's threads from /proc/PID/task/*/schedstat (town hall, both edges,
// Redis), before, while holding the viewers idle, per event and during the questions.
// A benchmark reports; it does not test: the exit status is non-zero only when something
// cannot run, never for a missed figure.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench_support.h"
#include "summary.h"
#include "support/process.h"
#include "support/running_redis.h"
#include "support/temp_dir.h"
#include "tribune_run.h"
#include "ws_client.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace tribune::bench;
using tribune::testing::Process;
using tribune::testing::ProcessOptions;
using tribune::testing::Redirect;
using tribune::testing::RunningRedis;
using tribune::testing::RunningRedisOptions;
using tribune::testing::TempDir;

// The test-only secret pairing the town hall with its edges (64 hex characters).
const std::string kLinkSecret = "be9c4a1f0e7d2b35c6a8f1e0d9b7c5a3e2f1d0c9b8a7f6e5d4c3b2a190817263";
// Question numbers of the second viewer process start here ("Q#" and 7 digits in the text).
constexpr int kGroupStride = 5'000'000;

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  bool viewersMode = false;  // a viewer process (started by the driver)
  fs::path tribune = TRIBUNE_BINARY;
  fs::path sourceDir = TRIBUNE_SOURCE_DIR;
  int runs = 3;
  int viewers = 20'000;  // in all, half per edge
  int events = 10;
  int gapMs = 500;
  int holdS = 3;
  int perViewer = 1;
  int window = 200;     // connections being opened at once, per viewer process
  int threads = 1;      // io threads per viewer process
  int addresses = 200;  // source addresses per viewer process
  bool redisTls = true;
  int timeoutS = 120;
  // viewers mode
  int port = 0;
  int group = 0;
  int count = 0;
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_edge: " << problem << "\n"
      << "usage: tribune_bench_edge [--viewers N (20000, half per edge)] [--runs R (3)] [--events E (10)]\n"
      << "                          [--gap-ms G (500)] [--hold-s S (3)] [--per-viewer K (1)] [--window W (200)]\n"
      << "                          [--threads T (1)] [--addresses A (200)] [--redis tls|plain (tls)]\n"
      << "                          [--timeout-s S (120)] [--tribune PATH]\n"
      << "Starts redis-server (TLS, AOF appendfsync always), two `tribune edge` and the town hall's `tribune run`\n"
      << "linked to them on loopback, two viewer processes (one per edge), and prints Markdown tables\n"
      << "(docs/PERFORMANCE.md, \"Public edge\"). TRIBUNE_KEEP_TEST_FILES=1 keeps the run's files.\n";
  std::exit(status);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  tribune::bench::OptionReader in(argc, argv, usage);
  while (in.next()) {
    const std::string& a = in.name();
    if (a == "--help" || a == "-h") usage("help", 0);
    if (a == "viewers") {
      o.viewersMode = true;
    } else if (a == "--viewers") {
      o.viewers = in.whole(2, 40'000);
    } else if (a == "--runs") {
      o.runs = in.whole(1);
    } else if (a == "--events") {
      o.events = in.whole(1, 1000);
    } else if (a == "--gap-ms") {
      o.gapMs = in.whole(0);
    } else if (a == "--hold-s") {
      o.holdS = in.whole(1);
    } else if (a == "--per-viewer") {
      o.perViewer = in.whole(1, 100);
    } else if (a == "--window") {
      o.window = in.whole(1);
    } else if (a == "--threads") {
      o.threads = in.whole(1, 64);
    } else if (a == "--addresses") {
      o.addresses = in.whole(1, 60'000);
    } else if (a == "--redis") {
      const std::string v = in.value();
      if (v != "tls" && v != "plain") usage("--redis: tls or plain");
      o.redisTls = v == "tls";
    } else if (a == "--timeout-s") {
      o.timeoutS = in.whole(1);
    } else if (a == "--tribune") {
      o.tribune = in.value();
    } else if (a == "--port") {
      o.port = in.whole(1, 65535);
    } else if (a == "--group") {
      o.group = in.whole(0, 1);
    } else if (a == "--count") {
      o.count = in.whole(1, 40'000);
    } else {
      usage("unknown argument " + a);
    }
  }
  if (o.viewersMode && (o.port == 0 || o.count == 0)) usage("viewers mode: --port and --count are required");
  return o;
}

// ---------------------------------------------------------------------------------------
// A viewer process: its share of the viewers on one edge, driven over fds 3 (commands in)
// and 4 (one JSON line out per command).

// The viewers' source addresses: 127.(20+group).(a / 250).(1 + a % 250).
std::vector<asio::ip::address> sourceAddresses(int group, int count) {
  std::vector<asio::ip::address> sources;
  for (int a = 0; a < count; ++a) {
    const std::array<unsigned char, 4> bytes{127, static_cast<unsigned char>(20 + group),
                                             static_cast<unsigned char>(a / 250),
                                             static_cast<unsigned char>(1 + a % 250)};
    sources.emplace_back(asio::ip::address_v4(bytes));
  }
  return sources;
}

class EdgeViewers final : public ConnHandler {
 public:
  std::atomic<int> welcomed{0};
  std::atomic<int> failedBeforeWelcome{0};
  std::atomic<int> endedAfterWelcome{0};
  std::atomic<int> settled{0};  // questions answered, refused, or never to be
  std::atomic<int> loggedCount{0};
  std::atomic<long long> messages{0};
  std::atomic<long long> withoutKernelTime{0};
  std::atomic<int> eventBytes{0};
  Failures failures;

  EdgeViewers(const Options& options, LoadClient& client) : options_(options), client_(client) {
    const auto n = static_cast<std::size_t>(options.count);
    const auto e = static_cast<std::size_t>(options.events);
    const auto q = n * static_cast<std::size_t>(options.perViewer);
    arrivals_ = std::make_unique<std::atomic<std::int64_t>[]>(n * e);
    reads_ = std::make_unique<std::atomic<std::int64_t>[]>(n * e);
    received_ = std::make_unique<std::atomic<int>[]>(e);
    sent_ = std::make_unique<std::atomic<std::int64_t>[]>(q);
    acked_ = std::make_unique<std::atomic<std::int64_t>[]>(q);
    logged_ = std::make_unique<std::atomic<std::int64_t>[]>(q);
    status_ = std::make_unique<std::atomic<int>[]>(q);
    loggedStatus_ = std::make_unique<std::atomic<int>[]>(q);
    plans_.resize(n);
  }

  [[nodiscard]] int held() const { return welcomed.load() - endedAfterWelcome.load(); }
  [[nodiscard]] int questions() const { return options_.count * options_.perViewer; }
  [[nodiscard]] int received(int k) const { return received_[k].load(std::memory_order_acquire); }

  void onWelcome(Conn&, std::string_view, Arrival) override { ++welcomed; }

  void onText(Conn& conn, std::string_view text, Arrival at) override {
    messages.fetch_add(1, std::memory_order_relaxed);
    const std::size_t i = conn.index();
    if (text.find("\"item_changed\"") != std::string_view::npos) {
      Plan& p = plans_[i];
      const int k = p.events++;
      if (k >= options_.events) return;
      const std::size_t slot = i * static_cast<std::size_t>(options_.events) + static_cast<std::size_t>(k);
      arrivals_[slot].store(at.best(), std::memory_order_relaxed);
      reads_[slot].store(at.read, std::memory_order_relaxed);
      if (at.kernel == 0) withoutKernelTime.fetch_add(1, std::memory_order_relaxed);
      if (k == 0 && i == 0) eventBytes = static_cast<int>(text.size());
      received_[k].fetch_add(1, std::memory_order_release);
      return;
    }
    const bool result = text.find("\"type\":\"result\"") != std::string_view::npos ||
                        text.find("\"type\":\"error\"") != std::string_view::npos;
    const bool logged = text.find("\"question_logged\"") != std::string_view::npos;
    if (!result && !logged) return;
    const Json message = Json::parse(text, nullptr, false);
    if (message.is_discarded()) return;
    if (logged) return onLogged(message, at.best());
    const int q = message.value("id", -1);
    if (q < 0 || q >= questions()) {
      std::lock_guard lock(mutex_);
      ++refusals_["(no id) " + message.value("status", "") + ": " + message.value("message", "")];
      return;
    }
    acked_[q].store(at.best(), std::memory_order_relaxed);
    const Json data = message.value("data", Json::object());
    if (message.value("status", "") == "ok" && data.value("received", false)) {
      const std::string ticket = data.value("ticket", "");
      std::lock_guard lock(mutex_);
      tickets_[ticket] = q;
      status_[q].store(1, std::memory_order_relaxed);
      // The town hall's answer came before the edge's (possible, never seen): take it now.
      if (const auto early = earlyLogged_.find(ticket); early != earlyLogged_.end()) {
        markLogged(q, early->second.first, early->second.second);
        earlyLogged_.erase(early);
      }
    } else {
      status_[q].store(2, std::memory_order_relaxed);
      std::lock_guard lock(mutex_);
      ++refusals_[message.value("status", "?") + ": " + message.value("message", "")];
    }
    settled.fetch_add(1, std::memory_order_release);
    Plan& p = plans_[i];
    p.pending = -1;
    askNext(conn);
  }

  void onEnd(Conn& conn, const char* stage, const error_code& error, const std::string& reason) override {
    failures.add(stage, error, reason);
    if (conn.welcomed())
      ++endedAfterWelcome;
    else
      ++failedBeforeWelcome;
    Plan& p = plans_[conn.index()];
    p.ended = true;
    settleRest(p);
  }

  // From the control thread: every viewer starts asking.
  void askAll() {
    for (std::size_t i = 0; i < client_.size(); ++i) {
      Conn& conn = client_.at(i);
      conn.onItsThread([this, &conn] {
        Plan& p = plans_[conn.index()];
        if (p.ended || !conn.welcomed()) return settleRest(p);
        askNext(conn);
      });
    }
  }

  Json askReport() const {
    Json ackMs = Json::array(), okNumbers = Json::array();
    int sent = 0, ok = 0, refused = 0, noResult = 0;
    std::int64_t firstSend = 0, lastAck = 0;
    for (int q = 0; q < questions(); ++q) {
      const std::int64_t s = sent_[q].load(std::memory_order_relaxed);
      if (s == 0) continue;
      ++sent;
      firstSend = firstSend == 0 ? s : std::min(firstSend, s);
      const int status = status_[q].load(std::memory_order_relaxed);
      if (status == 1) {
        ++ok;
        const std::int64_t a = acked_[q].load(std::memory_order_relaxed);
        lastAck = std::max(lastAck, a);
        ackMs.push_back(std::round(msOf(a - s) * 100) / 100);
        okNumbers.push_back(number(q));
      } else if (status == 2) {
        ++refused;
      } else {
        ++noResult;
      }
    }
    std::lock_guard lock(mutex_);
    return {{"sent", sent},           {"ok", ok},           {"refused", refused},      {"noResult", noResult},
            {"firstSend", firstSend}, {"lastAck", lastAck}, {"ackMs", ackMs},          {"okNumbers", okNumbers},
            {"refusals", refusals_},  {"held", held()},     {"questions", questions()}};
  }

  Json loggedReport() const {
    Json loggedMs = Json::array();
    int logged = 0, refusedAtHall = 0;
    std::int64_t lastLogged = 0;
    for (int q = 0; q < questions(); ++q) {
      const std::int64_t at = logged_[q].load(std::memory_order_relaxed);
      if (at == 0 || status_[q].load(std::memory_order_relaxed) != 1) continue;
      ++logged;
      if (loggedStatus_[q].load(std::memory_order_relaxed) != 1) ++refusedAtHall;
      lastLogged = std::max(lastLogged, at);
      loggedMs.push_back(std::round(msOf(at - sent_[q].load(std::memory_order_relaxed)) * 100) / 100);
    }
    return {{"logged", logged}, {"refusedAtHall", refusedAtHall}, {"lastLogged", lastLogged}, {"loggedMs", loggedMs}};
  }

  [[nodiscard]] int okCount() const {
    int ok = 0;
    for (int q = 0; q < questions(); ++q) ok += status_[q].load(std::memory_order_relaxed) == 1 ? 1 : 0;
    return ok;
  }

  Json arrivals() const {
    Json kernel = Json::array(), read = Json::array();
    const std::size_t n = static_cast<std::size_t>(options_.count) * static_cast<std::size_t>(options_.events);
    for (std::size_t s = 0; s < n; ++s) {
      kernel.push_back(arrivals_[s].load(std::memory_order_relaxed));
      read.push_back(reads_[s].load(std::memory_order_relaxed));
    }
    return {{"kernel", kernel},
            {"read", read},
            {"withoutKernelTime", withoutKernelTime.load()},
            {"eventBytes", eventBytes.load()}};
  }

 private:
  struct Plan {
    int events = 0;  // item_changed seen
    int next = 0;    // questions asked
    int pending = -1;
    bool ended = false;
  };

  [[nodiscard]] int number(int q) const { return options_.group * kGroupStride + q; }

  // On the viewer's io thread.
  void askNext(Conn& conn) {
    Plan& p = plans_[conn.index()];
    if (p.pending >= 0 || p.next >= options_.perViewer || p.ended) return;
    const int q = static_cast<int>(conn.index()) * options_.perViewer + p.next++;
    p.pending = q;
    char text[512];
    std::snprintf(
        text, sizeof text,
        R"({"type":"question.ask","id":%d,"text":"Question de test Q#%07d : que prévoit la commune pour les pistes cyclables du quartier ?","pseudonym":"Banc d'essai"})",
        q, number(q));
    sent_[q].store(realNs(), std::memory_order_relaxed);
    conn.send(text);
  }
  // On the viewer's io thread: its questions not yet answered never will be.
  void settleRest(Plan& p) {
    const int rest = options_.perViewer - p.next + (p.pending >= 0 ? 1 : 0);
    p.next = options_.perViewer;
    p.pending = -1;
    settled.fetch_add(rest, std::memory_order_release);
  }
  void onLogged(const Json& message, std::int64_t at) {
    const std::string ticket = message.value("ticket", "");
    const bool ok = message.value("status", "") == "ok";
    std::lock_guard lock(mutex_);
    const auto found = tickets_.find(ticket);
    if (found == tickets_.end()) {
      earlyLogged_.emplace(ticket, std::make_pair(at, ok));
      return;
    }
    markLogged(found->second, at, ok);
  }
  void markLogged(int q, std::int64_t at, bool ok) {
    std::int64_t expected = 0;
    if (!logged_[q].compare_exchange_strong(expected, at)) return;  // once
    loggedStatus_[q].store(ok ? 1 : 2, std::memory_order_relaxed);
    loggedCount.fetch_add(1, std::memory_order_release);
  }

  const Options& options_;
  LoadClient& client_;
  std::unique_ptr<std::atomic<std::int64_t>[]> arrivals_, reads_;
  std::unique_ptr<std::atomic<int>[]> received_;
  std::unique_ptr<std::atomic<std::int64_t>[]> sent_, acked_, logged_;
  std::unique_ptr<std::atomic<int>[]> status_, loggedStatus_;
  std::vector<Plan> plans_;  // per viewer, on its io thread
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int> tickets_;
  std::unordered_map<std::string, std::pair<std::int64_t, bool>> earlyLogged_;
  std::map<std::string, int> refusals_;
};

void writeLine(int fd, const std::string& line) {
  std::string out = line + "\n";
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = write(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("write to the pipe: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

std::optional<std::string> readLine(FILE* in) {
  char* buffer = nullptr;
  std::size_t size = 0;
  const ssize_t n = getline(&buffer, &size, in);
  std::optional<std::string> line;
  if (n > 0) line = std::string(buffer, static_cast<std::size_t>(n) - (buffer[n - 1] == '\n' ? 1 : 0));
  std::free(buffer);
  return line;
}

int runViewers(const Options& o) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // the driver's death ends us
  if (getppid() == 1) return 1;
  FILE* in = fdopen(3, "r");
  if (in == nullptr) {
    std::cerr << "tribune_bench_edge viewers: no command pipe on fd 3\n";
    return 1;
  }
  LoadClient client(o.threads);
  EdgeViewers group(o, client);
  for (int i = 0; i < o.count; ++i) client.add(group);
  ViewerStart how;
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "edge-bench-g%d-", o.group);  // + 8 digits: 22 characters
  how.idPrefix = prefix;
  how.sources = sourceAddresses(o.group, o.addresses);
  while (const auto line = readLine(in)) {
    std::istringstream words(*line);
    std::string command;
    words >> command;
    Json reply;
    if (command == "open") {
      const auto start = nowNs();
      openViewers(client, o.port, 0, client.size(), o.window, group, std::chrono::seconds(o.timeoutS), how);
      reply = {{"welcomed", group.welcomed.load()},
               {"failed", group.failedBeforeWelcome.load()},
               {"seconds", static_cast<double>(nowNs() - start) / 1e9}};
    } else if (command == "wait") {
      int k = 0;
      words >> k;
      if (k < 0 || k >= o.events) throw std::runtime_error("wait: no event " + std::to_string(k));
      const bool all = waitFor([&] { return group.received(k) >= group.held(); }, 10s);
      reply = {{"received", group.received(k)}, {"held", group.held()}, {"all", all}};
    } else if (command == "arrivals") {
      reply = group.arrivals();
    } else if (command == "ask") {
      group.askAll();
      waitFor([&] { return group.settled.load() >= group.questions(); }, std::chrono::seconds(o.timeoutS));
      reply = group.askReport();
    } else if (command == "logged") {
      const int ok = group.okCount();
      waitFor([&] { return group.loggedCount.load() >= ok; }, std::chrono::seconds(o.timeoutS));
      reply = group.loggedReport();
    } else if (command == "stats") {
      reply = {{"held", group.held()},
               {"failures", group.failures.counts()},
               {"clientCpuS", client.ioCpuSeconds()},
               {"messages", group.messages.load()}};
    } else if (command == "quit") {
      break;
    } else {
      reply = {{"error", "unknown command " + command}};
    }
    writeLine(4, reply.dump());
  }
  client.shutdown();
  return 0;
}

// ---------------------------------------------------------------------------------------
// The driver's side of a viewer process.

int highFd(int fd) {
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);  // above 4: dup2 onto 3 and 4 clears close-on-exec
  close(fd);
  if (high < 0) throw std::runtime_error(std::string("fcntl: ") + std::strerror(errno));
  return high;
}

class ViewerProcess {
 public:
  ViewerProcess(const Options& o, int group, int port, int count) : group_(group) {
    int toChild[2], fromChild[2];
    if (pipe2(toChild, O_CLOEXEC) != 0 || pipe2(fromChild, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    for (int* fd : {&toChild[0], &toChild[1], &fromChild[0], &fromChild[1]}) *fd = highFd(*fd);
    std::vector<std::string> args{"/proc/self/exe", "viewers",
                                  "--port",         std::to_string(port),
                                  "--group",        std::to_string(group),
                                  "--count",        std::to_string(count),
                                  "--events",       std::to_string(o.events),
                                  "--per-viewer",   std::to_string(o.perViewer),
                                  "--window",       std::to_string(o.window),
                                  "--threads",      std::to_string(o.threads),
                                  "--addresses",    std::to_string(o.addresses),
                                  "--timeout-s",    std::to_string(o.timeoutS)};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 3);
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 4);
    const int spawned = posix_spawn(&pid_, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(toChild[0]);
    close(fromChild[1]);
    if (spawned != 0) {
      close(toChild[1]);
      close(fromChild[0]);
      throw std::runtime_error(std::string("cannot start a viewer process: ") + std::strerror(spawned));
    }
    out_ = toChild[1];
    in_ = fdopen(fromChild[0], "r");
  }
  ~ViewerProcess() {
    try {
      send("quit");
    } catch (...) {
      // It may have gone already.
    }
    close(out_);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    if (in_ != nullptr) fclose(in_);
  }
  ViewerProcess(const ViewerProcess&) = delete;
  ViewerProcess& operator=(const ViewerProcess&) = delete;

  void send(const std::string& command) { writeLine(out_, command); }
  Json reply() {
    const auto line = readLine(in_);
    if (!line) throw std::runtime_error("viewer process " + std::to_string(group_) + " ended");
    Json answer = Json::parse(*line);
    if (answer.contains("error")) throw std::runtime_error("viewer process: " + answer["error"].get<std::string>());
    return answer;
  }
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  int group_;
  pid_t pid_ = -1;
  int out_ = -1;
  FILE* in_ = nullptr;
};

// The same command to every viewer process, then their answers (they work at once).
std::vector<Json> all(std::vector<std::unique_ptr<ViewerProcess>>& processes, const std::string& command) {
  for (auto& p : processes) p->send(command);
  std::vector<Json> replies;
  for (auto& p : processes) replies.push_back(p->reply());
  return replies;
}

// ---------------------------------------------------------------------------------------
// The peers

long rssKb(pid_t pid) {
  std::istringstream in(readFile("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// redis-server started by RunningRedis: this process's child of that name (it rewrites its
// command line, so it is found by its parent and its name).
pid_t redisPid() {
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::string comm = readFile(it->path() / "comm");
    const auto stat = readProcStat(static_cast<pid_t>(std::stol(name)));
    if (comm.rfind("redis-server", 0) == 0 && stat && stat->ppid == getpid())
      return static_cast<pid_t>(std::stol(name));
  }
  return -1;
}

// A `tribune edge` in `dir`: its edge.json, its secrets file, its log.
class Edge {
 public:
  Edge(const Options& o, const fs::path& dir, const RunningRedis& redis, const std::string& name)
      : dir_(dir), port_(tribune::testing::freeLoopbackPort()) {
    fs::create_directories(dir_);
    tribune::testing::writeTextFile(dir_ / "edge-secrets.json",
                                    Json{{"redis_password", redis.password()}, {"link_secret", kLinkSecret}}.dump());
    Json redisSection{
        {"url", std::string(redis.tls() ? "rediss" : "redis") + "://127.0.0.1:" + std::to_string(redis.port())},
        {"user", RunningRedis::kUser},
        {"password_secret", "redis_password"}};
    if (redis.tls()) redisSection["ca_file"] = redis.caFile().string();
    const Json config{
        {"name", name},
        {"secrets_file", "edge-secrets.json"},
        {"web", {{"address", "127.0.0.1"}, {"port", port_}, {"tls_offload", true}}},
        // The bench's viewers share --addresses addresses (50 each by default):
        // more per address than citizens, so the per-address limits are raised.
        {"max_connections_per_address", 10'000},
        {"limits", {{"questions_per_address_per_hour", 10'000}, {"messages_per_connection_per_second", 1000}}},
        {"redis", redisSection},
        {"link_secret_secret", "link_secret"}};
    tribune::testing::writeTextFile(dir_ / "edge.json", config.dump(2));
    ProcessOptions options;
    options.out = Redirect::toFile(dir_ / "out.txt");
    options.err = Redirect::toFile(dir_ / "log.txt");
    process_.emplace(std::vector<std::string>{o.tribune.string(), "edge", "--config", (dir_ / "edge.json").string()},
                     options);
    if (!tribune::testing::waitUntil(
            [&] { return tribune::testing::loopbackPortAccepts(static_cast<std::uint16_t>(port_)); }, 20s))
      throw std::runtime_error("tribune edge " + name + " did not listen:\n" + log());
  }
  ~Edge() {
    if (process_ && process_->running()) {
      process_->signal(SIGTERM);
      if (!process_->waitFor(15s)) process_->kill9();
    }
  }
  Edge(const Edge&) = delete;
  Edge& operator=(const Edge&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return process_->pid(); }
  [[nodiscard]] std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/ws"; }
  [[nodiscard]] std::string log() const { return readFile(dir_ / "log.txt"); }
  [[nodiscard]] Json health() const {
    const auto body = httpGet(port_, "/healthz", 2s);
    if (!body) {
      // 503 while starting or without Redis: its body says why, but httpGet keeps only 200s.
      return Json::object();
    }
    return Json::parse(*body, nullptr, false);
  }

 private:
  fs::path dir_;
  int port_;
  std::optional<Process> process_;
};

// What the town hall's link socket has carried (`ss -ti`): the town hall's end is the only
// socket from 127.0.0.1 to the edge's port (the viewers come from 127.(20+G).x.x).
struct LinkBytes {
  long long sent = -1;      // by the town hall, acknowledged by the edge
  long long received = -1;  // from the edge
};

LinkBytes linkBytes(int edgePort) {
  LinkBytes bytes;
  const std::string command = "ss -tinH state established src 127.0.0.1 dst 127.0.0.1:" + std::to_string(edgePort);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return bytes;
  std::string text;
  char buffer[4096];
  while (const std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
  pclose(pipe);
  const auto value = [&](const std::string& key) -> long long {
    const auto at = text.find(" " + key + ":");
    return at == std::string::npos ? -1 : std::atoll(text.c_str() + at + key.size() + 2);
  };
  bytes.sent = value("bytes_acked");
  bytes.received = value("bytes_received");
  return bytes;
}

// The technician's console websocket at the town hall.
class Console final : public ConnHandler {
 public:
  void onWelcome(Conn&, std::string_view text, Arrival) override {
    std::lock_guard lock(mutex_);
    welcome_ = std::string(text);
  }
  void onText(Conn&, std::string_view text, Arrival at) override {
    if (text.find("\"type\":\"result\"") == std::string_view::npos) return;
    const Json message = Json::parse(text, nullptr, false);
    if (message.is_discarded()) return;
    std::lock_guard lock(mutex_);
    results_[message.value("id", 0)] = {at.best(), message.value("status", "")};
  }
  void onEnd(Conn&, const char* stage, const error_code& error, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    ended_ = std::string(stage) + ": " + error.message() + (reason.empty() ? "" : " (" + reason + ")");
  }
  std::optional<std::string> welcome() {
    std::lock_guard lock(mutex_);
    return welcome_;
  }
  std::optional<std::pair<std::int64_t, std::string>> result(int id) {
    std::lock_guard lock(mutex_);
    const auto found = results_.find(id);
    if (found == results_.end()) return std::nullopt;
    return found->second;
  }
  std::string ended() {
    std::lock_guard lock(mutex_);
    return ended_;
  }

 private:
  std::mutex mutex_;
  std::optional<std::string> welcome_;
  std::map<int, std::pair<std::int64_t, std::string>> results_;
  std::string ended_;
};

// ---------------------------------------------------------------------------------------
// One run

struct Cpu4 {
  CpuSample hall, a, b, redis;
};

Cpu4 sample4(pid_t hall, pid_t a, pid_t b, pid_t redis) {
  return {sampleCpu(hall), sampleCpu(a), sampleCpu(b), sampleCpu(redis)};
}

struct Use4 {
  CpuUse hall, a, b, redis;
};

Use4 between(const Cpu4& x, const Cpu4& y) {
  return {cpuBetween(x.hall, y.hall), cpuBetween(x.a, y.a), cpuBetween(x.b, y.b), cpuBetween(x.redis, y.redis)};
}

struct Run {
  int asked = 0;
  int welcomed = 0, failed = 0, heldAfter = 0;
  std::array<int, 2> heldPerEdge{};
  std::string linkHolder;
  std::map<std::string, int> failures;
  double openSeconds = 0;
  std::array<long, 2> rssBeforeKb{}, rssAfterKb{};
  std::array<double, 2> bytesPerConnection{};
  // CPU, share of a core
  Use4 idle, holding;
  // events
  std::vector<double> delaysMs, readDelaysMs;
  std::array<std::vector<double>, 2> edgeDelaysMs;
  std::vector<double> eventP99, eventFirst, commitMs;
  long long missing = 0;
  std::vector<double> hallOwnMsPerEvent, hallProcessMsPerEvent, edgeAMsPerEvent, edgeBMsPerEvent, redisMsPerEvent;
  std::vector<double> linkBytesPerEvent;
  int eventBytes = 0;
  double linkIdleBytesPerS = 0;
  // questions
  int qSent = 0, qOk = 0, qRefused = 0, qNoResult = 0, qLogged = 0, qRefusedAtHall = 0;
  std::map<std::string, int> refusals;
  double receivedPerS = 0, loggedPerS = 0, burstSeconds = 0, loggedSeconds = 0;
  std::vector<double> ackMs, loggedMs;
  long long foundApi = -1, lost = -1, doubled = -1;
  Use4 burst, untilLogged;
  double linkSentPerQuestion = 0, linkReceivedPerQuestion = 0;
  double clientUsPerMessage = 0;
  double messagesPerQuestion = 0;  // what the viewers received from the first ask to the last "transmise"
};

Run runEdge(const Options& o, int runNumber) {
  Run out;
  out.asked = o.viewers;
  TempDir dir("tribune-edge-bench");
  RunningRedis redis(RunningRedisOptions{.tls = o.redisTls});
  const pid_t redisProcess = redisPid();
  if (redisProcess <= 0) throw std::runtime_error("cannot find redis-server's process");
  Edge edgeA(o, dir / "edge-a", redis, "edge-a");
  Edge edgeB(o, dir / "edge-b", redis, "edge-b");

  const fs::path hallDir = dir / "hall";
  fs::create_directories(hallDir);
  tribune::testing::writeTextFile(hallDir / "secrets.json", Json{{"edge_secret", kLinkSecret}}.dump());
  const int hallPort = tribune::testing::freeLoopbackPort();
  const Json limit{{"count", 10'000}, {"seconds", 1}};
  const Json hallConfig{
      {"web", {{"address", "127.0.0.1"}, {"port", hallPort}}},
      {"agenda", (o.sourceDir / "examples" / "agenda-demo.json").string()},
      {"video", {{"profile", "720p30"}, {"bitrate_kbps", 500}, {"preset", "ultrafast"}}},
      {"secrets_file", "secrets.json"},
      {"edge",
       {{"url", {edgeA.url(), edgeB.url()}},
        {"secret_secret", "edge_secret"},
        {"reconnect_min_s", 1},
        {"reconnect_max_s", 2}}},
      {"questions", {{"per_browser", limit}, {"per_address", limit}, {"messages_per_connection", limit}}}};
  Process hall = startTribuneRun(o.tribune, hallDir, hallConfig);
  const TribuneFiles hallFiles{hallDir};
  if (waitUntilListening(hall, hallPort, 30s, hallFiles.dataDir() / "tokens.json") != Listening::yes)
    throw std::runtime_error("the town hall did not start:\n" + tail(readFile(hallFiles.log()), 4000));
  const auto ready = [](const Json& health) {
    return health.value("town_hall", "") == "connected" && health.contains("meeting") && !health["meeting"].is_null();
  };
  if (!tribune::testing::waitUntil([&] { return ready(edgeA.health()) && ready(edgeB.health()); }, 30s))
    throw std::runtime_error(
        "the edges did not get the town hall's snapshot within 30 s:\nedge A: " + tail(edgeA.log(), 2000) +
        "\nedge B: " + tail(edgeB.log(), 2000) + "\ntown hall: " + tail(readFile(hallFiles.log()), 2000));
  const bool linkOnA = edgeA.health().value("link_here", false);
  out.linkHolder = linkOnA ? "edge A" : "edge B";
  const int linkPort = linkOnA ? edgeA.port() : edgeB.port();
  const Json tokens = Json::parse(readFile(hallFiles.dataDir() / "tokens.json"));
  std::cout << "  run " << runNumber << ": redis " << (redis.tls() ? "TLS" : "plain") << " pid " << redisProcess
            << ", edge A pid " << edgeA.pid() << " :" << edgeA.port() << ", edge B pid " << edgeB.pid() << " :"
            << edgeB.port() << ", town hall pid " << hall.pid() << " :" << hallPort << ", the link on "
            << out.linkHolder << "\n"
            << std::flush;

  // The technician's console.
  Console console;
  LoadClient consoleClient(1);
  Conn& technician = consoleClient.add(console);
  technician.start(hallPort, Json{{"type", "hello"}, {"token", tokens.at("technician")}}.dump());
  if (!waitFor([&] { return console.welcome().has_value(); }, 10s))
    throw std::runtime_error("the technician got no welcome: " + console.ended());
  const auto numbers = agendaNumbers(Json::parse(*console.welcome()).at("snapshot"));
  if (numbers.size() < 2) throw std::runtime_error("the demo agenda has fewer than 2 items");

  // The viewer processes, one per edge.
  std::vector<std::unique_ptr<ViewerProcess>> viewers;
  const int onA = o.viewers / 2;
  viewers.push_back(std::make_unique<ViewerProcess>(o, 0, edgeA.port(), onA));
  viewers.push_back(std::make_unique<ViewerProcess>(o, 1, edgeB.port(), o.viewers - onA));
  const std::array<pid_t, 2> edgePids{edgeA.pid(), edgeB.pid()};

  // Idle baseline: the link and the processes, nobody watching.
  std::this_thread::sleep_for(2s);
  const LinkBytes idleLink0 = linkBytes(linkPort);
  const Cpu4 idle0 = sample4(hall.pid(), edgeA.pid(), edgeB.pid(), redisProcess);
  std::this_thread::sleep_for(3s);
  const Cpu4 idle1 = sample4(hall.pid(), edgeA.pid(), edgeB.pid(), redisProcess);
  const LinkBytes idleLink1 = linkBytes(linkPort);
  out.idle = between(idle0, idle1);
  out.linkIdleBytesPerS = static_cast<double>(idleLink1.sent - idleLink0.sent) / out.idle.hall.seconds;
  for (int e = 0; e < 2; ++e) out.rssBeforeKb[e] = rssKb(edgePids[e]);

  // Open the viewers, both edges at once.
  const auto openStart = nowNs();
  const auto opened = all(viewers, "open");
  out.openSeconds = static_cast<double>(nowNs() - openStart) / 1e9;
  for (const auto& r : opened) {
    out.welcomed += r.at("welcomed").get<int>();
    out.failed += r.at("failed").get<int>();
  }
  std::this_thread::sleep_for(2s);
  const auto afterOpen = all(viewers, "stats");
  for (int e = 0; e < 2; ++e) {
    out.rssAfterKb[e] = rssKb(edgePids[e]);
    out.heldPerEdge[e] = afterOpen[e].at("held").get<int>();
    if (out.heldPerEdge[e] > 0)
      out.bytesPerConnection[e] =
          static_cast<double>(out.rssAfterKb[e] - out.rssBeforeKb[e]) * 1024.0 / out.heldPerEdge[e];
  }
  const Cpu4 hold0 = sample4(hall.pid(), edgeA.pid(), edgeB.pid(), redisProcess);
  std::this_thread::sleep_for(std::chrono::seconds(o.holdS));
  out.holding = between(hold0, sample4(hall.pid(), edgeA.pid(), edgeB.pid(), redisProcess));
  std::cout << "  run " << runNumber << ": " << withCommas(out.welcomed) << " of " << withCommas(o.viewers)
            << " viewers welcomed in " << fixed(out.openSeconds, 1) << " s (" << withCommas(out.heldPerEdge[0])
            << " on A, " << withCommas(out.heldPerEdge[1]) << " on B, " << out.failed << " failed); edge RSS A "
            << out.rssBeforeKb[0] / 1024 << " → " << out.rssAfterKb[0] / 1024 << " MiB ("
            << fixed(out.bytesPerConnection[0] / 1000, 1) << " KB each), B " << out.rssBeforeKb[1] / 1024 << " → "
            << out.rssAfterKb[1] / 1024 << " MiB (" << fixed(out.bytesPerConnection[1] / 1000, 1)
            << " KB each); holding them idle: edges " << fixed(out.holding.a.processShare() * 100, 0) << " % / "
            << fixed(out.holding.b.processShare() * 100, 0) << " % of a core\n"
            << std::flush;

  // The events.
  const auto clientStats0 = all(viewers, "stats");
  std::vector<std::int64_t> sentAt(static_cast<std::size_t>(o.events), 0);
  for (int k = 0; k < o.events; ++k) {
    const std::string command =
        Json{{"type", "agenda.jump"}, {"id", k + 1}, {"number", numbers[k % 2 == 0 ? 1 : 0]}}.dump();
    const LinkBytes link0 = linkBytes(linkPort);
    const Cpu4 before = sample4(hall.pid(), edgeA.pid(), edgeB.pid(), redisProcess);
    sentAt[k] = realNs();
    technician.post(command);
    all(viewers, "wait " + std::to_string(k));
    waitFor([&] { return console.result(k + 1).has_value(); }, 10s);
    const Use4 use = between(before, sample4(hall.pid(), edgeA.pid(), edgeB.pid(), redisProcess));
    const LinkBytes link1 = linkBytes(linkPort);
    // Over what holding the viewers costs anyway.
    out.hallOwnMsPerEvent.push_back((use.hall.own - out.holding.hall.ownShare() * use.hall.seconds) * 1000);
    out.hallProcessMsPerEvent.push_back((use.hall.process - out.holding.hall.processShare() * use.hall.seconds) * 1000);
    out.edgeAMsPerEvent.push_back((use.a.process - out.holding.a.processShare() * use.a.seconds) * 1000);
    out.edgeBMsPerEvent.push_back((use.b.process - out.holding.b.processShare() * use.b.seconds) * 1000);
    out.redisMsPerEvent.push_back((use.redis.process - out.holding.redis.processShare() * use.redis.seconds) * 1000);
    out.linkBytesPerEvent.push_back(static_cast<double>(link1.sent - link0.sent) -
                                    out.linkIdleBytesPerS * use.hall.seconds);
    const auto result = console.result(k + 1);
    out.commitMs.push_back(result ? msOf(result->first - sentAt[k]) : std::nan(""));
    if (result && result->second != "ok") std::cout << "  event " << k + 1 << ": result " << result->second << "\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(o.gapMs));
  }
  const auto clientStats1 = all(viewers, "stats");
  {
    double cpu = 0, messages = 0;
    for (int e = 0; e < 2; ++e) {
      cpu += clientStats1[e].at("clientCpuS").get<double>() - clientStats0[e].at("clientCpuS").get<double>();
      messages += clientStats1[e].at("messages").get<double>() - clientStats0[e].at("messages").get<double>();
    }
    if (messages > 0) out.clientUsPerMessage = cpu * 1e6 / messages;
  }
  const auto arrivals = all(viewers, "arrivals");
  std::vector<std::vector<double>> perEvent(static_cast<std::size_t>(o.events));
  for (int e = 0; e < 2; ++e) {
    const auto& kernel = arrivals[e].at("kernel");
    const auto& read = arrivals[e].at("read");
    out.eventBytes = std::max(out.eventBytes, arrivals[e].at("eventBytes").get<int>());
    if (arrivals[e].at("withoutKernelTime").get<long long>() > 0)
      std::cout << "  " << arrivals[e].at("withoutKernelTime").get<long long>()
                << " arrivals had no kernel time: their read time stands in\n";
    for (std::size_t s = 0; s < kernel.size(); ++s) {
      const std::int64_t at = kernel[s].get<std::int64_t>();
      const auto k = s % static_cast<std::size_t>(o.events);
      if (at == 0) continue;
      const double delay = msOf(at - sentAt[k]);
      out.delaysMs.push_back(delay);
      out.edgeDelaysMs[e].push_back(delay);
      out.readDelaysMs.push_back(msOf(read[s].get<std::int64_t>() - sentAt[k]));
      perEvent[k].push_back(delay);
    }
  }
  for (const auto& delays : perEvent) {
    out.eventP99.push_back(percentile(delays, 0.99));
    out.eventFirst.push_back(delays.empty() ? std::nan("") : *std::min_element(delays.begin(), delays.end()));
  }
  out.missing = static_cast<long long>(out.heldPerEdge[0] + out.heldPerEdge[1]) * o.events -
                static_cast<long long>(out.delaysMs.size());
  std::cout << "  run " << runNumber << ": " << o.events << " events, delay p50 "
            << fixed(percentile(out.delaysMs, 0.5), 1) << " ms, p99 " << fixed(percentile(out.delaysMs, 0.99), 1)
            << " ms (A " << fixed(percentile(out.edgeDelaysMs[0], 0.99), 1) << ", B "
            << fixed(percentile(out.edgeDelaysMs[1], 0.99), 1) << "), max " << fixed(percentile(out.delaysMs, 1.0), 1)
            << " ms; " << out.missing << " deliveries missing; the link "
            << fixed(spreadOf(out.linkBytesPerEvent).median, 0) << " bytes per event; town hall's own threads "
            << fixed(spreadOf(out.hallOwnMsPerEvent).median, 1) << " ms CPU per event, edges "
            << fixed(spreadOf(out.edgeAMsPerEvent).median, 1) << " / " << fixed(spreadOf(out.edgeBMsPerEvent).median, 1)
            << " ms, redis " << fixed(spreadOf(out.redisMsPerEvent).median, 2) << " ms\n"
            << std::flush;

  // The questions: every viewer asks at once.
  std::this_thread::sleep_for(1s);
  const LinkBytes qLink0 = linkBytes(linkPort);
  const auto qStats0 = all(viewers, "stats");
  const Cpu4 burst0 = sample4(hall.pid(), edgeA.pid(), edgeB.pid(), redisProcess);
  const auto asked = all(viewers, "ask");
  const Cpu4 burst1 = sample4(hall.pid(), edgeA.pid(), edgeB.pid(), redisProcess);
  const auto logged = all(viewers, "logged");
  const Cpu4 logged1 = sample4(hall.pid(), edgeA.pid(), edgeB.pid(), redisProcess);
  const LinkBytes qLink1 = linkBytes(linkPort);
  const auto qStats1 = all(viewers, "stats");
  out.burst = between(burst0, burst1);
  out.untilLogged = between(burst0, logged1);
  std::int64_t firstSend = 0, lastAck = 0, lastLogged = 0;
  std::set<int> okNumbers;
  for (int e = 0; e < 2; ++e) {
    const auto& r = asked[e];
    out.qSent += r.at("sent").get<int>();
    out.qOk += r.at("ok").get<int>();
    out.qRefused += r.at("refused").get<int>();
    out.qNoResult += r.at("noResult").get<int>();
    const auto f = r.at("firstSend").get<std::int64_t>();
    if (f != 0) firstSend = firstSend == 0 ? f : std::min(firstSend, f);
    lastAck = std::max(lastAck, r.at("lastAck").get<std::int64_t>());
    for (const auto& v : r.at("ackMs")) out.ackMs.push_back(v.get<double>());
    for (const auto& n : r.at("okNumbers")) okNumbers.insert(n.get<int>());
    for (const auto& [k, v] : r.at("refusals").items()) out.refusals[k] += v.get<int>();
    const auto& l = logged[e];
    out.qLogged += l.at("logged").get<int>();
    out.qRefusedAtHall += l.at("refusedAtHall").get<int>();
    lastLogged = std::max(lastLogged, l.at("lastLogged").get<std::int64_t>());
    for (const auto& v : l.at("loggedMs")) out.loggedMs.push_back(v.get<double>());
  }
  if (out.qOk > 0 && lastAck > firstSend) {
    out.burstSeconds = static_cast<double>(lastAck - firstSend) / 1e9;
    out.receivedPerS = out.qOk / out.burstSeconds;
  }
  if (out.qLogged > 0 && lastLogged > firstSend) {
    out.loggedSeconds = static_cast<double>(lastLogged - firstSend) / 1e9;
    out.loggedPerS = out.qLogged / out.loggedSeconds;
  }
  if (out.qOk > 0) {
    double messages = 0;
    for (int e = 0; e < 2; ++e)
      messages += qStats1[e].at("messages").get<double>() - qStats0[e].at("messages").get<double>();
    out.messagesPerQuestion = messages / out.qOk;
    out.linkSentPerQuestion = static_cast<double>(qLink1.sent - qLink0.sent) / out.qOk;
    out.linkReceivedPerQuestion = static_cast<double>(qLink1.received - qLink0.received) / out.qOk;
  }

  // Counted back at the town hall.
  try {
    const Json exported = Json::parse(
        httpCall(hallPort, http::verb::get, "/api/questions.json", tokens.at("moderator").get<std::string>()));
    const Json& list = exported.is_array() ? exported : exported.value("questions", Json::array());
    std::map<int, int> found;
    for (const auto& question : list) {
      std::string text = question.value("original", Json(nullptr)).is_string() ? question.value("original", "") : "";
      if (text.empty()) text = question.value("text", "");
      const auto marker = text.find("Q#");
      if (marker != std::string::npos) ++found[std::atoi(text.substr(marker + 2, 7).c_str())];
    }
    out.foundApi = static_cast<long long>(found.size());
    out.lost = 0;
    out.doubled = 0;
    for (const int n : okNumbers) out.lost += found.count(n) == 0 ? 1 : 0;
    for (const auto& [n, times] : found) out.doubled += times > 1 ? 1 : 0;
  } catch (const std::exception& e) {
    std::cout << "  GET /api/questions.json failed: " << e.what() << "\n";
  }
  const auto finalStats = all(viewers, "stats");
  for (const auto& s : finalStats) {
    out.heldAfter += s.at("held").get<int>();
    for (const auto& [k, v] : s.at("failures").items()) out.failures[k] += v.get<int>();
  }
  std::cout << "  run " << runNumber << ": questions " << withCommas(out.qOk) << "/" << withCommas(out.qSent)
            << " received (Redis) in " << fixed(out.burstSeconds, 2) << " s = " << fixed(out.receivedPerS, 0)
            << "/s, result p50 " << fixed(percentile(out.ackMs, 0.5), 0) << " ms p99 "
            << fixed(percentile(out.ackMs, 0.99), 0) << " ms; " << withCommas(out.qLogged)
            << " logged at the town hall in " << fixed(out.loggedSeconds, 2) << " s = " << fixed(out.loggedPerS, 0)
            << "/s; found by the API " << out.foundApi << ", lost " << out.lost << ", twice " << out.doubled
            << "; refused " << out.qRefused << ", no result " << out.qNoResult
            << "; during the burst (to the last result): town hall " << fixed(out.burst.hall.ownShare() * 100, 0)
            << " % (own threads), edges " << fixed(out.burst.a.processShare() * 100, 0) << " / "
            << fixed(out.burst.b.processShare() * 100, 0) << " %, redis "
            << fixed(out.burst.redis.processShare() * 100, 0) << " %; until the last \"transmise\": edge A "
            << fixed(out.untilLogged.a.processShare() * 100, 0) << " %, its busiest thread "
            << fixed(out.untilLogged.a.busiestShare() * 100, 0) << " % (and waiting for a CPU "
            << fixed(
                   out.untilLogged.a.seconds > 0 ? out.untilLogged.a.busiestWait / out.untilLogged.a.seconds * 100 : 0,
                   0)
            << " %), redis " << fixed(out.untilLogged.redis.processShare() * 100, 0) << " %; the viewers received "
            << fixed(out.messagesPerQuestion, 1) << " messages per question\n"
            << std::flush;
  for (const auto& [k, v] : out.refusals) std::cout << "    refused: " << k << ": " << v << "\n";
  for (const auto& [k, v] : out.failures) std::cout << "    connection ended: " << k << ": " << v << "\n";
  if (!console.ended().empty()) std::cout << "    the technician's connection ended: " << console.ended() << "\n";

  viewers.clear();
  consoleClient.shutdown();
  hall.signal(SIGTERM);
  if (!hall.waitFor(20s)) hall.kill9();
  return out;
}

// ---------------------------------------------------------------------------------------
// The report

void report(const Options& o, const std::vector<Run>& runs, rlim_t limit) {
  auto collect = [&](auto member) {
    std::vector<double> values;
    for (const auto& run : runs) values.push_back(member(run));
    return spreadOf(values);
  };
  const auto median = [](const std::vector<double>& v) { return spreadOf(v).median; };
  const Spread held = collect([](const Run& r) { return static_cast<double>(r.heldPerEdge[0] + r.heldPerEdge[1]); });
  const Spread heldAfter = collect([](const Run& r) { return static_cast<double>(r.heldAfter); });
  const Spread memA = collect([](const Run& r) { return r.bytesPerConnection[0] / 1000; });
  const Spread memB = collect([](const Run& r) { return r.bytesPerConnection[1] / 1000; });
  const Spread rssA = collect([](const Run& r) { return static_cast<double>(r.rssAfterKb[0]) / 1024; });
  const Spread open = collect([](const Run& r) { return r.openSeconds; });
  const Spread p50 = collect([](const Run& r) { return percentile(r.delaysMs, 0.5); });
  const Spread p99 = collect([](const Run& r) { return percentile(r.delaysMs, 0.99); });
  const Spread max = collect([](const Run& r) { return percentile(r.delaysMs, 1.0); });
  const Spread p99A = collect([](const Run& r) { return percentile(r.edgeDelaysMs[0], 0.99); });
  const Spread p99B = collect([](const Run& r) { return percentile(r.edgeDelaysMs[1], 0.99); });
  const Spread readP99 = collect([](const Run& r) { return percentile(r.readDelaysMs, 0.99); });
  const Spread worst = collect([](const Run& r) { return spreadOf(r.eventP99).max; });
  const Spread first = collect([&](const Run& r) { return median(r.eventFirst); });
  const Spread commit = collect([&](const Run& r) { return median(r.commitMs); });
  const Spread linkEvent = collect([&](const Run& r) { return median(r.linkBytesPerEvent); });
  const Spread eventBytes = collect([](const Run& r) { return static_cast<double>(r.eventBytes); });
  const Spread linkIdle = collect([](const Run& r) { return r.linkIdleBytesPerS; });
  const Spread hallOwnEvent = collect([&](const Run& r) { return median(r.hallOwnMsPerEvent); });
  const Spread hallEvent = collect([&](const Run& r) { return median(r.hallProcessMsPerEvent); });
  const Spread aEvent = collect([&](const Run& r) { return median(r.edgeAMsPerEvent); });
  const Spread bEvent = collect([&](const Run& r) { return median(r.edgeBMsPerEvent); });
  const Spread redisEvent = collect([&](const Run& r) { return median(r.redisMsPerEvent); });
  const Spread idleHallOwn = collect([](const Run& r) { return r.idle.hall.ownShare() * 100; });
  const Spread holdHallOwn = collect([](const Run& r) { return r.holding.hall.ownShare() * 100; });
  const Spread idleA = collect([](const Run& r) { return r.idle.a.processShare() * 100; });
  const Spread holdA = collect([](const Run& r) { return r.holding.a.processShare() * 100; });
  const Spread idleB = collect([](const Run& r) { return r.idle.b.processShare() * 100; });
  const Spread holdB = collect([](const Run& r) { return r.holding.b.processShare() * 100; });
  const Spread holdRedis = collect([](const Run& r) { return r.holding.redis.processShare() * 100; });
  const Spread received = collect([](const Run& r) { return r.receivedPerS; });
  const Spread loggedRate = collect([](const Run& r) { return r.loggedPerS; });
  const Spread burstS = collect([](const Run& r) { return r.burstSeconds; });
  const Spread loggedS = collect([](const Run& r) { return r.loggedSeconds; });
  const Spread ackP50 = collect([](const Run& r) { return percentile(r.ackMs, 0.5); });
  const Spread ackP99 = collect([](const Run& r) { return percentile(r.ackMs, 0.99); });
  const Spread logP50 = collect([](const Run& r) { return percentile(r.loggedMs, 0.5); });
  const Spread logP99 = collect([](const Run& r) { return percentile(r.loggedMs, 0.99); });
  const Spread burstHallOwn = collect([](const Run& r) { return r.untilLogged.hall.ownShare() * 100; });
  const Spread burstHall = collect([](const Run& r) { return r.untilLogged.hall.processShare() * 100; });
  const Spread burstA = collect([](const Run& r) { return r.burst.a.processShare() * 100; });
  const Spread burstB = collect([](const Run& r) { return r.burst.b.processShare() * 100; });
  const Spread burstRedis = collect([](const Run& r) { return r.burst.redis.processShare() * 100; });
  const Spread redisUsPerQuestion =
      collect([](const Run& r) { return r.qOk > 0 ? r.untilLogged.redis.process * 1e6 / r.qOk : std::nan(""); });
  const Spread hallUsPerQuestion = collect([](const Run& r) {
    return r.qOk > 0 ? (r.untilLogged.hall.own - r.holding.hall.ownShare() * r.untilLogged.hall.seconds) * 1e6 / r.qOk
                     : std::nan("");
  });
  const Spread linkQSent = collect([](const Run& r) { return r.linkSentPerQuestion; });
  const Spread linkQReceived = collect([](const Run& r) { return r.linkReceivedPerQuestion; });
  const Spread clientUs = collect([](const Run& r) { return r.clientUsPerMessage; });
  const Spread perQuestion = collect([](const Run& r) { return r.messagesPerQuestion; });
  long long sent = 0, ok = 0, loggedCount = 0, api = 0, lost = 0, doubled = 0, refused = 0, noResult = 0, missing = 0,
            refusedAtHall = 0;
  bool apiKnown = true;
  std::map<std::string, int> failures;
  for (const auto& r : runs) {
    sent += r.qSent;
    ok += r.qOk;
    loggedCount += r.qLogged;
    refusedAtHall += r.qRefusedAtHall;
    refused += r.qRefused;
    noResult += r.qNoResult;
    missing += r.missing;
    if (r.foundApi < 0) apiKnown = false;
    api += std::max(0LL, r.foundApi);
    lost += std::max(0LL, r.lost);
    doubled += std::max(0LL, r.doubled);
    for (const auto& [k, v] : r.failures) failures[k] += v;
  }
  const bool noneLost = apiKnown && lost == 0 && doubled == 0 && refused == 0 && noResult == 0 && loggedCount == ok;
  const std::string redisKind = o.redisTls ? "Redis over TLS" : "Redis without TLS";
  tribune::bench::summaryRow({"edge", "viewers held across two edges", fixed(held.median, 0), spreadText(held, 0),
                              "20,000 (issue 22's target)", held.median >= 20'000});
  tribune::bench::summaryRow({"edge", "edge memory per connection", fixed(memA.median, 1) + " KB",
                              spreadText(memA, 1, " KB"), "", std::nullopt});
  tribune::bench::summaryRow({"edge", "an event to every viewer of both edges, p99", fixed(p99.median, 1) + " ms",
                              spreadText(p99, 1, " ms"), "", std::nullopt});
  tribune::bench::summaryRow({"edge", "questions/s received durably (" + redisKind + ", AOF always)",
                              fixed(received.median, 0), spreadText(received, 0), "", std::nullopt});
  tribune::bench::summaryRow({"edge", "questions lost or doubled between the edges and the town hall",
                              std::to_string(lost + doubled + refused + noResult), "", "none lost", noneLost});

  auto holds = [](bool yes) { return yes ? "**yes**" : "**no**"; };
  std::cout << "\n### edge: " << withCommas(o.viewers) << " viewers asked over two `tribune edge` ("
            << withCommas(o.viewers / 2) << " each), " << redisKind << " (AOF appendfsync always), " << runs.size()
            << " run" << (runs.size() > 1 ? "s" : "") << ", the link on " << runs.front().linkHolder << "\n\n"
            << "| figure | median (min–max) over runs |\n|---|---|\n"
            << "| viewers held across the two edges (hello → welcome) | " << showCount(held) << " of "
            << withCommas(o.viewers) << " |\n"
            << "| still open after the events and the questions | " << showCount(heldAfter) << " |\n"
            << "| edge memory per connection (ΔVmRSS ÷ viewers), edge A / edge B | " << show(memA, 1, " KB") << " / "
            << show(memB, 1, " KB") << " |\n"
            << "| edge A's VmRSS holding its viewers | " << show(rssA, 0, " MiB") << " |\n"
            << "| time to open them (" << o.window << " at once per edge) | " << show(open, 1, " s") << " |\n"
            << "| an event to every viewer of both edges, p50 | " << show(p50, 1, " ms") << " |\n"
            << "| an event to every viewer of both edges, **p99** | " << show(p99, 1, " ms") << " |\n"
            << "| the same, max | " << show(max, 1, " ms") << " |\n"
            << "| p99 on edge A / on edge B | " << show(p99A, 1, " ms") << " / " << show(p99B, 1, " ms") << " |\n"
            << "| the worst event's p99 | " << show(worst, 1, " ms") << " |\n"
            << "| the first viewer reached (median over the events) | " << show(first, 1, " ms") << " |\n"
            << "| the technician's result | " << show(commit, 1, " ms") << " |\n"
            << "| p99 as read by the load processes | " << show(readP99, 1, " ms") << " |\n"
            << "| bytes the town hall sent on the link per event (idle link subtracted) | " << show(linkEvent, 0)
            << " |\n"
            << "| the event as one viewer receives it (websocket payload) | " << show(eventBytes, 0, " bytes") << " |\n"
            << "| the idle link, town hall → edge | " << show(linkIdle, 0, " bytes/s") << " |\n"
            << "| CPU per event over holding: town hall's own threads / whole town hall | "
            << show(hallOwnEvent, 1, " ms") << " / " << show(hallEvent, 1, " ms") << " |\n"
            << "| CPU per event over holding: edge A / edge B / Redis | " << show(aEvent, 1, " ms") << " / "
            << show(bEvent, 1, " ms") << " / " << show(redisEvent, 2, " ms") << " |\n"
            << "| % of a core, no viewer → holding them idle: town hall's own threads | " << show(idleHallOwn, 0, " %")
            << " → " << show(holdHallOwn, 0, " %") << " |\n"
            << "| the same, edge A / edge B (whole process) | " << show(idleA, 0, " %") << " → " << show(holdA, 0, " %")
            << " / " << show(idleB, 0, " %") << " → " << show(holdB, 0, " %") << " |\n"
            << "| Redis holding them idle | " << show(holdRedis, 0, " %") << " |\n"
            << "| **questions/s received durably** (every viewer asks " << o.perViewer
            << " at once; result {received: true} ÷ first send → last result) | " << show(received, 0) << " |\n"
            << "| the burst took | " << show(burstS, 2, " s") << " |\n"
            << "| result (\"reçue\") p50 / p99 | " << show(ackP50, 0, " ms") << " / " << show(ackP99, 0, " ms")
            << " |\n"
            << "| questions/s logged at the town hall (\"transmise\" back at the asker ÷ first send → last) | "
            << show(loggedRate, 0) << " |\n"
            << "| until the last \"transmise\" | " << show(loggedS, 2, " s") << " |\n"
            << "| \"transmise\" p50 / p99 | " << show(logP50, 0, " ms") << " / " << show(logP99, 0, " ms") << " |\n"
            << "| sent / received / transmise / found by GET /api/questions.json (all runs) | " << withCommas(sent)
            << " / " << withCommas(ok) << " / " << withCommas(loggedCount) << " / "
            << (apiKnown ? withCommas(api) : "?") << " |\n"
            << "| lost (received, not found) / found twice / refused / no result / refused by the town hall | " << lost
            << " / " << doubled << " / " << refused << " / " << noResult << " / " << refusedAtHall
            << " — none lost: " << holds(noneLost) << " |\n"
            << "| during the questions, % of a core: town hall's own threads / whole (first send → last transmise) | "
            << show(burstHallOwn, 0, " %") << " / " << show(burstHall, 0, " %") << " |\n"
            << "| during the questions, % of a core: edge A / edge B / Redis (first send → last result) | "
            << show(burstA, 0, " %") << " / " << show(burstB, 0, " %") << " / " << show(burstRedis, 0, " %") << " |\n"
            << "| CPU per question: town hall's own threads (over holding) / Redis | "
            << show(hallUsPerQuestion, 0, " µs") << " / " << show(redisUsPerQuestion, 0, " µs") << " |\n"
            << "| link bytes per question: town hall → edge / edge → town hall | " << show(linkQSent, 0) << " / "
            << show(linkQReceived, 0) << " |\n"
            << "| messages the viewers received per question (all viewers, first ask → last \"transmise\") | "
            << show(perQuestion, 1) << " |\n"
            << "| load processes' CPU per message received | " << show(clientUs, 2, " µs") << " |\n";
  if (missing > 0) std::cout << "\n" << missing << " event deliveries missing over all runs.\n";
  if (!failures.empty()) {
    std::cout << "\nConnections that failed or ended (all runs):";
    for (const auto& [k, v] : failures) std::cout << " " << k << " × " << v << ";";
    std::cout << "\n";
  }
  std::cout << "\nOn loopback, one machine of " << std::thread::hardware_concurrency()
            << " CPUs for everything: Redis, both edges, the town hall (with its test source and x264), and the two "
               "viewer processes (one io thread each, "
            << o.addresses << " source addresses each); descriptors " << limit
            << " per process. Edge limits raised for the bench: max_connections_per_address 10,000, "
               "questions_per_address_per_hour 10,000, messages_per_connection_per_second 1,000.\n";
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  const Options options = parseOptions(argc, argv);
  const rlim_t limit = raiseDescriptorLimit();
  try {
    if (options.viewersMode) return runViewers(options);
    if (!fs::exists(options.tribune)) {
      std::cerr << "tribune_bench_edge: no tribune binary at " << options.tribune << " (build the target tribune)\n";
      return 1;
    }
    std::cout << "tribune: " << options.tribune.string() << "; descriptor limit " << limit << " per process; "
              << machineAndLoad() << "\n"
              << std::flush;
    if (static_cast<rlim_t>(options.viewers / 2) + 64 > limit)
      std::cout << "  note: " << options.viewers / 2
                << " viewers per edge need about as many descriptors; the limit is " << limit << "\n";
    std::vector<Run> runs;
    for (int r = 1; r <= options.runs; ++r) runs.push_back(runEdge(options, r));
    report(options, runs, limit);
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_edge: " << e.what() << "\n";
    return 1;
  }
  std::cout << "load afterwards " << machineLoad() << "\n";
  return 0;
}
