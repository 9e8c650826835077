#include "reports/draw/stats.hpp"

#include <algorithm>
#include <cmath>

namespace vckv::reports {

double quantile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double rank = std::ceil(q * static_cast<double>(samples.size()));
  const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return samples[std::min(index, samples.size() - 1)];
}

std::vector<std::size_t> bin_counts(const std::vector<double>& times, double width, double until) {
  if (width <= 0 || until <= 0) return {};
  std::vector<std::size_t> bins(static_cast<std::size_t>(std::ceil(until / width)), 0);
  for (double t : times) {
    if (t < 0) continue;
    const auto i = static_cast<std::size_t>(t / width);
    if (i < bins.size()) ++bins[i];
  }
  return bins;
}

}  // namespace vckv::reports
