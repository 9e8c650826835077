// JSON in, Python-json.dumps bytes out: the one place that parses JSON text and renders it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vckv {

// A parsed JSON value that keeps what Python would keep: object keys in arrival order
// (a duplicate key's last value wins, at its first position) and integers of any size.
struct JValue {
  enum class Kind : std::uint8_t { Null, Bool, Int, Float, String, Array, Object, TooDeep };

  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;               // Float
  std::string text;                // String: UTF-8. Int: decimal digits as Python prints them.
  std::vector<JValue> items;       // Array elements, or Object member values
  std::vector<std::string> keys;   // Object member keys, parallel to items

  // The member named key of an Object, or nullptr (also for non-objects).
  const JValue* find(std::string_view key) const;
};

// Strict RFC 8259 parse of one JSON text (surrounding whitespace allowed). Containers nested
// deeper than max_depth are not built: the one at max_depth + 1 becomes Kind::TooDeep, and the
// rest of the text is still checked. On failure returns false, sets error and leaves out
// unspecified. Invalid UTF-8, lone surrogate escapes, NaN/Infinity, numbers that overflow a
// double and a leading byte order mark are failures (Python's json.loads refuses them too).
bool parse_json(std::string_view text, JValue& out, std::string& error, std::size_t max_depth);

// Append v exactly as Python's json.dumps(v) would print it. TooDeep renders as null (callers
// reject such values before they render them).
void append_json(std::string& out, const JValue& v);
std::string to_json(const JValue& v);
// A JSON string literal with Python's ensure_ascii escaping.
void append_json_string(std::string& out, std::string_view utf8);
// The most bytes that literal can take: every byte escaped as \u00XX, and the quotes.
constexpr std::size_t json_string_max_size(std::size_t utf8_bytes) { return 6 * utf8_bytes + 2; }
// The same literal written to out, which has room for json_string_max_size(utf8.size()) bytes;
// returns the end of what was written.
char* write_json_string(char* out, std::string_view utf8);
// Python's repr(float) for a finite double: 1e+16, 1000000000000000.0, 1e-05, -0.0.
void append_python_float(std::string& out, double d);

// Arrays/objects nesting depth ([] is 1, a scalar 0); TooDeep counts as deeper than anything.
std::size_t nesting_depth(const JValue& v);

// Equal as JSON: object key order ignored, numbers by value (1 == 1.0), true is not 1.
bool json_equal(const JValue& a, const JValue& b);
// json_equal of two texts produced by append_json (byte-equal texts are equal without a parse).
bool json_text_equal(std::string_view a, std::string_view b);

// The "got X" part of an error text: json.dumps(v), cut to 64 characters ("..." at the end).
std::string json_excerpt(const JValue& v);

}  // namespace vckv
