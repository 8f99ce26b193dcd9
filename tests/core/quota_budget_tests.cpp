#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "core/quota_budget.h"

using namespace tribune;
using namespace std::chrono_literals;
using core::QuotaUse;

namespace {

core::WallTime utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

// A small budget whose arithmetic is easy to follow.
core::QuotaSettings smallBudget() {
  core::QuotaSettings settings;
  settings.dailyUnits = 100;
  settings.reserveUnits = 20;
  settings.costs = {{"liveChatMessages.list", 5}, {"liveBroadcasts.transition", 50}, {"videos.list", 1}};
  settings.defaultCost = 30;
  return settings;
}

// An evening in December (CET, PST): 20:00 in Paris, 11:00 in Los Angeles.
const core::WallTime kDecemberEvening = utc(2026, 12, 3, 19, 0);

}  // namespace

// --- The budget --------------------------------------------------------------------------------

TEST_CASE("the default costs are the documented ones and other methods cost the default", "[quota]") {
  const core::QuotaBudget budget{core::QuotaSettings{}};
  CHECK(budget.cost("liveChatMessages.list") == 5);
  CHECK(budget.cost("liveChatMessages.streamList") == 5);
  CHECK(budget.cost("liveChatMessages.insert") == 20);
  CHECK(budget.cost("videos.update") == 50);
  CHECK(budget.cost("videos.list") == 1);
  CHECK(budget.cost("liveBroadcasts.insert") == 50);
  CHECK(budget.cost("thumbnails.set") == 50);
  CHECK(budget.cost("") == 50);
  CHECK(budget.settings().dailyUnits == 10000);
  CHECK(budget.settings().reserveUnits == 500);
}

TEST_CASE("a negative configured cost counts as free", "[quota]") {
  core::QuotaSettings settings = smallBudget();
  settings.costs["channels.list"] = -10;
  settings.defaultCost = -1;
  const core::QuotaBudget budget{settings};
  CHECK(budget.cost("channels.list") == 0);
  CHECK(budget.cost("anything") == 0);
}

TEST_CASE("ordinary calls stop before the reserve and control calls may use it", "[quota]") {
  core::QuotaBudget budget{smallBudget()};
  const auto now = kDecemberEvening;
  for (int i = 0; i < 15; ++i) {
    REQUIRE(budget.allows("liveChatMessages.list", QuotaUse::ordinary, now));
    budget.spend("liveChatMessages.list", now);
  }
  CHECK(budget.used(now) == 75);
  CHECK(budget.remaining(now) == 25);
  // 75 + 5 = 80 is the most ordinary calls may reach.
  CHECK(budget.allows("liveChatMessages.list", QuotaUse::ordinary, now));
  budget.spend("liveChatMessages.list", now);
  CHECK(budget.used(now) == 80);
  CHECK_FALSE(budget.allows("liveChatMessages.list", QuotaUse::ordinary, now));
  CHECK_FALSE(budget.allows("videos.list", QuotaUse::ordinary, now));
  // The reserve is for ending the live and writing its chapters.
  CHECK(budget.allows("videos.list", QuotaUse::control, now));
  CHECK_FALSE(budget.allows("liveBroadcasts.transition", QuotaUse::control, now));  // 80 + 50 > 100
  CHECK_FALSE(budget.allows("other.method", QuotaUse::control, now));               // the default 30: 110 > 100
  CHECK_FALSE(budget.isExhausted(now));
}

TEST_CASE("a control call fits exactly in what is left of the day", "[quota]") {
  core::QuotaBudget budget{smallBudget()};
  const auto now = kDecemberEvening;
  budget.spend("liveBroadcasts.transition", now);  // 50
  CHECK(budget.allows("liveBroadcasts.transition", QuotaUse::control, now));
  CHECK_FALSE(budget.allows("liveBroadcasts.transition", QuotaUse::ordinary, now));  // 100 > 80
  budget.spend("liveBroadcasts.transition", now);
  CHECK(budget.used(now) == 100);
  CHECK(budget.remaining(now) == 0);
  CHECK(budget.isExhausted(now));
  CHECK_FALSE(budget.allows("videos.list", QuotaUse::control, now));
}

TEST_CASE("every call counts whatever its answer and even past what was allowed", "[quota]") {
  core::QuotaBudget budget{smallBudget()};
  const auto now = kDecemberEvening;
  budget.spend("videos.list", now);            // answered 200
  budget.spend("liveChatMessages.list", now);  // answered 403 liveChatEnded
  budget.spend("unknown.method", now);         // answered 500
  CHECK(budget.used(now) == 36);
  for (int i = 0; i < 5; ++i) budget.spend("unknown.method", now);
  CHECK(budget.used(now) == 186);
  CHECK(budget.remaining(now) == 0);
  CHECK(budget.isExhausted(now));
}

