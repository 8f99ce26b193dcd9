// What a technician reads when a scan or an export cannot be done.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "archive/archive.h"
#include "support/temp_dir.h"
#include "test_recordings.h"

namespace {

using namespace tribune::archive;
using namespace tribune::testing;
using Catch::Matchers::Contains;

// Nothing under `out`'s name, and no temporary file left beside it.
void requireNothingLeft(const std::filesystem::path& folder, const std::filesystem::path& out) {
  CHECK_FALSE(std::filesystem::exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    INFO(entry.path());
    CHECK(entry.path().extension() != ".part");
  }
}

}  // namespace

TEST_CASE("scanning a missing file names the file") {
  TempDir dir("tribune-archive-test");
  auto missing = dir / "séance-absente.mkv";
  REQUIRE_THROWS_WITH(scanRecording(missing), Contains(missing.string()) && Contains("no such file"));
}

TEST_CASE("scanning a file that is not a recording names the file") {
  TempDir dir("tribune-archive-test");
  auto text = dir / "notes.mkv";
  writeTextFile(text, "Ordre du jour : budget primitif, subventions aux associations.\n");
  REQUIRE_THROWS_AS(scanRecording(text), ArchiveError);
  REQUIRE_THROWS_WITH(scanRecording(text), Contains(text.string()) && Contains("cannot be read as a recording"));
}

TEST_CASE("an export from a missing or unreadable file names it and leaves no file") {
  TempDir dir("tribune-archive-test");
  auto out = dir / "replay.mp4";
  auto missing = dir / "absent.mkv";
  REQUIRE_THROWS_WITH(writeMp4({{{missing, 0, 1'000'000'000}}, {}, {}}, out), Contains(missing.string()));
  requireNothingLeft(dir.path(), out);

  auto text = dir / "notes.mkv";
  writeTextFile(text, "pas une vidéo");
  ReplaySpec spec{{{gstreamerRecording(), 0, 2'000'000'000}, {text, 0, 1'000'000'000}}, {}, {}};
  REQUIRE_THROWS_WITH(writeMp4(spec, out), Contains(text.string()));
  requireNothingLeft(dir.path(), out);
}

TEST_CASE("an export of pieces with different picture sizes names both files") {
  TempDir dir("tribune-archive-test");
  auto out = dir / "replay.mp4";
  ReplaySpec spec{{{gstreamerRecording(), 0, 2'000'000'000}, {smallGstreamerRecording(), 0, 2'000'000'000}}, {}, {}};
  REQUIRE_THROWS_AS(writeMp4(spec, out), ArchiveError);
  REQUIRE_THROWS_WITH(writeMp4(spec, out), Contains(gstreamerRecording().string()) &&
                                               Contains(smallGstreamerRecording().string()) && Contains("320x240") &&
                                               Contains("160x120"));
  requireNothingLeft(dir.path(), out);
}

TEST_CASE("an export into a folder that cannot be written names the output") {
  TempDir dir("tribune-archive-test");
  ReplaySpec spec{{{gstreamerRecording(), 0, 2'000'000'000}}, {}, {}};

  auto missingFolder = dir / "pas-de-dossier" / "replay.mp4";
  REQUIRE_THROWS_WITH(writeMp4(spec, missingFolder), Contains(missingFolder.string()));

  auto file = dir / "a-file";
  writeTextFile(file, "x");
  REQUIRE_THROWS_AS(writeMp4(spec, file / "replay.mp4"), ArchiveError);

  if (::geteuid() != 0) {  // root writes anywhere
    auto readOnly = dir / "read-only";
    std::filesystem::create_directory(readOnly);
    std::filesystem::permissions(readOnly, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    auto out = readOnly / "replay.mp4";
    REQUIRE_THROWS_WITH(writeMp4(spec, out), Contains(out.string()) && Contains("Permission denied"));
    CHECK_FALSE(std::filesystem::exists(out));
    std::filesystem::permissions(readOnly, std::filesystem::perms::owner_all);
  }
}

TEST_CASE("an export that fails half way leaves neither a half file nor a temporary file") {
  TempDir dir("tribune-archive-test");
  auto out = dir / "replay.mp4";
  // The second piece lies past the end of its file: found out while writing.
  ReplaySpec spec{
      {{gstreamerRecording(), 0, 2'000'000'000}, {gstreamerRecording(), 60'000'000'000, 62'000'000'000}}, {}, {}};
  REQUIRE_THROWS_WITH(writeMp4(spec, out), Contains(gstreamerRecording().string()) && Contains("no video key frame"));
  requireNothingLeft(dir.path(), out);

  // An older replay under that name is left as it was.
  writeTextFile(out, "previous replay");
  REQUIRE_THROWS_AS(writeMp4(spec, out), ArchiveError);
  CHECK(readTextFile(out) == "previous replay");
}

TEST_CASE("an export refuses an empty replay and chapters that overlap") {
  TempDir dir("tribune-archive-test");
  auto out = dir / "replay.mp4";
  REQUIRE_THROWS_WITH(writeMp4({}, out), Contains(out.string()) && Contains("no pieces"));
  ReplaySpec spec{{{gstreamerRecording(), 0, 2'000'000'000}},
                  {{0, 1'500'000'000, "Ouverture"}, {1'000'000'000, 2'000'000'000, "Délibérations"}},
                  {}};
  REQUIRE_THROWS_WITH(writeMp4(spec, out), Contains(out.string()) && Contains("Délibérations"));
  requireNothingLeft(dir.path(), out);
}
