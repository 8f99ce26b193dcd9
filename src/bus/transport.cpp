#include "bus/transport.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

namespace tribune::bus::detail {
namespace {

std::string errnoText(int error) { return std::strerror(error); }

// Empties OpenSSL's error queue of this thread into one line.
std::string openSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "no detail from OpenSSL" : text;
}

bool isIpAddress(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

}  // namespace

Deadline deadlineAfter(std::optional<std::chrono::milliseconds> timeout) {
  // Anything beyond a year is "no deadline": it also keeps now() + timeout from overflowing.
  if (!timeout || *timeout > std::chrono::hours(24 * 365)) return std::nullopt;
  return std::chrono::steady_clock::now() + *timeout;
}

struct Transport::Tls {
  struct ContextDeleter {
    void operator()(SSL_CTX* doomed) const { SSL_CTX_free(doomed); }
  };
  struct SslDeleter {
    void operator()(SSL* doomed) const { SSL_free(doomed); }
  };
  std::unique_ptr<SSL_CTX, ContextDeleter> context;
  std::unique_ptr<SSL, SslDeleter> ssl;
  BIO* input = nullptr;   // socket bytes for OpenSSL to read; owned by ssl
  BIO* output = nullptr;  // records OpenSSL wrote, for us to send; owned by ssl
};

Transport::Transport(const RedisSettings& settings, Deadline deadline)
    : peer_(settings.host + ":" + std::to_string(settings.port)) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) fail("cannot create an eventfd: " + errnoText(errno));
  try {
    connectTcp(settings, deadline);
    if (settings.tls) handshake(settings, deadline);
  } catch (...) {
    close();
    ::close(wake_fd_);
    throw;
  }
}

Transport::~Transport() {
  close();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Transport::close() noexcept {
  tls_.reset();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void Transport::interrupt() noexcept {
  const std::uint64_t one = 1;
  // Only fails when the counter would overflow: it is already non-zero then.
  [[maybe_unused]] ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

void Transport::fail(std::string_view what) const { throw RedisError("Redis at " + peer_ + ": " + std::string(what)); }

void Transport::connectTcp(const RedisSettings& settings, Deadline deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(settings.port);
  if (int error = getaddrinfo(settings.host.c_str(), port.c_str(), &hints, &found); error != 0) {
    fail("cannot resolve the host name: " + std::string(gai_strerror(error)));
  }
  std::unique_ptr<addrinfo, AddrInfoDeleter> addresses(found);

  std::string lastError = "no address";
  for (addrinfo* address = addresses.get(); address != nullptr; address = address->ai_next) {
    fd_ = ::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, address->ai_protocol);
    if (fd_ < 0) {
      lastError = errnoText(errno);
      continue;
    }
    int error = 0;
    if (::connect(fd_, address->ai_addr, address->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        waitFor(Wait::writable, deadline, "while connecting");
        socklen_t length = sizeof error;
        if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
      }
    }
    if (error == 0) {
      int one = 1;
      setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return;
    }
    lastError = errnoText(error);
    close();
  }
  fail("cannot connect: " + lastError);
}

void Transport::handshake(const RedisSettings& settings, Deadline deadline) {
  tls_ = std::make_unique<Tls>();
  ERR_clear_error();
  tls_->context.reset(SSL_CTX_new(TLS_client_method()));
  if (!tls_->context) fail("cannot create a TLS context: " + openSslErrors());
  SSL_CTX* context = tls_->context.get();
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  if (settings.caFile) {
    if (SSL_CTX_load_verify_locations(context, settings.caFile->c_str(), nullptr) != 1) {
      fail("cannot read the CA file '" + settings.caFile->string() + "': " + openSslErrors());
    }
  } else if (SSL_CTX_set_default_verify_paths(context) != 1) {
    fail("cannot load the system's CA certificates: " + openSslErrors());
  }

  tls_->ssl.reset(SSL_new(context));
  if (!tls_->ssl) fail("cannot create a TLS session: " + openSslErrors());
  SSL* ssl = tls_->ssl.get();
  tls_->input = BIO_new(BIO_s_mem());
  tls_->output = BIO_new(BIO_s_mem());
  if (tls_->input == nullptr || tls_->output == nullptr) {
    BIO_free(tls_->input);
    BIO_free(tls_->output);
    fail("cannot create the TLS buffers: " + openSslErrors());
  }
  SSL_set_bio(ssl, tls_->input, tls_->output);

  // The certificate must name what we connected to: its IP SAN for an address, its DNS
  // names (and SNI) for a host name.
  if (isIpAddress(settings.host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), settings.host.c_str()) != 1) {
      fail("cannot set the address to verify: " + openSslErrors());
    }
  } else {
    if (SSL_set1_host(ssl, settings.host.c_str()) != 1 || SSL_set_tlsext_host_name(ssl, settings.host.c_str()) != 1) {
      fail("cannot set the host name to verify: " + openSslErrors());
    }
  }
  SSL_set_connect_state(ssl);
  runTls([ssl] { return SSL_connect(ssl); }, deadline, "during the TLS handshake");
}

