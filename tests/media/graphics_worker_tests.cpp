// The graphics worker's warm-ups (media/graphics_worker.h): a template rendered once at
// start so that its first showing costs no more than the next ones. A warm-up must never
// show anything, keep anything or raise an alarm, and must never delay a real change.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "media/graphics_compositor.h"
#include "media/graphics_worker.h"
#include "media/media_listener.h"

using namespace tribune;
using namespace tribune::media;
using namespace std::chrono_literals;

namespace {

constexpr int kLowerThird = 2;  // core::Layer::LowerThird

// Records the graphics failures reported to the hub; the rest is not used here.
class GraphicsErrors : public MediaListener {
 public:
  void onOutputFailed(const std::string&, std::uint64_t, core::Failure) override {}
  void onProgramError(const std::string&) override {}
  void onSourceChanged(core::SourceTrack, bool, const std::string&) override {}
  void onEncoderRebuilt(const std::string&) override {}
  void onProgramSegmentDone() override {}
  void onAudioLevels(AudioLevels) override {}
  void onPreview(std::string) override {}
  void onGraphicsError(int, std::uint64_t changeId, const std::string&) override {
    std::lock_guard lock(mutex_);
    changes_.push_back(changeId);
  }
  [[nodiscard]] std::vector<std::uint64_t> changes() const {
    std::lock_guard lock(mutex_);
    return changes_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> changes_;
};

std::map<std::string, std::string> speaker(const std::string& name) {
  return {{"color_primary", "#1d3557"},
          {"color_accent", "#e63946"},
          {"color_text", "#ffffff"},
          {"name", name},
          {"role", "Conseillère municipale"}};
}

struct Fixture {
  GraphicsCompositor compositor{0ms, 33'333'333};
  GraphicsErrors errors;
  GraphicsWorker worker{{std::string(TRIBUNE_SOURCE_DIR) + "/overlays"}, 1920, 1080, compositor, errors};
};

}  // namespace

TEST_CASE("a warm-up shows nothing, keeps nothing and reports no failure", "[media][graphics][warm]") {
  Fixture f;
  f.worker.warm("speaker", speaker("Mme Élise Durand"));
  f.worker.warm("speaker", {});  // its variables missing: a failure, only logged
  f.worker.warm("no-such-template", {});
  REQUIRE(f.worker.waitIdle(20s));
  CHECK_FALSE(f.compositor.anythingOnAir());
  CHECK(f.errors.changes().empty());

  // The same failures as real changes are reported, and a real change is shown.
  f.worker.submit({kLowerThird, true, true, "no-such-template", {}, 7});
  REQUIRE(f.worker.waitIdle(20s));
  CHECK(f.errors.changes() == std::vector<std::uint64_t>{7});
  CHECK_FALSE(f.compositor.anythingOnAir());
  f.worker.submit({kLowerThird, true, true, "speaker", speaker("Mme Élise Durand"), 8});
  REQUIRE(f.worker.waitIdle(20s));
  CHECK(f.compositor.anythingOnAir());
}

TEST_CASE("a change goes ahead of the warm-ups still queued", "[media][graphics][warm]") {
  Fixture f;
  constexpr int kWarmUps = 40;  // tens of milliseconds each at 1080p
  for (int i = 0; i < kWarmUps; ++i) f.worker.warm("speaker", speaker("Orateur n° " + std::to_string(i)));
  f.worker.submit({kLowerThird, true, true, "speaker", speaker("M. Jean-François Lefèvre"), 1});

  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!f.compositor.anythingOnAir() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  REQUIRE(f.compositor.anythingOnAir());
  // Shown while warm-ups were still waiting: it did not queue behind them.
  CHECK_FALSE(f.worker.waitIdle(0ms));
  REQUIRE(f.worker.waitIdle(60s));
  CHECK(f.errors.changes().empty());
}
