// Threading: see event_store.h. The writer thread alone uses the write connection and its
// insert statement once it runs (the purge included: it is queued to the writer as a
// task); the read connection is used under readMutex_ by whichever thread reads. Lock
// order: readMutex_ and queueMutex_ are never held together.
#include "store/event_store.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

#include "store/event_log_file.h"
#include "store/sqlite_handles.h"

namespace tribune::store {
namespace {

// One append() call: its events go into one transaction together, never split.
struct Batch {
  std::vector<NewEvent> events;
  EventStore::Done done;
};

// Clamps an unsigned count to what SQLite's 64-bit signed integers hold.
std::int64_t toSqlite(std::uint64_t value) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(value, kMax));
}

constexpr const char* kColumns = "SELECT seq, meeting, type, data, wall_ms, program_ns FROM events ";

// The events about questions asked before ?1 (docs/QUESTIONS.md, "Durability and
// retention"): every "question_…" event of the same meeting and data.id as an old
// question_asked. "questions_prescreen" is about no question and does not match the GLOB
// (case-sensitive, and '_' is no wildcard in it). json_extract throws on malformed JSON:
// json_valid guards it, in a CASE, the one place where SQL promises the order.
constexpr const char* kAboutOldQuestions = R"sql(
  type GLOB 'question_*'
  AND (meeting, CASE WHEN json_valid(data) THEN json_extract(data, '$.id') END) IN (
    SELECT meeting, CASE WHEN json_valid(data) THEN json_extract(data, '$.id') END
    FROM events WHERE type = 'question_asked' AND wall_ms < ?1)
)sql";

StoredEvent readRow(sqlite3_stmt* statement) {
  StoredEvent event;
  event.seq = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 0));
  event.meeting = sqlite::columnText(statement, 1);
  event.type = sqlite::columnText(statement, 2);
  event.data = sqlite::columnText(statement, 3);
  event.wallMs = sqlite3_column_int64(statement, 4);
  event.programNs = sqlite3_column_int64(statement, 5);
  return event;
}

}  // namespace

struct EventStore::Impl {
  Impl(std::filesystem::path path, Durability chosen)
      : file(std::move(path)),
        durability(chosen),
        writeDb(openWriteConnection(file, durability)),
        insert(prepareInsert()),
        readDb(openReadConnection(file)),
        writer([this] { runWriter(); }) {}

