#include "core/forwarded.h"

#include <algorithm>
#include <cctype>

namespace tribune::core {

namespace {

constexpr std::size_t kIpv4MappedOffset = 12;  // ::ffff:a.b.c.d holds a.b.c.d in bytes 12..15
constexpr int kIpv4PrefixOffset = 96;
constexpr int kMaxPrefix = 128;
constexpr int kGroups = 8;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A decimal number of 1 to `maxDigits` digits without a leading zero ("0" itself is fine).
std::optional<int> readDecimal(std::string_view text, std::size_t maxDigits) {
  if (text.empty() || text.size() > maxDigits || !std::all_of(text.begin(), text.end(), isDigit)) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  int value = 0;
  for (const char c : text) value = value * 10 + (c - '0');
  return value;
}

bool parseIpv4(std::string_view text, std::uint8_t* out) {
  for (int part = 0; part < 4; ++part) {
    const auto dot = text.find('.');
    const bool last = part == 3;
    if (last != (dot == std::string_view::npos)) return false;  // exactly three dots
    auto value = readDecimal(text.substr(0, dot), 3);
    if (!value || *value > 255) return false;
    out[part] = static_cast<std::uint8_t>(*value);
    if (!last) text.remove_prefix(dot + 1);
  }
  return true;
}

std::vector<std::string_view> splitGroups(std::string_view text) {
  std::vector<std::string_view> groups;
  if (text.empty()) return groups;
  for (;;) {
    const auto colon = text.find(':');
    groups.push_back(text.substr(0, colon));
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
  }
  return groups;
}

// Appends the 16-bit groups of `groups` to `out` (an IPv4 tail, allowed only as the very
// last group of the address, gives two); false when one is malformed.
bool readGroups(const std::vector<std::string_view>& groups, bool endsAddress, std::vector<std::uint16_t>& out) {
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto group = groups[i];
    if (group.find('.') != std::string_view::npos) {
      std::uint8_t v4[4];
      if (!endsAddress || i + 1 != groups.size() || !parseIpv4(group, v4)) return false;
      out.push_back(static_cast<std::uint16_t>(v4[0] << 8 | v4[1]));
      out.push_back(static_cast<std::uint16_t>(v4[2] << 8 | v4[3]));
      continue;
    }
    if (group.empty() || group.size() > 4) return false;
    int value = 0;
    for (const char c : group) {
      const int digit = hexValue(c);
      if (digit < 0) return false;
      value = value * 16 + digit;
    }
    out.push_back(static_cast<std::uint16_t>(value));
  }
  return true;
}

std::optional<std::array<std::uint8_t, 16>> parseIpv6(std::string_view text) {
  const auto gap = text.find("::");
  std::vector<std::uint16_t> head;
  std::vector<std::uint16_t> tail;
  if (gap == std::string_view::npos) {
    if (!readGroups(splitGroups(text), true, head) || head.size() != kGroups) return std::nullopt;
  } else {
    const auto before = text.substr(0, gap);
    const auto after = text.substr(gap + 2);
    if (after.find("::") != std::string_view::npos) return std::nullopt;  // one "::" at most
    // An IPv4 tail ends the address: never before the "::".
    if (!readGroups(splitGroups(before), false, head) || !readGroups(splitGroups(after), true, tail)) {
      return std::nullopt;
    }
    if (head.size() + tail.size() > kGroups - 1) return std::nullopt;  // "::" stands for one group at least
  }
  std::array<std::uint8_t, 16> bytes{};
  const auto put = [&bytes](std::size_t index, std::uint16_t group) {
    bytes[2 * index] = static_cast<std::uint8_t>(group >> 8);
    bytes[2 * index + 1] = static_cast<std::uint8_t>(group & 0xff);
  };
  for (std::size_t i = 0; i < head.size(); ++i) put(i, head[i]);
  for (std::size_t i = 0; i < tail.size(); ++i) put(kGroups - tail.size() + i, tail[i]);
  return bytes;
}

std::string_view trimmed(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

bool inAny(const IpAddress& address, const std::vector<AddressRange>& ranges) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&address](const AddressRange& range) { return range.contains(address); });
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  IpAddress address;
  if (text.find(':') == std::string_view::npos) {
    if (!parseIpv4(text, address.bytes_.data() + kIpv4MappedOffset)) return std::nullopt;
    address.bytes_[10] = 0xff;
    address.bytes_[11] = 0xff;
    return address;
  }
  auto bytes = parseIpv6(text);
  if (!bytes) return std::nullopt;
  address.bytes_ = *bytes;
  return address;
}

