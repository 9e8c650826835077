#include "vckv/ring/ring.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "vckv/node/messages.hpp"
#include "vckv/wire/codec.hpp"

namespace vckv {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : " ") + n;
  return s;
}

// "n5 n1 n4 | n2 n3": the preference list, then the fallbacks (ring-vectors.txt's layout).
std::string placement(const Ring& ring, std::string_view key_json) {
  return join(ring.ids(ring.preference_list(key_json))) + " | " +
         join(ring.ids(ring.fallbacks(key_json)));
}

std::vector<std::string> nodes(int count) {
  std::vector<std::string> ids;
  for (int i = 1; i <= count; ++i) ids.push_back("n" + std::to_string(i));
  return ids;
}

// §14 read literally, for the property tests: every point, sorted by (hash, node id); a key's
// walk starts at the first point at or above the key's point and lists nodes as first met.
class RingByDefinition {
 public:
  RingByDefinition(const std::vector<std::string>& node_ids, std::size_t vnodes) : ids_(node_ids) {
    std::vector<std::pair<std::uint64_t, std::string>> points;
    for (const std::string& id : node_ids) {
      for (std::size_t i = 0; i < vnodes; ++i) points.emplace_back(ring_hash(id + "#" + std::to_string(i)), id);
    }
    std::sort(points.begin(), points.end());
    for (const auto& [hash, id] : points) {
      hashes_.push_back(hash);
      owners_.push_back(static_cast<std::size_t>(std::find(ids_.begin(), ids_.end(), id) - ids_.begin()));
    }
  }
  std::vector<std::string> walk(std::string_view key_json) const {
    const std::uint64_t point = ring_hash(key_json);
    std::size_t start = 0;
    while (start < hashes_.size() && hashes_[start] < point) ++start;
    std::vector<std::string> walk;
    std::vector<bool> met(ids_.size());
    for (std::size_t d = 0; d < hashes_.size() && walk.size() < ids_.size(); ++d) {
      const std::size_t owner = owners_[(start + d) % hashes_.size()];
      if (!met[owner]) walk.push_back(ids_[owner]);
      met[owner] = true;
    }
    return walk;
  }

 private:
  std::vector<std::string> ids_;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::size_t> owners_;  // each point's node, by index into ids_
};

// ../shared/ring-vectors.txt, every hash line: the text hashed, fnv1a64, h.
TEST(RingTest, HashVectors) {
  struct Line {
    std::string_view text;
    std::uint64_t fnv;
    std::uint64_t h;
  };
  const Line lines[] = {
      {"", 14695981039346656037ull, 17280346270528514342ull},
      {"a", 12638187200555641996ull, 9413272369427828315ull},
      {"n1#0", 7233122655363469259ull, 9838947540320950722ull},
      {"n1#63", 6220597603410303242ull, 17067952282599563319ull},
      {"\"x\"", 15311137124817807135ull, 1224770662981559236ull},
      {"42", 571532774284038691ull, 9298553800152202476ull},
      {"\"\\u00e9\"", 8618495755236482106ull, 13708754318780930270ull},
  };
  for (const Line& line : lines) {
    EXPECT_EQ(fnv1a64(line.text), line.fnv) << line.text;
    EXPECT_EQ(ring_hash(line.text), line.h) << line.text;
    EXPECT_EQ(Ring::key_point(line.text), line.h) << line.text;
  }
  // The header comment's steps: fnv1a64("a") by hand, then fmix64.
  EXPECT_EQ((14695981039346656037ull ^ 97u) * 1099511628211ull, 12638187200555641996ull);
  EXPECT_EQ(fmix64(12638187200555641996ull), 9413272369427828315ull);
  EXPECT_EQ(fmix64(0), 0u);
}

