#pragma once
// The meeting as it runs: its agenda and councillors, the session's state, the current
// item, the votes, who is speaking, and what is on air. The hub owns one and is the only
// one to touch it (DESIGN.md §4).
//
// Each command checks the rules and answers a MeetingResult; when it is accepted, it
// produces MeetingEvents and applies them through record(), the same path as a replay
// (apply()). The graphics follow the session: opening shows the bug and the agenda
// lower-third, a suspension shows its slate, the huis clos its slate, and so on (each
// command's comment says what it puts on air).
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/agenda.h"
#include "core/clock.h"
#include "core/councillor.h"
#include "core/loudness.h"
#include "core/meeting_event.h"
#include "core/overlays.h"
#include "core/questions.h"
#include "core/recording_file.h"
#include "core/session.h"
#include "core/source_track.h"
#include "core/status.h"
#include "core/vote.h"

namespace tribune::core {

// What replaying an event gave: nothing to say, or what is wrong with it (English, for the
// log; the meeting is left as it was).
struct ApplyResult {
  std::string error;
  [[nodiscard]] bool ok() const { return error.empty(); }
};

class Meeting {
 public:
  // An empty meeting, to replay a log into: its first event is meeting_created.
  Meeting() = default;
  // A new meeting in pré-séance; records meeting_created.
  Meeting(std::string id, const Agenda& agenda, TimePoint now);

  // --- The session (core/session.h has the transitions) ---------------------------------
  // Opens the session: shows the bug, hides any slate, makes the first item current if none
  // is, and shows its agenda lower-third.
  MeetingResult open(TimePoint now);
  // Shows the "suspension" slate.
  MeetingResult suspend(TimePoint now);
  // Hides the slate; an agenda lower-third on air is brought up to the current item.
  MeetingResult resume(TimePoint now);
  // Shows the "huis-clos" slate; publicOutputsCut() becomes true.
  MeetingResult enterHuisClos(TimePoint now);
  // Hides the slate; an agenda lower-third on air is brought up to the current item.
  MeetingResult leaveHuisClos(TimePoint now);
  // Séance levée: hides the lower-third.
  MeetingResult close(TimePoint now);
  MeetingResult startPublicQuestions(TimePoint now);
  // Shows the "ended" slate.
  MeetingResult end(TimePoint now);

  // --- The agenda --------------------------------------------------------------------
  // Moving is possible until the session is closed; the agenda lower-third follows only
  // while the session is open. The first "next" makes the first item current.
  MeetingResult nextItem(TimePoint now);
  MeetingResult previousItem(TimePoint now);
  // `number` is compared as sameItemNumber() does ("12bis" finds "12 bis"). Jumping to the
  // current item shows its lower-third again.
  MeetingResult jumpTo(std::string_view number, TimePoint now);
  // Replaces the agenda (items and councillors): in pré-séance only. Clears the current
  // item and the speaker, and hides the lower-third, which showed the old agenda.
  MeetingResult loadAgenda(const Agenda& agenda, TimePoint now);

  // --- Votes -------------------------------------------------------------------------
  // On the current item, a délibération, while the session is open or at huis clos. The
  // result comes from core/vote.h's rule; a public ballot's counts come from its choices.
  // Shows the "vote" lower-third, except at huis clos, where the vote is recorded only.
  // Recording again replaces the previous record.
  MeetingResult recordVote(const Vote& vote, TimePoint now);

  // --- The speaker -------------------------------------------------------------------
  // Shows the "speaker" lower-third ({{name}}, {{role}} as "role – group"), except at huis
  // clos. Anything else put on the lower-third clears the speaker.
  MeetingResult showSpeaker(std::string_view councillorId, TimePoint now);
  MeetingResult hideSpeaker(TimePoint now);

  // --- Graphics by hand (the technician's console) -----------------------------------
  // The Overlays rules, plus: at huis clos the "huis-clos" slate stays on air.
  MeetingResult showOverlay(Layer layer, const std::string& templateName, OverlayValues values, TimePoint now);
  MeetingResult updateOverlay(Layer layer, const OverlayValues& values, TimePoint now);
  MeetingResult hideOverlay(Layer layer, TimePoint now);

