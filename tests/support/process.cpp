#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

extern char** environ;  // NOLINT: POSIX declares it nowhere in a header

namespace tribune::testing {
namespace {

// An fd that closes itself: spawning opens several, and any throw must not leak them.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

[[noreturn]] void throwErrno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// Every fd this file opens is O_CLOEXEC from birth: another thread may fork a child at any
// moment (a Process on another thread), and a pipe end leaking into that child would keep
// our capture from ever seeing end-of-file.
Fd openCloexec(const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) throwErrno(errno, "cannot open " + path.string());
  return Fd(fd);
}

struct Pipe {
  Fd read;
  Fd write;
};

Pipe makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throwErrno(errno, "pipe2");
  return {Fd(fds[0]), Fd(fds[1])};
}

// PATH lookup happens in the parent: after fork() only async-signal-safe calls are
// allowed, and execvp's search is not guaranteed to be one.
std::string resolveExecutable(const std::string& name, const std::map<std::string, std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  // Built in one expression: assigning a literal later trips GCC 12's -Wrestrict false positive.
  const char* inherited = std::getenv("PATH");
  auto it = env.find("PATH");
  const std::string path_var = it != env.end()        ? it->second
                               : inherited != nullptr ? std::string(inherited)
                                                      : std::string("/usr/local/bin:/usr/bin:/bin");
  std::size_t start = 0;
  while (start <= path_var.size()) {
    std::size_t end = path_var.find(':', start);
    if (end == std::string::npos) end = path_var.size();
    // An empty PATH entry means the current directory.
    std::filesystem::path dir = end > start ? std::filesystem::path(path_var.substr(start, end - start)) : ".";
    std::string candidate = (dir / name).string();
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  throwErrno(ENOENT, "cannot run " + name + ": not found in PATH");
}

std::vector<std::string> buildEnvironment(const std::map<std::string, std::string>& additions) {
  std::vector<std::string> result;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    if (additions.find(key) == additions.end()) result.push_back(std::move(entry));
  }
  for (const auto& [key, value] : additions) {
    std::string entry = key;
    entry += '=';
    entry += value;
    result.push_back(std::move(entry));
  }
  return result;
}

std::vector<char*> cStrings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// The target of one of the child's stdout/stderr, opened in the parent; `capture` is the
// read end kept by the parent when the stream is captured.
struct Target {
  Fd child_end;  // -1: inherit
  Fd capture;
};

Target openTarget(const Redirect& redirect) {
  switch (redirect.kind) {
    case Redirect::Kind::inherit: return {};
    case Redirect::Kind::discard: return {openCloexec("/dev/null", O_WRONLY), Fd()};
    case Redirect::Kind::file: return {openCloexec(redirect.path, O_WRONLY | O_CREAT | O_TRUNC), Fd()};
    case Redirect::Kind::append: return {openCloexec(redirect.path, O_WRONLY | O_CREAT | O_APPEND), Fd()};
    case Redirect::Kind::capture: {
      Pipe p = makePipe();
      return {std::move(p.write), std::move(p.read)};
    }
  }
  return {};
}

// Child side: tells the parent why it could not exec (errno through the pipe) and exits.
[[noreturn]] void childFailed(int error_fd) {
  int error = errno;
  [[maybe_unused]] auto n = ::write(error_fd, &error, sizeof error);
  ::_exit(127);
}

// Runs in the child between fork() and execve(): async-signal-safe calls only, no
// allocation, no exceptions. Reports a failure's errno through `error_fd`.
[[noreturn]] void childAfterFork(pid_t parent, const ProcessOptions& options, int in_fd, int out_fd, int err_fd,
                                 int error_fd, const char* cwd, const char* path, char* const* argv,
                                 char* const* envp) {
  auto fail = [error_fd] { childFailed(error_fd); };
  if (options.own_process_group) ::setpgid(0, 0);
  if (options.die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl took effect: then nobody would kill us.
    if (::getppid() != parent) ::_exit(127);
  }
  // A child must not inherit the test binary's blocked or ignored signals (an ignored
  // SIGPIPE or a blocked SIGTERM would change how nginx and GStreamer behave).
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);

  if (::dup2(in_fd, STDIN_FILENO) < 0) fail();
  if (out_fd >= 0 && ::dup2(out_fd, STDOUT_FILENO) < 0) fail();
  if (err_fd >= 0 && ::dup2(err_fd, STDERR_FILENO) < 0) fail();
  // Nothing but 0, 1 and 2 crosses the exec, whatever the test binary (or a library in
  // it) opened without O_CLOEXEC.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    long max_fd = ::sysconf(_SC_OPEN_MAX);
    for (int fd = 3; fd < max_fd; ++fd) {
      if (fd != error_fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
  if (cwd != nullptr && ::chdir(cwd) != 0) fail();
  ::execve(path, argv, envp);
  childFailed(error_fd);
}

}  // namespace

