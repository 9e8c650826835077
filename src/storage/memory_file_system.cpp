#include "vckv/storage/memory_file_system.hpp"

#include <algorithm>
#include <utility>

namespace vckv {

struct MemoryFileSystem::Inode {
  std::string data;
  std::uint64_t synced = 0;  // data[0, synced) survives a power loss
  // A truncation below the synced size, not yet synced itself: where it cut and the synced
  // bytes it cut off, which a power loss may bring back.
  bool truncation_unsynced = false;
  std::uint64_t truncated_at = 0;
  std::string cut_bytes;
};

// A process: alive until the disk crashes. Handles stop working when theirs is dead.
struct MemoryFileSystem::Process {
  bool alive = true;
};

namespace {

IoStatus memory_failure(const char* call, const std::string& path, const char* what) {
  return IoStatus::failure(std::string(call) + " " + path + ": " + what);
}

}  // namespace

class MemoryFileSystem::AppendHandle : public AppendFile {
 public:
  AppendHandle(MemoryFileSystem* disk, std::shared_ptr<Inode> inode, std::string path)
      : disk_(disk), inode_(std::move(inode)), process_(disk->process_), path_(std::move(path)) {}

  IoStatus append(std::string_view bytes) override {
    if (!process_->alive) return memory_failure("write", path_, "process is dead (simulated)");
    if (disk_->chance(disk_->options_.append_error_per_million)) {
      const std::uint64_t part = disk_->uniform(bytes.size() + 1);
      inode_->data.append(bytes.substr(0, static_cast<std::size_t>(part)));
      return memory_failure("write", path_, "Input/output error (simulated)");
    }
    inode_->data.append(bytes);
    disk_->stats_.bytes_appended += bytes.size();
    ++disk_->stats_.appends;
    return {};
  }

  IoResult<SyncInfo> sync() override {
    if (!process_->alive) return memory_failure("fdatasync", path_, "process is dead (simulated)");
    IoResult<SyncInfo> outcome = disk_->draw_sync_outcome();
    if (!outcome.ok()) return memory_failure("fdatasync", path_, "Input/output error (simulated)");
    inode_->synced = inode_->data.size();
    inode_->truncation_unsynced = false;
    inode_->cut_bytes.clear();
    return outcome;
  }

  std::uint64_t size() const override { return inode_->data.size(); }

  // Counted only: a real disk may or may not have written the range when a crash comes, so
  // the simulated one keeps treating it as unsynced.
  void start_writeback() override { ++disk_->stats_.writebacks; }

 private:
  MemoryFileSystem* disk_;
  std::shared_ptr<Inode> inode_;
  std::shared_ptr<Process> process_;
  std::string path_;
};

class MemoryFileSystem::LockHandle : public FileLock {
 public:
  LockHandle(MemoryFileSystem* disk, std::string path)
      : disk_(disk), path_(std::move(path)), process_(disk->process_) {}
  ~LockHandle() override {
    if (process_->alive) disk_->locks_.erase(path_);  // a dead process's locks are gone already
  }

 private:
  MemoryFileSystem* disk_;
  std::string path_;
  std::shared_ptr<Process> process_;
};

IoResult<SyncInfo> MemoryFileSystem::draw_sync_outcome() {
  if (chance(options_.sync_error_per_million)) return IoStatus::failure("EIO");
  SyncInfo info;
  const std::int64_t spread =
      std::max<std::int64_t>(options_.sync_latency_max_us - options_.sync_latency_min_us, 0);
  info.latency_us = options_.sync_latency_min_us +
                    static_cast<std::int64_t>(uniform(static_cast<std::uint64_t>(spread) + 1));
  if (chance(options_.slow_sync_per_million)) info.latency_us *= options_.slow_sync_factor;
  ++stats_.syncs;
  stats_.sync_latency_us += info.latency_us;
  return info;
}

MemoryFileSystem::MemoryFileSystem(FaultRandom random, SimulatedDiskOptions options)
    : random_(std::move(random)),
      options_(options),
      process_(std::make_shared<Process>()) {}

MemoryFileSystem::~MemoryFileSystem() { process_->alive = false; }

bool MemoryFileSystem::chance(std::uint32_t per_million) {
  return per_million > 0 && random_() % 1000000 < per_million;
}

std::uint64_t MemoryFileSystem::uniform(std::uint64_t bound) {
  return bound == 0 ? 0 : random_() % bound;
}

std::string MemoryFileSystem::parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

IoStatus MemoryFileSystem::create_dirs(const std::string& path) {
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      const std::string dir = path.substr(0, i);
      if (files_.count(dir)) return memory_failure("mkdir", dir, "File exists (a file)");
      dirs_.insert(dir);
    }
  }
  return {};
}

