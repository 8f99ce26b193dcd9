// The edge's mirror of what viewers see (issue 22): the messages are built as the town hall
// builds them (a real QuestionBoard, the hub's rules for who gets which view), and each
// viewer's snapshot from the mirror must be the one the town hall itself would give.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/questions.h"
#include "core/viewer_mirror.h"

using namespace tribune;
using core::QuestionBoard;
using core::Role;
using core::ViewerMirror;
using nlohmann::json;

namespace {

constexpr const char* kA = "viewer-a-000000000000000001";
constexpr const char* kB = "viewer-b-000000000000000002";
constexpr const char* kC = "viewer-c-000000000000000003";  // never asks nor votes
constexpr const char* kMeeting = "conseil-2026-12-03";

core::NewQuestion asked(const std::string& text, const std::string& author) {
  core::NewQuestion q;
  q.text = text;
  q.pseudonym = "Marie";
  q.place = "Quartier Nord";
  q.author = author;
  q.askedMs = 1'790'000'000'000;
  return q;
}

// The town hall as the edge link sees it: its viewer snapshot's public part, its board,
// and Hub::publish / Hub::sendQuestionViews' rules for who gets which message.
struct Hall {
  QuestionBoard board;
  std::uint64_t seq = 10;
  std::set<std::uint64_t> publicIds;  // the hub's publicQuestions_
  std::vector<std::uint64_t> sentQueue;
  json base{{"id", kMeeting},
            {"agenda",
             {{"meeting", {{"title", "Conseil municipal"}}},
              {"items", json::array({{{"number", "1"}, {"title", "Budget"}}, {{"number", "2"}, {"title", "Voirie"}}})},
              {"councillors", json::array()}}},
            {"session", {{"state", "seance_ouverte"}, {"label", "Séance ouverte"}}},
            {"current_item", {{"index", 0}, {"number", "1"}, {"title", "Budget"}}},
            {"votes", {{"0", {{"item", "0"}, {"result", "unanimite"}}}}},
            {"questions_settings", {{"enabled", true}, {"max_length", 500}}},
            {"lives", json::array()}};
  std::vector<json> sent;  // every publish envelope, in order

  std::string viewerOf(std::uint64_t id) const { return board.find(id)->author; }

  json full() const {
    json snapshot = base;
    snapshot["questions"] = board.views(Role::Viewer, "");
    snapshot["questions_queue"] = board.queue();
    json personal = json::object();
    for (const auto& [id, question] : board.all()) {
      std::set<std::string> own = question.voters;
      own.insert(question.author);
      for (const auto& viewer : own) {
        if (auto view = board.view(id, Role::Viewer, viewer)) personal[viewer].push_back(*view);
      }
    }
    return {{"type", "full"}, {"seq", seq}, {"meeting", kMeeting}, {"snapshot", snapshot}, {"personal", personal}};
  }

  json state() const { return {{"type", "state"}, {"seq", seq}, {"snapshot", base}}; }

  json publish(json message, const std::string& to = "") {
    json envelope{{"type", "publish"}, {"seq", seq}, {"message", std::move(message)}};
    if (!to.empty()) envelope["to"] = to;
    sent.push_back(envelope);
    return envelope;
  }

  // A meeting event that viewers may see, stored at the next seq.
  void event(const std::string& type) {
    ++seq;
    publish({{"type", "event"}, {"seq", seq}, {"event", {{"type", type}, {"data", json::object()}, {"at_ms", 1}}}});
  }

