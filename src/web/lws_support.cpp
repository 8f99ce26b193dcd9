// Threading contract: see lws_support.h. No locks of our own; spdlog loggers are _mt.
#include "web/lws_support.h"

#include <libwebsockets.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <string_view>

namespace tribune::web {
namespace {

void emitLwsLine(int level, const char* line) {
  // Runs inside lws: must not throw.
  try {
    std::string_view text = line != nullptr ? line : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if ((level & LLL_ERR) != 0) {
      webLogger()->error("lws: {}", text);
    } else {
      webLogger()->warn("lws: {}", text);
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): a log line is not worth unwinding through C
  }
}

}  // namespace

std::shared_ptr<spdlog::logger> webLogger() {
  static const auto logger = [] {
    auto existing = spdlog::get("web");
    return existing ? existing : spdlog::default_logger()->clone("web");
  }();
  return logger;
}

void routeLwsLogging() {
  static std::once_flag once;
  std::call_once(once, [] { lws_set_log_level(LLL_ERR | LLL_WARN, emitLwsLine); });
}

void DestroyLwsContext::operator()(lws_context* context) const noexcept { lws_context_destroy(context); }

}  // namespace tribune::web
