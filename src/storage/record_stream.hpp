// Reads a file's records front to back, a piece at a time (private to src/storage/): recovery
// reads every file twice this way and compaction reads its input a step at a time, so neither
// holds a whole file in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vckv/storage/file_system.hpp"
#include "vckv/storage/log_record.hpp"

namespace vckv::detail {

class RecordStream {
 public:
  enum Result {
    kRecord,   // frame is a good record at offset()
    kEnd,      // the limit was reached between records
    kDamaged,  // frame.status says what is wrong at offset()
    kIoError,  // error() says what
  };

  // Reads path's bytes [0, limit) in pieces of about chunk_bytes (fs outlives the stream).
  RecordStream(FileSystem& fs, std::string path, std::uint64_t limit, std::size_t chunk_bytes);

  // The next frame; its views are valid until the next call.
  Result next(Frame& frame);
  // Up to max whole records of at most max_bytes in all (at least one, unless the result is not
  // kRecord), with the offset of each; their views are valid until the next call. For callers
  // that look a batch ahead.
  Result next_batch(std::vector<Frame>& frames, std::vector<std::uint64_t>& offsets,
                    std::size_t max, std::size_t max_bytes = static_cast<std::size_t>(-1));
  // Where the frame last returned starts (for kEnd: the limit).
  std::uint64_t offset() const { return offset_; }
  const std::string& error() const { return error_; }
  // What was wrong, after kDamaged.
  Frame::Status damaged_status() const { return damaged_status_; }

 private:
  bool fill(std::size_t at_least);

  FileSystem& fs_;
  std::string path_;
  std::uint64_t limit_;
  std::size_t chunk_;
  std::string buf_;
  std::size_t pos_ = 0;             // next frame in buf_
  std::uint64_t buf_offset_ = 0;    // file offset of buf_[0]
  std::uint64_t read_to_ = 0;       // file offset of the next byte to read
  std::uint64_t offset_ = 0;
  Frame::Status damaged_status_ = Frame::kEnd;
  std::string error_;
};

}  // namespace vckv::detail
