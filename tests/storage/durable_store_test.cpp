#include "vckv/storage/durable_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "crashing_file_system.hpp"
#include "storage_test_util.hpp"
#include "vckv/storage/crc32c.hpp"
#include "vckv/storage/memory_file_system.hpp"
#include "vckv/storage/posix_file_system.hpp"

namespace vckv {
namespace {

using storage_test::Change;
using storage_test::CrashingFileSystem;
using storage_test::OwnedVersion;
using storage_test::State;

const std::string kDir = "data/n1";

Change put(std::string key, std::string value, std::vector<std::uint64_t> clock) {
  return Change{Change::kKey, std::move(key), "", {OwnedVersion::clocked(std::move(value), std::move(clock))}, 0};
}
Change removed(std::string key) { return Change{Change::kKeyRemoved, std::move(key), "", {}, 0}; }
Change hint(std::string target, std::string key, std::string value) {
  return Change{Change::kHint, std::move(key), std::move(target), {OwnedVersion::clocked(std::move(value), {1})}, 0};
}
Change delivered(std::string target, std::string key) {
  return Change{Change::kHintRemoved, std::move(key), std::move(target), {}, 0};
}
Change counter(std::string key, std::uint64_t n) {
  return Change{Change::kCounter, std::move(key), "", {}, n};
}

DurableStoreOptions small_options() {
  DurableStoreOptions o;
  o.compaction_min_bytes = 1024;
  o.compaction_step_bytes = 300;
  o.compaction_whole_bytes = 0;  // incremental: a compaction spreads over turns
  o.read_chunk_bytes = 100;  // records straddle reads
  o.hash_seed = 99;
  return o;
}

struct Opened {
  DurableStore::Opened opened;
  State state;
};

// Opens kDir on fs into a fresh State.
std::unique_ptr<Opened> open_dir(FileSystem& fs, const DurableStoreOptions& options = small_options(),
                                 const std::string& dir = kDir) {
  auto o = std::make_unique<Opened>();
  o->opened = DurableStore::open(fs, dir, options, o->state);
  return o;
}

std::string files_of(FileSystem& fs, const std::string& dir = kDir) {
  std::string s;
  const std::vector<std::string> names = fs.list_dir(dir).value();
  for (const std::string& n : names) s += (s.empty() ? "" : " ") + n;
  return s;
}

void record_and_commit(DurableStore& store, const std::vector<Change>& changes) {
  for (const Change& c : changes) c.record(store);
  ASSERT_TRUE(store.commit(0).ok);
}

// What a node does end to end: logs changes, commits, and at the next start gets back each
// entry's last state, once.
TEST(DurableStoreTest, RecoversWhatWasCommitted) {
  MemoryFileSystem disk{SplitMix64(1)};
  {
    auto o = open_dir(disk);
    ASSERT_TRUE(o->opened.ok()) << o->opened.error;
    EXPECT_EQ(o->state.render(), " | |");
    record_and_commit(*o->opened.store,
                      {put("\"a\"", "1", {1, 0}), put("\"b\"", "\"x\"", {0, 1}), counter("\"b\"", 1),
                       hint("n3", "\"c\"", "[]"), put("\"a\"", "2", {2, 0}), removed("\"b\""),
                       hint("n3", "\"d\"", "{}"), delivered("n3", "\"c\"")});
  }
  disk.crash(CrashKind::kPowerLoss);
  auto o = open_dir(disk);
  ASSERT_TRUE(o->opened.ok()) << o->opened.error;
  // "b" was reaped; its dot counter stays.
  EXPECT_EQ(o->state.render(), "\"a\"=2@[2,0] | n3/\"d\"={}@[1] | \"b\":1");
  EXPECT_EQ(o->state.calls_per_entry_violations, 0);
  EXPECT_TRUE(o->opened.report.warnings.empty());
  EXPECT_TRUE(o->opened.report.errors.empty());
  EXPECT_EQ(o->opened.report.keys, 1u);
  EXPECT_EQ(files_of(disk), "LOCK log-0000000001");
}

// Versions of both kinds and tombstones come back as they went in.
TEST(DurableStoreTest, KeepsSiblingsTombstonesAndDots) {
  MemoryFileSystem disk{SplitMix64(2)};
  Change c{Change::kKey, "\"k\"", "", {OwnedVersion::clocked("\"v1\"", {1, 0}), OwnedVersion::tomb({0, 1})}, 0};
  Change d{Change::kKey, "\"d\"", "", {OwnedVersion::dotted("7", "n1", 3, {{"n1", 2}, {"n2", 5}})}, 0};
  {
    auto o = open_dir(disk);
    record_and_commit(*o->opened.store, {c, d});
  }
  auto o = open_dir(disk);
  EXPECT_EQ(o->state.render(), "\"d\"=7@n1:3{n1:2,n2:5} \"k\"=\"v1\"@[1,0] ~@[0,1] | |");
}

// Records not committed before a crash are gone; committed ones stay.
TEST(DurableStoreTest, UncommittedRecordsDieWithTheProcess) {
  MemoryFileSystem disk{SplitMix64(3)};
  {
    auto o = open_dir(disk);
    record_and_commit(*o->opened.store, {put("\"a\"", "1", {1})});
    put("\"b\"", "2", {1}).record(*o->opened.store);
    EXPECT_TRUE(o->opened.store->has_pending());
    disk.crash(CrashKind::kPowerLoss);
  }
  auto o = open_dir(disk);
  EXPECT_EQ(o->state.render(), "\"a\"=1@[1] | |");
}

// A record cut short at the end of the last log (a crash during a write) is cut off with a
// warning naming the file and the offset; the next start is clean.
TEST(DurableStoreTest, TornTailIsCutOffWithAWarning) {
  MemoryFileSystem disk{SplitMix64(4)};
  std::uint64_t good_size = 0;
  {
    auto o = open_dir(disk);
    record_and_commit(*o->opened.store, {put("\"a\"", "1", {1})});
    good_size = disk.file_size(kDir + "/log-0000000001").value();
    record_and_commit(*o->opened.store, {put("\"b\"", "2", {1})});
  }
  ASSERT_TRUE(disk.truncate(kDir + "/log-0000000001", good_size + 5).ok());
  {
    auto o = open_dir(disk);
    ASSERT_TRUE(o->opened.ok());
    EXPECT_EQ(o->state.render(), "\"a\"=1@[1] | |");
    ASSERT_EQ(o->opened.report.warnings.size(), 1u);
    EXPECT_EQ(o->opened.report.warnings[0],
              kDir + "/log-0000000001: header cut short at offset " + std::to_string(good_size) +
                  ": cut off the last 5 bytes, a write interrupted by a crash");
    EXPECT_TRUE(o->opened.report.errors.empty());
    EXPECT_EQ(disk.file_size(kDir + "/log-0000000001").value(), good_size);
    record_and_commit(*o->opened.store, {put("\"c\"", "3", {1})});
  }
  auto o = open_dir(disk);
  EXPECT_TRUE(o->opened.report.warnings.empty());
  EXPECT_EQ(o->state.render(), "\"a\"=1@[1] \"c\"=3@[1] | |");
}

// Garbage or zeros after the last good record, as a power loss leaves them, are a torn tail.
TEST(DurableStoreTest, GarbageAfterTheLastRecordIsATornTail) {
  for (const std::string& tail : {std::string(4096, '\0'), std::string("\x17\x99garbage garbage garbage")}) {
    MemoryFileSystem disk{SplitMix64(5)};
    {
      auto o = open_dir(disk);
      record_and_commit(*o->opened.store, {put("\"a\"", "1", {1})});
    }
    const std::uint64_t size = disk.file_size(kDir + "/log-0000000001").value();
    ASSERT_TRUE(disk.open_append(kDir + "/log-0000000001").value()->append(tail).ok());
    auto o = open_dir(disk);
    EXPECT_EQ(o->state.render(), "\"a\"=1@[1] | |");
    ASSERT_EQ(o->opened.report.warnings.size(), 1u);
    EXPECT_NE(o->opened.report.warnings[0].find(" at offset " + std::to_string(size) + ": cut off"),
              std::string::npos)
        << o->opened.report.warnings[0];
    EXPECT_TRUE(o->opened.report.errors.empty());
  }
}

// A damaged record before the end: what precedes it is kept, the error names file and offset,
// the file is moved aside, and the next start recovers the same state with no error.
TEST(DurableStoreTest, CorruptRecordBeforeTheEndKeepsWhatPrecedesIt) {
  MemoryFileSystem disk{SplitMix64(6)};
  std::uint64_t second_record = 0;
  {
    auto o = open_dir(disk);
    record_and_commit(*o->opened.store, {put("\"a\"", "1", {1})});
    second_record = disk.file_size(kDir + "/log-0000000001").value();
    record_and_commit(*o->opened.store, {put("\"b\"", "2", {1}), put("\"c\"", "3", {1})});
    record_and_commit(*o->opened.store, {put("\"a\"", "4", {2})});
  }
  ASSERT_TRUE(disk.flip_bit(kDir + "/log-0000000001", second_record + 12, 3));
  {
    auto o = open_dir(disk);
    ASSERT_TRUE(o->opened.ok()) << o->opened.error;
    EXPECT_EQ(o->state.render(), "\"a\"=1@[1] | |");
    EXPECT_TRUE(o->opened.report.warnings.empty());
    ASSERT_EQ(o->opened.report.errors.size(), 1u);
    const std::string& e = o->opened.report.errors[0];
    EXPECT_NE(e.find(kDir + "/log-0000000001: checksum mismatch at offset " +
                     std::to_string(second_record) + ", before the end"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("moved aside to log-0000000001.damaged"), std::string::npos) << e;
    EXPECT_TRUE(o->opened.report.lost_data());
    EXPECT_EQ(files_of(disk), "LOCK log-0000000001.damaged log-0000000002 snapshot-0000000002");
    record_and_commit(*o->opened.store, {put("\"d\"", "5", {1})});
  }
  auto o = open_dir(disk);
  EXPECT_TRUE(o->opened.report.errors.empty());
  EXPECT_TRUE(o->opened.report.warnings.empty());
  EXPECT_EQ(o->state.render(), "\"a\"=1@[1] \"d\"=5@[1] | |");
}

// A dot counter must never go back (§17): counters found after damage are kept.
TEST(DurableStoreTest, DotCountersAfterDamageAreKept) {
  MemoryFileSystem disk{SplitMix64(7)};
  std::uint64_t damaged_at = 0;
  {
    auto o = open_dir(disk);
    record_and_commit(*o->opened.store, {counter("\"a\"", 1), counter("\"b\"", 1)});
    damaged_at = disk.file_size(kDir + "/log-0000000001").value();
    record_and_commit(*o->opened.store, {put("\"a\"", "1", {1}), counter("\"a\"", 2)});
    record_and_commit(*o->opened.store, {counter("\"c\"", 7), put("\"z\"", "1", {1})});
  }
  ASSERT_TRUE(disk.flip_bit(kDir + "/log-0000000001", damaged_at + 2, 0));
  {
    auto o = open_dir(disk);
    EXPECT_EQ(o->state.render(), " | | \"a\":2 \"b\":1 \"c\":7");
    ASSERT_EQ(o->opened.report.errors.size(), 1u);
    EXPECT_NE(o->opened.report.errors[0].find("kept 2 dot counters found after it"), std::string::npos)
        << o->opened.report.errors[0];
  }
  auto o = open_dir(disk);
  EXPECT_EQ(o->state.render(), " | | \"a\":2 \"b\":1 \"c\":7");
  EXPECT_TRUE(o->opened.report.errors.empty());
}

// Compaction: when the files pass twice the live data, a snapshot replaces them, a step at a
// time, and everything comes back.
TEST(DurableStoreTest, CompactsWhenTheLogPassesTwiceTheLiveData) {
  MemoryFileSystem disk{SplitMix64(8)};
  State model;
  int steps = 0;
  int finished = 0;
  std::uint64_t largest_disk = 0;
  {
    auto o = open_dir(disk);
    DurableStore& store = *o->opened.store;
    for (int round = 0; round < 40; ++round) {
      for (int k = 0; k < 10; ++k) {
        Change c = put("\"k" + std::to_string(k) + "\"", std::to_string(round),
                       {static_cast<std::uint64_t>(round + 1)});
        c.record(store);
        c.apply(model);
      }
      ASSERT_TRUE(store.commit(0).ok);
      const std::uint64_t disk_before = store.stats().disk_bytes;
      const bool was_due = store.compaction_due() && !store.compaction_running();
      CompactionProgress p = store.compact_step();
      ASSERT_TRUE(p.error.empty()) << p.error;
      if (was_due) {
        EXPECT_GT(disk_before, 2 * store.stats().live_bytes);
      }
      if (p.running || p.finished) ++steps;
      if (p.finished) ++finished;
      largest_disk = std::max(largest_disk, store.stats().disk_bytes);
    }
    EXPECT_GE(finished, 3);
    EXPECT_GT(steps, finished);  // incremental: some took more than one turn
    // Compaction keeps up: the files stay within the trigger (twice the live data, and the
    // 1024-byte minimum) plus what a compaction's dozen turns log meanwhile (220 bytes a turn),
    // while the run writes 8.8 kB.
    EXPECT_LE(largest_disk, 2 * store.stats().live_bytes + 1024 + 12 * 220);
    EXPECT_EQ(store.stats().compactions, static_cast<std::uint64_t>(finished));
  }
  auto o = open_dir(disk);
  EXPECT_EQ(o->state.render(), model.render());
  EXPECT_EQ(o->state.calls_per_entry_violations, 0);
  const std::string files = files_of(disk);
  EXPECT_EQ(files.find("snapshot-"), files.rfind("snapshot-")) << files;  // one snapshot
}

// With nothing written meanwhile, a compaction leaves files about the size of the live data.
TEST(DurableStoreTest, CompactionLeavesTheLiveData) {
  MemoryFileSystem disk{SplitMix64(15)};
  {
    auto o = open_dir(disk);
    for (int round = 0; round < 20; ++round) {
      for (int k = 0; k < 50; ++k) {
        put("\"k" + std::to_string(k) + "\"", "\"0123456789abcd\"",
            {3, 1, 4, static_cast<std::uint64_t>(round)})
            .record(*o->opened.store);
      }
      ASSERT_TRUE(o->opened.store->commit(0).ok);
    }
  }
  auto o = open_dir(disk);
  DurableStore& store = *o->opened.store;
  EXPECT_GT(store.stats().disk_bytes, 10 * store.stats().live_bytes);
  int steps = 1;
  const std::string tmp = kDir + "/snapshot-0000000002.tmp";
  std::uint64_t on_disk = store.stats().disk_bytes;
  const std::uint64_t live = store.stats().live_bytes;
  std::uint64_t read = 0;
  for (; steps < 1000; ++steps) {
    CompactionProgress p = store.compact_step();
    read += p.bytes_read;
    // The input goes a piece at a time (16 steps' budget a step), not in one unlink.
    EXPECT_LE(on_disk, store.stats().disk_bytes + 16 * 300) << "step " << steps;
    on_disk = store.stats().disk_bytes;
    ASSERT_TRUE(p.error.empty()) << p.error;
    EXPECT_LE(p.bytes_read, 300u + 40u);  // the budget, overrun by at most one record
    if (p.finished) break;
    // A step that copies syncs what it wrote, so the sealing step's fdatasync has a step's
    // worth to write at most, not the whole snapshot. (The step that finishes the copy goes on
    // to seal and install it: no .tmp is left.)
    if (p.bytes_written > 0 && disk.exists(tmp)) {
      ASSERT_EQ(disk.synced_size(tmp), disk.file_size(tmp).value()) << "step " << steps;
    }
  }
  // The copy reads where the key directory says the live records are (the last round's, here),
  // not the 19 dead rounds before them: the live bytes, a budget a step.
  EXPECT_EQ(read, live);
  EXPECT_GT(steps, static_cast<int>(live / 340));
  const DurableStoreStats& stats = store.stats();
  EXPECT_EQ(stats.entries, 50u);
  EXPECT_LE(stats.disk_bytes, stats.live_bytes * 11 / 10) << stats.disk_bytes;
  EXPECT_EQ(files_of(disk), "LOCK log-0000000002 snapshot-0000000002");
  EXPECT_FALSE(store.compaction_due());
}

// The copy keeps a snapshot to the records still live: an entry replaced after the switch (its
// newer record is in the new log) is not copied, though the key directory's list named it.
TEST(DurableStoreTest, CompactionSkipsEntriesReplacedDuringTheCopy) {
  MemoryFileSystem disk{SplitMix64(16)};
  auto write_round = [](DurableStore& store, int round) {
    for (int k = 0; k < 50; ++k) {
      put("\"k" + std::to_string(k) + "\"", "\"0123456789abcd\"",
          {3, 1, 4, static_cast<std::uint64_t>(round)})
          .record(store);
    }
    ASSERT_TRUE(store.commit(0).ok);
  };
  {
    auto o = open_dir(disk);
    for (int round = 0; round < 20; ++round) write_round(*o->opened.store, round);
  }
  auto o = open_dir(disk);
  DurableStore& store = *o->opened.store;
  const std::uint64_t live = store.stats().live_bytes;
  CompactionProgress first = store.compact_step();  // the switch, and the copy's first budget
  ASSERT_TRUE(first.error.empty()) << first.error;
  ASSERT_FALSE(first.finished);
  ASSERT_LT(first.bytes_read, live / 4);
  write_round(store, 20);  // every key replaced in the new log before the copy reaches it
  for (int steps = 0; steps < 1000; ++steps) {
    CompactionProgress p = store.compact_step();
    ASSERT_TRUE(p.error.empty()) << p.error;
    if (p.finished) break;
  }
  EXPECT_EQ(files_of(disk), "LOCK log-0000000002 snapshot-0000000002");
  // At most what the first step copied, and the snapshot's own framing.
  EXPECT_LT(disk.file_size(kDir + "/snapshot-0000000002").value(), first.bytes_read + 100)
      << "of " << live << " live bytes before the round";
  o.reset();
  auto reopened = open_dir(disk);
  EXPECT_EQ(reopened->opened.store->stats().entries, 50u);
}

// Compaction reads the records the key directory names as live, checksums included: a bit
// flipped in one since the store opened stops the compaction with an error naming the file
// and offset, and nothing is lost (the input stays; later records still commit). A flipped bit
// in a dead record is never read: it goes with its file.
TEST(DurableStoreTest, CompactionChecksTheLiveRecordsItCopies) {
  for (const bool in_live_record : {true, false}) {
    SCOPED_TRACE(in_live_record ? "live record damaged" : "dead record damaged");
    MemoryFileSystem disk{SplitMix64(16)};
    const std::string log = kDir + "/log-0000000001";
    std::uint64_t dead_at = 0;
    std::uint64_t live_at = 0;
    auto o = open_dir(disk);
    DurableStore& store = *o->opened.store;
    for (int round = 0; round < 20; ++round) {
      if (round == 0) dead_at = disk.file_size(log).value();
      if (round == 19) live_at = disk.file_size(log).value();
      record_and_commit(store, {put("\"a\"", std::to_string(round), {static_cast<std::uint64_t>(round + 1)}),
                                put("\"b\"", "\"0123456789abcdefghij\"", {static_cast<std::uint64_t>(round + 1)})});
    }
    ASSERT_TRUE(store.compaction_due());
    const std::uint64_t at = in_live_record ? live_at : dead_at;
    ASSERT_TRUE(disk.flip_bit(log, at + 12, 1));
    std::string error;
    bool finished = false;
    for (int step = 0; step < 100 && !finished && error.empty(); ++step) {
      const CompactionProgress p = store.compact_step();
      error = p.error;
      finished = p.finished;
    }
    if (in_live_record) {
      EXPECT_NE(error.find("compaction abandoned: " + log + ": checksum mismatch at offset " +
                           std::to_string(at) + " (found by compaction)"),
                std::string::npos)
          << error;
      EXPECT_FALSE(store.compaction_due());  // until the next start rebuilds the directory
      EXPECT_NE(files_of(disk).find("log-0000000001"), std::string::npos) << files_of(disk);
      record_and_commit(store, {put("\"c\"", "1", {1})});
    } else {
      EXPECT_TRUE(error.empty()) << error;
      EXPECT_TRUE(finished);
      EXPECT_EQ(files_of(disk).find("log-0000000001"), std::string::npos) << files_of(disk);
      o.reset();
      auto again = open_dir(disk);
      EXPECT_TRUE(again->opened.report.errors.empty());
      EXPECT_TRUE(again->opened.report.warnings.empty());
      EXPECT_EQ(again->state.render(), "\"a\"=19@[20] \"b\"=\"0123456789abcdefghij\"@[20] | |");
    }
  }
}

// Under interval and never the log's dirty pages are started on their way to the disk a
// megabyte at a time (so a later fdatasync has little left to write); under batch every
// commit syncs, and nothing is started.
TEST(DurableStoreTest, UnsyncedLogIsWrittenBackAMegabyteAtATime) {
  for (const FsyncPolicy policy : {FsyncPolicy::kNever, FsyncPolicy::kInterval, FsyncPolicy::kBatch}) {
    SCOPED_TRACE(fsync_policy_name(policy));
    MemoryFileSystem disk{SplitMix64(17)};
    DurableStoreOptions options = small_options();
    options.fsync = policy;
    options.fsync_interval_ms = 1000000;
    options.compaction_min_bytes = std::uint64_t{1} << 40;  // no compaction, no sync from it
    auto o = open_dir(disk, options);
    DurableStore& store = *o->opened.store;
    const std::string value = "\"" + std::string(1000, 'v') + "\"";
    for (int i = 0; i < 3500; ++i) {  // about 3.5 MB, 35 records a commit
      put("\"k" + std::to_string(i % 100) + "\"", value, {static_cast<std::uint64_t>(i + 1)})
          .record(store);
      if (i % 35 == 34) {
        ASSERT_TRUE(store.commit(0).ok);
      }
    }
    EXPECT_EQ(disk.stats().writebacks, policy == FsyncPolicy::kBatch ? 0u : 3u);
  }
}

// A small store compacts in the step that finds it due: every phase in one step, so no turn's
// records land in the new log first, and the files left are the live records and two file
// headers and the snapshot's end. Syncs: log M's header, the directory at the switch, the
// snapshot at the seal, the directory at the install (the copy's own sync is the seal's).
TEST(DurableStoreTest, WholeCompactionIsOneStepAndLeavesTheLiveData) {
  MemoryFileSystem disk{SplitMix64(21)};
  DurableStoreOptions options = small_options();
  options.compaction_whole_bytes = 1 << 20;
  auto o = open_dir(disk, options);
  DurableStore& store = *o->opened.store;
  State model;
  int finished = 0;
  for (int round = 0; round < 60; ++round) {
    for (int k = 0; k < 10; ++k) {
      Change c = put("\"k" + std::to_string(k) + "\"", std::to_string(round),
                     {static_cast<std::uint64_t>(round + 1)});
      c.record(store);
      c.apply(model);
    }
    ASSERT_TRUE(store.commit(0).ok);
    const bool due = store.compaction_due();
    const std::uint64_t syncs_before = disk.stats().syncs + disk.stats().dir_syncs;
    CompactionProgress p = store.compact_step();
    ASSERT_TRUE(p.error.empty()) << p.error;
    EXPECT_FALSE(p.running) << "round " << round;
    EXPECT_EQ(p.finished, due) << "round " << round;
    if (!p.finished) continue;
    ++finished;
    EXPECT_EQ(disk.stats().syncs + disk.stats().dir_syncs - syncs_before, 4u) << "round " << round;
    std::string overhead;
    append_file_header(overhead, FileKind::kLog, 1);
    append_file_header(overhead, FileKind::kSnapshot, 1);
    append_snapshot_end(overhead, 10);
    EXPECT_EQ(store.stats().disk_bytes, store.stats().live_bytes + overhead.size())
        << "round " << round;
    const std::string files = files_of(disk);
    EXPECT_EQ(files.find("log-"), files.rfind("log-")) << files;
    EXPECT_EQ(files.find(".tmp"), std::string::npos) << files;
  }
  EXPECT_GE(finished, 5);
  auto reopened = [&] {
    o.reset();
    return open_dir(disk, options);
  }();
  EXPECT_EQ(reopened->state.render(), model.render());
}

// A small store's turn: four puts over 40 keys (about 170 bytes; about 1 KB live in all),
// the commit and a compaction step.
CompactionProgress small_store_turn(DurableStore& store, State& model, int round) {
  for (int i = 0; i < 4; ++i) {
    const int k = (round * 4 + i) % 40;
    Change c = put("\"k" + std::to_string(k) + "\"", std::to_string(round),
                   {static_cast<std::uint64_t>(round + 1)});
    c.record(store);
    c.apply(model);
  }
  EXPECT_TRUE(store.commit(0).ok);
  CompactionProgress p = store.compact_step();
  EXPECT_TRUE(p.error.empty()) << p.error;
  return p;
}

// Within 1.5x of the live data after a compaction.
void expect_compact(const DurableStore& store, int round) {
  const DurableStoreStats& stats = store.stats();
  EXPECT_LE(stats.disk_bytes * 2, stats.live_bytes * 3)
      << "round " << round << ": " << stats.disk_bytes << " on disk, " << stats.live_bytes
      << " live";
}

// A busy store too big for a whole compaction: each step copies eight times what its turn
// logged (plus the fixed budget), so the log written while a compaction runs stays near a
// quarter of the live data and the files it leaves within 1.5x of it, even when every turn
// logs more than the fixed budget.
TEST(DurableStoreTest, IncrementalCompactionKeepsUpWithABusyLog) {
  MemoryFileSystem disk{SplitMix64(22)};
  DurableStoreOptions options = small_options();
  options.compaction_min_bytes = 4096;
  auto o = open_dir(disk, options);
  DurableStore& store = *o->opened.store;
  State model;
  int finished = 0;
  int round = 0;
  for (; round < 400 && finished < 4; ++round) {
    for (int i = 0; i < 12; ++i) {  // about 500 bytes a turn against a 300-byte budget
      const int k = (round * 12 + i) % 300;
      Change c = put("\"k" + std::to_string(k) + "\"", std::to_string(round),
                     {static_cast<std::uint64_t>(round + 1)});
      c.record(store);
      c.apply(model);
    }
    ASSERT_TRUE(store.commit(0).ok);
    CompactionProgress p = store.compact_step();
    ASSERT_TRUE(p.error.empty()) << p.error;
    if (!p.finished) continue;
    ++finished;
    expect_compact(store, round);
  }
  EXPECT_EQ(finished, 4);
  o.reset();
  auto reopened = open_dir(disk, options);
  EXPECT_EQ(reopened->state.render(), model.render());
}

// A small store under a large floor: the compaction's input is the floor, many times the live
// data, and copying it at eight times the turn's logging would let the log written meanwhile
// grow to several times the live data. Each step's copy is scaled to the input against the
// live data, so the files a compaction leaves stay within 1.5x of the live data here too.
TEST(DurableStoreTest, AFloorManyTimesTheLiveDataIsCopiedFastEnough) {
  MemoryFileSystem disk{SplitMix64(23)};
  DurableStoreOptions options = small_options();  // incremental: no whole compactions
  options.compaction_min_bytes = 64 << 10;        // about sixty times the live data
  auto o = open_dir(disk, options);
  State model;
  int finished = 0;
  for (int round = 0; round < 4000 && finished < 3 && !HasFailure(); ++round) {
    if (!small_store_turn(*o->opened.store, model, round).finished) continue;
    ++finished;
    expect_compact(*o->opened.store, round);
  }
  EXPECT_EQ(finished, 3);
  o.reset();
  EXPECT_EQ(open_dir(disk, options)->state.render(), model.render());
}

// The same small store with whole compactions allowed (live data at most half of
// compaction_whole_bytes): an input of the floor, eight times compaction_whole_bytes, is
// still compacted within the step that starts it, leaving the live records alone.
TEST(DurableStoreTest, ASmallStoreIsCompactedWholeWhateverTheFloor) {
  MemoryFileSystem disk{SplitMix64(24)};
  DurableStoreOptions options = small_options();
  options.compaction_min_bytes = 64 << 10;
  options.compaction_whole_bytes = 8 << 10;
  auto o = open_dir(disk, options);
  DurableStore& store = *o->opened.store;
  State model;
  int finished = 0;
  for (int round = 0; round < 4000 && finished < 3 && !HasFailure(); ++round) {
    const CompactionProgress p = small_store_turn(store, model, round);
    ASSERT_FALSE(store.compaction_running()) << "round " << round << ": spread over turns";
    if (!p.finished) continue;
    ++finished;
    EXPECT_LE(store.stats().disk_bytes, store.stats().live_bytes + 200)  // and two headers
        << "round " << round;
  }
  EXPECT_EQ(finished, 3);
  o.reset();
  EXPECT_EQ(open_dir(disk, options)->state.render(), model.render());
}

// compaction_max_step_bytes bounds both: with it below the floor, the small store above is
// compacted over several turns, none of whose steps reads more than the cap plus a window.
TEST(DurableStoreTest, NoStepReadsMoreThanTheCapWhateverTheFloor) {
  MemoryFileSystem disk{SplitMix64(25)};
  DurableStoreOptions options = small_options();
  options.compaction_min_bytes = 64 << 10;
  options.compaction_whole_bytes = 8 << 10;
  options.compaction_max_step_bytes = 8 << 10;
  auto o = open_dir(disk, options);
  DurableStore& store = *o->opened.store;
  State model;
  int finished = 0;
  int spread = 0;  // steps that left a compaction running
  for (int round = 0; round < 4000 && finished < 2 && !HasFailure(); ++round) {
    const CompactionProgress p = small_store_turn(store, model, round);
    EXPECT_LE(p.bytes_read, options.compaction_max_step_bytes + 4096) << "round " << round;
    if (store.compaction_running()) ++spread;
    if (p.finished) ++finished;
  }
  EXPECT_EQ(finished, 2);
  EXPECT_GE(spread, 2 * 7);  // 64 KiB and more of input, 8 KiB a step
  o.reset();
  EXPECT_EQ(open_dir(disk, options)->state.render(), model.render());
}

// Removals, hints and counters made while a compaction runs come back exactly, and so does
// everything after a restart in the middle of one.
TEST(DurableStoreTest, CompactionIsExactWhileChangesContinue) {
  for (std::uint64_t seed = 0; seed < storage_test::seed_count(20); ++seed) {
    MemoryFileSystem disk{SplitMix64(seed)};
    SplitMix64 random(seed + 100);
    State model;
    std::map<std::string, std::uint64_t> counters;
    for (int life = 0; life < 3; ++life) {
      auto o = open_dir(disk);
      ASSERT_TRUE(o->opened.ok()) << o->opened.error;
      ASSERT_EQ(o->state.render(), model.render()) << "seed " << seed << " life " << life;
      DurableStore& store = *o->opened.store;
      for (int turn = 0; turn < 60; ++turn) {
        for (int i = 0; i < 4; ++i) {
          const std::string key = "\"" + std::to_string(random() % 12) + "\"";
          Change c = put(key, std::to_string(turn), {random() % 9});
          switch (random() % 6) {
            case 0: c = removed(key); break;
            case 1: c = hint("n" + std::to_string(random() % 3), key, std::to_string(turn)); break;
            case 2: c = delivered("n" + std::to_string(random() % 3), key); break;
            case 3: c = counter(key, ++counters[key]); break;
            default: break;
          }
          c.record(store);
          c.apply(model);
        }
        ASSERT_TRUE(store.commit(0).ok);
        ASSERT_TRUE(store.compact_step().error.empty());
      }
      disk.crash(CrashKind::kPowerLoss);
    }
    auto o = open_dir(disk);
    EXPECT_EQ(o->state.render(), model.render()) << "seed " << seed;
  }
}

// Crash at every I/O call of a run that compacts twice, incremental and whole (every phase in
// one step): whatever was committed comes back, nothing that was not, and at most a prefix of
// the commit the crash interrupted.
TEST(DurableStoreTest, CrashAtEveryStepOfCompaction) {
  for (const std::uint64_t whole : {std::uint64_t{0}, std::uint64_t{1} << 20}) {
  for (const std::size_t list_entries : {std::size_t{0}, std::size_t{65536}}) {  // scan, list
    SCOPED_TRACE(list_entries == 0 ? "copy by scanning the input" : "copy from the directory's list");
    DurableStoreOptions options = small_options();
    options.compaction_whole_bytes = whole;
    options.compaction_list_entries = list_entries;
    auto run = [&options](FileSystem& fs, std::vector<Change>& recorded, std::size_t& durable,
                          std::size_t& attempted) -> std::uint64_t {
      auto o = open_dir(fs, options);
      if (!o->opened.ok()) return 0;
      DurableStore& store = *o->opened.store;
      for (int turn = 0; turn < 50; ++turn) {
        for (int i = 0; i < 3; ++i) {
          Change c = put("\"k" + std::to_string((turn * 3 + i) % 7) + "\"", std::to_string(turn),
                         {static_cast<std::uint64_t>(turn)});
          if (i == 2 && turn % 4 == 0) c = removed(c.key);
          c.record(store);
          recorded.push_back(c);
        }
        attempted = recorded.size();
        if (!store.commit(0).ok) break;
        durable = recorded.size();
        store.compact_step();
        if (store.failed()) break;
      }
      return store.stats().compactions;
    };
    // A run without a crash, to count the calls.
    MemoryFileSystem dry{SplitMix64(0)};
    CrashingFileSystem counting(dry, std::numeric_limits<std::uint64_t>::max());
    std::vector<Change> all;
    std::size_t durable = 0;
    std::size_t attempted = 0;
    ASSERT_GE(run(counting, all, durable, attempted), 2u) << "whole " << whole;
    const std::uint64_t calls = counting.changes();
    ASSERT_GT(calls, 80u);
    for (std::uint64_t die_at = 0; die_at <= calls; ++die_at) {
      for (CrashKind kind : {CrashKind::kProcess, CrashKind::kPowerLoss}) {
        SimulatedDiskOptions disk_options;
        disk_options.torn_write_per_million = 300000;
        MemoryFileSystem disk(SplitMix64(die_at), disk_options);
        std::vector<Change> recorded;
        durable = attempted = 0;
        {
          CrashingFileSystem dying(disk, die_at);
          run(dying, recorded, durable, attempted);
        }
        disk.crash(kind);
        auto o = open_dir(disk, options);
        ASSERT_TRUE(o->opened.ok()) << o->opened.error;
        const std::string wrong =
            storage_test::check_recovered(State(), recorded, durable, attempted, o->state);
        ASSERT_TRUE(wrong.empty()) << "whole " << whole << ", died at call " << die_at << ": "
                                   << wrong;
      }
    }
  }
  }
}

// The property: random changes, commits, compaction steps, and crashes of every kind at random
// points (between calls, inside a call, with torn writes), life after life. What comes back is
// always the state of the last durable commit, plus at most a prefix of the one interrupted:
// never a phantom, never a missing committed change.
TEST(DurableStoreTest, RandomRunsRecoverTheLastDurableCommit) {
  for (std::uint64_t seed = 1; seed <= storage_test::seed_count(60); ++seed) {
    SimulatedDiskOptions disk_options;
    disk_options.torn_write_per_million = 200000;
    MemoryFileSystem disk(SplitMix64(seed), disk_options);
    SplitMix64 random(seed * 7919);
    DurableStoreOptions options = small_options();
    options.compaction_min_bytes = 512 + random() % 2048;
    options.compaction_step_bytes = 64 + random() % 512;
    options.compaction_list_entries = seed % 2 == 0 ? 65536 : 0;  // list or scan
    options.compaction_whole_bytes = random() % 3 == 0 ? 4096 : 0;
    std::vector<Change> recorded;  // since the state the last recovery gave
    State base;                    // that state
    std::map<std::string, std::uint64_t> counters;
    for (int life = 0; life < 6; ++life) {
      std::size_t durable = 0;
      std::size_t attempted = 0;
      {
        const bool dies_inside = random() % 2 == 0;
        CrashingFileSystem fs(disk, dies_inside ? random() % 200 : std::numeric_limits<std::uint64_t>::max());
        auto o = open_dir(fs, options);
        if (o->opened.ok()) {
          DurableStore& store = *o->opened.store;
          const int turns = static_cast<int>(random() % 80);
          for (int turn = 0; turn < turns; ++turn) {
            const int n = static_cast<int>(random() % 5);
            for (int i = 0; i < n; ++i) {
              const std::string key = std::to_string(random() % 20);
              Change c = put(key, "\"" + std::string(random() % 30, 'v') + "\"",
                             {random() % 5, random() % 5});
              switch (random() % 8) {
                case 0: c = removed(key); break;
                case 1: c = hint("n2", key, "1"); break;
                case 2: c = delivered("n2", key); break;
                case 3: c = counter(key, ++counters[key]); break;
                default: break;
              }
              c.record(store);
              recorded.push_back(c);
            }
            if (random() % 4 == 0) continue;  // no commit this turn: the records wait
            attempted = recorded.size();
            if (!store.commit(static_cast<std::int64_t>(turn)).ok) break;
            durable = recorded.size();
            store.compact_step();
            if (store.failed()) break;
          }
        }
      }
      const std::string before_crash = files_of(disk);
      const std::vector<std::string> crash =
          disk.crash(random() % 3 == 0 ? CrashKind::kProcess : CrashKind::kPowerLoss);
      const std::string after_crash = files_of(disk);
      auto o = open_dir(disk, options);
      ASSERT_TRUE(o->opened.ok()) << o->opened.error;
      std::string trace = "files before the crash: " + before_crash + "\nafter: " + after_crash;
      for (const std::string& line : crash) trace += "\n  crash: " + line;
      for (const std::string& line : o->opened.report.warnings) trace += "\n  warning: " + line;
      for (const std::string& line : o->opened.report.errors) trace += "\n  error: " + line;
      const std::string wrong =
          storage_test::check_recovered(base, recorded, durable, attempted, o->state);
      ASSERT_TRUE(wrong.empty()) << "seed " << seed << " life " << life << "\n" << wrong << "\n"
                                 << trace;
      // Counters never go back, even for what was lost.
      for (const auto& [key, n] : o->state.counters) counters[key] = std::max(counters[key], n);
      base = o->state;
      base.calls_per_entry_violations = 0;
      recorded.clear();
      o.reset();
      disk.crash(CrashKind::kProcess);
    }
  }
}

// A flipped bit anywhere in the files is never silent, and never brings back anything the key
// did not hold at some time (no phantom).
TEST(DurableStoreTest, BitFlipsAreReportedNeverSilent) {
  int reported = 0;
  for (std::uint64_t seed = 1; seed <= storage_test::seed_count(150); ++seed) {
    MemoryFileSystem disk{SplitMix64(seed)};
    SplitMix64 random(seed);
    std::map<std::string, std::set<std::string>> history;  // key -> every state it had
    {
      auto o = open_dir(disk);
      DurableStore& store = *o->opened.store;
      for (int turn = 0; turn < 50; ++turn) {
        const std::string key = std::to_string(random() % 8);
        Change c = random() % 5 == 0 ? removed(key) : put(key, std::to_string(turn), {1});
        c.record(store);
        history[key].insert(c.kind == Change::kKeyRemoved ? "" : storage_test::describe(c.versions));
        ASSERT_TRUE(store.commit(0).ok);
        ASSERT_TRUE(store.compact_step().error.empty());
      }
    }
    // A bit of a log or snapshot (not the lock file).
    std::vector<std::string> names;
    const std::vector<std::string> all = disk.list_dir(kDir).value();
    for (const std::string& n : all) {
      if (n != "LOCK") names.push_back(n);
    }
    const std::string victim = kDir + "/" + names[random() % names.size()];
    const std::uint64_t size = disk.file_size(victim).value();
    ASSERT_TRUE(disk.flip_bit(victim, random() % size, static_cast<int>(random() % 8)));
    auto o = open_dir(disk);
    ASSERT_TRUE(o->opened.ok()) << o->opened.error;
    const RecoveryReport& r = o->opened.report;
    ASSERT_FALSE(r.warnings.empty() && r.errors.empty()) << "seed " << seed << ": silent";
    if (!r.errors.empty()) ++reported;
    for (const auto& [key, value] : o->state.keys) {
      EXPECT_TRUE(history[key].count(value)) << "seed " << seed << ": phantom " << key << "=" << value;
    }
    // The next start agrees and is clean.
    State first = o->state;
    o.reset();
    auto again = open_dir(disk);
    EXPECT_EQ(again->state.render(), first.render());
    EXPECT_TRUE(again->opened.report.errors.empty());
  }
  EXPECT_GT(reported, static_cast<int>(storage_test::seed_count(150) / 3));
}

// A process that died after creating its log and before syncing the directory leaves a name a
// power loss can still take. The next process makes it durable before acknowledging anything.
TEST(DurableStoreTest, RecoveryMakesNamesLeftUnsyncedDurable) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    MemoryFileSystem disk{SplitMix64(seed)};
    {
      // The first open's changing calls: create the log (0), its header (1), sync (2), then
      // the directory sync (3), where this process dies.
      CrashingFileSystem dying(disk, 3);
      EXPECT_FALSE(open_dir(dying)->opened.ok());
    }
    disk.crash(CrashKind::kProcess);
    {
      auto o = open_dir(disk);
      ASSERT_TRUE(o->opened.ok()) << o->opened.error;
      record_and_commit(*o->opened.store, {put("\"a\"", "1", {1})});
    }
    disk.crash(CrashKind::kPowerLoss);
    EXPECT_EQ(open_dir(disk)->state.render(), "\"a\"=1@[1] | |") << "seed " << seed;
  }
}

// What recovery hands the node is on disk: records a killed process wrote without syncing are
// synced before open returns, so a power loss later cannot take back what the node has seen.
TEST(DurableStoreTest, RecoveredStateIsOnDisk) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    MemoryFileSystem disk{SplitMix64(seed)};
    DurableStoreOptions never = small_options();
    never.fsync = FsyncPolicy::kNever;
    {
      auto o = open_dir(disk, never);
      record_and_commit(*o->opened.store, {put("\"a\"", "1", {1}), put("\"b\"", "2", {1})});
    }
    disk.crash(CrashKind::kProcess);  // written, not synced: still in the page cache
    std::string seen;
    {
      auto o = open_dir(disk, never);
      seen = o->state.render();
      EXPECT_EQ(seen, "\"a\"=1@[1] \"b\"=2@[1] | |");
    }
    disk.crash(CrashKind::kPowerLoss);
    EXPECT_EQ(open_dir(disk, never)->state.render(), seen) << "seed " << seed;
  }
  // The same when the unsynced records are not in the last log: a compaction had created its
  // new log and not yet switched to it (synced the current one) when the process was killed
  // inside the step.
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    DurableStoreOptions never = small_options();
    never.fsync = FsyncPolicy::kNever;
    const std::string log1 = kDir + "/log-0000000001";
    auto run = [&](MemoryFileSystem& disk, std::uint64_t die_at) {
      CrashingFileSystem fs(disk, die_at);
      auto o = open_dir(fs, never);
      DurableStore& store = *o->opened.store;
      for (int k = 0; k < 60; ++k) put("\"k" + std::to_string(k % 5) + "\"", std::to_string(k), {1}).record(store);
      EXPECT_TRUE(store.commit(0).ok);
      EXPECT_TRUE(store.compaction_due());
      const std::uint64_t before_step = fs.changes();
      store.compact_step();
      return before_step;
    };
    MemoryFileSystem counting{SplitMix64(seed)};
    const std::uint64_t first = run(counting, std::numeric_limits<std::uint64_t>::max());
    std::unique_ptr<MemoryFileSystem> disk;
    for (std::uint64_t die_at = first; die_at < first + 12 && !disk; ++die_at) {
      auto d = std::make_unique<MemoryFileSystem>(SplitMix64(seed));
      run(*d, die_at);
      if (d->exists(kDir + "/log-0000000002") && d->synced_size(log1) < d->file_size(log1).value()) {
        disk = std::move(d);
      }
    }
    ASSERT_TRUE(disk) << "no crash point leaves log 2 created and log 1 unsynced";
    disk->crash(CrashKind::kProcess);
    std::string seen;
    {
      auto o = open_dir(*disk, never);
      seen = o->state.render();
      EXPECT_EQ(seen, "\"k0\"=55@[1] \"k1\"=56@[1] \"k2\"=57@[1] \"k3\"=58@[1] \"k4\"=59@[1] | |");
    }
    disk->crash(CrashKind::kPowerLoss);
    EXPECT_EQ(open_dir(*disk, never)->state.render(), seen) << "seed " << seed;
  }
}

