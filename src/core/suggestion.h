#pragma once
// "Did you mean …?" for mistyped keys and values in files a technician writes.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace tribune::core {

// Levenshtein distance, ignoring ASCII case: "Destinaton" is one typo from "destinations".
std::size_t editDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word` within `maxDistance` edits (and closer than the
// candidate's own length, so that "x" does not suggest "id"); nothing when none is.
std::optional<std::string_view> closest(std::string_view word, std::span<const std::string_view> candidates,
                                        std::size_t maxDistance = 2);

}  // namespace tribune::core
