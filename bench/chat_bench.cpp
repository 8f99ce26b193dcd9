// Questions from a busy platform chat (issue 21, "Load and limits"): `scripts/bench chat`.
//
//   "A busy chat from the fake (50 messages per second for 10 minutes, many without "?"):
//   every kept message reaches the moderator's screen, none twice; delay from the fake
//   returning a page to the moderator's screen p50/p99; CPU of the ingestion; a simulated
//   4-hour meeting on an injected clock never exceeds the YouTube budget."
//
// In this process: tests/support's FakePlatforms (YouTube's live chat and Facebook's
// comments, a polling hint of 1 s), a writer thread, a moderator's websocket. In its own:
// the real `tribune run` (test source at 720p30, x264 ultrafast at 500 kb/s, a fresh data dir
// under /tmp, the web server on 127.0.0.1), its YouTube and Facebook accounts linked through
// the device flows and its lives prepared over the REST API with the technician's token, as
// the app tests do (tests/app/chat_app_tests.cpp). Then:
//
//   1. idle: --idle-s seconds (by default as long as the writing) with both chats read and
//      empty: tribune's CPU from /proc/PID/stat (utime + stime) as a share of one core;
//   2. writing: --rate messages a second (half on YouTube, half on Facebook) for --seconds,
//      a share --questions of them with a "?", each from another author and each text with
//      its own number; the same CPU figure, side by side with the idle one (the ingestion's
//      cost is the difference), and per thread name (GStreamer's threads are named, the
//      hub's, web's and platform workers' are "tribune");
//   3. drain: until every question arrived or nothing came for --drain-s seconds.
//
// The fake's chat page hook gives, per message id, when the first page carrying it was
// answered (steady_clock, this process); the moderator's websocket gives when each
// {"type": "question"} reached it (the same clock, read as the message is read on the
// client's own io thread). A question's delay is the one minus the other. The checks: every
// message with "?" reached the moderator exactly once (one question id per number), none
// without; otherwise FAIL lines and exit status 1. Message ids are mapped to texts through
// what addChatMessage returned.
//
// Last, the 4-hour meeting on an injected clock: core::ChatPoller and core::QuotaBudget as
// the platform worker drives them (tests/core/chat_intake_tests.cpp has the same loop),
// default chat settings, recording.expected_duration_minutes 180, the server's hint 1.2 s,
// the audience read every minute as well: calls, units, the longest gap, the reserve kept.
//
// Exit status: 2 for bad options, 1 when it cannot run or a question is lost, doubled or
// a message without "?" arrived; never for a delay or a CPU figure (no bar for them).
// How to read the numbers: docs/PERFORMANCE.md, "Questions from the platforms' chats".
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
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
#include "core/chat_poller.h"
#include "core/quota_budget.h"
#include "summary.h"
#include "support/fake_platforms.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "tribune_run.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;
using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;
using tribune::bench::fixed;
using tribune::bench::percentile;
using tribune::bench::readFile;
using tribune::bench::withCommas;
using tribune::testing::FakeChatMessage;
using tribune::testing::FakePlatforms;
using tribune::testing::FakePlatformsOptions;
using tribune::testing::Platform;
using tribune::testing::Process;
using tribune::testing::TempDir;

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  double rate = 50;        // messages a second, both platforms together
  double seconds = 600;    // of writing
  double questions = 0.3;  // share of messages with "?"
  double idleS = -1;       // < 0: as long as the writing
  double drainS = 30;      // after the writing: how long to wait for nothing more to come
  fs::path tribune = TRIBUNE_BINARY;
  fs::path sourceDir = TRIBUNE_SOURCE_DIR;
};

[[noreturn]] void usage(const std::string& problem, int status = 2) {
  (status == 0 ? std::cout : std::cerr)
      << "tribune_bench_chat: " << problem << "\n"
      << "usage: tribune_bench_chat [--rate R (50 messages/s)] [--seconds S (600)] [--questions Q (0.3)]\n"
      << "                          [--idle-s S (as --seconds)] [--drain-s S (30)] [--tribune PATH]\n"
      << "Starts the fake platforms and `tribune run`, links YouTube and Facebook, prepares the lives, writes\n"
      << "a busy chat on both and measures what reaches the moderator's screen (none lost, none twice, the\n"
      << "delay from the page to the screen), tribune's CPU idle and while reading, and plays a 4-hour meeting\n"
      << "against YouTube's budget on an injected clock (docs/PERFORMANCE.md, \"Questions from the platforms'\n"
      << "chats\"). TRIBUNE_KEEP_TEST_FILES=1 keeps tribune's data dir.\n";
  std::exit(status);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  tribune::bench::OptionReader in(argc, argv, usage);
  while (in.next()) {
    const std::string& a = in.name();
    if (a == "--help" || a == "-h") usage("help", 0);
    if (a == "--rate") {
      o.rate = in.number(0.1, 2000);
    } else if (a == "--seconds") {
      o.seconds = in.number(1);
    } else if (a == "--questions") {
      o.questions = in.number(0, 1);
    } else if (a == "--idle-s") {
      o.idleS = in.number(0);
    } else if (a == "--drain-s") {
      o.drainS = in.number(1);
    } else if (a == "--tribune") {
      o.tribune = in.value();
    } else {
      usage("unknown argument " + a);
    }
  }
  if (o.idleS < 0) o.idleS = o.seconds;
  return o;
}

