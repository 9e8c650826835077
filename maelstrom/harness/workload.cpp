#include "workload.hpp"

#include <algorithm>

namespace vckv::harness {

ClientModel::ClientModel(std::size_t index, std::size_t clock_slots)
    : index_(index),
      clock_slots_(std::max(clock_slots, index)),
      name_(std::string("c").append(std::to_string(index))) {}

PlannedWrite ClientModel::blind_write(std::int64_t key) { return next_write(key, VectorClock(), false); }

PlannedWrite ClientModel::write_after_read(std::int64_t key, const std::vector<VectorClock>& read) {
  VectorClock joined;
  for (const VectorClock& c : read) joined = joined.join(c);
  return next_write(key, std::move(joined), read.size() > 1);
}

PlannedWrite ClientModel::next_write(std::int64_t key, VectorClock base, bool resolve) {
  std::vector<std::uint64_t> slots(clock_slots_, 0);
  for (std::size_t i = 0; i < clock_slots_; ++i) slots[i] = base.at(i);
  // Keep our own counter monotonic per key: reusing a value could make a write stale or give two
  // different values the same clock.
  std::uint64_t& counter = own_counter_[key];
  counter = std::max(counter, base.at(slot())) + 1;
  slots[slot()] = counter;
  const std::string value = "\"" + name_ + "-" + std::to_string(next_value_++) + "\"";
  return PlannedWrite{value, VectorClock(std::move(slots)), resolve};
}

}  // namespace vckv::harness
