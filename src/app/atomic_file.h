#pragma once
// Files that Tribune rewrites while it runs (the schedule, the console's settings, the
// secrets file): each write goes to a new file renamed over the old one, which is kept as
// FILE.prev, so that a crash mid-write leaves one whole version.
#include <filesystem>
#include <string>

#include <sys/types.h>

namespace tribune::app {

// Throws std::runtime_error naming the file. `mode`: the new file's permissions (0600 for
// one holding secrets; its .prev gets the same).
void writeAtomically(const std::filesystem::path& file, const std::string& text, mode_t mode = 0644);

}  // namespace tribune::app
