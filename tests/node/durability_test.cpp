// The node with --data-dir (docs/protocol.md §15): what it writes is back after a kill, before
// init_ok; a turn's output is released only once its records are committed; a directory in use
// is refused; without --data-dir no file is touched.
#include "vckv/node/durability.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "vckv/node/node.hpp"
#include "vckv/runtime/manual_scheduler.hpp"
#include "vckv/storage/memory_file_system.hpp"

namespace vckv {
namespace {

constexpr const char* kInit =
    R"({"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}})";
constexpr const char* kPutX =
    R"({"src":"c1","dest":"n1","body":{"type":"kv_put","msg_id":2,"key":"x","value":"hello","clock":[1,0]}})";
constexpr const char* kGetX = R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":3,"key":"x"}})";
constexpr const char* kInitOk =
    R"({"src": "n1", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": 1, "msg_id": 0}})"
    "\n";

// Passes everything to a simulated disk, counts file syncs, and fails them on demand.
class CountingFileSystem : public FileSystem {
 public:
  explicit CountingFileSystem(MemoryFileSystem& disk) : disk_(disk) {}
  int syncs = 0;
  bool fail_syncs = false;

  IoStatus create_dirs(const std::string& p) override { return disk_.create_dirs(p); }
  IoResult<std::unique_ptr<AppendFile>> open_append(const std::string& p) override {
    IoResult<std::unique_ptr<AppendFile>> inner = disk_.open_append(p);
    if (!inner.ok()) return inner;
    return std::unique_ptr<AppendFile>(new File(*this, std::move(inner.value())));
  }
  IoResult<std::string> read_file(const std::string& p) override { return disk_.read_file(p); }
  IoResult<std::string> read_range(const std::string& p, std::uint64_t o, std::size_t n) override {
    return disk_.read_range(p, o, n);
  }
  IoResult<std::uint64_t> file_size(const std::string& p) override { return disk_.file_size(p); }
  IoStatus truncate(const std::string& p, std::uint64_t n) override { return disk_.truncate(p, n); }
  IoStatus rename(const std::string& a, const std::string& b) override { return disk_.rename(a, b); }
  IoStatus remove(const std::string& p) override { return disk_.remove(p); }
  IoResult<std::vector<std::string>> list_dir(const std::string& p) override {
    return disk_.list_dir(p);
  }
  IoStatus sync_dir(const std::string& p) override { return disk_.sync_dir(p); }
  IoResult<std::unique_ptr<FileLock>> lock_file(const std::string& p) override {
    return disk_.lock_file(p);
  }

 private:
  class File : public AppendFile {
   public:
    File(CountingFileSystem& fs, std::unique_ptr<AppendFile> inner) : fs_(fs), inner_(std::move(inner)) {}
    IoStatus append(std::string_view bytes) override { return inner_->append(bytes); }
    IoResult<SyncInfo> sync() override {
      ++fs_.syncs;
      if (fs_.fail_syncs) return IoStatus::failure("fdatasync: Input/output error (test)");
      return inner_->sync();
    }
    std::uint64_t size() const override { return inner_->size(); }

   private:
    CountingFileSystem& fs_;
    std::unique_ptr<AppendFile> inner_;
  };
  MemoryFileSystem& disk_;
};

NodeOptions with_data_dir(FsyncPolicy fsync = FsyncPolicy::kBatch) {
  NodeOptions options;
  options.durability.data_dir = "/data";
  options.durability.store.fsync = fsync;
  return options;
}

// One process of a node on a disk that outlives it: lines in, the before-sleep hooks after
// each (as the event loop runs them before it writes), output and logs captured.
struct Process {
  Process(NodeOptions options, FileSystem& fs)
      : log(logs, LogLevel::kInfo), node(options, out, clock, log, &fs) {
    node.durability().set_fatal_handler([this](const std::string& why) { fatal = why; });
  }
  std::string feed(std::initializer_list<std::string_view> lines) {
    out.clear();
    for (std::string_view line : lines) {
      node.handle_line(line, ++line_number);
      clock.before_sleep();
    }
    return out;
  }
  ManualScheduler clock;
  std::ostringstream logs;
  std::string out;
  Logger log;
  Node node;
  std::string fatal;
  std::uint64_t line_number = 0;
};

std::uint64_t disk_random_state = 7;
FaultRandom disk_random() {
  return [] { return disk_random_state = disk_random_state * 6364136223846793005ULL + 1442695040888963407ULL; };
}

