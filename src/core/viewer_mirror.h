#pragma once
// The public edge's copy of what viewers may see (issue 22). The town hall's Tribune sends
// it, over its link and then through the Redis stream every edge reads, as JSON objects in
// order; the mirror answers a viewer's hello (a snapshot, or a resume from `since`) and says
// where each live message goes. Pure: the edge's reader hands the messages in, its web
// layer sends the texts.
//
// What the town hall sends:
//   {"type":"full","seq":S,"meeting":ID,"snapshot":V,"personal":{VIEWER:[view,…]}}
//       Everything: V is the anonymous viewer's snapshot (docs/PROTOCOL.md, "The
//       snapshot"), `personal` the views a viewer sees differently from the public (their
//       own question, one they upvoted). Replaces the whole mirror and restarts its log.
//   {"type":"state","seq":S,"snapshot":V'}
//       V without `questions` and `questions_queue`: replaces every other member (one absent
//       from V' is absent after: current_item and votes at huis clos). Sent to nobody.
//   {"type":"publish","seq":S,"to":VIEWER?,"message":M}
//       M as viewers receive it: to every viewer, or to the connections of VIEWER only.
//       `question`, `question_removed`, `questions_queue` and `lives` also update the
//       mirror (docs/QUESTIONS.md, "Live updates"); any other type is only logged.
// `seq` never decreases (several messages may share one). A message that does not fit is
// refused with an error naming the member at fault and changes nothing; unknown members
// of the envelope are ignored, so that a newer town hall can add some.
//
// Memory: the log holds at most maxLogEntries messages (beyond, the oldest go and the
// resumable window shrinks); the personal views of a question are at most one per viewer
// among its author and its supporters, as at the town hall.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace tribune::core {

// A message to send now: its text (dumped once, shared with the log) and its audience.
struct MirrorOutgoing {
  std::shared_ptr<const std::string> text;
  std::string to;  // a viewer's browser id; empty: every viewer
};

struct MirrorUpdate {
  std::optional<MirrorOutgoing> outgoing;  // nothing for `full` and `state`
  std::string error;                       // English, for the edge's log: the message was refused
  [[nodiscard]] bool ok() const { return error.empty(); }
};

// What a viewer's hello is answered with: core::welcome(Role::Viewer, seq, snapshot, id),
// then the missed texts in order.
struct MirrorWelcome {
  std::uint64_t seq = 0;
  nlohmann::json snapshot;                                 // null when the viewer resumes
  std::vector<std::shared_ptr<const std::string>> missed;  // when resuming
};

class ViewerMirror {
 public:
  explicit ViewerMirror(std::size_t maxLogEntries = 20000);

  // Applies one message from the town hall; says what to send now.
  MirrorUpdate apply(const nlohmann::json& message);

  [[nodiscard]] bool ready() const { return ready_; }  // a `full` was applied
  [[nodiscard]] std::uint64_t seq() const { return seq_; }
  [[nodiscard]] const std::string& meeting() const { return meeting_; }
  [[nodiscard]] std::size_t logSize() const { return log_.size(); }

  // Nothing before the first `full`. A viewer resumes (snapshot null) when `since` is given,
  // since <= seq() and every message with a seq above `since` is still in the log; `missed`
  // is then every logged message for everyone or for `viewer` with a seq above `since`, plus
  // those with seq == since that are not `event`s: a `lives` or a question view may come
  // minutes after the message whose seq it carries, and replaying such a replacement is
  // harmless (clients drop an `event` they saw already, and replace views). Otherwise the
  // snapshot the town hall would give that viewer.
  //
  // Cheap on the resume path (thousands of viewers reconnect at once): nothing is copied
  // but pointers to the texts; the snapshot is built once per call.
  [[nodiscard]] std::optional<MirrorWelcome> welcome(const std::string& viewer,
                                                     std::optional<std::uint64_t> since) const;

 private:
  struct LogEntry {
    std::uint64_t seq = 0;
    std::string to;  // empty: every viewer
    std::shared_ptr<const std::string> text;
    bool event = false;  // an `event` message: never replayed at its own seq
  };
  // A viewer's own views; nullopt: the viewer may not see that question, whatever the
  // public sees (until a later view for them or for the public).
  using PersonalViews = std::map<std::uint64_t, std::optional<nlohmann::json>>;

  MirrorUpdate applyFull(const nlohmann::json& message, std::uint64_t seq);
  MirrorUpdate applyState(const nlohmann::json& message, std::uint64_t seq);
  MirrorUpdate applyPublish(const nlohmann::json& message, std::uint64_t seq);
  void setHidden(const std::string& viewer, std::uint64_t id, bool hidden);
  void log(LogEntry entry);

  std::size_t maxLogEntries_;
  bool ready_ = false;
  std::uint64_t seq_ = 0;
  std::string meeting_;
  nlohmann::json base_;  // the snapshot but its questions members
  std::map<std::uint64_t, nlohmann::json> publicViews_;
  nlohmann::json queue_ = nlohmann::json::array();
  std::unordered_map<std::string, PersonalViews> personal_;
  std::map<std::uint64_t, std::set<std::string>> hiddenFrom_;  // question → viewers with a nullopt
  std::deque<LogEntry> log_;
  // The smallest `since` from which every later message is in the log.
  std::uint64_t minSince_ = 0;
};

}  // namespace tribune::core
