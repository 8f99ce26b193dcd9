// The event log: durability across reopening, seq order, group commit, reads, refusals.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/event_store.h"
#include "store/store_test_helpers.h"
#include "support/temp_dir.h"

using tribune::store::AppendResult;
using tribune::store::Durability;
using tribune::store::EventStore;
using tribune::store::NewEvent;
using tribune::store::StoredEvent;
using tribune::store::StoreError;
using tribune::store::testing::appendAndWait;
using tribune::store::testing::makeEvent;
using tribune::store::testing::openPeer;
using tribune::testing::TempDir;

namespace sqlite = tribune::store::sqlite;

namespace {

void openStore(const std::filesystem::path& file) { EventStore store(file); }

}  // namespace

TEST_CASE("events survive closing and reopening the log with every field intact") {
  TempDir dir("tribune-store");
  const auto file = dir / "events.db";
  const std::string french = R"({"titre":"Délibération n°12 : budget — « œuvres »","vote":"adopté 🎉"})";
  std::vector<std::uint64_t> seqs;
  {
    EventStore store(file);
    AppendResult result =
        appendAndWait(store, {makeEvent("conseil-2024-03", "session_opened", "{}", 1711000000123, -1),
                              makeEvent("conseil-2024-03", "item_started", french, 1711000000456, 42),
                              makeEvent("conseil-2024-03", "clock", "{\"early\":true}", -5, -1234567890123)});
    REQUIRE_FALSE(result.error);
    seqs = result.seqs;
    REQUIRE(seqs.size() == 3);
  }
  EventStore reopened(file);
  const std::vector<StoredEvent> events = reopened.readSince(0, 100);
  REQUIRE(events.size() == 3);
  CHECK(events[0].seq == seqs[0]);
  CHECK(events[0].meeting == "conseil-2024-03");
  CHECK(events[0].type == "session_opened");
  CHECK(events[0].data == "{}");
  CHECK(events[0].wallMs == 1711000000123);
  CHECK(events[0].programNs == -1);
  CHECK(events[1].seq == seqs[1]);
  CHECK(events[1].type == "item_started");
  CHECK(events[1].data == french);
  CHECK(events[1].wallMs == 1711000000456);
  CHECK(events[1].programNs == 42);
  CHECK(events[2].seq == seqs[2]);
  CHECK(events[2].wallMs == -5);
  CHECK(events[2].programNs == -1234567890123);
  CHECK(reopened.lastSeq() == seqs[2]);
}

TEST_CASE("seqs strictly increase across appends and across reopening") {
  TempDir dir("tribune-store");
  const auto file = dir / "events.db";
  std::vector<std::uint64_t> seqs;
  for (int run = 0; run < 3; ++run) {
    EventStore store(file);
    for (int i = 0; i < 4; ++i) {
      AppendResult result = appendAndWait(store, {makeEvent("m", "a", "{}"), makeEvent("m", "b", "{}")});
      REQUIRE_FALSE(result.error);
      seqs.insert(seqs.end(), result.seqs.begin(), result.seqs.end());
    }
  }
  REQUIRE(seqs.size() == 24);
  for (std::size_t i = 1; i < seqs.size(); ++i) CHECK(seqs[i] > seqs[i - 1]);
  EventStore store(file);
  CHECK(store.lastSeq() == seqs.back());
}

TEST_CASE("concurrent appenders are each acknowledged exactly once and grouped into fewer transactions") {
  TempDir dir("tribune-store");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  constexpr int kTotal = kThreads * kPerThread;

  std::mutex mutex;
  std::condition_variable acknowledged;
  std::map<std::string, int> calls;            // "thread/index" → times its callback ran
  std::map<std::string, std::uint64_t> seqOf;  // "thread/index" → its seq
  std::vector<std::string> errors;
  int done = 0;

  EventStore store(dir / "events.db");
  std::vector<std::thread> appenders;
  appenders.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    appenders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = std::to_string(t) + "/" + std::to_string(i);
        store.append({makeEvent("m", "tick", "{\"key\":\"" + key + "\"}")}, [&, key](AppendResult result) {
          std::lock_guard lock(mutex);
          ++calls[key];
          if (result.error) errors.push_back(*result.error);
          if (result.seqs.size() == 1) seqOf[key] = result.seqs[0];
          ++done;
          acknowledged.notify_all();
        });
      }
    });
  }
  for (auto& appender : appenders) appender.join();
  {
    std::unique_lock lock(mutex);
    REQUIRE(acknowledged.wait_for(lock, std::chrono::seconds(60), [&] { return done >= kTotal; }));
  }

  std::lock_guard lock(mutex);
  CHECK(errors.empty());
  REQUIRE(calls.size() == kTotal);
  for (const auto& [key, count] : calls) CHECK(count == 1);
  REQUIRE(seqOf.size() == kTotal);
  std::set<std::uint64_t> distinct;
  for (const auto& [key, seq] : seqOf) distinct.insert(seq);
  CHECK(distinct.size() == kTotal);

  // One appender's events are stored in the order it appended them.
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 1; i < kPerThread; ++i) {
      const std::string prefix = std::to_string(t) + "/";
      CHECK(seqOf[prefix + std::to_string(i)] > seqOf[prefix + std::to_string(i - 1)]);
    }
  }

  const std::vector<StoredEvent> stored = store.readSince(0, kTotal + 10);
  REQUIRE(stored.size() == kTotal);
  for (const StoredEvent& event : stored) {
    const std::string key = event.data.substr(8, event.data.size() - 10);  // {"key":"t/i"}
    CHECK(seqOf[key] == event.seq);
  }

  const auto stats = store.stats();
  CHECK(stats.events == kTotal);
  CHECK(stats.failures == 0);
  CHECK(stats.queuedEvents == 0);
  CHECK(stats.transactions < kTotal);  // group commit grouped
  CHECK(stats.largestTransaction > 1);
}

