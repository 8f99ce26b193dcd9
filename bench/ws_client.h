#pragma once
// The websocket load client's pieces, shared by the drivers that load Tribune's websockets:
// ws_load.cpp (the town hall's `websockets` and `questions`) and edge_bench.cpp (the public
// edge, issue 22). A small websocket client straight on an Asio socket (Conn) that reads
// with recvmsg and so gets the kernel's receive time of each socket buffer
// (SO_TIMESTAMPNS); its io threads and connections (LoadClient); opening many of them a
// window at a time; a process's threads' CPU from /proc/PID/task/*/schedstat; the figures'
// median and spread. Header-only: each driver is one translation unit.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/error.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "summary.h"

namespace tribune::bench {

namespace ws_detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Json = nlohmann::json;
using namespace std::chrono_literals;
}  // namespace ws_detail
using namespace ws_detail;

inline std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The clock of the kernel's receive timestamps (SO_TIMESTAMPNS), for send and arrival times.
inline std::int64_t realNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline double msOf(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

// ---------------------------------------------------------------------------------------
// Small helpers

struct Spread {
  double median = std::nan("");
  double min = std::nan("");
  double max = std::nan("");
};

inline Spread spreadOf(const std::vector<double>& values) {
  std::vector<double> v;
  for (double x : values)
    if (!std::isnan(x)) v.push_back(x);
  if (v.empty()) return {};
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {tribune::bench::summaryMedian(v), *lo, *hi};
}

inline std::string show(const Spread& s, int decimals, const std::string& unit = "") {
  if (std::isnan(s.median)) return "—";
  std::string out = fixed(s.median, decimals) + unit;
  if (s.min != s.max) out += " (" + fixed(s.min, decimals) + "–" + fixed(s.max, decimals) + ")";
  return out;
}

// "min–max" for scripts/bench's summary (bench/summary.h); "" when every run gave the same.
inline std::string spreadText(const Spread& s, int decimals, const std::string& unit = "") {
  if (std::isnan(s.median) || s.min == s.max) return "";
  return fixed(s.min, decimals) + "–" + fixed(s.max, decimals) + unit;
}

inline std::string showCount(const Spread& s) {
  if (std::isnan(s.median)) return "—";
  std::string out = withCommas(std::llround(s.median));
  if (s.min != s.max) out += " (" + withCommas(std::llround(s.min)) + "–" + withCommas(std::llround(s.max)) + ")";
  return out;
}

inline rlim_t raiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

inline int freeLoopbackPort() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

inline bool portAccepts(int port) {
  asio::io_context io;
  tcp::socket socket(io);
  error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
  return !ec;
}

// CPU of a process's threads (/proc/PID/task/*/schedstat: ns on a CPU). Tribune's own
// threads (the hub, the web server, the event log's writer, the graphics worker, the
// edge's bus) keep the process name "tribune"; GStreamer's (the source, x264's workers…)
// are named after their elements.
struct ThreadTimes {
  std::string name;
  std::int64_t run = 0;   // ns on a CPU
  std::int64_t wait = 0;  // ns runnable but waiting for a CPU (the machine's other load)
};

struct CpuSample {
  std::int64_t at = 0;
  std::map<int, ThreadTimes> threads;  // by tid
};

inline CpuSample sampleCpu(pid_t pid) {
  CpuSample sample;
  sample.at = nowNs();
  std::error_code ec;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (auto it = std::filesystem::directory_iterator(tasks, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    std::string name = readFile(it->path() / "comm");
    if (!name.empty() && name.back() == '\n') name.pop_back();
    std::istringstream schedstat(readFile(it->path() / "schedstat"));
    long long run = 0, wait = 0;
    if (!(schedstat >> run >> wait)) continue;
    sample.threads[std::atoi(it->path().filename().c_str())] = {name, run, wait};
  }
  return sample;
}

struct CpuUse {
  double seconds = 0;      // wall time between the samples
  double process = 0;      // CPU seconds, every thread
  double own = 0;          // CPU seconds, Tribune's own threads
  double busiest = 0;      // CPU seconds of the busiest of Tribune's own threads
  double busiestWait = 0;  // seconds it waited for a CPU while runnable
  [[nodiscard]] double processShare() const { return seconds > 0 ? process / seconds : 0; }
  [[nodiscard]] double ownShare() const { return seconds > 0 ? own / seconds : 0; }
  [[nodiscard]] double busiestShare() const { return seconds > 0 ? busiest / seconds : 0; }
};

inline CpuUse cpuBetween(const CpuSample& a, const CpuSample& b) {
  CpuUse use;
  use.seconds = static_cast<double>(b.at - a.at) / 1e9;
  for (const auto& [tid, thread] : b.threads) {
    const auto before = a.threads.find(tid);
    const bool known = before != a.threads.end();
    const double seconds = static_cast<double>(thread.run - (known ? before->second.run : 0)) / 1e9;
    const double waited = static_cast<double>(thread.wait - (known ? before->second.wait : 0)) / 1e9;
    use.process += seconds;
    if (thread.name == "tribune") {
      use.own += seconds;
      if (seconds > use.busiest) {
        use.busiest = seconds;
        use.busiestWait = waited;
      }
    }
  }
  return use;
}

inline std::string httpCall(int port, http::verb verb, const std::string& target, const std::string& bearer,
                            const std::string& body = {}) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + bearer);
  if (verb == http::verb::post) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
  }
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024ULL * 1024 * 1024);
  http::read(stream, buffer, parser);
  return parser.get().body();
}

