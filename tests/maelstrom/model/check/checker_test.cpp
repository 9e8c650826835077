#include "model/check/checker.hpp"

#include "model/check/mode_rules.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vckv::model