  // --- The source (issue 6) -----------------------------------------------------------
  // The source's picture or sound stopped (reason: "no_data", "error", "ended", else
  // invalid_params) or came back. Recorded in every session state (the timeline keeps every
  // loss and recovery); a repeat (lost when already lost, restored when up) changes nothing.
  //
  // The picture: a video loss outside huis clos puts the "signal-lost" slate on air and
  // holds the slate it covers behind it (slateBehindSignalLost(), event slate_held). While
  // it covers the picture, the meeting's own slate changes (suspend, resume, end, open, a
  // question on air during a suspension…) change the held slate only, and "signal-lost"
  // stays on air; the video back, the held slate takes its place again (shown, or hidden
  // when nothing was shown). Huis clos wins: its slate replaces "signal-lost" (and ends the
  // hold), a loss at huis clos leaves it on air, and leaving huis clos while the video is
  // lost shows "signal-lost" with nothing held behind it. The technician's hand commands
  // act on the real slate; one that replaces "signal-lost" ends the hold, and the restore
  // then leaves the slate alone. An audio loss changes no graphic (the media side puts
  // silence on air), nor does either loss touch the bug, QR code or lower-third.
  MeetingResult sourceLost(SourceTrack track, const std::string& reason, TimePoint now);
  MeetingResult sourceRestored(SourceTrack track, TimePoint now);
  [[nodiscard]] bool sourceUp(SourceTrack track) const;
  // The slate the session wants while "signal-lost" covers it; nothing when no slate is held.
  [[nodiscard]] const std::optional<LayerState>& slateBehindSignalLost() const { return heldSlate_; }

  // --- The recording (issue 7) ------------------------------------------------------
  // A recording file started: where its time zero is on the program's clock, so that the
  // replay export can place every event on the picture. Accepted in every state (a run
  // resumed after a crash starts a new file), refused (invalid_params) when the file name is
  // empty or a time is negative. The hub records it once the file's first key frame is known.
  MeetingResult recordingStarted(const RecordingFile& recording, TimePoint now);
  // Every file of the meeting, in the order they started.
  [[nodiscard]] const std::vector<RecordingFile>& recordings() const { return recordings_; }

  // --- Viewers' questions (core/questions.h, docs/QUESTIONS.md) ---------------------
  // A screened question; refused (questions_closed) once the meeting is over.
  MeetingResult askQuestion(NewQuestion question, TimePoint now);
  // The board's commands that touch nothing else: approve, edit, reject, restore, delete,
  // written reply, move, merge, upvote, pre-screening. The graphic follows: an edit of the
  // question on air updates it, its deletion takes it off the picture.
  MeetingResult onQuestions(const std::function<QuestionResult(QuestionBoard&)>& command, TimePoint now);
  // Only while the public may be heard (publicMayBeHeard), else wrong_state. Shows the
  // "question" lower-third (and hides the suspension slate while it is on air); the question
  // on air before goes back to the top of the queue.
  MeetingResult questionOnAir(std::uint64_t id, TimePoint now);
  // Hide the graphic (the suspension slate comes back during a suspension); off air puts
  // the question back at the top of the queue, answered takes it out.
  MeetingResult questionOffAir(std::uint64_t id, TimePoint now);
  MeetingResult questionAnswered(std::uint64_t id, TimePoint now);
  [[nodiscard]] const QuestionBoard& questions() const { return questions_; }

  // --- Events ------------------------------------------------------------------------
  // Replays one event (recovery from the log). A wrong event changes nothing and says why.
  // --- The sound's loudness (issue 27) ----------------------------------------------
  // The technician's choice for the automatic gain (auto, frozen, off); none until one is
  // made (then the configuration's audio.loudness.enabled decides). Records loudness_mode,
  // nothing when unchanged.
  MeetingResult setLoudnessMode(LoudnessMode mode, TimePoint now);
  [[nodiscard]] std::optional<LoudnessMode> loudnessMode() const { return loudnessMode_; }
  // The programme's integrated loudness (LUFS) and highest true peak (dBTP) so far, as
  // measured on what went out; the hub records them as the session closes, for the
  // replay's seance.json. Records loudness_measured.
  struct LoudnessMeasure {
    double integratedLufs = 0;
    double truePeakDbtp = 0;
  };
  MeetingResult loudnessMeasured(LoudnessMeasure measure, TimePoint now);
  [[nodiscard]] const std::optional<LoudnessMeasure>& loudness() const { return loudness_; }
  // --- The lives' audience (issue 20) --------------------------------------------------
  // Per platform, {"peak", "average", "per_minute": [{"minute", "viewers"}], "live_url"}
  // (core::PlatformBoard::audience()); the hub records it as the session closes, for
  // seance.json and seance.md. Records audience_measured; refused when not an object of
  // platforms.
  MeetingResult audienceMeasured(const nlohmann::json& audience, TimePoint now);
  [[nodiscard]] const nlohmann::json& audience() const { return audience_; }