bool IpAddress::isIpv4() const {
  return std::all_of(bytes_.begin(), bytes_.begin() + 10, [](std::uint8_t b) { return b == 0; }) &&
         bytes_[10] == 0xff && bytes_[11] == 0xff;
}

bool IpAddress::isLoopback() const {
  if (isIpv4()) return bytes_[kIpv4MappedOffset] == 127;
  return std::all_of(bytes_.begin(), bytes_.end() - 1, [](std::uint8_t b) { return b == 0; }) && bytes_.back() == 1;
}

std::string IpAddress::toString() const {
  if (isIpv4()) {
    std::string out;
    for (std::size_t i = kIpv4MappedOffset; i < bytes_.size(); ++i) {
      if (!out.empty()) out += '.';
      out += std::to_string(bytes_[i]);
    }
    return out;
  }
  std::array<int, kGroups> groups{};
  for (std::size_t i = 0; i < groups.size(); ++i) groups[i] = bytes_[2 * i] << 8 | bytes_[2 * i + 1];
  // RFC 5952: the longest run of two or more zero groups (the first of equals) is "::".
  int bestStart = -1;
  int bestLength = 1;
  for (int i = 0; i < kGroups;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int end = i;
    while (end < kGroups && groups[end] == 0) ++end;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < kGroups; ++i) {
    if (i == bestStart) {
      out += "::";
      i += bestLength - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int digit = (groups[i] >> shift) & 0xf;
      if (digit == 0 && !started && shift > 0) continue;
      started = true;
      out += kHex[digit];
    }
  }
  return out;
}

std::optional<AddressRange> AddressRange::parse(std::string_view text) {
  const auto slash = text.find('/');
  const auto addressText = text.substr(0, slash);
  auto base = IpAddress::parse(addressText);
  if (!base) return std::nullopt;
  const bool writtenAsIpv4 = addressText.find(':') == std::string_view::npos;
  int prefix = kMaxPrefix;
  if (slash != std::string_view::npos) {
    auto bits = readDecimal(text.substr(slash + 1), 3);
    const int most = writtenAsIpv4 ? kMaxPrefix - kIpv4PrefixOffset : kMaxPrefix;
    if (!bits || *bits > most) return std::nullopt;
    prefix = writtenAsIpv4 ? kIpv4PrefixOffset + *bits : *bits;
  }
  return AddressRange{*base, prefix};
}

bool AddressRange::contains(std::string_view address) const {
  auto parsed = IpAddress::parse(address);
  return parsed && contains(*parsed);
}

bool AddressRange::contains(const IpAddress& address) const {
  const auto& a = base.bytes();
  const auto& b = address.bytes();
  int bits = prefix;
  for (std::size_t i = 0; i < a.size() && bits > 0; ++i, bits -= 8) {
    const auto mask = static_cast<std::uint8_t>(bits >= 8 ? 0xff : 0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

bool isLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  constexpr std::string_view kLocalhost = "localhost";
  if (host.size() == kLocalhost.size() && std::equal(host.begin(), host.end(), kLocalhost.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      })) {
    return true;
  }
  auto address = IpAddress::parse(host);
  return address && address->isLoopback();
}

std::string clientAddress(std::string_view peer, std::string_view xForwardedFor,
                          const std::vector<AddressRange>& trusted) {
  const auto peerAddress = IpAddress::parse(peer);
  if (!peerAddress) return std::string(peer);
  if (!inAny(*peerAddress, trusted)) return peerAddress->toString();
  IpAddress hop = *peerAddress;  // the last address known good
  auto rest = xForwardedFor;
  while (!trimmed(rest).empty()) {
    const auto comma = rest.rfind(',');
    const auto entry = trimmed(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    auto address = IpAddress::parse(entry);
    if (!address) break;
    hop = *address;
    if (!inAny(hop, trusted)) break;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  return hop.toString();
}

bool ConnectionCap::open(const std::string& address) {
  auto& count = open_[address];
  if (count >= perAddress_) {
    if (count == 0) open_.erase(address);  // a cap of 0: keep no zero entry
    return false;
  }
  ++count;
  return true;
}

void ConnectionCap::close(const std::string& address) {
  const auto found = open_.find(address);
  if (found == open_.end()) return;
  if (--found->second == 0) open_.erase(found);
}

std::size_t ConnectionCap::count(const std::string& address) const {
  const auto found = open_.find(address);
  return found == open_.end() ? 0 : found->second;
}

}  // namespace tribune::core
