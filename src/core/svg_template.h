#pragma once
// {{variable}} substitution in SVG templates (overlays/*.svg). Values are plain text and
// are escaped as XML (& < > " '), so a value can never inject markup, in element text as
// in attribute values. Pure: the caller reads the file.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace tribune::core {

std::string escapeXml(std::string_view text);

// Every variable the template uses, without braces.
std::set<std::string> templateVariables(std::string_view svg);

struct TemplateResult {
  std::optional<std::string> svg;
  std::optional<std::string> error;  // names the template and the variable
};

// `name` is only for messages ("template 'agenda': no value for {{rapporteur}}").
TemplateResult fillTemplate(std::string_view name, std::string_view svg,
                            const std::map<std::string, std::string>& values);

}  // namespace tribune::core