TEST_CASE("the default budget keeps 500 units for control calls", "[quota]") {
  core::QuotaBudget budget{core::QuotaSettings{}};
  const auto now = kDecemberEvening;
  // A 3-hour meeting polling chat every 8 s: 1350 calls of 5 units.
  for (int i = 0; i < 1350; ++i) budget.spend("liveChatMessages.list", now);
  CHECK(budget.used(now) == 6750);
  for (int i = 0; i < 550; ++i) budget.spend("liveChatMessages.list", now);
  CHECK(budget.used(now) == 9500);
  CHECK_FALSE(budget.allows("liveChatMessages.list", QuotaUse::ordinary, now));
  CHECK(budget.allows("liveBroadcasts.transition", QuotaUse::control, now));
  CHECK(budget.allows("videos.update", QuotaUse::control, now));
  CHECK(budget.remaining(now) == 500);
}

TEST_CASE("a quotaExceeded answer stops every call until the Pacific midnight", "[quota]") {
  core::QuotaBudget budget{core::QuotaSettings{}};
  budget.spend("liveChatMessages.list", kDecemberEvening);
  budget.exhausted(kDecemberEvening);  // someone else's install used the project's quota
  CHECK(budget.isExhausted(kDecemberEvening));
  CHECK(budget.remaining(kDecemberEvening) == 0);
  CHECK(budget.used(kDecemberEvening) == 5);
  CHECK_FALSE(budget.allows("videos.list", QuotaUse::control, kDecemberEvening));
  CHECK(budget.nextReset(kDecemberEvening) == utc(2026, 12, 4, 8, 0));  // 09:00 in Paris
  const auto justBefore = utc(2026, 12, 4, 7, 59, 59);
  CHECK(budget.isExhausted(justBefore));
  CHECK_FALSE(budget.allows("videos.list", QuotaUse::control, justBefore));
  const auto reset = utc(2026, 12, 4, 8, 0);
  CHECK_FALSE(budget.isExhausted(reset));
  CHECK(budget.used(reset) == 0);
  CHECK(budget.remaining(reset) == 10000);
  CHECK(budget.allows("liveChatMessages.list", QuotaUse::ordinary, reset));
}

TEST_CASE("the day rolls over at midnight PST in winter", "[quota]") {
  core::QuotaBudget budget{smallBudget()};
  budget.spend("liveChatMessages.list", utc(2026, 1, 15, 7, 59, 59));  // 23:59:59 PST
  CHECK(budget.used(utc(2026, 1, 15, 7, 59, 59)) == 5);
  CHECK(budget.used(utc(2026, 1, 15, 8, 0)) == 0);
  CHECK(budget.nextReset(utc(2026, 1, 15, 8, 0)) == utc(2026, 1, 16, 8, 0));
}

TEST_CASE("the day rolls over at midnight PDT in summer", "[quota]") {
  core::QuotaBudget budget{smallBudget()};
  budget.spend("liveChatMessages.list", utc(2026, 7, 15, 6, 59, 59));  // 23:59:59 PDT
  budget.exhausted(utc(2026, 7, 15, 6, 59, 59));
  CHECK(budget.isExhausted(utc(2026, 7, 15, 6, 59, 59)));
  CHECK_FALSE(budget.isExhausted(utc(2026, 7, 15, 7, 0)));
  CHECK(budget.used(utc(2026, 7, 15, 7, 0)) == 0);
  CHECK(budget.nextReset(utc(2026, 7, 15, 7, 0)) == utc(2026, 7, 16, 7, 0));
}

TEST_CASE("the quota's day is 23 hours on 8 March 2026 and 25 hours on 1 November 2026", "[quota]") {
  core::QuotaBudget spring{smallBudget()};
  spring.spend("videos.list", utc(2026, 3, 8, 8, 0));  // Sunday 00:00 PST: a new day
  CHECK(spring.used(utc(2026, 3, 9, 6, 59, 59)) == 1);
  CHECK(spring.used(utc(2026, 3, 9, 7, 0)) == 0);  // Monday 00:00 PDT, 23 hours later

  core::QuotaBudget autumn{smallBudget()};
  autumn.spend("videos.list", utc(2026, 11, 1, 7, 0));  // Sunday 00:00 PDT
  CHECK(autumn.used(utc(2026, 11, 2, 7, 59, 59)) == 1);
  CHECK(autumn.used(utc(2026, 11, 2, 8, 0)) == 0);  // Monday 00:00 PST, 25 hours later
}