// ---------------------------------------------------------------------------------------
// One websocket connection of the load client (its io_context's thread only)

class Conn;

// When a message arrived: `kernel` is the kernel's receive time of the socket buffer that
// completed it (SO_TIMESTAMPNS, 0 when the kernel gave none), `read` the moment this
// client read it. Both on CLOCK_REALTIME, in ns. The first excludes the client's own
// queueing (its thread busy with other connections); the second includes it.
struct Arrival {
  std::int64_t kernel = 0;
  std::int64_t read = 0;
  [[nodiscard]] std::int64_t best() const { return kernel != 0 ? kernel : read; }
};

class ConnHandler {
 public:
  virtual ~ConnHandler() = default;
  virtual void onWelcome(Conn& conn, std::string_view text, Arrival at) = 0;
  virtual void onText(Conn& conn, std::string_view text, Arrival at) = 0;
  // The connection failed or was closed; `stage` says where.
  virtual void onEnd(Conn& conn, const char* stage, const error_code& error, const std::string& reason) = 0;
};

// A minimal websocket client (RFC 6455) straight on an Asio socket: the upgrade request,
// masked text frames out, unmasked frames in (text, binary, continuation, ping → pong,
// close). Written for the purpose rather than with Beast's stream so that it costs little
// per message and can read with recvmsg, which hands over the kernel's receive time.
// Everything runs on its io_context's thread (one thread per io_context).
class Conn {
 public:
  Conn(asio::io_context& io, std::size_t index, ConnHandler& handler)
      : io_(io), socket_(io), index_(index), handler_(handler) {
    mask_ = static_cast<std::uint32_t>(index * 2654435761U) | 1U;
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  [[nodiscard]] std::size_t index() const { return index_; }
  [[nodiscard]] bool welcomed() const { return welcomed_; }

  // Connect to 127.0.0.1:port (from `source`, another loopback address, when given),
  // upgrade, send `hello`, then read for ever. From any thread.
  void start(int port, std::string hello, asio::ip::address source = {}) {
    asio::post(io_, [this, port, hello = std::move(hello), source]() mutable {
      hello_ = std::move(hello);
      if (!source.is_unspecified()) {
        // The viewers of one process appear from many addresses, as citizens do (the edge
        // counts connections per address). The port is picked at connect(), per
        // destination, not at bind(): more than one ephemeral range's worth of connections.
        error_code error;
        socket_.open(source.is_v4() ? tcp::v4() : tcp::v6(), error);
        int one = 1;
        if (!error) setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        if (!error) socket_.bind(tcp::endpoint(source, 0), error);
        if (error) return end("bind", error);
      }
      socket_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
                            [this, port](const error_code& error) {
                              if (error) return end("connect", error);
                              error_code ignored;
                              socket_.set_option(tcp::no_delay(true), ignored);
                              socket_.non_blocking(true, ignored);
                              int one = 1;
                              setsockopt(socket_.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
                              stage_ = "handshake";
                              queue("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                                    "Sec-WebSocket-Protocol: tribune\r\n\r\n");
                              waitToRead();
                            });
    });
  }

  // From any thread: run f on this connection's io thread.
  template <typename F>
  void onItsThread(F f) {
    asio::post(io_, std::move(f));
  }
  // From any thread.
  void post(std::string text) {
    asio::post(io_, [this, text = std::move(text)]() mutable { send(text); });
  }
  // On the io thread: one text message.
  void send(std::string_view text) { queue(frame(0x1, text)); }

 private:
  std::string frame(unsigned opcode, std::string_view payload) const {
    std::string out;
    out.reserve(payload.size() + 14);
    out += static_cast<char>(0x80U | opcode);
    const std::size_t n = payload.size();
    if (n < 126) {
      out += static_cast<char>(0x80U | n);
    } else if (n < 65536) {
      out += static_cast<char>(0x80U | 126U);
      out += static_cast<char>(n >> 8);
      out += static_cast<char>(n & 0xFFU);
    } else {
      out += static_cast<char>(0x80U | 127U);
      for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFFU);
    }
    const unsigned char key[4] = {static_cast<unsigned char>(mask_ >> 24), static_cast<unsigned char>(mask_ >> 16),
                                  static_cast<unsigned char>(mask_ >> 8), static_cast<unsigned char>(mask_)};
    out.append(reinterpret_cast<const char*>(key), 4);
    for (std::size_t i = 0; i < n; ++i) out += static_cast<char>(static_cast<unsigned char>(payload[i]) ^ key[i % 4]);
    return out;
  }
  void queue(std::string bytes) {
    if (ended_) return;
    out_.push_back(std::move(bytes));
    if (!writing_) writeNext();
  }
  void writeNext() {
    writing_ = true;
    asio::async_write(socket_, asio::buffer(out_.front()), [this](const error_code& error, std::size_t) {
      writing_ = false;
      if (ended_) return;
      out_.pop_front();
      if (error) return end("write", error);
      if (!out_.empty()) writeNext();
    });
  }
  void waitToRead() {
    socket_.async_wait(tcp::socket::wait_read, [this](const error_code& error) {
      if (ended_) return;
      if (error) return end(stage_, error);
      readAvailable();
    });
  }
  void readAvailable() {
    thread_local std::vector<char> scratch(std::size_t{256} * 1024);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) * 2];
    while (true) {
      iovec vector{scratch.data(), scratch.size()};
      msghdr message{};
      message.msg_iov = &vector;
      message.msg_iovlen = 1;
      message.msg_control = control;
      message.msg_controllen = sizeof control;
      const ssize_t got = recvmsg(socket_.native_handle(), &message, MSG_DONTWAIT);
      if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return end(stage_, error_code(errno, boost::system::system_category()));
      }
      if (got == 0) return end(stage_, asio::error::eof);
      Arrival at;
      at.read = realNs();
      for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts{};
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          at.kernel = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
        }
      }
      in_.append(scratch.data(), static_cast<std::size_t>(got));
      if (!consume(at)) return;
      if (static_cast<std::size_t>(got) < scratch.size()) break;
    }
    waitToRead();
  }
  // Parses what arrived; false when the connection ended.
  bool consume(Arrival at) {
    std::size_t pos = 0;
    if (!upgraded_) {
      const auto headerEnd = in_.find("\r\n\r\n");
      if (headerEnd == std::string::npos) return true;
      if (in_.compare(0, 12, "HTTP/1.1 101") != 0) {
        end("handshake", asio::error::connection_refused, in_.substr(0, in_.find("\r\n")));
        return false;
      }
      upgraded_ = true;
      stage_ = "hello";
      pos = headerEnd + 4;
      send(hello_);
      std::string().swap(hello_);
    }
    while (in_.size() - pos >= 2) {
      const auto* p = reinterpret_cast<const unsigned char*>(in_.data() + pos);
      const std::size_t avail = in_.size() - pos;
      const bool fin = (p[0] & 0x80U) != 0;
      const unsigned opcode = p[0] & 0x0FU;
      const bool masked = (p[1] & 0x80U) != 0;
      std::uint64_t length = p[1] & 0x7FU;
      std::size_t header = 2;
      if (length == 126) {
        if (avail < 4) break;
        length = (static_cast<std::uint64_t>(p[2]) << 8) | p[3];
        header = 4;
      } else if (length == 127) {
        if (avail < 10) break;
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
        header = 10;
      }
      const std::size_t keyAt = header;
      if (masked) header += 4;
      if (avail < header + length) break;
      std::string_view payload(in_.data() + pos + header, static_cast<std::size_t>(length));
      std::string unmasked;
      if (masked) {
        unmasked.assign(payload);
        for (std::size_t i = 0; i < unmasked.size(); ++i)
          unmasked[i] = static_cast<char>(unmasked[i] ^ p[keyAt + i % 4]);
        payload = unmasked;
      }
      pos += header + static_cast<std::size_t>(length);
      if (opcode == 0x8) {  // close
        std::string reason;
        if (payload.size() > 2) reason = std::string(payload.substr(2));
        const int code = payload.size() >= 2
                             ? (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1])
                             : 0;
        end(stage_, boost::system::error_code(beast::websocket::error::closed),
            std::to_string(code) + (reason.empty() ? "" : " " + reason));
        return false;
      }
      if (opcode == 0x9) {  // ping
        queue(frame(0xA, payload));
        continue;
      }
      if (opcode == 0xA) continue;  // pong
      if (opcode == 0x1 || opcode == 0x2) {
        fragmentBinary_ = opcode == 0x2;
        if (!fin) {
          fragments_.assign(payload);
          continue;
        }
        if (!fragmentBinary_) deliver(payload, at);
        if (ended_) return false;
        continue;
      }
      if (opcode == 0x0) {
        fragments_.append(payload);
        if (fin) {
          if (!fragmentBinary_) deliver(fragments_, at);
          std::string().swap(fragments_);
          if (ended_) return false;
        }
        continue;
      }
    }
    in_.erase(0, pos);
    if (in_.capacity() > 16384 && in_.size() < 4096) in_.shrink_to_fit();  // the welcome's snapshot is large
    return true;
  }
  void deliver(std::string_view text, Arrival at) {
    if (!welcomed_ && text.find("\"type\":\"welcome\"") != std::string_view::npos) {
      welcomed_ = true;
      stage_ = "open";
      handler_.onWelcome(*this, text, at);
    } else {
      handler_.onText(*this, text, at);
    }
  }
  void end(const char* stage, const error_code& error, const std::string& reason = {}) {
    if (ended_) return;
    ended_ = true;
    handler_.onEnd(*this, stage, error, reason);
    error_code ignored;
    socket_.close(ignored);
  }

  asio::io_context& io_;
  tcp::socket socket_;
  std::string in_;
  std::string fragments_;
  bool fragmentBinary_ = false;
  std::deque<std::string> out_;
  std::string hello_;
  std::size_t index_;
  ConnHandler& handler_;
  std::uint32_t mask_ = 0;
  const char* stage_ = "connect";
  bool upgraded_ = false;
  bool writing_ = false;
  bool welcomed_ = false;
  bool ended_ = false;
};

