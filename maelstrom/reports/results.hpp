// results.json and the summary printed at the end of a test run.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <nlohmann/json.hpp>

#include "reports/files/run_record.hpp"

namespace vckv::reports {

nlohmann::json results_json(const RunRecord& r);
// The human summary, ending in the verdict line.
void print_summary(const RunRecord& r, std::ostream& out);
// Reaps (§16): the summary's line ("reaps: 6 (n1 2, n2 2, n3 2; 4 on a notice) from 9.1 s to
// 9.3 s"), empty when there were none; and results.json's "reaps" object.
std::string reaps_line(const std::vector<ReapRecord>& reaps);
nlohmann::json reaps_json(const std::vector<ReapRecord>& reaps);
// What the node processes cost: their CPU time over the operations answered ok.
struct NodeCpu {
  double seconds = 0;         // user + system, every process of the run (killed ones included)
  std::size_t processes = 0;  // processes ended (a node restarted after a kill counts twice)
  std::size_t ok_ops = 0;
  double ms_per_ok_op() const { return ok_ops ? 1000 * seconds / static_cast<double>(ok_ops) : 0; }
};
NodeCpu node_cpu(const RunRecord& r);

// The harness's own peak resident set size so far (VmHWM), in MB; 0 if unknown.
double peak_rss_mb();

}  // namespace vckv::reports
