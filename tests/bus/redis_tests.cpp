// The Redis client against a real redis-server (TLS, ACL, AOF always: support/running_redis.h),
// and its reply parsers on hand-made replies.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "bus/redis.h"
#include "support/running_redis.h"
#include "support/temp_dir.h"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using tribune::bus::AutoClaim;
using tribune::bus::autoClaim;
using tribune::bus::compareStreamIds;
using tribune::bus::kNoTimeout;
using tribune::bus::RedisConnection;
using tribune::bus::RedisError;
using tribune::bus::RedisReply;
using tribune::bus::RedisSettings;
using tribune::bus::streamEntries;
using tribune::bus::StreamEntry;
using tribune::bus::streamRead;
using tribune::testing::RunningRedis;
using tribune::testing::RunningRedisOptions;
using Kind = RedisReply::Kind;

namespace {

// What a connection's constructor or call threw ("" if it did not).
template <typename Action>
std::string errorOf(Action action) {
  try {
    action();
  } catch (const RedisError& error) {
    return error.what();
  }
  return "";
}

// Waits until the server holds `count` clients blocked (XREAD BLOCK), as its admin sees it.
bool waitForBlockedClients(const RunningRedis& redis, int count) {
  RedisConnection admin(redis.adminSettings());
  return tribune::testing::waitUntil(
      [&] {
        RedisReply info = admin.command({"INFO", "clients"});
        return info.text.find("blocked_clients:" + std::to_string(count) + "\r\n") != std::string::npos;
      },
      5s);
}

// Kills the server when the test ends, also when it leaves early: a reader thread still
// blocked in XREAD BLOCK 0 then ends, and its future can be joined (a failing test fails
// instead of hanging). Declared after the future, so destroyed before it.
struct KillServerOnExit {
  RunningRedis& redis;
  ~KillServerOnExit() { redis.killHard(); }
};

// The stream entry ids in `entries`.
std::vector<std::string> idsOf(const std::vector<StreamEntry>& entries) {
  std::vector<std::string> ids;
  ids.reserve(entries.size());
  for (const StreamEntry& entry : entries) ids.push_back(entry.id);
  return ids;
}

RedisReply str(std::string text) { return {Kind::String, 0, std::move(text), {}}; }
RedisReply arr(std::vector<RedisReply> elements) { return {Kind::Array, 0, "", std::move(elements)}; }
RedisReply nil() { return {}; }
RedisReply integer(long long value) { return {Kind::Integer, value, "", {}}; }

// A TCP server on 127.0.0.1 that accepts one client, reads what it sends and answers
// `answer` once (nothing if empty), then holds the connection until destroyed.
class FakeServer {
 public:
  explicit FakeServer(std::string answer) : answer_(std::move(answer)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listen_fd_, 1) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("FakeServer: cannot listen");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      client_fd_ = ::accept(listen_fd_, nullptr, nullptr);
      if (client_fd_ < 0) return;
      char buffer[4096];
      if (!answer_.empty() && ::recv(client_fd_, buffer, sizeof buffer, 0) > 0) {
        [[maybe_unused]] ssize_t sent = ::send(client_fd_, answer_.data(), answer_.size(), MSG_NOSIGNAL);
      }
      // Holds the connection: the client must end the exchange by itself.
      while (::recv(client_fd_, buffer, sizeof buffer, 0) > 0) {
      }
    });
  }
  ~FakeServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);  // ends an accept() still waiting
    if (client_fd_ >= 0) ::shutdown(client_fd_, SHUT_RDWR);
    thread_.join();
    if (client_fd_ >= 0) ::close(client_fd_);
    ::close(listen_fd_);
  }
  int port() const { return port_; }

 private:
  std::string answer_;
  int listen_fd_ = -1;
  std::atomic<int> client_fd_{-1};
  int port_ = 0;
  std::thread thread_;
};

RedisSettings plainSettingsFor(int port) {
  RedisSettings settings;
  settings.port = port;
  settings.connectTimeout = 500ms;
  settings.ioTimeout = 500ms;
  return settings;
}

}  // namespace