void Transport::waitFor(Wait what, Deadline deadline, std::string_view doing) {
  for (;;) {
    int timeoutMs = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) fail("timed out " + std::string(doing));
      timeoutMs = static_cast<int>(std::min<long long>(left.count(), INT_MAX));
    }
    pollfd fds[2] = {{fd_, static_cast<short>(what == Wait::readable ? POLLIN : POLLOUT), 0}, {wake_fd_, POLLIN, 0}};
    int ready = ::poll(fds, 2, timeoutMs);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fail("poll failed " + std::string(doing) + ": " + errnoText(errno));
    }
    // The wake-up wins over data: a stopping thread must not go on reading.
    if (fds[1].revents != 0) fail("interrupted " + std::string(doing));
    // Errors and hang-ups are reported by the recv/send that follows.
    if (fds[0].revents != 0) return;
  }
}

void Transport::sendRaw(std::string_view data, Deadline deadline, std::string_view doing) {
  while (!data.empty()) {
    waitFor(Wait::writable, deadline, doing);
    ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      fail("connection lost " + std::string(doing) + ": " + errnoText(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
}

std::size_t Transport::receiveRaw(char* buffer, std::size_t size, Deadline deadline, std::string_view doing) {
  for (;;) {
    waitFor(Wait::readable, deadline, doing);
    ssize_t received = ::recv(fd_, buffer, size, 0);
    if (received > 0) return static_cast<std::size_t>(received);
    if (received == 0) fail("the server closed the connection " + std::string(doing));
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
    fail("connection lost " + std::string(doing) + ": " + errnoText(errno));
  }
}

void Transport::flushTls(Deadline deadline, std::string_view doing) {
  char buffer[16384];
  while (BIO_ctrl_pending(tls_->output) > 0) {
    int taken = BIO_read(tls_->output, buffer, sizeof buffer);
    if (taken <= 0) break;
    sendRaw(std::string_view(buffer, static_cast<std::size_t>(taken)), deadline, doing);
  }
}

template <typename Operation>
int Transport::runTls(Operation operation, Deadline deadline, std::string_view doing) {
  SSL* ssl = tls_->ssl.get();
  for (;;) {
    ERR_clear_error();
    const int result = operation();
    const int error = result > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, result);
    // Whatever OpenSSL wrote (handshake messages, the encrypted command, alerts) goes out
    // first, even on failure: the server then knows why.
    std::string details = error == SSL_ERROR_SSL ? openSslErrors() : std::string();
    try {
      flushTls(deadline, doing);
    } catch (const RedisError&) {
      if (error == SSL_ERROR_NONE || error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) throw;
    }
    switch (error) {
      case SSL_ERROR_NONE: return result;
      case SSL_ERROR_WANT_WRITE: continue;  // memory BIOs take everything: flushed above
      case SSL_ERROR_WANT_READ: {
        char buffer[16384];
        std::size_t received = receiveRaw(buffer, sizeof buffer, deadline, doing);
        BIO_write(tls_->input, buffer, static_cast<int>(received));
        continue;
      }
      case SSL_ERROR_ZERO_RETURN: fail("the server closed the TLS session " + std::string(doing));
      default: {
        std::string reason = "failed " + std::string(doing);
        const long verified = SSL_get_verify_result(ssl);
        if (verified != X509_V_OK) {
          reason += ": certificate refused (" + std::string(X509_verify_cert_error_string(verified)) + ")";
        }
        if (!details.empty()) reason += ": " + details;
        fail(reason);
      }
    }
  }
}

void Transport::sendAll(std::string_view data, Deadline deadline) {
  if (fd_ < 0) fail("the connection is closed");
  if (!tls_) {
    sendRaw(data, deadline, "while sending a command");
    return;
  }
  while (!data.empty()) {
    const int chunk = static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20));
    SSL* ssl = tls_->ssl.get();
    int written =
        runTls([ssl, &data, chunk] { return SSL_write(ssl, data.data(), chunk); }, deadline, "while sending a command");
    data.remove_prefix(static_cast<std::size_t>(written));
  }
}

std::size_t Transport::receiveSome(char* buffer, std::size_t size, Deadline deadline) {
  if (fd_ < 0) fail("the connection is closed");
  if (!tls_) return receiveRaw(buffer, size, deadline, "while waiting for a reply");
  const int wanted = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
  SSL* ssl = tls_->ssl.get();
  return static_cast<std::size_t>(
      runTls([ssl, buffer, wanted] { return SSL_read(ssl, buffer, wanted); }, deadline, "while waiting for a reply"));
}

}  // namespace tribune::bus::detail
