// The durable store's write path (record, commit) and compaction. Opening and recovery are in
// recovery.cpp. The design and the argument for compaction: durable_store.hpp.
#include "vckv/storage/durable_store.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "durable_store_internal.hpp"
#include "key_directory.hpp"
#include "record_stream.hpp"

namespace vckv {

using detail::record_location;

// A step's copy reads the fixed budget plus at least this many bytes of input for each byte
// the turn logged: the input is about twice the live data when a compaction starts, so the log
// written while it runs stays near a quarter of the live data, and the files it leaves near
// 1.25x. A small store's input is the floor (compaction_min_bytes), many times its live data:
// from the switch on, a step copies four times the input over the live data per logged byte
// (at most compaction_max_step_bytes), so the log written meanwhile stays near a quarter of
// the live data there too.
constexpr std::uint64_t kCopyPerLoggedByte = 8;

std::optional<FsyncPolicy> parse_fsync_policy(std::string_view name) {
  if (name == "batch") return FsyncPolicy::kBatch;
  if (name == "interval") return FsyncPolicy::kInterval;
  if (name == "never") return FsyncPolicy::kNever;
  return std::nullopt;
}

const char* fsync_policy_name(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kBatch: return "batch";
    case FsyncPolicy::kInterval: return "interval";
    case FsyncPolicy::kNever: return "never";
  }
  return "?";
}

IoResult<std::string> node_data_dir(std::string_view base, std::string_view node_id) {
  if (node_id.empty() || node_id == "." || node_id == ".." ||
      node_id.find('/') != std::string_view::npos ||
      node_id.find('\0') != std::string_view::npos) {
    return IoStatus::failure("node id \"" + std::string(node_id) +
                             "\" cannot name a directory under --data-dir");
  }
  std::string dir(base);
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty()) return IoStatus::failure("--data-dir is empty");
  return dir + "/" + std::string(node_id);
}

DurableStore::DurableStore(FileSystem& fs, std::string dir, const DurableStoreOptions& options)
    : fs_(fs),
      dir_(std::move(dir)),
      options_(options),
      hasher_(std::make_unique<detail::EntryHasher>(options.hash_seed)),
      keys_(std::make_unique<detail::KeyDirectory>()) {}

DurableStore::~DurableStore() = default;

void DurableStore::fail(std::string why) {
  if (failure_.empty()) failure_ = std::move(why);
  pending_.clear();
  recorded_.clear();
}

// A record was appended to pending_ from start. The key directory learns of it at commit, in a
// batch: its name (SipHash-2-4 and the mix hash of its entry's name, read back from the record)
// in name_recorded, its place once its offset in the log is known in apply_recorded. Only its
// place is kept now, so the code a change runs between a request and its reply stays small:
// the node runs request after request through the same instructions, and every hash and probe
// run in between evicts some of them from the instruction cache (cachegrind's simulated one
// misses about 30% less often with the naming at commit, for about as many instructions).
void DurableStore::record_entry(std::string_view key, std::size_t start) {
  const std::size_t size = pending_.size() - start;
  if (size - kRecordHeaderBytes > std::numeric_limits<std::uint32_t>::max()) {
    pending_.resize(start);
    fail("a record of " + std::to_string(size) + " bytes for key " + std::string(key) +
         " is over the log format's limit of 4 GiB");
    return;
  }
  recorded_.push_back(RecordedEntry{start, static_cast<std::uint32_t>(size)});
  ++stats_.records;
}

bool DurableStore::name_recorded() {
  names_.resize(recorded_.size());
  for (std::size_t i = 0; i < recorded_.size(); ++i) {
    const RecordedEntry& r = recorded_[i];
    const char* record = pending_.data() + r.start;
    const auto type = static_cast<std::uint8_t>(record[kRecordHeaderBytes - 1]);
    const std::string_view payload(record + kRecordHeaderBytes, r.size - kRecordHeaderBytes);
    if (!named_.decode_entry(type, payload)) {
      fail("a record of type " + std::to_string(type) + " written at offset " +
           std::to_string(r.start) + " of the turn's records names no entry (a bug)");
      return false;
    }
    names_[i] = hasher_->of(entry_space(named_.type), named_.target, named_.key);
  }
  return true;
}

