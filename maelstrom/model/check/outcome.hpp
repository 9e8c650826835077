// How an operation ended: the classes the timeline and the plots colour, and Jepsen's op types.
// Which reply means which class is each operation kind's business (workload/operation.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "model/check/history.hpp"

namespace vckv::model {

enum class OpClass {
  kOk,             // get answered; write written/resolved
  kConflict,       // write acknowledged with "conflict" (siblings remain)
  kStale,          // write refused as stale
  kSuperseded,     // lww: write discarded at once, the stored version being later in the order
  kError,          // an error reply (definite, except code 0 to a write: see below)
  kIndeterminate,  // no reply in time, or error 0 (timeout) to a write
};
const char* op_class_name(OpClass c);  // ok, conflict, stale, superseded, error, indeterminate

// Jepsen's op types: ok, fail (definitely did not happen), info (may or may not have).
const char* jepsen_type(OpClass c);

struct Classified {
  OpClass op_class = OpClass::kIndeterminate;
  WriteOutcome write = WriteOutcome::kIndeterminate;  // meaningful for writes only
  std::string status;     // short text: written, conflict, stale, error 11, error 0 (timeout), timeout
  std::string violation;  // non-empty: the reply breaks the protocol (wrong type, unknown status)
};

// Maelstrom's error code 0: "timeout", indefinite. A write answered with it may still have
// happened (docs/protocol.md §12: a write quorum not reached in time), so it is indeterminate.
inline constexpr std::int64_t kErrorTimeout = 0;

}  // namespace vckv::model
