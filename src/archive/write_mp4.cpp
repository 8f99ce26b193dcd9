// writeMp4: the replay, by stream copy from pieces of recordings. See archive.h for the
// timestamp rules (rebuilt DTS, edit list for the B-frame delay, no constant shift).
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

extern "C" {
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>
}

#include "archive/archive.h"
#include "archive/decode_timeline.h"
#include "archive/input_file.h"
#include "archive/libav_library.h"
#include "archive/libav_ptr.h"
#include "archive/temporary_file.h"

namespace tribune::archive {
namespace {

constexpr AVRational kNanoseconds{1, 1'000'000'000};
// Reading stops once every stream has gone this far past a piece's end: B-frames arrive
// a few frames after their PTS would suggest, and around a huis clos gap one track's last
// packets before the gap may be stored after the other track's first packets after it.
constexpr std::int64_t kReadPastNs = 1'000'000'000;
// The seek lands on a key frame at least this far before the piece, so that audio stored
// just before the piece's first key frame is read too.
constexpr std::int64_t kSeekAheadNs = 1'000'000'000;

// A packet waiting for the rest of its GOP, with its time in the replay.
struct PendingPacket {
  PacketPtr packet;
  bool video = false;
  std::int64_t replayPtsNs = 0;
  std::int64_t durationNs = 0;
};

// The MP4 being written: its two streams, the timestamp bookkeeping, the libav muxer.
class Mp4Muxer {
 public:
  Mp4Muxer(const std::filesystem::path& out, const std::filesystem::path& file, const InputFile& reference,
           const ReplaySpec& spec)
      : out_(out) {
    AVFormatContext* raw = nullptr;
    std::string url = "file:" + file.string();
    if (int ret = avformat_alloc_output_context2(&raw, nullptr, "mp4", url.c_str()); ret < 0) {
      throw ArchiveError(fail("cannot set up the MP4 muxer: " + libavErrorText(ret)));
    }
    context_.reset(raw);
    // No creation time, no "Lavf59..." encoder tag: the same spec gives the same bytes.
    context_->flags |= AVFMT_FLAG_BITEXACT;
    video_ = addStream(reference.video());
    if (reference.audio() != nullptr) audio_ = addStream(reference.audio());
    for (const auto& [key, value] : spec.metadata) {
      if (av_dict_set(&context_->metadata, key.c_str(), value.c_str(), 0) < 0) {
        throw ArchiveError(fail("cannot set metadata " + key));
      }
    }
    addChapters(spec.chapters);
    // Opened for writing here, read again by the muxer itself for +faststart.
    if (int ret = avio_open(&context_->pb, url.c_str(), AVIO_FLAG_WRITE); ret < 0) {
      throw ArchiveError(fail("cannot open " + file.string() + " for writing: " + libavErrorText(ret)));
    }
    DictionaryHolder options;
    av_dict_set(&options.dictionary, "movflags", "+faststart", 0);
    if (int ret = avformat_write_header(context_.get(), &options.dictionary); ret < 0) {
      throw ArchiveError(fail("cannot start the MP4: " + libavErrorText(ret)));
    }
  }

  // Writes one GOP (its video and the audio read alongside), in reading order.
  void writeGop(std::vector<PendingPacket>& gop, const std::filesystem::path& source) {
    std::vector<std::int64_t> videoPts;
    for (const PendingPacket& p : gop) {
      if (p.video) videoPts.push_back(av_rescale_q(p.replayPtsNs, kNanoseconds, video_->time_base));
    }
    std::optional<std::vector<std::int64_t>> videoDts = timeline_.assign(videoPts);
    if (!videoDts) {
      throw ArchiveError(fail(source.string() + ": its video frames' timestamps cannot be put in decode order"));
    }
    std::size_t nextVideo = 0;
    for (PendingPacket& p : gop) {
      AVPacket* packet = p.packet.get();
      AVStream* stream = p.video ? video_ : audio_;
      packet->stream_index = stream->index;
      packet->duration = av_rescale_q(p.durationNs, kNanoseconds, stream->time_base);
      packet->pos = -1;
      if (p.video) {
        packet->pts = videoPts[nextVideo];
        packet->dts = (*videoDts)[nextVideo];
        ++nextVideo;
      } else {
        // AAC frames are presented in decode order: PTS = DTS, strictly increasing.
        std::int64_t ts = av_rescale_q(p.replayPtsNs, kNanoseconds, stream->time_base);
        if (lastAudioDts_ && ts <= *lastAudioDts_) ts = *lastAudioDts_ + 1;
        packet->pts = packet->dts = ts;
        lastAudioDts_ = ts;
      }
      // Takes the packet's data and leaves it blank.
      if (int ret = av_interleaved_write_frame(context_.get(), packet); ret < 0) {
        throw ArchiveError(fail("cannot write a packet from " + source.string() + ": " + libavErrorText(ret)));
      }
    }
    gop.clear();
  }

  // Writes the index ('moov', moved before the data) and closes the file.
  void finish() {
    if (int ret = av_write_trailer(context_.get()); ret < 0) {
      throw ArchiveError(fail("cannot finish the MP4: " + libavErrorText(ret)));
    }
    if (int ret = avio_closep(&context_->pb); ret < 0) {
      throw ArchiveError(fail("cannot close the MP4: " + libavErrorText(ret)));
    }
  }

  bool hasAudio() const { return audio_ != nullptr; }

 private:
  std::string fail(const std::string& what) const { return out_.string() + ": " + what; }

  AVStream* addStream(const AVStream* input) {
    AVStream* stream = avformat_new_stream(context_.get(), nullptr);
    if (stream == nullptr || avcodec_parameters_copy(stream->codecpar, input->codecpar) < 0) {
      throw ArchiveError(fail("out of memory while adding a stream"));
    }
    stream->codecpar->codec_tag = 0;       // Matroska's tag means nothing in MP4
    stream->time_base = input->time_base;  // a hint: the muxer picks its own time scale
    return stream;
  }

  void addChapters(const std::vector<Chapter>& chapters) {
    std::int64_t previousEnd = 0;
    for (const Chapter& chapter : chapters) {
      if (chapter.startNs < previousEnd || chapter.endNs <= chapter.startNs) {
        throw ArchiveError(fail("chapter \"" + chapter.title +
                                "\" starts before the previous one ends or does not end after it starts"));
      }
      previousEnd = chapter.endNs;
    }
    if (chapters.empty()) return;
    // What avpriv_new_chapter does for demuxers; avformat_free_context frees it all.
    context_->chapters = static_cast<AVChapter**>(av_calloc(chapters.size(), sizeof(AVChapter*)));
    if (context_->chapters == nullptr) throw ArchiveError(fail("out of memory while adding chapters"));
    for (const Chapter& chapter : chapters) {
      auto* c = static_cast<AVChapter*>(av_mallocz(sizeof(AVChapter)));
      if (c == nullptr) throw ArchiveError(fail("out of memory while adding chapters"));
      context_->chapters[context_->nb_chapters++] = c;
      c->id = context_->nb_chapters;
      c->time_base = kNanoseconds;
      c->start = chapter.startNs;
      c->end = chapter.endNs;
      if (av_dict_set(&c->metadata, "title", chapter.title.c_str(), 0) < 0) {
        throw ArchiveError(fail("out of memory while adding chapters"));
      }
    }
  }

  std::filesystem::path out_;
  OutputContextPtr context_;
  AVStream* video_ = nullptr;  // owned by context_
  AVStream* audio_ = nullptr;  // owned by context_
  DecodeTimeline timeline_;
  std::optional<std::int64_t> lastAudioDts_;
};

// Opens each piece once to check it before anything is written: a missing file or other
// codec parameters fail the export before it creates a file.
std::unique_ptr<InputFile> checkPieces(const ReplaySpec& spec, const std::filesystem::path& out) {
  if (spec.pieces.empty()) throw ArchiveError(out.string() + ": the replay has no pieces");
  std::unique_ptr<InputFile> first;
  for (const Piece& piece : spec.pieces) {
    if (piece.fromNs < 0 || piece.toNs <= piece.fromNs) {
      throw ArchiveError(piece.file.string() + ": piece [" + std::to_string(piece.fromNs) + " ns, " +
                         std::to_string(piece.toNs) + " ns) is empty or starts before 0");
    }
    auto input = std::make_unique<InputFile>(piece.file);
    if (!first) {
      first = std::move(input);
      continue;
    }
    if (std::string difference = input->incompatibilityWith(*first); !difference.empty()) {
      throw ArchiveError(piece.file.string() + " cannot follow " + first->path().string() + " in one replay (" +
                         difference + ")");
    }
  }
  return first;
}

// Copies the packets of [fromNs, toNs) of one piece, placed at `offsetNs` in the replay.
// Returns how long the piece lasts in the replay (less than toNs - fromNs only when the
// file ends before toNs).
std::int64_t copyPiece(const Piece& piece, std::int64_t offsetNs, Mp4Muxer& muxer) {
  auto input = std::make_unique<InputFile>(piece.file);
  if (piece.fromNs > 0 && !input->seekToKeyFrameBefore(piece.fromNs - kSeekAheadNs)) {
    input = std::make_unique<InputFile>(piece.file);  // read from the start instead
  }
  const AVStream* video = input->video();
  const AVStream* audio = muxer.hasAudio() ? input->audio() : nullptr;
  const std::int64_t nominalFrameNs = input->nominalFrameNs();

  std::vector<PendingPacket> gop;
  bool keyFrameSeen = false;  // video before the piece's first key frame cannot be decoded
  bool reachedEnd = false;
  bool videoPastEnd = false;
  bool audioPastEnd = audio == nullptr;
  std::int64_t videoEndNs = piece.fromNs;
  std::size_t videoFrames = 0;
  while (true) {
    PacketPtr packet(av_packet_alloc());
    if (!packet) throw ArchiveError(input->describeError("out of memory while copying"));
    // Any error ends the piece: a truncated recording is copied up to its last readable
    // packet (the Matroska demuxer reports a cut file as a plain end of file anyway).
    if (av_read_frame(input->context(), packet.get()) < 0) break;
    const AVStream* stream = input->context()->streams[packet->stream_index];
    if (stream != video && stream != audio) continue;
    std::int64_t ptsNs = 0;
    if (!InputFile::packetTimeNs(*packet, stream, ptsNs)) continue;
    if (ptsNs >= piece.toNs + kReadPastNs) {
      (stream == video ? videoPastEnd : audioPastEnd) = true;
      if (videoPastEnd && audioPastEnd) {
        reachedEnd = true;
        break;
      }
      continue;
    }
    if (ptsNs < piece.fromNs || ptsNs >= piece.toNs) continue;
    std::int64_t durationNs = InputFile::toNs(packet->duration, stream);
    bool isVideo = stream == video;
    if (isVideo) {
      if (packet->flags & AV_PKT_FLAG_KEY) {
        muxer.writeGop(gop, piece.file);
        keyFrameSeen = true;
      }
      if (!keyFrameSeen) continue;
      if (durationNs <= 0) durationNs = nominalFrameNs;
      videoEndNs = std::max(videoEndNs, ptsNs + durationNs);
      ++videoFrames;
    }
    gop.push_back({std::move(packet), isVideo, offsetNs + (ptsNs - piece.fromNs), durationNs});
  }
  muxer.writeGop(gop, piece.file);
  if (videoFrames == 0) {
    throw ArchiveError(input->describeError("no video key frame between " + std::to_string(piece.fromNs) + " ns and " +
                                            std::to_string(piece.toNs) + " ns"));
  }
  std::int64_t length = piece.toNs - piece.fromNs;
  return reachedEnd ? length : std::min(length, videoEndNs - piece.fromNs);
}

}  // namespace

std::int64_t writeMp4(const ReplaySpec& spec, const std::filesystem::path& out) {
  ensureLibav();
  std::unique_ptr<InputFile> reference = checkPieces(spec, out);
  TemporaryFile file(out);
  std::int64_t durationNs = 0;
  {
    Mp4Muxer muxer(out, file.path(), *reference, spec);
    reference.reset();
    std::int64_t offsetNs = 0;
    for (const Piece& piece : spec.pieces) {
      std::int64_t copied = copyPiece(piece, offsetNs, muxer);
      durationNs = offsetNs + copied;
      offsetNs += piece.toNs - piece.fromNs;
    }
    muxer.finish();
  }
  file.commit();
  return durationNs;
}

}  // namespace tribune::archive
