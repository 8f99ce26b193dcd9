// The bus among the public edges: see redis_bus.h.
#include "edge/redis_bus.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tribune::edge {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<spdlog::logger> busLogger() {
  static auto log = [] {
    auto existing = spdlog::get("bus");
    return existing ? existing : spdlog::default_logger()->clone("bus");
  }();
  return log;
}

std::int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::milliseconds retryDelay(int failures) {
  return std::min<std::chrono::milliseconds>(std::chrono::milliseconds(250) * (1 << std::min(failures, 5)), 5s);
}

void expectOk(const bus::RedisReply& reply, const char* what) {
  if (reply.kind == bus::RedisReply::Kind::Error) throw bus::RedisError(std::string(what) + ": " + reply.text);
}

// The group the link's holder reads PREFIX:in with; created once, by whichever edge comes first.
void ensureGroup(bus::RedisConnection& redis, const std::string& in) {
  const auto reply = redis.command({"XGROUP", "CREATE", in, "hall", "0", "MKSTREAM"});
  if (reply.kind == bus::RedisReply::Kind::Error && reply.text.rfind("BUSYGROUP", 0) != 0) {
    throw bus::RedisError("XGROUP CREATE: " + reply.text);
  }
}

BusEntry entryOf(const bus::StreamEntry& entry) {
  BusEntry out;
  out.ticket = entry.id;
  if (const auto* kind = entry.field("kind")) out.kind = *kind;
  if (const auto* viewer = entry.field("viewer")) out.viewer = *viewer;
  if (const auto* params = entry.field("params")) out.params = *params;
  return out;
}

}  // namespace

RedisBus::RedisBus(BusSettings settings, BusListener& listener) : settings_(std::move(settings)), listener_(listener) {
  writer_ = std::thread([this] { writerLoop(); });
  reader_ = std::thread([this] { readerLoop(); });
  consumer_ = std::thread([this] { consumerLoop(); });
}

RedisBus::~RedisBus() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  {
    const std::lock_guard lock(interruptMutex_);
    if (readerConnection_ != nullptr) readerConnection_->interrupt();
    if (consumerConnection_ != nullptr) consumerConnection_->interrupt();
  }
  writer_.join();
  reader_.join();
  consumer_.join();
}

void RedisBus::add(const std::string& kind, const std::string& viewer, const std::string& params,
                   std::function<void(std::optional<std::string>, std::string)> done) {
  Job job{Job::Kind::Add,
          {"XADD", key("in"), "*", "kind", kind, "viewer", viewer, "params", params, "at", std::to_string(wallMs())},
          false,
          std::move(done)};
  {
    const std::lock_guard lock(mutex_);
    if (jobs_.size() < kMaxQueued) {
      jobs_.push_back(std::move(job));
      job.done = nullptr;
    }
  }
  if (job.done) {  // Redis has been unreachable for a long while: not accepted
    job.done(std::nullopt, "the bus's queue is full");
    return;
  }
  wake_.notify_all();
}

void RedisBus::publish(std::string text, bool full) {
  {
    const std::lock_guard lock(mutex_);
    jobs_.push_back(Job{Job::Kind::Publish, {"XADD", key("out"), "*", "m", std::move(text)}, full, {}});
  }
  wake_.notify_all();
}

void RedisBus::acknowledge(std::string ticket) {
  {
    const std::lock_guard lock(mutex_);
    jobs_.push_back(Job{Job::Kind::Acknowledge, {"XACK", key("in"), "hall", std::move(ticket)}, false, {}});
  }
  wake_.notify_all();
}

void RedisBus::holdLink(bool holding) {
  {
    const std::lock_guard lock(mutex_);
    if (holding_ == holding) return;
    holding_ = holding;
    ++holdGeneration_;
    inFlight_ = 0;
  }
  wake_.notify_all();
  if (!holding) {
    const std::lock_guard lock(interruptMutex_);
    if (consumerConnection_ != nullptr) consumerConnection_->interrupt();
  }
}

BusStats RedisBus::stats() const {
  const std::lock_guard lock(mutex_);
  auto stats = stats_;
  stats.queued = jobs_.size();
  return stats;
}

bool RedisBus::sleepFor(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_; });
  return !stopping_;
}

void RedisBus::finish(bus::RedisConnection& redis, const Job& job, const bus::RedisReply& reply) {
  const bool refused = reply.kind == bus::RedisReply::Kind::Error;
  if (refused) busLogger()->error("{} {}: {}", job.argv.at(0), job.argv.at(1), reply.text);
  if (job.kind == Job::Kind::Add) {
    if (job.done) job.done(refused ? std::nullopt : std::optional(reply.text), refused ? "refused by Redis" : "");
    const std::lock_guard lock(mutex_);
    if (!refused) ++stats_.questionsAdded;
    return;
  }
  if (job.kind == Job::Kind::Publish && !refused) {
    if (job.full) {
      // Later edges start from this entry; what is before it is never needed again.
      expectOk(redis.command({"SET", key("full"), reply.text}), "SET full");
      expectOk(redis.command({"XTRIM", key("out"), "MINID", reply.text}), "XTRIM out");
    }
    const std::lock_guard lock(mutex_);
    ++stats_.hallMessagesWritten;
    return;
  }
  if (job.kind == Job::Kind::Acknowledge) {
    const std::lock_guard lock(mutex_);
    ++stats_.acknowledged;
    if (inFlight_ > 0) --inFlight_;
  }
}

