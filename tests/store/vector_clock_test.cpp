#include "vckv/store/vector_clock.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace vckv {
namespace {

// The slots as written, "[1, 0]" (rendering proper is wire/clock_json's; the clock has none).
std::string str(const VectorClock& c) {
  std::string out = "[";
  for (std::size_t i = 0; i < c.size(); ++i) out += (i ? ", " : "") + std::to_string(c.slots()[i]);
  return out + "]";
}

TEST(VectorClockTest, ConcurrentWritesFromTwoSlots) {
  const VectorClock a{1, 0};
  const VectorClock b{0, 1};
  EXPECT_TRUE(a.concurrent_with(b));
  EXPECT_FALSE(a.descends(b));
  EXPECT_EQ(str(a.join(b)), "[1, 1]");
  EXPECT_TRUE(a.join(b).dominates(a));
  EXPECT_TRUE(a.join(b).dominates(b));
}

TEST(VectorClockTest, EmptyIsDescendedByAll) {
  const VectorClock empty;
  EXPECT_TRUE(VectorClock({3, 1}).descends(empty));
  EXPECT_TRUE(empty.descends(empty));
  EXPECT_TRUE(empty.equals(VectorClock({0, 0, 0})));
  EXPECT_FALSE(empty.dominates(VectorClock({0})));
  EXPECT_EQ(str(empty.join(empty)), "[]");
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
  EXPECT_EQ(str(VectorClock({1, 0, 0})), "[1, 0, 0]");
  EXPECT_EQ(str(VectorClock({18446744073709551615u})), "[18446744073709551615]");
  EXPECT_EQ(str(VectorClock({1}).join(VectorClock({0, 0, 2}))), "[1, 0, 2]");
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
    EXPECT_FALSE(a.dominates(a)) << str(a);                                  // irreflexive
    if (a.dominates(b)) {
      EXPECT_FALSE(b.dominates(a)) << str(a) << str(b);  // asymmetric
    }
    if (a.dominates(b) && b.dominates(c)) {
      EXPECT_TRUE(a.dominates(c)) << str(a) << str(b) << str(c);    // transitive
    }
  }
}

TEST(VectorClockPropertyTest, ExactlyOneRelationHolds) {
  RandomClocks gen(2);
  for (int i = 0; i < 20000; ++i) {
    const VectorClock a = gen.next(), b = gen.next();
    const int relations = int(a.equals(b)) + int(a.dominates(b)) + int(b.dominates(a)) +
                          int(a.concurrent_with(b));
    EXPECT_EQ(relations, 1) << str(a) << " vs " << str(b);
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

// Stored clocks are narrow (1, 2 or 4-byte slots): one comparison of every width pair must
// agree with the definition, pointwise after zero padding, computed on plain integers.
TEST(VectorClockPropertyTest, CompareAgreesWithTheDefinitionAtEveryWidth) {
  std::mt19937_64 rng(4);
  auto pick = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  const unsigned widths[] = {1, 2, 4, 8};
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint64_t> a(pick(0, 5)), b(pick(0, 5));
    for (auto& s : a) s = pick(0, 2);
    for (auto& s : b) s = pick(0, 2);
    const unsigned wa = widths[pick(0, 3)], wb = widths[pick(0, 3)];
    // The same counters stored at widths wa and wb (little-endian narrowing of small values).
    std::vector<std::uint8_t> bytes_a(a.size() * wa), bytes_b(b.size() * wb);
    for (std::size_t j = 0; j < a.size(); ++j) bytes_a[j * wa] = static_cast<std::uint8_t>(a[j]);
    for (std::size_t j = 0; j < b.size(); ++j) bytes_b[j * wb] = static_cast<std::uint8_t>(b[j]);
    const ClockSlots sa(bytes_a.data(), a.size(), wa), sb(bytes_b.data(), b.size(), wb);

    bool a_ge = true, b_ge = true;
    for (std::size_t j = 0; j < std::max(a.size(), b.size()); ++j) {
      const std::uint64_t x = j < a.size() ? a[j] : 0, y = j < b.size() ? b[j] : 0;
      a_ge = a_ge && x >= y;
      b_ge = b_ge && y >= x;
    }
    const ClockOrder order = compare_slots(sa, sb);
    EXPECT_EQ(order.a_descends, a_ge) << "widths " << wa << "/" << wb << " " << i;
    EXPECT_EQ(order.b_descends, b_ge) << "widths " << wa << "/" << wb << " " << i;
    EXPECT_EQ(order.equal(), VectorClock(a).equals(VectorClock(b)));
    EXPECT_EQ(order.a_dominates(), VectorClock(a).dominates(VectorClock(b)));
  }
}

}  // namespace
}  // namespace vckv
