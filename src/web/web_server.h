#pragma once
// The web side: libwebsockets serves web/ (static files), the websocket endpoint /ws, the
// REST API under /api/, /metrics (Prometheus text) and /healthz.
//
// Threading rule: libwebsockets runs on the server's own thread, which never touches the
// meeting. What arrives (websocket messages, REST requests) goes to the WebListener,
// whose implementation only posts to the hub. The hub answers through the thread-safe
// send / broadcast / respond / close calls, which queue and call lws_cancel_service();
// writes then happen in WRITEABLE callbacks, one lws_write each, from a bounded queue per
// connection. A connection whose queue is full is closed (a client that cannot keep up is
// dropped, never allowed to grow memory).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tribune::web {

enum class Role { Viewer = 0, Technician = 1, Moderator = 2, Mayor = 3 };
const char* toString(Role role);  // "viewer", "technician", "moderator", "mayor"

using ConnectionId = std::uint64_t;
using RequestId = std::uint64_t;

struct WebSettings {
  std::string address = "127.0.0.1";  // safe default: this machine only
  int port = 8080;                    // 0: any free port (tests); see WebServer::port()
  std::filesystem::path root;         // web/
  std::optional<std::filesystem::path> tlsCertificate;
  std::optional<std::filesystem::path> tlsKey;
  std::size_t maxMessageBytes = std::size_t{16} * 1024;  // larger websocket messages or REST bodies are refused
  std::size_t maxQueuedMessages = 512;                   // per connection; beyond, the connection is dropped
  std::chrono::milliseconds apiAnswerTimeout{30'000};    // an /api/ request left unanswered gets a 504

  // Who a websocket client is (what onOpen is given and what the cap below counts), from
  // the TCP peer and the upgrade request's X-Forwarded-For ("" when absent). Unset: the
  // peer. The policy (which proxies to believe) is the caller's. Runs on the web thread:
  // must not block; if it throws, the upgrade is hung up.
  std::function<std::string(const std::string& peer, const std::string& xForwardedFor)> clientAddress;
  // Open websockets per client address; the upgrade beyond it gets a 429 and never opens.
  std::size_t maxConnectionsPerAddress = 0;  // 0: no cap
  // Empty: the whole web root. Otherwise only the files under these prefixes ("/viewer/",
  // each a directory of the root) are served, every other file is a 404, and "/" redirects
  // (302) to the first. /healthz and /metrics are served either way.
  std::vector<std::string> servedPrefixes;
  // REST paths under these prefixes take bodies up to maxUploadBytes instead of
  // maxMessageBytes (the console's uploads: a convocation, a logo; `tribune serve`).
  std::vector<std::string> uploadPrefixes;
  std::size_t maxUploadBytes = std::size_t{16} * 1024 * 1024;
  bool serveApi = true;  // false: /api/ is a 404 and never reaches the listener
};

struct HttpRequest {
  RequestId id = 0;
  std::string method;                      // GET, POST
  std::string path;                        // "/api/commands", without the query
  std::string query;                       // raw
  std::optional<std::string> bearerToken;  // from "Authorization: Bearer …"
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  // A file sent instead of `body`, read in chunks as the client takes it (a replay's MP4
  // is too large to hold in memory), with Content-Disposition: attachment when
  // `downloadName` is set. A file that cannot be opened is a 404.
  std::optional<std::filesystem::path> file{};
  std::string downloadName{};
};

class WebListener {
 public:
  virtual ~WebListener() = default;
  // All called on the web thread: copy and post, never block.
  virtual void onOpen(ConnectionId connection, std::string peerAddress) = 0;
  virtual void onMessage(ConnectionId connection, std::string text) = 0;
  virtual void onClose(ConnectionId connection) = 0;
  // A request under /api/; answer with WebServer::respond(request.id, …) from any thread.
  virtual void onHttpRequest(HttpRequest request) = 0;
};

struct WebStats {
  std::uint64_t connections = 0;  // open websocket connections
  std::uint64_t messagesIn = 0;
  std::uint64_t messagesOut = 0;
  std::uint64_t droppedSlowClients = 0;
  std::uint64_t refusedOversized = 0;
  std::uint64_t refusedOverCap = 0;  // upgrades refused by maxConnectionsPerAddress
};

class WebServer {
 public:
  WebServer(WebSettings settings, WebListener& listener);  // throws std::runtime_error if it cannot listen
  ~WebServer();                                            // stops the thread, closes every connection
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  [[nodiscard]] int port() const;  // the port actually bound

  // Thread-safe, from any thread including the listener's callbacks; not against the
  // destructor (stop calling before destroying the server). Unknown or closed ids are ignored.
  void send(ConnectionId connection, std::string text);
  void broadcast(const std::vector<ConnectionId>& connections, std::string text);
  void sendBinary(ConnectionId connection, std::string bytes);  // e.g. a preview JPEG
  void close(ConnectionId connection, std::string reason);
  // The largest message this connection may send from now on (settings.maxMessageBytes
  // until then); beyond it, the connection is closed with 1009 as usual. It applies before
  // any message queued after this call goes out, so a peer told "go ahead" by a send()
  // that follows it finds the new limit in place.
  void setMessageLimit(ConnectionId connection, std::size_t bytes);
  void respond(RequestId request, HttpResponse response);
  // Served by the web thread itself, without a trip to the hub.
  void setMetrics(std::string prometheusText);
  void setHealth(int status, std::string body);
  [[nodiscard]] WebStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tribune::web
