// What the benches that run several nodes in one process on virtual time share (catchup.cpp,
// delete_cost.cpp, sibling_sync.cpp): the nodes themselves, node-to-node bytes counted by
// message type, and the delivery of every line the nodes wrote, at once (latency does not
// change bytes).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "vckv/node/node.hpp"
#include "vckv/runtime/manual_scheduler.hpp"

namespace vckv::bench {

// One node on its own virtual clock, initialised as id in a cluster of ids (init's reply is
// left in out). Each line fed is a turn of its own; what the node writes collects in out.
struct VirtualNode {
  VirtualNode(const std::string& id, const std::vector<std::string>& ids,
              const NodeOptions& options = NodeOptions{}, FileSystem* fs = nullptr)
      : log(logs, LogLevel::kError) {
    node = std::make_unique<Node>(options, out, clock, log, fs);
    std::string names;
    for (const std::string& n : ids) names += (names.empty() ? "\"" : ", \"") + n + "\"";
    feed("{\"src\": \"c0\", \"dest\": \"" + id + "\", \"body\": {\"type\": \"init\", "
         "\"msg_id\": 1, \"node_id\": \"" + id + "\", \"node_ids\": [" + names + "]}}");
  }
  void feed(const std::string& line) {
    node->handle_line(line, 0);
    clock.before_sleep();
  }
  ManualScheduler clock;
  std::ostringstream logs;
  Logger log;
  std::string out;
  std::unique_ptr<Node> node;
};

using VirtualCluster = std::map<std::string, std::unique_ptr<VirtualNode>>;

// A node for each of ids, all with the same options (and file system, if any).
inline VirtualCluster virtual_cluster(const std::vector<std::string>& ids,
                                      const NodeOptions& options = NodeOptions{},
                                      FileSystem* fs = nullptr) {
  VirtualCluster nodes;
  for (const std::string& id : ids) nodes[id] = std::make_unique<VirtualNode>(id, ids, options, fs);
  return nodes;
}

using ByType = std::map<std::string, std::pair<std::size_t, std::size_t>>;  // messages, bytes

// {"sync": {"messages": M, "bytes": B}, ...}
inline std::string by_type_json(const ByType& by_type) {
  std::string out = "{";
  for (const auto& [type, mb] : by_type) {
    out += (out.size() > 1 ? ", " : "") + std::string("\"") + type + "\": {\"messages\": " +
           std::to_string(mb.first) + ", \"bytes\": " + std::to_string(mb.second) + "}";
  }
  return out + "}";
}

inline std::size_t total(const ByType& by_type) {
  std::size_t n = 0;
  for (const auto& [type, mb] : by_type) n += mb.second;
  return n;
}

// The value of the first `"name": "..."` field in an envelope line.
inline std::string string_field(const std::string& line, const char* name) {
  const std::string open = std::string("\"") + name + "\": \"";
  const auto at = line.find(open);
  if (at == std::string::npos) return {};
  const auto from = at + open.size();
  return line.substr(from, line.find('"', from) - from);
}

// Moves every line the members wrote so far (member->out) to its destination (member->feed),
// until no member writes more, counting node-to-node lines in by_type; lines to anyone else
// (replies to clients) are counted in *client_lines if given. Members: a map from node id to
// a pointer-like to something with `std::string out` and `void feed(const std::string&)`.
// True if any line moved.
template <typename Members>
bool deliver_all(Members& members, ByType& by_type, std::size_t* client_lines = nullptr) {
  bool moved = true;
  bool any = false;
  while (moved) {
    moved = false;
    for (auto& [from, m] : members) {
      std::istringstream lines(std::exchange(m->out, std::string()));
      for (std::string line; std::getline(lines, line);) {
        moved = any = true;
        const std::string dest = string_field(line, "dest");
        if (!members.count(dest)) {
          if (client_lines) ++*client_lines;
          continue;
        }
        auto& counted = by_type[string_field(line, "type")];
        ++counted.first;
        counted.second += line.size() + 1;
        members[dest]->feed(line);
      }
    }
  }
  return any;
}

}  // namespace vckv::bench
