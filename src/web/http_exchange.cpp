// HTTP under the callback mounts: /healthz and /metrics answered here (and, with served
// prefixes, every path outside them: "/" redirected to the first, the rest a 404), /api/*
// handed to the listener (unless serveApi is off) and answered later (deferred: lws keeps
// the connection waiting until respond() arrives through the Outbox, then HTTP_WRITEABLE
// writes it), plus the headers added to static files.
//
// Threading contract: web thread only (every function here runs inside an lws callback).
// Other threads reach an exchange only through Outbox::respond. No lock is taken here
// except documentsMutex_ (a leaf) to read the health and metrics documents.
//
// Writes: one lws_write per HTTP_WRITEABLE — the headers, then the body in chunks.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <string_view>

#include "web/web_server_impl.h"
#include "web/wire_text.h"

namespace tribune::web {
namespace {

// lws' own per-connection timeout (one per wsi; it replaces lws' header/body timeouts):
// a backstop while the listener thinks (beyond settings.apiAnswerTimeout, when our timer
// answers 504), then the time allowed to write the answer.
constexpr int kWaitBackstopExtraSeconds = 5;
constexpr int kWriteAnswerSeconds = 20;
constexpr std::size_t kBodyChunkBytes = std::size_t{16} * 1024;

struct MethodToken {
  lws_token_indexes token;
  const char* method;
};
constexpr MethodToken kMethods[] = {
    {WSI_TOKEN_GET_URI, "GET"},     {WSI_TOKEN_POST_URI, "POST"},     {WSI_TOKEN_PUT_URI, "PUT"},
    {WSI_TOKEN_PATCH_URI, "PATCH"}, {WSI_TOKEN_DELETE_URI, "DELETE"}, {WSI_TOKEN_OPTIONS_URI, "OPTIONS"},
    {WSI_TOKEN_HEAD_URI, "HEAD"},
};

// lws splits the query at '&' into fragments (already %-decoded); join them back.
std::string query(lws* wsi) {
  const int length = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS);
  if (length <= 0) return {};
  std::string joined;
  std::string fragment(static_cast<std::size_t>(length) + 1, '\0');
  for (int index = 0;; ++index) {
    const int copied = lws_hdr_copy_fragment(wsi, fragment.data(), length + 1, WSI_TOKEN_HTTP_URI_ARGS, index);
    if (copied < 0) break;
    if (!joined.empty()) joined += '&';
    joined.append(fragment.data(), static_cast<std::size_t>(copied));
  }
  return joined;
}

bool isApiPath(std::string_view path) { return path == "/api" || path.rfind("/api/", 0) == 0; }

}  // namespace

std::string copyHeader(lws* wsi, lws_token_indexes token) {
  const int length = lws_hdr_total_length(wsi, token);
  if (length <= 0) return {};
  std::string value(static_cast<std::size_t>(length) + 1, '\0');
  const int copied = lws_hdr_copy(wsi, value.data(), length + 1, token);
  if (copied < 0) return {};
  value.resize(static_cast<std::size_t>(copied));
  return value;
}

HttpExchange* WebServer::Impl::exchangeOf(lws* wsi) {
  auto id = exchangeOf_.find(wsi);
  if (id == exchangeOf_.end()) return nullptr;
  auto exchange = exchanges_.find(id->second);
  return exchange == exchanges_.end() ? nullptr : &exchange->second;
}

