#pragma once
// Owning handles for libav objects (STYLE.md habit 4): unique_ptr with deleters, so no
// bare avformat_close_input / av_packet_free outside this file. Internal to src/archive.
extern "C" {
#include <libavcodec/packet.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
}

#include <memory>

namespace tribune::archive {

struct InputContextDeleter {
  void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
// A demuxer opened by avformat_open_input.
using InputContextPtr = std::unique_ptr<AVFormatContext, InputContextDeleter>;

struct OutputContextDeleter {
  void operator()(AVFormatContext* context) const {
    if (context->pb != nullptr && !(context->oformat->flags & AVFMT_NOFILE)) avio_closep(&context->pb);
    avformat_free_context(context);  // also frees the streams, chapters and metadata
  }
};
// A muxer from avformat_alloc_output_context2, with the file it may have opened.
using OutputContextPtr = std::unique_ptr<AVFormatContext, OutputContextDeleter>;

struct PacketDeleter {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

// An options dictionary handed to an avformat_* call, which may consume entries.
struct DictionaryHolder {
  AVDictionary* dictionary = nullptr;
  DictionaryHolder() = default;
  DictionaryHolder(const DictionaryHolder&) = delete;
  DictionaryHolder& operator=(const DictionaryHolder&) = delete;
  ~DictionaryHolder() { av_dict_free(&dictionary); }
};

}  // namespace tribune::archive
