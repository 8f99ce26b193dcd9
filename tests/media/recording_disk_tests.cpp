// The recording's disk fails mid-meeting (issue 6, "Stalls and resources"): the broadcast
// goes on, the alarm is raised, and a new file starts when the disk has room again.
// A real, small tmpfs stands in for the disk: tests run as root here, so permissions
// would not stop a write, but a full file system does.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <vector>

#include "running_hub.h"
#include "support/ffprobe.h"
#include "support/nginx_rtmp.h"
#include "support/process.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

// A tmpfs mounted for the test and unmounted whatever happens (lazily: a file still open
// by a pipeline being reaped must not keep it mounted).
class TmpfsMount {
 public:
  TmpfsMount(std::filesystem::path dir, const std::string& size) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    const std::string options = "size=" + size;
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      FAIL("mounting a tmpfs on " << dir_.string() << " failed (" << std::strerror(errno)
                                  << "): this test needs root or CAP_SYS_ADMIN");
    }
    mounted_ = true;
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
};

// Writes to `file` until the file system is full; returns the bytes written.
std::uint64_t fillDisk(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("filler: " + std::string(std::strerror(errno)));
  const std::vector<char> chunk(256 * 1024, 'x');
  std::uint64_t written = 0;
  while (true) {
    const auto n = ::write(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  return written;
}

std::uint64_t sizeOf(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  return ec ? 0 : size;
}

std::string metrics(int port) {
  auto result =
      runCommand({"curl", "-sS", "--max-time", "5", "http://127.0.0.1:" + std::to_string(port) + "/metrics"}, 10s);
  if (result.exit_code != 0) throw std::runtime_error("curl /metrics: " + result.err);
  return result.out;
}

}  // namespace

TEST_CASE("a full recording disk raises the alarm, the broadcast goes on, and a new file starts when room comes back",
          "[media][recording-disk]") {
  NginxRtmp server;
  server.start();
  TempDir data;
  TmpfsMount disk(data / "disk", "64m");
  auto config = testConfig();
  config.recording.directory = disk.path().string();
  config.destinations.push_back(testDestination("platform", server.rtmpUrl("disk-full-key")));
  std::filesystem::path first;
  std::filesystem::path second;
  {
    RunningHub hub(config, data.path());
    REQUIRE(hub.waitForPhase("platform", "live", 5s));
    first = hub.hub().recordingPath();
    REQUIRE(first.parent_path() == disk.path());
    // A few seconds of recording first, so that the first file has something to read.
    REQUIRE(waitUntil([&] { return sizeOf(first) > 600 * 1024; }, 10s));
    {
      const auto before = hub.hub().snapshot();
      CHECK(before.recordingState == "recording");
      REQUIRE(before.recordingFreeBytes.has_value());
      CHECK(*before.recordingFreeBytes > 32ULL * 1024 * 1024);
      CHECK(before.recordingNeededBytes > 0);
      // 240 min at 2 Mb/s is far more than 64 MB.
      CHECK(before.recordingLowSpace);
    }

    // The disk fills up mid-meeting.
    const auto filler = disk.path() / "filler.bin";
    fillDisk(filler);
    REQUIRE(waitUntil([&] { return hub.hub().snapshot().recordingState == "failed"; }, 10s));
    {
      const auto failed = hub.hub().snapshot();
      CHECK(failed.recordingError.find("Disque plein") != std::string::npos);
      CHECK(failed.recordingFailures == 1);
      CHECK(failed.recordingFiles.size() == 1);
      REQUIRE(waitUntil(
          [&] { return metrics(hub.hub().webPort()).find("tribune_recording_ok 0") != std::string::npos; }, 5s));
      CHECK(metrics(hub.hub().webPort()).find("tribune_recording_failures_total 1") != std::string::npos);
    }
    // Still full a while later: no new file, and the platform is still live.
    std::this_thread::sleep_for(3s);
    CHECK(hub.hub().recordingFiles().size() == 1);
    CHECK(hub.destination("platform").phase == "live");

    // Room again: a new file starts and grows, the alarm clears.
    std::filesystem::remove(filler);
    REQUIRE(waitUntil([&] { return hub.hub().recordingFiles().size() == 2; }, 8s));
    second = hub.hub().recordingPath();
    CHECK(second != first);
    CHECK(hub.hub().recordingFiles().front() == first);
    CHECK(hub.hub().snapshot().recordingState == "recording");
    REQUIRE(waitUntil([&] { return sizeOf(second) > 100 * 1024; }, 10s));
    CHECK(metrics(hub.hub().webPort()).find("tribune_recording_ok 1") != std::string::npos);
    std::this_thread::sleep_for(1s);
    CHECK(hub.destination("platform").phase == "live");
  }

  // The platform saw one unbroken publish.
  REQUIRE(server.waitForRecordingsClosed("disk-full-key", 5s));
  const auto received = server.recordings("disk-full-key");
  REQUIRE(received.size() == 1);
  const auto video = probePackets(received.front().string(), "v");
  REQUIRE(video.size() > 30);
  CHECK(largestGap(video) < 1.0);

  // Both files are readable: the first one up to where the disk was full.
  for (const auto& file : {first, second}) {
    INFO(file.string());
    const auto probe = probeStreams(file.string());
    CHECK(videoStream(probe)["codec_name"] == "h264");
    CHECK(probePackets(file.string(), "v").size() > 10);
  }
}
