#include "vckv/json_text.hpp"

#include <charconv>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace vckv {

const JValue* JValue::find(std::string_view key) const {
  if (kind != Kind::Object) return nullptr;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

namespace {

// Builds a JValue from nlohmann's SAX events. nlohmann's parser is iterative, so deep input
// cannot overflow the stack there; this handler bounds the depth of what it builds.
class TreeBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  TreeBuilder(JValue& root, std::size_t max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() override { return place(JValue{}); }
  bool boolean(bool b) override {
    JValue v;
    v.kind = JValue::Kind::Bool;
    v.boolean = b;
    return place(std::move(v));
  }
  bool number_integer(number_integer_t n) override { return place(make_int(std::to_string(n))); }
  bool number_unsigned(number_unsigned_t n) override {
    return place(make_int(std::to_string(n)));
  }
  bool number_float(number_float_t d, const string_t& literal) override {
    // nlohmann reports integers too large for 64 bits as floats; Python keeps them exact.
    if (literal.find_first_of(".eE") == string_t::npos) return place(make_int(literal));
    JValue v;
    v.kind = JValue::Kind::Float;
    v.number = d;
    return place(std::move(v));
  }
  bool string(string_t& s) override {
    JValue v;
    v.kind = JValue::Kind::String;
    v.text = std::move(s);
    return place(std::move(v));
  }
  bool binary(binary_t&) override { return false; }  // never produced by the JSON parser
  bool start_object(std::size_t) override { return open(JValue::Kind::Object); }
  bool start_array(std::size_t) override { return open(JValue::Kind::Array); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (skipping_ > 0) return true;
    Frame& f = stack_.back();
    JValue& obj = *f.value;
    std::size_t slot = obj.keys.size();
    if (f.index) {
      auto [it, inserted] = f.index->try_emplace(k, slot);
      if (!inserted) slot = it->second;
    } else {
      for (std::size_t i = 0; i < obj.keys.size(); ++i) {
        if (obj.keys[i] == k) {
          slot = i;
          break;
        }
      }
    }
    if (slot == obj.keys.size()) {
      obj.keys.push_back(std::move(k));
      obj.items.emplace_back();
      // Past a handful of members a linear duplicate scan would make big objects quadratic.
      if (!f.index && obj.keys.size() > 16) {
        f.index = std::make_unique<std::unordered_map<std::string, std::size_t>>();
        for (std::size_t i = 0; i < obj.keys.size(); ++i) f.index->emplace(obj.keys[i], i);
      }
    }
    f.member = slot;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error_ = e.what();
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  struct Frame {
    JValue* value;
    std::size_t member = 0;  // objects: the slot the next value goes to
    std::unique_ptr<std::unordered_map<std::string, std::size_t>> index;
  };

  static JValue make_int(std::string digits) {
    JValue v;
    v.kind = JValue::Kind::Int;
    v.text = std::move(digits);
    return v;
  }

  // Where the next value goes. A container's slot stays valid while it is open: its parent
  // cannot grow until it closes.
  JValue* next_slot() {
    if (stack_.empty()) return &root_;
    Frame& f = stack_.back();
    if (f.value->kind == JValue::Kind::Array) {
      f.value->items.emplace_back();
      return &f.value->items.back();
    }
    return &f.value->items[f.member];
  }

  bool place(JValue v) {
    if (skipping_ == 0) *next_slot() = std::move(v);
    return true;
  }

  bool open(JValue::Kind kind) {
    if (skipping_ > 0) {
      ++skipping_;
      return true;
    }
    JValue* slot = next_slot();
    *slot = JValue{};
    if (stack_.size() >= max_depth_) {
      slot->kind = JValue::Kind::TooDeep;
      skipping_ = 1;
      return true;
    }
    slot->kind = kind;
    stack_.push_back(Frame{slot, 0, nullptr});
    return true;
  }

  bool close() {
    if (skipping_ > 0) {
      --skipping_;
      return true;
    }
    stack_.pop_back();
    return true;
  }

  JValue& root_;
  std::size_t max_depth_;
  std::vector<Frame> stack_;
  std::size_t skipping_ = 0;  // > 0: inside a container beyond max_depth, counting its nesting
  std::string error_;
};

}  // namespace

bool parse_json(std::string_view text, JValue& out, std::string& error, std::size_t max_depth) {
  out = JValue{};
  // nlohmann skips a UTF-8 byte order mark; Python's json.loads refuses it, and so do we.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    error = "a UTF-8 byte order mark is not JSON";
    return false;
  }
  TreeBuilder builder(out, max_depth);
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
  if (!ok) error = builder.error().empty() ? "invalid JSON" : builder.error();
  return ok;
}

namespace {
// Bytes that json.dumps writes as they are: printable ASCII except '"' and '\\'.
constexpr bool is_plain_json_byte(unsigned char c) {
  return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}
struct PlainTable {
  bool plain[256];
  constexpr PlainTable() : plain() {
    for (int c = 0; c < 256; ++c) plain[c] = is_plain_json_byte(static_cast<unsigned char>(c));
  }
};
constexpr PlainTable kPlain;
}  // namespace

namespace {
char* write_hex4(char* out, unsigned cp) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out++ = '\\';
  *out++ = 'u';
  for (int shift = 12; shift >= 0; shift -= 4) *out++ = kHex[(cp >> shift) & 0xF];
  return out;
}
}  // namespace

