// Rebuilding a meeting from the event log (app/replay.h), as the commands and the hub do.
#include <catch2/catch.hpp>

#include <future>

#include "app/replay.h"
#include "support/temp_dir.h"

using namespace tribune;
using namespace std::chrono_literals;
using tribune::testing::TempDir;

namespace {

void appendAll(store::EventStore& store, std::vector<store::NewEvent> events) {
  std::promise<store::AppendResult> written;
  auto done = written.get_future();
  store.append(std::move(events), [&written](store::AppendResult result) { written.set_value(result); });
  REQUIRE(done.wait_for(20s) == std::future_status::ready);
  REQUIRE_FALSE(done.get().error);
}

}  // namespace

TEST_CASE("a meeting replayed from the log has the questions it had", "[replay]") {
  TempDir dir;
  const auto now = core::Clock::now();
  core::Meeting meeting("seance-1", core::Agenda{}, now);
  core::NewQuestion question;
  question.text = "La piscine ?";
  question.author = "browser-0000000000000000000001";
  REQUIRE(meeting.askQuestion(question, now).ok());
  REQUIRE(meeting.onQuestions([](core::QuestionBoard& board) { return board.approve(1, std::nullopt); }, now).ok());
  std::vector<store::NewEvent> rows;
  for (const auto& event : meeting.takeEvents()) rows.push_back({"seance-1", event.type, event.data.dump(), 0, -1});
  // Another meeting in the same log, and two events the replay must skip.
  rows.push_back({"seance-2", "question_asked", R"({"id":1})", 0, -1});
  rows.push_back({"seance-1", "question_approved", "{not json", 0, -1});
  rows.push_back({"seance-1", "question_approved", R"({"id":99})", 0, -1});

  store::EventStore store(app::eventLogFile(dir.path()));
  appendAll(store, std::move(rows));

  std::vector<std::string> warnings;
  const auto replayed = app::replayMeeting(store, "seance-1", &warnings);
  CHECK(replayed.id() == "seance-1");
  CHECK(replayed.questions().views(core::Role::Moderator, "") == meeting.questions().views(core::Role::Moderator, ""));
  CHECK(replayed.snapshot() == meeting.snapshot());
  REQUIRE(warnings.size() == 2);
  CHECK_THAT(warnings[0], Catch::Contains("(question_approved) skipped: not JSON"));
  CHECK_THAT(warnings[1], Catch::Contains("(question_approved) skipped: "));

  // Without a place for warnings, the same meeting.
  CHECK(app::replayMeeting(store, "seance-1", nullptr).snapshot() == meeting.snapshot());
  // A meeting the log does not hold: an empty meeting.
  CHECK(app::replayMeeting(store, "seance-9", nullptr).id().empty());
}

TEST_CASE("the event log is tribune.db in the data folder", "[replay]") {
  CHECK(app::eventLogFile("/srv/tribune") == std::filesystem::path("/srv/tribune/tribune.db"));
}
