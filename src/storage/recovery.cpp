// Opening a data directory: the lock, then recovery as docs/log-format.md "Recovery" says.
// Pass 1 checks every record and builds the key directory (where each entry's last record is);
// pass 2 hands each entry's last record to the node, once. Damage at the end of the last log
// is a torn write and is cut off; damage anywhere else keeps what precedes it, and the
// recovered state is then written as a new snapshot before the damaged file is moved aside.
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "durable_store_internal.hpp"
#include "encoding.hpp"
#include "key_directory.hpp"
#include "record_stream.hpp"
#include "vckv/storage/durable_store.hpp"

namespace vckv {

using detail::record_location;

namespace {

// "log-0000000042" -> 42 (kind log); nullopt for other names.
std::optional<std::uint64_t> parse_file_number(const std::string& name, std::string_view prefix,
                                               std::string_view suffix) {
  if (name.size() <= prefix.size() + suffix.size()) return std::nullopt;
  if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return std::nullopt;
  const std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 18) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

bool known_record_type(std::uint8_t type) {
  return type >= static_cast<std::uint8_t>(RecordType::kFileHeader) &&
         type <= static_cast<std::uint8_t>(RecordType::kSnapshotEnd);
}

// The first offset in bytes at which a whole record with a good checksum and a known type
// starts, or nullopt.
std::optional<std::size_t> find_record(std::string_view bytes) {
  for (std::size_t i = 0; i + kRecordHeaderBytes <= bytes.size(); ++i) {
    if (!known_record_type(static_cast<std::uint8_t>(bytes[i + 8]))) continue;
    if (read_frame(bytes.substr(i)).status == Frame::kRecord) return i;
  }
  return std::nullopt;
}

std::string plural(std::uint64_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

struct DurableStore::Recovery {
  Recovery(DurableStore& s, RecoveryVisitor& v, RecoveryReport& r)
      : store(s), visitor(v), report(r) {}
  DurableStore& store;
  RecoveryVisitor& visitor;
  RecoveryReport& report;
  std::vector<FileInfo> files;        // what is replayed, in order
  std::vector<std::string> obsolete;  // below the newest snapshot: removed at the end
  std::map<std::string, std::uint64_t> salvaged;  // dot counters found after damage
  std::map<std::string, std::uint64_t> relog;     // salvaged counters larger than what survived
  struct Damage {
    std::string name;
    std::uint64_t offset;
    std::uint64_t lost_bytes;
    std::string why;
    std::uint64_t counters;
  };
  std::vector<Damage> damage;
  LogRecord record;
  static constexpr std::size_t kBatch = 64;  // records looked at ahead of the key directory
  std::size_t tail = 0;  // the first log at the end of the log (see run)
  std::vector<Frame> frames;
  std::vector<std::uint64_t> offsets;

  std::string path(const std::string& name) const { return store.path(name); }
  std::string list_files();
  std::string check_file(FileInfo& f, bool last_log);
  void damaged(FileInfo& f, std::uint64_t offset, const std::string& why, bool last_log);
  void salvage_counters(std::string_view bytes);
  std::string deliver(const FileInfo& f);
  void deliver_record(RecordType type);  // the one in record
  std::string finish();
  std::string run();
};

std::string DurableStore::Recovery::list_files() {
  IoResult<std::vector<std::string>> names = store.fs_.list_dir(store.dir_);
  if (!names.ok()) return names.error();
  std::vector<std::pair<std::uint64_t, std::string>> snapshots;
  std::vector<std::pair<std::uint64_t, std::string>> logs;
  std::uint64_t largest = 0;
  for (const std::string& name : names.value()) {
    if (parse_file_number(name, "snapshot-", ".tmp")) {
      // An interrupted compaction's output: never read.
      IoStatus removed = store.fs_.remove(path(name));
      if (!removed.ok()) return removed.error();
    } else if (auto n = parse_file_number(name, "snapshot-", "")) {
      snapshots.emplace_back(*n, name);
      largest = std::max(largest, *n);
    } else if (auto m = parse_file_number(name, "log-", "")) {
      logs.emplace_back(*m, name);
      largest = std::max(largest, *m);
    }
  }
  if (file_id(FileKind::kSnapshot, largest) > detail::kMaxFileId) {
    return path(file_name(FileKind::kLog, largest)) + ": file number over the limit of " +
           std::to_string(detail::kMaxFileId / 2);
  }
  store.next_number_ = largest + 1;
  std::sort(snapshots.begin(), snapshots.end());
  std::sort(logs.begin(), logs.end());
  std::uint64_t base = 0;
  if (!snapshots.empty()) {
    base = snapshots.back().first;
    FileInfo f;
    f.name = snapshots.back().second;
    f.kind = FileKind::kSnapshot;
    f.number = base;
    files.push_back(f);
    snapshots.pop_back();
    for (const auto& s : snapshots) obsolete.push_back(s.second);
  }
  for (const auto& [number, name] : logs) {
    if (number < base) {
      obsolete.push_back(name);
      continue;
    }
    FileInfo f;
    f.name = name;
    f.kind = FileKind::kLog;
    f.number = number;
    files.push_back(f);
  }
  for (FileInfo& f : files) {
    f.id = file_id(f.kind, f.number);
    IoResult<std::uint64_t> size = store.fs_.file_size(path(f.name));
    if (!size.ok()) return size.error();
    f.size = f.valid = size.value();
  }
  return {};
}

void DurableStore::Recovery::salvage_counters(std::string_view bytes) {
  std::size_t i = 0;
  while (i + kRecordHeaderBytes <= bytes.size()) {
    const std::uint8_t type = static_cast<std::uint8_t>(bytes[i + 8]);
    const Frame frame = known_record_type(type) ? read_frame(bytes.substr(i)) : Frame();
    if (frame.status != Frame::kRecord) {
      ++i;
      continue;
    }
    if (type == static_cast<std::uint8_t>(RecordType::kDotCounter) &&
        record.decode(type, frame.payload, nullptr)) {
      std::uint64_t& counter = salvaged[std::string(record.key)];
      counter = std::max(counter, record.number);
      ++damage.back().counters;
    }
    i += frame.size;
  }
}

void DurableStore::Recovery::damaged(FileInfo& f, std::uint64_t offset, const std::string& why,
                                     bool last_log) {
  f.valid = offset;
  std::string rest;
  if (offset + 1 < f.size) {
    IoResult<std::string> read = store.fs_.read_range(
        path(f.name), offset + 1, static_cast<std::size_t>(f.size - offset - 1));
    if (read.ok()) rest = std::move(read.value());
  }
  if (last_log && !find_record(rest)) {
    // Nothing whole after it: a write the crash cut short. Nothing after it was synced (a sync
    // would have made it whole), so nothing acknowledged under --fsync batch is lost.
    report.warnings.push_back(path(f.name) + ": " + why + " at offset " + std::to_string(offset) +
                              ": cut off the last " + plural(f.size - offset, "byte") +
                              ", a write interrupted by a crash");
    return;
  }
  f.damaged = true;
  damage.push_back(Damage{f.name, offset, f.size - offset, why, 0});
  salvage_counters(rest);
}

// at_tail: f is a log at the end of the log (see run), where damage may be a torn write.
std::string DurableStore::Recovery::check_file(FileInfo& f, bool last_log) {
  detail::RecordStream stream(store.fs_, path(f.name), f.size, store.options_.read_chunk_bytes);
  bool first = true;
  bool ended = false;
  std::uint64_t entries = 0;
  // A batch at a time: check and name every record, prefetching each one's slot in the key
  // directory, then apply them in order (the table is far larger than the caches).
  struct Change {
    detail::Fingerprint fp;
    bool removes;
    std::uint64_t offset;
    std::uint32_t size;
  };
  std::vector<Change> changes;
  for (;;) {
    const detail::RecordStream::Result r = stream.next_batch(frames, offsets, kBatch);
    if (r == detail::RecordStream::kIoError) return stream.error();
    if (r == detail::RecordStream::kDamaged) {
      damaged(f, stream.offset(), frame_status_name(stream.damaged_status()), last_log);
      return {};
    }
    if (r == detail::RecordStream::kEnd) break;
    changes.clear();
    std::size_t good = frames.size();
    std::string why;
    for (std::size_t i = 0; i < frames.size() && good == frames.size(); ++i) {
      const Frame& frame = frames[i];
      ++report.records;
      report.bytes += frame.size;
      if (!record.decode(frame.type, frame.payload, &why)) {
        if (!known_record_type(frame.type) || why == "unsupported format version") {
          return path(f.name) + ": offset " + std::to_string(offsets[i]) + ": " + why + " (" +
                 std::to_string(frame.type) +
                 "): written by a newer vclock-kv? The directory was left as it is";
        }
        good = i;
      } else if (first) {
        first = false;
        if (record.type != RecordType::kFileHeader || record.file_kind != f.kind ||
            record.number != f.number) {
          why = "no file header naming this file";
          good = i;
        }
      } else if (ended) {
        why = "a record after the snapshot's end";
        good = i;
      } else if (record.type == RecordType::kFileHeader) {
        why = "a second file header";
        good = i;
      } else if (record.type == RecordType::kSnapshotEnd) {
        if (f.kind != FileKind::kSnapshot || record.number != entries) {
          why = "a snapshot end that does not match";
          good = i;
        }
        ended = true;
      } else {
        ++entries;
        const detail::Fingerprint fp =
            store.hasher_->of(entry_space(record.type), record.target, record.key);
        store.keys_->prefetch(fp);
        changes.push_back(Change{fp, removes_entry(record.type), offsets[i],
                                 static_cast<std::uint32_t>(frame.size)});
      }
    }
    for (const Change& c : changes) {
      if (c.removes) {
        store.keys_->erase(c.fp);
      } else {
        store.keys_->put(c.fp, record_location(f.id, c.offset), c.size);
      }
    }
    if (good < frames.size()) {
      damaged(f, offsets[good], why, last_log);
      return {};
    }
  }
  if (first && f.size == 0 && last_log) {
    report.warnings.push_back(path(f.name) +
                              ": empty (created just before a crash); its header is written now");
    return {};
  }
  if (first) {
    damaged(f, 0, "no file header", last_log);
  } else if (f.kind == FileKind::kSnapshot && !ended) {
    damaged(f, f.size, "no snapshot end: the snapshot is incomplete", false);
  }
  return {};
}

std::string DurableStore::Recovery::deliver(const FileInfo& f) {
  detail::RecordStream stream(store.fs_, path(f.name), f.valid, store.options_.read_chunk_bytes);
  std::vector<detail::Fingerprint> names;
  for (;;) {
    const detail::RecordStream::Result r = stream.next_batch(frames, offsets, kBatch);
    if (r == detail::RecordStream::kEnd) return {};
    if (r == detail::RecordStream::kIoError) return stream.error();
    if (r == detail::RecordStream::kDamaged) {
      return path(f.name) + ": changed while it was being recovered (offset " +
             std::to_string(stream.offset()) + ")";
    }
    // Name every record of the batch and prefetch its slot, then look them up.
    names.assign(frames.size(), detail::Fingerprint{});
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const RecordType type = static_cast<RecordType>(frames[i].type);
      if (entry_space(type) == EntrySpace::kNone || removes_entry(type)) continue;
      if (!record.decode_entry(frames[i].type, frames[i].payload)) continue;  // checked in pass 1
      names[i] = store.hasher_->of(entry_space(type), record.target, record.key);
      store.keys_->prefetch(names[i]);
    }
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const RecordType type = static_cast<RecordType>(frames[i].type);
      if (entry_space(type) == EntrySpace::kNone || removes_entry(type)) continue;
      const detail::KeyDirectory::Entry* entry = store.keys_->find(names[i]);
      if (!entry || entry->location != record_location(f.id, offsets[i])) continue;
      if (!record.decode(frames[i].type, frames[i].payload, nullptr)) continue;
      deliver_record(type);
    }
  }
}

void DurableStore::Recovery::deliver_record(RecordType type) {
  switch (type) {
    case RecordType::kKeyState:
      visitor.on_key(record.key, record.versions);
      ++report.keys;
      break;
    case RecordType::kHintState:
      visitor.on_hint(record.target, record.key, record.versions);
      ++report.hints;
      break;
    case RecordType::kDotCounter: {
      std::uint64_t counter = record.number;
      auto found = salvaged.find(std::string(record.key));
      if (found != salvaged.end()) {
        if (found->second > counter) {
          counter = found->second;
          relog.insert(*found);
        }
        salvaged.erase(found);
      }
      visitor.on_dot_counter(record.key, counter);
      ++report.dot_counters;
      break;
    }
    default:
      break;
  }
}

std::string DurableStore::Recovery::finish() {
  store.files_ = files;
  if (!damage.empty()) {
    // Write what was recovered as a new snapshot (the damaged files' good records included)
    // and move the damaged files aside, so the next start recovers the same state.
    CompactionProgress p = store.compact(std::numeric_limits<std::size_t>::max(), true);
    if (!p.finished) {
      return "could not write the recovered state after finding damage: " +
             (p.error.empty() ? store.failure_ : p.error);
    }
    for (const auto& [key, counter] : relog) store.record_dot_counter(key, counter);
    CommitResult committed = store.commit(0);
    if (committed.ok && !committed.synced) {
      CommitResult synced;
      IoStatus s = store.sync_log(&synced);
      if (!s.ok()) committed.error = s.error();
      committed.ok = s.ok();
    }
    if (!committed.ok) return committed.error;
    for (const Damage& d : damage) {
      auto aside = store.moved_aside_.find(d.name);
      std::string text = path(d.name) + ": " + d.why + " at offset " + std::to_string(d.offset) +
                         ", before the end: kept the records before it, lost the " +
                         plural(d.lost_bytes, "byte") + " from there (anti-entropy refills them)";
      if (d.counters > 0) text += "; kept " + plural(d.counters, "dot counter") + " found after it";
      text += aside == store.moved_aside_.end() ? "; could not move the file aside"
                                                : "; moved aside to " + aside->second;
      report.errors.push_back(text);
    }
  } else if (!files.empty() && files.back().kind == FileKind::kLog) {
    // The logs at the end (the last one, and one before a log created and never written to)
    // may end in a torn write, to cut, or in records a killed process wrote and never synced
    // (still in the page cache; a power loss would take them): cut and sync each, so what was
    // recovered is on disk before the node uses it. Logs before them were synced when they
    // were rotated.
    for (std::size_t i = tail; i < store.files_.size(); ++i) {
      FileInfo& f = store.files_[i];
      if (f.kind != FileKind::kLog) continue;
      if (f.valid < f.size) {
        IoStatus truncated = store.fs_.truncate(path(f.name), f.valid);
        if (!truncated.ok()) return truncated.error();
        f.size = f.valid;
      }
      if (i + 1 == store.files_.size()) continue;  // the last: opened and synced below
      IoResult<std::unique_ptr<AppendFile>> file = store.fs_.open_append(path(f.name));
      if (!file.ok()) return file.error();
      IoResult<SyncInfo> synced = file.value()->sync();
      if (!synced.ok()) return synced.error();
    }
    FileInfo& last = store.files_.back();
    IoResult<std::unique_ptr<AppendFile>> opened = store.fs_.open_append(path(last.name));
    if (!opened.ok()) return opened.error();
    store.log_ = std::move(opened.value());
    store.log_id_ = last.id;
    if (store.log_->size() == 0) {
      std::string header;
      append_file_header(header, FileKind::kLog, last.number);
      IoStatus written = store.log_->append(header);
      if (!written.ok()) return written.error();
    }
    IoResult<SyncInfo> synced = store.log_->sync();
    if (!synced.ok()) return synced.error();
    last.size = last.valid = store.log_->size();
  } else {
    IoStatus created = store.create_log(store.next_number_++);
    if (!created.ok()) return created.error();
  }
  for (const std::string& name : obsolete) (void)store.fs_.remove(path(name));
  // A process that died after creating a file and before syncing the directory leaves a name
  // that a power loss can still take, with everything appended to the file since: make every
  // name in the directory durable before anything is acknowledged.
  IoStatus synced = store.fs_.sync_dir(store.dir_);
  if (!synced.ok()) return synced.error();
  return {};
}

std::string DurableStore::Recovery::run() {
  std::string error = list_files();
  if (!error.empty()) return error;
  report.files = files.size();
  // The end of the log is the end of the last log holding a record after its header: a log
  // created after it and not yet written to (a compaction's new log, created a step before the
  // switch to it) leaves that one at the end, and a write cut short there is a torn tail.
  tail = files.size();
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files[i].kind != FileKind::kLog) continue;
    const std::uint64_t header = kRecordHeaderBytes + 9 + storage_encoding::varint_size(files[i].number);
    if (tail == files.size() || files[i].size > header) tail = i;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    // Room in the key directory for what is coming, so it does not grow (and rehash) as
    // recovery fills it: a snapshot holds one record per entry, of 40 bytes or so; a log's
    // records are half rewrites of an entry, say.
    std::uint64_t coming = 0;
    for (std::size_t j = i; j < files.size(); ++j) {
      coming += files[j].kind == FileKind::kSnapshot ? files[j].size / 40 : files[j].size / 96;
    }
    store.keys_->reserve(static_cast<std::size_t>(store.keys_->size() + coming));
    const bool at_tail = files[i].kind == FileKind::kLog && i >= tail;
    error = check_file(files[i], at_tail);
    if (!error.empty()) return error;
  }
  for (const FileInfo& f : files) {
    error = deliver(f);
    if (!error.empty()) return error;
  }
  // Counters found only after damage.
  for (const auto& [key, counter] : salvaged) {
    visitor.on_dot_counter(key, counter);
    ++report.dot_counters;
    relog.emplace(key, counter);
  }
  return finish();
}

DurableStore::Opened DurableStore::open(FileSystem& fs, const std::string& dir,
                                        const DurableStoreOptions& options,
                                        RecoveryVisitor& visitor) {
  Opened opened;
  std::unique_ptr<DurableStore> store(new DurableStore(fs, dir, options));
  IoStatus created = fs.create_dirs(dir);
  if (!created.ok()) {
    opened.error = created.error();
    return opened;
  }
  IoResult<std::unique_ptr<FileLock>> lock = fs.lock_file(dir + "/LOCK");
  if (!lock.ok()) {
    opened.error = "data directory " + dir + " is in use by another node: " + lock.error();
    return opened;
  }
  store->lock_ = std::move(lock.value());
  Recovery recovery(*store, visitor, opened.report);
  const std::string error = recovery.run();
  if (!error.empty()) {
    opened.error = "recovering " + dir + ": " + error;
    return opened;
  }
  opened.store = std::move(store);
  return opened;
}

}  // namespace vckv
