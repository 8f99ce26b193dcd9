// The recording's disk against the rest of the meeting (issue 6): pure arithmetic.
#include <catch2/catch.hpp>

#include "core/recording_space.h"

using namespace tribune::core;
using namespace std::chrono_literals;

TEST_CASE("the recording needs the bitrate times what is left of the expected meeting", "[recording-space]") {
  // 4500 + 128 kb/s = 578,500 bytes a second; 4 h expected, 1 h gone: 3 h left.
  CHECK(recordingBytesNeeded(4500, 128, 240min, 3600s) == 578500ULL * 3 * 3600);
  CHECK(recordingBytesNeeded(2000, 128, 10min, 0s) == 266000ULL * 600);
}

TEST_CASE("a meeting past its expected duration needs no more room by the estimate", "[recording-space]") {
  CHECK(recordingBytesNeeded(4500, 128, 240min, 240min) == 0);
  CHECK(recordingBytesNeeded(4500, 128, 240min, 300min) == 0);
}

TEST_CASE("the space is low when the free bytes are fewer than the needed ones", "[recording-space]") {
  const auto needed = recordingBytesNeeded(4500, 128, 240min, 0s);
  const auto short_of = recordingSpace(needed - 1, 4500, 128, 240min, 0s);
  CHECK(short_of.low);
  CHECK(short_of.neededBytes == needed);
  CHECK(short_of.freeBytes == needed - 1);
  CHECK_FALSE(recordingSpace(needed, 4500, 128, 240min, 0s).low);
  CHECK_FALSE(recordingSpace(0, 4500, 128, 240min, 250min).low);
}

TEST_CASE("a new file starts only with room for a minute of recording and at least 16 MiB", "[recording-space]") {
  CHECK(recordingBytesToResume(4500, 128) == 578500ULL * 60);
  CHECK(recordingBytesToResume(500, 64) == 16ULL * 1024 * 1024);
}
