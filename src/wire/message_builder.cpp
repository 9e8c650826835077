#include "vckv/wire/message_builder.hpp"

#include <algorithm>
#include <charconv>

#include "vckv/inlining.hpp"
#include "vckv/json/writer.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {

VCKV_HOT
MessageBuilder::MessageBuilder(std::string& out, std::string_view src, std::string_view dest,
                               std::string_view type,
                               const std::optional<std::string>& in_reply_to)
    : out_(out), begin_(out.size()), used_(out.size()) {
  static constexpr std::string_view kSrc = R"({"src": )", kDest = R"(, "dest": )",
                                    kBody = R"(, "body": {"type": )";
  char* p = room(kSrc.size() + kDest.size() + kBody.size() + json_string_max_size(src.size()) +
                 json_string_max_size(dest.size()) + json_string_max_size(type.size()));
  p = std::copy(kSrc.begin(), kSrc.end(), p);
  p = write_json_string(p, src);
  p = std::copy(kDest.begin(), kDest.end(), p);
  p = write_json_string(p, dest);
  p = std::copy(kBody.begin(), kBody.end(), p);
  wrote(write_json_string(p, type));
  if (in_reply_to) field_json("in_reply_to", *in_reply_to);
}

VCKV_HOT
MessageBuilder::~MessageBuilder() {
  if (!finished_) out_.resize(begin_);  // (after finish, out_ may hold later messages too)
}

VCKV_HOT
void MessageBuilder::grow(std::size_t n) {
  // Some slack, so the fields after this one usually fit without another resize.
  out_.resize(used_ + n + 128);
}

VCKV_ALWAYS_INLINE
void MessageBuilder::raw(std::string_view bytes) {
  wrote(std::copy(bytes.begin(), bytes.end(), room(bytes.size())));
}

VCKV_ALWAYS_INLINE
void MessageBuilder::name(std::string_view n) {
  // Field names are the protocol's own plain ASCII identifiers: nothing to escape.
  // , "n": is six bytes besides the name.
  char* p = room(n.size() + 6);
  *p++ = ',';
  *p++ = ' ';
  *p++ = '"';
  p = std::copy(n.begin(), n.end(), p);
  *p++ = '"';
  *p++ = ':';
  *p++ = ' ';
  wrote(p);
}

VCKV_HOT
MessageBuilder& MessageBuilder::field_json(std::string_view n, std::string_view json_text) {
  name(n);
  raw(json_text);
  return *this;
}

VCKV_HOT
MessageBuilder& MessageBuilder::field_string(std::string_view n, std::string_view text) {
  name(n);
  wrote(write_json_string(room(json_string_max_size(text.size())), text));
  return *this;
}

VCKV_HOT VCKV_FLATTEN
MessageBuilder& MessageBuilder::field_uint(std::string_view n, std::uint64_t value) {
  name(n);
  char* p = room(20);
  wrote(std::to_chars(p, p + 20, value).ptr);
  return *this;
}

VCKV_ALWAYS_INLINE
void MessageBuilder::version(const std::string_view* key, VersionView v, bool first) {
  // [", "]{["\"key\": " KEY ", "]"\"value\": " VALUE ", \"clock\": " CLOCK}, or for a
  // tombstone (§16) [", "]{["\"key\": " KEY ", "]"\"clock\": " CLOCK ", \"deleted\": true}
  // With server clocks (§17) `, "dot": [I, N]` follows the clock.
  static constexpr std::string_view kKey = R"("key": )", kValue = R"("value": )",
                                    kClock = R"(, "clock": )", kDeleted = R"(, "deleted": true)",
                                    kDot = R"(, "dot": )";
  const std::size_t key_bytes = key ? kKey.size() + key->size() + 2 : 0;
  char* p = room(3 + key_bytes + kValue.size() + v.value.size() + kClock.size() +
                 kDeleted.size() + clock_json_max_size(v.slots.size()) + kDot.size() +
                 uint_array_max_size(2) + 1);
  auto dot = [&] {
    if (v.dot.empty()) return;
    p = std::copy(kDot.begin(), kDot.end(), p);
    const std::uint64_t parts[2] = {v.dot.node, v.dot.counter};
    p = write_uint_array(p, 2, [&](std::size_t i) { return parts[i]; });
  };
  if (!first) {
    *p++ = ',';
    *p++ = ' ';
  }
  *p++ = '{';
  if (key) {
    p = std::copy(kKey.begin(), kKey.end(), p);
    p = std::copy(key->begin(), key->end(), p);
    *p++ = ',';
    *p++ = ' ';
  }
  if (v.tombstone()) {
    p = std::copy(kClock.begin() + 2, kClock.end(), p);
    p = write_clock_json(p, v.slots);
    dot();
    p = std::copy(kDeleted.begin(), kDeleted.end(), p);
  } else {
    p = std::copy(kValue.begin(), kValue.end(), p);
    p = std::copy(v.value.begin(), v.value.end(), p);
    p = std::copy(kClock.begin(), kClock.end(), p);
    p = write_clock_json(p, v.slots);
    dot();
  }
  *p++ = '}';
  wrote(p);
}