double secondsBetween(Steady::time_point from, Steady::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// ---------------------------------------------------------------------------------------
// Tribune's REST API with a bearer token (POST /api/commands, GET /api/snapshot)

std::string httpCall(int port, http::verb verb, const std::string& target, const std::string& bearer,
                     const std::string& body = {}) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(10s);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  request.set(http::field::authorization, "Bearer " + bearer);
  request.set(http::field::connection, "close");
  if (verb == http::verb::post) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return response.body();
}

class Technician {
 public:
  Technician(int port, std::string token) : port_(port), token_(std::move(token)) {}

  Json send(Json command) {
    command["id"] = ++id_;
    return Json::parse(httpCall(port_, http::verb::post, "/api/commands", token_, command.dump()));
  }
  Json platform(const std::string& id) {
    const auto status = Json::parse(httpCall(port_, http::verb::get, "/api/snapshot", token_)).at("status");
    for (const auto& p : status.at("platforms")) {
      if (p.at("platform") == id) return p;
    }
    throw std::runtime_error("no platform " + id + " in the status");
  }
  // Polls every 200 ms until `pred` holds; throws with the last entry seen otherwise.
  Json waitFor(const std::string& id, const std::function<bool(const Json&)>& pred, std::chrono::seconds timeout,
               const std::string& what) {
    const auto deadline = Steady::now() + timeout;
    Json last;
    while (Steady::now() < deadline) {
      last = platform(id);
      if (pred(last)) return last;
      std::this_thread::sleep_for(200ms);
    }
    throw std::runtime_error(id + ": " + what + " did not happen within " + std::to_string(timeout.count()) +
                             " s; last status: " + last.dump());
  }

 private:
  int port_;
  std::string token_;
  int id_ = 0;
};

void linkByDeviceFlow(Technician& technician, FakePlatforms& fake, Platform platform) {
  const std::string id(tribune::testing::toString(platform));
  const auto answer = technician.send({{"type", "account.link"}, {"platform", id}});
  if (answer.value("status", "") != "ok") throw std::runtime_error("account.link " + id + ": " + answer.dump());
  const auto deadline = Steady::now() + 15s;
  while (!fake.pendingUserCode(platform)) {
    if (Steady::now() > deadline) throw std::runtime_error(id + ": no device code asked within 15 s");
    std::this_thread::sleep_for(100ms);
  }
  fake.approve(platform);
  technician.waitFor(
      id, [](const Json& p) { return p["account"]["state"] == "linked"; }, 20s, "linking");
}

// ---------------------------------------------------------------------------------------
// The moderator's screen: a websocket on its own io thread, every {"type": "question"}
// timed as it is read.

struct Arrival {
  Steady::time_point at;
  std::uint64_t questionId = 0;
  std::string text;
  std::string origin;
};

class ModeratorScreen {
 public:
  ModeratorScreen(int port, const std::string& token) : ws_(io_) {
    beast::get_lowest_layer(ws_).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws");
    ws_.text(true);
    ws_.write(asio::buffer(Json{{"type", "hello"}, {"token", token}}.dump()));
    // The welcome (status pushes may come first on other roles; skip anything else).
    for (int i = 0; i < 50; ++i) {
      beast::flat_buffer buffer;
      ws_.read(buffer);
      auto message = Json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
      if (message.is_object() && message.value("type", "") == "welcome") {
        welcome_ = std::move(message);
        break;
      }
    }
    if (welcome_.is_null()) throw std::runtime_error("the moderator got no welcome");
    read();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ModeratorScreen() {
    asio::post(io_, [this] {
      closing_ = true;
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
    });
    thread_.join();
  }
  ModeratorScreen(const ModeratorScreen&) = delete;
  ModeratorScreen& operator=(const ModeratorScreen&) = delete;

  [[nodiscard]] const Json& welcome() const { return welcome_; }
  std::vector<Arrival> arrivals() {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return arrivals_.size();
  }
  std::map<std::string, long long> otherTypes() {
    std::lock_guard lock(mutex_);
    return otherTypes_;
  }
  std::string ended() {
    std::lock_guard lock(mutex_);
    return ended_;
  }

 private:
  void read() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      const auto now = Steady::now();
      if (ec) {
        std::lock_guard lock(mutex_);
        if (!closing_) ended_ = ec.message();
        return;
      }
      auto message = Json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
      buffer_.consume(buffer_.size());
      if (message.is_object()) {
        const auto type = message.value("type", "");
        std::lock_guard lock(mutex_);
        if (type == "question" && message.contains("question")) {
          const auto& q = message["question"];
          arrivals_.push_back(
              Arrival{now, q.value("id", std::uint64_t{0}), q.value("text", ""), q.value("origin", "")});
        } else {
          ++otherTypes_[type];
        }
      }
      read();
    });
  }

  asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Json welcome_;
  std::thread thread_;
  bool closing_ = false;  // io thread only
  std::mutex mutex_;
  std::vector<Arrival> arrivals_;
  std::map<std::string, long long> otherTypes_;
  std::string ended_;  // why the connection ended, "" while it is open
};

