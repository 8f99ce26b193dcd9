// Threading contract: see mounts.h (immutable once built).
#include "web/mounts.h"

#include <cctype>
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

// "/viewer/", "/shared/js/": directories below the root, named plainly (no "..", no "//").
bool isPlainPrefix(const std::string& prefix) {
  constexpr std::size_t kLongest = 200;  // lws keeps a mountpoint's length in a byte
  if (prefix.size() < 3 || prefix.size() > kLongest || prefix.front() != '/' || prefix.back() != '/') return false;
  std::size_t segmentStart = 1;
  for (std::size_t i = 1; i < prefix.size(); ++i) {
    const char c = prefix[i];
    if (c == '/') {
      const std::string segment = prefix.substr(segmentStart, i - segmentStart);
      if (segment.empty() || segment == "." || segment == "..") return false;
      segmentStart = i + 1;
    } else if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

Mounts::Mounts(const std::filesystem::path& root, const std::vector<std::string>& servedPrefixes,
               const char* protocolName) {
  mounts_.reserve(4 + servedPrefixes.size());
  mounts_.push_back(callbackMount("/api", protocolName));
  mounts_.push_back(callbackMount("/healthz", protocolName));
  mounts_.push_back(callbackMount("/metrics", protocolName));

  if (!servedPrefixes.empty() && root.empty()) {
    throw std::runtime_error("web: served prefixes need a web root to serve them from");
  }
  if (!root.empty()) {
    std::error_code error;
    if (!std::filesystem::is_directory(root, error)) {
      throw std::runtime_error("web root " + root.string() + " is not a directory (settings: web root)");
    }
    // lws joins the origin and the (already normalised) URL path: no trailing slash.
    std::string origin = std::filesystem::weakly_canonical(std::filesystem::absolute(root)).string();
    while (origin.size() > 1 && origin.back() == '/') origin.pop_back();

    mimeTypes_.reserve(std::size(kMimeTypes));
    for (const auto& [extension, type] : kMimeTypes) {
      lws_protocol_vhost_options option{};
      option.name = extension;
      option.value = type;
      mimeTypes_.push_back(option);
    }
    for (std::size_t i = 0; i + 1 < mimeTypes_.size(); ++i) mimeTypes_[i].next = &mimeTypes_[i + 1];

    // The strings first, in full: the mounts point into them.
    if (servedPrefixes.empty()) {
      mountpoints_.emplace_back("/");
      origins_.push_back(origin);
    } else {
      for (const std::string& prefix : servedPrefixes) {
        if (!isPlainPrefix(prefix)) {
          throw std::runtime_error("web: served prefix \"" + prefix +
                                   "\" must look like \"/name/\" (letters, digits, '-', '_', '.')");
        }
        const std::string directory = origin + prefix.substr(0, prefix.size() - 1);
        if (!std::filesystem::is_directory(directory, error)) {
          throw std::runtime_error("web: served prefix " + prefix + " is not a directory of the web root (" +
                                   directory + ")");
        }
        mountpoints_.push_back(prefix.substr(0, prefix.size() - 1));
        origins_.push_back(directory);
      }
      // Everything else (and "/" itself) to the callback: a 404, or the redirect. lws takes
      // a matching callback mount over any shorter one before it, and a longer mount after
      // it over it: so after the other callbacks (which it catches too: same handler) and
      // before the files.
      mounts_.push_back(callbackMount("/", protocolName));
    }

    for (std::size_t i = 0; i < mountpoints_.size(); ++i) {
      lws_http_mount& files = mounts_.emplace_back();
      files.mountpoint = mountpoints_[i].c_str();
      files.mountpoint_len = static_cast<unsigned char>(mountpoints_[i].size());
      files.origin = origins_[i].c_str();
      files.def = "index.html";
      files.origin_protocol = LWSMPRO_FILE;
      files.extra_mimetypes = mimeTypes_.data();
      // So that lws asks our callback for extra headers (ADD_HEADERS). Caching: lws 4.1's
      // file server writes "cache-control: no-store" itself unless cache_max_age and
      // cache_reusable are set, and then only "max-age=N" variants; no-store is what keeps
      // every browser on the current pages after an update.
      files.protocol = protocolName;
    }
  }

  for (std::size_t i = 0; i + 1 < mounts_.size(); ++i) mounts_[i].mount_next = &mounts_[i + 1];
}

}  // namespace tribune::web
