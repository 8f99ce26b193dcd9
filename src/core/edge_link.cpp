#include "core/edge_link.h"

#include <algorithm>
#include <array>
#include <span>
#include <utility>

#include "core/forwarded.h"
#include "core/question_intake.h"

namespace tribune::core {

namespace {

using Json = nlohmann::json;

constexpr int kDefaultWssPort = 443;
constexpr int kDefaultWsPort = 80;
constexpr int kMaxPort = 65535;
constexpr std::size_t kMaxHostLength = 253;
constexpr std::size_t kMaxLabelLength = 63;
constexpr std::size_t kMaxTicketDigits = 20;
constexpr std::size_t kMaxShownLength = 40;

std::string dumped(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

bool isLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(char c) { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

// « value » when it may be repeated in a message: short and printable.
std::string shown(std::string_view value) {
  const bool printable = std::all_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7f;
  });
  if (value.empty() || value.size() > kMaxShownLength || !printable) return "";
  return " « " + std::string(value) + " »";
}

// A host name (labels of letters, digits and '-') or an IPv4 literal.
bool isHostName(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostLength) return false;
  if (std::all_of(host.begin(), host.end(), [](char c) { return isDigit(c) || c == '.'; })) {
    return IpAddress::parse(host).has_value();  // "999.1.1.1" is no name
  }
  std::size_t start = 0;
  for (;;) {
    const auto dot = host.find('.', start);
    const auto label = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > kMaxLabelLength || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return isAlnum(c) || c == '-'; })) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::optional<int> readPort(std::string_view text) {
  if (text.empty() || text.size() > 5 || text.front() == '0' || !std::all_of(text.begin(), text.end(), isDigit)) {
    return std::nullopt;
  }
  int port = 0;
  for (const char c : text) port = port * 10 + (c - '0');
  if (port > kMaxPort) return std::nullopt;
  return port;
}

// --- JSON text in ---------------------------------------------------------------------

struct ParsedObject {
  Json document;
  std::string error;  // French; empty when the document is an object
};

ParsedObject parseObject(std::string_view text, std::size_t maxBytes) {
  if (text.size() > maxBytes) {
    return {{},
            "message trop long : " + std::to_string(text.size()) + " octets, " + std::to_string(maxBytes) + " au plus"};
  }
  bool tooDeep = false;
  Json document;
  try {
    // Containers nested too deep are dropped as they are read, and the message refused.
    document = Json::parse(text.begin(), text.end(), [&tooDeep](int depth, Json::parse_event_t event, Json&) {
      const bool opens = event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
      if (opens && depth >= static_cast<int>(kMaxLinkJsonDepth)) tooDeep = true;
      return !tooDeep;
    });
  } catch (const Json::parse_error& problem) {
    return {{}, "JSON invalide à l'octet " + std::to_string(problem.byte) + " du message"};
  } catch (const Json::exception&) {
    return {{}, "JSON invalide : un nombre est hors limites"};
  }
  if (tooDeep) return {{}, "JSON trop imbriqué : " + std::to_string(kMaxLinkJsonDepth) + " niveaux au plus"};
  if (!document.is_object()) return {{}, "le message doit être un objet JSON {…}"};
  return {std::move(document), {}};
}

// --- the handshake's messages -----------------------------------------------------------

// The message `text` is `expected` with exactly `members` (all required, "type" included),
// or why not.
std::optional<std::string> handshakeProblem(const ParsedObject& parsed, std::string_view expected,
                                            std::span<const std::string_view> members) {
  if (!parsed.error.empty()) return parsed.error;
  const auto& document = parsed.document;
  const auto type = document.find("type");
  if (type == document.end() || !type->is_string()) {
    return "membre « type » manquant : « " + std::string(expected) + " » attendu";
  }
  if (const auto& got = type->get_ref<const std::string&>(); got != expected) {
    return "message hors séquence :" + (shown(got).empty() ? std::string(" un autre type") : shown(got)) + " reçu, « " +
           std::string(expected) + " » attendu";
  }
  for (const auto& [key, value] : document.items()) {
    if (std::find(members.begin(), members.end(), key) == members.end()) {
      return "membre inconnu" + (shown(key).empty() ? std::string() : shown(key)) + " dans « " + std::string(expected) +
             " »";
    }
  }
  for (const auto member : members) {
    if (!document.contains(std::string(member))) {
      return "membre « " + std::string(member) + " » manquant dans « " + std::string(expected) + " »";
    }
  }
  return std::nullopt;
}

