// Nothing acknowledged is lost when the process is SIGKILLed.
//
// The test binary re-executes itself to run the hidden child test case below (by name),
// which appends events one after the other, keeping many in flight so that the kill lands
// during commits, and prints "acked <seq> <n>" for each acknowledged event (n: its place in
// the append order; its data is {"n":n}). The parent kills it once enough were printed,
// reopens the log and checks every acknowledged event is there.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "store/event_store.h"
#include "store/store_test_helpers.h"
#include "support/process.h"
#include "support/temp_dir.h"

using tribune::store::AppendResult;
using tribune::store::EventStore;
using tribune::store::StoredEvent;
using tribune::store::testing::appendAndWait;
using tribune::store::testing::makeEvent;
using tribune::testing::Process;
using tribune::testing::ProcessOptions;
using tribune::testing::Redirect;
using tribune::testing::TempDir;
using tribune::testing::waitUntil;

namespace {

constexpr const char* kChildTestName = "store crash child: appends and prints each acknowledgement until killed";
constexpr const char* kChildFileVariable = "TRIBUNE_STORE_CHILD_FILE";
constexpr const char* kMeeting = "crash";

std::string dataFor(long n) { return "{\"n\":" + std::to_string(n) + "}"; }

// Complete "acked <seq> <n>" lines only: the kill may cut the last one short.
std::map<std::uint64_t, long> parseAcks(const std::string& out) {
  std::map<std::uint64_t, long> acks;
  std::size_t start = 0;
  for (std::size_t end = out.find('\n'); end != std::string::npos; start = end + 1, end = out.find('\n', start)) {
    std::istringstream line(out.substr(start, end - start));
    std::string word;
    std::uint64_t seq = 0;
    long n = 0;
    if (line >> word >> seq >> n && word == "acked") acks[seq] = n;
  }
  return acks;
}

std::size_t countAcks(const std::string& out) {
  std::size_t count = 0;
  for (std::size_t at = out.find("acked "); at != std::string::npos; at = out.find("acked ", at + 1)) ++count;
  return count;
}

}  // namespace

TEST_CASE("every acknowledged event survives a SIGKILL of the appending process") {
  TempDir dir("tribune-store");
  const auto file = dir / "events.db";
  ProcessOptions options;
  options.env[kChildFileVariable] = file.string();
  options.out = Redirect::capture();
  options.err = Redirect::capture();
  Process child({std::filesystem::read_symlink("/proc/self/exe").string(), kChildTestName}, options);

  const bool enough =
      waitUntil([&] { return countAcks(child.capturedOut()) >= 5000 || !child.running(); }, std::chrono::seconds(60));
  INFO("child stderr: " << child.capturedErr());
  REQUIRE(enough);
  REQUIRE(child.running());  // it appends until killed
  CHECK(child.kill9() == -9);
  child.finishCapture();
  const std::map<std::uint64_t, long> acks = parseAcks(child.capturedOut());
  REQUIRE(acks.size() >= 5000);

  EventStore store(file);
  const std::vector<StoredEvent> events = store.readSince(0, static_cast<std::size_t>(-1));
  REQUIRE(events.size() >= acks.size());

  // Consistent: the child appended n = 0, 1, 2… from one thread, so the log must hold a
  // gapless prefix of that sequence, in seq order.
  std::map<std::uint64_t, const StoredEvent*> bySeq;
  for (std::size_t i = 0; i < events.size(); ++i) {
    INFO("stored event " << i);
    CHECK(events[i].meeting == kMeeting);
    CHECK(events[i].data == dataFor(static_cast<long>(i)));
    if (i > 0) CHECK(events[i].seq > events[i - 1].seq);
    bySeq[events[i].seq] = &events[i];
  }
  // Durable: everything acknowledged is there, with its data.
  std::size_t missing = 0;
  for (const auto& [seq, n] : acks) {
    auto found = bySeq.find(seq);
    if (found == bySeq.end()) {
      ++missing;
      continue;
    }
    CHECK(found->second->data == dataFor(n));
  }
  CHECK(missing == 0);

  // And the log goes on after the crash.
  const AppendResult next = appendAndWait(store, {makeEvent(kMeeting, "resumed", "{}")});
  REQUIRE_FALSE(next.error);
  CHECK(next.seqs.at(0) > events.back().seq);
}

// Hidden ([.]): run only by the test above, in a child process it SIGKILLs.
TEST_CASE("store crash child: appends and prints each acknowledgement until killed", "[.]") {
  const char* file = std::getenv(kChildFileVariable);
  if (file == nullptr) {
    SUCCEED("run by the SIGKILL test only, which sets " << kChildFileVariable);
    return;
  }
  constexpr long kMaxInFlight = 64;
  // A bound in case the parent never kills it; the parent's death kills it anyway.
  constexpr long kMaxEvents = 2'000'000;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);

  std::mutex mutex;
  std::condition_variable acknowledged;
  long inFlight = 0;
  EventStore store(file);
  for (long n = 0; n < kMaxEvents && std::chrono::steady_clock::now() < deadline; ++n) {
    {
      std::unique_lock lock(mutex);
      acknowledged.wait(lock, [&] { return inFlight < kMaxInFlight; });
      ++inFlight;
    }
    store.append({makeEvent(kMeeting, "tick", dataFor(n))}, [&, n](const AppendResult& result) {
      if (result.error) {
        std::fprintf(stderr, "append %ld failed: %s\n", n, result.error->c_str());
        std::abort();  // the parent then sees the child gone early and fails with this message
      }
      // One write per line (a pipe write under PIPE_BUF is atomic), flushed before the
      // next event is acknowledged.
      std::printf("acked %llu %ld\n", static_cast<unsigned long long>(result.seqs.at(0)), n);
      std::fflush(stdout);
      std::lock_guard lock(mutex);
      --inFlight;
      acknowledged.notify_all();
    });
  }
}