// ---------------------------------------------------------------------------------------
// The chat as written, and the pages the fake served

struct Written {
  Platform platform = Platform::youtube;
  std::string fakeId;
  long long number = 0;
  bool question = false;
  std::string text;
  Steady::time_point addedAt;
};

struct ServedPage {
  Platform platform = Platform::youtube;
  Steady::time_point at;
  std::vector<std::string> ids;
};

// Texts of many shapes; the number makes each one unique (and is read back from the
// moderator's copy). No digit run is long enough to look like a phone number.
std::string questionText(long long n) {
  static const char* const kAsk[] = {
      "Quand rouvre la piscine municipale ?",
      "Pourquoi les travaux de la rue Pasteur durent-ils si longtemps ?",
      "Est-ce que la cantine passera au bio l'an prochain ?",
      "Combien coûte le nouveau rond-point ?",
      "Et le parking de la gare, c'est pour quand ?",
  };
  return "[" + std::to_string(n) + "] " + kAsk[n % 5];
}

std::string chatterText(long long n) {
  static const char* const kSay[] = {
      "Bonsoir à tous",
      "Merci pour la retransmission",
      "On entend mal le micro de gauche",
      "Bravo au conseil !",  // an exclamation, not a question
      "Je suis le conseil depuis Lyon",
  };
  return "[" + std::to_string(n) + "] " + kSay[n % 5];
}

std::optional<long long> numberOf(const std::string& text) {
  const auto open = text.find('[');
  const auto close = text.find(']', open);
  if (open == std::string::npos || close == std::string::npos || close == open + 1) return std::nullopt;
  try {
    return std::stoll(text.substr(open + 1, close - open - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// ---------------------------------------------------------------------------------------
// CPU from /proc: the process, and its threads grouped by name

struct CpuSample {
  Steady::time_point at;
  double processS = 0;
  std::map<std::string, double> byThreadName;  // comm → utime + stime of the live threads
};

std::map<std::string, double> threadsByName(pid_t pid) {
  std::map<std::string, double> out;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string stat = readFile(it->path() / "stat");
    const auto open = stat.find('(');
    const auto close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) continue;
    std::string name = stat.substr(open + 1, close - open - 1);
    // GStreamer's numbered threads ("queue3:src") as one family.
    while (!name.empty() && std::isdigit(static_cast<unsigned char>(name.back())) != 0) name.pop_back();
    std::istringstream in(stat.substr(close + 2));
    std::vector<std::string> fields;
    std::string field;
    while (fields.size() < 13 && in >> field) fields.push_back(field);
    if (fields.size() < 13) continue;
    out[name] += static_cast<double>(std::stoull(fields[11]) + std::stoull(fields[12])) / tick;
  }
  return out;
}

CpuSample sampleCpu(pid_t pid) {
  CpuSample s;
  s.at = Steady::now();
  if (const auto stat = tribune::bench::readProcStat(pid)) s.processS = stat->ownS;
  s.byThreadName = threadsByName(pid);
  return s;
}

double share(const CpuSample& from, const CpuSample& to) {
  const double wall = secondsBetween(from.at, to.at);
  return wall > 0 ? (to.processS - from.processS) / wall : std::nan("");
}

// ---------------------------------------------------------------------------------------
// The 4-hour meeting on an injected clock

struct BudgetRun {
  int calls = 0;
  int audienceCalls = 0;
  int refused = 0;  // list calls the budget would not allow (none expected)
  int unitsUsed = 0;
  int remaining = 0;
  int reserve = 0;
  bool exhausted = false;
  std::chrono::milliseconds longest{0};         // within the expected duration
  std::chrono::milliseconds longestOverrun{0};  // past it
  std::chrono::milliseconds shortest{std::chrono::hours(1)};
};

tribune::core::WallTime utc(int y, unsigned mo, unsigned d, int h) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h};
}

