#pragma once
// The replay and the records of a meeting (issue 7, docs/EXPORT.md): read from the event
// log and the recording files, written into one folder. Used by `tribune export` and by the
// hub when the session is closed. Reads only: the recording files and the log are never
// modified, and the same log and files give the same bytes (exports are reproducible).
// Any thread: it only reads the log (EventStore's reads are thread-safe).
#include <filesystem>
#include <string>
#include <vector>

#include "store/event_store.h"

namespace tribune::app {

struct ExportOptions {
  std::filesystem::path outDir;  // created if needed
  bool clips = false;            // also one MP4 per agenda item, in outDir/points/
};

struct ExportResult {
  std::vector<std::filesystem::path> files;  // written, in the order above
  std::vector<std::string> warnings;         // French, for the technician: what is missing and why
};

// The folder a meeting's export goes to by default: DATA/exports/MEETING.
std::filesystem::path defaultExportDir(const std::filesystem::path& dataDir, const std::string& meetingId);

// Writes, in outDir: seance.mp4 (the replay: stream copy, chapters, faststart), chapitres-
// youtube.txt, chapitres.vtt, seance.json (docs/meeting.schema.json), seance.md (the
// clerk's summary), questions.csv and questions.json (when viewers asked any), and with
// `clips` points/point-N.mp4. Throws ExportError when the meeting is not in the log or a
// file cannot be written (nothing is left half-written under a final name); a recording
// that cannot be read, or a session never opened, is a warning and the rest is exported.
class ExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
ExportResult exportMeeting(const store::EventStore& store, const std::string& meetingId, const ExportOptions& options);

}  // namespace tribune::app
