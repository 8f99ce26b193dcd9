#pragma once
// What the config tests share: a secret lookup from maps, parse() as the app parses, and
// the expectation of exactly one problem at a path.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/config.h"

namespace tribune::core::testing {

using Entries = std::map<std::string, std::string>;

inline SecretLookup lookupOf(Entries environment = {}, Entries secretsFile = {}) {
  const auto finder = [](Entries entries) {
    return [entries = std::move(entries)](const std::string& name) -> std::optional<std::string> {
      const auto found = entries.find(name);
      if (found == entries.end()) return std::nullopt;
      return found->second;
    };
  };
  return {finder(std::move(environment)), finder(std::move(secretsFile))};
}

// Parsed as ordered_json, like the app does, so problems follow the text.
inline ConfigResult parse(const std::string& text, const SecretLookup& secrets = lookupOf()) {
  return parseConfig(nlohmann::ordered_json::parse(text), secrets);
}

inline std::string describe(const std::vector<ConfigProblem>& problems) {
  std::ostringstream out;
  for (const auto& problem : problems) out << problem.path << ": " << problem.message << "\n";
  return out.str();
}

// Expects exactly one problem, at `path`, whose message contains `fragment`.
inline void requireSingleProblem(const std::string& text, const std::string& path, const std::string& fragment,
                                 const SecretLookup& secrets = lookupOf()) {
  const auto result = parse(text, secrets);
  INFO(text);
  INFO(describe(result.problems));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].path == path);
  CHECK_THAT(result.problems[0].message, Catch::Contains(fragment));
}

// Expects exactly one problem, at `path`, with exactly `message`.
inline void requireOnlyProblem(const std::string& text, const std::string& path, const std::string& message) {
  const auto result = parse(text);
  INFO(text);
  INFO(describe(result.problems));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0] == ConfigProblem{path, message});
}

// `section.key` takes integers from `min` to `max` and refuses, with the range, a value
// just outside, a negative one and one too big for an int. `minAlone`: the minimum is
// valid on its own (not when another key must stay below it).
struct IntRangeCase {
  std::string section;
  std::string key;
  int min;
  int max;
  bool minAlone = true;
};

inline void checkIntRange(const IntRangeCase& c) {
  const auto at = [&c](long long value) {
    return R"({")" + c.section + R"(": {")" + c.key + R"(": )" + std::to_string(value) + "}}";
  };
  const auto range = " hors limites (de " + std::to_string(c.min) + " à " + std::to_string(c.max) + ")";
  const auto path = c.section + "." + c.key;
  INFO(path);
  requireSingleProblem(at(c.min - 1), path, std::to_string(c.min - 1) + range);
  requireSingleProblem(at(c.max + 1), path, std::to_string(c.max + 1) + range);
  requireSingleProblem(at(-5), path, "-5" + range);
  requireSingleProblem(at(99999999999LL), path, "99999999999" + range);
  CHECK(parse(at(c.max)).ok());
  if (c.minAlone) CHECK(parse(at(c.min)).ok());
}

}  // namespace tribune::core::testing
