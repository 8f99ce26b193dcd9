#pragma once
// The viewers' questions of a meeting: what was asked, what the moderator made of it, the
// approved queue the mayor reads from, and the upvotes. Like the Overlays, the board only
// holds state; commands check the rules and record events (question_*), which are the only
// way the state changes, so that a replay of the log rebuilds the board exactly.
//
// The lifecycle (docs/QUESTIONS.md has the diagram):
//
//   asked → pending ──approve──→ approved ──on_air──→ on_air ──answered──→ answered
//              │  ↑                 │  ↑                  │
//              │  └──restore── rejected  └────off_air──────┘
//              ├──reject──→ rejected        approved/pending ──written_reply──→ written_reply
//              ├──merge──→ merged (its votes go to the other)
//              └──delete──→ deleted (gone from every list; the text is forgotten)
//
// With pre-screening off a question goes straight to approved, unless it was flagged on
// arrival (core/text_screen.h), which keeps it pending.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/role.h"
#include "core/status.h"

namespace tribune::core {

// Where a question may come from: the viewer page, then the platforms (issue 21).
inline constexpr std::string_view kQuestionOrigins[] = {"site", "youtube", "facebook", "peertube"};
bool isQuestionOrigin(std::string_view origin);
// How the pages and the graphic name it: "site", "YouTube", "Facebook", "PeerTube".
std::string_view originLabel(std::string_view origin);

enum class QuestionStatus { Pending, Approved, OnAir, Answered, WrittenReply, Rejected, Merged, Deleted };

// "pending", "approved", "on_air", "answered", "written_reply", "rejected", "merged", "deleted".
std::string_view toString(QuestionStatus status);
std::optional<QuestionStatus> questionStatusFromString(std::string_view name);
// What the viewer reads: "en attente", "retenue", "à l'antenne", "répondue", "réponse écrite
// à venir", "non retenue", "regroupée avec une question semblable", "non retenue".
std::string_view frenchLabel(QuestionStatus status);

struct Question {
  std::uint64_t id = 0;            // 1, 2, … within the meeting
  std::string text;                // as shown: personal data masked, maybe edited by the moderator
  std::string original;            // as sent, when masking or an edit changed it (moderators only)
  std::string pseudonym;           // may be empty
  std::string place;               // quartier or commune, may be empty
  std::string author;              // the asking browser's id: never shown to anyone else
  std::vector<std::string> flags;  // "profanity", "phone", "email" (core/text_screen.h)
  QuestionStatus status = QuestionStatus::Pending;
  std::set<std::string> voters;  // browser ids, one vote each
  std::optional<std::uint64_t> mergedInto;
  std::int64_t askedMs = 0;  // wall clock, milliseconds since 1970 (given by the hub)
  // Where it was asked (issue 21): "site" (the viewer page), "youtube", "facebook",
  // "peertube"; for a platform, the message's id there (duplicates, withdrawal, reply).
  std::string origin = "site";
  std::string originId;
};

// What a question.ask brings, after the screening.
struct NewQuestion {
  std::string text;      // masked
  std::string original;  // empty when the masking changed nothing
  std::string pseudonym;
  std::string place;
  std::string author;
  std::vector<std::string> flags;
  std::int64_t askedMs = 0;
  std::string origin = "site";  // see Question
  std::string originId;
};

enum class QueueMove { Up, Down, Top };
std::optional<QueueMove> queueMoveFromString(std::string_view name);  // "up", "down", "top"

// A question event: the type ("question_asked", …) and its data.
struct QuestionEvent {
  std::string type;
  nlohmann::json data;
};

struct QuestionResult {
  StatusCode status = StatusCode::Ok;
  std::string message;  // French, when refused
  [[nodiscard]] bool ok() const { return status == StatusCode::Ok; }
};

class QuestionBoard {
 public:
  // --- Commands: each checks, then records events (takeEvents()) -----------------------
  // Ids are given in order. Goes to approved when pre-screening is off and no flag is set.
  QuestionResult ask(NewQuestion question);
  // Pending or rejected → approved, at the end of the queue; `text` replaces the shown text.
  QuestionResult approve(std::uint64_t id, const std::optional<std::string>& text);
  // Changes the shown text (pending, approved); the original is kept for the moderator.
  QuestionResult edit(std::uint64_t id, const std::string& text);
  QuestionResult reject(std::uint64_t id);                // pending, approved → rejected
  QuestionResult restore(std::uint64_t id);               // rejected → pending
  QuestionResult remove(std::uint64_t id);                // any but deleted → deleted; text forgotten
  QuestionResult writtenReply(std::uint64_t id);          // pending, approved → written_reply
  QuestionResult move(std::uint64_t id, QueueMove move);  // approved and on air only
  // `id` (pending or approved) joins `into` (pending, approved or on air): its voters are
  // added to `into`'s, it leaves the queue.
  QuestionResult merge(std::uint64_t id, std::uint64_t into);
  // Approved → on air; the one on air before goes back to approved, at the top of the
  // queue. The session's rule is the Meeting's, which also shows the graphic.
  QuestionResult putOnAir(std::uint64_t id);
  QuestionResult takeOffAir(std::uint64_t id);  // on air → approved (top of the queue)
  QuestionResult answered(std::uint64_t id);    // on air or approved → answered
  // One vote per browser per question; approved, on air or answered questions only.
  QuestionResult upvote(std::uint64_t id, const std::string& voter);
  QuestionResult setPrescreen(bool on);

