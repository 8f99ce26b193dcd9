#include "core/youtube_chapters.h"

#include <nlohmann/json.hpp>

#include "core/live_plan.h"

namespace tribune::core {

namespace {

using Json = nlohmann::json;
constexpr std::size_t kMaxDescriptionBytes = 5000;

}  // namespace

ChaptersUpdate youTubeChaptersUpdate(std::string_view videoList, std::string_view chapters) {
  const Json document = Json::parse(videoList.begin(), videoList.end(), nullptr, false);
  if (!document.is_object() || !document.contains("items") || !document["items"].is_array()) {
    return {std::nullopt, "videos.list: items missing"};
  }
  if (document["items"].empty()) return {std::nullopt, "videos.list: the video is not found (items is empty)"};
  const Json& video = document["items"][0];
  if (!video.is_object() || !video.contains("id") || !video["id"].is_string()) {
    return {std::nullopt, "videos.list: items[0].id missing"};
  }
  if (!video.contains("snippet") || !video["snippet"].is_object()) {
    return {std::nullopt, "videos.list: items[0].snippet missing"};
  }
  Json snippet = video["snippet"];
  for (const char* required : {"title", "categoryId"}) {
    if (!snippet.contains(required) || !snippet[required].is_string()) {
      return {std::nullopt, std::string("videos.list: items[0].snippet.") + required + " missing"};
    }
  }
  // What videos.update does not take back: read-only fields of the snippet.
  for (const char* readOnly :
       {"publishedAt", "channelId", "thumbnails", "channelTitle", "liveBroadcastContent", "localized"}) {
    snippet.erase(readOnly);
  }
  std::string description = snippet.contains("description") && snippet["description"].is_string()
                                ? snippet["description"].get<std::string>()
                                : std::string();
  // Tribune's earlier block goes; the commune's own text before it stays.
  if (const auto at = description.find(std::string(kChaptersHeading)); at != std::string::npos) {
    description.erase(at);
  }
  while (!description.empty() && (description.back() == '\n' || description.back() == ' ')) description.pop_back();
  description = withoutAngleBrackets(description);
  if (description.size() > kMaxDescriptionBytes / 2) {  // room for the block, cut between characters
    std::size_t cut = kMaxDescriptionBytes / 2;
    while (cut > 0 && (static_cast<unsigned char>(description[cut]) & 0xC0) == 0x80) --cut;
    description.resize(cut);
  }
  std::string block = std::string(kChaptersHeading) + "\n";
  std::size_t from = 0;
  while (from < chapters.size()) {
    auto end = chapters.find('\n', from);
    if (end == std::string_view::npos) end = chapters.size();
    const auto line = withoutAngleBrackets(chapters.substr(from, end - from));
    from = end + 1;
    if (line.empty()) continue;
    const std::size_t size = description.size() + 2 + block.size() + line.size() + 1;
    if (size > kMaxDescriptionBytes) break;
    block += line + "\n";
  }
  snippet["description"] = description.empty() ? block : description + "\n\n" + block;
  return {Json{{"id", video["id"]}, {"snippet", snippet}}.dump(-1, ' ', false, Json::error_handler_t::replace), {}};
}

}  // namespace tribune::core
