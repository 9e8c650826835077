// Bytes in and out of log records (private to src/storage/): little-endian fixed-width
// integers, LEB128 varints, length-prefixed strings, and a bounds-checked reader that turns
// any short or malformed input into a failed read instead of a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vckv::storage_encoding {

inline void put_u32(std::string& out, std::uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out.append(b, 4);
}

inline std::uint32_t get_u32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{u[0]} | std::uint32_t{u[1]} << 8 | std::uint32_t{u[2]} << 16 |
         std::uint32_t{u[3]} << 24;
}

inline void set_u32(char* p, std::uint32_t v) {
  p[0] = static_cast<char>(v);
  p[1] = static_cast<char>(v >> 8);
  p[2] = static_cast<char>(v >> 16);
  p[3] = static_cast<char>(v >> 24);
}

// Writes v's varint at p, which has room for it (at most 10 bytes); returns the end.
inline char* put_varint(char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline void put_varint(std::string& out, std::uint64_t v) {
  char b[10];
  out.append(b, static_cast<std::size_t>(put_varint(b, v) - b));
}

inline std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s.data(), s.size());
}

// Reads a payload front to back. Any read past the end, or a varint longer than 10 bytes or
// over 64 bits, sets failed(); reads after that return zeros and empty strings.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : p_(bytes) {}

  bool failed() const { return failed_; }
  bool at_end() const { return p_.empty(); }

  std::uint8_t byte() {
    if (p_.empty()) return fail_byte();
    const auto b = static_cast<std::uint8_t>(p_[0]);
    p_.remove_prefix(1);
    return b;
  }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (p_.empty()) return fail_varint();
      const auto b = static_cast<std::uint8_t>(p_[0]);
      p_.remove_prefix(1);
      if (shift == 63 && b > 1) return fail_varint();  // more than 64 bits
      v |= std::uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail_varint();
  }

  std::string_view string() {
    const std::uint64_t n = varint();
    if (failed_ || n > p_.size()) {
      failed_ = true;
      return {};
    }
    std::string_view s = p_.substr(0, static_cast<std::size_t>(n));
    p_.remove_prefix(static_cast<std::size_t>(n));
    return s;
  }

  std::string_view bytes(std::size_t n) {
    if (failed_ || n > p_.size()) {
      failed_ = true;
      return {};
    }
    std::string_view s = p_.substr(0, n);
    p_.remove_prefix(n);
    return s;
  }

 private:
  std::uint8_t fail_byte() {
    failed_ = true;
    return 0;
  }
  std::uint64_t fail_varint() {
    failed_ = true;
    return 0;
  }

  std::string_view p_;
  bool failed_ = false;
};

}  // namespace vckv::storage_encoding