  ApplyResult apply(const MeetingEvent& event);
  // Events since the last call, oldest first.
  std::vector<MeetingEvent> takeEvents();

  // --- State -------------------------------------------------------------------------
  // Everything, as JSON: what a client gets on connecting, and what a test compares.
  [[nodiscard]] nlohmann::json snapshot() const;

  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] const Agenda& agenda() const { return agenda_; }
  [[nodiscard]] SessionState state() const { return state_; }
  [[nodiscard]] std::optional<std::size_t> currentIndex() const { return current_; }
  [[nodiscard]] const AgendaItem* currentItem() const;
  [[nodiscard]] const std::map<std::string, Vote>& votes() const { return votes_; }  // by item number
  [[nodiscard]] const std::optional<std::string>& speaker() const { return speaker_; }
  [[nodiscard]] const Overlays& overlays() const { return overlays_; }
  [[nodiscard]] const Councillor* findCouncillor(std::string_view id) const;

  // At huis clos nothing may go out: the hub cuts audio and keeps the slate on every output.
  [[nodiscard]] bool publicOutputsCut() const;
  // At huis clos the recording pauses too, unless the configuration asks to keep it
  // (recording.during_huis_clos).
  [[nodiscard]] bool recordingPaused(bool recordDuringHuisClos) const;

 private:
  struct Appliers;  // the table of event types (meeting.cpp)
  friend struct Appliers;

  // Applies the event and queues it for takeEvents(): the only way a command changes state.
  void record(std::string type, nlohmann::json data, TimePoint now);

  MeetingResult moveTo(std::size_t index, TimePoint now);
  MeetingResult sessionCommand(SessionCommand command, TimePoint now);
  void followSession(SessionCommand command, TimePoint now);
  // Graphics: validated on a copy of the overlays, then recorded as events.
  OverlayResult putOnAir(Layer layer, const std::string& templateName, OverlayValues values, TimePoint now);
  OverlayResult changeOnAir(Layer layer, const OverlayValues& values, TimePoint now);
  OverlayResult takeOffAir(Layer layer, TimePoint now);
  void recordOverlayEvents(Overlays& scratch);
  // The meeting's own slate changes (a template to show, or nothing to hide it) go through
  // here: on the picture, or behind "signal-lost" while it covers the picture.
  void setSlate(const std::optional<std::string>& templateName, TimePoint now);
  // The slate the session wants: the one held behind "signal-lost", else the one on air.
  [[nodiscard]] LayerState wantedSlate() const;
  // Puts "signal-lost" on air (unless it is already there) and holds `behind` behind it.
  void coverWithSignalLost(const LayerState& behind, TimePoint now);
  [[nodiscard]] Overlays& scratchOverlays();
  void showCurrentItem(TimePoint now);
  void refreshAgendaLowerThird(TimePoint now);
  void clearSpeaker(TimePoint now);
  [[nodiscard]] std::optional<std::size_t> indexOf(std::string_view number) const;
  // Queues the board's new events (already applied to it) as meeting events.
  void collectQuestionEvents(TimePoint now);
  // The question graphic follows the board: shown, updated or hidden.
  void followQuestions(TimePoint now);
  // Something else takes the lower-third, or the session goes back into deliberation: the
  // question on air goes back to the queue.
  void questionLeavesAir(TimePoint now);

  std::string id_;
  Agenda agenda_;
  SessionState state_ = SessionState::PreSeance;
  std::optional<std::size_t> current_;
  std::map<std::string, Vote> votes_;
  std::optional<std::string> speaker_;  // councillor id
  Overlays overlays_;
  QuestionBoard questions_;
  Overlays scratch_;  // where graphics commands are tried before they are recorded
  std::vector<MeetingEvent> events_;

  // The source: which tracks are lost (by SourceTrack), and the slate held behind
  // "signal-lost" (set by slate_held events, ended by the video's return or another slate).
  std::array<bool, kSourceTrackCount> sourceLost_{};
  std::optional<LayerState> heldSlate_;
  std::vector<RecordingFile> recordings_;
  std::optional<LoudnessMode> loudnessMode_;
  std::optional<LoudnessMeasure> loudness_;
  nlohmann::json audience_ = nlohmann::json::object();
};

}  // namespace tribune::core