// ring-vectors.txt's three rings, every key: its point and placement.
TEST(RingTest, PlacementVectors) {
  struct Key {
    std::string_view json;
    std::uint64_t point;
  };
  const Key keys[] = {
      {R"("x")", 1224770662981559236ull},    {"42", 9298553800152202476ull},
      {R"("\u00e9")", 13708754318780930270ull}, {R"("k17")", 15565173439873874652ull},
      {"0", 13971339156589058860ull},        {"-7", 14653408367998106352ull},
      {R"("hello world")", 278654470794240305ull},
  };
  const Ring five(nodes(5), 3, 64);
  const Ring three(nodes(3), 2, 1);
  const Ring nine(nodes(9), 3, 64);
  const char* expected[][3] = {
      {"n5 n1 n4 | n2 n3", "n1 n3 | n2", "n5 n1 n4 | n2 n6 n7 n9 n8 n3"},
      {"n4 n3 n2 | n1 n5", "n1 n3 | n2", "n7 n4 n3 | n2 n8 n1 n9 n6 n5"},
      {"n4 n5 n2 | n1 n3", "n3 n2 | n1", "n9 n4 n7 | n6 n5 n8 n2 n1 n3"},
      {"n3 n5 n2 | n1 n4", "n3 n2 | n1", "n3 n7 n5 | n9 n2 n6 n8 n1 n4"},
      {"n4 n2 n5 | n1 n3", "n3 n2 | n1", "n7 n4 n8 | n2 n6 n5 n1 n3 n9"},
      {"n1 n4 n2 | n3 n5", "n3 n2 | n1", "n8 n1 n9 | n4 n2 n6 n7 n3 n5"},
      {"n1 n2 n3 | n4 n5", "n1 n3 | n2", "n1 n9 n7 | n6 n2 n8 n3 n4 n5"},
  };
  for (std::size_t i = 0; i < std::size(keys); ++i) {
    EXPECT_EQ(Ring::key_point(keys[i].json), keys[i].point) << keys[i].json;
    EXPECT_EQ(placement(five, keys[i].json), expected[i][0]) << keys[i].json;
    EXPECT_EQ(placement(three, keys[i].json), expected[i][1]) << keys[i].json;
    EXPECT_EQ(placement(nine, keys[i].json), expected[i][2]) << keys[i].json;
  }
}

// The header comment's example, worked by hand: three nodes, one point each.
TEST(RingTest, ThreeNodesOnePointEach) {
  const Ring ring(nodes(3), 2, 1);
  ASSERT_EQ(ring.arc_count(), 3u);
  EXPECT_EQ(ring.points()[0].hash, 9838947540320950722ull);
  EXPECT_EQ(ring.points()[1].hash, 15975943011720031241ull);
  EXPECT_EQ(ring.points()[2].hash, 16770028462507079784ull);
  EXPECT_EQ(join(ring.ids(ring.walk(0))), "n1 n3 n2");
  EXPECT_EQ(join(ring.ids(ring.walk(1))), "n3 n2 n1");
  EXPECT_EQ(join(ring.ids(ring.walk(2))), "n2 n1 n3");
  // A point equal to a point's hash belongs to that point ("the first point >= the key's").
  EXPECT_EQ(ring.arc_of_point(9838947540320950722ull), 0u);
  EXPECT_EQ(ring.arc_of_point(9838947540320950723ull), 1u);
  EXPECT_EQ(ring.arc_of_point(15975943011720031241ull), 1u);
  EXPECT_EQ(ring.arc_of_point(16770028462507079784ull), 2u);
  EXPECT_EQ(ring.arc_of_point(0), 0u);
  // Past the largest point the walk wraps to the smallest: "k7" is above every point.
  EXPECT_EQ(Ring::key_point(R"("k7")"), 17239101941201467528ull);
  EXPECT_EQ(ring.arc_of_point(16770028462507079785ull), 0u);
  EXPECT_EQ(ring.arc_of_point(std::numeric_limits<std::uint64_t>::max()), 0u);
  EXPECT_EQ(placement(ring, R"("k7")"), "n1 n3 | n2");
  EXPECT_EQ(placement(ring, R"("x")"), "n1 n3 | n2");
}

