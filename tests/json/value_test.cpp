#include "vckv/json/value.hpp"
#include "vckv/json/writer.hpp"

#include <gtest/gtest.h>

#include "roundtrip.hpp"

#include <limits>

namespace vckv {
namespace {

using testing::roundtrip;


TEST(JsonValueTest, DuplicateKeyKeepsLastValueAtFirstPosition) {
  EXPECT_EQ(roundtrip(R"({"a":1,"b":2,"a":3})"), R"({"a": 3, "b": 2})");
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  many += "\"k3\":\"last\"}";
  const std::string out = roundtrip(many);
  EXPECT_NE(out.find("\"k3\": \"last\", \"k4\": 4"), std::string::npos) << out;
}

TEST(JsonValueTest, RejectsWhatPythonWouldNotPrint) {
  EXPECT_EQ(roundtrip("NaN"), "ERROR");
  EXPECT_EQ(roundtrip("[Infinity]"), "ERROR");
  EXPECT_EQ(roundtrip("\"\xff\""), "ERROR");            // invalid UTF-8
  EXPECT_EQ(roundtrip(R"("\ud800")"), "ERROR");         // lone surrogate
  EXPECT_EQ(roundtrip("1e400"), "ERROR");               // overflows a double
  EXPECT_EQ(roundtrip("{\"a\":1} x"), "ERROR");
  EXPECT_EQ(roundtrip(""), "ERROR");
  EXPECT_EQ(roundtrip("[1,]"), "ERROR");
}

TEST(JsonValueTest, DepthBeyondTheLimitIsMarkedNotBuilt) {
  JValue v;
  std::string error;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  ASSERT_TRUE(parse_json(deep, v, error, 10));
  EXPECT_EQ(nesting_depth(v), SIZE_MAX);
  ASSERT_TRUE(parse_json("[[[]]]", v, error, 10));
  EXPECT_EQ(nesting_depth(v), 3u);
  EXPECT_FALSE(parse_json(std::string(100000, '['), v, error, 10));  // unterminated
}

TEST(JsonValueTest, EqualityIsJsonEquality) {
  EXPECT_TRUE(json_text_equal(R"({"a": 1, "b": [true]})", R"({"b": [true], "a": 1.0})"));
  EXPECT_FALSE(json_text_equal("true", "1"));
  EXPECT_FALSE(json_text_equal("0", "false"));
  EXPECT_TRUE(json_text_equal("0", "-0.0"));
  EXPECT_FALSE(json_text_equal("[1, 2]", "[2, 1]"));
  EXPECT_FALSE(json_text_equal(R"({"a": 1})", R"({"a": 1, "b": 1})"));
  EXPECT_TRUE(json_text_equal("100000000000000000000", "1e20"));
  EXPECT_FALSE(json_text_equal("100000000000000000001", "1e20"));
  EXPECT_FALSE(json_text_equal("\"1\"", "1"));
  EXPECT_FALSE(json_text_equal("\"a\"", "\"b\""));
  EXPECT_FALSE(json_text_equal("null", "0"));
  EXPECT_FALSE(json_text_equal("[1]", "\"[1]\""));
  EXPECT_TRUE(json_text_equal("[\"a\", 1]", "[\"a\", 1.0]"));
}

}  // namespace
}  // namespace vckv