// A snapshot is whole only with its end record: one without it is damaged (it was synced whole
// before it was renamed into place), its records are kept, and it is moved aside.
TEST(DurableStoreTest, ASnapshotWithoutItsEndIsDamaged) {
  MemoryFileSystem disk{SplitMix64(16)};
  {
    auto o = open_dir(disk);
    DurableStore& store = *o->opened.store;
    for (int round = 0; round < 30; ++round) {
      for (int k = 0; k < 10; ++k) put("\"k" + std::to_string(k) + "\"", std::to_string(round), {1}).record(store);
      ASSERT_TRUE(store.commit(0).ok);
      if (store.compact_step().finished) break;
    }
    ASSERT_EQ(store.stats().compactions, 1u);
  }
  const std::string snapshot = kDir + "/snapshot-0000000002";
  const std::uint64_t size = disk.file_size(snapshot).value();
  // The end record: 9 bytes of header and a one-byte count.
  ASSERT_EQ(disk.read_range(snapshot, size - 10, 10).value()[8], static_cast<char>(RecordType::kSnapshotEnd));
  ASSERT_TRUE(disk.truncate(snapshot, size - 10).ok());
  auto o = open_dir(disk);
  ASSERT_EQ(o->opened.report.errors.size(), 1u);
  EXPECT_NE(o->opened.report.errors[0].find(snapshot + ": no snapshot end: the snapshot is incomplete"),
            std::string::npos)
      << o->opened.report.errors[0];
  EXPECT_EQ(o->state.keys.size(), 10u);
  EXPECT_TRUE(disk.exists(snapshot + ".damaged"));
  o.reset();
  auto again = open_dir(disk);
  EXPECT_TRUE(again->opened.report.errors.empty());
  EXPECT_EQ(again->state.keys.size(), 10u);
}

