// The ring in the node (docs/protocol.md §14): placement as the contract computes it, non-replicas
// forwarding client requests, sloppy quorum with hints, replication and anti-entropy only
// between nodes that share keys, and the node-local read. Whole nodes on virtual time
// (test_cluster.hpp).
#include <gtest/gtest.h>

#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "test_cluster.hpp"
#include "../wire/keyed_versions_view.hpp"

namespace vckv {
namespace {

NodeOptions ring_options(std::size_t replicas, std::size_t vnodes = 64) {
  NodeOptions o;
  o.replicas = replicas;
  o.vnodes = vnodes;
  return o;
}

json local_get(TestCluster& c, const std::string& node, const json& key) {
  return c.request(node, {{"type", "local_get"}, {"key", key}});
}

std::vector<std::string> holders(TestCluster& c, const json& key) {
  std::vector<std::string> out;
  for (const std::string& id : c.ids()) {
    if (!local_get(c, id, key)["values"].empty()) out.push_back(id);
  }
  return out;
}

using Ids = std::vector<std::string>;

// Preference lists and fallbacks from the contract's test vectors (computed from its
// definition of the ring), as the node builds its ring from init.
TEST(RingNodeTest, PlacementIsTheContractsRing) {
  TestCluster five(5, ring_options(3));
  const Ring* ring = five.node("n2")->ring();
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(ring->ids(ring->preference_list("\"x\"")), (Ids{"n5", "n1", "n4"}));
  EXPECT_EQ(ring->ids(ring->fallbacks("\"x\"")), (Ids{"n2", "n3"}));
  EXPECT_EQ(ring->ids(ring->preference_list("42")), (Ids{"n4", "n3", "n2"}));
  EXPECT_EQ(ring->ids(ring->preference_list("\"\\u00e9\"")), (Ids{"n4", "n5", "n2"}));
  EXPECT_EQ(ring->ids(ring->preference_list("\"k17\"")), (Ids{"n3", "n5", "n2"}));
  EXPECT_EQ(ring->ids(ring->preference_list("-7")), (Ids{"n1", "n4", "n2"}));
  EXPECT_EQ(ring->ids(ring->fallbacks("\"hello world\"")), (Ids{"n4", "n5"}));
  TestCluster three(3, ring_options(2, 1));
  const Ring* small = three.node("n1")->ring();
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->ids(small->preference_list("\"x\"")), (Ids{"n1", "n3"}));
  EXPECT_EQ(small->ids(small->preference_list("\"k17\"")), (Ids{"n3", "n2"}));
  EXPECT_EQ(small->ids(small->fallbacks("\"hello world\"")), (Ids{"n2"}));
  // Every node holds every key: no ring.
  EXPECT_EQ(TestCluster(3, ring_options(0)).node("n1")->ring(), nullptr);
  EXPECT_EQ(TestCluster(3, ring_options(3)).node("n1")->ring(), nullptr);
}

// Written through a node outside its preference list, a key ends up on its replicas and
// nowhere else.
TEST(RingNodeTest, AKeyIsHeldByItsReplicasOnly) {
  TestCluster c(5, ring_options(3));
  EXPECT_EQ(c.put("n2", "x", "a", {1})["status"], "written");
  EXPECT_EQ(c.put("n3", 42, "b", {1})["status"], "written");
  EXPECT_EQ(c.put("n5", "\u00e9", "c", {1})["status"], "written");
  c.run_for(500);
  EXPECT_EQ(holders(c, "x"), (Ids{"n1", "n4", "n5"}));
  EXPECT_EQ(holders(c, 42), (Ids{"n2", "n3", "n4"}));
  EXPECT_EQ(holders(c, "\u00e9"), (Ids{"n2", "n4", "n5"}));
}

// n2 is no replica of "x" (n5 n1 n4): it forwards to n5, as a request of its own, and answers
// the client with n5's fields, none of the node-to-node ones.
TEST(RingNodeTest, ANonReplicaForwardsAndRelaysTheReplicasAnswer) {
  TestCluster c(5, ring_options(3));
  std::vector<json> forwarded;
  c.drop = [&](const std::string& from, const std::string& to, const json& body) {
    if (body["type"] == "kv_put" || body["type"] == "kv_get") {
      forwarded.push_back({{"from", from}, {"to", to}, {"body", body}});
    }
    return false;
  };
  const std::uint64_t put = c.send("n2", {{"type", "kv_put"}, {"key", "x"}, {"value", "a"},
                                          {"clock", {1}}});
  c.run_for(100);
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0]["from"], "n2");
  EXPECT_EQ(forwarded[0]["to"], "n5");
  EXPECT_TRUE(forwarded[0]["body"].contains("incarnation"));
  const json reply = c.reply(put);
  EXPECT_EQ(reply["type"], "kv_put_ok");
  EXPECT_EQ(reply["status"], "written");
  EXPECT_FALSE(reply.contains("incarnation"));
  EXPECT_EQ(c.reply_counts[put], 1);
  // A get through a non-replica reads what a replica reads, field for field.
  c.put("n5", "x", "b", {0, 0, 0, 0, 1});  // a sibling, written at a replica
  c.run_for(100);
  const std::uint64_t direct = c.send("n5", {{"type", "kv_get"}, {"key", "x"}});
  c.run_for(100);
  const std::uint64_t relayed = c.send("n3", {{"type", "kv_get"}, {"key", "x"}});
  c.run_for(100);
  json a = c.reply(direct), b = c.reply(relayed);
  EXPECT_EQ(b["values"].size(), 2u);
  for (json* r : {&a, &b}) {
    r->erase("msg_id");
    r->erase("in_reply_to");
  }
  EXPECT_EQ(a, b);
  // (Byte for byte: the relayed line is the replica's with its own ids.)
  const std::string line = c.reply_lines[relayed];
  EXPECT_NE(line.find(R"("body": {"type": "kv_get_ok", "in_reply_to": )" + std::to_string(relayed) +
                      R"(, "values": [{"value": "a", "clock": [1]}, {"value": "b", "clock": [0, 0, 0, 0, 1]}], "msg_id": )"),
            std::string::npos)
      << line;
}

