#include "core/replay_plan.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "core/session.h"

namespace tribune::core {
namespace {

using Ns = std::int64_t;
constexpr Ns kMsNs = 1'000'000;
constexpr Ns kSecondNs = 1'000'000'000;
constexpr Ns kForever = std::numeric_limits<Ns>::max();
// An event whose run's clock puts it further than this from its wall clock is placed by
// its wall clock (a run without a recording file: the previous run's epoch does not apply).
constexpr Ns kRunMismatchNs = 60 * kSecondNs;
// Chapter marks closer than this collapse into the later one.
constexpr Ns kSameMomentNs = kSecondNs;
constexpr Ns kYoutubeShortestNs = 10 * kSecondNs;

constexpr const char* kOpening = "Ouverture de la séance";

struct Interval {
  Ns start = 0;
  Ns end = 0;
};

// The session as the events tell it, on the absolute axis (ns since the Unix epoch).
struct SessionTimes {
  std::optional<Ns> opened;
  std::optional<Ns> ended;
  std::vector<Interval> huisClos;
};

class Axis {
 public:
  explicit Axis(const std::vector<RecordingFile>& recordings) {
    for (const auto& recording : recordings) epochsMs_.push_back(recording.epochMs);
    std::sort(epochsMs_.begin(), epochsMs_.end());
    epochsMs_.erase(std::unique(epochsMs_.begin(), epochsMs_.end()), epochsMs_.end());
  }

  [[nodiscard]] Ns at(const LoggedEvent& event) const {
    const Ns wall = event.wallMs * kMsNs;
    if (event.programNs < 0) return wall;
    // The latest run started at or before the event (a little slack: the epoch is computed
    // from two clocks read a moment apart).
    const auto after = std::upper_bound(epochsMs_.begin(), epochsMs_.end(), event.wallMs + 1000);
    if (after == epochsMs_.begin()) return wall;
    const Ns placed = *std::prev(after) * kMsNs + event.programNs;
    return std::llabs(placed - wall) > kRunMismatchNs ? wall : placed;
  }