// Crashes that tear nothing (every unsynced byte kept or lost, never garbled) never look like
// damage, under every --fsync policy, and what comes back is always a prefix of what was
// recorded: never a phantom. (Rotated logs are synced, so only the last one can end torn.)
TEST(DurableStoreTest, CleanCrashesAreNeverDamage) {
  for (std::uint64_t seed = 1; seed <= storage_test::seed_count(60); ++seed) {
    MemoryFileSystem disk{SplitMix64(seed)};
    SplitMix64 random(seed * 31);
    DurableStoreOptions options = small_options();
    options.fsync = static_cast<FsyncPolicy>(seed % 3);
    options.fsync_interval_ms = 5;
    options.compaction_step_bytes = 64 + random() % 512;
    options.compaction_whole_bytes = random() % 3 == 0 ? 4096 : 0;
    State base;
    for (int life = 0; life < 5; ++life) {
      std::vector<Change> recorded;
      std::size_t durable = 0;
      std::size_t attempted = 0;
      {
        auto o = open_dir(disk, options);
        ASSERT_TRUE(o->opened.ok()) << o->opened.error;
        DurableStore& store = *o->opened.store;
        const int turns = static_cast<int>(random() % 100);
        for (int turn = 0; turn < turns; ++turn) {
          for (int i = static_cast<int>(random() % 4); i > 0; --i) {
            const std::string key = std::to_string(random() % 15);
            Change c = random() % 6 == 0 ? removed(key) : put(key, std::to_string(turn), {random() % 4});
            c.record(store);
            recorded.push_back(c);
          }
          attempted = recorded.size();
          const CommitResult r = store.commit(turn);
          ASSERT_TRUE(r.ok);
          if (r.synced) durable = recorded.size();
          ASSERT_TRUE(store.compact_step().error.empty());
        }
      }
      disk.crash(CrashKind::kPowerLoss);
      auto o = open_dir(disk, options);
      ASSERT_TRUE(o->opened.ok()) << o->opened.error;
      ASSERT_TRUE(o->opened.report.errors.empty()) << "seed " << seed << ": " << o->opened.report.errors[0];
      const std::string wrong = storage_test::check_recovered(base, recorded, durable, attempted, o->state);
      ASSERT_TRUE(wrong.empty()) << "seed " << seed << " life " << life << " (" << fsync_policy_name(options.fsync)
                                 << ")\n" << wrong;
      base = o->state;
    }
  }
}

