// The replay export when the session closes (issue 7, app/export.h). The export reads the
// event log and the recording files on a thread of its own, at a low priority, so that the
// broadcast (which goes on: public questions come after the closing) never waits for a
// disk. Its result is posted back to the hub thread, which alone owns the export's state.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "app/export.h"
#include "app/hub.h"
#include "app/hub_internal.h"
#include "core/session.h"

namespace tribune::app {
namespace {

// Below the broadcast: the encoder and the outputs keep their share of the two cores.
constexpr int kExportNiceness = 10;

}  // namespace

void Hub::exportAfter(const std::vector<core::MeetingEvent>& events) {
  if (recordingDir_.empty()) return;  // nothing recorded: nothing to export automatically
  const bool closing = std::any_of(events.begin(), events.end(), [](const core::MeetingEvent& event) {
    if (event.type != "session_changed") return false;
    const auto to = event.data.value("to", std::string{});
    return to == core::toString(core::SessionState::Levee) || to == core::toString(core::SessionState::Terminee);
  });
  if (!closing) return;
  if (exporting_) {
    exportAgain_ = true;
    return;
  }
  startExport();
}

void Hub::startExport() {
  joinExport();  // the previous one has posted its result: its thread is ending
  exporting_ = true;
  exportAgain_ = false;
  exportState_ = "running";
  exportDir_ = defaultExportDir(options_.dataDir, meeting_.id());
  exportError_.clear();
  hubLogger()->info("export de la séance / exporting the meeting: {}", exportDir_.string());
  pushStatus();
  exportThread_ = std::thread([this, meetingId = meeting_.id(), dir = exportDir_] {
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), kExportNiceness);
    ExportResult result;
    std::string error;
    try {
      result = exportMeeting(*store_, meetingId, {dir, false});
    } catch (const std::exception& e) {
      error = e.what();
    }
    std::string chapters = error.empty() ? youTubeChaptersOf(result) : std::string();
    boost::asio::post(io_,
                      [this, result = std::move(result), error = std::move(error), chapters = std::move(chapters)] {
                        exporting_ = false;
                        exportState_ = error.empty() ? "done" : "failed";
                        exportError_ = error;
                        exportFiles_.clear();
                        for (const auto& file : result.files) exportFiles_.push_back(file.string());
                        exportWarnings_ = result.warnings;
                        for (const auto& warning : result.warnings) hubLogger()->warn("export : {}", warning);
                        if (error.empty()) {
                          hubLogger()->info("séance exportée / meeting exported: {} ({} fichiers)", exportDir_.string(),
                                            exportFiles_.size());
                        } else {
                          hubLogger()->error("export impossible / export failed: {}", error);
                        }
                        writeChaptersToPlatforms(chapters);
                        if (exportAgain_ && !stopped_) startExport();
                        pushStatus();
                        endIfMeetingEnded();
                      });
  });
}

void Hub::endIfMeetingEnded() {
  if (!options_.endWhenMeetingEnds || stopped_ || exporting_) return;
  if (meeting_.state() != core::SessionState::Terminee) return;
  hubLogger()->info("séance terminée et exportée : retour en veille / meeting over and exported: back to standby");
  stopNow();
}

void Hub::joinExport() {
  if (exportThread_.joinable()) exportThread_.join();
}

}  // namespace tribune::app
