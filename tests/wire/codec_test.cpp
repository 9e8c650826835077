#include "vckv/wire/codec.hpp"

#include <gtest/gtest.h>

#include "../../src/wire/codec_fast.hpp"  // white-box: the fast path is internal
#include "decoded_text.hpp"
#include "vckv/node/messages.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {
namespace {

// The node's own message table: the codec decodes what the node understands.
const MessageCatalog& kTypes = message_catalog();

const Incoming& incoming(const Decoded& d) {
  static const Incoming kNone;
  const auto* in = std::get_if<Incoming>(&d);
  EXPECT_NE(in, nullptr) << "expected an answerable line";
  return in ? *in : kNone;
}

// The request error text of one body, wrapped in an envelope.
std::string error_of(const std::string& body, CodecLimits limits = {}) {
  const Decoded d = decode_line(R"({"src": "c1", "dest": "n1", "body": )" + body + "}", limits, kTypes);
  const Incoming& in = incoming(d);
  if (in.envelope_error) return std::to_string(int(in.envelope_error->code)) + " " + in.envelope_error->text;
  if (in.request_error) return std::to_string(int(in.request_error->code)) + " " + in.request_error->text;
  if (in.kind < 0) return "unknown type " + in.type;
  return "ok";
}

TEST(CodecTest, DecodesAPut) {
  const Decoded d = decode_line(
      R"({"src":"c1","dest":"n1","id":9,"body":{"type":"kv_put","msg_id":2,"key":"x","value":{"b":1,"a":[1.5]},"clock":[1,0]}})",
      {}, kTypes);
  const Incoming& in = incoming(d);
  EXPECT_EQ(in.src, "c1");
  EXPECT_EQ(*in.dest, "n1");
  EXPECT_EQ(*in.msg_id, "2");
  const auto& w = std::get<WriteRequest>(in.request);
  EXPECT_EQ(w.key, "\"x\"");
  EXPECT_EQ(w.version.value, R"({"b": 1, "a": [1.5]})");
  EXPECT_EQ(clock_json(w.version.clock), "[1, 0]");
}

TEST(CodecTest, UnanswerableLines) {
  EXPECT_EQ(std::get<Unanswerable>(decode_line("garbage", {}, kTypes)).reason,
            "invalid JSON at column 1 near 'garbage'");
  EXPECT_EQ(std::get<Unanswerable>(decode_line("[1]", {}, kTypes)).reason, "not a JSON object");
  EXPECT_EQ(std::get<Unanswerable>(decode_line(R"({"src": 1})", {}, kTypes)).reason, "no string \"src\"");
  EXPECT_EQ(std::get<Unanswerable>(decode_line(R"({"dest": "n1"})", {}, kTypes)).reason,
            "no string \"src\"");
}

// The reason is what a user sees at the default log level: where the line stopped being JSON
// and the bytes around that place; the parser's own message is the detail (debug level).
TEST(CodecTest, InvalidJsonNamesTheColumnAndShowsTheBytesAroundIt) {
  const auto reason_and_detail = [](std::string_view line) {
    const auto u = std::get<Unanswerable>(decode_line(line, {}, kTypes));
    return u.reason + " | " + u.detail;
  };
  // An object with a trailing comma: the column of the '}' where a key should be.
  EXPECT_EQ(reason_and_detail(R"({"src": "c1", "dest": "n1", "body": {"type": "kv_get", "key": "x",}})"),
            "invalid JSON at column 67 near '...\": \"kv_get\", \"key\": \"x\",}}' | "
            "[json.exception.parse_error.101] parse error at line 1, column 67: syntax error "
            "while parsing object key - unexpected '}'; expected string literal");
  // Cut on both sides; bytes that are not printable ASCII shown as \xNN (here ill-formed UTF-8:
  // 0xC3 must be followed by a continuation byte, not '(').
  EXPECT_EQ(std::get<Unanswerable>(
                decode_line("[\"0123456789abcdefghijklmnopqrstuvwxyz\xC3\x28\t0123456789\"]", {},
                            kTypes))
                .reason,
            "invalid JSON at column 40 near '...defghijklmnopqrstuvwxyz\\xC3(\\x090123456...'");
  // The end of the line came too soon: the column just past it.
  EXPECT_EQ(std::get<Unanswerable>(decode_line(R"({"src": "c1")", {}, kTypes)).reason,
            "invalid JSON at column 13 near '{\"src\": \"c1\"'");
  // A byte order mark is refused before the parser sees it.
  EXPECT_EQ(std::get<Unanswerable>(decode_line("\xEF\xBB\xBF{}", {}, kTypes)).reason,
            "invalid JSON at column 1 near '\\xEF\\xBB\\xBF{}'");
}

TEST(CodecTest, FieldErrorsNameTheFieldAndWhatWasExpected) {
  EXPECT_EQ(error_of(R"({"type": "kv_put", "msg_id": 1, "value": 1, "clock": []})"),
            "12 kv_put: key is missing; expected a string or an integer");
  EXPECT_EQ(error_of(R"({"type": "kv_get", "key": 1.5})"),
            "12 kv_get: key must be a string or an integer, got 1.5");
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "clock": []})"),
            "12 kv_put: value is missing; expected any JSON value");
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "value": 1})"),
            "12 kv_put: clock is missing; expected an array of non-negative integers");
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "value": 1, "clock": {"a": 1}})"),
            "12 kv_put: clock must be an array of non-negative integers, got {\"a\": 1}");
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "value": 1, "clock": [1, -3]})"),
            "12 kv_put: clock[1] must be a non-negative integer, got -3");
  EXPECT_EQ(error_of(R"({"type": "kv_resolve", "key": "x", "value": 1, "clock": [1.0]})"),
            "12 kv_resolve: clock[0] must be a non-negative integer, got 1.0");
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "value": 1, "clock": [18446744073709551616]})"),
            "12 kv_put: clock[0] must be at most 18446744073709551615, got 18446744073709551616");
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "value": 1, "clock": [1, 2, 3]})",
                     CodecLimits{2}),
            "12 kv_put: clock has 3 entries, more than --max-clock-entries (2)");
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "value": 1, "clock": [], "msg_id": "7"})"),
            "12 kv_put: msg_id must be an integer, got \"7\"");
  EXPECT_EQ(error_of(R"({"type": "frobnicate"})"), "unknown type frobnicate");  // the node's 10
  EXPECT_EQ(error_of(R"({"msg_id": 1})"), "12 type is missing; expected a string");
  EXPECT_EQ(error_of(R"(["kv_get"])"), "12 body must be an object, got [\"kv_get\"]");
}