TEST(DurableStoreTest, RecordsOfAnUnknownTypeRefuseToOpen) {
  MemoryFileSystem disk{SplitMix64(9)};
  {
    auto o = open_dir(disk);
    record_and_commit(*o->opened.store, {put("\"a\"", "1", {1})});
  }
  // A record of type 9 with a good checksum: written by a newer version.
  std::string record;
  append_key_removed(record, "\"a\"");
  record[8] = 9;
  const std::uint32_t crc = crc32c(std::string_view(record).substr(4));
  for (int i = 0; i < 4; ++i) record[i] = static_cast<char>(crc >> (8 * i));
  ASSERT_TRUE(disk.open_append(kDir + "/log-0000000001").value()->append(record).ok());
  const std::string before = disk.read_file(kDir + "/log-0000000001").value();
  auto o = open_dir(disk);
  ASSERT_FALSE(o->opened.ok());
  EXPECT_NE(o->opened.error.find("unknown record type (9): written by a newer vclock-kv?"), std::string::npos)
      << o->opened.error;
  EXPECT_EQ(disk.read_file(kDir + "/log-0000000001").value(), before);
}

TEST(DurableStoreTest, ASecondOpenIsRefusedNamingTheHolder) {
  MemoryFileSystem disk{SplitMix64(10)};
  disk.set_process_id(777);
  auto first = open_dir(disk);
  ASSERT_TRUE(first->opened.ok());
  auto second = open_dir(disk);
  ASSERT_FALSE(second->opened.ok());
  EXPECT_EQ(second->opened.error, "data directory data/n1 is in use by another node: "
                                  "data/n1/LOCK is locked by process 777");
  first.reset();
  EXPECT_TRUE(open_dir(disk)->opened.ok());
}

