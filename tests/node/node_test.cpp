#include "vckv/node/node.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "vckv/cluster/replicator.hpp"
#include "vckv/runtime/manual_scheduler.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {
namespace {

constexpr const char* kInit1 =
    R"({"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}})";

// A node fed lines directly; output bytes and log lines are captured.
// A node fed lines directly on virtual time; output bytes and log lines are captured. After each
// line the before-sleep hooks run, as the event loop runs them after input.
struct Harness {
  explicit Harness(NodeOptions options = {}, LogLevel level = LogLevel::kInfo)
      : log(logs, level), node(options, out, clock, log) {}
  std::string feed(std::initializer_list<std::string_view> lines) {
    out.clear();
    for (std::string_view line : lines) {
      node.handle_line(line, ++line_number);
      clock.before_sleep();
    }
    return out;
  }
  ManualScheduler clock;
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
  EXPECT_EQ(h.feed({"not json", R"({"dest":"n1"})", "[1, 2]"}), "");
  EXPECT_EQ(h.logs.str(),
            "vclock-kv warn: line 1: invalid JSON at column 2 near 'not json'; skipped\n"
            "vclock-kv warn: line 2: no string \"src\"; skipped\n"
            "vclock-kv warn: line 3: not a JSON object; skipped\n");
}

// What a user typing by hand meets: an object with a trailing comma is invalid JSON, and the
// default log says where (column, bytes around it); the parser's words come at debug level.
TEST(NodeTest, InvalidJsonIsLoggedWithItsColumnAndAnExcerpt) {
  constexpr const char* kTrailingComma =
      R"({"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "x", "value": "v1", "clock": [1, 0],}})";
  Harness h;
  h.feed({kInit1});
  h.logs.str("");
  EXPECT_EQ(h.feed({kTrailingComma}), "");
  EXPECT_EQ(h.logs.str(),
            "vclock-kv[n1] warn: line 2: invalid JSON at column 112 near "
            "'...: \"v1\", \"clock\": [1, 0],}}'; skipped\n");

  std::ostringstream debug_logs;
  Logger debug_log(debug_logs, LogLevel::kDebug);
  ManualScheduler clock;
  std::string out;
  Node node({}, out, clock, debug_log);
  node.handle_line(kTrailingComma, 6);
  EXPECT_EQ(debug_logs.str(),
            "vclock-kv warn: line 6: invalid JSON at column 112 near "
            "'...: \"v1\", \"clock\": [1, 0],}}'; skipped\n"
            "vclock-kv debug: line 6: [json.exception.parse_error.101] parse error at line 1, "
            "column 112: syntax error while parsing object key - unexpected '}'; expected string "
            "literal\n");
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

// --- Replication between nodes (the replicator's own rules: tests/cluster/replicator_test.cpp)

std::string init_line(const std::string& id, const std::vector<std::string>& ids) {
  nlohmann::json body{{"type", "init"}, {"msg_id", 1}, {"node_id", id}, {"node_ids", ids}};
  return nlohmann::json{{"src", "c0"}, {"dest", id}, {"body", body}}.dump();
}

// n2's acknowledgement of n1's sync msg_id, which carried one version of key with clock: it
// echoes incarnation and restates what the sync carried.
std::string sync_ok(std::uint64_t msg_id, std::uint64_t incarnation, const std::string& key,
                    const std::vector<std::uint64_t>& clock) {
  SyncDigest digest;
  digest.add(key, VectorClock(clock).slots());
  return R"({"src":"n2","dest":"n1","body":{"type":"sync_ok","in_reply_to":)" + std::to_string(msg_id) +
         R"(,"incarnation":)" + std::to_string(incarnation) + R"(,"versions":)" +
         std::to_string(digest.versions()) + R"(,"digest":)" + std::to_string(digest.value()) + "}}";
}