// The first replica does not answer: the forward goes to the next, within the client's
// timeout, and the client is answered once even when the first answer comes late.
TEST(RingNodeTest, AnUnansweredForwardGoesToTheNextReplicaAndTheClientIsAnsweredOnce) {
  NodeOptions o = ring_options(3);
  o.replication.request_timeout_ms = 900;
  TestCluster c(5, o);
  std::vector<std::string> asked;
  c.delay = [&](const std::string& from, const std::string& to, const json& body) {
    if (from == "n2" && body["type"] == "kv_put") asked.push_back(to);
    // n5 answers n2 after 600 ms: past its share (a third) of the timeout.
    return from == "n5" && to == "n2" ? std::int64_t{600} : std::int64_t{0};
  };
  const std::int64_t start = c.now();
  const std::uint64_t put = c.send("n2", {{"type", "kv_put"}, {"key", "x"}, {"value", "a"},
                                          {"clock", {1}}});
  c.run_for(2000);
  EXPECT_EQ(asked, (Ids{"n5", "n1"}));
  EXPECT_EQ(c.reply(put)["type"], "kv_put_ok");
  EXPECT_EQ(c.reply_counts[put], 1);
  (void)start;
}

// A replica that left a forward unanswered is asked last by later forwards until it is heard
// from again: a partition costs one request its share of the timeout, not every request.
TEST(RingNodeTest, AReplicaThatMissedAForwardIsAskedLastUntilHeardFrom) {
  NodeOptions o = ring_options(3);
  o.replication.request_timeout_ms = 900;
  TestCluster c(5, o);
  std::vector<std::string> to;
  c.delay = [&](const std::string& from, const std::string& dest, const json& body) {
    if (from == "n2" && body["type"] == "kv_put") to.push_back(dest);
    return std::int64_t{0};
  };
  c.cut("n2", "n5");  // key x: replicas n5, n1, n4
  const std::uint64_t first = c.send("n2", {{"type", "kv_put"}, {"key", "x"}, {"value", "a"},
                                            {"clock", {1}}});
  c.run_for(2000);
  EXPECT_EQ(c.reply(first)["type"], "kv_put_ok");
  EXPECT_EQ(to, (Ids{"n1"}));  // (what the cut swallowed, n2's forward to n5, is not seen here)
  to.clear();
  const std::uint64_t second = c.send("n2", {{"type", "kv_put"}, {"key", "x"}, {"value", "b"},
                                             {"clock", {2}}});
  c.run_for(50);  // n5 asked first would hold it for its share of the timeout, 300 ms
  EXPECT_EQ(c.reply(second)["type"], "kv_put_ok");  // at once, from n1
  EXPECT_EQ(to, (Ids{"n1"}));
  // Once n5 is heard from again, it is the first asked again.
  c.heal();
  c.run_for(3000);  // anti-entropy rounds carry messages from n5 to n2
  to.clear();
  const std::uint64_t third = c.send("n2", {{"type", "kv_put"}, {"key", "x"}, {"value", "c"},
                                            {"clock", {3}}});
  c.run_for(50);
  EXPECT_EQ(c.reply(third)["type"], "kv_put_ok");
  EXPECT_EQ(to, (Ids{"n5"}));
}

