#include "core/edge_config.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <utility>

#include "core/config_reader.h"
#include "core/edge_link.h"

namespace tribune::core {

namespace {

using config_reader::childPath;
using config_reader::indexPath;
using config_reader::IntRange;
using config_reader::SecretSource;
using config_reader::shown;

// The limits of edge.json (docs/CONFIG.md, "edge.json", mirrors them).
constexpr IntRange kPort{1, 65535};
constexpr IntRange kConnectionsPerAddress{1, 10000};
constexpr IntRange kQuestionsPerHour{1, 10000};
constexpr IntRange kUpvotesPerMinute{1, 10000};
constexpr IntRange kMessagesPerSecond{1, 1000};
constexpr IntRange kRetentionHours{1, 2160};  // 90 days, the town hall's default retention
constexpr int kDefaultRedisPort = 6379;
constexpr std::size_t kMaxKeyPrefixLength = 32;

bool isKeyPrefix(std::string_view text) {
  return !text.empty() && text.size() <= kMaxKeyPrefixLength && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// What a section needs besides its settings to finish its own checks.
struct RootDraft {
  EdgeConfig config;
  int linkSecrets = 0;
  bool redisGiven = false;
};

struct RedisDraft {
  EdgeRedisSettings settings;
  std::string path;
  bool urlGiven = false;
  bool plaintext = false;  // redis:// was given
  bool allowPlaintext = false;
  int passwords = 0;
};

// One pass over the document in its own order, each object checked against a table of its
// known members (as core/config.cpp does for tribune.json), then the cross-member checks.
template <class Json>
class EdgeConfigParser : public config_reader::Reader<EdgeConfigParser<Json>, Json> {
  using Base = config_reader::Reader<EdgeConfigParser<Json>, Json>;

 public:
  using Base::Base;

  EdgeConfigResult parse(const Json& document) {
    RootDraft draft;
    if (readObject(document, "", rootFields(), draft)) finishRoot(draft);
    return {std::move(draft.config), this->takeProblems()};
  }

 private:
  using P = EdgeConfigParser;
  using S = const std::string&;
  template <class Target>
  using Field = typename Base::template Field<Target>;
  using Base::problem;
  using Base::readBool;
  using Base::readInt;
  using Base::readLinkSecret;
  using Base::readObject;
  using Base::readOptionalString;
  using Base::readSecret;
  using Base::readString;
  using Base::refuseInlineSecret;

  void requireOneSecret(const std::string& path, std::string_view key, int given) {
    if (given == 0) {
      problem(childPath(path, std::string(key) + "_env"),
              "obligatoire : " + std::string(key) + "_env ou " + std::string(key) + "_secret");
    } else if (given > 1) {
      problem(path.empty() ? "$" : path,
              "donnez un seul de " + std::string(key) + "_env et " + std::string(key) + "_secret");
    }
  }

  // --- the top level ---------------------------------------------------------------------

  static const std::array<Field<RootDraft>, 11>& rootFields() {
    static constexpr std::array<Field<RootDraft>, 11> kFields{{
        {"name",
         [](P& p, const Json& v, S at, RootDraft& d) {
           auto name = p.readString(v, at);
           if (!name) return;
           if (!isLinkName(*name)) return p.problem(at, "1 à 64 caractères parmi A-Z a-z 0-9 . _ -");
           d.config.name = std::move(name);
         }},
        {"secrets_file",
         [](P& p, const Json& v, S at, RootDraft& d) { p.readOptionalString(v, at, d.config.secretsFile); }},
        {"web", [](P& p, const Json& v, S at, RootDraft& d) { p.parseWeb(v, at, d.config.web); }},
        {"trusted_proxies",
         [](P& p, const Json& v, S at, RootDraft& d) { p.parseTrustedProxies(v, at, d.config.trustedProxies); }},
        {"max_connections_per_address",
         [](P& p, const Json& v, S at, RootDraft& d) {
           if (auto count = p.readInt(v, at, kConnectionsPerAddress)) {
             d.config.maxConnectionsPerAddress = static_cast<std::size_t>(*count);
           }
         }},
        {"limits", [](P& p, const Json& v, S at, RootDraft& d) { p.parseLimits(v, at, d.config.limits); }},
        {"redis",
         [](P& p, const Json& v, S at, RootDraft& d) {
           d.redisGiven = true;
           p.parseRedis(v, at, d.config.redis);
         }},
        {"link_secret",
         [](P& p, const Json& v, S at, RootDraft& d) {
           ++d.linkSecrets;
           p.refuseInlineSecret(v, at, "link_secret");
         }},
        {"link_secret_env",
         [](P& p, const Json& v, S at, RootDraft& d) { p.readLinkSecret(v, at, SecretSource::environment, d); }},
        {"link_secret_secret",
         [](P& p, const Json& v, S at, RootDraft& d) { p.readLinkSecret(v, at, SecretSource::secretsFile, d); }},
        {"data_retention_hours",
         [](P& p, const Json& v, S at, RootDraft& d) {
           if (auto hours = p.readInt(v, at, kRetentionHours)) d.config.dataRetention = std::chrono::hours{*hours};
         }},
    }};
    return kFields;
  }

  void readLinkSecret(const Json& value, const std::string& path, SecretSource source, RootDraft& draft) {
    ++draft.linkSecrets;
    if (auto secret = readLinkSecret(value, path, source)) draft.config.linkSecret = std::move(*secret);
  }

  void finishRoot(RootDraft& draft) {
    if (!draft.redisGiven) {
      problem("redis", "obligatoire : le Redis partagé par les edges, {\"url\": \"rediss://…\", \"password_env\": …}");
    }
    requireOneSecret("", "link_secret", draft.linkSecrets);
    checkTls(draft.config.web);
  }

  // --- web -------------------------------------------------------------------------------

  void parseWeb(const Json& value, const std::string& path, EdgeWebSettings& web) {
    static constexpr std::array<Field<EdgeWebSettings>, 5> kFields{{
        {"address",
         [](P& p, const Json& v, S at, EdgeWebSettings& w) {
           auto address = p.readString(v, at);
           if (!address) return;
           if (!IpAddress::parse(*address)) {
             return p.problem(at,
                              "attendu une adresse IP comme « 0.0.0.0 » (tous les réseaux de la machine) ou "
                              "« 127.0.0.1 » (derrière un proxy inverse sur la même machine)" +
                                  (shown(*address).empty() ? std::string() : ", reçu" + shown(*address)));
           }
           w.address = *address;
         }},
        {"port",
         [](P& p, const Json& v, S at, EdgeWebSettings& w) {
           if (auto port = p.readInt(v, at, kPort)) w.port = *port;
         }},
        {"tls_certificate",
         [](P& p, const Json& v, S at, EdgeWebSettings& w) {
           p.readOptionalString(v, at, w.tlsCertificate);
           p.tlsBroken_ = p.tlsBroken_ || !w.tlsCertificate;
         }},
        {"tls_key",
         [](P& p, const Json& v, S at, EdgeWebSettings& w) {
           p.readOptionalString(v, at, w.tlsKey);
           p.tlsBroken_ = p.tlsBroken_ || !w.tlsKey;
         }},
        {"tls_offload",
         [](P& p, const Json& v, S at, EdgeWebSettings& w) {
           auto offload = p.readBool(v, at);
           if (offload) w.tlsOffload = *offload;
           p.tlsBroken_ = p.tlsBroken_ || !offload;
         }},
    }};
    webPath_ = path;
    readObject(value, path, kFields, web);
  }

  // Citizens reach the edge from the internet: it serves HTTPS itself, or says that a
  // reverse proxy in front of it does.
  void checkTls(const EdgeWebSettings& web) {
    if (tlsBroken_) return;  // a wrong value among them is reported already
    const auto path = webPath_.empty() ? std::string("web") : webPath_;
    if (web.tlsCertificate.has_value() != web.tlsKey.has_value()) {
      return problem(path, "tls_certificate et tls_key vont ensemble : donnez les deux ou aucun");
    }
    if (web.tlsCertificate && web.tlsOffload) {
      return problem(childPath(path, "tls_offload"),
                     "true avec tls_certificate : soit l'edge fait le TLS lui-même (certificat et clé), soit un proxy "
                     "inverse le fait (tls_offload), pas les deux");
    }
    if (!web.tlsCertificate && !web.tlsOffload) {
      problem(path,
              "un edge est public et doit être servi en HTTPS : donnez tls_certificate et tls_key, ou écrivez "
              "\"tls_offload\": true si un proxy inverse fait le TLS devant l'edge");
    }
  }

  // --- who is trusted for X-Forwarded-For ---------------------------------------------------

  void parseTrustedProxies(const Json& value, const std::string& path, std::vector<AddressRange>& out) {
    if (!value.is_array())
      return problem(path, "attendu un tableau d'adresses ou de plages, reçu " + typeInFrench(value));
    for (std::size_t index = 0; index < value.size(); ++index) {
      const auto at = indexPath(path, index);
      auto text = readString(value[index], at);
      if (!text) continue;
      auto range = AddressRange::parse(*text);
      if (!range) {
        problem(at, "attendu une adresse IP ou une plage CIDR comme « 10.0.0.0/8 », « 192.168.1.5 » ou « fd00::/8 »" +
                        (shown(*text).empty() ? std::string() : ", reçu" + shown(*text)));
        continue;
      }
      out.push_back(*range);
    }
  }

  void parseLimits(const Json& value, const std::string& path, EdgeLimits& limits) {
    static constexpr std::array<Field<EdgeLimits>, 3> kFields{{
        {"questions_per_address_per_hour",
         [](P& p, const Json& v, S at, EdgeLimits& l) {
           if (auto count = p.readInt(v, at, kQuestionsPerHour)) {
             l.questionsPerAddress = {static_cast<std::size_t>(*count), std::chrono::hours{1}};
           }
         }},
        {"upvotes_per_address_per_minute",
         [](P& p, const Json& v, S at, EdgeLimits& l) {
           if (auto count = p.readInt(v, at, kUpvotesPerMinute)) {
             l.upvotesPerAddress = {static_cast<std::size_t>(*count), std::chrono::minutes{1}};
           }
         }},
        {"messages_per_connection_per_second",
         [](P& p, const Json& v, S at, EdgeLimits& l) {
           if (auto count = p.readInt(v, at, kMessagesPerSecond)) {
             l.messagesPerConnection = {static_cast<std::size_t>(*count), std::chrono::seconds{1}};
           }
         }},
    }};
    readObject(value, path, kFields, limits);
  }

  // --- redis -------------------------------------------------------------------------------

  void parseRedis(const Json& value, const std::string& path, EdgeRedisSettings& redis) {
    static constexpr std::array<Field<RedisDraft>, 8> kFields{{
        {"url", [](P& p, const Json& v, S at, RedisDraft& d) { p.readRedisUrl(v, at, d); }},
        {"allow_plaintext",
         [](P& p, const Json& v, S at, RedisDraft& d) {
           if (auto allow = p.readBool(v, at)) d.allowPlaintext = *allow;
         }},
        {"user",
         [](P& p, const Json& v, S at, RedisDraft& d) {
           auto user = p.readString(v, at);
           if (!user) return;
           if (!isLinkName(*user)) return p.problem(at, "1 à 64 caractères parmi A-Z a-z 0-9 . _ -");
           d.settings.user = *user;
         }},
        {"password",
         [](P& p, const Json& v, S at, RedisDraft& d) {
           ++d.passwords;
           p.refuseInlineSecret(v, at, "password");
         }},
        {"password_env",
         [](P& p, const Json& v, S at, RedisDraft& d) {
           ++d.passwords;
           if (auto secret = p.readSecret(v, at, SecretSource::environment)) d.settings.password = std::move(*secret);
         }},
        {"password_secret",
         [](P& p, const Json& v, S at, RedisDraft& d) {
           ++d.passwords;
           if (auto secret = p.readSecret(v, at, SecretSource::secretsFile)) d.settings.password = std::move(*secret);
         }},
        {"ca_file", [](P& p, const Json& v, S at, RedisDraft& d) { p.readOptionalString(v, at, d.settings.caFile); }},
        {"key_prefix",
         [](P& p, const Json& v, S at, RedisDraft& d) {
           auto prefix = p.readString(v, at);
           if (!prefix) return;
           if (!isKeyPrefix(*prefix)) return p.problem(at, "1 à 32 caractères parmi a-z, 0-9, « _ » et « - »");
           d.settings.keyPrefix = *prefix;
         }},
    }};
    RedisDraft draft{redis, path};
    if (!readObject(value, path, kFields, draft)) return;
    if (!draft.urlGiven)
      problem(childPath(path, "url"), "obligatoire : rediss://serveur:port (ou redis:// sur cette machine)");
    requireOneSecret(path, "password", draft.passwords);
    if (draft.plaintext && !draft.allowPlaintext && !isLoopbackHost(draft.settings.address.host)) {
      problem(childPath(path, "url"),
              "redis:// envoie le mot de passe et les questions du public en clair sur le réseau : utilisez rediss:// "
              "(TLS), ou écrivez \"allow_plaintext\": true si ce réseau est privé");
    }
    if (draft.plaintext && draft.settings.caFile) {
      problem(childPath(path, "ca_file"), "ne sert qu'avec rediss:// : ce Redis est joint sans TLS");
    }
    redis = std::move(draft.settings);
  }

  void readRedisUrl(const Json& value, const std::string& path, RedisDraft& draft) {
    draft.urlGiven = true;
    auto text = readString(value, path);
    if (!text) return;
    auto parsed = parseServerUrl(*text);
    if (!parsed.url) return problem(path, parsed.error);
    auto& url = *parsed.url;
    if (url.scheme != "rediss" && url.scheme != "redis") {
      return problem(path, "doit commencer par rediss:// (TLS) ou redis://");
    }
    if (!url.path.empty() && url.path != "/") {
      return problem(path, "ni chemin ni numéro de base attendu : les clés sont séparées par key_prefix");
    }
    draft.plaintext = url.scheme == "redis";
    draft.settings.address = {!draft.plaintext, url.host, url.port.value_or(kDefaultRedisPort)};
  }

  std::string webPath_;
  bool tlsBroken_ = false;
};

}  // namespace

EdgeConfigResult parseEdgeConfig(const nlohmann::json& document, const SecretLookup& secrets) {
  return EdgeConfigParser<nlohmann::json>(secrets).parse(document);
}

EdgeConfigResult parseEdgeConfig(const nlohmann::ordered_json& document, const SecretLookup& secrets) {
  return EdgeConfigParser<nlohmann::ordered_json>(secrets).parse(document);
}

}  // namespace tribune::core