TEST(NodeTest, ClientWriteIsSentToThePeersAndAcknowledgedSyncsEnd) {
  Harness a;
  a.feed({init_line("n1", {"n1", "n2"})});
  EXPECT_EQ(a.feed({R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"x","value":"v","clock":[1]}})"}),
            R"({"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 1}}
{"src": "n1", "dest": "n2", "body": {"type": "sync", "incarnation": 0, "versions": [["x","v",[1]]], "msg_id": 2}}
)");
  EXPECT_EQ(a.node.replicator().requests_in_flight(), 1u);
  EXPECT_EQ(a.feed({sync_ok(2, 0, "\"x\"", {1})}), "");
  EXPECT_EQ(a.node.replicator().requests_in_flight(), 0u);
  // No resend. Anti-entropy asks n2 to compare trees once an interval until n2 says they
  // agree; then only a heartbeat every 30 s.
  auto count = [](const std::string& out, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = 0; (at = out.find(what, at)) != std::string::npos; ++at) ++n;
    return n;
  };
  a.out.clear();
  a.clock.advance_by(3000);
  EXPECT_EQ(count(a.out, R"("type": "sync")"), 0u) << a.out;
  EXPECT_EQ(count(a.out, R"("type": "tree")"), 3u) << a.out;
  const std::string agree =
      R"({"src":"n2","dest":"n1","body":{"type":"tree_keys","msg_id":9,"level":0,"nodes":[],"keys":[],"hashes":[],"answer":false}})";
  a.feed({agree});
  a.out.clear();
  a.clock.advance_by(29000);
  EXPECT_EQ(a.out, "");  // quiet
  a.clock.advance_by(1000);
  EXPECT_EQ(count(a.out, R"("type": "tree")"), 1u) << a.out;  // the heartbeat, 30 s on
  a.feed({agree});
  a.out.clear();
  a.clock.advance_by(29000);
  EXPECT_EQ(a.out, "");
}

// A peer's sync is merged and acknowledged; versions the store already has change nothing.
TEST(NodeTest, AnotherNodesSyncIsMergedAndAcknowledged) {
  Harness n2;
  n2.feed({init_line("n2", {"n1", "n2", "n3"})});
  SyncDigest digest;
  digest.add("\"x\"", VectorClock{1}.slots());
  digest.add("\"x\"", VectorClock{1}.slots());
  EXPECT_EQ(n2.feed({R"({"src":"n1","dest":"n2","body":{"type":"sync","incarnation":5,"msg_id":7,"versions":[{"key":"x","value":"v","clock":[1]},{"key":"x","value":"w","clock":[1]}]}})"}),
            R"({"src": "n2", "dest": "n1", "body": {"type": "sync_ok", "in_reply_to": 7, "incarnation": 5, "versions": 2, "digest": )" +
                std::to_string(digest.value()) + R"(, "msg_id": 1}}
)");
  EXPECT_EQ(describe(n2.node.store().find("\"x\"")), "\"v\"@[1] \"w\"@[1]");  // equal clocks: both kept
  digest = SyncDigest();
  digest.add("\"x\"", VectorClock{0}.slots());
  EXPECT_EQ(n2.feed({R"({"src":"n3","dest":"n2","body":{"type":"sync","msg_id":3,"incarnation":18446744073709551615,"versions":[{"key":"x","value":"v","clock":[0]}]}})"}),
            R"({"src": "n2", "dest": "n3", "body": {"type": "sync_ok", "in_reply_to": 3, "incarnation": 18446744073709551615, "versions": 1, "digest": )" +
                std::to_string(digest.value()) + R"(, "msg_id": 2}}
)");
  EXPECT_EQ(describe(n2.node.store().find("\"x\"")), "\"v\"@[1] \"w\"@[1]");
}

TEST(NodeTest, DebugNoReplicationSendsNothing) {
  NodeOptions options;
  options.replication.enabled = false;
  Harness a(options);
  a.feed({init_line("n1", {"n1", "n2"})});
  EXPECT_EQ(a.feed({R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"x","value":"v","clock":[1]}})"}),
            R"({"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 1}}
)");
  a.out.clear();
  a.clock.advance_by(100000);
  EXPECT_EQ(a.out, "");
  // A peer's sync is still accepted: replication is off, membership is not.
  EXPECT_NE(a.feed({R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":1,"msg_id":3,"versions":[]}})"}).find("sync_ok"),
            std::string::npos);
}

