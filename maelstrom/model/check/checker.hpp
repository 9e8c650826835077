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

// A version present at the end that an acknowledged delete's tombstone dominates (§16: deleted
// data came back). The checker knows where it is; how it got there is the run's to tell (the
// simulator's replay, the harness's net log).
struct Resurrection {
  std::int64_t key = 0;
  StoredVersion version;
  std::size_t tombstone = 0;       // the acknowledged delete dominating it: its index in `writes`
  std::vector<std::string> nodes;  // holding it in their store
  std::vector<std::string> hinted; // holding it as a hint ("n2 for n4")
};

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
  // Deletes (§16):
  std::size_t deletes_acknowledged = 0;  // acknowledged deletes checked
  std::size_t deletes_held = 0;       // ... whose tombstone every replica holds (or a version dominating it)
  std::size_t deletes_reaped = 0;     // ... whose tombstone no replica holds any more (reaped)
  std::size_t deleted = 0;            // acknowledged writes gone because a delete dominating them was reaped
  std::size_t tombstones_missing = 0; // acknowledged deletes held by some replicas, absent from others
  std::size_t resurrected = 0;        // versions present that an acknowledged tombstone dominates
  std::vector<Resurrection> resurrections;  // every one, by key and version
  // Server clocks (§17, ConflictMode::kDvv; 0 otherwise):
  std::size_t reads_checked = 0;        // dvv_get replies checked
  std::size_t duplicate_dots = 0;       // two acknowledged writes of a key with one dot, or one dot
                                        // seen with two different values (in a read or a final state)
  std::size_t false_siblings = 0;       // reads or final states holding a version whose dot another
                                        // version's version vector covers
  std::size_t writer_siblings = 0;      // reads holding two versions of one context-keeping client,
                                        // the later written with a context covering the earlier
  std::size_t max_read_siblings = 0;    // the most versions (values and tombstones) one read returned
  std::vector<std::string> reasons;  // one line per anomaly, at most max_reasons_per_kind per kind
  std::vector<std::size_t> lost_writes;  // every lost write, as its index in `writes`, in order

  bool valid() const {
    return lost == 0 && diverged == 0 && not_antichain == 0 && phantom == 0 &&
           rejected_present == 0 && multiple_versions == 0 && misplaced == 0 && hints_left == 0 &&
           tombstones_missing == 0 && resurrected == 0 && duplicate_dots == 0 && false_siblings == 0 &&
           writer_siblings == 0;
  }
  // e.g. "lost 3, diverged 2"; empty when valid.
  std::string summary() const;
};

inline constexpr std::size_t kMaxReasonsPerKind = 10;

// How the nodes resolve concurrent writes (their --conflict); decides what the final states must
// look like: siblings (docs/protocol.md §7-11) or one version per key, last writer wins (§13).
// kDvv: the nodes assign clocks (--clocks server, §17): versions carry dots and version vectors,
// writes the context they sent (dvv_rules.cpp).
enum class ConflictMode { kSiblings, kLww, kDvv };

struct CheckOptions {
  ConflictMode mode = ConflictMode::kSiblings;
  std::size_t max_reasons_per_kind = kMaxReasonsPerKind;
  // Where each key lives (the nodes' --replicas, --vnodes). Null, or every node: every node
  // holds every key, the checks of §11-13.
  const Placement* placement = nullptr;
  // kDvv: every answered dvv_get, for the rules on reads (null: none).
  const std::vector<ReadRecord>* reads = nullptr;
};

// A sibling set in a canonical form: (value, clock without trailing zeros) pairs, sorted,
// duplicates kept; a tombstone's value is "~" ("~@[2, 1]"). Two replicas agree on a key when their canonical forms are equal.
std::string canonical_set(const std::vector<StoredVersion>& siblings);

// A version as reports and reasons show it: "\"c1-3\"@[1, 0]"; a tombstone "~@[2, 1]".
std::string version_text(const StoredVersion& v);

// Checks, for every key any node reports and every key written:
// 1. replicas agree (same canonical set on every node; a key missing on a node is empty);
// 2. each node's versions of a key have the shape the mode promises (siblings: an antichain,
//    no clock dominating another; lww: also at most one version);
// 3. every acknowledged write survives as the mode promises (siblings: on every node, present
//    with the same value and clock or strictly dominated by a final sibling's clock; lww: the
//    survivor, dominated by it, or discarded by the order in its favour); otherwise it is lost;
// 4. every final version was written by a client with that very clock, and not rejected.
//    Timed-out writes may be present or absent.
// Deletes (§16; a WriteRecord with tombstone set, a StoredVersion with tombstone set):
// 3'. an acknowledged write that is absent and not dominated where it is missing, but that a
//    delete (acknowledged or timed out, not rejected) dominates, was deleted, not lost;
// 7. an acknowledged delete's tombstone is held (itself or a version dominating it) by every
//    replica of its key, or by none (reaped: the key may hold versions written after the reap);
//    held by some and absent from others is tombstone-missing;
// 8. no node holds, in its store or as a hint, a version that an acknowledged delete's tombstone
//    dominates: resurrected (each in CheckResult::resurrections).
// With a ring (options.placement, not every node), 1 and 3 count among each key's replicas only
// (a replica absent from final_states holds nothing), and:
// 5. a node that is not among a key's replicas holds no version of it (misplaced).
// And whatever the placement:
// 6. no node still holds a hint (`hints`, node -> its hints; hints_left).
// Server clocks (options.mode kDvv, §17), where a write's "clock" is the context it sent and a
// version is identified by its dot, the rules above read: a version dominates a write when its
// version vector covers the write's dot; a write (or delete) dominates a version when the
// context it sent covers the version's dot; 2 is "no false sibling" (no version's dot covered by
// another's version vector) and "one dot, one value"; 3 holds an acknowledged update present
// (same dot, same value) or covered on every replica, or superseded by an update or delete that
// was not rejected and sent a context covering its dot; 4 matches values by their write (same
// key, version vector = context sent, dot = the acknowledged reply's). And, over the history
// (writes, options.reads):
// 9. dots unique: no two acknowledged writes of a key got one dot; no read or final state shows
//    one dot with two values (or a value and a tombstone), nor a value under another dot than
//    its acknowledged write got;
// 10. no false siblings in any read: no version's dot covered by another version's vector;
// 11. at most one sibling per concurrent writer: a read holds no two versions of one client
//     (not a blind writer) where the later write sent a context covering the earlier's dot.
CheckResult check(const std::vector<WriteRecord>& writes,
                  const std::map<std::string, NodeState>& final_states,
                  const CheckOptions& options = {},
                  const std::map<std::string, NodeHints>& hints = {});

}  // namespace vckv::model
