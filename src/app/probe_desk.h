#pragma once
// The console's "Vérifier avant la séance" (issue 23, docs/PREFLIGHT.md) under `tribune
// serve`: the station's component that runs the pre-flight check (app/preflight.h) and a
// single destination's test (as `tribune check --probe`), both of which wait on the
// network for seconds. The decisions (what each figure means) stay in core/preflight.h;
// this only measures, on its own thread, and reports through ProbeDeskListener.
//
// In standby the desk first looks at the source itself (media/source_look.h: a few seconds
// of the configured preset, whether the pictures move and the sound's peak). During a
// meeting the program holds the source: the station passes the hub's observations in
// PreflightInputs instead, and nothing opens the source a second time.
//
// One job at a time: a request while one runs is refused (start…() returns Busy), the
// console says "Une vérification est déjà en cours.".
//
// Threading: start…() from any thread (the station's); the jobs and the listener's calls
// on the desk's own thread. The destructor cancels the source's look and waits for the job
// in progress (a destination's probe ends within retry.connect_timeout_ms, the uplink's
// measurement within media::kUplinkDuration plus that).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/preflight.h"
#include "core/config.h"
#include "core/preflight.h"

namespace tribune::app {

// A destination's test, in the console's words (French); never its key.
struct DestinationTest {
  bool accepted = false;
  std::string text;
  std::string advice;  // empty when accepted
};

class ProbeDeskListener {
 public:
  virtual ~ProbeDeskListener() = default;
  // On the desk's thread, once the job is over and the desk free again: post, do not block.
  virtual void onPreflightDone(std::uint64_t job, core::PreflightReport report) = 0;
  virtual void onDestinationTested(std::uint64_t job, DestinationTest test) = 0;
};

struct ProbeDeskSettings {
  std::filesystem::path dataDir;               // where the recording's relative directory lies
  std::filesystem::path shareDir;              // holds pipelines/ unless the config says otherwise
  std::chrono::milliseconds sourceLook{3000};  // how long the source is watched in standby
};

enum class DeskStart { Started, Busy, Unknown };

class ProbeDesk {
 public:
  ProbeDesk(ProbeDeskSettings settings, ProbeDeskListener& listener);
  ~ProbeDesk();
  ProbeDesk(const ProbeDesk&) = delete;
  ProbeDesk& operator=(const ProbeDesk&) = delete;

  // The pre-flight check. `lookAtSource`: in standby, open the source for
  // settings.sourceLook and put what was seen into `inputs` (else `inputs` is used as is).
  // Thread-safe; Busy while a job runs.
  // `config`: the one in effect now (the console's settings change it between jobs).
  DeskStart startPreflight(std::uint64_t job, core::Config config, PreflightInputs inputs, bool lookAtSource);
  // The destination of the configuration named `name`: a publish asked for, no media sent.
  // Unknown when no destination has that name. Thread-safe; Busy while a job runs.
  DeskStart startDestinationTest(std::uint64_t job, const core::Config& config, const std::string& name);

 private:
  DeskStart start(std::function<void()> work);
  void loop();
  void preflight(std::uint64_t job, const core::Config& config, PreflightInputs inputs, bool lookAtSource);
  void testDestination(std::uint64_t job, const core::Config& config, const core::DestinationSettings& destination);
  // What the source showed over settings.sourceLook, into `inputs`.
  void observeSource(const core::Config& config, PreflightInputs& inputs);

  ProbeDeskSettings settings_;
  ProbeDeskListener& listener_;

  std::mutex mutex_;  // guards busy_, work_, quitting_
  std::condition_variable wake_;
  bool busy_ = false;           // from a start…() that succeeded until its job is over
  std::function<void()> work_;  // the job waiting for the thread
  bool quitting_ = false;
  std::atomic<bool> cancel_{false};  // ends the source's look early (the destructor)
  std::thread thread_;               // last: starts once the rest is ready
};

}  // namespace tribune::app