// A restarted node numbers its messages from 0 again, so a delayed answer to its earlier
// process can carry the msg_id of one of its own requests. Answers carry the asking process's
// incarnation and what they are about; one that does not match is ignored (and logged): a
// stale acknowledgement does not count toward a write quorum, a stale fetch answer about
// another key is not merged into the key asked for.
TEST(NodeTest, RepliesMeantForAnEarlierIncarnationOrAnotherRequestAreIgnored) {
  NodeOptions options;
  options.incarnation = 11;
  options.write_quorum = 2;
  options.read_quorum = 2;
  Harness a(options, LogLevel::kDebug);
  a.feed({init_line("n1", {"n1", "n2"})});
  EXPECT_EQ(a.feed({R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"x","value":"v","clock":[1]}})"}),
            R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "incarnation": 11, "versions": [["x","v",[1]]], "msg_id": 1}}
)");
  // The earlier process's sync 1 was acknowledged (it carried the same version, even): not ours.
  EXPECT_EQ(a.feed({sync_ok(1, 10, "\"x\"", {1})}), "");
  EXPECT_EQ(a.feed({R"({"src":"n2","dest":"n1","body":{"type":"sync_ok","in_reply_to":1}})"}), "");
  // Ours, but restating another sync.
  EXPECT_EQ(a.feed({sync_ok(1, 11, "\"y\"", {1})}), "");
  EXPECT_EQ(a.node.replicator().requests_in_flight(), 1u);
  EXPECT_EQ(a.feed({sync_ok(1, 11, "\"x\"", {1})}),
            R"({"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 2}}
)");
  // A read asks n2 for key b.
  EXPECT_EQ(a.feed({R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":3,"key":"b"}})"}),
            R"({"src": "n1", "dest": "n2", "body": {"type": "fetch", "incarnation": 11, "key": "b", "msg_id": 3}}
)");
  // The earlier process had asked for key a with this msg_id; and an answer of ours about a.
  a.feed({R"({"src":"n2","dest":"n1","body":{"type":"fetch_ok","in_reply_to":3,"incarnation":10,"key":"b","values":[{"value":"A","clock":[7]}]}})",
          R"({"src":"n2","dest":"n1","body":{"type":"fetch_ok","in_reply_to":3,"incarnation":11,"key":"a","values":[{"value":"A","clock":[7]}]}})"});
  EXPECT_TRUE(a.node.store().find("\"b\"").empty());
  EXPECT_EQ(a.feed({R"({"src":"n2","dest":"n1","body":{"type":"fetch_ok","in_reply_to":3,"incarnation":11,"key":"b","values":[{"value":"B","clock":[2]}]}})"}),
            R"({"src": "n1", "dest": "c1", "body": {"type": "kv_get_ok", "in_reply_to": 3, "values": [{"value": "B", "clock": [2]}], "msg_id": 4}}
)");
  EXPECT_EQ(a.node.replicator().stats().replies_ignored, 5u);
  const std::string logs = a.logs.str();
  EXPECT_NE(logs.find("sync_ok from n2 in reply to 1 ignored: it answers incarnation 10, not this process's (11)"), std::string::npos) << logs;
  EXPECT_NE(logs.find("sync_ok from n2 in reply to 1 ignored: it names no incarnation"), std::string::npos) << logs;
  EXPECT_NE(logs.find("fetch_ok from n2 in reply to 3 ignored: it is not about what the request asked"), std::string::npos) << logs;
}