  ~Impl() {
    {
      std::lock_guard lock(queueMutex);
      stopping = true;
    }
    queueChanged.notify_one();
    writer.join();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  sqlite::Statement prepareInsert() {
    try {
      return sqlite::prepare(writeDb.get(),
                             "INSERT INTO events(meeting, type, data, wall_ms, program_ns) VALUES(?, ?, ?, ?, ?)");
    } catch (const sqlite::Error& error) {
      throw StoreError("cannot use the event log \"" + file.string() + "\": " + error.what());
    }
  }

  // Work for the writer thread between two transactions (the purge).
  using Task = std::function<void()>;

  void enqueueTask(Task task) {
    {
      std::lock_guard lock(queueMutex);
      tasks.push_back(std::move(task));
    }
    queueChanged.notify_one();
  }

  void enqueue(Batch batch) {
    {
      std::lock_guard lock(queueMutex);
      stats.queuedEvents += batch.events.size();
      stats.largestQueue = std::max(stats.largestQueue, stats.queuedEvents);
      queue.push_back(std::move(batch));
    }
    queueChanged.notify_one();
  }

  // Group commit: each turn takes everything queued and commits it in one transaction, so
  // while a commit (and its fsync, with Durability::PowerLoss) is under way the next
  // appends gather for the following one. Tasks queued by then run after that commit, each
  // in its own transaction. Returns once stopping with nothing queued.
  void runWriter() {
    for (;;) {
      std::deque<Batch> taken;
      std::deque<Task> work;
      {
        std::unique_lock lock(queueMutex);
        queueChanged.wait(lock, [this] { return stopping || !queue.empty() || !tasks.empty(); });
        if (queue.empty() && tasks.empty()) return;
        taken.swap(queue);
        work.swap(tasks);
        stats.queuedEvents = 0;
      }
      if (!taken.empty()) {
        std::vector<std::vector<std::uint64_t>> seqs;
        const std::optional<std::string> error = commit(taken, seqs);
        record(taken, error.has_value());
        deliver(taken, seqs, error);
      }
      for (Task& task : work) task();  // each reports to its own caller, never throws
    }
  }

  // On the writer thread. secure_delete makes SQLite overwrite the deleted rows (and the
  // pages they free) with zeros; the new page images go to the WAL, so a TRUNCATE
  // checkpoint then copies them over the old ones in the database file and empties the
  // -wal file, which held the text too.
  std::size_t purgeQuestions(std::int64_t cutoffWallMs) {
    sqlite3* db = writeDb.get();
    std::size_t deleted = 0;
    try {
      sqlite::exec(db, "PRAGMA secure_delete = ON");
      sqlite::exec(db, "BEGIN IMMEDIATE");
      sqlite::Statement statement = sqlite::prepare(db, std::string("DELETE FROM events WHERE ") + kAboutOldQuestions);
      sqlite::bindInt64(db, statement.get(), 1, cutoffWallMs);
      sqlite::step(db, statement.get());
      deleted = static_cast<std::size_t>(sqlite3_changes64(db));
      sqlite::exec(db, "COMMIT");
    } catch (const std::exception& failure) {
      if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw StoreError("the event log \"" + file.string() +
                       "\" could not delete the old questions (nothing was deleted): " + failure.what());
    }
    if (deleted > 0) {
      // Busy when another connection still reads an old snapshot: the deletion stands, and
      // the old pages are overwritten by a later checkpoint instead (SQLite runs one every
      // 1000 pages of WAL, and when the last connection closes).
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    }
    return deleted;
  }

  // All of `taken` in one transaction, or nothing of it: an error rolls everything back.
  std::optional<std::string> commit(const std::deque<Batch>& taken, std::vector<std::vector<std::uint64_t>>& seqs) {
    seqs.assign(taken.size(), {});
    if (countEvents(taken) == 0) return std::nullopt;
    sqlite3* db = writeDb.get();
    try {
      sqlite::exec(db, "BEGIN IMMEDIATE");
      for (std::size_t i = 0; i < taken.size(); ++i) {
        seqs[i].reserve(taken[i].events.size());
        for (const NewEvent& event : taken[i].events) seqs[i].push_back(insertOne(event));
      }
      sqlite::exec(db, "COMMIT");
      return std::nullopt;
    } catch (const std::exception& failure) {
      // SQLite rolls some failures back by itself (a full disk, an I/O error); a failed
      // insert or a busy COMMIT leaves the transaction open for us to end.
      if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      sqlite3_reset(insert.get());
      seqs.assign(taken.size(), {});
      return "the event log \"" + file.string() +
             "\" could not store the events (nothing of them is stored): " + failure.what();
    }
  }

  std::uint64_t insertOne(const NewEvent& event) {
    sqlite3* db = writeDb.get();
    sqlite3_stmt* statement = insert.get();
    sqlite3_reset(statement);
    sqlite::bindText(db, statement, 1, event.meeting);
    sqlite::bindText(db, statement, 2, event.type);
    sqlite::bindText(db, statement, 3, event.data);
    sqlite::bindInt64(db, statement, 4, event.wallMs);
    sqlite::bindInt64(db, statement, 5, event.programNs);
    sqlite::step(db, statement);
    // Unbind: SQLITE_STATIC bindings point into `event`, which the caller may free.
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    return static_cast<std::uint64_t>(sqlite3_last_insert_rowid(db));
  }

  static std::uint64_t countEvents(const std::deque<Batch>& taken) {
    std::uint64_t count = 0;
    for (const Batch& batch : taken) count += batch.events.size();
    return count;
  }

  // Before the callbacks run, so that an acknowledged append is already in stats().
  void record(const std::deque<Batch>& taken, bool failed) {
    const std::uint64_t count = countEvents(taken);
    if (count == 0) return;
    std::lock_guard lock(queueMutex);
    if (failed) {
      ++stats.failures;
      stats.failedEvents += count;
    } else {
      ++stats.transactions;
      stats.events += count;
      stats.largestTransaction = std::max(stats.largestTransaction, count);
    }
  }

  void deliver(std::deque<Batch>& taken, std::vector<std::vector<std::uint64_t>>& seqs,
               const std::optional<std::string>& error) {
    for (std::size_t i = 0; i < taken.size(); ++i) {
      if (!taken[i].done) continue;
      AppendResult result;
      result.seqs = std::move(seqs[i]);
      result.error = error;
      try {
        taken[i].done(std::move(result));
      } catch (...) {
        // The callback's contract is to post and return; one that throws must not stop
        // the log for everyone else.
        std::lock_guard lock(queueMutex);
        ++stats.callbackExceptions;
      }
    }
  }

  // Runs a read on the read connection; `bind` binds the parameters of `sql`.
  template <typename Bind, typename Row>
  void read(const std::string& sql, const Bind& bind, const Row& row) const {
    std::lock_guard lock(readMutex);
    sqlite3* db = readDb.get();
    try {
      sqlite::Statement statement = sqlite::prepare(db, sql);
      bind(db, statement.get());
      while (sqlite::step(db, statement.get())) row(statement.get());
    } catch (const sqlite::Error& error) {
      throw StoreError("cannot read the event log \"" + file.string() + "\": " + error.what());
    }
  }

  std::vector<StoredEvent> readEvents(const std::string& sql,
                                      const std::function<void(sqlite3*, sqlite3_stmt*)>& bind) const {
    std::vector<StoredEvent> events;
    read(sql, bind, [&events](sqlite3_stmt* statement) { events.push_back(readRow(statement)); });
    return events;
  }

  const std::filesystem::path file;
  const Durability durability;

  // Declared in this order so that the statement goes before its connection, and the read
  // connection before the write one: the last connection to close checkpoints the WAL and
  // removes the -wal file, which only a read-write connection may do.
  sqlite::Connection writeDb;
  sqlite::Statement insert;  // reused for every event
  mutable std::mutex readMutex;
  sqlite::Connection readDb;

  mutable std::mutex queueMutex;  // guards queue, tasks, stopping, stats
  std::condition_variable queueChanged;
  std::deque<Batch> queue;
  std::deque<Task> tasks;
  bool stopping = false;
  StoreStats stats;

  std::thread writer;  // last: starts once everything above exists
};

EventStore::EventStore(std::filesystem::path file, Durability durability)
    : impl_(std::make_unique<Impl>(std::move(file), durability)) {}

EventStore::~EventStore() = default;

void EventStore::append(std::vector<NewEvent> events, Done done) {
  impl_->enqueue(Batch{std::move(events), std::move(done)});
}

std::size_t EventStore::purgeQuestions(std::int64_t cutoffWallMs) {
  if (std::this_thread::get_id() == impl_->writer.get_id()) {
    throw StoreError("purgeQuestions was called from an append callback: it would wait for its own thread");
  }
  // Shared with the task, so that the writer never touches a dead frame.
  auto outcome = std::make_shared<std::promise<std::size_t>>();
  auto done = outcome->get_future();
  impl_->enqueueTask([impl = impl_.get(), outcome, cutoffWallMs] {
    try {
      outcome->set_value(impl->purgeQuestions(cutoffWallMs));
    } catch (...) {
      outcome->set_exception(std::current_exception());
    }
  });
  return done.get();
}

std::size_t EventStore::countQuestionsToPurge(std::int64_t cutoffWallMs) const {
  std::size_t count = 0;
  impl_->read(
      std::string("SELECT count(*) FROM events WHERE ") + kAboutOldQuestions,
      [cutoffWallMs](sqlite3* db, sqlite3_stmt* statement) { sqlite::bindInt64(db, statement, 1, cutoffWallMs); },
      [&count](sqlite3_stmt* statement) { count = static_cast<std::size_t>(sqlite3_column_int64(statement, 0)); });
  return count;
}

std::vector<StoredEvent> EventStore::readMeeting(const std::string& meeting) const {
  return impl_->readEvents(
      std::string(kColumns) + "WHERE meeting = ? ORDER BY seq",
      [&meeting](sqlite3* db, sqlite3_stmt* statement) { sqlite::bindText(db, statement, 1, meeting); });
}

std::vector<StoredEvent> EventStore::readSince(std::uint64_t afterSeq, std::size_t limit) const {
  return impl_->readEvents(std::string(kColumns) + "WHERE seq > ? ORDER BY seq LIMIT ?",
                           [afterSeq, limit](sqlite3* db, sqlite3_stmt* statement) {
                             sqlite::bindInt64(db, statement, 1, toSqlite(afterSeq));
                             sqlite::bindInt64(db, statement, 2, toSqlite(limit));
                           });
}

std::optional<std::string> EventStore::lastMeeting() const {
  std::optional<std::string> meeting;
  impl_->read(
      "SELECT meeting FROM events ORDER BY seq DESC LIMIT 1", [](sqlite3*, sqlite3_stmt*) {},
      [&meeting](sqlite3_stmt* statement) { meeting = sqlite::columnText(statement, 0); });
  return meeting;
}

std::vector<std::string> EventStore::meetings() const {
  std::vector<std::string> meetings;
  impl_->read(
      "SELECT meeting FROM events GROUP BY meeting ORDER BY min(seq)", [](sqlite3*, sqlite3_stmt*) {},
      [&meetings](sqlite3_stmt* statement) { meetings.push_back(sqlite::columnText(statement, 0)); });
  return meetings;
}

std::uint64_t EventStore::lastSeq() const {
  std::uint64_t seq = 0;
  impl_->read(
      "SELECT max(seq) FROM events", [](sqlite3*, sqlite3_stmt*) {},
      [&seq](sqlite3_stmt* statement) { seq = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 0)); });
  return seq;
}

StoreStats EventStore::stats() const {
  std::lock_guard lock(impl_->queueMutex);
  return impl_->stats;
}

const std::filesystem::path& EventStore::file() const { return impl_->file; }

Durability EventStore::durability() const { return impl_->durability; }

}  // namespace tribune::store
