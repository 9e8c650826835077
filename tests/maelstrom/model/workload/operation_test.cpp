#include "model/workload/operation.hpp"

#include "model/check/checker.hpp"

#include <gtest/gtest.h>

namespace vckv::model {
namespace {

Classified Put(const std::string& type, std::optional<std::int64_t> code = std::nullopt, const std::string& status = "") {
  return classify(OpKind::kPut, ReplyFacts{type, code, status});
}

TEST(OperationTest, ExampleAcknowledgedRejectedAndIndeterminateWrites) {
  EXPECT_EQ(Put("kv_put_ok", std::nullopt, "written").write, WriteOutcome::kAcknowledged);
  EXPECT_EQ(Put("kv_put_ok", std::nullopt, "conflict").op_class, OpClass::kConflict);
  EXPECT_EQ(Put("kv_put_ok", std::nullopt, "stale").write, WriteOutcome::kRejected);
  EXPECT_EQ(Put("").write, WriteOutcome::kIndeterminate);  // no reply
  EXPECT_EQ(Put("").status, "timeout");
}

TEST(OperationTest, ErrorZeroToAWriteIsIndeterminateOtherCodesAreRejections) {
  const Classified timeout = Put("error", 0);
  EXPECT_EQ(timeout.write, WriteOutcome::kIndeterminate);
  EXPECT_EQ(timeout.op_class, OpClass::kIndeterminate);
  EXPECT_EQ(timeout.status, "error 0 (timeout)");
  EXPECT_STREQ(jepsen_type(timeout.op_class), "info");
  for (std::int64_t code : {11, 12, 13, 22}) {
    const Classified c = Put("error", code);
    EXPECT_EQ(c.write, WriteOutcome::kRejected) << code;
    EXPECT_EQ(c.op_class, OpClass::kError);
    EXPECT_STREQ(jepsen_type(c.op_class), "fail");
  }
  EXPECT_EQ(classify(OpKind::kResolve, ReplyFacts{"error", 0, ""}).write, WriteOutcome::kIndeterminate);
}

TEST(OperationTest, ResolveSaysResolvedAndPutSaysWritten) {
  EXPECT_EQ(classify(OpKind::kResolve, ReplyFacts{"kv_resolve_ok", std::nullopt, "resolved"}).write,
            WriteOutcome::kAcknowledged);
  EXPECT_FALSE(classify(OpKind::kResolve, ReplyFacts{"kv_resolve_ok", std::nullopt, "written"}).violation.empty());
  EXPECT_FALSE(Put("kv_put_ok", std::nullopt, "resolved").violation.empty());
  EXPECT_FALSE(Put("kv_resolve_ok", std::nullopt, "written").violation.empty());  // wrong reply type
  EXPECT_FALSE(Put("error").violation.empty());                                    // no code
}

// lww: a superseded write was stored nowhere: a definite failure that must not appear.
TEST(OperationTest, SupersededIsAWriteThatLostTheLwwOrder) {
  const Classified c = Put("kv_put_ok", std::nullopt, "superseded");
  EXPECT_EQ(c.op_class, OpClass::kSuperseded);
  EXPECT_EQ(c.write, WriteOutcome::kRejected);
  EXPECT_STREQ(op_class_name(c.op_class), "superseded");
  EXPECT_STREQ(jepsen_type(c.op_class), "fail");
  EXPECT_TRUE(c.violation.empty());
}

TEST(OperationTest, AGetAnsweredWithAnErrorIsAFailedRead) {
  const Classified e = classify(OpKind::kGet, ReplyFacts{"error", 11, ""});
  EXPECT_EQ(e.op_class, OpClass::kError);
  EXPECT_EQ(e.status, "error 11");
  EXPECT_TRUE(e.violation.empty());
  EXPECT_EQ(classify(OpKind::kGet, ReplyFacts{"kv_get_ok", std::nullopt, ""}).op_class, OpClass::kOk);
  EXPECT_EQ(classify(OpKind::kGet, ReplyFacts{"", std::nullopt, ""}).op_class, OpClass::kIndeterminate);
  EXPECT_FALSE(classify(OpKind::kGet, ReplyFacts{"kv_put_ok", std::nullopt, ""}).violation.empty());
}

TEST(OperationTest, ReplyFactsFromABody) {
  const auto error = nlohmann::json::parse(R"({"type":"error","in_reply_to":1,"code":0,"text":"write quorum"})");
  const ReplyFacts f = reply_facts(&error);
  EXPECT_EQ(f.type, "error");
  EXPECT_EQ(f.code, 0);
  EXPECT_EQ(classify(OpKind::kPut, f).write, WriteOutcome::kIndeterminate);
  const auto put = nlohmann::json::parse(R"({"type":"kv_put_ok","status":"stale"})");
  EXPECT_EQ(reply_facts(&put).status, "stale");
  EXPECT_FALSE(reply_facts(&put).code);
  EXPECT_TRUE(reply_facts(nullptr).type.empty());
}

TEST(OperationTest, ClassNames) {
  EXPECT_STREQ(op_class_name(OpClass::kStale), "stale");
  EXPECT_STREQ(op_class_name(OpClass::kIndeterminate), "indeterminate");
  EXPECT_STREQ(jepsen_type(OpClass::kConflict), "ok");
}

TEST(OperationTest, ExampleRequestsInTheProtocolsFieldOrder) {
  const PlannedWrite w{"\"c1-2\"", VectorClock{1, 0}, false};
  EXPECT_EQ(request_body(OpKind::kPut, 5, &w, 3),
            R"({"type": "kv_put", "msg_id": 3, "key": 5, "value": "c1-2", "clock": [1, 0]})");
  EXPECT_EQ(request_body(OpKind::kResolve, 5, &w, std::nullopt),
            R"({"type": "kv_resolve", "key": 5, "value": "c1-2", "clock": [1, 0]})");
  EXPECT_EQ(request_body(OpKind::kGet, 7, nullptr, 1), R"({"type": "kv_get", "msg_id": 1, "key": 7})");
  EXPECT_EQ(op_kind("resolve"), OpKind::kResolve);
  EXPECT_FALSE(op_kind("cas"));
  EXPECT_TRUE(is_write(OpKind::kPut));
  EXPECT_FALSE(is_write(OpKind::kGet));
}

TEST(OperationTest, ValuesOfAGet) {
  const auto ok = nlohmann::json::parse(R"({"type":"kv_get_ok","values":[{"value":"a","clock":[1,0]},{"value":{"x":1},"clock":[0,2]}]})");
  const auto values = parse_values(ok);
  ASSERT_TRUE(values);
  ASSERT_EQ(values->size(), 2u);
  EXPECT_EQ((*values)[1].value, R"({"x":1})");
  EXPECT_EQ(clock_text((*values)[1].clock), "[0, 2]");
  EXPECT_FALSE(parse_values(nlohmann::json::parse(R"({"values":[{"value":1,"clock":[-1]}]})")));
  EXPECT_FALSE(parse_values(nlohmann::json::parse(R"({"values":{}})")));
}

TEST(OperationTest, DeleteRequestAndReplies) {
  const PlannedWrite d{"", VectorClock{2, 1}, false, true};
  EXPECT_EQ(request_body(OpKind::kDelete, 5, &d, 6), R"({"type": "kv_delete", "msg_id": 6, "key": 5, "clock": [2, 1]})");
  EXPECT_EQ(op_kind("delete"), OpKind::kDelete);
  EXPECT_STREQ(op_name(OpKind::kDelete), "delete");
  EXPECT_TRUE(is_write(OpKind::kDelete));
  const auto del = [](const char* type, const char* status) {
    return classify(OpKind::kDelete, ReplyFacts{type, std::nullopt, status});
  };
  EXPECT_EQ(del("kv_delete_ok", "deleted").write, WriteOutcome::kAcknowledged);
  EXPECT_EQ(del("kv_delete_ok", "deleted").op_class, OpClass::kOk);
  EXPECT_EQ(del("kv_delete_ok", "conflict").op_class, OpClass::kConflict);  // a concurrent value remains
  EXPECT_EQ(del("kv_delete_ok", "stale").write, WriteOutcome::kRejected);
  EXPECT_EQ(del("kv_delete_ok", "superseded").write, WriteOutcome::kRejected);
  EXPECT_FALSE(del("kv_put_ok", "deleted").violation.empty());
  EXPECT_FALSE(del("kv_delete_ok", "resolved").violation.empty());
  EXPECT_FALSE(Put("kv_put_ok", std::nullopt, "deleted").violation.empty());
}

TEST(OperationTest, TombstonesOfAGet) {
  const auto body = nlohmann::json::parse(
      R"({"type": "kv_get_ok", "values": [{"value": "a", "clock": [1, 0]}], "deleted": [[0, 1], [0, 0, 2]]})");
  const auto values = parse_values(body);
  ASSERT_TRUE(values);
  ASSERT_EQ(values->size(), 3u);
  EXPECT_FALSE((*values)[0].tombstone);
  EXPECT_TRUE((*values)[1].tombstone);
  EXPECT_EQ((*values)[1].value, "");
  EXPECT_EQ(clock_text((*values)[2].clock), "[0, 0, 2]");
  // Only tombstones; a version object without a value (a final state's or a hint's form).
  const auto only = parse_values(nlohmann::json::parse(R"({"values": [{"clock": [3]}], "deleted": [[1]]})"));
  ASSERT_TRUE(only);
  ASSERT_EQ(only->size(), 2u);
  EXPECT_TRUE((*only)[0].tombstone);
  EXPECT_FALSE(parse_values(nlohmann::json::parse(R"({"values": [], "deleted": [[-1]]})")));
  EXPECT_FALSE(parse_values(nlohmann::json::parse(R"({"values": [], "deleted": {}})")));
  const auto local = parse_local_get(nlohmann::json::parse(
      R"({"type": "local_get_ok", "values": [], "deleted": [[2, 1]], "hints": [{"for": "n3", "clock": [2, 1]},)"
      R"( {"for": "n4", "value": null, "clock": [2, 1], "tombstone": true}]})"));
  ASSERT_TRUE(local);
  ASSERT_EQ(local->values.size(), 1u);
  EXPECT_TRUE(local->values[0].tombstone);
  ASSERT_EQ(local->hints.size(), 2u);
  EXPECT_TRUE(local->hints[0].version.tombstone);
  EXPECT_TRUE(local->hints[1].version.tombstone);
}

TEST(OperationTest, ParsesLocalGetValuesAndHints) {
  const auto body = nlohmann::json::parse(
      R"({"type": "local_get_ok", "in_reply_to": 7, "values": [{"value": "a", "clock": [1, 0]}],)"
      R"( "hints": [{"for": "n3", "value": 5, "clock": [0, 2]}], "msg_id": 9})");
  const auto h = parse_local_get(body);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->values.size(), 1u);
  EXPECT_EQ(h->values[0].value, "\"a\"");
  ASSERT_EQ(h->hints.size(), 1u);
  EXPECT_EQ(h->hints[0].for_node, "n3");
  EXPECT_EQ(h->hints[0].version.value, "5");
  EXPECT_TRUE(h->hints[0].version.clock.equals(VectorClock({0, 2})));
  EXPECT_FALSE(parse_local_get(nlohmann::json::parse(R"({"values": []})")));  // no hints
  EXPECT_FALSE(parse_local_get(nlohmann::json::parse(R"({"values": [], "hints": [{"value": 1, "clock": [1]}]})")));
  EXPECT_TRUE(parse_local_get(nlohmann::json::parse(R"({"values": [], "hints": []})")));
}

}  // namespace
}  // namespace vckv::model

