#include "archive/input_file.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/mathematics.h>
}

#include <algorithm>
#include <cstring>
#include <system_error>
#include <utility>

#include "archive/libav_library.h"

namespace tribune::archive {
namespace {

constexpr AVRational kNanoseconds{1, 1'000'000'000};

std::string codecName(AVCodecID id) {
  const char* name = avcodec_get_name(id);
  return name != nullptr ? name : "unknown";
}

std::string describeParameters(const AVCodecParameters& p) {
  std::string text = codecName(p.codec_id);
  if (p.codec_type == AVMEDIA_TYPE_VIDEO) {
    text += " " + std::to_string(p.width) + "x" + std::to_string(p.height);
  } else if (p.codec_type == AVMEDIA_TYPE_AUDIO) {
    text += " " + std::to_string(p.sample_rate) + " Hz " + std::to_string(p.ch_layout.nb_channels) + " channels";
  }
  return text;
}

// Empty when a stream of `mine` can continue one of `theirs` in a single MP4 track.
std::string parameterDifference(const char* kind, const AVCodecParameters* mine, const AVCodecParameters* theirs) {
  if ((mine == nullptr) != (theirs == nullptr)) {
    return std::string(mine == nullptr ? "no " : "an ") + kind + " stream where the other has " +
           (theirs == nullptr ? "none" : "one");
  }
  if (mine == nullptr) return {};
  bool same = mine->codec_id == theirs->codec_id && mine->width == theirs->width && mine->height == theirs->height &&
              mine->sample_rate == theirs->sample_rate && mine->ch_layout.nb_channels == theirs->ch_layout.nb_channels;
  if (!same) return std::string(kind) + " " + describeParameters(*mine) + " vs " + describeParameters(*theirs);
  // One MP4 track has one decoder configuration (avcC / esds): frames encoded against
  // other H.264 parameter sets would decode as garbage.
  bool sameConfiguration =
      mine->extradata_size == theirs->extradata_size &&
      (mine->extradata_size == 0 || std::memcmp(mine->extradata, theirs->extradata, mine->extradata_size) == 0);
  if (!sameConfiguration) return std::string(kind) + " decoder configuration (codec private data) differs";
  return {};
}

}  // namespace

InputFile::InputFile(std::filesystem::path file) : path_(std::move(file)) {
  ensureLibav();
  std::error_code error;
  auto status = std::filesystem::status(path_, error);
  if (!std::filesystem::exists(status)) throw ArchiveError(describeError("no such file"));
  if (std::filesystem::is_directory(status)) throw ArchiveError(describeError("is a folder, not a recording"));

  AVFormatContext* raw = nullptr;
  // "file:" so that a name with a colon is never taken for another protocol. Opened for
  // reading only.
  std::string url = "file:" + path_.string();
  if (int ret = avformat_open_input(&raw, url.c_str(), nullptr, nullptr); ret < 0) {
    throw ArchiveError(describeError("cannot be read as a recording: " + libavErrorText(ret)));
  }
  context_.reset(raw);
  if (int ret = avformat_find_stream_info(context_.get(), nullptr); ret < 0) {
    throw ArchiveError(describeError("cannot find its streams: " + libavErrorText(ret)));
  }
  for (unsigned i = 0; i < context_->nb_streams; ++i) {
    AVStream* stream = context_->streams[i];
    if (stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && video_ == nullptr &&
        !(stream->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      video_ = stream;
    } else if (stream->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && audio_ == nullptr) {
      audio_ = stream;
    }
  }
  if (video_ == nullptr) throw ArchiveError(describeError("has no video stream"));
}

std::int64_t InputFile::toNs(std::int64_t ts, const AVStream* stream) {
  return av_rescale_q(ts, stream->time_base, kNanoseconds);
}

std::int64_t InputFile::fromNs(std::int64_t ns, const AVStream* stream) {
  return av_rescale_q(ns, kNanoseconds, stream->time_base);
}

bool InputFile::packetTimeNs(const AVPacket& packet, const AVStream* stream, std::int64_t& ns) {
  std::int64_t ts = packet.pts != AV_NOPTS_VALUE ? packet.pts : packet.dts;
  if (ts == AV_NOPTS_VALUE) return false;
  ns = toNs(ts, stream);
  return true;
}

std::int64_t InputFile::nominalFrameNs() const {
  for (AVRational rate : {video_->avg_frame_rate, video_->r_frame_rate}) {
    if (rate.num > 0 && rate.den > 0) return av_rescale_q(1, av_inv_q(rate), kNanoseconds);
  }
  return 0;
}

std::vector<StreamInfo> InputFile::describe() const {
  std::vector<StreamInfo> streams;
  for (const AVStream* stream : {video_, audio_}) {
    if (stream == nullptr) continue;
    const AVCodecParameters& p = *stream->codecpar;
    StreamInfo info;
    info.kind = stream == video_ ? "video" : "audio";
    info.codec = codecName(p.codec_id);
    info.width = p.width;
    info.height = p.height;
    info.sampleRate = p.sample_rate;
    info.channels = p.ch_layout.nb_channels;
    streams.push_back(std::move(info));
  }
  return streams;
}

std::string InputFile::incompatibilityWith(const InputFile& other) const {
  std::string difference = parameterDifference("video", video_->codecpar, other.video_->codecpar);
  if (difference.empty()) {
    difference = parameterDifference("audio", audio_ != nullptr ? audio_->codecpar : nullptr,
                                     other.audio_ != nullptr ? other.audio_->codecpar : nullptr);
  }
  return difference;
}

bool InputFile::seekToKeyFrameBefore(std::int64_t ns) {
  std::int64_t ts = fromNs(ns, video_);
  return avformat_seek_file(context_.get(), video_->index, INT64_MIN, ts, ts, 0) >= 0;
}

std::string InputFile::describeError(const std::string& what) const { return path_.string() + ": " + what; }

}  // namespace tribune::archive