  // One question command, stored at the next seq, then its views as the hub sends them:
  // the author and supporters their own, the public its view (or removal) when it is or was
  // public, then the queue when it changed.
  void questions(const std::vector<std::uint64_t>& ids) {
    board.takeEvents();
    ++seq;
    for (const auto id : ids) {
      const auto* question = board.find(id);
      const bool isPublic = board.view(id, Role::Mayor, "").has_value();
      const bool wasPublic = publicIds.count(id) != 0;
      if (isPublic) {
        publicIds.insert(id);
      } else {
        publicIds.erase(id);
      }
      const json removed{{"type", "question_removed"}, {"seq", seq}, {"id", id}};
      std::set<std::string> own = question->voters;
      own.insert(question->author);
      for (const auto& viewer : own) {
        const auto view = board.view(id, Role::Viewer, viewer);
        publish(view ? json{{"type", "question"}, {"seq", seq}, {"question", *view}} : removed, viewer);
      }
      if (isPublic || wasPublic) {
        const auto view = board.view(id, Role::Viewer, "");
        publish(view ? json{{"type", "question"}, {"seq", seq}, {"question", *view}} : removed);
      }
    }
    if (board.queue() != sentQueue) {
      sentQueue = board.queue();
      publish({{"type", "questions_queue"}, {"seq", seq}, {"queue", sentQueue}});
    }
  }

  // What clientSnapshot(Viewer, viewer) gives.
  json snapshotFor(const std::string& viewer) const {
    json snapshot = base;
    snapshot["questions"] = board.views(Role::Viewer, viewer);
    snapshot["questions_queue"] = board.queue();
    return snapshot;
  }
};

// Hands every message the hall sent since the last call to the mirror.
void feed(ViewerMirror& mirror, Hall& hall) {
  for (const auto& envelope : hall.sent) {
    INFO(envelope.dump());
    const auto update = mirror.apply(envelope);
    REQUIRE(update.ok());
  }
  hall.sent.clear();
}

json snapshotOf(const ViewerMirror& mirror, const std::string& viewer) {
  const auto welcome = mirror.welcome(viewer, std::nullopt);
  REQUIRE(welcome);
  return welcome->snapshot;
}

void checkSnapshots(const ViewerMirror& mirror, const Hall& hall) {
  for (const auto* viewer : {kA, kB, kC}) {
    INFO(viewer);
    CHECK(snapshotOf(mirror, viewer) == hall.snapshotFor(viewer));
  }
  CHECK(mirror.seq() == hall.seq);
}

std::vector<json> parsed(const std::vector<std::shared_ptr<const std::string>>& texts) {
  std::vector<json> out;
  for (const auto& text : texts) out.push_back(json::parse(*text));
  return out;
}

// The messages' types, in order.
std::vector<std::string> types(const std::vector<json>& messages) {
  std::vector<std::string> out;
  for (const auto& message : messages) out.push_back(message["type"]);
  return out;
}

ViewerMirror readyMirror(Hall& hall, std::size_t maxLog = 20000) {
  ViewerMirror mirror(maxLog);
  REQUIRE(mirror.apply(hall.full()).ok());
  return mirror;
}

}  // namespace

