#pragma once
// The validated configuration (tribune.json, docs/CONFIG.md). Parsing is pure: the file,
// the secrets file and the environment are read by the app and handed in.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/edge_link.h"
#include "core/live_plan.h"
#include "core/loudness.h"
#include "core/publish_url.h"
#include "core/quota_budget.h"
#include "core/rate_limit.h"

namespace tribune::core {

enum class VideoProfile { P720p30, P1080p30 };

struct VideoSettings {
  VideoProfile profile = VideoProfile::P1080p30;
  int bitrateKbps = 4500;  // 1080p: 4500 default; 720p: 3000 default
  std::string x264Preset = "veryfast";
  int keyframeIntervalSeconds = 2;
  [[nodiscard]] int width() const { return profile == VideoProfile::P1080p30 ? 1920 : 1280; }
  [[nodiscard]] int height() const { return profile == VideoProfile::P1080p30 ? 1080 : 720; }
  static constexpr int kFramesPerSecond = 30;
};

struct AudioSettings {
  int bitrateKbps = 128;
  // Resample the source's sound to the program clock: a capture card's own clock drifts
  // by tens of ppm, which over a three-hour meeting puts the sound out of sync with the
  // picture (core/drift.h measures it).
  bool driftCorrection = true;
  // The programme's loudness: automatic gain towards a target, true-peak limiter
  // (core/loudness.h, audio.loudness in docs/CONFIG.md).
  LoudnessSettings loudness;
  static constexpr int kSampleRate = 48000;
  static constexpr int kChannels = 2;
};

struct RecordingSettings {
  bool enabled = true;
  std::string directory = "recordings";  // relative to the data folder unless absolute
  // How long a meeting lasts, 10..1440 min: to warn when the disk will not hold the rest.
  std::chrono::minutes expectedDuration{240};
};

struct RetrySettings {
  std::chrono::milliseconds initialDelay{500};
  // 1.5 s: with the ±20 % spread the longest wait is 1.8 s, and a server that returns just
  // after a failed attempt is published to again within 3 s (issue 2, DESIGN.md §7: about
  // 0.9 s go from the connection to the first keyframe at the server).
  std::chrono::milliseconds maxDelay{1500};
  int maxKeyRefusals = 3;  // then Failed until "retry now"
  std::chrono::milliseconds connectTimeout{10000};
  std::chrono::milliseconds stallTimeout{5000};
};

// When the source counts as lost and how it is restarted (core/source_watchdog.h), and
// when the encoder counts as stalled.
struct WatchdogSettings {
  std::chrono::milliseconds sourceTimeout{500};        // 100..10000: no buffer of a track for this long: lost
  std::chrono::milliseconds sourceStartTimeout{5000};  // 500..60000: after a (re)start, wait for the first buffer
  std::chrono::milliseconds restartMaxDelay{10000};    // 500..300000: longest wait between source restarts
  std::chrono::milliseconds encoderStall{2000};  // 500..30000: no encoded frame for this long while the source delivers
};

// The commune's look, fed to every on-air template (overlays/*.svg).
struct BrandingSettings {
  std::string commune = "Ville de Démo";  // shown on the bug and the slates
  std::optional<std::string> logo;        // PNG or SVG file; relative to the config file
  std::string primaryColor = "#1f3a93";   // "#rrggbb": boxes of the lower-thirds, slates
  std::string accentColor = "#e4002b";    // "#rrggbb": the EN DIRECT tag, highlights
  std::string textColor = "#ffffff";      // "#rrggbb": text on primary
  std::string font = "Open Sans";         // a font family installed on the machine
};

struct GraphicsSettings {
  std::optional<std::string> templatesDir;  // the commune's own templates; a file there
                                            // overrides the one of the same name in overlays/
  int fadeMs = 300;                         // 0..2000: show/hide fade
  std::optional<std::string> questionUrl;   // what the QR code and its caption point to
  bool showClock = true;                    // the bug shows the time (HH:MM)
  bool showAgendaOnStart = true;            // the agenda's first item is on air at start
};

// The web server: consoles, tablets, the viewers' question page, the REST API.
struct WebSettings {
  std::string address = "127.0.0.1";  // this machine only; "0.0.0.0" lets the town hall's Wi-Fi in
  int port = 8080;
  std::optional<std::string> tlsCertificate;  // both or neither; relative to the config file
  std::optional<std::string> tlsKey;
};

struct SessionSettings {
  bool recordDuringHuisClos = false;  // the minutes' secretary may want the closed session kept
  // `tribune serve` (issue 23): a planned meeting starts by itself this long before its time.
  int startLeadMinutes = 15;
};

// The viewers' questions (docs/QUESTIONS.md).
struct QuestionNotice {  // the GDPR notice shown before sending; French
  std::string purpose = "Vos questions servent à préparer les réponses des élus pendant la séance ou par écrit.";
  // Unless the file gives its own, the parser writes it for QuestionSettings::retentionDays.
  std::string retention = "Elles sont effacées 90 jours après la séance.";
  std::string contact = "Pour toute demande sur vos données, adressez-vous à la mairie.";
};

struct QuestionSettings {
  bool enabled = true;
  bool prescreen = true;        // each question waits for a moderator (at start; the moderator may switch it)
  int maxLength = 500;          // characters of a question, 20..2000
  int maxPseudonymLength = 40;  // 0..100
  int maxPlaceLength = 60;      // 0..100
  RateLimit perBrowser{3, std::chrono::minutes(5)};   // questions
  RateLimit perAddress{10, std::chrono::minutes(5)};  // questions
  RateLimit votesPerAddress{60, std::chrono::minutes(1)};
  RateLimit messagesPerConnection{20, std::chrono::seconds(10)};  // any viewer message
  int retentionDays = 90;                                         // 1..3650: questions are purged after this
  std::optional<std::string> profanityFile;  // relative to the config file; default moderation/profanity-fr.txt
  QuestionNotice notice;
};

struct DestinationSettings {
  std::string name;      // unique, [a-z0-9_-]+, shown on the console
  std::string platform;  // preset id or empty for a custom server
  PublishUrl url;        // includes the key
  bool enabled = true;
  bool tlsVerify = true;  // false only for throw-away test certificates; loud in the logs
};

// The platforms' accounts and lives (issue 20, docs/PLATFORMS.md). A platform is used when
// its section is present. Every base URL is configurable: a wrong guess about an API is a
// configuration change, and the tests point them at their fake server.
struct YouTubePlatformSettings {
  std::string clientId;  // a "TVs and Limited Input devices" client of the commune's Cloud project
  Secret clientSecret;
  std::string oauthUrl = "https://oauth2.googleapis.com";  // /device/code, /token, /revoke
  std::string apiUrl = "https://www.googleapis.com/youtube/v3";
  std::string scope = "https://www.googleapis.com/auth/youtube";
  bool autoCreate = false;  // prepare the live at broadcast.start
  LivePrivacy privacy = LivePrivacy::isPublic;
  bool chaptersInDescription = false;
  QuotaSettings quota;
};

struct FacebookPlatformSettings {
  std::string appId;
  Secret clientToken;  // the app's client token: device login sends APPID|CLIENT_TOKEN
  Secret appSecret;    // to exchange the user token for a long-lived one
  std::string graphUrl = "https://graph.facebook.com";
  std::string graphVersion = "v25.0";
  std::string scope = "pages_show_list,pages_read_engagement,pages_manage_posts";
  std::string pageId;  // the commune's Page; empty: the only Page the account manages
  bool autoCreate = false;
  LivePrivacy privacy = LivePrivacy::isPublic;
};

struct PeerTubePlatformSettings {
  std::string instanceUrl;  // https://videos.commune.fr
  std::string username;
  Secret password;      // used once to get tokens, never stored by Tribune
  std::string channel;  // the channel's name; empty: the account's first channel
  bool autoCreate = false;
  LivePrivacy privacy = LivePrivacy::isPublic;
};

// Questions from the platforms' chats and comments (issue 21, docs/PLATFORMS.md).
struct ChatQuestionsFrom {
  enum class Kind { all, questionMark, hashtag };
  Kind kind = Kind::questionMark;  // "all", "question_mark" (default), or a hashtag
  std::string hashtag;             // "#question", with kind hashtag; matched whole, any case
};

struct ChatSettings {
  bool read = true;  // platforms.read_comments: the lives' chats and comments into the queue
  ChatQuestionsFrom questionsFrom;
  // Off by default: when a platform question is marked answered or "réponse écrite",
  // Tribune replies under it (only then, as the result of that action).
  bool replyWhenAnswered = false;
  std::string replyText = "Votre question a été posée en séance à {heure}, merci !";
  std::string writtenReplyText = "Votre question recevra une réponse écrite, merci !";
  std::chrono::seconds facebookInterval{3};  // comments read every 3 s (Social Stream's figure)
  std::chrono::seconds peertubeInterval{5};
  // YouTube: never faster than this, nor than the server's pollingIntervalMillis, nor than
  // the budget allows for the meeting's expected length and this margin past it.
  std::chrono::seconds youtubeMinInterval{2};
  std::chrono::minutes budgetMargin{60};
  // platforms.youtube_chat_mode: "stream" (default: liveChatMessages.streamList, each
  // message as it is written, one call per ~10 s) or "list" (liveChatMessages.list, polled).
  // The stream falls back to the list by itself when it does not work.
  bool youtubeStream = true;
};

struct PlatformsSettings {
  std::optional<YouTubePlatformSettings> youtube;
  std::optional<FacebookPlatformSettings> facebook;
  std::optional<PeerTubePlatformSettings> peertube;
  LiveTemplates templates;
  std::chrono::seconds audienceInterval{60};
  std::chrono::seconds requestTimeout{20};  // one HTTP call, connection included
  ChatSettings chat;
};

struct NetworkSettings {
  // http://proxy.mairie.local:3128; none: libcurl's own (the http_proxy, https_proxy and
  // no_proxy environment variables).
  std::optional<std::string> proxy;
};

// The town hall's link to the public edges (issue 22): the town hall connects out to one
// of them. Absent: no edge, the viewers reach this Tribune directly.
struct EdgeLinkSettings {
  std::vector<EdgeAddress> urls;      // one or more; any edge will do, the next is tried when one goes away
  std::optional<std::string> caFile;  // PEM CA the edges' certificates are checked against; none: the system's
  Secret secret;                      // paired with the edges' link_secret; 32 characters at least
  std::chrono::seconds reconnectMin{1};
  std::chrono::seconds reconnectMax{30};
};

// The pre-flight check (docs/PREFLIGHT.md): where the uplink is measured. A test publish
// with a platform's real key would start the public live, so the uplink is measured only
// against a server given here (the commune's own nginx-rtmp, a provider's test ingest).
struct PreflightSettings {
  std::optional<PublishUrl> testUrl;  // rtmp:// only (the measurement reads the TCP socket)
};

struct Config {
  std::string source = "test";  // same syntax as --source
  std::optional<std::string> pipelinesDir;
  std::optional<std::string> agenda;  // agenda file, relative to the config file
  std::optional<std::string> dataDir;
  std::optional<std::string> secretsFile;
  std::string logLevel = "info";
  VideoSettings video;
  AudioSettings audio;
  RecordingSettings recording;
  RetrySettings retry;
  WatchdogSettings watchdog;
  BrandingSettings branding;
  GraphicsSettings graphics;
  WebSettings web;
  SessionSettings session;
  QuestionSettings questions;
  std::vector<DestinationSettings> destinations;
  PlatformsSettings platforms;
  NetworkSettings network;
  std::optional<EdgeLinkSettings> edge;
  PreflightSettings preflight;
};

// One problem, located by its path in the document ("destinations[1].platform").
struct ConfigProblem {
  std::string path;
  std::string message;
  friend bool operator==(const ConfigProblem&, const ConfigProblem&) = default;
};

// Where stream keys come from besides the file itself; the app implements it over the
// secrets file and the process environment.
struct SecretLookup {
  std::function<std::optional<std::string>(const std::string& name)> environment;
  std::function<std::optional<std::string>(const std::string& name)> secretsFile;
};

struct ConfigResult {
  Config config;                        // meaningful only when problems is empty
  std::vector<ConfigProblem> problems;  // every problem, in document order
  [[nodiscard]] bool ok() const { return problems.empty(); }
};

// Problems follow the document's order when it is parsed as nlohmann::ordered_json (the
// app reads the file so); a plain json keeps object members in alphabetical order.
ConfigResult parseConfig(const nlohmann::json& document, const SecretLookup& secrets);
ConfigResult parseConfig(const nlohmann::ordered_json& document, const SecretLookup& secrets);

// Destination names are shown on the console and used in paths: ^[a-z0-9][a-z0-9_-]{0,31}$.
bool isValidDestinationName(std::string_view name);

// Why the destination's platform refuses the video's keyframe interval, or nothing. The
// config checks it itself; the app calls it for destinations given on the command line.
std::optional<std::string> keyframeIntervalProblem(const DestinationSettings& destination, const VideoSettings& video);

// "youtube=KEY", "facebook=KEY" (a platform preset and its key) or "NAME=rtmp[s]://…/key".
struct DestinationArgResult {
  std::optional<DestinationSettings> destination;
  std::optional<std::string> error;  // never contains the key
};
DestinationArgResult parseDestinationArgument(const std::string& argument);

}  // namespace tribune::core
