#pragma once
// The replay's chapters written into the YouTube video's description (issue 20,
// platforms.youtube.chapters_in_description). videos.update replaces every field of the
// parts it is given, so the video is read first (videos.list?part=snippet), its snippet
// kept whole, and only the description's chapters block replaced or appended. Pure.
#include <optional>
#include <string>
#include <string_view>

namespace tribune::core {

// The line that opens Tribune's block in a description; what follows it (to the end) is
// Tribune's and is replaced at each writing.
inline constexpr std::string_view kChaptersHeading = "Chapitres :";

struct ChaptersUpdate {
  std::optional<std::string> body;  // the PUT videos?part=snippet body
  std::string error;                // when body is empty: what was wrong with the answer
};
// `videoList`: the answer of videos.list?part=snippet&id=…; `chapters`: "00:00 Titre" lines
// (archive's chapitres-youtube.txt). The description stays within 5000 bytes (the chapters
// are cut at a line) and '<' '>' are replaced, as YouTube refuses them.
ChaptersUpdate youTubeChaptersUpdate(std::string_view videoList, std::string_view chapters);

}  // namespace tribune::core