TEST_CASE("each viewer's snapshot is the town hall's through a question's life", "[viewer_mirror]") {
  Hall hall;
  auto mirror = readyMirror(hall);
  CHECK(mirror.ready());
  CHECK(mirror.meeting() == kMeeting);
  checkSnapshots(mirror, hall);

  // A's question waits for the moderator: only A sees it.
  REQUIRE(hall.board.ask(asked("Quand rouvre la piscine ?", kA)).ok());
  hall.questions({1});
  REQUIRE(hall.sent.size() == 1);  // nothing public about a pending question
  feed(mirror, hall);
  checkSnapshots(mirror, hall);
  REQUIRE(snapshotOf(mirror, kA)["questions"].size() == 1);
  CHECK(snapshotOf(mirror, kA)["questions"][0]["mine"] == true);
  CHECK(snapshotOf(mirror, kA)["questions"][0]["status"] == "pending");
  CHECK(snapshotOf(mirror, kB)["questions"].empty());

  // Approved: everyone sees it, A still as its author; the queue follows.
  REQUIRE(hall.board.approve(1, std::nullopt).ok());
  hall.questions({1});
  feed(mirror, hall);
  checkSnapshots(mirror, hall);
  CHECK(snapshotOf(mirror, kB)["questions"][0]["mine"] == false);
  CHECK(snapshotOf(mirror, kA)["questions"][0]["mine"] == true);
  CHECK(snapshotOf(mirror, kC)["questions_queue"] == json::array({1}));

  // B upvotes: B sees "voted", the others the count only.
  REQUIRE(hall.board.upvote(1, kB).ok());
  hall.questions({1});
  feed(mirror, hall);
  checkSnapshots(mirror, hall);
  CHECK(snapshotOf(mirror, kB)["questions"][0]["voted"] == true);
  CHECK(snapshotOf(mirror, kC)["questions"][0]["voted"] == false);
  CHECK(snapshotOf(mirror, kC)["questions"][0]["votes"] == 1);

  // A second question, by B, approved straight away: three views in id order.
  REQUIRE(hall.board.ask(asked("Et le marché ?", kB)).ok());
  hall.questions({2});
  REQUIRE(hall.board.approve(2, std::nullopt).ok());
  hall.questions({2});
  feed(mirror, hall);
  checkSnapshots(mirror, hall);

  // Rejected: gone for B (a supporter) and C, A reads "non retenue".
  REQUIRE(hall.board.reject(1).ok());
  hall.questions({1});
  feed(mirror, hall);
  checkSnapshots(mirror, hall);
  CHECK(snapshotOf(mirror, kA)["questions"][0]["status"] == "rejected");
  CHECK(snapshotOf(mirror, kB)["questions"].size() == 1);
  CHECK(snapshotOf(mirror, kC)["questions_queue"] == json::array({2}));

  // Restored to pending (still hidden from B), approved again (B's vote shows again).
  REQUIRE(hall.board.restore(1).ok());
  hall.questions({1});
  feed(mirror, hall);
  checkSnapshots(mirror, hall);
  REQUIRE(hall.board.approve(1, std::nullopt).ok());
  hall.questions({1});
  feed(mirror, hall);
  checkSnapshots(mirror, hall);
  CHECK(snapshotOf(mirror, kB)["questions"][0]["voted"] == true);

  // Deleted: its author alone keeps a view, without the text.
  REQUIRE(hall.board.remove(2).ok());
  hall.questions({2});
  feed(mirror, hall);
  checkSnapshots(mirror, hall);
  CHECK(snapshotOf(mirror, kB)["questions"][1] ==
        json{{"id", 2}, {"mine", true}, {"status", "deleted"}, {"status_label", "non retenue"}});

  // A full of the same state gives the same snapshots as the messages did.
  ViewerMirror rebuilt;
  REQUIRE(rebuilt.apply(hall.full()).ok());
  checkSnapshots(rebuilt, hall);
}

TEST_CASE("a state replaces the public part: current item and votes vanish at huis clos", "[viewer_mirror]") {
  Hall hall;
  auto mirror = readyMirror(hall);
  REQUIRE(hall.board.ask(asked("Quand rouvre la piscine ?", kA)).ok());
  hall.questions({1});
  feed(mirror, hall);

  hall.event("session_changed");
  hall.base["session"] = {{"state", "huis_clos"}, {"label", "Huis clos"}};
  hall.base.erase("current_item");
  hall.base.erase("votes");
  feed(mirror, hall);
  const auto update = mirror.apply(hall.state());
  REQUIRE(update.ok());
  CHECK_FALSE(update.outgoing);  // a state is for the mirror only
  checkSnapshots(mirror, hall);
  CHECK_FALSE(snapshotOf(mirror, kC).contains("current_item"));
  CHECK_FALSE(snapshotOf(mirror, kC).contains("votes"));
  CHECK(snapshotOf(mirror, kA)["questions"].size() == 1);  // the questions are untouched

  // Back in public: they come back with the next state.
  hall.event("session_changed");
  hall.base["session"] = {{"state", "seance_ouverte"}, {"label", "Séance ouverte"}};
  hall.base["current_item"] = nullptr;
  hall.base["votes"] = json::object();
  feed(mirror, hall);
  REQUIRE(mirror.apply(hall.state()).ok());
  checkSnapshots(mirror, hall);
}

