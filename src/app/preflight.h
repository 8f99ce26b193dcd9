#pragma once
// The pre-flight check (docs/PREFLIGHT.md): measures what the app can (destinations
// probed, the uplink against preflight.test_url, the recording's disk, the clock) and
// hands the figures to core/preflight.h for the report. `tribune check --preflight` runs
// it; the console's button will run it in standby with the source and sound it observes.
#include <filesystem>
#include <optional>
#include <ostream>

#include "core/config.h"
#include "core/preflight.h"

namespace tribune::app {

struct PreflightInputs {
  // A meeting is being broadcast: no test publish beside it (the uplink is then orange).
  bool broadcasting = false;
  std::optional<core::SourceObservation> source;  // nothing: not observed
  std::optional<double> peakDbfs;                 // nothing: not observed
};

// Blocking: each enabled destination's probe (up to retry.connect_timeout_ms each) and the
// uplink's measurement (media::kUplinkDuration). `dataDir` is where the recording's
// relative directory lies.
core::PreflightReport runPreflight(const core::Config& config, const std::filesystem::path& dataDir,
                                   const PreflightInputs& inputs);

// The kernel's view (adjtimex): false when it says the clock is unsynchronised; nothing
// when it cannot say.
std::optional<bool> clockSynchronised();

// One line a check: "✔ VERT", "! ORANGE", "✘ ROUGE", the text, then "→ advice".
void printPreflight(std::ostream& out, const core::PreflightReport& report);

// 1 when a line is red, else 0: orange lines are warnings, the meeting can go on.
int preflightExitCode(const core::PreflightReport& report);

}  // namespace tribune::app
