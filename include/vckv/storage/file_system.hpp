// The file system the durable store (storage/durable_store.hpp) reads and writes every byte
// through: a directory of whole files, appended to, synced, renamed, removed. Two
// implementations: real files (storage/posix_file_system.hpp) and a simulated disk in memory
// with the failures of a real one (storage/memory_file_system.hpp), so that recovery code runs
// unchanged on both and cannot tell them apart. Errors are values: every call returns one
// instead of throwing, and its text names the path and what went wrong.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vckv {

// Success, or a failure with a sentence for a person ("fdatasync DIR/n1/log-0000000001:
// Input/output error").
class IoStatus {
 public:
  IoStatus() = default;  // success
  static IoStatus failure(std::string text) { return IoStatus(std::move(text)); }
  bool ok() const { return !error_.has_value(); }
  const std::string& error() const { return *error_; }  // only when !ok()

 private:
  explicit IoStatus(std::string text) : error_(std::move(text)) {}
  std::optional<std::string> error_;
};

// A value or a failure.
template <typename T>
class IoResult {
 public:
  IoResult(T value) : value_(std::move(value)) {}  // NOLINT: a value converts
  IoResult(IoStatus failure) : status_(std::move(failure)) {}  // NOLINT: so does a failure
  bool ok() const { return status_.ok(); }
  const IoStatus& status() const { return status_; }
  const std::string& error() const { return status_.error(); }
  T& value() { return *value_; }
  const T& value() const { return *value_; }

 private:
  std::optional<T> value_;
  IoStatus status_;
};

// What an fdatasync cost. The POSIX file system measures it; the simulated disk draws it from
// its fault generator, so a simulator can hold the node's output back that long in virtual time.
struct SyncInfo {
  std::int64_t latency_us = 0;
};

// A file open for appending. Owned by whoever opened it; the file system must outlive it.
class AppendFile {
 public:
  virtual ~AppendFile() = default;
  // Appends all of bytes at the end of the file (a short write is retried). On failure some
  // prefix of bytes may have reached the file.
  virtual IoStatus append(std::string_view bytes) = 0;
  // fdatasync: everything appended so far survives a crash once this returns ok.
  virtual IoResult<SyncInfo> sync() = 0;
  // The file's size: what it held when opened plus what was appended since.
  virtual std::uint64_t size() const = 0;
  // Starts writing back what was appended since the last call, without waiting for it and
  // without any promise (a later sync() has less left to write). A file system may do nothing.
  virtual void start_writeback() {}
};

// An exclusive lock on a file, held while this object lives (or until the process dies).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates the directory and any missing parents (mkdir -p). A directory that exists is fine.
  virtual IoStatus create_dirs(const std::string& path) = 0;
  // Opens path for appending, creating it empty if it does not exist. A new file's name is not
  // durable until sync_dir of its directory.
  virtual IoResult<std::unique_ptr<AppendFile>> open_append(const std::string& path) = 0;
  // The whole file.
  virtual IoResult<std::string> read_file(const std::string& path) = 0;
  // Up to max_bytes from offset (fewer at the end of the file; none past it).
  virtual IoResult<std::string> read_range(const std::string& path, std::uint64_t offset,
                                           std::size_t max_bytes) = 0;
  virtual IoResult<std::uint64_t> file_size(const std::string& path) = 0;
  // Cuts the file to size bytes (durable once the file is synced, by open_append().sync()).
  virtual IoStatus truncate(const std::string& path, std::uint64_t size) = 0;
  // Atomically replaces to by from (rename(2)); durable after sync_dir.
  virtual IoStatus rename(const std::string& from, const std::string& to) = 0;
  // Removes a file; durable after sync_dir.
  virtual IoStatus remove(const std::string& path) = 0;
  // The names (not paths) of the regular files in a directory, sorted.
  virtual IoResult<std::vector<std::string>> list_dir(const std::string& path) = 0;
  // fsync of the directory: the files created, renamed and removed in it so far survive a crash.
  virtual IoStatus sync_dir(const std::string& path) = 0;
  // Takes an exclusive lock on path (created if missing) without waiting, and writes the
  // holder's process id into it. If another process (or another open in this one) holds it, the
  // failure names the holder's pid as the file records it.
  virtual IoResult<std::unique_ptr<FileLock>> lock_file(const std::string& path) = 0;
};

}  // namespace vckv
