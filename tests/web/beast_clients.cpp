#include "beast_clients.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <type_traits>

namespace tribune::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

tcp::endpoint loopback(int port) { return {net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}; }

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

http::request<http::string_body> makeRequest(int port, const HttpCall& call) {
  http::request<http::string_body> request{http::string_to_verb(call.method), call.target, 11};
  if (request.method() == http::verb::unknown) request.method_string(call.method);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  request.set(http::field::user_agent, "tribune-web-tests");
  for (const auto& [name, value] : call.headers) request.set(name, value);
  if (!call.body.empty() || call.method == "POST") {
    request.body() = call.body;
    request.prepare_payload();
  }
  return request;
}

}  // namespace

std::string HttpReply::header(const std::string& lowerCaseName) const {
  auto found = headers.find(lowerCaseName);
  return found == headers.end() ? std::string() : found->second;
}

HttpReply httpCall(int port, const HttpCall& call, std::chrono::milliseconds timeout) {
  net::io_context io;
  beast::tcp_stream stream(io);
  auto request = makeRequest(port, call);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{64} * 1024 * 1024);
  parser.skip(call.method == "HEAD");
  HttpReply reply;

  stream.expires_after(timeout);
  stream.async_connect(loopback(port), [&](error_code error) {
    if (error) {
      reply.error = "connect: " + error.message();
      return;
    }
    http::async_write(stream, request, [&](error_code writeError, std::size_t) {
      if (writeError) {
        reply.error = "write: " + writeError.message();
        return;
      }
      http::async_read(stream, buffer, parser, [&](error_code readError, std::size_t) {
        if (readError) {
          reply.error = "read: " + readError.message();
          return;
        }
        const auto& response = parser.get();
        reply.ok = true;
        reply.status = static_cast<int>(response.result_int());
        for (const auto& field : response) {
          reply.headers[lowerCase(std::string(field.name_string()))] = std::string(field.value());
        }
        reply.body = response.body();
      });
    });
  });
  io.run();
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return reply;
}

std::vector<HttpReply> httpCallsOnOneConnection(int port, const std::vector<HttpCall>& calls,
                                                std::chrono::milliseconds timeout) {
  net::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  std::vector<HttpReply> replies(calls.size());
  http::request<http::string_body> request;
  std::optional<http::response_parser<http::string_body>> parser;

  std::function<void(std::size_t)> exchange = [&](std::size_t index) {
    if (index == calls.size()) return;
    request = makeRequest(port, calls[index]);
    request.keep_alive(true);
    http::async_write(stream, request, [&, index](error_code writeError, std::size_t) {
      if (writeError) {
        replies[index].error = "write: " + writeError.message();
        return;
      }
      parser.emplace();
      parser->skip(calls[index].method == "HEAD");  // a HEAD answer announces a body it does not carry
      http::async_read(stream, buffer, *parser, [&, index](error_code readError, std::size_t) {
        if (readError) {
          replies[index].error = "read: " + readError.message();
          return;
        }
        const auto& response = parser->get();
        replies[index].ok = true;
        replies[index].status = static_cast<int>(response.result_int());
        for (const auto& field : response) {
          replies[index].headers[lowerCase(std::string(field.name_string()))] = std::string(field.value());
        }
        replies[index].body = response.body();
        exchange(index + 1);
      });
    });
  };
  stream.expires_after(timeout);
  stream.async_connect(loopback(port), [&](error_code error) {
    if (error) {
      if (!replies.empty()) replies[0].error = "connect: " + error.message();
      return;
    }
    exchange(0);
  });
  io.run();
  return replies;
}

void httpSendAndLeave(int port, const HttpCall& call) {
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(loopback(port));
  auto request = makeRequest(port, call);
  http::write(socket, request);
  socket.close();
}

TrustedCertificate::TrustedCertificate(const std::filesystem::path& certificate) : tls(net::ssl::context::tls_client) {
  tls.set_verify_mode(net::ssl::verify_peer);
  tls.load_verify_file(certificate.string());
}

template <class NextLayer>
bool BasicWsClient<NextLayer>::runOne(std::chrono::milliseconds timeout,
                                      const std::function<void(const std::function<void(bool)>&)>& start) {
  auto finished = std::make_shared<std::optional<bool>>();
  start([finished](bool ok) { *finished = ok; });
  io_.restart();
  io_.run_for(timeout);
  if (!finished->has_value()) {
    lastError_ = "timed out";
    error_code ignored;
    socket().cancel(ignored);
    io_.restart();
    io_.run_for(1s);
    return false;
  }
  return **finished;
}

