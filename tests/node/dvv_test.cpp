// Server-assigned clocks (docs/protocol.md §17) in whole nodes: dots and contexts, merges
// between nodes in either order, dots never issued twice across restarts (and the broken
// option that does), quorums, the ring (a forwarded dvv_update is never retried elsewhere),
// and reaping of dotted tombstones.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "test_cluster.hpp"

namespace vckv {
namespace {

NodeOptions server_clocks(std::int64_t grace_ms = 60000) {
  NodeOptions o;
  o.server_clocks = true;
  o.durability.data_dir = "/data";
  o.tombstone_grace_ms = grace_ms;
  return o;
}

json update(TestCluster& c, const std::string& node, const json& key, const json& value,
            const json& context) {
  return c.request(node, {{"type", "dvv_update"}, {"key", key}, {"value", value}, {"context", context}});
}
json remove(TestCluster& c, const std::string& node, const json& key, const json& context) {
  return c.request(node, {{"type", "dvv_delete"}, {"key", key}, {"context", context}});
}
json read(TestCluster& c, const std::string& node, const json& key) {
  return c.request(node, {{"type", "dvv_get"}, {"key", key}});
}
// The values a read shows, as a set.
std::set<std::string> values_of(const json& got) {
  std::set<std::string> out;
  for (const json& v : got["values"]) out.insert(v["value"].dump());
  return out;
}

TEST(DvvTest, ConcurrentContextsMakeSiblingsAndAReadContextSupersedesThem) {
  TestCluster c(3, server_clocks());
  const json a = update(c, "n1", "x", "a", json::object());
  EXPECT_EQ(a["dot"], json::array({"n1", 1}));
  c.run_for(500);
  // Two clients that read nothing write at two nodes: two siblings everywhere.
  EXPECT_EQ(update(c, "n2", "x", "b", {{"n1", 1}})["dot"], json::array({"n2", 1}));
  EXPECT_EQ(update(c, "n3", "x", "c", {{"n1", 1}})["dot"], json::array({"n3", 1}));
  c.run_for(2000);
  json got;
  for (const std::string& id : c.ids()) {
    got = read(c, id, "x");
    EXPECT_EQ(values_of(got), (std::set<std::string>{"\"b\"", "\"c\""})) << id;
    EXPECT_EQ(got["context"], json({{"n1", 1}, {"n2", 1}, {"n3", 1}})) << id;
  }
  // The context of that read supersedes both; a stale context (the one b was written with)
  // supersedes neither b nor c's successor, so it stays a sibling.
  EXPECT_EQ(update(c, "n2", "x", "resolved", got["context"])["version_vector"], got["context"]);
  c.run_for(2000);
  for (const std::string& id : c.ids()) {
    EXPECT_EQ(values_of(read(c, id, "x")), std::set<std::string>{"\"resolved\""}) << id;
  }
  EXPECT_EQ(update(c, "n3", "x", "late", {{"n1", 1}})["dot"], json::array({"n3", 2}));
  c.run_for(2000);
  for (const std::string& id : c.ids()) {
    EXPECT_EQ(values_of(read(c, id, "x")), (std::set<std::string>{"\"resolved\"", "\"late\""})) << id;
  }
}

// The same two versions reach a node in either order: it holds the same set.
TEST(DvvTest, MergesBetweenNodesAgreeInEitherOrder) {
  const json older = {{"key", "x"}, {"value", "a"}, {"clock", json::array()}, {"dot", {0, 1}}};
  const json newer = {{"key", "x"}, {"value", "b"}, {"clock", {1}}, {"dot", {1, 1}}};
  const json concurrent = {{"key", "x"}, {"value", "c"}, {"clock", json::array()}, {"dot", {2, 1}}};
  std::vector<std::set<std::string>> seen;
  for (const auto& order : {std::vector<json>{older, newer, concurrent},
                            std::vector<json>{concurrent, newer, older}}) {
    NodeOptions o = server_clocks();
    o.replication.enabled = false;
    TestCluster c(3, o);
    for (const json& v : order) {
      c.inject("n3", {{"src", "n2"}, {"dest", "n3"},
                      {"body", {{"type", "sync"}, {"incarnation", 1}, {"msg_id", 1},
                                {"versions", json::array({v})}}}});
    }
    const json got = read(c, "n3", "x");
    EXPECT_EQ(values_of(got), (std::set<std::string>{"\"b\"", "\"c\""}));
    std::set<std::string> versions;  // (as a set: their order may differ)
    for (const json& v : got["values"]) versions.insert(v.dump());
    seen.push_back(versions);
  }
  EXPECT_EQ(seen[0], seen[1]);
}

// §17's central promise: a node never issues a dot twice for a key, across a power loss right
// after the acknowledgement, a key superseded by another node's version, and reaping.
TEST(DvvTest, ARestartedNodeNeverIssuesADotAgain) {
  TestCluster c(2, server_clocks(/*grace_ms=*/500));
  EXPECT_EQ(update(c, "n1", "x", "a", json::object())["dot"], json::array({"n1", 1}));
  EXPECT_EQ(update(c, "n1", "x", "b", {{"n1", 1}})["dot"], json::array({"n1", 2}));
  c.run_for(500);
  // n2 supersedes both with a context that names only n1's second dot... and then its own
  // version is superseded by one whose context names n2 alone: no version left names n1's
  // counter 2, only n1's record does.
  EXPECT_EQ(update(c, "n2", "x", "c", {{"n1", 2}})["dot"], json::array({"n2", 1}));
  EXPECT_EQ(update(c, "n2", "x", "d", {{"n2", 1}})["dot"], json::array({"n2", 2}));
  c.run_for(1000);
  EXPECT_EQ(c.siblings("n1", "\"x\""), c.siblings("n2", "\"x\""));
  c.kill("n1", CrashKind::kPowerLoss);
  c.restart("n1");
  c.run_for(100);
  EXPECT_EQ(update(c, "n1", "x", "e", {{"n2", 2}})["dot"], json::array({"n1", 3}));
  // Deleted and reaped everywhere: the record stays, on disk too.
  const json got = read(c, "n1", "x");
  EXPECT_EQ(remove(c, "n1", "x", got["context"])["dot"], json::array({"n1", 4}));
  c.run_for(5000);
  EXPECT_EQ(c.keys_on("n1"), 0u);
  EXPECT_EQ(c.keys_on("n2"), 0u);
  c.kill("n1", CrashKind::kPowerLoss);
  c.restart("n1");
  c.run_for(100);
  EXPECT_EQ(update(c, "n1", "x", "f", json::object())["dot"], json::array({"n1", 5}));
}

// The broken option the checkers must catch: dots from a counter in memory alone.
TEST(DvvTest, DebugVolatileDotCountersReissuesDotsAfterARestart) {
  NodeOptions o = server_clocks();
  o.debug_volatile_dot_counters = true;
  TestCluster c(2, o);
  EXPECT_EQ(update(c, "n1", "x", "a", json::object())["dot"], json::array({"n1", 1}));
  c.run_for(500);
  c.kill("n1", CrashKind::kProcess);
  c.restart("n1");
  c.run_for(100);
  EXPECT_EQ(update(c, "n1", "x", "b", json::object())["dot"], json::array({"n1", 1}));
}

TEST(DvvTest, AQuorumWriteWaitsForItsReplicasAndAQuorumReadMergesTheirs) {
  NodeOptions o = server_clocks();
  o.write_quorum = 3;
  o.read_quorum = 2;
  TestCluster c(3, o);
  EXPECT_EQ(update(c, "n1", "x", "a", json::object())["type"], "dvv_update_ok");
  for (const std::string& id : c.ids()) EXPECT_EQ(c.keys_on(id), 1u) << id;
  c.cut("n1", "n3");
  const json timed_out = update(c, "n1", "x", "b", {{"n1", 1}});
  EXPECT_EQ(timed_out["code"], 0);
  // A quorum read at n3 merges n2's answer: it sees b, which n3 never got.
  c.cut("n2", "n3");
  c.heal();
  c.cut("n1", "n3");
  const json got = read(c, "n3", "x");
  EXPECT_EQ(values_of(got), std::set<std::string>{"\"b\""});
}

TEST(DvvTest, AClusterWithoutALoggedCounterRefusesToStart) {
  NodeOptions o;
  o.server_clocks = true;
  TestCluster c(2, o);
  EXPECT_FALSE(c.node("n1")->initialised());
  EXPECT_NE(c.logs("n1").find("--clocks server in a cluster needs --data-dir DIR with --fsync "
                              "batch"),
            std::string::npos);
}

// §14: only replicas issue dots; a forward to a replica that does not answer is not retried at
// another one (the first may have issued a dot), and the client learns so by error 0.
TEST(DvvTest, AForwardedUpdateIsNeverRetriedElsewhere) {
  NodeOptions o = server_clocks();
  o.replicas = 2;
  TestCluster c(4, o);
  // A key n4 does not replicate, and its first replica.
  Ring ring(c.ids(), 2, o.vnodes);
  std::string key, first;
  for (int i = 0; key.empty(); ++i) {
    const std::string k = "k" + std::to_string(i);
    const auto list = ring.ids(ring.preference_list(ring.arc_of_key("\"" + k + "\"")));
    if (std::find(list.begin(), list.end(), "n4") == list.end()) {
      key = k;
      first = list[0];
    }
  }
  const json ok = update(c, "n4", key, "a", json::object());
  EXPECT_EQ(ok["type"], "dvv_update_ok");
  EXPECT_EQ(ok["dot"][0], first);
  c.cut("n4", first);
  const std::size_t updates_before = c.sent_by_type["dvv_update"];
  const json failed = update(c, "n4", key, "b", json::object());
  EXPECT_EQ(failed["code"], 0);
  EXPECT_EQ(c.sent_by_type["dvv_update"], updates_before + 1);  // one forward, no retry
}

// A forward the network delivers twice is one write: one dot, not two versions of one value
// (the simulator found the second dot as a phantom version with --replicas 3).
TEST(DvvTest, ADuplicatedForwardIsWrittenOnce) {
  TestCluster c(2, server_clocks());
  const json forward = {{"src", "n2"}, {"dest", "n1"},
                        {"body", {{"type", "dvv_update"}, {"incarnation", 9}, {"msg_id", 5},
                                  {"key", "x"}, {"value", "a"}, {"context", json::object()}}}};
  c.inject("n1", forward);
  c.inject("n1", forward);
  EXPECT_EQ(c.node("n1")->store().find("\"x\"").size(), 1u);
  // Another forward (another msg_id) is another write.
  json other = forward;
  other["body"]["msg_id"] = 6;
  c.inject("n1", other);
  EXPECT_EQ(c.node("n1")->store().find("\"x\"").size(), 2u);
}

}  // namespace
}  // namespace vckv
