#include "archive/libav_library.h"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

#include <mutex>

namespace tribune::archive {

void ensureLibav() {
  static std::once_flag once;
  // libavformat's warnings (e.g. about a stream's guessed parameters) would otherwise fill
  // the application's stderr; real errors are also turned into ArchiveError messages.
  std::call_once(once, [] { av_log_set_level(AV_LOG_ERROR); });
}

std::string libavErrorText(int error) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(error, text, sizeof text) < 0) return "libav error " + std::to_string(error);
  return text;
}

}  // namespace tribune::archive
