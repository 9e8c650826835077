#include "model/net/partition.hpp"

#include <algorithm>

namespace vckv::model {

namespace {

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace

Partition Partition::from_components(std::string name,
                                     const std::vector<std::vector<std::string>>& components,
                                     const std::string& heading) {
  Partition p;
  p.name_ = std::move(name);
  p.components_ = components;
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < components.size(); ++i) {
    parts.push_back(join(components[i], " "));
    for (std::size_t j = 0; j < components.size(); ++j) {
      if (i == j) continue;
      for (const std::string& a : components[i]) {
        for (const std::string& b : components[j]) p.block(a, b);
      }
    }
  }
  p.description_ = (heading.empty() ? p.name_ : heading) + ": " + join(parts, " | ");
  return p;
}

Partition isolate_node(const std::vector<std::string>& nodes, std::size_t pick) {
  if (nodes.size() < 2 || pick >= nodes.size()) return {};
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (i != pick) rest.push_back(nodes[i]);
  }
  return Partition::from_components("isolated", {{nodes[pick]}, rest});
}

Partition halves_of(const std::vector<std::string>& order) {
  if (order.size() < 2) return {};
  const auto middle = order.begin() + static_cast<std::ptrdiff_t>(order.size() / 2);
  std::vector<std::string> small(order.begin(), middle), large(middle, order.end());
  std::sort(small.begin(), small.end());
  std::sort(large.begin(), large.end());
  return Partition::from_components("halves", {small, large});
}

Partition majorities_ring_of(const std::vector<std::string>& ring) {
  Partition p;
  p.name_ = "majorities-ring";
  const std::size_t n = ring.size();
  const std::size_t majority = n / 2 + 1;
  // Neighbours on each side so that 2k + 1 >= majority.
  const std::size_t k = majority / 2;
  std::vector<std::string> views;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> sees;
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t d = (i + n - j) % n;
      const std::size_t dist = std::min(d, n - d);
      if (dist <= k) {
        sees.push_back(ring[j]);
      } else {
        p.block(ring[j], ring[i]);
      }
    }
    std::sort(sees.begin(), sees.end());
    views.push_back(ring[i] + " sees " + join(sees, ","));
  }
  std::sort(views.begin(), views.end());
  p.description_ = p.name_ + ": " + join(views, "; ");
  return p;
}

Partition isolate_replicas_of(const std::vector<std::string>& nodes, const Placement& placement, std::int64_t key) {
  if (placement.every_node() || nodes.size() < 2) return {};
  std::vector<std::string> replicas = placement.replicas_of(key, nodes);
  std::vector<std::string> rest;
  for (const std::string& n : nodes) {
    if (std::find(replicas.begin(), replicas.end(), n) == replicas.end()) rest.push_back(n);
  }
  if (replicas.empty() || rest.empty()) return {};
  std::sort(replicas.begin(), replicas.end());
  std::sort(rest.begin(), rest.end());
  return Partition::from_components("replicas", {replicas, rest}, "replicas of key " + std::to_string(key));
}

Partition cut_first_replica_of(const std::vector<std::string>& nodes, const Placement& placement, std::int64_t key) {
  if (placement.every_node() || nodes.size() < 2) return {};
  const std::vector<std::string> replicas = placement.replicas_of(key, nodes);
  if (replicas.size() < 2) return {};
  std::vector<std::string> others(replicas.begin() + 1, replicas.end());
  std::vector<std::string> rest;
  for (const std::string& n : nodes) {
    if (std::find(others.begin(), others.end(), n) == others.end()) rest.push_back(n);
  }
  std::sort(others.begin(), others.end());
  std::sort(rest.begin(), rest.end());
  return Partition::from_components("replica-loss", {others, rest}, "replica-loss of key " + std::to_string(key));
}

Partition isolate_one(const std::vector<std::string>& nodes, const ShapeInputs&, Rng& rng) {
  if (nodes.size() < 2) return {};
  return isolate_node(nodes, static_cast<std::size_t>(rng.below(nodes.size())));
}

Partition random_halves(const std::vector<std::string>& nodes, const ShapeInputs&, Rng& rng) {
  if (nodes.size() < 2) return {};
  std::vector<std::string> order = nodes;
  rng.shuffle(order);
  return halves_of(order);
}

Partition majorities_ring(const std::vector<std::string>& nodes, const ShapeInputs&, Rng& rng) {
  std::vector<std::string> ring = nodes;
  rng.shuffle(ring);
  return majorities_ring_of(ring);
}

Partition isolate_replicas(const std::vector<std::string>& nodes, const ShapeInputs& inputs, Rng& rng) {
  if (!inputs.placement || inputs.keys == 0) return {};
  const auto key = static_cast<std::int64_t>(rng.below(inputs.keys));
  return isolate_replicas_of(nodes, *inputs.placement, key);
}

namespace {

bool has_ring(std::size_t node_count, const ShapeInputs& inputs) {
  return inputs.placement && !inputs.placement->every_node() && inputs.keys > 0 &&
         inputs.placement->replicas_option() < node_count;
}

}  // namespace

const std::vector<PartitionShape>& all_partition_shapes() {
  static const std::vector<PartitionShape> kShapes = {
      {"isolated", 2, &isolate_one, nullptr},
      {"halves", 2, &random_halves, nullptr},
      {"majorities-ring", 4, &majorities_ring, nullptr},  // a ring of 3 cuts nothing
      {"replicas", 2, &isolate_replicas, &has_ring},
  };
  return kShapes;
}

std::vector<const PartitionShape*> partition_shapes(std::size_t node_count, const std::vector<std::string>& only,
                                                    const ShapeInputs& inputs) {
  std::vector<const PartitionShape*> shapes;
  for (const PartitionShape& shape : all_partition_shapes()) {
    if (node_count < shape.min_nodes) continue;
    if (shape.usable && !shape.usable(node_count, inputs)) continue;
    if (only.empty() || std::find(only.begin(), only.end(), shape.name) != only.end()) shapes.push_back(&shape);
  }
  return shapes;
}

}  // namespace vckv::model
