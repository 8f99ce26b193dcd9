#include "media/uplink_probe.h"

#include <fcntl.h>
#include <linux/tcp.h>  // struct tcp_info with tcpi_bytes_acked (not in every glibc's netinet/tcp.h)
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tribune::media {
namespace {

using Clock = std::chrono::steady_clock;

class ProbeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --- the socket ----------------------------------------------------------------------------

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

int millisecondsLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(left, 0));
}

// Waits for `events`; false when the deadline passed first.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  pollfd entry{fd, events, 0};
  for (;;) {
    const int ready = ::poll(&entry, 1, millisecondsLeft(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) throw ProbeError(std::string("poll: ") + std::strerror(errno));
  }
}

// The test publish's own send buffer stays small: what sits in it is not yet on the link.
constexpr int kSendBuffer = 64 * 1024;

Socket connectTo(const core::PublishUrl& url, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const auto port = std::to_string(url.port);
  if (const int code = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); code != 0) {
    throw ProbeError("cannot resolve " + url.host + ": " + ::gai_strerror(code));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  std::string last = "no address";
  for (auto* address = found; address != nullptr; address = address->ai_next) {
    Socket socket(::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.fd() < 0) continue;
    ::setsockopt(socket.fd(), SOL_SOCKET, SO_SNDBUF, &kSendBuffer, sizeof kSendBuffer);
    const int one = 1;
    ::setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(socket.fd(), address->ai_addr, address->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      continue;
    }
    if (!waitFor(socket.fd(), POLLOUT, deadline)) throw ProbeError("no answer from " + url.host + ":" + port);
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &error, &size);
    if (error == 0) return socket;
    last = std::strerror(error);
  }
  throw ProbeError("cannot connect to " + url.host + ":" + port + ": " + last);
}

// Sends everything; false when the deadline passed first (what was sent stays sent).
// `tick` runs at least every 20 ms while the link holds the data back.
template <typename Tick>
bool sendAll(int fd, const std::string& data, Clock::time_point deadline, Tick&& tick) {
  std::size_t done = 0;
  while (done < data.size()) {
    const auto sent = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (sent > 0) {
      done += static_cast<std::size_t>(sent);
      continue;
    }
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      throw ProbeError(std::string("the test server closed the connection: ") + std::strerror(errno));
    }
    constexpr auto kTick = std::chrono::milliseconds{20};
    tick();
    if (Clock::now() >= deadline) return false;
    waitFor(fd, POLLOUT, std::min(deadline, Clock::now() + kTick));
  }
  return true;
}

void sendAll(int fd, const std::string& data, Clock::time_point deadline) {
  if (!sendAll(fd, data, deadline, [] {})) throw ProbeError("the test server does not read");
}

std::string receive(int fd, std::size_t size, Clock::time_point deadline) {
  std::string data(size, '\0');
  std::size_t done = 0;
  while (done < size) {
    const auto got = ::recv(fd, data.data() + done, size - done, 0);
    if (got > 0) {
      done += static_cast<std::size_t>(got);
      continue;
    }
    if (got == 0) throw ProbeError("the test server closed the connection");
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      throw ProbeError(std::string("recv: ") + std::strerror(errno));
    }
    if (!waitFor(fd, POLLIN, deadline)) throw ProbeError("no answer from the test server");
  }
  return data;
}

std::uint64_t bytesAcked(int fd) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) {
    throw ProbeError(std::string("TCP_INFO: ") + std::strerror(errno));
  }
  return info.tcpi_bytes_acked;
}

// --- RTMP: chunks and AMF0 ------------------------------------------------------------------

void putBig(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t getBig(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in.at(at + i));
  return value;
}

void amfString(std::string& out, std::string_view text) {
  out.push_back(0x02);
  putBig(out, text.size(), 2);
  out += text;
}

void amfNumber(std::string& out, double number) {
  out.push_back(0x00);
  putBig(out, std::bit_cast<std::uint64_t>(number), 8);
}

void amfNull(std::string& out) { out.push_back(0x05); }

void amfObject(std::string& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  out.push_back(0x03);
  for (const auto& [key, value] : fields) {
    putBig(out, key.size(), 2);
    out += key;
    amfString(out, value);
  }
  out += std::string("\0\0\x09", 3);
}

// One AMF0 value as far as the probe needs: numbers, strings, and an object's string fields.
struct AmfValue {
  double number = 0;
  std::string text;
  std::map<std::string, std::string> fields;
};

struct AmfReader {
  std::string_view data;
  std::size_t at = 0;

  bool done() const { return at >= data.size(); }

  std::string shortString() {
    const auto size = getBig(data, at, 2);
    at += 2;
    if (at + size > data.size()) throw ProbeError("truncated AMF0 string");
    std::string text(data.substr(at, size));
    at += size;
    return text;
  }

