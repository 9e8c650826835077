// The durable store: a node's data directory (docs/protocol.md §15), as a log of state records
// with group commit, recovery and incremental compaction. Format: docs/log-format.md.
//
// How the node uses it (one thread, the node's event loop):
//   open       at init, before init_ok: DurableStore::open(fs, dir, options, visitor) takes the
//              directory's lock, recovers, and calls the visitor once per key, hint and dot
//              counter with its last logged state. The node fills its empty store from those
//              calls, logs the report's warnings and errors, and answers init_ok. A failed open
//              (locked, unreadable, written by a newer version) is an error the node reports
//              and exits on.
//   record_*   on every change, right after the node's own state changed: the key's whole
//              version set (record_key), a reaped key (record_key_removed), a hint's versions
//              or its delivery (record_hint, record_hint_removed), a dot counter before the dot
//              is used (record_dot_counter, before the record_key of the version carrying the
//              dot). Records wait in memory; cheap, never blocking.
//   commit     once per turn in a before-sleep hook, before the turn's output is written: one
//              write, and per --fsync one fdatasync. All of the turn's output (replies and
//              node-to-node messages alike: a sync carries a dot, an ack a hint) goes out after
//              it returns ok; the event loop writes output only after its hooks, so a hook
//              that commits first gates the turn. On failure the store is failed and the node
//              must not send that output (it exits: after a failed fdatasync nothing can be
//              trusted). With --fsync interval, also call it from a timer at sync_due_ms() so a
//              quiet node still syncs.
//   compact_step  in the same hook, right after commit: while a compaction is due or under way
//              it does a bounded amount of it (compaction_step_bytes plus eight times what
//              the turn committed; all of it when the input is small). While
//              compaction_running(), keep a short timer armed so turns keep coming when no
//              input does.
//
// Why records are states: each record is an entry's whole value after the change (a key's
// version set, a hint's versions, a counter), so replay is "last record of each entry wins",
// a record is idempotent, and any record with a later one for its entry is dead bytes.
// Recovery and compaction need nothing else.
//
// Compaction, and why it is exact. The phases, in order; a step (compact_step) runs as many
// as it can (below):
//   create   log M (a new file number) with its header, synced, and snapshot-M.tmp;
//   switch   the current log synced if it is not already, the directory synced (log M's name
//            is durable), and every later record goes to log M. The "input" is the old
//            snapshot and every log numbered below M;
//   copy     a budget of bytes a step: append to the .tmp each record that the key directory
//            still names as its entry's last (a record made after the switch points into log M
//            or later, so the entry's older record is no longer copied); fdatasync what was
//            appended. With at most compaction_list_entries entries, from the directory's
//            entries at the switch (each entry's last record, all in the input then) in file
//            order, reading where they are (dead records between close ones are read and
//            skipped, long dead stretches never), each checksum and length checked; with more,
//            by reading the input in order and naming each record (no sort of the whole
//            directory in one step);
//   seal     snapshot_end, fdatasync; and the current log synced if it is not already (so
//            every newer record that made the copy skip an older one is on disk before the
//            older one's file goes);
//   install  rename to snapshot-M, sync the directory;
//   remove   the input, a piece a step (a file is cut by the larger of 16 step budgets and
//            the step's copy budget, then unlinked: unlinking a large file at once takes tens
//            of ms on ext4, more with discard).
// Recovery reads the newest snapshot, then the logs numbered at or above it, and gives each
// entry its last record:
// - an entry last written before the switch: its record is copied (it is last among the
//   input, and nothing after the switch replaced it), so snapshot-M holds it;
// - an entry written after the switch: its last record is in log M or later, read after
//   snapshot-M, which it overrides whatever the snapshot holds for it (states, not deltas);
// - an entry removed before the switch has no live record in the input; one removed after
//   has its removal in log M or later.
// So snapshot-M + logs >= M replay to exactly what the input + logs >= M replayed to. Crashes:
// before the rename, snapshot-M.tmp is ignored (and removed) and the input is all still there
// (a log M not yet switched to holds nothing but its header); after it, snapshot-M is complete
// (synced before the rename) and the input, numbered below M, is ignored and removed. Every
// step's state is one of those two.
//
// What a step costs the loop. A step goes on to the next phase until the copy has read its
// budget, the removal has cut its piece, or a phase waits for the log's sync; so the step that
// starts a compaction does create, switch and a first copy (three fdatasyncs, one of them the
// directory's), and the step that finishes the copy does seal, install and a first removal
// (two, plus the log's under never). A step in between reads at most its budget (from the
// page cache, usually: the input was just written) and syncs once, or cuts a piece. The
// budget grows with what the turn logged (kCopyPerLoggedByte, or four times the input over
// the live data when the input is the floor of a small store), so a compaction finishes
// while the log grows by about a quarter of the live data, however busy the node. A whole
// compaction (input at most compaction_whole_bytes, or a small store's: see the option) runs
// every phase in one step, so no turn's records land in log M before it is installed and the
// files it leaves are the live records alone. The switch and the seal need the log synced: under batch it is, under
// interval they wait for the commit that syncs it (up to fsync_interval_ms), under never they
// sync it themselves (what the OS has not written back yet). Compaction syncs under every
// --fsync policy, since it removes the files it replaces.
//
// Recovery: docs/log-format.md "Recovery". A torn tail of the last log is cut (truncated) with
// a warning; damage anywhere else keeps what precedes it, and the store then writes what it
// recovered as a new snapshot (a full compaction, before open returns) and moves the damaged
// file aside, so the next start recovers the same state without it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vckv/storage/file_system.hpp"
#include "vckv/storage/log_record.hpp"

