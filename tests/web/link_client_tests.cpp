// LinkClient (the town hall's outbound websocket) against a real WebServer on loopback,
// over ws and over wss with a CA and a server certificate made by the openssl CLI.
#include "web/link_client.h"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "recording_web_listener.h"
#include "support/temp_dir.h"
#include "test_certificates.h"
#include "web/web_server.h"

namespace tribune::web {
namespace {

using namespace std::chrono_literals;
using testing::CertificateFiles;
using testing::RecordingWebListener;
using testing::TempDir;
using testing::waitUntil;

// What the LinkClient reports, in order, from its thread.
class RecordingLinkListener final : public LinkClientListener {
 public:
  struct Event {
    enum class Kind { Open, Message, Closed };
    Kind kind;
    std::uint64_t attempt;
    std::string text;  // the message, or the reason of a close
  };

  void onLinkOpen(std::uint64_t attempt) override { add({Event::Kind::Open, attempt, {}}); }
  void onLinkMessage(std::uint64_t attempt, std::string text) override {
    add({Event::Kind::Message, attempt, std::move(text)});
  }
  void onLinkClosed(std::uint64_t attempt, std::string reason) override {
    add({Event::Kind::Closed, attempt, std::move(reason)});
  }

  std::vector<Event> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<Event> eventsOf(std::uint64_t attempt, Event::Kind kind) const {
    std::vector<Event> found;
    for (const Event& event : events())
      if (event.attempt == attempt && event.kind == kind) found.push_back(event);
    return found;
  }
  bool waitForOpen(std::uint64_t attempt) const {
    return waitUntil([&] { return !eventsOf(attempt, Event::Kind::Open).empty(); }, 10s, 2ms);
  }
  // The reason it closed with, once it did.
  std::optional<std::string> waitForClosed(std::uint64_t attempt, std::chrono::milliseconds timeout = 10s) const {
    if (!waitUntil([&] { return !eventsOf(attempt, Event::Kind::Closed).empty(); }, timeout, 2ms)) return std::nullopt;
    return eventsOf(attempt, Event::Kind::Closed).front().text;
  }
  bool waitForMessages(std::uint64_t attempt, std::size_t count) const {
    return waitUntil([&] { return eventsOf(attempt, Event::Kind::Message).size() >= count; }, 10s, 2ms);
  }

 private:
  void add(Event event) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  mutable std::mutex mutex_;
  std::vector<Event> events_;
};

using Kind = RecordingLinkListener::Event::Kind;

// A message whose every byte depends on its place: a reordered or lost piece shows.
std::string patterned(std::size_t bytes, char seed) {
  std::string text(bytes, ' ');
  for (std::size_t i = 0; i < bytes; ++i)
    text[i] = static_cast<char>('a' + (i * 7 + static_cast<std::size_t>(seed)) % 26);
  return text;
}

// An edge stand-in: a WebServer that takes the town hall's large messages.
struct Edge {
  explicit Edge(std::optional<CertificateFiles> certificate = std::nullopt) : server(settings(certificate), listener) {}

  static WebSettings settings(const std::optional<CertificateFiles>& certificate) {
    WebSettings settings;
    settings.port = 0;
    settings.maxMessageBytes = std::size_t{4} << 20;
    if (certificate) {
      settings.tlsCertificate = certificate->certificate;
      settings.tlsKey = certificate->key;
    }
    return settings;
  }

  LinkTarget target(bool tls, std::optional<std::filesystem::path> caFile = std::nullopt) const {
    LinkTarget target;
    target.tls = tls;
    target.host = "127.0.0.1";
    target.port = server.port();
    target.caFile = std::move(caFile);
    return target;
  }

