#pragma once
// The meeting's event log: every change of the meeting is an event appended here, durably,
// before the command that caused it is acknowledged (DESIGN.md §4). SQLite in WAL mode,
// one writer thread, group commit: events appended while a commit is under way go into
// the next transaction together.
//
// Threading: append() from any thread (in practice the hub); its callback runs on the
// writer thread once the events are committed — the hub's callback only posts, and must
// not throw (a throwing callback is counted in stats and otherwise ignored). read*(),
// countQuestionsToPurge() and stats() may run on any thread: the reads share one read
// connection under a mutex (WAL: a reader never blocks the writer, nor the writer a
// reader). purgeQuestions() may run on any thread but the writer's (not from a callback):
// it hands the purge to the writer thread and waits for it.
//
// Queue policy: the append queue is unbounded on purpose. An event is a decided change of
// the meeting; dropping or refusing it would lose the source of truth, and the producer
// (the hub, a few events per command) cannot outrun a group commit for long. Instead the
// queue is observable: stats() reports what waits now and the largest backlog seen.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tribune::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What an acknowledged append survives.
enum class Durability {
  // SIGKILL, a crash, an OOM kill of Tribune right after the acknowledgement: the commit
  // is in the WAL file (in the OS page cache) before the callback runs. A power cut or
  // kernel panic may lose the last transactions (never corrupt the log). The default:
  // no fsync per commit (SQLite synchronous=NORMAL).
  Process,
  // Also a power cut or a kernel panic: the WAL is fsync'd before each commit returns
  // (synchronous=FULL). Group commit amortises the fsync over everything queued.
  PowerLoss,
};

struct NewEvent {
  std::string meeting;          // meeting id
  std::string type;             // "session_opened", …
  std::string data;             // JSON text
  std::int64_t wallMs = 0;      // wall clock, ms since the Unix epoch
  std::int64_t programNs = -1;  // program running time, ns; -1 when the program was not running
};

struct StoredEvent {
  std::uint64_t seq = 0;  // strictly increasing across the whole log
  std::string meeting;
  std::string type;
  std::string data;
  std::int64_t wallMs = 0;
  std::int64_t programNs = -1;
};

struct AppendResult {
  std::vector<std::uint64_t> seqs;   // one per event, in order, when committed
  std::optional<std::string> error;  // the commit failed: nothing of this batch is stored
};

struct StoreStats {
  std::uint64_t events = 0;              // committed
  std::uint64_t transactions = 0;        // committed
  std::uint64_t largestTransaction = 0;  // events in the largest committed transaction
  std::uint64_t failures = 0;            // transactions rolled back
  std::uint64_t failedEvents = 0;        // events refused by those transactions
  std::uint64_t queuedEvents = 0;        // appended, not yet taken by the writer
  std::uint64_t largestQueue = 0;        // the most events ever waiting at once
  std::uint64_t callbackExceptions = 0;  // Done callbacks that threw (a bug in the caller)
};

class EventStore {
 public:
  // Opens or creates the log; throws StoreError with a message a technician can act on.
  explicit EventStore(std::filesystem::path file, Durability durability = Durability::Process);
  ~EventStore();  // commits what is queued (callbacks included), then stops the writer
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Queues the events and returns at once. `done` runs on the writer thread after the
  // transaction holding them commits (seqs) or rolls back (error, for every batch of it).
  using Done = std::function<void(AppendResult)>;
  void append(std::vector<NewEvent> events, Done done);

  // Deletes every event about questions asked before `cutoffWallMs` (GDPR retention,
  // docs/QUESTIONS.md): for each question_asked event older than the cutoff, every event
  // of the same meeting whose type starts with "question_" and whose data.id is that
  // question's id. Runs on the writer thread, between transactions, with secure_delete on
  // so the deleted text is overwritten in the file. Returns how many events were deleted.
  //
  // Blocks until done: appends queued before it are committed first, those queued while it
  // runs wait for it. Then the WAL is checkpointed and truncated, so that neither the
  // database file nor the -wal file keeps a copy of what was deleted (when another program
  // holds an old snapshot open, the copy in the -wal goes at a later checkpoint). Throws
  // StoreError if the deletion fails (nothing is deleted then), or when called from a Done
  // callback (it would wait for its own thread).
  std::size_t purgeQuestions(std::int64_t cutoffWallMs);
  // What purgeQuestions(cutoffWallMs) would delete now, without deleting anything.
  [[nodiscard]] std::size_t countQuestionsToPurge(std::int64_t cutoffWallMs) const;

  [[nodiscard]] std::vector<StoredEvent> readMeeting(const std::string& meeting) const;
  [[nodiscard]] std::vector<StoredEvent> readSince(std::uint64_t afterSeq, std::size_t limit) const;
  // The meeting of the latest event, if any (to resume after a restart).
  [[nodiscard]] std::optional<std::string> lastMeeting() const;
  // Every meeting of the log, in the order of their first event.
  [[nodiscard]] std::vector<std::string> meetings() const;
  [[nodiscard]] std::uint64_t lastSeq() const;  // 0 when the log is empty
  [[nodiscard]] StoreStats stats() const;
  [[nodiscard]] const std::filesystem::path& file() const;
  [[nodiscard]] Durability durability() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tribune::store