TEST_CASE("lives and the queue published to everyone update the snapshot and personal ones only go out",
          "[viewer_mirror]") {
  Hall hall;
  auto mirror = readyMirror(hall);
  const json lives = json::array({{{"platform", "youtube"}, {"url", "https://www.youtube.com/watch?v=x"}}});
  auto update = mirror.apply(hall.publish({{"type", "lives"}, {"seq", hall.seq}, {"lives", lives}}));
  REQUIRE(update.ok());
  REQUIRE(update.outgoing);
  CHECK(update.outgoing->to.empty());
  CHECK(json::parse(*update.outgoing->text) == json{{"type", "lives"}, {"seq", hall.seq}, {"lives", lives}});
  CHECK(snapshotOf(mirror, kA)["lives"] == lives);
  hall.base["lives"] = lives;

  update = mirror.apply(hall.publish({{"type", "lives"}, {"lives", json::array()}}, kA));
  REQUIRE(update.ok());
  CHECK(update.outgoing->to == kA);
  CHECK(snapshotOf(mirror, kA)["lives"] == lives);

  update = mirror.apply(hall.publish({{"type", "questions_queue"}, {"queue", json::array({4})}}, kA));
  REQUIRE(update.ok());
  CHECK(snapshotOf(mirror, kA)["questions_queue"] == json::array());

  // Anything else is forwarded as it is, to its audience.
  update = mirror.apply(hall.publish({{"type", "question_logged"}, {"question", 7}}, kB));
  REQUIRE(update.ok());
  CHECK(update.outgoing->to == kB);
  CHECK(*update.outgoing->text == R"({"question":7,"type":"question_logged"})");
  CHECK(snapshotOf(mirror, kB) == hall.snapshotFor(kB));
}

TEST_CASE("a public view again shows a question that was removed for one viewer", "[viewer_mirror]") {
  Hall hall;
  auto mirror = readyMirror(hall);
  const json view{{"id", 5}, {"status", "approved"}, {"text", "Le parc ?"}, {"votes", 0}};
  REQUIRE(mirror.apply(hall.publish({{"type", "question"}, {"question", view}})).ok());
  REQUIRE(mirror.apply(hall.publish({{"type", "question_removed"}, {"id", 5}}, kA)).ok());
  CHECK(snapshotOf(mirror, kA)["questions"].empty());
  CHECK(snapshotOf(mirror, kB)["questions"] == json::array({view}));
  hall.seq++;
  auto later = view;
  later["votes"] = 3;
  auto supporter = later;
  supporter["voted"] = true;
  REQUIRE(mirror.apply(hall.publish({{"type", "question"}, {"question", supporter}}, kB)).ok());
  REQUIRE(mirror.apply(hall.publish({{"type", "question"}, {"question", later}})).ok());
  CHECK(snapshotOf(mirror, kA)["questions"] == json::array({later}));
  CHECK(snapshotOf(mirror, kB)["questions"] == json::array({supporter}));  // B's own still wins

  SECTION("or a view for that viewer") {
    REQUIRE(mirror.apply(hall.publish({{"type", "question_removed"}, {"id", 5}}, kA)).ok());
    CHECK(snapshotOf(mirror, kA)["questions"].empty());
    auto own = later;
    own["voted"] = true;
    REQUIRE(mirror.apply(hall.publish({{"type", "question"}, {"question", own}}, kA)).ok());
    CHECK(snapshotOf(mirror, kA)["questions"] == json::array({own}));
    CHECK(snapshotOf(mirror, kC)["questions"] == json::array({later}));
  }
}