  RecordingWebListener listener;
  WebServer server;
};

// Both directions over an open link, a 2 MB message each way included.
void exchangeBothWays(Edge& edge, LinkClient& client, RecordingLinkListener& events, std::uint64_t attempt) {
  REQUIRE(edge.listener.waitForOpened(1));
  const ConnectionId id = edge.listener.opened().back().id;

  const std::string snapshot = patterned(std::size_t{2} << 20, 'S');
  client.send(attempt, R"({"type":"hello"})");
  client.send(attempt, snapshot);
  client.send(attempt, R"({"type":"after"})");
  REQUIRE(edge.listener.waitForMessages(3));
  const auto heard = edge.listener.messages();
  REQUIRE(heard.size() == 3);
  CHECK(heard[0].text == R"({"type":"hello"})");
  CHECK(heard[1].text.size() == snapshot.size());
  CHECK(heard[1].text == snapshot);
  CHECK(heard[2].text == R"({"type":"after"})");
  CHECK(heard[0].id == id);

  const std::string questions = patterned(std::size_t{2} << 20, 'Q');
  edge.server.send(id, R"({"type":"welcome"})");
  edge.server.send(id, questions);
  REQUIRE(events.waitForMessages(attempt, 2));
  const auto received = events.eventsOf(attempt, Kind::Message);
  REQUIRE(received.size() == 2);
  CHECK(received[0].text == R"({"type":"welcome"})");
  CHECK(received[1].text.size() == questions.size());
  CHECK(received[1].text == questions);
}

TEST_CASE("a link over ws carries messages both ways, 2 MB ones whole, and disconnects cleanly", "[web][link]") {
  Edge edge;
  RecordingLinkListener events;
  LinkClient client(events);
  const std::uint64_t attempt = client.connect(edge.target(false));
  CHECK(attempt != 0);
  REQUIRE(events.waitForOpen(attempt));
  exchangeBothWays(edge, client, events, attempt);

  client.disconnect(attempt);
  const auto reason = events.waitForClosed(attempt);
  REQUIRE(reason.has_value());
  CHECK(*reason == "disconnected");
  REQUIRE(edge.listener.waitForClosed(1));

  // Sending on an attempt that is over does nothing, and it is reported closed once.
  client.send(attempt, "too late");
  const std::uint64_t next = client.connect(edge.target(false));
  CHECK(next != attempt);
  REQUIRE(events.waitForOpen(next));
  client.send(next, "second link");
  REQUIRE(edge.listener.waitForMessages(4));
  CHECK(edge.listener.messages().back().text == "second link");
  CHECK(events.eventsOf(attempt, Kind::Closed).size() == 1);
  CHECK(events.eventsOf(attempt, Kind::Open).size() == 1);
}

TEST_CASE("a link over wss verifies the edge against the CA file and carries 2 MB both ways", "[web][link][tls]") {
  TempDir dir{"tribune-link"};
  const CertificateFiles authority = testing::makeCertificateAuthority(dir, "ca");
  const CertificateFiles certificate = testing::makeServerCertificate(dir, "edge", authority);
  Edge edge(certificate);
  RecordingLinkListener events;
  LinkClient client(events);

  const std::uint64_t attempt = client.connect(edge.target(true, authority.certificate));
  REQUIRE(events.waitForOpen(attempt));
  exchangeBothWays(edge, client, events, attempt);
  client.disconnect(attempt);
  CHECK(events.waitForClosed(attempt).has_value());
}

TEST_CASE("a link over wss fails with onLinkClosed when the edge's certificate is not to be trusted",
          "[web][link][tls]") {
  TempDir dir{"tribune-link"};
  const CertificateFiles authority = testing::makeCertificateAuthority(dir, "ca");
  const CertificateFiles stranger = testing::makeCertificateAuthority(dir, "stranger");
  const CertificateFiles certificate = testing::makeServerCertificate(dir, "edge", authority);
  Edge edge(certificate);
  RecordingLinkListener events;
  LinkClient client(events);

  SECTION("another CA") {
    const std::uint64_t attempt = client.connect(edge.target(true, stranger.certificate));
    const auto reason = events.waitForClosed(attempt);
    REQUIRE(reason.has_value());
    CHECK_THAT(*reason, Catch::Contains("cannot connect to wss://127.0.0.1:"));
    CHECK_THAT(*reason, Catch::Contains("certificate is refused (unable to get local issuer certificate)"));
    CHECK(events.eventsOf(attempt, Kind::Open).empty());
  }
  SECTION("the system's CAs, which do not know the test CA") {
    const std::uint64_t attempt = client.connect(edge.target(true));
    REQUIRE(events.waitForClosed(attempt).has_value());
    CHECK(events.eventsOf(attempt, Kind::Open).empty());
  }
  SECTION("a certificate from the trusted CA, for another address") {
    const CertificateFiles elsewhere = testing::makeServerCertificate(dir, "elsewhere", authority, "127.0.0.2");
    Edge wrongName(elsewhere);
    const std::uint64_t attempt = client.connect(wrongName.target(true, authority.certificate));
    const auto reason = events.waitForClosed(attempt);
    REQUIRE(reason.has_value());
    CHECK_THAT(*reason, Catch::Contains("IP address mismatch"));
    CHECK(events.eventsOf(attempt, Kind::Open).empty());
    CHECK(wrongName.listener.opened().empty());
  }
  CHECK(edge.listener.opened().empty());

  // The same client then reaches the edge with the right CA: the refusals were verification.
  const std::uint64_t trusted = client.connect(edge.target(true, authority.certificate));
  CHECK(events.waitForOpen(trusted));
}

TEST_CASE("the edge going away gives onLinkClosed, and connect() again reaches another one", "[web][link]") {
  RecordingLinkListener events;
  LinkClient client(events);
  auto edge = std::make_unique<Edge>();
  const std::uint64_t attempt = client.connect(edge->target(false));
  REQUIRE(events.waitForOpen(attempt));

  edge.reset();
  const auto reason = events.waitForClosed(attempt);
  REQUIRE(reason.has_value());
  CHECK_THAT(*reason, Catch::Contains("1001"));

  Edge other;
  const std::uint64_t again = client.connect(other.target(false));
  REQUIRE(events.waitForOpen(again));
  client.send(again, "encore là");
  REQUIRE(other.listener.waitForMessages(1));
  CHECK(other.listener.messages().front().text == "encore là");
}

TEST_CASE("connecting again replaces the open link, whose close is reported first", "[web][link]") {
  Edge edge;
  RecordingLinkListener events;
  LinkClient client(events);
  const std::uint64_t first = client.connect(edge.target(false));
  REQUIRE(events.waitForOpen(first));
  const std::uint64_t second = client.connect(edge.target(false));
  REQUIRE(events.waitForOpen(second));

  const auto all = events.events();
  REQUIRE(all.size() == 3);
  CHECK((all[1].kind == Kind::Closed && all[1].attempt == first));
  CHECK_THAT(all[1].text, Catch::Contains("replaced"));
  CHECK((all[2].kind == Kind::Open && all[2].attempt == second));
  client.send(first, "from the old link");  // ignored
  client.send(second, "from the new link");
  REQUIRE(edge.listener.waitForMessages(1));
  CHECK(edge.listener.messages().front().text == "from the new link");
  REQUIRE(edge.listener.waitForClosed(1));
  CHECK(edge.listener.messages().size() == 1);
}

TEST_CASE("a link that cannot connect, or not in time, ends in onLinkClosed", "[web][link]") {
  RecordingLinkListener events;
  LinkClient client(events);

  SECTION("nobody listens") {
    const std::uint16_t port = testing::freeLoopbackPort();
    LinkTarget target;
    target.tls = false;
    target.host = "127.0.0.1";
    target.port = port;
    const std::uint64_t attempt = client.connect(target);
    const auto reason = events.waitForClosed(attempt);
    REQUIRE(reason.has_value());
    CHECK_THAT(*reason, Catch::Contains("cannot connect to ws://127.0.0.1:" + std::to_string(port) + "/ws"));
  }
  SECTION("a server that accepts the connection and never answers") {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    LinkTarget target;
    target.tls = false;
    target.host = "127.0.0.1";
    target.port = silent.local_endpoint().port();
    target.connectTimeout = 300ms;
    const std::uint64_t attempt = client.connect(target);
    const auto reason = events.waitForClosed(attempt);
    REQUIRE(reason.has_value());
    CHECK_THAT(*reason, Catch::Contains("within 300 ms"));
  }
  SECTION("an upgrade the server refuses") {
    Edge edge;
    LinkTarget target = edge.target(false);
    target.path = "/not-ws";
    const std::uint64_t attempt = client.connect(target);
    REQUIRE(events.waitForClosed(attempt).has_value());
    CHECK(events.eventsOf(attempt, Kind::Open).empty());
  }
}

TEST_CASE("a link closes itself when its send queue overflows or the edge sends what it refuses", "[web][link]") {
  Edge edge;
  RecordingLinkListener events;

  SECTION("more queued than allowed") {
    LinkClient client(events, std::size_t{8} << 20, std::size_t{1} << 20);
    const std::uint64_t attempt = client.connect(edge.target(false));
    REQUIRE(events.waitForOpen(attempt));
    client.send(attempt, std::string((std::size_t{1} << 20) + 1, 'x'));
    const auto reason = events.waitForClosed(attempt);
    REQUIRE(reason.has_value());
    CHECK_THAT(*reason, Catch::Contains("send queue full"));
    REQUIRE(edge.listener.waitForClosed(1));
    CHECK(edge.listener.messages().empty());
  }
  SECTION("a message over maxMessageBytes") {
    LinkClient client(events, 1024);
    const std::uint64_t attempt = client.connect(edge.target(false));
    REQUIRE(events.waitForOpen(attempt));
    REQUIRE(edge.listener.waitForOpened(1));
    edge.server.send(edge.listener.opened().front().id, std::string(1024, 'k'));
    REQUIRE(events.waitForMessages(attempt, 1));
    edge.server.send(edge.listener.opened().front().id, std::string(1025, 'k'));
    const auto reason = events.waitForClosed(attempt);
    REQUIRE(reason.has_value());
    CHECK_THAT(*reason, Catch::Contains("over 1024 bytes"));
    REQUIRE(edge.listener.waitForClosed(1));
  }
  SECTION("a binary message") {
    LinkClient client(events);
    const std::uint64_t attempt = client.connect(edge.target(false));
    REQUIRE(events.waitForOpen(attempt));
    REQUIRE(edge.listener.waitForOpened(1));
    edge.server.sendBinary(edge.listener.opened().front().id, std::string("\xff\xd8", 2));
    const auto reason = events.waitForClosed(attempt);
    REQUIRE(reason.has_value());
    CHECK_THAT(*reason, Catch::Contains("binary"));
    CHECK(events.eventsOf(attempt, Kind::Message).empty());
  }
}

TEST_CASE("a link target that cannot be right is refused by connect() naming what is wrong", "[web][link]") {
  RecordingLinkListener events;
  LinkClient client(events);
  TempDir dir;
  auto target = [] {
    LinkTarget valid;
    valid.host = "edge.example.org";
    return valid;
  };
  LinkTarget noHost = target();
  noHost.host = "";
  CHECK_THROWS_WITH(client.connect(noHost), Catch::Contains("host is empty"));
  LinkTarget url = target();
  url.host = "wss://edge.example.org/ws";
  CHECK_THROWS_WITH(client.connect(url), Catch::Contains("wss://edge.example.org/ws"));
  LinkTarget port = target();
  port.port = 70000;
  CHECK_THROWS_WITH(client.connect(port), Catch::Contains("70000"));
  LinkTarget path = target();
  path.path = "ws";
  CHECK_THROWS_WITH(client.connect(path), Catch::Contains("path \"ws\""));
  LinkTarget ca = target();
  ca.caFile = dir / "absent-ca.pem";
  CHECK_THROWS_WITH(client.connect(ca), Catch::Contains("absent-ca.pem"));
  CHECK_THROWS_AS(client.connect(ca), std::invalid_argument);
  CHECK(events.events().empty());
}

}  // namespace
}  // namespace tribune::web
