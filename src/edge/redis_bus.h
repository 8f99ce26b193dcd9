#pragma once
// The bus among the public edges (issue 22; docs/EDGE.md, "Redis"): three connections, three
// threads, Redis's own primitives.
//
//   PREFIX:in    a stream: the viewers' questions and upvotes, XADDed by the edge that took them
//                (the viewer is told "reçue" once Redis has it: AOF, appendfsync always), read
//                through the consumer group "hall" by the edge holding the town hall's link,
//                forwarded, and XACKed once the town hall has logged them. An edge that takes
//                the link first claims every pending entry (XAUTOCLAIM), so what a dead edge had
//                read is forwarded again; the ticket (the entry's id) makes that harmless.
//   PREFIX:out   a stream: what viewers may see, as the town hall sent it on the link; every
//                edge reads it from the last `full` on (PREFIX:full holds that entry's id) and
//                trims what is before it.
//   PREFIX:link  a key with a 6 s expiry, renewed every 2 s by the edge holding the link: whether
//                the meeting room is reachable, for the viewer pages of every edge.
//
// Threading contract: the listener is called on the bus's threads (post, never block); the
// public calls are thread-safe and never wait on Redis (the writer's queue is bounded).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bus/redis.h"

namespace tribune::edge {

struct BusSettings {
  bus::RedisSettings redis;
  std::string prefix = "tribune";
  std::string edgeName;
  std::chrono::hours retention{48};  // the viewers' entries of PREFIX:in older than this are trimmed
};

struct BusEntry {  // an entry of PREFIX:in, as the link's holder forwards it
  std::string ticket;
  std::string kind;
  std::string viewer;
  std::string params;  // JSON text
};

class BusListener {
 public:
  virtual ~BusListener() = default;
  virtual void onHallMessages(std::vector<std::string> texts) = 0;  // PREFIX:out, in order
  virtual void onForward(std::vector<BusEntry> entries) = 0;        // while holding the link
  virtual void onBusHealth(bool up, std::string error) = 0;         // the writer's connection
  virtual void onTownHall(bool reachable) = 0;                      // some edge holds the link
};

struct BusStats {
  std::uint64_t questionsAdded = 0;
  std::uint64_t hallMessagesWritten = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t forwarded = 0;
  std::uint64_t claimed = 0;
  std::uint64_t failures = 0;
  std::size_t queued = 0;
};

class RedisBus {
 public:
  RedisBus(BusSettings settings, BusListener& listener);
  ~RedisBus();
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  // A viewer's question or upvote: `done` gets the ticket once Redis holds it, or nothing and
  // the reason (it is then not kept: the viewer is told to send it again). On the writer thread.
  void add(const std::string& kind, const std::string& viewer, const std::string& params,
           std::function<void(std::optional<std::string> ticket, std::string error)> done);
  // A message of the town hall, in order; retried until Redis has it.
  void publish(std::string text, bool full);
  // After the messages published before it: the town hall logged that ticket.
  void acknowledge(std::string ticket);
  // Holding the town hall's link: consume PREFIX:in (claiming what others left pending) and
  // keep PREFIX:link alive. Not holding: stop both.
  void holdLink(bool holding);
  [[nodiscard]] BusStats stats() const;

  static constexpr std::size_t kMaxInFlight = 256;  // forwarded and not yet acknowledged
  static constexpr std::size_t kMaxQueued = 20000;  // jobs waiting for Redis
  static constexpr std::size_t kBatch = 256;        // commands sent in one write

 private:
  struct Job {
    enum class Kind { Add, Publish, Acknowledge } kind;
    std::vector<std::string> argv;
    bool full = false;
    std::function<void(std::optional<std::string>, std::string)> done;
  };
  void writerLoop();
  void readerLoop();
  void consumerLoop();
  void finish(bus::RedisConnection& redis, const Job& job, const bus::RedisReply& reply);
  std::string key(const char* name) const { return settings_.prefix + ":" + name; }
  bool sleepFor(std::chrono::milliseconds delay);  // false when stopping

  BusSettings settings_;
  BusListener& listener_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  bool holding_ = false;
  std::uint64_t holdGeneration_ = 0;
  std::size_t inFlight_ = 0;
  BusStats stats_;

  std::mutex interruptMutex_;  // guards the pointers below against the connections' ends
  bus::RedisConnection* readerConnection_ = nullptr;
  bus::RedisConnection* consumerConnection_ = nullptr;

  std::thread writer_;
  std::thread reader_;
  std::thread consumer_;
};

}  // namespace tribune::edge
