#include "vckv/cluster/anti_entropy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>

#include "vckv/node/messages.hpp"

namespace vckv {
namespace {

// Two replicas' anti-entropy, with the messages between them carried by hand.
struct Pair {
  struct Side {
    Side(const std::string& name, Logger& log, std::set<std::string>& pushed,
         std::set<std::string>& coming, std::size_t max_bytes)
        : outbox(out),
          ae(outbox, store,
             AntiEntropy::Links{[&pushed, name](const std::string& peer, const std::string& key) {
                                  pushed.insert(name + "->" + peer + " " + key);
                                },
                                [&coming](const std::string&, const std::string& key) {
                                  return coming.count(key) > 0;
                                },
                                nullptr, nullptr},
             max_bytes, log) {
      outbox.set_self(name);
      store.enable_hash_tree();
    }
    std::string out;
    SiblingStore store;
    Outbox outbox;
    AntiEntropy ae;
  };
  explicit Pair(std::size_t max_bytes = 16u << 20)
      : log(logs, LogLevel::kError), a("a", log, pushed, coming, max_bytes),
        b("b", log, pushed, coming, max_bytes) {}

  // Delivers messages back and forth until none are left; counts them and their bytes.
  void run() {
    for (;;) {
      Side* from = !a.out.empty() ? &a : !b.out.empty() ? &b : nullptr;
      if (!from) return;
      Side& to = from == &a ? b : a;
      std::istringstream lines(std::exchange(from->out, std::string()));
      for (std::string line; std::getline(lines, line);) {
        ++messages;
        bytes += line.size() + 1;
        longest = std::max(longest, line.size() + 1);
        const Decoded d = decode_line(line, {}, message_catalog());
        const Incoming& in = std::get<Incoming>(d);
        ASSERT_FALSE(in.request_error) << in.request_error->text;
        if (const auto* t = std::get_if<TreeRequest>(&in.request)) to.ae.on_tree(in.src, *t);
        if (const auto* k = std::get_if<TreeKeysRequest>(&in.request)) to.ae.on_tree_keys(in.src, *k);
      }
    }
  }

