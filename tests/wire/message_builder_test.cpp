#include "vckv/wire/message_builder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "vckv/store/sibling_store.hpp"
#include "vckv/wire/outbox.hpp"

namespace vckv {
namespace {

TEST(MessageBuilderTest, MessageBuilderPutsMsgIdLast) {
  std::string out;
  MessageBuilder m(out, "n1", "c1", "kv_get_ok", std::string("-7"));
  SiblingStore store;
  store.merge_version("k", Version{"\"a\"", VectorClock{1, 0}});
  m.field_versions("values", store.find("k"));
  m.finish(3);
  EXPECT_EQ(out, R"({"src": "n1", "dest": "c1", "body": {"type": "kv_get_ok", "in_reply_to": -7, "values": [{"value": "a", "clock": [1, 0]}], "msg_id": 3}})"
                 "\n");
  out.clear();
  MessageBuilder e(out, "n\u00e9", "c\n", "error", std::nullopt);
  e.field_uint("code", 12).field_string("text", "t");
  e.finish(0);
  EXPECT_EQ(out, R"({"src": "n\u00e9", "dest": "c\n", "body": {"type": "error", "code": 12, "text": "t", "msg_id": 0}})"
                 "\n");
}

// Pieces larger than the room made ahead of them, messages after messages, and a builder
// dropped before finish (its partial message is taken out; the ones before it stay).
TEST(MessageBuilderTest, MessageBuilderGrowsAndTakesBackAnUnfinishedMessage) {
  std::string out = "earlier\n";
  const std::string big(5000, 'x');
  {
    MessageBuilder m(out, "n1", big, "kv_get_ok", std::nullopt);
    SiblingStore store;  // equal clocks, different values: both kept by a merge
    store.merge_version("k", Version{"\"" + big + "\"", VectorClock{1}});
    store.merge_version("k", Version{"2", VectorClock{1}});
    m.field_versions("values", store.find("k")).field_string("text", big);
    m.finish(1);
  }
  const std::string expected = "earlier\n{\"src\": \"n1\", \"dest\": \"" + big +
                               R"(", "body": {"type": "kv_get_ok", "values": [{"value": ")" + big +
                               R"(", "clock": [1]}, {"value": 2, "clock": [1]}], "text": ")" + big +
                               "\", \"msg_id\": 1}}\n";
  EXPECT_EQ(out, expected);
  {
    MessageBuilder unfinished(out, "n1", "c1", "error", std::nullopt);
    unfinished.field_uint("code", 13);
  }
  EXPECT_EQ(out, expected);
}

// Every piece must fit the room made for it, wherever the edge of that room falls: field names
// and values of every length, after every size of message before them (under ASan, a piece
// written past the room is a heap overflow; without it, the bytes must still come out right).
TEST(MessageBuilderTest, EveryPieceFitsItsRoomWhereverTheEdgeFalls) {
  for (std::size_t before = 0; before < 200; before += 7) {
    for (std::size_t name = 1; name < 150; ++name) {
      std::string out(before, '#');
      out.shrink_to_fit();
      const std::string field(name, 'f');
      {
        MessageBuilder m(out, "n1", "c1", "t", std::nullopt);
        m.field_uint(field, 7).field_json(field, field).field_string("s", field);
        m.finish(1);
      }
      ASSERT_EQ(out, std::string(before, '#') + R"({"src": "n1", "dest": "c1", "body": {"type": "t", ")" +
                         field + R"(": 7, ")" + field + R"(": )" + field + R"(, "s": ")" + field +
                         R"(", "msg_id": 1}})" "\n")
          << before << " " << name;
    }
  }
}

