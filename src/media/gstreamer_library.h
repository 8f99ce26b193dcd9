#pragma once
// Owns GStreamer's process-wide initialisation (one file per C library, STYLE.md).
#include <string>
#include <vector>

namespace tribune::media {

// Initialises GStreamer once; throws MediaError naming the missing plug-ins when an
// element Tribune needs is not installed (a technician can then run scripts/setup).
void ensureGStreamer();

// Elements the engine needs, for `tribune check` and the start-up message.
std::vector<std::string> missingElements();

}  // namespace tribune::media
