#include "model/check/checker.hpp"

#include "model/check/mode_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace vckv::model {
namespace {

WriteRecord Acked(std::int64_t key, std::string value, VectorClock clock) {
  return WriteRecord{"c1", key, "\"" + value + "\"", std::move(clock), WriteOutcome::kAcknowledged};
}

StoredVersion V(std::string value, VectorClock clock) { return StoredVersion{"\"" + value + "\"", std::move(clock)}; }

// The same state on every node.
std::map<std::string, NodeState> Everywhere(const NodeState& state) {
  return {{"n1", state}, {"n2", state}, {"n3", state}};
}

TEST(CheckerTest, ExampleConcurrentWritesKeptAsSiblingsAreValid) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Acked(1, "b", {0, 1})};
  const CheckResult r = check(writes, Everywhere({{1, {V("a", {1, 0}), V("b", {0, 1})}}}));
  EXPECT_TRUE(r.valid()) << r.summary();
  EXPECT_EQ(r.survived, 2u);
}

TEST(CheckerTest, FlagsLostWrite) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Acked(1, "b", {0, 1})};
  const CheckResult r = check(writes, Everywhere({{1, {V("a", {1, 0})}}}));
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.lost, 1u);
  EXPECT_EQ(r.summary(), "lost 1");
  EXPECT_EQ(r.lost_writes, std::vector<std::size_t>{1});  // which write: b, the second
}

TEST(CheckerTest, AcceptsAcknowledgedWriteDominatedByFinalSibling) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Acked(1, "ab", {1, 1})};
  const CheckResult r = check(writes, Everywhere({{1, {V("ab", {1, 1})}}}));
  EXPECT_TRUE(r.valid()) << r.summary();
  EXPECT_EQ(r.superseded, 1u);
  EXPECT_EQ(r.survived, 1u);
}

TEST(CheckerTest, EqualClockWithOtherValueDoesNotSupersede) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1}), Acked(1, "b", {1})};
  const CheckResult r = check(writes, Everywhere({{1, {V("b", {1})}}}));
  EXPECT_EQ(r.lost, 1u);
}

TEST(CheckerTest, FlagsDivergence) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Acked(1, "b", {0, 1})};
  std::map<std::string, NodeState> states = Everywhere({{1, {V("a", {1, 0}), V("b", {0, 1})}}});
  states["n3"][1] = {V("b", {0, 1}), V("a", {1, 0}), V("c", {0, 0, 1})};  // order is irrelevant, c is not
  const CheckResult r = check(writes, states);
  EXPECT_EQ(r.diverged, 1u);
  EXPECT_EQ(r.phantom, 1u);  // c was never written
}

TEST(CheckerTest, SiblingOrderAndClockPaddingDoNotCountAsDivergence) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Acked(1, "b", {0, 1})};
  std::map<std::string, NodeState> states = Everywhere({{1, {V("a", {1, 0}), V("b", {0, 1})}}});
  states["n2"][1] = {V("b", {0, 1, 0}), V("a", {1})};
  EXPECT_TRUE(check(writes, states).valid());
}

TEST(CheckerTest, KeyMissingOnOneNodeIsDivergenceAndLoss) {
  const std::vector<WriteRecord> writes = {Acked(2, "a", {1})};
  std::map<std::string, NodeState> states = Everywhere({{2, {V("a", {1})}}});
  states["n2"].clear();
  const CheckResult r = check(writes, states);
  EXPECT_EQ(r.diverged, 1u);
  EXPECT_EQ(r.lost, 1u);
}

TEST(CheckerTest, FlagsNonAntichain) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Acked(1, "ab", {1, 1})};
  const CheckResult r = check(writes, Everywhere({{1, {V("a", {1, 0}), V("ab", {1, 1})}}}));
  EXPECT_EQ(r.not_antichain, 3u);  // once per node
  EXPECT_FALSE(r.valid());
}

TEST(CheckerTest, FlagsRejectedWriteThatIsPresent) {
  std::vector<WriteRecord> writes = {Acked(1, "a", {2}), Acked(1, "b", {1})};
  writes[1].outcome = WriteOutcome::kRejected;
  const CheckResult r = check(writes, Everywhere({{1, {V("a", {2}), V("b", {1})}}}));
  EXPECT_EQ(r.rejected_present, 1u);
}

TEST(CheckerTest, TimedOutWritesMayBePresentOrAbsent) {
  std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Acked(1, "b", {0, 1}), Acked(2, "c", {1})};
  writes[1].outcome = WriteOutcome::kIndeterminate;
  writes[2].outcome = WriteOutcome::kIndeterminate;
  const CheckResult r = check(writes, Everywhere({{1, {V("a", {1, 0}), V("b", {0, 1})}}}));
  EXPECT_TRUE(r.valid()) << r.summary();
}

TEST(CheckerTest, FlagsValueWithAnotherClockThanWritten) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0})};
  const CheckResult r = check(writes, Everywhere({{1, {V("a", {2, 0})}}}));
  EXPECT_EQ(r.phantom, 1u);
  EXPECT_EQ(r.lost, 0u);  // {2, 0} dominates the write
}

