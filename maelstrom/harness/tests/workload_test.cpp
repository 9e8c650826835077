#include "workload.hpp"

#include <gtest/gtest.h>

namespace vckv::harness {
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

}  // namespace
}  // namespace vckv::harness
