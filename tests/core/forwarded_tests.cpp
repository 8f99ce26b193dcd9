#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/forwarded.h"

using namespace tribune::core;

namespace {

std::string canonical(const std::string& text) {
  auto address = IpAddress::parse(text);
  return address ? address->toString() : "<invalid>";
}

std::vector<AddressRange> ranges(std::initializer_list<const char*> texts) {
  std::vector<AddressRange> out;
  for (const char* text : texts) {
    auto range = AddressRange::parse(text);
    REQUIRE(range);
    out.push_back(*range);
  }
  return out;
}

}  // namespace

TEST_CASE("IPv4 addresses are read in strict dotted decimal", "[forwarded]") {
  CHECK(canonical("192.168.1.5") == "192.168.1.5");
  CHECK(canonical("0.0.0.0") == "0.0.0.0");
  CHECK(canonical("255.255.255.255") == "255.255.255.255");
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01.2.3.4", "1.2..4", "1.2.3.4 ",
                          " 1.2.3.4", "1.2.3.4/32", "a.b.c.d", "1.2.3.4:80", "1.2.3.", "1234.1.1.1", "0x7f.0.0.1"}) {
    INFO(bad);
    CHECK_FALSE(IpAddress::parse(bad));
  }
}

TEST_CASE("IPv6 addresses are read in every textual form and written canonically", "[forwarded]") {
  CHECK(canonical("::1") == "::1");
  CHECK(canonical("::") == "::");
  CHECK(canonical("2001:DB8:0:0:0:0:0:1") == "2001:db8::1");
  CHECK(canonical("2001:0db8:0000:0000:0001:0000:0000:0001") == "2001:db8::1:0:0:1");  // the first longest run
  CHECK(canonical("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");                  // one zero group stays
  CHECK(canonical("fe80::") == "fe80::");
  CHECK(canonical("1:2:3:4:5:6:7::") == "1:2:3:4:5:6:7:0");
  CHECK(canonical("::2:3:4:5:6:7:8") == "0:2:3:4:5:6:7:8");
  CHECK(canonical("64:ff9b::192.0.2.33") == "64:ff9b::c000:221");
  for (const char* bad :
       {":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", ":1::2", "1::2:", "::1.2.3",
        "1.2.3.4::", "::1.2.3.4:5", "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:8::", "::1 ", "1:2:3:4:5:6:1.2.3.4:5"}) {
    INFO(bad);
    CHECK_FALSE(IpAddress::parse(bad));
  }
}

TEST_CASE("an IPv4-mapped IPv6 address is the IPv4 address", "[forwarded]") {
  const auto mapped = IpAddress::parse("::ffff:1.2.3.4");
  const auto plain = IpAddress::parse("1.2.3.4");
  REQUIRE(mapped);
  REQUIRE(plain);
  CHECK(*mapped == *plain);
  CHECK(mapped->isIpv4());
  CHECK(mapped->toString() == "1.2.3.4");
  CHECK(canonical("::FFFF:0102:0304") == "1.2.3.4");
  CHECK_FALSE(IpAddress::parse("::1.2.3.4")->isIpv4());  // the old "compatible" form is not IPv4
}

TEST_CASE("loopback addresses and host names are recognised", "[forwarded]") {
  for (const char* host : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1", "localhost", "LocalHost", "[::1]"}) {
    INFO(host);
    CHECK(isLoopbackHost(host));
  }
  for (const char* host :
       {"128.0.0.1", "::2", "10.0.0.1", "localhost.example.org", "mylocalhost", "", "[::1", "0.0.0.0", "::"}) {
    INFO(host);
    CHECK_FALSE(isLoopbackHost(host));
  }
}

TEST_CASE("a range holds the addresses under its prefix, IPv4 and IPv6", "[forwarded]") {
  const auto tenSlash8 = AddressRange::parse("10.0.0.0/8");
  REQUIRE(tenSlash8);
  CHECK(tenSlash8->contains("10.0.0.0"));
  CHECK(tenSlash8->contains("10.255.255.255"));
  CHECK(tenSlash8->contains("::ffff:10.1.2.3"));
  CHECK_FALSE(tenSlash8->contains("11.0.0.0"));
  CHECK_FALSE(tenSlash8->contains("9.255.255.255"));
  CHECK_FALSE(tenSlash8->contains("::a00:1"));  // not IPv4-mapped: another address
  CHECK_FALSE(tenSlash8->contains("garbage"));

  const auto single = AddressRange::parse("192.168.1.5");
  REQUIRE(single);
  CHECK(single->contains("192.168.1.5"));
  CHECK_FALSE(single->contains("192.168.1.6"));

  const auto odd = AddressRange::parse("172.16.0.0/12");
  REQUIRE(odd);
  CHECK(odd->contains("172.31.255.255"));
  CHECK_FALSE(odd->contains("172.32.0.0"));

  const auto hostBits = AddressRange::parse("192.168.1.77/24");  // bits past the prefix are ignored
  REQUIRE(hostBits);
  CHECK(hostBits->contains("192.168.1.1"));
  CHECK_FALSE(hostBits->contains("192.168.2.1"));

  const auto everyV4 = AddressRange::parse("0.0.0.0/0");
  REQUIRE(everyV4);
  CHECK(everyV4->contains("203.0.113.9"));
  CHECK_FALSE(everyV4->contains("2001:db8::1"));

  const auto ula = AddressRange::parse("fd00::/8");
  REQUIRE(ula);
  CHECK(ula->contains("fd12:3456::1"));
  CHECK(ula->contains("FDFF::"));
  CHECK_FALSE(ula->contains("fe00::1"));
  CHECK_FALSE(ula->contains("10.0.0.1"));

  const auto loopback = AddressRange::parse("::1");
  REQUIRE(loopback);
  CHECK(loopback->contains("0:0:0:0:0:0:0:1"));
  CHECK_FALSE(loopback->contains("::2"));

  const auto v6Slash127 = AddressRange::parse("2001:db8::/127");
  REQUIRE(v6Slash127);
  CHECK(v6Slash127->contains("2001:db8::1"));
  CHECK_FALSE(v6Slash127->contains("2001:db8::2"));
}

TEST_CASE("a range with a bad prefix or garbage is refused", "[forwarded]") {
  for (const char* bad :
       {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0/8/8", "10.0.0.0/ 8",
        "10.0.0.0/8 ", "/8", "::/129", "::/1000", "fd00::/x", "10.0.0/8", "garbage", "", "10.0.0.0/4294967304"}) {
    INFO(bad);
    CHECK_FALSE(AddressRange::parse(bad));
  }
  CHECK(AddressRange::parse("10.0.0.0/32"));
  CHECK(AddressRange::parse("::/0"));
  CHECK(AddressRange::parse("::/128"));
}

TEST_CASE("an untrusted peer's X-Forwarded-For is ignored", "[forwarded]") {
  const auto trusted = ranges({"10.0.0.0/8"});
  CHECK(clientAddress("203.0.113.7", "198.51.100.1", trusted) == "203.0.113.7");
  CHECK(clientAddress("203.0.113.7", "", {}) == "203.0.113.7");
  CHECK(clientAddress("::ffff:203.0.113.7", "10.0.0.1", trusted) == "203.0.113.7");  // canonical form
}

TEST_CASE("behind trusted proxies the client is the rightmost untrusted hop", "[forwarded]") {
  const auto trusted = ranges({"10.0.0.0/8", "fd00::/8"});
  // The client wrote a fake address first; the proxy appended the one it saw.
  CHECK(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.1", trusted) == "198.51.100.1");
  // Two proxies: the load balancer and a cache in front of the edge.
  CHECK(clientAddress("10.0.0.2", "198.51.100.1, 10.0.0.9", trusted) == "198.51.100.1");
  CHECK(clientAddress("10.0.0.2", "198.51.100.1,10.0.0.9 ,  fd00::3", trusted) == "198.51.100.1");
  CHECK(clientAddress("fd00::2", "2001:DB8::0:1", trusted) == "2001:db8::1");
  // A trusted peer that sent no header: the peer itself.
  CHECK(clientAddress("10.0.0.2", "", trusted) == "10.0.0.2");
  CHECK(clientAddress("10.0.0.2", "  ", trusted) == "10.0.0.2");
}

TEST_CASE("when every hop is trusted the leftmost one is the client", "[forwarded]") {
  const auto trusted = ranges({"10.0.0.0/8"});
  CHECK(clientAddress("10.0.0.2", "10.1.1.1, 10.0.0.9", trusted) == "10.1.1.1");
}

TEST_CASE("a malformed X-Forwarded-For entry never becomes the client's address", "[forwarded]") {
  const auto trusted = ranges({"10.0.0.0/8"});
  // Garbage at the right end: the last good hop is the peer.
  CHECK(clientAddress("10.0.0.2", "198.51.100.1, not-an-address", trusted) == "10.0.0.2");
  CHECK(clientAddress("10.0.0.2", "198.51.100.1, ", trusted) == "10.0.0.2");
  CHECK(clientAddress("10.0.0.2", "198.51.100.1:4711", trusted) == "10.0.0.2");
  // Garbage further left: the walk stops at the trusted hop before it.
  CHECK(clientAddress("10.0.0.2", "<script>, 10.0.0.9", trusted) == "10.0.0.9");
  CHECK(clientAddress("10.0.0.2", ",10.0.0.9", trusted) == "10.0.0.9");
  // Left of the client is never read: it is whatever the client wrote.
  CHECK(clientAddress("10.0.0.2", "garbage, 198.51.100.1", trusted) == "198.51.100.1");
}

TEST_CASE("a peer that is no address is returned as given", "[forwarded]") {
  CHECK(clientAddress("unix:/run/x", "198.51.100.1", ranges({"0.0.0.0/0"})) == "unix:/run/x");
}

TEST_CASE("the connection cap holds per address and frees on close", "[forwarded]") {
  ConnectionCap cap(2);
  CHECK(cap.open("198.51.100.1"));
  CHECK(cap.open("198.51.100.1"));
  CHECK_FALSE(cap.open("198.51.100.1"));
  CHECK(cap.count("198.51.100.1") == 2);  // the refused one is not counted
  CHECK(cap.open("198.51.100.2"));        // another address has its own cap
  cap.close("198.51.100.1");
  CHECK(cap.count("198.51.100.1") == 1);
  CHECK(cap.open("198.51.100.1"));
  CHECK_FALSE(cap.open("198.51.100.1"));
}

TEST_CASE("the connection cap forgets an address with no connection left", "[forwarded]") {
  ConnectionCap cap(3);
  cap.close("198.51.100.9");  // unknown: harmless
  CHECK(cap.count("198.51.100.9") == 0);
  CHECK(cap.addresses() == 0);
  CHECK(cap.open("198.51.100.1"));
  CHECK(cap.addresses() == 1);
  cap.close("198.51.100.1");
  CHECK(cap.addresses() == 0);
  cap.close("198.51.100.1");  // once too often: still harmless, never below zero
  CHECK(cap.count("198.51.100.1") == 0);
  CHECK(cap.open("198.51.100.1"));
  CHECK(cap.count("198.51.100.1") == 1);

  ConnectionCap none(0);
  CHECK_FALSE(none.open("198.51.100.1"));
  CHECK(none.addresses() == 0);
}