// No replica answers: error 0 by the request timeout after the request arrived.
TEST(RingNodeTest, AForwardNoReplicaAnswersIsErrorZeroWithinTheTimeout) {
  NodeOptions o = ring_options(3);
  o.replication.request_timeout_ms = 900;
  TestCluster c(5, o);
  for (const char* r : {"n5", "n1", "n4"}) c.cut("n2", r);
  const std::uint64_t put = c.send("n2", {{"type", "kv_put"}, {"key", "x"}, {"value", "a"},
                                          {"clock", {1}}});
  c.run_for(899);
  EXPECT_TRUE(c.reply(put).is_null());
  c.run_for(2);
  EXPECT_EQ(c.reply(put)["type"], "error");
  EXPECT_EQ(c.reply(put)["code"], 0);
  EXPECT_EQ(c.reply_counts[put], 1);
}

// "stale" from a replica asked after another did not answer may describe this very write
// (the first may have applied it): error 0. From the first replica asked, it is relayed.
TEST(RingNodeTest, StaleFromARetriedForwardIsErrorZero) {
  NodeOptions o = ring_options(3);
  o.replication.request_timeout_ms = 900;
  TestCluster c(5, o);
  EXPECT_EQ(c.put("n5", "x", "a", {1})["status"], "written");
  c.run_for(200);  // n1 and n4 hold it too
  EXPECT_EQ(c.put("n2", "x", "b", {1})["status"], "stale");  // n5 answered: relayed
  c.drop = [](const std::string& from, const std::string& to, const json& body) {
    return from == "n5" && to == "n2" && body["type"] == "kv_put_ok";
  };
  const json retried = c.put("n2", "x", "c", {1});
  EXPECT_EQ(retried["type"], "error");
  EXPECT_EQ(retried["code"], 0);
}

// W = 3 of "x"'s replicas n5 n1 n4 with n4 cut off: at half the timeout n2, the first
// fallback, stands in and takes a hint for n4 (apart from its own keys); the write is
// acknowledged. Once n4 is back, n2 delivers the hint once and drops it.
TEST(RingNodeTest, AStandInHoldsAHintApartAndDeliversItOnceTheReplicaIsBack) {
  NodeOptions o = ring_options(3);
  o.write_quorum = 3;
  TestCluster c(5, o);
  c.isolate("n4");
  const json put = c.put("n5", "x", "a", {1});
  EXPECT_EQ(put["status"], "written");
  const json at_n2 = local_get(c, "n2", "x");
  EXPECT_EQ(at_n2["values"], json::array());
  EXPECT_EQ(at_n2["hints"], json::parse(R"([{"for": "n4", "value": "a", "clock": [1]}])"));
  EXPECT_EQ(local_get(c, "n3", "x")["hints"], json::array());
  EXPECT_EQ(c.node("n2")->store().key_count(), 0u);  // never its own data
  // A read at n2 is forwarded to the replicas: the hint is not served as n2's data.
  EXPECT_EQ(c.get("n2", "x")["values"].size(), 1u);
  std::size_t deliveries = 0;
  c.drop = [&](const std::string& from, const std::string& to, const json& body) {
    if (from == "n2" && to == "n4" && body["type"] == "sync") {
      for (const json& v : body["versions"]) deliveries += test::version_object(v)["key"] == "x";
    }
    return false;
  };
  c.heal();
  c.run_for(3000);
  EXPECT_EQ(deliveries, 1u);
  EXPECT_EQ(local_get(c, "n2", "x")["hints"], json::array());
  EXPECT_TRUE(c.node("n2")->hints().empty());
  EXPECT_EQ(local_get(c, "n4", "x")["values"].size(), 1u);
}