void RedisBus::writerLoop() {
  std::optional<bus::RedisConnection> redis;
  int failures = 0;
  std::optional<bool> reachable;
  auto nextLinkCheck = std::chrono::steady_clock::now();
  auto nextTrim = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, nextLinkCheck, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
    }
    if (!redis) {
      try {
        redis.emplace(settings_.redis);
        ensureGroup(*redis, key("in"));
        failures = 0;
        listener_.onBusHealth(true, "");
      } catch (const bus::RedisError& e) {
        redis.reset();
        ++failures;
        std::vector<Job> refused;  // a question not in Redis is not accepted: the viewer sends it again
        {
          const std::lock_guard lock(mutex_);
          ++stats_.failures;
          for (auto it = jobs_.begin(); it != jobs_.end();) {
            if (it->kind == Job::Kind::Add) {
              refused.push_back(std::move(*it));
              it = jobs_.erase(it);
            } else {
              ++it;
            }
          }
        }
        for (auto& job : refused) job.done(std::nullopt, e.what());
        listener_.onBusHealth(false, e.what());
        if (!sleepFor(retryDelay(failures))) return;
        continue;
      }
    }
    try {
      // What is queued goes out in one write and its replies are read after: with
      // appendfsync always, Redis then syncs its file once for the whole batch.
      while (true) {
        std::vector<Job> batch;
        {
          const std::lock_guard lock(mutex_);
          if (stopping_ || jobs_.empty()) break;
          const auto count = std::min<std::size_t>(jobs_.size(), kBatch);
          batch.assign(jobs_.begin(), jobs_.begin() + static_cast<std::ptrdiff_t>(count));
        }
        std::vector<std::vector<std::string>> commands;
        commands.reserve(batch.size());
        for (const auto& job : batch) commands.push_back(job.argv);
        std::vector<bus::RedisReply> replies;
        try {
          replies = redis->pipeline(commands);
        } catch (const bus::RedisError&) {
          // Whether Redis kept a viewer's entry is unknown: it is not added again (the same
          // question would then be in the stream twice), the viewer is told to send it again.
          // The town hall's messages and the acknowledgements are sent again.
          std::vector<Job> unknown;
          {
            const std::lock_guard lock(mutex_);  // the batch is still the queue's head
            auto it = jobs_.begin();
            for (std::size_t i = 0; i < batch.size() && it != jobs_.end(); ++i) {
              if (it->kind == Job::Kind::Add) {
                unknown.push_back(std::move(*it));
                it = jobs_.erase(it);
              } else {
                ++it;
              }
            }
          }
          for (auto& job : unknown) {
            if (job.done) job.done(std::nullopt, "Redis did not answer");
          }
          throw;
        }
        for (std::size_t i = 0; i < batch.size() && i < replies.size(); ++i) finish(*redis, batch[i], replies[i]);
        const std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < batch.size() && !jobs_.empty(); ++i) jobs_.pop_front();
        wake_.notify_all();
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= nextLinkCheck) {
        nextLinkCheck = now + 1s;
        bool holding = false;
        {
          const std::lock_guard lock(mutex_);
          holding = holding_;
        }
        if (holding) {
          expectOk(redis->command({"SET", key("link"), settings_.edgeName, "PX", "6000"}), "SET link");
        }
        const auto link = redis->command({"GET", key("link")});
        const bool now_reachable = link.kind == bus::RedisReply::Kind::String;
        if (!reachable || *reachable != now_reachable) {
          reachable = now_reachable;
          listener_.onTownHall(now_reachable);
        }
      }
      if (now >= nextTrim) {
        nextTrim = now + 10min;
        const auto oldest =
            wallMs() - std::chrono::duration_cast<std::chrono::milliseconds>(settings_.retention).count();
        if (oldest > 0) redis->command({"XTRIM", key("in"), "MINID", std::to_string(oldest)});
      }
    } catch (const bus::RedisError& e) {
      busLogger()->warn("redis (writer): {}", e.what());
      redis.reset();
      {
        const std::lock_guard lock(mutex_);
        ++stats_.failures;
      }
      listener_.onBusHealth(false, e.what());
    }
  }
}

