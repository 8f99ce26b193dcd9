#pragma once
// A secret (stream key, token) that cannot be printed by accident: it has no stream
// operator and no implicit conversion; reveal() is the one, greppable, way to read it.
#include <string>
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

}  // namespace tribune::core
