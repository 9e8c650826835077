// Whole nodes in one process on virtual time, their messages carried by a small network with
// latency, cut links, kills and restarts: crash tolerance end to end (docs/protocol.md §11-12).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "vckv/node/node.hpp"
#include "vckv/runtime/event_loop.hpp"
#include "vckv/runtime/manual_scheduler.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {
namespace {

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

  void kill(const std::string& id) { nodes_.erase(id); }
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
    Member(const NodeOptions& o, std::size_t max_line, std::function<void(std::string_view)> on_line)
        : log(logs, LogLevel::kError), node(std::make_unique<Node>(o, out, clock, log)),
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
    auto m = std::make_unique<Member>(options_, max_line_bytes_, [this, id](std::string_view line) {
      nodes_.at(id)->node->handle_line(line, 0);
    });
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
          if (msg["body"].contains("in_reply_to")) replies_[msg["body"]["in_reply_to"]] = msg["body"];
          continue;
        }
        ++sent_by_type[msg["body"]["type"]];
        bytes_sent += line.size() + 1;
        longest_line = std::max(longest_line, line.size() + 1);
        if (cut_.count({from, to}) || (drop && drop(from, to, msg["body"]))) continue;
        in_flight_.emplace(now_ + latency_ms_, std::make_pair(to, line));
      }
    }
  }

  NodeOptions options_;
  std::int64_t latency_ms_;
  std::size_t max_line_bytes_;
  std::vector<std::string> ids_;
  std::map<std::string, std::unique_ptr<Member>> nodes_;
  std::multimap<std::int64_t, std::pair<std::string, std::string>> in_flight_;
  std::set<std::pair<std::string, std::string>> cut_;
  std::map<std::uint64_t, json> replies_;
  std::uint64_t next_client_msg_ = 1;
  std::int64_t now_ = 0;
};

// A node killed after 2000 keys were written comes back empty; with no further writes,
// anti-entropy brings it every key within two intervals.
TEST(ClusterTest, ARestartedNodeGetsEveryKeyBackWithinTwoAntiEntropyIntervals) {
  TestCluster c(3, NodeOptions{});
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(c.put("n" + std::to_string(1 + i % 3), i, "v", {1})["status"], "written");
  }
  c.run_for(3000);
  ASSERT_EQ(c.keys_on("n3"), 2000u);
  c.kill("n3");
  c.run_for(500);
  c.restart("n3");
  EXPECT_EQ(c.keys_on("n3"), 0u);
  c.run_for(2000);  // two --anti-entropy-interval-ms
  EXPECT_EQ(c.keys_on("n3"), 2000u);
  EXPECT_EQ(c.siblings("n3", "1999"), "\"v\"@[1]");
}

// Isolate n1, write through it, kill it, heal: at W = 1 the write was acknowledged and is on
// no node; at W = 2 it is never acknowledged (error 0: the client knows it may be lost).
TEST(ClusterTest, AWriteAcknowledgedByADyingIsolatedNodeIsLostOnlyAtWriteQuorumOne) {
  for (std::size_t w : {1u, 2u}) {
    NodeOptions options;
    options.write_quorum = w;
    TestCluster c(3, options);
    c.isolate("n1");
    const json reply = c.put("n1", "x", "doomed", {1});
    if (w == 1) {
      EXPECT_EQ(reply["status"], "written");
    } else {
      EXPECT_EQ(reply["type"], "error");
      EXPECT_EQ(reply["code"], 0);
      EXPECT_EQ(reply["text"], "kv_put: timed out after 1000 ms: 1 of the 2 replicas --write-quorum "
                               "asks for hold the write; it is stored here and may still reach "
                               "the others");
    }
    c.kill("n1");
    c.heal();
    c.run_for(5000);
    EXPECT_EQ(c.siblings("n2", "\"x\""), "") << "W = " << w;
    EXPECT_EQ(c.siblings("n3", "\"x\""), "") << "W = " << w;
  }
}

