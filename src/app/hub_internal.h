#pragma once
// Shared by the hub's implementation files (hub.cpp, hub_meeting.cpp, hub_clients.cpp).
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include <chrono>
#include <ctime>
#include <future>
#include <memory>
#include <string>

#include "app/hub.h"

namespace tribune::app {

inline std::shared_ptr<spdlog::logger> hubLogger() {
  static auto log = [] {
    auto existing = spdlog::get("hub");
    return existing ? existing : spdlog::default_logger()->clone("hub");
  }();
  return log;
}

inline std::string localTime(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[48];
  std::strftime(buffer, sizeof buffer, format, &local);
  return buffer;
}

inline std::int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Whether these events close the session ("séance levée" or "terminée"): what the session
// has measured (loudness, audience) is logged then, for the replay.
bool closesSession(const std::vector<core::MeetingEvent>& events);

// The export's chapitres-youtube.txt, read on the export's thread; "" when there is none.
std::string youTubeChaptersOf(const ExportResult& result);

template <typename F>
auto Hub::onHub(F&& f) -> decltype(f()) {
  // Before run() and after stop the hub loop is not turning and nothing else touches
  // the state: run in place rather than wait forever.
  if (!looping_ || io_.get_executor().running_in_this_thread()) return f();
  std::packaged_task<decltype(f())()> task(std::forward<F>(f));
  auto result = task.get_future();
  boost::asio::post(io_, [&task] { task(); });
  return result.get();
}

}  // namespace tribune::app
