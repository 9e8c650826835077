#include "network.hpp"

#include <algorithm>
#include <cmath>

namespace vckv::harness {

std::optional<LatencyDist> parse_latency_dist(const std::string& name) {
  if (name == "constant") return LatencyDist::kConstant;
  if (name == "uniform") return LatencyDist::kUniform;
  if (name == "exponential") return LatencyDist::kExponential;
  return std::nullopt;
}

const char* latency_dist_name(LatencyDist dist) {
  switch (dist) {
    case LatencyDist::kConstant: return "constant";
    case LatencyDist::kUniform: return "uniform";
    case LatencyDist::kExponential: return "exponential";
  }
  return "?";
}

Micros LatencyModel::sample(Rng& rng) const {
  if (mean_ms <= 0) return 0;
  double ms = mean_ms;
  switch (dist) {
    case LatencyDist::kConstant: break;
    case LatencyDist::kUniform: ms = std::uniform_real_distribution<double>(0, 2 * mean_ms)(rng); break;
    case LatencyDist::kExponential: ms = std::exponential_distribution<double>(1 / mean_ms)(rng); break;
  }
  return static_cast<Micros>(std::llround(ms * 1000));
}

namespace {

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

std::vector<std::string> shuffled(std::vector<std::string> nodes, Rng& rng) {
  std::shuffle(nodes.begin(), nodes.end(), rng);
  return nodes;
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

Partition isolate_one(const std::vector<std::string>& nodes, Rng& rng) {
  if (nodes.size() < 2) return {};
  return isolate_node(nodes, std::uniform_int_distribution<std::size_t>(0, nodes.size() - 1)(rng));
}

Partition halves_of(const std::vector<std::string>& order) {
  if (order.size() < 2) return {};
  const auto middle = order.begin() + static_cast<std::ptrdiff_t>(order.size() / 2);
  std::vector<std::string> small(order.begin(), middle), large(middle, order.end());
  std::sort(small.begin(), small.end());
  std::sort(large.begin(), large.end());
  return Partition::from_components("halves", {small, large});
}

Partition random_halves(const std::vector<std::string>& nodes, Rng& rng) {
  if (nodes.size() < 2) return {};
  return halves_of(shuffled(nodes, rng));
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

Partition majorities_ring(const std::vector<std::string>& nodes, Rng& rng) {
  return majorities_ring_of(shuffled(nodes, rng));
}

std::vector<PartitionShape> partition_shapes(const std::vector<std::string>& nodes,
                                             const std::vector<std::string>& only) {
  if (nodes.size() < 2) return {};
  const std::pair<const char*, PartitionShape> all[] = {
      {"isolated", &isolate_one}, {"halves", &random_halves}, {"majorities-ring", &majorities_ring}};
  std::vector<PartitionShape> shapes;
  for (const auto& [name, shape] : all) {
    if (shape == &majorities_ring && nodes.size() <= 3) continue;  // cuts nothing below 4 nodes
    if (only.empty() || std::find(only.begin(), only.end(), name) != only.end()) shapes.push_back(shape);
  }
  return shapes;
}

const char* drop_reason_name(DropReason r) {
  return r == DropReason::kPartition ? "partition" : "dead node";
}

std::uint64_t VirtualNetwork::send(std::string from, std::string to, std::string type,
                                   std::string line, Micros now, Micros delay) {
  const Micros at = now + std::max<Micros>(0, delay);
  const std::uint64_t id = next_id_++;
  Queue& q = queues_[to];
  q.emplace(std::make_pair(at, id),
            InFlight{at, id, now, std::move(from), std::move(to), std::move(type), std::move(line)});
  return id;
}

std::optional<Micros> VirtualNetwork::next_delivery(const std::set<std::string>& paused) const {
  std::optional<Micros> next;
  for (const auto& [to, q] : queues_) {
    if (q.empty() || paused.count(to)) continue;
    if (!next || q.begin()->first.first < *next) next = q.begin()->first.first;
  }
  return next;
}

std::vector<Due> VirtualNetwork::take_due(Micros now, const Partition& partition,
                                          const std::set<std::string>& dead,
                                          const std::set<std::string>& paused) {
  std::vector<Due> due;
  for (auto& [to, q] : queues_) {
    if (paused.count(to)) continue;
    const bool is_dead = dead.count(to) > 0;
    while (!q.empty() && q.begin()->first.first <= now) {
      Due d{std::move(q.begin()->second), std::nullopt};
      q.erase(q.begin());
      if (is_dead) {
        d.dropped = DropReason::kDeadNode;
      } else if (partition.blocks(d.message.from, d.message.to)) {
        d.dropped = DropReason::kPartition;
      }
      due.push_back(std::move(d));
    }
  }
  return due;
}

std::vector<InFlight> VirtualNetwork::take_all() {
  std::vector<InFlight> all;
  for (auto& [to, q] : queues_) {
    for (auto& [k, m] : q) all.push_back(std::move(m));
    q.clear();
  }
  return all;
}

std::size_t VirtualNetwork::in_flight() const {
  std::size_t n = 0;
  for (const auto& [to, q] : queues_) n += q.size();
  return n;
}

}  // namespace vckv::harness
