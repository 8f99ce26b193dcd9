#pragma once
// Real clients for the web tests: Boost.Beast HTTP and websocket over loopback. Every
// blocking call is bounded: the io_context runs until the operation ends or the timeout
// passes (then the socket is cancelled and the call reports a failure).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <functional>
#include <map>
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

class WsClient {
 public:
  struct Received {
    bool ok = false;
    std::string text;
    bool binary = false;
    std::string error;
    int closeCode = 0;  // when the server closed the connection: its status code
    std::string closeReason;
  };

  WsClient();  // with its own io_context
  explicit WsClient(boost::asio::io_context& io);
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

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

  boost::asio::ip::tcp::socket& socket() { return ws_.next_layer(); }

 private:
  bool runOne(std::chrono::milliseconds timeout, const std::function<void(const std::function<void(bool)>&)>& start);
  Received closedOrError(const boost::system::error_code& error);

  std::optional<boost::asio::io_context> ownIo_;
  boost::asio::io_context& io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  std::string lastError_;
};

}  // namespace tribune::testing
