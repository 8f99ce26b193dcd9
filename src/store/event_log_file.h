#pragma once
// Opening the event log file: the write connection (WAL, durability, schema created or
// checked) and the read connection, with StoreErrors a technician can act on. Runs on the
// thread constructing the EventStore, before its writer thread starts.
#include <cstdint>
#include <filesystem>

#include "store/event_store.h"
#include "store/sqlite_handles.h"

namespace tribune::store {

// PRAGMA user_version of the logs this Tribune writes. A later Tribune that changes the
// schema raises it, and this one then refuses the file rather than misread it.
inline constexpr std::int64_t kSchemaVersion = 1;

sqlite::Connection openWriteConnection(const std::filesystem::path& file, Durability durability);
// Read-only: a bug in a read path can never write the log.
sqlite::Connection openReadConnection(const std::filesystem::path& file);

}  // namespace tribune::store
