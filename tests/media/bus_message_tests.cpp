// The pipelines' bus messages are released once handled. A sync handler that returns
// GST_BUS_DROP owns the message (GstBusSyncHandler); forgetting the unref leaked every
// message, ten level messages a second among them, and the soak's memory grew by about
// 10 KB/s (docs/PERFORMANCE.md, "Soak").
//
// GStreamer's own leaks tracer counts the GstMessages still alive. It is chosen by
// GST_TRACERS when GStreamer starts, so the test runs itself again in a fresh process
// with it set, and that process does the work.
#include <catch2/catch.hpp>

#include <gst/gst.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "running_hub.h"
#include "support/process.h"

using namespace tribune;
using namespace tribune::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kChildMark = "TRIBUNE_BUS_MESSAGE_CHILD";
constexpr const char* kTestName = "the pipelines' bus messages are released once handled";

// The GstMessages the leaks tracer sees alive; -1 when the tracer is not active.
long liveMessages() {
  long count = -1;
  GList* tracers = gst_tracing_get_active_tracers();
  for (GList* t = tracers; t != nullptr; t = t->next) {
    if (std::string(G_OBJECT_TYPE_NAME(t->data)) != "GstLeaksTracer") continue;
    GstStructure* info = nullptr;
    g_signal_emit_by_name(t->data, "get-live-objects", &info);
    if (info == nullptr) continue;
    const GValue* list = gst_structure_get_value(info, "live-objects-list");
    count = list != nullptr ? static_cast<long>(gst_value_list_get_size(list)) : 0;
    // Not freed: in GStreamer 1.22 the list's entries do not hold references of their
    // own, and freeing it unrefs live messages (GStreamer-CRITICAL at the pipelines'
    // stop). This process ends with the test.
  }
  g_list_free_full(tracers, gst_object_unref);
  return count;
}

}  // namespace

TEST_CASE("the pipelines' bus messages are released once handled", "[media][leaks]") {
  if (std::getenv(kChildMark) == nullptr) {
    ProcessOptions options;
    options.env[kChildMark] = "1";
    options.env["GST_TRACERS"] = "leaks(filters=GstMessage)";
    const auto self = std::filesystem::read_symlink("/proc/self/exe").string();
    const auto result = runCommand({self, kTestName}, 60s, options);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("All tests passed") != std::string::npos);
    return;
  }
  // In the fresh process: the program with its meters (ten level messages a second), a
  // recording and the graphics, for a few seconds.
  TempDir data;
  auto config = testConfig();
  RunningHub hub(config, data.path());
  REQUIRE(waitUntil([&] { return hub.hub().snapshot().framesEncoded > 30; }, 20s, 50ms));
  std::this_thread::sleep_for(4s);
  const long alive = liveMessages();
  INFO(alive << " GstMessage objects alive");
  REQUIRE(alive >= 0);  // the tracer is there
  // A few may be in flight; dropped without their unref there would be 40 or more.
  CHECK(alive < 15);
}