TEST(DurabilityTest, AWriteIsBackAfterAKillBeforeInitOk) {
  MemoryFileSystem disk(disk_random());
  {
    Process first(with_data_dir(), disk);
    first.feed({kInit, kPutX});
    EXPECT_NE(first.out.find("\"status\": \"written\""), std::string::npos) << first.out;
  }  // the Node object dropped: a kill
  disk.crash(CrashKind::kProcess);
  Process second(with_data_dir(), disk);
  // Recovered at init: the first line of output is init_ok, and the key is there.
  EXPECT_EQ(second.feed({kInit}), kInitOk);
  EXPECT_EQ(second.node.store().key_count(), 1u);
  EXPECT_EQ(second.feed({kGetX}),
            R"({"src": "n1", "dest": "c1", "body": {"type": "kv_get_ok", "in_reply_to": 3, "values": [{"value": "hello", "clock": [1, 0]}], "msg_id": 1}})"
            "\n");
  EXPECT_NE(second.logs.str().find("recovered 1 keys"), std::string::npos) << second.logs.str();
}

// --fsync batch: once the turn's hooks ran (when the loop writes its output), what the output
// acknowledges survives even a power loss.
TEST(DurabilityTest, BatchCommitsTheTurnBeforeItsOutputGoesOut) {
  MemoryFileSystem disk(disk_random());
  CountingFileSystem counting(disk);
  {
    Process first(with_data_dir(), counting);
    first.feed({kInit});
    const int before = counting.syncs;
    first.node.handle_line(kPutX, 2);
    EXPECT_EQ(counting.syncs, before);  // recorded in memory while handling the line
    first.clock.before_sleep();          // the turn's hook: write + one fdatasync
    EXPECT_EQ(counting.syncs, before + 1);
    EXPECT_NE(first.out.find("kv_put_ok"), std::string::npos);
  }
  disk.crash(CrashKind::kPowerLoss);
  Process second(with_data_dir(), disk);
  second.feed({kInit});
  EXPECT_EQ(second.node.store().key_count(), 1u);
}

// A failed fdatasync stops the node inside the hook, before the loop would write the turn's
// output: the embedder is told (the binary exits), and nothing more is answered.
TEST(DurabilityTest, AFailedSyncStopsTheNodeBeforeItsOutputIsReleased) {
  MemoryFileSystem disk(disk_random());
  CountingFileSystem counting(disk);
  Process p(with_data_dir(), counting);
  p.feed({kInit});
  counting.fail_syncs = true;
  p.node.handle_line(kPutX, 2);
  EXPECT_TRUE(p.fatal.empty());
  p.clock.before_sleep();
  EXPECT_NE(p.fatal.find("Input/output error"), std::string::npos) << p.fatal;
  EXPECT_TRUE(p.node.stopped());
  EXPECT_EQ(p.feed({kGetX}), "");
  EXPECT_NE(p.logs.str().find("error: data directory /data/n1"), std::string::npos) << p.logs.str();
}

TEST(DurabilityTest, ASecondNodeOnTheSameDirectoryIsRefused) {
  MemoryFileSystem disk(disk_random());
  disk.set_process_id(4242);
  Process first(with_data_dir(), disk);
  EXPECT_EQ(first.feed({kInit}), kInitOk);
  Process second(with_data_dir(), disk);
  EXPECT_EQ(second.feed({kInit}), "");  // no init_ok
  EXPECT_TRUE(second.node.stopped());
  EXPECT_NE(second.fatal.find("/data/n1"), std::string::npos) << second.fatal;
  EXPECT_NE(second.fatal.find("4242"), std::string::npos) << second.fatal;
  EXPECT_EQ(second.feed({kGetX}), "");
}

TEST(DurabilityTest, WithoutDataDirNoFileIsTouched) {
  MemoryFileSystem disk(disk_random());
  Process p(NodeOptions{}, disk);
  p.feed({kInit, kPutX, kGetX});
  EXPECT_FALSE(p.node.durability().opened());
  EXPECT_EQ(disk.stats().appends, 0u);
  EXPECT_EQ(disk.stats().dir_syncs, 0u);
  auto listed = disk.list_dir("/data");
  EXPECT_TRUE(!listed.ok() || listed.value().empty());
}

// A merge from a peer that changed a key is logged as a client write is.
TEST(DurabilityTest, AMergeFromAPeerIsLogged) {
  MemoryFileSystem disk(disk_random());
  constexpr const char* kInit2 =
      R"({"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1","n2"]}})";
  constexpr const char* kSync =
      R"({"src":"n2","dest":"n1","body":{"type":"sync","msg_id":7,"incarnation":5,"versions":[{"key":"y","value":"from n2","clock":[0,1]}]}})";
  {
    Process first(with_data_dir(), disk);
    first.feed({kInit2});
    const std::string out = first.feed({kSync});
    ASSERT_NE(out.find("sync_ok"), std::string::npos) << out << first.logs.str();
    EXPECT_EQ(first.node.store().key_count(), 1u);
  }
  disk.crash(CrashKind::kPowerLoss);
  Process second(with_data_dir(), disk);
  second.feed({kInit2});
  EXPECT_EQ(second.node.store().key_count(), 1u);
}

