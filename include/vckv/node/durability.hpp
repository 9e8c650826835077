// The node's data directory (docs/protocol.md §15): the glue between the node and the durable
// store (storage/durable_store.hpp). Without --data-dir it does nothing and touches no file.
// With it:
//   open        at init, before init_ok: DIR/<node_id>/ locked and recovered into the node's
//               store (through the visitor the node passes);
//   record_key  after every change of the store (an accepted client write, a merge that
//               changed a key): the key's whole sibling set, buffered in memory;
//   the hook    once per turn, in the scheduler's before-sleep hooks (the event loop writes a
//               turn's output only after them): commit (one write, and under --fsync batch one
//               fdatasync), then a step of compaction. So no reply, and no message to a peer,
//               leaves before the records it depends on are written (group commit). A failed
//               commit or open is fatal: the handler the embedder gave is called (the binary
//               logs and exits with kExitStorageFailure, sending nothing of the turn), and the
//               node answers nothing more.
//   timers      --fsync interval: a commit at sync_due_ms(), so a quiet node still syncs; while
//               a compaction runs, a short timer so turns keep coming when no input does.
// --debug-ack-before-log (testing only) breaks the rule on purpose: the hook does not commit;
// the records are written by a timer --fsync-interval-ms later, after the replies that depend
// on them went out. A kill in between loses acknowledged writes, which the checkers must catch.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vckv/runtime/log.hpp"
#include "vckv/runtime/scheduler.hpp"
#include "vckv/storage/durable_store.hpp"
#include "vckv/storage/file_system.hpp"
#include "vckv/store/version.hpp"

namespace vckv {

// Exit status of the binary when its data directory fails it: the directory is locked by
// another process, cannot be read or created, or a write or fdatasync failed (sysexits.h
// EX_IOERR).
inline constexpr int kExitStorageFailure = 74;

struct DurabilityOptions {
  std::string data_dir;  // --data-dir; empty: the store lives in memory only
  bool debug_ack_before_log = false;  // testing only (see above)
  // --fsync (store.fsync), --fsync-interval-ms (store.fsync_interval_ms), and the compaction
  // thresholds (the store's defaults; tests make them small). The embedder sets hash_seed.
  DurableStoreOptions store;
  // --compaction-min-mb: store.compaction_min_bytes in MiB (finish_options sets it).
  std::uint64_t compaction_min_mb = DurableStoreOptions().compaction_min_bytes >> 20;
};

class Durability {
 public:
  using FatalFn = std::function<void(const std::string& why)>;

  // fs: where the directory lives (null: none, and --data-dir is refused at init). fs,
  // scheduler and log must outlive this.
  Durability(const DurabilityOptions& options, FileSystem* fs, Scheduler& scheduler,
             Logger& log);
  ~Durability();
  Durability(const Durability&) = delete;
  Durability& operator=(const Durability&) = delete;

  bool enabled() const { return !options_.data_dir.empty(); }
  // Called with a sentence when the directory fails the node (after it was logged).
  void set_fatal_handler(FatalFn fn) { on_fatal_ = std::move(fn); }

  // Locks and recovers DIR/<node_id>/ into visitor, registers the hook. False when it failed
  // (the fatal handler was called).
  bool open(const std::string& node_id, RecoveryVisitor& visitor);
  bool opened() const { return store_ != nullptr; }

  // The cluster's node ids, in init's order: with server clocks (§17) versions name the nodes of
  // their dots and version vectors by index, and the log by id.
  void set_node_names(const std::vector<std::string>& names);
  // The key now holds these siblings (none: removed).
  void record_key(std::string_view key, Siblings siblings);
  // §17: the largest dot counter this node issued for key (before the version carrying it).
  void record_dot_counter(std::string_view key, std::uint64_t counter);
  // This node now holds exactly these versions for target under key (§14: a hint taken, or
  // part of it delivered); none: the hint is gone.
  void record_hint(std::string_view target, std::string_view key, const std::vector<VersionView>& held);

  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  // The fdatasync time of the commits since the last call (the simulator holds the turn's
  // output back that long in virtual time).
  std::int64_t take_sync_latency_us();
  const DurableStore* store() const { return store_.get(); }

 private:
  void before_sleep();
  void commit();
  void compaction_step();
  void arm_sync_timer();
  void fatal(const std::string& why);

  DurabilityOptions options_;
  FileSystem* fs_;
  Scheduler& scheduler_;
  Logger& log_;
  FatalFn on_fatal_;
  std::unique_ptr<DurableStore> store_;
  std::string failure_;
  std::optional<std::int64_t> sync_timer_due_;  // when the armed sync (or debug) timer runs
  Scheduler::TimerId sync_timer_ = 0;
  bool compaction_timer_ = false;
  std::int64_t sync_latency_us_ = 0;
  std::shared_ptr<bool> alive_;  // the hook and timers outlive nothing: they check this first
  void add_ref(VersionView v);  // to refs_

  std::vector<VersionRef> refs_;  // reused by record_key
  std::deque<std::vector<CounterRef>> entries_;  // dotted versions' version vectors, for refs_
  std::vector<std::string> names_;
  std::vector<std::uint32_t> sorted_names_;  // indexes into names_, in id order
};

}  // namespace vckv
