#pragma once
// The JSON-reading machinery shared by the readers of tribune.json (core/config.cpp) and
// edge.json (core/edge_config.cpp): problems recorded with their JSON paths, typed members,
// unknown keys refused with a suggestion, secrets read from *_env or *_secret and scrubbed
// from every message.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/edge_link.h"
#include "core/json_type.h"
#include "core/secret.h"
#include "core/suggestion.h"

namespace tribune::core::config_reader {

struct IntRange {
  int min;
  int max;
};

// Where a *_env or *_secret member finds its secret.
enum class SecretSource { environment, secretsFile };

// A user's value is repeated in a message only when it is short and printable; a long
// value could be a pasted stream key, and a message must never carry one.
inline constexpr std::size_t kMaxShownLength = 40;
// Secrets shorter than this are not scrubbed from messages: replacing "abc" everywhere
// would garble the messages, and such keys are not real platform keys anyway.
inline constexpr std::size_t kMinScrubbedLength = 4;

bool isPrintable(std::string_view text);
// ` « value »` when it may be shown, else nothing: callers write "profil inconnu" + shown(v).
std::string shown(std::string_view value);
// ` (vouliez-vous dire « suggestion » ?)`, for a value close to a known one.
std::string didYouMean(std::string_view suggestion);
std::string joined(std::span<const std::string_view> words, std::string_view separator);
std::string childPath(const std::string& parent, std::string_view key);
std::string indexPath(const std::string& parent, std::size_t index);
// Letters, digits and '_' (ASCII), not starting with a digit.
bool isEnvironmentName(std::string_view name);
void replaceAll(std::string& text, std::string_view what, std::string_view with);
// Replaces every secret of `secrets` (kMinScrubbedLength or longer) in the problems'
// messages and paths by Secret::kMask.
void scrub(std::vector<ConfigProblem>& problems, const std::vector<std::string>& secrets);

// The base of a reader: `Derived` is the reader itself (its tables of fields call it),
// `Json` is nlohmann::json or nlohmann::ordered_json.
template <class Derived, class Json>
class Reader {
 public:
  explicit Reader(const SecretLookup& secrets) : secrets_(secrets) {}

 protected:
  template <class Target>
  struct Field {
    std::string_view name;
    void (*apply)(Derived& parser, const Json& value, const std::string& path, Target& target);
  };

  void problem(const std::string& path, std::string message) {
    problems_.push_back({path.empty() ? "$" : path, std::move(message)});
  }

  // The problems found, with every secret seen scrubbed from them.
  std::vector<ConfigProblem> takeProblems() {
    scrub(problems_, secretValues_);
    return std::move(problems_);
  }

  // Each member of `value` applied by its field; an unknown member is reported with the
  // nearest known key or the list of them. False when `value` is not an object.
  template <class Target, std::size_t N>
  bool readObject(const Json& value, const std::string& path, const std::array<Field<Target>, N>& fields,
                  Target& target) {
    if (!value.is_object()) {
      problem(path, "attendu un objet, reçu " + typeInFrench(value));
      return false;
    }
    std::array<std::string_view, N> names;
    std::transform(fields.begin(), fields.end(), names.begin(), [](const Field<Target>& field) { return field.name; });
    for (auto member = value.begin(); member != value.end(); ++member) {
      const auto& key = member.key();
      const auto memberPath = childPath(path, key);
      const auto field = std::find_if(fields.begin(), fields.end(),
                                      [&key](const Field<Target>& candidate) { return candidate.name == key; });
      if (field != fields.end()) {
        field->apply(static_cast<Derived&>(*this), member.value(), memberPath, target);
      } else if (auto near = closest(key, names)) {
        problem(memberPath, "clé inconnue" + shown(key) + didYouMean(*near));
      } else {
        problem(memberPath, "clé inconnue" + shown(key) + " ; clés connues : " + joined(names, ", "));
      }
    }
    return true;
  }

  // --- typed readers: each reports what is wrong and returns nothing on failure ---------

  std::optional<std::string> readString(const Json& value, const std::string& path) {
    if (!value.is_string()) {
      problem(path, "attendu une chaîne, reçu " + typeInFrench(value));
      return std::nullopt;
    }
    auto text = value.template get<std::string>();
    if (text.empty()) {
      problem(path, "ne doit pas être vide");
      return std::nullopt;
    }
    return text;
  }

