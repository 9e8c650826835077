#include "vckv/storage/log_record.hpp"

#include <cstring>
#include <initializer_list>

#include "encoding.hpp"
#include "vckv/storage/crc32c.hpp"

namespace vckv {

using storage_encoding::ByteReader;
using storage_encoding::get_u32;
using storage_encoding::put_string;
using storage_encoding::put_u32;
using storage_encoding::put_varint;
using storage_encoding::set_u32;

namespace {

constexpr std::string_view kLogMagic = "vckvlog";
constexpr std::uint8_t kTombstoneFlag = 1;

// Reserves the header, so the payload is appended in place; finish_record fills it in.
std::size_t begin_record(std::string& out, RecordType type) {
  const std::size_t start = out.size();
  out.append(kRecordHeaderBytes - 1, '\0');
  out.push_back(static_cast<char>(type));
  return start;
}

void finish_record(std::string& out, std::size_t start) {
  const std::size_t payload = out.size() - start - kRecordHeaderBytes;
  set_u32(&out[start + 4], static_cast<std::uint32_t>(payload));
  set_u32(&out[start], crc32c(std::string_view(out).substr(start + 4)));
}

// Writes through a pointer into room reserved beforehand (append_versions_record's bound, from
// string_bound and version_bound): a record's versions are most of what the log writes, and
// appending them a byte at a time checked the string's capacity at every byte.
class BoundedWriter {
 public:
  explicit BoundedWriter(char* p) : p_(p) {}
  char* end() const { return p_; }
  void byte(std::uint8_t b) { *p_++ = static_cast<char>(b); }
  void varint(std::uint64_t v) { p_ = storage_encoding::put_varint(p_, v); }
  void string(std::string_view s) {
    varint(s.size());
    if (!s.empty()) std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  template <typename Slot>
  void slots(const void* data, std::size_t n) {
    const auto* slot = static_cast<const Slot*>(data);
    for (std::size_t i = 0; i < n; ++i) varint(slot[i]);
  }

 private:
  char* p_;
};

constexpr std::size_t kMaxVarintBytes = 10;

std::size_t string_bound(std::string_view s) { return kMaxVarintBytes + s.size(); }

// The most bytes put_version writes for v.
std::size_t version_bound(const VersionRef& v) {
  std::size_t n = 2 + (v.tombstone ? 0 : string_bound(v.value));
  if (v.kind == VersionKind::kDotted) {
    n += string_bound(v.dot.node) + 2 * kMaxVarintBytes;
    for (std::size_t i = 0; i < v.version_vector_size; ++i) {
      n += string_bound(v.version_vector[i].node) + kMaxVarintBytes;
    }
  } else {
    n += kMaxVarintBytes * (1 + v.clock.size());
  }
  return n;
}

void put_version(BoundedWriter& out, const VersionRef& v) {
  out.byte(static_cast<std::uint8_t>(v.kind));
  out.byte(v.tombstone ? kTombstoneFlag : 0);
  if (v.kind == VersionKind::kDotted) {
    out.string(v.dot.node);
    out.varint(v.dot.counter);
    out.varint(v.version_vector_size);
    for (std::size_t i = 0; i < v.version_vector_size; ++i) {
      out.string(v.version_vector[i].node);
      out.varint(v.version_vector[i].counter);
    }
  } else {
    out.varint(v.clock.size());
    switch (v.clock.width()) {  // a loop per slot width, not a switch per slot
      case 1: out.slots<std::uint8_t>(v.clock.data(), v.clock.size()); break;
      case 2: out.slots<std::uint16_t>(v.clock.data(), v.clock.size()); break;
      case 4: out.slots<std::uint32_t>(v.clock.data(), v.clock.size()); break;
      default: out.slots<std::uint64_t>(v.clock.data(), v.clock.size()); break;
    }
  }
  if (!v.tombstone) out.string(v.value);
}

// One whole record of the type whose payload is the strings (a key state's key; a hint's target
// and key), then the versions: its room reserved once, written through a pointer, then framed.
void append_versions_record(std::string& out, RecordType type,
                            std::initializer_list<std::string_view> strings,
                            const VersionRef* versions, std::size_t count) {
  std::size_t bound = kRecordHeaderBytes + kMaxVarintBytes;
  for (std::string_view s : strings) bound += string_bound(s);
  for (std::size_t i = 0; i < count; ++i) bound += version_bound(versions[i]);
  const std::size_t start = out.size();
  out.resize(start + bound);
  char* record = &out[start];
  BoundedWriter w(record + kRecordHeaderBytes);
  for (std::string_view s : strings) w.string(s);
  w.varint(count);
  for (std::size_t i = 0; i < count; ++i) put_version(w, versions[i]);
  const auto size = static_cast<std::size_t>(w.end() - record);
  record[kRecordHeaderBytes - 1] = static_cast<char>(type);
  set_u32(record + 4, static_cast<std::uint32_t>(size - kRecordHeaderBytes));
  set_u32(record, crc32c(std::string_view(record + 4, size - 4)));
  out.resize(start + size);
}

}  // namespace

std::string describe_version(const VersionRef& v) {
  std::string s = v.tombstone ? std::string("~") : std::string(v.value);
  s += '@';
  if (v.kind == VersionKind::kDotted) {
    s += std::string(v.dot.node) + ":" + std::to_string(v.dot.counter) + "{";
    for (std::size_t i = 0; i < v.version_vector_size; ++i) {
      if (i > 0) s += ',';
      s += std::string(v.version_vector[i].node) + ":" +
           std::to_string(v.version_vector[i].counter);
    }
    s += '}';
  } else {
    s += '[';
    for (std::size_t i = 0; i < v.clock.size(); ++i) {
      if (i > 0) s += ',';
      s += std::to_string(v.clock[i]);
    }
    s += ']';
  }
  return s;
}

void append_file_header(std::string& out, FileKind kind, std::uint64_t number) {
  const std::size_t start = begin_record(out, RecordType::kFileHeader);
  out.append(kLogMagic.data(), kLogMagic.size());
  out.push_back(static_cast<char>(kLogFormatVersion));
  out.push_back(static_cast<char>(kind));
  put_varint(out, number);
  finish_record(out, start);
}

void append_key_state(std::string& out, std::string_view key, const VersionRef* versions,
                      std::size_t count) {
  append_versions_record(out, RecordType::kKeyState, {key}, versions, count);
}

void append_key_removed(std::string& out, std::string_view key) {
  const std::size_t start = begin_record(out, RecordType::kKeyRemoved);
  put_string(out, key);
  finish_record(out, start);
}

void append_hint_state(std::string& out, std::string_view target, std::string_view key,
                       const VersionRef* versions, std::size_t count) {
  append_versions_record(out, RecordType::kHintState, {target, key}, versions, count);
}

void append_hint_removed(std::string& out, std::string_view target, std::string_view key) {
  const std::size_t start = begin_record(out, RecordType::kHintRemoved);
  put_string(out, target);
  put_string(out, key);
  finish_record(out, start);
}

void append_dot_counter(std::string& out, std::string_view key, std::uint64_t counter) {
  const std::size_t start = begin_record(out, RecordType::kDotCounter);
  put_string(out, key);
  put_varint(out, counter);
  finish_record(out, start);
}

void append_snapshot_end(std::string& out, std::uint64_t record_count) {
  const std::size_t start = begin_record(out, RecordType::kSnapshotEnd);
  put_varint(out, record_count);
  finish_record(out, start);
}

Frame read_frame(std::string_view bytes) {
  Frame f;
  if (bytes.empty()) return f;
  if (bytes.size() < kRecordHeaderBytes) {
    f.status = Frame::kShortHeader;
    return f;
  }
  const std::uint32_t checksum = get_u32(bytes.data());
  const std::uint32_t length = get_u32(bytes.data() + 4);
  f.type = static_cast<std::uint8_t>(bytes[8]);
  f.size = kRecordHeaderBytes + std::size_t{length};
  if (length > bytes.size() - kRecordHeaderBytes) {
    f.status = Frame::kShortPayload;
    return f;
  }
  f.payload = bytes.substr(kRecordHeaderBytes, length);
  f.bytes = bytes.substr(0, f.size);
  f.status = crc32c(bytes.substr(4, f.size - 4)) == checksum ? Frame::kRecord : Frame::kBadChecksum;
  return f;
}

const char* frame_status_name(Frame::Status status) {
  switch (status) {
    case Frame::kRecord: return "record";
    case Frame::kEnd: return "end";
    case Frame::kShortHeader: return "header cut short";
    case Frame::kShortPayload: return "payload cut short";
    case Frame::kBadChecksum: return "checksum mismatch";
  }
  return "?";
}

EntrySpace entry_space(RecordType type) {
  switch (type) {
    case RecordType::kKeyState:
    case RecordType::kKeyRemoved: return EntrySpace::kStore;
    case RecordType::kHintState:
    case RecordType::kHintRemoved: return EntrySpace::kHint;
    case RecordType::kDotCounter: return EntrySpace::kDotCounter;
    default: return EntrySpace::kNone;
  }
}

bool removes_entry(RecordType type) {
  return type == RecordType::kKeyRemoved || type == RecordType::kHintRemoved;
}

bool LogRecord::decode_entry(std::uint8_t raw_type, std::string_view payload) {
  ByteReader r(payload);
  type = static_cast<RecordType>(raw_type);
  target = {};
  switch (entry_space(type)) {
    case EntrySpace::kHint:
      target = r.string();
      key = r.string();
      break;
    case EntrySpace::kStore:
    case EntrySpace::kDotCounter:
      key = r.string();
      break;
    case EntrySpace::kNone:
      return false;
  }
  return !r.failed();
}

bool LogRecord::decode(std::uint8_t raw_type, std::string_view payload, std::string* why) {
  ByteReader r(payload);
  versions.clear();
  slots_.clear();
  entries_.clear();
  key = {};
  target = {};
  number = 0;
  auto fail = [why](const char* reason) {
    if (why) *why = reason;
    return false;
  };

  // Versions are read in two steps: their numbers go to slots_ and entries_ first, and the
  // views into those are taken once both stopped growing.
  struct Pending {
    std::size_t slots_at, slots, entries_at, entries;
  };
  std::vector<Pending> pending;
  auto read_versions = [&]() -> bool {
    const std::uint64_t count = r.varint();
    if (r.failed()) return false;
    if (count == 0) return false;
    for (std::uint64_t i = 0; i < count; ++i) {
      VersionRef v;
      Pending p{slots_.size(), 0, entries_.size(), 0};
      const std::uint8_t kind = r.byte();
      const std::uint8_t flags = r.byte();
      if (r.failed() || (flags & ~kTombstoneFlag) != 0) return false;
      v.tombstone = (flags & kTombstoneFlag) != 0;
      if (kind == static_cast<std::uint8_t>(VersionKind::kClock)) {
        v.kind = VersionKind::kClock;
        const std::uint64_t n = r.varint();
        if (r.failed() || n > payload.size()) return false;
        for (std::uint64_t k = 0; k < n && !r.failed(); ++k) slots_.push_back(r.varint());
        p.slots = static_cast<std::size_t>(n);
      } else if (kind == static_cast<std::uint8_t>(VersionKind::kDotted)) {
        v.kind = VersionKind::kDotted;
        v.dot.node = r.string();
        v.dot.counter = r.varint();
        const std::uint64_t n = r.varint();
        if (r.failed() || n > payload.size()) return false;
        for (std::uint64_t k = 0; k < n && !r.failed(); ++k) {
          CounterRef e;
          e.node = r.string();
          e.counter = r.varint();
          entries_.push_back(e);
        }
        p.entries = static_cast<std::size_t>(n);
      } else {
        return false;
      }
      if (!v.tombstone) v.value = r.string();
      if (r.failed()) return false;
      versions.push_back(v);
      pending.push_back(p);
    }
    for (std::size_t i = 0; i < versions.size(); ++i) {
      if (versions[i].kind == VersionKind::kClock) {
        versions[i].clock =
            ClockSlots(slots_.data() + pending[i].slots_at, pending[i].slots, 8);
      } else {
        versions[i].version_vector = entries_.data() + pending[i].entries_at;
        versions[i].version_vector_size = pending[i].entries;
      }
    }
    return true;
  };

  switch (raw_type) {
    case static_cast<std::uint8_t>(RecordType::kFileHeader): {
      type = RecordType::kFileHeader;
      if (r.bytes(kLogMagic.size()) != kLogMagic) return fail("not a vclock-kv log file");
      format_version = r.byte();
      if (r.failed()) return fail("file header cut short");
      if (format_version != kLogFormatVersion) return fail("unsupported format version");
      const std::uint8_t kind = r.byte();
      if (kind != static_cast<std::uint8_t>(FileKind::kLog) &&
          kind != static_cast<std::uint8_t>(FileKind::kSnapshot)) {
        return fail("unknown file kind");
      }
      file_kind = static_cast<FileKind>(kind);
      number = r.varint();
      break;
    }
    case static_cast<std::uint8_t>(RecordType::kKeyState):
      type = RecordType::kKeyState;
      key = r.string();
      if (!read_versions()) return fail("malformed versions");
      break;
    case static_cast<std::uint8_t>(RecordType::kKeyRemoved):
      type = RecordType::kKeyRemoved;
      key = r.string();
      break;
    case static_cast<std::uint8_t>(RecordType::kHintState):
      type = RecordType::kHintState;
      target = r.string();
      key = r.string();
      if (!read_versions()) return fail("malformed versions");
      break;
    case static_cast<std::uint8_t>(RecordType::kHintRemoved):
      type = RecordType::kHintRemoved;
      target = r.string();
      key = r.string();
      break;
    case static_cast<std::uint8_t>(RecordType::kDotCounter):
      type = RecordType::kDotCounter;
      key = r.string();
      number = r.varint();
      break;
    case static_cast<std::uint8_t>(RecordType::kSnapshotEnd):
      type = RecordType::kSnapshotEnd;
      number = r.varint();
      break;
    default:
      return fail("unknown record type");
  }
  if (r.failed()) return fail("payload cut short");
  if (!r.at_end()) return fail("trailing bytes in payload");
  return true;
}

}  // namespace vckv
