#include "vckv/wire/clock_json.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vckv/store/sibling_store.hpp"

namespace vckv {
namespace {

std::string read(std::string_view json, std::size_t max_entries = 1024) {
  VectorClock clock;
  if (auto e = parse_clock(json, max_entries, clock)) return e->text;
  return clock_json(clock);
}

// The one definition of a valid clock, as every reader of clocks sees it.
TEST(ClockJsonTest, EntriesAreNonNegativeIntegersOfAtMostSixtyFourBits) {
  EXPECT_EQ(clock_entry("0"), 0u);
  EXPECT_EQ(clock_entry("18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(clock_entry("18446744073709551616"), std::nullopt);
  EXPECT_EQ(clock_entry("-3"), std::nullopt);
  EXPECT_EQ(clock_entry(""), std::nullopt);
  EXPECT_EQ(clock_entry("1.5"), std::nullopt);
}

TEST(ClockJsonTest, ReadingNamesTheOffendingEntry) {
  EXPECT_EQ(read("[1, 0, 2]"), "[1, 0, 2]");
  EXPECT_EQ(read("[]"), "[]");
  EXPECT_EQ(read("[1, -3]"), "clock: clock[1] must be a non-negative integer, got -3");
  EXPECT_EQ(read("[1.0]"), "clock: clock[0] must be a non-negative integer, got 1.0");
  EXPECT_EQ(read("[18446744073709551616]"),
            "clock: clock[0] must be at most 18446744073709551615, got 18446744073709551616");
  EXPECT_EQ(read("{\"a\": 1}"),
            "clock: clock must be an array of non-negative integers, got {\"a\": 1}");
  EXPECT_EQ(read("[1, 2, 3]", 2), "clock: clock has 3 entries, more than --max-clock-entries (2)");
  EXPECT_EQ(read("[1,"), "clock is not JSON: "
                         "[json.exception.parse_error.101] parse error at line 1, column 4: "
                         "syntax error while parsing value - unexpected end of input; expected "
                         "'[', '{', or a literal");
}

// Rendering writes into room sized by clock_json_max_size; the widest clock fills it exactly.
TEST(ClockJsonTest, RenderedClocksFitTheirSizeBound) {
  const std::uint64_t max = 18446744073709551615u;
  const std::vector<std::uint64_t> widest = {max, max, max};
  std::string room(clock_json_max_size(3) + 4, '#');
  char* end = write_clock_json(room.data(), widest);
  // Only the last entry has no ", " after it.
  EXPECT_EQ(static_cast<std::size_t>(end - room.data()), clock_json_max_size(3) - 2);
  EXPECT_EQ(std::string(room.data(), end), clock_json(VectorClock(widest)));
  EXPECT_EQ(std::string(room.data(), end),
            "[18446744073709551615, 18446744073709551615, 18446744073709551615]");
  EXPECT_EQ(room.substr(clock_json_max_size(3)), "####");
  std::string empty(clock_json_max_size(0), '#');
  EXPECT_EQ(std::string(empty.data(), write_clock_json(empty.data(), ClockSlots())), "[]");
}

TEST(ClockJsonTest, ClocksAreEchoedWithTheirLengthAsWritten) {
  EXPECT_EQ(clock_json(VectorClock({1, 0, 0})), "[1, 0, 0]");
  const std::uint8_t narrow[] = {1, 255};
  EXPECT_EQ(clock_json(ClockSlots(narrow, 2, 1)), "[1, 255]");
}

TEST(ClockJsonTest, DescribeListsSiblingsOldestFirst) {
  SiblingStore store;
  store.apply_client_write("k", Version{"\"a\"", VectorClock{1, 0}}, 10);
  store.apply_client_write("k", Version{"\"b\"", VectorClock{0, 1}}, 10);
  EXPECT_EQ(describe(store.find("k")), "\"a\"@[1, 0] \"b\"@[0, 1]");
  EXPECT_EQ(describe(store.find("nothing")), "");
}

}  // namespace
}  // namespace vckv