char* write_json_string(char* out, std::string_view s) {
  *out++ = '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // Bytes that need no escaping are copied as they are scanned (strings here are short: a
    // copy call per run costs more than the bytes).
    while (i < s.size() && kPlain.plain[static_cast<unsigned char>(s[i])]) *out++ = s[i++];
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
        if (i) out += ", ";
        append_json(out, v.items[i]);
      }
      out += ']';
      return;
    case JValue::Kind::Object:
      out += '{';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ", ";
        append_json_string(out, v.keys[i]);
        out += ": ";
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

std::size_t nesting_depth(const JValue& v) {
  switch (v.kind) {
    case JValue::Kind::TooDeep: return SIZE_MAX;
    case JValue::Kind::Array:
    case JValue::Kind::Object: {
      std::size_t deepest = 0;
      for (const JValue& item : v.items) {
        const std::size_t d = nesting_depth(item);
        if (d == SIZE_MAX) return SIZE_MAX;
        if (d > deepest) deepest = d;
      }
      return deepest + 1;
    }
    default: return 0;
  }
}

namespace {

// An integral double as exact decimal digits ("-0" becomes "0"), to compare with an Int.
std::string integral_digits(double d) {
  char buf[400];
  const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, 0);
  std::string s(buf, res.ptr);
  return s == "-0" ? "0" : s;
}

bool int_equals_float(const std::string& digits, double d) {
  return std::trunc(d) == d && integral_digits(d) == digits;
}

}  // namespace

bool json_equal(const JValue& a, const JValue& b) {
  using K = JValue::Kind;
  if (a.kind == K::Int && b.kind == K::Float) return int_equals_float(a.text, b.number);
  if (a.kind == K::Float && b.kind == K::Int) return int_equals_float(b.text, a.number);
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case K::Null:
    case K::TooDeep: return true;
    case K::Bool: return a.boolean == b.boolean;
    case K::Int:
    case K::String: return a.text == b.text;
    case K::Float: return a.number == b.number;
    case K::Array:
      if (a.items.size() != b.items.size()) return false;
      for (std::size_t i = 0; i < a.items.size(); ++i) {
        if (!json_equal(a.items[i], b.items[i])) return false;
      }
      return true;
    case K::Object:
      if (a.items.size() != b.items.size()) return false;
      for (std::size_t i = 0; i < a.items.size(); ++i) {
        const JValue* other = b.find(a.keys[i]);
        if (!other || !json_equal(a.items[i], *other)) return false;
      }
      return true;
  }
  return false;
}

bool json_text_equal(std::string_view a, std::string_view b) {
  if (a == b) return true;
  // A string, true, false or null has one rendering and equals only its own kind: different
  // bytes are different values, no parse needed (the usual case: string values).
  const auto unique_form = [](std::string_view t) {
    return !t.empty() && (t[0] == '"' || t[0] == 't' || t[0] == 'f' || t[0] == 'n');
  };
  if (unique_form(a) || unique_form(b)) return false;
  JValue va, vb;
  std::string error;
  constexpr std::size_t kAnyDepth = 1 << 20;
  if (!parse_json(a, va, error, kAnyDepth) || !parse_json(b, vb, error, kAnyDepth)) return false;
  return json_equal(va, vb);
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