// Through a non-replica, with W = 3 and a replica cut off: the first replica asked has time
// to get a stand-in's hint (at half the timeout) before the forward gives up on it.
TEST(RingNodeTest, AForwardedQuorumWriteWaitsForTheStandIn) {
  NodeOptions o = ring_options(3);
  o.write_quorum = 3;
  TestCluster c(5, o);
  c.isolate("n4");
  const json put = c.put("n3", "x", "a", {1});
  EXPECT_EQ(put.value("status", ""), "written") << put;
  EXPECT_EQ(local_get(c, "n2", "x")["hints"].size(), 1u);
}

// tree_roots (§12): per peer sharing keys, the root and key count of the tree anti-entropy
// compares with it, and the hints held. While a replica is cut off the pairs with it differ and
// a fallback holds a hint; after the heal every pair agrees both ways and no hint is left.
TEST(RingNodeTest, TreeRootsShowTheReplicasAgreeOnlyAfterTheHeal) {
  NodeOptions o = ring_options(3);
  o.write_quorum = 2;
  TestCluster c(5, o);
  auto roots_of = [&](const std::string& node) { return c.request(node, {{"type", "tree_roots"}}); };
  auto agree = [&] {
    for (const std::string& a : c.ids()) {
      const json ra = roots_of(a);
      if (ra["hints"] != 0) return false;
      for (const auto& [b, root] : ra["roots"].items()) {
        const json rb = roots_of(b);
        if (rb["roots"].value(a, json()) != root || rb["counts"].value(a, json()) != ra["counts"][b]) return false;
      }
    }
    return true;
  };
  const json first = roots_of("n1");
  EXPECT_EQ(first["type"], "tree_roots_ok");
  EXPECT_EQ(first["hints"], 0);
  EXPECT_TRUE(agree());
  c.isolate("n4");
  EXPECT_EQ(c.put("n5", "x", "a", {1}).value("status", ""), "written");
  EXPECT_EQ(roots_of("n5")["counts"]["n1"], 1);  // x's replicas: n5, n1, n4
  EXPECT_EQ(roots_of("n5")["counts"]["n4"], 1);
  EXPECT_EQ(roots_of("n4")["counts"]["n5"], 0);
  EXPECT_FALSE(agree());
  c.heal();
  c.run_for(3000);
  EXPECT_TRUE(agree());
  EXPECT_EQ(roots_of("n4")["counts"]["n5"], 1);
}

// Without a ring every peer is compared over the whole store: one tree, the same root for all.
TEST(RingNodeTest, TreeRootsWithoutARingNameEveryPeerWithOneTree) {
  TestCluster c(3, ring_options(0));
  c.put("n1", "x", "a", {1});
  c.run_for(1000);
  const json r = c.request("n2", {{"type", "tree_roots"}});
  ASSERT_EQ(r["roots"].size(), 2u);
  EXPECT_EQ(r["roots"]["n1"], r["roots"]["n3"]);
  EXPECT_EQ(r["counts"], json::parse(R"({"n1": 1, "n3": 1})"));
  EXPECT_EQ(c.request("n1", {{"type", "tree_roots"}})["roots"]["n2"], r["roots"]["n1"]);
}

