// The checker's rules for server-assigned clocks (docs/protocol.md §17, ConflictMode::kDvv):
// hand-made histories, one INVALID history per rule, and the valid history they break.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/check/checker.hpp"

namespace vckv::model {
namespace {

// An update of `key` to `value`, sent with `context`; acknowledged with `dot` (version vector:
// the context) unless `outcome` says otherwise.
WriteRecord Upd(std::string client, std::int64_t key, std::string value, Context context, DotId dot,
                WriteOutcome outcome = WriteOutcome::kAcknowledged) {
  WriteRecord w{std::move(client), key, "\"" + value + "\"", VectorClock(), outcome};
  w.dotted = true;
  w.version_vector = context;
  w.context = std::move(context);
  if (outcome == WriteOutcome::kAcknowledged) w.dot = std::move(dot);
  return w;
}
WriteRecord Del(std::string client, std::int64_t key, Context context, DotId dot,
                WriteOutcome outcome = WriteOutcome::kAcknowledged) {
  WriteRecord w = Upd(std::move(client), key, "", std::move(context), std::move(dot), outcome);
  w.value.clear();
  w.tombstone = true;
  return w;
}
WriteRecord Blind(WriteRecord w) {
  w.blind_writer = true;
  return w;
}
StoredVersion V(std::string value, DotId dot, Context vv = {}) {
  StoredVersion v{"\"" + value + "\"", VectorClock()};
  v.dot = std::move(dot);
  v.version_vector = std::move(vv);
  return v;
}
StoredVersion T(DotId dot, Context vv = {}) {
  StoredVersion v = tombstone_version(VectorClock());
  v.dot = std::move(dot);
  v.version_vector = std::move(vv);
  return v;
}
ReadRecord Read(std::string client, std::int64_t key, std::vector<StoredVersion> versions, std::string node = "n1") {
  ReadRecord r{std::move(client), key, std::move(node), std::move(versions), {}};
  return r;
}

std::map<std::string, NodeState> Everywhere(const NodeState& state) {
  return {{"n1", state}, {"n2", state}, {"n3", state}};
}

CheckResult Check(const std::vector<WriteRecord>& writes, const std::map<std::string, NodeState>& states,
                  const std::vector<ReadRecord>& reads = {}) {
  CheckOptions options;
  options.mode = ConflictMode::kDvv;
  options.reads = &reads;
  return check(writes, states, options);
}

bool Has(const CheckResult& r, const std::string& reason) {
  return std::find(r.reasons.begin(), r.reasons.end(), reason) != r.reasons.end();
}
std::string Reasons(const CheckResult& r) {
  std::string out;
  for (const std::string& s : r.reasons) out += s + "\n";
  return out;
}

// c1 writes a (empty context, dot n1:1); c2 reads a and writes b with the context it read, so
// b replaces a; c3, a blind writer, writes c and then d with empty contexts: both stay, as
// siblings of b (a blind writer's siblings are its own doing, not the node's).
const std::vector<WriteRecord> kWrites = {
    Upd("c1", 1, "a", {}, {"n1", 1}),
    Upd("c2", 1, "b", {{"n1", 1}}, {"n2", 1}),
    Blind(Upd("c3", 1, "c", {}, {"n3", 1})),
    Blind(Upd("c3", 1, "d", {}, {"n3", 2})),
};
const NodeState kFinal = {{1, {V("b", {"n2", 1}, {{"n1", 1}}), V("c", {"n3", 1}), V("d", {"n3", 2})}}};
const std::vector<ReadRecord> kReads = {
    Read("c2", 1, {V("a", {"n1", 1})}),
    Read("c1", 1, {V("b", {"n2", 1}, {{"n1", 1}}), V("c", {"n3", 1}), V("d", {"n3", 2})}, "n2"),
};

TEST(CheckerDvvTest, ValidHistoryIsValid) {
  const CheckResult r = Check(kWrites, Everywhere(kFinal), kReads);
  EXPECT_TRUE(r.valid()) << Reasons(r);
  EXPECT_EQ(r.acknowledged, 4u);
  EXPECT_EQ(r.survived, 3u);
  EXPECT_EQ(r.superseded, 1u);  // a, covered by b's version vector
  EXPECT_EQ(r.reads_checked, 2u);
  EXPECT_EQ(r.max_read_siblings, 3u);
}

// Rule 3: b is gone, and nothing anyone sent covered its dot.
TEST(CheckerDvvTest, LostUpdateIsInvalid) {
  const NodeState final_state = {{1, {V("c", {"n3", 1}), V("d", {"n3", 2})}}};
  const CheckResult r = Check(kWrites, Everywhere(final_state), kReads);
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.summary(), "lost 1");
  EXPECT_TRUE(Has(r, "lost: c2's update of key 1 to \"b\" with context {\"n1\": 1} (dot [\"n2\", 1]) (acknowledged) is "
                     "neither present nor covered on n1,n2,n3, and no update or delete sent a context covering its dot"))
      << Reasons(r);
  ASSERT_EQ(r.lost_writes, std::vector<std::size_t>{1});
  // An update that timed out with a context covering b's dot may have replaced it (and been
  // replaced in turn): not a loss. One that was rejected replaced nothing.
  std::vector<WriteRecord> writes = kWrites;
  writes.push_back(Upd("c1", 1, "e", {{"n2", 1}}, {}, WriteOutcome::kIndeterminate));
  EXPECT_TRUE(Check(writes, Everywhere(final_state), kReads).valid());
  writes.back().outcome = WriteOutcome::kRejected;
  EXPECT_EQ(Check(writes, Everywhere(final_state), kReads).summary(), "lost 1");
}

// Rule 3 with deletes: a delete whose context covered b's dot took it (and was reaped since);
// a version it covered coming back is a resurrection.
TEST(CheckerDvvTest, DeleteSupersedesAndResurrectionIsInvalid) {
  std::vector<WriteRecord> writes = {Upd("c1", 1, "a", {}, {"n1", 1}), Del("c2", 1, {{"n1", 1}}, {"n2", 1})};
  const CheckResult reaped = Check(writes, Everywhere({}));
  EXPECT_TRUE(reaped.valid()) << Reasons(reaped);
  EXPECT_EQ(reaped.deleted, 1u);
  EXPECT_EQ(reaped.deletes_reaped, 1u);
  const CheckResult held = Check(writes, Everywhere({{1, {T({"n2", 1}, {{"n1", 1}})}}}));
  EXPECT_TRUE(held.valid()) << Reasons(held);
  EXPECT_EQ(held.deletes_held, 1u);
  std::map<std::string, NodeState> states = Everywhere({});
  states["n3"][1] = {V("a", {"n1", 1})};
  const CheckResult back = Check(writes, states);
  EXPECT_EQ(back.summary(), "diverged 1, resurrected 1");
  EXPECT_TRUE(Has(back, "resurrected: key 1 \"a\" dot [\"n1\", 1] vv {} on n3, but c2's acknowledged delete ~ dot "
                        "[\"n2\", 1] context {\"n1\": 1} covers its dot"))
      << Reasons(back);
  // The tombstone on some replicas only: neither held everywhere nor reaped.
  states["n3"][1] = {T({"n2", 1}, {{"n1", 1}})};
  EXPECT_EQ(Check(writes, states).summary(), "diverged 1, tombstone-missing 1");
}

// Rule 9: two acknowledged writes got one dot (a node reused a counter, say after a restart).
TEST(CheckerDvvTest, DuplicateDotIsInvalid) {
  std::vector<WriteRecord> writes = kWrites;
  writes.push_back(Upd("c4", 1, "e", {}, {"n3", 2}));
  const NodeState final_state = {{1, {V("b", {"n2", 1}, {{"n1", 1}}), V("c", {"n3", 1}), V("d", {"n3", 2}),
                                       V("e", {"n3", 2})}}};
  const CheckResult r = Check(writes, Everywhere(final_state), kReads);
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(r.summary(), "duplicate-dot 4");  // the two writes, and the final set on each of 3 nodes
  EXPECT_TRUE(Has(r, "duplicate dot: c3's update of key 1 to \"d\" with context {} (dot [\"n3\", 2]) and c4's update of "
                     "key 1 to \"e\" with context {} (dot [\"n3\", 2]) were both acknowledged with dot [\"n3\", 2]"))
      << Reasons(r);
}

// Rule 9 on reads: one dot shown with two values, by reads alone (neither write acknowledged).
TEST(CheckerDvvTest, OneDotTwoValuesInReadsIsInvalid) {
  const std::vector<WriteRecord> writes = {Upd("c1", 2, "x", {}, {}, WriteOutcome::kIndeterminate),
                                           Upd("c2", 2, "y", {}, {}, WriteOutcome::kIndeterminate)};
  const std::vector<ReadRecord> reads = {Read("c3", 2, {V("x", {"n1", 1})}), Read("c3", 2, {V("y", {"n1", 1})}, "n2")};
  const CheckResult r = Check(writes, Everywhere({}), reads);
  EXPECT_EQ(r.summary(), "duplicate-dot 1");
  EXPECT_TRUE(Has(r, "duplicate dot: c3's read of key 2 at n2 shows \"y\" dot [\"n1\", 1] vv {}, but c3's read of key 2 "
                     "at n1 showed \"x\" with that dot"))
      << Reasons(r);
  // The same value twice is one version seen twice.
  const std::vector<ReadRecord> same = {Read("c3", 2, {V("x", {"n1", 1})}), Read("c3", 2, {V("x", {"n1", 1})}, "n2")};
  EXPECT_TRUE(Check(writes, Everywhere({}), same).valid());
}

// Rule 10: a read holds a version whose dot another version's vector covers.
TEST(CheckerDvvTest, FalseSiblingInReadIsInvalid) {
  std::vector<ReadRecord> reads = kReads;
  reads.push_back(Read("c3", 1, {V("a", {"n1", 1}), V("b", {"n2", 1}, {{"n1", 1}})}, "n3"));
  const CheckResult r = Check(kWrites, Everywhere(kFinal), reads);
  EXPECT_EQ(r.summary(), "false-sibling 1");
  EXPECT_TRUE(Has(r, "false sibling: c3's read of key 1 at n3: \"b\" dot [\"n2\", 1] vv {\"n1\": 1} covers the dot of "
                     "\"a\" dot [\"n1\", 1] vv {}, which should have gone"))
      << Reasons(r);
}

// Rule 10 on a final state (rule 2 for this mode).
TEST(CheckerDvvTest, FalseSiblingInFinalStateIsInvalid) {
  NodeState final_state = kFinal;
  final_state[1].insert(final_state[1].begin(), V("a", {"n1", 1}));
  const CheckResult r = Check(kWrites, Everywhere(final_state), kReads);
  EXPECT_EQ(r.summary(), "false-sibling 3");
  EXPECT_TRUE(Has(r, "false sibling: key 1 on n2: \"b\" dot [\"n2\", 1] vv {\"n1\": 1} covers the dot of \"a\" dot "
                     "[\"n1\", 1] vv {}, which should have gone"))
      << Reasons(r);
}

// Rule 11: c1 read its own a and wrote f with that context, yet a read shows both (the node
// kept f without the version vector c1 sent, so the false sibling is not visible as one).
TEST(CheckerDvvTest, SeveralSiblingsPerWriterIsInvalid) {
  std::vector<WriteRecord> writes = {Upd("c1", 3, "a", {}, {"n1", 1}), Upd("c1", 3, "f", {{"n1", 1}}, {"n2", 1})};
  const NodeState final_state = {{3, {V("f", {"n2", 1}, {{"n1", 1}})}}};
  const std::vector<ReadRecord> reads = {Read("c1", 3, {V("a", {"n1", 1})}),
                                         Read("c2", 3, {V("a", {"n1", 1}), V("f", {"n2", 1})}, "n2")};
  const CheckResult r = Check(writes, Everywhere(final_state), reads);
  EXPECT_EQ(r.summary(), "several-siblings-per-writer 1");
  EXPECT_TRUE(Has(r, "several siblings per writer: c2's read of key 3 at n2 shows \"a\" dot [\"n1\", 1] vv {} and \"f\" "
                     "dot [\"n2\", 1] vv {}, both c1's, but c1's update of key 3 to \"f\" with context {\"n1\": 1} (dot "
                     "[\"n2\", 1]) covered the first's dot"))
      << Reasons(r);
  // A blind writer is exempt; so is a client whose later context did not cover its earlier dot
  // (its read missed its own write: two siblings are right then).
  for (WriteRecord& w : writes) w.blind_writer = true;
  EXPECT_TRUE(Check(writes, Everywhere(final_state), reads).valid());
  writes = {Upd("c1", 3, "a", {}, {"n1", 1}), Upd("c1", 3, "f", {}, {"n2", 1})};
  const NodeState both = {{3, {V("a", {"n1", 1}), V("f", {"n2", 1})}}};
  EXPECT_TRUE(Check(writes, Everywhere(both), reads).valid());
}

// Rule 4 for this mode: a final version's vector is the context its writer sent, its dot the one
// the writer was given.
TEST(CheckerDvvTest, VersionNotAsWrittenIsPhantom) {
  NodeState final_state = kFinal;
  final_state[1][0] = V("b", {"n2", 1});  // b without the vector c2 sent
  const CheckResult r = Check(kWrites, Everywhere(final_state), kReads);
  EXPECT_EQ(r.summary(), "phantom 1");
  EXPECT_TRUE(Has(r, "phantom: key 1 \"b\" dot [\"n2\", 1] vv {} on n1 but it was written by c2's update of key 1 to \"b\" "
                     "with context {\"n1\": 1} (dot [\"n2\", 1])"))
      << Reasons(r);
}

}  // namespace
}  // namespace vckv::model
