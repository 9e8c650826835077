#include "model/check/tree_roots.hpp"

namespace vckv::model {

std::optional<NodeRoots> parse_tree_roots(const nlohmann::json& body) {
  if (!body.is_object()) return std::nullopt;
  const auto roots = body.find("roots");
  const auto counts = body.find("counts");
  const auto hints = body.find("hints");
  if (roots == body.end() || counts == body.end() || hints == body.end() || !roots->is_object() ||
      !counts->is_object() || !hints->is_number_unsigned() || roots->size() != counts->size()) {
    return std::nullopt;
  }
  NodeRoots out;
  out.hints = hints->get<std::uint64_t>();
  for (const auto& [peer, root] : roots->items()) {
    const auto count = counts->find(peer);
    if (!root.is_number_unsigned() || count == counts->end() || !count->is_number_unsigned()) return std::nullopt;
    out.peers[peer] = TreeRoot{root.get<std::uint64_t>(), count->get<std::uint64_t>()};
  }
  return out;
}

bool roots_agree(const std::map<std::string, NodeRoots>& answers, std::string* why) {
  auto say = [why](std::string text) {
    if (why) *why = std::move(text);
    return false;
  };
  for (const auto& [node, roots] : answers) {
    if (roots.hints > 0) return say(node + " holds " + std::to_string(roots.hints) + " hints");
    for (const auto& [peer, tree] : roots.peers) {
      const auto other = answers.find(peer);
      if (other == answers.end()) continue;  // not asked (or not answering): nothing to compare
      const auto back = other->second.peers.find(node);
      if (back == other->second.peers.end()) return say(node + " shares keys with " + peer + ", " + peer + " not with it");
      if (!(back->second == tree)) {
        return say(node + " and " + peer + " differ: " + std::to_string(tree.keys) + " keys against " +
                   std::to_string(back->second.keys) + (tree.keys == back->second.keys ? ", other versions" : ""));
      }
    }
  }
  return true;
}

}  // namespace vckv::model
