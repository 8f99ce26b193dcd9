#pragma once
// The vhost's URL space: the static files of the web root (index.html by default, our own
// MIME table, "cache-control: no-store" so an update is seen at once) — either all of it at
// "/", or only some directories of it (served prefixes, the public edge); /api, /healthz
// and /metrics are handed to the callback of the named protocol, and with served prefixes
// so is every other path (a 404, or "/" redirected to the first prefix).
//
// Threading contract: built before the context and only read by lws afterwards; it must
// outlive the context (lws keeps pointers into it).
#include <filesystem>
#include <string>
#include <vector>

#include <libwebsockets.h>

namespace tribune::web {

class Mounts {
 public:
  // An empty root serves no files (every path outside the callbacks is a 404). Throws
  // std::runtime_error naming what is wrong: a root that is not a directory, a prefix that
  // is not of the form "/name/" or not a directory of the root.
  Mounts(const std::filesystem::path& root, const std::vector<std::string>& servedPrefixes, const char* protocolName);
  Mounts(const Mounts&) = delete;
  Mounts& operator=(const Mounts&) = delete;

  [[nodiscard]] const lws_http_mount* first() const { return mounts_.data(); }

 private:
  std::vector<std::string> mountpoints_;  // "/viewer" for "/viewer/" (lws matches directories)
  std::vector<std::string> origins_;      // the directories they serve
  std::vector<lws_protocol_vhost_options> mimeTypes_;
  std::vector<lws_http_mount> mounts_;  // linked in order; not resized once linked
};

}  // namespace tribune::web
