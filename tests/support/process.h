#pragma once
// Child processes for tests: real peers (nginx, gst-launch-1.0, ffmpeg, ffprobe) run as
// children that a test owns. Ownership is the point: whatever happens in a test (a failed
// REQUIRE throws, an exception escapes) the destructor kills and reaps the child, so no
// test leaves a server listening or a publisher streaming behind it.
//
// Why fork/exec rather than posix_spawn: the child asks the kernel to SIGKILL it when the
// test binary dies (PR_SET_PDEATHSIG), which posix_spawn cannot express; that covers the
// one case no destructor runs for (the test binary crashing or being killed).
#include <sys/types.h>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tribune::testing {

// Where one of the child's output streams goes.
struct Redirect {
  enum class Kind { inherit, discard, file, append, capture };
  Kind kind = Kind::inherit;
  std::filesystem::path path;  // Kind::file and Kind::append only

  static Redirect inherit() { return {}; }
  static Redirect discard() { return {Kind::discard, {}}; }
  // Truncates the file; the child writes to it directly (no pipe, nothing to drain).
  static Redirect toFile(std::filesystem::path file) { return {Kind::file, std::move(file)}; }
  // Appends (O_APPEND): a log kept across restarts, or stdout and stderr in one file.
  static Redirect appendTo(std::filesystem::path file) { return {Kind::append, std::move(file)}; }
  // Read by a background thread into memory: see Process::capturedOut().
  static Redirect capture() { return {Kind::capture, {}}; }
};

struct ProcessOptions {
  // Added to (or overriding) the test binary's own environment.
  std::map<std::string, std::string> env;
  Redirect out;  // stdout; inherited by default
  Redirect err;  // stderr; inherited by default
  std::optional<std::filesystem::path> cwd;
  // The child leads its own process group so that kill9() and signalGroup() also reach
  // what it forks (nginx's worker processes): a SIGKILL to the nginx master alone would
  // leave its worker serving the port.
  bool own_process_group = true;
  // SIGKILL the child when the thread that created the Process exits (PR_SET_PDEATHSIG
  // follows the creating *thread*, not the process): turn off for a Process created on a
  // short-lived thread that must outlive it.
  bool die_with_parent = true;
};

// Exit status as waitFor() reports it: the exit code for a normal exit, minus the signal
// number for a death by signal (-9 after kill9()), like Python's subprocess.
using ExitStatus = int;

class Process {
 public:
  // Starts argv[0] (looked up in PATH when it has no '/'). Throws std::system_error when
  // the program cannot be started at all (not found, not executable).
  explicit Process(std::vector<std::string> argv, ProcessOptions options = {});
  ~Process();  // SIGKILLs (the group, if own_process_group) and reaps if still running

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  const std::vector<std::string>& argv() const { return argv_; }

  // Reaps the child if it has exited, so it also answers "has it exited yet?".
  bool running();
  // The exit status once reaped (by running(), waitFor() or kill9()).
  std::optional<ExitStatus> exitStatus() const { return status_; }

  // Sends to the child only (nginx's master forwards SIGQUIT/SIGTERM to its workers).
  // Does nothing once the child has been reaped: its pid may belong to someone else.
  void signal(int signo);
  // Sends to the child's whole process group (falls back to signal() without one).
  void signalGroup(int signo);
  // SIGKILL to the group (or the child) and reap. Returns the exit status.
  ExitStatus kill9();

  // Waits for the child to exit; std::nullopt if it is still running after `timeout`.
  std::optional<ExitStatus> waitFor(std::chrono::milliseconds timeout);

  // What the child wrote so far to a Redirect::capture() stream ("" otherwise).
  std::string capturedOut() const;
  std::string capturedErr() const;
  // Waits (at most `timeout`) until the capture pipes reach end-of-file, then stops
  // reading. Call after the child has exited to be sure the captured text is complete; a
  // grandchild that inherited the pipe could otherwise hold it open forever.
  void finishCapture(std::chrono::milliseconds timeout = std::chrono::seconds(2));

 private:
  struct Capture;  // pipes + reader thread, on the heap so a moved Process keeps them

  void reap(int wait_status);
  void killAndReap() noexcept;

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  bool own_group_ = false;
  std::optional<ExitStatus> status_;
  std::unique_ptr<Capture> capture_;
};

struct CommandResult {
  ExitStatus exit_code = -1;
  std::string out;  // stdout (named so because `stdout` is a macro)
  std::string err;  // stderr
  bool timed_out = false;
};

// Runs a command to completion, capturing stdout and stderr. After `timeout` the command
// is SIGKILLed and timed_out is set (exit_code is then -9).
CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         ProcessOptions options = {});

// "a b 'c d'": for error messages and logs, not for a shell.
std::string describeCommand(const std::vector<std::string>& argv);

}  // namespace tribune::testing
