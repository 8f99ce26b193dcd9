#pragma once
// One row of the table `scripts/bench` prints at the end: every bar of DESIGN.md §7 with its
// figure, median, spread, bar and whether it holds. A benchmark calls summaryRow() once per
// bar it measures; the rows go, one tab-separated line each, to the file named by
// TRIBUNE_BENCH_SUMMARY (set by scripts/bench), which prints them as Markdown after the
// last benchmark. Without that variable (a driver run by hand) nothing is written.
//
// Format of a line: benchmark \t figure \t median \t spread \t bar \t holds, where holds is
// "yes", "no" or "—" (the row reports a figure that has no bar, e.g. a reference).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace tribune::bench {

struct SummaryRow {
  std::string benchmark;  // what scripts/bench calls it: "encode", "start"...
  std::string figure;     // what was measured, with its unit: "CPU 4 destinations / 1 (720p30)"
  std::string median;     // formatted, with the unit if the figure does not say it
  std::string spread;     // "min–max" of the runs, or "" for a single run
  std::string bar;        // DESIGN.md §7's bar for it, as written there; "" for a reference
  std::optional<bool> holds;
};

// Fields must not hold tabs or newlines (they would break the line): replaced by spaces.
inline std::string summaryField(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\t' || c == '\n'; }, ' ');
  return text;
}

inline void summaryRow(const SummaryRow& row) {
  const char* file = std::getenv("TRIBUNE_BENCH_SUMMARY");
  if (file == nullptr || *file == '\0') return;
  std::ofstream out(file, std::ios::app);
  out << summaryField(row.benchmark) << '\t' << summaryField(row.figure) << '\t' << summaryField(row.median) << '\t'
      << summaryField(row.spread) << '\t' << summaryField(row.bar) << '\t'
      << (row.holds ? (*row.holds ? "yes" : "no") : "—") << '\n';
  if (!out) std::fprintf(stderr, "warning: could not append to TRIBUNE_BENCH_SUMMARY=%s\n", file);
}

// The median, and "min–max" formatted with `decimals`, of one figure's runs.
inline std::string summaryNumber(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

inline double summaryMedian(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

inline std::string summarySpread(const std::vector<double>& values, int decimals) {
  if (values.size() < 2) return "";
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return summaryNumber(*lo, decimals) + "–" + summaryNumber(*hi, decimals);
}

}  // namespace tribune::bench
