// The nemesis: which faults a run injects and when. Jepsen-style alternation: healthy for one
// interval, one fault for the next, healthy again, and so on until the clients stop, where
// everything is healed. Faults: a network partition, a kill (SIGKILL; the node is restarted
// empty and gets init again when the fault ends), a pause (SIGSTOP, then SIGCONT). Pure logic.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "network.hpp"

namespace vckv::harness {

enum class FaultKind { kPartition, kKill, kPause };
const char* fault_kind_name(FaultKind k);  // partition, kill, pause

// "partition,kill,pause" (any order, no repeats) or "none" (an empty list). On a bad list,
// nullopt and `error` says which item is wrong.
std::optional<std::vector<FaultKind>> parse_nemesis(const std::string& text, std::string& error);
// "partition,kill" or "none".
std::string nemesis_name(const std::vector<FaultKind>& kinds);

struct FaultPeriod {
  Micros start = 0;
  Micros end = 0;  // healed / restarted / resumed
  FaultKind kind = FaultKind::kPartition;
  Partition partition;             // kPartition
  std::vector<std::string> nodes;  // kKill, kPause: the nodes taken down, sorted
  // "partition halves: n1 n2 | n3", "kill n2", "pause n1 n4"
  std::string description() const;
  // "halves", "kill n2", "pause n1 n4": short, for plot labels
  std::string label() const;
};

// Fault periods [interval, 2 interval), [3 interval, 4 interval), ... cut at `until`. The kinds
// take turns from a random first one; partition shapes take turns likewise (each shape's sides
// are random); a kill or pause takes 1..max_down random nodes (never more than exist). A kind
// that cannot do anything here (a partition of one node) is left out.
std::vector<FaultPeriod> make_fault_schedule(const std::vector<std::string>& nodes,
                                             const std::vector<FaultKind>& kinds, Micros interval,
                                             Micros until, std::size_t max_down, Rng& rng,
                                             const std::vector<std::string>& only_shapes = {});

// Why some requested faults would never happen in this run, one sentence each: the time limit
// ends before the first fault, or there are too few nodes to partition.
std::vector<std::string> nemesis_warnings(const std::vector<FaultKind>& kinds,
                                          std::size_t node_count, double interval_s,
                                          double time_limit_s);

}  // namespace vckv::harness
