// Log records: what the durable store writes for each change and reads back at recovery, byte
// for byte as docs/log-format.md describes. Framing (checksum | length | type | payload) and the
// payloads of each record type, with versions of either kind (vector clock, or dot and version
// vector). Pure logic: bytes in, bytes out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vckv/store/vector_clock.hpp"

namespace vckv {

enum class RecordType : std::uint8_t {
  kFileHeader = 1,
  kKeyState = 2,
  kKeyRemoved = 3,
  kHintState = 4,
  kHintRemoved = 5,
  kDotCounter = 6,
  kSnapshotEnd = 7,
};
// checksum (4) + length (4) + type (1)
inline constexpr std::size_t kRecordHeaderBytes = 9;
inline constexpr std::uint8_t kLogFormatVersion = 1;

enum class FileKind : std::uint8_t { kLog = 1, kSnapshot = 2 };

enum class VersionKind : std::uint8_t {
  kClock = 1,   // value + vector clock (docs/protocol.md §5-§7)
  kDotted = 2,  // value + dot + version vector (§17)
};

// A node id and a counter: a dot, or one entry of a version vector.
struct CounterRef {
  std::string_view node;
  std::uint64_t counter = 0;
};

// One version, read in place: what the node passes to record a change (pointing into its
// store) and what recovery passes back (pointing into the bytes it read). Valid as long as
// what it points into.
struct VersionRef {
  VersionKind kind = VersionKind::kClock;
  bool tombstone = false;  // §16: no value
  std::string_view value;  // JSON text as rendered; ignored for a tombstone
  ClockSlots clock;        // kClock
  CounterRef dot;          // kDotted
  const CounterRef* version_vector = nullptr;  // kDotted: entries sorted by node
  std::size_t version_vector_size = 0;

  static VersionRef with_clock(std::string_view value, ClockSlots clock) {
    VersionRef v;
    v.value = value;
    v.clock = clock;
    return v;
  }
  static VersionRef tombstone_with_clock(ClockSlots clock) {
    VersionRef v;
    v.tombstone = true;
    v.clock = clock;
    return v;
  }
  static VersionRef dotted(std::string_view value, CounterRef dot, const CounterRef* vv,
                           std::size_t vv_size, bool is_tombstone = false) {
    VersionRef v;
    v.kind = VersionKind::kDotted;
    v.tombstone = is_tombstone;
    v.value = is_tombstone ? std::string_view() : value;
    v.dot = dot;
    v.version_vector = vv;
    v.version_vector_size = vv_size;
    return v;
  }
};

// "x" for a value, "~" for a tombstone, then "@[1,0]" or "@n1:3{n1:2,n2:1}": for tests and
// traces ("\"a\"@[1,0] ~@[2,0]").
std::string describe_version(const VersionRef& v);

// ---- Writing: each appends one whole framed record to out. ----

void append_file_header(std::string& out, FileKind kind, std::uint64_t number);
// versions: at least one (a key without versions is a key_removed record).
void append_key_state(std::string& out, std::string_view key, const VersionRef* versions,
                      std::size_t count);
void append_key_removed(std::string& out, std::string_view key);
void append_hint_state(std::string& out, std::string_view target, std::string_view key,
                       const VersionRef* versions, std::size_t count);
void append_hint_removed(std::string& out, std::string_view target, std::string_view key);
void append_dot_counter(std::string& out, std::string_view key, std::uint64_t counter);
void append_snapshot_end(std::string& out, std::uint64_t record_count);

// ---- Reading ----

// One frame at the start of bytes.
struct Frame {
  enum Status {
    kRecord,       // a whole record with a good checksum
    kEnd,          // no bytes left
    kShortHeader,  // fewer than 9 bytes left
    kShortPayload, // the length runs past the end
    kBadChecksum,  // checksum mismatch
  };
  Status status = kEnd;
  std::uint8_t type = 0;
  std::string_view payload;
  std::string_view bytes;  // the whole record, header included (kRecord)
  std::size_t size = 0;    // header + payload as the length says (kRecord, kBadChecksum,
                           // kShortPayload)
};
Frame read_frame(std::string_view bytes);
const char* frame_status_name(Frame::Status status);

// A record's payload, decoded. Views point into the payload and into this object's own
// buffers, so they are valid until the next decode into it or until the payload goes away.
struct LogRecord {
  RecordType type = RecordType::kFileHeader;
  std::string_view key;     // key_*, hint_*, dot_counter
  std::string_view target;  // hint_*
  std::uint64_t number = 0;  // dot_counter: the counter; snapshot_end: the count;
                             // file_header: the file number
  FileKind file_kind = FileKind::kLog;      // file_header
  std::uint8_t format_version = 0;          // file_header
  std::vector<VersionRef> versions;         // key_state, hint_state

  // Decodes only what names the entry (key, and target for hints), for a reader that skips
  // most records; other fields are left as they were. False if those bytes are malformed.
  bool decode_entry(std::uint8_t type, std::string_view payload);
  // Decodes a payload of the given type. False (and the reason in *why) when the type is unknown
  // or the payload is malformed: truncated, trailing bytes, a count of 0 versions, unknown
  // flags or version kinds.
  bool decode(std::uint8_t type, std::string_view payload, std::string* why);

 private:
  std::vector<std::uint64_t> slots_;
  std::vector<CounterRef> entries_;
};

// Which map of the durable state a record replaces an entry of.
enum class EntrySpace : std::uint8_t { kStore = 1, kHint = 2, kDotCounter = 3, kNone = 0 };
EntrySpace entry_space(RecordType type);
// Whether the record removes its entry (key_removed, hint_removed).
bool removes_entry(RecordType type);

}  // namespace vckv