void DurableStore::apply_recorded(std::uint64_t base) {
  // Prefetching a few entries ahead: the directory is larger than the caches, and a turn's
  // records go to slots all over it.
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < recorded_.size(); ++i) {
    if (i + kAhead < recorded_.size()) keys_->prefetch(names_[i + kAhead]);
    const RecordedEntry& r = recorded_[i];
    const auto type = static_cast<RecordType>(pending_[r.start + kRecordHeaderBytes - 1]);
    if (removes_entry(type)) {
      keys_->erase(names_[i]);
    } else {
      keys_->put(names_[i], record_location(log_id_, base + r.start), r.size);
    }
  }
  recorded_.clear();
}

void DurableStore::record_key(std::string_view key, const VersionRef* versions,
                              std::size_t count) {
  if (failed()) return;
  if (count == 0) return record_key_removed(key);
  const std::size_t start = pending_.size();
  append_key_state(pending_, key, versions, count);
  record_entry(key, start);
}

void DurableStore::record_key_removed(std::string_view key) {
  if (failed()) return;
  const std::size_t start = pending_.size();
  append_key_removed(pending_, key);
  record_entry(key, start);
}

void DurableStore::record_hint(std::string_view target, std::string_view key,
                               const VersionRef* versions, std::size_t count) {
  if (failed()) return;
  if (count == 0) return record_hint_removed(target, key);
  const std::size_t start = pending_.size();
  append_hint_state(pending_, target, key, versions, count);
  record_entry(key, start);
}

void DurableStore::record_hint_removed(std::string_view target, std::string_view key) {
  if (failed()) return;
  const std::size_t start = pending_.size();
  append_hint_removed(pending_, target, key);
  record_entry(key, start);
}

void DurableStore::record_dot_counter(std::string_view key, std::uint64_t counter) {
  if (failed()) return;
  const std::size_t start = pending_.size();
  append_dot_counter(pending_, key, counter);
  record_entry(key, start);
}

IoStatus DurableStore::sync_log(CommitResult* into) {
  IoResult<SyncInfo> synced = log_->sync();
  if (!synced.ok()) return synced.status();
  ++stats_.syncs;
  stats_.sync_latency_us += synced.value().latency_us;
  if (into) into->sync_latency_us += synced.value().latency_us;
  unsynced_bytes_ = 0;
  written_back_at_ = 0;
  return {};
}

CommitResult DurableStore::commit(std::int64_t now_ms) {
  CommitResult result;
  if (failed()) {
    result.ok = false;
    result.error = failure_;
    return result;
  }
  if (!pending_.empty()) {
    const std::uint64_t base = log_->size();
    if (base + pending_.size() > detail::kMaxFileOffset) {
      fail(path(files_.back().name) + " would pass the log format's limit of 1 TiB");
    }
    if (failed() || !name_recorded()) {
      result.ok = false;
      result.error = failure_;
      return result;
    }
    IoStatus written = log_->append(pending_);
    files_.back().size = files_.back().valid = log_->size();
    if (!written.ok()) {
      fail(written.error());
      result.ok = false;
      result.error = failure_;
      return result;
    }
    apply_recorded(base);
    result.bytes_written = pending_.size();
    if (unsynced_bytes_ == 0) unsynced_since_ms_ = now_ms;
    unsynced_bytes_ += pending_.size();
    committed_since_step_ += pending_.size();
    ++stats_.commits;
    stats_.bytes_logged += pending_.size();
    pending_.clear();
  }
  bool sync = false;
  switch (options_.fsync) {
    case FsyncPolicy::kBatch: sync = unsynced_bytes_ > 0; break;
    case FsyncPolicy::kInterval:
      sync = unsynced_bytes_ > 0 && now_ms - unsynced_since_ms_ >= options_.fsync_interval_ms;
      break;
    case FsyncPolicy::kNever: break;
  }
  if (!sync && unsynced_bytes_ - written_back_at_ >= kWritebackBytes) {
    // Under interval and never, the log's dirty pages start on their way to the disk a
    // megabyte at a time, so the fdatasync that comes (the interval's, a compaction's switch)
    // finds little left to write rather than stalling the loop on all of it.
    log_->start_writeback();
    written_back_at_ = unsynced_bytes_;
  }
  if (sync) {
    IoStatus synced = sync_log(&result);
    if (!synced.ok()) {
      fail(synced.error());
      result.ok = false;
      result.error = failure_;
      return result;
    }
  }
  result.synced = unsynced_bytes_ == 0;
  return result;
}

