#include "store/event_log_file.h"

#include <unistd.h>

#include <string>
#include <system_error>

namespace tribune::store {
namespace {

namespace fs = std::filesystem;

// How long a connection waits for a lock held by someone else (a backup tool, sqlite3 in
// a terminal, a checkpoint) before it reports the log as busy.
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kCreateSchema = R"sql(
CREATE TABLE events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: a seq is never reused, even after a purge
  meeting TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  wall_ms INTEGER NOT NULL,
  program_ns INTEGER NOT NULL
);
-- Holds (meeting, seq): readMeeting walks it in seq order without sorting.
CREATE INDEX events_by_meeting ON events(meeting);
PRAGMA user_version = 1;
)sql";

std::string quoted(const fs::path& file) { return "\"" + file.string() + "\""; }

std::string sidecars(const fs::path& file) {
  const std::string name = file.filename().string();
  return name + "-wal and " + name + "-shm";
}

std::string moveAwayAdvice() { return "move the file away or choose another path for the event log"; }

// Problems that can be told before SQLite is asked, with a precise remedy.
void checkPath(const fs::path& file) {
  const fs::path folder = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::error_code error;
  if (!fs::is_directory(folder, error)) {
    throw StoreError("cannot create the event log " + quoted(file) + ": the folder " + quoted(folder) +
                     " does not exist; create it, or choose another path for the event log");
  }
  // Always needed, even for an existing log: SQLite creates the -wal and -shm files there.
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    throw StoreError("cannot use the event log " + quoted(file) + ": Tribune may not write to its folder " +
                     quoted(folder) + " (SQLite creates " + sidecars(file) +
                     " there); give it write access, or choose another path for the event log");
  }
  if (fs::is_directory(file, error)) {
    throw StoreError("cannot use " + quoted(file) +
                     " as the event log: it is a folder; give the path of a file (created if missing)");
  }
}

[[noreturn]] void throwCannotOpen(const fs::path& file, const sqlite::Opened& opened) {
  const std::string reason =
      opened.systemErrno != 0 ? std::generic_category().message(opened.systemErrno) : opened.message;
  throw StoreError("cannot open or create the event log " + quoted(file) + ": " + reason +
                   "; make sure Tribune may read and write the file and its folder (SQLite also creates " +
                   sidecars(file) + " beside it)");
}

// An SQLite failure while setting the log up, as a StoreError.
[[noreturn]] void throwSetupError(const fs::path& file, const sqlite::Error& error) {
  switch (error.primaryCode()) {
    case SQLITE_NOTADB:
      throw StoreError(quoted(file) + " is not a Tribune event log (not an SQLite database); " + moveAwayAdvice());
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw StoreError("the event log " + quoted(file) +
                       " is locked by another program (another Tribune on the same file?); stop it or choose "
                       "another path for the event log");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      throw StoreError("Tribune may not write the event log " + quoted(file) + " (" + error.what() +
                       "); give it write access to the file, its folder and " + sidecars(file) + " if present");
    default: throw StoreError("cannot use the event log " + quoted(file) + ": " + error.what());
  }
}

void checkVersion(const fs::path& file, sqlite3* db) {
  const std::int64_t version = sqlite::queryInt(db, "PRAGMA user_version");
  if (version > kSchemaVersion) {
    throw StoreError(quoted(file) + ": this event log was written by a newer Tribune (schema version " +
                     std::to_string(version) + ", this Tribune reads up to " + std::to_string(kSchemaVersion) +
                     "); update Tribune, or choose another path for the event log");
  }
  const std::int64_t objects = sqlite::queryInt(db, "SELECT count(*) FROM sqlite_schema");
  if (version == 0 && objects > 0) {
    // Tribune sets the version in the transaction that creates its tables: tables without
    // a version belong to some other program.
    throw StoreError(quoted(file) + " is not a Tribune event log (an SQLite database of another program); " +
                     moveAwayAdvice());
  }
  if (version == kSchemaVersion &&
      sqlite::queryInt(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'events'") == 0) {
    throw StoreError(quoted(file) + " is not a Tribune event log (schema version 1 but no events table); " +
                     moveAwayAdvice());
  }
}

void setUp(const fs::path& file, sqlite3* db, Durability durability) {
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (sqlite3_db_readonly(db, "main") == 1) {
    throw StoreError("Tribune may not write the event log " + quoted(file) + "; give it write access to the file");
  }
  checkVersion(file, db);

  // WAL: one writer beside any number of readers, and a commit is one append to the -wal
  // file. The mode is stored in the file; the answer says whether SQLite could use it
  // (not on a file system without shared memory, such as some network shares).
  const std::string mode = sqlite::queryText(db, "PRAGMA journal_mode = WAL");
  if (mode != "wal") {
    throw StoreError("the event log " + quoted(file) + " cannot use write-ahead logging (SQLite kept journal mode \"" +
                     mode + "\"); put it on a local disk");
  }
  // In WAL mode, NORMAL writes each commit into the -wal file before COMMIT returns but
  // fsyncs only at checkpoints: once write() returned, the kernel holds the bytes, so a
  // SIGKILL of Tribune loses nothing acknowledged; a power cut may lose the last commits
  // (the log stays consistent). FULL also fsyncs the -wal at every commit: that is what
  // surviving a power cut needs, at the cost of one fsync per group commit.
  sqlite::exec(db, durability == Durability::PowerLoss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");

  // Checked again inside the write lock: another Tribune may have created the schema
  // between the first look and now.
  sqlite::exec(db, "BEGIN IMMEDIATE");
  try {
    checkVersion(file, db);
    if (sqlite::queryInt(db, "PRAGMA user_version") == 0) sqlite::exec(db, kCreateSchema);
    sqlite::exec(db, "COMMIT");
  } catch (...) {
    if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace

sqlite::Connection openWriteConnection(const fs::path& file, Durability durability) {
  checkPath(file);
  sqlite::Opened opened = sqlite::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (opened.code != SQLITE_OK) throwCannotOpen(file, opened);
  try {
    setUp(file, opened.db.get(), durability);
  } catch (const sqlite::Error& error) {
    throwSetupError(file, error);
  }
  return std::move(opened.db);
}

sqlite::Connection openReadConnection(const fs::path& file) {
  sqlite::Opened opened = sqlite::open(file, SQLITE_OPEN_READONLY);
  if (opened.code != SQLITE_OK) throwCannotOpen(file, opened);
  sqlite3_busy_timeout(opened.db.get(), kBusyTimeoutMs);
  return std::move(opened.db);
}

}  // namespace tribune::store