// Reads the captured pipes on a background thread: a child writing more than a pipe's
// buffer (64 KiB) would otherwise block forever while the test waits for it to exit.
struct Process::Capture {
  Fd out;
  Fd err;
  mutable std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;  // both pipes at end-of-file, or told to stop
  std::string out_text;
  std::string err_text;
  std::atomic<bool> stop{false};
  std::thread reader;

  Capture(Fd out_fd, Fd err_fd) : out(std::move(out_fd)), err(std::move(err_fd)) {
    for (int fd : {out.get(), err.get()}) {
      if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    reader = std::thread([this] { run(); });
  }
  ~Capture() { finish(std::chrono::milliseconds(0)); }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  // Reads what is available now; false at end-of-file.
  bool drain(Fd& fd, std::string& text) {
    char buffer[8192];
    for (;;) {
      ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
      if (n > 0) {
        std::lock_guard lock(mutex);
        text.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;  // other errors: treat as closed
    }
  }

  void run() {
    // Polls with a short timeout so that finish() can stop a reader whose pipe a
    // grandchild holds open.
    while (!stop.load()) {
      pollfd fds[2];
      std::string* texts[2];
      Fd* owners[2];
      nfds_t count = 0;
      for (auto [fd, text] : {std::pair{&out, &out_text}, std::pair{&err, &err_text}}) {
        if (fd->get() < 0) continue;
        fds[count] = {fd->get(), POLLIN, 0};
        texts[count] = text;
        owners[count] = fd;
        ++count;
      }
      if (count == 0) break;
      int ready = ::poll(fds, count, 50);
      if (ready < 0 && errno != EINTR) break;
      for (nfds_t i = 0; i < count; ++i) {
        if (fds[i].revents != 0 && !drain(*owners[i], *texts[i])) owners[i]->reset();
      }
    }
    // A last non-blocking read: what was written before the stop is kept.
    for (auto [fd, text] : {std::pair{&out, &out_text}, std::pair{&err, &err_text}}) {
      if (fd->get() >= 0) drain(*fd, *text);
    }
    std::lock_guard lock(mutex);
    done = true;
    done_cv.notify_all();
  }

  void finish(std::chrono::milliseconds timeout) {
    {
      std::unique_lock lock(mutex);
      done_cv.wait_for(lock, timeout, [this] { return done; });
    }
    stop.store(true);
    if (reader.joinable()) reader.join();
    out.reset();
    err.reset();
  }
};

Process::Process(std::vector<std::string> argv, ProcessOptions options) : argv_(std::move(argv)) {
  if (argv_.empty()) throw std::invalid_argument("Process: empty argv");

  // Everything the child needs is prepared here, before fork().
  std::string path = resolveExecutable(argv_[0], options.env);
  std::vector<std::string> args = argv_;
  std::vector<char*> c_args = cStrings(args);
  std::vector<std::string> env = buildEnvironment(options.env);
  std::vector<char*> c_env = cStrings(env);
  std::string cwd = options.cwd ? options.cwd->string() : std::string();

  // stdin is /dev/null: a child must never read the terminal or a test runner's pipe.
  Fd in = openCloexec("/dev/null", O_RDONLY);
  Target out = openTarget(options.out);
  Target err = openTarget(options.err);
  Pipe exec_error = makePipe();

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throwErrno(errno, "fork");
  if (pid == 0) {
    childAfterFork(parent, options, in.get(), out.child_end.get(), err.child_end.get(), exec_error.write.get(),
                   options.cwd ? cwd.c_str() : nullptr, path.c_str(), c_args.data(), c_env.data());
  }
  pid_ = pid;
  own_group_ = options.own_process_group;
  // Also from the parent, so that signalGroup() right after construction cannot race the
  // child's own setpgid (fails harmlessly once the child has exec'd).
  if (own_group_) ::setpgid(pid, pid);

  // Our copies of the child's ends must go, or the capture would never see end-of-file.
  exec_error.write.reset();
  out.child_end.reset();
  err.child_end.reset();
  in.reset();

  // The error pipe is close-on-exec: end-of-file means execve succeeded.
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_error.read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    throwErrno(child_errno, "cannot run " + describeCommand(argv_));
  }

  if (out.capture.get() >= 0 || err.capture.get() >= 0) {
    capture_ = std::make_unique<Capture>(std::move(out.capture), std::move(err.capture));
  }
}

Process::~Process() { killAndReap(); }

Process::Process(Process&& other) noexcept
    : argv_(std::move(other.argv_)),
      pid_(std::exchange(other.pid_, -1)),
      own_group_(other.own_group_),
      status_(std::exchange(other.status_, std::nullopt)),
      capture_(std::move(other.capture_)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    killAndReap();
    argv_ = std::move(other.argv_);
    pid_ = std::exchange(other.pid_, -1);
    own_group_ = other.own_group_;
    status_ = std::exchange(other.status_, std::nullopt);
    capture_ = std::move(other.capture_);
  }
  return *this;
}