namespace vckv::model {
namespace {

// Server clocks (docs/protocol.md §17): the requests as DVV.md shows them, replies that
// acknowledge by their type, and the dots, vectors and contexts they carry.
TEST(OperationDvvTest, RequestsInTheProtocolsFieldOrder) {
  PlannedWrite w;
  w.value = "\"c1-2\"";
  w.dotted = true;
  w.context = {{"n2", 3}, {"n10", 1}};
  EXPECT_EQ(request_body(OpKind::kDvvUpdate, 5, &w, 3),
            "{\"type\": \"dvv_update\", \"msg_id\": 3, \"key\": 5, \"value\": \"c1-2\", \"context\": {\"n10\": 1, \"n2\": 3}}");
  PlannedWrite d;
  d.dotted = true;
  d.tombstone = true;
  EXPECT_EQ(request_body(OpKind::kDvvDelete, 5, &d, std::nullopt),
            "{\"type\": \"dvv_delete\", \"key\": 5, \"context\": {}}");
  EXPECT_EQ(request_body(OpKind::kDvvGet, 5, nullptr, 4), "{\"type\": \"dvv_get\", \"msg_id\": 4, \"key\": 5}");
  EXPECT_STREQ(op_name(OpKind::kDvvUpdate), "dvv_update");
  EXPECT_TRUE(is_write(OpKind::kDvvDelete));
  EXPECT_TRUE(is_read(OpKind::kDvvGet));
  EXPECT_TRUE(is_dotted(OpKind::kDvvGet));
  EXPECT_FALSE(is_dotted(OpKind::kPut));
}

TEST(OperationDvvTest, RepliesAcknowledgeByTheirType) {
  const Classified ok = classify(OpKind::kDvvUpdate, ReplyFacts{"dvv_update_ok", std::nullopt, ""});
  EXPECT_EQ(ok.write, WriteOutcome::kAcknowledged);
  EXPECT_EQ(ok.status, "written");
  EXPECT_EQ(classify(OpKind::kDvvDelete, ReplyFacts{"dvv_delete_ok", std::nullopt, ""}).status, "deleted");
  EXPECT_EQ(classify(OpKind::kDvvUpdate, ReplyFacts{"error", 22, ""}).write, WriteOutcome::kRejected);
  EXPECT_EQ(classify(OpKind::kDvvUpdate, ReplyFacts{"error", 0, ""}).write, WriteOutcome::kIndeterminate);
  EXPECT_EQ(classify(OpKind::kDvvUpdate, ReplyFacts{"kv_put_ok", std::nullopt, "written"}).violation,
            "expected dvv_update_ok or error, got kv_put_ok");
  EXPECT_EQ(classify(OpKind::kDvvGet, ReplyFacts{"dvv_get_ok", std::nullopt, ""}).op_class, OpClass::kOk);
  EXPECT_EQ(classify(OpKind::kDvvGet, ReplyFacts{"kv_get_ok", std::nullopt, ""}).violation,
            "expected dvv_get_ok or error, got kv_get_ok");
}

TEST(OperationDvvTest, DotsVectorsAndReads) {
  const auto reply = parse_dvv_write_reply(nlohmann::json::parse(
      R"({"type": "dvv_delete_ok", "in_reply_to": 4, "dot": ["n1", 2], "version_vector": {"n1": 1, "n2": 0}})"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(dot_text(reply->dot), "[\"n1\", 2]");
  EXPECT_EQ(context_text(reply->version_vector), "{\"n1\": 1}");
  EXPECT_FALSE(parse_dvv_write_reply(nlohmann::json::parse(R"({"dot": ["n1", 0], "version_vector": {}})")));
  EXPECT_FALSE(parse_dvv_write_reply(nlohmann::json::parse(R"({"dot": ["n1", 1], "version_vector": {"n1": -1}})")));
  const auto body = nlohmann::json::parse(
      R"({"type": "dvv_get_ok", "values": [{"value": "a", "dot": ["n2", 1], "version_vector": {}}],
          "deleted": [{"dot": ["n1", 2], "version_vector": {"n1": 1}}], "context": {"n1": 2, "n2": 1}})");
  const auto read = parse_dvv_get(body);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->versions.size(), 2u);
  EXPECT_EQ(version_text(read->versions[0]), "\"a\" dot [\"n2\", 1] vv {}");
  EXPECT_EQ(version_text(read->versions[1]), "~ dot [\"n1\", 2] vv {\"n1\": 1}");
  EXPECT_EQ(context_text(read->context), "{\"n1\": 2, \"n2\": 1}");
  // parse_values (final reads, local_get) takes the same versions.
  const auto values = parse_values(body);
  ASSERT_TRUE(values);
  EXPECT_EQ(canonical_set(*values), "\"a\" dot [\"n2\", 1] vv {} ~ dot [\"n1\", 2] vv {\"n1\": 1}");
  EXPECT_FALSE(parse_dvv_get(nlohmann::json::parse(R"({"values": []})")));  // no context
  EXPECT_FALSE(parse_dvv_get(nlohmann::json::parse(R"({"values": [{"value": 1, "dot": ["n1", 1]}], "context": {}})")));
}

}  // namespace
}  // namespace vckv::model
