// A simulated disk: the FileSystem interface over bytes in memory, with the semantics of a real
// disk and its failures, for unit tests and the cluster simulator. Recovery code runs on it
// unchanged.
//
// What it models:
// - Durability. A file's bytes survive a power loss once the file is synced; a file's name
//   (its creation, a rename, a removal) once its directory is synced. Until then a power loss
//   keeps, loses or tears them, as below. A process crash keeps every byte written (the kernel's
//   page cache outlives the process) and only ends the process's handles and locks.
// - Power loss, per file: the bytes appended since its last sync are lost whole, kept whole, or
//   kept up to a random offset (a third of the time each); with torn_write_per_million, a random
//   stretch of the kept ones becomes zeros or random bytes (a sector written half, a page
//   written before the one before it). A truncation not yet synced is undone half the time.
//   Name changes not yet synced: a random prefix of them (in the order they were made, as a
//   journaling file system commits them) survives.
// - Latent corruption: flip_bit / flip_random_bit change stored bytes, synced or not.
// - Slow fsync: every sync reports a latency drawn from the options, for a simulator to charge
//   in virtual time (nothing here sleeps).
// - I/O errors: an append or a sync fails with EIO at a given rate (an append may leave a
//   prefix of its bytes behind).
// Every random choice comes from the generator the caller passes in, so a seed replays exactly.
//
// Simplifications: directories are created durably at once; there is one lock table and one
// "process" at a time (crash ends it; set_process_id names the next one).
//
// The disk must outlive every handle it gives out. After a crash, handles from before it fail
// (their process is dead) and their locks are gone.
//
// In the cluster simulator: one disk per node, its faults from the run's seed. The node's
// DurableStore runs on it unchanged; the latency a commit reports (CommitResult, and
// CompactionProgress for a compaction step) is how long that turn's output waits in virtual
// time. A kill is crash(kProcess) or crash(kPowerLoss); disk loss is wipe(); a recovery's own
// syncs show in stats().sync_latency_us.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vckv/storage/file_system.hpp"

namespace vckv {

// Uniform 64-bit random numbers for the disk's faults, from the caller's seeded generator.
using FaultRandom = std::function<std::uint64_t()>;

// A small seeded generator (splitmix64) for tests and tools that have none of their own.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t operator()() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

struct SimulatedDiskOptions {
  // fdatasync latency in µs, uniform in [min, max]; one sync in slow_sync_per_million takes
  // slow_sync_factor times as long.
  std::int64_t sync_latency_min_us = 0;
  std::int64_t sync_latency_max_us = 0;
  std::uint32_t slow_sync_per_million = 0;
  std::int64_t slow_sync_factor = 100;
  // At a power loss, the chance that a file's surviving unsynced bytes are partly garbage.
  std::uint32_t torn_write_per_million = 0;
  // The chance that an append, or a sync, fails with EIO.
  std::uint32_t append_error_per_million = 0;
  std::uint32_t sync_error_per_million = 0;
};

enum class CrashKind {
  kProcess,    // kill -9: written bytes stay, handles and locks end
  kPowerLoss,  // also loses or tears what was not synced
};

class MemoryFileSystem : public FileSystem {
 public:
  explicit MemoryFileSystem(FaultRandom random, SimulatedDiskOptions options = {});
  ~MemoryFileSystem() override;
  MemoryFileSystem(const MemoryFileSystem&) = delete;
  MemoryFileSystem& operator=(const MemoryFileSystem&) = delete;

  IoStatus create_dirs(const std::string& path) override;
  IoResult<std::unique_ptr<AppendFile>> open_append(const std::string& path) override;
  IoResult<std::string> read_file(const std::string& path) override;
  IoResult<std::string> read_range(const std::string& path, std::uint64_t offset,
                                   std::size_t max_bytes) override;
  IoResult<std::uint64_t> file_size(const std::string& path) override;
  IoStatus truncate(const std::string& path, std::uint64_t size) override;
  IoStatus rename(const std::string& from, const std::string& to) override;
  IoStatus remove(const std::string& path) override;
  IoResult<std::vector<std::string>> list_dir(const std::string& path) override;
  IoStatus sync_dir(const std::string& path) override;
  IoResult<std::unique_ptr<FileLock>> lock_file(const std::string& path) override;

  // The process using the disk dies. Returns one line per file changed by it ("log-0000000001:
  // kept 120 of 300 unsynced bytes, 16 from 140 zeroed"), for a trace or a test's message.
  std::vector<std::string> crash(CrashKind kind);
  // The disk is lost: every file and directory is gone (the harness's disk-loss fault).
  void wipe();

  struct BitFlip {
    std::string path;
    std::uint64_t offset;
    int bit;
  };
  // Flips one bit of one stored byte, chosen at random over all bytes of all files (those whose
  // path `eligible` accepts, when given); nullopt when they hold no byte.
  std::optional<BitFlip> flip_random_bit(const std::function<bool(const std::string& path)>& eligible = nullptr);
  // Flips a given bit (0-7) of a given byte; false if there is no such byte.
  bool flip_bit(const std::string& path, std::uint64_t offset, int bit);

  // From now on appends and syncs fail with EIO at these rates (a simulator's disk stops failing
  // when its run's faults end).
  void set_error_rates(std::uint32_t append_per_million, std::uint32_t sync_per_million) {
    options_.append_error_per_million = append_per_million;
    options_.sync_error_per_million = sync_per_million;
  }

  // The pid the next lock records (a new process after a crash, say).
  void set_process_id(int pid) { pid_ = pid; }

  // For tests and traces: whether a file exists now, and how many of its bytes are synced.
  bool exists(const std::string& path) const;
  std::uint64_t synced_size(const std::string& path) const;

  struct Stats {
    std::uint64_t bytes_appended = 0;
    std::uint64_t appends = 0;
    std::uint64_t syncs = 0;  // file syncs (not directory syncs)
    std::int64_t sync_latency_us = 0;  // summed
    std::uint64_t dir_syncs = 0;
    std::uint64_t writebacks = 0;  // start_writeback calls
  };
  const Stats& stats() const { return stats_; }

  // Internals (the handles reach them; not part of the interface).
  struct Inode;
  struct Process;

 private:
  class AppendHandle;
  class LockHandle;
  struct NameChange {
    enum Kind { kCreate, kRename, kRemove } kind;
    std::string path;  // created, renamed from, or removed
    std::string to;    // kRename
    std::shared_ptr<Inode> inode;
  };
  bool chance(std::uint32_t per_million);
  std::uint64_t uniform(std::uint64_t bound);  // [0, bound)
  static std::string parent_of(const std::string& path);
  void apply_durably(const NameChange& change);
  IoResult<SyncInfo> draw_sync_outcome();
  std::string crash_file(const std::string& name, Inode& inode);

  FaultRandom random_;
  SimulatedDiskOptions options_;
  std::set<std::string> dirs_;
  std::map<std::string, std::shared_ptr<Inode>> files_;    // names as they are now
  std::map<std::string, std::shared_ptr<Inode>> durable_;  // names as a power loss finds them
  std::vector<NameChange> unsynced_names_;                 // in the order they were made
  std::map<std::string, int> locks_;                       // path -> holder pid
  std::shared_ptr<Process> process_;  // the running process; handles keep a pointer to theirs
  int pid_ = 1;
  Stats stats_;
};

}  // namespace vckv
