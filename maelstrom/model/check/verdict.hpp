// A run's verdict, and the exit statuses of vckv-harness and vckv-sim.
#pragma once

namespace vckv::model {

enum class Verdict { kValid, kInvalid, kUnknown };

inline constexpr int kExitValid = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUnknown = 2;
// The command line was wrong (sysexits' EX_USAGE): never a verdict.
inline constexpr int kExitUsage = 64;
// The tool itself failed (cannot write the store, cannot listen...): never a verdict.
inline constexpr int kExitHarnessError = 70;

inline int exit_status(Verdict v) {
  return v == Verdict::kValid ? kExitValid : v == Verdict::kInvalid ? kExitInvalid : kExitUnknown;
}
inline const char* verdict_name(Verdict v) {
  return v == Verdict::kValid ? "valid" : v == Verdict::kInvalid ? "invalid" : "unknown";
}

}  // namespace vckv::model
