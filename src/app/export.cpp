#include "app/export.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "app/replay.h"
#include "archive/archive.h"
#include "core/meeting_record.h"
#include "core/questions_export.h"
#include "core/replay_plan.h"

namespace tribune::app {
namespace {

// Wall clock -> ISO 8601 in the machine's time zone, with its offset.
std::string localIso(std::int64_t wallMs) {
  const std::time_t seconds = static_cast<std::time_t>(wallMs / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
  const long offset = local.tm_gmtoff / 60;
  return fmt::format("{}{}{:02}:{:02}", text, offset < 0 ? '-' : '+', std::labs(offset) / 60, std::labs(offset) % 60);
}

// Written beside, then renamed: a failed export never leaves half a file under the name.
void writeFile(const std::filesystem::path& path, const std::string& text, ExportResult& result) {
  auto partial = path;
  partial += ".partiel";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(partial, ignored);
      throw ExportError("impossible d'écrire / cannot write " + path.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) throw ExportError("impossible d'écrire / cannot write " + path.string() + ": " + ec.message());
  result.files.push_back(path);
}

std::vector<core::LoggedEvent> loggedEvents(const store::EventStore& store, const std::string& meetingId) {
  std::vector<core::LoggedEvent> events;
  for (const auto& stored : store.readMeeting(meetingId)) {
    auto data = nlohmann::json::parse(stored.data, nullptr, false);
    if (data.is_discarded()) continue;  // replayMeeting names it in its warnings
    events.push_back({stored.seq, stored.type, std::move(data), stored.wallMs, stored.programNs});
  }
  return events;
}

// "6 bis" -> "6-bis": a file name from an item number.
std::string fileNamePart(const std::string& number) {
  std::string out;
  for (unsigned char c : number) {
    const bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (plain) {
      out += static_cast<char>(c);
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "point" : out;
}

std::vector<archive::Chapter> mp4Chapters(const std::vector<core::ReplayChapter>& chapters) {
  std::vector<archive::Chapter> out;
  for (const auto& chapter : chapters) out.push_back({chapter.startNs, chapter.endNs, chapter.title});
  return out;
}

// The parts of the replay's pieces that one agenda item's chapters cover, in file time:
// started on the key frame at or before the chapter (nothing of the item is cut), ended on
// the key frame at or after it (or the piece's end).
std::vector<archive::Piece> itemPieces(const core::ReplayPlan& plan, std::size_t item,
                                       const std::map<std::string, core::FileScan>& scans) {
  std::vector<archive::Piece> pieces;
  for (const auto& chapter : plan.chapters) {
    if (chapter.item != item) continue;
    for (const auto& piece : plan.pieces) {
      const auto length = piece.toNs - piece.fromNs;
      const auto a = std::max(chapter.startNs, piece.replayStartNs);
      const auto b = std::min(chapter.endNs, piece.replayStartNs + length);
      if (a >= b) continue;
      const auto& keys = scans.at(piece.file).keyFramesNs;
      auto from = piece.fromNs + (a - piece.replayStartNs);
      auto to = piece.fromNs + (b - piece.replayStartNs);
      auto before = std::upper_bound(keys.begin(), keys.end(), from);
      if (before != keys.begin()) from = std::max(piece.fromNs, *std::prev(before));
      auto after = std::lower_bound(keys.begin(), keys.end(), to);
      to = after == keys.end() ? piece.toNs : std::min(piece.toNs, *after);
      if (!pieces.empty() && pieces.back().file == piece.file && pieces.back().toNs >= from) {
        pieces.back().toNs = std::max(pieces.back().toNs, to);  // contiguous chapters: one piece
      } else if (from < to) {
        pieces.push_back({piece.file, from, to});
      }
    }
  }
  return pieces;
}

}  // namespace

std::filesystem::path defaultExportDir(const std::filesystem::path& dataDir, const std::string& meetingId) {
  return dataDir / "exports" / meetingId;
}

ExportResult exportMeeting(const store::EventStore& store, const std::string& meetingId, const ExportOptions& options) {
  ExportResult result;
  const auto events = loggedEvents(store, meetingId);
  if (events.empty()) throw ExportError("séance inconnue / unknown meeting: " + meetingId);
  const auto meeting = replayMeeting(store, meetingId, &result.warnings);

  // The recording files: scanned once; one that cannot be read is left out, and said.
  std::map<std::string, core::FileScan> scans;
  for (const auto& recording : meeting.recordings()) {
    if (scans.count(recording.file) != 0) continue;
    try {
      const auto scan = archive::scanRecording(recording.file);
      core::FileScan fileScan;
      fileScan.keyFramesNs = scan.keyFramesNs;
      for (const auto& span : scan.spans) fileScan.spans.push_back({span.startNs, span.endNs});
      scans.emplace(recording.file, std::move(fileScan));
      if (scan.truncated) {
        result.warnings.push_back("Enregistrement interrompu (" + scan.truncatedReason +
                                  "), exporté jusqu'à sa dernière image lisible : " + recording.file);
      }
    } catch (const archive::ArchiveError& e) {
      result.warnings.push_back(e.what());
    }
  }
  const auto plan = core::planReplay(events, meeting.agenda(), scans);
  for (const auto& warning : plan.warnings) result.warnings.push_back(warning);

  std::error_code ec;
  std::filesystem::create_directories(options.outDir, ec);
  if (ec) throw ExportError("impossible de créer / cannot create " + options.outDir.string() + ": " + ec.message());

  const auto& info = meeting.agenda().meeting;
  std::vector<std::pair<std::string, std::string>> metadata{
      {"title", info.title + " — " + info.commune + " — " + info.date},
      {"artist", info.commune},
      {"date", info.date},
      {"comment", "Séance " + meetingId + ", enregistrée avec Tribune"},
  };
  try {
    if (!plan.pieces.empty()) {
      archive::ReplaySpec spec;
      for (const auto& piece : plan.pieces) spec.pieces.push_back({piece.file, piece.fromNs, piece.toNs});
      spec.chapters = mp4Chapters(plan.chapters);
      spec.metadata = metadata;
      const auto replay = options.outDir / "seance.mp4";
      archive::writeMp4(spec, replay);
      result.files.push_back(replay);
      const auto youtube = core::youtubeChapters(plan.chapters);
      if (!youtube.shown) {
        result.warnings.push_back(
            "Moins de trois chapitres d'au moins 10 s : YouTube n'affichera pas les chapitres / fewer than three "
            "chapters of 10 s or more: YouTube shows none");
      }
      writeFile(options.outDir / "chapitres-youtube.txt", youtube.text, result);
      writeFile(options.outDir / "chapitres.vtt", core::webVttChapters(plan.chapters), result);
    }
  } catch (const archive::ArchiveError& e) {
    throw ExportError(e.what());
  }
  auto record = core::meetingRecord(meeting, events, plan, localIso);
  // The programme's integrated loudness, logged as the session closed (issue 27).
  if (const auto& loudness = meeting.loudness()) {
    record["loudness"] = {{"integrated_lufs", loudness->integratedLufs}, {"true_peak_dbtp", loudness->truePeakDbtp}};
  }
  // The lives' audience per platform, logged as the session closed (issue 20).
  if (!meeting.audience().empty()) record["audience"] = meeting.audience();
  writeFile(options.outDir / "seance.json", record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
            result);
  writeFile(options.outDir / "seance.md", core::meetingSummary(record), result);
  const auto& board = meeting.questions();
  const bool asked = std::any_of(board.all().begin(), board.all().end(), [](const auto& entry) {
    return entry.second.status != core::QuestionStatus::Deleted;
  });
  if (asked) {
    writeFile(options.outDir / "questions.csv", core::questionsCsv(board), result);
    writeFile(
        options.outDir / "questions.json",
        core::questionsJson(board, meetingId).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
        result);
  }
  if (options.clips && !plan.pieces.empty()) {
    const auto dir = options.outDir / "points";
    std::filesystem::create_directories(dir, ec);
    if (ec) throw ExportError("impossible de créer / cannot create " + dir.string() + ": " + ec.message());
    for (std::size_t i = 0; i < meeting.agenda().items.size(); ++i) {
      archive::ReplaySpec spec;
      spec.pieces = itemPieces(plan, i, scans);
      if (spec.pieces.empty()) continue;
      const auto& item = meeting.agenda().items[i];
      spec.metadata = metadata;
      spec.metadata[0].second = item.number + ". " + item.title + " — " + info.commune + " — " + info.date;
      const auto clip = dir / ("point-" + fileNamePart(item.number) + ".mp4");
      try {
        archive::writeMp4(spec, clip);
      } catch (const archive::ArchiveError& e) {
        throw ExportError(e.what());
      }
      result.files.push_back(clip);
    }
  }
  return result;
}

}  // namespace tribune::app