IoResult<std::unique_ptr<AppendFile>> MemoryFileSystem::open_append(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (!dirs_.count(parent_of(path))) {
      return memory_failure("open", path, "No such file or directory");
    }
    auto inode = std::make_shared<Inode>();
    it = files_.emplace(path, inode).first;
    unsynced_names_.push_back({NameChange::kCreate, path, {}, inode});
  }
  return std::unique_ptr<AppendFile>(new AppendHandle(this, it->second, path));
}

IoResult<std::string> MemoryFileSystem::read_file(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return memory_failure("open", path, "No such file or directory");
  return it->second->data;
}

IoResult<std::string> MemoryFileSystem::read_range(const std::string& path,
                                                   std::uint64_t offset, std::size_t max_bytes) {
  auto it = files_.find(path);
  if (it == files_.end()) return memory_failure("open", path, "No such file or directory");
  const std::string& data = it->second->data;
  if (offset >= data.size()) return std::string();
  return data.substr(static_cast<std::size_t>(offset), max_bytes);
}

IoResult<std::uint64_t> MemoryFileSystem::file_size(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return memory_failure("stat", path, "No such file or directory");
  return static_cast<std::uint64_t>(it->second->data.size());
}

IoStatus MemoryFileSystem::truncate(const std::string& path, std::uint64_t size) {
  auto it = files_.find(path);
  if (it == files_.end()) return memory_failure("truncate", path, "No such file or directory");
  Inode& inode = *it->second;
  if (size < inode.data.size()) {
    if (size < inode.synced) {
      // Remember the synced bytes this cuts, until a sync makes the cut durable.
      if (!inode.truncation_unsynced) {
        inode.cut_bytes = inode.data.substr(static_cast<std::size_t>(size),
                                            static_cast<std::size_t>(inode.synced - size));
      } else {
        inode.cut_bytes = inode.data.substr(static_cast<std::size_t>(size),
                                            static_cast<std::size_t>(inode.synced - size)) +
                          inode.cut_bytes;
      }
      inode.truncation_unsynced = true;
      inode.truncated_at = size;
      inode.synced = size;
    }
    inode.data.resize(static_cast<std::size_t>(size));
  } else {
    inode.data.resize(static_cast<std::size_t>(size), '\0');
  }
  return {};
}

IoStatus MemoryFileSystem::rename(const std::string& from, const std::string& to) {
  auto it = files_.find(from);
  if (it == files_.end()) {
    return memory_failure("rename", from + " to " + to, "No such file or directory");
  }
  if (!dirs_.count(parent_of(to))) {
    return memory_failure("rename", from + " to " + to, "No such file or directory");
  }
  std::shared_ptr<Inode> inode = it->second;
  files_.erase(it);
  files_[to] = inode;
  unsynced_names_.push_back({NameChange::kRename, from, to, inode});
  return {};
}

IoStatus MemoryFileSystem::remove(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return memory_failure("unlink", path, "No such file or directory");
  unsynced_names_.push_back({NameChange::kRemove, path, {}, it->second});
  files_.erase(it);
  return {};
}

IoResult<std::vector<std::string>> MemoryFileSystem::list_dir(const std::string& path) {
  if (!dirs_.count(path)) return memory_failure("list", path, "No such file or directory");
  std::vector<std::string> names;
  const std::string prefix = path + "/";
  for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    const std::string name = it->first.substr(prefix.size());
    if (name.find('/') == std::string::npos) names.push_back(name);
  }
  return names;  // std::map order: sorted
}

void MemoryFileSystem::apply_durably(const NameChange& change) {
  switch (change.kind) {
    case NameChange::kCreate:
      durable_[change.path] = change.inode;
      break;
    case NameChange::kRename:
      durable_.erase(change.path);
      durable_[change.to] = change.inode;
      break;
    case NameChange::kRemove:
      durable_.erase(change.path);
      break;
  }
}

IoStatus MemoryFileSystem::sync_dir(const std::string& path) {
  if (!dirs_.count(path)) return memory_failure("fsync", path, "No such file or directory");
  ++stats_.dir_syncs;
  // The changes made in this directory become durable; others keep their order.
  std::vector<NameChange> rest;
  for (const NameChange& change : unsynced_names_) {
    const bool here = parent_of(change.path) == path ||
                      (change.kind == NameChange::kRename && parent_of(change.to) == path);
    if (here) {
      apply_durably(change);
    } else {
      rest.push_back(change);
    }
  }
  unsynced_names_ = std::move(rest);
  return {};
}

