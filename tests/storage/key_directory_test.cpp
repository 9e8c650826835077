#include "storage/key_directory.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "vckv/storage/memory_file_system.hpp"

namespace vckv::detail {
namespace {

// The reference vectors of the SipHash paper (appendix A): key 00..0f, messages 00..(n-1).
TEST(KeyDirectoryTest, SipHashMatchesTheReference) {
  const std::uint64_t k0 = 0x0706050403020100ull;
  const std::uint64_t k1 = 0x0f0e0d0c0b0a0908ull;
  std::string message;
  EXPECT_EQ(siphash24(k0, k1, message), 0x726fdb47dd0e0e31ull);
  for (int i = 0; i < 15; ++i) message.push_back(static_cast<char>(i));
  EXPECT_EQ(siphash24(k0, k1, message), 0xa129ca6149be45e5ull);
}

// Entries of different maps, or with the target/key boundary moved, have different names.
TEST(KeyDirectoryTest, FingerprintsSeparateMapsAndTargets) {
  EntryHasher h(1);
  auto same = [](Fingerprint a, Fingerprint b) { return a.high == b.high && a.low == b.low; };
  EXPECT_TRUE(same(h.of(EntrySpace::kStore, "", "\"a\""), h.of(EntrySpace::kStore, "", "\"a\"")));
  EXPECT_FALSE(same(h.of(EntrySpace::kStore, "", "\"a\""), h.of(EntrySpace::kDotCounter, "", "\"a\"")));
  EXPECT_FALSE(same(h.of(EntrySpace::kHint, "ab", "c"), h.of(EntrySpace::kHint, "a", "bc")));
  EXPECT_FALSE(same(h.of(EntrySpace::kStore, "", "x"), EntryHasher(2).of(EntrySpace::kStore, "", "x")));
}

// An entry's name is SipHash-2-4 and the mix hash of (map, target length, target, key), built
// on the stack up to 64 bytes and in a reused buffer past that: both give the values this layout
// gave when it was always built in the buffer (recorded from that build), in any order.
TEST(KeyDirectoryTest, FingerprintsKeepTheirByteLayoutOnEveryPath) {
  struct Case {
    EntrySpace space;
    std::string target;
    std::string key;
    std::uint64_t high;
    std::uint32_t low;
  };
  const std::vector<Case> cases = {
      {EntrySpace::kStore, "", "\"a\"", 2657399051376669265ull, 711219294u},
      {EntrySpace::kHint, "n2", "\"k\"", 12230565490900601898ull, 3954680056u},
      {EntrySpace::kDotCounter, "", "", 16745443352270833990ull, 662895411u},
      // 64 bytes, the stack's last size; then 65, the buffer's first
      {EntrySpace::kStore, "", std::string(62, 'k'), 6683561309159649116ull, 842262309u},
      {EntrySpace::kStore, "", std::string(63, 'k'), 7123448457286932794ull, 4150181982u},
      // a two-byte target length; the last one-byte length
      {EntrySpace::kHint, std::string(200, 't'), "x", 6434508203392731526ull, 1174685517u},
      {EntrySpace::kHint, std::string(127, 't'), "x", 27300253914919585ull, 353103744u},
  };
  const EntryHasher h(7);
  for (int round = 0; round < 2; ++round) {  // the second round in reverse: the buffer is reused
    for (std::size_t n = 0; n < cases.size(); ++n) {
      const Case& c = cases[round == 0 ? n : cases.size() - 1 - n];
      const Fingerprint fp = h.of(c.space, c.target, c.key);
      EXPECT_EQ(fp.high, c.high) << c.target.size() << "/" << c.key.size();
      EXPECT_EQ(fp.low, c.low) << c.target.size() << "/" << c.key.size();
    }
  }
}

// Random puts, erases and relocations agree with a std::map, through growth and the
// backward-shift deletions that keep probe runs whole.
TEST(KeyDirectoryTest, AgreesWithAMapUnderRandomChanges) {
  EntryHasher h(3);
  KeyDirectory dir;
  std::map<int, std::pair<std::uint64_t, std::uint32_t>> model;
  SplitMix64 random(11);
  for (int step = 0; step < 200000; ++step) {
    const int key = static_cast<int>(random() % 5000);
    const Fingerprint fp = h.of(EntrySpace::kStore, "", std::to_string(key));
    switch (random() % 4) {
      case 0:
      case 1: {
        const std::uint64_t location = random() % 1000000;
        const auto size = static_cast<std::uint32_t>(1 + random() % 100);
        dir.put(fp, location, size);
        model[key] = {location, size};
        break;
      }
      case 2:
        dir.erase(fp);
        model.erase(key);
        break;
      default: {
        auto it = model.find(key);
        const std::uint64_t from = it != model.end() && random() % 2 ? it->second.first : 7;
        const bool moved = dir.relocate(fp, from, from + 1);
        const bool expected = it != model.end() && it->second.first == from;
        ASSERT_EQ(moved, expected);
        if (expected) it->second.first = from + 1;
      }
    }
  }
  std::uint64_t live = 0;
  for (int key = 0; key < 5000; ++key) {
    const KeyDirectory::Entry* e = dir.find(h.of(EntrySpace::kStore, "", std::to_string(key)));
    auto it = model.find(key);
    ASSERT_EQ(e != nullptr, it != model.end()) << key;
    if (e) {
      EXPECT_EQ(e->location, it->second.first);
      EXPECT_EQ(e->size, it->second.second);
      live += e->size;
    }
  }
  EXPECT_EQ(dir.size(), model.size());
  EXPECT_EQ(dir.live_bytes(), live);
}

}  // namespace
}  // namespace vckv::detail
