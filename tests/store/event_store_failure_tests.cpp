// A transaction that fails: every batch in it gets the error and nothing of it is stored.
//
// How the failure is made, reliably: a peer connection (another program on the file)
// installs a trigger that RAISE(ABORT)s the insert of a "poison" event, so the failure
// comes from inside SQLite, inside the writer's transaction, with no timing involved
// (chmod cannot do it: the tests run as root, which ignores file modes). To put several
// batches into that one transaction deterministically, the peer first holds the write lock
// (BEGIN IMMEDIATE): the writer takes a first batch and waits for the lock in SQLite's
// busy handler, the next batches pile up in the queue meanwhile, and once the peer lets
// go they are all taken together for the following transaction.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "store/event_store.h"
#include "store/store_test_helpers.h"
#include "support/temp_dir.h"

using tribune::store::AppendResult;
using tribune::store::EventStore;
using tribune::store::testing::appendAndWait;
using tribune::store::testing::makeEvent;
using tribune::store::testing::openPeer;
using tribune::testing::TempDir;
using tribune::testing::waitUntil;

namespace sqlite = tribune::store::sqlite;

namespace {

// Collects the results of appends whose callbacks run on the writer thread.
class Acknowledgements {
 public:
  EventStore::Done slot(std::size_t index) {
    std::lock_guard lock(mutex_);
    if (results_.size() <= index) results_.resize(index + 1);
    return [this, index](AppendResult result) {
      std::lock_guard callbackLock(mutex_);
      results_[index] = std::move(result);
    };
  }
  bool all() const {
    std::lock_guard lock(mutex_);
    for (const auto& result : results_) {
      if (!result) return false;
    }
    return true;
  }
  AppendResult at(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return *results_.at(index);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::optional<AppendResult>> results_;
};

}  // namespace

TEST_CASE("a failing transaction gives its error to every batch in it and stores none of them") {
  TempDir dir("tribune-store");
  const auto file = dir / "events.db";
  EventStore store(file);
  const AppendResult before = appendAndWait(store, {makeEvent("m", "before", "{}")});
  REQUIRE_FALSE(before.error);

  sqlite::Connection peer = openPeer(file);
  sqlite::exec(peer.get(),
               "CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.type = 'poison' "
               "BEGIN SELECT RAISE(ABORT, 'poison refused by the test'); END");
  sqlite::exec(peer.get(), "BEGIN IMMEDIATE");

  Acknowledgements acks;
  store.append({makeEvent("m", "first", "{}")}, acks.slot(0));
  // The writer took it and now waits for the peer's lock.
  REQUIRE(waitUntil([&] { return store.stats().queuedEvents == 0; }, std::chrono::seconds(5)));
  store.append({makeEvent("m", "good", "1"), makeEvent("m", "good", "2")}, acks.slot(1));
  store.append({makeEvent("m", "good", "3"), makeEvent("m", "poison", "4")}, acks.slot(2));
  store.append({makeEvent("m", "good", "5")}, acks.slot(3));
  REQUIRE(store.stats().queuedEvents == 5);
  sqlite::exec(peer.get(), "COMMIT");

  REQUIRE(waitUntil([&] { return acks.all(); }, std::chrono::seconds(20)));
  const AppendResult first = acks.at(0);
  CHECK_FALSE(first.error);
  REQUIRE(first.seqs.size() == 1);
  for (std::size_t i = 1; i <= 3; ++i) {
    const AppendResult failed = acks.at(i);
    REQUIRE(failed.error);
    CHECK_THAT(*failed.error, Catch::Contains("poison refused by the test") && Catch::Contains(file.string()));
    CHECK(failed.seqs.empty());
  }

  const auto stored = store.readSince(0, 100);
  REQUIRE(stored.size() == 2);
  CHECK(stored[0].type == "before");
  CHECK(stored[1].type == "first");
  const auto stats = store.stats();
  CHECK(stats.failures == 1);
  CHECK(stats.failedEvents == 5);
  CHECK(stats.transactions == 2);
  CHECK(stats.events == 2);

  // The log goes on: the next append commits, after every seq handed out so far.
  const AppendResult after = appendAndWait(store, {makeEvent("m", "after", "{}")});
  REQUIRE_FALSE(after.error);
  REQUIRE(after.seqs.size() == 1);
  CHECK(after.seqs[0] > first.seqs[0]);
  CHECK(store.readSince(0, 100).size() == 3);
}
