#include "vckv/json/writer.hpp"

#include <gtest/gtest.h>

#include "roundtrip.hpp"

#include <limits>

namespace vckv {
namespace {

using testing::roundtrip;

std::string py_float(double d) {
  std::string out;
  append_python_float(out, d);
  return out;
}

TEST(JsonWriterTest, RendersLikePythonJsonDumps) {
  EXPECT_EQ(roundtrip(R"({"b":[1,2,{"c":null}],"a":true})"),
            R"({"b": [1, 2, {"c": null}], "a": true})");
  EXPECT_EQ(roundtrip(R"("a/b\"\\\b\f\n\r\t\u0001\u007f")"),
            R"("a/b\"\\\b\f\n\r\t\u0001\u007f")");
  EXPECT_EQ(roundtrip("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""), R"("\u00e9\u20ac\ud83d\ude00")");
  EXPECT_EQ(roundtrip(R"("\ud83d\ude00")"), R"("\ud83d\ude00")");
  EXPECT_EQ(roundtrip("[]"), "[]");
  EXPECT_EQ(roundtrip("{}"), "{}");
  EXPECT_EQ(roundtrip(" [ 1 , -0 ] "), "[1, 0]");
}

// The renderer writes into room sized by json_string_max_size: the worst inputs (every byte a
// control character, every byte a stray UTF-8 lead) must fit it exactly or with bytes to spare.
TEST(JsonWriterTest, StringLiteralsFitTheirSizeBound) {
  const std::string worst[] = {std::string(7, '\x01'), std::string(5, '\xff'), "\xc3\xa9",
                               "\xf0\x9f\x98\x80", std::string(3, '"'), "", "plain"};
  for (const std::string& s : worst) {
    std::string room(json_string_max_size(s.size()) + 8, '#');
    char* end = write_json_string(room.data(), s);
    EXPECT_LE(static_cast<std::size_t>(end - room.data()), json_string_max_size(s.size()));
    std::string appended;
    append_json_string(appended, s);
    EXPECT_EQ(std::string(room.data(), end), appended);
    EXPECT_EQ(room.substr(json_string_max_size(s.size())), std::string(8, '#'));  // untouched
  }
  EXPECT_EQ(json_string_max_size(7), 7 * 6 + 2u);
  std::string control;
  append_json_string(control, std::string(7, '\x01'));
  EXPECT_EQ(control.size(), json_string_max_size(7));  // the bound is reached, not loose
}

TEST(JsonWriterTest, FloatsPrintAsPythonRepr) {
  EXPECT_EQ(py_float(1e15), "1000000000000000.0");
  EXPECT_EQ(py_float(1e16), "1e+16");
  EXPECT_EQ(py_float(1e-5), "1e-05");
  EXPECT_EQ(py_float(0.0001), "0.0001");
  EXPECT_EQ(py_float(-0.0), "-0.0");
  EXPECT_EQ(py_float(0.0), "0.0");
  EXPECT_EQ(py_float(1.5), "1.5");
  EXPECT_EQ(py_float(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(py_float(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(py_float(1.5e300), "1.5e+300");
  EXPECT_EQ(py_float(5e-324), "5e-324");
  EXPECT_EQ(py_float(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(py_float(2.5e-7), "2.5e-07");
  EXPECT_EQ(roundtrip("[1.0, 1E2, 1e-7, 12.50]"), "[1.0, 100.0, 1e-07, 12.5]");
}

TEST(JsonWriterTest, IntegersKeepEveryDigit) {
  EXPECT_EQ(roundtrip("123456789012345678901234567890"), "123456789012345678901234567890");
  EXPECT_EQ(roundtrip("-18446744073709551616"), "-18446744073709551616");
  EXPECT_EQ(roundtrip("18446744073709551615"), "18446744073709551615");
}

TEST(JsonWriterTest, ExcerptCutsAt64Characters) {
  JValue v;
  std::string error;
  ASSERT_TRUE(parse_json("\"" + std::string(100, 'a') + "\"", v, error, 10));
  const std::string e = json_excerpt(v);
  EXPECT_EQ(e.size(), 64u);
  EXPECT_EQ(e.substr(58), "aaa...");
}

}  // namespace
}  // namespace vckv
