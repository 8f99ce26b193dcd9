#pragma once
// A WebListener for the edge and link tests: records, on the web thread, what the server
// reports; the test thread reads and waits on it.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "web/web_server.h"

namespace tribune::testing {

class RecordingWebListener final : public web::WebListener {
 public:
  struct Opened {
    web::ConnectionId id;
    std::string peer;
  };
  struct Message {
    web::ConnectionId id;
    std::string text;
  };

  void onOpen(web::ConnectionId connection, std::string peerAddress) override {
    std::lock_guard lock(mutex_);
    opened_.push_back({connection, std::move(peerAddress)});
  }
  void onMessage(web::ConnectionId connection, std::string text) override {
    std::lock_guard lock(mutex_);
    messages_.push_back({connection, std::move(text)});
  }
  void onClose(web::ConnectionId connection) override {
    std::lock_guard lock(mutex_);
    closed_.push_back(connection);
  }
  void onHttpRequest(web::HttpRequest request) override {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }

  std::vector<Opened> opened() const {
    std::lock_guard lock(mutex_);
    return opened_;
  }
  std::vector<Message> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::vector<web::ConnectionId> closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  std::vector<web::HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  bool waitForOpened(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    return waitUntil([&] { return opened().size() >= count; }, timeout, std::chrono::milliseconds(2));
  }
  bool waitForMessages(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    return waitUntil([&] { return messages().size() >= count; }, timeout, std::chrono::milliseconds(2));
  }
  bool waitForClosed(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    return waitUntil([&] { return closed().size() >= count; }, timeout, std::chrono::milliseconds(2));
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Opened> opened_;
  std::vector<Message> messages_;
  std::vector<web::ConnectionId> closed_;
  std::vector<web::HttpRequest> requests_;
};

}  // namespace tribune::testing