TEST(CheckerTest, OptionsBoundTheReasonsKept) {
  std::vector<WriteRecord> writes;
  for (std::uint64_t i = 1; i <= 5; ++i) writes.push_back(Acked(1, "w" + std::to_string(i), {i}));
  const std::map<std::string, NodeState> nothing = Everywhere({});
  CheckOptions options;
  options.max_reasons_per_kind = 2;
  const CheckResult r = check(writes, nothing, options);
  EXPECT_EQ(r.lost, 5u);
  EXPECT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(check(writes, nothing).reasons.size(), 5u);
  EXPECT_EQ(options.mode, ConflictMode::kSiblings);  // the default
}

TEST(CheckerTest, CanonicalSetSortsAndTrimsClocks) {
  EXPECT_EQ(canonical_set({V("b", {0, 1, 0}), V("a", {1, 0})}), "\"a\"@[1] \"b\"@[0, 1]");
}

// lww mode (docs/protocol.md §13): one survivor per key; an acknowledged write is kept (it is
// the survivor, or the survivor dominates it), discarded by lww (concurrent with the survivor
// and smaller in the order: counted, valid), or lost.
TEST(CheckerTest, LwwKeptDiscardedAndLost) {
  const CheckOptions lww{ConflictMode::kLww};
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Acked(1, "b", {0, 2}),
                                           Acked(1, "c", {1, 2}), Acked(2, "x", {0, 1}),
                                           Acked(2, "y", {1, 0})};
  // Key 1: c dominates a and b. Key 2: y and x are concurrent with equal sums: [1, 0] wins.
  CheckResult r = check(writes, Everywhere({{1, {V("c", {1, 2})}}, {2, {V("y", {1, 0})}}}), lww);
  EXPECT_TRUE(r.valid()) << r.summary();
  EXPECT_EQ(r.survived, 2u);    // c and y are the survivors
  EXPECT_EQ(r.superseded, 2u);  // a and b: c dominates them
  EXPECT_EQ(r.lww_discarded, 1u);  // x
  // A survivor the order should have beaten (a node preferring the smaller sum, say): lost.
  r = check({Acked(3, "small", {1, 0}), Acked(3, "big", {0, 5})}, Everywhere({{3, {V("small", {1, 0})}}}),
            lww);
  EXPECT_EQ(r.lost, 1u);
  EXPECT_EQ(r.lost_writes, std::vector<std::size_t>{1});
  EXPECT_NE(r.reasons.front().find("nor comes later in the lww order"), std::string::npos) << r.reasons.front();
  // A missing survivor loses the write, and siblings are not lww.
  r = check({Acked(4, "a", {1, 0}), Acked(4, "b", {0, 1})}, Everywhere({{4, {V("a", {1, 0}), V("b", {0, 1})}}}),
            lww);
  EXPECT_EQ(r.multiple_versions, 3u);
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(check({Acked(5, "a", {1})}, Everywhere({}), lww).lost, 1u);
  // In siblings mode nothing is ever discarded by lww.
  EXPECT_EQ(check(writes, Everywhere({{1, {V("c", {1, 2})}}, {2, {V("y", {1, 0})}}})).lww_discarded, 0u);
}

// Rule 2, per mode: lww allows one version per key, siblings any antichain.
TEST(ModeRulesTest, EachModeJudgesANodesVersionsOfAKey) {
  CheckResult r;
  const Noter note{kMaxReasonsPerKind};
  rules_for(ConflictMode::kSiblings).check_versions(1, "n1", {V("a", {1, 0}), V("b", {0, 1})}, r, note);
  EXPECT_TRUE(r.valid());
  rules_for(ConflictMode::kLww).check_versions(1, "n1", {V("a", {1, 0}), V("b", {0, 1})}, r, note);
  EXPECT_EQ(r.multiple_versions, 1u);
  rules_for(ConflictMode::kSiblings).check_versions(1, "n1", {V("a", {1, 0}), V("b", {1, 1})}, r, note);
  EXPECT_EQ(r.not_antichain, 1u);
  EXPECT_EQ(r.reasons.back(), "not an antichain: key 1 on n1: \"b\"@[1, 1] dominates \"a\"@[1, 0]");
}


// --- with a ring (docs/protocol.md §14): 5 nodes, 64 vnodes, 3 replicas; key 0 lives on
// n4 n2 n5 and key 42 on n4 n3 n2 (the contract's vectors).
const std::vector<std::string> kFiveNodes = {"n1", "n2", "n3", "n4", "n5"};

// Each key's state on its replicas only; the other nodes hold nothing.
std::map<std::string, NodeState> OnReplicas(const Placement& placement, const NodeState& state) {
  std::map<std::string, NodeState> out;
  for (const std::string& n : kFiveNodes) out[n];
  for (const auto& [key, versions] : state) {
    for (const std::string& n : placement.replicas_of(key, kFiveNodes)) out[n][key] = versions;
  }
  return out;
}

CheckOptions RingOptions(const Placement& placement) {
  CheckOptions options;
  options.placement = &placement;
  return options;
}