// The client's io threads and its connections.
class LoadClient {
 public:
  explicit LoadClient(int threads) {
    for (int i = 0; i < threads; ++i) {
      ios_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(asio::make_work_guard(*ios_.back()));
    }
    tids_ = std::make_unique<std::atomic<int>[]>(ios_.size());
    for (std::size_t i = 0; i < ios_.size(); ++i) {
      threads_.emplace_back([this, i] {
        tids_[i] = static_cast<int>(gettid());
        ios_[i]->run();
      });
    }
  }
  // CPU seconds of the io threads so far (not the control thread's).
  [[nodiscard]] double ioCpuSeconds() const {
    double total = 0;
    for (std::size_t i = 0; i < threads_.size(); ++i) {
      std::istringstream in(readFile("/proc/self/task/" + std::to_string(tids_[i].load()) + "/schedstat"));
      long long ns = 0;
      if (in >> ns) total += static_cast<double>(ns) / 1e9;
    }
    return total;
  }
  ~LoadClient() { shutdown(); }
  LoadClient(const LoadClient&) = delete;
  LoadClient& operator=(const LoadClient&) = delete;

  Conn& add(ConnHandler& handler) {
    const std::size_t index = conns_.size();
    conns_.push_back(std::make_unique<Conn>(*ios_[index % ios_.size()], index, handler));
    return *conns_.back();
  }
  Conn& at(std::size_t index) { return *conns_.at(index); }
  [[nodiscard]] std::size_t size() const { return conns_.size(); }

