#include "core/quota_budget.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

namespace tribune::core {

namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::year_month_day;

std::chrono::year utcYear(WallTime time) { return year_month_day{floor<days>(time)}.year(); }

// Both rules change in spring and autumn, far from New Year, so the UTC year of the
// instant is the year whose rule applies.
bool isPacificSummer(WallTime time) {
  using namespace std::chrono;
  const year y = utcYear(time);
  const WallTime start = sys_days{y / March / Sunday[2]} + hours{10};  // 02:00 PST
  const WallTime end = sys_days{y / November / Sunday[1]} + hours{9};  // 02:00 PDT
  return start <= time && time < end;
}

bool isParisSummer(WallTime time) {
  using namespace std::chrono;
  const year y = utcYear(time);
  const WallTime start = sys_days{y / March / Sunday[last]} + hours{1};
  const WallTime end = sys_days{y / October / Sunday[last]} + hours{1};
  return start <= time && time < end;
}

long long floorDiv(long long a, long long b) { return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0); }

}  // namespace

QuotaBudget::QuotaBudget(QuotaSettings settings) : settings_(std::move(settings)) {}

int QuotaBudget::cost(std::string_view method) const {
  const auto found = settings_.costs.find(method);
  return std::max(0, found == settings_.costs.end() ? settings_.defaultCost : found->second);
}

void QuotaBudget::roll(WallTime now) {
  // dayEnd_ starts at the epoch, so the first call opens the day it falls in. A clock set
  // back keeps counting in the current day, which only errs on the careful side.
  if (now < dayEnd_) return;
  dayEnd_ = nextPacificMidnight(now);
  used_ = 0;
  exhausted_ = false;
}

bool QuotaBudget::allows(std::string_view method, QuotaUse use, WallTime now) {
  roll(now);
  if (exhausted_) return false;
  const long long reserve = use == QuotaUse::ordinary ? std::max(0, settings_.reserveUnits) : 0;
  const long long limit = static_cast<long long>(settings_.dailyUnits) - reserve;
  return static_cast<long long>(used_) + cost(method) <= limit;
}

void QuotaBudget::spend(std::string_view method, WallTime now) {
  roll(now);
  const long long total = static_cast<long long>(used_) + cost(method);
  used_ = static_cast<int>(std::min<long long>(total, std::numeric_limits<int>::max()));
}

void QuotaBudget::exhausted(WallTime now) {
  roll(now);
  exhausted_ = true;
}

int QuotaBudget::used(WallTime now) {
  roll(now);
  return used_;
}

int QuotaBudget::remaining(WallTime now) {
  roll(now);
  if (exhausted_) return 0;
  return static_cast<int>(std::max<long long>(0, static_cast<long long>(settings_.dailyUnits) - used_));
}

bool QuotaBudget::isExhausted(WallTime now) { return remaining(now) == 0; }

WallTime QuotaBudget::nextReset(WallTime now) const { return nextPacificMidnight(now); }

WallTime nextPacificMidnight(WallTime now) {
  const hours offset{isPacificSummer(now) ? -7 : -8};
  const sys_days nextLocalDay = floor<days>(now + offset) + days{1};
  // Midnight is never inside a change (those happen at 02:00 local), so the standard-time
  // reading of the next midnight tells which offset it has.
  const WallTime asStandard = nextLocalDay + hours{8};
  return isPacificSummer(asStandard) ? WallTime{nextLocalDay + hours{7}} : asStandard;
}

WallTime parisTimeToUtc(int year, int month, int day, int hour, int minute) {
  const long long monthIndex = static_cast<long long>(month) - 1;
  const long long fullYear = std::clamp<long long>(year + floorDiv(monthIndex, 12), -32767, 32767);
  const auto monthOfYear = static_cast<unsigned>(monthIndex - floorDiv(monthIndex, 12) * 12 + 1);
  const sys_days firstOfMonth{std::chrono::year{static_cast<int>(fullYear)} / std::chrono::month{monthOfYear} / 1};
  const WallTime local = firstOfMonth + days{static_cast<long long>(day) - 1} + hours{hour} + minutes{minute};
  const WallTime summer = local - hours{2};
  if (isParisSummer(summer)) return summer;
  const WallTime winter = local - hours{1};
  if (!isParisSummer(winter)) return winter;
  return summer;  // the hour skipped in spring: read as summer time, as the header says
}

ParisTime parisTimeOf(WallTime time) {
  const WallTime local = time + hours{isParisSummer(time) ? 2 : 1};
  const sys_days day = floor<days>(local);
  const year_month_day date{day};
  const std::chrono::hh_mm_ss clock{floor<minutes>(local - day)};
  return {static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())),
          static_cast<int>(static_cast<unsigned>(date.day())), static_cast<int>(clock.hours().count()),
          static_cast<int>(clock.minutes().count())};
}

std::string isoUtc(WallTime time) {
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const std::chrono::hh_mm_ss clock{floor<seconds>(time - day)};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

}  // namespace tribune::core
