#include "vckv/storage/memory_file_system.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vckv {
namespace {

std::string read(MemoryFileSystem& fs, const std::string& path) {
  IoResult<std::string> r = fs.read_file(path);
  return r.ok() ? r.value() : "<" + r.error() + ">";
}

TEST(MemoryFileSystemTest, BehavesLikeADirectoryOfFiles) {
  MemoryFileSystem fs{SplitMix64(1)};
  ASSERT_TRUE(fs.create_dirs("d/n1").ok());
  auto f = fs.open_append("d/n1/a");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f.value()->append("hello ").ok());
  ASSERT_TRUE(f.value()->append("world").ok());
  EXPECT_EQ(f.value()->size(), 11u);
  EXPECT_EQ(read(fs, "d/n1/a"), "hello world");
  EXPECT_EQ(fs.read_range("d/n1/a", 6, 3).value(), "wor");
  EXPECT_EQ(fs.read_range("d/n1/a", 20, 3).value(), "");
  EXPECT_EQ(fs.file_size("d/n1/a").value(), 11u);
  ASSERT_TRUE(fs.rename("d/n1/a", "d/n1/b").ok());
  ASSERT_TRUE(fs.truncate("d/n1/b", 5).ok());
  EXPECT_EQ(read(fs, "d/n1/b"), "hello");
  EXPECT_EQ(fs.list_dir("d/n1").value(), (std::vector<std::string>{"b"}));
  EXPECT_EQ(fs.list_dir("d").value(), (std::vector<std::string>{}));
  ASSERT_TRUE(fs.remove("d/n1/b").ok());
  EXPECT_FALSE(fs.read_file("d/n1/b").ok());
  EXPECT_FALSE(fs.open_append("nowhere/x").ok());
  EXPECT_EQ(fs.read_file("d/n1/zz").error(), "open d/n1/zz: No such file or directory");
}

// A power loss keeps what was synced, and of the rest a prefix (possibly none, possibly all).
TEST(MemoryFileSystemTest, PowerLossKeepsSyncedBytesAndAPrefixOfTheRest) {
  std::set<std::size_t> kept_sizes;
  int lost_whole = 0;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    MemoryFileSystem fs{SplitMix64(seed)};
    ASSERT_TRUE(fs.create_dirs("d").ok());
    auto f = fs.open_append("d/log");
    ASSERT_TRUE(f.value()->append("synced|").ok());
    ASSERT_TRUE(f.value()->sync().ok());
    ASSERT_TRUE(fs.sync_dir("d").ok());
    ASSERT_TRUE(f.value()->append("not synced").ok());
    fs.crash(CrashKind::kPowerLoss);
    const std::string after = read(fs, "d/log");
    ASSERT_EQ(after, std::string("synced|not synced").substr(0, after.size())) << seed;
    ASSERT_GE(after.size(), 7u);
    kept_sizes.insert(after.size());
    if (after.size() == 7) ++lost_whole;
    // The handle belongs to the dead process.
    EXPECT_FALSE(f.value()->append("x").ok());
  }
  EXPECT_GE(lost_whole, 10);  // a third of crashes lose the unsynced bytes whole
  EXPECT_TRUE(kept_sizes.count(17));
  EXPECT_GT(kept_sizes.size(), 4u);
}

// A process crash (kill -9) loses nothing written: the page cache outlives the process.
TEST(MemoryFileSystemTest, ProcessCrashKeepsWrittenBytes) {
  MemoryFileSystem fs{SplitMix64(2)};
  ASSERT_TRUE(fs.create_dirs("d").ok());
  auto f = fs.open_append("d/log");
  ASSERT_TRUE(f.value()->append("written, never synced").ok());
  fs.crash(CrashKind::kProcess);
  EXPECT_EQ(read(fs, "d/log"), "written, never synced");
  EXPECT_EQ(fs.synced_size("d/log"), 0u);
}