int WebServer::Impl::onHttpRequest(lws* wsi) {
  forgetExchange(wsi);  // what is left of the previous request on a kept-alive connection

  const RequestId id = nextRequest_++;
  HttpExchange& exchange = exchanges_[id];
  exchangeOf_[wsi] = id;
  exchange.id = id;
  exchange.wsi = wsi;
  exchange.request.id = id;
  for (const MethodToken& candidate : kMethods) {
    if (lws_hdr_total_length(wsi, candidate.token) > 0) {
      exchange.request.method = candidate.method;
      exchange.request.path = copyHeader(wsi, candidate.token);
      break;
    }
  }
  const std::string& method = exchange.request.method;
  const std::string& path = exchange.request.path;

  // lws reads the body its headers announce (HTTP_BODY callbacks) whatever we answer, so
  // the answer waits for the end of it. Without a Content-Length lws cannot tell where a
  // body ends: refused, and the connection closed after the answer.
  const bool takesBody = method == "POST" || method == "PUT" || method == "PATCH";
  const std::string declared = copyHeader(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0 || (takesBody && declared.empty())) {
    exchange.closeAfter = true;
    answer(exchange, jsonError(411, "length_required", "send the body with a Content-Length"));
    return 0;
  }
  std::uint64_t length = 0;
  if (!declared.empty()) {
    const auto [end, error] = std::from_chars(declared.data(), declared.data() + declared.size(), length);
    if (error != std::errc() || end != declared.data() + declared.size()) {
      exchange.closeAfter = true;
      answer(exchange, jsonError(400, "bad_request", "unreadable Content-Length"));
      return 0;
    }
  }
  exchange.maxBody = settings_.maxMessageBytes;
  for (const auto& prefix : settings_.uploadPrefixes) {
    if (path.rfind(prefix, 0) == 0) exchange.maxBody = settings_.maxUploadBytes;
  }
  if (length > 0) {
    exchange.readingBody = true;
    // Too large: still read (and discarded), so the 413 reaches a client busy sending it.
    exchange.bodyTooLarge = length > exchange.maxBody;
    if (!exchange.bodyTooLarge) exchange.request.body.reserve(static_cast<std::size_t>(length));
  }

  // HEAD: the same headers (Content-Length included), no body.
  exchange.headersOnly = method == "HEAD";

  if (path == "/healthz" || path == "/metrics") {
    if (method != "GET" && method != "HEAD") {
      answer(exchange, jsonError(405, "method_not_allowed", "only GET is served here"));
      return 0;
    }
    HttpResponse response;
    {
      std::lock_guard lock(documentsMutex_);
      if (path == "/healthz") {
        response.status = healthStatus_;
        response.contentType = "text/plain; charset=utf-8";
        response.body = healthBody_;
      } else {
        response.contentType = "text/plain; version=0.0.4; charset=utf-8";
        response.body = metrics_;
      }
    }
    answer(exchange, std::move(response));
    return 0;
  }
  if (path == "/" && !settings_.servedPrefixes.empty() && (method == "GET" || method == "HEAD")) {
    // Only with served prefixes does "/" reach this callback (see Mounts).
    exchange.location = settings_.servedPrefixes.front();
    answer(exchange, {302, "text/plain; charset=utf-8", {}});
    return 0;
  }
  if (!isApiPath(path) || !settings_.serveApi) {
    answer(exchange, jsonError(404, "not_found", "no such resource"));
    return 0;
  }
  if (method != "GET" && method != "POST") {
    answer(exchange, jsonError(405, "method_not_allowed", "the API takes GET and POST"));
    return 0;
  }

  exchange.request.query = query(wsi);
  exchange.request.bearerToken = parseBearerToken(copyHeader(wsi, WSI_TOKEN_HTTP_AUTHORIZATION));
  if (!exchange.readingBody) handToListener(exchange);  // else once the body is complete
  return 0;
}

int WebServer::Impl::onHttpBody(lws* wsi, const char* data, std::size_t len) {
  HttpExchange* exchange = exchangeOf(wsi);
  if (exchange == nullptr || exchange->bodyTooLarge || exchange->response) return 0;
  if (exchange->request.body.size() + len > exchange->maxBody) {
    exchange->bodyTooLarge = true;
    std::string().swap(exchange->request.body);
    return 0;
  }
  exchange->request.body.append(data, len);
  return 0;
}

