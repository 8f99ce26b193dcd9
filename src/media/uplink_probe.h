#pragma once
// The pre-flight check's uplink measurement (docs/PREFLIGHT.md): an RTMP publish to a test
// server of an H.264 stream made of filler NAL units (type 12, which decoders skip),
// paced at a rate rising from 0 to a ceiling over kUplinkRamp and held there until
// kUplinkDuration. The rate is what the server's side acknowledged (the socket's
// tcpi_bytes_acked) over the last kUplinkWindow, when the queues along the path are full:
// a link slower than the ceiling holds the publish back to its own rate.
//
// Plain rtmp:// only (the socket is read directly), IPv4 or IPv6. Blocking: about
// kUplinkDuration plus the connection. Never aimed at a platform's ingest with the real
// key: that would start the public live (the app measures only preflight.test_url).
#include <chrono>
#include <optional>
#include <string>

#include "core/publish_url.h"

namespace tribune::media {

inline constexpr std::chrono::milliseconds kUplinkRamp{2000};
inline constexpr std::chrono::milliseconds kUplinkDuration{8000};
inline constexpr std::chrono::milliseconds kUplinkWindow{4000};

struct UplinkProbeResult {
  std::optional<int> ackedKbps;      // over the last kUplinkWindow
  std::optional<std::string> error;  // English, technical, never the key
};

// `timeout` bounds the connection, the handshake and each answer of the server.
UplinkProbeResult measureUplink(const core::PublishUrl& url, int ceilingKbps, std::chrono::milliseconds timeout);

}  // namespace tribune::media