TEST_CASE("a clock set back keeps counting in the current day", "[quota]") {
  core::QuotaBudget budget{smallBudget()};
  budget.spend("videos.list", kDecemberEvening);
  CHECK(budget.used(kDecemberEvening - 48h) == 1);
  CHECK(budget.used(kDecemberEvening) == 1);
}

TEST_CASE("huge configured costs do not overflow the count", "[quota]") {
  core::QuotaSettings settings = smallBudget();
  settings.costs["huge"] = std::numeric_limits<int>::max();
  settings.dailyUnits = std::numeric_limits<int>::max();
  settings.reserveUnits = 0;
  core::QuotaBudget budget{settings};
  CHECK(budget.allows("huge", QuotaUse::ordinary, kDecemberEvening));
  budget.spend("huge", kDecemberEvening);
  budget.spend("huge", kDecemberEvening);
  CHECK(budget.used(kDecemberEvening) == std::numeric_limits<int>::max());
  CHECK_FALSE(budget.allows("videos.list", QuotaUse::control, kDecemberEvening));
  CHECK(budget.remaining(kDecemberEvening) == 0);
}

// --- Pacific midnight --------------------------------------------------------------------------

TEST_CASE("the next Pacific midnight around the March 2026 change", "[quota][civil_time]") {
  // Second Sunday of March 2026: the 8th. 02:00 PST becomes 03:00 PDT (10:00 UTC).
  CHECK(core::nextPacificMidnight(utc(2026, 3, 7, 12, 0)) == utc(2026, 3, 8, 8, 0));
  CHECK(core::nextPacificMidnight(utc(2026, 3, 8, 7, 59, 59)) == utc(2026, 3, 8, 8, 0));
  // Strictly after: at midnight itself, the next one.
  CHECK(core::nextPacificMidnight(utc(2026, 3, 8, 8, 0)) == utc(2026, 3, 9, 7, 0));
  CHECK(core::nextPacificMidnight(utc(2026, 3, 8, 9, 59, 59)) == utc(2026, 3, 9, 7, 0));
  CHECK(core::nextPacificMidnight(utc(2026, 3, 8, 10, 0)) == utc(2026, 3, 9, 7, 0));
  CHECK(core::nextPacificMidnight(utc(2026, 3, 9, 6, 59, 59)) == utc(2026, 3, 9, 7, 0));
  CHECK(core::nextPacificMidnight(utc(2026, 3, 9, 7, 0)) == utc(2026, 3, 10, 7, 0));
}

TEST_CASE("the next Pacific midnight around the November 2026 change", "[quota][civil_time]") {
  // First Sunday of November 2026: the 1st. 02:00 PDT becomes 01:00 PST (09:00 UTC).
  CHECK(core::nextPacificMidnight(utc(2026, 10, 31, 20, 0)) == utc(2026, 11, 1, 7, 0));
  CHECK(core::nextPacificMidnight(utc(2026, 11, 1, 7, 0)) == utc(2026, 11, 2, 8, 0));
  CHECK(core::nextPacificMidnight(utc(2026, 11, 1, 8, 30)) == utc(2026, 11, 2, 8, 0));  // 01:30 PDT
  CHECK(core::nextPacificMidnight(utc(2026, 11, 1, 9, 30)) == utc(2026, 11, 2, 8, 0));  // 01:30 PST
  CHECK(core::nextPacificMidnight(utc(2026, 11, 2, 7, 59, 59)) == utc(2026, 11, 2, 8, 0));
  CHECK(core::nextPacificMidnight(utc(2026, 11, 2, 8, 0)) == utc(2026, 11, 3, 8, 0));
}