// Names are durable only once their directory is synced; unsynced changes survive as a
// prefix, in the order they were made.
TEST(MemoryFileSystemTest, NamesNeedTheirDirectorySynced) {
  std::set<std::string> outcomes;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    MemoryFileSystem fs{SplitMix64(seed)};
    ASSERT_TRUE(fs.create_dirs("d").ok());
    auto a = fs.open_append("d/a");
    ASSERT_TRUE(a.value()->append("A").ok());
    ASSERT_TRUE(a.value()->sync().ok());
    ASSERT_TRUE(fs.sync_dir("d").ok());
    auto b = fs.open_append("d/b.tmp");  // change 1
    ASSERT_TRUE(b.value()->append("B").ok());
    ASSERT_TRUE(b.value()->sync().ok());
    ASSERT_TRUE(fs.rename("d/b.tmp", "d/b").ok());  // change 2
    ASSERT_TRUE(fs.remove("d/a").ok());             // change 3
    fs.crash(CrashKind::kPowerLoss);
    std::string names;
    const std::vector<std::string> listed = fs.list_dir("d").value();
    for (const std::string& n : listed) names += n + " ";
    outcomes.insert(names);
  }
  // No change; the create; create and rename; all three. Never the removal without the rename.
  EXPECT_EQ(outcomes, (std::set<std::string>{"a ", "a b.tmp ", "a b ", "b "}));
}

TEST(MemoryFileSystemTest, SyncedDirectoryChangesSurvive) {
  MemoryFileSystem fs{SplitMix64(3)};
  ASSERT_TRUE(fs.create_dirs("d").ok());
  auto b = fs.open_append("d/b.tmp");
  ASSERT_TRUE(b.value()->append("B").ok());
  ASSERT_TRUE(b.value()->sync().ok());
  ASSERT_TRUE(fs.rename("d/b.tmp", "d/b").ok());
  ASSERT_TRUE(fs.sync_dir("d").ok());
  for (int i = 0; i < 5; ++i) fs.crash(CrashKind::kPowerLoss);
  EXPECT_EQ(read(fs, "d/b"), "B");
  EXPECT_FALSE(fs.exists("d/b.tmp"));
}

// A truncation is durable once the file is synced; before, a power loss may undo it.
TEST(MemoryFileSystemTest, UnsyncedTruncationMayBeUndone) {
  std::set<std::string> outcomes;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    MemoryFileSystem fs{SplitMix64(seed)};
    ASSERT_TRUE(fs.create_dirs("d").ok());
    auto f = fs.open_append("d/log");
    ASSERT_TRUE(f.value()->append("0123456789").ok());
    ASSERT_TRUE(f.value()->sync().ok());
    ASSERT_TRUE(fs.sync_dir("d").ok());
    ASSERT_TRUE(fs.truncate("d/log", 4).ok());
    fs.crash(CrashKind::kPowerLoss);
    outcomes.insert(read(fs, "d/log"));
  }
  EXPECT_EQ(outcomes, (std::set<std::string>{"0123", "0123456789"}));
  MemoryFileSystem fs{SplitMix64(1)};
  ASSERT_TRUE(fs.create_dirs("d").ok());
  auto f = fs.open_append("d/log");
  ASSERT_TRUE(f.value()->append("0123456789").ok());
  ASSERT_TRUE(f.value()->sync().ok());
  ASSERT_TRUE(fs.sync_dir("d").ok());
  ASSERT_TRUE(fs.truncate("d/log", 4).ok());
  ASSERT_TRUE(fs.open_append("d/log").value()->sync().ok());
  for (int i = 0; i < 5; ++i) fs.crash(CrashKind::kPowerLoss);
  EXPECT_EQ(read(fs, "d/log"), "0123");
}

// Torn writes garble only bytes that were never synced.
TEST(MemoryFileSystemTest, TornWritesTouchOnlyUnsyncedBytes) {
  SimulatedDiskOptions options;
  options.torn_write_per_million = 1000000;
  int garbled = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    MemoryFileSystem fs(SplitMix64(seed), options);
    ASSERT_TRUE(fs.create_dirs("d").ok());
    auto f = fs.open_append("d/log");
    ASSERT_TRUE(f.value()->append("SYNCED").ok());
    ASSERT_TRUE(f.value()->sync().ok());
    ASSERT_TRUE(fs.sync_dir("d").ok());
    ASSERT_TRUE(f.value()->append("abcdefghijklmnopqrstuvwxyz").ok());
    fs.crash(CrashKind::kPowerLoss);
    const std::string after = read(fs, "d/log");
    ASSERT_EQ(after.substr(0, 6), "SYNCED");
    if (after.size() > 6 && after.substr(6) != std::string("abcdefghijklmnopqrstuvwxyz").substr(0, after.size() - 6)) {
      ++garbled;
    }
  }
  EXPECT_GT(garbled, 20);
}