 private:
  std::vector<std::int64_t> epochsMs_;
};

std::string stateTo(const LoggedEvent& event) { return event.data.value("to", std::string{}); }
std::string stateFrom(const LoggedEvent& event) { return event.data.value("from", std::string{}); }

SessionTimes sessionTimes(const std::vector<LoggedEvent>& events, const Axis& axis) {
  SessionTimes times;
  // A flag and a time rather than an optional: GCC 12 misreads the optional here as maybe
  // uninitialised (-Wmaybe-uninitialized).
  bool inHuisClos = false;
  Ns huisClosSince = 0;
  for (const auto& event : events) {
    if (event.type != "session_changed") continue;
    const Ns at = axis.at(event);
    const auto to = stateTo(event);
    const auto from = stateFrom(event);
    if (to == toString(SessionState::Ouverte) && from == toString(SessionState::PreSeance) && !times.opened) {
      times.opened = at;
    }
    if (to == toString(SessionState::HuisClos)) {
      inHuisClos = true;
      huisClosSince = at;
    }
    if (from == toString(SessionState::HuisClos) && inHuisClos) {
      times.huisClos.push_back({huisClosSince, at});
      inHuisClos = false;
    }
    if (to == toString(SessionState::Terminee) && !times.ended) times.ended = at;
  }
  if (inHuisClos) times.huisClos.push_back({huisClosSince, kForever});  // never left
  return times;
}

// The first key frame at or after `t`, or the one at or before it, within [low, high].
std::optional<Ns> keyFrameAtOrAfter(const std::vector<Ns>& keys, Ns t, Ns low, Ns high) {
  auto found = std::lower_bound(keys.begin(), keys.end(), std::max(t, low));
  if (found == keys.end() || *found > high) return std::nullopt;
  return *found;
}
std::optional<Ns> keyFrameAtOrBefore(const std::vector<Ns>& keys, Ns t, Ns low, Ns high) {
  auto found = std::upper_bound(keys.begin(), keys.end(), std::min(t, high));
  if (found == keys.begin()) return std::nullopt;
  --found;
  if (*found < low) return std::nullopt;
  return *found;
}

// What the replay keeps of the absolute axis: [opened, ended) minus the huis clos.
std::vector<Interval> keptIntervals(const SessionTimes& times) {
  std::vector<Interval> kept{{*times.opened, times.ended.value_or(kForever)}};
  for (const auto& closed : times.huisClos) {
    std::vector<Interval> next;
    for (const auto& interval : kept) {
      if (closed.end <= interval.start || closed.start >= interval.end) {
        next.push_back(interval);
        continue;
      }
      if (closed.start > interval.start) next.push_back({interval.start, closed.start});
      if (closed.end < interval.end) next.push_back({closed.end, interval.end});
    }
    kept = std::move(next);
  }
  return kept;
}

struct AbsPiece {
  ReplayPiece piece;
  Ns absFrom = 0;  // the absolute time of piece.fromNs
};

std::string itemTitle(const Agenda& agenda, std::size_t index) {
  if (index >= agenda.items.size()) return {};
  const auto& item = agenda.items[index];
  return item.number + ". " + item.title;
}

struct Mark {
  Ns at = 0;  // absolute
  std::string title;
  bool opening = false;
  std::optional<std::size_t> item;
};

// The chapter marks, in log order, on the absolute axis.
std::vector<Mark> chapterMarks(const std::vector<LoggedEvent>& events, const Agenda& agenda, const Axis& axis) {
  std::vector<Mark> marks;
  std::string state(toString(SessionState::PreSeance));
  std::optional<std::size_t> current;
  std::optional<std::size_t> beforeBreak;  // the item when the session was suspended or closed
  const std::string open(toString(SessionState::Ouverte));
  for (const auto& event : events) {
    const Ns at = axis.at(event);
    if (event.type == "meeting_created") {
      state = toString(SessionState::PreSeance);
      current.reset();
    } else if (event.type == "item_changed") {
      const auto index = event.data.value("index", std::size_t{0});
      current = index;
      if (state == open) marks.push_back({at, itemTitle(agenda, index), false, index});
    } else if (event.type == "session_changed") {
      const auto from = stateFrom(event);
      const auto to = stateTo(event);
      state = to;
      if (to == open && from == toString(SessionState::PreSeance)) {
        marks.push_back({at, kOpening, true, std::nullopt});
        if (current) marks.push_back({at, itemTitle(agenda, *current), false, current});
      } else if (to == open) {  // back from a suspension or a huis clos
        if (current) {
          const bool same = beforeBreak == current;
          marks.push_back({at, itemTitle(agenda, *current) + (same ? " (suite)" : ""), false, current});
        } else {
          marks.push_back({at, "Reprise de la séance", false, std::nullopt});
        }
      } else if (to == toString(SessionState::Suspension)) {
        beforeBreak = current;
        marks.push_back({at, std::string(frenchLabel(SessionState::Suspension)), false, std::nullopt});
      } else if (to == toString(SessionState::HuisClos)) {
        beforeBreak = current;  // not in the replay: no mark
      } else if (to == toString(SessionState::Levee)) {
        marks.push_back({at, std::string(frenchLabel(SessionState::Levee)), false, std::nullopt});
      } else if (to == toString(SessionState::QuestionsPublic)) {
        marks.push_back({at, std::string(frenchLabel(SessionState::QuestionsPublic)), false, std::nullopt});
      }
    }
  }
  return marks;
}

}  // namespace

std::vector<RecordingFile> recordingFiles(const std::vector<LoggedEvent>& events) {
  std::vector<RecordingFile> files;
  for (const auto& event : events) {
    if (event.type != "recording_started") continue;
    if (auto file = recordingFileFromJson(event.data)) files.push_back(std::move(*file));
  }
  return files;
}

ReplayPlan planReplay(const std::vector<LoggedEvent>& events, const Agenda& agenda,
                      const std::map<std::string, FileScan>& scans) {
  ReplayPlan plan;
  plan.eventReplayNs.assign(events.size(), std::nullopt);
  const auto recordings = recordingFiles(events);
  const Axis axis(recordings);
  const auto times = sessionTimes(events, axis);
  if (!times.opened) {
    plan.warnings.push_back("La séance n'a jamais été ouverte : pas de vidéo de la séance.");
    return plan;
  }
  if (recordings.empty()) {
    plan.warnings.push_back("Aucun enregistrement n'est connu pour cette séance : pas de vidéo.");
    return plan;
  }
  const auto kept = keptIntervals(times);

  std::vector<AbsPiece> pieces;
  for (const auto& recording : recordings) {
    const auto scan = scans.find(recording.file);
    if (scan == scans.end()) {
      plan.warnings.push_back("Fichier d'enregistrement illisible ou absent, ignoré : " + recording.file);
      continue;
    }
    const auto& keys = scan->second.keyFramesNs;
    const Ns zero = recording.epochMs * kMsNs + recording.programNs;  // absolute time of file time 0
    for (const auto& span : scan->second.spans) {
      for (const auto& interval : kept) {
        const Ns a = std::max(interval.start, zero + span.startNs);
        const Ns b = interval.end == kForever ? zero + span.endNs : std::min(interval.end, zero + span.endNs);
        if (a >= b) continue;
        const Ns fa = a - zero;
        const Ns fb = b - zero;
        // The start: the opening is never cut (the key frame before it); elsewhere (after a
        // huis clos, a new file) the first key frame at or after.
        std::optional<Ns> from;
        if (interval.start == *times.opened && a == interval.start) {
          from = keyFrameAtOrBefore(keys, fa, span.startNs, span.endNs);
        }
        if (!from) from = keyFrameAtOrAfter(keys, fa, span.startNs, span.endNs);
        if (!from) continue;
        // The end: the span's own end, or a cut. Before a huis clos the key frame at or
        // before it (nothing closed gets in); at the end of the meeting the one after.
        Ns to = span.endNs;
        if (fb < span.endNs) {
          const bool endOfMeeting = times.ended && interval.end == *times.ended;
          const auto cut = endOfMeeting ? keyFrameAtOrAfter(keys, fb, span.startNs, span.endNs)
                                        : keyFrameAtOrBefore(keys, fb, span.startNs, span.endNs);
          to = cut.value_or(endOfMeeting ? span.endNs : span.startNs);
        }
        if (*from >= to) continue;
        pieces.push_back({ReplayPiece{recording.file, *from, to, 0}, zero + *from});
      }
    }
  }
  std::stable_sort(pieces.begin(), pieces.end(),
                   [](const AbsPiece& x, const AbsPiece& y) { return x.absFrom < y.absFrom; });
  // Two files never overlap in time (one recorder at a time); a piece that would is cut.
  Ns replay = 0;
  Ns lastAbsEnd = std::numeric_limits<Ns>::min();
  std::vector<AbsPiece> ordered;
  for (auto& piece : pieces) {
    if (piece.absFrom < lastAbsEnd) continue;
    piece.piece.replayStartNs = replay;
    replay += piece.piece.toNs - piece.piece.fromNs;
    lastAbsEnd = piece.absFrom + (piece.piece.toNs - piece.piece.fromNs);
    ordered.push_back(piece);
  }
  if (ordered.empty()) {
    plan.warnings.push_back("Rien de la séance publique n'a été enregistré : pas de vidéo.");
    return plan;
  }
  plan.durationNs = replay;
  for (const auto& piece : ordered) plan.pieces.push_back(piece.piece);

  // Absolute time -> replay time: inside a piece, exact; in a gap, where the replay resumes.
  auto toReplay = [&](Ns at) -> Ns {
    for (const auto& piece : ordered) {
      const Ns length = piece.piece.toNs - piece.piece.fromNs;
      if (at < piece.absFrom) return piece.piece.replayStartNs;
      if (at < piece.absFrom + length) return piece.piece.replayStartNs + (at - piece.absFrom);
    }
    return replay;
  };
  auto inReplay = [&](Ns at) {
    return std::any_of(ordered.begin(), ordered.end(), [&](const AbsPiece& piece) {
      return at >= piece.absFrom && at < piece.absFrom + (piece.piece.toNs - piece.piece.fromNs);
    });
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Ns at = axis.at(events[i]);
    if (inReplay(at) || (at >= *times.opened && toReplay(at) == 0)) plan.eventReplayNs[i] = toReplay(at);
  }

  // Chapters: marks placed in the replay, those within a second collapsing into the later
  // (the opening and its first item into one title).
  std::vector<Mark> placed;
  for (auto mark : chapterMarks(events, agenda, axis)) {
    if (mark.at < *times.opened) continue;
    if (times.ended && mark.at >= *times.ended) continue;
    mark.at = toReplay(mark.at);
    if (mark.at >= replay) continue;
    if (!placed.empty() && mark.at - placed.back().at < kSameMomentNs) {
      if (placed.back().opening && mark.item.has_value()) {
        mark.title = std::string(kOpening) + " — " + mark.title;
        mark.opening = true;
      }
      mark.at = placed.back().at;
      placed.back() = mark;
      continue;
    }
    placed.push_back(mark);
  }
  if (!placed.empty()) placed.front().at = 0;  // the replay starts on the key frame before the opening
  for (std::size_t i = 0; i < placed.size(); ++i) {
    const Ns end = i + 1 < placed.size() ? placed[i + 1].at : replay;
    plan.chapters.push_back({placed[i].at, end, placed[i].title, placed[i].item});
  }
  return plan;
}

namespace {

std::string clockText(Ns ns, bool hours) {
  const auto seconds = ns / kSecondNs;
  char text[32];
  if (hours) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  } else {
    std::snprintf(text, sizeof text, "%02lld:%02lld", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  }
  return text;
}

std::string oneLine(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return text;
}

}  // namespace

YoutubeChapters youtubeChapters(const std::vector<ReplayChapter>& chapters) {
  YoutubeChapters out;
  auto merged = chapters;
  // The first chapter always starts at 00:00 (a plan's does).
  if (!merged.empty()) merged.front().startNs = 0;
  for (bool changed = true; changed && merged.size() > 1;) {
    changed = false;
    for (std::size_t i = 0; i < merged.size(); ++i) {
      if (merged[i].endNs - merged[i].startNs >= kYoutubeShortestNs) continue;
      // Into the one before; the first takes the one after (it must stay at 00:00).
      const std::size_t keep = i == 0 ? 0 : i - 1;
      const std::size_t gone = i == 0 ? 1 : i;
      merged[keep].title += " · " + merged[gone].title;
      merged[keep].endNs = std::max(merged[keep].endNs, merged[gone].endNs);
      merged.erase(merged.begin() + static_cast<std::ptrdiff_t>(gone));
      ++out.merged;
      changed = true;
      break;
    }
  }
  const bool hours = !merged.empty() && merged.back().endNs >= 3600 * kSecondNs;
  for (const auto& chapter : merged)
    out.text += clockText(chapter.startNs, hours) + " " + oneLine(chapter.title) + "\n";
  out.shown = merged.size() >= 3 && std::all_of(merged.begin(), merged.end(), [](const ReplayChapter& chapter) {
                return chapter.endNs - chapter.startNs >= kYoutubeShortestNs;
              });
  return out;
}

namespace {

std::string vttTime(Ns ns) {
  const auto ms = ns / kMsNs;
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld.%03lld", static_cast<long long>(ms / 3'600'000),
                static_cast<long long>(ms / 60'000 % 60), static_cast<long long>(ms / 1000 % 60),
                static_cast<long long>(ms % 1000));
  return text;
}

std::string vttEscape(const std::string& text) {
  std::string out;
  for (char c : oneLine(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string webVttChapters(const std::vector<ReplayChapter>& chapters) {
  std::string out = "WEBVTT\n";
  for (std::size_t i = 0; i < chapters.size(); ++i) {
    out += "\nchapitre-" + std::to_string(i + 1) + "\n" + vttTime(chapters[i].startNs) + " --> " +
           vttTime(chapters[i].endNs) + "\n" + vttEscape(chapters[i].title) + "\n";
  }
  return out;
}

}  // namespace tribune::core