std::optional<std::int64_t> DurableStore::sync_due_ms() const {
  if (options_.fsync != FsyncPolicy::kInterval || unsynced_bytes_ == 0) return std::nullopt;
  return unsynced_since_ms_ + options_.fsync_interval_ms;
}

std::uint64_t DurableStore::disk_bytes() const {
  std::uint64_t total = 0;
  for (const FileInfo& f : files_) total += f.size;
  if (compaction_) {
    const Compaction& c = *compaction_;
    if (c.out) total += c.out->size();
    if (c.new_log) total += c.new_log->size();
    if (c.phase == Compaction::kRemove) {
      for (std::size_t i = c.input; i < c.inputs.size(); ++i) {
        total += i == c.input ? c.remaining : c.inputs[i].size;
      }
    }
  }
  return total;
}

const DurableStoreStats& DurableStore::stats() const {
  stats_.disk_bytes = disk_bytes();
  stats_.live_bytes = keys_->live_bytes();
  stats_.entries = keys_->size();
  stats_.index_memory_bytes = keys_->memory_bytes();
  return stats_;
}

bool DurableStore::compaction_due() const {
  if (compaction_ || compaction_disabled_ || failed()) return false;
  const std::uint64_t disk = disk_bytes();
  return disk >= options_.compaction_min_bytes && disk > 2 * keys_->live_bytes();
}

IoStatus DurableStore::create_log(std::uint64_t number) {
  const std::string name = file_name(FileKind::kLog, number);
  IoResult<std::unique_ptr<AppendFile>> opened = fs_.open_append(path(name));
  if (!opened.ok()) return opened.status();
  std::unique_ptr<AppendFile> file = std::move(opened.value());
  std::string header;
  append_file_header(header, FileKind::kLog, number);
  IoStatus written = file->append(header);
  if (!written.ok()) return written;
  IoResult<SyncInfo> synced = file->sync();
  if (!synced.ok()) return synced.status();
  // (Its name is made durable by the directory sync that ends recovery, the only caller.)
  log_ = std::move(file);
  log_id_ = file_id(FileKind::kLog, number);
  unsynced_bytes_ = 0;
  written_back_at_ = 0;
  FileInfo info;
  info.name = name;
  info.kind = FileKind::kLog;
  info.number = number;
  info.id = log_id_;
  info.size = info.valid = log_->size();
  files_.push_back(info);
  return {};
}

