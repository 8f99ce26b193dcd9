#include "test_recordings.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "support/ffprobe.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace tribune::testing {
namespace {

const TempDir& recordingsDir() {
  static TempDir dir("tribune-archive-recordings");
  return dir;
}

void run(const std::vector<std::string>& argv) {
  CommandResult result = runCommand(argv, std::chrono::seconds(60));
  if (result.exit_code != 0) {
    throw std::runtime_error("failed (" + std::to_string(result.exit_code) + "): " + describeCommand(argv) + "\n" +
                             result.err);
  }
}

std::filesystem::path makeGstreamerRecording(const std::string& name, int width, int height) {
  std::filesystem::path file = recordingsDir() / name;
  run({"gst-launch-1.0",
       "-q",
       "-e",
       "videotestsrc",
       "num-buffers=180",
       "!",
       "video/x-raw,format=I420,width=" + std::to_string(width) + ",height=" + std::to_string(height) +
           ",framerate=30/1",
       "!",
       "x264enc",
       "bframes=3",
       "key-int-max=60",
       "speed-preset=veryfast",
       "bitrate=400",
       "!",
       "h264parse",
       "!",
       "matroskamux",
       "streamable=true",
       "name=m",
       "!",
       "filesink",
       "location=" + file.string(),
       "audiotestsrc",
       "num-buffers=282",
       "!",
       "audio/x-raw,rate=48000,channels=2",
       "!",
       "avenc_aac",
       "!",
       "aacparse",
       "!",
       "m."});
  return file;
}

}  // namespace

const std::filesystem::path& huisClosRecording() {
  static const std::filesystem::path file = [] {
    std::filesystem::path path = recordingsDir() / "huis-clos.mkv";
    run({"ffmpeg",
         "-v",
         "error",
         "-y",
         "-f",
         "lavfi",
         "-i",
         "testsrc=size=320x240:rate=30:duration=10",
         "-f",
         "lavfi",
         "-i",
         "sine=frequency=440:sample_rate=48000:duration=10",
         "-vf",
         "setpts='if(gte(T,4),PTS+6/TB,PTS)'",
         "-af",
         "asetpts='if(gte(T,4),PTS+6/TB,PTS)'",
         "-fps_mode",
         "passthrough",
         "-pix_fmt",
         "yuv420p",
         "-c:v",
         "libx264",
         "-preset",
         "veryfast",
         "-profile:v",
         "high",
         "-bf",
         "3",
         "-g",
         "60",
         "-keyint_min",
         "60",
         "-sc_threshold",
         "0",
         "-c:a",
         "aac",
         "-ac",
         "2",
         "-live",
         "1",
         "-f",
         "matroska",
         path.string()});
    return path;
  }();
  return file;
}

const std::filesystem::path& gstreamerRecording() {
  static const std::filesystem::path file = makeGstreamerRecording("gstreamer.mkv", 320, 240);
  return file;
}

const std::filesystem::path& smallGstreamerRecording() {
  static const std::filesystem::path file = makeGstreamerRecording("gstreamer-small.mkv", 160, 120);
  return file;
}

std::vector<long long> packetSizes(const std::filesystem::path& file, const std::string& stream, double from,
                                   double to) {
  std::vector<long long> sizes;
  for (const Packet& packet : probePackets(file.string(), stream)) {
    if (packet.pts_time >= from && packet.pts_time < to) sizes.push_back(packet.size);
  }
  return sizes;
}

std::vector<std::string> topLevelBoxes(const std::filesystem::path& file) {
  std::string bytes = readBytes(file);
  std::vector<std::string> boxes;
  std::size_t at = 0;
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  while (at + 8 <= bytes.size()) {
    std::uint64_t size = (std::uint64_t{byte(at)} << 24) | (byte(at + 1) << 16) | (byte(at + 2) << 8) | byte(at + 3);
    boxes.push_back(bytes.substr(at + 4, 4));
    if (size == 1 && at + 16 <= bytes.size()) {  // 64-bit "largesize"
      size = 0;
      for (std::size_t i = 0; i < 8; ++i) size = (size << 8) | byte(at + 8 + i);
    } else if (size == 0) {  // to the end of the file
      size = bytes.size() - at;
    }
    if (size < 8) throw std::runtime_error("broken box size in " + file.string());
    at += size;
  }
  return boxes;
}

std::string readBytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace tribune::testing
