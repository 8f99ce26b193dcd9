// The retention purge of the event log: what goes, what stays, that the text is gone from
// the bytes on disk, and that appends carry on around it.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/event_store.h"
#include "store/store_test_helpers.h"
#include "support/temp_dir.h"

using tribune::store::AppendResult;
using tribune::store::EventStore;
using tribune::store::NewEvent;
using tribune::store::StoredEvent;
using tribune::store::StoreError;
using tribune::store::testing::appendAndWait;
using tribune::store::testing::makeEvent;
using tribune::testing::readTextFile;
using tribune::testing::TempDir;

namespace {

constexpr std::int64_t kCutoff = 1'000'000;  // wall clock of the purge's cutoff, ms
constexpr std::int64_t kOld = kCutoff - 1;
constexpr std::int64_t kRecent = kCutoff;  // not before the cutoff: kept

std::string asked(std::uint64_t id, const std::string& text) {
  return R"({"id":)" + std::to_string(id) + R"(,"text":")" + text + R"(","author":"browser-)" + std::to_string(id) +
         R"("})";
}

std::string about(std::uint64_t id) { return R"({"id":)" + std::to_string(id) + "}"; }

std::multiset<std::string> describe(const std::vector<StoredEvent>& events) {
  std::multiset<std::string> out;
  for (const auto& event : events) out.insert(event.meeting + " " + event.type + " " + event.data);
  return out;
}

// Everything SQLite keeps on disk for the log: the database file and its WAL.
std::string fileBytes(const std::filesystem::path& file) {
  return readTextFile(file) + readTextFile(file.string() + "-wal");
}

void appendAll(EventStore& store, std::vector<NewEvent> events) {
  const AppendResult result = appendAndWait(store, std::move(events));
  REQUIRE_FALSE(result.error);
}

}  // namespace

TEST_CASE("a purge deletes every event of the questions asked before the cutoff, and nothing else", "[purge]") {
  TempDir dir("tribune-purge");
  EventStore store(dir / "events.db");
  // The old meeting: questions 1 and 2 asked before the cutoff, 3 after it.
  appendAll(store, {makeEvent("old", "meeting_created", R"({"id":"old"})", kOld - 10),
                    makeEvent("old", "session_opened", "{}", kOld - 5),
                    makeEvent("old", "questions_prescreen", R"({"enabled":false})", kOld - 4),
                    makeEvent("old", "question_asked", asked(1, "Quand rouvre la piscine ?"), kOld - 3),
                    makeEvent("old", "question_asked", asked(2, "Et la piscine ?"), kOld - 2)});
  // Later events about the old questions, some after the cutoff themselves: they go too.
  appendAll(store, {makeEvent("old", "question_approved", about(1), kOld),
                    makeEvent("old", "question_upvoted", R"({"id":1,"voter":"browser-9"})", kRecent + 5),
                    makeEvent("old", "question_merged", R"({"id":2,"into":1})", kRecent + 6),
                    makeEvent("old", "question_on_air", about(1), kRecent + 7),
                    makeEvent("old", "question_answered", about(1), kRecent + 8),
                    makeEvent("old", "question_asked", asked(3, "Le marché de Noël ?"), kRecent),
                    // Question 3 merged into the old question 1: about question 3, kept.
                    makeEvent("old", "question_merged", R"({"id":3,"into":1})", kRecent + 9),
                    makeEvent("old", "overlay_shown", R"({"layer":"lower_third","id":1})", kRecent + 10),
                    makeEvent("old", "questions_prescreen", R"({"enabled":true})", kRecent + 11)});
  // Another meeting with the same question ids, asked after the cutoff: all kept.
  appendAll(store, {makeEvent("new", "question_asked", asked(1, "Les travaux rue Haute ?"), kRecent + 100),
                    makeEvent("new", "question_approved", about(1), kRecent + 101),
                    makeEvent("new", "question_asked", asked(2, "Le budget ?"), kRecent + 102),
                    makeEvent("new", "question_deleted", about(2), kRecent + 103)});

  const auto before = describe(store.readSince(0, 1000));
  CHECK(store.countQuestionsToPurge(kCutoff) == 7);
  CHECK(store.countQuestionsToPurge(kOld - 3) == 0);  // nothing asked before that
  CHECK(store.countQuestionsToPurge(kOld - 2) == 5);  // question 1 only

  CHECK(store.purgeQuestions(kCutoff) == 7);

  auto expected = before;
  for (const std::string& gone : std::vector<std::string>{
           "old question_asked " + asked(1, "Quand rouvre la piscine ?"),
           "old question_asked " + asked(2, "Et la piscine ?"), "old question_approved " + about(1),
           std::string(R"(old question_upvoted {"id":1,"voter":"browser-9"})"),
           std::string(R"(old question_merged {"id":2,"into":1})"), "old question_on_air " + about(1),
           "old question_answered " + about(1)}) {
    INFO(gone);
    REQUIRE(expected.count(gone) == 1);
    expected.erase(expected.find(gone));
  }
  CHECK(describe(store.readSince(0, 1000)) == expected);
  CHECK(store.countQuestionsToPurge(kCutoff) == 0);
  CHECK(store.purgeQuestions(kCutoff) == 0);  // a second purge finds nothing
}

