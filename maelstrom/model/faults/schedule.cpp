#include "model/faults/schedule.hpp"

#include <algorithm>
#include <sstream>

namespace vckv::model {

namespace {

// `count` distinct nodes, sorted: a partial Fisher-Yates from the front (the first is
// nodes[below(n)]).
std::vector<std::string> pick_nodes(const std::vector<std::string>& nodes, std::size_t count, Rng& rng) {
  std::vector<std::string> pool = nodes;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(rng.below(pool.size() - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(count);
  std::sort(pool.begin(), pool.end());
  return pool;
}

}  // namespace

std::vector<FaultPeriod> make_fault_schedule(const std::vector<std::string>& nodes, const ScheduleOptions& options,
                                             Rng& rng) {
  std::vector<FaultPeriod> periods;
  const ShapeInputs inputs{options.placement, options.keys};
  const std::vector<const PartitionShape*> shapes = partition_shapes(nodes.size(), options.shapes, inputs);
  // replica-loss needs a key with at least two replicas and nodes that are not among them.
  const bool ring = options.placement && !options.placement->every_node() && options.keys > 0 &&
                    options.placement->replicas_option() >= 2 && options.placement->replicas_option() < nodes.size();
  std::vector<FaultKind> kinds;
  for (FaultKind k : options.kinds) {
    if (!is_period_fault(k)) continue;
    if (k == FaultKind::kPartition && shapes.empty()) continue;
    if (k == FaultKind::kReplicaLoss && !ring) continue;
    if (k != FaultKind::kPartition && (nodes.empty() || options.max_down == 0)) continue;
    kinds.push_back(k);
  }
  if (kinds.empty() || options.interval <= 0) return periods;
  std::size_t turn = static_cast<std::size_t>(rng.below(kinds.size()));
  std::size_t shape_turn = shapes.empty() ? 0 : static_cast<std::size_t>(rng.below(shapes.size()));
  const std::size_t most_down = std::min(options.max_down, nodes.size());
  for (Micros start = options.interval; start < options.until; start += 2 * options.interval) {
    FaultPeriod p;
    p.start = start;
    p.end = std::min(start + options.interval, options.until);
    p.kind = kinds[turn++ % kinds.size()];
    if (p.kind == FaultKind::kPartition) {
      p.partition = shapes[shape_turn++ % shapes.size()]->make(nodes, inputs, rng);
    } else if (p.kind == FaultKind::kReplicaLoss) {
      p.key = static_cast<std::int64_t>(rng.below(options.keys));
      p.nodes = {options.placement->replicas_of(p.key, nodes).front()};
      p.partition = cut_first_replica_of(nodes, *options.placement, p.key);
      p.bounces.push_back(p.start);
      const Micros length = p.end - p.start;
      if (length >= 4) p.bounces.push_back(p.start + rng.between(length / 4, length * 3 / 4));
    } else {
      const std::size_t count = most_down > 1 ? 1 + static_cast<std::size_t>(rng.below(most_down)) : 1;
      p.nodes = pick_nodes(nodes, count, rng);
    }
    if (p.kind == FaultKind::kBounce) {
      const std::size_t bounces = 2 + static_cast<std::size_t>(rng.below(4));
      const Micros gap = std::max<Micros>(options.bounce_gap, 4);
      p.bounces.push_back(p.start);
      for (std::size_t b = 1; b < bounces; ++b) {
        const Micros next = p.bounces.back() + rng.between(gap / 4, gap * 3 / 2);
        if (next >= p.end) break;
        p.bounces.push_back(next);
      }
    }
    periods.push_back(std::move(p));
  }
  return periods;
}

std::vector<std::string> nemesis_warnings(const std::vector<FaultKind>& kinds, std::size_t node_count,
                                          double interval_s, double time_limit_s) {
  std::vector<std::string> warnings;
  if (kinds.empty()) return warnings;
  auto num = [](double x) {
    std::ostringstream s;
    s << x;
    return s.str();
  };
  if (time_limit_s <= interval_s) {
    warnings.push_back("--nemesis " + fault_list_name(kinds) + " will never fire: the first fault would start at " +
                       "--nemesis-interval (" + num(interval_s) + " s) but the clients stop at --time-limit (" +
                       num(time_limit_s) + " s)");
  }
  if (node_count < 2 && std::find(kinds.begin(), kinds.end(), FaultKind::kPartition) != kinds.end()) {
    warnings.push_back("--nemesis partition does nothing with a single node: there is no link to cut");
  }
  return warnings;
}

}  // namespace vckv::model