BudgetRun simulateMeeting(std::chrono::minutes expected, std::chrono::minutes lasting, std::chrono::milliseconds hint,
                          std::chrono::seconds audienceEvery) {
  namespace core = tribune::core;
  // An evening meeting in December: 19:00 in Paris, 18:00 UTC, far from Pacific midnight.
  const auto start = utc(2026, 12, 3, 18);
  core::QuotaSettings quotaSettings;  // 10,000 units, reserve 500
  core::QuotaBudget quota(quotaSettings);
  // Preparing the live (insert, stream, bind; the transition when it goes live).
  for (const char* call :
       {"liveBroadcasts.insert", "liveStreams.insert", "liveBroadcasts.bind", "liveBroadcasts.transition"}) {
    quota.spend(call, start);
  }
  core::ChatSettings settings;  // the defaults: minimum 2 s, margin 60 min
  core::ChatPoller poller(core::PlatformId::youtube, settings);
  poller.expectEndAt(start + expected);
  core::ChatPage page;
  page.pollingInterval = hint;
  const int cost = quota.cost("liveChatMessages.list");
  BudgetRun run;
  run.reserve = quotaSettings.reserveUnits;
  auto now = start;
  auto nextAudience = start;
  while (now < start + lasting) {
    while (nextAudience <= now) {
      if (quota.allows("videos.list", core::QuotaUse::ordinary, nextAudience)) {
        quota.spend("videos.list", nextAudience);
        ++run.audienceCalls;
      }
      nextAudience += audienceEvery;
    }
    std::chrono::milliseconds wait{};
    if (quota.allows("liveChatMessages.list", core::QuotaUse::ordinary, now)) {
      quota.spend("liveChatMessages.list", now);
      ++run.calls;
      wait = poller.afterPage(page, quota.remaining(now) - quotaSettings.reserveUnits, cost, now);
    } else {
      ++run.refused;
      wait = 60s;
    }
    auto& longest = now < start + expected ? run.longest : run.longestOverrun;
    longest = std::max(longest, wait);
    run.shortest = std::min(run.shortest, wait);
    now += wait;
  }
  run.unitsUsed = quota.used(now);
  run.remaining = quota.remaining(now);
  run.exhausted = quota.isExhausted(now);
  return run;
}

// ---------------------------------------------------------------------------------------
// The run

struct Figures {
  std::vector<double> delaysMs;    // page → moderator's screen, per kept question
  std::vector<double> waitMs;      // added on the fake → the first page carrying it
  std::vector<double> endToEndMs;  // added → moderator's screen
};

std::string ms(double value) { return std::isnan(value) ? "—" : fixed(value, 0) + " ms"; }

