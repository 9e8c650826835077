#include "vckv/storage/log_record.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "storage_test_util.hpp"
#include "vckv/storage/crc32c.hpp"

namespace vckv {
namespace {

using storage_test::OwnedVersion;
using storage_test::Refs;

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

// Decodes the one record in bytes and renders it.
std::string decode_one(std::string_view bytes) {
  const Frame f = read_frame(bytes);
  if (f.status != Frame::kRecord) return std::string("frame: ") + frame_status_name(f.status);
  if (f.size != bytes.size()) return "frame size " + std::to_string(f.size);
  LogRecord r;
  std::string why;
  if (!r.decode(f.type, f.payload, &why)) return "decode: " + why;
  std::string s = "type " + std::to_string(f.type);
  if (!r.target.empty()) s += " target " + std::string(r.target);
  if (!r.key.empty()) s += " key " + std::string(r.key);
  if (r.type == RecordType::kDotCounter || r.type == RecordType::kSnapshotEnd ||
      r.type == RecordType::kFileHeader) {
    s += " number " + std::to_string(r.number);
  }
  for (const VersionRef& v : r.versions) s += " " + describe_version(v);
  return s;
}

// The format of docs/log-format.md, byte for byte: checksum | length | type | payload.
TEST(LogRecordTest, KeyStateBytesAreTheDocumentedFormat) {
  std::string out;
  const std::vector<OwnedVersion> versions{OwnedVersion::clocked("7", {1, 0})};
  append_key_state(out, "\"x\"", Refs(versions).get().data(), 1);
  // length 12, type 2, key "\"x\"" (3 bytes), 1 version: kind 1, flags 0, 2 slots 1 0, value "7".
  EXPECT_EQ(hex(out.substr(4)), "0c00000002" "03227822" "01" "0100" "020100" "0137");
  EXPECT_EQ(crc32c(std::string_view(out).substr(4)),
            std::uint32_t(static_cast<unsigned char>(out[0])) |
                std::uint32_t(static_cast<unsigned char>(out[1])) << 8 |
                std::uint32_t(static_cast<unsigned char>(out[2])) << 16 |
                std::uint32_t(static_cast<unsigned char>(out[3])) << 24);
  EXPECT_EQ(decode_one(out), "type 2 key \"x\" 7@[1,0]");
}

TEST(LogRecordTest, EveryTypeRoundTrips) {
  const std::vector<OwnedVersion> versions{
      OwnedVersion::clocked("\"a\"", {3, 0, 1}), OwnedVersion::tomb({0, 2}),
      OwnedVersion::dotted("{\"v\": [1, 2]}", "n1", 7, {{"n1", 6}, {"n2", 3}}),
      OwnedVersion::dotted("", "n10", 18446744073709551615ull, {})};
  std::vector<OwnedVersion> dotted_tomb{OwnedVersion::dotted("", "n2", 4, {{"n1", 1}})};
  dotted_tomb[0].tombstone = true;
  std::string out;
  append_file_header(out, FileKind::kSnapshot, 42);
  EXPECT_EQ(decode_one(out), "type 1 number 42");
  out.clear();
  append_key_state(out, "\"k\"", Refs(versions).get().data(), versions.size());
  EXPECT_EQ(decode_one(out),
            "type 2 key \"k\" \"a\"@[3,0,1] ~@[0,2] {\"v\": [1, 2]}@n1:7{n1:6,n2:3} "
            "@n10:18446744073709551615{}");
  out.clear();
  append_key_removed(out, "12");
  EXPECT_EQ(decode_one(out), "type 3 key 12");
  out.clear();
  append_hint_state(out, "n3", "\"k\"", Refs(dotted_tomb).get().data(), 1);
  EXPECT_EQ(decode_one(out), "type 4 target n3 key \"k\" ~@n2:4{n1:1}");
  out.clear();
  append_hint_removed(out, "n3", "\"k\"");
  EXPECT_EQ(decode_one(out), "type 5 target n3 key \"k\"");
  out.clear();
  append_dot_counter(out, "\"k\"", 1ull << 40);
  EXPECT_EQ(decode_one(out), "type 6 key \"k\" number 1099511627776");
  out.clear();
  append_snapshot_end(out, 3);
  EXPECT_EQ(decode_one(out), "type 7 number 3");
}

// The store keeps a clock's slots 1, 2, 4 or 8 bytes wide (the narrowest that holds them); the
// record writes the values, whatever the width.
TEST(LogRecordTest, ClocksOfEveryStoredWidthRoundTrip) {
  const std::uint8_t w1[] = {0, 1, 255};
  const std::uint16_t w2[] = {256, 0, 65535};
  const std::uint32_t w4[] = {65536, 7, 4294967295u};
  const std::uint64_t w8[] = {4294967296ull, 0, 18446744073709551615ull};
  const std::vector<VersionRef> versions{VersionRef::with_clock("1", ClockSlots(w1, 3, 1)),
                                         VersionRef::with_clock("2", ClockSlots(w2, 3, 2)),
                                         VersionRef::with_clock("4", ClockSlots(w4, 3, 4)),
                                         VersionRef::tombstone_with_clock(ClockSlots(w8, 3, 8))};
  std::string out;
  append_key_state(out, "\"k\"", versions.data(), versions.size());
  EXPECT_EQ(decode_one(out),
            "type 2 key \"k\" 1@[0,1,255] 2@[256,0,65535] 4@[65536,7,4294967295] "
            "~@[4294967296,0,18446744073709551615]");
}

// The size the issue asks about: a client write of a 16-byte value with a 4-slot clock.
TEST(LogRecordTest, AWriteOfSixteenBytesWithFourSlotsIsFortyOneBytes) {
  const std::vector<OwnedVersion> v{OwnedVersion::clocked("\"0123456789abcd\"", {3, 1, 4, 1})};
  std::string out;
  append_key_state(out, "\"k123\"", Refs(v).get().data(), 1);
  EXPECT_EQ(out.size(), 41u);
}

// Every single-bit change anywhere in a record is caught by its checksum (or by its length).
TEST(LogRecordTest, EveryFlippedBitIsDetected) {
  const std::vector<OwnedVersion> v{OwnedVersion::clocked("[1, 2, 3]", {1, 2})};
  std::string good;
  append_key_state(good, "\"key\"", Refs(v).get().data(), 1);
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_NE(read_frame(bad).status, Frame::kRecord) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(LogRecordTest, CutRecordsAreShort) {
  std::string out;
  append_key_removed(out, "\"gone\"");
  EXPECT_EQ(read_frame("").status, Frame::kEnd);
  for (std::size_t n = 1; n < out.size(); ++n) {
    const Frame f = read_frame(std::string_view(out).substr(0, n));
    EXPECT_EQ(f.status, n < kRecordHeaderBytes ? Frame::kShortHeader : Frame::kShortPayload) << n;
  }
  EXPECT_EQ(read_frame(out).status, Frame::kRecord);
  // Zeros (a preallocated or never-written tail) are not a record.
  EXPECT_EQ(read_frame(std::string(16, '\0')).status, Frame::kBadChecksum);
}

// Payloads with a good checksum but a bad shape are refused, not misread.
TEST(LogRecordTest, MalformedPayloadsAreRefused) {
  LogRecord r;
  std::string why;
  // A key_state with zero versions.
  EXPECT_FALSE(r.decode(2, std::string("\x01k\x00", 3), &why));
  EXPECT_EQ(why, "malformed versions");
  // Unknown flags.
  EXPECT_FALSE(r.decode(2, std::string("\x01k\x01\x01\x02\x00\x00", 7), &why));
  // An unknown version kind.
  EXPECT_FALSE(r.decode(2, std::string("\x01k\x01\x03\x00\x00\x00", 7), &why));
  // Trailing bytes.
  EXPECT_FALSE(r.decode(3, std::string("\x01kX", 3), &why));
  EXPECT_EQ(why, "trailing bytes in payload");
  // A string longer than the payload.
  EXPECT_FALSE(r.decode(3, std::string("\x05k", 2), &why));
  EXPECT_EQ(why, "payload cut short");
  // A varint over 64 bits.
  EXPECT_FALSE(r.decode(6, std::string("\x01k\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 12), &why));
  // An unknown type, and another format version.
  EXPECT_FALSE(r.decode(9, "", &why));
  EXPECT_EQ(why, "unknown record type");
  EXPECT_FALSE(r.decode(1, std::string("vckvlog\x02\x01\x01", 10), &why));
  EXPECT_EQ(why, "unsupported format version");
  EXPECT_FALSE(r.decode(1, std::string("leveldb\x01\x01\x01", 10), &why));
}

}  // namespace
}  // namespace vckv
