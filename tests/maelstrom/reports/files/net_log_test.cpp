#include "reports/files/net_log.hpp"

#include <gtest/gtest.h>

namespace vckv::reports {
namespace {

InFlight Message(std::uint64_t id, Micros sent, std::string from, std::string to, std::string type) {
  return InFlight{sent + 5000, id, sent, std::move(from), std::move(to), type,
                  R"({"src": "n1", "dest": "n2", "body": {"type": ")" + type + R"(", "msg_id": 3}})" + "\r"};
}

TEST(NetLogTest, ExampleDeliveredLine) {
  const std::string line = journal_line(Message(7, 812'408, "n1", "n2", "sync"), Fate::kDelivered, 861'112, std::nullopt);
  EXPECT_EQ(line,
            R"({"send_ms":812.408,"id":7,"from":"n1","to":"n2","type":"sync","deliver_ms":861.112,"msg":{"src": "n1", "dest": "n2", "body": {"type": "sync", "msg_id": 3}}})");
  EXPECT_EQ(journal_send_ms(line), 812.408);
}

TEST(NetLogTest, DroppedAndUndeliveredLinesRoundTrip) {
  const std::string dropped =
      journal_line(Message(9, 5'004'200, "n2", "n4", "sync"), Fate::kDropped, 5'051'000, model::DropReason::kPartition);
  auto e = parse_journal_line(dropped, true);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->fate, Fate::kDropped);
  EXPECT_EQ(e->drop_reason, "partition");
  EXPECT_DOUBLE_EQ(e->at_ms, 5051.0);
  EXPECT_EQ(e->msg["body"]["msg_id"], 3);
  const std::string dead = journal_line(Message(10, 0, "c1", "n3", "kv_get"), Fate::kDropped, 1, model::DropReason::kDeadNode);
  EXPECT_EQ(parse_journal_line(dead, false)->drop_reason, "dead node");
  const std::string late = journal_line(Message(11, 2000, "n2", "n1", "sync_ok"), Fate::kUndelivered, 9000, std::nullopt);
  e = parse_journal_line(late, false);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->fate, Fate::kUndelivered);
  EXPECT_TRUE(e->msg.is_null());  // not asked for
  EXPECT_FALSE(parse_journal_line("{\"id\": 1}", false));
  EXPECT_FALSE(journal_send_ms("not a journal line"));
}

TEST(NetLogTest, StatsCountByTypeFateAndSecond) {
  MessageStats s;
  s.count(Message(0, 100, "n1", "n2", "sync"), Fate::kDelivered, std::nullopt, true);
  s.count(Message(1, 1'500'000, "n1", "n2", "sync"), Fate::kDropped, model::DropReason::kPartition, true);
  s.count(Message(2, 1'600'000, "n1", "n3", "sync_ok"), Fate::kDropped, model::DropReason::kDeadNode, true);
  s.count(Message(3, 0, "c1", "n3", "kv_put"), Fate::kDropped, model::DropReason::kDeadNode, false);
  EXPECT_EQ(s.node_sent(), 3u);
  EXPECT_EQ(s.node_delivered(), 1u);
  EXPECT_EQ(s.node_dropped_partition(), 1u);
  EXPECT_EQ(s.node_dropped_dead(), 1u);
  EXPECT_EQ(s.client_dropped(), 1u);
  EXPECT_EQ(s.node_sent_per_second().at("sync"), (std::vector<std::uint32_t>{1, 1}));
  EXPECT_EQ(s.node_dropped_per_second(), (std::vector<std::uint32_t>{0, 2}));
  const auto j = s.to_json();
  EXPECT_EQ(j["node_to_node"]["sync"]["dropped_partition"], 1);
  EXPECT_EQ(j["client"]["kv_put"]["dropped_dead_node"], 1);
  // Bytes: each line with its newline; client messages are not node-to-node bytes.
  const std::uint64_t sync_line = Message(0, 0, "n1", "n2", "sync").line.size() + 1;
  EXPECT_EQ(j["node_to_node"]["sync"]["bytes_sent"], 2 * sync_line);
  EXPECT_EQ(j["node_to_node"]["sync"]["bytes_dropped"], sync_line);
  EXPECT_EQ(s.node_bytes_sent(), 2 * sync_line + Message(0, 0, "n1", "n3", "sync_ok").line.size() + 1);
}

}  // namespace
}  // namespace vckv::reports
