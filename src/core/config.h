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

#include "core/publish_url.h"

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
  static constexpr int kSampleRate = 48000;
  static constexpr int kChannels = 2;
};

struct RecordingSettings {
  bool enabled = true;
  std::string directory = "recordings";  // relative to the data folder unless absolute
};

struct RetrySettings {
  std::chrono::milliseconds initialDelay{500};
  std::chrono::milliseconds maxDelay{2000};
  int maxKeyRefusals = 3;  // then Failed until "retry now"
  std::chrono::milliseconds connectTimeout{10000};
  std::chrono::milliseconds stallTimeout{5000};
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
};

struct DestinationSettings {
  std::string name;      // unique, [a-z0-9_-]+, shown on the console
  std::string platform;  // preset id or empty for a custom server
  PublishUrl url;        // includes the key
  bool enabled = true;
  bool tlsVerify = true;  // false only for throw-away test certificates; loud in the logs
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
  BrandingSettings branding;
  GraphicsSettings graphics;
  WebSettings web;
  SessionSettings session;
  std::vector<DestinationSettings> destinations;
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
