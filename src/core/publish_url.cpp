#include "core/publish_url.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace tribune::core {

namespace {

// What the technician most likely pasted, to say in errors. Never echo the input itself:
// wherever the key sits in a malformed URL, it must not reach a log.
constexpr const char* kExpectedForm = "attendu rtmp[s]://serveur[:port]/app/clé";
constexpr std::uint16_t kRtmpPort = 1935;
constexpr std::uint16_t kRtmpsPort = 443;

PublishUrlResult failure(std::string message, bool missingKey = false) {
  return {std::nullopt, PublishUrlError{std::move(message), missingKey}};
}

bool isSpaceOrControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7f;
}

bool isDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && isSpaceOrControl(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpaceOrControl(text.back())) text.remove_suffix(1);
  return text;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return out;
}

// A scheme is worth naming back ("not https://") only when it looks like one.
bool looksLikeScheme(std::string_view text) {
  return !text.empty() && text.size() <= 10 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
  });
}

bool isHostName(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
  });
}

bool isIpv6Literal(std::string_view host) {
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.'; });
}

bool hasEmptySegment(std::string_view path) {
  return path.empty() || path.front() == '/' || path.back() == '/' || path.find("//") != std::string_view::npos;
}

struct Authority {
  std::string host;
  std::uint16_t port = 0;
};

// host, host:port, [v6], [v6]:port. Returns the error message on failure.
std::optional<std::string> parseAuthority(std::string_view authority, bool tls, Authority& out) {
  if (authority.find('@') != std::string_view::npos) {
    return "un identifiant (utilisateur@serveur) n'est pas permis dans une URL RTMP";
  }
  std::string_view host;
  std::optional<std::string_view> portText;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::string("l'adresse IPv6 n'a pas de « ] » fermant");
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::string("caractères inattendus après l'adresse IPv6");
      portText = after.substr(1);
    }
    if (host.empty()) return std::string("il manque le serveur");
    if (!isIpv6Literal(host)) return std::string("l'adresse IPv6 contient des caractères interdits");
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) portText = authority.substr(colon + 1);
    if (host.empty()) return std::string("il manque le serveur");
    if (!isHostName(host)) {
      return std::string("le serveur contient des caractères interdits (permis : lettres, chiffres, « - », « . »)");
    }
  }
  out.host = std::string(host);
  out.port = tls ? kRtmpsPort : kRtmpPort;
  if (portText) {
    if (portText->empty()) return std::string("le port est vide après « : »");
    if (!isDigits(*portText)) return std::string("le port doit être un nombre");
    const auto significant = portText->substr(std::min(portText->find_first_not_of('0'), portText->size()));
    if (significant.empty() || significant.size() > 5 || std::stoul(std::string(significant)) > 65535) {
      return "port " + std::string(*portText) + " hors limites (de 1 à 65535)";
    }
    out.port = static_cast<std::uint16_t>(std::stoul(std::string(significant)));
  }
  return std::nullopt;
}

std::string hostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string build(const PublishUrl& url, const std::string& key) {
  return (url.tls ? "rtmps://" : "rtmp://") + hostForUrl(url.host) + ":" + std::to_string(url.port) + "/" + url.app +
         "/" + key;
}

}  // namespace

std::string PublishUrl::full() const { return build(*this, key.reveal()); }

std::string PublishUrl::masked() const { return build(*this, Secret::kMask); }

std::optional<PublishUrlError> checkStreamKey(const Secret& key) {
  const auto& value = key.reveal();
  if (value.empty()) return PublishUrlError{"la clé de stream est vide"};
  if (std::any_of(value.begin(), value.end(), isSpaceOrControl)) {
    return PublishUrlError{"la clé de stream contient une espace ou un caractère de contrôle"};
  }
  if (value.find('/') != std::string::npos) return PublishUrlError{"la clé de stream ne doit pas contenir « / »"};
  if (value.find('#') != std::string::npos) return PublishUrlError{"la clé de stream ne doit pas contenir « # »"};
  return std::nullopt;
}

PublishUrlResult parsePublishUrl(std::string_view text, const std::optional<Secret>& key) {
  // Pasting often brings a trailing newline or space along; inner ones are an error.
  text = trimmed(text);
  if (text.empty()) return failure("l'URL est vide");

  const auto schemeEnd = text.find("://");
  if (schemeEnd == std::string_view::npos) return failure("l'URL doit commencer par rtmp:// ou rtmps://");
  const auto scheme = lowercase(text.substr(0, schemeEnd));
  if (scheme != "rtmp" && scheme != "rtmps") {
    if (looksLikeScheme(scheme)) return failure("l'URL doit commencer par rtmp:// ou rtmps://, pas " + scheme + "://");
    return failure("l'URL doit commencer par rtmp:// ou rtmps://");
  }
  PublishUrl url;
  url.tls = scheme == "rtmps";

  const auto rest = text.substr(schemeEnd + 3);
  if (std::any_of(rest.begin(), rest.end(), isSpaceOrControl)) {
    return failure("l'URL contient une espace ou un caractère de contrôle");
  }
  if (rest.find('#') != std::string_view::npos) return failure("un fragment (#…) n'est pas permis dans une URL RTMP");

  const auto authorityEnd = rest.find_first_of("/?");
  Authority authority;
  if (auto error = parseAuthority(rest.substr(0, authorityEnd), url.tls, authority)) return failure(*error);
  url.host = std::move(authority.host);
  url.port = authority.port;
  if (authorityEnd == std::string_view::npos || rest[authorityEnd] == '?') {
    return failure(std::string("pas de chemin d'application : ") + kExpectedForm);
  }

  // The query belongs to the key (Facebook's keys carry one), so split it off first.
  const auto pathAndQuery = rest.substr(authorityEnd + 1);
  const auto queryStart = pathAndQuery.find('?');
  auto path = pathAndQuery.substr(0, queryStart);
  const auto query = queryStart == std::string_view::npos ? std::string_view{} : pathAndQuery.substr(queryStart);

  if (key) {
    if (!query.empty()) {
      return failure(
          "l'URL a une requête (?…) alors que la clé de stream est donnée à part : la requête fait partie "
          "de la clé");
    }
    // Platforms show their server URL with a trailing '/' ("…/rtmp/"): accept it.
    if (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (path.empty()) return failure(std::string("pas de chemin d'application : ") + kExpectedForm);
    if (hasEmptySegment(path)) return failure("le chemin a un segment vide (//)");
    if (auto error = checkStreamKey(*key)) return {std::nullopt, std::move(error)};
    url.app = std::string(path);
    url.key = *key;
    return {std::move(url), std::nullopt};
  }

  if (path.empty()) return failure(std::string("pas de chemin d'application : ") + kExpectedForm);
  const auto lastSlash = path.rfind('/');
  if (lastSlash == std::string_view::npos || lastSlash + 1 == path.size()) {
    if (hasEmptySegment(path.substr(0, lastSlash))) return failure("le chemin a un segment vide (//)");
    return failure("pas de clé de stream : l'URL s'arrête à l'application", true);
  }
  const auto app = path.substr(0, lastSlash);
  if (hasEmptySegment(app)) return failure("le chemin a un segment vide (//)");
  url.app = std::string(app);
  url.key = Secret(std::string(path.substr(lastSlash + 1)) + std::string(query));
  return {std::move(url), std::nullopt};
}

}  // namespace tribune::core
