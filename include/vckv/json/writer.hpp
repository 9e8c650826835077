// The JSON writer: every byte the node prints as JSON is laid out here, exactly as Python's
// json.dumps prints it with default arguments (docs/protocol.md §2): ", " and ": " separators,
// ensure_ascii escaping with lowercase hex, floats as repr. Pure logic, no I/O.
//
// Two forms of each piece: write_* into room the caller made (at least the *_max_size bound),
// returning the end of what was written, for the hot paths; append_* onto a std::string.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "vckv/inlining.hpp"
#include "vckv/json/value.hpp"

namespace vckv {

// The separators of json.dumps' default layout.
inline constexpr std::string_view kJsonItemSeparator = ", ";
inline constexpr std::string_view kJsonKeySeparator = ": ";

// Bytes json.dumps writes as they are inside a string literal: printable ASCII except '"' and
// '\\'. (The codec's fast path uses the same table to find strings that need no escaping.)
struct PlainJsonBytes {
  bool plain[256];
  constexpr PlainJsonBytes() : plain() {
    for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\';
  }
  constexpr bool operator[](unsigned char c) const { return plain[c]; }
};
inline constexpr PlainJsonBytes kPlainJsonBytes;

// A string literal, escaped as json.dumps escapes it (surrogate pairs above U+FFFF).
constexpr std::size_t json_string_max_size(std::size_t utf8_bytes) { return 6 * utf8_bytes + 2; }
char* write_json_string(char* out, std::string_view utf8);
void append_json_string(std::string& out, std::string_view utf8);

// An array of unsigned integers, e.g. "[1, 0, 18446744073709551615]". get(i) gives element i.
constexpr std::size_t uint_array_max_size(std::size_t n) { return 2 + 22 * n; }
template <typename Get>
VCKV_HOT
char* write_uint_array(char* out, std::size_t n, Get get) {
  *out++ = '[';
  for (std::size_t i = 0; i < n; ++i) {
    if (i) {
      *out++ = ',';
      *out++ = ' ';
    }
    out = std::to_chars(out, out + 20, static_cast<std::uint64_t>(get(i))).ptr;  // 20 digits
  }
  *out++ = ']';
  return out;
}

// Python's repr(float) for a finite double: 1e+16, 1000000000000000.0, 1e-05, -0.0.
void append_python_float(std::string& out, double d);

// An integral double as the exact decimal digits of its value ("-0" becomes "0"):
// 1e+16 -> "10000000000000000".
std::string exact_integer_digits(double d);

// A whole value. TooDeep renders as null (callers reject such values before rendering them).
void append_json(std::string& out, const JValue& v);
std::string to_json(const JValue& v);

// The value's canonical text: as append_json renders it, but with every object's members
// sorted by key (by their UTF-8 bytes, the order of Python's sort_keys=True). So
// canonical_json == json.dumps(v, sort_keys=True). With numbers_by_value, a float whose value
// is an integer is written as that integer (1.0 -> 1, 1e+16 -> 10000000000000000), so values
// that are equal as JSON (json_equal) have the same canonical text.
void append_canonical_json(std::string& out, const JValue& v, bool numbers_by_value = false);
// The same from JSON text the writer rendered; a text that does not parse is returned as is.
std::string canonical_json(std::string_view json_text, bool numbers_by_value = false);

// The "got X" part of an error text: json.dumps(v), cut to 64 characters ("..." at the end).
std::string json_excerpt(const JValue& v);

}  // namespace vckv