// An error answering a node-to-node request echoes the incarnation the request carried (the
// asking process takes only answers meant for it); errors to clients are as §10 says.
TEST(NodeTest, ErrorsToNodeToNodeRequestsEchoTheIncarnation) {
  Harness h;
  EXPECT_EQ(h.feed({R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":9,"msg_id":4,"versions":[]}})"}),
            R"({"src": "n1", "dest": "n2", "body": {"type": "error", "in_reply_to": 4, "incarnation": 9, "code": 11, "text": "sync: node is not initialised; send init first", "msg_id": 0}}
)");
  h.feed({init_line("n1", {"n1", "n2"})});
  EXPECT_EQ(h.feed({R"({"src":"n2","dest":"n1","body":{"type":"fetch","incarnation":9,"msg_id":5}})"}),
            R"({"src": "n1", "dest": "n2", "body": {"type": "error", "in_reply_to": 5, "incarnation": 9, "code": 12, "text": "fetch: key is missing; expected a string or an integer", "msg_id": 2}}
)");
  EXPECT_EQ(h.feed({R"({"src":"n2","dest":"n1","body":{"type":"sync","msg_id":6,"versions":[]}})"}),
            R"({"src": "n1", "dest": "n2", "body": {"type": "error", "in_reply_to": 6, "code": 12, "text": "sync: incarnation is missing; expected a non-negative integer", "msg_id": 3}}
)");
  EXPECT_EQ(h.feed({R"({"src":"c1","dest":"n1","body":{"type":"kv_get","incarnation":9,"msg_id":7}})"}),
            R"({"src": "n1", "dest": "c1", "body": {"type": "error", "in_reply_to": 7, "code": 12, "text": "kv_get: key is missing; expected a string or an integer", "msg_id": 4}}
)");
}

// A key's siblings as a set, clocks compared with zero padding ([1] and [1, 0] are equal).
std::set<std::string> as_set(Siblings siblings) {
  std::set<std::string> out;
  for (VersionView v : siblings) {
    std::vector<std::uint64_t> slots = v.slots.to_vector();
    while (!slots.empty() && slots.back() == 0) slots.pop_back();
    out.insert(std::string(v.value) + "@" + clock_json(VectorClock(slots)));
  }
  return out;
}