// Phase kCreate: log M and snapshot-M.tmp, each with its header, and log M synced; nothing
// switches yet (records still go to the current log).
IoStatus DurableStore::compaction_create(CompactionProgress& progress) {
  const std::uint64_t number = next_number_;
  if (file_id(FileKind::kSnapshot, number) > detail::kMaxFileId) {
    return IoStatus::failure("file numbers are used up (" + std::to_string(number) + ")");
  }
  ++next_number_;
  auto c = std::make_unique<Compaction>();
  c->number = number;
  c->snapshot_id = file_id(FileKind::kSnapshot, number);
  c->tmp_name = file_name(FileKind::kSnapshot, number) + ".tmp";
  compaction_ = std::move(c);
  Compaction& cc = *compaction_;
  IoResult<std::unique_ptr<AppendFile>> out = fs_.open_append(path(cc.tmp_name));
  if (!out.ok()) return out.status();
  cc.out = std::move(out.value());
  std::string header;
  append_file_header(header, FileKind::kSnapshot, number);
  IoStatus written = cc.out->append(header);
  cc.unsynced = true;
  if (!written.ok()) return written;
  IoResult<std::unique_ptr<AppendFile>> log = fs_.open_append(path(file_name(FileKind::kLog, number)));
  if (!log.ok()) return log.status();
  cc.new_log = std::move(log.value());
  header.clear();
  append_file_header(header, FileKind::kLog, number);
  written = cc.new_log->append(header);
  if (!written.ok()) return written;
  IoResult<SyncInfo> synced = cc.new_log->sync();
  if (!synced.ok()) return synced.status();
  progress.sync_latency_us += synced.value().latency_us;
  cc.phase = Compaction::kSwitch;
  return {};
}

// Phase kSwitch: the current log, complete on disk (so damage found in it later is damage, not
// a crash), becomes input; the directory is synced so log M's name is durable; every record
// from now on goes to log M.
IoStatus DurableStore::compaction_switch(CompactionProgress& progress) {
  Compaction& c = *compaction_;
  // Under interval, wait for the commit that syncs (within fsync_interval_ms) rather than add
  // a sync of everything written since the last one to this step.
  if (unsynced_bytes_ > 0 && options_.fsync == FsyncPolicy::kInterval) return {};
  if (unsynced_bytes_ > 0) {  // under never (under batch, commit synced it)
    CommitResult synced;
    IoStatus s = sync_log(&synced);
    progress.sync_latency_us += synced.sync_latency_us;
    if (!s.ok()) {
      fail(s.error());
      return s;
    }
  }
  IoStatus dir_synced = fs_.sync_dir(dir_);
  if (!dir_synced.ok()) {
    fail(dir_synced.error());
    return dir_synced;
  }
  c.inputs = files_;
  // Every entry's last record is in the input now (nothing was logged to log M yet). With at
  // most compaction_list_entries of them, the copy works from their list, in the input's order
  // (its locations name the input's index, not the file id): taking and sorting it costs a few
  // ms at most in this step. A larger directory is copied by scanning the input instead, whose
  // cost per step is bounded by the step's budget.
  c.by_list = keys_->size() <= options_.compaction_list_entries;
  if (c.by_list) keys_->append_entries(c.live);
  for (detail::KeyDirectory::Entry& e : c.live) {
    std::uint32_t index = 0;
    while (index < c.inputs.size() && c.inputs[index].id != detail::location_file(e.location)) {
      ++index;
    }
    if (index == c.inputs.size()) {
      c.live.clear();
      return IoStatus::failure("the key directory names file " +
                               std::to_string(detail::location_file(e.location)) +
                               ", which is not among the files compaction replaces");
    }
    e.location = detail::record_location(index, detail::location_offset(e.location));
  }
  std::sort(c.live.begin(), c.live.end(),
            [](const detail::KeyDirectory::Entry& a, const detail::KeyDirectory::Entry& b) {
              return a.location < b.location;
            });
  c.next_live = 0;
  std::uint64_t input_bytes = 0;
  for (const FileInfo& f : c.inputs) input_bytes += f.size;
  // Whole: a small input; or a small store (live data at most half of compaction_whole_bytes,
  // copied from the directory's list) whose input is the floor: reading it back costs a few ms,
  // and the files it leaves are the live records alone (a turn of --fsync batch can log more
  // than such a store holds, so a compaction spread over turns would leave several times it).
  c.whole = input_bytes <= options_.compaction_whole_bytes ||
            (c.by_list && keys_->live_bytes() * 2 <= options_.compaction_whole_bytes &&
             input_bytes <= 2 * options_.compaction_min_bytes &&
             input_bytes <= options_.compaction_max_step_bytes);
  const std::uint64_t live = std::max<std::uint64_t>(keys_->live_bytes(), 1);
  c.copy_per_logged = std::max(kCopyPerLoggedByte,
                               std::min<std::uint64_t>(input_bytes / live, std::uint64_t{1} << 24) * 4);
  log_ = std::move(c.new_log);
  log_id_ = file_id(FileKind::kLog, c.number);
  FileInfo info;
  info.name = file_name(FileKind::kLog, c.number);
  info.kind = FileKind::kLog;
  info.number = c.number;
  info.id = log_id_;
  info.size = info.valid = log_->size();
  files_.push_back(info);
  c.phase = Compaction::kCopy;
  return {};
}