TEST_CASE("a purge of an empty log or of recent questions deletes nothing", "[purge]") {
  TempDir dir("tribune-purge");
  EventStore store(dir / "events.db");
  CHECK(store.countQuestionsToPurge(kCutoff) == 0);
  CHECK(store.purgeQuestions(kCutoff) == 0);
  appendAll(store, {makeEvent("m", "question_asked", asked(1, "Bonjour ?"), kRecent)});
  CHECK(store.purgeQuestions(kCutoff) == 0);
  CHECK(store.readSince(0, 10).size() == 1);
}

TEST_CASE("an event whose data is not JSON neither stops a purge nor is deleted by it", "[purge]") {
  TempDir dir("tribune-purge");
  EventStore store(dir / "events.db");
  appendAll(store, {makeEvent("m", "question_asked", asked(1, "Vraie question"), kOld),
                    makeEvent("m", "question_asked", "{not json", kOld),
                    makeEvent("m", "question_approved", "[1", kOld), makeEvent("m", "question_approved", about(1))});
  CHECK(store.purgeQuestions(kCutoff) == 2);
  const auto left = store.readSince(0, 10);
  REQUIRE(left.size() == 2);
  CHECK(left[0].data == "{not json");
  CHECK(left[1].data == "[1");
}

TEST_CASE("the text of a purged question is nowhere left in the log's files", "[purge]") {
  TempDir dir("tribune-purge");
  const auto file = dir / "events.db";
  // Markers that occur nowhere else; the long one spills onto SQLite overflow pages.
  const std::string secret = "SECRET-QUESTION-TEXT-7f3a";
  const std::string longSecret = "LONG-SECRET-" + std::string(9000, 'x') + "-END";
  const std::string kept = "KEPT-QUESTION-TEXT-91bc";
  {
    EventStore store(file);
    // Enough events, in many transactions, for the table to span many pages that split
    // and rebalance while the old questions are among them.
    for (int round = 0; round < 200; ++round) {
      std::vector<NewEvent> events;
      const auto id = static_cast<std::uint64_t>(round + 1);
      const auto wall = round < 150 ? kOld : kRecent;  // 150 old questions, 50 recent ones
      const std::string text = (round < 150 ? secret : kept) + "-" + std::to_string(round);
      events.push_back(makeEvent("m", "question_asked", asked(id, text), wall));
      events.push_back(
          makeEvent("m", "question_edited", R"({"id":)" + std::to_string(id) + R"(,"text":")" + text + "!\"}", wall));
      if (round == 42) events.push_back(makeEvent("m", "question_asked", asked(1000, longSecret), kOld));
      events.push_back(makeEvent("m", "tick", R"({"round":)" + std::to_string(round) + "}", wall));
      appendAll(store, std::move(events));
    }
    REQUIRE(fileBytes(file).find(secret) != std::string::npos);

    CHECK(store.purgeQuestions(kCutoff) == 301);
    // At once, with the store still open: the checkpoint has overwritten the old pages and
    // emptied the WAL.
    const auto bytes = fileBytes(file);
    CHECK(bytes.find(secret) == std::string::npos);
    CHECK(bytes.find("LONG-SECRET-") == std::string::npos);
    CHECK(bytes.find(std::string(2000, 'x')) == std::string::npos);

    // Appending goes on, in a WAL started afresh.
    appendAll(store, {makeEvent("m", "tick", R"({"after":"purge"})", kRecent)});
  }
  // And after the store closed (its last checkpoint): kept text is still there, so the
  // search above looked at the right bytes.
  const auto bytes = fileBytes(file);
  CHECK(bytes.find(secret) == std::string::npos);
  CHECK(bytes.find("LONG-SECRET-") == std::string::npos);
  CHECK(bytes.find(kept + "-199") != std::string::npos);
  EventStore reopened(file);
  CHECK(reopened.readSince(0, 1000).size() == 200 + 100 + 1);  // ticks, recent questions, the last tick
}

