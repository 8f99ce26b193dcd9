#include "core/config_reader.h"

namespace tribune::core::config_reader {

bool isPrintable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7f;
  });
}

std::string shown(std::string_view value) {
  if (value.empty() || value.size() > kMaxShownLength || !isPrintable(value)) return "";
  return " « " + std::string(value) + " »";
}

std::string didYouMean(std::string_view suggestion) {
  return " (vouliez-vous dire « " + std::string(suggestion) + " » ?)";
}

std::string joined(std::span<const std::string_view> words, std::string_view separator) {
  std::string out;
  for (const auto word : words) {
    if (!out.empty()) out += separator;
    out += word;
  }
  return out;
}

std::string childPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string indexPath(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

bool isEnvironmentName(std::string_view name) {
  const auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
  const auto allowed = [&isDigit](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_';
  };
  return !name.empty() && !isDigit(name.front()) && std::all_of(name.begin(), name.end(), allowed);
}

void replaceAll(std::string& text, std::string_view what, std::string_view with) {
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

void scrub(std::vector<ConfigProblem>& problems, const std::vector<std::string>& secrets) {
  for (auto& entry : problems) {
    for (const auto& secret : secrets) {
      if (secret.size() < kMinScrubbedLength) continue;
      replaceAll(entry.message, secret, Secret::kMask);
      replaceAll(entry.path, secret, Secret::kMask);
    }
  }
}

}  // namespace tribune::core::config_reader
