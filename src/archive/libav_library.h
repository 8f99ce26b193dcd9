#pragma once
// The one place that sets libav's global state, and libav's error texts. Internal to
// src/archive.
#include <string>

namespace tribune::archive {

// Quiets libav's logging (errors only) once per process; call before any libav use.
void ensureLibav();

// av_strerror's text for a libav error code ("End of file", "Invalid data found ...").
// av_err2str is a C compound literal, which C++ does not have.
std::string libavErrorText(int error);

}  // namespace tribune::archive
