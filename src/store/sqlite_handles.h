#pragma once
// RAII for SQLite's C handles and the few calls the store makes through them: the only
// place sqlite3_close_v2 and sqlite3_finalize are called. Failures throw sqlite::Error
// with SQLite's code and message; the store turns them into StoreError (start-up) or an
// AppendResult error (writer thread).
//
// Threading: connections are opened SQLITE_OPEN_NOMUTEX, so a connection and its
// statements are used by one thread at a time; whoever owns the handle says which.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tribune::store::sqlite {

struct CloseConnection {
  void operator()(sqlite3* db) const noexcept;
};
struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const noexcept;
};
using Connection = std::unique_ptr<sqlite3, CloseConnection>;
using Statement = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }                // extended result code
  int primaryCode() const { return code_ & 0xff; }  // SQLITE_NOTADB, SQLITE_CANTOPEN, …

 private:
  int code_;
};

// The connection's last error as an Error ("<what>: <sqlite message>").
Error lastError(sqlite3* db, int code, std::string_view what);

// What sqlite3_open_v2 left behind: on failure SQLite usually still hands out a connection
// (closed by the wrapper), whose errno says why (EACCES, ENOENT, EISDIR).
struct Opened {
  Connection db;
  int code = SQLITE_OK;
  int systemErrno = 0;
  std::string message;
};
// Opens with SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE added to `flags`.
Opened open(const std::filesystem::path& file, int flags);

Statement prepare(sqlite3* db, std::string_view sql);
// Runs statements that return no rows the caller needs ("BEGIN IMMEDIATE", pragmas).
void exec(sqlite3* db, const char* sql);
// The single integer a query like "PRAGMA user_version" returns.
std::int64_t queryInt(sqlite3* db, std::string_view sql);
std::string queryText(sqlite3* db, std::string_view sql);

// One step: true for a row, false when done; throws on an error.
bool step(sqlite3* db, sqlite3_stmt* statement);
void bindText(sqlite3* db, sqlite3_stmt* statement, int index, std::string_view text);
void bindInt64(sqlite3* db, sqlite3_stmt* statement, int index, std::int64_t value);
std::string columnText(sqlite3_stmt* statement, int index);

}  // namespace tribune::store::sqlite
