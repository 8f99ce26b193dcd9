#pragma once
// Recordings for the archive tests, made once per test run with the real tools: ffmpeg
// (libx264 + aac into Matroska, to draw a huis clos gap with setpts) and gst-launch-1.0
// (x264enc + avenc_aac into matroskamux streamable=true, exactly as Tribune records).
#include <filesystem>
#include <string>
#include <vector>

namespace tribune::testing {

// 10 s of 320x240 30 fps H.264 High (B-frames, a key frame every 60 frames) and 48 kHz
// stereo AAC, in Matroska, where everything after 4 s of picture is shifted by +6 s: two
// spans with a 6 s hole in the timestamps of both tracks. ffmpeg starts the picture at
// 21 ms (the AAC encoder's priming), so the spans are about [0.021, 4.021) and
// [10.021, 16.021).
const std::filesystem::path& huisClosRecording();

// 6 s as matroskamux streamable=true writes it (320x240 unless said otherwise).
const std::filesystem::path& gstreamerRecording();
const std::filesystem::path& smallGstreamerRecording();  // 160x120

// Sizes of the video ("v") or audio ("a") packets whose PTS (s) is in [from, to), in
// file order, as ffprobe reads them.
std::vector<long long> packetSizes(const std::filesystem::path& file, const std::string& stream, double from,
                                   double to);

// The top-level ISO BMFF boxes of an MP4, in file order ("ftyp", "moov", "mdat", ...).
std::vector<std::string> topLevelBoxes(const std::filesystem::path& file);

std::string readBytes(const std::filesystem::path& file);

}  // namespace tribune::testing
