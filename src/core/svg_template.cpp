#include "core/svg_template.h"

#include <algorithm>
#include <cstddef>
#include <variant>
#include <vector>

namespace tribune::core {

namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";

bool isNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && isBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && isBlank(text.back())) text.remove_suffix(1);
  return text;
}

bool isVariableName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), isNameChar);
}

// XML 1.0 forbids the C0 controls except tab, newline and carriage return; a carriage
// return is refused too, as parsers would silently turn it into a newline.
bool isRefusedControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 && c != '\t' && c != '\n';
}

// "line 3, byte 57": lines count from 1, bytes from 0 (the offset in the file).
std::string locate(std::string_view svg, std::size_t offset) {
  const auto line = 1 + std::count(svg.begin(), svg.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
  return "line " + std::to_string(line) + ", byte " + std::to_string(offset);
}

// One piece of a template: literal text, or a variable's name.
struct Literal {
  std::string_view text;
};
struct Variable {
  std::string name;
};
using Piece = std::variant<Literal, Variable>;

struct Scan {
  std::vector<Piece> pieces;
  std::optional<std::string> error;  // without the "template 'name': " prefix
};

// Splits the template into literals and {{variables}}, in document order. Stops at the
// first malformed placeholder.
Scan scan(std::string_view svg) {
  Scan result;
  std::size_t from = 0;
  while (from < svg.size()) {
    const auto open = svg.find(kOpen, from);
    if (open == std::string_view::npos) break;
    result.pieces.emplace_back(Literal{svg.substr(from, open - from)});
    const auto inner = open + kOpen.size();
    const auto close = svg.find(kClose, inner);
    const auto nextOpen = svg.find(kOpen, inner);
    if (close == std::string_view::npos || nextOpen < close) {
      result.error = "unclosed {{ at " + locate(svg, open);
      return result;
    }
    const auto name = trimmed(svg.substr(inner, close - inner));
    if (!isVariableName(name)) {
      result.error = "invalid variable {{" + std::string(svg.substr(inner, close - inner)) + "}} at " +
                     locate(svg, open) + ": names use only a-z, 0-9 and _";
      return result;
    }
    result.pieces.emplace_back(Variable{std::string(name)});
    from = close + kClose.size();
  }
  if (from < svg.size()) result.pieces.emplace_back(Literal{svg.substr(from)});
  return result;
}

// "U+001B": how a control character is named in a message.
std::string controlCharacterName(char c) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  constexpr unsigned kNibble = 4;
  constexpr unsigned kMask = 0xF;
  const auto byte = static_cast<unsigned char>(c);
  return std::string("U+00") + kHex[byte >> kNibble] + kHex[byte & kMask];
}

}  // namespace

std::string escapeXml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c; break;
    }
  }
  return out;
}

std::set<std::string> templateVariables(std::string_view svg) {
  std::set<std::string> names;
  for (auto& piece : scan(svg).pieces) {
    if (auto* variable = std::get_if<Variable>(&piece)) names.insert(std::move(variable->name));
  }
  return names;
}

TemplateResult fillTemplate(std::string_view name, std::string_view svg,
                            const std::map<std::string, std::string>& values) {
  const auto fail = [name](const std::string& message) {
    return TemplateResult{std::nullopt, "template '" + std::string(name) + "': " + message};
  };
  auto scanned = scan(svg);
  std::string out;
  out.reserve(svg.size());
  // Pieces come before the scan's error, so a missing value earlier in the document is
  // the one reported: messages follow the document's order.
  for (const auto& piece : scanned.pieces) {
    if (const auto* literal = std::get_if<Literal>(&piece)) {
      out += literal->text;
      continue;
    }
    const auto& variable = std::get<Variable>(piece).name;
    const auto value = values.find(variable);
    if (value == values.end()) return fail("no value for {{" + variable + "}}");
    const auto control = std::find_if(value->second.begin(), value->second.end(), isRefusedControl);
    if (control != value->second.end()) {
      return fail("the value of {{" + variable + "}} contains the control character " + controlCharacterName(*control) +
                  ", which XML does not allow");
    }
    // The value is inserted as text and never scanned again: "{{x}}" in a value stays.
    out += escapeXml(value->second);
  }
  if (scanned.error) return fail(*scanned.error);
  return {std::move(out), std::nullopt};
}

}  // namespace tribune::core
