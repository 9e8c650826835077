#include "sim/faults.hpp"

#include "model/faults/schedule.hpp"

namespace vckv::sim {

std::size_t Faults::index(const std::string& node) const { return std::stoul(node.substr(1)) - 1; }

void Faults::boot(std::size_t i) {
  NodeSlot& s = *w_.nodes[i];
  s.clock = std::make_unique<ManualScheduler>(w_.now / 1000);
  s.out.clear();
  s.inbox.clear();
  s.paused = false;
  s.lines = 0;
  NodeOptions options = w_.cfg.node;
  // A process's incarnation is new at each start: its own stream, one per (node, start).
  options.incarnation = model::Rng(w_.seed, 4 + i * 1000003 + s.incarnation).next();
  options.durability.store.hash_seed = options.incarnation;
  if (w_.cfg.compaction_bytes > 0) {
    DurableStoreOptions& store = options.durability.store;
    store.compaction_min_bytes = w_.cfg.compaction_bytes;
    store.compaction_step_bytes = std::max<std::size_t>(256, w_.cfg.compaction_bytes / 8);
    store.compaction_whole_bytes = options.incarnation % 2 == 0 ? 2 * w_.cfg.compaction_bytes : 0;
  }
  s.node = std::make_unique<Node>(options, s.out, *s.clock, s.log, s.disk.get());
  std::string init = "{\"src\": \"c0\", \"dest\": \"" + s.id +
                     "\", \"body\": {\"type\": \"init\", \"msg_id\": 1, \"node_id\": \"" + s.id +
                     "\", \"node_ids\": [";
  for (std::size_t j = 0; j < w_.nodes.size(); ++j) init += (j ? ", \"" : "\"") + w_.nodes[j]->id + "\"";
  init += "]}}";
  net_.feed(i, init);
}

void Faults::schedule() {
  std::vector<std::string> names;
  for (const auto& s : w_.nodes) names.push_back(s->id);
  model::ScheduleOptions options;
  for (model::FaultKind k : w_.cfg.faults) {
    if (model::is_period_fault(k)) options.kinds.push_back(k);
  }
  options.interval = w_.cfg.fault_interval;
  options.until = w_.cfg.time_limit;
  options.max_down = 1;  // one node down at a time
  options.shapes = w_.cfg.partition_shapes;
  options.bounce_gap = bounce_gap();
  options.placement = &w_.placement;  // every node (no "replicas" shape) unless --replicas N
  options.keys = w_.cfg.keys;
  schedule_ = model::make_fault_schedule(names, options, w_.fault_rng);
  for (std::size_t i = 0; i < schedule_.size(); ++i) {
    Event b;
    b.at = schedule_[i].start;
    b.kind = EventKind::kFaultBegin;
    b.aux = i;
    w_.events.push(std::move(b));
    Event e;
    e.at = schedule_[i].end;
    e.kind = EventKind::kFaultEnd;
    e.aux = i;
    w_.events.push(std::move(e));
    for (std::size_t k = 1; k < schedule_[i].bounces.size(); ++k) {
      Event r;
      r.at = schedule_[i].bounces[k];
      r.kind = EventKind::kBounce;
      r.aux = i;
      w_.events.push(std::move(r));
    }
  }
  if (w_.trace) {
    for (const model::FaultPeriod& p : schedule_) {
      w_.note("scheduled " + time_text(p.start) + "-" + time_text(p.end) + " s: " + p.description());
    }
  }
}

void Faults::begin_period(std::size_t i) {
  if (!w_.workload) return;
  active_ = i;
  if (schedule_[i].kind == model::FaultKind::kBounce) {
    for (const std::string& n : schedule_[i].nodes) net_.slow_links(index(n), bounce_gap());
  }
  model::begin_fault(schedule_[i], *this);
}

void Faults::bounce(std::size_t i) {
  if (active_ != i) return;
  model::bounce(schedule_[i], *this);
}

void Faults::end_period(std::size_t i) {
  if (active_ != i) return;
  active_.reset();
  model::end_fault(schedule_[i], *this);
  if (schedule_[i].kind == model::FaultKind::kBounce) {
    for (const std::string& n : schedule_[i].nodes) net_.slow_links(index(n), 0);
  }
}

void Faults::end_all() {
  if (active_) end_period(*active_);
}

void Faults::partition(const model::Partition& p) {
  net_.partition(p);
  if (w_.trace) w_.note("nemesis partition " + p.description());
}

void Faults::heal() {
  net_.heal();
  if (w_.trace) w_.note("nemesis heal");
}

void Faults::kill(const std::string& node) {
  const std::size_t i = index(node);
  NodeSlot& s = *w_.nodes[i];
  // A bounce is a process crash: what the process sent is on its way and arrives, and its disk
  // keeps what it wrote.
  const bool bounce = active_ && schedule_[*active_].kind == model::FaultKind::kBounce;
  // With a disk a kill is a process crash, or now and then a power loss; either way the disk
  // outlives it.
  const bool power_loss = s.disk && !bounce && s.disk_rng->below(1'000'000) < w_.cfg.power_loss_ppm;
  // Drawn only when asked for, so that runs without --bit-flips keep their random streams.
  const bool bit_flip = s.disk && w_.cfg.bit_flip_ppm > 0 && s.disk_rng->below(1'000'000) < w_.cfg.bit_flip_ppm;
  if (w_.trace) w_.note("nemesis kill " + node + (!s.disk ? "" : power_loss ? " (power loss)" : " (process crash)"));
  // A kill that lost the disk too (disk-loss, replica-loss) explains a loss without a flip.
  const bool disk_loss = active_ && (schedule_[*active_].kind == model::FaultKind::kDiskLoss ||
                                     schedule_[*active_].kind == model::FaultKind::kReplicaLoss);
  take_down(i, power_loss, bit_flip, disk_loss, bit_flip && !disk_loss ? " and a bit of its disk flipped" : "");
  if (w_.cfg.kill_loses_in_flight && !bounce) s.lost_below = s.incarnation;
}

void Faults::take_down(std::size_t i, bool power_loss, bool bit_flip, bool disk_loss, const std::string& how) {
  NodeSlot& s = *w_.nodes[i];
  const std::string& node = s.id;
  s.count_process(w_.stats);
  // What a kill may take from the cluster, for the explanation of lost writes: everything in
  // memory without a disk; with one, what a power loss takes when not every turn is synced,
  // and all of it when the disk is lost next (disk-loss, replica-loss); a flipped bit may take
  // the rest of the file it lands in (recovery keeps what precedes a damaged record).
  const bool may_lose = !s.disk || disk_loss || bit_flip ||
                        (power_loss && w_.cfg.node.durability.store.fsync != FsyncPolicy::kBatch);
  if (may_lose) losses_.before_kill(i, how);
  ++s.incarnation;
  s.stopped_by_io = false;
  s.node.reset();
  s.clock.reset();
  s.out.clear();
  s.inbox.clear();
  s.paused = false;
  if (s.disk) {
    const std::vector<std::string> changed = s.disk->crash(power_loss ? CrashKind::kPowerLoss : CrashKind::kProcess);
    if (w_.trace) {
      for (const std::string& line : changed) w_.note("disk " + node + ": " + line);
    }
    if (bit_flip) {
      // In the files recovery reads: the logs and snapshots (not a lock, an abandoned .tmp, or a
      // file moved aside as .damaged).
      const std::optional<MemoryFileSystem::BitFlip> flip = s.disk->flip_random_bit([](const std::string& path) {
        const std::string name = path.substr(path.rfind('/') + 1);
        return (name.rfind("log-", 0) == 0 || name.rfind("snapshot-", 0) == 0) && name.find('.') == std::string::npos;
      });
      if (flip) ++w_.stats.bit_flips;
      if (w_.trace && flip) {
        w_.note("disk " + node + ": bit " + std::to_string(flip->bit) + " of byte " + std::to_string(flip->offset) +
                " of " + flip->path + " flipped");
      }
    }
  }
}

void Faults::collect_stopped() {
  for (std::size_t i = 0; i < w_.nodes.size(); ++i) {
    NodeSlot& s = *w_.nodes[i];
    if (!s.stopped_by_io) continue;
    // The binary exits 74 and its supervisor starts it again. The kernel may have dropped the
    // pages it failed to write back (Linux marks them clean after a failed fdatasync), so the
    // disk is treated as after a power loss: only what was synced is sure to be there.
    const std::string failure = s.node ? s.node->durability().failure() : std::string("?");
    ++w_.stats.io_stops;
    const Micros delay = 100'000 + static_cast<Micros>(s.disk_rng->below(900'001));
    if (w_.trace) {
      w_.note(s.id + " stopped on a disk I/O error (" + failure + "): exit 74, taken down as a power loss; "
              "restarted in " + time_text(delay) + " s");
    }
    take_down(i, true, false, false, " (it stopped on a disk I/O error, as after a power loss)");
    Event e;
    e.at = w_.now + delay;
    e.kind = EventKind::kRestartStopped;
    e.to = static_cast<int>(i);
    e.aux = s.incarnation;
    w_.events.push(std::move(e));
  }
}

