#include "vckv/node.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

namespace vckv {
namespace {

constexpr const char* kInit1 =
    R"({"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}})";

// A node fed lines directly; output bytes and log lines are captured.
struct Harness {
  explicit Harness(NodeOptions options = {}) : log(logs, LogLevel::kInfo), node(options, out, log) {}
  std::string feed(std::initializer_list<std::string_view> lines) {
    out.clear();
    for (std::string_view line : lines) node.handle_line(line, ++line_number);
    return out;
  }
  std::ostringstream logs;
  std::string out;
  Logger log;
  Node node;
  std::uint64_t line_number = 0;
};

TEST(NodeTest, PublishedCourseCaseOne) {
  Harness h;
  EXPECT_EQ(
      h.feed({kInit1,
              R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"x","value":"hello","clock":[1,0]}})",
              R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":3,"key":"x"}})"}),
      R"({"src": "n1", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": 1, "msg_id": 0}}
{"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 1}}
{"src": "n1", "dest": "c1", "body": {"type": "kv_get_ok", "in_reply_to": 3, "values": [{"value": "hello", "clock": [1, 0]}], "msg_id": 2}}
)");
}

TEST(NodeTest, PublishedCourseCaseTwo) {
  Harness h;
  h.feed({kInit1});
  EXPECT_EQ(
      h.feed({R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"x","value":"v1","clock":[1,0]}})",
              R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":3,"key":"x","value":"v2","clock":[0,1]}})",
              R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":4,"key":"x"}})"}),
      R"({"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 1}}
{"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 3, "status": "conflict", "siblings": 2, "msg_id": 2}}
{"src": "n1", "dest": "c1", "body": {"type": "kv_get_ok", "in_reply_to": 4, "values": [{"value": "v1", "clock": [1, 0]}, {"value": "v2", "clock": [0, 1]}], "msg_id": 3}}
)");
}

TEST(NodeTest, BeforeInitRequestsGetErrorElevenFromTheirDest) {
  Harness h;
  EXPECT_EQ(h.feed({R"({"src":"c1","dest":"n9","body":{"type":"kv_get","msg_id":5,"key":"x"}})"}),
            R"({"src": "n9", "dest": "c1", "body": {"type": "error", "in_reply_to": 5, "code": 11, "text": "kv_get: node is not initialised; send init first", "msg_id": 0}})"
            "\n");
}

TEST(NodeTest, WrongDestIsDroppedWithAWarning) {
  Harness h;
  h.feed({kInit1});
  EXPECT_EQ(h.feed({R"({"src":"c1","dest":"n2","body":{"type":"kv_get","msg_id":5,"key":"x"}})"}), "");
  EXPECT_NE(h.logs.str().find("vclock-kv[n1] warn: line 2: dest \"n2\" is not this node (\"n1\"); dropped"),
            std::string::npos)
      << h.logs.str();
}

TEST(NodeTest, GarbageIsLoggedWithItsLineNumber) {
  Harness h;
  EXPECT_EQ(h.feed({"not json", R"({"dest":"n1"})"}), "");
  EXPECT_EQ(h.logs.str(),
            "vclock-kv warn: line 1: not a JSON object; skipped\n"
            "vclock-kv warn: line 2: no string \"src\"; skipped\n");
}

TEST(NodeTest, ReInit) {
  Harness h;
  h.feed({kInit1});
  EXPECT_EQ(h.feed({kInit1}),
            R"({"src": "n1", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": 1, "msg_id": 1}})"
            "\n");
  EXPECT_EQ(
      h.feed({R"({"src":"c0","dest":"n1","body":{"type":"init","msg_id":2,"node_id":"n1","node_ids":["n1","n2"]}})"}),
      R"({"src": "n1", "dest": "c0", "body": {"type": "error", "in_reply_to": 2, "code": 22, "text": "init: already initialised as \"n1\" in [\"n1\"]", "msg_id": 2}})"
      "\n");
}

TEST(NodeTest, SiblingLimitIsErrorTwentyTwo) {
  NodeOptions options;
  options.max_siblings = 1;
  Harness h(options);
  h.feed({kInit1, R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":7,"value":1,"clock":[1,0]}})"});
  EXPECT_EQ(h.feed({R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":3,"key":7,"value":2,"clock":[0,1]}})"}),
            R"j({"src": "n1", "dest": "c1", "body": {"type": "error", "in_reply_to": 3, "code": 22, "text": "kv_put: key 7 would have 2 siblings, more than --max-siblings (1)", "msg_id": 2}})j"
            "\n");
}

