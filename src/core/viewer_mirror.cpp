#include "core/viewer_mirror.h"

#include <algorithm>
#include <utility>

#include "core/json_type.h"
#include "core/question_intake.h"

namespace tribune::core {
namespace {

using Json = nlohmann::json;

std::string dumped(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string got(const Json& value) {
  if (value.is_number_integer() && !value.is_number_unsigned()) return dumped(value);
  return typeOf(value);
}

// Each check returns what is wrong ("snapshot.agenda: expected an object, got a string"),
// or an empty string.
// (A parsed 7 is unsigned; a 7 built in C++ from an int is signed: both are taken.)
std::string expectUnsigned(const Json& value, const std::string& path, std::uint64_t& out) {
  const bool positive = value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
  if (!positive) return path + ": expected an integer >= 0, got " + got(value);
  out = value.get<std::uint64_t>();
  return {};
}

std::string expectMember(const Json& object, const char* name, const std::string& path) {
  if (!object.contains(name)) return path + name + ": missing";
  return {};
}

std::string expectObject(const Json& value, const std::string& path) {
  return value.is_object() ? std::string() : path + ": expected an object, got " + typeOf(value);
}

std::string expectArray(const Json& value, const std::string& path) {
  return value.is_array() ? std::string() : path + ": expected an array, got " + typeOf(value);
}

// A question view as the town hall sends it: an object with its id.
std::string checkView(const Json& view, const std::string& path, std::uint64_t& id) {
  if (auto wrong = expectObject(view, path); !wrong.empty()) return wrong;
  if (auto wrong = expectMember(view, "id", path + "."); !wrong.empty()) return wrong;
  return expectUnsigned(view["id"], path + ".id", id);
}

// Views by id, refusing the same id twice.
std::string readViews(const Json& views, const std::string& path, std::map<std::uint64_t, Json>& out) {
  if (auto wrong = expectArray(views, path); !wrong.empty()) return wrong;
  for (std::size_t i = 0; i < views.size(); ++i) {
    const auto where = path + "[" + std::to_string(i) + "]";
    std::uint64_t id = 0;
    if (auto wrong = checkView(views[i], where, id); !wrong.empty()) return wrong;
    if (!out.emplace(id, views[i]).second) return where + ".id: question " + std::to_string(id) + " twice";
  }
  return {};
}

std::string checkQueue(const Json& queue, const std::string& path) {
  if (auto wrong = expectArray(queue, path); !wrong.empty()) return wrong;
  std::uint64_t id = 0;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    if (auto wrong = expectUnsigned(queue[i], path + "[" + std::to_string(i) + "]", id); !wrong.empty()) return wrong;
  }
  return {};
}

// The snapshot's members other than the questions ones, common to `full` and `state`.
std::string checkBase(const Json& snapshot, const std::string& meeting) {
  if (auto wrong = expectObject(snapshot, "snapshot"); !wrong.empty()) return wrong;
  for (const char* name : {"id", "agenda", "session", "questions_settings"}) {
    if (auto wrong = expectMember(snapshot, name, "snapshot."); !wrong.empty()) return wrong;
  }
  const auto& id = snapshot["id"];
  if (!id.is_string()) return "snapshot.id: expected a string, got " + typeOf(id);
  if (id.get<std::string>() != meeting) {
    return "snapshot.id: \"" + id.get<std::string>() + "\" is not the meeting \"" + meeting + "\"";
  }
  for (const char* name : {"agenda", "session", "questions_settings"}) {
    if (auto wrong = expectObject(snapshot[name], std::string("snapshot.") + name); !wrong.empty()) return wrong;
  }
  if (snapshot.contains("current_item") && !snapshot["current_item"].is_object() &&
      !snapshot["current_item"].is_null()) {
    return "snapshot.current_item: expected an object or null, got " + typeOf(snapshot["current_item"]);
  }
  if (snapshot.contains("votes")) {
    if (auto wrong = expectObject(snapshot["votes"], "snapshot.votes"); !wrong.empty()) return wrong;
  }
  return {};
}

MirrorUpdate refused(std::string error) { return {std::nullopt, std::move(error)}; }

}  // namespace

ViewerMirror::ViewerMirror(std::size_t maxLogEntries) : maxLogEntries_(maxLogEntries) {}

MirrorUpdate ViewerMirror::apply(const Json& message) {
  if (!message.is_object()) return refused("message: expected an object, got " + typeOf(message));
  if (!message.contains("type")) return refused("type: missing");
  if (!message["type"].is_string()) return refused("type: expected a string, got " + typeOf(message["type"]));
  const auto type = message["type"].get<std::string>();
  if (type != "full" && type != "state" && type != "publish") {
    return refused("type: \"" + type + "\" is none of full, state, publish");
  }
  if (!message.contains("seq")) return refused(type + ": seq: missing");
  std::uint64_t seq = 0;
  if (auto wrong = expectUnsigned(message["seq"], type + ": seq", seq); !wrong.empty()) return refused(wrong);
  if (type == "full") return applyFull(message, seq);
  if (!ready_) return refused(type + ": no snapshot yet (a full comes first)");
  if (seq < seq_) {
    return refused(type + ": seq: " + std::to_string(seq) + " is before the last one applied, " + std::to_string(seq_));
  }
  return type == "state" ? applyState(message, seq) : applyPublish(message, seq);
}

MirrorUpdate ViewerMirror::applyFull(const Json& message, std::uint64_t seq) {
  for (const char* name : {"meeting", "snapshot", "personal"}) {
    if (auto wrong = expectMember(message, name, "full: "); !wrong.empty()) return refused(wrong);
  }
  const auto& meeting = message["meeting"];
  if (!meeting.is_string() || meeting.get<std::string>().empty()) {
    return refused("full: meeting: expected a meeting id, got " +
                   (meeting.is_string() ? std::string("an empty string") : typeOf(meeting)));
  }
  const auto& snapshot = message["snapshot"];
  if (auto wrong = checkBase(snapshot, meeting.get<std::string>()); !wrong.empty()) return refused("full: " + wrong);
  for (const char* name : {"questions", "questions_queue"}) {
    if (auto wrong = expectMember(snapshot, name, "full: snapshot."); !wrong.empty()) return refused(wrong);
  }
  std::map<std::uint64_t, Json> publicViews;
  if (auto wrong = readViews(snapshot["questions"], "snapshot.questions", publicViews); !wrong.empty()) {
    return refused("full: " + wrong);
  }
  if (auto wrong = checkQueue(snapshot["questions_queue"], "snapshot.questions_queue"); !wrong.empty()) {
    return refused("full: " + wrong);
  }
  const auto& personalIn = message["personal"];
  if (auto wrong = expectObject(personalIn, "personal"); !wrong.empty()) return refused("full: " + wrong);
  std::unordered_map<std::string, PersonalViews> personal;
  for (const auto& [viewer, views] : personalIn.items()) {
    if (!isValidViewerId(viewer)) return refused("full: personal: \"" + viewer + "\" is not a viewer id");
    std::map<std::uint64_t, Json> byId;
    if (auto wrong = readViews(views, "personal." + viewer, byId); !wrong.empty()) return refused("full: " + wrong);
    auto& mine = personal[viewer];
    for (auto& [id, view] : byId) mine.emplace(id, std::move(view));
  }

  const bool sameMeeting = ready_ && meeting_ == meeting.get<std::string>();
  ready_ = true;
  seq_ = seq;
  meeting_ = meeting.get<std::string>();
  base_ = snapshot;
  base_.erase("questions");
  base_.erase("questions_queue");
  publicViews_ = std::move(publicViews);
  queue_ = snapshot["questions_queue"];
  personal_ = std::move(personal);
  hiddenFrom_.clear();
  log_.clear();
  // A viewer who saw `seq` of this meeting has everything the log will not hold. One who
  // saw `seq` of another meeting (the new one has no event yet) must not resume into this
  // one; on the first full the mirror cannot tell which it was.
  minSince_ = sameMeeting ? seq : seq + 1;
  return {};
}

MirrorUpdate ViewerMirror::applyState(const Json& message, std::uint64_t seq) {
  if (auto wrong = expectMember(message, "snapshot", "state: "); !wrong.empty()) return refused(wrong);
  const auto& snapshot = message["snapshot"];
  if (auto wrong = checkBase(snapshot, meeting_); !wrong.empty()) return refused("state: " + wrong);
  for (const char* name : {"questions", "questions_queue"}) {
    if (snapshot.contains(name)) {
      return refused(std::string("state: snapshot.") + name + ": not expected (questions come as publish)");
    }
  }
  base_ = snapshot;
  seq_ = seq;
  return {};
}

MirrorUpdate ViewerMirror::applyPublish(const Json& envelope, std::uint64_t seq) {
  std::string to;
  if (envelope.contains("to")) {
    const auto& value = envelope["to"];
    if (!value.is_string()) return refused("publish: to: expected a viewer id, got " + typeOf(value));
    to = value.get<std::string>();
    // An empty or odd `to` must never turn a personal message into a public one.
    if (!isValidViewerId(to)) return refused("publish: to: \"" + to + "\" is not a viewer id");
  }
  if (auto wrong = expectMember(envelope, "message", "publish: "); !wrong.empty()) return refused(wrong);
  const auto& message = envelope["message"];
  if (auto wrong = expectObject(message, "publish: message"); !wrong.empty()) return refused(wrong);
  if (auto wrong = expectMember(message, "type", "publish: message."); !wrong.empty()) return refused(wrong);
  if (!message["type"].is_string() || message["type"].get<std::string>().empty()) {
    return refused("publish: message.type: expected a message type, got " + typeOf(message["type"]));
  }
  if (message.contains("seq")) {
    std::uint64_t inner = 0;
    if (auto wrong = expectUnsigned(message["seq"], "publish: message.seq", inner); !wrong.empty()) {
      return refused(wrong);
    }
    if (inner != seq) {
      return refused("publish: message.seq: " + std::to_string(inner) + " is not the envelope's " +
                     std::to_string(seq));
    }
  }
  const auto type = message["type"].get<std::string>();
  const bool isPublic = to.empty();

  // Checked first, applied after: a refused message changes nothing.
  std::uint64_t id = 0;
  if (type == "question") {
    if (auto wrong = expectMember(message, "question", "publish: message."); !wrong.empty()) return refused(wrong);
    if (auto wrong = checkView(message["question"], "publish: message.question", id); !wrong.empty()) {
      return refused(wrong);
    }
    if (isPublic) {
      publicViews_[id] = message["question"];
      // A public view again: the viewers it was hidden from see it like everyone.
      if (const auto hidden = hiddenFrom_.find(id); hidden != hiddenFrom_.end()) {
        for (const auto& viewer : hidden->second) {
          auto& views = personal_[viewer];
          views.erase(id);
          if (views.empty()) personal_.erase(viewer);
        }
        hiddenFrom_.erase(hidden);
      }
    } else {
      setHidden(to, id, false);
      personal_[to][id] = message["question"];
    }
  } else if (type == "question_removed") {
    if (auto wrong = expectMember(message, "id", "publish: message."); !wrong.empty()) return refused(wrong);
    if (auto wrong = expectUnsigned(message["id"], "publish: message.id", id); !wrong.empty()) return refused(wrong);
    if (isPublic) {
      publicViews_.erase(id);
    } else {
      personal_[to][id] = std::nullopt;
      setHidden(to, id, true);
    }
  } else if (type == "questions_queue") {
    if (auto wrong = expectMember(message, "queue", "publish: message."); !wrong.empty()) return refused(wrong);
    if (auto wrong = checkQueue(message["queue"], "publish: message.queue"); !wrong.empty()) return refused(wrong);
    if (isPublic) queue_ = message["queue"];
  } else if (type == "lives") {
    if (auto wrong = expectMember(message, "lives", "publish: message."); !wrong.empty()) return refused(wrong);
    if (isPublic) base_["lives"] = message["lives"];
  }

  seq_ = seq;
  auto text = std::make_shared<const std::string>(dumped(message));
  log({seq, to, text, type == "event"});
  return {MirrorOutgoing{std::move(text), std::move(to)}, {}};
}

void ViewerMirror::setHidden(const std::string& viewer, std::uint64_t id, bool hidden) {
  if (hidden) {
    hiddenFrom_[id].insert(viewer);
    return;
  }
  const auto found = hiddenFrom_.find(id);
  if (found == hiddenFrom_.end()) return;
  found->second.erase(viewer);
  if (found->second.empty()) hiddenFrom_.erase(found);
}

void ViewerMirror::log(LogEntry entry) {
  log_.push_back(std::move(entry));
  while (log_.size() > maxLogEntries_) {
    // Whoever saw less than this seq may have missed the entry that goes.
    minSince_ = std::max(minSince_, log_.front().seq);
    log_.pop_front();
  }
}

std::optional<MirrorWelcome> ViewerMirror::welcome(const std::string& viewer,
                                                   std::optional<std::uint64_t> since) const {
  if (!ready_) return std::nullopt;
  MirrorWelcome out;
  out.seq = seq_;
  if (since && *since >= minSince_ && *since <= seq_) {
    const auto first = std::lower_bound(log_.begin(), log_.end(), *since,
                                        [](const LogEntry& entry, std::uint64_t seq) { return entry.seq < seq; });
    for (auto entry = first; entry != log_.end(); ++entry) {
      if (entry->seq == *since && entry->event) continue;
      if (entry->to.empty() || entry->to == viewer) out.missed.push_back(entry->text);
    }
    return out;
  }

  // The public views, overridden or hidden by the viewer's own, in id order.
  Json questions = Json::array();
  const auto mine = personal_.find(viewer);
  const PersonalViews empty;
  const auto& own = mine != personal_.end() ? mine->second : empty;
  auto publicView = publicViews_.begin();
  auto ownView = own.begin();
  while (publicView != publicViews_.end() || ownView != own.end()) {
    if (ownView == own.end() || (publicView != publicViews_.end() && publicView->first < ownView->first)) {
      questions.push_back(publicView->second);
      ++publicView;
      continue;
    }
    if (ownView->second) questions.push_back(*ownView->second);
    if (publicView != publicViews_.end() && publicView->first == ownView->first) ++publicView;
    ++ownView;
  }
  out.snapshot = base_;
  out.snapshot["questions"] = std::move(questions);
  out.snapshot["questions_queue"] = queue_;
  return out;
}

}  // namespace tribune::core
