// RedisReply's helpers and the stream replies' parsers: pure functions, no I/O.
#include <charconv>
#include <cstdint>

#include "bus/redis.h"

namespace tribune::bus {
namespace {

[[noreturn]] void malformed(std::string_view what, std::string_view expected, const RedisReply& got) {
  throw RedisError("malformed " + std::string(what) + " reply: expected " + std::string(expected) + ", got " +
                   got.describe());
}

const RedisReply& expectArray(const RedisReply& reply, std::string_view what, std::string_view expected) {
  if (!reply.isArray()) malformed(what, expected, reply);
  return reply;
}

const std::string& expectString(const RedisReply& reply, std::string_view what, std::string_view expected) {
  // Simple strings too: a proxy or a future RESP version may send ids as statuses.
  if (reply.kind != RedisReply::Kind::String && reply.kind != RedisReply::Kind::Status) {
    malformed(what, expected, reply);
  }
  return reply.text;
}

// (milliseconds, sequence): pairs compare in that order.
using StreamId = std::pair<std::uint64_t, std::uint64_t>;

StreamId parseStreamId(std::string_view text) {
  auto number = [text](std::string_view part) {
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || error != std::errc() || end != part.data() + part.size()) {
      throw RedisError("not a stream id (ms-seq): '" + std::string(text.substr(0, 64)) + "'");
    }
    return value;
  };
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return {number(text), 0};
  return {number(text.substr(0, dash)), number(text.substr(dash + 1))};
}

const std::string& expectStreamId(const RedisReply& reply, std::string_view what, std::string_view expected) {
  const std::string& id = expectString(reply, what, expected);
  try {
    parseStreamId(id);
  } catch (const RedisError&) {
    malformed(what, expected, reply);
  }
  return id;
}

StreamEntry parseEntry(const RedisReply& reply, std::string_view what) {
  if (!reply.isArray() || reply.elements.size() != 2) malformed(what, "an entry [id, fields]", reply);
  StreamEntry entry;
  entry.id = expectStreamId(reply.elements[0], what, "an entry id (ms-seq)");
  const RedisReply& fields = reply.elements[1];
  if (fields.isNil()) return entry;  // a pending entry that was deleted from the stream
  expectArray(fields, what, "the entry's field list");
  if (fields.elements.size() % 2 != 0) malformed(what, "field-value pairs (an even count)", fields);
  entry.fields.reserve(fields.elements.size() / 2);
  for (std::size_t i = 0; i < fields.elements.size(); i += 2) {
    entry.fields.emplace_back(expectString(fields.elements[i], what, "a field name"),
                              expectString(fields.elements[i + 1], what, "a field value"));
  }
  return entry;
}

std::vector<StreamEntry> parseEntries(const RedisReply& reply, std::string_view what) {
  expectArray(reply, what, "an array of entries");
  std::vector<StreamEntry> entries;
  entries.reserve(reply.elements.size());
  for (const RedisReply& element : reply.elements) entries.push_back(parseEntry(element, what));
  return entries;
}

}  // namespace

std::string_view kindName(RedisReply::Kind kind) {
  switch (kind) {
    case RedisReply::Kind::Nil: return "nil";
    case RedisReply::Kind::Integer: return "integer";
    case RedisReply::Kind::String: return "string";
    case RedisReply::Kind::Status: return "status";
    case RedisReply::Kind::Error: return "error";
    case RedisReply::Kind::Array: return "array";
  }
  return "unknown";
}

bool RedisReply::isErrorCode(std::string_view code) const {
  if (kind != Kind::Error || text.size() < code.size() || text.compare(0, code.size(), code) != 0) return false;
  return text.size() == code.size() || text[code.size()] == ' ';
}

std::string RedisReply::describe() const {
  constexpr std::size_t kShown = 80;
  switch (kind) {
    case Kind::Nil: return "nil";
    case Kind::Integer: return "integer " + std::to_string(integer);
    case Kind::Array: return "array of " + std::to_string(elements.size());
    default: break;
  }
  std::string shown = text.substr(0, kShown);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (text.size() > kShown) shown += "…";
  return std::string(kindName(kind)) + " '" + shown + "'";
}

const std::string* StreamEntry::field(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::vector<StreamEntry> streamEntries(const RedisReply& reply) { return parseEntries(reply, "XRANGE"); }

std::vector<StreamEntry> streamRead(const RedisReply& reply, std::string_view stream) {
  constexpr std::string_view what = "XREAD";
  if (reply.isNil()) return {};
  expectArray(reply, what, "nil or an array of [stream, entries]");
  std::vector<StreamEntry> entries;
  for (const RedisReply& element : reply.elements) {
    if (!element.isArray() || element.elements.size() != 2) malformed(what, "a [stream, entries] pair", element);
    const std::string& name = expectString(element.elements[0], what, "a stream name");
    std::vector<StreamEntry> parsed = parseEntries(element.elements[1], what);  // checked even if not `stream`
    if (name == stream) entries = std::move(parsed);
  }
  return entries;
}

AutoClaim autoClaim(const RedisReply& reply) {
  constexpr std::string_view what = "XAUTOCLAIM";
  if (!reply.isArray() || (reply.elements.size() != 2 && reply.elements.size() != 3)) {
    malformed(what, "[next id, entries, deleted ids]", reply);
  }
  AutoClaim claim;
  claim.nextId = expectStreamId(reply.elements[0], what, "the next id (ms-seq)");
  claim.entries = parseEntries(reply.elements[1], what);
  if (reply.elements.size() == 3) {
    for (const RedisReply& id : expectArray(reply.elements[2], what, "an array of deleted ids").elements) {
      claim.deletedIds.push_back(expectString(id, what, "a deleted id"));
    }
  }
  return claim;
}

int compareStreamIds(std::string_view a, std::string_view b) {
  const StreamId left = parseStreamId(a);
  const StreamId right = parseStreamId(b);
  return left < right ? -1 : (left == right ? 0 : 1);
}

}  // namespace tribune::bus