// The hint is delivered even when the replica's own anti-entropy cannot bring it: only n2
// holds the version besides n5, which dies.
TEST(RingNodeTest, AHintReachesItsReplicaWhenTheOtherReplicasAreGone) {
  NodeOptions o = ring_options(3);
  o.write_quorum = 2;
  TestCluster c(5, o);
  c.isolate("n4");
  c.isolate("n1");
  EXPECT_EQ(c.put("n5", "x", "a", {1})["status"], "written");
  EXPECT_EQ(local_get(c, "n2", "x")["hints"].size(), 1u);
  c.kill("n5");
  c.heal();
  c.run_for(3000);
  EXPECT_EQ(local_get(c, "n4", "x")["values"].size(), 1u);
  EXPECT_EQ(local_get(c, "n1", "x")["values"].size(), 1u);
}

// A full stand-in refuses the hint; the next fallback takes it. With no room anywhere the
// write is not acknowledged.
TEST(RingNodeTest, AFullStandInRefusesAndTheNextFallbackTakesTheHint) {
  NodeOptions o = ring_options(3);
  o.write_quorum = 3;
  o.max_hint_bytes = 10;  // too small for any hint
  TestCluster c(5, o);
  c.isolate("n4");
  const json refused = c.put("n5", "x", "a", {1});
  EXPECT_EQ(refused["type"], "error");
  EXPECT_EQ(refused["code"], 0);
  EXPECT_TRUE(c.node("n2")->hints().empty());
  EXPECT_TRUE(c.node("n3")->hints().empty());
}

TEST(RingNodeTest, WhenTheFirstFallbackIsFullTheNextStandsIn) {
  NodeOptions o = ring_options(3);
  o.write_quorum = 3;
  o.max_hint_bytes = 78;  // one hint of "x" with a one-letter value and a one-entry clock
  TestCluster c(5, o);
  c.isolate("n4");
  EXPECT_EQ(c.put("n5", "x", "a", {1})["status"], "written");
  EXPECT_EQ(c.node("n2")->hints().bytes(), 78u);
  EXPECT_EQ(c.put("n5", "x", "b", {2})["status"], "written");
  EXPECT_EQ(local_get(c, "n2", "x")["hints"],  // full: kept what it held, refused the new
            json::parse(R"([{"for": "n4", "value": "a", "clock": [1]}])"));
  EXPECT_EQ(local_get(c, "n3", "x")["hints"],
            json::parse(R"([{"for": "n4", "value": "b", "clock": [2]}])"));
}

// A fallback that does not answer is replaced by the next within the write's timeout.
TEST(RingNodeTest, ASilentStandInIsReplacedByTheNextFallback) {
  NodeOptions o = ring_options(3);
  o.write_quorum = 3;
  TestCluster c(5, o);
  c.isolate("n4");
  c.drop = [](const std::string& from, const std::string& to, const json& body) {
    return from == "n5" && to == "n2" && body["type"] == "hint";
  };
  EXPECT_EQ(c.put("n5", "x", "a", {1})["status"], "written");
  EXPECT_TRUE(c.node("n2")->hints().empty());
  EXPECT_EQ(local_get(c, "n3", "x")["hints"].size(), 1u);
}

// --debug-forget-hints: the stand-in acknowledges and holds nothing (for the checkers).
TEST(RingNodeTest, ForgetHintsAcknowledgesAndHoldsNothing) {
  NodeOptions o = ring_options(3);
  o.write_quorum = 3;
  o.debug_forget_hints = true;
  TestCluster c(5, o);
  c.isolate("n4");
  EXPECT_EQ(c.put("n5", "x", "a", {1})["status"], "written");
  EXPECT_EQ(local_get(c, "n2", "x")["hints"], json::array());
}

