// The cluster checker: given every client write and each node's final sibling sets (read after
// the faults healed and the cluster had time to recover), decides whether the run kept the
// promises of docs/protocol.md §11-13. Pure logic: no I/O, no processes, no clock. The rules
// every mode shares are in checker.cpp; what a conflict mode promises about a key's versions
// and an acknowledged write's fate is that mode's rules (mode_rules.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/check/history.hpp"
#include "model/ring/placement.hpp"

namespace vckv::model {

struct CheckResult {
  std::size_t keys_checked = 0;
  std::size_t acknowledged = 0;  // acknowledged writes checked
  std::size_t survived = 0;      // ... present in every final set
  std::size_t superseded = 0;    // ... absent somewhere but dominated there (fine)
  std::size_t lost = 0;          // ... absent and not dominated on at least one node
  std::size_t diverged = 0;      // keys whose sibling sets differ between nodes
  std::size_t not_antichain = 0; // (node, key) sets in which one clock dominates another
  std::size_t phantom = 0;       // final versions no client ever wrote (or with another clock)
  std::size_t rejected_present = 0;  // final versions whose write was rejected
  // lww mode (0 in siblings mode, which keeps every concurrent write):
  std::size_t lww_discarded = 0;   // acknowledged writes that lost the last-writer-wins order
                                   // to a concurrent write (expected, counted, not a failure)
  std::size_t multiple_versions = 0;  // (node, key) holding more than one version
  // With a ring (CheckOptions::placement), §14:
  std::size_t misplaced = 0;   // (node, key) holding versions of a key it does not replicate
  std::size_t hints_left = 0;  // hints still held at the end (each should have been delivered)
  std::vector<std::string> reasons;  // one line per anomaly, at most max_reasons_per_kind per kind
  std::vector<std::size_t> lost_writes;  // every lost write, as its index in `writes`, in order

  bool valid() const {
    return lost == 0 && diverged == 0 && not_antichain == 0 && phantom == 0 &&
           rejected_present == 0 && multiple_versions == 0 && misplaced == 0 && hints_left == 0;
  }
  // e.g. "lost 3, diverged 2"; empty when valid.
  std::string summary() const;
};

inline constexpr std::size_t kMaxReasonsPerKind = 10;

// How the nodes resolve concurrent writes (their --conflict); decides what the final states must
// look like: siblings (docs/protocol.md §7-11) or one version per key, last writer wins (§13).
enum class ConflictMode { kSiblings, kLww };

struct CheckOptions {
  ConflictMode mode = ConflictMode::kSiblings;
  std::size_t max_reasons_per_kind = kMaxReasonsPerKind;
  // Where each key lives (the nodes' --replicas, --vnodes). Null, or every node: every node
  // holds every key, the checks of §11-13.
  const Placement* placement = nullptr;
};

// A sibling set in a canonical form: (value, clock without trailing zeros) pairs, sorted,
// duplicates kept. Two replicas agree on a key when their canonical forms are equal.
std::string canonical_set(const std::vector<StoredVersion>& siblings);

// Checks, for every key any node reports and every key written:
// 1. replicas agree (same canonical set on every node; a key missing on a node is empty);
// 2. each node's versions of a key have the shape the mode promises (siblings: an antichain,
//    no clock dominating another; lww: also at most one version);
// 3. every acknowledged write survives as the mode promises (siblings: on every node, present
//    with the same value and clock or strictly dominated by a final sibling's clock; lww: the
//    survivor, dominated by it, or discarded by the order in its favour); otherwise it is lost;
// 4. every final version was written by a client with that very clock, and not rejected.
//    Timed-out writes may be present or absent.
// With a ring (options.placement, not every node), 1 and 3 count among each key's replicas only
// (a replica absent from final_states holds nothing), and:
// 5. a node that is not among a key's replicas holds no version of it (misplaced).
// And whatever the placement:
// 6. no node still holds a hint (`hints`, node -> its hints; hints_left).
CheckResult check(const std::vector<WriteRecord>& writes,
                  const std::map<std::string, NodeState>& final_states,
                  const CheckOptions& options = {},
                  const std::map<std::string, NodeHints>& hints = {});

}  // namespace vckv::model
