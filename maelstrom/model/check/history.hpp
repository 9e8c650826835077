// The history the checker judges: every client write with how its request ended, and each
// node's final sibling sets. Pure data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/clock_text.hpp"

namespace vckv::model {

// Server-assigned clocks (docs/protocol.md §17). A dot names one write: the node that issued
// it and that node's counter for the key; counter 0 is no dot (client clocks).
struct DotId {
  std::string node;
  std::uint64_t counter = 0;
  bool empty() const { return counter == 0; }
  friend bool operator==(const DotId& a, const DotId& b) { return a.node == b.node && a.counter == b.counter; }
  friend bool operator!=(const DotId& a, const DotId& b) { return !(a == b); }
  friend bool operator<(const DotId& a, const DotId& b) {
    return a.node != b.node ? a.node < b.node : a.counter < b.counter;
  }
};
// A context or a version vector: node id -> counter, zeros left out, ids in byte order (as
// std::string compares them, which is §17's order).
using Context = std::map<std::string, std::uint64_t>;
// Whether `c` covers the dot: c[dot.node] >= dot.counter (an empty dot is covered by nothing).
bool covers(const Context& c, const DotId& dot);
// §17's text: {"n1": 1, "n2": 3}; ["n1", 2].
std::string context_text(const Context& c);
std::string dot_text(const DotId& d);

// How a write request ended, for the checker.
enum class WriteOutcome {
  kAcknowledged,   // written, conflict or resolved: must survive
  kRejected,       // stale, superseded or an error reply: must not appear
  kIndeterminate,  // timed out (or error 0): may or may not appear
};

// A write, or (tombstone) a delete: docs/protocol.md §16, a version with a clock and no value.
struct WriteRecord {
  std::string client;
  std::int64_t key = 0;
  std::string value;  // JSON text, e.g. "\"c3-17\""; empty for a delete
  VectorClock clock;
  WriteOutcome outcome = WriteOutcome::kIndeterminate;
  bool tombstone = false;  // a kv_delete
  // Server clocks (§17; `dotted` set, `clock` unused): a dvv_update, or (tombstone) a
  // dvv_delete, sent with `context`; an acknowledged one got `dot` and `version_vector`.
  bool dotted = false;
  Context context{};
  DotId dot{};
  Context version_vector{};
  bool blind_writer = false;  // its client always sends an empty context (exempt from one-per-writer)
};

// A version a node holds: a value, or a tombstone (no value; `value` empty).
struct StoredVersion {
  std::string value;  // JSON text; empty for a tombstone
  VectorClock clock;
  bool tombstone = false;
  // Server clocks (§17): the version's dot and version vector (`clock` unused); empty dot:
  // a version of client clocks.
  DotId dot{};
  Context version_vector{};
};
// A tombstone with this clock.
inline StoredVersion tombstone_version(VectorClock clock) { return StoredVersion{std::string(), std::move(clock), true}; }

// A dvv_get that was answered (server clocks, §17): what it read, for the rules on reads
// (dots unique, no false siblings, at most one sibling per concurrent writer).
struct ReadRecord {
  std::string client;
  std::int64_t key = 0;
  std::string node;
  std::vector<StoredVersion> versions;  // values, then tombstones ("deleted"), as the reply lists them
  Context context{};
};

// A node's final state: key -> its siblings as read with kv_get (or, with a ring, its own
// versions as local_get reports them).
using NodeState = std::map<std::int64_t, std::vector<StoredVersion>>;

// A version a node holds as a stand-in for another replica of its key (a hint, §14).
struct HeldHint {
  std::string for_node;  // the replica it is meant for
  StoredVersion version;
};
// A node's hints at the end: key -> the hints it still holds (local_get's "hints").
using NodeHints = std::map<std::int64_t, std::vector<HeldHint>>;

}  // namespace vckv::model