// --sloppy-quorum off: no stand-in is asked, so a write whose other replica is cut off is not
// acknowledged at W=3 (with it on, n5 + n1 + a hint at a fallback acknowledge it, above).
TEST(RingNodeTest, WithoutSloppyQuorumOnlyTheKeysReplicasCountTowardW) {
  NodeOptions o = ring_options(3);
  o.write_quorum = 3;
  o.replication.sloppy_quorum = false;
  TestCluster c(5, o);
  c.isolate("n4");
  std::size_t hints = 0;
  c.drop = [&](const std::string&, const std::string&, const json& body) {
    if (body["type"] == "hint") ++hints;
    return false;
  };
  const json refused = c.put("n5", "x", "a", {1});
  EXPECT_EQ(refused["type"], "error");
  EXPECT_EQ(refused["code"], 0);
  EXPECT_EQ(hints, 0u);
  EXPECT_TRUE(c.node("n2")->hints().empty());
  EXPECT_TRUE(c.node("n3")->hints().empty());
  c.heal();
  EXPECT_EQ(c.put("n5", "x", "b", {2})["status"], "written");
}

// Every sync carries only keys both ends replicate, every node holds only its own keys, and a
// quiet cluster's anti-entropy finds nothing to push (each pair compares only the keys both
// should hold).
TEST(RingNodeTest, ReplicationAndAntiEntropyOnlyBetweenNodesThatShareKeys) {
  NodeOptions o = ring_options(2);
  TestCluster c(5, o);
  std::size_t foreign = 0, synced = 0;
  c.drop = [&](const std::string& from, const std::string& to, const json& body) {
    if (body["type"] != "sync") return false;
    const Ring* ring = c.node(from)->ring();
    for (const json& v : body["versions"]) {
      ++synced;
      const std::string key = test::version_object(v)["key"].dump();
      if (!ring->is_replica(ring->find_node(from), key) ||
          !ring->is_replica(ring->find_node(to), key)) {
        ++foreign;
      }
    }
    return false;
  };
  for (int i = 0; i < 300; ++i) c.put("n" + std::to_string(1 + i % 5), i, i, {1});
  c.run_for(3000);
  EXPECT_GT(synced, 0u);
  EXPECT_EQ(foreign, 0u);
  std::size_t held = 0;
  for (const std::string& id : c.ids()) {
    const Node* n = c.node(id);
    n->store().for_each([&](std::string_view key, Siblings) {
      EXPECT_TRUE(n->ring()->is_replica(n->ring()->find_node(id), key)) << id << " " << key;
      ++held;
    });
  }
  EXPECT_EQ(held, 600u);
  std::uint64_t pushed = 0, rounds = 0;
  for (const std::string& id : c.ids()) {
    pushed += c.node(id)->replicator().anti_entropy_stats().keys_pushed;
    rounds += c.node(id)->replicator().anti_entropy_stats().rounds;
  }
  // Quiet from here: each pair's trees (of the keys both hold) agree at the root, so no
  // exchange descends or lists a key.
  std::size_t trees = 0, keys_listed = 0;
  c.drop = [&](const std::string&, const std::string&, const json& body) {
    if (body["type"] == "tree") ++trees;
    if (body["type"] == "tree_keys") keys_listed += body["keys"].size();
    return false;
  };
  c.run_for(40000);
  EXPECT_GT(trees, 0u);
  EXPECT_EQ(keys_listed, 0u);
  std::uint64_t pushed_after = 0, rounds_after = 0;
  for (const std::string& id : c.ids()) {
    pushed_after += c.node(id)->replicator().anti_entropy_stats().keys_pushed;
    rounds_after += c.node(id)->replicator().anti_entropy_stats().rounds;
  }
  EXPECT_GT(rounds_after, rounds);  // heartbeats compared the trees...
  EXPECT_EQ(pushed_after, pushed);  // ... and found them equal
}

// A replica restarted empty gets its keys back from the nodes it shares them with (and no
// other key).
TEST(RingNodeTest, ARestartedReplicaGetsItsKeysBackThroughAntiEntropy) {
  TestCluster c(5, ring_options(3));
  for (int i = 0; i < 300; ++i) c.put("n" + std::to_string(1 + i % 5), i, i, {1});
  c.run_for(2000);
  const std::size_t before = c.keys_on("n3");
  EXPECT_GT(before, 100u);
  c.kill("n3");
  c.restart("n3");
  c.run_for(5000);
  EXPECT_EQ(c.keys_on("n3"), before);
}

