#pragma once
// YouTube's daily quota as a budget (issue 20): 10,000 units a day per Google Cloud project
// by default, every call costing units (failed ones too), reset at midnight Pacific time.
// A reserve is kept for the calls that end a live and write its chapters, so that ordinary
// calls (audience, chat) stop before it. Costs come from the configuration since some are
// unverified (../shared/research/platform-apis.md §1.5). Pure: time comes in as arguments.
#include <map>
#include <string>
#include <string_view>

#include "core/platform_account.h"

namespace tribune::core {

struct QuotaSettings {
  int dailyUnits = 10000;
  int reserveUnits = 500;  // for control calls only
  // Units per method ("liveBroadcasts.insert", "videos.list", …); defaultCost for the others.
  std::map<std::string, int, std::less<>> costs = {
      {"liveBroadcasts.insert", 50},
      {"liveBroadcasts.list", 1},
      {"liveBroadcasts.bind", 50},
      {"liveBroadcasts.transition", 50},
      {"liveStreams.insert", 50},
      {"liveStreams.list", 1},
      {"videos.list", 1},
      {"videos.update", 50},
      {"liveChatMessages.list", 5},
      {"liveChatMessages.streamList", 5},
      {"liveChatMessages.insert", 20},
      {"channels.list", 1},
  };
  int defaultCost = 50;
};

enum class QuotaUse {
  ordinary,  // audience, chat, preparing a live: never into the reserve
  control,   // ending a live, writing chapters: may use the reserve
};

class QuotaBudget {
 public:
  explicit QuotaBudget(QuotaSettings settings);

  [[nodiscard]] int cost(std::string_view method) const;
  // Whether a call of `method` may be made at `now` (the day's units, the reserve, and no
  // quotaExceeded answer since the last reset).
  [[nodiscard]] bool allows(std::string_view method, QuotaUse use, WallTime now);
  // A call was made (whatever its answer): its units are spent.
  void spend(std::string_view method, WallTime now);
  // The platform answered quotaExceeded: nothing more until the reset, whatever we counted.
  void exhausted(WallTime now);

  [[nodiscard]] int used(WallTime now);       // units spent since the last reset
  [[nodiscard]] int remaining(WallTime now);  // 0 once exhausted
  [[nodiscard]] bool isExhausted(WallTime now);
  [[nodiscard]] WallTime nextReset(WallTime now) const;
  [[nodiscard]] const QuotaSettings& settings() const { return settings_; }

 private:
  void roll(WallTime now);  // a new Pacific day: back to zero

  QuotaSettings settings_;
  WallTime dayEnd_{};  // the reset that ends the day being counted
  int used_ = 0;
  bool exhausted_ = false;
};

// Civil time without a time-zone database (the two zones Tribune needs, their DST rules as
// in force since 2007 in the US and 1996 in the EU).
// The next midnight in America/Los_Angeles strictly after `now` (PST UTC−8, PDT UTC−7 from
// the second Sunday of March 02:00 local to the first Sunday of November 02:00 local).
WallTime nextPacificMidnight(WallTime now);
// A Paris wall-clock date and time (CET UTC+1, CEST UTC+2 from the last Sunday of March
// 01:00 UTC to the last Sunday of October 01:00 UTC) as an instant. A time in the hour
// skipped in spring is read as summer time; one in the repeated autumn hour as summer time.
// A field past its range carries over (32 January is 1 February, 24:00 the next day's 00:00).
WallTime parisTimeToUtc(int year, int month, int day, int hour, int minute);
// The Paris wall-clock date and time of an instant (the inverse of parisTimeToUtc), e.g.
// to tell the technician at what time in Paris the next quota reset falls.
struct ParisTime {
  int year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
};
ParisTime parisTimeOf(WallTime time);
// An instant as ISO 8601 UTC, "2026-12-03T18:30:00Z" (whole seconds, rounded down).
std::string isoUtc(WallTime time);

}  // namespace tribune::core
