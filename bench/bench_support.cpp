#include "bench_support.h"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace tribune::bench {

namespace fs = std::filesystem;

std::string readFile(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tail(const std::string& text, std::size_t n) {
  return text.size() > n ? text.substr(text.size() - n) : text;
}

std::string fixed(double value, int decimals) {
  if (std::isnan(value)) return "—";
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << value;
  return s.str();
}

std::string withCommas(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return (n < 0 ? "-" : "") + digits;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string utcNow(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[64];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

std::string commandLine(int argc, char** argv) {
  std::string text;
  for (int i = 0; i < argc; ++i) text += (i ? " " : "") + std::string(argv[i]);
  return text;
}

bool isX264Preset(const std::string& name) {
  static const std::vector<std::string> kPresets{"ultrafast", "superfast", "veryfast", "faster",   "fast",
                                                 "medium",    "slow",      "slower",   "veryslow", "placebo"};
  return std::find(kPresets.begin(), kPresets.end(), name) != kPresets.end();
}

std::string cpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) model = line.substr(std::min(line.size(), colon + 2));
      break;
    }
  }
  return model;
}

std::string machineLoad() {
  std::istringstream in(readFile("/proc/loadavg"));
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

std::string cpus() { return std::to_string(std::thread::hardware_concurrency()) + " CPUs (" + cpuModel() + ")"; }

std::string machineAndLoad() { return cpus() + ", load " + machineLoad(); }

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// One request, each step (connect, write, read) within `stepTimeout`; nullopt when a step
// failed or timed out.
std::optional<HttpAnswer> httpCall(int port, http::request<http::string_body> request,
                                   std::chrono::milliseconds stepTimeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  request.set(http::field::connection, "close");
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  bool ok = false;
  stream.expires_after(stepTimeout);
  stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
                       [&](error_code ec) {
                         if (ec) return;
                         stream.expires_after(stepTimeout);
                         http::async_write(stream, request, [&](error_code wec, std::size_t) {
                           if (wec) return;
                           stream.expires_after(stepTimeout);
                           http::async_read(stream, buffer, response, [&](error_code rec, std::size_t) { ok = !rec; });
                         });
                       });
  io.run();
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (!ok) return std::nullopt;
  return HttpAnswer{static_cast<int>(response.result_int()), response.body()};
}

}  // namespace

std::optional<std::string> httpGet(int port, const std::string& target, std::chrono::milliseconds stepTimeout) {
  auto answer = httpCall(port, {http::verb::get, target, 11}, stepTimeout);
  if (!answer || answer->status != 200) return std::nullopt;
  return std::move(answer->body);
}

std::optional<HttpAnswer> httpPost(int port, const std::string& target, const std::string& bearer,
                                   const std::string& body, std::chrono::milliseconds stepTimeout) {
  http::request<http::string_body> request{http::verb::post, target, 11};
  if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + bearer);
  request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  return httpCall(port, std::move(request), stepTimeout);
}

std::optional<double> metric(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

std::optional<ProcStat> readProcStat(pid_t pid) {
  const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return std::nullopt;
  // After the command name in parentheses: field 3 (state) onwards. ppid is field 4,
  // utime, stime, cutime, cstime are 14 to 17.
  std::istringstream in(stat.substr(paren + 2));
  std::vector<std::string> fields;
  std::string field;
  while (fields.size() < 15 && in >> field) fields.push_back(field);
  if (fields.size() < 15) return std::nullopt;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  ProcStat s;
  s.ppid = static_cast<pid_t>(std::stol(fields[1]));
  s.ownS = static_cast<double>(std::stoull(fields[11]) + std::stoull(fields[12])) / tick;
  s.childrenS = static_cast<double>(std::stoull(fields[13]) + std::stoull(fields[14])) / tick;
  return s;
}

std::optional<long> openDescriptors(pid_t pid) {
  std::error_code ec;
  long n = 0;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec))
    ++n;
  if (ec) return std::nullopt;
  return n;
}

std::string OptionReader::value() {
  if (at_ + 1 >= args_.size()) fail(name() + " needs a value");
  return args_[++at_];
}

namespace {

std::string rangeText(double low, double high) {
  std::ostringstream text;
  if (std::isinf(high)) {
    text << "≥ " << low;
  } else {
    text << "from " << low << " to " << high;
  }
  return text.str();
}

}  // namespace

double OptionReader::number(const std::string& text, double low, double high) const {
  double n = 0;
  try {
    std::size_t used = 0;
    n = std::stod(text, &used);
    if (used != text.size()) n = std::nan("");
  } catch (const std::exception&) {
    n = std::nan("");
  }
  if (!(n >= low && n <= high)) fail(name() + ": not a number " + rangeText(low, high) + ": " + text);
  return n;
}

int OptionReader::whole(const std::string& text, double low, double high) const {
  const double n = number(text, low, high);
  if (n != std::floor(n) || std::abs(n) > std::numeric_limits<int>::max())
    fail(name() + ": not a whole number " + rangeText(low, high) + ": " + text);
  return static_cast<int>(n);
}

void OptionReader::fail(const std::string& problem) const {
  fail_(problem, 2);
  std::abort();  // fail_ exits; never reached
}

}  // namespace tribune::bench
