#pragma once
// Private to src/web: the state behind WebServer, shared by web_server.cpp (life cycle,
// public calls, the lws trampoline), http_exchange.cpp (/api, /healthz, /metrics) and
// websocket_session.cpp (/ws).
//
// Threading contract:
// - The web thread (thread_) runs the event loop (libev on epoll, lent to lws as a foreign
//   loop) and so every lws callback. It alone touches lws objects (a wsi is never used
//   from another thread: it may already be freed), the loop, the maps of connections and
//   exchanges, and the id counters. It calls the listener.
// - Any other thread only reaches outbox_ (which wakes the loop with lws_cancel_service),
//   the health and metrics documents (under documentsMutex_) and the atomic counters.
// - The loop and the context are created on the constructing thread before thread_
//   starts and destroyed on the web thread when the loop ends (the context first); the
//   destructor joins.
//
// Why libev: lws' own loop calls poll() over every descriptor on each pass, and a pass
// happens on every wake-up and every round of writes. With 10,000 viewers open that was
// half of an event's fan-out (docs/PERFORMANCE.md, "Websockets"); epoll costs what is ready.
//
// Lock order: documentsMutex_ and Outbox's mutex are leaves, never held together, never
// held while calling lws or the listener (the listener may call send() right back).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <ev.h>
#include <libwebsockets.h>

#include "web/lws_support.h"
#include "web/mounts.h"
#include "web/outbox.h"
#include "web/web_server.h"

