#include "sim/holdings.hpp"

#include <nlohmann/json.hpp>

namespace vckv::sim {

std::optional<model::LocalHoldings> local_holdings(World& w, std::size_t node, std::int64_t key) {
  NodeSlot& s = *w.nodes[node];
  if (!s.up()) return model::LocalHoldings{};
  const std::size_t before = s.out.size();
  const std::string line = "{\"src\": \"c0\", \"dest\": \"" + s.id + "\", \"body\": {\"type\": \"" +
                           model::kLocalGet + "\", \"msg_id\": " + std::to_string(++w.local_reads) +
                           ", \"key\": " + std::to_string(key) + "}}";
  s.node->handle_line(line, ++s.lines);
  std::string reply_text = s.out.substr(before);
  s.out.resize(before);
  const std::size_t newline = reply_text.find('\n');
  if (newline != std::string::npos) reply_text.resize(newline);
  const nlohmann::json reply = nlohmann::json::parse(reply_text, nullptr, false);
  const nlohmann::json body = reply.is_object() && reply.contains("body") ? reply["body"] : nlohmann::json();
  const std::string type = body.is_object() ? body.value("type", "") : "";
  if (type == "local_get_ok") {
    if (auto h = model::parse_local_get(body)) return h;
  }
  if (type == "error" && body.value("code", -1) == model::kErrorUnsupportedType) {
    w.fail(s.id + " answered local_get with error 10 (unsupported type): the node does not implement the "
                  "node-local read of docs/protocol.md §14, so with --replicas " +
           std::to_string(w.cfg.node.replicas) + " its hints cannot be checked");
  } else {
    w.fail(s.id + " answered local_get of key " + std::to_string(key) + " with " +
           (reply_text.empty() ? std::string("nothing") : reply_text.substr(0, 200)));
  }
  return std::nullopt;
}

std::optional<std::map<std::string, model::NodeHints>> all_hints(World& w) {
  std::map<std::string, model::NodeHints> out;
  for (std::size_t i = 0; i < w.nodes.size(); ++i) {
    model::NodeHints& hints = out[w.nodes[i]->id];
    for (std::size_t k = 0; k < w.cfg.keys; ++k) {
      const auto key = static_cast<std::int64_t>(k);
      auto h = local_holdings(w, i, key);
      if (!h) return std::nullopt;
      if (!h->hints.empty()) hints[key] = std::move(h->hints);
    }
  }
  return out;
}

}  // namespace vckv::sim
