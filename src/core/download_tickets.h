#pragma once
// One-time download tickets: a link to one of a past meeting's files that the console hands
// to the browser without the technician's token in it (a URL lands in the browser's history,
// the downloads list and proxies' logs). The app makes the random ticket and asks for it
// with the token; the browser then downloads `/api/schedule/ID/files/NAME?ticket=…`, which
// opens that one file, once, within a minute. Pure: the time and the randomness come from
// the app.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tribune::core {

// Whether two secrets are equal, in a time that depends on their lengths only (not on where
// they first differ).
bool constantTimeEquals(std::string_view a, std::string_view b);

class DownloadTickets {
 public:
  static constexpr std::int64_t kLifetimeMs = 60'000;
  static constexpr std::size_t kMaxOutstanding = 64;  // the oldest is dropped past it

  // Records `ticket` (random, from the app) for `resource` (which file), valid from nowMs
  // for kLifetimeMs.
  void issue(std::string ticket, std::string resource, std::int64_t nowMs);

  // Whether `ticket` opens `resource` at nowMs. A ticket that does is used up; an expired
  // one is forgotten; a ticket for another resource stays for its own.
  [[nodiscard]] bool redeem(std::string_view ticket, std::string_view resource, std::int64_t nowMs);

  [[nodiscard]] std::size_t outstanding() const { return tickets_.size(); }

 private:
  struct Ticket {
    std::string secret;
    std::string resource;
    std::int64_t expiresAtMs = 0;
  };
  void forgetExpired(std::int64_t nowMs);
  std::vector<Ticket> tickets_;  // oldest first
};

}  // namespace tribune::core
