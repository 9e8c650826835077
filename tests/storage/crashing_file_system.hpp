// A file system that dies in the middle of things (for the storage tests): it passes every
// call to a MemoryFileSystem until a given number of changing calls (append, sync, truncate,
// rename, remove, directory sync, creating a file) have been made; that call fails (an append
// leaves half its bytes behind) and so does every call after it, as if the process had died
// right there. The test then crashes the disk and recovers from it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "vckv/storage/memory_file_system.hpp"

namespace vckv::storage_test {

class CrashingFileSystem : public FileSystem {
 public:
  // Dies at the changing call numbered die_at (0 = the first); never if die_at is UINT64_MAX.
  CrashingFileSystem(MemoryFileSystem& disk, std::uint64_t die_at) : disk_(disk), die_at_(die_at) {}

  bool dead() const { return dead_; }
  std::uint64_t changes() const { return changes_; }

  // True if this changing call may go ahead.
  bool allow() {
    if (dead_) return false;
    if (changes_++ == die_at_) {
      dead_ = true;
      return false;
    }
    return true;
  }

  IoStatus create_dirs(const std::string& path) override {
    if (dead_) return died();
    return disk_.create_dirs(path);
  }
  IoResult<std::unique_ptr<AppendFile>> open_append(const std::string& path) override {
    if (!disk_.exists(path) && !allow()) return died();
    if (dead_) return died();
    IoResult<std::unique_ptr<AppendFile>> inner = disk_.open_append(path);
    if (!inner.ok()) return inner;
    return std::unique_ptr<AppendFile>(new File(this, std::move(inner.value())));
  }
  IoResult<std::string> read_file(const std::string& path) override {
    if (dead_) return died();
    return disk_.read_file(path);
  }
  IoResult<std::string> read_range(const std::string& path, std::uint64_t offset,
                                   std::size_t max_bytes) override {
    if (dead_) return died();
    return disk_.read_range(path, offset, max_bytes);
  }
  IoResult<std::uint64_t> file_size(const std::string& path) override {
    if (dead_) return died();
    return disk_.file_size(path);
  }
  IoStatus truncate(const std::string& path, std::uint64_t size) override {
    return allow() ? disk_.truncate(path, size) : died();
  }
  IoStatus rename(const std::string& from, const std::string& to) override {
    return allow() ? disk_.rename(from, to) : died();
  }
  IoStatus remove(const std::string& path) override {
    return allow() ? disk_.remove(path) : died();
  }
  IoResult<std::vector<std::string>> list_dir(const std::string& path) override {
    if (dead_) return died();
    return disk_.list_dir(path);
  }
  IoStatus sync_dir(const std::string& path) override {
    return allow() ? disk_.sync_dir(path) : died();
  }
  IoResult<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    if (dead_) return died();
    return disk_.lock_file(path);
  }

 private:
  static IoStatus died() { return IoStatus::failure("the process died here (test)"); }

  class File : public AppendFile {
   public:
    File(CrashingFileSystem* fs, std::unique_ptr<AppendFile> inner)
        : fs_(fs), inner_(std::move(inner)) {}
    IoStatus append(std::string_view bytes) override {
      if (fs_->dead_) return died();
      if (!fs_->allow()) {
        (void)inner_->append(bytes.substr(0, bytes.size() / 2));
        return died();
      }
      return inner_->append(bytes);
    }
    IoResult<SyncInfo> sync() override {
      if (!fs_->allow()) return died();
      return inner_->sync();
    }
    std::uint64_t size() const override { return inner_->size(); }

   private:
    CrashingFileSystem* fs_;
    std::unique_ptr<AppendFile> inner_;
  };

  MemoryFileSystem& disk_;
  std::uint64_t die_at_;
  std::uint64_t changes_ = 0;
  bool dead_ = false;
};

}  // namespace vckv::storage_test
