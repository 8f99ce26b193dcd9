#pragma once
// A secret (stream key, token) that cannot be printed by accident: it has no stream
// operator and no implicit conversion; reveal() is the one, greppable, way to read it.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace tribune::core {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  [[nodiscard]] const std::string& reveal() const { return value_; }
  [[nodiscard]] bool empty() const { return value_.empty(); }
  // What logs and answers show instead of the value.
  static constexpr const char* kMask = "****";

  friend bool operator==(const Secret&, const Secret&) = default;

 private:
  std::string value_;
};

}  // namespace tribune::core

namespace tribune::core {

// Returns `text` with every occurrence of the secret replaced by Secret::kMask. Adapters
// pass every message from a library through it before it reaches a log or an answer.
inline std::string redact(std::string text, const Secret& secret) {
  const std::string& value = secret.reveal();
  if (value.empty()) return text;
  for (auto at = text.find(value); at != std::string::npos; at = text.find(value, at)) {
    text.replace(at, value.size(), Secret::kMask);
    at += std::char_traits<char>::length(Secret::kMask);
  }
  return text;
}

// Whether two texts are equal, taking as long for every pair of the same length: a proof
// (an HMAC) compared with == would tell an attacker, by the time the answer takes, how many
// of its first characters are right. The length is not hidden; proofs have a fixed one.
inline bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // volatile: the compiler may not turn the loop back into one that stops early.
  volatile unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference =
        difference | static_cast<unsigned char>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
  }
  return difference == 0;
}

}  // namespace tribune::core
