#pragma once
// Rebuilding a meeting from the event log: the hub when it resumes after a restart, and
// the commands that read a meeting back (`tribune questions`). Reads only; any thread.
#include <filesystem>
#include <string>
#include <vector>

#include "core/meeting.h"
#include "store/event_store.h"

namespace tribune::app {

// The event log in a data folder: DATA/tribune.db.
std::filesystem::path eventLogFile(const std::filesystem::path& dataDir);

// The meeting's events, in log order, applied to a fresh core::Meeting (Meeting::apply).
// An event that is not JSON, or that the meeting refuses, is skipped and the meeting left as
// it was; each skip is described in `warnings` when given ("event 12 (question_approved)
// skipped: …"). A meeting the log does not hold comes back empty (no id). Throws StoreError
// when the log cannot be read.
core::Meeting replayMeeting(const store::EventStore& store, const std::string& meetingId,
                            std::vector<std::string>* warnings);

}  // namespace tribune::app
