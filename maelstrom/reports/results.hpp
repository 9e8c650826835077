// results.json and the summary printed at the end of a test run.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "reports/files/run_record.hpp"

namespace vckv::reports {

nlohmann::json results_json(const RunRecord& r);
// The human summary, ending in the verdict line.
void print_summary(const RunRecord& r, std::ostream& out);
// The harness's own peak resident set size so far (VmHWM), in MB; 0 if unknown.
double peak_rss_mb();

}  // namespace vckv::reports
