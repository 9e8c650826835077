#include "reports/files/final_state.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "model/clock_text.hpp"

namespace vckv::reports {

namespace {

using json = nlohmann::json;

std::optional<long long> as_integer(const std::string& key) {
  if (key.empty() || key[0] == '"') return std::nullopt;
  try {
    std::size_t used = 0;
    const long long v = std::stoll(key, &used);
    if (used == key.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::set<std::string, bool (*)(const std::string&, const std::string&)> all_keys(const ReadStates& states) {
  std::set<std::string, bool (*)(const std::string&, const std::string&)> keys(&key_text_less);
  for (const auto& [node, state] : states) {
    for (const auto& [key, siblings] : state) keys.insert(key);
  }
  return keys;
}

// {"value": V, "clock": C}; a tombstone (§16) {"clock": C}, no value.
json version_json(const model::StoredVersion& v) {
  if (v.tombstone) return json{{"clock", v.clock.slots()}};
  return json{{"value", json::parse(v.value)}, {"clock", v.clock.slots()}};
}

}  // namespace

bool key_text_less(const std::string& a, const std::string& b) {
  const auto ia = as_integer(a), ib = as_integer(b);
  if (ia && ib) return *ia < *ib;
  if (ia || ib) return ia.has_value();
  return a < b;
}

std::size_t disagreeing_keys(const ReadStates& states, const model::Placement* placement, const HintStates& hints) {
  std::set<std::string> keys;
  for (const auto& [node, state] : states) {
    for (const auto& [key, siblings] : state) keys.insert(key);
  }
  static const std::vector<model::StoredVersion> kEmpty;
  std::size_t n = 0;
  if (placement && !placement->every_node()) {
    std::set<std::string> hinted;
    for (const auto& [node, by_key] : hints) {
      for (const auto& [key, held] : by_key) hinted.insert(key);
    }
    keys.insert(hinted.begin(), hinted.end());
    for (const std::string& key : keys) {
      const auto k = as_integer(key);
      bool differ = hinted.count(key) > 0 || !k;
      std::optional<std::string> first;
      for (const auto& [node, state] : states) {
        if (differ) break;
        auto it = state.find(key);
        const std::vector<model::StoredVersion>& versions = it == state.end() ? kEmpty : it->second;
        if (!placement->is_replica(node, *k)) {
          differ = !versions.empty();
          continue;
        }
        const std::string set = model::canonical_set(versions);
        if (!first) first = set;
        else differ = *first != set;
      }
      n += differ ? 1 : 0;
    }
    return n;
  }
  for (const std::string& key : keys) {
    std::optional<std::string> first;
    for (const auto& [node, state] : states) {
      auto it = state.find(key);
      const std::string set = model::canonical_set(it == state.end() ? kEmpty : it->second);
      if (!first) {
        first = set;
      } else if (*first != set) {
        ++n;
        break;
      }
    }
  }
  return n;
}

std::vector<KeySiblings> keys_with_siblings(const ReadStates& states) {
  std::vector<KeySiblings> out;
  for (const std::string& key : all_keys(states)) {
    std::size_t most = 0;
    for (const auto& [node, state] : states) {
      auto it = state.find(key);
      if (it != state.end()) most = std::max(most, it->second.size());
    }
    if (most > 1) out.push_back({key, most});
  }
  return out;
}

std::map<std::string, model::NodeState> node_states(const ReadStates& states) {
  std::map<std::string, model::NodeState> out;
  for (const auto& [node, by_key] : states) {
    model::NodeState& ns = out[node];
    for (const auto& [key, siblings] : by_key) {
      if (const auto k = as_integer(key)) ns[*k] = siblings;
    }
  }
  return out;
}

std::map<std::string, model::NodeHints> node_hints(const HintStates& hints) {
  std::map<std::string, model::NodeHints> out;
  for (const auto& [node, by_key] : hints) {
    model::NodeHints& nh = out[node];
    for (const auto& [key, held] : by_key) {
      if (const auto k = as_integer(key)) nh[*k] = held;
    }
  }
  return out;
}

namespace {

using KeySet = std::set<std::string, bool (*)(const std::string&, const std::string&)>;

KeySet keys_of(const ReadStates& states, bool ring, const HintStates& hints) {
  KeySet key_set = all_keys(states);
  if (ring) {
    for (const auto& [node, by_key] : hints) {
      for (const auto& [key, held] : by_key) key_set.insert(key);
    }
  }
  return key_set;
}

// One key's entry of "keys".
json key_entry(const std::string& key, const ReadStates& states, const std::vector<std::string>& nodes,
               const model::Placement* placement, const HintStates& hints) {
  const bool ring = placement && !placement->every_node();
  static const std::vector<model::StoredVersion> kEmpty;
  const auto k = as_integer(key);
  json by_node = json::object();
  std::size_t most = 0;
  std::optional<std::string> first;
  bool agree = true;
  for (const std::string& node : nodes) {
    auto st = states.find(node);
    if (st == states.end()) continue;
    auto it = st->second.find(key);
    const std::vector<model::StoredVersion>& siblings = it == st->second.end() ? kEmpty : it->second;
    json list = json::array();
    for (const model::StoredVersion& v : siblings) list.push_back(version_json(v));
    by_node[node] = std::move(list);
    most = std::max(most, siblings.size());
    if (ring && (!k || !placement->is_replica(node, *k))) continue;
    const std::string set = model::canonical_set(siblings);
    if (!first) first = set;
    else if (*first != set) agree = false;
  }
  json entry = {{"key", json::parse(key)}, {"agree", agree}, {"siblings", most}};
  if (ring) {
    entry["preference_list"] = k ? placement->replicas_of(*k, nodes) : std::vector<std::string>{};
  }
  entry["by_node"] = std::move(by_node);
  if (ring) {
    json held = json::object();
    for (const std::string& node : nodes) {
      auto h = hints.find(node);
      if (h == hints.end()) continue;
      auto it = h->second.find(key);
      if (it == h->second.end() || it->second.empty()) continue;
      json list = json::array();
      for (const model::HeldHint& hint : it->second) {
        json item = version_json(hint.version);
        item["for"] = hint.for_node;
        list.push_back(std::move(item));
      }
      held[node] = std::move(list);
    }
    entry["hints"] = std::move(held);
  }
  return entry;
}

std::string key_line(const json& entry) { return entry.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

json final_state_json(const ReadStates& states, const std::vector<std::string>& nodes, double taken_at_ms,
                      const model::Placement* placement, const HintStates& hints) {
  const bool ring = placement && !placement->every_node();
  json keys = json::array();
  for (const std::string& key : keys_of(states, ring, hints)) {
    keys.push_back(key_entry(key, states, nodes, placement, hints));
  }
  json out = {{"taken_at_ms", taken_at_ms}, {"nodes", nodes}};
  if (ring) {
    out["replicas"] = placement->replicas_option();
    out["vnodes"] = placement->vnodes();
  }
  out["keys"] = std::move(keys);
  return out;
}

void write_final_state(std::ostream& out, const ReadStates& states, const std::vector<std::string>& nodes,
                       double taken_at_ms, const model::Placement* placement, const HintStates& hints) {
  const bool ring = placement && !placement->every_node();
  out << "{\"taken_at_ms\": " << json(taken_at_ms).dump() << ", \"nodes\": " << json(nodes).dump();
  if (ring) {
    out << ", \"replicas\": " << json(placement->replicas_option()).dump() << ", \"vnodes\": "
        << json(placement->vnodes()).dump();
  }
  out << ", \"keys\": [";
  bool any = false;
  for (const std::string& key : keys_of(states, ring, hints)) {
    out << (any ? ",\n  " : "\n  ") << key_line(key_entry(key, states, nodes, placement, hints));
    any = true;
  }
  out << (any ? "\n]}\n" : "]}\n");
}

std::string final_state_text(const json& j) {
  std::string out = "{\"taken_at_ms\": " + j.value("taken_at_ms", json(0)).dump() +
                    ", \"nodes\": " + j.value("nodes", json::array()).dump();
  if (j.contains("replicas")) out += ", \"replicas\": " + j["replicas"].dump() + ", \"vnodes\": " + j["vnodes"].dump();
  out += ", \"keys\": [";
  const json& keys = j.contains("keys") ? j["keys"] : json::array();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    out += (i ? ",\n  " : "\n  ") + key_line(keys[i]);
  }
  return out + (keys.empty() ? "]}\n" : "\n]}\n");
}

namespace {

// One entry of "keys" into out (throws json::exception when it is not one).
void add_key_entry(const json& k, FinalStates& out) {
  auto& by_node = out.keys[k.at("key").dump()];
  for (const auto& [node, list] : k.at("by_node").items()) {
    auto& siblings = by_node[node];
    for (const json& v : list) {
      model::VectorClock clock(v.at("clock").get<std::vector<std::uint64_t>>());
      // A tombstone (§16) is a version without value.
      siblings.push_back(v.contains("value") ? model::StoredVersion{v.at("value").dump(), std::move(clock)}
                                             : model::tombstone_version(std::move(clock)));
    }
  }
}

}  // namespace

std::optional<FinalStates> read_final_state(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  FinalStates out;
  // The file as write_final_state writes it: a first line ending in `"keys": [`, then one key
  // a line, then `]}`. Read so, it is parsed a key at a time (the whole document in memory was
  // most of the harness's peak at 10k keys x 5 nodes); any other layout is parsed whole.
  static const std::string kKeysOpen = ", \"keys\": [";
  std::string line;
  std::getline(in, line);
  if (line.size() > kKeysOpen.size() && line.compare(line.size() - kKeysOpen.size(), kKeysOpen.size(), kKeysOpen) == 0) {
    const json header = json::parse(line.substr(0, line.size() - kKeysOpen.size()) + "}", nullptr, false);
    if (header.is_object()) {
      try {
        if (header.contains("nodes")) out.nodes = header["nodes"].get<std::vector<std::string>>();
        std::size_t number = 1;
        while (std::getline(in, line)) {
          ++number;
          if (line == "]}") return out;
          std::size_t from = line.find_first_not_of(' ');
          std::size_t to = line.size();
          if (to > 0 && line[to - 1] == ',') --to;
          const json k = from == std::string::npos ? json() : json::parse(line.substr(from, to - from), nullptr, false);
          if (!k.is_object()) {
            error = path + ": line " + std::to_string(number) + " is not a key's entry";
            return std::nullopt;
          }
          add_key_entry(k, out);
        }
      } catch (const json::exception& e) {
        error = path + ": " + e.what();
        return std::nullopt;
      }
      error = path + " ends before its keys array does (no closing ]})";
      return std::nullopt;
    }
  }
  in.clear();
  in.seekg(0);
  const json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("keys") || !j["keys"].is_array()) {
    error = path + " is not a final-state.json (no keys array)";
    return std::nullopt;
  }
  try {
    if (j.contains("nodes")) out.nodes = j["nodes"].get<std::vector<std::string>>();
    for (const json& k : j["keys"]) add_key_entry(k, out);
  } catch (const json::exception& e) {
    error = path + ": " + e.what();
    return std::nullopt;
  }
  return out;
}

}  // namespace vckv::reports
