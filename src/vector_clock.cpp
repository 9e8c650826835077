#include "vckv/vector_clock.hpp"

#include <algorithm>
#include <charconv>

namespace vckv {

bool slots_descend(ClockSlots a, ClockSlots b) {
  const std::size_t common = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (a[i] < b[i]) return false;
  }
  // Past a's end, a counts as 0: b must be 0 there too.
  for (std::size_t i = common; i < b.size(); ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

std::vector<std::uint64_t> ClockSlots::to_vector() const {
  std::vector<std::uint64_t> out(size_);
  for (std::size_t i = 0; i < size_; ++i) out[i] = (*this)[i];
  return out;
}

bool slots_equal(ClockSlots a, ClockSlots b) {
  const std::size_t common = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (a[i] != b[i]) return false;
  }
  const ClockSlots& longer = a.size() > b.size() ? a : b;
  for (std::size_t i = common; i < longer.size(); ++i) {
    if (longer[i] != 0) return false;
  }
  return true;
}

void append_clock_json(std::string& out, ClockSlots slots) {
  out += '[';
  char buf[24];
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (i) out += ", ";
    const auto res = std::to_chars(buf, buf + sizeof buf, slots[i]);
    out.append(buf, res.ptr);
  }
  out += ']';
}

VectorClock VectorClock::join(const VectorClock& other) const {
  std::vector<std::uint64_t> out(std::max(slots_.size(), other.slots_.size()));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::max(at(i), other.at(i));
  return VectorClock(std::move(out));
}

std::string VectorClock::to_json() const {
  std::string out;
  append_clock_json(out, slots_);
  return out;
}

}  // namespace vckv
