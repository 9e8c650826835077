// Plots of a finished run, drawn with gnuplot when it is installed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vckv::harness {

// One client request, as the report sees it.
struct OpRecord {
  std::string client;
  std::string f;        // get, put, resolve
  std::int64_t key = 0;
  std::string node;
  double invoke_s = 0;  // since the start of the run
  double latency_ms = 0;
  std::string outcome;  // ok, fail, info (timed out)
  std::string status;   // written, conflict, resolved, stale, error 22, timeout, 2 siblings...
};

struct Shade {
  double start_s;
  double end_s;
};

// Writes latency-raw.png (latency of each request over time, by outcome, log scale) and
// rate.png (requests per second by outcome) into dir, with the partition periods shaded.
// Returns "" on success, else a note saying why there are no plots.
std::string write_plots(const std::string& dir, const std::vector<OpRecord>& ops,
                        const std::vector<Shade>& partitions, double duration_s);

}  // namespace vckv::harness
