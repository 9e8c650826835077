#include "vckv/cluster/replicator.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "vckv/runtime/manual_scheduler.hpp"
#include "../wire/keyed_versions_view.hpp"

namespace vckv {
namespace {

using nlohmann::json;

// A replicator of node n1 in a cluster, with its store, outbox and a virtual clock.
struct Rig {
  explicit Rig(std::vector<std::string> ids = {"n1", "n2"}, ReplicationOptions options = {},
               std::int64_t start_ms = 1000)
      : clock(start_ms), log(logs, LogLevel::kError), outbox(out),
        replicator(options, outbox, clock, store, log) {
    outbox.set_self("n1");
    store.enable_hash_tree();
    replicator.start("n1", ids, kIncarnation);
  }
  static constexpr std::uint64_t kIncarnation = 7;
  // A client's write to key, as the node applies and reports it.
  void client_write(const std::string& key, const std::string& value, VectorClock clock_) {
    if (store.apply_client_write(key, Version{value, std::move(clock_)}, 100).changed()) {
      replicator.changed_by_client(key);
    }
  }
  // The messages written since the last call, parsed.
  std::vector<json> take() {
    std::vector<json> messages;
    std::istringstream lines(std::exchange(out, std::string()));
    for (std::string line; std::getline(lines, line);) {
      messages.push_back(json::parse(line));
      test::versions_as_objects(messages.back()["body"]);  // (raw text: see r.out)
    }
    return messages;
  }
  std::vector<json> take(const std::string& type) {
    std::vector<json> of_type;
    for (json& m : take()) {
      if (m["body"]["type"] == type) of_type.push_back(std::move(m));
    }
    return of_type;
  }
  void reply(const std::string& from, std::uint64_t msg_id, const std::string& type,
             json body = json::object()) {
    body["type"] = type;
    body["in_reply_to"] = msg_id;
    if (!body.contains("incarnation")) body["incarnation"] = kIncarnation;  // echoed
    Incoming in;
    in.src = from;
    in.is_reply = true;
    in.in_reply_to = msg_id;
    in.type = type;
    if (body["incarnation"].is_number_unsigned()) in.incarnation = body["incarnation"].get<std::uint64_t>();
    std::string error;
    parse_json(body.dump(), in.reply_body, error, 100);
    replicator.on_reply(in);
  }
  // The acknowledgement a peer sends: it restates how many versions the sync carried and
  // their digest.
  void ack(const json& sync) {
    reply(sync["dest"], sync["body"]["msg_id"], "sync_ok", acknowledgement_of(sync));
  }
  static json acknowledgement_of(const json& sync) {
    SyncDigest digest;
    for (const json& v : sync["body"]["versions"]) {
      digest.add(v["key"].dump(), VectorClock(v["clock"].get<std::vector<std::uint64_t>>()).slots());
    }
    return json{{"versions", digest.versions()}, {"digest", digest.value()}};
  }

  ManualScheduler clock;
  std::ostringstream logs;
  Logger log;
  std::string out;
  SiblingStore store;
  Outbox outbox;
  Replicator replicator;
};

TEST(ReplicatorTest, AClientWriteGoesToEveryPeerBeforeTheLoopWaits) {
  Rig r({"n1", "n2", "n3"});
  r.client_write("\"x\"", "\"v\"", {1});
  EXPECT_EQ(r.out, "");  // nothing until the loop is about to wait
  r.clock.before_sleep();
  EXPECT_EQ(r.out,
            R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "incarnation": 7, "versions": [["x","v",[1]]], "msg_id": 0}}
{"src": "n1", "dest": "n3", "body": {"type": "sync", "incarnation": 7, "versions": [["x","v",[1]]], "msg_id": 1}}
)");
  EXPECT_EQ(r.replicator.requests_in_flight(), 2u);
}

