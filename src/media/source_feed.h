#pragma once
// The source, in its own pipeline, and what keeps the program fed whatever it does
// (issue 6, DESIGN.md §4: "a source failure never tears down the encoder").
//
//   preset (pipelines/*.pipeline) → normalise (I420 at the program's size, 30 fps; S16LE
//   stereo 48 kHz) → two appsinks ──► Program::pushVideo / pushAudio (two live appsrcs)
//
// The buffers keep their own timestamps, shifted once per start of the source: the source
// pipeline runs on the program's clock, and its first buffer fixes one offset for both
// tracks, so the source's own A/V sync and pace are kept (a jump of more than 2 s, a
// branch of the source that restarted its clock, sets a new offset for that track only). Nothing re-stamps buffers on
// arrival (that is what intervideo/interaudio do, and why DESIGN.md §4 rules them out).
//
// When the source stops delivering, the supervisor thread fills the gaps on the program's
// timeline: silence after 100 ms without sound, the last picture (frozen, then covered by
// the "signal-lost" slate the hub puts on air) after 250 ms without a frame, so that every
// destination keeps receiving continuous timestamps. core::SourceWatchdog decides when a
// track is lost or restored and when the source pipeline is torn down and started again
// (with backoff); the listener hears of each change.
//
// The sound reaches the program as one unbroken run of samples: each buffer starts where
// the previous one ended (the resampler and the AAC encoder count samples, and would keep
// any overlap or gap as a lasting shift of the sound against the picture: issue 27). A
// buffer within kAudioSlack (2 ms) of that place is put there; beyond, its overlapping head is cut
// or the gap before it is filled with silence, so the sound stays where its own timestamps
// say. The silence filler never writes where the source's sound may still arrive: it stays
// behind the clock by how late the source's sound usually comes (bursty MPEG-TS, an SRT
// latency window), at least kAudioLead.
//
// The supervisor also measures the sound interface's clock drift (core::DriftEstimator)
// and, for a capture source, declares the sound at the rate core::DriftCorrector decides
// (the program resamples to 48 kHz), and watches the encoders: frames going in and none coming out for `encoderStall`
// is a stall, and the encode side is rebuilt (Program::rebuild).
//
// Threading: start/stop/loopSource/stats from the engine's owner; appsink callbacks on the
// source's streaming threads; the supervisor on its own thread. mutex_ guards the state
// they share; the listener is called without it held.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/drift.h"
#include "core/source_placement.h"
#include "core/source_track.h"
#include "core/source_watchdog.h"
#include "media/gst_ref.h"
#include "media/media_listener.h"
#include "media/media_types.h"

namespace tribune::media {

class Program;

struct SourceFeedSettings {
  std::string pipeline;  // the expanded preset: elements named `video` and `audio`
  bool loop = false;     // a file: sought back to its start at its end
  int width = 1920;
  int height = 1080;
  core::SourceWatchdogSettings watchdog;
  std::chrono::milliseconds encoderStall{2000};
  bool driftCorrection = true;
  // A source that cannot start at all is a start-up error (a local device: the technician
  // is there to fix it); false for a network source, which is waited for and retried.
  bool mustStart = true;
  // Whether the sound has a capture clock of ours to correct (core/drift.h).
  core::SoundClock soundClock = core::SoundClock::Stamped;
};

class SourceFeed {
 public:
  // `dispose` takes pipelines to tear down without blocking (the engine's reaper).
  SourceFeed(SourceFeedSettings settings, Program& program, MediaListener& listener,
             std::function<void(ElementRef)> dispose);
  ~SourceFeed();
  SourceFeed(const SourceFeed&) = delete;
  SourceFeed& operator=(const SourceFeed&) = delete;

