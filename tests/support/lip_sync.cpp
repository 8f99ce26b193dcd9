#include "support/lip_sync.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "support/temp_dir.h"

namespace tribune::testing {
namespace {

constexpr int kRate = 48000;
// The energy window: one period of the 1 kHz beep, so that a steady beep's energy is flat.
constexpr std::size_t kWindow = kRate / 1000;

std::string number(double value, int decimals) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

std::string signedMs(double ms) { return (ms >= 0 ? "+" : "") + number(ms, 1) + " ms"; }

void runFfmpeg(const std::vector<std::string>& argv, const char* what, std::chrono::seconds timeout) {
  const auto result = runCommand(argv, timeout);
  if (result.timed_out) throw std::runtime_error(std::string(what) + ": ffmpeg timed out: " + describeCommand(argv));
  if (result.exit_code != 0) {
    throw std::runtime_error(std::string(what) + ": ffmpeg failed (" + std::to_string(result.exit_code) +
                             "): " + describeCommand(argv) + "\n" + result.err.substr(0, 4000));
  }
}

// The integer after `key` (showinfo pads it with spaces: "pts:   7680"); nullopt if absent.
std::optional<long long> field(const std::string& line, const std::string& key) {
  const auto at = line.find(key);
  if (at == std::string::npos) return std::nullopt;
  std::size_t pos = at + key.size();
  while (pos < line.size() && line[pos] == ' ') ++pos;
  try {
    std::size_t used = 0;
    const long long value = std::stoll(line.substr(pos, 24), &used);
    if (used == 0) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

struct VideoFrame {
  double t = 0;     // s
  double luma = 0;  // mean of the centre, 0..255
};

struct SoundFrame {
  double t = 0;           // s
  std::size_t first = 0;  // index of its first sample in the whole decoded sound
  std::size_t samples = 0;
};

// Flash onsets: the first frame at or over half-way from the background (a low
// percentile) to the brightest frame, after one under it; a flash lasts a frame or two,
// so another one is looked for only half a second later.
std::vector<double> findFlashes(const std::vector<VideoFrame>& frames) {
  std::vector<double> flashes;
  if (frames.size() < 2) return flashes;
  std::vector<double> lumas;
  for (const auto& f : frames) lumas.push_back(f.luma);
  std::sort(lumas.begin(), lumas.end());
  const double background = lumas[lumas.size() / 10];
  const double brightest = lumas.back();
  if (brightest - background < 60) return flashes;  // no flash in this picture
  const double threshold = (background + brightest) / 2;
  double last = -1e9;
  for (std::size_t i = 1; i < frames.size(); ++i) {
    if (frames[i].luma >= threshold && frames[i - 1].luma < threshold && frames[i].t - last >= 0.5) {
      flashes.push_back(frames[i].t);
      last = frames[i].t;
    }
  }
  return flashes;
}

// The time of a (fractional) sample index: its frame's PTS plus its place in the frame.
double sampleTime(const std::vector<SoundFrame>& frames, double index) {
  auto it = std::upper_bound(frames.begin(), frames.end(), index,
                             [](double i, const SoundFrame& f) { return i < static_cast<double>(f.first); });
  if (it != frames.begin()) --it;
  return it->t + (index - static_cast<double>(it->first)) / kRate;
}

// Beep onsets (see the header): energy over one period, a candidate where it rises over a
// twentieth of the loudest beep's, the beep's own steady level just after it, and the
// crossing of half that level, interpolated and moved back by half the window.
std::vector<double> findBeeps(const std::vector<std::int16_t>& samples, const std::vector<SoundFrame>& frames) {
  std::vector<double> beeps;
  if (samples.size() < 4 * kWindow || frames.empty()) return beeps;
  std::vector<double> energy(samples.size(), 0.0);
  double sum = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double x = samples[i] / 32768.0;
    sum += x * x;
    if (i >= kWindow) {
      const double old = samples[i - kWindow] / 32768.0;
      sum -= old * old;
    }
    energy[i] = std::max(0.0, sum) / kWindow;
  }
  const double loudest = *std::max_element(energy.begin(), energy.end());
  // Under about -50 dBFS there is no beep to speak of.
  if (loudest < 1e-5) return beeps;
  const double low = loudest / 20;
  const auto ms = [](double m) { return static_cast<std::size_t>(m * kRate / 1000); };
  std::size_t i = 1;
  while (i < samples.size()) {
    if (!(energy[i] >= low && energy[i - 1] < low)) {
      ++i;
      continue;
    }
    const std::size_t candidate = i;
    // The steady level: the median over 10..60 ms after the rise (the beep lasts 100).
    const std::size_t from = std::min(samples.size(), candidate + ms(10));
    const std::size_t to = std::min(samples.size(), candidate + ms(60));
    if (to <= from + ms(20)) break;
    std::vector<double> steady(energy.begin() + static_cast<std::ptrdiff_t>(from),
                               energy.begin() + static_cast<std::ptrdiff_t>(to));
    std::nth_element(steady.begin(), steady.begin() + static_cast<std::ptrdiff_t>(steady.size() / 2), steady.end());
    const double level = steady[steady.size() / 2];
    // A click, not a beep: the level does not hold.
    if (level < low) {
      i = candidate + 1;
      continue;
    }
    // Back from the steady part to the last sample under half the level.
    std::size_t j = from;
    while (j > 1 && energy[j - 1] >= level / 2) --j;
    // energy[j - 1] < level / 2 <= energy[j]
    const double e0 = energy[j - 1];
    const double e1 = energy[j];
    const double fraction = e1 > e0 ? (level / 2 - e0) / (e1 - e0) : 0.0;
    const double crossing = static_cast<double>(j - 1) + fraction;
    // A sine starting at sample s fills the trailing window linearly: half its level at
    // s + W/2 - 1.
    const double onset = crossing + 1 - static_cast<double>(kWindow) / 2;
    beeps.push_back(sampleTime(frames, std::max(0.0, onset)));
    // Re-armed once the beep is over and the energy has fallen back.
    i = candidate + ms(300);
    while (i < samples.size() && energy[i] >= low) ++i;
  }
  return beeps;
}

std::vector<LipSyncPair> pairUp(const std::vector<double>& flashes, const std::vector<double>& beeps) {
  std::vector<LipSyncPair> pairs;
  double predicted = 0;
  for (const double flash : flashes) {
    const double expected = flash + predicted;
    auto it = std::lower_bound(beeps.begin(), beeps.end(), expected);
    const double* best = nullptr;
    if (it != beeps.end()) best = &*it;
    if (it != beeps.begin() && (best == nullptr || expected - *(it - 1) < *best - expected)) best = &*(it - 1);
    if (best == nullptr || std::abs(*best - expected) > 0.5) continue;
    pairs.push_back({flash, *best});
    predicted = *best - flash;
  }
  return pairs;
}

TrackTimeline videoTimeline(const std::vector<VideoFrame>& frames) {
  TrackTimeline t;
  t.frames = frames.size();
  if (frames.empty()) return t;
  t.firstS = frames.front().t;
  t.lastS = frames.back().t;
  // The expected step: the median interval.
  std::vector<double> steps;
  for (std::size_t i = 1; i < frames.size(); ++i) steps.push_back(frames[i].t - frames[i - 1].t);
  if (steps.empty()) return t;
  std::vector<double> sorted = steps;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
  const double step = sorted[sorted.size() / 2];
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const double jumpMs = (steps[i] - step) * 1000;
    if (std::abs(jumpMs) > 5) {
      ++t.jumps;
      if (std::abs(jumpMs) > std::abs(t.largestJumpMs)) {
        t.largestJumpMs = jumpMs;
        t.largestJumpAtS = frames[i + 1].t;
      }
    }
  }
  return t;
}

TrackTimeline soundTimeline(const std::vector<SoundFrame>& frames) {
  TrackTimeline t;
  t.frames = frames.size();
  if (frames.empty()) return t;
  t.firstS = frames.front().t;
  t.lastS = frames.back().t;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const double counted = frames.front().t + static_cast<double>(frames[i].first) / kRate;
    const double driftMs = (frames[i].t - counted) * 1000;
    t.minDriftMs = std::min(t.minDriftMs, driftMs);
    t.maxDriftMs = std::max(t.maxDriftMs, driftMs);
    t.endDriftMs = driftMs;
    if (i > 0) {
      const double expected = frames[i - 1].t + static_cast<double>(frames[i - 1].samples) / kRate;
      const double jumpMs = (frames[i].t - expected) * 1000;
      if (std::abs(jumpMs) > 5) {
        ++t.jumps;
        if (std::abs(jumpMs) > std::abs(t.largestJumpMs)) {
          t.largestJumpMs = jumpMs;
          t.largestJumpAtS = frames[i].t;
        }
      }
    }
  }
  return t;
}

}  // namespace

