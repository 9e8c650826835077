// Whole nodes in one process on virtual time, their messages carried by a small network with
// latency, cut links, kills and restarts (the cluster tests of tests/node share it).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "vckv/node/node.hpp"
#include "vckv/runtime/event_loop.hpp"
#include "vckv/runtime/manual_scheduler.hpp"
#include "vckv/storage/memory_file_system.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {

using nlohmann::json;

class TestCluster {
 public:
  TestCluster(std::size_t n, NodeOptions options, std::int64_t latency_ms = 5,
              std::size_t max_line_bytes = 16u << 20)
      : options_(std::move(options)), latency_ms_(latency_ms), max_line_bytes_(max_line_bytes) {
    options_.replication.max_message_bytes = max_line_bytes;
    for (std::size_t i = 1; i <= n; ++i) ids_.push_back("n" + std::to_string(i));
    for (const std::string& id : ids_) start(id);
  }

  // Cuts the links between a and b, both ways (heal() restores every link).
  void cut(const std::string& a, const std::string& b) {
    cut_.insert({a, b});
    cut_.insert({b, a});
  }
  void isolate(const std::string& a) {
    for (const std::string& b : ids_) {
      if (b != a) cut(a, b);
    }
  }
  void heal() { cut_.clear(); }
  // Drops node-to-node messages for which drop(from, to, body) is true (until cleared).
  std::function<bool(const std::string&, const std::string&, const json&)> drop;
  // Extra latency (ms) of a node-to-node message (unset: none).
  std::function<std::int64_t(const std::string&, const std::string&, const json&)> delay;
  // Client replies received, per in_reply_to, and the last one's line as sent.
  std::map<std::uint64_t, int> reply_counts;
  std::map<std::uint64_t, std::string> reply_lines;

  // A client request to node, not waited for: its msg_id.
  std::uint64_t send(const std::string& node, json body) {
    const std::uint64_t msg_id = next_client_msg_++;
    body["msg_id"] = msg_id;
    deliver(node, json{{"src", "c1"}, {"dest", node}, {"body", body}}.dump());
    return msg_id;
  }
  json reply(std::uint64_t msg_id) const {
    const auto it = replies_.find(msg_id);
    return it == replies_.end() ? json() : it->second;
  }
  std::int64_t now() const { return now_; }
  const std::vector<std::string>& ids() const { return ids_; }

  // With options.durability.data_dir set, each node keeps it on a disk of its own that outlives
  // its processes; kill(id, kPowerLoss) also loses what was not synced.
  void kill(const std::string& id) { nodes_.erase(id); }
  void kill(const std::string& id, CrashKind crash) {
    nodes_.erase(id);
    if (disks_.count(id)) disks_.at(id)->crash(crash);
  }
  // A line delivered to node now, as if a peer had sent it (node-to-node messages by hand).
  void inject(const std::string& to, const json& envelope) { deliver(to, envelope.dump()); }
  // What node logged so far (info and above).
  std::string logs(const std::string& id) const { return nodes_.at(id)->logs.str(); }
  void restart(const std::string& id) { start(id); }

  // A client request to node; runs the cluster until the reply comes (or 10 s pass).
  json request(const std::string& node, json body) {
    const std::uint64_t msg_id = next_client_msg_++;
    body["msg_id"] = msg_id;
    deliver(node, json{{"src", "c1"}, {"dest", node}, {"body", body}}.dump());
    for (int waited = 0; waited < 10000 && !replies_.count(msg_id); waited += 1) run_for(1);
    const auto it = replies_.find(msg_id);
    return it == replies_.end() ? json() : it->second;
  }
  json put(const std::string& node, const json& key, const json& value, std::vector<std::uint64_t> clock) {
    return request(node, {{"type", "kv_put"}, {"key", key}, {"value", value}, {"clock", clock}});
  }
  json get(const std::string& node, const json& key) {
    return request(node, {{"type", "kv_get"}, {"key", key}});
  }

  // Runs the cluster for ms of virtual time: deliveries and every node's timers, in order.
  void run_for(std::int64_t ms) {
    const std::int64_t end = now_ + ms;
    for (;;) {
      std::int64_t next = end;
      if (!in_flight_.empty()) next = std::min(next, in_flight_.begin()->first);
      for (auto& [id, m] : nodes_) {
        if (auto due = m->clock.next_due()) next = std::min(next, *due);
      }
      now_ = std::max(now_, next);
      for (auto& [id, m] : nodes_) m->clock.advance_to(now_);
      collect();
      while (!in_flight_.empty() && in_flight_.begin()->first <= now_) {
        auto [to, line] = in_flight_.begin()->second;
        in_flight_.erase(in_flight_.begin());
        deliver(to, line);
      }
      if (now_ >= end) break;
    }
  }

