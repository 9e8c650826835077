#include "vckv/store/vector_clock.hpp"
#include "vckv/inlining.hpp"

#include <algorithm>

namespace vckv {

std::vector<std::uint64_t> ClockSlots::to_vector() const {
  std::vector<std::uint64_t> out(size_);
  for (std::size_t i = 0; i < size_; ++i) out[i] = (*this)[i];
  return out;
}

namespace {

template <typename A, typename B>
ClockOrder compare_typed(const A* a, std::size_t na, const B* b, std::size_t nb) {
  ClockOrder order;
  const std::size_t common = std::min(na, nb);
  std::size_t i = 0;
  for (; i < common; ++i) {
    const std::uint64_t x = a[i], y = b[i];
    if (x < y) order.a_descends = false;
    if (y < x) order.b_descends = false;
    if (order.concurrent()) return order;
  }
  // Past the shorter clock's end it counts as 0: any non-zero slot there decides.
  for (; i < na; ++i) {
    if (a[i] != 0) order.b_descends = false;
  }
  for (; i < nb; ++i) {
    if (b[i] != 0) order.a_descends = false;
  }
  return order;
}

template <typename A>
ClockOrder compare_with(const A* a, std::size_t na, ClockSlots b) {
  switch (b.width()) {
    case 1: return compare_typed(a, na, static_cast<const std::uint8_t*>(b.data()), b.size());
    case 2: return compare_typed(a, na, static_cast<const std::uint16_t*>(b.data()), b.size());
    case 4: return compare_typed(a, na, static_cast<const std::uint32_t*>(b.data()), b.size());
    default: return compare_typed(a, na, static_cast<const std::uint64_t*>(b.data()), b.size());
  }
}

}  // namespace

VCKV_HOT
ClockOrder compare_slots(ClockSlots a, ClockSlots b) {
  switch (a.width()) {
    case 1: return compare_with(static_cast<const std::uint8_t*>(a.data()), a.size(), b);
    case 2: return compare_with(static_cast<const std::uint16_t*>(a.data()), a.size(), b);
    case 4: return compare_with(static_cast<const std::uint32_t*>(a.data()), a.size(), b);
    default: return compare_with(static_cast<const std::uint64_t*>(a.data()), a.size(), b);
  }
}

VectorClock VectorClock::join(const VectorClock& other) const {
  std::vector<std::uint64_t> out(std::max(slots_.size(), other.slots_.size()));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::max(at(i), other.at(i));
  return VectorClock(std::move(out));
}

}  // namespace vckv