// Before any round trip is measured a sync waits 1 s; a timeout doubles the wait; an
// acknowledgement measures the round trip, and the wait becomes SRTT + 4 RTTVAR (at least
// --sync-interval-ms). A resend carries the key's siblings as they are then.
TEST(ReplicatorTest, TheResendWaitFollowsTheMeasuredRoundTrip) {
  Rig r;
  r.client_write("\"x\"", "\"v\"", {1});
  r.clock.before_sleep();
  ASSERT_EQ(r.take("sync").size(), 1u);
  r.clock.advance_to(1999);
  EXPECT_TRUE(r.take().empty());
  // x changes without a write of this node's (a merge): nothing is queued for it ...
  r.store.merge_version("\"x\"", Version{"\"w\"", VectorClock{2}});
  r.clock.before_sleep();
  EXPECT_TRUE(r.take().empty());
  r.clock.advance_to(2000);  // ... but unacknowledged for 1 s, x is sent again, as it is now
  auto resent = r.take("sync");
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(resent[0]["body"]["versions"], json::parse(R"([{"key": "x", "value": "w", "clock": [2]}])"));
  r.clock.advance_to(3999);
  EXPECT_TRUE(r.take("sync").empty());  // the wait doubled: 2 s
  r.clock.advance_to(4000);
  resent = r.take("sync");
  ASSERT_EQ(resent.size(), 1u);
  r.clock.advance_to(4040);
  r.ack(resent[0]);  // a 40 ms round trip: wait max(100, 40 + 4 * 20) = 120 ms from now on
  r.client_write("\"y\"", "1", {1});
  r.clock.before_sleep();
  ASSERT_EQ(r.take("sync").size(), 1u);
  r.clock.advance_to(4040 + 119);
  EXPECT_TRUE(r.take().empty());
  r.clock.advance_to(4040 + 120);
  EXPECT_EQ(r.take("sync").size(), 1u);
}

// A silent peer is sent one sync at a time however many keys it lacks (they wait in a set, one
// entry per key), with waits that double up to 10 s: 60 s of silence after 5000 keys cost a
// handful of messages, and the keys all go out once it answers.
TEST(ReplicatorTest, ASilentPeerCostsAProbeAtATimeWhateverItLacks) {
  Rig r;
  std::size_t syncs = 0;
  for (int second = 0; second < 60; ++second) {
    for (int i = 0; i < 100; ++i) r.client_write("\"k" + std::to_string((second * 100 + i) % 5000) + "\"", std::to_string(second), {static_cast<std::uint64_t>(second + 1)});
    r.clock.advance_by(1000);
    syncs += r.take("sync").size();
    EXPECT_LE(r.replicator.requests_in_flight(), 2u);  // the first window: 2
  }
  EXPECT_LE(syncs, 12u);  // 1 s, 2, 4, 8, then every 10 s
  // It answers: the window opens and every key it lacks goes.
  std::set<std::string> delivered;
  for (int round = 0; round < 200 && delivered.size() < 5000; ++round) {
    r.replicator.heard_from("n2");
    r.clock.before_sleep();
    for (const json& sync : r.take("sync")) {
      for (const json& v : sync["body"]["versions"]) delivered.insert(v["key"]);
      r.ack(sync);
    }
  }
  EXPECT_EQ(delivered.size(), 5000u);
}

// While acknowledgements come, more syncs may be out at once (up to 16).
TEST(ReplicatorTest, TheWindowGrowsWithAcknowledgements) {
  ReplicationOptions options;
  options.sync_batch_keys = 1;
  Rig r({"n1", "n2"}, options);
  std::vector<std::size_t> burst;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 20; ++i) r.client_write("\"k" + std::to_string(round * 20 + i) + "\"", "0", {1});
    r.clock.before_sleep();
    const auto syncs = r.take("sync");
    burst.push_back(syncs.size());
    for (const json& s : syncs) r.ack(s);
  }
  EXPECT_EQ(burst.front(), 2u);
  EXPECT_EQ(burst.back(), 16u);
}