void makeLipSyncClip(const std::filesystem::path& path, int seconds, const LipSyncClipOptions& options) {
  if (seconds < 1) throw std::invalid_argument("makeLipSyncClip: at least one second");
  if (std::abs(options.soundOffsetMs) > 400) throw std::invalid_argument("makeLipSyncClip: offset beyond ±400 ms");
  const std::string fps = std::to_string(options.fps);
  const int flashFrame = static_cast<int>(std::lround(options.fps * kLipSyncPhaseS));
  // Two white frames over grey, from the frame at the phase.
  const std::string picture = "color=c=0x404040:s=" + std::to_string(options.width) + "x" +
                              std::to_string(options.height) + ":r=" + fps + ":d=" + std::to_string(seconds) +
                              ",drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='between(mod(n," + fps + ")," +
                              std::to_string(flashFrame) + "," + std::to_string(flashFrame + 1) + ")'";
  // The beep, sample-exact: on while the time within the second is in [start, start + length).
  const double start = kLipSyncPhaseS + options.soundOffsetMs / 1000;
  const std::string sound = "aevalsrc='if(gte(t-floor(t)," + number(start, 6) + ")*lt(t-floor(t)," +
                            number(start + kLipSyncBeepS, 6) +
                            "),0.5*sin(2*PI*1000*t),0)':s=48000:d=" + std::to_string(seconds) + ":c=stereo";
  runFfmpeg({"ffmpeg", "-v",          "error", "-y",    "-f",        "lavfi",     "-i",         picture,
             "-f",     "lavfi",       "-i",    sound,   "-c:v",      "libx264",   "-preset",    "ultrafast",
             "-tune",  "zerolatency", "-g",    fps,     "-pix_fmt",  "yuv420p",   "-c:a",       "aac",
             "-b:a",   "128k",        "-ar",   "48000", "-shortest", "-movflags", "+faststart", path.string()},
            "makeLipSyncClip", std::chrono::seconds(std::max(120, seconds / 4)));
}

