// Keys and their sibling sets: the versions of a key of which none dominates another.
// Pure logic, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vckv/vector_clock.hpp"

namespace vckv {

// One version of a key. value is JSON text as append_json renders it (Python json.dumps bytes),
// so it is echoed without another rendering.
struct Version {
  std::string value;
  VectorClock clock;
};

enum class WriteStatus {
  kWritten,          // the key now has exactly one sibling
  kConflict,         // the key now has `siblings` > 1 concurrent siblings
  kStale,            // a stored sibling's clock descends the write's; nothing changed
  kTooManySiblings,  // would leave `siblings` > max_siblings; nothing changed
};

struct WriteOutcome {
  WriteStatus status;
  std::size_t siblings;  // siblings stored now (or that the refused write would have left)
};

class SiblingStore {
 public:
  // A client's write (PROTOCOL §7): a retry of a stored version changes nothing; a write whose
  // clock some sibling descends is stale; otherwise it replaces the siblings it dominates and
  // is appended. Keys are JSON texts ("\"x\"" and "1" differ).
  WriteOutcome apply_client_write(const std::string& key, Version write, std::size_t max_siblings);

  // A version from a peer (PROTOCOL §11): kept unless an identical version is stored or a
  // stored clock strictly dominates it; it removes the siblings it dominates. Equal clocks with
  // different values are both kept. Commutative, associative and idempotent over sets of
  // versions. Returns whether the key's sibling set changed.
  bool merge_version(const std::string& key, Version version);

  // The key's siblings, oldest first; nullptr for a key never written.
  const std::vector<Version>* find(const std::string& key) const;

  std::size_t key_count() const { return keys_.size(); }
  const std::unordered_map<std::string, std::vector<Version>>& keys() const { return keys_; }

 private:
  std::unordered_map<std::string, std::vector<Version>> keys_;
};

// Same clock (after padding) and same value as JSON.
bool same_version(const Version& a, const Version& b);

// "value@clock" of each sibling, space-separated, e.g. "\"a\"@[1, 0] \"b\"@[0, 1]" (for tests
// and debug logs).
std::string describe(const std::vector<Version>& siblings);

}  // namespace vckv
