#include "record_stream.hpp"

#include <algorithm>
#include <utility>

namespace vckv::detail {

RecordStream::RecordStream(FileSystem& fs, std::string path, std::uint64_t limit,
                           std::size_t chunk_bytes)
    : fs_(fs), path_(std::move(path)), limit_(limit), chunk_(std::max<std::size_t>(chunk_bytes, 4096)) {}

bool RecordStream::fill(std::size_t at_least) {
  buf_.erase(0, pos_);
  buf_offset_ += pos_;
  pos_ = 0;
  const std::uint64_t want =
      std::min<std::uint64_t>(std::max(at_least, chunk_), limit_ - read_to_);
  IoResult<std::string> got = fs_.read_range(path_, read_to_, static_cast<std::size_t>(want));
  if (!got.ok()) {
    error_ = got.error();
    return false;
  }
  if (got.value().size() < want) limit_ = read_to_ + got.value().size();  // the file is shorter
  read_to_ += got.value().size();
  buf_ += got.value();
  return true;
}

RecordStream::Result RecordStream::next(Frame& frame) {
  for (;;) {
    const std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
    frame = read_frame(rest);
    offset_ = buf_offset_ + pos_;
    switch (frame.status) {
      case Frame::kRecord:
        pos_ += frame.size;
        return kRecord;
      case Frame::kBadChecksum:
        return kDamaged;
      case Frame::kEnd:
      case Frame::kShortHeader:
      case Frame::kShortPayload: {
        if (read_to_ >= limit_) return frame.status == Frame::kEnd ? kEnd : kDamaged;
        const std::size_t need = frame.status == Frame::kShortPayload
                                     ? frame.size - rest.size()
                                     : kRecordHeaderBytes;
        if (!fill(need)) return kIoError;
        break;
      }
    }
  }
}

}  // namespace vckv::detail