TEST(DurableStoreTest, FsyncPolicies) {
  const std::vector<Change> one{put("\"a\"", "1", {1})};
  {
    MemoryFileSystem disk{SplitMix64(11)};
    auto o = open_dir(disk);
    DurableStore& s = *o->opened.store;
    const std::uint64_t syncs = disk.stats().syncs;
    for (const Change& c : one) c.record(s);
    CommitResult r = s.commit(0);
    EXPECT_TRUE(r.ok && r.synced);
    EXPECT_EQ(disk.stats().syncs, syncs + 1);
    r = s.commit(1);  // nothing new: no sync
    EXPECT_EQ(disk.stats().syncs, syncs + 1);
    EXPECT_EQ(s.sync_due_ms(), std::nullopt);
  }
  {
    MemoryFileSystem disk{SplitMix64(12)};
    DurableStoreOptions options = small_options();
    options.fsync = FsyncPolicy::kInterval;
    options.fsync_interval_ms = 1000;
    auto o = open_dir(disk, options);
    DurableStore& s = *o->opened.store;
    for (const Change& c : one) c.record(s);
    CommitResult r = s.commit(5000);
    EXPECT_TRUE(r.ok);
    EXPECT_FALSE(r.synced);
    EXPECT_EQ(r.bytes_written, s.stats().bytes_logged);
    EXPECT_EQ(s.sync_due_ms(), 6000);
    EXPECT_FALSE(s.commit(5999).synced);
    for (const Change& c : one) c.record(s);
    EXPECT_FALSE(s.commit(5999).synced);
    EXPECT_EQ(s.sync_due_ms(), 6000);  // still the first unsynced byte's interval
    EXPECT_TRUE(s.commit(6000).synced);
    EXPECT_EQ(s.sync_due_ms(), std::nullopt);
  }
  {
    MemoryFileSystem disk{SplitMix64(13)};
    DurableStoreOptions options = small_options();
    options.fsync = FsyncPolicy::kNever;
    auto o = open_dir(disk, options);
    DurableStore& s = *o->opened.store;
    const std::uint64_t syncs = disk.stats().syncs;
    for (const Change& c : one) c.record(s);
    EXPECT_FALSE(s.commit(1000000).synced);
    EXPECT_EQ(disk.stats().syncs, syncs);
    EXPECT_EQ(s.sync_due_ms(), std::nullopt);
    disk.crash(CrashKind::kProcess);  // written: survives a kill
    auto after = open_dir(disk, options);
    EXPECT_EQ(after->state.render(), "\"a\"=1@[1] | |");
  }
  EXPECT_EQ(parse_fsync_policy("interval"), FsyncPolicy::kInterval);
  EXPECT_EQ(parse_fsync_policy("always"), std::nullopt);
  EXPECT_STREQ(fsync_policy_name(FsyncPolicy::kNever), "never");
}

