#include "sim/simulation.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "sim/seeds.hpp"

namespace vckv::sim {
namespace {

SimConfig config_with(std::vector<std::string> node_args, const std::string& faults = "all") {
  SimConfig cfg;
  std::string error;
  cfg.faults = *parse_faults(faults, error);
  cfg.node_args = std::move(node_args);
  EXPECT_TRUE(configure(cfg, error)) << error;
  return cfg;
}

// The first seed of first..first+count-1 that fails, or nullopt.
std::optional<std::uint64_t> first_failure(const SimConfig& cfg, std::uint64_t first, std::uint64_t count) {
  SeedsOptions options;
  options.first = first;
  options.count = count;
  options.stop_at_first_failure = true;
  const SeedsSummary summary = run_seeds(cfg, options);
  if (summary.failures.empty()) return std::nullopt;
  return summary.failures.front().seed;
}

TEST(SimFaultsTest, ParsesListsAllAndNone) {
  std::string error;
  EXPECT_EQ(faults_name(*parse_faults("reorder,kill", error)), "kill,reorder");
  EXPECT_EQ(faults_name(*parse_faults("all", error)), "partition,kill,pause,bounce,drop,duplicate,reorder");
  EXPECT_EQ(faults_name(*parse_faults("none", error)), "none");
  EXPECT_FALSE(parse_faults("kill,kill", error));
  EXPECT_EQ(error, "fault \"kill\" listed twice");
  EXPECT_FALSE(parse_faults("crash", error));
  EXPECT_NE(error.find("unknown fault \"crash\""), std::string::npos);
  EXPECT_FALSE(parse_faults("kill,", error));
}

TEST(SimConfigTest, NodeArgsAreReadAsTheBinaryReadsThem) {
  SimConfig cfg;
  cfg.node_args = {"--write-quorum=3", "--conflict", "lww"};
  std::string error;
  ASSERT_TRUE(configure(cfg, error)) << error;
  EXPECT_EQ(cfg.node.write_quorum, 3u);
  EXPECT_EQ(cfg.node.conflict.mode, ConflictMode::kLww);
  cfg.node_args = {"--write-quorum=zero"};
  EXPECT_FALSE(configure(cfg, error));
  EXPECT_NE(error.find("--write-quorum"), std::string::npos) << error;
}

TEST(SimConfigTest, TombstoneGraceDecidesWhetherTheRecoveryWaitsForReaps) {
  EXPECT_EQ(tombstone_grace_from({"--tombstone-grace-ms=2500"}), 2'500'000);
  EXPECT_EQ(tombstone_grace_from({"--write-quorum=3", "--tombstone-grace-ms", "40"}), 40'000);
  EXPECT_FALSE(tombstone_grace_from({"--write-quorum=3"}));
  EXPECT_FALSE(tombstone_grace_from({"--tombstone-grace-ms=soon"}));
  SimConfig cfg;
  cfg.tombstone_grace = 2'500'000;
  EXPECT_FALSE(cfg.await_reaps());  // no deletes
  cfg.delete_ppm = 200'000;
  EXPECT_TRUE(cfg.await_reaps());
  cfg.tombstone_grace = 60'000'000;  // the node's default grace: longer than the recovery limit
  EXPECT_FALSE(cfg.await_reaps());
  cfg.tombstone_grace.reset();
  EXPECT_FALSE(cfg.await_reaps());
}

// A delete share sends kv_delete after a read, with the clock a write would have had.
TEST(SimulationTest, DeleteShareSendsDeletes) {
  SimConfig cfg = config_with({}, "none");
  cfg.time_limit = 2'000'000;
  cfg.delete_ppm = 500'000;
  std::string trace;
  const SeedResult r = run_seed(cfg, 7, &trace);
  EXPECT_GT(r.stats.deletes, 0u);
  EXPECT_NE(trace.find(" delete key "), std::string::npos);
  EXPECT_NE(trace.find("\"body\": {\"type\": \"kv_delete\", \"msg_id\": "), std::string::npos);
  cfg.delete_ppm = 0;
  EXPECT_EQ(run_seed(cfg, 7).stats.deletes, 0u);
}

// The replay that tells how a resurrected version came back, on an ordinary write: the node the
// client wrote to got it from the client, the others from their peers.
TEST(SimulationTest, WatchedVersionArrivalsNameTheMessage) {
  SimConfig cfg = config_with({}, "none");
  cfg.time_limit = 1'000'000;
  std::string trace;
  const SeedResult r = run_seed(cfg, 7, &trace);
  ASSERT_TRUE(r.valid) << r.reason;
  // The first write the trace completes as written: "complete c1 op 3 put key 4 "c1-1"@[...] at n2: written".
  const auto at = trace.find(": written (ok)");
  ASSERT_NE(at, std::string::npos);
  const std::string line = trace.substr(trace.rfind('\n', at) + 1, at - trace.rfind('\n', at) - 1);
  const auto key_at = line.find(" key ") + 5;
  const std::int64_t key = std::stoll(line.substr(key_at));
  const auto value_at = line.find(' ', key_at) + 1;
  const auto clock_at = line.find('@', value_at);
  const std::string value = line.substr(value_at, clock_at - value_at);
  const std::string node = line.substr(line.rfind(" at ") + 4);
  const std::string clock_text = line.substr(clock_at + 1, line.rfind(" at ") - clock_at - 1);
  std::vector<std::uint64_t> slots;
  for (std::size_t i = 1; i < clock_text.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(clock_text[i])) && !std::isdigit(static_cast<unsigned char>(clock_text[i - 1]))) {
      slots.push_back(std::stoull(clock_text.substr(i)));
    }
  }
  const auto arrivals = watch_arrivals(cfg, 7, {{key, model::StoredVersion{value, VectorClock(slots)}}});
  ASSERT_EQ(arrivals.size(), 1u);
  ASSERT_TRUE(arrivals[0].count(node)) << line;
  EXPECT_NE(arrivals[0].at(node).find(" from c"), std::string::npos) << arrivals[0].at(node);
  EXPECT_NE(arrivals[0].at(node).find("(message #"), std::string::npos) << arrivals[0].at(node);
  std::size_t from_peers = 0;
  for (const auto& [n, how] : arrivals[0]) from_peers += n != node && how.find(" from n") != std::string::npos;
  EXPECT_GT(from_peers, 0u);
}

TEST(SimulationTest, TimeTextIsExact) {
  EXPECT_EQ(time_text(0), "0.000000");
  EXPECT_EQ(time_text(12'345'678), "12.345678");
}

// The whole point: a seed is a bug report. Two replays give the same bytes.
TEST(SimulationTest, ReplayedSeedGivesByteIdenticalTrace) {
  const SimConfig cfg = config_with({"--write-quorum=3"});
  std::string first, second;
  const SeedResult a = run_seed(cfg, 4711, &first);
  const SeedResult b = run_seed(cfg, 4711, &second);
  EXPECT_EQ(first, second);
  EXPECT_EQ(a.valid, b.valid);
  EXPECT_GT(first.size(), 100'000u);
  // Every kind of line the trace promises is there.
  for (const char* what : {"] send #", "] deliver #", "] drop #", "] duplicate #", "] nemesis ", "] invoke c",
                           "] complete c", "final heal", "final states:", "checker: valid"}) {
    EXPECT_NE(first.find(what), std::string::npos) << what;
  }
  // Without a trace the run is the same run.
  const SeedResult c = run_seed(cfg, 4711);
  EXPECT_EQ(c.stats.node_messages, a.stats.node_messages);
  EXPECT_EQ(c.stats.convergence, a.stats.convergence);
}

// What a reader of the trace needs on each line: who sent a dropped, duplicated or delivered
// message to whom and of which type; no "ok (ok)"; one block per distinct final store.
TEST(SimulationTest, TraceLinesNameTheirMessagesAndTheFinalStoreOnce) {
  const SimConfig cfg = config_with({"--write-quorum=3"});
  std::string trace;
  run_seed(cfg, 4711, &trace);
  std::size_t drops = 0, duplicates = 0;
  for (std::size_t at = 0, end; at < trace.size(); at = end + 1) {
    end = trace.find('\n', at);
    if (end == std::string::npos) end = trace.size();
    const std::string line = trace.substr(at, end - at);
    for (const char* what : {"] drop #", "] duplicate #", "] deliver #", "] schedule #"}) {
      const auto pos = line.find(what);
      if (pos == std::string::npos) continue;
      // "#98 n1->n3 sync ..."
      const std::string rest = line.substr(line.find(' ', pos + std::string(what).size()) + 1);
      EXPECT_TRUE(rest.size() > 6 && (rest[0] == 'c' || rest[0] == 'n') && rest.find("->") != std::string::npos &&
                  rest.find("->") < 6)
          << line;
      const std::string after_arrow = rest.substr(rest.find("->") + 2);
      const std::string type = after_arrow.substr(after_arrow.find(' ') + 1);
      EXPECT_FALSE(type.empty() || type[0] == '(') << "no message type: " << line;
      drops += std::string(what) == "] drop #";
      duplicates += std::string(what) == "] duplicate #";
    }
    EXPECT_EQ(line.find("ok (ok)"), std::string::npos) << line;
  }
  EXPECT_GT(drops, 0u);
  EXPECT_GT(duplicates, 0u);
  // Converged: every node holds the same store, printed once.
  const auto states = trace.find("final states:");
  ASSERT_NE(states, std::string::npos);
  EXPECT_NE(trace.find("  n1 n2 n3 n4 n5 (every node, the same store):\n", states), std::string::npos);
  EXPECT_EQ(trace.find("  n2:\n", states), std::string::npos);
}

TEST(SimSeedsTest, EveryFailureShownHasItsReplayCommand) {
  SeedsSummary s;
  s.seeds_run = 10;
  for (std::uint64_t seed : {3, 7, 9}) {
    SeedResult r;
    r.seed = seed;
    r.reason = "lost 1";
    s.failures.push_back(r);
  }
  const std::string text = summary_text(s, 1, "/usr/bin/vckv-sim --nodes 5", 2);
  EXPECT_NE(text.find("  seed 3 [UNEXPLAINED] lost 1\n    replay: /usr/bin/vckv-sim --nodes 5 --seed 3 --trace\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    replay: /usr/bin/vckv-sim --nodes 5 --seed 7 --trace\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("--seed 9"), std::string::npos) << text;  // not shown: past --max-failures-shown
}

TEST(SimulationTest, DifferentSeedsRunDifferently) {
  const SimConfig cfg = config_with({});
  EXPECT_NE(run_seed(cfg, 1).stats.node_bytes, run_seed(cfg, 2).stats.node_bytes);
}

TEST(SimulationTest, WriteQuorumThreeWithEveryFaultIsValid) {
  const SimConfig cfg = config_with({"--write-quorum=3"});
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const SeedResult r = run_seed(cfg, seed);
    EXPECT_TRUE(r.valid) << "seed " << seed << ": " << r.reason;
    EXPECT_GT(r.stats.acknowledged, 100u);
    EXPECT_TRUE(r.stats.convergence.has_value()) << "seed " << seed;
  }
}

TEST(SimulationTest, NoFaultsConvergesAndKeepsEverything) {
  const SimConfig cfg = config_with({}, "none");
  const SeedResult r = run_seed(cfg, 3);
  EXPECT_TRUE(r.valid) << r.reason;
  EXPECT_EQ(r.stats.dropped, 0u);
  EXPECT_EQ(r.check.acknowledged, r.check.survived + r.check.superseded);
}

// Mutation checks: each deliberately broken node option is caught within 100 seeds.
TEST(SimMutationTest, NoReplicationIsCaughtWithin100Seeds) {
  const auto seed = first_failure(config_with({"--debug-no-replication"}), 1, 100);
  ASSERT_TRUE(seed.has_value());
  EXPECT_LT(*seed - 1, 100u);
}

TEST(SimMutationTest, DroppingConcurrentSiblingsOnMergeIsCaughtWithin100Seeds) {
  const auto seed = first_failure(config_with({"--debug-drop-concurrent-on-merge"}), 1, 100);
  ASSERT_TRUE(seed.has_value());
  EXPECT_LT(*seed - 1, 100u);
}

TEST(SimMutationTest, LwwPreferringTheSmallerIsCaughtWithin100Seeds) {
  const auto seed = first_failure(config_with({"--conflict=lww", "--debug-lww-prefer-smaller"}), 1, 100);
  ASSERT_TRUE(seed.has_value());
  EXPECT_LT(*seed - 1, 100u);
}

TEST(SimMutationTest, CorrectLwwIsValid) {
  const SimConfig cfg = config_with({"--conflict=lww"});
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const SeedResult r = run_seed(cfg, seed);
    EXPECT_TRUE(r.valid) << "seed " << seed << ": " << r.reason;
  }
}

// At W = 1 a write is acknowledged by one node; killed before any peer has it, the write is
// gone. Clients next to their node and peers 20 ms away, and a kill every second, make that
// common; every failure must be exactly that, and the trace must say so.
// Kills every half second for 10 virtual s, clients 0.5 ms from their node, peers 20 ms apart.
SimConfig frequent_kills(std::vector<std::string> node_args) {
  SimConfig cfg = config_with(std::move(node_args), "kill");
  cfg.time_limit = 10'000'000;
  cfg.fault_interval = 500'000;
  cfg.latency = 20'000;
  cfg.client_latency = 500;
  return cfg;
}

TEST(SimKillTest, LossesAtWriteQuorumOneAreWritesThatDiedWithTheirNode) {
  const SimConfig cfg = frequent_kills({});
  SeedsOptions options;
  options.first = 1;
  options.count = 60;
  const SeedsSummary summary = run_seeds(cfg, options);
  ASSERT_GE(summary.failures.size(), 3u);
  EXPECT_EQ(summary.explained, summary.failures.size());
  for (const SeedResult& r : summary.failures) {
    EXPECT_TRUE(r.explained) << "seed " << r.seed << ": " << r.reason;
    EXPECT_EQ(r.check.lost, r.explanations.size()) << "seed " << r.seed;
    for (LossExplanation k : r.loss_kinds) EXPECT_EQ(k, LossExplanation::kDiedBeforeLeft) << "seed " << r.seed;
  }
  std::string trace;
  const SeedResult replay = run_seed(cfg, summary.failures.front().seed, &trace);
  EXPECT_FALSE(replay.valid);
  EXPECT_NE(trace.find("before the write left it"), std::string::npos);
  EXPECT_NE(trace.find("checker: INVALID"), std::string::npos);
}

// The same kills with W = 3: an acknowledged write is on three nodes, and one kill at a time
// cannot lose it.
TEST(SimKillTest, WriteQuorumThreeLosesNothingToTheSameKills) {
  const SimConfig cfg = frequent_kills({"--write-quorum=3"});
  SeedsOptions options;
  options.first = 1;
  options.count = 30;
  const SeedsSummary summary = run_seeds(cfg, options);
  EXPECT_TRUE(summary.failures.empty()) << summary.failures.front().reason;
}

// --replicas: the nodes' options carry it, the world's placement is the ring, and the schedule
// draws the "replicas" shape from it; with replicas 0 the same seed draws no such shape.
TEST(SimRingTest, ReplicasReachTheScheduleAndTheChecker) {
  SimConfig cfg = config_with({}, "partition");
  cfg.time_limit = 4'000'000;
  cfg.fault_interval = 1'000'000;
  cfg.partition_shapes = {"replicas"};
  cfg.node.replicas = 3;
  std::string trace;
  run_seed(cfg, 3, &trace);
  EXPECT_NE(trace.find("s: partition replicas of key "), std::string::npos);
  EXPECT_NE(trace.find("ring: --replicas 3, --vnodes 64"), std::string::npos);
  EXPECT_NE(trace.find("keys per node:"), std::string::npos);

  SimConfig every = config_with({}, "partition");
  every.time_limit = 4'000'000;
  every.fault_interval = 1'000'000;
  std::string plain;
  run_seed(every, 3, &plain);
  EXPECT_EQ(plain.find("replicas of key"), std::string::npos);
  EXPECT_EQ(plain.find("ring:"), std::string::npos);
}

// replica-loss: a key's first replica, cut off from its other replicas, coordinates writes that
// hints acknowledge, then dies with its data: the hints alone carry those writes to the
// replicas after the heal. A stand-in that forgets its hints is caught within 100 seeds; the
// same runs with hints kept lose nothing.
SimConfig ring_of_nine(std::vector<std::string> node_args) {
  node_args.push_back("--write-quorum=2");
  node_args.push_back("--read-quorum=2");
  SimConfig cfg = config_with(std::move(node_args), "replica-loss,drop,duplicate,reorder");
  cfg.nodes = 9;
  cfg.node.replicas = 3;
  return cfg;
}

TEST(SimRingTest, ForgettingHintsIsCaughtWithin100SeedsOfReplicaLoss) {
  const auto seed = first_failure(ring_of_nine({"--debug-forget-hints"}), 1, 100);
  ASSERT_TRUE(seed.has_value());
  EXPECT_LT(*seed - 1, 100u);
}

TEST(SimRingTest, ReplicaLossWithHintsKeptLosesNothing) {
  EXPECT_FALSE(first_failure(ring_of_nine({}), 1, 20).has_value());
}

// The catch-up after the heal: a node isolated until the final heal lacks the versions written
// meanwhile; the bytes sent from the heal to convergence are counted.
TEST(SimRingTest, CatchUpCountsTheVersionsMissingAtTheHealAndTheBytesThatFollow) {
  SimConfig cfg = config_with({}, "partition");
  cfg.partition_shapes = {"isolated"};
  cfg.time_limit = 4'000'000;
  cfg.fault_interval = 2'000'000;  // isolated from 2 s to the final heal at 4 s
  cfg.keys = 1000;
  const SeedResult r = run_seed(cfg, 1);
  ASSERT_TRUE(r.valid) << r.reason;
  ASSERT_TRUE(r.stats.convergence.has_value());
  EXPECT_GT(r.stats.missing_versions, 20u);
  EXPECT_GT(r.stats.missing_bytes, 20 * r.stats.missing_versions);  // [K,V,[C]] at least
  EXPECT_GT(r.stats.catch_up_bytes, r.stats.missing_bytes / 2);
  EXPECT_LT(r.stats.catch_up_bytes, r.stats.node_bytes);
}

// §15: the same kills at W = 1 with every node on a simulated disk (--fsync batch): a kill is a
// process crash, and now and then a power loss with torn unsynced tails; the restarted node
// recovers what it acknowledged. Nothing is lost.
TEST(SimDiskTest, WriteQuorumOneWithADataDirLosesNothingToKills) {
  SimConfig cfg = frequent_kills({"--data-dir=/disk"});
  cfg.power_loss_ppm = 300'000;
  cfg.disk.torn_write_per_million = 500'000;
  cfg.disk.sync_latency_max_us = 2'000;
  SeedsOptions options;
  options.first = 1;
  options.count = 60;
  const SeedsSummary summary = run_seeds(cfg, options);
  EXPECT_TRUE(summary.failures.empty()) << summary.failures.front().reason;
  std::string trace;
  run_seed(cfg, 1, &trace);
  EXPECT_NE(trace.find("(recovers its disk, init)"), std::string::npos);
  EXPECT_NE(trace.find("(power loss)"), std::string::npos);
}

// The broken switch: replies released before their records are logged. The kills catch it, and
// the losses are not explained (the disk should have kept them).
TEST(SimDiskTest, AckBeforeLogIsCaughtWithin100Seeds) {
  const SimConfig cfg = frequent_kills({"--data-dir=/disk", "--debug-ack-before-log"});
  const auto seed = first_failure(cfg, 1, 100);
  ASSERT_TRUE(seed.has_value());
  const SeedResult r = run_seed(cfg, *seed);
  EXPECT_FALSE(r.explained) << r.reason;
}

// disk-loss wipes the killed node's disk; at W = 3 the other replicas still cover it.
TEST(SimDiskTest, DiskLossAtWriteQuorumThreeLosesNothing) {
  SimConfig cfg = config_with({"--data-dir=/disk", "--write-quorum=3"}, "disk-loss");
  cfg.time_limit = 10'000'000;
  cfg.fault_interval = 500'000;
  std::string trace;
  const SeedResult r = run_seed(cfg, 3, &trace);
  EXPECT_TRUE(r.valid) << r.reason;
  EXPECT_NE(trace.find("nemesis wipe"), std::string::npos);
}

// Without --data-dir nothing of a run changes: no disk, and kills restart empty.
TEST(SimDiskTest, WithoutDataDirThereIsNoDisk) {
  const SimConfig cfg = frequent_kills({});
  EXPECT_FALSE(cfg.disks);
  std::string trace;
  run_seed(cfg, 1, &trace);
  EXPECT_NE(trace.find("(empty store, init)"), std::string::npos);
  EXPECT_EQ(trace.find("process crash"), std::string::npos);
}

}  // namespace
// A bounce kills a node and restarts it before the answers to its last process's requests have
// arrived (its links are slow while it bounces, and its kills, process crashes, lose nothing in
// flight): the next process gets them and must refuse them. W = 3 stays valid.
TEST(SimBounceTest, AnswersMeantForAnEarlierProcessReachTheNextAndAreRefused) {
  const SimConfig cfg = config_with({"--write-quorum=3"}, "bounce");
  std::uint64_t refused = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const SeedResult r = run_seed(cfg, seed);
    EXPECT_TRUE(r.valid) << "seed " << seed << ": " << r.reason;
    refused += r.stats.replies_mismatched;
  }
  EXPECT_GE(refused, 3u);
}

