// The fault schedule, Jepsen-style: healthy for one interval, one node fault for the next,
// healthy again, and so on until the workload ends, where everything is healed. The one
// schedule of the project: the harness and the simulator both take theirs from here, so the
// same seed and options give the same faults in both.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/faults/fault.hpp"
#include "model/rng.hpp"

namespace vckv::model {

struct ScheduleOptions {
  std::vector<FaultKind> kinds;     // node faults, taking turns in this order from a random first
  Micros interval = 0;              // the length of a healthy stretch and of a fault period
  Micros until = 0;                 // the end of the workload: no period starts at or after it
  std::size_t max_down = 1;         // nodes a kill or pause takes down at most
  std::vector<std::string> shapes;  // partition shapes by name; empty: every shape
  // A bounce period's bounces follow each other by a quarter to one and a half of this: the
  // runs set it to their one-way node-to-node latency, so that a node is often killed and
  // restarted again before the answers to its last process's requests have arrived.
  Micros bounce_gap = 2'000;
  // What the "replicas" shape needs: where keys live and the workload's keys (placement null:
  // every node holds every key, and that shape is not drawn).
  const Placement* placement = nullptr;
  std::size_t keys = 0;
};

// Fault periods [interval, 2 interval), [3 interval, 4 interval), ... cut at `until`. Partition
// shapes take turns too (each shape's sides are random); a kill or pause takes 1..max_down
// random nodes (never more than exist). A kind that can do nothing here (a partition of one
// node) is left out. Draws from `rng` (the seed's Stream::kFaults): the first kind, the first
// shape, then per period its partition's choices (for "replicas": which key) or, for a kill,
// pause or bounce, how many nodes (only when max_down > 1) and which, and for a bounce how many
// bounces (2 to 5, the first at the period's start) and the gaps between them; for a
// replica-loss (drawn only with a ring of at least 2 replicas per key) which key, then when its
// first replica is killed, between a quarter and three quarters of the period.
std::vector<FaultPeriod> make_fault_schedule(const std::vector<std::string>& nodes, const ScheduleOptions& options,
                                             Rng& rng);

// Why some requested faults would never happen in this run, one sentence each: the time limit
// ends before the first fault, or there are too few nodes to partition.
std::vector<std::string> nemesis_warnings(const std::vector<FaultKind>& kinds, std::size_t node_count,
                                          double interval_s, double time_limit_s);

}  // namespace vckv::model
