#include "core/config.h"
#include "core/config_reader.h"
#include "core/suggestion.h"
#include "core/text_screen.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>

#include "core/platform.h"
#include "core/source_spec.h"

namespace tribune::core {

namespace {

using config_reader::childPath;
using config_reader::didYouMean;
using config_reader::indexPath;
using config_reader::IntRange;
using config_reader::joined;
using config_reader::SecretSource;
using config_reader::shown;

// "#question": '#', then 1 to 50 ASCII letters, digits, '_' or '-'.
bool isHashtag(std::string_view text) {
  if (text.size() < 2 || text.size() > 51 || text[0] != '#') return false;
  return std::all_of(text.begin() + 1, text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// ---------------------------------------------------------------------------------------
// Limits and choices of the schema (docs/CONFIG.md mirrors them).

struct NumberRange {
  double min;
  double max;
};

// The shortest text of a number: "-16", "-0.5".
std::string fmtNumber(double number) {
  std::string text = std::to_string(number);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

// audio.loudness: the targets in use run from -31 (very quiet broadcast practice) to -10;
// a ceiling over 0 dBTP would clip.
constexpr NumberRange kTargetLufs{-31, -10};
constexpr NumberRange kTruePeakDbtp{-9, 0};
constexpr NumberRange kMaxGainDb{0, 30};
constexpr NumberRange kGateLufs{-70, -30};

constexpr IntRange kVideoBitrateKbps{500, 20000};
constexpr IntRange kKeyframeIntervalSeconds{1, 10};
constexpr IntRange kAudioBitrateKbps{64, 320};
constexpr IntRange kInitialDelayMs{100, 60000};
constexpr IntRange kMaxDelayMs{100, 300000};
constexpr IntRange kKeyRefusals{1, 100};
constexpr IntRange kTimeoutMs{1000, 120000};
constexpr IntRange kSourceTimeoutMs{100, 10000};
constexpr IntRange kSourceStartTimeoutMs{500, 60000};
constexpr IntRange kRestartMaxDelayMs{500, 300000};
constexpr IntRange kEncoderStallMs{500, 30000};
constexpr IntRange kExpectedDurationMinutes{10, 1440};
constexpr IntRange kFadeMs{0, 2000};
constexpr IntRange kWebPort{1, 65535};
constexpr IntRange kQuestionLength{20, 2000};
constexpr IntRange kNameLength{0, 100};  // pseudonym and place; 0: none accepted
constexpr IntRange kRateCount{1, 10000};
constexpr IntRange kRateSeconds{1, 86400};
constexpr IntRange kRetentionDays{1, 3650};
constexpr IntRange kReconnectSeconds{1, 3600};

// Lengths in characters (UTF-8 code points): "Ville de Démo" is 13 of them.
constexpr std::size_t kMaxCommuneLength = 80;
constexpr std::size_t kMaxFontLength = 64;
constexpr std::size_t kMaxQuestionUrlLength = 200;
constexpr std::size_t kMaxNoticeLength = 1000;
constexpr std::string_view kColourExample = "#1f3a93";
constexpr std::array<std::string_view, 2> kWebSchemes{"https://", "http://"};

constexpr int kDefaultBitrate1080p = 4500;
constexpr int kDefaultBitrate720p = 3000;

constexpr std::array<std::string_view, 5> kLogLevels{"trace", "debug", "info", "warn", "error"};
constexpr std::array<std::string_view, 2> kProfileNames{"1080p30", "720p30"};
constexpr std::array<std::string_view, 10> kX264Presets{"ultrafast", "superfast", "veryfast", "faster",   "fast",
                                                        "medium",    "slow",      "slower",   "veryslow", "placebo"};

// ---------------------------------------------------------------------------------------
// Small text helpers.

bool hasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

// "#rrggbb", either case.
bool isColour(std::string_view text) {
  constexpr std::size_t kLength = 7;
  return text.size() == kLength && text.front() == '#' && std::all_of(text.begin() + 1, text.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return text;
}

std::string suggestion(std::string_view word, std::span<const std::string_view> candidates) {
  if (auto near = closest(word, candidates)) return didYouMean(*near);
  return "";
}

// `unknown` says what is unknown, in French with its agreement: "profil inconnu".
std::string unknownChoice(std::string_view unknown, std::string_view value, std::span<const std::string_view> choices) {
  return std::string(unknown) + shown(value) + suggestion(value, choices) +
         " ; valeurs possibles : " + joined(choices, ", ");
}

std::vector<std::string_view> platformIds() {
  std::vector<std::string_view> ids;
  for (const auto& preset : platformPresets()) ids.emplace_back(preset.id);
  return ids;
}

std::string unknownPlatform(std::string_view id) {
  const auto ids = platformIds();
  return "plateforme inconnue" + shown(id) + suggestion(id, ids) + " ; plateformes connues : " + joined(ids, ", ");
}

std::optional<std::string> keyframeProblemFor(const PlatformPreset& preset, int intervalSeconds) {
  if (preset.maxKeyframeInterval.count() >= intervalSeconds) return std::nullopt;
  return preset.displayName + " veut une image clé au moins toutes les " +
         std::to_string(preset.maxKeyframeInterval.count()) + " s, or video.keyframe_interval_s vaut " +
         std::to_string(intervalSeconds);
}

std::string rtmpsOnlyProblem(const PlatformPreset& preset) {
  return preset.displayName + " n'accepte que RTMPS : l'URL doit commencer par rtmps://";
}

// ---------------------------------------------------------------------------------------
// Drafts: what a section needs besides its settings to finish its own checks.

struct VideoDraft {
  VideoSettings settings;
  bool bitrateGiven = false;
};

struct RetryDraft {
  RetrySettings settings;
  bool initialOk = true;
  bool maxGiven = false;
  bool maxOk = true;
};

struct QuestionsDraft {
  QuestionSettings settings;
  bool retentionNoticeGiven = false;  // else the notice's retention text follows retention_days
};

struct DestinationDraft {
  std::string path;  // "destinations[2]"
  DestinationSettings settings;
  bool nameGiven = false;
  const PlatformPreset* preset = nullptr;
  std::optional<std::string> url;
  std::vector<std::string_view> keySources;  // members present among key, key_env, key_secret
  std::optional<Secret> key;
  bool broken = false;  // a member the URL is built from is wrong, and already reported
};

// ---------------------------------------------------------------------------------------
// The parser: one pass over the document in its own order, each object checked against a
// table of its known members, then each object's cross-member checks.

template <class Json>
class ConfigParser : public config_reader::Reader<ConfigParser<Json>, Json> {
  using Base = config_reader::Reader<ConfigParser<Json>, Json>;

 public:
  using Base::Base;

  ConfigResult parse(const Json& document) {
    ConfigResult result;
    keyframeInterval_ = peekKeyframeInterval(document);
    parseRoot(document, result.config);
    result.problems = this->takeProblems();
    return result;
  }

 private:
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
  using Base::rememberSecret;

  // A field holding a duration in milliseconds, read as an integer in `range`.
  template <class Target, std::chrono::milliseconds Target::*member, IntRange range>
  static constexpr Field<Target> millisecondsField(std::string_view name) {
    return {name, [](ConfigParser& p, const Json& v, const std::string& at, Target& t) {
              if (auto ms = p.readInt(v, at, range)) t.*member = std::chrono::milliseconds{*ms};
            }};
  }

  // --- typed readers: each reports what is wrong and returns nothing on failure ---------

  // A number (integer or not) within `range`.
  std::optional<double> readNumber(const Json& value, const std::string& path, NumberRange range) {
    if (!value.is_number()) {
      problem(path, "attendu un nombre, reçu " + typeInFrench(value));
      return std::nullopt;
    }
    const auto number = value.template get<double>();
    if (!(number >= range.min && number <= range.max)) {
      problem(path,
              fmtNumber(number) + " hors limites (de " + fmtNumber(range.min) + " à " + fmtNumber(range.max) + ")");
      return std::nullopt;
    }
    return number;
  }

  // A text shown on air: no control character, at most `maxCharacters` characters.
  std::optional<std::string> readText(const Json& value, const std::string& path, std::size_t maxCharacters) {
    auto text = readString(value, path);
    if (!text) return std::nullopt;
    if (hasControlCharacter(*text)) {
      problem(path, "ne doit pas contenir de caractères de contrôle (retours à la ligne, tabulations…)");
      return std::nullopt;
    }
    if (const auto length = characterCount(*text); length > maxCharacters) {
      problem(path, "au plus " + std::to_string(maxCharacters) + " caractères (ici " + std::to_string(length) + ")");
      return std::nullopt;
    }
    return text;
  }

  // Kept in lowercase, as the templates and the defaults write colours.
  std::optional<std::string> readColour(const Json& value, const std::string& path) {
    auto text = readString(value, path);
    if (!text) return std::nullopt;
    if (!isColour(*text)) {
      const auto given = shown(*text);
      problem(path, "attendu une couleur comme « " + std::string(kColourExample) + " » (#rrggbb en hexadécimal)" +
                        (given.empty() ? "" : ", reçu" + given));
      return std::nullopt;
    }
    return lowercase(std::move(*text));
  }

  // The address viewers reach from the QR code: a web page, so http(s) only.
  std::optional<std::string> readWebUrl(const Json& value, const std::string& path) {
    auto text = readString(value, path);
    if (!text) return std::nullopt;
    const auto scheme = std::find_if(kWebSchemes.begin(), kWebSchemes.end(),
                                     [&text](std::string_view prefix) { return text->starts_with(prefix); });
    if (scheme == kWebSchemes.end()) {
      problem(path, "doit commencer par https:// ou http://");
      return std::nullopt;
    }
    if (text->size() == scheme->size()) {
      problem(path, "il manque le nom du serveur après " + std::string(*scheme));
      return std::nullopt;
    }
    if (std::any_of(text->begin(), text->end(), [](char c) { return c == ' '; }) || hasControlCharacter(*text)) {
      problem(path, "ne doit contenir ni espace ni caractère de contrôle (écrivez une espace %20)");
      return std::nullopt;
    }
    if (const auto length = characterCount(*text); length > kMaxQuestionUrlLength) {
      problem(path, "au plus " + std::to_string(kMaxQuestionUrlLength) + " caractères (ici " + std::to_string(length) +
                        ") : une adresse longue donne un QR code dense ; utilisez un lien court");
      return std::nullopt;
    }
    return text;
  }

  std::optional<std::string> readChoice(const Json& value, const std::string& path, std::string_view what,
                                        std::span<const std::string_view> choices) {
    auto text = readString(value, path);
    if (!text) return std::nullopt;
    if (std::find(choices.begin(), choices.end(), *text) == choices.end()) {
      problem(path, unknownChoice(what, *text, choices));
      return std::nullopt;
    }
    return text;
  }

  // --- sections --------------------------------------------------------------------------

  using P = ConfigParser;
  using S = const std::string&;

  void parseRoot(const Json& document, Config& config) {
    static constexpr std::array<Field<Config>, 21> kFields{{
        {"source",
         [](P& p, const Json& v, S at, Config& c) {
           // The same parser as --source, so the file and the flag cannot disagree.
           auto spec = p.readString(v, at);
           if (!spec) return;
           if (auto parsed = parseSourceSpec(*spec); parsed.error) return p.problem(at, *parsed.error);
           c.source = *spec;
         }},
        {"pipelines_dir", [](P& p, const Json& v, S at, Config& c) { p.readOptionalString(v, at, c.pipelinesDir); }},
        {"agenda", [](P& p, const Json& v, S at, Config& c) { p.readOptionalString(v, at, c.agenda); }},
        {"data_dir", [](P& p, const Json& v, S at, Config& c) { p.readOptionalString(v, at, c.dataDir); }},
        {"secrets_file", [](P& p, const Json& v, S at, Config& c) { p.readOptionalString(v, at, c.secretsFile); }},
        {"log", [](P& p, const Json& v, S at, Config& c) { p.parseLog(v, at, c); }},
        {"video", [](P& p, const Json& v, S at, Config& c) { p.parseVideo(v, at, c.video); }},
        {"audio", [](P& p, const Json& v, S at, Config& c) { p.parseAudio(v, at, c.audio); }},
        {"recording", [](P& p, const Json& v, S at, Config& c) { p.parseRecording(v, at, c.recording); }},
        {"retry", [](P& p, const Json& v, S at, Config& c) { p.parseRetry(v, at, c.retry); }},
        {"watchdog", [](P& p, const Json& v, S at, Config& c) { p.parseWatchdog(v, at, c.watchdog); }},
        {"branding", [](P& p, const Json& v, S at, Config& c) { p.parseBranding(v, at, c.branding); }},
        {"graphics", [](P& p, const Json& v, S at, Config& c) { p.parseGraphics(v, at, c.graphics); }},
        {"web", [](P& p, const Json& v, S at, Config& c) { p.parseWeb(v, at, c.web); }},
        {"session", [](P& p, const Json& v, S at, Config& c) { p.parseSession(v, at, c.session); }},
        {"questions", [](P& p, const Json& v, S at, Config& c) { p.parseQuestions(v, at, c.questions); }},
        {"destinations", [](P& p, const Json& v, S at, Config& c) { p.parseDestinations(v, at, c.destinations); }},
        {"platforms", [](P& p, const Json& v, S at, Config& c) { p.parsePlatforms(v, at, c.platforms); }},
        {"network", [](P& p, const Json& v, S at, Config& c) { p.parseNetwork(v, at, c.network); }},
        {"edge", [](P& p, const Json& v, S at, Config& c) { p.parseEdge(v, at, c.edge); }},
        {"preflight", [](P& p, const Json& v, S at, Config& c) { p.parsePreflight(v, at, c.preflight); }},
    }};
    readObject(document, "", kFields, config);
  }

  // --- the link to the public edges (issue 22) ---------------------------------------------

  struct EdgeDraft {
    EdgeLinkSettings settings;
    int secrets = 0;
    bool urlGiven = false;
    bool minOk = true;
    bool maxGiven = false;
    bool maxOk = true;
  };

  void parseEdge(const Json& value, const std::string& path, std::optional<EdgeLinkSettings>& out) {
    static constexpr std::array<Field<EdgeDraft>, 7> kFields{{
        {"url", [](P& p, const Json& v, S at, EdgeDraft& d) { p.readEdgeUrls(v, at, d); }},
        {"ca_file", [](P& p, const Json& v, S at, EdgeDraft& d) { p.readOptionalString(v, at, d.settings.caFile); }},
        {"secret",
         [](P& p, const Json& v, S at, EdgeDraft& d) {
           ++d.secrets;
           p.refuseInlineSecret(v, at, "secret");
         }},
        {"secret_env",
         [](P& p, const Json& v, S at, EdgeDraft& d) {
           p.readLinkSecret(v, at, SecretSource::environment, d.settings.secret, d.secrets);
         }},
        {"secret_secret",
         [](P& p, const Json& v, S at, EdgeDraft& d) {
           p.readLinkSecret(v, at, SecretSource::secretsFile, d.settings.secret, d.secrets);
         }},
        {"reconnect_min_s",
         [](P& p, const Json& v, S at, EdgeDraft& d) {
           auto seconds = p.readInt(v, at, kReconnectSeconds);
           d.minOk = seconds.has_value();
           if (seconds) d.settings.reconnectMin = std::chrono::seconds{*seconds};
         }},
        {"reconnect_max_s",
         [](P& p, const Json& v, S at, EdgeDraft& d) {
           auto seconds = p.readInt(v, at, kReconnectSeconds);
           d.maxGiven = true;
           d.maxOk = seconds.has_value();
           if (seconds) d.settings.reconnectMax = std::chrono::seconds{*seconds};
         }},
    }};
    EdgeDraft draft;
    if (!readObject(value, path, kFields, draft)) return;
    if (!draft.urlGiven) {
      problem(childPath(path, "url"),
              "obligatoire : l'adresse de l'edge, wss://serveur[:port][/chemin], ou une liste d'adresses");
    }
    if (draft.secrets == 0) {
      problem(path, "obligatoire : secret_env ou secret_secret, le secret du lien, le même que link_secret des edges");
    } else if (draft.secrets > 1) {
      problem(path, "donnez un seul de secret_env et secret_secret");
    }
    if (!draft.maxGiven) {
      // A long first delay alone must not make the default ceiling an error.
      draft.settings.reconnectMax = std::max(draft.settings.reconnectMax, draft.settings.reconnectMin);
    } else if (draft.minOk && draft.maxOk && draft.settings.reconnectMin > draft.settings.reconnectMax) {
      problem(childPath(path, "reconnect_max_s"),
              "doit valoir au moins reconnect_min_s (" + std::to_string(draft.settings.reconnectMin.count()) + ")");
    }
    out = std::move(draft.settings);
  }

  // One address or a non-empty list of them; duplicates are refused.
  void readEdgeUrls(const Json& value, const std::string& path, EdgeDraft& draft) {
    draft.urlGiven = true;
    const auto readOne = [this, &draft](const Json& item, const std::string& at) {
      auto text = readString(item, at);
      if (!text) return;
      auto parsed = parseEdgeUrl(*text);
      if (!parsed.address) return problem(at, parsed.error);
      auto& urls = draft.settings.urls;
      if (std::find(urls.begin(), urls.end(), *parsed.address) != urls.end()) {
        return problem(at, "le même edge est donné deux fois");
      }
      urls.push_back(std::move(*parsed.address));
    };
    if (!value.is_array()) return readOne(value, path);
    if (value.empty()) return problem(path, "ne doit pas être vide : donnez au moins une adresse wss://");
    for (std::size_t index = 0; index < value.size(); ++index) readOne(value[index], indexPath(path, index));
  }

  // The link's secret: from the environment or the secrets file, never written in the file
  // (which is shared for help and kept in backups), and long enough not to be guessed.
  void readLinkSecret(const Json& value, const std::string& path, SecretSource source, Secret& out, int& given) {
    ++given;
    if (auto secret = readLinkSecret(value, path, source)) out = std::move(*secret);
  }

  // --- platforms (issue 20) ---------------------------------------------------------------

  // An API's base address: http(s), no trailing slash kept, no query.
  std::optional<std::string> readBaseUrl(const Json& value, const std::string& path) {
    auto text = readString(value, path);
    if (!text) return std::nullopt;
    if (!text->starts_with("https://") && !text->starts_with("http://")) {
      problem(path, "doit commencer par https:// (ou http:// pour un serveur de ce réseau)");
      return std::nullopt;
    }
    if (text->find_first_of(" ?#") != std::string::npos || hasControlCharacter(*text)) {
      problem(path, "doit être une adresse de base, sans espace, ni requête (?), ni fragment (#)");
      return std::nullopt;
    }
    while (text->size() > 8 && text->back() == '/') text->pop_back();
    return text;
  }

  // NAME, NAME_env or NAME_secret: a secret given literally, by an environment variable or by
  // an entry of the secrets file; at most one of the three.
  void readPlatformSecret(const Json& value, const std::string& path, std::string_view suffix, Secret& out,
                          int& given) {
    ++given;
    const std::string_view source = suffix == "_env" ? "key_env" : suffix == "_secret" ? "key_secret" : "key";
    if (auto secret = resolveKey(value, path, source)) out = std::move(*secret);
  }

  void requireSecret(const std::string& path, std::string_view name, int given) {
    if (given == 0) {
      problem(path, "obligatoire : " + std::string(name) + " (ou " + std::string(name) + "_env, " + std::string(name) +
                        "_secret)");
    } else if (given > 1) {
      problem(path, "donnez un seul de " + std::string(name) + ", " + std::string(name) + "_env et " +
                        std::string(name) + "_secret");
    }
  }

  std::optional<LivePrivacy> readPrivacy(const Json& value, const std::string& path) {
    static constexpr std::array<std::string_view, 3> kPrivacies{"public", "unlisted", "private"};
    auto choice = readChoice(value, path, "confidentialité inconnue", kPrivacies);
    return choice ? livePrivacyFromString(*choice) : std::nullopt;
  }

  struct YouTubeDraft {
    YouTubePlatformSettings settings;
    int secrets = 0;
    bool clientIdGiven = false;
  };
  struct FacebookDraft {
    FacebookPlatformSettings settings;
    int tokens = 0;
    int appSecrets = 0;
    bool appIdGiven = false;
  };
  struct PeerTubeDraft {
    PeerTubePlatformSettings settings;
    int passwords = 0;
    bool instanceGiven = false;
    bool userGiven = false;
  };

  void parsePlatforms(const Json& value, const std::string& path, PlatformsSettings& platforms) {
    static constexpr std::array<Field<PlatformsSettings>, 17> kFields{{
        {"youtube", [](P& p, const Json& v, S at, PlatformsSettings& s) { p.parseYouTube(v, at, s.youtube); }},
        {"facebook", [](P& p, const Json& v, S at, PlatformsSettings& s) { p.parseFacebook(v, at, s.facebook); }},
        {"peertube", [](P& p, const Json& v, S at, PlatformsSettings& s) { p.parsePeerTube(v, at, s.peertube); }},
        {"title_template",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto text = p.readText(v, at, 300)) s.templates.title = *text;
         }},
        {"description_template",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           // Line breaks are the point of a description: only its length is checked.
           auto text = p.readString(v, at);
           if (!text) return;
           if (text->size() > 5000) return p.problem(at, "au plus 5000 octets");
           s.templates.description = *text;
         }},
        {"audience_interval_s",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto seconds = p.readInt(v, at, IntRange{10, 3600})) s.audienceInterval = std::chrono::seconds{*seconds};
         }},
        {"request_timeout_s",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto seconds = p.readInt(v, at, IntRange{2, 120})) s.requestTimeout = std::chrono::seconds{*seconds};
         }},
        // Questions from the platforms (issue 21).
        {"read_comments",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto on = p.readBool(v, at)) s.chat.read = *on;
         }},
        {"questions_from",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           auto text = p.readString(v, at);
           if (!text) return;
           auto& rule = s.chat.questionsFrom;
           if (*text == "all") {
             rule = {ChatQuestionsFrom::Kind::all, {}};
           } else if (*text == "question_mark") {
             rule = {ChatQuestionsFrom::Kind::questionMark, {}};
           } else if (isHashtag(*text)) {
             rule = {ChatQuestionsFrom::Kind::hashtag, *text};
           } else {
             p.problem(at,
                       "attendu « all », « question_mark » ou un mot-dièse comme « #question » (#, puis 1 à 50 "
                       "lettres, chiffres, _ ou -)");
           }
         }},
        {"reply_when_answered",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto on = p.readBool(v, at)) s.chat.replyWhenAnswered = *on;
         }},
        {"reply_text",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto text = p.readText(v, at, 200)) {
             if (text->empty()) return p.problem(at, "ne doit pas être vide");
             s.chat.replyText = *text;
           }
         }},
        {"written_reply_text",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto text = p.readText(v, at, 200)) {
             if (text->empty()) return p.problem(at, "ne doit pas être vide");
             s.chat.writtenReplyText = *text;
           }
         }},
        {"facebook_comments_interval_s",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto seconds = p.readInt(v, at, IntRange{1, 60}))
             s.chat.facebookInterval = std::chrono::seconds{*seconds};
         }},
        {"peertube_comments_interval_s",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto seconds = p.readInt(v, at, IntRange{1, 60}))
             s.chat.peertubeInterval = std::chrono::seconds{*seconds};
         }},
        {"youtube_chat_min_interval_s",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto seconds = p.readInt(v, at, IntRange{1, 120})) {
             s.chat.youtubeMinInterval = std::chrono::seconds{*seconds};
           }
         }},
        {"youtube_chat_mode",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           static constexpr std::array<std::string_view, 2> kModes{"stream", "list"};
           if (auto mode = p.readChoice(v, at, "mode inconnu", kModes)) s.chat.youtubeStream = *mode == "stream";
         }},
        {"chat_budget_margin_minutes",
         [](P& p, const Json& v, S at, PlatformsSettings& s) {
           if (auto minutes = p.readInt(v, at, IntRange{0, 480})) s.chat.budgetMargin = std::chrono::minutes{*minutes};
         }},
    }};
    readObject(value, path, kFields, platforms);
  }

  void parseYouTube(const Json& value, const std::string& path, std::optional<YouTubePlatformSettings>& out) {
    static constexpr std::array<Field<YouTubeDraft>, 11> kFields{{
        {"client_id",
         [](P& p, const Json& v, S at, YouTubeDraft& d) {
           d.clientIdGiven = true;
           if (auto id = p.readText(v, at, 200)) d.settings.clientId = *id;
         }},
        {"client_secret", [](P& p, const Json& v, S at,
                             YouTubeDraft& d) { p.readPlatformSecret(v, at, "", d.settings.clientSecret, d.secrets); }},
        {"client_secret_env",
         [](P& p, const Json& v, S at, YouTubeDraft& d) {
           p.readPlatformSecret(v, at, "_env", d.settings.clientSecret, d.secrets);
         }},
        {"client_secret_secret",
         [](P& p, const Json& v, S at, YouTubeDraft& d) {
           p.readPlatformSecret(v, at, "_secret", d.settings.clientSecret, d.secrets);
         }},
        {"oauth_url",
         [](P& p, const Json& v, S at, YouTubeDraft& d) {
           if (auto url = p.readBaseUrl(v, at)) d.settings.oauthUrl = *url;
         }},
        {"api_url",
         [](P& p, const Json& v, S at, YouTubeDraft& d) {
           if (auto url = p.readBaseUrl(v, at)) d.settings.apiUrl = *url;
         }},
        {"auto_create",
         [](P& p, const Json& v, S at, YouTubeDraft& d) {
           if (auto on = p.readBool(v, at)) d.settings.autoCreate = *on;
         }},
        {"privacy",
         [](P& p, const Json& v, S at, YouTubeDraft& d) {
           if (auto privacy = p.readPrivacy(v, at)) d.settings.privacy = *privacy;
         }},
        {"chapters_in_description",
         [](P& p, const Json& v, S at, YouTubeDraft& d) {
           if (auto on = p.readBool(v, at)) d.settings.chaptersInDescription = *on;
         }},
        {"quota", [](P& p, const Json& v, S at, YouTubeDraft& d) { p.parseQuota(v, at, d.settings.quota); }},
        {"scope",
         [](P& p, const Json& v, S at, YouTubeDraft& d) {
           if (auto scope = p.readText(v, at, 500)) d.settings.scope = *scope;
         }},
    }};
    YouTubeDraft draft;
    if (!readObject(value, path, kFields, draft)) return;
    if (!draft.clientIdGiven)
      problem(childPath(path, "client_id"), "obligatoire : l'identifiant du client OAuth (docs/PLATFORMS.md)");
    requireSecret(path, "client_secret", draft.secrets);
    out = std::move(draft.settings);
  }

  void parseQuota(const Json& value, const std::string& path, QuotaSettings& quota) {
    static constexpr std::array<Field<QuotaSettings>, 4> kFields{{
        {"daily_units",
         [](P& p, const Json& v, S at, QuotaSettings& q) {
           if (auto units = p.readInt(v, at, IntRange{100, 10000000})) q.dailyUnits = *units;
         }},
        {"reserve_units",
         [](P& p, const Json& v, S at, QuotaSettings& q) {
           if (auto units = p.readInt(v, at, IntRange{0, 1000000})) q.reserveUnits = *units;
         }},
        {"default_cost",
         [](P& p, const Json& v, S at, QuotaSettings& q) {
           if (auto units = p.readInt(v, at, IntRange{1, 10000})) q.defaultCost = *units;
         }},
        {"costs",
         [](P& p, const Json& v, S at, QuotaSettings& q) {
           if (!v.is_object()) return p.problem(at, "attendu un objet méthode: unités, reçu " + typeInFrench(v));
           for (auto member = v.begin(); member != v.end(); ++member) {
             if (auto units = p.readInt(member.value(), childPath(at, member.key()), IntRange{0, 10000})) {
               q.costs[member.key()] = *units;
             }
           }
         }},
    }};
    if (!readObject(value, path, kFields, quota)) return;
    if (quota.reserveUnits >= quota.dailyUnits) {
      problem(childPath(path, "reserve_units"),
              "doit être inférieur à daily_units (" + std::to_string(quota.dailyUnits) + ")");
    }
  }

  void parseFacebook(const Json& value, const std::string& path, std::optional<FacebookPlatformSettings>& out) {
    static constexpr std::array<Field<FacebookDraft>, 13> kFields{{
        {"app_id",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           d.appIdGiven = true;
           if (auto id = p.readText(v, at, 100)) d.settings.appId = *id;
         }},
        {"client_token", [](P& p, const Json& v, S at,
                            FacebookDraft& d) { p.readPlatformSecret(v, at, "", d.settings.clientToken, d.tokens); }},
        {"client_token_env",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           p.readPlatformSecret(v, at, "_env", d.settings.clientToken, d.tokens);
         }},
        {"client_token_secret",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           p.readPlatformSecret(v, at, "_secret", d.settings.clientToken, d.tokens);
         }},
        {"app_secret", [](P& p, const Json& v, S at,
                          FacebookDraft& d) { p.readPlatformSecret(v, at, "", d.settings.appSecret, d.appSecrets); }},
        {"app_secret_env",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           p.readPlatformSecret(v, at, "_env", d.settings.appSecret, d.appSecrets);
         }},
        {"app_secret_secret",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           p.readPlatformSecret(v, at, "_secret", d.settings.appSecret, d.appSecrets);
         }},
        {"graph_url",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           if (auto url = p.readBaseUrl(v, at)) d.settings.graphUrl = *url;
         }},
        {"graph_version",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           auto version = p.readString(v, at);
           if (!version) return;
           const bool shaped = version->size() >= 4 && (*version)[0] == 'v' &&
                               version->find_first_not_of("0123456789.", 1) == std::string::npos;
           if (!shaped) return p.problem(at, "attendu une version de l'API Graph comme « v25.0 »");
           d.settings.graphVersion = *version;
         }},
        {"page_id",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           auto id = p.readString(v, at);
           if (!id) return;
           if (id->empty() || id->find_first_not_of("0123456789") != std::string::npos) {
             return p.problem(at, "attendu l'identifiant numérique de la Page");
           }
           d.settings.pageId = *id;
         }},
        {"auto_create",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           if (auto on = p.readBool(v, at)) d.settings.autoCreate = *on;
         }},
        {"privacy",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           if (auto privacy = p.readPrivacy(v, at)) d.settings.privacy = *privacy;
         }},
        {"scope",
         [](P& p, const Json& v, S at, FacebookDraft& d) {
           if (auto scope = p.readText(v, at, 500)) d.settings.scope = *scope;
         }},
    }};
    FacebookDraft draft;
    if (!readObject(value, path, kFields, draft)) return;
    if (!draft.appIdGiven)
      problem(childPath(path, "app_id"), "obligatoire : l'identifiant de l'application Meta (docs/PLATFORMS.md)");
    requireSecret(path, "client_token", draft.tokens);
    requireSecret(path, "app_secret", draft.appSecrets);
    out = std::move(draft.settings);
  }

  void parsePeerTube(const Json& value, const std::string& path, std::optional<PeerTubePlatformSettings>& out) {
    static constexpr std::array<Field<PeerTubeDraft>, 8> kFields{{
        {"instance_url",
         [](P& p, const Json& v, S at, PeerTubeDraft& d) {
           d.instanceGiven = true;
           if (auto url = p.readBaseUrl(v, at)) d.settings.instanceUrl = *url;
         }},
        {"username",
         [](P& p, const Json& v, S at, PeerTubeDraft& d) {
           d.userGiven = true;
           if (auto user = p.readText(v, at, 100)) d.settings.username = *user;
         }},
        {"password", [](P& p, const Json& v, S at,
                        PeerTubeDraft& d) { p.readPlatformSecret(v, at, "", d.settings.password, d.passwords); }},
        {"password_env",
         [](P& p, const Json& v, S at, PeerTubeDraft& d) {
           p.readPlatformSecret(v, at, "_env", d.settings.password, d.passwords);
         }},
        {"password_secret",
         [](P& p, const Json& v, S at, PeerTubeDraft& d) {
           p.readPlatformSecret(v, at, "_secret", d.settings.password, d.passwords);
         }},
        {"channel",
         [](P& p, const Json& v, S at, PeerTubeDraft& d) {
           if (auto channel = p.readText(v, at, 100)) d.settings.channel = *channel;
         }},
        {"auto_create",
         [](P& p, const Json& v, S at, PeerTubeDraft& d) {
           if (auto on = p.readBool(v, at)) d.settings.autoCreate = *on;
         }},
        {"privacy",
         [](P& p, const Json& v, S at, PeerTubeDraft& d) {
           if (auto privacy = p.readPrivacy(v, at)) d.settings.privacy = *privacy;
         }},
    }};
    PeerTubeDraft draft;
    if (!readObject(value, path, kFields, draft)) return;
    if (!draft.instanceGiven) problem(childPath(path, "instance_url"), "obligatoire : l'adresse de l'instance");
    if (!draft.userGiven) problem(childPath(path, "username"), "obligatoire : le nom d'utilisateur du compte");
    requireSecret(path, "password", draft.passwords);
    out = std::move(draft.settings);
  }

  void parsePreflight(const Json& value, const std::string& path, PreflightSettings& preflight) {
    static constexpr std::array<Field<PreflightSettings>, 1> kFields{{
        {"test_url",
         [](P& p, const Json& v, S at, PreflightSettings& s) {
           auto text = p.readString(v, at);
           if (!text) return;
           auto parsed = parsePublishUrl(*text);
           if (parsed.error) return p.problem(at, parsed.error->message);
           p.rememberSecret(parsed.url->key.reveal());
           if (parsed.url->tls) {
             return p.problem(
                 at,
                 "le débit montant se mesure en rtmp:// simple seulement : donnez l'URL rtmp:// du serveur de test");
           }
           s.testUrl = std::move(*parsed.url);
         }},
    }};
    readObject(value, path, kFields, preflight);
  }

  void parseNetwork(const Json& value, const std::string& path, NetworkSettings& network) {
    static constexpr std::array<Field<NetworkSettings>, 1> kFields{{
        {"proxy",
         [](P& p, const Json& v, S at, NetworkSettings& n) {
           auto proxy = p.readString(v, at);
           if (!proxy) return;
           const bool known = proxy->starts_with("http://") || proxy->starts_with("https://") ||
                              proxy->starts_with("socks5://") || proxy->starts_with("socks5h://");
           if (!known || proxy->find(' ') != std::string::npos) {
             return p.problem(at, "attendu une adresse de proxy comme « http://proxy.mairie.local:3128 »");
           }
           n.proxy = *proxy;
         }},
    }};
    readObject(value, path, kFields, network);
  }

  void parseLog(const Json& value, const std::string& path, Config& config) {
    static constexpr std::array<Field<Config>, 1> kFields{{
        {"level",
         [](P& p, const Json& v, S at, Config& c) {
           if (auto level = p.readChoice(v, at, "niveau de journal inconnu", kLogLevels)) c.logLevel = *level;
         }},
    }};
    readObject(value, path, kFields, config);
  }

  void parseVideo(const Json& value, const std::string& path, VideoSettings& video) {
    static constexpr std::array<Field<VideoDraft>, 4> kFields{{
        {"profile",
         [](P& p, const Json& v, S at, VideoDraft& d) {
           if (auto profile = p.readChoice(v, at, "profil inconnu", kProfileNames)) {
             d.settings.profile = *profile == "720p30" ? VideoProfile::P720p30 : VideoProfile::P1080p30;
           }
         }},
        {"bitrate_kbps",
         [](P& p, const Json& v, S at, VideoDraft& d) {
           d.bitrateGiven = true;
           if (auto bitrate = p.readInt(v, at, kVideoBitrateKbps)) d.settings.bitrateKbps = *bitrate;
         }},
        {"preset",
         [](P& p, const Json& v, S at, VideoDraft& d) {
           if (auto preset = p.readChoice(v, at, "préréglage x264 inconnu", kX264Presets))
             d.settings.x264Preset = *preset;
         }},
        {"keyframe_interval_s",
         [](P& p, const Json& v, S at, VideoDraft& d) {
           if (auto seconds = p.readInt(v, at, kKeyframeIntervalSeconds)) d.settings.keyframeIntervalSeconds = *seconds;
         }},
    }};
    VideoDraft draft{video};
    if (!readObject(value, path, kFields, draft)) return;
    // The right bitrate depends on the picture size; only an explicit one overrides it.
    if (!draft.bitrateGiven) {
      draft.settings.bitrateKbps =
          draft.settings.profile == VideoProfile::P720p30 ? kDefaultBitrate720p : kDefaultBitrate1080p;
    }
    video = draft.settings;
  }

  void parseAudio(const Json& value, const std::string& path, AudioSettings& audio) {
    static constexpr std::array<Field<AudioSettings>, 3> kFields{{
        {"bitrate_kbps",
         [](P& p, const Json& v, S at, AudioSettings& a) {
           if (auto bitrate = p.readInt(v, at, kAudioBitrateKbps)) a.bitrateKbps = *bitrate;
         }},
        {"drift_correction",
         [](P& p, const Json& v, S at, AudioSettings& a) {
           if (auto correct = p.readBool(v, at)) a.driftCorrection = *correct;
         }},
        {"loudness", [](P& p, const Json& v, S at, AudioSettings& a) { p.parseLoudness(v, at, a.loudness); }},
    }};
    readObject(value, path, kFields, audio);
  }

  void parseLoudness(const Json& value, const std::string& path, LoudnessSettings& loudness) {
    static constexpr std::array<Field<LoudnessSettings>, 5> kFields{{
        {"enabled",
         [](P& p, const Json& v, S at, LoudnessSettings& l) {
           if (auto enabled = p.readBool(v, at)) l.enabled = *enabled;
         }},
        {"target_lufs",
         [](P& p, const Json& v, S at, LoudnessSettings& l) {
           if (auto lufs = p.readNumber(v, at, kTargetLufs)) l.targetLufs = *lufs;
         }},
        {"true_peak_dbtp",
         [](P& p, const Json& v, S at, LoudnessSettings& l) {
           if (auto dbtp = p.readNumber(v, at, kTruePeakDbtp)) l.truePeakDbtp = *dbtp;
         }},
        {"max_gain_db",
         [](P& p, const Json& v, S at, LoudnessSettings& l) {
           if (auto db = p.readNumber(v, at, kMaxGainDb)) l.maxGainDb = *db;
         }},
        {"gate_lufs",
         [](P& p, const Json& v, S at, LoudnessSettings& l) {
           if (auto lufs = p.readNumber(v, at, kGateLufs)) l.gateLufs = *lufs;
         }},
    }};
    LoudnessSettings draft = loudness;
    if (!readObject(value, path, kFields, draft)) return;
    if (draft.gateLufs >= draft.targetLufs - 10) {
      problem(path + ".gate_lufs", "doit être au moins 10 LU sous target_lufs (" + fmtNumber(draft.targetLufs) +
                                       ") : le seuil distingue le bruit de la salle d'un orateur");
      return;
    }
    loudness = draft;
  }

  void parseRecording(const Json& value, const std::string& path, RecordingSettings& recording) {
    static constexpr std::array<Field<RecordingSettings>, 3> kFields{{
        {"enabled",
         [](P& p, const Json& v, S at, RecordingSettings& r) {
           if (auto enabled = p.readBool(v, at)) r.enabled = *enabled;
         }},
        {"directory",
         [](P& p, const Json& v, S at, RecordingSettings& r) {
           if (auto directory = p.readString(v, at)) r.directory = *directory;
         }},
        {"expected_duration_minutes",
         [](P& p, const Json& v, S at, RecordingSettings& r) {
           if (auto minutes = p.readInt(v, at, kExpectedDurationMinutes))
             r.expectedDuration = std::chrono::minutes{*minutes};
         }},
    }};
    readObject(value, path, kFields, recording);
  }

  void parseRetry(const Json& value, const std::string& path, RetrySettings& retry) {
    using std::chrono::milliseconds;
    static constexpr std::array<Field<RetryDraft>, 5> kFields{{
        {"initial_delay_ms",
         [](P& p, const Json& v, S at, RetryDraft& d) {
           auto ms = p.readInt(v, at, kInitialDelayMs);
           d.initialOk = ms.has_value();
           if (ms) d.settings.initialDelay = milliseconds{*ms};
         }},
        {"max_delay_ms",
         [](P& p, const Json& v, S at, RetryDraft& d) {
           auto ms = p.readInt(v, at, kMaxDelayMs);
           d.maxGiven = true;
           d.maxOk = ms.has_value();
           if (ms) d.settings.maxDelay = milliseconds{*ms};
         }},
        {"max_key_refusals",
         [](P& p, const Json& v, S at, RetryDraft& d) {
           if (auto count = p.readInt(v, at, kKeyRefusals)) d.settings.maxKeyRefusals = *count;
         }},
        {"connect_timeout_ms",
         [](P& p, const Json& v, S at, RetryDraft& d) {
           if (auto ms = p.readInt(v, at, kTimeoutMs)) d.settings.connectTimeout = milliseconds{*ms};
         }},
        {"stall_timeout_ms",
         [](P& p, const Json& v, S at, RetryDraft& d) {
           if (auto ms = p.readInt(v, at, kTimeoutMs)) d.settings.stallTimeout = milliseconds{*ms};
         }},
    }};
    RetryDraft draft{retry};
    if (!readObject(value, path, kFields, draft)) return;
    auto& settings = draft.settings;
    if (!draft.maxGiven) {
      // A long first delay alone must not make the default ceiling an error.
      settings.maxDelay = std::max(settings.maxDelay, settings.initialDelay);
    } else if (draft.maxOk && draft.initialOk && settings.maxDelay < settings.initialDelay) {
      problem(childPath(path, "max_delay_ms"),
              "doit valoir au moins initial_delay_ms (" + std::to_string(settings.initialDelay.count()) + ")");
    }
    retry = settings;
  }

  void parseWatchdog(const Json& value, const std::string& path, WatchdogSettings& watchdog) {
    using W = WatchdogSettings;
    static constexpr std::array<Field<W>, 4> kFields{{
        millisecondsField<W, &W::sourceTimeout, kSourceTimeoutMs>("source_timeout_ms"),
        millisecondsField<W, &W::sourceStartTimeout, kSourceStartTimeoutMs>("source_start_timeout_ms"),
        millisecondsField<W, &W::restartMaxDelay, kRestartMaxDelayMs>("restart_max_delay_ms"),
        millisecondsField<W, &W::encoderStall, kEncoderStallMs>("encoder_stall_ms"),
    }};
    readObject(value, path, kFields, watchdog);
  }

  // --- graphics ----------------------------------------------------------------------------

  void parseBranding(const Json& value, const std::string& path, BrandingSettings& branding) {
    static constexpr std::array<Field<BrandingSettings>, 6> kFields{{
        {"commune",
         [](P& p, const Json& v, S at, BrandingSettings& b) {
           if (auto commune = p.readText(v, at, kMaxCommuneLength)) b.commune = *commune;
         }},
        {"logo", [](P& p, const Json& v, S at, BrandingSettings& b) { p.readOptionalString(v, at, b.logo); }},
        {"primary_color",
         [](P& p, const Json& v, S at, BrandingSettings& b) {
           if (auto colour = p.readColour(v, at)) b.primaryColor = *colour;
         }},
        {"accent_color",
         [](P& p, const Json& v, S at, BrandingSettings& b) {
           if (auto colour = p.readColour(v, at)) b.accentColor = *colour;
         }},
        {"text_color",
         [](P& p, const Json& v, S at, BrandingSettings& b) {
           if (auto colour = p.readColour(v, at)) b.textColor = *colour;
         }},
        {"font",
         [](P& p, const Json& v, S at, BrandingSettings& b) {
           if (auto font = p.readText(v, at, kMaxFontLength)) b.font = *font;
         }},
    }};
    readObject(value, path, kFields, branding);
  }

  void parseGraphics(const Json& value, const std::string& path, GraphicsSettings& graphics) {
    static constexpr std::array<Field<GraphicsSettings>, 5> kFields{{
        {"templates_dir",
         [](P& p, const Json& v, S at, GraphicsSettings& g) { p.readOptionalString(v, at, g.templatesDir); }},
        {"fade_ms",
         [](P& p, const Json& v, S at, GraphicsSettings& g) {
           if (auto ms = p.readInt(v, at, kFadeMs)) g.fadeMs = *ms;
         }},
        {"question_url",
         [](P& p, const Json& v, S at, GraphicsSettings& g) {
           if (auto url = p.readWebUrl(v, at)) g.questionUrl = std::move(url);
         }},
        {"show_clock",
         [](P& p, const Json& v, S at, GraphicsSettings& g) {
           if (auto show = p.readBool(v, at)) g.showClock = *show;
         }},
        {"show_agenda_on_start",
         [](P& p, const Json& v, S at, GraphicsSettings& g) {
           if (auto show = p.readBool(v, at)) g.showAgendaOnStart = *show;
         }},
    }};
    readObject(value, path, kFields, graphics);
  }

  // --- web and session ---------------------------------------------------------------------

  // An IPv4 or IPv6 literal: a host name would depend on the resolver at start-up.
  static bool isIpLiteral(const std::string& text) {
    if (text.find(':') != std::string::npos) {
      return text.size() >= 2 && text.find_first_not_of("0123456789abcdefABCDEF:.") == std::string::npos;
    }
    int parts = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
      const auto dot = text.find('.', start);
      const std::string part = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(part) > 255) {
        return false;
      }
      ++parts;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return parts == 4;
  }

  void parseWeb(const Json& value, const std::string& path, WebSettings& web) {
    static constexpr std::array<Field<WebSettings>, 4> kFields{{
        {"address",
         [](P& p, const Json& v, S at, WebSettings& w) {
           auto address = p.readString(v, at);
           if (!address) return;
           if (!isIpLiteral(*address)) {
             return p.problem(at,
                              "attendu une adresse IP comme « 127.0.0.1 » (cette machine seulement) ou « 0.0.0.0 » "
                              "(tous les réseaux de la machine)" +
                                  (shown(*address).empty() ? std::string() : ", reçu" + shown(*address)));
           }
           w.address = *address;
         }},
        {"port",
         [](P& p, const Json& v, S at, WebSettings& w) {
           if (auto port = p.readInt(v, at, kWebPort)) w.port = *port;
         }},
        {"tls_certificate",
         [](P& p, const Json& v, S at, WebSettings& w) { p.readOptionalString(v, at, w.tlsCertificate); }},
        {"tls_key", [](P& p, const Json& v, S at, WebSettings& w) { p.readOptionalString(v, at, w.tlsKey); }},
    }};
    if (!readObject(value, path, kFields, web)) return;
    if (web.tlsCertificate.has_value() != web.tlsKey.has_value()) {
      problem(path, "tls_certificate et tls_key vont ensemble : donnez les deux ou aucun");
    }
  }

  void parseSession(const Json& value, const std::string& path, SessionSettings& session) {
    static constexpr std::array<Field<SessionSettings>, 2> kFields{{
        {"record_during_huis_clos",
         [](P& p, const Json& v, S at, SessionSettings& s) {
           if (auto keep = p.readBool(v, at)) s.recordDuringHuisClos = *keep;
         }},
        {"start_lead_minutes",
         [](P& p, const Json& v, S at, SessionSettings& s) {
           if (auto minutes = p.readInt(v, at, IntRange{0, 240})) s.startLeadMinutes = *minutes;
         }},
    }};
    readObject(value, path, kFields, session);
  }

  // --- viewers' questions ------------------------------------------------------------------

  void parseQuestions(const Json& value, const std::string& path, QuestionSettings& questions) {
    static constexpr std::array<Field<QuestionsDraft>, 12> kFields{{
        {"enabled",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           if (auto enabled = p.readBool(v, at)) d.settings.enabled = *enabled;
         }},
        {"prescreen",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           if (auto prescreen = p.readBool(v, at)) d.settings.prescreen = *prescreen;
         }},
        {"max_length",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           if (auto length = p.readInt(v, at, kQuestionLength)) d.settings.maxLength = *length;
         }},
        {"max_pseudonym_length",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           if (auto length = p.readInt(v, at, kNameLength)) d.settings.maxPseudonymLength = *length;
         }},
        {"max_place_length",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           if (auto length = p.readInt(v, at, kNameLength)) d.settings.maxPlaceLength = *length;
         }},
        {"per_browser",
         [](P& p, const Json& v, S at, QuestionsDraft& d) { p.parseRateLimit(v, at, d.settings.perBrowser); }},
        {"per_address",
         [](P& p, const Json& v, S at, QuestionsDraft& d) { p.parseRateLimit(v, at, d.settings.perAddress); }},
        {"votes_per_address",
         [](P& p, const Json& v, S at, QuestionsDraft& d) { p.parseRateLimit(v, at, d.settings.votesPerAddress); }},
        {"messages_per_connection",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           p.parseRateLimit(v, at, d.settings.messagesPerConnection);
         }},
        {"retention_days",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           if (auto days = p.readInt(v, at, kRetentionDays)) d.settings.retentionDays = *days;
         }},
        {"profanity_file",
         [](P& p, const Json& v, S at, QuestionsDraft& d) { p.readOptionalString(v, at, d.settings.profanityFile); }},
        {"notice", [](P& p, const Json& v, S at, QuestionsDraft& d) { p.parseNotice(v, at, d); }},
    }};
    QuestionsDraft draft{questions};
    if (!readObject(value, path, kFields, draft)) return;
    // The default notice must not promise 90 days when the commune keeps questions longer.
    if (!draft.retentionNoticeGiven) draft.settings.notice.retention = retentionNotice(draft.settings.retentionDays);
    questions = std::move(draft.settings);
  }

  // {"count": N, "seconds": S}: N actions at once, then N again over S seconds.
  void parseRateLimit(const Json& value, const std::string& path, RateLimit& limit) {
    static constexpr std::array<Field<RateLimit>, 2> kFields{{
        {"count",
         [](P& p, const Json& v, S at, RateLimit& r) {
           if (auto count = p.readInt(v, at, kRateCount)) r.count = static_cast<std::size_t>(*count);
         }},
        {"seconds",
         [](P& p, const Json& v, S at, RateLimit& r) {
           if (auto seconds = p.readInt(v, at, kRateSeconds)) r.window = std::chrono::seconds{*seconds};
         }},
    }};
    readObject(value, path, kFields, limit);
  }

  // The GDPR notice viewers read before sending: plain text, one paragraph each.
  void parseNotice(const Json& value, const std::string& path, QuestionsDraft& draft) {
    static constexpr std::array<Field<QuestionsDraft>, 3> kFields{{
        {"purpose",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           if (auto text = p.readText(v, at, kMaxNoticeLength)) d.settings.notice.purpose = *text;
         }},
        {"retention",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           // Given, even wrong: a wrong text is reported, not silently replaced.
           d.retentionNoticeGiven = true;
           if (auto text = p.readText(v, at, kMaxNoticeLength)) d.settings.notice.retention = *text;
         }},
        {"contact",
         [](P& p, const Json& v, S at, QuestionsDraft& d) {
           if (auto text = p.readText(v, at, kMaxNoticeLength)) d.settings.notice.contact = *text;
         }},
    }};
    readObject(value, path, kFields, draft);
  }

  static std::string retentionNotice(int days) {
    return "Elles sont effacées " + std::to_string(days) + (days == 1 ? " jour" : " jours") + " après la séance.";
  }

  // --- destinations ------------------------------------------------------------------------

  void parseDestinations(const Json& value, const std::string& path, std::vector<DestinationSettings>& out) {
    if (!value.is_array()) return problem(path, "attendu un tableau, reçu " + typeInFrench(value));
    for (std::size_t index = 0; index < value.size(); ++index) {
      DestinationDraft draft;
      draft.path = indexPath(path, index);
      if (!readObject(value[index], draft.path, destinationFields(), draft)) continue;
      if (auto destination = finishDestination(draft)) out.push_back(std::move(*destination));
    }
  }

  static const std::array<Field<DestinationDraft>, 8>& destinationFields() {
    static constexpr std::array<Field<DestinationDraft>, 8> kFields{{
        {"name", [](P& p, const Json& v, S at, DestinationDraft& d) { p.readDestinationName(v, at, d); }},
        {"platform",
         [](P& p, const Json& v, S at, DestinationDraft& d) {
           auto id = p.readString(v, at);
           d.preset = id ? findPlatform(*id) : nullptr;
           if (id && !d.preset) p.problem(at, unknownPlatform(*id));
           if (!d.preset) {
             d.broken = true;
             return;
           }
           d.settings.platform = d.preset->id;
         }},
        {"url",
         [](P& p, const Json& v, S at, DestinationDraft& d) {
           d.url = p.readString(v, at);
           d.broken = d.broken || !d.url;
         }},
        {"key", [](P& p, const Json& v, S at, DestinationDraft& d) { p.readKeySource(v, at, "key", d); }},
        {"key_env", [](P& p, const Json& v, S at, DestinationDraft& d) { p.readKeySource(v, at, "key_env", d); }},
        {"key_secret", [](P& p, const Json& v, S at, DestinationDraft& d) { p.readKeySource(v, at, "key_secret", d); }},
        {"enabled",
         [](P& p, const Json& v, S at, DestinationDraft& d) {
           if (auto enabled = p.readBool(v, at)) d.settings.enabled = *enabled;
         }},
        {"tls_verify",
         [](P& p, const Json& v, S at, DestinationDraft& d) {
           if (auto verify = p.readBool(v, at)) d.settings.tlsVerify = *verify;
         }},
    }};
    return kFields;
  }

  void readDestinationName(const Json& value, const std::string& path, DestinationDraft& draft) {
    draft.nameGiven = true;
    auto name = readString(value, path);
    if (!name) return;
    if (!isValidDestinationName(*name)) {
      return problem(path, "1 à 32 caractères parmi a-z, 0-9, « _ » et « - », commençant par une lettre ou un chiffre");
    }
    const auto [previous, inserted] = namesSeen_.try_emplace(*name, draft.path);
    if (!inserted) return problem(path, "nom « " + *name + " » déjà utilisé par " + previous->second);
    draft.settings.name = *name;
  }

  // key, key_env and key_secret: where the stream key comes from. The value is remembered
  // for scrubbing before anything is checked, so no message can ever carry it.
  void readKeySource(const Json& value, const std::string& path, std::string_view source, DestinationDraft& draft) {
    draft.keySources.push_back(source);
    auto key = resolveKey(value, path, source);
    if (key) {
      if (auto error = checkStreamKey(*key)) {
        problem(path, error->message);
        key.reset();
      }
    }
    if (!key) draft.broken = true;
    draft.key = std::move(key);
  }

  // "key" (written in the file), "key_env" or "key_secret"; remembered for scrubbing.
  std::optional<Secret> resolveKey(const Json& value, const std::string& path, std::string_view source) {
    if (source == "key") {
      if (value.is_string()) rememberSecret(value.template get<std::string>());
      auto literal = readString(value, path);
      return literal ? std::optional<Secret>(Secret(std::move(*literal))) : std::nullopt;
    }
    return readSecret(value, path, source == "key_env" ? SecretSource::environment : SecretSource::secretsFile);
  }

  // Checks that need the whole destination: required members, what the platform accepts,
  // one key source, and the URL with its key.
  std::optional<DestinationSettings> finishDestination(DestinationDraft& draft) {
    const auto urlPath = childPath(draft.path, "url");
    if (!draft.nameGiven) problem(childPath(draft.path, "name"), "obligatoire : un nom unique comme « youtube »");
    bool accepted = true;
    if (draft.preset && keyframeInterval_) {
      if (auto error = keyframeProblemFor(*draft.preset, *keyframeInterval_)) {
        problem(childPath(draft.path, "platform"), *error);
        accepted = false;
      }
    }
    if (draft.keySources.size() > 1) {
      problem(draft.path,
              "donnez un seul de key, key_env et key_secret (trouvés : " + joined(draft.keySources, " et ") + ")");
      return std::nullopt;
    }
    if (draft.broken) return std::nullopt;

    std::string_view urlText;
    if (draft.url) {
      urlText = *draft.url;
    } else if (draft.preset && !draft.preset->defaultUrl.empty()) {
      urlText = draft.preset->defaultUrl;
    } else {
      problem(urlPath, draft.preset ? "obligatoire : " + draft.preset->displayName +
                                          " n'a pas d'URL d'envoi par défaut (chaque direct a la sienne) : copiez-la "
                                          "depuis les réglages du direct sur la plateforme"
                                    : std::string("obligatoire pour une destination sans plateforme"));
      return std::nullopt;
    }

    auto parsed = parsePublishUrl(urlText, draft.key);
    if (parsed.error) {
      if (!draft.url) {
        problem(draft.path, "pas de clé de stream : donnez key, key_env ou key_secret");
      } else if (parsed.error->missingKey) {
        problem(urlPath, parsed.error->message + " (ajoutez la clé à l'URL, ou donnez key, key_env ou key_secret)");
      } else {
        problem(urlPath, parsed.error->message);
      }
      return std::nullopt;
    }
    rememberSecret(parsed.url->key.reveal());
    draft.settings.url = std::move(*parsed.url);

    if (draft.preset && draft.preset->rtmpsOnly && !draft.settings.url.tls) {
      problem(draft.url ? urlPath : draft.path, rtmpsOnlyProblem(*draft.preset));
      accepted = false;
    }
    if (!accepted || draft.settings.name.empty()) return std::nullopt;
    return std::move(draft.settings);
  }

  // Destinations are checked against the keyframe interval wherever "video" sits in the
  // document; an interval that is itself wrong is reported there and not compared.
  static std::optional<int> peekKeyframeInterval(const Json& document) {
    const int fallback = VideoSettings{}.keyframeIntervalSeconds;
    if (!document.is_object()) return std::nullopt;
    const auto video = document.find("video");
    if (video == document.end()) return fallback;
    if (!video->is_object()) return std::nullopt;
    const auto interval = video->find("keyframe_interval_s");
    if (interval == video->end()) return fallback;
    if (!interval->is_number_integer()) return std::nullopt;
    const auto seconds = interval->template get<std::int64_t>();
    if (seconds < kKeyframeIntervalSeconds.min || seconds > kKeyframeIntervalSeconds.max) return std::nullopt;
    return static_cast<int>(seconds);
  }

  std::optional<int> keyframeInterval_;
  std::unordered_map<std::string, std::string> namesSeen_;  // name -> "destinations[i]"
};

}  // namespace