TEST(NodeTest, SyncOnlyFromClusterMembers) {
  Harness h;
  h.feed({kInit1});
  EXPECT_EQ(
      h.feed({R"({"src":"c1","dest":"n1","body":{"type":"sync","msg_id":4,"versions":[{"key":"x","value":1,"clock":[1]}]}})"}),
      R"({"src": "n1", "dest": "c1", "body": {"type": "error", "in_reply_to": 4, "code": 10, "text": "sync: only accepted from other nodes of the cluster, not \"c1\"", "msg_id": 1}})"
      "\n");
  EXPECT_EQ(h.node.store().key_count(), 0u);
}

// --- Replication between nodes ----------------------------------------------------------------

constexpr const char* kInit2 =
    R"({"src":"c0","dest":"%s","body":{"type":"init","msg_id":1,"node_id":"%s","node_ids":["n1","n2"]}})";

std::string init_line(const char* pattern, const std::string& id) {
  std::string s = pattern;
  for (std::size_t at; (at = s.find("%s")) != std::string::npos;) s.replace(at, 2, id);
  return s;
}

TEST(NodeTest, ClientWriteIsSentToPeersAndRetriedUntilAcknowledged) {
  Harness a;
  a.feed({init_line(kInit2, "n1")});
  a.feed({R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"x","value":"v","clock":[1]}})"});
  a.out.clear();
  a.node.send_pending_syncs(1000);
  EXPECT_EQ(a.out, R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "versions": [{"key": "x", "value": "v", "clock": [1]}], "msg_id": 2}})"
                   "\n");
  a.out.clear();
  EXPECT_EQ(a.node.retry_unacknowledged_syncs(1050), 50);
  EXPECT_EQ(a.out, "");
  a.node.retry_unacknowledged_syncs(1100);  // unacknowledged for 100 ms: sent again
  EXPECT_NE(a.out.find(R"("type": "sync")"), std::string::npos);
  EXPECT_NE(a.out.find(R"("msg_id": 3)"), std::string::npos);
  a.out.clear();
  a.node.handle_line(R"({"src":"n2","dest":"n1","body":{"type":"sync_ok","in_reply_to":3}})", 9);
  EXPECT_EQ(a.node.syncs_in_flight(), 0u);
  a.node.retry_unacknowledged_syncs(5000);
  EXPECT_EQ(a.out, "");
}

// n1 takes a write and reaches only n2 before it stops: n2 passes the version on to n3.
TEST(NodeTest, MergedVersionsAreForwardedToTheOtherPeers) {
  constexpr const char* kInit3 =
      R"({"src":"c0","dest":"%s","body":{"type":"init","msg_id":1,"node_id":"%s","node_ids":["n1","n2","n3"]}})";
  Harness n2;
  n2.feed({init_line(kInit3, "n2")});
  n2.out.clear();
  n2.node.handle_line(R"({"src":"n1","dest":"n2","body":{"type":"sync","msg_id":7,"versions":[{"key":"x","value":"v","clock":[1]}]}})", 2);
  n2.node.send_pending_syncs(0);
  EXPECT_EQ(n2.out, R"({"src": "n2", "dest": "n1", "body": {"type": "sync_ok", "in_reply_to": 7, "msg_id": 1}})"
                    "\n");  // nothing is sent on at once
  n2.out.clear();
  n2.node.forward_merged_versions(1000);
  EXPECT_EQ(n2.out, R"({"src": "n2", "dest": "n3", "body": {"type": "sync", "versions": [{"key": "x", "value": "v", "clock": [1]}], "msg_id": 2}})"
                    "\n");  // to n3 only: n1 sent it
  n2.out.clear();
  n2.node.handle_line(R"({"src":"n3","dest":"n2","body":{"type":"sync","msg_id":3,"versions":[{"key":"x","value":"v","clock":[1]}]}})", 3);
  n2.out.clear();
  n2.node.forward_merged_versions(2000);  // a merge that changed nothing is not passed on
  EXPECT_EQ(n2.out, "");
}

TEST(NodeTest, DebugNoReplicationSendsNothing) {
  NodeOptions options;
  options.replicate = false;
  Harness a(options);
  a.feed({init_line(kInit2, "n1"),
          R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"x","value":"v","clock":[1]}})"});
  a.out.clear();
  a.node.send_pending_syncs(0);
  a.node.retry_unacknowledged_syncs(100000);
  EXPECT_EQ(a.out, "");
}

