#include "archive/temporary_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "archive/archive.h"

namespace tribune::archive {
namespace {

constexpr char kSuffix[] = ".part";

std::string errnoText(int error) { return std::generic_category().message(error); }

}  // namespace

TemporaryFile::TemporaryFile(std::filesystem::path target) : target_(std::move(target)) {
  std::filesystem::path folder = target_.parent_path();
  if (folder.empty()) folder = ".";
  std::string pattern = (folder / ("." + target_.filename().string() + ".XXXXXX")).string() + kSuffix;
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkstemps(name.data(), static_cast<int>(sizeof kSuffix - 1));
  if (fd < 0) {
    int error = errno;
    throw ArchiveError(target_.string() + ": cannot create a file in " + folder.string() + ": " + errnoText(error));
  }
  // mkstemp makes the file private (0600); a replay is meant to be served and copied.
  ::fchmod(fd, 0644);
  ::close(fd);
  path_ = name.data();
}

TemporaryFile::~TemporaryFile() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
}

void TemporaryFile::commit() {
  // The rename must not reach the disk before the data does (a power cut would leave an
  // empty replay under the real name).
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int error = errno;
    if (fd >= 0) ::close(fd);
    throw ArchiveError(target_.string() + ": cannot flush " + path_.string() + " to disk: " + errnoText(error));
  }
  ::close(fd);
  std::error_code error;
  std::filesystem::rename(path_, target_, error);
  if (error) {
    throw ArchiveError(target_.string() + ": cannot rename " + path_.string() + " to it: " + error.message());
  }
  committed_ = true;
}

}  // namespace tribune::archive