// A member known to be present, as a string, or nothing.
std::optional<std::string> stringMember(const Json& document, std::string_view member) {
  const auto& value = document.at(std::string(member));
  if (!value.is_string()) return std::nullopt;
  return value.get<std::string>();
}

constexpr std::string_view kNonceFormat = "32 caractères hexadécimaux minuscules";
constexpr std::string_view kNameFormat = "1 à 64 caractères parmi A-Z a-z 0-9 . _ -";

}  // namespace

// --- addresses ----------------------------------------------------------------------------

std::string EdgeAddress::text() const {
  const bool defaultPort = port == (tls ? kDefaultWssPort : kDefaultWsPort);
  const auto bracketed = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "wss://" : "ws://") + bracketed + (defaultPort ? "" : ":" + std::to_string(port)) + path;
}

ServerUrlResult parseServerUrl(std::string_view text) {
  const auto fail = [](std::string error) { return ServerUrlResult{std::nullopt, std::move(error)}; };
  if (std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte <= 0x20 || byte >= 0x7f;
      })) {
    return fail("ne doit contenir ni espace, ni caractère de contrôle ou non ASCII");
  }
  const auto separator = text.find("://");
  if (separator == std::string_view::npos || separator == 0) return fail("attendu schéma://serveur[:port]");
  ServerUrl url;
  url.scheme = lowercase(text.substr(0, separator));
  if (!std::all_of(url.scheme.begin(), url.scheme.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return fail("attendu schéma://serveur[:port]");
  }
  const auto rest = text.substr(separator + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) return fail("ne doit avoir ni requête (?) ni fragment (#)");
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.path = std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return fail("ne doit contenir ni utilisateur ni mot de passe : les secrets ont leurs propres clés");
  }
  std::string_view portText;
  bool hasPort = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("une adresse IPv6 s'écrit entre crochets, [2001:db8::1]");
    const auto inside = authority.substr(1, close - 1);
    if (inside.find(':') == std::string_view::npos || !IpAddress::parse(inside)) {
      return fail("attendu une adresse IPv6 entre les crochets");
    }
    url.host = lowercase(inside);
    const auto after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return fail("attendu :port après l'adresse IPv6");
    hasPort = !after.empty();
    if (hasPort) portText = after.substr(1);
  } else {
    const auto colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
      return fail("une adresse IPv6 s'écrit entre crochets, [2001:db8::1]");
    }
    const auto host = authority.substr(0, colon);
    if (host.empty()) return fail("il manque le serveur après " + url.scheme + "://");
    if (!isHostName(host)) return fail("le serveur n'est ni un nom de machine ni une adresse IP");
    url.host = lowercase(host);
    hasPort = colon != std::string_view::npos;
    if (hasPort) portText = authority.substr(colon + 1);
  }
  if (hasPort) {
    url.port = readPort(portText);
    if (!url.port) return fail("le port doit être un nombre de 1 à 65535");
  }
  return {std::move(url), {}};
}

EdgeAddressResult parseEdgeUrl(std::string_view text) {
  auto parsed = parseServerUrl(text);
  if (!parsed.url) return {std::nullopt, parsed.error};
  auto& url = *parsed.url;
  if (url.scheme != "wss" && url.scheme != "ws") return {std::nullopt, "doit commencer par wss://"};
  EdgeAddress address;
  address.tls = url.scheme == "wss";
  if (!address.tls && !isLoopbackHost(url.host)) {
    return {std::nullopt,
            "le lien vers l'edge doit être chiffré : écrivez wss:// (ws:// n'est accepté que vers cette machine, "
            "127.0.0.1, ::1 ou localhost)"};
  }
  address.host = std::move(url.host);
  address.port = url.port.value_or(address.tls ? kDefaultWssPort : kDefaultWsPort);
  if (!url.path.empty()) address.path = std::move(url.path);
  return {std::move(address), {}};
}

// --- the handshake ------------------------------------------------------------------------

bool isLinkNonce(std::string_view text) {
  return text.size() == kLinkNonceLength && std::all_of(text.begin(), text.end(), isLowerHex);
}

