#include "model/net/envelope.hpp"

#include <gtest/gtest.h>

namespace vckv::model {
namespace {

TEST(EnvelopeTest, ExampleReadsTheHeadOfASync) {
  const auto p = parse_envelope(
      R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "msg_id": 7, "versions": [{"key": 1, "type": "x"}]}})");
  ASSERT_TRUE(p.head) << p.error;
  EXPECT_EQ(p.head->src, "n1");
  EXPECT_EQ(p.head->dest, "n2");
  EXPECT_EQ(p.head->type, "sync");  // not the nested "type"
  EXPECT_EQ(p.head->msg_id, 7u);
  EXPECT_FALSE(p.head->in_reply_to);
}

TEST(EnvelopeTest, ReadsInReplyToAndIgnoresUnknownFields) {
  const auto p = parse_envelope(R"({"id": 3, "src": "n1", "dest": "c4", "body": {"in_reply_to": 12, "type": "kv_get_ok", "values": []}})");
  ASSERT_TRUE(p.head);
  EXPECT_EQ(p.head->in_reply_to, 12u);
  EXPECT_EQ(p.head->type, "kv_get_ok");
}

TEST(EnvelopeTest, NotJsonIsSaidSo) {
  const auto p = parse_envelope("hello, I am not JSON");
  EXPECT_FALSE(p.head);
  EXPECT_EQ(p.error.rfind("not JSON", 0), 0u) << p.error;
  EXPECT_FALSE(parse_envelope(R"({"src": "n1", "dest": "n2", "body": {"type": "x"})").head);  // cut short
}

TEST(EnvelopeTest, MalformedEnvelopesNameWhatIsMissing) {
  EXPECT_EQ(parse_envelope("[1, 2]").error, "malformed envelope (not an object)");
  EXPECT_EQ(parse_envelope(R"({"src": 1, "dest": "n2", "body": {"type": "x"}})").error,
            "malformed envelope (no string src)");
  EXPECT_EQ(parse_envelope(R"({"src": "n1", "body": {"type": "x"}})").error, "malformed envelope (no string dest)");
  EXPECT_EQ(parse_envelope(R"({"src": "n1", "dest": "n2", "body": [1]})").error,
            "malformed envelope (no object body)");
  EXPECT_EQ(parse_envelope(R"({"src": "n1", "dest": "n2", "body": {"type": 3}})").error,
            "malformed envelope (no string body.type)");
  EXPECT_EQ(parse_envelope(R"({"src": "n1", "dest": "n2", "body": {"x": {"type": "y"}}})").error,
            "malformed envelope (no string body.type)");
}

// The node's own lines are read without a parser; anything in another form is left to
// parse_envelope.
TEST(EnvelopeTest, FastHeadReadsTheNodesOwnForm) {
  std::string_view dest, type;
  ASSERT_TRUE(fast_envelope_head(
      R"({"src": "n1", "dest": "n2", "body": {"type": "sync", "versions": [{"key": 1}], "msg_id": 7}})", dest, type));
  EXPECT_EQ(dest, "n2");
  EXPECT_EQ(type, "sync");
  EXPECT_FALSE(fast_envelope_head(R"({"src":"n1","dest":"n2","body":{"type":"sync"}})", dest, type));
  EXPECT_FALSE(fast_envelope_head(R"({"src": "n1", "dest": "n\u0032", "body": {"type": "sync"}})", dest, type));
}

}  // namespace
}  // namespace vckv::model