  const Node* node(const std::string& id) const {
    const auto it = nodes_.find(id);
    return it == nodes_.end() ? nullptr : it->second->node.get();
  }
  std::size_t keys_on(const std::string& id) const { return node(id)->store().key_count(); }
  std::string siblings(const std::string& id, const std::string& key_json) const {
    return describe(node(id)->store().find(key_json));
  }
  // Node-to-node messages sent so far, by type, and their bytes.
  std::map<std::string, std::size_t> sent_by_type;
  std::size_t bytes_sent = 0;
  std::size_t longest_line = 0;

 private:
  struct Member {
    Member(const NodeOptions& o, std::size_t max_line, std::function<void(std::string_view)> on_line,
           FileSystem* fs)
        : log(logs, LogLevel::kInfo), node(std::make_unique<Node>(o, out, clock, log, fs)),
          framer(max_line, [on_line](std::string_view l, std::uint64_t) { on_line(l); },
                 [](std::uint64_t, std::uint64_t) { ADD_FAILURE() << "a line over the limit"; }) {}
    ManualScheduler clock;
    std::ostringstream logs;
    Logger log;
    std::string out;
    std::unique_ptr<Node> node;
    LineFramer framer;
  };

  void start(const std::string& id) {
    NodeOptions options = options_;
    options.incarnation = ++incarnations_;  // each process its own, as main draws them
    FileSystem* fs = nullptr;
    if (!options.durability.data_dir.empty()) {
      auto& disk = disks_[id];
      if (!disk) {
        disk = std::make_unique<MemoryFileSystem>(
            [state = std::uint64_t{id.size() * 7919 + id.back()}]() mutable {
              return state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            });
      }
      fs = disk.get();
    }
    auto m = std::make_unique<Member>(
        options, max_line_bytes_,
        [this, id](std::string_view line) { nodes_.at(id)->node->handle_line(line, 0); }, fs);
    m->clock.advance_to(now_);
    nodes_[id] = std::move(m);
    deliver(id, json{{"src", "c0"}, {"dest", id},
                     {"body", {{"type", "init"}, {"msg_id", 0}, {"node_id", id}, {"node_ids", ids_}}}}
                    .dump());
  }

  void deliver(const std::string& to, const std::string& line) {
    const auto it = nodes_.find(to);
    if (it == nodes_.end()) return;  // a dead node hears nothing
    it->second->framer.feed(line + "\n");
    it->second->clock.before_sleep();
    collect();
  }

  void collect() {
    for (auto& [from, m] : nodes_) {
      std::istringstream lines(std::exchange(m->out, std::string()));
      for (std::string line; std::getline(lines, line);) {
        const json msg = json::parse(line);
        const std::string to = msg["dest"];
        if (to[0] == 'c') {
          if (msg["body"].contains("in_reply_to")) {
            const std::uint64_t id = msg["body"]["in_reply_to"];
            replies_[id] = msg["body"];
            ++reply_counts[id];
            reply_lines[id] = line;
          }
          continue;
        }
        ++sent_by_type[msg["body"]["type"]];
        bytes_sent += line.size() + 1;
        longest_line = std::max(longest_line, line.size() + 1);
        if (cut_.count({from, to}) || (drop && drop(from, to, msg["body"]))) continue;
        const std::int64_t extra = delay ? delay(from, to, msg["body"]) : 0;
        in_flight_.emplace(now_ + latency_ms_ + extra, std::make_pair(to, line));
      }
    }
  }

  NodeOptions options_;
  std::int64_t latency_ms_;
  std::size_t max_line_bytes_;
  std::vector<std::string> ids_;
  std::map<std::string, std::unique_ptr<MemoryFileSystem>> disks_;  // (outlive the nodes)
  std::map<std::string, std::unique_ptr<Member>> nodes_;
  std::multimap<std::int64_t, std::pair<std::string, std::string>> in_flight_;
  std::set<std::pair<std::string, std::string>> cut_;
  std::map<std::uint64_t, json> replies_;
  std::uint64_t next_client_msg_ = 1;
  std::uint64_t incarnations_ = 0;
  std::int64_t now_ = 0;
};

}  // namespace vckv
