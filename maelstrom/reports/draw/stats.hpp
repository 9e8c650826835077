// Small pure helpers for the report: quantiles and per-second bins.
#pragma once

#include <cstddef>
#include <vector>

namespace vckv::reports {

// The q-quantile (0 <= q <= 1) by the nearest-rank method; 0 for no samples.
double quantile(std::vector<double> samples, double q);

// Counts of event times (seconds) per bin of `width` seconds, from 0 up to `until`.
std::vector<std::size_t> bin_counts(const std::vector<double>& times, double width, double until);

}  // namespace vckv::reports