// The fault the bounce exists for: a matcher of replies by msg_id and sender alone takes a
// restarted node's stale fetch_ok and sync_ok. On a 3-node cluster whose kills come faster than
// its slow, reordered messages, seed 509 then holds phantom versions (one key's values under
// another); the real matcher leaves only the writes the kills explain.
TEST(SimMutationTest, MatchingRepliesByMsgIdAloneIsCaught) {
  SimConfig cfg = config_with({"--write-quorum=2", "--read-quorum=2"}, "kill,reorder");
  cfg.nodes = 3;
  cfg.fault_interval = 200'000;
  cfg.latency = 30'000;
  cfg.reorder_ppm = 500'000;
  cfg.reorder_max = 400'000;
  cfg.kill_loses_in_flight = false;
  cfg.rate = 200;
  std::string error;
  ASSERT_TRUE(configure(cfg, error)) << error;
  const SeedResult good = run_seed(cfg, 509);
  EXPECT_EQ(good.check.phantom, 0u) << good.reason;
  EXPECT_TRUE(good.explained) << good.reason;
  cfg.node_args.push_back("--debug-accept-any-reply");
  ASSERT_TRUE(configure(cfg, error)) << error;
  const SeedResult broken = run_seed(cfg, 509);
  EXPECT_FALSE(broken.valid);
  EXPECT_GT(broken.check.phantom, 0u) << broken.reason;
}

}  // namespace vckv::sim
