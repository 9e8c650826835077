// The faults a run injects, and the one seam through which they reach a cluster.
//
// Node faults take turns in fault periods (schedule.hpp): a partition (some links cut), a kill
// (the node dies with everything in memory; when the period ends it restarts empty and gets
// init again, docs/protocol.md §12), a pause (the node stops; messages to it wait) and a bounce
// (the node is killed and at once restarted, a few times, each time sooner than a message
// crosses the network: the answers to the last process's requests reach the next one). Message
// faults apply to node-to-node messages all through the workload (network.hpp's LinkFaults).
//
// Whoever runs the nodes applies a period through begin_fault/end_fault and a FaultTarget: the
// harness's is a cluster of processes (SIGKILL, SIGSTOP...), the simulator's its Node objects.
// A new fault is a row in fault.cpp's table, a case in begin_fault/end_fault, and, if it needs
// a new action (wiping a node's data, say), a method of FaultTarget that both implement.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model/net/network.hpp"
#include "model/net/partition.hpp"

namespace vckv::model {

// kDiskLoss: a kill whose node also loses its data directory before it restarts (§15: with
// --data-dir; without one it is a kill). kReplicaLoss (needs a ring, §14): a key's first replica
// is cut off from the key's other replicas (but not from the other nodes, nor the clients), so
// the writes it coordinates are acknowledged through stand-ins' hints; partway through the
// period it is killed and loses its data directory, and when the period ends the partition
// heals and it restarts empty: its hinted writes live on only in the hints. Neither is part of
// "all" (runs that name "all" draw the same schedule as before they existed): name them to
// have them.
enum class FaultKind { kPartition, kKill, kPause, kBounce, kDrop, kDuplicate, kReorder, kDiskLoss, kReplicaLoss };

// partition, kill, pause, bounce, drop, duplicate, reorder, disk-loss, replica-loss
const char* fault_kind_name(FaultKind k);
// A node fault, taking turns in fault periods; else a message fault.
bool is_period_fault(FaultKind k);

// What the harness injects (--nemesis) and what the simulator does (--faults), in table order.
const std::vector<FaultKind>& period_faults();
const std::vector<FaultKind>& every_fault();

// "partition,kill" (any order of `allowed` kinds, no repeats), "none" (an empty list), and, when
// accept_all, "all" (every allowed kind but disk-loss and replica-loss). On a bad list: nullopt, and `error` says what is wrong.
std::optional<std::vector<FaultKind>> parse_fault_list(const std::string& text, const std::vector<FaultKind>& allowed,
                                                       bool accept_all, std::string& error);
// "partition,kill" in the list's order, or "none".
std::string fault_list_name(const std::vector<FaultKind>& kinds);

// One fault period: a node fault from start to end.
struct FaultPeriod {
  Micros start = 0;
  Micros end = 0;  // healed / restarted / resumed
  FaultKind kind = FaultKind::kPartition;
  Partition partition;             // kPartition; kReplicaLoss: the key's other replicas | the rest
  std::vector<std::string> nodes;  // kKill, kPause, kBounce, kReplicaLoss: the nodes taken down, sorted
  // The period's steps after its start, ascending, each applied by bounce() below; the first is
  // start. kBounce: when each bounce (kill, then restart at once) happens. kReplicaLoss: start,
  // then the kill (and disk loss) of its node; without that second step the period only cuts.
  std::vector<Micros> bounces = {};
  std::int64_t key = 0;  // kReplicaLoss: the key whose first replica is lost
  // "partition halves: n1 n2 | n3", "kill n2", "pause n1 n4", "bounce n3 (3 times)",
  // "replica-loss n3 (key 7's first replica, cut off from n5 n8, then killed with its disk)"
  std::string description() const;
  // "halves", "kill n2", "pause n1 n4", "replica-loss n3": short, for plot labels
  std::string label() const;
};

// What a fault does to a cluster, whatever runs it. Each call is one action on one node (or,
// for partition and heal, on the links).
class FaultTarget {
 public:
  virtual ~FaultTarget() = default;
  virtual void partition(const Partition& p) = 0;  // cut these links (a new partition replaces the old)
  virtual void heal() = 0;                         // restore every link
  virtual void kill(const std::string& node) = 0;     // it dies with its memory
  virtual void restart(const std::string& node) = 0;  // started again, empty, and sent init
  virtual void pause(const std::string& node) = 0;    // it stops; messages to it wait
  virtual void resume(const std::string& node) = 0;
  // Its data directory is gone (between a kill and the restart): it restarts with nothing.
  virtual void wipe(const std::string& node) = 0;
};

// The period's fault begins: partition (replica-loss too), or kill (disk-loss: kill and wipe) or
// pause each of its nodes in order, or its first bounce.
void begin_fault(const FaultPeriod& period, FaultTarget& target);
// ... and ends: heal, or restart or resume each of its nodes in order (a bounce: nothing, its
// nodes are up; a replica-loss: heal, then restart its node if its kill step was due).
void end_fault(const FaultPeriod& period, FaultTarget& target);
// One later step of a period (at each of period.bounces after the first): for kBounce kill each
// node, then restart each; for kReplicaLoss kill and wipe each node. Nothing for other kinds.
void bounce(const FaultPeriod& period, FaultTarget& target);

}  // namespace vckv::model
