#pragma once
// Shared by the event store tests: appending and waiting for the acknowledgement, events
// made in one line, and a second SQLite connection ("a peer": another program on the same
// file) to shape the file in ways the store itself never would.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "store/event_store.h"
#include "store/sqlite_handles.h"

namespace tribune::store::testing {

inline NewEvent makeEvent(std::string meeting, std::string type, std::string data, std::int64_t wallMs = 0,
                          std::int64_t programNs = -1) {
  return NewEvent{std::move(meeting), std::move(type), std::move(data), wallMs, programNs};
}

// Appends and waits for the callback (it runs on the writer thread). The promise is shared
// with the callback so that a timed-out test cannot leave it pointing at a dead frame.
inline AppendResult appendAndWait(EventStore& store, std::vector<NewEvent> events) {
  auto promise = std::make_shared<std::promise<AppendResult>>();
  auto acknowledged = promise->get_future();
  store.append(std::move(events), [promise](AppendResult result) { promise->set_value(std::move(result)); });
  REQUIRE(acknowledged.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  return acknowledged.get();
}

// Another program's connection to the log file.
inline sqlite::Connection openPeer(const std::filesystem::path& file) {
  sqlite::Opened opened = sqlite::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  REQUIRE(opened.code == SQLITE_OK);
  sqlite3_busy_timeout(opened.db.get(), 5000);
  return std::move(opened.db);
}

}  // namespace tribune::store::testing
