// Maelstrom error codes and the error value every boundary returns instead of throwing.
#pragma once

#include <string>

namespace vckv {

enum class ErrorCode : int {
  kTimeout = 0,                  // a quorum write not reached in time: indefinite
  kNotSupported = 10,            // unknown body.type
  kTemporarilyUnavailable = 11,  // a request before init
  kMalformedRequest = 12,        // missing or ill-typed field
  kCrash = 13,                   // an internal failure; the node keeps running
  kPreconditionFailed = 22,      // sibling limit, conflicting re-init
};

struct Error {
  ErrorCode code;
  std::string text;  // names the field and what was expected
};

}  // namespace vckv
