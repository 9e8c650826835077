// The network model: how long a message takes, what else the network may do to one between
// nodes (lose it, deliver it twice, let it overtake others), and what happens when it is due
// at its recipient (delivered, held for a paused node, dropped). Partitions are in
// partition.hpp. Pure logic: times are passed in, randomness comes from the caller's Rng.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "model/rng.hpp"

namespace vckv::model {

using Micros = std::int64_t;  // microseconds since the start of the run (real or virtual)

enum class LatencyDist {
  kConstant,     // L
  kUniform,      // uniform over [0, 2L]
  kExponential,  // exponential with mean L (uses floating point: the harness only)
  kAroundMean,   // uniform over [L/2, 3L/2] (the simulator's)
};

// Parses "constant", "uniform" or "exponential" (the harness's --latency-dist).
std::optional<LatencyDist> parse_latency_dist(const std::string& name);
const char* latency_dist_name(LatencyDist dist);

// A one-way delay around a mean.
struct LatencyModel {
  LatencyDist dist = LatencyDist::kConstant;
  Micros mean = 0;

  Micros sample(Rng& rng) const;
};

// What the network may do to a node-to-node message besides delaying it, in parts per million
// (0: never, and no random draw). The simulator's --faults drop, duplicate, reorder.
struct LinkFaults {
  std::uint32_t drop_ppm = 0;       // lost
  std::uint32_t duplicate_ppm = 0;  // delivered twice
  std::uint32_t reorder_ppm = 0;    // held back by up to reorder_max more, past later messages
  Micros reorder_max = 0;
};

// One node-to-node message's way through the network.
struct Transit {
  bool lost = false;
  std::size_t copies = 0;       // 1, or 2 when duplicated; 0 when lost
  Micros arrive[2] = {0, 0};    // each copy's arrival time
};

// Sends a message at `now` over a link whose latest scheduled arrival is `link_last` (updated):
// the link is FIFO (a message never arrives before one sent earlier on it) unless the message
// is reordered. Draws, in order: lost?, duplicated?, then per copy its latency and reordered?.
Transit transit(Micros now, const LatencyModel& latency, const LinkFaults& faults, Micros& link_last, Rng& rng);

// Why a message was not delivered.
enum class DropReason {
  kPartition,   // its link was cut when it was due
  kDeadNode,    // its recipient was dead when it was due
  kLost,        // the network lost it (LinkFaults::drop_ppm)
  kSenderDied,  // its sender was killed after sending it, and a kill loses what is in flight
};
// "partition", "dead node", "lost by the network", "its sender was killed before it arrived"
const char* drop_reason_name(DropReason r);

// What happens to a message when it is due at its recipient. The rule, in this order: a message
// whose sender died since is dropped (when kills lose what is in flight); a dead recipient
// drops it; a cut link drops it; a paused recipient holds it until it resumes (then it is due
// again); otherwise it is delivered.
enum class Arrival { kDeliver, kHold, kDrop };
struct ArrivalFate {
  Arrival arrival = Arrival::kDeliver;
  DropReason why = DropReason::kPartition;  // when dropped
};
ArrivalFate on_arrival(bool sender_died, bool recipient_dead, bool link_cut, bool recipient_paused);

}  // namespace vckv::model
