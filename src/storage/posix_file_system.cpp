#include "vckv/storage/posix_file_system.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <utility>

namespace vckv {
namespace {

IoStatus posix_failure(const char* call, const std::string& path, int error) {
  return IoStatus::failure(std::string(call) + " " + path + ": " + std::strerror(error));
}

// Closes an fd when it goes out of scope.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

int open_retrying(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

class PosixAppendFile : public AppendFile {
 public:
  PosixAppendFile(int fd, std::string path, std::uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixAppendFile() override { ::close(fd_); }

  IoStatus append(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return posix_failure("write", path_, errno);
      }
      size_ += static_cast<std::uint64_t>(n);
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }

  IoResult<SyncInfo> sync() override {
    const auto start = std::chrono::steady_clock::now();
    int r;
    do {
      r = ::fdatasync(fd_);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return posix_failure("fdatasync", path_, errno);
    SyncInfo info;
    info.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    return info;
  }

  std::uint64_t size() const override { return size_; }

  void start_writeback() override {
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    // Asynchronous write-out of the new range (Linux); an error here shows again at sync().
    if (size_ > written_back_) {
      (void)::sync_file_range(fd_, static_cast<off_t>(written_back_),
                              static_cast<off_t>(size_ - written_back_), SYNC_FILE_RANGE_WRITE);
      written_back_ = size_;
    }
#endif
  }

 private:
  int fd_;
  std::string path_;
  std::uint64_t size_;
  std::uint64_t written_back_ = size_;  // start_writeback started everything before this
};

class PosixFileLock : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing the last fd releases the flock

 private:
  int fd_;
};

// Reads what fd holds from offset, up to max_bytes.
IoResult<std::string> read_fd(int fd, const std::string& path, std::uint64_t offset,
                              std::size_t max_bytes) {
  std::string out;
  std::size_t chunk = std::min<std::size_t>(max_bytes, std::size_t{1} << 20);
  while (out.size() < max_bytes) {
    const std::size_t at = out.size();
    out.resize(at + std::min(chunk, max_bytes - at));
    const ssize_t n = ::pread(fd, out.data() + at, out.size() - at,
                              static_cast<off_t>(offset + at));
    if (n < 0) {
      if (errno == EINTR) {
        out.resize(at);
        continue;
      }
      return posix_failure("read", path, errno);
    }
    out.resize(at + static_cast<std::size_t>(n));
    if (n == 0) break;
    chunk = std::min<std::size_t>(chunk * 2, std::size_t{64} << 20);
  }
  return out;
}

}  // namespace

IoStatus PosixFileSystem::create_dirs(const std::string& path) {
  // mkdir -p: each prefix ending before a '/', then the whole path. (Not std::filesystem: its
  // header brings std::quoted into the single-file build, where the node has a quoted() too.)
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    const std::string prefix = path.substr(0, i);
    if (::mkdir(prefix.c_str(), 0755) == 0 || errno == EEXIST) continue;
    return posix_failure("mkdir", prefix, errno);
  }
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return posix_failure("stat", path, errno);
  if (!S_ISDIR(st.st_mode)) return posix_failure("mkdir", path, ENOTDIR);
  return {};
}

IoResult<std::unique_ptr<AppendFile>> PosixFileSystem::open_append(const std::string& path) {
  const int fd = open_retrying(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return posix_failure("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) < 0) {
    const int error = errno;
    ::close(fd);
    return posix_failure("stat", path, error);
  }
  return std::unique_ptr<AppendFile>(
      new PosixAppendFile(fd, path, static_cast<std::uint64_t>(st.st_size)));
}

IoResult<std::string> PosixFileSystem::read_file(const std::string& path) {
  FdCloser fd(open_retrying(path.c_str(), O_RDONLY));
  if (fd.get() < 0) return posix_failure("open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return posix_failure("stat", path, errno);
  // Read to the end even if the file grew since fstat.
  return read_fd(fd.get(), path, 0, static_cast<std::size_t>(-1) / 2);
}

IoResult<std::string> PosixFileSystem::read_range(const std::string& path, std::uint64_t offset,
                                                  std::size_t max_bytes) {
  FdCloser fd(open_retrying(path.c_str(), O_RDONLY));
  if (fd.get() < 0) return posix_failure("open", path, errno);
  return read_fd(fd.get(), path, offset, max_bytes);
}

IoResult<std::uint64_t> PosixFileSystem::file_size(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return posix_failure("stat", path, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

IoStatus PosixFileSystem::truncate(const std::string& path, std::uint64_t size) {
  int r;
  do {
    r = ::truncate(path.c_str(), static_cast<off_t>(size));
  } while (r < 0 && errno == EINTR);
  if (r < 0) return posix_failure("truncate", path, errno);
  return {};
}

IoStatus PosixFileSystem::rename(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return posix_failure("rename", from + " to " + to, errno);
  }
  return {};
}

IoStatus PosixFileSystem::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return posix_failure("unlink", path, errno);
  return {};
}

IoResult<std::vector<std::string>> PosixFileSystem::list_dir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return posix_failure("opendir", path, errno);
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (!entry) break;
    const std::string name = entry->d_name;
    struct stat st;
    if (::stat((path + "/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      names.push_back(name);
    }
  }
  const int error = errno;
  ::closedir(dir);
  if (error != 0) return posix_failure("readdir", path, error);
  std::sort(names.begin(), names.end());
  return names;
}

IoStatus PosixFileSystem::sync_dir(const std::string& path) {
  FdCloser fd(open_retrying(path.c_str(), O_RDONLY | O_DIRECTORY));
  if (fd.get() < 0) return posix_failure("open", path, errno);
  int r;
  do {
    r = ::fsync(fd.get());
  } while (r < 0 && errno == EINTR);
  if (r < 0) return posix_failure("fsync", path, errno);
  return {};
}

IoResult<std::unique_ptr<FileLock>> PosixFileSystem::lock_file(const std::string& path) {
  FdCloser fd(open_retrying(path.c_str(), O_RDWR | O_CREAT, 0644));
  if (fd.get() < 0) return posix_failure("open", path, errno);
  int r;
  do {
    r = ::flock(fd.get(), LOCK_EX | LOCK_NB);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    const int error = errno;
    if (error != EWOULDBLOCK) return posix_failure("flock", path, error);
    IoResult<std::string> holder = read_fd(fd.get(), path, 0, 64);
    std::string pid = holder.ok() ? holder.value() : std::string();
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return IoStatus::failure(path + " is locked by process " +
                             (pid.empty() ? std::string("(pid not recorded)") : pid));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) < 0) return posix_failure("truncate", path, errno);
  if (::pwrite(fd.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return posix_failure("write", path, errno);
  }
  return std::unique_ptr<FileLock>(new PosixFileLock(fd.release()));
}

}  // namespace vckv