// local_get answers from this node alone, never forwarded.
TEST(RingNodeTest, LocalGetIsNeverForwarded) {
  TestCluster c(5, ring_options(3));
  c.put("n5", "x", "a", {1});
  c.run_for(200);
  std::size_t sent = 0;
  c.drop = [&](const std::string&, const std::string&, const json&) {
    ++sent;
    return false;
  };
  const std::uint64_t id = c.send("n2", {{"type", "local_get"}, {"key", "x"}});
  EXPECT_EQ(sent, 0u);
  const std::string& line = c.reply_lines[id];
  EXPECT_NE(line.find(R"({"type": "local_get_ok", "in_reply_to": )" + std::to_string(id) +
                      R"(, "values": [], "hints": [], "msg_id": )"),
            std::string::npos)
      << line;
  const json here = local_get(c, "n1", "x");
  EXPECT_EQ(here["values"], json::parse(R"([{"value": "a", "clock": [1]}])"));
  EXPECT_EQ(here["hints"], json::array());
}

}  // namespace
}  // namespace vckv

namespace vckv {
namespace {

// The issue's first two numbers, on 9 nodes and 3,000 keys written through nodes in turn
// (each node the first to hear a ninth of them, replica or not): with --replicas 3 each node
// holds between 0.8 and 1.2 times 3/9 of the keys, exactly the keys its ring places on it, and
// the node-to-node bytes per acknowledged write at 500 writes a second (forwards, syncs,
// anti-entropy, until quiet) are at most a third of those with every node holding every key
// (with 10,000 keys: 815 against 2494, and 3006 to 3705 keys a node).
struct Spread {
  std::size_t bytes = 0;
  std::vector<std::size_t> keys_per_node;
};

Spread write_keys(std::size_t replicas, std::size_t keys) {
  NodeOptions o = ring_options(replicas);
  TestCluster c(9, o);
  c.run_for(100);
  const std::size_t start = c.bytes_sent;
  for (std::size_t i = 0; i < keys; ++i) {
    const json reply = c.put("n" + std::to_string(1 + i % 9), "k" + std::to_string(i), i, {1});
    EXPECT_EQ(reply["status"], "written") << i;
    c.run_for(2);  // 500 writes a second
  }
  c.run_for(5000);
  Spread s;
  s.bytes = c.bytes_sent - start;
  for (const std::string& id : c.ids()) {
    const Node* n = c.node(id);
    s.keys_per_node.push_back(n->store().key_count());
    if (!n->ring()) continue;
    for (std::size_t i = 0; i < keys; ++i) {
      const std::string key = "\"k" + std::to_string(i) + "\"";
      EXPECT_EQ(!n->store().find(key).empty(), n->ring()->is_replica(n->ring()->find_node(id), key))
          << id << " " << key;
    }
  }
  return s;
}

TEST(RingNodeTest, NineNodesThreeReplicasBalanceAndSendAThirdOfTheBytes) {
  constexpr std::size_t kKeys = 3000;
  const Spread ring = write_keys(3, kKeys);
  const Spread all = write_keys(0, kKeys);
  for (std::size_t held : ring.keys_per_node) {
    EXPECT_GE(held, kKeys * 3 / 9 * 8 / 10);
    EXPECT_LE(held, kKeys * 3 / 9 * 12 / 10);
  }
  for (std::size_t held : all.keys_per_node) EXPECT_EQ(held, kKeys);
  // (A third of the syncs' bytes; forwarding and hints, which the ring adds, are a few
  // percent of them.)
  EXPECT_LE(ring.bytes * 3, all.bytes * 21 / 20);
  std::string spread;
  for (std::size_t held : ring.keys_per_node) spread += std::to_string(held) + " ";
  std::cout << "keys per node (3 of 9): " << spread << "\nnode-to-node bytes per write: "
            << ring.bytes / kKeys << " with --replicas 3, " << all.bytes / kKeys
            << " with every node holding every key\n";
}

}  // namespace
}  // namespace vckv
