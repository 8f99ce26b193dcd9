#include "core/logo_check.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace tribune::core {
namespace {

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' || c == ':';
}

// The local name of the element opened at `text[at] == '<'` ("svg:script" → "script").
std::string elementName(const std::string& text, std::size_t at) {
  std::size_t end = at + 1;
  while (end < text.size() && isNameChar(text[end])) ++end;
  std::string name = text.substr(at + 1, end - at - 1);
  if (const auto colon = name.rfind(':'); colon != std::string::npos) name = name.substr(colon + 1);
  return name;
}

// The value of the attribute whose name ends at `nameEnd`, quotes removed, or nothing when
// no '=' follows.
std::optional<std::string> attributeValue(const std::string& text, std::size_t nameEnd) {
  std::size_t at = nameEnd;
  while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at])) != 0) ++at;
  if (at >= text.size() || text[at] != '=') return std::nullopt;
  ++at;
  while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at])) != 0) ++at;
  if (at >= text.size() || (text[at] != '"' && text[at] != '\'')) return std::string();
  const char quote = text[at];
  const auto close = text.find(quote, at + 1);
  return text.substr(at + 1, close == std::string::npos ? std::string::npos : close - at - 1);
}

}  // namespace

std::optional<LogoKind> logoKind(std::string_view bytes) {
  constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
  if (bytes.substr(0, kPngSignature.size()) == kPngSignature) return LogoKind::Png;
  std::string_view head = bytes.substr(0, 4096);
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);  // UTF-8 byte order mark
  const auto start = head.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || head[start] != '<') return std::nullopt;
  if (lowered(head).find("<svg") == std::string::npos) return std::nullopt;
  return LogoKind::Svg;
}

std::optional<std::string> svgRefusal(std::string_view svg) {
  const std::string text = lowered(svg);
  if (text.find("<!entity") != std::string::npos || text.find("<!doctype") != std::string::npos) {
    return "Ce SVG déclare des entités ou un DOCTYPE : enregistrez-le en « SVG simple » depuis votre logiciel.";
  }
  for (std::size_t at = text.find('<'); at != std::string::npos; at = text.find('<', at + 1)) {
    const auto name = elementName(text, at);
    if (name == "script") return "Ce SVG contient du script : un logo ne doit contenir que des formes et du texte.";
    if (name == "foreignobject" || name == "iframe" || name == "embed" || name == "object") {
      return "Ce SVG contient un élément « " + name + " » (contenu HTML) : un logo ne doit contenir que des formes.";
    }
  }
  // Attributes: event handlers (onload=…) and references outside the file.
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (std::isspace(static_cast<unsigned char>(text[at])) == 0) continue;
    std::size_t end = at + 1;
    while (end < text.size() && isNameChar(text[end])) ++end;
    if (end == at + 1) continue;
    std::string name = text.substr(at + 1, end - at - 1);
    const auto value = attributeValue(text, end);
    if (!value) continue;
    if (const auto colon = name.rfind(':'); colon != std::string::npos) name = name.substr(colon + 1);
    if (name.size() > 2 && name.compare(0, 2, "on") == 0) {
      return "Ce SVG contient du script (attribut « " + name + " ») : un logo ne doit contenir que des formes.";
    }
    if (name == "href" || name == "src") {
      const bool local = value->empty() || (*value)[0] == '#' || value->rfind("data:image/png", 0) == 0 ||
                         value->rfind("data:image/jpeg", 0) == 0;
      if (!local) {
        return "Ce SVG fait référence à un fichier ou une adresse extérieurs : incorporez les images dans le "
               "fichier (PNG ou JPEG) ou enregistrez-le en « SVG simple ».";
      }
    }
    if (value->find("javascript:") != std::string::npos) {
      return "Ce SVG contient du script (« javascript: ») : un logo ne doit contenir que des formes.";
    }
  }
  if (text.find("url(http") != std::string::npos || text.find("@import") != std::string::npos) {
    return "Ce SVG fait référence à une adresse extérieure dans son style : incorporez tout dans le fichier.";
  }
  return std::nullopt;
}

}  // namespace tribune::core