TEST(MemoryFileSystemTest, BitFlipsChangeStoredBytes) {
  MemoryFileSystem fs{SplitMix64(4)};
  ASSERT_TRUE(fs.create_dirs("d").ok());
  auto f = fs.open_append("d/log");
  ASSERT_TRUE(f.value()->append(std::string(100, 'a')).ok());
  ASSERT_TRUE(fs.flip_bit("d/log", 10, 1));
  EXPECT_EQ(read(fs, "d/log")[10], 'a' ^ 2);
  EXPECT_FALSE(fs.flip_bit("d/log", 100, 0));
  const auto flip = fs.flip_random_bit();
  ASSERT_TRUE(flip.has_value());
  EXPECT_EQ(flip->path, "d/log");
  EXPECT_NE(read(fs, "d/log")[flip->offset], flip->offset == 10 ? 'a' ^ 2 : 'a');
}

TEST(MemoryFileSystemTest, RandomBitFlipsLandOnlyWhereAllowed) {
  MemoryFileSystem fs{SplitMix64(6)};
  ASSERT_TRUE(fs.create_dirs("d").ok());
  ASSERT_TRUE(fs.open_append("d/log").value()->append(std::string(10, 'a')).ok());
  ASSERT_TRUE(fs.open_append("d/LOCK").value()->append(std::string(1000, 'b')).ok());
  for (int i = 0; i < 50; ++i) {
    const auto flip = fs.flip_random_bit([](const std::string& path) { return path == "d/log"; });
    ASSERT_TRUE(flip.has_value());
    EXPECT_EQ(flip->path, "d/log");
  }
  EXPECT_EQ(read(fs, "d/LOCK"), std::string(1000, 'b'));
  EXPECT_FALSE(fs.flip_random_bit([](const std::string&) { return false; }).has_value());
}

// Latency comes from the options (and the generator); a simulator charges it in virtual time.
TEST(MemoryFileSystemTest, ReportsSyncLatencyAndInjectsErrors) {
  SimulatedDiskOptions options;
  options.sync_latency_min_us = 100;
  options.sync_latency_max_us = 300;
  options.slow_sync_per_million = 100000;
  options.slow_sync_factor = 50;
  MemoryFileSystem fs(SplitMix64(5), options);
  ASSERT_TRUE(fs.create_dirs("d").ok());
  auto f = fs.open_append("d/log");
  int slow = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t us = f.value()->sync().value().latency_us;
    ASSERT_GE(us, 100);
    ASSERT_LE(us, 300 * 50);
    if (us > 300) ++slow;
  }
  EXPECT_GT(slow, 50);
  EXPECT_LT(slow, 200);
  EXPECT_EQ(fs.stats().syncs, 1000u);

  SimulatedDiskOptions failing;
  failing.append_error_per_million = 1000000;
  failing.sync_error_per_million = 1000000;
  MemoryFileSystem bad(SplitMix64(6), failing);
  ASSERT_TRUE(bad.create_dirs("d").ok());
  auto g = bad.open_append("d/log");
  EXPECT_EQ(g.value()->append("abc").error(), "write d/log: Input/output error (simulated)");
  EXPECT_EQ(g.value()->sync().error(), "fdatasync d/log: Input/output error (simulated)");
  bad.set_error_rates(0, 0);
  EXPECT_TRUE(g.value()->append("def").ok());
  EXPECT_TRUE(g.value()->sync().ok());
}

TEST(MemoryFileSystemTest, LocksNameTheirHolderAndDieWithIt) {
  MemoryFileSystem fs{SplitMix64(7)};
  ASSERT_TRUE(fs.create_dirs("d").ok());
  fs.set_process_id(4242);
  auto first = fs.lock_file("d/LOCK");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(read(fs, "d/LOCK"), "4242\n");
  auto second = fs.lock_file("d/LOCK");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error(), "d/LOCK is locked by process 4242");
  first.value().reset();
  EXPECT_TRUE(fs.lock_file("d/LOCK").ok());  // released (and that one released at once)
  auto held = fs.lock_file("d/LOCK");
  ASSERT_TRUE(held.ok());
  fs.crash(CrashKind::kProcess);
  fs.set_process_id(4243);
  auto after = fs.lock_file("d/LOCK");
  ASSERT_TRUE(after.ok());
  held.value().reset();  // the dead process's handle releases nothing of the new one's
  EXPECT_FALSE(fs.lock_file("d/LOCK").ok());
}

TEST(MemoryFileSystemTest, WipeLosesEverything) {
  MemoryFileSystem fs{SplitMix64(8)};
  ASSERT_TRUE(fs.create_dirs("d/n1").ok());
  ASSERT_TRUE(fs.open_append("d/n1/log").value()->sync().ok());
  fs.wipe();
  EXPECT_FALSE(fs.list_dir("d/n1").ok());
  EXPECT_FALSE(fs.exists("d/n1/log"));
}

}  // namespace
}  // namespace vckv
