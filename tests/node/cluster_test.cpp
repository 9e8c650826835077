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

#include "test_cluster.hpp"

namespace vckv {
namespace {

using nlohmann::json;


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

// Delta syncs' memory follows the keys with siblings: a key whose siblings a peer's version
// resolves (merged here from its sync) no longer keeps what the peers were known to hold.
TEST(ClusterTest, AKeyResolvedByAPeerDropsItsDeltaSyncMemory) {
  TestCluster c(2, NodeOptions{});
  const auto count = [&](const std::string& id) { return c.node(id)->store().find("\"x\"").size(); };
  c.cut("n1", "n2");
  ASSERT_EQ(c.put("n1", "x", "a", {1, 0, 0})["status"], "written");
  ASSERT_EQ(c.put("n2", "x", "b", {0, 1, 0})["status"], "written");
  c.heal();
  c.run_for(3000);  // each gets the other's version
  ASSERT_EQ(count("n1"), 2u);
  ASSERT_EQ(count("n2"), 2u);
  // A third sibling written at n1 goes to n2 with the other two; n2 acknowledges all three.
  ASSERT_EQ(c.put("n1", "x", "c", {0, 0, 1})["status"], "conflict");
  c.run_for(500);
  ASSERT_EQ(count("n2"), 3u);
  EXPECT_EQ(c.node("n1")->replicator().keys_with_known_holdings(), 1u);
  ASSERT_EQ(c.put("n2", "x", "resolved", {2, 2, 2})["status"], "written");
  c.run_for(500);
  EXPECT_EQ(c.siblings("n1", "\"x\""), "\"resolved\"@[2, 2, 2]");
  EXPECT_EQ(c.node("n1")->replicator().keys_with_known_holdings(), 0u);
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