namespace vckv {

namespace detail {
class KeyDirectory;
class EntryHasher;
struct Fingerprint;
class RecordStream;
}  // namespace detail

enum class FsyncPolicy {
  kBatch,     // one fdatasync per turn before the turn's output: survives a power loss
  kInterval,  // fdatasync every fsync_interval_ms: survives a kill; a power loss may take
              // the last interval
  kNever,     // written every turn, synced when the OS decides: survives a kill
};
// "batch" | "interval" | "never", or nullopt.
std::optional<FsyncPolicy> parse_fsync_policy(std::string_view name);
const char* fsync_policy_name(FsyncPolicy policy);

struct DurableStoreOptions {
  FsyncPolicy fsync = FsyncPolicy::kBatch;
  std::int64_t fsync_interval_ms = 1000;
  // A compaction starts when the files hold more than twice the bytes of the live records and
  // at least this many bytes (--compaction-min-mb). A small store compacts once per this much
  // logging, each compaction paying its fdatasyncs; and restarts by replaying up to this much.
  std::uint64_t compaction_min_bytes = std::uint64_t{16} << 20;
  // Bytes of input a compaction step reads, plus eight times what the turn's commit wrote (so
  // a compaction finishes while the log grows by a fraction of the live data).
  std::size_t compaction_step_bytes = std::size_t{256} << 10;
  // A compaction whose input (the files it replaces) is at most this many bytes, or a small
  // store's (live data at most half of this, input at most twice compaction_min_bytes), runs in
  // one step: reading 8 MiB and copying the live records costs a few ms, and the files left are
  // the live data alone rather than the live data and the log written over several turns.
  std::uint64_t compaction_whole_bytes = std::uint64_t{8} << 20;
  // A compaction of at most this many entries copies from the key directory's list of their
  // last records (sorted at the switch: a few ms at most), reading only where they are; a larger
  // one scans its input, naming each record, a budget a step.
  std::size_t compaction_list_entries = 65536;
  // What a step may read beyond the budget eight times the turn's logging gives it: a small
  // store's whole compaction reads an input of at most this many bytes (twice the floor, up to
  // this), and a copy scaled to an input many times the live data reads at most this a step.
  // Reading it back from the page cache takes a few ms; a floor raised far above it makes a
  // small store's compactions slower to finish rather than any turn longer.
  std::uint64_t compaction_max_step_bytes = std::uint64_t{32} << 20;
  // Recovery reads files in pieces of this size.
  std::size_t read_chunk_bytes = std::size_t{4} << 20;
  // Keys the hash that names entries in memory (see src/storage/key_directory.hpp). Give it
  // randomness: whoever knows it could choose keys that share a name. The simulator passes
  // its seed, so runs replay.
  std::uint64_t hash_seed = 0;
};

// What recovery hands the node: each entry's last state, once per entry, in no particular
// order. The views are valid during the call only.
class RecoveryVisitor {
 public:
  virtual ~RecoveryVisitor() = default;
  // The key's versions, oldest first (never empty).
  virtual void on_key(std::string_view key, const std::vector<VersionRef>& versions) = 0;
  // Versions this node holds for target (never empty).
  virtual void on_hint(std::string_view target, std::string_view key,
                       const std::vector<VersionRef>& versions) = 0;
  // The largest counter this node issued for key.
  virtual void on_dot_counter(std::string_view key, std::uint64_t counter) = 0;
};

struct RecoveryReport {
  // One sentence each, naming the file and the offset. Warnings: torn tails cut (nothing
  // acknowledged under --fsync batch is lost). Errors: damage before the end; what followed it
  // is lost (anti-entropy refills it) and the damaged file was moved aside.
  std::vector<std::string> warnings;
  std::vector<std::string> errors;
  std::uint64_t keys = 0;
  std::uint64_t hints = 0;
  std::uint64_t dot_counters = 0;
  std::uint64_t files = 0;
  std::uint64_t records = 0;  // records read in the first pass
  std::uint64_t bytes = 0;    // bytes of records read in the first pass
  bool lost_data() const { return !errors.empty(); }
};

struct CommitResult {
  bool ok = true;
  std::string error;  // when !ok: the store is failed
  std::uint64_t bytes_written = 0;
  bool synced = false;  // everything committed so far is on disk
  std::int64_t sync_latency_us = 0;
};

struct CompactionProgress {
  bool running = false;   // under way: call again next turn
  bool finished = false;  // this step finished one (a new snapshot is in place)
  std::string error;      // this step failed: compaction is off until the next open
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_written = 0;
  std::int64_t sync_latency_us = 0;
};

struct DurableStoreStats {
  std::uint64_t disk_bytes = 0;   // every file the store reads at recovery, plus a .tmp
  std::uint64_t live_bytes = 0;   // the entries' last records
  std::uint64_t entries = 0;      // keys + hints + dot counters
  std::uint64_t index_memory_bytes = 0;
  std::uint64_t records = 0;      // recorded since open
  std::uint64_t bytes_logged = 0; // written to logs since open
  std::uint64_t commits = 0;      // commits that wrote something
  std::uint64_t syncs = 0;        // fdatasyncs of the log
  std::int64_t sync_latency_us = 0;
  std::uint64_t compactions = 0;  // finished since open
  std::uint64_t compaction_bytes_written = 0;
};

class DurableStore {
 public:
  struct Opened {
    std::unique_ptr<DurableStore> store;  // null when the open failed
    RecoveryReport report;
    std::string error;  // why the open failed
    bool ok() const { return store != nullptr; }
  };
  // Opens the store in dir (created if missing), recovering it into visitor. fs must outlive
  // the store.
  static Opened open(FileSystem& fs, const std::string& dir, const DurableStoreOptions& options,
                     RecoveryVisitor& visitor);
  ~DurableStore();
  DurableStore(const DurableStore&) = delete;
  DurableStore& operator=(const DurableStore&) = delete;