// No sync is longer than the peers' line limit: a key's siblings are split across messages
// when they do not fit in one.
TEST(ReplicatorTest, SyncsAreSplitToFitThePeersLineLimit) {
  ReplicationOptions options;
  options.max_message_bytes = 4096;
  Rig r({"n1", "n2"}, options);
  const std::string big(1500, 'b');
  for (std::uint64_t i = 0; i < 5; ++i) {  // five concurrent siblings of ~1.5 kB
    std::vector<std::uint64_t> clock(5, 0);
    clock[i] = 1;
    r.client_write("\"k\"", "\"" + big + std::to_string(i) + "\"", VectorClock(clock));
  }
  r.client_write("\"small\"", "1", {1});
  std::size_t versions = 0, messages = 0;
  for (int round = 0; round < 20; ++round) {
    r.clock.before_sleep();
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size() + 1, 4096u);
    for (const json& s : r.take("sync")) {
      ++messages;
      versions += s["body"]["versions"].size();
      r.ack(s);
    }
  }
  EXPECT_EQ(versions, 6u);
  EXPECT_GE(messages, 3u);
}

// Replication waits while the reader of the node's output is slow; replies are not its to hold.
TEST(ReplicatorTest, NothingIsSentWhileOutputIsBackedUp) {
  ReplicationOptions options;
  options.max_output_backlog = 1000;
  Rig r({"n1", "n2"}, options);
  r.out.assign(2000, '#');  // 2000 bytes the runtime has not written yet
  r.client_write("\"x\"", "1", {1});
  r.clock.before_sleep();
  EXPECT_EQ(r.out.size(), 2000u);
  r.out.clear();  // written
  r.clock.before_sleep();
  EXPECT_EQ(r.take("sync").size(), 1u);
}

// A peer heard from again after a silence of an anti-entropy interval or more: the probes sent
// into the silence are given up and what it lacks goes at once (trees are compared later, once
// replication to it is idle).
// x is sent to n2 and goes unacknowledged for 1 s: n2 is silent; returns the probe resending x.
std::vector<json> silence_n2(Rig& r) {
  r.client_write("\"x\"", "1", {1});
  r.clock.before_sleep();
  r.take();
  r.clock.advance_by(1000);
  return r.take("sync");
}

TEST(ReplicatorTest, APeerHeardAgainIsSentWhatItLacksAtOnce) {
  Rig r;
  ASSERT_EQ(silence_n2(r).size(), 1u);  // the probe
  r.client_write("\"y\"", "1", {1});
  r.clock.before_sleep();
  EXPECT_TRUE(r.take("sync").empty());  // one probe at a time
  r.clock.advance_by(1000);  // silent for an anti-entropy interval (the probe waits 2 s) ...
  const auto probes = r.take();
  ASSERT_EQ(probes.size(), 1u);  // ... so the root of its tree is sent, once per round
  EXPECT_EQ(probes[0]["body"]["type"], "tree");
  r.replicator.heard_from("n2");
  r.clock.before_sleep();
  const auto messages = r.take();
  std::set<std::string> types, keys;
  for (const json& m : messages) {
    types.insert(m["body"]["type"]);
    for (const json& v : m["body"].value("versions", json::array())) keys.insert(v["key"]);
  }
  EXPECT_EQ(types, (std::set<std::string>{"sync"}));
  EXPECT_EQ(keys, (std::set<std::string>{"x", "y"}));
}

// A peer heard from just after its sync timed out (a late acknowledgement, a busy moment) gets
// its window back, but neither an exchange of trees nor a second copy of the probe on its way;
// what changed meanwhile leaves when the probe is acknowledged.
TEST(ReplicatorTest, AShortSilenceCostsNoExchange) {
  Rig r;
  const auto probe = silence_n2(r);
  ASSERT_EQ(probe.size(), 1u);
  r.clock.advance_by(30);
  r.replicator.heard_from("n2");
  r.client_write("\"y\"", "1", {1});
  r.clock.before_sleep();
  EXPECT_TRUE(r.take().empty());  // no tree, no resend; y waits for the probe's answer
  r.ack(probe[0]);
  r.clock.before_sleep();
  const auto messages = r.take();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["body"]["type"], "sync");
  EXPECT_EQ(messages[0]["body"]["versions"][0]["key"], "y");
  r.ack(messages[0]);
  EXPECT_EQ(r.replicator.requests_in_flight(), 0u);
}

