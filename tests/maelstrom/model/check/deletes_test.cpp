// The checker's rules for deletes (docs/protocol.md §16): hand-made histories with tombstones,
// reaps and resurrections.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/check/checker.hpp"

namespace vckv::model {
namespace {

WriteRecord Acked(std::int64_t key, std::string value, VectorClock clock, std::string client = "c1") {
  return WriteRecord{std::move(client), key, "\"" + value + "\"", std::move(clock), WriteOutcome::kAcknowledged};
}
WriteRecord Deleted(std::int64_t key, VectorClock clock, std::string client = "c2",
                    WriteOutcome outcome = WriteOutcome::kAcknowledged) {
  return WriteRecord{std::move(client), key, "", std::move(clock), outcome, true};
}
StoredVersion V(std::string value, VectorClock clock) { return StoredVersion{"\"" + value + "\"", std::move(clock)}; }
StoredVersion T(VectorClock clock) { return tombstone_version(std::move(clock)); }

std::map<std::string, NodeState> Everywhere(const NodeState& state) {
  return {{"n1", state}, {"n2", state}, {"n3", state}};
}

bool Has(const CheckResult& r, const std::string& reason) {
  return std::find(r.reasons.begin(), r.reasons.end(), reason) != r.reasons.end();
}

// c1 wrote a, c2 read it and deleted it; the key was reaped everywhere, and then a came back on
// n3 (as a replica that missed the delete and was never told would bring it back).
TEST(CheckerDeletesTest, ResurrectedVersionIsInvalid) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Deleted(1, {1, 1})};
  std::map<std::string, NodeState> states = Everywhere({});
  states["n3"][1] = {V("a", {1, 0})};
  const CheckResult r = check(writes, states);
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.resurrected, 1u);
  EXPECT_EQ(r.lost, 0u);  // a was deleted, not lost
  EXPECT_EQ(r.summary(), "diverged 1, resurrected 1");
  EXPECT_TRUE(Has(r, "resurrected: key 1 \"a\"@[1, 0] on n3, but c2's acknowledged delete ~@[1, 1] dominates it"))
      << r.reasons.back();
  ASSERT_EQ(r.resurrections.size(), 1u);
  EXPECT_EQ(r.resurrections[0].key, 1);
  EXPECT_EQ(r.resurrections[0].version.value, "\"a\"");
  EXPECT_EQ(r.resurrections[0].tombstone, 1u);
  EXPECT_EQ(r.resurrections[0].nodes, std::vector<std::string>{"n3"});
  // Everywhere alike: the replicas agree, and it is still a resurrection.
  const CheckResult all = check(writes, Everywhere({{1, {V("a", {1, 0})}}}));
  EXPECT_EQ(all.summary(), "resurrected 1");
  EXPECT_TRUE(Has(all, "resurrected: key 1 \"a\"@[1, 0] on n1,n2,n3, but c2's acknowledged delete ~@[1, 1] dominates it"));
  // A delete that timed out proves nothing: a may be there.
  const std::vector<WriteRecord> unsure = {Acked(1, "a", {1, 0}), Deleted(1, {1, 1}, "c2", WriteOutcome::kIndeterminate)};
  EXPECT_TRUE(check(unsure, Everywhere({{1, {V("a", {1, 0})}}})).valid());
}

TEST(CheckerDeletesTest, ResurrectionInAHintCounts) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Deleted(1, {1, 1})};
  std::map<std::string, NodeHints> hints;
  hints["n2"][1] = {HeldHint{"n3", V("a", {1, 0})}};
  const CheckResult r = check(writes, Everywhere({}), {}, hints);
  EXPECT_EQ(r.resurrected, 1u);
  EXPECT_EQ(r.hints_left, 1u);
  EXPECT_TRUE(Has(r, "resurrected: key 1 \"a\"@[1, 0] on hint on n2 for n3, but c2's acknowledged delete ~@[1, 1] "
                     "dominates it"));
}

// Key 1: deleted and reaped. Key 2: deleted, the tombstone held everywhere. Key 3: deleted,
// reaped, then written again by a blind write (a new write whatever its clock).
TEST(CheckerDeletesTest, ExampleDeletesAndAReapAreValid) {
  const std::vector<WriteRecord> writes = {
      Acked(1, "a", {1, 0}), Deleted(1, {1, 1}),  //
      Acked(2, "b", {1, 0}), Deleted(2, {1, 1}),  //
      Acked(3, "c", {1, 0}), Deleted(3, {1, 1}), Acked(3, "d", {0, 0, 1}, "c3")};
  const CheckResult r = check(writes, Everywhere({{2, {T({1, 1})}}, {3, {V("d", {0, 0, 1})}}}));
  EXPECT_TRUE(r.valid()) << r.summary() << ": " << (r.reasons.empty() ? "" : r.reasons[0]);
  EXPECT_EQ(r.acknowledged, 4u);  // writes; deletes apart
  EXPECT_EQ(r.deletes_acknowledged, 3u);
  EXPECT_EQ(r.deletes_held, 1u);
  EXPECT_EQ(r.deletes_reaped, 2u);
  EXPECT_EQ(r.deleted, 2u);     // a and c: gone with their key
  EXPECT_EQ(r.superseded, 1u);  // b: the tombstone holds it
  EXPECT_EQ(r.survived, 1u);    // d
  EXPECT_EQ(r.lost, 0u);
  // Without the delete, a and c are lost.
  const std::vector<WriteRecord> no_deletes = {Acked(1, "a", {1, 0}), Acked(3, "c", {1, 0})};
  EXPECT_EQ(check(no_deletes, Everywhere({})).lost, 2u);
}

