// The simulated network: what a node prints is routed (to a peer with a latency and the
// network's faults, to a client with the client latency), and what is due at a node is
// delivered, held or dropped by the model's rule (model/net/network.hpp). Links are FIFO unless
// a message is reordered; a partition cuts links as the model's Partition says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/net/network.hpp"
#include "model/net/partition.hpp"
#include "sim/world.hpp"

namespace vckv::sim {

class Network {
 public:
  explicit Network(World& world);

  // A line into node i (as its event loop would hand it over: timers first, then the line,
  // then the before-sleep hooks, where replication flushes), and what it printed routed.
  // `number`: the message's number in the trace, when it came through the network. With
  // versions watched (World::watch) notes which ones the line gave the node.
  void feed(std::size_t i, const std::string& line, std::optional<std::uint64_t> number = std::nullopt);
  // Routes what node i printed since the last time.
  void flush(std::size_t i);
  // A message from a client (or a node) to an endpoint, with the client latency; never lost.
  void send_client_message(int from, int to, std::string_view type, std::string line);
  // A message due at node i.
  void deliver_to_node(std::size_t i, const Event& e);
  // Whether the message's sender was killed after sending it, and kills lose what is in flight.
  bool sender_crashed(const Event& e) const;

  void partition(const model::Partition& p);
  void heal();
  // While node i bounces, its node-to-node links (both ways) are slow: a mean one-way delay of
  // `mean`, uniform over [mean/2, 3 mean/2], so answers to one of its processes reach the next.
  // A mean of 0 makes them ordinary again.
  void slow_links(std::size_t i, Micros mean);

 private:
  // Which watched versions node i holds in its store now.
  std::vector<bool> watched_held(std::size_t i) const;
  void route(std::size_t from, std::string_view line);
  void send_to_node(std::size_t from, std::size_t to, std::string_view type, std::string_view line);
  model::LinkFaults link_faults() const;  // none once the workload is over

  World& w_;
  model::LatencyModel latency_, client_latency_;
  model::LinkFaults faults_;
  std::uint64_t next_message_id_ = 0;
  std::vector<Micros> link_last_;  // per (from, to): the latest arrival scheduled, for FIFO links
  std::vector<char> blocked_;      // per (from, to): cut by the partition now
  std::vector<model::LatencyModel> slow_;  // per node: its links' latency while it bounces (mean 0: none)
  Micros send_delay_ = 0;          // while flush routes a turn's output: its fdatasync's latency
};

}  // namespace vckv::sim