// While a sync to a peer is unacknowledged, keys changed meanwhile wait for its answer and
// leave together (TCP's Nagle rule): a key written ten times goes once more, not ten times.
// A full batch does not wait.
TEST(ReplicatorTest, KeysChangedWhileASyncIsOutLeaveTogether) {
  ReplicationOptions options;
  options.sync_batch_keys = 4;
  Rig r({"n1", "n2"}, options);
  r.client_write("\"x\"", "0", {1});
  r.clock.before_sleep();
  const auto first = r.take("sync");
  ASSERT_EQ(first.size(), 1u);
  for (std::uint64_t i = 2; i <= 11; ++i) {
    r.client_write("\"x\"", std::to_string(i), {i});
    r.client_write("\"y\"", std::to_string(i), {i});
    r.clock.before_sleep();  // as the loop does after each input
    r.clock.advance_by(10);
  }
  EXPECT_TRUE(r.take("sync").empty());
  r.ack(first[0]);
  r.clock.before_sleep();
  const auto second = r.take("sync");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0]["body"]["versions"],
            json::parse(R"([{"key": "x", "value": 11, "clock": [11]}, {"key": "y", "value": 11, "clock": [11]}])"));
  for (const char* key : {"\"a\"", "\"b\"", "\"c\"", "\"d\""}) r.client_write(key, "0", {1});
  r.clock.before_sleep();
  EXPECT_EQ(r.take("sync").size(), 1u);  // four keys: a full batch, sent with one out
}