TEST_CASE("AUTH as the ACL user over TLS, then commands and a pipeline make a round trip") {
  RunningRedis redis;
  RedisConnection connection(redis.settings());
  REQUIRE(connection.alive());

  const std::string binary("a\0b\r\nc", 6);
  REQUIRE(connection.command({"SET", "tribune:greeting", binary}).isOk());
  RedisReply got = connection.command({"GET", "tribune:greeting"});
  REQUIRE(got.kind == Kind::String);
  CHECK(got.text == binary);
  CHECK(connection.command({"GET", "tribune:absent"}).isNil());

  std::vector<RedisReply> replies = connection.pipeline({{"INCR", "tribune:counter"},
                                                         {"INCRBY", "tribune:counter", "41"},
                                                         {"GET", "tribune:counter"},
                                                         {"NOSUCHCOMMAND"}});
  REQUIRE(replies.size() == 4);
  CHECK(replies[0].integer == 1);
  CHECK(replies[1].integer == 42);
  CHECK(replies[2].text == "42");
  CHECK(replies[3].isError());
  // An error reply is an answer, not a failure: the connection goes on.
  CHECK(connection.alive());
  CHECK(connection.command({"PING"}).text == "PONG");
}

TEST_CASE("A wrong password is refused and the exception never shows a password") {
  RunningRedis redis;
  RedisSettings settings = redis.settings();
  settings.password = "wrong-" + redis.password();
  std::string error = errorOf([&] { RedisConnection connection(settings); });
  CHECK_THAT(error, Contains("WRONGPASS") && Contains("refused AUTH for user 'tribune'"));
  CHECK(error.find(settings.password) == std::string::npos);
  CHECK(error.find(redis.password()) == std::string::npos);

  // Even a user name that carries the password is scrubbed from the message.
  settings.user = "x" + settings.password;
  error = errorOf([&] { RedisConnection connection(settings); });
  CHECK_THAT(error, Contains("WRONGPASS") && Contains("'x***'"));
  CHECK(error.find(settings.password) == std::string::npos);
}

TEST_CASE("Without a password every command is refused with NOAUTH") {
  RunningRedis redis;
  RedisSettings settings = redis.settings();
  settings.user.clear();
  settings.password.clear();
  RedisConnection connection(settings);  // nothing to AUTH with: the server decides
  RedisReply reply = connection.command({"GET", "tribune:anything"});
  CHECK(reply.isErrorCode("NOAUTH"));

  // The password alone authenticates as the default user, which is off.
  settings.password = redis.password();
  CHECK_THAT(errorOf([&] { RedisConnection refused(settings); }), Contains("refused AUTH for user 'default'"));
}

TEST_CASE("The tribune user is refused keys outside tribune:* and the dangerous commands, as error replies") {
  RunningRedis redis;
  RedisConnection connection(redis.settings());
  CHECK(connection.command({"SET", "other:key", "1"}).isErrorCode("NOPERM"));
  CHECK(connection.command({"FLUSHALL"}).isErrorCode("NOPERM"));
  CHECK(connection.command({"CONFIG", "GET", "dir"}).isErrorCode("NOPERM"));
  CHECK(connection.command({"PUBLISH", "tribune:channel", "x"}).isErrorCode("NOPERM"));
  CHECK(connection.alive());
}

TEST_CASE("The tribune user may run every command the bus needs") {
  RunningRedis redis;
  RedisConnection connection(redis.settings());
  const std::vector<std::vector<std::string>> needed = {
      {"XGROUP", "CREATE", "tribune:s", "g", "$", "MKSTREAM"},
      {"XADD", "tribune:s", "MAXLEN", "~", "1000", "*", "k", "v"},
      {"XREADGROUP", "GROUP", "g", "a", "COUNT", "10", "STREAMS", "tribune:s", ">"},
      {"XPENDING", "tribune:s", "g"},
      {"XAUTOCLAIM", "tribune:s", "g", "b", "0", "0-0"},
      {"XACK", "tribune:s", "g", "0-1"},
      {"XRANGE", "tribune:s", "-", "+"},
      {"XREVRANGE", "tribune:s", "+", "-", "COUNT", "1"},
      {"XREAD", "COUNT", "1", "STREAMS", "tribune:s", "0-0"},
      {"XTRIM", "tribune:s", "MAXLEN", "100"},
      {"XLEN", "tribune:s"},
      {"XGROUP", "CREATECONSUMER", "tribune:s", "g", "c"},
      {"XGROUP", "DELCONSUMER", "tribune:s", "g", "c"},
      {"SET", "tribune:k", "v", "PX", "60000"},
      {"GET", "tribune:k"},
      {"EXPIRE", "tribune:k", "60"},
      {"PEXPIRE", "tribune:k", "60000"},
      {"DEL", "tribune:k"},
      {"XGROUP", "DESTROY", "tribune:s", "g"},
  };
  for (const auto& argv : needed) {
    INFO(argv[0] + " " + argv[1]);
    RedisReply reply = connection.command(argv);
    CHECK_FALSE(reply.isError());
    if (reply.isError()) WARN(reply.text);
  }
}