TEST(CheckerDeletesTest, TombstonesArePartOfTheSetsAndMustBeWritten) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Deleted(1, {0, 1})};
  // Concurrent: a and the tombstone are siblings.
  EXPECT_TRUE(check(writes, Everywhere({{1, {V("a", {1, 0}), T({0, 1})}}})).valid());
  EXPECT_EQ(canonical_set({V("a", {1, 0}), T({0, 1, 0})}), "\"a\"@[1] ~@[0, 1]");
  // A tombstone no client wrote, and one whose delete was refused.
  const CheckResult phantom = check(writes, Everywhere({{1, {V("a", {1, 0}), T({0, 2})}}}));
  EXPECT_EQ(phantom.phantom, 1u);
  EXPECT_TRUE(Has(phantom, "phantom: key 1 ~@[0, 2] on n1: no client deleted key 1 with that clock"));
  const std::vector<WriteRecord> refused = {Acked(1, "a", {1, 0}), Deleted(1, {0, 1}, "c2", WriteOutcome::kRejected)};
  EXPECT_EQ(check(refused, Everywhere({{1, {V("a", {1, 0}), T({0, 1})}}})).rejected_present, 1u);
  // A tombstone and a value differ even with the same clock.
  EXPECT_NE(canonical_set({T({1})}), canonical_set({StoredVersion{"\"\"", VectorClock({1})}}));
}

// n1 and n2 hold the tombstone, n3 lost it (and a with it): neither converged nor reaped.
TEST(CheckerDeletesTest, TombstoneMissingFromAReplicaIsInvalid) {
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Deleted(1, {1, 1})};
  std::map<std::string, NodeState> states = Everywhere({{1, {T({1, 1})}}});
  states["n3"].erase(1);
  const CheckResult r = check(writes, states);
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.tombstones_missing, 1u);
  EXPECT_EQ(r.resurrected, 0u);
  EXPECT_EQ(r.summary(), "diverged 1, tombstone-missing 1");
  EXPECT_TRUE(Has(r, "tombstone missing: c2 deleted key 1 with ~@[1, 1] (acknowledged): held by n1,n2 but neither "
                     "present nor dominated on n3 (a key is either held by every replica or reaped from all)"));
}

TEST(CheckerDeletesTest, TombstoneMissingFromARingReplica) {
  // 5 nodes, 3 replicas: key 0 lives on n4 n2 n5 (the contract's vectors).
  const std::vector<std::string> nodes = {"n1", "n2", "n3", "n4", "n5"};
  const Placement ring(nodes, 3);
  const std::vector<WriteRecord> writes = {Acked(0, "a", {1, 0}), Deleted(0, {1, 1})};
  std::map<std::string, NodeState> states;
  for (const std::string& n : nodes) states[n];
  states["n4"][0] = {T({1, 1})};
  states["n2"][0] = {T({1, 1})};
  CheckOptions options;
  options.placement = &ring;
  const CheckResult r = check(writes, states, options);
  EXPECT_EQ(r.tombstones_missing, 1u);
  EXPECT_TRUE(Has(r, "tombstone missing: c2 deleted key 0 with ~@[1, 1] (acknowledged): held by n2,n4 but neither "
                     "present nor dominated on n5 (a key is either held by every replica or reaped from all) "
                     "(replicas of key 0: n4,n2,n5)"));
  states["n5"][0] = {T({1, 1})};
  EXPECT_TRUE(check(writes, states, options).valid());  // n1 and n3 need not hold it
}

TEST(CheckerDeletesTest, LwwWithATombstone) {
  CheckOptions lww;
  lww.mode = ConflictMode::kLww;
  const std::vector<WriteRecord> writes = {Acked(1, "a", {1, 0}), Deleted(1, {1, 1})};
  // The tombstone survives, dominating a; or the key is reaped.
  const CheckResult held = check(writes, Everywhere({{1, {T({1, 1})}}}), lww);
  EXPECT_TRUE(held.valid()) << held.summary();
  EXPECT_EQ(held.superseded, 1u);
  EXPECT_EQ(held.deletes_held, 1u);
  const CheckResult reaped = check(writes, Everywhere({}), lww);
  EXPECT_TRUE(reaped.valid()) << reaped.summary();
  EXPECT_EQ(reaped.deleted, 1u);
  EXPECT_EQ(reaped.deletes_reaped, 1u);
  // a back after the reap.
  const CheckResult back = check(writes, Everywhere({{1, {V("a", {1, 0})}}}), lww);
  EXPECT_EQ(back.summary(), "resurrected 1");
  // A delete concurrent with a write: a tie on the clocks' sums, [0, 1] below [1, 0], so b wins
  // over the tombstone ~@[0, 1] (§13) and stands in for it.
  const std::vector<WriteRecord> tie = {Acked(1, "b", {1, 0}), Deleted(1, {0, 1})};
  const CheckResult b_wins = check(tie, Everywhere({{1, {V("b", {1, 0})}}}), lww);
  EXPECT_TRUE(b_wins.valid()) << b_wins.summary();
  EXPECT_EQ(b_wins.deletes_held, 1u);
  // The other way round the tombstone wins: b is discarded by the order.
  const std::vector<WriteRecord> tie2 = {Acked(1, "b", {0, 1}), Deleted(1, {1, 0})};
  const CheckResult t_wins = check(tie2, Everywhere({{1, {T({1, 0})}}}), lww);
  EXPECT_TRUE(t_wins.valid()) << t_wins.summary();
  EXPECT_EQ(t_wins.lww_discarded, 1u);
}

}  // namespace
}  // namespace vckv::model