// §16: kv_delete is {key, clock} (a tombstone: no value); reap_check and reap carry clocks.
TEST(CodecTest, DeletesAndReapMessages) {
  const Decoded d = decode_line(
      R"({"src":"c1","dest":"n1","body":{"type":"kv_delete","msg_id":2,"key":"x","value":"ignored","clock":[2,1]}})",
      {}, kTypes);
  const auto& w = std::get<WriteRequest>(incoming(d).request);
  EXPECT_TRUE(w.version.tombstone());
  EXPECT_EQ(clock_json(w.version.clock), "[2, 1]");
  EXPECT_EQ(error_of(R"({"type": "kv_delete", "key": "x"})"),
            "12 kv_delete: clock is missing; expected an array of non-negative integers");
  EXPECT_EQ(error_of(R"({"type": "kv_delete", "key": "x", "clock": [1, -3]})"),
            "12 kv_delete: clock[1] must be a non-negative integer, got -3");
  EXPECT_EQ(error_of(R"({"type": "sync", "incarnation": 1, "versions": [{"key": "x", "value": 1, "clock": [1], "deleted": 1}]})"),
            "12 sync: versions[0]: deleted must be true (a tombstone) or false, got 1");
  EXPECT_EQ(error_of(R"({"type": "reap_check", "incarnation": 1, "key": "x", "clocks": []})"),
            "12 reap_check: clocks must be a non-empty array of clocks, got []");
  EXPECT_EQ(error_of(R"({"type": "reap", "incarnation": 1, "key": "x", "clocks": [[1], [-1]]})"),
            "12 reap: clocks[1]: clock[0] must be a non-negative integer, got -1");
  EXPECT_EQ(error_of(R"({"type": "reap", "key": "x", "clocks": [[1]]})"),
            "12 reap: incarnation is missing; expected a non-negative integer");
  const Decoded r = decode_line(
      R"({"src":"n2","dest":"n1","body":{"type":"reap","incarnation":1,"key":7,"clocks":[[1],[0,2]]}})", {}, kTypes);
  EXPECT_EQ(testing::decoded_text(r).substr(testing::decoded_text(r).find("request=")), "request=reap 7 [1] [0, 2]");
}

