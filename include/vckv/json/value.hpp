// The JSON value model: a parse that keeps what Python's json.loads keeps, and JSON equality.
// Rendering lives in json/writer.hpp. Pure logic, no I/O.
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
  // The member named key, which must exist (to move it out of a tree).
  JValue& find_mutable(std::string_view key) { return *const_cast<JValue*>(find(key)); }
};

// Strict RFC 8259 parse of one JSON text (surrounding whitespace allowed). Containers nested
// deeper than max_depth are not built: the one at max_depth + 1 becomes Kind::TooDeep, and the
// rest of the text is still checked. On failure returns false, sets error (the parser's
// message) and, when error_column is given, the 1-based byte column where the parse failed
// (text.size() + 1 at an unexpected end; 0 if unknown), and leaves out unspecified. Invalid
// UTF-8, lone surrogate escapes, NaN/Infinity, numbers that overflow a double and a leading
// byte order mark are failures (Python's json.loads refuses them too).
bool parse_json(std::string_view text, JValue& out, std::string& error, std::size_t max_depth,
                std::size_t* error_column = nullptr);

// Arrays/objects nesting depth ([] is 1, a scalar 0); TooDeep counts as deeper than anything.
std::size_t nesting_depth(const JValue& v);

// Equal as JSON: object key order ignored, numbers by value (1 == 1.0), true is not 1.
bool json_equal(const JValue& a, const JValue& b);
// json_equal of two texts produced by the writer (byte-equal texts are equal without a parse).
bool json_text_equal(std::string_view a, std::string_view b);

}  // namespace vckv