void shiftSoundTimestamps(const std::filesystem::path& clip, const std::filesystem::path& out, double ms) {
  runFfmpeg({"ffmpeg", "-v", "error", "-y", "-i", clip.string(), "-itsoffset", number(ms / 1000, 6), "-i",
             clip.string(), "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", out.string()},
            "shiftSoundTimestamps", std::chrono::seconds(60));
}

Process lipSyncSrtSender(const std::filesystem::path& clip, int port, const std::optional<std::filesystem::path>& log) {
  std::vector<std::string> argv{"ffmpeg",
                                "-hide_banner",
                                "-nostats",
                                "-re",
                                "-stream_loop",
                                "-1",
                                "-i",
                                clip.string(),
                                "-c",
                                "copy",
                                "-f",
                                "mpegts",
                                "srt://127.0.0.1:" + std::to_string(port) + "?mode=listener"};
  ProcessOptions options;
  options.out = log ? Redirect::appendTo(*log) : Redirect::discard();
  options.err = log ? Redirect::appendTo(*log) : Redirect::discard();
  return Process(argv, options);
}

int freeUdpLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) throw std::runtime_error("no UDP socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("no free UDP port on 127.0.0.1");
  return ntohs(address.sin_port);
}

std::vector<LipSyncPair> LipSyncReading::pairsFrom(double fromS) const {
  std::vector<LipSyncPair> out;
  for (const auto& p : pairs) {
    if (p.pictureS >= fromS) out.push_back(p);
  }
  return out;
}

LipSyncReading readLipSync(const std::string& file) {
  TempDir dir("tribune-lip-sync");
  const auto raw = dir / "sound.s16";
  const auto log = dir / "ffmpeg.txt";
  // Both tracks in microseconds (settb), frames never re-timed (passthrough): showinfo and
  // ashowinfo print each frame's PTS. The picture's centre, small and grey, is all the
  // flash needs; the sound mono at 48 kHz.
  const std::vector<std::string> argv{
      "ffmpeg",
      "-hide_banner",
      "-nostats",
      "-y",
      "-i",
      file,
      "-filter_complex",
      "[0:v:0]crop=iw/2:ih/2,scale=16:16,format=gray,settb=AVTB,showinfo[v];"
      "[0:a:0]aresample=48000,aformat=sample_fmts=s16:channel_layouts=mono,asettb=AVTB,ashowinfo[a]",
      "-map",
      "[v]",
      "-fps_mode",
      "passthrough",
      "-f",
      "null",
      "-",
      "-map",
      "[a]",
      "-f",
      "s16le",
      raw.string()};
  ProcessOptions options;
  options.out = Redirect::discard();
  options.err = Redirect::toFile(log);
  Process ffmpeg(argv, options);
  const auto status = ffmpeg.waitFor(std::chrono::minutes(30));
  if (!status) {
    ffmpeg.kill9();
    throw std::runtime_error("readLipSync: ffmpeg timed out on " + file);
  }
  const std::string text = readTextFile(log);
  if (*status != 0) {
    throw std::runtime_error("readLipSync: ffmpeg failed (" + std::to_string(*status) + ") on " + file + ":\n" +
                             text.substr(text.size() > 4000 ? text.size() - 4000 : 0));
  }

  std::vector<VideoFrame> video;
  std::vector<SoundFrame> sound;
  std::size_t samples = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const bool isVideo = line.find("[Parsed_showinfo") != std::string::npos;
    const bool isSound = line.find("[Parsed_ashowinfo") != std::string::npos;
    if (!isVideo && !isSound) continue;
    const auto n = field(line, "] n:");
    const auto pts = field(line, " pts:");
    if (!n || !pts) continue;
    const double t = static_cast<double>(*pts) / 1e6;
    if (isVideo) {
      const auto mean = field(line, "mean:[");
      if (!mean) continue;
      video.push_back({t, static_cast<double>(*mean)});
    } else {
      const auto count = field(line, "nb_samples:");
      if (!count || *count <= 0) continue;
      sound.push_back({t, samples, static_cast<std::size_t>(*count)});
      samples += static_cast<std::size_t>(*count);
    }
  }
  const std::string bytes = readTextFile(raw);
  std::vector<std::int16_t> pcm(bytes.size() / 2);
  for (std::size_t i = 0; i < pcm.size(); ++i) {
    pcm[i] = static_cast<std::int16_t>(static_cast<std::uint8_t>(bytes[i * 2]) |
                                       (static_cast<std::uint8_t>(bytes[i * 2 + 1]) << 8));
  }
  if (pcm.size() != samples) {
    throw std::runtime_error("readLipSync: ffmpeg wrote " + std::to_string(pcm.size()) + " samples of " + file +
                             " but showed frames of " + std::to_string(samples));
  }

  LipSyncReading reading;
  reading.flashes = findFlashes(video);
  reading.beeps = findBeeps(pcm, sound);
  reading.pairs = pairUp(reading.flashes, reading.beeps);
  reading.video = videoTimeline(video);
  reading.audio = soundTimeline(sound);
  return reading;
}