void Faults::restart_stopped(std::size_t i, std::uint64_t incarnation) {
  NodeSlot& s = *w_.nodes[i];
  // Not if a fault took it down again meanwhile (its own restart comes at the period's end).
  if (s.up() || s.incarnation != incarnation) return;
  if (w_.trace) w_.note("supervisor restart " + s.id + " (recovers its disk, init)");
  boot(i);
}

void Faults::end_io_errors() {
  for (const auto& s : w_.nodes) {
    if (s->disk) s->disk->set_error_rates(0, 0);
  }
}

void Faults::wipe(const std::string& node) {
  NodeSlot& s = *w_.nodes[index(node)];
  if (!s.disk) return;
  if (w_.trace) w_.note("nemesis wipe " + node + " (its disk is lost)");
  s.disk->wipe();
}

void Faults::restart(const std::string& node) {
  if (w_.trace) {
    w_.note("nemesis restart " + node + (w_.nodes[index(node)]->disk ? " (recovers its disk, init)" : " (empty store, init)"));
  }
  boot(index(node));
}

void Faults::pause(const std::string& node) {
  if (w_.trace) w_.note("nemesis pause " + node);
  w_.nodes[index(node)]->paused = true;
}

void Faults::resume(const std::string& node) {
  const std::size_t i = index(node);
  NodeSlot& s = *w_.nodes[i];
  if (w_.trace) w_.note("nemesis resume " + node + " (" + std::to_string(s.inbox.size()) + " messages waited)");
  s.paused = false;
  if (!s.up()) return;  // it stopped on a disk I/O error meanwhile: its restart is queued
  // The timers that fell due while it was stopped run now, then the input that waited.
  s.clock->advance_to(w_.now / 1000);
  net_.flush(i);
  std::vector<std::string> inbox = std::move(s.inbox);
  s.inbox.clear();
  for (const std::string& line : inbox) {
    if (!s.up() || s.paused) break;
    net_.feed(i, line);
  }
}

}  // namespace vckv::sim
