#include "vckv/vector_clock.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace vckv {
namespace {

TEST(VectorClockTest, ConcurrentWritesFromTwoSlots) {
  const VectorClock a{1, 0};
  const VectorClock b{0, 1};
  EXPECT_TRUE(a.concurrent_with(b));
  EXPECT_FALSE(a.descends(b));
  EXPECT_EQ(a.join(b).to_json(), "[1, 1]");
  EXPECT_TRUE(a.join(b).dominates(a));
  EXPECT_TRUE(a.join(b).dominates(b));
}

TEST(VectorClockTest, EmptyIsDescendedByAll) {
  const VectorClock empty;
  EXPECT_TRUE(VectorClock({3, 1}).descends(empty));
  EXPECT_TRUE(empty.descends(empty));
  EXPECT_TRUE(empty.equals(VectorClock({0, 0, 0})));
  EXPECT_FALSE(empty.dominates(VectorClock({0})));
  EXPECT_EQ(empty.join(empty).to_json(), "[]");
}

TEST(VectorClockTest, MissingSlotsCountAsZero) {
  EXPECT_TRUE(VectorClock({1}).equals(VectorClock({1, 0, 0})));
  EXPECT_FALSE(VectorClock({1}).dominates(VectorClock({1, 0})));
  EXPECT_TRUE(VectorClock({1, 0, 1}).dominates(VectorClock({1})));
  EXPECT_EQ(VectorClock({1}).at(5), 0u);
}

TEST(VectorClockTest, EqualClocksDescendEachOtherButDoNotDominate) {
  const VectorClock a{2, 5};
  const VectorClock b{2, 5, 0};
  EXPECT_TRUE(a.descends(b));
  EXPECT_TRUE(b.descends(a));
  EXPECT_FALSE(a.dominates(b));
  EXPECT_FALSE(a.concurrent_with(b));
}

TEST(VectorClockTest, EchoesItsLengthAsWritten) {
  EXPECT_EQ(VectorClock({1, 0, 0}).to_json(), "[1, 0, 0]");
  EXPECT_EQ(VectorClock({18446744073709551615u}).to_json(), "[18446744073709551615]");
  EXPECT_EQ(VectorClock({1}).join(VectorClock({0, 0, 2})).to_json(), "[1, 0, 2]");
}

// Property tests over random clocks with small counters, so that equal, dominating and
// concurrent pairs all occur often.
class RandomClocks {
 public:
  explicit RandomClocks(std::uint64_t seed) : rng_(seed) {}
  VectorClock next() {
    std::vector<std::uint64_t> slots(std::uniform_int_distribution<std::size_t>(0, 4)(rng_));
    for (auto& s : slots) s = std::uniform_int_distribution<std::uint64_t>(0, 2)(rng_);
    return VectorClock(std::move(slots));
  }

 private:
  std::mt19937_64 rng_;
};

TEST(VectorClockPropertyTest, DominatesIsAStrictPartialOrder) {
  RandomClocks gen(1);
  for (int i = 0; i < 20000; ++i) {
    const VectorClock a = gen.next(), b = gen.next(), c = gen.next();
    EXPECT_FALSE(a.dominates(a)) << a.to_json();                                  // irreflexive
    if (a.dominates(b)) {
      EXPECT_FALSE(b.dominates(a)) << a.to_json() << b.to_json();  // asymmetric
    }
    if (a.dominates(b) && b.dominates(c)) {
      EXPECT_TRUE(a.dominates(c)) << a.to_json() << b.to_json() << c.to_json();    // transitive
    }
  }
}

TEST(VectorClockPropertyTest, ExactlyOneRelationHolds) {
  RandomClocks gen(2);
  for (int i = 0; i < 20000; ++i) {
    const VectorClock a = gen.next(), b = gen.next();
    const int relations = int(a.equals(b)) + int(a.dominates(b)) + int(b.dominates(a)) +
                          int(a.concurrent_with(b));
    EXPECT_EQ(relations, 1) << a.to_json() << " vs " << b.to_json();
    EXPECT_EQ(a.descends(b), a.equals(b) || a.dominates(b));
  }
}

TEST(VectorClockPropertyTest, JoinIsTheLeastUpperBound) {
  RandomClocks gen(3);
  for (int i = 0; i < 20000; ++i) {
    const VectorClock a = gen.next(), b = gen.next(), c = gen.next();
    const VectorClock ab = a.join(b);
    EXPECT_TRUE(ab.descends(a) && ab.descends(b));
    if (c.descends(a) && c.descends(b)) {
      EXPECT_TRUE(c.descends(ab));
    }
    EXPECT_TRUE(ab.equals(b.join(a)));                            // commutative
    EXPECT_TRUE(ab.join(c).equals(a.join(b.join(c))));            // associative
    EXPECT_TRUE(a.join(a).equals(a));                             // idempotent
  }
}

}  // namespace
}  // namespace vckv