  std::ostringstream logs;
  Logger log;
  std::set<std::string> pushed;  // "a->b key": a sends key to b
  std::set<std::string> coming;  // keys already on their way (not pushed again)
  Side a, b;
  std::size_t messages = 0, bytes = 0, longest = 0;
};

void put(SiblingStore& s, const std::string& key, const std::string& value, VectorClock c) {
  s.merge_version(key, Version{value, std::move(c)});
}

TEST(AntiEntropyTest, InAgreementAnExchangeIsTwoSmallMessages) {
  Pair p;
  for (int i = 0; i < 1000; ++i) {
    put(p.a.store, std::to_string(i), "1", {1});
    put(p.b.store, std::to_string(i), "1.0", {1, 0});  // the same versions, as JSON and clock
  }
  p.a.ae.start("b");
  p.run();
  EXPECT_EQ(p.messages, 2u);  // a's root, and b's "we agree"
  EXPECT_LT(p.bytes, 300u);
  EXPECT_TRUE(p.pushed.empty());
}

// Of 10 000 keys, a few differ each way: exactly those are pushed, each to the side lacking it.
TEST(AntiEntropyTest, OnlyTheKeysThatDifferArePushedEachWay) {
  Pair p;
  for (int i = 0; i < 10000; ++i) {
    put(p.a.store, std::to_string(i), "\"v\"", {1});
    put(p.b.store, std::to_string(i), "\"v\"", {1});
  }
  put(p.a.store, "17", "\"a-newer\"", {2});            // a holds a newer version
  put(p.b.store, "4242", "\"b-sibling\"", {0, 1});     // b holds one more sibling
  put(p.a.store, "\"only-a\"", "1", {1});              // keys one side lacks
  put(p.b.store, "\"only-b\"", "1", {1});
  p.a.ae.start("b");
  p.run();
  EXPECT_EQ(p.pushed, (std::set<std::string>{"a->b \"only-a\"", "a->b 17", "a->b 4242",
                                             "b->a \"only-b\"", "b->a 17", "b->a 4242"}));
  EXPECT_LT(p.bytes, 20000u);  // the walk is small next to the 10 000 keys
}

// A replica that holds nothing (a restarted node) is sent every key, at once: the walk stops
// as soon as one side has nothing below the differing nodes.
TEST(AntiEntropyTest, AnEmptyReplicaIsSentEveryKey) {
  Pair p;
  for (int i = 0; i < 500; ++i) put(p.a.store, std::to_string(i), "\"v\"", {1});
  p.b.ae.start("a");  // the empty side asks
  p.run();
  EXPECT_EQ(p.pushed.size(), 500u);
  EXPECT_EQ(*p.pushed.begin(), "a->b 0");
  EXPECT_LE(p.messages, 3u);
}

// Keys already on their way to the peer are not pushed twice; messages stay within the limit.
TEST(AntiEntropyTest, KeysOnTheirWayAreNotPushedAndMessagesFitTheLimit) {
  Pair p(2000);
  for (int i = 0; i < 300; ++i) {
    put(p.a.store, "\"key-" + std::to_string(i) + "\"", "2", {2});
    put(p.b.store, "\"key-" + std::to_string(i) + "\"", "1", {1});  // held, but older
  }
  p.coming.insert("\"key-7\"");
  p.b.ae.start("a");
  p.run();
  EXPECT_LE(p.longest, 2000u);
  EXPECT_GT(p.messages, 3u);  // the key lists did not fit one message
  std::size_t a_to_b = 0;
  for (const std::string& s : p.pushed) a_to_b += s.rfind("a->b ", 0) == 0;
  EXPECT_EQ(a_to_b, 299u);
  EXPECT_EQ(p.pushed.count("a->b \"key-7\""), 0u);
}

// A peer that holds nothing (a restarted, empty replica) is sent every key at once, whichever
// side starts the exchange: no key lists, and the walk is one message each way at most.
TEST(AntiEntropyTest, AnEmptyPeerIsSentEverythingWithoutKeyLists) {
  for (const bool empty_side_starts : {true, false}) {
    Pair p;
    for (int i = 0; i < 5000; ++i) put(p.a.store, "\"key-" + std::to_string(i) + "\"", "1", {1});
    (empty_side_starts ? p.b.ae : p.a.ae).start(empty_side_starts ? "a" : "b");
    p.run();
    EXPECT_EQ(p.pushed.size(), 5000u);
    EXPECT_LE(p.messages, 2u) << (empty_side_starts ? "b started" : "a started");
    EXPECT_LT(p.bytes, 400u) << (empty_side_starts ? "b started" : "a started");
  }
}

// A tree message that lists one node many times is answered once for it: the answer is bounded
// by the distinct nodes asked about (a peer's bug or a replayed message must not multiply it).
TEST(AntiEntropyTest, ANodeListedManyTimesIsAnsweredOnce) {
  Pair p;
  for (int i = 0; i < 100; ++i) put(p.a.store, std::to_string(i), "1", {1});
  TreeRequest once{0, {0}, {12345}, {3}};
  TreeRequest repeated{0, std::vector<std::uint64_t>(100000, 0),
                       std::vector<std::uint64_t>(100000, 12345),
                       std::vector<std::uint64_t>(100000, 3)};
  p.a.ae.on_tree("b", once);
  const std::string answer_to_one = std::exchange(p.a.out, std::string());
  ASSERT_FALSE(answer_to_one.empty());
  p.a.ae.on_tree("b", repeated);
  // The same message (but for its msg_id, the next one).
  const auto without_msg_id = [](const std::string& m) { return m.substr(0, m.rfind("\"msg_id\"")); };
  EXPECT_EQ(without_msg_id(p.a.out), without_msg_id(answer_to_one)) << p.a.out.size() << " bytes";
  // The same at the level where keys are listed, and in a tree_keys.
  p.a.out.clear();
  p.a.ae.on_tree_keys("b", TreeKeysRequest{0, std::vector<std::uint64_t>(50000, 0), {"\"k\""}, {1}, true});
  EXPECT_LT(p.a.out.size(), 4000u);
  EXPECT_EQ(std::count(p.a.out.begin(), p.a.out.end(), '\n'), 1);
}

}  // namespace
}  // namespace vckv