TEST_CASE("the next Pacific midnight follows the rule in other years too", "[quota][civil_time]") {
  // 2027: 14 March and 7 November. New Year's Eve is in winter time.
  CHECK(core::nextPacificMidnight(utc(2027, 3, 14, 12, 0)) == utc(2027, 3, 15, 7, 0));
  CHECK(core::nextPacificMidnight(utc(2027, 3, 14, 7, 0)) == utc(2027, 3, 14, 8, 0));
  CHECK(core::nextPacificMidnight(utc(2027, 11, 7, 12, 0)) == utc(2027, 11, 8, 8, 0));
  CHECK(core::nextPacificMidnight(utc(2027, 11, 6, 12, 0)) == utc(2027, 11, 7, 7, 0));
  CHECK(core::nextPacificMidnight(utc(2026, 12, 31, 20, 0)) == utc(2027, 1, 1, 8, 0));
  CHECK(core::nextPacificMidnight(utc(2027, 1, 1, 5, 0)) == utc(2027, 1, 1, 8, 0));  // still 31 Dec in LA
  // Sub-second instants round the right way.
  CHECK(core::nextPacificMidnight(utc(2027, 1, 1, 8, 0) - 1ns) == utc(2027, 1, 1, 8, 0));
  CHECK(core::nextPacificMidnight(utc(2027, 1, 1, 8, 0) + 1ns) == utc(2027, 1, 2, 8, 0));
}

TEST_CASE("an evening meeting in Paris never spans a quota reset", "[quota][civil_time]") {
  // Every evening of 2026, 18:00 to midnight in Paris: the reset comes the next morning,
  // at 9 h, or at 8 h while only the US is on summer time.
  int eightOClock = 0;
  for (auto day = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};
       day <= std::chrono::sys_days{std::chrono::year{2026} / 12 / 31}; day += std::chrono::days{1}) {
    const std::chrono::year_month_day date{day};
    const int y = static_cast<int>(date.year());
    const int m = static_cast<int>(static_cast<unsigned>(date.month()));
    const int d = static_cast<int>(static_cast<unsigned>(date.day()));
    const auto start = core::parisTimeToUtc(y, m, d, 18, 0);
    const auto end = core::parisTimeToUtc(y, m, d, 23, 59);
    const auto reset = core::nextPacificMidnight(start);
    CAPTURE(core::isoUtc(start));
    CHECK(reset > end);
    const core::ParisTime inParis = core::parisTimeOf(reset);
    CHECK(inParis.minute == 0);
    CHECK((inParis.hour == 8 || inParis.hour == 9));
    if (inParis.hour == 8) ++eightOClock;
  }
  // 9 to 28 March (20 mornings) and 25 October to 1 November (8 mornings).
  CHECK(eightOClock == 28);
}

// --- Paris time --------------------------------------------------------------------------------

TEST_CASE("Paris winter and summer times convert to UTC", "[quota][civil_time]") {
  CHECK(core::parisTimeToUtc(2026, 12, 3, 18, 30) == utc(2026, 12, 3, 17, 30));
  CHECK(core::parisTimeToUtc(2026, 1, 1, 0, 0) == utc(2025, 12, 31, 23, 0));
  CHECK(core::parisTimeToUtc(2026, 7, 14, 21, 0) == utc(2026, 7, 14, 19, 0));
  CHECK(core::parisTimeToUtc(2027, 3, 28, 12, 0) == utc(2027, 3, 28, 10, 0));  // last Sunday of March 2027
  CHECK(core::parisTimeToUtc(2027, 3, 27, 12, 0) == utc(2027, 3, 27, 11, 0));
}

TEST_CASE("Paris time on the spring change day 29 March 2026", "[quota][civil_time]") {
  CHECK(core::parisTimeToUtc(2026, 3, 28, 18, 30) == utc(2026, 3, 28, 17, 30));
  CHECK(core::parisTimeToUtc(2026, 3, 29, 0, 30) == utc(2026, 3, 28, 23, 30));
  CHECK(core::parisTimeToUtc(2026, 3, 29, 1, 59) == utc(2026, 3, 29, 0, 59));
  // 02:00 to 02:59 does not exist that day: read as summer time.
  CHECK(core::parisTimeToUtc(2026, 3, 29, 2, 0) == utc(2026, 3, 29, 0, 0));
  CHECK(core::parisTimeToUtc(2026, 3, 29, 2, 30) == utc(2026, 3, 29, 0, 30));
  CHECK(core::parisTimeToUtc(2026, 3, 29, 3, 0) == utc(2026, 3, 29, 1, 0));
  CHECK(core::parisTimeToUtc(2026, 3, 29, 18, 30) == utc(2026, 3, 29, 16, 30));
}