  // Replays one event; a wrong one changes nothing and says why (English, for the log).
  std::optional<std::string> apply(const QuestionEvent& event);
  std::vector<QuestionEvent> takeEvents();
  [[nodiscard]] static bool isQuestionEvent(std::string_view type);  // "question_…", "questions_…"

  // --- State ----------------------------------------------------------------------------
  [[nodiscard]] const Question* find(std::uint64_t id) const;
  [[nodiscard]] const std::map<std::uint64_t, Question>& all() const { return questions_; }
  // Approved and on-air questions, in the moderator's order.
  [[nodiscard]] const std::vector<std::uint64_t>& queue() const { return queue_; }
  [[nodiscard]] std::optional<std::uint64_t> onAir() const;
  [[nodiscard]] bool prescreen() const { return prescreen_; }
  [[nodiscard]] std::optional<std::size_t> rankOf(std::uint64_t id) const;  // 0 = first
  // The question made of that platform message, whatever its status (deleted included).
  [[nodiscard]] std::optional<std::uint64_t> fromOrigin(std::string_view origin, std::string_view originId) const;

  struct Counters {
    std::size_t pending = 0, approved = 0, answered = 0, rejected = 0;  // approved counts on air
  };
  [[nodiscard]] Counters counters() const;

  // --- What each role sees ---------------------------------------------------------------
  // Technician and moderator: every question but deleted ones, original text and flags
  // included. Mayor: approved, on air and answered ones. Viewer: approved, on air and
  // answered ones without the author, plus their own (author == viewer) whatever the status
  // (a deleted one reads "non retenue"). Nothing when the role may not see it.
  [[nodiscard]] std::optional<nlohmann::json> view(std::uint64_t id, Role role, std::string_view viewer) const;
  // Every question the role sees, in id order.
  [[nodiscard]] nlohmann::json views(Role role, std::string_view viewer) const;

 private:
  void record(std::string type, nlohmann::json data);
  Question* findMutable(std::uint64_t id);
  // Commands treat a deleted question as unknown.
  [[nodiscard]] const Question* findLive(std::uint64_t id) const;
  void dropFromQueue(std::uint64_t id);

  std::map<std::uint64_t, Question> questions_;
  std::map<std::pair<std::string, std::string>, std::uint64_t, std::less<>> byOrigin_;  // platform questions
  std::vector<std::uint64_t> queue_;
  std::uint64_t nextId_ = 1;
  bool prescreen_ = true;
  std::vector<QuestionEvent> events_;
};

}  // namespace tribune::core
