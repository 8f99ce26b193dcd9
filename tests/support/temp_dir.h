#pragma once
// Scratch space and loopback ports for tests that run real peers.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace tribune::testing {

// A fresh directory under /tmp (mkdtemp), removed with everything in it when the TempDir
// goes. Set TRIBUNE_KEEP_TEST_FILES=1 to keep it for a post-mortem (nginx's error.log, the
// recordings): its path is then printed to stderr.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "tribune-test");
  ~TempDir();

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  void remove() noexcept;
  std::filesystem::path path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago: bound with port 0, read back,
// closed. Another process may take it before the caller binds it, so a server that fails
// to bind should pick again (NginxRtmp::start does).
std::uint16_t freeLoopbackPort();

// Whether something accepts TCP connections on 127.0.0.1:port right now.
bool loopbackPortAccepts(std::uint16_t port);

// Polls `condition` every `step` until it holds or `timeout` passes; returns the last
// answer. For waiting on the outside world (a port, a file), not for timing assertions.
bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
               std::chrono::milliseconds step = std::chrono::milliseconds(20));

// Whole-file helpers; readTextFile returns "" for a missing file (logs not written yet).
std::string readTextFile(const std::filesystem::path& path);
void writeTextFile(const std::filesystem::path& path, std::string_view text);

}  // namespace tribune::testing