// After a failed fdatasync nothing more is acknowledged: the kernel may have dropped the pages,
// so a retry would prove nothing. The store is failed and says why.
TEST(DurableStoreTest, AFailedSyncFailsTheStore) {
  MemoryFileSystem disk{SplitMix64(14)};
  // Opening makes 4 changing calls (create the log, its header, sync, directory sync); the
  // first commit's append is call 4 and its sync call 5.
  CrashingFileSystem fs(disk, 5);
  auto o = open_dir(fs);
  ASSERT_TRUE(o->opened.ok());
  DurableStore& s = *o->opened.store;
  put("\"a\"", "1", {1}).record(s);
  CommitResult r = s.commit(0);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(s.failed());
  EXPECT_EQ(r.error, "the process died here (test)");
  put("\"b\"", "1", {1}).record(s);
  EXPECT_FALSE(s.has_pending());
  EXPECT_FALSE(s.commit(1).ok);
  EXPECT_FALSE(s.compact_step().running);

  MemoryFileSystem disk2{SplitMix64(15)};
  auto o2 = open_dir(disk2);
  disk2.crash(CrashKind::kProcess);  // the store's handles die with their process
  put("\"a\"", "1", {1}).record(*o2->opened.store);
  EXPECT_EQ(o2->opened.store->commit(0).error, "write data/n1/log-0000000001: process is dead (simulated)");
}

