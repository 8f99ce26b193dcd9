#include "app/share_dir.h"

#include <cstdlib>
#include <system_error>

#include "app/commands.h"

namespace tribune::app {

std::filesystem::path locateShareDir(const ShareDirPlaces& places,
                                     const std::function<bool(const std::filesystem::path&)>& isDirectory) {
  if (places.environment && !places.environment->empty()) return *places.environment;
  if (!places.executable.empty()) {
    auto installed = (places.executable.parent_path() / places.fromBinDir).lexically_normal();
    if (isDirectory(installed)) return installed;
  }
  return places.sourceDir;
}

std::filesystem::path shareDir() {
  ShareDirPlaces places;
  if (const char* dir = std::getenv("TRIBUNE_SHARE_DIR"); dir != nullptr) places.environment = dir;
  std::error_code error;
  places.executable = std::filesystem::read_symlink("/proc/self/exe", error);  // empty on error
  places.fromBinDir = TRIBUNE_SHARE_FROM_BIN_DIR;
  places.sourceDir = TRIBUNE_DEFAULT_SHARE_DIR;
  return locateShareDir(places, [](const std::filesystem::path& dir) {
    std::error_code ignored;
    return std::filesystem::is_directory(dir, ignored);
  });
}

}  // namespace tribune::app