TEST(CodecTest, InitFieldErrors) {
  EXPECT_EQ(error_of(R"({"type": "init", "node_id": "n1", "node_ids": []})"),
            "12 init: node_ids must be a non-empty array of distinct strings, got []");
  EXPECT_EQ(error_of(R"({"type": "init", "node_id": "n1", "node_ids": ["n1", 2]})"),
            "12 init: node_ids[1] must be a string, got 2");
  EXPECT_EQ(error_of(R"({"type": "init", "node_id": "n1", "node_ids": ["n1", "n1"]})"),
            "12 init: node_ids has \"n1\" more than once");
  EXPECT_EQ(error_of(R"({"type": "init", "node_id": "n3", "node_ids": ["n1"]})"),
            "12 init: node_ids must contain node_id \"n3\"");
  EXPECT_EQ(error_of(R"({"type": "init", "node_ids": ["n1"]})"),
            "12 init: node_id is missing; expected a string");
}

TEST(CodecTest, ValueDepthIsBounded) {
  const std::string ok = std::string(200, '[') + std::string(200, ']');
  const std::string deep = std::string(201, '[') + std::string(201, ']');
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "value": )" + ok + R"(, "clock": []})"), "ok");
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "value": )" + deep + R"(, "clock": []})"),
            "12 kv_put: value nests deeper than 200 levels");
  const std::string huge = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(error_of(R"({"type": "kv_put", "key": "x", "value": )" + huge + R"(, "clock": []})"),
            "12 kv_put: value nests deeper than 200 levels");
}

TEST(CodecTest, RepliesAreMarkedAndNotValidated) {
  const Decoded d = decode_line(
      R"({"src": "n2", "dest": "n1", "body": {"type": "sync_ok", "in_reply_to": 5}})", {}, kTypes);
  const Incoming& in = incoming(d);
  EXPECT_TRUE(in.is_reply);
  EXPECT_EQ(*in.in_reply_to, 5u);
  EXPECT_EQ(in.type, "sync_ok");
  EXPECT_EQ(in.kind, -1);
  // The body is kept for whoever awaits the reply.
  ASSERT_NE(in.reply_body.find("in_reply_to"), nullptr);
  EXPECT_EQ(in.reply_body.find("in_reply_to")->text, "5");
}

// The one-pass path must take the lines clients send most (else it is not a fast path: the
// agreement test below would still pass with a one-pass path that accepts nothing).
TEST(CodecTest, FastPathTakesTheCommonLines) {
  const char* const kCommon[] = {
      R"({"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 4, "key": "x"}})",
      R"({"src":"c4","dest":"n1","body":{"type":"kv_get","msg_id":17,"key":123}})",
      R"({"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "x", "value": "v1", "clock": [1, 0]}})",
      R"({"src":"c1","dest":"n1","id":3,"body":{"type":"kv_put","msg_id":2,"key":7,"value":{"items":["a",1,true,null],"n":-5},"clock":[3,0,2,1]}})",
      R"({"src": "c1", "dest": "n1", "body": {"type": "kv_resolve", "msg_id": 5, "key": "x", "value": "v1+v2", "clock": [1, 1]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":[],"clock":[]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":17,"msg_id":9,"versions":[{"key":"k1","value":"v","clock":[1,0,0,0]},{"key":2,"value":[true],"clock":[0,1]}]}})",
      // As nodes write them: a plain version as [key,value,clock].
      R"({"src": "n2", "dest": "n1", "body": {"type": "sync", "incarnation": 17, "versions": [["k1","v",[1,0,0,0]],[2,[true],[0,1]]], "msg_id": 9}})",
  };
  for (const char* line : kCommon) {
    Incoming in;
    EXPECT_TRUE(detail::decode_fast(line, {}, kTypes, in)) << line;
  }
}