IoStatus DurableStore::copy_by_list(std::size_t budget, CompactionProgress& progress, bool* done) {
  Compaction& c = *compaction_;
  std::size_t consumed = 0;
  // A read covers the next live record and the ones after it in the same file, up to this many
  // bytes (dead records between them are read and skipped).
  const std::size_t window = std::max<std::size_t>(options_.compaction_step_bytes, 4096);
  while (consumed < budget && c.next_live < c.live.size()) {
    const detail::KeyDirectory::Entry& first = c.live[c.next_live];
    const std::uint32_t input = detail::location_file(first.location);  // index into inputs
    const std::uint64_t start = detail::location_offset(first.location);
    std::uint64_t end = start + first.size;
    const std::size_t limit = std::min(window, budget - consumed);  // past it: the first alone
    std::size_t last = c.next_live + 1;
    for (; last < c.live.size(); ++last) {
      const detail::KeyDirectory::Entry& e = c.live[last];
      const std::uint64_t e_end = detail::location_offset(e.location) + e.size;
      if (detail::location_file(e.location) != input || e_end - start > limit) break;
      end = e_end;
    }
    const FileInfo* in = &c.inputs[input];
    IoResult<std::string> read =
        fs_.read_range(path(in->name), start, static_cast<std::size_t>(end - start));
    if (!read.ok()) return read.status();
    const std::string& bytes = read.value();
    consumed += bytes.size();
    progress.bytes_read += bytes.size();
    for (std::size_t i = c.next_live; i < last; ++i) {
      const detail::KeyDirectory::Entry& e = c.live[i];
      const detail::Fingerprint fp{e.high, e.low};
      const std::uint64_t offset = detail::location_offset(e.location);
      const std::uint64_t location = detail::record_location(in->id, offset);
      const detail::KeyDirectory::Entry* now = keys_->find(fp);
      if (now == nullptr || now->location != location) continue;  // replaced since the switch
      const std::size_t at = static_cast<std::size_t>(offset - start);
      const Frame frame =
          at < bytes.size() ? read_frame(std::string_view(bytes).substr(at)) : Frame{};
      if (frame.status != Frame::kRecord || frame.size != e.size) {
        const std::string what = frame.status == Frame::kRecord
                                     ? "a record of " + std::to_string(frame.size) +
                                           " bytes where " + std::to_string(e.size) +
                                           " were logged"
                                     : std::string(frame_status_name(frame.status));
        return IoStatus::failure(path(in->name) + ": " + what + " at offset " +
                                 std::to_string(offset) + " (found by compaction)");
      }
      keys_->relocate(fp, location,
                      detail::record_location(c.snapshot_id, c.out->size() + c.buffer.size()));
      c.buffer.append(frame.bytes.data(), frame.bytes.size());
      ++c.records;
    }
    c.next_live = last;
    if (c.buffer.size() >= window) {  // written as it grows: one window's bytes in memory
      IoStatus written = flush_copied(progress);
      if (!written.ok()) return written;
    }
  }
  *done = c.next_live >= c.live.size();
  if (*done) {
    c.live.clear();
    c.live.shrink_to_fit();
  }
  return {};
}