TEST_CASE("a viewer resumes with the public messages and its own since its seq, nobody else's", "[viewer_mirror]") {
  Hall hall;
  auto mirror = readyMirror(hall);
  REQUIRE(hall.board.ask(asked("Quand rouvre la piscine ?", kA)).ok());
  hall.questions({1});  // 11: A's pending view
  feed(mirror, hall);
  const auto middle = hall.seq;

  hall.event("item_changed");  // 12
  REQUIRE(hall.board.approve(1, std::nullopt).ok());
  hall.questions({1});  // 13: A's view, the public view, the queue
  REQUIRE(hall.board.upvote(1, kB).ok());
  hall.questions({1});  // 14: A's view, B's view, the public view
  feed(mirror, hall);
  REQUIRE(mirror.seq() == 14);

  const auto a = mirror.welcome(kA, middle);
  REQUIRE(a);
  CHECK(a->seq == 14);
  CHECK(a->snapshot.is_null());
  const auto fromA = parsed(a->missed);
  // A's view at 11 again (a replacement sharing the seq A saw), then everything after.
  REQUIRE(types(fromA) == std::vector<std::string>{"question", "event", "question", "question", "questions_queue",
                                                   "question", "question"});
  CHECK(fromA[0]["seq"] == 11);
  CHECK(fromA[0]["question"]["status"] == "pending");
  CHECK(fromA[2]["question"]["mine"] == true);   // A's own, at 13
  CHECK(fromA[3]["question"]["mine"] == false);  // the public one, at 13
  CHECK(fromA[5]["question"]["mine"] == true);   // A's own, at 14
  CHECK(fromA[6]["question"]["voted"] == false);

  const auto b = mirror.welcome(kB, middle);
  REQUIRE(b);
  const auto fromB = parsed(b->missed);
  REQUIRE(types(fromB) == std::vector<std::string>{"event", "question", "questions_queue", "question", "question"});
  CHECK(fromB[3]["question"]["voted"] == true);  // B's own, at 14
  for (const auto& message : fromB) CHECK_FALSE(message.value("question", json::object()).value("mine", false));

  // C, who neither asked nor voted, gets the public messages only.
  const auto c = mirror.welcome(kC, middle);
  REQUIRE(c);
  CHECK(c->missed.size() == 4);

  SECTION("a viewer up to date misses nothing but the same seq's replacements") {
    const auto now = mirror.welcome(kB, 14);
    REQUIRE(now);
    CHECK(now->snapshot.is_null());
    CHECK(types(parsed(now->missed)) == std::vector<std::string>{"question", "question"});
  }
  SECTION("an event is never replayed at its own seq, a lives sent later with it is") {
    hall.event("vote_recorded");  // 15
    REQUIRE(mirror.apply(hall.sent.back()).ok());
    const auto lives = mirror.apply(hall.publish({{"type", "lives"}, {"seq", 15}, {"lives", json::array()}}));
    REQUIRE(lives.outgoing);
    hall.sent.clear();
    const auto now = mirror.welcome(kC, 15);
    REQUIRE(now);
    REQUIRE(types(parsed(now->missed)) == std::vector<std::string>{"lives"});
    CHECK(now->missed[0] == lives.outgoing->text);  // the text sent live, not a copy
  }
  SECTION("a seq beyond the mirror's gets a snapshot") {
    const auto ahead = mirror.welcome(kA, 15);
    REQUIRE(ahead);
    CHECK(ahead->snapshot == hall.snapshotFor(kA));
    CHECK(ahead->missed.empty());
  }
  SECTION("a seq before the full gets a snapshot") {
    for (const std::uint64_t since : std::initializer_list<std::uint64_t>{0, 9, 10}) {
      const auto old = mirror.welcome(kB, since);
      REQUIRE(old);
      CHECK(old->snapshot == hall.snapshotFor(kB));
    }
  }
  SECTION("without since, a snapshot") { CHECK(mirror.welcome(kB, std::nullopt)->snapshot == hall.snapshotFor(kB)); }
}