// Equal hashes go by node id, whatever order node_ids names the nodes in. No two vnode points
// of n1..n9 collide, so the tie is made with given points.
TEST(RingTest, TiesInHashGoByNodeId) {
  for (const std::vector<std::string>& ids : {std::vector<std::string>{"n2", "n1", "n10"},
                                              std::vector<std::string>{"n1", "n10", "n2"}}) {
    const auto at = [&](std::string_view id) {
      return static_cast<Ring::NodeIndex>(std::find(ids.begin(), ids.end(), id) - ids.begin());
    };
    const Ring ring(ids, 2,
                    std::vector<Ring::Point>{{100, at("n2")}, {200, at("n2")}, {100, at("n1")},
                                             {100, at("n10")}, {50, at("n2")}});
    // Ring order: n2@50, n1@100, n10@100 ("n1" < "n10" < "n2"), n2@100, n2@200.
    std::string order;
    for (const Ring::Point& p : ring.points()) order += ring.node_id(p.node) + "@" + std::to_string(p.hash) + " ";
    EXPECT_EQ(order, "n2@50 n1@100 n10@100 n2@100 n2@200 ");
    EXPECT_EQ(join(ring.ids(ring.walk(ring.arc_of_point(100)))), "n1 n10 n2");
    EXPECT_EQ(join(ring.ids(ring.walk(ring.arc_of_point(99)))), "n1 n10 n2");
    EXPECT_EQ(join(ring.ids(ring.walk(ring.arc_of_point(101)))), "n2 n1 n10");
    EXPECT_EQ(join(ring.ids(ring.walk(ring.arc_of_point(201)))), "n2 n1 n10");
    EXPECT_EQ(join(ring.ids(ring.preference_list(ring.arc_of_point(100)))), "n1 n10");
    // The tied points after the first own no key points.
    EXPECT_EQ(ring.arc_share(2), 0.0);
    EXPECT_EQ(ring.arc_share(3), 0.0);
  }
}

TEST(RingTest, OnePointPerNodeOneReplica) {
  const Ring ring(nodes(3), 1, 1);
  EXPECT_EQ(ring.replicas(), 1u);
  EXPECT_FALSE(ring.every_node());
  // Each key lives on the owner of its arc alone.
  EXPECT_EQ(placement(ring, R"("x")"), "n1 | n3 n2");
  EXPECT_EQ(placement(ring, R"("\u00e9")"), "n3 | n2 n1");
  EXPECT_EQ(placement(ring, "19"), "n1 | n3 n2");  // wraps: 17456680621882857701
  const Ring::NodeIndex n1 = ring.find_node("n1"), n3 = ring.find_node("n3");
  EXPECT_TRUE(ring.is_replica(n1, R"("x")"));
  EXPECT_FALSE(ring.is_replica(n3, R"("x")"));
  EXPECT_TRUE(ring.shared_arcs(n1, n3).empty());  // one replica: no two nodes share a key
  EXPECT_EQ(ring.arcs_of(n1), std::vector<Ring::ArcId>{0});
}

// N of 0, or of at least |node_ids|, is every node: the whole walk, no fallbacks.
TEST(RingTest, EveryNode) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{3}, std::size_t{4}, std::size_t{100}}) {
    const Ring ring(nodes(3), n, 1);
    EXPECT_TRUE(ring.every_node()) << n;
    EXPECT_EQ(ring.replicas(), 3u) << n;
    EXPECT_EQ(placement(ring, R"("x")"), "n1 n3 n2 | ") << n;
    EXPECT_TRUE(ring.fallbacks(R"("x")").empty()) << n;
    for (Ring::NodeIndex node = 0; node < 3; ++node) EXPECT_TRUE(ring.is_replica(node, R"("x")"));
    EXPECT_FALSE(ring.is_replica(3, R"("x")"));
    EXPECT_EQ(ring.shared_arcs(0, 2).size(), ring.arc_count());
  }
  const Ring one({"solo"}, 3);
  EXPECT_EQ(placement(one, "1"), "solo | ");
  EXPECT_EQ(one.arc_count(), 64u);
  EXPECT_FALSE(Ring(nodes(3), 2).every_node());
}