  void shutdown() {
    if (ios_.empty()) return;
    for (auto& io : ios_) io->stop();
    for (auto& t : threads_) t.join();
    conns_.clear();  // closes the sockets; the handlers pending on them are never called
    guards_.clear();
    ios_.clear();
    threads_.clear();
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> ios_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::unique_ptr<std::atomic<int>[]> tids_;
  std::vector<std::unique_ptr<Conn>> conns_;
};

// Why connections failed, by stage and error ("connect: Too many open files": 12).
class Failures {
 public:
  void add(const char* stage, const error_code& error, const std::string& reason) {
    std::string key = std::string(stage) + ": " + error.message();
    if (!reason.empty()) key += " (" + reason + ")";
    std::lock_guard lock(mutex_);
    ++counts_[key];
  }
  [[nodiscard]] std::map<std::string, int> counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> counts_;
};

// A browser id: the prefix and 8 digits (at least 22 characters of [A-Za-z0-9_-] in all).
inline std::string viewerId(std::size_t index, const std::string& prefix = "ws-load-viewer-") {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%08zu", index);
  return prefix + digits;
}

inline std::string viewerHello(std::size_t index, const std::string& prefix = "ws-load-viewer-") {
  return std::string(R"({"type":"hello","viewer":")") + viewerId(index, prefix) + "\"}";
}

// How openViewers starts each connection: the browser ids' prefix, and the source
// addresses taken in turn (none: the kernel's choice, 127.0.0.1).
struct ViewerStart {
  std::string idPrefix = "ws-load-viewer-";
  std::vector<asio::ip::address> sources;
};

// Opens connections [first, last) with at most `window` being opened at once; returns
// when each is welcomed or ended, or at the deadline.
template <typename Counters>
void openViewers(LoadClient& client, int port, std::size_t first, std::size_t last, int window, Counters& counters,
                 std::chrono::seconds timeout, const ViewerStart& how = {}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t next = first;
  auto settled = [&] {
    return static_cast<std::size_t>(counters.welcomed.load()) +
           static_cast<std::size_t>(counters.failedBeforeWelcome.load());
  };
  const std::size_t base = settled();
  auto lastReport = std::chrono::steady_clock::now();
  while (true) {
    const std::size_t done = settled() - base;
    while (next < last && next - first < done + static_cast<std::size_t>(window)) {
      client.at(next).start(port, viewerHello(next, how.idPrefix),
                            how.sources.empty() ? asio::ip::address() : how.sources[next % how.sources.size()]);
      ++next;
    }
    if (done >= last - first) break;
    if (std::chrono::steady_clock::now() > deadline) {
      std::cout << "  (opening: deadline passed with " << done << " of " << last - first << " settled)\n";
      break;
    }
    if (std::chrono::steady_clock::now() - lastReport > 5s) {
      lastReport = std::chrono::steady_clock::now();
      std::cout << "  … " << withCommas(counters.welcomed.load()) << " welcomed, "
                << counters.failedBeforeWelcome.load() << " failed\n"
                << std::flush;
    }
    std::this_thread::sleep_for(1ms);
  }
}

template <typename Predicate>
inline bool waitFor(Predicate done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// The numbers of the agenda's items, from a snapshot.
inline std::vector<std::string> agendaNumbers(const Json& snapshot) {
  std::vector<std::string> numbers;
  for (const auto& item : snapshot.at("agenda").at("items")) numbers.push_back(item.at("number"));
  return numbers;
}

}  // namespace tribune::bench
