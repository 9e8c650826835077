// The harness's messages in flight, in real time: one queue per recipient, each ordered by
// delivery time (then by send order). When a message is due, the model's arrival rule
// (model/net/network.hpp) decides: a dead recipient or a cut link drops it; a paused
// recipient's messages wait in its queue until it resumes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/net/network.hpp"
#include "model/net/partition.hpp"
#include "reports/files/net_log.hpp"

namespace vckv::harness {

using model::Micros;
using reports::InFlight;  // as the network journal records it

struct Due {
  InFlight message;
  std::optional<model::DropReason> dropped;  // empty: deliver it now
};

class DeliveryQueue {
 public:
  // Queues a message due at now + delay; returns its id.
  std::uint64_t send(std::string from, std::string to, std::string type, std::string line, Micros now, Micros delay);
  // The earliest delivery time over the queues of recipients that are not paused.
  std::optional<Micros> next_delivery(const std::set<std::string>& paused = {}) const;
  // Removes every message due by `now` for recipients not paused, in delivery order per
  // recipient, with the drops decided by `partition` and `dead`.
  std::vector<Due> take_due(Micros now, const model::Partition& partition, const std::set<std::string>& dead = {},
                            const std::set<std::string>& paused = {});
  // Everything still queued (at the end of a run), emptying the queues.
  std::vector<InFlight> take_all();

  // An id for a message that does not go through the queues (a reply to a client).
  std::uint64_t allocate_id() { return next_id_++; }
  std::size_t in_flight() const;

 private:
  using Queue = std::map<std::pair<Micros, std::uint64_t>, InFlight>;
  std::map<std::string, Queue> queues_;  // by recipient
  std::uint64_t next_id_ = 0;
};

}  // namespace vckv::harness