bool isLinkName(std::string_view text) {
  return !text.empty() && text.size() <= kMaxLinkNameLength &&
         std::all_of(text.begin(), text.end(), [](char c) { return isAlnum(c) || c == '.' || c == '_' || c == '-'; });
}

std::string edgeProofMessage(std::string_view hallNonce, std::string_view edgeNonce) {
  return "tribune-edge|" + std::string(hallNonce) + "|" + std::string(edgeNonce);
}

std::string hallProofMessage(std::string_view edgeNonce, std::string_view hallNonce) {
  return "tribune-hall|" + std::string(edgeNonce) + "|" + std::string(hallNonce);
}

HallHandshake::HallHandshake(Secret secret, Mac mac, std::string meeting)
    : secret_(std::move(secret)), mac_(std::move(mac)), meeting_(std::move(meeting)) {}

HandshakeStep HallHandshake::fail(std::string reason) {
  stage_ = Stage::failed;
  return {false, {}, std::move(reason)};
}

HandshakeStep HallHandshake::hello(std::string nonce) {
  if (stage_ == Stage::failed) return fail("la poignée de main du lien a déjà échoué");
  if (stage_ != Stage::start) return fail("link_hello déjà envoyé sur cette connexion");
  if (!mac_ || secret_.reveal().size() < kMinLinkSecretLength) {
    return fail("secret du lien absent ou trop court (" + std::to_string(kMinLinkSecretLength) +
                " caractères au moins)");
  }
  if (!isLinkNonce(nonce)) return fail("nonce de la mairie invalide : " + std::string(kNonceFormat) + " attendus");
  if (!isLinkName(meeting_)) return fail("identifiant de séance invalide : " + std::string(kNameFormat));
  nonce_ = std::move(nonce);
  stage_ = Stage::helloSent;
  return {true, dumped({{"type", "link_hello"}, {"protocol", kLinkProtocol}, {"nonce", nonce_}}), {}};
}

HandshakeStep HallHandshake::onChallenge(std::string_view text) {
  if (stage_ == Stage::failed) return fail("la poignée de main du lien a déjà échoué");
  if (stage_ != Stage::helloSent) {
    return fail(stage_ == Stage::start ? "message hors séquence : link_challenge reçu avant l'envoi de link_hello"
                                       : "message hors séquence : link_challenge reçu une seconde fois");
  }
  static constexpr std::array<std::string_view, 4> kMembers{"type", "edge", "nonce", "proof"};
  const auto parsed = parseObject(text, kMaxHandshakeBytes);
  if (auto problem = handshakeProblem(parsed, "link_challenge", kMembers)) return fail(*problem);
  const auto& document = parsed.document;
  auto edge = stringMember(document, "edge");
  if (!edge || !isLinkName(*edge)) return fail("« edge » invalide : le nom de l'edge, " + std::string(kNameFormat));
  auto edgeNonce = stringMember(document, "nonce");
  if (!edgeNonce || !isLinkNonce(*edgeNonce)) {
    return fail("« nonce » de l'edge invalide : " + std::string(kNonceFormat) + " attendus");
  }
  if (*edgeNonce == nonce_) return fail("« nonce » de l'edge identique à celui de la mairie : refusé");
  auto proof = stringMember(document, "proof");
  if (!proof) return fail("« proof » doit être une chaîne");
  const auto expected = mac_(secret_.reveal(), edgeProofMessage(nonce_, *edgeNonce));
  if (!constantTimeEquals(*proof, expected)) {
    return fail(
        "preuve de l'edge refusée : il ne connaît pas le secret du lien (le même secret doit être "
        "configuré des deux côtés)");
  }
  edge_ = std::move(*edge);
  stage_ = Stage::authSent;
  const auto ours = mac_(secret_.reveal(), hallProofMessage(*edgeNonce, nonce_));
  return {true, dumped({{"type", "link_auth"}, {"meeting", meeting_}, {"proof", ours}}), {}};
}

HandshakeStep HallHandshake::onReady(std::string_view text) {
  if (stage_ == Stage::failed) return fail("la poignée de main du lien a déjà échoué");
  if (stage_ != Stage::authSent) {
    return fail(stage_ == Stage::ready ? "message hors séquence : link_ready reçu une seconde fois"
                                       : "message hors séquence : link_ready reçu avant link_challenge");
  }
  static constexpr std::array<std::string_view, 1> kMembers{"type"};
  const auto parsed = parseObject(text, kMaxHandshakeBytes);
  if (auto problem = handshakeProblem(parsed, "link_ready", kMembers)) return fail(*problem);
  stage_ = Stage::ready;
  return {true, {}, {}};
}