TEST(RingTest, RefusesWhatInitWouldRefuse) {
  EXPECT_THROW(Ring({}, 0), std::invalid_argument);
  EXPECT_THROW(Ring({"n1", "n2", "n1"}, 0), std::invalid_argument);
  EXPECT_THROW(Ring(nodes(2), 1, 0), std::invalid_argument);
  EXPECT_THROW(Ring(nodes(2), 1, std::vector<Ring::Point>{{1, 0}}), std::invalid_argument);
  EXPECT_THROW(Ring(nodes(2), 1, std::vector<Ring::Point>{{1, 0}, {2, 2}}), std::invalid_argument);
  EXPECT_THROW(Ring(nodes(2), 1, std::size_t{1} << 32), std::invalid_argument);
  EXPECT_EQ(Ring(nodes(2), 1).find_node("n3"), 2u);
  EXPECT_EQ(Ring(nodes(2), 1).find_node("n2"), 1u);
}

// The key a client types and the key text the codec hands on are §2's text, so they land on
// the contract's point: é typed raw, as \u00E9 or as \u00e9 is the key "\u00e9".
TEST(RingTest, CodecKeysAreTheContractsText) {
  const auto key_of = [](std::string_view key) {
    const Decoded d = decode_line(
        std::string(R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":1,"key":)") +
            std::string(key) + "}}",
        {}, message_catalog());
    return std::get<GetRequest>(std::get<Incoming>(d).request).key;
  };
  for (std::string_view typed : {"\"\xc3\xa9\"", R"("\u00E9")", R"("\u00e9")"}) {
    EXPECT_EQ(key_of(typed), R"("\u00e9")");
    EXPECT_EQ(Ring::key_point(key_of(typed)), 13708754318780930270ull);
  }
  EXPECT_EQ(key_of(R"("\u0078")"), R"("x")");
  EXPECT_EQ(key_of("42"), "42");
  EXPECT_EQ(Ring::key_point(key_of("42")), 9298553800152202476ull);
}

// Preference lists are distinct nodes, min(N, |nodes|) of them, the walk is every node once,
// and all of it is §14 read literally, for rings small and large (100 nodes: past the walks the
// ring stores, it walks point by point).
TEST(RingTest, PropertiesAgainstTheDefinition) {
  std::mt19937_64 random(22);
  struct Shape {
    int nodes;
    std::size_t vnodes;
  };
  for (const Shape shape : {Shape{1, 1}, Shape{2, 1}, Shape{3, 2}, Shape{5, 64}, Shape{7, 3},
                            Shape{12, 16}, Shape{100, 64}}) {
    const std::vector<std::string> ids = nodes(shape.nodes);
    const RingByDefinition definition(ids, shape.vnodes);
    for (std::size_t n = 0; n <= static_cast<std::size_t>(shape.nodes) + 1;
         n += (shape.nodes > 12 ? 37 : 1)) {
      const Ring ring(ids, n, shape.vnodes);
      const std::size_t expected_n = (n == 0 || n > ids.size()) ? ids.size() : n;
      for (int k = 0; k < (shape.nodes > 12 ? 40 : 200); ++k) {
        const std::string key = k % 2 ? std::to_string(random() % 100000) : "\"k" + std::to_string(k) + "\"";
        const std::vector<std::string> truth = definition.walk(key);
        const std::vector<std::string> pref = ring.ids(ring.preference_list(key));
        const std::vector<std::string> rest = ring.ids(ring.fallbacks(key));
        ASSERT_EQ(pref.size(), expected_n);
        ASSERT_EQ(std::set<std::string>(pref.begin(), pref.end()).size(), pref.size());
        std::vector<std::string> walk = pref;
        walk.insert(walk.end(), rest.begin(), rest.end());
        ASSERT_EQ(walk, truth) << shape.nodes << " nodes, N " << n << ", key " << key;
        ASSERT_EQ(ring.ids(ring.walk(ring.arc_of_key(key))), truth);
        for (Ring::NodeIndex node = 0; node < ids.size(); ++node) {
          ASSERT_EQ(ring.is_replica(node, key),
                    std::find(pref.begin(), pref.end(), ids[node]) != pref.end());
        }
      }
    }
  }
}

