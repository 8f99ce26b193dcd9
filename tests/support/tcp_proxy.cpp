#include "support/tcp_proxy.h"

#include <utility>

#include <boost/asio.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <list>
#include <optional>
#include <thread>

namespace tribune::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Pair : std::enable_shared_from_this<Pair> {
  Pair(asio::io_context& io, tcp::socket accepted, std::uint64_t limit)
      : client(std::move(accepted)), server(io), timer(io), bytesPerSecond(limit) {}
  tcp::socket client;
  tcp::socket server;
  asio::steady_timer timer;          // the upload's token bucket
  std::uint64_t bytesPerSecond = 0;  // 0: unlimited
  // When the next read may be made: each read's bytes push it on by their time at the rate;
  // credit never builds up beyond one bucket (an idle connection does not burst after).
  std::chrono::steady_clock::time_point allowedAt = std::chrono::steady_clock::now();
  std::array<char, 16384> up{};
  std::array<char, 16384> down{};
  void close() {
    boost::system::error_code ignored;
    client.close(ignored);
    server.close(ignored);
    timer.cancel();
  }
};

}  // namespace

struct TcpProxy::Impl {
  explicit Impl(std::uint16_t target)
      : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), targetPort(target) {
    accept();
    thread = std::thread([this] { io.run(); });
  }
  ~Impl() {
    asio::post(io, [this] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      for (auto& pair : pairs) {
        if (auto p = pair.lock()) p->close();
      }
    });
    work.reset();
    io.stop();
    thread.join();
  }

  void accept() {
    acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) return;
      if (isCut) {
        boost::system::error_code ignored;
        socket.close(ignored);  // refused while the uplink is down
      } else {
        auto pair = std::make_shared<Pair>(io, std::move(socket), uploadLimit);
        pairs.push_back(pair);
        ++accepted;
        pair->server.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), targetPort),
                                   [this, pair](const boost::system::error_code& error) {
                                     if (error) return pair->close();
                                     if (pair->bytesPerSecond > 0) {
                                       upload(pair);
                                     } else {
                                       relay(pair, pair->client, pair->server, pair->up);
                                     }
                                     relay(pair, pair->server, pair->client, pair->down);
                                   });
      }
      accept();
    });
  }

  // Reads from one side and writes to the other; while cut, what is read is dropped.
  void relay(const std::shared_ptr<Pair>& pair, tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buffer) {
    from.async_read_some(
        asio::buffer(buffer), [this, pair, &from, &to, &buffer](const boost::system::error_code& ec, std::size_t size) {
          if (ec) return pair->close();
          if (isCut) return relay(pair, from, to, buffer);
          asio::async_write(to, asio::buffer(buffer.data(), size),
                            [this, pair, &from, &to, &buffer](const boost::system::error_code& error, std::size_t) {
                              if (error) return pair->close();
                              relay(pair, from, to, buffer);
                            });
        });
  }

  // The client's bytes, 4 KiB reads, each once the bucket allows it. The bucket holds
  // 64 KiB: the relay catches up after being descheduled for a while on a loaded machine
  // (the rate holds on average), and an idle connection bursts no more than that after.
  void upload(const std::shared_ptr<Pair>& pair) {
    constexpr std::size_t kRead = 4096;
    constexpr std::uint64_t kBucket = 64 * 1024;
    pair->timer.expires_at(pair->allowedAt);
    pair->timer.async_wait([this, pair](const boost::system::error_code& waited) {
      if (waited) return pair->close();
      pair->client.async_read_some(
          asio::buffer(pair->up.data(), kRead), [this, pair](const boost::system::error_code& ec, std::size_t size) {
            if (ec) return pair->close();
            if (isCut) return upload(pair);
            asio::async_write(pair->server, asio::buffer(pair->up.data(), size),
                              [this, pair, size](const boost::system::error_code& error, std::size_t) {
                                if (error) return pair->close();
                                using std::chrono::microseconds;
                                const auto bucketTime = microseconds(kBucket * 1'000'000 / pair->bytesPerSecond);
                                pair->allowedAt =
                                    std::max(pair->allowedAt, std::chrono::steady_clock::now() - bucketTime) +
                                    microseconds(size * 1'000'000 / pair->bytesPerSecond);
                                upload(pair);
                              });
          });
    });
  }

  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{asio::make_work_guard(io)};
  tcp::acceptor acceptor;
  std::uint16_t targetPort;
  bool isCut = false;             // io thread
  std::uint64_t uploadLimit = 0;  // io thread
  std::list<std::weak_ptr<Pair>> pairs;
  std::atomic<std::uint64_t> accepted{0};
  std::thread thread;
};

TcpProxy::TcpProxy(std::uint16_t targetPort) : impl_(std::make_unique<Impl>(targetPort)) {}
TcpProxy::~TcpProxy() = default;

std::uint16_t TcpProxy::port() const { return impl_->acceptor.local_endpoint().port(); }

void TcpProxy::cut() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->isCut = true; });
}

void TcpProxy::restore() {
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->isCut = false;
    for (auto& pair : impl->pairs) {
      if (auto p = pair.lock()) p->close();
    }
    impl->pairs.clear();
  });
}

void TcpProxy::limitUpload(std::uint64_t bytesPerSecond) {
  std::promise<void> done;
  asio::post(impl_->io, [impl = impl_.get(), bytesPerSecond, &done] {
    impl->uploadLimit = bytesPerSecond;
    // A socket's receive buffer is its listener's at accept; 32 KiB (the kernel doubles it)
    // is what a link's queue holds at a few Mb/s in about 100 ms.
    constexpr int kQueue = 32 * 1024;
    boost::system::error_code ignored;
    if (bytesPerSecond > 0) impl->acceptor.set_option(asio::socket_base::receive_buffer_size(kQueue), ignored);
    done.set_value();
  });
  done.get_future().wait();
}

std::uint64_t TcpProxy::connections() const { return impl_->accepted.load(); }

}  // namespace tribune::testing