  // The key now holds exactly these versions (count 0 records a removal).
  void record_key(std::string_view key, const VersionRef* versions, std::size_t count);
  void record_key(std::string_view key, const std::vector<VersionRef>& versions) {
    record_key(key, versions.data(), versions.size());
  }
  // The key holds nothing (reaped).
  void record_key_removed(std::string_view key);
  // This node now holds exactly these versions for target (count 0 records the removal).
  void record_hint(std::string_view target, std::string_view key, const VersionRef* versions,
                   std::size_t count);
  void record_hint(std::string_view target, std::string_view key,
                   const std::vector<VersionRef>& versions) {
    record_hint(target, key, versions.data(), versions.size());
  }
  // The hint was delivered: this node holds nothing for target under key.
  void record_hint_removed(std::string_view target, std::string_view key);
  // The largest counter this node has issued for key is now counter.
  void record_dot_counter(std::string_view key, std::uint64_t counter);

  bool has_pending() const { return !pending_.empty(); }
  std::size_t pending_bytes() const { return pending_.size(); }
  // Writes what was recorded and syncs per the policy (see the top of this file). When it
  // returns ok with batch, everything recorded before it is durable.
  CommitResult commit(std::int64_t now_ms);
  // --fsync interval: when written bytes wait for a sync, the time it is due; else nullopt.
  std::optional<std::int64_t> sync_due_ms() const;