VCKV_HOT
MessageBuilder& MessageBuilder::field_client_versions(std::string_view n, Siblings versions) {
  name(n);
  raw("[");
  bool first = true;
  bool tombstones = false;
  for (VersionView v : versions) {
    if (v.tombstone()) {
      tombstones = true;
      continue;
    }
    version(nullptr, v, first);
    first = false;
  }
  raw("]");
  if (!tombstones) return *this;
  name("deleted");
  raw("[");
  first = true;
  for (VersionView v : versions) {
    if (!v.tombstone()) continue;
    char* p = room(2 + clock_json_max_size(v.slots.size()));
    if (!first) {
      *p++ = ',';
      *p++ = ' ';
    }
    wrote(write_clock_json(p, v.slots));
    first = false;
  }
  raw("]");
  return *this;
}

VCKV_HOT
MessageBuilder& MessageBuilder::field_versions(std::string_view n, Siblings versions) {
  name(n);
  raw("[");
  bool first = true;
  for (VersionView v : versions) {
    version(nullptr, v, first);
    first = false;
  }
  raw("]");
  return *this;
}

MessageBuilder& MessageBuilder::field_versions(std::string_view n,
                                               const std::vector<VersionView>& versions) {
  name(n);
  raw("[");
  for (std::size_t i = 0; i < versions.size(); ++i) version(nullptr, versions[i], i == 0);
  raw("]");
  return *this;
}

MessageBuilder& MessageBuilder::begin_keyed_versions(std::string_view n) {
  name(n);
  raw("[");
  array_empty_ = true;
  return *this;
}

VCKV_HOT
MessageBuilder& MessageBuilder::add_keyed_version(std::string_view key_json, VersionView v) {
  if (v.tombstone() || !v.dot.empty()) {
    if (!array_empty_) raw(",");
    version(&key_json, v, true);
  } else {
    // A plain version, the bulk of node-to-node bytes, as a tuple without spaces:
    // [","][KEY,VALUE,[1,0,2]]
    char* p = room(5 + key_json.size() + v.value.size() + clock_json_max_size(v.slots.size()));
    if (!array_empty_) *p++ = ',';
    *p++ = '[';
    p = std::copy(key_json.begin(), key_json.end(), p);
    *p++ = ',';
    p = std::copy(v.value.begin(), v.value.end(), p);
    *p++ = ',';
    *p++ = '[';
    for (std::size_t i = 0; i < v.slots.size(); ++i) {
      if (i) *p++ = ',';
      p = std::to_chars(p, p + 20, static_cast<std::uint64_t>(v.slots[i])).ptr;
    }
    *p++ = ']';
    *p++ = ']';
    wrote(p);
  }
  array_empty_ = false;
  return *this;
}

MessageBuilder& MessageBuilder::add_keyed_versions(std::string_view key_json, Siblings versions) {
  for (VersionView v : versions) add_keyed_version(key_json, v);
  return *this;
}

MessageBuilder& MessageBuilder::end_keyed_versions() {
  raw("]");
  return *this;
}

VCKV_HOT VCKV_FLATTEN
void MessageBuilder::finish(std::uint64_t msg_id) {
  field_uint("msg_id", msg_id);
  raw("}}\n");
  out_.resize(used_);
  finished_ = true;
}

}  // namespace vckv
