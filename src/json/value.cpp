#include "vckv/json/value.hpp"

#include "vckv/json/writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <nlohmann/detail/input/parser.hpp>
#include <nlohmann/detail/macro_unscope.hpp>  // as nlohmann/json.hpp ends: its macros go
#include <type_traits>
#include <unordered_map>

namespace vckv {
// The number and string types nlohmann's parser hands to a SAX handler: its parser needs only
// these, not the whole nlohmann::json class (so the single-file build carries only the parser).
struct SaxTypes {
  using number_integer_t = std::int64_t;
  using number_unsigned_t = std::uint64_t;
  using number_float_t = double;
  using string_t = std::string;
  using binary_t = std::vector<std::uint8_t>;  // never produced by the JSON parser
  using exception = nlohmann::detail::exception;
};
}  // namespace vckv

// The parser checks that it is given a JSON type; SaxTypes stands for nlohmann::json there.
template <>
struct nlohmann::detail::is_basic_json<vckv::SaxTypes> : std::true_type {};

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
class TreeBuilder {
 public:
  using number_integer_t = SaxTypes::number_integer_t;
  using number_unsigned_t = SaxTypes::number_unsigned_t;
  using number_float_t = SaxTypes::number_float_t;
  using string_t = SaxTypes::string_t;
  using binary_t = SaxTypes::binary_t;

  TreeBuilder(JValue& root, std::size_t max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() { return place(JValue{}); }
  bool boolean(bool b) {
    JValue v;
    v.kind = JValue::Kind::Bool;
    v.boolean = b;
    return place(std::move(v));
  }
  bool number_integer(number_integer_t n) { return place(make_int(std::to_string(n))); }
  bool number_unsigned(number_unsigned_t n) {
    return place(make_int(std::to_string(n)));
  }
  bool number_float(number_float_t d, const string_t& literal) {
    // nlohmann reports integers too large for 64 bits as floats; Python keeps them exact.
    if (literal.find_first_of(".eE") == string_t::npos) return place(make_int(literal));
    JValue v;
    v.kind = JValue::Kind::Float;
    v.number = d;
    return place(std::move(v));
  }
  bool string(string_t& s) {
    JValue v;
    v.kind = JValue::Kind::String;
    v.text = std::move(s);
    return place(std::move(v));
  }
  bool binary(binary_t&) { return false; }  // never produced by the JSON parser
  bool start_object(std::size_t) { return open(JValue::Kind::Object); }
  bool start_array(std::size_t) { return open(JValue::Kind::Array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(string_t& k) {
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
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) {
    error_ = e.what();
    error_column_ = position;
    return false;
  }

  const std::string& error() const { return error_; }
  std::size_t error_column() const { return error_column_; }

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
  std::size_t error_column_ = 0;
};

}  // namespace

bool parse_json(std::string_view text, JValue& out, std::string& error, std::size_t max_depth,
                std::size_t* error_column) {
  out = JValue{};
  // nlohmann skips a UTF-8 byte order mark; Python's json.loads refuses it, and so do we.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    error = "a UTF-8 byte order mark is not JSON";
    if (error_column) *error_column = 1;
    return false;
  }
  TreeBuilder builder(out, max_depth);
  bool ok = false;
  try {
    // What nlohmann::json::sax_parse(first, last, &builder) does: a strict parse, no comments.
    auto input = nlohmann::detail::input_adapter(text.data(), text.data() + text.size());
    ok = nlohmann::detail::parser<SaxTypes, decltype(input)>(std::move(input), nullptr, true, false)
             .sax_parse(&builder, true);
  } catch (const std::exception& e) {
    error = e.what();
    if (error_column) *error_column = 0;
    return false;
  }
  if (!ok) {
    error = builder.error().empty() ? "invalid JSON" : builder.error();
    if (error_column) *error_column = builder.error_column();
  }
  return ok;
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

bool int_equals_float(const std::string& digits, double d) {
  return std::trunc(d) == d && exact_integer_digits(d) == digits;
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

}  // namespace vckv