EdgeHandshake::EdgeHandshake(Secret secret, Mac mac, std::string name)
    : secret_(std::move(secret)), mac_(std::move(mac)), name_(std::move(name)) {}

HandshakeStep EdgeHandshake::fail(std::string reason) {
  stage_ = Stage::failed;
  return {false, {}, std::move(reason)};
}

HandshakeStep EdgeHandshake::onHello(std::string_view text, std::string nonce) {
  if (stage_ == Stage::failed) return fail("la poignée de main du lien a déjà échoué");
  if (stage_ != Stage::start) return fail("message hors séquence : link_hello reçu une seconde fois");
  if (!mac_ || secret_.reveal().size() < kMinLinkSecretLength) {
    return fail("secret du lien absent ou trop court (" + std::to_string(kMinLinkSecretLength) +
                " caractères au moins)");
  }
  if (!isLinkName(name_)) return fail("nom de l'edge invalide : " + std::string(kNameFormat));
  if (!isLinkNonce(nonce)) return fail("nonce de l'edge invalide : " + std::string(kNonceFormat) + " attendus");
  static constexpr std::array<std::string_view, 3> kMembers{"type", "protocol", "nonce"};
  const auto parsed = parseObject(text, kMaxHandshakeBytes);
  if (auto problem = handshakeProblem(parsed, "link_hello", kMembers)) return fail(*problem);
  const auto& document = parsed.document;
  const auto& protocol = document.at("protocol");
  if (!protocol.is_number_integer()) return fail("« protocol » doit être un entier");
  if (protocol.get<std::int64_t>() != kLinkProtocol) {
    const auto version =
        protocol.is_number_unsigned() ? std::to_string(protocol.get<std::uint64_t>()) : protocol.dump();
    return fail("version du protocole du lien non prise en charge : " + version + " (" + std::to_string(kLinkProtocol) +
                " attendue) ; la mairie et l'edge doivent avoir la même version "
                "de Tribune");
  }
  auto hallNonce = stringMember(document, "nonce");
  if (!hallNonce || !isLinkNonce(*hallNonce)) {
    return fail("« nonce » de la mairie invalide : " + std::string(kNonceFormat) + " attendus");
  }
  if (*hallNonce == nonce) return fail("« nonce » de la mairie identique à celui de l'edge : refusé");
  hallNonce_ = std::move(*hallNonce);
  nonce_ = std::move(nonce);
  stage_ = Stage::challenged;
  const auto proof = mac_(secret_.reveal(), edgeProofMessage(hallNonce_, nonce_));
  return {true, dumped({{"type", "link_challenge"}, {"edge", name_}, {"nonce", nonce_}, {"proof", proof}}), {}};
}

HandshakeStep EdgeHandshake::onAuth(std::string_view text) {
  if (stage_ == Stage::failed) return fail("la poignée de main du lien a déjà échoué");
  if (stage_ != Stage::challenged) {
    return fail(stage_ == Stage::start ? "message hors séquence : link_auth reçu avant link_hello"
                                       : "message hors séquence : link_auth reçu une seconde fois");
  }
  static constexpr std::array<std::string_view, 3> kMembers{"type", "meeting", "proof"};
  const auto parsed = parseObject(text, kMaxHandshakeBytes);
  if (auto problem = handshakeProblem(parsed, "link_auth", kMembers)) return fail(*problem);
  const auto& document = parsed.document;
  auto meeting = stringMember(document, "meeting");
  if (!meeting || !isLinkName(*meeting)) {
    return fail("« meeting » invalide : l'identifiant de la séance, " + std::string(kNameFormat));
  }
  auto proof = stringMember(document, "proof");
  if (!proof) return fail("« proof » doit être une chaîne");
  const auto expected = mac_(secret_.reveal(), hallProofMessage(nonce_, hallNonce_));
  if (!constantTimeEquals(*proof, expected)) {
    return fail(
        "preuve de la mairie refusée : elle ne connaît pas le secret du lien (le même secret doit être "
        "configuré des deux côtés)");
  }
  meeting_ = std::move(*meeting);
  stage_ = Stage::ready;
  return {true, dumped({{"type", "link_ready"}}), {}};
}

