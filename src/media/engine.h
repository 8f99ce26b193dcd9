#pragma once
// The media engine: the program (encode once) and its outputs by name. The hub owns it
// and calls it from the hub thread only; the engine reports through MediaListener.
// This header is free of GStreamer: the rest of Tribune never includes it.
//
// Tearing a pipeline down can wait on network threads (a stalled RTMP connection), so
// released pipelines go to a reaper thread and the hub never blocks on them.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "media/media_listener.h"
#include "media/media_types.h"

namespace tribune::media {

class Program;
class SourceFeed;
class Output;
class PipelineReaper;
class GraphicsWorker;

class MediaEngine {
 public:
  MediaEngine(ProgramSettings settings, MediaListener& listener);  // throws MediaError
  ~MediaEngine();
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;

  void start();
  // Opens (or reopens) an RTMP output; returns the generation of this connection.
  std::uint64_t connect(const RtmpOutputSettings& settings);
  // The destination's server took the publish: ask for a key unit and let media flow.
  void goLive(const std::string& name);
  void disconnect(const std::string& name);
  // Opens a recording file (a new one each time: the hub names it) and returns the
  // generation its failures will carry. `paused` (huis clos) keeps the gate closed.
  std::uint64_t startRecording(const RecordingOutputSettings& settings, bool paused = false);
  // Releases the recording (to the reaper: a failed disk may be slow to let go); what was
  // written stays readable (Matroska written as a stream).
  void stopRecording(const std::string& name = "recording");
  [[nodiscard]] std::optional<OutputStats> outputStats(const std::string& name) const;
  [[nodiscard]] ProgramStats programStats() const;
  // The program's running time now, in ns: what the event log records as program time.
  [[nodiscard]] std::uint64_t programTime() const;
  void loopSource();
  // The source: up or lost per track, restarts, the sound's clock drift, encoder stalls.
  [[nodiscard]] SourceStats sourceStats() const;
  // Test hook: wedges the encoder's input, as a stalled encoder would (the source feed
  // then rebuilds the encode side).
  void simulateEncoderStall();
  // Test hook: the source's picture converted slowly for a while (SourceFeed).
  void simulateSlowPicture(std::chrono::milliseconds perFrame, std::chrono::milliseconds duration);

  // Huis clos: sound muted on every public output (the slate is a graphics layer).
  void setMuted(bool muted);
  // The automatic gain towards the loudness target (docs/PROTOCOL.md, loudness.mode).
  void setLoudnessMode(core::LoudnessMode mode);
  // Pauses or resumes the recording; resuming waits for a key unit (asked for at once).
  void setRecordingPaused(bool paused);
  // Renders a template ahead of time so that showing it later costs no render: the
  // huis-clos slate must cover the picture within a frame.
  void prerenderGraphic(const std::string& templateName, std::map<std::string, std::string> values);
  // Renders a template once and discards it, so that its first showing costs no more than
  // the next ones (GraphicsWorker::warm).
  void warmGraphic(const std::string& templateName, std::map<std::string, std::string> values);

  // On-air graphics (layers as core::Layer). Rendering happens on the graphics worker;
  // the first frame that carries the change is recorded for graphicTiming().
  void showGraphic(int layer, const std::string& templateName, std::map<std::string, std::string> values,
                   std::uint64_t changeId);
  void hideGraphic(int layer, std::uint64_t changeId);
  [[nodiscard]] std::optional<GraphicTiming> graphicTiming(std::uint64_t changeId) const;
  // End of stream to every output, waiting up to `grace` for them to be written, then
  // the program stops.
  void shutdown(std::chrono::milliseconds grace);

 private:
  [[nodiscard]] std::uint64_t maxQueuedBytes() const;
  void rememberRequest(std::uint64_t changeId);

  ProgramSettings settings_;
  MediaListener& listener_;                 // the hub, outlives the engine
  std::unique_ptr<PipelineReaper> reaper_;  // declared first: destroyed last, after outputs are handed to it
  std::unique_ptr<Program> program_;
  std::unique_ptr<SourceFeed> source_;  // feeds program_; destroyed before it
  std::map<std::string, std::unique_ptr<Output>> outputs_;
  std::unique_ptr<GraphicsWorker> graphicsWorker_;          // renders into program_'s compositor
  std::map<std::uint64_t, std::uint64_t> graphicRequests_;  // change → running time asked
  std::uint64_t nextGeneration_ = 1;
};

}  // namespace tribune::media
