#include "core/download_tickets.h"

#include <algorithm>
#include <utility>

namespace tribune::core {

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
  }
  return difference == 0;
}

void DownloadTickets::forgetExpired(std::int64_t nowMs) {
  std::erase_if(tickets_, [nowMs](const Ticket& t) { return nowMs >= t.expiresAtMs; });
}

void DownloadTickets::issue(std::string ticket, std::string resource, std::int64_t nowMs) {
  forgetExpired(nowMs);
  if (tickets_.size() >= kMaxOutstanding) tickets_.erase(tickets_.begin());
  tickets_.push_back({std::move(ticket), std::move(resource), nowMs + kLifetimeMs});
}

bool DownloadTickets::redeem(std::string_view ticket, std::string_view resource, std::int64_t nowMs) {
  forgetExpired(nowMs);
  if (ticket.empty()) return false;
  // Every outstanding ticket is compared, in constant time, so that the answer's time says
  // nothing about which ticket came close.
  auto found = tickets_.end();
  for (auto it = tickets_.begin(); it != tickets_.end(); ++it) {
    if (constantTimeEquals(it->secret, ticket) && found == tickets_.end()) found = it;
  }
  if (found == tickets_.end() || found->resource != resource) return false;
  tickets_.erase(found);
  return true;
}

}  // namespace tribune::core