  AmfValue value() {
    AmfValue out;
    const auto type = static_cast<unsigned char>(data.at(at++));
    switch (type) {
      case 0x00:
        out.number = std::bit_cast<double>(getBig(data, at, 8));
        at += 8;
        break;
      case 0x01: ++at; break;
      case 0x02: out.text = shortString(); break;
      case 0x05:
      case 0x06: break;
      case 0x08:  // ECMA array: a count, then as an object
        at += 4;
        [[fallthrough]];
      case 0x03:
        for (;;) {
          auto key = shortString();
          if (key.empty() && static_cast<unsigned char>(data.at(at)) == 0x09) {
            ++at;
            break;
          }
          auto field = value();
          out.fields[key] = field.text;
        }
        break;
      default: throw ProbeError("unexpected AMF0 type " + std::to_string(type));
    }
    return out;
  }
};

constexpr std::uint8_t kSetChunkSize = 1;
constexpr std::uint8_t kVideo = 9;
constexpr std::uint8_t kCommand = 20;
constexpr std::size_t kOutChunkSize = 4096;

// One message in chunks of kOutChunkSize: a full header, then continuation headers.
void putMessage(std::string& out, std::uint8_t chunkStream, std::uint8_t type, std::uint32_t streamId,
                std::uint32_t timestamp, std::string_view payload) {
  out.push_back(static_cast<char>(chunkStream));
  putBig(out, timestamp & 0xffffff, 3);
  putBig(out, payload.size(), 3);
  out.push_back(static_cast<char>(type));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((streamId >> (8 * i)) & 0xff));  // little-endian
  for (std::size_t at = 0; at < payload.size(); at += kOutChunkSize) {
    if (at > 0) out.push_back(static_cast<char>(0xc0 | chunkStream));
    out += payload.substr(at, kOutChunkSize);
  }
}

class RtmpReader {
 public:
  RtmpReader(int fd) : fd_(fd) {}

  // The next complete message: its type and payload.
  std::pair<std::uint8_t, std::string> next(Clock::time_point deadline) {
    for (;;) {
      const auto first = static_cast<unsigned char>(receive(fd_, 1, deadline)[0]);
      const int format = first >> 6;
      int id = first & 0x3f;
      if (id == 0)
        id = 64 + static_cast<unsigned char>(receive(fd_, 1, deadline)[0]);
      else if (id == 1) {
        const auto two = receive(fd_, 2, deadline);
        id = 64 + static_cast<unsigned char>(two[0]) + 256 * static_cast<unsigned char>(two[1]);
      }
      auto& stream = streams_[id];
      constexpr std::array<int, 4> kHeaderSizes{11, 7, 3, 0};
      const auto header = receive(fd_, kHeaderSizes.at(format), deadline);
      std::uint64_t timestamp = format < 3 ? getBig(header, 0, 3) : 0;
      if (format <= 1) {
        stream.length = getBig(header, 3, 3);
        stream.type = static_cast<std::uint8_t>(header[6]);
      }
      if (timestamp == 0xffffff) receive(fd_, 4, deadline);  // extended timestamp: not needed
      const auto size = std::min<std::size_t>(inChunkSize_, stream.length - stream.partial.size());
      stream.partial += receive(fd_, size, deadline);
      if (stream.partial.size() < stream.length) continue;
      std::string payload = std::move(stream.partial);
      stream.partial.clear();
      if (stream.type == kSetChunkSize && payload.size() >= 4) inChunkSize_ = getBig(payload, 0, 4) & 0x7fffffff;
      return {stream.type, std::move(payload)};
    }
  }

  // The next command answering `transaction` (_result/_error) or onStatus; its values.
  std::vector<AmfValue> answer(double transaction, Clock::time_point deadline) {
    for (;;) {
      auto [type, payload] = next(deadline);
      if (type != kCommand) continue;
      AmfReader reader{payload};
      std::vector<AmfValue> values;
      while (!reader.done()) values.push_back(reader.value());
      if (values.size() < 2) continue;
      if (values[0].text == "onStatus") return values;
      if ((values[0].text == "_result" || values[0].text == "_error") && values[1].number == transaction) return values;
    }
  }

 private:
  struct Stream {
    std::size_t length = 0;
    std::uint8_t type = 0;
    std::string partial;
  };
  int fd_;
  std::size_t inChunkSize_ = 128;
  std::map<int, Stream> streams_;
};

std::string statusOf(const std::vector<AmfValue>& values) {
  for (const auto& value : values) {
    if (auto code = value.fields.find("code"); code != value.fields.end()) return code->second;
  }
  return values.empty() ? "" : values[0].text;
}

void handshake(int fd, Clock::time_point deadline) {
  constexpr std::size_t kHandshakeSize = 1536;
  std::string c0c1(1 + kHandshakeSize, '\0');
  c0c1[0] = 3;  // RTMP version; C1 = time 0, zero, random: the simple (unsigned) handshake
  std::mt19937 random(std::random_device{}());
  for (std::size_t i = 9; i < c0c1.size(); ++i) c0c1[i] = static_cast<char>(random() & 0xff);
  sendAll(fd, c0c1, deadline);
  const auto s0s1 = receive(fd, 1 + kHandshakeSize, deadline);
  if (s0s1[0] != 3) throw ProbeError("the test server does not speak RTMP");
  receive(fd, kHandshakeSize, deadline);  // S2
  sendAll(fd, s0s1.substr(1), deadline);  // C2 echoes S1
}

