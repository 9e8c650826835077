#include "vckv/json/writer.hpp"
#include "vckv/inlining.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace vckv {

namespace {
char* write_hex4(char* out, unsigned cp) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out++ = '\\';
  *out++ = 'u';
  for (int shift = 12; shift >= 0; shift -= 4) *out++ = kHex[(cp >> shift) & 0xF];
  return out;
}
}  // namespace

VCKV_HOT
char* write_json_string(char* out, std::string_view s) {
  *out++ = '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // Bytes that need no escaping are copied as they are scanned (strings here are short: a
    // copy call per run costs more than the bytes).
    while (i < s.size() && kPlainJsonBytes[static_cast<unsigned char>(s[i])]) *out++ = s[i++];
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    char short_escape = 0;
    switch (c) {
      case '"': short_escape = '"'; break;
      case '\\': short_escape = '\\'; break;
      case '\n': short_escape = 'n'; break;
      case '\r': short_escape = 'r'; break;
      case '\t': short_escape = 't'; break;
      case '\b': short_escape = 'b'; break;
      case '\f': short_escape = 'f'; break;
      default: break;
    }
    if (short_escape) {
      *out++ = '\\';
      *out++ = short_escape;
      ++i;
      continue;
    }
    if (c < 0x80) {  // other control characters and DEL
      out = write_hex4(out, c);
      ++i;
      continue;
    }
    // Multi-byte UTF-8 (validated by the parser; a stray byte is rendered as itself as U+FFFD).
    unsigned cp = 0xFFFD;
    std::size_t len = 1;
    if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      len = 2;
    } else if ((c & 0xF0) == 0xE0 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      len = 3;
    } else if ((c & 0xF8) == 0xF0 && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
      len = 4;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out = write_hex4(out, 0xD800 + (cp >> 10));
      out = write_hex4(out, 0xDC00 + (cp & 0x3FF));
    } else {
      out = write_hex4(out, cp);
    }
    i += len;
  }
  *out++ = '"';
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  const std::size_t old = out.size();
  out.resize(old + json_string_max_size(s.size()));
  char* end = write_json_string(out.data() + old, s);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

void append_python_float(std::string& out, double d) {
  // Shortest round-trip digits, then Python's layout: positional when the decimal point
  // position decpt (value = 0.DIGITS x 10^decpt) is in (-4, 16], else exponent form.
  char buf[40];
  const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  if (!sci.empty() && sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const std::size_t e = sci.find('e');
  std::string digits;
  for (char ch : sci.substr(0, e)) {
    if (ch != '.') digits += ch;
  }
  int exp10 = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+'), sci.data() + sci.size(), exp10);
  const int decpt = exp10 + 1;
  const int ndigits = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-decpt), '0');
      out += digits;
    } else if (decpt >= ndigits) {
      out += digits;
      out.append(static_cast<std::size_t>(decpt - ndigits), '0');
      out += ".0";
    } else {
      out.append(digits, 0, static_cast<std::size_t>(decpt));
      out += '.';
      out.append(digits, static_cast<std::size_t>(decpt));
    }
    return;
  }
  out += digits[0];
  if (ndigits > 1) {
    out += '.';
    out.append(digits, 1);
  }
  out += exp10 < 0 ? "e-" : "e+";
  const int mag = exp10 < 0 ? -exp10 : exp10;
  if (mag < 10) out += '0';
  out += std::to_string(mag);
}

void append_json(std::string& out, const JValue& v) {
  switch (v.kind) {
    case JValue::Kind::Null:
    case JValue::Kind::TooDeep: out += "null"; return;
    case JValue::Kind::Bool: out += v.boolean ? "true" : "false"; return;
    case JValue::Kind::Int: out += v.text; return;
    case JValue::Kind::Float: append_python_float(out, v.number); return;
    case JValue::Kind::String: append_json_string(out, v.text); return;
    case JValue::Kind::Array:
      out += '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += kJsonItemSeparator;
        append_json(out, v.items[i]);
      }
      out += ']';
      return;
    case JValue::Kind::Object:
      out += '{';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += kJsonItemSeparator;
        append_json_string(out, v.keys[i]);
        out += kJsonKeySeparator;
        append_json(out, v.items[i]);
      }
      out += '}';
      return;
  }
}

std::string to_json(const JValue& v) {
  std::string out;
  append_json(out, v);
  return out;
}

std::string exact_integer_digits(double d) {
  char buf[400];  // the largest double has 309 digits
  const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, 0);
  std::string s(buf, res.ptr);
  return s == "-0" ? "0" : s;
}

void append_canonical_json(std::string& out, const JValue& v, bool numbers_by_value) {
  switch (v.kind) {
    case JValue::Kind::Float:
      if (numbers_by_value && std::trunc(v.number) == v.number) {
        out += exact_integer_digits(v.number);
      } else {
        append_python_float(out, v.number);
      }
      return;
    case JValue::Kind::Array:
      out += '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += kJsonItemSeparator;
        append_canonical_json(out, v.items[i], numbers_by_value);
      }
      out += ']';
      return;
    case JValue::Kind::Object: {
      std::vector<std::size_t> order(v.keys.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      // Bytewise: UTF-8 sorts as its code points do, which is how Python orders str keys.
      std::sort(order.begin(), order.end(),
                [&](std::size_t a, std::size_t b) { return v.keys[a] < v.keys[b]; });
      out += '{';
      for (std::size_t i = 0; i < order.size(); ++i) {
        if (i) out += kJsonItemSeparator;
        append_json_string(out, v.keys[order[i]]);
        out += kJsonKeySeparator;
        append_canonical_json(out, v.items[order[i]], numbers_by_value);
      }
      out += '}';
      return;
    }
    default:
      append_json(out, v);
      return;
  }
}

std::string canonical_json(std::string_view json_text, bool numbers_by_value) {
  // A string, true, false or null has one rendering: it is its own canonical text.
  if (!json_text.empty() && (json_text[0] == '"' || json_text[0] == 't' || json_text[0] == 'f' ||
                             json_text[0] == 'n')) {
    return std::string(json_text);
  }
  JValue v;
  std::string error;
  if (!parse_json(json_text, v, error, std::size_t{1} << 20)) return std::string(json_text);
  std::string out;
  append_canonical_json(out, v, numbers_by_value);
  return out;
}

std::string json_excerpt(const JValue& v) {
  std::string s = to_json(v);
  if (s.size() > 64) {
    s.resize(61);
    s += "...";
  }
  return s;
}

}  // namespace vckv