int WebServer::Impl::onHttpBodyComplete(lws* wsi) {
  HttpExchange* exchange = exchangeOf(wsi);
  // lws also ends a POST of Content-Length 0 with a completion: that request went to the
  // listener with its headers already.
  if (exchange == nullptr || exchange->awaitingListener) return 0;
  exchange->readingBody = false;
  if (exchange->response) {  // answered already (404, 405…): now it can be written
    lws_callback_on_writable(wsi);
    return 0;
  }
  if (exchange->bodyTooLarge) {
    ++refusedOversized_;
    webLogger()->info("web: request {} {} refused: body over {} bytes", exchange->id, exchange->request.path,
                      exchange->maxBody);
    answer(*exchange,
           jsonError(413, "payload_too_large", "the body exceeds " + std::to_string(exchange->maxBody) + " bytes"));
    return 0;
  }
  handToListener(*exchange);
  return 0;
}

void WebServer::Impl::handToListener(HttpExchange& exchange) {
  exchange.awaitingListener = true;
  outbox_->expectResponse(exchange.id);
  const auto answerTimeout = std::chrono::duration_cast<std::chrono::microseconds>(settings_.apiAnswerTimeout);
  lws_set_timer_usecs(exchange.wsi, std::max<lws_usec_t>(1, answerTimeout.count()));
  lws_set_timeout(exchange.wsi, PENDING_TIMEOUT_USER_OK,
                  static_cast<int>(std::chrono::ceil<std::chrono::seconds>(settings_.apiAnswerTimeout).count()) +
                      kWaitBackstopExtraSeconds);
  HttpRequest request = exchange.request;
  try {
    listener_.onHttpRequest(std::move(request));
  } catch (const std::exception& error) {
    webLogger()->error("web: request {} {}: the listener failed: {}", exchange.id, exchange.request.path, error.what());
    answer(exchange, jsonError(500, "internal_error", "the request could not be handled"));
  }
}

void WebServer::Impl::answer(HttpExchange& exchange, HttpResponse response) {
  if (exchange.response) return;  // already answered (e.g. timed out, then respond() came)
  if (exchange.awaitingListener) {
    exchange.awaitingListener = false;
    outbox_->forgetRequest(exchange.id);
    lws_set_timer_usecs(exchange.wsi, LWS_SET_TIMER_USEC_CANCEL);
    lws_set_timeout(exchange.wsi, PENDING_TIMEOUT_USER_OK, kWriteAnswerSeconds);
  }
  exchange.bodySize = response.body.size();
  if (response.file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(*response.file, ec);
    auto in = std::make_unique<std::ifstream>(*response.file, std::ios::binary);
    if (ec || !*in) {
      webLogger()->warn("web: request {}: the file to send cannot be read: {}", exchange.id, response.file->string());
      response = jsonError(404, "not_found", "the file is gone");
      exchange.bodySize = response.body.size();
    } else {
      exchange.fileIn = std::move(in);
      exchange.bodySize = static_cast<std::size_t>(size);
    }
  }
  exchange.response = std::move(response);
  if (!exchange.readingBody) lws_callback_on_writable(exchange.wsi);
}

int WebServer::Impl::onHttpTimer(lws* wsi) {
  HttpExchange* exchange = exchangeOf(wsi);
  if (exchange == nullptr || !exchange->awaitingListener) return 0;
  webLogger()->warn("web: request {} {}: no answer in time, 504", exchange->id, exchange->request.path);
  answer(*exchange, jsonError(504, "timeout", "no answer in time"));
  return 0;
}