void Process::killAndReap() noexcept {
  if (pid_ > 0 && !status_) kill9();
  capture_.reset();
}

void Process::reap(int wait_status) {
  if (WIFEXITED(wait_status)) {
    status_ = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    status_ = -WTERMSIG(wait_status);
  } else {
    status_ = -1;
  }
}

bool Process::running() {
  if (pid_ <= 0 || status_) return false;
  int wait_status = 0;
  pid_t r = ::waitpid(pid_, &wait_status, WNOHANG);
  if (r == pid_) {
    reap(wait_status);
  } else if (r < 0 && errno == ECHILD) {
    status_ = -1;  // reaped by someone else (SIGCHLD set to SIG_IGN): gone all the same
  }
  return !status_;
}

void Process::signal(int signo) {
  // Only while unreaped: a zombie still owns its pid, so the pid cannot be someone else's.
  if (pid_ > 0 && !status_) ::kill(pid_, signo);
}

void Process::signalGroup(int signo) {
  if (pid_ > 0 && !status_) ::kill(own_group_ ? -pid_ : pid_, signo);
}

ExitStatus Process::kill9() {
  if (pid_ <= 0) return -1;
  if (!status_) {
    signalGroup(SIGKILL);
    int wait_status = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &wait_status, 0);
    } while (r < 0 && errno == EINTR);
    if (r == pid_) {
      reap(wait_status);
    } else {
      status_ = -1;
    }
  }
  return *status_;
}

std::optional<ExitStatus> Process::waitFor(std::chrono::milliseconds timeout) {
  // Polling keeps this free of SIGCHLD handlers, which would belong to the whole test
  // binary; a few milliseconds of latency do not matter to a test.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto step = std::chrono::milliseconds(1);
  while (running()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(step, deadline - now));
    step = std::min(step * 2, std::chrono::milliseconds(20));
  }
  return status_;
}

std::string Process::capturedOut() const {
  if (!capture_) return {};
  std::lock_guard lock(capture_->mutex);
  return capture_->out_text;
}

std::string Process::capturedErr() const {
  if (!capture_) return {};
  std::lock_guard lock(capture_->mutex);
  return capture_->err_text;
}

void Process::finishCapture(std::chrono::milliseconds timeout) {
  if (capture_) capture_->finish(timeout);
}

CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         ProcessOptions options) {
  options.out = Redirect::capture();
  options.err = Redirect::capture();
  Process process(argv, std::move(options));
  CommandResult result;
  if (auto status = process.waitFor(timeout)) {
    result.exit_code = *status;
  } else {
    result.timed_out = true;
    result.exit_code = process.kill9();
  }
  process.finishCapture(std::chrono::seconds(1));
  result.out = process.capturedOut();
  result.err = process.capturedErr();
  return result;
}

std::string describeCommand(const std::vector<std::string>& argv) {
  std::string result;
  for (const auto& arg : argv) {
    if (!result.empty()) result += ' ';
    bool plain = !arg.empty() && arg.find_first_of(" \t\n'\"\\$`!*?;&|<>(){}[]#~") == std::string::npos;
    if (plain) {
      result += arg;
    } else {
      result += '\'';
      for (char c : arg) {
        if (c == '\'') {
          result += "'\\''";
        } else {
          result += c;
        }
      }
      result += '\'';
    }
  }
  return result;
}

}  // namespace tribune::testing