TEST_CASE("a full restarts the log: the same meeting resumes from its seq, another does not", "[viewer_mirror]") {
  Hall hall;
  auto mirror = readyMirror(hall);
  // The first full cannot tell which meeting a viewer's seq 10 was of.
  CHECK(mirror.welcome(kA, 10)->snapshot == hall.snapshotFor(kA));
  hall.event("item_changed");  // 11
  feed(mirror, hall);
  CHECK(mirror.welcome(kA, 11)->snapshot.is_null());

  REQUIRE(mirror.apply(hall.full()).ok());  // the link came back at 11
  CHECK(mirror.logSize() == 0);
  CHECK(mirror.welcome(kA, 11)->snapshot.is_null());
  CHECK(mirror.welcome(kA, 11)->missed.empty());
  CHECK(mirror.welcome(kA, 10)->snapshot == hall.snapshotFor(kA));
  hall.event("item_changed");  // 12
  feed(mirror, hall);
  CHECK(mirror.welcome(kA, 11)->missed.size() == 1);

  auto other = hall.full();
  other["meeting"] = "conseil-2027-01-14";
  other["snapshot"]["id"] = "conseil-2027-01-14";
  REQUIRE(mirror.apply(other).ok());
  CHECK(mirror.meeting() == "conseil-2027-01-14");
  CHECK(mirror.welcome(kA, 12)->snapshot["id"] == "conseil-2027-01-14");
}

TEST_CASE("the log keeps at most its limit: beyond, the oldest go and resuming from before them gets a snapshot",
          "[viewer_mirror]") {
  Hall hall;
  auto mirror = readyMirror(hall, 3);
  for (int i = 0; i < 5; ++i) hall.event("item_changed");  // 11 … 15
  feed(mirror, hall);
  CHECK(mirror.logSize() == 3);  // 13, 14, 15
  CHECK(mirror.welcome(kA, 11)->snapshot == hall.snapshotFor(kA));
  const auto from12 = mirror.welcome(kA, 12);
  REQUIRE(from12->snapshot.is_null());
  CHECK(parsed(from12->missed).front()["seq"] == 13);
  CHECK(from12->missed.size() == 3);

  SECTION("messages sharing a seq go together: a part gone is as good as all gone") {
    hall.event("vote_recorded");                                                         // 16
    hall.publish({{"type", "questions_queue"}, {"seq", 16}, {"queue", json::array()}});  // 16
    hall.publish({{"type", "questions_queue"}, {"seq", 16}, {"queue", json::array()}});  // 16: 13 and 14 went, then 15
    feed(mirror, hall);
    CHECK(mirror.logSize() == 3);
    CHECK(mirror.welcome(kA, 14)->snapshot == hall.snapshotFor(kA));
    CHECK(mirror.welcome(kA, 15)->missed.size() == 3);
    hall.publish({{"type", "questions_queue"}, {"seq", 16}, {"queue", json::array()}});  // the event at 16 goes
    feed(mirror, hall);
    CHECK(mirror.welcome(kA, 15)->snapshot == hall.snapshotFor(kA));
    CHECK(mirror.welcome(kA, 16)->snapshot.is_null());
  }
  SECTION("a log of nothing still resumes a viewer who is up to date") {
    Hall small;
    auto none = readyMirror(small, 0);
    small.event("item_changed");
    feed(none, small);
    CHECK(none.logSize() == 0);
    CHECK(none.welcome(kA, 10)->snapshot == small.snapshotFor(kA));
    CHECK(none.welcome(kA, 11)->snapshot.is_null());
  }
}