// Anti-entropy keeps out of replication's way: while syncs to a peer are always in flight (a
// write every 50 ms, acknowledged 200 ms later) the trees differ by what is on the way, and
// after the first exchange the peer is compared only by the slow heartbeat (120 intervals).
// The scheduler's clock starts far from 0, as a monotonic clock does.
TEST(ReplicatorTest, ABusyPeerIsComparedOnlyByTheSlowHeartbeat) {
  Rig r({"n1", "n2"}, {}, 5'000'000'000);
  const std::int64_t start = r.clock.now_ms();
  std::vector<std::int64_t> exchanges;  // ms after start
  std::vector<std::pair<std::int64_t, json>> unacked;
  for (int step = 0; step < 2600; ++step) {  // 130 s
    r.client_write("\"k" + std::to_string(step % 500) + "\"", std::to_string(step),
                   {static_cast<std::uint64_t>(step + 1)});
    r.clock.advance_by(50);
    for (json& m : r.take()) {
      if (m["body"]["type"] == "tree") exchanges.push_back(r.clock.now_ms() - start);
      if (m["body"]["type"] == "sync") unacked.emplace_back(r.clock.now_ms(), std::move(m));
    }
    while (!unacked.empty() && unacked.front().first + 200 <= r.clock.now_ms()) {
      r.ack(unacked.front().second);
      unacked.erase(unacked.begin());
    }
  }
  ASSERT_EQ(exchanges.size(), 2u);
  EXPECT_LE(exchanges[0], 1050);  // the first exchange since start
  EXPECT_GE(exchanges[1], 120'000);  // then the heartbeat
}

// A quorum write completes once enough peers acknowledged a sync carrying the version (or
// a newer one); syncs sent before it do not count; the deadline ends it otherwise.
TEST(ReplicatorTest, AWriteQuorumCountsAcknowledgementsOfTheVersion) {
  Rig r({"n1", "n2", "n3"});
  r.client_write("\"x\"", "\"old\"", {1});
  r.clock.before_sleep();
  const auto early = r.take("sync");  // carries "old", not what the waiter waits for
  r.client_write("\"x\"", "\"new\"", {2});
  std::vector<std::string> done;
  r.replicator.await_replicas("\"x\"", Version{"\"new\"", VectorClock{2}}, 2,
                              [&](bool reached, std::size_t holders) {
                                done.push_back(std::string(reached ? "reached" : "timed out") +
                                               " with " + std::to_string(holders));
                              });
  for (const json& s : early) r.ack(s);
  r.clock.before_sleep();
  EXPECT_TRUE(done.empty());
  const auto syncs = r.take("sync");
  ASSERT_EQ(syncs.size(), 2u);
  r.ack(syncs[0]);
  EXPECT_TRUE(done.empty());
  r.ack(syncs[1]);
  EXPECT_EQ(done, (std::vector<std::string>{"reached with 2"}));

  r.client_write("\"z\"", "\"v\"", {1});
  r.replicator.await_replicas("\"z\"", Version{"\"v\"", VectorClock{1}}, 2,
                              [&](bool reached, std::size_t holders) {
                                done.push_back(std::string(reached ? "reached" : "timed out") +
                                               " with " + std::to_string(holders));
                              });
  r.clock.before_sleep();
  r.ack(r.take("sync")[0]);
  r.clock.advance_by(1000);  // --request-timeout-ms
  EXPECT_EQ(done.back(), "timed out with 1");
}

// Many quorum writes waiting on one hot key: those a peer's acknowledgements cover are released
// when the acknowledgements come, the rest each exactly at its own deadline, in the order they
// came, each once.
TEST(ReplicatorTest, WaitersOnOneKeyAreReleasedInOrderAndOnTime) {
  Rig r({"n1", "n2", "n3"});
  struct Done {
    std::size_t waiter;
    bool reached;
    std::int64_t at;
  };
  std::vector<Done> done;
  std::vector<std::int64_t> started;
  std::vector<json> syncs;
  const auto write = [&](std::uint64_t n) {
    r.client_write("\"x\"", std::to_string(n), {n});
    const std::size_t waiter = started.size();
    started.push_back(r.clock.now_ms());
    r.replicator.await_replicas("\"x\"", Version{std::to_string(n), VectorClock{n}}, 2,
                                [&done, &r, waiter](bool reached, std::size_t) {
                                  done.push_back({waiter, reached, r.clock.now_ms()});
                                });
  };
  std::uint64_t n = 0;
  for (int step = 0; step < 40; ++step) {  // 100 writes every 10 ms, peers silent
    for (int i = 0; i < 100; ++i) write(++n);
    r.clock.before_sleep();
    for (json& m : r.take("sync")) syncs.push_back(std::move(m));
    r.clock.advance_by(10);
  }
  // n2 and n3 acknowledge the first syncs (sent after the first 100 writes): those are held.
  ASSERT_GE(syncs.size(), 2u);
  ASSERT_TRUE(done.empty());
  r.ack(syncs[0]);
  r.ack(syncs[1]);
  ASSERT_EQ(done.size(), 100u);
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(done[i].waiter, i);
    EXPECT_TRUE(done[i].reached);
  }
  r.clock.advance_by(2000);
  ASSERT_EQ(done.size(), started.size());
  for (std::size_t i = 100; i < done.size(); ++i) {
    EXPECT_EQ(done[i].waiter, i);
    EXPECT_FALSE(done[i].reached);
    EXPECT_EQ(done[i].at, started[i] + 1000) << "waiter " << i;
  }
}

// A quorum read asks every peer; done follows the needed answers; peers whose answer differs
// from what the node holds afterwards are sent the key (read repair), late answerers too.
TEST(ReplicatorTest, AQuorumReadMergesAnswersAndRepairsTheReplicasThatLacked) {
  Rig r({"n1", "n2", "n3"});
  r.store.merge_version("\"x\"", Version{"\"mine\"", VectorClock{1, 0}});
  std::vector<std::string> events;
  r.replicator.read_from_peers(
      "\"x\"", 1, {},
      [&](const std::string& peer, const std::vector<Version>& versions) {
        for (const Version& v : versions) r.store.merge_version("\"x\"", v);
        events.push_back("answer from " + peer + " with " + std::to_string(versions.size()));
      },
      [&](bool reached, std::size_t answers) {
        events.push_back(std::string(reached ? "reached" : "missed") + " after " +
                         std::to_string(answers));
      });
  const auto fetches = r.take("fetch");
  ASSERT_EQ(fetches.size(), 2u);
  EXPECT_EQ(fetches[0]["body"]["key"], "x");
  EXPECT_EQ(fetches[0]["body"]["incarnation"], Rig::kIncarnation);
  // An answer about another key (meant for another read with this msg_id) is not taken.
  r.reply("n2", fetches[0]["body"]["msg_id"], "fetch_ok",
          json{{"key", "y"}, {"values", json::parse(R"([{"value": "stray", "clock": [5, 5]}])")}});
  EXPECT_TRUE(events.empty());
  r.reply("n2", fetches[0]["body"]["msg_id"], "fetch_ok",
          json{{"key", "x"}, {"values", json::parse(R"([{"value": "theirs", "clock": [0, 1]}])")}});
  EXPECT_EQ(events, (std::vector<std::string>{"answer from n2 with 1", "reached after 1"}));
  r.clock.before_sleep();
  auto repair = r.take("sync");  // n2 lacked "mine"
  ASSERT_EQ(repair.size(), 1u);
  EXPECT_EQ(repair[0]["dest"], "n2");
  EXPECT_EQ(repair[0]["body"]["versions"].size(), 2u);
  // n3 answers late, with nothing: it is repaired too.
  r.reply("n3", fetches[1]["body"]["msg_id"], "fetch_ok", json{{"key", "x"}, {"values", json::array()}});
  r.clock.before_sleep();
  repair = r.take("sync");
  ASSERT_EQ(repair.size(), 1u);
  EXPECT_EQ(repair[0]["dest"], "n3");

  // Nobody answers in time: done(false).
  r.replicator.read_from_peers("\"x\"", 2, {}, [](const std::string&, const std::vector<Version>&) {},
                               [&](bool reached, std::size_t answers) {
                                 events.push_back(std::string(reached ? "reached" : "missed") +
                                                  " after " + std::to_string(answers));
                               });
  r.clock.advance_by(1000);
  EXPECT_EQ(events.back(), "missed after 0");
}

TEST(ReplicatorTest, KeysAreBatchedInSortedOrder) {
  ReplicationOptions options;
  options.sync_batch_keys = 2;
  Rig r({"n1", "n2"}, options);
  for (const char* key : {"\"c\"", "\"a\"", "\"b\""}) r.client_write(key, "0", {1});
  r.clock.before_sleep();
  EXPECT_EQ(r.out,
            R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "incarnation": 7, "versions": [["a",0,[1]],["b",0,[1]]], "msg_id": 0}}
)");
  r.ack(r.take("sync")[0]);  // the last, partial batch waits for the first one's answer
  r.clock.before_sleep();
  EXPECT_EQ(r.out,
            R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "incarnation": 7, "versions": [["c",0,[1]]], "msg_id": 1}}
)");
}