// --- after the handshake --------------------------------------------------------------------

namespace {

constexpr std::string_view kViewerFormat = "un identifiant de navigateur (22 à 64 caractères A-Z a-z 0-9 _ -)";

// Reads the members of one message; the first fault is kept and the rest are skipped.
class LinkReader {
 public:
  LinkReader(Json& document, std::string_view type) : document_(document), type_(type) {}

  std::uint64_t seq() {
    auto* value = find("seq", true);
    if (!value) return 0;
    if (!value->is_number_unsigned()) {
      fault("seq", "« seq » doit être un entier positif ou nul");
      return 0;
    }
    return value->get<std::uint64_t>();
  }

  std::optional<std::string> text(std::string_view member, bool required, bool (*valid)(std::string_view),
                                  std::string_view expected) {
    auto* value = find(member, required);
    if (!value) return std::nullopt;
    if (!value->is_string() || !valid(value->get_ref<const std::string&>())) {
      fault(std::string(member), "« " + std::string(member) + " » doit être " + std::string(expected));
      return std::nullopt;
    }
    return value->get<std::string>();
  }

  Json object(std::string_view member) {
    auto* value = find(member, true);
    if (!value) return Json::object();
    if (!value->is_object()) {
      fault(std::string(member), "« " + std::string(member) + " » doit être un objet JSON");
      return Json::object();
    }
    return std::move(*value);
  }

  void fault(std::string member, std::string error) {
    if (!member_.empty() || !error_.empty()) return;
    member_ = std::move(member);
    error_ = std::move(error) + " (message « " + std::string(type_) + " »)";
  }

  LinkParseResult finish(LinkMessage message) {
    if (!error_.empty()) return {std::nullopt, std::move(member_), std::move(error_)};
    return {std::move(message), {}, {}};
  }

 private:
  Json* find(std::string_view member, bool required) {
    const auto found = document_.find(std::string(member));
    if (found == document_.end()) {
      if (required) fault(std::string(member), "membre « " + std::string(member) + " » manquant");
      return nullptr;
    }
    return &*found;
  }

  Json& document_;
  std::string_view type_;
  std::string member_;
  std::string error_;
};

bool isViewer(std::string_view text) { return isValidViewerId(text); }

LinkParseResult readPublish(LinkReader& r) {
  LinkPublish m;
  m.seq = r.seq();
  m.to = r.text("to", false, isViewer, kViewerFormat);
  m.message = r.object("message");
  return r.finish(std::move(m));
}

LinkParseResult readFull(LinkReader& r) {
  LinkFull m;
  m.seq = r.seq();
  m.meeting =
      r.text("meeting", true, isLinkName, "l'identifiant de la séance, " + std::string(kNameFormat)).value_or("");
  m.snapshot = r.object("snapshot");
  m.personal = r.object("personal");
  for (const auto& [viewer, views] : m.personal.items()) {
    const auto member = "personal" + (shown(viewer).empty() ? std::string() : "." + viewer);
    if (!isValidViewerId(viewer)) {
      r.fault(member, "chaque clé de « personal » doit être " + std::string(kViewerFormat));
    } else if (!views.is_array()) {
      r.fault(member, "« " + member + " » doit être un tableau JSON");
    }
  }
  return r.finish(std::move(m));
}

LinkParseResult readState(LinkReader& r) {
  LinkState m;
  m.seq = r.seq();
  m.snapshot = r.object("snapshot");
  return r.finish(std::move(m));
}

constexpr std::string_view kTicketFormat = "l'identifiant d'une entrée du flux Redis, chiffres-chiffres";

LinkParseResult readLogged(LinkReader& r) {
  LinkLogged m;
  m.ticket = r.text("ticket", true, isStreamTicket, kTicketFormat).value_or("");
  m.result = r.object("result");
  return r.finish(std::move(m));
}

bool isForwardKind(std::string_view text) { return text == "ask" || text == "upvote"; }

LinkParseResult readForward(LinkReader& r) {
  LinkForward m;
  m.ticket = r.text("ticket", true, isStreamTicket, kTicketFormat).value_or("");
  m.kind =
      r.text("kind", true, isForwardKind, "« ask » ou « upvote »") == "upvote" ? ForwardKind::upvote : ForwardKind::ask;
  m.viewer = r.text("viewer", true, isViewer, kViewerFormat).value_or("");
  m.params = r.object("params");
  return r.finish(std::move(m));
}

struct LinkType {
  std::string_view name;
  std::span<const std::string_view> members;  // "type" included
  LinkParseResult (*read)(LinkReader&);
};

constexpr std::array<std::string_view, 4> kPublishMembers{"type", "seq", "to", "message"};
constexpr std::array<std::string_view, 5> kFullMembers{"type", "seq", "meeting", "snapshot", "personal"};
constexpr std::array<std::string_view, 3> kStateMembers{"type", "seq", "snapshot"};
constexpr std::array<std::string_view, 3> kLoggedMembers{"type", "ticket", "result"};
constexpr std::array<std::string_view, 5> kForwardMembers{"type", "ticket", "kind", "viewer", "params"};

constexpr std::array<LinkType, 5> kLinkTypes{{
    {"publish", kPublishMembers, readPublish},
    {"full", kFullMembers, readFull},
    {"state", kStateMembers, readState},
    {"logged", kLoggedMembers, readLogged},
    {"forward", kForwardMembers, readForward},
}};

constexpr std::string_view kLinkTypeNames = "publish, full, state, logged, forward";

}  // namespace

