// timeline.html: each client's operations as bars over time (one column per client, time
// running down), coloured by outcome: ok, conflict, stale, superseded, error, indeterminate; each
// bar names its operation, key and the node it went to. Hovering a bar shows the request and the
// reply. Time ticks fall on round values. Faults are shaded bands across the columns.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "reports/files/run_view.hpp"

namespace vckv::reports {

struct TimelineOp {
  std::string process;
  std::string f;
  std::string key;      // JSON text
  std::string node;
  double invoke_ms = 0;
  double complete_ms = 0;
  std::string outcome;  // ok, conflict, stale, error, indeterminate
  std::string status;
  std::string request;  // JSON text
  std::string reply;    // JSON text, "null" when none came
};

struct TimelineInput {
  RunView run;
  std::vector<TimelineOp> ops;  // in invoke order
  std::size_t total_ops = 0;    // in the whole run
  bool window = false;          // only a window of the run
};

// The tick spacing: the least 1, 2 or 5 times a power of ten ms that is at least min_ms.
double round_tick_ms(double min_ms);

// Pixels per ms: bars of one client about `target_px` apart on average, within [min, max],
// and the whole timeline no taller than max_height px.
double timeline_scale(const std::vector<TimelineOp>& ops, double target_px, double max_height);

std::string render_timeline(const TimelineInput& in);

// Reads <dir>/history.jsonl (and results.json for the faults) and writes <dir>/timeline.html,
// at most max_ops operations (a window from the first fault on when there are more).
// Returns "" or an error; `note` says what was drawn.
std::string write_timeline(const std::string& dir, std::size_t max_ops, std::string& note);

}  // namespace vckv::reports