TEST(ReplicatorTest, DisabledSendsNothing) {
  ReplicationOptions options;
  options.enabled = false;
  Rig r({"n1", "n2"}, options);
  r.client_write("\"x\"", "\"v\"", {1});
  r.clock.before_sleep();
  r.clock.advance_to(100000);
  EXPECT_EQ(r.out, "");
}

// The values a sync carries, in order.
std::vector<std::string> values_in(const json& sync) {
  std::vector<std::string> values;
  for (const json& v : sync["body"]["versions"]) values.push_back(v["value"].dump());
  return values;
}

// A key with three siblings, acknowledged: a write replacing one of them sends that version
// alone (the peer is known to hold the other two); with --delta-syncs off, all three again.
TEST(ReplicatorTest, ADeltaSyncCarriesOnlyWhatThePeerLacks) {
  for (const bool delta : {true, false}) {
    ReplicationOptions options;
    options.delta_syncs = delta;
    Rig r({"n1", "n2"}, options);
    r.client_write("\"x\"", "\"a\"", {1, 0, 0});
    r.client_write("\"x\"", "\"b\"", {0, 1, 0});
    r.client_write("\"x\"", "\"c\"", {0, 0, 1});
    r.clock.before_sleep();
    auto syncs = r.take("sync");
    ASSERT_EQ(syncs.size(), 1u);
    EXPECT_EQ(values_in(syncs[0]).size(), 3u);
    r.ack(syncs[0]);
    r.client_write("\"x\"", "\"a2\"", {2, 0, 0});
    r.clock.before_sleep();
    syncs = r.take("sync");
    ASSERT_EQ(syncs.size(), 1u);
    if (delta) {
      EXPECT_EQ(values_in(syncs[0]), (std::vector<std::string>{"\"a2\""}));
      EXPECT_EQ(r.replicator.stats().versions_skipped, 2u);
    } else {
      EXPECT_EQ(values_in(syncs[0]).size(), 3u);
      EXPECT_EQ(r.replicator.stats().versions_skipped, 0u);
    }
    r.ack(syncs[0]);
    r.client_write("\"x\"", "\"b2\"", {0, 2, 0});
    r.clock.before_sleep();
    syncs = r.take("sync");
    ASSERT_EQ(syncs.size(), 1u);
    EXPECT_EQ(values_in(syncs[0]).size(), delta ? 1u : 3u) << syncs[0].dump();
  }
}