TEST_CASE("nothing but a full is taken before the first full, and no welcome is given", "[viewer_mirror]") {
  Hall hall;
  ViewerMirror mirror;
  CHECK_FALSE(mirror.ready());
  CHECK_FALSE(mirror.welcome(kA, std::nullopt));
  auto update = mirror.apply(hall.state());
  CHECK_THAT(update.error, Catch::Contains("no snapshot yet"));
  update = mirror.apply(hall.publish({{"type", "event"}}));
  CHECK_THAT(update.error, Catch::Contains("no snapshot yet"));
  CHECK_FALSE(update.outgoing);
  CHECK_FALSE(mirror.ready());
}

TEST_CASE("a malformed message is refused, names what is wrong, and changes nothing", "[viewer_mirror]") {
  Hall hall;
  auto mirror = readyMirror(hall);
  REQUIRE(hall.board.ask(asked("Quand rouvre la piscine ?", kA)).ok());
  REQUIRE(hall.board.approve(1, std::nullopt).ok());
  REQUIRE(hall.board.upvote(1, kB).ok());
  hall.questions({1});
  feed(mirror, hall);
  REQUIRE(mirror.seq() == 11);

  const auto full = hall.full();
  const auto state = hall.state();
  const auto publish = [&](json message, const std::string& to = "") {
    json envelope{{"type", "publish"}, {"seq", 11}, {"message", std::move(message)}};
    if (!to.empty()) envelope["to"] = to;
    return envelope;
  };
  const auto with = [](json message, const json::json_pointer& at, const json& value) {
    message[at] = value;
    return message;
  };
  const auto without = [](json message, const json::json_pointer& at) {
    message[at.parent_pointer()].erase(at.back());
    return message;
  };
  const std::vector<std::pair<json, std::string>> cases{
      {json::array(), "message: expected an object"},
      {json{{"seq", 11}}, "type: missing"},
      {json{{"type", 3}, {"seq", 11}}, "type: expected a string"},
      {json{{"type", "snapshot"}, {"seq", 11}}, "\"snapshot\" is none of"},
      // full
      {without(full, "/seq"_json_pointer), "full: seq: missing"},
      {with(full, "/seq"_json_pointer, -1), "full: seq: expected an integer >= 0, got -1"},
      {without(full, "/meeting"_json_pointer), "full: meeting: missing"},
      {with(full, "/meeting"_json_pointer, ""), "full: meeting: expected a meeting id"},
      {without(full, "/personal"_json_pointer), "full: personal: missing"},
      {with(full, "/personal"_json_pointer, json::array()), "full: personal: expected an object"},
      {with(full, "/personal"_json_pointer, {{"", json::array()}}), "full: personal: \"\" is not a viewer id"},
      {with(full, "/personal"_json_pointer, {{kA, json::object()}}), "personal." + std::string(kA)},
      {with(full, "/personal"_json_pointer, {{kA, json::array({json{{"status", "pending"}}})}}), ".id: missing"},
      {with(full, "/snapshot"_json_pointer, "x"), "full: snapshot: expected an object"},
      {without(full, "/snapshot/agenda"_json_pointer), "full: snapshot.agenda: missing"},
      {with(full, "/snapshot/agenda"_json_pointer, "x"), "full: snapshot.agenda: expected an object"},
      {with(full, "/snapshot/id"_json_pointer, "autre"), "snapshot.id: \"autre\" is not the meeting"},
      {with(full, "/snapshot/current_item"_json_pointer, 2), "snapshot.current_item: expected an object or null"},
      {with(full, "/snapshot/votes"_json_pointer, json::array()), "snapshot.votes: expected an object"},
      {without(full, "/snapshot/questions_queue"_json_pointer), "full: snapshot.questions_queue: missing"},
      {with(full, "/snapshot/questions_queue/0"_json_pointer, "1"), "snapshot.questions_queue[0]: expected an integer"},
      {with(full, "/snapshot/questions/0/id"_json_pointer, "1"), "snapshot.questions[0].id: expected an integer"},
      {with(full, "/snapshot/questions/1"_json_pointer, full["snapshot"]["questions"][0]),
       "snapshot.questions[1].id: question 1 twice"},
      // state
      {without(state, "/snapshot"_json_pointer), "state: snapshot: missing"},
      {without(state, "/snapshot/session"_json_pointer), "state: snapshot.session: missing"},
      {with(state, "/snapshot/questions_settings"_json_pointer, true),
       "state: snapshot.questions_settings: expected an object"},
      {with(state, "/snapshot/questions"_json_pointer, json::array()), "state: snapshot.questions: not expected"},
      {with(state, "/snapshot/id"_json_pointer, "conseil-2027-01-14"), "is not the meeting"},
      {with(state, "/seq"_json_pointer, 10), "state: seq: 10 is before the last one applied, 11"},
      // publish
      {json{{"type", "publish"}, {"seq", 11}}, "publish: message: missing"},
      {json{{"type", "publish"}, {"seq", 11}, {"message", "x"}}, "publish: message: expected an object"},
      {publish(json::object()), "publish: message.type: missing"},
      {publish({{"type", ""}}), "publish: message.type: expected a message type"},
      {publish({{"type", "event"}, {"seq", 12}}), "publish: message.seq: 12 is not the envelope's 11"},
      {publish({{"type", "event"}, {"seq", "11"}}), "publish: message.seq: expected an integer"},
      {with(publish({{"type", "event"}}), "/seq"_json_pointer, 3), "publish: seq: 3 is before"},
      {publish({{"type", "event"}}, "a"), "publish: to: \"a\" is not a viewer id"},
      {with(publish({{"type", "event"}}), "/to"_json_pointer, 7), "publish: to: expected a viewer id"},
      {with(publish({{"type", "event"}}), "/to"_json_pointer, ""), "publish: to: \"\" is not a viewer id"},
      {publish({{"type", "question"}}), "publish: message.question: missing"},
      {publish({{"type", "question"}, {"question", {{"status", "approved"}}}}),
       "publish: message.question.id: missing"},
      {publish({{"type", "question"}, {"question", {{"id", -1}}}}, kA), "publish: message.question.id: expected"},
      {publish({{"type", "question"}, {"question", 1}}), "publish: message.question: expected an object"},
      {publish({{"type", "question_removed"}}, kB), "publish: message.id: missing"},
      {publish({{"type", "question_removed"}, {"id", 1.5}}), "publish: message.id: expected an integer >= 0"},
      {publish({{"type", "questions_queue"}}), "publish: message.queue: missing"},
      {publish({{"type", "questions_queue"}, {"queue", {1, "2"}}}), "publish: message.queue[1]: expected"},
      {publish({{"type", "questions_queue"}, {"queue", 1}}), "publish: message.queue: expected an array"},
      {publish({{"type", "lives"}}), "publish: message.lives: missing"},
  };
  const auto snapshots = [&] {
    return std::vector<json>{snapshotOf(mirror, kA), snapshotOf(mirror, kB), snapshotOf(mirror, kC)};
  };
  const auto before = snapshots();
  const auto resumed = mirror.welcome(kB, 11)->missed;
  REQUIRE(resumed.size() == 3);
  for (const auto& [message, fragment] : cases) {
    INFO(message.dump());
    const auto update = mirror.apply(message);
    CHECK_FALSE(update.ok());
    CHECK_FALSE(update.outgoing);
    CHECK_THAT(update.error, Catch::Contains(fragment));
    CHECK(mirror.seq() == 11);
    CHECK(mirror.meeting() == kMeeting);
    CHECK(mirror.logSize() == 4);
    CHECK(mirror.welcome(kB, 11)->missed == resumed);
    CHECK(snapshots() == before);
  }
  // The good messages these were made from are taken.
  CHECK(mirror.apply(state).ok());
  CHECK(mirror.apply(full).ok());
}
