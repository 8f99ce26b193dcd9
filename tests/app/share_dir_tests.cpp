// Where the binary finds its shared files (app/share_dir.h): the package's layout beside
// the binary, never the source tree when that layout is there.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <functional>
#include <set>
#include <vector>

#include "app/commands.h"
#include "app/share_dir.h"
#include "support/temp_dir.h"

using tribune::app::locateShareDir;
using tribune::app::ShareDirPlaces;

namespace {

ShareDirPlaces installedAt(const std::filesystem::path& executable) {
  ShareDirPlaces places;
  places.executable = executable;
  places.fromBinDir = "../share/tribune";
  places.sourceDir = "/src/tribune";
  return places;
}

// Says yes to the listed folders only, and remembers what it was asked.
struct Existing {
  std::set<std::filesystem::path> folders;
  std::vector<std::filesystem::path> asked;
  bool operator()(const std::filesystem::path& dir) {
    asked.push_back(dir);
    return folders.count(dir) > 0;
  }
};

}  // namespace

TEST_CASE("the installed binary takes the share folder of its prefix") {
  Existing existing{{"/usr/share/tribune"}, {}};
  CHECK(locateShareDir(installedAt("/usr/bin/tribune"), std::ref(existing)) == "/usr/share/tribune");
  // Extracted anywhere (dpkg-deb -x): the same layout under that root.
  existing.folders = {"/tmp/root/usr/share/tribune"};
  CHECK(locateShareDir(installedAt("/tmp/root/usr/bin/tribune"), std::ref(existing)) == "/tmp/root/usr/share/tribune");
}

TEST_CASE("a developer's build, with no share folder beside it, takes the source tree") {
  Existing existing{{"/usr/share/tribune"}, {}};
  CHECK(locateShareDir(installedAt("/home/dev/tribune/build/src/app/tribune"), std::ref(existing)) == "/src/tribune");
  REQUIRE(existing.asked.size() == 1);
  CHECK(existing.asked[0] == "/home/dev/tribune/build/src/share/tribune");
  // /proc/self/exe unreadable: nothing to look beside.
  CHECK(locateShareDir(installedAt(""), std::ref(existing)) == "/src/tribune");
  CHECK(existing.asked.size() == 1);
}

TEST_CASE("TRIBUNE_SHARE_DIR wins over the installed layout, unless it is empty") {
  Existing existing{{"/usr/share/tribune"}, {}};
  auto places = installedAt("/usr/bin/tribune");
  places.environment = "/opt/share";
  CHECK(locateShareDir(places, std::ref(existing)) == "/opt/share");
  CHECK(existing.asked.empty());
  places.environment = "";
  CHECK(locateShareDir(places, std::ref(existing)) == "/usr/share/tribune");
}

TEST_CASE("the installed layout is found on a real folder tree") {
  tribune::testing::TempDir root("tribune-share");
  std::filesystem::create_directories(root / "usr/bin");
  const auto isDirectory = [](const std::filesystem::path& dir) { return std::filesystem::is_directory(dir); };
  CHECK(locateShareDir(installedAt(root / "usr/bin/tribune"), isDirectory) == "/src/tribune");
  std::filesystem::create_directories(root / "usr/share/tribune");
  CHECK(locateShareDir(installedAt(root / "usr/bin/tribune"), isDirectory) == root / "usr/share/tribune");
}

TEST_CASE("this test binary, not installed, is given the source tree") {
  // Unless the environment names another folder (a test harness may).
  if (std::getenv("TRIBUNE_SHARE_DIR") != nullptr) {
    WARN("TRIBUNE_SHARE_DIR is set: not checked");
    return;
  }
  CHECK(tribune::app::shareDir() == std::filesystem::path(TRIBUNE_DEFAULT_SHARE_DIR));
}