namespace tribune::web {

inline constexpr const char* kProtocolName = "tribune";
inline constexpr const char* kWebsocketPath = "/ws";

// The whole value of a request header ("" when absent).
std::string copyHeader(lws* wsi, lws_token_indexes token);

// One HTTP request under a callback mount, from its headers to the last byte written.
struct HttpExchange {
  RequestId id = 0;
  lws* wsi = nullptr;
  HttpRequest request;
  bool readingBody = false;  // lws still delivers the announced body: answers wait for it
  bool bodyTooLarge = false;
  std::size_t maxBody = 0;        // maxMessageBytes, or maxUploadBytes under an upload prefix
  bool awaitingListener = false;  // handed to onHttpRequest, waiting for respond()
  bool closeAfter = false;        // the rest of the connection cannot be trusted
  bool headersOnly = false;       // a HEAD request
  std::string location;           // a redirect's Location header
  std::optional<HttpResponse> response;
  bool headersSent = false;
  std::size_t bodySent = 0;
  std::size_t bodySize = 0;               // response.body's size, or the file's
  std::unique_ptr<std::ifstream> fileIn;  // response.file, opened when answered
};

// One websocket connection (web thread only; its outgoing queue lives in the Outbox).
struct WebsocketConnection {
  lws* wsi = nullptr;
  std::string incoming;             // fragments of the message being received
  std::size_t maxMessageBytes = 0;  // settings.maxMessageBytes, or what setMessageLimit said
  bool closing = false;             // a close was decided: write nothing more
};

// The web thread's libev loop. It outlives the lws context that uses it.
struct DestroyEvLoop {
  void operator()(struct ev_loop* loop) const noexcept { ev_loop_destroy(loop); }
};
using EvLoopPtr = std::unique_ptr<struct ev_loop, DestroyEvLoop>;

struct WebServer::Impl {
  Impl(WebSettings settings, WebListener& listener);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // The lws protocol callback. Catches everything: no exception crosses into C.
  static int trampoline(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  int handle(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);

  void run();                // the web thread
  void closeEverything();    // web thread, on stop: 1001 to every websocket, briefly serviced
  void applyOutboxWork();    // web thread, on LWS_CALLBACK_EVENT_WAIT_CANCELLED (ends the loop when stopping)
  void forgetWsi(lws* wsi);  // web thread, when lws is done with a wsi

  // http_exchange.cpp (web thread)
  int onHttpRequest(lws* wsi);
  int onHttpBody(lws* wsi, const char* data, std::size_t len);
  int onHttpBodyComplete(lws* wsi);
  int onHttpWriteable(lws* wsi);
  int onHttpTimer(lws* wsi);
  int addStaticFileHeaders(lws* wsi, lws_process_html_args* args);
  HttpExchange* exchangeOf(lws* wsi);
  void answer(HttpExchange& exchange, HttpResponse response);
  void handToListener(HttpExchange& exchange);
  int finishExchange(lws* wsi, HttpExchange& exchange);
  void forgetExchange(lws* wsi);

  // websocket_session.cpp (web thread)
  int confirmUpgrade(lws* wsi);  // the client's address, and the cap per address
  void releaseClientAddress(lws* wsi);
  int acceptWebsocket(lws* wsi);
  int onWebsocketOpen(lws* wsi);
  int onWebsocketReceive(lws* wsi, const char* data, std::size_t len);
  int onWebsocketWriteable(lws* wsi);
  enum class Written { Done, Closing, Failed };  // Closing: a close reason is set
  // Writes what the Outbox holds for the connection while the socket takes it whole.
  Written writeQueued(lws* wsi, ConnectionId id, WebsocketConnection& connection);
  // Outside WRITEABLE: writes now when lws may, else asks for WRITEABLE.
  void writeSoon(ConnectionId id, WebsocketConnection& connection);
  [[nodiscard]] bool mustWaitForWriteable(lws* wsi) const;
  void onWebsocketClosed(lws* wsi);
  int refuse(lws* wsi, WebsocketConnection& connection, lws_close_status status, const char* reason);
  void dropSlow(ConnectionId id, WebsocketConnection& connection);

  const WebSettings settings_;
  WebListener& listener_;

  // Counters (any thread reads).
  std::atomic<std::uint64_t> connectionsOpen_{0};
  std::atomic<std::uint64_t> messagesIn_{0};
  std::atomic<std::uint64_t> messagesOut_{0};
  std::atomic<std::uint64_t> droppedSlowClients_{0};
  std::atomic<std::uint64_t> refusedOversized_{0};
  std::atomic<std::uint64_t> refusedOverCap_{0};

  // What the web thread serves without the hub; written by any thread.
  std::mutex documentsMutex_;  // leaf
  int healthStatus_ = 200;
  std::string healthBody_ = "ok";
  std::string metrics_;

  // Set once by the destructor; the loop ends after the next wake-up.
  std::atomic<bool> stopping_{false};

  // Bounds the goodbye to websocket clients when stopping (web thread only).
  ev_timer goodbyeDeadline_{};
  ev_timer lwsTimerTick_{};  // see kLwsTimerTickSeconds
  bool goodbyeDeadlinePassed_ = false;

  // Web thread only.
  std::unordered_map<lws*, RequestId> exchangeOf_;
  std::unordered_map<RequestId, HttpExchange> exchanges_;
  std::unordered_map<lws*, ConnectionId> connectionOf_;
  std::unordered_map<ConnectionId, WebsocketConnection> connections_;
  // From the upgrade's confirmation until lws forgets the wsi: whom it counts against.
  std::unordered_map<lws*, std::string> clientAddressOf_;
  std::unordered_map<std::string, std::size_t> websocketsPerAddress_;
  RequestId nextRequest_ = 1;
  ConnectionId nextConnection_ = 1;
  std::vector<unsigned char> writeBuffer_;  // LWS_PRE bytes of headroom + one write

  // lws configuration: must outlive the context.
  Mounts mounts_;
  std::string address_;
  std::string certificate_;
  std::string key_;
  lws_retry_bo_t idlePolicy_{};
  std::array<lws_protocols, 2> protocols_{};

  EvLoopPtr loop_;                       // declared before the context: destroyed after it
  std::array<void*, 1> foreignLoops_{};  // what lws is given: loop_
  lws_context* context_ = nullptr;       // owned by contextOwner_ (reset on the web thread)
  LwsContextPtr contextOwner_;
  int port_ = 0;
  std::unique_ptr<Outbox> outbox_;  // after context_: its wake calls lws_cancel_service
  std::thread thread_;
};

}  // namespace tribune::web