// Iterators over a walk can start anywhere in it, inside or past the stored part.
TEST(RingTest, FallbacksStartAnywhereInTheWalk) {
  const std::vector<std::string> ids = nodes(100);
  const RingByDefinition definition(ids, 64);
  for (const std::size_t n : {std::size_t{3}, std::size_t{39}, std::size_t{40}, std::size_t{41},
                              std::size_t{70}, std::size_t{99}}) {
    const Ring ring(ids, n);
    for (const std::string key : {"1", "2", "\"x\""}) {
      const std::vector<std::string> truth = definition.walk(key);
      EXPECT_EQ(ring.ids(ring.fallbacks(key)),
                std::vector<std::string>(truth.begin() + static_cast<std::ptrdiff_t>(n), truth.end()))
          << n << " " << key;
    }
  }
}

// Placement depends on the node ids, not on the order init lists them in.
TEST(RingTest, StableUnderNodeIdsOrder) {
  std::vector<std::string> ids = nodes(9);
  const Ring ordered(ids, 3);
  std::mt19937_64 random(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(ids.begin(), ids.end(), random);
    const Ring shuffled(ids, 3);
    for (int k = 0; k < 500; ++k) {
      const std::string key = "\"key" + std::to_string(k) + "\"";
      ASSERT_EQ(placement(shuffled, key), placement(ordered, key)) << key;
    }
  }
}

// Each node holds about N/|nodes| of the keys with the default vnodes: within 0.8-1.2x over 10k
// keys (issue 22's balance figure), and so does its share of the hash space.
TEST(RingTest, EachNodeHoldsItsShare) {
  for (const int count : {5, 9}) {
    const Ring ring(nodes(count), 3);
    std::vector<int> held(static_cast<std::size_t>(count));
    for (int k = 0; k < 10000; ++k) {
      for (const Ring::NodeIndex node : ring.preference_list("\"k" + std::to_string(k) + "\"")) {
        ++held[node];
      }
    }
    const double fair = 10000.0 * 3 / count;
    const std::vector<double> shares = ring.node_shares();
    double total = 0;
    for (int node = 0; node < count; ++node) {
      EXPECT_GE(held[static_cast<std::size_t>(node)], 0.8 * fair) << "n" << node + 1;
      EXPECT_LE(held[static_cast<std::size_t>(node)], 1.2 * fair) << "n" << node + 1;
      EXPECT_GE(shares[static_cast<std::size_t>(node)], 0.8 * 3 / count);
      EXPECT_LE(shares[static_cast<std::size_t>(node)], 1.2 * 3 / count);
      total += shares[static_cast<std::size_t>(node)];
    }
    EXPECT_NEAR(total, 3.0, 1e-9);
  }
  // One node, one point: its arc is the whole ring.
  EXPECT_EQ(Ring({"n1"}, 0, 1).node_shares(), std::vector<double>{1.0});
}

// Anti-entropy's question: which keys do two nodes both hold. A key's arc is shared exactly
// when both nodes are in the key's preference list; every arc a node holds has it as a replica.
TEST(RingTest, SharedArcsAreTheKeysBothHold) {
  const Ring ring(nodes(5), 3);
  for (Ring::NodeIndex a = 0; a < 5; ++a) {
    const std::vector<Ring::ArcId> mine = ring.arcs_of(a);
    for (Ring::NodeIndex b = 0; b < 5; ++b) {
      const std::vector<Ring::ArcId> shared = ring.shared_arcs(a, b);
      const std::vector<Ring::ArcId> theirs = ring.arcs_of(b);
      std::vector<Ring::ArcId> both;
      std::set_intersection(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(both));
      ASSERT_EQ(shared, both);
      const std::set<Ring::ArcId> shared_set(shared.begin(), shared.end());
      for (int k = 0; k < 300; ++k) {
        const std::string key = std::to_string(k);
        const auto pref = ring.preference_list(key);
        ASSERT_EQ(shared_set.count(ring.arc_of_key(key)) == 1, pref.contains(a) && pref.contains(b));
      }
    }
    // A node of five with three replicas per key holds about 3/5 of the arcs.
    EXPECT_GT(mine.size(), ring.arc_count() * 2 / 5);
    EXPECT_LT(mine.size(), ring.arc_count() * 4 / 5);
  }
}

}  // namespace
}  // namespace vckv
