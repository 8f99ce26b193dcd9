#pragma once
// The one place that owns libwebsockets' process-wide set-up (its log routing) and the
// RAII handle of a context. Nothing outside src/web includes libwebsockets.h.
//
// Threading contract: routeLwsLogging() may be called from any thread, any number of
// times (std::call_once). lws then logs from whichever thread runs it, through spdlog's
// thread-safe logger "web". A LwsContextPtr is destroyed on the thread that serviced it.
#include <memory>

#include <spdlog/logger.h>

struct lws_context;

namespace tribune::web {

// The module's logger: the registered "web" logger when the application set one up,
// otherwise a clone of the default logger under that name.
std::shared_ptr<spdlog::logger> webLogger();

// lws writes only errors and warnings, and to webLogger() instead of stderr.
void routeLwsLogging();

struct DestroyLwsContext {
  void operator()(lws_context* context) const noexcept;
};
using LwsContextPtr = std::unique_ptr<lws_context, DestroyLwsContext>;

}  // namespace tribune::web