TEST_CASE("TLS refuses a server whose certificate the CA file does not vouch for, or that is not named") {
  RunningRedis redis;
  RedisSettings settings = redis.settings();

  SECTION("an unrelated CA") {
    settings.caFile = redis.makeUnrelatedCa("other-ca");
    CHECK_THAT(errorOf([&] { RedisConnection connection(settings); }), Contains("certificate refused"));
  }
  SECTION("the system's CAs") {
    settings.caFile.reset();
    CHECK_THAT(errorOf([&] { RedisConnection connection(settings); }), Contains("certificate refused"));
  }
  SECTION("a host name the certificate does not carry (it names IP 127.0.0.1 only)") {
    settings.host = "localhost";
    CHECK_THAT(errorOf([&] { RedisConnection connection(settings); }),
               Contains("certificate refused") && Contains("mismatch"));
  }
  SECTION("a CA file that is missing") {
    settings.caFile = redis.directory() / "missing.pem";
    CHECK_THAT(errorOf([&] { RedisConnection connection(settings); }), Contains("cannot read the CA file"));
  }
  SECTION("plain TCP to the TLS port") {
    settings.tls = false;
    settings.caFile.reset();
    settings.ioTimeout = 2s;
    // Redis drops a client that does not start with a TLS ClientHello.
    CHECK_THAT(errorOf([&] { RedisConnection connection(settings); }),
               Contains("closed the connection") || Contains("connection lost"));
  }
}

TEST_CASE("Settings that cannot work and a port nobody listens on are refused with a RedisError") {
  RedisSettings settings;
  settings.port = 0;
  CHECK_THAT(errorOf([&] { RedisConnection connection(settings); }), Contains("port must be within 1..65535"));
  settings.port = 6379;
  settings.host.clear();
  CHECK_THAT(errorOf([&] { RedisConnection connection(settings); }), Contains("host is empty"));
  settings.host = "127.0.0.1";
  settings.caFile = "/etc/ssl/certs/ca-certificates.crt";
  CHECK_THAT(errorOf([&] { RedisConnection connection(settings); }), Contains("CA file is given but TLS is off"));

  const int port = tribune::testing::freeLoopbackPort();
  CHECK_THAT(errorOf([&] { RedisConnection connection(plainSettingsFor(port)); }), Contains("cannot connect"));
}

TEST_CASE("A server that breaks the protocol or stays silent ends the connection with a RedisError") {
  SECTION("a reply of no known type") {
    FakeServer server("?what\r\n");
    RedisConnection connection(plainSettingsFor(server.port()));
    CHECK_THAT(errorOf([&] { connection.command({"PING"}); }),
               Contains("malformed reply") && Contains("Protocol error"));
    CHECK_FALSE(connection.alive());
    CHECK_THAT(errorOf([&] { connection.command({"PING"}); }), Contains("connection is closed"));
  }
  SECTION("no reply within the command's timeout") {
    FakeServer server("");
    RedisConnection connection(plainSettingsFor(server.port()));
    CHECK_THAT(errorOf([&] { connection.command({"PING"}, 100ms); }), Contains("timed out while waiting for a reply"));
    CHECK_FALSE(connection.alive());
  }
  SECTION("no TLS handshake within the connect timeout") {
    FakeServer server("");
    RedisSettings settings = plainSettingsFor(server.port());
    settings.tls = true;
    settings.connectTimeout = 200ms;
    CHECK_THAT(errorOf([&] { RedisConnection connection(settings); }), Contains("timed out during the TLS handshake"));
  }
}

