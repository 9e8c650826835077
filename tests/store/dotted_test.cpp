// The dotted conflict mode (docs/protocol.md §17) in the store: a context supersedes what it
// covers; a merge drops a version whose dot another's version vector covers; one version per
// dot and value. And the merge algebra over random histories of correct nodes: merging is
// commutative, associative and idempotent (replicas converge whatever the order).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "vckv/store/sibling_store.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {
namespace {

ConflictRule dotted() {
  ConflictRule r;
  r.mode = ConflictMode::kDotted;
  return r;
}

Version dv(std::string value, std::vector<std::uint64_t> vv, std::uint32_t node,
           std::uint64_t counter) {
  return Version(std::move(value), VectorClock(std::move(vv)), Dot{node, counter});
}

// value@vv#node:counter of each version, as a set.
std::set<std::string> as_set(const SiblingStore& store, const std::string& key) {
  std::set<std::string> out;
  for (VersionView v : store.find(key)) {
    std::vector<std::uint64_t> vv = v.slots.to_vector();
    while (!vv.empty() && vv.back() == 0) vv.pop_back();
    out.insert(std::string(v.tombstone() ? "~" : v.value) + "@" + clock_json(ClockSlots(vv)) +
               "#" + std::to_string(v.dot.node) + ":" + std::to_string(v.dot.counter));
  }
  return out;
}

TEST(DottedTest, AClientWriteTakesOutWhatItsContextCoversAndNothingElse) {
  SiblingStore s(dotted());
  EXPECT_EQ(s.apply_client_write("x", dv("\"a\"", {}, 0, 1), 100).ruling, Ruling::kStore);
  EXPECT_EQ(s.apply_client_write("x", dv("\"b\"", {}, 0, 2), 100).siblings, 2u);  // blind
  // A context covering n0's first dot only: a stays covered, b stays a sibling.
  const ApplyResult r = s.apply_client_write("x", dv("\"c\"", {1}, 1, 1), 100);
  EXPECT_EQ(r.ruling, Ruling::kStore);
  EXPECT_EQ(as_set(s, "x"), (std::set<std::string>{"\"b\"@[]#0:2", "\"c\"@[1]#1:1"}));
  // Never stale, whatever the context; the sibling limit still holds.
  EXPECT_EQ(s.apply_client_write("x", dv("\"d\"", {}, 1, 2), 2).ruling, Ruling::kTooManySiblings);
  EXPECT_EQ(s.apply_client_write("x", dv("\"d\"", {2, 1}, 1, 2), 2).siblings, 1u);
}

TEST(DottedTest, AMergeKeepsOneVersionPerDotAndValueAndBothOfAClash) {
  SiblingStore s(dotted());
  EXPECT_TRUE(s.merge_version("x", dv("1", {}, 0, 1)));
  EXPECT_FALSE(s.merge_version("x", dv("1.0", {}, 0, 1)));  // the same value as JSON: known
  EXPECT_TRUE(s.merge_version("x", dv("2", {}, 0, 1)));     // the same dot, another value
  EXPECT_EQ(s.find("x").size(), 2u);
  // A version whose dot a stored vector covers is dropped; one covering stored dots replaces them.
  EXPECT_TRUE(s.merge_version("x", dv("\"new\"", {1}, 1, 1)));
  EXPECT_EQ(as_set(s, "x"), std::set<std::string>{"\"new\"@[1]#1:1"});
  EXPECT_FALSE(s.merge_version("x", dv("\"old\"", {}, 0, 1)));
}

TEST(DottedTest, SupersedesFollowsTheVersionVectorNotTheJoinedClock) {
  // [n0, 2] written blind after [n0, 1]: a clock [2] would dominate [1]; the dots are siblings.
  const std::uint64_t none[] = {0};
  const VersionView first("\"a\"", ClockSlots(none), Dot{0, 1});
  const VersionView second("\"b\"", ClockSlots(none), Dot{0, 2});
  EXPECT_FALSE(supersedes(second, first));
  EXPECT_FALSE(supersedes(first, second));
  const std::uint64_t one[] = {1};
  EXPECT_TRUE(supersedes(VersionView("\"c\"", ClockSlots(one), Dot{1, 1}), first));
  EXPECT_FALSE(supersedes(VersionView("\"c\"", ClockSlots(one), Dot{1, 1}), second));
}

// Random histories of three correct nodes (each issues dots from its own counter, clients
// send the context of some earlier read, or none); then every node's versions are merged into
// fresh stores in random orders, twice over: the results are equal as sets (commutative,
// associative), merging again changes nothing (idempotent), and no version kept has a dot
// another one's vector covers.
TEST(DottedTest, MergingRandomHistoriesConvergesInAnyOrder) {
  std::mt19937_64 rng(17);
  for (int round = 0; round < 300; ++round) {
    constexpr std::uint32_t kNodes = 3;
    std::vector<SiblingStore> nodes(kNodes, SiblingStore(dotted()));
    std::vector<std::uint64_t> counters(kNodes, 0);
    std::vector<std::vector<std::uint64_t>> contexts = {{}};  // contexts read so far
    std::vector<Version> all;
    const int steps = 2 + static_cast<int>(rng() % 12);
    for (int step = 0; step < steps; ++step) {
      const auto r = static_cast<std::uint32_t>(rng() % kNodes);
      switch (rng() % 3) {
        case 0: {  // a read at r: its context joins every dot and vector
          std::vector<std::uint64_t> context(kNodes, 0);
          for (VersionView v : nodes[r].find("k")) {
            for (std::size_t i = 0; i < v.slots.size(); ++i) context[i] = std::max(context[i], v.slots[i]);
            context[v.dot.node] = std::max(context[v.dot.node], v.dot.counter);
          }
          contexts.push_back(context);
          break;
        }
        case 1: {  // a write at r with some context read before
          const std::vector<std::uint64_t>& context = contexts[rng() % contexts.size()];
          std::uint64_t m = counters[r];
          if (r < context.size()) m = std::max(m, context[r]);
          const Version w = dv(rng() % 4 == 0 ? "" : std::to_string(rng() % 5), context, r, m + 1);
          counters[r] = m + 1;
          nodes[r].apply_client_write("k", w, 1000);
          all.push_back(w);
          break;
        }
        default: {  // r sends what it holds to another node
          const auto to = static_cast<std::uint32_t>((r + 1 + rng() % (kNodes - 1)) % kNodes);
          for (VersionView v : nodes[r].find("k")) {
            nodes[to].merge_version("k", Version(std::string(v.value), v.clock(), v.dot));
          }
        }
      }
    }
    std::vector<Version> held;
    for (const SiblingStore& n : nodes) {
      for (VersionView v : n.find("k")) held.emplace_back(std::string(v.value), v.clock(), v.dot);
    }
    std::set<std::string> first;
    for (int order = 0; order < 4; ++order) {
      std::shuffle(held.begin(), held.end(), rng);
      SiblingStore merged(dotted());
      if (order % 2 == 0) {
        for (const Version& v : held) merged.merge_version("k", v);
      } else {
        std::vector<VersionView> views;
        for (const Version& v : held) views.push_back(view_of(v));
        merged.merge_versions("k", views);
      }
      const std::set<std::string> got = as_set(merged, "k");
      if (order == 0) first = got;
      ASSERT_EQ(got, first) << "round " << round;
      for (const Version& v : held) EXPECT_FALSE(merged.merge_version("k", v));  // idempotent
      for (VersionView a : merged.find("k")) {
        for (VersionView b : merged.find("k")) {
          if (a.dot != b.dot) {
            EXPECT_FALSE(supersedes(a, b)) << "round " << round;
          }
        }
      }
    }
    // Every write is held or covered by a held version's vector (contexts come from reads,
    // which join their versions' vectors: covering is transitive).
    for (const Version& w : all) {
      bool found = false;
      for (const Version& h : held) {
        found = found || (h.dot == w.dot) || covers(h.clock.slots(), w.dot);
      }
      EXPECT_TRUE(found) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace vckv
