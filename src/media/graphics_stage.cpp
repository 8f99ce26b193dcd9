#include "media/graphics_stage.h"

namespace tribune::media {

GraphicsStage::GraphicsStage(GraphicsCompositor& compositor, GstPad* pad)
    : compositor_(compositor), pad_(PadRef::ref(pad)) {
  gst_video_info_init(&info_);
  gst_segment_init(&segment_, GST_FORMAT_UNDEFINED);
  // Already flowing (not so in Program): start from what the pad has seen.
  if (auto caps = CapsRef::adopt(gst_pad_get_current_caps(pad))) setCaps(caps.get());
  if (auto event = MiniRef<GstEvent>::adopt(gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0))) {
    const GstSegment* segment = nullptr;
    gst_event_parse_segment(event.get(), &segment);
    setSegment(segment);
  }
  probe_ = gst_pad_add_probe(
      pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
      &GraphicsStage::onProbe, this, nullptr);
}

GraphicsStage::~GraphicsStage() {
  if (probe_ != 0) gst_pad_remove_probe(pad_.get(), probe_);
}

I420View GraphicsStage::view(GstVideoFrame& frame) {
  I420View v;
  for (int c = 0; c < 3; ++c) {  // components, not planes: YV12 stores V before U
    v.data[c] = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_COMP_DATA(&frame, c));
    v.stride[c] = GST_VIDEO_FRAME_COMP_STRIDE(&frame, c);
  }
  v.width = GST_VIDEO_FRAME_WIDTH(&frame);
  v.height = GST_VIDEO_FRAME_HEIGHT(&frame);
  return v;
}

void GraphicsStage::setCaps(GstCaps* caps) {
  haveInfo_ = caps != nullptr && gst_video_info_from_caps(&info_, caps) &&
              (GST_VIDEO_INFO_FORMAT(&info_) == GST_VIDEO_FORMAT_I420 ||
               GST_VIDEO_INFO_FORMAT(&info_) == GST_VIDEO_FORMAT_YV12);
}

void GraphicsStage::setSegment(const GstSegment* segment) {
  haveSegment_ = segment != nullptr && segment->format == GST_FORMAT_TIME;
  if (haveSegment_) gst_segment_copy_into(segment, &segment_);
}

// Streaming thread: every buffer and every downstream event of the pad.
GstPadProbeReturn GraphicsStage::onProbe(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<GraphicsStage*>(data);
  if ((GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) != 0) return self->onBuffer(info);
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
    GstCaps* caps = nullptr;
    gst_event_parse_caps(event, &caps);
    self->setCaps(caps);
  } else if (GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT) {
    const GstSegment* segment = nullptr;
    gst_event_parse_segment(event, &segment);
    self->setSegment(segment);
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn GraphicsStage::onBuffer(GstPadProbeInfo* info) {
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (buffer == nullptr || !haveInfo_ || !haveSegment_) return GST_PAD_PROBE_OK;
  const GstClockTime runningTime = gst_segment_to_running_time(&segment_, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  if (!GST_CLOCK_TIME_IS_VALID(runningTime)) return GST_PAD_PROBE_OK;
  const GraphicsCompositor::OnAir onAir = compositor_.onAir(runningTime);  // under its lock, briefly
  if (onAir.empty()) return GST_PAD_PROBE_OK;                              // nothing to write: no map
  // Before videorate the frame has a single owner. Were it shared, writing would copy it
  // (the buffer here, its memory when mapped for writing): counted, never expected.
  if (!gst_buffer_is_writable(buffer) || !gst_buffer_is_all_memory_writable(buffer)) {
    copied_.fetch_add(1, std::memory_order_relaxed);
    buffer = gst_buffer_make_writable(buffer);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
  }
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &info_, buffer, GST_MAP_READWRITE)) return GST_PAD_PROBE_OK;
  GraphicsCompositor::blend(view(frame), onAir);  // outside the compositor's lock
  gst_video_frame_unmap(&frame);
  blended_.fetch_add(1, std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

}  // namespace tribune::media