TEST_CASE("readSince returns the events after a seq, in order, at most limit of them") {
  TempDir dir("tribune-store");
  EventStore store(dir / "events.db");
  std::vector<NewEvent> events;
  events.reserve(10);
  for (int i = 0; i < 10; ++i) events.push_back(makeEvent("m", "e", std::to_string(i)));
  const AppendResult result = appendAndWait(store, std::move(events));
  REQUIRE(result.seqs.size() == 10);

  const auto fromFourth = store.readSince(result.seqs[2], 4);
  REQUIRE(fromFourth.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(fromFourth[i].seq == result.seqs[3 + i]);
    CHECK(fromFourth[i].data == std::to_string(3 + i));
  }
  CHECK(store.readSince(result.seqs[9], 100).empty());
  CHECK(store.readSince(0, 0).empty());
  CHECK(store.readSince(0, static_cast<std::size_t>(-1)).size() == 10);
  CHECK(store.readSince(static_cast<std::uint64_t>(-1), 10).empty());
}

TEST_CASE("readMeeting returns that meeting's events only, in seq order") {
  TempDir dir("tribune-store");
  EventStore store(dir / "events.db");
  REQUIRE_FALSE(appendAndWait(store, {makeEvent("mars", "a", "1"), makeEvent("avril", "b", "2")}).error);
  REQUIRE_FALSE(appendAndWait(store, {makeEvent("mars", "c", "3")}).error);

  const auto mars = store.readMeeting("mars");
  REQUIRE(mars.size() == 2);
  CHECK(mars[0].type == "a");
  CHECK(mars[1].type == "c");
  CHECK(mars[0].seq < mars[1].seq);
  CHECK(store.readMeeting("avril").size() == 1);
  CHECK(store.readMeeting("mai").empty());
}

TEST_CASE("lastMeeting is the meeting of the latest event, and nothing for an empty log") {
  TempDir dir("tribune-store");
  const auto file = dir / "events.db";
  {
    EventStore store(file);
    CHECK_FALSE(store.lastMeeting().has_value());
    CHECK(store.lastSeq() == 0);
    REQUIRE_FALSE(appendAndWait(store, {makeEvent("mars", "a", "{}"), makeEvent("avril", "b", "{}")}).error);
    CHECK(store.lastMeeting() == std::optional<std::string>("avril"));
    REQUIRE_FALSE(appendAndWait(store, {makeEvent("mars", "c", "{}")}).error);
    CHECK(store.lastMeeting() == std::optional<std::string>("mars"));
  }
  EventStore reopened(file);
  CHECK(reopened.lastMeeting() == std::optional<std::string>("mars"));
  CHECK(reopened.lastSeq() == 3);
}

TEST_CASE("meetings lists every meeting of the log once, in the order of their first event") {
  TempDir dir("tribune-store");
  EventStore store(dir / "events.db");
  CHECK(store.meetings().empty());
  REQUIRE_FALSE(appendAndWait(store, {makeEvent("mars", "a", "{}"), makeEvent("avril", "b", "{}")}).error);
  REQUIRE_FALSE(appendAndWait(store, {makeEvent("mars", "c", "{}"), makeEvent("mai", "d", "{}")}).error);
  CHECK(store.meetings() == std::vector<std::string>{"mars", "avril", "mai"});
}