TEST_CASE("appends from other threads carry on while purges run, none lost", "[purge]") {
  TempDir dir("tribune-purge");
  EventStore store(dir / "events.db");
  constexpr int kOldQuestions = 300;
  {
    std::vector<NewEvent> events;
    for (int id = 1; id <= kOldQuestions; ++id) {
      const auto question = static_cast<std::uint64_t>(id);
      events.push_back(makeEvent("old", "question_asked", asked(question, "Ancienne question"), kOld));
      events.push_back(makeEvent("old", "question_approved", about(question), kOld));
    }
    appendAll(store, std::move(events));
  }

  constexpr int kThreads = 3;
  constexpr int kPerThread = 300;
  std::mutex mutex;
  std::condition_variable acknowledged;
  int done = 0;
  std::vector<std::string> errors;
  std::atomic<bool> purging{true};
  std::vector<std::thread> appenders;
  appenders.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    appenders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // New questions, asked now: the purges running meanwhile must keep them.
        const auto id = static_cast<std::uint64_t>(10'000 + t * kPerThread + i);
        store.append({makeEvent("new", "question_asked", asked(id, "Nouvelle question"), kRecent)},
                     [&](AppendResult result) {
                       std::lock_guard lock(mutex);
                       if (result.error) errors.push_back(*result.error);
                       ++done;
                       acknowledged.notify_all();
                     });
        if (i % 50 == 0) std::this_thread::yield();
      }
    });
  }
  std::size_t purged = 0;
  int purges = 0;
  while (purging) {
    purged += store.purgeQuestions(kCutoff);
    ++purges;
    std::lock_guard lock(mutex);
    purging = done < kThreads * kPerThread;
  }
  for (auto& appender : appenders) appender.join();
  {
    std::unique_lock lock(mutex);
    REQUIRE(acknowledged.wait_for(lock, std::chrono::seconds(60), [&] { return done == kThreads * kPerThread; }));
    CHECK(errors.empty());
  }
  INFO(purges << " purges");
  CHECK(purged == 2 * kOldQuestions);
  CHECK(store.readMeeting("old").empty());
  CHECK(store.readMeeting("new").size() == kThreads * kPerThread);
  // And after the purges: appends and their seqs go on above everything seen before.
  const auto last = store.lastSeq();
  const AppendResult after = appendAndWait(store, {makeEvent("new", "tick", "{}", kRecent)});
  REQUIRE(after.seqs.size() == 1);
  CHECK(after.seqs[0] > last);
}

TEST_CASE("a purge from an append callback is refused instead of waiting for itself", "[purge]") {
  TempDir dir("tribune-purge");
  EventStore store(dir / "events.db");
  auto outcome = std::make_shared<std::promise<std::string>>();
  auto refused = outcome->get_future();
  store.append({makeEvent("m", "tick", "{}")}, [&store, outcome](const AppendResult&) {
    try {
      store.purgeQuestions(kCutoff);
      outcome->set_value("no exception");
    } catch (const StoreError& error) {
      outcome->set_value(error.what());
    }
  });
  REQUIRE(refused.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  CHECK_THAT(refused.get(), Catch::Contains("append callback"));
}

TEST_CASE("a purge is durable: the deleted events stay deleted after reopening, seqs are not reused", "[purge]") {
  TempDir dir("tribune-purge");
  const auto file = dir / "events.db";
  std::uint64_t lastBefore = 0;
  {
    EventStore store(file);
    appendAll(store, {makeEvent("m", "question_asked", asked(1, "Q"), kOld), makeEvent("m", "tick", "{}", kOld)});
    appendAll(store, {makeEvent("m", "question_approved", about(1), kOld)});
    lastBefore = store.lastSeq();
    CHECK(store.purgeQuestions(kCutoff) == 2);
  }
  EventStore reopened(file);
  const auto left = reopened.readSince(0, 10);
  REQUIRE(left.size() == 1);
  CHECK(left[0].type == "tick");
  const AppendResult next = appendAndWait(reopened, {makeEvent("m", "tick", "{}")});
  REQUIRE(next.seqs.size() == 1);
  CHECK(next.seqs[0] > lastBefore);
}
