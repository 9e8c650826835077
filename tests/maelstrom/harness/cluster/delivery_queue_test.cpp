#include "harness/cluster/delivery_queue.hpp"

#include <gtest/gtest.h>

namespace vckv::harness {
namespace {

std::string Lines(const std::vector<Due>& due) {
  std::string out;
  for (const Due& d : due) {
    out += d.message.line;
    if (d.dropped) out += std::string("(") + model::drop_reason_name(*d.dropped) + ")";
    out += ' ';
  }
  return out;
}

TEST(DeliveryQueueTest, DeliversByTimeAndDropsAcrossPartitionAtDelivery) {
  DeliveryQueue net;
  net.send("n1", "n2", "sync", "a", 0, 10'000);      // due at 10 ms
  net.send("n1", "n2", "sync", "b", 5'000, 10'000);  // due at 15 ms
  net.send("n3", "n2", "sync", "c", 0, 10'000);      // due at 10 ms, but cut when it arrives
  EXPECT_EQ(net.next_delivery(), 10'000);
  EXPECT_TRUE(net.take_due(9'999, model::Partition{}).empty());
  const model::Partition cut = model::Partition::from_components("isolated", {{"n3"}, {"n1", "n2"}});
  EXPECT_EQ(Lines(net.take_due(10'000, cut)), "a c(partition) ");
  EXPECT_EQ(Lines(net.take_due(20'000, model::Partition{})), "b ");
  EXPECT_EQ(net.in_flight(), 0u);
}

TEST(DeliveryQueueTest, SameDeliveryTimeKeepsSendOrderAndIds) {
  DeliveryQueue net;
  for (const char* line : {"1", "2", "3"}) net.send("n1", "n2", "t", line, 7, 0);
  const auto due = net.take_due(7, model::Partition{});
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(Lines(due), "1 2 3 ");
  EXPECT_EQ(due[0].message.id, 0u);
  EXPECT_EQ(due[2].message.id, 2u);
  EXPECT_EQ(due[1].message.sent_at, 7);
  EXPECT_EQ(due[1].message.type, "t");
}

TEST(DeliveryQueueTest, MessagesToADeadNodeAreDroppedAsSuch) {
  DeliveryQueue net;
  net.send("n1", "n2", "sync", "a", 0, 5);
  net.send("c1", "n2", "kv_get", "b", 0, 0);
  net.send("n2", "n1", "sync", "c", 0, 5);  // from the dead node: it was sent before it died
  EXPECT_EQ(Lines(net.take_due(10, model::Partition{}, {"n2"})), "c b(dead node) a(dead node) ");
}

TEST(DeliveryQueueTest, APausedNodesMessagesWaitUntilItResumes) {
  DeliveryQueue net;
  net.send("n1", "n2", "sync", "a", 0, 5);
  net.send("n2", "n1", "sync", "b", 0, 5);
  EXPECT_EQ(net.next_delivery({"n2"}), 5);
  EXPECT_EQ(Lines(net.take_due(100, model::Partition{}, {}, {"n2"})), "b ");
  EXPECT_EQ(net.next_delivery({"n2"}), std::nullopt);  // nothing due for the others
  EXPECT_EQ(net.in_flight(), 1u);
  EXPECT_EQ(Lines(net.take_due(200, model::Partition{})), "a ");  // resumed: delivered late, not dropped
}

TEST(DeliveryQueueTest, TakeAllEmptiesTheQueues) {
  DeliveryQueue net;
  net.send("n1", "n2", "sync", "a", 0, 50);
  net.send("n2", "n3", "sync", "b", 0, 60);
  EXPECT_EQ(net.take_all().size(), 2u);
  EXPECT_EQ(net.in_flight(), 0u);
  EXPECT_EQ(net.allocate_id(), 2u);
}

}  // namespace
}  // namespace vckv::harness
