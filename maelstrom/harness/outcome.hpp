// What a client request's reply means, for the checker and for the reports. Pure logic shared
// by the harness and any in-process simulator (library vckv_harness_checker).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "checker.hpp"

namespace vckv::harness {

// How an operation ended, as the timeline and the plots colour it.
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

// A reply as far as classification needs it. `type` empty means no reply came in time.
struct ReplyFacts {
  std::string type;                  // "kv_put_ok", "error", ...; "" when timed out
  std::optional<std::int64_t> code;  // error code, when type is "error"
  std::string status;                // "written", "conflict", ... for write replies
};

// The facts of a reply body; nullptr (no reply in time) gives empty facts.
ReplyFacts reply_facts(const nlohmann::json* reply);

struct Classified {
  OpClass op_class = OpClass::kIndeterminate;
  WriteOutcome write = WriteOutcome::kIndeterminate;  // meaningful for writes only
  std::string status;     // short text: written, conflict, stale, error 11, error 0 (timeout), timeout
  std::string violation;  // non-empty: the reply breaks the protocol (wrong type, unknown status)
};

// Maelstrom's error code 0: "timeout", indefinite. A write answered with it may still have
// happened (PROTOCOL §12: a write quorum not reached in time), so it is indeterminate.
inline constexpr std::int64_t kErrorTimeout = 0;

// f is "put" or "resolve". Acknowledged: written/conflict/resolved; rejected: stale,
// superseded (lww: stored nowhere) or any error but 0; indeterminate: no reply, or error 0.
Classified classify_write(const std::string& f, const ReplyFacts& reply);
// A get: kv_get_ok is ok; any error is a failed read (the client writes nothing based on it);
// no reply is indeterminate (harmless for a read).
Classified classify_get(const ReplyFacts& reply);

}  // namespace vckv::harness