IoResult<std::unique_ptr<FileLock>> MemoryFileSystem::lock_file(const std::string& path) {
  auto held = locks_.find(path);
  if (held != locks_.end()) {
    return IoStatus::failure(path + " is locked by process " + std::to_string(held->second));
  }
  IoResult<std::unique_ptr<AppendFile>> file = open_append(path);
  if (!file.ok()) return file.status();
  // The lock file records its holder, as flock's does (truncated, then the pid).
  Inode& inode = *files_[path];
  inode.data = std::to_string(pid_) + "\n";
  locks_[path] = pid_;
  return std::unique_ptr<FileLock>(new LockHandle(this, path));
}

std::string MemoryFileSystem::crash_file(const std::string& name, Inode& inode) {
  std::string what;
  if (inode.truncation_unsynced && uniform(2) == 0) {
    inode.data.resize(static_cast<std::size_t>(inode.truncated_at));
    inode.data += inode.cut_bytes;
    what = name + ": truncation undone (" + std::to_string(inode.data.size()) + " bytes)";
  } else if (inode.data.size() > inode.synced) {
    const std::uint64_t unsynced = inode.data.size() - inode.synced;
    std::uint64_t keep = 0;
    switch (uniform(3)) {
      case 0: keep = 0; break;
      case 1: keep = unsynced; break;
      default: keep = uniform(unsynced + 1); break;
    }
    inode.data.resize(static_cast<std::size_t>(inode.synced + keep));
    what = name + ": kept " + std::to_string(keep) + " of " + std::to_string(unsynced) +
           " unsynced bytes";
    if (keep > 0 && chance(options_.torn_write_per_million)) {
      const std::uint64_t from = inode.synced + uniform(keep);
      const std::uint64_t length = 1 + uniform(inode.synced + keep - from);
      const bool zeros = uniform(2) == 0;
      for (std::uint64_t i = from; i < from + length; ++i) {
        inode.data[static_cast<std::size_t>(i)] =
            zeros ? '\0' : static_cast<char>(random_() & 0xff);
      }
      what += ", " + std::to_string(length) + " from " + std::to_string(from) +
              (zeros ? " zeroed" : " garbled");
    }
  }
  inode.synced = inode.data.size();
  inode.truncation_unsynced = false;
  inode.cut_bytes.clear();
  return what;
}

std::vector<std::string> MemoryFileSystem::crash(CrashKind kind) {
  process_->alive = false;
  process_ = std::make_shared<Process>();
  locks_.clear();
  std::vector<std::string> report;
  if (kind == CrashKind::kProcess) return report;

  // Name changes: a prefix of the unsynced ones, in order, survives.
  const std::uint64_t kept = uniform(unsynced_names_.size() + 1);
  for (std::uint64_t i = 0; i < kept; ++i) apply_durably(unsynced_names_[i]);
  if (!unsynced_names_.empty()) {
    report.push_back("names: " + std::to_string(kept) + " of " +
                     std::to_string(unsynced_names_.size()) + " unsynced changes kept");
  }
  unsynced_names_.clear();
  files_ = durable_;
  // Contents: each surviving file once (a file may have two names only through a rename that
  // was undone, which leaves one of them).
  std::set<Inode*> done;
  for (auto& [name, inode] : files_) {
    if (!done.insert(inode.get()).second) continue;
    std::string what = crash_file(name, *inode);
    if (!what.empty()) report.push_back(std::move(what));
  }
  return report;
}

void MemoryFileSystem::wipe() {
  process_->alive = false;
  process_ = std::make_shared<Process>();
  locks_.clear();
  files_.clear();
  durable_.clear();
  unsynced_names_.clear();
  dirs_.clear();
}

std::optional<MemoryFileSystem::BitFlip> MemoryFileSystem::flip_random_bit(
    const std::function<bool(const std::string& path)>& eligible) {
  std::uint64_t total = 0;
  for (const auto& [name, inode] : files_) {
    if (!eligible || eligible(name)) total += inode->data.size();
  }
  if (total == 0) return std::nullopt;
  std::uint64_t at = uniform(total);
  for (auto& [name, inode] : files_) {
    if (eligible && !eligible(name)) continue;
    if (at < inode->data.size()) {
      const int bit = static_cast<int>(uniform(8));
      inode->data[static_cast<std::size_t>(at)] ^= static_cast<char>(1 << bit);
      return BitFlip{name, at, bit};
    }
    at -= inode->data.size();
  }
  return std::nullopt;
}

bool MemoryFileSystem::flip_bit(const std::string& path, std::uint64_t offset, int bit) {
  auto it = files_.find(path);
  if (it == files_.end() || offset >= it->second->data.size() || bit < 0 || bit > 7) return false;
  it->second->data[static_cast<std::size_t>(offset)] ^= static_cast<char>(1 << bit);
  return true;
}

bool MemoryFileSystem::exists(const std::string& path) const { return files_.count(path) > 0; }

std::uint64_t MemoryFileSystem::synced_size(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second->synced;
}

}  // namespace vckv
