// Soak benchmark (DESIGN.md §7 "long meeting": resident memory flat, ≤ 5 % growth, no
// descriptor leak). `scripts/bench soak` runs it.
//
// It starts its own nginx-rtmp on loopback (tests/support's NginxRtmp: two stream keys,
// soak-a and soak-b, are the two destinations) and the real `tribune run` (a separate
// process: test source at 720p30, x264 ultrafast, both destinations, the recording on, a
// fresh data dir under /tmp, the web server on 127.0.0.1), then drives it for --minutes
// as a meeting would:
//
//   - a technician's console (websocket) opens the session, then changes the graphics
//     every --graphics-s seconds, in a cycle of seven: next agenda item (agenda
//     lower-third), a speaker's lower-third, the QR card on, the speaker off, the QR card
//     off, the current item again (agenda lower-third), the lower-third off;
//   - --viewers viewers' websockets send questions, --questions-per-s in all, in turn;
//     --watchers more viewers only watch (every approved question and every event goes
//     to them);
//   - a moderator's websocket approves one new question in two and rejects one in four,
//     as they reach its screen (the rest stay pending).
//
// Every --sample-s seconds it reads the tribune process from /proc/PID (VmRSS, RssAnon,
// open descriptors, threads, CPU time) and GET /metrics (frames encoded and dropped,
// each destination's reconnects and whether it is live, the recording's size), and
// appends a row to a CSV file (path printed at the start; written as it goes, so a long
// run can be watched). The START figures are the first sample after the warm-up
// (--warmup-s; by default 2 minutes, or 10 % of a run shorter than 20 minutes), so that
// the allocators' and caches' first growth is not counted; END is the last sample,
// taken at the end of the run while everything is still running. Then tribune gets
// SIGINT (a clean stop) and a Markdown table is printed.
//
// A benchmark reports; it does not test: the exit status is non-zero only when it cannot
// run (nginx does not start, tribune does not start or dies during the run), never for a
// missed bar. How to read the numbers: docs/PERFORMANCE.md, "Soak".
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iomanip>
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
#include <vector>

#include "bench_support.h"
#include "summary.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "tribune_run.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using tribune::bench::fixed;
using tribune::bench::httpGet;
using tribune::bench::Listening;
using tribune::bench::metric;
using tribune::bench::openDescriptors;
using tribune::bench::percentile;
using tribune::bench::readFile;
using tribune::bench::readProcStat;
using tribune::bench::startTribuneRun;
using tribune::bench::TribuneFiles;
using tribune::bench::utcNow;
using tribune::bench::waitUntilListening;
using tribune::bench::withCommas;
using tribune::testing::NginxRtmp;
using tribune::testing::Process;
using tribune::testing::TempDir;

const std::vector<std::string> kKeys{"soak-a", "soak-b"};  // stream keys = destination names

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  double minutes = 60;
  double warmupS = -1;  // < 0: 120 s, or 10 % of a run shorter than 20 minutes
  double sampleS = 10;
  double graphicsS = 3;
  double questionsPerS = 1;
  int viewers = 4;    // asking
  int watchers = 20;  // only watching
  int bitrateKbps = 1000;
  std::string profile = "720p30";
  std::string preset = "ultrafast";
  fs::path csv;  // empty: next to the binary, soak-YYYYMMDD-HHMMSS.csv
  fs::path tribune = TRIBUNE_BINARY;
  fs::path sourceDir = TRIBUNE_SOURCE_DIR;
  bool keep = false;
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_soak: " << problem << "\n"
      << "usage: tribune_bench_soak [--minutes M (60; fractions allowed: 0.5)] [--warmup-s S (120, or 10 % of a\n"
      << "                          run under 20 min)] [--sample-s S (10)] [--graphics-s S (3)]\n"
      << "                          [--questions-per-s Q (1)] [--viewers V (4)] [--watchers W (20)]\n"
      << "                          [--bitrate-kbps K (1000)] [--profile 720p30|1080p30] [--preset P (ultrafast)]\n"
      << "                          [--csv FILE] [--keep] [--tribune PATH]\n"
      << "Starts nginx-rtmp and `tribune run` (two destinations, recording on) on loopback, drives a meeting\n"
      << "(graphics changes, questions, moderation) for the given time, samples the process's memory,\n"
      << "descriptors and threads, and prints a Markdown table (docs/PERFORMANCE.md, \"Soak\").\n"
      << "--keep keeps tribune's data dir and nginx's (TRIBUNE_KEEP_TEST_FILES=1).\n";
  std::exit(status);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  tribune::bench::OptionReader in(argc, argv, usage);
  while (in.next()) {
    const std::string& a = in.name();
    if (a == "--help" || a == "-h") usage("help", 0);
    if (a == "--minutes") {
      o.minutes = in.number(0.05);
    } else if (a == "--warmup-s") {
      o.warmupS = in.number(0);
    } else if (a == "--sample-s") {
      o.sampleS = in.number(1);
    } else if (a == "--graphics-s") {
      o.graphicsS = in.number(0.2);
    } else if (a == "--questions-per-s") {
      o.questionsPerS = in.number(0);
    } else if (a == "--viewers") {
      o.viewers = static_cast<int>(in.number(1));
    } else if (a == "--watchers") {
      o.watchers = static_cast<int>(in.number(0));
    } else if (a == "--bitrate-kbps") {
      o.bitrateKbps = static_cast<int>(in.number(500));
    } else if (a == "--profile") {
      o.profile = in.value();
    } else if (a == "--preset") {
      o.preset = in.value();
    } else if (a == "--csv") {
      o.csv = in.value();
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--tribune") {
      o.tribune = in.value();
    } else {
      usage("unknown argument " + a);
    }
  }
  if (o.warmupS < 0) o.warmupS = o.minutes >= 20 ? 120.0 : o.minutes * 60.0 * 0.10;
  if (o.warmupS >= o.minutes * 60.0) usage("the warm-up must be shorter than the run");
  return o;
}

