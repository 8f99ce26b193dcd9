// The recording's disk against the rest of the meeting (issue 6): pure arithmetic.
#include <catch2/catch.hpp>

#include "core/recording_space.h"

#include <vector>

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

TEST_CASE("after a recording failure the disk is probed again in 2 s", "[recording-space]") {
  // The meeting's first file, however long it ran: the disk filled up, a short wait.
  CHECK(recordingProbeDelay(2s, false, 0s) == 2s);
  CHECK(recordingProbeDelay(2s, false, 3600s) == 2s);
  // A resumed file that recorded for 30 s or more: the probe was right, start over at 2 s.
  CHECK(recordingProbeDelay(32s, true, 30s) == 2s);
  CHECK(recordingProbeDelay(60s, true, 600s) == 2s);
}

TEST_CASE("a resumed file that fails within 30 s doubles the wait, up to 60 s", "[recording-space]") {
  // The probe said the folder takes writes, yet the new file failed at once: a fault the
  // 64 KiB probe cannot see, so hammering the disk every 2 s would only fill the log.
  std::vector<std::chrono::seconds> waits;
  std::chrono::seconds wait = 2s;
  for (int i = 0; i < 7; ++i) {
    wait = recordingProbeDelay(wait, true, 29s);
    waits.push_back(wait);
  }
  CHECK(waits == std::vector<std::chrono::seconds>{4s, 8s, 16s, 32s, 60s, 60s, 60s});
  CHECK(recordingProbeDelay(4s, true, 0s) == 8s);
}