TEST_CASE("A consumer group hands an entry to a reader, which acknowledges it") {
  RunningRedis redis;
  RedisConnection connection(redis.settings());
  REQUIRE(connection.command({"XGROUP", "CREATE", "tribune:events", "edges", "$", "MKSTREAM"}).isOk());
  CHECK(connection.command({"XGROUP", "CREATE", "tribune:events", "edges", "$"}).isErrorCode("BUSYGROUP"));
  RedisReply added = connection.command({"XADD", "tribune:events", "*", "kind", "vote", "payload", "{\"pour\":3}"});
  REQUIRE(added.kind == Kind::String);

  RedisReply read =
      connection.command({"XREADGROUP", "GROUP", "edges", "edge-a", "COUNT", "10", "STREAMS", "tribune:events", ">"});
  std::vector<StreamEntry> entries = streamRead(read, "tribune:events");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].id == added.text);
  REQUIRE(entries[0].field("kind") != nullptr);
  CHECK(*entries[0].field("kind") == "vote");
  CHECK(*entries[0].field("payload") == "{\"pour\":3}");
  CHECK(entries[0].field("absent") == nullptr);
  CHECK(streamRead(read, "tribune:other").empty());

  RedisReply pending = connection.command({"XPENDING", "tribune:events", "edges"});
  REQUIRE(pending.isArray());
  CHECK(pending.elements.at(0).integer == 1);
  CHECK(pending.elements.at(1).text == added.text);

  CHECK(connection.command({"XACK", "tribune:events", "edges", added.text}).integer == 1);
  CHECK(connection.command({"XPENDING", "tribune:events", "edges"}).elements.at(0).integer == 0);
  // Nothing new for the group: XREADGROUP without BLOCK answers nil.
  CHECK(streamRead(connection.command({"XREADGROUP", "GROUP", "edges", "edge-a", "STREAMS", "tribune:events", ">"}),
                   "tribune:events")
            .empty());
  CHECK(idsOf(streamEntries(connection.command({"XRANGE", "tribune:events", "-", "+"}))) ==
        std::vector<std::string>{added.text});
}

TEST_CASE("XAUTOCLAIM moves an entry pending for consumer a to consumer b") {
  RunningRedis redis;
  RedisConnection connection(redis.settings());
  REQUIRE(connection.command({"XGROUP", "CREATE", "tribune:events", "edges", "$", "MKSTREAM"}).isOk());
  const std::string first = connection.command({"XADD", "tribune:events", "*", "n", "1"}).text;
  const std::string second = connection.command({"XADD", "tribune:events", "*", "n", "2"}).text;
  REQUIRE(compareStreamIds(first, second) < 0);
  // a reads both and dies without acknowledging them.
  REQUIRE(streamRead(connection.command({"XREADGROUP", "GROUP", "edges", "a", "STREAMS", "tribune:events", ">"}),
                     "tribune:events")
              .size() == 2);

  AutoClaim claim =
      autoClaim(connection.command({"XAUTOCLAIM", "tribune:events", "edges", "b", "0", "0-0", "COUNT", "1"}));
  REQUIRE(claim.entries.size() == 1);
  CHECK(claim.entries[0].id == first);
  CHECK(*claim.entries[0].field("n") == "1");
  CHECK(claim.nextId == second);  // COUNT 1: the scan goes on from the second
  CHECK(claim.deletedIds.empty());

  RedisReply owners = connection.command({"XPENDING", "tribune:events", "edges", "-", "+", "10"});
  REQUIRE(owners.elements.size() == 2);
  CHECK(owners.elements[0].elements.at(1).text == "b");
  CHECK(owners.elements[1].elements.at(1).text == "a");

  // The second is deleted from the stream before it is claimed: Redis 7 reports it apart.
  REQUIRE(connection.command({"XDEL", "tribune:events", second}).integer == 1);
  claim = autoClaim(connection.command({"XAUTOCLAIM", "tribune:events", "edges", "b", "0", claim.nextId}));
  CHECK(claim.entries.empty());
  CHECK(claim.deletedIds == std::vector<std::string>{second});
  CHECK(claim.nextId == "0-0");
}