  std::optional<bool> readBool(const Json& value, const std::string& path) {
    if (!value.is_boolean()) {
      problem(path, "attendu un booléen (true ou false), reçu " + typeInFrench(value));
      return std::nullopt;
    }
    return value.template get<bool>();
  }

  std::optional<int> readInt(const Json& value, const std::string& path, IntRange range) {
    if (!value.is_number_integer()) {
      problem(path, "attendu un nombre entier, reçu " + typeInFrench(value));
      return std::nullopt;
    }
    std::string text;
    bool inRange = false;
    if (value.is_number_unsigned()) {
      const auto number = value.template get<std::uint64_t>();
      text = std::to_string(number);
      inRange = number >= static_cast<std::uint64_t>(std::max(range.min, 0)) &&
                number <= static_cast<std::uint64_t>(range.max);
    } else {
      const auto number = value.template get<std::int64_t>();
      text = std::to_string(number);
      inRange = number >= range.min && number <= range.max;
    }
    if (!inRange) {
      problem(path, text + " hors limites (de " + std::to_string(range.min) + " à " + std::to_string(range.max) + ")");
      return std::nullopt;
    }
    return value.template get<int>();
  }

  void readOptionalString(const Json& value, const std::string& path, std::optional<std::string>& out) {
    if (auto text = readString(value, path)) out = std::move(text);
  }

  // X_env or X_secret: the secret's value, remembered for scrubbing before anything else.
  std::optional<Secret> readSecret(const Json& value, const std::string& path, SecretSource source) {
    auto name = readString(value, path);
    if (!name) return std::nullopt;
    std::optional<std::string> found;
    if (source == SecretSource::environment) {
      if (!isEnvironmentName(*name)) {
        problem(path,
                "doit être le nom d'une variable d'environnement (lettres, chiffres et « _ », sans chiffre au début)");
        return std::nullopt;
      }
      found = secrets_.environment ? secrets_.environment(*name) : std::nullopt;
      if (!found) {
        problem(path, "la variable d'environnement " + *name + " n'est pas définie");
      } else if (found->empty()) {
        problem(path, "la variable d'environnement " + *name + " est vide");
      }
    } else {
      const auto entry = shown(*name).empty() ? std::string(" nommée ici") : shown(*name);
      if (!secrets_.secretsFile) {
        problem(path, "pas de fichier de secrets où chercher l'entrée" + entry + " : indiquez secrets_file");
        return std::nullopt;
      }
      found = secrets_.secretsFile(*name);
      if (!found) {
        problem(path, "pas d'entrée" + entry + " dans le fichier de secrets");
      } else if (found->empty()) {
        problem(path, "l'entrée" + entry + " du fichier de secrets est vide");
      }
    }
    if (!found || found->empty()) return std::nullopt;
    secretValues_.push_back(*found);
    return Secret(std::move(*found));
  }

  // The secret of the link between the town hall and its edges: long enough not to be guessed.
  std::optional<Secret> readLinkSecret(const Json& value, const std::string& path, SecretSource source) {
    auto secret = readSecret(value, path, source);
    if (!secret) return std::nullopt;
    if (secret->reveal().size() < kMinLinkSecretLength) {
      problem(path, "le secret nommé est trop court : " + std::to_string(kMinLinkSecretLength) +
                        " caractères au moins (openssl rand -hex 32 en fabrique un)");
      return std::nullopt;
    }
    return secret;
  }

  // A secret written in the file itself: refused, the file is copied around for help and
  // kept in backups.
  void refuseInlineSecret(const Json& value, const std::string& path, std::string_view key) {
    if (value.is_string()) rememberSecret(value.template get<std::string>());
    const std::string name(key);
    problem(path, "un secret ne s'écrit pas dans ce fichier : donnez " + name +
                      "_env (une variable d'environnement) ou " + name + "_secret (une entrée de secrets_file)");
  }

  // A value scrubbed from every message before they leave.
  void rememberSecret(std::string value) { secretValues_.push_back(std::move(value)); }

 private:
  const SecretLookup& secrets_;
  std::vector<ConfigProblem> problems_;
  std::vector<std::string> secretValues_;
};

}  // namespace tribune::core::config_reader
