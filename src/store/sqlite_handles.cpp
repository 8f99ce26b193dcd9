#include "store/sqlite_handles.h"

namespace tribune::store::sqlite {

void CloseConnection::operator()(sqlite3* db) const noexcept {
  // _v2: should a statement outlive its connection by mistake, SQLite defers the close
  // until it is finalized instead of failing and leaking the file handle.
  sqlite3_close_v2(db);
}

void FinalizeStatement::operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }

Error lastError(sqlite3* db, int code, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  return Error(code, message);
}

Opened open(const std::filesystem::path& file, int flags) {
  sqlite3* raw = nullptr;
  const int code = sqlite3_open_v2(file.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nullptr);
  Opened opened{Connection(raw), code, 0, {}};
  if (code != SQLITE_OK) {
    opened.systemErrno = raw != nullptr ? sqlite3_system_errno(raw) : 0;
    opened.message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(code);
  }
  return opened;
}

Statement prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int code = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  Statement statement(raw);
  if (code != SQLITE_OK) throw lastError(db, code, std::string("cannot prepare \"").append(sql) + "\"");
  return statement;
}

void exec(sqlite3* db, const char* sql) {
  const int code = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) throw lastError(db, code, sql);
}

std::int64_t queryInt(sqlite3* db, std::string_view sql) {
  Statement statement = prepare(db, sql);
  return step(db, statement.get()) ? sqlite3_column_int64(statement.get(), 0) : 0;
}

std::string queryText(sqlite3* db, std::string_view sql) {
  Statement statement = prepare(db, sql);
  return step(db, statement.get()) ? columnText(statement.get(), 0) : std::string();
}

bool step(sqlite3* db, sqlite3_stmt* statement) {
  const int code = sqlite3_step(statement);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  throw lastError(db, code, "SQLite");
}

void bindText(sqlite3* db, sqlite3_stmt* statement, int index, std::string_view text) {
  // SQLITE_TRANSIENT would copy; the text outlives the step that reads it. A null pointer
  // would bind NULL, not "": an empty view may carry one.
  const char* bytes = text.data() != nullptr ? text.data() : "";
  const int code = sqlite3_bind_text64(statement, index, bytes, text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (code != SQLITE_OK) throw lastError(db, code, "cannot bind a text");
}

void bindInt64(sqlite3* db, sqlite3_stmt* statement, int index, std::int64_t value) {
  const int code = sqlite3_bind_int64(statement, index, value);
  if (code != SQLITE_OK) throw lastError(db, code, "cannot bind an integer");
}

std::string columnText(sqlite3_stmt* statement, int index) {
  const auto* text = sqlite3_column_text(statement, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(statement, index)));
}

}  // namespace tribune::store::sqlite