// §16: a tombstone is logged and recovered as a tombstone; a reap is logged (key_removed), so
// the reaped key does not come back from the log at the next start.
TEST(DurabilityTest, TombstonesAreRecoveredAndAReapedKeyStaysGone) {
  MemoryFileSystem disk(disk_random());
  NodeOptions options = with_data_dir();
  options.tombstone_grace_ms = 100;
  constexpr const char* kDelete =
      R"({"src":"c1","dest":"n1","body":{"type":"kv_delete","msg_id":4,"key":"x","clock":[2,0]}})";
  constexpr const char* kGet =
      R"({"src":"c1","dest":"n1","body":{"type":"kv_get","msg_id":5,"key":"x"}})";
  {
    Process first(options, disk);
    first.feed({kInit, kPutX});
    EXPECT_NE(first.feed({kDelete}).find("\"status\": \"deleted\""), std::string::npos);
  }
  disk.crash(CrashKind::kPowerLoss);
  {
    Process second(options, disk);
    second.feed({kInit});
    EXPECT_NE(second.feed({kGet}).find(R"("values": [], "deleted": [[2, 0]])"), std::string::npos)
        << second.out;
    EXPECT_EQ(second.logs.str().find("skipped"), std::string::npos) << second.logs.str();
    // A lone node: every replica is this one; three grace periods, and it is reaped.
    for (std::int64_t t = 0; t <= 600; t += 25) {
      second.clock.advance_to(t);
      second.clock.before_sleep();
    }
    EXPECT_EQ(second.node.store().key_count(), 0u);
    EXPECT_NE(second.logs.str().find("reaped key \"x\" tombstones [[2, 0]]"), std::string::npos)
        << second.logs.str();
  }
  disk.crash(CrashKind::kPowerLoss);
  Process third(options, disk);
  third.feed({kInit});
  EXPECT_EQ(third.node.store().key_count(), 0u);
  EXPECT_EQ(third.feed({kGet}).find("deleted"), std::string::npos) << third.out;
}

// --fsync interval: written every turn (a kill keeps it), synced by a timer once the interval
// passed, even when no input comes.
TEST(DurabilityTest, IntervalSyncsOnATimer) {
  MemoryFileSystem disk(disk_random());
  CountingFileSystem counting(disk);
  NodeOptions options = with_data_dir(FsyncPolicy::kInterval);
  options.durability.store.fsync_interval_ms = 500;
  Process p(options, counting);
  p.feed({kInit});
  const int before = counting.syncs;
  p.feed({kPutX});
  EXPECT_EQ(counting.syncs, before);
  p.clock.advance_to(499);
  EXPECT_EQ(counting.syncs, before);
  p.clock.advance_to(500);
  EXPECT_EQ(counting.syncs, before + 1);
}

// The broken switch the checkers must catch: the reply is out, the record is not even written.
TEST(DurabilityTest, DebugAckBeforeLogReleasesRepliesFirst) {
  MemoryFileSystem disk(disk_random());
  NodeOptions options = with_data_dir();
  options.durability.debug_ack_before_log = true;
  {
    Process first(options, disk);
    first.feed({kInit});
    EXPECT_NE(first.feed({kPutX}).find("kv_put_ok"), std::string::npos);
  }
  disk.crash(CrashKind::kProcess);
  Process second(with_data_dir(), disk);
  second.feed({kInit});
  EXPECT_EQ(second.node.store().key_count(), 0u);
}

// §14 with §15: a hint a stand-in acknowledged is logged before its hint_ok goes out, so the
// stand-in still holds it (apart from its own keys) after a power loss.
TEST(DurabilityTest, AHintTakenIsBackAfterAPowerLoss) {
  constexpr const char* kInitN2 =
      R"({"src":"c0","dest":"n2","body":{"type":"init","msg_id":1,"node_id":"n2","node_ids":["n1","n2","n3","n4","n5"]}})";
  constexpr const char* kHint =
      R"({"src":"n5","dest":"n2","body":{"type":"hint","incarnation":41,"for":"n4","versions":[{"key":"x","value":"a","clock":[1]}],"msg_id":12}})";
  constexpr const char* kLocalGet = R"({"src":"c1","dest":"n2","body":{"type":"local_get","msg_id":7,"key":"x"}})";
  NodeOptions options = with_data_dir();
  options.replicas = 3;
  MemoryFileSystem disk(disk_random());
  {
    Process first(options, disk);
    first.feed({kInitN2});
    EXPECT_NE(first.feed({kHint}).find("\"type\": \"hint_ok\""), std::string::npos) << first.out;
    EXPECT_EQ(first.node.hints().count(), 1u);
  }
  disk.crash(CrashKind::kPowerLoss);
  Process second(options, disk);
  second.feed({kInitN2});
  EXPECT_EQ(second.node.hints().count(), 1u) << second.logs.str();
  EXPECT_EQ(second.node.store().key_count(), 0u);  // apart from its own keys
  EXPECT_NE(second.feed({kLocalGet}).find(R"("values": [], "hints": [{"for": "n4", "value": "a", "clock": [1]}])"),
            std::string::npos)
      << second.out;
}

}  // namespace
}  // namespace vckv