ConfigResult parseConfig(const nlohmann::json& document, const SecretLookup& secrets) {
  return ConfigParser<nlohmann::json>(secrets).parse(document);
}

ConfigResult parseConfig(const nlohmann::ordered_json& document, const SecretLookup& secrets) {
  return ConfigParser<nlohmann::ordered_json>(secrets).parse(document);
}

bool isValidDestinationName(std::string_view name) {
  constexpr std::size_t kMaxLength = 32;
  const auto allowed = [](char c, bool first) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return alnum || (!first && (c == '_' || c == '-'));
  };
  if (name.empty() || name.size() > kMaxLength || !allowed(name.front(), true)) return false;
  return std::all_of(name.begin() + 1, name.end(), [&allowed](char c) { return allowed(c, false); });
}

std::optional<std::string> keyframeIntervalProblem(const DestinationSettings& destination, const VideoSettings& video) {
  const auto* preset = findPlatform(destination.platform);
  return preset ? keyframeProblemFor(*preset, video.keyframeIntervalSeconds) : std::nullopt;
}

DestinationArgResult parseDestinationArgument(const std::string& argument) {
  const auto fail = [](std::string message) { return DestinationArgResult{std::nullopt, std::move(message)}; };
  constexpr const char* kForms = "attendu PLATEFORME=CLÉ (par exemple youtube=CLÉ) ou NOM=rtmp[s]://SERVEUR/APP/CLÉ";

  const auto equals = argument.find('=');
  if (equals == std::string::npos) return fail(std::string("pas de « = » dans la destination : ") + kForms);
  const std::string name = argument.substr(0, equals);
  const std::string value = argument.substr(equals + 1);
  if (name.empty()) return fail(std::string("le nom avant « = » est vide : ") + kForms);
  if (value.empty()) return fail("rien après « = » : donnez la clé de stream ou l'URL complète");
  // Not repeated: a malformed argument may have its key on the left of the first '='.
  if (!isValidDestinationName(name)) {
    return fail(
        "le nom avant « = » : 1 à 32 caractères parmi a-z, 0-9, « _ » et « - », commençant par une lettre ou un "
        "chiffre");
  }

  DestinationSettings destination;
  destination.name = name;
  const auto* preset = findPlatform(name);
  if (preset) destination.platform = preset->id;

  PublishUrlResult parsed;
  if (value.find("://") != std::string::npos) {
    parsed = parsePublishUrl(value);
  } else if (!preset) {
    return fail(unknownPlatform(name) + " ; pour un autre serveur, passez " + name + "=rtmp[s]://SERVEUR/APP/CLÉ");
  } else if (preset->defaultUrl.empty()) {
    return fail(preset->displayName + " n'a pas d'URL d'envoi par défaut (chaque direct a la sienne) : passez " + name +
                "=rtmps://SERVEUR/APP/CLÉ avec l'URL donnée par la plateforme");
  } else {
    parsed = parsePublishUrl(preset->defaultUrl, Secret(value));
  }
  if (parsed.error) return fail(parsed.error->message);
  destination.url = std::move(*parsed.url);
  if (preset && preset->rtmpsOnly && !destination.url.tls) return fail(rtmpsOnlyProblem(*preset));
  return {std::move(destination), std::nullopt};
}

}  // namespace tribune::core
