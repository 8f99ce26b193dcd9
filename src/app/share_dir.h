#pragma once
// Where the executable finds its shared files (pipelines/, overlays/, web/, examples/,
// moderation/): the installed layout first, so that the package never reads a source tree;
// the source tree for a developer's build, which has no installed layout beside it.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace tribune::app {

struct ShareDirPlaces {
  std::optional<std::string> environment;  // $TRIBUNE_SHARE_DIR; unset or empty: ignored
  std::filesystem::path executable;        // this program's real path; empty when unknown
  std::filesystem::path fromBinDir;        // the installed share folder, relative to the binary's ("../share/tribune")
  std::filesystem::path sourceDir;         // the source tree the binary was built from
};

// $TRIBUNE_SHARE_DIR, else <executable's folder>/<fromBinDir> when `isDirectory` says it
// exists (the package installed, or extracted anywhere), else the source tree.
std::filesystem::path locateShareDir(const ShareDirPlaces& places,
                                     const std::function<bool(const std::filesystem::path&)>& isDirectory);

}  // namespace tribune::app