  bool compaction_due() const;
  bool compaction_running() const { return compaction_ != nullptr; }
  // One bounded step of compaction, if one is due or running. Call it right after commit (it
  // does nothing while records are pending).
  CompactionProgress compact_step();

  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  const DurableStoreStats& stats() const;
  const std::string& dir() const { return dir_; }

 private:
  struct FileInfo;
  struct Compaction;
  struct Recovery;
  DurableStore(FileSystem& fs, std::string dir, const DurableStoreOptions& options);

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void record_entry(std::string_view key, std::size_t start);  // pending_ from start on
  bool name_recorded();  // names_ of recorded_ (false: a record names no entry, failed)
  void apply_recorded(std::uint64_t base);  // pending_ is in the log from offset base on
  void fail(std::string why);
  IoStatus sync_log(CommitResult* into);
  IoStatus create_log(std::uint64_t number);
  IoStatus compaction_create(CompactionProgress& progress);
  IoStatus compaction_switch(CompactionProgress& progress);
  IoStatus copy_live_records(std::size_t budget, CompactionProgress& progress, bool* done);
  IoStatus copy_by_list(std::size_t budget, CompactionProgress& progress, bool* done);
  IoStatus copy_by_scan(std::size_t budget, CompactionProgress& progress, bool* done);
  IoStatus flush_copied(CompactionProgress& progress);  // the copy buffer, appended to the .tmp
  IoStatus compaction_seal(CompactionProgress& progress);
  IoStatus compaction_install();
  void compaction_remove(std::size_t budget, CompactionProgress& progress);
  void abandon_compaction(const std::string& why, CompactionProgress& progress);
  // A compaction step with this budget; force starts one even when none is due and runs it to
  // the end (recovery).
  CompactionProgress compact(std::size_t budget, bool force);
  IoStatus move_aside(const std::string& name);
  std::uint64_t disk_bytes() const;

  FileSystem& fs_;
  std::string dir_;
  DurableStoreOptions options_;
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<detail::EntryHasher> hasher_;
  std::unique_ptr<detail::KeyDirectory> keys_;
  std::vector<FileInfo> files_;  // every file recovery would read, oldest first
  std::unique_ptr<AppendFile> log_;
  std::uint32_t log_id_ = 0;
  std::uint64_t next_number_ = 1;
  std::string pending_;
  // The records in pending_, for the key directory (applied at commit).
  struct RecordedEntry {
    std::size_t start;  // in pending_
    std::uint32_t size;
  };
  std::vector<RecordedEntry> recorded_;
  std::vector<detail::Fingerprint> names_;  // name_recorded's, kept for its capacity
  LogRecord named_;                          // name_recorded's decoder of entry names
  std::uint64_t unsynced_bytes_ = 0;  // written to the log, not yet synced
  std::uint64_t written_back_at_ = 0;  // unsynced_bytes_ at the last start_writeback
  static constexpr std::uint64_t kWritebackBytes = std::uint64_t{1} << 20;
  std::int64_t unsynced_since_ms_ = 0;
  std::uint64_t committed_since_step_ = 0;
  std::unique_ptr<Compaction> compaction_;
  bool compaction_disabled_ = false;
  std::map<std::string, std::string> moved_aside_;  // damaged file -> the name it was given
  std::string failure_;
  mutable DurableStoreStats stats_;
};

// DIR/<node_id>, or a failure if node_id could escape DIR or name no directory (empty, ".",
// "..", a '/', a NUL byte).
IoResult<std::string> node_data_dir(std::string_view base, std::string_view node_id);

}  // namespace vckv