TEST(DurableStoreTest, NodeDirectoriesStayInsideTheDataDir) {
  EXPECT_EQ(node_data_dir("/var/vckv/", "n1").value(), "/var/vckv/n1");
  EXPECT_EQ(node_data_dir("d", "n 1").value(), "d/n 1");
  EXPECT_FALSE(node_data_dir("d", "..").ok());
  EXPECT_FALSE(node_data_dir("d", "a/b").ok());
  EXPECT_FALSE(node_data_dir("d", "").ok());
  EXPECT_FALSE(node_data_dir("", "n1").ok());
}

// On real files: the same round trip, and the lock refuses a second node with the holder's pid.
TEST(DurableStoreTest, WorksOnRealFiles) {
  std::string pattern = (std::filesystem::temp_directory_path() / "vckv-store-XXXXXX").string();
  const std::string tmp = ::mkdtemp(pattern.data());
  PosixFileSystem fs;
  const std::string dir = tmp + "/n1";
  {
    auto o = open_dir(fs, small_options(), dir);
    ASSERT_TRUE(o->opened.ok()) << o->opened.error;
    auto second = open_dir(fs, small_options(), dir);
    ASSERT_FALSE(second->opened.ok());
    EXPECT_EQ(second->opened.error, "data directory " + dir + " is in use by another node: " + dir +
                                        "/LOCK is locked by process " + std::to_string(::getpid()));
    for (int round = 0; round < 30; ++round) {
      for (int k = 0; k < 10; ++k) put("\"k" + std::to_string(k) + "\"", std::to_string(round), {1}).record(*o->opened.store);
      ASSERT_TRUE(o->opened.store->commit(0).synced);
      ASSERT_TRUE(o->opened.store->compact_step().error.empty());
    }
    EXPECT_GE(o->opened.store->stats().compactions, 1u);
  }
  auto o = open_dir(fs, small_options(), dir);
  ASSERT_TRUE(o->opened.ok()) << o->opened.error;
  EXPECT_EQ(o->state.keys.size(), 10u);
  EXPECT_EQ(o->state.keys["\"k3\""], "29@[1]");
  o.reset();
  std::error_code ec;
  std::filesystem::remove_all(tmp, ec);
}

}  // namespace
}  // namespace vckv
