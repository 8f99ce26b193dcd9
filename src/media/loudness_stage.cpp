#include "media/loudness_stage.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "media/media_error.h"

namespace tribune::media {
namespace {

struct Ebur128Deleter {
  void operator()(ebur128_state* state) const { ebur128_destroy(&state); }
};
using Ebur128Ptr = std::unique_ptr<ebur128_state, Ebur128Deleter>;

Ebur128Ptr makeMeter(int channels, int sampleRate, int mode) {
  Ebur128Ptr meter(ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(sampleRate), mode));
  if (!meter) throw MediaError("the loudness meter (libebur128) could not start");
  return meter;
}

// libebur128 says -HUGE_VAL for silence: no figure.
std::optional<double> figure(double value) {
  if (!std::isfinite(value) || value < -120) return std::nullopt;
  return value;
}

std::optional<double> momentary(ebur128_state* meter) {
  double value = 0;
  if (ebur128_loudness_momentary(meter, &value) != EBUR128_SUCCESS) return std::nullopt;
  return figure(value);
}

}  // namespace

// The programme coming in (what the gain follows) and going out (what the console shows
// and the replay records: a histogram, so that three hours cost no more than one minute).
struct LoudnessStage::Meters {
  Ebur128Ptr in;
  Ebur128Ptr out;
};

LoudnessStage::LoudnessStage(const core::LoudnessSettings& settings, int sampleRate, int channels,
                             MediaListener* listener)
    : settings_(settings),
      sampleRate_(sampleRate),
      channels_(channels),
      listener_(listener),
      mode_(settings.enabled ? core::LoudnessMode::Auto : core::LoudnessMode::Off),
      meters_(std::make_unique<Meters>()),
      gain_(settings),
      limiter_(channels, sampleRate, settings.truePeakDbtp) {
  meters_->in = makeMeter(channels, sampleRate, EBUR128_MODE_M);
  meters_->out = makeMeter(channels, sampleRate,
                           EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_HISTOGRAM);
  last_.mode = mode_.load();
  last_.targetLufs = settings.targetLufs;
  last_.ceilingDbtp = settings.truePeakDbtp;
}

LoudnessStage::~LoudnessStage() { detach(); }

void LoudnessStage::attach(GstPad* pad) {
  detach();
  std::lock_guard lock(padMutex_);
  pad_ = PadRef::ref(pad);
  probe_ = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, &LoudnessStage::onProbe, this, nullptr);
}

void LoudnessStage::detach() {
  std::lock_guard lock(padMutex_);
  if (pad_ && probe_ != 0) gst_pad_remove_probe(pad_.get(), probe_);
  probe_ = 0;
  pad_ = PadRef{};
}

GstPadProbeReturn LoudnessStage::onProbe(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<LoudnessStage*>(data);
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (buffer == nullptr || gst_buffer_get_size(buffer) == 0) return GST_PAD_PROBE_OK;
  if (!gst_buffer_is_writable(buffer) || !gst_buffer_is_all_memory_writable(buffer)) {
    buffer = gst_buffer_make_writable(buffer);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
  }
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READWRITE)) return GST_PAD_PROBE_OK;
  try {
    const std::size_t frames = map.size / (sizeof(float) * static_cast<std::size_t>(self->channels_));
    self->process(reinterpret_cast<float*>(map.data), frames);
  } catch (...) {
    // Never unwind through GStreamer: the sound goes on as it came.
  }
  gst_buffer_unmap(buffer, &map);
  return GST_PAD_PROBE_OK;
}

void LoudnessStage::process(float* interleaved, std::size_t frames) {
  std::lock_guard lock(mutex_);
  const auto channels = static_cast<std::size_t>(channels_);
  for (std::size_t at = 0; at < frames; at += kBlockFrames) {
    processBlock(interleaved + at * channels, std::min(kBlockFrames, frames - at));
  }
}

void LoudnessStage::processBlock(float* samples, std::size_t frames) {
  const auto channels = static_cast<std::size_t>(channels_);
  const bool muted = muted_.load(std::memory_order_relaxed);
  gain_.setMode(mode_.load(std::memory_order_relaxed));
  // 1. The programme coming in: the block's own level (opens the gate at once) and the
  // momentary loudness (what the gain follows).
  ebur128_add_frames_float(meters_->in.get(), samples, frames);
  double power = 0;
  for (std::size_t i = 0; i < frames * channels; ++i) power += static_cast<double>(samples[i]) * samples[i];
  power /= static_cast<double>(frames);
  core::LoudnessReading reading;
  reading.blockLufs = power > 0 ? -0.691 + 10 * std::log10(power) : -200.0;
  reading.momentaryLufs = momentary(meters_->in.get()).value_or(-200.0);
  // 2. The gain (held while nothing goes out: huis clos), ramped across the block, limited.
  const double seconds = static_cast<double>(frames) / sampleRate_;
  const double from = gainDb_;
  if (!muted) gainDb_ = gain_.update(reading, seconds);
  limiter_.process(samples, frames, from, gainDb_);
  intervalLimiterDb_ = std::min(intervalLimiterDb_, limiter_.lastReductionDb());
  // 3. What goes out.
  if (!muted) {
    ebur128_add_frames_float(meters_->out.get(), samples, frames);
    for (unsigned c = 0; c < static_cast<unsigned>(channels_); ++c) {
      double peak = 0;
      if (ebur128_prev_true_peak(meters_->out.get(), c, &peak) == EBUR128_SUCCESS) {
        intervalTruePeak_ = std::max(intervalTruePeak_, peak);
      }
    }
  }
  sinceReport_ += frames;
  if (sinceReport_ >= kReportFrames) {
    sinceReport_ = 0;
    auto figures = report();
    if (listener_ != nullptr) listener_->onLoudness(std::move(figures));
  }
}

LoudnessFigures LoudnessStage::report() {
  LoudnessFigures f;
  ebur128_state* out = meters_->out.get();
  f.momentaryLufs = momentary(out);
  double value = 0;
  if (ebur128_loudness_shortterm(out, &value) == EBUR128_SUCCESS) f.shortTermLufs = figure(value);
  if (ebur128_loudness_global(out, &value) == EBUR128_SUCCESS) f.integratedLufs = figure(value);
  if (intervalTruePeak_ > 0) f.truePeakDbtp = 20 * std::log10(intervalTruePeak_);
  double highest = 0;
  for (unsigned c = 0; c < static_cast<unsigned>(channels_); ++c) {
    if (ebur128_true_peak(out, c, &value) == EBUR128_SUCCESS) highest = std::max(highest, value);
  }
  if (highest > 0) f.maxTruePeakDbtp = 20 * std::log10(highest);
  f.gainDb = gainDb_;
  f.limiterDb = intervalLimiterDb_;
  f.gateOpen = gain_.gateOpen();
  f.mode = gain_.mode();
  f.targetLufs = settings_.targetLufs;
  f.ceilingDbtp = settings_.truePeakDbtp;
  f.muted = muted_.load(std::memory_order_relaxed);
  intervalTruePeak_ = 0;
  intervalLimiterDb_ = 0;
  last_ = f;
  return f;
}

LoudnessFigures LoudnessStage::figures() {
  std::lock_guard lock(mutex_);
  return last_;
}

}  // namespace tribune::media
