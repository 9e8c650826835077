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
                                     const std::vector<std::vector<std::string>>& components) {
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
  p.description_ = p.name_ + ": " + join(parts, " | ");
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

Partition isolate_one(const std::vector<std::string>& nodes, Rng& rng) {
  if (nodes.size() < 2) return {};
  return isolate_node(nodes, static_cast<std::size_t>(rng.below(nodes.size())));
}

Partition random_halves(const std::vector<std::string>& nodes, Rng& rng) {
  if (nodes.size() < 2) return {};
  std::vector<std::string> order = nodes;
  rng.shuffle(order);
  return halves_of(order);
}

Partition majorities_ring(const std::vector<std::string>& nodes, Rng& rng) {
  std::vector<std::string> ring = nodes;
  rng.shuffle(ring);
  return majorities_ring_of(ring);
}

const std::vector<PartitionShape>& all_partition_shapes() {
  static const std::vector<PartitionShape> kShapes = {
      {"isolated", 2, &isolate_one},
      {"halves", 2, &random_halves},
      {"majorities-ring", 4, &majorities_ring},  // a ring of 3 cuts nothing
  };
  return kShapes;
}

std::vector<const PartitionShape*> partition_shapes(std::size_t node_count, const std::vector<std::string>& only) {
  std::vector<const PartitionShape*> shapes;
  for (const PartitionShape& shape : all_partition_shapes()) {
    if (node_count < shape.min_nodes) continue;
    if (only.empty() || std::find(only.begin(), only.end(), shape.name) != only.end()) shapes.push_back(&shape);
  }
  return shapes;
}

}  // namespace vckv::model