// The codec knows types only through the catalog: a made-up type whose body is {key} takes the
// one-pass path and decodes like a get, and the node's own types mean nothing to it.
TEST(CodecTest, TypesComeFromTheCatalog) {
  static const MessageCatalog kFrobOnly{
      [](std::string_view type) { return type == "frob" ? 0 : -1; },
      [](int) { return FastShape::kKey; },
      [](int) { return BodyDecoder{decode_get}; },
  };
  Incoming in;
  ASSERT_TRUE(detail::decode_fast(R"({"src":"c1","dest":"n1","body":{"type":"frob","key":"k"}})",
                                  {}, kFrobOnly, in));
  EXPECT_EQ(in.kind, 0);
  EXPECT_EQ(std::get<GetRequest>(in.request).key, R"("k")");
  EXPECT_FALSE(detail::decode_fast(
      R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":"k"}})", {}, kFrobOnly, in));
  const Decoded general = decode_line_general(
      R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":"k"}})", {}, kFrobOnly);
  EXPECT_EQ(std::get<Incoming>(general).kind, -1);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(std::get<Incoming>(general).request));
}

// The fast path must decode exactly as the general path on every line it accepts, and leave
// the unusual ones to it.
TEST(CodecTest, FastPathAgreesWithTheGeneralPath) {
  const char* const kLines[] = {
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"x","value":"v","clock":[1,0]}})",
      R"( { "src" : "c1" , "dest" : "n1" , "body" : { "type" : "kv_get" , "key" : 7 } } )",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":{"b":[1,{"c":null}],"a":true},"clock":[]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":-0,"clock":[1]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":-0,"value":1,"clock":[1]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":1.0,"clock":[1]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":123456789012345678901234567890,"clock":[1]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":1,"clock":[18446744073709551615]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":1,"clock":[18446744073709551616]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":1,"clock":[01]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":"é","clock":[1]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":{"a":1,"a":2},"clock":[1]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","key":"y","value":1,"clock":[1]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":1,"clock":[1]},"src":"c2"})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":"x","msg_id":99999999999999999999}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":"x","msg_id":-5}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":"x"},"id":[1,{"deep":[true,false]}]})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":"x"}} x)",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":"x",}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":tru}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"x","value":[1,],"clock":[1]}})",
      "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"kv_get\",\"key\":\"a\tb\"}}",
      "\xEF\xBB\xBF" R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":"x"}})",
      // Syncs: the common ones, and the unusual ones the general path decides.
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"msg_id":7,"versions":[{"key":"x","value":{"a":[1]},"clock":[1,0]},{"clock":[2],"key":7,"value":null}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","versions":[],"incarnation":18446744073709551615}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":18446744073709551616,"versions":[]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":-1,"versions":[]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":"7","versions":[]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":1,"incarnation":2,"versions":[]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"fetch","incarnation":1,"key":"x","msg_id":4}})",
      R"({"src":"n2","dest":"n1","body":{"type":"fetch","key":"x","msg_id":4}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_put","incarnation":5,"key":"x","value":1,"clock":[1]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync_ok","in_reply_to":4,"incarnation":5,"versions":1}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","versions":[]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","versions":[{"key":"x","value":1}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","versions":[{"key":"x","value":1,"clock":[1],"extra":2}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","versions":[{"key":"x","key":"y","value":1,"clock":[1]}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","versions":[{"key":1.5,"value":1,"clock":[1]}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","versions":[{"key":"x","value":1,"clock":[-1]}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","versions":[{"key":"x","value":1,"clock":[1]}],"key":"x"}})",
      R"({"src":"n2","dest":"n1","body":{"type":"kv_put","versions":[],"key":"x","value":1,"clock":[1]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","versions":{"key":"x"}}})",
      // Tuples, [key, value, clock], mixed with objects; and malformed ones.
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[["x",{"b":[1,{"c":null}],"a":true},[1,0]],{"key":"x","value":2,"clock":[0,1]},[7, null, []]]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[["x",1,[1]],{"key":"x","clock":[2],"deleted":true}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[["x",1]]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[["x",1,[1],2]]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[[1.5,1,[1]]]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[["x",1,[-1]]]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[["x",1,7]]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[["x",1,[1]],]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[[]]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[["x",1,[1]] ]}})",
      // Tombstones (§16): the general path's business.
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[{"key":"x","clock":[1],"deleted":true},{"key":"x","value":1,"clock":[2]}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[{"key":"x","value":1,"clock":[1],"deleted":true}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[{"key":"x","value":1,"clock":[1],"deleted":false}]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"sync","incarnation":3,"versions":[{"key":"x","clock":[1],"deleted":1}]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_delete","msg_id":2,"key":"x","clock":[1,0]}})",
      R"({"src":"c1","dest":"n1","body":{"type":"kv_delete","msg_id":2,"key":"x","value":"v","clock":[1,0]}})",
      R"({"src":"n2","dest":"n1","body":{"type":"reap_check","msg_id":2,"incarnation":1,"key":"x","clocks":[[1],[0,2]]}})",
  };
  for (const char* line : kLines) {
    EXPECT_EQ(testing::decoded_text(decode_line(line, {}, kTypes)),
              testing::decoded_text(decode_line_general(line, {}, kTypes)))
        << line;
  }
  // Decoding into one reused object (as the node does) leaves nothing of the line before:
  // every line, after every other, reads as it does alone.
  Decoded reused;
  for (const char* before : kLines) {
    for (const char* line : kLines) {
      decode_line(before, {}, kTypes, reused);
      decode_line(line, {}, kTypes, reused);
      EXPECT_EQ(testing::decoded_text(reused), testing::decoded_text(decode_line_general(line, {}, kTypes)))
          << before << "\nthen " << line;
    }
  }
}

