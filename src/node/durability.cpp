#include "vckv/node/durability.hpp"

#include <algorithm>

namespace vckv {

Durability::Durability(const DurabilityOptions& options, FileSystem* fs, Scheduler& scheduler,
                       Logger& log)
    : options_(options), fs_(fs), scheduler_(scheduler), log_(log),
      alive_(std::make_shared<bool>(true)) {}

Durability::~Durability() { *alive_ = false; }

void Durability::fatal(const std::string& why) {
  if (failed()) return;
  failure_ = why;
  log_.error(why);
  if (on_fatal_) on_fatal_(why);
}

bool Durability::open(const std::string& node_id, RecoveryVisitor& visitor) {
  if (!enabled() || opened()) return true;
  if (fs_ == nullptr) {
    fatal("--data-dir " + options_.data_dir + ": this build has no file system for it");
    return false;
  }
  const IoResult<std::string> dir = node_data_dir(options_.data_dir, node_id);
  if (!dir.ok()) {
    fatal("--data-dir: " + dir.error());
    return false;
  }
  const std::int64_t start = scheduler_.now_ms();
  DurableStore::Opened opened = DurableStore::open(*fs_, dir.value(), options_.store, visitor);
  for (const std::string& w : opened.report.warnings) log_.warn(w);
  for (const std::string& e : opened.report.errors) log_.error(e);
  if (!opened.ok()) {
    fatal("--data-dir: " + opened.error);  // (it names the directory)
    return false;
  }
  store_ = std::move(opened.store);
  log_.info("data directory " + dir.value() + " (--fsync " +
            fsync_policy_name(options_.store.fsync) + "): recovered " +
            std::to_string(opened.report.keys) + " keys from " +
            std::to_string(opened.report.records) + " records in " +
            std::to_string(opened.report.files) + " files (" +
            std::to_string(opened.report.bytes) + " bytes) in " +
            std::to_string(scheduler_.now_ms() - start) + " ms");
  scheduler_.add_before_sleep([this, alive = alive_] {
    if (*alive) before_sleep();
  });
  return true;
}

void Durability::record_key(std::string_view key, Siblings siblings) {
  if (!store_ || failed()) return;
  if (siblings.empty()) {
    store_->record_key_removed(key);
    return;
  }
  refs_.clear();
  entries_.clear();
  for (VersionView v : siblings) add_ref(v);
  store_->record_key(key, refs_);
}

void Durability::add_ref(VersionView v) {
  if (v.dot.empty()) {
    refs_.push_back(v.tombstone() ? VersionRef::tombstone_with_clock(v.slots)
                                  : VersionRef::with_clock(v.value, v.slots));
    return;
  }
  // §17: the dot and version vector by node id, its entries in node id order (zeros left out).
  // Each version's entries get their own vector: refs_ points into them.
  entries_.emplace_back();
  std::vector<CounterRef>& vv = entries_.back();
  for (const std::uint32_t i : sorted_names_) {
    if (i < v.slots.size() && v.slots[i] != 0) vv.push_back(CounterRef{names_[i], v.slots[i]});
  }
  const CounterRef dot{v.dot.node < names_.size() ? std::string_view(names_[v.dot.node]) : "",
                       v.dot.counter};
  refs_.push_back(VersionRef::dotted(v.value, dot, vv.data(), vv.size(), v.tombstone()));
}

void Durability::set_node_names(const std::vector<std::string>& names) {
  names_ = names;
  sorted_names_.clear();
  for (std::uint32_t i = 0; i < names_.size(); ++i) sorted_names_.push_back(i);
  std::sort(sorted_names_.begin(), sorted_names_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return names_[a] < names_[b]; });
}

void Durability::record_dot_counter(std::string_view key, std::uint64_t counter) {
  if (!store_ || failed()) return;
  store_->record_dot_counter(key, counter);
}

void Durability::record_hint(std::string_view target, std::string_view key,
                             const std::vector<VersionView>& held) {
  if (!store_ || failed()) return;
  if (held.empty()) {
    store_->record_hint_removed(target, key);
    return;
  }
  refs_.clear();
  entries_.clear();
  for (VersionView v : held) add_ref(v);
  store_->record_hint(target, key, refs_);
}

std::int64_t Durability::take_sync_latency_us() {
  const std::int64_t latency = sync_latency_us_;
  sync_latency_us_ = 0;
  return latency;
}

void Durability::commit() {
  if (!store_ || failed()) return;
  const CommitResult result = store_->commit(scheduler_.now_ms());
  if (!result.ok) {
    fatal("data directory " + store_->dir() + ": " + result.error +
          "; stopping without sending the output that depends on it");
    return;
  }
  sync_latency_us_ += result.sync_latency_us;
}

void Durability::before_sleep() {
  if (!store_ || failed()) return;
  if (options_.debug_ack_before_log) {
    // Broken on purpose: this turn's output goes out now, its records a timer later.
    if (store_->has_pending() && !sync_timer_due_) {
      sync_timer_due_ = scheduler_.now_ms() + options_.store.fsync_interval_ms;
      sync_timer_ = scheduler_.add_timer(options_.store.fsync_interval_ms,
                                         [this, alive = alive_](std::int64_t) -> std::int64_t {
                                           if (!*alive) return -1;
                                           sync_timer_due_.reset();
                                           commit();
                                           return -1;
                                         });
    }
    return;
  }
  commit();
  if (failed()) return;
  compaction_step();
  if (options_.store.fsync == FsyncPolicy::kInterval) arm_sync_timer();
}

void Durability::arm_sync_timer() {
  const std::optional<std::int64_t> due = store_->sync_due_ms();
  if (!due || (sync_timer_due_ && *sync_timer_due_ <= *due)) return;
  if (sync_timer_due_) scheduler_.cancel_timer(sync_timer_);
  sync_timer_due_ = due;
  sync_timer_ = scheduler_.add_timer(std::max<std::int64_t>(0, *due - scheduler_.now_ms()),
                                     [this, alive = alive_](std::int64_t) -> std::int64_t {
                                       if (!*alive) return -1;
                                       // The hooks run after the timers: this turn's commit
                                       // syncs, since the sync is due now.
                                       sync_timer_due_.reset();
                                       return -1;
                                     });
}

void Durability::compaction_step() {
  const CompactionProgress progress = store_->compact_step();
  if (!progress.error.empty()) {
    log_.warn("data directory " + store_->dir() + ": compaction stopped until the next start: " +
              progress.error);
  }
  if (progress.finished) {
    log_.info("data directory " + store_->dir() + ": compacted into a snapshot (" +
              std::to_string(store_->stats().disk_bytes) + " bytes on disk, " +
              std::to_string(store_->stats().live_bytes) + " live)");
  }
  sync_latency_us_ += progress.sync_latency_us;
  if (store_->compaction_running() && !compaction_timer_) {
    // Turns must keep coming while it runs, with or without input.
    compaction_timer_ = true;
    scheduler_.add_timer(1, [this, alive = alive_](std::int64_t) -> std::int64_t {
      if (!*alive) return -1;
      if (store_ && store_->compaction_running() && !failed()) return 1;
      compaction_timer_ = false;
      return -1;
    });
  }
}

}  // namespace vckv