IoStatus DurableStore::copy_by_scan(std::size_t budget, CompactionProgress& progress, bool* done) {
  Compaction& c = *compaction_;
  *done = false;
  std::size_t consumed = 0;
  while (consumed < budget) {
    if (c.input >= c.inputs.size()) {
      *done = true;
      break;
    }
    const FileInfo& in = c.inputs[c.input];
    if (!c.stream) {
      c.stream = std::make_unique<detail::RecordStream>(
          fs_, path(in.name), in.valid,
          std::min(budget, std::max<std::size_t>(options_.compaction_step_bytes, 4096)));
    }
    const detail::RecordStream::Result r =
        c.stream->next_batch(c.frames, c.offsets, 32, budget - consumed);
    if (r == detail::RecordStream::kEnd) {
      c.stream.reset();
      ++c.input;
      continue;
    }
    if (r == detail::RecordStream::kIoError) return IoStatus::failure(c.stream->error());
    if (r == detail::RecordStream::kDamaged) {
      return IoStatus::failure(path(in.name) + ": " +
                               frame_status_name(c.stream->damaged_status()) + " at offset " +
                               std::to_string(c.stream->offset()) + " (found by compaction)");
    }
    // Name the batch's records and prefetch their slots, then copy those still last.
    c.names.assign(c.frames.size(), detail::Fingerprint{});
    for (std::size_t i = 0; i < c.frames.size(); ++i) {
      const Frame& frame = c.frames[i];
      const RecordType type = static_cast<RecordType>(frame.type);
      if (entry_space(type) == EntrySpace::kNone || removes_entry(type)) continue;
      if (!c.scratch.decode_entry(frame.type, frame.payload)) {
        return IoStatus::failure(path(in.name) + ": malformed record at offset " +
                                 std::to_string(c.offsets[i]) + " (found by compaction)");
      }
      c.names[i] = hasher_->of(entry_space(type), c.scratch.target, c.scratch.key);
      keys_->prefetch(c.names[i]);
    }
    for (std::size_t i = 0; i < c.frames.size(); ++i) {
      const Frame& frame = c.frames[i];
      consumed += frame.size;
      progress.bytes_read += frame.size;
      const RecordType type = static_cast<RecordType>(frame.type);
      if (entry_space(type) == EntrySpace::kNone || removes_entry(type)) continue;
      const std::uint64_t to = record_location(c.snapshot_id, c.out->size() + c.buffer.size());
      if (keys_->relocate(c.names[i], record_location(in.id, c.offsets[i]), to)) {
        c.buffer.append(frame.bytes.data(), frame.bytes.size());
        ++c.records;
      }
    }
  }
  return {};
}

IoStatus DurableStore::copy_live_records(std::size_t budget, CompactionProgress& progress,
                                         bool* done) {
  Compaction& c = *compaction_;
  IoStatus copied = c.by_list ? copy_by_list(budget, progress, done) : copy_by_scan(budget, progress, done);
  if (!copied.ok()) return copied;
  IoStatus written = flush_copied(progress);
  if (!written.ok()) return written;
  // Synced each step so the seal's fdatasync has one step's bytes to write, not all; the
  // step that finishes the copy goes on to the seal, which syncs it.
  if (c.unsynced && !*done) {
    IoResult<SyncInfo> synced = c.out->sync();
    if (!synced.ok()) return synced.status();
    progress.sync_latency_us += synced.value().latency_us;
    c.unsynced = false;
  }
  return {};
}

IoStatus DurableStore::flush_copied(CompactionProgress& progress) {
  Compaction& c = *compaction_;
  if (c.buffer.empty()) return {};
  IoStatus written = c.out->append(c.buffer);
  if (!written.ok()) return written;
  progress.bytes_written += c.buffer.size();
  stats_.compaction_bytes_written += c.buffer.size();
  c.buffer.clear();
  c.unsynced = true;
  return {};
}

