// Deletes end to end (docs/protocol.md §16): tombstones replicate, count toward quorums, travel
// through anti-entropy and read repair; reaping waits for every replica and every node to have
// been clear of what the tombstones dominate for the grace period, never happens while a
// replica is unreachable, and what it removed does not come back
// through a late or repeated message. Whole nodes on virtual time (test_cluster.hpp).
#include <gtest/gtest.h>

#include <string>

#include "test_cluster.hpp"

namespace vckv {
namespace {

json del(TestCluster& c, const std::string& node, const json& key, std::vector<std::uint64_t> clock) {
  return c.request(node, {{"type", "kv_delete"}, {"key", key}, {"clock", clock}});
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

json sync_from(const std::string& from, const std::string& to, const json& versions) {
  return json{{"src", from},
              {"dest", to},
              {"body", {{"type", "sync"}, {"msg_id", 900}, {"incarnation", 7}, {"versions", versions}}}};
}

TEST(DeleteTest, ATombstoneReplicatesAndCountsTowardTheWriteQuorum) {
  NodeOptions o;
  o.write_quorum = 3;
  TestCluster c(3, o);
  ASSERT_EQ(c.put("n1", "x", "a", {1})["status"], "written");
  const json reply = del(c, "n2", "x", {2});
  EXPECT_EQ(reply["status"], "deleted");
  for (const std::string& id : c.ids()) EXPECT_EQ(c.siblings(id, "\"x\""), "~@[2]") << id;
  const json got = c.get("n3", "x");
  EXPECT_EQ(got["values"], json::array());
  EXPECT_EQ(got["deleted"], json::parse("[[2]]"));
}

TEST(DeleteTest, ATombstoneReachesARestartedNodeThroughAntiEntropy) {
  TestCluster c(3, NodeOptions{});
  c.put("n1", "x", "a", {1});
  c.run_for(500);
  c.kill("n3");
  EXPECT_EQ(del(c, "n1", "x", {2})["status"], "deleted");
  c.run_for(500);
  c.restart("n3");
  EXPECT_EQ(c.keys_on("n3"), 0u);
  c.run_for(2500);
  EXPECT_EQ(c.siblings("n3", "\"x\""), "~@[2]");
}

// n1 hears no replication at all; a read at R = 2 fetches the tombstone from a replica, answers
// with it and stores it (read repair).
TEST(DeleteTest, AQuorumReadCarriesTombstonesAndRepairsWithThem) {
  NodeOptions o;
  o.read_quorum = 2;
  TestCluster c(3, o);
  c.drop = [](const std::string&, const std::string& to, const json& body) {
    const std::string type = body["type"];
    return to == "n1" && (type == "sync" || type == "tree" || type == "tree_keys");
  };
  EXPECT_EQ(del(c, "n2", "x", {0, 1})["status"], "deleted");
  c.run_for(100);
  EXPECT_EQ(c.siblings("n1", "\"x\""), "");
  const json got = c.get("n1", "x");
  EXPECT_EQ(got["values"], json::array());
  EXPECT_EQ(got["deleted"], json::parse("[[0, 1]]"));
  EXPECT_EQ(c.siblings("n1", "\"x\""), "~@[0, 1]");
}

// Reaping waits for the grace period, then asks everyone once: the key is still everywhere
// just before the grace period has passed, and gone from every replica within the grace period
// plus two anti-entropy intervals (issue 25's bound; 1000 ms here).
TEST(DeleteTest, ReapingEmptiesEveryReplicaWithinTheGracePeriodAndTwoAntiEntropyIntervals) {
  NodeOptions o;
  o.tombstone_grace_ms = 2000;
  ASSERT_EQ(o.replication.anti_entropy_interval_ms, 1000);
  TestCluster c(3, o);
  c.put("n1", "x", "a", {1});
  c.put("n2", "y", "kept", {1});
  c.run_for(500);
  EXPECT_EQ(del(c, "n1", "x", {2})["status"], "deleted");
  c.run_for(1900);  // not yet the grace period
  for (const std::string& id : c.ids()) EXPECT_EQ(c.siblings(id, "\"x\""), "~@[2]") << id;
  c.run_for(2100);  // the grace period and two intervals
  for (const std::string& id : c.ids()) {
    EXPECT_EQ(c.siblings(id, "\"x\""), "") << id;
    EXPECT_EQ(c.keys_on(id), 1u) << id;  // y stays
    EXPECT_EQ(c.node(id)->tombstoned_keys(), 0u);
  }
  EXPECT_EQ(count(c.logs("n1") + c.logs("n2") + c.logs("n3"), "reaped key \"x\" tombstones [[2]]"), 3u);
  const json got = c.get("n2", "x");
  EXPECT_EQ(got["values"], json::array());
  EXPECT_FALSE(got.contains("deleted"));
  // After the reap a client write is a new write, whatever its clock; the other replicas take
  // it once they have forgotten the reaped clocks, which bury it until then.
  EXPECT_EQ(c.put("n3", "x", "again", {1})["status"], "written");
  c.run_for(15000);
  for (const std::string& id : c.ids()) EXPECT_EQ(c.siblings(id, "\"x\""), "\"again\"@[1]") << id;
}

TEST(DeleteTest, NoReapingWhileAReplicaIsUnreachable) {
  NodeOptions o;
  o.tombstone_grace_ms = 1000;
  TestCluster c(3, o);
  c.put("n1", "x", "a", {1});
  c.run_for(500);
  del(c, "n1", "x", {2});
  c.run_for(500);
  c.isolate("n3");
  c.run_for(20000);
  for (const std::string& id : c.ids()) EXPECT_EQ(c.siblings(id, "\"x\""), "~@[2]") << id;
  c.heal();
  c.run_for(5000);
  for (const std::string& id : c.ids()) EXPECT_EQ(c.keys_on(id), 0u) << id;
}

// A node restarted during the grace period may have lost what it held and taken a late version
// back meanwhile: it has been clear only since its restart (here: since anti-entropy gave it
// the tombstone back), and no replica reaps before the grace period has passed since then.
TEST(DeleteTest, ARestartedReplicaHoldsTheReapUpForTheGracePeriod) {
  NodeOptions o;
  o.tombstone_grace_ms = 3000;
  TestCluster c(3, o);
  c.put("n1", "x", "a", {1});
  c.run_for(500);
  del(c, "n1", "x", {2});
  c.run_for(2900);
  c.kill("n3");
  c.restart("n3");
  const std::int64_t restarted = c.now();
  c.run_for(2000);  // anti-entropy gives the new process on n3 the tombstone back
  ASSERT_EQ(c.siblings("n3", "\"x\""), "~@[2]");
  while (c.now() < restarted + 3000) {
    EXPECT_EQ(c.siblings("n1", "\"x\""), "~@[2]") << c.now();
    EXPECT_EQ(c.siblings("n2", "\"x\""), "~@[2]") << c.now();
    c.run_for(50);
  }
  c.run_for(5000);
  for (const std::string& id : c.ids()) EXPECT_EQ(c.keys_on(id), 0u) << id;
}

// reap_check's clear_ms: a replica has been clear since its key last changed to only the
// tombstones asked about (none known while it holds a value), a restarted process since its
// start at the earliest, and the answer is capped at 2 x (grace + request timeout).
TEST(DeleteTest, ReapCheckSaysHowLongTheNodeHasBeenClear) {
  NodeOptions o;
  o.tombstone_grace_ms = 1000;
  TestCluster c(3, o);
  json answer;
  c.drop = [&](const std::string& from, const std::string&, const json& body) {
    if ((from == "n1" || from == "n3") && body["type"] == "reap_check_ok") answer = body;
    return body["type"] == "reap_check";  // the nodes' own rounds never finish: no reaping
  };
  const auto ask = [&](const std::string& node, const char* clocks) {
    answer = json();
    c.inject(node, json{{"src", "n2"}, {"dest", node},
                        {"body", {{"type", "reap_check"}, {"msg_id", 903}, {"incarnation", 7},
                                  {"key", "x"}, {"clocks", json::parse(clocks)}}}});
    c.run_for(1);
    return answer["clear_ms"];
  };
  c.put("n1", "x", "a", {1});
  c.run_for(1000);
  EXPECT_EQ(ask("n1", "[[2]]"), 0);  // it holds a value
  del(c, "n1", "x", {2});
  const std::int64_t deleted = c.now();
  c.run_for(1500);
  EXPECT_NEAR(ask("n1", "[[2]]").get<double>(), static_cast<double>(c.now() - deleted), 20);
  EXPECT_NEAR(ask("n1", "[[1]]").get<double>(), static_cast<double>(c.now() - deleted), 20);  // dominated by what it holds
  c.run_for(10000);
  EXPECT_EQ(ask("n1", "[[2]]"), 2 * (1000 + 1000));
  c.kill("n3");
  c.restart("n3");
  const std::int64_t restarted = c.now();
  c.run_for(3000);
  ASSERT_EQ(c.siblings("n3", "\"x\""), "~@[2]");
  EXPECT_LE(ask("n3", "[[2]]").get<std::int64_t>(), c.now() - restarted);
}

// A node that does not replicate the key is clear since its process started (what an earlier one
// held as hints, or sent, is unknown to it), and not while a client write of the key it forwards
// may still be sent to a replica (until the forward's deadline).
TEST(DeleteTest, ANonReplicaIsClearSinceItsStartAndItsLastForward) {
  NodeOptions o;
  o.replicas = 3;
  o.tombstone_grace_ms = 1000;
  TestCluster c(5, o);
  json answer;
  c.drop = [&](const std::string& from, const std::string&, const json& body) {
    if (from == "n2" && body["type"] == "reap_check_ok") answer = body;
    return false;
  };
  const auto ask = [&] {
    answer = json();
    c.inject("n2", json{{"src", "n1"}, {"dest", "n2"},
                        {"body", {{"type", "reap_check"}, {"msg_id", 904}, {"incarnation", 7},
                                  {"key", "x"}, {"clocks", json::parse("[[2]]")}}}});
    c.run_for(1);
    return answer["clear_ms"].get<std::int64_t>();
  };
  ASSERT_FALSE(c.node("n2")->ring()->is_replica(c.node("n2")->ring()->find_node("n2"), "\"x\""));
  c.run_for(10000);
  EXPECT_EQ(ask(), 2 * (1000 + 1000));  // (capped)
  c.kill("n2");
  c.restart("n2");
  c.run_for(300);
  EXPECT_EQ(ask(), 300);
  c.run_for(5000);
  c.send("n2", {{"type", "kv_put"}, {"key", "x"}, {"value", "a"}, {"clock", {1}}});  // forwarded
  const std::int64_t forwarded = c.now();
  c.run_for(100);
  EXPECT_EQ(ask(), 0);  // until the forward's deadline, a request timeout after it came
  c.run_for(1500);
  EXPECT_NEAR(static_cast<double>(ask()), static_cast<double>(c.now() - (forwarded + 1000)), 10);
}

// A stand-in that delivered a hint the tombstones dominate may still have a copy of the delivery
// on the way: it has been clear only since, and the replicas wait the grace period from then.
TEST(DeleteTest, AHintDeliveredLatelyHoldsTheReapUp) {
  NodeOptions o;
  o.replicas = 3;
  o.write_quorum = 3;
  o.tombstone_grace_ms = 2000;
  TestCluster c(5, o);
  c.isolate("n4");
  ASSERT_EQ(c.put("n5", "x", "a", {1})["status"], "written");  // n2 holds a hint for n4
  ASSERT_FALSE(c.node("n2")->hints().empty());
  c.heal();
  c.cut("n2", "n4");  // the hint cannot be delivered; the delete reaches n4 directly
  ASSERT_EQ(del(c, "n5", "x", {2})["status"], "deleted");
  c.run_for(2400);
  ASSERT_FALSE(c.node("n2")->hints().empty());
  c.heal();
  c.run_for(100);  // n2 delivers it (n4 drops it: the tombstone dominates it)
  ASSERT_TRUE(c.node("n2")->hints().empty());
  const std::int64_t delivered = c.now();
  while (c.now() < delivered + 1800) {
    EXPECT_EQ(c.siblings("n4", "\"x\""), "~@[2]") << c.now();
    c.run_for(50);
  }
  c.run_for(2000);
  for (const std::string& id : c.ids()) EXPECT_EQ(c.keys_on(id), 0u) << id;
}

// After the reap, a sync carrying a version the tombstone dominates (sent before the delete and
// delivered late), or the tombstone itself (from a replica that has not reaped yet), is
// dropped; a version the tombstone does not dominate is kept.
TEST(DeleteTest, AReapedKeyIsNotResurrectedByALateSync) {
  NodeOptions o;
  o.tombstone_grace_ms = 1000;
  TestCluster c(3, o);
  c.put("n1", "x", "a", {1, 0, 0});
  c.run_for(500);
  del(c, "n1", "x", {1, 1, 0});
  c.run_for(5000);
  ASSERT_EQ(c.keys_on("n1"), 0u);
  c.inject("n1", sync_from("n3", "n1", json::parse(
                     R"([{"key": "x", "value": "a", "clock": [1, 0, 0]},
                         {"key": "x", "clock": [1, 1, 0], "deleted": true},
                         {"key": "x", "clock": [0, 1], "deleted": true}])")));
  EXPECT_EQ(c.keys_on("n1"), 0u);
  c.inject("n1", sync_from("n3", "n1", json::parse(
                     R"([{"key": "x", "value": "new", "clock": [0, 0, 1]},
                         {"key": "x", "value": "sibling", "clock": [1, 1, 0]}])")));
  EXPECT_EQ(c.siblings("n1", "\"x\""), "\"new\"@[0, 0, 1] \"sibling\"@[1, 1, 0]");
}

// A replica that misses the reap notice keeps the tombstones and syncs them back: the reaped
// replicas drop them (no ping-pong), and it reaps them itself, its round answered from the
// reaped clocks the others keep.
TEST(DeleteTest, AMissedReapNoticeNeitherBringsTheKeyBackNorKeepsItForever) {
  NodeOptions o;
  o.tombstone_grace_ms = 1000;
  TestCluster c(3, o);
  c.put("n1", "x", "a", {1});
  c.run_for(500);
  del(c, "n1", "x", {2});
  // n3 misses the notices, and its own rounds fail until n1 and n2 have reaped.
  c.drop = [&c](const std::string& from, const std::string& to, const json& body) {
    return (to == "n3" && body["type"] == "reap") ||
           (from == "n3" && body["type"] == "reap_check" && c.now() < 4500);
  };
  c.run_for(3900);
  EXPECT_EQ(c.keys_on("n1"), 0u);
  EXPECT_EQ(c.keys_on("n2"), 0u);
  EXPECT_EQ(c.siblings("n3", "\"x\""), "~@[2]");
  c.run_for(5000);
  for (const std::string& id : c.ids()) EXPECT_EQ(c.keys_on(id), 0u) << id;
  EXPECT_EQ(count(c.logs("n1"), "reaped key \"x\""), 1u);
  EXPECT_EQ(count(c.logs("n2"), "reaped key \"x\""), 1u);
}

// A replica whose own rounds cannot finish reaps on the notice of one that did (the notice
// names the tombstones; it holds nothing else of the key).
TEST(DeleteTest, AReapNoticeReapsTheSameTombstonesElsewhere) {
  NodeOptions o;
  o.tombstone_grace_ms = 1000;
  TestCluster c(3, o);
  c.put("n1", "x", "a", {1});
  c.run_for(500);
  del(c, "n1", "x", {2});
  c.drop = [](const std::string& from, const std::string&, const json& body) {
    return from == "n3" && body["type"] == "reap_check";
  };
  c.run_for(5000);
  EXPECT_EQ(c.keys_on("n3"), 0u);
  EXPECT_EQ(count(c.logs("n3"), "reaped key \"x\" tombstones [[2]] (told by n"), 1u);
}

// reap_check answers: a replica holds the tombstones when it holds each one or a version
// dominating it (not a value with an equal clock); any node says whether it holds a hint.
TEST(DeleteTest, ReapCheckSaysWhatTheNodeHolds) {
  TestCluster c(3, NodeOptions{});
  c.put("n1", "x", "a", {1});
  c.run_for(100);
  json answer;
  c.drop = [&](const std::string& from, const std::string&, const json& body) {
    if (from == "n1" && body["type"] == "reap_check_ok") answer = body;
    return false;
  };
  const auto ask = [&](const json& clocks) {
    answer = json();
    c.inject("n1", json{{"src", "n2"}, {"dest", "n1"},
                        {"body", {{"type", "reap_check"}, {"msg_id", 901}, {"incarnation", 7},
                                  {"key", "x"}, {"clocks", clocks}}}});
    c.run_for(1);
    return std::make_pair(answer["holds"], answer["hints"]);
  };
  EXPECT_EQ(ask(json::parse("[[1]]")), std::make_pair(json(false), json(false)));  // a value
  EXPECT_EQ(ask(json::parse("[[0]]")), std::make_pair(json(true), json(false)));   // dominated
  del(c, "n1", "x", {2});
  EXPECT_EQ(ask(json::parse("[[2]]")), std::make_pair(json(true), json(false)));
  EXPECT_EQ(ask(json::parse("[[2], [3]]")), std::make_pair(json(false), json(false)));
  EXPECT_EQ(answer["incarnation"], 7);
}

// With a ring, a stand-in holding a hint the tombstones dominate says so.
TEST(DeleteTest, ReapCheckReportsAHintTheTombstonesDominate) {
  NodeOptions o;
  o.replicas = 3;
  o.write_quorum = 3;
  TestCluster c(5, o);
  c.isolate("n4");
  ASSERT_EQ(c.put("n5", "x", "a", {1})["status"], "written");  // n2 holds a hint for n4
  ASSERT_FALSE(c.node("n2")->hints().empty());
  json answer;
  c.drop = [&](const std::string& from, const std::string&, const json& body) {
    if (from == "n2" && body["type"] == "reap_check_ok") answer = body;
    return false;
  };
  for (const auto& [clocks, hinted] : {std::make_pair("[[2]]", true), std::make_pair("[[1]]", false),
                                       std::make_pair("[[0, 1]]", false)}) {
    answer = json();
    c.inject("n2", json{{"src", "n1"}, {"dest", "n2"},
                        {"body", {{"type", "reap_check"}, {"msg_id", 902}, {"incarnation", 7},
                                  {"key", "x"}, {"clocks", json::parse(clocks)}}}});
    c.run_for(1);
    EXPECT_EQ(answer["hints"], hinted) << clocks;
    EXPECT_EQ(answer["holds"], true) << clocks;  // n2 is no replica of x
  }
}

// A stand-in holds a tombstone as a hint like any version, shows it in local_get_ok, and
// delivers it once the replica is back; a quorum delete counts the hint (sloppy quorum).
TEST(DeleteTest, ATombstoneTravelsAsAHint) {
  NodeOptions o;
  o.replicas = 3;
  o.write_quorum = 3;
  TestCluster c(5, o);
  c.isolate("n4");
  ASSERT_EQ(c.put("n5", "x", "a", {1})["status"], "written");
  EXPECT_EQ(del(c, "n5", "x", {2})["status"], "deleted");
  const json at_n2 = c.request("n2", {{"type", "local_get"}, {"key", "x"}});
  EXPECT_EQ(at_n2["hints"], json::parse(R"([{"for": "n4", "clock": [2], "deleted": true}])"));
  c.heal();
  c.run_for(3000);
  EXPECT_EQ(c.siblings("n4", "\"x\""), "~@[2]");
  EXPECT_TRUE(c.node("n2")->hints().empty());
}

// --debug-reap-at-once (broken on purpose): a node reaps as soon as it holds only tombstones.
TEST(DeleteTest, DebugReapAtOnceReapsWithoutAsking) {
  NodeOptions o;
  o.debug_reap_at_once = true;
  TestCluster c(3, o);
  c.put("n1", "x", "a", {1});
  c.run_for(100);
  c.isolate("n3");
  del(c, "n1", "x", {2});
  c.run_for(100);
  EXPECT_EQ(c.keys_on("n1"), 0u);
  EXPECT_EQ(c.siblings("n3", "\"x\""), "\"a\"@[1]");
}

}  // namespace
}  // namespace vckv