// ---------------------------------------------------------------------------------------
// Small helpers

std::string signedFixed(double value, int decimals) { return (value > 0 ? "+" : "") + fixed(value, decimals); }

std::string clockOf(double seconds) {  // m:ss
  const long s = std::lround(seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------------------------------
// The tribune process, as /proc shows it

struct ProcFigures {
  long rssKb = -1;
  long rssAnonKb = -1;
  long threads = -1;
  long fds = -1;
  double cpuS = 0;
};

ProcFigures readProc(pid_t pid) {
  ProcFigures f;
  const std::string base = "/proc/" + std::to_string(pid);
  std::istringstream status(readFile(base + "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) f.rssKb = std::stol(line.substr(6));
    if (line.rfind("RssAnon:", 0) == 0) f.rssAnonKb = std::stol(line.substr(8));
    if (line.rfind("Threads:", 0) == 0) f.threads = std::stol(line.substr(8));
  }
  f.fds = openDescriptors(pid).value_or(-1);
  if (const auto stat = readProcStat(pid)) f.cpuS = stat->ownS;
  return f;
}

// ---------------------------------------------------------------------------------------
// A websocket client on the shared io thread (Beast). Everything but post() and the
// atomics runs on that thread.

class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  using Handler = std::function<void(WsClient&, const Json&)>;

  WsClient(asio::io_context& io, std::string name, Handler handler)
      : ws_(asio::make_strand(io)), name_(std::move(name)), handler_(std::move(handler)) {}

  // Connects, upgrades on /ws and sends `hello`; the handler gets every message from the
  // welcome on. Returns the welcome, or throws when none came within 10 s.
  Json start(int port, const std::string& hello) {
    auto self = shared_from_this();
    auto welcome = welcome_.get_future();
    asio::post(ws_.get_executor(), [self, port, hello] {
      auto& lowest = beast::get_lowest_layer(self->ws_);
      lowest.expires_after(10s);
      lowest.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
                           [self, port, hello](error_code ec) {
                             if (ec) return self->end("connect", ec);
                             beast::get_lowest_layer(self->ws_).expires_never();
                             self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
                             self->ws_.async_handshake("127.0.0.1:" + std::to_string(port), "/ws",
                                                       [self, hello](error_code hec) {
                                                         if (hec) return self->end("handshake", hec);
                                                         self->send(hello);
                                                         self->read();
                                                       });
                           });
    });
    if (welcome.wait_for(10s) != std::future_status::ready)
      throw std::runtime_error(name_ + ": no welcome within 10 s");
    Json message = welcome.get();
    if (message.is_null()) throw std::runtime_error(name_ + ": connection ended before the welcome: " + why());
    return message;
  }

  // From any thread.
  void post(std::string text) {
    asio::post(ws_.get_executor(),
               [self = shared_from_this(), text = std::move(text)]() mutable { self->send(std::move(text)); });
  }

  void close() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      if (self->ended_) return;
      self->closing_ = true;
      self->ws_.async_close(websocket::close_code::going_away, [self](error_code) {});
    });
  }

  [[nodiscard]] bool ended() const { return ended_.load(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  std::string why() {
    std::lock_guard lock(mutex_);
    return why_;
  }
  std::atomic<long long> received{0};

 private:
  void send(std::string text) {
    if (ended_) return;
    queue_.push_back(std::move(text));
    if (queue_.size() == 1) writeNext();
  }
  void writeNext() {
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->end("write", ec);
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->writeNext();
    });
  }
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->end("read", ec);
      Json message = Json::parse(beast::buffers_to_string(self->buffer_.data()), nullptr, false);
      self->buffer_.consume(self->buffer_.size());
      ++self->received;
      if (!self->welcomed_ && message.is_object() && message.value("type", "") == "welcome") {
        self->welcomed_ = true;
        self->welcome_.set_value(message);
      }
      if (!message.is_discarded()) self->handler_(*self, message);
      self->read();
    });
  }
  void end(const char* stage, error_code ec) {
    if (ended_) return;
    {
      std::lock_guard lock(mutex_);
      why_ = std::string(stage) + ": " + ec.message();
      if (ws_.reason().code != websocket::close_code::none)
        why_ += " (close " + std::to_string(ws_.reason().code) + " " +
                std::string(ws_.reason().reason.data(), ws_.reason().reason.size()) + ")";
    }
    ended_ = true;
    if (!welcomed_) {
      welcomed_ = true;
      welcome_.set_value(Json());
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::string name_;
  Handler handler_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::promise<Json> welcome_;
  bool welcomed_ = false;
  bool closing_ = false;
  std::atomic<bool> ended_{false};
  std::mutex mutex_;
  std::string why_;
};

// ---------------------------------------------------------------------------------------
// What the drivers count (io thread writes, the main thread reads: under the mutex)

struct Pending {
  std::string type;
  std::int64_t sentNs = 0;
};

struct Tally {
  long long sent = 0;
  long long ok = 0;
  std::map<std::string, long long> refused;  // "type: status" → count
  std::vector<double> resultMs;              // result − send
  [[nodiscard]] long long refusedCount() const {
    long long n = 0;
    for (const auto& [what, count] : refused) n += count;
    return n;
  }
};

struct Counters {
  std::mutex mutex;
  Tally technician;                      // graphics and session commands
  Tally moderator;                       // approve / reject
  Tally questions;                       // question.ask
  std::map<long long, Pending> pending;  // by message id (unique over all clients)
  long long nextId = 1;
  long long errors = 0;  // `error` messages (a message not understood)
  std::map<std::string, long long> errorStatuses;
  long long approved = 0, rejected = 0, leftPending = 0;
  std::set<long long> seenByModerator;
  // The technician's view of the agenda
  std::vector<std::string> numbers;
  std::vector<std::string> councillors;
  int currentIndex = -1;

  long long newId(const std::string& type) {
    const long long id = nextId++;
    pending[id] = {type, nowNs()};
    return id;
  }
  Tally& tallyOf(const std::string& type) {
    if (type == "question.ask") return questions;
    if (type.rfind("question.", 0) == 0) return moderator;
    return technician;
  }
};

// Handles `result` and `error` messages of any client; true when the message was one.
bool handleResult(Counters& c, const Json& message) {
  const std::string type = message.value("type", "");
  if (type != "result" && type != "error") return false;
  std::lock_guard lock(c.mutex);
  const auto idIt = message.find("id");
  auto it =
      (idIt != message.end() && idIt->is_number_integer()) ? c.pending.find(idIt->get<long long>()) : c.pending.end();
  const std::string status = message.value("status", "?");
  if (it == c.pending.end()) {
    if (type == "error") {
      ++c.errors;
      ++c.errorStatuses[status];
    }
    return true;
  }
  Tally& tally = c.tallyOf(it->second.type);
  tally.resultMs.push_back(static_cast<double>(nowNs() - it->second.sentNs) / 1e6);
  if (type == "result" && status == "ok") {
    ++tally.ok;
    const auto data = message.value("data", Json::object());
    if (data.is_object() && data.contains("index") && data["index"].is_number_integer())
      c.currentIndex = data["index"].get<int>();
  } else {
    ++tally.refused[it->second.type + ": " + status];
  }
  c.pending.erase(it);
  return true;
}

// ---------------------------------------------------------------------------------------
// One sample

struct Sample {
  double t = 0;  // seconds since the drive began
  ProcFigures proc;
  bool metricsOk = false;
  double framesEncoded = std::nan(""), framesDropped = std::nan(""), recordingBytes = std::nan("");
  std::vector<double> reconnects, live;  // per destination
  long long questionsSent = 0, questionsOk = 0, commandsSent = 0, commandsRefused = 0, moderationSent = 0;
  long long wsReceived = 0;
};

// ---------------------------------------------------------------------------------------
// The run

class Soak {
 public:
  explicit Soak(Options options) : o_(std::move(options)), io_(), work_(asio::make_work_guard(io_)) {}
  ~Soak() {
    for (auto& client : allClients()) client->close();
    work_.reset();
    io_.stop();
    if (ioThread_.joinable()) ioThread_.join();
  }

  int run();

 private:
  void startNginx();
  void startTribune();
  void connectClients();
  std::shared_ptr<WsClient> connectTechnician();
  std::shared_ptr<WsClient> connectModerator();
  std::shared_ptr<WsClient> connectViewer(int index, bool asking);
  void technicianStep();
  void askQuestion();
  Sample sample(double t);
  void writeCsvHeader();
  void writeCsvRow(const Sample& s);
  void printProgress(const Sample& s);
  void report(double ranS, const std::string& ending);
  void reconnectLost();
  std::vector<std::shared_ptr<WsClient>> allClients() {
    std::vector<std::shared_ptr<WsClient>> all;
    if (technician_) all.push_back(technician_);
    if (moderator_) all.push_back(moderator_);
    all.insert(all.end(), viewers_.begin(), viewers_.end());
    all.insert(all.end(), watchers_.begin(), watchers_.end());
    return all;
  }
  // The console links' secrets, which `tribune run` writes into its data dir.
  std::string token(const std::string& role) const {
    return Json::parse(readFile(data_->path() / "data" / "tokens.json")).at(role).get<std::string>();
  }
  void sendCommand(WsClient& client, Json command) {
    {
      std::lock_guard lock(counters_.mutex);
      const std::string type = command.at("type").get<std::string>();
      command["id"] = counters_.newId(type);
      ++counters_.tallyOf(type).sent;
    }
    client.post(command.dump());
  }

  Options o_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread ioThread_;
  std::unique_ptr<NginxRtmp> nginx_;
  std::unique_ptr<TempDir> data_;
  std::unique_ptr<Process> tribune_;
  int port_ = 0;
  Counters counters_;
  std::shared_ptr<WsClient> technician_, moderator_;
  std::vector<std::shared_ptr<WsClient>> viewers_, watchers_;
  std::map<std::string, long long> lost_;  // connections that ended, by client kind: why
  std::vector<std::string> lostWhy_;
  int step_ = 0;
  long long questionNumber_ = 0;
  std::vector<Sample> samples_;
  std::ofstream csv_;
  fs::path csvPath_;
  std::string startedUtc_;
};

void Soak::startNginx() {
  nginx_ = std::make_unique<NginxRtmp>();
  nginx_->start();  // throws with nginx's error log when it does not come up
  std::cout << "  nginx-rtmp on 127.0.0.1:" << nginx_->rtmpPort() << " (records in "
            << nginx_->recordsDirectory().string() << ")\n";
}

void Soak::startTribune() {
  data_ = std::make_unique<TempDir>("tribune-soak");
  port_ = tribune::testing::freeLoopbackPort();
  Json destinations = Json::array();
  for (const auto& key : kKeys) destinations.push_back({{"name", key}, {"url", nginx_->rtmpUrl(key)}});
  const Json config{{"source", "test"},
                    {"agenda", (o_.sourceDir / "examples" / "agenda-demo.json").string()},
                    {"video", {{"profile", o_.profile}, {"bitrate_kbps", o_.bitrateKbps}, {"preset", o_.preset}}},
                    {"recording", {{"enabled", true}}},
                    {"graphics", {{"question_url", "https://demo.example/q"}}},
                    {"web", {{"address", "127.0.0.1"}, {"port", port_}}},
                    // About one question a second from a handful of browsers on one address: far above
                    // the defaults (3 per browser, 10 per address in 5 minutes), which are for people.
                    {"questions",
                     {{"per_browser", {{"count", 10000}, {"seconds", 1}}},
                      {"per_address", {{"count", 10000}, {"seconds", 1}}},
                      {"messages_per_connection", {{"count", 10000}, {"seconds", 1}}}}},
                    {"destinations", destinations}};
  const TribuneFiles files{data_->path()};
  const fs::path dataDir = files.dataDir();
  tribune_ = std::make_unique<Process>(startTribuneRun(o_.tribune, files.dir, config));
  switch (waitUntilListening(*tribune_, port_, 30s, dataDir / "tokens.json")) {
    case Listening::yes: break;
    case Listening::exited: throw std::runtime_error("tribune exited before listening:\n" + readFile(files.log()));
    case Listening::timedOut: throw std::runtime_error("tribune did not listen within 30 s:\n" + readFile(files.log()));
  }
  std::cout << "  tribune pid " << tribune_->pid() << ", web on 127.0.0.1:" << port_ << ", data dir "
            << dataDir.string() << "\n";
}

std::shared_ptr<WsClient> Soak::connectTechnician() {
  auto client = std::make_shared<WsClient>(io_, "technician", [this](WsClient&, const Json& message) {
    if (handleResult(counters_, message)) return;
    if (message.value("type", "") != "welcome") return;
    const Json& snapshot = message["snapshot"];
    if (!snapshot.is_object()) return;
    std::lock_guard lock(counters_.mutex);
    counters_.numbers.clear();
    for (const auto& item : snapshot["agenda"]["items"]) counters_.numbers.push_back(item.value("number", ""));
    counters_.councillors.clear();
    for (const auto& person : snapshot["agenda"]["councillors"])
      counters_.councillors.push_back(person.value("id", ""));
    const auto& current = snapshot["current_item"];
    counters_.currentIndex = current.is_object() ? current.value("index", -1) : -1;
  });
  const std::string hello = Json{{"type", "hello"}, {"token", token("technician")}}.dump();
  client->start(port_, hello);
  return client;
}

std::shared_ptr<WsClient> Soak::connectModerator() {
  auto client = std::make_shared<WsClient>(io_, "moderator", [this](WsClient& self, const Json& message) {
    if (handleResult(counters_, message)) return;
    const std::string type = message.value("type", "");
    std::vector<Json> views;
    if (type == "question" && message.contains("question")) views.push_back(message["question"]);
    if (type == "welcome" && message["snapshot"].is_object())
      for (const auto& view : message["snapshot"].value("questions", Json::array())) views.push_back(view);
    for (const auto& view : views) {
      if (view.value("status", "") != "pending" || !view.contains("id")) continue;
      const long long id = view["id"].get<long long>();
      std::string command;
      {
        std::lock_guard lock(counters_.mutex);
        if (!counters_.seenByModerator.insert(id).second) continue;
        const auto k = counters_.seenByModerator.size() % 4;
        if (k == 1 || k == 2) {
          command = "question.approve";
          ++counters_.approved;
        } else if (k == 3) {
          command = "question.reject";
          ++counters_.rejected;
        } else {
          ++counters_.leftPending;
        }
      }
      if (!command.empty()) sendCommand(self, Json{{"type", command}, {"question", id}});
    }
  });
  client->start(port_, Json{{"type", "hello"}, {"token", token("moderator")}}.dump());
  return client;
}

std::shared_ptr<WsClient> Soak::connectViewer(int index, bool asking) {
  auto client = std::make_shared<WsClient>(
      io_, asking ? "viewer" : "watcher", [this](WsClient&, const Json& message) { handleResult(counters_, message); });
  char id[40];
  std::snprintf(id, sizeof id, "soak-%s-%08d", asking ? "viewer" : "watcher", index);  // ≥ 22 of [A-Za-z0-9_-]
  client->start(port_, Json{{"type", "hello"}, {"viewer", id}}.dump());
  return client;
}

void Soak::connectClients() {
  technician_ = connectTechnician();
  moderator_ = connectModerator();
  for (int i = 0; i < o_.viewers; ++i) viewers_.push_back(connectViewer(i, true));
  for (int i = 0; i < o_.watchers; ++i) watchers_.push_back(connectViewer(i, false));
  std::cout << "  connected: a technician, a moderator, " << o_.viewers << " viewers asking, " << o_.watchers
            << " watching\n";
}

// A connection that ended is counted and opened again (with the same role and browser id),
// so the load goes on; the report lists them.
void Soak::reconnectLost() {
  auto redo = [&](std::shared_ptr<WsClient>& client, const std::function<std::shared_ptr<WsClient>()>& again) {
    if (!client->ended()) return;
    ++lost_[client->name()];
    if (lostWhy_.size() < 10) lostWhy_.push_back(client->name() + ": " + client->why());
    try {
      client = again();
    } catch (const std::exception& e) {
      if (lostWhy_.size() < 10) lostWhy_.push_back(std::string("reconnect failed: ") + e.what());
    }
  };
  redo(technician_, [&] { return connectTechnician(); });
  redo(moderator_, [&] { return connectModerator(); });
  for (std::size_t i = 0; i < viewers_.size(); ++i)
    redo(viewers_[i], [&] { return connectViewer(static_cast<int>(i), true); });
  for (std::size_t i = 0; i < watchers_.size(); ++i)
    redo(watchers_[i], [&] { return connectViewer(static_cast<int>(i), false); });
}

// The graphics cycle: seven steps, one every --graphics-s.
void Soak::technicianStep() {
  std::vector<std::string> numbers, councillors;
  int current = -1;
  {
    std::lock_guard lock(counters_.mutex);
    numbers = counters_.numbers;
    councillors = counters_.councillors;
    current = counters_.currentIndex;
  }
  Json command;
  switch (step_ % 7) {
    case 0:  // the next item (from the last one: back to the first), its lower-third on air
      if (numbers.empty()) return;
      if (current < 0 || current + 1 >= static_cast<int>(numbers.size()))
        command = {{"type", "agenda.jump"}, {"number", numbers.front()}};
      else
        command = {{"type", "agenda.next"}};
      break;
    case 1:
      if (councillors.empty()) return;
      command = {{"type", "speaker.show"},
                 {"councillor", councillors[static_cast<std::size_t>(step_ / 7) % councillors.size()]}};
      break;
    case 2:
      command = {{"type", "overlay.show"},
                 {"layer", "qr"},
                 {"template", "qr"},
                 {"values", {{"url", "https://demo.example/q"}, {"caption", "Posez vos questions"}}}};
      break;
    case 3: command = {{"type", "speaker.hide"}}; break;
    case 4: command = {{"type", "overlay.hide"}, {"layer", "qr"}}; break;
    case 5:  // the current item's lower-third again
      if (numbers.empty() || current < 0) return;
      command = {{"type", "agenda.jump"}, {"number", numbers[static_cast<std::size_t>(current)]}};
      break;
    default: command = {{"type", "overlay.hide"}, {"layer", "lower_third"}}; break;
  }
  ++step_;
  sendCommand(*technician_, std::move(command));
}

void Soak::askQuestion() {
  static const char* const topics[] = {"la réfection de la rue des Écoles",   "les horaires de la piscine municipale",
                                       "le stationnement place de la Mairie", "les tarifs de la cantine scolaire",
                                       "l'éclairage public du quartier Nord", "la collecte des encombrants",
                                       "le budget des associations sportives"};
  static const char* const places[] = {"Centre", "Quartier Nord", "Les Tilleuls", "Val de Démo", ""};
  const long long k = questionNumber_++;
  auto& viewer = viewers_[static_cast<std::size_t>(k) % viewers_.size()];
  const std::string text = "Question " + std::to_string(k + 1) + " : où en est " + topics[k % 7] +
                           " ? Merci de nous tenir informés de l'avancement et du calendrier.";
  sendCommand(*viewer, Json{{"type", "question.ask"},
                            {"text", text},
                            {"pseudonym", "Habitant " + std::to_string(k % 13)},
                            {"place", places[k % 5]}});
}

Sample Soak::sample(double t) {
  Sample s;
  s.t = t;
  s.proc = readProc(tribune_->pid());  // before the HTTP call, whose connection it would count
  if (auto text = httpGet(port_, "/metrics", 5s)) {
    s.metricsOk = true;
    s.framesEncoded = metric(*text, "tribune_frames_encoded_total").value_or(std::nan(""));
    s.framesDropped = metric(*text, "tribune_frames_dropped_total").value_or(std::nan(""));
    s.recordingBytes = metric(*text, "tribune_recording_bytes").value_or(std::nan(""));
    for (const auto& key : kKeys) {
      const std::string label = "{destination=\"" + key + "\"}";
      s.reconnects.push_back(metric(*text, "tribune_destination_reconnects_total" + label).value_or(std::nan("")));
      s.live.push_back(metric(*text, "tribune_destination_live" + label).value_or(std::nan("")));
    }
  } else {
    s.reconnects.assign(kKeys.size(), std::nan(""));
    s.live.assign(kKeys.size(), std::nan(""));
  }
  {
    std::lock_guard lock(counters_.mutex);
    s.questionsSent = counters_.questions.sent;
    s.questionsOk = counters_.questions.ok;
    s.commandsSent = counters_.technician.sent;
    s.commandsRefused = counters_.technician.refusedCount();
    s.moderationSent = counters_.moderator.sent;
  }
  for (const auto& client : allClients()) s.wsReceived += client->received.load();
  return s;
}

void Soak::writeCsvHeader() {
  csv_ << "elapsed_s,rss_kb,rss_anon_kb,fds,threads,cpu_s,frames_encoded,frames_dropped,recording_bytes";
  for (const auto& key : kKeys) csv_ << ",reconnects_" << key << ",live_" << key;
  csv_ << ",questions_sent,questions_ok,commands_sent,commands_refused,moderation_sent,ws_messages_received\n";
  csv_.flush();
}

void Soak::writeCsvRow(const Sample& s) {
  auto num = [](double v) { return std::isnan(v) ? std::string() : fixed(v, 0); };
  csv_ << fixed(s.t, 1) << "," << s.proc.rssKb << "," << s.proc.rssAnonKb << "," << s.proc.fds << "," << s.proc.threads
       << "," << fixed(s.proc.cpuS, 2) << "," << num(s.framesEncoded) << "," << num(s.framesDropped) << ","
       << num(s.recordingBytes);
  for (std::size_t i = 0; i < kKeys.size(); ++i) csv_ << "," << num(s.reconnects[i]) << "," << num(s.live[i]);
  csv_ << "," << s.questionsSent << "," << s.questionsOk << "," << s.commandsSent << "," << s.commandsRefused << ","
       << s.moderationSent << "," << s.wsReceived << "\n";
  csv_.flush();
}

void Soak::printProgress(const Sample& s) {
  std::cout << "  " << std::setw(6) << clockOf(s.t) << "  RSS " << fixed(static_cast<double>(s.proc.rssKb) / 1024, 1)
            << " MiB, fds " << s.proc.fds << ", threads " << s.proc.threads << ", frames "
            << (std::isnan(s.framesEncoded) ? std::string("—") : withCommas(static_cast<long long>(s.framesEncoded)))
            << " (dropped " << fixed(s.framesDropped, 0) << "), reconnects";
  for (std::size_t i = 0; i < kKeys.size(); ++i) std::cout << (i ? "/" : " ") << fixed(s.reconnects[i], 0);
  std::cout << ", live";
  for (std::size_t i = 0; i < kKeys.size(); ++i) std::cout << (i ? "/" : " ") << fixed(s.live[i], 0);
  std::cout << ", questions " << s.questionsOk << "/" << s.questionsSent << ", commands " << s.commandsSent
            << " (refused " << s.commandsRefused << ")\n"
            << std::flush;
}

int Soak::run() {
  startedUtc_ = utcNow("%Y-%m-%d %H:%M UTC");
  if (o_.csv.empty()) {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    o_.csv = (ec ? fs::current_path() : exe.parent_path()) / ("soak-" + utcNow("%Y%m%d-%H%M%S") + ".csv");
  }
  csvPath_ = fs::absolute(o_.csv);
  csv_.open(csvPath_);
  if (!csv_) throw std::runtime_error("cannot write " + csvPath_.string());
  writeCsvHeader();
  if (o_.keep) setenv("TRIBUNE_KEEP_TEST_FILES", "1", 1);

  std::cout << "  " << fixed(o_.minutes, 2) << " min, warm-up " << fixed(o_.warmupS, 0) << " s, a sample every "
            << fixed(o_.sampleS, 0) << " s; samples → " << csvPath_.string() << "\n";
  startNginx();
  startTribune();
  ioThread_ = std::thread([this] { io_.run(); });
  connectClients();

  // Open the session (bug and first item on air), then the meeting goes on.
  sendCommand(*technician_, Json{{"type", "session.open"}});

  const auto begin = Clock::now();
  const double total = o_.minutes * 60.0;
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - begin).count(); };
  double nextGraphics = o_.graphicsS, nextQuestion = o_.questionsPerS > 0 ? 0.5 : 1e18, nextSample = 0;
  double nextProgress = 0;
  std::string ending;
  while (true) {
    const double t = elapsed();
    if (!tribune_->running()) {
      ending = "tribune exited during the run (status " + std::to_string(tribune_->exitStatus().value_or(-1)) +
               ") at " + clockOf(t);
      break;
    }
    if (t >= total) break;
    if (t >= nextSample) {
      samples_.push_back(sample(t));
      writeCsvRow(samples_.back());
      if (t >= nextProgress || samples_.size() == 1) {
        printProgress(samples_.back());
        nextProgress = t + 60;
      }
      nextSample += o_.sampleS;
      reconnectLost();
    }
    if (t >= nextGraphics) {
      technicianStep();
      nextGraphics += o_.graphicsS;
    }
    while (t >= nextQuestion) {
      askQuestion();
      nextQuestion += 1.0 / o_.questionsPerS;
    }
    const double next = std::min({nextSample, nextGraphics, nextQuestion, total});
    std::this_thread::sleep_for(std::chrono::duration<double>(std::clamp(next - elapsed(), 0.0, 0.1)));
  }
  const double ran = elapsed();
  if (ending.empty()) {
    // The END figures: everything still running, the last commands answered.
    std::this_thread::sleep_for(1s);
    samples_.push_back(sample(elapsed()));
    writeCsvRow(samples_.back());
    printProgress(samples_.back());
  }
  reconnectLost();

  // nginx's view of the destinations, before tribune stops publishing.
  std::vector<std::string> nginxView;
  for (const auto& key : kKeys) {
    long long attempts = 0;
    for (const auto& attempt : nginx_->publishAttempts())
      if (attempt.name == key) ++attempts;
    std::uintmax_t bytes = 0;
    const auto files = nginx_->recordings(key);
    for (const auto& file : files) {
      std::error_code ec;
      const auto size = fs::file_size(file, ec);
      if (!ec) bytes += size;
    }
    nginxView.push_back(key + ": " + std::to_string(attempts) + " publish" + (attempts == 1 ? "" : "es") + ", " +
                        fixed(static_cast<double>(bytes) / 1e6, 0) + " MB received");
  }

  std::string stopped;
  if (ending.empty()) {
    const auto stopAt = Clock::now();
    tribune_->signal(SIGINT);
    const auto status = tribune_->waitFor(20s);
    const double took = std::chrono::duration<double>(Clock::now() - stopAt).count();
    if (status)
      stopped = "exit status " + std::to_string(*status) + " " + fixed(took, 1) + " s after SIGINT";
    else
      stopped = "still running 20 s after SIGINT: killed (" + std::to_string(tribune_->kill9()) + ")";
  } else {
    stopped = ending;
  }
  for (auto& client : allClients()) client->close();

  report(ran, ending);
  std::cout << "\nnginx saw: ";
  for (std::size_t i = 0; i < nginxView.size(); ++i) std::cout << (i ? "; " : "") << nginxView[i];
  std::cout << ".\ntribune: " << stopped << ".\nSamples (CSV): " << csvPath_.string() << "\n";
  if (!lostWhy_.empty()) {
    std::cout << "Connections that ended:";
    for (const auto& why : lostWhy_) std::cout << "\n  " << why;
    std::cout << "\n";
  }
  if (!ending.empty()) {
    const std::string log = readFile(data_->path() / "log.txt");
    std::cerr << "tribune_bench_soak: " << ending << "; the end of its log:\n"
              << log.substr(log.size() > 4000 ? log.size() - 4000 : 0) << "\n";
    return 1;
  }
  return 0;
}