TEST_CASE("interrupt() ends an XREAD BLOCK 0 waiting in another thread, and the connection for good") {
  RunningRedis redis;
  RedisConnection connection(redis.settings());
  std::future<std::string> reader = std::async(std::launch::async, [&] {
    return errorOf([&] { connection.command({"XREAD", "BLOCK", "0", "STREAMS", "tribune:quiet", "$"}, kNoTimeout); });
  });
  KillServerOnExit killer{redis};
  REQUIRE(waitForBlockedClients(redis, 1));
  connection.interrupt();
  REQUIRE(reader.wait_for(1s) == std::future_status::ready);
  CHECK_THAT(reader.get(), Contains("interrupted while waiting for a reply"));
  CHECK_FALSE(connection.alive());
  CHECK_THAT(errorOf([&] { connection.command({"PING"}); }), Contains("connection is closed"));
}

TEST_CASE("A command times out after its own timeout, or the settings' one, and closes the connection") {
  RunningRedis redis;
  RedisSettings settings = redis.settings();
  settings.ioTimeout = 300ms;
  RedisConnection connection(settings);
  // BLOCK 200 answers nil in time for a 2 s timeout.
  CHECK(connection.command({"XREAD", "BLOCK", "200", "STREAMS", "tribune:quiet", "$"}, 2s).isNil());
  CHECK_THAT(errorOf([&] {
               connection.command({"XREAD", "BLOCK", "0", "STREAMS", "tribune:quiet", "$"});
             }),
             Contains("timed out while waiting for a reply"));
  CHECK_FALSE(connection.alive());
}

TEST_CASE(
    "A server killed under a blocked reader fails it, and an acknowledged XADD survives the restart (AOF always)") {
  RunningRedis redis;
  std::string id;
  {
    RedisConnection writer(redis.settings());
    id = writer.command({"XADD", "tribune:durable", "*", "kind", "motion"}).text;
    REQUIRE(!id.empty());
  }
  RedisConnection connection(redis.settings());
  std::future<std::string> reader = std::async(std::launch::async, [&] {
    return errorOf([&] { connection.command({"XREAD", "BLOCK", "0", "STREAMS", "tribune:durable", "$"}, kNoTimeout); });
  });
  KillServerOnExit killer{redis};
  REQUIRE(waitForBlockedClients(redis, 1));
  redis.killHard();
  REQUIRE(reader.wait_for(5s) == std::future_status::ready);
  CHECK_THAT(reader.get(),
             Contains("closed the TLS session") || Contains("closed the connection") || Contains("connection lost"));
  CHECK_FALSE(connection.alive());

  redis.restart();
  RedisConnection after(redis.settings());
  std::vector<StreamEntry> entries = streamEntries(after.command({"XRANGE", "tribune:durable", "-", "+"}));
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].id == id);
  CHECK(*entries[0].field("kind") == "motion");
}

TEST_CASE("A plain TCP server (benches) serves the same ACL") {
  RunningRedis redis(RunningRedisOptions{.tls = false});
  RedisSettings settings = redis.settings();
  CHECK_FALSE(settings.tls);
  RedisConnection connection(settings);
  CHECK(connection.command({"SET", "tribune:k", "v"}).isOk());
  CHECK(connection.command({"SET", "other:k", "v"}).isErrorCode("NOPERM"));
}

TEST_CASE("The stream parsers read well-formed replies") {
  RedisReply range = arr(
      {arr({str("1-1"), arr({str("a"), str("x"), str("b"), str(std::string("\0", 1))})}), arr({str("1-2"), nil()})});
  std::vector<StreamEntry> entries = streamEntries(range);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].fields.size() == 2);
  CHECK(*entries[0].field("b") == std::string("\0", 1));
  CHECK(entries[1].fields.empty());  // pending history of a deleted entry

  CHECK(streamRead(nil(), "s").empty());
  CHECK(idsOf(streamRead(arr({arr({str("t"), arr({})}), arr({str("s"), range})}), "s")) ==
        std::vector<std::string>{"1-1", "1-2"});

  AutoClaim claim = autoClaim(arr({str("0-0"), range}));  // Redis 6.2's two elements
  CHECK(claim.nextId == "0-0");
  CHECK(claim.entries.size() == 2);
}