bool isFromHall(const LinkMessage& message) { return !std::holds_alternative<LinkForward>(message); }

bool isStreamTicket(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return false;
  const auto digits = [](std::string_view part) {
    return !part.empty() && part.size() <= kMaxTicketDigits && std::all_of(part.begin(), part.end(), isDigit);
  };
  return digits(text.substr(0, dash)) && digits(text.substr(dash + 1));
}

LinkParseResult parseLinkMessage(std::string_view text, std::size_t maxBytes) {
  auto parsed = parseObject(text, maxBytes);
  if (!parsed.error.empty()) return {std::nullopt, {}, std::move(parsed.error)};
  auto& document = parsed.document;
  const auto type = document.find("type");
  if (type == document.end() || !type->is_string()) {
    return {std::nullopt, "type", "membre « type » manquant : une chaîne parmi " + std::string(kLinkTypeNames)};
  }
  const auto& name = type->get_ref<const std::string&>();
  const auto kind = std::find_if(kLinkTypes.begin(), kLinkTypes.end(),
                                 [&name](const LinkType& candidate) { return candidate.name == name; });
  if (kind == kLinkTypes.end()) {
    return {std::nullopt, "type",
            "type de message du lien inconnu" + shown(name) + " ; types possibles : " + std::string(kLinkTypeNames)};
  }
  for (const auto& [key, value] : document.items()) {
    if (std::find(kind->members.begin(), kind->members.end(), key) == kind->members.end()) {
      return {
          std::nullopt, shown(key).empty() ? std::string() : key,
          "membre inconnu" + shown(key) + " dans « " + std::string(kind->name) + " » ; membres possibles : " + [&kind] {
            std::string names;
            for (const auto member : kind->members) names += (names.empty() ? "" : ", ") + std::string(member);
            return names;
          }()};
    }
  }
  LinkReader reader(document, kind->name);
  return kind->read(reader);
}

std::string linkPublish(std::uint64_t seq, const Json& message, std::optional<std::string_view> to) {
  Json out{{"type", "publish"}, {"seq", seq}};
  if (to) out["to"] = std::string(*to);
  out["message"] = message;
  return dumped(out);
}

std::string linkFull(std::uint64_t seq, std::string_view meeting, const Json& snapshot, const Json& personal) {
  return dumped({{"type", "full"},
                 {"seq", seq},
                 {"meeting", std::string(meeting)},
                 {"snapshot", snapshot},
                 {"personal", personal}});
}

std::string linkState(std::uint64_t seq, const Json& snapshot) {
  return dumped({{"type", "state"}, {"seq", seq}, {"snapshot", snapshot}});
}

std::string linkLogged(std::string_view ticket, const Json& result) {
  return dumped({{"type", "logged"}, {"ticket", std::string(ticket)}, {"result", result}});
}

std::string linkForward(std::string_view ticket, ForwardKind kind, std::string_view viewer, const Json& params) {
  return dumped({{"type", "forward"},
                 {"ticket", std::string(ticket)},
                 {"kind", kind == ForwardKind::upvote ? "upvote" : "ask"},
                 {"viewer", std::string(viewer)},
                 {"params", params}});
}

}  // namespace tribune::core