// Versions with one clock and two values are two versions: the peer holding one of them is
// sent the other.
TEST(ReplicatorTest, ADeltaSyncTellsVersionsApartByValueToo) {
  Rig r({"n1", "n2"});
  r.client_write("\"x\"", "\"a\"", {1, 0});
  r.client_write("\"x\"", "\"b\"", {0, 1});
  r.clock.before_sleep();
  r.ack(r.take("sync")[0]);
  r.store.merge_version("\"x\"", Version{"\"b-other\"", VectorClock{0, 1}});  // a peer's, same clock
  r.client_write("\"x\"", "\"c\"", {2, 0});
  r.clock.before_sleep();
  const auto syncs = r.take("sync");
  ASSERT_EQ(syncs.size(), 1u);
  std::vector<std::string> sent = values_in(syncs[0]);
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(sent, (std::vector<std::string>{"\"b-other\"", "\"c\""}));
}

// What a peer is known to hold of a key is kept only while the key has siblings: a peer's
// versions merged here that leave it one version drop it, as a client's write does.
TEST(ReplicatorTest, AKeyMergedBackToOneVersionForgetsWhatPeersHeld) {
  Rig r({"n1", "n2", "n3"});
  r.client_write("\"x\"", "\"a\"", {1, 0});
  r.client_write("\"x\"", "\"b\"", {0, 1});
  r.client_write("\"y\"", "\"a\"", {1, 0});
  r.client_write("\"y\"", "\"b\"", {0, 1});
  r.clock.before_sleep();
  for (const json& s : r.take("sync")) r.ack(s);
  EXPECT_EQ(r.replicator.keys_with_known_holdings(), 4u);  // x and y, at n2 and n3
  r.store.merge_version("\"x\"", Version{"\"c\"", VectorClock{2, 2}});  // dominates both
  r.replicator.merged_from_peer("\"x\"");
  EXPECT_EQ(r.replicator.keys_with_known_holdings(), 2u);  // y's
  r.store.merge_version("\"y\"", Version{"\"c\"", VectorClock{2, 0}});  // y keeps two
  r.replicator.merged_from_peer("\"y\"");
  EXPECT_EQ(r.replicator.keys_with_known_holdings(), 2u);
  r.client_write("\"y\"", "\"d\"", {3, 2});
  EXPECT_EQ(r.replicator.keys_with_known_holdings(), 0u);
}