// Three nodes, random client writes, a network that drops, duplicates and reorders
// node-to-node messages, and the link n1 -> n3 cut throughout. Then n1 stops for good, and the
// network between n2 and n3 is fair. n2 and n3 must converge to the same sibling sets for every
// key either holds, and keep every acknowledged write either held at the moment n1 stopped
// (docs/protocol.md §11): n1's writes reach n3 only because n2 forwards them.
TEST(NodePropertyTest, SurvivorsConvergeOverALossyNetworkAndForwardTheDeadWritersVersions) {
  const std::vector<std::string> ids = {"n1", "n2", "n3"};
  std::size_t forwarded_total = 0;  // versions written at n1 that reached n3 (through n2)
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    std::mt19937_64 rng(seed);
    std::ostringstream sink;
    Logger log(sink, LogLevel::kError);
    ManualScheduler clock;  // one virtual clock for the cluster
    std::map<std::string, std::string> outs;
    std::map<std::string, std::unique_ptr<Node>> nodes;
    for (const auto& id : ids) nodes[id] = std::make_unique<Node>(NodeOptions{}, outs[id], clock, log);
    std::deque<std::pair<std::string, std::string>> network;  // (dest, line)
    std::vector<std::pair<std::string, nlohmann::json>> acked;  // (key, version)
    std::map<std::string, nlohmann::json> pending_puts;         // by "node/msg_id"
    std::set<std::string> dead;
    std::uint64_t line_no = 0;
    std::vector<std::pair<std::string, nlohmann::json>> written_at_n1;

    // Moves what every node wrote onto the network (or, for clients, into `acked`).
    auto collect = [&] {
      for (const auto& from : ids) {
        std::istringstream lines(outs[from]);
        outs[from].clear();
        for (std::string line; std::getline(lines, line);) {
          const auto msg = nlohmann::json::parse(line);
          const std::string dest = msg["dest"];
          if (dest[0] == 'n') {
            if (from == "n1" && dest == "n3") continue;  // the cut link
            network.emplace_back(dest, line);
          } else if (msg["body"]["type"] != "init_ok") {
            const std::string status = msg["body"].value("status", "");
            const auto key = from + "/" + msg["body"]["in_reply_to"].dump();
            if (status == "written" || status == "conflict") {
              acked.emplace_back(pending_puts[key]["key"].dump(), pending_puts[key]);
              if (from == "n1") written_at_n1.push_back(acked.back());
            }
          }
        }
      }
    };
    auto handle = [&](const std::string& dest, const std::string& line) {
      nodes[dest]->handle_line(line, ++line_no);
      clock.before_sleep();
      collect();
    };
    auto deliver = [&](bool lossy) {
      if (network.empty()) return;
      std::size_t i = lossy ? rng() % network.size() : 0;
      auto [dest, line] = network[i];
      network.erase(network.begin() + static_cast<std::ptrdiff_t>(i));
      if (dead.count(dest) || dead.count(nlohmann::json::parse(line)["src"])) return;
      if (lossy && rng() % 5 == 0) return;                             // dropped
      if (lossy && rng() % 10 == 0) network.emplace_back(dest, line);  // duplicated
      handle(dest, line);
    };
    // Whether node holds version (or a version whose clock dominates it) for key.
    auto holds = [&](const std::string& node, const std::string& key, const nlohmann::json& version) {
      const VectorClock c(version["clock"].get<std::vector<std::uint64_t>>());
      const std::string value = version["value"].dump(-1, ' ', true);
      for (VersionView s : nodes[node]->store().find(key)) {
        if ((s.value == value && s.clock().equals(c)) || s.clock().dominates(c)) return true;
      }
      return false;
    };

    for (const auto& id : ids) handle(id, init_line(id, ids));
    for (int step = 0; step < 300; ++step) {
      clock.advance_by(7);
      collect();
      if (rng() % 2 == 0) {
        const std::string& id = ids[rng() % ids.size()];
        nlohmann::json body = {{"type", "kv_put"}, {"msg_id", step}, {"key", "k" + std::to_string(rng() % 4)},
                               {"value", "v" + std::to_string(step)},
                               {"clock", {rng() % 3, rng() % 3, rng() % 3}}};
        pending_puts[id + "/" + std::to_string(step)] = {{"key", body["key"]}, {"value", body["value"]}, {"clock", body["clock"]}};
        handle(id, nlohmann::json{{"src", "c1"}, {"dest", id}, {"body", body}}.dump());
      } else {
        deliver(true);
      }
    }
    // n1 stops. What the survivors hold now must survive; so must what they acknowledged.
    dead.insert("n1");
    std::vector<std::pair<std::string, nlohmann::json>> must_keep;
    for (const auto& [key, version] : acked) {
      if (holds("n2", key, version) || holds("n3", key, version)) must_keep.emplace_back(key, version);
    }
    // A fair network between n2 and n3 for 30 virtual seconds (retries, forwarding rounds).
    for (int ms = 0; ms < 30000; ms += 10) {
      while (!network.empty()) deliver(false);
      clock.advance_by(10);
      collect();
    }
    std::set<std::string> keys;
    for (const auto& id : {"n2", "n3"}) {
      nodes[id]->store().for_each([&](std::string_view key, Siblings) { keys.emplace(key); });
    }
    for (const std::string& key : keys) {
      EXPECT_EQ(as_set(nodes["n2"]->store().find(key)), as_set(nodes["n3"]->store().find(key)))
          << "seed " << seed << " key " << key;
    }
    EXPECT_EQ(nodes["n2"]->store().key_count(), nodes["n3"]->store().key_count()) << "seed " << seed;
    for (const auto& [key, version] : must_keep) {
      for (const char* id : {"n2", "n3"}) {
        EXPECT_TRUE(holds(id, key, version)) << "seed " << seed << ": acknowledged " << version.dump()
                                             << " for " << key << " lost on " << id;
      }
    }
    for (const auto& [key, version] : written_at_n1) {
      std::vector<std::uint64_t> slots = version["clock"].get<std::vector<std::uint64_t>>();
      while (!slots.empty() && slots.back() == 0) slots.pop_back();
      const std::string exact = version["value"].dump() + "@" + clock_json(VectorClock(slots));
      forwarded_total += as_set(nodes["n3"]->store().find(key)).count(exact);
    }
  }
  // Versions n1 wrote reached n3, whose only way to them was n2 passing them on.
  EXPECT_GT(forwarded_total, 0u);
}

}  // namespace
}  // namespace vckv
