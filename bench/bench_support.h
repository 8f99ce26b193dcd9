#pragma once
// What several benchmark drivers share: figures as text, the machine they ran on, a GET of
// tribune's web server over loopback and a value of its /metrics, and a process's CPU time
// and descriptors from /proc. No Boost, test support or JSON in this header: the load
// client (ws_load.cpp), which does not link tests/support, uses it too. Starting the real
// `tribune run` is in tribune_run.h.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace tribune::bench {

// ---------------------------------------------------------------------------------------
// Text

// The whole file as text; "" when it cannot be read.
std::string readFile(const std::filesystem::path& file);

// The last `n` bytes of `text` (all of it when shorter).
std::string tail(const std::string& text, std::size_t n);

// `value` with `decimals` decimals; "—" for NaN (a figure nobody measured).
std::string fixed(double value, int decimals);

// 1234567 → "1,234,567".
std::string withCommas(long long n);

// Nearest rank: the smallest value with at least p of the values at or below it; NaN when
// there are none.
double percentile(std::vector<double> values, double p);

// The time now in UTC, as strftime formats it.
std::string utcNow(const char* format = "%Y-%m-%d %H:%M UTC");

// The command as run: its words joined by spaces.
std::string commandLine(int argc, char** argv);

// One of x264's speed presets (ultrafast … placebo): what video.preset takes.
bool isX264Preset(const std::string& name);

// ---------------------------------------------------------------------------------------
// The machine

// /proc/cpuinfo's first "model name", or "unknown CPU".
std::string cpuModel();

// /proc/loadavg's three load averages: "0.52 0.61 0.70".
std::string machineLoad();

// "2 CPUs (model)".
std::string cpus();

// "2 CPUs (model), load 0.52 0.61 0.70".
std::string machineAndLoad();

// ---------------------------------------------------------------------------------------
// Tribune's web server, over loopback

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// GET http://127.0.0.1:port/target with `stepTimeout` for each of connect, write and read:
// the body of a 200 answer, nullopt for anything else.
std::optional<std::string> httpGet(int port, const std::string& target, std::chrono::milliseconds stepTimeout);

// POST of a JSON `body` with a bearer token, the same way; the answer whatever its status,
// nullopt when none came.
std::optional<HttpAnswer> httpPost(int port, const std::string& target, const std::string& bearer,
                                   const std::string& body, std::chrono::milliseconds stepTimeout);

// One value of a Prometheus text: `name` or `name{destination="x"}`.
std::optional<double> metric(const std::string& text, const std::string& series);

// ---------------------------------------------------------------------------------------
// A process, from /proc

struct ProcStat {
  pid_t ppid = 0;
  double ownS = 0;       // utime + stime (all its threads)
  double childrenS = 0;  // cutime + cstime: its children that exited and were reaped
};

// /proc/PID/stat's CPU times; nullopt when the process is gone.
std::optional<ProcStat> readProcStat(pid_t pid);

// The entries of /proc/PID/fd; nullopt when it cannot be listed.
std::optional<long> openDescriptors(pid_t pid);

// A driver's command line, read one argument at a time. Every problem goes to `fail`, the
// driver's usage(), which prints it with the usage and exits with `status`.
class OptionReader {
 public:
  using Fail = void (*)(const std::string& problem, int status);
  static constexpr double kNoLimit = std::numeric_limits<double>::infinity();

  OptionReader(std::vector<std::string> args, Fail onProblem) : args_(std::move(args)), fail_(onProblem) {}
  OptionReader(int argc, char** argv, Fail onProblem) : OptionReader({argv + 1, argv + argc}, onProblem) {}

  // Moves to the next argument; false when there is none left.
  bool next() {
    option_ = ++at_;
    return at_ < args_.size();
  }
  [[nodiscard]] const std::string& name() const { return args_[option_]; }
  // The argument after the current option, consumed: "--runs needs a value" when missing.
  std::string value();
  // value() as a number in [low, high], or as a whole number.
  double number(double low, double high = kNoLimit) { return number(value(), low, high); }
  int whole(double low, double high = kNoLimit) { return whole(value(), low, high); }
  // The same for a piece of a value (an item of a comma-separated list).
  double number(const std::string& text, double low, double high = kNoLimit) const;
  int whole(const std::string& text, double low, double high = kNoLimit) const;
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  std::vector<std::string> args_;
  Fail fail_;
  std::size_t at_ = static_cast<std::size_t>(-1);  // the last argument read; before the first
  std::size_t option_ = 0;                         // the current option (at_ before its value)
};

}  // namespace tribune::bench