int run(const Options& o) {
  const auto totalMessages = static_cast<long long>(std::llround(o.rate * o.seconds));
  // The expected length of the meeting covers the whole run (idle, writing, drain, set-up)
  // so that, with no margin, the budget floor stays under the hint of 1 s; range 10..1440.
  const int expectedMinutes =
      std::clamp(static_cast<int>(std::ceil((o.idleS + o.seconds + o.drainS + 120.0) / 60.0)), 10, 1440);

  std::cout
      << "# Questions from a busy platform chat (issue 21)\n\n"
      << "- machine: " << tribune::bench::machineAndLoad() << ", " << tribune::bench::utcNow() << "\n"
      << "- load: " << fixed(o.rate, 1) << " messages/s (half YouTube, half Facebook) for " << fixed(o.seconds, 0)
      << " s = " << withCommas(totalMessages) << " messages, " << fixed(o.questions * 100, 0)
      << " % with \"?\", each from another author; idle window before it " << fixed(o.idleS, 0) << " s\n"
      << "- fake: YouTube pollingIntervalMillis 1000 (enforced), device flows every 1 s\n"
      << "- tribune: platforms.youtube_chat_min_interval_s 1 and facebook_comments_interval_s 1 (read each\n"
      << "  chat every second, the fastest the settings allow), youtube_chat_mode list (the polled\n"
      << "  reading: its pages are what the page-to-screen delay is measured from), chat_budget_margin_minutes 0 and\n"
      << "  recording.expected_duration_minutes " << expectedMinutes
      << " (the whole run: 9,300 units over it leave a budget floor\n"
      << "  under 1 s, so the hint of 1 s paces YouTube, as on a real chat), questions_from question_mark\n"
      << "  (the default), pre-screening on (the default); video 720p30, x264 ultrafast, 500 kb/s\n\n"
      << std::flush;

  FakePlatformsOptions fakeOptions;
  fakeOptions.deviceInterval = 1s;
  fakeOptions.youtubeChatPollingInterval = 1000ms;
  FakePlatforms fake(fakeOptions);

  TempDir dir("tribune-bench-chat");
  const tribune::bench::TribuneFiles files{dir.path()};
  const int port = tribune::testing::freeLoopbackPort();
  const auto& fo = fake.options();
  Json config{{"web", {{"address", "127.0.0.1"}, {"port", port}}},
              {"agenda", (o.sourceDir / "examples" / "agenda-demo.json").string()},
              {"video", {{"profile", "720p30"}, {"bitrate_kbps", 500}, {"preset", "ultrafast"}}},
              {"recording", {{"expected_duration_minutes", expectedMinutes}}},
              {"platforms",
               {{"youtube",
                 {{"client_id", fo.googleClientId},
                  {"client_secret", fo.googleClientSecret},
                  {"oauth_url", fake.googleOAuthUrl()},
                  {"api_url", fake.youtubeApiUrl()}}},
                {"facebook",
                 {{"app_id", fo.facebookAppId},
                  {"client_token", fo.facebookClientToken},
                  {"app_secret", fo.facebookAppSecret},
                  {"graph_url", fake.facebookGraphUrl()},
                  {"graph_version", fo.facebookGraphVersion}}},
                {"request_timeout_s", 5},
                {"youtube_chat_min_interval_s", 1},
                {"youtube_chat_mode", "list"},
                {"facebook_comments_interval_s", 1},
                {"chat_budget_margin_minutes", 0}}}};

  Process tribune = tribune::bench::startTribuneRun(o.tribune, dir.path(), config);
  const auto listening = tribune::bench::waitUntilListening(tribune, port, 30s, files.dataDir() / "tokens.json");
  if (listening != tribune::bench::Listening::yes) {
    throw std::runtime_error(
        std::string(listening == tribune::bench::Listening::exited ? "tribune exited" : "tribune did not listen") +
        ":\n" + tribune::bench::tail(readFile(files.log()), 3000));
  }
  const auto tokens = Json::parse(readFile(files.dataDir() / "tokens.json"));
  const pid_t pid = tribune.pid();

  // Accounts and lives, as the technician would.
  Technician technician(port, tokens.at("technician").get<std::string>());
  linkByDeviceFlow(technician, fake, Platform::youtube);
  linkByDeviceFlow(technician, fake, Platform::facebook);
  const auto prepared = technician.send({{"type", "lives.prepare"}});
  if (prepared.value("status", "") != "ok") throw std::runtime_error("lives.prepare: " + prepared.dump());
  auto ready = [](const Json& p) { return p["live"]["state"] == "ready"; };
  const auto youtubeLive = technician.waitFor("youtube", ready, 30s, "the live ready")["live"]["id"].get<std::string>();
  const auto facebookLive =
      technician.waitFor("facebook", ready, 30s, "the live ready")["live"]["id"].get<std::string>();
  auto reading = [](const Json& p) { return p.contains("chat") && p["chat"]["state"] == "live"; };
  technician.waitFor("youtube", reading, 30s, "reading the chat");
  technician.waitFor("facebook", reading, 30s, "reading the comments");
  std::cout << "tribune pid " << pid << ", port " << port << "; lives: YouTube " << youtubeLive << ", Facebook "
            << facebookLive << "; both chats read\n"
            << std::flush;

  std::mutex servedMutex;
  std::vector<ServedPage> served;
  fake.onChatPageServed([&](Platform platform, Steady::time_point at, const std::vector<std::string>& ids) {
    std::lock_guard lock(servedMutex);
    served.push_back(ServedPage{platform, at, ids});
  });

  ModeratorScreen moderator(port, tokens.at("moderator").get<std::string>());
  const auto alreadyThere = moderator.welcome()["snapshot"].value("questions", Json::array()).size();

  // 1. Idle: both chats read, nothing in them.
  std::cout << "idle for " << fixed(o.idleS, 0) << " s…\n" << std::flush;
  const auto idleStart = sampleCpu(pid);
  const auto selfIdleStart = tribune::bench::readProcStat(getpid());
  std::this_thread::sleep_for(std::chrono::duration<double>(o.idleS));
  const auto idleEnd = sampleCpu(pid);
  const auto selfIdleEnd = tribune::bench::readProcStat(getpid());

  // 2. Writing.
  std::cout << "writing " << withCommas(totalMessages) << " messages over " << fixed(o.seconds, 0) << " s…\n"
            << std::flush;
  std::vector<Written> written;
  written.reserve(static_cast<std::size_t>(totalMessages));
  std::atomic<long long> late{0};  // messages written more than 100 ms after their time
  const auto writeStart = sampleCpu(pid);
  const auto selfWriteStart = tribune::bench::readProcStat(getpid());
  std::thread writer([&] {
    const auto period = std::chrono::duration<double>(1.0 / o.rate);
    const auto begin = Steady::now();
    for (long long n = 0; n < totalMessages; ++n) {
      const auto due = begin + std::chrono::duration_cast<Steady::duration>(period * static_cast<double>(n));
      std::this_thread::sleep_until(due);
      if (Steady::now() - due > 100ms) ++late;
      // Spread evenly: message n is a question when the count of questions due grows.
      const bool question = std::floor(static_cast<double>(n + 1) * o.questions + 1e-9) >
                            std::floor(static_cast<double>(n) * o.questions + 1e-9);
      const auto platform = n % 2 == 0 ? Platform::youtube : Platform::facebook;
      Written w{platform, {}, n, question, question ? questionText(n) : chatterText(n), Steady::now()};
      w.fakeId = fake.addChatMessage(
          platform, platform == Platform::youtube ? youtubeLive : facebookLive,
          FakeChatMessage{"Habitant " + std::to_string(n), "author-" + std::to_string(n), w.text, false, false});
      written.push_back(std::move(w));
    }
  });
  writer.join();
  const auto writeEnd = sampleCpu(pid);
  const auto selfWriteEnd = tribune::bench::readProcStat(getpid());

  long long questionsWritten = 0;
  for (const auto& w : written) questionsWritten += w.question ? 1 : 0;

  // 3. Drain: until every question came, or nothing came for --drain-s.
  {
    auto lastCount = moderator.count();
    auto lastChange = Steady::now();
    while (static_cast<long long>(moderator.count()) < questionsWritten &&
           secondsBetween(lastChange, Steady::now()) < o.drainS && moderator.ended().empty()) {
      std::this_thread::sleep_for(200ms);
      if (moderator.count() != lastCount) {
        lastCount = moderator.count();
        lastChange = Steady::now();
      }
    }
    std::this_thread::sleep_for(2s);  // anything arriving twice, late
  }
  const auto youtubeStatus = technician.platform("youtube");
  const auto facebookStatus = technician.platform("facebook");
  fake.onChatPageServed({});
  const auto arrivals = moderator.arrivals();
  const auto others = moderator.otherTypes();
  const auto moderatorEnded = moderator.ended();
  const bool tribuneAlive = tribune.running();
  tribune.signal(SIGINT);
  if (!tribune.waitFor(20s)) tribune.kill9();

  // --- Sorting it out
  std::map<std::pair<Platform, std::string>, Steady::time_point> firstServed;
  std::map<std::pair<Platform, std::string>, int> timesServed;
  std::size_t pages = 0;
  {
    std::lock_guard lock(servedMutex);
    pages = served.size();
    for (const auto& page : served) {
      for (const auto& id : page.ids) {
        const auto key = std::make_pair(page.platform, id);
        ++timesServed[key];
        auto [it, inserted] = firstServed.emplace(key, page.at);
        if (!inserted && page.at < it->second) it->second = page.at;
      }
    }
  }
  std::map<long long, const Written*> byNumber;
  for (const auto& w : written) byNumber[w.number] = &w;

  struct Seen {
    std::set<std::uint64_t> questionIds;
    int views = 0;
    Steady::time_point first = Steady::time_point::max();
    std::string text;
  };
  std::map<long long, Seen> seen;
  long long unreadable = 0;  // a question whose text has no number of ours
  for (const auto& a : arrivals) {
    const auto number = numberOf(a.text);
    if (!number || byNumber.count(*number) == 0) {
      ++unreadable;
      continue;
    }
    auto& s = seen[*number];
    s.questionIds.insert(a.questionId);
    ++s.views;
    if (a.at < s.first) {
      s.first = a.at;
      s.text = a.text;
    }
  }

  Figures f;
  long long lost = 0, doubled = 0, repeatedViews = 0, notQuestions = 0, textChanged = 0, neverServed = 0;
  std::vector<long long> lostExamples, doubledExamples, intruderExamples;
  // Per window of the writing (by when the message was added): delays, to see a growth.
  const double window = std::max(10.0, o.seconds / 10.0);
  std::map<int, std::vector<double>> delaysByWindow;
  const auto writeBegin = written.empty() ? writeStart.at : written.front().addedAt;
  for (const auto& w : written) {
    const auto it = seen.find(w.number);
    if (!w.question) {
      if (it != seen.end()) {
        ++notQuestions;
        if (intruderExamples.size() < 5) intruderExamples.push_back(w.number);
      }
      continue;
    }
    if (it == seen.end()) {
      ++lost;
      if (lostExamples.size() < 5) lostExamples.push_back(w.number);
      continue;
    }
    const auto& s = it->second;
    if (s.questionIds.size() > 1) {
      ++doubled;
      if (doubledExamples.size() < 5) doubledExamples.push_back(w.number);
    }
    if (s.views > static_cast<int>(s.questionIds.size())) ++repeatedViews;
    if (s.text != w.text) ++textChanged;
    f.endToEndMs.push_back(std::chrono::duration<double, std::milli>(s.first - w.addedAt).count());
    const auto page = firstServed.find({w.platform, w.fakeId});
    if (page == firstServed.end()) {
      ++neverServed;
      continue;
    }
    const double delay = std::chrono::duration<double, std::milli>(s.first - page->second).count();
    f.delaysMs.push_back(delay);
    f.waitMs.push_back(std::chrono::duration<double, std::milli>(page->second - w.addedAt).count());
    delaysByWindow[static_cast<int>(secondsBetween(writeBegin, w.addedAt) / window)].push_back(delay);
  }
  // Per platform: messages served on more than one page, and pages per message.
  std::map<Platform, std::pair<long long, long long>> again;  // → {served again, servings}
  std::map<Platform, long long> distinct;
  for (const auto& [key, times] : timesServed) {
    ++distinct[key.first];
    again[key.first].first += times > 1 ? 1 : 0;
    again[key.first].second += times;
  }
  auto servedAgain = [&](Platform platform) {
    const auto n = distinct[platform];
    return withCommas(again[platform].first) + " (" +
           fixed(n > 0 ? static_cast<double>(again[platform].second) / static_cast<double>(n) : std::nan(""), 2) +
           " pages per message)";
  };
  long long kept = questionsWritten - lost;

  // --- Report
  const bool allThere = lost == 0 && doubled == 0 && notQuestions == 0;
  std::cout << "\n## What reached the moderator's screen\n\n"
            << "| | count |\n|---|---|\n"
            << "| messages written (YouTube + Facebook) | " << withCommas(static_cast<long long>(written.size()))
            << " |\n"
            << "| with \"?\" (to be kept) | " << withCommas(questionsWritten) << " |\n"
            << "| questions on the moderator's screen (one id per number) | " << withCommas(kept - doubled) << " |\n"
            << "| lost (a \"?\" message never shown) | " << lost << " |\n"
            << "| doubled (one message, two question ids) | " << doubled << " |\n"
            << "| without \"?\" yet shown | " << notQuestions << " |\n"
            << "| the same question's view sent again (no new id) | " << repeatedViews << " |\n"
            << "| text on screen differs from the text written (screening) | " << textChanged << " |\n"
            << "| question views with no number of ours | " << unreadable << " |\n"
            << "| questions already on the screen at hello | " << alreadyThere << " |\n"
            << "| chat pages with messages served by the fake | " << withCommas(static_cast<long long>(pages)) << " |\n"
            << "| YouTube messages served on more than one page | " << servedAgain(Platform::youtube) << " |\n"
            << "| Facebook comments served on more than one page (`since` overlaps a second) | "
            << servedAgain(Platform::facebook) << " |\n"
            << "| writer: messages more than 100 ms late | " << late.load() << " |\n\n";
  std::cout << "tribune's counters (console): YouTube received " << youtubeStatus["chat"].value("received", -1)
            << ", kept " << youtubeStatus["chat"].value("questions", -1) << "; Facebook received "
            << facebookStatus["chat"].value("received", -1) << ", kept "
            << facebookStatus["chat"].value("questions", -1) << "; YouTube units used on the fake: " << fake.quotaUsed()
            << "\n";
  std::cout << "requests to the fake: liveChatMessages.list " << fake.requestCount("/youtube/v3/liveChat/messages")
            << ", Facebook comments "
            << fake.requestCount("/facebook/" + fo.facebookGraphVersion + "/" + facebookLive + "/comments") << "\n";
  std::cout << "other messages to the moderator:";
  for (const auto& [type, count] : others) std::cout << " " << type << " " << count;
  std::cout << "\n";
  if (!moderatorEnded.empty()) std::cout << "the moderator's connection ended: " << moderatorEnded << "\n";
  if (!tribuneAlive) std::cout << "tribune was no longer running at the end of the drain\n";

  std::cout << "\n## Delays (ms), per kept question\n\n"
            << "| | p50 | p99 | max | n |\n|---|---|---|---|---|\n";
  auto row = [](const std::string& what, const std::vector<double>& values) {
    const double mx = values.empty() ? std::nan("") : *std::max_element(values.begin(), values.end());
    std::cout << "| " << what << " | " << fixed(percentile(values, 0.50), 0) << " | "
              << fixed(percentile(values, 0.99), 0) << " | " << fixed(mx, 0) << " | " << values.size() << " |\n";
  };
  row("**the fake answers the page → the moderator's screen**", f.delaysMs);
  row("written on the platform → the page that carries it (the polling wait)", f.waitMs);
  row("written on the platform → the moderator's screen", f.endToEndMs);
  if (neverServed > 0) std::cout << "\n(" << neverServed << " kept questions with no page time from the hook)\n";

  std::cout << "\nPage → screen by when the message was written (windows of " << fixed(window, 0)
            << " s): a growth would show here.\n\n| from s | p50 | p99 | max | n |\n|---|---|---|---|---|\n";
  for (const auto& [index, values] : delaysByWindow) {
    row(fixed(index * window, 0), values);
  }

  const double idleShare = share(idleStart, idleEnd);
  const double writeShare = share(writeStart, writeEnd);
  std::cout << "\n## CPU of tribune (utime + stime, share of one core)\n\n"
            << "| | idle (" << fixed(secondsBetween(idleStart.at, idleEnd.at), 0)
            << " s, chats read, empty) | writing (" << fixed(secondsBetween(writeStart.at, writeEnd.at), 0) << " s, "
            << fixed(o.rate, 0) << " messages/s) | difference |\n|---|---|---|---|\n"
            << "| **whole process** | " << fixed(idleShare * 100, 1) << " % | " << fixed(writeShare * 100, 1) << " % | "
            << fixed((writeShare - idleShare) * 100, 1) << " % |\n";
  std::set<std::string> names;
  for (const auto* s : {&idleStart, &idleEnd, &writeStart, &writeEnd}) {
    for (const auto& [name, cpu] : s->byThreadName) names.insert(name);
  }
  auto threadShare = [](const CpuSample& from, const CpuSample& to, const std::string& name) {
    const auto a = from.byThreadName.find(name);
    const auto b = to.byThreadName.find(name);
    const double before = a == from.byThreadName.end() ? 0 : a->second;
    const double after = b == to.byThreadName.end() ? 0 : b->second;
    return (after - before) / secondsBetween(from.at, to.at);
  };
  for (const auto& name : names) {
    const double idle = threadShare(idleStart, idleEnd, name);
    const double writing = threadShare(writeStart, writeEnd, name);
    if (idle < 0.0005 && writing < 0.0005) continue;
    std::cout << "| threads \"" << name << "\" | " << fixed(idle * 100, 1) << " % | " << fixed(writing * 100, 1)
              << " % | " << fixed((writing - idle) * 100, 1) << " % |\n";
  }
  if (selfIdleStart && selfIdleEnd && selfWriteStart && selfWriteEnd) {
    const double selfIdle = (selfIdleEnd->ownS - selfIdleStart->ownS) / secondsBetween(idleStart.at, idleEnd.at);
    const double selfWrite = (selfWriteEnd->ownS - selfWriteStart->ownS) / secondsBetween(writeStart.at, writeEnd.at);
    std::cout << "| (this driver: the fake, the writer, the moderator's socket) | " << fixed(selfIdle * 100, 1)
              << " % | " << fixed(selfWrite * 100, 1) << " % | " << fixed((selfWrite - selfIdle) * 100, 1) << " % |\n";
  }
  std::cout << "\nmachine load at the end: " << tribune::bench::machineLoad() << " (other work on the machine "
            << "shows in neither column but slows both)\n";

  // --- The 4-hour meeting
  const auto budget = simulateMeeting(180min, 240min, 1200ms, 60s);
  const bool reserveKept = !budget.exhausted && budget.remaining >= budget.reserve && budget.refused == 0;
  std::cout << "\n## A 4-hour meeting against YouTube's budget (injected clock)\n\n"
            << "core::ChatPoller and core::QuotaBudget as the platform worker drives them: 10,000 units a day, "
               "reserve 500,\n"
            << "the live's preparation (200 units), the default chat settings (minimum 2 s, margin 60 min),\n"
            << "recording.expected_duration_minutes 180, the meeting lasting 240 min, pollingIntervalMillis 1200,\n"
            << "liveChatMessages.list at 5 units and the audience (videos.list, 1 unit) every 60 s.\n\n"
            << "| | |\n|---|---|\n"
            << "| chat reads (liveChatMessages.list) | " << withCommas(budget.calls) << " |\n"
            << "| audience reads | " << budget.audienceCalls << " |\n"
            << "| reads the budget refused | " << budget.refused << " |\n"
            << "| units used in the day | " << withCommas(budget.unitsUsed) << " of 10,000 |\n"
            << "| units left at the end (reserve 500) | " << withCommas(budget.remaining) << " |\n"
            << "| shortest gap between reads | " << fixed(budget.shortest.count() / 1000.0, 2) << " s |\n"
            << "| longest gap, first 180 min | " << fixed(budget.longest.count() / 1000.0, 2) << " s |\n"
            << "| longest gap, the hour past them | " << fixed(budget.longestOverrun.count() / 1000.0, 2) << " s |\n"
            << "| **the reserve kept, never exhausted** | " << (reserveKept ? "yes" : "NO") << " |\n";

  // --- Verdict
  std::cout << "\n";
  if (lost > 0) {
    std::cout << "FAIL: " << lost << " question(s) never reached the moderator, e.g.";
    for (const auto n : lostExamples) std::cout << " [" << n << "]";
    std::cout << "\n";
  }
  if (doubled > 0) {
    std::cout << "FAIL: " << doubled << " message(s) became two questions or more, e.g.";
    for (const auto n : doubledExamples) std::cout << " [" << n << "]";
    std::cout << "\n";
  }
  if (notQuestions > 0) {
    std::cout << "FAIL: " << notQuestions << " message(s) without \"?\" reached the moderator, e.g.";
    for (const auto n : intruderExamples) std::cout << " [" << n << "]";
    std::cout << "\n";
  }
  if (!reserveKept) std::cout << "FAIL: the simulated 4-hour meeting did not keep YouTube's reserve\n";
  if (allThere && reserveKept) std::cout << "OK: every question once, none without \"?\", the reserve kept\n";

  using tribune::bench::summaryNumber;
  using tribune::bench::summaryRow;
  const std::string load = fixed(o.rate, 0) + " msg/s × " + fixed(o.seconds, 0) + " s";
  summaryRow({"chat", "questions on the moderator's screen, once each (" + load + ")",
              withCommas(kept - doubled) + " of " + withCommas(questionsWritten), "", "all, none twice", allThere});
  summaryRow({"chat", "page → moderator's screen p50", ms(percentile(f.delaysMs, 0.5)), "", "", std::nullopt});
  summaryRow({"chat", "page → moderator's screen p99", ms(percentile(f.delaysMs, 0.99)), "", "", std::nullopt});
  // The encode's threads dominate the process and follow the machine's load; the threads
  // named "tribune" (hub, web, platform workers, store) are where the ingestion runs.
  const double ownIdle = threadShare(idleStart, idleEnd, "tribune");
  const double ownWriting = threadShare(writeStart, writeEnd, "tribune");
  summaryRow({"chat", "ingestion CPU, threads \"tribune\" (writing − idle, share of one core)",
              summaryNumber((ownWriting - ownIdle) * 100, 1) + " %", "", "", std::nullopt});
  summaryRow({"chat", "ingestion CPU, whole process (writing − idle; the encode's noise included)",
              summaryNumber((writeShare - idleShare) * 100, 1) + " %", "", "", std::nullopt});
  summaryRow({"chat", "4-hour meeting, YouTube units used (reserve 500)", withCommas(budget.unitsUsed), "",
              "reserve kept", reserveKept});
  return allThere && reserveKept ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    std::cout << "command: " << tribune::bench::commandLine(argc, argv) << "\n";
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "tribune_bench_chat: cannot run: " << e.what() << "\n";
    return 1;
  }
}