void Soak::report(double ranS, const std::string& ending) {
  if (samples_.empty()) {
    std::cout << "no sample was taken\n";
    return;
  }
  // START: the first sample at or after the warm-up (the last one when the run ended early).
  std::size_t first = samples_.size() - 1;
  for (std::size_t i = 0; i < samples_.size(); ++i) {
    if (samples_[i].t >= o_.warmupS) {
      first = i;
      break;
    }
  }
  const Sample& a = samples_[first];
  const Sample& b = samples_.back();
  const double rssGrowth = 100.0 * static_cast<double>(b.proc.rssKb - a.proc.rssKb) / static_cast<double>(a.proc.rssKb);
  const double anonGrowth =
      100.0 * static_cast<double>(b.proc.rssAnonKb - a.proc.rssAnonKb) / static_cast<double>(a.proc.rssAnonKb);
  long maxRss = 0, maxFds = 0, maxThreads = 0;
  // Least-squares slope of RSS over time after the warm-up.
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = first; i < samples_.size(); ++i) {
    const auto& s = samples_[i];
    maxRss = std::max(maxRss, s.proc.rssKb);
    maxFds = std::max(maxFds, s.proc.fds);
    maxThreads = std::max(maxThreads, s.proc.threads);
    const double x = s.t / 3600.0, y = static_cast<double>(s.proc.rssKb) / 1024.0;
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double slope = (n >= 3 && n * sxx - sx * sx > 0) ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : std::nan("");
  const double window = b.t - a.t;
  const bool rssHolds = rssGrowth <= 5.0;
  const bool fdsHold = b.proc.fds <= a.proc.fds;
  const std::string minutes = fixed(ranS / 60.0, 0) + " min";
  tribune::bench::summaryRow({"soak", "resident memory growth over " + minutes, signedFixed(rssGrowth, 1) + " %", "",
                              "≤ 5 % (3 hours)", rssHolds});
  tribune::bench::summaryRow({"soak", "open descriptors over " + minutes,
                              std::to_string(a.proc.fds) + " → " + std::to_string(b.proc.fds), "", "no growth",
                              fdsHold});
  auto mib = [](long kb) { return fixed(static_cast<double>(kb) / 1024.0, 1) + " MiB"; };

  Tally technician, moderator, questions;
  long long errors = 0, approved = 0, rejected = 0, leftPending = 0, unanswered = 0;
  std::map<std::string, long long> errorStatuses;
  {
    std::lock_guard lock(counters_.mutex);
    technician = counters_.technician;
    moderator = counters_.moderator;
    questions = counters_.questions;
    errors = counters_.errors;
    errorStatuses = counters_.errorStatuses;
    approved = counters_.approved;
    rejected = counters_.rejected;
    leftPending = counters_.leftPending;
    unanswered = static_cast<long long>(counters_.pending.size());
  }
  auto refusedText = [](const Tally& t) {
    std::string text = withCommas(t.refusedCount());
    if (!t.refused.empty()) {
      text += " (";
      bool firstOne = true;
      for (const auto& [what, count] : t.refused) {
        text += (firstOne ? "" : ", ") + what + " ×" + std::to_string(count);
        firstOne = false;
      }
      text += ")";
    }
    return text;
  };
  auto latency = [](const Tally& t) {
    return fixed(percentile(t.resultMs, 0.5), 1) + " / " + fixed(percentile(t.resultMs, 0.99), 1) + " / " +
           fixed(percentile(t.resultMs, 1.0), 1) + " ms";
  };
  long long lostTotal = 0;
  std::string lostText;
  for (const auto& [kind, count] : lost_) {
    lostTotal += count;
    lostText += (lostText.empty() ? " (" : ", ") + kind + " " + std::to_string(count);
  }
  if (!lostText.empty()) lostText += ")";

  std::cout << "\n### Soak, " << fixed(ranS / 60.0, 1) << " minutes (" << startedUtc_ << ")\n\n";
  if (!ending.empty()) std::cout << "**The run ended early: " << ending << ".** END is the last sample.\n\n";
  std::cout << "START is the first sample after the warm-up (" << clockOf(a.t) << "), END the last one ("
            << clockOf(b.t) << "): " << fixed(window / 60.0, 1) << " minutes between them.\n\n"
            << "| figure | start | end | change | bar | holds |\n|---|---|---|---|---|---|\n"
            << "| resident memory (VmRSS) | " << mib(a.proc.rssKb) << " | " << mib(b.proc.rssKb) << " | "
            << signedFixed(rssGrowth, 1) << " % | ≤ 5 % growth | **" << (rssHolds ? "yes" : "no") << "** |\n"
            << "| of which anonymous (RssAnon: heap, stacks) | " << mib(a.proc.rssAnonKb) << " | "
            << mib(b.proc.rssAnonKb) << " | " << signedFixed(anonGrowth, 1) << " % | | |\n"
            << "| open descriptors (/proc/PID/fd) | " << a.proc.fds << " | " << b.proc.fds << " | "
            << signedFixed(static_cast<double>(b.proc.fds - a.proc.fds), 0) << " | no growth | **"
            << (fdsHold ? "yes" : "no") << "** |\n"
            << "| threads | " << a.proc.threads << " | " << b.proc.threads << " | "
            << signedFixed(static_cast<double>(b.proc.threads - a.proc.threads), 0) << " | | |\n"
            << "| after the warm-up: highest RSS / descriptors / threads | | " << mib(maxRss) << " / " << maxFds
            << " / " << maxThreads << " | | | |\n"
            << "| RSS trend after the warm-up (least squares over " << static_cast<int>(n) << " samples) | | | "
            << (window >= 600
                    ? signedFixed(slope, 1) + " MiB/hour (" +
                          signedFixed(100.0 * slope / (static_cast<double>(a.proc.rssKb) / 1024.0), 1) + " %/hour)"
                    : std::string("— (not given under 10 minutes)"))
            << " | | |\n"
            << "| tribune's CPU, % of a core (start → end) | | "
            << fixed(window > 0 ? 100.0 * (b.proc.cpuS - a.proc.cpuS) / window : std::nan(""), 0) << " % | | | |\n\n";

  std::cout << "| activity over the whole run | |\n|---|---|\n"
            << "| duration (warm-up included) | " << fixed(ranS / 60.0, 1) << " min (warm-up " << fixed(o_.warmupS, 0)
            << " s) |\n"
            << "| frames encoded / dropped (tribune_frames_*_total) | "
            << withCommas(static_cast<long long>(b.framesEncoded)) << " / "
            << withCommas(static_cast<long long>(b.framesDropped)) << " (" << fixed(b.framesEncoded / b.t, 1)
            << " frames/s) |\n"
            << "| reconnects per destination (tribune_destination_reconnects_total) | ";
  for (std::size_t i = 0; i < kKeys.size(); ++i)
    std::cout << (i ? ", " : "") << kKeys[i] << " " << fixed(b.reconnects[i], 0);
  std::cout << " |\n| samples after the warm-up where a destination was not live | ";
  for (std::size_t i = 0; i < kKeys.size(); ++i) {
    long notLive = 0;
    for (std::size_t k = first; k < samples_.size(); ++k)
      if (!(samples_[k].live[i] == 1.0)) ++notLive;
    std::cout << (i ? ", " : "") << kKeys[i] << " " << notLive << " of " << samples_.size() - first;
  }
  std::cout << " |\n"
            << "| recording (tribune_recording_bytes) | " << fixed(b.recordingBytes / 1e6, 0) << " MB |\n"
            << "| questions sent / accepted / refused | " << withCommas(questions.sent) << " / "
            << withCommas(questions.ok) << " / " << refusedText(questions) << " |\n"
            << "| questions approved / rejected / left pending by the moderator | " << withCommas(approved) << " / "
            << withCommas(rejected) << " / " << withCommas(leftPending)
            << " (moderation commands refused: " << refusedText(moderator) << ") |\n"
            << "| technician's commands sent / refused (graphics every " << fixed(o_.graphicsS, 0)
            << " s, session.open) | " << withCommas(technician.sent) << " / " << refusedText(technician) << " |\n"
            << "| messages not understood (`error`) / commands without a result at the end | " << errors;
  for (const auto& [status, count] : errorStatuses) std::cout << " " << status << " ×" << count;
  std::cout << " / " << unanswered << " |\n"
            << "| result time p50 / p99 / max: technician's commands | " << latency(technician) << " |\n"
            << "| result time p50 / p99 / max: questions (durable) | " << latency(questions) << " |\n"
            << "| websocket messages received by the clients | " << withCommas(b.wsReceived) << " |\n"
            << "| websocket connections that ended (reopened) | " << lostTotal << lostText << " |\n"
            << "\n**Bars: RSS growth " << signedFixed(rssGrowth, 1) << " % (≤ 5 %: " << (rssHolds ? "holds" : "missed")
            << "); descriptors " << a.proc.fds << " → " << b.proc.fds
            << " (no growth: " << (fdsHold ? "holds" : "missed") << ").**\n";
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    Soak soak(options);
    return soak.run();
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_soak: cannot run: " << e.what() << "\n";
    return 1;
  }
}
