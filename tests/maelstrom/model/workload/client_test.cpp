#include "model/workload/client.hpp"

#include <gtest/gtest.h>

namespace vckv::model {
namespace {

std::string Describe(const PlannedWrite& w) {
  return w.value + "@" + clock_text(w.clock) + (w.resolve ? " resolve" : " put");
}

TEST(ClientModelTest, ExampleBlindWriteThenReadModifyWrite) {
  ClientModel c2(2, 3);
  EXPECT_EQ(c2.name(), "c2");
  EXPECT_EQ(Describe(c2.blind_write(7)), "\"c2-1\"@[0, 1, 0] put");
  EXPECT_EQ(Describe(c2.write_after_read(7, {VectorClock{3, 1}})), "\"c2-2\"@[3, 2, 0] put");
  EXPECT_EQ(Describe(c2.write_after_read(7, {VectorClock{4, 0}, VectorClock{0, 0, 5}})),
            "\"c2-3\"@[4, 3, 5] resolve");
}

TEST(ClientModelTest, OwnCounterStaysMonotonicWhenReadingOlderState) {
  ClientModel c1(1, 2);
  c1.blind_write(1);
  c1.blind_write(1);
  // A replica that has not seen our writes yet: we must not reuse slot value 1 or 2.
  EXPECT_EQ(Describe(c1.write_after_read(1, {})), "\"c1-3\"@[3, 0] put");
  // A read showing a higher own slot (our write replicated) moves the counter past it.
  EXPECT_EQ(Describe(c1.write_after_read(1, {VectorClock{9, 1}})), "\"c1-4\"@[10, 1] put");
}

TEST(ClientModelTest, CountersArePerKey) {
  ClientModel c1(1, 1);
  c1.blind_write(1);
  EXPECT_EQ(Describe(c1.blind_write(2)), "\"c1-2\"@[1] put");
}

// After a read its write follows, at the read's node or another; else a get of a random key at
// a random node, or a blind write.
TEST(ClientModelTest, NextOpIsTheWriteAfterTheReadElseAGet) {
  ClientModel c(1, 2);
  Rng rng(1, Stream::kClients);
  WorkloadOptions o;
  o.keys = 3;
  o.blind_write_ppm = 0;
  o.other_node_ppm = 1'000'000;  // always another node
  const PlannedOp get = c.next_op(rng, 4, o);
  EXPECT_EQ(get.kind, OpKind::kGet);
  EXPECT_LT(get.key, 3);
  EXPECT_LT(get.node, 4u);
  EXPECT_FALSE(get.write);
  c.read_returned(get.key, get.node, {VectorClock{0, 4}, VectorClock{1, 0}}, 17);
  const PlannedOp write = c.next_op(rng, 4, o);
  EXPECT_EQ(write.kind, OpKind::kResolve);  // two siblings read
  EXPECT_EQ(write.key, get.key);
  EXPECT_NE(write.node, get.node);
  EXPECT_EQ(write.read_index, 17u);
  EXPECT_EQ(clock_text(write.write->clock), "[2, 4]");
  EXPECT_EQ(c.next_op(rng, 4, o).kind, OpKind::kGet);  // the read was used up
  o.blind_write_ppm = 1'000'000;
  const PlannedOp blind = c.next_op(rng, 4, o);
  EXPECT_TRUE(blind.blind);
  EXPECT_EQ(blind.kind, OpKind::kPut);
  EXPECT_FALSE(blind.read_index);
}

TEST(ClientModelTest, DeleteAfterReadDescendsEveryClockRead) {
  ClientModel c2(2, 3);
  const PlannedWrite d = c2.delete_after_read(7, {VectorClock{3, 1}, VectorClock{0, 0, 4}});
  EXPECT_TRUE(d.tombstone);
  EXPECT_EQ(d.value, "");
  EXPECT_EQ(clock_text(d.clock), "[3, 2, 4]");
  EXPECT_EQ(Describe(c2.blind_write(7)), "\"c2-1\"@[0, 3, 0] put");  // no value used; the counter moved
}

// With a delete share every write after a read is a delete (1'000'000), none (0).
TEST(ClientModelTest, DeleteShareTurnsWritesAfterAReadIntoDeletes) {
  WorkloadOptions o;
  o.keys = 3;
  o.blind_write_ppm = 0;
  o.delete_ppm = 1'000'000;
  ClientModel c(1, 2);
  Rng rng(3, Stream::kClients);
  const PlannedOp get = c.next_op(rng, 4, o);
  c.read_returned(get.key, get.node, {VectorClock{0, 4}, VectorClock{1, 0}}, 1);
  const PlannedOp del = c.next_op(rng, 4, o);
  EXPECT_EQ(del.kind, OpKind::kDelete);
  EXPECT_EQ(clock_text(del.write->clock), "[2, 4]");
  // A blind write is never a delete.
  o.blind_write_ppm = 1'000'000;
  EXPECT_EQ(c.next_op(rng, 4, o).kind, OpKind::kPut);
  // Share 0 (the default): never a delete.
  WorkloadOptions none;
  ClientModel a(1, 2);
  Rng ra(4, Stream::kClients);
  for (int i = 0; i < 200; ++i) {
    const PlannedOp x = a.next_op(ra, 3, none);
    EXPECT_NE(x.kind, OpKind::kDelete);
    if (x.kind == OpKind::kGet) a.read_returned(x.key, x.node, {VectorClock{1}}, 0);
  }
}

TEST(ClientModelTest, GapsAverageTheMeanAndNeverStartBeforeTheEnd) {
  Rng rng(2, Stream::kClients);
  double sum = 0;
  for (int i = 0; i < 10'000; ++i) {
    const Micros next = ClientModel::next_start(rng, 0, 0, 1'000);
    EXPECT_LE(next, 2'000);
    sum += static_cast<double>(next);
  }
  EXPECT_NEAR(sum / 10'000, 1'000, 30);
  EXPECT_EQ(ClientModel::next_start(rng, 0, 5'000, 1'000), 5'000);  // it ended after the gap
}

}  // namespace
}  // namespace vckv::model

namespace vckv::model {
namespace {

// Server clocks (§17): the same draws as client clocks, so the same seed plans the same keys,
// nodes and kinds of operation in both modes; a client sends the context it last read of the
// key, a blind writer always {}.
TEST(ClientModelDvvTest, SameDrawsAsClientClocks) {
  WorkloadOptions options;
  options.delete_ppm = 200'000;
  Rng a(7, Stream::kClients), b(7, Stream::kClients);
  ClientModel client(1, 3), server(1, 3);
  server.set_server_clocks(false);
  for (std::uint64_t i = 0; i < 200; ++i) {
    const PlannedOp x = client.next_op(a, 5, options);
    const PlannedOp y = server.next_op(b, 5, options);
    ASSERT_EQ(x.key, y.key);
    ASSERT_EQ(x.node, y.node);
    ASSERT_EQ(is_write(x.kind), is_write(y.kind));
    ASSERT_EQ(x.kind == OpKind::kDelete, y.kind == OpKind::kDvvDelete);
    ASSERT_EQ(x.blind, y.blind);
    if (!x.write) {
      EXPECT_EQ(y.kind, OpKind::kDvvGet);
      client.read_returned(x.key, x.node, {}, i);
      server.dvv_read_returned(y.key, y.node, {{"n1", i}}, i);
    }
  }
}

TEST(ClientModelDvvTest, SendsTheContextItLastReadOfTheKey) {
  WorkloadOptions options;
  options.blind_write_ppm = 0;
  Rng rng(1, Stream::kClients);
  ClientModel c(2, 2);
  c.set_server_clocks(false);
  PlannedOp read = c.next_op(rng, 3, options);
  ASSERT_EQ(read.kind, OpKind::kDvvGet);
  c.dvv_read_returned(read.key, read.node, {{"n1", 4}, {"n3", 1}}, 0);
  const PlannedOp write = c.next_op(rng, 3, options);
  ASSERT_EQ(write.kind, OpKind::kDvvUpdate);
  EXPECT_EQ(write.key, read.key);
  EXPECT_EQ(request_body(write.kind, write.key, &*write.write, 9),
            "{\"type\": \"dvv_update\", \"msg_id\": 9, \"key\": " + std::to_string(read.key) +
                ", \"value\": \"c2-1\", \"context\": {\"n1\": 4, \"n3\": 1}}");
  EXPECT_EQ(context_text(c.kept_context(read.key)), "{\"n1\": 4, \"n3\": 1}");
  EXPECT_EQ(context_text(c.kept_context(read.key + 1)), "{}");
  // A blind write (no read first) sends the context kept for its key.
  options.blind_write_ppm = 1'000'000;
  options.keys = 1;
  ClientModel d(3, 3);
  d.set_server_clocks(false);
  d.dvv_read_returned(0, 0, {{"n2", 7}}, 0);
  d.next_op(rng, 3, options);  // the write after that read
  const PlannedOp blind = d.next_op(rng, 3, options);
  ASSERT_TRUE(blind.blind);
  EXPECT_EQ(context_text(blind.write->context), "{\"n2\": 7}");
}

TEST(ClientModelDvvTest, BlindWriterSendsAnEmptyContext) {
  WorkloadOptions options;
  options.blind_write_ppm = 0;
  Rng rng(1, Stream::kClients);
  ClientModel c(1, 1);
  c.set_server_clocks(true);
  EXPECT_TRUE(c.blind_writer());
  const PlannedOp read = c.next_op(rng, 3, options);
  c.dvv_read_returned(read.key, read.node, {{"n1", 4}}, 0);
  const PlannedOp write = c.next_op(rng, 3, options);
  ASSERT_TRUE(write.write);
  EXPECT_TRUE(write.write->context.empty());
  EXPECT_TRUE(c.kept_context(read.key).empty());
}

}  // namespace
}  // namespace vckv::model
