#pragma once
// Real clients for the web tests: Boost.Beast HTTP, and websocket over plain TCP or TLS
// (WSS), over loopback. Every blocking call is bounded: the io_context runs until the
// operation ends or the timeout passes (then the socket is cancelled and the call reports
// a failure).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tribune::testing {

using namespace std::chrono_literals;

struct HttpCall {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpReply {
  bool ok = false;  // a complete response arrived
  std::string error;
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  [[nodiscard]] std::string header(const std::string& lowerCaseName) const;
};

HttpReply httpCall(int port, const HttpCall& call, std::chrono::milliseconds timeout = 5s);

// Several requests one after the other on one kept-alive connection.
std::vector<HttpReply> httpCallsOnOneConnection(int port, const std::vector<HttpCall>& calls,
                                                std::chrono::milliseconds timeout = 5s);

// Sends the request, then closes the connection without waiting for the answer.
void httpSendAndLeave(int port, const HttpCall& call);

struct WsReceived {
  bool ok = false;
  std::string text;
  bool binary = false;
  std::string error;
  int closeCode = 0;  // when the server closed the connection: its status code
  std::string closeReason;
};

// A websocket client over NextLayer: plain TCP (WsClient) or TLS (WssClient), the only two
// streams beast_clients.cpp defines it for.
template <class NextLayer>
class BasicWsClient {
 public:
  using Received = WsReceived;

  BasicWsClient(const BasicWsClient&) = delete;
  BasicWsClient& operator=(const BasicWsClient&) = delete;

  // Connects and upgrades; subprotocol nullopt sends no Sec-WebSocket-Protocol.
  bool connect(int port, const std::string& target = "/ws",
               const std::optional<std::string>& subprotocol = std::string("tribune"),
               std::chrono::milliseconds timeout = 5s);
  bool send(const std::string& text, std::chrono::milliseconds timeout = 5s);
  bool sendBinary(const std::string& bytes, std::chrono::milliseconds timeout = 5s);
  // One message in several frames (continuation frames).
  bool sendFragmented(const std::vector<std::string>& parts, std::chrono::milliseconds timeout = 5s);
  Received receive(std::chrono::milliseconds timeout = 5s);
  bool close(std::chrono::milliseconds timeout = 5s);

  // For many clients on one shared io_context: start, then run the io_context.
  void startConnect(int port, const std::function<void(bool)>& done);
  void startReceive(const std::function<void(Received)>& done);

  // Extra headers for the upgrade request of the next connect (X-Forwarded-For…).
  void setUpgradeHeaders(std::vector<std::pair<std::string, std::string>> headers) {
    upgradeHeaders_ = std::move(headers);
  }
  // The HTTP status the server answered the last upgrade with (101 when accepted, 0 when
  // no answer came).
  [[nodiscard]] int upgradeStatus() const { return static_cast<int>(upgradeResponse_.result_int()); }

  boost::asio::ip::tcp::socket& socket() { return boost::beast::get_lowest_layer(ws_); }
  // Why the last call failed (connect, TLS or upgrade error, "timed out").
  [[nodiscard]] const std::string& lastError() const { return lastError_; }

 protected:
  // Without sharedIo, the client has its own io_context. layerArgs go to NextLayer after
  // the io_context (the TLS context).
  template <class... LayerArgs>
  explicit BasicWsClient(boost::asio::io_context* sharedIo, LayerArgs&... layerArgs)
      : ownIo_(sharedIo == nullptr ? std::make_unique<boost::asio::io_context>() : nullptr),
        io_(sharedIo == nullptr ? *ownIo_ : *sharedIo),
        ws_(io_, layerArgs...) {}
  ~BasicWsClient() = default;

 private:
  bool runOne(std::chrono::milliseconds timeout, const std::function<void(const std::function<void(bool)>&)>& start);
  void startUpgrade(int port, const std::string& target, const std::function<void(bool)>& done);
  Received closedOrError(const boost::system::error_code& error);

  std::unique_ptr<boost::asio::io_context> ownIo_;
  boost::asio::io_context& io_;
  boost::beast::websocket::stream<NextLayer> ws_;
  boost::beast::flat_buffer buffer_;
  std::string lastError_;
  std::vector<std::pair<std::string, std::string>> upgradeHeaders_;
  boost::beast::websocket::response_type upgradeResponse_{boost::beast::http::status::unknown, 11};
};

using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
extern template class BasicWsClient<boost::asio::ip::tcp::socket>;
extern template class BasicWsClient<TlsStream>;

class WsClient final : public BasicWsClient<boost::asio::ip::tcp::socket> {
 public:
  WsClient() : BasicWsClient(nullptr) {}
  explicit WsClient(boost::asio::io_context& io) : BasicWsClient(&io) {}
};

// The TLS context must be built before the stream that refers to it: a base of its own,
// constructed first.
struct TrustedCertificate {
  explicit TrustedCertificate(const std::filesystem::path& certificate);
  boost::asio::ssl::context tls;
};

// WSS, verifying the server as a browser would: its certificate must chain to `certificate`
// (PEM, the only one trusted) and name 127.0.0.1.
class WssClient final : private TrustedCertificate, public BasicWsClient<TlsStream> {
 public:
  explicit WssClient(const std::filesystem::path& certificate)
      : TrustedCertificate(certificate), BasicWsClient(nullptr, tls) {}
};

}  // namespace tribune::testing
