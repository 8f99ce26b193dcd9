#pragma once
// The file an export writes to before it is renamed to its real name: a failed or
// interrupted export never leaves a half file under that name. Internal to src/archive.
#include <filesystem>

namespace tribune::archive {

class TemporaryFile {
 public:
  // Creates an empty, uniquely named hidden file in target's folder (so the final rename
  // stays on one file system). Throws ArchiveError naming `target` when it cannot.
  explicit TemporaryFile(std::filesystem::path target);
  ~TemporaryFile();  // removes the file unless commit() succeeded
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Flushes the file to disk and renames it to the target (replacing an older file).
  // The writer must have closed it. Throws ArchiveError.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path path_;
  bool committed_ = false;
};

}  // namespace tribune::archive
