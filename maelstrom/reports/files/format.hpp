// Number formatting shared by the reports: times are kept in microseconds (Micros) and shown
// in ms or s with three decimals.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace vckv::reports {

inline double round3(double x) { return std::round(x * 1000) / 1000; }

// v with exactly `decimals` decimals: fixed(1.5, 3) is "1.500".
inline std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace vckv::reports
