// One test run: start the nodes, drive the workload through the virtual network while the
// nemesis injects faults, heal, let the cluster recover, read everything back, check, report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "model/check/verdict.hpp"
#include "model/faults/fault.hpp"
#include "reports/files/run_record.hpp"

namespace vckv::harness {


// "kv-" + the nemesis list with '+' between faults: kv-none, kv-partition, kv-kill+pause.
std::string default_test_name(const std::vector<model::FaultKind>& faults);

struct RunResult {
  model::Verdict verdict = model::Verdict::kUnknown;
  std::string store_dir;
  bool harness_error = false;  // the store could not be written: exit model::kExitHarnessError
};

// Runs the test, writes store/<test>/<time>/ and the latest links, prints progress and a
// summary to `out`.
RunResult run_test(const reports::TestConfig& config, std::ostream& out);

}  // namespace vckv::harness
