#pragma once
// The replay of a meeting (issue 7): which parts of which recording files make it, and its
// chapters. Pure: the caller reads the event log and scans the files (archive/), this
// decides; the same inputs always give the same plan (exports are reproducible).
//
// The rules (docs/EXPORT.md):
// - Time. Every event of the log carries the program's running time (programNs) and the
//   wall clock; every recording file says, in its recording_started event, the wall clock
//   of its run's program time 0 (epochMs) and the program time of its own time 0. So an
//   event and a frame meet on one axis: epochMs + programNs. An event is put in the run of
//   the latest epoch at or before its wall clock (a new run starts a new program clock).
// - What is kept: from the opening of the session (its chapter starts on the key frame at
//   or before it, so the opening is never cut) to its end ("terminée": the first key frame
//   at or after it; or the end of the recording), minus every huis clos (cut on the key
//   frame at or before it starts, resumed on the first key frame at or after it ends, so
//   that no frame of a closed session is in the replay, even when the council kept a
//   recording of it) and minus what was not recorded (gaps in the files). Pieces are cut on
//   key frames: the replay is a stream copy.
// - Chapters: "Ouverture de la séance" at the opening, "N. titre" at each item change
//   while the session is open, "Suspension de séance", "N. titre (suite)" when the session
//   goes on with the same item after a suspension or a huis clos, "Séance levée",
//   "Questions du public". An item that starts with the opening shares its chapter:
//   "Ouverture de la séance — 1. titre". A chapter opens where its event falls in the
//   replay, which is exact to the frame on the program's clock (the event's program time);
//   an event in a part that is not in the replay opens its chapter where the replay
//   resumes. Marks less than a second apart collapse into the later one.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/agenda.h"
#include "core/recording_file.h"

namespace tribune::core {

// One event as the log stores it.
struct LoggedEvent {
  std::uint64_t seq = 0;
  std::string type;
  nlohmann::json data;
  std::int64_t wallMs = 0;      // ms since the Unix epoch
  std::int64_t programNs = -1;  // the program's running time, -1 when it was not running
};

// What a scan of a recording file found (archive::scanRecording), in the file's time.
struct FileSpan {
  std::int64_t startNs = 0;
  std::int64_t endNs = 0;
};
struct FileScan {
  std::vector<std::int64_t> keyFramesNs;  // ascending
  std::vector<FileSpan> spans;            // recorded spans, ascending
};

struct ReplayPiece {
  std::string file;
  std::int64_t fromNs = 0;  // file time, a key frame
  std::int64_t toNs = 0;    // file time, a key frame or the end of a span
  std::int64_t replayStartNs = 0;
};

struct ReplayChapter {
  std::int64_t startNs = 0;  // replay time
  std::int64_t endNs = 0;
  std::string title;
  std::optional<std::size_t> item;  // the agenda item's index, for an item's chapter
};

struct ReplayPlan {
  std::vector<ReplayPiece> pieces;  // in replay order
  std::vector<ReplayChapter> chapters;
  std::int64_t durationNs = 0;
  // Aligned with the events given: where each falls in the replay, nothing when it is not
  // in it (before the opening, at huis clos, after the end, or with no recording).
  std::vector<std::optional<std::int64_t>> eventReplayNs;
  // Why there is no replay, or what is missing from it (a file that could not be read): in
  // French, for the technician.
  std::vector<std::string> warnings;
};

// The recording files the events name (recording_started), in log order.
std::vector<RecordingFile> recordingFiles(const std::vector<LoggedEvent>& events);

// `scans` by file name as in recording_started; a file missing from it is skipped with a
// warning. Item titles come from `agenda`.
ReplayPlan planReplay(const std::vector<LoggedEvent>& events, const Agenda& agenda,
                      const std::map<std::string, FileScan>& scans);

// YouTube's chapters for the video description: "00:00 Ouverture de la séance", one line
// per chapter (H:MM:SS once the replay lasts an hour). YouTube's rules: the first at 00:00,
// at least three, each at least 10 s long. A shorter chapter is merged into the one before
// (the first into the one after), their titles joined with " · ".
struct YoutubeChapters {
  std::string text;
  bool shown = false;  // at least three chapters: YouTube will show them
  std::size_t merged = 0;
};
YoutubeChapters youtubeChapters(const std::vector<ReplayChapter>& chapters);

// WebVTT chapters (kind="chapters") for the commune's own player.
std::string webVttChapters(const std::vector<ReplayChapter>& chapters);

}  // namespace tribune::core