// What the peer was known to hold is forgotten when it is found behind (anti-entropy or a
// read repair push the key) and when it refuses a sync (a restarted peer answers error 11
// until its init): the whole sibling set goes again.
TEST(ReplicatorTest, APeerFoundBehindOrRestartedGetsTheWholeSiblingSet) {
  Rig r({"n1", "n2"});
  r.client_write("\"x\"", "\"a\"", {1, 0});
  r.client_write("\"x\"", "\"b\"", {0, 1});
  r.clock.before_sleep();
  r.ack(r.take("sync")[0]);
  r.replicator.push("n2", "\"x\"");
  r.clock.before_sleep();
  auto syncs = r.take("sync");
  ASSERT_EQ(syncs.size(), 1u);
  EXPECT_EQ(values_in(syncs[0]).size(), 2u);
  r.ack(syncs[0]);

  r.client_write("\"x\"", "\"a2\"", {2, 0});
  r.clock.before_sleep();
  syncs = r.take("sync");
  ASSERT_EQ(values_in(syncs.at(0)), (std::vector<std::string>{"\"a2\""}));
  r.reply("n2", syncs[0]["body"]["msg_id"], "error", json{{"code", 11}, {"text", "not initialised"}});
  syncs.clear();
  for (int i = 0; i < 100 && syncs.empty(); ++i) {  // the next probe
    r.clock.advance_by(100);
    syncs = r.take("sync");
  }
  ASSERT_EQ(syncs.size(), 1u);
  EXPECT_EQ(values_in(syncs[0]).size(), 2u) << syncs[0].dump();
}

// A quorum write of a version a peer is known to hold already (a retry) still waits for the
// peer to acknowledge it: the version is sent again, as without delta syncs (the peer may have
// restarted and lost it since it acknowledged it).
TEST(ReplicatorTest, AWriteQuorumWaitsForAnAcknowledgementEvenOfAVersionThePeerHeld) {
  Rig r({"n1", "n2", "n3"});
  r.client_write("\"x\"", "\"a\"", {1, 0});
  r.client_write("\"x\"", "\"b\"", {0, 1});
  r.clock.before_sleep();
  for (const json& s : r.take("sync")) r.ack(s);
  std::vector<std::string> done;
  r.replicator.await_replicas("\"x\"", Version{"\"b\"", VectorClock{0, 1}}, 2,
                              [&](bool reached, std::size_t holders) {
                                done.push_back(std::string(reached ? "reached" : "timed out") +
                                               " with " + std::to_string(holders));
                              });
  r.clock.before_sleep();
  EXPECT_TRUE(done.empty());
  const auto syncs = r.take("sync");
  ASSERT_EQ(syncs.size(), 2u);
  for (const json& s : syncs) {
    EXPECT_EQ(values_in(s), (std::vector<std::string>{"\"b\""})) << s.dump();  // "a" is known, "b" awaited
  }
  r.ack(syncs[0]);
  EXPECT_TRUE(done.empty());
  r.ack(syncs[1]);
  EXPECT_EQ(done, (std::vector<std::string>{"reached with 2"}));
}

// The digest a sync_ok restates, as docs/protocol.md §11 defines it (its example's value).
TEST(ReplicatorTest, TheSyncDigestIsTheOneTheProtocolDefines) {
  SyncDigest digest;
  EXPECT_EQ(digest.value(), 0u);
  digest.add("\"x\"", VectorClock{1, 0}.slots());
  EXPECT_EQ(digest.versions(), 1u);
  EXPECT_EQ(digest.value(), 13920178865559458978u);
}

}  // namespace
}  // namespace vckv