// The key-ahead hint is told each request's key as JSON text, the form the store keys by, as
// soon as the key is read (here: before a value the fast path then refuses).
TEST(CodecTest, KeyAheadHearsTheKeyAsTheStoreSpellsIt) {
  std::vector<std::string> heard;
  const KeyAhead hint{[](const void* context, std::string_view key) {
                        static_cast<std::vector<std::string>*>(const_cast<void*>(context))
                            ->emplace_back(key);
                      },
                      &heard};
  Decoded d;
  decode_line(R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":1,"key":"k7"}})", {}, kTypes, d,
              hint);
  EXPECT_EQ(std::get<GetRequest>(std::get<Incoming>(d).request).key, R"("k7")");
  decode_line(R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":42,"value":1,"clock":[1]}})",
              {}, kTypes, d, hint);
  EXPECT_EQ(std::get<WriteRequest>(std::get<Incoming>(d).request).key, "42");
  decode_line(R"({"src":"c1","dest":"n1","body":{"type":"kv_put","key":"z","value":1.5,"clock":[1]}})",
              {}, kTypes, d, hint);
  EXPECT_EQ(heard, (std::vector<std::string>{R"("k7")", "42", R"("z")"}));
  // Without a hint nothing is called (and nothing breaks).
  decode_line(R"({"src":"c1","dest":"n1","body":{"type":"kv_get","key":"x"}})", {}, kTypes, d);
  EXPECT_EQ(heard.size(), 3u);
}

}  // namespace
}  // namespace vckv
