#include "codec_fast.hpp"

#include <cstring>

#include "vckv/inlining.hpp"
#include "vckv/json/writer.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv::detail {
namespace {

constexpr int kMaxFastDepth = 32;        // deeper values take the general path
constexpr std::size_t kMaxFastMembers = 16;  // per value object, for the duplicate-key check

class Scanner {
 public:
  explicit Scanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool eat(char c) {
    skip_ws();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool at_end() {
    skip_ws();
    return p_ == end_;
  }
  char peek() {
    skip_ws();
    return p_ < end_ ? *p_ : '\0';
  }

  // A string of printable ASCII without escapes; its contents, without quotes.
  bool plain_string(std::string_view& out) {
    if (!eat('"')) return false;
    const char* start = p_;
    while (p_ < end_ && kPlainJsonBytes[static_cast<unsigned char>(*p_)]) ++p_;
    if (p_ == end_ || *p_ != '"') return false;  // an escape, a control or non-ASCII byte
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  // An integer in canonical JSON form (-?(0|[1-9][0-9]*)), not followed by a fraction or an
  // exponent, and not "-0" (Python prints it as 0); the text as written.
  bool plain_integer(std::string_view& out) {
    skip_ws();
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
      ++p_;
      if (p_ - start == 2) return false;  // -0
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    // Past ~309 digits the general parser reports an overflow; leave such numbers to it.
    if (p_ - start > 300) return false;
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E' || (*p_ >= '0' && *p_ <= '9'))) {
      return false;
    }
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    return true;
  }

  bool literal(std::string_view word) {
    skip_ws();
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // Any value of the plain subset, appended to out in json.dumps form: its tokens are copied as
  // they are (a plain string or integer is its own rendering) with the writer's separators.
  VCKV_HOT VCKV_NOINLINE
  bool value(std::string& out, int depth) {
    switch (peek()) {
      case '"': {
        const char* start = p_;  // at the opening quote (peek skipped the whitespace)
        std::string_view s;
        if (!plain_string(s)) return false;
        out.append(start, s.size() + 2);  // a plain string renders as its own bytes
        return true;
      }
      case '[': {
        if (depth >= kMaxFastDepth) return false;
        eat('[');
        out += '[';
        if (eat(']')) {
          out += ']';
          return true;
        }
        for (bool first = true;; first = false) {
          if (!first) out += kJsonItemSeparator;
          if (!value(out, depth + 1)) return false;
          if (eat(']')) break;
          if (!eat(',')) return false;
        }
        out += ']';
        return true;
      }
      case '{': {
        if (depth >= kMaxFastDepth) return false;
        eat('{');
        out += '{';
        if (eat('}')) {
          out += '}';
          return true;
        }
        std::string_view seen[kMaxFastMembers];
        std::size_t count = 0;
        for (;;) {
          std::string_view key;
          if (!plain_string(key) || count == kMaxFastMembers) return false;
          for (std::size_t i = 0; i < count; ++i) {
            if (seen[i] == key) return false;  // duplicate keys: the general path decides
          }
          seen[count++] = key;
          if (count > 1) out += kJsonItemSeparator;
          out += '"';
          out += key;
          out += '"';
          out += kJsonKeySeparator;
          if (!eat(':') || !value(out, depth + 1)) return false;
          if (eat('}')) break;
          if (!eat(',')) return false;
        }
        out += '}';
        return true;
      }
      case 't': return literal("true") && (out += "true", true);
      case 'f': return literal("false") && (out += "false", true);
      case 'n': return literal("null") && (out += "null", true);
      default: {
        std::string_view digits;
        if (!plain_integer(digits)) return false;
        out += digits;
        return true;
      }
    }
  }

 private:
  const char* p_;
  const char* end_;
};

// s == lit, with the literal's length known here so the compare is inlined (no memcmp call
// per member name).
template <std::size_t N>
bool is(std::string_view s, const char (&lit)[N]) {
  return s.size() == N - 1 && std::memcmp(s.data(), lit, N - 1) == 0;
}

// Which members were seen, to refuse duplicates.
struct Seen {
  unsigned bits = 0;
  bool first(unsigned bit) {
    if (bits & bit) return false;
    bits |= bit;
    return true;
  }
};

// Inlined into both callers: out of line (GCC's choice once sync versions called it too) it
// cost a client write 5% more instructions.
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
inline bool clock(Scanner& s, const CodecLimits& limits, std::vector<std::uint64_t>& slots) {
  if (!s.eat('[')) return false;
  slots.clear();
  if (!s.eat(']')) {
    for (;;) {
      std::string_view digits;
      if (!s.plain_integer(digits)) return false;
      // Anything but a valid entry, or a clock too long: the general path's error.
      const std::optional<std::uint64_t> n = clock_entry(digits);
      if (!n) return false;
      slots.push_back(*n);
      if (slots.size() > limits.max_clock_entries) return false;
      if (s.eat(']')) break;
      if (!s.eat(',')) return false;
    }
  }
  return true;
}

// A sync's versions: [[K, V, C], {"key": K, "value": V, "clock": C}, ...] (an object with each
// member once and no other), into out's first `count` entries (reusing the strings an earlier
// line left there). In the one-file build, a function of its own with the scanner inlined: not
// part of the client path.
VCKV_NOINLINE VCKV_FLATTEN
bool keyed_versions(Scanner& s, const CodecLimits& limits, std::vector<KeyedVersion>& out,
                    std::size_t& count) {
  count = 0;
  if (limits.server_clocks) return false;  // versions carry dots (§17): the general path's
  if (!s.eat('[')) return false;
  if (s.eat(']')) return true;
  for (;;) {
    if (count == out.size()) out.emplace_back();
    KeyedVersion& kv = out[count++];
    kv.key.clear();
    kv.version.value.clear();
    kv.version.dot = Dot{};  // (a dotted version is the general path's)
    auto key = [&] {
      std::string_view text;
      const bool quoted = s.peek() == '"';
      if (!(quoted ? s.plain_string(text) : s.plain_integer(text))) return false;
      if (quoted) kv.key += '"';
      kv.key += text;
      if (quoted) kv.key += '"';
      return true;
    };
    if (s.eat('[')) {  // [key, value, clock]: a plain version, as nodes write them
      if (!key() || !s.eat(',') || !s.value(kv.version.value, 1) || !s.eat(',') ||
          !clock(s, limits, kv.version.clock.mutable_slots()) || !s.eat(']')) {
        return false;
      }
      if (s.eat(']')) return true;
      if (!s.eat(',')) return false;
      continue;
    }
    if (!s.eat('{')) return false;
    Seen seen;
    for (bool first = true;; first = false) {
      if (!first && !s.eat(',')) return false;
      std::string_view name;
      if (!s.plain_string(name) || !s.eat(':')) return false;
      bool ok = false;
      if (is(name, "key")) {
        ok = seen.first(1) && key();
      } else if (is(name, "value")) {
        ok = seen.first(2) && s.value(kv.version.value, 1);
      } else if (is(name, "clock")) {
        ok = seen.first(4) && clock(s, limits, kv.version.clock.mutable_slots());
      }
      if (!ok) return false;  // (another member: the general path's business)
      if (s.eat('}')) break;
    }
    if (seen.bits != 7) return false;
    if (s.eat(']')) return true;
    if (!s.eat(',')) return false;
  }
}

// to = s, for the envelope's short fields. In C++17 (the single file's standard: g++'s default)
// libstdc++ declares std::string an extern template, so assign is a call into the shared
// library that is never inlined; the strings come back from the line before with room, so the
// bytes are copied in place instead. From C++20 on, assign is inlined.
inline void assign_in_place(std::string& to, std::string_view s) {
#if __cplusplus > 201703L
  to.assign(s);
#else
  if (s.size() > to.capacity()) {
    to.assign(s);
    return;
  }
  if (to.size() > s.size()) to.erase(s.size());
  while (to.size() < s.size()) to.push_back('\0');
  if (!s.empty()) std::memcpy(to.data(), s.data(), s.size());
#endif
}

// The envelope's fields of an accepted line (type: empty when in.type holds it already). One
// call with the string copies inlined into it: left to itself, the compiler inlines this into
// the (large) decode_fast and then calls out for every copy, which measured ~4% slower.
VCKV_HOT
#if defined(__GNUC__)
__attribute__((flatten, noinline))
#endif
void fill(Incoming& in, std::string_view src, std::string_view dest, std::string_view type,
          int kind, const std::string_view* msg_id, std::optional<std::uint64_t> incarnation) {
  assign_in_place(in.src, src);
  if (!in.dest) in.dest.emplace();
  assign_in_place(*in.dest, dest);
  in.dest_error.reset();
  in.envelope_error.reset();
  in.is_reply = false;
  in.in_reply_to.reset();
  if (!type.empty()) assign_in_place(in.type, type);
  in.kind = kind;
  if (msg_id) {
    if (!in.msg_id) in.msg_id.emplace();
    assign_in_place(*in.msg_id, *msg_id);
  } else {
    in.msg_id.reset();
  }
  in.incarnation = incarnation;
  in.request_error.reset();
}

}  // namespace

VCKV_HOT VCKV_FLATTEN
bool decode_fast(std::string_view line, const CodecLimits& limits, const MessageCatalog& catalog,
                 Incoming& in, KeyAhead key_ahead) {
  Scanner s(line);
  std::string_view src, dest, type, msg_id, key_text;
  bool key_is_string = false;
  // Value and clock are decoded straight into the request, whose buffers a reused Incoming
  // keeps from the line before (on failure the general path replaces everything).
  auto* write = std::get_if<WriteRequest>(&in.request);
  if (!write) {
    if (auto* sync = std::get_if<SyncRequest>(&in.request)) {
      in.spare_versions = std::move(sync->versions);
    }
    write = &in.request.emplace<WriteRequest>();
    write->version = std::move(in.spare_buffers);
  }
  std::string& value = write->version.value;
  value.clear();
  write->version.dot = Dot{};
  // Kept buffers serve the usual small requests; one huge request's are not kept for good.
  constexpr std::size_t kKeepBytes = 64 * 1024;
  if (value.capacity() > kKeepBytes) value.shrink_to_fit();
  auto& slots = write->version.clock.mutable_slots();
  if (slots.capacity() * sizeof(std::uint64_t) > kKeepBytes) slots = {};
  enum : unsigned { kSrc = 1, kDest = 2, kBody = 4, kType = 8, kMsgId = 16, kKey = 32,
                    kValue = 64, kClock = 128, kVersions = 256, kIncarnation = 512 };
  std::optional<std::uint64_t> incarnation;
  std::size_t versions = 0;  // in in.spare_versions, for a sync
  Seen top, body;
  if (!s.eat('{')) return false;
  for (bool first = true;; first = false) {
    if (!first && !s.eat(',')) return false;
    std::string_view name;
    if (!s.plain_string(name) || !s.eat(':')) return false;
    if (is(name, "src")) {
      if (!top.first(kSrc) || !s.plain_string(src)) return false;
    } else if (is(name, "dest")) {
      if (!top.first(kDest) || !s.plain_string(dest)) return false;
    } else if (is(name, "body")) {
      if (!top.first(kBody) || !s.eat('{')) return false;
      for (bool first_member = true;; first_member = false) {
        if (!first_member && !s.eat(',')) return false;
        std::string_view member;
        if (!s.plain_string(member) || !s.eat(':')) return false;
        bool ok = false;
        if (is(member, "type")) {
          ok = body.first(kType) && s.plain_string(type);
        } else if (is(member, "msg_id")) {
          ok = body.first(kMsgId) && s.plain_integer(msg_id);
        } else if (is(member, "key")) {
          key_is_string = s.peek() == '"';
          ok = body.first(kKey) &&
               (key_is_string ? s.plain_string(key_text) : s.plain_integer(key_text));
          // A plain string's JSON text is its contents with the quotes around them, which are
          // the line's own bytes.
          if (ok) {
            key_ahead(key_is_string ? std::string_view(key_text.data() - 1, key_text.size() + 2)
                                    : key_text);
          }
        } else if (is(member, "value")) {
          ok = body.first(kValue) && s.value(value, 1);
        } else if (is(member, "clock")) {
          ok = body.first(kClock) && clock(s, limits, slots);
        } else if (is(member, "incarnation")) {
          std::string_view digits;
          ok = body.first(kIncarnation) && s.plain_integer(digits) &&
               (incarnation = clock_entry(digits)).has_value();  // else: the general path's error
        } else if (is(member, "versions")) {
          ok = body.first(kVersions) && keyed_versions(s, limits, in.spare_versions, versions);
        } else if (is(member, "in_reply_to") || is(member, "node_id") || is(member, "node_ids")) {
          ok = false;  // replies and init take the general path
        } else {
          std::string ignored;  // unknown members are ignored, but must be valid
          ok = s.value(ignored, 1);
        }
        if (!ok) return false;
        if (s.eat('}')) break;
      }
    } else {
      std::string ignored;
      if (!s.value(ignored, 0)) return false;
    }
    if (s.eat('}')) break;
  }
  if (!s.at_end()) return false;
  if (top.bits != (kSrc | kDest | kBody) || !(body.bits & kType)) return false;
  // The body's shape must be the one the type takes; anything else is the general path's.
  const unsigned fields = body.bits & (kKey | kValue | kClock | kVersions);
  // (A sync's incarnation is required: without it the general path reports it missing.)
  const FastShape shape = fields == kKey                            ? FastShape::kKey
                          : fields == (kKey | kValue | kClock) ? FastShape::kKeyValueClock
                          : fields == kVersions && (body.bits & kIncarnation) ? FastShape::kVersions
                                                                    : FastShape::kNone;
  if (shape == FastShape::kNone) return false;
  // Consecutive lines mostly share a type: then the kind found for the line before serves.
  const bool same_type = in.kind >= 0 && !in.is_reply && in.type == type;
  const int kind = same_type ? in.kind : catalog.find(type);
  if (kind < 0 || catalog.fast_shape(kind) != shape) return false;
  // msg_id beyond 64 bits: the general path renders it as the parser reports it.
  if ((body.bits & kMsgId) && msg_id.size() > 18) return false;
  fill(in, src, dest, same_type ? std::string_view() : type, kind,
       (body.bits & kMsgId) ? &msg_id : nullptr, incarnation);
  if (shape == FastShape::kVersions) {
    in.spare_versions.resize(versions);
    in.spare_buffers = std::move(write->version);
    in.request.emplace<SyncRequest>().versions = std::move(in.spare_versions);
    return true;
  }
  const bool is_get = shape == FastShape::kKey;
  if (is_get) in.spare_buffers = std::move(write->version);
  std::string& key = is_get ? in.request.emplace<GetRequest>().key : write->key;
  key.clear();
  if (key_is_string) {
    key += '"';
    key += key_text;
    key += '"';
  } else {
    key += key_text;
  }
  return true;
}

}  // namespace vckv::detail
