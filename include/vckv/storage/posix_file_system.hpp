// The file system over real files: open(2)/write(2)/fdatasync(2)/rename(2) and friends, locks
// with flock(2). Every failure's text names the call, the path and strerror(errno). Blocking
// calls: the durable store makes them at most once per event-loop turn (see durable_store.hpp).
#pragma once

#include "vckv/storage/file_system.hpp"

namespace vckv {

class PosixFileSystem : public FileSystem {
 public:
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
  // flock(LOCK_EX | LOCK_NB) on an fd kept open while the lock lives: released when it is
  // destroyed or the process dies (no stale lock after a kill -9). Two opens in one process
  // conflict too (flock locks belong to the open file, not the process).
  IoResult<std::unique_ptr<FileLock>> lock_file(const std::string& path) override;
};

}  // namespace vckv