std::string describePairs(const std::vector<LipSyncPair>& pairs) {
  std::string text;
  for (const auto& p : pairs) {
    if (!text.empty()) text += ", ";
    text += number(p.pictureS, 2) + " s " + signedMs(p.offsetMs());
  }
  return text.empty() ? "(no flash paired with a beep)" : text;
}

std::string describeTimelines(const LipSyncReading& r) {
  return "picture: " + std::to_string(r.video.frames) + " frames from " + number(r.video.firstS, 3) + " s to " +
         number(r.video.lastS, 3) + " s, " + std::to_string(r.video.jumps) + " irregular steps (largest " +
         signedMs(r.video.largestJumpMs) + " at " + number(r.video.largestJumpAtS, 2) +
         " s); sound: " + std::to_string(r.audio.frames) + " frames from " + number(r.audio.firstS, 3) + " s to " +
         number(r.audio.lastS, 3) + " s, stamped vs counted from its samples " + signedMs(r.audio.endDriftMs) +
         " at the end (" + signedMs(r.audio.minDriftMs) + " to " + signedMs(r.audio.maxDriftMs) + "), " +
         std::to_string(r.audio.jumps) + " holes or overlaps (largest " + signedMs(r.audio.largestJumpMs) + " at " +
         number(r.audio.largestJumpAtS, 2) + " s); " + std::to_string(r.flashes.size()) + " flashes, " +
         std::to_string(r.beeps.size()) + " beeps";
}

OffsetSpread offsetSpread(const std::vector<LipSyncPair>& pairs) {
  OffsetSpread s;
  s.count = pairs.size();
  if (pairs.empty()) return s;
  std::vector<double> offsets;
  for (const auto& p : pairs) offsets.push_back(p.offsetMs());
  std::sort(offsets.begin(), offsets.end());
  s.minMs = offsets.front();
  s.maxMs = offsets.back();
  const auto n = offsets.size();
  s.medianMs = n % 2 == 1 ? offsets[n / 2] : (offsets[n / 2 - 1] + offsets[n / 2]) / 2;
  return s;
}

std::vector<LipSyncPair> pairsOutside(const std::vector<LipSyncPair>& pairs, double minMs, double maxMs) {
  std::vector<LipSyncPair> out;
  for (const auto& p : pairs) {
    if (p.offsetMs() < minMs || p.offsetMs() > maxMs) out.push_back(p);
  }
  return out;
}

double offsetDriftMsPerS(const std::vector<LipSyncPair>& pairs) {
  if (pairs.size() < 2) return 0;
  double mx = 0, my = 0;
  for (const auto& p : pairs) {
    mx += p.pictureS;
    my += p.offsetMs();
  }
  mx /= static_cast<double>(pairs.size());
  my /= static_cast<double>(pairs.size());
  double sxy = 0, sxx = 0;
  for (const auto& p : pairs) {
    sxy += (p.pictureS - mx) * (p.offsetMs() - my);
    sxx += (p.pictureS - mx) * (p.pictureS - mx);
  }
  return sxx > 0 ? sxy / sxx : 0;
}

}  // namespace tribune::testing
