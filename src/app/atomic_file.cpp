#include "app/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tribune::app {
namespace {

void writeWhole(const std::filesystem::path& file, const std::string& text, mode_t mode) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
  (void)::fchmod(fd, mode);  // an existing file keeps its mode through O_CREAT
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      throw std::runtime_error("cannot write " + file.string() + ": " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw std::runtime_error("cannot write " + file.string() + " to disk");
}

}  // namespace

void writeAtomically(const std::filesystem::path& file, const std::string& text, mode_t mode) {
  const auto temporary = std::filesystem::path(file.string() + ".tmp");
  writeWhole(temporary, text, mode);
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    const auto previous = std::filesystem::path(file.string() + ".prev");
    std::filesystem::copy_file(file, previous, std::filesystem::copy_options::overwrite_existing, ec);
    if (!ec) std::filesystem::permissions(previous, static_cast<std::filesystem::perms>(mode), ec);
  }
  std::filesystem::rename(temporary, file, ec);
  if (ec) throw std::runtime_error("cannot replace " + file.string() + ": " + ec.message());
}

}  // namespace tribune::app