// Connects, creates a stream and publishes the URL's key on it; the stream's id.
std::uint32_t publish(int fd, const core::PublishUrl& url, Clock::time_point deadline) {
  RtmpReader reader(fd);
  std::string out;
  std::string chunkSize;
  putBig(chunkSize, kOutChunkSize, 4);
  putMessage(out, 2, kSetChunkSize, 0, 0, chunkSize);
  std::string connect;
  amfString(connect, "connect");
  amfNumber(connect, 1);
  const auto tcUrl = "rtmp://" + url.host + ":" + std::to_string(url.port) + "/" + url.app;
  amfObject(
      connect,
      {{"app", url.app}, {"type", "nonprivate"}, {"flashVer", "FMLE/3.0 (compatible; Tribune)"}, {"tcUrl", tcUrl}});
  putMessage(out, 3, kCommand, 0, 0, connect);
  sendAll(fd, out, deadline);
  if (auto answer = reader.answer(1, deadline); answer[0].text != "_result") {
    throw ProbeError("the test server refused the connection to " + url.app + ": " + statusOf(answer));
  }
  std::string create;
  amfString(create, "createStream");
  amfNumber(create, 2);
  amfNull(create);
  out.clear();
  putMessage(out, 3, kCommand, 0, 0, create);
  sendAll(fd, out, deadline);
  const auto created = reader.answer(2, deadline);
  if (created[0].text != "_result" || created.size() < 4) throw ProbeError("the test server refused createStream");
  const auto streamId = static_cast<std::uint32_t>(created[3].number);
  std::string command;
  amfString(command, "publish");
  amfNumber(command, 3);
  amfNull(command);
  amfString(command, url.key.reveal());
  amfString(command, "live");
  out.clear();
  putMessage(out, 8, kCommand, streamId, 0, command);
  sendAll(fd, out, deadline);
  const auto status = statusOf(reader.answer(3, deadline));
  if (status != "NetStream.Publish.Start") throw ProbeError("the test server refused the publish: " + status);
  return streamId;
}

// An FLV video tag body: AVC inter frame, NALU, one filler NAL unit (type 12) of 0xff
// bytes ending in the RBSP stop bit.
std::string fillerFrame(std::size_t size) {
  std::string body;
  body.push_back(0x27);              // inter frame, AVC
  body.push_back(0x01);              // NALU
  body += std::string(3, '\0');      // composition time
  const std::size_t nal = size - 9;  // the 5 bytes above and the 4-byte length
  putBig(body, nal, 4);
  body.push_back(0x0c);
  body += std::string(nal - 2, '\xff');
  body.push_back(static_cast<char>(0x80));
  return body;
}

}  // namespace

UplinkProbeResult measureUplink(const core::PublishUrl& url, int ceilingKbps, std::chrono::milliseconds timeout) {
  UplinkProbeResult result;
  if (url.tls) {
    result.error = "the uplink is measured over plain rtmp:// only";
    return result;
  }
  try {
    auto deadline = Clock::now() + timeout;
    auto socket = connectTo(url, deadline);
    handshake(socket.fd(), deadline);
    const auto streamId = publish(socket.fd(), url, deadline);

    // One message a chunk: 4000 bytes of tag body and a 12-byte header.
    constexpr std::size_t kFrameSize = 4000;
    const auto frame = fillerFrame(kFrameSize);
    const double bytesPerSecond = ceilingKbps * 1000.0 / 8;
    const double ramp = std::chrono::duration<double>(kUplinkRamp).count();
    const auto start = Clock::now();
    const auto end = start + kUplinkDuration;
    const auto windowStart = end - kUplinkWindow;
    std::optional<std::pair<Clock::time_point, std::uint64_t>> first;
    const auto tick = [&] {
      if (!first && Clock::now() >= windowStart) first.emplace(Clock::now(), bytesAcked(socket.fd()));
    };
    double sent = 0;
    std::string message;
    while (Clock::now() < end) {
      tick();
      const double t = std::chrono::duration<double>(Clock::now() - start).count();
      // The integral of a rate rising linearly to the ceiling over the ramp, then flat.
      const double allowed = bytesPerSecond * (t < ramp ? t * t / (2 * ramp) : ramp / 2 + (t - ramp));
      if (sent + kFrameSize > allowed) {
        std::this_thread::sleep_for(std::chrono::milliseconds{2});
        continue;
      }
      message.clear();
      const auto timestamp = static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
      putMessage(message, 6, kVideo, streamId, timestamp, frame);
      if (!sendAll(socket.fd(), message, end, tick)) break;
      sent += static_cast<double>(message.size());
    }
    const auto last = std::make_pair(Clock::now(), bytesAcked(socket.fd()));
    if (!first || last.first <= first->first) throw ProbeError("the measurement window did not begin");
    const double seconds = std::chrono::duration<double>(last.first - first->first).count();
    result.ackedKbps = static_cast<int>(static_cast<double>(last.second - first->second) * 8 / 1000 / seconds);
  } catch (const std::exception& error) {
    result.error = error.what();
  }
  return result;
}

}  // namespace tribune::media