TEST_CASE("Paris time on the autumn change day 25 October 2026", "[quota][civil_time]") {
  CHECK(core::parisTimeToUtc(2026, 10, 24, 18, 30) == utc(2026, 10, 24, 16, 30));
  CHECK(core::parisTimeToUtc(2026, 10, 25, 1, 30) == utc(2026, 10, 24, 23, 30));
  // 02:00 to 02:59 happens twice that day: read as summer time, the first time.
  CHECK(core::parisTimeToUtc(2026, 10, 25, 2, 0) == utc(2026, 10, 25, 0, 0));
  CHECK(core::parisTimeToUtc(2026, 10, 25, 2, 30) == utc(2026, 10, 25, 0, 30));
  CHECK(core::parisTimeToUtc(2026, 10, 25, 3, 0) == utc(2026, 10, 25, 2, 0));
  CHECK(core::parisTimeToUtc(2026, 10, 25, 18, 30) == utc(2026, 10, 25, 17, 30));
}

TEST_CASE("Paris date fields past their range carry over", "[quota][civil_time]") {
  CHECK(core::parisTimeToUtc(2026, 1, 32, 10, 0) == core::parisTimeToUtc(2026, 2, 1, 10, 0));
  CHECK(core::parisTimeToUtc(2026, 13, 1, 10, 0) == core::parisTimeToUtc(2027, 1, 1, 10, 0));
  CHECK(core::parisTimeToUtc(2026, 0, 15, 10, 0) == core::parisTimeToUtc(2025, 12, 15, 10, 0));
  CHECK(core::parisTimeToUtc(2026, 12, 3, 24, 0) == core::parisTimeToUtc(2026, 12, 4, 0, 0));
  CHECK(core::parisTimeToUtc(2026, 12, 3, 18, 90) == core::parisTimeToUtc(2026, 12, 3, 19, 30));
  CHECK(core::parisTimeToUtc(2026, 2, 29, 12, 0) == core::parisTimeToUtc(2026, 3, 1, 12, 0));
}

TEST_CASE("parisTimeOf reads an instant on the Paris wall clock", "[quota][civil_time]") {
  const core::ParisTime winter = core::parisTimeOf(utc(2026, 12, 3, 17, 30));
  CHECK(winter.year == 2026);
  CHECK(winter.month == 12);
  CHECK(winter.day == 3);
  CHECK(winter.hour == 18);
  CHECK(winter.minute == 30);
  const core::ParisTime newYear = core::parisTimeOf(utc(2025, 12, 31, 23, 15));
  CHECK(newYear.year == 2026);
  CHECK(newYear.month == 1);
  CHECK(newYear.day == 1);
  CHECK(newYear.hour == 0);
  CHECK(newYear.minute == 15);
  CHECK(core::parisTimeOf(utc(2026, 3, 29, 0, 59)).hour == 1);
  CHECK(core::parisTimeOf(utc(2026, 3, 29, 1, 0)).hour == 3);
  CHECK(core::parisTimeOf(utc(2026, 10, 25, 0, 59)).hour == 2);
  CHECK(core::parisTimeOf(utc(2026, 10, 25, 1, 0)).hour == 2);
  CHECK(core::parisTimeOf(utc(2026, 10, 25, 2, 0)).hour == 3);
}

TEST_CASE("parisTimeOf and parisTimeToUtc undo each other but for the repeated autumn hour", "[quota][civil_time]") {
  int mismatches = 0;
  for (auto t = utc(2026, 1, 1); t < utc(2027, 1, 1); t += 30min) {
    const core::ParisTime paris = core::parisTimeOf(t);
    const auto back = core::parisTimeToUtc(paris.year, paris.month, paris.day, paris.hour, paris.minute);
    if (back != t) {
      ++mismatches;
      // The second 02:xx of 25 October reads back as the first.
      CHECK(back == t - 1h);
      CHECK(t >= utc(2026, 10, 25, 1, 0));
      CHECK(t < utc(2026, 10, 25, 2, 0));
    }
  }
  CHECK(mismatches == 2);
}

TEST_CASE("isoUtc writes whole seconds in UTC", "[quota][civil_time]") {
  CHECK(core::isoUtc(utc(2026, 12, 3, 18, 30)) == "2026-12-03T18:30:00Z");
  CHECK(core::isoUtc(utc(2026, 12, 3, 18, 30) + 999ms) == "2026-12-03T18:30:00Z");
  CHECK(core::isoUtc(utc(2000, 2, 29, 23, 59, 59)) == "2000-02-29T23:59:59Z");
  CHECK(core::isoUtc(core::WallTime{}) == "1970-01-01T00:00:00Z");
  CHECK(core::isoUtc(core::WallTime{} - 1ns) == "1969-12-31T23:59:59Z");
  CHECK(core::isoUtc(core::parisTimeToUtc(2026, 3, 12, 19, 30)) == "2026-03-12T18:30:00Z");
}
