// Threading contract: see mounts.h (immutable once built).
#include "web/mounts.h"

#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace tribune::web {
namespace {

// Everything web/ holds. A file whose type is not here is refused by lws (403) rather
// than served with a guessed type.
constexpr std::pair<const char*, const char*> kMimeTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
};

lws_http_mount callbackMount(const char* mountpoint, const char* protocolName) {
  lws_http_mount mount{};
  mount.mountpoint = mountpoint;
  mount.mountpoint_len = static_cast<unsigned char>(std::strlen(mountpoint));
  mount.origin = protocolName;
  mount.origin_protocol = LWSMPRO_CALLBACK;
  return mount;
}

}  // namespace

Mounts::Mounts(const std::filesystem::path& root, const char* protocolName) {
  mounts_[0] = callbackMount("/api", protocolName);
  mounts_[1] = callbackMount("/healthz", protocolName);
  mounts_[2] = callbackMount("/metrics", protocolName);
  std::size_t count = 3;

  if (!root.empty()) {
    std::error_code error;
    if (!std::filesystem::is_directory(root, error)) {
      throw std::runtime_error("web root " + root.string() + " is not a directory (settings: web root)");
    }
    // lws joins the origin and the (already normalised) URL path: no trailing slash.
    origin_ = std::filesystem::weakly_canonical(std::filesystem::absolute(root)).string();
    while (origin_.size() > 1 && origin_.back() == '/') origin_.pop_back();

    mimeTypes_.reserve(std::size(kMimeTypes));
    for (const auto& [extension, type] : kMimeTypes) {
      lws_protocol_vhost_options option{};
      option.name = extension;
      option.value = type;
      mimeTypes_.push_back(option);
    }
    for (std::size_t i = 0; i + 1 < mimeTypes_.size(); ++i) mimeTypes_[i].next = &mimeTypes_[i + 1];

    lws_http_mount& files = mounts_[count++];
    files.mountpoint = "/";
    files.mountpoint_len = 1;
    files.origin = origin_.c_str();
    files.def = "index.html";
    files.origin_protocol = LWSMPRO_FILE;
    files.extra_mimetypes = mimeTypes_.data();
    // So that lws asks our callback for extra headers (ADD_HEADERS). Caching: lws 4.1's
    // file server writes "cache-control: no-store" itself unless cache_max_age and
    // cache_reusable are set, and then only "max-age=N" variants; no-store is what keeps
    // every browser on the current pages after an update.
    files.protocol = protocolName;
  }

  for (std::size_t i = 0; i + 1 < count; ++i) mounts_[i].mount_next = &mounts_[i + 1];
  first_ = mounts_.data();
}

}  // namespace tribune::web