TEST(CheckerRingTest, ExampleEachKeyOnItsReplicasOnlyIsValid) {
  const Placement ring(kFiveNodes, 3);
  const std::vector<WriteRecord> writes = {Acked(0, "a", {1, 0}), Acked(42, "b", {0, 1})};
  const CheckResult r = check(writes, OnReplicas(ring, {{0, {V("a", {1, 0})}}, {42, {V("b", {0, 1})}}}),
                              RingOptions(ring));
  EXPECT_TRUE(r.valid()) << r.summary();
  EXPECT_EQ(r.survived, 2u);
  EXPECT_EQ(r.misplaced, 0u);
  // Without the ring the same state is divergent and lossy: non-replicas hold nothing.
  EXPECT_FALSE(check(writes, OnReplicas(ring, {{0, {V("a", {1, 0})}}, {42, {V("b", {0, 1})}}})).valid());
}

TEST(CheckerRingTest, NodeKeepingAKeyItDoesNotReplicateIsInvalid) {
  const Placement ring(kFiveNodes, 3);
  const std::vector<WriteRecord> writes = {Acked(0, "a", {1, 0})};
  auto states = OnReplicas(ring, {{0, {V("a", {1, 0})}}});
  states["n1"][0] = {V("a", {1, 0})};  // n1 is not among n4 n2 n5
  const CheckResult r = check(writes, states, RingOptions(ring));
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.misplaced, 1u);
  EXPECT_EQ(r.diverged, 0u);
  EXPECT_EQ(r.summary(), "misplaced 1");
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0],
            "misplaced: key 0: n1 is not a replica (preference list n4,n2,n5) but holds 1 version: \"a\"@[1]");
}

TEST(CheckerRingTest, WriteOnFewerThanNReplicasIsLost) {
  const Placement ring(kFiveNodes, 3);
  const std::vector<WriteRecord> writes = {Acked(0, "a", {1, 0})};
  auto states = OnReplicas(ring, {{0, {V("a", {1, 0})}}});
  states["n5"].erase(0);  // on n4 and n2 only
  const CheckResult r = check(writes, states, RingOptions(ring));
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.lost, 1u);
  EXPECT_EQ(r.diverged, 1u);
  EXPECT_EQ(r.lost_writes, std::vector<std::size_t>{0});
  const std::string lost = "lost: c1 wrote key 0 = \"a\"@[1, 0] (acknowledged), neither present nor dominated on n5 "
                           "(replicas of key 0: n4,n2,n5)";
  EXPECT_NE(std::find(r.reasons.begin(), r.reasons.end(), lost), r.reasons.end()) << r.reasons[0];
}

TEST(CheckerRingTest, ReplicaMissingFromTheFinalStatesHoldsNothing) {
  const Placement ring(kFiveNodes, 3);
  const std::vector<WriteRecord> writes = {Acked(0, "a", {1, 0})};
  auto states = OnReplicas(ring, {{0, {V("a", {1, 0})}}});
  states.erase("n5");  // never read
  const CheckResult r = check(writes, states, RingOptions(ring));
  EXPECT_EQ(r.lost, 1u);
}

TEST(CheckerRingTest, ReplicasMustAgree) {
  const Placement ring(kFiveNodes, 3);
  const std::vector<WriteRecord> writes = {Acked(0, "a", {1, 0}), Acked(0, "b", {0, 1})};
  auto states = OnReplicas(ring, {{0, {V("a", {1, 0}), V("b", {0, 1})}}});
  states["n2"][0] = {V("a", {1, 0})};
  const CheckResult r = check(writes, states, RingOptions(ring));
  EXPECT_EQ(r.diverged, 1u);
  EXPECT_EQ(r.lost, 1u);  // b, on n2
}

TEST(CheckerRingTest, LeftoverHintIsInvalid) {
  const Placement ring(kFiveNodes, 3);
  const std::vector<WriteRecord> writes = {Acked(0, "a", {1, 0})};
  const auto states = OnReplicas(ring, {{0, {V("a", {1, 0})}}});
  std::map<std::string, NodeHints> hints;
  hints["n1"][0] = {HeldHint{"n5", V("a", {1, 0})}};
  const CheckResult r = check(writes, states, RingOptions(ring), hints);
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.hints_left, 1u);
  EXPECT_EQ(r.summary(), "hints-left 1");
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0], "hint left: key 0: n1 still holds \"a\"@[1, 0] as a hint for n5");
  // No hints: valid.
  EXPECT_TRUE(check(writes, states, RingOptions(ring), {}).valid());
}

TEST(CheckerRingTest, EveryNodePlacementChecksAsWithoutARing) {
  const Placement every(kFiveNodes, 0);
  const std::vector<WriteRecord> writes = {Acked(0, "a", {1, 0})};
  const Placement ring(kFiveNodes, 3);
  const auto states = OnReplicas(ring, {{0, {V("a", {1, 0})}}});
  const CheckResult with = check(writes, states, RingOptions(every));
  const CheckResult without = check(writes, states);
  EXPECT_EQ(with.summary(), without.summary());
  EXPECT_EQ(with.reasons, without.reasons);
  EXPECT_EQ(with.diverged, 1u);
}

}  // namespace
}  // namespace vckv::model