// Phase kSeal: the snapshot's end record, synced; and the current log synced, so that every
// record that made the copy skip an older one is on disk before the older one's file goes
// (with --fsync interval or never it may not be yet; under batch commit synced it).
IoStatus DurableStore::compaction_seal(CompactionProgress& progress) {
  Compaction& c = *compaction_;
  if (unsynced_bytes_ > 0 && options_.fsync == FsyncPolicy::kInterval) return {};  // as above
  std::string end;
  append_snapshot_end(end, c.records);
  IoStatus written = c.out->append(end);
  if (!written.ok()) return written;
  progress.bytes_written += end.size();
  IoResult<SyncInfo> synced = c.out->sync();
  if (!synced.ok()) return synced.status();
  progress.sync_latency_us += synced.value().latency_us;
  if (unsynced_bytes_ > 0) {  // under never
    CommitResult log_synced;
    IoStatus s = sync_log(&log_synced);
    progress.sync_latency_us += log_synced.sync_latency_us;
    if (!s.ok()) {
      fail(s.error());
      return s;
    }
  }
  c.phase = Compaction::kInstall;
  return {};
}

// Phase kInstall: the rename that puts snapshot-M in place, made durable.
IoStatus DurableStore::compaction_install() {
  Compaction& c = *compaction_;
  const std::string name = file_name(FileKind::kSnapshot, c.number);
  IoStatus renamed = fs_.rename(path(c.tmp_name), path(name));
  if (!renamed.ok()) return renamed;
  // From here on the snapshot is in place: a failure is the store's, not the compaction's.
  IoStatus dir_synced = fs_.sync_dir(dir_);
  if (!dir_synced.ok()) {
    fail(dir_synced.error());
    return dir_synced;
  }
  FileInfo snapshot;
  snapshot.name = name;
  snapshot.kind = FileKind::kSnapshot;
  snapshot.number = c.number;
  snapshot.id = c.snapshot_id;
  snapshot.size = snapshot.valid = c.out->size();
  std::vector<FileInfo> kept{snapshot};
  for (const FileInfo& f : files_) {
    if (f.number >= c.number) kept.push_back(f);
  }
  files_ = std::move(kept);
  c.out.reset();
  c.input = 0;
  c.remaining = c.inputs.empty() ? 0 : c.inputs[0].size;
  c.phase = Compaction::kRemove;
  return {};
}

// Phase kRemove: the input goes, a piece at a time. Unlinking a big file can take tens of ms
// (ext4 frees its extents, and with online discard trims them), so a file is first cut by at
// most removal_chunk bytes a step, then unlinked. Recovery ignores these files meanwhile (they
// are numbered below the snapshot) and removes what a crash leaves of them.
void DurableStore::compaction_remove(std::size_t budget, CompactionProgress& progress) {
  Compaction& c = *compaction_;
  const std::uint64_t chunk =
      std::max<std::uint64_t>(std::uint64_t{options_.compaction_step_bytes} * 16, budget);
  if (c.input < c.inputs.size()) {
    const FileInfo& in = c.inputs[c.input];
    IoStatus done;
    bool gone = true;
    if (in.damaged) {
      done = move_aside(in.name);
    } else if (c.remaining > chunk) {
      c.remaining -= chunk;
      done = fs_.truncate(path(in.name), c.remaining);
      gone = !done.ok();  // if it cannot be cut, try no further: the next open removes it
    } else {
      done = fs_.remove(path(in.name));
    }
    if (!done.ok() && progress.error.empty()) {
      progress.error = "compaction finished but could not remove its input: " + done.error();
    }
    if (gone) {
      ++c.input;
      c.remaining = c.input < c.inputs.size() ? c.inputs[c.input].size : 0;
    }
  }
  if (c.input >= c.inputs.size()) {
    ++stats_.compactions;
    compaction_.reset();
    progress.finished = true;
  }
}

