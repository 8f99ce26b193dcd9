// One-time download tickets (core/download_tickets.h): one file, one use, one minute.
#include <catch2/catch.hpp>

#include "core/download_tickets.h"

using tribune::core::constantTimeEquals;
using tribune::core::DownloadTickets;

TEST_CASE("constantTimeEquals compares secrets byte for byte", "[tickets]") {
  CHECK(constantTimeEquals("abc123", "abc123"));
  CHECK_FALSE(constantTimeEquals("abc123", "abc124"));
  CHECK_FALSE(constantTimeEquals("abc123", "abc12"));
  CHECK_FALSE(constantTimeEquals("", "a"));
  CHECK(constantTimeEquals("", ""));
}

TEST_CASE("a download ticket opens its own file once", "[tickets]") {
  DownloadTickets tickets;
  tickets.issue("t1", "p1/replay.mp4", 1000);
  CHECK_FALSE(tickets.redeem("t1", "p1/chapters.vtt", 1001));  // another file: refused, kept
  CHECK_FALSE(tickets.redeem("t2", "p1/replay.mp4", 1001));    // an unknown ticket
  CHECK_FALSE(tickets.redeem("t", "p1/replay.mp4", 1001));     // a prefix of it
  CHECK_FALSE(tickets.redeem("", "p1/replay.mp4", 1001));
  CHECK(tickets.redeem("t1", "p1/replay.mp4", 1002));
  CHECK_FALSE(tickets.redeem("t1", "p1/replay.mp4", 1003));  // used up
  CHECK(tickets.outstanding() == 0);
}

TEST_CASE("a download ticket expires after a minute", "[tickets]") {
  DownloadTickets tickets;
  tickets.issue("early", "p1/a.csv", 0);
  tickets.issue("late", "p1/a.csv", 30'000);
  CHECK(tickets.redeem("late", "p1/a.csv", 30'000 + DownloadTickets::kLifetimeMs - 1));
  CHECK_FALSE(tickets.redeem("early", "p1/a.csv", DownloadTickets::kLifetimeMs));
  CHECK(tickets.outstanding() == 0);  // the expired one is forgotten
}

TEST_CASE("outstanding download tickets are bounded, the oldest dropped first", "[tickets]") {
  DownloadTickets tickets;
  for (std::size_t i = 0; i <= DownloadTickets::kMaxOutstanding; ++i) {
    tickets.issue("t" + std::to_string(i), "p1/a.csv", 0);
  }
  CHECK(tickets.outstanding() == DownloadTickets::kMaxOutstanding);
  CHECK_FALSE(tickets.redeem("t0", "p1/a.csv", 1));
  CHECK(tickets.redeem("t1", "p1/a.csv", 1));
  CHECK(tickets.redeem("t" + std::to_string(DownloadTickets::kMaxOutstanding), "p1/a.csv", 1));
}
