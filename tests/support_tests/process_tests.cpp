// The process and temp-dir helpers underpin every real-peer test: a leaked child or a
// hung wait there would show up as flaky media tests, so they are pinned down here.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "support/process.h"
#include "support/temp_dir.h"

using namespace std::chrono_literals;
using namespace tribune::testing;

namespace {

// Alive and not a zombie (a killed grandchild lingers as one until init reaps it).
bool alive(pid_t pid) {
  std::string stat = readTextFile("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("runCommand captures exit code, stdout and stderr", "[process]") {
  auto result = runCommand({"sh", "-c", "echo out; echo err >&2; exit 3"}, 5s);
  CHECK(result.exit_code == 3);
  CHECK(result.out == "out\n");
  CHECK(result.err == "err\n");
  CHECK_FALSE(result.timed_out);
}

TEST_CASE("runCommand drains output larger than a pipe buffer", "[process]") {
  auto result = runCommand({"head", "-c", "1000000", "/dev/zero"}, 5s);
  CHECK(result.exit_code == 0);
  CHECK(result.out.size() == 1000000);
}

TEST_CASE("runCommand kills a command that outlives its timeout", "[process]") {
  auto before = std::chrono::steady_clock::now();
  auto result = runCommand({"sleep", "30"}, 200ms);
  CHECK(result.timed_out);
  CHECK(result.exit_code == -SIGKILL);
  CHECK(std::chrono::steady_clock::now() - before < 5s);
}

TEST_CASE("Process passes environment additions and keeps the rest", "[process]") {
  ProcessOptions options;
  options.env["TRIBUNE_TEST_VALUE"] = "hello world";
  auto result = runCommand({"sh", "-c", "printf '%s|%s' \"$TRIBUNE_TEST_VALUE\" \"${PATH:+has-path}\""}, 5s, options);
  CHECK(result.out == "hello world|has-path");
}

TEST_CASE("Process reports a program that cannot be run", "[process]") {
  CHECK_THROWS_AS(Process({"tribune-no-such-program"}), std::system_error);
  CHECK_THROWS_AS(Process({"/nonexistent/program"}), std::system_error);
}

TEST_CASE("Process redirects output to files", "[process]") {
  TempDir dir;
  ProcessOptions options;
  options.out = Redirect::toFile(dir / "out.txt");
  options.err = Redirect::appendTo(dir / "err.txt");
  writeTextFile(dir / "err.txt", "before\n");
  Process p({"sh", "-c", "echo to-out; echo to-err >&2"}, options);
  REQUIRE(p.waitFor(5s) == 0);
  CHECK(readTextFile(dir / "out.txt") == "to-out\n");
  CHECK(readTextFile(dir / "err.txt") == "before\nto-err\n");
}

TEST_CASE("Process signals, waits and reports death by signal", "[process]") {
  Process p({"sleep", "30"});
  CHECK(p.running());
  CHECK_FALSE(p.waitFor(50ms).has_value());
  p.signal(SIGTERM);
  auto status = p.waitFor(5s);
  REQUIRE(status.has_value());
  CHECK(*status == -SIGTERM);
  CHECK_FALSE(p.running());
  CHECK(p.kill9() == -SIGTERM);  // already reaped: nothing more to do
}

TEST_CASE("Process gives the child no file descriptors but 0, 1 and 2", "[process]") {
  // A socket the test holds without close-on-exec (fd 100 and up, far from the low
  // numbers ls itself opens) must not leak into the child.
  int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(socket_fd >= 0);
  int leaky = ::fcntl(socket_fd, F_DUPFD, 100);
  ::close(socket_fd);
  REQUIRE(leaky >= 100);
  auto result = runCommand({"ls", "/proc/self/fd"}, 5s);
  ::close(leaky);
  CHECK(result.exit_code == 0);
  std::string listed = "\n" + result.out;  // every fd number between two newlines
  std::string needle = std::to_string(leaky);
  needle.insert(needle.begin(), '\n');
  needle.push_back('\n');
  CHECK(listed.find(needle) == std::string::npos);
}

// (Not "~Process …": Catch2 reads a leading ~ in a test spec as "every test but".)
TEST_CASE("the Process destructor kills the child and what it forked", "[process]") {
  TempDir dir;
  pid_t child = 0;
  pid_t grandchild = 0;
  {
    ProcessOptions options;
    options.out = Redirect::toFile(dir / "pids");
    Process p({"sh", "-c", "sleep 30 & echo $!; wait"}, options);
    child = p.pid();
    REQUIRE(waitUntil([&] { return !readTextFile(dir / "pids").empty(); }, 5s));
    grandchild = std::stoi(readTextFile(dir / "pids"));
    CHECK(alive(grandchild));
  }
  CHECK_FALSE(alive(child));
  CHECK(waitUntil([&] { return !alive(grandchild); }, 2s));  // reaped by init shortly after
}

TEST_CASE("TempDir is removed with its contents unless kept", "[tempdir]") {
  std::filesystem::path path;
  {
    TempDir dir;
    path = dir.path();
    CHECK(std::filesystem::is_directory(path));
    std::filesystem::create_directories(dir / "a" / "b");
    writeTextFile(dir / "a" / "b" / "file", "x");
  }
  if (std::getenv("TRIBUNE_KEEP_TEST_FILES") == nullptr) CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("freeLoopbackPort gives a port nobody listens on", "[tempdir]") {
  auto port = freeLoopbackPort();
  CHECK(port > 0);
  CHECK_FALSE(loopbackPortAccepts(port));
}
