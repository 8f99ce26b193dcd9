// Records what the drift estimator sees from a source: for every sound buffer that the
// source pipeline delivers (built exactly as SourceFeed builds it, from a preset and a
// source spec), one line "arrival_ns,running_time_ns,samples"; and for every picture
// "v,arrival_ns,running_time_ns". The arrival is the pipeline clock's running time when
// the appsink hands the buffer over. These traces are what tests/core/drift_traces/ holds
// (SRT start, source restart), replayed by the core tests of the drift rule.
//
//   tribune_bench_sound_trace --pipelines DIR --source srt://127.0.0.1:9000?mode=caller --seconds 40 > trace.csv
//
// Not a benchmark: a recorder for the tests' fixtures (docs/PERFORMANCE.md, "Sound").
// Threading: appsink callbacks on the source's streaming threads append under one mutex.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/source_spec.h"
#include "media/source_feed.h"

namespace {

struct Recorder {
  std::mutex mutex;
  std::vector<std::string> lines;
  GstClock* clock = nullptr;
  GstClockTime base = 0;
};

GstClockTime runningTime(const GstSample* sample) {
  GstBuffer* buffer = gst_sample_get_buffer(const_cast<GstSample*>(sample));
  const GstSegment* segment = gst_sample_get_segment(const_cast<GstSample*>(sample));
  if (buffer == nullptr || segment == nullptr || !GST_BUFFER_PTS_IS_VALID(buffer)) return GST_CLOCK_TIME_NONE;
  return gst_segment_to_running_time(segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
}

GstFlowReturn onSample(GstAppSink* sink, gpointer data, bool audio) {
  auto* recorder = static_cast<Recorder*>(data);
  GstSample* sample = gst_app_sink_pull_sample(sink);
  if (sample == nullptr) return GST_FLOW_OK;
  const GstClockTime arrival = gst_clock_get_time(recorder->clock) - recorder->base;
  const GstClockTime rt = runningTime(sample);
  const gsize size = gst_buffer_get_size(gst_sample_get_buffer(sample));
  gst_sample_unref(sample);
  if (!GST_CLOCK_TIME_IS_VALID(rt)) return GST_FLOW_OK;
  std::ostringstream line;
  if (audio) {
    line << arrival << ',' << rt << ',' << size / 4;
  } else {
    line << "v," << arrival << ',' << rt;
  }
  std::lock_guard lock(recorder->mutex);
  recorder->lines.push_back(line.str());
  return GST_FLOW_OK;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  std::string pipelines = TRIBUNE_SOURCE_DIR "/pipelines";
  std::string source = "test";
  int seconds = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--pipelines")
      pipelines = argv[i + 1];
    else if (option == "--source")
      source = argv[i + 1];
    else if (option == "--seconds")
      seconds = std::stoi(argv[i + 1]);
    else {
      std::cerr << "unknown option " << option << "\n";
      return 2;
    }
  }
  const auto spec = tribune::core::parseSourceSpec(source);
  if (!spec.spec) {
    std::cerr << *spec.error << "\n";
    return 2;
  }
  const auto file = tribune::core::readPresetFile(readFile(pipelines + "/" + spec.spec->preset + ".pipeline"));
  if (!file.preset) {
    std::cerr << *file.error << "\n";
    return 2;
  }
  const auto expanded = tribune::core::expandPreset(file.preset->body, spec.spec->params);
  if (!expanded.pipeline) {
    std::cerr << *expanded.error << "\n";
    return 2;
  }
  tribune::media::SourceFeedSettings settings;
  settings.pipeline = *expanded.pipeline;
  settings.width = 640;
  settings.height = 360;
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(tribune::media::SourceFeed::describe(settings).c_str(), &error);
  if (error != nullptr) {
    std::cerr << error->message << "\n";
    return 1;
  }
  Recorder recorder;
  recorder.clock = gst_system_clock_obtain();
  gst_pipeline_use_clock(GST_PIPELINE(pipeline), recorder.clock);
  gst_element_set_start_time(pipeline, GST_CLOCK_TIME_NONE);
  recorder.base = gst_clock_get_time(recorder.clock);
  gst_element_set_base_time(pipeline, recorder.base);
  for (auto [name, audio] : {std::pair{"source_audio", true}, std::pair{"source_video", false}}) {
    GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), name);
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = audio ? [](GstAppSink* s, gpointer d) { return onSample(s, d, true); }
                                 : [](GstAppSink* s, gpointer d) { return onSample(s, d, false); };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, &recorder, nullptr);
    gst_object_unref(sink);
  }
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  gst_object_unref(recorder.clock);
  std::lock_guard lock(recorder.mutex);
  for (const auto& line : recorder.lines) std::cout << line << "\n";
  return 0;
}
