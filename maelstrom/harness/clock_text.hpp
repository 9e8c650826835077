// The harness's one door to the node's core library: vckv::VectorClock (comparisons, join),
// and its text form written with the harness's own helper.
#pragma once

#include <string>

#include "vckv/vector_clock.hpp"

namespace vckv::harness {

using vckv::VectorClock;

// Python json.dumps form, as the node prints clocks: "[1, 0, 2]".
inline std::string clock_text(const VectorClock& clock) {
  std::string out = "[";
  for (std::size_t i = 0; i < clock.slots().size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(clock.slots()[i]);
  }
  return out + "]";
}

}  // namespace vckv::harness
