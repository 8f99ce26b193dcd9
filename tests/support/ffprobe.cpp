#include "support/ffprobe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "support/process.h"

namespace tribune::testing {
namespace {

nlohmann::json runProbe(std::vector<std::string> args, const std::string& path_or_url) {
  std::vector<std::string> argv{"ffprobe", "-v", "error", "-print_format", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(path_or_url);
  CommandResult result = runCommand(argv, kProbeTimeout);
  if (result.timed_out) {
    throw std::runtime_error("ffprobe timed out on " + path_or_url + ": " + result.err);
  }
  if (result.exit_code != 0) {
    throw std::runtime_error("ffprobe failed (" + std::to_string(result.exit_code) + ") on " + path_or_url + ": " +
                             result.err);
  }
  try {
    return nlohmann::json::parse(result.out);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("ffprobe printed no JSON for " + path_or_url + ": " + e.what() +
                             "; stderr: " + result.err);
  }
}

// ffprobe prints numbers as strings ("0.011000", "7155") and leaves out or writes "N/A"
// for unknown values.
double numberField(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::numeric_limits<double>::quiet_NaN();
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    try {
      std::size_t used = 0;
      double value = std::stod(text, &used);
      if (used == text.size()) return value;
    } catch (const std::exception&) {
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

const nlohmann::json& streamOfType(const nlohmann::json& probe, const std::string& type) {
  if (probe.contains("streams")) {
    for (const auto& stream : probe["streams"]) {
      if (stream.value("codec_type", "") == type) return stream;
    }
  }
  throw std::runtime_error("no " + type + " stream in ffprobe output: " + probe.dump());
}

}  // namespace

nlohmann::json probeStreams(const std::string& path_or_url) {
  return runProbe({"-show_streams", "-show_format"}, path_or_url);
}

std::vector<Packet> probePackets(const std::string& path_or_url, const std::string& stream) {
  if (stream != "v" && stream != "a") {
    throw std::invalid_argument("probePackets: stream must be \"v\" or \"a\", not " + stream);
  }
  nlohmann::json probe =
      runProbe({"-select_streams", stream + ":0", "-show_entries", "packet=pts_time,dts_time,size,flags"}, path_or_url);
  std::vector<Packet> packets;
  if (!probe.contains("packets")) return packets;
  for (const auto& p : probe["packets"]) {
    Packet packet;
    packet.pts_time = numberField(p, "pts_time");
    packet.dts_time = numberField(p, "dts_time");
    double size = numberField(p, "size");
    packet.size = std::isnan(size) ? 0 : static_cast<long long>(size);
    packet.keyframe = p.value("flags", "").find('K') != std::string::npos;
    packets.push_back(packet);
  }
  return packets;
}

std::vector<double> keyframeTimes(const std::string& path_or_url) {
  std::vector<double> times;
  for (const Packet& packet : probePackets(path_or_url, "v")) {
    if (packet.keyframe) times.push_back(packet.pts_time);
  }
  return times;
}

const nlohmann::json& videoStream(const nlohmann::json& probe) { return streamOfType(probe, "video"); }

const nlohmann::json& audioStream(const nlohmann::json& probe) { return streamOfType(probe, "audio"); }

std::vector<ChapterInfo> probeChapters(const std::string& path) {
  nlohmann::json probe = runProbe({"-show_chapters"}, path);
  std::vector<ChapterInfo> chapters;
  if (!probe.contains("chapters")) return chapters;
  for (const auto& c : probe["chapters"]) {
    ChapterInfo chapter;
    chapter.start = numberField(c, "start_time");
    chapter.end = numberField(c, "end_time");
    if (c.contains("tags")) chapter.title = c["tags"].value("title", "");
    chapters.push_back(std::move(chapter));
  }
  return chapters;
}

double durationSeconds(const std::string& path_or_url) {
  nlohmann::json probe = runProbe({"-show_format"}, path_or_url);
  if (probe.contains("format")) {
    double duration = numberField(probe["format"], "duration");
    if (!std::isnan(duration) && duration > 0) return duration;
  }
  // No duration in the container: measure the packets of whichever streams there are.
  double first = std::numeric_limits<double>::infinity();
  double last = -std::numeric_limits<double>::infinity();
  for (const char* stream : {"v", "a"}) {
    for (const Packet& packet : probePackets(path_or_url, stream)) {
      double t = std::isnan(packet.pts_time) ? packet.dts_time : packet.pts_time;
      if (std::isnan(t)) continue;
      first = std::min(first, t);
      last = std::max(last, t);
    }
  }
  if (last < first) throw std::runtime_error("ffprobe finds no duration in " + path_or_url);
  return last - first;
}

}  // namespace tribune::testing