  // Starts the source on the (started) program's clock, and the supervisor. Throws
  // MediaError when the preset cannot even be parsed; a source that fails later is the
  // watchdog's business.
  void start();
  void stop();
  // A looping file reached its end: seek it back without a flush (the time goes on).
  void loopSource();
  [[nodiscard]] SourceStats stats() const;
  // Test hook: the picture's conversion takes `perFrame` for each frame during `duration`,
  // as on a machine starved of CPU (issue 27).
  void simulateSlowPicture(std::chrono::milliseconds perFrame, std::chrono::milliseconds duration);
  // The description given to gst_parse_launch.
  [[nodiscard]] static std::string describe(const SourceFeedSettings& settings);

 private:
  struct Bridge;  // what the bus handler and the appsinks of one pipeline generation see
  static GstFlowReturn onVideoSample(GstAppSink* sink, gpointer bridge);
  static GstFlowReturn onAudioSample(GstAppSink* sink, gpointer bridge);
  static GstBusSyncReply onBusMessage(GstBus* bus, GstMessage* message, gpointer bridge);

  void video(std::uint64_t generation, BufferRef buffer, GstClockTime runningTime);
  void audio(std::uint64_t generation, BufferRef buffer, GstClockTime runningTime);
  void failed(std::uint64_t generation, std::string detail, bool ended);
  // The first failure since the supervisor's last look (failureMutex_ only).
  void setFailure(std::string detail, bool ended);
  std::optional<std::pair<std::string, bool>> takeFailure();
  void segmentDone(std::uint64_t generation);
  void supervise();
  // Builds and plays a new source pipeline (the supervisor, or start()); false on failure.
  bool launch(std::string& error);
  // Under mutex_: the current pipeline, cut off from this feed (its late buffers and
  // messages are ignored), for the caller to stop outside mutex_ or give to the reaper.
  ElementRef detach();
  // Under mutex_: the track's buffer time put on the program's timeline.
  std::int64_t programTime(core::SourceTrack track, GstClockTime runningTime, GstClockTime now);
  void fillVideo(GstClockTime now);
  void fillAudio(GstClockTime now);
  // Pushes `samples` of silence at audioEnd_ (under mutex_).
  void pushSilence(std::uint64_t samples);
  void checkEncoder(core::TimePoint now);

  SourceFeedSettings settings_;
  Program& program_;
  MediaListener& listener_;
  std::function<void(ElementRef)> dispose_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool quitting_ = false;
  std::thread supervisor_;
  std::unique_ptr<core::Random> random_;
  core::SourceWatchdog watchdog_;
  core::DriftEstimator drift_;
  core::DriftCorrector corrector_;

  ElementRef pipeline_;  // the current generation's
  std::shared_ptr<Bridge> bridge_;
  std::atomic<std::uint64_t> generation_{0};
  // Where this generation's buffers go on the program's timeline.
  core::SourcePlacement placement_;
  // What arrived since the supervisor's last look (steady time of the last buffer).
  std::optional<core::TimePoint> arrived_[core::kSourceTrackCount];
  // Apart from mutex_ (taken after it, never before): GStreamer posts errors on whatever
  // thread failed, including ours inside launch().
  std::mutex failureMutex_;
  std::optional<std::pair<std::string, bool>> failure_;  // detail, ended
  std::atomic<bool> failurePending_{false};
  bool loopWanted_ = false;

  // The program's input timeline (ns of running time), real and filler alike.
  std::optional<GstClockTime> lastVideoPts_;
  GstClockTime lastVideoAt_ = 0;          // running time when the last real frame was pushed
  std::optional<GstClockTime> audioEnd_;  // where the next sample goes (all pushed before it)
  GstClockTime lastAudioAt_ = 0;
  // How far behind the clock the source's sound arrives (its end, at arrival), held at its
  // peak and released slowly: the silence filler stays behind that.
  GstClockTime audioLateness_ = 0;
  BufferRef freezeFrame_;  // a private copy of a recent real frame, for the filler
  std::uint64_t realFrames_ = 0;
  int audioRate_ = 48000;

  // The encoders: frames in vs frames out.
  std::uint64_t framesIn_ = 0;
  std::uint64_t lastFramesIn_ = 0;
  std::uint64_t lastFramesOut_ = 0;
  core::TimePoint outputMovedAt_{};

  SourceStats stats_;
};

}  // namespace tribune::media