TEST_CASE("The stream parsers refuse malformed replies, naming what they expected") {
  const RedisReply entry = arr({str("1-1"), arr({str("a"), str("x")})});
  CHECK_THROWS_WITH(streamEntries(integer(3)), Contains("XRANGE") && Contains("expected an array of entries"));
  CHECK_THROWS_WITH(streamEntries(arr({arr({str("1-1")})})), Contains("expected an entry [id, fields]"));
  CHECK_THROWS_WITH(streamEntries(arr({arr({str("banana"), arr({})})})), Contains("expected an entry id"));
  CHECK_THROWS_WITH(streamEntries(arr({arr({integer(1), arr({})})})), Contains("expected an entry id"));
  CHECK_THROWS_WITH(streamEntries(arr({arr({str("1-1"), arr({str("a")})})})), Contains("even count"));
  CHECK_THROWS_WITH(streamEntries(arr({arr({str("1-1"), arr({str("a"), arr({})})})})),
                    Contains("expected a field value"));
  CHECK_THROWS_WITH(streamEntries(arr({arr({str("1-1"), str("a")})})), Contains("expected the entry's field list"));

  CHECK_THROWS_WITH(streamRead(str("x"), "s"), Contains("XREAD") && Contains("expected nil or an array"));
  CHECK_THROWS_WITH(streamRead(arr({arr({str("s")})}), "s"), Contains("expected a [stream, entries] pair"));
  CHECK_THROWS_WITH(streamRead(arr({arr({integer(1), arr({entry})})}), "s"), Contains("expected a stream name"));
  // Another stream's malformed entries are refused too: the reply as a whole is wrong.
  CHECK_THROWS_WITH(streamRead(arr({arr({str("t"), integer(1)})}), "s"), Contains("expected an array of entries"));

  CHECK_THROWS_WITH(autoClaim(arr({str("0-0")})), Contains("XAUTOCLAIM") && Contains("[next id, entries"));
  CHECK_THROWS_WITH(autoClaim(nil()), Contains("XAUTOCLAIM"));
  CHECK_THROWS_WITH(autoClaim(arr({str("next"), arr({}), arr({})})), Contains("expected the next id"));
  CHECK_THROWS_WITH(autoClaim(arr({str("0-0"), arr({}), integer(0)})), Contains("expected an array of deleted ids"));
  CHECK_THROWS_WITH(autoClaim(arr({str("0-0"), arr({}), arr({nil()})})), Contains("expected a deleted id"));
  CHECK_THROWS_AS(autoClaim(RedisReply{Kind::Error, 0, "NOGROUP No such key", {}}), RedisError);
}

TEST_CASE("compareStreamIds orders ids by number, not by text") {
  CHECK(compareStreamIds("1-0", "1-1") < 0);
  CHECK(compareStreamIds("2-0", "10-0") < 0);
  CHECK(compareStreamIds("1-10", "1-9") > 0);
  CHECK(compareStreamIds("5", "5-0") == 0);
  CHECK(compareStreamIds("1700000000000-3", "1700000000000-3") == 0);
  CHECK(compareStreamIds("18446744073709551615-18446744073709551615", "0-0") > 0);
  for (std::string_view bad : {"", "abc", "1-", "-1", "1-2-3", "1 -2", "18446744073709551616-0", "+1-0"}) {
    INFO(std::string(bad));
    CHECK_THROWS_WITH(compareStreamIds(bad, "0-0"), Contains("not a stream id"));
  }
}

TEST_CASE("RedisReply helpers tell error codes apart and describe replies briefly") {
  RedisReply error{Kind::Error, 0, "NOPERM this user has no permissions", {}};
  CHECK(error.isErrorCode("NOPERM"));
  CHECK_FALSE(error.isErrorCode("NOPE"));
  CHECK_FALSE(str("NOPERM x").isErrorCode("NOPERM"));
  CHECK(RedisReply{Kind::Status, 0, "OK", {}}.isOk());
  CHECK_FALSE(str("OK").isOk());
  CHECK(error.describe() == "error 'NOPERM this user has no permissions'");
  CHECK(arr({nil(), nil()}).describe() == "array of 2");
  CHECK(str(std::string(100, 'x') + "\r\n").describe() == "string '" + std::string(80, 'x') + "…'");
}