template <class NextLayer>
void BasicWsClient<NextLayer>::startUpgrade(int port, const std::string& target,
                                            const std::function<void(bool)>& done) {
  // Once the stream below the websocket is ready (over TLS: after the TLS handshake).
  upgradeResponse_ = websocket::response_type(http::status::unknown, 11);
  auto upgrade = [this, port, target, done] {
    ws_.async_handshake(upgradeResponse_, "127.0.0.1:" + std::to_string(port), target,
                        [this, done](error_code handshakeError) {
                          if (handshakeError) lastError_ = "upgrade: " + handshakeError.message();
                          done(!handshakeError);
                        });
  };
  socket().async_connect(loopback(port), [this, done, upgrade](error_code error) {
    if (error) {
      lastError_ = "connect: " + error.message();
      done(false);
      return;
    }
    if constexpr (std::is_same_v<NextLayer, TlsStream>) {
      ws_.next_layer().set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
      ws_.next_layer().async_handshake(net::ssl::stream_base::client, [this, done, upgrade](error_code tlsError) {
        if (tlsError) {
          lastError_ = "TLS: " + tlsError.message();
          done(false);
          return;
        }
        upgrade();
      });
    } else {
      upgrade();
    }
  });
}

template <class NextLayer>
bool BasicWsClient<NextLayer>::connect(int port, const std::string& target,
                                       const std::optional<std::string>& subprotocol,
                                       std::chrono::milliseconds timeout) {
  ws_.set_option(websocket::stream_base::decorator(
      [protocol = subprotocol, headers = upgradeHeaders_](websocket::request_type& request) {
        if (protocol) request.set(http::field::sec_websocket_protocol, *protocol);
        for (const auto& [name, value] : headers) request.set(name, value);
      }));
  return runOne(timeout,
                [this, port, &target](const std::function<void(bool)>& done) { startUpgrade(port, target, done); });
}

template <class NextLayer>
bool BasicWsClient<NextLayer>::send(const std::string& text, std::chrono::milliseconds timeout) {
  ws_.text(true);
  return runOne(timeout, [this, &text](const std::function<void(bool)>& done) {
    ws_.async_write(net::buffer(text), [done](error_code error, std::size_t) { done(!error); });
  });
}

template <class NextLayer>
bool BasicWsClient<NextLayer>::sendBinary(const std::string& bytes, std::chrono::milliseconds timeout) {
  ws_.binary(true);
  const bool ok = runOne(timeout, [this, &bytes](const std::function<void(bool)>& done) {
    ws_.async_write(net::buffer(bytes), [done](error_code error, std::size_t) { done(!error); });
  });
  ws_.text(true);
  return ok;
}

template <class NextLayer>
bool BasicWsClient<NextLayer>::sendFragmented(const std::vector<std::string>& parts,
                                              std::chrono::milliseconds timeout) {
  ws_.text(true);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    const bool ok = runOne(timeout, [this, &parts, i, last](const std::function<void(bool)>& done) {
      ws_.async_write_some(last, net::buffer(parts[i]), [done](error_code error, std::size_t) { done(!error); });
    });
    if (!ok) return false;
  }
  return true;
}

template <class NextLayer>
WsReceived BasicWsClient<NextLayer>::closedOrError(const error_code& error) {
  Received received;
  received.error = error.message();
  // The close frame may have arrived even when the teardown after it failed (the server
  // does not always wait for our answering close frame before closing the socket).
  if (ws_.reason().code != websocket::close_code::none) {
    received.closeCode = static_cast<int>(ws_.reason().code);
    received.closeReason = std::string(ws_.reason().reason.c_str());
  }
  return received;
}

template <class NextLayer>
void BasicWsClient<NextLayer>::startReceive(const std::function<void(Received)>& done) {
  ws_.async_read(buffer_, [this, done](error_code error, std::size_t) {
    if (error) {
      done(closedOrError(error));
      return;
    }
    Received received;
    received.ok = true;
    received.binary = ws_.got_binary();
    received.text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    done(std::move(received));
  });
}

template <class NextLayer>
WsReceived BasicWsClient<NextLayer>::receive(std::chrono::milliseconds timeout) {
  Received result;
  const bool finished = runOne(timeout, [this, &result](const std::function<void(bool)>& done) {
    startReceive([&result, done](Received received) {
      result = std::move(received);
      done(true);
    });
  });
  if (!finished) result.error = "timed out";
  return result;
}

template <class NextLayer>
bool BasicWsClient<NextLayer>::close(std::chrono::milliseconds timeout) {
  return runOne(timeout, [this](const std::function<void(bool)>& done) {
    ws_.async_close(websocket::close_code::normal, [done](error_code error) { done(!error); });
  });
}

template <class NextLayer>
void BasicWsClient<NextLayer>::startConnect(int port, const std::function<void(bool)>& done) {
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& request) { request.set(http::field::sec_websocket_protocol, "tribune"); }));
  startUpgrade(port, "/ws", done);
}

template class BasicWsClient<tcp::socket>;
template class BasicWsClient<TlsStream>;

}  // namespace tribune::testing