int WebServer::Impl::onHttpWriteable(lws* wsi) {
  HttpExchange* exchange = exchangeOf(wsi);
  if (exchange == nullptr || !exchange->response || exchange->readingBody) return 0;
  const HttpResponse& response = *exchange->response;

  if (!exchange->headersSent) {
    unsigned char buffer[LWS_PRE + 1024];
    unsigned char* start = buffer + LWS_PRE;
    unsigned char* p = start;
    unsigned char* end = buffer + sizeof buffer - 1;
    // Like the static files (lws' own choice there): answers are never stored.
    static constexpr char kNoStore[] = "no-store";
    const std::string disposition =
        response.downloadName.empty() ? std::string() : "attachment; filename=\"" + response.downloadName + "\"";
    if (lws_add_http_common_headers(wsi, static_cast<unsigned int>(response.status), response.contentType.c_str(),
                                    static_cast<lws_filepos_t>(exchange->bodySize), &p, end) != 0 ||
        (!disposition.empty() &&
         lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>("content-disposition:"),
                                     reinterpret_cast<const unsigned char*>(disposition.data()),
                                     static_cast<int>(disposition.size()), &p, end) != 0) ||
        lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>("cache-control:"),
                                    reinterpret_cast<const unsigned char*>(kNoStore),
                                    static_cast<int>(sizeof kNoStore - 1), &p, end) != 0 ||
        (!exchange->location.empty() &&
         lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_LOCATION,
                                      reinterpret_cast<const unsigned char*>(exchange->location.data()),
                                      static_cast<int>(exchange->location.size()), &p, end) != 0) ||
        lws_finalize_write_http_header(wsi, start, &p, end) != 0) {
      return -1;
    }
    exchange->headersSent = true;
    if (exchange->bodySize == 0 || exchange->headersOnly) return finishExchange(wsi, *exchange);
    lws_callback_on_writable(wsi);
    return 0;
  }

  const std::size_t chunk = std::min(kBodyChunkBytes, exchange->bodySize - exchange->bodySent);
  const bool last = exchange->bodySent + chunk == exchange->bodySize;
  writeBuffer_.resize(LWS_PRE + chunk);
  if (exchange->fileIn) {
    exchange->fileIn->read(reinterpret_cast<char*>(writeBuffer_.data() + LWS_PRE), static_cast<std::streamsize>(chunk));
    if (exchange->fileIn->gcount() != static_cast<std::streamsize>(chunk)) {
      webLogger()->warn("web: request {}: the file shrank while it was sent: connection closed", exchange->id);
      return -1;  // the announced length cannot be kept
    }
  } else {
    std::memcpy(writeBuffer_.data() + LWS_PRE, response.body.data() + exchange->bodySent, chunk);
  }
  const int written =
      lws_write(wsi, writeBuffer_.data() + LWS_PRE, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
  if (written < static_cast<int>(chunk)) return -1;
  exchange->bodySent += chunk;
  if (!last) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  return finishExchange(wsi, *exchange);
}

int WebServer::Impl::finishExchange(lws* wsi, HttpExchange& exchange) {
  const bool close = exchange.closeAfter;
  forgetExchange(wsi);
  if (close) return -1;
  // Keep-alive: lws waits for the next request on this connection (nonzero: close it).
  return lws_http_transaction_completed(wsi) != 0 ? -1 : 0;
}

void WebServer::Impl::forgetExchange(lws* wsi) {
  auto id = exchangeOf_.find(wsi);
  if (id == exchangeOf_.end()) return;
  auto exchange = exchanges_.find(id->second);
  if (exchange != exchanges_.end()) {
    if (exchange->second.awaitingListener) outbox_->forgetRequest(exchange->first);
    exchanges_.erase(exchange);
  }
  exchangeOf_.erase(id);
}

int WebServer::Impl::addStaticFileHeaders(lws* wsi, lws_process_html_args* args) {
  if (args == nullptr) return 0;
  auto** p = reinterpret_cast<unsigned char**>(&args->p);
  unsigned char* end = reinterpret_cast<unsigned char*>(args->p) + args->max_len;
  static constexpr char kNoSniff[] = "nosniff";
  if (lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>("x-content-type-options:"),
                                  reinterpret_cast<const unsigned char*>(kNoSniff),
                                  static_cast<int>(sizeof kNoSniff - 1), p, end) != 0) {
    return 1;
  }
  return 0;
}

}  // namespace tribune::web