// With W = 2 of 3, a write is acknowledged as soon as one peer holds it, also while the third
// is cut off; the status is the node's own apply.
TEST(ClusterTest, AWriteQuorumIsReachedWithoutTheSlowestReplica) {
  NodeOptions options;
  options.write_quorum = 2;
  TestCluster c(3, options);
  c.cut("n1", "n3");
  EXPECT_EQ(c.put("n1", "x", "a", {1, 0})["status"], "written");
  EXPECT_EQ(c.siblings("n2", "\"x\""), "\"a\"@[1, 0]");
  EXPECT_EQ(c.siblings("n3", "\"x\""), "");
  EXPECT_EQ(c.put("n1", "x", "b", {0, 1})["status"], "conflict");
  EXPECT_EQ(c.put("n1", "x", "c", {0, 1})["status"], "stale");  // answered at once
  c.heal();
  c.run_for(3000);
  EXPECT_EQ(c.siblings("n3", "\"x\""), "\"a\"@[1, 0] \"b\"@[0, 1]");
}

// A write that reached only n1 (its syncs are lost): a get at n2 with R = 3 reads every
// replica, answers with n1's version, and repairs n3, which lacked it.
TEST(ClusterTest, AQuorumReadSeesWhatOneReplicaHoldsAndRepairsTheOthers) {
  NodeOptions options;
  options.read_quorum = 3;
  options.replication.anti_entropy_interval_ms = 3600000;  // only the read may repair
  TestCluster c(3, options);
  c.drop = [](const std::string& from, const std::string&, const json& body) {
    return from == "n1" && body["type"] == "sync";
  };
  c.put("n1", "x", "only-n1", {1});
  c.run_for(500);
  EXPECT_EQ(c.siblings("n3", "\"x\""), "");
  const json reply = c.get("n2", "x");
  EXPECT_EQ(reply["values"], json::parse(R"([{"value": "only-n1", "clock": [1]}])"));
  c.run_for(500);
  EXPECT_EQ(c.siblings("n3", "\"x\""), "\"only-n1\"@[1]");  // read repair
  // With a replica unreachable, R = 3 cannot be met: error 11.
  c.isolate("n3");
  const json failed = c.get("n2", "x");
  EXPECT_EQ(failed["code"], 11);
  EXPECT_EQ(failed["text"], "kv_get: 2 of the 3 replicas --read-quorum asks for answered within 1000 ms");
}

// 17 concurrent siblings of 1 MiB each are more than one 16 MiB line: they reach every replica
// in messages within the line limit.
TEST(ClusterTest, SeventeenOneMebibyteSiblingsConvergeAfterAHeal) {
  TestCluster c(3, NodeOptions{});
  c.isolate("n1");
  const std::string mib(1 << 20, 'm');
  for (std::size_t i = 0; i < 17; ++i) {
    std::vector<std::uint64_t> clock(17, 0);
    clock[i] = 1;
    c.put("n1", "big", mib + std::to_string(i), clock);
  }
  c.heal();
  c.run_for(5000);
  for (const char* id : {"n1", "n2", "n3"}) {
    EXPECT_EQ(c.node(id)->store().find("\"big\"").size(), 17u) << id;
  }
  EXPECT_LE(c.longest_line, std::size_t{16} << 20);
}

// No faults: a write costs each peer one sync (batched), no resends; anti-entropy adds little.
TEST(ClusterTest, AHealthyClusterSendsAboutOneSyncPerPeerPerWrite) {
  TestCluster c(5, NodeOptions{}, /*latency_ms=*/50);
  std::size_t acknowledged = 0;
  for (int i = 0; i < 300; ++i) {
    const json r = c.put("n" + std::to_string(1 + i % 5), i % 40, i, {static_cast<std::uint64_t>(i + 1)});
    acknowledged += r["status"] == "written" || r["status"] == "conflict";
    c.run_for(20);
  }
  c.run_for(5000);
  const double per_write = static_cast<double>(c.sent_by_type["sync"]) / static_cast<double>(acknowledged);
  EXPECT_LE(per_write, 1.1 * 4) << c.sent_by_type["sync"] << " syncs for " << acknowledged << " writes";
}

}  // namespace
}  // namespace vckv
