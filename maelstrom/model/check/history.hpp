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

struct WriteRecord {
  std::string client;
  std::int64_t key = 0;
  std::string value;  // JSON text, e.g. "\"c3-17\""
  VectorClock clock;
  WriteOutcome outcome = WriteOutcome::kIndeterminate;
};

struct StoredVersion {
  std::string value;  // JSON text
  VectorClock clock;
};

// A node's final state: key -> its siblings as read with kv_get.
using NodeState = std::map<std::int64_t, std::vector<StoredVersion>>;

}  // namespace vckv::model
