#include "vckv/vector_clock.hpp"

#include <algorithm>

namespace vckv {

bool VectorClock::descends(const VectorClock& other) const {
  const std::size_t n = std::max(slots_.size(), other.slots_.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (at(i) < other.at(i)) return false;
  }
  return true;
}

bool VectorClock::equals(const VectorClock& other) const {
  const std::size_t n = std::max(slots_.size(), other.slots_.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (at(i) != other.at(i)) return false;
  }
  return true;
}

VectorClock VectorClock::join(const VectorClock& other) const {
  std::vector<std::uint64_t> out(std::max(slots_.size(), other.slots_.size()));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::max(at(i), other.at(i));
  return VectorClock(std::move(out));
}

std::string VectorClock::to_json() const {
  std::string out = "[";
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(slots_[i]);
  }
  out += ']';
  return out;
}

}  // namespace vckv
