#!/usr/bin/python3
"""An IP camera on loopback for recording drift traces (bench/sound_trace.cpp): an RTSP
server (GStreamer's gst-rtsp-server) serving a 720p H.264 test picture and a 440 Hz AAC
tone at rtsp://127.0.0.1:PORT/camera, as an RTSP camera would. Not used by the tests:
the trace it helped record is tests/core/drift_traces/rtsp_start.csv.

    /usr/bin/python3 bench/rtsp_camera.py 8554 &   # Debian's python3, which has python3-gi
    build/test/bench/tribune_bench_sound_trace --source rtsp://127.0.0.1:8554/camera --seconds 40

Needs gir1.2-gst-rtsp-server-1.0 (Debian), which scripts/setup does not install: it is a
recording aid, not a test peer.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port = sys.argv[1] if len(sys.argv) > 1 else "8554"
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    "( videotestsrc is-live=true pattern=smpte ! video/x-raw,width=1280,height=720,framerate=30/1"
    " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=60 ! rtph264pay name=pay0 pt=96"
    " audiotestsrc is-live=true wave=sine freq=440 volume=0.3 ! audioconvert ! avenc_aac"
    " ! rtpmp4gpay name=pay1 pt=97 )")
factory.set_shared(True)
server.get_mount_points().add_factory("/camera", factory)
server.attach(None)
GLib.MainLoop().run()
