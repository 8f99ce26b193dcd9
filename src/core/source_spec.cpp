#include "core/source_spec.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace tribune::core {
namespace {

bool startsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool allDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

// gst-launch double-quoted string: backslash and double quote are escaped.
std::string quoteForLaunch(std::string_view value) {
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

SourceSpecResult parseSourceSpec(std::string_view text) {
  if (text == "test") return {SourceSpec{"test", {}}, std::nullopt};
  if (startsWith(text, "rtsp://") || startsWith(text, "rtsps://")) {
    if (text.size() <= text.find("://") + 3) return {std::nullopt, "l'adresse rtsp:// n'a pas de serveur"};
    return {SourceSpec{"rtsp", {{"uri", std::string(text)}}}, std::nullopt};
  }
  if (startsWith(text, "srt://")) {
    if (text.size() <= 6) return {std::nullopt, "l'adresse srt:// n'a pas de serveur"};
    return {SourceSpec{"srt", {{"uri", std::string(text)}}}, std::nullopt};
  }
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return {std::nullopt, "source inconnue « " + std::string(text) +
                              " » : utilisez test, file:CHEMIN, v4l2:/dev/videoN, rtsp://…, srt://… ou decklink:N"};
  }
  const std::string_view kind = text.substr(0, colon);
  const std::string_view rest = text.substr(colon + 1);
  if (kind == "file") {
    if (rest.empty()) return {std::nullopt, "file: demande un chemin, par exemple file:/home/mairie/essai.mp4"};
    return {SourceSpec{"file", {{"path", std::string(rest)}}}, std::nullopt};
  }
  if (kind == "v4l2") {
    if (!startsWith(rest, "/dev/video") || !allDigits(rest.substr(10))) {
      return {std::nullopt, "v4l2: demande un périphérique de capture comme v4l2:/dev/video0 (voir `tribune devices`)"};
    }
    return {SourceSpec{"v4l2", {{"device", std::string(rest)}}}, std::nullopt};
  }
  if (kind == "decklink") {
    if (!allDigits(rest)) return {std::nullopt, "decklink: demande un numéro de carte comme decklink:0"};
    return {SourceSpec{"decklink", {{"device_number", std::string(rest)}}}, std::nullopt};
  }
  return {std::nullopt, "type de source inconnu « " + std::string(kind) +
                            " » : utilisez test, file:CHEMIN, v4l2:/dev/videoN, rtsp://…, srt://… ou decklink:N"};
}

PresetResult expandPreset(std::string_view preset, const std::map<std::string, std::string>& params) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const auto open = preset.find("{{", pos);
    if (open == std::string_view::npos) break;
    const auto close = preset.find("}}", open + 2);
    if (close == std::string_view::npos) return {std::nullopt, "« {{ » jamais refermé dans le préréglage"};
    const std::string name(preset.substr(open + 2, close - open - 2));
    const auto value = params.find(name);
    if (value == params.end())
      return {std::nullopt, "le préréglage utilise {{" + name + "}} mais la source ne donne pas " + name};
    out.append(preset.substr(pos, open - pos));
    out += quoteForLaunch(value->second);
    pos = close + 2;
  }
  out.append(preset.substr(pos));
  return {out, std::nullopt};
}

PresetFileResult readPresetFile(std::string_view text) {
  constexpr std::string_view kDirective = "tribune:";
  constexpr std::string_view kBlank = " \t\r";
  PresetFile preset;
  int number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++number;
    const auto first = line.find_first_not_of(kBlank);
    if (first == std::string_view::npos || line[first] != '#') {
      preset.body.append(line).push_back('\n');
      continue;
    }
    std::string_view comment = line.substr(first + 1);
    comment.remove_prefix(std::min(comment.size(), comment.find_first_not_of(kBlank)));
    if (!startsWith(comment, kDirective)) continue;
    std::string_view word = comment.substr(kDirective.size());
    word.remove_prefix(std::min(word.size(), word.find_first_not_of(kBlank)));
    std::size_t length = 0;
    while (length < word.size() && (std::isalnum(static_cast<unsigned char>(word[length])) != 0 ||
                                    word[length] == '_' || word[length] == '-')) {
      ++length;
    }
    word = word.substr(0, length);
    if (word == "loop") {
      preset.loop = true;
    } else if (word == "network") {
      preset.network = true;
    } else if (word == "capture") {
      preset.soundClock = SoundClock::Capture;
    } else {
      std::string trimmed(line.substr(first));
      while (!trimmed.empty() && kBlank.find(trimmed.back()) != std::string_view::npos) trimmed.pop_back();
      return {std::nullopt, "ligne " + std::to_string(number) + ": directive inconnue « " + trimmed +
                                " » (connues : « # tribune: loop », « # tribune: network », « # tribune: capture »)"};
    }
  }
  return {std::move(preset), std::nullopt};
}

}  // namespace tribune::core
