// The history the checker judges: every client write with how its request ended, and each
// node's final sibling sets. Pure data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/clock_text.hpp"

namespace vckv::model {

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
};

// A version a node holds: a value, or a tombstone (no value; `value` empty).
struct StoredVersion {
  std::string value;  // JSON text; empty for a tombstone
  VectorClock clock;
  bool tombstone = false;
};
// A tombstone with this clock.
inline StoredVersion tombstone_version(VectorClock clock) { return StoredVersion{std::string(), std::move(clock), true}; }

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
