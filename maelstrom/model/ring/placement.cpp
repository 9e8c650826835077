#include "model/ring/placement.hpp"

#include <algorithm>

namespace vckv::model {

Placement::Placement(std::vector<std::string> nodes, std::size_t replicas, std::size_t vnodes)
    : replicas_(replicas), vnodes_(vnodes) {
  if (replicas != Ring::kEveryNode && replicas < nodes.size()) {
    ring_ = std::make_shared<const Ring>(std::move(nodes), replicas, vnodes);
  } else if (nodes.empty() || vnodes == 0) {
    Ring check(std::move(nodes), replicas, vnodes);  // throws the same errors
  }
}

std::vector<std::string> Placement::replicas_of(std::int64_t key, const std::vector<std::string>& nodes) const {
  if (every_node()) return nodes;
  return ring_->ids(ring_->preference_list(std::to_string(key)));
}

bool Placement::is_replica(const std::string& node, std::int64_t key) const {
  if (every_node()) return true;
  const Ring::NodeIndex index = ring_->find_node(node);
  return index < ring_->node_count() && ring_->is_replica(index, std::to_string(key));
}

std::string Placement::preference_text(std::int64_t key) const {
  std::string out;
  if (!ring_) return out;
  for (const std::string& n : ring_->ids(ring_->preference_list(std::to_string(key)))) {
    out += (out.empty() ? "" : ",") + n;
  }
  return out;
}

KeysPerNode keys_per_node(const std::map<std::string, NodeState>& states, std::size_t keys, const Placement& placement,
                          const std::vector<std::string>& nodes) {
  KeysPerNode out;
  for (const std::string& node : nodes) {
    std::size_t held = 0;
    auto it = states.find(node);
    if (it != states.end()) {
      for (const auto& [key, versions] : it->second) held += versions.empty() ? 0 : 1;
    }
    out.held[node] = held;
  }
  const std::size_t n = nodes.size();
  const std::size_t per_key = placement.every_node() ? n : placement.replicas_option();
  out.ideal = n == 0 ? 0 : static_cast<double>(keys) * static_cast<double>(per_key) / static_cast<double>(n);
  return out;
}

}  // namespace vckv::model
