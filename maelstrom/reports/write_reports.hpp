// Everything a finished test run writes besides its streams: final explanations (explain.txt),
// messages.svg, timeline.html, the plots, results.json; then the summary on `out`.
#pragma once

#include <iosfwd>

#include "reports/files/run_record.hpp"

namespace vckv::reports {

void write_reports(RunRecord& rec, std::ostream& out);

}  // namespace vckv::reports