IoStatus DurableStore::move_aside(const std::string& name) {
  std::string aside = name + ".damaged";
  for (int k = 1; fs_.file_size(path(aside)).ok(); ++k) {
    aside = name + ".damaged." + std::to_string(k);
  }
  IoStatus renamed = fs_.rename(path(name), path(aside));
  if (renamed.ok()) moved_aside_[name] = aside;
  return renamed;
}

void DurableStore::abandon_compaction(const std::string& why, CompactionProgress& progress) {
  if (compaction_) {
    compaction_->out.reset();
    (void)fs_.remove(path(compaction_->tmp_name));
    if (compaction_->new_log) {  // created, never switched to: nothing was logged in it
      compaction_->new_log.reset();
      (void)fs_.remove(path(file_name(FileKind::kLog, compaction_->number)));
    }
    compaction_.reset();
  }
  // The key directory may name records in the abandoned .tmp: no compaction until the next
  // open rebuilds it.
  compaction_disabled_ = true;
  progress.error = "compaction abandoned: " + why;
}

std::string file_name(FileKind kind, std::uint64_t number) {
  std::string digits = std::to_string(number);
  if (digits.size() < 10) digits.insert(0, 10 - digits.size(), '0');
  return (kind == FileKind::kLog ? "log-" : "snapshot-") + digits;
}

CompactionProgress DurableStore::compact_step() {
  // step + per_byte * logged, saturating.
  auto budget = [&](std::uint64_t per_byte) -> std::uint64_t {
    const std::uint64_t most =
        std::numeric_limits<std::size_t>::max() - options_.compaction_step_bytes;
    return options_.compaction_step_bytes +
           (committed_since_step_ > most / per_byte ? most : per_byte * committed_since_step_);
  };
  std::uint64_t bytes = budget(kCopyPerLoggedByte);
  if (compaction_ && compaction_->copy_per_logged > kCopyPerLoggedByte) {
    bytes = std::max(bytes, std::min(budget(compaction_->copy_per_logged),
                                     options_.compaction_max_step_bytes));
  }
  return compact(static_cast<std::size_t>(bytes), false);
}

CompactionProgress DurableStore::compact(std::size_t budget, bool force) {
  CompactionProgress progress;
  if (failed() || !pending_.empty()) {
    progress.running = compaction_running();
    return progress;
  }
  committed_since_step_ = 0;
  if (!compaction_ && !force && !compaction_due()) return progress;
  // A step runs the phases in order until the copy has read its budget, removal has cut its
  // piece, or a phase waits for the log's sync (interval); a whole compaction (small input)
  // and recovery (force) run them all.
  for (;;) {
    IoStatus status;
    bool done = false;
    const Compaction::Phase phase = compaction_ ? compaction_->phase : Compaction::kCreate;
    const bool unbounded = force || (compaction_ && compaction_->whole);
    switch (phase) {
      case Compaction::kCreate: status = compaction_create(progress); break;
      case Compaction::kSwitch: status = compaction_switch(progress); break;
      case Compaction::kCopy:
        status = copy_live_records(unbounded ? SIZE_MAX : budget, progress, &done);
        if (status.ok() && done) compaction_->phase = Compaction::kSeal;
        break;
      case Compaction::kSeal: status = compaction_seal(progress); break;
      case Compaction::kInstall: status = compaction_install(); break;
      case Compaction::kRemove: compaction_remove(budget, progress); break;
    }
    if (!status.ok()) {
      if (failed()) {
        compaction_.reset();
        progress.error = status.error();
      } else {
        abandon_compaction(status.error(), progress);
      }
      break;
    }
    if (!compaction_) break;  // finished
    const bool moved_on = compaction_->phase != phase;
    const bool more_removal = phase == Compaction::kRemove && (force || compaction_->whole);
    if (!moved_on && !more_removal) break;
  }
  progress.running = compaction_running();
  return progress;
}

}  // namespace vckv
