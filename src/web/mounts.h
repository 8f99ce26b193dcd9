#pragma once
// The vhost's URL space: "/" serves the static files of the web root (index.html by
// default, our own MIME table, "cache-control: no-store" so an update is seen at once);
// /api, /healthz and /metrics are handed to the callback of the named protocol.
//
// Threading contract: built before the context and only read by lws afterwards; it must
// outlive the context (lws keeps pointers into it).
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include <libwebsockets.h>

namespace tribune::web {

class Mounts {
 public:
  // An empty root serves no files (every path outside the callbacks is a 404).
  Mounts(const std::filesystem::path& root, const char* protocolName);
  Mounts(const Mounts&) = delete;
  Mounts& operator=(const Mounts&) = delete;

  [[nodiscard]] const lws_http_mount* first() const { return first_; }

 private:
  std::string origin_;
  std::vector<lws_protocol_vhost_options> mimeTypes_;
  std::array<lws_http_mount, 4> mounts_{};
  const lws_http_mount* first_ = nullptr;
};

}  // namespace tribune::web
