#include "model/workload/client.hpp"

#include <algorithm>

namespace vckv::model {

ClientModel::ClientModel(std::size_t index, std::size_t clock_slots)
    : index_(index),
      clock_slots_(std::max(clock_slots, index)),
      name_(std::string("c").append(std::to_string(index))) {}

PlannedOp ClientModel::next_op(Rng& rng, std::size_t nodes, const WorkloadOptions& options) {
  PlannedOp op;
  if (read_) {
    op.key = read_->key;
    op.node = read_->node;
    op.read_index = read_->index;
    if (nodes > 1 && rng.chance(options.other_node_ppm)) {
      op.node = (read_->node + 1 + static_cast<std::size_t>(rng.below(nodes - 1))) % nodes;
    }
    const bool remove = options.delete_ppm > 0 && rng.chance(options.delete_ppm);
    if (server_clocks_) {
      op.write = dvv_write(blind_writer_ ? Context() : read_->context, remove);
    } else {
      op.write = remove ? delete_after_read(op.key, read_->clocks) : write_after_read(op.key, read_->clocks);
    }
    read_.reset();
  } else {
    op.key = static_cast<std::int64_t>(rng.below(options.keys));
    op.node = static_cast<std::size_t>(rng.below(nodes));
    if (rng.chance(options.blind_write_ppm)) {
      op.write = server_clocks_ ? dvv_write(kept_context(op.key), false) : blind_write(op.key);
      op.blind = true;
    }
  }
  if (server_clocks_) {
    op.kind = !op.write ? OpKind::kDvvGet : op.write->tombstone ? OpKind::kDvvDelete : OpKind::kDvvUpdate;
    return op;
  }
  op.kind = !op.write              ? OpKind::kGet
            : op.write->tombstone ? OpKind::kDelete
            : op.write->resolve   ? OpKind::kResolve
                                  : OpKind::kPut;
  return op;
}

void ClientModel::read_returned(std::int64_t key, std::size_t node, std::vector<VectorClock> clocks,
                                std::uint64_t index) {
  read_ = Read{key, node, std::move(clocks), index};
}

void ClientModel::set_server_clocks(bool blind_writer) {
  server_clocks_ = true;
  blind_writer_ = blind_writer;
}

void ClientModel::dvv_read_returned(std::int64_t key, std::size_t node, Context context, std::uint64_t index) {
  read_ = Read{key, node, {}, index, context};
  contexts_[key] = std::move(context);
}

const Context& ClientModel::kept_context(std::int64_t key) const {
  static const Context kEmpty;
  if (blind_writer_) return kEmpty;
  auto it = contexts_.find(key);
  return it == contexts_.end() ? kEmpty : it->second;
}

PlannedWrite ClientModel::dvv_write(const Context& context, bool tombstone) {
  PlannedWrite w;
  if (!tombstone) w.value = "\"" + name_ + "-" + std::to_string(next_value_++) + "\"";
  w.tombstone = tombstone;
  w.dotted = true;
  w.context = context;
  return w;
}

Micros ClientModel::next_start(Rng& rng, Micros invoked, Micros now, Micros mean_gap) {
  return std::max(now, invoked + rng.between(0, 2 * mean_gap));
}

PlannedWrite ClientModel::blind_write(std::int64_t key) { return next_write(key, VectorClock(), false); }

PlannedWrite ClientModel::write_after_read(std::int64_t key, const std::vector<VectorClock>& read) {
  VectorClock joined;
  for (const VectorClock& c : read) joined = joined.join(c);
  return next_write(key, std::move(joined), read.size() > 1);
}

PlannedWrite ClientModel::delete_after_read(std::int64_t key, const std::vector<VectorClock>& read) {
  VectorClock joined;
  for (const VectorClock& c : read) joined = joined.join(c);
  return next_write(key, std::move(joined), false, true);
}

PlannedWrite ClientModel::next_write(std::int64_t key, VectorClock base, bool resolve, bool tombstone) {
  std::vector<std::uint64_t> slots(clock_slots_, 0);
  for (std::size_t i = 0; i < clock_slots_; ++i) slots[i] = base.at(i);
  // Keep our own counter monotonic per key: reusing a value could make a write stale or give two
  // different values the same clock.
  std::uint64_t& counter = own_counter_[key];
  counter = std::max(counter, base.at(slot())) + 1;
  slots[slot()] = counter;
  if (tombstone) return PlannedWrite{std::string(), VectorClock(std::move(slots)), false, true};
  const std::string value = "\"" + name_ + "-" + std::to_string(next_value_++) + "\"";
  return PlannedWrite{value, VectorClock(std::move(slots)), resolve};
}

}  // namespace vckv::model