TEST_CASE("an empty append is acknowledged with no seqs and no transaction") {
  TempDir dir("tribune-store");
  EventStore store(dir / "events.db");
  const AppendResult result = appendAndWait(store, {});
  CHECK_FALSE(result.error);
  CHECK(result.seqs.empty());
  CHECK(store.stats().transactions == 0);
}

TEST_CASE("closing the store commits and acknowledges everything still queued") {
  TempDir dir("tribune-store");
  const auto file = dir / "events.db";
  std::atomic<int> acknowledged{0};
  {
    EventStore store(file);
    for (int i = 0; i < 300; ++i) {
      store.append({makeEvent("m", "e", std::to_string(i))}, [&acknowledged](const AppendResult& result) {
        if (!result.error && result.seqs.size() == 1) ++acknowledged;
      });
    }
  }
  CHECK(acknowledged == 300);
  EventStore reopened(file);
  CHECK(reopened.readSince(0, 1000).size() == 300);
}

TEST_CASE("a callback that throws does not stop the writer") {
  TempDir dir("tribune-store");
  EventStore store(dir / "events.db");
  store.append({makeEvent("m", "e", "{}")}, [](const AppendResult&) { throw std::runtime_error("hub bug"); });
  const AppendResult after = appendAndWait(store, {makeEvent("m", "e", "{}")});
  CHECK_FALSE(after.error);
  CHECK(store.stats().callbackExceptions == 1);
  CHECK(store.readSince(0, 10).size() == 2);
}

TEST_CASE("the log is created in WAL mode with schema version 1") {
  TempDir dir("tribune-store");
  const auto file = dir / "events.db";
  for (Durability durability : {Durability::Process, Durability::PowerLoss}) {
    std::filesystem::remove(file);
    EventStore store(file, durability);
    CHECK(store.durability() == durability);
    REQUIRE_FALSE(appendAndWait(store, {makeEvent("m", "e", "{}")}).error);
    sqlite::Connection peer = openPeer(file);
    CHECK(sqlite::queryText(peer.get(), "PRAGMA journal_mode") == "wal");
    CHECK(sqlite::queryInt(peer.get(), "PRAGMA user_version") == 1);
  }
}

TEST_CASE("a log in a folder that does not exist is refused, naming the folder") {
  TempDir dir("tribune-store");
  const auto file = dir / "missing" / "events.db";
  REQUIRE_THROWS_AS(openStore(file), StoreError);
  REQUIRE_THROWS_WITH(openStore(file), Catch::Contains((dir / "missing").string()) &&
                                           Catch::Contains("does not exist") && Catch::Contains("create it"));
}

TEST_CASE("a folder given as the log file is refused") {
  TempDir dir("tribune-store");
  REQUIRE_THROWS_WITH(openStore(dir.path()), Catch::Contains("it is a folder"));
}

TEST_CASE("a file that is not an SQLite database is refused as not a Tribune event log") {
  TempDir dir("tribune-store");
  const auto file = dir / "events.db";
  SECTION("a short text") { tribune::testing::writeTextFile(file, "ordre du jour\n"); }
  SECTION("a long text") {
    std::string minutes;
    for (int i = 0; i < 200; ++i) minutes += "Le conseil municipal approuve le procès-verbal.\n";
    tribune::testing::writeTextFile(file, minutes);
  }
  const std::string before = tribune::testing::readTextFile(file);
  REQUIRE_THROWS_AS(openStore(file), StoreError);
  REQUIRE_THROWS_WITH(openStore(file), Catch::Contains(file.string()) &&
                                           Catch::Contains("is not a Tribune event log") &&
                                           Catch::Contains("choose another path"));
  CHECK(tribune::testing::readTextFile(file) == before);  // left as it was
}

TEST_CASE("an SQLite database of another program is refused as not a Tribune event log") {
  TempDir dir("tribune-store");
  const auto file = dir / "other.db";
  {
    sqlite::Connection peer = openPeer(file);
    sqlite::exec(peer.get(), "CREATE TABLE recipes(name TEXT)");
  }
  REQUIRE_THROWS_WITH(openStore(file), Catch::Contains("is not a Tribune event log"));
}

TEST_CASE("a log written by a newer Tribune is refused") {
  TempDir dir("tribune-store");
  const auto file = dir / "events.db";
  { EventStore store(file); }
  {
    sqlite::Connection peer = openPeer(file);
    sqlite::exec(peer.get(), "PRAGMA user_version = 2");
  }
  REQUIRE_THROWS_AS(openStore(file), StoreError);
  REQUIRE_THROWS_WITH(openStore(file), Catch::Contains("this event log was written by a newer Tribune") &&
                                           Catch::Contains(file.string()));
}
