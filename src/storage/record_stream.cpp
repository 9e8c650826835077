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
        damaged_status_ = frame.status;
        return kDamaged;
      case Frame::kEnd:
      case Frame::kShortHeader:
      case Frame::kShortPayload: {
        if (read_to_ >= limit_) {
          if (frame.status == Frame::kEnd) return kEnd;
          damaged_status_ = frame.status;
          return kDamaged;
        }
        const std::size_t need = frame.status == Frame::kShortPayload
                                     ? frame.size - rest.size()
                                     : kRecordHeaderBytes;
        if (!fill(need)) return kIoError;
        break;
      }
    }
  }
}

RecordStream::Result RecordStream::next_batch(std::vector<Frame>& frames,
                                             std::vector<std::uint64_t>& offsets,
                                             std::size_t max, std::size_t max_bytes) {
  frames.clear();
  offsets.clear();
  Frame frame;
  // The first through next(), which refills and reports ends and damage; the rest only while
  // they are whole in the buffer already (a refill would move what the first ones point into).
  const Result first = next(frame);
  if (first != kRecord) return first;
  frames.push_back(frame);
  offsets.push_back(offset_);
  std::size_t bytes = frame.size;
  while (frames.size() < max) {
    const Frame f = read_frame(std::string_view(buf_.data() + pos_, buf_.size() - pos_));
    if (f.status != Frame::kRecord || bytes + f.size > max_bytes) break;
    bytes += f.size;
    frames.push_back(f);
    offsets.push_back(buf_offset_ + pos_);
    pos_ += f.size;
  }
  return kRecord;
}

}  // namespace vckv::detail