// Three nodes, random client writes, and a network that drops, duplicates and reorders
// node-to-node messages. Once the network is fair again the replicas must converge, and every
// acknowledged write must be stored or dominated (PROTOCOL §11).
TEST(NodePropertyTest, ReplicasConvergeOverALossyNetwork) {
  const std::vector<std::string> ids = {"n1", "n2", "n3"};
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    std::mt19937_64 rng(seed);
    std::ostringstream sink;
    Logger log(sink, LogLevel::kError);
    std::map<std::string, std::string> outs;
    std::map<std::string, std::unique_ptr<Node>> nodes;
    for (const auto& id : ids) nodes[id] = std::make_unique<Node>(NodeOptions{}, outs[id], log);
    std::deque<std::pair<std::string, std::string>> network;  // (dest, line)
    std::vector<std::pair<std::string, nlohmann::json>> acked;  // (key, version)
    std::map<std::string, nlohmann::json> pending_puts;        // by "node/msg_id"
    std::int64_t now = 0;
    std::uint64_t line_no = 0;

    auto collect = [&](const std::string& from) {
      std::istringstream lines(outs[from]);
      outs[from].clear();
      for (std::string line; std::getline(lines, line);) {
        const auto msg = nlohmann::json::parse(line);
        const std::string dest = msg["dest"];
        if (dest[0] == 'n') {
          network.emplace_back(dest, line);
        } else if (msg["body"]["type"] != "init_ok") {
          const std::string status = msg["body"].value("status", "");
          const auto key = from + "/" + msg["body"]["in_reply_to"].dump();
          if (status == "written" || status == "conflict") acked.emplace_back(pending_puts[key]["key"].dump(), pending_puts[key]);
        }
      }
    };
    auto deliver = [&](bool lossy) {
      if (network.empty()) return;
      std::size_t i = lossy ? rng() % network.size() : 0;
      auto [dest, line] = network[i];
      network.erase(network.begin() + static_cast<std::ptrdiff_t>(i));
      if (lossy && rng() % 5 == 0) return;                       // dropped
      if (lossy && rng() % 10 == 0) network.emplace_back(dest, line);  // duplicated
      nodes[dest]->handle_line(line, ++line_no);
      nodes[dest]->send_pending_syncs(now);
      collect(dest);
    };

    for (const auto& id : ids) {
      nodes[id]->handle_line(init_line(
          R"({"src":"c0","dest":"%s","body":{"type":"init","msg_id":1,"node_id":"%s","node_ids":["n1","n2","n3"]}})", id), ++line_no);
      collect(id);
    }
    for (int step = 0; step < 300; ++step) {
      now += 7;
      if (rng() % 2 == 0) {
        const std::string& id = ids[rng() % ids.size()];
        nlohmann::json body = {{"type", "kv_put"}, {"msg_id", step}, {"key", "k" + std::to_string(rng() % 4)},
                               {"value", "v" + std::to_string(step)},
                               {"clock", {rng() % 3, rng() % 3, rng() % 3}}};
        pending_puts[id + "/" + std::to_string(step)] = {{"key", body["key"]}, {"value", body["value"]}, {"clock", body["clock"]}};
        nodes[id]->handle_line(nlohmann::json{{"src", "c1"}, {"dest", id}, {"body", body}}.dump(), ++line_no);
        nodes[id]->send_pending_syncs(now);
        collect(id);
      } else {
        deliver(true);
      }
      if (step % 20 == 0) {
        for (const auto& id : ids) {
          nodes[id]->retry_unacknowledged_syncs(now);
          collect(id);
        }
      }
    }
    // Fair network: deliver everything, let retries fire, until nothing is in flight.
    for (int round = 0; round < 200; ++round) {
      while (!network.empty()) deliver(false);
      std::size_t in_flight = 0;
      for (const auto& id : ids) in_flight += nodes[id]->syncs_in_flight();
      if (in_flight == 0) break;
      now += 1000;
      for (const auto& id : ids) {
        nodes[id]->retry_unacknowledged_syncs(now);
        collect(id);
      }
    }
    auto as_set = [](const SiblingSet* siblings) {
      std::set<std::string> s;
      if (siblings) {
        for (VersionView v : *siblings) s.insert(std::string(v.value) + "@" + v.clock().to_json());
      }
      return s;
    };
    for (const auto& [key, ignored] : nodes["n1"]->store().keys()) {
      EXPECT_EQ(as_set(nodes["n1"]->store().find(key)), as_set(nodes["n2"]->store().find(key))) << "seed " << seed << " key " << key;
      EXPECT_EQ(as_set(nodes["n1"]->store().find(key)), as_set(nodes["n3"]->store().find(key))) << "seed " << seed << " key " << key;
    }
    EXPECT_EQ(nodes["n1"]->store().key_count(), nodes["n2"]->store().key_count());
    for (const auto& [key, version] : acked) {
      const VectorClock clock(version["clock"].get<std::vector<std::uint64_t>>());
      const std::string value = version["value"].dump(-1, ' ', true);
      bool kept = false;
      for (VersionView s : *nodes["n2"]->store().find(key)) {
        if ((s.value == value && s.clock().equals(clock)) || s.clock().dominates(clock)) kept = true;
      }
      EXPECT_TRUE(kept) << "seed " << seed << ": acknowledged " << value << "@" << clock.to_json() << " lost";
    }
  }
}

}  // namespace
}  // namespace vckv