// A sync renders versions straight from the store: each key's siblings, key first.
TEST(MessageBuilderTest, KeyedVersionsComeStraightFromTheStore) {
  SiblingStore store;
  store.merge_version("\"x\"", Version{"1", VectorClock{1, 0}});
  store.merge_version("\"x\"", Version{"2", VectorClock{0, 1}});
  store.merge_version("7", Version{"[]", VectorClock{}});
  std::string out;
  MessageBuilder m(out, "n1", "n2", "sync", std::nullopt);
  m.begin_keyed_versions("versions")
      .add_keyed_versions("\"x\"", store.find("\"x\""))
      .add_keyed_versions("\"absent\"", store.find("\"absent\""))
      .add_keyed_versions("7", store.find("7"))
      .end_keyed_versions();
  m.finish(9);
  EXPECT_EQ(out, R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "versions": [["x",1,[1,0]],["x",2,[0,1]],[7,[],[]]], "msg_id": 9}})"
                 "\n");
}

// The outbox numbers every message it sends, whoever built it, in the order they are sent.
// §16: between nodes a tombstone is {"clock": C, "deleted": true}; a client reads the live
// versions in values and, only when there are tombstones, their clocks in "deleted".
TEST(MessageBuilderTest, TombstonesBetweenNodesAndAsAClientReadsThem) {
  SiblingStore store;
  store.merge_version("\"k\"", Version{"\"a\"", VectorClock{1, 0}});
  store.merge_version("\"k\"", Version{"", VectorClock{0, 1}});
  store.merge_version("\"k\"", Version{"null", VectorClock{0, 0, 1}});
  std::string out;
  {
    MessageBuilder m(out, "n1", "n2", "sync", std::nullopt);
    m.begin_keyed_versions("versions").add_keyed_versions("\"k\"", store.find("\"k\"")).end_keyed_versions();
    m.finish(1);
  }
  EXPECT_EQ(out, R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "versions": [["k","a",[1,0]],{"key": "k", "clock": [0, 1], "deleted": true},["k",null,[0,0,1]]], "msg_id": 1}})"
                 "\n");
  out.clear();
  {
    MessageBuilder m(out, "n1", "c1", "kv_get_ok", std::string("2"));
    m.field_client_versions("values", store.find("\"k\""));
    m.finish(2);
  }
  EXPECT_EQ(out, R"({"src": "n1", "dest": "c1", "body": {"type": "kv_get_ok", "in_reply_to": 2, "values": [{"value": "a", "clock": [1, 0]}, {"value": null, "clock": [0, 0, 1]}], "deleted": [[0, 1]], "msg_id": 2}})"
                 "\n");
  out.clear();
  SiblingStore only_tombstones;
  only_tombstones.merge_version("\"k\"", Version{"", VectorClock{2}});
  only_tombstones.merge_version("\"k\"", Version{"", VectorClock{0, 3}});
  {
    MessageBuilder m(out, "n1", "c1", "kv_get_ok", std::nullopt);
    m.field_client_versions("values", only_tombstones.find("\"k\""));
    m.finish(3);
  }
  EXPECT_EQ(out, R"({"src": "n1", "dest": "c1", "body": {"type": "kv_get_ok", "values": [], "deleted": [[2], [0, 3]], "msg_id": 3}})"
                 "\n");
}

TEST(OutboxTest, NumbersMessagesInTheOrderTheyAreSent) {
  std::string out;
  Outbox outbox(out);
  {
    MessageBuilder before_init = outbox.message_from("n9", "c1", "error", std::string("4"));
    before_init.field_uint("code", 11);
    EXPECT_EQ(outbox.send(before_init), 0u);
  }
  outbox.set_self("n1");
  {
    MessageBuilder a = outbox.message("c1", "kv_get_ok", std::string("5"));
    EXPECT_EQ(outbox.send(a), 1u);
  }
  {
    MessageBuilder b = outbox.message("n2", "sync");
    EXPECT_EQ(outbox.send(b), 2u);
  }
  EXPECT_EQ(outbox.next_msg_id(), 3u);
  EXPECT_EQ(out, R"({"src": "n9", "dest": "c1", "body": {"type": "error", "in_reply_to": 4, "code": 11, "msg_id": 0}}
{"src": "n1", "dest": "c1", "body": {"type": "kv_get_ok", "in_reply_to": 5, "msg_id": 1}}
{"src": "n1", "dest": "n2", "body": {"type": "sync", "msg_id": 2}}
)");
}

}  // namespace
}  // namespace vckv
