// DTS rebuilt from PTS for B-frame GOPs (internal to src/archive, no libav involved).
#include "archive/decode_timeline.h"

#include <catch2/catch.hpp>

using tribune::archive::DecodeTimeline;

TEST_CASE("rebuilt decode times rise strictly and never pass the presentation times") {
  DecodeTimeline timeline;
  // x264's b-pyramid order, frames of 10 ticks: I0 P40 B20 b10 b30 | I50 P90 B70 b60 b80.
  auto first = timeline.assign({0, 40, 20, 10, 30});
  REQUIRE(first);
  CHECK(*first == std::vector<std::int64_t>{-20, -10, 0, 10, 20});
  auto second = timeline.assign({50, 90, 70, 60, 80});
  REQUIRE(second);
  CHECK(*second == std::vector<std::int64_t>{30, 40, 50, 60, 70});
}

TEST_CASE("rebuilt decode times stay rising across a jump in presentation times") {
  DecodeTimeline timeline;
  REQUIRE(timeline.assign({0, 40, 20, 10, 30}));
  auto afterGap = timeline.assign({1000, 1030, 1010, 1020});
  REQUIRE(afterGap);
  CHECK(afterGap->front() == 980);
  CHECK(afterGap->back() == 1010);
}

TEST_CASE("presentation times going back across GOPs cannot be put in decode order") {
  DecodeTimeline timeline;
  REQUIRE(timeline.assign({100, 110, 120}));
  CHECK_FALSE(timeline.assign({0, 10}));
}