void RedisBus::readerLoop() {
  std::string lastId;
  int failures = 0;
  while (true) {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    try {
      bus::RedisConnection redis(settings_.redis);
      {
        const std::lock_guard lock(interruptMutex_);
        readerConnection_ = &redis;
      }
      struct Forget {
        RedisBus& bus;
        ~Forget() {
          const std::lock_guard lock(bus.interruptMutex_);
          bus.readerConnection_ = nullptr;
        }
      } forget{*this};
      {
        const std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      // From the last whole snapshot on, unless what was read already goes beyond it.
      const auto full = redis.command({"GET", key("full")});
      const bool hasFull = full.kind == bus::RedisReply::Kind::String;
      if (lastId.empty() || (hasFull && bus::compareStreamIds(full.text, lastId) > 0)) {
        std::string from = hasFull ? full.text : "-";
        while (true) {
          const auto entries = bus::streamEntries(redis.command({"XRANGE", key("out"), from, "+", "COUNT", "500"}));
          if (entries.empty()) break;
          std::vector<std::string> texts;
          for (const auto& entry : entries) {
            if (const auto* text = entry.field("m")) texts.push_back(*text);
          }
          lastId = entries.back().id;
          from = "(" + lastId;
          listener_.onHallMessages(std::move(texts));
        }
      }
      failures = 0;
      while (true) {
        const auto reply = redis.command(
            {"XREAD", "COUNT", "500", "BLOCK", "5000", "STREAMS", key("out"), lastId.empty() ? "0-0" : lastId},
            std::chrono::milliseconds(15000));
        const auto entries = bus::streamRead(reply, key("out"));
        if (entries.empty()) continue;
        std::vector<std::string> texts;
        for (const auto& entry : entries) {
          if (const auto* text = entry.field("m")) texts.push_back(*text);
        }
        lastId = entries.back().id;
        listener_.onHallMessages(std::move(texts));
      }
    } catch (const bus::RedisError& e) {
      {
        const std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      busLogger()->warn("redis (reader): {}", e.what());
      if (!sleepFor(retryDelay(++failures))) return;
    }
  }
}

void RedisBus::consumerLoop() {
  int failures = 0;
  while (true) {
    std::uint64_t generation = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || holding_; });
      if (stopping_) return;
      generation = holdGeneration_;
    }
    const auto stillHolding = [&] {
      const std::lock_guard lock(mutex_);
      return !stopping_ && holding_ && holdGeneration_ == generation;
    };
    // At most kMaxInFlight forwarded and not yet logged: the town hall's link is not flooded.
    const auto deliver = [&](const std::vector<bus::StreamEntry>& entries) {
      std::vector<BusEntry> out;
      for (const auto& entry : entries) out.push_back(entryOf(entry));
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock,
                   [&] { return stopping_ || !holding_ || holdGeneration_ != generation || inFlight_ < kMaxInFlight; });
        if (stopping_ || !holding_ || holdGeneration_ != generation) return false;
        inFlight_ += out.size();
        stats_.forwarded += out.size();
      }
      listener_.onForward(std::move(out));
      return true;
    };
    try {
      bus::RedisConnection redis(settings_.redis);
      {
        const std::lock_guard lock(interruptMutex_);
        consumerConnection_ = &redis;
      }
      struct Forget {
        RedisBus& bus;
        ~Forget() {
          const std::lock_guard lock(bus.interruptMutex_);
          bus.consumerConnection_ = nullptr;
        }
      } forget{*this};
      if (!stillHolding()) continue;
      const auto in = key("in");
      ensureGroup(redis, in);
      // 1. What other edges read and never saw logged (one of them died, or lost the link).
      std::string cursor = "0-0";
      do {
        const auto claimed =
            bus::autoClaim(redis.command({"XAUTOCLAIM", in, "hall", settings_.edgeName, "0", cursor, "COUNT", "100"}));
        cursor = claimed.nextId;
        const std::lock_guard lock(mutex_);
        stats_.claimed += claimed.entries.size();
      } while (cursor != "0-0" && stillHolding());
      {
        const std::lock_guard lock(mutex_);
        busLogger()->info("redis: holding the town hall's link ({} pending entries claimed so far)", stats_.claimed);
      }
      // 2. Everything pending for this edge now, oldest first: forwarded again to this link.
      std::string pending = "0";
      while (stillHolding()) {
        const auto entries = bus::streamRead(
            redis.command({"XREADGROUP", "GROUP", "hall", settings_.edgeName, "COUNT", "100", "STREAMS", in, pending}),
            in);
        if (entries.empty()) break;
        pending = entries.back().id;
        if (!deliver(entries)) break;
      }
      // 3. Then the new ones as they come.
      failures = 0;
      while (stillHolding()) {
        const auto entries = bus::streamRead(redis.command({"XREADGROUP", "GROUP", "hall", settings_.edgeName, "COUNT",
                                                            "100", "BLOCK", "1000", "STREAMS", in, ">"},
                                                           std::chrono::milliseconds(10000)),
                                             in);
        if (!entries.empty() && !deliver(entries)) break;
      }
    } catch (const bus::RedisError& e) {
      if (!stillHolding()) {
        busLogger()->info("redis: no longer holding the town hall's link");
        continue;
      }
      busLogger()->warn("redis (consumer): {}", e.what());
      if (!sleepFor(retryDelay(++failures))) return;
    }
  }
}

}  // namespace tribune::edge
